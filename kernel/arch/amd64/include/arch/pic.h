/* Legacy 8259A PIC pair, remapped to vectors 32-47. */
#ifndef KERN_ARCH_PIC_H_
#define KERN_ARCH_PIC_H_

#include <stdbool.h>

void pic_init(void);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);
bool pic_is_masked(unsigned irq);
bool pic_irq_is_spurious(unsigned irq);

#endif
