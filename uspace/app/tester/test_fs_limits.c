/*
 * The file system's limits through the file API: names of 255 bytes (and
 * 256: ENAMETOOLONG, nothing made), paths through more than 100
 * directories, a file past the double-indirect threshold written and read
 * back at its end, sparse files (holes read as zeros, st_blocks exactly
 * the blocks written plus their index blocks), and a full disk (ENOSPC,
 * what was written intact, the space back after the delete).
 */
#include "fs.h"
#include "tester.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utest.h>

#define FS_DEEP_LEVELS 110
#define FS_DEEP_NAME "a-directory-name-of-thirty-b" /* 28 bytes */
#define FS_FILL_CHUNK (1024 * 1024)
#define EXT2_DIRECT 12u

#define FS_FAILS(call, err) UT_CHECK((call) == -1 && errno == (err))

/* Entries of @a dir other than . and .. (-1: cannot list). */
static long fs_dir_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

UTEST(hw_fs_long_names)
{
	char dir[64], *p255 = malloc(512), *p256 = malloc(512), *q255 = malloc(512);
	struct stat st;
	UT_ASSERT(fs_ready() && p255 && p256 && q255);
	fs_path(dir, sizeof(dir), "names");
	UT_ASSERT(fs_dir_fresh(dir));
	size_t dl = (size_t) snprintf(p255, 512, "%s/", dir);
	memcpy(p256, p255, dl);
	memcpy(q255, p255, dl);
	memset(p255 + dl, 'n', 255);
	memset(q255 + dl, 'q', 255);
	memset(p256 + dl, 'm', 256);
	p255[dl + 255] = q255[dl + 255] = p256[dl + 256] = '\0';
	UT_CHECK_EQ(fs_file_put(p255, "255", 3), 0);
	UT_CHECK(stat(p255, &st) == 0 && st.st_size == 3);
	UT_CHECK_EQ(rename(p255, q255), 0);
	UT_CHECK(fs_file_is(q255, "255", 3));
	UT_CHECK_EQ(mkdir(p255, 0755), 0);
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d)) != NULL)
		found += strlen(e->d_name) == 255;
	UT_CHECK(d && closedir(d) == 0 && found == 2);
	FS_FAILS(open(p256, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
	FS_FAILS(mkdir(p256, 0755), ENAMETOOLONG);
	FS_FAILS(stat(p256, &st), ENAMETOOLONG);
	FS_FAILS(rename(q255, p256), ENAMETOOLONG);
	FS_FAILS(link(q255, p256), ENAMETOOLONG);
	FS_FAILS(symlink("x", p256), ENAMETOOLONG);
	UT_CHECK_EQ(fs_dir_count(dir), 2);
	UT_CHECK(fs_file_is(q255, "255", 3));
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
	free(p255);
	free(p256);
	free(q255);
}

/* FS_DEEP_LEVELS directories, one in the other: absolute paths of over
 * 3,000 bytes, and relative ones from the middle. */
UTEST(hw_fs_deep)
{
	char dir[64], cwd[VFS_PATH_MAX + 1];
	char *path = malloc(VFS_PATH_MAX + 1);
	UT_ASSERT(fs_ready() && path != NULL);
	fs_path(dir, sizeof(dir), "deep");
	UT_ASSERT(fs_dir_fresh(dir));
	size_t len = strlen(dir);
	memcpy(path, dir, len + 1);
	for (int i = 0; i < FS_DEEP_LEVELS; i++) {
		len += (size_t) snprintf(
		    path + len, VFS_PATH_MAX + 1 - len, "/" FS_DEEP_NAME "%02d", i % 100);
		if (!UT_CHECK_EQ(mkdir(path, 0755), 0))
			break;
	}
	utest_note("deepest directory: %zu bytes of path, %d levels", len, FS_DEEP_LEVELS);
	UT_ASSERT(len > 3000 && len < VFS_PATH_MAX - 16);
	strcpy(path + len, "/bottom");
	UT_CHECK_EQ(fs_file_put(path, "deep", 4), 0);
	UT_CHECK(fs_file_is(path, "deep", 4));
	path[len] = '\0';
	UT_CHECK_EQ(chdir(path), 0);
	UT_CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, path) == 0);
	UT_CHECK(fs_file_is("bottom", "deep", 4));
	/* Up 55 levels with ".." and down again relatively. */
	char rel[55 * 3];
	for (int i = 0; i < 55; i++)
		memcpy(rel + 3 * i, "../", 3);
	rel[55 * 3 - 1] = '\0';
	UT_CHECK_EQ(chdir(rel), 0);
	size_t up = len;
	for (int i = 0; i < 55; i++)
		while (path[--up] != '/')
			;
	path[up] = '\0';
	if (!UT_CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, path) == 0))
		utest_note(
		    "getcwd: %s (%zu bytes), want %zu bytes", cwd, strlen(cwd), strlen(path));
	UT_CHECK_EQ(chdir("/"), 0);
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
	free(path);
}

