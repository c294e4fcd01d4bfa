/*
 * Host unit test of uspace/lib/pci: mechanism 1 addresses, BAR decoding
 * (I/O and memory, 32 and 64 bits, prefetchable, sizes from the all-ones
 * probe, malformed BARs) and capability-list walks (order, a loop, a
 * pointer into the header, no list).  The values are those a device shows:
 * QEMU 7.2's transitional virtio-blk among them.
 */
#include <pci/pci.h>
#include <string.h>

#include "tap.h"

static bool test_cfg_address(void)
{
	TAP_CHECK_EQ(pci_cfg_address(0, 0, 0, 0), 0x80000000u);
	TAP_CHECK_EQ(pci_cfg_address(0, 4, 0, PCI_BAR0), 0x80002010u);
	TAP_CHECK_EQ(pci_cfg_address(255, 31, 7, 0xff), 0x80fffffcu);
	TAP_CHECK_EQ(pci_cfg_address(1, 2, 3, 0x3d), 0x8001133cu);
	return true;
}

/* QEMU's virtio-blk-pci: BAR0 I/O 128, BAR1 mem 4 KiB, BAR4 64-bit pf 16 KiB. */
static const uint32_t vblk_value[PCI_BARS] = { 0xc081, 0xfebd1000, 0, 0, 0xfe00000c, 0 };
static const uint32_t vblk_probe[PCI_BARS] = { 0xffffff81, 0xfffff000, 0, 0, 0xffffc00c,
	0xffffffff };

static bool test_bars_virtio_blk(void)
{
	pci_bar_t b[PCI_BARS];

	TAP_CHECK_EQ(pci_bars_decode(vblk_value, vblk_probe, b), EOK);
	TAP_CHECK_EQ(b[0].kind, PCI_BAR_KIND_IO);
	TAP_CHECK_EQ(b[0].base, 0xc080);
	TAP_CHECK_EQ(b[0].size, 128);
	TAP_CHECK_EQ(b[1].kind, PCI_BAR_KIND_MEM32);
	TAP_CHECK_EQ(b[1].base, 0xfebd1000);
	TAP_CHECK_EQ(b[1].size, 4096);
	TAP_CHECK(!b[1].prefetchable);
	TAP_CHECK_EQ(b[2].kind, PCI_BAR_NONE);
	TAP_CHECK_EQ(b[3].kind, PCI_BAR_NONE);
	TAP_CHECK_EQ(b[4].kind, PCI_BAR_KIND_MEM64);
	TAP_CHECK(b[4].prefetchable);
	TAP_CHECK_EQ(b[4].base, 0xfe000000);
	TAP_CHECK_EQ(b[4].size, 16384);
	TAP_CHECK_EQ(b[5].kind, PCI_BAR_UPPER);
	TAP_CHECK_EQ(b[5].size, 0);
	return true;
}

static bool test_bar_64_high(void)
{
	/* A 64-bit BAR above 4 GiB, 8 GiB large (the probe's upper half decides). */
	uint32_t value[PCI_BARS] = { 0x0000000c, 0x00000004, 0, 0, 0, 0 };
	uint32_t probe[PCI_BARS] = { 0x0000000c, 0xfffffffe, 0, 0, 0, 0 };
	pci_bar_t b;

	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
	TAP_CHECK_EQ(b.kind, PCI_BAR_KIND_MEM64);
	TAP_CHECK_EQ(b.base, 0x400000000ull);
	TAP_CHECK_EQ(b.size, 0x200000000ull);
	/* Misaligned to its size: refused. */
	value[1] = 0x00000005;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EINVAL);
	/* A 64-bit BAR in the last slot has no upper half. */
	uint32_t v5[PCI_BARS] = { 0, 0, 0, 0, 0, 0xfe000004 };
	uint32_t p5[PCI_BARS] = { 0, 0, 0, 0, 0, 0xffffc004 };
	TAP_CHECK_EQ(pci_bar_decode(v5, p5, 5, &b), EINVAL);
	TAP_CHECK_EQ(pci_bars_decode(v5, p5, (pci_bar_t[PCI_BARS]){ 0 }), EINVAL);
	TAP_CHECK_EQ(pci_bar_decode(v5, p5, 6, &b), EINVAL);
	return true;
}

