/*
 * The scheduler (see proc/scheduler.h for the policy and the lock).
 *
 * Switching: scheduler_switch() runs with interrupts disabled.  It puts
 * the current thread back on a run queue if it is still RUNNING, picks the
 * next thread (the idle thread if nothing is ready), and switches stacks.
 * The thread switched to finishes the switch (scheduler_finish_switch):
 * it clears the previous thread's on_cpu and, if that thread has exited,
 * drops the reference the thread held on itself.  A thread is never freed
 * while its stack is in use, and (for SMP) a CPU never resumes a thread
 * whose context another CPU has not finished saving (on_cpu).
 *
 * The timer tick (scheduler_tick) charges the running thread's slice and
 * ages the queues: the head of each queue below the top moves up a level
 * once it has waited SCHED_AGE_TICKS.  Why aging, and what went wrong
 * without it (a demoted thread waited for the boost, up to a second):
 * scheduler.h.
 *
 * Rejected: a separate lock per run queue plus per-thread locks for the
 * state (more concurrency, but every wakeup would take two locks in a
 * careful order); with one CPU running now, one lock is simpler to get
 * right and easy to split later.
 */
#include <arch/arch.h>
#include <arch/ddi.h>
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <debug.h>
#include <proc/cpu.h>
#include <proc/scheduler.h>
#include <proc/task.h>
#include <proc/thread.h>

spinlock_t sched_lock = SPINLOCK_INITIALIZER("sched");

void context_switch(uint64_t *save_sp, uint64_t new_sp);
void as_activate(struct as *as);

static void rq_insert(cpu_t *cpu, thread_t *t) REQUIRES(sched_lock)
{
	assert(spinlock_locked(&sched_lock));
	list_append(&t->rq_link, &cpu->rq[t->priority]);
	cpu->rq_ready++;
	t->rq_since = cpu->ticks;
}

static thread_t *rq_pick(cpu_t *cpu) REQUIRES(sched_lock)
{
	assert(spinlock_locked(&sched_lock));
	for (unsigned p = 0; p < RQ_COUNT; p++) {
		link_t *l = list_first(&cpu->rq[p]);
		if (l) {
			list_remove(l);
			cpu->rq_ready--;
			return list_get_instance(l, thread_t, rq_link);
		}
	}
	return cpu->idle;
}

void scheduler_make_ready(thread_t *t)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&sched_lock);
	assert(t->state != THREAD_READY && t->state != THREAD_EXITED);
	t->state = THREAD_READY;
	t->priority = t->base_priority;
	/* Queued at once even if it has not finished switching away (SMP):
	 * on_cpu keeps another CPU from resuming it too early. */
	rq_insert(&cpus[0], t);
	thread_t *cur = cpus[0].current;
	if (cur && (cur == cpus[0].idle || t->priority < cur->priority))
		cpus[0].need_resched = true;
	spinlock_unlock(&sched_lock);
	arch_interrupts_restore(ipl);
}

void scheduler_handoff(thread_t *t)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&sched_lock);
	cpus[0].handoff = t;
	spinlock_unlock(&sched_lock);
	arch_interrupts_restore(ipl);
}

void scheduler_thread_gone(thread_t *t)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&sched_lock);
	for (unsigned i = 0; i < CPU_MAX; i++) {
		if (cpus[i].handoff == t)
			cpus[i].handoff = NULL;
	}
	spinlock_unlock(&sched_lock);
	arch_interrupts_restore(ipl);
}

void scheduler_set_sleeping(thread_t *t)
{
	spinlock_lock(&sched_lock);
	t->state = THREAD_SLEEPING;
	spinlock_unlock(&sched_lock);
}

/* Address space, kernel stack and FPU of @a next become this CPU's. */
static void switch_state(cpu_t *cpu, thread_t *prev, thread_t *next)
{
	uint64_t top = next->kstack + KSTACK_SIZE;
	cpu->kernel_rsp = top;
	tss_set_kernel_stack(top);
	if (prev->fpu)
		fpu_save(prev->fpu);
	if (next->fpu)
		fpu_restore(next->fpu);
	struct task *pt = prev->task, *nt = next->task;
	if (pt != nt && (nt || pt)) {
		as_activate(nt ? nt->as : NULL);
		arch_io_switch(nt); /* a test unless a task with ports is involved */
	}
}

