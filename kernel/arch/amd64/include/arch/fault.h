/* Page faults and user-mode exceptions (arch/amd64/src/fault.c). */
#ifndef KERN_ARCH_FAULT_H_
#define KERN_ARCH_FAULT_H_

#include <arch/istate.h>
#include <stdbool.h>

void fault_init(void);
/* An exception nobody resolved, from user mode: kill the task (no return).
 * Returns false if the exception did not come from user mode. */
bool fault_user_exception(istate_t *is);

#endif
