/*
 * Host shim of libc's lock.h for tests/test_anon_store.c: the test runs
 * one thread, so a lock is a flag that must be free when taken (a
 * contended acquire would be a bug of the code under test).
 */
#ifndef LIBC_LOCK_H_
#define LIBC_LOCK_H_

#include <stdbool.h>
#include <stdlib.h>

typedef struct lock {
	volatile int held;
} lock_t;

#define LOCK_INITIALIZER \
	{                \
		0        \
	}

static inline bool lock_try_acquire(lock_t *lock)
{
	if (lock->held)
		return false;
	lock->held = 1;
	return true;
}

static inline void lock_acquire(lock_t *lock)
{
	if (!lock_try_acquire(lock))
		abort();
}

static inline void lock_release(lock_t *lock)
{
	lock->held = 0;
}

#endif
