/*
 * Host benchmark of the B+tree: nanoseconds per insert, lookup and remove
 * with random keys (fixed seed) in trees of 1,000 and 1,000,000 keys.
 *
 * For each size the keys are drawn once; the tree is filled with them
 * (insert), each is searched for in a different random order (lookup),
 * and all are removed in a third order (remove).  The small tree is built
 * and torn down many times so that each figure covers several million
 * operations.  Built with -O2 and no sanitizers; not a test.
 */
#include <adt/btree.h>
#include <lib/prng.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tap.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static void shuffle(btree_key_t *a, size_t n, prng_t *p)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = prng_below(p, i);
		btree_key_t tmp = a[i - 1];
		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

static btree_key_t *keys_copy(const btree_key_t *keys, size_t n, prng_t *p)
{
	btree_key_t *c = malloc(n * sizeof(*c));

	if (c == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		c[i] = keys[i];
	shuffle(c, n, p);
	return c;
}

static void bench(size_t n, unsigned rounds)
{
	prng_t p;
	btree_key_t *keys = malloc(n * sizeof(*keys));
	double t_ins = 0, t_look = 0, t_rem = 0;
	uintptr_t sink = 0;
	btree_t t;

	if (keys == NULL)
		abort();
	prng_seed(&p, 0xbe9c0000 + n);
	for (size_t i = 0; i < n; i++)
		keys[i] = prng_next(&p);
	btree_key_t *look = keys_copy(keys, n, &p);
	btree_key_t *rem = keys_copy(keys, n, &p);

	for (unsigned r = 0; r < rounds; r++) {
		btree_create(&t);
		double t0 = now_ns();
		for (size_t i = 0; i < n; i++)
			btree_insert(&t, keys[i], (void *) keys[i]);
		double t1 = now_ns();
		for (size_t i = 0; i < n; i++) {
			void *v = NULL;
			btree_search(&t, look[i], &v, NULL);
			sink += (uintptr_t) v;
		}
		double t2 = now_ns();
		for (size_t i = 0; i < n; i++)
			btree_remove(&t, rem[i]);
		double t3 = now_ns();
		if (btree_count(&t) != 0 || host_alloc_live != 0)
			abort();
		t_ins += t1 - t0;
		t_look += t2 - t1;
		t_rem += t3 - t2;
	}
	double ops = (double) n * rounds;
	printf("btree M=%d n=%zu insert %.1f ns/op lookup %.1f ns/op remove "
	       "%.1f ns/op%s\n",
	    BTREE_M, n, t_ins / ops, t_look / ops, t_rem / ops, sink == 1 ? " " : "");
	free(keys);
	free(look);
	free(rem);
}

int main(void)
{
	bench(1000, 3000);
	bench(1000000, 3);
	return 0;
}
