/*
 * Host unit test of used space (mm/used_space.c).
 *
 * The model is a bitmap over NPAGES pages starting at a base address.  The
 * randomized runs throw inserts, removes and clears of random ranges at the
 * used space (many chosen to be refused), predict the exact error from the
 * bitmap, and after every call compare the page count and the number of
 * intervals with the bitmap's number of set bits and of runs of set bits;
 * that the interval count equals the run count proves the intervals are
 * maximally merged.  Lookups (contains, find, next) and ranged walks are
 * compared directly, and every few hundred operations the whole interval
 * list is compared run by run.  A few calls are made to run out of memory;
 * those must change nothing.
 *
 * The fixed cases cover merging on either side and both, splitting,
 * trimming, every error code, clear across gaps, and out-of-memory at each
 * operation that allocates (and success of those that do not need to).
 */
#include <abi/page.h>
#include <lib/prng.h>
#include <mm/used_space.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define NPAGES 4096
#define PS ((uintptr_t) PAGE_SIZE)
#define TOP_PAGE (UINTPTR_MAX - PS + 1) /* never usable */

static uint64_t model[NPAGES / 64];
static uintptr_t model_base;

static uintptr_t pg(size_t i)
{
	return model_base + i * PS;
}

static bool bit(size_t i)
{
	return i < NPAGES && ((model[i / 64] >> (i % 64)) & 1);
}

static void bit_set(size_t i, bool on)
{
	if (on)
		model[i / 64] |= 1ULL << (i % 64);
	else
		model[i / 64] &= ~(1ULL << (i % 64));
}

/* First page >= i whose bit equals @a on, or NPAGES. */
static size_t model_scan(size_t i, bool on)
{
	while (i < NPAGES) {
		uint64_t w = model[i / 64];
		if (!on)
			w = ~w;
		w >>= i % 64;
		if (w != 0)
			return i + (size_t) __builtin_ctzll(w);
		i = (i / 64 + 1) * 64;
	}
	return NPAGES;
}

static size_t model_pages(void)
{
	size_t n = 0;

	for (size_t w = 0; w < NPAGES / 64; w++)
		n += (size_t) __builtin_popcountll(model[w]);
	return n;
}

/* Number of runs of set bits: set bits whose predecessor is clear. */
static size_t model_runs(void)
{
	size_t n = 0;
	uint64_t carry = 0;

	for (size_t w = 0; w < NPAGES / 64; w++) {
		uint64_t starts = model[w] & ~((model[w] << 1) | carry);
		n += (size_t) __builtin_popcountll(starts);
		carry = model[w] >> 63;
	}
	return n;
}

/* Do all pages in [s, s + n) have bit value @a on? */
static bool model_all(size_t s, size_t n, bool on)
{
	return model_scan(s, !on) >= s + n;
}

static void model_reset(uintptr_t base)
{
	memset(model, 0, sizeof(model));
	model_base = base;
}

/* Intervals as a walk reports them. */
typedef struct ivlist {
	size_t n;
	size_t stop_after; /* stop the walk after this many (0: never) */
	uintptr_t base[NPAGES];
	size_t count[NPAGES];
} ivlist_t;

static bool ivlist_add(void *arg, uintptr_t base, size_t count)
{
	ivlist_t *l = arg;

	l->base[l->n] = base;
	l->count[l->n] = count;
	l->n++;
	return l->stop_after == 0 || l->n < l->stop_after;
}

static ivlist_t list_a, list_b;

static bool ivlist_same(const ivlist_t *a, const ivlist_t *b)
{
	return a->n == b->n && memcmp(a->base, b->base, a->n * sizeof(a->base[0])) == 0 &&
	    memcmp(a->count, b->count, a->n * sizeof(a->count[0])) == 0;
}

static void snapshot(used_space_t *us, ivlist_t *l)
{
	l->n = 0;
	l->stop_after = 0;
	used_space_walk(us, ivlist_add, l);
}

/* Cheap comparison after every operation. */
static bool check_counts(used_space_t *us)
{
	TAP_CHECK_EQ(used_space_pages(us), model_pages());
	TAP_CHECK_EQ(used_space_intervals(us), model_runs());
	return true;
}

