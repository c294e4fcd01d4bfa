/*
 * Kernel tests of threads, the scheduler, sleep, mutexes and condition
 * variables.
 */
#include <arch/arch.h>
#include <proc/scheduler.h>
#include <proc/thread.h>
#include <synch/condvar.h>
#include <synch/mutex.h>
#include <test/ktest.h>
#include <time/timer.h>

static void thread_set_flag(void *arg)
{
	*(volatile int *) arg = 42;
}

KTEST(thread_create_join)
{
	volatile int flag = 0;
	thread_t *t;
	int status = -1;

	KT_ASSERT_EQ(thread_create_kernel(thread_set_flag, (void *) &flag, "t", &t), EOK);
	thread_ready(t);
	KT_CHECK_EQ(thread_join(t, &status), EOK);
	KT_CHECK_EQ(flag, 42);
	KT_CHECK_EQ(status, 0);
	KT_CHECK_EQ(thread_create_kernel(NULL, NULL, "bad", &t), EINVAL);
}

static void thread_exit_with(void *arg)
{
	thread_exit((int) (uintptr_t) arg);
}

KTEST(thread_exit_status_many)
{
	enum { N = 64 };
	static thread_t *t[N];
	size_t live0 = thread_count();
	for (int i = 0; i < N; i++) {
		KT_ASSERT_EQ(
		    thread_create_kernel(thread_exit_with, (void *) (uintptr_t) i, "x", &t[i]),
		    EOK);
		thread_ready(t[i]);
	}
	for (int i = 0; i < N; i++) {
		int st = -1;
		thread_join(t[i], &st);
		KT_CHECK_EQ(st, i);
	}
	KT_CHECK_EQ(thread_count(), live0);
}

/* Busy threads of equal priority share the CPU: each gets time. */
typedef struct spin_arg {
	volatile uint64_t count;
	volatile bool *stop;
} spin_arg_t;

static void thread_spin(void *arg)
{
	spin_arg_t *a = arg;
	while (!*a->stop)
		a->count++;
}

KTEST(scheduler_fairness)
{
	enum { N = 4 };
	static spin_arg_t args[N];
	thread_t *t[N];
	volatile bool stop = false;

	for (int i = 0; i < N; i++) {
		args[i].count = 0;
		args[i].stop = &stop;
		KT_ASSERT_EQ(thread_create_kernel(thread_spin, &args[i], "spin", &t[i]), EOK);
		thread_ready(t[i]);
	}
	KT_CHECK_EQ(thread_sleep(300000), EOK); /* the spinners preempt each other */
	stop = true;
	uint64_t min = UINT64_MAX, max = 0;
	for (int i = 0; i < N; i++) {
		thread_join(t[i], NULL);
		min = args[i].count < min ? args[i].count : min;
		max = args[i].count > max ? args[i].count : max;
	}
	ktest_note("iterations per thread: min %llu max %llu", (unsigned long long) min,
	    (unsigned long long) max);
	KT_CHECK(min > 0);
	KT_CHECK(max < 20 * min); /* nobody starved */
}

/*
 * Aging.  Two threads that wake each other through wait queues and never
 * run out a slice keep level 0 busy for good: every wakeup puts the woken
 * one back at its base level.  A thread that runs out its slice meanwhile
 * is demoted below them; it must get the CPU back by waiting on its queue
 * (aging), not only at the next boost.  It used to wait for the boost, up
 * to SCHED_BOOST_TICKS: an anon pager thread demoted while it held a lock
 * kept the pager's dead memory for up to a second at a time.
 *
 * The spinner watches the tick count: a gap of AGING_GAP_TICKS or more
 * with other threads run meanwhile (context switches) was a time off the
 * CPU, and the boost count says whether a boost ended it.  The test passes
 * at AGING_WANT returns without a boost and fails at AGING_BOOSTED_MAX
 * returns by one (a boost may fall inside a short wait by chance; without
 * aging every return is by a boost).
 */
