/*
 * Kernel tests of address spaces and areas (mm/as.c, mm/as_area.c).
 *
 * Every refused operation is checked to change nothing: the number of
 * areas, the resident pages, the virtual size, the free frames and the
 * live kernel allocations and B+tree nodes are compared before and after
 * (as_snap_t).  The ENOMEM tests take every free frame first and give them
 * back one at a time, retrying the operation until it succeeds; each
 * failure on the way must be a clean ENOMEM.  The runner itself fails a
 * test that leaks frames, allocations or nodes, which checks as_release().
 *
 * Pager areas (as_pager_*) are bound through a phone to a kernel-made
 * answerbox that stands in for the pager: the OBJECT_REF/UNREF notices
 * queue up there and are counted by method.  Resident pages of a pager
 * area are put in place by hand (pager_fake_in) the way the fault path
 * maps what a pager supplies, so unmap, split and protect can be checked
 * without a user-space pager.
 */
#include <abi/task.h>
#include <adt/btree_alloc.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/layout.h>
#include <ipc/ipc.h>
#include <mm/as.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/slab.h>
#include <proc/thread.h>
#include <test/ktest.h>

#define PS PAGE_SIZE
#define X 0x400000UL /* a user address for fixed areas */
#define RW (AS_AREA_READ | AS_AREA_WRITE)
#define RO (AS_AREA_READ)
#define FIX AS_AREA_FIXED
#define WIRED AS_BACKEND_WIRED

typedef struct as_snap {
	size_t areas, rss, vsize, free_frames, live, nodes;
} as_snap_t;

static void as_snap(as_t *as, as_snap_t *s)
{
	slab_reclaim();
	s->areas = as_area_count(as);
	s->rss = as_resident_pages(as);
	s->vsize = as_vsize(as);
	s->free_frames = frame_free_count();
	s->live = malloc_live_count();
	s->nodes = btree_nodes_live();
}

static bool as_snap_same(as_t *as, const as_snap_t *b, int line)
{
	as_snap_t a;

	as_snap(as, &a);
	if (a.areas == b->areas && a.rss == b->rss && a.vsize == b->vsize &&
	    a.free_frames == b->free_frames && a.live == b->live && a.nodes == b->nodes)
		return true;
	return ktest_fail(__FILE__, line,
	    "changed: areas %zu->%zu rss %zu->%zu vsize %zu->%zu free %zu->%zu live %zu->%zu "
	    "nodes %zu->%zu",
	    b->areas, a.areas, b->rss, a.rss, b->vsize, a.vsize, b->free_frames, a.free_frames,
	    b->live, a.live, b->nodes, a.nodes);
}

/* The call must fail with @a err and change nothing. */
#define KT_REFUSED(as, snap, call, err)               \
	do {                                          \
		KT_CHECK_EQ((call), (err));           \
		as_snap_same((as), (snap), __LINE__); \
	} while (0)

static bool page_mapped(as_t *as, uintptr_t va, unsigned *flags)
{
	uintptr_t pa;
	unsigned f = 0;

	if (page_mapping_find(&as->pt, va, &pa, &f) != EOK)
		return false;
	if (flags != NULL)
		*flags = f;
	return true;
}

static bool area_is(as_t *as, uintptr_t addr, uintptr_t base, size_t size, unsigned flags)
{
	as_area_info_t info;

	if (as_area_query(as, addr, &info) != EOK)
		return false;
	return info.base == base && info.size == size && info.flags == flags;
}

KTEST(as_create)
{
	as_t *as;
	uintptr_t base, pa;
	unsigned f = 0;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_CHECK_EQ(as_area_count(as), 0);
	KT_CHECK_EQ(as_area_create(as, X, 4 * PS, RW | FIX, WIRED, &base), EOK);
	KT_CHECK_EQ(base, X);
	KT_CHECK_EQ(as_area_count(as), 1);
	KT_CHECK_EQ(as_resident_pages(as), 4);
	KT_CHECK_EQ(as_vsize(as), 4 * PS);
	for (size_t i = 0; i < 4; i++) {
		KT_CHECK_EQ(page_mapping_find(&as->pt, X + i * PS, &pa, &f), EOK);
		KT_CHECK_EQ(
		    f & (PAGE_USER | PAGE_WRITE | PAGE_READ), PAGE_USER | PAGE_WRITE | PAGE_READ);
		KT_CHECK_EQ(((uint64_t *) PA2KA(pa))[i * 7], 0); /* zeroed */
	}
	KT_CHECK(!page_mapped(as, X + 4 * PS, NULL));
	KT_CHECK(area_is(as, X + 3 * PS + 5, X, 4 * PS, RW));
	as_hold(as);
	as_release(as);
	KT_CHECK(as_try_hold(as));
	KT_CHECK_EQ(as->refcount, 2);
	as_release(as);
	KT_CHECK_EQ(as_area_count(as), 1);
	as_release(as);
}

KTEST(as_create_refusals)
{
	as_t *as;
	as_snap_t s;
	uintptr_t b;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 4 * PS, RW | FIX, WIRED, NULL), EOK);
	as_snap(as, &s);
	KT_REFUSED(as, &s, as_area_create(as, X, 2 * PS, RW | FIX, WIRED, &b), EEXIST);
	KT_REFUSED(as, &s, as_area_create(as, X + 3 * PS, 2 * PS, RW | FIX, WIRED, &b), EEXIST);
	KT_REFUSED(as, &s, as_area_create(as, X - PS, 2 * PS, RW | FIX, WIRED, &b), EEXIST);
	KT_REFUSED(as, &s, as_area_create(as, X - PS, 9 * PS, RW | FIX, WIRED, &b), EEXIST);
	KT_REFUSED(as, &s, as_area_create(as, 0, PS, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(
	    as, &s, as_area_create(as, AS_USER_FLOOR - PS, 2 * PS, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(
	    as, &s, as_area_create(as, AS_USER_TOP - PS, 2 * PS, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, KERNEL_SPACE_START, PS, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS + 1, PS, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, PS + 8, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, 0, RW | FIX, WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, 0, 0, RW, WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, -PS, 2 * PS, RW | FIX, WIRED, &b), EOVERFLOW);
	KT_REFUSED(as, &s, as_area_create(as, -PS, 2 * PS, RW, WIRED, &b), EOVERFLOW);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, PS, RW | AS_AREA_EXEC, WIRED, &b), EPERM);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, PS, RW | (1u << 5), WIRED, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, PS, RW, AS_BACKEND_PHYS, &b), ENOTSUP);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, PS, RW, AS_BACKEND_PAGER, &b), ENOTSUP);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, PS, RW, 77, &b), EINVAL);
	as_vsize_limit_set(as, 8 * PS);
	KT_REFUSED(as, &s, as_area_create(as, X + 8 * PS, 5 * PS, RW | FIX, WIRED, &b), ELIMIT);
	KT_REFUSED(as, &s, as_area_create(as, 0, 5 * PS, RW, WIRED, &b), ELIMIT);
	as_vsize_limit_set(as, SIZE_MAX);
	/* No hole that large anywhere in the user half. */
	KT_REFUSED(as, &s, as_area_create(as, 0, AS_USER_TOP, RW, WIRED, &b), ENOMEM);
	as_release(as);
}

