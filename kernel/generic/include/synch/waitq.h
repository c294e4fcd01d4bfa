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
/* waitq_sleep flags */
#define WAITQ_INTERRUPTIBLE (1u << 0) /* thread_interrupt() ends the sleep: EINTR */

void waitq_initialize(waitq_t *wq);
/* EOK when woken, ETIMEOUT after @a usec microseconds (0: no timeout),
 * EINTR when interrupted (WAITQ_INTERRUPTIBLE only). */
errno_t waitq_sleep(waitq_t *wq, uint64_t usec, unsigned flags);
/* The same with wq->lock.lock already held and interrupts disabled (the
 * state to restore afterwards is @a ipl); the lock is released. */
errno_t waitq_sleep_locked(waitq_t *wq, uint64_t usec, unsigned flags, ipl_t ipl)
    RELEASE(wq->lock.lock);
/* Wake one sleeper, or remember the wakeup if nobody sleeps. */
void waitq_wakeup_one(waitq_t *wq);
/* The same with wq->lock.lock held and interrupts disabled. */
void waitq_wakeup_one_locked(waitq_t *wq) REQUIRES(wq->lock.lock);
/* Wake one sleeper / every sleeper; nothing is remembered if none. */
void waitq_signal(waitq_t *wq);
void waitq_broadcast(waitq_t *wq);
/* Timer hook: end the sleeps whose timeout has passed. */
void waitq_timeouts_expire(uint64_t now_ticks);

struct thread;
/* Wake @a t from @a wq with @a result if it still sleeps there (interrupts
 * off, wq->lock.lock held). */
bool waitq_wake_thread_locked(waitq_t *wq, struct thread *t, errno_t result)
    REQUIRES(wq->lock.lock);
/* The same, but @a t is not made ready: the caller owns it and must run it
 * next (waitq_sleep_to_locked) or make it ready (scheduler_make_ready). */
bool waitq_take_thread_locked(waitq_t *wq, struct thread *t, errno_t result)
    REQUIRES(wq->lock.lock);
/* waitq_sleep_locked that hands the CPU straight to @a next (a thread taken
 * with waitq_take_thread_locked; NULL: the scheduler picks), the direct
 * switch of the IPC fast path.  If the sleep ends at once (interrupted),
 * @a next is made ready instead. */
errno_t waitq_sleep_to_locked(waitq_t *wq, uint64_t usec, unsigned flags, ipl_t ipl,
    struct thread *next) RELEASE(wq->lock.lock);
/* waitq_sleep with the same hand-over to @a next (made ready instead if a
 * missed wakeup ends the sleep at once). */
errno_t waitq_sleep_to(waitq_t *wq, uint64_t usec, unsigned flags, struct thread *next);

#endif
