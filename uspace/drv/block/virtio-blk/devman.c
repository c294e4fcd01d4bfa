/*
 * What the driver asks devman (abi/devman.h): its device's configuration
 * space, turning on memory decoding and bus mastering, the BARs as devman
 * decoded them, and its place among the virtio-blk devices (for its name).
 */
#include <abi/devman.h>
#include <ipc.h>
#include <ns.h>
#include <thread.h>

#include "vblk.h"

#define VBLK_DEVMAN_TRIES 100 /* devman may not have recorded us yet: 10 ms apart */

/* DEVMAN_CFG_READ; devman answers EPERM until it knows we are the driver. */
static errno_t vblk_cfg_read32(cap_handle_t devman, unsigned off, uint32_t *v)
{
	ipc_msg_t a;
	errno_t rc = EPERM;

	for (unsigned i = 0; i < VBLK_DEVMAN_TRIES && rc == EPERM; i++) {
		rc = ipc_request(devman, DEVMAN_CFG_READ, off, 4, 0, 0, 0, &a);
		if (rc == EPERM)
			thread_sleep_us(10000);
	}
	*v = (uint32_t) a.arg[0];
	return rc;
}

/* The whole configuration space, as a copy in cfg. */
errno_t vblk_devman_cfg(cap_handle_t devman, uint8_t cfg[PCI_CFG_SIZE])
{
	for (unsigned off = 0; off < PCI_CFG_SIZE; off += 4) {
		uint32_t v;
		errno_t rc = vblk_cfg_read32(devman, off, &v);
		if (rc != EOK)
			return rc;
		for (unsigned b = 0; b < 4; b++)
			cfg[off + b] = (uint8_t) (v >> (8 * b));
	}
	return EOK;
}

/*
 * Memory decoding and bus mastering on, INTx not disabled (the device
 * processes no ring without bus mastering); cfg is read again after.
 */
errno_t vblk_devman_enable(cap_handle_t devman, uint8_t cfg[PCI_CFG_SIZE])
{
	uint16_t cmd = pci_cfg_read16(cfg, PCI_COMMAND);
	uint16_t want = (uint16_t) ((cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER) &
	    ~PCI_COMMAND_INTX_DISABLE);
	errno_t rc = ipc_request(devman, DEVMAN_CFG_WRITE, PCI_COMMAND, 2, want, 0, 0, NULL);
	if (rc != EOK)
		return rc;
	return vblk_devman_cfg(devman, cfg);
}

/*
 * Our device's index in devman's list (by bus/device/function), its BARs
 * as devman decoded them, and how many virtio-blk devices come before it
 * in PCI order (disk0 is the first).
 */
errno_t vblk_devman_find(
    cap_handle_t devman, unsigned bdf, pci_bar_t bars[PCI_BARS], unsigned *disk_index)
{
	ipc_msg_t a;
	errno_t rc = ipc_request(devman, DEVMAN_COUNT, 0, 0, 0, 0, 0, &a);
	if (rc != EOK)
		return rc;
	uint64_t count = a.arg[0], mine = UINT64_MAX;
	unsigned before = 0;
	for (uint64_t i = 0; i < count; i++) {
		if ((rc = ipc_request(devman, DEVMAN_DEVICE, i, 0, 0, 0, 0, &a)) != EOK)
			return rc;
		uint16_t vendor = (uint16_t) a.arg[1], device = (uint16_t) (a.arg[1] >> 16);
		bool blk = vendor == VIRTIO_PCI_VENDOR &&
		    (device == VIRTIO_PCI_DEVICE_BLK_LEGACY ||
		        device == VIRTIO_PCI_DEVICE_MODERN_BASE + VIRTIO_TYPE_BLOCK);
		if (a.arg[0] == bdf)
			mine = i;
		else if (blk && a.arg[0] < bdf)
			before++;
	}
	if (mine == UINT64_MAX)
		return ENOENT;
	for (unsigned b = 0; b < PCI_BARS; b++) {
		if ((rc = ipc_request(devman, DEVMAN_BAR, mine, b, 0, 0, 0, &a)) != EOK)
			return rc;
		bars[b] = (pci_bar_t){ .kind = (pci_bar_kind_t) a.arg[0],
			.base = a.arg[1],
			.size = a.arg[2],
			.prefetchable = a.arg[3] != 0 };
	}
	*disk_index = before;
	return EOK;
}
