/*
 * fpager: private views (MAP_PRIVATE), copy-on-write from the cache.
 *
 * A private view answers a load with the cache's page, read-only, so it
 * sees the file (and every write() to it) until it stores to that page.
 * A store copies the cache's page into a page of the view's own (an
 * anonymous page of the pager's), revokes the page from every area of the
 * view (its pieces and shared copies), and maps the copy writable; from
 * then on the view has its own page there and sees no later change of the
 * file at that page.  Its stores never reach the file.  The view's own
 * pages are a sorted array (fp_view_t.priv), under fp_lock; they go with
 * the view, or with MADV_DONTNEED (the page reads the file again).
 *
 * Their memory: chunks of FP_PRIV_CHUNK pages of the pager's anonymous
 * memory (one area each, not one per page: the pager's areas are
 * bounded), pages handed out from a free stack; a freed page's frame goes
 * back at once (MADV_DONTNEED).  All private views together own at most
 * FP_PRIV_MAX pages: a store beyond that fails with ENOMEM.
 *
 * The anon pager gives a frame back only with the whole block of pages
 * it was filled in, and a store to one page may fill free neighbours
 * too (our stack hands pages out downwards, as a stack grows: anon.c
 * fills below the page for that); neither crosses a group of
 * FP_PRIV_GROUP pages (its chunk).  So a page's own MADV_DONTNEED leaves
 * frames behind while another page of its group is used -- before this,
 * a few a run of spawns, whenever two views' pages had been in use at
 * once (the loader suite's hw_loader_many missed them) -- and when the
 * last used page of a group goes, the whole group is given up.  The
 * count of used pages per group is kept with the chunk.
 */
#include <anon.h>
#include <as.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fpager.h"

#define FP_PRIV_CHUNK 256u /* pages: 1 MiB an area */
#define FP_PRIV_MAX 65536u /* pages: 256 MiB */
#define FP_PRIV_GROUP 16u /* pages: the anon pager's chunk (ANON_RUN) */
#define FP_PRIV_GROUPS (FP_PRIV_CHUNK / FP_PRIV_GROUP)

typedef struct fp_priv_chunk {
	uint8_t *base;
	uint8_t used[FP_PRIV_GROUPS]; /* pages handed out, per group */
} fp_priv_chunk_t;

/* The free private pages and the chunks (fp_priv_lock; taken after
 * fp_lock; held across a group's MADV_DONTNEED, so no page of the group
 * is handed out and stored to meanwhile). */
static lock_t fp_priv_lock = LOCK_INITIALIZER;
static uint8_t **fp_priv_stack; /* room for every page of every chunk */
static size_t fp_priv_nfree, fp_priv_total;
static fp_priv_chunk_t fp_priv_chunks[FP_PRIV_MAX / FP_PRIV_CHUNK];

/* A chunk more: its pages on the free stack.  False: no memory or the
 * limit. */
