/*
 * Host unit test of the area placement and split arithmetic
 * (kernel/generic/mm/as_layout.c).
 *
 * The implementation under test sees a sorted array of areas through the
 * same "next area" callback the kernel implements over its B+tree, and the
 * same areas as nodes of the gap index (placement); the array and the
 * index are changed only as the layout functions direct (the visitor of a
 * walk replaces the area it is given by the pieces the split computed).
 * After every operation the index must hold exactly the array's areas,
 * in order, with every gap, maximum and height right and AVL-balanced.
 * The reference model is a small address space (NP pages between a floor
 * and a top) kept page by page: each page holds the id of the area owning
 * it (0: free) and each id its rights.  First fit in the model is a linear
 * scan over aligned candidates using the length of the free run at each
 * page; unmap and protect relabel pages (a piece split off an area gets a
 * fresh id).  After every operation the model's maximal runs of one id
 * must be exactly the implementation's areas.
 *
 * The randomized runs (fixed seeds, printed) mix anywhere placements with
 * random hints and alignments, fixed placements (some refused), unmaps and
 * protects over random ranges that cross several areas and gaps.  The
 * fixed cases cover holes, exact fits, a full space, wrapping at the top
 * of the address space, the fallback below the hint, the range checks,
 * the four shapes of a split and a walk over several areas (a walk that
 * stopped early, e.g. with an inverted stop test, leaves areas behind),
 * a piece that overlaps its parent for a moment (the kernel's split), and
 * the cost of first fit: with 100,000 areas and holes too small between
 * them, a search visits O(log n) nodes (stepping over the areas, as the
 * old first fit did, visits all of them).
 */
#include <abi/as.h>
#include <abi/page.h>
#include <lib/prng.h>
#include <mm/as_layout.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define PS ((uintptr_t) PAGE_SIZE)
#define NP 512
#define MAX_AREAS (NP + 4)
#define OPS_PER_SEED 30000

typedef struct area {
	uintptr_t base, end;
	unsigned flags;
	as_gap_node_t *node; /* its node in the gap index */
} area_t;

/* The implementation's view: areas sorted by base. */
static area_t impl[MAX_AREAS];
static size_t nimpl;

/* The model: owner id of each page, rights of each id. */
static unsigned owner[NP];
static unsigned id_flags[NP * 8];
static unsigned next_id;

static as_layout_limits_t lim;
static as_gap_tree_t gaps;

/* Statistics of the randomized runs: successes per kind, peak areas. */
static size_t n_anywhere, n_fixed, n_protect, n_unmap_visits, peak_areas;

static bool impl_next(void *arg, uintptr_t addr, as_layout_range_t *out)
{
	(void) arg;
	for (size_t i = 0; i < nimpl; i++) {
		if (impl[i].end > addr) {
			*out = (as_layout_range_t){ impl[i].base, impl[i].end, &impl[i] };
			return true;
		}
	}
	return false;
}

static size_t impl_index(uintptr_t base)
{
	for (size_t i = 0; i < nimpl; i++) {
		if (impl[i].base == base)
			return i;
	}
	abort();
}

static void impl_insert(uintptr_t base, uintptr_t end, unsigned flags)
{
	size_t i = 0;

	while (i < nimpl && impl[i].base < base)
		i++;
	as_gap_node_t *node = malloc(sizeof(*node));

	if (nimpl == MAX_AREAS || node == NULL)
		abort();
	memmove(&impl[i + 1], &impl[i], (nimpl - i) * sizeof(impl[0]));
	impl[i] = (area_t){ base, end, flags, node };
	as_gap_insert(&gaps, node, base, end);
	nimpl++;
}

static void impl_remove(uintptr_t base)
{
	size_t i = impl_index(base);

	as_gap_remove(&gaps, impl[i].node);
	free(impl[i].node);
	memmove(&impl[i], &impl[i + 1], (nimpl - i - 1) * sizeof(impl[0]));
	nimpl--;
}

static void reset(uintptr_t floor, size_t anywhere_page)
{
	lim.floor = floor;
	lim.anywhere = floor + anywhere_page * PS;
	lim.top = floor + NP * PS;
	while (nimpl > 0)
		impl_remove(impl[0].base);
	memset(owner, 0, sizeof(owner));
	next_id = 1;
}

