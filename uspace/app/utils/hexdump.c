/* hexdump [FILE...]: the bytes of the files (or of standard input) as
 * offset, 16 bytes in hex and the printable ones, as "hexdump -C" does;
 * a final line gives the length. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint8_t hd_line[16];
static size_t hd_fill;
static uint64_t hd_off;

static void hd_flush(void)
{
	if (hd_fill == 0)
		return;
	printf("%08llx ", (unsigned long long) (hd_off - hd_fill));
	for (size_t i = 0; i < 16; i++) {
		if (i == 8)
			printf(" ");
		if (i < hd_fill)
			printf(" %02x", hd_line[i]);
		else
			printf("   ");
	}
	printf("  |");
	for (size_t i = 0; i < hd_fill; i++)
		printf("%c", hd_line[i] >= 0x20 && hd_line[i] < 0x7f ? hd_line[i] : '.');
	printf("|\n");
	hd_fill = 0;
}

static int hd_fd(int fd, const char *name)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			fprintf(stderr, "hexdump: %s: %s\n", name, strerror(errno));
			return 1;
		}
		for (ssize_t i = 0; i < n; i++) {
			hd_line[hd_fill++] = buf[i];
			hd_off++;
			if (hd_fill == 16)
				hd_flush();
		}
	}
}

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2)
		status = hd_fd(0, "standard input");
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "hexdump: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= hd_fd(fd, argv[i]);
		close(fd);
	}
	hd_flush();
	printf("%08llx\n", (unsigned long long) hd_off);
	return status;
}
