/*
 * Page faults and other exceptions from user space.
 *
 * A page fault at a user address is offered to the address space
 * (as_page_fault: the pager path later; nothing to do for wired areas).
 * Unresolved in user mode: the task is killed with a one-line report.
 * Unresolved in kernel mode (copy_from/to_uspace touching a bad address):
 * the handler declines and the exception table turns it into EFAULT.
 * A fault taken with interrupts disabled is never resolved here, because
 * resolving may sleep.  Any other exception in user mode (invalid opcode,
 * general protection, divide error, ...) also kills the task; a general
 * protection fault of an in/out on a port not granted names the port.
 */
#include <abi/task.h>
#include <arch/arch.h>
#include <arch/ddi.h>
#include <arch/fault.h>
#include <arch/interrupt.h>
#include <lib/printf_core.h>
#include <mm/as.h>
#include <proc/task.h>
#include <proc/thread.h>

static unsigned pf_access(uint64_t error)
{
	if (error & PF_FETCH)
		return FAULT_ACCESS_EXEC;
	return (error & PF_WRITE) ? FAULT_ACCESS_WRITE : FAULT_ACCESS_READ;
}

static bool fault_page(istate_t *is)
{
	uintptr_t addr = read_cr2();
	bool user = is->cs & 3;
	task_t *task = TASK;
	unsigned access = pf_access(is->error);
	if (user && addr >= USER_SPACE_END) {
		irq_enable();
		task_kill_fault(addr, access, false, is->rip, "unresolved page fault");
	}
	if (!task || addr >= USER_SPACE_END || !(is->rflags & RFLAGS_IF))
		return false;
	bool in_area = false;
	irq_enable(); /* resolving may sleep on the address-space lock */
	errno_t rc = as_page_fault(task->as, addr, access, &in_area);
	irq_disable();
	if (rc == EOK)
		return true;
	if (user) {
		char what[48];
		/* as_page_fault itself gives ENOENT only outside areas and EPERM
		 * for rights the area lacks; anything else inside an area came
		 * from (or is about) its pager */
		if (!in_area || rc == EPERM)
			ksnprintf(what, sizeof(what), "unresolved page fault");
		else if (errno_name(rc))
			ksnprintf(what, sizeof(what), "page fault: pager error %s", errno_name(rc));
		else
			ksnprintf(what, sizeof(what), "page fault: pager error %d", rc);
		task_kill_fault(addr, access, in_area, is->rip, what);
	}
	return false;
}

static const char *const user_exc_names[32] = {
	[0] = "divide error",
	[1] = "debug trap",
	[3] = "breakpoint",
	[4] = "overflow",
	[5] = "bound range exceeded",
	[6] = "invalid opcode",
	[7] = "FPU not available",
	[12] = "stack fault",
	[13] = "general protection fault",
	[16] = "x87 FPU error",
	[17] = "alignment check",
	[19] = "SIMD FPU error",
};

bool fault_user_exception(istate_t *is)
{
	if (!(is->cs & 3) || !TASK)
		return false;
	unsigned v = (unsigned) is->vector;
	const char *what = (v < 32 && user_exc_names[v]) ? user_exc_names[v] : "exception";
	irq_enable();
	task_kill_fault(is->rip, FAULT_ACCESS_EXEC, false, is->rip, what);
}

void fault_init(void)
{
	exc_register(EXC_PF, fault_page);
	/* An in/out on a port the task was not granted: a report naming it
	 * (arch/ddi.h); any other #GP goes on to fault_user_exception. */
	exc_register(EXC_GP, arch_io_fault);
}
