/*
 * What generic kernel code may ask of the architecture.  Everything here is
 * implemented in kernel/arch/amd64.
 */
#ifndef KERN_ARCH_ARCH_H_
#define KERN_ARCH_ARCH_H_

#include <arch/asm.h>
#include <arch/layout.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

typedef uint64_t ipl_t;

/* Disable interrupts on this CPU; returns the previous state. */
static inline ipl_t arch_interrupts_disable(void)
{
	ipl_t f = read_rflags();
	irq_disable();
	return f;
}

static inline void arch_interrupts_restore(ipl_t ipl)
{
	if (ipl & RFLAGS_IF)
		irq_enable();
}

static inline ipl_t arch_interrupts_enable(void)
{
	ipl_t f = read_rflags();
	irq_enable();
	return f;
}

static inline bool arch_interrupts_disabled(void)
{
	return !(read_rflags() & RFLAGS_IF);
}

static inline void arch_cpu_relax(void)
{
	cpu_pause();
}

static inline uintptr_t arch_frame_pointer(void)
{
	return read_frame_pointer();
}

static inline uint64_t arch_cycles(void)
{
	return rdtsc_ordered();
}

/* Exit statuses handed to the host through QEMU's isa-debug-exit. */
typedef enum {
	ARCH_EXIT_SUCCESS = 0x10, /* QEMU exits with 0x21 = 33 */
	ARCH_EXIT_FAILURE = 0x11, /* 35 */
	ARCH_EXIT_PANIC = 0x12, /* 37 */
} arch_exit_t;

noreturn void arch_poweroff(arch_exit_t code);

/* Print a frame-pointer backtrace starting at frame pointer @a fp. */
void arch_backtrace_print(uintptr_t fp);

/* Architecture set-up, in boot order. */
void arch_early_init(uint32_t mb_magic, uint32_t mb_info_pa);
void arch_mm_init(void);
void arch_late_init(void);

/* Resume points for expected exceptions (tests, probes). */
typedef struct kjmp_buf {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
} kjmp_buf_t;

/* Returns 0 when called, 1 when an armed exception resumed here. */
int kjmp_set(kjmp_buf_t *jb) __attribute__((returns_twice));

/* Fault-tolerant kernel memory probes: EOK or EFAULT. */
int arch_probe_read_u64(const void *addr, uint64_t *out);
int arch_probe_write_u64(void *addr, uint64_t value);

#endif
