/*
 * Host unit tests of lib/ext2's pure code: where a file block lives in the
 * indirect tree, directory entry packing and splitting, bitmap search, and
 * the block cache over a memory device (recycling, write-back, pinning).
 */
#include <lib/prng.h>
#include <stdlib.h>
#include <string.h>

#include "../uspace/lib/ext2/src/internal.h"
#include "tap.h"

/* The file block a path names, computed the other way round. */
static uint64_t path_to_lblk(uint32_t ptrs, unsigned depth, const uint32_t idx[3])
{
	uint64_t p = ptrs;

	switch (depth) {
	case 0:
		return idx[0];
	case 1:
		return 12 + idx[0];
	case 2:
		return 12 + p + idx[0] * p + idx[1];
	default:
		return 12 + p + p * p + idx[0] * p * p + idx[1] * p + idx[2];
	}
}

static bool check_path(
    uint32_t ptrs, uint64_t lblk, unsigned depth, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t idx[3] = { 0, 0, 0 };
	unsigned d;

	TAP_CHECK(ext2_bmap_path(ptrs, lblk, &d, idx));
	TAP_CHECK_EQ(d, depth);
	TAP_CHECK_EQ(idx[0], a);
	if (depth >= 2)
		TAP_CHECK_EQ(idx[1], b);
	if (depth >= 3)
		TAP_CHECK_EQ(idx[2], c);
	return true;
}

static bool test_bmap_path_edges(void)
{
	const uint32_t all_ptrs[] = { 256, 512, 1024 };

	for (size_t i = 0; i < 3; i++) {
		uint64_t p = all_ptrs[i];
		uint32_t idx[3], l = (uint32_t) p - 1;
		unsigned d;
		TAP_CHECK(check_path((uint32_t) p, 0, 0, 0, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 11, 0, 11, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12, 1, 0, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p - 1, 1, l, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p, 2, 0, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p + p, 2, 1, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p + p * p - 1, 2, l, l, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p + p * p, 3, 0, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p + p * p + p * p, 3, 1, 0, 0));
		TAP_CHECK(check_path((uint32_t) p, 12 + p + p * p + p + 1, 3, 0, 1, 1));
		TAP_CHECK(check_path((uint32_t) p, ext2_bmap_limit((uint32_t) p) - 1, 3, l, l, l));
		TAP_CHECK(!ext2_bmap_path((uint32_t) p, ext2_bmap_limit((uint32_t) p), &d, idx));
		TAP_CHECK(!ext2_bmap_path((uint32_t) p, UINT64_MAX, &d, idx));
	}
	TAP_CHECK_EQ(ext2_bmap_limit(256), 12 + 256 + 65536 + 16777216);
	return true;
}

static bool test_bmap_path_random(void)
{
	prng_t rng;

	prng_seed(&rng, 42);
	for (int i = 0; i < 200000; i++) {
		uint32_t ptrs = (i & 1) ? 256 : 1024;
		uint64_t lblk = prng_next(&rng) % ext2_bmap_limit(ptrs);
		uint32_t idx[3];
		unsigned d;
		if (i % 3 == 0)
			lblk %= 70000; /* the direct, single and double ranges often */
		TAP_CHECK(ext2_bmap_path(ptrs, lblk, &d, idx));
		TAP_CHECK(d <= 3);
		for (unsigned k = 0; k < (d == 0 ? 1 : d); k++)
			TAP_CHECK(idx[k] < (d == 0 ? 12 : ptrs));
		TAP_CHECK_EQ(path_to_lblk(ptrs, d, idx), lblk);
	}
	return true;
}

/* The live entries of a block as "name=ino," in order. */
static void dirblock_list(const uint8_t *blk, uint32_t bs, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (uint32_t off = 0; off < bs;) {
		ext2_dirent_hdr_t h;
		memcpy(&h, blk + off, sizeof(h));
		if (h.inode != 0)
			n += (size_t) snprintf(out + n, size - n, "%.*s=%u,", h.name_len,
			    (const char *) blk + off + 8, h.inode);
		off += h.rec_len;
	}
}

