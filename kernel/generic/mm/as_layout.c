/*
 * Placement and split arithmetic of address-space areas (pure code; see
 * mm/as_layout.h).  Built into the kernel and into the host test
 * tests/test_as_layout.c, which checks it against a page-by-page model.
 *
 * First fit skips from hole to hole: it asks for the first area ending
 * above the candidate address; if that area starts at or after the end of
 * the candidate range, the candidate fits, otherwise the next candidate is
 * the area's end rounded up to the alignment.  Every step moves past one
 * area, so the cost is the number of areas below the answer, each found in
 * O(log n) by the caller's B+tree.  Every addition is checked for wrapping:
 * a range that would wrap simply does not fit.
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

errno_t as_layout_first_fit(as_layout_next_fn_t next, void *arg, uintptr_t from, uintptr_t top,
    size_t size, size_t align, uintptr_t *out)
{
	uintptr_t cand;
	as_layout_range_t r;

	assert(size > 0 && align >= PAGE_SIZE && (align & (align - 1)) == 0);
	if (!layout_align_up(from, align, &cand))
		return ENOMEM;
	for (;;) {
		if (cand >= top || size > top - cand)
			return ENOMEM;
		if (!next(arg, cand, &r) || r.base >= cand + size) {
			*out = cand;
			return EOK;
		}
		assert(r.end > cand);
		if (!layout_align_up(r.end, align, &cand))
			return ENOMEM;
	}
}

errno_t as_layout_place(as_layout_next_fn_t next, void *arg, const as_layout_limits_t *lim,
    uintptr_t hint, size_t size, size_t align, uintptr_t *out)
{
	uintptr_t from = hint > lim->anywhere ? hint : lim->anywhere;

	if (as_layout_first_fit(next, arg, from, lim->top, size, align, out) == EOK)
		return EOK;
	return as_layout_first_fit(next, arg, lim->floor, lim->top, size, align, out);
}

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
