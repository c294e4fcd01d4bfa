/*
 * Power-off with a verdict.  QEMU's isa-debug-exit device (iobase 0xf4,
 * added by tools/qemu.sh) makes QEMU exit with status (value << 1) | 1, so
 * the host reads the kernel's verdict from QEMU's exit status.  Without the
 * device, we try the ACPI power-off of QEMU's PIIX4/ICH9 and then halt.
 */
#include <arch/arch.h>

#define DEBUG_EXIT_PORT 0xf4

noreturn void arch_poweroff(arch_exit_t code)
{
	irq_disable();
	outl(DEBUG_EXIT_PORT, (uint32_t) code);
	outw(0x604, 0x2000); /* QEMU ACPI power-off */
	for (;;)
		cpu_halt();
}
