/* cp SRC DST: copy file SRC to DST (made or emptied first), or into DST
 * under SRC's last name when DST is a directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char cp_buf[8192];

/* DST itself, or DST/NAME for a directory: a malloc'd path. */
static char *cp_target(const char *src, const char *dst)
{
	struct stat st;
	if (stat(dst, &st) != 0 || !S_ISDIR(st.st_mode))
		return strdup(dst);
	const char *name = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	size_t len = strlen(dst) + strlen(name) + 2;
	char *p = malloc(len);
	if (p)
		snprintf(p, len, "%s/%s", dst, name);
	return p;
}

static int cp_copy(int in, int out, const char *src, const char *dst)
{
	for (;;) {
		ssize_t n = read(in, cp_buf, sizeof(cp_buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			fprintf(stderr, "cp: %s: %s\n", src, strerror(errno));
			return 1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, cp_buf + off, (size_t) (n - off));
			if (w <= 0) {
				fprintf(stderr, "cp: %s: %s\n", dst, strerror(errno));
				return 1;
			}
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: cp SRC DST\n");
		return 2;
	}
	int status = 1, in = -1, out = -1;
	char *dst = cp_target(argv[1], argv[2]);
	if (!dst)
		goto out;
	in = open(argv[1], O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "cp: %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (out < 0) {
		fprintf(stderr, "cp: %s: %s\n", dst, strerror(errno));
		goto out;
	}
	status = cp_copy(in, out, argv[1], dst);
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		status = 1;
	free(dst);
	return status;
}
