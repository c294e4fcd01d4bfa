/*
 * Per-task limits (abi/as.h AS_AREAS_MAX, abi/task.h TASK_THREADS_MAX):
 * a task that makes areas or threads in a loop is refused with ELIMIT at
 * the limit, long before the machine runs out, and the rest of the system
 * keeps working meanwhile (a spawn succeeds while the hog is at its
 * limit).  The hogs are children ("child:area-hog", "child:thread-hog");
 * each checks what it sees and exits 0, or with the number of the check
 * that failed.
 */
#include "tester.h"
#include <anon.h>
#include <libarch/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

/* Where the area hog puts its one-page areas (two pages apart). */
#define HOG_AREAS_BASE 0x0000280000000000UL

/* A thread body that uses no stack: it exits at once (and is never
 * joined, so it keeps its place until it is). */
_Static_assert(SYS_THREAD_EXIT == 2, "the stub below hard-codes it");
__asm__(".text\n"
        ".globl hog_thread_stub\n"
        ".type hog_thread_stub, @function\n"
        "hog_thread_stub:\n"
        "	mov $2, %eax\n"
        "	xor %edi, %edi\n"
        "	syscall\n"
        "	ud2\n");
void hog_thread_stub(void);

/* Free frames per object, for the notes (0 if none were used). */
static unsigned long long hog_bytes_each(uint64_t before, uint64_t after, size_t n)
{
	return n && before > after ? (unsigned long long) ((before - after) * PAGE_SIZE / n) : 0;
}

/* A spawn and a wait still work: the system is not out of anything. */
static bool hog_spawn_works(void)
{
	task_exit_info_t info;
	return child_run("child:exit 5", &info) == EOK && info.reason == TASK_EXIT_NORMAL &&
	    info.status == 5;
}

/* One-page pager areas of one anon object until refused: exactly at
 * AS_AREAS_MAX, with ELIMIT. */
static int child_area_hog(int argc, char **argv)
{
	(void) argc, (void) argv;
	as_area_info_t one;
	size_t count0, made = 0;
	as_pager_spec_t spec = { .phone = anon_phone() };
	if (spec.phone == CAP_NIL || anon_object_create(spec.phone, &spec.object) != EOK)
		return 1;
	if (as_area_list(&one, 0, &count0) != EOK)
		return 2;
	uint64_t before = frames_free();
	errno_t rc = EOK;
	while (rc == EOK && made <= AS_AREAS_MAX) {
		spec.offset = made * PAGE_SIZE;
		rc = as_area_create_pager(HOG_AREAS_BASE + made * 2 * PAGE_SIZE, PAGE_SIZE,
		    RW | AS_AREA_FIXED, &spec, NULL);
		made += rc == EOK;
	}
	printf("# area-hog: %zu areas made, then %s; %llu bytes each\n", made, str_error_name(rc),
	    hog_bytes_each(before, frames_free(), made));
	if (rc != ELIMIT || count0 + made != AS_AREAS_MAX)
		return 3;
	uintptr_t b;
	if (as_area_create(0, PAGE_SIZE, RW, &b) != ELIMIT)
		return 4;
	if (!hog_spawn_works())
		return 5;
	/* A destroy makes room for one again. */
	if (as_area_destroy(HOG_AREAS_BASE) != EOK || as_area_create(0, PAGE_SIZE, RW, &b) != EOK)
		return 6;
	return as_area_create(0, PAGE_SIZE, RW, &b) == ELIMIT ? 0 : 7;
}

static errno_t hog_thread_create(tid_t *tid)
{
	static char stack[64] __attribute__((aligned(16)));
	return (errno_t) syscall4(SYS_THREAD_CREATE, (uintptr_t) hog_thread_stub,
	    (uintptr_t) (stack + sizeof(stack)), 0, (uintptr_t) tid);
}

/* Threads that end at once and are never joined, until refused: exactly
 * at TASK_THREADS_MAX (the main thread is one), with ELIMIT; a join gives
 * one place back. */
static int child_thread_hog(int argc, char **argv)
{
	(void) argc, (void) argv;
	static tid_t tids[TASK_THREADS_MAX + 1];
	size_t made = 0;
	uint64_t before = frames_free();
	errno_t rc = EOK;
	while (rc == EOK && made <= TASK_THREADS_MAX) {
		rc = hog_thread_create(&tids[made]);
		made += rc == EOK;
	}
	thread_sleep_us(20000); /* they have all ended by now */
	printf("# thread-hog: %zu threads made, then %s; %llu bytes each\n", made,
	    str_error_name(rc), hog_bytes_each(before, frames_free(), made));
	if (rc != ELIMIT || made != TASK_THREADS_MAX - 1)
		return 1;
	tid_t tid;
	if (hog_thread_create(&tid) != ELIMIT)
		return 2; /* ended threads still count until joined */
	if (!hog_spawn_works())
		return 3;
	int status;
	if ((errno_t) syscall2(SYS_THREAD_JOIN, tids[0], &status) != EOK || status != 0)
		return 4;
	if (hog_thread_create(&tid) != EOK)
		return 5;
	return hog_thread_create(&tid) == ELIMIT ? 0 : 6;
}

int child_limits_main(int argc, char **argv, bool *found)
{
	*found = true;
	if (strcmp(argv[0], "child:area-hog") == 0)
		return child_area_hog(argc, argv);
	if (strcmp(argv[0], "child:thread-hog") == 0)
		return child_thread_hog(argc, argv);
	*found = false;
	return 0;
}

/* Run a hog; it must exit 0, and afterwards every frame, task and thread
 * must be back. */
static void hog_run(const char *args)
{
	mem_stats_t st0, st;
	task_exit_info_t info;
	UT_ASSERT_OK(mem_stats(&st0));
	UT_ASSERT_OK(child_run(args, &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("%s: %s", args, info.message);
	if (!UT_CHECK_EQ(info.status, 0))
		utest_note("%s: check %d failed", args, info.status);
	UT_CHECK(frames_settle(st0.free_frames) >= st0.free_frames);
	UT_ASSERT_OK(mem_stats(&st));
	UT_CHECK_EQ(st.tasks, st0.tasks);
	UT_CHECK_EQ(st.threads, st0.threads);
	UT_CHECK_EQ(st.handles, st0.handles);
}

UTEST(limit_areas)
{
	if (pager_ready())
		hog_run("child:area-hog");
}

UTEST(limit_threads)
{
	hog_run("child:thread-hog");
}
