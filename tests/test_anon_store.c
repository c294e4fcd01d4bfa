/*
 * Host unit test of the anon pager's page store and object tables
 * (uspace/srv/pager/anon/store.c, object.c).
 *
 * The store gets its memory with area calls; here they act on a model
 * address space (a sorted array of areas with the kernel's rules for
 * create, resize and unmap, no memory behind them), so after every step
 * the test can check that the live blocks lie in areas and never overlap,
 * that the areas hold exactly the live blocks' pages (everything else was
 * given back) and that the store keeps few areas.  A failure can be
 * injected into the next area call (the kernel out of memory).
 *
 * The reference counts: a page shared by 65,537 objects (65,536 clones)
 * must count 65,537, never wrap (16-bit counts wrapped to 1 there, and the
 * pager took the page for private: copy-on-write broke).  Built a second
 * time with ANON_PAGE_REFS_MAX=100, the test checks that a clone that
 * would pass the limit is refused with ELIMIT and changes no count, also
 * when the refused page comes after pages it already took.
 *
 * Discarding (ANON_DISCARD's part in object.c): exactly the range's pages
 * go, a clone keeps its references, empty chunks are freed.
 */
#include "anon_priv.h"
#include <as.h>
#include <lib/prng.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define PS ((uintptr_t) PAGE_SIZE)
#define MODEL_AREAS 8192
#define MODEL_FLOOR 0x10000UL
#define MODEL_TOP (1UL << 47)

/* ---- the model address space ---- */

typedef struct model_area {
	uintptr_t base, end;
} model_area_t;

static model_area_t areas[MODEL_AREAS];
static size_t nareas;
static errno_t fail_next; /* the next area call fails with this */
static size_t calls;

static bool model_fail(errno_t *rc)
{
	calls++;
	*rc = fail_next;
	fail_next = EOK;
	return *rc != EOK;
}

static void model_insert(uintptr_t base, uintptr_t end)
{
	size_t i = 0;
	while (i < nareas && areas[i].base < base)
		i++;
	if (nareas == MODEL_AREAS)
		abort();
	memmove(&areas[i + 1], &areas[i], (nareas - i) * sizeof(areas[0]));
	areas[i] = (model_area_t){ base, end };
	nareas++;
}

static void model_remove(size_t i)
{
	memmove(&areas[i], &areas[i + 1], (nareas - i - 1) * sizeof(areas[0]));
	nareas--;
}

static bool model_fit(uintptr_t from, size_t size, uintptr_t *out)
{
	uintptr_t a = from;
	for (size_t i = 0; i < nareas; i++) {
		if (areas[i].end <= a)
			continue;
		if (areas[i].base >= a + size)
			break;
		a = areas[i].end;
	}
	*out = a;
	return a + size <= MODEL_TOP;
}

errno_t as_area_create(uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out)
{
	errno_t rc;
	uintptr_t a;
	(void) flags;
	if (model_fail(&rc))
		return rc;
	if (size == 0 || size % PS != 0)
		return EINVAL;
	if (!model_fit(base > MODEL_FLOOR ? base : MODEL_FLOOR, size, &a) &&
	    !model_fit(MODEL_FLOOR, size, &a))
		return ENOMEM;
	model_insert(a, a + size);
	*base_out = a;
	return EOK;
}

errno_t as_area_resize(uintptr_t base, size_t new_size)
{
	errno_t rc;
	if (model_fail(&rc))
		return rc;
	for (size_t i = 0; i < nareas; i++) {
		if (areas[i].base != base)
			continue;
		uintptr_t end = base + new_size;
		if (i + 1 < nareas && areas[i + 1].base < end)
			return EEXIST;
		if (end > MODEL_TOP)
			return EINVAL;
		areas[i].end = end;
		return EOK;
	}
	return ENOENT;
}

