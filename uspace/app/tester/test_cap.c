/*
 * Capability handles of any kind (cap.h): what a handle names, deriving
 * a part of a range, dropping a handle through its kind's close.
 */
#include "tester.h"
#include <cap.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <utest.h>

UTEST(cap_info_phone_and_call)
{
	cap_handle_t phone;
	cap_info_t info;
	ipc_event_t ev;
	UT_ASSERT_OK(self_phone_open(&phone));
	UT_CHECK_OK(cap_info(phone, &info));
	UT_CHECK_EQ(info.kind, CAP_KIND_PHONE);
	UT_CHECK(info.base == 0 && info.size == 0 && info.flags == 0);
	UT_CHECK_OK(cap_info(IPC_PHONE_NS, &info));
	UT_CHECK_EQ(info.kind, CAP_KIND_PHONE);
	/* A call received from ourselves is a CALL; it cannot be dropped. */
	ipc_msg_t m = IPC_MSG(IPC_M_FIRST_USER + 7, 1);
	UT_ASSERT_OK(ipc_call(phone, &m, 0x77));
	UT_ASSERT_OK(self_event_wait(&ev, 5 * 1000 * 1000));
	UT_ASSERT_EQ(ev.kind, IPC_EV_CALL);
	UT_CHECK_OK(cap_info(ev.call, &info));
	UT_CHECK_EQ(info.kind, CAP_KIND_CALL);
	UT_CHECK_ERR(cap_drop(ev.call), EINVAL);
	UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
	UT_CHECK_ERR(cap_info(ev.call, &info), ENOENT, ESTALE);
	UT_CHECK_OK(self_event_wait(&ev, 5 * 1000 * 1000)); /* the answer */
	UT_CHECK_EQ(ev.kind, IPC_EV_ANSWER);
	/* A phone names no range. */
	cap_handle_t h;
	UT_CHECK_ERR(cap_derive(phone, 0, 1, &h), ENOENT);
	self_phone_close(phone);
}

UTEST(cap_drop_phone_hangs_up)
{
	cap_handle_t phone;
	cap_info_t info;
	ipc_event_t ev;
	task_stats_t before, after;
	UT_ASSERT_OK(self_phone_open(&phone));
	UT_ASSERT_OK(task_stats(&before));
	UT_ASSERT_OK(cap_drop(phone));
	UT_ASSERT_OK(task_stats(&after));
	UT_CHECK_EQ(after.handles, before.handles - 1);
	/* The phone's close hook hung the connection up: our box (the
	 * callee) gets the hangup notice with the connection's badge. */
	bool seen = false;
	while (!seen && ipc_wait(&ev, 2 * 1000 * 1000, 0, 0) == EOK) {
		if (ev.kind == IPC_EV_HANGUP && ev.conn == SELF_BADGE)
			seen = true;
		else if (ev.kind == IPC_EV_CALL)
			ipc_answer(ev.call, EHANGUP, NULL);
	}
	UT_CHECK(seen);
	UT_CHECK_ERR(cap_info(phone, &info), ENOENT, ESTALE);
	UT_CHECK_ERR(cap_drop(phone), ENOENT, ESTALE);
	ipc_msg_t m = IPC_MSG(IPC_M_FIRST_USER);
	UT_CHECK_ERR(ipc_call(phone, &m, 0), ENOENT, ESTALE);
}

