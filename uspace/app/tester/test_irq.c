/*
 * IRQ subscriptions from user space (abi/ddi.h, irq.h).  The tester's
 * boot grant covers line TEST_IRQ_LINE (boot/meson.build); interrupts are
 * simulated with SYS_IRQ_TEST_RAISE, which the kernel allows in utest runs.
 * Every test subscribes and drops its subscription (SYS_CAP_DROP), and
 * the kernel's object and handle counts must be back where they were; the
 * kernel test irq_task_end checks that a task's end unsubscribes too.
 */
#include "tester.h"
#include <cap.h>
#include <ddi_io.h>
#include <irq.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define TEST_IRQ_LINE 5
#define TEST_IRQ_METHOD (IPC_M_FIRST_USER + 0x900)
#define TEST_IRQ_ARG 0x1234
#define IRQ_HANDLES_TRIED 16

/* The tester's IRQ range that covers the test line (a boot grant). */
static cap_handle_t irq_test_range(void)
{
	cap_info_t ci;
	for (cap_handle_t h = 0; h < IRQ_HANDLES_TRIED; h++) {
		if (cap_info(h, &ci) == EOK && ci.kind == CAP_KIND_IRQ_RANGE &&
		    ci.base <= TEST_IRQ_LINE && TEST_IRQ_LINE - ci.base < ci.size)
			return h;
	}
	return CAP_NIL;
}

/* A new subscription to the test line. */
static errno_t irq_test_sub(cap_handle_t *out)
{
	cap_handle_t range = irq_test_range();
	if (range == CAP_NIL)
		return ENOENT;
	return irq_subscribe(range, TEST_IRQ_LINE, TEST_IRQ_METHOD, TEST_IRQ_ARG, out);
}

/* The next event, which must be an interrupt of the test subscription. */
static bool irq_next(uint64_t timeout_us, irq_event_t *ie)
{
	ipc_event_t ev;
	errno_t rc = ipc_wait(&ev, timeout_us, 0, 0);
	if (!UT_CHECK_OK(rc) || !UT_CHECK(irq_event_is(&ev, TEST_IRQ_METHOD)))
		return false;
	UT_CHECK_EQ(ev.call, CAP_NIL);
	irq_event_read(&ev, ie);
	return UT_CHECK_EQ(ie->arg, TEST_IRQ_ARG) && UT_CHECK_EQ(ie->line, TEST_IRQ_LINE);
}

static bool irq_none_queued(void)
{
	ipc_event_t ev;
	return UT_CHECK_EQ(ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0), ETIMEOUT);
}

/* A task without the capability: every handle it has is refused. */
int child_irq_nocap(int argc, char **argv)
{
	(void) argc, (void) argv;
	cap_handle_t sub;
	for (cap_handle_t h = 0; h < IRQ_HANDLES_TRIED; h++) {
		if (irq_subscribe(h, TEST_IRQ_LINE, 0, 0, &sub) != ENOENT)
			return 10 + (int) h;
		if (irq_ack(h) != ENOENT || irq_test_raise(h, 1) != ENOENT)
			return 30 + (int) h;
	}
	return 0;
}

