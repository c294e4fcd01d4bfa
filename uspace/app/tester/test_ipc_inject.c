/*
 * Every failure path of every system method: for each method and each
 * hook it has (the kernel tells: arming a hook the method lacks is
 * ENOENT), make that hook fail once (SYS_IPC_FAIL_INJECT) and send the
 * method to the test server, synchronously and asynchronously.  The
 * caller must get the error, and nothing may be left behind: no handle,
 * call, phone or area in the caller or the server, no frame; and the
 * connection keeps working.
 */
#include "tester.h"
#include <anon.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <utest.h>

#define INJ_ERR ENOMEM
#define INJ_AREA_PAGES 2

static const uint64_t inj_methods[] = {
	IPC_M_CONNECT_ME_TO,
	IPC_M_CONNECT_TO_ME,
	IPC_M_DATA_WRITE,
	IPC_M_DATA_READ,
	IPC_M_SHARE_OUT,
	IPC_M_SHARE_IN,
	IPC_M_CAP_GIVE,
};

static const char *const inj_hook_names[IPC_HOOK_COUNT] = { "send", "receive", "answer",
	"collect" };

static unsigned char inj_buf[256];

/* The message of @a method as the libc helpers would send it. */
static ipc_msg_t inj_msg(uint64_t method, uintptr_t area)
{
	switch (method) {
	case IPC_M_CONNECT_TO_ME:
		return IPC_MSG(method, 0, 0, 0, 0, 0x1a);
	case IPC_M_DATA_WRITE:
	case IPC_M_DATA_READ:
		return IPC_MSG(method, (uintptr_t) inj_buf, sizeof(inj_buf));
	case IPC_M_SHARE_OUT:
		return IPC_MSG(method, area, RW & AS_AREA_RIGHTS);
	case IPC_M_SHARE_IN:
		return IPC_MSG(method, INJ_AREA_PAGES * PAGE_SIZE, RW & AS_AREA_RIGHTS, 0);
	case IPC_M_CAP_GIVE:
		return IPC_MSG(method, TESTER_CAP_IO_SCRATCH, TS_GIVE_DROP);
	default:
		return IPC_MSG(method);
	}
}

/* Send @a method once, synchronously or not; undo what a success made. */
static errno_t inj_send(cap_handle_t phone, uint64_t method, bool sync, uintptr_t area)
{
	ipc_msg_t m = inj_msg(method, area), ans = { 0 };
	errno_t rc;
	if (sync) {
		rc = ipc_call_sync(phone, &m, &ans);
	} else {
		uint64_t cookie = ipc_cookie_sync_new();
		ipc_event_t ev;
		rc = ipc_call(phone, &m, cookie);
		if (rc == EOK)
			rc = ipc_wait(&ev, 10 * 1000 * 1000, IPC_WAIT_FOR_COOKIE, cookie);
		if (rc == EOK) {
			rc = ev.retval;
			ans = ev.msg;
		}
	}
	if (rc == EOK && method == IPC_M_CONNECT_ME_TO)
		ipc_hangup((cap_handle_t) ans.arg[0]);
	if (rc == EOK && method == IPC_M_SHARE_IN)
		as_area_destroy((uintptr_t) ans.arg[0]);
	return rc;
}

static bool inj_server_stats(cap_handle_t phone, uint64_t *handles, uint64_t *areas)
{
	ipc_msg_t ans;
	if (!UT_CHECK_OK(ipc_request(phone, TS_STATS, 0, 0, 0, 0, 0, &ans)))
		return false;
	*handles = ans.arg[0];
	*areas = ans.arg[1];
	return true;
}

static uint64_t inj_kernel_objects(void)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	return st.kernel_objects;
}

