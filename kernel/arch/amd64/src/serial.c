/*
 * COM1 16550 UART: 115200 baud, 8N1, FIFOs on.  Output is polled; the
 * console layer serializes callers.  Input: once interrupts work
 * (serial_input_init), the received-data interrupt (IRQ 4) drains the
 * receiver into the console input ring and tells the line's subscribers
 * (console/kinput.h: the console server), so the kernel keeps the port
 * for its own output and panics while user space reads what is typed.
 */
#include <arch/asm.h>
#include <arch/interrupt.h>
#include <arch/pic.h>
#include <arch/serial.h>
#include <console/console.h>
#include <console/kinput.h>
#include <ddi/irq.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_IIR 2
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define IER_RX_DATA 0x01
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the UART's interrupt on a PC */
#define COM1_IRQ 4

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

/* IRQ 4: take every byte the receiver holds (a bounded number: a line
 * that never stops talking cannot keep us here), then tell the console. */
static void serial_irq(unsigned irq, istate_t *is)
{
	(void) is;
	uint8_t buf[64];
	size_t n = 0;
	(void) inb(COM1 + UART_IIR);
	while (n < sizeof(buf) && (inb(COM1 + UART_LSR) & LSR_DATA_READY))
		buf[n++] = inb(COM1 + UART_DATA);
	if (n > 0) {
		kinput_push(buf, n);
		irq_line_dispatch(irq);
	}
}

void serial_input_init(void)
{
	kinput_set_line(COM1_IRQ);
	irq_register(COM1_IRQ, serial_irq);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
	outb(COM1 + UART_IER, IER_RX_DATA);
	/* What came since serial_init is taken now (bytes sent before it,
	 * or before GRUB set the port up, were lost to the FIFO resets);
	 * and one read of the receive buffer even when it is empty: a
	 * sender that found the receiver full (QEMU's character devices)
	 * resumes only when the guest reads it. */
	uint8_t buf[16];
	size_t n = 0;
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		(void) inb(COM1 + UART_DATA);
	while (n < sizeof(buf) && (inb(COM1 + UART_LSR) & LSR_DATA_READY))
		buf[n++] = inb(COM1 + UART_DATA);
	kinput_push(buf, n);
	pic_unmask(COM1_IRQ);
}
