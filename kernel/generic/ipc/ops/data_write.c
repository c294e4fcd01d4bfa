/*
 * IPC_M_DATA_WRITE: arg[0] source, arg[1] size in the caller; the
 * recipient sees arg[0] = 0 and answers with its destination and the
 * bytes it takes.  The bytes are copied into a kernel buffer at send time
 * (the caller's context) and out at answer time (the answerer's), so no
 * address space is touched from another task's context.
 */
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/malloc.h>
#include <mm/uaccess.h>
#include <proc/task.h>

static errno_t data_write_send(task_t *caller, call_t *c)
{
	(void) caller; /* copy_from_uspace reads the current (the caller's) space */
	size_t size = c->msg.arg[1];
	if (size > IPC_DATA_MAX)
		return ELIMIT;
	c->st.data.size = size;
	c->st.data.buf = malloc(size ? size : 1);
	if (!c->st.data.buf)
		return ENOMEM;
	errno_t rc = copy_from_uspace(c->st.data.buf, uspace_ptr(c->msg.arg[0]), size);
	c->msg.arg[0] = 0;
	return rc;
}

static errno_t data_write_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	(void) answerer;
	(void) wb;
	if (args->arg[1] > c->st.data.size)
		return EINVAL;
	return copy_to_uspace(uspace_ptr(args->arg[0]), c->st.data.buf, args->arg[1]);
}

/* Data-write's and data-read's: their state is the same (call_t.st.data). */
void ipc_op_data_cleanup(call_t *c)
{
	free(c->st.data.buf);
	c->st.data.buf = NULL;
}

const ipc_method_ops_t ipc_op_data_write = {
	.name = "data-write",
	.user = true,
	.send = data_write_send,
	.answer = data_write_answer,
	.cleanup = ipc_op_data_cleanup,
};
