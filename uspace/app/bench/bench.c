/*
 * Microbenchmarks, reported in TSC cycles (median and minimum of many
 * runs; rdtsc fenced with lfence).  Not a test: it only measures.  Started
 * by the kernel with "bench=SPEC" (tools/bench.sh); prints one line per
 * benchmark in the form
 *     bench NAME: median N cycles, min N cycles (R runs of B ops)
 * Under QEMU with "-icount shift=0,sleep=off" (tools/qemu.sh --icount) the
 * TSC advances one tick per guest instruction, so the "cycles" are exact
 * instruction counts (and the median equals the minimum, give or take a
 * timer interrupt).
 *
 * SPEC is "all" or a comma-separated list of words.  A word that is the
 * name of a benchmark selects that one; any other word selects every
 * benchmark whose name starts with the word and "_" ("touch" runs
 * touch_1mib .. touch_64mib, "ipc" every ipc_roundtrip*, "fault_1page"
 * only fault_1page).  They run in the order of bench_table.
 *
 *   null_syscall        SYS_THREAD_ID round trip
 *   thread_switch       one switch between two threads yielding to each
 *                       other (a yield round trip divided by two)
 *   task_switch         one switch between two TASKS yielding to each other
 *                       (each switch changes the address space)
 *   ipc_roundtrip       call + answer between two tasks through libc's
 *                       synchronous request helper (ipc_request_msg, which
 *                       is one SYS_IPC_CALL_SYNC); the server answers by
 *                       returning (ipc_serve_reply: SYS_IPC_REPLY_WAIT)
 *   ipc_roundtrip_async call + answer through the asynchronous system calls
 *                       alone (ipc_call with a plain cookie, ipc_wait for
 *                       any event): the general path, whatever libc does
 *   ipc_roundtrip_fast  the same through ipc_call_sync() itself: the fast
 *                       path (the message in registers, a direct switch to
 *                       the waiting server thread and back)
 *   fault_1page         first touch of a page of an anon-pager area,
 *                       touching pages backwards so every fault is answered
 *                       with 1 page; per page, averaged over the run (one
 *                       fault in 16 makes the pager create and zero a block)
 *   fault_1page_steady  the same, each fault timed alone: the median fault
 *                       of a run, i.e. one that finds its block made
 *   fault_16page        touching forwards: one fault maps a 16-page run
 *                       (read-ahead); per page
 *   fault_areas_N       fault_1page with N (10, 1000, 10000) other areas in
 *                       the address space (area lookup cost)
 *   touch_NMIB          first touch (one byte written per page, forwards) of
 *                       a fresh anon area of N (1, 4, 16, 64) MiB; per page
 *   rtw                 prints rtw_read and rtw_write: a fresh 1 MiB anon
 *                       area read page by page, then written page by page;
 *                       per page for each phase (the reads map the pager's
 *                       zero page, the writes upgrade)
 *   zero_4k             our page zeroing alone: the loop of the kernel's
 *                       arch_page_zero (which zeroes the anon pager's wired
 *                       blocks) over a mapped 16-page block; per page
 *   spawn_exit_wait     task_spawn of module "bench" with the argument
 *                       "exit" (main returns 0 at once), then task_wait
 *   spawn_exit_wait_tester  the same with module "tester", "child:exit 0"
 *                       (the child the user test suite spawns; a bigger
 *                       image)
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
#define MIB (1024UL * 1024)

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

/* Print the median and minimum of @a runs per-op figures (sorts them). */
static void bench_report_n(const char *name, uint64_t *per_op, unsigned runs, unsigned ops)
{
	bench_sort(per_op, runs);
	printf("bench %s: median %llu cycles, min %llu cycles (%u runs of %u ops)\n", name,
	    (unsigned long long) per_op[runs / 2], (unsigned long long) per_op[0], runs, ops);
}