static size_t page_of(uintptr_t addr)
{
	return (addr - lim.floor) / PS;
}

static uintptr_t addr_of(size_t page)
{
	return lim.floor + page * PS;
}

#define MAX_IDS (sizeof(id_flags) / sizeof(id_flags[0]))

static unsigned model_new_id(unsigned flags)
{
	if (next_id >= MAX_IDS)
		abort();
	id_flags[next_id] = flags;
	return next_id++;
}

/* Renumber the ids in use from 1 (between operations only). */
static void model_compact(void)
{
	static unsigned map[MAX_IDS], fl[MAX_IDS];
	unsigned n = 1;

	memset(map, 0, sizeof(map));
	for (size_t i = 0; i < NP; i++) {
		if (owner[i] != 0 && map[owner[i]] == 0) {
			fl[n] = id_flags[owner[i]];
			map[owner[i]] = n++;
		}
		owner[i] = map[owner[i]];
	}
	memcpy(id_flags, fl, sizeof(fl[0]) * n);
	next_id = n;
}

/* First fit in the model: scan aligned candidates from @a from. */
static bool model_fit(uintptr_t from, size_t pages, size_t align, uintptr_t *out)
{
	static size_t run[NP + 1];
	uintptr_t a;

	run[NP] = 0;
	for (size_t i = NP; i-- > 0;)
		run[i] = owner[i] == 0 ? run[i + 1] + 1 : 0;
	if (from < lim.floor)
		from = lim.floor;
	if (from >= lim.top)
		return false;
	a = (from + align - 1) / align * align;
	for (; a < lim.top; a += align) {
		if (run[page_of(a)] >= pages) {
			*out = a;
			return true;
		}
	}
	return false;
}

static errno_t model_place(uintptr_t hint, size_t pages, size_t align, uintptr_t *out)
{
	uintptr_t from = hint > lim.anywhere ? hint : lim.anywhere;

	if (model_fit(from, pages, align, out) || model_fit(lim.floor, pages, align, out))
		return EOK;
	return ENOMEM;
}

static void model_fill(uintptr_t base, uintptr_t end, unsigned id)
{
	for (uintptr_t a = base; a < end; a += PS)
		owner[page_of(a)] = id;
}

/* The pages from @a end on that belong to the area owning page end - 1
 * become a separate area. */
static void model_split_at(uintptr_t end)
{
	size_t p = page_of(end);

	if (end >= lim.top || end <= lim.floor)
		return;
	unsigned id = owner[p];
	if (id == 0 || owner[p - 1] != id)
		return;
	unsigned nid = model_new_id(id_flags[id]);
	for (; p < NP && owner[p] == id; p++)
		owner[p] = nid;
}

/* Parent links, AVL balance, heights and largest gaps of the subtree
 * @a n; its height. */
static int gap_check_subtree(const as_gap_node_t *n, const as_gap_node_t *parent, bool *ok)
{
	if (n == NULL)
		return 0;
	int hl = gap_check_subtree(n->left, n, ok), hr = gap_check_subtree(n->right, n, ok);
	int h = 1 + (hl > hr ? hl : hr);
	uintptr_t m = n->gap;

	if (n->left != NULL && n->left->max_gap > m)
		m = n->left->max_gap;
	if (n->right != NULL && n->right->max_gap > m)
		m = n->right->max_gap;
	if (n->parent != parent || hl - hr > 1 || hr - hl > 1 || n->height != h ||
	    n->max_gap != m) {
		tap_diag("gap node [%#lx, %#lx): bad links, balance (%d/%d), height or max gap",
		    (unsigned long) n->base, (unsigned long) n->end, hl, hr);
		*ok = false;
	}
	return h;
}

/* The gap index of @a t holds the areas @a a[0 .. n) in order, each with
 * the free bytes below it as its gap, and is balanced. */
