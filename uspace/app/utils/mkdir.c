/* mkdir [-p] DIR...: make the directories; -p: with every missing parent,
 * and no complaint about one that is there. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool mkdir_parents;

static int mkdir_one(char *path)
{
	if (mkdir_parents) {
		for (char *p = path + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			int rc = mkdir(path, 0777);
			int err = errno;
			*p = '/';
			if (rc != 0 && err != EEXIST) {
				fprintf(stderr, "mkdir: %s: %s\n", path, strerror(err));
				return 1;
			}
		}
	}
	if (mkdir(path, 0777) == 0 || (mkdir_parents && errno == EEXIST))
		return 0;
	fprintf(stderr, "mkdir: %s: %s\n", path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		mkdir_parents = true;
		i++;
	}
	if (i == argc) {
		fprintf(stderr, "usage: mkdir [-p] DIR...\n");
		return 2;
	}
	for (; i < argc; i++)
		status |= mkdir_one(argv[i]);
	return status;
}
