/*
 * Host unit test of uspace/lib/virtio: the modern PCI capabilities (QEMU
 * 7.2's layout, first-of-type, malformed and missing ones), feature
 * choice, the split ring layout (sizes and alignment), the descriptor free
 * list (chains taken and given back in any order, exhaustion, a looping
 * chain refused) and the avail/used index arithmetic across the 16-bit
 * wrap, with the test playing the device.
 */
#include <stdlib.h>
#include <string.h>
#include <virtio/virtio.h>
#include <virtio/virtq.h>

#include "tap.h"

/* Put a virtio capability at off (the list is built by the caller). */
static void cap_put(uint8_t *cfg, unsigned off, unsigned next, unsigned len, unsigned type,
    unsigned bar, uint32_t offset, uint32_t length)
{
	cfg[off] = PCI_CAP_ID_VENDOR;
	cfg[off + 1] = (uint8_t) next;
	cfg[off + 2] = (uint8_t) len;
	cfg[off + 3] = (uint8_t) type;
	cfg[off + 4] = (uint8_t) bar;
	memcpy(&cfg[off + 8], &offset, 4);
	memcpy(&cfg[off + 12], &length, 4);
}

/* QEMU 7.2's virtio-blk-pci: MSI-X at 0x98, then the vendor caps. */
static void cfg_qemu(uint8_t *cfg)
{
	memset(cfg, 0, PCI_CFG_SIZE);
	cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	cfg[PCI_CAP_PTR] = 0x98;
	cfg[0x98] = PCI_CAP_ID_MSIX;
	cfg[0x99] = 0x84;
	cap_put(cfg, 0x84, 0x70, 20, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0);
	cap_put(cfg, 0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY, 4, 0x3000, 0x1000);
	uint32_t mult = 4;
	memcpy(&cfg[0x70 + 16], &mult, 4);
	cap_put(cfg, 0x60, 0x50, 16, VIRTIO_PCI_CAP_DEVICE, 4, 0x2000, 0x1000);
	cap_put(cfg, 0x50, 0x40, 16, VIRTIO_PCI_CAP_ISR, 4, 0x1000, 0x1000);
	cap_put(cfg, 0x40, 0x00, 16, VIRTIO_PCI_CAP_COMMON, 4, 0x0000, 0x1000);
}

static bool test_caps_qemu(void)
{
	uint8_t cfg[PCI_CFG_SIZE];
	virtio_pci_layout_t l;
	uint32_t off;

	cfg_qemu(cfg);
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EOK);
	TAP_CHECK_EQ(l.common.bar, 4);
	TAP_CHECK_EQ(l.common.offset, 0);
	TAP_CHECK_EQ(l.common.length, 0x1000);
	TAP_CHECK_EQ(l.isr.offset, 0x1000);
	TAP_CHECK_EQ(l.device.offset, 0x2000);
	TAP_CHECK_EQ(l.notify.offset, 0x3000);
	TAP_CHECK_EQ(l.notify_off_multiplier, 4);
	TAP_CHECK_EQ(virtio_pci_notify_offset(&l, 0, &off), EOK);
	TAP_CHECK_EQ(off, 0);
	TAP_CHECK_EQ(virtio_pci_notify_offset(&l, 3, &off), EOK);
	TAP_CHECK_EQ(off, 12);
	TAP_CHECK_EQ(virtio_pci_notify_offset(&l, 1023, &off), EOK);
	TAP_CHECK_EQ(virtio_pci_notify_offset(&l, 1024, &off), EINVAL);

	pci_bar_t bars[PCI_BARS] = { { .kind = PCI_BAR_KIND_IO, .base = 0xc000, .size = 128 } };
	bars[4] = (pci_bar_t){ .kind = PCI_BAR_KIND_MEM64, .base = 0xfe000000, .size = 0x4000 };
	TAP_CHECK_EQ(virtio_pci_region_check(&l.common, bars), EOK);
	TAP_CHECK_EQ(virtio_pci_region_check(&l.notify, bars), EOK);
	bars[4].size = 0x2000;
	TAP_CHECK_EQ(virtio_pci_region_check(&l.notify, bars), EINVAL);
	virtio_pci_region_t io = { .bar = 0, .offset = 0, .length = 4 };
	TAP_CHECK_EQ(virtio_pci_region_check(&io, bars), ENOTSUP);
	return true;
}

