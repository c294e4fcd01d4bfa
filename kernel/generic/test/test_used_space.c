/*
 * In-kernel tests of used space.
 *
 * used_space_random runs a fixed-seed mix of inserts, removes and clears
 * of random page ranges against a static bitmap model, predicting each
 * result code exactly, and compares page and interval counts after every
 * call (equal interval and run counts mean the intervals are merged) and
 * the full interval list regularly (and the look-ups: contains, the
 * unused pages from a page on).  used_space_edges covers merging,
 * splitting and the error codes.  tests/test_used_space.c on the host does
 * the same at much larger scale, plus out-of-memory injection.
 */
#include <abi/errno.h>
#include <abi/page.h>
#include <lib/prng.h>
#include <mm/used_space.h>
#include <stdbool.h>
#include <stdint.h>
#include <test/ktest.h>

#define KU_PAGES 1024
#define KU_OPS 20000
#define KU_SEED 0x6b75736564737063ULL
#define KU_BASE 0x40000000UL

static uint64_t ku_bits[KU_PAGES / 64];

static uintptr_t ku_pg(size_t i)
{
	return KU_BASE + i * PAGE_SIZE;
}

static bool ku_bit(size_t i)
{
	return (ku_bits[i / 64] >> (i % 64)) & 1;
}

static void ku_set(size_t s, size_t n, bool on)
{
	for (size_t i = s; i < s + n; i++) {
		if (on)
			ku_bits[i / 64] |= 1ULL << (i % 64);
		else
			ku_bits[i / 64] &= ~(1ULL << (i % 64));
	}
}

static size_t ku_count(size_t s, size_t n)
{
	size_t c = 0;

	for (size_t i = s; i < s + n; i++)
		c += ku_bit(i);
	return c;
}

static unsigned ku_popcount(uint64_t w)
{
	unsigned n = 0;

	for (; w != 0; w &= w - 1)
		n++;
	return n;
}

/* Used pages and runs of used pages in the whole model, a word at a time. */
static void ku_totals(size_t *pages, size_t *runs)
{
	uint64_t carry = 0;

	*pages = 0;
	*runs = 0;
	for (size_t w = 0; w < KU_PAGES / 64; w++) {
		*pages += ku_popcount(ku_bits[w]);
		*runs += ku_popcount(ku_bits[w] & ~((ku_bits[w] << 1) | carry));
		carry = ku_bits[w] >> 63;
	}
}

static bool ku_counts_ok(used_space_t *us)
{
	size_t pages, runs;

	ku_totals(&pages, &runs);
	return KT_CHECK_EQ(used_space_pages(us), pages) &&
	    KT_CHECK_EQ(used_space_intervals(us), runs);
}

typedef struct ku_walk {
	size_t next; /* first page the next interval may start at */
	bool ok;
} ku_walk_t;

/* Each interval must be exactly one maximal run of the model. */
static bool ku_walk_cb(void *arg, uintptr_t base, size_t count)
{
	ku_walk_t *w = arg;
	size_t s = (base - KU_BASE) / PAGE_SIZE;

	w->ok = w->ok && KT_CHECK(s >= w->next && s + count <= KU_PAGES) &&
	    KT_CHECK_EQ(ku_count(w->next, s - w->next), 0) &&
	    KT_CHECK_EQ(ku_count(s, count), count) &&
	    KT_CHECK(s + count == KU_PAGES || !ku_bit(s + count));
	w->next = s + count;
	return w->ok;
}

static bool ku_compare_all(used_space_t *us)
{
	ku_walk_t w = { .next = 0, .ok = true };

	used_space_walk(us, ku_walk_cb, &w);
	return w.ok && KT_CHECK_EQ(ku_count(w.next, KU_PAGES - w.next), 0) &&
	    KT_CHECK_EQ(used_space_check(us), EOK) && ku_counts_ok(us);
}

static void ku_range(prng_t *p, size_t *s, size_t *n)
{
	*s = (size_t) prng_below(p, KU_PAGES);
	*n = 1 + (size_t) prng_below(p, prng_below(p, 8) ? 12 : 200);
	if (*n > KU_PAGES - *s)
		*n = KU_PAGES - *s;
}