errno_t as_area_unmap(uintptr_t addr, size_t size)
{
	errno_t rc;
	uintptr_t end = addr + size;
	if (model_fail(&rc))
		return rc;
	for (size_t i = 0; i < nareas;) {
		model_area_t a = areas[i];
		if (a.end <= addr || a.base >= end) {
			i++;
			continue;
		}
		model_remove(i);
		if (a.base < addr)
			model_insert(a.base, addr);
		if (a.end > end)
			model_insert(end, a.end);
		i = 0; /* simple: start over (few areas) */
		while (i < nareas && areas[i].end <= addr)
			i++;
	}
	return EOK;
}

static uint64_t model_bytes(void)
{
	uint64_t n = 0;
	for (size_t i = 0; i < nareas; i++)
		n += areas[i].end - areas[i].base;
	return n;
}

/* ---- the store ---- */

#define MAX_BLOCKS 4096

static anon_block_t *live[MAX_BLOCKS];
static size_t nlive;

static int block_cmp(const void *x, const void *y)
{
	uintptr_t a = (*(anon_block_t *const *) x)->base, b = (*(anon_block_t *const *) y)->base;
	return a < b ? -1 : a > b;
}

/* Every live block lies in areas, none overlaps another, and the areas
 * hold exactly the live blocks' pages (plus @a held pages kept back). */
static bool store_ok(uint64_t held)
{
	static anon_block_t *sorted[MAX_BLOCKS];
	uint64_t pages = 0;
	uintptr_t prev_end = 0;
	size_t k = 0;
	store_stats_t st;
	memcpy(sorted, live, nlive * sizeof(live[0]));
	qsort(sorted, nlive, sizeof(sorted[0]), block_cmp);
	for (size_t i = 0; i < nlive; i++) {
		uintptr_t a = sorted[i]->base, e = store_page_addr(sorted[i], sorted[i]->pages);
		TAP_CHECK(a >= prev_end); /* no overlap */
		prev_end = e;
		while (k < nareas && areas[k].end <= a)
			k++;
		for (size_t j = k; a < e; j++) { /* [a, e) inside areas */
			TAP_CHECK(j < nareas && areas[j].base <= a);
			a = areas[j].end;
		}
		pages += sorted[i]->pages;
	}
	store_stats(&st);
	TAP_CHECK_EQ(st.pages, pages);
	TAP_CHECK_EQ(st.blocks, nlive);
	TAP_CHECK_EQ(model_bytes(), (pages + held) * PS);
	return true;
}

static bool block_new(unsigned pages)
{
	anon_block_t *b;
	TAP_CHECK_EQ(store_block_new(pages, &b), EOK);
	for (unsigned k = 0; k < pages; k++)
		store_page_take(b, k);
	live[nlive++] = b;
	return true;
}

/* Drop every page of live block @a i: the block goes. */
static void block_drop(size_t i)
{
	anon_block_t *b = live[i];
	live[i] = live[--nlive];
	for (unsigned k = b->pages; k-- > 0;)
		store_page_put(b, k);
}

static bool test_sequential(void)
{
	for (int i = 0; i < 1024; i++)
		TAP_CHECK(block_new(ANON_RUN));
	TAP_CHECK(store_ok(0));
	tap_diag("1024 blocks of %u pages: %zu areas, %zu area calls", ANON_RUN, nareas, calls);
	TAP_CHECK(nareas <= 2);
	prng_t p;
	prng_seed(&p, 7);
	while (nlive > 0) {
		block_drop(prng_below(&p, nlive));
		TAP_CHECK(store_ok(0));
	}
	TAP_CHECK_EQ(nareas, 0);
	return true;
}

#define MAX_FOREIGN 64

static uintptr_t foreign[MAX_FOREIGN]; /* one-page areas of someone else */
static size_t nforeign;

static size_t model_index(uintptr_t base)
{
	for (size_t i = 0; i < nareas; i++) {
		if (areas[i].base == base)
			return i;
	}
	abort();
}

