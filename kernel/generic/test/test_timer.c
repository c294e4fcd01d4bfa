/* Kernel tests of the periodic timer and the TSC. */
#include <arch/arch.h>
#include <arch/timer.h>
#include <test/ktest.h>
#include <time/timer.h>

KTEST(timer_ticks)
{
	KT_ASSERT(!arch_interrupts_disabled());
	KT_ASSERT(tsc_hz > 0);
	uint64_t t0 = timer_ticks();
	uint64_t c0 = arch_cycles();
	/* Wait for ten ticks, giving up after 20 s worth of TSC cycles. */
	while (timer_ticks() < t0 + 10 && arch_cycles() - c0 < 20 * tsc_hz)
		cpu_halt();
	uint64_t t1 = timer_ticks();
	uint64_t c1 = arch_cycles();
	KT_CHECK(t1 >= t0 + 10);
	KT_CHECK(c1 > c0);
	KT_CHECK(timer_uptime_ms() >= 100);
	ktest_note("10 ticks took %llu cycles (TSC %llu MHz)", (unsigned long long) (c1 - c0),
	    (unsigned long long) (tsc_hz / 1000000));
}

KTEST(timer_masked_interrupts_stop_ticks)
{
	ipl_t ipl = arch_interrupts_disable();
	uint64_t t0 = timer_ticks();
	uint64_t c0 = arch_cycles();
	while (arch_cycles() - c0 < tsc_hz / 20)
		arch_cpu_relax();
	KT_CHECK_EQ(timer_ticks(), t0);
	arch_interrupts_restore(ipl);
	/* and they resume (the pending tick is delivered) */
	c0 = arch_cycles();
	while (timer_ticks() == t0 && arch_cycles() - c0 < 20 * tsc_hz)
		cpu_halt();
	KT_CHECK(timer_ticks() > t0);
}
