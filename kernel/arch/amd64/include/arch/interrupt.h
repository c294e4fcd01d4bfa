/*
 * Interrupt and exception dispatch.
 *
 * Exceptions (vectors 0-31) are resolved in this order: a handler
 * registered for the vector (the page-fault handler, which may page in what
 * a copy from user space touched); for #PF, #GP and #SS in kernel mode, a
 * fixup entry for the faulting RIP in the exception table (.extable: memory
 * probes, later copy_from/to_uspace); an armed recovery point
 * (exc_recovery_arm, used by tests that fault on purpose); otherwise the
 * kernel prints a full report and powers off with the panic verdict.
 * The recovery state is per CPU in intent; one CPU runs now.  Vectors 32-47 are the legacy PIC's
 * IRQs 0-15.
 */
#ifndef KERN_ARCH_INTERRUPT_H_
#define KERN_ARCH_INTERRUPT_H_

#include <arch/arch.h>
#include <arch/istate.h>
#include <stdbool.h>

#define EXC_DE 0
#define EXC_UD 6
#define EXC_DF 8
#define EXC_SS 12
#define EXC_GP 13
#define EXC_PF 14
#define IRQ_BASE 32
#define IRQ_COUNT 16
#define IRQ_CASCADE 2 /* the slave PIC's line on the master */

/* Page-fault error code bits. */
#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_USER (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_FETCH (1u << 4)

/* An exception handler returns true when it resolved the exception. */
typedef bool (*exc_handler_t)(istate_t *is);
typedef void (*irq_handler_t)(unsigned irq, istate_t *is);

void exc_register(unsigned vector, exc_handler_t handler);
void irq_register(unsigned irq, irq_handler_t handler);
/* Whether the kernel keeps @a irq (a handler of its own, or the cascade):
 * user space cannot subscribe to it (ddi/irq.h). */
bool irq_line_kernel_owned(unsigned irq);

/* What the last recovered exception was (for tests). */
typedef struct exc_info {
	unsigned vector;
	uint64_t error;
	uint64_t rip;
	uint64_t cr2;
} exc_info_t;

/*
 * Arm a one-shot recovery: the next exception @a vector on this CPU resumes
 * at @a jb (kjmp_set returns 1 there) instead of being fatal.
 */
void exc_recovery_arm(kjmp_buf_t *jb, unsigned vector);
void exc_recovery_disarm(void);
const exc_info_t *exc_last_recovered(void);
unsigned long exc_recovered_count(void);

void interrupt_dispatch(istate_t *is);
void istate_print(const istate_t *is);

#endif
