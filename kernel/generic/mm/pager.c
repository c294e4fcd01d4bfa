/*
 * The pager backend: areas whose pages come from a user-space pager.
 *
 * Binding.  An area is bound to an object record (pager_obj_t) named by
 * the pager's answerbox and the object id.  The record owns a phone of its
 * own to the pager, made when the first area binds, so page-ins and
 * notifications keep working however the client's phones come and go
 * (a shared copy of an area in another task, say, outlives the phone it
 * was created through); it dies with the last area.
 *
 * Faults (pager_page_fault).  Under as->lock: the page's object offset is
 * checked against the object size, the run of unmapped pages to ask for is
 * measured (read-ahead, at most PAGER_RUN_MAX, within the area), and the
 * page is marked pending, so a second thread faulting on it waits for the
 * first one's answer instead of asking again.  Then as->lock is RELEASED
 * and the thread sleeps in a kernel call to the pager (bounded by the pager
 * timeout, interruptible by task death).  The answer is checked against
 * the pager's own page tables under the pager's as->lock, and a frame
 * reference is taken for every page while it is known to be the pager's.
 * With as->lock taken again the area is looked up afresh (it may have been
 * unmapped, resized or split meanwhile: then the fault just ends and the
 * access is retried) and the pages not mapped by now are mapped.
 *
 * Failure.  An error answer, a malformed answer, a timeout or the pager's
 * death (its box answers EHANGUP) fails exactly this fault; every frame
 * reference taken is dropped; nothing else is blocked meanwhile.
 *
 * Locks: as->lock -> pending_lock; as->lock -> pager_lock.  No as->lock is
 * held across the kernel call, and never two at once.
 */
#include <abi/as.h>
#include <abi/task.h>
#include <console/console.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/as.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <proc/thread.h>

struct pager_obj {
	link_t box_link; /* box->pager_objects */
	answerbox_t *box; /* the pager's box (held) */
	phone_t *phone; /* the record's own phone to the pager */
	uint64_t id;
	uint64_t badge; /* the binding connection's badge (part of the name) */
	list_t areas; /* as_area_t.pager.obj_link */
	size_t nareas;
	uint64_t size; /* faults at or beyond fail with ERANGE */
	uint64_t gen; /* bumped by every revoke: older answers are stale */
	uint64_t serial; /* unique for every record ever made (identity) */
};

typedef struct pager_pending {
	link_t link;
	as_t *as;
	uintptr_t page;
} pager_pending_t;

uint64_t pager_timeout_us = PAGER_TIMEOUT_DEFAULT_MS * 1000ULL;

static mutex_t pager_lock;
static uint64_t pager_serial_next; /* pager_lock */
static mutex_t pending_lock;
static condvar_t pending_cv;
static list_t pending = { .head = { &pending.head, &pending.head } };

/* The page-in's answer hook: the frames, while they are the pager's. */
static errno_t pager_page_in_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	(void) answerer;
	(void) wb;
	return pager_answer_prepare(c, args);
}

static void pager_page_in_cleanup(call_t *c)
{
	if (c->run)
		pager_run_free(c->run); /* drops the frames not mapped */
	c->run = NULL;
}

/* The kernel's calls to pagers (abi/pager.h): only the kernel sends them. */
static const ipc_method_ops_t pager_page_in_ops = {
	.name = "page-in",
	.answer = pager_page_in_answer,
	.cleanup = pager_page_in_cleanup,
};
static const ipc_method_ops_t pager_ref_ops = { .name = "pager-object-ref" };
static const ipc_method_ops_t pager_unref_ops = { .name = "pager-object-unref" };
static const ipc_method_ops_t pager_sync_ops = { .name = "pager-sync" };

void pager_init(void)
{
	ipc_method_register(IPC_M_PAGE_IN, &pager_page_in_ops);
	ipc_method_register(IPC_M_PAGER_OBJECT_REF, &pager_ref_ops);
	ipc_method_register(IPC_M_PAGER_OBJECT_UNREF, &pager_unref_ops);
	ipc_method_register(IPC_M_PAGER_SYNC, &pager_sync_ops);
	mutex_initialize(&pager_lock, "pager");
	mutex_initialize(&pending_lock, "pager-pending");
	condvar_initialize(&pending_cv);
}

