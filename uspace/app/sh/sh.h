/*
 * The shell (uspace/app/sh): what its files share.  sh.c reads lines (the
 * line editor on the console, or plain lines from a script), sh_run.c runs
 * the parsed commands (built-ins, programs, redirections, the foreground
 * wait with Ctrl-C), sh_spawn.c turns a command name into a running
 * program: the one place that knows where programs come from.
 */
#ifndef SH_H_
#define SH_H_

#include "sh_parse.h"
#include <abi/errno.h>
#include <abi/task.h>
#include <abi/vfs.h>
#include <stdbool.h>

/*
 * Start program @a argv[0] with the arguments argv[1..] (argv ends with
 * NULL), its descriptors 0, 1 and 2 being ours in @a fds (-1: the
 * console), in the shell's current directory; *id gets the new task.
 * ENOENT: no program of that name.  Today a program is the boot module of
 * that name (a name with a '/' is none), and its arguments travel as one
 * command line split at spaces, so an argument that is empty or holds a
 * space or a tab is refused with ENOTSUP.
 */
errno_t sh_spawn(char *const argv[], const int fds[3], task_id_t *id);

/* Run the commands of one parsed line; the status of the last one run
 * (0 success).  *quit is set when "exit" ran (with the status to end with). */
int sh_run_list(const sh_list_t *list, bool *quit);

#endif
