/*
 * Scheduling fairness around the IPC fast path.  A call answered by a
 * waiting server switches straight to it and the answer straight back
 * (no run queue, no decision), so two threads in a request/answer loop
 * could keep the CPU from every other ready thread of their priority for
 * as long as the loop runs: a direct switch must pass the remaining time
 * slice on, not start a new one, so that the loop as a whole uses up one
 * slice and the scheduler then decides.  Here a thread sleeps 20 ms,
 * five times, while another thread and a server task ping-pong without
 * pause: each sleep must end within SCHED_LATE_MS (the slice is
 * 2 ticks of 10 ms), where it took 370-530 ms before.
 */
#include "tester.h"
#include <sys.h>
#include <thread.h>
#include <utest.h>

#define SCHED_SLEEP_US 20000u
#define SCHED_LATE_MS 100u
#define SCHED_SLEEPS 5

typedef struct pingpong {
	cap_handle_t phone;
	volatile bool stop;
	volatile uint64_t count;
	errno_t rc;
} pingpong_t;

static int pingpong_run(void *arg)
{
	pingpong_t *p = arg;
	ipc_msg_t ans;
	while (!p->stop) {
		p->rc = ipc_request(p->phone, TS_PING, p->count, 0, 0, 0, 0, &ans);
		if (p->rc != EOK)
			return 1;
		p->count++;
	}
	return 0;
}

UTEST(sched_pingpong_no_starvation)
{
	test_server_t s;
	UT_ASSERT_OK(test_server_start(&s));
	pingpong_t p = { .phone = s.phone };
	tid_t tid;
	UT_ASSERT_OK(thread_create(pingpong_run, &p, &tid));
	while (p.count < 100 && p.rc == EOK)
		thread_yield();
	uint64_t worst = 0, before = p.count;
	for (int i = 0; i < SCHED_SLEEPS; i++) {
		uint64_t t0 = uptime_ns_now();
		thread_sleep_us(SCHED_SLEEP_US);
		uint64_t d = uptime_ns_now() - t0;
		worst = d > worst ? d : worst;
	}
	uint64_t during = p.count - before;
	p.stop = true;
	thread_join(tid, NULL);
	UT_CHECK_OK(p.rc);
	UT_CHECK(during > 100); /* the loop really ran while we slept */
	if (!UT_CHECK(worst < SCHED_LATE_MS * 1000000ull))
		utest_note("a 20 ms sleep took %llu ms (%llu round trips meanwhile)",
		    (unsigned long long) (worst / 1000000), (unsigned long long) during);
	test_server_stop(&s, TS_QUIT, NULL);
}