static bool test_caps_first_of_type(void)
{
	uint8_t cfg[PCI_CFG_SIZE];
	virtio_pci_layout_t l;

	/* A second common capability later in the list does not replace the first. */
	cfg_qemu(cfg);
	cfg[0x41] = 0xc0;
	cap_put(cfg, 0xc0, 0, 16, VIRTIO_PCI_CAP_COMMON, 2, 0x8000, 0x100);
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EOK);
	TAP_CHECK_EQ(l.common.bar, 4);
	TAP_CHECK_EQ(l.common.offset, 0);
	/* Unknown types are skipped. */
	cap_put(cfg, 0xc0, 0, 16, 99, 7, 0, 0);
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EOK);
	return true;
}

static bool test_caps_bad(void)
{
	uint8_t cfg[PCI_CFG_SIZE];
	virtio_pci_layout_t l;

	/* No ISR: not a modern device. */
	cfg_qemu(cfg);
	cfg[0x60 + 1] = 0x40; /* device -> common, skipping ISR */
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), ENOTSUP);
	/* No capabilities at all (a legacy-only device). */
	cfg_qemu(cfg);
	cfg[PCI_STATUS] = 0;
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), ENOTSUP);
	/* A notify capability too short for its multiplier. */
	cfg_qemu(cfg);
	cfg[0x70 + 2] = 16;
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EINVAL);
	/* A BAR number past 5. */
	cfg_qemu(cfg);
	cfg[0x50 + 4] = 6;
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EINVAL);
	/* offset + length past 4 GiB. */
	cfg_qemu(cfg);
	uint32_t big = 0xfffff000u;
	memcpy(&cfg[0x40 + 8], &big, 4);
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EINVAL);
	/* A common block smaller than its registers. */
	cfg_qemu(cfg);
	uint32_t small = 32;
	memcpy(&cfg[0x40 + 12], &small, 4);
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EINVAL);
	/* A capability running past the configuration space. */
	cfg_qemu(cfg);
	cfg[0x41] = 0xf8;
	cfg[0xf8] = PCI_CAP_ID_VENDOR;
	cfg[0xfa] = 16; /* would end at 0x108 */
	cfg[0xfb] = VIRTIO_PCI_CAP_DEVICE;
	cfg[0x60 + 3] = 0; /* the earlier device cap becomes unknown */
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), EINVAL);
	/* A looping list. */
	cfg_qemu(cfg);
	cfg[0x41] = 0x98;
	TAP_CHECK_EQ(virtio_pci_layout_parse(cfg, &l), ELIMIT);
	return true;
}

static bool test_features(void)
{
	uint64_t acc;
	uint64_t v1 = VIRTIO_FEATURE(VIRTIO_F_VERSION_1);
	uint64_t want = (1u << 9) | (1u << 6) | (1u << 2) | (1u << 5);
	uint64_t offer = v1 | VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX) | (1u << 9) | (1u << 6) |
	    (1u << 11) | (1u << 12);

	TAP_CHECK_EQ(virtio_features_choose(offer, want, v1, &acc), EOK);
	TAP_CHECK_EQ(acc, v1 | (1u << 9) | (1u << 6));
	TAP_CHECK_EQ(virtio_features_choose(offer & ~v1, want, v1, &acc), ENOTSUP);
	return true;
}

static bool test_layout(void)
{
	virtq_layout_t l;

	TAP_CHECK_EQ(virtq_layout_compute(256, VIRTQ_USED_ALIGN, &l), EOK);
	TAP_CHECK_EQ(l.desc_off, 0);
	TAP_CHECK_EQ(l.desc_size, 4096);
	TAP_CHECK_EQ(l.avail_off, 4096);
	TAP_CHECK_EQ(l.avail_size, 6 + 2 * 256);
	TAP_CHECK_EQ(l.used_off, 4096 + 520);
	TAP_CHECK_EQ(l.used_size, 6 + 8 * 256);
	TAP_CHECK_EQ(l.size, 4096 + 520 + 2054);
	/* Legacy: used on its own page; 256 entries is the classic 2 pages + used. */
	TAP_CHECK_EQ(virtq_layout_compute(256, 4096, &l), EOK);
	TAP_CHECK_EQ(l.used_off, 8192);
	/* Odd sizes: the used ring still lands 4-aligned. */
	for (unsigned num = 1; num <= VIRTQ_NUM_MAX; num *= 2) {
		TAP_CHECK_EQ(virtq_layout_compute(num, VIRTQ_USED_ALIGN, &l), EOK);
		TAP_CHECK_EQ(l.avail_off % VIRTQ_AVAIL_ALIGN, 0);
		TAP_CHECK_EQ(l.used_off % VIRTQ_USED_ALIGN, 0);
		TAP_CHECK(l.used_off >= l.avail_off + l.avail_size);
		TAP_CHECK(l.avail_off >= l.desc_size);
	}
	TAP_CHECK_EQ(virtq_layout_compute(1, 4, &l), EOK);
	TAP_CHECK_EQ(l.used_off, 24); /* 16 + 8 rounded to 4 */
	TAP_CHECK_EQ(virtq_layout_compute(0, 4, &l), EINVAL);
	TAP_CHECK_EQ(virtq_layout_compute(3, 4, &l), EINVAL);
	TAP_CHECK_EQ(virtq_layout_compute(65536, 4, &l), EINVAL);
	TAP_CHECK_EQ(virtq_layout_compute(8, 2, &l), EINVAL);
	TAP_CHECK_EQ(virtq_layout_compute(8, 12, &l), EINVAL);
	return true;
}

