/*
 * The fuzzer's operations: one random system call (any number, arguments
 * typed by the call's signature most of the time and any edge value the
 * rest), the register calls with every register random, answers to the
 * calls and page-ins that arrive (plausible ones that the kernel acts on,
 * and junk), touches of the worker's areas, spawns.  What a call made or
 * received (a phone, a call handle, an area, a thread) goes into the
 * worker's pools for later calls.
 *
 * Calls that never return are not made at random: SYS_THREAD_EXIT only
 * ends the stub threads, SYS_TASK_EXIT is the rare OP_EXIT.  Calls that
 * may block for long are given short timeouts most of the time; when one
 * blocks anyway (a synchronous call nobody answers, a wait without a
 * timeout, a join of a sibling), the worker's watchdog ends the task at
 * its deadline and the kernel interrupts it.
 */
#include "fuzz_priv.h"
#include "tester.h"
#include <abi/pager.h>
#include <ipc.h>
#include <libarch/syscall.h>
#include <ns.h>
#include <string.h>
#include <task.h>
#include <thread.h>

/* How a random call's arguments are made (per argument position). */
typedef enum fz_arg {
	A_NONE = 0,
	A_ANY,
	A_OUT, /* a pointer the kernel writes a word or a small struct to */
	A_EVOUT, /* ... an ipc_event_t to */
	A_LISTOUT, /* ... area descriptions to */
	A_ADDR, /* an area address (spares the worker's own memory) */
	A_HINT, /* a create's base (fixed or hint) */
	A_SIZE,
	A_WSIZE, /* a wired area's size */
	A_AFLAGS,
	A_PHONE,
	A_CALL,
	A_TID,
	A_TASK,
	A_USEC,
	A_TIMEOUT,
	A_WFLAGS,
	A_ERR,
	A_MSG,
	A_OBJ,
	A_OFF,
	A_ENTRY,
	A_STACK,
	A_SPEC,
	A_COUNT,
	A_FFLAGS,
	A_COOKIE,
} fz_arg_t;

static const uint8_t fz_sig[SYSCALL_COUNT][6] = {
	[SYS_THREAD_CREATE] = { A_ENTRY, A_STACK, A_ANY, A_OUT },
	[SYS_THREAD_JOIN] = { A_TID, A_OUT },
	[SYS_THREAD_SLEEP] = { A_USEC },
	[SYS_TASK_WAIT] = { A_TASK, A_OUT },
	[SYS_AS_AREA_CREATE] = { A_HINT, A_WSIZE, A_AFLAGS, A_OUT },
	[SYS_AS_AREA_DESTROY] = { A_ADDR },
	[SYS_AS_AREA_RESIZE] = { A_ADDR, A_WSIZE },
	[SYS_AS_AREA_UNMAP] = { A_ADDR, A_SIZE },
	[SYS_AS_AREA_PROTECT] = { A_ADDR, A_SIZE, A_AFLAGS },
	[SYS_AS_AREA_QUERY] = { A_ANY, A_OUT },
	[SYS_AS_AREA_LIST] = { A_LISTOUT, A_COUNT, A_OUT },
	[SYS_UPTIME] = { A_OUT },
	[SYS_MEM_STATS] = { A_OUT },
	[SYS_IPC_CALL] = { A_PHONE, A_MSG, A_COOKIE },
	[SYS_IPC_WAIT] = { A_EVOUT, A_TIMEOUT, A_WFLAGS, A_COOKIE },
	[SYS_IPC_ANSWER] = { A_CALL, A_ERR, A_MSG },
	[SYS_IPC_FORWARD] = { A_CALL, A_PHONE, A_MSG, A_FFLAGS },
	[SYS_IPC_HANGUP] = { A_PHONE },
	[SYS_AS_AREA_CREATE_PAGER] = { A_HINT, A_SIZE, A_AFLAGS, A_SPEC, A_OUT },
	[SYS_PAGER_REVOKE] = { A_OBJ, A_OFF, A_SIZE },
	[SYS_PAGER_SET_SIZE] = { A_OBJ, A_SIZE },
	[SYS_PAGER_WRITE_PROTECT] = { A_OBJ, A_OFF, A_SIZE },
	[SYS_PAGER_BOUND] = { A_OBJ, A_ANY },
	[SYS_TASK_STATS] = { A_OUT },
	[SYS_CAP_INFO] = { A_PHONE, A_OUT },
	[SYS_CAP_DERIVE] = { A_PHONE, A_ANY, A_SIZE, A_OUT },
	[SYS_CAP_DROP] = { A_PHONE },
	[SYS_IOPORT_ENABLE] = { A_PHONE },
	[SYS_IRQ_SUBSCRIBE] = { A_PHONE, A_ANY, A_ANY, A_ANY, A_OUT },
	[SYS_IRQ_ACK] = { A_PHONE },
	[SYS_IRQ_TEST_RAISE] = { A_PHONE, A_COUNT },
	[SYS_KCONSOLE_READ] = { A_PHONE, A_LISTOUT, A_SIZE, A_OUT },
	[SYS_FUTEX_WAIT] = { A_ADDR, A_ANY, A_USEC },
	[SYS_FUTEX_WAKE] = { A_ADDR, A_COUNT },
};

