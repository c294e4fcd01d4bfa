/*
 * IRQ subscriptions (docs/drivers.md "Interrupts"; the ABI is in
 * abi/ddi.h and abi/ipc.h).
 *
 * A task holding a CAP_IRQ_RANGE capability that covers a line may
 * subscribe its answerbox to the line: it gets a CAP_IRQ_SUB handle.  Each
 * interrupt of the line then queues one IPC_EV_IRQ event for the task (or
 * adds to the one already queued: a subscription has at most one event
 * queued, which carries how many interrupts it stands for), and the line
 * stays masked at the interrupt controller from the interrupt until every
 * subscriber that was notified acknowledged it (SYS_IRQ_ACK), so a
 * level-triggered line cannot storm.  Closing the handle (the task's end,
 * or dropping it) unsubscribes: whatever was queued goes, and a line left
 * without subscribers stays masked.
 *
 * Lines the kernel drives itself cannot be subscribed (the timer, the
 * cascade), except a line the kernel services for user space (the serial
 * console's input, console/kinput): its subscribers are told "there is
 * input" without any masking, and acknowledging is a no-op.
 *
 * The interrupt handler takes no mutex and allocates nothing: under
 * irq_lock (a spinlock, interrupts off) it counts the interrupt in each
 * subscription and puts a subscription that had nothing queued on the
 * pending list (its link is the storage: nothing is allocated), then wakes
 * the delivery thread ("irqd"), which moves pending subscriptions onto
 * their answerboxes under the box lock (a mutex, which an interrupt
 * handler must not take) and hands them to waiting threads.
 */
#ifndef KERN_DDI_IRQ_H_
#define KERN_DDI_IRQ_H_

#include <abi/cap.h>
#include <abi/errno.h>
#include <adt/list.h>
#include <stdbool.h>
#include <stdint.h>

struct answerbox;
struct ipc_pick;
struct ipc_event;
struct task;
struct cap_table;

typedef enum irq_sub_state {
	IRQ_SUB_IDLE, /* nothing queued */
	IRQ_SUB_PENDING, /* on irq_pending, or being moved by irqd */
	IRQ_SUB_QUEUED, /* on its box's irqs list */
} irq_sub_state_t;

/* A subscription.  Locks: see ddi/irq.c. */
typedef struct irq_sub {
	link_t line_link; /* the line's subscribers (irq_lock) */
	link_t link; /* irq_pending (irq_lock) or box->irqs (box->lock) */
	struct answerbox *box; /* constant, held */
	unsigned line; /* constant */
	uint64_t imethod, arg; /* constant: the event's method and arg[0] */
	/* irq_lock: */
	bool subscribed;
	bool need_ack; /* notified of an interrupt not yet acknowledged */
	irq_sub_state_t state;
	uint64_t count; /* interrupts not yet reported in an event */
	uint64_t coalesced; /* interrupts that found an event already queued */
	uint64_t total; /* every interrupt since subscribing */
	unsigned refs; /* atomic: the capability, and one while queued or picked */
} irq_sub_t;

void irq_init(void);

/* Subscribe @a box to @a line through the IRQ range at handle @a range of
 * @a caps: a new CAP_IRQ_SUB handle in *out (in @a caps).  ENOENT/ESTALE (no
 * such range), EINVAL (line out of bounds), EPERM (the range does not
 * cover the line), EBUSY (a line the kernel keeps), ELIMIT (too many
 * subscribers on the line, or the handle table is full), ENOMEM. */
errno_t irq_subscribe(struct cap_table *caps, struct answerbox *box, cap_handle_t range,
    unsigned line, uint64_t imethod, uint64_t arg, cap_handle_t *out);
/* Acknowledge the interrupt the subscription at @a h was notified of: the
 * line is unmasked once no subscriber of it still owes an ack.  EOK (also
 * when nothing was owed), ENOENT, ESTALE. */
errno_t irq_ack(struct cap_table *caps, cap_handle_t h);
/* Close the subscription at @a h (what the task's end does): ENOENT, ESTALE. */
errno_t irq_unsubscribe(struct cap_table *caps, cap_handle_t h);

/* The interrupt of @a line (interrupts off, from the interrupt dispatch or
 * a test simulating one): notify the subscribers, mask the line if any was
 * notified and the kernel does not service the line.  Returns whether
 * anyone was notified. */
bool irq_line_dispatch(unsigned line);
/* The kernel services @a line itself for its subscribers (no masking):
 * called by the kernel's driver at boot. */
void irq_line_set_kernel_serviced(unsigned line);
/* For the user tests (SYS_IRQ_TEST_RAISE): @a times interrupts of the
 * line of the subscription at @a h, each as the interrupt dispatch makes
 * it (interrupts off): ENOENT, ESTALE. */
errno_t irq_test_raise(struct cap_table *caps, cap_handle_t h, unsigned times);
/* The line of the subscription at @a h: ENOENT, ESTALE. */
errno_t irq_sub_line(struct cap_table *caps, cap_handle_t h, unsigned *line);
/* Whether a subscriber may have the line masked now (tests). */
bool irq_line_masked(unsigned line);
/* Subscriptions and pending deliveries alive (leak checks). */
size_t irq_subs_live(void);

/* The answerbox side (ipc/ipc.c, ipc/event.c), box->lock held where said. */
/* Take the first queued IRQ event of @a box for a waiter (box->lock). */
bool irq_box_pick_locked(struct answerbox *box, struct ipc_pick *p);
/* Put a picked event back (box->lock); false if it was dropped. */
bool irq_box_put_back_locked(struct answerbox *box, struct ipc_pick *p);
/* The box dies: move its queued subscriptions to @a out (box->lock); then
 * irq_box_drained(out) outside the lock. */
void irq_box_drain_locked(struct answerbox *box, list_t *out);
void irq_box_drained(list_t *out);
/* What user space sees of a picked IRQ event. */
void irq_event_fill(const struct ipc_pick *p, struct ipc_event *ev);
/* The picked event reached user space. */
void irq_event_commit(struct ipc_pick *p);

#endif