/* Index blocks an ext2 file needs for its data blocks @a blk[0..n)
 * (sorted, distinct) with @a p block numbers per block: the single
 * indirect block; the double one and its singles; the triple one, its
 * doubles and their singles.  Each kind's index grows with the block, so
 * counting its changes counts its blocks. */
static uint64_t ext2_index_blocks(const uint64_t *blk, size_t n, uint64_t p)
{
	enum { S1, D2, S2, T3, D3, S3, KINDS };
	uint64_t last[KINDS], count = 0;
	uint64_t base1 = EXT2_DIRECT, base2 = base1 + p, base3 = base2 + p * p;
	for (int k = 0; k < KINDS; k++)
		last[k] = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		uint64_t b = blk[i], id[KINDS];
		for (int k = 0; k < KINDS; k++)
			id[k] = UINT64_MAX;
		if (b >= base3) {
			id[T3] = 0;
			id[D3] = (b - base3) / (p * p);
			id[S3] = (b - base3) / p;
		} else if (b >= base2) {
			id[D2] = 0;
			id[S2] = (b - base2) / p;
		} else if (b >= base1) {
			id[S1] = 0;
		}
		for (int k = 0; k < KINDS; k++) {
			if (id[k] != UINT64_MAX && id[k] != last[k]) {
				count++;
				last[k] = id[k];
			}
		}
	}
	return count;
}

typedef struct fs_range {
	uint64_t off, len;
} fs_range_t;

/* st_blocks of a file whose data is exactly @a r[0..n) (sorted, apart)
 * on a volume of @a bs-byte blocks: its data blocks and index blocks. */
static uint64_t fs_blocks_expected(const fs_range_t *r, size_t n, uint64_t bs)
{
	size_t cap = 0, count = 0;
	for (size_t i = 0; i < n; i++)
		cap += (size_t) ((r[i].off + r[i].len - 1) / bs - r[i].off / bs + 1);
	uint64_t *blk = malloc(cap * sizeof(*blk));
	if (!blk)
		return 0;
	for (size_t i = 0; i < n; i++) {
		for (uint64_t b = r[i].off / bs; b <= (r[i].off + r[i].len - 1) / bs; b++) {
			if (count == 0 || blk[count - 1] != b)
				blk[count++] = b;
		}
	}
	uint64_t total = count + ext2_index_blocks(blk, count, bs / 4);
	free(blk);
	return total * (bs / 512);
}

/* Write the pattern over each range of @a r. */
static bool fs_ranges_write(int fd, const fs_range_t *r, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf = malloc(r[i].len);
		if (!buf)
			return false;
		fs_pattern_fill(buf, r[i].len, seed, r[i].off);
		ssize_t w = pwrite(fd, buf, r[i].len, (off_t) r[i].off);
		free(buf);
		if (!UT_CHECK_EQ(w, r[i].len))
			return false;
	}
	return true;
}

/* Whether [off, off + len) of @a fd is the pattern inside @a r and zeros
 * elsewhere. */
static bool fs_ranges_check(
    int fd, const fs_range_t *r, size_t n, uint64_t seed, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);
	bool ok = buf && pread(fd, buf, len, (off_t) off) == (ssize_t) len;
	for (size_t i = 0; ok && i < len; i++) {
		uint64_t at = off + i;
		uint8_t want = 0;
		for (size_t k = 0; k < n; k++) {
			if (at >= r[k].off && at - r[k].off < r[k].len)
				want = fs_pattern_byte(seed, at);
		}
		if (buf[i] != want) {
			utest_note(
			    "offset %llu: %#x, want %#x", (unsigned long long) at, buf[i], want);
			ok = false;
		}
	}
	free(buf);
	return ok;
}

