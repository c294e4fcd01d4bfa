/*
 * IPC: answerboxes, phones and calls.
 *
 * A call is created by its sender (a task through SYS_IPC_CALL, or the
 * kernel through ipc_kcall), queued on the callee's answerbox (calls),
 * moved to dispatched when a thread of the callee receives it (it gets a
 * call capability then), and, once answered, queued on the caller's box
 * (answers) until the caller collects it -- or, for a kernel call, handed
 * to the kernel thread waiting for it.  The call's one "list reference"
 * follows it from list to list; a waiting kernel thread holds a second.
 *
 * Failure is always an answer: a call that cannot reach anyone (callee
 * dead, phone hung up, queue full) is refused at send time with EHANGUP or
 * ELIMIT; a call that was queued or received when its callee died, or that
 * came through a phone that hangs up before it was received, is answered
 * EHANGUP (a call knows its phone by the phone's unique serial, never by
 * its address, which a later phone may reuse: see call_t).  So every
 * sender learns the fate of every call it made, and nothing waits forever
 * on a task that is gone.
 *
 * Bounds: IPC_ANSWERBOX_MAX calls queued per box, IPC_CALLS_MAX calls
 * outstanding per sending task (checked by the syscall layer), one notice
 * per hung-up phone.
 *
 * Locks: phone_t.lock -> answerbox_t.lock.  A box's lists and their
 * counts (calls and calls_count, hangups and notices, answers and
 * outstanding, dispatched) change only together and under the box's lock.
 * A call queued on a box's calls or answers list is protected by that
 * box's lock; a call on dispatched or on no list belongs to the one thread
 * that took it (the receiver until it publishes the call's handle, then
 * whoever takes the handle back: an answer, a forward, the task's end).
 * answered/waiting of synchronous calls are protected by the call's own
 * wait-queue lock.  Rejected: one global IPC lock (simple, but every call
 * in the system would serialize on it).
 */
#include <cap/cap.h>
#include <ddi/irq.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/as.h>
#include <mm/malloc.h>
#include <mm/slab.h>
#include <proc/scheduler.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <time/timer.h>

static slab_cache_t call_cache;
static uint64_t phone_serial_last; /* atomic: the last serial given out */
static answerbox_t *ns_box;
static mutex_t ns_lock;

static void ipc_box_wake_all_locked(answerbox_t *box);

static void phone_cap_hold(void *phone)
{
	phone_hold(phone);
}

/* A dying task's phone: hung up (the callee learns), then released. */
static void phone_cap_close(void *phone)
{
	phone_hangup(phone);
	phone_release(phone);
}

/* A dying task's received call: nothing to do here, the call is on its
 * box's dispatched list and is answered EHANGUP when the box dies. */
static void call_cap_close(void *call)
{
	(void) call;
}

/* A look at a received call (ipc_call_method): released by the looker. */
static void call_cap_hold(void *call)
{
	call_hold(call);
}

static void phone_cap_info(const void *phone, cap_info_t *out)
{
	(void) phone;
	out->kind = CAP_KIND_PHONE;
}

/* Whether nobody waits for @a call's answer any more: a synchronous
 * caller gave up (or ended), an asynchronous caller's task ended.  Kernel
 * calls have no caller to lose.  (The cap table lock may be held: the
 * call's and the box's locks come after it.) */
static bool call_abandoned(call_t *call)
{
	bool gone = false;
	if (call->sync) {
		irq_spinlock_lock(&call->done.lock);
		gone = !call->waiting;
		irq_spinlock_unlock(&call->done.lock);
	} else if (call->caller) {
		answerbox_t *box = call->caller;
		mutex_lock(&box->lock);
		gone = !box->active;
		mutex_unlock(&box->lock);
	}
	return gone;
}

static void call_cap_info(const void *call, cap_info_t *out)
{
	out->kind = CAP_KIND_CALL;
	if (call_abandoned((call_t *) call)) /* takes the call's lock: not const */
		out->flags |= CAP_INFO_CALL_ABANDONED;
}

/* SYS_CAP_DROP of a phone hangs it up (as SYS_IPC_HANGUP); a received
 * call cannot be dropped (it must be answered or forwarded).  Neither may
 * be copied to another task's table: they are not shareable. */
