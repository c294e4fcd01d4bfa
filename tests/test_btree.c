/*
 * Host unit test of the B+tree (adt/btree.c).
 *
 * The randomized cases run a long mix of insert, remove, update, search,
 * nearest-key lookups and iteration against a trivial model: a bitmap of
 * which of K key slots are present plus an array of their values.  Slot i
 * stands for key offset + i * stride, so one configuration packs the keys
 * densely and another spreads them over the whole key range up to the top.
 * Every result is compared with the model; btree_check() runs periodically
 * and the whole contents are compared by iteration now and then.  The
 * insert probability changes by phase so the tree grows, shrinks and
 * sometimes drains to empty.  Random inserts are also made to run out of
 * memory, which must leave the tree unchanged.
 *
 * The fixed cases cover the empty tree, a single key, duplicate and missing
 * keys, ascending and descending bulk loads, extreme keys, failing at every
 * allocation an insert makes, and btree_check() catching corruption.
 *
 * Build with -DBTREE_M=3 as well: with the tiniest order nearly every
 * insert splits and nearly every remove rebalances.
 */
#include <adt/btree.h>
#include <lib/prng.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define MODEL_MAX 32768

static uint64_t model_bits[MODEL_MAX / 64];
static uintptr_t model_val[MODEL_MAX];
static size_t model_count;

/* The key space of the current run: slot i is key offset + i * stride. */
static size_t space_k;
static btree_key_t space_stride;
static btree_key_t space_offset;

static btree_key_t key_of(size_t i)
{
	return space_offset + (btree_key_t) i * space_stride;
}

static bool model_has(size_t i)
{
	return (model_bits[i / 64] >> (i % 64)) & 1;
}

static void model_set(size_t i, bool on, uintptr_t val)
{
	if (on != model_has(i))
		model_count += on ? 1 : (size_t) -1;
	if (on)
		model_bits[i / 64] |= 1ULL << (i % 64);
	else
		model_bits[i / 64] &= ~(1ULL << (i % 64));
	model_val[i] = val;
}

static void model_reset(size_t k, btree_key_t stride, btree_key_t offset)
{
	memset(model_bits, 0, sizeof(model_bits));
	memset(model_val, 0, sizeof(model_val));
	model_count = 0;
	space_k = k;
	space_stride = stride;
	space_offset = offset;
}

/* Smallest present slot >= i, or -1. */
static long model_next(size_t i)
{
	while (i < space_k) {
		uint64_t w = model_bits[i / 64] >> (i % 64);
		if (w != 0) {
			size_t j = i + (size_t) __builtin_ctzll(w);
			return j < space_k ? (long) j : -1;
		}
		i = (i / 64 + 1) * 64;
	}
	return -1;
}

/* Greatest present slot <= i, or -1. */
static long model_prev(size_t i)
{
	for (;;) {
		uint64_t w = model_bits[i / 64];
		unsigned sh = 63 - (unsigned) (i % 64);
		w = (w << sh);
		if (w != 0)
			return (long) (i - (size_t) __builtin_clzll(w));
		if (i < 64)
			return -1;
		i = (i / 64) * 64 - 1;
	}
}

static long model_le(btree_key_t q)
{
	if (q < space_offset)
		return -1;
	btree_key_t d = (q - space_offset) / space_stride;
	return model_prev(d >= space_k ? space_k - 1 : (size_t) d);
}

static long model_ge(btree_key_t q)
{
	if (q <= space_offset)
		return model_next(0);
	btree_key_t d = (q - space_offset - 1) / space_stride + 1;
	return d >= space_k ? -1 : model_next((size_t) d);
}

/* Compare one lookup result with the model's slot (or -1). */
static bool lookup_matches(errno_t rc, btree_key_t found, void *val, long slot)
{
	if (slot < 0)
		return rc == ENOENT;
	return rc == EOK && found == key_of((size_t) slot) && (uintptr_t) val == model_val[slot];
}

static btree_key_t random_query(prng_t *p)
{
	switch (prng_below(p, 6)) {
	case 0:
		return prng_next(p);
	case 1:
		return prng_below(p, 2) ? 0 : UINTPTR_MAX;
	default:
		return key_of(prng_below(p, space_k)) + prng_below(p, 3) - 1;
	}
}

