/* Register state saved on the kernel stack by every interrupt/exception stub. */
#ifndef KERN_ARCH_ISTATE_H_
#define KERN_ARCH_ISTATE_H_

#include <stdint.h>

typedef struct istate {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
} istate_t;

_Static_assert(sizeof(istate_t) == 22 * 8, "istate layout matches entry.S");

#endif