static bool fp_priv_grow(void)
{
	lock_acquire(&fp_priv_lock);
	size_t total = fp_priv_total;
	lock_release(&fp_priv_lock);
	if (total + FP_PRIV_CHUNK > FP_PRIV_MAX)
		return false;
	uint8_t *chunk = mmap(NULL, (size_t) FP_PRIV_CHUNK * PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (chunk == MAP_FAILED)
		return false;
	lock_acquire(&fp_priv_lock);
	uint8_t **stack = NULL;
	if (fp_priv_total + FP_PRIV_CHUNK <= FP_PRIV_MAX) /* (another thread grew it) */
		stack = realloc(fp_priv_stack, (fp_priv_total + FP_PRIV_CHUNK) * sizeof(*stack));
	if (stack) {
		fp_priv_stack = stack;
		for (size_t k = 0; k < FP_PRIV_CHUNK; k++)
			stack[fp_priv_nfree++] = chunk + k * PAGE_SIZE;
		fp_priv_chunks[fp_priv_total / FP_PRIV_CHUNK] = (fp_priv_chunk_t){ .base = chunk };
		fp_priv_total += FP_PRIV_CHUNK;
	}
	lock_release(&fp_priv_lock);
	if (!stack)
		munmap(chunk, (size_t) FP_PRIV_CHUNK * PAGE_SIZE);
	return stack != NULL;
}

/* The chunk of page @a p and the index of its group in it (fp_priv_lock
 * held); NULL never happens (every page handed out is of a chunk). */
static fp_priv_chunk_t *fp_priv_group_of(const uint8_t *p, size_t *group)
{
	for (size_t c = 0; c < fp_priv_total / FP_PRIV_CHUNK; c++) {
		fp_priv_chunk_t *k = &fp_priv_chunks[c];
		if (p >= k->base && p < k->base + (size_t) FP_PRIV_CHUNK * PAGE_SIZE) {
			*group = (size_t) (p - k->base) / PAGE_SIZE / FP_PRIV_GROUP;
			return k;
		}
	}
	return NULL;
}

/* A page of private memory; NULL: none (ENOMEM for the store). */
static uint8_t *fp_priv_page_alloc(void)
{
	for (unsigned tries = 0; tries < 2; tries++) {
		lock_acquire(&fp_priv_lock);
		uint8_t *p = fp_priv_nfree ? fp_priv_stack[--fp_priv_nfree] : NULL;
		size_t g;
		fp_priv_chunk_t *k = p ? fp_priv_group_of(p, &g) : NULL;
		if (k)
			k->used[g]++;
		lock_release(&fp_priv_lock);
		if (p || !fp_priv_grow())
			return p;
	}
	return NULL;
}

/* The page's frame goes back (its group's, if it was the group's last
 * used page); the page is free again. */
static void fp_priv_page_free(uint8_t *p)
{
	size_t g, len = PAGE_SIZE;
	lock_acquire(&fp_priv_lock);
	fp_priv_chunk_t *k = fp_priv_group_of(p, &g);
	uint8_t *from = p;
	if (k && --k->used[g] == 0) {
		from = k->base + g * FP_PRIV_GROUP * PAGE_SIZE;
		len = (size_t) FP_PRIV_GROUP * PAGE_SIZE;
	}
	(void) madvise(from, len, MADV_DONTNEED);
	fp_priv_stack[fp_priv_nfree++] = p;
	lock_release(&fp_priv_lock);
}

typedef struct fp_priv_page {
	uint64_t idx;
	uint8_t *page;
} fp_priv_page_t;

/* Where page @a idx is or would go in the array (fp_lock held). */
static uint32_t fp_priv_find(const fp_view_t *w, uint64_t idx)
{
	uint32_t lo = 0, hi = w->priv_count;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (w->priv[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint8_t *fp_priv_get(const fp_view_t *w, uint64_t idx)
{
	uint32_t i = fp_priv_find(w, idx);
	return i < w->priv_count && w->priv[i].idx == idx ? w->priv[i].page : NULL;
}

static errno_t fp_priv_insert(fp_view_t *w, uint64_t idx, uint8_t *page)
{
	if (w->priv_count == w->priv_cap) {
		uint32_t cap = w->priv_cap ? w->priv_cap * 2 : 16;
		fp_priv_page_t *n = realloc(w->priv, cap * sizeof(*n));
		if (!n)
			return ENOMEM;
		w->priv = n;
		w->priv_cap = cap;
	}
	uint32_t i = fp_priv_find(w, idx);
	memmove(&w->priv[i + 1], &w->priv[i], (w->priv_count - i) * sizeof(w->priv[0]));
	w->priv[i] = (fp_priv_page_t){ .idx = idx, .page = page };
	w->priv_count++;
	return EOK;
}

static unsigned fp_priv_rights(const pager_fault_t *pf, bool own)
{
	unsigned area = PAGE_IN_RIGHTS(pf->hints);
	unsigned r = AS_AREA_READ | (own ? AS_AREA_WRITE : 0) | AS_AREA_EXEC;
	return r & area;
}

/* A store to a page the view does not own yet: copy the cache's page. */
static errno_t fp_priv_copy(pager_fault_t *pf, fp_view_t *w, uint64_t idx)
{
	int32_t s;
	errno_t rc = fp_map_page(w->file, idx, 1, false, &s);
	if (rc != EOK)
		return rc;
	uint8_t *page = fp_priv_page_alloc();
	if (!page)
		rc = ENOMEM;
	if (rc == EOK)
		memcpy(page, fp_slot_page(s), PAGE_SIZE);
	fp_cache_unpin(s);
	if (rc != EOK)
		return rc;
	lock_acquire(&fp_lock);
	uint8_t *have = fp_priv_get(w, idx);
	if (!have)
		rc = fp_priv_insert(w, idx, page);
	if (rc == EOK && !have) {
		while (pager_object_revoke(w->id, idx * PAGE_SIZE, PAGE_SIZE) == ENOMEM)
			;
		have = page;
		page = NULL;
	}
	if (rc == EOK)
		(void) pager_supply(pf->call, (uintptr_t) have, 1, fp_priv_rights(pf, true));
	lock_release(&fp_lock);
	if (page)
		fp_priv_page_free(page); /* another fault copied it first, or no room */
	return rc;
}

void fp_map_private_fault(pager_fault_t *pf, fp_view_t *w)
{
	uint64_t idx = pf->offset / PAGE_SIZE;
	lock_acquire(&fp_lock);
	uint8_t *own = fp_priv_get(w, idx);
	if (own)
		(void) pager_supply(pf->call, (uintptr_t) own, 1, fp_priv_rights(pf, true));
	lock_release(&fp_lock);
	if (own)
		return;
	errno_t rc;
	if (pf->access == FAULT_ACCESS_WRITE) {
		rc = fp_priv_copy(pf, w, idx);
	} else {
		int32_t s;
		rc = fp_map_page(w->file, idx, pf->pages, w->sequential, &s);
		if (rc == EOK) {
			(void) pager_supply(
			    pf->call, (uintptr_t) fp_slot_page(s), 1, fp_priv_rights(pf, false));
			fp_cache_unpin(s);
		}
	}
	if (rc != EOK)
		pager_fail(pf->call, rc);
}

/* MADV_DONTNEED: the view's own pages in the range go. */
void fp_map_private_discard(fp_view_t *w, uint64_t off, uint64_t len)
{
	uint64_t first = off / PAGE_SIZE, end = (off + len + PAGE_SIZE - 1) / PAGE_SIZE;
	lock_acquire(&fp_lock);
	uint32_t i = fp_priv_find(w, first), j = i;
	while (j < w->priv_count && w->priv[j].idx < end)
		j++;
	if (j > i)
		while (pager_object_revoke(w->id, first * PAGE_SIZE, (end - first) * PAGE_SIZE) ==
		    ENOMEM)
			;
	for (uint32_t k = i; k < j; k++)
		fp_priv_page_free(w->priv[k].page);
	memmove(&w->priv[i], &w->priv[j], (w->priv_count - j) * sizeof(w->priv[0]));
	w->priv_count -= j - i;
	lock_release(&fp_lock);
}

void fp_map_private_free(fp_view_t *w)
{
	for (uint32_t k = 0; k < w->priv_count; k++)
		fp_priv_page_free(w->priv[k].page);
	free(w->priv);
	w->priv = NULL;
	w->priv_count = w->priv_cap = 0;
}
