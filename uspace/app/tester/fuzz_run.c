/*
 * The fuzzer's coordinator (runs in the tester, which never fuzzes).
 *
 * fuzz_run() registers a name with ns and serves exactly two things on it
 * while the run lasts: connects, and the share-in of the status page (one
 * slot per worker).  A runner thread per worker slot spawns a worker
 * ("child:fuzz", fuzz_worker.c), waits for it to end, counts its calls
 * from the slot and how it ended, and spawns the next one with the next
 * seed, until the run has made its calls.  The main thread watches: it
 * prints progress, and a worker that has not ended FUZZ_HANG_SLACK_MS
 * after its own deadline is a hang (its watchdog ends it by then, unless
 * the kernel lost it): the run stops and reports it, with the seed that
 * replays it.
 *
 * Before and after, once every worker is reaped and the counts settled:
 * free frames and the kernel's object counts (mem_stats_t).
 */
#include "fuzz.h"
#include "tester.h"
#include <anon.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define FUZZ_BADGE 0xf022ULL
#define FUZZ_SERVE_US 20000
#define FUZZ_WATCH_US 50000
#define FUZZ_HANG_SLACK_MS 30000 /* pager timeouts, spawns, a slow host */
#define FUZZ_PROGRESS_NS (5ULL * 1000000000)
#define FUZZ_SETTLE_TRIES 400
#define FUZZ_SETTLE_US 25000
/* A runner gives up after this many workers in a row failed to start. */
#define FUZZ_FAILS_MAX 8
/* Heap the run's own bookkeeping may use, given its frames before the
 * "before" counts are taken (heap pages get frames when first used). */
#define FUZZ_WARM_HEAP (256 * 1024)

typedef struct fz_run fz_run_t;

typedef struct fz_runner {
	fz_run_t *run;
	unsigned slot;
	uint64_t gen;
	uint64_t seed; /* of the worker running now */
	uint64_t started_ns; /* atomic: 0 while no worker runs */
	bool done; /* atomic: the runner thread has finished */
	bool hung;
	unsigned fails; /* workers in a row that failed to start */
	tid_t tid;
} fz_runner_t;

struct fz_run {
	const fuzz_params_t *p;
	fuzz_report_t *r; /* counters: atomic */
	char name[24];
	fuzz_slot_t *status;
	bool stop; /* atomic */
	bool serve_stop; /* atomic */
	fz_runner_t runners[FUZZ_WORKERS_MAX];
};

static uint64_t fz_now_ms(void)
{
	return uptime_ns_now() / 1000000;
}