/* The record of (box, badge, id): objects are named per connection, so a
 * task binding an id through its own connection never reaches the record
 * (or the pages) of an object another connection bound -- the pager sees
 * every page-in with the binder's own badge and decides. */
static pager_obj_t *pager_obj_find_locked(answerbox_t *box, uint64_t badge, uint64_t id)
{
	list_foreach(box->pager_objects, l)
	{
		pager_obj_t *o = list_get_instance(l, pager_obj_t, box_link);
		if (o->id == id && o->badge == badge)
			return o;
	}
	return NULL;
}

static void pager_notify(pager_obj_t *o, uint64_t method)
{
	ipc_msg_t m = { .method = method, .arg = { o->id } };
	(void) ipc_kcall_notify(o->phone, &m); /* a dead pager needs no news */
}

/* Find or make the record for (box, id), badge for its phone.  Locked. */
static pager_obj_t *pager_obj_get_locked(answerbox_t *box, uint64_t badge, uint64_t id)
{
	pager_obj_t *o = pager_obj_find_locked(box, badge, id);
	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->phone = phone_create(box, badge);
	if (!o->phone) {
		free(o);
		return NULL;
	}
	answerbox_hold(box);
	o->box = box;
	o->badge = badge;
	o->serial = ++pager_serial_next;
	o->id = id;
	o->size = UINT64_MAX;
	list_initialize(&o->areas);
	list_append(&o->box_link, &box->pager_objects);
	return o;
}

/* Attach @a area to @a o.  pager_lock held. */
static void pager_obj_attach_locked(pager_obj_t *o, as_area_t *area, uint64_t offset)
{
	area->pager.obj = o;
	area->pager.object = o->id;
	area->pager.offset = offset;
	phone_hold(o->phone);
	area->pager.phone = o->phone;
	list_append(&area->pager.obj_link, &o->areas);
	if (o->nareas++ == 0)
		pager_notify(o, IPC_M_PAGER_OBJECT_REF);
}

errno_t pager_area_bind(as_area_t *area, phone_t *phone, uint64_t object, uint64_t offset)
{
	mutex_lock(&phone->lock);
	answerbox_t *box = phone->callee;
	uint64_t badge = phone->badge;
	if (box)
		answerbox_hold(box);
	mutex_unlock(&phone->lock);
	if (!box)
		return EHANGUP;
	errno_t rc = ENOMEM;
	mutex_lock(&pager_lock);
	pager_obj_t *o = pager_obj_get_locked(box, badge, object);
	if (o) {
		pager_obj_attach_locked(o, area, offset);
		rc = EOK;
	}
	mutex_unlock(&pager_lock);
	answerbox_release(box);
	return rc;
}

errno_t pager_area_bind_like(as_area_t *area, const as_area_t *model, uint64_t offset)
{
	mutex_lock(&pager_lock);
	pager_obj_attach_locked(model->pager.obj, area, offset);
	mutex_unlock(&pager_lock);
	return EOK;
}

void pager_area_unbind(as_area_t *area)
{
	pager_obj_t *o = area->pager.obj;
	if (!o)
		return;
	mutex_lock(&pager_lock);
	list_remove(&area->pager.obj_link);
	area->pager.obj = NULL;
	bool last = --o->nareas == 0;
	if (last) {
		pager_notify(o, IPC_M_PAGER_OBJECT_UNREF);
		list_remove(&o->box_link);
	}
	mutex_unlock(&pager_lock);
	phone_release(area->pager.phone);
	area->pager.phone = NULL;
	if (last) {
		/* Released, not hung up: that would cancel the UNREF notice. */
		phone_release(o->phone);
		answerbox_release(o->box);
		free(o);
	}
}

/* ---- the fault path ---- */

typedef struct pager_fault {
	as_t *as;
	as_area_t *area; /* as found under as->lock (revalidated later) */
	pager_obj_t *obj; /* identity only once as->lock is dropped */
	uint64_t object;
	phone_t *phone; /* the record's phone (held) */
	uintptr_t page; /* the faulting page */
	unsigned access; /* FAULT_ACCESS_* */
	bool upgrade; /* mapped without the needed right: replace it */
	unsigned hints; /* PAGE_IN_* for the pager */
	uint64_t objoff; /* object offset of the faulting page */
	uint64_t gen; /* the object's revoke generation when asked */
	uint64_t serial; /* the record's serial when asked */
	pager_run_t *run; /* the request; owned by the call once sent */
} pager_fault_t;

