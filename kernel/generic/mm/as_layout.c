/*
 * Placement and split arithmetic of address-space areas (pure code; see
 * mm/as_layout.h).  Built into the kernel and into the host test
 * tests/test_as_layout.c, which checks it against a page-by-page model.
 *
 * First fit searches the gap index (an AVL tree of the areas, each node
 * with the free gap below its area and the largest gap of its subtree; see
 * mm/as_layout.h): it starts at the first area above the lowest candidate
 * address and moves from gap to gap in address order, skipping every
 * subtree whose largest gap is too small, so the cost is O(log n) however
 * many areas lie below the answer.  (It used to step over every area below
 * the answer: a task with n areas paid O(n) per placement, and the anon
 * pager, making one area per chunk, paid O(n^2) for n chunks.)  Every
 * addition is checked for wrapping: a range that would wrap simply does
 * not fit.
 */
#include <abi/as.h>
#include <abi/page.h>
#include <debug.h>
#include <mm/as_layout.h>

const as_layout_limits_t as_layout_user_limits = {
	.floor = AS_USER_FLOOR,
	.anywhere = AS_ANYWHERE_FLOOR,
	.top = AS_USER_TOP,
};

static bool layout_align_up(uintptr_t a, size_t align, uintptr_t *out)
{
	uintptr_t r = (a + (align - 1)) & ~(uintptr_t) (align - 1);

	if (r < a)
		return false;
	*out = r;
	return true;
}

errno_t as_layout_size_check(size_t size)
{
	if (size == 0 || size % PAGE_SIZE != 0)
		return EINVAL;
	return EOK;
}

errno_t as_layout_range_check(const as_layout_limits_t *lim, uintptr_t base, size_t size)
{
	errno_t rc = as_layout_size_check(size);

	if (rc != EOK)
		return rc;
	if (base % PAGE_SIZE != 0)
		return EINVAL;
	if (size > UINTPTR_MAX - base)
		return EOVERFLOW;
	if (base < lim->floor || base + size > lim->top)
		return EINVAL;
	return EOK;
}

/* ---- the gap index ---- */

void as_gap_tree_init(as_gap_tree_t *t)
{
	*t = (as_gap_tree_t){ .root = NULL };
}

static int gap_height(const as_gap_node_t *n)
{
	return n ? n->height : 0;
}

static uintptr_t gap_max(const as_gap_node_t *n)
{
	return n ? n->max_gap : 0;
}

/* Free bytes between the end of @a prev (NULL: address 0) and @a base. */
static uintptr_t gap_below(const as_gap_node_t *prev, uintptr_t base)
{
	uintptr_t from = prev ? prev->end : 0;

	return base > from ? base - from : 0;
}

/* Height and largest gap of @a n from its children's. */
static void gap_update(as_gap_node_t *n)
{
	int hl = gap_height(n->left), hr = gap_height(n->right);
	uintptr_t m = n->gap;

	n->height = 1 + (hl > hr ? hl : hr);
	if (gap_max(n->left) > m)
		m = gap_max(n->left);
	if (gap_max(n->right) > m)
		m = gap_max(n->right);
	n->max_gap = m;
}

/* Put @a new where @a old hangs below @a parent (NULL: at the root). */
static void gap_replace(
    as_gap_tree_t *t, as_gap_node_t *parent, as_gap_node_t *old, as_gap_node_t *new)
{
	if (parent == NULL)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new != NULL)
		new->parent = parent;
}

static as_gap_node_t *gap_rotate_left(as_gap_tree_t *t, as_gap_node_t *x)
{
	as_gap_node_t *y = x->right;

	gap_replace(t, x->parent, x, y);
	x->right = y->left;
	if (y->left != NULL)
		y->left->parent = x;
	y->left = x;
	x->parent = y;
	gap_update(x);
	gap_update(y);
	return y;
}

static as_gap_node_t *gap_rotate_right(as_gap_tree_t *t, as_gap_node_t *x)
{
	as_gap_node_t *y = x->left;

	gap_replace(t, x->parent, x, y);
	x->left = y->right;
	if (y->right != NULL)
		y->right->parent = x;
	y->right = x;
	x->parent = y;
	gap_update(x);
	gap_update(y);
	return y;
}

/* Restore the AVL balance at @a n (its subtrees are balanced and up to
 * date) and bring it up to date; the subtree's new root. */
