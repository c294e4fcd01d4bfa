/*
 * Area backends: what an area's pages are and where they come from, as a
 * table of hooks (one per backend, in mm/backend_*.c).  mm/as.c and
 * mm/as_area.c do the layout (placement, splits, used space, page tables,
 * the TLB) the same way for every area and ask the area's table only what
 * differs:
 *
 *   wired  (backend_wired.c)  fresh zeroed frames mapped at create and
 *          growth, each page's frame freed when it is unmapped;
 *   pager  (backend_pager.c)  nothing mapped up front: every first touch
 *          goes to a user-space pager (mm/pager.c), which supplies the
 *          frames; a mapping holds one frame reference;
 *   phys   (backend_phys.c)   a part of a physical range (ddi/range.h,
 *          device memory) mapped at create; it never frees a frame;
 *   dma    (backend_dma.c)    a part of a DMA buffer (ddi/dma.h) mapped at
 *          create; the buffer owns the frames.
 *
 * Every hook runs with the area's as->lock held (except share_put).  Hooks
 * that can fail leave nothing behind when they do.  A NULL hook has the
 * meaning given with it.
 */
#ifndef KERN_MM_AS_BACKEND_H_
#define KERN_MM_AS_BACKEND_H_

#include <abi/errno.h>
#include <mm/as.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct as_backend {
	unsigned id; /* AS_BACKEND_* (as_area_info_t.backend) */
	const char *name;
	/* as_area_create may make it (it needs no binding) */
	bool plain;
	/* whether a resident page is writable is the backend's business
	 * (a pager's copy-on-write page): protect never makes one writable */
	bool keeps_write;
	/* Back the new area @a a (in the tree, nothing mapped, its size and
	 * rights set) from @a bind: map its pages, or bind it. */
	errno_t (*create)(as_t *as, as_area_t *a, const as_bind_t *bind);
	/* The piece @a p was carved out of @a src (same rights, @a p->base
	 * inside @a src): back it like @a src at its place.  ENOMEM. */
	errno_t (*piece)(as_area_t *p, const as_area_t *src);
	/* May @a a grow to @a new_size bytes (NULL: yes)?  Its error. */
	errno_t (*resize_check)(const as_area_t *a, size_t new_size);
	/* Back the pages [at, at + count) @a a grows by (NULL: nothing to
	 * map, faults bring them).  Fails changing nothing. */
	errno_t (*resize)(as_t *as, as_area_t *a, uintptr_t at, size_t count);
	/* Describe @a a for a share in @a out, with references of its own
	 * (NULL: the backend cannot be shared, ENOTSUP). */
	void (*share)(const as_area_t *a, as_bind_t *out);
	/* Drop the references of a description share made (no lock). */
	void (*share_put)(as_bind_t *b);
	/* @a a goes away (its pages are unmapped): drop its binding. */
	void (*destroy)(as_area_t *a);
	/* A fault on a page of @a a that is not mapped (the rights allow the
	 * access): resolve it; returns with as->lock RELEASED.  NULL: every
	 * page is mapped while the area exists, so this is EFAULT. */
	errno_t (*fault)(as_t *as, as_area_t *a, uintptr_t addr, unsigned access);
	/* The frame to map at @a va (as_area_populate), with the reference
	 * the mapping will hold. */
	errno_t (*page_get)(as_area_t *a, uintptr_t va, uintptr_t *pa);
	/* The page at @a pa was unmapped and no TLB holds it any more: drop
	 * what the mapping held (NULL: nothing). */
	void (*page_release)(as_area_t *a, uintptr_t pa);
	/* What SYS_TASK_AREA_LIST says of @a a besides its range, rights and
	 * resident pages: out->pager, object and offset (abi/as.h; NULL:
	 * they stay 0). */
	void (*describe)(const as_area_t *a, task_area_info_t *out);
} as_backend_t;

extern const as_backend_t as_backend_wired;
extern const as_backend_t as_backend_pager;
extern const as_backend_t as_backend_phys;
extern const as_backend_t as_backend_dma;

/* The table of AS_BACKEND_* @a id, or NULL. */
const as_backend_t *as_backend_get(unsigned id);

#endif
