/*
 * The scheduler: per-CPU run queues of RQ_COUNT priority levels,
 * round-robin within a level, preemption by the timer.
 *
 * Policy (multilevel feedback): a thread that uses up its time slice drops
 * one level; a thread that wakes from sleep returns to its base level; a
 * thread that has waited SCHED_AGE_TICKS on its run queue moves up one
 * level (aging); every SCHED_BOOST_TICKS all ready threads go back to
 * their base level.
 *
 * Aging: threads that sleep and wake often never use up a slice, and each
 * wakeup puts them back at their base level, so a few of them can keep
 * level 0 busy for good.  Without aging a thread demoted meanwhile waited
 * for the boost, up to a whole SCHED_BOOST_TICKS (1 s), however little it
 * still had to do -- and which thread is demoted is nearly chance: the one
 * running when a tick ends a slice, perhaps a slice shared through the IPC
 * fast path.  In pager_tasks_500 (500 short-lived tasks on the anon
 * pager) the pager thread holding its store lock was such a thread: in 10
 * of 36 runs on a loaded host it waited 10-95 ticks on its queue, holding
 * the lock 0.2-1 s each time, while the test's tasks kept level 0 full
 * (the test took up to 5-16 s instead of 2); with aging, no such wait in
 * 37 runs.  A thread k levels down now waits about k * SCHED_AGE_TICKS
 * behind such a stream: threads that run long still give way to threads
 * that sleep, but not for a second at a time.  Kernel test
 * scheduler_aging_demoted_runs checks it.
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
#define SCHED_AGE_TICKS 4 /* a queued thread's wait before it moves up */

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
/* Boosts so far (one every SCHED_BOOST_TICKS; tests tell by it whether a
 * thread came back to the CPU by a boost). */
uint64_t scheduler_boosts(void);

#endif
