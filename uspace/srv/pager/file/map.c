/*
 * fpager: mappings.
 *
 * The VFS checks a descriptor and grants its task the right to map the
 * file (FPAGER_GRANT: the grant names the task, the file and the most
 * rights); the task's libc turns the grant into an object of its own
 * connection (FPAGER_MAP) and binds its area to it.  Each mapping is so a
 * lib/pager object, a view of the file (fp_view_t); the kernel names
 * objects per connection, so the file's write-protects and revokes go to
 * every view of it.  An object's offsets are the file's.
 *
 * Shared views answer page-ins with the cache's pages: a read gets the
 * page read-only (so the first store faults), or read/write if it is
 * dirty already; a store (a write fault, or the upgrade of a read-only
 * page) first makes sure the page has its blocks on the disk
 * (FS_ALLOCATE: "disk full" is this fault's ENOSPC, with nothing written),
 * then makes the page DIRTY and grants write.  When more pages are dirty
 * than the cache's bound, the storing fault waits for a write-back of the
 * oldest first (the writer slows down).  Private views: map_private.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <thread.h>

#include "fpager.h"

#define FP_GRANTS_MAX 64u
#define FP_CONNECT_WAIT_MS 5000u
#define FP_GRANT_TTL_MS 10000u /* libc maps right after VFS_MMAP */

typedef struct fp_grant {
	uint64_t id; /* 0: free */
	uint64_t task;
	uint64_t dev, node;
	unsigned rights;
	bool shared; /* only a shared view (else only a private one) */
	uint64_t born; /* ms: a grant is used at once or never */
} fp_grant_t;

static fp_grant_t fp_grants[FP_GRANTS_MAX];
static uint64_t fp_grant_next = 1;

errno_t fp_map_grant(
    uint64_t dev, uint64_t node, unsigned rights, uint64_t task, bool shared, uint64_t *grant)
{
	lock_acquire(&fp_lock);
	fp_grant_t *g = &fp_grants[fp_grant_next % FP_GRANTS_MAX]; /* the oldest goes */
	*g = (fp_grant_t){ .id = fp_grant_next++,
		.task = task,
		.dev = dev,
		.node = node,
		.rights = rights,
		.shared = shared,
		.born = fp_now_ms() };
	*grant = g->id;
	lock_release(&fp_lock);
	return EOK;
}

/* The node lost its last name: its grants go (the node may be reused). */
void fp_map_grants_drop(uint64_t dev, uint64_t node)
{
	lock_acquire(&fp_lock);
	for (unsigned i = 0; i < FP_GRANTS_MAX; i++)
		if (fp_grants[i].id && fp_grants[i].dev == dev && fp_grants[i].node == node)
			fp_grants[i] = (fp_grant_t){ 0 };
	lock_release(&fp_lock);
}

static bool fp_grant_take(uint64_t id, uint64_t task, fp_grant_t *out)
{
	bool ok = false;
	lock_acquire(&fp_lock);
	fp_grant_t *g = id ? &fp_grants[id % FP_GRANTS_MAX] : NULL;
	if (g && g->id == id && g->task == task && fp_now_ms() - g->born <= FP_GRANT_TTL_MS) {
		*out = *g;
		*g = (fp_grant_t){ 0 };
		ok = true;
	}
	lock_release(&fp_lock);
	return ok;
}

/* Every view holds its file's node open (a mapping outlives the
 * descriptor it was made from); the file system counts the opens, so
 * views made and gone at once cannot leave a mapping without one. */
static errno_t fp_view_node(fp_file_t *f, bool open)
{
	return fp_vol_call(f->vol, open ? FS_NODE_OPEN : FS_NODE_CLOSE, f->node, 0, 0);
}

