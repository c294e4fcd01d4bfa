/*
 * <sys/mman.h> on anonymous memory (libc's mman.c, the anon pager's
 * ANON_DISCARD; docs/memory.md):
 *
 *  - every combination of MAP_SHARED/MAP_PRIVATE, the rights and the
 *    placements (anywhere, a hint, MAP_FIXED, MAP_FIXED_NOREPLACE) makes
 *    an area of exactly those rights that reads zeros and keeps what is
 *    written; lengths are rounded up to pages;
 *  - every error: its errno, MAP_FAILED or -1, and the task's area list
 *    and the pager's object count exactly as before;
 *  - MAP_FIXED replaces what was there (the pages around keep their data,
 *    a private mapping's replaced pages go back to the pager);
 *  - munmap of a middle part: both sides keep their data, the hole is
 *    unmapped, the memory goes back; munmap over gaps and several
 *    mappings;
 *  - mprotect: read-only and back (the write faults to the pager and
 *    keeps the data), PROT_NONE, a split in the middle, and a store to a
 *    read-only mapping in a child ends it with a write fault;
 *  - MADV_DONTNEED: a private mapping reads zeros there (and its memory
 *    goes back), a shared one keeps its data; the hints change nothing;
 *  - msync's flags on anonymous memory;
 *  - "shared" means shared with the tasks the area is handed to by IPC
 *    share: both see each other's stores; munmap of a part of a shared
 *    mapping leaves that part to the other task, of a private one drops
 *    it for both;
 *  - four threads mapping, cutting and unmapping at once.
 * The harness checks around every test that no frame leaked.
 */
#include "tester.h"
#include <anon.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <thread.h>
#include <utest.h>

#define PS PAGE_SIZE
/* Where these tests (and the child) put fixed mappings. */
#define MM_FIXED (TEST_FIXED_ADDR + 0x10000000UL)
#define MM_PAGES 8
#define SNAP_MAX 512

static uint64_t *mm_word(uintptr_t base, size_t page, size_t word)
{
	return (uint64_t *) (base + page * PS + word * 8);
}

static uint64_t mm_pattern(uintptr_t base, size_t page)
{
	return 0x6d6d617000000000ULL ^ (base + page * PS);
}

/* Write the pattern into the first and last word of pages [from, to). */
static void mm_fill(uintptr_t base, size_t from, size_t to)
{
	for (size_t p = from; p < to; p++) {
		*mm_word(base, p, 0) = mm_pattern(base, p);
		*mm_word(base, p, PS / 8 - 1) = ~mm_pattern(base, p);
	}
}

/* Pages [from, to) hold the pattern of mm_fill (the same base). */
static bool mm_holds(uintptr_t base, size_t from, size_t to)
{
	for (size_t p = from; p < to; p++) {
		if (!UT_CHECK_EQ(*mm_word(base, p, 0), mm_pattern(base, p)) ||
		    !UT_CHECK_EQ(*mm_word(base, p, PS / 8 - 1), ~mm_pattern(base, p)))
			return false;
	}
	return true;
}

/* Pages [from, to) read as zeros (two words each). */
static bool mm_zero(uintptr_t base, size_t from, size_t to)
{
	for (size_t p = from; p < to; p++) {
		if (!UT_CHECK_EQ(*mm_word(base, p, 0), 0) ||
		    !UT_CHECK_EQ(*mm_word(base, p, PS / 8 - 1), 0))
			return false;
	}
	return true;
}

static uintptr_t mm_map(size_t pages, int prot, int flags)
{
	void *p = mmap(NULL, pages * PS, prot, flags | MAP_ANONYMOUS, -1, 0);
	if (!UT_CHECK(p != MAP_FAILED)) {
		utest_note("mmap: %s", str_error_name(errno));
		return 0;
	}
	return (uintptr_t) p;
}

/* The area at @a addr has exactly [base, base + pages) and @a rights. */
static bool mm_area_is(uintptr_t addr, uintptr_t base, size_t pages, unsigned rights)
{
	as_area_info_t info;
	return UT_CHECK_OK(as_area_query(addr, &info)) && UT_CHECK_EQ(info.base, base) &&
	    UT_CHECK_EQ(info.size, pages * PS) && UT_CHECK_EQ(info.flags, rights) &&
	    UT_CHECK_EQ(info.backend, AS_BACKEND_PAGER);
}

