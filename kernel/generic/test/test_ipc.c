/*
 * Kernel tests of the capability table and of call lifetimes: delivery,
 * bounds, answers to kernel calls, timeouts, hangup and box death.  A
 * kernel thread plays the server by taking calls straight off the box.
 */
#include <cap/cap.h>
#include <ipc/ipc.h>
#include <mm/malloc.h>
#include <proc/thread.h>
#include <test/ktest.h>

KTEST(ipc_cap_table)
{
	static cap_table_t t;
	static int objs[CAP_MAX];
	cap_handle_t h, h5;
	void *obj;

	cap_table_init(&t);
	for (int i = 0; i < CAP_MAX; i++) {
		KT_ASSERT_EQ(cap_alloc(&t, CAP_CALL, &objs[i], CAP_NIL, &h), EOK);
		KT_CHECK_EQ(h, i); /* a slot's first handle is its index */
	}
	KT_CHECK_EQ(cap_alloc(&t, CAP_CALL, &objs[0], CAP_NIL, &h), ELIMIT);
	KT_CHECK_EQ(cap_used(&t), CAP_MAX);
	KT_CHECK_EQ(cap_take(&t, 5, CAP_PHONE, &obj), ENOENT); /* wrong type */
	KT_CHECK_EQ(cap_take(&t, -1, CAP_CALL, &obj), ENOENT);
	KT_CHECK_EQ(cap_take(&t, INT32_MIN, CAP_CALL, &obj), ENOENT);
	/* slot 0's next generation: not its object's handle */
	KT_CHECK_EQ(cap_take(&t, CAP_MAX, CAP_CALL, &obj), ESTALE);
	KT_CHECK_EQ(cap_take(&t, 5, CAP_CALL, &obj), EOK);
	KT_CHECK(obj == &objs[5]);
	KT_CHECK_EQ(cap_take(&t, 5, CAP_CALL, &obj), ENOENT); /* taken twice: the slot is free */
	KT_CHECK_EQ(cap_alloc(&t, CAP_CALL, &objs[5], 6, &h), EEXIST); /* taken */
	KT_CHECK_EQ(cap_alloc(&t, CAP_CALL, &objs[5], 5, &h), EEXIST); /* an old generation */
	h5 = CAP_HANDLE_MAKE(5, 1);
	KT_CHECK_EQ(cap_alloc(&t, CAP_CALL, &objs[5], h5, &h), EOK);
	KT_CHECK_EQ(h, h5);
	KT_CHECK_EQ(cap_take(&t, 5, CAP_CALL, &obj), ESTALE);
	for (int i = 0; i < CAP_MAX; i++)
		KT_CHECK_EQ(cap_take(&t, i == 5 ? h5 : i, CAP_CALL, &obj), EOK);
	KT_CHECK_EQ(cap_used(&t), 0);
}

/* A handle whose slot was freed and reused never reaches the new object:
 * every operation on it is refused with ESTALE, and the new object stays. */
KTEST(ipc_cap_stale_handle)
{
	static cap_table_t t;
	static int a, b;
	cap_handle_t h, h2;
	void *obj;

	cap_table_init(&t);
	KT_ASSERT_EQ(cap_alloc(&t, CAP_CALL, &a, CAP_NIL, &h), EOK);
	KT_CHECK_EQ(cap_take(&t, h, CAP_CALL, &obj), EOK);
	KT_CHECK_EQ(cap_take(&t, h, CAP_CALL, &obj), ENOENT); /* freed, not reused */
	KT_ASSERT_EQ(cap_alloc(&t, CAP_CALL, &b, CAP_NIL, &h2), EOK);
	KT_CHECK_EQ(CAP_HANDLE_INDEX(h2), CAP_HANDLE_INDEX(h)); /* the same slot ... */
	KT_CHECK(h2 != h); /* ... under another handle */
	KT_CHECK_EQ(cap_take(&t, h, CAP_CALL, &obj), ESTALE);
	KT_CHECK_EQ(cap_take_obj(&t, h, CAP_CALL, &b), ESTALE);
	KT_CHECK_EQ(cap_used(&t), 1);
	KT_CHECK_EQ(cap_take(&t, h2, CAP_CALL, &obj), EOK);
	KT_CHECK(obj == &b);
	/* Many reuses of one slot: each handle is refused once it is old. */
	for (int i = 0; i < 1000; i++) {
		KT_ASSERT_EQ(cap_alloc(&t, CAP_CALL, &a, CAP_NIL, &h), EOK);
		KT_ASSERT_EQ(cap_take(&t, h, CAP_CALL, &obj), EOK);
		KT_ASSERT_EQ(cap_alloc(&t, CAP_CALL, &b, CAP_NIL, &h2), EOK);
		KT_ASSERT_EQ(cap_take(&t, h, CAP_CALL, &obj), ESTALE);
		KT_ASSERT_EQ(cap_take(&t, h2, CAP_CALL, &obj), EOK);
	}
	KT_CHECK_EQ(cap_used(&t), 0);
}

