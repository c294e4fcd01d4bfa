/*
 * virtio 1.0 over PCI (the modern interface): the vendor capabilities that
 * locate the device's register blocks, the common configuration layout,
 * device status and feature bits.  Pure code: the parser reads a copy of
 * the PCI configuration space; tests/test_virtio.c runs it on the host.
 */
#ifndef VIRTIO_VIRTIO_H_
#define VIRTIO_VIRTIO_H_

#include <abi/errno.h>
#include <pci/pci.h>
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_MODERN_BASE 0x1040 /* + the virtio device type */
#define VIRTIO_TYPE_BLOCK 2
#define VIRTIO_PCI_DEVICE_BLK_LEGACY 0x1001 /* transitional block device */

/* A virtio PCI capability (PCI_CAP_ID_VENDOR), offsets from its start. */
#define VIRTIO_PCI_CAP_LEN 2 /* u8: the capability's length */
#define VIRTIO_PCI_CAP_CFG_TYPE 3 /* u8: VIRTIO_PCI_CAP_* */
#define VIRTIO_PCI_CAP_BAR 4 /* u8: which BAR */
#define VIRTIO_PCI_CAP_OFFSET 8 /* u32: where in the BAR */
#define VIRTIO_PCI_CAP_LENGTH 12 /* u32: how many bytes */
#define VIRTIO_PCI_CAP_SIZE 16 /* the capability without type extras */
#define VIRTIO_PCI_NOTIFY_MULT 16 /* u32, notify capability only */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE 20

/* cfg_type values. */
#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR 3
#define VIRTIO_PCI_CAP_DEVICE 4
#define VIRTIO_PCI_CAP_PCI_CFG 5

/* The common configuration block (VIRTIO_PCI_CAP_COMMON), byte offsets. */
#define VIRTIO_COMMON_DFSELECT 0 /* u32 device_feature_select */
#define VIRTIO_COMMON_DF 4 /* u32 device_feature (the selected 32 bits) */
#define VIRTIO_COMMON_GFSELECT 8 /* u32 driver_feature_select */
#define VIRTIO_COMMON_GF 12 /* u32 driver_feature */
#define VIRTIO_COMMON_MSIX 16 /* u16 msix_config */
#define VIRTIO_COMMON_NUMQ 18 /* u16 num_queues */
#define VIRTIO_COMMON_STATUS 20 /* u8 device_status */
#define VIRTIO_COMMON_CFGGEN 21 /* u8 config_generation */
#define VIRTIO_COMMON_Q_SELECT 22 /* u16 queue_select */
#define VIRTIO_COMMON_Q_SIZE 24 /* u16 queue_size */
#define VIRTIO_COMMON_Q_MSIX 26 /* u16 queue_msix_vector */
#define VIRTIO_COMMON_Q_ENABLE 28 /* u16 queue_enable */
#define VIRTIO_COMMON_Q_NOFF 30 /* u16 queue_notify_off */
#define VIRTIO_COMMON_Q_DESC 32 /* u64 queue_desc */
#define VIRTIO_COMMON_Q_AVAIL 40 /* u64 queue_driver */
#define VIRTIO_COMMON_Q_USED 48 /* u64 queue_device */
#define VIRTIO_COMMON_SIZE 56

#define VIRTIO_MSI_NO_VECTOR 0xffff

/* device_status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* ISR status bits (reading the ISR byte clears them and the INTx line). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* Device-independent feature bits. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34

#define VIRTIO_FEATURE(bit) (1ull << (bit))

/* One register block: `length` bytes at `offset` in BAR `bar`. */
typedef struct virtio_pci_region {
	uint8_t bar;
	uint32_t offset;
	uint32_t length;
} virtio_pci_region_t;

/* Where a modern device's register blocks are (the first of each type). */
typedef struct virtio_pci_layout {
	virtio_pci_region_t common;
	virtio_pci_region_t notify;
	virtio_pci_region_t isr;
	virtio_pci_region_t device; /* length 0: the device has no such block */
	uint32_t notify_off_multiplier;
} virtio_pci_layout_t;

errno_t virtio_pci_layout_parse(const uint8_t *cfg, virtio_pci_layout_t *layout);
errno_t virtio_pci_region_check(const virtio_pci_region_t *region, const pci_bar_t bars[PCI_BARS]);
errno_t virtio_pci_notify_offset(
    const virtio_pci_layout_t *layout, uint16_t queue_notify_off, uint32_t *offset);
errno_t virtio_features_choose(
    uint64_t offered, uint64_t wanted, uint64_t required, uint64_t *accepted);

#endif
