/*
 * The IPC fast path against the general path: the register calls
 * (ipc_call_sync, ipc_reply_wait) mixed with asynchronous calls, answers
 * given later from another thread, and forwarding in the middle, must give
 * every caller exactly its own answer.
 *
 * The child "child:mixsrv NAME" serves MX_* with two workers through
 * ipc_serve_reply() and answers each MX_ECHO according to its mode:
 *   MX_REPLY   by returning (the answer goes with the worker's next wait)
 *   MX_LATER   by handing the handle to a third thread that answers it
 *              with ipc_answer() after a while, out of order
 *   MX_FORWARD by forwarding it through its phone to itself as MX_FWD,
 *              whose arrival is then answered by returning
 *   MX_PLAIN   by ipc_answer() inside the handler
 * The answer to MX_ECHO(x, mode, a2, a3, a4) is EOK with words
 * (3x + 1, mode, a2 + 1, a3 + 1, a4 + 1).
 */
#include "tester.h"
#include <lock.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

enum {
	MX_ECHO = IPC_M_FIRST_USER + 300,
	MX_FWD,
	MX_READY, /* EOK once the server's phone to itself is there */
	MX_QUIT,
};
enum { MX_REPLY, MX_LATER, MX_FORWARD, MX_PLAIN, MX_MODES };

#define MX_LATER_MAX 64
#define MX_CLIENTS 4
#define MX_CALLS 150

static cap_handle_t mx_self = CAP_NIL;
static cap_handle_t mx_later[MX_LATER_MAX];
static ipc_msg_t mx_later_ans[MX_LATER_MAX];
static size_t mx_later_n;
static lock_t mx_lock = LOCK_INITIALIZER;
static char mx_name[24];

static ipc_msg_t mx_answer_of(const ipc_msg_t *m)
{
	return IPC_MSG(
	    0, 3 * m->arg[0] + 1, m->arg[1], m->arg[2] + 1, m->arg[3] + 1, m->arg[4] + 1);
}

/* The third thread: connects the server to itself, then answers the
 * stashed calls, newest first (so out of their order). */
static int mx_later_thread(void *arg)
{
	(void) arg;
	cap_handle_t self;
	if (ns_connect_timeout(mx_name, 5000, &self) != EOK)
		return 1;
	__atomic_store_n(&mx_self, self, __ATOMIC_RELEASE);
	for (;;) {
		cap_handle_t h = CAP_NIL;
		ipc_msg_t ans;
		lock_acquire(&mx_lock);
		if (mx_later_n > 0) {
			mx_later_n--;
			h = mx_later[mx_later_n];
			ans = mx_later_ans[mx_later_n];
		}
		lock_release(&mx_lock);
		if (h == CAP_NIL)
			thread_sleep_us(300);
		else
			ipc_answer(h, EOK, &ans);
	}
}

static errno_t mx_echo(ipc_event_t *ev, ipc_msg_t *answer)
{
	switch (ev->msg.arg[1]) {
	case MX_REPLY:
		*answer = mx_answer_of(&ev->msg);
		return EOK;
	case MX_LATER:
		lock_acquire(&mx_lock);
		if (mx_later_n == MX_LATER_MAX) {
			lock_release(&mx_lock);
			*answer = mx_answer_of(&ev->msg); /* full: now, then */
			return EOK;
		}
		mx_later[mx_later_n] = ev->call;
		mx_later_ans[mx_later_n++] = mx_answer_of(&ev->msg);
		lock_release(&mx_lock);
		return IPC_NO_REPLY;
	case MX_FORWARD: {
		ipc_msg_t m = ev->msg;
		m.method = MX_FWD;
		errno_t rc = ipc_forward(ev->call, mx_self, &m, IPC_FORWARD_REPLACE);
		return rc == EOK ? IPC_NO_REPLY : rc;
	}
	case MX_PLAIN: {
		ipc_msg_t ans = mx_answer_of(&ev->msg);
		ipc_answer(ev->call, EOK, &ans);
		return IPC_NO_REPLY;
	}
	default:
		return EINVAL;
	}
}

static errno_t mx_handle(ipc_event_t *ev, ipc_msg_t *answer)
{
	if (ev->kind != IPC_EV_CALL)
		return IPC_NO_REPLY;
	switch (ev->msg.method) {
	case IPC_M_CONNECT_ME_TO:
		ipc_connect_accept(ev, 7);
		return IPC_NO_REPLY;
	case MX_ECHO:
		return mx_echo(ev, answer);
	case MX_FWD:
		*answer = mx_answer_of(&ev->msg);
		return EOK;
	case MX_READY:
		return __atomic_load_n(&mx_self, __ATOMIC_ACQUIRE) == CAP_NIL ? EAGAIN : EOK;
	case MX_QUIT:
		ipc_answer(ev->call, EOK, NULL);
		exit(0);
	default:
		return ENOTSUP;
	}
}

