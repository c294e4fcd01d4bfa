/*
 * stdout: one line buffer per task behind a lock, written to the kernel
 * console at a newline, when full, on stdout_flush() and at task exit.
 * The formatting is common/'s printf_core(), the same source the kernel
 * compiles, so kernel and user output behave alike.
 */
#include "libc_priv.h"
#include <lib/printf_core.h>
#include <lock.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>

#define STDOUT_BUF_SIZE 256

static char stdout_buf[STDOUT_BUF_SIZE];
static size_t stdout_len;
static lock_t stdout_lock = LOCK_INITIALIZER;

static void stdout_flush_locked(void)
{
	if (stdout_len > 0)
		kconsole_write(stdout_buf, stdout_len);
	stdout_len = 0;
}

static void stdout_putc_locked(char c, void *arg)
{
	(void) arg;
	stdout_buf[stdout_len++] = c;
	if (c == '\n' || stdout_len == STDOUT_BUF_SIZE)
		stdout_flush_locked();
}

void stdout_flush(void)
{
	lock_acquire(&stdout_lock);
	stdout_flush_locked();
	lock_release(&stdout_lock);
}

void stdout_flush_exit(void)
{
	/* Another thread may hold the lock mid-line; then drop the rest. */
	if (!lock_try_acquire(&stdout_lock))
		return;
	stdout_flush_locked();
	lock_release(&stdout_lock);
}

int vprintf(const char *fmt, va_list ap)
{
	lock_acquire(&stdout_lock);
	size_t n = printf_core(stdout_putc_locked, NULL, fmt, ap);
	lock_release(&stdout_lock);
	return (int) n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return kvsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	lock_acquire(&stdout_lock);
	while (*s)
		stdout_putc_locked(*s++, NULL);
	stdout_putc_locked('\n', NULL);
	lock_release(&stdout_lock);
	return 0;
}

int putchar(int c)
{
	lock_acquire(&stdout_lock);
	stdout_putc_locked((char) c, NULL);
	lock_release(&stdout_lock);
	return (unsigned char) c;
}
