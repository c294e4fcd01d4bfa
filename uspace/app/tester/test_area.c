/*
 * Area semantics seen from user space: placement, overlap, rights, resize,
 * unmapping and protecting sub-ranges (which split areas), query and list.
 */
#include "tester.h"
#include <string.h>
#include <sys.h>
#include <utest.h>

/* Every byte of [base, base + size) equals @a v. */
static bool mem_all(uintptr_t base, size_t size, unsigned char v)
{
	const unsigned char *p = (const unsigned char *) base;
	for (size_t i = 0; i < size; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

/* Destroy every area in [base, base + size) (however it was split). */
static void area_destroy_range(uintptr_t base, size_t size)
{
	as_area_info_t info;
	for (uintptr_t a = base; a < base + size; a += PAGE_SIZE) {
		if (as_area_query(a, &info) == EOK)
			UT_CHECK_OK(as_area_destroy(info.base));
	}
}

static bool area_is(uintptr_t addr, uintptr_t base, size_t size, unsigned flags)
{
	as_area_info_t info;
	if (!UT_CHECK_OK(as_area_query(addr, &info)))
		return false;
	return UT_CHECK_EQ(info.base, base) && UT_CHECK_EQ(info.size, size) &&
	    UT_CHECK_EQ(info.flags, flags);
}

UTEST(area_create_anywhere)
{
	uintptr_t b;
	as_area_info_t info;
	UT_ASSERT_OK(as_area_create(0, 3 * PAGE_SIZE, RW, &b));
	UT_CHECK(b >= AS_USER_FLOOR && b + 3 * PAGE_SIZE <= AS_USER_TOP);
	UT_CHECK_EQ(b % PAGE_SIZE, 0);
	UT_CHECK(mem_all(b, 3 * PAGE_SIZE, 0)); /* fresh memory is zeroed */
	memset((void *) b, 0x5a, 3 * PAGE_SIZE);
	UT_CHECK(mem_all(b, 3 * PAGE_SIZE, 0x5a));
	UT_CHECK_OK(as_area_query(b + PAGE_SIZE + 5, &info));
	UT_CHECK_EQ(info.base, b);
	UT_CHECK_EQ(info.size, 3 * PAGE_SIZE);
	UT_CHECK_EQ(info.flags, RW);
	UT_CHECK_EQ(info.backend, AS_BACKEND_WIRED);
	UT_CHECK_EQ(info.resident, 3);
	UT_CHECK_OK(as_area_destroy(b));
	UT_CHECK_ERR(as_area_query(b, &info), ENOENT);
}

UTEST(area_create_fixed_overlap)
{
	const uintptr_t f = TEST_FIXED_ADDR;
	const unsigned fx = RW | AS_AREA_FIXED;
	uintptr_t b, b2;
	UT_ASSERT_OK(as_area_create(f, 4 * PAGE_SIZE, fx, &b));
	UT_CHECK_EQ(b, f);
	UT_CHECK_ERR(as_area_create(f, PAGE_SIZE, fx, &b2), EEXIST);
	UT_CHECK_ERR(as_area_create(f + 3 * PAGE_SIZE, 2 * PAGE_SIZE, fx, &b2), EEXIST);
	UT_CHECK_ERR(as_area_create(f - PAGE_SIZE, 2 * PAGE_SIZE, fx, &b2), EEXIST);
	UT_CHECK_ERR(as_area_create(f - PAGE_SIZE, 8 * PAGE_SIZE, fx, &b2), EEXIST);
	/* Touching neighbours are fine. */
	UT_CHECK_OK(as_area_create(f + 4 * PAGE_SIZE, PAGE_SIZE, fx, &b2));
	UT_CHECK_OK(as_area_destroy(f + 4 * PAGE_SIZE));
	/* A hint on an occupied range is only a hint. */
	UT_CHECK_OK(as_area_create(f, PAGE_SIZE, RW, &b2));
	UT_CHECK(b2 + PAGE_SIZE <= f || b2 >= f + 4 * PAGE_SIZE);
	UT_CHECK_OK(as_area_destroy(b2));
	UT_CHECK_OK(as_area_destroy(f));
	/* The lowest legal page and the highest legal page. */
	UT_CHECK_OK(as_area_create(AS_USER_FLOOR, PAGE_SIZE, fx, &b2));
	UT_CHECK_OK(as_area_destroy(AS_USER_FLOOR));
	as_area_info_t info;
	if (as_area_query(AS_USER_TOP - PAGE_SIZE, &info) == ENOENT) {
		UT_CHECK_OK(as_area_create(AS_USER_TOP - PAGE_SIZE, PAGE_SIZE, fx, &b2));
		UT_CHECK_OK(as_area_destroy(AS_USER_TOP - PAGE_SIZE));
	}
}

UTEST(area_rights_refused)
{
	uintptr_t b;
	UT_CHECK_ERR(
	    as_area_create(0, PAGE_SIZE, AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC, &b), EPERM);
	UT_CHECK_ERR(as_area_create(TEST_FIXED_ADDR, PAGE_SIZE,
	                 AS_AREA_WRITE | AS_AREA_EXEC | AS_AREA_FIXED, &b),
	    EPERM);
	UT_CHECK_ERR(as_area_create(0, PAGE_SIZE, RW, (uintptr_t *) 0x8), EFAULT);
	UT_CHECK_ERR(as_area_create(0, PAGE_SIZE, AS_AREA_FIXED | RW, &b), EINVAL);
	UT_CHECK_ERR(as_area_create(ADDR_KERNEL, PAGE_SIZE, AS_AREA_FIXED | RW, &b), EINVAL);
}

UTEST(area_resize_grow)
{
	uintptr_t b, n;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 2 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	memset((void *) b, 0x11, 2 * PAGE_SIZE);
	UT_CHECK_OK(as_area_resize(b, 5 * PAGE_SIZE));
	UT_CHECK(area_is(b, b, 5 * PAGE_SIZE, RW));
	UT_CHECK(mem_all(b, 2 * PAGE_SIZE, 0x11));
	UT_CHECK(mem_all(b + 2 * PAGE_SIZE, 3 * PAGE_SIZE, 0));
	memset((void *) (b + 2 * PAGE_SIZE), 0x22, 3 * PAGE_SIZE);
	/* Growing into a neighbour: EEXIST and nothing changes. */
	UT_ASSERT_OK(as_area_create(b + 6 * PAGE_SIZE, PAGE_SIZE, RW | AS_AREA_FIXED, &n));
	UT_CHECK_ERR(as_area_resize(b, 7 * PAGE_SIZE), EEXIST);
	UT_CHECK(area_is(b, b, 5 * PAGE_SIZE, RW));
	UT_CHECK_OK(as_area_resize(b, 6 * PAGE_SIZE)); /* exactly up to it */
	UT_CHECK(mem_all(b + 2 * PAGE_SIZE, 3 * PAGE_SIZE, 0x22));
	UT_CHECK_OK(as_area_destroy(n));
	UT_CHECK_OK(as_area_destroy(b));
}

UTEST(area_resize_shrink)
{
	uintptr_t b;
	as_area_info_t info;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 4 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	memset((void *) b, 0x33, 4 * PAGE_SIZE);
	UT_CHECK_OK(as_area_resize(b, PAGE_SIZE));
	UT_CHECK_OK(as_area_query(b, &info));
	UT_CHECK_EQ(info.size, PAGE_SIZE);
	UT_CHECK_EQ(info.resident, 1);
	UT_CHECK(mem_all(b, PAGE_SIZE, 0x33));
	UT_CHECK_ERR(as_area_query(b + PAGE_SIZE, &info), ENOENT);
	/* The space that was cut off is free again. */
	uintptr_t n;
	UT_CHECK_OK(as_area_create(b + PAGE_SIZE, PAGE_SIZE, RW | AS_AREA_FIXED, &n));
	UT_CHECK(mem_all(n, PAGE_SIZE, 0)); /* not the old frame's contents */
	UT_CHECK_OK(as_area_destroy(n));
	UT_CHECK_OK(as_area_destroy(b));
}

UTEST(area_resize_shrink_then_touch_kills)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run("child:shrink-touch", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK_EQ(info.fault_addr, CHILD_FIXED_ADDR + 2 * PAGE_SIZE + 8);
	UT_CHECK_EQ(info.fault_access, FAULT_ACCESS_WRITE);
	UT_CHECK_EQ(info.fault_in_area, 0);
}

UTEST(area_unmap_middle)
{
	uintptr_t b;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 5 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	for (int i = 0; i < 5; i++)
		memset((void *) (b + i * PAGE_SIZE), 0x40 + i, PAGE_SIZE);
	UT_CHECK_OK(as_area_unmap(b + 2 * PAGE_SIZE, PAGE_SIZE));
	UT_CHECK(area_is(b + PAGE_SIZE, b, 2 * PAGE_SIZE, RW));
	UT_CHECK(area_is(b + 4 * PAGE_SIZE, b + 3 * PAGE_SIZE, 2 * PAGE_SIZE, RW));
	as_area_info_t info;
	UT_CHECK_ERR(as_area_query(b + 2 * PAGE_SIZE, &info), ENOENT);
	for (int i = 0; i < 5; i++) {
		if (i != 2)
			UT_CHECK(mem_all(b + i * PAGE_SIZE, PAGE_SIZE, 0x40 + i));
	}
	/* Both halves are areas of their own now. */
	UT_CHECK_OK(as_area_destroy(b));
	UT_CHECK(area_is(b + 3 * PAGE_SIZE, b + 3 * PAGE_SIZE, 2 * PAGE_SIZE, RW));
	UT_CHECK_OK(as_area_destroy(b + 3 * PAGE_SIZE));
}

UTEST(area_unmap_edges_and_across)
{
	uintptr_t b, c;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 4 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	UT_ASSERT_OK(as_area_create(b + 4 * PAGE_SIZE, 4 * PAGE_SIZE, RW | AS_AREA_FIXED, &c));
	memset((void *) b, 0x77, 8 * PAGE_SIZE);
	UT_CHECK_OK(as_area_unmap(b, PAGE_SIZE)); /* the first page */
	UT_CHECK(area_is(b + PAGE_SIZE, b + PAGE_SIZE, 3 * PAGE_SIZE, RW));
	UT_CHECK_OK(as_area_unmap(c + 3 * PAGE_SIZE, PAGE_SIZE)); /* the last page */
	UT_CHECK(area_is(c, c, 3 * PAGE_SIZE, RW));
	/* A range over the end of one area and the start of the next. */
	UT_CHECK_OK(as_area_unmap(b + 3 * PAGE_SIZE, 2 * PAGE_SIZE));
	UT_CHECK(area_is(b + PAGE_SIZE, b + PAGE_SIZE, 2 * PAGE_SIZE, RW));
	UT_CHECK(area_is(c + PAGE_SIZE, c + PAGE_SIZE, 2 * PAGE_SIZE, RW));
	UT_CHECK(mem_all(b + PAGE_SIZE, 2 * PAGE_SIZE, 0x77));
	UT_CHECK(mem_all(c + PAGE_SIZE, 2 * PAGE_SIZE, 0x77));
	/* A whole area. */
	UT_CHECK_OK(as_area_unmap(c + PAGE_SIZE, 2 * PAGE_SIZE));
	as_area_info_t info;
	UT_CHECK_ERR(as_area_query(c + PAGE_SIZE, &info), ENOENT);
	UT_CHECK_OK(as_area_destroy(b + PAGE_SIZE));
}

UTEST(area_protect_read_only)
{
	uintptr_t b;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 3 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	memset((void *) b, 0x66, 3 * PAGE_SIZE);
	UT_CHECK_OK(as_area_protect(b + PAGE_SIZE, PAGE_SIZE, AS_AREA_READ));
	UT_CHECK(area_is(b, b, PAGE_SIZE, RW));
	UT_CHECK(area_is(b + PAGE_SIZE, b + PAGE_SIZE, PAGE_SIZE, AS_AREA_READ));
	UT_CHECK(area_is(b + 2 * PAGE_SIZE, b + 2 * PAGE_SIZE, PAGE_SIZE, RW));
	UT_CHECK(mem_all(b, 3 * PAGE_SIZE, 0x66));
	/* The kernel must not write there for us either. */
	UT_CHECK_ERR(uptime_ns((uint64_t *) (b + PAGE_SIZE)), EFAULT);
	UT_CHECK_ERR(as_area_protect(b, 3 * PAGE_SIZE, RW | AS_AREA_EXEC), EPERM);
	UT_CHECK_OK(as_area_protect(b + PAGE_SIZE, PAGE_SIZE, RW));
	*(volatile char *) (b + PAGE_SIZE) = 1;
	UT_CHECK_EQ(*(volatile char *) (b + PAGE_SIZE), 1);
	area_destroy_range(b, 3 * PAGE_SIZE);
}

UTEST(area_protect_write_kills)
{
	task_exit_info_t info;
	UT_ASSERT_OK(child_run("child:write-protected", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK_EQ(info.fault_addr, CHILD_FIXED_ADDR + PAGE_SIZE + 16);
	UT_CHECK_EQ(info.fault_access, FAULT_ACCESS_WRITE);
	UT_CHECK_EQ(info.fault_in_area, 1);
}

/* Write code into a RW area, make it R-X, run it (the W^X way to JIT). */
UTEST(area_protect_exec_runs)
{
	static const unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 }; /* mov eax,42; ret */
	uintptr_t b;
	UT_ASSERT_OK(as_area_create(0, PAGE_SIZE, RW, &b));
	memcpy((void *) b, code, sizeof(code));
	UT_CHECK_OK(as_area_protect(b, PAGE_SIZE, AS_AREA_READ | AS_AREA_EXEC));
	int (*fn)(void) = (int (*)(void)) b;
	UT_CHECK_EQ(fn(), 42);
	UT_CHECK_OK(as_area_destroy(b));
}

UTEST(area_list)
{
	as_area_info_t list[64];
	size_t count = 0;
	uintptr_t b;
	UT_ASSERT_OK(as_area_list(list, 64, &count));
	size_t before = count;
	UT_ASSERT(count >= 4 && count <= 64);
	/* Address order, no overlap, our text at 0x400000, R-X. */
	for (size_t i = 1; i < count; i++)
		UT_CHECK(list[i - 1].base + list[i - 1].size <= list[i].base);
	as_area_info_t text;
	UT_CHECK_OK(as_area_query(0x400000, &text));
	UT_CHECK_EQ(text.base, 0x400000);
	UT_CHECK_EQ(text.flags & (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC),
	    AS_AREA_READ | AS_AREA_EXEC);
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, 2 * PAGE_SIZE, RW | AS_AREA_FIXED, &b));
	UT_CHECK_OK(as_area_list(list, 64, &count));
	UT_CHECK_EQ(count, before + 1);
	bool found = false;
	for (size_t i = 0; i < count && i < 64; i++)
		found |= list[i].base == b && list[i].size == 2 * PAGE_SIZE && list[i].flags == RW;
	UT_CHECK(found);
	/* max smaller than the count: exactly max entries written. */
	memset(list, 0xee, sizeof(list));
	UT_CHECK_OK(as_area_list(list, 2, &count));
	UT_CHECK_EQ(count, before + 1);
	UT_CHECK(mem_all((uintptr_t) &list[2], sizeof(list[2]), 0xee));
	UT_CHECK_OK(as_area_destroy(b));
}

UTEST(area_many)
{
	enum { N = 100 };
	static uintptr_t bases[N];
	as_area_info_t one;
	size_t count0, count;
	UT_ASSERT_OK(as_area_list(&one, 0, &count0));
	for (int i = 0; i < N; i++) {
		UT_ASSERT_OK(as_area_create(0, (size_t) (i % 3 + 1) * PAGE_SIZE, RW, &bases[i]));
		*(volatile int *) bases[i] = i;
	}
	UT_CHECK_OK(as_area_list(&one, 0, &count));
	UT_CHECK_EQ(count, count0 + N);
	for (int i = 0; i < N; i++) {
		UT_CHECK_EQ(*(volatile int *) bases[i], i);
		UT_CHECK_OK(as_area_destroy(bases[i]));
	}
	UT_CHECK_OK(as_area_list(&one, 0, &count));
	UT_CHECK_EQ(count, count0);
}
