/* Spinlocks (see synch/spinlock.h): the out-of-line parts. */
#include <debug.h>
#include <proc/cpu.h>
#include <synch/spinlock.h>

void spinlock_initialize(spinlock_t *lock, const char *name)
{
	lock->locked = 0;
	lock->name = name;
}

/* Called with preemption already disabled by spinlock_lock(). */
void spinlock_lock_contended(spinlock_t *lock)
{
	do {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	} while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) != 0);
}

void irq_spinlock_initialize(irq_spinlock_t *lock, const char *name)
{
	spinlock_initialize(&lock->lock, name);
	lock->ipl = 0;
}

void irq_spinlock_force_unlock(irq_spinlock_t *lock)
{
	__atomic_store_n(&lock->lock.locked, 0, __ATOMIC_RELEASE);
}
