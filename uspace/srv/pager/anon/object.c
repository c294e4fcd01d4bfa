/*
 * The anon pager's objects: a page table per object, as a hash of chunks
 * (ANON_RUN pages each) keyed by chunk index, so a sparse object (a heap
 * far from its start, a stack at the top of a big area) costs only the
 * chunks touched.  The table doubles when chains grow long.  Callers hold
 * the object's lock (except on a new or dying object, which nobody else
 * sees).
 */
#include "anon_priv.h"
#include <stdlib.h>
#include <string.h>

#define OBJ_BUCKETS_INITIAL 8

static size_t obj_hash(uint64_t index, size_t nbuckets)
{
	return (size_t) ((index * 0x9e3779b97f4a7c15ULL) >> 32) & (nbuckets - 1);
}

anon_obj_t *anon_obj_new(void)
{
	anon_obj_t *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->buckets = calloc(OBJ_BUCKETS_INITIAL, sizeof(*o->buckets));
	if (!o->buckets) {
		free(o);
		return NULL;
	}
	o->nbuckets = OBJ_BUCKETS_INITIAL;
	return o;
}

static void obj_chunk_release(anon_chunk_t *c)
{
	for (unsigned k = 0; k < ANON_RUN; k++) {
		if (c->slot[k].block)
			store_page_put(c->slot[k].block, c->slot[k].page);
	}
	free(c);
}

void anon_obj_free(anon_obj_t *o)
{
	for (size_t b = 0; b < o->nbuckets; b++) {
		while (o->buckets[b]) {
			anon_chunk_t *c = o->buckets[b];
			o->buckets[b] = c->next;
			obj_chunk_release(c);
		}
	}
	free(o->buckets);
	free(o);
}

/* Double the hash table; on ENOMEM the chains just stay longer. */
static void obj_rehash(anon_obj_t *o)
{
	size_t n = o->nbuckets * 2;
	anon_chunk_t **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (size_t b = 0; b < o->nbuckets; b++) {
		while (o->buckets[b]) {
			anon_chunk_t *c = o->buckets[b];
			o->buckets[b] = c->next;
			size_t h = obj_hash(c->index, n);
			c->next = nb[h];
			nb[h] = c;
		}
	}
	free(o->buckets);
	o->buckets = nb;
	o->nbuckets = n;
}

static void obj_chunk_insert(anon_obj_t *o, anon_chunk_t *c)
{
	if (o->nchunks >= 2 * o->nbuckets)
		obj_rehash(o);
	size_t h = obj_hash(c->index, o->nbuckets);
	c->next = o->buckets[h];
	o->buckets[h] = c;
	o->nchunks++;
	uint64_t end = (c->index + 1) * ANON_CHUNK_SIZE;
	if (end > o->extent)
		o->extent = end;
}

anon_chunk_t *anon_chunk_get(anon_obj_t *o, uint64_t index, bool create)
{
	anon_chunk_t *c = o->buckets[obj_hash(index, o->nbuckets)];
	while (c && c->index != index)
		c = c->next;
	if (c || !create)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->index = index;
	obj_chunk_insert(o, c);
	return c;
}

/* The link that points at chunk @a index (or the NULL ending its chain). */
static anon_chunk_t **obj_chunk_link(anon_obj_t *o, uint64_t index)
{
	anon_chunk_t **pp = &o->buckets[obj_hash(index, o->nbuckets)];
	while (*pp && (*pp)->index != index)
		pp = &(*pp)->next;
	return pp;
}

static bool obj_chunk_empty(const anon_chunk_t *c)
{
	if (c->zero_out)
		return false;
	for (unsigned k = 0; k < ANON_RUN; k++) {
		if (c->slot[k].block)
			return false;
	}
	return true;
}

/* Drop the pages of the chunk at *pp that [off, end) covers; a chunk left
 * with nothing goes (*pp then points at the next one of the chain). */
static void obj_chunk_discard(anon_obj_t *o, anon_chunk_t **pp, uint64_t off, uint64_t end)
{
	anon_chunk_t *c = *pp;
	uint64_t base = c->index * ANON_CHUNK_SIZE;
	unsigned lo = off > base ? (unsigned) ((off - base) / PAGE_SIZE) : 0;
	unsigned hi = end - base < ANON_CHUNK_SIZE ? (unsigned) ((end - base) / PAGE_SIZE)
	                                           : ANON_RUN;
	for (unsigned k = lo; k < hi; k++) {
		if (c->slot[k].block)
			store_page_put(c->slot[k].block, c->slot[k].page);
		c->slot[k] = (anon_slot_t){ NULL, 0 };
		c->zero_out &= (uint16_t) ~(1u << k);
	}
	if (!obj_chunk_empty(c))
		return;
	*pp = c->next;
	o->nchunks--;
	free(c);
}

void anon_obj_discard(anon_obj_t *o, uint64_t off, uint64_t len)
{
	if (len == 0)
		return;
	uint64_t end = off + len, first = off / ANON_CHUNK_SIZE, last = (end - 1) / ANON_CHUNK_SIZE;
	if (last - first < o->nchunks) {
		for (uint64_t i = first; i <= last; i++) {
			anon_chunk_t **pp = obj_chunk_link(o, i);
			if (*pp)
				obj_chunk_discard(o, pp, off, end);
		}
		return;
	}
	/* more chunks in the range than in the object: visit the object's */
	for (size_t b = 0; b < o->nbuckets; b++) {
		anon_chunk_t **pp = &o->buckets[b];
		while (*pp) {
			anon_chunk_t *c = *pp;
			if (c->index >= first && c->index <= last)
				obj_chunk_discard(o, pp, off, end);
			if (*pp == c)
				pp = &c->next;
		}
	}
}

/* A copy of @a c sharing its pages (not the zero pages handed out: the
 * clone has no areas yet), or NULL with *rc set: ENOMEM, or ELIMIT when a
 * page's count is at its maximum (then no reference was taken). */
static anon_chunk_t *obj_chunk_share(const anon_chunk_t *c, errno_t *rc)
{
	anon_chunk_t *n = malloc(sizeof(*n));
	if (!n) {
		*rc = ENOMEM;
		return NULL;
	}
	memcpy(n->slot, c->slot, sizeof(n->slot));
	n->index = c->index;
	n->zero_out = 0;
	n->fills = c->fills;
	for (unsigned k = 0; k < ANON_RUN; k++) {
		if (!n->slot[k].block)
			continue;
		*rc = store_page_share(n->slot[k].block, n->slot[k].page);
		if (*rc == EOK)
			continue;
		while (k-- > 0) {
			if (n->slot[k].block)
				store_page_put(n->slot[k].block, n->slot[k].page);
		}
		free(n);
		return NULL;
	}
	return n;
}

errno_t anon_obj_clone(anon_obj_t *src, anon_obj_t *dst)
{
	errno_t rc = EOK;
	for (size_t b = 0; b < src->nbuckets; b++) {
		for (anon_chunk_t *c = src->buckets[b]; c; c = c->next) {
			anon_chunk_t *n = obj_chunk_share(c, &rc);
			if (!n)
				return rc;
			obj_chunk_insert(dst, n);
		}
	}
	return EOK;
}

unsigned anon_slot_refs(const anon_slot_t *s)
{
	return s->block ? store_page_refs(s->block, s->page) : 0;
}
