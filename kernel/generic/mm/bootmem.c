/* Boot-time memory (see mm/bootmem.h). */
#include <arch/layout.h>
#include <debug.h>
#include <main/bootinfo.h>
#include <mem.h>
#include <mm/bootmem.h>
#include <mm/page.h>

#define BOOTMEM_LIMIT (1ULL << 30) /* the boot page tables map 1 GiB */

static phys_range_t reserved[BOOTMEM_MAX_RESERVED];
static size_t reserved_count;
static uint64_t bump_start, bump_cur, bump_end;
static bool bootmem_closed;

static void bootmem_reserve(uint64_t start, uint64_t end)
{
	if (reserved_count == BOOTMEM_MAX_RESERVED)
		panic("bootmem: too many reserved ranges");
	reserved[reserved_count].start = PAGE_ALIGN_DOWN(start);
	reserved[reserved_count].end = PAGE_ALIGN_UP(end);
	reserved_count++;
}

static uint64_t reserved_top(void)
{
	uint64_t top = 0;
	for (size_t i = 0; i < reserved_count; i++) {
		if (reserved[i].end > top && reserved[i].end <= BOOTMEM_LIMIT)
			top = reserved[i].end;
	}
	return top;
}

/* Pick the bump region: the part of a free RAM entry above every boot
 * structure, below the 1 GiB the boot tables map. */
static void bootmem_pick_region(void)
{
	uint64_t floor = reserved_top();
	uint64_t best = 0;
	for (size_t i = 0; i < boot_info.memmap_count; i++) {
		const boot_memmap_entry_t *e = &boot_info.memmap[i];
		if (e->type != BOOT_MEM_AVAILABLE)
			continue;
		uint64_t s = PAGE_ALIGN_UP(e->base > floor ? e->base : floor);
		uint64_t end = PAGE_ALIGN_DOWN(e->base + e->size);
		if (end > BOOTMEM_LIMIT)
			end = BOOTMEM_LIMIT;
		if (s < end && end - s > best) {
			best = end - s;
			bump_start = bump_cur = s;
			bump_end = end;
		}
	}
	if (bump_start == bump_end)
		panic("bootmem: no free memory below 1 GiB");
}

void bootmem_init(uint64_t kernel_pa_start, uint64_t kernel_pa_end)
{
	bootmem_reserve(0, 0x100000);
	bootmem_reserve(kernel_pa_start, kernel_pa_end);
	if (boot_info.info_end > boot_info.info_start)
		bootmem_reserve(boot_info.info_start, boot_info.info_end);
	for (size_t i = 0; i < boot_info.module_count; i++)
		bootmem_reserve(boot_info.modules[i].start, boot_info.modules[i].end);
	bootmem_pick_region();
}

uint64_t bootmem_alloc(size_t size)
{
	assert(!bootmem_closed);
	size = PAGE_ALIGN_UP(size);
	if (bump_end - bump_cur < size)
		panic("bootmem: out of boot memory (%zu bytes wanted)", size);
	uint64_t pa = bump_cur;
	bump_cur += size;
	memset(PA2KA(pa), 0, size);
	return pa;
}

void bootmem_close(void)
{
	if (!bootmem_closed && bump_cur > bump_start)
		bootmem_reserve(bump_start, bump_cur);
	bootmem_closed = true;
}

size_t bootmem_reserved(const phys_range_t **ranges)
{
	*ranges = reserved;
	return reserved_count;
}

uint64_t bootmem_ram_end(void)
{
	uint64_t top = 0;
	for (size_t i = 0; i < boot_info.memmap_count; i++) {
		const boot_memmap_entry_t *e = &boot_info.memmap[i];
		if (e->type == BOOT_MEM_AVAILABLE && e->base + e->size > top)
			top = e->base + e->size;
	}
	return top;
}