static bool check_lookups(btree_t *t, btree_key_t q)
{
	btree_key_t f = 0;
	void *v = NULL;
	errno_t rc;
	long lt = q == 0 ? -1 : model_le(q - 1);
	long gt = q == UINTPTR_MAX ? -1 : model_ge(q + 1);

	rc = btree_find_le(t, q, &f, &v);
	TAP_CHECK(lookup_matches(rc, f, v, model_le(q)));
	rc = btree_find_ge(t, q, &f, &v);
	TAP_CHECK(lookup_matches(rc, f, v, model_ge(q)));
	rc = btree_find_lt(t, q, &f, &v);
	TAP_CHECK(lookup_matches(rc, f, v, lt));
	rc = btree_find_gt(t, q, &f, &v);
	TAP_CHECK(lookup_matches(rc, f, v, gt));
	return true;
}

/* Walk up to @a steps keys forward from >= q and backward from <= q. */
static bool check_iter_walk(btree_t *t, btree_key_t q, int steps)
{
	btree_iter_t it;
	long slot = model_ge(q);
	bool ok = btree_iter_ge(t, q, &it);

	for (int i = 0; i < steps; i++) {
		TAP_CHECK(ok == (slot >= 0));
		if (!ok)
			break;
		TAP_CHECK_EQ(btree_iter_key(&it), key_of((size_t) slot));
		TAP_CHECK_EQ(btree_iter_value(&it), model_val[slot]);
		ok = btree_iter_next(&it);
		slot = model_next((size_t) slot + 1);
	}
	slot = model_le(q);
	ok = btree_iter_le(t, q, &it);
	for (int i = 0; i < steps; i++) {
		TAP_CHECK(ok == (slot >= 0));
		if (!ok)
			break;
		TAP_CHECK_EQ(btree_iter_key(&it), key_of((size_t) slot));
		ok = btree_iter_prev(&it);
		slot = slot == 0 ? -1 : model_prev((size_t) slot - 1);
	}
	return true;
}

/* Full comparison of the tree with the model, by iteration and by leaves. */
static bool check_full(btree_t *t)
{
	btree_iter_t it;
	long slot = model_next(0);
	size_t seen = 0;

	TAP_CHECK(btree_check(t) == EOK);
	TAP_CHECK_EQ(btree_count(t), model_count);
	for (bool ok = btree_iter_first(t, &it); ok; ok = btree_iter_next(&it)) {
		TAP_CHECK(slot >= 0);
		TAP_CHECK_EQ(btree_iter_key(&it), key_of((size_t) slot));
		TAP_CHECK_EQ(btree_iter_value(&it), model_val[slot]);
		slot = model_next((size_t) slot + 1);
		seen++;
	}
	TAP_CHECK(slot < 0);
	TAP_CHECK_EQ(seen, model_count);
	/* Backwards over the leaf list. */
	slot = model_count ? model_prev(space_k - 1) : -1;
	for (btree_node_t *l = btree_leaf_last(t); l; l = btree_leaf_left(t, l)) {
		for (size_t i = btree_leaf_keys(l); i-- > 0;) {
			TAP_CHECK(slot >= 0);
			TAP_CHECK_EQ(btree_leaf_key(l, i), key_of((size_t) slot));
			slot = slot == 0 ? -1 : model_prev((size_t) slot - 1);
		}
	}
	TAP_CHECK(slot < 0);
	return true;
}

/* Search for slot i and check the value and the leaf it reports. */
static bool check_search(btree_t *t, size_t i)
{
	void *v = (void *) 0x1234;
	btree_node_t *leaf = NULL;
	errno_t rc = btree_search(t, key_of(i), &v, &leaf);

	if (!model_has(i)) {
		TAP_CHECK_EQ(rc, ENOENT);
		TAP_CHECK(leaf != NULL || model_count == 0);
		return true;
	}
	TAP_CHECK_EQ(rc, EOK);
	TAP_CHECK_EQ(v, model_val[i]);
	TAP_CHECK(leaf != NULL);
	size_t n = btree_leaf_keys(leaf);
	TAP_CHECK(btree_leaf_key(leaf, 0) <= key_of(i));
	TAP_CHECK(btree_leaf_key(leaf, n - 1) >= key_of(i));
	/* The neighbour leaves hold the keys just outside this one. */
	btree_node_t *right = btree_leaf_right(t, leaf);
	btree_key_t last = btree_leaf_key(leaf, n - 1);
	long next = last == UINTPTR_MAX ? -1 : model_ge(last + 1);
	TAP_CHECK((right == NULL) == (next < 0));
	if (right != NULL)
		TAP_CHECK_EQ(btree_leaf_key(right, 0), key_of((size_t) next));
	btree_node_t *left = btree_leaf_left(t, leaf);
	TAP_CHECK((left == NULL) == (btree_leaf_key(leaf, 0) == key_of((size_t) model_next(0))));
	return true;
}