/* How often each number is picked by a random call (IPC more often). */
static const uint8_t fz_num_weight[SYSCALL_COUNT] = {
	[SYS_KCONSOLE_WRITE] = 1,
	[SYS_THREAD_CREATE] = 2,
	[SYS_THREAD_JOIN] = 2,
	[SYS_THREAD_YIELD] = 1,
	[SYS_THREAD_SLEEP] = 1,
	[SYS_THREAD_ID] = 1,
	[SYS_TASK_ID] = 1,
	[SYS_TASK_SPAWN] = 1,
	[SYS_TASK_WAIT] = 1,
	[SYS_AS_AREA_CREATE] = 3,
	[SYS_AS_AREA_DESTROY] = 2,
	[SYS_AS_AREA_RESIZE] = 2,
	[SYS_AS_AREA_UNMAP] = 2,
	[SYS_AS_AREA_PROTECT] = 2,
	[SYS_AS_AREA_QUERY] = 1,
	[SYS_AS_AREA_LIST] = 1,
	[SYS_UPTIME] = 1,
	[SYS_MEM_STATS] = 1,
	[SYS_IPC_CALL] = 10,
	[SYS_IPC_WAIT] = 12,
	[SYS_IPC_ANSWER] = 4,
	[SYS_IPC_FORWARD] = 3,
	[SYS_IPC_HANGUP] = 1,
	[SYS_AS_AREA_CREATE_PAGER] = 3,
	[SYS_PAGER_REVOKE] = 2,
	[SYS_PAGER_SET_SIZE] = 2,
	[SYS_PAGER_WRITE_PROTECT] = 2,
	[SYS_PAGER_BOUND] = 1,
	[SYS_TASK_STATS] = 1,
	[SYS_CAP_INFO] = 1,
	[SYS_CAP_DERIVE] = 1,
	[SYS_CAP_DROP] = 1,
	[SYS_IOPORT_ENABLE] = 1,
	[SYS_IRQ_SUBSCRIBE] = 1,
	[SYS_IRQ_ACK] = 1,
	[SYS_IRQ_TEST_RAISE] = 1,
	[SYS_KCONSOLE_READ] = 1,
	[SYS_FUTEX_WAIT] = 1,
	[SYS_FUTEX_WAKE] = 1,
	/* Never SYS_IPC_FAIL_INJECT: it arms failures for every task (the
	 * tester's own calls included), which is no bad input of ours. */
};

typedef enum fz_op {
	OP_RAW, /* a random call by number */
	OP_JUNK, /* a number the kernel does not know */
	OP_SYNC, /* SYS_IPC_CALL_SYNC */
	OP_REPLY_WAIT, /* SYS_IPC_REPLY_WAIT */
	OP_ANSWER, /* answer a call we kept */
	OP_TOUCH, /* read or write one of our areas */
	OP_PEER_PAGE, /* an area paged by another worker (or us), touched */
	OP_EXIT, /* end the whole worker */
	OP_COUNT
} fz_op_t;

static const uint16_t fz_op_weight[OP_COUNT] = {
	[OP_RAW] = 600,
	[OP_JUNK] = 20,
	[OP_SYNC] = 120,
	[OP_REPLY_WAIT] = 150,
	[OP_ANSWER] = 60,
	[OP_TOUCH] = 40,
	[OP_PEER_PAGE] = 5,
};
/* One operation in this many ends the worker (SYS_TASK_EXIT). */
#define FZ_EXIT_ONE_IN 50000

void fz_count(fz_thread_t *t)
{
	__atomic_add_fetch(&t->w->slot->calls, 1, __ATOMIC_RELAXED);
}

static bool fz_in_scratch(const fz_thread_t *t, uintptr_t p, size_t size)
{
	uintptr_t s = (uintptr_t) t->scratch;
	return p >= s && p <= s + FZ_SCRATCH_SIZE && size <= s + FZ_SCRATCH_SIZE - p;
}

/* ---- making arguments ---- */

static uint64_t fz_spec(fz_thread_t *t)
{
	if (fz_pct(t, 8))
		return fz_word(t);
	as_pager_spec_t *s = (as_pager_spec_t *) fz_out(t, sizeof(*s));
	if (!fz_in_scratch(t, (uintptr_t) s, sizeof(*s)))
		return (uintptr_t) s;
	/* The anon pager may be bound to (it must cope with any object). */
	s->phone = fz_pct(t, 20) && t->w->anon != CAP_NIL ? t->w->anon : fz_phone(t);
	s->reserved = fz_pct(t, 95) ? 0 : (uint32_t) fz_rand(t);
	s->object = fz_pct(t, 80) ? fz_below(t, 16) : fz_word(t);
	s->offset = fz_pct(t, 80) ? fz_below(t, 64) * PAGE_SIZE : fz_word(t);
	return (uintptr_t) s;
}

