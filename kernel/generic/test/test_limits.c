/*
 * Kernel tests of the per-task limits (abi/as.h AS_AREAS_MAX): an address
 * space at its area limit refuses every change that would leave it with
 * one area more (create, share, the splits of unmap and protect) with
 * ELIMIT and changes nothing, while changes that keep the count (a trim,
 * a destroy) still work.  The tests also measure what an area costs the
 * kernel, which is what the limit bounds (docs/architecture.md).
 *
 * Pager areas are bound through a phone to a kernel-made answerbox that
 * stands in for the pager, as in test_as.c: they cost no frames of their
 * own, so the limit can be reached quickly.
 */
#include <abi/as.h>
#include <adt/btree_alloc.h>
#include <ipc/ipc.h>
#include <mm/as.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/slab.h>
#include <test/ktest.h>

#define PS PAGE_SIZE
#define LX 0x0000200000000000UL /* where the fixed areas go */
#define RW (AS_AREA_READ | AS_AREA_WRITE)
#define FIX AS_AREA_FIXED

typedef struct lim_fix {
	as_t *as;
	answerbox_t *box; /* the stand-in pager */
	phone_t *phone;
} lim_fix_t;

static bool lim_init(lim_fix_t *f)
{
	*f = (lim_fix_t){ 0 };
	if (as_create(&f->as) != EOK)
		return false;
	f->box = answerbox_create(98);
	f->phone = f->box ? phone_create(f->box, 0) : NULL;
	return f->phone != NULL;
}

static void lim_fini(lim_fix_t *f)
{
	if (f->as)
		as_release(f->as);
	if (f->phone)
		phone_release(f->phone);
	if (f->box) {
		answerbox_deactivate(f->box); /* answers the queued notices */
		answerbox_release(f->box);
	}
}

static size_t lim_free_frames(void)
{
	slab_reclaim();
	return frame_free_count();
}

typedef struct lim_snap {
	size_t areas, vsize, free, live, nodes;
} lim_snap_t;

static void lim_snap(as_t *as, lim_snap_t *s)
{
	s->areas = as_area_count(as);
	s->vsize = as_vsize(as);
	s->free = lim_free_frames();
	s->live = malloc_live_count();
	s->nodes = btree_nodes_live();
}

/* @a rc must be ELIMIT and nothing may have changed since @a s. */
static void lim_refused(as_t *as, const lim_snap_t *s, errno_t rc, int line)
{
	lim_snap_t now;
	lim_snap(as, &now);
	if (rc != ELIMIT)
		ktest_fail(__FILE__, line, "expected ELIMIT, got %d", rc);
	if (now.areas != s->areas || now.vsize != s->vsize || now.free != s->free ||
	    now.live != s->live || now.nodes != s->nodes)
		ktest_fail(__FILE__, line, "a refused change changed something");
}

#define LIM_REFUSED(f, s, call) lim_refused((f)->as, (s), (call), __LINE__)

/* Fill @a f's address space with one-page areas of one object (two pages
 * apart) until it holds @a max; false if one was refused. */
static bool lim_fill(lim_fix_t *f, size_t max)
{
	for (size_t i = as_area_count(f->as); i < max; i++) {
		uintptr_t at = LX + i * 2 * PS;
		if (as_area_create_pager(f->as, at, PS, RW | FIX, f->phone, 5, i * PS, NULL) != EOK)
			return ktest_fail(__FILE__, __LINE__, "area %zu refused", i);
	}
	return true;
}

KTEST(as_area_limit)
{
	lim_fix_t f;
	lim_snap_t s;
	uintptr_t b, top = LX + (uintptr_t) AS_AREAS_MAX * 2 * PS;
	if (!lim_init(&f)) {
		lim_fini(&f);
		KT_ASSERT(false);
	}
	size_t free0 = lim_free_frames();
	if (lim_fill(&f, AS_AREAS_MAX)) {
		size_t used = free0 - lim_free_frames();
		ktest_note("%u one-page pager areas of one object: %zu frames, %zu bytes an area",
		    AS_AREAS_MAX, used, used * PS / AS_AREAS_MAX);
		KT_CHECK_EQ(as_area_count(f.as), AS_AREAS_MAX);
		lim_snap(f.as, &s);
		LIM_REFUSED(
		    &f, &s, as_area_create_pager(f.as, top, PS, RW | FIX, f.phone, 5, 0, &b));
		LIM_REFUSED(&f, &s, as_area_create_pager(f.as, 0, PS, RW, f.phone, 6, 0, &b));
		LIM_REFUSED(&f, &s, as_area_create(f.as, top, PS, RW | FIX, AS_BACKEND_WIRED, &b));
		LIM_REFUSED(&f, &s, as_area_share(f.as, LX, f.as, top, RW | FIX, &b));
		/* A destroy makes room for exactly one. */
		KT_CHECK_EQ(as_area_destroy(f.as, LX), EOK);
		KT_CHECK_EQ(as_area_create(f.as, top, 4 * PS, RW | FIX, AS_BACKEND_WIRED, &b), EOK);
		lim_snap(f.as, &s);
		LIM_REFUSED(&f, &s, as_area_create(f.as, LX, PS, RW | FIX, AS_BACKEND_WIRED, &b));
	}
	lim_fini(&f);
}

