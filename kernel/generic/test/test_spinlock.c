/* Kernel tests of spinlocks and interrupt-state handling. */
#include <arch/arch.h>
#include <synch/spinlock.h>
#include <test/ktest.h>

KTEST(spinlock_basic)
{
	spinlock_t lock;

	spinlock_initialize(&lock, "test");
	KT_CHECK(!spinlock_locked(&lock));
	KT_CHECK(spinlock_trylock(&lock));
	KT_CHECK(spinlock_locked(&lock));
	KT_CHECK(!spinlock_trylock(&lock)); /* held: a second taker must fail */
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
