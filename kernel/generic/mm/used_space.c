/*
 * Used space: the mapped pages of an area as merged intervals in a B+tree.
 *
 * Each key is the (page-aligned) base of an interval and its value is the
 * interval's page count.  Invariants (checked by used_space_check()):
 *  - every count is > 0 and every interval ends at a representable address
 *    (base + count * PAGE_SIZE does not wrap);
 *  - intervals are sorted, disjoint and never adjacent: there is at least
 *    one unused page between two intervals, so the representation of a set
 *    of pages is unique (maximally merged);
 *  - us->pages is the sum of the counts.
 *
 * Because intervals are maximally merged, a range of used pages without a
 * gap always lies inside a single interval; remove relies on that.
 *
 * Failing halfway is never allowed.  In the B+tree only insert can fail
 * (ENOMEM), and an insert that fails changes nothing; removes and value
 * updates cannot fail.  So each operation here first checks everything,
 * then does its one B+tree insert (if it needs one), and only after that
 * succeeded does the removes and updates.  An interval whose base moves
 * (merging with a right neighbour, trimming the front) is re-keyed by
 * inserting the new key first and removing the old one after.
 */

#include <abi/page.h>
#include <debug.h>
#include <mm/used_space.h>

static void *count_value(size_t count)
{
	return (void *) (uintptr_t) count;
}

static size_t value_count(void *value)
{
	return (size_t) (uintptr_t) value;
}

static uintptr_t interval_end(uintptr_t base, size_t count)
{
	return base + count * PAGE_SIZE;
}

/* Validate a range argument and compute its (exclusive) end. */
static errno_t range_check(uintptr_t page, size_t count, uintptr_t *end)
{
	if (page % PAGE_SIZE != 0 || count == 0)
		return EINVAL;
	if (count > (UINTPTR_MAX - page) / PAGE_SIZE)
		return EOVERFLOW;
	*end = interval_end(page, count);
	return EOK;
}

/* The interval with the greatest base below @a addr, if any. */
static bool interval_before(used_space_t *us, uintptr_t addr, uintptr_t *base, size_t *count)
{
	void *value;

	if (btree_find_lt(&us->tree, addr, base, &value) != EOK)
		return false;
	*count = value_count(value);
	return true;
}

static void interval_set_count(used_space_t *us, uintptr_t base, size_t count)
{
	errno_t rc = btree_update(&us->tree, base, count_value(count));

	assert(rc == EOK);
	(void) rc;
}

void used_space_init(used_space_t *us)
{
	btree_create(&us->tree);
	us->pages = 0;
}

void used_space_fini(used_space_t *us)
{
	btree_destroy(&us->tree);
	us->pages = 0;
}

errno_t used_space_insert(used_space_t *us, uintptr_t page, size_t count)
{
	uintptr_t end, lbase = 0;
	size_t lcount = 0;
	void *rvalue;
	errno_t rc = range_check(page, count, &end);

	if (rc != EOK)
		return rc;
	/* Only the last interval starting below end can overlap the range. */
	bool left = interval_before(us, end, &lbase, &lcount);
	if (left && interval_end(lbase, lcount) > page)
		return EEXIST;
	left = left && interval_end(lbase, lcount) == page;
	bool right = btree_search(&us->tree, end, &rvalue, NULL) == EOK;
	size_t rcount = right ? value_count(rvalue) : 0;

	if (left) {
		interval_set_count(us, lbase, lcount + count + rcount);
	} else {
		rc = btree_insert(&us->tree, page, count_value(count + rcount));
		if (rc != EOK)
			return rc;
	}
	if (right)
		btree_remove(&us->tree, end);
	us->pages += count;
	return EOK;
}

errno_t used_space_remove(used_space_t *us, uintptr_t page, size_t count)
{
	uintptr_t end, base;
	size_t n;
	errno_t rc = range_check(page, count, &end);

	if (rc != EOK)
		return rc;
	/* The range must lie in the interval holding its first page. */
	if (!interval_before(us, page + 1, &base, &n) || interval_end(base, n) < end)
		return ENOENT;

	uintptr_t iend = interval_end(base, n);
	if (end < iend) {
		/* A tail survives and gets its own key: the one insert. */
		rc = btree_insert(&us->tree, end, count_value((iend - end) / PAGE_SIZE));
		if (rc != EOK)
			return rc;
	}
	if (base < page)
		interval_set_count(us, base, (page - base) / PAGE_SIZE);
	else
		btree_remove(&us->tree, base);
	us->pages -= count;
	return EOK;
}

/*
 * If an interval runs on past @a end while starting inside the range, give
 * its tail past @a end a key of its own (the only allocation of a clear).
 */
static errno_t clear_split_tail(used_space_t *us, uintptr_t end)
{
	uintptr_t base;
	size_t n;

	if (!interval_before(us, end, &base, &n))
		return EOK;
	uintptr_t iend = interval_end(base, n);
	if (iend <= end)
		return EOK;
	errno_t rc = btree_insert(&us->tree, end, count_value((iend - end) / PAGE_SIZE));
	if (rc != EOK)
		return rc;
	interval_set_count(us, base, (end - base) / PAGE_SIZE);
	return EOK;
}

