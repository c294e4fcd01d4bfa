/*
 * How the shell finds and starts a program (sh.h: sh_spawn): a name with a
 * '/' is a path (relative to the current directory), any other name is
 * /bin/NAME; the file is started through the loader with the arguments as
 * they are (task_spawn_path, docs/loader.md).  A name that is no file in
 * /bin but a boot module (a program built into the image only) is started
 * as the module, its arguments then one command line split at spaces.
 */
#include "sh.h"
#include <abi/vfs.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <unistd.h>

#define SH_BIN "/bin/"

/* The file @a name names, into @a path (@a size bytes): ENAMETOOLONG. */
static errno_t spawn_path(const char *name, const char *cwd, char *path, size_t size)
{
	int n;
	if (name[0] == '/')
		n = snprintf(path, size, "%s", name);
	else if (strchr(name, '/'))
		n = snprintf(path, size, "%s/%s", cwd && strcmp(cwd, "/") ? cwd : "", name);
	else
		n = snprintf(path, size, SH_BIN "%s", name);
	return n < 0 || (size_t) n >= size ? ENAMETOOLONG : EOK;
}

/* The arguments argv[1..] as one command line (a module's), or NULL (*rc
 * set): ENOTSUP for an argument a command line cannot carry. */
static char *spawn_args(char *const argv[], errno_t *rc)
{
	size_t len = 1;
	for (size_t i = 1; argv[i]; i++) {
		if (argv[i][0] == '\0' || strchr(argv[i], ' ') || strchr(argv[i], '\t')) {
			*rc = ENOTSUP;
			return NULL;
		}
		len += strlen(argv[i]) + 1;
	}
	char *line = malloc(len);
	if (!line) {
		*rc = ENOMEM;
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 1; argv[i]; i++) {
		size_t k = strlen(argv[i]);
		if (n > 0)
			line[n++] = ' ';
		memcpy(line + n, argv[i], k);
		n += k;
	}
	line[n] = '\0';
	return line;
}

/* Boot module argv[0] (no file of that name in /bin). */
static errno_t spawn_module(char *const argv[], const task_spawn_attr_t *attr, task_id_t *id)
{
	errno_t rc = EOK;
	char *args = spawn_args(argv, &rc);
	if (!args)
		return rc;
	rc = task_spawn_in_caps(argv[0], args, attr->fds, attr->cwd, attr->caps, attr->ncaps, id);
	free(args);
	return rc;
}

errno_t sh_spawn(
    char *const argv[], const int fds[3], const cap_handle_t *caps, size_t ncaps, task_id_t *id)
{
	char cwd[VFS_PATH_MAX + 1], path[VFS_PATH_MAX + 1];
	const char *dir = getcwd(cwd, sizeof(cwd)) ? cwd : NULL;
	task_spawn_attr_t attr = { .fds = fds, .cwd = dir, .caps = caps, .ncaps = ncaps };
	errno_t rc = spawn_path(argv[0], dir, path, sizeof(path));
	if (rc != EOK)
		return rc;
	rc = task_spawn_path(path, (const char *const *) argv, &attr, id);
	if (rc == ENOENT && !strchr(argv[0], '/'))
		rc = spawn_module(argv, &attr, id);
	return rc;
}
