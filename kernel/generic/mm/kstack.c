/*
 * Kernel stacks (see mm/kstack.h).  The region is divided into slots of
 * twice the stack size: the lower half of a slot stays unmapped (guard),
 * the upper half is the stack.  kstack_lock protects the slot bitmap.
 */
#include <debug.h>
#include <mm/frame.h>
#include <mm/kstack.h>
#include <mm/page.h>
#include <proc/thread.h>
#include <synch/spinlock.h>

#define KSTACK_SLOT_SIZE (2 * KSTACK_SIZE)

static uint64_t kstack_bitmap[KSTACK_SLOTS / 64];
static irq_spinlock_t kstack_lock = IRQ_SPINLOCK_INITIALIZER("kstack");

static errno_t kstack_slot_take(size_t *slot)
{
	errno_t rc = ELIMIT;
	irq_spinlock_lock(&kstack_lock);
	for (size_t w = 0; w < KSTACK_SLOTS / 64 && rc != EOK; w++) {
		if (kstack_bitmap[w] == ~0ULL)
			continue;
		unsigned b = (unsigned) __builtin_ctzll(~kstack_bitmap[w]);
		kstack_bitmap[w] |= 1ULL << b;
		*slot = w * 64 + b;
		rc = EOK;
	}
	irq_spinlock_unlock(&kstack_lock);
	return rc;
}

static void kstack_slot_put(size_t slot)
{
	irq_spinlock_lock(&kstack_lock);
	assert(kstack_bitmap[slot / 64] & (1ULL << (slot % 64)));
	kstack_bitmap[slot / 64] &= ~(1ULL << (slot % 64));
	irq_spinlock_unlock(&kstack_lock);
}

/* Unmap and free the first @a pages pages of the stack at @a base. */
static void kstack_unmap(uintptr_t base, size_t pages)
{
	for (size_t i = 0; i < pages; i++) {
		uintptr_t va = base + i * PAGE_SIZE, pa;
		unsigned flags;
		errno_t rc = page_mapping_find(&page_table_kernel, va, &pa, &flags);
		assert(rc == EOK);
		page_mapping_remove(&page_table_kernel, va);
		frame_free(pa, 1);
	}
}

errno_t kstack_alloc(uintptr_t *base)
{
	size_t slot;
	errno_t rc = kstack_slot_take(&slot);
	if (rc != EOK)
		return rc;
	uintptr_t b = KSTACK_REGION_BASE + slot * KSTACK_SLOT_SIZE + KSTACK_SIZE;
	for (size_t i = 0; i < KSTACK_PAGES; i++) {
		uintptr_t pa;
		rc = frame_alloc(1, FRAME_USE_FLAGS(FRAME_USE_KSTACK), &pa);
		if (rc == EOK) {
			rc = page_mapping_insert(&page_table_kernel, b + i * PAGE_SIZE, pa,
			    PAGE_READ | PAGE_WRITE | PAGE_GLOBAL);
			if (rc != EOK)
				frame_free(pa, 1);
		}
		if (rc != EOK) {
			kstack_unmap(b, i);
			kstack_slot_put(slot);
			return rc;
		}
	}
	*base = b;
	return EOK;
}

void kstack_free(uintptr_t base)
{
	size_t slot = (base - KSTACK_REGION_BASE - KSTACK_SIZE) / KSTACK_SLOT_SIZE;
	kstack_unmap(base, KSTACK_PAGES);
	kstack_slot_put(slot);
}
