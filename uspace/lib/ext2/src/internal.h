/*
 * lib/ext2 internals shared by its source files.
 *
 * Nothing here is locked: the caller of the public API serializes every
 * call on one ext2_fs_t, and the library has no other state.
 */
#ifndef EXT2_INTERNAL_H_
#define EXT2_INTERNAL_H_

#include <ext2/ext2.h>
#include <stddef.h>
#include <string.h>

/*
 * The block cache: a fixed number of block buffers, found through a hash
 * of chains keyed by block number and recycled least recently used first.
 * A buffer handed out by ext2_cache_get() is pinned until ext2_cache_put();
 * a pinned buffer is never recycled.  Dirty buffers are written back when
 * recycled and by ext2_cache_sync(); only metadata is ever dirty (file
 * data is written at once: data.c ext2_data_put).
 *
 * dir_checked says the buffer's bytes passed ext2_dirblock_valid() and have
 * not changed since, so dir.c need not walk the block again at every
 * use.  Every change of a buffer's bytes ends with ext2_cache_dirty() or
 * ext2_cache_write(), and a buffer filled anew (read, or zeroed) starts
 * unchecked: those clear it.  (A block that is also another file's on a
 * corrupt volume is changed through the same calls, so it is checked
 * again before dir.c walks it.)
 */
typedef struct ext2_buf {
	uint8_t *data;
	uint32_t blk;
	uint32_t pins;
	bool valid;
	bool dirty;
	bool dir_checked; /* see above */
	int32_t hnext; /* next in the hash chain */
	int32_t lprev; /* towards the most recently used */
	int32_t lnext; /* towards the least recently used */
} ext2_buf_t;

typedef struct ext2_cache {
	const ext2_host_t *host;
	uint32_t bs;
	uint32_t n;
	ext2_buf_t *bufs;
	int32_t *hash;
	uint32_t hmask;
	int32_t lru_head; /* most recently used */
	int32_t lru_tail;
	uint32_t dirty;
	uint64_t hits;
	uint64_t misses;
	uint64_t writes;
	uint64_t direct_reads; /* data runs that bypassed the cache (data.c) */
	uint64_t direct_writes;
} ext2_cache_t;

errno_t ext2_cache_init(ext2_cache_t *c, const ext2_host_t *host, uint32_t bs, uint32_t n);
void ext2_cache_fini(ext2_cache_t *c);
/* Block @a blk pinned; read from the device unless @a fresh (then zeroed). */
errno_t ext2_cache_get(ext2_cache_t *c, uint32_t blk, bool fresh, ext2_buf_t **out);
void ext2_cache_put(ext2_cache_t *c, ext2_buf_t *b);
void ext2_cache_dirty(ext2_cache_t *c, ext2_buf_t *b);
/* Write pinned buffer @a b to the device now (it is clean after). */
errno_t ext2_cache_write(ext2_cache_t *c, ext2_buf_t *b);
/* Whether block @a blk is in the cache. */
bool ext2_cache_has(ext2_cache_t *c, uint32_t blk);
/* Drop block @a blk (freed) from the cache, dirty or not, unless pinned. */
void ext2_cache_forget(ext2_cache_t *c, uint32_t blk);
/* Write block @a blk back if dirty and drop it from the cache. */
errno_t ext2_cache_evict(ext2_cache_t *c, uint32_t blk);
/* Write back every dirty buffer and flush the device. */
errno_t ext2_cache_sync(ext2_cache_t *c);

struct ext2_fs {
	ext2_host_t host;
	ext2_cache_t cache;
	ext2_super_t sb;
	ext2_group_desc_t *gd;
	uint32_t groups;
	uint32_t gdt_blocks;
	uint32_t bs;
	uint32_t ptrs; /* block numbers per block */
	uint32_t sectors_per_block;
	uint32_t inode_size;
	uint32_t ipg;
	uint32_t bpg;
	uint64_t max_size;
	uint16_t mount_state; /* s_state at mount, restored at unmount */
	bool readonly;
	bool sb_dirty;
};

/* An inode in memory: its number and its first 128 bytes. */
typedef struct ext2_inode {
	uint32_t ino;
	ext2_dinode_t d;
} ext2_inode_t;

static inline uint32_t ext2_now(ext2_fs_t *fs)
{
	return fs->host.now ? fs->host.now(fs->host.ctx) : 0;
}

