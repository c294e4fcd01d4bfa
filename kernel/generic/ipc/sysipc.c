/*
 * IPC system calls.  Each handler checks and unpacks its arguments before
 * it changes anything (a bad handle or pointer leaves every call where it
 * was; a wait whose final copy-out fails puts its event back, see
 * ipc_pick_t), then works in three places: at send time (the caller's
 * address space: DATA_WRITE copies the caller's bytes into a kernel
 * buffer), at answer time (the answerer's: DATA_WRITE copies them out,
 * DATA_READ copies the answerer's bytes in, CONNECT_ME_TO records the
 * accepting box) and at collection time (the caller's again: DATA_READ
 * copies out, CONNECT_ME_TO creates the caller's new phone).  No address
 * space is ever touched from another task's context.
 *
 * The register calls (SYS_IPC_CALL_SYNC, SYS_IPC_REPLY_WAIT; abi/ipc.h)
 * are the fast path of the same machinery: the message comes and goes in
 * the saved user registers (sysargs_t), so nothing is copied from or to
 * user memory; a synchronous call uses its thread's own call object
 * (ipc_thread_call), is not counted as outstanding (a thread has at most
 * one) and its answer goes straight to the waiting thread (call_t.sync);
 * a call to a box where a thread waits is handed to that thread without
 * queueing, and the woken partner runs next without a scheduling
 * decision (ipc.c).  When any of that cannot be (the box is busy, the
 * call is forwarded, a system method needs its collection work), the
 * same general code runs and the results are the same.
 */
#include <debug.h>
#include <ipc/ipc.h>
#include <mm/as.h>
#include <mm/malloc.h>
#include <mm/pager.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>
#include <time/timer.h>

static bool ipc_method_user_ok(uint64_t m)
{
	return m >= IPC_M_FIRST_USER || m == IPC_M_CONNECT_ME_TO || m == IPC_M_CONNECT_TO_ME ||
	    m == IPC_M_DATA_WRITE || m == IPC_M_DATA_READ || m == IPC_M_SHARE_OUT ||
	    m == IPC_M_SHARE_IN;
}

/* Send-time work of system methods, in the caller's context. */
static errno_t ipc_send_prepare(call_t *call)
{
	ipc_msg_t *m = &call->msg;
	errno_t rc = EOK;
	switch (m->method) {
	case IPC_M_DATA_WRITE:
		if (m->arg[1] > IPC_DATA_MAX)
			return ELIMIT;
		call->data_size = m->arg[1];
		call->data = malloc(call->data_size ? call->data_size : 1);
		if (!call->data)
			return ENOMEM;
		rc = copy_from_uspace(call->data, uspace_ptr(m->arg[0]), call->data_size);
		m->arg[0] = 0;
		return rc;
	case IPC_M_DATA_READ:
		if (m->arg[1] > IPC_DATA_MAX)
			return ELIMIT;
		rc = uspace_range_check(uspace_ptr(m->arg[0]), m->arg[1]);
		call->data_dst = m->arg[0];
		call->data_size = m->arg[1];
		m->arg[0] = 0;
		return rc;
	case IPC_M_CONNECT_TO_ME:
		call->new_phone = phone_create(TASK->box, m->arg[4]);
		return call->new_phone ? EOK : ENOMEM;
	case IPC_M_SHARE_OUT:
		/* Snapshot the binding now: the call keeps a phone reference, not
		 * the caller's address space (a server sitting on the call must
		 * not pin a dead task's memory). */
		if (m->arg[1] & ~(uint64_t) AS_AREA_RIGHTS)
			return EINVAL;
		call->share_rights = (unsigned) m->arg[1];
		return as_share_snapshot(TASK->as, m->arg[0], call->share_rights, &call->share);
	case IPC_M_SHARE_IN:
		if (m->arg[1] & ~(uint64_t) AS_AREA_RIGHTS)
			return EINVAL;
		call->share_rights = (unsigned) m->arg[1];
		call->share_hint = m->arg[2];
		return EOK;
	default:
		return EOK;
	}
}