/* cap_take_obj takes a handle back only while it holds the object given
 * (a handle closed and reused meanwhile stays with its new object). */
KTEST(ipc_cap_take_obj)
{
	static cap_table_t t;
	static int a, b;
	cap_handle_t h, h2;
	void *obj;

	cap_table_init(&t);
	KT_ASSERT_EQ(cap_alloc(&t, CAP_PHONE, &a, CAP_NIL, &h), EOK);
	KT_CHECK_EQ(cap_take_obj(&t, h, CAP_CALL, &a), ENOENT); /* wrong type */
	KT_CHECK_EQ(cap_take_obj(&t, CAP_NIL, CAP_PHONE, &a), ENOENT);
	KT_CHECK_EQ(cap_take_obj(&t, h, CAP_PHONE, &b), ENOENT); /* another object */
	KT_CHECK_EQ(cap_take(&t, h, CAP_PHONE, &obj), EOK); /* closed ... */
	KT_CHECK_EQ(cap_alloc(&t, CAP_PHONE, &b, CAP_NIL, &h2), EOK); /* ... and reused */
	KT_CHECK_EQ(CAP_HANDLE_INDEX(h2), CAP_HANDLE_INDEX(h));
	KT_CHECK_EQ(cap_take_obj(&t, h, CAP_PHONE, &a), ESTALE);
	KT_CHECK_EQ(cap_used(&t), 1); /* b stays */
	KT_CHECK_EQ(cap_take_obj(&t, h2, CAP_PHONE, &b), EOK);
	KT_CHECK_EQ(cap_used(&t), 0);
}

/* Closing a table closes exactly its used slots with their type's hook:
 * every phone is hung up (its callee gets a notice) and released. */
KTEST(ipc_cap_close_all)
{
	static cap_table_t t;
	phone_t *p[3];
	cap_handle_t h;
	answerbox_t *box = answerbox_create(0);
	KT_ASSERT(box != NULL);
	cap_table_init(&t);
	for (int i = 0; i < 3; i++) {
		p[i] = phone_create(box, 100 + i);
		KT_ASSERT(p[i] != NULL);
		phone_hold(p[i]); /* ours, to look at it afterwards */
		KT_ASSERT_EQ(cap_alloc(&t, CAP_PHONE, p[i], CAP_NIL, &h), EOK);
		if (i == 1) { /* a freed slot in the middle is not visited */
			void *obj;
			KT_ASSERT_EQ(cap_take(&t, h, CAP_PHONE, &obj), EOK);
			phone_release(obj);
		}
	}
	cap_table_close_all(&t);
	KT_CHECK_EQ(cap_used(&t), 0);
	KT_CHECK(p[0]->callee == NULL && p[2]->callee == NULL); /* hung up */
	KT_CHECK(p[1]->callee == box); /* not in the table: untouched */
	KT_CHECK_EQ(box->notices, 2);
	KT_CHECK_EQ(p[0]->refcount, 1); /* the table's reference went */
	for (int i = 0; i < 3; i++)
		phone_release(p[i]);
	answerbox_deactivate(box);
	answerbox_release(box);
}

