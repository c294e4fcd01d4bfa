/*
 * Used space of an address-space area: which of its pages are mapped now.
 *
 * Kept as maximal intervals of pages in a B+tree keyed by the interval's
 * base address, with its page count as the value, plus the total of
 * resident pages.  See mm/used_space.c for the invariants.
 *
 * Ranges are given as a page-aligned base address and a page count.  Every
 * range-taking call validates its arguments in this order and changes
 * nothing when it fails:
 *   EINVAL     the base is not page aligned or the count is zero;
 *   EOVERFLOW  the range does not end at or below the start of the last
 *              page of the address space (its end must be representable,
 *              so the top page of the address space can never be used);
 *   EEXIST     (insert) some page of the range is already used;
 *   ENOENT     (remove) some page of the range is not used;
 *   ENOMEM     the tree could not allocate a node.
 *
 * No locking: the owner of the area serialises all calls.
 */
#ifndef KERN_MM_USED_SPACE_H_
#define KERN_MM_USED_SPACE_H_

#include <abi/errno.h>
#include <adt/btree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct used_space {
	btree_t tree; /* interval base -> page count (cast to void *) */
	size_t pages; /* resident pages: sum of all counts */
} used_space_t;

/*
 * Called for each interval (or part of one) a walk visits, in address
 * order; return false to stop the walk.  The callback must not modify the
 * used space it is walking (use used_space_next() for that).
 */
typedef bool (*used_space_walk_fn_t)(void *arg, uintptr_t base, size_t count);

/* Empty used space; allocates nothing. */
void used_space_init(used_space_t *us);
/* Forget every interval and free all memory. */
void used_space_fini(used_space_t *us);

/* Mark pages used, merging with adjacent intervals. */
errno_t used_space_insert(used_space_t *us, uintptr_t page, size_t count);

/*
 * Mark pages unused.  Every page of the range must be used; since adjacent
 * intervals are always merged, such a range lies inside one interval, which
 * is removed, shortened at either end, or split in two.
 */
errno_t used_space_remove(used_space_t *us, uintptr_t page, size_t count);

/*
 * Mark every used page of the range unused, whatever gaps it has (shrink,
 * unmap).  *removed (if not NULL) gets the number of pages that were used.
 * Fails only with EINVAL, EOVERFLOW or ENOMEM, changing nothing.
 */
errno_t used_space_clear(used_space_t *us, uintptr_t page, size_t count, size_t *removed);

/* Is the page holding @a addr used?  @a addr need not be aligned. */
bool used_space_contains(used_space_t *us, uintptr_t addr);

/* The interval holding @a addr: EOK, or ENOENT when that page is unused. */
errno_t used_space_find(used_space_t *us, uintptr_t addr, uintptr_t *base, size_t *count);

/*
 * How many pages from the page-aligned @a page on are unused, at most
 * @a max (one B+tree descent): 0 when @a page itself is used.
 */
size_t used_space_unused_from(used_space_t *us, uintptr_t page, size_t max);

/*
 * The first interval that ends above @a addr (it may contain @a addr), or
 * ENOENT.  Lets a caller walk while it modifies the used space:
 *   for (a = from; used_space_next(us, a, &b, &n) == EOK && b < to;
 *       a = b + n * PAGE_SIZE) ...
 */
errno_t used_space_next(used_space_t *us, uintptr_t addr, uintptr_t *base, size_t *count);

/* Visit every interval in address order. */
void used_space_walk(used_space_t *us, used_space_walk_fn_t fn, void *arg);

/*
 * Visit the parts of intervals inside the range, clipped to it, in address
 * order.  Validates the range like insert (EINVAL, EOVERFLOW) and visits
 * nothing then; EOK otherwise, also when the callback stopped the walk.
 */
errno_t used_space_walk_range(
    used_space_t *us, uintptr_t page, size_t count, used_space_walk_fn_t fn, void *arg);

size_t used_space_pages(const used_space_t *us);
size_t used_space_intervals(const used_space_t *us);

/* Validate the invariants (and the tree's): EOK or EINVAL.  For tests. */
errno_t used_space_check(const used_space_t *us);

#endif
