/* Kernel tests of spinlocks and interrupt-state handling. */
#include <arch/arch.h>
#include <proc/cpu.h>
#include <proc/thread.h>
#include <synch/spinlock.h>
#include <test/ktest.h>

/*
 * A second trylock of a lock this thread holds, which must fail.  The lock
 * analysis rightly calls that a bug, so the tests do it out of its sight;
 * if it wrongly succeeds, it is undone.
 */
static bool spinlock_trylock_held(spinlock_t *lock) NO_THREAD_SAFETY_ANALYSIS
{
	if (!spinlock_trylock(lock))
		return false;
	spinlock_unlock(lock);
	return true;
}

KTEST(spinlock_basic)
{
	spinlock_t lock;

	spinlock_initialize(&lock, "test");
	KT_CHECK(!spinlock_locked(&lock));
	bool got = spinlock_trylock(&lock);
	KT_CHECK(got);
	if (!got)
		return;
	KT_CHECK(spinlock_locked(&lock));
	KT_CHECK(!spinlock_trylock_held(&lock)); /* held: a second taker must fail */
	spinlock_unlock(&lock);
	KT_CHECK(!spinlock_locked(&lock));
	spinlock_lock(&lock);
	KT_CHECK(spinlock_locked(&lock));
	spinlock_unlock(&lock);
}

/* IRQ spinlocks disable interrupts while held and restore the state the
 * holder had, also when nested and released in reverse order. */
KTEST(spinlock_irq_nesting)
{
	irq_spinlock_t a, b;

	irq_spinlock_initialize(&a, "a");
	irq_spinlock_initialize(&b, "b");
	KT_ASSERT(!arch_interrupts_disabled());
	irq_spinlock_lock(&a);
	KT_CHECK(arch_interrupts_disabled());
	irq_spinlock_lock(&b);
	KT_CHECK(arch_interrupts_disabled());
	irq_spinlock_unlock(&b);
	KT_CHECK(arch_interrupts_disabled()); /* still inside a */
	irq_spinlock_unlock(&a);
	KT_CHECK(!arch_interrupts_disabled());

	/* taken with interrupts already off: they stay off after unlock */
	ipl_t ipl = arch_interrupts_disable();
	irq_spinlock_lock(&a);
	irq_spinlock_unlock(&a);
	KT_CHECK(arch_interrupts_disabled());
	arch_interrupts_restore(ipl);
	KT_CHECK(!arch_interrupts_disabled());
}

/* Holding a spinlock disables preemption: each lock counts once, a failed
 * trylock gives its count back, and only the release of the outermost lock
 * is a preemption point (with interrupts on). */
KTEST(spinlock_preempt_count)
{
	spinlock_t a, b;
	irq_spinlock_t c;

	spinlock_initialize(&a, "a");
	spinlock_initialize(&b, "b");
	irq_spinlock_initialize(&c, "c");
	unsigned base = CPU->preempt_disabled;
	spinlock_lock(&a);
	KT_CHECK_EQ(CPU->preempt_disabled, base + 1);
	KT_CHECK(!spinlock_trylock_held(&a)); /* and gives its count back */
	KT_CHECK_EQ(CPU->preempt_disabled, base + 1);
	spinlock_lock(&b);
	irq_spinlock_lock(&c);
	KT_CHECK_EQ(CPU->preempt_disabled, base + 3);
	irq_spinlock_unlock(&c);
	KT_CHECK_EQ(CPU->preempt_disabled, base + 2);

	/* need_resched while held: the inner release does not switch ... */
	CPU->need_resched = true;
	spinlock_unlock(&b);
	KT_CHECK(CPU->need_resched);
	KT_CHECK_EQ(CPU->preempt_disabled, base + 1);
	/* ... the outermost one does (the scheduler clears the flag) */
	spinlock_unlock(&a);
	KT_CHECK(!CPU->need_resched);
	KT_CHECK_EQ(CPU->preempt_disabled, base);

	/* with interrupts off even the outermost release does not switch */
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&a);
	CPU->need_resched = true;
	spinlock_unlock(&a);
	KT_CHECK(CPU->need_resched);
	arch_interrupts_restore(ipl);
	thread_yield();
	KT_CHECK_EQ(CPU->preempt_disabled, base);
}