static void bench_report(const char *name, uint64_t *per_op, unsigned ops)
{
	bench_report_n(name, per_op, RUNS, ops);
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

#define BENCH_ECHO (IPC_M_FIRST_USER + 7)
#define BENCH_QUIT (IPC_M_FIRST_USER + 8)

/* The other end of the ipc_roundtrip benchmarks: a child "bench server"
 * answering echo calls until told to quit.  It answers by returning
 * (ipc_serve_reply): answer and next wait are one SYS_IPC_REPLY_WAIT. */
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

/* One echo round trip through @a phone; false if it failed. */
typedef bool (*bench_echo_fn_t)(cap_handle_t phone, uint64_t i);

/* libc's synchronous request helper. */
static bool bench_echo_request(cap_handle_t phone, uint64_t i)
{
	ipc_msg_t m = { .method = BENCH_ECHO, .arg = { i } }, ans;
	return ipc_request_msg(phone, &m, &ans) == EOK && ans.arg[0] == i + 1;
}

/* The register call itself (what ipc_request_msg does). */
static bool bench_echo_fast(cap_handle_t phone, uint64_t i)
{
	ipc_msg_t m = { .method = BENCH_ECHO, .arg = { i } }, ans;
	return ipc_call_sync(phone, &m, &ans) == EOK && ans.arg[0] == i + 1;
}

/* The asynchronous system calls alone: a plain cookie (no
 * IPC_COOKIE_SYNC), then a wait for any event (this task serves nothing,
 * so the only event is the answer). */
static bool bench_echo_async(cap_handle_t phone, uint64_t i)
{
	ipc_msg_t m = { .method = BENCH_ECHO, .arg = { i } };
	ipc_event_t ev;
	if (ipc_call(phone, &m, i + 1) != EOK)
		return false;
	if (ipc_wait(&ev, 0, 0, 0) != EOK)
		return false;
	return ev.kind == IPC_EV_ANSWER && ev.cookie == i + 1 && ev.retval == EOK &&
	    ev.msg.arg[0] == i + 1;
}

/* Round trips to a child "bench server" task through @a echo. */
/* Inlined into each caller, so that the echo is a direct call there. */
static inline __attribute__((always_inline)) void bench_ipc(const char *name, bench_echo_fn_t echo)
{
	static uint64_t v[RUNS];
	task_id_t id;
	cap_handle_t phone;
	bool ok = true;
	errno_t rc = task_spawn("bench", "server", &id);
	if (rc == EOK)
		rc = ns_connect("benchsrv", &phone);
	if (rc != EOK) {
		printf("bench %s: no server (%s)\n", name, str_error_name(rc));
		return;
	}
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < BATCH; i++)
			ok &= echo(phone, (uint64_t) i);
		v[r] = (bench_rdtsc() - t0) / BATCH;
	}
	ipc_msg_t q = { .method = BENCH_QUIT }, ans;
	(void) ipc_request_msg(phone, &q, &ans);
	task_exit_info_t info;
	task_wait(id, &info);
	ipc_hangup(phone);
	if (ok)
		bench_report(name, v, BATCH);
	else
		printf("bench %s: a round trip failed\n", name);
}

static void bench_ipc_roundtrip(void)
{
	bench_ipc("ipc_roundtrip", bench_echo_request);
}

static void bench_ipc_roundtrip_fast(void)
{
	bench_ipc("ipc_roundtrip_fast", bench_echo_fast);
}

static void bench_ipc_roundtrip_async(void)
{
	bench_ipc("ipc_roundtrip_async", bench_echo_async);
}

#define FAULT_PAGES 256
#define AREA_RW (AS_AREA_READ | AS_AREA_WRITE)

/* A fresh anon area of @a pages pages, or 0. */
static uintptr_t bench_anon_area(size_t pages)
{
	uintptr_t base;
	if (as_area_create_anon(0, pages * PAGE_SIZE, AREA_RW, &base) != EOK)
		return 0;
	return base;
}

/* Cycles per page to first-touch FAULT_PAGES pages of a new anon area,
 * backwards (1-page answers) or forwards (runs). */
