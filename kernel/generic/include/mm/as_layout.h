/*
 * Pure placement and split arithmetic of address-space areas.
 *
 * Nothing here touches memory, locks or page tables: the functions see the
 * areas of an address space only through a callback that answers "the
 * first area that ends above this address", or through the gap index
 * (placement), whose nodes the caller embeds in its areas; so the same
 * code runs in the kernel (over the area B+tree and the index, under the
 * address space's lock) and in the host tests (over an array, against a
 * reference model).
 *
 * Ranges are half-open [base, end).  An area's end is representable (areas
 * live below AS_USER_TOP), so end never wraps to 0.
 */
#ifndef KERN_MM_AS_LAYOUT_H_
#define KERN_MM_AS_LAYOUT_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct as_layout_range {
	uintptr_t base;
	uintptr_t end; /* exclusive */
	void *data; /* the caller's object (as_area_t * in the kernel) */
} as_layout_range_t;

/*
 * The first area whose end is above @a addr (it may contain @a addr):
 * true and *out filled, or false when there is none.
 */
typedef bool (*as_layout_next_fn_t)(void *arg, uintptr_t addr, as_layout_range_t *out);

/* The bounds of the user half (the ABI's values; tests use smaller ones). */
typedef struct as_layout_limits {
	uintptr_t floor; /* lowest usable address (AS_USER_FLOOR) */
	uintptr_t anywhere; /* where placement starts looking (AS_ANYWHERE_FLOOR) */
	uintptr_t top; /* one past the highest usable address (AS_USER_TOP) */
} as_layout_limits_t;

/* The ABI's limits. */
extern const as_layout_limits_t as_layout_user_limits;

/*
 * Validate a size alone: EINVAL when 0 or not page aligned.
 */
errno_t as_layout_size_check(size_t size);

/*
 * Validate a fixed range: EINVAL (size 0, base or size unaligned),
 * EOVERFLOW (base + size wraps), EINVAL (any byte outside
 * [lim->floor, lim->top)).  Checked in that order.
 */
errno_t as_layout_range_check(const as_layout_limits_t *lim, uintptr_t base, size_t size);

/*
 * The gap index: first fit in O(log n) however many areas there are.
 *
 * Every area is also a node of an AVL tree ordered by base.  A node knows
 * the free gap right below its area (from the end of the area before it,
 * or from 0 for the lowest area) and the largest gap anywhere in its
 * subtree, so a search for room for @a size bytes never enters a subtree
 * whose largest gap is smaller.  The node lives inside the area (the
 * caller embeds it), so keeping the index never allocates and never fails:
 * inserting, removing and moving an area's end are part of a commit.
 *
 * A gap is measured from the previous node's end and clamped at 0, so a
 * piece that overlaps its parent for a moment (an area being split: the
 * piece is inserted first, the parent cut afterwards, see mm/as.c) just
 * has no gap until the parent's end moves; nothing places areas then.
 */
typedef struct as_gap_node {
	struct as_gap_node *left, *right, *parent;
	uintptr_t base;
	uintptr_t end; /* exclusive */
	uintptr_t gap; /* free bytes right below base */
	uintptr_t max_gap; /* the largest gap in this subtree */
	int height; /* of this subtree: a leaf is 1 */
} as_gap_node_t;

typedef struct as_gap_tree {
	as_gap_node_t *root;
	size_t count;
	/* statistics: nodes visited by first-fit searches (the host test
	 * checks that a search costs O(log n), not O(n)) */
	uint64_t steps;
} as_gap_tree_t;

void as_gap_tree_init(as_gap_tree_t *t);
/* Add the area [base, end) as node @a n (base not yet in the tree). */
void as_gap_insert(as_gap_tree_t *t, as_gap_node_t *n, uintptr_t base, uintptr_t end);
void as_gap_remove(as_gap_tree_t *t, as_gap_node_t *n);
/* The area of node @a n now ends at @a end (it grew or shrank). */
void as_gap_end_set(as_gap_tree_t *t, as_gap_node_t *n, uintptr_t end);
/* The nodes in address order (NULL: none / no more). */
as_gap_node_t *as_gap_first(const as_gap_tree_t *t);
as_gap_node_t *as_gap_next(const as_gap_node_t *n);

/*
 * First fit: the lowest address a >= @a from, aligned to @a align (a power
 * of two, at least a page), with [a, a + size) free and below @a top.
 * EOK and *out, or ENOMEM when no such hole exists (also when the
 * arithmetic would wrap).  O(log n) steps for page alignment; a larger
 * alignment adds O(log n) for every gap that is large enough but where
 * the alignment leaves too little room.
 */
errno_t as_layout_first_fit(
    as_gap_tree_t *t, uintptr_t from, uintptr_t top, size_t size, size_t align, uintptr_t *out);

/*
 * The kernel's choice for a non-fixed area: the first fit at or above
 * max(hint, lim->anywhere); if there is none, the first fit at or above
 * lim->floor.  ENOMEM when the address space has no such hole.
 */
errno_t as_layout_place(as_gap_tree_t *t, const as_layout_limits_t *lim, uintptr_t hint,
    size_t size, size_t align, uintptr_t *out);

/*
 * How the range [rbase, rend) cuts the area @a area (they must overlap):
 * left = the part below the range, mid = the part inside, right = the part
 * above.  An empty piece has base == end.  At most three pieces, and mid is
 * never empty.
 */
typedef struct as_layout_split {
	as_layout_range_t left, mid, right;
} as_layout_split_t;

void as_layout_split(
    const as_layout_range_t *area, uintptr_t rbase, uintptr_t rend, as_layout_split_t *out);

static inline bool as_layout_empty(const as_layout_range_t *r)
{
	return r->base == r->end;
}

/*
 * Visit, in address order, every area overlapping [rbase, rend), with how
 * the range cuts it.  The visitor may remove or shrink the area it is
 * given (anything inside that area's old range), since the walk asks
 * @a next afresh, from the old end, for the following area.  Returns the
 * number of areas visited.
 */
typedef void (*as_layout_visit_fn_t)(
    void *arg, const as_layout_range_t *area, const as_layout_split_t *split);

size_t as_layout_walk(as_layout_next_fn_t next, void *arg, uintptr_t rbase, uintptr_t rend,
    as_layout_visit_fn_t visit, void *varg);

/* Is every byte of [rbase, rend) inside some area (no gap)? */
bool as_layout_covered(as_layout_next_fn_t next, void *arg, uintptr_t rbase, uintptr_t rend);

/* Does any area overlap [rbase, rend)? */
bool as_layout_overlaps(as_layout_next_fn_t next, void *arg, uintptr_t rbase, uintptr_t rend);

#endif
