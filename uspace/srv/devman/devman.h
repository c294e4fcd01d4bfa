/*
 * devman's private state: the PCI functions found, and how it reaches
 * their configuration space (mechanism 1 through its granted ports).
 */
#ifndef DEVMAN_DEVMAN_H_
#define DEVMAN_DEVMAN_H_

#include <abi/cap.h>
#include <abi/devman.h>
#include <abi/task.h>
#include <pci/pci.h>
#include <stdbool.h>
#include <stdint.h>

#define DM_DEVICES_MAX 64

typedef struct dm_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class, subclass, progif, header;
	uint8_t irq_line, irq_pin;
	pci_bar_t bars[PCI_BARS];
	const char *module; /* the match table's driver, or NULL */
	const char *arg0; /* words put before the driver's arguments, or NULL */
	/* dm_lock: */
	task_id_t driver; /* the task serving it (0: none) */
	unsigned starts; /* drivers started for it */
	unsigned exit_reason; /* the last driver's end (0: none ended) */
	int exit_status;
	bool stopping; /* DEVMAN_STOP is killing the driver: no restart */
	unsigned restarts; /* automatic restarts (abi/devman.h) */
	uint64_t restart_ns[DEVMAN_RESTARTS_MAX]; /* when; by restarts % MAX */
	bool gave_up; /* failed too often: not restarted until DEVMAN_RESTART */
} dm_dev_t;

extern dm_dev_t dm_devs[DM_DEVICES_MAX];
extern unsigned dm_count;

/* Configuration space of @a d (locked: one access at a time). */
uint32_t dm_cfg_read(const dm_dev_t *d, unsigned offset, unsigned width);
void dm_cfg_write(const dm_dev_t *d, unsigned offset, unsigned width, uint32_t value);
/* Every bus, device and function: fills dm_devs (BARs sized). */
void dm_pci_scan(void);

#endif