KTEST(as_placement)
{
	as_t *as;
	uintptr_t a, b, c, d, e;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_CHECK_EQ(as_area_create(as, 0, 2 * PS, RW, WIRED, &a), EOK);
	KT_CHECK_EQ(a, AS_ANYWHERE_FLOOR);
	KT_CHECK_EQ(as_area_create(as, X, 2 * PS, RW, WIRED, &b), EOK); /* hint below: ignored */
	KT_CHECK_EQ(b, AS_ANYWHERE_FLOOR + 2 * PS);
	/* Leave a hole of 3 pages, then fill it by first fit. */
	KT_CHECK_EQ(as_area_create(as, b + 5 * PS, PS, RW | FIX, WIRED, &c), EOK);
	KT_CHECK_EQ(as_area_create(as, 0, 4 * PS, RW, WIRED, &d), EOK);
	KT_CHECK_EQ(d, b + 6 * PS); /* did not fit the hole */
	KT_CHECK_EQ(as_area_create(as, 0, 3 * PS, RO, WIRED, &e), EOK);
	KT_CHECK_EQ(e, b + 2 * PS); /* fits exactly */
	/* A hint above is taken, rounded up; alignment is honoured. */
	KT_CHECK_EQ(as_area_create(as, AS_ANYWHERE_FLOOR + 0x100000 + 1, PS, RW, WIRED, &a), EOK);
	KT_CHECK_EQ(a, AS_ANYWHERE_FLOOR + 0x101000);
	KT_CHECK_EQ(as_area_create_aligned(as, a, PS, 0x10000, RW, WIRED, &b), EOK);
	KT_CHECK_EQ(b, AS_ANYWHERE_FLOOR + 0x110000);
	/* Near the top. */
	KT_CHECK_EQ(as_area_create(as, AS_USER_TOP - 2 * PS, 2 * PS, RW | FIX, WIRED, &c), EOK);
	KT_CHECK_EQ(as_area_create(as, AS_USER_TOP - 4 * PS, PS, RW, WIRED, &c), EOK);
	KT_CHECK_EQ(c, AS_USER_TOP - 4 * PS);
	/* Nothing fits at or above the hint: the first fit above the floor. */
	KT_CHECK_EQ(as_area_create(as, AS_USER_TOP - 3 * PS, 2 * PS, RW, WIRED, &c), EOK);
	KT_CHECK_EQ(c, AS_USER_FLOOR);
	KT_CHECK_EQ(as_area_count(as), 10);
	as_release(as);
}

KTEST(as_resize)
{
	as_t *as;
	as_snap_t s;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 4 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X + 8 * PS, PS, RW | FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_resize(as, X, 8 * PS), EOK);
	KT_CHECK(area_is(as, X + 7 * PS, X, 8 * PS, RW));
	KT_CHECK_EQ(as_resident_pages(as), 9);
	KT_CHECK(page_mapped(as, X + 7 * PS, NULL));
	as_snap(as, &s);
	KT_REFUSED(as, &s, as_area_resize(as, X, 9 * PS), EEXIST);
	KT_REFUSED(as, &s, as_area_resize(as, X, 0), EINVAL);
	KT_REFUSED(as, &s, as_area_resize(as, X, PS + 1), EINVAL);
	KT_REFUSED(as, &s, as_area_resize(as, X + PS, PS), ENOENT);
	KT_REFUSED(as, &s, as_area_resize(as, X + 8 * PS, -(X + 8 * PS) + PS), EOVERFLOW);
	KT_REFUSED(as, &s, as_area_resize(as, X + 8 * PS, AS_USER_TOP), EINVAL);
	as_vsize_limit_set(as, 10 * PS);
	KT_REFUSED(as, &s, as_area_resize(as, X + 8 * PS, 3 * PS), ELIMIT);
	KT_CHECK_EQ(as_area_resize(as, X + 8 * PS, 2 * PS), EOK);
	as_vsize_limit_set(as, AS_VSIZE_LIMIT_DEFAULT);
	/* Shrink: the cut pages are unmapped and their frames freed. */
	size_t free0 = frame_free_count();
	KT_CHECK_EQ(as_area_resize(as, X, 3 * PS), EOK);
	KT_CHECK_EQ(frame_free_count(), free0 + 5);
	KT_CHECK_EQ(as_resident_pages(as), 5);
	KT_CHECK(page_mapped(as, X + 2 * PS, NULL));
	KT_CHECK(!page_mapped(as, X + 3 * PS, NULL));
	KT_CHECK(!page_mapped(as, X + 7 * PS, NULL));
	KT_CHECK(area_is(as, X, X, 3 * PS, RW));
	KT_CHECK_EQ(as_area_resize(as, X, 3 * PS), EOK); /* same size */
	as_release(as);
}

KTEST(as_unmap_middle)
{
	as_t *as;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 8 * PS, RW | FIX, WIRED, NULL), EOK);
	size_t free0 = frame_free_count();
	KT_CHECK_EQ(as_area_unmap(as, X + 3 * PS, 2 * PS), EOK);
	KT_CHECK_EQ(as_area_count(as), 2);
	KT_CHECK_EQ(as_resident_pages(as), 6);
	KT_CHECK_EQ(as_vsize(as), 6 * PS);
	KT_CHECK(area_is(as, X, X, 3 * PS, RW));
	KT_CHECK(area_is(as, X + 7 * PS, X + 5 * PS, 3 * PS, RW));
	KT_CHECK_EQ(as_area_query(as, X + 4 * PS, &(as_area_info_t){ 0 }), ENOENT);
	for (size_t i = 0; i < 8; i++)
		KT_CHECK_EQ(page_mapped(as, X + i * PS, NULL), i < 3 || i >= 5);
	KT_CHECK(frame_free_count() >= free0 + 2);
	/* Front and back trims of one area, and a range over nothing. */
	KT_CHECK_EQ(as_area_unmap(as, X + 4 * PS, 2 * PS), EOK);
	KT_CHECK(area_is(as, X + 6 * PS, X + 6 * PS, 2 * PS, RW));
	KT_CHECK_EQ(as_area_unmap(as, X + 2 * PS, 2 * PS), EOK);
	KT_CHECK(area_is(as, X, X, 2 * PS, RW));
	KT_CHECK_EQ(as_area_unmap(as, X + 100 * PS, 2 * PS), EOK);
	KT_CHECK_EQ(as_area_count(as), 2);
	KT_CHECK_EQ(as_resident_pages(as), 4);
	KT_CHECK_EQ(as_area_unmap(as, 0, PS), EINVAL);
	KT_CHECK_EQ(as_area_unmap(as, X, 0), EINVAL);
	KT_CHECK_EQ(as_area_unmap(as, X + 1, PS), EINVAL);
	KT_CHECK_EQ(as_area_unmap(as, X, AS_USER_TOP), EINVAL);
	KT_CHECK_EQ(as_area_unmap(as, X, -X + PS), EOVERFLOW);
	KT_CHECK_EQ(as_area_count(as), 2);
	as_release(as);
}

/*
 * A range over three areas and the gaps between them.  (A stop test
 * inverted in the walk would end after the first area and leave the
 * others; everything must go.)
 */
