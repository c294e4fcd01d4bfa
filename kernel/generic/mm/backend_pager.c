/*
 * The pager backend's hooks (mm/as_backend.h) over mm/pager.c, which keeps
 * the object records and the fault path.  Nothing is mapped up front and
 * growing maps nothing: every first touch faults and the pager supplies
 * the page; each mapping holds one reference on the pager's frame.  A
 * piece of an area and a shared copy are bound to the same object (the
 * piece at its own offset, the copy at the same one).  Whether a resident
 * page is writable is the pager's word (copy-on-write), so protect never
 * makes one writable.
 */
#include <ipc/ipc.h>
#include <mm/as_backend.h>
#include <mm/frame.h>
#include <mm/pager.h>

static errno_t pager_be_create(as_t *as, as_area_t *a, const as_bind_t *b)
{
	(void) as;
	return pager_area_bind(a, b->pager.phone, b->pager.object, b->pager.offset);
}

static errno_t pager_be_piece(as_area_t *p, const as_area_t *src)
{
	return pager_area_bind_like(p, src, src->pager.offset + (p->base - src->base));
}

/* The object offset of the area's end must not wrap. */
static errno_t pager_be_resize_check(const as_area_t *a, size_t new_size)
{
	return new_size > UINT64_MAX - a->pager.offset ? EOVERFLOW : EOK;
}

/* The record's phone, not the area's: a takeover (mm/pager_role.c) gives
 * the record a phone to the successor, and the copy must find it there. */
static void pager_be_share(const as_area_t *a, as_bind_t *out)
{
	out->pager.phone = pager_area_phone(a);
	out->pager.object = a->pager.object;
	out->pager.offset = a->pager.offset;
}

static void pager_be_share_put(as_bind_t *b)
{
	phone_release(b->pager.phone);
	b->pager.phone = NULL;
}

/* Not analysed: pager_page_fault releases as->lock. */
static errno_t pager_be_fault(
    as_t *as, as_area_t *a, uintptr_t addr, unsigned access) NO_THREAD_SAFETY_ANALYSIS
{
	return pager_page_fault(as, a, addr, access);
}

static void pager_be_page_release(as_area_t *a, uintptr_t pa)
{
	(void) a;
	frame_ref_drop(pa);
}

/* The task of the pager serving the object now: the record's phone (a
 * takeover moved it to the successor), as share finds it. */
static void pager_be_describe(const as_area_t *a, task_area_info_t *out)
{
	phone_t *p = pager_area_phone(a);
	mutex_lock(&p->lock);
	out->pager = p->callee ? p->callee->owner : 0;
	mutex_unlock(&p->lock);
	phone_release(p);
	out->object = a->pager.object;
	out->offset = a->pager.offset;
}

const as_backend_t as_backend_pager = {
	.id = AS_BACKEND_PAGER,
	.name = "pager",
	.keeps_write = true,
	.create = pager_be_create,
	.piece = pager_be_piece,
	.resize_check = pager_be_resize_check,
	.share = pager_be_share,
	.share_put = pager_be_share_put,
	.destroy = pager_area_unbind,
	.fault = pager_be_fault,
	.page_release = pager_be_page_release,
	.describe = pager_be_describe,
};
