/*
 * A fuzz worker: "tester child:fuzz NAME SLOT GEN SEED BUDGET THREADS
 * WORKERS MS ANON" (ANON 1: the random calls may use the anon pager's
 * phone too).
 *
 * Setup, in this order: take the status page from the coordinator NAME
 * (share-in) and hang up; start the watchdog thread, which ends the task
 * once it has made BUDGET calls or MS milliseconds have passed, whatever
 * the other threads are doing (the kernel interrupts them); register as
 * NAMEw<SLOT> with ns; start the responder, a thread that serves the calls
 * that come (peers connecting, other workers' and our own calls: it
 * answers most at once, so a synchronous call seldom waits long), and
 * THREADS fuzzing threads; connect to the other workers and to ourselves
 * through ns; then fuzz in the main thread too.
 *
 * The watchdog is the only thing that ends a healthy worker, so no random
 * call can keep it alive: a worker either ends by MS (or earlier, by its
 * budget, a random SYS_TASK_EXIT or a fault) or the kernel has lost it,
 * which the coordinator reports as a hang.
 */
#include "fuzz_priv.h"
#include "tester.h"
#include <anon.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define FZ_CONNECT_MS 2000 /* to the coordinator */
#define FZ_PEER_MS 50 /* to a peer that may not be there */
#define FZ_WATCH_US 5000

typedef struct fz_args {
	const char *name;
	unsigned slot, threads, workers;
	uint64_t gen, seed, budget, ms;
	bool anon; /* the anon pager's phone is fair game */
} fz_args_t;

static fz_worker_t fz_w;
static fz_args_t fz_a;
static uint64_t fz_deadline_ns;

