/*
 * IPC: ping-pong between two tasks, a server serving several calls at
 * once, the naming service, data write/read, and hostile use (bad
 * handles, answering twice or without holding the call, forwarding
 * through bad phones, oversize data, hangups mid-call, bad out pointers,
 * the outstanding-call bound).  What each expects from the kernel is in
 * abi/ipc.h; the hostile ones mostly run against a phone to the tester
 * itself (ipc_util.c), so one thread plays caller and callee.
 */
#include "tester.h"
#include <cap.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define PINGS 1000
#define WAIT_US (5 * 1000 * 1000)
#define USER_METHOD (IPC_M_FIRST_USER + 77)
#define COOKIE 0x1234ULL

/* Receive the call we just sent ourselves; check it is ours. */
static bool self_receive(ipc_event_t *ev, uint64_t method)
{
	if (!UT_CHECK_OK(self_event_wait(ev, WAIT_US)))
		return false;
	return UT_CHECK_EQ(ev->kind, IPC_EV_CALL) && UT_CHECK_EQ(ev->msg.method, method) &&
	    UT_CHECK_EQ(ev->sender, task_id());
}

/* Collect the answer with @a cookie; check its retval. */
static bool self_collect(uint64_t cookie, errno_t want, ipc_event_t *ev)
{
	if (!UT_CHECK_OK(self_event_wait(ev, WAIT_US)))
		return false;
	return UT_CHECK_EQ(ev->kind, IPC_EV_ANSWER) && UT_CHECK_EQ(ev->cookie, cookie) &&
	    UT_CHECK_ERR(ev->retval, want);
}

UTEST(ipc_ping_pong)
{
	test_server_t s;
	ipc_msg_t ans;
	task_exit_info_t info;
	UT_ASSERT_OK(test_server_start(&s));
	for (uint64_t i = 0; i < PINGS && !utest_failed(); i++) {
		UT_CHECK_OK(ipc_request(s.phone, TS_PING, i, 0, 0, 0, 0, &ans));
		UT_CHECK_EQ(ans.arg[0], i + 1);
		UT_CHECK_EQ(ans.arg[1], s.task);
	}
	UT_CHECK_OK(ipc_request(s.phone, TS_CONN, 0, 0, 0, 0, 0, &ans));
	UT_CHECK(ans.arg[0] >= 100); /* the badge the server chose */
	test_server_stop(&s, TS_QUIT, &info);
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
}

typedef struct sleeper {
	cap_handle_t phone;
	errno_t rc;
} sleeper_t;

static int sleeper_thread(void *arg)
{
	sleeper_t *s = arg;
	s->rc = ipc_request(s->phone, TS_SLEEP, 200 * 1000, 0, 0, 0, 0, NULL);
	return 0;
}

/* TS_THREADS requests that each sleep 200 ms in the server finish in
 * well under TS_THREADS * 200 ms: the server serves them at once, and
 * our threads each wait for their own answer. */
UTEST(ipc_serve_concurrent)
{
	test_server_t s;
	sleeper_t sl[TS_THREADS];
	tid_t tids[TS_THREADS];
	UT_ASSERT_OK(test_server_start(&s));
	uint64_t t0 = uptime_ns_now();
	for (int i = 0; i < TS_THREADS; i++) {
		sl[i] = (sleeper_t){ s.phone, EINVAL };
		UT_CHECK_OK(thread_create(sleeper_thread, &sl[i], &tids[i]));
	}
	for (int i = 0; i < TS_THREADS; i++) {
		thread_join(tids[i], NULL);
		UT_CHECK_OK(sl[i].rc);
	}
	uint64_t ms = (uptime_ns_now() - t0) / 1000000;
	utest_note("%d requests of 200 ms each took %llu ms", TS_THREADS, (unsigned long long) ms);
	UT_CHECK(ms < (TS_THREADS - 1) * 200);
	test_server_stop(&s, TS_QUIT, NULL);
}

