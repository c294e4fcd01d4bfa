/*
 * In-kernel tests of the B+tree, with nodes from the kernel's allocator.
 *
 * btree_random runs a fixed-seed mix of inserts, removes, searches and
 * nearest-key lookups over a bounded key space and compares every result
 * with a bitmap model (kept static: kernel stacks are small), calling
 * btree_check() regularly and comparing the whole contents by iteration at
 * the end.  btree_edges covers the empty tree, duplicate and missing keys
 * and the extreme keys.  The host tests (tests/test_btree.c) go much
 * further; these prove the same code works in the kernel's environment.
 */
#include <abi/errno.h>
#include <adt/btree.h>
#include <lib/prng.h>
#include <stdbool.h>
#include <stdint.h>
#include <test/ktest.h>

#define KB_KEYS 2048
#define KB_OPS 20000
#define KB_SEED 0x6b74657374627472ULL
/* Slot i stands for key KB_BASE + i * KB_STRIDE. */
#define KB_BASE 0x7000
#define KB_STRIDE 0x3000

static uint64_t kb_bits[KB_KEYS / 64];
static uintptr_t kb_val[KB_KEYS];
static size_t kb_count;

static btree_key_t kb_key(size_t i)
{
	return KB_BASE + (btree_key_t) i * KB_STRIDE;
}

static bool kb_has(size_t i)
{
	return (kb_bits[i / 64] >> (i % 64)) & 1;
}

static void kb_set(size_t i, bool on, uintptr_t val)
{
	if (on && !kb_has(i))
		kb_count++;
	if (!on && kb_has(i))
		kb_count--;
	if (on)
		kb_bits[i / 64] |= 1ULL << (i % 64);
	else
		kb_bits[i / 64] &= ~(1ULL << (i % 64));
	kb_val[i] = val;
}

static void kb_reset(void)
{
	for (size_t w = 0; w < KB_KEYS / 64; w++)
		kb_bits[w] = 0;
	kb_count = 0;
}

/* Slot of the greatest present key <= q, or -1. */
static long kb_le(btree_key_t q)
{
	if (q < KB_BASE)
		return -1;
	btree_key_t d = (q - KB_BASE) / KB_STRIDE;
	for (long i = d >= KB_KEYS ? KB_KEYS - 1 : (long) d; i >= 0; i--) {
		if (kb_has((size_t) i))
			return i;
	}
	return -1;
}

/* Slot of the smallest present key >= q, or -1. */
static long kb_ge(btree_key_t q)
{
	size_t i = 0;

	if (q > KB_BASE)
		i = (size_t) ((q - KB_BASE - 1) / KB_STRIDE + 1);
	for (; i < KB_KEYS; i++) {
		if (kb_has(i))
			return (long) i;
	}
	return -1;
}

static bool kb_lookup_ok(errno_t rc, btree_key_t found, void *val, long slot)
{
	if (slot < 0)
		return KT_CHECK_EQ(rc, ENOENT);
	return KT_CHECK_EQ(rc, EOK) && KT_CHECK_EQ(found, kb_key((size_t) slot)) &&
	    KT_CHECK_EQ((uintptr_t) val, kb_val[slot]);
}

static bool kb_check_lookups(btree_t *t, btree_key_t q)
{
	btree_key_t f = 0;
	void *v = NULL;
	errno_t rc;

	rc = btree_find_le(t, q, &f, &v);
	if (!kb_lookup_ok(rc, f, v, kb_le(q)))
		return false;
	rc = btree_find_ge(t, q, &f, &v);
	return kb_lookup_ok(rc, f, v, kb_ge(q));
}

static bool kb_op(btree_t *t, prng_t *p, unsigned insert_pct)
{
	size_t i = (size_t) prng_below(p, KB_KEYS);
	unsigned r = (unsigned) prng_below(p, 100);
	void *v = NULL;

	if (r < insert_pct) {
		uintptr_t val = (uintptr_t) prng_next(p);
		errno_t rc = btree_insert(t, kb_key(i), (void *) val);
		if (!KT_CHECK_EQ(rc, kb_has(i) ? EEXIST : EOK))
			return false;
		if (rc == EOK)
			kb_set(i, true, val);
		return true;
	}
	if (r < 85) {
		errno_t rc = btree_remove(t, kb_key(i));
		if (!KT_CHECK_EQ(rc, kb_has(i) ? EOK : ENOENT))
			return false;
		kb_set(i, false, 0);
		return true;
	}
	if (r < 92) {
		errno_t rc = btree_search(t, kb_key(i), &v, NULL);
		return kb_lookup_ok(rc, kb_key(i), v, kb_has(i) ? (long) i : -1);
	}
	btree_key_t q = kb_key(i) + prng_below(p, 3 * KB_STRIDE) - KB_STRIDE;
	return kb_check_lookups(t, q);
}

