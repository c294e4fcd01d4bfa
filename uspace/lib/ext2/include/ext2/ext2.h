/*
 * lib/ext2: an ext2 (revision 1) file system over an abstract block device.
 *
 * Pure and freestanding: no system calls, no global state, no allocation
 * but through the host's alloc/free (all of it at mount: the block cache
 * and the group descriptors).  One ext2_fs_t is one mounted volume; its
 * caller serializes all calls on it (the library takes no locks).
 *
 * Files are named by inode number; the library keeps no open-file state.
 * Unlinking the last name of an inode that the host reports busy
 * (host->inode_busy) leaves the inode allocated with no links; the host
 * calls ext2_inode_release() at its last close to free it.  See
 * docs/ext2.md.
 *
 * Errors are the ABI's errno values: ENOENT, ENOTDIR, EISDIR, EEXIST,
 * ENOTEMPTY, ENOSPC, ENAMETOOLONG, EROFS, EINVAL, EMLINK, EFBIG, EXDEV
 * (never: one volume), ENOTSUP (refused features), EIO (device errors and
 * damaged metadata), ENOMEM (the host's allocator at mount), EBUSY (the
 * block cache is too small for an operation).
 */
#ifndef EXT2_EXT2_H_
#define EXT2_EXT2_H_

#include <abi/errno.h>
#include <ext2/format.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ext2_host {
	void *ctx;
	/* Whole device sectors: @a off and @a len are multiples of 512; @a len
	 * at most EXT2_RUN_MAX blocks. */
	errno_t (*read)(void *ctx, uint64_t off, void *buf, size_t len);
	errno_t (*write)(void *ctx, uint64_t off, const void *buf, size_t len);
	/* Make what was written durable (may be NULL). */
	errno_t (*flush)(void *ctx);
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	/* Seconds since the epoch for the inode and superblock times (may be NULL: 0). */
	uint32_t (*now)(void *ctx);
	/* Whether inode @a ino is still open (may be NULL: never). */
	bool (*inode_busy)(void *ctx, uint32_t ino);
} ext2_host_t;

typedef struct ext2_fs ext2_fs_t;

/* ext2_mount() flags */
#define EXT2_MOUNT_RDONLY 0x1

/* The most blocks one device read or write of file data spans. */
#define EXT2_RUN_MAX 64

/* The smallest cache ext2_mount() accepts, in blocks. */
#define EXT2_CACHE_MIN 16

typedef struct ext2_info {
	uint32_t block_size;
	uint32_t inode_size;
	uint32_t blocks_count;
	uint32_t free_blocks;
	uint32_t inodes_count;
	uint32_t free_inodes;
	uint32_t groups;
	bool readonly;
	char volume_name[17];
} ext2_info_t;

typedef struct ext2_stat {
	uint32_t ino;
	uint16_t mode; /* type and permission bits, as POSIX's st_mode */
	uint16_t links;
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	uint64_t blocks; /* 512-byte units, indirect blocks included */
	uint32_t atime;
	uint32_t mtime;
	uint32_t ctime;
	uint32_t blksize;
	uint32_t generation; /* i_generation: a new one each time the number is given out */
} ext2_stat_t;

/*
 * Inode generations.  Each time an inode number is allocated, its
 * i_generation becomes the one after what the freed record held (so a
 * number freed and given to a new file names it with another generation,
 * also across mounts: the record keeps it while free).  The value
 * EXT2_GENERATION_ANY is never given out: a host may use it to mean "any
 * generation".
 */
#define EXT2_GENERATION_ANY 0xffffffffu

typedef struct ext2_dirent {
	uint32_t ino;
	uint8_t type; /* EXT2_FT_* */
	uint8_t name_len;
	char name[EXT2_NAME_MAX + 1]; /* NUL-terminated */
} ext2_dirent_t;

/* What ext2_setattr() changes. */
#define EXT2_ATTR_MODE 0x01 /* permission bits only; the type stays */
#define EXT2_ATTR_UID 0x02
#define EXT2_ATTR_GID 0x04
#define EXT2_ATTR_ATIME 0x08
#define EXT2_ATTR_MTIME 0x10

typedef struct ext2_attr {
	uint16_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t atime;
	uint32_t mtime;
} ext2_attr_t;

typedef struct ext2_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t writes;
	uint64_t direct_reads; /* device requests of file data runs, past the cache */
	uint64_t direct_writes;
	uint32_t blocks;
	uint32_t dirty;
} ext2_cache_stats_t;