/* The whole interval list against the runs of the model. */
static bool check_full(used_space_t *us)
{
	size_t i = 0, k = 0;

	TAP_CHECK(used_space_check(us) == EOK);
	TAP_CHECK(check_counts(us));
	snapshot(us, &list_a);
	while ((i = model_scan(i, true)) < NPAGES) {
		size_t e = model_scan(i, false);
		TAP_CHECK(k < list_a.n);
		TAP_CHECK_EQ(list_a.base[k], pg(i));
		TAP_CHECK_EQ(list_a.count[k], e - i);
		k++;
		i = e;
	}
	TAP_CHECK_EQ(k, list_a.n);
	return true;
}

/* Ranged walk of [s, s + n) against the model's runs clipped to it. */
static bool check_walk_range(used_space_t *us, size_t s, size_t n, size_t stop_after)
{
	size_t i = s, k = 0, end = s + n;

	list_a.n = 0;
	list_a.stop_after = stop_after;
	TAP_CHECK_EQ(used_space_walk_range(us, pg(s), n, ivlist_add, &list_a), EOK);
	while ((i = model_scan(i, true)) < end) {
		size_t e = model_scan(i, false);
		if (e > end)
			e = end;
		if (stop_after != 0 && k == stop_after)
			break;
		TAP_CHECK(k < list_a.n);
		TAP_CHECK_EQ(list_a.base[k], pg(i));
		TAP_CHECK_EQ(list_a.count[k], e - i);
		k++;
		i = e;
	}
	TAP_CHECK_EQ(k, list_a.n);
	return true;
}

/* contains, find and next for page @a i plus an offset inside it. */
static bool check_lookup(used_space_t *us, size_t i, uintptr_t off)
{
	uintptr_t base = 1;
	size_t count = 1;
	errno_t rc = used_space_find(us, pg(i) + off, &base, &count);

	TAP_CHECK_EQ(used_space_contains(us, pg(i) + off), bit(i));
	if (!bit(i)) {
		TAP_CHECK_EQ(rc, ENOENT);
	} else {
		size_t s = i;
		while (s > 0 && bit(s - 1))
			s--;
		TAP_CHECK_EQ(rc, EOK);
		TAP_CHECK_EQ(base, pg(s));
		TAP_CHECK_EQ(count, model_scan(i, false) - s);
	}
	rc = used_space_next(us, pg(i) + off, &base, &count);
	if (bit(i))
		return rc == EOK;
	size_t s = model_scan(i, true);
	if (s == NPAGES) {
		TAP_CHECK_EQ(rc, ENOENT);
		return true;
	}
	TAP_CHECK_EQ(rc, EOK);
	TAP_CHECK_EQ(base, pg(s));
	TAP_CHECK_EQ(count, model_scan(s, false) - s);
	return true;
}

/* Outcomes of the random mutating calls, by call and errno_t. */
enum { OP_INSERT, OP_REMOVE, OP_CLEAR, OP_COUNT };
static unsigned long outcome[OP_COUNT][ERRNO_COUNT];

static void outcome_note(int op, errno_t rc)
{
	if (rc >= 0 && rc < ERRNO_COUNT)
		outcome[op][rc]++;
}

/* Random range: mostly short, sometimes long, never past the model. */
static void random_range(prng_t *p, size_t *s, size_t *n)
{
	unsigned r = (unsigned) prng_below(p, 100);
	size_t max = r < 70 ? 16 : r < 95 ? 200 : NPAGES;

	*s = prng_below(p, NPAGES);
	*n = 1 + prng_below(p, max);
	if (*n > NPAGES - *s)
		*n = NPAGES - *s;
}

/* After a refused call: the intervals are still those in list_a. */
static bool check_unchanged(used_space_t *us, size_t pages)
{
	snapshot(us, &list_b);
	TAP_CHECK(ivlist_same(&list_b, &list_a));
	TAP_CHECK_EQ(used_space_pages(us), pages);
	return true;
}

