/*
 * The pager backend (see abi/pager.h for the protocol, mm/pager.c for the
 * essay).
 *
 * A pager object is named by (the pager's answerbox, object id).  The
 * kernel keeps a record of each object that has at least one area bound to
 * it: its areas (to revoke pages from), the size the pager set, and the
 * count of areas, whose first and last change are reported to the pager.
 *
 * Lock: pager_lock (global mutex) protects every record and the areas'
 * pager links.  Order: as->lock -> pager_lock (binding happens inside area
 * operations); the reverse direction (revoke) never holds pager_lock while
 * it takes an as->lock.
 */
#ifndef KERN_MM_PAGER_H_
#define KERN_MM_PAGER_H_

#include <abi/errno.h>
#include <abi/pager.h>
#include <stdbool.h>
#include <stdint.h>

struct as;
struct as_area;
struct phone;

typedef struct pager_obj pager_obj_t;
struct call;

/* A page-in request as the answer must fit it, and the frames the answer
 * supplied (references held until mapped, or dropped with the call). */
typedef struct pager_run {
	size_t wanted; /* pages asked for */
	unsigned area_flags; /* the faulting area's AS_AREA_* flags */
	unsigned right; /* the right the access needs */
	unsigned rights; /* granted by the answer */
	size_t got; /* frames referenced in pa[] */
	uintptr_t pa[PAGER_RUN_MAX];
} pager_run_t;

void pager_run_free(pager_run_t *run);
/* SYS_IPC_ANSWER of a page-in, in the pager's context: check the answer
 * and take a frame reference on every page it supplies while they are
 * known to be the pager's.  EOK, or EINVAL for a malformed answer. */
errno_t pager_answer_prepare(struct call *call, const ipc_msg_t *args);

void pager_init(void);

/* Bind @a area (not yet bound) to (phone's answerbox, object): creates the
 * record on first use (then tells the pager OBJECT_REF).  Takes its own
 * reference on the phone.  ENOMEM, EHANGUP (the phone is hung up). */
errno_t pager_area_bind(
    struct as_area *area, struct phone *phone, uint64_t object, uint64_t offset);
/* Bind @a area to the same object as @a model (a split piece or a shared
 * copy), at object offset @a offset.  ENOMEM. */
errno_t pager_area_bind_like(struct as_area *area, const struct as_area *model, uint64_t offset);
/* Unbind (the area is destroyed or replaced); the last area of an object
 * tells the pager OBJECT_UNREF.  Never fails. */
void pager_area_unbind(struct as_area *area);

/* The fault path for pager areas: called by as_page_fault with as->lock
 * held on a page of @a area; returns with as->lock RELEASED. */
errno_t pager_page_fault(struct as *as, struct as_area *area, uintptr_t addr, unsigned access);

/* Pager-side system calls (the calling task is the pager). */
errno_t pager_revoke(uint64_t object, uint64_t offset, uint64_t size);
errno_t pager_set_size(uint64_t object, uint64_t size);

/* The kernel's pager timeout, microseconds. */
extern uint64_t pager_timeout_us;

#endif