KTEST(as_unmap_span)
{
	as_t *as;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 4 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X + 6 * PS, 4 * PS, RO | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X + 12 * PS, 4 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X + 20 * PS, PS, RW | FIX, WIRED, NULL), EOK);
	/* Cut into the first and last, swallow the middle one. */
	KT_CHECK_EQ(as_area_unmap(as, X + 2 * PS, 12 * PS), EOK);
	KT_CHECK_EQ(as_area_count(as), 3);
	KT_CHECK(area_is(as, X, X, 2 * PS, RW));
	KT_CHECK(area_is(as, X + 14 * PS, X + 14 * PS, 2 * PS, RW));
	KT_CHECK_EQ(as_resident_pages(as), 5);
	for (size_t i = 2; i < 14; i++)
		KT_CHECK(!page_mapped(as, X + i * PS, NULL));
	/* Now a range that covers three areas and the gaps wholly. */
	KT_CHECK_EQ(as_area_create(as, X + 6 * PS, 4 * PS, RO | FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_unmap(as, X - PS, 18 * PS), EOK);
	KT_CHECK_EQ(as_area_count(as), 1);
	KT_CHECK(area_is(as, X + 20 * PS, X + 20 * PS, PS, RW));
	KT_CHECK_EQ(as_resident_pages(as), 1);
	KT_CHECK_EQ(as_vsize(as), PS);
	for (size_t i = 0; i < 20; i++)
		KT_CHECK(!page_mapped(as, X + i * PS, NULL));
	as_release(as);
}

KTEST(as_protect_split)
{
	as_t *as;
	as_snap_t s;
	unsigned f = 0;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 8 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_protect(as, X + 2 * PS, 3 * PS, RO), EOK);
	KT_CHECK_EQ(as_area_count(as), 3);
	KT_CHECK(area_is(as, X, X, 2 * PS, RW));
	KT_CHECK(area_is(as, X + 2 * PS, X + 2 * PS, 3 * PS, RO));
	KT_CHECK(area_is(as, X + 5 * PS, X + 5 * PS, 3 * PS, RW));
	KT_CHECK_EQ(as_resident_pages(as), 8);
	for (size_t i = 0; i < 8; i++) {
		KT_CHECK(page_mapped(as, X + i * PS, &f));
		KT_CHECK(f & PAGE_USER);
		KT_CHECK_EQ(!!(f & PAGE_WRITE), i < 2 || i >= 5);
	}
	/* Over two areas: the ends split, no EXEC before, EXEC after. */
	unsigned rx = AS_AREA_READ | AS_AREA_EXEC;
	KT_CHECK_EQ(as_area_protect(as, X + PS, 2 * PS, rx), EOK);
	KT_CHECK_EQ(as_area_count(as), 5);
	KT_CHECK(area_is(as, X, X, PS, RW));
	KT_CHECK(area_is(as, X + PS, X + PS, PS, rx));
	KT_CHECK(area_is(as, X + 2 * PS, X + 2 * PS, PS, rx));
	KT_CHECK(area_is(as, X + 3 * PS, X + 3 * PS, 2 * PS, RO));
	KT_CHECK(page_mapped(as, X + 2 * PS, &f) && (f & PAGE_EXEC) && !(f & PAGE_WRITE));
	if (cpu_features.nx)
		KT_CHECK(page_mapped(as, X + 3 * PS, &f) && !(f & PAGE_EXEC));
	/* No rights: mapped for the kernel only. */
	KT_CHECK_EQ(as_area_protect(as, X + 7 * PS, PS, 0), EOK);
	KT_CHECK(page_mapped(as, X + 7 * PS, &f) && !(f & PAGE_USER));
	KT_CHECK(area_is(as, X + 5 * PS, X + 5 * PS, 2 * PS, RW));
	KT_CHECK_EQ(as_area_count(as), 6);
	as_snap(as, &s);
	KT_REFUSED(as, &s, as_area_protect(as, X + 7 * PS, 2 * PS, RO), ENOENT); /* gap */
	KT_REFUSED(as, &s, as_area_protect(as, X - PS, 2 * PS, RO), ENOENT);
	KT_REFUSED(as, &s, as_area_protect(as, X, PS, RW | AS_AREA_EXEC), EPERM);
	KT_REFUSED(as, &s, as_area_protect(as, X, PS, RW | AS_AREA_FIXED), EINVAL);
	KT_REFUSED(as, &s, as_area_protect(as, X, 0, RW), EINVAL);
	KT_REFUSED(as, &s, as_area_protect(as, X + 1, PS, RW), EINVAL);
	KT_REFUSED(as, &s, as_area_protect(as, X, -X + PS, RW), EOVERFLOW);
	/* The whole space of an area: no split. */
	KT_CHECK_EQ(as_area_protect(as, X + 3 * PS, 2 * PS, RW), EOK);
	KT_CHECK_EQ(as_area_count(as), 6);
	KT_CHECK(page_mapped(as, X + 4 * PS, &f) && (f & PAGE_WRITE));
	as_release(as);
}

KTEST(as_destroy)
{
	as_t *as;
	as_snap_t s0, s;

	KT_ASSERT_EQ(as_create(&as), EOK);
	as_snap(as, &s0);
	KT_ASSERT_EQ(as_area_create(as, X, 16 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_unmap(as, X + 4 * PS, 4 * PS), EOK); /* sparse used space */
	KT_ASSERT_EQ(as_area_create(as, X + 4 * PS, 4 * PS, RO | FIX, WIRED, NULL), EOK);
	as_snap(as, &s);
	KT_REFUSED(as, &s, as_area_destroy(as, X + PS), ENOENT);
	KT_REFUSED(as, &s, as_area_destroy(as, X + 100 * PS), ENOENT);
	KT_CHECK_EQ(as_area_destroy(as, X + 4 * PS), EOK);
	KT_CHECK_EQ(as_area_count(as), 2);
	KT_CHECK_EQ(as_area_destroy(as, X), EOK);
	KT_CHECK_EQ(as_area_destroy(as, X + 8 * PS), EOK);
	KT_CHECK_EQ(as_area_destroy(as, X + 8 * PS), ENOENT);
	as_snap_same(as, &s0, __LINE__);
	as_release(as);
}

/* Releasing an address space with areas in every state frees it all (the
 * runner checks frames, allocations and nodes). */
KTEST(as_release_frees)
{
	as_t *as;

	KT_ASSERT_EQ(as_create(&as), EOK);
	for (size_t i = 0; i < 40; i++)
		KT_ASSERT_EQ(
		    as_area_create(as, X + i * 8 * PS, 6 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_unmap(as, X + 2 * PS, PS), EOK);
	KT_CHECK_EQ(as_area_protect(as, X + 9 * PS, 4 * PS, RO), EOK);
	KT_CHECK_EQ(as_area_create(as, 0, 64 * PS, RW, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_count(as), 44);
	as_release(as);
}

KTEST(as_tlb_shrink)
{
	as_t *as;
	uint64_t v = 0;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 4 * PS, RW | FIX, WIRED, NULL), EOK);
	as_activate(as);
	volatile uint64_t *p = (volatile uint64_t *) (X + 3 * PS);
	*p = 0x5a5a;
	*(volatile uint64_t *) X = 7;
	KT_CHECK_EQ(*p, 0x5a5a); /* the translation is in the TLB now */
	KT_CHECK_EQ(as_area_resize(as, X, 2 * PS), EOK);
	KT_CHECK_EQ(arch_probe_read_u64((const void *) p, &v), EFAULT);
	KT_CHECK_EQ(arch_probe_read_u64((const void *) X, &v), EOK);
	KT_CHECK_EQ(v, 7);
	as_activate(NULL);
	as_release(as);
}

/* A change made while the address space is not loaded must not survive in
 * the TLB (its PCID is flushed at the next activation). */
KTEST(as_tlb_inactive)
{
	as_t *as;
	uint64_t v = 0;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 2 * PS, RW | FIX, WIRED, NULL), EOK);
	as_activate(as);
	*(volatile uint64_t *) (X + PS) = 3;
	KT_CHECK_EQ(*(volatile uint64_t *) (X + PS), 3);
	as_activate(NULL);
	KT_CHECK_EQ(as_area_unmap(as, X + PS, PS), EOK);
	KT_CHECK_EQ(as_area_protect(as, X, PS, RO), EOK);
	as_activate(as);
	KT_CHECK_EQ(arch_probe_read_u64((const void *) (X + PS), &v), EFAULT);
	KT_CHECK_EQ(arch_probe_write_u64((void *) X, 1), EFAULT);
	KT_CHECK_EQ(arch_probe_read_u64((const void *) X, &v), EOK);
	as_activate(NULL);
	as_release(as);
}

