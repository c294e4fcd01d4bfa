/*
 * IPC as user space sees it (HelenOS-style).
 *
 * Objects a task holds are named by capability handles (cap_handle_t,
 * small non-negative integers, per task): phones (a connection to another
 * task's answerbox) and received calls (to be answered or forwarded).
 * Every task has one answerbox; it receives calls from the phones connected
 * to it and the answers to the calls it made.
 *
 *  - SYS_IPC_CALL(phone, const ipc_msg_t *msg, uint64_t cookie): send an
 *    asynchronous call (a method and five words).  The answer comes back
 *    through SYS_IPC_WAIT as an IPC_EV_ANSWER event carrying the cookie.
 *    EHANGUP if the other side hung up, ELIMIT if the recipient's queue or
 *    the caller's outstanding-call limit is full (back-pressure: retry).
 *  - SYS_IPC_WAIT(ipc_event_t *out, uint64_t timeout_us, unsigned flags,
 *    uint64_t cookie): take the next event; ETIMEOUT after timeout_us
 *    (0: wait forever; IPC_WAIT_NONBLOCK: do not wait), EINTR if the task
 *    is ending.  Answers whose cookie has IPC_COOKIE_SYNC set are private:
 *    only a wait with IPC_WAIT_FOR_COOKIE and that exact cookie returns
 *    them (and such a wait returns nothing else), so several threads can
 *    each wait for the answer to their own synchronous request while
 *    other threads serve calls.  EFAULT if *out cannot be written (also
 *    when another thread unmaps it during the wait): nothing is taken.
 *  - SYS_IPC_ANSWER(call, errno_t retval, ipc_msg_t *args): answer a call
 *    received as IPC_EV_CALL; args (method ignored) go back to the caller.
 *    For system methods the kernel acts on an EOK answer and may write
 *    results back into *args (see below).  The call handle is gone after.
 *  - SYS_IPC_FORWARD(call, phone, const ipc_msg_t *msg, unsigned flags):
 *    pass a received call on through one of our phones; with
 *    IPC_FORWARD_REPLACE the method and arguments are replaced by *msg.
 *    The eventual answer goes to the original caller.
 *  - SYS_IPC_HANGUP(phone): close a phone.  Calls still queued at the
 *    other side are answered EHANGUP; the other side gets IPC_EV_HANGUP
 *    with the connection's badge.  When a task ends, all its phones hang
 *    up and every call waiting in its answerbox is answered EHANGUP.
 *
 * The register calls: the same operations as a fast path, with the message
 * in registers instead of memory (nothing is copied from or to user
 * memory; a waiting receiver gets the call directly and runs next).  The
 * number is in rax as for every call; rcx and r11 are clobbered.
 *  - SYS_IPC_CALL_SYNC: send a call and wait for its answer.
 *      in:  rdi phone, rsi method, rdx r10 r8 r9 r12 arg[0..4]
 *      out: rax the answer's retval, or the error that kept the call from
 *           being answered (ENOENT/ESTALE bad phone, EINVAL method,
 *           EHANGUP, ELIMIT full box, EINTR the task is ending; and the
 *           send-time errors of system methods); rdx r10 r8 r9 r12 the
 *           answer's arg[0..4].  Other registers are preserved.
 *    The answer goes to the calling thread alone (like a request waited
 *    for with IPC_WAIT_FOR_COOKIE); it does not count as an outstanding
 *    call.  Any method a task may send works, with the meaning below.
 *  - SYS_IPC_REPLY_WAIT: answer a received call (if rdi is not CAP_NIL)
 *    and wait for the next event, as SYS_IPC_WAIT without a cookie would.
 *      in:  rdi call (CAP_NIL: answer nothing), rsi retval, rdx r10 r8 r9
 *           r12 the answer's arg[0..4], r13 timeout_us (0: forever),
 *           r14 flags (IPC_WAIT_NONBLOCK only; others: EINVAL, nothing done)
 *      out: rax EOK (an event), ETIMEOUT, EINTR, ELIMIT (a call could not
 *           get a handle: it was answered ELIMIT);
 *           rbx bits 63-32: what the answer met (EOK, ENOENT/ESTALE bad
 *           handle, EINVAL bad retval: nothing answered; or the error the
 *           caller got instead, as SYS_IPC_ANSWER returns it); on EOK also
 *           rdi = event kind << 32 | call handle (CAP_NIL if none),
 *           rsi method, rdx r10 r8 r9 r12 arg[0..4], r13 conn, r14 sender,
 *           r15 cookie, rbx bits 31-0 the answer's retval (IPC_EV_ANSWER).
 *    The answer part reports no results back: answer a SHARE_OUT with
 *    SYS_IPC_ANSWER to learn where the area landed.
 *
 * For tests only: SYS_IPC_FAIL_INJECT(method, hook, errno_t err, count):
 * the next @a count runs of @a hook (IPC_HOOK_*) of system @a method fail
 * with @a err, as if the kernel had met that error there (count 0
 * disarms).  ENOTSUP unless the kernel was booted with utest= or
 * ipc_fail_inject on its command line; EINVAL for an unknown hook or
 * method or a bad error; ENOENT if the method has no such hook (nothing
 * is done there), so a test can enumerate every hook of every method.
 *
 * Every queue is bounded (IPC_ANSWERBOX_MAX calls waiting in a box,
 * IPC_CALLS_MAX outstanding calls per task, CAP_MAX handles per task
 * (abi/cap.h), IPC_DATA_MAX bytes per data transfer); exceeding a bound is ELIMIT,
 * never more kernel memory.
 *
 * System methods (ev.msg.method < IPC_M_FIRST_USER) have kernel meaning:
 *
 *  IPC_M_CONNECT_ME_TO   arg[0..3]: anything (e.g. a service name for ns).
 *      Forwarded along to a server, which accepts with EOK and
 *      answer arg[0] = a badge of its choosing.  The kernel then gives the
 *      original caller a new phone to the answering task: the caller sees
 *      it in the answer's arg[0].  Calls through that phone arrive at the
 *      server with ev.conn = the badge.
 *  IPC_M_CONNECT_TO_ME   arg[0..3]: anything (e.g. a service name for ns),
 *      arg[4]: the badge the caller wants on calls that come back.
 *      The recipient receives a new phone to the caller in ev.msg.arg[4];
 *      if it answers anything but EOK the kernel hangs that phone up.
 *  IPC_M_DATA_WRITE      arg[0]: source address, arg[1]: size (caller).
 *      The recipient sees arg[0] = 0, arg[1] = size; it accepts with EOK
 *      and answer arg[0] = destination in its own memory, arg[1] = bytes
 *      wanted (<= size).  The kernel copies; answer arg[1] tells the caller
 *      how many bytes went.  At most IPC_DATA_MAX bytes.
 *  IPC_M_DATA_READ       arg[0]: destination address, arg[1]: size (caller).
 *      The recipient sees arg[0] = 0, arg[1] = size; it accepts with EOK
 *      and answer arg[0] = source in its own memory, arg[1] = bytes
 *      (<= size).  The caller finds the bytes at its destination when the
 *      answer arrives; answer arg[1] is the count.
 *  IPC_M_SHARE_OUT       arg[0]: base of one of the caller's areas,
 *      arg[1]: rights offered (AS_AREA_*).  The recipient accepts with EOK
 *      and answer arg[0] = where it wants it (0: kernel chooses),
 *      arg[1] = rights it wants (a subset).  The kernel makes an area in
 *      the recipient bound to the same backing and writes its base back
 *      into the recipient's args->arg[0].
 *  IPC_M_SHARE_IN        arg[0]: size (advisory: the recipient's whole area
 *      is shared), arg[1]: rights wanted, arg[2]:
 *      where the caller wants it (0: kernel chooses).  The recipient
 *      accepts with EOK and answer arg[0] = base of one of its areas; the
 *      kernel makes an area in the caller bound to the same backing; the
 *      caller sees its base in the answer's arg[0].
 *  IPC_M_CAP_GIVE        arg[0]: one of the caller's handles, of a kind
 *      that can be passed on (a range: docs/drivers.md; a phone or a call
 *      is EINVAL, a handle it does not hold ENOENT/ESTALE, at send).  The
 *      recipient sees in ev.msg.arg[0] a new handle of its own to the same
 *      object; if it answers anything but EOK the kernel takes that handle
 *      back.  The caller keeps its handle.  (A recipient that forwards the
 *      call keeps the handle it was shown: drop it if unwanted.)
 *  IPC_M_PAGE_IN, IPC_M_PAGER_*: the pager protocol, see abi/pager.h.
 */