static bool random_insert(used_space_t *us, prng_t *p, bool fail)
{
	size_t before = used_space_pages(us);
	size_t s, n;

	random_range(p, &s, &n);
	/* Half the time shrink the range to fit the free run at s. */
	if (!bit(s) && prng_below(p, 2)) {
		size_t e = model_scan(s, true);
		if (s + n > e)
			n = e - s;
	}
	errno_t want = model_all(s, n, false) ? EOK : EEXIST;
	if (fail || want != EOK)
		snapshot(us, &list_a);
	host_alloc_fail_after = fail ? 0 : -1;
	errno_t rc = used_space_insert(us, pg(s), n);
	host_alloc_fail_after = -1;
	outcome_note(OP_INSERT, rc);
	if (rc == ENOMEM && fail && want == EOK)
		return check_unchanged(us, before) && check_counts(us);
	TAP_CHECK_EQ(rc, want);
	if (rc != EOK)
		return check_unchanged(us, before) && check_counts(us);
	for (size_t i = s; i < s + n; i++)
		bit_set(i, true);
	return check_counts(us);
}

/* Pick a range inside a used run (or a random one, often refused). */
static void removal_range(prng_t *p, size_t *s, size_t *n)
{
	random_range(p, s, n);
	if (prng_below(p, 10) < 7) {
		size_t u = model_scan(*s, true);
		if (u == NPAGES)
			return;
		size_t e = model_scan(u, false);
		*s = u + prng_below(p, e - u);
		*n = 1 + prng_below(p, e - *s);
	}
}

static bool random_remove(used_space_t *us, prng_t *p, bool fail)
{
	size_t before = used_space_pages(us);
	size_t s, n;

	removal_range(p, &s, &n);
	errno_t want = model_all(s, n, true) ? EOK : ENOENT;
	if (fail || want != EOK)
		snapshot(us, &list_a);
	host_alloc_fail_after = fail ? 0 : -1;
	errno_t rc = used_space_remove(us, pg(s), n);
	host_alloc_fail_after = -1;
	outcome_note(OP_REMOVE, rc);
	if (rc == ENOMEM && fail && want == EOK)
		return check_unchanged(us, before) && check_counts(us);
	TAP_CHECK_EQ(rc, want);
	if (rc != EOK)
		return check_unchanged(us, before) && check_counts(us);
	for (size_t i = s; i < s + n; i++)
		bit_set(i, false);
	return check_counts(us);
}

static bool random_clear(used_space_t *us, prng_t *p, bool fail)
{
	size_t before = used_space_pages(us);
	size_t s, n, removed = 12345, want = 0;

	random_range(p, &s, &n);
	for (size_t i = s; i < s + n; i++)
		want += bit(i);
	if (fail)
		snapshot(us, &list_a);
	host_alloc_fail_after = fail ? 0 : -1;
	errno_t rc = used_space_clear(us, pg(s), n, &removed);
	host_alloc_fail_after = -1;
	outcome_note(OP_CLEAR, rc);
	if (rc == ENOMEM && fail)
		return check_unchanged(us, before) && check_counts(us);
	TAP_CHECK_EQ(rc, EOK);
	TAP_CHECK_EQ(removed, want);
	for (size_t i = s; i < s + n; i++)
		bit_set(i, false);
	return check_counts(us);
}

static bool random_bad_args(used_space_t *us, prng_t *p)
{
	size_t before = used_space_pages(us);
	size_t s = prng_below(p, NPAGES);
	uintptr_t off = 1 + prng_below(p, PS - 1);

	snapshot(us, &list_a);
	TAP_CHECK_EQ(used_space_insert(us, pg(s) + off, 1), EINVAL);
	TAP_CHECK_EQ(used_space_remove(us, pg(s), 0), EINVAL);
	TAP_CHECK_EQ(used_space_clear(us, pg(s) + off, 3, NULL), EINVAL);
	TAP_CHECK_EQ(used_space_insert(us, pg(s), SIZE_MAX / 2), EOVERFLOW);
	TAP_CHECK_EQ(used_space_remove(us, TOP_PAGE, 1), EOVERFLOW);
	return check_unchanged(us, before) && check_counts(us);
}

static bool random_op(used_space_t *us, prng_t *p, unsigned insert_pct)
{
	unsigned r = (unsigned) prng_below(p, 100);
	bool fail = prng_below(p, 50) == 0;
	size_t s, n;

	if (r < insert_pct)
		return random_insert(us, p, fail);
	if (r < 80)
		return random_remove(us, p, fail);
	if (r < 84)
		return random_clear(us, p, fail);
	if (r < 94)
		return check_lookup(
		    us, prng_below(p, NPAGES), prng_below(p, 4) ? 0 : prng_below(p, PS));
	if (r < 99) {
		random_range(p, &s, &n);
		return check_walk_range(us, s, n, prng_below(p, 4) ? 0 : 2);
	}
	return random_bad_args(us, p);
}