/* Take the first queued call off @a box, as a receiving thread would. */
static call_t *test_box_take(answerbox_t *box)
{
	call_t *c = NULL;
	mutex_lock(&box->lock);
	link_t *l = list_first(&box->calls);
	if (l) {
		list_remove(l);
		box->calls_count--;
		c = list_get_instance(l, call_t, box_link);
	}
	mutex_unlock(&box->lock);
	return c;
}

static void test_echo_server(void *arg)
{
	answerbox_t *box = arg;
	for (int served = 0; served < 3;) {
		call_t *c = test_box_take(box);
		if (!c) {
			thread_yield();
			continue;
		}
		c->answer.arg[0] = c->msg.arg[0] * 2;
		ipc_call_answer(c, c->msg.method == 1999 ? ENOENT : EOK);
		served++;
	}
}

KTEST(ipc_kcall_answer)
{
	answerbox_t *box = answerbox_create(99);
	KT_ASSERT(box != NULL);
	phone_t *p = phone_create(box, 7);
	KT_ASSERT(p != NULL);
	thread_t *srv;
	KT_ASSERT_EQ(thread_create_kernel(test_echo_server, box, "echo", &srv), EOK);
	thread_ready(srv);
	for (uint64_t i = 1; i <= 3; i++) {
		ipc_msg_t m = { .method = i == 3 ? 1999 : 1500, .arg = { i } };
		ipc_msg_t ans;
		errno_t retval = -1;
		KT_CHECK_EQ(ipc_kcall(p, &m, 0, &retval, &ans), EOK);
		KT_CHECK_EQ(retval, i == 3 ? ENOENT : EOK);
		KT_CHECK_EQ(ans.arg[0], 2 * i);
	}
	thread_join(srv, NULL);
	KT_CHECK_EQ(phone_hangup(p), EOK);
	KT_CHECK_EQ(phone_hangup(p), ENOENT);
	phone_release(p);
	answerbox_deactivate(box);
	answerbox_release(box);
}

KTEST(ipc_kcall_timeout_and_death)
{
	answerbox_t *box = answerbox_create(99);
	KT_ASSERT(box != NULL);
	phone_t *p = phone_create(box, 0);
	KT_ASSERT(p != NULL);
	ipc_msg_t m = { .method = 1500 };
	ipc_msg_t ans;
	errno_t retval;
	/* nobody answers: ETIMEOUT, and the abandoned call stays queued */
	KT_CHECK_EQ(ipc_kcall(p, &m, 20000, &retval, &ans), ETIMEOUT);
	KT_CHECK_EQ(box->calls_count, 1);
	/* the box dies: its queued call is answered (and freed) */
	answerbox_deactivate(box);
	KT_CHECK_EQ(box->calls_count, 0);
	/* a dead box refuses new calls */
	KT_CHECK_EQ(ipc_kcall(p, &m, 20000, &retval, &ans), EHANGUP);
	phone_release(p);
	answerbox_release(box);
}

/* Calls from a task (they have a caller box) are bounded per box; a full
 * box refuses with ELIMIT.  Kernel calls are not refused (see below). */
KTEST(ipc_box_bound_and_hangup)
{
	answerbox_t *box = answerbox_create(99);
	answerbox_t *caller = answerbox_create(98);
	KT_ASSERT(box != NULL && caller != NULL);
	phone_t *p = phone_create(box, 3);
	KT_ASSERT(p != NULL);
	int queued = 0;
	errno_t rc = EOK;
	while (rc == EOK && queued <= IPC_ANSWERBOX_MAX) {
		call_t *c = call_create();
		KT_ASSERT(c != NULL);
		answerbox_hold(caller);
		c->caller = caller;
		c->sender = 98;
		rc = ipc_call_deliver(p, c);
		if (rc == EOK)
			queued++;
		else
			call_release(c);
	}
	KT_CHECK_EQ(rc, ELIMIT); /* back-pressure, not more memory */
	KT_CHECK_EQ(queued, IPC_ANSWERBOX_MAX);
	/* a kernel call still gets through a full box */
	call_t *k = call_create();
	KT_ASSERT(k != NULL);
	KT_CHECK_EQ(ipc_call_deliver(p, k), EOK);
	/* hanging up answers what came through the phone and leaves a notice */
	KT_CHECK_EQ(phone_hangup(p), EOK);
	KT_CHECK_EQ(box->calls_count, 0);
	KT_CHECK(!list_empty(&box->hangups));
	KT_CHECK_EQ(box->notices, 1);
	call_t *c = call_create();
	KT_ASSERT(c != NULL);
	KT_CHECK_EQ(ipc_call_deliver(p, c), EHANGUP);
	call_release(c);
	phone_release(p);
	answerbox_deactivate(box);
	answerbox_deactivate(caller); /* frees the EHANGUP answers queued there */
	answerbox_release(box);
	answerbox_release(caller);
}

