/*
 * Pager-backed memory: libc on the anon pager, zero fill, one object in
 * two areas and two tasks, copy-on-write clones, many threads faulting at
 * once, area operations on pager areas, the test pager's failures (each
 * kills only the faulting task, with the pager error in its report), and
 * 500 tasks on pager memory giving every frame back.
 */
#include "tester.h"
#include <anon.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define PAGES 64
#define SETTLE_TRIES 200
#define SETTLE_US 5000

static volatile uint64_t *page_word(uintptr_t base, size_t page, size_t word)
{
	return (volatile uint64_t *) (base + page * PAGE_SIZE) + word;
}

static bool stats(anon_stats_t *st)
{
	return UT_CHECK_OK(anon_stats_get(anon_phone(), st));
}

/* A new object of the anon pager and an area of @a pages bound to it. */
static errno_t anon_area(uint64_t *id, size_t pages, uintptr_t *base)
{
	errno_t rc = anon_object_create(anon_phone(), id);
	if (rc != EOK)
		return rc;
	as_pager_spec_t spec = { .phone = anon_phone(), .object = *id };
	return as_area_create_pager(0, pages * PAGE_SIZE, RW, &spec, base);
}

static errno_t anon_area_bind(uint64_t id, size_t pages, uintptr_t *base)
{
	as_pager_spec_t spec = { .phone = anon_phone(), .object = id };
	return as_area_create_pager(0, pages * PAGE_SIZE, RW, &spec, base);
}

static int backend_of(uintptr_t addr)
{
	as_area_info_t info;
	return as_area_query(addr, &info) == EOK ? (int) info.backend : -1;
}

static int stack_backend_thread(void *arg)
{
	(void) arg;
	volatile int local = 0;
	return backend_of((uintptr_t) &local);
}

UTEST(pager_libc_memory)
{
	int status = 0;
	tid_t tid;
	uintptr_t b;
	UT_ASSERT(pager_ready());
	void *p = malloc(64);
	UT_CHECK_EQ(backend_of((uintptr_t) p), AS_BACKEND_PAGER);
	free(p);
	UT_ASSERT_OK(thread_create(stack_backend_thread, NULL, &tid));
	UT_CHECK_OK(thread_join(tid, &status));
	UT_CHECK_EQ(status, AS_BACKEND_PAGER);
	UT_ASSERT_OK(as_area_create_anon(0, PAGE_SIZE, RW, &b));
	UT_CHECK_EQ(backend_of(b), AS_BACKEND_PAGER);
	UT_CHECK_OK(as_area_destroy(b));
	UT_ASSERT_OK(as_area_create(0, PAGE_SIZE, RW, &b));
	UT_CHECK_EQ(backend_of(b), AS_BACKEND_WIRED);
	UT_CHECK_OK(as_area_destroy(b));
}

UTEST(pager_zero_fill)
{
	anon_stats_t s0, s1, s2;
	as_area_info_t info;
	uintptr_t b;
	UT_ASSERT(pager_ready() && stats(&s0));
	UT_ASSERT_OK(as_area_create_anon(0, PAGES * PAGE_SIZE, RW, &b));
	UT_CHECK_OK(as_area_query(b, &info));
	UT_CHECK_EQ(info.resident, 0);
	bool zero = true;
	for (size_t i = 0; i < PAGES * PAGE_SIZE / 8; i++)
		zero = zero && page_word(b, 0, i)[0] == 0;
	UT_CHECK(zero);
	UT_CHECK_OK(as_area_query(b, &info));
	UT_CHECK_EQ(info.resident, PAGES);
	if (stats(&s1)) /* reads map the one zero page: no new data pages */
		UT_CHECK_EQ(s1.resident, s0.resident);
	for (size_t i = 0; i < PAGES; i++)
		*page_word(b, i, i % 512) = i + 1;
	for (size_t i = 0; i < PAGES; i++)
		UT_CHECK_EQ(*page_word(b, i, i % 512), i + 1);
	if (stats(&s2)) {
		UT_CHECK_EQ(s2.resident, s0.resident + PAGES);
		UT_CHECK(s2.faults >= s0.faults + PAGES / PAGER_RUN_MAX);
		utest_note("faults served %llu -> %llu", (unsigned long long) s0.faults,
		    (unsigned long long) s2.faults);
	}
	UT_CHECK_OK(as_area_destroy(b));
	UT_CHECK(anon_objects_settle(s0.objects) <= s0.objects);
}

/* One object: two areas of this task and one of a child see the same
 * frames. */
static bool report_names(const char *msg, errno_t err);

/* Two areas of one task bound to one object see the same pages.  Another
 * task binding the same object id through its own connection gets none of
 * them: objects are private to the connection that made them (the kernel
 * names records by connection and the pager checks the owner), so the
 * child is killed at its first touch and our data is untouched.  Sharing
 * with another task goes through IPC_M_SHARE_OUT/IN (test_share.c). */
