/*
 * devman: the device manager.  It holds the PCI configuration ports and
 * the windows of ports, physical addresses and IRQ lines devices may use
 * (its capabilities: boot grants, or what a parent passed at spawn; any
 * handles 1..15, found by their kind and range).  It enumerates PCI,
 * prints what it found, starts a driver per device from the match table
 * with exactly that device's BARs and IRQ line (ranges derived from its
 * windows, passed at spawn), registers with ns and answers the protocol
 * of abi/devman.h.
 *
 *   devman [name=NAME] [nodrivers] [test] [match=VVVV:DDDD:MODULE[:ARG0]]
 *
 * name: register as NAME instead of "devman"; nodrivers: start none;
 * test: DEVMAN_QUIT ends it (the user tests start their own devman);
 * match: one more match table entry, whose driver's arguments start with
 * ARG0 (the tests start a fake driver this way).
 */
#include "devman.h"
#include <abi/devman.h>
#include <cap.h>
#include <ddi_io.h>
#include <ddi_mem.h>
#include <errno.h>
#include <ipc.h>
#include <lock.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define DM_HANDLES_MAX 16
#define DM_PAGE 4096ULL
#define DM_MANAGERS_MAX 16

typedef struct dm_driver {
	uint16_t vendor, device;
	const char *module;
} dm_driver_t;

static const dm_driver_t dm_match[] = {
	{ 0x1af4, 0x1001, "virtio-blk" }, /* transitional virtio-blk */
	{ 0x1af4, 0x1042, "virtio-blk" }, /* modern only (disable-legacy=on) */
};

/* The match= entry of the command line (module 0: none). */
static struct {
	uint16_t vendor, device;
	char module[32];
	char arg0[48];
} dm_extra;

static lock_t dm_lock = LOCK_INITIALIZER; /* dm_dev_t.driver and its end */
static const char *dm_name = DEVMAN_NAME;

static cap_info_t dm_caps[DM_HANDLES_MAX]; /* kind 0: not one of our ranges */
static bool dm_test_mode;
/* Connections (badges, each connection its own) that showed a capability
 * for the PCI configuration ports: they may stop drivers (abi/devman.h).
 * ipc_serve's workers run at once: both under dm_lock. */
static uint64_t dm_badge_next = 1;
static uint64_t dm_managers[DM_MANAGERS_MAX];

static void dm_caps_find(void)
{
	for (cap_handle_t h = 1; h < DM_HANDLES_MAX; h++) {
		if (cap_info(h, &dm_caps[h]) != EOK)
			dm_caps[h].kind = 0;
	}
}

/* Our range of @a kind covering [base, base + size), or CAP_NIL. */
static cap_handle_t dm_window(uint32_t kind, uint64_t base, uint64_t size)
{
	for (cap_handle_t h = 1; h < DM_HANDLES_MAX; h++) {
		const cap_info_t *c = &dm_caps[h];
		if (c->kind == kind && base >= c->base && size <= c->size &&
		    base - c->base <= c->size - size)
			return h;
	}
	return CAP_NIL;
}

static const char *const dm_bar_names[] = { "none", "io", "mem32", "mem64", "upper" };

static void dm_print(const dm_dev_t *d)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "devman: %02x:%02x.%x %04x:%04x class %02x.%02x",
	    d->bus, d->dev, d->fn, d->vendor, d->device, d->class, d->subclass);
	if (d->irq_pin)
		n += snprintf(line + n, sizeof(line) - (size_t) n, " irq %u (pin %c)", d->irq_line,
		    'A' + d->irq_pin - 1);
	for (unsigned i = 0; i < PCI_BARS; i++) {
		const pci_bar_t *b = &d->bars[i];
		if (b->kind == PCI_BAR_NONE || b->kind == PCI_BAR_UPPER)
			continue;
		n += snprintf(line + n, sizeof(line) - (size_t) n, " bar%u %s %#llx+%#llx%s", i,
		    dm_bar_names[b->kind], (unsigned long long) b->base,
		    (unsigned long long) b->size, b->prefetchable ? " pf" : "");
	}
	printf("%s\n", line);
}

