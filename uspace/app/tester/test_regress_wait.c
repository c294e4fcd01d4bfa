/*
 * Regression tests: a wait whose final copy-out fails loses nothing.
 *
 * SYS_IPC_WAIT proves the caller's event buffer, takes an event off the
 * answerbox and writes it out at the end.  A sibling thread can unmap the
 * buffer while the waiter sleeps in the kernel (after the proof); the
 * event that wakes the waiter then cannot be written.  It used to be lost
 * (a call never answered, an answer never collected, a notice gone, a
 * phone or an area made for nobody); now the wait fails with EFAULT and
 * the event, with everything made for it undone, is the next one taken.
 *
 * Each test parks a thread in ipc_wait with its buffer in an area of its
 * own, unmaps the area under it, then makes the event.  If the thread had
 * not reached the kernel yet it fails the proof instead (also EFAULT, and
 * also nothing lost), so the tests hold either way.
 */
#include "tester.h"
#include <anon.h>
#include <stdio.h>
#include <thread.h>
#include <utest.h>

#define WAIT_US (5 * 1000 * 1000)
#define PARK_US (200 * 1000)
#define LOST_METHOD (IPC_M_FIRST_USER + 91)
#define LOST_COOKIE 0x10570000ULL
#define LOST_BADGE 0x1057ULL
#define LOST_PATTERN 0x6c6f7374ULL

typedef struct parked {
	uintptr_t area; /* the waiter's event buffer, unmapped under it */
	unsigned flags;
	uint64_t cookie;
	tid_t tid;
} parked_t;

static int parked_thread(void *arg)
{
	parked_t *p = arg;
	return (int) ipc_wait((ipc_event_t *) p->area, WAIT_US, p->flags, p->cookie);
}

/* Take what is in our box now (answering calls EHANGUP); the number of
 * hangup notices for @a badge among it. */
static int notices_for(uint64_t badge)
{
	ipc_event_t ev;
	int n = 0;
	while (ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0) == EOK) {
		if (ev.kind == IPC_EV_HANGUP && ev.conn == badge)
			n++;
		else if (ev.kind == IPC_EV_CALL)
			ipc_answer(ev.call, EHANGUP, NULL);
	}
	return n;
}

static void drain_now(void)
{
	(void) notices_for(0);
}

/* Park a waiter (@a flags, @a cookie) and unmap its buffer under it. */
static bool park(parked_t *p, unsigned flags, uint64_t cookie)
{
	p->flags = flags;
	p->cookie = cookie;
	if (!UT_CHECK_OK(as_area_create(0, PAGE_SIZE, RW, &p->area)))
		return false;
	if (!UT_CHECK_OK(thread_create(parked_thread, p, &p->tid))) {
		as_area_destroy(p->area);
		return false;
	}
	thread_sleep_us(PARK_US); /* it proves the buffer and sleeps */
	return UT_CHECK_OK(as_area_destroy(p->area));
}

/* The parked waiter could not write its event: EFAULT. */
static void parked_join(parked_t *p)
{
	int status = -1;
	UT_CHECK_OK(thread_join(p->tid, &status));
	UT_CHECK_ERR((errno_t) status, EFAULT);
}

/* Receive (in this thread) the call we sent ourselves. */
static bool lost_receive(ipc_event_t *ev, uint64_t method)
{
	if (!UT_CHECK_OK(self_event_wait(ev, WAIT_US)))
		return false;
	return UT_CHECK_EQ(ev->kind, IPC_EV_CALL) && UT_CHECK_EQ(ev->msg.method, method);
}

/* The answer with the private @a cookie, for this thread only. */
static bool lost_collect(uint64_t cookie, ipc_event_t *ev)
{
	if (!UT_CHECK_OK(ipc_wait(ev, WAIT_US, IPC_WAIT_FOR_COOKIE, cookie)))
		return false;
	return UT_CHECK_EQ(ev->kind, IPC_EV_ANSWER) && UT_CHECK_OK((errno_t) ev->retval);
}

/* A call: before the fix it had a handle nobody knew and was never
 * answered. */
UTEST(regress_wait_unmapped_keeps_call)
{
	cap_handle_t self;
	ipc_event_t ev;
	parked_t p;
	uint64_t sync = ipc_cookie_sync_new();
	UT_ASSERT_OK(self_phone_open(&self));
	drain_now();
	if (park(&p, 0, 0)) {
		UT_CHECK_OK(ipc_call(self, &IPC_MSG(LOST_METHOD, 1), sync));
		parked_join(&p);
		if (lost_receive(&ev, LOST_METHOD)) {
			UT_CHECK_EQ(ev.msg.arg[0], 1);
			UT_CHECK_OK(ipc_answer(ev.call, EOK, &IPC_MSG(0, 2)));
			if (lost_collect(sync, &ev))
				UT_CHECK_EQ(ev.msg.arg[0], 2);
		}
	}
	self_phone_close(self);
}

/* A call through @a phone arrives here with LOST_BADGE and is answered;
 * hanging the phone up then leaves exactly one notice. */
static void phone_reaches_us(cap_handle_t phone)
{
	ipc_event_t ev;
	UT_CHECK_OK(ipc_call(phone, &IPC_MSG(LOST_METHOD), LOST_COOKIE));
	if (lost_receive(&ev, LOST_METHOD)) {
		UT_CHECK_EQ(ev.conn, LOST_BADGE);
		UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
		UT_CHECK_OK(self_event_wait(&ev, WAIT_US));
		UT_CHECK_EQ(ev.cookie, LOST_COOKIE);
	}
	UT_CHECK_OK(ipc_hangup(phone));
	UT_CHECK_EQ(notices_for(LOST_BADGE), 1);
}