static inline uint64_t ext2_inode_size(const ext2_inode_t *in)
{
	uint64_t size = in->d.i_size;
	if ((in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		size |= (uint64_t) in->d.i_size_high << 32;
	return size;
}

static inline bool ext2_inode_is_dir(const ext2_inode_t *in)
{
	return (in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

/* The file type of a directory entry for @a mode. */
uint8_t ext2_mode_to_ft(uint16_t mode);

/* alloc.c: bitmaps and counts */
errno_t ext2_block_alloc(ext2_fs_t *fs, uint32_t goal, uint32_t *blk);
errno_t ext2_block_free(ext2_fs_t *fs, uint32_t blk);
errno_t ext2_ialloc(ext2_fs_t *fs, uint32_t near_ino, bool dir, uint32_t *ino);
errno_t ext2_ifree(ext2_fs_t *fs, uint32_t ino, bool dir);
errno_t ext2_gd_store(ext2_fs_t *fs, uint32_t group);
errno_t ext2_super_store(ext2_fs_t *fs);

/* inode.c: inodes and their block trees */
errno_t ext2_inode_load(ext2_fs_t *fs, uint32_t ino, ext2_inode_t *in);
errno_t ext2_inode_store(ext2_fs_t *fs, const ext2_inode_t *in);
/* The generation after @a gen: never EXT2_GENERATION_ANY. */
static inline uint32_t ext2_generation_next(uint32_t gen)
{
	return gen + 1 == EXT2_GENERATION_ANY ? 0 : gen + 1;
}
/* Zero the on-disk record of a newly allocated inode (its generation the
 * one after what the record had) and fill @a in. */
errno_t ext2_inode_init(
    ext2_fs_t *fs, uint32_t ino, uint16_t mode, uint32_t uid, uint32_t gid, ext2_inode_t *in);
void ext2_inode_set_size(ext2_fs_t *fs, ext2_inode_t *in, uint64_t size);
/*
 * The device block of file block @a lblk of @a in (0: a hole).  With
 * @a alloc, a hole is filled (blocks for it and its indirect blocks
 * allocated, counted in i_blocks; *fresh set) or ENOSPC/EFBIG with nothing
 * changed.  @a in is changed in memory only.
 */
errno_t ext2_bmap(
    ext2_fs_t *fs, ext2_inode_t *in, uint64_t lblk, bool alloc, uint32_t *blk, bool *fresh);
/* Free every block of @a in from file block @a keep on (in memory). */
errno_t ext2_blocks_trim(ext2_fs_t *fs, ext2_inode_t *in, uint64_t keep);
/* Whether @a in is a symlink whose target lives in i_block. */
bool ext2_inode_fast_symlink(const ext2_fs_t *fs, const ext2_inode_t *in);
/* Free @a in's blocks, its attribute block and the inode itself. */
errno_t ext2_inode_destroy(ext2_fs_t *fs, ext2_inode_t *in);

/* ops.c: @a in lost a name (a directory: its only one); free it with
 * its last link unless the host has it open. */
errno_t ext2_inode_unref(ext2_fs_t *fs, ext2_inode_t *in);

/* file.c: checks the calls share */
/* Load a live inode the caller may name (ENOENT for reserved or free ones). */
errno_t ext2_inode_get(ext2_fs_t *fs, uint32_t ino, ext2_inode_t *in);
/* Load directory @a ino (ENOTDIR if it is something else). */
errno_t ext2_dir_get(ext2_fs_t *fs, uint32_t ino, ext2_inode_t *dir);
/* EISDIR for a directory, EINVAL for anything else but a regular file. */
errno_t ext2_inode_check_reg(const ext2_inode_t *in);
/* A name a directory may hold: 1..255 bytes, no '/' and no NUL. */
errno_t ext2_name_check(const char *name, size_t len);

/* data.c: file data */
/*
 * Bytes [@a off, @a off + @a n) of data block @a blk (@a fresh: just
 * allocated, its old contents undefined) become @a src's (NULL: zeros),
 * through the cache and on to the device before it returns; a failed
 * write drops the block from the cache (the device keeps what it had).
 */
errno_t ext2_data_put(
    ext2_fs_t *fs, uint32_t blk, bool fresh, uint32_t off, const void *src, size_t n);

/* dir.c: directories */
typedef struct ext2_dirloc {
	uint64_t lblk;
	uint32_t off;
	int32_t prev;
	uint32_t ino;
	uint8_t type;
} ext2_dirloc_t;

errno_t ext2_dir_find(
    ext2_fs_t *fs, ext2_inode_t *dir, const char *name, size_t len, ext2_dirloc_t *loc);
errno_t ext2_dir_add(
    ext2_fs_t *fs, ext2_inode_t *dir, const char *name, size_t len, uint32_t ino, uint8_t type);
errno_t ext2_dir_remove(ext2_fs_t *fs, ext2_inode_t *dir, const ext2_dirloc_t *loc);
/* Point the entry at @a loc to @a ino (a rename over an existing name). */
errno_t ext2_dir_retarget(
    ext2_fs_t *fs, ext2_inode_t *dir, const ext2_dirloc_t *loc, uint32_t ino, uint8_t type);
/* Whether directory @a dir has entries other than "." and "..". */
errno_t ext2_dir_empty(ext2_fs_t *fs, ext2_inode_t *dir, bool *empty);
/* The next live entry at or after byte *pos (ENOENT at the end). */
errno_t ext2_dir_read(ext2_fs_t *fs, ext2_inode_t *dir, uint64_t *pos, ext2_dirent_t *ent);
/* A new directory's first block: "." and "..". */
errno_t ext2_dir_init(ext2_fs_t *fs, ext2_inode_t *dir, uint32_t parent);
/* Clear the hash-index flag of a directory about to change (in memory). */
void ext2_dir_unindex(ext2_inode_t *dir);

#endif