/* Reserve one outstanding-call slot of the caller: ELIMIT. */
static errno_t ipc_outstanding_take(answerbox_t *box)
{
	errno_t rc = EOK;
	mutex_lock(&box->lock);
	if (box->outstanding >= IPC_CALLS_MAX)
		rc = ELIMIT;
	else
		box->outstanding++;
	mutex_unlock(&box->lock);
	return rc;
}

static void ipc_outstanding_put(answerbox_t *box)
{
	mutex_lock(&box->lock);
	box->outstanding--;
	mutex_unlock(&box->lock);
}

sysarg_t sys_ipc_call(const sysargs_t *a)
{
	ipc_msg_t msg;
	phone_t *phone;
	task_t *task = TASK;
	errno_t rc = copy_from_uspace(&msg, uspace_ptr(a->a[1]), sizeof(msg));
	if (rc != EOK)
		return rc;
	if (!ipc_method_user_ok(msg.method))
		return EINVAL;
	rc = phone_get(&task->caps, (cap_handle_t) a->a[0], &phone);
	if (rc != EOK)
		return rc;
	rc = ipc_outstanding_take(task->box);
	call_t *call = rc == EOK ? call_create() : NULL;
	if (rc == EOK && !call)
		rc = ENOMEM;
	if (rc == EOK) {
		call->msg = msg;
		call->cookie = a->a[2];
		call->sender = task->id;
		answerbox_hold(task->box);
		call->caller = task->box;
		rc = ipc_send_prepare(call);
		if (rc == EOK)
			rc = ipc_call_deliver(phone, call);
		if (rc != EOK) {
			call_release(call);
			ipc_outstanding_put(task->box);
		}
	} else if (rc == ENOMEM) {
		ipc_outstanding_put(task->box);
	}
	phone_release(phone);
	return rc;
}

sysarg_t sys_ipc_hangup(const sysargs_t *a)
{
	void *obj;
	errno_t rc = cap_take(&TASK->caps, (cap_handle_t) a->a[0], CAP_PHONE, &obj);
	if (rc != EOK)
		return rc;
	phone_hangup(obj);
	phone_release(obj);
	return EOK;
}

/* SHARE_IN answer: the caller's area, kept in @a p until settled. */
static errno_t ipc_collect_share_in(ipc_pick_t *p, ipc_event_t *ev)
{
	call_t *c = p->call;
	uintptr_t base = 0;
	/* a non-zero "where" is an exact placement */
	errno_t rc = as_share_create(TASK->as, c->share_hint,
	    c->share_rights | (c->share_hint ? AS_AREA_FIXED : 0), &c->share, &base);
	p->area = rc == EOK ? base : 0;
	ev->msg.arg[0] = base;
	return rc;
}

/* CONNECT_ME_TO answer: the caller's new phone and its handle, kept in
 * @a p until settled. */
static errno_t ipc_collect_connect(ipc_pick_t *p, ipc_event_t *ev)
{
	call_t *c = p->call;
	cap_handle_t h = CAP_NIL;
	p->phone = c->connect_box ? phone_create(c->connect_box, c->connect_badge) : NULL;
	errno_t rc = p->phone ? cap_alloc(&TASK->caps, CAP_PHONE, p->phone, CAP_NIL, &h) : ENOMEM;
	p->handle = rc == EOK ? h : CAP_NIL;
	ev->msg.arg[0] = (uint64_t) p->handle;
	return rc;
}

/* Collect an answer in the caller's context: finish system methods.  The
 * call itself is left as it was (the answer may have to go back). */
static void ipc_collect_answer(ipc_pick_t *p, ipc_event_t *ev)
{
	call_t *c = p->call;
	errno_t rc = c->retval;
	ev->msg = c->answer;
	if (rc == EOK && c->msg.method == IPC_M_DATA_READ)
		rc = copy_to_uspace(uspace_ptr(c->data_dst), c->data, c->answer.arg[1]);
	else if (rc == EOK && c->msg.method == IPC_M_SHARE_IN)
		rc = ipc_collect_share_in(p, ev);
	else if (rc == EOK && c->msg.method == IPC_M_CONNECT_ME_TO)
		rc = ipc_collect_connect(p, ev);
	ev->kind = IPC_EV_ANSWER;
	ev->cookie = c->cookie;
	ev->retval = rc;
	ev->msg.method = c->msg.method;
}

