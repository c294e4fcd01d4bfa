/*
 * fpager: write-back (docs/pager-abi.md "Write-back" has the rules).
 *
 * A page becomes DIRTY when a store through a shared mapping faults on it
 * (map.c).  Writing a file's dirty pages back, under its io lock:
 *   1. lib/pcache moves up to FP_RUN_PAGES of them to WB (AwaitingClean);
 *   2. they are write-protected in every mapping of the file
 *      (SYS_PAGER_WRITE_PROTECT): from here on a store faults, and the
 *      fault makes the page DIRTY again before the store happens;
 *   3. they are copied into the scratch buffer and written, a run of
 *      consecutive pages per request (never beyond the file's size);
 *   4. a page still WB becomes CLEAN; one dirtied again stays DIRTY; a
 *      failed write leaves it DIRTY (retried later) and the error is kept
 *      for the next fsync or msync.
 * A store racing the write-back either happened before step 2 (the copy
 * in step 3 has it) or faulted after it (the page is DIRTY and is written
 * again): none is lost.  Who writes back: msync and fsync (their range),
 * the last close and the last unmap of a file, sync and shutdown (all),
 * and the write-back thread: every page dirty for longer than
 * FPAGER_DIRTY_AGE_MS, and the ranges msync(MS_ASYNC) asked for.
 *
 * msync(MS_ASYNC) only starts the write: the range goes into a ring of
 * FP_WB_ASYNC_QUEUE requests (one per file: a second request for a file
 * widens the first), the thread is woken through a futex word, and the
 * call is answered at once.  A request that finds the ring full makes the
 * thread's next pass write back every dirty page, so a burst of callers
 * makes no message storm and loses no request.  A failed write is kept
 * for the file's next fsync or msync(MS_SYNC), as for any write-back.
 */
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#include "fpager.h"

#define FP_WB_PERIOD_MS 500u
#define FP_WB_ASYNC_QUEUE 16u

typedef struct fp_wb_req {
	fp_file_t *file; /* referenced */
	uint64_t first, end; /* page indexes */
} fp_wb_req_t;

static fp_wb_req_t fp_wb_ring[FP_WB_ASYNC_QUEUE]; /* fp_lock */
static unsigned fp_wb_ring_n; /* fp_lock */
static bool fp_wb_ring_full; /* fp_lock: a request found no room: write all */
static volatile uint32_t fp_wb_kick; /* bumped at each request; the thread sleeps on it */

static void fp_sort_by_page(int32_t *s, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		int32_t x = s[i];
		uint32_t j = i;
		while (j > 0 && fp_cache.slot[s[j - 1]].idx > fp_cache.slot[x].idx) {
			s[j] = s[j - 1];
			j--;
		}
		s[j] = x;
	}
}

/* Step 2: pages [lo, hi] of @a f lose the write right everywhere. */
static void fp_wb_protect(fp_file_t *f, uint64_t lo, uint64_t hi)
{
	lock_acquire(&fp_lock);
	for (fp_view_t *w = f->views; w; w = w->next) {
		if (w->private_map)
			continue;
		while (pager_object_write_protect(
		           w->id, lo * PAGE_SIZE, (hi - lo + 1) * PAGE_SIZE) == ENOMEM)
			thread_yield();
	}
	lock_release(&fp_lock);
}

/* FPAGER_TEST_FAIL_WRITES: writes still to fail, and with what. */
static uint32_t fp_fail_writes;
static errno_t fp_fail_error;

errno_t fp_wb_test_fail(uint64_t count, uint64_t err)
{
	if (!(task_startup()->flags & TASK_STARTUP_TESTING))
		return ENOTSUP;
	if (count > 1000 || err == EOK || err >= ERRNO_COUNT)
		return EINVAL;
	lock_acquire(&fp_lock);
	fp_fail_writes = (uint32_t) count;
	fp_fail_error = (errno_t) err;
	lock_release(&fp_lock);
	return EOK;
}

/* A write to fail for a test: its error, EOK: none. */
static errno_t fp_wb_injected(void)
{
	lock_acquire(&fp_lock);
	errno_t rc = fp_fail_writes ? fp_fail_error : EOK;
	if (fp_fail_writes)
		fp_fail_writes--;
	lock_release(&fp_lock);
	return rc;
}