/* The id of view @a w with serial @a serial (see FP_ID_*). */
static uint64_t fp_view_id(const fp_view_t *w, uint64_t serial)
{
	uint64_t node = w->file->node;
	return (w->file->vol->dev << FP_ID_DEV_SHIFT) |
	    (((uint64_t) FS_NODE_GEN(node) & FP_ID_GEN_MASK) << FP_ID_GEN_SHIFT) |
	    ((uint64_t) FS_NODE_INO(node) << FP_ID_NODE_SHIFT) |
	    ((serial & FP_ID_SERIAL_MASK) << FP_ID_SERIAL_SHIFT) |
	    ((w->rights & AS_AREA_WRITE) ? FP_ID_WRITE : 0) | (w->private_map ? FP_ID_PRIVATE : 0);
}

/* The view's object, with an id that says what it is (a successor after
 * a restart reads it there).  EOVERFLOW: the volume or number do not fit. */
static errno_t fp_view_object(uint64_t conn, fp_view_t *w, pager_object_t **obj)
{
	static uint64_t serial;
	if (w->file->vol->dev >> (64 - FP_ID_DEV_SHIFT) ||
	    FS_NODE_INO(w->file->node) >> FP_ID_NODE_BITS)
		return EOVERFLOW;
	errno_t rc = EEXIST;
	for (unsigned i = 0; rc == EEXIST && i <= FP_ID_SERIAL_MASK; i++) {
		uint64_t s = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
		rc = pager_object_create_id(conn, fp_view_id(w, s), w, obj);
	}
	return rc;
}

/* FPAGER_MAP: the grant becomes a view object of connection @a conn. */
static errno_t fp_map_create(const ipc_event_t *ev, ipc_msg_t *ans)
{
	fp_grant_t g;
	bool priv = ev->msg.arg[1] & FPAGER_MAP_PRIVATE;
	if (ev->msg.arg[1] & ~(uint64_t) FPAGER_MAP_PRIVATE)
		return EINVAL;
	if (!fp_grant_take(ev->msg.arg[0], ev->sender, &g))
		return ENOENT;
	if (priv == g.shared) /* a private grant carries write for copy-on-write only */
		return EACCES;
	fp_vol_t *v;
	fp_file_t *f = NULL;
	/* a client's request may wait for the volume's connection (the VFS
	 * does not wait for us here): up to FP_CONNECT_WAIT_MS */
	errno_t rc = fp_vol_get(g.dev, &v);
	for (unsigned ms = 0; rc == EAGAIN && ms < FP_CONNECT_WAIT_MS; ms++) {
		thread_sleep_us(1000);
		rc = fp_vol_get(g.dev, &v);
	}
	if (rc == EOK)
		rc = fp_file_get(v, g.node, true, &f);
	fp_view_t *w = rc == EOK ? calloc(1, sizeof(*w)) : NULL;
	if (rc == EOK && !w)
		rc = ENOMEM;
	if (rc == EOK)
		rc = fp_view_node(f, true);
	pager_object_t *obj = NULL;
	if (rc == EOK) {
		*w = (fp_view_t){ .file = f,
			.private_map = ev->msg.arg[1] & FPAGER_MAP_PRIVATE,
			.rights = g.rights };
		rc = fp_view_object(ev->conn, w, &obj);
	}
	if (rc != EOK) {
		free(w);
		if (f)
			fp_file_put(f);
		return rc;
	}
	lock_acquire(&fp_lock);
	w->id = obj->id;
	w->next = f->views;
	f->views = w;
	f->nviews++;
	fp_stats.views++;
	ans->arg[0] = obj->id;
	ans->arg[1] = f->size;
	lock_release(&fp_lock);
	pager_object_put(obj);
	return EOK; /* the view keeps the file reference */
}

/*
 * lib/pager, after a restart: the dead file pager's object @a id of
 * connection @a conn is offered.  A shared view is taken: its id says
 * which file and whether it may be written, and its pages (revoked by
 * the kernel when the old pager died) fault again from the cache.  A
 * private view is refused: the pages it had stored to were in the dead
 * pager's memory only, and mapping the file's instead would change the
 * task's memory under it (its next fault ends it, "pager error ENOENT").
 */