/* Deliver a call to the receiving thread: a call handle, and what the
 * recipient must see of system methods.  EOK or ELIMIT (no handle free:
 * the call was answered ELIMIT and is settled). */
static errno_t ipc_receive_call(ipc_pick_t *p, ipc_event_t *ev)
{
	task_t *task = TASK;
	call_t *c = p->call;
	cap_handle_t h, ph = CAP_NIL;
	errno_t rc = EOK;
	ev->kind = IPC_EV_CALL;
	ev->msg = c->msg;
	ev->sender = c->sender;
	ev->conn = c->conn;
	c->given_phone = CAP_NIL;
	/* Everything about the call is settled before its handle is published:
	 * once it is in the table, a sibling thread may answer it at once. */
	if (c->msg.method == IPC_M_CONNECT_TO_ME) {
		phone_hold(c->new_phone);
		rc = cap_alloc(&task->caps, CAP_PHONE, c->new_phone, CAP_NIL, &ph);
		if (rc != EOK)
			phone_release(c->new_phone);
		ev->msg.arg[4] = (uint64_t) ph;
		c->given_phone = ph; /* taken back if the recipient refuses */
	}
	if (rc == EOK)
		rc = cap_alloc(&task->caps, CAP_CALL, c, CAP_NIL, &h);
	if (rc != EOK) {
		if (ph != CAP_NIL && cap_take_obj(&task->caps, ph, CAP_PHONE, c->new_phone) == EOK)
			phone_release(c->new_phone);
		mutex_lock(&task->box->lock);
		list_remove(&c->box_link);
		task->box->calls_count--; /* settled: answered below */
		mutex_unlock(&task->box->lock);
		ipc_call_answer(c, rc);
		return rc;
	}
	p->handle = h;
	ev->call = h;
	return EOK;
}

/* What user space is to see of @a p: EOK, or the error of a call that
 * could not be received (it is settled). */
static errno_t ipc_pick_prepare(ipc_pick_t *p, ipc_event_t *ev)
{
	switch (p->kind) {
	case IPC_EV_ANSWER:
		ipc_collect_answer(p, ev);
		return EOK;
	case IPC_EV_HANGUP:
		ev->kind = IPC_EV_HANGUP;
		ev->conn = p->notice->conn;
		return EOK;
	default:
		return ipc_receive_call(p, ev);
	}
}

/* The event reached user space (or a sibling thread took a handle made
 * for it): it stops counting in the box, and what was kept for it goes. */
static void ipc_pick_commit(answerbox_t *box, ipc_pick_t *p)
{
	ipc_pick_commit_counts(box, p);
	if (p->kind == IPC_EV_ANSWER) {
		if (p->phone && p->handle == CAP_NIL) {
			/* no handle for it: the caller learns ELIMIT, the server a hangup */
			phone_hangup(p->phone);
			phone_release(p->phone);
		}
		if (p->counted)
			call_release(p->call); /* (a synchronous call is its thread's) */
	}
	free(p->notice);
}

/* Take back the handles published for a received call: false if a
 * sibling thread took the call's handle meanwhile (the call is its now). */
static bool ipc_receive_undo(ipc_pick_t *p)
{
	cap_table_t *caps = &TASK->caps;
	call_t *c = p->call;
	if (cap_take_obj(caps, p->handle, CAP_CALL, c) != EOK)
		return false;
	if (c->given_phone != CAP_NIL &&
	    cap_take_obj(caps, c->given_phone, CAP_PHONE, c->new_phone) == EOK)
		phone_release(c->new_phone);
	c->given_phone = CAP_NIL;
	return true;
}

/* Undo the phone or area made for an answer: false if a sibling thread
 * took the phone's handle meanwhile (the answer is its now). */
static bool ipc_collect_undo(ipc_pick_t *p)
{
	if (p->handle != CAP_NIL &&
	    cap_take_obj(&TASK->caps, p->handle, CAP_PHONE, p->phone) != EOK)
		return false;
	if (p->phone) {
		phone_hangup_quiet(p->phone); /* the server never learns of it */
		phone_release(p->phone);
	}
	if (p->area)
		(void) as_area_destroy(TASK->as, p->area); /* ENOENT: already unmapped */
	return true;
}