typedef struct connector {
	const char *name;
	cap_handle_t phone;
	errno_t rc;
	volatile bool done;
} connector_t;

static int connector_thread(void *arg)
{
	connector_t *c = arg;
	c->rc = ns_connect(c->name, &c->phone);
	c->done = true;
	return 0;
}

/* A client connects to a name before its server exists: the connect
 * waits in ns and completes when the server registers. */
UTEST(ns_connect_waits_for_server)
{
	char name[24], args[64];
	task_id_t task;
	tid_t tid;
	task_exit_info_t info;
	test_name_make(name, sizeof(name), "late");
	connector_t c = { .name = name, .phone = CAP_NIL, .rc = EINVAL };
	UT_ASSERT_OK(thread_create(connector_thread, &c, &tid));
	thread_sleep_us(100 * 1000);
	UT_CHECK(!c.done);
	snprintf(args, sizeof(args), "child:server %s", name);
	UT_CHECK_OK(task_spawn(TESTER_MODULE, args, &task));
	thread_join(tid, NULL);
	UT_CHECK_OK(c.rc);
	if (c.rc == EOK) {
		ipc_msg_t ans;
		UT_CHECK_OK(ipc_request(c.phone, TS_PING, 41, 0, 0, 0, 0, &ans));
		UT_CHECK_EQ(ans.arg[0], 42);
		ipc_request(c.phone, TS_QUIT, 0, 0, 0, 0, 0, NULL);
		ipc_hangup(c.phone);
	}
	UT_CHECK_OK(task_wait(task, &info));
	UT_CHECK_EQ(info.status, 0);
}

UTEST(ns_connect_timeout)
{
	char name[24];
	cap_handle_t phone;
	test_name_make(name, sizeof(name), "none");
	uint64_t t0 = uptime_ns_now();
	UT_CHECK_ERR(ns_connect_timeout(name, 100, &phone), ETIMEOUT);
	uint64_t ms = (uptime_ns_now() - t0) / 1000000;
	UT_CHECK(ms >= 90);
	UT_CHECK_ERR(ns_connect_timeout("", 100, &phone), EINVAL);
	UT_CHECK_ERR(ns_connect_timeout("seventeen-chars-x", 100, &phone), EINVAL);
}

/* Names: bad ones refused, a duplicate refused, a name comes back after
 * unregistering and after its server died. */
UTEST(ns_register_rules)
{
	char name[24];
	test_server_t s;
	task_exit_info_t info;
	UT_CHECK_ERR(ns_register(""), EINVAL);
	UT_CHECK_ERR(ns_register("seventeen-chars-x"), EINVAL);
	test_name_make(name, sizeof(name), "dup");
	UT_CHECK_OK(ns_register(name));
	UT_CHECK_ERR(ns_register(name), EEXIST);
	UT_CHECK_OK(ns_unregister(name));
	UT_CHECK_ERR(ns_unregister(name), ENOENT);
	UT_CHECK_OK(ns_register(name));
	UT_CHECK_OK(ns_unregister(name));
	/* A raw registration through phone 0 (not a registration phone). */
	uint64_t w[2];
	UT_ASSERT_OK(ns_name_pack(name, w));
	UT_CHECK_ERR(ipc_connect_to_me(IPC_PHONE_NS, w[0], w[1], 0, 0, 1), EINVAL);
	/* A server that dies loses its name: a new one can take it. */
	UT_ASSERT_OK(test_server_start(&s));
	UT_CHECK_ERR(ns_register(s.name), EEXIST);
	test_server_stop(&s, TS_DIE, &info);
	UT_CHECK_EQ(info.status, 3);
	UT_CHECK_OK(ns_register(s.name));
	UT_CHECK_OK(ns_unregister(s.name));
	/* ns hung up its phones to us (one per registration it dropped or
	 * refused): take the notices. */
	events_drain(50 * 1000);
}

/* At most NS_PENDING_MAX connects wait for names; one more is ELIMIT at
 * once; the waiting ones end with ETIMEOUT. */