/*
 * Mount the volume on @a host with a block cache of @a cache_blocks blocks.
 * A volume this library cannot handle is refused with ENOTSUP (EINVAL for a
 * damaged superblock) and nothing is written to it; an unknown read-only
 * compatible feature mounts it read-only.  @a why (may be NULL) receives
 * the reason for a refusal or a read-only mount, naming the features.
 * A writable mount counts the mount and marks the volume not clean until
 * ext2_unmount().
 */
errno_t ext2_mount(const ext2_host_t *host, uint32_t cache_blocks, unsigned flags, ext2_fs_t **out,
    char *why, size_t why_size);
/* Write everything back, mark the volume clean, flush, free @a fs (also on error). */
errno_t ext2_unmount(ext2_fs_t *fs);
/* Write every dirty block and the superblock, then flush the device. */
errno_t ext2_sync(ext2_fs_t *fs);
void ext2_info(ext2_fs_t *fs, ext2_info_t *info);
void ext2_cache_stats(ext2_fs_t *fs, ext2_cache_stats_t *stats);

errno_t ext2_stat(ext2_fs_t *fs, uint32_t ino, ext2_stat_t *st);
errno_t ext2_setattr(ext2_fs_t *fs, uint32_t ino, const ext2_attr_t *attr, unsigned mask);

/* The inode of @a name in directory @a dir ("." and ".." included). */
errno_t ext2_lookup(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);
/*
 * The entry at or after byte @a *pos of directory @a dir; @a *pos moves
 * past it.  ENOENT at the end.  Start with *pos = 0.
 */
errno_t ext2_readdir(ext2_fs_t *fs, uint32_t dir, uint64_t *pos, ext2_dirent_t *ent);

/* Read up to @a len bytes at @a off (fewer at the end of the file; holes are zeros). */
errno_t ext2_read(ext2_fs_t *fs, uint32_t ino, uint64_t off, void *buf, size_t len, size_t *done);
/*
 * Write @a len bytes at @a off, allocating blocks for holes and growth.
 * When the volume fills up part way, @a *done says how much was written
 * (the size covers it) and the error is ENOSPC.
 */
errno_t ext2_write(
    ext2_fs_t *fs, uint32_t ino, uint64_t off, const void *buf, size_t len, size_t *done);
/*
 * Where the data of regular file @a ino lives, for a host doing its own
 * I/O (a file pager): blks[i] is the device block of file block
 * @a first + i, 0 for a hole.  With @a alloc, holes are filled first:
 * the new blocks' contents on the device are undefined and the caller must
 * write them whole; the size does not change.  The blocks are written back
 * and dropped from the block cache, so the device has their latest
 * contents and the cache none until ext2_read()/ext2_write() touch them
 * again.  On ENOSPC part way, the blocks mapped so far are in blks and
 * *mapped says how many.
 */
errno_t ext2_file_map(ext2_fs_t *fs, uint32_t ino, uint64_t first, uint32_t count, bool alloc,
    uint32_t *blks, uint32_t *mapped);
/* Set the size of regular file @a ino: shrinking frees blocks, growing makes a hole. */
errno_t ext2_truncate(ext2_fs_t *fs, uint32_t ino, uint64_t size);

/* A new regular file (@a mode: permission bits) named @a name in @a dir. */
errno_t ext2_create(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, uint32_t *ino);
errno_t ext2_mkdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, uint32_t *ino);
errno_t ext2_symlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, const char *target,
    size_t target_len, uint32_t uid, uint32_t gid, uint32_t *ino);
/* The target of symlink @a ino: @a *len bytes, NUL-terminated if @a size allows. */
errno_t ext2_readlink(ext2_fs_t *fs, uint32_t ino, char *buf, size_t size, size_t *len);
/* A new name @a name in @a dir for the non-directory @a ino. */
errno_t ext2_link(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);
/* Remove a non-directory's name; the inode goes with its last link (see above). */
errno_t ext2_unlink(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len);
/* Remove an empty directory. */
errno_t ext2_rmdir(ext2_fs_t *fs, uint32_t dir, const char *name, size_t len);
/* POSIX rename(): an existing target of the same kind is replaced. */
errno_t ext2_rename(ext2_fs_t *fs, uint32_t odir, const char *oname, size_t olen, uint32_t ndir,
    const char *nname, size_t nlen);
/* The generation of inode number @a ino's record, live or free
 * (ENOENT: not a number of the volume). */
errno_t ext2_inode_generation(ext2_fs_t *fs, uint32_t ino, uint32_t *gen);
/* The host's last close of @a ino: free it if it has no links left. */
errno_t ext2_inode_release(ext2_fs_t *fs, uint32_t ino);

#endif
