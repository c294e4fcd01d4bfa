/*
 * Kernel tests of IRQ subscriptions (ddi/irq.h).  Interrupts are simulated
 * by calling the dispatch function with interrupts off, as the interrupt
 * entry does; irq_rtc_real uses a real device (the CMOS RTC's periodic
 * interrupt on line 8) to check the masking at the PIC.
 */
#include <arch/asm.h>
#include <cap/cap.h>
#include <ddi/irq.h>
#include <ddi/range.h>
#include <ipc/ipc.h>
#include <mm/malloc.h>
#include <proc/program.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <test/ktest.h>

#define LINE 5 /* nothing on it in QEMU's pc machine */
#define IMETHOD 0x4242

static cap_table_t irq_test_caps;

typedef struct irq_fixture {
	cap_table_t *caps;
	answerbox_t *box;
	cap_handle_t range;
	size_t live, subs;
} irq_fixture_t;

static bool irq_fixture_init(irq_fixture_t *f, uint64_t base, uint64_t size)
{
	f->live = malloc_live_count();
	f->subs = irq_subs_live();
	f->caps = &irq_test_caps;
	cap_table_init(f->caps);
	f->box = answerbox_create(0);
	return f->box &&
	    KT_CHECK_EQ(ddi_range_grant(f->caps, DDI_RANGE_IRQ, base, size, &f->range), EOK);
}

/* Everything goes: subscriptions, the box; the counts are back. */
static void irq_fixture_fini(irq_fixture_t *f)
{
	cap_table_close_all(f->caps);
	answerbox_deactivate(f->box);
	answerbox_release(f->box);
	thread_sleep(10000); /* irqd drops what it still held */
	KT_CHECK_EQ(irq_subs_live(), f->subs);
	KT_CHECK_EQ(malloc_live_count(), f->live);
}

static void irq_raise(unsigned line, unsigned times)
{
	ipl_t ipl = arch_interrupts_disable();
	for (unsigned i = 0; i < times; i++)
		irq_line_dispatch(line);
	arch_interrupts_restore(ipl);
}

/* Wait for the next event at @a box (@a timeout_us, 0: do not wait). */
static errno_t irq_wait(answerbox_t *box, uint64_t timeout_us, ipc_event_t *ev)
{
	ipc_pick_t p;
	errno_t rc = ipc_box_wait(box, timeout_us, timeout_us == 0, false, 0, &p);
	if (rc != EOK)
		return rc;
	if (p.kind != IPC_EV_IRQ)
		return EINVAL;
	irq_event_fill(&p, ev);
	irq_event_commit(&p);
	return EOK;
}

KTEST(irq_subscribe_rules)
{
	irq_fixture_t f;
	cap_handle_t h, all, io, subs[DDI_IRQ_SUBS_PER_LINE];
	KT_ASSERT(irq_fixture_init(&f, 3, 3)); /* lines 3, 4, 5 */
	KT_ASSERT_EQ(ddi_range_grant(f.caps, DDI_RANGE_IRQ, 0, DDI_IRQ_LINES, &all), EOK);
	KT_ASSERT_EQ(ddi_range_grant(f.caps, DDI_RANGE_IO, 0x3f8, 8, &io), EOK);
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, f.range, 6, 0, 0, &h), EPERM);
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, f.range, 2, 0, 0, &h), EPERM);
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, all, 16, 0, 0, &h), EINVAL);
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, all, 0, 0, 0, &h), EBUSY); /* timer */
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, all, 2, 0, 0, &h), EBUSY); /* cascade */
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, io, LINE, 0, 0, &h), ENOENT);
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, 77, LINE, 0, 0, &h), ENOENT);
	KT_CHECK(irq_line_masked(LINE));
	for (unsigned i = 0; i < DDI_IRQ_SUBS_PER_LINE; i++)
		KT_CHECK_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, i, &subs[i]), EOK);
	KT_CHECK(!irq_line_masked(LINE)); /* subscribed: open */
	KT_CHECK_EQ(irq_subscribe(f.caps, f.box, all, LINE, 0, 0, &h), ELIMIT);
	KT_CHECK_EQ(irq_ack(f.caps, f.range), ENOENT); /* a range is no subscription */
	KT_CHECK_EQ(irq_ack(f.caps, subs[0]), EOK); /* nothing owed: nothing done */
	for (unsigned i = 0; i < DDI_IRQ_SUBS_PER_LINE; i++)
		KT_CHECK_EQ(irq_unsubscribe(f.caps, subs[i]), EOK);
	KT_CHECK_EQ(irq_unsubscribe(f.caps, subs[0]), ENOENT); /* gone */
	KT_CHECK(irq_line_masked(LINE)); /* nobody left: masked */
	irq_fixture_fini(&f);
}

