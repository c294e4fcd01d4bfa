/* System calls a pager makes about its objects (see abi/pager.h). */
#include <mm/pager.h>
#include <syscall/syscall.h>

sysarg_t sys_pager_revoke(const sysargs_t *a)
{
	return pager_revoke(a->a[0], a->a[1], a->a[2]);
}

sysarg_t sys_pager_set_size(const sysargs_t *a)
{
	return pager_set_size(a->a[0], a->a[1]);
}
