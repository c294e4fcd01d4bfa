/* mv SRC DST: rename SRC to DST, or move it into DST under its last name
 * when DST is a directory (within one file system). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mv SRC DST\n");
		return 2;
	}
	const char *src = argv[1];
	char *dst = NULL;
	struct stat st;
	if (stat(argv[2], &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *name = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		size_t len = strlen(argv[2]) + strlen(name) + 2;
		if ((dst = malloc(len)))
			snprintf(dst, len, "%s/%s", argv[2], name);
	} else {
		dst = strdup(argv[2]);
	}
	if (!dst) {
		fprintf(stderr, "mv: out of memory\n");
		return 1;
	}
	int status = 0;
	if (rename(src, dst) != 0) {
		fprintf(stderr, "mv: %s to %s: %s\n", src, dst, strerror(errno));
		status = 1;
	}
	free(dst);
	return status;
}
