/*
 * System calls on capability handles of any kind (abi/ddi.h,
 * docs/drivers.md "Capabilities"): what a handle names, a part of a range,
 * and closing a handle; and using an I/O-port range ("I/O ports").
 */
#include <abi/ddi.h>
#include <cap/cap.h>
#include <ddi/caps.h>
#include <ddi/ioport.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

/* SYS_CAP_INFO(cap_handle_t h, cap_info_t *out) */
sysarg_t sys_cap_info(const sysargs_t *a)
{
	cap_info_t info;
	errno_t rc = cap_info(&TASK->caps, sys_handle(a->a[0]), &info);
	if (rc != EOK)
		return rc;
	return copy_to_uspace(uspace_ptr(a->a[1]), &info, sizeof(info));
}

/* SYS_CAP_DERIVE(cap_handle_t h, uint64_t base, uint64_t size, cap_handle_t *out) */
sysarg_t sys_cap_derive(const sysargs_t *a)
{
	uspace_ptr_t out = uspace_ptr(a->a[3]);
	cap_handle_t h;
	/* Prove the out pointer writable first (writing back what is there:
	 * a refusal leaves it as it was): a bad one changes nothing. */
	errno_t rc = copy_from_uspace(&h, out, sizeof(h));
	if (rc == EOK)
		rc = copy_to_uspace(out, &h, sizeof(h));
	if (rc != EOK)
		return rc;
	cap_table_t *caps = &TASK->caps;
	rc = ddi_range_derive(caps, sys_handle(a->a[0]), a->a[1], a->a[2], &h);
	if (rc != EOK)
		return rc;
	rc = copy_to_uspace(out, &h, sizeof(h));
	if (rc != EOK) /* a sibling unmapped it meanwhile: take the handle back */
		(void) cap_drop(caps, h);
	return rc;
}

/* SYS_CAP_DROP(cap_handle_t h) */
sysarg_t sys_cap_drop(const sysargs_t *a)
{
	return cap_drop(&TASK->caps, sys_handle(a->a[0]));
}

/* SYS_IOPORT_ENABLE(cap_handle_t io_range) */
sysarg_t sys_ioport_enable(const sysargs_t *a)
{
	return ddi_ioport_enable(TASK, sys_handle(a->a[0]));
}
