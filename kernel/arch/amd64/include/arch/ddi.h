/*
 * The TSS's I/O permission bitmap (arch/amd64/src/ddi.c).
 *
 * The TSS always carries a full bitmap (every port's bit, plus the
 * terminating 0xff byte) inside its limit.  Its bytes are all 1s (no port)
 * except while a task with ports of its own runs: then its bitmap's used
 * bytes are copied in.  Switching between tasks without ports costs a
 * test; switching to a task with ports copies only the bytes that hold
 * its ports (up to the highest), and only when another task's, or an
 * older version of its, bitmap is loaded.
 */
#ifndef KERN_ARCH_DDI_H_
#define KERN_ARCH_DDI_H_

#include <arch/istate.h>
#include <proc/task.h>
#include <stdbool.h>
#include <stddef.h>

/* TSS bitmap bytes [0, arch_io_dirty) may hold 0 bits (a task with ports
 * was loaded); interrupts disabled. */
extern size_t arch_io_dirty;

/* The work of arch_io_switch when a task with ports is involved. */
void arch_io_switch_load(struct task *task);

/* Load the I/O bitmap of @a task (NULL: the kernel's threads, which leave
 * it) into the TSS.  Interrupts disabled.  Inline: between tasks without
 * ports it costs two tests. */
static inline void arch_io_switch(struct task *task)
{
	if (task && (task->iomap || arch_io_dirty))
		arch_io_switch_load(task);
}
/* #GP from user mode: if the instruction is an I/O-port access, kill the
 * task with a report naming the port (does not return); else false. */
bool arch_io_fault(istate_t *is);
void arch_ddi_init(void);

#endif
