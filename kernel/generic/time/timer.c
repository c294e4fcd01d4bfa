/* The periodic clock (see time/timer.h). */
#include <arch/timer.h>
#include <time/timer.h>

static volatile uint64_t ticks;

void timer_init(void)
{
	arch_timer_init(TIMER_HZ);
}

void timer_tick(void)
{
	__atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
}

uint64_t timer_ticks(void)
{
	return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}

uint64_t timer_uptime_ms(void)
{
	return timer_ticks() * (1000 / TIMER_HZ);
}