#define AGING_GAP_TICKS 2
#define AGING_WANT 3
#define AGING_BOOSTED_MAX 3

typedef struct aging {
	waitq_t wq[2]; /* relay i sleeps on wq[i] */
	volatile bool stop;
	unsigned returned, boosted; /* the spinner's returns to the CPU */
} aging_t;

typedef struct aging_relay {
	aging_t *a;
	unsigned me;
} aging_relay_t;

static void aging_relay(void *arg)
{
	aging_relay_t *r = arg;
	aging_t *a = r->a;
	while (!a->stop) {
		waitq_wakeup_one(&a->wq[1 - r->me]);
		waitq_sleep(&a->wq[r->me], WAITQ_FOREVER, 0);
	}
	waitq_wakeup_one(&a->wq[1 - r->me]); /* the other one ends too */
}

static void aging_spinner(void *arg)
{
	aging_t *a = arg;
	uint64_t last = timer_ticks(), boosts = scheduler_boosts();
	uint64_t switches = scheduler_context_switches();
	while (a->returned < AGING_WANT && a->boosted < AGING_BOOSTED_MAX) {
		uint64_t now = timer_ticks(), b = scheduler_boosts();
		uint64_t sw = scheduler_context_switches();
		if (now - last >= AGING_GAP_TICKS && sw != switches) {
			if (b == boosts)
				a->returned++;
			else
				a->boosted++;
		}
		last = now;
		boosts = b;
		switches = sw;
	}
}

KTEST(scheduler_aging_demoted_runs)
{
	static aging_t a;
	static aging_relay_t r[2];
	thread_t *relay[2], *spinner;
	a.stop = false;
	a.returned = a.boosted = 0;
	for (unsigned i = 0; i < 2; i++) {
		waitq_initialize(&a.wq[i]);
		r[i] = (aging_relay_t){ .a = &a, .me = i };
	}
	for (unsigned i = 0; i < 2; i++) {
		KT_ASSERT_EQ(thread_create_kernel(aging_relay, &r[i], "relay", &relay[i]), EOK);
		thread_ready(relay[i]);
	}
	KT_ASSERT_EQ(thread_create_kernel(aging_spinner, &a, "spinner", &spinner), EOK);
	thread_ready(spinner);
	thread_join(spinner, NULL);
	a.stop = true;
	thread_join(relay[0], NULL);
	thread_join(relay[1], NULL);
	ktest_note("returns to the CPU: %u by aging, %u by a boost", a.returned, a.boosted);
	KT_CHECK(a.returned >= AGING_WANT);
}

KTEST(thread_sleep_timeout)
{
	uint64_t t0 = timer_ticks();
	KT_CHECK_EQ(thread_sleep(50000), EOK);
	KT_CHECK(timer_ticks() - t0 >= 5);
	waitq_t wq;
	waitq_initialize(&wq);
	t0 = timer_ticks();
	KT_CHECK_EQ(waitq_sleep(&wq, 20000, 0), ETIMEOUT);
	KT_CHECK(timer_ticks() - t0 >= 2);
	waitq_wakeup_one(&wq); /* remembered ... */
	KT_CHECK_EQ(waitq_sleep(&wq, 20000, 0), EOK); /* ... and consumed at once */
}

typedef struct mutex_arg {
	mutex_t *m;
	volatile uint64_t *counter;
	int rounds;
} mutex_arg_t;

static void thread_mutex_inc(void *arg)
{
	mutex_arg_t *a = arg;
	for (int i = 0; i < a->rounds; i++) {
		mutex_lock(a->m);
		uint64_t v = *a->counter;
		if (i % 16 == 0)
			thread_yield(); /* hold it across a switch */
		*a->counter = v + 1;
		mutex_unlock(a->m);
	}
}