static uint64_t bench_fault_once(bool forward)
{
	uintptr_t base = bench_anon_area(FAULT_PAGES);
	if (!base)
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

static void bench_fault_1page(void)
{
	bench_fault("fault_1page", false);
}

static void bench_fault_16page(void)
{
	bench_fault("fault_16page", true);
}

/* The cost of an empty fenced-rdtsc interval (subtracted from each timed
 * fault of fault_1page_steady). */
static uint64_t bench_rdtsc_overhead(void)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 64; i++) {
		uint64_t t0 = bench_rdtsc();
		uint64_t d = bench_rdtsc() - t0;
		best = d < best ? d : best;
	}
	return best;
}

/* fault_1page with each fault timed alone: the median fault of a run. */
static uint64_t bench_fault_steady_once(uint64_t overhead)
{
	static uint64_t each[FAULT_PAGES];
	uintptr_t base = bench_anon_area(FAULT_PAGES);
	if (!base)
		return 0;
	volatile char *p = (volatile char *) base;
	for (size_t i = 0; i < FAULT_PAGES; i++) {
		uint64_t t0 = bench_rdtsc();
		p[(FAULT_PAGES - 1 - i) * PAGE_SIZE] = 1;
		uint64_t d = bench_rdtsc() - t0;
		each[i] = d > overhead ? d - overhead : 0;
	}
	as_area_destroy(base);
	bench_sort(each, FAULT_PAGES);
	return each[FAULT_PAGES / 2];
}

#define STEADY_RUNS 21

