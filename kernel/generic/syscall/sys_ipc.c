/*
 * IPC system calls (numbers in abi/syscall.h, contract in abi/ipc.h):
 * decode and check, then call the IPC operation (ipc/call.c, ipc/event.c)
 * with the task and the objects it acts on.
 *
 * Decode means: copy the user's words in, check flags and values, look up
 * the handles, and prove every user pointer a result will be written to
 * before anything is done.  After that the operation either happens or
 * fails changing nothing.  Two results are written after the operation:
 * the event of a wait (if a sibling thread unmaps the buffer meanwhile,
 * the event is put back as if never taken: ipc_event_undo) and the base a
 * SHARE_OUT answer made (proved writable first; if a sibling unmaps it
 * meanwhile, the share stands and only the copy of its base is lost).
 *
 * The register calls (SYS_IPC_CALL_SYNC, SYS_IPC_REPLY_WAIT) take and
 * return the message in the saved user registers (sysargs_t), so they
 * touch no user memory at all: the fast path (ipc/ipc.c's essay).
 */
#include <cap/cap.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

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
	rc = ipc_send_async(task, phone, &msg, a->a[2]);
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

sysarg_t sys_ipc_wait(const sysargs_t *a)
{
	uspace_ptr_t out = uspace_ptr(a->a[0]);
	unsigned flags = (unsigned) a->a[2];
	task_t *task = TASK;
	ipc_event_t ev = { 0 };
	if (a->a[2] & ~(sysarg_t) (IPC_WAIT_NONBLOCK | IPC_WAIT_FOR_COOKIE))
		return EINVAL;
	/* Prove the buffer first: a bad one fails before anything is taken. */
	errno_t rc = copy_to_uspace(out, &ev, sizeof(ev));
	if (rc != EOK)
		return rc;
	ipc_pick_t p;
	rc = ipc_box_wait(task->box, a->a[1], flags & IPC_WAIT_NONBLOCK,
	    flags & IPC_WAIT_FOR_COOKIE, a->a[3], &p);
	if (rc == EOK)
		rc = ipc_event_prepare(task, &p, &ev);
	if (rc != EOK)
		return rc;
	/* A sibling thread may have unmapped the buffer while we slept: then
	 * the event goes back, as if this wait had never taken it. */
	rc = copy_to_uspace(out, &ev, sizeof(ev));
	if (rc == EOK)
		ipc_event_commit(task, &p);
	else
		ipc_event_undo(task, &p);
	return rc;
}

sysarg_t sys_ipc_answer(const sysargs_t *a)
{
	ipc_msg_t args = { 0 };
	uspace_ptr_t uargs = uspace_ptr(a->a[2]);
	cap_handle_t h = (cap_handle_t) a->a[0];
	task_t *task = TASK;
	uint64_t method;
	errno_t rc = uspace_ptr_is_null(uargs) ? EOK : copy_from_uspace(&args, uargs, sizeof(args));
	if (rc != EOK)
		return rc;
	/* A SHARE_OUT answer writes the area's base back: prove the words
	 * writable before the share is made (a bad pointer changes nothing). */
	if (!uspace_ptr_is_null(uargs) && ipc_call_method(task, h, &method) == EOK &&
	    method == IPC_M_SHARE_OUT) {
		rc = copy_to_uspace(uargs, &args, sizeof(args));
		if (rc != EOK)
			return rc;
	}
	bool write_back;
	rc = ipc_answer(task, h, (errno_t) a->a[1], &args, &write_back, NULL);
	if (write_back && !uspace_ptr_is_null(uargs))
		(void) copy_to_uspace(uargs, &args, sizeof(args)); /* see the essay */
	return rc;
}

sysarg_t sys_ipc_forward(const sysargs_t *a)
{
	ipc_msg_t msg;
	phone_t *phone;
	task_t *task = TASK;
	bool replace = a->a[3] & IPC_FORWARD_REPLACE;
	if (a->a[3] & ~(sysarg_t) IPC_FORWARD_REPLACE)
		return EINVAL;
	if (replace) {
		errno_t rc = copy_from_uspace(&msg, uspace_ptr(a->a[2]), sizeof(msg));
		if (rc != EOK)
			return rc;
	}
	errno_t rc = phone_get(&task->caps, (cap_handle_t) a->a[1], &phone);
	if (rc != EOK)
		return rc; /* the call stays ours */
	rc = ipc_forward(task, (cap_handle_t) a->a[0], phone, replace ? &msg : NULL);
	phone_release(phone);
	return rc;
}

/* ---- the register calls (the fast path) ---- */

/* The message of a register call: method in rsi, words in rdx, r10, r8,
 * r9, r12 (abi/ipc.h). */
static ipc_msg_t sys_ipc_regs_msg(const sysargs_t *r)
{
	return (
	    ipc_msg_t){ .method = r->a[1], .arg = { r->a[2], r->a[3], r->a[4], r->a[5], r->r12 } };
}

static void sys_ipc_regs_set_words(sysargs_t *r, const ipc_msg_t *m)
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
	ipc_msg_t msg = sys_ipc_regs_msg(a), answer;
	phone_t *phone;
	errno_t rc;
	if (!ipc_method_user_ok(msg.method))
		return EINVAL;
	if (!ipc_fast_call(task, (cap_handle_t) a->a[0], &msg, &answer, &rc)) {
		rc = phone_get(&task->caps, (cap_handle_t) a->a[0], &phone);
		if (rc != EOK)
			return rc;
		rc = ipc_send_sync(task, phone, &msg, &answer);
		phone_release(phone);
	}
	sys_ipc_regs_set_words(r, &answer);
	return rc;
}

/* The event of a register wait into the saved registers (abi/ipc.h). */
static void sys_ipc_regs_set_event(sysargs_t *r, const ipc_event_t *ev)
{
	r->a[0] = (uint32_t) ev->call | (uint64_t) ev->kind << 32;
	r->a[1] = ev->msg.method;
	sys_ipc_regs_set_words(r, &ev->msg);
	r->r13 = ev->conn;
	r->r14 = ev->sender;
	r->r15 = ev->cookie;
}

sysarg_t sys_ipc_reply_wait(const sysargs_t *a)
{
	sysargs_t *r = (sysargs_t *) a; /* the event goes back in the saved registers */
	cap_handle_t h = (cap_handle_t) a->a[0];
	task_t *task = TASK;
	if (a->r14 & ~(sysarg_t) IPC_WAIT_NONBLOCK)
		return EINVAL;
	errno_t arc;
	ipc_msg_t args = sys_ipc_regs_msg(a);
	ipc_event_t ev = { .call = CAP_NIL };
	ipc_pick_t p;
	errno_t rc = ipc_reply_wait(
	    task, h, (errno_t) a->a[1], &args, a->r13, a->r14 & IPC_WAIT_NONBLOCK, &p, &arc);
	if (rc == EOK)
		rc = ipc_event_prepare(task, &p, &ev);
	if (rc == EOK) {
		/* Registers cannot fault: the event is delivered now. */
		ipc_event_commit(task, &p);
		sys_ipc_regs_set_event(r, &ev);
	}
	r->rbx = (uint32_t) ev.retval | (uint64_t) (uint32_t) arc << 32;
	return rc;
}

sysarg_t sys_ipc_fail_inject(const sysargs_t *a)
{
	if (a->a[2] > INT32_MAX || a->a[3] > UINT32_MAX)
		return EINVAL;
	return ipc_hook_fail_arm(
	    a->a[0], (unsigned) a->a[1], (errno_t) a->a[2], (unsigned) a->a[3]);
}
