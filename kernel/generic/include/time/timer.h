/* The periodic clock: a tick counter advanced by the architecture timer. */
#ifndef KERN_TIME_TIMER_H_
#define KERN_TIME_TIMER_H_

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100

/* Start the periodic timer, interrupting @a mult times per tick (more
 * than once only for the profiler, see time/prof.h). */
void timer_init(unsigned mult);
/* The architecture timer's interrupt at @a pc (in user mode or not). */
void timer_interrupt(uintptr_t pc, bool user);
void timer_tick(void);
uint64_t timer_ticks(void);
uint64_t timer_uptime_ms(void);

#endif
