/*
 * Kernel IPC objects (see abi/ipc.h for what user space sees, and the
 * essay at the top of ipc/ipc.c for how they work together).
 *
 *  answerbox_t  one per task: incoming calls, answers to the task's own
 *               calls, hangup notices; refcounted, outlives its task while
 *               phones still point at it (then it is inactive).
 *  phone_t      a connection to an answerbox, with the badge the server
 *               chose; held by a capability (and by pager bindings).
 *               Each has a serial never given to another phone.
 *  call_t       one request and, later, its answer.
 *
 * Locks (all mutexes, nothing here runs in interrupt context), in order:
 *   cap table lock (task_t.caps_lock) -> phone_t.lock -> answerbox_t.lock.
 */
#ifndef KERN_IPC_IPC_H_
#define KERN_IPC_IPC_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <adt/list.h>
#include <cap/cap.h>
#include <ipc/ipc_wait.h>
#include <mm/as.h>
#include <stdbool.h>
#include <stdint.h>
#include <synch/condvar.h>
#include <synch/mutex.h>

struct task;
struct thread;

/* Every field from active to task is protected by lock (the lists, their
 * counts and the flags alike: a count is never updated without its list).
 * An event a waiting thread took off a list still counts until it is
 * delivered or put back (ipc/event.c, ipc_pick_t). */
typedef struct answerbox {
	mutex_t lock;
	/* Threads waiting for any event are on waiters (ipc_waiter_t.link, in
	 * arrival order): an event queued while one waits is handed to the
	 * first of them at once (ipc/ipc_wait.h).  Threads waiting for one
	 * answer (IPC_WAIT_FOR_COOKIE) sleep on cv_cookie; all of them are
	 * woken on each answer, and each checks its own cookie. */
	list_t waiters; /* (with lock) */
	condvar_t cv_cookie; /* (with lock) */
	bool active; /* false once the owning task has ended */
	task_id_t owner; /* constant */
	list_t calls; /* incoming, not yet received (call_t.box_link) */
	size_t calls_count; /* entries on calls (and being received) */
	list_t dispatched; /* received, not yet answered */
	list_t answers; /* answers to this task's calls */
	list_t hangups; /* ipc_notice_t */
	list_t irqs; /* irq_sub_t.link: subscriptions with an event queued (ddi/irq.c) */
	size_t notices; /* entries on hangups (and being taken), <= IPC_NOTICES_MAX */
	size_t notices_lost; /* notices not queued because of the bound */
	size_t outstanding; /* asynchronous calls this task made, not yet collected */
	struct task *task; /* the owner while it lives (cleared on deactivation) */
	unsigned pager_notices; /* atomic: pager notices sent here, not yet released (mm/pager.c) */
	unsigned refcount; /* atomic */
} answerbox_t;

typedef struct phone {
	mutex_t lock;
	answerbox_t *callee; /* NULL once hung up (lock) */
	uint64_t badge; /* ev.conn at the callee (constant) */
	uint64_t serial; /* unique for the kernel's lifetime (constant) */
	unsigned refcount; /* atomic: capability, bindings, in-flight calls */
} phone_t;

/*
 * A call names the phone it came through by the phone's serial, so that
 * closing a phone takes (and answers EHANGUP) exactly the calls sent
 * through it.  Not by address: a phone may be freed while a call through
 * it is still queued (a pager record's phone is released, not hung up,
 * after its UNREF notice), and a new phone at the same address would take
 * that call when it hangs up.  Not by a counted reference either: that
 * would keep phones (and their callee boxes) alive as long as any call
 * made through them, for nothing but a comparison.
 */
