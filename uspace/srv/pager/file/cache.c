/*
 * fpager: the cache and the file table.
 *
 * The pool is one area of FP_POOL pages of the pager's own (anonymous)
 * memory; slot s is its page s, and lib/pcache keeps which (file, page)
 * each slot holds and its state.  The file is named in lib/pcache by its
 * record's address (fp_file_key): a record lives as long as it has pages
 * in the cache, a request using it or a mapping, so the key is never
 * reused while a slot carries it.  A page handed to a client (a copy
 * into its buffer, a page-in's answer) is pinned meanwhile, so it is not
 * evicted under the copy; eviction takes the least recently used clean
 * page nobody pins and first revokes it from every mapping of its file.
 */
#include <anon.h>
#include <as.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <thread.h>

#include "fpager.h"

#define FP_FILE_BUCKETS 256u

lock_t fp_lock = LOCK_INITIALIZER;
pcache_t fp_cache;
uint8_t *fp_pool;
fp_stats_t fp_stats;
static fp_file_t *fp_files[FP_FILE_BUCKETS];

/* Slots whose page has memory (it was filled since it was last released):
 * a freed slot's memory goes back with fp_cache_release_free (fp_lock). */
static uint8_t *fp_touched;

errno_t fp_cache_init(size_t pages)
{
	uint32_t nb = 1;
	while (nb < pages)
		nb <<= 1;
	pcache_slot_t *slots = calloc(pages, sizeof(*slots));
	int32_t *buckets = calloc(nb, sizeof(*buckets));
	fp_touched = calloc((pages + 7) / 8, 1);
	/* private anonymous memory: MADV_DONTNEED gives a page's frame back */
	void *base = mmap(
	    NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!slots || !buckets || !fp_touched || base == MAP_FAILED) {
		free(slots);
		free(buckets);
		free(fp_touched);
		if (base != MAP_FAILED)
			munmap(base, pages * PAGE_SIZE);
		return ENOMEM;
	}
	fp_pool = (uint8_t *) base;
	/* dirty pages: a quarter of the cache, at most FP_DIRTY_MAX */
	uint32_t dirty = (uint32_t) (pages / 4 < FP_DIRTY_MAX ? pages / 4 : FP_DIRTY_MAX);
	pcache_init(&fp_cache, slots, (uint32_t) pages, buckets, nb, dirty);
	return EOK;
}

static fp_file_t **fp_file_bucket(const fp_vol_t *v, uint64_t node)
{
	uint64_t h = (node * 0x9e3779b97f4a7c15ull) ^ (uintptr_t) v;
	return &fp_files[(h >> 40) % FP_FILE_BUCKETS];
}

/* The record of (v, node), held (fp_lock held); NULL: none. */
static fp_file_t *fp_file_find_locked(fp_vol_t *v, uint64_t node)
{
	for (fp_file_t *f = *fp_file_bucket(v, node); f; f = f->next) {
		if (f->vol == v && f->node == node) {
			f->refs++;
			return f;
		}
	}
	return NULL;
}

static errno_t fp_file_stat_size(fp_vol_t *v, uint64_t node, uint64_t *size)
{
	vfs_stat_t st;
	errno_t rc = fp_vol_stat(v, node, &st);
	if (rc == EOK && (st.mode & VFS_S_IFMT) != VFS_S_IFREG)
		rc = EINVAL;
	if (rc == EOK)
		*size = st.size;
	return rc;
}

/* The record of (v, node), held; made (its size asked) when @a create. */
errno_t fp_file_get(fp_vol_t *v, uint64_t node, bool create, fp_file_t **out)
{
	lock_acquire(&fp_lock);
	fp_file_t *f = fp_file_find_locked(v, node);
	lock_release(&fp_lock);
	if (f || !create) {
		*out = f;
		return f ? EOK : ENOENT;
	}
	uint64_t size;
	errno_t rc = fp_file_stat_size(v, node, &size);
	if (rc != EOK)
		return rc;
	fp_file_t *n = calloc(1, sizeof(*n));
	if (!n)
		return ENOMEM;
	lock_acquire(&fp_lock);
	f = fp_file_find_locked(v, node);
	if (!f) {
		*n = (fp_file_t){ .vol = v, .node = node, .size = size, .refs = 1 };
		fp_stats.files++;
		fp_file_t **b = fp_file_bucket(v, node);
		n->next = *b;
		*b = f = n;
		n = NULL;
	}
	lock_release(&fp_lock);
	free(n);
	*out = f;
	return EOK;
}

/* Free @a f if nothing holds it any more (fp_lock held). */
static void fp_file_maybe_free_locked(fp_file_t *f)
{
	if (f->refs || f->pages || f->nviews)
		return;
	fp_file_t **b = fp_file_bucket(f->vol, f->node);
	while (*b != f)
		b = &(*b)->next;
	*b = f->next;
	fp_stats.files--;
	free(f);
}

void fp_file_put(fp_file_t *f)
{
	lock_acquire(&fp_lock);
	f->refs--;
	fp_file_maybe_free_locked(f);
	lock_release(&fp_lock);
}