KTEST(irq_flood_coalesced)
{
	irq_fixture_t f;
	cap_handle_t h;
	ipc_event_t ev;
	KT_ASSERT(irq_fixture_init(&f, LINE, 1));
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, 77, &h), EOK);
	size_t live = malloc_live_count();
	irq_raise(LINE, 1000);
	KT_CHECK_EQ(malloc_live_count(), live); /* a flood costs no memory */
	KT_CHECK(irq_line_masked(LINE));
	KT_ASSERT_EQ(irq_wait(f.box, 1000000, &ev), EOK);
	KT_CHECK_EQ(ev.kind, IPC_EV_IRQ);
	KT_CHECK_EQ(ev.call, CAP_NIL);
	KT_CHECK_EQ(ev.msg.method, IMETHOD);
	KT_CHECK_EQ(ev.msg.arg[0], 77);
	KT_CHECK_EQ(ev.msg.arg[1], 1000); /* one event for all of them */
	KT_CHECK_EQ(ev.msg.arg[2], 999); /* coalesced */
	KT_CHECK_EQ(ev.msg.arg[3], 1000);
	KT_CHECK_EQ(ev.msg.arg[4], LINE);
	KT_CHECK_EQ(irq_wait(f.box, 0, &ev), ETIMEOUT); /* nothing else queued */
	KT_CHECK(irq_line_masked(LINE)); /* until acknowledged */
	KT_CHECK_EQ(irq_ack(f.caps, h), EOK);
	KT_CHECK(!irq_line_masked(LINE));
	irq_raise(LINE, 1);
	KT_ASSERT_EQ(irq_wait(f.box, 1000000, &ev), EOK);
	KT_CHECK_EQ(ev.msg.arg[1], 1);
	KT_CHECK_EQ(ev.msg.arg[2], 999);
	KT_CHECK_EQ(ev.msg.arg[3], 1001);
	irq_fixture_fini(&f);
	KT_CHECK(irq_line_masked(LINE));
}

/* A waiter that had taken an event and could not deliver it puts it back:
 * the count is not lost, and interrupts meanwhile join it. */
KTEST(irq_put_back)
{
	irq_fixture_t f;
	cap_handle_t h;
	ipc_event_t ev;
	ipc_pick_t p;
	KT_ASSERT(irq_fixture_init(&f, LINE, 1));
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, 0, &h), EOK);
	irq_raise(LINE, 3);
	KT_ASSERT_EQ(ipc_box_wait(f.box, 1000000, false, false, 0, &p), EOK);
	KT_CHECK_EQ(p.kind, IPC_EV_IRQ);
	irq_raise(LINE, 2); /* a new event is queued meanwhile */
	thread_sleep(10000);
	ipc_pick_put_back(f.box, &p); /* joins the queued one */
	KT_ASSERT_EQ(irq_wait(f.box, 1000000, &ev), EOK);
	KT_CHECK_EQ(ev.msg.arg[1], 5);
	KT_CHECK_EQ(irq_wait(f.box, 0, &ev), ETIMEOUT);
	irq_raise(LINE, 1);
	KT_ASSERT_EQ(ipc_box_wait(f.box, 1000000, false, false, 0, &p), EOK);
	ipc_pick_put_back(f.box, &p); /* nothing queued: goes back as it was */
	KT_ASSERT_EQ(irq_wait(f.box, 1000000, &ev), EOK);
	KT_CHECK_EQ(ev.msg.arg[1], 1);
	KT_CHECK_EQ(ev.msg.arg[3], 6);
	irq_fixture_fini(&f);
}

/* Unsubscribing drops the queued event and the one irqd is about to
 * deliver; the line stays masked; the box's death drops its events. */