errno_t used_space_clear(used_space_t *us, uintptr_t page, size_t count, size_t *removed)
{
	uintptr_t end, base;
	size_t n, gone = 0;
	errno_t rc = range_check(page, count, &end);

	if (rc == EOK)
		rc = clear_split_tail(us, end);
	if (rc != EOK)
		return rc;
	/* Now no interval crosses end; eat intervals backwards from there. */
	while (interval_before(us, end, &base, &n) && interval_end(base, n) > page) {
		if (base >= page) {
			btree_remove(&us->tree, base);
			gone += n;
			continue;
		}
		size_t keep = (page - base) / PAGE_SIZE;
		interval_set_count(us, base, keep);
		gone += n - keep;
		break;
	}
	us->pages -= gone;
	if (removed != NULL)
		*removed = gone;
	return EOK;
}

errno_t used_space_find(used_space_t *us, uintptr_t addr, uintptr_t *base, size_t *count)
{
	uintptr_t b;
	size_t n;

	if (addr == UINTPTR_MAX || !interval_before(us, addr + 1, &b, &n) ||
	    interval_end(b, n) <= addr)
		return ENOENT;
	if (base != NULL)
		*base = b;
	if (count != NULL)
		*count = n;
	return EOK;
}

bool used_space_contains(used_space_t *us, uintptr_t addr)
{
	return used_space_find(us, addr, NULL, NULL) == EOK;
}

size_t used_space_unused_from(used_space_t *us, uintptr_t page, size_t max)
{
	btree_iter_t it;
	/* one descent: the interval at or before page, then the next one */
	bool ok = btree_iter_le(&us->tree, page, &it);
	if (ok && interval_end(btree_iter_key(&it), value_count(btree_iter_value(&it))) > page)
		return 0;
	ok = ok ? btree_iter_next(&it) : btree_iter_first(&us->tree, &it);
	if (!ok)
		return max;
	size_t gap = (btree_iter_key(&it) - page) / PAGE_SIZE;
	return gap < max ? gap : max;
}

errno_t used_space_next(used_space_t *us, uintptr_t addr, uintptr_t *base, size_t *count)
{
	uintptr_t b;
	void *value;

	if (used_space_find(us, addr, base, count) == EOK)
		return EOK;
	if (btree_find_ge(&us->tree, addr, &b, &value) != EOK)
		return ENOENT;
	if (base != NULL)
		*base = b;
	if (count != NULL)
		*count = value_count(value);
	return EOK;
}

void used_space_walk(used_space_t *us, used_space_walk_fn_t fn, void *arg)
{
	btree_iter_t it;

	for (bool ok = btree_iter_first(&us->tree, &it); ok; ok = btree_iter_next(&it)) {
		if (!fn(arg, btree_iter_key(&it), value_count(btree_iter_value(&it))))
			return;
	}
}

errno_t used_space_walk_range(
    used_space_t *us, uintptr_t page, size_t count, used_space_walk_fn_t fn, void *arg)
{
	uintptr_t end;
	btree_iter_t it;
	errno_t rc = range_check(page, count, &end);

	if (rc != EOK)
		return rc;
	/* Start at the interval holding page, if any, else the next one. */
	bool ok = btree_iter_le(&us->tree, page, &it);
	if (!ok)
		ok = btree_iter_first(&us->tree, &it);
	for (; ok && btree_iter_key(&it) < end; ok = btree_iter_next(&it)) {
		uintptr_t base = btree_iter_key(&it);
		uintptr_t iend = interval_end(base, value_count(btree_iter_value(&it)));
		if (iend <= page)
			continue;
		uintptr_t from = base < page ? page : base;
		uintptr_t to = iend > end ? end : iend;
		if (!fn(arg, from, (to - from) / PAGE_SIZE))
			break;
	}
	return EOK;
}

size_t used_space_pages(const used_space_t *us)
{
	return us->pages;
}

size_t used_space_intervals(const used_space_t *us)
{
	return btree_count(&us->tree);
}

errno_t used_space_check(const used_space_t *us)
{
	btree_iter_t it;
	btree_t *t = (btree_t *) &us->tree; /* iteration only reads */
	uintptr_t prev_end = 0;
	bool first = true;
	size_t pages = 0;

	if (btree_check(t) != EOK)
		return EINVAL;
	for (bool ok = btree_iter_first(t, &it); ok; ok = btree_iter_next(&it)) {
		uintptr_t base = btree_iter_key(&it);
		size_t n = value_count(btree_iter_value(&it));
		if (base % PAGE_SIZE != 0 || n == 0 || n > (UINTPTR_MAX - base) / PAGE_SIZE)
			return EINVAL;
		if (!first && base <= prev_end)
			return EINVAL;
		first = false;
		prev_end = interval_end(base, n);
		pages += n;
	}
	return pages == us->pages ? EOK : EINVAL;
}