KTEST(as_query_list)
{
	as_t *as;
	as_area_info_t info[4];
	size_t n = 99;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_CHECK_EQ(as_area_list(as, info, 4, &n), EOK);
	KT_CHECK_EQ(n, 0);
	KT_ASSERT_EQ(as_area_create(as, X + 10 * PS, PS, RW | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 2 * PS, RO | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X + 4 * PS, 3 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_list(as, info, 2, &n), EOK);
	KT_CHECK_EQ(n, 3);
	KT_CHECK_EQ(info[0].base, X);
	KT_CHECK_EQ(info[0].flags, RO);
	KT_CHECK_EQ(info[1].base, X + 4 * PS);
	KT_CHECK_EQ(info[1].size, 3 * PS);
	KT_CHECK_EQ(info[1].resident, 3);
	KT_CHECK_EQ(info[1].backend, AS_BACKEND_WIRED);
	uintptr_t from = X + PS;
	KT_CHECK_EQ(as_area_list_from(as, &from, info, 1), 1);
	KT_CHECK_EQ(from, X + 7 * PS); /* past the area at X + 4 pages */
	KT_CHECK_EQ(as_area_list_from(as, &from, info, 4), 1);
	KT_CHECK_EQ(info[0].base, X + 10 * PS);
	KT_CHECK_EQ(as_area_list_from(as, &from, info, 4), 0);
	KT_CHECK_EQ(as_area_query(as, X + 6 * PS + 100, &info[0]), EOK);
	KT_CHECK_EQ(info[0].base, X + 4 * PS);
	KT_CHECK_EQ(as_area_query(as, X + 7 * PS, &info[0]), ENOENT);
	KT_CHECK_EQ(as_area_query(as, 0, &info[0]), ENOENT);
	as_release(as);
}

KTEST(as_page_fault)
{
	as_t *as;
	bool in = true;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 2 * PS, RO | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(as, X + 4 * PS, PS, FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_page_fault(as, X + 3 * PS, FAULT_ACCESS_READ, &in), ENOENT);
	KT_CHECK(!in);
	KT_CHECK_EQ(as_page_fault(as, X + 5, FAULT_ACCESS_WRITE, &in), EPERM);
	KT_CHECK(in);
	KT_CHECK_EQ(as_page_fault(as, X + PS, FAULT_ACCESS_EXEC, &in), EPERM);
	KT_CHECK_EQ(as_page_fault(as, X + PS, FAULT_ACCESS_READ, &in), EOK);
	KT_CHECK_EQ(as_page_fault(as, X + 4 * PS, FAULT_ACCESS_READ, &in), EPERM);
	KT_CHECK(in);
	KT_CHECK_EQ(as_page_fault(as, X, 0, &in), EINVAL);
	as_release(as);
}

/* Every free frame, then every free area-sized kmalloc object and B+tree
 * node (so that the slab caches cannot serve from partial slabs), each
 * chained through its own first word. */
typedef struct frame_hog {
	uintptr_t head; /* frames (physical) */
	size_t count;
	void *objs; /* malloc objects */
	void *nodes; /* B+tree nodes */
} frame_hog_t;

static void hog_all(frame_hog_t *h)
{
	uintptr_t pa;
	void *p;

	slab_reclaim();
	while (frame_alloc(1, 0, &pa) == EOK) {
		*(uintptr_t *) PA2KA(pa) = h->head;
		h->head = pa;
		h->count++;
	}
	while ((p = malloc(sizeof(as_area_t))) != NULL) {
		*(void **) p = h->objs;
		h->objs = p;
	}
	while ((p = btree_node_alloc()) != NULL) {
		*(void **) p = h->nodes;
		h->nodes = p;
	}
}

static bool hog_give_back(frame_hog_t *h, size_t n)
{
	for (; n > 0 && h->head != 0; n--) {
		uintptr_t next = *(uintptr_t *) PA2KA(h->head);
		frame_free(h->head, 1);
		h->head = next;
		h->count--;
	}
	return h->head != 0;
}

static void hog_free_all(frame_hog_t *h)
{
	void *p;

	while ((p = h->objs) != NULL) {
		h->objs = *(void **) p;
		free(p);
	}
	while ((p = h->nodes) != NULL) {
		h->nodes = *(void **) p;
		btree_node_free(p);
	}
	hog_give_back(h, SIZE_MAX);
}

typedef errno_t (*as_try_fn_t)(as_t *as);

/* Run @a fn with no free frame, then with one more each time, until it
 * succeeds; every failure before must be ENOMEM with nothing changed. */
static void as_try_until_memory(as_t *as, as_try_fn_t fn)
{
	frame_hog_t h = { 0, 0, NULL, NULL };
	as_snap_t s;
	errno_t rc = EOK;
	unsigned fails = 0;

	hog_all(&h);
	for (;;) {
		as_snap(as, &s);
		rc = fn(as);
		if (rc != ENOMEM)
			break;
		fails++;
		if (!as_snap_same(as, &s, __LINE__) || !hog_give_back(&h, 1))
			break;
	}
	hog_free_all(&h);
	KT_CHECK_EQ(rc, EOK);
	ktest_note("%u clean ENOMEM failures before success", fails);
}

static errno_t try_create(as_t *as)
{
	return as_area_create(as, X + 32 * PS, 24 * PS, RW | FIX, WIRED, NULL);
}

static errno_t try_grow(as_t *as)
{
	return as_area_resize(as, X, 32 * PS); /* up to the area try_create made */
}

static errno_t try_split(as_t *as)
{
	return as_area_protect(as, X + 5 * PS, PS, RO);
}

static errno_t try_unmap_split(as_t *as)
{
	return as_area_unmap(as, X + 2 * PS, PS);
}

KTEST(as_enomem)
{
	as_t *as;

	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create(as, X, 8 * PS, RW | FIX, WIRED, NULL), EOK);
	as_try_until_memory(as, try_create);
	as_try_until_memory(as, try_grow);
	KT_CHECK_EQ(as_area_count(as), 2);
	KT_CHECK_EQ(as_resident_pages(as), 56);
	as_try_until_memory(as, try_split);
	KT_CHECK_EQ(as_area_count(as), 4);
	as_try_until_memory(as, try_unmap_split);
	KT_CHECK_EQ(as_area_count(as), 5);
	KT_CHECK_EQ(as_resident_pages(as), 55);
	as_release(as);
}

