/*
 * kill PID...: end each task named (abi/task.h, "Task control").  A task
 * is ended by its parent (SYS_TASK_KILL) or by a task holding the right
 * to it (SYS_TASK_KILL_RIGHT).  Run from the shell, kill is the shell's
 * child, not the target's parent: the shell hands it the right to each
 * of its background jobs named on the command line ("fault loop &" then
 * "kill 14"), which kill finds among its handles (task_right_find).  Any
 * other task is refused with a message saying so.  kill returns once
 * the task has ended (its threads stopped, its memory freed: a zombie
 * until its parent waits for it), at most KILL_WAIT_MS later; its end is
 * reported by its parent (the shell says "[N] ... was killed").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>

#define KILL_WAIT_MS 2000
#define KILL_POLL_MS 10

/* The name of task @a id into @a buf ("?" if it is not listed). */
static void kill_name(task_id_t id, char *buf, size_t size)
{
	task_info_t *t;
	size_t n;
	snprintf(buf, size, "?");
	if (task_list_alloc(&t, &n) != EOK)
		return;
	for (size_t i = 0; i < n; i++) {
		if (t[i].id == id)
			snprintf(buf, size, "%s", t[i].name);
	}
	free(t);
}

/* Whether task @a id has ended (a zombie, or gone). */
static bool kill_ended(task_id_t id)
{
	task_info_t *t;
	size_t n;
	bool ended = true;
	if (task_list_alloc(&t, &n) != EOK)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i].id == id)
			ended = t[i].state == TASK_STATE_ZOMBIE;
	}
	free(t);
	return ended;
}

static errno_t kill_one(task_id_t id)
{
	cap_handle_t right;
	errno_t rc = task_kill(id); /* as its parent */
	if (rc == EPERM && task_right_find(id, &right) == EOK)
		rc = task_kill_right(right);
	return rc;
}

/* Say why task @a arg could not be ended. */
static void kill_refused(const char *arg, task_id_t id, errno_t rc)
{
	char name[TASK_NAME_MAX];
	if (rc == ENOENT) {
		fprintf(stderr, "kill: %s: no such task\n", arg);
		return;
	}
	if (rc == EINVAL) {
		fprintf(stderr, "kill: %s: that is kill itself\n", arg);
		return;
	}
	kill_name(id, name, sizeof(name));
	if (rc == EPERM)
		fprintf(stderr,
		    "kill: %s (%s): not permitted: only its parent or a holder of the right "
		    "to it may end a task (the shell gives kill the right to its background "
		    "jobs)\n",
		    arg, name);
	else
		fprintf(stderr, "kill: %s (%s): %s\n", arg, name, str_error(rc));
}

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: kill PID...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		unsigned long id = strtoul(argv[i], &end, 10);
		if (*end != '\0' || end == argv[i] || id == 0) {
			fprintf(stderr, "kill: %s: not a task id\n", argv[i]);
			status = 2;
			continue;
		}
		errno_t rc = kill_one((task_id_t) id);
		if (rc != EOK) {
			kill_refused(argv[i], (task_id_t) id, rc);
			status = 1;
			continue;
		}
		int waited = 0;
		while (!kill_ended((task_id_t) id) && waited < KILL_WAIT_MS) {
			thread_sleep_us(KILL_POLL_MS * 1000);
			waited += KILL_POLL_MS;
		}
		if (waited >= KILL_WAIT_MS)
			fprintf(stderr, "kill: %s: asked to end; still ending after %d ms\n",
			    argv[i], KILL_WAIT_MS);
	}
	return status;
}
