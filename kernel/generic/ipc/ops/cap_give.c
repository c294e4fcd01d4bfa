/*
 * IPC_M_CAP_GIVE: arg[0] one of the caller's handles.  The object is held
 * at send time (a reference of the call's, taken in the caller's context,
 * so a handle it does not hold never leaves it: ENOENT/ESTALE; one of a
 * kind that cannot be passed on: EINVAL); the recipient's handle for it is
 * made when the call is received, before the call's own handle is
 * published, and its number replaces arg[0].  Every refusal (by the
 * recipient, a dying box) takes the recipient's handle back if it still
 * holds that object there.  Only shareable objects (ranges) can be given:
 * they are immutable and their close only drops a reference.
 */
#include <cap/cap.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <proc/task.h>

static errno_t cap_give_send(task_t *caller, call_t *c)
{
	cap_type_t type;
	void *object;
	uint64_t h = c->msg.arg[0];
	c->st.give.object = NULL;
	c->st.give.given = CAP_NIL;
	if (h > INT32_MAX)
		return ENOENT;
	errno_t rc = cap_get_shareable(&caller->caps, (cap_handle_t) h, &type, &object);
	if (rc != EOK)
		return rc;
	c->st.give.type = type;
	c->st.give.object = object;
	return EOK;
}

static errno_t cap_give_receive(task_t *receiver, call_t *c, ipc_event_t *ev)
{
	cap_handle_t h;
	cap_type_t type = (cap_type_t) c->st.give.type;
	cap_object_hold(type, c->st.give.object); /* the handle's reference */
	errno_t rc = cap_alloc(&receiver->caps, type, c->st.give.object, CAP_NIL, &h);
	if (rc != EOK) {
		cap_object_close(type, c->st.give.object);
		return rc;
	}
	ev->msg.arg[0] = (uint64_t) h;
	c->st.give.given = h;
	return EOK;
}

/* Take back the handle given, unless the recipient dropped it (and maybe
 * reused the slot: what is there now stays). */
static void cap_give_take_back(task_t *receiver, call_t *c)
{
	cap_type_t type = (cap_type_t) c->st.give.type;
	if (c->st.give.given != CAP_NIL &&
	    cap_take_obj(&receiver->caps, c->st.give.given, type, c->st.give.object) == EOK)
		cap_object_close(type, c->st.give.object);
	c->st.give.given = CAP_NIL;
}

static void cap_give_cleanup(call_t *c)
{
	if (c->st.give.object)
		cap_object_close((cap_type_t) c->st.give.type, c->st.give.object);
	c->st.give.object = NULL;
}

const ipc_method_ops_t ipc_op_cap_give = {
	.name = "cap-give",
	.user = true,
	.send = cap_give_send,
	.receive = cap_give_receive,
	.receive_undo = cap_give_take_back,
	.refuse = cap_give_take_back,
	.cleanup = cap_give_cleanup,
};
