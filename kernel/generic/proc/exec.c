/*
 * SYS_TASK_EXEC's checks and its irreversible part (proc/exec.h).
 *
 * Why the kernel has this call at all: the loader of programs from files
 * runs inside the task it loads (the kernel starts it from a boot module
 * and it maps the program's segments through the file pager with the
 * ordinary calls, as any task maps a file).  What it cannot do with them
 * is remove itself: its code would be gone under its feet.  So its last
 * step is this call, which drops everything of the loader (areas,
 * connections) in one go and enters the program.  Rejected: a loader in
 * another task building the child through cross-task area calls (every
 * area call and the file pager's grants would need a "for that task"
 * form), and leaving the loader mapped (a few hundred KiB of dead areas
 * in every program, and its phones open).
 *
 * Locks: task_t.lock for the thread count; the address space's and the
 * table's own locks inside as_area_query/as_areas_destroy_except and
 * cap_info/cap_table_close_except; tasks_lock (in task_rename) for the
 * name.  None is held across another.
 */
#include <abi/as.h>
#include <abi/ipc.h>
#include <cap/cap.h>
#include <debug.h>
#include <mm/as.h>
#include <proc/exec.h>
#include <proc/task.h>
#include <synch/mutex.h>

static bool exec_base_kept(const task_exec_plan_t *p, uintptr_t base)
{
	for (size_t i = 0; i < p->nkeep; i++)
		if (p->keep[i] == base)
			return true;
	return false;
}

/* @a addr lies in a kept area that has all of @a rights. */
static bool exec_addr_in_kept(
    task_t *task, const task_exec_plan_t *p, uintptr_t addr, unsigned rights)
{
	as_area_info_t info;
	if (as_area_query(task->as, addr, &info) != EOK)
		return false;
	return exec_base_kept(p, info.base) && (info.flags & rights) == rights;
}

static errno_t exec_check_memory(task_t *task, const task_exec_plan_t *p)
{
	for (size_t i = 0; i < p->nkeep; i++) {
		as_area_info_t info;
		if (as_area_query(task->as, p->keep[i], &info) != EOK || info.base != p->keep[i])
			return EINVAL;
	}
	if (!exec_addr_in_kept(task, p, p->entry, AS_AREA_EXEC))
		return EINVAL;
	if (p->stack_top % 16 != 0 || p->stack_top < 16 ||
	    !exec_addr_in_kept(task, p, p->stack_top - 16, AS_AREA_READ | AS_AREA_WRITE))
		return EINVAL;
	return EOK;
}

errno_t task_exec_check(task_t *task, const task_exec_plan_t *p)
{
	mutex_lock(&task->lock);
	bool alone = task->thread_count == 1;
	mutex_unlock(&task->lock);
	if (!alone)
		return EBUSY;
	if (p->name[0] == '\0')
		return EINVAL;
	for (size_t i = 0; i < p->nkeep_caps; i++) {
		cap_info_t info;
		if (cap_info(&task->caps, p->keep_caps[i], &info) != EOK)
			return EINVAL;
	}
	return exec_check_memory(task, p);
}

void task_exec_commit(task_t *task, const task_exec_plan_t *p)
{
	as_areas_destroy_except(task->as, p->keep, p->nkeep);
	cap_table_close_except(&task->caps, p->keep_caps, p->nkeep_caps);
	task_rename(task, p->name);
	task_mark_execed(task);
}