/* Pages [idx, idx + pages) of @a f leave every mapping (fp_lock held). */
void fp_file_revoke_locked(fp_file_t *f, uint64_t idx, uint64_t pages)
{
	for (fp_view_t *w = f->views; w; w = w->next) {
		/* a private view maps the cache's pages it has not written
		 * (its own pages go too: the next fault maps them again) */
		while (pager_object_revoke(w->id, idx * PAGE_SIZE, pages * PAGE_SIZE) == ENOMEM)
			thread_yield();
	}
}

/* The size the kernel knows a view by: the file's, in whole pages (a
 * load in the last page beyond the end reads zeros, as POSIX has it). */
uint64_t fp_file_map_size(const fp_file_t *f)
{
	return (f->size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
}

/* Every mapping of @a f learns its size (faults beyond it fail). */
void fp_file_views_size(fp_file_t *f)
{
	lock_acquire(&fp_lock);
	for (fp_view_t *w = f->views; w; w = w->next)
		(void) pager_object_set_size(w->id, fp_file_map_size(f));
	lock_release(&fp_lock);
}

/* The cached page @a idx of @a f, pinned; -1 if it is not there. */
int32_t fp_cache_hit(fp_file_t *f, uint64_t idx)
{
	lock_acquire(&fp_lock);
	int32_t s = pcache_lookup(&fp_cache, fp_file_key(f), idx);
	if (s >= 0 && fp_cache.slot[s].state == PCACHE_FILLING)
		s = -1;
	if (s >= 0)
		pcache_pin(&fp_cache, s);
	lock_release(&fp_lock);
	return s;
}

void fp_cache_unpin(int32_t s)
{
	lock_acquire(&fp_lock);
	pcache_unpin(&fp_cache, s);
	lock_release(&fp_lock);
}

/* The victim of an insertion leaves its file's mappings (fp_lock held). */
static void fp_cache_evicted_locked(const pcache_victim_t *victim)
{
	if (!victim->valid)
		return;
	fp_file_t *vf = (fp_file_t *) (uintptr_t) victim->obj;
	fp_file_revoke_locked(vf, victim->idx, 1);
	vf->pages--;
	fp_stats.evictions++;
	fp_file_maybe_free_locked(vf);
}

/*
 * Put page @a idx of @a f into the cache, CLEAN, with the bytes at @a src
 * (the caller holds f->io, so nobody else fills it).  A page there
 * already, or a cache full of dirty and pinned pages, leaves it out.
 */
void fp_cache_put_page(fp_file_t *f, uint64_t idx, const uint8_t *src)
{
	int32_t s;
	pcache_victim_t victim;
	lock_acquire(&fp_lock);
	errno_t rc = pcache_insert(&fp_cache, fp_file_key(f), idx, &s, &victim);
	if (rc == EOK) {
		f->pages++;
		fp_cache_evicted_locked(&victim);
	}
	lock_release(&fp_lock);
	if (rc != EOK)
		return;
	memcpy(fp_slot_page(s), src, PAGE_SIZE);
	lock_acquire(&fp_lock);
	fp_touched[s / 8] |= (uint8_t) (1u << (s % 8));
	pcache_fill_end(&fp_cache, s, true);
	lock_release(&fp_lock);
}

/* Is slot @a s FREE with memory (fp_lock held)? */
static bool fp_slot_releasable(int32_t s)
{
	return fp_cache.slot[s].state == PCACHE_FREE && (fp_touched[s / 8] & (1u << (s % 8)));
}

/*
 * Give the memory of every free slot that has some back (a file's pages
 * dropped, pages evicted for the kernel): one MADV_DONTNEED per run of
 * such slots.  Under fp_lock, so no slot of a run is handed out and
 * filled during its discard: the one exception to "fp_lock is never held
 * across a request to another server", safe because the anon pager never
 * waits for this one, and rare (a file's last name removed, a truncation,
 * low memory).
 */
void fp_cache_release_free(void)
{
	lock_acquire(&fp_lock);
	for (uint32_t s = 0; s < fp_cache.nslots;) {
		if (!fp_slot_releasable((int32_t) s)) {
			s++;
			continue;
		}
		uint32_t e = s;
		while (e < fp_cache.nslots && fp_slot_releasable((int32_t) e)) {
			fp_touched[e / 8] &= (uint8_t) ~(1u << (e % 8));
			e++;
		}
		(void) madvise(
		    fp_slot_page((int32_t) s), (size_t) (e - s) * PAGE_SIZE, MADV_DONTNEED);
		s = e;
	}
	lock_release(&fp_lock);
}

/* The anon pager gives memory back by the block of FP_RELEASE_GROUP
 * pages: a low-memory eviction frees whole groups of slots. */
#define FP_RELEASE_GROUP 16

/*
 * Memory is low: dirty pages written back, then at least @a wanted clean
 * pages evicted and their memory given back: the least recently used
 * page, and with it every clean page of its group of FP_RELEASE_GROUP
 * slots (the anon pager gives a block back when all its pages are gone).
 * How many went.
 */
size_t fp_cache_low_memory(size_t wanted)
{
	(void) fp_wb_all(UINT64_MAX);
	size_t n = 0;
	pcache_victim_t victim;
	lock_acquire(&fp_lock);
	for (int32_t s; n < wanted && (s = pcache_evict(&fp_cache, &victim)) >= 0;) {
		fp_cache_evicted_locked(&victim);
		n++;
		int32_t g = s - s % FP_RELEASE_GROUP;
		for (int32_t k = g; k < g + FP_RELEASE_GROUP && k < (int32_t) fp_cache.nslots;
		     k++) {
			if (pcache_evict_slot(&fp_cache, k, &victim)) {
				fp_cache_evicted_locked(&victim);
				n++;
			}
		}
	}
	lock_release(&fp_lock);
	fp_cache_release_free();
	return n;
}

/*
 * Volume @a v's server is gone: its files' pages leave every mapping (a
 * fault then fails: EIO) and the cache; the dirty ones are lost, and the
 * log says how many, per file.  Pages busy right now (being read or
 * written, pinned) stay until the cache evicts them.
 */
void fp_cache_vol_gone(fp_vol_t *v)
{
	lock_acquire(&fp_lock);
	for (unsigned b = 0; b < FP_FILE_BUCKETS; b++) {
		for (fp_file_t *f = fp_files[b], *next; f; f = next) {
			next = f->next;
			if (f->vol != v || !f->pages)
				continue;
			uint32_t dirty = pcache_obj_dirty(&fp_cache, fp_file_key(f)), dropped;
			fp_file_revoke_locked(f, 0, (f->size + PAGE_SIZE - 1) / PAGE_SIZE);
			(void) pcache_drop(&fp_cache, fp_file_key(f), 0, &dropped);
			f->pages -= dropped;
			if (dirty)
				printf("fpager: volume %llu is gone: node %u lost %u dirty pages\n",
				    (unsigned long long) v->dev, FS_NODE_INO(f->node), dirty);
			fp_file_maybe_free_locked(f);
		}
	}
	lock_release(&fp_lock);
}

/*
 * The VFS served files without us until now (a successor between its
 * takeover and fp_vfs_attach): the sizes of the files we already know
 * may have changed; ask again, and tell their mappings.
 */
void fp_cache_restat(void)
{
	for (unsigned b = 0; b < FP_FILE_BUCKETS; b++) {
		for (;;) { /* one file at a time, held, asked without fp_lock */
			lock_acquire(&fp_lock);
			fp_file_t *f = fp_files[b];
			while (f && f->restated)
				f = f->next;
			if (f) {
				f->restated = true;
				f->refs++;
			}
			lock_release(&fp_lock);
			if (!f)
				break;
			uint64_t size;
			if (fp_file_stat_size(f->vol, f->node, &size) == EOK) {
				lock_acquire(&fp_lock);
				f->size = size;
				lock_release(&fp_lock);
				fp_file_views_size(f);
			}
			fp_file_put(f);
		}
	}
}

/* MADV_DONTNEED on a shared mapping: the range's clean pages go first. */
void fp_cache_age(fp_file_t *f, uint64_t first, uint64_t end)
{
	lock_acquire(&fp_lock);
	for (uint64_t idx = first; idx < end && idx - first < fp_cache.nslots; idx++) {
		int32_t s = pcache_lookup(&fp_cache, fp_file_key(f), idx);
		if (s >= 0)
			pcache_age(&fp_cache, s);
	}
	lock_release(&fp_lock);
}

/* Bytes [off, off + len) of @a f were written: its cached pages take them. */
void fp_cache_update(fp_file_t *f, uint64_t off, const uint8_t *src, uint64_t len)
{
	uint64_t end = off + len;
	for (uint64_t idx = off / PAGE_SIZE; idx * PAGE_SIZE < end; idx++) {
		int32_t s = fp_cache_hit(f, idx);
		if (s < 0)
			continue;
		uint64_t from = idx * PAGE_SIZE > off ? idx * PAGE_SIZE : off;
		uint64_t to = (idx + 1) * PAGE_SIZE < end ? (idx + 1) * PAGE_SIZE : end;
		memcpy(fp_slot_page(s) + from % PAGE_SIZE, src + (from - off), to - from);
		fp_cache_unpin(s);
	}
}

/*
 * Drop @a f's cached pages from page @a first on (clean and dirty: the
 * caller wrote back what must be kept), revoked from every mapping first
 * (up to the file's size: the caller drops before it shrinks the size).
 */
void fp_cache_drop(fp_file_t *f, uint64_t first)
{
	lock_acquire(&fp_lock);
	for (;;) {
		uint64_t end = (f->size + PAGE_SIZE - 1) / PAGE_SIZE;
		if (end > first)
			fp_file_revoke_locked(f, first, end - first);
		uint32_t dropped;
		uint32_t busy = pcache_drop(&fp_cache, fp_file_key(f), first, &dropped);
		f->pages -= dropped;
		if (!busy)
			break;
		lock_release(&fp_lock);
		thread_yield();
		lock_acquire(&fp_lock);
	}
	lock_release(&fp_lock);
	fp_cache_release_free();
}