KTEST(as_enomem_far)
{
	as_t *as;

	KT_ASSERT_EQ(as_create(&as), EOK);
	as_try_until_memory(as, try_create);
	KT_CHECK_EQ(as_resident_pages(as), 24);
	as_release(as);
}

/* ---- pager areas ---- */

#define Y 0x900000UL /* a second fixed address */
#define O 0x100000ULL /* an object offset */
#define REF IPC_M_PAGER_OBJECT_REF
#define UNREF IPC_M_PAGER_OBJECT_UNREF

/* The stand-in pager: a kernel answerbox and a phone to it. */
typedef struct pager_fix {
	answerbox_t *box;
	phone_t *phone;
} pager_fix_t;

static bool pfix_init(pager_fix_t *f)
{
	f->box = answerbox_create(99);
	f->phone = f->box != NULL ? phone_create(f->box, 0) : NULL;
	if (f->phone != NULL)
		return true;
	if (f->box != NULL) {
		answerbox_deactivate(f->box);
		answerbox_release(f->box);
	}
	return false;
}

/* Answers every queued notice and frees the box and the phone. */
static void pfix_fini(pager_fix_t *f)
{
	phone_release(f->phone);
	answerbox_deactivate(f->box);
	answerbox_release(f->box);
}

/* Calls of @a method queued in @a box (0: all). */
static size_t box_count(answerbox_t *box, uint64_t method)
{
	size_t n = 0;

	mutex_lock(&box->lock);
	list_foreach(box->calls, l)
	{
		call_t *c = list_get_instance(l, call_t, box_link);
		if (method == 0 || c->msg.method == method)
			n++;
	}
	mutex_unlock(&box->lock);
	return n;
}

/* Object offset of the pager area holding @a addr (~0: none). */
static uint64_t pager_offset(as_t *as, uintptr_t addr)
{
	uint64_t off = ~0ULL;

	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, addr);
	if (a != NULL && a->backend == AS_BACKEND_PAGER && a->pager.obj != NULL)
		off = a->pager.offset;
	mutex_unlock(&as->lock);
	return off;
}

/* The object record the area holding @a addr is bound to (NULL: none). */
static const void *pager_obj(as_t *as, uintptr_t addr)
{
	const void *o = NULL;

	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, addr);
	if (a != NULL && a->backend == AS_BACKEND_PAGER)
		o = a->pager.obj;
	mutex_unlock(&as->lock);
	return o;
}

/* Map a new frame at @a va of the pager area there with page flags
 * @a pf, as the fault path maps a supplied page; *pa gets the frame. */
static errno_t pager_fake_in(as_t *as, uintptr_t va, unsigned pf, uintptr_t *pa)
{
	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, va);
	errno_t rc = a != NULL && a->backend == AS_BACKEND_PAGER ? EOK : ENOENT;
	if (rc == EOK)
		rc = frame_alloc(1, FRAME_ZERO, pa);
	if (rc == EOK && (rc = used_space_insert(&a->used, va, 1)) != EOK)
		frame_free(*pa, 1);
	if (rc == EOK && (rc = page_mapping_insert(&as->pt, va, *pa, pf)) != EOK) {
		used_space_remove(&a->used, va, 1);
		frame_free(*pa, 1);
	}
	if (rc == EOK)
		as->rss++;
	mutex_unlock(&as->lock);
	return rc;
}

static as_area_info_t pager_info(as_t *as, uintptr_t addr)
{
	as_area_info_t info = { 0 };

	as_area_query(as, addr, &info);
	return info;
}

