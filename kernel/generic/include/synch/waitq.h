/*
 * Wait queues: the one primitive threads sleep on.
 *
 * waitq_sleep() puts the current thread to sleep until a waitq_wakeup()
 * (or the timeout).  A wakeup with nobody asleep is remembered (a missed
 * wakeup), so the usual "check condition, then sleep" race cannot lose it
 * when the condition is published before the wakeup.
 *
 * Lock: waitq_t.lock (IRQ spinlock) protects the sleeper list and the
 * missed-wakeup count; it is taken after any lock of the caller's and
 * before the scheduler's run-queue lock.
 */
#ifndef KERN_SYNCH_WAITQ_H_
#define KERN_SYNCH_WAITQ_H_

#include <abi/errno.h>
#include <adt/list.h>
#include <stdbool.h>
#include <stdint.h>
#include <synch/spinlock.h>

typedef struct waitq {
	irq_spinlock_t lock;
	list_t sleepers;
	unsigned missed;
} waitq_t;

#define WAITQ_FOREVER 0

void waitq_initialize(waitq_t *wq);
/* EOK when woken, ETIMEOUT after @a usec microseconds (0: no timeout). */
errno_t waitq_sleep(waitq_t *wq, uint64_t usec);
/* Wake one sleeper (or remember the wakeup) / wake every sleeper. */
void waitq_wakeup_one(waitq_t *wq);
void waitq_wakeup_all(waitq_t *wq);

#endif
