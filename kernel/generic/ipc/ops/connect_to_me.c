/*
 * IPC_M_CONNECT_TO_ME: the recipient gets a phone to the caller (badge
 * arg[4]).  The phone is made at send time (to the caller's box, in its
 * context); the recipient's handle for it is made when the call is
 * received, before the call's own handle is published, and its number
 * replaces arg[4].  Every refusal (by the recipient, a failed forward, a
 * dying box) hangs the phone up quietly, and the recipient's handle for
 * it is taken back if it still holds that phone.
 */
#include <cap/cap.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <proc/task.h>

static errno_t connect_to_me_send(task_t *caller, call_t *c)
{
	c->st.to_me.given = CAP_NIL;
	c->st.to_me.phone = phone_create(caller->box, c->msg.arg[4]);
	return c->st.to_me.phone ? EOK : ENOMEM;
}

static errno_t connect_to_me_receive(task_t *receiver, call_t *c, ipc_event_t *ev)
{
	cap_handle_t ph;
	phone_hold(c->st.to_me.phone); /* the handle's reference */
	errno_t rc = cap_alloc(&receiver->caps, CAP_PHONE, c->st.to_me.phone, CAP_NIL, &ph);
	if (rc != EOK) {
		phone_release(c->st.to_me.phone);
		return rc;
	}
	ev->msg.arg[4] = (uint64_t) ph;
	c->st.to_me.given = ph;
	return EOK;
}

/* Take back the handle given, unless the recipient closed it and reused
 * the slot (taking that one out and putting it back would race with its
 * other threads). */
static void connect_to_me_take_back(task_t *receiver, call_t *c)
{
	if (c->st.to_me.given != CAP_NIL &&
	    cap_take_obj(&receiver->caps, c->st.to_me.given, CAP_PHONE, c->st.to_me.phone) == EOK)
		phone_release(c->st.to_me.phone);
	c->st.to_me.given = CAP_NIL;
}

static void connect_to_me_answered(call_t *c)
{
	if (c->retval != EOK && c->st.to_me.phone)
		phone_hangup_quiet(c->st.to_me.phone);
}

static void connect_to_me_cleanup(call_t *c)
{
	if (c->st.to_me.phone)
		phone_release(c->st.to_me.phone);
	c->st.to_me.phone = NULL;
}

const ipc_method_ops_t ipc_op_connect_to_me = {
	.name = "connect-to-me",
	.user = true,
	.send = connect_to_me_send,
	.receive = connect_to_me_receive,
	.receive_undo = connect_to_me_take_back,
	.refuse = connect_to_me_take_back,
	.answered = connect_to_me_answered,
	.cleanup = connect_to_me_cleanup,
};