static bool random_insert(btree_t *t, prng_t *p, size_t i)
{
	uintptr_t val = prng_below(p, 4) == 0 ? prng_below(p, 3) : prng_next(p);
	bool fail = prng_below(p, 100) == 0;
	size_t before = btree_count(t);

	if (fail)
		host_alloc_fail_after = (long) prng_below(p, 3);
	errno_t rc = btree_insert(t, key_of(i), (void *) val);
	host_alloc_fail_after = -1;
	if (model_has(i)) {
		TAP_CHECK_EQ(rc, EEXIST);
		TAP_CHECK_EQ(btree_count(t), before);
		return check_search(t, i);
	}
	if (rc == ENOMEM && fail) {
		TAP_CHECK_EQ(btree_count(t), before);
		TAP_CHECK(btree_check(t) == EOK);
		return check_search(t, i);
	}
	TAP_CHECK_EQ(rc, EOK);
	model_set(i, true, val);
	return true;
}

static bool random_op(btree_t *t, prng_t *p, unsigned insert_pct)
{
	size_t i = prng_below(p, space_k);
	unsigned r = (unsigned) prng_below(p, 100);

	if (r < insert_pct)
		return random_insert(t, p, i);
	if (r < 90) {
		errno_t rc = btree_remove(t, key_of(i));
		TAP_CHECK_EQ(rc, model_has(i) ? EOK : ENOENT);
		model_set(i, false, 0);
		return true;
	}
	if (r < 93) {
		uintptr_t val = prng_next(p);
		errno_t rc = btree_update(t, key_of(i), (void *) val);
		TAP_CHECK_EQ(rc, model_has(i) ? EOK : ENOENT);
		if (rc == EOK)
			model_val[i] = val;
		return true;
	}
	if (r < 96)
		return check_search(t, i);
	if (r < 99)
		return check_lookups(t, random_query(p));
	return check_iter_walk(t, random_query(p), 12);
}

/*
 * One randomized run.  The insert percentage cycles through phases; the
 * last phase of each cycle removes much more than it inserts, so small key
 * spaces drain to empty now and then.
 */
static bool random_run(uint64_t seed, size_t k, btree_key_t stride, btree_key_t offset, long ops)
{
	static const unsigned phase_pct[] = { 70, 45, 30, 60, 5 };
	btree_t t;
	prng_t p;

	tap_diag("seed %#llx k=%zu stride=%#llx offset=%#llx ops=%ld", (unsigned long long) seed, k,
	    (unsigned long long) stride, (unsigned long long) offset, ops);
	prng_seed(&p, seed);
	model_reset(k, stride, offset);
	btree_create(&t);
	for (long op = 0; op < ops; op++) {
		unsigned pct = phase_pct[(op / 8000) % 5];
		bool ok = random_op(&t, &p, pct);
		if (ok && op % 1000 == 999)
			ok = btree_check(&t) == EOK;
		if (ok && op % 20000 == 19999)
			ok = check_full(&t);
		if (!ok) {
			tap_diag("failed at op %ld", op);
			btree_destroy(&t);
			return false;
		}
	}
	bool ok = check_full(&t);
	btree_destroy(&t);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return ok;
}

static bool test_random_dense(void)
{
	return random_run(0x5eed0001, MODEL_MAX, 1, 0, 300000);
}

static bool test_random_spread(void)
{
	btree_key_t stride = (UINTPTR_MAX - 7) / MODEL_MAX;
	return random_run(0xb7ee5eedULL, MODEL_MAX, stride, 7, 300000);
}

static bool test_random_pages(void)
{
	return random_run(0x243f6a8885a308d3ULL, 4096, 4096, 0x400000, 100000);
}