/* The capabilities of @a d's driver: each BAR's range, then the IRQ line;
 * its command line says which handle is which.  EPERM if a window we hold
 * does not cover one. */
typedef struct dm_grant {
	cap_handle_t caps[PCI_BARS + 1];
	size_t n;
	char args[160];
} dm_grant_t;

static void dm_grant_drop(dm_grant_t *g)
{
	for (size_t i = 0; i < g->n; i++)
		cap_drop(g->caps[i]);
	g->n = 0;
}

static errno_t dm_grant_one(dm_grant_t *g, uint32_t kind, uint64_t base, uint64_t size)
{
	cap_handle_t w = dm_window(kind, base, size);
	if (w == CAP_NIL)
		return EPERM;
	errno_t rc = cap_derive(w, base, size, &g->caps[g->n]);
	if (rc == EOK)
		g->n++;
	return rc;
}

static errno_t dm_grant_make(const dm_dev_t *d, dm_grant_t *g)
{
	size_t len = (size_t) snprintf(g->args, sizeof(g->args),
	    "%s%spci=%02x:%02x.%x id=%04x:%04x devman=%s", d->arg0 ? d->arg0 : "",
	    d->arg0 ? " " : "", d->bus, d->dev, d->fn, d->vendor, d->device, dm_name);
	errno_t rc = EOK;
	g->n = 0;
	for (unsigned i = 0; i < PCI_BARS && rc == EOK; i++) {
		const pci_bar_t *b = &d->bars[i];
		if (b->kind == PCI_BAR_KIND_IO) {
			rc = dm_grant_one(g, CAP_KIND_IO_RANGE, b->base, b->size);
		} else if (b->kind == PCI_BAR_KIND_MEM32 || b->kind == PCI_BAR_KIND_MEM64) {
			/* whole pages (a BAR smaller than a page shares it) */
			uint64_t base = b->base & ~(DM_PAGE - 1);
			uint64_t end = (b->base + b->size + DM_PAGE - 1) & ~(DM_PAGE - 1);
			rc = dm_grant_one(g, CAP_KIND_PHYS_RANGE, base, end - base);
		} else {
			continue;
		}
		if (rc == EOK)
			len += (size_t) snprintf(
			    g->args + len, sizeof(g->args) - len, " bar%u=%zu", i, g->n);
	}
	if (rc == EOK && d->irq_pin && d->irq_line < 16) {
		rc = dm_grant_one(g, CAP_KIND_IRQ_RANGE, d->irq_line, 1);
		if (rc == EOK)
			snprintf(
			    g->args + len, sizeof(g->args) - len, " irq=%u:%zu", d->irq_line, g->n);
	}
	if (rc != EOK)
		dm_grant_drop(g);
	return rc;
}

static errno_t dm_start_driver(dm_dev_t *d);

/* @a d's bus mastering is off: tell the kernel its DMA buffers of ended
 * drivers can go (SYS_DMA_QUIESCE with each of its ranges, derived anew
 * as for a driver). */
static void dm_dev_quiesce(dm_dev_t *d)
{
	dm_grant_t g;
	uint64_t pages = 0, n;
	errno_t rc = dm_grant_make(d, &g);
	for (size_t i = 0; rc == EOK && i < g.n; i++) {
		if (dma_quiesce(g.caps[i], &n) == EOK) /* (ENOENT: the IRQ line) */
			pages += n;
	}
	if (rc == EOK)
		dm_grant_drop(&g);
	if (rc != EOK || pages != 0)
		printf("devman: %02x:%02x.%x: quiesced: %llu DMA pages back%s%s\n", d->bus, d->dev,
		    d->fn, (unsigned long long) pages,
		    rc == EOK ? "" : ", cannot: ", rc == EOK ? "" : str_error_name(rc));
}

