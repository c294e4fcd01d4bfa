/*
 * Boot-time memory: a bump allocator over one free RAM region below 1 GiB,
 * used before the frame allocator exists (boot page tables, the frame
 * array).  It also knows the physical ranges that must never be handed out:
 * the first MiB, the kernel image, the boot modules, the loader's data, and
 * whatever bootmem itself gave away.
 */
#ifndef KERN_MM_BOOTMEM_H_
#define KERN_MM_BOOTMEM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct phys_range {
	uint64_t start;
	uint64_t end; /* exclusive */
} phys_range_t;

#define BOOTMEM_MAX_RESERVED 40

void bootmem_init(uint64_t kernel_pa_start, uint64_t kernel_pa_end);
/* Zeroed, page-aligned physical memory; panics if the machine is too small. */
uint64_t bootmem_alloc(size_t size);
/* No more allocations; from now on the frame allocator owns memory. */
void bootmem_close(void);
size_t bootmem_reserved(const phys_range_t **ranges);
/* Highest end address of available RAM. */
uint64_t bootmem_ram_end(void);

#endif
