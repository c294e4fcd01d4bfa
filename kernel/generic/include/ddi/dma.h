/*
 * Device memory for user-space drivers: physical mappings of device
 * ranges, and DMA buffers (abi/ddi.h has what user space sees,
 * docs/drivers.md the rules).
 *
 * A phys mapping is an area of the phys backend (mm/backend_phys.c) over a
 * page-aligned part of a CAP_PHYS_RANGE range; it holds a reference to the
 * range and never frees a frame.  Memory the frame allocator hands out is
 * never reachable that way (EBUSY): a range granted over RAM would let a
 * driver see frames after they went to someone else.
 *
 * A DMA buffer (dma_buf_t) is a run of physically contiguous, zeroed
 * frames below a physical limit, allocated at once and freed at once when
 * its last reference goes.  References: one per capability slot naming it
 * (CAP_DMA), one per area mapping it (the dma backend,
 * mm/backend_dma.c; a split piece and a shared copy each take their own),
 * one per share snapshot in flight, and the creator's while it works.  The
 * count is atomic (no lock).
 *
 * Quarantine.  A buffer remembers the device it is for (the range that
 * authorized SYS_DMA_ALLOC: kind, base, size) and the task that made it,
 * its owner.  While the owner lives, the owner (a driver) answers for its
 * device: when it lets go of a buffer the device no longer uses it, and
 * the frames go back with the last reference, as ever.  When the owner
 * ends with the buffer still alive (dma_task_ended: a driver killed in
 * the middle of I/O), the buffer becomes an orphan: its device may still
 * write into it until someone stops the device.  An orphan whose last
 * reference goes is quarantined (its frames stay off the free list,
 * counted) until its device is declared quiet: dma_quiesce() with a range
 * of the same kind covering the device's (devman, after clearing Bus
 * Master Enable: SYS_DMA_QUIESCE) frees it, and lets an orphan still
 * mapped somewhere go straight back when its last reference goes later.
 * Kernel buffers (owner 0) are never orphans.
 *
 * Lock: dma_lock (a mutex, taken on the last reference and by the two
 * calls above, never with any other lock of this file held) protects the
 * list of buffers and each buffer's fields marked so.
 */
#ifndef KERN_DDI_DMA_H_
#define KERN_DDI_DMA_H_

#include <abi/ddi.h>
#include <abi/errno.h>
#include <abi/task.h>
#include <adt/list.h>
#include <cap/cap.h>
#include <ddi/range.h>
#include <mm/as.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dma_buf {
	uint32_t refs; /* atomic */
	uintptr_t paddr; /* constant */
	size_t pages; /* constant */
	/* constant: the device's range (kind DDI_RANGE_KIND_COUNT: none) */
	ddi_range_kind_t dev_kind;
	uint64_t dev_base, dev_size;
	task_id_t owner; /* constant: the task that made it (0: the kernel) */
	/* dma_lock: */
	link_t link; /* on the list of buffers not freed yet */
	bool orphan; /* its owner ended while it was alive */
	bool quiet; /* its device was declared quiet since then */
	bool quarantined; /* no reference left; frames held back */
} dma_buf_t;

void dma_init(void);

/* A buffer of @a size bytes (page aligned, 1 .. DMA_SIZE_MAX: else EINVAL)
 * whose frames all lie below the physical address @a phys_limit, zeroed,
 * with one reference (the caller's), for the device @a dev (NULL: none)
 * and owned by task @a owner (0: the kernel): ENOMEM if no such run is
 * free. */
errno_t dma_buf_create(
    size_t size, uint64_t phys_limit, const ddi_range_t *dev, task_id_t owner, dma_buf_t **out);
void dma_buf_hold(dma_buf_t *b);
/* Drop a reference; the last one frees the frames and the buffer, or
 * quarantines them (an orphan whose device was not declared quiet). */
void dma_buf_put(dma_buf_t *b);
/* Buffers not freed yet, quarantined ones included (tests: leak checks). */
size_t dma_buf_live(void);
/* Pages held back in quarantine now. */
size_t dma_quarantined_pages(void);

/* Task @a owner is ending (before its handles and areas go): its buffers
 * become orphans. */
void dma_task_ended(task_id_t owner);
/* The devices inside @a dev (a range of the same kind covering theirs)
 * are quiet: their orphans' quarantined frames go back (the number of
 * pages is returned) and their orphans still referenced go back with
 * their last reference. */
size_t dma_quiesce(const ddi_range_t *dev);

/* A new handle in @a caps naming @a b (the table takes its own
 * reference): ELIMIT, ENOMEM. */
errno_t dma_buf_grant(cap_table_t *caps, dma_buf_t *b, cap_handle_t *out);
/* The buffer behind @a h, with a reference for the caller: ENOENT (no
 * such handle, or not a DMA buffer), ESTALE. */
errno_t dma_buf_get(cap_table_t *caps, cap_handle_t h, dma_buf_t **out);

/* Map all of @a b into @a as anywhere (@a flags: AS_AREA_RIGHTS bits):
 * the area's refusals (EINVAL, EPERM, ELIMIT, ENOMEM). */
errno_t dma_area_map(as_t *as, dma_buf_t *b, unsigned flags, uintptr_t *base_out);

/* Map [offset, offset + size) of the physical range @a r into @a as
 * anywhere (@a flags: AS_AREA_RIGHTS bits):
 *   EINVAL  unknown flags, size 0, offset or size not page aligned, @a r
 *           not a physical range;
 *   EPERM   not all inside the range;
 *   EBUSY   a page is RAM the frame allocator manages;
 * and the area's refusals (EPERM for W+X, ELIMIT, ENOMEM). */
errno_t ddi_phys_map(
    as_t *as, ddi_range_t *r, uint64_t offset, size_t size, unsigned flags, uintptr_t *base_out);

#endif
