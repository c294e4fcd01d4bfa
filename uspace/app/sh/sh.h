/*
 * The shell (uspace/app/sh): what its files share.  sh.c reads lines (the
 * line editor on the console, or plain lines from a script), sh_run.c runs
 * the parsed commands (built-ins, programs, redirections, the foreground
 * wait with Ctrl-C), sh_spawn.c turns a command name into a running
 * program: the one place that knows where programs come from; sh_jobs.c
 * keeps the background jobs and the rights to them programs get.
 */
#ifndef SH_H_
#define SH_H_

#include "sh_parse.h"
#include <abi/errno.h>
#include <abi/task.h>
#include <abi/vfs.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * Start program @a argv[0] with the arguments argv[1..] (argv ends with
 * NULL), its descriptors 0, 1 and 2 being ours in @a fds (-1: the
 * console), in the shell's current directory, with new handles to the
 * objects of @a caps[0..ncaps) at its handles 1..ncaps; *id gets the new
 * task.
 * ENOENT: no program of that name.  Today a program is the boot module of
 * that name (a name with a '/' is none), and its arguments travel as one
 * command line split at spaces, so an argument that is empty or holds a
 * space or a tab is refused with ENOTSUP.
 */
errno_t sh_spawn(
    char *const argv[], const int fds[3], const cap_handle_t *caps, size_t ncaps, task_id_t *id);

/* Run the commands of one parsed line; the status of the last one run
 * (0 success).  *quit is set when "exit" ran (with the status to end with). */
int sh_run_list(const sh_list_t *list, bool *quit);

/*
 * Background jobs (sh_jobs.c): at most SH_JOBS_MAX at once, numbered
 * 1..SH_JOBS_MAX by their slot.
 */
#define SH_JOBS_MAX 8
/* No room for another job. */
bool sh_jobs_full(void);
/* Watch task @a id, a child just started as a job: its number, or 0 if
 * it cannot be watched (the table is full, no thread). */
int sh_job_add(task_id_t id, const char *name);
/* Say which jobs ended (before a prompt); their numbers are free again. */
void sh_jobs_report(void);
/* The running jobs, one line each ("jobs"). */
void sh_jobs_list(FILE *out);
/* The rights to the running jobs whose task ids are among argv[1..], as
 * new handles in @a caps (at most @a max): how many. */
size_t sh_job_rights(char *const argv[], cap_handle_t *caps, size_t max);
/* Drop the handles sh_job_rights made (the program has its own). */
void sh_job_rights_drop(const cap_handle_t *caps, size_t n);
/* End every job and wait for it (the shell is ending: nobody would
 * wait for them, or stop them, any more). */
void sh_jobs_end(void);

#endif
