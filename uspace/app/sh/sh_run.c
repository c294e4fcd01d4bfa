/*
 * Running a parsed line (sh.h: sh_run_list): ";", "&&" and "&", the
 * built-ins cd, pwd, exit, jobs and help, and programs: the redirections
 * are opened and handed to the program as its 0, 1 and 2 (sh_spawn), with
 * the rights to the jobs its arguments name (sh_jobs.c); the shell waits
 * for it in the foreground, and says how it ended when it did not exit:
 * its end report (a fault's reason) or that Ctrl-C killed it.  A program
 * ended by "&" becomes a job instead (sh_jobs.c), and the line goes on.
 *
 * Ctrl-C: while a program runs a second thread waits for its end
 * (task_wait) and the shell's own thread asks the console for a Ctrl-C
 * (console_intr_wait, polled so that the end is noticed soon); a Ctrl-C
 * kills the program (task_kill) and abandons the rest of the line.
 */
#include "sh.h"
#include <console.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>

#define SH_INTR_POLL_MS 20
/* The status of a command that could not run, or did not exit. */
#define SH_STATUS_FAIL 1
#define SH_STATUS_NOT_FOUND 127
#define SH_STATUS_KILLED 130

/* Set when Ctrl-C ended a program: the rest of the line is not run. */
static bool sh_interrupted;

/* ---- redirections ---- */

/* Open the command's redirections: fds[0] and fds[1] (or -1); 0, or -1
 * after saying why (nothing left open). */
static int run_redirect_open(const sh_cmd_t *c, int fds[3])
{
	fds[0] = fds[1] = fds[2] = -1;
	if (c->in && (fds[0] = open(c->in, O_RDONLY)) < 0) {
		fprintf(stderr, "sh: %s: %s\n", c->in, strerror(errno));
		return -1;
	}
	if (c->out) {
		int flags = O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC);
		fds[1] = open(c->out, flags, 0666);
		if (fds[1] < 0) {
			fprintf(stderr, "sh: %s: %s\n", c->out, strerror(errno));
			if (fds[0] >= 0)
				close(fds[0]);
			return -1;
		}
	}
	return 0;
}

static void run_redirect_close(const int fds[3])
{
	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

/* ---- built-ins ---- */

static int builtin_cd(const sh_cmd_t *c, FILE *out)
{
	(void) out;
	const char *dir = c->argc > 1 ? c->argv[1] : "/";
	if (c->argc > 2) {
		fprintf(stderr, "sh: cd: too many arguments\n");
		return SH_STATUS_FAIL;
	}
	if (chdir(dir) != 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return SH_STATUS_FAIL;
	}
	return 0;
}

static int builtin_pwd(const sh_cmd_t *c, FILE *out)
{
	(void) c;
	char cwd[VFS_PATH_MAX + 1];
	if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
		return SH_STATUS_FAIL;
	}
	fprintf(out, "%s\n", cwd);
	return 0;
}

/* export NAME=VALUE...: into the environment every program started from
 * now on gets; export alone lists it. */
static int builtin_export(const sh_cmd_t *c, FILE *out)
{
	int rc = 0;
	if (c->argc == 1) {
		for (char **e = environ; *e; e++)
			fprintf(out, "%s\n", *e);
		return 0;
	}
	for (size_t i = 1; i < c->argc; i++) {
		char *eq = strchr(c->argv[i], '=');
		if (!eq || eq == c->argv[i]) {
			fprintf(stderr, "sh: export: %s: not NAME=VALUE\n", c->argv[i]);
			rc = SH_STATUS_FAIL;
			continue;
		}
		*eq = '\0';
		if (setenv(c->argv[i], eq + 1, 1) != 0) {
			fprintf(stderr, "sh: export: %s: %s\n", c->argv[i], strerror(errno));
			rc = SH_STATUS_FAIL;
		}
		*eq = '=';
	}
	return rc;
}

/* unset NAME...: out of the environment. */
static int builtin_unset(const sh_cmd_t *c, FILE *out)
{
	(void) out;
	for (size_t i = 1; i < c->argc; i++)
		(void) unsetenv(c->argv[i]);
	return 0;
}

static int builtin_jobs(const sh_cmd_t *c, FILE *out)
{
	(void) c;
	sh_jobs_list(out);
	return 0;
}

