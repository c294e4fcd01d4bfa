/*
 * IRQ system calls (numbers in abi/syscall.h, contract in abi/ddi.h):
 * decode and check, then call ddi/irq.c; and the console's input
 * (console/kinput.h), read by a subscriber of the console's IRQ line.  The handle a subscription gets
 * is written back last; if a sibling thread unmapped the destination
 * meanwhile, the subscription is closed again, so a failed call leaves
 * nothing behind.
 */
#include <console/kinput.h>
#include <ddi/irq.h>
#include <ipc/method.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

sysarg_t sys_irq_subscribe(const sysargs_t *a)
{
	task_t *task = TASK;
	uspace_ptr_t out = uspace_ptr(a->a[4]);
	cap_handle_t h = CAP_NIL;
	if (a->a[0] > UINT32_MAX || a->a[1] > UINT32_MAX)
		return a->a[0] > UINT32_MAX ? ENOENT : EINVAL;
	/* Prove the destination first: a bad one fails before anything is made. */
	errno_t rc = copy_to_uspace(out, &h, sizeof(h));
	if (rc != EOK)
		return rc;
	rc = irq_subscribe(&task->caps, task->box, (cap_handle_t) a->a[0], (unsigned) a->a[1],
	    a->a[2], a->a[3], &h);
	if (rc != EOK)
		return rc;
	rc = copy_to_uspace(out, &h, sizeof(h));
	if (rc != EOK)
		irq_unsubscribe(&task->caps, h);
	return rc;
}

sysarg_t sys_irq_ack(const sysargs_t *a)
{
	if (a->a[0] > UINT32_MAX)
		return ENOENT;
	return irq_ack(&TASK->caps, (cap_handle_t) a->a[0]);
}

sysarg_t sys_irq_test_raise(const sysargs_t *a)
{
	if (!ipc_fail_inject_enabled)
		return ENOTSUP;
	if (a->a[0] > UINT32_MAX || a->a[1] == 0 || a->a[1] > 1000000)
		return a->a[0] > UINT32_MAX ? ENOENT : EINVAL;
	return irq_test_raise(&TASK->caps, (cap_handle_t) a->a[0], (unsigned) a->a[1]);
}

sysarg_t sys_kconsole_read(const sysargs_t *a)
{
	task_t *task = TASK;
	uspace_ptr_t out = uspace_ptr(a->a[3]);
	size_t n = 0;
	if (a->a[0] > UINT32_MAX)
		return ENOENT;
	errno_t rc = kinput_check_sub(&task->caps, (cap_handle_t) a->a[0]);
	if (rc != EOK)
		return rc;
	rc = copy_to_uspace(out, &n, sizeof(n));
	if (rc == EOK)
		rc = uspace_range_check(uspace_ptr(a->a[1]), a->a[2]);
	if (rc == EOK)
		rc = kinput_read_user(a->a[1], a->a[2], &n);
	if (rc == EOK)
		rc = copy_to_uspace(out, &n, sizeof(n));
	return rc;
}