UTEST(ns_pending_bounded)
{
	char name[24];
	uint64_t w[2];
	ipc_event_t ev;
	int timeouts = 0, limits = 0;
	test_name_make(name, sizeof(name), "pend");
	UT_ASSERT_OK(ns_name_pack(name, w));
	for (uint64_t i = 0; i <= NS_PENDING_MAX; i++) {
		ipc_msg_t m = IPC_MSG(IPC_M_CONNECT_ME_TO, w[0], w[1], 300);
		UT_ASSERT_OK(ipc_call(IPC_PHONE_NS, &m, COOKIE + i));
	}
	while (timeouts + limits <= NS_PENDING_MAX && self_event_wait(&ev, WAIT_US) == EOK) {
		if (!UT_CHECK_EQ(ev.kind, IPC_EV_ANSWER))
			continue;
		if (ev.retval == ELIMIT)
			limits += UT_CHECK_EQ(ev.cookie, COOKIE + NS_PENDING_MAX);
		else
			timeouts += UT_CHECK_ERR(ev.retval, ETIMEOUT);
	}
	UT_CHECK_EQ(limits, 1);
	UT_CHECK_EQ(timeouts, NS_PENDING_MAX);
}

/* Fill ns's list of waiting connects with connects (no timeout) to the
 * name argv[1], and end without waiting for them.  One more connect,
 * which ns takes after them, must find the list full (ELIMIT): then ns
 * holds them all (calls still queued when we end would just be dropped). */
int child_ns_abandon(int argc, char **argv)
{
	uint64_t w[2];
	cap_handle_t phone;
	if (argc < 2 || ns_name_pack(argv[1], w) != EOK)
		return 1;
	for (uint64_t i = 0; i < NS_PENDING_MAX; i++) {
		ipc_msg_t m = IPC_MSG(IPC_M_CONNECT_ME_TO, w[0], w[1], 0);
		if (ipc_call(IPC_PHONE_NS, &m, COOKIE + i) != EOK)
			return 2;
	}
	return ns_connect_timeout(argv[1], 1, &phone) == ELIMIT ? 0 : 3;
}

/* Connects whose callers ended do not keep ns's list full: a child fills
 * it with connects that never time out and ends; a later connect still
 * waits (and times out) instead of being refused with ELIMIT.  Fails
 * without ns's sweep of abandoned calls (CAP_INFO_CALL_ABANDONED). */
UTEST(ns_pending_callers_gone)
{
	char name[24], args[48], other[24];
	task_exit_info_t info;
	cap_handle_t phone;
	test_name_make(name, sizeof(name), "gone");
	test_name_make(other, sizeof(other), "late");
	snprintf(args, sizeof(args), "child:ns-abandon %s", name);
	UT_ASSERT_OK(child_run(args, &info));
	UT_ASSERT_EQ(info.status, 0);
	UT_CHECK_ERR(ns_connect_timeout(other, 20, &phone), ETIMEOUT);
	UT_CHECK_ERR(ns_connect_timeout(name, 20, &phone), ETIMEOUT);
}

/* A received call whose caller waits is not marked abandoned (the
 * abandoned case: ns_pending_callers_gone). */
UTEST(ipc_call_info_caller_waits)
{
	cap_handle_t self;
	ipc_event_t ev;
	cap_info_t ci;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), COOKIE));
	if (self_receive(&ev, USER_METHOD)) {
		if (UT_CHECK_OK(cap_info(ev.call, &ci))) {
			UT_CHECK_EQ(ci.kind, CAP_KIND_CALL);
			UT_CHECK_EQ(ci.flags, 0);
		}
		UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
		self_collect(COOKIE, EOK, &ev);
	}
	self_phone_close(self);
}

