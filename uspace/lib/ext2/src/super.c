/*
 * lib/ext2: mounting (checking the superblock and its features, reading
 * the group descriptors), syncing and unmounting.  Nothing is written to a
 * volume before every check has passed; a read-only mount never writes.
 */
#include "internal.h"

typedef struct feature_name {
	uint32_t bit;
	const char *name;
} feature_name_t;

/* The names e2fsprogs gives the features (mke2fs -O). */
static const feature_name_t incompat_names[] = {
	{ EXT2_INCOMPAT_COMPRESSION, "compression" },
	{ EXT2_INCOMPAT_FILETYPE, "filetype" },
	{ EXT2_INCOMPAT_RECOVER, "needs_recovery" },
	{ EXT2_INCOMPAT_JOURNAL_DEV, "journal_dev" },
	{ EXT2_INCOMPAT_META_BG, "meta_bg" },
	{ EXT2_INCOMPAT_EXTENTS, "extent" },
	{ EXT2_INCOMPAT_64BIT, "64bit" },
	{ EXT2_INCOMPAT_MMP, "mmp" },
	{ EXT2_INCOMPAT_FLEX_BG, "flex_bg" },
	{ EXT2_INCOMPAT_EA_INODE, "ea_inode" },
	{ EXT2_INCOMPAT_DIRDATA, "dirdata" },
	{ EXT2_INCOMPAT_CSUM_SEED, "metadata_csum_seed" },
	{ EXT2_INCOMPAT_LARGEDIR, "large_dir" },
	{ EXT2_INCOMPAT_INLINE_DATA, "inline_data" },
	{ EXT2_INCOMPAT_ENCRYPT, "encrypt" },
	{ EXT2_INCOMPAT_CASEFOLD, "casefold" },
};

static const feature_name_t ro_compat_names[] = {
	{ EXT2_RO_COMPAT_SPARSE_SUPER, "sparse_super" },
	{ EXT2_RO_COMPAT_LARGE_FILE, "large_file" },
	{ EXT2_RO_COMPAT_BTREE_DIR, "btree_dir" },
	{ EXT2_RO_COMPAT_HUGE_FILE, "huge_file" },
	{ EXT2_RO_COMPAT_GDT_CSUM, "uninit_bg" },
	{ EXT2_RO_COMPAT_DIR_NLINK, "dir_nlink" },
	{ EXT2_RO_COMPAT_EXTRA_ISIZE, "extra_isize" },
	{ EXT2_RO_COMPAT_QUOTA, "quota" },
	{ EXT2_RO_COMPAT_BIGALLOC, "bigalloc" },
	{ EXT2_RO_COMPAT_METADATA_CSUM, "metadata_csum" },
	{ EXT2_RO_COMPAT_READONLY, "read-only" },
	{ EXT2_RO_COMPAT_PROJECT, "project" },
};

/* Append @a s to the NUL-terminated @a buf of @a size bytes (truncating). */
static void why_add(char *buf, size_t size, const char *s)
{
	size_t len;

	if (buf == NULL || size == 0)
		return;
	len = strlen(buf);
	while (*s != '\0' && len + 1 < size)
		buf[len++] = *s++;
	buf[len] = '\0';
}

/* Name every bit of @a bits after @a what ("...: extent, flex_bg"). */
static void why_features(
    char *buf, size_t size, const char *what, uint32_t bits, const feature_name_t *names, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	bool first = true;

	why_add(buf, size, what);
	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t mask = (uint32_t) 1 << bit;
		const char *name = NULL;
		char unknown[] = "unknown 0x00000000";
		if (!(bits & mask))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (names[i].bit == mask)
				name = names[i].name;
		}
		if (name == NULL) {
			for (int d = 0; d < 8; d++)
				unknown[17 - d] = hex[(mask >> (4 * d)) & 0xf];
			name = unknown;
		}
		why_add(buf, size, first ? " " : ", ");
		why_add(buf, size, name);
		first = false;
	}
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Whether this library can mount @a sb at all; read-only if *@a rdonly. */
static errno_t super_check(const ext2_super_t *sb, bool *rdonly, char *why, size_t why_size)
{
	uint32_t incompat = sb->s_feature_incompat & ~(uint32_t) EXT2_INCOMPAT_SUPPORTED;
	uint32_t ro = sb->s_feature_ro_compat & ~(uint32_t) EXT2_RO_COMPAT_SUPPORTED;

	if (sb->s_magic != EXT2_MAGIC) {
		why_add(why, why_size, "not an ext2 file system (bad magic)");
		return EINVAL;
	}
	if (sb->s_rev_level != EXT2_DYNAMIC_REV) {
		why_add(why, why_size, "unsupported revision (only revision 1)");
		return ENOTSUP;
	}
	if (incompat != 0) {
		why_features(why, why_size, "unsupported incompatible features:", incompat,
		    incompat_names, COUNT(incompat_names));
		return ENOTSUP;
	}
	if (sb->s_log_block_size > 2) {
		why_add(why, why_size, "unsupported block size (only 1, 2 and 4 KiB)");
		return ENOTSUP;
	}
	if (sb->s_inode_size != 128 && sb->s_inode_size != 256) {
		why_add(why, why_size, "unsupported inode size (only 128 and 256 bytes)");
		return ENOTSUP;
	}
	if (ro != 0) {
		why_features(why, why_size, "read-only: unsupported read-only features:", ro,
		    ro_compat_names, COUNT(ro_compat_names));
		*rdonly = true;
	}
	return EOK;
}

