/* Multiboot2 boot information parser. */
#ifndef KERN_ARCH_MULTIBOOT_H_
#define KERN_ARCH_MULTIBOOT_H_

#include <stdbool.h>
#include <stdint.h>

/* Fill boot_info from the loader's structure; false if it is not ours. */
bool multiboot2_parse(uint32_t magic, uint32_t info_pa);

#endif