static bool test_bar_io_16bit(void)
{
	/* An I/O BAR whose upper 16 bits read back 0 (decodes 16-bit ports). */
	uint32_t value[PCI_BARS] = { 0xc001, 0, 0, 0, 0, 0 };
	uint32_t probe[PCI_BARS] = { 0x0000ffe1, 0, 0, 0, 0, 0 };
	pci_bar_t b;

	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
	TAP_CHECK_EQ(b.kind, PCI_BAR_KIND_IO);
	TAP_CHECK_EQ(b.base, 0xc000);
	TAP_CHECK_EQ(b.size, 32);
	/* Smallest: 4 ports. */
	value[0] = 0x1f4 | 1;
	probe[0] = 0xfffffffd;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
	TAP_CHECK_EQ(b.size, 4);
	TAP_CHECK_EQ(b.base, 0x1f4);
	/* Past port 0xffff. */
	value[0] = 0x10001;
	probe[0] = 0xffffff01;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EINVAL);
	/* Nothing stuck: an unimplemented I/O BAR. */
	value[0] = 1;
	probe[0] = 1;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
	TAP_CHECK_EQ(b.kind, PCI_BAR_NONE);
	return true;
}

static bool test_bar_malformed(void)
{
	pci_bar_t b;
	/* Writable bits that are not one run from the top. */
	uint32_t value[PCI_BARS] = { 0xfe000000, 0, 0, 0, 0, 0 };
	uint32_t probe[PCI_BARS] = { 0xfff0f000, 0, 0, 0, 0, 0 };
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EINVAL);
	/* The reserved memory type (bits 1-2 == 3). */
	value[0] = 0xfe000006;
	probe[0] = 0xfffff006;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EINVAL);
	/* Below-1 MiB type: decoded as 32-bit. */
	value[0] = 0x000d0002;
	probe[0] = 0xffff0002;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
	TAP_CHECK_EQ(b.kind, PCI_BAR_KIND_MEM32);
	TAP_CHECK_EQ(b.size, 0x10000);
	/* A 32-bit BAR of 2 GiB: the largest. */
	value[0] = 0x80000008;
	probe[0] = 0x80000008;
	TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
	TAP_CHECK_EQ(b.size, 0x80000000ull);
	TAP_CHECK(b.prefetchable);
	/* Every sizing from 16 bytes to 1 GiB. */
	for (unsigned shift = 4; shift < 31; shift++) {
		value[0] = 0x40000000u;
		probe[0] = ~((1u << shift) - 1);
		TAP_CHECK_EQ(pci_bar_decode(value, probe, 0, &b), EOK);
		TAP_CHECK_EQ(b.size, 1ull << shift);
	}
	return true;
}

/* A configuration space with capabilities at the given offsets and ids. */
static void cfg_caps(uint8_t *cfg, const unsigned *offs, const uint8_t *ids, unsigned n)
{
	memset(cfg, 0, PCI_CFG_SIZE);
	cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	cfg[PCI_CAP_PTR] = n ? (uint8_t) offs[0] : 0;
	for (unsigned i = 0; i < n; i++) {
		cfg[offs[i]] = ids[i];
		cfg[offs[i] + 1] = i + 1 < n ? (uint8_t) offs[i + 1] : 0;
	}
}

