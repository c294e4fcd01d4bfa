/*
 * Interrupts for user-space drivers (abi/ddi.h is the contract;
 * docs/drivers.md "Interrupts" the guide).
 *
 * A driver holding an IRQ range capability subscribes to a line and then
 * receives IPC_EV_IRQ events (abi/ipc.h) with the rest of its IPC events
 * (ipc_wait, ipc_reply_wait): irq_event_is() tells them apart and
 * irq_event_read() unpacks one.  After quieting its device it calls
 * irq_ack(): the line stays masked until then.
 */
#ifndef LIBC_IRQ_H_
#define LIBC_IRQ_H_

#include <abi/cap.h>
#include <abi/ddi.h>
#include <abi/errno.h>
#include <abi/ipc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an IPC_EV_IRQ event says. */
typedef struct irq_event {
	uint64_t imethod; /* as subscribed */
	uint64_t arg; /* as subscribed */
	uint64_t count; /* interrupts this event stands for (>= 1) */
	uint64_t coalesced; /* since subscribing: interrupts that joined a queued event */
	uint64_t total; /* since subscribing: every interrupt */
	unsigned line;
} irq_event_t;

/* Subscribe our answerbox to @a line through the IRQ range capability
 * @a range: *sub gets the subscription's handle (SYS_IRQ_SUBSCRIBE). */
errno_t irq_subscribe(
    cap_handle_t range, unsigned line, uint64_t imethod, uint64_t arg, cap_handle_t *sub);
/* The device is quiet: unmask the line (SYS_IRQ_ACK). */
errno_t irq_ack(cap_handle_t sub);
/* Console input (the console server's): up to @a size bytes the kernel
 * received on the serial line, through a subscription to its line;
 * *count gets how many (0: none waiting) (SYS_KCONSOLE_READ). */
errno_t kconsole_read(cap_handle_t sub, void *buf, size_t size, size_t *count);
/* Tests only: @a times simulated interrupts of @a sub's line. */
errno_t irq_test_raise(cap_handle_t sub, unsigned times);

/* Whether @a ev is an interrupt event (of @a imethod; any if 0). */
bool irq_event_is(const ipc_event_t *ev, uint64_t imethod);
/* Unpack an interrupt event. */
void irq_event_read(const ipc_event_t *ev, irq_event_t *out);

#endif