/* @a d's driver failed: start it again, unless it was restarted
 * DEVMAN_RESTARTS_MAX times within the window already (then give up). */
static void dm_driver_failed(dm_dev_t *d)
{
	const uint64_t window = DEVMAN_RESTART_WINDOW_MS * 1000000ULL;
	uint64_t now = uptime_ns_now();
	unsigned recent = 0;
	lock_acquire(&dm_lock);
	for (unsigned i = 0; i < DEVMAN_RESTARTS_MAX; i++)
		recent += d->restart_ns[i] != 0 && now - d->restart_ns[i] < window;
	bool again = recent < DEVMAN_RESTARTS_MAX;
	if (again) /* over the oldest: outside the window, as recent < MAX */
		d->restart_ns[d->restarts++ % DEVMAN_RESTARTS_MAX] = now;
	d->gave_up = !again;
	unsigned n = d->restarts;
	lock_release(&dm_lock);
	if (!again) {
		printf("devman: %02x:%02x.%x: %s failed again after %u restarts within %u s: "
		       "not restarted (DEVMAN_RESTART starts it)\n",
		    d->bus, d->dev, d->fn, d->module, recent, DEVMAN_RESTART_WINDOW_MS / 1000);
		return;
	}
	printf("devman: %02x:%02x.%x: restarting %s (restart %u; %u of %u within %u s)\n", d->bus,
	    d->dev, d->fn, d->module, n, recent + 1, DEVMAN_RESTARTS_MAX,
	    DEVMAN_RESTART_WINDOW_MS / 1000);
	(void) dm_start_driver(d);
}

static const char *dm_end_name(unsigned reason)
{
	return reason == TASK_EXIT_NORMAL ? "exit" : reason == TASK_EXIT_FAULT ? "fault" : "killed";
}

/* Wait for the driver of @a arg (a dm_dev_t) to end, record how, and
 * restart it if it failed (a fault, or a kill that was not DEVMAN_STOP). */
static int dm_driver_wait(void *arg)
{
	dm_dev_t *d = arg;
	lock_acquire(&dm_lock);
	task_id_t id = d->driver;
	lock_release(&dm_lock);
	task_exit_info_t info = { 0 };
	errno_t rc = task_wait(id, &info);
	/* The driver's DMA buffers are held back by the kernel until we say
	 * the device cannot reach them any more: stop its bus mastering (the
	 * next driver enables it again), then say so. */
	uint16_t cmd = (uint16_t) dm_cfg_read(d, PCI_COMMAND, 2);
	dm_cfg_write(d, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MASTER);
	(void) dm_cfg_read(d, PCI_COMMAND, 2); /* the write has landed */
	dm_dev_quiesce(d);
	lock_acquire(&dm_lock);
	d->driver = 0;
	d->exit_reason = rc == EOK ? info.reason : TASK_EXIT_KILLED;
	d->exit_status = info.status;
	bool failed = rc == EOK &&
	    (info.reason == TASK_EXIT_FAULT || (info.reason == TASK_EXIT_KILLED && !d->stopping));
	d->stopping = false;
	lock_release(&dm_lock);
	printf("devman: %02x:%02x.%x: driver %s (task %llu) ended: %s %d%s%s\n", d->bus, d->dev,
	    d->fn, d->module, (unsigned long long) id, dm_end_name(info.reason), info.status,
	    info.message[0] ? ": " : "", info.message);
	if (failed)
		dm_driver_failed(d);
	return 0;
}

