/*
 * The syscall-and-IPC fuzzer (fuzz_run.c, fuzz_worker.c, fuzz_ops.c).
 *
 * The tester (the coordinator, fuzz_run) never fuzzes: it spawns worker
 * tasks ("tester child:fuzz ..."), each of which makes random system calls
 * and IPC traffic from several threads until it has made its budget of
 * calls or its time is up, and then ends itself; a worker killed on the
 * way (an unresolved fault is expected) is simply replaced by a new one
 * with the next seed, until the run has made the calls it was asked for.
 *
 * The workers talk to each other (each registers a name with ns and
 * connects to the others and to itself), so calls, answers, forwards,
 * hangups, data transfers, shares and page-ins go through real phones.
 * They cannot reach the tester: their only connection to it is the one
 * through which each takes the shared status page (share-in), hung up
 * before fuzzing starts.  Phones to ns are never handed to the random
 * calls, nor (unless the run asks for it: fuzz_params_t.anon) the phone
 * to the anon pager (see fuzz_args.c).
 *
 * The status page: one slot per worker, where the worker counts its calls
 * and notes what it is doing; the coordinator reads it for progress and
 * for the report when a worker hangs.
 */
#ifndef TESTER_FUZZ_H_
#define TESTER_FUZZ_H_

#include <abi/errno.h>
#include <abi/task.h>
#include <stdbool.h>
#include <stdint.h>

#define FUZZ_WORKERS_MAX 16
#define FUZZ_THREADS_MAX 8
#define FUZZ_SLOT_MAGIC 0x66757a7a736c6f74ULL /* "fuzzslot" */
/* Where the workers put their areas: far above anything libc places
 * (heap, stacks, the status page), so the random unmaps and protects of
 * this window never hit the worker's own memory. */
#define FUZZ_WINDOW 0x0000300000000000UL
#define FUZZ_WINDOW_SIZE (64UL << 30)

/* A worker's line in the status page (written by the worker only). */
typedef struct fuzz_slot {
	uint64_t magic; /* FUZZ_SLOT_MAGIC ^ generation, once set up */
	uint64_t calls; /* system calls made (atomic) */
	uint64_t last_op; /* the last operation started (for a hang report) */
	uint64_t state; /* FUZZ_STATE_* */
	uint64_t pad[4];
} fuzz_slot_t;

enum {
	FUZZ_STATE_IDLE = 0,
	FUZZ_STATE_SETUP,
	FUZZ_STATE_FUZZING,
	FUZZ_STATE_ENDING,
};

typedef struct fuzz_params {
	uint64_t seed;
	uint64_t calls; /* the run ends once this many were made */
	unsigned workers; /* tasks fuzzing at once */
	unsigned threads; /* fuzzing threads per worker */
	uint64_t budget; /* calls one worker makes before it ends itself */
	uint64_t worker_ms; /* the longest a worker runs */
	bool verbose; /* progress lines and a line per unusual end */
	bool anon; /* the random calls may use the phone to the anon pager too */
} fuzz_params_t;

typedef struct fuzz_report {
	uint64_t calls; /* made by all workers */
	uint64_t workers; /* worker tasks that ran */
	uint64_t exited, faulted, killed; /* how they ended */
	uint64_t spawn_failed;
	uint64_t setup_failed; /* workers that could not start fuzzing */
	uint64_t hangs; /* workers that did not end in time */
	uint64_t ms; /* how long the run took */
	mem_stats_t before, after; /* once every worker has been reaped */
	/* the anon pager's objects and frames then (0: no answer) */
	uint64_t anon_objects[2], anon_frames[2];
} fuzz_report_t;

/* Run the fuzzer (the tester's side): EOK once done (the report says how
 * it went), or the error that kept it from starting. */
errno_t fuzz_run(const fuzz_params_t *p, fuzz_report_t *r);
/* Print the report lines ("fuzz: ..."). */
void fuzz_report_print(const fuzz_params_t *p, const fuzz_report_t *r);
/* Did the run end as it must: no hang, no frame and no object lost. */
bool fuzz_report_clean(const fuzz_report_t *r);

/* A worker that could not start fuzzing exits with one of these (a
 * random SYS_TASK_EXIT uses statuses from FUZZ_EXIT_RANDOM up). */
enum {
	FUZZ_EXIT_ARGS = 90,
	FUZZ_EXIT_STATUS, /* no status page */
	FUZZ_EXIT_WATCHDOG, /* no watchdog thread */
	FUZZ_EXIT_THREADS, /* no fuzzing threads */
	FUZZ_EXIT_SETUP_LAST = FUZZ_EXIT_THREADS,
	FUZZ_EXIT_RANDOM = 100,
};

/* The worker: "tester child:fuzz NAME SLOT GEN SEED BUDGET THREADS
 * WORKERS MS ANON" (fuzz_worker.c). */
int child_fuzz(int argc, char **argv);

/* A seed for worker @a slot's generation @a gen of the run @a seed. */
uint64_t fuzz_seed_mix(uint64_t seed, uint64_t slot, uint64_t gen);

#endif