/* Run @a next (RUNNING, picked under sched_lock) instead of @a prev. */
static void scheduler_run(cpu_t *cpu, thread_t *prev, thread_t *next)
{
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	next->on_cpu = true;
	cpu->current = next;
	cpu->context_switches++;
	switch_state(cpu, prev, next);
	cpu->switched_from = prev;
	context_switch(&prev->kernel_sp, next->kernel_sp);
	scheduler_finish_switch();
}

void scheduler_switch(void)
{
	assert(arch_interrupts_disabled());
	cpu_t *cpu = CPU;
	thread_t *prev = cpu->current;
	assert(cpu->preempt_disabled == 0);

	spinlock_lock(&sched_lock);
	/* RUNNING: preempted or yielding, back on a queue.  READY: woken
	 * before it switched away, already queued.  SLEEPING, EXITED: off. */
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_READY;
		if (prev != cpu->idle)
			rq_insert(cpu, prev);
	}
	thread_t *next = cpu->handoff;
	cpu->handoff = NULL;
	/* The partner of a hand-off runs on what is left of prev's slice; a
	 * used-up slice means a decision instead (scheduler.h, "slices"). */
	unsigned quantum = SCHED_QUANTUM_TICKS;
	if (next && next != prev && next->state == THREAD_READY && prev->quantum > 0) {
		list_remove(&next->rq_link); /* no decision: the partner runs */
		cpu->rq_ready--;
		quantum = prev->quantum;
	} else {
		next = rq_pick(cpu);
	}
	next->state = THREAD_RUNNING;
	next->quantum = quantum;
	cpu->need_resched = false;
	spinlock_unlock(&sched_lock);
	if (next != prev)
		scheduler_run(cpu, prev, next);
}

/*
 * A user thread yields (SYS_THREAD_YIELD): it gives way to every other
 * ready thread, of any level, by dropping to the lowest level first (aging,
 * a wakeup or the boost brings it back).  A user-space lock waits
 * by yielding: at its own level the waiter was picked again and again
 * while the holder, one level down after a used-up slice, did not run,
 * for slices at a time (millions of yields in one benchmark window).
 */
void scheduler_yield_lowest(void)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&sched_lock);
	CPU->current->priority = RQ_COUNT - 1;
	spinlock_unlock(&sched_lock);
	scheduler_switch();
	arch_interrupts_restore(ipl);
}

void scheduler_sleep_to(thread_t *prev, thread_t *next)
{
	assert(arch_interrupts_disabled() && next != prev);
	spinlock_lock(&sched_lock);
	assert(prev->state == THREAD_RUNNING && next->state == THREAD_SLEEPING);
	prev->state = THREAD_SLEEPING;
	next->state = THREAD_RUNNING;
	next->priority = next->base_priority; /* as a wakeup would */
	/* The rest of prev's slice, not a new one: a request/answer loop
	 * shares one slice, and when it is used up (0: need_resched is set)
	 * the next preemption point decides. */
	next->quantum = prev->quantum;
	cpu_t *cpu = CPU;
	if (cpu->handoff == next)
		cpu->handoff = NULL;
	spinlock_unlock(&sched_lock);
}

void scheduler_switch_to(thread_t *next)
{
	assert(arch_interrupts_disabled());
	cpu_t *cpu = CPU;
	assert(cpu->preempt_disabled == 0);
	/* prev may have been woken meanwhile (by another CPU): then it is
	 * queued already, as in scheduler_switch */
	scheduler_run(cpu, cpu->current, next);
}

void scheduler_finish_switch(void)
{
	cpu_t *cpu = CPU;
	thread_t *prev = cpu->switched_from;
	cpu->switched_from = NULL;
	if (!prev)
		return;
	bool dead = prev->state == THREAD_EXITED;
	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	if (dead)
		thread_release(prev);
}