/* The geometry of @a fs from its checked superblock; EINVAL if inconsistent. */
static errno_t super_geometry(ext2_fs_t *fs)
{
	const ext2_super_t *sb = &fs->sb;
	uint64_t tree;

	fs->bs = 1024u << sb->s_log_block_size;
	fs->ptrs = fs->bs / 4;
	fs->sectors_per_block = fs->bs / 512;
	fs->inode_size = sb->s_inode_size;
	fs->ipg = sb->s_inodes_per_group;
	fs->bpg = sb->s_blocks_per_group;
	if (fs->bpg == 0 || fs->bpg > 8 * fs->bs || fs->ipg == 0 || fs->ipg > 8 * fs->bs ||
	    sb->s_first_data_block != (fs->bs == 1024 ? 1u : 0u) ||
	    sb->s_blocks_count <= sb->s_first_data_block)
		return EINVAL;
	fs->groups = (sb->s_blocks_count - sb->s_first_data_block + fs->bpg - 1) / fs->bpg;
	fs->gdt_blocks =
	    (uint32_t) (((uint64_t) fs->groups * sizeof(ext2_group_desc_t) + fs->bs - 1) / fs->bs);
	if ((uint64_t) fs->groups * fs->ipg != sb->s_inodes_count ||
	    sb->s_first_ino <= EXT2_ROOT_INO || sb->s_first_ino >= sb->s_inodes_count ||
	    sb->s_free_blocks_count > sb->s_blocks_count ||
	    sb->s_free_inodes_count > sb->s_inodes_count)
		return EINVAL;
	tree = ext2_bmap_limit(fs->ptrs) * fs->bs;
	/* i_blocks counts 512-byte units in 32 bits. */
	fs->max_size = tree < ((uint64_t) 1 << 41) ? tree : ((uint64_t) 1 << 41) - fs->bs;
	return EOK;
}

static bool gd_valid(const ext2_fs_t *fs, const ext2_group_desc_t *gd)
{
	uint32_t first = fs->sb.s_first_data_block, end = fs->sb.s_blocks_count;
	uint64_t table_blocks = ((uint64_t) fs->ipg * fs->inode_size + fs->bs - 1) / fs->bs;

	return gd->bg_block_bitmap >= first && gd->bg_block_bitmap < end &&
	    gd->bg_inode_bitmap >= first && gd->bg_inode_bitmap < end &&
	    gd->bg_inode_table >= first && gd->bg_inode_table + table_blocks <= end &&
	    gd->bg_free_blocks_count <= fs->bpg && gd->bg_free_inodes_count <= fs->ipg;
}

static errno_t super_load_groups(ext2_fs_t *fs)
{
	size_t bytes = (size_t) fs->groups * sizeof(ext2_group_desc_t);
	ext2_buf_t *b;
	errno_t rc;

	fs->gd = fs->host.alloc(fs->host.ctx, bytes);
	if (fs->gd == NULL)
		return ENOMEM;
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		size_t off = (size_t) i * fs->bs;
		size_t n = bytes - off < fs->bs ? bytes - off : fs->bs;
		rc = ext2_cache_get(&fs->cache, fs->sb.s_first_data_block + 1 + i, false, &b);
		if (rc != EOK)
			return rc;
		memcpy((uint8_t *) fs->gd + off, b->data, n);
		ext2_cache_put(&fs->cache, b);
	}
	for (uint32_t g = 0; g < fs->groups; g++) {
		if (!gd_valid(fs, &fs->gd[g]))
			return EINVAL;
	}
	return EOK;
}

