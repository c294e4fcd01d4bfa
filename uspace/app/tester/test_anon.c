/*
 * The anon pager's page store and policy, and libc's stacks on it:
 *
 *  - the store keeps a few areas, not one per block (touching 16 MiB made
 *    256 areas in the pager before), and gives the memory back;
 *  - the main thread's stack is the kernel's small startup stack extended
 *    downwards by a lazily paged part, with a guard page; a thread's
 *    guard page is an area without rights;
 *  - a thread's stack costs the pages it touches (it cost a 64 KiB block,
 *    or two), and its top page has memory before the thread starts;
 *  - a fault in populated memory is answered with the whole run the
 *    kernel asks for, across the pager's chunks;
 *  - ANON_CREATE's ready range, and its refusals;
 *  - with memory nearly gone, thread_create() fails with ENOMEM and the
 *    task lives on (it was killed when a new thread first touched its
 *    stack);
 *  - ANON_DISCARD: the range reads zeros again, and its refusals.
 *
 * The page reference counts (65,536 clones of one object wrapped them)
 * are tested on the host (tests/test_anon_store.c): 65,536 clones through
 * IPC take the pager about 45 s under QEMU.
 */
#include "tester.h"
#include <anon.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define STORE_PAGES 4096 /* 16 MiB: 256 chunks */
#define STORE_AREAS_SLACK 4
#define SETTLE_TRIES 200
#define SETTLE_US 5000

static bool store_stats(anon_store_stats_t *st)
{
	return UT_CHECK_OK(anon_store_stats_get(anon_phone(), st));
}

/* The store once its pages are back to at most @a pages (the UNREF of a
 * destroyed area arrives asynchronously). */
static void store_settle(uint64_t pages, anon_store_stats_t *st)
{
	for (int i = 0; i < SETTLE_TRIES; i++) {
		if (anon_store_stats_get(anon_phone(), st) != EOK || st->pages <= pages)
			return;
		thread_sleep_us(SETTLE_US);
	}
}

UTEST(anon_store_few_areas)
{
	anon_store_stats_t s0, s1, s2;
	uintptr_t b;
	UT_ASSERT(pager_ready() && store_stats(&s0));
	UT_ASSERT_OK(as_area_create_anon(0, STORE_PAGES * PAGE_SIZE, RW, &b));
	for (size_t i = 0; i < STORE_PAGES; i++)
		*(volatile char *) (b + i * PAGE_SIZE) = 1;
	UT_ASSERT(store_stats(&s1));
	utest_note("pager: %llu areas, %llu blocks, %llu pages before; %llu, %llu, %llu after",
	    (unsigned long long) s0.areas, (unsigned long long) s0.blocks,
	    (unsigned long long) s0.pages, (unsigned long long) s1.areas,
	    (unsigned long long) s1.blocks, (unsigned long long) s1.pages);
	UT_CHECK(s1.pages >= s0.pages + STORE_PAGES);
	UT_CHECK(s1.areas <= s0.areas + STORE_AREAS_SLACK);
	UT_CHECK_OK(as_area_destroy(b));
	store_settle(s0.pages, &s2);
	UT_CHECK(s2.pages <= s0.pages);
	UT_CHECK(s2.areas <= s0.areas + STORE_AREAS_SLACK);
}

#define STACK_THREADS 8

static volatile int stack_threads_go;
static volatile int stack_threads_up;

static int stack_thread(void *arg)
{
	(void) arg;
	__atomic_add_fetch(&stack_threads_up, 1, __ATOMIC_RELAXED);
	while (!stack_threads_go)
		thread_yield();
	return 0;
}

UTEST(anon_thread_stack_cost)
{
	anon_store_stats_t s0, s1, s2;
	tid_t tid[STACK_THREADS];
	UT_ASSERT(pager_ready());
	free(malloc(1024)); /* the records below fit in the heap as it is */
	UT_ASSERT(store_stats(&s0));
	stack_threads_go = 0;
	stack_threads_up = 0;
	int made = 0;
	for (; made < STACK_THREADS; made++) {
		if (!UT_CHECK_OK(thread_create(stack_thread, NULL, &tid[made])))
			break;
	}
	/* every stack's top page had memory before its thread ran */
	UT_CHECK(store_stats(&s1) && s1.pages >= s0.pages + (uint64_t) made);
	while (stack_threads_up < made)
		thread_yield();
	UT_CHECK(store_stats(&s2));
	utest_note("%d threads: the pager's pages %llu -> %llu -> %llu", made,
	    (unsigned long long) s0.pages, (unsigned long long) s1.pages,
	    (unsigned long long) s2.pages);
	/* a stack cost 16 or 32 pages (whole blocks) before */
	UT_CHECK(s2.pages <= s0.pages + 2 * (uint64_t) made + 16);
	stack_threads_go = 1;
	for (int i = 0; i < made; i++)
		UT_CHECK_OK(thread_join(tid[i], NULL));
}