/* The whole of @a size bytes of @a fd checked in pieces. */
static bool fs_ranges_check_all(int fd, const fs_range_t *r, size_t n, uint64_t seed, uint64_t size)
{
	const size_t piece = 256 * 1024;
	for (uint64_t off = 0; off < size; off += piece) {
		size_t len = size - off < piece ? (size_t) (size - off) : piece;
		if (!fs_ranges_check(fd, r, n, seed, off, len))
			return false;
	}
	return true;
}

static uint64_t fs_free_blocks(void)
{
	struct statvfs sv;
	return statvfs("/", &sv) == 0 ? sv.f_bfree : 0;
}

UTEST(hw_fs_sparse)
{
	char path[96];
	struct statvfs sv;
	struct stat st;
	UT_ASSERT(fs_ready() && statvfs("/", &sv) == 0);
	uint64_t bs = sv.f_bsize, p = bs / 4, free0 = sv.f_bfree;
	/* Across direct/single, single/double, and in the double's second
	 * single-indirect block. */
	fs_range_t r[] = { { 0, 1 }, { 11 * bs + bs / 2, bs }, { (EXT2_DIRECT + p) * bs - 10, 20 },
		{ (EXT2_DIRECT + 2 * p + 5) * bs, 2 * bs } };
	size_t n = sizeof(r) / sizeof(r[0]);
	uint64_t size = r[n - 1].off + r[n - 1].len;
	fs_path(path, sizeof(path), "sparse");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	UT_ASSERT(fs_ranges_write(fd, r, n, 5));
	UT_CHECK(fstat(fd, &st) == 0 && (uint64_t) st.st_size == size);
	UT_CHECK_EQ(st.st_blocks, fs_blocks_expected(r, n, bs));
	UT_CHECK(fs_ranges_check_all(fd, r, n, 5, size));
	UT_CHECK_EQ(fs_free_blocks(), free0 - (uint64_t) st.st_blocks / (bs / 512));
	/* Up: a hole at the end, no blocks.  Down to a block boundary: the
	 * double-indirect blocks and the last range go. */
	UT_CHECK_EQ(ftruncate(fd, (off_t) (3 * size)), 0);
	UT_CHECK(fstat(fd, &st) == 0 && (uint64_t) st.st_size == 3 * size);
	UT_CHECK_EQ(st.st_blocks, fs_blocks_expected(r, n, bs));
	UT_CHECK(fs_ranges_check(fd, r, n, 5, 3 * size - 8192, 8192));
	UT_CHECK_EQ(ftruncate(fd, (off_t) ((EXT2_DIRECT + p) * bs)), 0);
	r[2].len = 10;
	n = 3;
	UT_CHECK(fstat(fd, &st) == 0 && st.st_blocks == (blkcnt_t) fs_blocks_expected(r, n, bs));
	UT_CHECK(fs_ranges_check_all(fd, r, n, 5, (uint64_t) st.st_size));
	UT_CHECK_EQ(fs_free_blocks(), free0 - (uint64_t) st.st_blocks / (bs / 512));
	UT_CHECK(close(fd) == 0 && unlink(path) == 0);
	UT_CHECK_EQ(fs_free_blocks(), free0);
}

/* A file whose data lies past the double-indirect threshold (12 + p + p^2
 * blocks): triple-indirect blocks, written and read back at its end. */
