/*
 * anon: the anonymous-memory pager, a boot task on wired memory.
 *
 * Registers as "anon" with ns and serves its protocol (uspace/lib/c/
 * include/anon.h, docs/pager-abi.md) and the kernel's page-ins with
 * lib/pager.  The fault policy:
 *
 *  - A page never written is all zero.  A read of it is answered with the
 *    pager's zero pages, read-only, for as many untouched pages as the
 *    kernel wants (the chunk remembers which were handed out).
 *  - The first write to an untouched page gives a run of the chunk's
 *    untouched pages a block of memory (store.c), page by page in order,
 *    and revokes the zero pages handed out for that run, so every area of
 *    the object sees the new frames.  Which run (anon_fill_range): after
 *    zero pages were handed out (read, then write), every untouched page
 *    around the faulting one; when the kernel wants a full run (at least
 *    PAGER_RUN_MAX pages are unmapped ahead: a forward walk, a new heap),
 *    the pages it wants; when it wants fewer (the area ends or a mapped
 *    page follows: a stack growing down), the pages it wants plus
 *    untouched pages below, to a run that doubles with every block the
 *    chunk gets (1, 2, 4, 8, 16 pages).  So a thread's stack costs about
 *    the pages it touches, not a 64 KiB chunk, and a stack growing down
 *    costs five blocks per chunk, not an allocation per page.
 *  - A page used by one object only is private: a write is granted
 *    read/write; a read read-only (the area may not allow more; a later
 *    write faults again and is granted write then).
 *  - A page shared by several objects (a clone) is granted read-only; a
 *    write copies it into a fresh page of the writer and revokes the old
 *    one from the writer's areas (copy-on-write).
 *  - Answers are runs: the faulting page and the following pages of the
 *    object, across chunks, up to the pages wanted, while they are
 *    consecutive pages of the pager's memory with the same rights.  A run
 *    filled by one write is one block, so a fault in a populated chunk is
 *    answered with the whole run the kernel asked for.
 *
 * ANON_DISCARD drops a range of an object's pages (libc's munmap of part
 * of a private mapping, madvise(MADV_DONTNEED)): they are revoked from
 * every area of the object, their references dropped, and they read as
 * zeros again; a clone sharing them keeps its own references.
 *
 * Two areas bound to one object see the same frames: the object decides,
 * not the area.  ANON_CLONE makes the clone share every page and revokes
 * the source's mappings, so the source's next write also faults and
 * copies; a page may be shared by at most ANON_PAGE_REFS_MAX objects (a
 * clone past that is refused with ELIMIT, counts never wrap).  Each
 * object's work is under its lock; answers are sent under it too, so a
 * revoke never overtakes an answer for the same object.
 */
#include "anon_priv.h"
#include <anon.h>
#include <as.h>
#include <errno.h>
#include <ipc.h>
#include <pager.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>

/* The pager pages everybody; nothing may page it. */
bool libc_memory_wired = true;

#define ANON_THREADS 4
/* Grow the pager's own heap once at startup, so that serving faults does
 * not make it grow later (its frames would look like a client's leak). */
#define ANON_HEAP_RESERVE (512 * 1024)
#define ANON_R (AS_AREA_READ)
#define ANON_RW (AS_AREA_READ | AS_AREA_WRITE)
#define ANON_RX (AS_AREA_READ | AS_AREA_EXEC)

static uintptr_t anon_zero_base; /* ANON_RUN read-only zero pages */
static uint64_t anon_faults;
static uint64_t anon_cow_copies;

typedef struct anon_fault {
	pager_fault_t *f;
	anon_obj_t *o;
	anon_chunk_t *c;
	unsigned j; /* the faulting page in the chunk */
} anon_fault_t;