static bool test_cap_walk(void)
{
	uint8_t cfg[PCI_CFG_SIZE];
	const unsigned offs[] = { 0x98, 0x84, 0x70, 0x60, 0x50, 0x40 };
	const uint8_t ids[] = { PCI_CAP_ID_MSIX, 9, 9, 9, 9, 9 };
	pci_cap_iter_t it;
	unsigned n = 0, off;

	cfg_caps(cfg, offs, ids, 6);
	TAP_CHECK_EQ(pci_cap_first(cfg, &it), EOK);
	while (it.offset != 0) {
		TAP_CHECK(n < 6);
		TAP_CHECK_EQ(it.offset, offs[n]);
		n++;
		TAP_CHECK_EQ(pci_cap_next(&it), EOK);
	}
	TAP_CHECK_EQ(n, 6);
	/* find: the first vendor capability, then the ones after it in list order. */
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, 0, &off), EOK);
	TAP_CHECK_EQ(off, 0x84);
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, off, &off), EOK);
	TAP_CHECK_EQ(off, 0x70);
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, 0x50, &off), EOK);
	TAP_CHECK_EQ(off, 0x40);
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, 0x40, &off), ENOENT);
	TAP_CHECK_EQ(pci_cap_find(cfg, 0x05, 0, &off), ENOENT);
	/* The reserved low bits of a pointer are ignored. */
	cfg[PCI_CAP_PTR] = 0x9b;
	TAP_CHECK_EQ(pci_cap_find(cfg, PCI_CAP_ID_MSIX, 0, &off), EOK);
	TAP_CHECK_EQ(off, 0x98);
	return true;
}

static bool test_cap_malformed(void)
{
	uint8_t cfg[PCI_CFG_SIZE];
	const unsigned offs[] = { 0x40, 0x50 };
	const uint8_t ids[] = { 1, 5 };
	pci_cap_iter_t it;
	unsigned off;

	/* No capability list bit: no capabilities, whatever the pointer says. */
	cfg_caps(cfg, offs, ids, 2);
	cfg[PCI_STATUS] = 0;
	TAP_CHECK_EQ(pci_cap_first(cfg, &it), EOK);
	TAP_CHECK_EQ(it.offset, 0);
	TAP_CHECK_EQ(pci_cap_find(cfg, 1, 0, &off), ENOENT);
	/* A loop: stops after PCI_CAP_MAX with ELIMIT. */
	cfg_caps(cfg, offs, ids, 2);
	cfg[0x51] = 0x40;
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, 0, &off), ELIMIT);
	/* A self-loop. */
	cfg[0x41] = 0x40;
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, 0, &off), ELIMIT);
	/* A pointer into the header. */
	cfg_caps(cfg, offs, ids, 2);
	cfg[0x51] = 0x3c;
	TAP_CHECK_EQ(pci_cap_find(cfg, 9, 0, &off), EINVAL);
	cfg[PCI_CAP_PTR] = 0x10;
	TAP_CHECK_EQ(pci_cap_first(cfg, &it), EINVAL);
	/* The last possible place, 0xfc: read as far as the space goes. */
	cfg_caps(cfg, (const unsigned[]){ 0xfc }, (const uint8_t[]){ 7 }, 1);
	TAP_CHECK_EQ(pci_cap_find(cfg, 7, 0, &off), EOK);
	TAP_CHECK_EQ(off, 0xfc);
	TAP_CHECK_EQ(pci_cfg_read32(cfg, 0xfe), 0xffff0000u);
	return true;
}

static bool test_cfg_read(void)
{
	uint8_t cfg[PCI_CFG_SIZE] = { 0xf4, 0x1a, 0x42, 0x10 };

	TAP_CHECK_EQ(pci_cfg_read16(cfg, PCI_VENDOR_ID), 0x1af4);
	TAP_CHECK_EQ(pci_cfg_read16(cfg, PCI_DEVICE_ID), 0x1042);
	TAP_CHECK_EQ(pci_cfg_read32(cfg, 0), 0x10421af4u);
	TAP_CHECK_EQ(pci_cfg_read8(cfg, 256), 0xff);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "cfg_address", test_cfg_address },
		{ "bars_virtio_blk", test_bars_virtio_blk },
		{ "bar_64_high", test_bar_64_high },
		{ "bar_io_16bit", test_bar_io_16bit },
		{ "bar_malformed", test_bar_malformed },
		{ "cap_walk", test_cap_walk },
		{ "cap_malformed", test_cap_malformed },
		{ "cfg_read", test_cfg_read },
	};
	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