UTEST(hw_fs_big_file)
{
	char path[96];
	struct statvfs sv;
	struct stat st;
	UT_ASSERT(fs_ready() && statvfs("/", &sv) == 0);
	uint64_t bs = sv.f_bsize, p = bs / 4, free0 = sv.f_bfree;
	uint64_t far = (EXT2_DIRECT + p + p * p + 3) * bs + 100;
	fs_range_t r[] = { { 0, 5 }, { far, 64 * 1024 } };
	uint64_t size = far + 64 * 1024;
	utest_note("%llu-byte blocks: data at %llu (block %llu), size %llu",
	    (unsigned long long) bs, (unsigned long long) far, (unsigned long long) (far / bs),
	    (unsigned long long) size);
	fs_path(path, sizeof(path), "big");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	UT_ASSERT(fs_ranges_write(fd, r, 2, 9));
	UT_CHECK(fstat(fd, &st) == 0 && (uint64_t) st.st_size == size);
	UT_CHECK_EQ(st.st_blocks, fs_blocks_expected(r, 2, bs));
	UT_CHECK(fs_ranges_check(fd, r, 2, 9, size - 100, 100));
	UT_CHECK(fs_ranges_check(fd, r, 2, 9, far - 4096, 64 * 1024 + 4096));
	UT_CHECK(fs_ranges_check(fd, r, 2, 9, 0, 8192));
	UT_CHECK(fs_ranges_check(fd, r, 2, 9, far / 2, 8192));
	char c;
	UT_CHECK_EQ(pread(fd, &c, 1, (off_t) size), 0);
	UT_CHECK_EQ(lseek(fd, 0, SEEK_END), (off_t) size);
	UT_CHECK(close(fd) == 0);
	UT_CHECK_EQ(fs_free_blocks(), free0 - (uint64_t) st.st_blocks / (bs / 512));
	UT_CHECK_EQ(unlink(path), 0);
	UT_CHECK_EQ(fs_free_blocks(), free0);
}

/* Write @a path until the disk is full: *written the bytes that fit;
 * true if that ended in ENOSPC. */
static bool fs_fill_file(const char *path, uint64_t *written)
{
	uint8_t *buf = malloc(FS_FILL_CHUNK);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool enospc = false;
	*written = 0;
	if (!UT_CHECK(buf && fd >= 0))
		goto out;
	for (;;) {
		fs_pattern_fill(buf, FS_FILL_CHUNK, 3, *written);
		ssize_t n = write(fd, buf, FS_FILL_CHUNK);
		if (n < 0) {
			enospc = UT_CHECK_EQ(errno, ENOSPC);
			break;
		}
		*written += (uint64_t) n;
	}
	UT_CHECK_EQ(close(fd), 0);
out:
	free(buf);
	return enospc;
}

static bool fs_fill_verify(const char *path, uint64_t size)
{
	uint8_t *buf = malloc(FS_FILL_CHUNK);
	int fd = open(path, O_RDONLY);
	bool ok = buf && fd >= 0;
	for (uint64_t off = 0; ok && off < size; off += FS_FILL_CHUNK) {
		size_t len = size - off < FS_FILL_CHUNK ? (size_t) (size - off) : FS_FILL_CHUNK;
		ok = read(fd, buf, len) == (ssize_t) len && fs_pattern_check(buf, len, 3, off);
	}
	ok = ok && read(fd, buf, 1) == 0;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

UTEST(hw_fs_fill)
{
	char dir[64], path[96], other[96];
	struct statvfs before, full, after;
	uint64_t written;
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "fill");
	UT_ASSERT(fs_dir_fresh(dir));
	sync();
	UT_ASSERT_EQ(statvfs("/", &before), 0);
	snprintf(path, sizeof(path), "%s/all", dir);
	snprintf(other, sizeof(other), "%s/one-more", dir);
	UT_CHECK(fs_fill_file(path, &written));
	UT_ASSERT_EQ(statvfs("/", &full), 0);
	utest_note("%llu bytes fit; free blocks %llu -> %llu of %llu", (unsigned long long) written,
	    (unsigned long long) before.f_bfree, (unsigned long long) full.f_bfree,
	    (unsigned long long) before.f_blocks);
	/* Most of the free space was usable, and none is left for data. */
	UT_CHECK(written >= before.f_bfree * before.f_bsize / 10 * 8);
	UT_CHECK(written <= before.f_bfree * before.f_bsize);
	int fd = open(other, O_WRONLY | O_CREAT, 0644);
	if (UT_CHECK(fd >= 0)) {
		UT_CHECK(write(fd, "x", 1) == -1 && errno == ENOSPC);
		UT_CHECK_EQ(close(fd), 0);
	}
	UT_CHECK(fs_fill_verify(path, written));
	UT_CHECK(unlink(path) == 0 && unlink(other) == 0);
	sync();
	UT_ASSERT_EQ(statvfs("/", &after), 0);
	UT_CHECK_EQ(after.f_bfree, before.f_bfree);
	UT_CHECK_EQ(after.f_ffree, before.f_ffree);
	/* The space is usable again. */
	UT_CHECK_EQ(fs_file_put(path, "again", 5), 0);
	UT_CHECK(fs_file_is(path, "again", 5));
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}