static void bench_fault_1page_steady(void)
{
	static uint64_t v[STEADY_RUNS];
	uint64_t overhead = bench_rdtsc_overhead();
	for (int r = 0; r < STEADY_RUNS; r++) {
		v[r] = bench_fault_steady_once(overhead);
		if (v[r] == 0) {
			printf("bench fault_1page_steady: cannot create areas\n");
			return;
		}
	}
	bench_report_n("fault_1page_steady", v, STEADY_RUNS, FAULT_PAGES);
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
		if (as_area_create_pager(0, PAGE_SIZE, AS_AREA_READ, &spec, &bases[made]) != EOK)
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

static void bench_fault_areas_10(void)
{
	bench_fault_areas(10);
}

static void bench_fault_areas_1000(void)
{
	bench_fault_areas(1000);
}

static void bench_fault_areas_10000(void)
{
	bench_fault_areas(10000);
}

/* Cycles per page to write one byte of each page of a fresh anon area of
 * @a mib MiB, forwards. */
static uint64_t bench_touch_once(size_t mib)
{
	size_t pages = mib * MIB / PAGE_SIZE;
	uintptr_t base = bench_anon_area(pages);
	if (!base)
		return 0;
	volatile char *p = (volatile char *) base;
	uint64_t t0 = bench_rdtsc();
	for (size_t i = 0; i < pages; i++)
		p[i * PAGE_SIZE] = 1;
	uint64_t cycles = (bench_rdtsc() - t0) / pages;
	as_area_destroy(base);
	return cycles;
}

/* Fewer runs for bigger areas: each run of 64 MiB is 16,384 faults. */
static void bench_touch(size_t mib, unsigned runs)
{
	static uint64_t v[RUNS];
	char name[32];
	snprintf(name, sizeof(name), "touch_%zumib", mib);
	for (unsigned r = 0; r < runs; r++) {
		v[r] = bench_touch_once(mib);
		if (v[r] == 0) {
			printf("bench %s: cannot create the area\n", name);
			return;
		}
	}
	bench_report_n(name, v, runs, (unsigned) (mib * MIB / PAGE_SIZE));
}

static void bench_touch_1mib(void)
{
	bench_touch(1, 21);
}

static void bench_touch_4mib(void)
{
	bench_touch(4, 11);
}

static void bench_touch_16mib(void)
{
	bench_touch(16, 5);
}

static void bench_touch_64mib(void)
{
	bench_touch(64, 3);
}

/* Read-then-write: per-page cycles of reading every page of a fresh area
 * (*rd), then writing every page (*wr). */
static bool bench_rtw_once(uint64_t *rd, uint64_t *wr)
{
	uintptr_t base = bench_anon_area(FAULT_PAGES);
	if (!base)
		return false;
	volatile char *p = (volatile char *) base;
	unsigned sink = 0;
	uint64_t t0 = bench_rdtsc();
	for (size_t i = 0; i < FAULT_PAGES; i++)
		sink += (unsigned char) p[i * PAGE_SIZE];
	uint64_t t1 = bench_rdtsc();
	for (size_t i = 0; i < FAULT_PAGES; i++)
		p[i * PAGE_SIZE] = 1;
	uint64_t t2 = bench_rdtsc();
	as_area_destroy(base);
	*rd = (t1 - t0) / FAULT_PAGES;
	*wr = (t2 - t1) / FAULT_PAGES;
	return sink == 0; /* a fresh page reads as zero */
}

#define RTW_RUNS 21

static void bench_rtw(void)
{
	static uint64_t rd[RTW_RUNS], wr[RTW_RUNS];
	for (int r = 0; r < RTW_RUNS; r++) {
		if (!bench_rtw_once(&rd[r], &wr[r])) {
			printf("bench rtw: no area, or a fresh page did not read as zero\n");
			return;
		}
	}
	bench_report_n("rtw_read", rd, RTW_RUNS, FAULT_PAGES);
	bench_report_n("rtw_write", wr, RTW_RUNS, FAULT_PAGES);
}

/*
 * The loop of the kernel's arch_page_zero (kernel/arch/amd64/include/
 * arch/asm.h: eight 64-bit stores per trip), which zeroes the frames of
 * every wired area, so of each 16-page block of the anon pager: our
 * counterpart of Linux's clear_page_erms ("rep stosb", linux_zero_4k in
 * tools/linux-bench).  Keep the two loops the same.
 */
static void bench_page_zero(void *dst, size_t pages)
{
	size_t lines = pages * (PAGE_SIZE / 64);
	__asm__ volatile("1:\n\t"
	                 "movq %2, 0(%0)\n\t"
	                 "movq %2, 8(%0)\n\t"
	                 "movq %2, 16(%0)\n\t"
	                 "movq %2, 24(%0)\n\t"
	                 "movq %2, 32(%0)\n\t"
	                 "movq %2, 40(%0)\n\t"
	                 "movq %2, 48(%0)\n\t"
	                 "movq %2, 56(%0)\n\t"
	                 "addq $64, %0\n\t"
	                 "decq %1\n\t"
	                 "jnz 1b"
	                 : "+r"(dst), "+r"(lines)
	                 : "r"(0UL)
	                 : "memory", "cc");
}

#define ZERO_PAGES 16 /* an anon block (ANON_RUN pages), zeroed in one call */

static void bench_zero_4k(void)
{
	static uint64_t v[RUNS];
	uintptr_t base = bench_anon_area(ZERO_PAGES);
	if (!base) {
		printf("bench zero_4k: cannot create the area\n");
		return;
	}
	bench_page_zero((void *) base, ZERO_PAGES); /* map every page first */
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		bench_page_zero((void *) base, ZERO_PAGES);
		v[r] = (bench_rdtsc() - t0) / ZERO_PAGES;
	}
	as_area_destroy(base);
	bench_report("zero_4k", v, ZERO_PAGES);
}

#define SPAWN_RUNS 31

/* task_spawn(@a module, @a args) + task_wait of a child that exits at
 * once with status 0. */
