/*
 * devices: the PCI functions devman found at boot and their drivers, one
 * line each (abi/devman.h: DEVMAN_COUNT, DEVMAN_DEVICE, DEVMAN_DRIVER,
 * open to every task): the function's address, vendor and device ids,
 * class, interrupt line, the driver module that matches it, the task
 * serving it now and how often a driver was started for it.
 */
#include <abi/devman.h>
#include <errno.h>
#include <ipc.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>

#define DEVICES_CONNECT_MS 1000

static const char *const devices_classes[] = {
	"old",
	"storage",
	"network",
	"display",
	"multimedia",
	"memory",
	"bridge",
	"comm",
	"system",
	"input",
	"dock",
	"cpu",
	"serial bus",
};

static const char *devices_class(unsigned c)
{
	return c < sizeof(devices_classes) / sizeof(devices_classes[0]) ? devices_classes[c]
	                                                                : "other";
}

/* Device @a i's line; ENOENT past the last. */
static errno_t devices_one(cap_handle_t dm, uint64_t i)
{
	ipc_msg_t d, drv;
	errno_t rc = ipc_request(dm, DEVMAN_DEVICE, i, 0, 0, 0, 0, &d);
	if (rc != EOK)
		return rc;
	char module[9] = { 0 }, irq[8], task[24] = "-", starts[16] = "-";
	memcpy(module, &d.arg[4], 8);
	unsigned line = d.arg[2] & 0xff, cls = (unsigned) (d.arg[1] >> 32) & 0xff;
	snprintf(irq, sizeof(irq), line == 0xff ? "-" : "%u", line);
	if (module[0] && ipc_request(dm, DEVMAN_DRIVER, i, 0, 0, 0, 0, &drv) == EOK) {
		if (drv.arg[0] != 0)
			snprintf(task, sizeof(task), "%llu", (unsigned long long) drv.arg[0]);
		snprintf(starts, sizeof(starts), "%llu", (unsigned long long) drv.arg[1]);
	}
	uint64_t bdf = d.arg[0];
	printf("%02x:%02x.%x  %04x:%04x  %02x.%02x.%02x %-10s %3s  %-10s %5s %6s\n",
	    (unsigned) (bdf >> 8) & 0xff, (unsigned) (bdf >> 3) & 0x1f, (unsigned) bdf & 7,
	    (unsigned) d.arg[1] & 0xffff, (unsigned) (d.arg[1] >> 16) & 0xffff, cls,
	    (unsigned) (d.arg[1] >> 40) & 0xff, (unsigned) (d.arg[1] >> 48) & 0xff,
	    devices_class(cls), irq, module[0] ? module : "-", task, starts);
	return EOK;
}

int main(int argc, char **argv)
{
	(void) argv;
	cap_handle_t dm;
	ipc_msg_t ans;
	if (argc > 1) {
		fprintf(stderr, "usage: devices\n");
		return 2;
	}
	errno_t rc = ns_connect_timeout(DEVMAN_NAME, DEVICES_CONNECT_MS, &dm);
	if (rc == EOK)
		rc = ipc_request(dm, DEVMAN_COUNT, 0, 0, 0, 0, 0, &ans);
	if (rc != EOK) {
		fprintf(stderr, "devices: devman: %s\n", str_error(rc));
		return 1;
	}
	printf("%-8s %-10s %-8s %-10s %3s  %-10s %5s %6s\n", "PCI", "VENDOR:ID", "CLASS", "", "IRQ",
	    "DRIVER", "TASK", "STARTS");
	for (uint64_t i = 0; i < ans.arg[0] && rc == EOK; i++)
		rc = devices_one(dm, i);
	ipc_hangup(dm);
	if (rc != EOK) {
		fprintf(stderr, "devices: devman: %s\n", str_error(rc));
		return 1;
	}
	printf("%llu PCI functions\n", (unsigned long long) ans.arg[0]);
	return 0;
}
