/*
 * Formatted output to the kernel console.  Output is collected in one
 * buffer per task and written with SYS_KCONSOLE_WRITE at every newline,
 * when the buffer is full, on stdout_flush() and when the task exits.
 * Each call is atomic with respect to other threads (a lock is held for
 * the whole call).  Formatting is common/'s engine (printf_core.c):
 * flags "-+ #0", width, precision, hh h l ll z t j, d i u o x X c s p %.
 */
#ifndef LIBC_STDIO_H_
#define LIBC_STDIO_H_

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Writes @a s and a newline. */
int puts(const char *s);
int putchar(int c);
/* Write out what is buffered. */
void stdout_flush(void);

#endif
