/*
 * Inside a fuzz worker (fuzz_worker.c, fuzz_ops.c): what its threads
 * share and what each thread keeps.
 *
 * The pools remember what the random calls made or received (phones,
 * received calls, areas, thread and task ids, cookies) so later calls can
 * use them, and handles that were closed (stale ones).  A pool is a small
 * array written and read at random places without a lock: a value may be
 * stale or overwritten, which is exactly what a fuzzer wants.
 */
#ifndef TESTER_FUZZ_PRIV_H_
#define TESTER_FUZZ_PRIV_H_

#include "fuzz.h"
#include <abi/ipc.h>
#include <lib/prng.h>
#include <stddef.h>

#define FZ_POOL_SIZE 32
/* An empty place in the pool of kept calls. */
#define FZ_NO_CALL ((uint64_t) (uint32_t) CAP_NIL)
#define FZ_PROTECT_MAX 4
#define FZ_ANON_AREAS 3
/* Each thread's scratch memory: where the calls' buffers point.  It is
 * an area of its own (a wired one, below the fuzz window) with unmapped
 * space after it, so that a call writing more than it was given (a long
 * area list, a data transfer) fails there instead of overwriting the
 * worker's heap; large enough for the largest transfer. */
#define FZ_SCRATCH_SIZE (IPC_DATA_MAX + 4 * PAGE_SIZE)
#define FZ_SCRATCH_BASE (FUZZ_WINDOW - 0x100000000UL)
#define FZ_SCRATCH_STRIDE 0x1000000UL
/* Where the worker's anon areas go (fz_worker_t.anon_areas). */
#define FZ_ANON_BASE (FUZZ_WINDOW - 0x80000000UL)

typedef struct fz_pool {
	uint64_t v[FZ_POOL_SIZE];
	unsigned n; /* values put so far (the first n places are valid) */
} fz_pool_t;

typedef struct fz_worker {
	fuzz_slot_t *slot;
	/* handles the random calls must never use (ns, the anon pager) */
	cap_handle_t protect[FZ_PROTECT_MAX];
	unsigned nprotect;
	cap_handle_t anon; /* libc's phone to the anon pager (CAP_NIL: none) */
	cap_handle_t self; /* a phone to ourselves (CAP_NIL: none) */
	/* areas of anon objects of ours (each of 4 pages or more), which
	 * the anon pager serves (unless the random calls unmapped them) */
	uintptr_t anon_areas[FZ_ANON_AREAS];
	unsigned nanon;
	fz_pool_t phones, calls, stale, areas, tids, tasks, cookies;
} fz_worker_t;

typedef struct fz_thread {
	fz_worker_t *w;
	prng_t rng;
	unsigned char *scratch; /* FZ_SCRATCH_SIZE bytes */
	unsigned index; /* of the thread in its worker */
	/* The responder: it serves calls with SYS_IPC_REPLY_WAIT, and this
	 * is the answer its next one carries (reply == CAP_NIL: none). */
	bool responder;
	cap_handle_t reply;
	errno_t reply_rc;
	ipc_msg_t reply_msg;
} fz_thread_t;

/* One random operation (one to a few system calls). */
void fz_op_run(fz_thread_t *t);
/* The responder's turn: answer the last call (if any) and wait for the
 * next event. */
void fz_op_serve(fz_thread_t *t);

void fz_pool_put(fz_thread_t *t, fz_pool_t *p, uint64_t v);
/* A value of the pool, or @a none if it is empty. */
uint64_t fz_pool_get(fz_thread_t *t, const fz_pool_t *p, uint64_t none);
/* Put @a v in a place that holds @a none (a pool that starts filled with
 * @a none): false if there is none. */
bool fz_pool_put_free(fz_pool_t *p, uint64_t v, uint64_t none);
/* The same, taking it out (@a none is left in its place). */
uint64_t fz_pool_take(fz_thread_t *t, fz_pool_t *p, uint64_t none);

/* Random values (fuzz_args.c). */
uint64_t fz_rand(fz_thread_t *t);
uint64_t fz_below(fz_thread_t *t, uint64_t n);
bool fz_pct(fz_thread_t *t, unsigned percent);
/* Any word, biased to the edges. */
uint64_t fz_word(fz_thread_t *t);
/* A pointer for the kernel to write @a size bytes to (mostly scratch). */
uintptr_t fz_out(fz_thread_t *t, size_t size);
size_t fz_size(fz_thread_t *t);
/* A size for a wired area that never takes much memory. */
size_t fz_wsize(fz_thread_t *t);
size_t fz_wsize_safe(size_t s);
/* An address for an area operation that spares the worker's own memory. */
uint64_t fz_addr(fz_thread_t *t);
uint64_t fz_addr_safe(fz_thread_t *t, uint64_t a);
unsigned fz_aflags(fz_thread_t *t);
/* An area to share (a pager area of ours, mostly). */
uint64_t fz_share_base(fz_thread_t *t);
/* A phone handle the random calls may use (never ns or anon). */
cap_handle_t fz_phone(fz_thread_t *t);
cap_handle_t fz_phone_safe(fz_thread_t *t, uint64_t h);
cap_handle_t fz_call_handle(fz_thread_t *t);
uint64_t fz_usec_safe(uint64_t us);
uint64_t fz_timeout(fz_thread_t *t);
uint64_t fz_timeout_safe(fz_thread_t *t, uint64_t us);
uint64_t fz_wait_flags(fz_thread_t *t);
uint64_t fz_cookie(fz_thread_t *t);
errno_t fz_errno(fz_thread_t *t);
/* A random message, and one in scratch memory (or a bad pointer). */
void fz_msg(fz_thread_t *t, ipc_msg_t *m);
uintptr_t fz_msg_ptr(fz_thread_t *t);

/* Count one system call made. */
void fz_count(fz_thread_t *t);

/* The stub thread body of test_limits.c: ends at once, uses no stack. */
void hog_thread_stub(void);

#endif