static unsigned pager_access_right(unsigned access)
{
	return access == FAULT_ACCESS_WRITE ? AS_AREA_WRITE
	    : access == FAULT_ACCESS_EXEC   ? AS_AREA_EXEC
	                                    : AS_AREA_READ;
}

/* Does a mapping with page flags @a pf allow the right @a right? */
static bool pager_pf_allows(unsigned pf, unsigned right)
{
	return right == AS_AREA_WRITE ? (pf & PAGE_WRITE) != 0
	    : right == AS_AREA_EXEC   ? (pf & PAGE_EXEC) != 0
	                              : true;
}

void pager_run_free(pager_run_t *run)
{
	for (size_t i = 0; i < run->got; i++)
		frame_ref_drop(run->pa[i]);
	free(run);
}

/* The answer's shape against the request. */
static errno_t pager_answer_check(pager_run_t *r, const ipc_msg_t *ans)
{
	uintptr_t addr = ans->arg[0];
	size_t n = ans->arg[1];
	if (n == 0 || n > r->wanted || !PAGE_ALIGNED(addr) || addr < AS_USER_FLOOR ||
	    addr > AS_USER_TOP || (AS_USER_TOP - addr) / PAGE_SIZE < n)
		return EINVAL;
	if (ans->arg[2] & ~(uint64_t) (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC))
		return EINVAL;
	unsigned rights = (unsigned) ans->arg[2];
	if (!(rights & r->right) || (rights & ~r->area_flags))
		return EINVAL;
	r->rights = rights;
	return EOK;
}

errno_t pager_answer_prepare(struct call *c, const ipc_msg_t *ans)
{
	pager_run_t *r = c->run;
	as_t *pas = TASK->as; /* we are the pager answering */
	if (!r || !pas)
		return EINVAL;
	errno_t rc = pager_answer_check(r, ans);
	if (rc != EOK)
		return rc;
	uintptr_t addr = ans->arg[0];
	mutex_lock(&pas->lock);
	for (size_t i = 0; i < ans->arg[1] && rc == EOK; i++) {
		uintptr_t pa;
		unsigned pf;
		bool ok = page_mapping_find(&pas->pt, addr + i * PAGE_SIZE, &pa, &pf) == EOK &&
		    (pf & PAGE_USER) && frame_get(PAGE_ALIGN_DOWN(pa)) &&
		    (!(r->rights & AS_AREA_WRITE) || (pf & PAGE_WRITE));
		if (!ok) {
			rc = EINVAL;
			break;
		}
		r->pa[i] = PAGE_ALIGN_DOWN(pa);
		frame_ref_add(r->pa[i]);
		r->got = i + 1;
	}
	mutex_unlock(&pas->lock);
	if (rc != EOK) {
		for (size_t i = 0; i < r->got; i++)
			frame_ref_drop(r->pa[i]);
		r->got = 0;
	}
	return rc;
}

/* How many pages from the faulting one to ask for.  as->lock held. */
static size_t pager_fault_run(pager_fault_t *f)
{
	if (f->upgrade)
		return 1;
	uintptr_t end = f->area->base + f->area->pages * PAGE_SIZE;
	size_t n = 1;
	while (n < PAGER_RUN_MAX && f->page + n * PAGE_SIZE < end &&
	    !used_space_contains(&f->area->used, f->page + n * PAGE_SIZE))
		n++;
	return n;
}

static bool pager_pending_exists(as_t *as, uintptr_t page)
{
	list_foreach(pending, l)
	{
		pager_pending_t *o = list_get_instance(l, pager_pending_t, link);
		if (o->as == as && o->page == page)
			return true;
	}
	return false;
}

/* Mark the page pending (true), or -- another thread is asking the pager
 * for it already -- release as->lock, wait until that is over and return
 * false (the access is simply retried). */