/*
 * The node word of the file view @a id was made for (dev @a dev, number
 * @a ino): the number's generation now, if its low bits are those of the
 * id (else ESTALE: the number is another file's now; ENOENT: it is free,
 * the file went with the dead pager's last hold on it).
 */
static errno_t fp_map_adopt_node(fp_vol_t *v, uint64_t id, uint32_t ino, uint64_t *node)
{
	vfs_stat_t st;
	errno_t rc = fp_vol_stat(v, FS_NODE_WORD(ino, FS_GEN_ANY), &st);
	if (rc != EOK)
		return rc;
	if ((st.gen & FP_ID_GEN_MASK) != ((id >> FP_ID_GEN_SHIFT) & FP_ID_GEN_MASK))
		return ESTALE;
	*node = FS_NODE_WORD(ino, st.gen);
	return EOK;
}

errno_t fp_map_adopt(uint64_t conn, uint64_t id, void **data)
{
	(void) conn;
	uint64_t dev = id >> FP_ID_DEV_SHIFT, node = 0;
	uint32_t ino = (uint32_t) ((id >> FP_ID_NODE_SHIFT) & ((1ull << FP_ID_NODE_BITS) - 1));
	uint64_t lost = pager_adopt_lost_pages();
	if (lost > 0)
		printf("fpager: node %u on volume %llu: %llu pages stored through mappings were "
		       "lost with the previous file pager\n",
		    ino, (unsigned long long) dev, (unsigned long long) lost);
	if (id & FP_ID_PRIVATE) {
		printf("fpager: a private mapping of node %u on volume %llu lost its own pages "
		       "with the previous file pager: refused\n",
		    ino, (unsigned long long) dev);
		return EPERM;
	}
	fp_vol_t *v;
	fp_file_t *f = NULL;
	errno_t rc = fp_vol_get(dev, &v);
	for (unsigned ms = 0; rc == EAGAIN && ms < FP_CONNECT_WAIT_MS; ms++) {
		thread_sleep_us(1000);
		rc = fp_vol_get(dev, &v);
	}
	if (rc == EOK)
		rc = fp_map_adopt_node(v, id, ino, &node);
	if (rc == EOK)
		rc = fp_file_get(v, node, true, &f);
	fp_view_t *w = rc == EOK ? calloc(1, sizeof(*w)) : NULL;
	if (rc == EOK && !w)
		rc = ENOMEM;
	if (rc == EOK)
		rc = fp_view_node(f, true);
	if (rc != EOK) {
		printf("fpager: cannot take over the mapping of node %u on volume %llu: %s%s\n",
		    ino, (unsigned long long) dev, str_error_name(rc),
		    fp_wb_node_gone(rc) ? " (the file is gone)" : "");
		free(w);
		if (f)
			fp_file_put(f);
		return rc;
	}
	*w = (fp_view_t){ .file = f,
		.id = id,
		.adopted = true,
		.rights = AS_AREA_READ | AS_AREA_EXEC | ((id & FP_ID_WRITE) ? AS_AREA_WRITE : 0) };
	lock_acquire(&fp_lock);
	w->next = f->views;
	f->views = w;
	f->nviews++;
	fp_stats.views++;
	(void) pager_object_set_size(id, fp_file_map_size(f));
	lock_release(&fp_lock);
	*data = w;
	printf("fpager: took over a shared mapping of node %u on volume %llu\n", ino,
	    (unsigned long long) dev);
	return EOK;
}

/* lib/pager: the view's first area: it learns the file's size. */
void fp_map_object_ref(pager_object_t *obj)
{
	fp_view_t *w = obj->data;
	lock_acquire(&fp_lock);
	(void) pager_object_set_size(obj->id, fp_file_map_size(w->file));
	lock_release(&fp_lock);
}

/* The file's last view went: its dirty pages are written back (the node
 * is still held: a descriptor of an unlinked file may read them), and if
 * the file has no name any more its pages go too (they are clean now; an
 * open descriptor reads them from the disk). */
