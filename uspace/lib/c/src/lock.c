/*
 * A small sleeping lock (lock.h).  held is 0 (free), 1 (held) or 2 (held,
 * and a thread may be sleeping on it).  A thread that finds it held spins
 * a little (the holder may be about to release it), then marks it 2 and
 * sleeps in the kernel on the word (futex_wait) until the holder's release
 * wakes one sleeper.  A woken thread takes the lock as 2, since others may
 * still sleep, so no wakeup is lost (the classic three-state futex lock).
 *
 * Rejected: spinning with thread_yield() until the lock is free (what this
 * was): a waiter for a holder that waits for a disk burns the CPU, and did
 * for millions of yields in a benchmark window.
 *
 * The ticket lock (lock.h) is first come, first served: a thread takes
 * the next ticket and waits (spinning a little, then sleeping on the
 * serving word) until the serving word shows it; a release moves the
 * serving word on and, if a ticket is still out, wakes the sleepers.
 */
#include <lock.h>
#include <sys.h>

#define LOCK_SPINS 64

bool lock_try_acquire(lock_t *lock)
{
	int free = 0;
	return __atomic_compare_exchange_n(
	    &lock->held, &free, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void lock_acquire(lock_t *lock)
{
	for (unsigned n = 0; n < LOCK_SPINS; n++) {
		if (lock_try_acquire(lock))
			return;
		__builtin_ia32_pause();
	}
	/* 2: held with sleepers; if it was free (0) we have it */
	while (__atomic_exchange_n(&lock->held, 2, __ATOMIC_ACQUIRE) != 0)
		(void) futex_wait((const volatile uint32_t *) &lock->held, 2, 0);
}

void lock_release(lock_t *lock)
{
	if (__atomic_exchange_n(&lock->held, 0, __ATOMIC_RELEASE) == 2)
		(void) futex_wake((const volatile uint32_t *) &lock->held, 1);
}

void ticket_lock_acquire(ticket_lock_t *lock)
{
	uint32_t t = __atomic_fetch_add(&lock->next, 1, __ATOMIC_SEQ_CST);
	for (unsigned n = 0; n < LOCK_SPINS; n++) {
		if (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) == t)
			return;
		__builtin_ia32_pause();
	}
	for (;;) {
		uint32_t s = __atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE);
		if (s == t)
			return;
		(void) futex_wait(&lock->serving, s, 0);
	}
}

bool ticket_lock_try_acquire(ticket_lock_t *lock)
{
	uint32_t s = __atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE);
	uint32_t free = s;
	return __atomic_compare_exchange_n(
	    &lock->next, &free, s + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void ticket_lock_release(ticket_lock_t *lock)
{
	uint32_t s = __atomic_load_n(&lock->serving, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&lock->serving, s, __ATOMIC_SEQ_CST); /* before next is read */
	if (__atomic_load_n(&lock->next, __ATOMIC_SEQ_CST) != s) /* a ticket is out */
		(void) futex_wake(&lock->serving, UINT32_MAX);
}
