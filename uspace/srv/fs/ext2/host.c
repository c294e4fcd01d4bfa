/*
 * The ext2 server's side of lib/ext2 (ext2_host_t): device sectors through
 * lib/block's shared disk buffer, memory from malloc, the time, and which
 * inodes the VFS holds open.  lib/ext2 calls these with ext2srv.lock held.
 */
#include "ext2srv.h"
#include <stdlib.h>
#include <string.h>
#include <sys.h>

/* Move @a len bytes at byte @a off of the disk to or from @a buf, through
 * the disk buffer in pieces the driver takes.  Device errors are EIO. */
static errno_t host_io(ext2srv_t *s, bool write, uint64_t off, uint8_t *buf, size_t len)
{
	block_t *d = &s->disk;
	uint32_t bs = d->geom.block_size;
	size_t chunk = d->buf_size < d->geom.xfer_max ? d->buf_size : d->geom.xfer_max;

	chunk -= chunk % bs;
	if (chunk == 0 || off % bs != 0 || len % bs != 0)
		return EIO;
	while (len > 0) {
		size_t n = len < chunk ? len : chunk;
		errno_t rc;
		if (write) {
			memcpy(d->buf, buf, n);
			rc = block_write(d, off / bs, n / bs, 0);
		} else {
			rc = block_read(d, off / bs, n / bs, 0);
			if (rc == EOK)
				memcpy(buf, d->buf, n);
		}
		if (rc != EOK)
			return EIO;
		off += n;
		buf += n;
		len -= n;
	}
	return EOK;
}

static errno_t host_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return host_io(ctx, false, off, buf, len);
}

static errno_t host_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	return host_io(ctx, true, off, (uint8_t *) buf, len);
}

static errno_t host_flush(void *ctx)
{
	ext2srv_t *s = ctx;

	if (!(s->disk.geom.flags & BLOCK_F_FLUSH))
		return EOK;
	return block_flush(&s->disk) == EOK ? EOK : EIO;
}

static void *host_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void host_free(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

/* No wall clock: the fixed base plus the uptime (ext2srv.h). */
static uint32_t host_now(void *ctx)
{
	(void) ctx;
	return EXT2SRV_TIME_BASE + (uint32_t) (uptime_ns_now() / 1000000000u);
}

static bool host_inode_busy(void *ctx, uint32_t ino)
{
	return ext2srv_node_busy(ctx, ino);
}

void ext2srv_host_init(ext2srv_t *s, ext2_host_t *host)
{
	*host = (ext2_host_t){ .ctx = s,
		.read = host_read,
		.write = host_write,
		.flush = host_flush,
		.alloc = host_alloc,
		.free = host_free,
		.now = host_now,
		.inode_busy = host_inode_busy };
}

/*
 * EXT2SRV_CACHE_BYTES of blocks of the volume's block size, read from its
 * superblock (1024 blocks at 4 KiB); ext2_mount checks the superblock
 * itself, so anything odd here just gives the 4 KiB count.
 */
uint32_t ext2srv_cache_blocks(ext2srv_t *s)
{
	ext2_super_t sb;
	uint32_t bs = 4096;

	if (host_io(s, false, EXT2_SUPER_OFFSET, (uint8_t *) &sb, sizeof(sb)) == EOK &&
	    sb.s_magic == EXT2_MAGIC && sb.s_log_block_size <= 2)
		bs = 1024u << sb.s_log_block_size;
	return EXT2SRV_CACHE_BYTES / bs;
}