UTEST(pager_object_shared_two_tasks)
{
	anon_stats_t s0;
	uint64_t id;
	uintptr_t a1, a2;
	task_exit_info_t info;
	char args[64];
	UT_ASSERT(pager_ready() && stats(&s0));
	UT_ASSERT_OK(anon_area(&id, 8, &a1));
	UT_ASSERT_OK(anon_area_bind(id, 8, &a2));
	for (size_t i = 0; i < 8; i++)
		*page_word(a1, i, 0) = 0xa000 + i;
	for (size_t i = 0; i < 8; i++)
		UT_CHECK_EQ(*page_word(a2, i, 0), 0xa000 + i);
	snprintf(args, sizeof(args), "child:anon-peek %llu 8", (unsigned long long) id);
	UT_CHECK_OK(child_run(args, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK(report_names(info.message, ENOENT));
	for (size_t i = 0; i < 8; i++) {
		UT_CHECK_EQ(*page_word(a1, i, 1), 0);
		UT_CHECK_EQ(*page_word(a2, i, 1), 0);
	}
	UT_CHECK_OK(as_area_destroy(a1));
	UT_CHECK_EQ(*page_word(a2, 3, 0), 0xa003);
	UT_CHECK_OK(as_area_destroy(a2));
	UT_CHECK(anon_objects_settle(s0.objects) <= s0.objects);
}

UTEST(pager_cow_clone)
{
	anon_stats_t s0, sa, s1, s2;
	uint64_t ida, idb;
	uintptr_t a, b;
	UT_ASSERT(pager_ready() && stats(&s0));
	UT_ASSERT_OK(anon_area(&ida, 8, &a));
	for (size_t i = 0; i < 6; i++)
		*page_word(a, i, 0) = 0x100 + i;
	UT_ASSERT(stats(&sa));
	UT_ASSERT_OK(anon_object_clone(anon_phone(), ida, &idb));
	UT_ASSERT_OK(anon_area_bind(idb, 8, &b));
	for (size_t i = 0; i < 6; i++)
		UT_CHECK_EQ(*page_word(b, i, 0), 0x100 + i);
	UT_CHECK_EQ(*page_word(b, 6, 0), 0);
	if (stats(&s1)) { /* reading shares the frames */
		UT_CHECK_EQ(s1.resident, sa.resident);
		UT_CHECK_EQ(s1.cow_copies, sa.cow_copies);
	}
	*page_word(a, 0, 0) = 0x200; /* the source writes: the clone keeps */
	UT_CHECK_EQ(*page_word(b, 0, 0), 0x100);
	*page_word(b, 1, 0) = 0x300; /* the clone writes: the source keeps */
	UT_CHECK_EQ(*page_word(a, 1, 0), 0x101);
	UT_CHECK_EQ(*page_word(a, 2, 0), 0x102);
	UT_CHECK_EQ(*page_word(b, 2, 0), 0x102);
	if (stats(&s2))
		UT_CHECK_EQ(s2.cow_copies, s1.cow_copies + 2);
	*page_word(b, 6, 0) = 5; /* never written by the source */
	UT_CHECK_EQ(*page_word(a, 6, 0), 0);
	UT_CHECK_OK(as_area_destroy(a));
	UT_CHECK_EQ(*page_word(b, 2, 0), 0x102); /* the clone outlives it */
	UT_CHECK_OK(as_area_destroy(b));
	UT_CHECK(anon_objects_settle(s0.objects) <= s0.objects);
}

/* A clone of a clone shares what both have not written. */
UTEST(pager_cow_clone_of_clone)
{
	anon_stats_t s0;
	uint64_t ida, idb, idc;
	uintptr_t a, b, c;
	UT_ASSERT(pager_ready() && stats(&s0));
	UT_ASSERT_OK(anon_area(&ida, 4, &a));
	for (size_t i = 0; i < 4; i++)
		*page_word(a, i, 0) = 0x100 + i;
	UT_ASSERT_OK(anon_object_clone(anon_phone(), ida, &idb));
	UT_ASSERT_OK(anon_area_bind(idb, 4, &b));
	*page_word(b, 1, 0) = 0x300;
	UT_ASSERT_OK(anon_object_clone(anon_phone(), idb, &idc));
	UT_ASSERT_OK(anon_area_bind(idc, 4, &c));
	UT_CHECK_EQ(*page_word(c, 1, 0), 0x300);
	UT_CHECK_EQ(*page_word(c, 0, 0), 0x100);
	*page_word(c, 0, 0) = 0x400;
	*page_word(a, 2, 0) = 0x500;
	UT_CHECK_EQ(*page_word(b, 0, 0), 0x100);
	UT_CHECK_EQ(*page_word(a, 0, 0), 0x100);
	UT_CHECK_EQ(*page_word(b, 2, 0), 0x102);
	UT_CHECK_EQ(*page_word(c, 2, 0), 0x102);
	UT_CHECK_EQ(*page_word(c, 3, 0), 0x103);
	UT_CHECK_OK(as_area_destroy(b));
	UT_CHECK_EQ(*page_word(c, 1, 0), 0x300);
	UT_CHECK_OK(as_area_destroy(a));
	UT_CHECK_OK(as_area_destroy(c));
	UT_CHECK(anon_objects_settle(s0.objects) <= s0.objects);
}

#define FAULTERS 8
#define SAME_ADDS 1000

typedef struct faulters {
	uintptr_t base;
	volatile bool go;
} faulters_t;

typedef struct faulter {
	faulters_t *f;
	unsigned index;
} faulter_t;

static int faulter_thread(void *arg)
{
	faulter_t *me = arg;
	uintptr_t b = me->f->base;
	while (!me->f->go)
		thread_yield();
	/* The same untouched page: read first (zero page), then write. */
	if (*page_word(b, PAGES - 1, me->index) != 0)
		return 1;
	*page_word(b, PAGES - 1, me->index) = me->index + 1;
	/* The same page, written by everyone at once. */
	for (int i = 0; i < SAME_ADDS; i++)
		__atomic_fetch_add(page_word(b, 0, 0), 1, __ATOMIC_RELAXED);
	/* Pages of our own. */
	for (size_t p = 1 + me->index * 7; p < 1 + (me->index + 1) * 7; p++)
		*page_word(b, p, 3) = p * 1000 + me->index;
	return 0;
}

UTEST(pager_threads_fault_together)
{
	faulters_t f = { 0 };
	faulter_t fs[FAULTERS];
	tid_t tids[FAULTERS];
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(as_area_create_anon(0, PAGES * PAGE_SIZE, RW, &f.base));
	unsigned n = 0;
	for (; n < FAULTERS; n++) {
		fs[n] = (faulter_t){ &f, n };
		if (!UT_CHECK_OK(thread_create(faulter_thread, &fs[n], &tids[n])))
			break;
	}
	f.go = true;
	for (unsigned i = 0; i < n; i++) {
		int status = -1;
		UT_CHECK_OK(thread_join(tids[i], &status));
		UT_CHECK_EQ(status, 0);
	}
	UT_CHECK_EQ(*page_word(f.base, 0, 0), (uint64_t) n * SAME_ADDS);
	for (unsigned t = 0; t < n; t++) {
		UT_CHECK_EQ(*page_word(f.base, PAGES - 1, t), t + 1);
		for (size_t p = 1 + t * 7; p < 1 + (t + 1) * 7; p++)
			UT_CHECK_EQ(*page_word(f.base, p, 3), p * 1000 + t);
	}
	UT_CHECK_OK(as_area_destroy(f.base));
}

/* Resize, unmap and protect on a pager area keep each page bound to its
 * place in the object. */
UTEST(pager_area_ops)
{
	uintptr_t b;
	as_area_info_t info;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(as_area_create_anon(TEST_FIXED_ADDR, 8 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	for (size_t i = 0; i < 8; i++)
		*page_word(b, i, 0) = i + 1;
	UT_CHECK_OK(as_area_resize(b, 16 * PAGE_SIZE));
	UT_CHECK_EQ(*page_word(b, 7, 0), 8);
	UT_CHECK_EQ(*page_word(b, 12, 0), 0);
	*page_word(b, 12, 0) = 13;
	UT_CHECK_OK(as_area_unmap(b + 2 * PAGE_SIZE, 2 * PAGE_SIZE));
	UT_CHECK_EQ(*page_word(b, 1, 0), 2);
	UT_CHECK_EQ(*page_word(b, 4, 0), 5);
	UT_CHECK_EQ(*page_word(b, 12, 0), 13);
	UT_CHECK_OK(as_area_protect(b + 5 * PAGE_SIZE, 2 * PAGE_SIZE, AS_AREA_READ));
	UT_CHECK_EQ(*page_word(b, 6, 0), 7);
	UT_CHECK_OK(as_area_query(b + 5 * PAGE_SIZE, &info));
	UT_CHECK_EQ(info.flags, AS_AREA_READ);
	UT_CHECK_EQ(info.backend, AS_BACKEND_PAGER);
	UT_CHECK_OK(as_area_resize(b, PAGE_SIZE));
	UT_CHECK_EQ(*page_word(b, 0, 0), 1);
	for (uintptr_t a = b; a < b + 16 * PAGE_SIZE; a += PAGE_SIZE) {
		if (as_area_query(a, &info) == EOK)
			UT_CHECK_OK(as_area_destroy(info.base));
	}
}

/* Does the end report name the pager error @a err ("pager error EIO")? */
static bool report_names(const char *msg, errno_t err)
{
	char want[40];
	snprintf(want, sizeof(want), "pager error %s", str_error_name(err));
	return strstr(msg, want) != NULL;
}

/* What the test pager tells of itself (TP_STATS). */
typedef struct tp_stats {
	uint64_t upgrades, mapped, refused, opens, closes, refs;
} tp_stats_t;

static bool tp_stats_get(cap_handle_t phone, tp_stats_t *st)
{
	ipc_msg_t ans;
	if (!UT_CHECK_OK(test_request(phone, TP_STATS, 0, &ans)))
		return false;
	*st = (tp_stats_t){ .upgrades = ans.arg[0],
		.mapped = ans.arg[1],
		.refused = ans.arg[2],
		.opens = ans.arg[3] >> 32,
		.closes = ans.arg[3] & 0xffffffffu,
		.refs = ans.arg[4] };
	return true;
}

/* The stats once the pager has seen @a closes connections close (the
 * hangup of an ended client reaches it asynchronously). */
static bool tp_stats_settle(cap_handle_t phone, uint64_t closes, tp_stats_t *st)
{
	for (int i = 0; i < SETTLE_TRIES; i++) {
		if (!tp_stats_get(phone, st))
			return false;
		if (st->closes >= closes)
			return true;
		thread_sleep_us(SETTLE_US);
	}
	return true;
}

/* Run the test pager in @a mode and a client that touches its area (with
 * rights @a flags, 0: read/write): the client ends normally (@a want EOK)
 * or faults with pager error @a want; the pager and the kernel go on;
 * frames come back.  *st (may be NULL) gets the pager's stats. */
static void tpager_case_flags(const char *mode, unsigned flags, errno_t want, tp_stats_t *st)
{
	test_server_t p;
	task_exit_info_t info, pinfo;
	tp_stats_t local;
	char args[64];
	uint64_t before = frames_free();
	if (!st)
		st = &local;
	*st = (tp_stats_t){ 0 };
	snprintf(args, sizeof(args), "child:tpager %s", mode);
	UT_ASSERT_OK(test_server_spawn(&p, args, "p"));
	snprintf(args, sizeof(args), "child:tpager-client %s %u", p.name, flags ? flags : RW);
	UT_CHECK_OK(child_run(args, &info));
	utest_note("%s pager: client %s", mode, info.message[0] ? info.message : "exited");
	if (want == EOK) {
		UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
		UT_CHECK_EQ(info.status, 0);
	} else {
		UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
		UT_CHECK_EQ(info.fault_in_area, 1);
		UT_CHECK_EQ(info.fault_access, FAULT_ACCESS_READ);
		if (!UT_CHECK(report_names(info.message, want)))
			utest_note("expected pager error %s", str_error_name(want));
	}
	bool dies = strcmp(mode, "die") == 0;
	ipc_msg_t ans;
	if (!dies && UT_CHECK_OK(test_request(p.phone, TP_PING, 0, &ans))) {
		UT_CHECK(ans.arg[0] >= 1);
		/* the client reads pages 0, 1, ... in order, each answered alone:
		 * every page-in but the first follows the previous run; then a
		 * write to page 0 is an upgrade, never sequential */
		if (want == EOK)
			UT_CHECK_EQ(ans.arg[1], TP_AREA_PAGES - 1);
	}
	if (!dies)
		tp_stats_settle(p.phone, 1, st);
	test_server_stop(&p, TP_QUIT, &pinfo);
	UT_CHECK_EQ(pinfo.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(pinfo.status, dies ? 7 : 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

static void tpager_case(const char *mode, errno_t want)
{
	tpager_case_flags(mode, 0, want, NULL);
}

/* The client reads its four pages (each granted read-only), then writes
 * page 0: that page-in says it is an upgrade of a page mapped read-only,
 * and no other does.  The callbacks: our connection and the client's
 * opened, the client's closed, its object got its first area. */
UTEST(pager_test_pager_good)
{
	tp_stats_t st;
	tpager_case_flags("good", 0, EOK, &st);
	UT_CHECK_EQ(st.upgrades, 1);
	UT_CHECK_EQ(st.mapped, AS_AREA_READ);
	UT_CHECK_EQ(st.refused, 0);
	UT_CHECK_EQ(st.opens, 2);
	UT_CHECK_EQ(st.closes, 1);
	UT_CHECK_EQ(st.refs, 1);
}

/* A pager that grants what PAGE_IN_RIGHTS says, as given, is answered
 * well: for a cached area and for an uncached one. */
UTEST(pager_test_pager_area_rights)
{
	tp_stats_t st;
	tpager_case_flags("arearights", RW, EOK, &st);
	UT_CHECK_EQ(st.refused, 0);
	UT_CHECK_EQ(st.upgrades, 0); /* the read was granted write already */
	tpager_case_flags("arearights", RW | AS_AREA_UNCACHED, EOK, &st);
	UT_CHECK_EQ(st.refused, 0);
}

/* Answers the kernel refuses: pager_supply() says so, the fault fails
 * with EINVAL (and the kernel logs the rule). */
UTEST(pager_test_pager_refused)
{
	tp_stats_t st;
	tpager_case_flags("beyond", 0, EINVAL, &st);
	UT_CHECK_EQ(st.refused, 1);
	tpager_case_flags("uncached", 0, EINVAL, &st);
	UT_CHECK_EQ(st.refused, 1);
}

/* pager_object_set_size() inside the page-in: the answer that follows
 * stands, so each page costs one page-in (a kernel that dropped it would
 * ask again and again; the pager gives up after a few). */
UTEST(pager_test_pager_set_size_in_page_in)
{
	test_server_t p;
	task_exit_info_t info;
	char args[64];
	ipc_msg_t ans;
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager setsize", "p"));
	snprintf(args, sizeof(args), "child:tpager-client %s", p.name);
	UT_CHECK_OK(child_run(args, &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("client: %s", info.message);
	if (UT_CHECK_OK(test_request(p.phone, TP_PING, 0, &ans)))
		UT_CHECK_EQ(ans.arg[0], TP_AREA_PAGES + 1); /* four reads, one upgrade */
	test_server_stop(&p, TP_QUIT, NULL);
}

/* The pager unmaps its copy right after answering: the frame lives on. */
UTEST(pager_test_pager_unmaps_after_answer)
{
	tpager_case("unmap-after", EOK);
}

UTEST(pager_test_pager_error)
{
	tpager_case("error", EIO);
}

UTEST(pager_test_pager_garbage)
{
	const char *modes[] = { "unmapped", "toomany", "zeropages", "rights", "kernel",
		"unaligned" };
	tp_stats_t st;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		tpager_case_flags(modes[i], 0, EINVAL, &st);
		UT_CHECK_EQ(st.refused, 1);
	}
}

UTEST(pager_test_pager_silent)
{
	tpager_case("silent", ETIMEOUT);
}

UTEST(pager_test_pager_dies)
{
	tpager_case("die", EHANGUP);
}

#define PAGED_TASKS 500
#define PAGED_BATCH 4
/* Frames the anon pager's own (wired, never shrinking) heap may have grown
 * by to hold more objects at once: not a leak.  A leak of one frame per
 * task would be PAGED_TASKS frames. */
#define PAGED_SLACK 8

static void paged_batch(void)
{
	task_id_t ids[PAGED_BATCH];
	for (int i = 0; i < PAGED_BATCH; i++)
		UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:paged", &ids[i]));
	for (int i = 0; i < PAGED_BATCH; i++) {
		task_exit_info_t info;
		UT_ASSERT_OK(task_wait(ids[i], &info));
		if (!UT_CHECK_EQ(info.status, 0))
			utest_note("child:paged: %s", info.message);
	}
}

UTEST(pager_tasks_500)
{
	anon_stats_t s0;
	UT_ASSERT(pager_ready() && stats(&s0));
	uint64_t before = frames_baseline();
	for (int i = 0; i < PAGED_TASKS && !utest_failed(); i += PAGED_BATCH)
		paged_batch();
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after + PAGED_SLACK >= before))
		utest_note("%llu frames free before, %llu after %d tasks",
		    (unsigned long long) before, (unsigned long long) after, PAGED_TASKS);
	UT_CHECK(anon_objects_settle(s0.objects) <= s0.objects);
}

/* A private page already written through one area, then read and written
 * through a second area bound to the same object: the read is granted
 * write at once (the page-in carries the area's rights), so the second
 * area costs exactly one page-in, not two. */
UTEST(pager_read_then_write_one_fault)
{
	anon_stats_t s0, s1, s2;
	uint64_t id;
	uintptr_t a, b;
	UT_ASSERT(pager_ready() && stats(&s0));
	UT_ASSERT_OK(anon_area(&id, 1, &a));
	*(volatile uint64_t *) a = 42; /* the object's page 0 now holds data */
	UT_ASSERT_OK(anon_area_bind(id, 1, &b));
	UT_ASSERT(stats(&s1));
	UT_CHECK_EQ(*(volatile uint64_t *) b, 42);
	*(volatile uint64_t *) (b + 8) = 43; /* no second fault */
	UT_ASSERT(stats(&s2));
	UT_CHECK_EQ(s2.faults - s1.faults, 1);
	UT_CHECK_EQ(*(volatile uint64_t *) (a + 8), 43); /* one page, shared */
	UT_CHECK_OK(as_area_destroy(a));
	UT_CHECK_OK(as_area_destroy(b));
	UT_CHECK(anon_objects_settle(s0.objects) <= s0.objects);
}

static int touch_thread(void *arg)
{
	return *(volatile uint64_t *) arg == TP_PATTERN ? 0 : 1;
}

/* Two tasks sharing one object (the second got it by IPC_M_SHARE_OUT)
 * fault on the same page at the same time: the pager, slow to answer,
 * counts one page-in, and both read its page. */
UTEST(pager_shared_fault_one_page_in)
{
	test_server_t p, s;
	ipc_msg_t ans;
	uintptr_t base;
	tid_t tid;
	int status = -1;
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager slow", "p"));
	UT_ASSERT_OK(test_server_start(&s));
	UT_ASSERT_OK(test_request(p.phone, TP_CREATE, 0, &ans));
	as_pager_spec_t spec = { .phone = p.phone, .object = ans.arg[0] };
	UT_ASSERT_OK(as_area_create_pager(0, TP_AREA_PAGES * PAGE_SIZE, RW, &spec, &base));
	UT_ASSERT_OK(ipc_share_out(s.phone, base, RW));
	UT_ASSERT_OK(thread_create(touch_thread, (void *) base, &tid));
	thread_sleep_us(TP_SLOW_US / 10); /* our thread's page-in is out */
	if (UT_CHECK_OK(ipc_request(s.phone, TS_MEM_READ, TS_MEM_SHARED_OUT, 0, 0, 0, 0, &ans)))
		UT_CHECK_EQ(ans.arg[0], TP_PATTERN);
	UT_CHECK_OK(thread_join(tid, &status));
	UT_CHECK_EQ(status, 0);
	if (UT_CHECK_OK(test_request(p.phone, TP_PING, 0, &ans)))
		UT_CHECK_EQ(ans.arg[0], 1);
	UT_CHECK_OK(as_area_destroy(base));
	test_server_stop(&s, TS_QUIT, NULL);
	test_server_stop(&p, TP_QUIT, NULL);
}

#define MANY_OBJECTS 10000
#define MANY_TRIES 100

/* An area of one page bound to a new object of the test pager at @a at
 * (retried while the pager is behind with its notices: ELIMIT). */
static errno_t many_bind(cap_handle_t phone, uintptr_t at)
{
	ipc_msg_t ans;
	errno_t rc = test_request(phone, TP_CREATE, 0, &ans);
	as_pager_spec_t spec = { .phone = phone, .object = ans.arg[0] };
	for (int i = 0; rc == EOK && i < MANY_TRIES; i++) {
		rc = as_area_create_pager(at, PAGE_SIZE, AS_AREA_READ | AS_AREA_FIXED, &spec, NULL);
		if (rc != ELIMIT)
			break;
		thread_sleep_us(SETTLE_US);
	}
	return rc;
}

/* A pager with ten thousand objects, each with an area of ours, each
 * faulted in once. */
UTEST(pager_objects_10000)
{
	test_server_t p;
	ipc_msg_t ans;
	tp_stats_t st;
	size_t made = 0;
	uint64_t before = frames_baseline();
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager good", "p"));
	for (; made < MANY_OBJECTS; made++) {
		uintptr_t at = TEST_FIXED_ADDR + made * PAGE_SIZE;
		if (!UT_CHECK_OK(many_bind(p.phone, at)) ||
		    !UT_CHECK_EQ(*(volatile uint64_t *) at, TP_PATTERN))
			break;
	}
	if (UT_CHECK_OK(test_request(p.phone, TP_PING, 0, &ans)))
		UT_CHECK_EQ(ans.arg[0], made);
	/* the REFs are notices: the last may still be on its way */
	for (int i = 0; i < SETTLE_TRIES && tp_stats_get(p.phone, &st) && st.refs < made; i++)
		thread_sleep_us(SETTLE_US);
	UT_CHECK_EQ(st.refs, made);
	for (size_t i = 0; i < made; i++)
		UT_CHECK_OK(as_area_destroy(TEST_FIXED_ADDR + i * PAGE_SIZE));
	test_server_stop(&p, TP_QUIT, NULL);
	/* Not exact: other tasks (the anon pager's wired heap and block store)
	 * move a frame or so meanwhile, more when the test pager falls behind
	 * and our binds wait (ELIMIT); the runner's own leak check (utest.c)
	 * holds this task to account.  A leak per object would be thousands. */
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after + PAGED_SLACK >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

/* Count the pager notices waiting in our box and answer them. */
static void notices_take(size_t *refs, size_t *unrefs)
{
	ipc_event_t ev;
	while (self_event_wait(&ev, 200000) == EOK) {
		if (ev.kind != IPC_EV_CALL)
			continue;
		if (ev.sender == 0 && ev.msg.method == IPC_M_PAGER_OBJECT_REF)
			(*refs)++;
		else if (ev.sender == 0 && ev.msg.method == IPC_M_PAGER_OBJECT_UNREF)
			(*unrefs)++;
		ipc_answer(ev.call, EOK, NULL);
	}
}

/* A task binds and destroys areas of objects of its own box, never reading
 * it: the kernel's notices are bounded (binds get ELIMIT once
 * PAGER_NOTICES_MAX wait), and none is lost (each REF has its UNREF). */
UTEST(pager_notice_flood_bounded)
{
	cap_handle_t self;
	errno_t rc = EOK;
	size_t made = 0, refs = 0, unrefs = 0;
	UT_ASSERT_OK(self_phone_open(&self));
	for (uint64_t i = 0; i < 3 * PAGER_NOTICES_MAX; i++) {
		as_pager_spec_t spec = { .phone = self, .object = i };
		rc = as_area_create_pager(
		    TEST_FIXED_ADDR, PAGE_SIZE, RW | AS_AREA_FIXED, &spec, NULL);
		if (rc != EOK)
			break;
		made++;
		UT_CHECK_OK(as_area_destroy(TEST_FIXED_ADDR));
	}
	UT_CHECK_ERR(rc, ELIMIT);
	UT_CHECK(made <= PAGER_NOTICES_MAX);
	notices_take(&refs, &unrefs);
	UT_CHECK_EQ(refs, made);
	UT_CHECK_EQ(unrefs, made);
	/* read: binding works again */
	as_pager_spec_t spec = { .phone = self, .object = 1ULL << 40 };
	UT_CHECK_OK(
	    as_area_create_pager(TEST_FIXED_ADDR, PAGE_SIZE, RW | AS_AREA_FIXED, &spec, NULL));
	UT_CHECK_OK(as_area_destroy(TEST_FIXED_ADDR));
	refs = unrefs = 0;
	notices_take(&refs, &unrefs);
	UT_CHECK(refs == 1 && unrefs == 1);
	self_phone_close(self);
}

/* ---- SYS_PAGER_BOUND ---- */

/* The kernel says whether an area is bound to an object of ours through
 * one connection: at once after the bind (the REF still unread in our
 * box), for that connection alone, through a piece of the area and after
 * the connection hung up; no longer once the last area went.  Junk ids
 * and badges are ENOENT. */
UTEST(pager_bound_query)
{
	cap_handle_t self;
	size_t refs = 0, unrefs = 0;
	const uint64_t id = 1ULL << 41;
	const uintptr_t at = TEST_FIXED_ADDR;
	UT_ASSERT_OK(self_phone_open(&self));
	UT_CHECK_ERR(pager_object_bound(id, SELF_BADGE), ENOENT);
	as_pager_spec_t spec = { .phone = self, .object = id };
	UT_ASSERT_OK(as_area_create_pager(at, 2 * PAGE_SIZE, RW | AS_AREA_FIXED, &spec, NULL));
	UT_CHECK_OK(pager_object_bound(id, SELF_BADGE));
	UT_CHECK_ERR(pager_object_bound(id, SELF_BADGE + 1), ENOENT);
	UT_CHECK_ERR(pager_object_bound(id + 1, SELF_BADGE), ENOENT);
	UT_CHECK_ERR(pager_object_bound(UINT64_MAX, UINT64_MAX), ENOENT);
	UT_CHECK_ERR(pager_object_bound(0, 0), ENOENT);
	UT_CHECK_OK(as_area_unmap(at, PAGE_SIZE)); /* a piece is left */
	UT_CHECK_OK(pager_object_bound(id, SELF_BADGE));
	notices_take(&refs, &unrefs);
	self_phone_close(self);
	UT_CHECK_OK(pager_object_bound(id, SELF_BADGE));
	UT_CHECK(as_area_create_pager(0, PAGE_SIZE, RW, &spec, NULL) != EOK);
	UT_CHECK_OK(as_area_destroy(at + PAGE_SIZE));
	UT_CHECK_ERR(pager_object_bound(id, SELF_BADGE), ENOENT);
	notices_take(&refs, &unrefs);
	UT_CHECK_EQ(refs, 1);
	UT_CHECK_EQ(unrefs, 1);
}

/* ---- write-protect (SYS_PAGER_WRITE_PROTECT) ---- */

/* The test pager write-protects [offset, offset + size) of @a object. */
static errno_t tp_protect(cap_handle_t phone, uint64_t object, uint64_t offset, uint64_t size)
{
	return ipc_request(phone, TP_PROTECT, object, offset, size, 0, 0, NULL);
}

/* The test pager's page-ins so far and the upgrades among them. */
static bool tp_counts(cap_handle_t phone, uint64_t *page_ins, uint64_t *upgrades)
{
	ipc_msg_t ans;
	tp_stats_t st;
	if (!UT_CHECK_OK(test_request(phone, TP_PING, 0, &ans)) || !tp_stats_get(phone, &st))
		return false;
	*page_ins = ans.arg[0];
	*upgrades = st.upgrades;
	return true;
}

/* Page-ins and upgrades are @a ins and @a ups now. */
#define UT_CHECK_COUNTS(phone, ins, ups)                \
	do {                                            \
		uint64_t ins_, ups_;                    \
		if (tp_counts((phone), &ins_, &ups_)) { \
			UT_CHECK_EQ(ins_, (ins));       \
			UT_CHECK_EQ(ups_, (ups));       \
		}                                       \
	} while (0)

/* The server's word at @a offset of the area we shared out to it. */
static uint64_t ts_word(cap_handle_t phone, uint64_t method, uint64_t offset, uint64_t value)
{
	ipc_msg_t ans = { 0 };
	UT_CHECK_OK(ipc_request(phone, method, TS_MEM_SHARED_OUT, offset, value, 0, 0, &ans));
	return ans.arg[0];
}

/* A pager grants pages writable, we and a server (our area shared out to
 * it: two tasks, one object) store, the pager write-protects: loads go on
 * without a fault, the next store of each task to each protected page is
 * an upgrade page-in the pager counts, the one after it is not, pages
 * outside the range keep their write right, and both tasks still see one
 * page. */
UTEST(pager_write_protect_upgrade)
{
	test_server_t p, s;
	ipc_msg_t ans;
	uintptr_t b;
	tp_stats_t st;
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager good", "p"));
	UT_ASSERT_OK(test_server_start(&s));
	UT_ASSERT_OK(test_request(p.phone, TP_CREATE, 0, &ans));
	uint64_t obj = ans.arg[0];
	as_pager_spec_t spec = { .phone = p.phone, .object = obj };
	UT_ASSERT_OK(as_area_create_pager(0, TP_AREA_PAGES * PAGE_SIZE, RW, &spec, &b));
	UT_ASSERT_OK(ipc_share_out(s.phone, b, RW));
	for (size_t i = 0; i < TP_AREA_PAGES; i++)
		*page_word(b, i, 1) = 0x5700 + i;
	UT_CHECK_EQ(ts_word(s.phone, TS_MEM_WRITE, 16, 0x5800), 0x5800); /* its own page-in */
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 1, 0);
	UT_CHECK_OK(tp_protect(p.phone, obj, 0, 3 * PAGE_SIZE));
	for (size_t i = 0; i < TP_AREA_PAGES; i++) {
		UT_CHECK_EQ(*page_word(b, i, 0), TP_PATTERN + i);
		UT_CHECK_EQ(*page_word(b, i, 1), 0x5700 + i);
	}
	UT_CHECK_EQ(ts_word(s.phone, TS_MEM_READ, 8, 0), 0x5700);
	*page_word(b, 3, 2) = 3; /* outside the range */
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 1, 0);
	*page_word(b, 0, 2) = 0x5900;
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 2, 1);
	if (tp_stats_get(p.phone, &st))
		UT_CHECK_EQ(st.mapped, AS_AREA_READ);
	*page_word(b, 0, 3) = 0x5901; /* writable again */
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 2, 1);
	UT_CHECK_EQ(ts_word(s.phone, TS_MEM_WRITE, 16, 0x5a00), 0x5a00); /* the server's upgrade */
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 3, 2);
	UT_CHECK_EQ(*page_word(b, 0, 2), 0x5a00);
	UT_CHECK_EQ(ts_word(s.phone, TS_MEM_READ, 24, 0), 0x5901);
	*page_word(b, 1, 1) = 0x5b00;
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 4, 3);
	UT_CHECK_EQ(*page_word(b, 2, 1), 0x5702); /* page 2 stays read-only: no store */
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES + 4, 3);
	UT_CHECK_OK(as_area_destroy(b));
	test_server_stop(&s, TS_QUIT, NULL);
	test_server_stop(&p, TP_QUIT, NULL);
}