/* Blocks of every size made and dropped at random, with areas of someone
 * else appearing right where the store would grow and going again. */
static bool test_random(void)
{
	prng_t p;
	size_t peak = 0, made = 0;
	prng_seed(&p, 0x5eed);
	for (int op = 0; op < 20000; op++) {
		unsigned k = (unsigned) prng_below(&p, 20);
		if (k < 10 && nlive < MAX_BLOCKS) {
			TAP_CHECK(block_new(1 + (unsigned) prng_below(&p, ANON_RUN)));
			made++;
		} else if (k < 18 && nlive > 0) {
			block_drop(prng_below(&p, nlive));
		} else if (k == 18 && nareas > 0 && nforeign < MAX_FOREIGN) {
			uintptr_t e = areas[nareas - 1].end;
			model_insert(e, e + PS);
			foreign[nforeign++] = e;
		} else if (k == 19 && nforeign > 0) {
			size_t i = prng_below(&p, nforeign);
			model_remove(model_index(foreign[i]));
			foreign[i] = foreign[--nforeign];
		}
		TAP_CHECK(store_ok(nforeign));
		peak = nareas - nforeign > peak ? nareas - nforeign : peak;
	}
	tap_diag("%zu blocks made, %zu live at the end, at most %zu areas of the store", made,
	    nlive, peak);
	while (nlive > 0)
		block_drop(nlive - 1);
	while (nforeign > 0)
		model_remove(model_index(foreign[--nforeign]));
	TAP_CHECK(store_ok(0));
	TAP_CHECK_EQ(nareas, 0);
	return true;
}

/* The kernel cannot unmap a dead block (no memory for a split): the block
 * keeps its pages and goes when the next block dies; a failed growth or
 * area fails only that block. */
static bool test_failures(void)
{
	for (int i = 0; i < 3; i++)
		TAP_CHECK(block_new(4));
	anon_block_t *mid = live[1];
	fail_next = ENOMEM;
	block_drop(1);
	TAP_CHECK(store_ok(mid->pages));
	block_drop(0);
	TAP_CHECK(store_ok(0));
	fail_next = ENOMEM;
	anon_block_t *b;
	TAP_CHECK_EQ(store_block_new(2, &b), ENOMEM);
	TAP_CHECK(store_ok(0));
	TAP_CHECK_EQ(store_block_new(0, &b), EINVAL);
	TAP_CHECK_EQ(store_block_new(ANON_RUN + 1, &b), EINVAL);
	block_drop(0);
	TAP_CHECK(store_ok(0));
	TAP_CHECK_EQ(nareas, 0);
	return true;
}

/* Copy-on-write copies take single fresh pages of one shared block. */
static bool test_copy_pages(void)
{
	anon_block_t *b[ANON_RUN + 1];
	unsigned pg[ANON_RUN + 1];
	for (unsigned i = 0; i <= ANON_RUN; i++)
		TAP_CHECK_EQ(store_page_alloc(&b[i], &pg[i]), EOK);
	for (unsigned i = 1; i < ANON_RUN; i++)
		TAP_CHECK(b[i] == b[0] && pg[i] == i);
	TAP_CHECK(b[ANON_RUN] != b[0] && pg[ANON_RUN] == 0);
	store_stats_t st;
	store_stats(&st);
	TAP_CHECK(st.blocks == 2 && st.pages == 2 * ANON_RUN && st.used_pages == ANON_RUN + 1);
	for (unsigned i = 0; i <= ANON_RUN; i++)
		store_page_put(b[i], pg[i]);
	store_stats(&st);
	TAP_CHECK(st.blocks == 0 && st.pages == 0 && st.used_pages == 0);
	TAP_CHECK_EQ(nareas, 0);
	return true;
}

/* ---- reference counts ---- */