typedef struct call {
	link_t box_link; /* a box's calls / dispatched / answers list */
	ipc_msg_t msg; /* the request (possibly replaced by forward) */
	ipc_msg_t answer; /* answer arguments */
	errno_t retval;
	uint64_t cookie;
	uint64_t conn; /* badge of the phone it came through */
	uint64_t via; /* that phone's serial (0: not sent yet); see below */
	task_id_t sender; /* 0: the kernel */
	answerbox_t *caller; /* an asynchronous call's: where the answer goes */
	answerbox_t *callee; /* the box it sits in now */
	/* A system method's hooks (ipc/method.h; NULL: a user method) and its
	 * private state, which only its own file (ipc/ops/) touches. */
	const struct ipc_method_ops *ops;
	union {
		struct {
			void *buf; /* kernel copy of the bytes */
			size_t size; /* the caller's size */
			uintptr_t dst; /* DATA_READ: the caller's destination */
		} data;
		struct {
			phone_t *phone; /* made at send, to the caller's box */
			cap_handle_t given; /* its handle at the recipient */
		} to_me;
		struct {
			answerbox_t *box; /* the accepting server's box */
			uint64_t badge;
		} me_to;
		struct {
			unsigned type; /* cap_type_t of the object given */
			void *object; /* a reference, taken at send */
			cap_handle_t given; /* its handle at the recipient */
		} give;
		struct {
			unsigned rights; /* SHARE_OUT: offered; SHARE_IN: wanted */
			uintptr_t hint; /* SHARE_IN: where the caller wants it */
			as_share_src_t src; /* the shared area's binding */
		} share;
		struct {
			unsigned role; /* PAGER_ROLE_* it went to */
			uint64_t gen; /* its number (mm/pager_role.c) */
		} pager_note; /* IPC_M_PAGER_LOW_MEMORY */
	} st;
	/* The pager backend's state (mm/pager.c): a page-in's request and the
	 * frames supplied, or a notice's record of the box it counts against. */
	struct pager_run *run;
	/* A synchronous call (a kernel call, SYS_IPC_CALL_SYNC): the answer
	 * goes to the thread waiting on done, not to a box.  sync is constant
	 * once sent; answered and waiting are protected by done's lock. */
	bool sync;
	bool answered;
	bool waiting; /* the thread still waits (false: abandoned, dropped) */
	struct thread *waiter; /* valid while waiting */
	waitq_t done; /* woken on the answer */
	unsigned refcount; /* atomic */
} call_t;

/* A hangup notice queued on an answerbox. */
typedef struct ipc_notice {
	link_t link;
	uint64_t conn;
} ipc_notice_t;

/* Hand queued events to the threads waiting at @a box (box->lock held;
 * @a partner as for ipc_call_deliver_to). */
void ipc_box_hand_locked(answerbox_t *box, struct thread **partner);

/* Unread hangup notices one box keeps; more are counted, not queued. */
#define IPC_NOTICES_MAX 1024

void ipc_init(void);

answerbox_t *answerbox_create(task_id_t owner);
void answerbox_hold(answerbox_t *box);
void answerbox_release(answerbox_t *box);
/* The box's owner is gone: answer every queued and received call with
 * EHANGUP, drop queued answers and notices; later sends get EHANGUP. */
void answerbox_deactivate(answerbox_t *box);

/* A phone to @a box with @a badge (one reference, the caller's). */
phone_t *phone_create(answerbox_t *box, uint64_t badge);
void phone_hold(phone_t *phone);
/* The phone at handle @a h of @a caps with a new reference: ENOENT, ESTALE. */
errno_t phone_get(cap_table_t *caps, cap_handle_t h, phone_t **out);
void phone_release(phone_t *phone);
/* Close the phone: queued calls through it are answered EHANGUP and the
 * callee gets a hangup notice.  EOK, or ENOENT if already hung up. */
errno_t phone_hangup(phone_t *phone);
/* The same without a notice (a phone the callee never learned about). */
errno_t phone_hangup_quiet(phone_t *phone);

call_t *call_create(void);
/* Call objects live now (leak checks). */
size_t ipc_calls_live(void);
void call_hold(call_t *call);
void call_release(call_t *call);

/* Queue @a call at the phone's answerbox: EHANGUP, ELIMIT. */
errno_t ipc_call_deliver(phone_t *phone, call_t *call);
/* The same; if a thread waits there and @a partner is not NULL, the call is
 * handed to it and *partner gets that thread, taken off its wait queue:
 * the caller must switch to it (waitq_sleep_to_locked) or make it ready. */
errno_t ipc_call_deliver_to(phone_t *phone, call_t *call, struct thread **partner);
/* Answer a received call (kernel side of SYS_IPC_ANSWER / forwarding
 * failures / task death).  The call reference passes to the answer. */
void ipc_call_answer(call_t *call, errno_t retval);
/* The same; the thread waiting for a synchronous call is not woken but
 * given to the caller in *partner (if it was asleep), as for
 * ipc_call_deliver_to. */