static void fz_add(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

/* Calls made so far: by the workers reaped, and by those running. */
static uint64_t fz_calls_now(fz_run_t *run)
{
	uint64_t n = __atomic_load_n(&run->r->calls, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < run->p->workers; i++) {
		if (__atomic_load_n(&run->runners[i].started_ns, __ATOMIC_ACQUIRE))
			n += __atomic_load_n(&run->status[i].calls, __ATOMIC_RELAXED);
	}
	return n;
}

/* ---- serving the workers' setup ---- */

static void fz_serve_event(fz_run_t *run, ipc_event_t *ev)
{
	if (ev->kind != IPC_EV_CALL)
		return;
	if (ev->msg.method == IPC_M_CONNECT_ME_TO && ev->conn == NS_CONN_BADGE)
		ipc_connect_accept(ev, FUZZ_BADGE);
	else if (ev->msg.method == IPC_M_SHARE_IN && ev->conn == FUZZ_BADGE)
		ipc_share_in_accept(ev, (uintptr_t) run->status);
	else
		ipc_answer(ev->call, EINVAL, NULL);
}

static int fz_serve(void *arg)
{
	fz_run_t *run = arg;
	ipc_event_t ev;
	while (!__atomic_load_n(&run->serve_stop, __ATOMIC_ACQUIRE)) {
		if (ipc_wait(&ev, FUZZ_SERVE_US, 0, 0) == EOK)
			fz_serve_event(run, &ev);
	}
	return 0;
}

/* ---- the runners ---- */

static void fz_worker_ended(fz_run_t *run, fz_runner_t *rn, const task_exit_info_t *info)
{
	fuzz_report_t *r = run->r;
	fz_add(&r->calls, __atomic_load_n(&run->status[rn->slot].calls, __ATOMIC_RELAXED));
	fz_add(&r->workers, 1);
	if (info->reason == TASK_EXIT_NORMAL)
		fz_add(&r->exited, 1);
	else if (info->reason == TASK_EXIT_FAULT)
		fz_add(&r->faulted, 1);
	else
		fz_add(&r->killed, 1);
	if (info->reason == TASK_EXIT_NORMAL && info->status >= FUZZ_EXIT_ARGS &&
	    info->status <= FUZZ_EXIT_SETUP_LAST) {
		rn->fails++;
		fz_add(&r->setup_failed, 1);
		printf("fuzz: worker %u.%llu (seed %#llx) could not set up (%d)\n", rn->slot,
		    (unsigned long long) rn->gen, (unsigned long long) rn->seed, info->status);
	} else {
		rn->fails = 0;
	}
}

/* Spawn one worker in @a rn's slot and wait for it. */
static void fz_worker_once(fz_run_t *run, fz_runner_t *rn)
{
	const fuzz_params_t *p = run->p;
	char args[160];
	task_id_t id;
	task_exit_info_t info;
	memset(&run->status[rn->slot], 0, sizeof(fuzz_slot_t));
	rn->gen++;
	rn->seed = fuzz_seed_mix(p->seed, rn->slot, rn->gen);
	snprintf(args, sizeof(args), "child:fuzz %s %u %llu %llx %llu %u %u %llu %u", run->name,
	    rn->slot, (unsigned long long) rn->gen, (unsigned long long) rn->seed,
	    (unsigned long long) p->budget, p->threads, p->workers,
	    (unsigned long long) p->worker_ms, p->anon ? 1u : 0u);
	/* Each worker holds a range (at handle 1) to give, derive and drop:
	 * the tester's CMOS ports when it was granted them. */
	const cap_handle_t range = TESTER_CAP_IO_CMOS;
	errno_t rc = task_spawn_caps(TESTER_MODULE, args, &range, 1, &id);
	if (rc == ENOENT || rc == ESTALE)
		rc = task_spawn(TESTER_MODULE, args, &id);
	if (rc != EOK) {
		rn->fails++;
		fz_add(&run->r->spawn_failed, 1);
		thread_sleep_us(10000);
		return;
	}
	__atomic_store_n(&rn->started_ns, uptime_ns_now() | 1, __ATOMIC_RELEASE);
	rc = task_wait(id, &info);
	__atomic_store_n(&rn->started_ns, 0, __ATOMIC_RELEASE);
	if (rc == EOK)
		fz_worker_ended(run, rn, &info);
}

static int fz_runner_main(void *arg)
{
	fz_runner_t *rn = arg;
	fz_run_t *run = rn->run;
	while (!__atomic_load_n(&run->stop, __ATOMIC_ACQUIRE) &&
	    fz_calls_now(run) < run->p->calls && rn->fails < FUZZ_FAILS_MAX)
		fz_worker_once(run, rn);
	__atomic_store_n(&rn->done, true, __ATOMIC_RELEASE);
	return 0;
}

/* ---- watching ---- */

static void fz_hang_report(fz_run_t *run, fz_runner_t *rn)
{
	fuzz_slot_t *s = &run->status[rn->slot];
	rn->hung = true;
	fz_add(&run->r->hangs, 1);
	__atomic_store_n(&run->stop, true, __ATOMIC_RELEASE);
	printf("fuzz: HANG: worker %u.%llu (seed %#llx) has not ended %llu ms after its "
	       "deadline: %llu calls, state %llu, last operation %#llx\n",
	    rn->slot, (unsigned long long) rn->gen, (unsigned long long) rn->seed,
	    (unsigned long long) FUZZ_HANG_SLACK_MS, (unsigned long long) s->calls,
	    (unsigned long long) s->state, (unsigned long long) s->last_op);
}

/* One look at the runners: true once the run is over. */
static bool fz_watch_once(fz_run_t *run, uint64_t *next_progress)
{
	const fuzz_params_t *p = run->p;
	bool over = true;
	uint64_t now = uptime_ns_now();
	for (unsigned i = 0; i < p->workers; i++) {
		fz_runner_t *rn = &run->runners[i];
		uint64_t started = __atomic_load_n(&rn->started_ns, __ATOMIC_ACQUIRE);
		if (!rn->hung && started && now > started &&
		    now - started > (p->worker_ms + FUZZ_HANG_SLACK_MS) * 1000000ULL)
			fz_hang_report(run, rn);
		over &= rn->hung || __atomic_load_n(&rn->done, __ATOMIC_ACQUIRE);
	}
	uint64_t calls = fz_calls_now(run);
	if (calls >= p->calls)
		__atomic_store_n(&run->stop, true, __ATOMIC_RELEASE);
	if (p->verbose && now >= *next_progress) {
		*next_progress = now + FUZZ_PROGRESS_NS;
		printf(
		    "fuzz: progress %llu calls, %llu workers (%llu faulted), %llu s, %llu frames "
		    "free\n",
		    (unsigned long long) calls, (unsigned long long) run->r->workers,
		    (unsigned long long) run->r->faulted, (unsigned long long) (now / 1000000000),
		    (unsigned long long) frames_free());
	}
	return over;
}

static void fz_watch(fz_run_t *run)
{
	uint64_t next_progress = uptime_ns_now() + FUZZ_PROGRESS_NS;
	while (!fz_watch_once(run, &next_progress))
		thread_sleep_us(FUZZ_WATCH_US);
}

/* ---- the run ---- */

static errno_t fz_setup(fz_run_t *run, tid_t *serve)
{
	uintptr_t base;
	test_name_make(run->name, sizeof(run->name), "fz");
	errno_t rc = as_area_create_anon(0, PAGE_SIZE, RW, &base);
	if (rc != EOK)
		return rc;
	run->status = (fuzz_slot_t *) base;
	memset(run->status, 0, PAGE_SIZE);
	rc = ns_register(run->name);
	if (rc == EOK)
		rc = thread_create(fz_serve, run, serve);
	if (rc != EOK) {
		ns_unregister(run->name);
		as_area_destroy(base);
	}
	return rc;
}

static void fz_teardown(fz_run_t *run, tid_t serve)
{
	__atomic_store_n(&run->serve_stop, true, __ATOMIC_RELEASE);
	thread_join(serve, NULL);
	ns_unregister(run->name);
	events_drain(FUZZ_SERVE_US); /* ns's hangup of its phone to us */
	as_area_destroy((uintptr_t) run->status);
}

/* Every frame and kernel object is back (fewer objects is fine: a cache
 * let go of some). */
static bool fz_stats_back(const mem_stats_t *before, const mem_stats_t *after)
{
	return after->free_frames >= before->free_frames && after->tasks == before->tasks &&
	    after->threads == before->threads && after->handles == before->handles &&
	    after->kernel_objects <= before->kernel_objects;
}

/* Wait until every frame and object is back (or it is clear they are
 * not), then take the counts. */
static void fz_settle(const mem_stats_t *before, mem_stats_t *after)
{
	for (int i = 0; i < FUZZ_SETTLE_TRIES; i++) {
		mem_stats(after);
		if (fz_stats_back(before, after))
			return;
		thread_sleep_us(FUZZ_SETTLE_US);
	}
}

static bool fz_stats_same(const mem_stats_t *a, const mem_stats_t *b)
{
	return a->free_frames == b->free_frames && a->tasks == b->tasks &&
	    a->threads == b->threads && a->handles == b->handles &&
	    a->kernel_objects == b->kernel_objects;
}

/* The counts once the machine is quiet (nothing changed for a while: a
 * run started right after boot must not count the servers' last threads
 * coming up as its own doing). */
static void fz_quiet(mem_stats_t *st)
{
	mem_stats_t last;
	mem_stats(&last);
	for (int i = 0; i < FUZZ_SETTLE_TRIES; i++) {
		thread_sleep_us(4 * FUZZ_SETTLE_US);
		mem_stats(st);
		if (fz_stats_same(st, &last))
			return;
		last = *st;
	}
}

/* The anon pager's objects and frames into place @a i of the report. */
static void fz_anon_stats(fuzz_report_t *r, int i)
{
	anon_stats_t st;
	if (anon_phone() != CAP_NIL && anon_stats_get(anon_phone(), &st) == EOK) {
		r->anon_objects[i] = st.objects;
		r->anon_frames[i] = st.frames;
	}
}

static void fz_runners(fz_run_t *run)
{
	for (unsigned i = 0; i < run->p->workers; i++) {
		fz_runner_t *rn = &run->runners[i];
		*rn = (fz_runner_t){ .run = run, .slot = i };
		if (thread_create(fz_runner_main, rn, &rn->tid) != EOK)
			rn->done = true;
	}
	fz_watch(run);
	for (unsigned i = 0; i < run->p->workers; i++) {
		fz_runner_t *rn = &run->runners[i];
		if (!rn->hung && rn->tid)
			thread_join(rn->tid, NULL);
	}
}

errno_t fuzz_run(const fuzz_params_t *p, fuzz_report_t *r)
{
	static fz_run_t run;
	tid_t serve;
	if (p->workers == 0 || p->workers > FUZZ_WORKERS_MAX || p->threads == 0 ||
	    p->threads > FUZZ_THREADS_MAX)
		return EINVAL;
	memset(r, 0, sizeof(*r));
	memset(&run, 0, sizeof(run));
	run.p = p;
	run.r = r;
	/* Our heap, and its pages, exist before the counts: made during the
	 * run they would count as lost (a soak starts with no heap yet). */
	void *warm = malloc(FUZZ_WARM_HEAP);
	if (!warm)
		return ENOMEM;
	memset(warm, 0, FUZZ_WARM_HEAP);
	free(warm);
	fz_quiet(&r->before);
	fz_anon_stats(r, 0);
	uint64_t t0 = fz_now_ms();
	errno_t rc = fz_setup(&run, &serve);
	if (rc != EOK)
		return rc;
	if (p->verbose)
		printf(
		    "fuzz: seed %#llx, %llu calls, %u workers x %u threads, %llu calls or %llu ms "
		    "each\n",
		    (unsigned long long) p->seed, (unsigned long long) p->calls, p->workers,
		    p->threads, (unsigned long long) p->budget, (unsigned long long) p->worker_ms);
	fz_runners(&run);
	fz_teardown(&run, serve);
	r->ms = fz_now_ms() - t0;
	fz_settle(&r->before, &r->after);
	fz_anon_stats(r, 1);
	return EOK;
}

bool fuzz_report_clean(const fuzz_report_t *r)
{
	const mem_stats_t *b = &r->before, *a = &r->after;
	return r->hangs == 0 && r->setup_failed == 0 && r->spawn_failed == 0 && fz_stats_back(b, a);
}

void fuzz_report_print(const fuzz_params_t *p, const fuzz_report_t *r)
{
	const mem_stats_t *b = &r->before, *a = &r->after;
	printf("fuzz: seed %#llx: %llu calls in %llu ms by %llu workers (%llu exited, %llu "
	       "faulted, %llu killed; %llu spawns and %llu setups failed), %llu hangs\n",
	    (unsigned long long) p->seed, (unsigned long long) r->calls, (unsigned long long) r->ms,
	    (unsigned long long) r->workers, (unsigned long long) r->exited,
	    (unsigned long long) r->faulted, (unsigned long long) r->killed,
	    (unsigned long long) r->spawn_failed, (unsigned long long) r->setup_failed,
	    (unsigned long long) r->hangs);
	printf("fuzz: frames free before %llu after %llu (%lld lost); tasks %llu -> %llu, "
	       "threads %llu -> %llu, handles %llu -> %llu, kernel objects %llu -> %llu\n",
	    (unsigned long long) b->free_frames, (unsigned long long) a->free_frames,
	    (long long) (b->free_frames - a->free_frames), (unsigned long long) b->tasks,
	    (unsigned long long) a->tasks, (unsigned long long) b->threads,
	    (unsigned long long) a->threads, (unsigned long long) b->handles,
	    (unsigned long long) a->handles, (unsigned long long) b->kernel_objects,
	    (unsigned long long) a->kernel_objects);
	printf("fuzz: anon pager: objects %llu -> %llu, frames held %llu -> %llu\n",
	    (unsigned long long) r->anon_objects[0], (unsigned long long) r->anon_objects[1],
	    (unsigned long long) r->anon_frames[0], (unsigned long long) r->anon_frames[1]);
}
