/*
 * Microbenchmarks, reported in TSC cycles (median and minimum of many
 * runs; rdtsc fenced with lfence).  Not a test: it only measures.  Started
 * by the kernel with "bench=all" (tools/bench.sh); prints one line per
 * benchmark in the form
 *     bench NAME: median N cycles, min N cycles (R runs of B ops)
 *
 *   null_syscall   SYS_THREAD_ID round trip
 *   thread_switch  one switch between two threads yielding to each other
 *                  (a yield round trip divided by two)
 */
#include <abi/syscall.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <thread.h>

#define RUNS 101
#define BATCH 200

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t) hi << 32) | lo;
}

static int bench_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

static void bench_sort(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t k = v[i];
		size_t j = i;
		while (j > 0 && bench_cmp(&v[j - 1], &k) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = k;
	}
}

static void bench_report(const char *name, uint64_t *per_op, unsigned ops)
{
	bench_sort(per_op, RUNS);
	printf("bench %s: median %llu cycles, min %llu cycles (%u runs of %u ops)\n", name,
	    (unsigned long long) per_op[RUNS / 2], (unsigned long long) per_op[0], RUNS, ops);
}

static void bench_null_syscall(void)
{
	static uint64_t v[RUNS];
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < BATCH; i++)
			(void) syscall0(SYS_THREAD_ID);
		v[r] = (bench_rdtsc() - t0) / BATCH;
	}
	bench_report("null_syscall", v, BATCH);
}

static volatile int switch_stop;

static int bench_yielder(void *arg)
{
	(void) arg;
	while (!switch_stop)
		thread_yield();
	return 0;
}

static void bench_thread_switch(void)
{
	static uint64_t v[RUNS];
	tid_t tid;
	switch_stop = 0;
	if (thread_create(bench_yielder, NULL, &tid) != EOK) {
		printf("bench thread_switch: cannot create a thread\n");
		return;
	}
	thread_yield(); /* let it start */
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < BATCH; i++)
			thread_yield();
		v[r] = (bench_rdtsc() - t0) / (2 * BATCH);
	}
	switch_stop = 1;
	thread_join(tid, NULL);
	bench_report("thread_switch", v, 2 * BATCH);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	bool all = strcmp(which, "all") == 0;
	printf("bench: TSC cycles; see docs/PERFORMANCE.md\n");
	if (all || strstr(which, "null_syscall"))
		bench_null_syscall();
	if (all || strstr(which, "thread_switch"))
		bench_thread_switch();
	return 0;
}