UTEST(ns_name_packing)
{
	uint64_t w[2];
	char out[NS_NAME_MAX + 1];
	UT_ASSERT_OK(ns_name_pack("anon", w));
	UT_CHECK_EQ(w[0], 0x6e6f6e61ULL);
	UT_CHECK_EQ(w[1], 0);
	ns_name_unpack(w, out);
	UT_CHECK(strcmp(out, "anon") == 0);
	UT_ASSERT_OK(ns_name_pack("0123456789abcdef", w));
	ns_name_unpack(w, out);
	UT_CHECK(strcmp(out, "0123456789abcdef") == 0);
}

UTEST(ipc_data_round_trip)
{
	static unsigned char out[IPC_DATA_MAX], in[IPC_DATA_MAX];
	const size_t sizes[] = { 1, 7, 4096, 4097, 30000, IPC_DATA_MAX };
	test_server_t s;
	size_t done;
	UT_ASSERT_OK(test_server_start(&s));
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		for (size_t i = 0; i < n; i++)
			out[i] = (unsigned char) (i * 7 + k);
		memset(in, 0, n);
		UT_CHECK_OK(ipc_data_write(s.phone, out, n, &done));
		UT_CHECK_EQ(done, n);
		UT_CHECK_OK(ipc_data_read(s.phone, in, n, &done));
		UT_CHECK_EQ(done, n);
		UT_CHECK(memcmp(in, out, n) == 0);
	}
	/* The server takes and gives fewer bytes than offered. */
	UT_CHECK_OK(ipc_request(s.phone, TS_LIMIT, 100, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(ipc_data_write(s.phone, out, 1000, &done));
	UT_CHECK_EQ(done, 100);
	memset(in, 0xee, 1000);
	UT_CHECK_OK(ipc_data_read(s.phone, in, 1000, &done));
	UT_CHECK_EQ(done, 100);
	UT_CHECK(memcmp(in, out, 100) == 0 && in[100] == 0xee);
	test_server_stop(&s, TS_QUIT, NULL);
}

UTEST(ipc_hostile_handles)
{
	const cap_handle_t bad[] = { CAP_NIL, CAP_MAX - 1, 1000, INT32_MIN, INT32_MAX };
	ipc_msg_t msg = IPC_MSG(USER_METHOD, 1);
	ipc_event_t ev;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UT_CHECK_ERR(ipc_call(bad[i], &msg, 0), ENOENT);
		UT_CHECK_ERR(ipc_answer(bad[i], EOK, NULL), ENOENT);
		UT_CHECK_ERR(ipc_forward(bad[i], IPC_PHONE_NS, NULL, 0), ENOENT);
		UT_CHECK_ERR(ipc_hangup(bad[i]), ENOENT);
	}
	/* A phone is not a call. */
	UT_CHECK_ERR(ipc_answer(IPC_PHONE_NS, EOK, NULL), ENOENT);
	UT_CHECK_ERR(ipc_forward(IPC_PHONE_NS, IPC_PHONE_NS, NULL, 0), ENOENT);
	/* Bad message pointers and methods. */
	UT_CHECK_ERR(ipc_call(IPC_PHONE_NS, NULL, 0), EFAULT);
	UT_CHECK_ERR(ipc_call(IPC_PHONE_NS, (const ipc_msg_t *) ADDR_UNMAPPED, 0), EFAULT);
	UT_CHECK_ERR(ipc_call(IPC_PHONE_NS, (const ipc_msg_t *) ADDR_KERNEL, 0), EFAULT, EINVAL);
	msg.method = IPC_M_PAGE_IN;
	UT_CHECK_ERR(ipc_call(IPC_PHONE_NS, &msg, 0), EINVAL);
	msg.method = IPC_M_PAGER_OBJECT_UNREF;
	UT_CHECK_ERR(ipc_call(IPC_PHONE_NS, &msg, 0), EINVAL);
	/* Wait: bad flags; nothing there. */
	UT_CHECK_ERR(ipc_wait(&ev, 0, 0x80, 0), EINVAL);
	UT_CHECK_ERR(ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0), ETIMEOUT);
	UT_CHECK_ERR(ipc_wait(&ev, 1000, 0, 0), ETIMEOUT);
	/* Phone 0 to ns still works. */
	cap_handle_t p;
	UT_CHECK_ERR(ns_connect_timeout("t-no-such", 10, &p), ETIMEOUT);
}

