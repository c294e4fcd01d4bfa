/*
 * lib/ext2's pure helpers over on-disk structures (format.h): they touch
 * only the memory they are given.
 */
#include <ext2/format.h>
#include <string.h>

bool ext2_bmap_path(uint32_t ptrs, uint64_t lblk, unsigned *depth, uint32_t idx[3])
{
	uint64_t p = ptrs;

	if (lblk < EXT2_NDIR_BLOCKS) {
		*depth = 0;
		idx[0] = (uint32_t) lblk;
		return true;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < p) {
		*depth = 1;
		idx[0] = (uint32_t) lblk;
		return true;
	}
	lblk -= p;
	if (lblk < p * p) {
		*depth = 2;
		idx[0] = (uint32_t) (lblk / p);
		idx[1] = (uint32_t) (lblk % p);
		return true;
	}
	lblk -= p * p;
	if (lblk < p * p * p) {
		*depth = 3;
		idx[0] = (uint32_t) (lblk / (p * p));
		idx[1] = (uint32_t) (lblk / p % p);
		idx[2] = (uint32_t) (lblk % p);
		return true;
	}
	return false;
}

uint64_t ext2_bmap_limit(uint32_t ptrs)
{
	uint64_t p = ptrs;

	return EXT2_NDIR_BLOCKS + p + p * p + p * p * p;
}

/* The entry header at @a off (__builtin_memcpy: one load, also where the
 * library is built without builtins; an entry may lie at any offset of a
 * block that has not been checked yet). */
static ext2_dirent_hdr_t dirent_at(const uint8_t *blk, uint32_t off)
{
	ext2_dirent_hdr_t h;

	__builtin_memcpy(&h, blk + off, sizeof(h));
	return h;
}

bool ext2_dirblock_valid(const uint8_t *blk, uint32_t bs)
{
	uint32_t off = 0;

	while (off < bs) {
		if (bs - off < 8)
			return false;
		ext2_dirent_hdr_t h = dirent_at(blk, off);
		if (h.rec_len < 8 || h.rec_len % 4 != 0 || h.rec_len > bs - off)
			return false;
		if (h.inode != 0 && (h.name_len == 0 || ext2_dirent_size(h.name_len) > h.rec_len))
			return false;
		off += h.rec_len;
	}
	return true;
}

void ext2_dirblock_init(uint8_t *blk, uint32_t bs)
{
	ext2_dirent_hdr_t h = { .inode = 0, .rec_len = (uint16_t) bs };

	memset(blk, 0, bs);
	memcpy(blk, &h, sizeof(h));
}

int32_t ext2_dirblock_find_room(const uint8_t *blk, uint32_t bs, uint32_t need)
{
	for (uint32_t off = 0; off < bs;) {
		ext2_dirent_hdr_t h = dirent_at(blk, off);
		uint32_t used = h.inode != 0 ? ext2_dirent_size(h.name_len) : 0;
		if (h.rec_len >= used + need)
			return (int32_t) off;
		off += h.rec_len;
	}
	return -1;
}

void ext2_dirblock_insert(
    uint8_t *blk, uint32_t off, uint32_t ino, const char *name, uint8_t name_len, uint8_t type)
{
	ext2_dirent_hdr_t h = dirent_at(blk, off);
	ext2_dirent_hdr_t n = { .inode = ino, .name_len = name_len, .file_type = type };

	if (h.inode != 0) {
		/* Split: the live entry keeps what its name needs. */
		uint16_t used = (uint16_t) ext2_dirent_size(h.name_len);
		n.rec_len = (uint16_t) (h.rec_len - used);
		h.rec_len = used;
		memcpy(blk + off, &h, sizeof(h));
		off += used;
	} else {
		n.rec_len = h.rec_len;
	}
	memcpy(blk + off, &n, sizeof(n));
	memcpy(blk + off + sizeof(n), name, name_len);
	/* Zero the padding after the name. */
	memset(
	    blk + off + sizeof(n) + name_len, 0, ext2_dirent_size(name_len) - sizeof(n) - name_len);
}

void ext2_dirblock_remove(uint8_t *blk, uint32_t off, int32_t prev)
{
	ext2_dirent_hdr_t h = dirent_at(blk, off);

	if (prev >= 0) {
		ext2_dirent_hdr_t p = dirent_at(blk, (uint32_t) prev);
		p.rec_len = (uint16_t) (p.rec_len + h.rec_len);
		memcpy(blk + prev, &p, sizeof(p));
	} else {
		h.inode = 0;
		h.name_len = 0;
		h.file_type = 0;
		memcpy(blk + off, &h, sizeof(h));
	}
}

/* The first clear bit in [bit, end) of @a bm, or @a end: whole bytes of
 * set bits are skipped, and whole 64-bit words where the bit is aligned. */
static uint32_t bitmap_scan(const uint8_t *bm, uint32_t bit, uint32_t end)
{
	while (bit < end) {
		if (bit % 64 == 0 && end - bit >= 64) {
			uint64_t w;
			__builtin_memcpy(&w, bm + bit / 8, sizeof(w));
			if (w == UINT64_MAX) {
				bit += 64;
				continue;
			}
		}
		if (bit % 8 == 0 && end - bit >= 8 && bm[bit / 8] == 0xff) {
			bit += 8;
			continue;
		}
		if (!ext2_bitmap_test(bm, bit))
			return bit;
		bit++;
	}
	return end;
}

uint32_t ext2_bitmap_find_zero(const uint8_t *bm, uint32_t nbits, uint32_t start)
{
	if (start >= nbits)
		start = 0;
	uint32_t bit = bitmap_scan(bm, start, nbits);
	if (bit < nbits)
		return bit;
	bit = bitmap_scan(bm, 0, start);
	return bit < start ? bit : nbits;
}
