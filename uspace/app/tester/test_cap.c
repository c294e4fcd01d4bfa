/*
 * Capability handles of any kind (cap.h): what a handle names, deriving
 * a part of a range, dropping a handle through its kind's close.
 */
#include "tester.h"
#include <cap.h>
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
