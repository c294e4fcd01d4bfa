/*
 * Regression tests for kernel bugs found in review: each of these hung,
 * panicked or leaked before the fix it names.
 */
#include "tester.h"
#include <anon.h>
#include <ipc.h>
#include <ns.h>
#include <stdio.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

/* Threads joining each other must not make the task unkillable: the
 * joins are interruptible, so exit() ends the task. */
UTEST(regress_join_cycle_killable)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run("child:join-cycle", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 7);
}

static volatile int spin_stop;

static int regress_spinner(void *arg)
{
	(void) arg;
	while (!spin_stop)
		;
	return 0;
}

/* A child's address-space teardown preempted by a runnable thread must
 * never reload (or free) a page table that is being destroyed. */
UTEST(regress_exit_while_preempted)
{
	tid_t s;
	spin_stop = 0;
	UT_ASSERT_OK(thread_create(regress_spinner, NULL, &s));
	for (int i = 0; i < 40; i++) {
		task_exit_info_t info;
		UT_ASSERT_OK(child_run("child:big-exit", &info));
		UT_CHECK_EQ(info.status, 0);
	}
	spin_stop = 1;
	UT_CHECK_OK(thread_join(s, NULL));
}

static task_id_t regress_wait_id;

static int regress_waiter(void *arg)
{
	(void) arg;
	task_exit_info_t info;
	return (int) task_wait(regress_wait_id, &info);
}

/* Two threads waiting for one child: exactly one reaps it; the other is
 * told EBUSY (still waiting) or ENOENT (already reaped), never a crash. */
UTEST(regress_wait_two_waiters)
{
	tid_t a, b;
	int sa = -1, sb = -1;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep", &regress_wait_id));
	UT_ASSERT_OK(thread_create(regress_waiter, NULL, &a));
	UT_ASSERT_OK(thread_create(regress_waiter, NULL, &b));
	UT_CHECK_OK(thread_join(a, &sa));
	UT_CHECK_OK(thread_join(b, &sb));
	UT_CHECK((sa == EOK) != (sb == EOK));
	int other = sa == EOK ? sb : sa;
	UT_CHECK(other == EBUSY || other == ENOENT);
	task_exit_info_t info;
	UT_CHECK_EQ(task_wait(regress_wait_id, &info), ENOENT);
}

static int regress_trivial(void *arg)
{
	(void) arg;
	return 0;
}

static volatile unsigned long churn_done;

static int regress_churner(void *arg)
{
	(void) arg;
	for (int i = 0; i < 300; i++) {
		tid_t t;
		if (thread_create(regress_trivial, NULL, &t) != EOK)
			return 1;
		int st = -1;
		if (thread_join(t, &st) != EOK || st != 0)
			return 2;
		__atomic_add_fetch(&churn_done, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* Kernel stacks are allocated and freed under the kernel page-table lock
 * by four threads at once: no livelock, every thread accounted for. */
UTEST(regress_thread_churn)
{
	tid_t w[4];
	churn_done = 0;
	for (int i = 0; i < 4; i++)
		UT_ASSERT_OK(thread_create(regress_churner, NULL, &w[i]));
	for (int i = 0; i < 4; i++) {
		int st = -1;
		UT_CHECK_OK(thread_join(w[i], &st));
		UT_CHECK_EQ(st, 0);
	}
	UT_CHECK_EQ(churn_done, 1200);
}

/*
 * Every queue is bounded; never more kernel memory (abi/ipc.h).  A refused
 * IPC_M_CONNECT_TO_ME used to leave a hangup notice (a kernel allocation)
 * on the caller's box for the phone the kernel had made; a task making
 * only synchronous requests never takes notices, so they piled up.
 */
UTEST(regress_hangup_notices_bounded)
{
	uint64_t before = frames_free();
	for (unsigned i = 0; i < 40000; i++) {
		/* phone 0 has badge 0: ns refuses the registration (EINVAL) */
		errno_t rc = ipc_connect_to_me(IPC_PHONE_NS, 0, 0, 0, 0, i + 1);
		if (!UT_CHECK_EQ(rc, EINVAL))
			break;
	}
	uint64_t after = frames_free();
	UT_CHECK(before - after < 32);
	ipc_event_t ev;
	unsigned drained = 0;
	while (ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0) == EOK)
		drained++;
	UT_CHECK(drained <= 1024); /* IPC_NOTICES_MAX */
}

/* The naming service is the kernel's own "ns": a task that starts the
 * module again gets an ordinary task (which exits), and tasks started
 * later still find their servers. */
UTEST(regress_ns_not_replaceable)
{
	task_id_t rogue;
	task_exit_info_t info;
	UT_ASSERT(anon_paging());
	UT_ASSERT_OK(task_spawn("ns", "", &rogue));
	UT_CHECK_OK(task_wait(rogue, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 1);
	UT_CHECK_OK(child_run("child:paged", &info));
	UT_CHECK_EQ(info.status, 0); /* 5: it found no anon pager */
}

#define REGRESS_SECRET 0x5ec2e75ec2e70001ULL
#define REGRESS_REPLY 0x0bad0bad0bad0badULL

/*
 * One task must not reach another task's anon memory by guessing object
 * ids.  The child binds ids 1..4095 through its own connection and probes
 * each page from kernel mode (a refused page-in under copy_from_uspace is
 * EFAULT, not a kill); it must not find our private object.
 */
UTEST(regress_anon_object_isolation)
{
	cap_handle_t own;
	uint64_t id;
	uintptr_t base;
	task_exit_info_t info;
	UT_ASSERT(anon_paging());
	UT_ASSERT_OK(ns_connect("anon", &own)); /* a connection the child never sees */
	UT_ASSERT_OK(anon_object_create(own, &id));
	as_pager_spec_t spec = { .phone = own, .object = id };
	UT_ASSERT_OK(as_area_create_pager(0, PAGE_SIZE, RW, &spec, &base));
	volatile uint64_t *w = (volatile uint64_t *) base;
	w[0] = REGRESS_SECRET;
	w[1] = 0;
	UT_CHECK_OK(child_run("child:snoop", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK(info.status != 42); /* 42: it found and read our object */
	UT_CHECK(w[1] != REGRESS_REPLY); /* and wrote into it */
	UT_CHECK_OK(as_area_destroy(base));
	ipc_hangup(own);
}

/* The child of regress_anon_object_isolation (listed in child.c). */
int child_snoop(int argc, char **argv);
int child_snoop(int argc, char **argv)
{
	(void) argc, (void) argv;
	if (!anon_paging())
		return 20;
	for (uint64_t id = 1; id < 4096; id++) {
		uintptr_t b;
		as_pager_spec_t spec = { .phone = anon_phone(), .object = id };
		if (as_area_create_pager(0, PAGE_SIZE, RW, &spec, &b) != EOK)
			return 21;
		/* a kernel-mode read of the page: EFAULT if the pager refuses */
		errno_t rc = (errno_t) syscall3(SYS_IPC_CALL, (sysarg_t) CAP_NIL, b, 0);
		if (rc != EFAULT) {
			volatile uint64_t *w = (volatile uint64_t *) b;
			if (w[0] == REGRESS_SECRET) {
				w[1] = REGRESS_REPLY;
				as_area_destroy(b);
				return 42;
			}
		}
		as_area_destroy(b);
	}
	return 0;
}