static bool gap_tree_ok(const as_gap_tree_t *t, const area_t *a, size_t n)
{
	bool ok = true;
	size_t i = 0;
	uintptr_t prev_end = 0;

	gap_check_subtree(t->root, NULL, &ok);
	for (const as_gap_node_t *g = as_gap_first(t); g != NULL; g = as_gap_next(g), i++) {
		uintptr_t want = g->base > prev_end ? g->base - prev_end : 0;
		if (i >= n || g->base != a[i].base || g->end != a[i].end || g->gap != want) {
			tap_diag("gap node %zu [%#lx, %#lx) gap %#lx: expected gap %#lx", i,
			    (unsigned long) g->base, (unsigned long) g->end, (unsigned long) g->gap,
			    (unsigned long) want);
			return false;
		}
		prev_end = g->end;
	}
	if (i != n || t->count != n) {
		tap_diag("gap index has %zu nodes (count %zu), expected %zu", i, t->count, n);
		return false;
	}
	return ok;
}

/* Compare the model's runs with the implementation's areas. */
static bool same_layout(void)
{
	if (!gap_tree_ok(&gaps, impl, nimpl))
		return false;
	size_t k = 0;

	for (size_t p = 0; p < NP;) {
		if (owner[p] == 0) {
			p++;
			continue;
		}
		size_t q = p;
		while (q < NP && owner[q] == owner[p])
			q++;
		if (k >= nimpl || impl[k].base != addr_of(p) || impl[k].end != addr_of(q) ||
		    impl[k].flags != id_flags[owner[p]]) {
			tap_diag("area %zu: model [%#lx, %#lx) %#x, impl [%#lx, %#lx) %#x", k,
			    (unsigned long) addr_of(p), (unsigned long) addr_of(q),
			    id_flags[owner[p]], k < nimpl ? (unsigned long) impl[k].base : 0UL,
			    k < nimpl ? (unsigned long) impl[k].end : 0UL,
			    k < nimpl ? impl[k].flags : 0u);
			return false;
		}
		k++;
		p = q;
	}
	if (k != nimpl)
		tap_diag("model has %zu areas, impl %zu", k, nimpl);
	return k == nimpl;
}

/* Visitors: replace the visited area by what is left of it. */
static void visit_unmap(void *arg, const as_layout_range_t *r, const as_layout_split_t *s)
{
	unsigned flags = ((area_t *) r->data)->flags;

	(void) arg;
	impl_remove(r->base);
	if (!as_layout_empty(&s->left))
		impl_insert(s->left.base, s->left.end, flags);
	if (!as_layout_empty(&s->right))
		impl_insert(s->right.base, s->right.end, flags);
}

static void visit_protect(void *arg, const as_layout_range_t *r, const as_layout_split_t *s)
{
	unsigned flags = ((area_t *) r->data)->flags;

	impl_remove(r->base);
	if (!as_layout_empty(&s->left))
		impl_insert(s->left.base, s->left.end, flags);
	impl_insert(s->mid.base, s->mid.end, *(unsigned *) arg);
	if (!as_layout_empty(&s->right))
		impl_insert(s->right.base, s->right.end, flags);
}

static size_t impl_unmap(uintptr_t base, uintptr_t end)
{
	return as_layout_walk(impl_next, NULL, base, end, visit_unmap, NULL);
}

static void model_unmap(uintptr_t base, uintptr_t end)
{
	model_split_at(end);
	model_fill(base, end, 0);
}

static errno_t impl_protect(uintptr_t base, uintptr_t end, unsigned flags)
{
	if (!as_layout_covered(impl_next, NULL, base, end))
		return ENOENT;
	as_layout_walk(impl_next, NULL, base, end, visit_protect, &flags);
	return EOK;
}

static errno_t model_protect(uintptr_t base, uintptr_t end, unsigned flags)
{
	size_t p = page_of(base), e = page_of(end);

	for (size_t i = p; i < e; i++) {
		if (owner[i] == 0)
			return ENOENT;
	}
	model_split_at(end);
	while (p < e) {
		unsigned id = owner[p], nid = model_new_id(flags);
		for (; p < e && owner[p] == id; p++)
			owner[p] = nid;
	}
	return EOK;
}

static errno_t impl_create_fixed(uintptr_t base, size_t size, unsigned flags)
{
	errno_t rc = as_layout_range_check(&lim, base, size);

	if (rc == EOK && as_layout_overlaps(impl_next, NULL, base, base + size))
		rc = EEXIST;
	if (rc == EOK)
		impl_insert(base, base + size, flags);
	return rc;
}