static uint64_t fz_pick(fz_thread_t *t, fz_pool_t *p, unsigned percent, uint64_t own)
{
	unsigned r = (unsigned) fz_below(t, 100);
	if (r < percent)
		return fz_pool_get(t, p, own);
	if (r < percent + 5)
		return own;
	return fz_pct(t, 50) ? fz_below(t, 4096) : fz_word(t);
}

/* A thread's entry: the stub that ends at once, or one the kernel
 * refuses; rarely a user address that faults (the worker dies). */
static uint64_t fz_entry(fz_thread_t *t)
{
	static const uint64_t bad[] = { 0, 1, AS_USER_FLOOR - 1, AS_USER_TOP, ADDR_KERNEL,
		0x0000800000000000ULL, ~0ULL };
	unsigned r = (unsigned) fz_below(t, 1000);
	if (r < 900)
		return (uintptr_t) hog_thread_stub;
	if (r < 995)
		return bad[fz_below(t, sizeof(bad) / sizeof(bad[0]))];
	return fz_word(t);
}

/* A typed argument of kind @a k. */
static uint64_t fz_typed(fz_thread_t *t, fz_arg_t k)
{
	switch (k) {
	case A_OUT:
		return fz_out(t, 16);
	case A_EVOUT:
		return fz_out(t, sizeof(ipc_event_t));
	case A_LISTOUT:
		return fz_out(t, 16 * sizeof(as_area_info_t));
	case A_ADDR:
		return fz_addr(t);
	case A_HINT:
		return FUZZ_WINDOW + fz_below(t, 8192) * PAGE_SIZE;
	case A_SIZE:
		return fz_size(t);
	case A_WSIZE:
		return fz_wsize(t);
	case A_AFLAGS:
		return fz_aflags(t);
	case A_PHONE:
		return (uint64_t) (int64_t) fz_phone(t);
	case A_CALL:
		return (uint64_t) (int64_t) fz_call_handle(t);
	case A_TID:
		return fz_pick(t, &t->w->tids, 60, thread_id());
	case A_TASK:
		return fz_pick(t, &t->w->tasks, 60, task_id());
	case A_USEC:
		return fz_below(t, 2000);
	case A_TIMEOUT:
		return fz_timeout(t);
	case A_WFLAGS:
		return fz_wait_flags(t);
	case A_ERR:
		return (uint64_t) (int64_t) fz_errno(t);
	case A_MSG:
		return fz_msg_ptr(t);
	case A_OBJ:
		return fz_pct(t, 80) ? fz_below(t, 16) : fz_word(t);
	case A_OFF:
		return fz_pct(t, 80) ? fz_below(t, 64) * PAGE_SIZE : fz_word(t);
	case A_ENTRY:
		return fz_entry(t);
	case A_STACK:
		return fz_pct(t, 85) ? (uintptr_t) t->scratch + FZ_SCRATCH_SIZE : fz_word(t);
	case A_SPEC:
		return fz_spec(t);
	case A_COUNT:
		return fz_pct(t, 85) ? fz_below(t, 17) : fz_word(t);
	case A_FFLAGS:
		return fz_pct(t, 90) ? fz_below(t, 2) : fz_word(t);
	case A_COOKIE:
		return fz_cookie(t);
	default:
		return fz_word(t);
	}
}

/* The argument of kind @a k: typed mostly, any word sometimes, and then
 * made safe (fuzz_args.c says what that means). */
static uint64_t fz_arg(fz_thread_t *t, fz_arg_t k)
{
	if (k == A_NONE)
		return fz_pct(t, 90) ? 0 : fz_word(t);
	if (k == A_ENTRY)
		return fz_entry(t); /* its own edges: a random one would kill us */
	uint64_t v = fz_pct(t, 85) ? fz_typed(t, k) : fz_word(t);
	switch (k) {
	case A_PHONE:
		return (uint64_t) (int64_t) fz_phone_safe(t, v);
	case A_ADDR:
		return fz_addr_safe(t, v);
	case A_HINT:
		return v < FUZZ_WINDOW ? FUZZ_WINDOW + v % FUZZ_WINDOW_SIZE : v;
	case A_WSIZE:
		return fz_wsize_safe(v);
	case A_USEC:
		return fz_usec_safe(v);
	case A_TIMEOUT:
		return fz_timeout_safe(t, v);
	default:
		return v;
	}
}

/* ---- events: calls that arrive, answers to ours ---- */

/* Answer words the kernel will act on for a call of @a method whose
 * request words were @a req (a page-in: some of our memory). */
