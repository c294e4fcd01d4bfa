/*
 * SYS_TASK_EXEC: a task becomes the program its loader laid out in it
 * (abi/task.h; the loader is uspace/srv/loader, docs/loader.md).
 *
 * The handler copies the spec in and fills a task_exec_plan_t;
 * task_exec_check() refuses a plan that could not be carried out whole
 * (nothing changes then), task_exec_commit() carries it out and cannot
 * fail: it destroys the areas and drops the handles the plan does not
 * keep and renames the task.  The caller then points its own saved user
 * registers at the new program (the syscall frame is the arch's).
 */
#ifndef KERN_PROC_EXEC_H_
#define KERN_PROC_EXEC_H_

#include <abi/cap.h>
#include <abi/errno.h>
#include <abi/task.h>
#include <stddef.h>
#include <stdint.h>

struct task;

typedef struct task_exec_plan {
	uintptr_t entry, stack_top, arg;
	uintptr_t keep[TASK_EXEC_KEEP_MAX];
	size_t nkeep;
	/* the handles kept: IPC_PHONE_NS first, then the spec's */
	cap_handle_t keep_caps[TASK_EXEC_KEEP_MAX + 1];
	size_t nkeep_caps;
	char name[TASK_NAME_MAX];
} task_exec_plan_t;

/* EBUSY (another thread), EINVAL (abi/task.h, SYS_TASK_EXEC). */
errno_t task_exec_check(struct task *task, const task_exec_plan_t *p);
/* Destroy the areas and drop the handles @a p does not keep; rename. */
void task_exec_commit(struct task *task, const task_exec_plan_t *p);

#endif