/* The main thread's stack: the kernel's wired startup stack on top, the
 * rest paged lazily right below it, and a guard page with no rights below
 * that (the kernel wired all 256 KiB before). */
UTEST(anon_main_stack)
{
	const task_startup_t *st = task_startup();
	as_area_info_t top, rest, guard;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(as_area_query(st->stack_base, &top));
	UT_CHECK_EQ(top.backend, AS_BACKEND_WIRED);
	UT_CHECK_EQ(top.size, st->stack_size);
	UT_ASSERT_OK(as_area_query(st->stack_base - PAGE_SIZE, &rest));
	UT_CHECK_EQ(rest.backend, AS_BACKEND_PAGER);
	UT_CHECK_EQ(rest.base + rest.size, st->stack_base);
	UT_CHECK_EQ(top.size + rest.size, THREAD_MAIN_STACK_SIZE);
	UT_CHECK(rest.resident < rest.size / PAGE_SIZE / 2);
	UT_ASSERT_OK(as_area_query(rest.base - PAGE_SIZE, &guard));
	UT_CHECK_EQ(guard.base + guard.size, rest.base);
	UT_CHECK_EQ(guard.size, THREAD_GUARD_SIZE);
	UT_CHECK_EQ(guard.flags, 0);
	uintptr_t sp = (uintptr_t) &st;
	UT_CHECK(sp >= rest.base && sp < top.base + top.size);
}

static int guard_thread(void *arg)
{
	as_area_info_t *info = arg;
	volatile int local = 0;
	as_area_info_t stack;
	if (as_area_query((uintptr_t) &local, &stack) != EOK)
		return 1;
	return as_area_query(stack.base - PAGE_SIZE, info) == EOK ? 0 : 2;
}

/* A thread's guard page is an area without rights: an unmapped gap could
 * be handed to the next area made, and an overflow would land in it. */
UTEST(anon_thread_stack_guard)
{
	as_area_info_t guard;
	tid_t tid;
	int status = -1;
	UT_ASSERT_OK(thread_create(guard_thread, &guard, &tid));
	UT_ASSERT_OK(thread_join(tid, &status));
	UT_ASSERT_EQ(status, 0);
	UT_CHECK_EQ(guard.size, THREAD_GUARD_SIZE);
	UT_CHECK_EQ(guard.flags, 0);
}

#define RUN_AREA_PAGES 48
#define RUN_OFFSET_PAGES 5
#define RUN_READ_PAGES 32

/* Pages written forwards through one area are read through a second area
 * that starts 5 pages into the object: the kernel asks for 16 pages from
 * there, across the pager's 16-page chunks, and gets them all (2 faults
 * for 32 pages; answers stopped at every chunk end before: 3). */
static bool run_case(uint64_t *faults)
{
	anon_stats_t s0, s1;
	uint64_t id;
	uintptr_t a, b;
	as_pager_spec_t spec = { .phone = anon_phone() };
	if (!UT_CHECK_OK(anon_object_create(anon_phone(), &id)))
		return false;
	spec.object = id;
	if (!UT_CHECK_OK(as_area_create_pager(0, RUN_AREA_PAGES * PAGE_SIZE, RW, &spec, &a)))
		return false;
	for (size_t i = 0; i < RUN_AREA_PAGES; i++)
		*(volatile uint64_t *) (a + i * PAGE_SIZE) = i + 1;
	spec.offset = RUN_OFFSET_PAGES * PAGE_SIZE;
	bool ok = UT_CHECK_OK(as_area_create_pager(0, RUN_READ_PAGES * PAGE_SIZE, RW, &spec, &b));
	ok = ok && UT_CHECK_OK(anon_stats_get(anon_phone(), &s0));
	for (size_t i = 0; ok && i < RUN_READ_PAGES; i++)
		ok = UT_CHECK_EQ(
		    *(volatile uint64_t *) (b + i * PAGE_SIZE), i + RUN_OFFSET_PAGES + 1);
	ok = ok && UT_CHECK_OK(anon_stats_get(anon_phone(), &s1));
	*faults = s1.faults - s0.faults;
	as_area_destroy(a);
	if (ok)
		as_area_destroy(b);
	return ok;
}