static const cap_type_ops_t phone_cap_ops = {
	.name = "phone", .hold = phone_cap_hold, .close = phone_cap_close, .info = phone_cap_info
};
static const cap_type_ops_t call_cap_ops = { .name = "call",
	.hold = call_cap_hold,
	.close = call_cap_close,
	.info = call_cap_info,
	.no_drop = true };

void ipc_init(void)
{
	errno_t rc = slab_cache_init(&call_cache, "ipc-call", sizeof(call_t), 16);
	assert(rc == EOK);
	mutex_initialize(&ns_lock, "ns");
	cap_type_register(CAP_PHONE, &phone_cap_ops);
	cap_type_register(CAP_CALL, &call_cap_ops);
}

errno_t phone_get(cap_table_t *caps, cap_handle_t h, phone_t **out)
{
	void *obj;
	errno_t rc = cap_get(caps, h, CAP_PHONE, &obj);
	if (rc == EOK)
		*out = obj;
	return rc;
}

answerbox_t *answerbox_create(task_id_t owner)
{
	answerbox_t *box = calloc(1, sizeof(*box));
	if (!box)
		return NULL;
	mutex_initialize(&box->lock, "answerbox");
	list_initialize(&box->waiters);
	condvar_initialize(&box->cv_cookie);
	box->active = true;
	box->owner = owner;
	list_initialize(&box->calls);
	list_initialize(&box->dispatched);
	list_initialize(&box->answers);
	list_initialize(&box->hangups);
	list_initialize(&box->irqs);
	box->refcount = 1;
	return box;
}

void answerbox_hold(answerbox_t *box)
{
	__atomic_add_fetch(&box->refcount, 1, __ATOMIC_ACQ_REL);
}

