/* amd64 4-level page tables: boot-time construction of the kernel tables. */
#ifndef KERN_ARCH_PAGE_TABLE_H_
#define KERN_ARCH_PAGE_TABLE_H_

#include <stdint.h>

/* Build the kernel's own tables (direct map + image) and switch to them. */
void page_table_kernel_init(uint64_t ram_end);
/* Page-table pages come from the frame allocator from now on. */
void page_table_use_frames(void);

#endif
