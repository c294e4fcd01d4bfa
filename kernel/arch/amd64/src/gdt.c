/*
 * GDT, TSS and IDT.
 *
 * Long mode ignores segment bases and limits except for the TSS, which
 * holds the stack the CPU switches to on entry from user mode (rsp0) and
 * the interrupt stacks (IST).  A double fault always runs on its own IST
 * stack so a kernel stack overflow still produces a report.  The I/O
 * permission bitmap follows the TSS inside its limit (arch/ddi.h): all 1s
 * but while a task with ports runs.
 */
#include <abi/ddi.h>
#include <arch/gdt.h>
#include <arch/layout.h>
#include <mem.h>
#include <stddef.h>
#include <stdint.h>

typedef struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} tss_t;

typedef struct __attribute__((packed)) idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} idt_gate_t;

typedef struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
} desc_ptr_t;

extern const uint64_t int_stub_table[48];
extern char boot_stack_top[];

static uint64_t gdt[8] __attribute__((aligned(16))) = {
	[0] = 0,
	[GDT_KCODE / 8] = 0x00af9a000000ffffULL, /* DPL 0, 64-bit code */
	[GDT_KDATA / 8] = 0x00cf92000000ffffULL, /* DPL 0, data */
	[GDT_UCODE32 / 8] = 0, /* unused */
	[GDT_UDATA / 8] = 0x00cff2000000ffffULL, /* DPL 3, data */
	[GDT_UCODE / 8] = 0x00affa000000ffffULL, /* DPL 3, 64-bit code */
	/* [6], [7]: TSS descriptor, filled in by gdt_init() */
};

/* The TSS and its I/O bitmap: one bit per port, then a byte of 1s (the
 * CPU reads two bytes for an access). */
typedef struct __attribute__((packed)) tss_io {
	tss_t tss;
	uint8_t iomap[DDI_IO_PORTS / 8 + 1];
} tss_io_t;

static tss_io_t tss_io __attribute__((aligned(16)));
#define tss (tss_io.tss)
static uint8_t df_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));
static idt_gate_t idt[256] __attribute__((aligned(16)));

static void gdt_set_tss(void)
{
	uint64_t base = (uint64_t) &tss_io;
	uint64_t limit = sizeof(tss_io) - 1;

	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
	    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
}

void tss_set_kernel_stack(uint64_t top)
{
	tss.rsp[0] = top;
}

uint8_t *tss_io_bitmap(void)
{
	return tss_io.iomap;
}

void gdt_init(void)
{
	tss.rsp[0] = (uint64_t) boot_stack_top;
	tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t) (df_stack + sizeof(df_stack));
	tss.iomap_base = offsetof(tss_io_t, iomap);
	memset(tss_io.iomap, 0xff, sizeof(tss_io.iomap));
	gdt_set_tss();

	desc_ptr_t p = { .limit = sizeof(gdt) - 1, .base = (uint64_t) gdt };
	__asm__ volatile("lgdt %0\n"
	                 "pushq %1\n"
	                 "leaq 1f(%%rip), %%rax\n"
	                 "pushq %%rax\n"
	                 "lretq\n"
	                 "1:\n"
	                 "movw %w2, %%ds\n"
	                 "movw %w2, %%es\n"
	                 "movw %w2, %%ss\n"
	                 :
	                 : "m"(p), "i"(GDT_KCODE), "r"(GDT_KDATA)
	                 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
}

static void idt_set_gate(unsigned v, uint64_t handler, unsigned ist)
{
	idt[v].offset_lo = handler & 0xffff;
	idt[v].selector = GDT_KCODE;
	idt[v].ist = (uint8_t) ist;
	idt[v].type_attr = 0x8e; /* present, DPL 0, interrupt gate */
	idt[v].offset_mid = (handler >> 16) & 0xffff;
	idt[v].offset_hi = (uint32_t) (handler >> 32);
	idt[v].zero = 0;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 48; v++)
		idt_set_gate(v, int_stub_table[v], v == 8 ? IST_DOUBLE_FAULT : 0);
	desc_ptr_t p = { .limit = sizeof(idt) - 1, .base = (uint64_t) idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}
