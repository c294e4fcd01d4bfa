/*
 * Device memory and DMA buffers for drivers (abi/ddi.h; docs/drivers.md,
 * "Device memory and DMA").  Every call needs a capability the task
 * holds: without one it fails with ENOENT (ESTALE for a handle since
 * dropped) and maps nothing.
 */
#ifndef LIBC_DDI_MEM_H_
#define LIBC_DDI_MEM_H_

#include <abi/as.h>
#include <abi/cap.h>
#include <abi/ddi.h>
#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

/* Map [offset, offset + size) of the physical range @a range (page
 * aligned) anywhere; @a flags: AS_AREA_READ/WRITE/EXEC/UNCACHED (use
 * UNCACHED for device registers).  EPERM beyond the range, EBUSY if it is
 * RAM the kernel hands out, EINVAL for bad sizes or flags.  The area is
 * an ordinary one (as_area_destroy, share-out/share-in); it keeps the
 * range alive, so dropping the handle later leaves the mapping. */
errno_t phys_map(cap_handle_t range, uint64_t offset, size_t size, unsigned flags, uintptr_t *base);

/* A DMA buffer of @a size bytes (page aligned, at most DMA_SIZE_MAX):
 * physically contiguous, zeroed, pinned, all of it below the physical
 * address @a phys_limit (1ULL << 32 for a device that takes 32-bit
 * addresses; UINT64_MAX for any), mapped with @a flags.  @a device, a
 * physical or I/O-port range the task holds, authorizes it.  *out gets
 * the new handle of the buffer, where it is mapped and its physical
 * address.  ENOMEM if no such run of frames is free. */
errno_t dma_alloc(
    cap_handle_t device, size_t size, uint64_t phys_limit, unsigned flags, dma_info_t *out);

/* Map all of the DMA buffer @a dma (a handle of it) again, anywhere. */
errno_t dma_map(cap_handle_t dma, unsigned flags, uintptr_t *base);

/* Declare the devices inside @a device (a physical or I/O-port range the
 * task holds) quiet: their bus mastering is off, so the DMA buffers of
 * drivers that ended, held back since, can go (abi/ddi.h).  *pages (if
 * not NULL) gets how many pages went back.  devman calls it after
 * clearing a dead driver's device's Bus Master Enable. */
errno_t dma_quiesce(cap_handle_t device, uint64_t *pages);

#endif
