/*
 * Children that die: each is this program started with "child:WHAT"
 * (child.c); the parent reads how it ended and carries on.
 */
#include "tester.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <utest.h>

static size_t strnlen_bounded(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

/* Run @a args; check it died of a fault at @a addr with @a access. */
static task_exit_info_t fault_info;

static void fault_expect(const char *args, uintptr_t addr, unsigned access, unsigned in_area)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run(args, &info));
	fault_info = info;
	utest_note("%s: %s", args, info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK_EQ(info.fault_addr, addr);
	UT_CHECK_EQ(info.fault_access, access);
	UT_CHECK_EQ(info.fault_in_area, in_area);
	UT_CHECK(info.fault_thread != 0);
	UT_CHECK(info.message[0] != '\0');
	UT_CHECK(strnlen_bounded(info.message, sizeof(info.message)) < sizeof(info.message));
}

UTEST(fault_child_unmapped)
{
	fault_expect("child:unmapped", CHILD_UNMAPPED_ADDR, FAULT_ACCESS_READ, 0);
}

UTEST(fault_child_null)
{
	fault_expect("child:null", 8, FAULT_ACCESS_READ, 0);
}

UTEST(fault_child_kernel_address)
{
	fault_expect("child:kernel", CHILD_KERNEL_ADDR, FAULT_ACCESS_READ, 0);
}

UTEST(fault_child_write_ro)
{
	fault_expect("child:write-ro", (uintptr_t) &child_ro_target[1], FAULT_ACCESS_WRITE, 1);
}

UTEST(fault_child_exec_nx)
{
	fault_expect("child:exec-nx", (uintptr_t) child_nx_code, FAULT_ACCESS_EXEC, 1);
	UT_CHECK_EQ(fault_info.fault_ip, (uintptr_t) child_nx_code);
}

UTEST(fault_child_unmapped_hole)
{
	fault_expect("child:unmap-touch", CHILD_FIXED_ADDR + PAGE_SIZE + 4, FAULT_ACCESS_READ, 0);
}

/* Run @a args; check it died of a fault with @a access (address unknown). */
static void fault_expect_access(const char *args, unsigned access)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run(args, &info));
	utest_note("%s: %s", args, info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK_EQ(info.fault_access, access);
}

UTEST(fault_child_stack_overflow)
{
	fault_expect_access("child:stack-overflow", FAULT_ACCESS_WRITE);
}

UTEST(fault_child_thread_stack_overflow)
{
	fault_expect_access("child:thread-overflow", FAULT_ACCESS_WRITE);
}

UTEST(fault_child_other_thread)
{
	/* The main thread sleeps on; the whole task must end. */
	fault_expect("child:thread-fault", CHILD_UNMAPPED_ADDR, FAULT_ACCESS_READ, 0);
}

/* Exceptions other than page faults end the task too, never the kernel. */
static void fault_expect_killed(const char *args)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run(args, &info));
	utest_note("%s: %s", args, info.message);
	UT_CHECK(info.reason == TASK_EXIT_FAULT || info.reason == TASK_EXIT_KILLED);
	UT_CHECK(info.message[0] != '\0');
}

UTEST(fault_child_invalid_opcode)
{
	fault_expect_killed("child:ud2");
}

UTEST(fault_child_privileged_instruction)
{
	fault_expect_killed("child:privileged");
}

UTEST(fault_child_divide_by_zero)
{
	fault_expect_killed("child:div0");
}

/* Run @a args; check it exited normally with @a status. */
static void exit_expect(const char *args, int status)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run(args, &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("%s: %s", args, info.message);
	UT_CHECK_EQ(info.status, status);
}

UTEST(exit_child_status)
{
	exit_expect("child:exit 42", 42);
	exit_expect("child:exit 0", 0);
	exit_expect("child:exit -1", -1);
	exit_expect("child:return 7", 7);
}

UTEST(exit_child_args)
{
	exit_expect("child:args alpha beta", 0);
}

UTEST(exit_child_assert_abort)
{
	exit_expect("child:assert", EXIT_ASSERT);
	exit_expect("child:abort", EXIT_ABORT);
}

UTEST(exit_child_with_threads_running)
{
	exit_expect("child:exit-threads", 9);
	exit_expect("child:main-thread-exit", 11);
}

UTEST(exit_child_prints)
{
	exit_expect("child:print", 0);
}

/* A child that holds areas, threads and heap at exit gives it all back. */
UTEST(exit_child_reclaimed)
{
	uint64_t before = frames_free();
	exit_expect("child:hoard", 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

UTEST(exit_child_unknown_mode)
{
	exit_expect("child:no-such-mode", 255);
}
