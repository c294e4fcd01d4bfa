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
#define KINPUT_READ_MAX 512 /* bytes one SYS_KCONSOLE_READ moves at most */

struct cap_table;

/* The console driver serves input on IRQ @a line (at boot). */
void kinput_set_line(unsigned line);
/* Bytes received (interrupt context): queued, or counted as dropped. */
void kinput_push(const uint8_t *bytes, size_t n);
/* Take up to @a size of the oldest bytes. */
size_t kinput_take(uint8_t *buf, size_t size);
/* Put @a n bytes taken back at the head (a copy to the reader failed). */
void kinput_unget(const uint8_t *buf, size_t n);
/* SYS_KCONSOLE_READ: move up to @a size bytes (at most KINPUT_READ_MAX)
 * to the user buffer @a buf (*count: how many; 0 if none is waiting).
 * EFAULT/EINVAL with nothing taken. */
errno_t kinput_read_user(uintptr_t buf, size_t size, size_t *count);
/* Totals since boot. */
void kinput_stats(uint64_t *received, uint64_t *dropped);
/* SYS_KCONSOLE_READ's check: @a h in @a caps is a subscription to the
 * input line: EOK, ENOENT, ESTALE, EPERM (another line), ENOTSUP (no
 * console input). */
errno_t kinput_check_sub(struct cap_table *caps, cap_handle_t h);

#endif