UTEST(cap_hostile)
{
	cap_info_t info;
	cap_handle_t h;
	UT_CHECK_ERR(cap_info(CAP_NIL, &info), ENOENT);
	UT_CHECK_ERR(cap_info(CAP_MAX - 1, &info), ENOENT);
	UT_CHECK_ERR(cap_info(0x7fffffff, &info), ENOENT, ESTALE);
	UT_CHECK_ERR(cap_info(IPC_PHONE_NS, (cap_info_t *) ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR(cap_info(IPC_PHONE_NS, (cap_info_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(cap_derive(CAP_NIL, 0, 1, &h), ENOENT);
	UT_CHECK_ERR(cap_derive(IPC_PHONE_NS, 0, 1, (cap_handle_t *) ADDR_KERNEL), EINVAL);
	UT_CHECK_ERR(cap_drop(CAP_NIL), ENOENT);
	UT_CHECK_ERR(cap_drop(CAP_MAX - 1), ENOENT);
	/* Arguments beyond 32 bits do not alias a real handle. */
	UT_CHECK_ERR((errno_t) syscall2(SYS_CAP_INFO, 1ULL << 40, &info), ENOENT);
	/* The phone to ns is still there after all that. */
	UT_CHECK_OK(cap_info(IPC_PHONE_NS, &info));
}

static uint64_t cap_kernel_objects(void)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	return st.kernel_objects;
}

static bool cap_is(cap_handle_t h, uint32_t kind, uint64_t base, uint64_t size)
{
	cap_info_t info;
	if (!UT_CHECK_OK(cap_info(h, &info)))
		return false;
	return UT_CHECK(info.kind == kind && info.base == base && info.size == size);
}

UTEST(cap_granted_ranges)
{
	cap_is(TESTER_CAP_IO_CMOS, CAP_KIND_IO_RANGE, 0x70, 2);
	cap_is(TESTER_CAP_IO_SCRATCH, CAP_KIND_IO_RANGE, 0x3ff, 1);
	cap_is(TESTER_CAP_IRQ, CAP_KIND_IRQ_RANGE, 15, 1);
	cap_is(TESTER_CAP_PHYS, CAP_KIND_PHYS_RANGE, TESTER_PHYS_BASE, 0x4000);
}

UTEST(cap_derive_never_grows_user)
{
	cap_handle_t part, h;
	task_stats_t before, after;
	UT_ASSERT_OK(task_stats(&before));
	uint64_t objects = cap_kernel_objects();
	UT_ASSERT_OK(cap_derive(TESTER_CAP_IO_CMOS, 0x71, 1, &part));
	cap_is(part, CAP_KIND_IO_RANGE, 0x71, 1);
	UT_CHECK_EQ(cap_kernel_objects(), objects + 1);
	/* Beyond the range, on either side, or from the part: refused. */
	UT_CHECK_ERR(cap_derive(TESTER_CAP_IO_CMOS, 0x70, 3, &h), EPERM);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_IO_CMOS, 0x6f, 1, &h), EPERM);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_IO_CMOS, 0x72, 1, &h), EPERM);
	UT_CHECK_ERR(cap_derive(part, 0x70, 1, &h), EPERM);
	UT_CHECK_ERR(cap_derive(part, 0x71, 2, &h), EPERM);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_IO_CMOS, 0x70, 0, &h), EINVAL);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_IO_CMOS, ~0ULL, 2, &h), EINVAL);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_IRQ, 14, 2, &h), EPERM);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_PHYS, TESTER_PHYS_BASE + 8, 0x1000, &h), EINVAL);
	UT_CHECK_ERR(cap_derive(TESTER_CAP_PHYS, TESTER_PHYS_BASE + 0x3000, 0x2000, &h), EPERM);
	UT_ASSERT_OK(task_stats(&after));
	UT_CHECK_EQ(after.handles, before.handles + 1); /* only the part */
	/* Dropping the part closes it: its range object is gone. */
	UT_CHECK_OK(cap_drop(part));
	UT_CHECK_EQ(cap_kernel_objects(), objects);
	UT_CHECK_ERR(cap_info(part, &(cap_info_t){ 0 }), ENOENT);
	/* The slot reused: the old handle is stale, not the new range. */
	UT_ASSERT_OK(cap_derive(TESTER_CAP_PHYS, TESTER_PHYS_BASE + 0x1000, 0x1000, &h));
	UT_CHECK_EQ(CAP_HANDLE_INDEX(h), CAP_HANDLE_INDEX(part));
	UT_CHECK_ERR(cap_info(part, &(cap_info_t){ 0 }), ESTALE);
	UT_CHECK_ERR(cap_derive(part, 0x71, 1, &h), ESTALE);
	UT_CHECK_ERR(cap_drop(part), ESTALE);
	cap_is(h, CAP_KIND_PHYS_RANGE, TESTER_PHYS_BASE + 0x1000, 0x1000);
	UT_CHECK_OK(cap_drop(h));
	UT_ASSERT_OK(task_stats(&after));
	UT_CHECK_EQ(after.handles, before.handles);
	/* The granted ranges are untouched. */
	cap_is(TESTER_CAP_IO_CMOS, CAP_KIND_IO_RANGE, 0x70, 2);
}

/* ---- spawning with capabilities ---- */