static void fz_answer_words(fz_thread_t *t, uint64_t method, const ipc_msg_t *req, ipc_msg_t *a)
{
	uint64_t want = req ? req->arg[1] : PAGE_SIZE;
	size_t n = (size_t) fz_below(t, (want < IPC_DATA_MAX ? want : IPC_DATA_MAX) + 1);
	switch (method) {
	case IPC_M_DATA_WRITE:
	case IPC_M_DATA_READ:
		/* The responder copies only to and from its scratch memory: a
		 * page of an area another worker pages would stall it (and
		 * everybody calling it) until the pager timeout. */
		n = t->responder && n > FZ_SCRATCH_SIZE ? FZ_SCRATCH_SIZE : n;
		a->arg[0] = t->responder ? (uintptr_t) t->scratch : fz_out(t, n);
		a->arg[1] = n;
		break;
	case IPC_M_SHARE_OUT:
		a->arg[0] = fz_pct(t, 10) ? 0 : FUZZ_WINDOW + fz_below(t, 8192) * PAGE_SIZE;
		a->arg[1] = (req ? req->arg[1] : AS_AREA_READ) & fz_below(t, 16);
		break;
	case IPC_M_SHARE_IN:
		a->arg[0] = fz_share_base(t);
		break;
	case IPC_M_PAGE_IN:
		/* mostly pages of the thread's scratch memory (wired, mapped,
		 * writable: an answer the kernel takes) */
		a->arg[0] = fz_pct(t, 90) ? (uintptr_t) t->scratch
		                          : fz_pool_get(t, &t->w->areas, FUZZ_WINDOW);
		a->arg[0] += fz_below(t, 4) * PAGE_SIZE;
		a->arg[1] = 1 +
		    fz_below(t, req && req->arg[2] && req->arg[2] < 4 ? req->arg[2] : 4);
		a->arg[2] = req ? PAGE_IN_RIGHTS(req->arg[4]) & (AS_AREA_READ | AS_AREA_WRITE) : 1;
		break;
	default:
		a->arg[0] = fz_below(t, 1000);
		break;
	}
}

/* Answer call @a h (of @a method, request words @a req if known) with
 * SYS_IPC_ANSWER: plausible words mostly, junk sometimes. */
/* Answer @a h with an error and no words, in case it is still ours: a
 * call that failed to be answered or forwarded (with a bad retval, bad
 * words, a bad phone) stays with us, and its caller would wait for the
 * answer until this worker ends. */
static void fz_answer_plain(fz_thread_t *t, cap_handle_t h)
{
	syscall3(SYS_IPC_ANSWER, h, fz_below(t, ERRNO_COUNT), 0);
	fz_count(t);
}

static void fz_answer(fz_thread_t *t, cap_handle_t h, uint64_t method, const ipc_msg_t *req)
{
	ipc_msg_t *a = (ipc_msg_t *) fz_out(t, sizeof(ipc_msg_t));
	bool ours = fz_in_scratch(t, (uintptr_t) a, sizeof(*a));
	errno_t rc = fz_errno(t);
	/* a page-in mostly gets a page (as the responder's do) */
	unsigned good = method == IPC_M_PAGE_IN ? 95 : 80;
	if (ours) {
		fz_msg(t, a);
		if (fz_pct(t, good)) {
			rc = fz_pct(t, good < 90 ? 85 : good) ? EOK : rc;
			fz_answer_words(t, method, req, a);
		}
	}
	errno_t arc = (errno_t) syscall3(SYS_IPC_ANSWER, h, rc, a);
	fz_count(t);
	if (arc == EINVAL || arc == EFAULT)
		fz_answer_plain(t, h); /* a bad retval or words: still ours */
	fz_pool_put(t, &t->w->stale, (uint32_t) h);
	if (ours && arc == EOK && rc == EOK && method == IPC_M_SHARE_OUT)
		fz_pool_put(t, &t->w->areas, a->arg[0]); /* where it landed */
}

/* A call we keep, with its method, for OP_ANSWER (or answer it now if
 * all places are taken: a kept call is answered in the end). */
static void fz_keep_call(fz_thread_t *t, cap_handle_t h, uint64_t method, const ipc_msg_t *req)
{
	uint32_t m = method > UINT32_MAX ? UINT32_MAX : (uint32_t) method;
	if (!fz_pool_put_free(&t->w->calls, (uint64_t) m << 32 | (uint32_t) h, FZ_NO_CALL))
		fz_answer(t, h, method, req);
}

static void fz_forward(fz_thread_t *t, cap_handle_t h)
{
	errno_t rc = (errno_t) syscall4(
	    SYS_IPC_FORWARD, h, fz_phone(t), fz_msg_ptr(t), fz_typed(t, A_FFLAGS));
	fz_count(t);
	if (rc != EOK)
		fz_answer_plain(t, h);
	fz_pool_put(t, &t->w->stale, (uint32_t) h);
}

/* The responder answers with its next SYS_IPC_REPLY_WAIT. */
static void fz_reply_later(fz_thread_t *t, const ipc_event_t *ev)
{
	/* a page-in mostly gets a page (a bad answer kills the faulting
	 * worker, which would then seldom get this far) */
	unsigned good = ev->sender == 0 && ev->msg.method == IPC_M_PAGE_IN ? 95 : 80;
	t->reply = ev->call;
	t->reply_rc = fz_pct(t, good < 90 ? 85 : good) ? EOK : fz_errno(t);
	fz_msg(t, &t->reply_msg);
	if (fz_pct(t, good))
		fz_answer_words(t, ev->msg.method, &ev->msg, &t->reply_msg);
}

