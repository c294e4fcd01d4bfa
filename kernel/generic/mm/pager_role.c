/*
 * Pager roles: registration, restart with a successor, low-memory notices
 * (abi/pager.h, "Registration, restart and low memory"; mm/pager.c keeps
 * the records these act on).
 *
 * Roles.  A fixed table of PAGER_ROLE_COUNT slots.  A slot is FREE, HELD
 * (by a live task: its box, a phone of the kernel's to it with badge 0
 * for the notices, its id and its parent's id as they were when it
 * registered) or ORPHANED (the holder died while records of its box that
 * it accepted had areas: the slot keeps the dead box).  A holder that
 * dies without such records frees its slot.  A record is accepted once
 * the pager supplied a page of it (mm/pager.c says why, and why nothing
 * else counts): a record never accepted is bound to an id the pager never
 * made for that connection, as far as the kernel can tell, and is never
 * handed to a successor.  The holder's parent may name one of its own
 * children the successor (SYS_PAGER_SUCCESSOR), before or after the
 * death; only that task may register an orphaned role, and doing so takes
 * the dead pager's records over (pager_box_adopt).  Why the parent: it is
 * the task that started the pager (init, or a test) and so the one that
 * starts the next instance; a role is not a secret any task could learn,
 * and the pages behind it belong to the clients, so a stranger must not
 * be able to claim them by being quicker.
 *
 * Death.  pager_role_task_ended runs in the dying task's last thread,
 * after its box was deactivated (every page-in waiting on it was answered
 * EHANGUP).  Under the roles' lock the records are sealed and counted
 * (pager_box_seal); the slot turns ORPHANED with `revoking` set (FREE if
 * none was accepted), and then, with no lock of ours held, every page the
 * dead pager's records have mapped is revoked (pager_box_orphan, which
 * counts per record the pages mapped writable, for the successor's REF
 * and the log); a takeover waits until that is done, so the successor's
 * answers are never revoked by it.  A fault whose page-in failed with
 * EHANGUP on the box of a dead holder (orphaned, or still held while the
 * death is processed) waits on pager_role_cv for the slot to change (a
 * takeover), at most the pager timeout, and then retries its access
 * (asking the successor), or fails; a fault on a record never accepted
 * fails at once, logged ("never accepted").
 *
 * Low memory.  mm/frame.c raises a flag when an allocation leaves fewer
 * free frames than the low watermark and wakes the thread "pager-lowmem"
 * (nothing else happens on the allocation path).  The thread sends every
 * HELD role whose last notice was answered, and was sent at least
 * PAGER_LOW_MEMORY_INTERVAL_MS ago, an IPC_M_PAGER_LOW_MEMORY notice, then
 * sleeps PAGER_LOWMEM_PAUSE_MS and re-arms the flag (raised again at once
 * if memory is still low).  A slot's unanswered notice is its entry in
 * pager_role_busy: the notice's number while it lives, cleared by the
 * call's cleanup hook (no lock: a compare-and-swap of that number, so a
 * late cleanup never clears a later notice's mark).  So kernel memory for
 * notices is at most one call per slot.
 *
 * Locks: pager_role_lock protects the slots (not pager_role_busy, which is
 * atomic); it comes before pager_lock (a takeover calls pager_box_adopt
 * under it, a death pager_box_seal) and before the phone and box locks of a delivery.  No as->lock
 * is ever taken under it, and it is not held while revoking.
 */
#include <console/console.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/frame.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <time/timer.h>

/* The low-memory thread's pause between two rounds. */
#define PAGER_LOWMEM_PAUSE_MS 100

typedef enum pager_role_state {
	PAGER_ROLE_FREE = 0,
	PAGER_ROLE_HELD,
	PAGER_ROLE_ORPHANED,
} pager_role_state_t;