KTEST(as_pager_create)
{
	pager_fix_t f;
	as_t *as;
	as_snap_t s;
	uintptr_t b = 0;

	KT_ASSERT(pfix_init(&f));
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_CHECK_EQ(as_area_create_pager(as, X, 8 * PS, RW | FIX, f.phone, 5, O, &b), EOK);
	KT_CHECK_EQ(b, X);
	as_area_info_t info = pager_info(as, X + 7 * PS);
	KT_CHECK_EQ(info.backend, AS_BACKEND_PAGER);
	KT_CHECK_EQ(info.resident, 0);
	KT_CHECK(area_is(as, X, X, 8 * PS, RW));
	KT_CHECK_EQ(as_resident_pages(as), 0);
	KT_CHECK_EQ(as_vsize(as), 8 * PS);
	for (size_t i = 0; i < 8; i++)
		KT_CHECK(!page_mapped(as, X + i * PS, NULL));
	KT_CHECK_EQ(pager_offset(as, X), O);
	KT_CHECK_EQ(box_count(f.box, REF), 1);
	/* Same object again: no second REF; another object: its own.  A large
	 * area costs no frames (at most a slab or node page). */
	size_t free0 = frame_free_count();
	KT_CHECK_EQ(as_area_create_pager(as, 0, 1024 * PS, RO, f.phone, 5, 0, &b), EOK);
	KT_CHECK(frame_free_count() + 2 >= free0);
	KT_CHECK_EQ(b, AS_ANYWHERE_FLOOR);
	KT_CHECK(pager_obj(as, b) == pager_obj(as, X));
	KT_CHECK_EQ(box_count(f.box, REF), 1);
	KT_CHECK_EQ(as_area_create_pager(as, Y, PS, RW | FIX, f.phone, 6, 0, NULL), EOK);
	KT_CHECK(pager_obj(as, Y) != pager_obj(as, X));
	KT_CHECK_EQ(box_count(f.box, REF), 2);
	/* Refusals change nothing, and the pager hears nothing. */
	as_snap(as, &s);
	KT_REFUSED(
	    as, &s, as_area_create_pager(as, X + PS, PS, RW | FIX, f.phone, 7, 0, &b), EEXIST);
	KT_REFUSED(
	    as, &s, as_area_create_pager(as, X - PS, 4 * PS, RW | FIX, f.phone, 7, 0, &b), EEXIST);
	KT_REFUSED(as, &s, as_area_create_pager(as, 0, PS, RW | FIX, f.phone, 7, 0, &b), EINVAL);
	KT_REFUSED(as, &s,
	    as_area_create_pager(as, X + 9 * PS + 1, PS, RW | FIX, f.phone, 7, 0, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create_pager(as, 0, 0, RW, f.phone, 7, 0, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create_pager(as, 0, PS, RW, f.phone, 7, 100, &b), EINVAL);
	KT_REFUSED(as, &s, as_area_create_pager(as, -PS, 2 * PS, RW, f.phone, 7, 0, &b), EOVERFLOW);
	KT_REFUSED(as, &s, as_area_create_pager(as, 0, 2 * PS, RW, f.phone, 7, -PS, &b), EOVERFLOW);
	KT_REFUSED(
	    as, &s, as_area_create_pager(as, 0, PS, RW | AS_AREA_EXEC, f.phone, 7, 0, &b), EPERM);
	KT_REFUSED(
	    as, &s, as_area_create_pager(as, 0, PS, RW | (1u << 5), f.phone, 7, 0, &b), EINVAL);
	as_vsize_limit_set(as, 1034 * PS);
	KT_REFUSED(as, &s, as_area_create_pager(as, 0, 2 * PS, RW, f.phone, 7, 0, &b), ELIMIT);
	as_vsize_limit_set(as, AS_VSIZE_LIMIT_DEFAULT);
	phone_t *dead = phone_create(f.box, 1);
	KT_ASSERT(dead != NULL);
	KT_CHECK_EQ(phone_hangup(dead), EOK);
	as_snap(as, &s);
	KT_REFUSED(as, &s, as_area_create_pager(as, 0, PS, RW, dead, 7, 0, &b), EHANGUP);
	phone_release(dead);
	KT_CHECK_EQ(box_count(f.box, 0), 2);
	/* The last area of an object going away tells the pager. */
	KT_CHECK_EQ(as_area_destroy(as, X), EOK);
	KT_CHECK_EQ(box_count(f.box, UNREF), 0);
	KT_CHECK_EQ(as_area_destroy(as, AS_ANYWHERE_FLOOR), EOK);
	KT_CHECK_EQ(box_count(f.box, UNREF), 1);
	KT_CHECK_EQ(as_area_unmap(as, Y, PS), EOK);
	KT_CHECK_EQ(box_count(f.box, UNREF), 2);
	KT_CHECK_EQ(as_area_count(as), 0);
	KT_CHECK_EQ(as_vsize(as), 0);
	as_release(as);
	pfix_fini(&f);
}

/* Unmap and protect splits: every piece keeps the object at its own
 * offset; resident pages follow their piece; the pager hears nothing. */
KTEST(as_pager_split_offsets)
{
	pager_fix_t f;
	as_t *as;
	uintptr_t pa;

	KT_ASSERT(pfix_init(&f));
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as, X, 10 * PS, RW | FIX, f.phone, 5, O, NULL), EOK);
	const void *obj = pager_obj(as, X);
	KT_ASSERT(obj != NULL);
	KT_ASSERT_EQ(pager_fake_in(as, X + 7 * PS, PAGE_READ | PAGE_USER, &pa), EOK);
	KT_ASSERT_EQ(pager_fake_in(as, X + 8 * PS, PAGE_READ | PAGE_USER, &pa), EOK);
	/* A hole in the middle. */
	KT_CHECK_EQ(as_area_unmap(as, X + 2 * PS, PS), EOK);
	KT_CHECK(area_is(as, X, X, 2 * PS, RW));
	KT_CHECK(area_is(as, X + 3 * PS, X + 3 * PS, 7 * PS, RW));
	KT_CHECK_EQ(pager_offset(as, X), O);
	KT_CHECK_EQ(pager_offset(as, X + 3 * PS), O + 3 * PS);
	KT_CHECK(pager_obj(as, X + 3 * PS) == obj);
	KT_CHECK_EQ(pager_info(as, X + 3 * PS).resident, 2);
	/* Protect the middle of the upper piece. */
	KT_CHECK_EQ(as_area_protect(as, X + 5 * PS, 3 * PS, RO), EOK);
	KT_CHECK_EQ(as_area_count(as), 4);
	KT_CHECK(area_is(as, X + 3 * PS, X + 3 * PS, 2 * PS, RW));
	KT_CHECK(area_is(as, X + 5 * PS, X + 5 * PS, 3 * PS, RO));
	KT_CHECK(area_is(as, X + 8 * PS, X + 8 * PS, 2 * PS, RW));
	KT_CHECK_EQ(pager_offset(as, X + 3 * PS), O + 3 * PS);
	KT_CHECK_EQ(pager_offset(as, X + 5 * PS), O + 5 * PS);
	KT_CHECK_EQ(pager_offset(as, X + 8 * PS), O + 8 * PS);
	KT_CHECK(pager_obj(as, X + 5 * PS) == obj && pager_obj(as, X + 8 * PS) == obj);
	KT_CHECK_EQ(pager_info(as, X + 5 * PS).resident, 1);
	KT_CHECK_EQ(pager_info(as, X + 8 * PS).resident, 1);
	KT_CHECK_EQ(as_resident_pages(as), 2);
	/* Protect over two pieces: the ends split again. */
	KT_CHECK_EQ(as_area_protect(as, X + 4 * PS, 2 * PS, RW), EOK);
	KT_CHECK_EQ(pager_offset(as, X + 4 * PS), O + 4 * PS);
	KT_CHECK_EQ(pager_offset(as, X + 5 * PS), O + 5 * PS);
	KT_CHECK_EQ(pager_offset(as, X + 6 * PS), O + 6 * PS);
	KT_CHECK(area_is(as, X + 6 * PS, X + 6 * PS, 2 * PS, RO));
	KT_CHECK_EQ(box_count(f.box, REF), 1);
	KT_CHECK_EQ(box_count(f.box, UNREF), 0);
	/* Unmap over several pieces, trimming the last one's front. */
	KT_CHECK_EQ(as_area_unmap(as, X + PS, 8 * PS), EOK);
	KT_CHECK_EQ(as_area_count(as), 2);
	KT_CHECK(area_is(as, X + 9 * PS, X + 9 * PS, PS, RW));
	KT_CHECK_EQ(pager_offset(as, X + 9 * PS), O + 9 * PS);
	KT_CHECK_EQ(as_resident_pages(as), 0);
	KT_CHECK_EQ(box_count(f.box, 0), 1);
	as_release(as);
	KT_CHECK_EQ(box_count(f.box, UNREF), 1);
	pfix_fini(&f);
}

KTEST(as_pager_trim_grow)
{
	pager_fix_t f;
	as_t *as;
	as_snap_t s;

	KT_ASSERT(pfix_init(&f));
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as, X, 6 * PS, RW | FIX, f.phone, 5, O, NULL), EOK);
	/* Trimming the front moves the offset by what was trimmed. */
	KT_CHECK_EQ(as_area_unmap(as, X, PS), EOK);
	KT_CHECK(area_is(as, X + PS, X + PS, 5 * PS, RW));
	KT_CHECK_EQ(pager_offset(as, X + PS), O + PS);
	KT_CHECK_EQ(as_area_unmap(as, X - 4 * PS, 7 * PS), EOK);
	KT_CHECK(area_is(as, X + 3 * PS, X + 3 * PS, 3 * PS, RW));
	KT_CHECK_EQ(pager_offset(as, X + 3 * PS), O + 3 * PS);
	/* The tail: the offset stays. */
	KT_CHECK_EQ(as_area_resize(as, X + 3 * PS, PS), EOK);
	KT_CHECK_EQ(pager_offset(as, X + 3 * PS), O + 3 * PS);
	KT_CHECK_EQ(as_vsize(as), PS);
	/* Growing maps nothing. */
	size_t free0 = frame_free_count();
	KT_CHECK_EQ(as_area_resize(as, X + 3 * PS, 64 * PS), EOK);
	KT_CHECK(area_is(as, X + 66 * PS, X + 3 * PS, 64 * PS, RW));
	KT_CHECK_EQ(as_resident_pages(as), 0);
	KT_CHECK_EQ(frame_free_count(), free0);
	KT_CHECK(!page_mapped(as, X + 66 * PS, NULL));
	KT_CHECK_EQ(box_count(f.box, 0), 1);
	/* The object offset must not wrap. */
	KT_ASSERT_EQ(as_area_create_pager(as, Y, 4 * PS, RW | FIX, f.phone, 6, -8 * PS, NULL), EOK);
	KT_CHECK_EQ(as_area_resize(as, Y, 7 * PS), EOK);
	as_snap(as, &s);
	KT_REFUSED(as, &s, as_area_resize(as, Y, 8 * PS), EOVERFLOW);
	KT_CHECK_EQ(as_area_unmap(as, Y, 2 * PS), EOK);
	KT_CHECK_EQ(pager_offset(as, Y + 2 * PS), -6 * PS);
	as_release(as);
	KT_CHECK_EQ(box_count(f.box, UNREF), 2);
	pfix_fini(&f);
}

