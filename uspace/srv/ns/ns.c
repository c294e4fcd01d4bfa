/*
 * ns: the naming service, the first boot task.
 *
 * The kernel gives every later task phone IPC_PHONE_NS to this task.
 * Servers register names, clients connect by name (the protocol is in
 * uspace/lib/c/include/ns.h and docs/ipc.md):
 *
 *  - Registration arrives as IPC_M_CONNECT_TO_ME, which hands ns a phone
 *    to the server (ev.msg.arg[4]).  It must come through a phone to ns
 *    that was made for it (an empty-name IPC_M_CONNECT_ME_TO, which ns
 *    accepts itself with a fresh badge): ns records that badge with the
 *    name, and when the phone hangs up (IPC_EV_HANGUP with that badge: the
 *    server ended or unregistered) the name goes and ns hangs up its own
 *    phone to the server.  Phone 0 of every task has badge 0, so the
 *    hangups of ordinary tasks ending are told apart and ignored.
 *  - A connect (IPC_M_CONNECT_ME_TO with a name) is forwarded to the
 *    server's phone; the server accepts it and the kernel gives the
 *    client its phone.  A connect for a name not registered yet waits in
 *    a bounded list until the name appears or its timeout (arg[2] ms, 0:
 *    none) passes (ETIMEOUT).  When the list is full, the connects whose
 *    callers have gone (ended, or stopped waiting) are dropped first; only
 *    if all are still wanted is the new one refused (ELIMIT).
 *
 * One thread: every operation is short and never blocks (forwarding does
 * not wait for the server), and a single thread needs no locks.  The wait
 * timeout is the nearest pending deadline.
 */
#include <cap.h>
#include <ipc.h>
#include <ns.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys.h>
#include <task.h>

/* ns must never wait for a pager: it runs before any exists. */
bool libc_memory_wired = true;

typedef struct ns_entry {
	bool used;
	uint64_t name[2];
	cap_handle_t phone; /* ns's phone to the server */
	uint64_t reg_badge; /* the registration phone's badge */
	task_id_t task;
} ns_entry_t;

typedef struct ns_pending {
	bool used;
	uint64_t name[2];
	cap_handle_t call;
	uint64_t deadline_ns; /* 0: none */
} ns_pending_t;

static ns_entry_t ns_names[NS_NAMES_MAX];
static ns_pending_t ns_pending[NS_PENDING_MAX];
/* Badges of ns's own connections; 0 is phone 0's. */
static uint64_t ns_badge_next = 1;

static ns_entry_t *ns_name_find(const uint64_t name[2])
{
	for (size_t i = 0; i < NS_NAMES_MAX; i++) {
		ns_entry_t *e = &ns_names[i];
		if (e->used && e->name[0] == name[0] && e->name[1] == name[1])
			return e;
	}
	return NULL;
}

static ns_entry_t *ns_name_free_slot(void)
{
	for (size_t i = 0; i < NS_NAMES_MAX; i++) {
		if (!ns_names[i].used)
			return &ns_names[i];
	}
	return NULL;
}

static void ns_name_remove(ns_entry_t *e)
{
	ipc_hangup(e->phone);
	e->used = false;
}

/* Forward a connect to the server of @a e.  A failure answers the
 * client (the kernel does), and a hung-up server loses its name. */
static void ns_forward(cap_handle_t call, ns_entry_t *e)
{
	errno_t rc = ipc_forward(call, e->phone, NULL, 0);
	if (rc == EHANGUP)
		ns_name_remove(e);
	else if (rc != EOK)
		ipc_answer(call, rc, NULL);
}

static ns_pending_t *ns_pending_free_slot(void)
{
	for (size_t i = 0; i < NS_PENDING_MAX; i++) {
		if (!ns_pending[i].used)
			return &ns_pending[i];
	}
	return NULL;
}

/* Answer the waiting connects whose callers no longer wait (they ended
 * or gave up: the kernel says so of the call, CAP_INFO_CALL_ABANDONED),
 * freeing their slots and handles. */
static void ns_pending_sweep(void)
{
	for (size_t i = 0; i < NS_PENDING_MAX; i++) {
		ns_pending_t *p = &ns_pending[i];
		cap_info_t info;
		if (p->used && cap_info(p->call, &info) == EOK &&
		    (info.flags & CAP_INFO_CALL_ABANDONED)) {
			p->used = false;
			ipc_answer(p->call, EHANGUP, NULL); /* goes nowhere */
		}
	}
}

static void ns_pending_add(const ipc_event_t *ev)
{
	ns_pending_t *p = ns_pending_free_slot();
	if (!p) {
		ns_pending_sweep();
		p = ns_pending_free_slot();
	}
	if (!p) {
		ipc_answer(ev->call, ELIMIT, NULL);
		return;
	}
	uint64_t ms = ev->msg.arg[2];
	*p = (ns_pending_t){ .used = true,
		.name = { ev->msg.arg[0], ev->msg.arg[1] },
		.call = ev->call,
		.deadline_ns = ms ? uptime_ns_now() + ms * 1000000 : 0 };
}

