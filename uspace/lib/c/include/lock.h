/*
 * A small lock for user space: an atomic word, and a sleep in the kernel
 * while it is held (futex_wait, sys.h); no kernel object, no fairness.
 * Used inside libc (stdio, malloc, thread records) and available to
 * programs.
 */
#ifndef LIBC_LOCK_H_
#define LIBC_LOCK_H_

#include <stdbool.h>

typedef struct lock {
	volatile int held;
} lock_t;

#define LOCK_INITIALIZER \
	{                \
		0        \
	}

void lock_acquire(lock_t *lock);
/* Acquire if free: true on success. */
bool lock_try_acquire(lock_t *lock);
void lock_release(lock_t *lock);

#endif
