/*
 * expager: the example pager of docs/pager-abi.md, written from the guide.
 *
 * Objects of zero-filled memory (expager.h has the protocol).  An object
 * holds its pages as references to shared pages (one page of our wired
 * memory and a count of the objects holding it), so a private mapping is
 * a clone object: EXPAGER_PRIVATE copies the table of pages, counts each
 * page once more and revokes the source's mappings.  A page held by
 * several objects is granted read-only; a write to it copies it into a
 * page of the writer's own ("Private (copy-on-write) mappings" in the
 * guide).  A page never written reads as the one zero page.
 *
 * Each object's work is done under its lock, answers included, so that a
 * revoke never overtakes an answer of the same object.  The page counts
 * have a lock of their own (clones of one page are different objects).
 */
#include "expager.h"
#include <as.h>
#include <errno.h>
#include <ipc.h>
#include <lock.h>
#include <pager.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>

/* A pager must never fault into a pager: our memory is wired. */
bool libc_memory_wired = true;

#define EXPAGER_THREADS 2
#define R AS_AREA_READ
#define RW (AS_AREA_READ | AS_AREA_WRITE)

typedef struct ex_page {
	uintptr_t addr; /* a one-page wired area of ours */
	unsigned refs; /* objects holding it (ex_refs_lock) */
} ex_page_t;

typedef struct ex_obj {
	lock_t lock;
	size_t pages;
	ex_page_t *page[EXPAGER_PAGES_MAX]; /* NULL: never written (zeros) */
} ex_obj_t;

static uintptr_t ex_zero; /* the zero page, handed out read-only */
static lock_t ex_refs_lock = LOCK_INITIALIZER;
static uint64_t ex_page_ins, ex_copies;

/* A page of our own: a copy of @a from, or zeros. */
static ex_page_t *ex_page_new(const ex_page_t *from)
{
	ex_page_t *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	if (as_area_create(0, PAGE_SIZE, RW, &p->addr) != EOK) {
		free(p);
		return NULL;
	}
	if (from)
		memcpy((void *) p->addr, (const void *) from->addr, PAGE_SIZE);
	p->refs = 1;
	return p;
}

static void ex_page_put(ex_page_t *p)
{
	lock_acquire(&ex_refs_lock);
	bool last = --p->refs == 0;
	lock_release(&ex_refs_lock);
	if (last) {
		as_area_destroy(p->addr); /* clients that map it keep the frame */
		free(p);
	}
}

static bool ex_page_shared(ex_page_t *p)
{
	lock_acquire(&ex_refs_lock);
	bool shared = p->refs > 1;
	lock_release(&ex_refs_lock);
	return shared;
}

/* A read or an execute: the zero page, a shared page read-only, a private
 * page with up to the area's rights (a read then a write: one fault). */
static void ex_read(pager_fault_t *f, ex_obj_t *o, size_t i)
{
	unsigned x = f->access == FAULT_ACCESS_EXEC ? AS_AREA_EXEC : 0;
	ex_page_t *p = o->page[i];
	if (!p) {
		pager_supply(f->call, ex_zero, 1, R | x);
		return;
	}
	unsigned rights = R | x;
	if (!x && !ex_page_shared(p))
		rights = f->area_rights & RW;
	pager_supply(f->call, p->addr, 1, rights);
}

/* A write: a page never written or held by others becomes ours (a copy),
 * and the offset is revoked from this object's areas (they may map the
 * zero page or the shared page); then the answer, which stands. */
static errno_t ex_write(pager_fault_t *f, ex_obj_t *o, size_t i)
{
	ex_page_t *p = o->page[i];
	if (!p || ex_page_shared(p)) {
		ex_page_t *mine = ex_page_new(p);
		if (!mine)
			return ENOMEM;
		o->page[i] = mine;
		if (p) {
			ex_page_put(p);
			__atomic_add_fetch(&ex_copies, 1, __ATOMIC_RELAXED);
		}
		(void) pager_object_revoke(f->object->id, f->offset, PAGE_SIZE);
	}
	pager_supply(f->call, o->page[i]->addr, 1, RW);
	return EOK;
}

