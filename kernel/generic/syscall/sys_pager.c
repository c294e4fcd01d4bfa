/* System calls a pager makes about its objects (see abi/pager.h). */
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
