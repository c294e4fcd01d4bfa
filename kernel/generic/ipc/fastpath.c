/*
 * The IPC fast path: a synchronous call and its answer between a client
 * thread in SYS_IPC_CALL_SYNC and a server thread in SYS_IPC_REPLY_WAIT,
 * as in L4 and seL4.
 *
 * The cases.  A call takes the fast path when its method is a user method
 * (no system-method work), the calling thread's own call object is free,
 * and a server thread waits at the phone's box in SYS_IPC_REPLY_WAIT (a
 * register wait: its event goes to its registers and is never put back,
 * so the call need not count in the box).  Then, under the phone's and
 * the box's locks, the call goes straight onto the box's dispatched list,
 * the waiting thread is handed it and taken off its wait queue, and the
 * client sleeps on its call while the CPU goes straight to the server
 * (waitq_sleep_to_locked: no run queue, no scheduling decision).  No call
 * object is allocated, nothing is queued, nothing is copied from or to
 * user memory.  The server's answer takes the fast path when nothing else
 * waits in its box: it answers (the client is taken off its wait queue),
 * puts itself on the waiter list in the same hold of the box's lock that
 * takes the call off the dispatched list, and switches straight back to
 * the client.
 *
 * When a condition does not hold (no server thread waits, it waits in
 * SYS_IPC_WAIT, a system method, a timeout, events queued for the
 * server), nothing has been done and the general path (ipc/call.c,
 * ipc/event.c) runs; it ends in the same state.  The fast path's locks
 * are the general path's, taken in the same order (phone -> box, then the
 * waiter's and the call's wait queues), and it holds none while a thread
 * sleeps.
 *
 * Rejected: writing the message into the server's saved registers from
 * the client's context (as seL4 does).  The server still has to allocate
 * the call's handle in its own table, which it does in its own context
 * after the switch for the same cost, and the client would have to lock
 * another task's capability table.
 */
#include <cap/cap.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <time/timer.h>

/* Hand @a call to a thread waiting in SYS_IPC_REPLY_WAIT at @a phone's
 * box: false if there is none (nothing done).  *partner: that thread,
 * taken off its wait queue (NULL if it was not asleep yet: woken). */
static bool ipc_fast_hand(phone_t *phone, call_t *call, thread_t **partner)
{
	bool handed = false;
	mutex_lock(&phone->lock);
	answerbox_t *box = phone->callee;
	if (box) {
		mutex_lock(&box->lock);
		ipc_waiter_t *w = box->active && !list_empty(&box->waiters)
		    ? list_get_instance(list_first(&box->waiters), ipc_waiter_t, link)
		    : NULL;
		if (w && w->regs) {
			/* point of no return */
			answerbox_hold(box);
			call->callee = box;
			call->conn = phone->badge;
			call->via = phone->serial;
			list_append(&call->box_link, &box->dispatched);
			list_remove(&w->link);
			w->pick = (ipc_pick_t){
				.kind = IPC_EV_CALL, .call = call, .handle = CAP_NIL
			};
			__atomic_store_n(&w->handed, true, __ATOMIC_RELEASE);
			ipc_waiter_wake(w, partner);
			handed = true;
		}
		mutex_unlock(&box->lock);
	}
	mutex_unlock(&phone->lock);
	return handed;
}

bool ipc_fast_call(
    task_t *task, cap_handle_t h, const ipc_msg_t *msg, ipc_msg_t *answer, errno_t *rcp)
{
	thread_t *t = THREAD;
	call_t *call = t->ipc_call;
	phone_t *phone;
	/* The thread's call is free (ipc_thread_call_finish left it clean). */
	if (msg->method < IPC_M_FIRST_USER || !call ||
	    __atomic_load_n(&call->refcount, __ATOMIC_ACQUIRE) != 1)
		return false;
	if (phone_get(&task->caps, h, &phone) != EOK)
		return false; /* the general path says why */
	call->msg = *msg;
	call->retval = EOK;
	call->cookie = 0;
	call->sender = task->id;
	call->sync = true;
	call->answered = false;
	call->waiting = true;
	call->waiter = t;
	call->done.missed = 0; /* only we hold the call */
	call->refcount = 2; /* ours and, once handed, the list's */
	thread_t *partner = NULL;
	bool handed = ipc_fast_hand(phone, call, &partner);
	phone_release(phone);
	if (!handed) {
		call->refcount = 1;
		call->waiting = false;
		call->sync = false;
		return false;
	}
	errno_t rc = ipc_call_sync_wait(call, 0, partner);
	if (rc == EOK) {
		*answer = call->answer;
		rc = call->retval;
	}
	ipc_thread_call_finish(t);
	*rcp = rc;
	return true;
}

/* Nothing in the box for a thread waiting for any event.  box->lock held. */
static bool ipc_fast_box_idle(answerbox_t *box)
{
	assert(mutex_locked_by_me(&box->lock));
	if (!list_empty(&box->calls) || !list_empty(&box->hangups) || !list_empty(&box->irqs))
		return false;
	list_foreach(box->answers, l)
	{
		if (!(list_get_instance(l, call_t, box_link)->cookie & IPC_COOKIE_SYNC))
			return false;
	}
	return true;
}

/* The answer to a call the fast path can take, then the wait: false
 * (nothing done) if it cannot. */
static bool ipc_fast_reply_wait(task_t *task, cap_handle_t h, errno_t retval, const ipc_msg_t *args,
    uint64_t timeout_us, ipc_pick_t *p, errno_t *arc, errno_t *rcp)
{
	answerbox_t *box = task->box;
	void *obj;
	if (h == CAP_NIL || retval < 0 || retval >= ERRNO_COUNT)
		return false;
	if (cap_take(&task->caps, h, CAP_CALL, &obj) != EOK)
		return false; /* the general path says why */
	/* point of no return: the call is ours to answer */
	call_t *c = obj;
	uint64_t deadline = timeout_us ? timer_uptime_ms() * 1000 + timeout_us : 0;
	mutex_lock(&box->lock);
	list_remove(&c->box_link); /* off dispatched */
	bool idle = ipc_fast_box_idle(box);
	if (idle)
		ipc_waiter_enlist_locked(box, true);
	mutex_unlock(&box->lock);
	ipc_msg_t a = *args;
	bool wrote_back;
	thread_t *partner = NULL; /* the caller we answered: runs in our place */
	*arc = ipc_answer_taken(task, c, retval, &a, &wrote_back, &partner);
	if (idle)
		*rcp = ipc_waiter_sleep(box, deadline, partner, p);
	else
		*rcp = ipc_box_wait_to(box, timeout_us, false, true, partner, p);
	return true;
}

errno_t ipc_reply_wait(task_t *task, cap_handle_t h, errno_t retval, const ipc_msg_t *args,
    uint64_t timeout_us, bool nonblock, ipc_pick_t *p, errno_t *arc)
{
	errno_t rc;
	*arc = EOK;
	if (!nonblock && ipc_fast_reply_wait(task, h, retval, args, timeout_us, p, arc, &rc))
		return rc;
	thread_t *partner = NULL; /* the caller we answered: runs in our place */
	if (h != CAP_NIL) {
		ipc_msg_t a = *args;
		bool wrote_back; /* a SHARE_OUT's base: not reported here */
		*arc = ipc_answer(task, h, retval, &a, &wrote_back, &partner);
	}
	return ipc_box_wait_to(task->box, timeout_us, nonblock, true, partner, p);
}
