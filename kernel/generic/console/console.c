/*
 * Kernel console (see console/console.h).
 *
 * Lock: console_lock (an IRQ spinlock) protects the device list and
 * serializes output; it is a leaf lock, taken after any other lock.
 */
#include <console/console.h>
#include <lib/printf_core.h>
#include <synch/spinlock.h>

#define CONSOLE_MAX_DEVS 4

static const console_dev_t *console_devs[CONSOLE_MAX_DEVS];
static size_t console_ndevs;
static irq_spinlock_t console_lock = IRQ_SPINLOCK_INITIALIZER("console");

void console_register(const console_dev_t *dev)
{
	irq_spinlock_lock(&console_lock);
	if (console_ndevs < CONSOLE_MAX_DEVS)
		console_devs[console_ndevs++] = dev;
	irq_spinlock_unlock(&console_lock);
}

static void console_putc_locked(char c, void *arg)
{
	(void) arg;
	for (size_t i = 0; i < console_ndevs; i++) {
		if (c == '\n')
			console_devs[i]->putc('\r');
		console_devs[i]->putc(c);
	}
}

void console_write(const char *s, size_t len)
{
	irq_spinlock_lock(&console_lock);
	for (size_t i = 0; i < len; i++)
		console_putc_locked(s[i], NULL);
	irq_spinlock_unlock(&console_lock);
}

int vprintf(const char *fmt, va_list ap)
{
	irq_spinlock_lock(&console_lock);
	size_t n = printf_core(console_putc_locked, NULL, fmt, ap);
	irq_spinlock_unlock(&console_lock);
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

int puts(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	console_write(s, n);
	console_write("\n", 1);
	return (int) n + 1;
}

void console_force_unlock(void)
{
	irq_spinlock_force_unlock(&console_lock);
}
