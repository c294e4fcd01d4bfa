/*
 * The modern virtio PCI capabilities and feature negotiation arithmetic.
 * See include/virtio/virtio.h.
 */
#include <virtio/virtio.h>

/* Read one virtio capability at `off` into a region; EINVAL if malformed. */
static errno_t virtio_pci_cap_read(
    const uint8_t *cfg, unsigned off, unsigned min_len, virtio_pci_region_t *region)
{
	unsigned len = pci_cfg_read8(cfg, off + VIRTIO_PCI_CAP_LEN);

	if (len < min_len || off + len > PCI_CFG_SIZE)
		return EINVAL;
	region->bar = pci_cfg_read8(cfg, off + VIRTIO_PCI_CAP_BAR);
	region->offset = pci_cfg_read32(cfg, off + VIRTIO_PCI_CAP_OFFSET);
	region->length = pci_cfg_read32(cfg, off + VIRTIO_PCI_CAP_LENGTH);
	if (region->bar >= PCI_BARS || (uint64_t) region->offset + region->length > UINT32_MAX)
		return EINVAL;
	return EOK;
}

/* Fill the region of one capability type, if it is the first of its type. */
static errno_t virtio_pci_cap_take(
    const uint8_t *cfg, unsigned off, virtio_pci_layout_t *layout, unsigned *seen)
{
	unsigned type = pci_cfg_read8(cfg, off + VIRTIO_PCI_CAP_CFG_TYPE);
	virtio_pci_region_t *region;
	unsigned min_len = VIRTIO_PCI_CAP_SIZE;

	switch (type) {
	case VIRTIO_PCI_CAP_COMMON:
		region = &layout->common;
		break;
	case VIRTIO_PCI_CAP_NOTIFY:
		region = &layout->notify;
		min_len = VIRTIO_PCI_NOTIFY_CAP_SIZE;
		break;
	case VIRTIO_PCI_CAP_ISR:
		region = &layout->isr;
		break;
	case VIRTIO_PCI_CAP_DEVICE:
		region = &layout->device;
		break;
	default:
		return EOK; /* PCI_CFG access and unknown types: not used */
	}
	if (*seen & (1u << type))
		return EOK; /* the spec: use the first of each type */
	errno_t rc = virtio_pci_cap_read(cfg, off, min_len, region);
	if (rc != EOK)
		return rc;
	if (type == VIRTIO_PCI_CAP_NOTIFY)
		layout->notify_off_multiplier = pci_cfg_read32(cfg, off + VIRTIO_PCI_NOTIFY_MULT);
	*seen |= 1u << type;
	return EOK;
}

/*
 * Find the common, notify, ISR and device-specific blocks of a modern
 * virtio device from its configuration space.  ENOTSUP: common, notify
 * or ISR is missing (not a modern device); EINVAL: a malformed capability
 * or a common block too small.  The device block may be missing (length 0).
 */
errno_t virtio_pci_layout_parse(const uint8_t *cfg, virtio_pci_layout_t *layout)
{
	pci_cap_iter_t it;
	unsigned seen = 0;
	errno_t rc;

	*layout = (virtio_pci_layout_t){ 0 };
	for (rc = pci_cap_first(cfg, &it); rc == EOK && it.offset != 0; rc = pci_cap_next(&it)) {
		if (pci_cfg_read8(cfg, it.offset) != PCI_CAP_ID_VENDOR)
			continue;
		rc = virtio_pci_cap_take(cfg, it.offset, layout, &seen);
		if (rc != EOK)
			return rc;
	}
	if (rc != EOK)
		return rc;
	unsigned need = 1u << VIRTIO_PCI_CAP_COMMON | 1u << VIRTIO_PCI_CAP_NOTIFY |
	    1u << VIRTIO_PCI_CAP_ISR;
	if ((seen & need) != need)
		return ENOTSUP;
	if (layout->common.length < VIRTIO_COMMON_SIZE || layout->isr.length < 1)
		return EINVAL;
	return EOK;
}

/* EOK if the region lies inside its BAR and that BAR is memory. */
errno_t virtio_pci_region_check(const virtio_pci_region_t *region, const pci_bar_t bars[PCI_BARS])
{
	const pci_bar_t *bar = &bars[region->bar];

	if (bar->kind != PCI_BAR_KIND_MEM32 && bar->kind != PCI_BAR_KIND_MEM64)
		return ENOTSUP;
	if ((uint64_t) region->offset + region->length > bar->size)
		return EINVAL;
	return EOK;
}

/*
 * The offset of a queue's notify register inside the notify region:
 * queue_notify_off * notify_off_multiplier, with room for the 16-bit write.
 */
errno_t virtio_pci_notify_offset(
    const virtio_pci_layout_t *layout, uint16_t queue_notify_off, uint32_t *offset)
{
	uint64_t off = (uint64_t) queue_notify_off * layout->notify_off_multiplier;

	if (off + 2 > layout->notify.length)
		return EINVAL;
	*offset = (uint32_t) off;
	return EOK;
}

/*
 * The features to accept: what the device offers and we want.  ENOTSUP
 * when the device does not offer every required feature.
 */
errno_t virtio_features_choose(
    uint64_t offered, uint64_t wanted, uint64_t required, uint64_t *accepted)
{
	if ((offered & required) != required)
		return ENOTSUP;
	*accepted = offered & (wanted | required);
	return EOK;
}