/* A connect-to-me call: the phone handle given with it is taken back too,
 * and given again (working) with the call the next wait returns. */
UTEST(regress_wait_unmapped_keeps_connect_to_me)
{
	cap_handle_t self;
	ipc_event_t ev;
	parked_t p;
	uint64_t sync = ipc_cookie_sync_new();
	UT_ASSERT_OK(self_phone_open(&self));
	drain_now();
	if (park(&p, 0, 0)) {
		ipc_msg_t m = IPC_MSG(IPC_M_CONNECT_TO_ME, 0, 0, 0, 0, LOST_BADGE);
		UT_CHECK_OK(ipc_call(self, &m, sync));
		parked_join(&p);
		if (lost_receive(&ev, IPC_M_CONNECT_TO_ME)) {
			cap_handle_t given = (cap_handle_t) ev.msg.arg[4];
			UT_CHECK_OK(ipc_answer(ev.call, EOK, NULL));
			lost_collect(sync, &ev);
			phone_reaches_us(given);
		}
	}
	self_phone_close(self);
}

/* An answer (a private one: the parked thread waits for its cookie). */
UTEST(regress_wait_unmapped_keeps_answer)
{
	cap_handle_t self;
	ipc_event_t ev;
	parked_t p;
	uint64_t sync = ipc_cookie_sync_new();
	UT_ASSERT_OK(self_phone_open(&self));
	drain_now();
	if (park(&p, IPC_WAIT_FOR_COOKIE, sync)) {
		UT_CHECK_OK(ipc_call(self, &IPC_MSG(LOST_METHOD, 3), sync));
		if (lost_receive(&ev, LOST_METHOD))
			UT_CHECK_OK(ipc_answer(ev.call, EOK, &IPC_MSG(0, 4)));
		parked_join(&p);
		if (lost_collect(sync, &ev))
			UT_CHECK_EQ(ev.msg.arg[0], 4);
	}
	self_phone_close(self);
}

/* A hangup notice. */
UTEST(regress_wait_unmapped_keeps_notice)
{
	cap_handle_t self;
	ipc_event_t ev;
	parked_t p;
	bool told = false;
	UT_ASSERT_OK(self_phone_open(&self));
	drain_now();
	if (park(&p, 0, 0)) {
		UT_CHECK_OK(ipc_hangup(self));
		parked_join(&p);
		while (!told && ipc_wait(&ev, 0, IPC_WAIT_NONBLOCK, 0) == EOK)
			told = ev.kind == IPC_EV_HANGUP && ev.conn == SELF_BADGE;
		UT_CHECK(told);
	} else {
		ipc_hangup(self);
	}
	drain_now();
}

/* The answer to a connect-me-to: the phone made for the failed copy-out
 * is closed quietly (the server never hears of it) and the next wait
 * makes the one the caller gets. */
UTEST(regress_wait_unmapped_keeps_connect)
{
	cap_handle_t self;
	ipc_event_t ev;
	parked_t p;
	uint64_t sync = ipc_cookie_sync_new();
	UT_ASSERT_OK(self_phone_open(&self));
	drain_now();
	if (park(&p, IPC_WAIT_FOR_COOKIE, sync)) {
		UT_CHECK_OK(ipc_call(self, &IPC_MSG(IPC_M_CONNECT_ME_TO, 0, 0, 0, 0), sync));
		if (lost_receive(&ev, IPC_M_CONNECT_ME_TO))
			UT_CHECK_OK(ipc_connect_accept(&ev, LOST_BADGE));
		parked_join(&p);
		UT_CHECK_EQ(notices_for(LOST_BADGE), 0);
		if (lost_collect(sync, &ev)) {
			cap_handle_t phone = (cap_handle_t) ev.msg.arg[0];
			phone_reaches_us(phone);
		}
	}
	self_phone_close(self);
}

/* The answer to a share-in at a fixed address: the area made for the
 * failed copy-out is destroyed (else the next one could not be made at
 * the same place), and the caller's area shows the sharer's memory. */
UTEST(regress_wait_unmapped_keeps_share_in)
{
	cap_handle_t self;
	ipc_event_t ev;
	parked_t p;
	uintptr_t a;
	uint64_t sync = ipc_cookie_sync_new();
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(as_area_create_anon(0, PAGE_SIZE, RW, &a));
	*(volatile uint64_t *) a = LOST_PATTERN;
	UT_ASSERT_OK(self_phone_open(&self));
	drain_now();
	if (park(&p, IPC_WAIT_FOR_COOKIE, sync)) {
		ipc_msg_t m = IPC_MSG(IPC_M_SHARE_IN, PAGE_SIZE, RW, TEST_FIXED_ADDR);
		UT_CHECK_OK(ipc_call(self, &m, sync));
		if (lost_receive(&ev, IPC_M_SHARE_IN))
			UT_CHECK_OK(ipc_share_in_accept(&ev, a));
		parked_join(&p);
		if (lost_collect(sync, &ev)) {
			UT_CHECK_EQ(ev.msg.arg[0], TEST_FIXED_ADDR);
			UT_CHECK_EQ(*(volatile uint64_t *) TEST_FIXED_ADDR, LOST_PATTERN);
			UT_CHECK_OK(as_area_destroy(TEST_FIXED_ADDR));
		}
	}
	self_phone_close(self);
	UT_CHECK_OK(as_area_destroy(a));
}