static bool mm_unmapped(uintptr_t addr)
{
	as_area_info_t info;
	return UT_CHECK_ERR(as_area_query(addr, &info), ENOENT);
}

static uint64_t mm_resident(void)
{
	anon_stats_t st = { 0 };
	UT_CHECK_OK(anon_stats_get(anon_phone(), &st));
	return st.resident;
}

static uint64_t mm_objects(void)
{
	anon_stats_t st = { 0 };
	UT_CHECK_OK(anon_stats_get(anon_phone(), &st));
	return st.objects;
}

/* ---- every combination that must work ---- */

static const struct {
	int prot;
	unsigned rights;
} mm_prots[] = {
	{ PROT_NONE, 0 },
	{ PROT_READ, AS_AREA_READ },
	{ PROT_READ | PROT_WRITE, RW },
	{ PROT_WRITE, RW },
	{ PROT_EXEC, AS_AREA_READ | AS_AREA_EXEC },
	{ PROT_READ | PROT_EXEC, AS_AREA_READ | AS_AREA_EXEC },
};

/* A mapping made: its area, zeros where readable, stores kept where
 * writable; then unmapped. */
static void mm_combination_check(uintptr_t b, size_t pages, int prot, unsigned rights)
{
	mm_area_is(b, b, pages, rights);
	if (prot & (PROT_READ | PROT_EXEC))
		mm_zero(b, 0, pages);
	if (prot & PROT_WRITE) {
		mm_fill(b, 0, pages);
		mm_holds(b, 0, pages);
	}
	UT_CHECK_EQ(munmap((void *) b, pages * PS), 0);
	mm_unmapped(b);
}

/* How the mapping is placed: anywhere, a hint (not page aligned: taken as
 * a hint all the same), MAP_FIXED, MAP_FIXED_NOREPLACE. */
static void *mm_place(int how, size_t len, int prot, int flags)
{
	static const int fixed[] = { 0, 0, MAP_FIXED, MAP_FIXED_NOREPLACE };
	void *addr = how == 0 ? NULL : how == 1 ? (void *) (MM_FIXED + 123) : (void *) MM_FIXED;
	return mmap(addr, len, prot, flags | fixed[how] | MAP_ANONYMOUS, -1, 0);
}

UTEST(mman_anon_combinations)
{
	static const int types[] = { MAP_PRIVATE, MAP_SHARED };
	UT_ASSERT(pager_ready());
	uint64_t objects = mm_objects();
	for (size_t t = 0; t < 2; t++) {
		for (size_t r = 0; r < sizeof(mm_prots) / sizeof(mm_prots[0]); r++) {
			for (int how = 0; how < 4; how++) {
				/* 3 pages and a bit: four pages */
				void *p = mm_place(how, 3 * PS + 1, mm_prots[r].prot, types[t]);
				if (!UT_CHECK(p != MAP_FAILED)) {
					utest_note("type %d prot %d placement %d: %s", types[t],
					    mm_prots[r].prot, how, str_error_name(errno));
					continue;
				}
				if (how >= 2)
					UT_CHECK_EQ((uintptr_t) p, MM_FIXED);
				if (how == 1) /* a hint is a lower bound where it fits */
					UT_CHECK((uintptr_t) p >= MM_FIXED + PS);
				mm_combination_check(
				    (uintptr_t) p, 4, mm_prots[r].prot, mm_prots[r].rights);
			}
		}
	}
	/* MAP_ANON is MAP_ANONYMOUS; one byte is one page */
	void *p = mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
	if (UT_CHECK(p != MAP_FAILED))
		mm_combination_check((uintptr_t) p, 1, PROT_READ | PROT_WRITE, RW);
	UT_CHECK(anon_objects_settle(objects) <= objects);
}

/* ---- errors change nothing ---- */

static as_area_info_t snap_before[SNAP_MAX], snap_after[SNAP_MAX];
static size_t snap_n;
static uint64_t snap_objects;