static bool random_run(uint64_t seed, uintptr_t base, long ops)
{
	static const unsigned phase_pct[] = { 55, 40, 50, 30 };
	used_space_t us;
	prng_t p;

	tap_diag("seed %#llx base %#llx pages %d ops %ld", (unsigned long long) seed,
	    (unsigned long long) base, NPAGES, ops);
	prng_seed(&p, seed);
	model_reset(base);
	memset(outcome, 0, sizeof(outcome));
	used_space_init(&us);
	for (long op = 0; op < ops; op++) {
		bool ok = random_op(&us, &p, phase_pct[(op / 10000) % 4]);
		if (ok && op % 500 == 499)
			ok = check_full(&us);
		if (!ok) {
			tap_diag("failed at op %ld", op);
			used_space_fini(&us);
			return false;
		}
	}
	bool ok = check_full(&us);
	tap_diag(
	    "end: %zu pages in %zu intervals", used_space_pages(&us), used_space_intervals(&us));
	tap_diag("insert: %lu ok, %lu EEXIST, %lu ENOMEM; remove: %lu ok, "
	         "%lu ENOENT, %lu ENOMEM; clear: %lu ok, %lu ENOMEM",
	    outcome[OP_INSERT][EOK], outcome[OP_INSERT][EEXIST], outcome[OP_INSERT][ENOMEM],
	    outcome[OP_REMOVE][EOK], outcome[OP_REMOVE][ENOENT], outcome[OP_REMOVE][ENOMEM],
	    outcome[OP_CLEAR][EOK], outcome[OP_CLEAR][ENOMEM]);
	used_space_fini(&us);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return ok;
}

static bool test_random_low(void)
{
	return random_run(0x0ddba11, 0x10000000, 150000);
}

static bool test_random_zero(void)
{
	return random_run(0xfeedface, 0, 100000);
}

static bool test_random_top(void)
{
	return random_run(0xc0ffee11, TOP_PAGE - NPAGES * PS, 100000);
}

/*
 * Fixed cases.  Pages are numbered from model_base = 0x100000; ins()/rem()
 * take page numbers.
 */
static errno_t ins(used_space_t *us, size_t s, size_t n)
{
	return used_space_insert(us, pg(s), n);
}

static errno_t rem(used_space_t *us, size_t s, size_t n)
{
	return used_space_remove(us, pg(s), n);
}

/* Is the content exactly the intervals given as (start, count) pairs? */
static bool is(used_space_t *us, size_t pairs, const size_t *iv)
{
	size_t pages = 0;

	snapshot(us, &list_a);
	TAP_CHECK(used_space_check(us) == EOK);
	TAP_CHECK_EQ(list_a.n, pairs);
	for (size_t k = 0; k < pairs; k++) {
		TAP_CHECK_EQ(list_a.base[k], pg(iv[2 * k]));
		TAP_CHECK_EQ(list_a.count[k], iv[2 * k + 1]);
		pages += iv[2 * k + 1];
	}
	TAP_CHECK_EQ(used_space_pages(us), pages);
	return true;
}

#define IS(us, ...)                                                        \
	is((us), sizeof((size_t[]){ __VA_ARGS__ }) / (2 * sizeof(size_t)), \
	    (size_t[]){ __VA_ARGS__ })

