/*
 * The device manager's protocol (uspace/srv/devman; docs/drivers.md, "PCI
 * and devman").  devman registers with ns as DEVMAN_NAME.  Methods (all
 * synchronous requests; ENOENT for an index it does not have):
 *
 *  DEVMAN_COUNT                  -> arg0 the number of PCI functions found
 *  DEVMAN_DEVICE  arg0 index     -> arg0 bus << 8 | device << 3 | function,
 *                                   arg1 vendor | device << 16 | class << 32 |
 *                                        subclass << 40 | prog-if << 48,
 *                                   arg2 interrupt line | pin << 8 (line
 *                                        0xff: none routed),
 *                                   arg3 the driver task serving it (0: none),
 *                                   arg4 the match table's driver module name
 *                                        (up to 8 bytes, NUL-padded; 0: none)
 *  DEVMAN_BAR     arg0 index,    -> arg0 pci_bar_kind_t (lib/pci), arg1 base,
 *                 arg1 BAR 0..5     arg2 size, arg3 1 if prefetchable
 *  DEVMAN_CFG_READ  arg0 offset, -> arg0 the value: the configuration space
 *                 arg1 width (1, 2, 4)  of the device the caller is the
 *                                   driver of (EPERM for anyone else)
 *  DEVMAN_CFG_WRITE arg0 offset, arg1 width, arg2 value: the same; the
 *                 BARs, the expansion ROM and the header type are
 *                 devman's (EPERM)
 *  DEVMAN_DRIVER  arg0 index     -> arg0 the driver task now (0: none),
 *                                   arg1 how many times one was started,
 *                                   arg2 the last one's task_exit_info_t
 *                                   reason (0: none ended), arg3 its status,
 *                                   arg4 how many times devman restarted it
 *                                   by itself (bits 31-0), and
 *                                   DEVMAN_DRIVER_GAVE_UP once it stopped
 *                                   doing so
 *  DEVMAN_RESTART arg0 index     start the device's driver again (after it
 *                                   ended): EBUSY while one runs, ENOENT if
 *                                   no driver matches the device; it also
 *                                   forgets the failures counted below
 *  DEVMAN_STOP    arg0 index     end the device's driver now (devman kills
 *                                   its child; its clients get EHANGUP, the
 *                                   kernel frees what it held): only on a
 *                                   connection that has shown devman a
 *                                   capability for the PCI configuration
 *                                   ports (IPC_M_CAP_GIVE of an I/O range
 *                                   covering 0xcf8-0xcff: EOK; any other
 *                                   handle: EPERM), else EPERM; ENOENT if no
 *                                   driver runs
 *  DEVMAN_QUIT                   a devman started with "test" ends
 *
 * A driver that fails (ends by a fault, TASK_EXIT_FAULT, or is killed for
 * any reason but DEVMAN_STOP) is started again by devman at once, each
 * restart logged, at most DEVMAN_RESTARTS_MAX times within
 * DEVMAN_RESTART_WINDOW_MS; a failure beyond that is logged and the
 * device stays without a driver (DEVMAN_DRIVER says so) until a
 * DEVMAN_RESTART.  A driver that exits by itself is not restarted.
 *
 * Who may manage devices: a task holding the PCI configuration ports could
 * reprogram every device anyway, so holding them is the right to stop a
 * driver; looking and restarting an ended driver are open to all.
 *
 * A driver devman starts finds its resources at handles 1..n: one range
 * capability per implemented BAR, in BAR order (an I/O range of its ports,
 * or a physical range of the whole pages it lies in), then the IRQ line (a
 * range of one line) if one is routed; its command line says which is
 * which, and how to reach devman:
 *   "pci=BB:DD.F id=VVVV:DDDD devman=NAME barN=H ... irq=LINE:H"
 */
#ifndef ABI_DEVMAN_H_
#define ABI_DEVMAN_H_

#include <abi/ipc.h>

#define DEVMAN_NAME "devman"

enum {
	DEVMAN_COUNT = IPC_M_FIRST_USER,
	DEVMAN_DEVICE,
	DEVMAN_BAR,
	DEVMAN_CFG_READ,
	DEVMAN_CFG_WRITE,
	DEVMAN_DRIVER,
	DEVMAN_RESTART,
	DEVMAN_QUIT,
	DEVMAN_STOP,
};

#define DEVMAN_RESTARTS_MAX 3 /* restarts of a failing driver ... */
#define DEVMAN_RESTART_WINDOW_MS 60000 /* ... within this long */
#define DEVMAN_DRIVER_GAVE_UP (1ULL << 32) /* DEVMAN_DRIVER arg4 */

#endif
