/*
 * fpager: reading and writing files for the VFS (FPAGER_READ/WRITE/
 * TRUNCATE) and filling the cache for page-ins.
 *
 * A read copies cached pages into the client's buffer; the pages that are
 * not cached are read from the file system server into the connection's
 * scratch buffer (the pager's own memory: a client's buffer could change
 * under the copy), put into the cache, and copied out.  Misses are read
 * in runs of up to FP_RUN_PAGES pages, one request each.  A write is
 * copied into the scratch buffer, written through to the server (which
 * allocates the blocks and grows the file: ENOSPC and EFBIG are the
 * write's own), and the cached pages of the range take the same bytes.
 * Both hold the file's io lock across the server's request, so a fill
 * never reads pages a write is changing; a read of pages that are all
 * cached takes no io lock.
 */
#include <stdio.h>
#include <string.h>

#include "fpager.h"

static uint64_t fp_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t fp_file_size(fp_file_t *f)
{
	lock_acquire(&fp_lock);
	uint64_t size = f->size;
	lock_release(&fp_lock);
	return size;
}

/* Copy what the cache holds of [*pos, end) to @a dst (at *pos - off). */
static void fp_read_cached(fp_file_t *f, uint8_t *dst, uint64_t off, uint64_t *pos, uint64_t end)
{
	while (*pos < end) {
		uint64_t idx = *pos / PAGE_SIZE;
		int32_t s = fp_cache_hit(f, idx);
		if (s < 0)
			return;
		uint64_t to = fp_min((idx + 1) * PAGE_SIZE, end);
		memcpy(dst + (*pos - off), fp_slot_page(s) + *pos % PAGE_SIZE, to - *pos);
		fp_cache_unpin(s);
		*pos = to;
	}
}

/* How many pages from @a idx (at most @a max) are not cached. */
static uint64_t fp_uncached_run(fp_file_t *f, uint64_t idx, uint64_t max)
{
	uint64_t n = 0;
	lock_acquire(&fp_lock);
	while (n < max && pcache_lookup(&fp_cache, fp_file_key(f), idx + n) < 0)
		n++;
	lock_release(&fp_lock);
	return n;
}

/*
 * Read pages [idx, idx + n) of @a f (n <= FP_RUN_PAGES) into the cache
 * through a connection's scratch buffer; @a dst (if not NULL) gets bytes
 * [off, end) of the file that fall in the run.  f->io held.
 */
static errno_t fp_fill_run(
    fp_file_t *f, uint64_t idx, uint64_t n, uint8_t *dst, uint64_t off, uint64_t end)
{
	fp_conn_t *c = fp_vol_conn_take(f->vol);
	ipc_msg_t ans;
	errno_t rc = fp_vol_request(
	    f->vol, c, FS_READ, f->node, idx * PAGE_SIZE, n * PAGE_SIZE, FP_SCRATCH_ID, 0, &ans);
	uint64_t got = rc == EOK ? fp_min(ans.arg[0], n * PAGE_SIZE) : 0;
	if (rc == EOK) {
		memset(c->scratch + got, 0, n * PAGE_SIZE - got);
		for (uint64_t k = 0; k < n; k++)
			fp_cache_put_page(f, idx + k, c->scratch + k * PAGE_SIZE);
		uint64_t from = idx * PAGE_SIZE > off ? idx * PAGE_SIZE : off;
		uint64_t to = fp_min((idx + n) * PAGE_SIZE, end);
		if (dst && to > from)
			memcpy(
			    dst + (from - off), c->scratch + (from - idx * PAGE_SIZE), to - from);
		__atomic_add_fetch(&fp_stats.misses, n, __ATOMIC_RELAXED);
	}
	fp_vol_conn_give(f->vol, c);
	return rc;
}

errno_t fp_io_read(fp_file_t *f, uint8_t *dst, uint64_t off, uint64_t len, uint64_t *done)
{
	uint64_t size = fp_file_size(f);
	*done = 0;
	if (off >= size || len == 0)
		return EOK;
	uint64_t end = off + fp_min(len, size - off), pos = off;
	fp_read_cached(f, dst, off, &pos, end);
	errno_t rc = EOK;
	if (pos < end) {
		lock_acquire(&f->io);
		while (pos < end && rc == EOK) {
			fp_read_cached(f, dst, off, &pos, end);
			if (pos >= end)
				break;
			uint64_t idx = pos / PAGE_SIZE, last = (end - 1) / PAGE_SIZE;
			uint64_t n = fp_uncached_run(f, idx, fp_min(FP_RUN_PAGES, last - idx + 1));
			rc = fp_fill_run(f, idx, n ? n : 1, dst, off, end);
			if (rc == EOK)
				pos = fp_min((idx + (n ? n : 1)) * PAGE_SIZE, end);
		}
		lock_release(&f->io);
	} else {
		__atomic_add_fetch(&fp_stats.hits, 1, __ATOMIC_RELAXED);
	}
	fp_ra_read(f, off, pos);
	*done = pos - off;
	return *done ? EOK : rc;
}

