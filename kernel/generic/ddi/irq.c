/*
 * IRQ subscriptions (ddi/irq.h has the model).
 *
 * Locks, in order: answerbox_t.lock (a mutex) -> irq_lock (an IRQ
 * spinlock) -> the PIC's lock and the wait queues' locks.  irq_lock
 * protects irq_lines[] (subscriber lists and counts), irq_pending,
 * irqd_kicked, and every subscription's subscribed, need_ack, state,
 * count, coalesced and total.  A subscription's link is on irq_pending
 * (state PENDING, irq_lock) or on its box's irqs list (state QUEUED, and
 * then it moves only with both the box lock and irq_lock held).  A
 * PENDING subscription off irq_pending is in irqd's hands between its two
 * lock holds; irqd finishes it (queues or drops it) under the box lock.
 *
 * References: the capability holds one; a subscription that is PENDING or
 * QUEUED holds one more, which passes to the waiter that picks its event
 * and is dropped when the event is committed (or goes back with it).  The
 * interrupt handler takes that reference with an atomic add; it never
 * drops one, so it never frees.
 *
 * Masking: a line is masked at the PIC while it has no subscriber and,
 * for a line the kernel does not service itself, from each interrupt
 * until every subscriber that was notified acknowledged (need_ack).
 */
#include <arch/interrupt.h>
#include <arch/pic.h>
#include <cap/cap.h>
#include <ddi/irq.h>
#include <ddi/range.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <mm/malloc.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <synch/spinlock.h>
#include <synch/waitq.h>

/* Subscribers one line may have (shared PCI INTx lines have a few). */
#define IRQ_SUBS_PER_LINE DDI_IRQ_SUBS_PER_LINE

typedef struct irq_line {
	list_t subs; /* irq_sub_t.line_link */
	unsigned nsubs;
	bool kernel_serviced; /* set at boot */
	uint64_t unclaimed; /* interrupts with no subscriber */
} irq_line_t;

static irq_spinlock_t irq_lock = IRQ_SPINLOCK_INITIALIZER("irq");
static irq_line_t irq_lines[IRQ_COUNT];
static list_t irq_pending; /* irq_sub_t.link, state PENDING */
static bool irqd_kicked; /* irqd was woken and has not slept since */
static waitq_t irqd_wq;
static size_t irq_live; /* atomic: subscriptions allocated */

