/* Per-CPU data (see proc/cpu.h). */
#include <arch/asm.h>
#include <proc/cpu.h>
#include <proc/scheduler.h>

#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

cpu_t cpus[CPU_MAX];

void cpu_local_init(unsigned id)
{
	cpu_t *c = &cpus[id];
	c->self = c;
	c->id = id;
	for (unsigned i = 0; i < RQ_COUNT; i++)
		list_initialize(&c->rq[i]);
	wrmsr(MSR_GS_BASE, (uint64_t) c);
	wrmsr(MSR_KERNEL_GS_BASE, 0); /* user GS base, swapped in on return */
}

void preempt_enable_resched(void)
{
	if (read_rflags() & RFLAGS_IF)
		scheduler_preempt_point();
}