static int builtin_help(const sh_cmd_t *c, FILE *out)
{
	(void) c;
	fprintf(out,
	    "Built-ins: cd [DIR], pwd, exit [STATUS], jobs, export [NAME=VALUE...],\n"
	    "  unset NAME..., help.\n"
	    "Programs (/bin): echo, cat, ls [-l], mkdir [-p], rm [-r], cp, mv, hexdump,\n"
	    "  hello, env, fault, mem, ps, kill PID, areas [PID], pagers, devices, sync,\n"
	    "  true, poweroff, tester [TEST...] (and any other program by its name or path).\n"
	    "Lines: words, 'quotes', \"quotes\", \\x; CMD > FILE, >> FILE, < FILE;\n"
	    "  A ; B (both), A && B (B if A succeeded), A & (A in the background);\n"
	    "  # comment.  A program gets the right to end and look into each job\n"
	    "  whose task id is among its arguments (kill 14, areas 14).\n"
	    "Keys: Backspace, Ctrl-U (erase line), Ctrl-C (abandon the line, or\n"
	    "  stop the program running), Ctrl-D (end, at an empty line), Up/Down\n"
	    "  (history).\n");
	return 0;
}

typedef struct sh_builtin {
	const char *name;
	int (*fn)(const sh_cmd_t *c, FILE *out);
} sh_builtin_t;

static const sh_builtin_t sh_builtins[] = {
	{ "cd", builtin_cd },
	{ "pwd", builtin_pwd },
	{ "jobs", builtin_jobs },
	{ "export", builtin_export },
	{ "unset", builtin_unset },
	{ "help", builtin_help },
};

static const sh_builtin_t *builtin_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sh_builtins) / sizeof(sh_builtins[0]); i++) {
		if (strcmp(sh_builtins[i].name, name) == 0)
			return &sh_builtins[i];
	}
	return NULL;
}

/* A built-in, its output to the redirection's file if there is one. */
static int run_builtin(const sh_builtin_t *b, const sh_cmd_t *c)
{
	int fds[3];
	if (run_redirect_open(c, fds) != 0)
		return SH_STATUS_FAIL;
	FILE *out = stdout;
	if (fds[1] >= 0 && !(out = fdopen(fds[1], "w"))) {
		fprintf(stderr, "sh: %s: %s\n", c->out, strerror(errno));
		run_redirect_close(fds);
		return SH_STATUS_FAIL;
	}
	int status = b->fn(c, out);
	if (out != stdout) {
		fclose(out); /* closes fds[1] */
		fds[1] = -1;
	} else {
		fflush(stdout);
	}
	run_redirect_close(fds);
	return status;
}

/* ---- programs ---- */

typedef struct sh_fg {
	task_id_t id;
	task_exit_info_t info;
	errno_t rc;
	int done; /* atomic */
} sh_fg_t;

