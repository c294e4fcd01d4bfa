/*
 * The block protocol's client library (abi/block.h is the contract;
 * docs/drivers.md "The block protocol" the guide).
 *
 *   block_t disk;
 *   block_open("disk0", 256 * 1024, &disk);     connect, share the buffer, info
 *   memcpy(disk.buf, data, 4096);
 *   block_write(&disk, lba, 4096 / disk.block_size, 0);
 *   block_read(&disk, lba, 8, 64 * 1024);        into disk.buf + 64 KiB
 *   block_flush(&disk);
 *   block_close(&disk);
 *
 * Several threads may make requests on one block_t at once (each on its
 * own part of the buffer): the driver keeps several in flight.
 *
 * block_req_check() is the request checking both sides use: the driver
 * before it touches the device, the library to refuse early.
 */
#ifndef BLOCK_BLOCK_H_
#define BLOCK_BLOCK_H_

#include <abi/block.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

/* What a disk is, as BLOCK_INFO tells it. */
typedef struct block_geom {
	uint32_t block_size; /* bytes, a power of two >= 512 */
	uint64_t blocks;
	unsigned flags; /* BLOCK_F_* */
	size_t xfer_max; /* bytes per request at most */
} block_geom_t;

/* One connection to a disk. */
typedef struct block {
	cap_handle_t phone;
	block_geom_t geom;
	uint8_t *buf; /* the shared buffer (the driver's DMA memory) */
	size_t buf_size;
} block_t;

errno_t block_req_check(const block_geom_t *geom, uint64_t method, uint64_t first, uint64_t count,
    uint64_t offset, size_t buf_size);

errno_t block_open(const char *name, size_t buf_size, block_t *b);
errno_t block_info(block_t *b, block_geom_t *geom);
errno_t block_read(block_t *b, uint64_t first, uint64_t count, size_t offset);
errno_t block_write(block_t *b, uint64_t first, uint64_t count, size_t offset);
errno_t block_flush(block_t *b);
void block_close(block_t *b);

#endif