static bool test_dirblock_pack(void)
{
	uint8_t blk[1024];
	char list[4096];
	int32_t off;

	ext2_dirblock_init(blk, sizeof(blk));
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	TAP_CHECK_EQ(ext2_dirblock_find_room(blk, sizeof(blk), 12), 0);
	ext2_dirblock_insert(blk, 0, 2, ".", 1, EXT2_FT_DIR);
	off = ext2_dirblock_find_room(blk, sizeof(blk), 12);
	TAP_CHECK_EQ(off, 0);
	ext2_dirblock_insert(blk, (uint32_t) off, 2, "..", 2, EXT2_FT_DIR);
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	ext2_dirent_hdr_t h;
	memcpy(&h, blk, 8);
	TAP_CHECK_EQ(h.rec_len, 12);
	memcpy(&h, blk + 12, 8);
	TAP_CHECK_EQ(h.rec_len, 1024 - 12);
	/* Entries of 8 + 5 -> 16 bytes each until the block is full. */
	int added = 0;
	char name[8];
	while ((off = ext2_dirblock_find_room(blk, sizeof(blk), ext2_dirent_size(5))) >= 0) {
		snprintf(name, sizeof(name), "n%04d", added);
		ext2_dirblock_insert(blk, (uint32_t) off, (uint32_t) (100 + added), name, 5, 1);
		TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
		added++;
	}
	TAP_CHECK_EQ(added, (1024 - 24) / 16);
	dirblock_list(blk, sizeof(blk), list, sizeof(list));
	TAP_CHECK(strncmp(list, ".=2,..=2,n0000=100,n0001=101,", 29) == 0);
	return true;
}

static bool test_dirblock_remove(void)
{
	uint8_t blk[1024];
	char list[1024];

	ext2_dirblock_init(blk, sizeof(blk));
	ext2_dirblock_insert(blk, 0, 10, "a", 1, 1);
	ext2_dirblock_insert(blk, 0, 11, "bb", 2, 1);
	ext2_dirblock_insert(blk, 12, 12, "ccc", 3, 1);
	dirblock_list(blk, sizeof(blk), list, sizeof(list));
	TAP_CHECK(strcmp(list, "a=10,bb=11,ccc=12,") == 0);
	/* The middle one: its predecessor absorbs it. */
	ext2_dirblock_remove(blk, 12, 0);
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	dirblock_list(blk, sizeof(blk), list, sizeof(list));
	TAP_CHECK(strcmp(list, "a=10,ccc=12,") == 0);
	ext2_dirent_hdr_t h;
	memcpy(&h, blk, 8);
	TAP_CHECK_EQ(h.rec_len, 24);
	/* The first one: it becomes unused and keeps its length. */
	ext2_dirblock_remove(blk, 0, -1);
	dirblock_list(blk, sizeof(blk), list, sizeof(list));
	TAP_CHECK(strcmp(list, "ccc=12,") == 0);
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	/* The unused first entry's 24 bytes take a 12-byte name again. */
	TAP_CHECK_EQ(ext2_dirblock_find_room(blk, sizeof(blk), ext2_dirent_size(12)), 0);
	TAP_CHECK_EQ(ext2_dirblock_find_room(blk, sizeof(blk), ext2_dirent_size(17)), 24);
	ext2_dirblock_insert(blk, 0, 13, "twelve-bytes", 12, 1);
	dirblock_list(blk, sizeof(blk), list, sizeof(list));
	TAP_CHECK(strcmp(list, "twelve-bytes=13,ccc=12,") == 0);
	/* The last one. */
	ext2_dirblock_remove(blk, 24, 0);
	dirblock_list(blk, sizeof(blk), list, sizeof(list));
	TAP_CHECK(strcmp(list, "twelve-bytes=13,") == 0);
	memcpy(&h, blk, 8);
	TAP_CHECK_EQ(h.rec_len, 1024);
	return true;
}