/* Walk the tree in order and compare it with the model. */
static bool kb_compare_all(btree_t *t)
{
	btree_iter_t it;
	long slot = kb_ge(0);
	size_t seen = 0;

	if (!KT_CHECK_EQ(btree_check(t), EOK) || !KT_CHECK_EQ(btree_count(t), kb_count))
		return false;
	for (bool ok = btree_iter_first(t, &it); ok; ok = btree_iter_next(&it)) {
		if (!KT_CHECK(slot >= 0) ||
		    !KT_CHECK_EQ(btree_iter_key(&it), kb_key((size_t) slot)) ||
		    !KT_CHECK_EQ((uintptr_t) btree_iter_value(&it), kb_val[slot]))
			return false;
		slot = kb_ge(kb_key((size_t) slot) + 1);
		seen++;
	}
	return KT_CHECK(slot < 0) && KT_CHECK_EQ(seen, kb_count);
}

static bool kb_run(btree_t *t)
{
	static const unsigned phase_pct[] = { 70, 40, 55, 10 };
	prng_t p;

	prng_seed(&p, KB_SEED);
	for (long op = 0; op < KB_OPS; op++) {
		if (!kb_op(t, &p, phase_pct[(op / 2500) % 4])) {
			ktest_note("btree_random: failed at op %ld", op);
			return false;
		}
		if (op % 500 == 499 && !KT_CHECK_EQ(btree_check(t), EOK))
			return false;
	}
	return kb_compare_all(t);
}

KTEST(btree_random)
{
	btree_t t;

	ktest_note("seed %#llx, %d ops over %d keys, BTREE_M=%d", (unsigned long long) KB_SEED,
	    KB_OPS, KB_KEYS, BTREE_M);
	kb_reset();
	btree_create(&t);
	bool ok = kb_run(&t);
	btree_destroy(&t);
	KT_ASSERT(ok);
	KT_ASSERT_EQ(btree_count(&t), 0);
	KT_ASSERT_EQ(btree_check(&t), EOK);
}

KTEST(btree_edges)
{
	btree_t t;
	btree_key_t f = 0;
	void *v = NULL;
	btree_node_t *leaf = NULL;

	btree_create(&t);
	KT_CHECK_EQ(btree_check(&t), EOK);
	KT_CHECK_EQ(btree_remove(&t, 1), ENOENT);
	KT_CHECK_EQ(btree_search(&t, 1, &v, &leaf), ENOENT);
	KT_CHECK(leaf == NULL);
	KT_CHECK_EQ(btree_find_le(&t, UINTPTR_MAX, &f, &v), ENOENT);
	KT_CHECK_EQ(btree_insert(&t, 0, (void *) 1), EOK);
	KT_CHECK_EQ(btree_insert(&t, UINTPTR_MAX, NULL), EOK);
	KT_CHECK_EQ(btree_insert(&t, 0, (void *) 2), EEXIST);
	KT_CHECK_EQ(btree_search(&t, 0, &v, NULL), EOK);
	KT_CHECK(v == (void *) 1);
	KT_CHECK_EQ(btree_search(&t, UINTPTR_MAX, &v, NULL), EOK);
	KT_CHECK(v == NULL);
	KT_CHECK_EQ(btree_find_gt(&t, 0, &f, NULL), EOK);
	KT_CHECK_EQ(f, UINTPTR_MAX);
	KT_CHECK_EQ(btree_find_lt(&t, UINTPTR_MAX, &f, NULL), EOK);
	KT_CHECK_EQ(f, 0);
	KT_CHECK_EQ(btree_find_lt(&t, 0, &f, NULL), ENOENT);
	KT_CHECK_EQ(btree_find_gt(&t, UINTPTR_MAX, &f, NULL), ENOENT);
	KT_CHECK_EQ(btree_remove(&t, 5), ENOENT);
	KT_CHECK_EQ(btree_count(&t), 2);
	KT_CHECK_EQ(btree_update(&t, 5, NULL), ENOENT);
	/* Ascending then descending bulk, checked all along. */
	for (btree_key_t k = 1; k <= 3000; k++) {
		KT_ASSERT_EQ(btree_insert(&t, k * 16, (void *) k), EOK);
		if (k % 100 == 0)
			KT_CHECK_EQ(btree_check(&t), EOK);
	}
	for (btree_key_t k = 3000; k >= 1; k--) {
		KT_ASSERT_EQ(btree_remove(&t, k * 16), EOK);
		if (k % 100 == 0)
			KT_CHECK_EQ(btree_check(&t), EOK);
	}
	KT_CHECK_EQ(btree_count(&t), 2);
	KT_CHECK_EQ(btree_remove(&t, 0), EOK);
	KT_CHECK_EQ(btree_remove(&t, UINTPTR_MAX), EOK);
	KT_CHECK(t.root == NULL);
	KT_CHECK_EQ(btree_check(&t), EOK);
	btree_destroy(&t);
}