static void fs_free(ext2_fs_t *fs)
{
	ext2_host_t host = fs->host;

	ext2_cache_fini(&fs->cache);
	if (fs->gd != NULL)
		host.free(host.ctx, fs->gd);
	host.free(host.ctx, fs);
}

/* Count the mount and mark the volume in use (not clean). */
static errno_t super_mark_mounted(ext2_fs_t *fs)
{
	errno_t rc;

	fs->mount_state = fs->sb.s_state;
	fs->sb.s_state &= (uint16_t) ~EXT2_STATE_VALID;
	fs->sb.s_mnt_count++;
	fs->sb.s_mtime = ext2_now(fs);
	rc = ext2_super_store(fs);
	if (rc != EOK)
		return rc;
	return ext2_cache_sync(&fs->cache);
}

errno_t ext2_mount(const ext2_host_t *host, uint32_t cache_blocks, unsigned flags, ext2_fs_t **out,
    char *why, size_t why_size)
{
	ext2_super_t sb;
	bool rdonly = (flags & EXT2_MOUNT_RDONLY) != 0;
	ext2_fs_t *fs;
	errno_t rc;

	if (why != NULL && why_size > 0)
		why[0] = '\0';
	if (host->read == NULL || host->write == NULL || host->alloc == NULL ||
	    host->free == NULL || cache_blocks < EXT2_CACHE_MIN)
		return EINVAL;
	rc = host->read(host->ctx, EXT2_SUPER_OFFSET, &sb, sizeof(sb));
	if (rc != EOK)
		return rc;
	rc = super_check(&sb, &rdonly, why, why_size);
	if (rc != EOK)
		return rc;
	fs = host->alloc(host->ctx, sizeof(*fs));
	if (fs == NULL)
		return ENOMEM;
	memset(fs, 0, sizeof(*fs));
	fs->host = *host;
	fs->sb = sb;
	fs->readonly = rdonly;
	rc = super_geometry(fs);
	if (rc == EOK)
		rc = ext2_cache_init(&fs->cache, &fs->host, fs->bs, cache_blocks);
	if (rc == EOK)
		rc = super_load_groups(fs);
	if (rc == EINVAL)
		why_add(why, why_size, "damaged superblock or group descriptors");
	if (rc == EOK && !rdonly)
		rc = super_mark_mounted(fs);
	if (rc != EOK) {
		fs_free(fs);
		return rc;
	}
	*out = fs;
	return EOK;
}

errno_t ext2_sync(ext2_fs_t *fs)
{
	errno_t rc;

	if (fs->readonly)
		return EOK;
	fs->sb.s_wtime = ext2_now(fs);
	rc = ext2_super_store(fs);
	if (rc != EOK)
		return rc;
	return ext2_cache_sync(&fs->cache);
}

errno_t ext2_unmount(ext2_fs_t *fs)
{
	errno_t rc = EOK;

	if (!fs->readonly) {
		/* Write everything first, then the clean state last. */
		rc = ext2_sync(fs);
		if (rc == EOK) {
			fs->sb.s_state = fs->mount_state;
			rc = ext2_sync(fs);
		}
	}
	fs_free(fs);
	return rc;
}

void ext2_info(ext2_fs_t *fs, ext2_info_t *info)
{
	memset(info, 0, sizeof(*info));
	info->block_size = fs->bs;
	info->inode_size = fs->inode_size;
	info->blocks_count = fs->sb.s_blocks_count;
	info->free_blocks = fs->sb.s_free_blocks_count;
	info->inodes_count = fs->sb.s_inodes_count;
	info->free_inodes = fs->sb.s_free_inodes_count;
	info->groups = fs->groups;
	info->readonly = fs->readonly;
	memcpy(info->volume_name, fs->sb.s_volume_name, sizeof(fs->sb.s_volume_name));
}

void ext2_cache_stats(ext2_fs_t *fs, ext2_cache_stats_t *stats)
{
	stats->hits = fs->cache.hits;
	stats->misses = fs->cache.misses;
	stats->writes = fs->cache.writes;
	stats->direct_reads = fs->cache.direct_reads;
	stats->direct_writes = fs->cache.direct_writes;
	stats->blocks = fs->cache.n;
	stats->dirty = fs->cache.dirty;
}