/* Bad arguments each get their error and change nothing: every page
 * stays writable (a store needs no page-in).  A task that is not the
 * pager names no object of it. */
UTEST(pager_write_protect_bad_arguments)
{
	test_server_t p;
	ipc_msg_t ans;
	uintptr_t b;
	uint64_t top = UINT64_MAX & ~(uint64_t) (PAGE_SIZE - 1);
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager good", "p"));
	UT_ASSERT_OK(test_request(p.phone, TP_CREATE, 0, &ans));
	uint64_t obj = ans.arg[0];
	as_pager_spec_t spec = { .phone = p.phone, .object = obj };
	UT_ASSERT_OK(as_area_create_pager(0, TP_AREA_PAGES * PAGE_SIZE, RW, &spec, &b));
	for (size_t i = 0; i < TP_AREA_PAGES; i++)
		*page_word(b, i, 1) = i;
	UT_CHECK_ERR(tp_protect(p.phone, obj, 8, PAGE_SIZE), EINVAL);
	UT_CHECK_ERR(tp_protect(p.phone, obj, 0, PAGE_SIZE + 8), EINVAL);
	UT_CHECK_ERR(tp_protect(p.phone, obj, top, PAGE_SIZE), EINVAL);
	UT_CHECK_ERR(tp_protect(p.phone, obj, PAGE_SIZE, top), EINVAL);
	UT_CHECK_ERR(tp_protect(p.phone, obj + 1000, 0, PAGE_SIZE), ENOENT);
	UT_CHECK_ERR(pager_object_write_protect(obj, 0, PAGE_SIZE), ENOENT); /* not our object */
	for (size_t i = 0; i < TP_AREA_PAGES; i++)
		*page_word(b, i, 2) = i;
	UT_CHECK_COUNTS(p.phone, TP_AREA_PAGES, 0);
	UT_CHECK_OK(as_area_destroy(b));
	test_server_stop(&p, TP_QUIT, NULL);
}