static as_gap_node_t *gap_balance(as_gap_tree_t *t, as_gap_node_t *n)
{
	int bf = gap_height(n->left) - gap_height(n->right);

	if (bf > 1) {
		if (gap_height(n->left->left) < gap_height(n->left->right))
			gap_rotate_left(t, n->left);
		return gap_rotate_right(t, n);
	}
	if (bf < -1) {
		if (gap_height(n->right->right) < gap_height(n->right->left))
			gap_rotate_right(t, n->right);
		return gap_rotate_left(t, n);
	}
	gap_update(n);
	return n;
}

/* The children of @a n (or its own gap) changed: balance and update it,
 * and its ancestors as long as a node's height or largest gap changes
 * (above that, nothing depends on the change). */
static void gap_fix_up(as_gap_tree_t *t, as_gap_node_t *n)
{
	while (n != NULL) {
		int h = n->height;
		uintptr_t m = n->max_gap;
		as_gap_node_t *r = gap_balance(t, n);
		if (r == n && n->height == h && n->max_gap == m)
			return;
		n = r->parent;
	}
}

as_gap_node_t *as_gap_first(const as_gap_tree_t *t)
{
	as_gap_node_t *n = t->root;

	while (n != NULL && n->left != NULL)
		n = n->left;
	return n;
}

