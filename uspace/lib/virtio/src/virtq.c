/*
 * The split virtqueue: layout, the descriptor free list, publishing
 * available chains and consuming used ones.  See include/virtio/virtq.h.
 */
#include <virtio/virtq.h>

static size_t virtq_align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Lay out a queue of `num` entries in one allocation: descriptors, then
 * the available ring, then the used ring at `used_align` (4 for a modern
 * device; 4096 for a legacy one).  Room for the event-index words is
 * included.  EINVAL: num not a power of two in 1..VIRTQ_NUM_MAX, or
 * used_align not a power of two of at least 4.
 */
errno_t virtq_layout_compute(unsigned num, size_t used_align, virtq_layout_t *layout)
{
	if (num == 0 || num > VIRTQ_NUM_MAX || (num & (num - 1)) != 0)
		return EINVAL;
	if (used_align < VIRTQ_USED_ALIGN || (used_align & (used_align - 1)) != 0)
		return EINVAL;
	layout->desc_off = 0;
	layout->desc_size = sizeof(virtq_desc_t) * num;
	layout->avail_off = virtq_align_up(layout->desc_off + layout->desc_size, VIRTQ_AVAIL_ALIGN);
	layout->avail_size = sizeof(uint16_t) * (3 + num);
	layout->used_off = virtq_align_up(layout->avail_off + layout->avail_size, used_align);
	layout->used_size = sizeof(uint16_t) * 3 + sizeof(virtq_used_elem_t) * num;
	layout->size = layout->used_off + layout->used_size;
	return EOK;
}

/*
 * Set up the driver's view of a queue in zeroed memory laid out by
 * virtq_layout_compute(): every descriptor on the free list.
 */
errno_t virtq_init(virtq_t *vq, unsigned num, void *mem, const virtq_layout_t *layout)
{
	if (num == 0 || num > VIRTQ_NUM_MAX || (num & (num - 1)) != 0 ||
	    layout->desc_size != sizeof(virtq_desc_t) * num)
		return EINVAL;
	uint8_t *base = mem;
	vq->num = num;
	vq->desc = (volatile virtq_desc_t *) (base + layout->desc_off);
	vq->avail = (volatile virtq_avail_t *) (base + layout->avail_off);
	vq->used = (volatile virtq_used_t *) (base + layout->used_off);
	for (unsigned i = 0; i < num; i++) {
		vq->desc[i].flags = 0;
		vq->desc[i].next = (uint16_t) (i + 1 < num ? i + 1 : 0);
	}
	vq->free_head = 0;
	vq->num_free = num;
	vq->avail_idx = vq->avail->idx;
	vq->last_used = vq->used->idx;
	return EOK;
}

/*
 * Take n descriptors off the free list as one chain (NEXT set on all but
 * the last); the caller fills addr, len and the WRITE flag.  ELIMIT: not
 * enough free (nothing taken); EINVAL: n == 0.
 */
errno_t virtq_chain_alloc(virtq_t *vq, unsigned n, uint16_t *head)
{
	if (n == 0)
		return EINVAL;
	if (n > vq->num_free)
		return ELIMIT;
	uint16_t first = vq->free_head, d = first;
	for (unsigned i = 0; i < n; i++) {
		uint16_t next = vq->desc[d].next;
		vq->desc[d].flags = i + 1 < n ? VIRTQ_DESC_F_NEXT : 0;
		if (i + 1 < n)
			d = next;
		else
			vq->free_head = next;
	}
	vq->num_free -= n;
	*head = first;
	return EOK;
}

/*
 * Give a chain back to the free list (n: how many descriptors it had).
 * EINVAL: head out of range or a chain longer than the queue (a loop: the
 * free list is left as it was).
 */
errno_t virtq_chain_free(virtq_t *vq, uint16_t head, unsigned *n)
{
	if (head >= vq->num)
		return EINVAL;
	uint16_t last = head;
	unsigned count = 1;
	while (vq->desc[last].flags & VIRTQ_DESC_F_NEXT) {
		last = vq->desc[last].next;
		if (last >= vq->num || ++count > vq->num - vq->num_free)
			return EINVAL;
	}
	vq->desc[last].flags = 0;
	vq->desc[last].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += count;
	*n = count;
	return EOK;
}

/*
 * Offer a filled chain to the device: the ring entry first, then (after a
 * release barrier, so the device never sees the index before the entry
 * and the descriptors) the new avail.idx.  The caller notifies the device
 * afterwards (with a full barrier before the notify write).
 */
void virtq_avail_publish(virtq_t *vq, uint16_t head)
{
	vq->avail->ring[virtq_slot(vq, vq->avail_idx)] = head;
	vq->avail_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail->idx = vq->avail_idx;
}

/* How many used entries the device has written that we have not consumed. */
unsigned virtq_used_pending(const virtq_t *vq)
{
	return virtq_idx_diff(vq->used->idx, vq->last_used);
}

/*
 * Consume the next used entry: the head of the finished chain and the
 * bytes the device wrote.  ENOENT: none pending; EIO: the device's used
 * index ran more than a ring ahead or named a descriptor out of range (a
 * broken device; nothing consumed).
 */
errno_t virtq_used_pop(virtq_t *vq, uint32_t *id, uint32_t *len)
{
	unsigned pending = virtq_used_pending(vq);

	if (pending == 0)
		return ENOENT;
	if (pending > vq->num)
		return EIO;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* read the entry after the index */
	volatile virtq_used_elem_t *e = &vq->used->ring[virtq_slot(vq, vq->last_used)];
	uint32_t i = e->id;
	if (i >= vq->num)
		return EIO;
	*id = i;
	*len = e->len;
	vq->last_used++;
	return EOK;
}
