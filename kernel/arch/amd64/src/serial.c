/*
 * COM1 16550 UART: 115200 baud, 8N1, FIFOs on, interrupts off.  Output is
 * polled; the console layer serializes callers.
 */
#include <arch/asm.h>
#include <arch/serial.h>
#include <console/console.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20

static void serial_putc(char c)
{
	for (unsigned spin = 0; spin < 100000; spin++) {
		if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
	}
	outb(COM1 + UART_DATA, (uint8_t) c);
}

static const console_dev_t serial_dev = { .putc = serial_putc };

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB: set divisor */
	outb(COM1 + UART_DATA, 1); /* 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
	console_register(&serial_dev);
}