/* One method, one hook, one way: the caller gets INJ_ERR, nothing stays. */
static void inj_case(test_server_t *s, uint64_t method, unsigned hook, bool sync, uintptr_t area)
{
	task_stats_t before, after;
	uint64_t sh0, sa0, sh1, sa1;
	if (!inj_server_stats(s->phone, &sh0, &sa0) || !UT_CHECK_OK(task_stats(&before)))
		return;
	uint64_t objects = inj_kernel_objects();
	UT_ASSERT_OK(ipc_fail_inject(method, hook, INJ_ERR, 1));
	errno_t rc = inj_send(s->phone, method, sync, area);
	ipc_fail_inject(method, hook, INJ_ERR, 0);
	if (!UT_CHECK_EQ(rc, INJ_ERR))
		utest_note("method %llu, hook %s, %s: %s", (unsigned long long) method,
		    inj_hook_names[hook], sync ? "sync" : "async", str_error_name(rc));
	UT_CHECK_OK(ipc_request(s->phone, TS_PING, 1, 0, 0, 0, 0, NULL)); /* still works */
	if (!inj_server_stats(s->phone, &sh1, &sa1) || !UT_CHECK_OK(task_stats(&after)))
		return;
	/* No call, phone, buffer or area record of the kernel's stays (the
	 * server's share-in area is one area record more, and its B+tree's) */
	if (method != IPC_M_SHARE_IN || hook < IPC_HOOK_ANSWER)
		UT_CHECK_EQ(inj_kernel_objects(), objects);
	UT_CHECK_EQ(after.handles, before.handles);
	UT_CHECK_EQ(after.areas, before.areas);
	UT_CHECK_EQ(after.calls_outstanding, before.calls_outstanding);
	UT_CHECK_EQ(sh1, sh0);
	/* (a share-in's server makes its area before it answers) */
	UT_CHECK_EQ(sa1, sa0 + (method == IPC_M_SHARE_IN && hook >= IPC_HOOK_ANSWER));
}

UTEST(ipc_inject_every_hook)
{
	test_server_t s;
	uintptr_t area;
	unsigned cases = 0;
	if (!pager_ready())
		return;
	uint64_t frames = frames_free();
	UT_ASSERT_OK(test_server_start(&s));
	UT_ASSERT_OK(as_area_create_anon(0, INJ_AREA_PAGES * PAGE_SIZE, RW, &area));
	memset((void *) area, 0x5a, INJ_AREA_PAGES * PAGE_SIZE);
	/* Without injection every method succeeds, both ways (and whatever
	 * the first calls page in or allocate once is there before we count). */
	for (size_t i = 0; i < sizeof(inj_methods) / sizeof(inj_methods[0]); i++) {
		UT_CHECK_OK(inj_send(s.phone, inj_methods[i], true, area));
		UT_CHECK_OK(inj_send(s.phone, inj_methods[i], false, area));
	}
	for (size_t i = 0; i < sizeof(inj_methods) / sizeof(inj_methods[0]); i++) {
		for (unsigned hook = 0; hook < IPC_HOOK_COUNT; hook++) {
			errno_t rc = ipc_fail_inject(inj_methods[i], hook, INJ_ERR, 1);
			ipc_fail_inject(inj_methods[i], hook, INJ_ERR, 0);
			if (rc == ENOENT)
				continue; /* the method has no such hook */
			UT_ASSERT_OK(rc);
			inj_case(&s, inj_methods[i], hook, true, area);
			inj_case(&s, inj_methods[i], hook, false, area);
			cases++;
		}
	}
	/* Every method has at least one hook; 16 (method, hook) pairs now. */
	UT_CHECK_EQ(cases, 16);
	test_server_stop(&s, TS_QUIT, NULL);
	as_area_destroy(area);
	events_drain(1000);
	UT_CHECK(frames_settle(frames) >= frames);
}

UTEST(ipc_inject_hostile)
{
	UT_CHECK_ERR(ipc_fail_inject(IPC_M_DATA_WRITE, IPC_HOOK_COUNT, ENOMEM, 1), EINVAL);
	UT_CHECK_ERR(ipc_fail_inject(IPC_M_DATA_WRITE, IPC_HOOK_SEND, EOK, 1), EINVAL);
	UT_CHECK_ERR(ipc_fail_inject(IPC_M_DATA_WRITE, IPC_HOOK_SEND, ERRNO_COUNT, 1), EINVAL);
	UT_CHECK_ERR(ipc_fail_inject(IPC_M_FIRST_USER, IPC_HOOK_SEND, ENOMEM, 1), EINVAL);
	UT_CHECK_ERR(ipc_fail_inject(IPC_M_CONNECT_ME_TO, IPC_HOOK_SEND, ENOMEM, 1), ENOENT);
	UT_CHECK_OK(ipc_fail_inject(IPC_M_DATA_WRITE, IPC_HOOK_SEND, ENOMEM, 0));
}