#ifndef ABI_IPC_H_
#define ABI_IPC_H_

#include <abi/cap.h>
#include <abi/layout.h>
#include <abi/task.h>
#include <stdint.h>
/* Every task but the naming service starts with this phone to ns. */
#define IPC_PHONE_NS ((cap_handle_t) 0)

#define IPC_ARG_COUNT 5

typedef struct ipc_msg {
	uint64_t method;
	uint64_t arg[IPC_ARG_COUNT];
} ipc_msg_t;

ABI_SIZE(ipc_msg_t, 48);
ABI_FIELD(ipc_msg_t, method, 0);
ABI_FIELD(ipc_msg_t, arg, 8);

/* Event kinds (ipc_event_t.kind). */
#define IPC_EV_CALL 1 /* a call to answer or forward: .call, .msg, .sender, .conn */
#define IPC_EV_ANSWER 2 /* the answer to our call: .cookie, .retval, .msg (args) */
#define IPC_EV_HANGUP 3 /* a connection to us was closed: .conn */
/* An interrupt of a line we subscribed to (abi/ddi.h, SYS_IRQ_SUBSCRIBE):
 * .msg.method the subscription's imethod, .msg.arg[0] its arg, [1] the
 * interrupts this event stands for (>= 1), [2] how many interrupts since
 * subscribing came while an event was already queued (coalesced), [3]
 * every interrupt since subscribing, [4] the line; .call is CAP_NIL. */