static bool test_merge(void)
{
	used_space_t us;

	model_reset(0x100000);
	used_space_init(&us);
	TAP_CHECK_EQ(used_space_intervals(&us), 0);
	TAP_CHECK_EQ(ins(&us, 10, 2), EOK);
	TAP_CHECK(IS(&us, 10, 2));
	TAP_CHECK_EQ(ins(&us, 12, 3), EOK); /* merge left */
	TAP_CHECK(IS(&us, 10, 5));
	TAP_CHECK_EQ(ins(&us, 8, 2), EOK); /* merge right */
	TAP_CHECK(IS(&us, 8, 7));
	TAP_CHECK_EQ(ins(&us, 20, 1), EOK); /* separate */
	TAP_CHECK(IS(&us, 8, 7, 20, 1));
	TAP_CHECK_EQ(ins(&us, 16, 3), EOK); /* separate, gap of one both sides */
	TAP_CHECK(IS(&us, 8, 7, 16, 3, 20, 1));
	TAP_CHECK_EQ(ins(&us, 15, 1), EOK); /* merge both */
	TAP_CHECK(IS(&us, 8, 11, 20, 1));
	TAP_CHECK_EQ(ins(&us, 19, 1), EOK); /* merge both */
	TAP_CHECK(IS(&us, 8, 13));
	TAP_CHECK_EQ(ins(&us, 0, 8), EOK); /* merge right from page 0 */
	TAP_CHECK(IS(&us, 0, 21));
	used_space_fini(&us);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return true;
}

static bool test_split_trim(void)
{
	used_space_t us;

	model_reset(0x100000);
	used_space_init(&us);
	TAP_CHECK_EQ(ins(&us, 0, 20), EOK);
	TAP_CHECK_EQ(rem(&us, 5, 3), EOK); /* split */
	TAP_CHECK(IS(&us, 0, 5, 8, 12));
	TAP_CHECK_EQ(rem(&us, 0, 2), EOK); /* trim front */
	TAP_CHECK(IS(&us, 2, 3, 8, 12));
	TAP_CHECK_EQ(rem(&us, 18, 2), EOK); /* trim back */
	TAP_CHECK(IS(&us, 2, 3, 8, 10));
	TAP_CHECK_EQ(rem(&us, 2, 3), EOK); /* whole */
	TAP_CHECK(IS(&us, 8, 10));
	TAP_CHECK_EQ(rem(&us, 8, 1), EOK);
	TAP_CHECK_EQ(rem(&us, 16, 1), EOK);
	TAP_CHECK_EQ(rem(&us, 12, 1), EOK);
	TAP_CHECK(IS(&us, 9, 3, 13, 3, 17, 1));
	TAP_CHECK_EQ(ins(&us, 12, 1), EOK); /* heal the split */
	TAP_CHECK(IS(&us, 9, 7, 17, 1));
	TAP_CHECK_EQ(rem(&us, 9, 7), EOK);
	TAP_CHECK_EQ(rem(&us, 17, 1), EOK);
	TAP_CHECK_EQ(used_space_intervals(&us), 0);
	TAP_CHECK_EQ(used_space_pages(&us), 0);
	TAP_CHECK_EQ(host_alloc_live, 0);
	used_space_fini(&us);
	return true;
}