/* An object whose chunk @a index has page 0 of a new one-page block. */
static anon_obj_t *obj_with_page(uint64_t index, anon_block_t **bp)
{
	anon_obj_t *o = anon_obj_new();
	anon_chunk_t *c = o ? anon_chunk_get(o, index, true) : NULL;
	if (!c || store_block_new(1, bp) != EOK)
		abort();
	c->slot[0] = (anon_slot_t){ *bp, 0 };
	store_page_take(*bp, 0);
	return o;
}

#if ANON_PAGE_REFS_MAX > 65536
#define CLONES 65536

/* 65,536 clones: the page is used by 65,537 objects and says so. */
static bool test_refs_no_wrap(void)
{
	static anon_obj_t *clone[CLONES];
	anon_block_t *b;
	anon_obj_t *o = obj_with_page(0, &b);
	for (size_t i = 0; i < CLONES; i++) {
		clone[i] = anon_obj_new();
		TAP_CHECK(clone[i] != NULL);
		TAP_CHECK_EQ(anon_obj_clone(o, clone[i]), EOK);
	}
	anon_slot_t s = anon_chunk_get(clone[CLONES - 1], 0, false)->slot[0];
	TAP_CHECK_EQ(store_page_refs(b, 0), CLONES + 1);
	TAP_CHECK(anon_slot_refs(&s) > 1); /* a write through it copies */
	for (size_t i = 0; i < CLONES; i++)
		anon_obj_free(clone[i]);
	TAP_CHECK_EQ(store_page_refs(b, 0), 1);
	anon_obj_free(o);
	TAP_CHECK_EQ(nareas, 0);
	return true;
}
#else
#define CLONES (ANON_PAGE_REFS_MAX - 1)

/* At the limit a clone is refused and changes no count: also when it has
 * taken references to other pages of the object first. */
static bool test_refs_limit(void)
{
	static anon_obj_t *clone[CLONES];
	anon_block_t *shared, *own;
	anon_obj_t *x = obj_with_page(2, &shared);
	anon_obj_t *y = obj_with_page(0, &own), *n;
	anon_chunk_t *c = anon_chunk_get(y, 2, true);
	TAP_CHECK(c != NULL);
	TAP_CHECK_EQ(store_page_share(shared, 0), EOK); /* y uses x's page too */
	c->slot[0] = (anon_slot_t){ shared, 0 };
	for (size_t i = 0; i + 1 < CLONES; i++) {
		clone[i] = anon_obj_new();
		TAP_CHECK_EQ(anon_obj_clone(x, clone[i]), EOK);
	}
	TAP_CHECK_EQ(store_page_refs(shared, 0), ANON_PAGE_REFS_MAX);
	n = anon_obj_new();
	TAP_CHECK_EQ(anon_obj_clone(x, n), ELIMIT);
	anon_obj_free(n);
	n = anon_obj_new();
	TAP_CHECK_EQ(anon_obj_clone(y, n), ELIMIT);
	anon_obj_free(n);
	TAP_CHECK_EQ(store_page_refs(shared, 0), ANON_PAGE_REFS_MAX);
	TAP_CHECK_EQ(store_page_refs(own, 0), 1);
	TAP_CHECK_EQ(store_page_share(shared, 0), ELIMIT);
	anon_obj_free(clone[0]); /* one fewer: a clone fits again */
	clone[0] = anon_obj_new();
	TAP_CHECK_EQ(anon_obj_clone(y, clone[0]), EOK);
	TAP_CHECK_EQ(store_page_refs(own, 0), 2);
	for (size_t i = 0; i + 1 < CLONES; i++)
		anon_obj_free(clone[i]);
	anon_obj_free(x);
	anon_obj_free(y);
	TAP_CHECK_EQ(nareas, 0);
	return true;
}
#endif

/* ---- discarding ---- */