static void irq_sub_hold(irq_sub_t *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

static void irq_sub_put(irq_sub_t *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	assert(!s->subscribed && s->state == IRQ_SUB_IDLE);
	answerbox_release(s->box);
	free(s);
	__atomic_sub_fetch(&irq_live, 1, __ATOMIC_RELAXED);
}

size_t irq_subs_live(void)
{
	return __atomic_load_n(&irq_live, __ATOMIC_RELAXED);
}

/* ---- the interrupt side (interrupts off, no mutex, no allocation) ---- */

/* Count an interrupt in @a s; true if irqd has a new delivery to make. */
static bool irq_sub_fire_locked(irq_sub_t *s, bool mask)
{
	s->total++;
	s->count++;
	if (mask)
		s->need_ack = true;
	if (s->state != IRQ_SUB_IDLE) {
		s->coalesced++; /* an event is already on its way */
		return false;
	}
	s->state = IRQ_SUB_PENDING;
	irq_sub_hold(s);
	list_append(&s->link, &irq_pending);
	return true;
}

bool irq_line_dispatch(unsigned line)
{
	if (line >= IRQ_COUNT)
		return false;
	irq_spinlock_lock(&irq_lock);
	irq_line_t *l = &irq_lines[line];
	bool mask = !l->kernel_serviced, kick = false, any = false;
	list_foreach(l->subs, link)
	{
		irq_sub_t *s = list_get_instance(link, irq_sub_t, line_link);
		kick |= irq_sub_fire_locked(s, mask);
		any = true;
	}
	if (!any)
		l->unclaimed++;
	if (mask)
		pic_mask(line); /* until acknowledged (or subscribed) */
	if (kick && !irqd_kicked) {
		irqd_kicked = true;
		waitq_wakeup_one(&irqd_wq);
	}
	irq_spinlock_unlock(&irq_lock);
	return any;
}

/* ---- irqd: from the pending list to the answerboxes ---- */

/* Queue @a s (taken off irq_pending, its reference ours) on its box, or
 * drop it if it was unsubscribed or the box died meanwhile. */
static void irq_sub_deliver(irq_sub_t *s)
{
	answerbox_t *box = s->box;
	mutex_lock(&box->lock);
	irq_spinlock_lock(&irq_lock);
	bool ok = s->subscribed && box->active;
	s->state = ok ? IRQ_SUB_QUEUED : IRQ_SUB_IDLE;
	if (ok)
		list_append(&s->link, &box->irqs);
	irq_spinlock_unlock(&irq_lock);
	if (ok)
		ipc_box_hand_locked(box, NULL);
	mutex_unlock(&box->lock);
	if (!ok)
		irq_sub_put(s);
}

static void irqd(void *arg)
{
	(void) arg;
	for (;;) {
		irq_spinlock_lock(&irq_lock);
		link_t *l = list_first(&irq_pending);
		if (!l)
			irqd_kicked = false;
		else
			list_remove(l);
		irq_spinlock_unlock(&irq_lock);
		if (l)
			irq_sub_deliver(list_get_instance(l, irq_sub_t, link));
		else
			waitq_sleep(&irqd_wq, 0, 0);
	}
}

/* ---- subscribing ---- */

static void irq_sub_cap_hold(void *obj)
{
	irq_sub_hold(obj);
}

/* Mask or unmask @a line for its subscribers (irq_lock held): masked
 * while it has none, or while one of them owes an ack.  A line the kernel
 * services is the kernel's driver's business. */
static void irq_line_update_mask_locked(unsigned line)
{
	irq_line_t *l = &irq_lines[line];
	if (l->kernel_serviced)
		return;
	bool owed = false;
	list_foreach(l->subs, link)
	{
		owed |= list_get_instance(link, irq_sub_t, line_link)->need_ack;
	}
	if (l->nsubs == 0 || owed)
		pic_mask(line);
	else
		pic_unmask(line);
}

/* Take @a s off its line (irq_lock held). */
static void irq_sub_detach_locked(irq_sub_t *s)
{
	if (!s->subscribed)
		return;
	s->subscribed = false;
	s->need_ack = false;
	list_remove(&s->line_link);
	irq_lines[s->line].nsubs--;
	irq_line_update_mask_locked(s->line);
}

/* Unsubscribe: nothing of @a s stays queued; then the capability's
 * reference goes. */
static void irq_sub_cap_close(void *obj)
{
	irq_sub_t *s = obj;
	answerbox_t *box = s->box;
	bool drop = false;
	mutex_lock(&box->lock);
	irq_spinlock_lock(&irq_lock);
	irq_sub_detach_locked(s);
	if ((s->state == IRQ_SUB_PENDING && link_in_use(&s->link)) || s->state == IRQ_SUB_QUEUED) {
		list_remove(&s->link); /* (PENDING in irqd's hands: irqd drops it) */
		s->state = IRQ_SUB_IDLE;
		drop = true;
	}
	irq_spinlock_unlock(&irq_lock);
	mutex_unlock(&box->lock);
	if (drop)
		irq_sub_put(s);
	irq_sub_put(s);
}

static void irq_sub_cap_info(const void *obj, cap_info_t *out)
{
	const irq_sub_t *s = obj;
	*out = (cap_info_t){ .kind = CAP_KIND_IRQ_SUB, .base = s->line, .size = 1 };
}

/* Not shareable: closing a handle unsubscribes, for every holder. */
static const cap_type_ops_t irq_sub_cap_ops = { .name = "irq-sub",
	.hold = irq_sub_cap_hold,
	.close = irq_sub_cap_close,
	.info = irq_sub_cap_info };

/* Check @a line for a new subscriber (irq_lock held): EBUSY, ELIMIT. */
static errno_t irq_line_check_locked(unsigned line)
{
	if (irq_line_kernel_owned(line) && !irq_lines[line].kernel_serviced)
		return EBUSY;
	if (irq_lines[line].nsubs >= IRQ_SUBS_PER_LINE)
		return ELIMIT;
	return EOK;
}

/* The range at @a range must cover @a line: ENOENT, ESTALE, EPERM. */
static errno_t irq_range_check(struct cap_table *caps, cap_handle_t range, unsigned line)
{
	ddi_range_t *r;
	errno_t rc = ddi_range_get(caps, range, DDI_RANGE_IRQ, &r);
	if (rc != EOK)
		return rc;
	bool covers = ddi_range_covers(r, line, 1);
	ddi_range_put(r);
	return covers ? EOK : EPERM;
}

static irq_sub_t *irq_sub_create(answerbox_t *box, unsigned line, uint64_t imethod, uint64_t arg)
{
	irq_sub_t *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	link_initialize(&s->line_link);
	link_initialize(&s->link);
	answerbox_hold(box);
	s->box = box;
	s->line = line;
	s->imethod = imethod;
	s->arg = arg;
	s->refs = 1; /* the capability's */
	__atomic_add_fetch(&irq_live, 1, __ATOMIC_RELAXED);
	return s;
}

/* Put @a s on its line (checked again: another task may have taken the
 * last place meanwhile); a line's first subscriber unmasks it. */
static errno_t irq_sub_attach(irq_sub_t *s)
{
	irq_spinlock_lock(&irq_lock);
	errno_t rc = irq_line_check_locked(s->line);
	if (rc == EOK) {
		list_append(&s->line_link, &irq_lines[s->line].subs);
		irq_lines[s->line].nsubs++;
		s->subscribed = true;
		irq_line_update_mask_locked(s->line);
	}
	irq_spinlock_unlock(&irq_lock);
	return rc;
}

errno_t irq_subscribe(cap_table_t *caps, answerbox_t *box, cap_handle_t range, unsigned line,
    uint64_t imethod, uint64_t arg, cap_handle_t *out)
{
	if (line >= IRQ_COUNT)
		return EINVAL;
	errno_t rc = irq_range_check(caps, range, line);
	if (rc != EOK)
		return rc;
	irq_sub_t *s = irq_sub_create(box, line, imethod, arg);
	if (!s)
		return ENOMEM;
	/* On the line first, published last: once its handle is in the
	 * table a sibling thread may close it. */
	rc = irq_sub_attach(s);
	if (rc == EOK)
		rc = cap_alloc(caps, CAP_IRQ_SUB, s, CAP_NIL, out);
	if (rc != EOK)
		irq_sub_cap_close(s); /* detaches (if attached) and frees */
	return rc;
}

errno_t irq_unsubscribe(struct cap_table *caps, cap_handle_t h)
{
	void *obj;
	errno_t rc = cap_take(caps, h, CAP_IRQ_SUB, &obj);
	if (rc == EOK)
		irq_sub_cap_close(obj);
	return rc;
}

errno_t irq_ack(struct cap_table *caps, cap_handle_t h)
{
	void *obj;
	errno_t rc = cap_get(caps, h, CAP_IRQ_SUB, &obj);
	if (rc != EOK)
		return rc;
	irq_sub_t *s = obj;
	irq_spinlock_lock(&irq_lock);
	if (s->subscribed && s->need_ack) {
		s->need_ack = false;
		irq_line_update_mask_locked(s->line);
	}
	irq_spinlock_unlock(&irq_lock);
	irq_sub_put(s);
	return EOK;
}

errno_t irq_test_raise(struct cap_table *caps, cap_handle_t h, unsigned times)
{
	void *obj;
	errno_t rc = cap_get(caps, h, CAP_IRQ_SUB, &obj);
	if (rc != EOK)
		return rc;
	irq_sub_t *s = obj;
	for (unsigned i = 0; i < times; i++) {
		ipl_t ipl = arch_interrupts_disable();
		irq_line_dispatch(s->line);
		arch_interrupts_restore(ipl);
	}
	irq_sub_put(s);
	return EOK;
}

errno_t irq_sub_line(struct cap_table *caps, cap_handle_t h, unsigned *line)
{
	void *obj;
	errno_t rc = cap_get(caps, h, CAP_IRQ_SUB, &obj);
	if (rc != EOK)
		return rc;
	*line = ((irq_sub_t *) obj)->line;
	irq_sub_put(obj);
	return EOK;
}

void irq_line_set_kernel_serviced(unsigned line)
{
	irq_spinlock_lock(&irq_lock);
	irq_lines[line].kernel_serviced = true;
	irq_spinlock_unlock(&irq_lock);
}

bool irq_line_masked(unsigned line)
{
	return pic_is_masked(line);
}

/* ---- the answerbox side ---- */

bool irq_box_pick_locked(answerbox_t *box, ipc_pick_t *p)
{
	assert(mutex_locked_by_me(&box->lock));
	link_t *l = list_first(&box->irqs);
	if (!l)
		return false;
	irq_sub_t *s = list_get_instance(l, irq_sub_t, link);
	irq_spinlock_lock(&irq_lock);
	list_remove(l);
	s->state = IRQ_SUB_IDLE; /* the next interrupt queues a new event */
	p->kind = IPC_EV_IRQ;
	p->counted = false;
	p->irq = s; /* with the queued reference */
	p->irq_count = s->count;
	p->irq_coalesced = s->coalesced;
	p->irq_total = s->total;
	s->count = 0;
	irq_spinlock_unlock(&irq_lock);
	return true;
}

bool irq_box_put_back_locked(answerbox_t *box, ipc_pick_t *p)
{
	assert(mutex_locked_by_me(&box->lock));
	irq_sub_t *s = p->irq;
	irq_spinlock_lock(&irq_lock);
	bool back = s->subscribed && box->active && s->state == IRQ_SUB_IDLE;
	if (s->subscribed)
		s->count += p->irq_count; /* reported later, with the next ones */
	if (back) {
		s->state = IRQ_SUB_QUEUED;
		list_prepend(&s->link, &box->irqs);
	}
	irq_spinlock_unlock(&irq_lock);
	if (!back)
		irq_sub_put(s); /* unsubscribed, or already queued again */
	return back;
}

void irq_box_drain_locked(answerbox_t *box, list_t *out)
{
	assert(mutex_locked_by_me(&box->lock));
	irq_spinlock_lock(&irq_lock);
	while (!list_empty(&box->irqs)) {
		link_t *l = list_first(&box->irqs);
		list_remove(l);
		list_get_instance(l, irq_sub_t, link)->state = IRQ_SUB_IDLE;
		list_append(l, out);
	}
	irq_spinlock_unlock(&irq_lock);
}

void irq_box_drained(list_t *out)
{
	while (!list_empty(out)) {
		link_t *l = list_first(out);
		list_remove(l);
		irq_sub_put(list_get_instance(l, irq_sub_t, link));
	}
}

void irq_event_fill(const ipc_pick_t *p, ipc_event_t *ev)
{
	const irq_sub_t *s = p->irq;
	ev->kind = IPC_EV_IRQ;
	ev->call = CAP_NIL;
	ev->conn = 0;
	ev->sender = 0;
	ev->msg = (ipc_msg_t){ .method = s->imethod,
		.arg = { s->arg, p->irq_count, p->irq_coalesced, p->irq_total, s->line } };
}

void irq_event_commit(ipc_pick_t *p)
{
	irq_sub_put(p->irq);
	p->irq = NULL;
}

void irq_init(void)
{
	for (unsigned i = 0; i < IRQ_COUNT; i++)
		list_initialize(&irq_lines[i].subs);
	list_initialize(&irq_pending);
	waitq_initialize(&irqd_wq);
	cap_type_register(CAP_IRQ_SUB, &irq_sub_cap_ops);
	thread_t *t;
	errno_t rc = thread_create_kernel(irqd, NULL, "irqd", &t);
	assert(rc == EOK);
	thread_ready(t);
	thread_detach(t);
}
