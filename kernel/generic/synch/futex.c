/*
 * Futexes (synch/futex.h).
 *
 * Waiters hang in hash buckets keyed by (address space, user address),
 * each bucket a list under a spinlock with a wake sequence number.  The
 * word is read without the bucket's lock (the read may fault and wait
 * for a pager: no lock is held across that), so a wait is:
 *
 *   1. under the lock, note the bucket's sequence number;
 *   2. read the word (copy_from_uspace); another value: EAGAIN;
 *   3. under the lock again: if the sequence moved, a wake came since 1
 *      (perhaps for this word, after its owner changed it): EAGAIN, the
 *      caller reads again; else queue a waiter (on the waiting thread's
 *      stack, with a wait queue of its own) and sleep on its queue.
 *
 * A wake takes the lock, bumps the sequence and wakes matching waiters
 * (off the list, marked, waitq_wakeup_one: a wakeup before the sleeper
 * sleeps is remembered by the wait queue).  So a wake that follows a
 * store to the word either comes before step 1 (then step 2 reads the
 * new value) or after it (then step 3 sees the sequence moved, or the
 * waiter is queued and is woken): no wakeup is lost.  A waiter whose
 * sleep ends by timeout or interrupt takes itself off the list under the
 * lock, so a waker never touches a waiter's stack after it returned.
 *
 * Lock order: a bucket's lock -> the waiter's waitq lock (inside
 * waitq_wakeup) -> the scheduler's.  Rejected: a lock per futex word
 * (memory per word the kernel would have to track and free).
 */
#include <adt/list.h>
#include <mm/as.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <synch/futex.h>
#include <synch/spinlock.h>
#include <synch/waitq.h>

#define FUTEX_BUCKETS 64

typedef struct futex_waiter {
	link_t link;
	struct as *as;
	uintptr_t addr;
	waitq_t wq;
	bool woken; /* taken off the list by a waker (bucket lock) */
} futex_waiter_t;

typedef struct futex_bucket {
	spinlock_t lock;
	list_t waiters; /* lock */
	uint64_t seq; /* lock: bumped by every wake */
} futex_bucket_t;

static futex_bucket_t futex_buckets[FUTEX_BUCKETS];
static bool futex_ready;
static spinlock_t futex_init_lock = SPINLOCK_INITIALIZER("futex_init");

static futex_bucket_t *futex_bucket(const struct as *as, uintptr_t addr)
{
	if (!__atomic_load_n(&futex_ready, __ATOMIC_ACQUIRE)) {
		spinlock_lock(&futex_init_lock);
		if (!futex_ready) {
			for (unsigned i = 0; i < FUTEX_BUCKETS; i++) {
				spinlock_initialize(&futex_buckets[i].lock, "futex_bucket");
				list_initialize(&futex_buckets[i].waiters);
			}
			__atomic_store_n(&futex_ready, true, __ATOMIC_RELEASE);
		}
		spinlock_unlock(&futex_init_lock);
	}
	uint64_t h = ((uintptr_t) as ^ (addr >> 2)) * 0x9e3779b97f4a7c15ull;
	return &futex_buckets[(h >> 32) % FUTEX_BUCKETS];
}

static uint64_t futex_seq(futex_bucket_t *b)
{
	spinlock_lock(&b->lock);
	uint64_t seq = b->seq;
	spinlock_unlock(&b->lock);
	return seq;
}

errno_t futex_wait(uspace_ptr_t addr, uint32_t expected, uint64_t usec)
{
	if (addr.addr % sizeof(uint32_t))
		return EINVAL;
	struct as *as = TASK->as;
	futex_bucket_t *b = futex_bucket(as, addr.addr);
	uint64_t seq = futex_seq(b);
	uint32_t now;
	errno_t rc = copy_from_uspace(&now, addr, sizeof(now));
	if (rc != EOK)
		return rc;
	if (now != expected)
		return EAGAIN;
	futex_waiter_t w = { .as = as, .addr = addr.addr };
	waitq_initialize(&w.wq);
	link_initialize(&w.link);
	spinlock_lock(&b->lock);
	bool moved = b->seq != seq;
	if (!moved)
		list_append(&w.link, &b->waiters);
	spinlock_unlock(&b->lock);
	if (moved)
		return EAGAIN;
	rc = waitq_sleep(&w.wq, usec, WAITQ_INTERRUPTIBLE);
	spinlock_lock(&b->lock);
	if (!w.woken)
		list_remove(&w.link); /* timed out or interrupted, not woken */
	else
		rc = EOK; /* woken: whatever else ended the sleep too */
	spinlock_unlock(&b->lock);
	return rc;
}

errno_t futex_wake(uspace_ptr_t addr, uint32_t count, uint32_t *woken)
{
	*woken = 0;
	if (addr.addr % sizeof(uint32_t))
		return EINVAL;
	struct as *as = TASK->as;
	futex_bucket_t *b = futex_bucket(as, addr.addr);
	spinlock_lock(&b->lock);
	b->seq++;
	link_t *l = list_first(&b->waiters);
	while (l && *woken < count) {
		link_t *next = list_next(l, &b->waiters);
		futex_waiter_t *w = list_get_instance(l, futex_waiter_t, link);
		if (w->as == as && w->addr == addr.addr) {
			list_remove(&w->link);
			w->woken = true;
			waitq_wakeup_one(&w->wq);
			(*woken)++;
		}
		l = next;
	}
	spinlock_unlock(&b->lock);
	return EOK;
}