static bool test_random_small(void)
{
	return random_run(0x13198a2e03707344ULL, 200, 3, 1, 100000);
}

static bool test_random_tiny(void)
{
	return random_run(0xa4093822299f31d0ULL, 9, 1, UINTPTR_MAX - 8, 100000);
}

static bool test_empty(void)
{
	btree_t t;
	btree_key_t f = 7;
	void *v = (void *) 7;
	btree_node_t *leaf = (btree_node_t *) &t;
	btree_iter_t it;

	btree_create(&t);
	TAP_CHECK(btree_check(&t) == EOK);
	TAP_CHECK_EQ(btree_count(&t), 0);
	TAP_CHECK_EQ(btree_search(&t, 5, &v, &leaf), ENOENT);
	TAP_CHECK(leaf == NULL);
	TAP_CHECK_EQ(btree_remove(&t, 5), ENOENT);
	TAP_CHECK_EQ(btree_update(&t, 5, NULL), ENOENT);
	TAP_CHECK_EQ(btree_find_le(&t, UINTPTR_MAX, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_ge(&t, 0, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_lt(&t, 5, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_gt(&t, 5, &f, &v), ENOENT);
	TAP_CHECK(f == 7 && v == (void *) 7);
	TAP_CHECK(!btree_iter_first(&t, &it));
	TAP_CHECK(!btree_iter_last(&t, &it));
	TAP_CHECK(!btree_iter_next(&it));
	TAP_CHECK(btree_leaf_first(&t) == NULL);
	TAP_CHECK(btree_leaf_last(&t) == NULL);
	btree_destroy(&t);
	btree_destroy(&t);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return true;
}

static bool test_single(void)
{
	btree_t t;
	btree_key_t f = 0;
	void *v = NULL;
	btree_iter_t it;

	btree_create(&t);
	TAP_CHECK_EQ(btree_insert(&t, 100, NULL), EOK);
	TAP_CHECK(btree_check(&t) == EOK);
	TAP_CHECK_EQ(btree_count(&t), 1);
	TAP_CHECK_EQ(host_alloc_live, 1);
	TAP_CHECK_EQ(btree_search(&t, 100, &v, NULL), EOK);
	TAP_CHECK(v == NULL);
	TAP_CHECK_EQ(btree_insert(&t, 100, (void *) 1), EEXIST);
	TAP_CHECK_EQ(btree_search(&t, 100, &v, NULL), EOK);
	TAP_CHECK(v == NULL);
	TAP_CHECK_EQ(btree_find_le(&t, 99, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_le(&t, 100, &f, &v), EOK);
	TAP_CHECK_EQ(f, 100);
	TAP_CHECK_EQ(btree_find_lt(&t, 100, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_lt(&t, 101, &f, NULL), EOK);
	TAP_CHECK_EQ(btree_find_ge(&t, 101, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_ge(&t, 0, NULL, &v), EOK);
	TAP_CHECK_EQ(btree_find_gt(&t, 100, &f, &v), ENOENT);
	TAP_CHECK_EQ(btree_find_gt(&t, 99, &f, &v), EOK);
	TAP_CHECK_EQ(f, 100);
	TAP_CHECK(btree_iter_last(&t, &it));
	TAP_CHECK_EQ(btree_iter_key(&it), 100);
	TAP_CHECK(!btree_iter_prev(&it));
	TAP_CHECK_EQ(btree_remove(&t, 99), ENOENT);
	TAP_CHECK_EQ(btree_remove(&t, 100), EOK);
	TAP_CHECK_EQ(btree_remove(&t, 100), ENOENT);
	TAP_CHECK(btree_check(&t) == EOK);
	TAP_CHECK(t.root == NULL);
	TAP_CHECK_EQ(host_alloc_live, 0);
	btree_destroy(&t);
	return true;
}

static bool test_extreme_keys(void)
{
	btree_t t;
	btree_key_t f = 1;

	btree_create(&t);
	TAP_CHECK_EQ(btree_insert(&t, 0, (void *) 10), EOK);
	TAP_CHECK_EQ(btree_insert(&t, UINTPTR_MAX, (void *) 20), EOK);
	for (btree_key_t k = 1; k < 200; k++)
		TAP_CHECK_EQ(btree_insert(&t, UINTPTR_MAX - k, NULL), EOK);
	TAP_CHECK(btree_check(&t) == EOK);
	TAP_CHECK_EQ(btree_find_lt(&t, 0, &f, NULL), ENOENT);
	TAP_CHECK_EQ(btree_find_le(&t, 0, &f, NULL), EOK);
	TAP_CHECK_EQ(f, 0);
	TAP_CHECK_EQ(btree_find_gt(&t, UINTPTR_MAX, &f, NULL), ENOENT);
	TAP_CHECK_EQ(btree_find_ge(&t, UINTPTR_MAX, &f, NULL), EOK);
	TAP_CHECK_EQ(f, UINTPTR_MAX);
	TAP_CHECK_EQ(btree_find_gt(&t, 0, &f, NULL), EOK);
	TAP_CHECK_EQ(f, UINTPTR_MAX - 199);
	TAP_CHECK_EQ(btree_find_lt(&t, UINTPTR_MAX - 199, &f, NULL), EOK);
	TAP_CHECK_EQ(f, 0);
	btree_destroy(&t);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return true;
}

/* Insert keys 0..n-1 in the given order, check, remove in the other. */
static bool bulk_run(size_t n, bool up_in, bool up_out)
{
	btree_t t;

	model_reset(n, 1, 0);
	btree_create(&t);
	for (size_t j = 0; j < n; j++) {
		size_t i = up_in ? j : n - 1 - j;
		TAP_CHECK_EQ(btree_insert(&t, i, (void *) (i * 3)), EOK);
		model_set(i, true, i * 3);
		if (j % 257 == 0 || j < 100)
			TAP_CHECK(btree_check(&t) == EOK);
	}
	TAP_CHECK(check_full(&t));
	for (size_t j = 0; j < n; j++) {
		size_t i = up_out ? j : n - 1 - j;
		TAP_CHECK_EQ(btree_remove(&t, i), EOK);
		model_set(i, false, 0);
		if (j % 257 == 0 || n - j < 100)
			TAP_CHECK(btree_check(&t) == EOK);
	}
	TAP_CHECK(check_full(&t));
	TAP_CHECK(t.root == NULL);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return true;
}

static bool test_bulk(void)
{
	for (int mode = 0; mode < 4; mode++)
		TAP_CHECK(bulk_run(20000, mode & 1, mode & 2));
	/* Even keys first, then odd ones; remove evens, then odds. */
	btree_t t;
	btree_create(&t);
	model_reset(10000, 1, 0);
	for (int pass = 0; pass < 4; pass++) {
		for (size_t i = pass % 2; i < 10000; i += 2) {
			errno_t rc = pass < 2 ? btree_insert(&t, i, (void *) i)
			                      : btree_remove(&t, i);
			TAP_CHECK_EQ(rc, EOK);
			model_set(i, pass < 2, pass < 2 ? i : 0);
		}
		TAP_CHECK(check_full(&t));
	}
	btree_destroy(&t);
	return true;
}

/* Snapshot of the tree's contents, to prove a failed insert changed none. */
typedef struct snapshot {
	size_t n;
	btree_key_t key[1024];
	void *val[1024];
} snapshot_t;

static void snapshot_take(btree_t *t, snapshot_t *s)
{
	btree_iter_t it;

	s->n = 0;
	for (bool ok = btree_iter_first(t, &it); ok; ok = btree_iter_next(&it)) {
		s->key[s->n] = btree_iter_key(&it);
		s->val[s->n] = btree_iter_value(&it);
		s->n++;
	}
}

static bool snapshot_same(btree_t *t, const snapshot_t *s)
{
	snapshot_t now;

	snapshot_take(t, &now);
	return now.n == s->n && btree_count(t) == s->n &&
	    memcmp(now.key, s->key, s->n * sizeof(s->key[0])) == 0 &&
	    memcmp(now.val, s->val, s->n * sizeof(s->val[0])) == 0;
}

/*
 * Insert @a key with allocation failing after 0, 1, 2, ... successful
 * allocations until it succeeds; each failure must leave the tree as it
 * was, with no node leaked.  Returns the allocations the insert needed.
 */
static long insert_fail_everywhere(btree_t *t, btree_key_t key)
{
	static snapshot_t before;
	long live = host_alloc_live;

	snapshot_take(t, &before);
	for (long k = 0;; k++) {
		host_alloc_fail_after = k;
		errno_t rc = btree_insert(t, key, (void *) ~key);
		host_alloc_fail_after = -1;
		if (rc == EOK)
			return host_alloc_live - live;
		if (rc != ENOMEM || btree_check(t) != EOK || !snapshot_same(t, &before) ||
		    host_alloc_live != live) {
			tap_diag("insert of %#lx failing after %ld allocs: rc %d",
			    (unsigned long) key, k, rc);
			return -1;
		}
	}
}

static bool test_enomem(void)
{
	prng_t p;
	long worst = 0;
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 8, 15, 16, 31, 32, 33, 64, 100, 255, 256,
		511, 600, BTREE_MAX_KEYS };

	prng_seed(&p, 0xe0e0e0e0);
	tap_diag("seed %#x", 0xe0e0e0e0);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		for (int shape = 0; shape < 3; shape++) {
			btree_t t;
			btree_create(&t);
			/* Even keys: ascending, descending or random order. */
			for (size_t j = 0; j < n; j++) {
				size_t i = shape == 0 ? j
				    : shape == 1      ? n - 1 - j
				                      : prng_below(&p, n);
				errno_t rc = btree_insert(&t, 2 * i + 2, NULL);
				TAP_CHECK(rc == EOK || rc == EEXIST);
			}
			/* Every gap, in turn, gets a key and loses it again. */
			for (size_t g = 0; g <= n; g++) {
				long need = insert_fail_everywhere(&t, 2 * g + 1);
				TAP_CHECK(need >= 0);
				if (need > worst)
					worst = need;
				TAP_CHECK_EQ(btree_remove(&t, 2 * g + 1), EOK);
			}
			btree_destroy(&t);
			TAP_CHECK_EQ(host_alloc_live, 0);
		}
	}
	tap_diag("most nodes one insert allocated: %ld (BTREE_M=%d)", worst, BTREE_M);
	TAP_CHECK(worst >= (BTREE_M <= 8 ? 4 : 2));
	return true;
}

/* btree_check() must notice broken invariants. */
static bool test_check_detects(void)
{
	btree_t t;

	btree_create(&t);
	for (btree_key_t k = 0; k < 500; k++)
		TAP_CHECK_EQ(btree_insert(&t, k * 10, NULL), EOK);
	TAP_CHECK(btree_check(&t) == EOK);

	btree_node_t *leaf = btree_leaf_first(&t);
	btree_key_t saved = leaf->key[0];
	leaf->key[0] = leaf->key[1];
	TAP_CHECK(btree_check(&t) == EINVAL);
	leaf->key[0] = saved;

	btree_node_t *last = btree_leaf_last(&t);
	saved = last->key[0];
	last->key[0] = 3;
	TAP_CHECK(btree_check(&t) == EINVAL);
	last->key[0] = saved;

	t.count++;
	TAP_CHECK(btree_check(&t) == EINVAL);
	t.count--;

	btree_node_t *parent = leaf->parent;
	leaf->parent = NULL;
	TAP_CHECK(btree_check(&t) == EINVAL);
	leaf->parent = parent;

	size_t keys = leaf->keys;
	leaf->keys = BTREE_MIN_KEYS > 0 ? BTREE_MIN_KEYS - 1 : 0;
	TAP_CHECK(btree_check(&t) == EINVAL);
	leaf->keys = keys;

	TAP_CHECK(btree_check(&t) == EOK);
	btree_destroy(&t);
	TAP_CHECK_EQ(host_alloc_live, 0);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "empty tree", test_empty },
		{ "single key, EEXIST and ENOENT leave it unchanged", test_single },
		{ "extreme keys 0 and UINTPTR_MAX", test_extreme_keys },
		{ "ascending/descending/interleaved bulk insert and remove", test_bulk },
		{ "ENOMEM at every allocation of an insert changes nothing", test_enomem },
		{ "btree_check detects corruption", test_check_detects },
		{ "random ops, dense keys", test_random_dense },
		{ "random ops, keys spread over the whole range", test_random_spread },
		{ "random ops, page-sized stride", test_random_pages },
		{ "random ops, 200 keys (often empty)", test_random_small },
		{ "random ops, 9 keys at the top of the range", test_random_tiny },
	};

	tap_diag("BTREE_M=%d", BTREE_M);
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