void ipc_call_answer_to(call_t *call, errno_t retval, struct thread **partner);

/*
 * A kernel-originated call through @a phone, waiting at most @a timeout_us
 * (0: forever) for the answer: EOK with *retval and *answer filled, or
 * EHANGUP / ELIMIT (not delivered), ETIMEOUT (no answer in time).
 */
errno_t ipc_kcall(
    phone_t *phone, const ipc_msg_t *msg, uint64_t timeout_us, errno_t *retval, ipc_msg_t *answer);

/* Send @a call synchronously (a kernel call, sender 0, or a task's
 * SYS_IPC_CALL_SYNC) and wait for its answer, at most @a timeout_us (0:
 * forever), interruptibly; the caller keeps its reference to the call and
 * reads the answer from it.  EHANGUP/ELIMIT (not sent), ETIMEOUT, EINTR
 * (the call is abandoned: its answer will be dropped). */
errno_t ipc_call_sync(phone_t *phone, call_t *call, uint64_t timeout_us);
/* The same for a kernel call (sender 0, no caller box). */
errno_t ipc_kcall_wait(phone_t *phone, call_t *call, uint64_t timeout_us);

/* The calling thread's call object for a synchronous call, fresh (reused
 * from its last one when nobody else holds that any more): NULL, ENOMEM. */
call_t *ipc_thread_call(struct thread *t);
/* The thread's synchronous call is over: drop what it held now (buffers,
 * references), keeping the object for the next one. */
void ipc_thread_call_finish(struct thread *t);
/* The thread is exiting: drop its call object. */
void ipc_thread_exiting(struct thread *t);

/* A kernel call whose answer nobody waits for (notifications). */
errno_t ipc_kcall_notify(phone_t *phone, const ipc_msg_t *msg);

/* Wait for the next event on @a box for the calling thread, at most
 * @a timeout_us (0: forever; with @a nonblock not at all): EOK with the
 * event taken (ipc_pick_t: settle it with ipc_pick_commit or _undo),
 * ETIMEOUT or EINTR with nothing taken.  @a cookie_only: only the answer
 * whose cookie is @a cookie (IPC_WAIT_FOR_COOKIE). */
errno_t ipc_box_wait(answerbox_t *box, uint64_t timeout_us, bool nonblock, bool cookie_only,
    uint64_t cookie, ipc_pick_t *p);
/* ipc_box_wait for any event that, if it has to sleep, hands the CPU to
 * @a partner (a thread taken by ipc_call_answer_to; NULL: none), and
 * otherwise makes it ready. */
errno_t ipc_box_wait_to(answerbox_t *box, uint64_t timeout_us, bool nonblock, bool regs,
    struct thread *partner, ipc_pick_t *p);
/* The two halves of a wait for any event: put the calling thread on the
 * box's waiter list (@a regs: a register wait, see ipc_waiter_t), then,
 * with the lock released, sleep until an event is handed to it (EOK and
 * *p), the deadline (ETIMEOUT), an interruption or the box's death
 * (EINTR); @a partner as for ipc_box_wait_to. */
void ipc_waiter_enlist_locked(answerbox_t *box, bool regs);
errno_t ipc_waiter_sleep(
    answerbox_t *box, uint64_t deadline_us, struct thread *partner, ipc_pick_t *p);
/* Wake waiter @a w, which was handed an event (box->lock held); with
 * @a partner, take its thread for the caller to switch to (ipc.c). */
void ipc_waiter_wake(ipc_waiter_t *w, struct thread **partner);
/* Hand a synchronous call's answer to its waiting thread (ipc.c). */
void ipc_call_complete_sync(call_t *call, struct thread **partner);
/* The waiting half of ipc_call_sync: until answered, the timeout or an
 * interruption; @a partner (taken at delivery) runs in our place. */
errno_t ipc_call_sync_wait(call_t *call, uint64_t timeout_us, struct thread *partner);
/* The fast path (ipc/fastpath.c): a synchronous call of a user method to
 * a box where a thread waits in SYS_IPC_REPLY_WAIT; false, having done
 * nothing, when a condition does not hold (the general path then runs,
 * with the same results). */
