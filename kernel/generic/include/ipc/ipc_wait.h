/*
 * How a thread waits for IPC events (ipc/ipc.c has the essay).
 *
 * ipc_pick_t is an event taken off an answerbox for one thread, until it
 * is settled: delivered to user space (committed) or put back (the
 * copy-out failed).  Until then it still counts in the box (calls_count,
 * notices, outstanding), so no bound is exceeded when it goes back.
 *
 * ipc_waiter_t lives in the waiting thread (thread_t.ipc_wait): while the
 * thread waits for any event it is on its box's waiter list, and whoever
 * queues an event there hands it straight to the first waiter (takes it
 * off the queue for it, marks it handed and wakes it), so the woken thread
 * need not take the box lock again to find its event.
 */
#ifndef KERN_IPC_IPC_WAIT_H_
#define KERN_IPC_IPC_WAIT_H_

#include <abi/ipc.h>
#include <adt/list.h>
#include <stdbool.h>
#include <stdint.h>
#include <synch/waitq.h>

struct call;
struct ipc_notice;
struct irq_sub;
struct phone;

typedef struct ipc_pick {
	uint32_t kind; /* IPC_EV_* */
	bool counted; /* counts in the box until settled (not a synchronous answer) */
	struct call *call; /* IPC_EV_CALL, IPC_EV_ANSWER */
	struct ipc_notice *notice; /* IPC_EV_HANGUP */
	cap_handle_t handle; /* CALL: the call's; CONNECT_ME_TO answer: the phone's */
	struct phone *phone; /* CONNECT_ME_TO answer: the phone made for it (or NULL) */
	uintptr_t area; /* SHARE_IN answer: the area made for it (0: none) */
	/* IPC_EV_IRQ: the subscription (with a reference) and what the event
	 * reports, taken with it (ddi/irq.c) */
	struct irq_sub *irq;
	uint64_t irq_count, irq_coalesced, irq_total;
} ipc_pick_t;

typedef struct ipc_waiter {
	link_t link; /* on box->waiters while waiting (box->lock) */
	waitq_t wq; /* the thread sleeps here */
	bool handed; /* atomic, set under box->lock: pick holds its event */
	bool regs; /* box->lock: it waits in SYS_IPC_REPLY_WAIT (no undo: the
		    * event goes to its registers), so a call may be handed to
		    * it uncounted (the fast path) */
	ipc_pick_t pick; /* written under box->lock before handed is set */
} ipc_waiter_t;

#endif
