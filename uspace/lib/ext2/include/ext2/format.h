/*
 * ext2 on-disk structures (revision 1, as Debian 12's mke2fs -t ext2 makes
 * them) and the pure helpers that work on them: where a file block lives in
 * the indirect tree, directory entry packing, bitmap search.
 *
 * Every field is little-endian on disk; the library only builds for
 * little-endian machines (checked below), so the structures are read and
 * written as they are.  Every structure is naturally aligned, so no packing
 * attribute is needed; the sizes are asserted.
 */
#ifndef EXT2_FORMAT_H_
#define EXT2_FORMAT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext2 is little-endian");

#define EXT2_SUPER_OFFSET 1024
#define EXT2_SUPER_SIZE 1024
#define EXT2_MAGIC 0xef53
#define EXT2_DYNAMIC_REV 1

/* s_state */
#define EXT2_STATE_VALID 0x0001
#define EXT2_STATE_ERROR 0x0002

/* Incompatible features: only FILETYPE is implemented. */
#define EXT2_INCOMPAT_COMPRESSION 0x0001
#define EXT2_INCOMPAT_FILETYPE 0x0002
#define EXT2_INCOMPAT_RECOVER 0x0004
#define EXT2_INCOMPAT_JOURNAL_DEV 0x0008
#define EXT2_INCOMPAT_META_BG 0x0010
#define EXT2_INCOMPAT_EXTENTS 0x0040
#define EXT2_INCOMPAT_64BIT 0x0080
#define EXT2_INCOMPAT_MMP 0x0100
#define EXT2_INCOMPAT_FLEX_BG 0x0200
#define EXT2_INCOMPAT_EA_INODE 0x0400
#define EXT2_INCOMPAT_DIRDATA 0x1000
#define EXT2_INCOMPAT_CSUM_SEED 0x2000
#define EXT2_INCOMPAT_LARGEDIR 0x4000
#define EXT2_INCOMPAT_INLINE_DATA 0x8000
#define EXT2_INCOMPAT_ENCRYPT 0x10000
#define EXT2_INCOMPAT_CASEFOLD 0x20000
#define EXT2_INCOMPAT_SUPPORTED EXT2_INCOMPAT_FILETYPE

/* Read-only compatible features: others mount read-only. */
#define EXT2_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_RO_COMPAT_BTREE_DIR 0x0004
#define EXT2_RO_COMPAT_HUGE_FILE 0x0008
#define EXT2_RO_COMPAT_GDT_CSUM 0x0010
#define EXT2_RO_COMPAT_DIR_NLINK 0x0020
#define EXT2_RO_COMPAT_EXTRA_ISIZE 0x0040
#define EXT2_RO_COMPAT_QUOTA 0x0100
#define EXT2_RO_COMPAT_BIGALLOC 0x0200
#define EXT2_RO_COMPAT_METADATA_CSUM 0x0400
#define EXT2_RO_COMPAT_READONLY 0x1000
#define EXT2_RO_COMPAT_PROJECT 0x2000
#define EXT2_RO_COMPAT_SUPPORTED (EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE)

typedef struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint8_t s_rest[EXT2_SUPER_SIZE - 200];
} ext2_super_t;
_Static_assert(sizeof(ext2_super_t) == EXT2_SUPER_SIZE, "superblock size");

typedef struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint32_t bg_reserved[3];
} ext2_group_desc_t;
_Static_assert(sizeof(ext2_group_desc_t) == 32, "group descriptor size");

#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_N_BLOCKS 15

/* The first 128 bytes of every inode; 256-byte inodes add i_extra_isize
 * and the extra time fields after it, which the library leaves alone. */
typedef struct ext2_dinode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks;
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
} ext2_dinode_t;
_Static_assert(sizeof(ext2_dinode_t) == 128, "inode size");

#define EXT2_GOOD_OLD_INODE_SIZE 128
/* The i_extra_isize mke2fs writes into 256-byte inodes. */
#define EXT2_EXTRA_ISIZE 32