/* A call arrived: answer it (mostly), forward it, or keep it for later
 * (a caller may wait long for a kept call: the responder keeps few). */
static void fz_event_call(fz_thread_t *t, const ipc_event_t *ev)
{
	if (ev->msg.method == IPC_M_CONNECT_TO_ME && ev->msg.arg[4] != (uint64_t) CAP_NIL)
		fz_pool_put(t, &t->w->phones, (uint32_t) ev->msg.arg[4]);
	unsigned r = (unsigned) fz_below(t, 100);
	if (ev->msg.method == IPC_M_CONNECT_ME_TO && ev->conn == NS_CONN_BADGE && r < 90) {
		/* a peer connecting through ns: mostly welcome */
		ipc_msg_t a = IPC_MSG(0, fz_below(t, 1000));
		syscall3(SYS_IPC_ANSWER, ev->call, EOK, &a);
		fz_count(t);
	} else if (t->responder && r < 70) {
		fz_reply_later(t, ev);
	} else if (r < 92) {
		fz_answer(t, ev->call, ev->msg.method, &ev->msg);
	} else if (r < 97) {
		fz_forward(t, ev->call);
	} else {
		fz_keep_call(t, ev->call, ev->msg.method, &ev->msg);
	}
}

/* Take what an event brings into the pools, answer or keep a call. */
static void fz_event(fz_thread_t *t, const ipc_event_t *ev)
{
	if (ev->kind == IPC_EV_CALL) {
		fz_event_call(t, ev);
	} else if (ev->kind == IPC_EV_ANSWER && ev->retval == EOK) {
		if (ev->msg.method == IPC_M_CONNECT_ME_TO)
			fz_pool_put(t, &t->w->phones, (uint32_t) ev->msg.arg[0]);
		else if (ev->msg.method == IPC_M_SHARE_IN)
			fz_pool_put(t, &t->w->areas, ev->msg.arg[0]);
	}
}

/* ---- calls that need care ---- */

/* SYS_KCONSOLE_WRITE: never real bytes to the console (they would mix
 * with the test output): a bad pointer, or no bytes, or too many. */
static void fz_kconsole(fz_thread_t *t)
{
	uint64_t p = fz_word(t), n = fz_word(t);
	bool readable = fz_in_scratch(t, p, 1) || (p >= AS_USER_FLOOR && p < ADDR_UNMAPPED);
	if (readable && n > 0 && n <= 64 * 1024)
		n = fz_pct(t, 50) ? 0 : 64 * 1024 + 1 + fz_below(t, 4096);
	syscall2(SYS_KCONSOLE_WRITE, p, n);
	fz_count(t);
}

/* SYS_TASK_SPAWN: "tester child:exit N" (a child that ends at once), or
 * specs, names, arguments and capabilities that are refused.  Never
 * another module, and never the tester with arguments that would run
 * tests.  (A worker holds no range, so every capability passed is
 * refused: a phone, a call, a stale handle or any number.) */
static void fz_spawn(fz_thread_t *t)
{
	static const char *const names[] = { TESTER_MODULE, "nosuch", "teste" };
	/* argument blocks (abi/task.h): each argument ends in a NUL */
	static const char *const args[] = { "child:exit\0003", "child:exit\0000", "child:null" };
	static const size_t args_len[] = { 13, 13, 11 };
	if (fz_pct(t, 75)) {
		/* a spawn costs a hundred calls: mostly refused ones (a random
		 * spec pointer, never one into scratch memory we fill) */
		uint64_t sp = fz_word(t);
		if (fz_in_scratch(t, sp, sizeof(task_spawn_t)))
			sp = 0;
		syscall2(SYS_TASK_SPAWN, sp, fz_word(t));
		fz_count(t);
		return;
	}
	unsigned ni = (unsigned) fz_below(t, 3), ai = (unsigned) fz_below(t, 3);
	uint64_t np = (uintptr_t) names[ni], nl = strlen(names[ni]);
	uint64_t ap = (uintptr_t) args[ai], al = args_len[ai];
	if (fz_pct(t, 30)) {
		np = fz_pct(t, 50) ? np : fz_word(t);
		nl = fz_pct(t, 50) ? nl : fz_word(t);
		ap = fz_pct(t, 50) ? ap : fz_word(t);
		al = fz_pct(t, 50) ? al : fz_word(t);
	}
	if (fz_in_scratch(t, np, 1))
		np = 0; /* a name only from the list above */
	bool tester = np == (uintptr_t) names[0] && nl == strlen(TESTER_MODULE);
	/* The tester only with (a prefix of) a child's arguments: anything
	 * else, even none, would run tests. */
	if (tester && (ap != (uintptr_t) args[ai] || al < 6 || al > args_len[ai]))
		nl--;
	cap_handle_t caps[2] = { fz_phone(t), fz_call_handle(t) };
	task_spawn_t spec = { .module = (const char *) np,
		.module_len = nl,
		.args = (const char *) ap,
		.args_len = al };
	if (fz_pct(t, 10)) {
		spec.caps = fz_pct(t, 70) ? caps : (const cap_handle_t *) fz_word(t);
		spec.ncaps = fz_pct(t, 80) ? 1 + fz_below(t, 2) : fz_word(t);
	}
	uint64_t out = fz_out(t, sizeof(task_id_t));
	errno_t rc = (errno_t) syscall2(SYS_TASK_SPAWN, &spec, out);
	fz_count(t);
	if (rc == EOK && fz_in_scratch(t, out, sizeof(task_id_t)))
		fz_pool_put(t, &t->w->tasks, *(volatile task_id_t *) out);
}