UTEST(irq_no_capability)
{
	task_exit_info_t info;
	cap_handle_t sub, range = irq_test_range();
	UT_ASSERT(range != CAP_NIL);
	UT_CHECK_OK(child_run("child:irq-nocap", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	/* Our own handles: a phone is no range, a range covers only its lines. */
	UT_CHECK_EQ(irq_subscribe(IPC_PHONE_NS, TEST_IRQ_LINE, 0, 0, &sub), ENOENT);
	UT_CHECK_EQ(irq_subscribe(range, 0, 0, 0, &sub), EPERM);
	UT_CHECK_EQ(irq_subscribe(range, 16, 0, 0, &sub), EINVAL);
	UT_CHECK_EQ(irq_subscribe(range, ~0u, 0, 0, &sub), EINVAL);
	UT_CHECK_EQ(irq_ack(range), ENOENT);
	UT_CHECK_EQ(irq_test_raise(range, 1), ENOENT);
}

UTEST(irq_subscribe_bad_out)
{
	mem_stats_t a, b;
	cap_handle_t range = irq_test_range();
	UT_ASSERT(range != CAP_NIL);
	UT_ASSERT_OK(mem_stats(&a));
	UT_CHECK_EQ(syscall5(SYS_IRQ_SUBSCRIBE, range, TEST_IRQ_LINE, 0, 0, ADDR_UNMAPPED), EFAULT);
	UT_CHECK_EQ(syscall5(SYS_IRQ_SUBSCRIBE, range, TEST_IRQ_LINE, 0, 0, ADDR_KERNEL), EINVAL);
	UT_ASSERT_OK(mem_stats(&b));
	UT_CHECK(b.handles <= a.handles); /* nothing subscribed */
	UT_CHECK(b.kernel_objects <= a.kernel_objects);
}

/* A test's subscription: made with the counts taken before, dropped at
 * the end with every count back (handles, kernel objects). */
static bool irq_begin(cap_handle_t *sub, mem_stats_t *before)
{
	return UT_CHECK_OK(mem_stats(before)) && UT_CHECK_OK(irq_test_sub(sub));
}

static void irq_end(cap_handle_t sub, const mem_stats_t *before)
{
	mem_stats_t after;
	UT_CHECK_OK(cap_drop(sub));
	irq_none_queued();
	UT_ASSERT_OK(mem_stats(&after));
	/* Not above (other tasks may end meanwhile: below is fine). */
	UT_CHECK(after.handles <= before->handles);
	UT_CHECK(after.kernel_objects <= before->kernel_objects);
}

/* Many interrupts without an ack or a wait: one event, with the count. */
UTEST(irq_flood_bounded)
{
	cap_handle_t sub;
	irq_event_t ie;
	mem_stats_t start, a, b;
	UT_ASSERT(irq_begin(&sub, &start));
	UT_ASSERT_OK(mem_stats(&a));
	UT_ASSERT_OK(irq_test_raise(sub, 100000));
	UT_ASSERT_OK(mem_stats(&b));
	UT_CHECK(b.kernel_objects <= a.kernel_objects); /* bounded: no memory */
	UT_CHECK(b.free_frames >= a.free_frames);
	UT_ASSERT(irq_next(1000000, &ie));
	UT_CHECK_EQ(ie.count, 100000);
	UT_CHECK_EQ(ie.coalesced, 99999);
	UT_CHECK_EQ(ie.total, 100000);
	irq_none_queued();
	UT_CHECK_OK(irq_ack(sub));
	UT_CHECK_OK(irq_ack(sub)); /* nothing owed: fine */
	UT_ASSERT_OK(irq_test_raise(sub, 1));
	UT_ASSERT(irq_next(1000000, &ie));
	UT_CHECK_EQ(ie.count, 1);
	UT_CHECK_EQ(ie.coalesced, 99999);
	UT_CHECK_EQ(ie.total, 100001);
	irq_end(sub, &start);
}

/* Dropping the subscription unsubscribes: the queued event goes with it,
 * and the handle names nothing any more. */
UTEST(irq_drop_unsubscribes)
{
	cap_handle_t sub, sub2;
	cap_info_t ci;
	mem_stats_t start;
	UT_ASSERT(irq_begin(&sub, &start));
	UT_ASSERT_OK(cap_info(sub, &ci));
	UT_CHECK_EQ(ci.kind, CAP_KIND_IRQ_SUB);
	UT_CHECK_EQ(ci.base, TEST_IRQ_LINE);
	UT_CHECK_EQ(ci.size, 1);
	UT_ASSERT_OK(irq_test_raise(sub, 5));
	thread_sleep_us(20000); /* queued by now */
	UT_CHECK_OK(cap_drop(sub));
	irq_none_queued();
	UT_CHECK_ERR(cap_info(sub, &ci), ENOENT, ESTALE);
	UT_CHECK_ERR(irq_ack(sub), ENOENT, ESTALE);
	/* A second subscriber: the first one's drop left nothing of it. */
	UT_ASSERT_OK(irq_test_sub(&sub2));
	UT_ASSERT_OK(irq_test_raise(sub2, 1));
	irq_event_t ie;
	UT_ASSERT(irq_next(1000000, &ie));
	UT_CHECK_EQ(ie.total, 1);
	irq_none_queued(); /* only sub2's */
	irq_end(sub2, &start);
}

/* The event also comes through the register wait (ipc_reply_wait). */
UTEST(irq_reply_wait)
{
	cap_handle_t sub;
	ipc_event_t ev;
	irq_event_t ie;
	mem_stats_t start;
	UT_ASSERT(irq_begin(&sub, &start));
	UT_ASSERT_OK(irq_test_raise(sub, 3));
	UT_ASSERT_OK(ipc_reply_wait(CAP_NIL, EOK, NULL, &ev, 1000000, 0, NULL));
	UT_ASSERT(irq_event_is(&ev, TEST_IRQ_METHOD));
	irq_event_read(&ev, &ie);
	UT_CHECK_EQ(ie.count, 3);
	UT_CHECK_EQ(ie.arg, TEST_IRQ_ARG);
	UT_CHECK_EQ(ie.line, TEST_IRQ_LINE);
	UT_CHECK_EQ(ev.call, CAP_NIL);
	irq_none_queued();
	UT_CHECK_OK(irq_ack(sub));
	irq_end(sub, &start);
}

/* A wait whose buffer cannot be written takes nothing: the event stays. */
UTEST(irq_wait_efault_keeps_event)
{
	cap_handle_t sub;
	irq_event_t ie;
	mem_stats_t start;
	UT_ASSERT(irq_begin(&sub, &start));
	UT_ASSERT_OK(irq_test_raise(sub, 2));
	UT_CHECK_EQ(ipc_wait((ipc_event_t *) ADDR_UNMAPPED, 100000, 0, 0), EFAULT);
	UT_ASSERT(irq_next(1000000, &ie));
	UT_CHECK_EQ(ie.count, 2);
	irq_none_queued();
	UT_CHECK_OK(irq_ack(sub));
	irq_end(sub, &start);
}

/* A real device, driven from user space: the CMOS clock's periodic
 * interrupt (line 8), by a child given the clock's ports and its line
 * (handles 1 and 2).  After an interrupt the line stays masked until the
 * ack, however long: the clock's next interrupt waits at the PIC and
 * comes right after it.  The child ends with its subscription open (the
 * task's end closes it).  Exit 0, or which check failed. */
static uint8_t cmos_read(uint8_t reg)
{
	pio_write_8(0x70, reg);
	return pio_read_8(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	pio_write_8(0x70, reg);
	pio_write_8(0x71, v);
}

/* The next event: 0 if it is the clock's (*total: its total count). */
static int rtc_next(uint64_t timeout_us, uint64_t *total)
{
	ipc_event_t ev;
	irq_event_t ie;
	errno_t rc = ipc_wait(&ev, timeout_us, timeout_us ? 0 : IPC_WAIT_NONBLOCK, 0);
	if (rc != EOK)
		return rc == ETIMEOUT ? 1 : 2;
	if (!irq_event_is(&ev, TEST_IRQ_METHOD))
		return 3;
	irq_event_read(&ev, &ie);
	*total = ie.total;
	return ie.line == 8 && ie.arg == 8 && ie.count == 1 ? 0 : 4;
}

static int rtc_run(cap_handle_t sub)
{
	uint64_t total;
	int r = rtc_next(2000000, &total);
	if (r != 0)
		return 20 + r;
	(void) cmos_read(0x0c); /* quiet: the clock interrupts again */
	thread_sleep_us(30000); /* ~30 periods */
	if (rtc_next(0, &total) != 1)
		return 30; /* an event came while the line was to be masked */
	if (irq_ack(sub) != EOK)
		return 31;
	r = rtc_next(2000000, &total);
	if (r != 0)
		return 40 + r;
	return total == 2 ? 0 : 50;
}

int child_irq_rtc(int argc, char **argv)
{
	(void) argc, (void) argv;
	cap_handle_t sub;
	if (ioport_enable(1) != EOK)
		return 10;
	if (irq_subscribe(2, 8, TEST_IRQ_METHOD, 8, &sub) != EOK)
		return 11;
	uint8_t b = cmos_read(0x0b);
	cmos_write(0x0b, b | 0x40); /* periodic interrupt on (1024 Hz) */
	(void) cmos_read(0x0c);
	int r = rtc_run(sub);
	cmos_write(0x0b, b & ~0x40);
	(void) cmos_read(0x0c);
	return r;
}

UTEST(irq_rtc_user)
{
	task_id_t id;
	task_exit_info_t info;
	cap_info_t ci;
	const cap_handle_t caps[] = { TESTER_CAP_IO_CMOS, TESTER_CAP_IRQ8 };
	UT_ASSERT_OK(cap_info(TESTER_CAP_IRQ8, &ci));
	UT_ASSERT(ci.kind == CAP_KIND_IRQ_RANGE && ci.base == 8);
	UT_ASSERT_OK(task_spawn_caps(TESTER_MODULE, "child:irq-rtc", caps, 2, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	if (!UT_CHECK_EQ(info.status, 0))
		utest_note("child:irq-rtc: %s", info.message);
}

/* Started by the kernel test irq_task_end (with the tester's boot grants):
 * subscribe, then end after @a argv[1] milliseconds without taking or
 * acknowledging anything. */
int child_irq_hold(int argc, char **argv)
{
	cap_handle_t sub;
	if (irq_test_sub(&sub) != EOK)
		return 1;
	thread_sleep_us((argc > 1 ? (uint64_t) atoi(argv[1]) : 200) * 1000);
	return 0;
}