/* The pager answers a store's page-in writable and write-protects the
 * page right after, before the faulting thread has (usually) mapped the
 * answer: the store must not go by -- it comes back to the pager, as a
 * new page-in (the answer lost its write right) or as an upgrade (it was
 * mapped in time and the protect took the right back).  Each page costs
 * two page-ins, the second answer stands, and the stores are there. */
UTEST(pager_write_protect_racing_answer)
{
	test_server_t p;
	ipc_msg_t ans;
	uintptr_t b;
	uint64_t ins = 0, ups = 0;
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager wprace", "p"));
	UT_ASSERT_OK(test_request(p.phone, TP_CREATE, 0, &ans));
	as_pager_spec_t spec = { .phone = p.phone, .object = ans.arg[0] };
	UT_ASSERT_OK(as_area_create_pager(0, TP_AREA_PAGES * PAGE_SIZE, RW, &spec, &b));
	for (size_t i = 0; i < TP_AREA_PAGES; i++)
		*page_word(b, i, 1) = 0x6100 + i;
	if (tp_counts(p.phone, &ins, &ups)) {
		UT_CHECK_EQ(ins, 2 * TP_AREA_PAGES);
		utest_note("%llu of %d stores came back as upgrades, the others as new page-ins",
		    (unsigned long long) ups, TP_AREA_PAGES);
		/* one CPU: the pager's thread goes on from its answer to the
		 * protect before the faulting thread runs, so the answers are
		 * caught in flight (the case under test), not mapped in time */
		UT_CHECK(ups < TP_AREA_PAGES);
	}
	for (size_t i = 0; i < TP_AREA_PAGES; i++) {
		*page_word(b, i, 2) = 0x6200 + i;
		UT_CHECK_EQ(*page_word(b, i, 1), 0x6100 + i);
	}
	UT_CHECK_COUNTS(p.phone, ins, ups);
	UT_CHECK_OK(as_area_destroy(b));
	test_server_stop(&p, TP_QUIT, NULL);
}