UTEST(ipc_hostile_answer_twice)
{
	cap_handle_t self;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD, 5, 6, 7, 8, 9), COOKIE));
	if (self_receive(&ev, USER_METHOD)) {
		UT_CHECK_EQ(ev.conn, SELF_BADGE);
		UT_CHECK_EQ(ev.msg.arg[4], 9);
		UT_CHECK_ERR(ipc_answer(ev.call, ERRNO_COUNT, NULL), EINVAL);
		UT_CHECK_ERR(ipc_answer(ev.call, -1, NULL), EINVAL);
		UT_CHECK_ERR(ipc_answer(ev.call, EOK, (ipc_msg_t *) ADDR_UNMAPPED), EFAULT);
		ipc_msg_t ans = IPC_MSG(0, 42);
		UT_CHECK_OK(ipc_answer(ev.call, EOK, &ans));
		UT_CHECK_ERR(ipc_answer(ev.call, EOK, &ans), ENOENT);
		UT_CHECK_ERR(ipc_forward(ev.call, self, NULL, 0), ENOENT);
		if (self_collect(COOKIE, EOK, &ev))
			UT_CHECK_EQ(ev.msg.arg[0], 42);
	}
	UT_CHECK_ERR(ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0), ETIMEOUT);
	self_phone_close(self);
}

/* A handle kept after its object went away never reaches the object that
 * reuses its slot: a hung-up phone's handle and an answered call's handle
 * are refused with ESTALE, and the new phone and call are untouched. */
UTEST(ipc_stale_handle)
{
	cap_handle_t a, b;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&a));
	UT_CHECK_OK(ipc_hangup(a));
	UT_ASSERT_OK(self_phone_open(&b));
	UT_CHECK_EQ(CAP_HANDLE_INDEX(b), CAP_HANDLE_INDEX(a)); /* the slot came back */
	UT_CHECK(b != a);
	UT_CHECK_ERR(ipc_call(a, &IPC_MSG(USER_METHOD), COOKIE), ESTALE);
	UT_CHECK_ERR(ipc_hangup(a), ESTALE);
	UT_CHECK_OK(ipc_call(b, &IPC_MSG(USER_METHOD, 1), COOKIE));
	if (self_receive(&ev, USER_METHOD)) {
		cap_handle_t old = ev.call;
		UT_CHECK_OK(ipc_answer(old, EOK, NULL));
		self_collect(COOKIE, EOK, &ev);
		UT_CHECK_OK(ipc_call(b, &IPC_MSG(USER_METHOD, 2), COOKIE));
		if (self_receive(&ev, USER_METHOD)) {
			UT_CHECK_EQ(CAP_HANDLE_INDEX(ev.call), CAP_HANDLE_INDEX(old));
			UT_CHECK_ERR(ipc_answer(old, EOK, NULL), ESTALE);
			UT_CHECK_ERR(ipc_forward(old, b, NULL, 0), ESTALE);
			UT_CHECK_OK(ipc_answer(ev.call, EOK, &IPC_MSG(0, 77)));
			if (self_collect(COOKIE, EOK, &ev))
				UT_CHECK_EQ(ev.msg.arg[0], 77);
		}
	}
	self_phone_close(b);
}

UTEST(ipc_hostile_answer_not_held)
{
	cap_handle_t self;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&self));
	/* Our phone's handle is not a call; the phone keeps working. */
	UT_CHECK_ERR(ipc_answer(self, EOK, NULL), ENOENT);
	UT_CHECK_ERR(ipc_answer(self + 1, EOK, NULL), ENOENT);
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), COOKIE));
	if (self_receive(&ev, USER_METHOD)) {
		cap_handle_t call = ev.call;
		UT_CHECK(call != self);
		UT_CHECK_OK(ipc_answer(call, EPERM, NULL));
		self_collect(COOKIE, EPERM, &ev);
		/* The handle is free now: answering it again is refused. */
		UT_CHECK_ERR(ipc_answer(call, EOK, NULL), ENOENT);
	}
	self_phone_close(self);
}