static errno_t dm_start_driver(dm_dev_t *d)
{
	dm_grant_t g;
	task_id_t id = 0;
	errno_t rc = dm_grant_make(d, &g);
	if (rc == EOK) {
		lock_acquire(&dm_lock); /* (the waiter reads d->driver) */
		rc = d->driver != 0 ? EBUSY : task_spawn_caps(d->module, g.args, g.caps, g.n, &id);
		if (rc == EOK) {
			d->driver = id;
			d->starts++;
		}
		lock_release(&dm_lock);
		dm_grant_drop(&g); /* the driver has its own handles */
	}
	tid_t tid;
	if (rc == EOK && thread_create(dm_driver_wait, d, &tid) != EOK)
		printf("devman: cannot watch driver task %llu\n", (unsigned long long) id);
	if (rc == EOK)
		printf("devman: %02x:%02x.%x: started %s (task %llu): %s\n", d->bus, d->dev, d->fn,
		    d->module, (unsigned long long) id, g.args);
	else
		printf("devman: %02x:%02x.%x: cannot start %s: %s\n", d->bus, d->dev, d->fn,
		    d->module, str_error_name(rc));
	return rc;
}

static void dm_match_all(bool start)
{
	for (unsigned i = 0; i < dm_count; i++) {
		dm_dev_t *d = &dm_devs[i];
		for (size_t m = 0; m < sizeof(dm_match) / sizeof(dm_match[0]); m++) {
			if (dm_match[m].vendor == d->vendor && dm_match[m].device == d->device)
				d->module = dm_match[m].module;
		}
		if (dm_extra.module[0] && dm_extra.vendor == d->vendor &&
		    dm_extra.device == d->device) {
			d->module = dm_extra.module;
			d->arg0 = dm_extra.arg0[0] ? dm_extra.arg0 : NULL;
		}
		if (d->module && start)
			(void) dm_start_driver(d);
	}
}

/* The device whose driver is @a sender, or NULL. */
static dm_dev_t *dm_dev_of_driver(task_id_t sender)
{
	dm_dev_t *found = NULL;
	lock_acquire(&dm_lock);
	for (unsigned i = 0; i < dm_count && !found; i++) {
		if (dm_devs[i].driver != 0 && dm_devs[i].driver == sender)
			found = &dm_devs[i];
	}
	lock_release(&dm_lock);
	return found;
}

static bool dm_cfg_args_ok(uint64_t off, uint64_t width)
{
	return (width == 1 || width == 2 || width == 4) && off < PCI_CFG_SIZE && off % width == 0;
}

/* A driver may write its device's configuration except what devman owns. */
static bool dm_cfg_writable(uint64_t off, uint64_t width)
{
	uint64_t end = off + width;
	return !(end > PCI_HEADER_TYPE && off <= PCI_HEADER_TYPE) &&
	    !(end > PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_BARS) && !(end > 0x30 && off < 0x34);
}

static errno_t dm_cfg_request(const ipc_event_t *ev, ipc_msg_t *ans)
{
	dm_dev_t *d = dm_dev_of_driver(ev->sender);
	uint64_t off = ev->msg.arg[0], width = ev->msg.arg[1];
	if (!d)
		return EPERM;
	if (!dm_cfg_args_ok(off, width))
		return EINVAL;
	if (ev->msg.method == DEVMAN_CFG_READ) {
		ans->arg[0] = dm_cfg_read(d, (unsigned) off, (unsigned) width);
		return EOK;
	}
	if (!dm_cfg_writable(off, width))
		return EPERM;
	dm_cfg_write(d, (unsigned) off, (unsigned) width, (uint32_t) ev->msg.arg[2]);
	return EOK;
}