static bool test_dirblock_long_names(void)
{
	uint8_t blk[1024];
	char name[255];

	memset(name, 'x', sizeof(name));
	TAP_CHECK_EQ(ext2_dirent_size(255), 264);
	TAP_CHECK_EQ(ext2_dirent_size(1), 12);
	TAP_CHECK_EQ(ext2_dirent_size(4), 12);
	TAP_CHECK_EQ(ext2_dirent_size(5), 16);
	ext2_dirblock_init(blk, sizeof(blk));
	for (int i = 0; i < 3; i++) {
		int32_t off = ext2_dirblock_find_room(blk, sizeof(blk), 264);
		TAP_CHECK(off >= 0);
		ext2_dirblock_insert(blk, (uint32_t) off, 20 + i, name, 255, 1);
	}
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	/* 3 * 264 = 792: 232 bytes are left, not enough for a fourth. */
	TAP_CHECK_EQ(ext2_dirblock_find_room(blk, sizeof(blk), 264), -1);
	TAP_CHECK(ext2_dirblock_find_room(blk, sizeof(blk), 232) >= 0);
	TAP_CHECK_EQ(ext2_dirblock_find_room(blk, sizeof(blk), 236), -1);
	return true;
}

static bool test_dirblock_invalid(void)
{
	uint8_t blk[1024];
	ext2_dirent_hdr_t h = { .inode = 5, .rec_len = 12, .name_len = 1 };

	ext2_dirblock_init(blk, sizeof(blk));
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	/* A chain that stops short of the end. */
	memcpy(blk, &h, 8);
	TAP_CHECK(!ext2_dirblock_valid(blk, sizeof(blk)));
	/* One that crosses it. */
	h.rec_len = 1028;
	memcpy(blk, &h, 8);
	TAP_CHECK(!ext2_dirblock_valid(blk, sizeof(blk)));
	/* Not a multiple of 4. */
	h.rec_len = 1022;
	memcpy(blk, &h, 8);
	TAP_CHECK(!ext2_dirblock_valid(blk, sizeof(blk)));
	/* Too short for its name. */
	h.rec_len = 12;
	h.name_len = 9;
	memcpy(blk, &h, 8);
	ext2_dirent_hdr_t rest = { .inode = 0, .rec_len = 1024 - 12 };
	memcpy(blk + 12, &rest, 8);
	TAP_CHECK(!ext2_dirblock_valid(blk, sizeof(blk)));
	h.name_len = 4;
	memcpy(blk, &h, 8);
	TAP_CHECK(ext2_dirblock_valid(blk, sizeof(blk)));
	/* A zero rec_len would loop forever. */
	h.rec_len = 0;
	memcpy(blk, &h, 8);
	TAP_CHECK(!ext2_dirblock_valid(blk, sizeof(blk)));
	return true;
}

static uint32_t naive_find(const uint8_t *bm, uint32_t nbits, uint32_t start)
{
	if (start >= nbits)
		start = 0;
	for (uint32_t i = start; i < nbits; i++) {
		if (!ext2_bitmap_test(bm, i))
			return i;
	}
	for (uint32_t i = 0; i < start; i++) {
		if (!ext2_bitmap_test(bm, i))
			return i;
	}
	return nbits;
}

static bool test_bitmap_find(void)
{
	uint8_t bm[128];
	prng_t rng;

	memset(bm, 0xff, sizeof(bm));
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1024, 0), 1024);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1024, 700), 1024);
	ext2_bitmap_clear(bm, 3);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1024, 700), 3);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1024, 3), 3);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1024, 4), 3);
	ext2_bitmap_clear(bm, 1023);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1024, 4), 1023);
	/* Bits past nbits do not count, even when clear. */
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1000, 4), 3);
	ext2_bitmap_set(bm, 3);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1000, 4), 1000);
	TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, 1000, 999), 1000);
	prng_seed(&rng, 7);
	for (int round = 0; round < 20000; round++) {
		uint32_t nbits = 1 + (uint32_t) (prng_next(&rng) % 1024);
		uint32_t start = (uint32_t) (prng_next(&rng) % (nbits + 8));
		unsigned density = (unsigned) (prng_next(&rng) % 5);
		for (size_t i = 0; i < sizeof(bm); i++) {
			uint8_t v = (uint8_t) prng_next(&rng);
			bm[i] = density == 0 ? 0xff : density == 1 ? (uint8_t) (v | 0xfe) : v;
		}
		if (density == 4) { /* full but for one or two bits: long runs of set words */
			memset(bm, 0xff, sizeof(bm));
			ext2_bitmap_clear(bm, (uint32_t) (prng_next(&rng) % 1024));
			if (prng_next(&rng) % 2)
				ext2_bitmap_clear(bm, (uint32_t) (prng_next(&rng) % 1024));
		}
		TAP_CHECK_EQ(ext2_bitmap_find_zero(bm, nbits, start), naive_find(bm, nbits, start));
	}
	return true;
}