/* At the limit: splits that add an area are refused, changes that keep
 * the count work. */
KTEST(as_area_limit_split)
{
	lim_fix_t f;
	lim_snap_t s;
	const uintptr_t a = LX + 0x100000000UL; /* the 8-page wired area */
	if (!lim_init(&f)) {
		lim_fini(&f);
		KT_ASSERT(false);
	}
	as_areas_max_set(f.as, 4);
	KT_CHECK_EQ(as_area_create(f.as, a, 8 * PS, RW | FIX, AS_BACKEND_WIRED, NULL), EOK);
	KT_CHECK(lim_fill(&f, 3));
	/* Protecting the middle needs two pieces: refused at 3 of 4. */
	lim_snap(f.as, &s);
	LIM_REFUSED(&f, &s, as_area_protect(f.as, a + 2 * PS, 2 * PS, AS_AREA_READ));
	/* A tail needs one: the fourth area. */
	KT_CHECK_EQ(as_area_protect(f.as, a + 6 * PS, 2 * PS, AS_AREA_READ), EOK);
	KT_CHECK_EQ(as_area_count(f.as), 4);
	lim_snap(f.as, &s);
	LIM_REFUSED(&f, &s, as_area_protect(f.as, a + PS, PS, AS_AREA_READ));
	LIM_REFUSED(&f, &s, as_area_protect(f.as, a, PS, AS_AREA_READ));
	LIM_REFUSED(&f, &s, as_area_unmap(f.as, a + 2 * PS, PS));
	/* Trims and a range whose last area starts inside it keep the count. */
	KT_CHECK_EQ(as_area_unmap(f.as, a, PS), EOK);
	KT_CHECK_EQ(as_area_unmap(f.as, a + 5 * PS, 2 * PS), EOK);
	KT_CHECK_EQ(as_area_count(f.as), 4);
	KT_CHECK_EQ(as_area_protect(f.as, a + PS, 4 * PS, AS_AREA_READ), EOK);
	KT_CHECK_EQ(as_area_count(f.as), 4);
	/* Unmapping a whole area frees a place. */
	KT_CHECK_EQ(as_area_unmap(f.as, a + 7 * PS, PS), EOK);
	KT_CHECK_EQ(as_area_count(f.as), 3);
	KT_CHECK_EQ(as_area_unmap(f.as, a + 2 * PS, PS), EOK);
	KT_CHECK_EQ(as_area_count(f.as), 4);
	lim_fini(&f);
}

/* What an area costs the kernel at worst (a note, for the docs): its own
 * object (the records of its binding) and, once a page of it is mapped,
 * page tables that no other area shares. */
KTEST(as_area_cost)
{
	enum { N = 1024, W = 256 };
	lim_fix_t f;
	if (!lim_init(&f)) {
		lim_fini(&f);
		KT_ASSERT(false);
	}
	size_t free0 = lim_free_frames();
	bool ok = true;
	for (size_t i = 0; i < N && ok; i++)
		ok = as_area_create_pager(
		         f.as, LX + i * 2 * PS, PS, RW | FIX, f.phone, 100 + i, 0, NULL) == EOK;
	KT_CHECK(ok);
	size_t used = free0 - lim_free_frames();
	ktest_note("%u pager areas of their own objects: %zu bytes an area", N, used * PS / N);
	/* One-page wired areas a GiB apart: a page, a page table and a page
	 * directory each. */
	free0 = lim_free_frames();
	for (size_t i = 0; i < W && ok; i++)
		ok = as_area_create(
		         f.as, LX + ((i + 1) << 30), PS, RW | FIX, AS_BACKEND_WIRED, NULL) == EOK;
	KT_CHECK(ok);
	used = free0 - lim_free_frames();
	ktest_note("%u wired one-page areas 1 GiB apart: %zu frames an area (1 of them data)", W,
	    (used + W / 2) / W);
	KT_CHECK(used >= 2 * W);
	lim_fini(&f);
}