static errno_t model_create_fixed(uintptr_t base, size_t size, unsigned flags)
{
	if (size == 0 || size % PS != 0 || base % PS != 0)
		return EINVAL;
	if (base + size < base)
		return EOVERFLOW;
	if (base < lim.floor || base + size > lim.top)
		return EINVAL;
	for (uintptr_t a = base; a < base + size; a += PS) {
		if (owner[page_of(a)] != 0)
			return EEXIST;
	}
	model_fill(base, base + size, model_new_id(flags));
	return EOK;
}

/* ---- fixed cases ---- */

static bool test_range_check(void)
{
	reset(AS_USER_FLOOR, 16);
	const as_layout_limits_t *u = &as_layout_user_limits;
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_FLOOR, PS), EOK);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_FLOOR, 0), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_FLOOR, PS + 1), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_FLOOR + 1, PS), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, 0, PS), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_FLOOR - PS, 2 * PS), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_TOP - PS, PS), EOK);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_TOP - PS, 2 * PS), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, AS_USER_TOP, PS), EINVAL);
	TAP_CHECK_EQ(as_layout_range_check(u, -2 * PS, 2 * PS), EOVERFLOW);
	TAP_CHECK_EQ(as_layout_range_check(u, -2 * PS, 4 * PS), EOVERFLOW);
	TAP_CHECK_EQ(as_layout_range_check(u, PS, -PS), EOVERFLOW);
	TAP_CHECK_EQ(as_layout_size_check(0), EINVAL);
	TAP_CHECK_EQ(as_layout_size_check(3 * PS), EOK);
	return true;
}

static bool test_first_fit(void)
{
	uintptr_t a = 0;

	reset(0x10000, 16);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, 0x10000, lim.top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, 0x10000);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, 0x10001, lim.top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, 0x11000);
	/* Areas at pages 0-1, 4-5, 7-9; holes 2-3 and 6. */
	impl_insert(addr_of(0), addr_of(2), 1);
	impl_insert(addr_of(4), addr_of(6), 1);
	impl_insert(addr_of(7), addr_of(10), 1);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, lim.floor, lim.top, 2 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(2));
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, addr_of(3), lim.top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(3));
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, addr_of(5), lim.top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(6));
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, lim.floor, lim.top, 3 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(10));
	/* Alignment: 4 pages from page 0 of a 0x10000-aligned floor. */
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, lim.floor, lim.top, PS, 4 * PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(12));
	/* Exactly up to the top, then one page too many. */
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, addr_of(NP - 4), lim.top, 4 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(NP - 4));
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, addr_of(NP - 3), lim.top, 4 * PS, PS, &a), ENOMEM);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, lim.top, lim.top, PS, PS, &a), ENOMEM);
	/* The full space. */
	impl_insert(addr_of(10), addr_of(NP), 2);
	impl_insert(addr_of(2), addr_of(4), 2);
	impl_insert(addr_of(6), addr_of(7), 2);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, lim.floor, lim.top, PS, PS, &a), ENOMEM);
	return true;
}

static bool test_fit_wrap(void)
{
	uintptr_t a = 0;
	uintptr_t top = UINTPTR_MAX - PS + 1; /* the last page */

	reset(0x10000, 16);
	/* Aligning up past the end of the address space must not wrap to 0. */
	TAP_CHECK_EQ(
	    as_layout_first_fit(&gaps, UINTPTR_MAX - 3 * PS + 1, UINTPTR_MAX, PS, 1UL << 40, &a),
	    ENOMEM);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, top - PS, top, 2 * PS, PS, &a), ENOMEM);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, top - PS, top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, top - PS);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, 0x10000, top, -2 * PS, PS, &a), ENOMEM);
	/* An area ending at the top: skipping it must end the search. */
	impl_insert(top - 4 * PS, top, 1);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, top - 5 * PS, top, 2 * PS, PS, &a), ENOMEM);
	TAP_CHECK_EQ(as_layout_first_fit(&gaps, top - 6 * PS, top, 2 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, top - 6 * PS);
	return true;
}

static bool test_place_fallback(void)
{
	uintptr_t a = 0;

	reset(0x10000, 100);
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, 0, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, lim.anywhere);
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, addr_of(200), PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(200));
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, lim.top + PS, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, lim.floor); /* a hint past the top: from the floor */
	impl_insert(addr_of(100), addr_of(NP), 1);
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, 0, 8 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, lim.floor);
	impl_insert(addr_of(0), addr_of(95), 1);
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, 0, 5 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(95));
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, 0, 6 * PS, PS, &a), ENOMEM);
	TAP_CHECK_EQ(as_layout_place(&gaps, &lim, 0, 2 * PS, 4 * PS, &a), EOK);
	TAP_CHECK_EQ(a, addr_of(96));
	return true;
}

