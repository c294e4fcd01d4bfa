/*
 * Multiboot2 header and the 32-bit entry trampoline.
 *
 * GRUB 2 enters boot_entry32 in 32-bit protected mode, paging off, with
 * EAX = multiboot2 magic and EBX = physical address of the boot information.
 * We build throw-away page tables that map the first 1 GiB three times
 * (identity, direct map at DIRECT_MAP_BASE, kernel image at KERNEL_VBASE)
 * with 2 MiB pages, enable PAE + long mode (+ NXE if the CPU has it), jump
 * to 64-bit code, move to the higher half and call kernel_main().  The real
 * kernel page tables are built in C (arch/amd64/src/page_table.c).
 */
#include <arch/layout.h>

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_HEADER_LEN (mb2_header_end - mb2_header)

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long MB2_HEADER_LEN
	.long -(MB2_MAGIC + MB2_ARCH_I386 + MB2_HEADER_LEN)
	/* entry address tag: where to jump (physical) */
	.balign 8
	.word 3, 0
	.long 12
	.long boot_entry32
	/* end tag */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

	.section .boot, "awx"
	.code32
	.globl boot_entry32
boot_entry32:
	cli
	cld
	movl $boot_stack32_top, %esp
	movl %eax, boot_mb_magic
	movl %ebx, boot_mb_info

	/* Long mode available? */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, boot_ext_edx

	/* PD: 512 x 2 MiB pages = the first 1 GiB, present | write | large */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	/* PDPT low[0] -> PD; PDPT high[510] -> PD */
	movl $(boot_pd + 0x3), boot_pdpt_low
	movl $(boot_pd + 0x3), boot_pdpt_high + 510 * 8
	/* PML4[0] identity, PML4[256] direct map, PML4[511] kernel image */
	movl $(boot_pdpt_low + 0x3), boot_pml4
	movl $(boot_pdpt_low + 0x3), boot_pml4 + 256 * 8
	movl $(boot_pdpt_high + 0x3), boot_pml4 + 511 * 8

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	testl $(1 << 20), boot_ext_edx
	jz 2f
	orl $(1 << 11), %eax		/* NXE */
2:	wrmsr

	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG | WP | PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $boot_entry64

no_long_mode:
	/* Say so on COM1 and stop. */
	movl $no_lm_msg, %esi
3:	lodsb
	testb %al, %al
	jz 4f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
boot_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_high, %rax
	jmp *%rax

	.section .text
boot_high:
	movabsq $boot_stack_top, %rsp
	xorq %rbp, %rbp
	movl boot_mb_magic, %edi
	movl boot_mb_info, %esi
	call kernel_main
5:	cli
	hlt
	jmp 5b

	.section .boot, "awx"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.globl boot_mb_magic, boot_mb_info
boot_mb_magic:	.long 0
boot_mb_info:	.long 0
boot_ext_edx:	.long 0
no_lm_msg:	.asciz "boot: this CPU has no long mode\r\n"

	.balign 4096
boot_pml4:	.fill 512, 8, 0
boot_pdpt_low:	.fill 512, 8, 0
boot_pdpt_high:	.fill 512, 8, 0
boot_pd:	.fill 512, 8, 0
boot_stack32:	.fill 1024, 1, 0
boot_stack32_top:

	/* The boot stack, with one page below it that page_table.c leaves
	 * unmapped: an overflow faults (and becomes a double fault on its
	 * own IST stack, which reports it) instead of overwriting .data. */
	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip KERNEL_STACK_SIZE
boot_stack_top:
