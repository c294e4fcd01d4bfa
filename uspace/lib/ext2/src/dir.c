/*
 * lib/ext2: directories as linear lists of entries in blocks.  A directory
 * carrying the hash-index flag is read the same way (its index blocks look
 * like unused entries spanning a block, as ext2 intends); the flag is
 * cleared when the directory changes, since the index is not kept up.
 */
#include "internal.h"

static uint64_t dir_nblocks(ext2_fs_t *fs, const ext2_inode_t *dir)
{
	return (ext2_inode_size(dir) + fs->bs - 1) / fs->bs;
}

/* Directory block @a lblk of @a dir, pinned and checked. */
static errno_t dir_block_get(ext2_fs_t *fs, ext2_inode_t *dir, uint64_t lblk, ext2_buf_t **out)
{
	uint32_t blk;
	bool fresh;
	errno_t rc;

	rc = ext2_bmap(fs, dir, lblk, false, &blk, &fresh);
	if (rc != EOK)
		return rc;
	if (blk == 0)
		return EIO; /* a directory has no holes */
	rc = ext2_cache_get(&fs->cache, blk, false, out);
	if (rc != EOK)
		return rc;
	if ((*out)->dir_checked) /* checked, and not changed since */
		return EOK;
	if (!ext2_dirblock_valid((*out)->data, fs->bs)) {
		ext2_cache_put(&fs->cache, *out);
		return EIO;
	}
	(*out)->dir_checked = true;
	return EOK;
}

static ext2_dirent_hdr_t dirent_hdr(const ext2_buf_t *b, uint32_t off)
{
	ext2_dirent_hdr_t h;

	__builtin_memcpy(&h, b->data + off, sizeof(h)); /* one load */
	return h;
}

void ext2_dir_unindex(ext2_inode_t *dir)
{
	dir->d.i_flags &= ~(uint32_t) EXT2_INDEX_FL;
}

/* A changed directory: times, no index, stored. */
static errno_t dir_touch(ext2_fs_t *fs, ext2_inode_t *dir)
{
	dir->d.i_mtime = dir->d.i_ctime = ext2_now(fs);
	ext2_dir_unindex(dir);
	return ext2_inode_store(fs, dir);
}

/* The @a len bytes of an entry's name at @a p are @a name: the last and
 * the first byte compared first, which tells apart most names of one
 * length without a call (numbered names differ at the end).  (A live
 * entry's name is never empty: ext2_dirblock_valid.) */
static bool dir_name_is(const uint8_t *p, const char *name, size_t len)
{
	return len > 0 && p[len - 1] == (uint8_t) name[len - 1] && p[0] == (uint8_t) name[0] &&
	    memcmp(p, name, len) == 0;
}

errno_t ext2_dir_find(
    ext2_fs_t *fs, ext2_inode_t *dir, const char *name, size_t len, ext2_dirloc_t *loc)
{
	uint64_t n = dir_nblocks(fs, dir);
	ext2_buf_t *b;
	errno_t rc;

	for (uint64_t lblk = 0; lblk < n; lblk++) {
		int32_t prev = -1;
		rc = dir_block_get(fs, dir, lblk, &b);
		if (rc != EOK)
			return rc;
		for (uint32_t off = 0; off < fs->bs;) {
			ext2_dirent_hdr_t h = dirent_hdr(b, off);
			if (h.inode != 0 && h.name_len == len &&
			    dir_name_is(b->data + off + sizeof(h), name, len)) {
				loc->lblk = lblk;
				loc->off = off;
				loc->prev = prev;
				loc->ino = h.inode;
				loc->type = h.file_type;
				ext2_cache_put(&fs->cache, b);
				return EOK;
			}
			prev = (int32_t) off;
			off += h.rec_len;
		}
		ext2_cache_put(&fs->cache, b);
	}
	return ENOENT;
}

static uint8_t dir_ft(ext2_fs_t *fs, uint8_t type)
{
	return (fs->sb.s_feature_incompat & EXT2_INCOMPAT_FILETYPE) ? type : 0;
}

/* Add the entry in a new block at the end of @a dir. */
static errno_t dir_add_block(
    ext2_fs_t *fs, ext2_inode_t *dir, const char *name, size_t len, uint32_t ino, uint8_t type)
{
	uint64_t lblk = dir_nblocks(fs, dir);
	uint32_t blk;
	ext2_buf_t *b;
	bool fresh;
	errno_t rc;

	if ((lblk + 1) * fs->bs > UINT32_MAX)
		return EFBIG;
	rc = ext2_bmap(fs, dir, lblk, true, &blk, &fresh);
	if (rc != EOK)
		return rc;
	rc = ext2_cache_get(&fs->cache, blk, true, &b);
	if (rc != EOK)
		return rc;
	ext2_dirblock_init(b->data, fs->bs);
	ext2_dirblock_insert(b->data, 0, ino, name, (uint8_t) len, dir_ft(fs, type));
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	ext2_inode_set_size(fs, dir, (lblk + 1) * fs->bs);
	return dir_touch(fs, dir);
}

errno_t ext2_dir_add(
    ext2_fs_t *fs, ext2_inode_t *dir, const char *name, size_t len, uint32_t ino, uint8_t type)
{
	uint64_t n = dir_nblocks(fs, dir);
	uint32_t need = ext2_dirent_size((uint32_t) len);
	ext2_buf_t *b;
	errno_t rc;

	for (uint64_t lblk = 0; lblk < n; lblk++) {
		rc = dir_block_get(fs, dir, lblk, &b);
		if (rc != EOK)
			return rc;
		int32_t off = ext2_dirblock_find_room(b->data, fs->bs, need);
		if (off >= 0) {
			ext2_dirblock_insert(
			    b->data, (uint32_t) off, ino, name, (uint8_t) len, dir_ft(fs, type));
			ext2_cache_dirty(&fs->cache, b);
			ext2_cache_put(&fs->cache, b);
			return dir_touch(fs, dir);
		}
		ext2_cache_put(&fs->cache, b);
	}
	return dir_add_block(fs, dir, name, len, ino, type);
}

errno_t ext2_dir_remove(ext2_fs_t *fs, ext2_inode_t *dir, const ext2_dirloc_t *loc)
{
	ext2_buf_t *b;
	errno_t rc;

	rc = dir_block_get(fs, dir, loc->lblk, &b);
	if (rc != EOK)
		return rc;
	ext2_dirblock_remove(b->data, loc->off, loc->prev);
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return dir_touch(fs, dir);
}

errno_t ext2_dir_retarget(
    ext2_fs_t *fs, ext2_inode_t *dir, const ext2_dirloc_t *loc, uint32_t ino, uint8_t type)
{
	ext2_buf_t *b;
	errno_t rc;

	rc = dir_block_get(fs, dir, loc->lblk, &b);
	if (rc != EOK)
		return rc;
	ext2_dirent_hdr_t h = dirent_hdr(b, loc->off);
	h.inode = ino;
	h.file_type = dir_ft(fs, type);
	memcpy(b->data + loc->off, &h, sizeof(h));
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	return dir_touch(fs, dir);
}

static bool dirent_is_dot(const ext2_buf_t *b, uint32_t off, ext2_dirent_hdr_t h)
{
	const char *name = (const char *) b->data + off + sizeof(h);

	return (h.name_len == 1 && name[0] == '.') ||
	    (h.name_len == 2 && name[0] == '.' && name[1] == '.');
}

errno_t ext2_dir_empty(ext2_fs_t *fs, ext2_inode_t *dir, bool *empty)
{
	uint64_t n = dir_nblocks(fs, dir);
	ext2_buf_t *b;
	errno_t rc;

	*empty = true;
	for (uint64_t lblk = 0; lblk < n && *empty; lblk++) {
		rc = dir_block_get(fs, dir, lblk, &b);
		if (rc != EOK)
			return rc;
		for (uint32_t off = 0; off < fs->bs;) {
			ext2_dirent_hdr_t h = dirent_hdr(b, off);
			if (h.inode != 0 && !dirent_is_dot(b, off, h))
				*empty = false;
			off += h.rec_len;
		}
		ext2_cache_put(&fs->cache, b);
	}
	return EOK;
}

errno_t ext2_dir_init(ext2_fs_t *fs, ext2_inode_t *dir, uint32_t parent)
{
	uint32_t blk;
	ext2_buf_t *b;
	bool fresh;
	errno_t rc;

	rc = ext2_bmap(fs, dir, 0, true, &blk, &fresh);
	if (rc != EOK)
		return rc;
	rc = ext2_cache_get(&fs->cache, blk, true, &b);
	if (rc != EOK)
		return rc;
	ext2_dirblock_init(b->data, fs->bs);
	ext2_dirblock_insert(b->data, 0, dir->ino, ".", 1, dir_ft(fs, EXT2_FT_DIR));
	ext2_dirblock_insert(b->data, 0, parent, "..", 2, dir_ft(fs, EXT2_FT_DIR));
	ext2_cache_dirty(&fs->cache, b);
	ext2_cache_put(&fs->cache, b);
	ext2_inode_set_size(fs, dir, fs->bs);
	return EOK;
}

/* The first live entry of block @a b at or after offset @a from; bs if none. */
static uint32_t dirblock_next_live(ext2_fs_t *fs, const ext2_buf_t *b, uint32_t from)
{
	uint32_t off = 0;

	while (off < fs->bs) {
		ext2_dirent_hdr_t h = dirent_hdr(b, off);
		if (off >= from && h.inode != 0)
			return off;
		off += h.rec_len;
	}
	return fs->bs;
}

errno_t ext2_dir_read(ext2_fs_t *fs, ext2_inode_t *dir, uint64_t *pos, ext2_dirent_t *ent)
{
	uint64_t n = dir_nblocks(fs, dir);
	ext2_buf_t *b;
	errno_t rc;

	for (uint64_t lblk = *pos / fs->bs; lblk < n; lblk++) {
		uint32_t from = lblk == *pos / fs->bs ? (uint32_t) (*pos % fs->bs) : 0;
		rc = dir_block_get(fs, dir, lblk, &b);
		if (rc != EOK)
			return rc;
		uint32_t off = dirblock_next_live(fs, b, from);
		if (off < fs->bs) {
			ext2_dirent_hdr_t h = dirent_hdr(b, off);
			ent->ino = h.inode;
			ent->type = h.file_type;
			ent->name_len = h.name_len;
			memcpy(ent->name, b->data + off + sizeof(h), h.name_len);
			ent->name[h.name_len] = '\0';
			*pos = lblk * fs->bs + off + h.rec_len;
			ext2_cache_put(&fs->cache, b);
			return EOK;
		}
		ext2_cache_put(&fs->cache, b);
	}
	*pos = n * fs->bs;
	return ENOENT;
}
