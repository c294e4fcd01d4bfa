/*
 * Mutexes (see synch/mutex.h).
 *
 * The owner word is the lock: taking it is one compare-and-swap from NULL
 * to the thread, releasing it one store, so an uncontended lock and unlock
 * touch nothing else (no spinlock, no interrupt masking).  Contention is a
 * Dekker handshake on two words, both accessed sequentially consistent:
 *
 *   locker:    waiters++;  try the CAS again;  sleep on wq if it failed
 *   unlocker:  owner = NULL;  if (waiters > 0) wake one sleeper
 *
 * Either the locker's retry sees the store of NULL, or the unlocker's load
 * sees the increment and wakes it; the wait queue remembers a wakeup that
 * comes before the sleep, so the sleep then returns at once.  A woken
 * thread retries; a wakeup nobody needed costs one extra retry later.
 * Rejected: a guard spinlock around owner and waiters (the previous form),
 * which cost two interrupt-mask flips and a lock round trip per call on
 * the fault and IPC paths.
 */
#include <debug.h>
#include <proc/thread.h>
#include <synch/mutex.h>

void mutex_initialize(mutex_t *m, const char *name)
{
	m->owner = NULL;
	m->waiters = 0;
	waitq_initialize(&m->wq);
	m->name = name;
}

static bool mutex_take(mutex_t *m, thread_t *self)
{
	thread_t *expected = NULL;
	return __atomic_compare_exchange_n(
	    &m->owner, &expected, self, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

bool mutex_trylock(mutex_t *m)
{
	assert(THREAD != NULL);
	return mutex_take(m, THREAD);
}

void mutex_lock(mutex_t *m)
{
	thread_t *self = THREAD;
	assert(self != NULL);
	assert(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) != self); /* not recursive */
	if (mutex_take(m, self))
		return;
	for (;;) {
		__atomic_add_fetch(&m->waiters, 1, __ATOMIC_SEQ_CST);
		bool got = mutex_take(m, self);
		if (!got)
			waitq_sleep(&m->wq, WAITQ_FOREVER, 0);
		__atomic_sub_fetch(&m->waiters, 1, __ATOMIC_SEQ_CST);
		if (got || mutex_take(m, self))
			return;
	}
}

void mutex_unlock(mutex_t *m)
{
	assert(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == THREAD);
	__atomic_store_n(&m->owner, NULL, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->waiters, __ATOMIC_SEQ_CST) > 0)
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