/* The copy-out failed: undo what was made for the event and put it back
 * at the head of its queue, still counted. */
static void ipc_pick_undo(answerbox_t *box, ipc_pick_t *p)
{
	bool back = true;
	if (p->kind == IPC_EV_CALL)
		back = ipc_receive_undo(p);
	else if (p->kind == IPC_EV_ANSWER)
		back = ipc_collect_undo(p);
	if (back)
		ipc_pick_put_back(box, p);
	else
		ipc_pick_commit(box, p);
}

sysarg_t sys_ipc_wait(const sysargs_t *a)
{
	uspace_ptr_t out = uspace_ptr(a->a[0]);
	unsigned flags = (unsigned) a->a[2];
	ipc_event_t ev = { 0 };
	if (flags & ~(IPC_WAIT_NONBLOCK | IPC_WAIT_FOR_COOKIE))
		return EINVAL;
	/* Prove the buffer first: a bad one fails before anything is taken. */
	errno_t rc = copy_to_uspace(out, &ev, sizeof(ev));
	if (rc != EOK)
		return rc;
	answerbox_t *box = TASK->box;
	ipc_pick_t p;
	rc = ipc_box_wait(
	    box, a->a[1], flags & IPC_WAIT_NONBLOCK, flags & IPC_WAIT_FOR_COOKIE, a->a[3], &p);
	if (rc == EOK)
		rc = ipc_pick_prepare(&p, &ev);
	if (rc != EOK)
		return rc;
	/* A sibling thread may have unmapped the buffer while we slept: then
	 * the event goes back, as if this wait had never taken it. */
	rc = copy_to_uspace(out, &ev, sizeof(ev));
	if (rc == EOK)
		ipc_pick_commit(box, &p);
	else
		ipc_pick_undo(box, &p);
	return rc;
}

/* Answer-time work of system methods, in the answerer's context: EOK, or
 * the error the caller gets instead (EFAULT, EINVAL, ENOMEM). */
static errno_t ipc_answer_prepare(call_t *c, ipc_msg_t *args)
{
	switch (c->msg.method) {
	case IPC_M_DATA_WRITE:
		if (args->arg[1] > c->data_size)
			return EINVAL;
		return copy_to_uspace(uspace_ptr(args->arg[0]), c->data, args->arg[1]);
	case IPC_M_DATA_READ:
		if (args->arg[1] > c->data_size)
			return EINVAL;
		c->data = malloc(args->arg[1] ? args->arg[1] : 1);
		if (!c->data)
			return ENOMEM;
		return copy_from_uspace(c->data, uspace_ptr(args->arg[0]), args->arg[1]);
	case IPC_M_CONNECT_ME_TO:
		answerbox_hold(TASK->box);
		c->connect_box = TASK->box;
		c->connect_badge = args->arg[0];
		return EOK;
	case IPC_M_SHARE_OUT: {
		unsigned rights = (unsigned) args->arg[1];
		if (rights & ~c->share_rights)
			return EPERM;
		uintptr_t base = 0;
		errno_t rc = as_share_create(TASK->as, args->arg[0],
		    rights | (args->arg[0] ? AS_AREA_FIXED : 0), &c->share, &base);
		args->arg[0] = base;
		return rc;
	}
	case IPC_M_SHARE_IN:
		/* snapshot ours now; the caller's copy is made when it collects */
		return as_share_snapshot(TASK->as, args->arg[0], c->share_rights, &c->share);
	default:
		return EOK;
	}
}

/* A refused CONNECT_TO_ME: the phone given at delivery is hung up. */
static void ipc_answer_refuse_connect(call_t *c)
{
	/* (ipc_call_answer hangs the phone up; here the handle goes.)  The
	 * recipient may have closed the handle and reused it for another
	 * phone, which stays: taking that one out and putting it back would
	 * race with its other threads (and leak it if one took the slot). */
	if (c->given_phone != CAP_NIL &&
	    cap_take_obj(&TASK->caps, c->given_phone, CAP_PHONE, c->new_phone) == EOK)
		phone_release(c->new_phone);
}