static errno_t dm_device_info(const ipc_event_t *ev, ipc_msg_t *ans)
{
	uint64_t i = ev->msg.arg[0];
	if (i >= dm_count)
		return ENOENT;
	dm_dev_t *d = &dm_devs[i];
	if (ev->msg.method == DEVMAN_DRIVER) {
		lock_acquire(&dm_lock);
		*ans = IPC_MSG(0, d->driver, d->starts, d->exit_reason,
		    (uint64_t) (int64_t) d->exit_status,
		    d->restarts | (d->gave_up ? DEVMAN_DRIVER_GAVE_UP : 0));
		lock_release(&dm_lock);
		return EOK;
	}
	if (ev->msg.method == DEVMAN_BAR) {
		uint64_t b = ev->msg.arg[1];
		if (b >= PCI_BARS)
			return ENOENT;
		const pci_bar_t *bar = &d->bars[b];
		*ans = IPC_MSG(0, bar->kind, bar->base, bar->size, bar->prefetchable);
		return EOK;
	}
	lock_acquire(&dm_lock);
	task_id_t driver = d->driver;
	lock_release(&dm_lock);
	uint64_t name = 0;
	if (d->module)
		memcpy(&name, d->module, strlen(d->module) < 8 ? strlen(d->module) : 8);
	*ans = IPC_MSG(0, (uint64_t) d->bus << 8 | (uint64_t) d->dev << 3 | d->fn,
	    d->vendor | (uint64_t) d->device << 16 | (uint64_t) d->class << 32 |
	        (uint64_t) d->subclass << 40 | (uint64_t) d->progif << 48,
	    d->irq_line | (uint64_t) d->irq_pin << 8, driver, name);
	return EOK;
}

static bool dm_is_manager(uint64_t conn)
{
	bool found = false;
	lock_acquire(&dm_lock);
	for (size_t i = 0; i < DM_MANAGERS_MAX && !found; i++)
		found = conn != 0 && dm_managers[i] == conn;
	lock_release(&dm_lock);
	return found;
}

/* IPC_M_CAP_GIVE: a capability covering the PCI configuration ports makes
 * this connection a manager's.  We keep no handle either way. */
static errno_t dm_manager_auth(const ipc_event_t *ev)
{
	cap_handle_t h = (cap_handle_t) ev->msg.arg[0];
	cap_info_t ci;
	errno_t rc = cap_info(h, &ci) == EOK && ci.kind == CAP_KIND_IO_RANGE &&
	        ci.base <= PCI_CFG_ADDR_PORT && ci.base + ci.size >= PCI_CFG_ADDR_PORT + 8
	    ? EOK
	    : EPERM;
	if (rc == EOK) {
		rc = ELIMIT;
		lock_acquire(&dm_lock);
		for (size_t i = 0; i < DM_MANAGERS_MAX && rc != EOK; i++) {
			if (dm_managers[i] == 0 || dm_managers[i] == ev->conn) {
				dm_managers[i] = ev->conn;
				rc = EOK;
			}
		}
		lock_release(&dm_lock);
	}
	(void) cap_drop(h);
	return rc;
}

/* DEVMAN_STOP: kill device @a i's driver (our child); the waiting thread
 * sees it end. */
static errno_t dm_stop_driver(const ipc_event_t *ev)
{
	if (!dm_is_manager(ev->conn))
		return EPERM;
	if (ev->msg.arg[0] >= dm_count)
		return ENOENT;
	lock_acquire(&dm_lock);
	dm_dev_t *d = &dm_devs[ev->msg.arg[0]];
	task_id_t driver = d->driver;
	d->stopping = driver != 0; /* its waiter must not restart it */
	lock_release(&dm_lock);
	if (driver == 0)
		return ENOENT;
	errno_t rc = task_kill(driver);
	return rc == ENOENT ? EOK : rc; /* ended meanwhile */
}

/* DEVMAN_RESTART: a new driver, and the failures counted are forgotten. */
static errno_t dm_restart_request(uint64_t i)
{
	if (i >= dm_count || !dm_devs[i].module)
		return ENOENT;
	dm_dev_t *d = &dm_devs[i];
	lock_acquire(&dm_lock);
	bool idle = d->driver == 0;
	if (idle) {
		d->gave_up = false;
		memset(d->restart_ns, 0, sizeof(d->restart_ns));
	}
	lock_release(&dm_lock);
	return idle ? dm_start_driver(d) : EBUSY;
}