KTEST(mutex_many_threads)
{
	enum { N = 16, ROUNDS = 500 };
	static mutex_t m;
	static thread_t *t[N];
	volatile uint64_t counter = 0;
	mutex_arg_t arg = { .m = &m, .counter = &counter, .rounds = ROUNDS };

	mutex_initialize(&m, "test");
	for (int i = 0; i < N; i++) {
		KT_ASSERT_EQ(thread_create_kernel(thread_mutex_inc, &arg, "mx", &t[i]), EOK);
		thread_ready(t[i]);
	}
	for (int i = 0; i < N; i++)
		thread_join(t[i], NULL);
	KT_CHECK_EQ(counter, N * ROUNDS);
	KT_CHECK(!mutex_locked(&m));
	bool got = mutex_trylock(&m); /* a second trylock: test_mutex.c */
	KT_CHECK(got);
	if (got)
		mutex_unlock(&m);
}

/* A bounded buffer: producers and consumers on two condition variables. */
typedef struct pc {
	mutex_t m;
	condvar_t not_empty, not_full;
	int buf[4];
	int count, in, out;
	uint64_t sum;
} pc_t;

static void pc_producer(void *arg)
{
	pc_t *pc = arg;
	for (int i = 1; i <= 200; i++) {
		mutex_lock(&pc->m);
		while (pc->count == 4)
			condvar_wait(&pc->not_full, &pc->m, 0);
		pc->buf[pc->in] = i;
		pc->in = (pc->in + 1) % 4;
		pc->count++;
		condvar_signal(&pc->not_empty);
		mutex_unlock(&pc->m);
	}
}

static void pc_consumer(void *arg)
{
	pc_t *pc = arg;
	for (int i = 0; i < 200; i++) {
		mutex_lock(&pc->m);
		while (pc->count == 0)
			condvar_wait(&pc->not_empty, &pc->m, 0);
		pc->sum += (uint64_t) pc->buf[pc->out];
		pc->out = (pc->out + 1) % 4;
		pc->count--;
		condvar_signal(&pc->not_full);
		mutex_unlock(&pc->m);
	}
}

KTEST(condvar_producer_consumer)
{
	enum { PAIRS = 4 };
	static pc_t pc;
	static thread_t *t[2 * PAIRS];

	mutex_initialize(&pc.m, "pc");
	condvar_initialize(&pc.not_empty);
	condvar_initialize(&pc.not_full);
	pc.count = pc.in = pc.out = 0;
	pc.sum = 0;
	for (int i = 0; i < PAIRS; i++) {
		KT_ASSERT_EQ(thread_create_kernel(pc_producer, &pc, "prod", &t[2 * i]), EOK);
		KT_ASSERT_EQ(thread_create_kernel(pc_consumer, &pc, "cons", &t[2 * i + 1]), EOK);
		thread_ready(t[2 * i]);
		thread_ready(t[2 * i + 1]);
	}
	for (int i = 0; i < 2 * PAIRS; i++)
		thread_join(t[i], NULL);
	KT_CHECK_EQ(pc.sum, PAIRS * (200 * 201 / 2));
	KT_CHECK_EQ(pc.count, 0);
	/* a timed wait with nobody signalling times out, mutex held again */
	mutex_lock(&pc.m);
	KT_CHECK_EQ(condvar_wait(&pc.not_empty, &pc.m, 10000), ETIMEOUT);
	KT_CHECK(mutex_locked_by_me(&pc.m));
	mutex_unlock(&pc.m);
}

static void thread_sleep_long(void *arg)
{
	*(errno_t *) arg = thread_sleep(60ULL * 1000000);
}

KTEST(thread_interrupt_sleep)
{
	thread_t *t;
	errno_t rc = EOK;
	KT_ASSERT_EQ(thread_create_kernel(thread_sleep_long, &rc, "sleeper", &t), EOK);
	thread_ready(t);
	thread_sleep(20000);
	thread_interrupt(t);
	thread_join(t, NULL);
	KT_CHECK_EQ(rc, EINTR);
}
