/*
 * Interrupt and exception dispatch (see arch/interrupt.h for the order in
 * which an exception is resolved).
 *
 * The recovery state is per CPU; one CPU runs now, so it is a plain static.
 * Nothing here takes a lock except through printf.  An IRQ line with a
 * kernel handler (irq_register) goes to it; any other line goes to its
 * user-space subscribers (ddi/irq.c), which masks it until they
 * acknowledge, before the EOI.
 */
#include <arch/arch.h>
#include <arch/fault.h>
#include <arch/interrupt.h>
#include <arch/pic.h>
#include <console/console.h>
#include <ddi/irq.h>
#include <proc/scheduler.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <stddef.h>

typedef struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
} extable_entry_t;

extern const extable_entry_t extable_start[], extable_end[];

static exc_handler_t exc_handlers[32];
static irq_handler_t irq_handlers[IRQ_COUNT];

static kjmp_buf_t *recovery_jb;
static unsigned recovery_vector;
static exc_info_t recovered_info;
static unsigned long recovered_count;

static const char *const exc_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved",
	"x87 FP error",
	"alignment check",
	"machine check",
	"SIMD FP error",
	"virtualization",
	"control protection",
};

void exc_register(unsigned vector, exc_handler_t handler)
{
	if (vector < 32)
		exc_handlers[vector] = handler;
}

void irq_register(unsigned irq, irq_handler_t handler)
{
	if (irq < IRQ_COUNT)
		irq_handlers[irq] = handler;
}

bool irq_line_kernel_owned(unsigned irq)
{
	return irq >= IRQ_COUNT || irq == IRQ_CASCADE || irq_handlers[irq] != NULL;
}

void exc_recovery_arm(kjmp_buf_t *jb, unsigned vector)
{
	recovery_vector = vector;
	recovery_jb = jb;
}

void exc_recovery_disarm(void)
{
	recovery_jb = NULL;
}

const exc_info_t *exc_last_recovered(void)
{
	return &recovered_info;
}

unsigned long exc_recovered_count(void)
{
	return recovered_count;
}

static void exc_note_recovered(const istate_t *is)
{
	recovered_info.vector = (unsigned) is->vector;
	recovered_info.error = is->error;
	recovered_info.rip = is->rip;
	recovered_info.cr2 = is->vector == EXC_PF ? read_cr2() : 0;
	recovered_count++;
}

/* Only faults of the memory access itself may take an .extable fixup; an
 * NMI or machine check that happens to hit a probe must not. */
static bool exc_fixup_vector(unsigned v)
{
	return v == EXC_PF || v == EXC_GP || v == EXC_SS;
}

static bool exc_try_extable(istate_t *is)
{
	for (const extable_entry_t *e = extable_start; e < extable_end; e++) {
		if (e->insn == is->rip) {
			exc_note_recovered(is);
			is->rip = e->fixup;
			return true;
		}
	}
	return false;
}

static bool exc_try_recovery(istate_t *is)
{
	kjmp_buf_t *jb = recovery_jb;
	if (!jb || recovery_vector != is->vector)
		return false;
	recovery_jb = NULL;
	exc_note_recovered(is);
	is->rbx = jb->rbx;
	is->rbp = jb->rbp;
	is->r12 = jb->r12;
	is->r13 = jb->r13;
	is->r14 = jb->r14;
	is->r15 = jb->r15;
	is->rsp = jb->rsp;
	is->rip = jb->rip;
	is->rax = 1;
	return true;
}

void istate_print(const istate_t *is)
{
	printf("  rip=%#018llx cs=%#llx rflags=%#llx rsp=%#018llx ss=%#llx\n",
	    (unsigned long long) is->rip, (unsigned long long) is->cs,
	    (unsigned long long) is->rflags, (unsigned long long) is->rsp,
	    (unsigned long long) is->ss);
	printf("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n", (unsigned long long) is->rax,
	    (unsigned long long) is->rbx, (unsigned long long) is->rcx,
	    (unsigned long long) is->rdx);
	printf("  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n", (unsigned long long) is->rsi,
	    (unsigned long long) is->rdi, (unsigned long long) is->rbp,
	    (unsigned long long) is->r8);
	printf("  r9 =%016llx r10=%016llx r11=%016llx r12=%016llx\n", (unsigned long long) is->r9,
	    (unsigned long long) is->r10, (unsigned long long) is->r11,
	    (unsigned long long) is->r12);
	printf("  r13=%016llx r14=%016llx r15=%016llx\n", (unsigned long long) is->r13,
	    (unsigned long long) is->r14, (unsigned long long) is->r15);
}

static void exc_fatal(istate_t *is)
{
	unsigned v = (unsigned) is->vector;
	const char *name = exc_names[v] ? exc_names[v] : "reserved";

	console_force_unlock();
	printf("\n*** unexpected exception %u (%s), error code %#llx, in %s mode\n", v, name,
	    (unsigned long long) is->error, (is->cs & 3) ? "user" : "kernel");
	printf("  cr2=%#018llx cr3=%#018llx\n", (unsigned long long) read_cr2(),
	    (unsigned long long) read_cr3());
	istate_print(is);
	printf("  backtrace:\n    %#018llx\n", (unsigned long long) is->rip);
	arch_backtrace_print(is->rbp);
	arch_poweroff(ARCH_EXIT_PANIC);
}

static void exc_dispatch(istate_t *is)
{
	unsigned v = (unsigned) is->vector;

	if (exc_handlers[v] && exc_handlers[v](is))
		return;
	if ((is->cs & 3) == 0 && exc_fixup_vector(v) && exc_try_extable(is))
		return;
	if (exc_try_recovery(is))
		return;
	if (fault_user_exception(is))
		return; /* not reached: the task was killed */
	exc_fatal(is);
}

/* A thread whose task is ending leaves instead of returning to user mode. */
static void interrupt_return_to_user(istate_t *is)
{
	if ((is->cs & 3) && CPU->current &&
	    __atomic_load_n(&CPU->current->interrupted, __ATOMIC_ACQUIRE)) {
		irq_enable();
		task_thread_terminate();
	}
}

void interrupt_dispatch(istate_t *is)
{
	if (is->vector < 32) {
		exc_dispatch(is);
		interrupt_return_to_user(is);
		return;
	}
	unsigned irq = (unsigned) is->vector - IRQ_BASE;
	if (irq < IRQ_COUNT) {
		if (pic_irq_is_spurious(irq))
			return;
		if (irq_handlers[irq])
			irq_handlers[irq](irq, is);
		else
			irq_line_dispatch(irq); /* user subscribers: masks the line first */
		pic_eoi(irq);
		scheduler_preempt_point();
		interrupt_return_to_user(is);
	}
}

void arch_backtrace_print(uintptr_t fp)
{
	for (unsigned depth = 0; depth < 32 && fp; depth++) {
		uint64_t next, ret;
		if (fp & 7 || fp < KERNEL_SPACE_START)
			break;
		if (arch_probe_read_u64((void *) (fp + 8), &ret) != 0 ||
		    arch_probe_read_u64((void *) fp, &next) != 0)
			break;
		if (ret == 0)
			break;
		printf("    %#018llx\n", (unsigned long long) ret);
		fp = next;
	}
}