static void ex_page_in(pager_fault_t *f)
{
	ex_obj_t *o = f->object->data;
	size_t i = (size_t) (f->offset / PAGE_SIZE);
	__atomic_add_fetch(&ex_page_ins, 1, __ATOMIC_RELAXED);
	lock_acquire(&o->lock);
	errno_t rc = i < o->pages ? EOK : ERANGE;
	if (rc == EOK && f->access == FAULT_ACCESS_WRITE)
		rc = ex_write(f, o, i);
	else if (rc == EOK)
		ex_read(f, o, i);
	if (rc != EOK)
		pager_fail(f->call, rc);
	lock_release(&o->lock);
}

/* The first area: from now on the kernel fails faults beyond the object
 * at once, without asking us. */
static void ex_object_ref(pager_object_t *obj)
{
	ex_obj_t *o = obj->data;
	(void) pager_object_set_size(obj->id, o->pages * PAGE_SIZE);
}

static void ex_object_free(pager_object_t *obj)
{
	ex_obj_t *o = obj->data;
	for (size_t i = 0; i < o->pages; i++) {
		if (o->page[i])
			ex_page_put(o->page[i]);
	}
	free(o);
}

/* A private copy of @a src: the same pages, each held once more; the
 * source's mappings go, so its next write faults and copies too. */
static ex_obj_t *ex_clone(pager_object_t *src)
{
	ex_obj_t *s = src->data, *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	lock_acquire(&s->lock);
	o->pages = s->pages;
	lock_acquire(&ex_refs_lock);
	for (size_t i = 0; i < s->pages; i++) {
		o->page[i] = s->page[i];
		if (o->page[i])
			o->page[i]->refs++;
	}
	lock_release(&ex_refs_lock);
	(void) pager_object_revoke(src->id, 0, s->pages * PAGE_SIZE); /* ENOENT: no area */
	lock_release(&s->lock);
	return o;
}

/* Answer @a ev with a new object for @a o (freed if that fails). */
static void ex_answer_object(ipc_event_t *ev, ex_obj_t *o)
{
	pager_object_t *obj;
	errno_t rc = o ? pager_object_create(ev->conn, o, &obj) : ENOMEM;
	if (rc != EOK) {
		free(o);
		ipc_answer(ev->call, rc, NULL);
		return;
	}
	ipc_answer(ev->call, EOK, &IPC_MSG(0, obj->id));
	pager_object_put(obj);
}

static void ex_create(ipc_event_t *ev)
{
	uint64_t pages = ev->msg.arg[0];
	if (pages == 0 || pages > EXPAGER_PAGES_MAX) {
		ipc_answer(ev->call, EINVAL, NULL);
		return;
	}
	ex_obj_t *o = calloc(1, sizeof(*o));
	if (o)
		o->pages = (size_t) pages;
	ex_answer_object(ev, o);
}

static void ex_private(ipc_event_t *ev)
{
	pager_object_t *src = pager_object_get(ev->msg.arg[0], ev->conn);
	if (!src) {
		ipc_answer(ev->call, ENOENT, NULL);
		return;
	}
	ex_answer_object(ev, ex_clone(src));
	pager_object_put(src);
}

static void ex_client_call(ipc_event_t *ev)
{
	switch (ev->msg.method) {
	case EXPAGER_CREATE:
		ex_create(ev);
		break;
	case EXPAGER_PRIVATE:
		ex_private(ev);
		break;
	case EXPAGER_STATS:
		ipc_answer(ev->call, EOK,
		    &IPC_MSG(0, pager_object_count(),
		        __atomic_load_n(&ex_page_ins, __ATOMIC_RELAXED),
		        __atomic_load_n(&ex_copies, __ATOMIC_RELAXED), pager_connection_count()));
		break;
	case EXPAGER_STOP:
		ipc_answer(ev->call, EOK, NULL);
		pager_stop(); /* ends the task once the last client has gone */
		break;
	default:
		ipc_answer(ev->call, ENOTSUP, NULL);
		break;
	}
}

static const pager_ops_t ex_ops = {
	.page_in = ex_page_in,
	.object_ref = ex_object_ref,
	.object_free = ex_object_free,
	.client_call = ex_client_call,
};

int main(void)
{
	errno_t rc = as_area_create(0, PAGE_SIZE, R, &ex_zero);
	if (rc == EOK)
		rc = pager_serve(EXPAGER_NAME, &ex_ops, EXPAGER_THREADS);
	printf("expager: %s\n", str_error_name(rc));
	return 1;
}
