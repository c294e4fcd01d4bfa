/*
 * ls [-l] [PATH...]: the names in each directory (sorted, without . and
 * ..), or the file itself for a path that is not a directory.  -l: one
 * line per name with its type and permissions, links, size and, for a
 * symbolic link, where it points.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool ls_long;

static char ls_type(mode_t m)
{
	return S_ISDIR(m) ? 'd'
	    : S_ISLNK(m)  ? 'l'
	    : S_ISCHR(m)  ? 'c'
	    : S_ISBLK(m)  ? 'b'
	    : S_ISFIFO(m) ? 'p'
	    : S_ISSOCK(m) ? 's'
	                  : '-';
}

/* One name: @a path is how to reach it, @a name how to show it. */
static int ls_one(const char *path, const char *name)
{
	if (!ls_long) {
		printf("%s\n", name);
		return 0;
	}
	struct stat st;
	if (lstat(path, &st) != 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char perm[11] = { ls_type(st.st_mode) };
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		perm[1 + i] = (st.st_mode & (0400u >> i)) ? rwx[i] : '-';
	printf("%s %3llu %10lld %s", perm, (unsigned long long) st.st_nlink, (long long) st.st_size,
	    name);
	char target[256];
	ssize_t n = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof(target) - 1) : -1;
	if (n >= 0) {
		target[n] = '\0';
		printf(" -> %s", target);
	}
	printf("\n");
	return 0;
}

static int ls_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names of directory @a dir, sorted, in *names (*n of them). */
static int ls_read_dir(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			char **grown = realloc(*names, cap * sizeof(char *));
			if (!grown)
				break;
			*names = grown;
		}
		if (!((*names)[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	/* a small insertion sort: directories are not huge */
	for (size_t i = 1; i < *n; i++) {
		for (size_t j = i; j > 0 && ls_cmp(&(*names)[j - 1], &(*names)[j]) > 0; j--) {
			char *t = (*names)[j];
			(*names)[j] = (*names)[j - 1];
			(*names)[j - 1] = t;
		}
	}
	return 0;
}

static int ls_dir(const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	int status = ls_read_dir(dir, &names, &n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		if (path) {
			snprintf(path, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, names[i]);
			status |= ls_one(path, names[i]);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return status;
}

static int ls_path(const char *path, bool title)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return ls_one(path, path);
	if (title)
		printf("%s:\n", path);
	return ls_dir(path);
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		ls_long = true;
		i++;
	}
	if (i == argc)
		return ls_path(".", false);
	for (int first = i; i < argc; i++)
		status |= ls_path(argv[i], argc - first > 1);
	return status;
}
