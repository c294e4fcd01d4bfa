/*
 * PCI configuration space: layout, BAR decoding and capability lists.
 *
 * Pure code: nothing here touches hardware.  The caller reads the
 * configuration space (devman through ports 0xcf8/0xcfc, mechanism 1; a
 * driver from the copy devman gives it) and this library interprets the
 * values; the host unit tests (tests/test_pci.c) run it on made-up spaces.
 */
#ifndef PCI_PCI_H_
#define PCI_PCI_H_

#include <abi/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Type 0 header offsets (bytes). */
#define PCI_VENDOR_ID 0x00 /* u16; 0xffff: no function */
#define PCI_DEVICE_ID 0x02 /* u16 */
#define PCI_COMMAND 0x04 /* u16 */
#define PCI_STATUS 0x06 /* u16 */
#define PCI_REVISION 0x08 /* u8 */
#define PCI_PROG_IF 0x09 /* u8 */
#define PCI_SUBCLASS 0x0a /* u8 */
#define PCI_CLASS 0x0b /* u8 */
#define PCI_HEADER_TYPE 0x0e /* u8: bits 0-6 layout, bit 7 multi-function */
#define PCI_BAR0 0x10 /* six u32, 0x10..0x27 */
#define PCI_SUBSYS_VENDOR 0x2c /* u16 */
#define PCI_SUBSYS_ID 0x2e /* u16 */
#define PCI_CAP_PTR 0x34 /* u8: the first capability, if PCI_STATUS_CAP_LIST */
#define PCI_INT_LINE 0x3c /* u8: the legacy IRQ line the firmware routed */
#define PCI_INT_PIN 0x3d /* u8: 0 none, 1..4 INTA..INTD */

#define PCI_CFG_SIZE 256 /* a conventional function's configuration space */
#define PCI_BARS 6 /* BARs in a type 0 header */
#define PCI_HEADER_MULTI 0x80 /* PCI_HEADER_TYPE: a multi-function device */

/* PCI_COMMAND bits. */
#define PCI_COMMAND_IO 0x0001 /* respond to I/O-space accesses */
#define PCI_COMMAND_MEMORY 0x0002 /* respond to memory-space accesses */
#define PCI_COMMAND_MASTER 0x0004 /* may master the bus (DMA) */
#define PCI_COMMAND_INTX_DISABLE 0x0400

/* PCI_STATUS bits. */
#define PCI_STATUS_CAP_LIST 0x0010 /* PCI_CAP_PTR is valid */

/* A capability: u8 id, u8 next, then the capability's own fields. */
#define PCI_CAP_ID_VENDOR 0x09 /* vendor-specific (virtio uses these) */
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_MAX 48 /* at most (256 - 64) / 4 capabilities fit */

/* Mechanism 1: the address written to port 0xcf8 (data at 0xcfc + (off & 3)). */
#define PCI_CFG_ADDR_PORT 0xcf8
#define PCI_CFG_DATA_PORT 0xcfc
#define PCI_BUSES 256
#define PCI_DEVICES 32
#define PCI_FUNCTIONS 8

/* BAR register bits. */
#define PCI_BAR_IO 0x1u /* bit 0: an I/O BAR */
#define PCI_BAR_MEM_TYPE_MASK 0x6u /* bits 1-2 of a memory BAR */
#define PCI_BAR_MEM_TYPE_32 0x0u
#define PCI_BAR_MEM_TYPE_1M 0x2u /* below 1 MiB (PCI 2.x legacy): a 32-bit BAR */
#define PCI_BAR_MEM_TYPE_64 0x4u /* this BAR and the next form 64 bits */
#define PCI_BAR_PREFETCH 0x8u
#define PCI_BAR_IO_MASK 0xfffffffcu
#define PCI_BAR_MEM_MASK 0xfffffff0u

typedef enum pci_bar_kind {
	PCI_BAR_NONE = 0, /* not implemented (reads back 0 after all ones) */
	PCI_BAR_KIND_IO, /* I/O ports */
	PCI_BAR_KIND_MEM32, /* memory, 32-bit address */
	PCI_BAR_KIND_MEM64, /* memory, 64-bit address (this slot and the next) */
	PCI_BAR_UPPER, /* the upper half of the 64-bit BAR in the slot below */
} pci_bar_kind_t;

typedef struct pci_bar {
	pci_bar_kind_t kind;
	bool prefetchable; /* memory BARs only */
	uint64_t base; /* port or physical address */
	uint64_t size; /* bytes or ports; a power of two, 0 for NONE/UPPER */
} pci_bar_t;

uint32_t pci_cfg_address(unsigned bus, unsigned dev, unsigned fn, unsigned offset);

errno_t pci_bar_decode(
    const uint32_t value[PCI_BARS], const uint32_t probe[PCI_BARS], unsigned index, pci_bar_t *bar);
errno_t pci_bars_decode(
    const uint32_t value[PCI_BARS], const uint32_t probe[PCI_BARS], pci_bar_t bars[PCI_BARS]);

/*
 * Reading a copy of a configuration space (PCI_CFG_SIZE bytes, as read,
 * little-endian).
 */
uint8_t pci_cfg_read8(const uint8_t *cfg, unsigned offset);
uint16_t pci_cfg_read16(const uint8_t *cfg, unsigned offset);
uint32_t pci_cfg_read32(const uint8_t *cfg, unsigned offset);

/* A walk over a capability list: pci_cap_first, then pci_cap_next. */
typedef struct pci_cap_iter {
	const uint8_t *cfg;
	unsigned offset; /* the current capability; 0 at the end */
	unsigned visited; /* capabilities seen, to stop a loop in the list */
} pci_cap_iter_t;

errno_t pci_cap_first(const uint8_t *cfg, pci_cap_iter_t *it);
errno_t pci_cap_next(pci_cap_iter_t *it);
errno_t pci_cap_find(const uint8_t *cfg, uint8_t id, unsigned after, unsigned *offset);

#endif
