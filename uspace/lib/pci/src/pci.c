/*
 * PCI configuration space arithmetic: mechanism 1 addresses, BAR decoding
 * and sizing, capability-list walks.  See include/pci/pci.h.
 */
#include <pci/pci.h>

/* The mechanism 1 address of a dword of a function's configuration space. */
uint32_t pci_cfg_address(unsigned bus, unsigned dev, unsigned fn, unsigned offset)
{
	return 0x80000000u | (bus & 0xffu) << 16 | (dev & 0x1fu) << 11 | (fn & 0x7u) << 8 |
	    (offset & 0xfcu);
}

/*
 * The size a BAR decodes, from the address bits that stuck when all ones
 * were written (mask: the address bits only, the flag bits cleared, and
 * every bit above what the BAR implements set).  The writable bits must
 * be one run from the top: the size is then a power of two.
 */
static errno_t pci_bar_size(uint64_t mask, uint64_t *size)
{
	uint64_t s = ~mask + 1;

	if (s == 0 || (s & (s - 1)) != 0 || (mask & (s - 1)) != 0)
		return EINVAL;
	*size = s;
	return EOK;
}

static errno_t pci_bar_decode_io(uint32_t value, uint32_t probe, pci_bar_t *bar)
{
	uint32_t mask = probe & PCI_BAR_IO_MASK;

	if (mask == 0)
		return EOK; /* nothing stuck: not implemented */
	/* A device may leave the upper 16 bits of an I/O BAR at zero. */
	if ((mask & 0xffff0000u) == 0)
		mask |= 0xffff0000u;
	uint64_t size;
	errno_t rc = pci_bar_size(0xffffffff00000000ull | mask, &size);
	if (rc != EOK)
		return rc;
	uint64_t base = value & PCI_BAR_IO_MASK;
	if ((base & (size - 1)) != 0 || base + size > 0x10000)
		return EINVAL;
	bar->kind = PCI_BAR_KIND_IO;
	bar->base = base;
	bar->size = size;
	return EOK;
}

/*
 * Decode BAR `index` from the values the six BAR registers held (value)
 * and read back after all ones were written to them (probe; to both
 * halves of a 64-bit BAR).  A 64-bit BAR takes its upper half from slot
 * index + 1.  EINVAL: a malformed BAR (reserved type, a 64-bit BAR in the
 * last slot, writable bits that are not one run, a base not aligned to
 * the size).
 */
errno_t pci_bar_decode(
    const uint32_t value[PCI_BARS], const uint32_t probe[PCI_BARS], unsigned index, pci_bar_t *bar)
{
	if (index >= PCI_BARS)
		return EINVAL;
	*bar = (pci_bar_t){ .kind = PCI_BAR_NONE };
	if (value[index] & PCI_BAR_IO)
		return pci_bar_decode_io(value[index], probe[index], bar);

	uint32_t type = value[index] & PCI_BAR_MEM_TYPE_MASK;
	uint64_t base = value[index] & PCI_BAR_MEM_MASK;
	uint64_t mask = probe[index] & PCI_BAR_MEM_MASK;
	pci_bar_kind_t kind = PCI_BAR_KIND_MEM32;
	if (type == PCI_BAR_MEM_TYPE_64) {
		if (index + 1 >= PCI_BARS)
			return EINVAL;
		base |= (uint64_t) value[index + 1] << 32;
		mask |= (uint64_t) probe[index + 1] << 32;
		kind = PCI_BAR_KIND_MEM64;
	} else if (type == PCI_BAR_MEM_TYPE_32 || type == PCI_BAR_MEM_TYPE_1M) {
		mask |= 0xffffffff00000000ull;
	} else {
		return EINVAL;
	}
	if (mask == 0 || mask == 0xffffffff00000000ull)
		return EOK; /* nothing stuck: not implemented */
	uint64_t size;
	errno_t rc = pci_bar_size(mask, &size);
	if (rc != EOK)
		return rc;
	if ((base & (size - 1)) != 0)
		return EINVAL;
	bar->kind = kind;
	bar->prefetchable = (value[index] & PCI_BAR_PREFETCH) != 0;
	bar->base = base;
	bar->size = size;
	return EOK;
}

/* All six BARs; the slot above a 64-bit BAR becomes PCI_BAR_UPPER. */
errno_t pci_bars_decode(
    const uint32_t value[PCI_BARS], const uint32_t probe[PCI_BARS], pci_bar_t bars[PCI_BARS])
{
	for (unsigned i = 0; i < PCI_BARS; i++) {
		bool upper64 = (value[i] & (PCI_BAR_IO | PCI_BAR_MEM_TYPE_MASK)) ==
		    PCI_BAR_MEM_TYPE_64;
		errno_t rc = pci_bar_decode(value, probe, i, &bars[i]);
		if (rc != EOK)
			return rc;
		if (upper64) {
			i++;
			bars[i] = (pci_bar_t){ .kind = PCI_BAR_UPPER };
		}
	}
	return EOK;
}

uint8_t pci_cfg_read8(const uint8_t *cfg, unsigned offset)
{
	return offset < PCI_CFG_SIZE ? cfg[offset] : 0xff;
}

uint16_t pci_cfg_read16(const uint8_t *cfg, unsigned offset)
{
	return (uint16_t) (pci_cfg_read8(cfg, offset) | pci_cfg_read8(cfg, offset + 1) << 8);
}

uint32_t pci_cfg_read32(const uint8_t *cfg, unsigned offset)
{
	return (uint32_t) pci_cfg_read16(cfg, offset) |
	    (uint32_t) pci_cfg_read16(cfg, offset + 2) << 16;
}

/* Go to the capability at pointer ptr (0: the end of the list). */
static errno_t pci_cap_go(pci_cap_iter_t *it, uint8_t ptr)
{
	unsigned off = ptr & 0xfcu; /* the low two bits are reserved */

	if (off == 0) {
		it->offset = 0;
		return EOK;
	}
	if (off < 0x40)
		return EINVAL; /* inside the header */
	if (it->visited >= PCI_CAP_MAX)
		return ELIMIT; /* more than fit: the list loops */
	it->visited++;
	it->offset = off;
	return EOK;
}

/*
 * Start a walk: it->offset is the first capability, or 0 when the
 * function has none.  EINVAL/ELIMIT: a malformed or looping list.
 */
errno_t pci_cap_first(const uint8_t *cfg, pci_cap_iter_t *it)
{
	*it = (pci_cap_iter_t){ .cfg = cfg };
	if ((pci_cfg_read16(cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST) == 0)
		return EOK;
	return pci_cap_go(it, pci_cfg_read8(cfg, PCI_CAP_PTR));
}

/* Step to the next capability (it->offset 0 at the end). */
errno_t pci_cap_next(pci_cap_iter_t *it)
{
	if (it->offset == 0)
		return EOK;
	return pci_cap_go(it, pci_cfg_read8(it->cfg, it->offset + 1));
}

/*
 * The first capability with this id that comes after the one at `after`
 * in list order (after 0: from the start).  ENOENT: none.
 */
errno_t pci_cap_find(const uint8_t *cfg, uint8_t id, unsigned after, unsigned *offset)
{
	pci_cap_iter_t it;
	bool past = after == 0;
	errno_t rc;

	for (rc = pci_cap_first(cfg, &it); rc == EOK && it.offset != 0; rc = pci_cap_next(&it)) {
		if (past && pci_cfg_read8(cfg, it.offset) == id) {
			*offset = it.offset;
			return EOK;
		}
		if (it.offset == after)
			past = true;
	}
	return rc != EOK ? rc : ENOENT;
}