static bool test_errors(void)
{
	used_space_t us;
	uintptr_t b;
	size_t n;

	model_reset(0x100000);
	used_space_init(&us);
	TAP_CHECK_EQ(rem(&us, 0, 1), ENOENT);
	TAP_CHECK_EQ(ins(&us, 10, 5), EOK);
	TAP_CHECK_EQ(ins(&us, 20, 5), EOK);
	/* EINVAL */
	TAP_CHECK_EQ(used_space_insert(&us, pg(0) + 1, 1), EINVAL);
	TAP_CHECK_EQ(used_space_insert(&us, pg(0), 0), EINVAL);
	TAP_CHECK_EQ(used_space_remove(&us, pg(10) + 8, 1), EINVAL);
	TAP_CHECK_EQ(used_space_remove(&us, pg(10), 0), EINVAL);
	TAP_CHECK_EQ(used_space_clear(&us, pg(10), 0, NULL), EINVAL);
	TAP_CHECK_EQ(used_space_walk_range(&us, 5, 1, ivlist_add, &list_b), EINVAL);
	/* EOVERFLOW: the top page and anything wrapping around. */
	TAP_CHECK_EQ(used_space_insert(&us, TOP_PAGE, 1), EOVERFLOW);
	TAP_CHECK_EQ(used_space_insert(&us, TOP_PAGE - PS, 2), EOVERFLOW);
	TAP_CHECK_EQ(used_space_insert(&us, PS, SIZE_MAX), EOVERFLOW);
	TAP_CHECK_EQ(used_space_insert(&us, 0, SIZE_MAX / PS + 1), EOVERFLOW);
	TAP_CHECK_EQ(used_space_remove(&us, TOP_PAGE, 1), EOVERFLOW);
	TAP_CHECK_EQ(used_space_clear(&us, 0, SIZE_MAX, NULL), EOVERFLOW);
	/* EEXIST: overlap at the start, the end, inside, around. */
	TAP_CHECK_EQ(ins(&us, 8, 3), EEXIST);
	TAP_CHECK_EQ(ins(&us, 14, 3), EEXIST);
	TAP_CHECK_EQ(ins(&us, 11, 1), EEXIST);
	TAP_CHECK_EQ(ins(&us, 5, 30), EEXIST);
	TAP_CHECK_EQ(ins(&us, 15, 6), EEXIST);
	TAP_CHECK_EQ(ins(&us, 24, 1), EEXIST);
	/* ENOENT: a gap inside, running off either end, unused pages. */
	TAP_CHECK_EQ(rem(&us, 10, 15), ENOENT);
	TAP_CHECK_EQ(rem(&us, 12, 4), ENOENT);
	TAP_CHECK_EQ(rem(&us, 9, 2), ENOENT);
	TAP_CHECK_EQ(rem(&us, 15, 1), ENOENT);
	TAP_CHECK_EQ(rem(&us, 30, 1), ENOENT);
	TAP_CHECK_EQ(used_space_find(&us, pg(15), &b, &n), ENOENT);
	TAP_CHECK_EQ(used_space_find(&us, UINTPTR_MAX, &b, &n), ENOENT);
	TAP_CHECK(!used_space_contains(&us, pg(9) + PS - 1));
	TAP_CHECK(used_space_contains(&us, pg(14) + PS - 1));
	TAP_CHECK(IS(&us, 10, 5, 20, 5));
	/* The highest usable page works. */
	TAP_CHECK_EQ(used_space_insert(&us, TOP_PAGE - PS, 1), EOK);
	TAP_CHECK(used_space_contains(&us, TOP_PAGE - 1));
	TAP_CHECK(!used_space_contains(&us, TOP_PAGE));
	TAP_CHECK_EQ(used_space_remove(&us, TOP_PAGE - PS, 1), EOK);
	used_space_fini(&us);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return true;
}

static bool test_clear_walk(void)
{
	used_space_t us;
	size_t removed = 0;

	model_reset(0x100000);
	used_space_init(&us);
	TAP_CHECK_EQ(ins(&us, 0, 4), EOK);
	TAP_CHECK_EQ(ins(&us, 6, 4), EOK);
	TAP_CHECK_EQ(ins(&us, 12, 4), EOK);
	TAP_CHECK_EQ(ins(&us, 20, 10), EOK);
	list_a.n = 0;
	list_a.stop_after = 0;
	TAP_CHECK_EQ(used_space_walk_range(&us, pg(2), 20, ivlist_add, &list_a), EOK);
	TAP_CHECK_EQ(list_a.n, 4);
	TAP_CHECK(list_a.base[0] == pg(2) && list_a.count[0] == 2);
	TAP_CHECK(list_a.base[3] == pg(20) && list_a.count[3] == 2);
	list_a.n = 0;
	list_a.stop_after = 1;
	used_space_walk(&us, ivlist_add, &list_a);
	TAP_CHECK_EQ(list_a.n, 1);
	TAP_CHECK_EQ(used_space_clear(&us, pg(2), 20, &removed), EOK);
	TAP_CHECK_EQ(removed, 2 + 4 + 4 + 2);
	TAP_CHECK(IS(&us, 0, 2, 22, 8));
	TAP_CHECK_EQ(used_space_clear(&us, pg(24), 2, &removed), EOK);
	TAP_CHECK_EQ(removed, 2);
	TAP_CHECK(IS(&us, 0, 2, 22, 2, 26, 4));
	TAP_CHECK_EQ(used_space_clear(&us, pg(4), 18, &removed), EOK);
	TAP_CHECK_EQ(removed, 0);
	TAP_CHECK_EQ(used_space_clear(&us, 0, 1000, &removed), EOK);
	TAP_CHECK_EQ(removed, 8);
	TAP_CHECK_EQ(used_space_intervals(&us), 0);
	TAP_CHECK_EQ(host_alloc_live, 0);
	used_space_fini(&us);
	return true;
}