/* A queue in zeroed host memory. */
static void *vq_make(virtq_t *vq, unsigned num)
{
	virtq_layout_t l;
	if (virtq_layout_compute(num, VIRTQ_USED_ALIGN, &l) != EOK)
		return NULL;
	void *mem = aligned_alloc(16, (l.size + 15) & ~(size_t) 15);
	if (mem == NULL)
		return NULL;
	memset(mem, 0, l.size);
	if (virtq_init(vq, num, mem, &l) != EOK) {
		free(mem);
		return NULL;
	}
	return mem;
}

/* Descriptors reachable from head by NEXT, or 0 on a loop. */
static unsigned chain_len(const virtq_t *vq, uint16_t head)
{
	unsigned n = 1;
	while (vq->desc[head].flags & VIRTQ_DESC_F_NEXT) {
		head = vq->desc[head].next;
		if (++n > vq->num)
			return 0;
	}
	return n;
}

static bool test_free_list(void)
{
	virtq_t vq;
	void *mem = vq_make(&vq, 16);
	uint16_t h[16];
	unsigned n;
	bool ok = false;

	if (mem == NULL)
		return false;
	/* 5 chains of 3 take 15; a chain of 2 does not fit, one of 1 does. */
	for (int i = 0; i < 5; i++) {
		if (virtq_chain_alloc(&vq, 3, &h[i]) != EOK || chain_len(&vq, h[i]) != 3)
			goto out;
	}
	if (vq.num_free != 1 || virtq_chain_alloc(&vq, 2, &h[5]) != ELIMIT || vq.num_free != 1)
		goto out;
	if (virtq_chain_alloc(&vq, 0, &h[5]) != EINVAL || virtq_chain_alloc(&vq, 1, &h[5]) != EOK)
		goto out;
	/* Every descriptor is in exactly one chain. */
	unsigned used[16] = { 0 };
	for (int i = 0; i < 6; i++) {
		uint16_t d = h[i];
		used[d]++;
		while (vq.desc[d].flags & VIRTQ_DESC_F_NEXT) {
			d = vq.desc[d].next;
			used[d]++;
		}
	}
	for (int i = 0; i < 16; i++) {
		if (used[i] != 1)
			goto out;
	}
	/* Give back out of order, then a chain of all 16 fits. */
	const int order[] = { 3, 0, 5, 4, 1, 2 };
	for (int i = 0; i < 6; i++) {
		if (virtq_chain_free(&vq, h[order[i]], &n) != EOK || n != (order[i] == 5 ? 1u : 3u))
			goto out;
	}
	if (vq.num_free != 16 || virtq_chain_alloc(&vq, 16, &h[0]) != EOK ||
	    chain_len(&vq, h[0]) != 16 || virtq_chain_free(&vq, h[0], &n) != EOK || n != 16)
		goto out;
	/* A chain that loops (a corrupted descriptor) is refused; nothing changes. */
	if (virtq_chain_alloc(&vq, 3, &h[0]) != EOK)
		goto out;
	uint16_t second = vq.desc[h[0]].next;
	uint16_t third = vq.desc[second].next;
	vq.desc[third].flags = VIRTQ_DESC_F_NEXT;
	vq.desc[third].next = h[0];
	if (virtq_chain_free(&vq, h[0], &n) != EINVAL || vq.num_free != 13)
		goto out;
	if (virtq_chain_free(&vq, 16, &n) != EINVAL)
		goto out;
	ok = true;
out:
	free(mem);
	return ok;
}

