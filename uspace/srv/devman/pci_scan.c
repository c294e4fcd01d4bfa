/*
 * PCI enumeration through configuration mechanism 1 (ports 0xcf8-0xcff,
 * granted to devman): every bus, device and function (functions 1-7 only
 * of multi-function devices), the BARs sized by writing all ones with
 * decoding off, the interrupt line.  lib/pci decodes.
 */
#include "devman.h"
#include <ddi_io.h>
#include <lock.h>
#include <stdio.h>

dm_dev_t dm_devs[DM_DEVICES_MAX];
unsigned dm_count;

static lock_t dm_cfg_lock = LOCK_INITIALIZER;

static uint32_t cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width)
{
	lock_acquire(&dm_cfg_lock);
	pio_write_32(PCI_CFG_ADDR_PORT, pci_cfg_address(bus, dev, fn, off));
	uint16_t port = (uint16_t) (PCI_CFG_DATA_PORT + (off & 3));
	uint32_t v = width == 4 ? pio_read_32(port)
	    : width == 2        ? pio_read_16(port)
	                        : pio_read_8(port);
	lock_release(&dm_cfg_lock);
	return v;
}

static void cfg_write(
    unsigned bus, unsigned dev, unsigned fn, unsigned off, unsigned width, uint32_t v)
{
	lock_acquire(&dm_cfg_lock);
	pio_write_32(PCI_CFG_ADDR_PORT, pci_cfg_address(bus, dev, fn, off));
	uint16_t port = (uint16_t) (PCI_CFG_DATA_PORT + (off & 3));
	if (width == 4)
		pio_write_32(port, v);
	else if (width == 2)
		pio_write_16(port, (uint16_t) v);
	else
		pio_write_8(port, (uint8_t) v);
	lock_release(&dm_cfg_lock);
}

uint32_t dm_cfg_read(const dm_dev_t *d, unsigned offset, unsigned width)
{
	return cfg_read(d->bus, d->dev, d->fn, offset, width);
}

void dm_cfg_write(const dm_dev_t *d, unsigned offset, unsigned width, uint32_t value)
{
	cfg_write(d->bus, d->dev, d->fn, offset, width, value);
}

/* Size the BARs of @a d: decoding off while all ones are in them. */
static void dm_bars_size(dm_dev_t *d)
{
	uint32_t value[PCI_BARS] = { 0 }, probe[PCI_BARS] = { 0 };
	unsigned nbars = (d->header & 0x7f) == 0 ? PCI_BARS : (d->header & 0x7f) == 1 ? 2 : 0;
	uint16_t cmd = (uint16_t) dm_cfg_read(d, PCI_COMMAND, 2);
	dm_cfg_write(d, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < nbars; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		value[i] = dm_cfg_read(d, off, 4);
		dm_cfg_write(d, off, 4, 0xffffffffu);
		probe[i] = dm_cfg_read(d, off, 4);
		dm_cfg_write(d, off, 4, value[i]);
	}
	dm_cfg_write(d, PCI_COMMAND, 2, cmd);
	if (pci_bars_decode(value, probe, d->bars) == EOK)
		return;
	/* One malformed BAR: keep the others (a 64-bit one's upper half
	 * stays its). */
	for (unsigned i = 0; i < PCI_BARS; i++) {
		if (i > 0 && d->bars[i - 1].kind == PCI_BAR_KIND_MEM64)
			d->bars[i] = (pci_bar_t){ .kind = PCI_BAR_UPPER };
		else if (i >= nbars || pci_bar_decode(value, probe, i, &d->bars[i]) != EOK)
			d->bars[i] = (pci_bar_t){ .kind = PCI_BAR_NONE };
	}
}

/* Record function @a fn of @a dev on @a bus (present): false when full. */
static bool dm_add(unsigned bus, unsigned dev, unsigned fn)
{
	if (dm_count == DM_DEVICES_MAX)
		return false;
	dm_dev_t *d = &dm_devs[dm_count];
	*d = (dm_dev_t){ .bus = (uint8_t) bus, .dev = (uint8_t) dev, .fn = (uint8_t) fn };
	d->vendor = (uint16_t) dm_cfg_read(d, PCI_VENDOR_ID, 2);
	d->device = (uint16_t) dm_cfg_read(d, PCI_DEVICE_ID, 2);
	d->class = (uint8_t) dm_cfg_read(d, PCI_CLASS, 1);
	d->subclass = (uint8_t) dm_cfg_read(d, PCI_SUBCLASS, 1);
	d->progif = (uint8_t) dm_cfg_read(d, PCI_PROG_IF, 1);
	d->header = (uint8_t) dm_cfg_read(d, PCI_HEADER_TYPE, 1);
	d->irq_line = (uint8_t) dm_cfg_read(d, PCI_INT_LINE, 1);
	d->irq_pin = (uint8_t) dm_cfg_read(d, PCI_INT_PIN, 1);
	dm_bars_size(d);
	dm_count++;
	return true;
}

void dm_pci_scan(void)
{
	for (unsigned bus = 0; bus < PCI_BUSES; bus++) {
		for (unsigned dev = 0; dev < PCI_DEVICES; dev++) {
			if (cfg_read(bus, dev, 0, PCI_VENDOR_ID, 2) == 0xffff)
				continue;
			bool multi = cfg_read(bus, dev, 0, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTI;
			for (unsigned fn = 0; fn < (multi ? PCI_FUNCTIONS : 1u); fn++) {
				if (cfg_read(bus, dev, fn, PCI_VENDOR_ID, 2) == 0xffff)
					continue;
				if (!dm_add(bus, dev, fn)) {
					printf("devman: more than %d PCI functions: the rest "
					       "ignored\n",
					    DM_DEVICES_MAX);
					return;
				}
			}
		}
	}
}