static size_t mm_snapshot(as_area_info_t *out)
{
	size_t n = 0;
	UT_CHECK_OK(as_area_list(out, SNAP_MAX, &n));
	UT_CHECK(n <= SNAP_MAX);
	return n < SNAP_MAX ? n : SNAP_MAX;
}

static void mm_snap_begin(void)
{
	snap_n = mm_snapshot(snap_before);
	snap_objects = mm_objects();
}

/* The areas (bases, sizes, rights, backends) and the pager's objects are
 * as at mm_snap_begin(). */
static bool mm_snap_same(const char *what)
{
	size_t n = mm_snapshot(snap_after);
	bool same = n == snap_n;
	for (size_t i = 0; same && i < n; i++) {
		same = snap_before[i].base == snap_after[i].base &&
		    snap_before[i].size == snap_after[i].size &&
		    snap_before[i].flags == snap_after[i].flags &&
		    snap_before[i].backend == snap_after[i].backend;
	}
	if (!same)
		return utest_fail(
		    __FILE__, __LINE__, "%s changed the areas (%zu -> %zu)", what, snap_n, n);
	uint64_t objects = anon_objects_settle(snap_objects);
	if (objects > snap_objects)
		return utest_fail(__FILE__, __LINE__, "%s left %llu anon objects (were %llu)", what,
		    (unsigned long long) objects, (unsigned long long) snap_objects);
	return true;
}

typedef struct mm_bad_map {
	const char *what;
	uintptr_t addr;
	size_t len;
	int prot, flags, fd;
	off_t off;
	errno_t err;
} mm_bad_map_t;

#define RWP (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static const mm_bad_map_t mm_bad_maps[] = {
	{ "length 0", 0, 0, RWP, PA, -1, 0, EINVAL },
	{ "neither shared nor private", 0, PS, RWP, MAP_ANONYMOUS, -1, 0, EINVAL },
	{ "shared and private", 0, PS, RWP, PA | MAP_SHARED, -1, 0, EINVAL },
	{ "an unknown flag", 0, PS, RWP, PA | 0x40000000, -1, 0, EINVAL },
	{ "an unknown right", 0, PS, RWP | 0x8, PA, -1, 0, EINVAL },
	{ "write and execute", 0, PS, PROT_WRITE | PROT_EXEC, PA, -1, 0, ENOTSUP },
	{ "fixed, not aligned", MM_FIXED + 8, PS, RWP, PA | MAP_FIXED, -1, 0, EINVAL },
	{ "noreplace, not aligned", MM_FIXED + 8, PS, RWP, PA | MAP_FIXED_NOREPLACE, -1, 0,
	    EINVAL },
	{ "offset not aligned", 0, PS, RWP, PA, -1, 100, EINVAL },
	{ "negative offset", 0, PS, RWP, PA, -1, -(off_t) PS, EINVAL },
	{ "anonymous with a descriptor", 0, PS, RWP, PA, 0, 0, EINVAL },
	{ "no descriptor", 0, PS, RWP, MAP_PRIVATE, -1, 0, EBADF },
	{ "a descriptor not open", 0, PS, RWP, MAP_SHARED, 99, 0, EBADF },
	{ "a file (the console)", 0, PS, PROT_READ, MAP_SHARED, 1, 0, ENOTSUP },
	{ "length 2^64 - 1", 0, SIZE_MAX, RWP, PA, -1, 0, ENOMEM },
	{ "length past the user half", 0, AS_USER_TOP, RWP, PA, -1, 0, ENOMEM },
	{ "more than the task may have", 0, 1UL << 46, PROT_NONE, PA, -1, 0, ENOMEM },
	{ "fixed at 0", 0, PS, RWP, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ "fixed below the floor", AS_USER_FLOOR - PS, 2 * PS, RWP, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ "fixed across the top", AS_USER_TOP - PS, 2 * PS, RWP, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ "fixed in the kernel half", ADDR_KERNEL, PS, RWP, PA | MAP_FIXED, -1, 0, ENOMEM },
	{ "noreplace over a mapping", MM_FIXED, 2 * PS, RWP, PA | MAP_FIXED_NOREPLACE, -1, 0,
	    EEXIST },
};