/* Resident pages of a pager area: unmapping drops exactly the area's
 * frame reference; protect never adds rights the pager did not grant. */
KTEST(as_pager_resident)
{
	pager_fix_t f;
	as_t *as;
	uintptr_t pa0, pa1, pa2;
	unsigned pf = 0;

	KT_ASSERT(pfix_init(&f));
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as, X, 4 * PS, RW | FIX, f.phone, 5, 0, NULL), EOK);
	KT_ASSERT_EQ(pager_fake_in(as, X, PAGE_READ | PAGE_USER, &pa0), EOK); /* copy-on-write */
	KT_ASSERT_EQ(pager_fake_in(as, X + PS, PAGE_READ | PAGE_WRITE | PAGE_USER, &pa1), EOK);
	KT_ASSERT_EQ(pager_fake_in(as, X + 3 * PS, PAGE_READ | PAGE_USER, &pa2), EOK);
	KT_CHECK_EQ(as_resident_pages(as), 3);
	frame_ref_add(pa1); /* the pager's own mapping of it */
	frame_ref_add(pa2);
	/* Same rights again: the read-only page stays read-only. */
	KT_CHECK_EQ(as_area_protect(as, X, 2 * PS, RW), EOK);
	KT_CHECK(page_mapped(as, X, &pf) && !(pf & PAGE_WRITE) && (pf & PAGE_USER));
	KT_CHECK(page_mapped(as, X + PS, &pf) && (pf & PAGE_WRITE));
	KT_CHECK_EQ(as_area_protect(as, X, 2 * PS, RO), EOK);
	KT_CHECK(page_mapped(as, X + PS, &pf) && !(pf & PAGE_WRITE) && (pf & PAGE_USER));
	KT_CHECK_EQ(as_area_protect(as, X, 2 * PS, RW), EOK);
	KT_CHECK(area_is(as, X, X, 2 * PS, RW));
	KT_CHECK(page_mapped(as, X + PS, &pf) && !(pf & PAGE_WRITE)); /* faults to the pager */
	KT_CHECK_EQ(as_area_protect(as, X, PS, 0), EOK);
	KT_CHECK(page_mapped(as, X, &pf) && !(pf & PAGE_USER));
	KT_CHECK_EQ(as_area_protect(as, X, PS, RO), EOK);
	KT_CHECK(page_mapped(as, X, &pf) && (pf & PAGE_USER) && !(pf & PAGE_WRITE));
	/* Exec follows the area (only writability is the pager's call). */
	KT_CHECK_EQ(as_area_protect(as, X, PS, AS_AREA_READ | AS_AREA_EXEC), EOK);
	KT_CHECK(page_mapped(as, X, &pf) && (pf & PAGE_EXEC) && !(pf & PAGE_WRITE));
	/* Unmap: the area's references go, the pager's stay. */
	KT_CHECK_EQ(as_area_unmap(as, X + PS, PS), EOK);
	KT_CHECK(!page_mapped(as, X + PS, NULL));
	KT_CHECK_EQ(frame_refcount(pa1), 1);
	KT_CHECK_EQ(as_area_resize(as, X + 2 * PS, PS), EOK);
	KT_CHECK(!page_mapped(as, X + 3 * PS, NULL));
	KT_CHECK_EQ(frame_refcount(pa2), 1);
	KT_CHECK_EQ(as_resident_pages(as), 1);
	size_t free0 = frame_free_count();
	KT_CHECK_EQ(as_area_destroy(as, X), EOK);
	KT_CHECK(frame_free_count() >= free0 + 1); /* pa0: its only reference */
	KT_CHECK_EQ(as_resident_pages(as), 0);
	frame_free(pa1, 1);
	frame_free(pa2, 1);
	as_release(as);
	pfix_fini(&f);
}