static void fp_map_last_view(fp_file_t *f)
{
	(void) fp_wb_file(f, 0, UINT64_MAX);
	__atomic_add_fetch(&fp_stats.last_unmap_wbs, 1, __ATOMIC_RELAXED);
	lock_acquire(&fp_lock);
	bool gone = f->forgotten && f->nviews == 0;
	lock_release(&fp_lock);
	if (gone)
		fp_cache_drop(f, 0);
}

/* lib/pager: the view is gone (its last area, or never bound). */
void fp_map_object_free(pager_object_t *obj)
{
	fp_view_t *w = obj->data;
	fp_file_t *f = w->file;
	lock_acquire(&fp_lock);
	fp_view_t **p = &f->views;
	while (*p != w)
		p = &(*p)->next;
	*p = w->next;
	bool last = --f->nviews == 0;
	fp_stats.views--;
	lock_release(&fp_lock);
	fp_map_private_free(w);
	bool alive = __atomic_load_n(&f->vol->alive, __ATOMIC_ACQUIRE);
	if (last && alive)
		fp_map_last_view(f);
	if (alive)
		(void) fp_view_node(f, false);
	free(w);
	fp_file_put(f);
}

/* Rights for a page in state @a st of a shared view, for @a access. */
static unsigned fp_shared_rights(const pager_fault_t *pf, const fp_view_t *w, uint8_t st)
{
	unsigned area = PAGE_IN_RIGHTS(pf->hints) & w->rights;
	unsigned r = AS_AREA_READ;
	if (pf->access == FAULT_ACCESS_WRITE || (st == PCACHE_DIRTY && (area & AS_AREA_WRITE)))
		r |= AS_AREA_WRITE;
	if (area & AS_AREA_EXEC)
		r |= AS_AREA_EXEC;
	return r & PAGE_IN_RIGHTS(pf->hints);
}

/* A store to page slot @a s (pinned) of @a f: if the page is clean, its
 * blocks first (a hole gets them now: "disk full" is this fault's). */
static errno_t fp_map_allocate(fp_file_t *f, int32_t s, uint64_t idx)
{
	lock_acquire(&fp_lock);
	bool clean = fp_cache.slot[s].state == PCACHE_CLEAN;
	uint64_t size = f->size;
	lock_release(&fp_lock);
	if (!clean || idx * PAGE_SIZE >= size)
		return EOK;
	uint64_t len = size - idx * PAGE_SIZE < PAGE_SIZE ? size - idx * PAGE_SIZE : PAGE_SIZE;
	return fp_vol_call(f->vol, FS_ALLOCATE, f->node, idx * PAGE_SIZE, len);
}

/* Too many dirty pages: a store waits for write-back (fp_wb_throttle). */
static bool fp_map_over_bound(void)
{
	lock_acquire(&fp_lock);
	bool over = fp_cache.dirty.count + fp_cache.count[PCACHE_WB] >= fp_cache.dirty_max;
	lock_release(&fp_lock);
	return over;
}

/*
 * Answer with page slot @a s (pinned; unpinned here) and the run after
 * it.  All under fp_lock, so the rights are those of the state at the
 * answer: write is granted only to a page that is DIRTY then (a store
 * makes it so here).  A write-back takes pages to WB under fp_lock and
 * write-protects them afterwards, so a write granted before it is taken
 * away before the copy, and one granted after it went to a page made
 * DIRTY again, which the write-back leaves dirty.
 */
static void fp_map_answer(pager_fault_t *pf, fp_view_t *w, int32_t s, bool store)
{
	lock_acquire(&fp_lock);
	if (store) {
		(void) pcache_mark_dirty(&fp_cache, s, fp_now_ms());
		uint64_t dirty = fp_cache.count[PCACHE_DIRTY] + fp_cache.count[PCACHE_WB];
		if (dirty > fp_stats.dirty_max_seen)
			fp_stats.dirty_max_seen = dirty;
	}
	unsigned rights = fp_shared_rights(pf, w, fp_cache.slot[s].state);
	/* the run of cached pages from slot s that can go in the same answer:
	 * the next slots of the pool, holding the next pages, in the same
	 * state; fp_lock keeps them there until the answer took them */
	uint32_t want = pf->pages > UINT32_MAX ? UINT32_MAX : (uint32_t) pf->pages;
	size_t n = store ? 1 : pcache_run(&fp_cache, s, want);
	(void) pager_supply(pf->call, (uintptr_t) fp_slot_page(s), n, rights);
	pcache_unpin(&fp_cache, s);
	lock_release(&fp_lock);
}