/* "child:caps-expect KIND:BASE+SIZE ...": handle i (from 1) must name a
 * range of that kind, base and size, and no other range is held.  Then it drops its first one (the parent's
 * stays).  Exit 0, or the number of the first check that failed. */
static int child_caps_expect(int argc, char **argv)
{
	int n = argc - 1;
	for (int i = 1; i <= n; i++) {
		char *p = argv[i];
		unsigned long kind = strtoul(p, &p, 0);
		unsigned long base = *p == ':' ? strtoul(p + 1, &p, 0) : 0;
		unsigned long size = *p == '+' ? strtoul(p + 1, &p, 0) : 0;
		cap_info_t info;
		if (cap_info(i, &info) != EOK || info.kind != kind || info.base != base ||
		    info.size != size)
			return 10 + i;
	}
	/* No other range (libc's startup may have made phones: to anon). */
	cap_info_t info;
	for (int h = n + 1; h < CAP_MAX; h++) {
		if (cap_info(h, &info) == EOK && info.kind != CAP_KIND_PHONE)
			return 2;
	}
	if (n > 0 && (cap_drop(1) != EOK || cap_info(1, &info) != ENOENT))
		return 4;
	return 0;
}

/* "child:cap-give-unheld NAME": give the server NAME each of our
 * handles 1..4 (we were given no range): every give must be refused. */
static int child_cap_give_unheld(int argc, char **argv)
{
	cap_handle_t phone;
	if (argc < 2 || ns_connect_timeout(argv[1], 5000, &phone) != EOK)
		return 2;
	for (cap_handle_t h = 1; h <= 4; h++) {
		ipc_msg_t m = IPC_MSG(IPC_M_CAP_GIVE, (uint64_t) h, TS_GIVE_KEEP), ans;
		errno_t rc = ipc_call_sync(phone, &m, &ans);
		if (rc != ENOENT && rc != EINVAL)
			return 10 + h;
	}
	return 0;
}

int child_cap_main(int argc, char **argv, bool *found)
{
	*found = true;
	if (strcmp(argv[0], "child:caps-expect") == 0)
		return child_caps_expect(argc, argv);
	if (strcmp(argv[0], "child:cap-give-unheld") == 0)
		return child_cap_give_unheld(argc, argv);
	*found = false;
	return 0;
}

