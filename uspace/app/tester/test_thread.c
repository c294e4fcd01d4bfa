/*
 * Threads of one task: shared memory under a lock, join statuses, sleep,
 * preemption, and the FPU/SSE state surviving switches.
 */
#include "tester.h"
#include <lock.h>
#include <stdlib.h>
#include <sys.h>
#include <thread.h>
#include <utest.h>

#define THREADS 4
#define INCREMENTS 20000

typedef struct shared {
	lock_t lock;
	uint64_t locked_count; /* incremented under the lock */
	uint64_t atomic_count; /* incremented atomically */
	uint64_t per_thread[THREADS];
} shared_t;

typedef struct worker {
	shared_t *sh;
	int index;
} worker_t;

static int worker_count(void *arg)
{
	worker_t *w = arg;
	for (int i = 0; i < INCREMENTS; i++) {
		lock_acquire(&w->sh->lock);
		uint64_t v = w->sh->locked_count;
		if (i % 1000 == 0)
			thread_yield(); /* hold the lock across a switch now and then */
		w->sh->locked_count = v + 1;
		lock_release(&w->sh->lock);
		__atomic_fetch_add(&w->sh->atomic_count, 1, __ATOMIC_RELAXED);
		w->sh->per_thread[w->index]++;
	}
	return w->index + 100;
}

/* Run THREADS workers on @a sh and check the totals. */
static void shared_run(shared_t *sh)
{
	worker_t w[THREADS];
	tid_t tids[THREADS];
	int created = 0;
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker_t){ .sh = sh, .index = i };
		if (!UT_CHECK_OK(thread_create(worker_count, &w[i], &tids[i])))
			break;
		created++;
	}
	for (int i = 0; i < created; i++) {
		int status = 0;
		UT_CHECK_OK(thread_join(tids[i], &status));
		UT_CHECK_EQ(status, i + 100);
		UT_CHECK_EQ(sh->per_thread[i], INCREMENTS);
	}
	UT_CHECK_EQ(sh->locked_count, (uint64_t) created * INCREMENTS);
	UT_CHECK_EQ(sh->atomic_count, (uint64_t) created * INCREMENTS);
}

UTEST(thread_shared_heap)
{
	shared_t *sh = calloc(1, sizeof(*sh));
	UT_ASSERT(sh != NULL);
	shared_run(sh);
	free(sh);
}

UTEST(thread_shared_area)
{
	uintptr_t b;
	UT_ASSERT_OK(as_area_create(0, PAGE_SIZE, RW, &b));
	shared_run((shared_t *) b);
	UT_CHECK_OK(as_area_destroy(b));
}

static int thread_exits_early(void *arg)
{
	(void) arg;
	thread_exit(5);
}

static int thread_report_id(void *arg)
{
	*(tid_t *) arg = thread_id();
	return 0;
}

UTEST(thread_join_status_and_ids)
{
	tid_t tid, seen = 0;
	int status = 0;
	UT_ASSERT_OK(thread_create(thread_exits_early, NULL, &tid));
	UT_CHECK_OK(thread_join(tid, &status));
	UT_CHECK_EQ(status, 5);
	UT_ASSERT_OK(thread_create(thread_report_id, &seen, &tid));
	UT_CHECK_OK(thread_join(tid, NULL));
	UT_CHECK_EQ(seen, tid);
	UT_CHECK(seen != thread_id());
}

UTEST(thread_many)
{
	enum { N = 48 };
	tid_t tids[N];
	for (int i = 0; i < N; i++)
		UT_ASSERT_OK(thread_create(thread_exits_early, NULL, &tids[i]));
	for (int i = 0; i < N; i++) {
		int status = 0;
		UT_CHECK_OK(thread_join(tids[i], &status));
		UT_CHECK_EQ(status, 5);
	}
}

UTEST(thread_sleep_advances_uptime)
{
	uint64_t t0 = uptime_ns_now();
	UT_CHECK_OK(thread_sleep_us(20000));
	uint64_t dt = uptime_ns_now() - t0;
	utest_note("slept 20 ms: %llu us", (unsigned long long) (dt / 1000));
	UT_CHECK(dt >= 19000000ULL); /* 1 ms for a clock read at ms granularity */
	UT_CHECK(dt < 2000000000ULL);
	uint64_t t1 = uptime_ns_now();
	UT_CHECK(t1 >= t0 + dt);
}

static volatile int spin_flag;

static int thread_set_flag(void *arg)
{
	(void) arg;
	spin_flag = 1;
	return 0;
}

/* The main thread spins without yielding; only preemption lets the other
 * thread run and set the flag. */