UTEST(ipc_hostile_forward)
{
	cap_handle_t self;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), COOKIE));
	if (self_receive(&ev, USER_METHOD)) {
		/* Bad phones, bad flags, bad message: the call stays ours. */
		UT_CHECK_ERR(ipc_forward(ev.call, CAP_NIL, NULL, 0), ENOENT);
		UT_CHECK_ERR(ipc_forward(ev.call, 999, NULL, 0), ENOENT);
		UT_CHECK_ERR(ipc_forward(ev.call, ev.call, NULL, 0), ENOENT);
		UT_CHECK_ERR(ipc_forward(ev.call, self, NULL, 0x40), EINVAL);
		UT_CHECK_ERR(ipc_forward(ev.call, self, NULL, IPC_FORWARD_REPLACE), EFAULT);
		/* Forward to ourselves with new words: it comes back. */
		ipc_msg_t m = IPC_MSG(USER_METHOD + 1, 11);
		UT_CHECK_OK(ipc_forward(ev.call, self, &m, IPC_FORWARD_REPLACE));
		if (self_receive(&ev, USER_METHOD + 1)) {
			UT_CHECK_EQ(ev.msg.arg[0], 11);
			UT_CHECK_OK(ipc_answer(ev.call, EOK, &IPC_MSG(0, 12)));
		}
		if (self_collect(COOKIE, EOK, &ev))
			UT_CHECK_EQ(ev.msg.arg[0], 12);
	}
	self_phone_close(self);
}

/* Forward through the phone of a server that has ended: the original
 * caller gets EHANGUP, and the phone stays ours until we hang it up. */
UTEST(ipc_forward_dead_phone)
{
	cap_handle_t self;
	ipc_event_t ev;
	test_server_t s;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_ASSERT_OK(test_server_start(&s));
	cap_handle_t dead = s.phone;
	s.phone = CAP_NIL;
	ipc_request(dead, TS_QUIT, 0, 0, 0, 0, 0, NULL);
	task_exit_info_t info;
	task_wait(s.task, &info);
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), COOKIE + 1));
	if (self_receive(&ev, USER_METHOD)) {
		UT_CHECK_ERR(ipc_forward(ev.call, dead, NULL, 0), EHANGUP);
		self_collect(COOKIE + 1, EHANGUP, &ev);
	}
	UT_CHECK_ERR(ipc_call(dead, &IPC_MSG(TS_PING), 0), EHANGUP);
	UT_CHECK_OK(ipc_hangup(dead));
	self_phone_close(self);
}

UTEST(ipc_hostile_data)
{
	static unsigned char buf[IPC_DATA_MAX + PAGE_SIZE];
	cap_handle_t self;
	ipc_event_t ev;
	size_t done;
	UT_ASSERT_OK(self_phone_open(&self));
	/* Oversize: refused at send time, nothing queued. */
	UT_CHECK_ERR(ipc_data_write(self, buf, IPC_DATA_MAX + 1, &done), ELIMIT);
	UT_CHECK_ERR(ipc_data_read(self, buf, IPC_DATA_MAX + 1, &done), ELIMIT);
	UT_CHECK_ERR(ipc_data_write(self, buf, SIZE_MAX, &done), ELIMIT);
	/* Bad buffers. */
	UT_CHECK_ERR(ipc_data_write(self, (void *) ADDR_UNMAPPED, 16, &done), EFAULT);
	UT_CHECK_ERR(ipc_data_read(self, (void *) ADDR_KERNEL, 16, &done), EFAULT, EINVAL);
	UT_CHECK_ERR(ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0), ETIMEOUT);
	/* The recipient sees no address, only the size; it may not take
	 * more than offered. */
	memset(buf, 0x61, 100);
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(IPC_M_DATA_WRITE, (uintptr_t) buf, 100), COOKIE));
	if (self_receive(&ev, IPC_M_DATA_WRITE)) {
		UT_CHECK_EQ(ev.msg.arg[0], 0);
		UT_CHECK_EQ(ev.msg.arg[1], 100);
		UT_CHECK_ERR(
		    ipc_answer(ev.call, EOK, &IPC_MSG(0, (uintptr_t) (buf + 200), 101)), EINVAL);
		self_collect(COOKIE, EINVAL, &ev);
	}
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(IPC_M_DATA_WRITE, (uintptr_t) buf, 100), COOKIE + 1));
	if (self_receive(&ev, IPC_M_DATA_WRITE)) {
		UT_CHECK_OK(ipc_data_write_accept(&ev, buf + 200, 50, &done));
		UT_CHECK_EQ(done, 50);
		if (self_collect(COOKIE + 1, EOK, &ev))
			UT_CHECK_EQ(ev.msg.arg[1], 50);
		UT_CHECK(buf[200] == 0x61 && buf[249] == 0x61 && buf[250] == 0);
	}
	self_phone_close(self);
}

