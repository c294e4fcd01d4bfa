/* 16550 UART on COM1, polled output. */
#ifndef KERN_ARCH_SERIAL_H_
#define KERN_ARCH_SERIAL_H_

void serial_init(void);

#endif
