/*
 * I/O ports (docs/drivers.md, "I/O ports"): enable the ports of an I/O
 * range capability for this task, then use in/out on them directly.  A
 * port not enabled faults, and the kernel kills the task with a report
 * naming the port.
 */
#ifndef LIBC_DDI_IO_H_
#define LIBC_DDI_IO_H_

#include <abi/cap.h>
#include <abi/errno.h>
#include <stdint.h>

/* Let this task use the ports of the I/O range @a h (for the rest of its
 * life): ENOENT/ESTALE if @a h is no I/O range we hold, ENOMEM. */
errno_t ioport_enable(cap_handle_t h);

static inline uint8_t pio_read_8(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t pio_read_16(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t pio_read_32(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void pio_write_8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static inline void pio_write_16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
}

static inline void pio_write_32(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
}

#endif
