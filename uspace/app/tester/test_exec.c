/*
 * SYS_TASK_EXEC refuses what it cannot carry out whole, and changes
 * nothing then (abi/task.h; its success is the loader's: test_loader.c).
 * The checks run in a child ("tester child:exec-hostile"): a task with
 * one thread, as the call wants, whose areas and handles must all still
 * be there after each refusal (it goes on running, and exits 0 only if
 * every refusal was the right one; the step that went wrong otherwise).
 */
#include "tester.h"
#include <abi/syscall.h>
#include <as.h>
#include <errno.h>
#include <libarch/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

static errno_t exec_raw(const task_exec_t *spec)
{
	return (errno_t) syscall1(SYS_TASK_EXEC, spec);
}

/* A spec that would be carried out but for the field a step breaks: the
 * entry in this program's text, the stack top in a stack-sized buffer of
 * its data, both areas kept. */
static void exec_spec_good(task_exec_t *s, uint64_t keep[2])
{
	static uint8_t stack[4096] __attribute__((aligned(16)));
	as_area_info_t text, data;
	as_area_query((uintptr_t) exec_spec_good, &text);
	as_area_query((uintptr_t) stack, &data);
	keep[0] = text.base;
	keep[1] = data.base;
	*s = (task_exec_t){ .entry = (uintptr_t) exec_spec_good,
		.stack_top = (uintptr_t) (stack + sizeof(stack)),
		.keep = keep,
		.nkeep = 2,
		.name = "x",
		.name_len = 1 };
}

static int exec_sleeper(void *arg)
{
	(void) arg;
	thread_sleep_us(200000);
	return 0;
}

/* One refusal: the step's number if it was not @a want. */
#define EXEC_EXPECT(step, spec, want)         \
	do {                                  \
		if (exec_raw(spec) != (want)) \
			return (step);        \
	} while (0)

static int child_exec_hostile(int argc, char **argv)
{
	(void) argc, (void) argv;
	task_exec_t s;
	uint64_t keep[2];
	static const int32_t bad_cap[1] = { 0x7fff };
	task_stats_t st0, st1;
	/* A second thread: EBUSY before anything else is looked at.  (First:
	 * the thread's stack and record take an area or two for good.) */
	tid_t tid;
	if (thread_create(exec_sleeper, NULL, &tid) != EOK)
		return 16;
	exec_spec_good(&s, keep);
	errno_t busy = exec_raw(&s);
	if (thread_join(tid, NULL) != EOK || busy != EBUSY)
		return 17;
	if (task_stats(&st0) != EOK)
		return 1;
	EXEC_EXPECT(2, NULL, EFAULT);
	EXEC_EXPECT(3, (const task_exec_t *) ADDR_KERNEL, EINVAL);
	exec_spec_good(&s, keep);
	s.nkeep = TASK_EXEC_KEEP_MAX + 1;
	EXEC_EXPECT(4, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.keep = (const uint64_t *) ADDR_UNMAPPED;
	EXEC_EXPECT(5, &s, EFAULT);
	exec_spec_good(&s, keep);
	keep[1] += 4096; /* no area starts there */
	EXEC_EXPECT(6, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.nkeep = 1; /* the stack's area not kept */
	EXEC_EXPECT(7, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.entry = keep[1]; /* in a kept area, not an executable one */
	EXEC_EXPECT(8, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.stack_top -= 8; /* not 16-byte aligned */
	EXEC_EXPECT(9, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.stack_top = ADDR_KERNEL;
	EXEC_EXPECT(10, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.name_len = 0;
	EXEC_EXPECT(11, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.name_len = TASK_NAME_MAX;
	EXEC_EXPECT(12, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.name = (const char *) ADDR_UNMAPPED;
	EXEC_EXPECT(13, &s, EFAULT);
	exec_spec_good(&s, keep);
	s.keep_caps = bad_cap;
	s.nkeep_caps = 1;
	EXEC_EXPECT(14, &s, EINVAL);
	exec_spec_good(&s, keep);
	s.keep_caps = (const int32_t *) ADDR_UNMAPPED;
	s.nkeep_caps = 1;
	EXEC_EXPECT(15, &s, EFAULT);
	/* Nothing of the task went: its areas and handles are all there. */
	if (task_stats(&st1) != EOK || st1.areas != st0.areas || st1.handles != st0.handles)
		return 18;
	return 0;
}

int child_exec_main(int argc, char **argv, bool *found)
{
	*found = strcmp(argv[0], "child:exec-hostile") == 0;
	return *found ? child_exec_hostile(argc, argv) : 0;
}

UTEST(task_exec_hostile)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run("child:exec-hostile", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	if (!UT_CHECK_EQ(info.status, 0))
		utest_note("the refusal of step %d was not the right one", info.status);
}
