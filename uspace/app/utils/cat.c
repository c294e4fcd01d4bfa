/* cat [FILE...]: the files one after the other on standard output;
 * without a FILE (or for "-"), standard input. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char cat_buf[8192];

/* Copy @a fd to standard output: 0, or -1 after saying why. */
static int cat_fd(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, cat_buf, sizeof(cat_buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, cat_buf + off, (size_t) (n - off));
			if (w <= 0) {
				fprintf(stderr, "cat: write: %s\n", strerror(errno));
				return -1;
			}
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2)
		return cat_fd(0, "standard input") == 0 ? 0 : 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= cat_fd(0, "standard input") != 0;
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= cat_fd(fd, argv[i]) != 0;
		close(fd);
	}
	return status;
}