static void mm_bad_map_check(const mm_bad_map_t *c)
{
	mm_snap_begin();
	errno = EOK;
	void *p = mmap((void *) c->addr, c->len, c->prot, c->flags, c->fd, c->off);
	if (!UT_CHECK(p == MAP_FAILED)) {
		utest_note("mmap (%s) made %p", c->what, p);
		munmap(p, c->len);
		return;
	}
	if (!UT_CHECK_ERR(errno, c->err))
		utest_note("mmap: %s", c->what);
	mm_snap_same(c->what);
}

UTEST(mman_map_errors)
{
	UT_ASSERT(pager_ready());
	/* a mapping at MM_FIXED for the noreplace case (and the table warm) */
	void *held = mmap((void *) MM_FIXED, PS, RWP, PA | MAP_FIXED, -1, 0);
	UT_ASSERT(held != MAP_FAILED);
	mm_fill((uintptr_t) held, 0, 1);
	for (size_t i = 0; i < sizeof(mm_bad_maps) / sizeof(mm_bad_maps[0]); i++)
		mm_bad_map_check(&mm_bad_maps[i]);
	mm_holds((uintptr_t) held, 0, 1);
	UT_CHECK_EQ(munmap(held, PS), 0);
}

/* A call that must fail with @a err (and -1), changing nothing. */
#define MM_BAD_CALL(call, err)                   \
	do {                                     \
		mm_snap_begin();                 \
		errno = EOK;                     \
		UT_CHECK_EQ((call), -1);         \
		if (!UT_CHECK_ERR(errno, err))   \
			utest_note("%s", #call); \
		mm_snap_same(#call);             \
	} while (0)

UTEST(mman_call_errors)
{
	UT_ASSERT(pager_ready());
	uintptr_t b = mm_map(4, RWP, MAP_PRIVATE), heap;
	UT_ASSERT(b != 0);
	mm_fill(b, 0, 4);
	void *a = (void *) b;
	/* munmap */
	MM_BAD_CALL(munmap((void *) (b + 8), PS), EINVAL);
	MM_BAD_CALL(munmap(a, 0), EINVAL);
	MM_BAD_CALL(munmap(NULL, PS), EINVAL);
	MM_BAD_CALL(munmap(a, SIZE_MAX), EINVAL);
	MM_BAD_CALL(munmap((void *) (AS_USER_TOP - PS), 2 * PS), EINVAL);
	MM_BAD_CALL(munmap((void *) ADDR_KERNEL, PS), EINVAL);
	/* mprotect: the rights stay */
	MM_BAD_CALL(mprotect((void *) (b + 8), PS, PROT_READ), EINVAL);
	MM_BAD_CALL(mprotect(a, PS, PROT_READ | 0x10), EINVAL);
	MM_BAD_CALL(mprotect(a, PS, PROT_WRITE | PROT_EXEC), ENOTSUP);
	MM_BAD_CALL(mprotect((void *) ADDR_UNMAPPED, PS, PROT_READ), ENOMEM);
	MM_BAD_CALL(mprotect(a, 5 * PS, PROT_READ), ENOMEM); /* one page past the end */
	MM_BAD_CALL(mprotect(a, SIZE_MAX, PROT_READ), ENOMEM);
	mm_area_is(b, b, 4, RW);
	/* msync */
	MM_BAD_CALL(msync((void *) (b + 8), PS, MS_SYNC), EINVAL);
	MM_BAD_CALL(msync(a, PS, MS_SYNC | MS_ASYNC), EINVAL);
	MM_BAD_CALL(msync(a, PS, 0x100), EINVAL);
	MM_BAD_CALL(msync((void *) ADDR_UNMAPPED, PS, MS_SYNC), ENOMEM);
	MM_BAD_CALL(msync(a, 5 * PS, MS_ASYNC), ENOMEM);
	/* madvise: DONTNEED refuses memory mmap did not make, and the data
	 * stays */
	MM_BAD_CALL(madvise((void *) (b + 8), PS, MADV_DONTNEED), EINVAL);
	MM_BAD_CALL(madvise(a, PS, 99), EINVAL);
	MM_BAD_CALL(madvise(a, PS, -1), EINVAL);
	MM_BAD_CALL(madvise((void *) ADDR_UNMAPPED, PS, MADV_WILLNEED), ENOMEM);
	MM_BAD_CALL(madvise(a, 5 * PS, MADV_DONTNEED), ENOMEM);
	if (UT_CHECK_OK(as_area_create_anon(0, 2 * PS, RW, &heap))) {
		mm_fill(heap, 0, 2);
		MM_BAD_CALL(madvise((void *) heap, 2 * PS, MADV_DONTNEED), EINVAL);
		mm_holds(heap, 0, 2);
		UT_CHECK_OK(as_area_destroy(heap));
	}
	mm_holds(b, 0, 4);
	UT_CHECK_EQ(munmap(a, 4 * PS), 0);
}

/* ---- MAP_FIXED replaces ---- */

UTEST(mman_fixed_replaces)
{
	UT_ASSERT(pager_ready());
	uint64_t objects = mm_objects();
	void *p = mmap((void *) MM_FIXED, MM_PAGES * PS, RWP, PA | MAP_FIXED, -1, 0);
	UT_ASSERT(p == (void *) MM_FIXED);
	uintptr_t b = MM_FIXED;
	mm_fill(b, 0, MM_PAGES);
	uint64_t r0 = mm_resident();
	/* pages 2-4 replaced by a read-only mapping of zeros */
	p = mmap((void *) (b + 2 * PS), 3 * PS, PROT_READ, PA | MAP_FIXED, -1, 0);
	UT_CHECK(p == (void *) (b + 2 * PS));
	mm_zero(b, 2, 5);
	mm_holds(b, 0, 2);
	mm_holds(b, 5, MM_PAGES);
	mm_area_is(b, b, 2, RW);
	mm_area_is(b + 2 * PS, b + 2 * PS, 3, AS_AREA_READ);
	mm_area_is(b + 5 * PS, b + 5 * PS, 3, RW);
	/* the replaced private pages went back to the pager */
	uint64_t r1 = mm_resident();
	UT_CHECK(r1 + 3 <= r0);
	utest_note("pager's resident pages: %llu, after the replacement %llu",
	    (unsigned long long) r0, (unsigned long long) r1);
	/* one replacement across all three and a gap after them */
	p = mmap((void *) (b + PS), (MM_PAGES + 2) * PS, RWP, PA | MAP_FIXED, -1, 0);
	UT_CHECK(p == (void *) (b + PS));
	mm_holds(b, 0, 1);
	mm_zero(b, 1, MM_PAGES + 3);
	mm_area_is(b + PS, b + PS, MM_PAGES + 2, RW);
	UT_CHECK_EQ(munmap((void *) b, (MM_PAGES + 3) * PS), 0);
	mm_unmapped(b);
	mm_unmapped(b + MM_PAGES * PS);
	UT_CHECK(anon_objects_settle(objects) <= objects);
}

/* ---- munmap ---- */

UTEST(mman_munmap_middle)
{
	UT_ASSERT(pager_ready());
	uint64_t objects = mm_objects();
	uintptr_t b = mm_map(MM_PAGES, RWP, MAP_PRIVATE);
	UT_ASSERT(b != 0);
	mm_fill(b, 0, MM_PAGES);
	uint64_t r0 = mm_resident();
	UT_ASSERT_EQ(munmap((void *) (b + 3 * PS), 2 * PS), 0);
	mm_holds(b, 0, 3);
	mm_holds(b, 5, MM_PAGES);
	mm_area_is(b, b, 3, RW);
	mm_area_is(b + 5 * PS, b + 5 * PS, 3, RW);
	mm_unmapped(b + 3 * PS);
	mm_unmapped(b + 4 * PS);
	UT_CHECK(mm_resident() + 2 <= r0); /* the hole's memory went back */
	/* the sides still work as one mapping: written, advised, protected */
	mm_fill(b, 0, 1);
	UT_CHECK_EQ(madvise((void *) b, PS, MADV_DONTNEED), 0);
	mm_zero(b, 0, 1);
	mm_holds(b, 1, 3);
	/* unmapping what is not mapped is no error; one call over a side, the
	 * hole and part of the other side */
	UT_CHECK_EQ(munmap((void *) (b + 3 * PS), 2 * PS), 0);
	UT_CHECK_EQ(munmap((void *) (b + 2 * PS), 4 * PS), 0);
	mm_holds(b, 1, 2);
	mm_holds(b, 6, MM_PAGES);
	mm_area_is(b, b, 2, RW);
	mm_area_is(b + 6 * PS, b + 6 * PS, 2, RW);
	UT_CHECK_EQ(munmap((void *) b, MM_PAGES * PS), 0);
	mm_unmapped(b);
	mm_unmapped(b + 7 * PS);
	UT_CHECK(anon_objects_settle(objects) <= objects);
}

/* ---- mprotect ---- */

UTEST(mman_mprotect)
{
	UT_ASSERT(pager_ready());
	uintptr_t b = mm_map(MM_PAGES, RWP, MAP_PRIVATE);
	UT_ASSERT(b != 0);
	mm_fill(b, 0, MM_PAGES);
	/* read-only and back: the next store faults to the pager, which
	 * grants write again; the data stays */
	UT_CHECK_EQ(mprotect((void *) b, MM_PAGES * PS, PROT_READ), 0);
	mm_area_is(b, b, MM_PAGES, AS_AREA_READ);
	mm_holds(b, 0, MM_PAGES);
	UT_CHECK_EQ(mprotect((void *) b, MM_PAGES * PS, RWP), 0);
	mm_holds(b, 0, MM_PAGES);
	*mm_word(b, 3, 1) = 0x77;
	UT_CHECK_EQ(*mm_word(b, 3, 1), 0x77);
	/* the middle to PROT_NONE: three areas; back to read-only, data */
	UT_CHECK_EQ(mprotect((void *) (b + 2 * PS), 3 * PS, PROT_NONE), 0);
	mm_area_is(b, b, 2, RW);
	mm_area_is(b + 2 * PS, b + 2 * PS, 3, 0);
	mm_area_is(b + 5 * PS, b + 5 * PS, 3, RW);
	UT_CHECK_EQ(mprotect((void *) (b + 2 * PS), 3 * PS, PROT_READ), 0);
	mm_holds(b, 0, MM_PAGES);
	UT_CHECK_EQ(*mm_word(b, 3, 1), 0x77);
	/* length 0 changes nothing; a length is rounded up to a page */
	UT_CHECK_EQ(mprotect((void *) b, 0, PROT_NONE), 0);
	UT_CHECK_EQ(mprotect((void *) b, 1, PROT_READ), 0);
	mm_area_is(b, b, 1, AS_AREA_READ);
	mm_area_is(b + PS, b + PS, 1, RW);
	/* MADV_DONTNEED over the pieces of different rights */
	UT_CHECK_EQ(madvise((void *) b, MM_PAGES * PS, MADV_DONTNEED), 0);
	mm_zero(b, 0, MM_PAGES);
	UT_CHECK_EQ(munmap((void *) b, MM_PAGES * PS), 0);
	mm_unmapped(b);
}

/* The child: a mapping at MM_FIXED made read-only; the store faults. */
int child_mman_protect(int argc, char **argv)
{
	(void) argc, (void) argv;
	void *p = mmap((void *) MM_FIXED, 2 * PS, RWP, PA | MAP_FIXED, -1, 0);
	if (p != (void *) MM_FIXED)
		return 1;
	*(volatile uint64_t *) (MM_FIXED + PS + 16) = 5;
	if (mprotect(p, 2 * PS, PROT_READ) != 0)
		return 2;
	if (*(volatile uint64_t *) (MM_FIXED + PS + 16) != 5)
		return 3;
	*(volatile uint64_t *) (MM_FIXED + PS + 16) = 6;
	return 4;
}

UTEST(mman_mprotect_store_faults)
{
	task_exit_info_t info;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(child_run("child:mman-protect", &info));
	utest_note("child:mman-protect: %s", info.message);
	if (!UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT))
		utest_note("the child exited %d", info.status);
	UT_CHECK_EQ(info.fault_addr, MM_FIXED + PS + 16);
	UT_CHECK_EQ(info.fault_access, FAULT_ACCESS_WRITE);
	UT_CHECK_EQ(info.fault_in_area, 1);
	UT_CHECK(strstr(info.message, "(write, in an area)") != NULL);
}

/* ---- madvise, msync ---- */

UTEST(mman_dontneed_zeros)
{
	static const int hints[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED };
	UT_ASSERT(pager_ready());
	const size_t n = 64;
	uintptr_t b = mm_map(n, RWP, MAP_PRIVATE), s = mm_map(4, RWP, MAP_SHARED);
	UT_ASSERT(b != 0 && s != 0);
	mm_fill(b, 0, n);
	mm_fill(s, 0, 4);
	/* hints change nothing */
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		UT_CHECK_EQ(madvise((void *) b, n * PS, hints[i]), 0);
		UT_CHECK_EQ(madvise((void *) s, 4 * PS, hints[i]), 0);
	}
	mm_holds(b, 0, n);
	/* two whole chunks of the pager (pages 16-47) and a lone page */
	uint64_t r0 = mm_resident();
	UT_CHECK_EQ(madvise((void *) (b + 16 * PS), 32 * PS, MADV_DONTNEED), 0);
	UT_CHECK_EQ(madvise((void *) (b + 5 * PS), 1, MADV_DONTNEED), 0);
	uint64_t r1 = mm_resident();
	utest_note("pager's resident pages: %llu before MADV_DONTNEED, %llu after",
	    (unsigned long long) r0, (unsigned long long) r1);
	UT_CHECK(r1 + 33 <= r0);
	mm_holds(b, 0, 5);
	mm_zero(b, 5, 6);
	mm_holds(b, 6, 16);
	mm_zero(b, 16, 48);
	mm_holds(b, 48, n);
	/* written again, it keeps the new data */
	mm_fill(b, 16, 48);
	mm_holds(b, 0, 5);
	mm_holds(b, 16, 48);
	/* a shared mapping keeps its data; length 0 is nothing */
	UT_CHECK_EQ(madvise((void *) s, 4 * PS, MADV_DONTNEED), 0);
	mm_holds(s, 0, 4);
	UT_CHECK_EQ(madvise((void *) b, 0, MADV_DONTNEED), 0);
	UT_CHECK_EQ(munmap((void *) b, n * PS), 0);
	UT_CHECK_EQ(munmap((void *) s, 4 * PS), 0);
}