UTEST(spawn_caps_child_gets_them)
{
	cap_handle_t part, caps[3];
	task_id_t id;
	task_exit_info_t info;
	char args[128];
	/* A child given nothing holds no range.  (First: what a spawn
	 * settles in the kernel once is there before we count.) */
	UT_ASSERT_OK(task_spawn_caps(TESTER_MODULE, "child:caps-expect", NULL, 0, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.status, 0);
	uint64_t objects = cap_kernel_objects();
	UT_ASSERT_OK(cap_derive(TESTER_CAP_PHYS, TESTER_PHYS_BASE + 0x1000, 0x1000, &part));
	caps[0] = TESTER_CAP_IO_CMOS;
	caps[1] = part;
	caps[2] = TESTER_CAP_IRQ;
	snprintf(args, sizeof(args), "child:caps-expect %u:0x70+2 %u:%#llx+0x1000 %u:15+1",
	    CAP_KIND_IO_RANGE, CAP_KIND_PHYS_RANGE, (unsigned long long) TESTER_PHYS_BASE + 0x1000,
	    CAP_KIND_IRQ_RANGE);
	UT_ASSERT_OK(task_spawn_caps(TESTER_MODULE, args, caps, 3, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	/* Ours are untouched by the child's drop and its end. */
	cap_is(TESTER_CAP_IO_CMOS, CAP_KIND_IO_RANGE, 0x70, 2);
	cap_is(part, CAP_KIND_PHYS_RANGE, TESTER_PHYS_BASE + 0x1000, 0x1000);
	/* The child's references went with it: the part is freed with ours. */
	UT_CHECK_OK(cap_drop(part));
	UT_CHECK_EQ(cap_kernel_objects(), objects);
}

/* A spawn that must be refused with one of the errors, leaving nothing. */
static void spawn_caps_refused(const cap_handle_t *caps, size_t n, errno_t e1, errno_t e2)
{
	mem_stats_t before, after;
	task_stats_t tb, ta;
	task_id_t id = 0;
	UT_ASSERT_OK(mem_stats(&before));
	UT_ASSERT_OK(task_stats(&tb));
	UT_CHECK_ERR(task_spawn_caps(TESTER_MODULE, "child:caps-expect", caps, n, &id), e1, e2);
	UT_ASSERT_OK(mem_stats(&after));
	UT_ASSERT_OK(task_stats(&ta));
	UT_CHECK_EQ(after.tasks, before.tasks);
	UT_CHECK_EQ(after.kernel_objects, before.kernel_objects);
	UT_CHECK_EQ(ta.handles, tb.handles);
}

UTEST(spawn_caps_refused)
{
	cap_handle_t part, gone, caps[TASK_SPAWN_CAPS_MAX + 1];
	uint64_t frames = frames_free();
	uint64_t objects = cap_kernel_objects();
	UT_ASSERT_OK(cap_derive(TESTER_CAP_IO_CMOS, 0x70, 1, &part));
	UT_ASSERT_OK(cap_derive(TESTER_CAP_IO_CMOS, 0x71, 1, &gone));
	UT_ASSERT_OK(cap_drop(gone));
	/* A handle we do not hold (after good ones): nothing starts. */
	caps[0] = part;
	caps[1] = TESTER_CAP_IRQ;
	caps[2] = gone;
	spawn_caps_refused(caps, 3, ENOENT, ESTALE);
	caps[2] = CAP_NIL;
	spawn_caps_refused(caps, 3, ENOENT, ENOENT);
	caps[2] = 200;
	spawn_caps_refused(caps, 3, ENOENT, ENOENT);
	/* Phones cannot be passed on. */
	caps[2] = IPC_PHONE_NS;
	spawn_caps_refused(caps, 3, EINVAL, EINVAL);
	/* Too many, and an array we cannot read. */
	for (size_t i = 0; i <= TASK_SPAWN_CAPS_MAX; i++)
		caps[i] = part;
	spawn_caps_refused(caps, TASK_SPAWN_CAPS_MAX + 1, EINVAL, EINVAL);
	spawn_caps_refused((const cap_handle_t *) ADDR_UNMAPPED, 1, EFAULT, EFAULT);
	spawn_caps_refused((const cap_handle_t *) ADDR_KERNEL, 1, EINVAL, EINVAL);
	spawn_caps_refused(caps, ~(size_t) 0, EINVAL, EINVAL);
	/* The same handle many times is fine: the child holds it 16 times. */
	task_id_t id;
	task_exit_info_t info;
	UT_ASSERT_OK(
	    task_spawn_caps(TESTER_MODULE, "child:exit 5", caps, TASK_SPAWN_CAPS_MAX, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.status, 5);
	/* No reference stayed behind: dropping ours frees the range. */
	UT_CHECK_OK(cap_drop(part));
	UT_CHECK_EQ(cap_kernel_objects(), objects);
	UT_CHECK(frames_settle(frames) >= frames);
}

/* ---- giving capabilities over IPC ---- */

static uint64_t cap_server_handles(cap_handle_t phone)
{
	ipc_msg_t ans = { 0 };
	UT_CHECK_OK(ipc_request(phone, TS_STATS, 0, 0, 0, 0, 0, &ans));
	return ans.arg[0];
}

UTEST(cap_give_range)
{
	test_server_t s;
	ipc_msg_t ans;
	cap_handle_t part;
	UT_ASSERT_OK(test_server_start(&s));
	uint64_t handles = cap_server_handles(s.phone);
	/* Kept: the server's own handle names the same range. */
	UT_CHECK_OK(cap_give(s.phone, TESTER_CAP_IO_SCRATCH, TS_GIVE_KEEP, &ans));
	UT_CHECK_EQ(ans.arg[0], CAP_KIND_IO_RANGE);
	UT_CHECK(ans.arg[1] == 0x3ff && ans.arg[2] == 1);
	UT_CHECK_EQ(cap_server_handles(s.phone), handles + 1);
	cap_is(TESTER_CAP_IO_SCRATCH, CAP_KIND_IO_RANGE, 0x3ff, 1); /* ours stays */
	/* A part we derived, given twice, and the server keeps both. */
	UT_ASSERT_OK(cap_derive(TESTER_CAP_PHYS, TESTER_PHYS_BASE, 0x2000, &part));
	UT_CHECK_OK(cap_give(s.phone, part, TS_GIVE_KEEP, &ans));
	UT_CHECK(ans.arg[0] == CAP_KIND_PHYS_RANGE && ans.arg[1] == TESTER_PHYS_BASE &&
	    ans.arg[2] == 0x2000);
	cap_handle_t first = (cap_handle_t) ans.arg[3];
	UT_CHECK_OK(cap_give(s.phone, part, TS_GIVE_KEEP, &ans));
	UT_CHECK(ans.arg[3] != (uint64_t) first);
	UT_CHECK_EQ(cap_server_handles(s.phone), handles + 3);
	UT_CHECK_OK(cap_drop(part));
	test_server_stop(&s, TS_QUIT, NULL);
}

UTEST(cap_give_refused_leaves_nothing)
{
	test_server_t s;
	ipc_msg_t ans;
	cap_handle_t part;
	UT_ASSERT_OK(test_server_start(&s));
	uint64_t handles = cap_server_handles(s.phone);
	UT_ASSERT_OK(cap_derive(TESTER_CAP_IO_CMOS, 0x70, 1, &part));
	UT_CHECK_OK(cap_give(s.phone, part, TS_GIVE_DROP, &ans));
	UT_CHECK_ERR(cap_give(s.phone, part, TS_GIVE_REFUSE, &ans), EPERM);
	/* asynchronously too */
	ipc_msg_t m = IPC_MSG(IPC_M_CAP_GIVE, (uint64_t) part, TS_GIVE_REFUSE);
	uint64_t cookie = ipc_cookie_sync_new();
	ipc_event_t ev;
	UT_ASSERT_OK(ipc_call(s.phone, &m, cookie));
	UT_ASSERT_OK(ipc_wait(&ev, 10 * 1000 * 1000, IPC_WAIT_FOR_COOKIE, cookie));
	UT_CHECK_EQ(ev.retval, EPERM);
	UT_CHECK_EQ(cap_server_handles(s.phone), handles);
	/* Our part is the only reference left (none stayed with a call or
	 * the server): dropping it frees the range object. */
	uint64_t objects = cap_kernel_objects();
	UT_CHECK_OK(cap_drop(part));
	UT_CHECK_EQ(cap_kernel_objects(), objects - 1);
	test_server_stop(&s, TS_QUIT, NULL);
}

UTEST(cap_give_not_held)
{
	test_server_t s;
	ipc_msg_t ans;
	cap_handle_t part;
	UT_ASSERT_OK(test_server_start(&s));
	uint64_t handles = cap_server_handles(s.phone);
	UT_ASSERT_OK(cap_derive(TESTER_CAP_IO_CMOS, 0x71, 1, &part));
	UT_ASSERT_OK(cap_drop(part));
	/* Dropped, never held, out of the table, junk: refused at send. */
	UT_CHECK_ERR(cap_give(s.phone, part, TS_GIVE_KEEP, &ans), ENOENT, ESTALE);
	UT_CHECK_ERR(cap_give(s.phone, CAP_NIL, TS_GIVE_KEEP, &ans), ENOENT);
	UT_CHECK_ERR(cap_give(s.phone, 200, TS_GIVE_KEEP, &ans), ENOENT);
	ipc_msg_t m = IPC_MSG(IPC_M_CAP_GIVE, 1ULL << 33 | TESTER_CAP_IO_CMOS, TS_GIVE_KEEP);
	UT_CHECK_ERR(ipc_call_sync(s.phone, &m, &ans), ENOENT);
	/* Phones and calls cannot be given. */
	UT_CHECK_ERR(cap_give(s.phone, IPC_PHONE_NS, TS_GIVE_KEEP, &ans), EINVAL);
	UT_CHECK_ERR(cap_give(s.phone, s.phone, TS_GIVE_KEEP, &ans), EINVAL);
	UT_CHECK_EQ(cap_server_handles(s.phone), handles);
	UT_CHECK_OK(ipc_request(s.phone, TS_PING, 1, 0, 0, 0, 0, NULL));
	/* A child spawned without our ranges cannot give them either: its
	 * handles 1..4 are no ranges of ours. */
	task_id_t id;
	task_exit_info_t info;
	char args[64];
	snprintf(args, sizeof(args), "child:cap-give-unheld %s", s.name);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	UT_CHECK_EQ(cap_server_handles(s.phone), handles);
	test_server_stop(&s, TS_QUIT, NULL);
}
