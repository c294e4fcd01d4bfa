/* Printing what the boot loader handed over. */
#include <console/console.h>
#include <main/bootinfo.h>

const char *boot_mem_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_AVAILABLE:
		return "available";
	case BOOT_MEM_RESERVED:
		return "reserved";
	case BOOT_MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case BOOT_MEM_NVS:
		return "ACPI NVS";
	case BOOT_MEM_BAD:
		return "bad";
	default:
		return "unknown";
	}
}

void boot_info_print(void)
{
	printf("boot: loader \"%s\", command line \"%s\"\n", boot_info.loader, boot_info.cmdline);
	printf("boot: memory map (%zu entries):\n", boot_info.memmap_count);
	for (size_t i = 0; i < boot_info.memmap_count; i++) {
		const boot_memmap_entry_t *e = &boot_info.memmap[i];
		printf("  %#014llx - %#014llx %8llu KiB %s\n", (unsigned long long) e->base,
		    (unsigned long long) (e->base + e->size - 1),
		    (unsigned long long) (e->size / 1024), boot_mem_type_name(e->type));
	}
	printf("boot: %zu module(s)\n", boot_info.module_count);
	if (boot_info.modules_dropped)
		printf("boot: %zu more module(s) left out: at most %d\n", boot_info.modules_dropped,
		    BOOT_MAX_MODULES);
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const boot_module_t *m = &boot_info.modules[i];
		printf("  module %zu: %#llx - %#llx (%llu bytes) \"%s\"\n", i,
		    (unsigned long long) m->start, (unsigned long long) m->end,
		    (unsigned long long) (m->end - m->start), m->cmdline);
	}
}