static bool test_split_shapes(void)
{
	as_layout_range_t r = { 0x10000, 0x20000, NULL };
	as_layout_split_t s;

	as_layout_split(&r, 0x12000, 0x15000, &s); /* inside: three pieces */
	TAP_CHECK(s.left.base == 0x10000 && s.left.end == 0x12000);
	TAP_CHECK(s.mid.base == 0x12000 && s.mid.end == 0x15000);
	TAP_CHECK(s.right.base == 0x15000 && s.right.end == 0x20000);
	as_layout_split(&r, 0x8000, 0x15000, &s); /* over the front */
	TAP_CHECK(as_layout_empty(&s.left) && s.mid.base == 0x10000 && s.mid.end == 0x15000);
	TAP_CHECK(s.right.base == 0x15000 && s.right.end == 0x20000);
	as_layout_split(&r, 0x18000, 0x30000, &s); /* over the back */
	TAP_CHECK(s.left.end == 0x18000 && s.mid.end == 0x20000 && as_layout_empty(&s.right));
	as_layout_split(&r, 0x10000, 0x20000, &s); /* exactly */
	TAP_CHECK(as_layout_empty(&s.left) && as_layout_empty(&s.right));
	as_layout_split(&r, 0x1000, 0x90000, &s); /* around */
	TAP_CHECK(as_layout_empty(&s.left) && as_layout_empty(&s.right));
	TAP_CHECK(s.mid.base == 0x10000 && s.mid.end == 0x20000);
	return true;
}

/* Unmap over three areas and the gaps between and around them: every one
 * must go (an early stop leaves some), the ones at the ends trimmed. */
static bool test_unmap_span(void)
{
	reset(0x10000, 16);
	TAP_CHECK_EQ(model_create_fixed(addr_of(10), 4 * PS, 1), EOK);
	TAP_CHECK_EQ(impl_create_fixed(addr_of(10), 4 * PS, 1), EOK);
	TAP_CHECK_EQ(model_create_fixed(addr_of(16), 4 * PS, 2), EOK);
	TAP_CHECK_EQ(impl_create_fixed(addr_of(16), 4 * PS, 2), EOK);
	TAP_CHECK_EQ(model_create_fixed(addr_of(22), 4 * PS, 3), EOK);
	TAP_CHECK_EQ(impl_create_fixed(addr_of(22), 4 * PS, 3), EOK);
	TAP_CHECK_EQ(model_create_fixed(addr_of(40), PS, 3), EOK);
	TAP_CHECK_EQ(impl_create_fixed(addr_of(40), PS, 3), EOK);
	TAP_CHECK_EQ(impl_unmap(addr_of(12), addr_of(24)), 3);
	model_unmap(addr_of(12), addr_of(24));
	TAP_CHECK(same_layout());
	TAP_CHECK_EQ(nimpl, 3);
	TAP_CHECK_EQ(impl_unmap(addr_of(5), addr_of(30)), 2);
	model_unmap(addr_of(5), addr_of(30));
	TAP_CHECK(same_layout());
	TAP_CHECK_EQ(nimpl, 1);
	TAP_CHECK_EQ(impl_unmap(addr_of(0), addr_of(40)), 0);
	/* The middle of one area: it splits in two. */
	TAP_CHECK_EQ(impl_create_fixed(addr_of(50), 10 * PS, 1), EOK);
	TAP_CHECK_EQ(model_create_fixed(addr_of(50), 10 * PS, 1), EOK);
	TAP_CHECK_EQ(impl_unmap(addr_of(53), addr_of(55)), 1);
	model_unmap(addr_of(53), addr_of(55));
	TAP_CHECK(same_layout());
	TAP_CHECK_EQ(nimpl, 3);
	/* Coverage: a gap anywhere in the range. */
	TAP_CHECK(as_layout_covered(impl_next, NULL, addr_of(50), addr_of(53)));
	TAP_CHECK(!as_layout_covered(impl_next, NULL, addr_of(50), addr_of(56)));
	TAP_CHECK(!as_layout_covered(impl_next, NULL, addr_of(49), addr_of(51)));
	TAP_CHECK(!as_layout_covered(impl_next, NULL, addr_of(59), addr_of(61)));
	return true;
}

