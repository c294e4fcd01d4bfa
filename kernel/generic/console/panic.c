/* panic(): report a broken kernel invariant, show where, and stop. */
#include <arch/arch.h>
#include <console/console.h>
#include <debug.h>
#include <stdarg.h>

static int panicking;

void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	arch_interrupts_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_poweroff(ARCH_EXIT_PANIC); /* panicked while panicking */
	console_force_unlock();
	printf("\n*** kernel panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	arch_backtrace_print(arch_frame_pointer());
	arch_poweroff(ARCH_EXIT_PANIC);
}
