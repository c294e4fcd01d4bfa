/* Architecture timer: the PIT on IRQ 0, and the calibrated TSC rate. */
#ifndef KERN_ARCH_TIMER_H_
#define KERN_ARCH_TIMER_H_

#include <stdint.h>

extern uint64_t tsc_hz;

void arch_timer_init(unsigned hz);

#endif