static int holder_thread(void *arg)
{
	return ipc_request(*(cap_handle_t *) arg, TS_HOLD, 0, 0, 0, 0, 0, NULL);
}

/* The server ends while it holds one call and handles another: both
 * callers get EHANGUP. */
UTEST(ipc_hangup_mid_call)
{
	test_server_t s;
	task_exit_info_t info;
	tid_t tid;
	int status;
	UT_ASSERT_OK(test_server_start(&s));
	UT_ASSERT_OK(thread_create(holder_thread, &s.phone, &tid));
	thread_sleep_us(50 * 1000);
	UT_CHECK_ERR(ipc_request(s.phone, TS_DIE, 0, 0, 0, 0, 0, NULL), EHANGUP);
	UT_CHECK_OK(thread_join(tid, &status));
	UT_CHECK_ERR(status, EHANGUP);
	UT_CHECK_ERR(ipc_request(s.phone, TS_PING, 0, 0, 0, 0, 0, NULL), EHANGUP);
	UT_CHECK_OK(ipc_hangup(s.phone));
	task_wait(s.task, &info);
	UT_CHECK_EQ(info.status, 3);
}

/* The caller hangs up while its call still waits to be received: the
 * call is answered EHANGUP and the callee is told. */
UTEST(ipc_hangup_before_receive)
{
	cap_handle_t self;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), COOKIE));
	UT_CHECK_OK(ipc_hangup(self));
	bool answered = false, told = false;
	while (ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0) == EOK) {
		if (ev.kind == IPC_EV_ANSWER && ev.cookie == COOKIE)
			answered = UT_CHECK_ERR(ev.retval, EHANGUP);
		if (ev.kind == IPC_EV_HANGUP && ev.conn == SELF_BADGE)
			told = true;
		UT_CHECK(ev.kind != IPC_EV_CALL);
	}
	UT_CHECK(answered);
	UT_CHECK(told);
	UT_CHECK_ERR(ipc_call(self, &IPC_MSG(USER_METHOD), COOKIE), ENOENT);
}

/* A refused IPC_M_CONNECT_TO_ME: the phone the recipient was given
 * (ev.msg.arg[4]) is gone from its table, and the caller is told. */
