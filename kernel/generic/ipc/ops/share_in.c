/*
 * IPC_M_SHARE_IN: arg[1] the rights wanted, arg[2] where the caller wants
 * the area (0: anywhere; arg[0], the size, is advisory: the recipient's
 * whole area is shared).  The recipient answers with the base of one of
 * its pager, phys or DMA areas, snapshotted then (its context); the
 * caller's area is made when it collects the answer (its own context) and
 * kept in the pick until the event is settled.
 */
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/as.h>
#include <proc/task.h>

static errno_t share_in_send(task_t *caller, call_t *c)
{
	(void) caller;
	if (c->msg.arg[1] & ~(uint64_t) AS_AREA_RIGHTS)
		return EINVAL;
	c->st.share.rights = (unsigned) c->msg.arg[1];
	c->st.share.hint = c->msg.arg[2];
	return EOK;
}

static errno_t share_in_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	(void) wb;
	return as_share_snapshot(answerer->as, args->arg[0], c->st.share.rights, &c->st.share.src);
}

static errno_t share_in_collect(task_t *caller, call_t *c, ipc_pick_t *p, ipc_event_t *ev)
{
	uintptr_t base = 0;
	/* a non-zero "where" is an exact placement */
	errno_t rc = as_share_create(caller->as, c->st.share.hint,
	    c->st.share.rights | (c->st.share.hint ? AS_AREA_FIXED : 0), &c->st.share.src, &base);
	p->area = rc == EOK ? base : 0;
	ev->msg.arg[0] = base;
	return rc;
}

static bool share_in_collect_undo(task_t *caller, ipc_pick_t *p)
{
	if (p->area)
		(void) as_area_destroy(caller->as, p->area); /* ENOENT: already unmapped */
	return true;
}

const ipc_method_ops_t ipc_op_share_in = {
	.name = "share-in",
	.user = true,
	.send = share_in_send,
	.answer = share_in_answer,
	.collect = share_in_collect,
	.collect_undo = share_in_collect_undo,
	.cleanup = ipc_op_share_cleanup,
};
