/*
 * The device manager (uspace/srv/devman): the tester runs a devman of its
 * own with its PCI configuration ports (and the I/O window of the IDE
 * controller's BAR), which enumerates QEMU's PCI functions, answers the
 * protocol of abi/devman.h and starts a fake driver (this program) for
 * the IDE controller with exactly that device's resources.
 */
#include "tester.h"
#include <abi/devman.h>
#include <cap.h>
#include <ddi_io.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define DM_IDE_ID 0x70108086u /* PIIX3 IDE, 00:01.1 */

/* ---- the fake driver ---- */

/* "child:dm-driver pci=BB:DD.F id=VVVV:DDDD devman=NAME barN=H ... [irq=L:H]":
 * checks that what it holds is exactly what its command line says, that
 * each range is the device's BAR (through devman's configuration reads,
 * which it may make as the device's driver), that devman's BAR registers
 * are refused to it, and that it can use its ports.  0, or a check's
 * number. */
static int child_dm_driver(int argc, char **argv)
{
	const char *name = NULL;
	unsigned long id = 0;
	cap_handle_t phone;
	int held = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "devman=", 7) == 0)
			name = argv[i] + 7;
		else if (strncmp(argv[i], "id=", 3) == 0)
			id = strtoul(argv[i] + 3, NULL, 16) << 16 | strtoul(argv[i] + 8, NULL, 16);
	}
	if (!name || ns_connect_timeout(name, 5000, &phone) != EOK)
		return 2;
	ipc_msg_t ans;
	if (ipc_request(phone, DEVMAN_CFG_READ, 0, 4, 0, 0, 0, &ans) != EOK ||
	    ans.arg[0] != ((id & 0xffff) << 16 | id >> 16))
		return 3;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "bar", 3) != 0)
			continue;
		char *p;
		unsigned bar = (unsigned) strtoul(argv[i] + 3, &p, 10);
		cap_handle_t h = (cap_handle_t) strtoul(p + 1, NULL, 10);
		cap_info_t info;
		if (cap_info(h, &info) != EOK ||
		    ipc_request(phone, DEVMAN_CFG_READ, 0x10 + 4 * bar, 4, 0, 0, 0, &ans) != EOK)
			return 10 + (int) bar;
		if (info.kind == CAP_KIND_IO_RANGE) {
			if (info.base != (ans.arg[0] & ~3ULL) || ioport_enable(h) != EOK)
				return 20 + (int) bar;
			(void) pio_read_8((uint16_t) (info.base + 2)); /* bus-master status */
		} else if (info.kind != CAP_KIND_PHYS_RANGE ||
		    info.base != ((ans.arg[0] & ~0xfULL) & ~0xfffULL)) {
			return 30 + (int) bar;
		}
		held++;
	}
	/* Nothing more than the command line names. */
	cap_info_t info;
	int ranges = 0;
	for (cap_handle_t h = 1; h < CAP_MAX; h++) {
		if (cap_info(h, &info) == EOK && info.kind >= CAP_KIND_IO_RANGE &&
		    info.kind <= CAP_KIND_IRQ_RANGE)
			ranges++;
	}
	if (ranges != held)
		return 4;
	/* The BARs are devman's to write; the command register is ours. */
	if (ipc_request(phone, DEVMAN_CFG_WRITE, 0x20, 4, 0, 0, 0, NULL) != EPERM)
		return 5;
	if (ipc_request(phone, DEVMAN_CFG_READ, 3, 2, 0, 0, 0, NULL) != EINVAL)
		return 6;
	return 0;
}

int child_devman_main(int argc, char **argv, bool *found)
{
	*found = strcmp(argv[0], "child:dm-driver") == 0;
	return *found ? child_dm_driver(argc, argv) : 0;
}

/* ---- the tests ---- */

typedef struct dm_run {
	char name[24];
	task_id_t task;
	cap_handle_t phone;
} dm_run_t;

static errno_t dm_start(dm_run_t *r, const char *more)
{
	char args[128];
	const cap_handle_t caps[] = { TESTER_CAP_IO_PCI, TESTER_CAP_IO_PCIDEV };
	test_name_make(r->name, sizeof(r->name), "dm");
	snprintf(args, sizeof(args), "name=%s test %s", r->name, more);
	errno_t rc = task_spawn_caps("devman", args, caps, 2, &r->task);
	if (rc == EOK)
		rc = ns_connect_timeout(r->name, 10000, &r->phone);
	return rc;
}

static void dm_stop(dm_run_t *r)
{
	task_exit_info_t info;
	UT_CHECK_OK(ipc_request(r->phone, DEVMAN_QUIT, 0, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(task_wait(r->task, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	ipc_hangup(r->phone);
}

/* The index of function @a bdf (bus << 8 | dev << 3 | fn), or -1. */
static int dm_find(cap_handle_t phone, uint64_t bdf, ipc_msg_t *dev)
{
	ipc_msg_t ans;
	if (ipc_request(phone, DEVMAN_COUNT, 0, 0, 0, 0, 0, &ans) != EOK)
		return -1;
	for (uint64_t i = 0; i < ans.arg[0]; i++) {
		if (ipc_request(phone, DEVMAN_DEVICE, i, 0, 0, 0, 0, dev) == EOK &&
		    dev->arg[0] == bdf)
			return (int) i;
	}
	return -1;
}

static bool dm_bar_is(cap_handle_t phone, int index, unsigned bar, uint64_t kind, uint64_t size)
{
	ipc_msg_t ans;
	if (!UT_CHECK_OK(ipc_request(phone, DEVMAN_BAR, (uint64_t) index, bar, 0, 0, 0, &ans)))
		return false;
	if (!UT_CHECK(ans.arg[0] == kind && ans.arg[2] == size))
		utest_note("bar %u: kind %llu base %#llx size %#llx", bar,
		    (unsigned long long) ans.arg[0], (unsigned long long) ans.arg[1],
		    (unsigned long long) ans.arg[2]);
	return true;
}

UTEST(devman_lists_pci)
{
	dm_run_t r;
	ipc_msg_t ans, dev;
	UT_ASSERT_OK(dm_start(&r, "nodrivers"));
	UT_ASSERT_OK(ipc_request(r.phone, DEVMAN_COUNT, 0, 0, 0, 0, 0, &ans));
	uint64_t count = ans.arg[0];
	UT_CHECK(count >= 5);
	/* QEMU's pc machine: the i440FX host bridge, the PIIX3 (a
	 * multi-function device: ISA bridge, IDE, ACPI at function 3), the
	 * VGA (a 16 MiB prefetchable BAR), the e1000 (its IRQ routed). */
	UT_CHECK(dm_find(r.phone, 0x00, &dev) >= 0 && (dev.arg[1] & 0xffffffff) == 0x12378086);
	int ide = dm_find(r.phone, 1 << 3 | 1, &dev);
	UT_CHECK(ide >= 0 && (dev.arg[1] & 0xffffffff) == DM_IDE_ID);
	UT_CHECK_EQ(dev.arg[1] >> 32 & 0xffff, 0x0101); /* mass storage, IDE */
	if (ide >= 0)
		dm_bar_is(r.phone, ide, 4, 1 /* io */, 0x10);
	UT_CHECK(dm_find(r.phone, 1 << 3 | 3, &dev) >= 0 && (dev.arg[1] & 0xffff) == 0x8086);
	int vga = dm_find(r.phone, 2 << 3, &dev);
	UT_CHECK(vga >= 0 && (dev.arg[1] & 0xffffffff) == 0x11111234);
	if (vga >= 0) {
		dm_bar_is(r.phone, vga, 0, 2 /* mem32 */, 0x1000000);
		dm_bar_is(r.phone, vga, 1, 0, 0);
	}
	int nic = dm_find(r.phone, 3 << 3, &dev);
	UT_CHECK(nic >= 0 && (dev.arg[1] & 0xffffffff) == 0x100e8086);
	UT_CHECK_EQ(dev.arg[2] >> 8 & 0xff, 1); /* INTA */
	UT_CHECK(dev.arg[3] == 0 && dev.arg[4] == 0); /* no driver */
	/* Beyond the list; a BAR beyond six; configuration of a device we
	 * do not drive. */
	UT_CHECK_ERR(ipc_request(r.phone, DEVMAN_DEVICE, count, 0, 0, 0, 0, &ans), ENOENT);
	UT_CHECK_ERR(ipc_request(r.phone, DEVMAN_BAR, 0, 6, 0, 0, 0, &ans), ENOENT);
	UT_CHECK_ERR(ipc_request(r.phone, DEVMAN_CFG_READ, 0, 4, 0, 0, 0, &ans), EPERM);
	UT_CHECK_ERR(ipc_request(r.phone, DEVMAN_CFG_WRITE, 4, 2, 0, 0, 0, &ans), EPERM);
	dm_stop(&r);
}

UTEST(devman_driver_gets_its_resources)
{
	dm_run_t r;
	ipc_msg_t dev, drv = { 0 };
	UT_ASSERT_OK(dm_start(&r, "match=8086:7010:" TESTER_MODULE ":child:dm-driver"));
	int ide = dm_find(r.phone, 1 << 3 | 1, &dev);
	UT_ASSERT(ide >= 0);
	UT_CHECK_EQ(dev.arg[4], 0x726574736574ULL); /* "tester" */
	/* The driver checks what it holds and ends; devman records it.  Then
	 * it is started again, with the same resources. */
	for (unsigned run = 1; run <= 2; run++) {
		for (int i = 0; i < 500; i++) {
			UT_ASSERT_OK(
			    ipc_request(r.phone, DEVMAN_DRIVER, (uint64_t) ide, 0, 0, 0, 0, &drv));
			if (drv.arg[1] == run && drv.arg[0] == 0)
				break;
			thread_sleep_us(10000);
		}
		UT_CHECK_EQ(drv.arg[1], run); /* started so often */
		UT_CHECK_EQ(drv.arg[2], TASK_EXIT_NORMAL);
		UT_CHECK_EQ(drv.arg[3], 0); /* every check of the driver passed */
		UT_CHECK_EQ(drv.arg[0], 0); /* and it is gone */
		if (run == 1)
			UT_CHECK_OK(
			    ipc_request(r.phone, DEVMAN_RESTART, (uint64_t) ide, 0, 0, 0, 0, NULL));
	}
	UT_CHECK_ERR(ipc_request(r.phone, DEVMAN_RESTART, 0, 0, 0, 0, 0, NULL), ENOENT);
	/* No other device got a driver. */
	UT_ASSERT_OK(ipc_request(r.phone, DEVMAN_DRIVER, 0, 0, 0, 0, 0, &drv));
	UT_CHECK_EQ(drv.arg[1], 0);
	dm_stop(&r);
}