/* The cached page @a idx of @a f, pinned, read in if it is not there. */
errno_t fp_map_page(fp_file_t *f, uint64_t idx, size_t want, bool seq, int32_t *out)
{
	for (unsigned tries = 0; tries < 8; tries++) {
		int32_t s = fp_cache_hit(f, idx);
		if (s >= 0) {
			*out = s;
			return EOK;
		}
		errno_t rc = fp_io_fill(f, idx, seq ? FP_RUN_PAGES : want);
		if (rc != EOK)
			return rc;
	}
	return ENOMEM; /* every slot dirty or pinned */
}

static void fp_map_shared_fault(pager_fault_t *pf, fp_view_t *w)
{
	fp_file_t *f = w->file;
	uint64_t idx = pf->offset / PAGE_SIZE;
	bool store = pf->access == FAULT_ACCESS_WRITE;
	if (store && !(w->rights & AS_AREA_WRITE)) {
		pager_fail(pf->call, EACCES);
		return;
	}
	int32_t s = -1;
	bool seq = w->sequential || (pf->hints & PAGE_IN_SEQUENTIAL);
	/* too many dirty pages: the writer waits while the oldest are
	 * written, before it pins anything (a truncation holding the file's
	 * io lock waits for pins to go) */
	if (store && fp_map_over_bound())
		fp_wb_throttle();
	errno_t rc = fp_map_page(f, idx, pf->pages, seq, &s);
	if (rc == EOK && store)
		rc = fp_map_allocate(f, s, idx);
	if (rc != EOK) {
		if (s >= 0)
			fp_cache_unpin(s);
		pager_fail(pf->call, rc);
		return;
	}
	fp_map_answer(pf, w, s, store);
	if (seq)
		fp_ra_fault(f, idx);
}

void fp_map_page_in(pager_fault_t *pf)
{
	fp_view_t *w = pf->object->data;
	__atomic_add_fetch(&fp_stats.page_ins, 1, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&w->file->vol->alive, __ATOMIC_ACQUIRE)) {
		pager_fail(pf->call, EIO);
		return;
	}
	if (w->private_map)
		fp_map_private_fault(pf, w);
	else
		fp_map_shared_fault(pf, w);
}

/* The view @a id of connection @a conn, held; NULL: none. */
static pager_object_t *fp_view_get(uint64_t id, uint64_t conn, fp_view_t **w)
{
	pager_object_t *obj = pager_object_get(id, conn);
	*w = obj ? obj->data : NULL;
	return obj;
}

/* FPAGER_MSYNC */
static errno_t fp_map_msync(const ipc_event_t *ev)
{
	uint64_t off = ev->msg.arg[1], len = ev->msg.arg[2], flags = ev->msg.arg[3];
	if (off % PAGE_SIZE || len > UINT64_MAX - off ||
	    flags & ~(uint64_t) (FPAGER_MSYNC_ASYNC | FPAGER_MSYNC_INVALIDATE))
		return EINVAL;
	fp_view_t *w;
	pager_object_t *obj = fp_view_get(ev->msg.arg[0], ev->conn, &w);
	if (!obj) {
		/* a view this pager took over from its predecessor belongs to a
		 * connection that went with it: its task's msync comes through
		 * a new one.  Writing a shared view's dirty pages back is the
		 * same whoever asks. */
		obj = pager_object_get_any(ev->msg.arg[0]);
		w = obj ? obj->data : NULL;
		if (obj && !w->adopted) {
			pager_object_put(obj);
			obj = NULL;
		}
	}
	if (!obj)
		return ENOENT;
	errno_t rc = EOK;
	uint64_t first = off / PAGE_SIZE;
	uint64_t end = first + len / PAGE_SIZE + (len % PAGE_SIZE != 0);
	if (!w->private_map && (flags & FPAGER_MSYNC_ASYNC)) {
		fp_wb_async_queue(w->file, first, end); /* started; an error comes with MS_SYNC */
	} else if (!w->private_map) {
		rc = fp_wb_file(w->file, first, end);
		errno_t old = fp_wb_take_error(w->file);
		if (rc == EOK)
			rc = old;
	}
	pager_object_put(obj);
	return rc;
}