void answerbox_release(answerbox_t *box)
{
	if (__atomic_sub_fetch(&box->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	assert(!box->active && list_empty(&box->calls) && list_empty(&box->answers));
	free(box);
}

phone_t *phone_create(answerbox_t *box, uint64_t badge)
{
	phone_t *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	mutex_initialize(&p->lock, "phone");
	answerbox_hold(box);
	p->callee = box;
	p->badge = badge;
	/* 64 bits: never wraps, so never the serial of a phone still named by a call */
	p->serial = __atomic_add_fetch(&phone_serial_last, 1, __ATOMIC_RELAXED);
	p->refcount = 1;
	return p;
}

void phone_hold(phone_t *phone)
{
	__atomic_add_fetch(&phone->refcount, 1, __ATOMIC_ACQ_REL);
}

void phone_release(phone_t *phone)
{
	if (__atomic_sub_fetch(&phone->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (phone->callee)
		answerbox_release(phone->callee);
	free(phone);
}

call_t *call_create(void)
{
	call_t *c = slab_alloc(&call_cache);
	if (!c)
		return NULL;
	*c = (call_t){ 0 };
	link_initialize(&c->box_link);
	waitq_initialize(&c->done);
	c->refcount = 1;
	return c;
}

void call_hold(call_t *c)
{
	__atomic_add_fetch(&c->refcount, 1, __ATOMIC_ACQ_REL);
}

/* Drop what the call holds (references, the method's state). */
static void call_drop_resources(call_t *c)
{
	if (c->ops && c->ops->cleanup)
		c->ops->cleanup(c);
	if (c->callee)
		answerbox_release(c->callee);
	if (c->caller)
		answerbox_release(c->caller);
}

void call_release(call_t *c)
{
	if (__atomic_sub_fetch(&c->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	call_drop_resources(c);
	slab_free(&call_cache, c);
}

size_t ipc_calls_live(void)
{
	return slab_cache_live(&call_cache);
}

call_t *ipc_thread_call(thread_t *t)
{
	call_t *c = t->ipc_call;
	if (c && __atomic_load_n(&c->refcount, __ATOMIC_ACQUIRE) == 1) {
		/* Only ours: the last call is over, reuse the object. */
		call_drop_resources(c);
		*c = (call_t){ 0 };
		link_initialize(&c->box_link);
		waitq_initialize(&c->done);
		c->refcount = 1;
		return c;
	}
	if (c)
		call_release(c); /* still held by an abandoned call */
	t->ipc_call = call_create();
	return t->ipc_call;
}

void ipc_thread_call_finish(thread_t *t)
{
	call_t *c = t->ipc_call;
	if (!c || __atomic_load_n(&c->refcount, __ATOMIC_ACQUIRE) != 1)
		return; /* none, or abandoned: dropped at the next ipc_thread_call */
	call_drop_resources(c);
	c->callee = c->caller = NULL;
	c->ops = NULL;
}

void ipc_thread_exiting(thread_t *t)
{
	if (t->ipc_call)
		call_release(t->ipc_call);
	t->ipc_call = NULL;
}

errno_t ipc_call_deliver(phone_t *phone, call_t *call)
{
	return ipc_call_deliver_to(phone, call, NULL);
}

errno_t ipc_call_deliver_to(phone_t *phone, call_t *call, thread_t **partner)
{
	if (!call->ops)
		call->ops = ipc_method_ops(call->msg.method); /* a kernel call's */
	errno_t rc = EOK;
	mutex_lock(&phone->lock);
	answerbox_t *box = phone->callee;
	if (!box) {
		mutex_unlock(&phone->lock);
		return EHANGUP;
	}
	mutex_lock(&box->lock);
	if (!box->active)
		rc = EHANGUP;
	else if (box->calls_count >= IPC_ANSWERBOX_MAX && call->sender != 0)
		rc = ELIMIT; /* kernel calls (page-ins, notices) are bounded by
			      * their senders, never refused for a full box */
	if (rc == EOK) {
		if (call->callee)
			answerbox_release(call->callee); /* forwarded on */
		answerbox_hold(box);
		call->callee = box;
		call->conn = phone->badge;
		call->via = phone->serial;
		list_append(&call->box_link, &box->calls);
		box->calls_count++;
		ipc_box_hand_locked(box, partner); /* straight to a waiting thread */
	}
	mutex_unlock(&box->lock);
	mutex_unlock(&phone->lock);
	return rc;
}

/* Hand a synchronous call's answer to the thread waiting for it.  With
 * @a partner, the waiter is taken off its wait queue for the caller to
 * switch to (the fast path: the answerer is about to sleep); otherwise it
 * is woken, and runs next (the scheduler's handoff). */
void ipc_call_complete_sync(call_t *call, thread_t **partner)
{
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&call->done.lock.lock);
	call->answered = true;
	thread_t *t = call->waiting ? call->waiter : NULL; /* alive: it waits */
	if (t && partner && waitq_take_thread_locked(&call->done, t, EOK)) {
		*partner = t;
	} else {
		waitq_wakeup_one_locked(&call->done);
		if (t)
			scheduler_handoff(t);
	}
	spinlock_unlock(&call->done.lock.lock);
	arch_interrupts_restore(ipl);
	call_release(call); /* the list reference */
}

void ipc_call_answer(call_t *call, errno_t retval)
{
	ipc_call_answer_to(call, retval, NULL);
}

void ipc_call_answer_to(call_t *call, errno_t retval, thread_t **partner)
{
	call->retval = retval;
	if (call->ops && call->ops->answered)
		call->ops->answered(call);
	if (call->sync) {
		ipc_call_complete_sync(call, partner);
		return;
	}
	answerbox_t *box = call->caller;
	if (!box) {
		call_release(call); /* a kernel notification: nobody waits */
		return;
	}
	mutex_lock(&box->lock);
	bool deliver = box->active;
	if (deliver) {
		list_append(&call->box_link, &box->answers);
		condvar_broadcast(&box->cv_cookie);
		if (!(call->cookie & IPC_COOKIE_SYNC))
			ipc_box_hand_locked(box, NULL);
	}
	mutex_unlock(&box->lock);
	if (!deliver)
		call_release(call); /* the caller is gone */
}

/* Take the calls that came through the phone with @a serial out of
 * @a box's queue. */
static void ipc_box_take_phone_calls(answerbox_t *box, uint64_t serial, list_t *out)
{
	assert(mutex_locked_by_me(&box->lock));
	link_t *l = list_first(&box->calls);
	while (l) {
		link_t *next = list_next(l, &box->calls);
		call_t *c = list_get_instance(l, call_t, box_link);
		if (c->via == serial) {
			list_remove(l);
			box->calls_count--;
			list_append(l, out);
		}
		l = next;
	}
}

/* Close @a phone; with @a notify the callee gets a hangup notice (unless
 * it already holds IPC_NOTICES_MAX unread ones: the bound on notices). */
static errno_t phone_close(phone_t *phone, bool notify)
{
	list_t orphans;
	list_initialize(&orphans);
	mutex_lock(&phone->lock);
	answerbox_t *box = phone->callee;
	if (!box) {
		mutex_unlock(&phone->lock);
		return ENOENT;
	}
	phone->callee = NULL;
	ipc_notice_t *n = notify ? malloc(sizeof(*n)) : NULL;
	mutex_lock(&box->lock);
	if (box->active) {
		ipc_box_take_phone_calls(box, phone->serial, &orphans);
		if (n && box->notices < IPC_NOTICES_MAX) {
			n->conn = phone->badge;
			list_append(&n->link, &box->hangups);
			box->notices++;
			n = NULL;
		} else if (notify) {
			box->notices_lost++;
		}
		ipc_box_hand_locked(box, NULL);
	}
	mutex_unlock(&box->lock);
	mutex_unlock(&phone->lock);
	free(n);
	answerbox_release(box);
	while (!list_empty(&orphans)) {
		call_t *c = list_get_instance(list_first(&orphans), call_t, box_link);
		list_remove(&c->box_link);
		ipc_call_answer(c, EHANGUP);
	}
	return EOK;
}

errno_t phone_hangup(phone_t *phone)
{
	return phone_close(phone, true);
}

errno_t phone_hangup_quiet(phone_t *phone)
{
	return phone_close(phone, false);
}

errno_t ipc_call_sync(phone_t *phone, call_t *call, uint64_t timeout_us)
{
	assert(!call->caller);
	call->sync = true;
	call->waiting = true;
	call->waiter = THREAD;
	call_hold(call); /* the list's reference; the caller keeps its own */
	thread_t *partner = NULL; /* a receiver taken to run in our place */
	errno_t rc = ipc_call_deliver_to(phone, call, &partner);
	if (rc != EOK) {
		call->waiting = false;
		call_release(call);
		return rc;
	}
	return ipc_call_sync_wait(call, timeout_us, partner);
}

errno_t ipc_call_sync_wait(call_t *call, uint64_t timeout_us, thread_t *partner)
{
	errno_t wrc = EOK;
	for (;;) {
		ipl_t ipl = arch_interrupts_disable();
		spinlock_lock(&call->done.lock.lock);
		bool answered = call->answered;
		if (answered || wrc != EOK) {
			if (!answered)
				call->waiting = false; /* abandoned: the answer is dropped */
			spinlock_unlock(&call->done.lock.lock);
			arch_interrupts_restore(ipl);
			if (partner)
				scheduler_make_ready(partner); /* answered before we slept */
			return answered ? EOK : wrc;
		}
		wrc = waitq_sleep_to_locked(
		    &call->done, timeout_us, WAITQ_INTERRUPTIBLE, ipl, partner);
		partner = NULL;
	}
}

errno_t ipc_kcall_wait(phone_t *phone, call_t *call, uint64_t timeout_us)
{
	call->sender = 0;
	return ipc_call_sync(phone, call, timeout_us);
}

errno_t ipc_kcall(
    phone_t *phone, const ipc_msg_t *msg, uint64_t timeout_us, errno_t *retval, ipc_msg_t *answer)
{
	call_t *call = call_create();
	if (!call)
		return ENOMEM;
	call->msg = *msg;
	errno_t rc = ipc_kcall_wait(phone, call, timeout_us);
	if (rc == EOK) {
		*retval = call->retval;
		*answer = call->answer;
	}
	call_release(call);
	return rc;
}

errno_t ipc_kcall_notify(phone_t *phone, const ipc_msg_t *msg)
{
	call_t *call = call_create();
	if (!call)
		return ENOMEM;
	call->msg = *msg;
	errno_t rc = ipc_call_deliver(phone, call);
	if (rc != EOK)
		call_release(call);
	return rc;
}

/* ---- waiting for events ---- */

/* Find the first answer for this waiter.  box->lock held. */
static call_t *ipc_pick_answer(answerbox_t *box, bool cookie_only, uint64_t cookie)
{
	assert(mutex_locked_by_me(&box->lock));
	list_foreach(box->answers, l)
	{
		call_t *c = list_get_instance(l, call_t, box_link);
		bool sync = c->cookie & IPC_COOKIE_SYNC;
		if (cookie_only ? c->cookie == cookie : !sync)
			return c;
	}
	return NULL;
}

/* Take the next event for this waiter off the box (it stays counted: see
 * ipc_pick_t).  box->lock held. */
static bool ipc_pick_locked(answerbox_t *box, bool cookie_only, uint64_t cookie, ipc_pick_t *p)
{
	assert(mutex_locked_by_me(&box->lock));
	*p = (ipc_pick_t){ .handle = CAP_NIL, .counted = true };
	call_t *c = ipc_pick_answer(box, cookie_only, cookie);
	if (c) {
		list_remove(&c->box_link);
		p->kind = IPC_EV_ANSWER;
		p->call = c;
		return true;
	}
	if (cookie_only)
		return false;
	link_t *l = list_first(&box->hangups);
	if (l) {
		list_remove(l);
		p->kind = IPC_EV_HANGUP;
		p->notice = list_get_instance(l, ipc_notice_t, link);
		return true;
	}
	if (irq_box_pick_locked(box, p))
		return true;
	l = list_first(&box->calls);
	if (l) {
		list_remove(l);
		list_append(l, &box->dispatched);
		p->kind = IPC_EV_CALL;
		p->call = list_get_instance(l, call_t, box_link);
		return true;
	}
	return false;
}

/* Wake waiter @a w, which was handed an event: with @a partner (and none
 * taken yet) take its thread off its wait queue for the caller to switch
 * to; otherwise wake it, to run next.  box->lock held: the waiter cannot
 * leave before this is done. */
void ipc_waiter_wake(ipc_waiter_t *w, thread_t **partner)
{
	thread_t *t = list_get_instance(w, thread_t, ipc_wait);
	ipl_t ipl = arch_interrupts_disable();
	spinlock_lock(&w->wq.lock.lock);
	if (partner && !*partner && waitq_take_thread_locked(&w->wq, t, EOK)) {
		*partner = t;
	} else {
		waitq_wakeup_one_locked(&w->wq); /* (remembered if not asleep yet) */
		scheduler_handoff(t);
	}
	spinlock_unlock(&w->wq.lock.lock);
	arch_interrupts_restore(ipl);
}

/* Hand queued events to the threads waiting for any event, the longest
 * waiting first: each gets its event taken for it and is woken (so a call
 * to a server thread that waits is never queued for long, and the woken
 * thread needs no box lock to find it); the first may be taken as the
 * caller's @a partner (ipc_waiter_wake).  box->lock held. */
void ipc_box_hand_locked(answerbox_t *box, thread_t **partner)
{
	assert(mutex_locked_by_me(&box->lock));
	while (!list_empty(&box->waiters)) {
		ipc_waiter_t *w = list_get_instance(list_first(&box->waiters), ipc_waiter_t, link);
		if (!ipc_pick_locked(box, false, 0, &w->pick))
			return;
		list_remove(&w->link);
		__atomic_store_n(&w->handed, true, __ATOMIC_RELEASE);
		ipc_waiter_wake(w, partner);
	}
}

/* The box dies: every thread waiting for any event wakes with nothing. */
static void ipc_box_wake_all_locked(answerbox_t *box)
{
	assert(mutex_locked_by_me(&box->lock));
	while (!list_empty(&box->waiters)) {
		ipc_waiter_t *w = list_get_instance(list_first(&box->waiters), ipc_waiter_t, link);
		list_remove(&w->link);
		waitq_wakeup_one(&w->wq);
	}
}

/* Sleep on the waiter list until an event is handed to us: EOK with it in
 * *p, ETIMEOUT at @a deadline_us (0: none), EINTR when interrupted or the
 * box died.  Called with box->lock held; returns with it released. */
void ipc_waiter_enlist_locked(answerbox_t *box, bool regs)
{
	assert(mutex_locked_by_me(&box->lock));
	ipc_waiter_t *w = &THREAD->ipc_wait;
	irq_spinlock_lock(&w->wq.lock);
	w->wq.missed = 0; /* a wakeup that came too late for an earlier wait */
	irq_spinlock_unlock(&w->wq.lock);
	w->handed = false;
	w->regs = regs;
	list_append(&w->link, &box->waiters);
}

errno_t ipc_waiter_sleep(answerbox_t *box, uint64_t deadline_us, thread_t *partner, ipc_pick_t *p)
{
	ipc_waiter_t *w = &THREAD->ipc_wait;
	errno_t rc = EOK;
	for (;;) {
		uint64_t now = deadline_us ? timer_uptime_ms() * 1000 : 0;
		if (deadline_us && now >= deadline_us) {
			rc = ETIMEOUT;
			if (partner)
				scheduler_make_ready(partner);
		} else {
			rc = waitq_sleep_to(&w->wq, deadline_us ? deadline_us - now : 0,
			    WAITQ_INTERRUPTIBLE, partner);
		}
		partner = NULL;
		if (__atomic_load_n(&w->handed, __ATOMIC_ACQUIRE))
			break; /* an event that came with a timeout is taken too */
		mutex_lock(&box->lock);
		bool handed = w->handed, listed = link_in_use(&w->link);
		if (!handed && listed && rc != EOK)
			list_remove(&w->link);
		mutex_unlock(&box->lock);
		if (handed)
			break;
		if (rc != EOK || !listed)
			return rc != EOK ? rc : EINTR;
	}
	*p = w->pick;
	return EOK;
}

/* Wait for the answer with @a cookie (IPC_WAIT_FOR_COOKIE).  box->lock
 * held on entry and on return. */
static errno_t ipc_box_wait_cookie(answerbox_t *box, uint64_t deadline_us, bool nonblock,
    uint64_t cookie, ipc_pick_t *p) REQUIRES(box->lock)
{
	errno_t rc = EOK;
	/* An answer that came with the timeout (or the interrupt) is taken. */
	while (!ipc_pick_locked(box, true, cookie, p)) {
		if (rc != EOK)
			return rc;
		uint64_t now = timer_uptime_ms() * 1000;
		if (nonblock || (deadline_us && now >= deadline_us))
			return ETIMEOUT;
		rc = condvar_wait_flags(&box->cv_cookie, &box->lock,
		    deadline_us ? deadline_us - now : 0, WAITQ_INTERRUPTIBLE);
	}
	return EOK;
}

errno_t ipc_box_wait(answerbox_t *box, uint64_t timeout_us, bool nonblock, bool cookie_only,
    uint64_t cookie, ipc_pick_t *p)
{
	if (cookie_only) {
		/* The timeout is a deadline: wakeups that bring nothing do not restart it. */
		uint64_t deadline = timeout_us ? timer_uptime_ms() * 1000 + timeout_us : 0;
		mutex_lock(&box->lock);
		errno_t rc = ipc_box_wait_cookie(box, deadline, nonblock, cookie, p);
		mutex_unlock(&box->lock);
		return rc;
	}
	return ipc_box_wait_to(box, timeout_us, nonblock, false, NULL, p);
}

errno_t ipc_box_wait_to(answerbox_t *box, uint64_t timeout_us, bool nonblock, bool regs,
    thread_t *partner, ipc_pick_t *p)
{
	uint64_t deadline = timeout_us ? timer_uptime_ms() * 1000 + timeout_us : 0;
	mutex_lock(&box->lock);
	bool got = ipc_pick_locked(box, false, 0, p);
	if (got || nonblock) {
		mutex_unlock(&box->lock);
		if (partner)
			scheduler_make_ready(partner); /* we are not going to sleep */
		return got ? EOK : ETIMEOUT;
	}
	ipc_waiter_enlist_locked(box, regs);
	mutex_unlock(&box->lock);
	return ipc_waiter_sleep(box, deadline, partner, p);
}

void ipc_pick_commit_counts(answerbox_t *box, ipc_pick_t *p)
{
	if (!p->counted)
		return;
	mutex_lock(&box->lock);
	/* A box dies only after the last thread of its task left the kernel. */
	assert(box->active);
	if (p->kind == IPC_EV_ANSWER)
		box->outstanding--;
	else if (p->kind == IPC_EV_HANGUP)
		box->notices--;
	else
		box->calls_count--;
	mutex_unlock(&box->lock);
}

void ipc_pick_put_back(answerbox_t *box, ipc_pick_t *p)
{
	mutex_lock(&box->lock);
	assert(box->active && (p->counted || p->kind == IPC_EV_IRQ));
	/* At the head: it was the first there for this waiter, so every
	 * waiter still sees its events in order. */
	if (p->kind == IPC_EV_IRQ) {
		irq_box_put_back_locked(box, p);
	} else if (p->kind == IPC_EV_HANGUP) {
		list_prepend(&p->notice->link, &box->hangups);
	} else if (p->kind == IPC_EV_ANSWER) {
		list_prepend(&p->call->box_link, &box->answers);
		condvar_broadcast(&box->cv_cookie);
	} else {
		list_remove(&p->call->box_link); /* off dispatched */
		list_prepend(&p->call->box_link, &box->calls);
	}
	ipc_box_hand_locked(box, NULL); /* others may have gone to sleep meanwhile */
	mutex_unlock(&box->lock);
}

struct as *answerbox_as_hold(answerbox_t *box)
{
	struct as *as = NULL;
	mutex_lock(&box->lock);
	/* The owner releases its address space only after its box was
	 * deactivated (which clears box->task under this lock). */
	if (box->task && box->task->as) {
		as = box->task->as;
		as_hold(as);
	}
	mutex_unlock(&box->lock);
	return as;
}

/* Answer @a list's calls EHANGUP (they were taken off a dead box, whose
 * counts were cleared with them under its lock). */
static void ipc_answer_all(list_t *list)
{
	while (!list_empty(list)) {
		call_t *c = list_get_instance(list_first(list), call_t, box_link);
		list_remove(&c->box_link);
		ipc_call_answer(c, EHANGUP);
	}
}

/* Move every element of @a from to the end of @a to. */
static void list_move_all(list_t *from, list_t *to)
{
	while (!list_empty(from)) {
		link_t *l = list_first(from);
		list_remove(l);
		list_append(l, to);
	}
}

void answerbox_deactivate(answerbox_t *box)
{
	list_t calls, dispatched, answers, hangups, irqs;
	list_initialize(&irqs);
	list_initialize(&calls);
	list_initialize(&dispatched);
	list_initialize(&answers);
	list_initialize(&hangups);
	mutex_lock(&box->lock);
	box->active = false;
	box->task = NULL;
	list_move_all(&box->calls, &calls);
	list_move_all(&box->dispatched, &dispatched);
	list_move_all(&box->answers, &answers);
	list_move_all(&box->hangups, &hangups);
	irq_box_drain_locked(box, &irqs);
	/* The counts go with the lists, under the same lock. */
	box->calls_count = 0;
	box->notices = 0;
	ipc_box_wake_all_locked(box);
	condvar_broadcast(&box->cv_cookie);
	mutex_unlock(&box->lock);
	irq_box_drained(&irqs);
	ipc_answer_all(&calls);
	ipc_answer_all(&dispatched);
	while (!list_empty(&answers)) {
		call_t *c = list_get_instance(list_first(&answers), call_t, box_link);
		list_remove(&c->box_link);
		call_release(c);
	}
	while (!list_empty(&hangups)) {
		ipc_notice_t *n = list_get_instance(list_first(&hangups), ipc_notice_t, link);
		list_remove(&n->link);
		free(n);
	}
}

void ipc_task_cleanup(task_t *task)
{
	answerbox_t *box = task->box;
	/* Hang up every phone the task holds and forget its received calls. */
	cap_table_close_all(&task->caps);
	answerbox_deactivate(box);
	mutex_lock(&ns_lock);
	if (ns_box == box) {
		ns_box = NULL;
		answerbox_release(box);
	}
	mutex_unlock(&ns_lock);
}

bool ipc_ns_claim(answerbox_t *box)
{
	mutex_lock(&ns_lock);
	bool ok = ns_box == NULL;
	if (ok) {
		answerbox_hold(box);
		ns_box = box;
	}
	mutex_unlock(&ns_lock);
	return ok;
}

errno_t ipc_task_connect_ns(task_t *task)
{
	mutex_lock(&ns_lock);
	answerbox_t *box = ns_box;
	if (box)
		answerbox_hold(box);
	mutex_unlock(&ns_lock);
	if (!box)
		return ENOENT;
	phone_t *p = phone_create(box, 0);
	answerbox_release(box);
	if (!p)
		return ENOMEM;
	cap_handle_t h;
	errno_t rc = cap_alloc(&task->caps, CAP_PHONE, p, IPC_PHONE_NS, &h);
	if (rc != EOK)
		phone_release(p);
	return rc;
}