/*
 * Run @a op with every allocation failing.  An operation that never
 * allocates must succeed.  One that may allocate (it inserts a key, which
 * allocates only when a node splits) either succeeds or fails with ENOMEM
 * having changed nothing, and then succeeds once memory is back.
 */
static long enomem_seen;

static bool enomem_case(used_space_t *us, bool may_alloc,
    errno_t (*op)(used_space_t *, size_t, size_t), size_t s, size_t n)
{
	size_t before = used_space_pages(us);

	snapshot(us, &list_a);
	host_alloc_fail_after = 0;
	errno_t rc = op(us, s, n);
	host_alloc_fail_after = -1;
	if (may_alloc && rc == ENOMEM) {
		enomem_seen++;
		TAP_CHECK(check_unchanged(us, before));
		TAP_CHECK(used_space_check(us) == EOK);
		rc = op(us, s, n);
	}
	TAP_CHECK_EQ(rc, EOK);
	TAP_CHECK(used_space_check(us) == EOK);
	return true;
}

static errno_t clr(used_space_t *us, size_t s, size_t n)
{
	return used_space_clear(us, pg(s), n, NULL);
}

static bool test_enomem(void)
{
	used_space_t us;

	model_reset(0x100000);
	used_space_init(&us);
	enomem_seen = 0;
	TAP_CHECK(enomem_case(&us, true, ins, 10, 10)); /* first interval */
	TAP_CHECK(enomem_case(&us, false, ins, 20, 2)); /* merge left */
	TAP_CHECK(enomem_case(&us, true, ins, 8, 2)); /* merge right */
	TAP_CHECK(enomem_case(&us, true, ins, 30, 2)); /* new interval */
	TAP_CHECK(enomem_case(&us, false, ins, 22, 8)); /* merge both */
	TAP_CHECK(IS(&us, 8, 24));
	TAP_CHECK(enomem_case(&us, true, rem, 12, 2)); /* split */
	TAP_CHECK(enomem_case(&us, true, rem, 8, 2)); /* trim front */
	TAP_CHECK(enomem_case(&us, false, rem, 30, 2)); /* trim back */
	TAP_CHECK(enomem_case(&us, false, rem, 10, 2)); /* whole */
	TAP_CHECK(IS(&us, 14, 16));
	TAP_CHECK(enomem_case(&us, true, clr, 16, 2)); /* clear: split */
	TAP_CHECK(enomem_case(&us, true, clr, 10, 5)); /* clear: front */
	TAP_CHECK(enomem_case(&us, false, clr, 28, 5)); /* clear: back */
	TAP_CHECK(IS(&us, 15, 1, 18, 10));
	/* Many intervals, so that inserting needs a multi-level split. */
	/*
	 * Many single pages, then two more (not adjacent) between each pair:
	 * tripling the keys makes every leaf split, whatever the split policy.
	 */
	for (size_t i = 100; i < 4100; i += 8)
		TAP_CHECK_EQ(ins(&us, i, 1), EOK);
	for (size_t i = 100; i < 4100; i += 8) {
		TAP_CHECK(enomem_case(&us, true, ins, i + 2, 1));
		TAP_CHECK(enomem_case(&us, true, ins, i + 4, 1));
	}
	TAP_CHECK(used_space_check(&us) == EOK);
	used_space_fini(&us);
	TAP_CHECK_EQ(host_alloc_live, 0);
	tap_diag("%ld of the calls that may allocate failed with ENOMEM", enomem_seen);
	TAP_CHECK(enomem_seen >= 10);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "merge left, right, both", test_merge },
		{ "split and trim", test_split_trim },
		{ "EINVAL, EOVERFLOW, EEXIST, ENOENT change nothing", test_errors },
		{ "clear across gaps and ranged walk", test_clear_walk },
		{ "ENOMEM changes nothing; no-alloc cases cannot fail", test_enomem },
		{ "random ops at 0x10000000", test_random_low },
		{ "random ops from address 0", test_random_zero },
		{ "random ops at the top of the address space", test_random_top },
	};

	tap_diag("BTREE_M=%d", BTREE_M);
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