#define IPC_EV_IRQ 4

typedef struct ipc_event {
	uint32_t kind;
	cap_handle_t call; /* IPC_EV_CALL: the handle to answer/forward */
	uint64_t cookie; /* IPC_EV_ANSWER: as given to SYS_IPC_CALL */
	int32_t retval; /* IPC_EV_ANSWER */
	uint32_t reserved;
	task_id_t sender; /* IPC_EV_CALL: calling task (0: the kernel) */
	uint64_t conn; /* IPC_EV_CALL/HANGUP: badge of the connection */
	ipc_msg_t msg;
} ipc_event_t;

ABI_SIZE(ipc_event_t, 88);
ABI_FIELD(ipc_event_t, kind, 0);
ABI_FIELD(ipc_event_t, call, 4);
ABI_FIELD(ipc_event_t, cookie, 8);
ABI_FIELD(ipc_event_t, retval, 16);
ABI_FIELD(ipc_event_t, reserved, 20);
ABI_FIELD(ipc_event_t, sender, 24);
ABI_FIELD(ipc_event_t, conn, 32);
ABI_FIELD(ipc_event_t, msg, 40);

/* SYS_IPC_WAIT flags */
#define IPC_WAIT_NONBLOCK (1u << 0)
#define IPC_WAIT_FOR_COOKIE (1u << 1) /* only the answer with this cookie */
/* Cookie bit: the answer is for IPC_WAIT_FOR_COOKIE waiters only. */
#define IPC_COOKIE_SYNC (1ULL << 63)
/* SYS_IPC_FORWARD flags */
#define IPC_FORWARD_REPLACE (1u << 0)

/* System methods. */
#define IPC_M_CONNECT_ME_TO 1
#define IPC_M_CONNECT_TO_ME 2
#define IPC_M_DATA_WRITE 3
#define IPC_M_DATA_READ 4
#define IPC_M_SHARE_OUT 5
#define IPC_M_SHARE_IN 6
#define IPC_M_CAP_GIVE 7 /* Part B ddi-caps */
#define IPC_M_PAGE_IN 16
#define IPC_M_PAGER_OBJECT_REF 17
#define IPC_M_PAGER_OBJECT_UNREF 18
#define IPC_M_PAGER_SYNC 19
#define IPC_M_PAGER_LOW_MEMORY 20 /* abi/pager.h: registered pagers only */
#define IPC_M_PAGER_REGISTERED 21 /* abi/pager.h: after SYS_PAGER_REGISTER */
#define IPC_M_FIRST_USER 1024

/* The hooks of a system method (SYS_IPC_FAIL_INJECT): send (the caller's
 * context, before the call is queued), receive (the recipient's, before
 * its handle is published), answer (the answerer's, for an EOK answer),
 * collect (the caller's, when it takes an EOK answer). */
#define IPC_HOOK_SEND 0
#define IPC_HOOK_RECEIVE 1
#define IPC_HOOK_ANSWER 2
#define IPC_HOOK_COLLECT 3
#define IPC_HOOK_COUNT 4

/* Bounds. */
#define IPC_ANSWERBOX_MAX 256 /* calls waiting in one answerbox */
#define IPC_CALLS_MAX 128 /* outstanding calls one task made */
#define IPC_DATA_MAX (64 * 1024)

#endif