/* The kernel's split: a piece is inserted while its parent still covers
 * it (its gap is clamped to 0), then the parent's end moves down. */
static bool test_gap_overlap(void)
{
	as_gap_node_t parent, piece, next;
	as_gap_tree_t t;
	uintptr_t a = 0;

	as_gap_tree_init(&t);
	as_gap_insert(&t, &parent, 0x10000, 0x20000);
	as_gap_insert(&t, &next, 0x30000, 0x31000);
	TAP_CHECK_EQ(next.gap, 0x10000);
	as_gap_insert(&t, &piece, 0x18000, 0x20000); /* inside the parent */
	TAP_CHECK_EQ(piece.gap, 0);
	TAP_CHECK_EQ(next.gap, 0x10000);
	as_gap_end_set(&t, &parent, 0x18000); /* commit: the parent is cut */
	TAP_CHECK_EQ(piece.gap, 0);
	area_t want[] = { { 0x10000, 0x18000, 0, NULL }, { 0x18000, 0x20000, 0, NULL },
		{ 0x30000, 0x31000, 0, NULL } };
	TAP_CHECK(gap_tree_ok(&t, want, 3));
	/* unmap of the piece: the hole appears in the index */
	as_gap_remove(&t, &piece);
	TAP_CHECK_EQ(next.gap, 0x18000);
	TAP_CHECK_EQ(as_layout_first_fit(&t, 0x10000, 0x40000, 0x18000, PS, &a), EOK);
	TAP_CHECK_EQ(a, 0x18000);
	TAP_CHECK_EQ(as_layout_first_fit(&t, 0x10000, 0x60000, 0x19000, PS, &a), EOK);
	TAP_CHECK_EQ(a, 0x31000);
	/* grow the first area into the hole */
	as_gap_end_set(&t, &parent, 0x2f000);
	TAP_CHECK_EQ(next.gap, 0x1000);
	as_gap_remove(&t, &parent);
	as_gap_remove(&t, &next);
	TAP_CHECK(t.root == NULL && t.count == 0);
	return true;
}

/* n one-page areas with one-page holes between them: a two-page area fits
 * only above them all.  Stepping over the areas costs n steps; the index
 * must answer in O(log n), and keep doing so as holes open and close. */