KTEST(irq_unsubscribe_drops)
{
	irq_fixture_t f;
	cap_handle_t h, h2;
	ipc_event_t ev;
	KT_ASSERT(irq_fixture_init(&f, LINE, 1));
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, 0, &h), EOK);
	irq_raise(LINE, 3);
	thread_sleep(10000); /* queued on the box by now */
	KT_CHECK(!list_empty(&f.box->irqs));
	KT_CHECK_EQ(irq_unsubscribe(f.caps, h), EOK);
	KT_CHECK(list_empty(&f.box->irqs));
	KT_CHECK(irq_line_masked(LINE));
	KT_CHECK_EQ(irq_wait(f.box, 0, &ev), ETIMEOUT);
	/* Raised and closed at once: irqd may hold it; it is dropped. */
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, 0, &h), EOK);
	irq_raise(LINE, 1);
	KT_CHECK_EQ(irq_unsubscribe(f.caps, h), EOK);
	thread_sleep(10000);
	KT_CHECK_EQ(irq_wait(f.box, 0, &ev), ETIMEOUT);
	KT_CHECK_EQ(irq_subs_live(), f.subs);
	/* The box dies with an event queued and another on its way. */
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, 0, &h), EOK);
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, LINE, IMETHOD, 0, &h2), EOK);
	irq_raise(LINE, 1);
	thread_sleep(10000);
	KT_CHECK_EQ(irq_ack(f.caps, h), EOK);
	KT_CHECK(irq_line_masked(LINE)); /* h2 still owes its ack */
	KT_CHECK_EQ(irq_ack(f.caps, h2), EOK);
	KT_CHECK(!irq_line_masked(LINE));
	answerbox_deactivate(f.box);
	irq_raise(LINE, 1);
	irq_fixture_fini(&f); /* deactivates again: harmless */
}

/* CMOS RTC: register A/B/C through ports 0x70/0x71 (bit 7: NMI off). */
static uint8_t rtc_read(uint8_t reg)
{
	outb(0x70, 0x80 | reg);
	return inb(0x71);
}

static void rtc_write(uint8_t reg, uint8_t v)
{
	outb(0x70, 0x80 | reg);
	outb(0x71, v);
}

/* A real device: the RTC's periodic interrupt (1024 Hz) on line 8.  After
 * an interrupt the line stays masked until the ack, however long: the
 * RTC's next interrupt waits at the PIC and comes right after the ack. */
KTEST(irq_rtc_real)
{
	irq_fixture_t f;
	cap_handle_t h;
	ipc_event_t ev;
	KT_ASSERT(irq_fixture_init(&f, 8, 1));
	KT_ASSERT_EQ(irq_subscribe(f.caps, f.box, f.range, 8, IMETHOD, 8, &h), EOK);
	uint8_t b = rtc_read(0x0b);
	rtc_write(0x0b, b | 0x40); /* periodic interrupt on */
	(void) rtc_read(0x0c);
	errno_t rc = irq_wait(f.box, 2000000, &ev);
	KT_CHECK_EQ(rc, EOK);
	KT_CHECK_EQ(ev.msg.arg[0], 8);
	KT_CHECK_EQ(ev.msg.arg[1], 1);
	KT_CHECK(irq_line_masked(8));
	(void) rtc_read(0x0c); /* the device is quiet: it interrupts again */
	thread_sleep(30000); /* ~30 periods */
	KT_CHECK_EQ(irq_wait(f.box, 0, &ev), ETIMEOUT); /* masked: nothing came */
	KT_CHECK_EQ(irq_ack(f.caps, h), EOK);
	rc = irq_wait(f.box, 2000000, &ev);
	KT_CHECK_EQ(rc, EOK);
	KT_CHECK_EQ(ev.msg.arg[1], 1);
	KT_CHECK_EQ(ev.msg.arg[3], 2); /* two interrupts in all */
	rtc_write(0x0b, b & ~0x40);
	(void) rtc_read(0x0c);
	irq_fixture_fini(&f);
	KT_CHECK(irq_line_masked(8));
}

/* Run the tester's child "irq-hold" (started by the kernel, so with the
 * tester's boot grant of line 5): it subscribes and ends after 300 ms
 * without taking or acknowledging anything; with @a raise, interrupts come
 * meanwhile (an event queued, its ack owed). */
static void irq_task_end_run(bool raise)
{
	task_id_t id;
	task_exit_info_t info = { 0 };
	size_t subs = irq_subs_live();
	KT_ASSERT_EQ(program_spawn_module("tester", "child:irq-hold 300", 0, &id), EOK);
	for (unsigned i = 0; i < 200 && irq_subs_live() == subs; i++)
		thread_sleep(10000);
	KT_CHECK_EQ(irq_subs_live(), subs + 1);
	KT_CHECK(!irq_line_masked(LINE));
	if (raise)
		irq_raise(LINE, 3);
	KT_CHECK_EQ(task_wait(id, &info), EOK);
	KT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	KT_CHECK_EQ(info.status, 0);
	thread_sleep(10000);
	KT_CHECK_EQ(irq_subs_live(), subs); /* nothing queued anywhere */
	KT_CHECK(irq_line_masked(LINE));
	ipl_t ipl = arch_interrupts_disable();
	KT_CHECK(!irq_line_dispatch(LINE)); /* nobody is told any more */
	arch_interrupts_restore(ipl);
}

/* A task's end unsubscribes: the line is left masked, nothing queued. */
KTEST(irq_task_end)
{
	irq_task_end_run(false);
	irq_task_end_run(true);
}