void scheduler_preempt_point(void)
{
	cpu_t *cpu = CPU;
	if (!cpu->need_resched || cpu->preempt_disabled || !cpu->current)
		return;
	ipl_t ipl = arch_interrupts_disable();
	scheduler_switch();
	arch_interrupts_restore(ipl);
}

/* Every SCHED_BOOST_TICKS: all ready threads return to their base level. */
static void scheduler_boost(cpu_t *cpu) REQUIRES(sched_lock)
{
	list_t moved;
	list_initialize(&moved);
	__atomic_add_fetch(&cpu->boosts, 1, __ATOMIC_RELAXED); /* read without sched_lock */
	for (unsigned p = 1; p < RQ_COUNT; p++) {
		link_t *l;
		while ((l = list_first(&cpu->rq[p])) != NULL) {
			list_remove(l);
			list_append(l, &moved);
		}
	}
	link_t *l;
	while ((l = list_first(&moved)) != NULL) {
		thread_t *t = list_get_instance(l, thread_t, rq_link);
		list_remove(l);
		t->priority = t->base_priority;
		list_append(l, &cpu->rq[t->priority]);
		t->rq_since = cpu->ticks;
	}
}

/* Aging (scheduler.h): the head of each queue below the top -- the
 * thread that has waited there longest, as a queue is in the order its
 * threads joined it -- moves up one level once it has waited
 * SCHED_AGE_TICKS, to the tail of the level above, where it waits afresh;
 * so does the next head, while heads are that old. */
static void scheduler_age(cpu_t *cpu) REQUIRES(sched_lock)
{
	thread_t *cur = cpu->current;
	for (unsigned p = 1; p < RQ_COUNT; p++) {
		link_t *l = list_first(&cpu->rq[p]);
		while (l != NULL) {
			thread_t *t = list_get_instance(l, thread_t, rq_link);
			if (cpu->ticks - t->rq_since < SCHED_AGE_TICKS)
				break; /* the rest joined later */
			link_t *next = list_next(l, &cpu->rq[p]);
			if (p > t->base_priority) { /* at its base it stays, and in place */
				list_remove(l);
				t->priority = p - 1;
				list_append(l, &cpu->rq[p - 1]);
				t->rq_since = cpu->ticks;
				if (cur == cpu->idle || t->priority < cur->priority)
					cpu->need_resched = true;
			}
			l = next;
		}
	}
}

void scheduler_tick(void)
{
	cpu_t *cpu = CPU;
	thread_t *t = cpu->current;
	cpu->ticks++;
	if (!t)
		return;
	spinlock_lock(&sched_lock);
	if (t == cpu->idle) {
		cpu->need_resched = cpu->rq_ready > 0;
	} else if (t->quantum > 0 && --t->quantum == 0) {
		if (t->priority + 1 < RQ_COUNT)
			t->priority++;
		cpu->need_resched = true;
	}
	if (cpu->ticks % SCHED_BOOST_TICKS == 0)
		scheduler_boost(cpu);
	else
		scheduler_age(cpu);
	spinlock_unlock(&sched_lock);
}

uint64_t scheduler_boosts(void)
{
	return __atomic_load_n(&cpus[0].boosts, __ATOMIC_RELAXED);
}

uint64_t scheduler_context_switches(void)
{
	return cpus[0].context_switches;
}

static void scheduler_idle(void *arg)
{
	(void) arg;
	for (;;) {
		irq_enable();
		cpu_halt();
	}
}

void scheduler_init(void)
{
	thread_init();
	thread_t *idle;
	errno_t rc = thread_create_kernel(scheduler_idle, NULL, "idle", &idle);
	if (rc != EOK)
		panic("cannot create the idle thread: %d", rc);
	idle->priority = idle->base_priority = RQ_COUNT - 1;
	idle->state = THREAD_READY;
	CPU->idle = idle;
}
