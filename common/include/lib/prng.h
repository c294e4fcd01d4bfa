/*
 * A small deterministic pseudo-random generator (xorshift64*) for tests and
 * randomized checks.  Same seed, same sequence, on the host, in the kernel
 * and in user space.
 */
#ifndef COMMON_LIB_PRNG_H_
#define COMMON_LIB_PRNG_H_

#include <stdint.h>

typedef struct prng {
	uint64_t state;
} prng_t;

static inline void prng_seed(prng_t *p, uint64_t seed)
{
	p->state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static inline uint64_t prng_next(prng_t *p)
{
	uint64_t x = p->state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform-enough value in [0, bound) for bound > 0. */
static inline uint64_t prng_below(prng_t *p, uint64_t bound)
{
	return prng_next(p) % bound;
}

#endif
