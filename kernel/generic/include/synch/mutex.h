/*
 * Mutexes: sleeping locks for code that may block (address spaces, tasks).
 *
 * A thread that finds the mutex held sleeps on its wait queue (once the
 * scheduler exists; before that, and in interrupt context, a mutex must not
 * be used).  Not recursive: taking a mutex twice, or releasing one held by
 * another thread, panics.  mutex_locked_by_me() is for asserts.
 *
 * Cost: an uncontended lock is one compare-and-swap of the owner word from
 * 0 to the current thread, an uncontended unlock one compare-and-swap back
 * to 0, both inline; the out-of-line slow paths (synch/mutex.c, with the
 * protocol) run only when the word says otherwise.  The unlock's CAS also
 * checks ownership for free: a word that is not exactly "me, no waiters"
 * sends it to the slow path, which panics if the caller is not the owner.
 */
#ifndef KERN_SYNCH_MUTEX_H_
#define KERN_SYNCH_MUTEX_H_

#include <debug.h>
#include <proc/cpu.h>
#include <stdbool.h>
#include <stdint.h>
#include <synch/lockcheck.h>
#include <synch/waitq.h>

/* Bit 0 of the owner word: a thread may sleep on wq, unlock must wake one. */
#define MUTEX_WAITERS ((uintptr_t) 1)

typedef struct CAPABILITY("mutex") mutex {
	uintptr_t owner; /* atomic: holding thread | MUTEX_WAITERS; 0 when free */
	unsigned waiters; /* atomic: threads inside mutex_lock_contended() */
	waitq_t wq;
	const char *name;
} mutex_t;

void mutex_initialize(mutex_t *m, const char *name);
/* The slow paths: the owner word was not 0 / not exactly the caller. */
void mutex_lock_contended(mutex_t *m) __attribute__((noinline, cold));
void mutex_unlock_contended(mutex_t *m) __attribute__((noinline, cold));

static inline bool mutex_cas(mutex_t *m, uintptr_t from, uintptr_t to, int order)
{
	return __atomic_compare_exchange_n(&m->owner, &from, to, false, order, __ATOMIC_RELAXED);
}

/* The lock functions' bodies are the primitives the analysis trusts. */
static inline void mutex_lock(mutex_t *m) ACQUIRE(m) NO_THREAD_SAFETY_ANALYSIS
{
	uintptr_t self = (uintptr_t) cpu_current_thread();
	assert(self != 0);
	if (__builtin_expect(!mutex_cas(m, 0, self, __ATOMIC_ACQUIRE), 0))
		mutex_lock_contended(m);
}

static inline bool mutex_trylock(mutex_t *m) TRY_ACQUIRE(true, m) NO_THREAD_SAFETY_ANALYSIS
{
	uintptr_t self = (uintptr_t) cpu_current_thread();
	assert(self != 0);
	return mutex_cas(m, 0, self, __ATOMIC_ACQUIRE);
}

static inline void mutex_unlock(mutex_t *m) RELEASE(m) NO_THREAD_SAFETY_ANALYSIS
{
	uintptr_t self = (uintptr_t) cpu_current_thread();
	if (__builtin_expect(!mutex_cas(m, self, 0, __ATOMIC_RELEASE), 0))
		mutex_unlock_contended(m);
}

static inline bool mutex_locked(const mutex_t *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) != 0;
}

static inline bool mutex_locked_by_me(const mutex_t *m)
{
	uintptr_t o = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
	return (o & ~MUTEX_WAITERS) == (uintptr_t) cpu_current_thread();
}

/* assert(mutex_locked_by_me(m)), which also tells the lock analysis that
 * @a m is held from here on: for callbacks and for locks reached through
 * another expression than the one the caller locked (op->as->lock). */
static inline void mutex_assert_held(const mutex_t *m) ASSERT_CAPABILITY(m)
{
	assert(mutex_locked_by_me(m));
}

#endif
