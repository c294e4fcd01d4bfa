/*
 * IPC_M_CONNECT_ME_TO: a new phone to whoever accepts.  The accepting
 * server's box and badge are recorded at answer time (in the server's
 * context); the caller's phone and its handle are made when the caller
 * collects the answer (in its own context), and kept in the pick until
 * the event is settled.
 */
#include <cap/cap.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <proc/task.h>

static errno_t connect_me_to_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	(void) wb;
	answerbox_hold(answerer->box);
	c->st.me_to.box = answerer->box;
	c->st.me_to.badge = args->arg[0];
	return EOK;
}

static errno_t connect_me_to_collect(task_t *caller, call_t *c, ipc_pick_t *p, ipc_event_t *ev)
{
	cap_handle_t h = CAP_NIL;
	p->phone = c->st.me_to.box ? phone_create(c->st.me_to.box, c->st.me_to.badge) : NULL;
	errno_t rc = p->phone ? cap_alloc(&caller->caps, CAP_PHONE, p->phone, CAP_NIL, &h) : ENOMEM;
	p->handle = rc == EOK ? h : CAP_NIL;
	ev->msg.arg[0] = (uint64_t) p->handle;
	return rc;
}

/* The event goes back: the phone goes (the server never learns of it),
 * unless a sibling thread took its handle meanwhile (then it is theirs). */
static bool connect_me_to_collect_undo(task_t *caller, ipc_pick_t *p)
{
	if (p->handle != CAP_NIL &&
	    cap_take_obj(&caller->caps, p->handle, CAP_PHONE, p->phone) != EOK)
		return false;
	if (p->phone) {
		phone_hangup_quiet(p->phone);
		phone_release(p->phone);
	}
	return true;
}

/* Delivered: a phone that got no handle is hung up (the caller learned
 * the error, the server learns a hangup). */
static void connect_me_to_collect_commit(ipc_pick_t *p)
{
	if (p->phone && p->handle == CAP_NIL) {
		phone_hangup(p->phone);
		phone_release(p->phone);
	}
}

static void connect_me_to_cleanup(call_t *c)
{
	if (c->st.me_to.box)
		answerbox_release(c->st.me_to.box);
	c->st.me_to.box = NULL;
}

const ipc_method_ops_t ipc_op_connect_me_to = {
	.name = "connect-me-to",
	.user = true,
	.answer = connect_me_to_answer,
	.collect = connect_me_to_collect,
	.collect_undo = connect_me_to_collect_undo,
	.collect_commit = connect_me_to_collect_commit,
	.cleanup = connect_me_to_cleanup,
};
