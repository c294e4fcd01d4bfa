/*
 * fpager: read-ahead.  A reader going forwards -- page-ins the kernel
 * marks sequential (PAGE_IN_SEQUENTIAL, or a mapping advised
 * MADV_SEQUENTIAL), read() calls each starting where the last one of the
 * file ended -- gets the next FP_RA_WINDOW pages (128 KiB) read into the
 * cache by a thread of the pager's before it needs them, so its next
 * faults and reads are hits.  Requests wait in a ring of FP_RA_QUEUE; a
 * full ring drops the new one (read-ahead is a hint: a miss reads the
 * pages anyway), so a burst of readers makes no thread or message storm.
 * Each request kicks a serving thread with an asynchronous call to the
 * pager itself (a connection through ns, made once it serves), which
 * reads it: no thread waits or polls for read-ahead work.
 */
#include <ns.h>
#include <stdio.h>
#include <task.h>
#include <thread.h>

#include "fpager.h"

#define FP_RA_WINDOW 32u /* pages: 128 KiB */
#define FP_RA_QUEUE 16u

typedef struct fp_ra_req {
	fp_file_t *file; /* referenced */
	uint64_t idx;
} fp_ra_req_t;

static fp_ra_req_t fp_ra_ring[FP_RA_QUEUE]; /* fp_lock */
static unsigned fp_ra_head, fp_ra_count;
static cap_handle_t fp_ra_self = CAP_NIL; /* a phone to ourselves, once made */

/* Started when the pager is ready: the connection the kicks go through. */
int fp_ra_connect(void *arg)
{
	(void) arg;
	cap_handle_t phone;
	errno_t rc = ns_connect_timeout(FPAGER_NAME, 10000, &phone);
	if (rc == EOK)
		__atomic_store_n(&fp_ra_self, phone, __ATOMIC_RELEASE);
	else
		printf("fpager: no read-ahead: %s\n", str_error_name(rc));
	return 0;
}

/* Read ahead from page @a idx of @a f, if that page is not cached and
 * lies in the file. */
void fp_ra_start(fp_file_t *f, uint64_t idx)
{
	lock_acquire(&fp_lock);
	cap_handle_t self = __atomic_load_n(&fp_ra_self, __ATOMIC_ACQUIRE);
	bool want = self != CAP_NIL && !f->forgotten && idx * PAGE_SIZE < f->size &&
	    fp_ra_count < FP_RA_QUEUE && pcache_lookup(&fp_cache, fp_file_key(f), idx) < 0;
	if (want) {
		f->refs++;
		fp_ra_ring[(fp_ra_head + fp_ra_count++) % FP_RA_QUEUE] = (fp_ra_req_t){ f, idx };
	}
	lock_release(&fp_lock);
	ipc_msg_t kick = { .method = FP_RA_KICK };
	if (want && ipc_call(self, &kick, 0) != EOK)
		fp_ra_run(); /* no kick: read it here */
}

static bool fp_ra_take(fp_ra_req_t *r)
{
	lock_acquire(&fp_lock);
	bool got = fp_ra_count > 0;
	if (got) {
		*r = fp_ra_ring[fp_ra_head];
		fp_ra_head = (fp_ra_head + 1) % FP_RA_QUEUE;
		fp_ra_count--;
	}
	lock_release(&fp_lock);
	return got;
}

/* Read the oldest waiting request (one per kick). */
void fp_ra_run(void)
{
	fp_ra_req_t r;
	if (!fp_ra_take(&r))
		return;
	lock_acquire(&fp_lock);
	bool gone = r.file->forgotten; /* its last name went meanwhile */
	lock_release(&fp_lock);
	if (!gone)
		(void) fp_io_fill(r.file, r.idx, FP_RA_WINDOW);
	__atomic_add_fetch(&fp_stats.read_aheads, 1, __ATOMIC_RELAXED);
	fp_file_put(r.file);
}

/* FP_RA_KICK: only from ourselves. */
void fp_ra_kick(ipc_event_t *ev)
{
	bool self = ev->sender == task_id();
	ipc_answer(ev->call, self ? EOK : ENOTSUP, NULL);
	if (self)
		fp_ra_run();
}

/* A page-in of page @a idx that the kernel or the mapping says is part of
 * a forward walk: the window after it. */
void fp_ra_fault(fp_file_t *f, uint64_t idx)
{
	fp_ra_start(f, idx + FP_RA_WINDOW / 2);
}

/* read() of [off, end) of @a f: a read starting where the last ended is
 * sequential; the window after it is read ahead. */
void fp_ra_read(fp_file_t *f, uint64_t off, uint64_t end)
{
	lock_acquire(&fp_lock);
	bool seq = off == f->ra_next;
	f->ra_next = end;
	lock_release(&fp_lock);
	if (seq)
		fp_ra_start(f, (end + PAGE_SIZE - 1) / PAGE_SIZE);
}