/* The name of @a e appeared: forward the connects waiting for it. */
static void ns_pending_flush(ns_entry_t *e)
{
	for (size_t i = 0; i < NS_PENDING_MAX && e->used; i++) {
		ns_pending_t *p = &ns_pending[i];
		if (p->used && p->name[0] == e->name[0] && p->name[1] == e->name[1]) {
			p->used = false;
			ns_forward(p->call, e);
		}
	}
}

/* Answer ETIMEOUT to the connects whose time is up; the nearest
 * remaining deadline (0: none). */
static uint64_t ns_pending_expire(void)
{
	uint64_t now = uptime_ns_now(), next = 0;
	for (size_t i = 0; i < NS_PENDING_MAX; i++) {
		ns_pending_t *p = &ns_pending[i];
		if (!p->used || p->deadline_ns == 0)
			continue;
		if (p->deadline_ns <= now) {
			p->used = false;
			ipc_answer(p->call, ETIMEOUT, NULL);
		} else if (next == 0 || p->deadline_ns < next) {
			next = p->deadline_ns;
		}
	}
	return next;
}

static void ns_connect_call(const ipc_event_t *ev)
{
	const uint64_t *name = ev->msg.arg;
	if (name[0] == 0 && name[1] == 0) {
		ipc_connect_accept(ev, ns_badge_next++);
		return;
	}
	ns_entry_t *e = ns_name_find(name);
	if (e)
		ns_forward(ev->call, e);
	else
		ns_pending_add(ev);
}

static errno_t ns_register_check(const ipc_event_t *ev)
{
	if (ev->conn == 0)
		return EINVAL; /* not through a registration phone */
	if (ev->msg.arg[0] == 0 && ev->msg.arg[1] == 0)
		return EINVAL;
	/* A server that ended has lost its name already: the kernel queues
	 * hangups ahead of calls. */
	if (ns_name_find(ev->msg.arg))
		return EEXIST;
	return ns_name_free_slot() ? EOK : ELIMIT;
}

static void ns_register_call(const ipc_event_t *ev)
{
	errno_t rc = ns_register_check(ev);
	if (rc != EOK) {
		/* The kernel would hang the offered phone up; we drop it
		 * ourselves so its handle is surely free again. */
		ipc_hangup((cap_handle_t) ev->msg.arg[4]);
		ipc_answer(ev->call, rc, NULL);
		return;
	}
	ns_entry_t *e = ns_name_free_slot();
	*e = (ns_entry_t){ .used = true,
		.name = { ev->msg.arg[0], ev->msg.arg[1] },
		.phone = (cap_handle_t) ev->msg.arg[4],
		.reg_badge = ev->conn,
		.task = ev->sender };
	char text[NS_NAME_MAX + 1];
	ns_name_unpack(e->name, text);
	printf("ns: \"%s\" registered by task %llu\n", text, (unsigned long long) e->task);
	ipc_answer(ev->call, EOK, NULL);
	ns_pending_flush(e);
}

/* A registration phone closed: its names go. */
static void ns_hangup(uint64_t conn)
{
	if (conn == 0)
		return;
	for (size_t i = 0; i < NS_NAMES_MAX; i++) {
		if (ns_names[i].used && ns_names[i].reg_badge == conn)
			ns_name_remove(&ns_names[i]);
	}
}

static void ns_event(const ipc_event_t *ev)
{
	if (ev->kind == IPC_EV_HANGUP) {
		ns_hangup(ev->conn);
		return;
	}
	if (ev->kind != IPC_EV_CALL)
		return; /* ns makes no calls: no answers come */
	if (ev->msg.method == IPC_M_CONNECT_ME_TO)
		ns_connect_call(ev);
	else if (ev->msg.method == IPC_M_CONNECT_TO_ME)
		ns_register_call(ev);
	else
		ipc_answer(ev->call, ENOTSUP, NULL);
}

int main(void)
{
	/* The kernel gives every task but the naming service a phone 0 to
	 * it: holding one means another ns is the naming service. */
	if (ipc_hangup(IPC_PHONE_NS) == EOK) {
		printf("ns: task %llu is not the naming service; exiting\n",
		    (unsigned long long) task_id());
		return 1;
	}
	printf("ns: naming service up (task %llu)\n", (unsigned long long) task_id());
	for (;;) {
		uint64_t next = ns_pending_expire(), timeout_us = 0;
		if (next != 0) {
			uint64_t now = uptime_ns_now();
			timeout_us = next > now ? (next - now + 999) / 1000 : 1;
		}
		ipc_event_t ev;
		errno_t rc = ipc_wait(&ev, timeout_us, 0, 0);
		if (rc == EOK)
			ns_event(&ev);
		else if (rc != ETIMEOUT)
			break;
	}
	printf("ns: cannot wait for calls; naming service stopped\n");
	return 1;
}
