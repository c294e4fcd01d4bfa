/*
 * Device resources as user space sees them (docs/drivers.md).
 *
 * A driver gets the hardware it may touch as capabilities (abi/cap.h): an
 * I/O-port range, a physical-address range (device memory) or a range of
 * IRQ lines, each a [base, base + size) of its kind.  Boot tasks get theirs
 * from the image recipe; other tasks only from a task that holds them (at
 * spawn or over IPC), and a holder can pass on only what it holds, or a
 * part of it.  Nothing checks "is this task privileged".
 */
#ifndef ABI_DDI_H_
#define ABI_DDI_H_

#include <abi/cap.h>
#include <abi/layout.h>
#include <stdint.h>

/* The kind of object behind a handle (SYS_CAP_INFO). */
typedef enum cap_kind {
	CAP_KIND_PHONE = 1,
	CAP_KIND_CALL = 2,
	CAP_KIND_IO_RANGE = 3, /* I/O ports [base, base + size) */
	CAP_KIND_PHYS_RANGE = 4, /* physical addresses [base, base + size), page-aligned */
	CAP_KIND_IRQ_RANGE = 5, /* IRQ lines [base, base + size) */
	CAP_KIND_DMA = 6, /* a DMA buffer: base its physical address, size its bytes */
} cap_kind_t;

/* What a handle names. */
typedef struct cap_info {
	uint32_t kind; /* cap_kind_t */
	uint32_t flags; /* CAP_INFO_* */
	uint64_t base; /* ranges: the first port, address or line; else 0 */
	uint64_t size; /* ranges: how many; else 0 */
} cap_info_t;

/* cap_info_t.flags of a received call (CAP_KIND_CALL): its caller no
 * longer waits for the answer (the caller's task ended, or its thread gave
 * up waiting).  Answering it is still right (it frees the handle) and the
 * answer goes nowhere.  A server that keeps calls for later (ns keeps
 * connects to names not registered yet) can thus drop the dead ones. */
#define CAP_INFO_CALL_ABANDONED (1u << 0)

/* The largest values of each range kind. */
#define DDI_IO_PORTS 0x10000u /* ports 0..0xffff */
#define DDI_IRQ_LINES 16u /* the legacy PIC's lines 0..15 */
#define DDI_PHYS_LIMIT (1ull << 52) /* amd64's physical address width at most */

/*
 * Device memory and DMA (docs/drivers.md, "Device memory and DMA").
 *
 * SYS_PHYS_MAP maps a page-aligned part of a physical range the caller
 * holds.  SYS_DMA_ALLOC makes a DMA buffer: physically contiguous, zeroed,
 * pinned frames with all of [paddr, paddr + size) below the limit asked
 * for, mapped into the caller, named by a new CAP_KIND_DMA handle; it is
 * authorized by a device capability (a physical or I/O-port range) the
 * caller holds.  SYS_DMA_MAP maps a buffer the caller holds a handle of.
 * A buffer's frames go back when its last handle and last mapping are
 * gone.  Flags: AS_AREA_READ/WRITE/EXEC/UNCACHED (abi/as.h).
 */
/* The largest DMA buffer (bytes): 1024 contiguous pages. */
#define DMA_SIZE_MAX (4u << 20)

/* What SYS_DMA_ALLOC reports. */
typedef struct dma_info {
	cap_handle_t handle; /* the buffer's new CAP_KIND_DMA handle */
	uint32_t pad;
	uint64_t vaddr; /* where it is mapped in the caller */
	uint64_t paddr; /* its physical address (for the device) */
	uint64_t size; /* bytes */
} dma_info_t;

ABI_SIZE(dma_info_t, 32);
ABI_FIELD(dma_info_t, handle, 0);
ABI_FIELD(dma_info_t, vaddr, 8);
ABI_FIELD(dma_info_t, paddr, 16);
ABI_FIELD(dma_info_t, size, 24);

#endif
