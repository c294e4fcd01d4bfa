/*
 * The example pager (uspace/srv/pager/example, written from
 * docs/pager-abi.md alone) as its clients see it: it starts, serves shared
 * and private (copy-on-write) mappings of its objects, and stops cleanly
 * once its last client has gone, giving every frame back.
 */
#include "tester.h"
#include <expager.h>
#include <ns.h>
#include <stdio.h>
#include <task.h>
#include <utest.h>

#define EX_PAGES 8
#define EX_CONNECT_TIMEOUT_MS 5000

static volatile uint64_t *ex_word(uintptr_t base, size_t page)
{
	return (volatile uint64_t *) (base + page * PAGE_SIZE);
}

static errno_t ex_bind(cap_handle_t phone, uint64_t object, uintptr_t *base)
{
	as_pager_spec_t spec = { .phone = phone, .object = object };
	return as_area_create_pager(0, EX_PAGES * PAGE_SIZE, RW, &spec, base);
}

static errno_t ex_request(cap_handle_t phone, uint64_t method, uint64_t arg, uint64_t *out)
{
	ipc_msg_t ans = { 0 };
	errno_t rc = ipc_request(phone, method, arg, 0, 0, 0, 0, &ans);
	if (out)
		*out = ans.arg[0];
	return rc;
}

/* Object A in two shared areas; B and C private copies of A, made at
 * different times: each sees A as it was when it was made, and its own
 * writes only. */
static void ex_mappings(cap_handle_t phone)
{
	uint64_t a, b, c;
	uintptr_t a1, a2, pb, pc;
	UT_ASSERT_OK(ex_request(phone, EXPAGER_CREATE, EX_PAGES, &a));
	UT_ASSERT_OK(ex_bind(phone, a, &a1));
	UT_ASSERT_OK(ex_bind(phone, a, &a2));
	UT_CHECK_EQ(*ex_word(a1, 3), 0); /* zero-filled */
	for (size_t i = 0; i < 4; i++)
		*ex_word(a1, i) = 0xa0 + i;
	UT_CHECK_EQ(*ex_word(a2, 2), 0xa2); /* a shared mapping sees it */
	*ex_word(a2, 5) = 0xa5;
	UT_CHECK_EQ(*ex_word(a1, 5), 0xa5);
	UT_ASSERT_OK(ex_request(phone, EXPAGER_PRIVATE, a, &b));
	UT_ASSERT_OK(ex_bind(phone, b, &pb));
	UT_CHECK_EQ(*ex_word(pb, 1), 0xa1);
	*ex_word(pb, 0) = 0xb0; /* the copy writes: A keeps */
	UT_CHECK_EQ(*ex_word(a1, 0), 0xa0);
	UT_CHECK_EQ(*ex_word(a2, 0), 0xa0);
	*ex_word(a1, 1) = 0xa11; /* A writes: the copy keeps */
	UT_CHECK_EQ(*ex_word(pb, 1), 0xa1);
	UT_CHECK_EQ(*ex_word(a2, 1), 0xa11);
	*ex_word(pb, 6) = 0xb6; /* a page A never wrote */
	UT_CHECK_EQ(*ex_word(a1, 6), 0);
	UT_ASSERT_OK(ex_request(phone, EXPAGER_PRIVATE, a, &c));
	UT_ASSERT_OK(ex_bind(phone, c, &pc));
	UT_CHECK_EQ(*ex_word(pc, 0), 0xa0);
	UT_CHECK_EQ(*ex_word(pc, 1), 0xa11);
	UT_CHECK_EQ(*ex_word(pc, 6), 0);
	*ex_word(pc, 2) = 0xc2;
	UT_CHECK_EQ(*ex_word(a1, 2), 0xa2);
	UT_CHECK_EQ(*ex_word(pb, 2), 0xa2);
	UT_CHECK_OK(as_area_destroy(a1));
	UT_CHECK_OK(as_area_destroy(a2)); /* A goes; B and C hold its pages */
	UT_CHECK_EQ(*ex_word(pb, 3), 0xa3);
	UT_CHECK_EQ(*ex_word(pc, 3), 0xa3);
	UT_CHECK_OK(as_area_destroy(pb));
	UT_CHECK_OK(as_area_destroy(pc));
}

UTEST(pager_example)
{
	task_id_t id;
	task_exit_info_t info;
	cap_handle_t phone;
	uint64_t before = frames_free();
	UT_ASSERT_OK(task_spawn("expager", NULL, &id));
	if (!UT_CHECK_OK(ns_connect_timeout(EXPAGER_NAME, EX_CONNECT_TIMEOUT_MS, &phone))) {
		task_wait(id, &info);
		return;
	}
	ex_mappings(phone);
	ipc_msg_t st;
	if (UT_CHECK_OK(ipc_request(phone, EXPAGER_STATS, 0, 0, 0, 0, 0, &st))) {
		UT_CHECK_EQ(st.arg[3], 1); /* our connection */
		UT_CHECK(st.arg[2] >= 3); /* copies: pb 0, a1 1, pc 2 */
		utest_note("expager: %llu objects, %llu page-ins, %llu copies",
		    (unsigned long long) st.arg[0], (unsigned long long) st.arg[1],
		    (unsigned long long) st.arg[2]);
	}
	/* stop: it ends once we hang up (our areas are gone already) */
	UT_CHECK_OK(ipc_request(phone, EXPAGER_STOP, 0, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(ipc_hangup(phone));
	UT_ASSERT_OK(task_wait(id, &info));
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		utest_note("expager ended: %s", info.message);
	UT_CHECK_EQ(info.status, 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

/* A stopping pager waits for its clients' areas: the one left keeps
 * working, and the pager ends when it goes. */
UTEST(pager_example_stop_waits)
{
	task_id_t id;
	task_exit_info_t info;
	cap_handle_t phone, late;
	uint64_t a;
	uintptr_t base;
	UT_ASSERT_OK(task_spawn("expager", NULL, &id));
	if (!UT_CHECK_OK(ns_connect_timeout(EXPAGER_NAME, EX_CONNECT_TIMEOUT_MS, &phone))) {
		task_wait(id, &info);
		return;
	}
	UT_ASSERT_OK(ex_request(phone, EXPAGER_CREATE, EX_PAGES, &a));
	UT_ASSERT_OK(ex_bind(phone, a, &base));
	*ex_word(base, 0) = 42;
	UT_CHECK_OK(ipc_request(phone, EXPAGER_STOP, 0, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(ipc_hangup(phone));
	/* the name is gone: nobody new gets in */
	UT_CHECK_ERR(ns_connect_timeout(EXPAGER_NAME, 100, &late), ETIMEOUT, EHANGUP);
	/* the area still works: the object lives while it has areas */
	*ex_word(base, 1) = 43;
	UT_CHECK_EQ(*ex_word(base, 0), 42);
	UT_CHECK_OK(as_area_destroy(base));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
}