UTEST(anon_run_across_chunks)
{
	uint64_t faults = 0;
	UT_ASSERT(pager_ready());
	/* Two tries: the pager's blocks are consecutive in its memory unless
	 * another task's pages were made in between (then the run breaks). */
	for (int i = 0; i < 2; i++) {
		if (!run_case(&faults) || faults == 2)
			break;
		utest_note("try %d: %llu faults", i + 1, (unsigned long long) faults);
	}
	UT_CHECK_EQ(faults, 2);
}

UTEST(anon_create_ready)
{
	anon_stats_t s0, s1;
	cap_handle_t phone = anon_phone();
	uint64_t id, bad;
	uintptr_t a;
	UT_ASSERT(pager_ready());
	UT_CHECK_ERR(anon_object_create_ready(phone, 0, 100, &bad), EINVAL);
	UT_CHECK_ERR(anon_object_create_ready(phone, 3, PAGE_SIZE, &bad), EINVAL);
	UT_CHECK_ERR(anon_object_create_ready(phone, 0, ANON_READY_MAX + PAGE_SIZE, &bad), EINVAL);
	UT_CHECK_ERR(anon_object_create_ready(phone, -PAGE_SIZE, 2 * PAGE_SIZE, &bad), EINVAL);
	UT_ASSERT_OK(anon_stats_get(phone, &s0));
	/* pages 14 .. 20: across a chunk boundary */
	UT_ASSERT_OK(anon_object_create_ready(phone, 14 * PAGE_SIZE, 7 * PAGE_SIZE, &id));
	UT_ASSERT_OK(anon_stats_get(phone, &s1));
	UT_CHECK_EQ(s1.resident, s0.resident + 7);
	as_pager_spec_t spec = { .phone = phone, .object = id };
	UT_ASSERT_OK(as_area_create_pager(0, 32 * PAGE_SIZE, RW, &spec, &a));
	bool zero = true;
	for (size_t i = 0; i < 32; i++)
		zero = zero && *(volatile uint64_t *) (a + i * PAGE_SIZE + 8 * i) == 0;
	UT_CHECK(zero);
	*(volatile uint64_t *) (a + 15 * PAGE_SIZE) = 15; /* a ready page: no new memory */
	UT_ASSERT_OK(anon_stats_get(phone, &s1));
	UT_CHECK_EQ(s1.resident, s0.resident + 7);
	UT_CHECK_OK(as_area_destroy(a));
}

#define HOG_AREAS 128
#define HOG_SMALL 64 /* pages */
#define HOG_GIVE_BACK_PAGES 12
#define LOW_THREADS_MAX 4000

static volatile int low_threads_go;
static volatile size_t low_threads_up;

static int low_thread(void *arg)
{
	(void) arg;
	__atomic_add_fetch(&low_threads_up, 1, __ATOMIC_RELAXED);
	while (!low_threads_go)
		thread_sleep_us(1000);
	return 0;
}

/* Take every free frame with wired areas: most of them in a few areas
 * sized from the free count (a refused create zeroes frames for nothing),
 * the rest by halving the size down to one page; the areas in
 * @a base[0 .. *n). */
static void hog_all(uintptr_t *base, size_t *n)
{
	size_t size;
	*n = 0;
	while (*n < HOG_AREAS && (size = frames_free() / 8 * 7) >= HOG_SMALL) {
		if (as_area_create(0, size * PAGE_SIZE, RW, &base[*n]) != EOK)
			break;
		(*n)++;
	}
	for (size = HOG_SMALL * PAGE_SIZE; size >= PAGE_SIZE && *n < HOG_AREAS;) {
		if (as_area_create(0, size, RW, &base[*n]) == EOK)
			(*n)++;
		else
			size /= 2;
	}
}

/* With memory nearly gone, make threads until thread_create() fails: it
 * must say ENOMEM or ELIMIT, and the task must live on (the first touch of
 * a new thread's stack used to fail in the pager and kill the task).
 * Exit 0 when it held, 1 when memory never ran out, 2 on another error. */
