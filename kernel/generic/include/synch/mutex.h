/*
 * Mutexes: sleeping locks for code that may block (address spaces, tasks).
 *
 * A thread that finds the mutex held sleeps on its wait queue (once the
 * scheduler exists; before that, and in interrupt context, a mutex must not
 * be contended).  Not recursive.  mutex_locked_by_me() is for asserts.
 */
#ifndef KERN_SYNCH_MUTEX_H_
#define KERN_SYNCH_MUTEX_H_

#include <stdbool.h>
#include <synch/spinlock.h>
#include <synch/waitq.h>

typedef struct mutex {
	struct thread *owner; /* atomic: NULL when free */
	unsigned waiters; /* atomic: threads that may be asleep on wq */
	waitq_t wq;
	const char *name;
} mutex_t;

void mutex_initialize(mutex_t *m, const char *name);
void mutex_lock(mutex_t *m);
bool mutex_trylock(mutex_t *m);
void mutex_unlock(mutex_t *m);
bool mutex_locked(const mutex_t *m);
bool mutex_locked_by_me(const mutex_t *m);

#endif