/* The device's side: finish the request whose chain head is `id`. */
static void device_complete(virtq_t *vq, uint16_t *dev_used_idx, uint32_t id, uint32_t len)
{
	vq->used->ring[*dev_used_idx & (vq->num - 1)].id = id;
	vq->used->ring[*dev_used_idx & (vq->num - 1)].len = len;
	(*dev_used_idx)++;
	vq->used->idx = *dev_used_idx;
}

/*
 * 200,000 requests through an 8-entry queue, starting 5 below the 16-bit
 * wrap: up to 3 in flight, completed by the "device" in a shuffled order;
 * every request comes back exactly once, with its length.
 */
static bool test_ring_wrap(void)
{
	virtq_t vq;
	void *mem = vq_make(&vq, 8);
	bool ok = false;

	if (mem == NULL)
		return false;
	vq.avail->idx = vq.avail_idx = 65531;
	vq.used->idx = vq.last_used = 65531;
	uint16_t dev_avail = 65531, dev_used = 65531;
	uint16_t inflight[8];
	unsigned ninflight = 0, seed = 12345, done = 0, sent = 0;
	uint32_t id, len;

	while (done < 200000) {
		seed = seed * 1103515245u + 12345u;
		if (ninflight < 3 && (seed >> 16) % 3 != 0) {
			uint16_t head;
			unsigned n = 1 + (seed >> 20) % 2;
			if (virtq_chain_alloc(&vq, n, &head) != EOK)
				goto out;
			vq.desc[head].len = sent;
			virtq_avail_publish(&vq, head);
			sent++;
			if (vq.avail->idx != vq.avail_idx)
				goto out;
			/* The device takes what is new in avail. */
			while (dev_avail != vq.avail->idx) {
				inflight[ninflight++] = vq.avail->ring[dev_avail & 7];
				dev_avail++;
			}
		} else if (ninflight > 0) {
			unsigned pick = (seed >> 18) % ninflight;
			uint16_t head = inflight[pick];
			inflight[pick] = inflight[--ninflight];
			device_complete(&vq, &dev_used, head, vq.desc[head].len);
			if (virtq_used_pending(&vq) != 1 || virtq_used_pop(&vq, &id, &len) != EOK)
				goto out;
			unsigned n;
			if (id != head || len != vq.desc[head].len ||
			    virtq_chain_free(&vq, head, &n) != EOK)
				goto out;
			done++;
		}
		if (virtq_used_pop(&vq, &id, &len) != ENOENT)
			goto out;
	}
	/* The counters wrapped many times and agree. */
	unsigned held = 0;
	for (unsigned i = 0; i < ninflight; i++)
		held += chain_len(&vq, inflight[i]);
	ok = vq.avail_idx == (uint16_t) (65531 + sent) && vq.num_free + held == 8 &&
	    vq.last_used == dev_used && sent > 65536 * 3;
out:
	free(mem);
	return ok;
}

static bool test_used_bad(void)
{
	virtq_t vq;
	void *mem = vq_make(&vq, 4);
	uint32_t id, len;
	bool ok = false;

	if (mem == NULL)
		return false;
	/* Several completions at once, across the wrap. */
	vq.used->idx = vq.last_used = 65534;
	uint16_t dev = 65534;
	for (uint32_t i = 0; i < 4; i++)
		device_complete(&vq, &dev, i, 100 + i);
	if (virtq_used_pending(&vq) != 4)
		goto out;
	for (uint32_t i = 0; i < 4; i++) {
		if (virtq_used_pop(&vq, &id, &len) != EOK || id != i || len != 100 + i)
			goto out;
	}
	if (vq.last_used != 2 || virtq_used_pop(&vq, &id, &len) != ENOENT)
		goto out;
	/* An index more than a ring ahead, an id out of range: EIO, nothing consumed. */
	vq.used->idx = (uint16_t) (vq.last_used + 5);
	if (virtq_used_pop(&vq, &id, &len) != EIO || vq.last_used != 2)
		goto out;
	vq.used->idx = 3;
	vq.used->ring[2].id = 4;
	if (virtq_used_pop(&vq, &id, &len) != EIO || vq.last_used != 2)
		goto out;
	ok = true;
out:
	free(mem);
	return ok;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "caps_qemu", test_caps_qemu },
		{ "caps_first_of_type", test_caps_first_of_type },
		{ "caps_bad", test_caps_bad },
		{ "features", test_features },
		{ "layout", test_layout },
		{ "free_list", test_free_list },
		{ "ring_wrap", test_ring_wrap },
		{ "used_bad", test_used_bad },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
