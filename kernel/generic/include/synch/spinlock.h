/*
 * Spinlocks.
 *
 * spinlock_t is a test-and-test-and-set lock with acquire/release ordering;
 * it does not touch the interrupt flag, so a spinlock_t that an interrupt
 * handler can take must only be held with interrupts disabled.
 * irq_spinlock_t disables interrupts on the local CPU for as long as it is
 * held and restores the previous state on unlock; it is the default for
 * data shared with interrupt handlers.  Both are SMP-correct.
 *
 * Holding any spinlock disables preemption on this CPU: a holder that was
 * switched out would leave every contender spinning (forever, if the
 * contender runs with interrupts off).  Unlocking the last one is a
 * preemption point.
 *
 * Cost: taking and releasing a free lock are inline (one exchange and a
 * test to take, a store to release, plus the preemption count); only a
 * lock found held calls the out-of-line spinning loop, so callers pay no
 * call and save no registers on the uncontended path.
 */
#ifndef KERN_SYNCH_SPINLOCK_H_
#define KERN_SYNCH_SPINLOCK_H_

#include <arch/arch.h>
#include <debug.h>
#include <proc/cpu.h>
#include <stdbool.h>
#include <stdint.h>
#include <synch/lockcheck.h>

typedef struct CAPABILITY("spinlock") spinlock {
	volatile uint32_t locked;
	const char *name;
} spinlock_t;

/* For the lock analysis the lock is the inner spinlock: irq_spinlock_lock(l)
 * acquires l->lock, so code that takes l->lock directly (with interrupts
 * already off) and code that takes l itself name the same lock. */
typedef struct irq_spinlock {
	spinlock_t lock;
	ipl_t ipl; /* interrupt state saved by the holder */
} irq_spinlock_t;

#define SPINLOCK_INITIALIZER(n)          \
	{                                \
		.locked = 0, .name = (n) \
	}
#define IRQ_SPINLOCK_INITIALIZER(n)                       \
	{                                                 \
		.lock = SPINLOCK_INITIALIZER(n), .ipl = 0 \
	}

void spinlock_initialize(spinlock_t *lock, const char *name);
/* The slow path of spinlock_lock: spin until the lock is free, take it. */
void spinlock_lock_contended(spinlock_t *lock) __attribute__((noinline, cold));

static inline bool spinlock_locked(const spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

/* The lock functions' bodies are the primitives the analysis trusts. */
static inline bool spinlock_trylock(spinlock_t *lock)
    TRY_ACQUIRE(true, lock) NO_THREAD_SAFETY_ANALYSIS
{
	preempt_disable();
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) == 0)
		return true;
	preempt_enable();
	return false;
}

static inline void spinlock_lock(spinlock_t *lock) ACQUIRE(lock) NO_THREAD_SAFETY_ANALYSIS
{
	preempt_disable();
	if (__builtin_expect(__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE) != 0, 0))
		spinlock_lock_contended(lock);
}

static inline void spinlock_unlock(spinlock_t *lock) RELEASE(lock) NO_THREAD_SAFETY_ANALYSIS
{
	assert(spinlock_locked(lock));
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

void irq_spinlock_initialize(irq_spinlock_t *lock, const char *name);

static inline void irq_spinlock_lock(irq_spinlock_t *lock)
    ACQUIRE(lock->lock) NO_THREAD_SAFETY_ANALYSIS
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&lock->lock);
	lock->ipl = ipl;
}

static inline void irq_spinlock_unlock(irq_spinlock_t *lock)
    RELEASE(lock->lock) NO_THREAD_SAFETY_ANALYSIS
{
	ipl_t ipl = lock->ipl;
	spinlock_unlock(&lock->lock);
	arch_interrupts_restore(ipl);
}

/* Only for panic: take over a lock whose holder will never release it. */
void irq_spinlock_force_unlock(irq_spinlock_t *lock);

static inline bool irq_spinlock_locked(const irq_spinlock_t *lock)
{
	return spinlock_locked(&lock->lock);
}

#endif
