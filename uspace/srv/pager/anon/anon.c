/*
 * anon: the anonymous-memory pager, a boot task on wired memory.
 *
 * Registers as "anon" with ns and serves its protocol (uspace/lib/c/
 * include/anon.h, docs/pager-abi.md) and the kernel's page-ins with
 * lib/pager.  The fault policy:
 *
 *  - A page never written is all zero.  A read of it is answered with
 *    the pager's one zero page, read-only (the chunk remembers it was
 *    handed out); a write gets the chunk a block of private pages: page k
 *    of the block for every untouched page k of the chunk, and the zero
 *    pages handed out for the chunk are revoked, so every area of the
 *    object sees the new frames.
 *  - A page used by one object only is private: a write is granted
 *    read/write; a read read-only (the area may not allow more; a later
 *    write faults again and is granted write then).
 *  - A page shared by several objects (a clone) is granted read-only; a
 *    write copies it into a fresh page of the writer and revokes the old
 *    one from the writer's areas (copy-on-write).
 *  - Answers are runs: the faulting page and the following pages of the
 *    same chunk, up to the pages wanted, while they are consecutive pages
 *    of the pager's memory with the same rights.  A fresh chunk filled by
 *    a write is one block, so a first touch maps up to ANON_RUN pages.
 *
 * Two areas bound to one object see the same frames: the object decides,
 * not the area.  ANON_CLONE makes the clone share every page and revokes
 * the source's mappings, so the source's next write also faults and
 * copies.  Each object's work is under its lock; answers are sent under
 * it too, so a revoke never overtakes an answer for the same object.
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

static uintptr_t anon_zero_page;
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

static uint64_t anon_page_offset(const anon_fault_t *a, unsigned k)
{
	return a->c->index * ANON_CHUNK_SIZE + (uint64_t) k * PAGE_SIZE;
}

/* The rights page @a k can be granted for @a access.  A private page is
 * granted write at once when the area allows it (the page-in says so), so
 * a read followed by a write costs one fault, not two; a page shared with
 * a clone stays read-only until a write copies it. */
static unsigned anon_rights(const anon_fault_t *a, unsigned k, unsigned access)
{
	const anon_slot_t *s = &a->c->slot[k];
	if (access == FAULT_ACCESS_EXEC)
		return AS_AREA_READ | AS_AREA_EXEC;
	if (anon_slot_refs(s) > 1)
		return ANON_R;
	bool area_writable = PAGE_IN_RIGHTS(a->f->hints) & AS_AREA_WRITE;
	return access == FAULT_ACCESS_WRITE || area_writable ? ANON_RW : ANON_R;
}

/* Answer with the run that starts at the faulting page. */
static void anon_supply_run(const anon_fault_t *a)
{
	const anon_slot_t *first = &a->c->slot[a->j];
	unsigned access = a->f->access;
	unsigned rights = anon_rights(a, a->j, access);
	size_t max = ANON_RUN - a->j, n = 1;
	if (a->f->pages < max)
		max = a->f->pages;
	while (n < max) {
		const anon_slot_t *s = &a->c->slot[a->j + n];
		if (s->block != first->block || s->page != first->page + n ||
		    anon_rights(a, a->j + (unsigned) n, access) != rights)
			break;
		n++;
	}
	if (pager_supply(a->f->call, store_page_addr(first->block, first->page), n, rights) == EOK)
		anon_count(&anon_faults);
}

/* Revoke the zero pages handed out for the chunk (they are replaced). */
static void anon_zero_revoke(anon_fault_t *a)
{
	uint64_t id = a->f->object->id;
	for (unsigned k = 0; k < ANON_RUN; k++) {
		if (a->c->zero_out & (1u << k))
			pager_object_revoke(id, anon_page_offset(a, k), PAGE_SIZE);
	}
	a->c->zero_out = 0;
}

/* First write to an untouched page: a block for the chunk's untouched
 * pages, page k for page k. */
static errno_t anon_chunk_fill(anon_fault_t *a)
{
	anon_block_t *b;
	errno_t rc = store_block_new(&b);
	if (rc != EOK)
		return rc;
	for (unsigned k = 0; k < ANON_RUN; k++) {
		anon_slot_t *s = &a->c->slot[k];
		if (!s->block) {
			*s = (anon_slot_t){ b, k };
			store_page_take(b, k);
		}
	}
	store_block_offer(b);
	if (a->c->zero_out)
		anon_zero_revoke(a);
	return EOK;
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
	pager_object_revoke(a->f->object->id, anon_page_offset(a, a->j), PAGE_SIZE);
	anon_count(&anon_cow_copies);
	return EOK;
}

