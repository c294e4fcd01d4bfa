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
	CAP_KIND_IRQ_SUB = 7, /* an IRQ subscription (SYS_IRQ_SUBSCRIBE) */
	CAP_KIND_TASK = 8, /* the right to kill task base (SYS_TASK_RIGHT, abi/task.h) */
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

/*
 * Interrupts (Part C; docs/drivers.md "Interrupts").
 *
 *  - SYS_IRQ_SUBSCRIBE(cap_handle_t irq_range, unsigned line, sysarg_t
 *    imethod, sysarg_t arg, cap_handle_t *out): subscribe the caller's
 *    answerbox to @a line through an IRQ range capability that covers it;
 *    *out gets a CAP_KIND_IRQ_SUB handle.  ENOENT/ESTALE (no such range
 *    handle, or a handle of another kind), EINVAL (line >= DDI_IRQ_LINES),
 *    EPERM (the range does not cover the line), EBUSY (the kernel keeps
 *    the line: the timer 0, the cascade 2), ELIMIT (DDI_IRQ_SUBS_PER_LINE
 *    subscribers already, or the handle table is full), ENOMEM, EFAULT
 *    (out): nothing is subscribed on error.  A line's first subscriber
 *    unmasks it.
 *  - Each interrupt of the line then gives the subscriber an IPC_EV_IRQ
 *    event (abi/ipc.h) from SYS_IPC_WAIT / SYS_IPC_REPLY_WAIT, carrying
 *    imethod and arg.  A subscription has at most one event queued: more
 *    interrupts before the task takes it are added to it (its arg[1]
 *    counts them; arg[2] counts, since subscribing, the interrupts that
 *    came while one was already queued), so a flood costs no memory.
 *  - The line is masked at the interrupt controller from the interrupt
 *    until every subscriber that was told of it calls SYS_IRQ_ACK(sub)
 *    (after quieting its device: a level-triggered line would otherwise
 *    interrupt again at once).  SYS_IRQ_ACK when nothing is owed is EOK
 *    and does nothing; ENOENT/ESTALE for a bad handle.
 *  - Closing the handle (the task's end) unsubscribes: an event still
 *    queued is dropped, and a line left without subscribers stays masked.
 *  - SYS_IRQ_TEST_RAISE(cap_handle_t sub, unsigned times): for tests
 *    only, @a times interrupts of the subscription's line, made by the
 *    kernel as its interrupt dispatch would (every subscriber of the line
 *    is told, the line is masked).  ENOTSUP unless the kernel was booted
 *    with utest= or ipc_fail_inject; EINVAL for times 0 or > 1000000.
 */
#define DDI_IRQ_SUBS_PER_LINE 8u

/*
 * Console input (Part C; docs/drivers.md "Console input").  The kernel's
 * serial driver (COM1) keeps the bytes it receives (a ring of 4 KiB; more
 * are dropped and counted) and tells the subscribers of its IRQ line 4
 * with an IPC_EV_IRQ event that some are waiting; the line is the
 * kernel's, so it is never masked for them and SYS_IRQ_ACK does nothing.
 *
 *  - SYS_KCONSOLE_READ(cap_handle_t sub, void *buf, size_t size,
 *    size_t *count): move up to @a size (at most 512 a call) of the
 *    oldest bytes to @a buf; *count gets how many (0: none waiting).  A
 *    buffer the kernel cannot write leaves the bytes for the next read.  Only through a subscription
 *    to the console's line: ENOENT/ESTALE (no subscription), EPERM (one to
 *    another line), ENOTSUP (no console input); EFAULT/EINVAL (buf, count:
 *    nothing is taken).
 */
#define DDI_CONSOLE_IRQ 4u

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
 *
 * A buffer is for the device whose range authorized it.  If the task that
 * allocated it ends while the buffer lives (a driver killed mid-I/O), its
 * device might still write into it: when its last handle and mapping go,
 * its frames are quarantined (kept off the free list; mem_stats_t
 * dma_quarantined counts them) until a holder of a range of the same kind
 * covering the device's range declares the device quiet with
 * SYS_DMA_QUIESCE(range, uint64_t *pages_out) -- devman, after clearing
 * the device's Bus Master Enable.  ENOENT/ESTALE if @a range is not a
 * phys or I/O-port range the caller holds (nothing changes); EFAULT if
 * pages_out cannot be written (checked first; if it is unmapped meanwhile
 * the device is quiesced all the same).  A quiesce also lets the
 * device's orphaned buffers still mapped somewhere go straight back when
 * their last mapping goes.  A buffer dropped by its live owner is freed
 * at once, as ever: the owner answers for its device.
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