static int fg_waiter(void *arg)
{
	sh_fg_t *fg = arg;
	fg->rc = task_wait(fg->id, &fg->info);
	__atomic_store_n(&fg->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Wait for the foreground program, killing it at a Ctrl-C: whether it
 * was killed so. */
static bool fg_wait(sh_fg_t *fg)
{
	tid_t tid;
	bool killed = false;
	if (thread_create(fg_waiter, fg, &tid) != EOK) {
		fg_waiter(fg); /* no Ctrl-C then */
		return false;
	}
	while (!__atomic_load_n(&fg->done, __ATOMIC_ACQUIRE)) {
		errno_t rc = console_intr_wait(SH_INTR_POLL_MS);
		if (rc == EOK && !killed) {
			task_kill(fg->id);
			killed = true;
		} else if (rc != EOK && rc != ETIMEOUT) {
			break; /* no console: just wait */
		}
	}
	thread_join(tid, NULL);
	return killed;
}

/* How a program ended, as a status; said when it did not exit. */
static int fg_report(const sh_cmd_t *c, const sh_fg_t *fg, bool killed)
{
	if (fg->rc != EOK) {
		fprintf(stderr, "sh: %s: cannot wait for task %llu: %s\n", c->argv[0],
		    (unsigned long long) fg->id, str_error(fg->rc));
		return SH_STATUS_FAIL;
	}
	if (fg->info.reason == TASK_EXIT_NORMAL)
		return fg->info.status;
	if (killed) {
		printf("sh: %s (task %llu) stopped by Ctrl-C\n", c->argv[0],
		    (unsigned long long) fg->id);
		return SH_STATUS_KILLED;
	}
	printf("sh: %s (task %llu) %s: %s\n", c->argv[0], (unsigned long long) fg->id,
	    fg->info.reason == TASK_EXIT_FAULT ? "faulted" : "was killed",
	    fg->info.message[0] ? fg->info.message : "(no report)");
	return SH_STATUS_FAIL;
}

/* Start the program of @a c (with its redirections and the rights to the
 * jobs it names): 0 and *id, or a status after saying why not. */
static int run_start(const sh_cmd_t *c, task_id_t *id)
{
	int fds[3];
	cap_handle_t caps[TASK_SPAWN_CAPS_MAX];
	if (run_redirect_open(c, fds) != 0)
		return SH_STATUS_FAIL;
	fflush(stdout);
	size_t ncaps = sh_job_rights(c->argv, caps, TASK_SPAWN_CAPS_MAX);
	errno_t rc = sh_spawn(c->argv, fds, caps, ncaps, id);
	sh_job_rights_drop(caps, ncaps);
	run_redirect_close(fds); /* the child has its own now */
	if (rc == ENOENT) {
		fprintf(stderr, "sh: %s: no such command (try help)\n", c->argv[0]);
		return SH_STATUS_NOT_FOUND;
	}
	if (rc == ENOTSUP) {
		fprintf(stderr,
		    "sh: %s: an empty argument or one with a space cannot be "
		    "passed to a program yet\n",
		    c->argv[0]);
		return SH_STATUS_FAIL;
	}
	if (rc != EOK) {
		fprintf(stderr, "sh: %s: cannot start: %s\n", c->argv[0], str_error(rc));
		return SH_STATUS_FAIL;
	}
	return 0;
}

/* "CMD &": started and left running as a job. */
static int run_background(const sh_cmd_t *c)
{
	task_id_t id;
	task_exit_info_t info;
	if (sh_jobs_full()) {
		fprintf(
		    stderr, "sh: %s: %d jobs run already (see jobs)\n", c->argv[0], SH_JOBS_MAX);
		return SH_STATUS_FAIL;
	}
	int status = run_start(c, &id);
	if (status != 0)
		return status;
	int n = sh_job_add(id, c->argv[0]);
	if (n == 0) { /* it cannot be watched: it cannot run unwatched */
		fprintf(stderr, "sh: %s: cannot watch it as a job; stopped\n", c->argv[0]);
		task_kill(id);
		task_wait(id, &info);
		return SH_STATUS_FAIL;
	}
	printf("[%d] %s (task %llu)\n", n, c->argv[0], (unsigned long long) id);
	return 0;
}

static int run_program(const sh_cmd_t *c)
{
	sh_fg_t fg = { 0 };
	if (c->background)
		return run_background(c);
	int status = run_start(c, &fg.id);
	if (status != 0)
		return status;
	bool killed = fg_wait(&fg);
	if (killed)
		sh_interrupted = true;
	return fg_report(c, &fg, killed);
}

/* ---- the line ---- */

static int run_exit_status(const sh_cmd_t *c, int last)
{
	if (c->argc < 2)
		return last;
	char *end;
	long v = strtol(c->argv[1], &end, 10);
	if (*end != '\0' || end == c->argv[1]) {
		fprintf(stderr, "sh: exit: %s: not a number\n", c->argv[1]);
		return SH_STATUS_FAIL;
	}
	return (int) v;
}

int sh_run_list(const sh_list_t *list, bool *quit)
{
	int status = 0;
	bool skip = false;
	sh_interrupted = false;
	for (size_t i = 0; i < list->n && !sh_interrupted; i++) {
		const sh_cmd_t *c = &list->cmds[i];
		if (!skip) {
			const sh_builtin_t *b = builtin_find(c->argv[0]);
			if (strcmp(c->argv[0], "exit") == 0) {
				*quit = true;
				return run_exit_status(c, status);
			}
			if (b && c->background) {
				fprintf(stderr, "sh: %s: a built-in cannot run in the background\n",
				    c->argv[0]);
				status = SH_STATUS_FAIL;
			} else {
				status = b ? run_builtin(b, c) : run_program(c);
			}
		}
		skip = c->link == SH_LINK_AND ? (skip || status != 0) : false;
	}
	return status;
}