static bool pager_pending_enter(pager_fault_t *f, pager_pending_t *p, errno_t *rc)
{
	mutex_lock(&pending_lock);
	if (pager_pending_exists(f->as, f->page)) {
		mutex_unlock(&f->as->lock);
		/* interruptible: a task being killed does not wait for its pager */
		while (*rc == EOK && pager_pending_exists(f->as, f->page))
			*rc = condvar_wait_flags(
			    &pending_cv, &pending_lock, 0, WAITQ_INTERRUPTIBLE);
		mutex_unlock(&pending_lock);
		return false;
	}
	p->as = f->as;
	p->page = f->page;
	list_append(&p->link, &pending);
	mutex_unlock(&pending_lock);
	return true;
}

static void pager_pending_leave(pager_pending_t *p)
{
	mutex_lock(&pending_lock);
	list_remove(&p->link);
	condvar_broadcast(&pending_cv);
	mutex_unlock(&pending_lock);
}

/* Map one supplied page at @a va (replacing the old one for an upgrade).
 * false if it cannot (no memory for tables or the used-space record). */
static bool pager_map_page(
    as_t *as, as_area_t *a, uintptr_t va, uintptr_t pa, unsigned pf, bool replace)
{
	if (replace) {
		uintptr_t old;
		unsigned of;
		if (page_mapping_find(&as->pt, va, &old, &of) != EOK)
			return false;
		page_mapping_update(&as->pt, va, pa, pf);
		as_tlb_sync(as, va, 1);
		frame_ref_drop(PAGE_ALIGN_DOWN(old));
		return true;
	}
	if (page_mapping_insert(&as->pt, va, pa, pf) != EOK)
		return false;
	if (used_space_insert(&a->used, va, 1) != EOK) {
		page_mapping_remove(&as->pt, va);
		as_tlb_sync(as, va, 1);
		return false;
	}
	as->rss++;
	return true;
}

/* Map the supplied run into the faulting area, if it is still the same
 * area; pages mapped meanwhile by someone else end the run.  Every frame
 * reference not handed to a mapping is dropped.  as->lock held. */
static void pager_fault_map(pager_fault_t *f)
{
	as_t *as = f->as;
	pager_run_t *r = f->run;
	as_area_t *a = as_area_find(as, f->page);
	size_t used = 0;
	if (a == f->area && a->backend == AS_BACKEND_PAGER && a->pager.obj == f->obj &&
	    f->obj->serial == f->serial && a->pager.offset + (f->page - a->base) == f->objoff &&
	    f->obj->gen == f->gen) {
		uintptr_t end = a->base + a->pages * PAGE_SIZE;
		/* granted rights within the area's (never none: the answer was
		 * checked to grant the faulting access), the area's caching */
		unsigned pf = as_area_page_flags(
		    (r->rights & a->flags) | (a->flags & AS_AREA_CACHEABLE));
		for (size_t i = 0; i < r->got && f->page + i * PAGE_SIZE < end; i++) {
			uintptr_t va = f->page + i * PAGE_SIZE;
			bool mapped = used_space_contains(&a->used, va);
			bool replace = mapped && f->upgrade && i == 0;
			if ((mapped && !replace) ||
			    !pager_map_page(as, a, va, r->pa[i], pf, replace))
				break;
			used = i + 1;
		}
		if (used > 0 && !f->upgrade)
			a->pager.seq_next = f->page + used * PAGE_SIZE;
	}
	for (size_t i = used; i < r->got; i++)
		frame_ref_drop(r->pa[i]);
	r->got = 0;
}

/* Ask the pager; as->lock is NOT held.  On EOK the run holds the frames. */
static errno_t pager_fault_ask(pager_fault_t *f, call_t **callp)
{
	call_t *c = call_create();
	if (!c)
		return ENOMEM;
	c->msg = (ipc_msg_t){ .method = IPC_M_PAGE_IN,
		.arg = { f->object, f->objoff, f->run->wanted, f->access,
		    f->hints |
		        (uint64_t) (f->run->area_flags & AS_AREA_RIGHTS)
		            << PAGE_IN_RIGHTS_SHIFT } };
	c->run = f->run; /* the call owns it now: freed (and its frames dropped) with it */
	*callp = c;
	errno_t rc = ipc_kcall_wait(f->phone, c, pager_timeout_us);
	if (rc == ETIMEOUT)
		printf("pager: no answer to a page-in of object %llu within %llu ms\n",
		    (unsigned long long) f->object, (unsigned long long) (pager_timeout_us / 1000));
	if (rc == EOK)
		rc = c->retval;
	if (rc == EOK && c->run->got == 0)
		rc = EINVAL;
	return rc;
}

