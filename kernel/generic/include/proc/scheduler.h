/*
 * The scheduler: per-CPU run queues of RQ_COUNT priority levels,
 * round-robin within a level, preemption by the timer.
 *
 * Policy (multilevel feedback): a thread that uses up its time slice drops
 * one level; a thread that wakes from sleep returns to its base level; every
 * SCHED_BOOST_TICKS all ready threads go back to their base level, so
 * nothing starves.
 *
 * Slices: a thread picked from a run queue gets SCHED_QUANTUM_TICKS; a
 * thread switched to directly (the IPC fast path's scheduler_sleep_to, an
 * answer's hand-off) gets what is left of the slice of the thread it
 * replaces, so a request/answer loop between two threads shares one slice
 * and cannot keep the CPU from the other ready threads of its level (it
 * did: a new slice at every switch never ran out).  A hand-off from a
 * thread whose slice is used up is not honoured: the run queues decide.
 *
 * Lock: sched_lock (spinlock, taken with interrupts disabled) protects
 * thread states, run queues and the zombie hand-off.  Order: waitq lock ->
 * timeout lock -> sched_lock.
 */
#ifndef KERN_PROC_SCHEDULER_H_
#define KERN_PROC_SCHEDULER_H_

#include <stdint.h>
#include <synch/spinlock.h>

struct thread;

extern spinlock_t sched_lock;

#define SCHED_QUANTUM_TICKS 2
#define SCHED_BOOST_TICKS 100

/* Turn the boot context into thread 0 and create this CPU's idle thread. */
void scheduler_init(void);
/* Make @a t runnable (state READY, on a run queue). */
void scheduler_make_ready(struct thread *t);
/* Give up the CPU: interrupts disabled, no spinlock held; the current
 * thread's state says whether it stays runnable. */
void scheduler_switch(void);
/* SYS_THREAD_YIELD: give way to every ready thread (drop to the lowest
 * level, then switch). */
void scheduler_yield_lowest(void);
/* The direct switch, in two steps: scheduler_sleep_to marks the current
 * thread @a prev SLEEPING and @a next -- a sleeping thread just taken off
 * its wait queue (waitq_take_thread_locked) -- RUNNING, under the lock of
 * the queue @a prev sleeps on; scheduler_switch_to then gives the CPU to
 * @a next, without a run queue or a decision (interrupts disabled, no
 * spinlock held). */
void scheduler_sleep_to(struct thread *prev, struct thread *next);
void scheduler_switch_to(struct thread *next);
/* Called at preemption points when need_resched is set. */
void scheduler_preempt_point(void);
/* Timer interrupt hook. */
void scheduler_tick(void);
/* Called by a thread on its first run to finish the switch to it. */
void scheduler_finish_switch(void);

/* Directed switch: @a t (just made ready) is the thread to run when the
 * current one gives up the CPU next, whatever the run queues say -- the
 * IPC fast path's "switch straight to the partner". */
void scheduler_handoff(struct thread *t);
/* @a t is about to be freed: forget it as a handoff target. */
void scheduler_thread_gone(struct thread *t);

/* Mark the calling thread as sleeping (with sched_lock) before switching. */
void scheduler_set_sleeping(struct thread *t);
uint64_t scheduler_context_switches(void);

#endif