/* A memory device of 64 blocks of 1 KiB for the cache. */
typedef struct memdev {
	uint8_t data[64 * 1024];
	unsigned reads;
	unsigned writes;
	unsigned flushes;
} memdev_t;

static errno_t md_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	memdev_t *m = ctx;

	if (off + len > sizeof(m->data))
		return EIO;
	m->reads++;
	memcpy(buf, m->data + off, len);
	return EOK;
}

static errno_t md_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	memdev_t *m = ctx;

	if (off + len > sizeof(m->data))
		return EIO;
	m->writes++;
	memcpy(m->data + off, buf, len);
	return EOK;
}

static errno_t md_flush(void *ctx)
{
	((memdev_t *) ctx)->flushes++;
	return EOK;
}

static void *md_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void md_free(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

/* The cache's host over the memory device @a m. */
static ext2_host_t md_host(memdev_t *m)
{
	return (ext2_host_t){ .ctx = m,
		.read = md_read,
		.write = md_write,
		.flush = md_flush,
		.alloc = md_alloc,
		.free = md_free };
}

static bool test_cache(void)
{
	static memdev_t m;
	ext2_host_t host = md_host(&m);
	ext2_cache_t c;
	ext2_buf_t *b, *pinned[4];

	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 64; i++)
		m.data[i * 1024] = (uint8_t) i;
	TAP_CHECK_EQ(ext2_cache_init(&c, &host, 1024, 4), EOK);
	/* A hit does not read again. */
	TAP_CHECK_EQ(ext2_cache_get(&c, 5, false, &b), EOK);
	TAP_CHECK_EQ(b->data[0], 5);
	b->data[1] = 0x55;
	ext2_cache_dirty(&c, b);
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(ext2_cache_get(&c, 5, false, &b), EOK);
	TAP_CHECK_EQ(b->data[1], 0x55);
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(m.reads, 1);
	TAP_CHECK_EQ(m.writes, 0);
	/* Four other blocks push block 5 out: written back once. */
	for (uint32_t blk = 10; blk < 14; blk++) {
		TAP_CHECK_EQ(ext2_cache_get(&c, blk, false, &b), EOK);
		TAP_CHECK_EQ(b->data[0], blk);
		ext2_cache_put(&c, b);
	}
	TAP_CHECK_EQ(m.writes, 1);
	TAP_CHECK_EQ(m.data[5 * 1024 + 1], 0x55);
	/* The least recently used goes first: 10 was used again, 11 goes. */
	TAP_CHECK_EQ(ext2_cache_get(&c, 10, false, &b), EOK);
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(ext2_cache_get(&c, 20, true, &b), EOK);
	TAP_CHECK_EQ(b->data[0], 0); /* fresh: zeroed, not read */
	ext2_cache_put(&c, b);
	unsigned reads = m.reads;
	TAP_CHECK_EQ(ext2_cache_get(&c, 10, false, &b), EOK);
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(m.reads, reads);
	TAP_CHECK_EQ(ext2_cache_get(&c, 11, false, &b), EOK);
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(m.reads, reads + 1);
	/* Pinned buffers stay; with all pinned, EBUSY. */
	for (uint32_t i = 0; i < 4; i++) {
		TAP_CHECK_EQ(ext2_cache_get(&c, 30 + i, false, &pinned[i]), EOK);
		pinned[i]->data[2] = (uint8_t) (0xa0 + i);
		ext2_cache_dirty(&c, pinned[i]);
	}
	TAP_CHECK_EQ(ext2_cache_get(&c, 40, false, &b), EBUSY);
	ext2_cache_put(&c, pinned[2]);
	TAP_CHECK_EQ(ext2_cache_get(&c, 40, false, &b), EOK);
	TAP_CHECK_EQ(m.data[32 * 1024 + 2], 0xa2);
	ext2_cache_put(&c, b);
	/* Sync writes the dirty ones and flushes. */
	TAP_CHECK_EQ(ext2_cache_sync(&c), EOK);
	TAP_CHECK_EQ(c.dirty, 0);
	TAP_CHECK_EQ(m.data[30 * 1024 + 2], 0xa0);
	TAP_CHECK_EQ(m.data[33 * 1024 + 2], 0xa3);
	TAP_CHECK_EQ(m.flushes, 1);
	for (int i = 0; i < 4; i++) {
		if (i != 2)
			ext2_cache_put(&c, pinned[i]);
	}
	/* A forgotten block is not written back and is read again. */
	TAP_CHECK_EQ(ext2_cache_get(&c, 31, false, &b), EOK);
	b->data[3] = 0x77;
	ext2_cache_dirty(&c, b);
	ext2_cache_put(&c, b);
	unsigned writes = m.writes;
	reads = m.reads;
	ext2_cache_forget(&c, 31);
	TAP_CHECK_EQ(c.dirty, 0);
	TAP_CHECK_EQ(ext2_cache_sync(&c), EOK);
	TAP_CHECK_EQ(m.writes, writes);
	TAP_CHECK_EQ(ext2_cache_get(&c, 31, false, &b), EOK);
	TAP_CHECK_EQ(b->data[3], 0);
	TAP_CHECK_EQ(m.reads, reads + 1);
	ext2_cache_put(&c, b);
	ext2_cache_forget(&c, 55); /* not cached: nothing */
	ext2_cache_fini(&c);
	return true;
}

