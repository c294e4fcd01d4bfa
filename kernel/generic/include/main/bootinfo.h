/*
 * What the boot loader told the kernel, copied out of the loader's
 * structures early in boot (the originals are not kept mapped or reserved
 * beyond the boot).  Filled by the architecture (multiboot2 on amd64).
 */
#ifndef KERN_MAIN_BOOTINFO_H_
#define KERN_MAIN_BOOTINFO_H_

#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_MEMMAP 64
#define BOOT_MAX_MODULES 48 /* boot/meson.build checks its list against it */
#define BOOT_CMDLINE_MAX 256
#define BOOT_MODULE_CMDLINE_MAX 256

typedef enum {
	BOOT_MEM_AVAILABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
} boot_mem_type_t;

typedef struct boot_memmap_entry {
	uint64_t base;
	uint64_t size;
	uint32_t type;
} boot_memmap_entry_t;

typedef struct boot_module {
	uint64_t start; /* physical, inclusive */
	uint64_t end; /* physical, exclusive */
	char cmdline[BOOT_MODULE_CMDLINE_MAX];
} boot_module_t;

typedef struct boot_info {
	boot_memmap_entry_t memmap[BOOT_MAX_MEMMAP];
	size_t memmap_count;
	boot_module_t modules[BOOT_MAX_MODULES];
	size_t modules_dropped; /* modules past BOOT_MAX_MODULES, left out */
	size_t module_count;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[64];
	uint64_t info_start; /* the loader's structure, physical */
	uint64_t info_end;
} boot_info_t;

extern boot_info_t boot_info;

const char *boot_mem_type_name(uint32_t type);
void boot_info_print(void);

#endif