typedef struct pager_role {
	pager_role_state_t state;
	answerbox_t *box; /* HELD: the holder's; ORPHANED: the dead one's (held) */
	phone_t *phone; /* HELD: the kernel's to the holder, badge 0 */
	task_id_t holder; /* HELD, ORPHANED: the (last) holder */
	task_id_t parent; /* its parent when it registered */
	task_id_t successor; /* named by the parent; 0: none */
	bool revoking; /* ORPHANED: pager_box_orphan is running */
	uint64_t notice_ms; /* when its last low-memory notice went */
} pager_role_t;

static mutex_t pager_role_lock;
static condvar_t pager_role_cv; /* a slot changed: a takeover, revoking done */
static pager_role_t pager_roles[PAGER_ROLE_COUNT] GUARDED_BY(pager_role_lock);
static uint64_t pager_role_busy[PAGER_ROLE_COUNT]; /* atomic: see above */
static uint64_t pager_note_last; /* atomic: the last notice number given */

/* ---- low-memory notices ---- */

/* A low-memory notice went: its slot may get the next one. */
static void pager_low_memory_cleanup(call_t *c)
{
	uint64_t gen = c->st.pager_note.gen;
	unsigned role = c->st.pager_note.role;
	if (gen != 0 && role < PAGER_ROLE_COUNT)
		(void) __atomic_compare_exchange_n(
		    &pager_role_busy[role], &gen, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static const ipc_method_ops_t pager_low_memory_ops = {
	.name = "pager-low-memory",
	.cleanup = pager_low_memory_cleanup,
};
static const ipc_method_ops_t pager_registered_ops = { .name = "pager-registered" };

/* The words of a notice: free, total, wanted, flags. */
static ipc_msg_t pager_low_memory_msg(bool forced)
{
	uint64_t total = frame_total_count(), free = frame_free_count();
	uint64_t low = frame_low_watermark(), high = frame_high_watermark();
	uint64_t want = free < high ? high - free : 0;
	if (forced && want < low)
		want = low; /* a test's: give the pager something to do */
	return (ipc_msg_t){ .method = IPC_M_PAGER_LOW_MEMORY,
		.arg = { free, total, want, forced ? PAGER_LOW_MEMORY_FORCED : 0 } };
}

/* Send slot @a i's holder a notice: EOK, EBUSY (one is unanswered, or
 * the last went too recently), ENOENT (no live holder), ENOMEM. */
static errno_t pager_role_notify_locked(unsigned i, bool forced, uint64_t now_ms)
    REQUIRES(pager_role_lock)
{
	assert(mutex_locked_by_me(&pager_role_lock));
	pager_role_t *r = &pager_roles[i];
	if (r->state != PAGER_ROLE_HELD)
		return ENOENT;
	if (__atomic_load_n(&pager_role_busy[i], __ATOMIC_ACQUIRE) != 0 ||
	    (!forced && now_ms - r->notice_ms < PAGER_LOW_MEMORY_INTERVAL_MS))
		return EBUSY;
	call_t *c = call_create();
	if (!c)
		return ENOMEM;
	uint64_t gen = __atomic_add_fetch(&pager_note_last, 1, __ATOMIC_RELAXED);
	c->msg = pager_low_memory_msg(forced);
	c->st.pager_note.role = i;
	c->st.pager_note.gen = gen;
	__atomic_store_n(&pager_role_busy[i], gen, __ATOMIC_RELEASE);
	r->notice_ms = now_ms;
	if (ipc_call_deliver(r->phone, c) != EOK)
		call_release(c); /* a dying holder: the cleanup clears the mark */
	return EOK;
}

/* One round: every registered pager that may get a notice gets one. */
static void pager_low_memory_round(void)
{
	uint64_t now = timer_uptime_ms();
	mutex_lock(&pager_role_lock);
	for (unsigned i = 1; i < PAGER_ROLE_COUNT; i++)
		(void) pager_role_notify_locked(i, false, now);
	mutex_unlock(&pager_role_lock);
}

static void pager_lowmem_thread(void *arg)
{
	(void) arg;
	for (;;) {
		frame_low_wait();
		if (frame_free_count() < frame_low_watermark())
			pager_low_memory_round();
		thread_sleep(PAGER_LOWMEM_PAUSE_MS * 1000ULL);
		frame_low_rearm();
	}
}

errno_t pager_low_memory_test(unsigned role)
{
	if (!ipc_fail_inject_enabled)
		return ENOTSUP;
	if (role >= PAGER_ROLE_COUNT)
		return EINVAL;
	uint64_t now = timer_uptime_ms();
	errno_t rc = EOK;
	mutex_lock(&pager_role_lock);
	if (role != 0)
		rc = pager_role_notify_locked(role, true, now);
	for (unsigned i = 1; role == 0 && i < PAGER_ROLE_COUNT; i++)
		(void) pager_role_notify_locked(i, true, now);
	mutex_unlock(&pager_role_lock);
	return rc;
}

void pager_role_init(void)
{
	mutex_initialize(&pager_role_lock, "pager-role");
	condvar_initialize(&pager_role_cv);
	ipc_method_register(IPC_M_PAGER_LOW_MEMORY, &pager_low_memory_ops);
	ipc_method_register(IPC_M_PAGER_REGISTERED, &pager_registered_ops);
	thread_t *t;
	errno_t rc = thread_create_kernel(pager_lowmem_thread, NULL, "pager-lowmem", &t);
	assert(rc == EOK);
	(void) rc;
	thread_ready(t);
	thread_detach(t);
	frame_low_watch();
}

/* ---- registration ---- */

/* The slot @a task holds, or NULL. */
static pager_role_t *pager_role_of_locked(task_id_t task) REQUIRES(pager_role_lock)
{
	assert(mutex_locked_by_me(&pager_role_lock));
	for (unsigned i = 1; i < PAGER_ROLE_COUNT; i++) {
		if (pager_roles[i].state == PAGER_ROLE_HELD && pager_roles[i].holder == task)
			return &pager_roles[i];
	}
	return NULL;
}

/* An orphaned slot whose records all went (their areas were destroyed)
 * has nothing left to hand over: it is free again. */
static void pager_role_forget_locked(pager_role_t *r) REQUIRES(pager_role_lock)
{
	assert(mutex_locked_by_me(&pager_role_lock));
	if (r->state != PAGER_ROLE_ORPHANED || r->revoking || pager_box_records(r->box) != 0)
		return;
	answerbox_release(r->box);
	*r = (pager_role_t){ .state = PAGER_ROLE_FREE };
}

/* May @a task (child of @a parent) register @a r now?  EOK, EEXIST,
 * EPERM; EAGAIN while the dead holder's pages are being revoked, or while
 * no successor is named and @a task is a child of the holder's parent
 * (which may yet name it): wait and check again. */
static errno_t pager_role_check_locked(pager_role_t *r, task_id_t task, task_id_t parent)
    REQUIRES(pager_role_lock)
{
	assert(mutex_locked_by_me(&pager_role_lock));
	pager_role_forget_locked(r);
	if (pager_role_of_locked(task) || r->state == PAGER_ROLE_HELD)
		return EEXIST;
	if (r->state == PAGER_ROLE_FREE)
		return EOK;
	if (r->successor == 0 && parent == r->parent)
		return EAGAIN;
	if (r->successor != task)
		return EPERM;
	return r->revoking ? EAGAIN : EOK;
}

/* Wait until @a task may register @a r, or may not (pager_role_check),
 * at most the pager timeout: then EPERM (nobody named it). */
static errno_t pager_role_wait_locked(pager_role_t *r, task_id_t task, task_id_t parent)
    REQUIRES(pager_role_lock)
{
	uint64_t deadline = timer_uptime_ms() + pager_timeout_us / 1000;
	errno_t rc;
	while ((rc = pager_role_check_locked(r, task, parent)) == EAGAIN) {
		uint64_t now = timer_uptime_ms();
		if (now >= deadline)
			return EPERM;
		errno_t wrc = condvar_wait_flags(
		    &pager_role_cv, &pager_role_lock, (deadline - now) * 1000, WAITQ_INTERRUPTIBLE);
		if (wrc == EINTR)
			return EINTR;
	}
	return rc;
}

/* @a r becomes @a task's (after a takeover, if it was orphaned), with
 * @a phone; IPC_M_PAGER_REGISTERED (@a note) tells it so. */
static void pager_role_take_locked(pager_role_t *r, task_t *task, task_id_t parent, phone_t *phone,
    call_t *note, const pager_adopt_summary_t *sum) REQUIRES(pager_role_lock)
{
	assert(mutex_locked_by_me(&pager_role_lock));
	if (r->box)
		answerbox_release(r->box); /* the dead holder's */
	answerbox_hold(task->box);
	*r = (pager_role_t){ .state = PAGER_ROLE_HELD,
		.box = task->box,
		.phone = phone,
		.holder = task->id,
		.parent = parent };
	note->msg = (ipc_msg_t){ .method = IPC_M_PAGER_REGISTERED,
		.arg = {
		    (uint64_t) (r - pager_roles), sum->records, sum->badge_max, sum->id_max } };
	if (ipc_call_deliver(phone, note) != EOK)
		call_release(note);
	condvar_broadcast(&pager_role_cv); /* faults waiting for a successor */
}

errno_t pager_role_register(task_t *task, unsigned role)
{
	if (role == 0 || role >= PAGER_ROLE_COUNT)
		return EINVAL;
	task_id_t parent = task_parent_id(task);
	phone_t *phone = phone_create(task->box, 0);
	call_t *note = call_create();
	errno_t rc = phone && note ? EOK : ENOMEM;
	pager_adopt_summary_t sum = { 0 };
	mutex_lock(&pager_role_lock);
	pager_role_t *r = &pager_roles[role];
	if (rc == EOK)
		rc = pager_role_wait_locked(r, task->id, parent);
	if (rc == EOK && r->state == PAGER_ROLE_ORPHANED)
		rc = pager_box_adopt(r->box, task->box, &sum);
	if (rc == EOK) {
		pager_role_take_locked(r, task, parent, phone, note, &sum);
		phone = NULL;
		note = NULL;
	}
	mutex_unlock(&pager_role_lock);
	if (sum.records)
		printf("pager: task %llu (%s) took role %u over: %llu objects adopted\n",
		    (unsigned long long) task->id, task->name, role,
		    (unsigned long long) sum.records);
	if (phone)
		phone_release(phone); /* never used: nobody learned of it */
	if (note)
		call_release(note);
	return rc;
}

errno_t pager_role_successor(task_t *caller, unsigned role, task_id_t child)
{
	if (role == 0 || role >= PAGER_ROLE_COUNT)
		return EINVAL;
	task_id_t child_parent = caller->id;
	if (child != 0 && task_parent_lookup(child, &child_parent) != EOK)
		return EPERM; /* no such task: not the caller's child either */
	errno_t rc = EOK;
	mutex_lock(&pager_role_lock);
	pager_role_t *r = &pager_roles[role];
	if (r->state == PAGER_ROLE_FREE)
		rc = ENOENT;
	else if (r->parent != caller->id || child_parent != caller->id)
		rc = EPERM;
	else if (child != 0 && child == r->holder)
		rc = EINVAL;
	else
		r->successor = child;
	if (rc == EOK)
		condvar_broadcast(&pager_role_cv); /* a child waiting to be named */
	mutex_unlock(&pager_role_lock);
	return rc;
}

/* ---- a holder's death ---- */

void pager_role_task_ended(task_t *task)
{
	mutex_lock(&pager_role_lock);
	pager_role_t *r = pager_role_of_locked(task->id);
	if (!r) {
		mutex_unlock(&pager_role_lock);
		return;
	}
	unsigned role = (unsigned) (r - pager_roles);
	__atomic_store_n(&pager_role_busy[role], 0, __ATOMIC_RELEASE);
	phone_t *phone = r->phone;
	answerbox_t *box = r->box;
	size_t refused = 0;
	size_t records = pager_box_seal(box, &refused);
	r->phone = NULL;
	if (records == 0) {
		*r = (pager_role_t){ .state = PAGER_ROLE_FREE };
		answerbox_release(box);
	} else {
		r->state = PAGER_ROLE_ORPHANED;
		r->revoking = true;
	}
	condvar_broadcast(&pager_role_cv); /* faults that met the dying box */
	mutex_unlock(&pager_role_lock);
	phone_release(phone);
	if (refused)
		printf("pager: role %u lost its pager (task %llu): %zu objects it never accepted "
		       "fail\n",
		    role, (unsigned long long) task->id, refused);
	if (records == 0)
		return;
	printf("pager: role %u lost its pager (task %llu): %zu objects wait for a successor\n",
	    role, (unsigned long long) task->id, records);
	uint64_t lost = pager_box_orphan(box); /* the slot holds the box until a takeover */
	if (lost)
		printf("pager: role %u: %llu pages mapped writable were revoked (stores not "
		       "written back are lost)\n",
		    role, (unsigned long long) lost);
	mutex_lock(&pager_role_lock);
	r->revoking = false;
	condvar_broadcast(&pager_role_cv);
	mutex_unlock(&pager_role_lock);
}

/* The slot of the dead pager @a box: orphaned, or still held while its
 * death is processed (its box answers EHANGUP before
 * pager_role_task_ended runs); NULL if none. */
static pager_role_t *pager_role_dead_of_locked(answerbox_t *box) REQUIRES(pager_role_lock)
{
	assert(mutex_locked_by_me(&pager_role_lock));
	for (unsigned i = 1; i < PAGER_ROLE_COUNT; i++) {
		if (pager_roles[i].state != PAGER_ROLE_FREE && pager_roles[i].box == box)
			return &pager_roles[i];
	}
	return NULL;
}

bool pager_role_orphan_wait(answerbox_t *box, uint64_t object, bool accepted)
{
	uint64_t deadline = timer_uptime_ms() + pager_timeout_us / 1000;
	errno_t rc = EOK;
	mutex_lock(&pager_role_lock);
	pager_role_t *r = pager_role_dead_of_locked(box);
	if (!r || !accepted) {
		unsigned role = r ? (unsigned) (r - pager_roles) : 0;
		mutex_unlock(&pager_role_lock);
		if (r) /* a record its pager never supplied a page of */
			printf(
			    "pager: object %llu of role %u was never accepted by its dead pager: "
			    "not kept for a successor\n",
			    (unsigned long long) object, role);
		return false; /* (else an unregistered pager died): the fault fails */
	}
	while (rc == EOK && r->state != PAGER_ROLE_FREE && r->box == box) {
		uint64_t now = timer_uptime_ms();
		rc = now >= deadline ? ETIMEOUT
		                     : condvar_wait_flags(&pager_role_cv, &pager_role_lock,
		                           (deadline - now) * 1000, WAITQ_INTERRUPTIBLE);
		rc = rc == ETIMEOUT && timer_uptime_ms() < deadline ? EOK : rc;
	}
	bool rebound = !(r->state != PAGER_ROLE_FREE && r->box == box);
	unsigned role = (unsigned) (r - pager_roles);
	mutex_unlock(&pager_role_lock);
	if (!rebound && rc == ETIMEOUT)
		printf("pager: object %llu of role %u: no successor within %llu ms\n",
		    (unsigned long long) object, role,
		    (unsigned long long) (pager_timeout_us / 1000));
	return rebound;
}