/* A buffer's dir_checked mark (dir.c skips walking a checked directory
 * block) goes with every change of its bytes and every refill. */
static bool test_cache_dir_checked(void)
{
	static memdev_t m;
	ext2_host_t host = md_host(&m);
	ext2_cache_t c;
	ext2_buf_t *b;

	memset(&m, 0, sizeof(m));
	TAP_CHECK_EQ(ext2_cache_init(&c, &host, 1024, 2), EOK);
	TAP_CHECK_EQ(ext2_cache_get(&c, 3, false, &b), EOK);
	TAP_CHECK(!b->dir_checked); /* read: unchecked */
	b->dir_checked = true;
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(ext2_cache_get(&c, 3, false, &b), EOK);
	TAP_CHECK(b->dir_checked); /* a hit keeps it */
	ext2_cache_dirty(&c, b);
	TAP_CHECK(!b->dir_checked);
	b->dir_checked = true;
	TAP_CHECK_EQ(ext2_cache_write(&c, b), EOK);
	TAP_CHECK(!b->dir_checked);
	b->dir_checked = true;
	ext2_cache_put(&c, b);
	TAP_CHECK_EQ(ext2_cache_get(&c, 3, true, &b), EOK);
	TAP_CHECK(!b->dir_checked); /* zeroed anew */
	b->dir_checked = true;
	ext2_cache_put(&c, b);
	ext2_cache_forget(&c, 3);
	TAP_CHECK_EQ(ext2_cache_get(&c, 3, false, &b), EOK);
	TAP_CHECK(!b->dir_checked); /* read again */
	b->dir_checked = true;
	ext2_cache_put(&c, b);
	for (uint32_t blk = 10; blk < 12; blk++) { /* 3 recycled */
		TAP_CHECK_EQ(ext2_cache_get(&c, blk, false, &b), EOK);
		TAP_CHECK(!b->dir_checked);
		ext2_cache_put(&c, b);
	}
	ext2_cache_fini(&c);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "bmap_path_edges", test_bmap_path_edges },
		{ "bmap_path_random", test_bmap_path_random },
		{ "dirblock_pack", test_dirblock_pack },
		{ "dirblock_remove", test_dirblock_remove },
		{ "dirblock_long_names", test_dirblock_long_names },
		{ "dirblock_invalid", test_dirblock_invalid },
		{ "bitmap_find", test_bitmap_find },
		{ "cache", test_cache },
		{ "cache_dir_checked", test_cache_dir_checked },
	};

	return tap_run(cases, sizeof(cases) / sizeof(cases[0]));
}