#define EXT2_BAD_INO 1
#define EXT2_ROOT_INO 2

/* i_flags */
#define EXT2_INDEX_FL 0x00001000

/* i_mode's type bits (as POSIX's S_IF*). */
#define EXT2_S_IFMT 0xf000
#define EXT2_S_IFSOCK 0xc000
#define EXT2_S_IFLNK 0xa000
#define EXT2_S_IFREG 0x8000
#define EXT2_S_IFBLK 0x6000
#define EXT2_S_IFDIR 0x4000
#define EXT2_S_IFCHR 0x2000
#define EXT2_S_IFIFO 0x1000

/* A directory entry's file_type (with the FILETYPE feature). */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHRDEV 3
#define EXT2_FT_BLKDEV 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7

#define EXT2_NAME_MAX 255
#define EXT2_LINK_MAX 32000
/* A symlink target this short lives in i_block (a fast symlink). */
#define EXT2_FAST_SYMLINK_MAX (sizeof(((ext2_dinode_t *) 0)->i_block) - 1)

/* The extended attribute block header's magic (i_file_acl). */
#define EXT2_XATTR_MAGIC 0xea020000

typedef struct ext2_dirent_hdr {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;
} ext2_dirent_hdr_t;
_Static_assert(sizeof(ext2_dirent_hdr_t) == 8, "directory entry header size");

/* The bytes a directory entry with a name of @a name_len takes. */
static inline uint32_t ext2_dirent_size(uint32_t name_len)
{
	return (8 + name_len + 3) & ~3u;
}

/*
 * Where logical block @a lblk of a file lives: depth 0 is a direct block
 * (idx[0] is the i_block slot), depth 1..3 go through the single, double or
 * triple indirect block, idx[0..depth-1] being the entry at each level from
 * the top.  @a ptrs is the number of block numbers in one block.  Returns
 * false if @a lblk is beyond the triple indirect tree.
 */
bool ext2_bmap_path(uint32_t ptrs, uint64_t lblk, unsigned *depth, uint32_t idx[3]);

/* The number of file blocks the tree of a file can address. */
uint64_t ext2_bmap_limit(uint32_t ptrs);

/*
 * Directory blocks.  A block is valid when its entries tile it exactly:
 * every rec_len is at least 8 (12 for a live entry's smallest name), a
 * multiple of 4, holds its name, and does not cross the block's end.
 */
bool ext2_dirblock_valid(const uint8_t *blk, uint32_t bs);
/* A fresh directory block: one unused entry spanning it. */
void ext2_dirblock_init(uint8_t *blk, uint32_t bs);
/*
 * The offset of an entry with room for a new entry of @a need bytes (an
 * unused one at least that long, or a live one with that much slack after
 * its name), or -1.
 */
int32_t ext2_dirblock_find_room(const uint8_t *blk, uint32_t bs, uint32_t need);
/* Put a new entry into the room ext2_dirblock_find_room() found at @a off. */
void ext2_dirblock_insert(
    uint8_t *blk, uint32_t off, uint32_t ino, const char *name, uint8_t name_len, uint8_t type);
/* Remove the entry at @a off whose predecessor in the block is at @a prev
 * (-1 when it is the first): the predecessor absorbs it, or it becomes unused. */
void ext2_dirblock_remove(uint8_t *blk, uint32_t off, int32_t prev);

/*
 * The first clear bit of @a bm at or after @a start and below @a nbits,
 * else the first clear one below @a start; @a nbits when every bit is set.
 */
uint32_t ext2_bitmap_find_zero(const uint8_t *bm, uint32_t nbits, uint32_t start);

static inline bool ext2_bitmap_test(const uint8_t *bm, uint32_t bit)
{
	return (bm[bit / 8] >> (bit % 8)) & 1;
}

static inline void ext2_bitmap_set(uint8_t *bm, uint32_t bit)
{
	bm[bit / 8] |= (uint8_t) (1u << (bit % 8));
}

static inline void ext2_bitmap_clear(uint8_t *bm, uint32_t bit)
{
	bm[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

#endif
