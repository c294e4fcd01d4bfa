/*
 * Helpers of the IPC and pager tests: test servers (children that register a name), and a phone to the tester
 * itself, which lets one thread play both caller and callee so the
 * hostile tests control every step (receive, answer, forward, hang up).
 */
#include "tester.h"
#include <anon.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define TEST_CONNECT_TIMEOUT_MS 5000
#define TEST_BUSY_TRIES 1000
#define TEST_BUSY_US 5000
#define SELF_ACCEPT_TIMEOUT_US (5 * 1000 * 1000)

static unsigned test_name_counter;
static char self_name[24];
static bool self_registered;

bool pager_ready(void)
{
	if (anon_paging())
		return true;
	utest_note("libc is not on the anon pager (no \"%s\" via ns?)", ANON_NAME);
	return false;
}

void test_name_make(char *buf, size_t size, const char *tag)
{
	unsigned n = __atomic_fetch_add(&test_name_counter, 1, __ATOMIC_RELAXED);
	snprintf(buf, size, "t%llu%s%u", (unsigned long long) task_id(), tag, n);
}

errno_t test_server_spawn(test_server_t *s, const char *mode, const char *tag)
{
	char args[64];
	test_name_make(s->name, sizeof(s->name), tag);
	snprintf(args, sizeof(args), "%s %s", mode, s->name);
	s->phone = CAP_NIL;
	errno_t rc = task_spawn(TESTER_MODULE, args, &s->task);
	if (rc != EOK)
		return rc;
	rc = ns_connect_timeout(s->name, TEST_CONNECT_TIMEOUT_MS, &s->phone);
	if (rc != EOK) {
		task_exit_info_t info;
		task_kill(s->task); /* one that never registered must not hang us */
		task_wait(s->task, &info);
		utest_note(
		    "%s: no connection (%s); it ended: %s", args, str_error_name(rc), info.message);
	}
	return rc;
}

errno_t test_server_start(test_server_t *s)
{
	return test_server_spawn(s, "child:server", "s");
}

errno_t test_request(cap_handle_t phone, uint64_t method, uint64_t a0, ipc_msg_t *ans)
{
	errno_t rc = ipc_request(phone, method, a0, 0, 0, 0, 0, ans);
	for (int i = 0; rc == ELIMIT && i < TEST_BUSY_TRIES; i++) {
		thread_sleep_us(TEST_BUSY_US);
		rc = ipc_request(phone, method, a0, 0, 0, 0, 0, ans);
	}
	return rc;
}

void test_server_stop(test_server_t *s, uint64_t method, task_exit_info_t *info)
{
	task_exit_info_t local;
	if (!info)
		info = &local;
	errno_t rc = s->phone != CAP_NIL ? test_request(s->phone, method, 0, NULL) : EOK;
	if (rc != EOK && rc != EHANGUP) { /* it never got the request */
		utest_note("%s: quit request failed (%s): killed", s->name, str_error_name(rc));
		task_kill(s->task);
	}
	task_wait(s->task, info);
	if (s->phone != CAP_NIL)
		ipc_hangup(s->phone);
	s->phone = CAP_NIL;
}

/* Accept the one connect that ns forwards to us for self_phone_open. */
static int self_accept_thread(void *arg)
{
	(void) arg;
	ipc_event_t ev;
	for (;;) {
		errno_t rc = ipc_wait(&ev, SELF_ACCEPT_TIMEOUT_US, 0, 0);
		if (rc != EOK)
			return rc;
		if (ev.kind != IPC_EV_CALL)
			continue;
		if (ev.msg.method == IPC_M_CONNECT_ME_TO)
			return ipc_connect_accept(&ev, SELF_BADGE);
		ipc_answer(ev.call, ENOTSUP, NULL);
	}
}

errno_t self_phone_open(cap_handle_t *phone)
{
	if (!self_registered) {
		test_name_make(self_name, sizeof(self_name), "self");
		errno_t rc = ns_register(self_name);
		if (rc != EOK)
			return rc;
		self_registered = true;
	}
	tid_t tid;
	errno_t rc = thread_create(self_accept_thread, NULL, &tid);
	if (rc != EOK)
		return rc;
	rc = ns_connect_timeout(self_name, TEST_CONNECT_TIMEOUT_MS, phone);
	int status;
	thread_join(tid, &status);
	return rc != EOK ? rc : (errno_t) status;
}

void self_phone_close(cap_handle_t phone)
{
	ipc_event_t ev;
	ipc_hangup(phone);
	while (ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0) == EOK) {
		if (ev.kind == IPC_EV_CALL)
			ipc_answer(ev.call, EHANGUP, NULL);
	}
}

void events_drain(uint64_t quiet_us)
{
	ipc_event_t ev;
	while (ipc_wait(&ev, quiet_us, 0, 0) == EOK) {
		if (ev.kind == IPC_EV_CALL)
			ipc_answer(ev.call, EHANGUP, NULL);
	}
}

errno_t self_event_wait(ipc_event_t *ev, uint64_t timeout_us)
{
	for (;;) {
		errno_t rc = ipc_wait(ev, timeout_us, 0, 0);
		if (rc != EOK || ev->kind != IPC_EV_HANGUP)
			return rc;
	}
}