KTEST(as_pager_share)
{
	pager_fix_t f;
	as_t *a, *b;
	as_snap_t s;
	uintptr_t got = 0;

	KT_ASSERT(pfix_init(&f));
	KT_ASSERT_EQ(as_create(&a), EOK);
	KT_ASSERT_EQ(as_create(&b), EOK);
	KT_ASSERT_EQ(as_area_create_pager(a, X, 4 * PS, RW | FIX, f.phone, 5, O, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(a, Y, 2 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_ASSERT_EQ(as_area_create(b, Y, 2 * PS, RW | FIX, WIRED, NULL), EOK);
	KT_CHECK_EQ(as_area_share(a, X, b, X + PS, RO | FIX, &got), EOK);
	KT_CHECK_EQ(got, X + PS);
	KT_CHECK(area_is(b, X + PS, X + PS, 4 * PS, RO));
	KT_CHECK_EQ(pager_info(b, X + PS).backend, AS_BACKEND_PAGER);
	KT_CHECK_EQ(pager_offset(b, X + PS), O);
	KT_CHECK(pager_obj(b, X + PS) == pager_obj(a, X));
	KT_CHECK_EQ(as_resident_pages(b), 2);
	KT_CHECK_EQ(box_count(f.box, 0), 1); /* one REF for the object */
	/* A hint, and a copy in the same address space. */
	KT_CHECK_EQ(as_area_share(a, X, b, 0, RW, &got), EOK);
	KT_CHECK_EQ(got, AS_ANYWHERE_FLOOR);
	KT_CHECK_EQ(as_area_share(a, X, a, 0, AS_AREA_READ, NULL), EOK);
	KT_CHECK(pager_obj(a, AS_ANYWHERE_FLOOR) == pager_obj(a, X));
	/* A copy of a trimmed piece: its own offset. */
	KT_CHECK_EQ(as_area_unmap(b, X + PS, PS), EOK);
	KT_CHECK_EQ(as_area_share(b, X + 2 * PS, a, 0, RO, &got), EOK);
	KT_CHECK_EQ(pager_offset(a, got), O + PS);
	KT_CHECK_EQ(pager_info(a, got).size, 3 * PS);
	/* Refusals change nothing anywhere. */
	as_snap(b, &s);
	KT_REFUSED(b, &s, as_area_share(a, X + PS, b, 0, RO, &got), ENOENT);
	KT_REFUSED(b, &s, as_area_share(a, Y + 9 * PS, b, 0, RO, &got), ENOENT);
	KT_REFUSED(b, &s, as_area_share(a, Y, b, 0, RO, &got), ENOTSUP);
	KT_REFUSED(b, &s, as_area_share(a, AS_ANYWHERE_FLOOR, b, 0, RW, &got), EPERM);
	KT_REFUSED(b, &s, as_area_share(a, X, b, 0, RW | (1u << 6), &got), EINVAL);
	KT_REFUSED(b, &s, as_area_share(a, X, b, Y - PS, RO | FIX, &got), EEXIST);
	KT_REFUSED(b, &s, as_area_share(a, X, b, 1, RO | FIX, &got), EINVAL);
	as_vsize_limit_set(b, as_vsize(b) + PS);
	KT_REFUSED(b, &s, as_area_share(a, X, b, 0, RO, &got), ELIMIT);
	as_vsize_limit_set(b, AS_VSIZE_LIMIT_DEFAULT);
	KT_CHECK_EQ(box_count(f.box, 0), 1);
	/* The object lives on while any copy does. */
	KT_CHECK_EQ(as_area_unmap(a, X, 4 * PS), EOK);
	KT_CHECK_EQ(as_area_destroy(a, AS_ANYWHERE_FLOOR), EOK);
	as_release(b);
	KT_CHECK_EQ(box_count(f.box, UNREF), 0);
	as_release(a);
	KT_CHECK_EQ(box_count(f.box, UNREF), 1);
	pfix_fini(&f);
}

/* What the stand-in pager saw of a page-in, and whether the faulting
 * thread held the address-space lock meanwhile. */
typedef struct pager_srv {
	answerbox_t *box;
	as_t *as;
	ipc_msg_t msg;
	bool lock_free;
	bool got;
} pager_srv_t;

/* Answer notices EOK and the first page-in with EIO. */
static void pager_srv_thread(void *arg)
{
	pager_srv_t *srv = arg;

	while (!srv->got) {
		mutex_lock(&srv->box->lock);
		link_t *l = list_first(&srv->box->calls);
		if (l != NULL) {
			list_remove(l);
			srv->box->calls_count--;
		}
		mutex_unlock(&srv->box->lock);
		if (l == NULL) {
			thread_yield();
			continue;
		}
		call_t *c = list_get_instance(l, call_t, box_link);
		if (c->msg.method == IPC_M_PAGE_IN) {
			srv->msg = c->msg;
			srv->lock_free = !mutex_locked(&srv->as->lock);
			srv->got = true;
		}
		ipc_call_answer(c, c->msg.method == IPC_M_PAGE_IN ? EIO : EOK);
	}
}

KTEST(as_pager_fault)
{
	pager_fix_t f;
	as_t *as;
	uintptr_t pa;
	bool in = false;
	thread_t *t;

	KT_ASSERT(pfix_init(&f));
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as, X, 8 * PS, RW | FIX, f.phone, 5, O, NULL), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as, Y, PS, RO | FIX, f.phone, 5, 0, NULL), EOK);
	KT_ASSERT_EQ(pager_fake_in(as, X + 6 * PS, PAGE_READ | PAGE_USER, &pa), EOK);
	/* The pager is asked without the lock held; its error is the result. */
	pager_srv_t srv = { .box = f.box, .as = as };
	KT_ASSERT_EQ(thread_create_kernel(pager_srv_thread, &srv, "pager", &t), EOK);
	thread_ready(t);
	KT_CHECK_EQ(as_page_fault(as, X + 2 * PS + 8, FAULT_ACCESS_WRITE, &in), EIO);
	thread_join(t, NULL);
	KT_CHECK(in);
	KT_CHECK(srv.lock_free);
	KT_CHECK_EQ(srv.msg.arg[0], 5);
	KT_CHECK_EQ(srv.msg.arg[1], O + 2 * PS);
	KT_CHECK_EQ(srv.msg.arg[2], 4); /* up to the resident page */
	KT_CHECK_EQ(srv.msg.arg[3], FAULT_ACCESS_WRITE);
	KT_CHECK(!mutex_locked(&as->lock));
	KT_CHECK_EQ(as_resident_pages(as), 1);
	/* Mapped with the rights: EOK, the pager is not asked. */
	KT_CHECK_EQ(as_page_fault(as, X + 6 * PS, FAULT_ACCESS_READ, &in), EOK);
	KT_CHECK_EQ(box_count(f.box, 0), 0);
	/* Rights the area lacks, no area: the pager is not asked either. */
	KT_CHECK_EQ(as_page_fault(as, Y, FAULT_ACCESS_WRITE, &in), EPERM);
	KT_CHECK_EQ(as_page_fault(as, X, FAULT_ACCESS_EXEC, &in), EPERM);
	KT_CHECK_EQ(as_page_fault(as, X + 8 * PS, FAULT_ACCESS_READ, &in), ENOENT);
	KT_CHECK(!in);
	KT_CHECK_EQ(box_count(f.box, 0), 0);
	/* A dead pager: every fault fails at once, with nothing left held. */
	answerbox_deactivate(f.box);
	KT_CHECK_EQ(as_page_fault(as, X, FAULT_ACCESS_READ, &in), EHANGUP);
	KT_CHECK_EQ(as_page_fault(as, X + 6 * PS, FAULT_ACCESS_WRITE, &in), EHANGUP);
	KT_CHECK(!mutex_locked(&as->lock));
	KT_CHECK_EQ(as_resident_pages(as), 1);
	as_release(as);
	pfix_fini(&f);
}

static pager_fix_t *enomem_fix;

static errno_t try_create_pager(as_t *as)
{
	return as_area_create_pager(
	    as, X + 32 * PS, 8 * PS, RW | FIX, enomem_fix->phone, 9, 0, NULL);
}

static errno_t try_share(as_t *as)
{
	return as_area_share(as, X + 32 * PS, as, 0, RO, NULL);
}

KTEST(as_pager_enomem)
{
	pager_fix_t f;
	as_t *as;
	uintptr_t pa;

	KT_ASSERT(pfix_init(&f));
	enomem_fix = &f;
	KT_ASSERT_EQ(as_create(&as), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as, X, 8 * PS, RW | FIX, f.phone, 5, O, NULL), EOK);
	KT_ASSERT_EQ(pager_fake_in(as, X + 2 * PS, PAGE_READ | PAGE_USER, &pa), EOK);
	KT_ASSERT_EQ(pager_fake_in(as, X + 6 * PS, PAGE_READ | PAGE_USER, &pa), EOK);
	as_try_until_memory(as, try_create_pager);
	as_try_until_memory(as, try_split);
	as_try_until_memory(as, try_unmap_split);
	as_try_until_memory(as, try_share);
	KT_CHECK_EQ(as_area_count(as), 6);
	KT_CHECK_EQ(pager_offset(as, X + 3 * PS), O + 3 * PS);
	KT_CHECK_EQ(pager_offset(as, X + 5 * PS), O + 5 * PS);
	KT_CHECK_EQ(pager_offset(as, X + 6 * PS), O + 6 * PS);
	KT_CHECK_EQ(pager_info(as, X + 6 * PS).resident, 1);
	KT_CHECK_EQ(as_resident_pages(as), 1); /* the unmap took X + 2 pages */
	as_release(as);
	pfix_fini(&f);
}
