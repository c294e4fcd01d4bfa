/* 16550 UART on COM1: polled output, input by interrupt (console/kinput.h). */
#ifndef KERN_ARCH_SERIAL_H_
#define KERN_ARCH_SERIAL_H_

void serial_init(void);
/* Received bytes go to the console input (after the PIC is set up). */
void serial_input_init(void);

#endif
