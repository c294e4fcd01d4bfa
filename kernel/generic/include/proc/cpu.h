/*
 * Per-CPU data.  Reached through the GS base (arch), so every CPU finds
 * its own cpu_t with one instruction; the layout of the first fields is
 * known to the syscall entry stub (arch/amd64/src/syscall.S).
 *
 * Fields are touched only by their own CPU with interrupts disabled, except
 * where noted.
 */
#ifndef KERN_PROC_CPU_H_
#define KERN_PROC_CPU_H_

#include <adt/list.h>
#include <stdbool.h>
#include <stdint.h>

#define CPU_MAX 16
#define RQ_COUNT 16 /* priority levels, 0 is the highest */

struct thread;

typedef struct cpu {
	struct cpu *self; /* offset 0: %gs:0 */
	uint64_t kernel_rsp; /* offset 8: top of current thread's kernel stack */
	uint64_t user_rsp; /* offset 16: scratch for the syscall entry */
	struct thread *current; /* offset 24 */
	unsigned id;
	unsigned preempt_disabled; /* nesting count of non-preemptible sections */
	bool need_resched; /* set by the timer; acted on at preemption points */
	struct thread *idle;
	struct thread *switched_from; /* set across a context switch */
	/* sched_lock: a thread just woken to take over from the current one
	 * (an IPC partner): the next switch runs it, if still ready */
	struct thread *handoff;
	list_t rq[RQ_COUNT]; /* sched_lock */
	size_t rq_ready; /* sched_lock */
	uint64_t ticks; /* timer ticks seen by this CPU */
	uint64_t boosts; /* sched_lock: scheduler boosts so far */
	uint64_t context_switches;
} cpu_t;

_Static_assert(__builtin_offsetof(cpu_t, kernel_rsp) == 8, "syscall.S layout");
_Static_assert(__builtin_offsetof(cpu_t, user_rsp) == 16, "syscall.S layout");
_Static_assert(__builtin_offsetof(cpu_t, current) == 24, "syscall.S layout");

extern cpu_t cpus[CPU_MAX];

static inline cpu_t *cpu_current(void)
{
	cpu_t *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#define CPU (cpu_current())

/* Install this CPU's cpu_t as its GS base. */
void cpu_local_init(unsigned id);

/*
 * The running thread, read from this CPU's cpu_t in one instruction.  Not
 * volatile: a thread is the same thread on whatever CPU it runs, so the
 * compiler may reuse the value within a function (only the context switch,
 * which changes `current`, must not use this).
 */
static inline struct thread *cpu_current_thread(void)
{
	struct thread *t;
	__asm__("movq %%gs:%c1, %0" : "=r"(t) : "i"(__builtin_offsetof(cpu_t, current)));
	return t;
}

/*
 * Preemption control: one instruction each way on this CPU's count, which
 * is atomic with respect to interrupts (an interrupt handler's own
 * disable/enable pairs leave the count as it found them).  The "memory"
 * clobber keeps the compiler from moving accesses out of the section.
 */
static inline void preempt_disable(void)
{
	__asm__ volatile("addl $1, %%gs:%c0" ::"i"(__builtin_offsetof(cpu_t, preempt_disabled))
	                 : "memory");
}

/* The count reached zero with need_resched set: preempt if interrupts are on. */
void preempt_enable_resched(void) __attribute__((noinline, cold));

static inline void preempt_enable(void)
{
	bool zero, resched;
	__asm__ volatile("subl $1, %%gs:%c1"
	                 : "=@ccz"(zero)
	                 : "i"(__builtin_offsetof(cpu_t, preempt_disabled))
	                 : "memory");
	if (!zero)
		return;
	__asm__ volatile("cmpb $0, %%gs:%c1"
	                 : "=@ccnz"(resched)
	                 : "i"(__builtin_offsetof(cpu_t, need_resched))
	                 : "memory");
	if (__builtin_expect(resched, 0))
		preempt_enable_resched();
}

#endif
