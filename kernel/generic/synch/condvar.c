/* Condition variables (see synch/condvar.h). */
#include <debug.h>
#include <synch/condvar.h>

void condvar_initialize(condvar_t *cv)
{
	waitq_initialize(&cv->wq);
}

errno_t condvar_wait_flags(condvar_t *cv, mutex_t *m, uint64_t usec, unsigned flags)
{
	assert(mutex_locked_by_me(m));
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&cv->wq.lock.lock);
	mutex_unlock(m); /* a signal now waits for cv's lock: it cannot be lost */
	errno_t rc = waitq_sleep_locked(&cv->wq, usec, flags, ipl);
	mutex_lock(m);
	return rc;
}

errno_t condvar_wait(condvar_t *cv, mutex_t *m, uint64_t usec)
{
	return condvar_wait_flags(cv, m, usec, 0);
}

void condvar_signal(condvar_t *cv)
{
	waitq_signal(&cv->wq);
}

void condvar_broadcast(condvar_t *cv)
{
	waitq_broadcast(&cv->wq);
}
