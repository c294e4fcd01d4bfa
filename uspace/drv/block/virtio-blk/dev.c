/*
 * Bringing a virtio-blk device up through the modern PCI interface
 * (virtio 1.0 section 3.1): reset, acknowledge, negotiate features,
 * set up queue 0 in DMA memory, driver OK; then read the geometry.
 */
#include <stdio.h>

#include "vblk.h"

/* The features we implement; VERSION_1 is required, the rest refused. */
#define VBLK_WANTED                                                       \
	(VIRTIO_FEATURE(VBLK_F_FLUSH) | VIRTIO_FEATURE(VBLK_F_BLK_SIZE) | \
	    VIRTIO_FEATURE(VBLK_F_SEG_MAX) | VIRTIO_FEATURE(VBLK_F_RO))
#define VBLK_REQUIRED VIRTIO_FEATURE(VIRTIO_F_VERSION_1)

static uint8_t rd8(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint8_t *) (b + off);
}

static uint16_t rd16(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint16_t *) (b + off);
}

static uint32_t rd32(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint32_t *) (b + off);
}

static void wr8(volatile uint8_t *b, unsigned off, uint8_t v)
{
	*(volatile uint8_t *) (b + off) = v;
}

static void wr16(volatile uint8_t *b, unsigned off, uint16_t v)
{
	*(volatile uint16_t *) (b + off) = v;
}

static void wr32(volatile uint8_t *b, unsigned off, uint32_t v)
{
	*(volatile uint32_t *) (b + off) = v;
}

static void wr64(volatile uint8_t *b, unsigned off, uint64_t v)
{
	wr32(b, off, (uint32_t) v);
	wr32(b, off + 4, (uint32_t) (v >> 32));
}

/* Tell the device we gave up (FAILED), e.g. when setup cannot finish. */
void vblk_dev_fail(vblk_t *vb)
{
	if (vb->common != NULL)
		wr8(vb->common, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_FAILED);
}

/*
 * Map the BARs the regions live in (bars: as devman decoded them; each
 * capability covers the whole pages of its BAR) and point the register
 * windows at them.
 */
static errno_t vblk_dev_map(vblk_t *vb, const virtio_pci_layout_t *l,
    const pci_bar_t bars[PCI_BARS], const cap_handle_t bar_caps[PCI_BARS])
{
	volatile uint8_t *base[PCI_BARS] = { 0 };
	const virtio_pci_region_t *regs[] = { &l->common, &l->isr, &l->device, &l->notify };

	if (l->device.length < VBLK_CFG_BLK_SIZE + 4)
		return ENOTSUP; /* no device block: no capacity to read */
	for (unsigned i = 0; i < 4; i++) {
		unsigned b = regs[i]->bar;
		if (virtio_pci_region_check(regs[i], bars) != EOK)
			return EINVAL; /* not inside a memory BAR */
		if (base[b] != NULL)
			continue;
		if (bar_caps[b] == CAP_NIL)
			return ENOENT; /* devman did not give us that BAR */
		volatile uint8_t *va;
		uint64_t range_base, range_size;
		errno_t rc = vblk_hw_map(bar_caps[b], &va, &range_base, &range_size);
		if (rc != EOK)
			return rc;
		if (bars[b].base < range_base ||
		    bars[b].base + bars[b].size > range_base + range_size)
			return EINVAL; /* the capability is not the BAR's */
		base[b] = va + (bars[b].base - range_base);
	}
	vb->dma_auth = bar_caps[l->common.bar];
	vb->common = base[l->common.bar] + l->common.offset;
	vb->isr = base[l->isr.bar] + l->isr.offset;
	vb->device = base[l->device.bar] + l->device.offset;
	vb->notify = base[l->notify.bar] + l->notify.offset;
	return EOK;
}

