/*
 * Kernel stacks: KSTACK_PAGES frames mapped in the kernel-stack region
 * with an unmapped guard gap below each, so an overflow faults (and is
 * reported through the double-fault IST stack) instead of corrupting the
 * neighbour.
 */
#ifndef KERN_MM_KSTACK_H_
#define KERN_MM_KSTACK_H_

#include <abi/errno.h>
#include <stdint.h>

#define KSTACK_REGION_BASE 0xffffc00000000000UL
#define KSTACK_SLOTS 4096

/* The lowest address of a new stack: ENOMEM, ELIMIT (no slot). */
errno_t kstack_alloc(uintptr_t *base);
void kstack_free(uintptr_t base);

#endif
