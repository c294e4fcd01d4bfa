/*
 * The amd64 kernel's virtual memory layout.
 *
 *   0x0000000000000000 .. 0x00007fffffffffff  user space (lower half)
 *   0xffff800000000000 .. +512 GiB             direct map of physical memory
 *   0xffffffff80000000 .. top                  kernel image (-mcmodel=kernel)
 *
 * The direct map covers every byte of RAM the firmware reported, so the
 * kernel reaches any frame (page tables, slabs, pager frames) as
 * PA2KA(frame).  It is mapped read/write and never executable.
 */
#ifndef KERN_ARCH_LAYOUT_H_
#define KERN_ARCH_LAYOUT_H_

#define KERNEL_VBASE 0xffffffff80000000
#define KERNEL_PBASE 0x100000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_MAX (512ULL << 30)

/* Lowest kernel-half address; everything below is user space. */
#define KERNEL_SPACE_START 0xffff800000000000
#define USER_SPACE_END 0x0000800000000000

/* Boot stack and IST stack sizes. */
#define KERNEL_STACK_SIZE (16 * 1024)

#ifndef __ASSEMBLER__
#include <stdint.h>

#define PA2KA(pa) ((void *) ((uintptr_t) (pa) + DIRECT_MAP_BASE))
#define KA2PA(ka) ((uintptr_t) (ka) -DIRECT_MAP_BASE)
#define KIMG2PA(ka) ((uintptr_t) (ka) -KERNEL_VBASE)

extern char kernel_image_start[], kernel_image_end[];
extern char kernel_text_start[], kernel_text_end[];
extern char kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_data_end[];
#endif

#endif