/* Read pages from @a idx (at most @a pages, within the file) into the cache. */
errno_t fp_io_fill(fp_file_t *f, uint64_t idx, uint64_t pages)
{
	lock_acquire(&f->io);
	uint64_t size = fp_file_size(f);
	uint64_t last = size ? (size - 1) / PAGE_SIZE : 0;
	errno_t rc = EOK;
	if (idx * PAGE_SIZE >= size) {
		rc = ERANGE;
	} else {
		uint64_t n = fp_uncached_run(
		    f, idx, fp_min(fp_min(pages, FP_RUN_PAGES), last - idx + 1));
		if (n)
			rc = fp_fill_run(f, idx, n, NULL, 0, 0);
	}
	lock_release(&f->io);
	return rc;
}

/* The file grows from @a old to @a size: the cached page holding the old
 * end loses whatever a mapping stored beyond it (the file reads zeros
 * there).  f->io held. */
static void fp_zero_tail(fp_file_t *f, uint64_t old, uint64_t size)
{
	if (old % PAGE_SIZE == 0 || size <= old)
		return;
	int32_t s = fp_cache_hit(f, old / PAGE_SIZE);
	if (s < 0)
		return;
	uint64_t to = fp_min((old / PAGE_SIZE + 1) * PAGE_SIZE, size);
	memset(fp_slot_page(s) + old % PAGE_SIZE, 0, to - old);
	fp_cache_unpin(s);
}

errno_t fp_io_write(fp_file_t *f, const uint8_t *src, uint64_t off, uint64_t len, uint64_t *done)
{
	*done = 0;
	if (len == 0)
		return EOK;
	lock_acquire(&f->io);
	fp_conn_t *c = fp_vol_conn_take(f->vol);
	memcpy(c->scratch, src, len);
	ipc_msg_t ans;
	errno_t rc = fp_vol_request(f->vol, c, FS_WRITE, f->node, off, len, FP_SCRATCH_ID, 0, &ans);
	uint64_t put = (rc == EOK || rc == ENOSPC) ? fp_min(ans.arg[0], len) : 0;
	if (put) {
		uint64_t old = fp_file_size(f);
		fp_zero_tail(f, old, off + put);
		fp_cache_update(f, off, c->scratch, put);
		if (off + put > old) {
			lock_acquire(&fp_lock);
			f->size = off + put;
			lock_release(&fp_lock);
			fp_file_views_size(f);
		}
	}
	fp_vol_conn_give(f->vol, c);
	lock_release(&f->io);
	*done = put;
	return rc;
}

errno_t fp_io_truncate(fp_file_t *f, uint64_t size)
{
	lock_acquire(&f->io);
	errno_t rc = fp_vol_call(f->vol, FS_TRUNCATE, f->node, size, 0);
	if (rc == EOK) {
		uint64_t old = fp_file_size(f);
		fp_zero_tail(f, old, size); /* growing: what a mapping stored beyond the end goes */
		lock_acquire(&fp_lock);
		f->size = size;
		lock_release(&fp_lock);
		fp_file_views_size(f); /* the kernel revokes every page beyond */
		if (size < old) {
			fp_cache_drop(f, (size + PAGE_SIZE - 1) / PAGE_SIZE);
			fp_zero_tail(f, size, (size / PAGE_SIZE + 1) * PAGE_SIZE);
		}
	}
	lock_release(&f->io);
	return rc;
}

errno_t fp_io_stat_nlink(fp_file_t *f, uint32_t *nlink)
{
	vfs_stat_t st;
	errno_t rc = fp_vol_stat(f->vol, f->node, &st);
	*nlink = rc == EOK ? st.nlink : 0;
	return fp_wb_node_gone(rc) ? EOK : rc; /* freed, or another file's now: no name */
}
