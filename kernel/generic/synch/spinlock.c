/* Spinlocks (see synch/spinlock.h). */
#include <debug.h>
#include <proc/cpu.h>
#include <synch/spinlock.h>

void spinlock_initialize(spinlock_t *lock, const char *name)
{
	lock->locked = 0;
	lock->name = name;
}

/*
 * Holding any spinlock disables preemption on this CPU: a holder that was
 * switched out would leave every contender spinning (forever, if the
 * contender runs with interrupts off).  Unlocking the last one is a
 * preemption point.
 */
bool spinlock_trylock(spinlock_t *lock)
{
	preempt_disable();
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0)
		return true;
	preempt_enable();
	return false;
}

void spinlock_lock(spinlock_t *lock)
{
	preempt_disable();
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
}

void spinlock_unlock(spinlock_t *lock)
{
	assert(spinlock_locked(lock));
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

void irq_spinlock_initialize(irq_spinlock_t *lock, const char *name)
{
	spinlock_initialize(&lock->lock, name);
	lock->ipl = 0;
}

void irq_spinlock_lock(irq_spinlock_t *lock)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&lock->lock);
	lock->ipl = ipl;
}

void irq_spinlock_unlock(irq_spinlock_t *lock)
{
	ipl_t ipl = lock->ipl;
	spinlock_unlock(&lock->lock);
	arch_interrupts_restore(ipl);
}

/* Only for panic: take over a lock whose holder will never release it. */
void irq_spinlock_force_unlock(irq_spinlock_t *lock)
{
	__atomic_store_n(&lock->lock.locked, 0, __ATOMIC_RELEASE);
}
