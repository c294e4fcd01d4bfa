/*
 * The block protocol (docs/drivers.md, "The block protocol"): how a client
 * reads, writes and flushes the blocks of a disk served by a driver
 * (registered with ns as disk0, disk1, ...).  uspace/lib/block is the
 * client library.
 *
 * A connection has one data buffer: the client asks for it once with
 * IPC_M_SHARE_IN (arg[0] size, arg[1] AS_AREA_READ | AS_AREA_WRITE); the
 * driver answers with memory of its own that the device can reach (a DMA
 * buffer), of at most BLOCK_BUFFER_MAX bytes, so data moves between the
 * device and the client's view of the buffer with no copy.  A second
 * SHARE_IN on the same connection is EEXIST.  Every READ and WRITE names a
 * place in that buffer.
 *
 * Requests (ev.msg.method; args in arg[0..]):
 *  BLOCK_INFO   -> arg[0] block size (bytes), arg[1] number of blocks,
 *                  arg[2] BLOCK_F_* flags, arg[3] the largest transfer of
 *                  one request (bytes, >= BLOCK_XFER_MIN), arg[4] this
 *                  connection's buffer size (0: none yet)
 *  BLOCK_READ   arg[0] first block, arg[1] blocks, arg[2] buffer offset:
 *                  the blocks into the buffer
 *  BLOCK_WRITE  the same, from the buffer to the disk
 *  BLOCK_FLUSH  everything written before it (answered) is on the medium
 *
 * Checks, in this order, before anything reaches the device (a request
 * that fails one touches nothing):
 *  EPERM   a WRITE to a read-only disk
 *  ENOENT  READ/WRITE on a connection without a buffer
 *  EINVAL  zero blocks; more than the largest transfer; a buffer offset
 *          that is not a multiple of the block size, or a transfer that
 *          does not fit in the buffer
 *  ERANGE  blocks past the end of the disk
 * Device errors: EIO (the device reported an I/O error), ENOTSUP (it
 * refused the request); ENOTSUP for an unknown method.
 *
 * For tests only:
 *  BLOCK_TEST_FAULT  the driver ends at once by a fault of its own (a
 *                  page fault), as a driver bug would end it: its clients'
 *                  requests fail with EHANGUP and devman restarts it
 *                  (abi/devman.h).  Honoured only when the system was
 *                  booted for tests (abi/task.h: TASK_STARTUP_TESTING);
 *                  ENOTSUP otherwise, like an unknown method.
 */
#ifndef ABI_BLOCK_H_
#define ABI_BLOCK_H_

#include <abi/ipc.h>

#define BLOCK_INFO (IPC_M_FIRST_USER + 0)
#define BLOCK_READ (IPC_M_FIRST_USER + 1)
#define BLOCK_WRITE (IPC_M_FIRST_USER + 2)
#define BLOCK_FLUSH (IPC_M_FIRST_USER + 3)
#define BLOCK_TEST_FAULT (IPC_M_FIRST_USER + 99)

/* BLOCK_INFO flags. */
#define BLOCK_F_READONLY 0x1u /* WRITE is EPERM */
#define BLOCK_F_FLUSH 0x2u /* the device has a volatile cache that FLUSH empties */

#define BLOCK_BUFFER_MAX (1024u * 1024u) /* a connection's buffer at most */
#define BLOCK_XFER_MIN (64u * 1024u) /* every driver takes requests this large */

/* The name a disk driver registers: BLOCK_NAME_PREFIX and its number. */
#define BLOCK_NAME_PREFIX "disk"

#endif
