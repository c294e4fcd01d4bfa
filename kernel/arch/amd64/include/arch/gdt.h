/* GDT, TSS and IDT of the boot CPU. */
#ifndef KERN_ARCH_GDT_H_
#define KERN_ARCH_GDT_H_

#include <stdint.h>

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_UCODE32 0x18 /* placeholder so SYSRET finds udata/ucode after it */
#define GDT_UDATA 0x20
#define GDT_UCODE 0x28
#define GDT_TSS 0x30

#define IST_DOUBLE_FAULT 1

void gdt_init(void);
/* The stack the CPU switches to on entry from user mode. */
void tss_set_kernel_stack(uint64_t top);
/* The TSS's I/O permission bitmap (DDI_IO_PORTS / 8 bytes; arch/ddi.h). */
uint8_t *tss_io_bitmap(void);
void idt_init(void);

#endif