/* What a successful random call made, into the pools. */
static void fz_harvest(fz_thread_t *t, uint64_t num, const uint64_t *a)
{
	uint64_t out = num == SYS_AS_AREA_CREATE_PAGER ? a[4] : a[3];
	switch (num) {
	case SYS_THREAD_CREATE:
		if (fz_in_scratch(t, out, 8))
			fz_pool_put(t, &t->w->tids, *(volatile uint64_t *) out);
		break;
	case SYS_AS_AREA_CREATE:
	case SYS_AS_AREA_CREATE_PAGER:
		if (fz_in_scratch(t, out, 8))
			fz_pool_put(t, &t->w->areas, *(volatile uint64_t *) out);
		break;
	case SYS_IPC_WAIT: {
		/* Wherever it went (the kernel could write it there): a call
		 * whose handle we dropped would never be answered. */
		ipc_event_t ev;
		memcpy(&ev, (const void *) a[0], sizeof(ev));
		fz_event(t, &ev);
		break;
	}
	case SYS_IPC_HANGUP:
	case SYS_CAP_DROP:
	case SYS_IPC_ANSWER:
	case SYS_IPC_FORWARD:
		fz_pool_put(t, &t->w->stale, (uint32_t) a[0]);
		break;
	default:
		break;
	}
}

static uint64_t fz_number(fz_thread_t *t)
{
	unsigned total = 0;
	for (unsigned i = 0; i < SYSCALL_COUNT; i++)
		total += fz_num_weight[i];
	unsigned r = (unsigned) fz_below(t, total);
	for (unsigned i = 0; i < SYSCALL_COUNT; i++) {
		if (r < fz_num_weight[i])
			return i;
		r -= fz_num_weight[i];
	}
	return SYS_THREAD_YIELD;
}

static void fz_op_raw(fz_thread_t *t)
{
	uint64_t num = fz_number(t), a[6];
	t->w->slot->last_op = OP_RAW << 8 | num;
	if (num == SYS_KCONSOLE_WRITE) {
		fz_kconsole(t);
		return;
	}
	if (num == SYS_TASK_SPAWN) {
		fz_spawn(t);
		return;
	}
	for (int i = 0; i < 6; i++)
		a[i] = fz_arg(t, (fz_arg_t) fz_sig[num][i]);
	errno_t rc = (errno_t) syscall6(num, a[0], a[1], a[2], a[3], a[4], a[5]);
	fz_count(t);
	if (rc == EOK)
		fz_harvest(t, num, a);
}

/* A number no call has, or one of the calls that must not be made at
 * random with a plain syscall: refused (ENOTSUP) or made safe first. */
static void fz_op_junk(fz_thread_t *t)
{
	uint64_t num = fz_pct(t, 50) ? SYSCALL_COUNT + fz_below(t, 8) : fz_word(t);
	if (num < SYSCALL_COUNT)
		num = SYSCALL_COUNT + num % 8;
	t->w->slot->last_op = OP_JUNK << 8;
	syscall6(num, fz_word(t), fz_word(t), fz_word(t), fz_word(t), fz_word(t), fz_word(t));
	fz_count(t);
}

/* ---- the register calls ---- */

typedef struct fz_regs {
	uint64_t rax, rdi, rsi, rdx, r10, r8, r9, r12, r13, r14, r15, rbx;
} fz_regs_t;

/* A system call with every register the kernel may read or write. */
static void fz_syscall_regs(fz_regs_t *r)
{
	register uint64_t rdi __asm__("rdi") = r->rdi;
	register uint64_t rsi __asm__("rsi") = r->rsi;
	register uint64_t rdx __asm__("rdx") = r->rdx;
	register uint64_t r10 __asm__("r10") = r->r10;
	register uint64_t r8 __asm__("r8") = r->r8;
	register uint64_t r9 __asm__("r9") = r->r9;
	register uint64_t r12 __asm__("r12") = r->r12;
	register uint64_t r13 __asm__("r13") = r->r13;
	register uint64_t r14 __asm__("r14") = r->r14;
	register uint64_t r15 __asm__("r15") = r->r15;
	register uint64_t rbx __asm__("rbx") = r->rbx;
	uint64_t rax = r->rax;
	__asm__ volatile("syscall"
	                 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
	                 "+r"(r9), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15), "+r"(rbx)
	                 :
	                 : "rcx", "r11", "memory");
	*r = (fz_regs_t){ rax, rdi, rsi, rdx, r10, r8, r9, r12, r13, r14, r15, rbx };
}

static void fz_regs_msg(fz_regs_t *r, const ipc_msg_t *m)
{
	r->rdx = m->arg[0];
	r->r10 = m->arg[1];
	r->r8 = m->arg[2];
	r->r9 = m->arg[3];
	r->r12 = m->arg[4];
}

/* SYS_IPC_CALL_SYNC through a random phone; may wait until the other
 * side answers or ends. */
static void fz_op_sync(fz_thread_t *t)
{
	ipc_msg_t m;
	fz_msg(t, &m);
	fz_regs_t r = { .rax = SYS_IPC_CALL_SYNC,
		.rdi = (uint64_t) (int64_t) fz_phone(t),
		.rsi = m.method,
		.r13 = fz_word(t),
		.r14 = fz_word(t),
		.r15 = fz_word(t),
		.rbx = fz_word(t) };
	fz_regs_msg(&r, &m);
	t->w->slot->last_op = OP_SYNC << 8 | (m.method & 0xff);
	fz_syscall_regs(&r);
	fz_count(t);
	if (r.rax != EOK)
		return;
	if (m.method == IPC_M_CONNECT_ME_TO)
		fz_pool_put(t, &t->w->phones, (uint32_t) r.rdx);
	else if (m.method == IPC_M_SHARE_IN)
		fz_pool_put(t, &t->w->areas, r.rdx);
}

/* SYS_IPC_REPLY_WAIT answering @a h with @a rc and @a a, then taking
 * the next event (waiting up to @a timeout, with @a flags). */
static void fz_reply_wait(fz_thread_t *t, cap_handle_t h, errno_t rc, const ipc_msg_t *a,
    uint64_t timeout, uint64_t flags)
{
	fz_regs_t r = { .rax = SYS_IPC_REPLY_WAIT,
		.rdi = (uint64_t) (int64_t) h,
		.rsi = (uint64_t) (int64_t) rc,
		.r13 = timeout,
		.r14 = flags,
		.r15 = fz_word(t),
		.rbx = fz_word(t) };
	fz_regs_msg(&r, a);
	fz_syscall_regs(&r);
	fz_count(t);
	errno_t arc = (errno_t) (int32_t) (r.rbx >> 32);
	if (h != CAP_NIL && (r.rax == EINVAL || arc == EINVAL))
		fz_answer_plain(t, h); /* bad flags or retval: nothing answered */
	if (h != CAP_NIL)
		fz_pool_put(t, &t->w->stale, (uint32_t) h);
	if (r.rax != EOK)
		return;
	ipc_event_t ev = { .kind = (uint32_t) (r.rdi >> 32),
		.call = (cap_handle_t) (uint32_t) r.rdi,
		.cookie = r.r15,
		.retval = (int32_t) (uint32_t) r.rbx,
		.sender = r.r14,
		.conn = r.r13,
		.msg = { .method = r.rsi, .arg = { r.rdx, r.r10, r.r8, r.r9, r.r12 } } };
	fz_event(t, &ev);
}

/* A random SYS_IPC_REPLY_WAIT: answer a kept call (or none, or a junk
 * handle), then take the next event, mostly without waiting. */
static void fz_op_reply_wait(fz_thread_t *t)
{
	uint64_t kept = fz_pct(t, 50) ? fz_pool_take(t, &t->w->calls, FZ_NO_CALL) : FZ_NO_CALL;
	cap_handle_t h = kept != FZ_NO_CALL ? (cap_handle_t) kept
	    : fz_pct(t, 70)                 ? CAP_NIL
	                                    : fz_call_handle(t);
	ipc_msg_t a;
	fz_msg(t, &a);
	if (h == (cap_handle_t) kept && fz_pct(t, 80))
		fz_answer_words(t, kept >> 32, NULL, &a);
	t->w->slot->last_op = OP_REPLY_WAIT << 8;
	fz_reply_wait(t, h, fz_errno(t), &a, fz_timeout(t),
	    fz_pct(t, 97) ? fz_wait_flags(t) & IPC_WAIT_NONBLOCK : fz_word(t));
}

/* ---- the rest ---- */

/* Answer one of the calls we kept (it may be gone already). */
static void fz_op_answer(fz_thread_t *t)
{
	uint64_t kept = fz_pool_take(t, &t->w->calls, FZ_NO_CALL);
	t->w->slot->last_op = OP_ANSWER << 8;
	if (fz_pct(t, 85))
		fz_answer(t, (cap_handle_t) kept, kept >> 32, NULL);
	else
		fz_forward(t, (cap_handle_t) kept);
}

