/*
 * Mutexes (see synch/mutex.h).  The guard spinlock makes the owner check
 * and hand-off atomic; sleeping uses the wait queue's remembered wakeups,
 * so an unlock that happens between "found it held" and "went to sleep"
 * is not lost (the sleep returns at once and the lock is tried again).
 */
#include <debug.h>
#include <proc/thread.h>
#include <synch/mutex.h>

void mutex_initialize(mutex_t *m, const char *name)
{
	spinlock_initialize(&m->guard, name);
	m->owner = NULL;
	m->waiters = 0;
	waitq_initialize(&m->wq);
	m->name = name;
}

/* Take the mutex if free; otherwise, if @a wait, count us as a waiter. */
static bool mutex_try(mutex_t *m, bool wait)
{
	thread_t *self = THREAD;
	assert(self != NULL);
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&m->guard);
	bool got = m->owner == NULL;
	if (got)
		m->owner = self;
	else if (wait)
		m->waiters++;
	spinlock_unlock(&m->guard);
	arch_interrupts_restore(ipl);
	return got;
}

bool mutex_trylock(mutex_t *m)
{
	return mutex_try(m, false);
}

void mutex_lock(mutex_t *m)
{
	assert(m->owner != THREAD); /* not recursive */
	while (!mutex_try(m, true)) {
		waitq_sleep(&m->wq, WAITQ_FOREVER, 0);
		ipl_t ipl = arch_interrupts_disable();
		spinlock_lock(&m->guard);
		m->waiters--;
		spinlock_unlock(&m->guard);
		arch_interrupts_restore(ipl);
	}
}

void mutex_unlock(mutex_t *m)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&m->guard);
	assert(m->owner == THREAD);
	m->owner = NULL;
	bool wake = m->waiters > 0;
	spinlock_unlock(&m->guard);
	arch_interrupts_restore(ipl);
	if (wake)
		waitq_wakeup_one(&m->wq);
}

bool mutex_locked(const mutex_t *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) != NULL;
}

bool mutex_locked_by_me(const mutex_t *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == THREAD;
}
