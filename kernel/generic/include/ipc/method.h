/*
 * System methods: what the kernel does for a call of each method, as a
 * table of hooks (one file per method under ipc/ops/; the page-in and the
 * pager notices are the pager backend's, registered by mm/pager.c).
 *
 * A call's life passes five places, each in one task's context:
 *
 *   send      the caller's, before the call is queued: check the words and
 *             prepare (copy the caller's bytes in, snapshot its area, make
 *             the phone it offers).  An error sends nothing.
 *   receive   the receiver's, before the call's handle is published: what
 *             the receiver must see (a phone it is given).  An error
 *             answers the call with it.  receive_undo takes it back when
 *             the event cannot be delivered after all.
 *   answer    the answerer's, for an EOK answer: the work the answer
 *             orders (copy bytes out or in, make the shared area).  An
 *             error becomes the answer's retval.  refuse: the answerer
 *             answered with an error.  answered: any answer, from any
 *             context (also EHANGUP for a dying box): the call's end.
 *   collect   the caller's, for an EOK answer, when it takes the answer:
 *             finish (copy bytes out, make the caller's phone or area).
 *             An error becomes the retval the caller sees; what collect
 *             made is kept in the ipc_pick_t until the event is settled:
 *             collect_undo (it goes back) or collect_commit (delivered).
 *   cleanup   whoever drops the last reference: release the method's
 *             private state (call_t.st).
 *
 * Every hook is optional.  Each one may fail only where the list says;
 * after its point of no return none does.  ipc_hook_fail() lets a test
 * make any hook of any method fail once (SYS_IPC_FAIL_INJECT), so every
 * failure path is reachable and checked for leaks.
 */
#ifndef KERN_IPC_METHOD_H_
#define KERN_IPC_METHOD_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <ipc/ipc_wait.h>
#include <stdbool.h>

struct call;
struct task;

typedef struct ipc_method_ops {
	const char *name;
	bool user; /* tasks may send it (else only the kernel does) */
	errno_t (*send)(struct task *caller, struct call *call);
	errno_t (*receive)(struct task *receiver, struct call *call, ipc_event_t *ev);
	void (*receive_undo)(struct task *receiver, struct call *call);
	/* *wrote_back: args carries a result for the answerer (SHARE_OUT) */
	errno_t (*answer)(
	    struct task *answerer, struct call *call, ipc_msg_t *args, bool *wrote_back);
	void (*refuse)(struct task *answerer, struct call *call);
	void (*answered)(struct call *call);
	errno_t (*collect)(struct task *caller, struct call *call, ipc_pick_t *p, ipc_event_t *ev);
	/* false: a sibling thread took what collect made (the answer is its) */
	bool (*collect_undo)(struct task *caller, ipc_pick_t *p);
	void (*collect_commit)(ipc_pick_t *p);
	void (*cleanup)(struct call *call);
} ipc_method_ops_t;

/* The hooks of system method @a method (NULL for user methods, which have
 * none, and for unknown system methods). */
const ipc_method_ops_t *ipc_method_ops(uint64_t method);
/* Register the hooks of a system method defined outside ipc/ (the
 * pager's), at boot. */
void ipc_method_register(uint64_t method, const ipc_method_ops_t *ops);
/* May a task send @a method (a user method or a user system method)? */
bool ipc_method_user_ok(uint64_t method);

/* The hooks, for fault injection (abi/ipc.h: IPC_HOOK_*). */
errno_t ipc_hook_fail(uint64_t method, unsigned hook);
/* Whether SYS_IPC_FAIL_INJECT may arm anything (set at boot). */
extern bool ipc_fail_inject_enabled;
/* Arm: the next @a count runs of @a hook of @a method fail with @a err. */
errno_t ipc_hook_fail_arm(uint64_t method, unsigned hook, errno_t err, unsigned count);

/* The system methods of ipc/ops/. */
extern const ipc_method_ops_t ipc_op_connect_me_to;
extern const ipc_method_ops_t ipc_op_connect_to_me;
extern const ipc_method_ops_t ipc_op_data_write;
extern const ipc_method_ops_t ipc_op_data_read;
extern const ipc_method_ops_t ipc_op_share_out;
extern const ipc_method_ops_t ipc_op_share_in;
extern const ipc_method_ops_t ipc_op_cap_give;
/* The cleanup both data methods use (ops/data_write.c). */
void ipc_op_data_cleanup(struct call *c);
/* The cleanup both share methods use (ops/share_out.c). */
void ipc_op_share_cleanup(struct call *c);

#endif