/* A box that dies drops what it queued and its counts say so (every count
 * is updated under the box's lock). */
KTEST(ipc_deactivate_counts)
{
	answerbox_t *box = answerbox_create(99);
	KT_ASSERT(box != NULL);
	phone_t *p = phone_create(box, 5);
	phone_t *q = phone_create(box, 6);
	KT_ASSERT(p != NULL && q != NULL);
	ipc_msg_t m = { .method = 1500 };
	KT_CHECK_EQ(ipc_kcall_notify(p, &m), EOK);
	KT_CHECK_EQ(ipc_kcall_notify(p, &m), EOK);
	KT_CHECK_EQ(phone_hangup(q), EOK); /* a notice */
	phone_release(q);
	mutex_lock(&box->lock);
	KT_CHECK_EQ(box->calls_count, 2);
	KT_CHECK_EQ(box->notices, 1);
	mutex_unlock(&box->lock);
	answerbox_deactivate(box);
	mutex_lock(&box->lock);
	KT_CHECK_EQ(box->calls_count, 0);
	KT_CHECK_EQ(box->notices, 0);
	KT_CHECK(list_empty(&box->calls) && list_empty(&box->hangups));
	mutex_unlock(&box->lock);
	phone_release(p);
	answerbox_release(box);
}

/* Make phones to @a box until one lands at @a addr (at most @a max tries);
 * the others go to @a spare (*n of them).  NULL if none did. */
static phone_t *test_phone_at(answerbox_t *box, uintptr_t addr, phone_t **spare, int max, int *n)
{
	*n = 0;
	for (int i = 0; i < max; i++) {
		phone_t *p = phone_create(box, 2);
		if (!p || (uintptr_t) p == addr)
			return p;
		spare[(*n)++] = p;
	}
	return NULL;
}

/*
 * A call names the phone it came through by that phone's serial, not its
 * address.  A phone can be freed while a call through it is still queued
 * (a pager record's phone is released without a hangup after its last
 * notice); a new phone at the same address must not take that call (and
 * answer it EHANGUP) when the new phone hangs up.
 */
KTEST(ipc_via_phone_reused)
{
	enum { TRIES = 64 };
	phone_t *spare[TRIES];
	int nspare;
	answerbox_t *box = answerbox_create(99);
	KT_ASSERT(box != NULL);
	phone_t *old = phone_create(box, 1);
	KT_ASSERT(old != NULL);
	ipc_msg_t m = { .method = 1500 };
	KT_ASSERT_EQ(ipc_kcall_notify(old, &m), EOK);
	uintptr_t old_addr = (uintptr_t) old;
	phone_release(old); /* freed; its call stays queued */
	phone_t *reused = test_phone_at(box, old_addr, spare, TRIES, &nspare);
	for (int i = 0; i < nspare; i++)
		phone_release(spare[i]);
	KT_CHECK(reused != NULL); /* else the slab allocator stopped reusing */
	if (reused) {
		KT_CHECK_EQ(phone_hangup(reused), EOK);
		phone_release(reused);
	}
	KT_CHECK_EQ(box->calls_count, 1); /* the old phone's call is still there */
	call_t *c = test_box_take(box);
	KT_CHECK(c != NULL && c->msg.method == 1500);
	if (c)
		ipc_call_answer(c, EOK);
	answerbox_deactivate(box);
	answerbox_release(box);
}