/* Reset, acknowledge, and agree on features (FEATURES_OK re-read). */
static errno_t vblk_dev_negotiate(vblk_t *vb)
{
	volatile uint8_t *c = vb->common;

	wr8(c, VIRTIO_COMMON_STATUS, 0);
	for (unsigned spin = 0; rd8(c, VIRTIO_COMMON_STATUS) != 0; spin++) {
		if (spin > 1000000)
			return EIO;
	}
	wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr32(c, VIRTIO_COMMON_DFSELECT, 0);
	uint64_t offered = rd32(c, VIRTIO_COMMON_DF);
	wr32(c, VIRTIO_COMMON_DFSELECT, 1);
	offered |= (uint64_t) rd32(c, VIRTIO_COMMON_DF) << 32;
	errno_t rc = virtio_features_choose(offered, VBLK_WANTED, VBLK_REQUIRED, &vb->features);
	if (rc != EOK)
		return rc;
	wr32(c, VIRTIO_COMMON_GFSELECT, 0);
	wr32(c, VIRTIO_COMMON_GF, (uint32_t) vb->features);
	wr32(c, VIRTIO_COMMON_GFSELECT, 1);
	wr32(c, VIRTIO_COMMON_GF, (uint32_t) (vb->features >> 32));
	uint8_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	wr8(c, VIRTIO_COMMON_STATUS, st);
	if ((rd8(c, VIRTIO_COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
		return ENOTSUP; /* the device did not accept our subset */
	return EOK;
}

/* Queue 0: at most VBLK_QUEUE_MAX entries, in DMA memory, no MSI-X vector. */
static errno_t vblk_dev_queue(vblk_t *vb)
{
	volatile uint8_t *c = vb->common;
	virtq_layout_t l;

	wr16(c, VIRTIO_COMMON_Q_SELECT, 0);
	unsigned num = rd16(c, VIRTIO_COMMON_Q_SIZE);
	if (num == 0)
		return ENOTSUP;
	while (num > VBLK_QUEUE_MAX || (num & (num - 1)) != 0)
		num = num > VBLK_QUEUE_MAX ? VBLK_QUEUE_MAX : num & (num - 1);
	errno_t rc = virtq_layout_compute(num, VIRTQ_USED_ALIGN, &l);
	if (rc == EOK)
		rc = vblk_hw_dma(
		    vb, (l.size + VBLK_PAGE - 1) & ~(size_t) (VBLK_PAGE - 1), &vb->ring);
	if (rc == EOK)
		rc = vblk_hw_dma(vb, VBLK_PAGE, &vb->hdrs);
	if (rc == EOK)
		rc = virtq_init(&vb->vq, num, vb->ring.vaddr, &l);
	if (rc != EOK)
		return rc;
	uint32_t noff;
	rc = virtio_pci_notify_offset(&vb->layout, rd16(c, VIRTIO_COMMON_Q_NOFF), &noff);
	if (rc != EOK)
		return rc;
	vb->notify += noff;
	wr16(c, VIRTIO_COMMON_Q_SIZE, (uint16_t) num);
	wr16(c, VIRTIO_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	wr64(c, VIRTIO_COMMON_Q_DESC, vb->ring.paddr + l.desc_off);
	wr64(c, VIRTIO_COMMON_Q_AVAIL, vb->ring.paddr + l.avail_off);
	wr64(c, VIRTIO_COMMON_Q_USED, vb->ring.paddr + l.used_off);
	wr16(c, VIRTIO_COMMON_Q_ENABLE, 1);
	return EOK;
}

/* Capacity, block size and read-only from the device configuration. */
static errno_t vblk_dev_geometry(vblk_t *vb)
{
	volatile uint8_t *c = vb->common, *d = vb->device;
	uint64_t sectors;
	uint32_t bs = VBLK_SECTOR;
	uint8_t gen;

	do {
		gen = rd8(c, VIRTIO_COMMON_CFGGEN);
		sectors = rd32(d, VBLK_CFG_CAPACITY) |
		    (uint64_t) rd32(d, VBLK_CFG_CAPACITY + 4) << 32;
		if (vb->features & VIRTIO_FEATURE(VBLK_F_BLK_SIZE))
			bs = rd32(d, VBLK_CFG_BLK_SIZE);
	} while (gen != rd8(c, VIRTIO_COMMON_CFGGEN));
	if (bs < VBLK_SECTOR || bs > 65536 || (bs & (bs - 1)) != 0)
		return ENOTSUP;
	vb->geom.block_size = bs;
	vb->geom.blocks = sectors / (bs / VBLK_SECTOR);
	vb->geom.flags = 0;
	if (vb->features & VIRTIO_FEATURE(VBLK_F_RO))
		vb->geom.flags |= BLOCK_F_READONLY;
	if (vb->features & VIRTIO_FEATURE(VBLK_F_FLUSH))
		vb->geom.flags |= BLOCK_F_FLUSH;
	vb->geom.xfer_max = VBLK_XFER_MAX;
	return EOK;
}

/*
 * Bring the device up: `cfg` is a copy of its PCI configuration space,
 * bars[i] BAR i as devman decoded it, bar_caps[i] the physical-range
 * capability of its pages (CAP_NIL: none).  Memory decoding and bus
 * mastering must be on already (vblk_devman_enable).
 */
errno_t vblk_dev_init(vblk_t *vb, const uint8_t *cfg, const pci_bar_t bars[PCI_BARS],
    const cap_handle_t bar_caps[PCI_BARS])
{
	uint16_t want = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	uint16_t cmd = pci_cfg_read16(cfg, PCI_COMMAND);
	if ((cmd & (want | PCI_COMMAND_INTX_DISABLE)) != want) {
		printf("%s: memory space or bus mastering off, or INTx disabled (command %#x)\n",
		    vb->name, cmd);
		return EPERM;
	}
	errno_t rc = virtio_pci_layout_parse(cfg, &vb->layout);
	if (rc == EOK)
		rc = vblk_dev_map(vb, &vb->layout, bars, bar_caps);
	if (rc == EOK)
		rc = vblk_dev_negotiate(vb);
	if (rc == EOK)
		rc = vblk_dev_queue(vb);
	if (rc == EOK)
		rc = vblk_dev_geometry(vb);
	if (rc != EOK) {
		vblk_dev_fail(vb);
		return rc;
	}
	uint8_t *status = vb->hdrs.vaddr + VBLK_QUEUE_MAX * sizeof(vblk_hdr_t);
	for (unsigned i = 0; i < VBLK_QUEUE_MAX; i++)
		status[i] = VBLK_S_NONE;
	wr8(vb->common, VIRTIO_COMMON_STATUS,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	        VIRTIO_STATUS_DRIVER_OK);
	return EOK;
}
