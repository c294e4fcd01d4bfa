/*
 * 8259A PIC pair: remapped so IRQ 0-15 arrive on vectors 32-47, everything
 * masked except what a driver unmasks.  Spurious IRQ 7/15 are recognised by
 * the in-service register and not acknowledged (IRQ 15: only the master).
 * A line with user-space subscribers is masked from its interrupt until
 * they acknowledge it (ddi/irq.c), so a level-triggered line cannot storm.
 */
#include <arch/asm.h>
#include <arch/interrupt.h>
#include <arch/pic.h>
#include <synch/spinlock.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0b

/* pic_lock protects pic_mask_bits and the mask registers. */
static uint16_t pic_mask_bits = 0xffff;
static irq_spinlock_t pic_lock = IRQ_SPINLOCK_INITIALIZER("pic");

static void pic_write_mask(void)
{
	outb(PIC1_DATA, (uint8_t) pic_mask_bits);
	outb(PIC2_DATA, (uint8_t) (pic_mask_bits >> 8));
}

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, IRQ_BASE + 8);
	outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	pic_mask_bits = 0xffff & ~(1u << 2); /* cascade stays open */
	pic_write_mask();
}

void pic_unmask(unsigned irq)
{
	irq_spinlock_lock(&pic_lock);
	pic_mask_bits &= (uint16_t) ~(1u << irq);
	pic_write_mask();
	irq_spinlock_unlock(&pic_lock);
}

void pic_mask(unsigned irq)
{
	irq_spinlock_lock(&pic_lock);
	pic_mask_bits |= (uint16_t) (1u << irq);
	pic_write_mask();
	irq_spinlock_unlock(&pic_lock);
}

bool pic_is_masked(unsigned irq)
{
	irq_spinlock_lock(&pic_lock);
	bool masked = pic_mask_bits & (1u << irq);
	irq_spinlock_unlock(&pic_lock);
	return masked;
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

bool pic_irq_is_spurious(unsigned irq)
{
	if (irq == 7) {
		outb(PIC1_CMD, PIC_READ_ISR);
		return !(inb(PIC1_CMD) & 0x80);
	}
	if (irq == 15) {
		outb(PIC2_CMD, PIC_READ_ISR);
		if (!(inb(PIC2_CMD) & 0x80)) {
			outb(PIC1_CMD, PIC_EOI);
			return true;
		}
	}
	return false;
}
