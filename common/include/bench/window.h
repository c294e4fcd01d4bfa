/*
 * The pieces every benchmark window uses, on our side (the tester's and
 * bench's programs) and in the Linux guest's programs (tools/linux-bench):
 * the marker that opens and closes an instruction-counting window, the
 * fenced TSC, and the sort that takes a median.  Header only (static
 * inline), freestanding: our toolchain and the host's gcc both build it.
 */
#ifndef COMMON_BENCH_WINDOW_H_
#define COMMON_BENCH_WINDOW_H_

#include <stdint.h>

/* Opens or closes a counting window of tools/insncount's plugin: the
 * instruction `xchg %bx, %bx` (bytes 66 87 db), which changes nothing. */
static inline void bench_marker(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

/* The TSC, fenced: under QEMU's -icount shift=0 a difference of two is the
 * number of guest instructions executed in between (while nothing waits
 * for a device). */
static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t) hi << 32 | lo;
}

/* Sort @a n values ascending (insertion sort: a median of a few dozen). */
static inline void bench_sort_u64(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		uint64_t x = v[i];
		int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

#endif
