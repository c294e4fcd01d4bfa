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
 *   task_switch    one switch between two TASKS yielding to each other (each
 *                  switch changes the address space; compare thread_switch)
 *   ipc_roundtrip  a synchronous call to another task and its answer
 *   fault_1page    first touch of a page of an anon-pager area, touching
 *                  pages backwards so every fault is answered with 1 page
 *   fault_16page   the same touching forwards: one fault maps a 16-page
 *                  run (read-ahead); cycles per page
 *   fault_areas_N  fault_1page with N (10, 1000, 10000) other areas in the
 *                  address space (area lookup cost)
 */
#include <abi/pager.h>
#include <abi/syscall.h>
#include <anon.h>
#include <as.h>
#include <errno.h>
#include <ipc.h>
#include <ns.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define RUNS 101
#define BATCH 200

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xchg %%bx, %%bx; lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
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

/* Cycles per switch while one other thread or task yields back: a yield
 * round trip is two switches. */
static void bench_yield_pingpong(uint64_t *v)
{
	thread_yield(); /* let the other side start */
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < BATCH; i++)
			thread_yield();
		v[r] = (bench_rdtsc() - t0) / (2 * BATCH);
	}
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
	bench_yield_pingpong(v);
	switch_stop = 1;
	thread_join(tid, NULL);
	bench_report("thread_switch", v, 2 * BATCH);
}

#define FAULT_PAGES 256
#define BENCH_ECHO (IPC_M_FIRST_USER + 7)
#define BENCH_QUIT (IPC_M_FIRST_USER + 8)

/* The other end of ipc_roundtrip: a child "bench server" answering echo
 * calls until told to quit. */
static errno_t bench_server_handle(ipc_event_t *ev, ipc_msg_t *answer)
{
	if (ev->kind != IPC_EV_CALL)
		return IPC_NO_REPLY;
	if (ev->msg.method == IPC_M_CONNECT_ME_TO) {
		ipc_connect_accept(ev, 1);
		return IPC_NO_REPLY;
	}
	if (ev->msg.method == BENCH_QUIT) {
		ipc_answer(ev->call, EOK, NULL);
		exit(0);
	}
	answer->arg[0] = ev->msg.arg[0] + 1;
	return ev->msg.method == BENCH_ECHO ? EOK : ENOTSUP;
}

static int bench_server(void)
{
	if (ns_register("benchsrv") != EOK)
		return 1;
	ipc_serve_reply(bench_server_handle, 1);
	return 2;
}

/* The other task of task_switch: yield a fixed number of times, then end. */
static int bench_yielder_task(void)
{
	for (int i = 0; i < 3 * RUNS * BATCH; i++)
		thread_yield();
	return 0;
}

static void bench_task_switch(void)
{
	static uint64_t v[RUNS];
	task_id_t id;
	if (task_spawn("bench", "yielder", &id) != EOK) {
		printf("bench task_switch: cannot start the other task\n");
		return;
	}
	bench_yield_pingpong(v);
	task_exit_info_t info;
	task_wait(id, &info);
	bench_report("task_switch", v, 2 * BATCH);
}

static void bench_ipc_roundtrip(void)
{
	static uint64_t v[RUNS];
	task_id_t id;
	cap_handle_t phone;
	errno_t rc = task_spawn("bench", "server", &id);
	if (rc == EOK)
		rc = ns_connect("benchsrv", &phone);
	if (rc != EOK) {
		printf("bench ipc_roundtrip: no server (%s)\n", str_error_name(rc));
		return;
	}
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < BATCH; i++) {
			ipc_msg_t m = { .method = BENCH_ECHO, .arg = { (uint64_t) i } }, ans;
			(void) ipc_request_msg(phone, &m, &ans);
		}
		v[r] = (bench_rdtsc() - t0) / BATCH;
	}
	ipc_msg_t q = { .method = BENCH_QUIT }, ans;
	(void) ipc_request_msg(phone, &q, &ans);
	task_exit_info_t info;
	task_wait(id, &info);
	ipc_hangup(phone);
	bench_report("ipc_roundtrip", v, BATCH);
}

/* Cycles per page to first-touch FAULT_PAGES pages of a new anon area,
 * backwards (1-page answers) or forwards (runs). */
static uint64_t bench_fault_once(bool forward)
{
	uintptr_t base;
	if (as_area_create_anon(0, FAULT_PAGES * PAGE_SIZE,
	        AS_AREA_READ | AS_AREA_WRITE | AS_AREA_CACHEABLE, &base) != EOK)
		return 0;
	volatile char *p = (volatile char *) base;
	uint64_t t0 = bench_rdtsc();
	for (size_t i = 0; i < FAULT_PAGES; i++) {
		size_t pg = forward ? i : FAULT_PAGES - 1 - i;
		p[pg * PAGE_SIZE] = 1;
	}
	uint64_t cycles = (bench_rdtsc() - t0) / FAULT_PAGES;
	as_area_destroy(base);
	return cycles;
}

static void bench_fault(const char *name, bool forward)
{
	static uint64_t v[RUNS];
	if (anon_phone() == CAP_NIL) {
		printf("bench %s: no anon pager\n", name);
		return;
	}
	for (int r = 0; r < RUNS; r++) {
		v[r] = bench_fault_once(forward);
		if (v[r] == 0) {
			printf("bench %s: cannot create areas\n", name);
			return;
		}
	}
	bench_report(name, v, FAULT_PAGES);
}

/* fault_1page with @a n one-page areas (of one anon object, never
 * touched, so they cost no frames) around. */
static void bench_fault_areas(unsigned n)
{
	char name[32];
	as_pager_spec_t spec = { .phone = anon_phone() };
	static uintptr_t bases[10000];
	if (spec.phone == CAP_NIL || anon_object_create(spec.phone, &spec.object) != EOK)
		return;
	unsigned made = 0;
	for (; made < n; made++) {
		spec.offset = (uint64_t) made * PAGE_SIZE;
		if (as_area_create_pager(
		        0, PAGE_SIZE, AS_AREA_READ | AS_AREA_CACHEABLE, &spec, &bases[made]) != EOK)
			break;
	}
	snprintf(name, sizeof(name), "fault_areas_%u", n);
	if (made == n)
		bench_fault(name, false);
	else
		printf("bench %s: only %u areas could be made\n", name, made);
	for (unsigned i = 0; i < made; i++)
		as_area_destroy(bases[i]);
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	if (strcmp(which, "server") == 0)
		return bench_server();
	if (strcmp(which, "yielder") == 0)
		return bench_yielder_task();
	bool all = strcmp(which, "all") == 0;
	printf("bench: TSC cycles; see docs/PERFORMANCE.md\n");
	if (all || strstr(which, "null_syscall"))
		bench_null_syscall();
	if (all || strstr(which, "thread_switch"))
		bench_thread_switch();
	if (all || strstr(which, "task_switch"))
		bench_task_switch();
	if (all || strstr(which, "ipc_roundtrip"))
		bench_ipc_roundtrip();
	if (all || strstr(which, "fault_1page"))
		bench_fault("fault_1page", false);
	if (all || strstr(which, "fault_16page"))
		bench_fault("fault_16page", true);
	if (all || strstr(which, "fault_areas")) {
		bench_fault_areas(10);
		bench_fault_areas(1000);
		bench_fault_areas(10000);
	}
	return 0;
}