UTEST(mman_msync_anon)
{
	static const int flags[] = { 0, MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE,
		MS_SYNC | MS_INVALIDATE };
	UT_ASSERT(pager_ready());
	uintptr_t b = mm_map(4, RWP, MAP_SHARED), heap;
	UT_ASSERT(b != 0);
	mm_fill(b, 0, 4);
	UT_ASSERT_OK(as_area_create_anon(0, PS, RW, &heap));
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		UT_CHECK_EQ(msync((void *) b, 4 * PS, flags[i]), 0);
		UT_CHECK_EQ(msync((void *) (b + PS), 1, flags[i]), 0);
		UT_CHECK_EQ(msync((void *) heap, PS, flags[i]), 0); /* not mmap's: anonymous */
	}
	UT_CHECK_EQ(msync((void *) b, 0, MS_SYNC), 0);
	mm_holds(b, 0, 4);
	UT_CHECK_OK(as_area_destroy(heap));
	UT_CHECK_EQ(munmap((void *) b, 4 * PS), 0);
}

/* ---- shared: with the tasks the area is handed to ---- */

static uint64_t mm_server_read(const test_server_t *s, size_t off)
{
	ipc_msg_t ans;
	if (!UT_CHECK_OK(ipc_request(s->phone, TS_MEM_READ, TS_MEM_SHARED_OUT, off, 0, 0, 0, &ans)))
		return ~0ULL;
	return ans.arg[0];
}

