/* Interrupt subscriptions (irq.h). */
#include <irq.h>
#include <libarch/syscall.h>

errno_t irq_subscribe(
    cap_handle_t range, unsigned line, uint64_t imethod, uint64_t arg, cap_handle_t *sub)
{
	return (errno_t) syscall5(SYS_IRQ_SUBSCRIBE, range, line, imethod, arg, sub);
}

errno_t irq_ack(cap_handle_t sub)
{
	return (errno_t) syscall1(SYS_IRQ_ACK, sub);
}

errno_t kconsole_read(cap_handle_t sub, void *buf, size_t size, size_t *count)
{
	return (errno_t) syscall4(SYS_KCONSOLE_READ, sub, buf, size, count);
}

errno_t irq_test_raise(cap_handle_t sub, unsigned times)
{
	return (errno_t) syscall2(SYS_IRQ_TEST_RAISE, sub, times);
}

bool irq_event_is(const ipc_event_t *ev, uint64_t imethod)
{
	return ev->kind == IPC_EV_IRQ && (imethod == 0 || ev->msg.method == imethod);
}

void irq_event_read(const ipc_event_t *ev, irq_event_t *out)
{
	*out = (irq_event_t){ .imethod = ev->msg.method,
		.arg = ev->msg.arg[0],
		.count = ev->msg.arg[1],
		.coalesced = ev->msg.arg[2],
		.total = ev->msg.arg[3],
		.line = (unsigned) ev->msg.arg[4] };
}
