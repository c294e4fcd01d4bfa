/*
 * Condition variables, used with a mutex_t.  condvar_wait releases the
 * mutex and sleeps atomically with respect to condvar_signal/broadcast
 * (both take the condvar's queue lock), and takes the mutex again before
 * returning.  A signal with no waiter is not remembered.
 */
#ifndef KERN_SYNCH_CONDVAR_H_
#define KERN_SYNCH_CONDVAR_H_

#include <abi/errno.h>
#include <synch/mutex.h>
#include <synch/waitq.h>

typedef struct condvar {
	waitq_t wq;
} condvar_t;

void condvar_initialize(condvar_t *cv);
/* EOK, or ETIMEOUT after @a usec (0: wait forever); the mutex is held again. */
errno_t condvar_wait(condvar_t *cv, mutex_t *m, uint64_t usec) REQUIRES(m);
/* The same with waitq_sleep flags (WAITQ_INTERRUPTIBLE: may give EINTR). */
errno_t condvar_wait_flags(condvar_t *cv, mutex_t *m, uint64_t usec, unsigned flags) REQUIRES(m);
void condvar_signal(condvar_t *cv);
void condvar_broadcast(condvar_t *cv);

#endif