static bool fit_cost(size_t n)
{
	as_gap_node_t *nodes = calloc(n, sizeof(*nodes));
	as_gap_tree_t t;
	uintptr_t base = 0x10000, top = base + 4 * n * PS, a = 0;
	uint64_t worst = 0;

	TAP_CHECK(nodes != NULL);
	as_gap_tree_init(&t);
	for (size_t i = 0; i < n; i++)
		as_gap_insert(&t, &nodes[i], base + 2 * i * PS, base + (2 * i + 1) * PS);
	size_t bound = 8 * (size_t) t.root->height + 8;
	TAP_CHECK(t.root->height <= 2 * 64 - __builtin_clzll(n)); /* ~1.44 log2 n */
	t.steps = 0;
	TAP_CHECK_EQ(as_layout_first_fit(&t, base, top, 2 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, base + (2 * n - 1) * PS);
	worst = t.steps;
	/* a hole of three pages opens in the middle, closes again, and one
	 * opens at three quarters */
	as_gap_remove(&t, &nodes[n / 2 + 1]);
	t.steps = 0;
	TAP_CHECK_EQ(as_layout_first_fit(&t, base, top, 2 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, nodes[n / 2].end);
	worst = t.steps > worst ? t.steps : worst;
	as_gap_insert(&t, &nodes[n / 2 + 1], a, a + 2 * PS);
	as_gap_remove(&t, &nodes[3 * n / 4]);
	t.steps = 0;
	TAP_CHECK_EQ(as_layout_first_fit(&t, base, top, 2 * PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, nodes[3 * n / 4 - 1].end);
	worst = t.steps > worst ? t.steps : worst;
	/* one page from a quarter: the hole above it; then that area grows
	 * over the hole and the next hole is the answer */
	t.steps = 0;
	TAP_CHECK_EQ(as_layout_first_fit(&t, nodes[n / 4].base, top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, nodes[n / 4].end);
	worst = t.steps > worst ? t.steps : worst;
	as_gap_end_set(&t, &nodes[n / 4], nodes[n / 4].end + PS);
	t.steps = 0;
	TAP_CHECK_EQ(as_layout_first_fit(&t, nodes[n / 4].base, top, PS, PS, &a), EOK);
	TAP_CHECK_EQ(a, nodes[n / 4 + 1].end);
	worst = t.steps > worst ? t.steps : worst;
	tap_diag("%zu areas: height %d, at most %llu nodes visited per search (bound %zu)", n,
	    t.root->height, (unsigned long long) worst, bound);
	TAP_CHECK(worst <= bound);
	free(nodes);
	return true;
}

#define STRESS_SLOTS 2000
#define STRESS_OPS 20000

/* Areas of random sizes come and go, grow and shrink in 2,000 slots: after
 * every step the index holds exactly the present ones, in order, with
 * every gap, height and maximum right, and first fit agrees with a scan of
 * the slots. */
static bool test_gap_stress(void)
{
	static as_gap_node_t node[STRESS_SLOTS];
	static area_t present[STRESS_SLOTS];
	static bool in[STRESS_SLOTS];
	as_gap_tree_t t;
	prng_t p;
	uintptr_t base = 0x10000, slot = 8 * PS;

	as_gap_tree_init(&t);
	prng_seed(&p, 0x9a9);
	for (int op = 0; op < STRESS_OPS; op++) {
		size_t i = prng_below(&p, STRESS_SLOTS), n = 0;
		uintptr_t b = base + i * slot, e = b + (1 + prng_below(&p, 8)) * PS;
		if (!in[i])
			as_gap_insert(&t, &node[i], b, e);
		else if (prng_below(&p, 2) == 0)
			as_gap_end_set(&t, &node[i], e);
		else
			as_gap_remove(&t, &node[i]);
		in[i] = !in[i] || node[i].height != 0;
		for (size_t k = 0; k < STRESS_SLOTS; k++) {
			if (in[k])
				present[n++] = (area_t){ node[k].base, node[k].end, 0, &node[k] };
		}
		TAP_CHECK(gap_tree_ok(&t, present, n));
		/* the first hole of 3 pages from a random slot, by scanning */
		uintptr_t from = base + prng_below(&p, STRESS_SLOTS) * slot, want = 0, a = 0,
		          lo = from;
		for (size_t k = 0; k < n && want == 0; k++) {
			if (present[k].end <= lo)
				continue;
			if (present[k].base >= lo + 3 * PS)
				want = lo;
			else
				lo = present[k].end;
		}
		if (want == 0)
			want = lo;
		TAP_CHECK_EQ(
		    as_layout_first_fit(&t, from, UINTPTR_MAX - PS + 1, 3 * PS, PS, &a), EOK);
		TAP_CHECK_EQ(a, want);
	}
	tap_diag("%d operations, %zu areas at the end, height %d", STRESS_OPS, t.count,
	    t.root != NULL ? t.root->height : 0);
	return true;
}

static bool test_fit_logarithmic(void)
{
	return fit_cost(1000) && fit_cost(10000) && fit_cost(100000);
}

/* ---- randomized ---- */

static uintptr_t rand_addr(prng_t *p)
{
	switch (prng_below(p, 16)) {
	case 0:
		return prng_next(p) & ~(PS - 1);
	case 1:
		return prng_below(p, lim.floor + 1);
	case 2:
		return lim.top - prng_below(p, 4) * PS;
	default:
		return addr_of(prng_below(p, NP));
	}
}

static size_t rand_pages(prng_t *p)
{
	return prng_below(p, 8) == 0 ? 1 + prng_below(p, NP / 2) : 1 + prng_below(p, 24);
}

static bool op_anywhere(prng_t *p)
{
	uintptr_t hint = prng_below(p, 4) == 0 ? prng_next(p) : rand_addr(p);
	size_t pages = rand_pages(p), align = PS << prng_below(p, 4);
	unsigned flags = (unsigned) prng_below(p, 8);
	uintptr_t a = 0, m = 0;
	errno_t rc = as_layout_place(&gaps, &lim, hint, pages * PS, align, &a);

	TAP_CHECK_EQ(rc, model_place(hint, pages, align, &m));
	if (rc == EOK) {
		n_anywhere++;
		TAP_CHECK_EQ(a, m);
		impl_insert(a, a + pages * PS, flags);
		model_fill(a, a + pages * PS, model_new_id(flags));
	}
	return true;
}

static bool op_fixed(prng_t *p)
{
	uintptr_t base = rand_addr(p);
	size_t size = prng_below(p, 16) == 0 ? prng_next(p) : rand_pages(p) * PS;
	unsigned flags = (unsigned) prng_below(p, 8);

	if (prng_below(p, 32) == 0)
		base += 8;
	errno_t rc = impl_create_fixed(base, size, flags);

	TAP_CHECK_EQ(rc, model_create_fixed(base, size, flags));
	n_fixed += rc == EOK;
	return true;
}

static bool op_unmap(prng_t *p)
{
	uintptr_t base = addr_of(prng_below(p, NP));
	size_t pages = prng_below(p, 4) == 0 ? 1 + prng_below(p, 64) : 1 + prng_below(p, 8);

	if (page_of(base) + pages > NP)
		pages = NP - page_of(base);
	n_unmap_visits += impl_unmap(base, base + pages * PS);
	model_unmap(base, base + pages * PS);
	return true;
}

static bool op_protect(prng_t *p)
{
	uintptr_t base = addr_of(prng_below(p, NP));
	size_t pages = 1 + prng_below(p, 12);
	unsigned flags = (unsigned) prng_below(p, 8);

	if (page_of(base) + pages > NP)
		pages = NP - page_of(base);
	errno_t rc = impl_protect(base, base + pages * PS, flags);

	TAP_CHECK_EQ(rc, model_protect(base, base + pages * PS, flags));
	n_protect += rc == EOK;
	return true;
}

static bool run_seed(uint64_t seed, size_t ops)
{
	prng_t p;

	prng_seed(&p, seed);
	reset(0x10000UL << prng_below(&p, 8), 1 + prng_below(&p, NP - 1));
	tap_diag("seed %#llx: floor %#lx, anywhere page %zu, %zu ops", (unsigned long long) seed,
	    (unsigned long) lim.floor, page_of(lim.anywhere), ops);
	for (size_t i = 0; i < ops; i++) {
		if (next_id > MAX_IDS - 2 * NP)
			model_compact();
		unsigned k = (unsigned) prng_below(&p, 10);
		bool ok = k < 3 ? op_anywhere(&p)
		    : k < 5     ? op_fixed(&p)
		    : k < 8     ? op_unmap(&p)
		                : op_protect(&p);
		peak_areas = nimpl > peak_areas ? nimpl : peak_areas;
		if (!ok || !same_layout()) {
			tap_diag("seed %#llx: op %zu (kind %u) went wrong",
			    (unsigned long long) seed, i, k);
			return false;
		}
	}
	return true;
}

static const uint64_t seeds[] = { 1, 0x5eed, 0xa5a5a5a5deadbeefULL, 20240601 };

static bool test_random(void)
{
	size_t total = 0;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		if (!run_seed(seeds[i], OPS_PER_SEED))
			return false;
		total += OPS_PER_SEED;
	}
	tap_diag("%zu randomized operations: %zu anywhere and %zu fixed creates, %zu protects "
	         "succeeded, unmaps visited %zu areas, at most %zu areas",
	    total, n_anywhere, n_fixed, n_protect, n_unmap_visits, peak_areas);
	return total >= 100000;
}

static const tap_case_t cases[] = {
	{ "range checks", test_range_check },
	{ "first fit: holes, exact fit, alignment, top, full", test_first_fit },
	{ "first fit: no wrapping at the end of the address space", test_fit_wrap },
	{ "placement: hint, anywhere floor, fallback to the floor", test_place_fallback },
	{ "split shapes", test_split_shapes },
	{ "unmap across several areas and gaps; coverage", test_unmap_span },
	{ "gap index: a piece overlapping its parent, then the cut", test_gap_overlap },
	{ "first fit visits O(log n) nodes with 100,000 areas", test_fit_logarithmic },
	{ "gap index under 20,000 random inserts, removes and resizes", test_gap_stress },
	{ "randomized against the page model", test_random },
};

int main(void)
{
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