static void mm_server_write(const test_server_t *s, size_t off, uint64_t v)
{
	UT_CHECK_OK(ipc_request(s->phone, TS_MEM_WRITE, TS_MEM_SHARED_OUT, off, v, 0, 0, NULL));
}

/* Hand a mapping of @a type to a server; both see each other's stores;
 * then unmap page 1 of ours: returns what the server reads there. */
static uint64_t mm_share_check(const test_server_t *s, int type)
{
	uintptr_t b = mm_map(4, RWP, type);
	if (b == 0)
		return ~0ULL;
	*mm_word(b, 0, 0) = 0x1111;
	*mm_word(b, 1, 0) = 0x2222;
	uint64_t seen = ~0ULL;
	if (UT_CHECK_OK(ipc_share_out(s->phone, b, RW))) {
		UT_CHECK_EQ(mm_server_read(s, 0), 0x1111);
		mm_server_write(s, 2 * PS, 0x3333); /* a page we never touched */
		UT_CHECK_EQ(*mm_word(b, 2, 0), 0x3333);
		*mm_word(b, 3, 0) = 0x4444;
		UT_CHECK_EQ(mm_server_read(s, 3 * PS), 0x4444);
		UT_CHECK_EQ(munmap((void *) (b + PS), PS), 0);
		seen = mm_server_read(s, PS);
		UT_CHECK_EQ(mm_server_read(s, 0), 0x1111); /* the rest is as it was */
		UT_CHECK_EQ(*mm_word(b, 2, 0), 0x3333);
	}
	UT_CHECK_EQ(munmap((void *) b, 4 * PS), 0);
	/* the server's area keeps the object */
	UT_CHECK_EQ(mm_server_read(s, 3 * PS), 0x4444);
	return seen;
}

