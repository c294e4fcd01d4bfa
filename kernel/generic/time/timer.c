/* The periodic clock (see time/timer.h). */
#include <arch/timer.h>
#include <proc/scheduler.h>
#include <synch/waitq.h>
#include <time/timer.h>

static volatile uint64_t ticks;

void timer_init(void)
{
	arch_timer_init(TIMER_HZ);
}

void timer_tick(void)
{
	uint64_t now = __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
	waitq_timeouts_expire(now);
	scheduler_tick();
}

uint64_t timer_ticks(void)
{
	return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}

uint64_t timer_uptime_ms(void)
{
	return timer_ticks() * (1000 / TIMER_HZ);
}
