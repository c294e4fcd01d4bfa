/*
 * Background jobs (sh.h): "CMD &" starts a program and the shell goes on.
 * Each job has a thread of its own blocked in task_wait() for it; before
 * each prompt the shell reports the jobs that ended, as "[N] NAME (task
 * ID) ..." with how they ended.  A job whose task is a zombie already is
 * reported at the next prompt for sure (its waiter is joined, and returns
 * at once), so "kill 14" is followed by the job's report.
 *
 * Rights: a program the shell starts gets the right to each running job
 * whose task id is one of its arguments (abi/task.h, "Task control"), at
 * its handles 1, 2, ...: "kill 14" can end job 14 and "areas 14" can read
 * its areas, although they are the shell's children and not the job's
 * parent.  Nothing else gets a right: a program without such an argument
 * holds none, and a task that is not a job of this shell cannot be named
 * into one.  The shell drops its own copies once the program started.
 *
 * The jobs' table belongs to the shell's main thread; a waiter only
 * fills in its own job's end and sets done (atomic) last.
 */
#include "sh.h"
#include <cap.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>

typedef struct sh_job {
	bool used;
	task_id_t id;
	char name[TASK_NAME_MAX];
	tid_t waiter;
	task_exit_info_t info; /* the waiter's, before done */
	errno_t rc; /* the waiter's, before done */
	int done; /* atomic: the waiter has returned */
} sh_job_t;

static sh_job_t sh_jobs[SH_JOBS_MAX];

static int job_waiter(void *arg)
{
	sh_job_t *j = arg;
	j->rc = task_wait(j->id, &j->info);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return 0;
}

bool sh_jobs_full(void)
{
	for (size_t i = 0; i < SH_JOBS_MAX; i++) {
		if (!sh_jobs[i].used)
			return false;
	}
	return true;
}

int sh_job_add(task_id_t id, const char *name)
{
	for (size_t i = 0; i < SH_JOBS_MAX; i++) {
		sh_job_t *j = &sh_jobs[i];
		if (j->used)
			continue;
		*j = (sh_job_t){ .used = true, .id = id };
		snprintf(j->name, sizeof(j->name), "%s", name);
		if (thread_create(job_waiter, j, &j->waiter) != EOK) {
			j->used = false;
			return 0;
		}
		return (int) i + 1;
	}
	return 0;
}

/* Join job @a j's waiter and say how the job ended; the slot is free. */
static void job_finish(sh_job_t *j)
{
	thread_join(j->waiter, NULL);
	int n = (int) (j - sh_jobs) + 1;
	unsigned long long id = (unsigned long long) j->id;
	if (j->rc != EOK)
		printf("[%d] %s (task %llu): cannot wait for it: %s\n", n, j->name, id,
		    str_error(j->rc));
	else if (j->info.reason == TASK_EXIT_NORMAL)
		printf("[%d] %s (task %llu) done, status %d\n", n, j->name, id, j->info.status);
	else
		printf("[%d] %s (task %llu) %s: %s\n", n, j->name, id,
		    j->info.reason == TASK_EXIT_FAULT ? "faulted" : "was killed",
		    j->info.message[0] ? j->info.message : "(no report)");
	j->used = false;
}

/* Whether task @a id is a zombie or gone in @a t[0..n). */
static bool job_task_ended(const task_info_t *t, size_t n, task_id_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].id == id)
			return t[i].state == TASK_STATE_ZOMBIE;
	}
	return true;
}

void sh_jobs_report(void)
{
	task_info_t *t = NULL;
	size_t n = 0;
	for (size_t i = 0; i < SH_JOBS_MAX; i++) {
		sh_job_t *j = &sh_jobs[i];
		if (!j->used)
			continue;
		if (!__atomic_load_n(&j->done, __ATOMIC_ACQUIRE) && !t &&
		    task_list_alloc(&t, &n) != EOK)
			continue;
		if (__atomic_load_n(&j->done, __ATOMIC_ACQUIRE) || job_task_ended(t, n, j->id))
			job_finish(j);
	}
	free(t);
	fflush(stdout);
}

void sh_jobs_list(FILE *out)
{
	for (size_t i = 0; i < SH_JOBS_MAX; i++) {
		if (sh_jobs[i].used && !__atomic_load_n(&sh_jobs[i].done, __ATOMIC_ACQUIRE))
			fprintf(out, "[%zu] %s (task %llu) running\n", i + 1, sh_jobs[i].name,
			    (unsigned long long) sh_jobs[i].id);
	}
}

/* The running job whose task id @a word names, or NULL. */
static sh_job_t *job_named(const char *word)
{
	char *end;
	unsigned long id = strtoul(word, &end, 10);
	if (*end != '\0' || end == word)
		return NULL;
	for (size_t i = 0; i < SH_JOBS_MAX; i++) {
		if (sh_jobs[i].used && sh_jobs[i].id == id)
			return &sh_jobs[i];
	}
	return NULL;
}

size_t sh_job_rights(char *const argv[], cap_handle_t *caps, size_t max)
{
	size_t n = 0;
	bool given[SH_JOBS_MAX] = { false };
	for (size_t i = 1; argv[i] && n < max; i++) {
		sh_job_t *j = job_named(argv[i]);
		if (!j || given[j - sh_jobs])
			continue;
		given[j - sh_jobs] = true;
		if (task_right(j->id, &caps[n]) == EOK)
			n++;
	}
	return n;
}

void sh_job_rights_drop(const cap_handle_t *caps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cap_drop(caps[i]);
}

void sh_jobs_end(void)
{
	for (size_t i = 0; i < SH_JOBS_MAX; i++) {
		if (sh_jobs[i].used) {
			task_kill(sh_jobs[i].id);
			job_finish(&sh_jobs[i]);
		}
	}
	fflush(stdout);
}