static void dm_handle(ipc_event_t *ev)
{
	ipc_msg_t ans = { 0 };
	errno_t rc;
	if (ev->kind == IPC_EV_HANGUP) {
		lock_acquire(&dm_lock); /* a manager's connection went */
		for (size_t i = 0; i < DM_MANAGERS_MAX; i++)
			dm_managers[i] = dm_managers[i] == ev->conn ? 0 : dm_managers[i];
		lock_release(&dm_lock);
	}
	if (ev->kind != IPC_EV_CALL)
		return;
	switch (ev->msg.method) {
	case IPC_M_CONNECT_ME_TO:
		lock_acquire(&dm_lock);
		uint64_t badge = dm_badge_next++;
		lock_release(&dm_lock);
		ipc_connect_accept(ev, badge);
		return;
	case IPC_M_CAP_GIVE:
		rc = dm_manager_auth(ev);
		break;
	case DEVMAN_STOP:
		rc = dm_stop_driver(ev);
		break;
	case DEVMAN_COUNT:
		ans.arg[0] = dm_count;
		rc = EOK;
		break;
	case DEVMAN_DEVICE:
	case DEVMAN_BAR:
	case DEVMAN_DRIVER:
		rc = dm_device_info(ev, &ans);
		break;
	case DEVMAN_CFG_READ:
	case DEVMAN_CFG_WRITE:
		rc = dm_cfg_request(ev, &ans);
		break;
	case DEVMAN_RESTART:
		rc = dm_restart_request(ev->msg.arg[0]);
		break;
	case DEVMAN_QUIT:
		if (dm_test_mode) {
			ipc_answer(ev->call, EOK, NULL);
			task_exit(0);
		}
		rc = ENOTSUP;
		break;
	default:
		rc = ENOTSUP;
		break;
	}
	ipc_answer(ev->call, rc, &ans);
}

/* "match=VVVV:DDDD:MODULE[:ARG0]" */
static void dm_match_arg(char *spec)
{
	char *p = spec;
	unsigned long v = strtoul(p, &p, 16);
	unsigned long dev = *p == ':' ? strtoul(p + 1, &p, 16) : 0;
	if (*p != ':' || v > 0xffff || dev > 0xffff)
		return;
	char *module = p + 1, *arg0 = strchr(module, ':');
	if (arg0)
		*arg0++ = '\0';
	dm_extra.vendor = (uint16_t) v;
	dm_extra.device = (uint16_t) dev;
	snprintf(dm_extra.module, sizeof(dm_extra.module), "%s", module);
	snprintf(dm_extra.arg0, sizeof(dm_extra.arg0), "%s", arg0 ? arg0 : "");
}

int main(int argc, char **argv)
{
	bool drivers = true;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "name=", 5) == 0)
			dm_name = argv[i] + 5;
		else if (strcmp(argv[i], "nodrivers") == 0)
			drivers = false;
		else if (strcmp(argv[i], "test") == 0)
			dm_test_mode = true;
		else if (strncmp(argv[i], "match=", 6) == 0)
			dm_match_arg(argv[i] + 6);
	}
	dm_caps_find();
	cap_handle_t cfg = dm_window(CAP_KIND_IO_RANGE, PCI_CFG_ADDR_PORT, 8);
	errno_t rc = cfg == CAP_NIL ? ENOENT : ioport_enable(cfg);
	if (rc != EOK) {
		printf("devman: no PCI configuration ports (0xcf8+8): %s\n", str_error_name(rc));
		return 1;
	}
	dm_pci_scan();
	printf("devman: %u PCI functions\n", dm_count);
	for (unsigned i = 0; i < dm_count; i++)
		dm_print(&dm_devs[i]);
	dm_match_all(drivers);
	rc = ns_register(dm_name);
	if (rc != EOK) {
		printf("devman: cannot register \"%s\": %s\n", dm_name, str_error_name(rc));
		return 2;
	}
	rc = ipc_serve(dm_handle, 2);
	printf("devman: serving ended: %s\n", str_error_name(rc));
	return 3;
}