/* An object whose chunks [0, chunks) have every page, one block each. */
static anon_obj_t *obj_filled(uint64_t chunks)
{
	anon_obj_t *o = anon_obj_new();
	for (uint64_t i = 0; o && i < chunks; i++) {
		anon_chunk_t *c = anon_chunk_get(o, i, true);
		anon_block_t *b;
		if (!c || store_block_new(ANON_RUN, &b) != EOK)
			abort();
		for (unsigned k = 0; k < ANON_RUN; k++) {
			c->slot[k] = (anon_slot_t){ b, k };
			store_page_take(b, k);
		}
	}
	return o;
}

static uint64_t used_pages(void)
{
	store_stats_t st;
	store_stats(&st);
	return st.used_pages;
}

/* Discarding drops exactly the range's pages (a clone keeps its own
 * references to them), clears the zero pages handed out there, frees the
 * chunks left empty, and works by index or by walking the chunks. */
static bool test_discard(void)
{
	const uint64_t C = ANON_CHUNK_SIZE;
	anon_obj_t *o = obj_filled(4), *clone = anon_obj_new();
	TAP_CHECK_EQ(anon_obj_clone(o, clone), EOK);
	TAP_CHECK_EQ(used_pages(), 4 * ANON_RUN);
	anon_chunk_get(o, 5, true)->zero_out = 0x00f0; /* zero pages out in chunk 5 */
	/* pages 3 .. 20: the end of chunk 0, the start of chunk 1 */
	anon_obj_discard(o, 3 * PS, 18 * PS);
	anon_chunk_t *c0 = anon_chunk_get(o, 0, false), *c1 = anon_chunk_get(o, 1, false);
	TAP_CHECK(c0 && c1);
	for (unsigned k = 0; k < ANON_RUN; k++) {
		TAP_CHECK_EQ(c0->slot[k].block != NULL, k < 3);
		TAP_CHECK_EQ(c1->slot[k].block != NULL, k >= 5);
	}
	TAP_CHECK_EQ(used_pages(), 4 * ANON_RUN); /* the clone still uses them */
	anon_chunk_t *k0 = anon_chunk_get(clone, 0, false);
	TAP_CHECK(k0 && k0->slot[4].block && anon_slot_refs(&k0->slot[4]) == 1);
	anon_obj_free(clone);
	TAP_CHECK_EQ(used_pages(), 4 * ANON_RUN - 18);
	/* chunk 2 whole and half of chunk 5's zero pages: chunk 2 goes */
	anon_obj_discard(o, 2 * C, C);
	TAP_CHECK(anon_chunk_get(o, 2, false) == NULL);
	anon_obj_discard(o, 5 * C + 4 * PS, 2 * PS);
	TAP_CHECK_EQ(anon_chunk_get(o, 5, false)->zero_out, 0x00c0);
	TAP_CHECK_EQ(used_pages(), 4 * ANON_RUN - 18 - ANON_RUN);
	/* a range far larger than the object: the chunks are walked; all go */
	anon_obj_discard(o, 0, UINT64_MAX - PS + 1);
	for (uint64_t i = 0; i < 8; i++)
		TAP_CHECK(anon_chunk_get(o, i, false) == NULL);
	TAP_CHECK_EQ(o->nchunks, 0);
	TAP_CHECK_EQ(used_pages(), 0);
	anon_obj_discard(o, 0, 0);
	anon_obj_free(o);
	TAP_CHECK_EQ(nareas, 0);
	return true;
}

static const tap_case_t cases[] = {
	{ "1024 blocks of 16 pages: at most 2 areas, all memory back", test_sequential },
	{ "random blocks, foreign areas in the way: blocks in areas, memory back", test_random },
	{ "the kernel refuses an unmap or a growth", test_failures },
	{ "copy-on-write pages from one shared block", test_copy_pages },
#if ANON_PAGE_REFS_MAX > 65536
	{ "65,536 clones: a page counts 65,537 users, no wrap", test_refs_no_wrap },
#else
	{ "clones at the reference limit: ELIMIT, no count changed", test_refs_limit },
#endif
	{ "discard a range of an object's pages", test_discard },
};

int main(void)
{
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
