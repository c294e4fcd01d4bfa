/*
 * Multiboot2 boot information parser: copies the memory map, the modules,
 * the command line and the loader name into boot_info.  Runs while the boot
 * page tables still map the first 1 GiB at DIRECT_MAP_BASE; the structure
 * GRUB hands over lives below that.
 */
#include <arch/layout.h>
#include <arch/multiboot.h>
#include <debug.h>
#include <main/bootinfo.h>
#include <mem.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define BOOT_MAPPED_LIMIT (1ULL << 30)
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6

typedef struct mb2_tag {
	uint32_t type;
	uint32_t size;
} mb2_tag_t;

typedef struct mb2_module {
	mb2_tag_t tag;
	uint32_t start;
	uint32_t end;
	char cmdline[];
} mb2_module_t;

typedef struct mb2_mmap {
	mb2_tag_t tag;
	uint32_t entry_size;
	uint32_t entry_version;
} mb2_mmap_t;

typedef struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
} mb2_mmap_entry_t;

static void copy_string(char *dst, size_t size, const char *src)
{
	size_t i = 0;
	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void mb2_parse_mmap(const mb2_mmap_t *m)
{
	const uint8_t *p = (const uint8_t *) (m + 1);
	const uint8_t *end = (const uint8_t *) m + m->tag.size;
	if (m->entry_size < sizeof(mb2_mmap_entry_t))
		return;
	for (; p + m->entry_size <= end; p += m->entry_size) {
		const mb2_mmap_entry_t *e = (const mb2_mmap_entry_t *) p;
		if (boot_info.memmap_count == BOOT_MAX_MEMMAP)
			break;
		boot_memmap_entry_t *d = &boot_info.memmap[boot_info.memmap_count++];
		d->base = e->base;
		d->size = e->length;
		d->type = (e->type >= 1 && e->type <= 5) ? e->type : BOOT_MEM_RESERVED;
	}
}

static void mb2_parse_tag(const mb2_tag_t *tag)
{
	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), (const char *) (tag + 1));
		break;
	case MB2_TAG_LOADER:
		copy_string(boot_info.loader, sizeof(boot_info.loader), (const char *) (tag + 1));
		break;
	case MB2_TAG_MODULE: {
		const mb2_module_t *m = (const mb2_module_t *) tag;
		if (boot_info.module_count == BOOT_MAX_MODULES) {
			boot_info.modules_dropped++; /* said at boot (main.c) */
			break;
		}
		boot_module_t *d = &boot_info.modules[boot_info.module_count++];
		d->start = m->start;
		d->end = m->end;
		copy_string(d->cmdline, sizeof(d->cmdline), m->cmdline);
		break;
	}
	case MB2_TAG_MMAP:
		mb2_parse_mmap((const mb2_mmap_t *) tag);
		break;
	default:
		break;
	}
}

bool multiboot2_parse(uint32_t magic, uint32_t info_pa)
{
	if (magic != MB2_BOOTLOADER_MAGIC || info_pa == 0 || (info_pa & 7))
		return false;
	/* the boot page tables map only the first GiB */
	if ((uint64_t) info_pa + 8 > BOOT_MAPPED_LIMIT)
		return false;
	const uint8_t *info = PA2KA(info_pa);
	uint32_t total = *(const uint32_t *) info;
	if (total < 8 || (uint64_t) info_pa + total > BOOT_MAPPED_LIMIT)
		return false;
	boot_info.info_start = info_pa;
	boot_info.info_end = (uint64_t) info_pa + total;

	const uint8_t *p = info + 8;
	while (p + sizeof(mb2_tag_t) <= info + total) {
		const mb2_tag_t *tag = (const mb2_tag_t *) p;
		if (tag->type == MB2_TAG_END || tag->size < sizeof(mb2_tag_t))
			break;
		mb2_parse_tag(tag);
		p += (tag->size + 7) & ~7u;
	}
	return true;
}