int child_threads_low_memory(int argc, char **argv)
{
	(void) argc, (void) argv;
	static uintptr_t hog[HOG_AREAS];
	static tid_t tid[LOW_THREADS_MAX];
	size_t nhog, n = 0;
	errno_t rc = EOK;
	/* The thread records fit in the heap as it is, and its pages have
	 * their frames (heap pages get them when first used). */
	void *warm = malloc(64 * 1024);
	if (warm)
		memset(warm, 0, 64 * 1024);
	free(warm);
	hog_all(hog, &nhog);
	/* give a few frames back: enough for the kernel's part of a thread,
	 * not for a 16-page block of the pager */
	size_t back = 0;
	while (nhog > 0 && back < HOG_GIVE_BACK_PAGES) {
		as_area_info_t info;
		if (as_area_query(hog[nhog - 1], &info) != EOK)
			break;
		back += info.size / PAGE_SIZE;
		as_area_destroy(hog[--nhog]);
	}
	/* each thread runs (touches its stack) before the next is made */
	while (n < LOW_THREADS_MAX && (rc = thread_create(low_thread, NULL, &tid[n])) == EOK) {
		n++;
		while (low_threads_up < n)
			thread_yield();
	}
	for (size_t i = 0; i < nhog; i++)
		as_area_destroy(hog[i]);
	printf("child: %zu threads, then %s (%zu pages given back)\n", n, str_error_name(rc), back);
	low_threads_go = 1;
	for (size_t i = 0; i < n; i++)
		thread_join(tid[i], NULL);
	if (n == LOW_THREADS_MAX)
		return 1;
	return rc == ENOMEM || rc == ELIMIT ? 0 : 2;
}