bool ipc_fast_call(
    struct task *task, cap_handle_t h, const ipc_msg_t *msg, ipc_msg_t *answer, errno_t *rc);
/* SYS_IPC_REPLY_WAIT's operation: answer call @a h (unless CAP_NIL; *arc
 * gets what the answer met, as ipc_answer returns it) and wait for the
 * next event as a register wait (ipc_box_wait_to's results).  Takes the
 * fast path when it can (the answered caller runs next and the box is
 * idle), the general path otherwise. */
errno_t ipc_reply_wait(struct task *task, cap_handle_t h, errno_t retval, const ipc_msg_t *args,
    uint64_t timeout_us, bool nonblock, ipc_pick_t *p, errno_t *arc);
/*
 * The IPC operations of a task (ipc/call.c, ipc/event.c); syscall/sys_ipc.c
 * decodes the user's words and calls them.
 */
/* Send @a msg through @a phone asynchronously: the answer comes to the
 * task's box with @a cookie.  ELIMIT (outstanding calls), ENOMEM, EHANGUP,
 * and the method's send-time errors; nothing is sent on error. */
errno_t ipc_send_async(struct task *task, phone_t *phone, const ipc_msg_t *msg, uint64_t cookie);
/* Send @a msg and wait for the answer (the calling thread, a thread of
 * @a task): its retval, *answer its words; or the error that kept it
 * from being answered. */
errno_t ipc_send_sync(struct task *task, phone_t *phone, const ipc_msg_t *msg, ipc_msg_t *answer);
/* The method of the call @a task holds at handle @a h: ENOENT, ESTALE. */
errno_t ipc_call_method(struct task *task, cap_handle_t h, uint64_t *method);
/* Answer the received call @a h with @a retval and @a args (the answer
 * words; SHARE_OUT writes the new area's base into args->arg[0] and sets
 * *wrote_back): EOK, an error with nothing answered (bad handle or
 * retval), or the error the answer met on the way (the caller then learns
 * it instead of EOK).  @a partner: as for ipc_call_answer_to. */
errno_t ipc_answer(struct task *task, cap_handle_t h, errno_t retval, ipc_msg_t *args,
    bool *wrote_back, struct thread **partner);
/* ipc_answer of a call already taken off the task's table and its box's
 * dispatched list (@a retval valid). */
errno_t ipc_answer_taken(struct task *task, call_t *c, errno_t retval, ipc_msg_t *args,
    bool *wrote_back, struct thread **partner);
/* Forward the received call @a h through @a phone, with @a msg's method
 * and words if not NULL (system methods keep theirs).  ENOENT/ESTALE: the
 * call stays the task's; a delivery error is also the caller's answer. */
errno_t ipc_forward(struct task *task, cap_handle_t h, phone_t *phone, const ipc_msg_t *msg);
/* What user space is to see of a picked event: EOK, or the error of a call
 * that could not be received (it is settled then). */
errno_t ipc_event_prepare(struct task *task, ipc_pick_t *p, ipc_event_t *ev);
/* Collect an answer in the caller's context (prepare does it for answers). */
void ipc_event_collect(struct task *task, ipc_pick_t *p, ipc_event_t *ev);
/* The event reached user space: settled. */
void ipc_event_commit(struct task *task, ipc_pick_t *p);
/* It could not be delivered: take back what was made for it and put it
 * back at the head of its queue. */
void ipc_event_undo(struct task *task, ipc_pick_t *p);

/* The picked event reached user space: it stops counting in the box. */
void ipc_pick_commit_counts(answerbox_t *box, ipc_pick_t *p);
/* Put a picked event back at the head of its queue (still counted) and
 * hand it on to a waiter if one is there. */
void ipc_pick_put_back(answerbox_t *box, ipc_pick_t *p);

/* The address space of the box's owner, with a reference; NULL once the
 * owner has ended. */
struct as *answerbox_as_hold(answerbox_t *box);

/* The task is ending: hang up its phones, answer everything waiting in
 * its answerbox with EHANGUP, deactivate the box. */
void ipc_task_cleanup(struct task *task);

/* Give a new task its phone to the naming service (handle IPC_PHONE_NS). */
errno_t ipc_task_connect_ns(struct task *task);
/* Make @a box the naming service if there is none yet; false otherwise. */
bool ipc_ns_claim(answerbox_t *box);

#endif
