/*
 * The IPC operations of a task: send, answer and forward (ipc/event.c
 * has receiving and collecting).  Each takes the task it acts for and the
 * objects it acts on; the system-call layer (syscall/sys_ipc.c) decodes
 * and checks the user's words and pointers first.  Within each operation
 * the system method's hooks (ipc/method.h) do the method's own work at
 * the places marked; the first action that cannot be undone is marked
 * "point of no return", and nothing after it fails.
 */
#include <cap/cap.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <proc/task.h>
#include <proc/thread.h>

/* Run the send hook of @a call's method (the caller's context). */
static errno_t ipc_send_prepare(task_t *caller, call_t *call)
{
	call->ops = ipc_method_ops(call->msg.method);
	if (!call->ops || !call->ops->send)
		return EOK;
	errno_t rc = ipc_hook_fail(call->msg.method, IPC_HOOK_SEND);
	return rc != EOK ? rc : call->ops->send(caller, call);
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

errno_t ipc_send_async(task_t *task, phone_t *phone, const ipc_msg_t *msg, uint64_t cookie)
{
	assert(ipc_method_user_ok(msg->method));
	errno_t rc = ipc_outstanding_take(task->box);
	if (rc != EOK)
		return rc;
	call_t *call = call_create();
	if (!call) {
		ipc_outstanding_put(task->box);
		return ENOMEM;
	}
	call->msg = *msg;
	call->cookie = cookie;
	call->sender = task->id;
	answerbox_hold(task->box);
	call->caller = task->box;
	rc = ipc_send_prepare(task, call);
	if (rc == EOK)
		rc = ipc_call_deliver(phone, call); /* point of no return when EOK */
	if (rc != EOK) {
		call_release(call);
		ipc_outstanding_put(task->box);
	}
	return rc;
}

errno_t ipc_send_sync(task_t *task, phone_t *phone, const ipc_msg_t *msg, ipc_msg_t *answer)
{
	assert(ipc_method_user_ok(msg->method));
	thread_t *t = THREAD;
	call_t *call = ipc_thread_call(t);
	if (!call)
		return ENOMEM;
	call->msg = *msg;
	call->sender = task->id;
	errno_t rc = ipc_send_prepare(task, call);
	if (rc == EOK)
		rc = ipc_call_sync(phone, call, 0);
	if (rc == EOK) {
		/* Collected here, in the caller's context, like any answer. */
		ipc_pick_t p = { .kind = IPC_EV_ANSWER, .call = call, .handle = CAP_NIL };
		ipc_event_t ev;
		ipc_event_collect(task, &p, &ev);
		ipc_event_commit(task, &p);
		*answer = ev.msg;
		rc = ev.retval;
	}
	ipc_thread_call_finish(t);
	return rc;
}

/* Take a received call back from @a task's capability table and its
 * box's dispatched list: ENOENT, ESTALE for a bad handle. */
static errno_t ipc_call_take(task_t *task, cap_handle_t h, call_t **out)
{
	void *obj;
	errno_t rc = cap_take(&task->caps, h, CAP_CALL, &obj);
	if (rc != EOK)
		return rc;
	call_t *c = obj;
	mutex_lock(&task->box->lock);
	list_remove(&c->box_link);
	mutex_unlock(&task->box->lock);
	*out = c;
	return EOK;
}

errno_t ipc_call_method(task_t *task, cap_handle_t h, uint64_t *method)
{
	void *obj;
	errno_t rc = cap_get(&task->caps, h, CAP_CALL, &obj);
	if (rc == EOK) {
		*method = ((call_t *) obj)->msg.method;
		call_release(obj);
	}
	return rc;
}

/* The answer-time work of an EOK answer (the answerer's context): EOK or
 * the error the caller gets instead. */
static errno_t ipc_answer_prepare(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wrote_back)
{
	if (!c->ops || !c->ops->answer)
		return EOK;
	errno_t rc = ipc_hook_fail(c->msg.method, IPC_HOOK_ANSWER);
	return rc != EOK ? rc : c->ops->answer(answerer, c, args, wrote_back);
}

errno_t ipc_answer(task_t *task, cap_handle_t h, errno_t retval, ipc_msg_t *args, bool *wrote_back,
    thread_t **partner)
{
	*wrote_back = false;
	if (retval < 0 || retval >= ERRNO_COUNT)
		return EINVAL;
	call_t *c;
	errno_t rc = ipc_call_take(task, h, &c); /* point of no return when EOK */
	if (rc != EOK)
		return rc;
	return ipc_answer_taken(task, c, retval, args, wrote_back, partner);
}

errno_t ipc_answer_taken(
    task_t *task, call_t *c, errno_t retval, ipc_msg_t *args, bool *wrote_back, thread_t **partner)
{
	errno_t rc = EOK;
	*wrote_back = false;
	if (retval == EOK)
		rc = ipc_answer_prepare(task, c, args, wrote_back);
	if (rc != EOK)
		retval = rc; /* the caller learns why the answer failed */
	if (retval != EOK && c->ops && c->ops->refuse)
		c->ops->refuse(task, c);
	c->answer = *args;
	c->answer.method = 0;
	ipc_call_answer_to(c, retval, partner);
	return rc;
}

errno_t ipc_forward(task_t *task, cap_handle_t h, phone_t *phone, const ipc_msg_t *msg)
{
	call_t *c;
	errno_t rc = ipc_call_take(task, h, &c); /* point of no return when EOK */
	if (rc != EOK)
		return rc;
	if (msg) {
		/* System methods keep their meaning: only their user words
		 * change, and a connect-to-me keeps its badge. */
		uint64_t method = msg->method;
		if (c->msg.method < IPC_M_FIRST_USER || method < IPC_M_FIRST_USER)
			method = c->msg.method;
		for (int i = 0; i < IPC_ARG_COUNT; i++) {
			if (!(c->msg.method == IPC_M_CONNECT_TO_ME && i == 4))
				c->msg.arg[i] = msg->arg[i];
		}
		c->msg.method = method;
	}
	rc = ipc_call_deliver(phone, c);
	if (rc != EOK)
		ipc_call_answer(c, rc); /* the original caller learns */
	return rc;
}
