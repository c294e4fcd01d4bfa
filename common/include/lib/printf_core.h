/*
 * The formatting engine behind the printf family of the kernel and of libc
 * (common/src/printf_core.c).  Pure code: it calls an output function for
 * every character and never allocates, so it is also compiled and tested on
 * the host.  kvsnprintf and ksnprintf keep their kernel names; libc's
 * vsnprintf and snprintf are them.
 *
 * Supported: flags "-+ #0", width and precision (also "*"), length
 * modifiers hh h l ll z t j, conversions d i u o x X c s p %.  An unknown
 * conversion is printed literally.  No floating point.
 */
#ifndef COMMON_LIB_PRINTF_CORE_H_
#define COMMON_LIB_PRINTF_CORE_H_

#include <stdarg.h>
#include <stddef.h>

typedef void (*printf_putc_t)(char c, void *arg);

/* Format @a fmt; returns the number of characters produced. */
size_t printf_core(printf_putc_t out, void *arg, const char *fmt, va_list ap);

/* Bounded formatting into a buffer (always NUL-terminated if size > 0);
 * returns the length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