int child_mixsrv(int argc, char **argv)
{
	if (argc < 2)
		return 9;
	snprintf(mx_name, sizeof(mx_name), "%s", argv[1]);
	if (ns_register(mx_name) != EOK)
		return 10;
	if (thread_create(mx_later_thread, NULL, NULL) != EOK)
		return 11;
	ipc_serve_reply(mx_handle, 2);
	return 12;
}

/* ---- the clients ---- */

typedef struct mx_client {
	cap_handle_t phone;
	unsigned seed;
	unsigned bad; /* answers that were not ours */
	unsigned done;
} mx_client_t;

static unsigned mx_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* One call, synchronously or asynchronously: true if the answer is ours. */
static bool mx_call_one(mx_client_t *c, uint64_t x, unsigned mode, bool sync)
{
	ipc_msg_t m = IPC_MSG(MX_ECHO, x, mode, x ^ 0x55, x + 7, ~x);
	ipc_msg_t want = mx_answer_of(&m), ans;
	errno_t rc;
	if (sync) {
		rc = ipc_call_sync(c->phone, &m, &ans);
	} else {
		uint64_t cookie = ipc_cookie_sync_new();
		ipc_event_t ev;
		rc = ipc_call(c->phone, &m, cookie);
		if (rc == EOK)
			rc = ipc_wait(&ev, 10 * 1000 * 1000, IPC_WAIT_FOR_COOKIE, cookie);
		if (rc == EOK) {
			rc = ev.retval;
			ans = ev.msg;
		}
	}
	if (rc != EOK)
		return false;
	for (int i = 0; i < IPC_ARG_COUNT; i++) {
		if (ans.arg[i] != want.arg[i])
			return false;
	}
	return true;
}

static int mx_client_thread(void *arg)
{
	mx_client_t *c = arg;
	for (unsigned i = 0; i < MX_CALLS; i++) {
		unsigned r = mx_rand(&c->seed);
		uint64_t x = ((uint64_t) r << 20) ^ i;
		if (!mx_call_one(c, x, r % MX_MODES, (r >> 4) & 1))
			c->bad++;
		c->done++;
	}
	return 0;
}

UTEST(ipc_fastpath_mixed)
{
	test_server_t s;
	mx_client_t cl[MX_CLIENTS];
	tid_t tid[MX_CLIENTS];
	uint64_t before = frames_free();
	UT_ASSERT_OK(test_server_spawn(&s, "child:mixsrv", "m"));
	errno_t rc = EAGAIN;
	for (int i = 0; i < 1000 && rc == EAGAIN; i++) {
		rc = ipc_request(s.phone, MX_READY, 0, 0, 0, 0, 0, NULL);
		if (rc == EAGAIN)
			thread_sleep_us(1000);
	}
	UT_ASSERT_OK(rc);
	for (int i = 0; i < MX_CLIENTS; i++) {
		cl[i] = (mx_client_t){ .phone = s.phone, .seed = 1234u + 77u * (unsigned) i };
		UT_ASSERT_OK(thread_create(mx_client_thread, &cl[i], &tid[i]));
	}
	for (int i = 0; i < MX_CLIENTS; i++) {
		UT_CHECK_OK(thread_join(tid[i], NULL));
		UT_CHECK_EQ(cl[i].done, MX_CALLS);
		UT_CHECK_EQ(cl[i].bad, 0);
	}
	/* Each mode, each way, once more from this thread. */
	for (unsigned mode = 0; mode < MX_MODES; mode++) {
		UT_CHECK(mx_call_one(&cl[0], 1000 + mode, mode, true));
		UT_CHECK(mx_call_one(&cl[0], 2000 + mode, mode, false));
	}
	test_server_stop(&s, MX_QUIT, NULL);
	UT_CHECK_EQ(frames_settle(before), before);
}

/* The register calls refuse bad input and change nothing. */
UTEST(ipc_fastpath_hostile)
{
	ipc_msg_t ans;
	ipc_event_t ev;
	errno_t arc;
	ipc_msg_t m = IPC_MSG(IPC_M_FIRST_USER);
	UT_CHECK_ERR(ipc_call_sync(CAP_NIL, &m, &ans), ENOENT);
	UT_CHECK_ERR(ipc_call_sync(CAP_MAX - 1, &m, &ans), ENOENT);
	m.method = IPC_M_PAGE_IN;
	UT_CHECK_ERR(ipc_call_sync(IPC_PHONE_NS, &m, &ans), EINVAL);
	/* A bad handle to answer: refused, then the wait goes on. */
	UT_CHECK_ERR(ipc_reply_wait(12345, EOK, NULL, &ev, 0, IPC_WAIT_NONBLOCK, &arc), ETIMEOUT);
	UT_CHECK_ERR(arc, ENOENT);
	UT_CHECK_ERR(ipc_reply_wait(CAP_NIL, EOK, NULL, &ev, 0, 0x80, &arc), EINVAL);
	UT_CHECK_ERR(ipc_reply_wait(CAP_NIL, EOK, NULL, &ev, 1000, 0, &arc), ETIMEOUT);
	UT_CHECK_EQ(arc, EOK);
}
