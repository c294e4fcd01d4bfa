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
 */
#include <anon.h>
#include <as.h>
#include <stdlib.h>
#include <string.h>

#include "fpager.h"

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
	uintptr_t page;
	rc = as_area_create_anon(0, PAGE_SIZE, AS_AREA_READ | AS_AREA_WRITE, &page);
	if (rc == EOK)
		memcpy((void *) page, fp_slot_page(s), PAGE_SIZE);
	fp_cache_unpin(s);
	if (rc != EOK)
		return rc;
	lock_acquire(&fp_lock);
	uint8_t *have = fp_priv_get(w, idx);
	if (!have)
		rc = fp_priv_insert(w, idx, (uint8_t *) page);
	if (rc == EOK && !have) {
		while (pager_object_revoke(w->id, idx * PAGE_SIZE, PAGE_SIZE) == ENOMEM)
			;
		have = (uint8_t *) page;
		page = 0;
	}
	if (rc == EOK)
		(void) pager_supply(pf->call, (uintptr_t) have, 1, fp_priv_rights(pf, true));
	lock_release(&fp_lock);
	if (page)
		as_area_destroy(page); /* another fault copied it first, or no room */
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
		as_area_destroy((uintptr_t) w->priv[k].page);
	memmove(&w->priv[i], &w->priv[j], (w->priv_count - j) * sizeof(w->priv[0]));
	w->priv_count -= j - i;
	lock_release(&fp_lock);
}

void fp_map_private_free(fp_view_t *w)
{
	for (uint32_t k = 0; k < w->priv_count; k++)
		as_area_destroy((uintptr_t) w->priv[k].page);
	free(w->priv);
	w->priv = NULL;
	w->priv_count = w->priv_cap = 0;
}