/* Take a received call back from the caller's own capability table and
 * its dispatched list: ENOENT for a bad handle. */
static errno_t ipc_call_take(cap_handle_t h, call_t **out)
{
	void *obj;
	errno_t rc = cap_take(&TASK->caps, h, CAP_CALL, &obj);
	if (rc != EOK)
		return rc;
	call_t *c = obj;
	mutex_lock(&TASK->box->lock);
	list_remove(&c->box_link);
	mutex_unlock(&TASK->box->lock);
	*out = c;
	return EOK;
}

/* Answer the received call @a h with @a retval and @a args (the answer
 * words; SHARE_OUT writes the new area's base into args->arg[0]): EOK, an
 * error with nothing answered (bad handle or retval), or the error the
 * answer met on the way (the caller then learns it instead of EOK).
 * *wrote_back: args now carries a result for the answerer. */
static errno_t ipc_answer_call(
    cap_handle_t h, errno_t retval, ipc_msg_t *args, bool *wrote_back, thread_t **partner)
{
	*wrote_back = false;
	if (retval < 0 || retval >= ERRNO_COUNT)
		return EINVAL;
	call_t *c;
	errno_t rc = ipc_call_take(h, &c);
	if (rc != EOK)
		return rc;
	if (retval == EOK && c->sender == 0 && c->msg.method == IPC_M_PAGE_IN)
		rc = pager_answer_prepare(c, args); /* the frames, while they are ours */
	else if (retval == EOK)
		rc = ipc_answer_prepare(c, args);
	if (rc != EOK)
		retval = rc; /* the caller learns why the answer failed */
	if (retval != EOK && c->msg.method == IPC_M_CONNECT_TO_ME)
		ipc_answer_refuse_connect(c);
	*wrote_back = retval == EOK && c->msg.method == IPC_M_SHARE_OUT;
	c->answer = *args;
	c->answer.method = 0;
	ipc_call_answer_to(c, retval, partner);
	return rc;
}

sysarg_t sys_ipc_answer(const sysargs_t *a)
{
	ipc_msg_t args = { 0 };
	uspace_ptr_t uargs = uspace_ptr(a->a[2]);
	errno_t rc = uspace_ptr_is_null(uargs) ? EOK : copy_from_uspace(&args, uargs, sizeof(args));
	if (rc != EOK)
		return rc;
	bool write_back;
	rc = ipc_answer_call((cap_handle_t) a->a[0], (errno_t) a->a[1], &args, &write_back, NULL);
	/* SHARE_OUT: tell the answerer where the shared area landed */
	if (write_back && !uspace_ptr_is_null(uargs))
		rc = copy_to_uspace(uargs, &args, sizeof(args));
	return rc;
}

sysarg_t sys_ipc_forward(const sysargs_t *a)
{
	ipc_msg_t msg;
	phone_t *phone;
	unsigned flags = (unsigned) a->a[3];
	errno_t rc = EOK;
	if (flags & ~IPC_FORWARD_REPLACE)
		return EINVAL;
	if (flags & IPC_FORWARD_REPLACE) {
		rc = copy_from_uspace(&msg, uspace_ptr(a->a[2]), sizeof(msg));
		if (rc != EOK)
			return rc;
	}
	rc = phone_get(&TASK->caps, (cap_handle_t) a->a[1], &phone);
	if (rc != EOK)
		return rc; /* the call stays ours */
	call_t *c;
	rc = ipc_call_take((cap_handle_t) a->a[0], &c);
	if (rc == EOK && (flags & IPC_FORWARD_REPLACE)) {
		/* System methods keep their meaning: only their user words change. */
		if (c->msg.method < IPC_M_FIRST_USER || msg.method < IPC_M_FIRST_USER)
			msg.method = c->msg.method;
		for (int i = 0; i < IPC_ARG_COUNT; i++) {
			if (!(c->msg.method == IPC_M_CONNECT_TO_ME && i == 4))
				c->msg.arg[i] = msg.arg[i];
		}
		c->msg.method = msg.method;
	}
	if (rc == EOK) {
		errno_t drc = ipc_call_deliver(phone, c);
		if (drc != EOK)
			ipc_call_answer(c, drc); /* the original caller learns */
		rc = drc;
	}
	phone_release(phone);
	return rc;
}

