/*
 * Wait queues (see synch/waitq.h).
 *
 * Sleeping: with the queue's lock held and interrupts off, the thread
 * records where it sleeps, joins the sleeper list (and the timeout list),
 * marks itself SLEEPING and switches away; the queue lock is dropped
 * before the switch, interrupts stay off until it runs again, so on this
 * CPU no wakeup can slip in between.  A wakeup removes the thread from the
 * queue and the timeout list under the queue lock and makes it ready.
 *
 * Timeouts: one list sorted by deadline (timeout_lock).  The timer tick
 * takes timeout_lock and then, against the usual order (waitq lock ->
 * timeout_lock), only *tries* the sleeper's queue lock; if that fails the
 * timeout is handled on the next tick.  So no lock order is ever inverted.
 */
#include <arch/arch.h>
#include <debug.h>
#include <proc/scheduler.h>
#include <proc/thread.h>
#include <synch/waitq.h>
#include <time/timer.h>

static spinlock_t timeout_lock = SPINLOCK_INITIALIZER("timeouts");
static list_t timeouts GUARDED_BY(timeout_lock) = { .head = { &timeouts.head, &timeouts.head } };

void waitq_initialize(waitq_t *wq)
{
	irq_spinlock_initialize(&wq->lock, "waitq");
	list_initialize(&wq->sleepers);
	wq->missed = 0;
}

static void timeout_insert(thread_t *t)
{
	spinlock_lock(&timeout_lock);
	link_t *pos = &timeouts.head;
	list_foreach(timeouts, l)
	{
		thread_t *o = list_get_instance(l, thread_t, timeout_link);
		if (o->sleep_deadline > t->sleep_deadline) {
			pos = l;
			break;
		}
	}
	list_insert_before(&t->timeout_link, pos);
	spinlock_unlock(&timeout_lock);
}

bool waitq_take_thread_locked(waitq_t *wq, thread_t *t, errno_t result)
{
	assert(arch_interrupts_disabled() && spinlock_locked(&wq->lock.lock));
	if (t->sleep_wq != wq)
		return false;
	list_remove(&t->wq_link);
	if (link_in_use(&t->timeout_link)) {
		spinlock_lock(&timeout_lock);
		list_remove(&t->timeout_link);
		spinlock_unlock(&timeout_lock);
	}
	t->sleep_result = result;
	__atomic_store_n(&t->sleep_wq, NULL, __ATOMIC_SEQ_CST);
	return true;
}

bool waitq_wake_thread_locked(waitq_t *wq, thread_t *t, errno_t result)
{
	if (!waitq_take_thread_locked(wq, t, result))
		return false;
	scheduler_make_ready(t);
	return true;
}

errno_t waitq_sleep_locked(waitq_t *wq, uint64_t usec, unsigned flags, ipl_t ipl)
{
	return waitq_sleep_to_locked(wq, usec, flags, ipl, NULL);
}

errno_t waitq_sleep_to_locked(
    waitq_t *wq, uint64_t usec, unsigned flags, ipl_t ipl, struct thread *next)
{
	thread_t *t = THREAD;
	assert(arch_interrupts_disabled() && spinlock_locked(&wq->lock.lock));
	bool interruptible = flags & WAITQ_INTERRUPTIBLE;
	__atomic_store_n(&t->sleep_wq, wq, __ATOMIC_SEQ_CST);
	if (interruptible && __atomic_load_n(&t->interrupted, __ATOMIC_SEQ_CST)) {
		t->sleep_wq = NULL;
		spinlock_unlock(&wq->lock.lock);
		if (next)
			scheduler_make_ready(next); /* the partner runs later instead */
		arch_interrupts_restore(ipl);
		return EINTR;
	}
	t->sleep_interruptible = interruptible;
	t->sleep_result = EOK;
	list_append(&t->wq_link, &wq->sleepers);
	if (usec) {
		uint64_t ticks = (usec * TIMER_HZ + 999999) / 1000000;
		t->sleep_deadline = timer_ticks() + (ticks ? ticks : 1);
		timeout_insert(t);
	}
	if (next) {
		scheduler_sleep_to(t, next);
		spinlock_unlock(&wq->lock.lock);
		scheduler_switch_to(next);
	} else {
		scheduler_set_sleeping(t);
		spinlock_unlock(&wq->lock.lock);
		scheduler_switch();
	}
	errno_t rc = t->sleep_result;
	arch_interrupts_restore(ipl);
	return rc;
}

errno_t waitq_sleep_to(waitq_t *wq, uint64_t usec, unsigned flags, thread_t *next)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&wq->lock.lock);
	if (wq->missed > 0) {
		wq->missed--;
		spinlock_unlock(&wq->lock.lock);
		if (next)
			scheduler_make_ready(next);
		arch_interrupts_restore(ipl);
		return EOK;
	}
	return waitq_sleep_to_locked(wq, usec, flags, ipl, next);
}

errno_t waitq_sleep(waitq_t *wq, uint64_t usec, unsigned flags)
{
	return waitq_sleep_to(wq, usec, flags, NULL);
}

/* Wake the first sleeper; false if there is none.  Locked. */
static bool waitq_wake_first(waitq_t *wq) REQUIRES(wq->lock.lock)
{
	link_t *l = list_first(&wq->sleepers);
	if (!l)
		return false;
	return waitq_wake_thread_locked(wq, list_get_instance(l, thread_t, wq_link), EOK);
}

void waitq_wakeup_one_locked(waitq_t *wq)
{
	assert(arch_interrupts_disabled() && spinlock_locked(&wq->lock.lock));
	if (!waitq_wake_first(wq))
		wq->missed++;
}

void waitq_wakeup_one(waitq_t *wq)
{
	irq_spinlock_lock(&wq->lock);
	waitq_wakeup_one_locked(wq);
	irq_spinlock_unlock(&wq->lock);
}

void waitq_signal(waitq_t *wq)
{
	irq_spinlock_lock(&wq->lock);
	waitq_wake_first(wq);
	irq_spinlock_unlock(&wq->lock);
}

void waitq_broadcast(waitq_t *wq)
{
	irq_spinlock_lock(&wq->lock);
	while (waitq_wake_first(wq))
		;
	irq_spinlock_unlock(&wq->lock);
}

void waitq_timeouts_expire(uint64_t now)
{
	assert(arch_interrupts_disabled());
	spinlock_lock(&timeout_lock);
	while (!list_empty(&timeouts)) {
		thread_t *t = list_get_instance(list_first(&timeouts), thread_t, timeout_link);
		if (t->sleep_deadline > now)
			break;
		waitq_t *wq = t->sleep_wq;
		if (!wq || !spinlock_trylock(&wq->lock.lock))
			break; /* busy: try again on the next tick */
		list_remove(&t->timeout_link);
		spinlock_unlock(&timeout_lock);
		waitq_wake_thread_locked(wq, t, ETIMEOUT);
		spinlock_unlock(&wq->lock.lock);
		spinlock_lock(&timeout_lock);
	}
	spinlock_unlock(&timeout_lock);
}
