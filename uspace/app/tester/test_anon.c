/*
 * The anon pager's page store and policy, and libc's stacks on it:
 *
 *  - the store keeps a few areas, not one per block (touching 16 MiB made
 *    256 areas in the pager before), and gives the memory back;
 *  - a fault in populated memory is answered with the whole run the
 *    kernel asks for, across the pager's chunks;
 *  - ANON_CREATE's ready range, and its refusals.
 *
 * The page reference counts (65,536 clones of one object wrapped them)
 * are tested on the host (tests/test_anon_store.c): 65,536 clones through
 * IPC take the pager about 45 s under QEMU.
 */
#include "tester.h"
#include <anon.h>
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
