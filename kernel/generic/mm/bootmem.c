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

/* The lowest reserved start in [from, limit), or limit. */
static uint64_t next_reserved_start(uint64_t from, uint64_t limit)
{
	uint64_t next = limit;
	for (size_t i = 0; i < reserved_count; i++) {
		if (reserved[i].start >= from && reserved[i].start < next)
			next = reserved[i].start;
	}
	return next;
}

/* If @a pa lies in a reserved range, the end of that range; else pa. */
static uint64_t skip_reserved(uint64_t pa)
{
	for (bool moved = true; moved;) {
		moved = false;
		for (size_t i = 0; i < reserved_count; i++) {
			if (pa >= reserved[i].start && pa < reserved[i].end) {
				pa = reserved[i].end;
				moved = true;
			}
		}
	}
	return pa;
}

/* Consider every free gap of one RAM entry below BOOTMEM_LIMIT. */
static void bootmem_scan_entry(const boot_memmap_entry_t *e, uint64_t *best)
{
	uint64_t end = PAGE_ALIGN_DOWN(e->base + e->size);
	if (end > BOOTMEM_LIMIT)
		end = BOOTMEM_LIMIT;
	uint64_t s = skip_reserved(PAGE_ALIGN_UP(e->base));
	while (s < end) {
		uint64_t gap_end = next_reserved_start(s, end);
		if (gap_end - s > *best) {
			*best = gap_end - s;
			bump_start = bump_cur = s;
			bump_end = gap_end;
		}
		s = skip_reserved(gap_end);
	}
}

/* Pick the bump region: the largest free gap between boot structures in
 * RAM below the 1 GiB the boot page tables map. */
static void bootmem_pick_region(void)
{
	uint64_t best = 0;
	for (size_t i = 0; i < boot_info.memmap_count; i++) {
		if (boot_info.memmap[i].type == BOOT_MEM_AVAILABLE)
			bootmem_scan_entry(&boot_info.memmap[i], &best);
	}
	if (best == 0)
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