static errno_t anon_fault_locked(anon_fault_t *a)
{
	anon_slot_t *s = &a->c->slot[a->j];
	errno_t rc = EOK;
	if (a->f->access == FAULT_ACCESS_WRITE) {
		if (!s->block)
			rc = anon_chunk_fill(a);
		else if (anon_slot_refs(s) > 1)
			rc = anon_page_copy(a);
	} else if (!s->block) {
		a->c->zero_out |= (uint16_t) (1u << a->j);
		/* the shared zero page: never writable, whatever the area allows */
		unsigned rights = a->f->access == FAULT_ACCESS_EXEC ? AS_AREA_READ | AS_AREA_EXEC
		                                                    : ANON_R;
		if (pager_supply(a->f->call, anon_zero_page, 1, rights) == EOK)
			anon_count(&anon_faults);
		return EOK;
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
	errno_t rc = o ? pager_object_create(ev->conn, o, &obj) : ENOMEM;
	if (rc != EOK) {
		if (o)
			anon_obj_free(o);
		ipc_answer(ev->call, rc, NULL);
		return;
	}
	ipc_msg_t ans = IPC_MSG(0, obj->id);
	ipc_answer(ev->call, EOK, &ans);
	pager_object_put(obj);
}

/* A copy-on-write clone of @a src_obj, or NULL. */
static anon_obj_t *anon_clone(pager_object_t *src_obj)
{
	anon_obj_t *src = src_obj->data, *dst = anon_obj_new();
	if (!dst)
		return NULL;
	lock_acquire(&src->lock);
	errno_t rc = anon_obj_clone(src, dst);
	if (rc == EOK && src->extent > 0)
		pager_object_revoke(src_obj->id, 0, src->extent);
	lock_release(&src->lock);
	if (rc != EOK) {
		anon_obj_free(dst);
		return NULL;
	}
	return dst;
}

static void anon_clone_call(ipc_event_t *ev)
{
	pager_object_t *src = pager_object_get(ev->msg.arg[0], ev->conn);
	if (!src) {
		ipc_answer(ev->call, ENOENT, NULL);
		return;
	}
	anon_answer_object(ev, anon_clone(src));
	pager_object_put(src);
}

static void anon_stats_call(ipc_event_t *ev)
{
	anon_store_stats_t st;
	store_stats(&st);
	ipc_msg_t ans = IPC_MSG(0, pager_object_count(), st.used_pages,
	    __atomic_load_n(&anon_faults, __ATOMIC_RELAXED), st.blocks * ANON_RUN,
	    __atomic_load_n(&anon_cow_copies, __ATOMIC_RELAXED));
	ipc_answer(ev->call, EOK, &ans);
}

static void anon_client_call(ipc_event_t *ev)
{
	switch (ev->msg.method) {
	case ANON_CREATE:
		anon_answer_object(ev, anon_obj_new());
		break;
	case ANON_CLONE:
		anon_clone_call(ev);
		break;
	case ANON_DESTROY:
		ipc_answer(ev->call, pager_object_drop(ev->msg.arg[0], ev->conn), NULL);
		break;
	case ANON_STATS:
		anon_stats_call(ev);
		break;
	default:
		ipc_answer(ev->call, ENOTSUP, NULL);
		break;
	}
}

static const pager_ops_t anon_ops = {
	.page_in = anon_page_in,
	.object_free = anon_object_free,
	.client_call = anon_client_call,
};

int main(void)
{
	errno_t rc = as_area_create(0, PAGE_SIZE, AS_AREA_READ, &anon_zero_page);
	if (rc != EOK) {
		printf("anon: cannot make the zero page: %s\n", str_error_name(rc));
		return 1;
	}
	free(malloc(ANON_HEAP_RESERVE));
	printf("anon: anonymous-memory pager up (task %llu), %u threads\n",
	    (unsigned long long) task_id(), ANON_THREADS);
	rc = pager_serve(ANON_NAME, &anon_ops, ANON_THREADS);
	printf("anon: pager stopped: %s\n", str_error_name(rc));
	return 1;
}
