/* Tasks: many children, ids, and the memory they give back. */
#include "tester.h"
#include <as.h>
#include <stdio.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define TASK_MANY 200
#define TASK_BATCH 4

/* Spawn "child:exit N" for N = first..first+n-1, then wait for all. */
static void task_batch_run(int first, int n)
{
	task_id_t ids[TASK_BATCH];
	char args[32];
	for (int i = 0; i < n; i++) {
		snprintf(args, sizeof(args), "child:exit %d", (first + i) % 256);
		UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &ids[i]));
		for (int j = 0; j < i; j++)
			UT_CHECK(ids[j] != ids[i]);
	}
	for (int i = 0; i < n; i++) {
		task_exit_info_t info;
		UT_ASSERT_OK(task_wait(ids[i], &info));
		UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
		UT_CHECK_EQ(info.status, (first + i) % 256);
	}
}

UTEST(task_spawn_200)
{
	uint64_t before = frames_free();
	for (int i = 0; i < TASK_MANY && !utest_failed(); i += TASK_BATCH)
		task_batch_run(i, TASK_BATCH);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after %d tasks",
		    (unsigned long long) before, (unsigned long long) after, TASK_MANY);
}

UTEST(task_ids)
{
	task_id_t a, b;
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:exit 0", &a));
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:exit 0", &b));
	UT_CHECK(a != b && a != task_id() && b != task_id());
	UT_CHECK_OK(task_wait(b, &info));
	UT_CHECK_OK(task_wait(a, &info));
	UT_CHECK_ERR(task_wait(a, &info), ENOENT);
}

static const char task_rodata_probe[] = "read-only bytes of the module";
static int task_data_probe = 1;

/* A boot module's read-only segments are its own pages, mapped as they
 * are (a phys area: nothing allocated, zeroed or copied at spawn, the same
 * frames in every task of the module); its writable segment is the task's
 * own (wired frames, the file's bytes copied in). */
UTEST(task_text_from_module)
{
	as_area_info_t text, ro, data;
	UT_ASSERT_OK(as_area_query((uintptr_t) &task_batch_run, &text));
	UT_ASSERT_OK(as_area_query((uintptr_t) task_rodata_probe, &ro));
	UT_ASSERT_OK(as_area_query((uintptr_t) &task_data_probe, &data));
	UT_CHECK_EQ(text.backend, AS_BACKEND_PHYS);
	UT_CHECK_EQ(text.flags, AS_AREA_READ | AS_AREA_EXEC);
	UT_CHECK_EQ(text.resident, text.size / PAGE_SIZE);
	UT_CHECK_EQ(ro.backend, AS_BACKEND_PHYS);
	UT_CHECK_EQ(ro.flags, AS_AREA_READ);
	UT_CHECK_EQ(task_rodata_probe[0], 'r');
	UT_CHECK_EQ(data.backend, AS_BACKEND_WIRED);
	UT_CHECK_EQ(data.flags, AS_AREA_READ | AS_AREA_WRITE);
	UT_CHECK_EQ(task_data_probe, 1);
}

/* A parent ends its children: one asleep in the kernel, one running in
 * user space; both end TASK_EXIT_KILLED and give back what they held.  A
 * task that is not our child, ourselves and no task are refused. */
UTEST(task_kill_children)
{
	task_id_t sleeper, spinner;
	task_exit_info_t info;
	uint64_t before = frames_free();
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:sleep-long", &sleeper));
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:spin", &spinner));
	thread_sleep_us(50000); /* both are up: one sleeps, one spins */
	UT_CHECK_OK(task_kill(sleeper));
	UT_CHECK_OK(task_kill(spinner));
	UT_CHECK_OK(task_kill(spinner)); /* ending already: nothing more */
	UT_ASSERT_OK(task_wait(sleeper, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_KILLED);
	UT_CHECK_EQ(info.status, -1);
	UT_ASSERT_OK(task_wait(spinner, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_KILLED);
	UT_CHECK_ERR(task_kill(spinner), ENOENT); /* reaped */
	UT_CHECK_ERR(task_kill(task_id()), EINVAL);
	UT_CHECK_ERR(task_kill(1), EPERM); /* ns: the kernel's child */
	UT_CHECK_ERR(task_kill(0), ENOENT);
	UT_CHECK_ERR(task_kill(UINT64_MAX), ENOENT);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}
