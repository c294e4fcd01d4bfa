/* amd64 boot sequence pieces called from kernel_main(). */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/fault.h>
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <arch/multiboot.h>
#include <arch/page_table.h>
#include <arch/pic.h>
#include <arch/serial.h>
#include <console/console.h>
#include <debug.h>
#include <main/bootinfo.h>
#include <main/cmdline.h>
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
	/* PCIDs: TLB entries tagged per address space survive switches.  The
	 * kernel's own table runs with PCID 0 (CR3 bits 11:0 are 0 here, as
	 * enabling requires).  "nopcid" on the command line turns them off. */
	if (cpu_features.pcid && !cmdline_has(boot_info.cmdline, "nopcid")) {
		write_cr4(read_cr4() | CR4_PCIDE);
		printf("mm: PCIDs enabled\n");
	}
}

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084

void syscall_entry(void);

/*
 * SYSCALL enters at syscall_entry with CS = GDT_KCODE, SS = GDT_KDATA;
 * SYSRET returns with CS = GDT_UCODE32 + 16 = GDT_UCODE and SS =
 * GDT_UCODE32 + 8 = GDT_UDATA (hence the GDT order).  SFMASK clears IF,
 * DF, TF and AC on entry.
 */
static void syscall_arch_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t) GDT_KCODE << 32) | ((uint64_t) (GDT_UCODE32 | 3) << 48));
	wrmsr(MSR_LSTAR, (uint64_t) syscall_entry);
	wrmsr(MSR_SFMASK, (1u << 9) | (1u << 10) | (1u << 8) | (1u << 18));
}

void arch_late_init(void)
{
	pic_init();
	serial_input_init();
	fpu_init();
	syscall_arch_init();
	fault_init();
}