/* ---- the register calls (the fast path) ---- */

/* The message of a register call: method in rsi, words in rdx, r10, r8,
 * r9, r12 (abi/ipc.h). */
static ipc_msg_t ipc_regs_msg(const sysargs_t *r)
{
	return (
	    ipc_msg_t){ .method = r->a[1], .arg = { r->a[2], r->a[3], r->a[4], r->a[5], r->r12 } };
}

static void ipc_regs_set_words(sysargs_t *r, const ipc_msg_t *m)
{
	r->a[2] = m->arg[0];
	r->a[3] = m->arg[1];
	r->a[4] = m->arg[2];
	r->a[5] = m->arg[3];
	r->r12 = m->arg[4];
}

sysarg_t sys_ipc_call_sync(const sysargs_t *a)
{
	sysargs_t *r = (sysargs_t *) a; /* the answer goes back in the saved registers */
	task_t *task = TASK;
	ipc_msg_t msg = ipc_regs_msg(a);
	phone_t *phone;
	if (!ipc_method_user_ok(msg.method))
		return EINVAL;
	errno_t rc = phone_get(&task->caps, (cap_handle_t) a->a[0], &phone);
	if (rc != EOK)
		return rc;
	call_t *call = ipc_thread_call(THREAD);
	if (!call) {
		phone_release(phone);
		return ENOMEM;
	}
	call->msg = msg;
	call->sender = task->id;
	rc = ipc_send_prepare(call);
	if (rc == EOK)
		rc = ipc_call_sync(phone, call, 0);
	phone_release(phone);
	if (rc == EOK) {
		/* Collected here, in the caller's context, like any answer. */
		ipc_pick_t p = { .kind = IPC_EV_ANSWER, .call = call, .handle = CAP_NIL };
		ipc_event_t ev;
		ipc_collect_answer(&p, &ev);
		ipc_pick_commit(task->box, &p);
		ipc_regs_set_words(r, &ev.msg);
		rc = ev.retval;
	}
	ipc_thread_call_finish(THREAD);
	return rc;
}

/* The event of a register wait into the saved registers (abi/ipc.h). */
static void ipc_regs_set_event(sysargs_t *r, const ipc_event_t *ev)
{
	r->a[0] = (uint32_t) ev->call | (uint64_t) ev->kind << 32;
	r->a[1] = ev->msg.method;
	ipc_regs_set_words(r, &ev->msg);
	r->r13 = ev->conn;
	r->r14 = ev->sender;
	r->r15 = ev->cookie;
}

sysarg_t sys_ipc_reply_wait(const sysargs_t *a)
{
	sysargs_t *r = (sysargs_t *) a; /* the event goes back in the saved registers */
	cap_handle_t h = (cap_handle_t) a->a[0];
	unsigned flags = (unsigned) a->r14;
	if (a->r14 & ~(sysarg_t) IPC_WAIT_NONBLOCK)
		return EINVAL;
	errno_t arc = EOK;
	thread_t *partner = NULL; /* the caller we answered: runs in our place */
	if (h != CAP_NIL) {
		ipc_msg_t args = ipc_regs_msg(a);
		bool wrote_back; /* a SHARE_OUT's base: not reported here */
		arc = ipc_answer_call(h, (errno_t) a->a[1], &args, &wrote_back, &partner);
	}
	answerbox_t *box = TASK->box;
	ipc_event_t ev = { .call = CAP_NIL };
	ipc_pick_t p;
	errno_t rc = ipc_box_wait_to(box, a->r13, flags & IPC_WAIT_NONBLOCK, partner, &p);
	if (rc == EOK)
		rc = ipc_pick_prepare(&p, &ev);
	if (rc == EOK) {
		/* Registers cannot fault: the event is delivered now. */
		ipc_pick_commit(box, &p);
		ipc_regs_set_event(r, &ev);
	}
	r->rbx = (uint32_t) ev.retval | (uint64_t) (uint32_t) arc << 32;
	return rc;
}
