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
 * one per share snapshot in flight, and the creator's while it works.  A
 * buffer never changes after it is made, so the count is its only state
 * (atomic, no lock).
 */
#ifndef KERN_DDI_DMA_H_
#define KERN_DDI_DMA_H_

#include <abi/ddi.h>
#include <abi/errno.h>
#include <cap/cap.h>
#include <ddi/range.h>
#include <mm/as.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dma_buf {
	uint32_t refs; /* atomic */
	uintptr_t paddr; /* constant */
	size_t pages; /* constant */
} dma_buf_t;

void dma_init(void);

/* A buffer of @a size bytes (page aligned, 1 .. DMA_SIZE_MAX: else EINVAL)
 * whose frames all lie below the physical address @a phys_limit, zeroed,
 * with one reference (the caller's): ENOMEM if no such run is free. */
errno_t dma_buf_create(size_t size, uint64_t phys_limit, dma_buf_t **out);
void dma_buf_hold(dma_buf_t *b);
/* Drop a reference; the last one frees the frames and the buffer. */
void dma_buf_put(dma_buf_t *b);
/* Buffers alive now (tests: leak checks). */
size_t dma_buf_live(void);

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
