/*
 * Mutexes (see synch/mutex.h): the slow paths and the protocol.
 *
 * The owner word is the lock.  Free: 0.  Held: the holder's thread_t
 * address, with bit 0 (MUTEX_WAITERS) set when a thread may be asleep on
 * wq.  The fast paths in mutex.h are one compare-and-swap each: lock
 * 0 -> me, unlock me -> 0.  Everything else comes here:
 *
 *   lock, found held:   waiters++; then loop on the word w:
 *                         w == 0:     take it (CAS 0 -> me, with the bit if
 *                                     others are counted in waiters), done
 *                         bit clear:  CAS w -> w | bit (retry on failure)
 *                         bit set:    sleep on wq, then look again
 *                       waiters-- once it is ours
 *   unlock, bit set:    word = 0; if waiters > 0, wake one sleeper
 *
 * Why no wakeup is lost: a thread sleeps only after seeing the bit set in
 * the holder's word, and only the holder's unlock clears the bit, by the
 * slow path, which then wakes one.  The woken thread (or, if the wakeup
 * found nobody asleep yet, the thread whose sleep the wait queue's
 * remembered wakeup ends at once) looks at the word again: it either takes
 * the lock with the bit set again, because every other sleeper is still
 * counted in waiters, or sets the bit in the word of whoever took it
 * first.  Either way the next unlock wakes the next sleeper.  Both the
 * taker's read of waiters and the unlocker's store of 0 followed by its
 * read of waiters are sequentially consistent: the unlocker cannot miss a
 * waiter that saw its bit, and a taker cannot miss a waiter that saw the
 * previous holder's bit.  A wakeup nobody needed costs one more look.
 *
 * Rejected: the owner word with a separate waiter count and a plain store
 * to unlock (the previous form): its unlock had to load the count after the
 * store and, in debug builds, load and compare the owner first (about
 * eight instructions inline, against four); the bit makes the unlock one
 * CAS that also proves ownership.  Before that: a guard spinlock around
 * owner and waiters, two interrupt-mask flips and a lock round trip per
 * call.
 */
#include <debug.h>
#include <proc/thread.h>
#include <synch/mutex.h>

void mutex_initialize(mutex_t *m, const char *name)
{
	m->owner = 0;
	m->waiters = 0;
	waitq_initialize(&m->wq);
	m->name = name;
}

/* Take a free mutex (word seen 0); false if somebody else was faster. */
static bool mutex_take_after_wait(mutex_t *m, uintptr_t self)
{
	uintptr_t want = self;
	if (__atomic_load_n(&m->waiters, __ATOMIC_SEQ_CST) > 1)
		want |= MUTEX_WAITERS; /* others are still counted: our unlock wakes one */
	return mutex_cas(m, 0, want, __ATOMIC_SEQ_CST);
}

void mutex_lock_contended(mutex_t *m)
{
	uintptr_t self = (uintptr_t) cpu_current_thread();
	assert(self != 0 && (self & MUTEX_WAITERS) == 0);
	uintptr_t w = __atomic_load_n(&m->owner, __ATOMIC_SEQ_CST);
	if ((w & ~MUTEX_WAITERS) == self)
		panic("mutex %s: locked again by its holder", m->name);
	__atomic_add_fetch(&m->waiters, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if (w == 0) {
			if (mutex_take_after_wait(m, self))
				break;
		} else if ((w & MUTEX_WAITERS) ||
		    mutex_cas(m, w, w | MUTEX_WAITERS, __ATOMIC_SEQ_CST)) {
			waitq_sleep(&m->wq, WAITQ_FOREVER, 0);
		}
		w = __atomic_load_n(&m->owner, __ATOMIC_SEQ_CST);
	}
	__atomic_sub_fetch(&m->waiters, 1, __ATOMIC_SEQ_CST);
}

void mutex_unlock_contended(mutex_t *m)
{
	uintptr_t self = (uintptr_t) cpu_current_thread();
	uintptr_t w = __atomic_load_n(&m->owner, __ATOMIC_SEQ_CST);
	if ((w & ~MUTEX_WAITERS) != self || self == 0)
		panic("mutex %s: unlocked by a thread that does not hold it", m->name);
	/* w == self | MUTEX_WAITERS: only the holder clears the bit. */
	__atomic_store_n(&m->owner, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->waiters, __ATOMIC_SEQ_CST) > 0)
		waitq_wakeup_one(&m->wq);
}
