/* Thin wrappers around amd64 instructions the kernel needs. */
#ifndef KERN_ARCH_ASM_H_
#define KERN_ARCH_ASM_H_

#include <abi/page.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RFLAGS_IF (1UL << 9)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t) hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t) v), "d"((uint32_t) (v >> 32)));
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

/*
 * Zero @a pages whole pages at @a dst (page aligned): eight 64-bit stores
 * a loop iteration.  Not memset's "rep stosb": QEMU's TCG runs a rep
 * string instruction one element per iteration of its own loop, about 5
 * TSC cycles a byte (22,000 a page, measured; docs/PERFORMANCE.md), and
 * freshly allocated pages are zeroed on every first touch of anonymous
 * memory.  On hardware both forms run near memory bandwidth.
 */
static inline void arch_page_zero(void *dst, size_t pages)
{
	size_t lines = pages * (PAGE_SIZE / 64);
	if (lines == 0)
		return; /* the loop below runs at least once */
	__asm__ volatile("1:\n\t"
	                 "movq %2, 0(%0)\n\t"
	                 "movq %2, 8(%0)\n\t"
	                 "movq %2, 16(%0)\n\t"
	                 "movq %2, 24(%0)\n\t"
	                 "movq %2, 32(%0)\n\t"
	                 "movq %2, 40(%0)\n\t"
	                 "movq %2, 48(%0)\n\t"
	                 "movq %2, 56(%0)\n\t"
	                 "addq $64, %0\n\t"
	                 "decq %1\n\t"
	                 "jnz 1b"
	                 : "+r"(dst), "+r"(lines)
	                 : "r"(0UL)
	                 : "memory", "cc");
}

static inline void cpu_halt(void)
{
	__asm__ volatile("hlt");
}

static inline void cpu_pause(void)
{
	__asm__ volatile("pause");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* Time-stamp counter, ordered against earlier and later instructions. */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t) hi << 32) | lo;
}

static inline uint64_t read_frame_pointer(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

#define MSR_EFER 0xc0000080
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)

#define CR0_WP (1UL << 16)
#define CR4_PGE (1UL << 7)
#define CR4_PCIDE (1UL << 17)

#endif