/* Describe the fault under as->lock.  ERANGE beyond the object's size;
 * EOK with no run when the page is mapped as needed by now. */
static errno_t pager_fault_prepare(pager_fault_t *f)
{
	as_area_t *a = f->area;
	uintptr_t pa;
	unsigned pf;
	unsigned right = pager_access_right(f->access);
	f->obj = a->pager.obj;
	f->objoff = a->pager.offset + (f->page - a->base);
	if (f->objoff >= f->obj->size)
		return ERANGE;
	if (used_space_contains(&a->used, f->page)) {
		if (page_mapping_find(&f->as->pt, f->page, &pa, &pf) != EOK ||
		    pager_pf_allows(pf, right))
			return EOK;
		f->upgrade = true;
	}
	pager_run_t *r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->wanted = pager_fault_run(f);
	uint64_t left = (f->obj->size - f->objoff) / PAGE_SIZE;
	if (left > 0 && r->wanted > left)
		r->wanted = left;
	r->area_flags = a->flags;
	r->right = right;
	if (!f->upgrade && a->pager.seq_next == f->page)
		f->hints |= PAGE_IN_SEQUENTIAL;
	f->run = r;
	f->phone = a->pager.phone;
	phone_hold(f->phone);
	f->object = f->obj->id;
	f->gen = f->obj->gen;
	f->serial = f->obj->serial;
	return EOK;
}

errno_t pager_page_fault(as_t *as, as_area_t *area, uintptr_t addr, unsigned access)
{
	assert(mutex_locked_by_me(&as->lock));
	pager_fault_t f = {
		.as = as, .area = area, .page = PAGE_ALIGN_DOWN(addr), .access = access
	};
	pager_pending_t p;
	call_t *c = NULL;
	errno_t rc = pager_fault_prepare(&f);
	if (rc != EOK || !f.run) {
		mutex_unlock(&as->lock);
		return rc;
	}
	if (!pager_pending_enter(&f, &p, &rc)) {
		phone_release(f.phone);
		free(f.run);
		return rc; /* EOK: somebody else asked; retry the access */
	}
	as_hold(as);
	mutex_unlock(&as->lock);
	rc = pager_fault_ask(&f, &c);
	phone_release(f.phone);
	mutex_lock(&as->lock);
	if (rc == EOK)
		pager_fault_map(&f);
	pager_pending_leave(&p);
	mutex_unlock(&as->lock);
	if (c)
		call_release(c); /* drops whatever frames were not mapped */
	else
		free(f.run);
	as_release(as);
	return rc;
}

/* ---- pager requests ---- */

typedef struct pager_target {
	uintptr_t va; /* first page to revoke */
	size_t pages;
} pager_target_t;

/* The part of [off, off + size) of the object that @a a maps, as pages. */
static bool pager_area_span(const as_area_t *a, uint64_t off, uint64_t size, pager_target_t *t)
{
	uint64_t a0 = a->pager.offset, a1 = a0 + a->pages * PAGE_SIZE;
	uint64_t lo = off > a0 ? off : a0;
	uint64_t hi = (size > UINT64_MAX - off || off + size > a1) ? a1 : off + size;
	if (lo >= hi)
		return false;
	t->va = a->base + (lo - a0);
	t->pages = (hi - lo) / PAGE_SIZE;
	return true;
}

/* Unmap the resident part of [va, va + pages) of area @a a, interval by
 * interval (each used-space change splits at most one interval).  ENOMEM
 * leaves the rest mapped.  as->lock held. */