static void anon_count(uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

/* Bits lo .. hi - 1. */
static uint16_t anon_mask(unsigned lo, unsigned hi)
{
	return (uint16_t) (((1u << hi) - 1) & ~((1u << lo) - 1));
}

/* The rights page @a s can be granted for @a access.  A private page is
 * granted write at once when the area allows it (the page-in says so), so
 * a read followed by a write costs one fault, not two; a page shared with
 * a clone stays read-only until a write copies it. */
static unsigned anon_rights(const pager_fault_t *f, const anon_slot_t *s, unsigned access)
{
	unsigned area = PAGE_IN_RIGHTS(f->hints), rights;
	if (access == FAULT_ACCESS_EXEC)
		rights = ANON_RX;
	else if (anon_slot_refs(s) > 1)
		rights = ANON_R;
	else
		rights = access == FAULT_ACCESS_WRITE || (area & AS_AREA_WRITE) ? ANON_RW : ANON_R;
	/* never beyond the area's rights (a write-only or exec-only area):
	 * the kernel refuses more; the access's own right is always there */
	return rights & area;
}

/* Answer with the run that starts at the faulting page: the following
 * pages of the object (into the next chunks too) while they are the
 * following pages of the pager's memory with the same rights. */
static void anon_supply_run(const anon_fault_t *a)
{
	const pager_fault_t *f = a->f;
	const anon_chunk_t *c = a->c;
	const anon_slot_t *s = &c->slot[a->j];
	uintptr_t addr = store_page_addr(s->block, s->page);
	unsigned rights = anon_rights(f, s, f->access), k = a->j + 1;
	size_t n = 1;
	while (n < f->pages) {
		if (k == ANON_RUN) {
			c = anon_chunk_get(a->o, c->index + 1, false);
			k = 0;
			if (!c)
				break;
		}
		s = &c->slot[k++];
		if (!s->block || store_page_addr(s->block, s->page) != addr + n * PAGE_SIZE ||
		    anon_rights(f, s, f->access) != rights)
			break;
		n++;
	}
	if (pager_supply(f->call, addr, n, rights) == EOK)
		anon_count(&anon_faults);
}

/* A read (or exec) of an untouched page: the zero pages, read-only, for
 * the untouched pages from it on that the kernel wants. */
static void anon_supply_zero(const anon_fault_t *a)
{
	anon_chunk_t *c = a->c;
	unsigned hi = a->j + 1;
	while (hi < ANON_RUN && hi - a->j < a->f->pages && !c->slot[hi].block)
		hi++;
	c->zero_out |= anon_mask(a->j, hi);
	/* never writable, whatever the area allows; never beyond its rights */
	unsigned rights = (a->f->access == FAULT_ACCESS_EXEC ? ANON_RX : ANON_R) &
	    PAGE_IN_RIGHTS(a->f->hints);
	if (pager_supply(a->f->call, anon_zero_base, hi - a->j, rights) == EOK)
		anon_count(&anon_faults);
}

/* Revoke the zero pages handed out for the pages @a mask of the chunk
 * (they are replaced), one call per run of them. */
static void anon_zero_revoke(anon_fault_t *a, uint16_t mask)
{
	uint64_t id = a->f->object->id, base = a->c->index * ANON_CHUNK_SIZE;
	uint16_t out = a->c->zero_out & mask;
	a->c->zero_out &= (uint16_t) ~mask;
	for (unsigned k = 0; k < ANON_RUN;) {
		if (!(out & (1u << k))) {
			k++;
			continue;
		}
		unsigned e = k;
		while (e < ANON_RUN && (out & (1u << e)))
			e++;
		pager_object_revoke(
		    id, base + (uint64_t) k * PAGE_SIZE, (uint64_t) (e - k) * PAGE_SIZE);
		k = e;
	}
}

/* Give the untouched pages [lo, hi) of @a c one new block, in order. */
static errno_t anon_chunk_fill(anon_chunk_t *c, unsigned lo, unsigned hi)
{
	anon_block_t *b;
	errno_t rc = store_block_new(hi - lo, &b);
	if (rc != EOK)
		return rc;
	for (unsigned k = lo; k < hi; k++) {
		c->slot[k] = (anon_slot_t){ b, k - lo };
		store_page_take(b, k - lo);
	}
	if (c->fills < UINT8_MAX)
		c->fills++;
	return EOK;
}

/* Which untouched pages [*lo, *hi) around the faulting one a write fills
 * (the policy at the top of the file). */
static void anon_fill_range(const anon_fault_t *a, unsigned *lo, unsigned *hi)
{
	const anon_chunk_t *c = a->c;
	unsigned j = a->j, up = j + 1, down = j;
	while (up < ANON_RUN && !c->slot[up].block)
		up++;
	while (down > 0 && !c->slot[down - 1].block)
		down--;
	if (c->zero_out) {
		*lo = down;
		*hi = up;
		return;
	}
	*hi = a->f->pages < up - j ? j + (unsigned) a->f->pages : up;
	if (a->f->pages >= PAGER_RUN_MAX) {
		*lo = j;
		return;
	}
	/* the kernel wants few: the area ends or a mapped page follows */
	unsigned size = 1u << (c->fills < 4 ? c->fills : 4);
	unsigned below = size > *hi - j ? size - (*hi - j) : 0;
	*lo = j >= down + below ? j - below : down;
}

/* Write to a shared page: copy it into a page of our own. */
static errno_t anon_page_copy(anon_fault_t *a)
{
	anon_slot_t *s = &a->c->slot[a->j];
	anon_block_t *nb;
	unsigned np;
	errno_t rc = store_page_alloc(&nb, &np);
	if (rc != EOK)
		return rc;
	memcpy((void *) store_page_addr(nb, np), (const void *) store_page_addr(s->block, s->page),
	    PAGE_SIZE);
	store_page_put(s->block, s->page);
	*s = (anon_slot_t){ nb, np };
	pager_object_revoke(a->f->object->id,
	    a->c->index * ANON_CHUNK_SIZE + (uint64_t) a->j * PAGE_SIZE, PAGE_SIZE);
	anon_count(&anon_cow_copies);
	return EOK;
}

static errno_t anon_fault_locked(anon_fault_t *a)
{
	anon_slot_t *s = &a->c->slot[a->j];
	errno_t rc = EOK;
	if (a->f->access != FAULT_ACCESS_WRITE && !s->block) {
		anon_supply_zero(a);
		return EOK;
	}
	if (a->f->access == FAULT_ACCESS_WRITE && !s->block) {
		unsigned lo, hi;
		anon_fill_range(a, &lo, &hi);
		rc = anon_chunk_fill(a->c, lo, hi);
		if (rc == EOK)
			anon_zero_revoke(a, anon_mask(lo, hi));
	} else if (a->f->access == FAULT_ACCESS_WRITE && anon_slot_refs(s) > 1) {
		rc = anon_page_copy(a);
	}
	if (rc == EOK)
		anon_supply_run(a);
	return rc;
}

static void anon_page_in(pager_fault_t *f)
{
	anon_obj_t *o = f->object->data;
	anon_fault_t a = { .f = f, .o = o, .j = (unsigned) (f->offset / PAGE_SIZE % ANON_RUN) };
	errno_t rc = f->offset % PAGE_SIZE ? EINVAL : EOK;
	lock_acquire(&o->lock);
	if (rc == EOK) {
		a.c = anon_chunk_get(o, f->offset / ANON_CHUNK_SIZE, true);
		rc = a.c ? anon_fault_locked(&a) : ENOMEM;
	}
	if (rc != EOK)
		pager_fail(f->call, rc);
	lock_release(&o->lock);
}

static void anon_object_free(pager_object_t *obj)
{
	anon_obj_free(obj->data);
}

/* A new object for @a ev's client with state @a o; answers the call. */
static void anon_answer_object(ipc_event_t *ev, anon_obj_t *o)
{
	pager_object_t *obj;
	errno_t rc = pager_object_create(ev->conn, o, &obj);
	if (rc != EOK) {
		anon_obj_free(o);
		ipc_answer(ev->call, rc, NULL);
		return;
	}
	ipc_msg_t ans = IPC_MSG(0, obj->id);
	ipc_answer(ev->call, EOK, &ans);
	pager_object_put(obj);
}

/* Give the pages [off, off + len) of the new object @a o memory now (one
 * block per chunk they touch): ENOMEM, ELIMIT. */
static errno_t anon_obj_ready(anon_obj_t *o, uint64_t off, uint64_t len)
{
	while (len > 0) {
		anon_chunk_t *c = anon_chunk_get(o, off / ANON_CHUNK_SIZE, true);
		if (!c)
			return ENOMEM;
		unsigned lo = (unsigned) (off % ANON_CHUNK_SIZE / PAGE_SIZE);
		unsigned hi = ANON_RUN - lo < len / PAGE_SIZE ? ANON_RUN
		                                              : lo + (unsigned) (len / PAGE_SIZE);
		errno_t rc = anon_chunk_fill(c, lo, hi);
		if (rc != EOK)
			return rc;
		off += (uint64_t) (hi - lo) * PAGE_SIZE;
		len -= (uint64_t) (hi - lo) * PAGE_SIZE;
	}
	return EOK;
}

/* ANON_CREATE arg[0] offset, arg[1] length of the pages to give memory
 * now (0: none; at most ANON_READY_MAX bytes). */
static void anon_create_call(ipc_event_t *ev)
{
	uint64_t off = ev->msg.arg[0], len = ev->msg.arg[1];
	errno_t rc = EOK;
	if (off % PAGE_SIZE || len % PAGE_SIZE || len > ANON_READY_MAX || off > UINT64_MAX - len)
		rc = EINVAL;
	anon_obj_t *o = rc == EOK ? anon_obj_new() : NULL;
	if (rc == EOK && !o)
		rc = ENOMEM;
	if (rc == EOK)
		rc = anon_obj_ready(o, off, len);
	if (rc != EOK) {
		if (o)
			anon_obj_free(o);
		ipc_answer(ev->call, rc, NULL);
		return;
	}
	anon_answer_object(ev, o);
}

/* A copy-on-write clone of @a src_obj in *out: ENOMEM, ELIMIT. */
static errno_t anon_clone(pager_object_t *src_obj, anon_obj_t **out)
{
	anon_obj_t *src = src_obj->data, *dst = anon_obj_new();
	if (!dst)
		return ENOMEM;
	lock_acquire(&src->lock);
	errno_t rc = anon_obj_clone(src, dst);
	if (rc == EOK && src->extent > 0)
		pager_object_revoke(src_obj->id, 0, src->extent);
	lock_release(&src->lock);
	if (rc != EOK) {
		anon_obj_free(dst);
		return rc;
	}
	*out = dst;
	return EOK;
}

static void anon_clone_call(ipc_event_t *ev)
{
	pager_object_t *src = pager_object_get(ev->msg.arg[0], ev->conn);
	anon_obj_t *o = NULL;
	errno_t rc = src ? anon_clone(src, &o) : ENOENT;
	if (src)
		pager_object_put(src);
	if (rc != EOK)
		ipc_answer(ev->call, rc, NULL);
	else
		anon_answer_object(ev, o);
}

/* Drop the pages [off, off + len) of @a obj: revoke them from every area
 * of the object first (under its lock, so no page-in maps them again
 * meanwhile); if the kernel could not revoke them all (ENOMEM), nothing
 * is dropped and the pages still mapped keep their data. */
static errno_t anon_discard(pager_object_t *obj, uint64_t off, uint64_t len)
{
	anon_obj_t *o = obj->data;
	lock_acquire(&o->lock);
	errno_t rc = pager_object_revoke(obj->id, off, len);
	if (rc == ENOENT) /* no area is bound to it (the last went): nothing mapped */
		rc = EOK;
	if (rc == EOK)
		anon_obj_discard(o, off, len);
	lock_release(&o->lock);
	return rc;
}

/* ANON_DISCARD arg[0] object, arg[1] offset, arg[2] length. */
static void anon_discard_call(ipc_event_t *ev)
{
	uint64_t off = ev->msg.arg[1], len = ev->msg.arg[2];
	if (off % PAGE_SIZE || len % PAGE_SIZE || off > UINT64_MAX - len) {
		ipc_answer(ev->call, EINVAL, NULL);
		return;
	}
	pager_object_t *obj = pager_object_get(ev->msg.arg[0], ev->conn);
	errno_t rc = obj ? EOK : ENOENT;
	if (obj && len > 0)
		rc = anon_discard(obj, off, len);
	if (obj)
		pager_object_put(obj);
	ipc_answer(ev->call, rc, NULL);
}

static void anon_stats_call(ipc_event_t *ev)
{
	store_stats_t st;
	store_stats(&st);
	ipc_msg_t ans = IPC_MSG(0, pager_object_count(), st.used_pages,
	    __atomic_load_n(&anon_faults, __ATOMIC_RELAXED), st.pages,
	    __atomic_load_n(&anon_cow_copies, __ATOMIC_RELAXED));
	ipc_answer(ev->call, EOK, &ans);
}

static void anon_store_stats_call(ipc_event_t *ev)
{
	store_stats_t st;
	size_t areas = 0;
	store_stats(&st);
	as_area_list(NULL, 0, &areas);
	ipc_msg_t ans = IPC_MSG(0, areas, st.blocks, st.pages);
	ipc_answer(ev->call, EOK, &ans);
}

static void anon_client_call(ipc_event_t *ev)
{
	switch (ev->msg.method) {
	case ANON_CREATE:
		anon_create_call(ev);
		break;
	case ANON_CLONE:
		anon_clone_call(ev);
		break;
	case ANON_DESTROY:
		ipc_answer(ev->call, pager_object_drop(ev->msg.arg[0], ev->conn), NULL);
		break;
	case ANON_DISCARD:
		anon_discard_call(ev);
		break;
	case ANON_STATS:
		anon_stats_call(ev);
		break;
	case ANON_STORE_STATS:
		anon_store_stats_call(ev);
		break;
	default:
		ipc_answer(ev->call, ENOTSUP, NULL);
		break;
	}
}

/* Low memory: without swap every page of ours is the only copy of some
 * task's data, so there is nothing to give back; the library answers EOK
 * and we keep our memory (allocations keep failing with ENOMEM, as they
 * would anyway). */
static void anon_low_memory(const pager_low_memory_t *lm)
{
	(void) lm;
}

/* Registered as PAGER_ROLE_ANON: low-memory notices come to us too. */
static const pager_ops_t anon_ops = {
	.page_in = anon_page_in,
	.object_free = anon_object_free,
	.client_call = anon_client_call,
	.role = PAGER_ROLE_ANON,
	.low_memory = anon_low_memory,
};

int main(void)
{
	errno_t rc = as_area_create(0, ANON_CHUNK_SIZE, AS_AREA_READ, &anon_zero_base);
	if (rc != EOK) {
		printf("anon: cannot make the zero pages: %s\n", str_error_name(rc));
		return 1;
	}
	free(malloc(ANON_HEAP_RESERVE));
	printf("anon: anonymous-memory pager up (task %llu), %u threads\n",
	    (unsigned long long) task_id(), ANON_THREADS);
	rc = pager_serve(ANON_NAME, &anon_ops, ANON_THREADS);
	printf("anon: pager stopped: %s\n", str_error_name(rc));
	return 1;
}
