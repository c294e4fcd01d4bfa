/*
 * Console input: the bytes the kernel's console driver receives (the
 * serial line, COM1), kept in a bounded ring until the console server
 * reads them (docs/drivers.md "Console input").
 *
 * The driver's interrupt handler pushes what the device received and then
 * notifies the subscribers of its IRQ line (ddi/irq.h: a line the kernel
 * services), so the console server learns "there is input" as an ordinary
 * IRQ event and reads the bytes with SYS_KCONSOLE_READ, which only a
 * holder of a subscription to that line may do.  A full ring drops new
 * bytes and counts them; nothing is allocated.
 */
#ifndef KERN_CONSOLE_KINPUT_H_
#define KERN_CONSOLE_KINPUT_H_

#include <abi/cap.h>
#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

#define KINPUT_RING 4096 /* bytes kept for the server */

struct cap_table;

/* The console driver serves input on IRQ @a line (at boot). */
void kinput_set_line(unsigned line);
/* Bytes received (interrupt context): queued, or counted as dropped. */
void kinput_push(const uint8_t *bytes, size_t n);
/* Look at up to @a size of the oldest bytes without taking them. */
size_t kinput_peek(uint8_t *buf, size_t size);
/* Take the @a n oldest bytes (after a peek). */
void kinput_consume(size_t n);
/* SYS_KCONSOLE_READ: move up to @a size bytes to the user buffer @a buf
 * (*count: how many; 0 if none is waiting).  EFAULT with nothing taken. */
errno_t kinput_read_user(uintptr_t buf, size_t size, size_t *count);
/* Totals since boot. */
void kinput_stats(uint64_t *received, uint64_t *dropped);
/* SYS_KCONSOLE_READ's check: @a h in @a caps is a subscription to the
 * input line: EOK, ENOENT, ESTALE, EPERM (another line), ENOTSUP (no
 * console input). */
errno_t kinput_check_sub(struct cap_table *caps, cap_handle_t h);

#endif