UTEST(ipc_connect_to_me_refused)
{
	cap_handle_t self;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&self));
	ipc_msg_t m = IPC_MSG(IPC_M_CONNECT_TO_ME, 1, 2, 3, 4, 0x77);
	UT_CHECK_OK(ipc_call(self, &m, COOKIE));
	if (self_receive(&ev, IPC_M_CONNECT_TO_ME)) {
		cap_handle_t given = (cap_handle_t) ev.msg.arg[4];
		UT_CHECK(given >= 0 && given != self);
		UT_CHECK_OK(ipc_answer(ev.call, EPERM, NULL));
		self_collect(COOKIE, EPERM, &ev);
		UT_CHECK_ERR(ipc_hangup(given), ENOENT);
	}
	/* Accepted: the recipient keeps a working phone to the caller. */
	UT_CHECK_OK(ipc_call(self, &m, COOKIE + 1));
	if (self_receive(&ev, IPC_M_CONNECT_TO_ME)) {
		cap_handle_t given = (cap_handle_t) ev.msg.arg[4];
		UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
		self_collect(COOKIE + 1, EOK, &ev);
		UT_CHECK_OK(ipc_call(given, &IPC_MSG(USER_METHOD), COOKIE + 2));
		if (self_receive(&ev, USER_METHOD)) {
			UT_CHECK_EQ(ev.conn, 0x77);
			UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
			self_collect(COOKIE + 2, EOK, &ev);
		}
		self_phone_close(given);
	}
	self_phone_close(self);
}

/* A bad out pointer gives EFAULT (EINVAL for the kernel half) and the
 * event stays for the next wait. */
UTEST(ipc_wait_bad_pointer_keeps_event)
{
	cap_handle_t self;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD, 3), COOKIE));
	UT_CHECK_ERR(ipc_wait(NULL, 0, IPC_WAIT_NONBLOCK, 0), EFAULT);
	UT_CHECK_ERR(ipc_wait((ipc_event_t *) ADDR_UNMAPPED, 0, 0, 0), EFAULT);
	UT_CHECK_ERR(ipc_wait((ipc_event_t *) child_ro_target, 0, 0, 0), EFAULT);
	UT_CHECK_ERR(ipc_wait((ipc_event_t *) ADDR_KERNEL, 0, 0, 0), EFAULT, EINVAL);
	if (self_receive(&ev, USER_METHOD)) {
		UT_CHECK_EQ(ev.msg.arg[0], 3);
		UT_CHECK_OK(ipc_answer(ev.call, EOK, &IPC_MSG(0, 4)));
		UT_CHECK_ERR(ipc_wait((ipc_event_t *) ADDR_UNMAPPED, 0, 0, 0), EFAULT);
		if (self_collect(COOKIE, EOK, &ev))
			UT_CHECK_EQ(ev.msg.arg[0], 4);
	}
	/* The same for a private (synchronous) answer. */
	uint64_t sync = ipc_cookie_sync_new();
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), sync));
	if (self_receive(&ev, USER_METHOD))
		UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
	UT_CHECK_ERR(ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0), ETIMEOUT); /* not for us */
	UT_CHECK_ERR(ipc_wait((ipc_event_t *) ADDR_UNMAPPED, 0, IPC_WAIT_FOR_COOKIE, sync), EFAULT);
	UT_CHECK_OK(ipc_wait(&ev, 0, IPC_WAIT_FOR_COOKIE, sync));
	UT_CHECK_EQ(ev.cookie, sync);
	self_phone_close(self);
}

/* IPC_CALLS_MAX calls may be outstanding; one more is ELIMIT, and the
 * limit frees as answers are collected. */
UTEST(ipc_outstanding_limit)
{
	cap_handle_t self;
	ipc_event_t ev;
	int sent = 0, answered = 0, collected = 0;
	UT_ASSERT_OK(self_phone_open(&self));
	for (; sent < IPC_CALLS_MAX; sent++) {
		if (!UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD, (uint64_t) sent), 0)))
			break;
	}
	UT_CHECK_ERR(ipc_call(self, &IPC_MSG(USER_METHOD), 0), ELIMIT);
	while (answered + collected < 2 * sent && self_event_wait(&ev, WAIT_US) == EOK) {
		if (ev.kind == IPC_EV_CALL)
			answered += ipc_answer(ev.call, EOK, NULL) == EOK;
		else if (ev.kind == IPC_EV_ANSWER)
			collected++;
	}
	UT_CHECK_EQ(answered, sent);
	UT_CHECK_EQ(collected, sent);
	UT_CHECK_OK(ipc_call(self, &IPC_MSG(USER_METHOD), 0));
	self_phone_close(self);
}
