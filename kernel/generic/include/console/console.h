/*
 * Kernel console: formatted output to every registered output device (the
 * serial port on amd64).  Output is serialized by a spinlock so lines from
 * different CPUs or from interrupt handlers do not interleave mid-line.
 */
#ifndef KERN_CONSOLE_CONSOLE_H_
#define KERN_CONSOLE_CONSOLE_H_

#include <stdarg.h>
#include <stddef.h>

typedef struct console_dev {
	void (*putc)(char c);
} console_dev_t;

void console_register(const console_dev_t *dev);
void console_write(const char *s, size_t len);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);

/* Used by panic: bypass the lock (the holder may be the panicking CPU). */
void console_force_unlock(void);

#endif