static void bench_spawn(const char *name, const char *module, const char *args)
{
	static uint64_t v[SPAWN_RUNS];
	for (int r = 0; r < SPAWN_RUNS; r++) {
		task_id_t id;
		task_exit_info_t info;
		uint64_t t0 = bench_rdtsc();
		errno_t rc = task_spawn(module, args, &id);
		if (rc == EOK)
			rc = task_wait(id, &info);
		v[r] = bench_rdtsc() - t0;
		if (rc != EOK || info.reason != TASK_EXIT_NORMAL || info.status != 0) {
			printf("bench %s: spawn or wait failed (%s)\n", name, str_error_name(rc));
			return;
		}
	}
	bench_report_n(name, v, SPAWN_RUNS, 1);
}

static void bench_spawn_exit_wait(void)
{
	bench_spawn("spawn_exit_wait", "bench", "exit");
}

static void bench_spawn_exit_wait_tester(void)
{
	bench_spawn("spawn_exit_wait_tester", "tester", "child:exit 0");
}

typedef struct bench_entry {
	const char *name;
	void (*run)(void); /* NULL: reserved, not written yet */
} bench_entry_t;

/* Every benchmark, in the order "all" runs them; names as in the list at
 * the top of this file. */
static const bench_entry_t bench_table[] = {
	{ "null_syscall", bench_null_syscall },
	{ "thread_switch", bench_thread_switch },
	{ "task_switch", bench_task_switch },
	{ "ipc_roundtrip", bench_ipc_roundtrip },
	{ "ipc_roundtrip_async", bench_ipc_roundtrip_async },
	{ "ipc_roundtrip_fast", bench_ipc_roundtrip_fast },
	{ "fault_1page", bench_fault_1page },
	{ "fault_1page_steady", bench_fault_1page_steady },
	{ "fault_16page", bench_fault_16page },
	{ "fault_areas_10", bench_fault_areas_10 },
	{ "fault_areas_1000", bench_fault_areas_1000 },
	{ "fault_areas_10000", bench_fault_areas_10000 },
	{ "touch_1mib", bench_touch_1mib },
	{ "touch_4mib", bench_touch_4mib },
	{ "touch_16mib", bench_touch_16mib },
	{ "touch_64mib", bench_touch_64mib },
	{ "rtw", bench_rtw },
	{ "zero_4k", bench_zero_4k },
	{ "spawn_exit_wait", bench_spawn_exit_wait },
	{ "spawn_exit_wait_tester", bench_spawn_exit_wait_tester },
};

#define BENCH_COUNT (sizeof(bench_table) / sizeof(bench_table[0]))

/* Is the word @a word (@a w characters) the name of a benchmark? */
static bool bench_is_name(const char *word, size_t w)
{
	for (size_t i = 0; i < BENCH_COUNT; i++)
		if (strlen(bench_table[i].name) == w && strncmp(bench_table[i].name, word, w) == 0)
			return true;
	return false;
}

/* Does the word @a word (@a w characters) select @a name? */
static bool bench_word_selects(const char *word, size_t w, const char *name)
{
	size_t n = strlen(name);
	if (w == 0 || w > n || strncmp(word, name, w) != 0)
		return false;
	if (bench_is_name(word, w))
		return n == w;
	return name[w] == '_';
}

/* Does @a spec ("all" or "w1,w2,...") select @a name? */
static bool bench_selected(const char *spec, const char *name)
{
	if (strcmp(spec, "all") == 0)
		return true;
	while (*spec) {
		const char *comma = strchr(spec, ',');
		size_t w = comma ? (size_t) (comma - spec) : strlen(spec);
		if (bench_word_selects(spec, w, name))
			return true;
		spec += comma ? w + 1 : w;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	if (strcmp(which, "server") == 0)
		return bench_server();
	if (strcmp(which, "yielder") == 0)
		return bench_yielder_task();
	if (strcmp(which, "exit") == 0)
		return 0;
	printf("bench: TSC cycles (instructions under -icount); see docs/PERFORMANCE.md\n");
	for (size_t i = 0; i < BENCH_COUNT; i++) {
		const bench_entry_t *b = &bench_table[i];
		if (!bench_selected(which, b->name))
			continue;
		if (b->run)
			b->run();
		else
			printf("bench %s: not written yet\n", b->name);
	}
	return 0;
}