UTEST(anon_thread_create_low_memory)
{
	task_exit_info_t info;
	uint64_t before = frames_free();
	UT_ASSERT_OK(child_run("child:threads-low-memory", &info));
	if (info.reason != TASK_EXIT_NORMAL)
		utest_note("child: %s", info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

/* Areas whose rights lack read: the anon pager's answers must stay within
 * the area's rights (the kernel refuses more and the faulting task dies).
 * Run in a child, which writes every page of a write-only area. */
int child_anon_narrow_rights(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	uintptr_t w;
	if (as_area_create_anon(0, 4 * PAGE_SIZE, AS_AREA_WRITE, &w) != EOK)
		return 1;
	for (size_t i = 0; i < 4; i++)
		*(volatile uint64_t *) (w + i * PAGE_SIZE) = i; /* write faults */
	return 0;
}

UTEST(anon_write_only_area)
{
	task_exit_info_t info;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(child_run("child:anon-narrow-rights", &info));
	if (info.reason != TASK_EXIT_NORMAL)
		utest_note("child: %s", info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
}

/* Word 0 of pages [from, to) at @a base: set to its own address
 * (@a how > 0), or checked to be that (how < 0) or zero (how == 0). */
static bool discard_words(uintptr_t base, size_t from, size_t to, int how)
{
	for (size_t i = from; i < to; i++) {
		volatile uint64_t *w = (volatile uint64_t *) (base + i * PAGE_SIZE);
		if (how > 0)
			*w = (uint64_t) w;
		else if (!UT_CHECK_EQ(*w, how == 0 ? 0 : (uint64_t) w))
			return false;
	}
	return true;
}

/* ANON_DISCARD: the pages of the range read zeros again, the rest keep
 * their data; hostile calls are refused and change nothing: bad
 * alignment or a range past 2^64 (EINVAL), an id that is not this
 * connection's (ENOENT, also through a second connection of ours). */
UTEST(anon_discard)
{
	cap_handle_t anon = anon_phone(), other;
	const uint64_t PS = PAGE_SIZE;
	uint64_t id, unbound;
	uintptr_t b;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(anon_object_create(anon, &id));
	as_pager_spec_t spec = { .phone = anon, .object = id, .offset = 0 };
	if (!UT_CHECK_OK(as_area_create_pager(0, 4 * PS, RW, &spec, &b))) {
		anon_object_destroy(anon, id);
		return;
	}
	discard_words(b, 0, 4, 1);
	UT_CHECK_ERR(anon_object_discard(anon, id, 8, PS), EINVAL);
	UT_CHECK_ERR(anon_object_discard(anon, id, 0, PS + 8), EINVAL);
	UT_CHECK_ERR(anon_object_discard(anon, id, UINT64_MAX - PS + 1, 2 * PS), EINVAL);
	UT_CHECK_ERR(anon_object_discard(anon, id + 1000000, 0, PS), ENOENT);
	if (UT_CHECK_OK(ns_connect(ANON_NAME, &other))) {
		UT_CHECK_ERR(anon_object_discard(other, id, 0, 4 * PS), ENOENT);
		ipc_hangup(other);
	}
	discard_words(b, 0, 4, -1);
	/* nothing; one page; from page 3 to the end of what can be */
	UT_CHECK_OK(anon_object_discard(anon, id, 0, 0));
	UT_CHECK_OK(anon_object_discard(anon, id, PS, PS));
	discard_words(b, 0, 1, -1);
	discard_words(b, 1, 2, 0);
	discard_words(b, 2, 4, -1);
	UT_CHECK_OK(anon_object_discard(anon, id, 3 * PS, UINT64_MAX - 4 * PS + 1));
	discard_words(b, 3, 4, 0);
	discard_words(b, 1, 2, 1); /* written again: a page of its own */
	discard_words(b, 1, 3, -1);
	UT_CHECK_OK(as_area_destroy(b));
	/* an object that never had an area: nothing mapped, nothing to drop */
	UT_ASSERT_OK(anon_object_create(anon, &unbound));
	UT_CHECK_OK(anon_object_discard(anon, unbound, 0, 64 * PS));
	UT_CHECK_OK(anon_object_destroy(anon, unbound));
}

/* A bind and the hangup of its connection right after: the pager hears
 * the hangup (IPC_EV_HANGUP) and the kernel's OBJECT_REF of the bind in
 * any order (its threads serve both at once; the kernel hands hangups
 * out before queued calls).  It must not drop an object that has an area
 * then: every touch below would die with "pager error ENOENT".  Nor may
 * ANON_DESTROY of an object whose area is just bound go through (EBUSY).
 * Each round uses a fresh connection, binds HANGUP_OBJECTS objects (the
 * more REFs queued, the likelier the hangup overtakes one) and hangs up
 * at once; then it touches them all. */
#define HANGUP_ROUNDS 64
#define HANGUP_OBJECTS 8

static int hangup_round(unsigned round)
{
	cap_handle_t p;
	uint64_t id[HANGUP_OBJECTS];
	uintptr_t b[HANGUP_OBJECTS];
	if (ns_connect(ANON_NAME, &p) != EOK)
		return 1;
	for (size_t i = 0; i < HANGUP_OBJECTS; i++) {
		as_pager_spec_t spec = { .phone = p, .offset = 0 };
		if (anon_object_create(p, &id[i]) != EOK)
			return 2;
		spec.object = id[i];
		if (as_area_create_pager(0, PAGE_SIZE, RW, &spec, &b[i]) != EOK)
			return 3;
	}
	/* the last one bound: its REF may well not be served yet */
	if (anon_object_destroy(p, id[HANGUP_OBJECTS - 1]) != EBUSY)
		return 4;
	ipc_hangup(p);
	for (size_t i = 0; i < HANGUP_OBJECTS; i++) {
		volatile uint64_t *w = (volatile uint64_t *) b[i];
		*w = round * HANGUP_OBJECTS + i; /* dies here if the object went */
		if (*w != round * HANGUP_OBJECTS + i)
			return 5;
		if (as_area_destroy(b[i]) != EOK)
			return 6;
	}
	return 0;
}

int child_anon_hangup_race(int argc, char **argv)
{
	(void) argc, (void) argv;
	for (unsigned r = 0; r < HANGUP_ROUNDS; r++) {
		int rc = hangup_round(r);
		if (rc != 0) {
			printf("# child:anon-hangup-race: round %u: step %d failed\n", r, rc);
			return rc;
		}
	}
	return 0;
}

UTEST(anon_hangup_after_bind)
{
	task_exit_info_t info;
	anon_stats_t st;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(anon_stats_get(anon_phone(), &st));
	UT_ASSERT_OK(child_run("child:anon-hangup-race", &info));
	if (info.reason != TASK_EXIT_NORMAL)
		utest_note("child: %s", info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	UT_CHECK_EQ(anon_objects_settle(st.objects), st.objects);
}
