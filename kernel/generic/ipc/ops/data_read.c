/*
 * IPC_M_DATA_READ: arg[0] destination, arg[1] size in the caller; the
 * recipient sees arg[0] = 0 and answers with its source and the bytes it
 * gives.  The destination's range is checked at send time; the bytes are
 * copied into a kernel buffer at answer time (the answerer's context) and
 * out when the caller collects the answer (its own).
 */
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/malloc.h>
#include <mm/uaccess.h>
#include <proc/task.h>

static errno_t data_read_send(task_t *caller, call_t *c)
{
	(void) caller;
	if (c->msg.arg[1] > IPC_DATA_MAX)
		return ELIMIT;
	errno_t rc = uspace_range_check(uspace_ptr(c->msg.arg[0]), c->msg.arg[1]);
	c->st.data.dst = c->msg.arg[0];
	c->st.data.size = c->msg.arg[1];
	c->msg.arg[0] = 0;
	return rc;
}

static errno_t data_read_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	(void) answerer;
	(void) wb;
	if (args->arg[1] > c->st.data.size)
		return EINVAL;
	c->st.data.buf = malloc(args->arg[1] ? args->arg[1] : 1);
	if (!c->st.data.buf)
		return ENOMEM;
	return copy_from_uspace(c->st.data.buf, uspace_ptr(args->arg[0]), args->arg[1]);
}

static errno_t data_read_collect(task_t *caller, call_t *c, ipc_pick_t *p, ipc_event_t *ev)
{
	(void) caller;
	(void) p;
	(void) ev;
	return copy_to_uspace(uspace_ptr(c->st.data.dst), c->st.data.buf, c->answer.arg[1]);
}

const ipc_method_ops_t ipc_op_data_read = {
	.name = "data-read",
	.user = true,
	.send = data_read_send,
	.answer = data_read_answer,
	.collect = data_read_collect,
	.cleanup = ipc_op_data_cleanup,
};
