/* The periodic clock: a tick counter advanced by the architecture timer. */
#ifndef KERN_TIME_TIMER_H_
#define KERN_TIME_TIMER_H_

#include <stdint.h>

#define TIMER_HZ 100

void timer_init(void);
void timer_tick(void);
uint64_t timer_ticks(void);
uint64_t timer_uptime_ms(void);

#endif