uint64_t fuzz_seed_mix(uint64_t seed, uint64_t slot, uint64_t gen)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (slot * 0x10001ULL + gen + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool fz_args_parse(int argc, char **argv, fz_args_t *a)
{
	if (argc != 10)
		return false;
	*a = (fz_args_t){ .name = argv[1],
		.slot = (unsigned) strtoul(argv[2], NULL, 10),
		.gen = strtoul(argv[3], NULL, 10),
		.seed = strtoul(argv[4], NULL, 16),
		.budget = strtoul(argv[5], NULL, 10),
		.threads = (unsigned) strtoul(argv[6], NULL, 10),
		.workers = (unsigned) strtoul(argv[7], NULL, 10),
		.ms = strtoul(argv[8], NULL, 10),
		.anon = strtoul(argv[9], NULL, 10) != 0 };
	return a->slot < FUZZ_WORKERS_MAX && a->workers <= FUZZ_WORKERS_MAX && a->threads >= 1 &&
	    a->threads <= FUZZ_THREADS_MAX;
}

/* The status page from the coordinator; our slot in it. */
static errno_t fz_status_take(const fz_args_t *a, fuzz_slot_t **slot)
{
	cap_handle_t phone;
	uintptr_t base = 0;
	errno_t rc = ns_connect_timeout(a->name, FZ_CONNECT_MS, &phone);
	if (rc != EOK)
		return rc;
	rc = ipc_share_in(phone, PAGE_SIZE, AS_AREA_READ | AS_AREA_WRITE, 0, &base);
	ipc_hangup(phone);
	if (rc == EOK)
		*slot = (fuzz_slot_t *) base + a->slot;
	return rc;
}

/* Ends the task by the budget or the deadline. */
static int fz_watchdog(void *arg)
{
	(void) arg;
	for (;;) {
		uint64_t calls = __atomic_load_n(&fz_w.slot->calls, __ATOMIC_RELAXED);
		if (calls >= fz_a.budget || uptime_ns_now() >= fz_deadline_ns)
			break;
		thread_sleep_us(FZ_WATCH_US);
	}
	fz_w.slot->state = FUZZ_STATE_ENDING;
	task_exit(0);
}

static void fz_protect(cap_handle_t h)
{
	if (h != CAP_NIL && fz_w.nprotect < FZ_PROTECT_MAX)
		fz_w.protect[fz_w.nprotect++] = h;
}

static void fz_peer_name(char *buf, size_t size, unsigned slot)
{
	snprintf(buf, size, "%sw%u", fz_a.name, slot);
}

/* Register our name with ns through a registration phone of our own (the
 * random calls must not use it: it is protected like phone 0). */
static void fz_register(void)
{
	char name[NS_NAME_MAX + 1];
	uint64_t w[2];
	cap_handle_t reg;
	fz_peer_name(name, sizeof(name), fz_a.slot);
	if (ns_name_pack(name, w) != EOK ||
	    ipc_connect_me_to(IPC_PHONE_NS, 0, 0, 0, 0, &reg) != EOK)
		return;
	fz_protect(reg);
	if (ipc_connect_to_me(reg, w[0], w[1], 0, 0, NS_CONN_BADGE) != EOK)
		ipc_hangup(reg);
}

/* Phones to the other workers and to ourselves. */
static void fz_connect_peers(fz_thread_t *t)
{
	char name[NS_NAME_MAX + 1];
	for (unsigned i = 0; i < fz_a.workers; i++) {
		cap_handle_t phone;
		fz_peer_name(name, sizeof(name), i);
		if (ns_connect_timeout(name, FZ_PEER_MS, &phone) != EOK)
			continue;
		fz_pool_put(t, &fz_w.phones, (uint32_t) phone);
		if (i == fz_a.slot)
			fz_w.self = phone;
	}
}

/* A few areas of anon objects (when the task is on the anon pager): real
 * pager areas, which shares and touches use.  They are below the fuzz
 * window and out of the pool, so the random unmaps and protects never
 * reach them. */
static void fz_anon_areas(void)
{
	for (unsigned i = 0; i < FZ_ANON_AREAS; i++) {
		uintptr_t base;
		uintptr_t at = FZ_ANON_BASE + i * 64 * PAGE_SIZE;
		if (anon_paging() &&
		    as_area_create_anon(at, (i + 1) * 4 * PAGE_SIZE, RW | AS_AREA_FIXED, &base) ==
		        EOK) {
			fz_w.anon_areas[fz_w.nanon++] = base;
		}
	}
}

static noreturn int fz_thread_main(void *arg)
{
	fz_thread_t *t = arg;
	for (;;)
		fz_op_run(t);
}

static fz_thread_t *fz_thread_make(unsigned index)
{
	fz_thread_t *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	uintptr_t base;
	if (as_area_create(FZ_SCRATCH_BASE + index * FZ_SCRATCH_STRIDE, FZ_SCRATCH_SIZE,
	        RW | AS_AREA_FIXED, &base) != EOK) {
		free(t);
		return NULL;
	}
	t->scratch = (unsigned char *) base;
	t->w = &fz_w;
	t->reply = CAP_NIL;
	t->index = index;
	prng_seed(&t->rng, fuzz_seed_mix(fz_a.seed, 0x100 + index, fz_a.gen));
	return t;
}

static noreturn int fz_responder_main(void *arg)
{
	fz_thread_t *t = arg;
	for (;;)
		fz_op_serve(t);
}

/* Start the responder and the threads (the main thread fuzzes too, as
 * the last one). */
static fz_thread_t *fz_threads_start(void)
{
	fz_thread_t *r = fz_thread_make(FUZZ_THREADS_MAX);
	if (!r)
		return NULL;
	r->responder = true;
	if (thread_create(fz_responder_main, r, NULL) != EOK)
		return NULL;
	for (unsigned i = 1; i < fz_a.threads; i++) {
		fz_thread_t *t = fz_thread_make(i);
		if (t && thread_create(fz_thread_main, t, NULL) != EOK)
			return NULL;
	}
	return fz_thread_make(0);
}

int child_fuzz(int argc, char **argv)
{
	if (!fz_args_parse(argc, argv, &fz_a))
		return FUZZ_EXIT_ARGS;
	if (fz_status_take(&fz_a, &fz_w.slot) != EOK)
		return FUZZ_EXIT_STATUS;
	fz_deadline_ns = uptime_ns_now() + fz_a.ms * 1000000ULL;
	fz_w.slot->magic = FUZZ_SLOT_MAGIC ^ fz_a.gen;
	fz_w.slot->state = FUZZ_STATE_SETUP;
	if (thread_create(fz_watchdog, NULL, NULL) != EOK)
		return FUZZ_EXIT_WATCHDOG;
	for (unsigned i = 0; i < FZ_POOL_SIZE; i++)
		fz_w.calls.v[i] = FZ_NO_CALL;
	fz_w.anon = anon_phone();
	fz_w.self = CAP_NIL;
	fz_protect(IPC_PHONE_NS);
	if (!fz_a.anon)
		fz_protect(fz_w.anon);
	fz_register();
	fz_thread_t *t = fz_threads_start();
	if (!t)
		return FUZZ_EXIT_THREADS;
	fz_anon_areas();
	fz_connect_peers(t);
	if (fz_a.anon && fz_w.anon != CAP_NIL)
		fz_pool_put(t, &fz_w.phones, (uint32_t) fz_w.anon);
	fz_w.slot->state = FUZZ_STATE_FUZZING;
	fz_thread_main(t);
}
