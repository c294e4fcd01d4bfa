/* amd64 boot sequence pieces called from kernel_main(). */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <arch/multiboot.h>
#include <arch/page_table.h>
#include <arch/pic.h>
#include <arch/serial.h>
#include <debug.h>
#include <mm/bootmem.h>
#include <proc/cpu.h>

void arch_early_init(uint32_t mb_magic, uint32_t mb_info_pa)
{
	cpu_local_init(0); /* spinlocks use per-CPU data: first of all */
	serial_init();
	cpu_identify();
	gdt_init();
	idt_init();
	if (!multiboot2_parse(mb_magic, mb_info_pa))
		panic("no usable multiboot2 information (magic %#x, at %#x below 1 GiB?)", mb_magic,
		    mb_info_pa);
}

void arch_mm_init(void)
{
	bootmem_init(KERNEL_PBASE, KIMG2PA(kernel_image_end));
	page_table_kernel_init(bootmem_ram_end());
}

void arch_late_init(void)
{
	pic_init();
	fpu_init();
}