#define WP_ROUNDS 32

/* A write-back round on one page, again and again: the pager
 * write-protects it (mapped writable in one area), our next store is one
 * upgrade page-in.  Notes the least each took: the protect in the pager,
 * and the store's fault round trip here (TSC ticks; guest instructions
 * under tools/qemu.sh --icount). */
UTEST(pager_write_protect_cost)
{
	test_server_t p;
	ipc_msg_t ans;
	uintptr_t b;
	uint64_t protect_min = UINT64_MAX, store_min = UINT64_MAX;
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager good", "p"));
	UT_ASSERT_OK(test_request(p.phone, TP_CREATE, 0, &ans));
	uint64_t obj = ans.arg[0];
	as_pager_spec_t spec = { .phone = p.phone, .object = obj };
	UT_ASSERT_OK(as_area_create_pager(0, PAGE_SIZE, RW, &spec, &b));
	*page_word(b, 0, 1) = 0;
	for (int r = 0; r < WP_ROUNDS && !utest_failed(); r++) {
		UT_CHECK_OK(ipc_request(p.phone, TP_PROTECT, obj, 0, PAGE_SIZE, 0, 0, &ans));
		protect_min = ans.arg[0] < protect_min ? ans.arg[0] : protect_min;
		uint64_t t0 = bench_rdtsc();
		*page_word(b, 0, 1) = r + 1;
		uint64_t t = bench_rdtsc() - t0;
		store_min = t < store_min ? t : store_min;
	}
	UT_CHECK_COUNTS(p.phone, 1 + WP_ROUNDS, WP_ROUNDS);
	utest_note("write-protect of 1 mapped page: %llu ticks; the store after it (upgrade "
	           "page-in round trip): %llu ticks (least of %d)",
	    (unsigned long long) protect_min, (unsigned long long) store_min, WP_ROUNDS);
	UT_CHECK_OK(as_area_destroy(b));
	test_server_stop(&p, TP_QUIT, NULL);
}
