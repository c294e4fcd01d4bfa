/*
 * The 8254 PIT, channel 0, as the periodic timer on IRQ 0.  Each tick calls
 * the generic timer_tick().  The TSC rate is calibrated against the PIT
 * (channel 2, gated, polled) so later code can turn cycles into time.
 */
#include <arch/asm.h>
#include <arch/interrupt.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <time/timer.h>

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61

uint64_t tsc_hz;

static void pit_irq(unsigned irq, istate_t *is)
{
	(void) irq;
	timer_interrupt(is->rip, (is->cs & 3) != 0);
}

#define PIT_CALIBRATE_SPINS 10000000u
#define TSC_HZ_FALLBACK 1000000000ULL

/*
 * Count TSC cycles across a 10 ms one-shot of PIT channel 2 (mode 0: the
 * count starts when its high byte is written; OUT2, bit 5 of port 0x61,
 * goes high at terminal count).  A PIT that never finishes (no channel 2
 * gate on this machine) gives a nominal 1 GHz instead of a hang.
 */
static uint64_t pit_calibrate_tsc(void)
{
	const uint32_t count = PIT_HZ / 100;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0); /* ch2, lo/hi, mode 0 */
	outb(PIT_CH2, (uint8_t) count);
	uint64_t t0 = rdtsc_ordered();
	outb(PIT_CH2, (uint8_t) (count >> 8)); /* counting starts here */
	unsigned spins = 0;
	while (!(inb(PIT_GATE) & 0x20) && spins < PIT_CALIBRATE_SPINS)
		spins++;
	uint64_t t1 = rdtsc_ordered();
	if (spins == PIT_CALIBRATE_SPINS || t1 <= t0)
		return TSC_HZ_FALLBACK;
	return (t1 - t0) * 100;
}

void arch_timer_init(unsigned hz)
{
	tsc_hz = pit_calibrate_tsc();
	uint32_t div = PIT_HZ / hz;
	outb(PIT_CMD, 0x34); /* ch0, lo/hi, mode 2 (rate generator) */
	outb(PIT_CH0, (uint8_t) div);
	outb(PIT_CH0, (uint8_t) (div >> 8));
	irq_register(0, pit_irq);
	pic_unmask(0);
}