static bool ku_op(used_space_t *us, prng_t *p, unsigned insert_pct)
{
	unsigned r = (unsigned) prng_below(p, 100);
	size_t s, n, removed = 0;
	errno_t rc;

	ku_range(p, &s, &n);
	size_t used = ku_count(s, n);
	if (r < insert_pct) {
		rc = used_space_insert(us, ku_pg(s), n);
		if (!KT_CHECK_EQ(rc, used ? EEXIST : EOK))
			return false;
		if (rc == EOK)
			ku_set(s, n, true);
	} else if (r < 88) {
		rc = used_space_remove(us, ku_pg(s), n);
		if (!KT_CHECK_EQ(rc, used == n ? EOK : ENOENT))
			return false;
		if (rc == EOK)
			ku_set(s, n, false);
	} else if (r < 94) {
		rc = used_space_clear(us, ku_pg(s), n, &removed);
		if (!KT_CHECK_EQ(rc, EOK) || !KT_CHECK_EQ(removed, used))
			return false;
		ku_set(s, n, false);
	} else {
		uintptr_t addr = ku_pg(s) + prng_below(p, PAGE_SIZE);
		size_t gap = 0; /* unused pages from s on, at most n */
		while (gap < n && !ku_bit(s + gap))
			gap++;
		return KT_CHECK_EQ(used_space_contains(us, addr), ku_bit(s)) &&
		    KT_CHECK_EQ(used_space_unused_from(us, ku_pg(s), n), gap);
	}
	return ku_counts_ok(us);
}

static bool ku_run(used_space_t *us)
{
	static const unsigned phase_pct[] = { 60, 35, 50, 20 };
	prng_t p;

	prng_seed(&p, KU_SEED);
	for (long op = 0; op < KU_OPS; op++) {
		if (!ku_op(us, &p, phase_pct[(op / 2500) % 4])) {
			ktest_note("used_space_random: failed at op %ld", op);
			return false;
		}
		if (op % 1000 == 999 && !ku_compare_all(us))
			return false;
	}
	return ku_compare_all(us);
}

KTEST(used_space_random)
{
	used_space_t us;

	ktest_note(
	    "seed %#llx, %d ops over %d pages", (unsigned long long) KU_SEED, KU_OPS, KU_PAGES);
	for (size_t w = 0; w < KU_PAGES / 64; w++)
		ku_bits[w] = 0;
	used_space_init(&us);
	bool ok = ku_run(&us);
	used_space_fini(&us);
	KT_ASSERT(ok);
}

KTEST(used_space_edges)
{
	used_space_t us;
	uintptr_t base = 0;
	size_t count = 0;
	const uintptr_t top = UINTPTR_MAX - PAGE_SIZE + 1;

	used_space_init(&us);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(0) + 1, 1), EINVAL);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(0), 0), EINVAL);
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(0), 0), EINVAL);
	KT_CHECK_EQ(used_space_insert(&us, top, 1), EOVERFLOW);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(0), SIZE_MAX), EOVERFLOW);
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(0), 1), ENOENT);
	/* Merge left, right and both. */
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(10), 2), EOK);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(12), 2), EOK);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(8), 2), EOK);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(16), 2), EOK);
	KT_CHECK_EQ(used_space_intervals(&us), 2);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(14), 2), EOK);
	KT_CHECK_EQ(used_space_intervals(&us), 1);
	KT_CHECK_EQ(used_space_find(&us, ku_pg(13) + 5, &base, &count), EOK);
	KT_CHECK_EQ(base, ku_pg(8));
	KT_CHECK_EQ(count, 10);
	/* Overlaps and holes are refused. */
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(17), 3), EEXIST);
	KT_CHECK_EQ(used_space_insert(&us, ku_pg(6), 3), EEXIST);
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(7), 2), ENOENT);
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(17), 2), ENOENT);
	/* Split in the middle, trim both ends. */
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(11), 2), EOK);
	KT_CHECK_EQ(used_space_intervals(&us), 2);
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(8), 1), EOK);
	KT_CHECK_EQ(used_space_remove(&us, ku_pg(17), 1), EOK);
	KT_CHECK_EQ(used_space_pages(&us), 6);
	KT_CHECK(!used_space_contains(&us, ku_pg(8)));
	KT_CHECK(used_space_contains(&us, ku_pg(9)));
	KT_CHECK(!used_space_contains(&us, ku_pg(12)));
	/* unused from a page on: up to the next interval, or max past the last */
	KT_CHECK_EQ(used_space_unused_from(&us, ku_pg(0), 100), 9);
	KT_CHECK_EQ(used_space_unused_from(&us, ku_pg(0), 4), 4);
	KT_CHECK_EQ(used_space_unused_from(&us, ku_pg(10), 100), 0);
	KT_CHECK_EQ(used_space_unused_from(&us, ku_pg(11), 100), 2);
	KT_CHECK_EQ(used_space_unused_from(&us, ku_pg(17), 100), 100);
	KT_CHECK_EQ(used_space_check(&us), EOK);
	used_space_fini(&us);
	KT_CHECK_EQ(used_space_pages(&us), 0);
}