/* Step 3 for consecutive pages s[0..n) (sorted); step 4 for each. */
static errno_t fp_wb_run(fp_file_t *f, fp_conn_t *c, const int32_t *s, uint32_t n, uint64_t size)
{
	uint64_t first = fp_cache.slot[s[0]].idx;
	for (uint32_t k = 0; k < n; k++)
		memcpy(c->scratch + (size_t) k * PAGE_SIZE, fp_slot_page(s[k]), PAGE_SIZE);
	errno_t rc = EOK;
	uint64_t from = first * PAGE_SIZE, to = (first + n) * PAGE_SIZE;
	if (to > size)
		to = size;
	if (to > from) {
		uint64_t now = __atomic_add_fetch(&fp_stats.wb_inflight, 1, __ATOMIC_RELAXED);
		uint64_t max = __atomic_load_n(&fp_stats.wb_inflight_max, __ATOMIC_RELAXED);
		while (now > max &&
		    !__atomic_compare_exchange_n(&fp_stats.wb_inflight_max, &max, now, false,
		        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		rc = fp_wb_injected();
		if (rc == EOK)
			rc = fp_vol_request(
			    f->vol, c, FS_WRITE, f->node, from, to - from, FP_SCRATCH_ID, 0, NULL);
		__atomic_sub_fetch(&fp_stats.wb_inflight, 1, __ATOMIC_RELAXED);
	}
	lock_acquire(&fp_lock);
	for (uint32_t k = 0; k < n; k++)
		pcache_wb_end(&fp_cache, s[k], rc);
	if (rc != EOK) {
		f->wb_err = rc;
		fp_stats.wb_errors++;
	} else {
		fp_stats.wb_pages += n;
	}
	lock_release(&fp_lock);
	return rc;
}

/* One batch of step 1 .. 4; *taken gets how many pages it took. */
static errno_t fp_wb_batch(fp_file_t *f, uint64_t first, uint64_t end, uint32_t *taken)
{
	int32_t s[FP_RUN_PAGES];
	lock_acquire(&fp_lock);
	uint32_t n = pcache_wb_range(&fp_cache, fp_file_key(f), first, end, s, FP_RUN_PAGES);
	uint64_t size = f->size;
	if (n)
		fp_sort_by_page(s, n);
	lock_release(&fp_lock);
	*taken = n;
	if (!n)
		return EOK;
	fp_wb_protect(f, fp_cache.slot[s[0]].idx, fp_cache.slot[s[n - 1]].idx);
	fp_conn_t *c = fp_vol_conn_take(f->vol);
	errno_t rc = EOK;
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;
		while (j < n && fp_cache.slot[s[j]].idx == fp_cache.slot[s[j - 1]].idx + 1)
			j++;
		errno_t r = fp_wb_run(f, c, s + i, j - i, size);
		if (r != EOK && rc == EOK)
			rc = r;
		i = j;
	}
	fp_vol_conn_give(f->vol, c);
	return rc;
}

/* Does the file system's @a rc say the file's node is gone: its number
 * free (ENOENT) or given to another file (ESTALE, abi/fs.h "Nodes")? */
bool fp_wb_node_gone(errno_t rc)
{
	return rc == ENOENT || rc == ESTALE;
}

/* @a f's node went while it had dirty pages (a write-back that failed
 * before its last close was retried after the file's last name went):
 * they have no file to go to any more, and are dropped rather than
 * retried for ever.  f->io held. */
static void fp_wb_file_gone(fp_file_t *f)
{
	lock_acquire(&fp_lock);
	uint32_t dirty = pcache_obj_dirty(&fp_cache, fp_file_key(f));
	f->forgotten = true;
	f->wb_err = EOK;
	lock_release(&fp_lock);
	fp_cache_drop(f, 0);
	printf("fpager: node %u on volume %llu is gone: %u dirty pages dropped\n",
	    FS_NODE_INO(f->node), (unsigned long long) f->vol->dev, dirty);
}

/* Write back @a f's dirty pages in [first, end) (page indexes): those
 * dirty when it starts (oldest first, so a page dirtied again while it
 * runs goes behind them).  It takes at most as many pages as were dirty
 * then, so a writer storing all the time cannot keep it going. */
errno_t fp_wb_file(fp_file_t *f, uint64_t first, uint64_t end)
{
	lock_acquire(&f->io);
	__atomic_add_fetch(&fp_stats.write_backs, 1, __ATOMIC_RELAXED);
	lock_acquire(&fp_lock);
	uint64_t budget = fp_cache.dirty.count;
	lock_release(&fp_lock);
	errno_t rc = EOK;
	uint32_t taken;
	uint64_t done = 0;
	do {
		rc = fp_wb_batch(f, first, end, &taken);
		done += taken;
	} while (rc == EOK && taken && done < budget);
	if (fp_wb_node_gone(rc))
		fp_wb_file_gone(f);
	lock_release(&f->io);
	return rc;
}

errno_t fp_wb_take_error(fp_file_t *f)
{
	lock_acquire(&fp_lock);
	errno_t rc = f->wb_err;
	f->wb_err = EOK;
	lock_release(&fp_lock);
	return rc;
}

#define FP_WB_SKIP_MAX 16u /* files one pass passes over after they failed */

typedef struct fp_wb_skip {
	const fp_file_t *file[FP_WB_SKIP_MAX];
	unsigned n;
} fp_wb_skip_t;

static bool fp_wb_skipped(const fp_wb_skip_t *k, const fp_file_t *f)
{
	for (unsigned i = 0; i < k->n; i++)
		if (k->file[i] == f)
			return true;
	return false;
}

/* The file of the oldest dirty page that became dirty before @a before
 * (ms) and is not in @a skip, held; NULL: none. */
static fp_file_t *fp_wb_oldest_but(uint64_t before, const fp_wb_skip_t *skip)
{
	lock_acquire(&fp_lock);
	fp_file_t *f = NULL;
	for (int32_t s = fp_cache.dirty.head; s >= 0 && !f; s = fp_cache.slot[s].next) {
		if (fp_cache.slot[s].dirtied >= before)
			break;
		fp_file_t *g = (fp_file_t *) (uintptr_t) fp_cache.slot[s].obj;
		if (!fp_wb_skipped(skip, g) && g->vol->alive)
			f = g;
	}
	if (f)
		f->refs++;
	lock_release(&fp_lock);
	return f;
}

static fp_file_t *fp_wb_oldest(uint64_t before)
{
	fp_wb_skip_t none = { .n = 0 };
	return fp_wb_oldest_but(before, &none);
}

/* Write back every file with a page dirty since before @a before (ms;
 * UINT64_MAX: every dirty page).  A file whose write fails is passed
 * over for the rest of the pass (its failed pages go to the head of the
 * dirty list and would be picked again), so one failing file keeps no
 * other from being written; so is a volume whose server is gone.  The
 * first error. */
errno_t fp_wb_all(uint64_t before)
{
	errno_t first = EOK;
	fp_wb_skip_t skip = { .n = 0 };
	lock_acquire(&fp_lock);
	uint32_t rounds = fp_cache.dirty.count + 1;
	lock_release(&fp_lock);
	for (fp_file_t *f; rounds-- && (f = fp_wb_oldest_but(before, &skip)) != NULL;) {
		errno_t rc = fp_wb_file(f, 0, UINT64_MAX);
		if (rc != EOK && first == EOK)
			first = rc;
		if (rc != EOK && skip.n < FP_WB_SKIP_MAX)
			skip.file[skip.n++] =
			    f; /* held until the pass ends: the address stays its */
		else
			fp_file_put(f);
		if (rc != EOK && skip.n == FP_WB_SKIP_MAX)
			break;
	}
	for (unsigned i = 0; i < skip.n; i++)
		fp_file_put((fp_file_t *) skip.file[i]);
	return first;
}

/* Too many dirty pages: write back the oldest files' until at most half
 * the bound are dirty (the storing fault waits: the writer slows down). */
void fp_wb_throttle(void)
{
	for (unsigned rounds = 0; rounds < 64; rounds++) {
		lock_acquire(&fp_lock);
		bool over = fp_cache.dirty.count + fp_cache.count[PCACHE_WB] >
		    fp_cache.dirty_max / 2;
		lock_release(&fp_lock);
		fp_file_t *f = over ? fp_wb_oldest(UINT64_MAX) : NULL;
		if (!f)
			return;
		errno_t rc = fp_wb_file(f, 0, UINT64_MAX);
		fp_file_put(f);
		if (rc != EOK)
			return;
	}
}

/* msync(MS_ASYNC) of [first, end) (page indexes) of @a f: queued for
 * the write-back thread, which is woken. */
void fp_wb_async_queue(fp_file_t *f, uint64_t first, uint64_t end)
{
	lock_acquire(&fp_lock);
	fp_stats.async_requests++;
	unsigned i = 0;
	while (i < fp_wb_ring_n && fp_wb_ring[i].file != f)
		i++;
	if (i < fp_wb_ring_n) {
		fp_wb_req_t *r = &fp_wb_ring[i];
		r->first = first < r->first ? first : r->first;
		r->end = end > r->end ? end : r->end;
	} else if (fp_wb_ring_n < FP_WB_ASYNC_QUEUE) {
		f->refs++;
		fp_wb_ring[fp_wb_ring_n++] = (fp_wb_req_t){ f, first, end };
	} else {
		fp_wb_ring_full = true;
		fp_stats.async_overflows++;
	}
	lock_release(&fp_lock);
	__atomic_add_fetch(&fp_wb_kick, 1, __ATOMIC_RELEASE);
	(void) futex_wake(&fp_wb_kick, 1);
}

/* The oldest waiting request into @a r (false: none); *all: a request
 * found the ring full, so every dirty page is to be written. */
static bool fp_wb_async_take(fp_wb_req_t *r, bool *all)
{
	lock_acquire(&fp_lock);
	*all = fp_wb_ring_full;
	fp_wb_ring_full = false;
	bool got = fp_wb_ring_n > 0;
	if (got) {
		*r = fp_wb_ring[0];
		memmove(&fp_wb_ring[0], &fp_wb_ring[1], --fp_wb_ring_n * sizeof(fp_wb_ring[0]));
	}
	lock_release(&fp_lock);
	return got;
}

/* Serve the msync(MS_ASYNC) requests waiting when it starts (the
 * write-back thread): requests queued meanwhile wait for the next pass, so
 * callers that keep the ring full cannot keep the thread from the age
 * bound. */
static void fp_wb_async_run(void)
{
	lock_acquire(&fp_lock);
	unsigned waiting = fp_wb_ring_n + 1; /* + a write of everything */
	lock_release(&fp_lock);
	fp_wb_req_t r;
	bool all;
	for (bool got; waiting-- && ((got = fp_wb_async_take(&r, &all)) || all);) {
		if (got) { /* an error is kept in the file for fsync or MS_SYNC */
			(void) fp_wb_file(r.file, r.first, r.end);
			fp_file_put(r.file);
		}
		if (all)
			(void) fp_wb_all(UINT64_MAX);
		__atomic_add_fetch(&fp_stats.async_done, (uint64_t) got + all, __ATOMIC_RELAXED);
	}
}

uint64_t fp_now_ms(void)
{
	return uptime_ns_now() / 1000000u;
}

/* The write-back thread: msync(MS_ASYNC) requests as they come, and
 * every FP_WB_PERIOD_MS the age bound (no page stays dirty longer than
 * FPAGER_DIRTY_AGE_MS).  The kick word is read before the ring is
 * drained, so a request queued after that makes the wait return at once. */
int fp_wb_thread(void *arg)
{
	(void) arg;
	uint64_t next = fp_now_ms() + FP_WB_PERIOD_MS;
	for (;;) {
		uint32_t seen = __atomic_load_n(&fp_wb_kick, __ATOMIC_ACQUIRE);
		fp_wb_async_run();
		uint64_t now = fp_now_ms();
		if (now < next) {
			(void) futex_wait(&fp_wb_kick, seen, (next - now) * 1000u);
			continue;
		}
		next = now + FP_WB_PERIOD_MS;
		if (now > FPAGER_DIRTY_AGE_MS)
			(void) fp_wb_all(now - FPAGER_DIRTY_AGE_MS);
	}
	return 0;
}
