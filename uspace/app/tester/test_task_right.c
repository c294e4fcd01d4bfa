/*
 * Task control (abi/task.h, "Task control"): a task is killed by its
 * parent, or by a task the parent gave the right to it (a CAP_KIND_TASK
 * capability passed at spawn); a task without the right is refused EPERM
 * (and ENOENT for a handle that is no right) and nothing changes; the end
 * report says who killed the task and how.
 *
 * The child "child:kill-right MODE [TARGET]" (registered in child.c):
 *   right      kill the task whose right it holds at handle 1: exit 0 if EOK
 *   none ID    no right: every way to kill task ID is refused: exit 0,
 *              else the number of the check that failed
 */
#include "tester.h"
#include <abi/ddi.h>
#include <abi/ipc.h>
#include <cap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <utest.h>

/* Every way to kill @a target without the right fails, changing nothing. */
static int kill_right_none(task_id_t target)
{
	cap_handle_t h = CAP_NIL;
	if (task_kill(target) != EPERM)
		return 1;
	if (task_right(target, &h) != EPERM || h != CAP_NIL)
		return 2;
	if (task_kill_right(1) != ENOENT) /* no handle there */
		return 3;
	if (task_kill_right(IPC_PHONE_NS) != ENOENT) /* a phone, not a right */
		return 4;
	if (task_kill_right(CAP_NIL) != ENOENT)
		return 5;
	return 0;
}

int child_kill_right(int argc, char **argv); /* child.c's table */
int child_kill_right(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "right") == 0) {
		errno_t rc = task_kill_right(1);
		return rc == EOK ? 0 : 20 + rc;
	}
	if (argc >= 3 && strcmp(argv[1], "none") == 0)
		return kill_right_none(strtoul(argv[2], NULL, 10));
	return 99;
}

/* Wait for @a id; it must have been killed by @a killer, the message
 * saying how (@a how). */
static void killed_by_check(task_id_t id, task_id_t killer, const char *how)
{
	task_exit_info_t info;
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_KILLED);
	UT_CHECK_EQ(info.status, -1);
	UT_CHECK_EQ(info.killed_by, killer);
	if (!UT_CHECK(strstr(info.message, how) != NULL))
		utest_note("message \"%s\"", info.message);
}

/* The parent kills: the report names it as the parent. */
UTEST(task_right_parent_kills)
{
	task_id_t a;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep-long", &a));
	UT_CHECK_OK(task_kill(a));
	killed_by_check(a, task_id(), "by its parent");
}

/* The parent makes the right to child A and gives it to child B at spawn;
 * B kills A; the report names B, holding the right.  A right to a
 * reaped task is ENOENT; a dropped right is gone. */
UTEST(task_right_delegated)
{
	task_id_t a, b, c;
	cap_handle_t r;
	cap_info_t ci;
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep-long", &a));
	UT_ASSERT_OK(task_right(a, &r));
	UT_CHECK_OK(cap_info(r, &ci));
	UT_CHECK_EQ(ci.kind, CAP_KIND_TASK);
	UT_CHECK_EQ(ci.base, a);
	UT_ASSERT_OK(task_spawn_caps(TESTER_MODULE, "child:kill-right right", &r, 1, &b));
	UT_ASSERT_OK(task_wait(b, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	killed_by_check(a, b, "holding the right");
	UT_CHECK_ERR(task_kill_right(r), ENOENT); /* A was reaped */
	UT_CHECK_OK(cap_drop(r));
	UT_CHECK_ERR(task_kill_right(r), ENOENT, ESTALE);
	/* A right made for a child that then ended: ENOENT. */
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:exit 3", &c));
	UT_ASSERT_OK(task_right(c, &r));
	UT_ASSERT_OK(task_wait(c, &info));
	UT_CHECK_EQ(info.status, 3);
	UT_CHECK_ERR(task_kill_right(r), ENOENT);
	UT_CHECK_OK(cap_drop(r));
}

/* A task without the right is refused every way and A lives on: when
 * the parent kills A afterwards, the report names the parent.  The
 * parent's own misuses are refused and make no handle. */
UTEST(task_right_without_it)
{
	task_id_t a, c;
	task_exit_info_t info;
	task_stats_t before, after;
	char args[48];
	cap_handle_t h = CAP_NIL;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep-long", &a));
	snprintf(args, sizeof(args), "child:kill-right none %llu", (unsigned long long) a);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &c));
	UT_ASSERT_OK(task_wait(c, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	if (!UT_CHECK_EQ(info.status, 0))
		utest_note("check %d of child:kill-right none failed", info.status);
	UT_CHECK_OK(task_stats(&before));
	UT_CHECK_ERR(task_right(task_id(), &h), EPERM);
	UT_CHECK_ERR(task_right(1, &h), EPERM); /* ns: the kernel's child */
	UT_CHECK_ERR(task_right(UINT64_MAX, &h), ENOENT);
	UT_CHECK_ERR(task_right(a, (cap_handle_t *) 16), EFAULT);
	UT_CHECK_ERR(task_kill_right(IPC_PHONE_NS), ENOENT);
	UT_CHECK_OK(task_stats(&after));
	UT_CHECK_EQ(after.handles, before.handles);
	UT_CHECK_EQ(h, CAP_NIL);
	UT_CHECK_OK(task_kill(a));
	killed_by_check(a, task_id(), "by its parent");
}
