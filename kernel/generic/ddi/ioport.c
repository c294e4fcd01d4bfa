/* I/O-port permission bitmaps of tasks (ddi/ioport.h). */
#include <arch/ddi.h>
#include <cap/cap.h>
#include <ddi/ioport.h>
#include <ddi/range.h>
#include <debug.h>
#include <mem.h>
#include <mm/malloc.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <synch/spinlock.h>

static irq_spinlock_t iomap_lock = IRQ_SPINLOCK_INITIALIZER("iomap");

static ddi_iomap_t *ddi_iomap_create(void)
{
	ddi_iomap_t *m = malloc(sizeof(*m));
	uint8_t *bits = malloc(DDI_IOMAP_BYTES);
	if (!m || !bits) {
		free(m);
		free(bits);
		return NULL;
	}
	memset(bits, 0xff, DDI_IOMAP_BYTES);
	*m = (ddi_iomap_t){ .bytes = 0, .version = 0, .bits = bits };
	return m;
}

static void ddi_iomap_destroy(ddi_iomap_t *m)
{
	if (m) {
		free(m->bits);
		free(m);
	}
}

/* Clear the bits of ports [base, base + size) in @a m.  iomap_lock held. */
static void ddi_iomap_allow_locked(ddi_iomap_t *m, uint64_t base, uint64_t size)
{
	for (uint64_t p = base; p < base + size; p++)
		m->bits[p / 8] &= (uint8_t) ~(1u << (p % 8));
	size_t end = (size_t) ((base + size - 1) / 8 + 1);
	if (end > m->bytes)
		m->bytes = end;
	m->version++;
}

errno_t ddi_ioport_enable(task_t *task, cap_handle_t h)
{
	ddi_range_t *r;
	errno_t rc = ddi_range_get(&task->caps, h, DDI_RANGE_IO, &r);
	if (rc != EOK)
		return rc;
	/* The bitmap is made outside the lock (a sibling thread may install
	 * one first: ours then goes). */
	ddi_iomap_t *fresh = NULL;
	if (!__atomic_load_n(&task->iomap, __ATOMIC_ACQUIRE)) {
		fresh = ddi_iomap_create();
		if (!fresh) {
			ddi_range_put(r);
			return ENOMEM;
		}
	}
	irq_spinlock_lock(&iomap_lock);
	if (!task->iomap) {
		__atomic_store_n(&task->iomap, fresh, __ATOMIC_RELEASE);
		fresh = NULL;
	}
	ddi_iomap_allow_locked(task->iomap, r->base, r->size);
	if (task == TASK)
		arch_io_switch(task); /* the caller returns to user space with them */
	irq_spinlock_unlock(&iomap_lock);
	ddi_iomap_destroy(fresh);
	ddi_range_put(r);
	return EOK;
}

bool ddi_ioport_allowed(task_t *task, uint16_t port, unsigned size)
{
	bool ok = true;
	irq_spinlock_lock(&iomap_lock);
	ddi_iomap_t *m = task->iomap;
	for (unsigned i = 0; i < size && ok; i++) {
		uint32_t p = (uint32_t) port + i;
		ok = m && p < DDI_IO_PORTS && !(m->bits[p / 8] & (1u << (p % 8)));
	}
	irq_spinlock_unlock(&iomap_lock);
	return ok;
}

void ddi_ioport_task_free(task_t *task)
{
	ddi_iomap_destroy(task->iomap);
	task->iomap = NULL;
}