UTEST(thread_preemption)
{
	tid_t tid;
	spin_flag = 0;
	UT_ASSERT_OK(thread_create(thread_set_flag, NULL, &tid));
	uint64_t deadline = uptime_ns_now() + 5000000000ULL;
	while (!spin_flag && uptime_ns_now() < deadline)
		__asm__ volatile("pause");
	UT_CHECK_EQ(spin_flag, 1);
	UT_CHECK_OK(thread_join(tid, NULL));
}

/* Load @a v into xmm0..xmm15, yield @a rounds times, read them back: the
 * kernel must keep every thread's SSE registers across switches.  Returns
 * the number of registers that came back wrong. */
static int sse_survives(uint64_t v, int rounds)
{
	uint64_t out[16];
	int bad = 0;
	for (int r = 0; r < rounds; r++) {
		__asm__ volatile("movq %[v], %%xmm0\n"
		                 "pshufd $0x44, %%xmm0, %%xmm0\n"
		                 "movdqa %%xmm0, %%xmm1; movdqa %%xmm0, %%xmm2\n"
		                 "movdqa %%xmm0, %%xmm3; movdqa %%xmm0, %%xmm4\n"
		                 "movdqa %%xmm0, %%xmm5; movdqa %%xmm0, %%xmm6\n"
		                 "movdqa %%xmm0, %%xmm7; movdqa %%xmm0, %%xmm8\n"
		                 "movdqa %%xmm0, %%xmm9; movdqa %%xmm0, %%xmm10\n"
		                 "movdqa %%xmm0, %%xmm11; movdqa %%xmm0, %%xmm12\n"
		                 "movdqa %%xmm0, %%xmm13; movdqa %%xmm0, %%xmm14\n"
		                 "movdqa %%xmm0, %%xmm15\n"
		                 "mov %[num], %%eax\n"
		                 "syscall\n"
		                 "movq %%xmm0, 0(%[out]); movq %%xmm1, 8(%[out])\n"
		                 "movq %%xmm2, 16(%[out]); movq %%xmm3, 24(%[out])\n"
		                 "movq %%xmm4, 32(%[out]); movq %%xmm5, 40(%[out])\n"
		                 "movq %%xmm6, 48(%[out]); movq %%xmm7, 56(%[out])\n"
		                 "movq %%xmm8, 64(%[out]); movq %%xmm9, 72(%[out])\n"
		                 "movq %%xmm10, 80(%[out]); movq %%xmm11, 88(%[out])\n"
		                 "movq %%xmm12, 96(%[out]); movq %%xmm13, 104(%[out])\n"
		                 "movq %%xmm14, 112(%[out]); movq %%xmm15, 120(%[out])\n"
		                 :
		                 : [v] "r"(v), [num] "i"(SYS_THREAD_YIELD), [out] "r"(out)
		                 : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		                 "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
		                 "xmm12", "xmm13", "xmm14", "xmm15");
		for (int i = 0; i < 16; i++)
			bad += out[i] != v;
	}
	return bad;
}

static int sse_thread(void *arg)
{
	return sse_survives((uint64_t) (uintptr_t) arg, 200);
}

UTEST(thread_sse_state_kept)
{
	enum { N = 3 };
	tid_t tids[N];
	for (int i = 0; i < N; i++) {
		uint64_t v = 0x0101010101010101ULL * (uint64_t) (i + 1);
		UT_ASSERT_OK(thread_create(sse_thread, (void *) (uintptr_t) v, &tids[i]));
	}
	UT_CHECK_EQ(sse_survives(0xa5a5a5a5a5a5a5a5ULL, 200), 0);
	for (int i = 0; i < N; i++) {
		int bad = -1;
		UT_CHECK_OK(thread_join(tids[i], &bad));
		UT_CHECK_EQ(bad, 0);
	}
}

/* Floating point in several threads at once, switched by the timer. */
static int fpu_thread(void *arg)
{
	volatile double x = (double) (uintptr_t) arg;
	double sum = 0;
	for (int i = 0; i < 200000; i++)
		sum += x * 0.5;
	return sum == (double) (uintptr_t) arg * 0.5 * 200000 ? 0 : 1;
}

UTEST(thread_fpu_preempted)
{
	enum { N = 3 };
	tid_t tids[N];
	for (int i = 0; i < N; i++)
		UT_ASSERT_OK(thread_create(fpu_thread, (void *) (uintptr_t) (i + 3), &tids[i]));
	for (int i = 0; i < N; i++) {
		int status = -1;
		UT_CHECK_OK(thread_join(tids[i], &status));
		UT_CHECK_EQ(status, 0);
	}
}
