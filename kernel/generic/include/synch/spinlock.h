/*
 * Spinlocks.
 *
 * spinlock_t is a test-and-test-and-set lock with acquire/release ordering;
 * it does not touch the interrupt flag, so a spinlock_t that an interrupt
 * handler can take must only be held with interrupts disabled.
 * irq_spinlock_t disables interrupts on the local CPU for as long as it is
 * held and restores the previous state on unlock; it is the default for
 * data shared with interrupt handlers.  Both are SMP-correct.
 */
#ifndef KERN_SYNCH_SPINLOCK_H_
#define KERN_SYNCH_SPINLOCK_H_

#include <arch/arch.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct spinlock {
	volatile uint32_t locked;
	const char *name;
} spinlock_t;

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
void spinlock_lock(spinlock_t *lock);
bool spinlock_trylock(spinlock_t *lock);
void spinlock_unlock(spinlock_t *lock);

static inline bool spinlock_locked(const spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

void irq_spinlock_initialize(irq_spinlock_t *lock, const char *name);
void irq_spinlock_lock(irq_spinlock_t *lock);
void irq_spinlock_unlock(irq_spinlock_t *lock);
void irq_spinlock_force_unlock(irq_spinlock_t *lock);

static inline bool irq_spinlock_locked(const irq_spinlock_t *lock)
{
	return spinlock_locked(&lock->lock);
}

#endif
