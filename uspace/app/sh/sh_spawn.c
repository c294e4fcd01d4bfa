/*
 * How the shell finds and starts a program (sh.h: sh_spawn).  Today every
 * program is a boot module: the name is the module's.  When programs come
 * from the file system this function alone changes (to /bin/NAME, and a
 * name with a '/' as a path).
 */
#include "sh.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <unistd.h>

/* The arguments argv[1..] as one command line, or NULL (*rc set). */
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

errno_t sh_spawn(
    char *const argv[], const int fds[3], const cap_handle_t *caps, size_t ncaps, task_id_t *id)
{
	errno_t rc = EOK;
	if (strchr(argv[0], '/'))
		return ENOENT; /* no programs by path yet */
	char *args = spawn_args(argv, &rc);
	if (!args)
		return rc;
	char cwd[VFS_PATH_MAX + 1];
	const char *dir = getcwd(cwd, sizeof(cwd)) ? cwd : NULL;
	rc = task_spawn_in_caps(argv[0], args, fds, dir, caps, ncaps, id);
	free(args);
	return rc;
}
