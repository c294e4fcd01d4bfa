/* rm [-r] PATH...: remove files; -r: directories too, with everything in
 * them (a symbolic link is removed, never followed). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool rm_recursive;

static int rm_path(const char *path);

static int rm_dir_contents(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
		return 1;
	}
	int status = 0;
	struct dirent *e;
	/* Removing while reading can skip names: read again until empty. */
	for (bool removed = true; removed && status == 0;) {
		removed = false;
		rewinddir(d);
		while (status == 0 && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			size_t len = strlen(path) + strlen(e->d_name) + 2;
			char *child = malloc(len);
			if (!child) {
				status = 1;
				break;
			}
			snprintf(child, len, "%s/%s", path, e->d_name);
			status = rm_path(child);
			free(child);
			removed = true;
		}
	}
	closedir(d);
	return status;
}

static int rm_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!rm_recursive) {
			fprintf(stderr, "rm: %s: a directory (rm -r removes it)\n", path);
			return 1;
		}
		if (rm_dir_contents(path) != 0)
			return 1;
		if (rmdir(path) == 0)
			return 0;
	} else if (unlink(path) == 0) {
		return 0;
	}
	fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		rm_recursive = true;
		i++;
	}
	if (i == argc) {
		fprintf(stderr, "usage: rm [-r] PATH...\n");
		return 2;
	}
	for (; i < argc; i++)
		status |= rm_path(argv[i]);
	return status;
}
