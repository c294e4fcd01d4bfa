/*
 * IPC_M_SHARE_OUT: arg[0] the base of one of the caller's pager, phys or
 * DMA areas, arg[1] the rights offered.  The area's backing is snapshotted
 * at send time (a reference to its pager phone, range or DMA buffer, not
 * to the caller's address space: a server sitting on the call must not pin
 * a dead task's address space); the recipient accepts with where and
 * which rights it wants, and the area is made in its address space at
 * answer time.  Its base goes back to the answerer in the answer's arg[0].
 */
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/as.h>
#include <proc/task.h>

static errno_t share_out_send(task_t *caller, call_t *c)
{
	if (c->msg.arg[1] & ~(uint64_t) AS_AREA_RIGHTS)
		return EINVAL;
	c->st.share.rights = (unsigned) c->msg.arg[1];
	return as_share_snapshot(caller->as, c->msg.arg[0], c->st.share.rights, &c->st.share.src);
}

static errno_t share_out_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	unsigned rights = (unsigned) args->arg[1];
	if (args->arg[1] & ~(uint64_t) c->st.share.rights)
		return EPERM;
	uintptr_t base = 0;
	errno_t rc = as_share_create(answerer->as, args->arg[0],
	    rights | (args->arg[0] ? AS_AREA_FIXED : 0), &c->st.share.src, &base);
	if (rc == EOK) {
		args->arg[0] = base;
		*wb = true;
	}
	return rc;
}

/* Share-out's and share-in's: their state is the same (call_t.st.share). */
void ipc_op_share_cleanup(call_t *c)
{
	as_share_src_fini(&c->st.share.src);
}

const ipc_method_ops_t ipc_op_share_out = {
	.name = "share-out",
	.user = true,
	.send = share_out_send,
	.answer = share_out_answer,
	.cleanup = ipc_op_share_cleanup,
};
