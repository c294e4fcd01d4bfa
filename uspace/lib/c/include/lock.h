/*
 * A small lock for user space: an atomic word, and a sleep in the kernel
 * while it is held (futex_wait, sys.h); no kernel object, no fairness.
 * Used inside libc (stdio, malloc, thread records) and available to
 * programs.
 */
#ifndef LIBC_LOCK_H_
#define LIBC_LOCK_H_

#include <stdbool.h>
#include <stdint.h>

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

/*
 * A fair lock: threads get it in the order they asked (a ticket each; the
 * release serves the next ticket and wakes the sleepers, which look whether
 * it is theirs).  lock_t lets a running thread take the lock again before
 * a woken waiter runs, which starves the waiter when the holders hand the
 * CPU to each other directly (the IPC fast path): the ext2 server's lock
 * kept a connection request waiting for as long as one client's reads went
 * on.  Each release wakes every sleeper, so it is for locks few threads
 * wait on at once (a server's few workers).
 */
typedef struct ticket_lock {
	volatile uint32_t next; /* the next ticket given out */
	volatile uint32_t serving; /* the ticket that holds the lock */
} ticket_lock_t;

#define TICKET_LOCK_INITIALIZER \
	{                       \
		0, 0            \
	}

void ticket_lock_acquire(ticket_lock_t *lock);
/* Acquire if free (no ticket waiting or served): true on success. */
bool ticket_lock_try_acquire(ticket_lock_t *lock);
void ticket_lock_release(ticket_lock_t *lock);

#endif
