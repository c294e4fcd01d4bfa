/*
 * Taking events: what a task's thread gets from its box (ipc/ipc.c has
 * the queues and the waiting).  An event taken off the box is an
 * ipc_pick_t until it is settled: prepared for user space here (a call
 * gets its handle, an answer is collected), then committed once it
 * reached user space, or undone (put back, with everything made for it
 * taken back) if it could not be delivered.  A call's handle is published
 * last: once it is in the table a sibling thread may answer it at once.
 */
#include <cap/cap.h>
#include <ddi/irq.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/malloc.h>
#include <proc/task.h>

void ipc_event_collect(task_t *task, ipc_pick_t *p, ipc_event_t *ev)
{
	call_t *c = p->call;
	errno_t rc = c->retval;
	ev->msg = c->answer;
	if (rc == EOK && c->ops && c->ops->collect) {
		rc = ipc_hook_fail(c->msg.method, IPC_HOOK_COLLECT);
		if (rc == EOK)
			rc = c->ops->collect(task, c, p, ev);
	}
	ev->kind = IPC_EV_ANSWER;
	ev->call = CAP_NIL;
	ev->cookie = c->cookie;
	ev->retval = rc;
	ev->msg.method = c->msg.method;
}

/* The receive hook of @a c's method (before the call's handle exists). */
static errno_t ipc_event_receive_hook(task_t *task, call_t *c, ipc_event_t *ev)
{
	if (!c->ops || !c->ops->receive)
		return EOK;
	errno_t rc = ipc_hook_fail(c->msg.method, IPC_HOOK_RECEIVE);
	return rc != EOK ? rc : c->ops->receive(task, c, ev);
}

/* A call for @a task's thread: its handle, and what the recipient must see
 * of system methods.  EOK, or an error (no handle free: ELIMIT; a hook's)
 * with which the call was answered: it is settled. */
static errno_t ipc_event_receive_call(task_t *task, ipc_pick_t *p, ipc_event_t *ev)
{
	call_t *c = p->call;
	cap_handle_t h;
	ev->kind = IPC_EV_CALL;
	ev->msg = c->msg;
	ev->sender = c->sender;
	ev->conn = c->conn;
	errno_t rc = ipc_event_receive_hook(task, c, ev);
	if (rc == EOK) {
		rc = cap_alloc(&task->caps, CAP_CALL, c, CAP_NIL, &h);
		if (rc != EOK && c->ops && c->ops->receive_undo)
			c->ops->receive_undo(task, c);
	}
	if (rc != EOK) {
		mutex_lock(&task->box->lock);
		list_remove(&c->box_link);
		if (p->counted)
			task->box->calls_count--; /* settled: answered below */
		mutex_unlock(&task->box->lock);
		ipc_call_answer(c, rc);
		return rc;
	}
	p->handle = h;
	ev->call = h;
	return EOK;
}

errno_t ipc_event_prepare(task_t *task, ipc_pick_t *p, ipc_event_t *ev)
{
	switch (p->kind) {
	case IPC_EV_ANSWER:
		ipc_event_collect(task, p, ev);
		return EOK;
	case IPC_EV_HANGUP:
		ev->kind = IPC_EV_HANGUP;
		ev->call = CAP_NIL;
		ev->conn = p->notice->conn;
		return EOK;
	case IPC_EV_IRQ:
		irq_event_fill(p, ev);
		return EOK;
	default:
		return ipc_event_receive_call(task, p, ev);
	}
}

void ipc_event_commit(task_t *task, ipc_pick_t *p)
{
	ipc_pick_commit_counts(task->box, p);
	if (p->kind == IPC_EV_IRQ)
		irq_event_commit(p);
	if (p->kind == IPC_EV_ANSWER) {
		call_t *c = p->call;
		if (c->ops && c->ops->collect_commit)
			c->ops->collect_commit(p);
		if (p->counted)
			call_release(c); /* (a synchronous call is its thread's) */
	}
	free(p->notice);
}

/* Take back the handles published for a received call: false if a
 * sibling thread took the call's handle meanwhile (the call is its now). */
static bool ipc_event_receive_undo(task_t *task, ipc_pick_t *p)
{
	call_t *c = p->call;
	if (cap_take_obj(&task->caps, p->handle, CAP_CALL, c) != EOK)
		return false;
	if (c->ops && c->ops->receive_undo)
		c->ops->receive_undo(task, c);
	return true;
}

void ipc_event_undo(task_t *task, ipc_pick_t *p)
{
	bool back = true;
	call_t *c = p->call;
	if (p->kind == IPC_EV_CALL)
		back = ipc_event_receive_undo(task, p);
	else if (p->kind == IPC_EV_ANSWER && c->ops && c->ops->collect_undo)
		back = c->ops->collect_undo(task, p);
	if (back)
		ipc_pick_put_back(task->box, p);
	else
		ipc_event_commit(task, p);
}
