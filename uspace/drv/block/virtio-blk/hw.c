/*
 * The system services the driver uses, in one place: device memory
 * (SYS_PHYS_MAP), DMA buffers (SYS_DMA_ALLOC), capability information
 * (SYS_CAP_INFO) and interrupts (SYS_IRQ_SUBSCRIBE).  docs/drivers.md
 * describes each.
 */
#include <abi/as.h>
#include <abi/ddi.h>
#include <as.h>
#include <cap.h>
#include <ddi_mem.h>
#include <irq.h>

#include "vblk.h"

/*
 * Map the whole physical range `range` (the pages a BAR lies in) uncached;
 * *range_base and *size get what it covers.
 */
errno_t vblk_hw_map(
    cap_handle_t range, volatile uint8_t **base, uint64_t *range_base, uint64_t *size)
{
	cap_info_t info;
	uintptr_t va;
	errno_t rc = cap_info(range, &info);

	if (rc != EOK)
		return rc;
	if (info.kind != CAP_KIND_PHYS_RANGE)
		return EINVAL;
	rc = phys_map(range, 0, info.size, AS_AREA_READ | AS_AREA_WRITE | AS_AREA_UNCACHED, &va);
	if (rc != EOK)
		return rc;
	*base = (volatile uint8_t *) va;
	*range_base = info.base;
	*size = info.size;
	return EOK;
}

/*
 * Zeroed, physically contiguous DMA memory of `size` bytes (a multiple of
 * the page size), mapped read-write; the device's BAR capability
 * authorizes it.
 */
errno_t vblk_hw_dma(vblk_t *vb, size_t size, vblk_dma_t *dma)
{
	dma_info_t info;
	errno_t rc = dma_alloc(
	    vb->dma_auth, size, VBLK_DMA_LIMIT, AS_AREA_READ | AS_AREA_WRITE, &info);

	if (rc != EOK)
		return rc;
	*dma = (vblk_dma_t){ .handle = info.handle,
		.vaddr = (uint8_t *) (uintptr_t) info.vaddr,
		.paddr = info.paddr,
		.size = info.size };
	return EOK;
}

/* Our mapping and capability go; the frames stay while a client maps them. */
void vblk_hw_dma_free(vblk_dma_t *dma)
{
	if (dma->size == 0)
		return;
	as_area_destroy((uintptr_t) dma->vaddr);
	cap_drop(dma->handle);
	*dma = (vblk_dma_t){ .handle = CAP_NIL };
}

/* Subscribe to `line` through the IRQ range `range`. */
errno_t vblk_hw_irq(vblk_t *vb, cap_handle_t range, unsigned line)
{
	cap_info_t info;
	errno_t rc = cap_info(range, &info);

	if (rc != EOK)
		return rc;
	if (info.kind != CAP_KIND_IRQ_RANGE || line < info.base || line - info.base >= info.size)
		return EINVAL;
	vb->irq_line = line;
	return irq_subscribe(range, line, VBLK_IRQ_METHOD, 0, &vb->irq_sub);
}

/* The device is quiet (its ISR was read): unmask the line. */
void vblk_hw_irq_ack(vblk_t *vb)
{
	irq_ack(vb->irq_sub);
}