static errno_t pager_area_revoke(as_t *as, as_area_t *a, uintptr_t va, size_t pages)
{
	uintptr_t end = va + pages * PAGE_SIZE, base;
	size_t count, removed;
	while (va < end && used_space_next(&a->used, va, &base, &count) == EOK && base < end) {
		uintptr_t s = base > va ? base : va;
		uintptr_t e = base + count * PAGE_SIZE < end ? base + count * PAGE_SIZE : end;
		errno_t rc = used_space_clear(&a->used, s, (e - s) / PAGE_SIZE, &removed);
		if (rc != EOK)
			return rc;
		for (uintptr_t p = s; p < e; p += PAGE_SIZE) {
			uintptr_t pa;
			unsigned pf;
			if (page_mapping_find(&as->pt, p, &pa, &pf) != EOK)
				continue;
			page_mapping_remove(&as->pt, p);
			as_tlb_sync(as, p, 1);
			frame_ref_drop(PAGE_ALIGN_DOWN(pa));
			as->rss--;
		}
		va = e;
	}
	return EOK;
}

/* Revoke the object's range in every area of @a as bound to any record of
 * the id.  as->lock, then pager_lock (the lock order): no split or trim of
 * this address space can be half done meanwhile, so every piece is seen. */
static errno_t pager_as_revoke(
    as_t *as, answerbox_t *box, uint64_t object, uint64_t off, uint64_t size)
{
	errno_t rc = EOK;
	mutex_lock(&as->lock);
	mutex_lock(&pager_lock);
	list_foreach(box->pager_objects, l)
	{
		pager_obj_t *o = list_get_instance(l, pager_obj_t, box_link);
		if (o->id != object)
			continue;
		list_foreach(o->areas, al)
		{
			as_area_t *a = list_get_instance(al, as_area_t, pager.obj_link);
			pager_target_t t;
			if (a->as != as || !pager_area_span(a, off, size, &t))
				continue;
			errno_t arc = pager_area_revoke(as, a, t.va, t.pages);
			rc = rc == EOK ? arc : rc;
		}
	}
	mutex_unlock(&pager_lock);
	mutex_unlock(&as->lock);
	return rc;
}

/* The address spaces (with references, each once) that have areas bound to
 * any record of @a object; bumps every such record's generation so that
 * answers given before the revoke are not mapped.  ENOENT, ENOMEM. */
static errno_t pager_collect(answerbox_t *box, uint64_t object, as_t ***out, size_t *n)
{
	errno_t rc = ENOENT;
	size_t k = 0, max = 0;
	mutex_lock(&pager_lock);
	list_foreach(box->pager_objects, l)
	{
		pager_obj_t *o = list_get_instance(l, pager_obj_t, box_link);
		max += o->id == object ? o->nareas : 0;
	}
	as_t **v = malloc((max ? max : 1) * sizeof(*v));
	list_foreach(box->pager_objects, l)
	{
		pager_obj_t *o = list_get_instance(l, pager_obj_t, box_link);
		if (o->id != object)
			continue;
		rc = v ? EOK : ENOMEM;
		o->gen++;
		list_foreach(o->areas, al)
		{
			as_t *as = list_get_instance(al, as_area_t, pager.obj_link)->as;
			bool seen = false;
			for (size_t i = 0; i < k && !seen; i++)
				seen = v[i] == as;
			/* an address space being destroyed is skipped: its areas go anyway */
			if (v && !seen && as_try_hold(as))
				v[k++] = as;
		}
	}
	mutex_unlock(&pager_lock);
	if (rc != EOK) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return EOK;
}

errno_t pager_revoke(uint64_t object, uint64_t offset, uint64_t size)
{
	if (offset % PAGE_SIZE || size % PAGE_SIZE)
		return EINVAL;
	answerbox_t *box = TASK->box;
	as_t **v;
	size_t n;
	errno_t rc = pager_collect(box, object, &v, &n);
	if (rc != EOK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		errno_t arc = pager_as_revoke(v[i], box, object, offset, size);
		rc = rc == EOK ? arc : rc;
		as_release(v[i]);
	}
	free(v);
	return rc;
}

errno_t pager_set_size(uint64_t object, uint64_t size)
{
	if (size % PAGE_SIZE)
		return EINVAL;
	bool found = false;
	mutex_lock(&pager_lock);
	list_foreach(TASK->box->pager_objects, l)
	{
		pager_obj_t *o = list_get_instance(l, pager_obj_t, box_link);
		if (o->id == object) {
			o->size = size;
			found = true;
		}
	}
	mutex_unlock(&pager_lock);
	if (!found)
		return ENOENT;
	return pager_revoke(object, size, UINT64_MAX - size - (UINT64_MAX - size) % PAGE_SIZE);
}