/* FPAGER_ADVISE */
static errno_t fp_map_advise(const ipc_event_t *ev)
{
	uint64_t off = ev->msg.arg[1], len = ev->msg.arg[2], how = ev->msg.arg[3];
	if (off % PAGE_SIZE || len > UINT64_MAX - off || how < FPAGER_ADVISE_DONTNEED ||
	    how > FPAGER_ADVISE_SEQUENTIAL)
		return EINVAL;
	fp_view_t *w;
	pager_object_t *obj = fp_view_get(ev->msg.arg[0], ev->conn, &w);
	if (!obj)
		return ENOENT;
	errno_t rc = EOK;
	if (how == FPAGER_ADVISE_SEQUENTIAL)
		w->sequential = true;
	else if (how == FPAGER_ADVISE_WILLNEED)
		rc = fp_io_fill(w->file, off / PAGE_SIZE, len / PAGE_SIZE + 1);
	else if (w->private_map)
		fp_map_private_discard(w, off, len);
	else
		fp_cache_age(w->file, off / PAGE_SIZE,
		    off / PAGE_SIZE + len / PAGE_SIZE + (len % PAGE_SIZE != 0));
	if (rc == ERANGE)
		rc = EOK;
	pager_object_put(obj);
	return rc;
}

/* FPAGER_STATS: one group of counters (abi/fpager.h). */
static errno_t fp_map_stats(uint64_t group, ipc_msg_t *ans)
{
	const fp_stats_t *st = &fp_stats;
	lock_acquire(&fp_lock);
	uint64_t v[][5] = {
		{ fp_cache.nslots, fp_cache.nslots - fp_cache.count[PCACHE_FREE],
		    fp_cache.count[PCACHE_DIRTY] + fp_cache.count[PCACHE_WB], st->dirty_max_seen,
		    fp_cache.dirty_max },
		{ st->hits, st->misses, st->page_ins, fp_cache.evictions, st->wb_pages },
		{ st->write_backs, st->wb_errors, st->wb_inflight_max, st->files, st->views },
		{ st->read_aheads, 0, 0, 0, 0 },
		{ st->async_requests, st->async_done, st->async_overflows, st->last_unmap_wbs,
		    st->last_close_wbs },
	};
	lock_release(&fp_lock);
	if (group > FPAGER_STATS_TRIGGER)
		return EINVAL;
	for (unsigned i = 0; i < 5; i++)
		ans->arg[i] = v[group][i];
	return EOK;
}

/* A client's call. */
void fp_map_client_call(ipc_event_t *ev)
{
	ipc_msg_t ans = { 0 };
	errno_t rc;
	switch (ev->msg.method) {
	case FPAGER_MAP:
		rc = fp_map_create(ev, &ans);
		break;
	case FPAGER_MSYNC:
		rc = fp_map_msync(ev);
		break;
	case FPAGER_ADVISE:
		rc = fp_map_advise(ev);
		break;
	case FPAGER_DROP:
		rc = pager_object_drop(ev->msg.arg[0], ev->conn);
		break;
	case FPAGER_STATS:
		rc = fp_map_stats(ev->msg.arg[0], &ans);
		break;
	case FPAGER_TEST_FAIL_WRITES:
		rc = fp_wb_test_fail(ev->msg.arg[0], ev->msg.arg[1]);
		break;
	default:
		rc = ENOTSUP;
		break;
	}
	ipc_answer(ev->call, rc, &ans);
}
