/* System calls a pager makes about its objects and its role (see
 * abi/pager.h). */
#include <ipc/ipc.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

sysarg_t sys_pager_revoke(const sysargs_t *a)
{
	return pager_revoke(TASK->box, a->a[0], a->a[1], a->a[2]);
}

sysarg_t sys_pager_set_size(const sysargs_t *a)
{
	return pager_set_size(TASK->box, a->a[0], a->a[1]);
}

sysarg_t sys_pager_write_protect(const sysargs_t *a)
{
	return pager_write_protect(TASK->box, a->a[0], a->a[1], a->a[2]);
}

sysarg_t sys_pager_bound(const sysargs_t *a)
{
	return pager_bound(TASK->box, a->a[0], a->a[1]);
}

/* A role number beyond the table is no role: refused, never truncated. */
static unsigned sys_pager_role(sysarg_t v)
{
	return v < PAGER_ROLE_COUNT ? (unsigned) v : PAGER_ROLE_COUNT;
}

sysarg_t sys_pager_register(const sysargs_t *a)
{
	return pager_role_register(TASK, sys_pager_role(a->a[0]));
}

sysarg_t sys_pager_successor(const sysargs_t *a)
{
	return pager_role_successor(TASK, sys_pager_role(a->a[0]), (task_id_t) a->a[1]);
}

sysarg_t sys_pager_low_memory_test(const sysargs_t *a)
{
	return pager_low_memory_test(sys_pager_role(a->a[0]));
}