UTEST(mman_shared_with_ipc)
{
	test_server_t s;
	UT_ASSERT(pager_ready());
	uint64_t objects = mm_objects();
	UT_ASSERT_OK(test_server_start(&s));
	/* shared: the part we unmap stays the server's */
	UT_CHECK_EQ(mm_share_check(&s, MAP_SHARED), 0x2222);
	/* private, handed over all the same: the same pages, but the part we
	 * unmap is gone for both (it reads zeros there) */
	UT_CHECK_EQ(mm_share_check(&s, MAP_PRIVATE), 0);
	test_server_stop(&s, TS_QUIT, NULL);
	UT_CHECK(anon_objects_settle(objects) <= objects);
}

/* ---- threads ---- */

#define MM_THREADS 4
#define MM_ROUNDS 100

static uint64_t mm_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Map, fill, cut a random part out (munmap, MAP_FIXED or DONTNEED),
 * check, unmap: 0, or the round that went wrong. */
static int mm_thread(void *arg)
{
	uint64_t seed = (uintptr_t) arg * 0x9e3779b97f4a7c15ULL + 1;
	for (int round = 1; round <= MM_ROUNDS; round++) {
		size_t n = 2 + mm_rand(&seed) % 10, cut = 1 + mm_rand(&seed) % (n - 1);
		int how = (int) (mm_rand(&seed) % 3);
		void *p = mmap(NULL, n * PS, RWP, PA, -1, 0);
		if (p == MAP_FAILED)
			return round;
		uintptr_t b = (uintptr_t) p, c = b + cut * PS;
		for (size_t i = 0; i < n; i++)
			*mm_word(b, i, 0) = mm_pattern(b, i);
		if (how == 0 && munmap((void *) c, PS) != 0)
			return round;
		if (how == 1 && mmap((void *) c, PS, RWP, PA | MAP_FIXED, -1, 0) != (void *) c)
			return round;
		if (how == 2 && madvise((void *) c, PS, MADV_DONTNEED) != 0)
			return round;
		for (size_t i = 0; i < n; i++) {
			if (i != cut && *mm_word(b, i, 0) != mm_pattern(b, i))
				return round;
		}
		if (how != 0 && *mm_word(b, cut, 0) != 0)
			return round;
		if (munmap(p, n * PS) != 0)
			return round;
	}
	return 0;
}

UTEST(mman_threads)
{
	tid_t tid[MM_THREADS];
	UT_ASSERT(pager_ready());
	uint64_t objects = mm_objects();
	size_t started = 0;
	for (size_t i = 0; i < MM_THREADS; i++) {
		if (UT_CHECK_OK(thread_create(mm_thread, (void *) (uintptr_t) (i + 1), &tid[i])))
			started++;
	}
	for (size_t i = 0; i < started; i++) {
		int st = -1;
		UT_CHECK_OK(thread_join(tid[i], &st));
		if (!UT_CHECK_EQ(st, 0))
			utest_note("thread %zu failed in round %d", i, st);
	}
	UT_CHECK(anon_objects_settle(objects) <= objects);
}
