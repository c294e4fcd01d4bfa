/* Page geometry shared by the kernel and user space (amd64). */
#ifndef ABI_PAGE_H_
#define ABI_PAGE_H_

#define PAGE_WIDTH 12
#define PAGE_SIZE (1UL << PAGE_WIDTH)

#endif