as_gap_node_t *as_gap_next(const as_gap_node_t *n)
{
	if (n->right != NULL) {
		n = n->right;
		while (n->left != NULL)
			n = n->left;
		return (as_gap_node_t *) n;
	}
	while (n->parent != NULL && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

static as_gap_node_t *gap_prev(const as_gap_node_t *n)
{
	if (n->left != NULL) {
		n = n->left;
		while (n->right != NULL)
			n = n->right;
		return (as_gap_node_t *) n;
	}
	while (n->parent != NULL && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

/* The gap of the node after @a n changed (n's end moved, or n came or is
 * going): measure it from @a prev and update the path above it. */
static void gap_next_remeasure(as_gap_tree_t *t, as_gap_node_t *next, const as_gap_node_t *prev)
{
	if (next == NULL)
		return;
	next->gap = gap_below(prev, next->base);
	gap_fix_up(t, next);
}

void as_gap_insert(as_gap_tree_t *t, as_gap_node_t *n, uintptr_t base, uintptr_t end)
{
	as_gap_node_t *p = NULL, **link = &t->root;

	assert(base < end);
	while (*link != NULL) {
		p = *link;
		assert(p->base != base);
		link = base < p->base ? &p->left : &p->right;
	}
	*n = (as_gap_node_t){ .parent = p, .base = base, .end = end, .height = 1 };
	*link = n;
	t->count++;
	n->gap = gap_below(gap_prev(n), base);
	n->max_gap = n->gap;
	gap_fix_up(t, p);
	gap_next_remeasure(t, as_gap_next(n), n);
}

/* Unlink @a n, which has two children, putting its successor @a s in its
 * place; the lowest node whose subtree changed. */
static as_gap_node_t *gap_unlink_inner(as_gap_tree_t *t, as_gap_node_t *n, as_gap_node_t *s)
{
	as_gap_node_t *low = s;

	if (s->parent != n) {
		low = s->parent;
		gap_replace(t, s->parent, s, s->right); /* s has no left child */
		s->right = n->right;
		n->right->parent = s;
	}
	gap_replace(t, n->parent, n, s);
	s->left = n->left;
	n->left->parent = s;
	s->height = n->height; /* as n's until the fix-up passes */
	s->max_gap = n->max_gap;
	return low;
}

void as_gap_remove(as_gap_tree_t *t, as_gap_node_t *n)
{
	as_gap_node_t *prev = gap_prev(n), *next = as_gap_next(n), *low;

	if (n->left != NULL && n->right != NULL) {
		low = gap_unlink_inner(t, n, next);
	} else {
		low = n->parent;
		gap_replace(t, n->parent, n, n->left != NULL ? n->left : n->right);
	}
	t->count--;
	*n = (as_gap_node_t){ .height = 0 };
	gap_fix_up(t, low);
	gap_next_remeasure(t, next, prev);
}

void as_gap_end_set(as_gap_tree_t *t, as_gap_node_t *n, uintptr_t end)
{
	assert(end > n->base);
	n->end = end;
	gap_next_remeasure(t, as_gap_next(n), n);
}

/* The leftmost node of the subtree @a n (whose largest gap is at least
 * @a size) with a gap of at least @a size. */
static as_gap_node_t *gap_leftmost_fit(as_gap_tree_t *t, as_gap_node_t *n, size_t size)
{
	for (;;) {
		t->steps++;
		if (gap_max(n->left) >= size)
			n = n->left;
		else if (n->gap >= size)
			return n;
		else
			n = n->right;
	}
}

/* The next node after @a n in address order with a gap of at least
 * @a size, or NULL: whole subtrees with smaller gaps are skipped. */
static as_gap_node_t *gap_next_fit(as_gap_tree_t *t, as_gap_node_t *n, size_t size)
{
	if (gap_max(n->right) >= size)
		return gap_leftmost_fit(t, n->right, size);
	for (; n->parent != NULL; n = n->parent) {
		as_gap_node_t *p = n->parent;

		t->steps++;
		if (p->left != n)
			continue;
		if (p->gap >= size)
			return p;
		if (gap_max(p->right) >= size)
			return gap_leftmost_fit(t, p->right, size);
	}
	return NULL;
}

/* The lowest node whose base is above @a addr (its gap may reach above
 * @a addr; every gap of a lower node lies below), or NULL. */
static as_gap_node_t *gap_first_above(as_gap_tree_t *t, uintptr_t addr)
{
	as_gap_node_t *n = t->root, *best = NULL;

	while (n != NULL) {
		t->steps++;
		if (n->base > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* The lowest aligned a >= from with [a, a + size) inside [lo, hi) and
 * below top. */
static bool gap_fit_in(uintptr_t lo, uintptr_t hi, uintptr_t from, uintptr_t top, size_t size,
    size_t align, uintptr_t *out)
{
	uintptr_t a;

	if (lo < from)
		lo = from;
	if (hi > top)
		hi = top;
	if (!layout_align_up(lo, align, &a) || a >= hi || hi - a < size)
		return false;
	*out = a;
	return true;
}

errno_t as_layout_first_fit(
    as_gap_tree_t *t, uintptr_t from, uintptr_t top, size_t size, size_t align, uintptr_t *out)
{
	as_gap_node_t *n = gap_first_above(t, from);
	uintptr_t tail = 0;

	assert(size > 0 && align >= PAGE_SIZE && (align & (align - 1)) == 0);
	if (n != NULL && n->gap < size)
		n = gap_next_fit(t, n, size);
	for (; n != NULL; n = gap_next_fit(t, n, size)) {
		uintptr_t lo = n->base - n->gap;
		if (lo >= top)
			return ENOMEM;
		if (gap_fit_in(lo, n->base, from, top, size, align, out))
			return EOK;
	}
	/* Above the last area. */
	for (n = t->root; n != NULL; n = n->right) {
		t->steps++;
		tail = n->end;
	}
	return gap_fit_in(tail, top, from, top, size, align, out) ? EOK : ENOMEM;
}

errno_t as_layout_place(as_gap_tree_t *t, const as_layout_limits_t *lim, uintptr_t hint,
    size_t size, size_t align, uintptr_t *out)
{
	uintptr_t from = hint > lim->anywhere ? hint : lim->anywhere;

	if (as_layout_first_fit(t, from, lim->top, size, align, out) == EOK)
		return EOK;
	return as_layout_first_fit(t, lim->floor, lim->top, size, align, out);
}

/* ---- splits and walks ---- */

void as_layout_split(
    const as_layout_range_t *area, uintptr_t rbase, uintptr_t rend, as_layout_split_t *out)
{
	uintptr_t lo = rbase > area->base ? rbase : area->base;
	uintptr_t hi = rend < area->end ? rend : area->end;

	assert(rbase < rend && area->base < area->end);
	assert(rbase < area->end && rend > area->base);
	out->left = (as_layout_range_t){ area->base, lo, area->data };
	out->mid = (as_layout_range_t){ lo, hi, area->data };
	out->right = (as_layout_range_t){ hi, area->end, area->data };
}

size_t as_layout_walk(as_layout_next_fn_t next, void *arg, uintptr_t rbase, uintptr_t rend,
    as_layout_visit_fn_t visit, void *varg)
{
	as_layout_range_t r;
	as_layout_split_t s;
	uintptr_t addr = rbase;
	size_t visited = 0;

	/* Stop when the range is used up or the next area starts past it. */
	while (addr < rend && next(arg, addr, &r) && r.base < rend) {
		as_layout_split(&r, rbase, rend, &s);
		visit(varg, &r, &s);
		visited++;
		addr = r.end;
	}
	return visited;
}

bool as_layout_covered(as_layout_next_fn_t next, void *arg, uintptr_t rbase, uintptr_t rend)
{
	as_layout_range_t r;
	uintptr_t addr = rbase;

	while (addr < rend) {
		if (!next(arg, addr, &r) || r.base > addr)
			return false;
		addr = r.end;
	}
	return true;
}

bool as_layout_overlaps(as_layout_next_fn_t next, void *arg, uintptr_t rbase, uintptr_t rend)
{
	as_layout_range_t r;

	return next(arg, rbase, &r) && r.base < rend;
}