/* Read or write a page of one of our areas that is there with the right
 * (asked first): a pager area asks its pager (anon, or another worker
 * that answers what it likes); a fault nobody resolves ends the worker,
 * as it may.  A wired page is always there. */
static void fz_op_touch(fz_thread_t *t)
{
	uintptr_t a = fz_pool_get(t, &t->w->areas, 0) + fz_below(t, 4) * PAGE_SIZE;
	if (t->w->nanon > 0 && fz_pct(t, 50))
		a = t->w->anon_areas[fz_below(t, t->w->nanon)] + fz_below(t, 4) * PAGE_SIZE;
	as_area_info_t *info = (as_area_info_t *) t->scratch;
	bool write = fz_pct(t, 50);
	t->w->slot->last_op = OP_TOUCH << 8;
	errno_t rc = (errno_t) syscall2(SYS_AS_AREA_QUERY, a, info);
	fz_count(t);
	if (rc != EOK || !(info->flags & (write ? AS_AREA_WRITE : AS_AREA_READ)))
		return;
	if (info->backend == AS_BACKEND_PAGER && fz_pct(t, 95))
		return; /* a pager may never answer: only now and then */
	volatile uint64_t *p = (volatile uint64_t *) (a & ~(uintptr_t) (PAGE_SIZE - 1));
	if (write)
		*p = fz_rand(t);
	else
		(void) *p;
}

void fz_op_serve(fz_thread_t *t)
{
	if (fz_pct(t, 10))
		fz_op_answer(t); /* the kept calls are answered in the end */
	cap_handle_t h = t->reply;
	t->reply = CAP_NIL;
	t->w->slot->last_op = OP_REPLY_WAIT << 8 | 1;
	/* Waits for good (0) now and then: the task's end interrupts it. */
	fz_reply_wait(t, h, t->reply_rc, &t->reply_msg, fz_pct(t, 90) ? 20000 : 0, 0);
}

/* Bind an area to an object of another worker (or of ourselves: a phone
 * of the pool) and touch it: a page-in that a worker's responder answers
 * with a page of its own (and now and then with junk, or not at all). */
static void fz_op_peer_page(fz_thread_t *t)
{
	as_pager_spec_t *s = (as_pager_spec_t *) t->scratch;
	uintptr_t *out = (uintptr_t *) (t->scratch + sizeof(*s));
	uint64_t peer = fz_pct(t, 70) ? (uint32_t) t->w->self : fz_pool_get(t, &t->w->phones, 0);
	*s = (as_pager_spec_t){ .phone = fz_phone_safe(t, peer),
		.object = fz_below(t, 4),
		.offset = fz_below(t, 4) * PAGE_SIZE };
	t->w->slot->last_op = OP_PEER_PAGE << 8;
	uintptr_t hint = FUZZ_WINDOW + fz_below(t, 4096) * PAGE_SIZE;
	errno_t rc = (errno_t) syscall5(SYS_AS_AREA_CREATE_PAGER, hint, 4 * PAGE_SIZE,
	    AS_AREA_READ | AS_AREA_WRITE, (uintptr_t) s, (uintptr_t) out);
	fz_count(t);
	if (rc != EOK)
		return;
	fz_pool_put(t, &t->w->areas, *out);
	volatile uint64_t *p = (volatile uint64_t *) (*out + fz_below(t, 4) * PAGE_SIZE);
	if (fz_pct(t, 50))
		(void) *p;
	else
		*p = fz_rand(t);
}

static fz_op_t fz_op_pick(fz_thread_t *t)
{
	unsigned total = 0;
	for (unsigned i = 0; i < OP_COUNT; i++)
		total += fz_op_weight[i];
	unsigned r = (unsigned) fz_below(t, total);
	for (unsigned i = 0; i < OP_COUNT; i++) {
		if (r < fz_op_weight[i])
			return (fz_op_t) i;
		r -= fz_op_weight[i];
	}
	return OP_RAW;
}

void fz_op_run(fz_thread_t *t)
{
	if (fz_below(t, FZ_EXIT_ONE_IN) == 0) {
		t->w->slot->last_op = OP_EXIT << 8;
		t->w->slot->state = FUZZ_STATE_ENDING;
		task_exit(FUZZ_EXIT_RANDOM + (int) fz_below(t, 100));
	}
	switch (fz_op_pick(t)) {
	case OP_RAW:
		fz_op_raw(t);
		break;
	case OP_JUNK:
		fz_op_junk(t);
		break;
	case OP_SYNC:
		fz_op_sync(t);
		break;
	case OP_REPLY_WAIT:
		fz_op_reply_wait(t);
		break;
	case OP_ANSWER:
		fz_op_answer(t);
		break;
	case OP_TOUCH:
		fz_op_touch(t);
		break;
	case OP_PEER_PAGE:
		fz_op_peer_page(t);
		break;
	default:
		break;
	}
}
