/* The periodic clock (see time/timer.h). */
#include <arch/timer.h>
#include <proc/scheduler.h>
#include <synch/waitq.h>
#include <time/prof.h>
#include <time/timer.h>

static volatile uint64_t ticks;
/* Timer interrupts per tick: 1, or more while the profiler samples. */
static unsigned timer_mult = 1;
static unsigned timer_sub;

void timer_init(unsigned mult)
{
	timer_mult = mult ? mult : 1;
	arch_timer_init(TIMER_HZ * timer_mult);
}

void timer_interrupt(uintptr_t pc, bool user)
{
	if (timer_mult > 1) {
		prof_sample(pc, user);
		if (++timer_sub < timer_mult)
			return;
		timer_sub = 0;
	}
	timer_tick();
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
