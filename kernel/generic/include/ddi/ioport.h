/*
 * I/O ports (docs/drivers.md, "I/O ports").
 *
 * A task that enables a CAP_IO_RANGE (SYS_IOPORT_ENABLE) gets an I/O
 * permission bitmap of its own: one bit per port, 0 = allowed, in the
 * layout the CPU reads from the TSS.  The scheduler loads it into the TSS
 * when it switches to the task (arch_io_switch); a task without one costs
 * nothing there.  A port the bitmap does not allow makes in/out fault
 * (#GP) and the task is killed with a report naming the port.
 *
 * Enabling is permanent for the task's life: dropping the capability
 * later does not revoke the ports (the bitmap keeps no reference to the
 * range).
 *
 * Lock: iomap_lock (an irq spinlock, ddi/ioport.c) protects task_t.iomap
 * and every ddi_iomap_t; the context switch reads them with interrupts
 * disabled (single CPU: docs/architecture.md).
 */
#ifndef KERN_DDI_IOPORT_H_
#define KERN_DDI_IOPORT_H_

#include <abi/cap.h>
#include <abi/ddi.h>
#include <abi/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DDI_IOMAP_BYTES (DDI_IO_PORTS / 8)

typedef struct ddi_iomap {
	size_t bytes; /* bytes [0, bytes) may hold 0 bits; the rest are all 1s */
	uint64_t version; /* changes with every enable */
	uint8_t *bits; /* DDI_IOMAP_BYTES */
} ddi_iomap_t;

struct task;

/* Let @a task use the ports of the I/O range @a h in its table: ENOENT,
 * ESTALE (no such range), ENOMEM.  Takes effect at once for the calling
 * thread if @a task is the current task. */
errno_t ddi_ioport_enable(struct task *task, cap_handle_t h);
/* Whether @a task may use the @a size ports from @a port (tests). */
bool ddi_ioport_allowed(struct task *task, uint16_t port, unsigned size);
/* Free @a task's bitmap (the task is being freed). */
void ddi_ioport_task_free(struct task *task);

#endif
