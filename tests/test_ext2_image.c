/*
 * lib/ext2 on images made by mke2fs -t ext2 -d DIR at test time: every
 * file, directory and symlink of the source directory read back through
 * the library and compared (kind, mode, size, links, owner, contents,
 * directory listings), for 1 KiB and 4 KiB blocks and 128- and 256-byte
 * inodes.  The fixture has small files, files ending at the direct and
 * indirect boundaries, sparse files reaching the triple indirect block, a
 * deep tree, 255-byte names, a many-block directory, fast and slow
 * symlinks and hard links.  Also: volumes with features the library
 * refuses (mount fails naming them, not a byte written), one with an
 * unknown read-only feature (mounted read-only, nothing written), the
 * clean state and mount count after unmount, hash-indexed directories
 * (e2fsck -D) read and changed, and damaged volumes (random metadata
 * bytes flipped) read and changed without a crash.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <lib/prng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext2_host.h"
#include "tap.h"

#define MIB (1024ull * 1024)

static char scratch[256];

static bool write_file(const char *path, uint64_t off, size_t len, unsigned seed)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	uint8_t buf[4096];
	bool ok = fd >= 0;

	while (ok && len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t) ((off + i) * 131 + seed + (off + i) / 4096);
		ok = pwrite(fd, buf, n, (off_t) off) == (ssize_t) n;
		off += n;
		len -= n;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The source tree of the image tests, in @a dir. */
static bool fixture_make(const char *dir, uint32_t bs)
{
	char p[4096], name[256];
	bool ok = true;

	ok &= sh("mkdir -p '%s/deep' '%s/many' '%s/sparse' '%s/sizes'", dir, dir, dir, dir) == 0;
	snprintf(p, sizeof(p), "%s/hello.txt", dir);
	ok &= write_file(p, 0, 6, 1);
	ok &= sh("touch '%s/empty' && chmod 0600 '%s/empty'", dir, dir) == 0;
	const uint64_t sizes[] = { 1, bs - 1, bs, bs + 1, 12ull * bs, 12ull * bs + 1, 300000,
		(12ull + bs / 4) * bs, (12ull + bs / 4) * bs + 1 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(p, sizeof(p), "%s/sizes/s%zu", dir, i);
		ok &= write_file(p, 0, sizes[i], (unsigned) i);
	}
	/* Holes: data, a hole, data; a file that is all hole; the triple indirect. */
	snprintf(p, sizeof(p), "%s/sparse/holes", dir);
	ok &= write_file(p, 0, 5000, 3) && write_file(p, 3 * MIB, 7000, 4);
	ok &= sh("truncate -s 5M '%s/sparse/holes' && truncate -s 9M '%s/sparse/allhole'", dir,
	          dir) == 0;
	uint64_t p4 = bs / 4, triple = (12 + p4 + p4 * p4) * bs;
	snprintf(p, sizeof(p), "%s/sparse/triple", dir);
	ok &= write_file(p, 0, 100, 5) && write_file(p, triple + 12345, 9000, 6);
	/* Deep: 40 levels; long names: 255 bytes. */
	snprintf(p, sizeof(p), "%s/deep", dir);
	for (int i = 0; i < 40; i++) {
		size_t n = strlen(p);
		snprintf(p + n, sizeof(p) - n, "/d%d", i);
		ok &= mkdir(p, 0755) == 0;
	}
	ok &= write_file(strcat(p, "/leaf"), 0, 77, 7);
	memset(name, 'L', 255);
	name[255] = '\0';
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	ok &= write_file(p, 0, 1000, 8);
	name[0] = 'D';
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	ok &= mkdir(p, 0700) == 0;
	/* A directory of several blocks. */
	for (int i = 0; i < 150; i++) {
		snprintf(p, sizeof(p), "%s/many/entry-with-a-longer-name-%03d", dir, i);
		ok &= write_file(p, 0, (size_t) i, (unsigned) i);
	}
	/* Symlinks, fast (< 60 bytes) and slow; hard links. */
	ok &= sh("ln -s hello.txt '%s/fast' && ln -s "
	         "'%0100d' '%s/slow' && ln '%s/hello.txt' '%s/many/hardlink'",
	          dir, 0, dir, dir, dir) == 0;
	return ok;
}

/* Compare the contents of host file @a path with inode @a ino. */
static bool compare_data(ext2_fs_t *fs, const char *path, uint32_t ino, uint64_t size)
{
	static uint8_t a[65536], b[65536];
	int fd = open(path, O_RDONLY);
	uint64_t off = 0;
	size_t chunk = 1000;
	bool ok = fd >= 0;

	while (ok && off < size) {
		size_t done;
		ssize_t n;
		/* Seek over the host's holes so the triple file stays quick. */
		off_t data = lseek(fd, (off_t) off, SEEK_DATA);
		if (data > (off_t) off && (uint64_t) data <= size) {
			/* The library must read zeros there: check a sample. */
			TAP_CHECK_EQ(ext2_read(fs, ino, off, b, 4096, &done), EOK);
			for (size_t i = 0; i < done; i++)
				TAP_CHECK(b[i] == 0);
			off = (uint64_t) data & ~4095ull;
		}
		if (off >= size)
			break;
		n = pread(fd, a, chunk, (off_t) off);
		TAP_CHECK(n > 0);
		TAP_CHECK_EQ(ext2_read(fs, ino, off, b, chunk, &done), EOK);
		TAP_CHECK_EQ(done, (size_t) n);
		TAP_CHECK(memcmp(a, b, done) == 0);
		off += done;
		chunk = chunk * 3 % 65536 + 1;
	}
	close(fd);
	/* At and past the end: nothing. */
	size_t done = 1;
	TAP_CHECK_EQ(ext2_read(fs, ino, size, b, 10, &done), EOK);
	TAP_CHECK_EQ(done, 0);
	return ok;
}

static bool compare_tree(ext2_fs_t *fs, const char *path, uint32_t ino);

static bool compare_entry(ext2_fs_t *fs, const char *path, uint32_t ino)
{
	struct stat st;
	ext2_stat_t es;

	TAP_CHECK(lstat(path, &st) == 0);
	TAP_CHECK_EQ(ext2_stat(fs, ino, &es), EOK);
	TAP_CHECK_EQ(es.mode, st.st_mode);
	TAP_CHECK_EQ(es.uid, st.st_uid);
	TAP_CHECK_EQ(es.gid, st.st_gid);
	TAP_CHECK_EQ(es.mtime, (uint32_t) st.st_mtime);
	if (S_ISDIR(st.st_mode))
		return compare_tree(fs, path, ino);
	TAP_CHECK_EQ(es.links, st.st_nlink);
	TAP_CHECK_EQ(es.size, (uint64_t) st.st_size);
	if (S_ISLNK(st.st_mode)) {
		char a[4096], b[4096];
		size_t len;
		ssize_t n = readlink(path, a, sizeof(a));
		TAP_CHECK(n > 0);
		TAP_CHECK_EQ(ext2_readlink(fs, ino, b, sizeof(b), &len), EOK);
		TAP_CHECK_EQ(len, (size_t) n);
		TAP_CHECK(memcmp(a, b, len) == 0 && b[len] == '\0');
		return true;
	}
	TAP_CHECK(S_ISREG(st.st_mode));
	/* Sparse files take fewer blocks than their size. */
	if (strstr(path, "/sparse/") != NULL)
		TAP_CHECK(es.blocks * 512 < es.size);
	return compare_data(fs, path, ino, es.size);
}

static bool compare_tree(ext2_fs_t *fs, const char *path, uint32_t ino)
{
	DIR *d = opendir(path);
	struct dirent *de;
	unsigned host_n = 0, fs_n = 0;
	char sub[4096];

	TAP_CHECK(d != NULL);
	while ((de = readdir(d)) != NULL) {
		uint32_t child;
		host_n++;
		TAP_CHECK_EQ(ext2_lookup(fs, ino, de->d_name, strlen(de->d_name), &child), EOK);
		if (strcmp(de->d_name, ".") == 0) {
			TAP_CHECK_EQ(child, ino);
			continue;
		}
		if (strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, "lost+found") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (!compare_entry(fs, sub, child)) {
			tap_diag("at %s", sub);
			closedir(d);
			return false;
		}
	}
	closedir(d);
	/* The listing has the same entries (lookup found each). */
	uint64_t pos = 0;
	ext2_dirent_t ent;
	errno_t rc;
	while ((rc = ext2_readdir(fs, ino, &pos, &ent)) == EOK) {
		TAP_CHECK(ent.name_len == strlen(ent.name));
		if (strcmp(ent.name, "lost+found") != 0)
			fs_n++;
	}
	TAP_CHECK_EQ(rc, ENOENT);
	TAP_CHECK_EQ(fs_n, host_n);
	return true;
}

static bool image_case(uint32_t bs, uint32_t isz)
{
	char src[300], img[300], out[4096];
	ext2_info_t info;
	hdev_t d;
	ext2_fs_t *fs;

	snprintf(src, sizeof(src), "%s/src-%u-%u", scratch, bs, isz);
	snprintf(img, sizeof(img), "%s/img-%u-%u", scratch, bs, isz);
	TAP_CHECK(mkdir(src, 0755) == 0);
	TAP_CHECK(fixture_make(src, bs));
	TAP_CHECK(sh("mke2fs -q -F -t ext2 -b %u -I %u -d '%s' '%s' 32M > /dev/null 2>&1", bs, isz,
	              src, img) == 0);
	fs = mount_image(&d, img, 64, 0);
	TAP_CHECK(fs != NULL);
	ext2_info(fs, &info);
	TAP_CHECK_EQ(info.block_size, bs);
	TAP_CHECK_EQ(info.inode_size, isz);
	TAP_CHECK(!info.readonly);
	bool ok = compare_tree(fs, src, EXT2_ROOT_INO);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(ok);
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK(sh_out(out, sizeof(out), "dumpe2fs -h '%s' 2>/dev/null", img) == 0);
	TAP_CHECK(strstr(out, "Filesystem state:         clean\n") != NULL);
	TAP_CHECK(strstr(out, "Mount count:              1\n") != NULL);
	sh("rm -rf '%s' '%s'", src, img);
	return true;
}

static bool test_image_1k_128(void)
{
	return image_case(1024, 128);
}

static bool test_image_1k_256(void)
{
	return image_case(1024, 256);
}

static bool test_image_4k_128(void)
{
	return image_case(4096, 128);
}

static bool test_image_4k_256(void)
{
	return image_case(4096, 256);
}

/* Mounting @a img is refused with ENOTSUP naming @a feature; no byte changes. */
static bool refused_case(const char *mkfs_args, const char *feature)
{
	char img[300], why[200];
	ext2_host_t host;
	ext2_fs_t *fs;
	hdev_t d;

	snprintf(img, sizeof(img), "%s/refused", scratch);
	TAP_CHECK(sh("mke2fs -q -F %s '%s' 8M > /dev/null 2>&1", mkfs_args, img) == 0);
	TAP_CHECK(sh("cp '%s' '%s.orig'", img, img) == 0);
	TAP_CHECK(hdev_open(&d, img));
	hdev_host(&d, &host);
	TAP_CHECK_EQ(ext2_mount(&host, 64, 0, &fs, why, sizeof(why)), ENOTSUP);
	tap_diag("%s: %s", mkfs_args, why);
	TAP_CHECK(strstr(why, feature) != NULL);
	TAP_CHECK_EQ(d.writes, 0);
	hdev_close(&d);
	TAP_CHECK(sh("cmp -s '%s' '%s.orig'", img, img) == 0);
	sh("rm -f '%s' '%s.orig'", img, img);
	return true;
}

static bool test_refuse_extent(void)
{
	return refused_case("-t ext2 -O extent", "extent");
}

static bool test_refuse_ext4(void)
{
	return refused_case("-t ext4", "flex_bg") && refused_case("-t ext4", "extent");
}

static bool test_refuse_meta_bg(void)
{
	return refused_case("-t ext2 -O meta_bg,^resize_inode", "meta_bg");
}

/* An unknown read-only feature: mounted read-only, every change EROFS, no write. */
static bool test_readonly_feature(void)
{
	char img[300], why[200];
	ext2_host_t host;
	ext2_fs_t *fs;
	ext2_info_t info;
	uint32_t ino;
	size_t done;
	hdev_t d;

	snprintf(img, sizeof(img), "%s/rofeat", scratch);
	TAP_CHECK(sh("mke2fs -q -F -t ext2 -O huge_file '%s' 8M > /dev/null 2>&1", img) == 0);
	TAP_CHECK(sh("cp '%s' '%s.orig'", img, img) == 0);
	TAP_CHECK(hdev_open(&d, img));
	hdev_host(&d, &host);
	TAP_CHECK_EQ(ext2_mount(&host, 64, 0, &fs, why, sizeof(why)), EOK);
	tap_diag("%s", why);
	TAP_CHECK(strstr(why, "huge_file") != NULL);
	ext2_info(fs, &info);
	TAP_CHECK(info.readonly);
	TAP_CHECK_EQ(ext2_lookup(fs, EXT2_ROOT_INO, "lost+found", 10, &ino), EOK);
	TAP_CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, "x", 1, 0644, 0, 0, &ino), EROFS);
	TAP_CHECK_EQ(ext2_mkdir(fs, EXT2_ROOT_INO, "x", 1, 0755, 0, 0, &ino), EROFS);
	TAP_CHECK_EQ(ext2_rmdir(fs, EXT2_ROOT_INO, "lost+found", 10), EROFS);
	TAP_CHECK_EQ(ext2_write(fs, EXT2_ROOT_INO, 0, "x", 1, &done), EROFS);
	TAP_CHECK_EQ(ext2_sync(fs), EOK);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	TAP_CHECK_EQ(d.writes, 0);
	hdev_close(&d);
	TAP_CHECK(sh("cmp -s '%s' '%s.orig'", img, img) == 0);
	/* A read-only mount asked for writes nothing either. */
	fs = mount_image(&d, img, 16, EXT2_MOUNT_RDONLY);
	TAP_CHECK(fs != NULL);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	TAP_CHECK_EQ(d.writes, 0);
	hdev_close(&d);
	sh("rm -f '%s' '%s.orig'", img, img);
	return true;
}

static bool test_not_ext2(void)
{
	char img[300], why[200];
	ext2_host_t host;
	ext2_fs_t *fs;
	hdev_t d;

	snprintf(img, sizeof(img), "%s/zero", scratch);
	TAP_CHECK(sh("truncate -s 1M '%s'", img) == 0);
	TAP_CHECK(hdev_open(&d, img));
	hdev_host(&d, &host);
	TAP_CHECK_EQ(ext2_mount(&host, 64, 0, &fs, why, sizeof(why)), EINVAL);
	TAP_CHECK(strstr(why, "magic") != NULL);
	TAP_CHECK_EQ(ext2_mount(&host, 4, 0, &fs, why, sizeof(why)), EINVAL);
	TAP_CHECK_EQ(d.writes, 0);
	hdev_close(&d);
	return true;
}

/* A hash-indexed directory (e2fsck -D) is read, then changed (the flag goes). */
static bool test_indexed_dir(void)
{
	char src[300], img[300], p[400], out[4096];
	uint32_t dir, ino;
	ext2_fs_t *fs;
	hdev_t d;

	snprintf(src, sizeof(src), "%s/src-htree", scratch);
	snprintf(img, sizeof(img), "%s/img-htree", scratch);
	TAP_CHECK(sh("mkdir -p '%s/big'", src) == 0);
	for (int i = 0; i < 400; i++) {
		snprintf(p, sizeof(p), "%s/big/a-file-with-a-name-of-some-length-%04d", src, i);
		TAP_CHECK(write_file(p, 0, 10, (unsigned) i));
	}
	TAP_CHECK(
	    sh("mke2fs -q -F -t ext2 -b 1024 -d '%s' '%s' 8M > /dev/null 2>&1", src, img) == 0);
	/* e2fsck -D indexes it: exit 1 (changed). */
	TAP_CHECK(sh("e2fsck -fyD '%s' > /dev/null 2>&1", img) <= 1);
	TAP_CHECK(sh_out(out, sizeof(out), "debugfs -R 'htree /big' '%s' 2>&1", img) == 0);
	TAP_CHECK(strstr(out, "Not a hash-indexed") == NULL && strstr(out, "Root node") != NULL);
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK_EQ(ext2_path(fs, "/big", &dir), EOK);
	for (int i = 0; i < 400; i++) {
		snprintf(p, sizeof(p), "a-file-with-a-name-of-some-length-%04d", i);
		TAP_CHECK_EQ(ext2_lookup(fs, dir, p, strlen(p), &ino), EOK);
	}
	for (int i = 0; i < 400; i += 3) {
		snprintf(p, sizeof(p), "a-file-with-a-name-of-some-length-%04d", i);
		TAP_CHECK_EQ(ext2_unlink(fs, dir, p, strlen(p)), EOK);
	}
	for (int i = 0; i < 100; i++) {
		snprintf(p, sizeof(p), "new-%d", i);
		TAP_CHECK_EQ(ext2_create(fs, dir, p, strlen(p), 0644, 0, 0, &ino), EOK);
	}
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK(sh_out(out, sizeof(out), "debugfs -R 'htree /big' '%s' 2>&1", img) == 0);
	TAP_CHECK(strstr(out, "Not a hash-indexed") != NULL);
	TAP_CHECK(sh_out(out, sizeof(out), "debugfs -R 'ls /big' '%s' 2>&1 | wc -w", img) == 0);
	tap_diag("debugfs ls /big: %s words", out);
	sh("rm -rf '%s' '%s'", src, img);
	return true;
}

/* Visit the tree under @a dir to @a depth: stat, read, readlink everything. */
static void corrupt_walk(ext2_fs_t *fs, uint32_t dir, int depth, unsigned *budget)
{
	static uint8_t buf[8192];
	ext2_dirent_t ent;
	uint64_t pos = 0;

	while (*budget > 0 && ext2_readdir(fs, dir, &pos, &ent) == EOK) {
		ext2_stat_t st;
		uint32_t ino;
		size_t done;
		(*budget)--;
		if (ext2_lookup(fs, dir, ent.name, ent.name_len, &ino) != EOK ||
		    ext2_stat(fs, ino, &st) != EOK || ent.name[0] == '.')
			continue;
		if ((st.mode & EXT2_S_IFMT) == EXT2_S_IFDIR && depth > 0)
			corrupt_walk(fs, ino, depth - 1, budget);
		(void) ext2_read(fs, ino, 0, buf, sizeof(buf), &done);
		(void) ext2_read(
		    fs, ino, st.size > 5000 ? st.size - 5000 : 0, buf, sizeof(buf), &done);
		(void) ext2_readlink(fs, ino, (char *) buf, sizeof(buf), &done);
	}
}

/* Changes on a damaged volume: errors, never a crash. */
static void corrupt_change(ext2_fs_t *fs)
{
	static uint8_t buf[20000];
	uint32_t ino, dir;
	size_t done;

	if (ext2_create(fs, EXT2_ROOT_INO, "new", 3, 0644, 0, 0, &ino) == EOK)
		(void) ext2_write(fs, ino, 0, buf, sizeof(buf), &done);
	if (ext2_mkdir(fs, EXT2_ROOT_INO, "newdir", 6, 0755, 0, 0, &dir) == EOK)
		(void) ext2_rename(fs, EXT2_ROOT_INO, "new", 3, dir, "moved", 5);
	(void) ext2_unlink(fs, EXT2_ROOT_INO, "hello.txt", 9);
	(void) ext2_rename(fs, EXT2_ROOT_INO, "sizes", 5, EXT2_ROOT_INO, "many", 4);
	if (ext2_path(fs, "/sizes/s6", &ino) == EOK) {
		(void) ext2_truncate(fs, ino, 100);
		(void) ext2_write(fs, ino, 70000, buf, 5000, &done);
	}
	(void) ext2_rmdir(fs, EXT2_ROOT_INO, "deep", 4);
	(void) ext2_unlink(fs, EXT2_ROOT_INO, "fast", 4);
	(void) ext2_unlink(fs, EXT2_ROOT_INO, "slow", 4);
}

/*
 * Damaged volumes: random bytes of the metadata (superblock, group
 * descriptors, bitmaps, inode table, directories, indirect blocks) flipped
 * in 300 copies of an image.  Mounting may fail; whatever the library
 * then does ends in a result or an error, never in a crash, an
 * out-of-bounds access (ASan) or a hang.
 */
static bool test_corrupt_images(void)
{
	char src[300], img[300], bad[320], why[200];
	static uint8_t image[4 << 20];
	unsigned mounted = 0;
	prng_t rng;

	snprintf(src, sizeof(src), "%s/src-corrupt", scratch);
	snprintf(img, sizeof(img), "%s/img-corrupt", scratch);
	snprintf(bad, sizeof(bad), "%s.bad", img);
	TAP_CHECK(mkdir(src, 0755) == 0);
	TAP_CHECK(fixture_make(src, 1024));
	TAP_CHECK(sh("rm -rf '%s/sparse' '%s/many' && mke2fs -q -F -t ext2 -b 1024 -N 256 -d '%s' "
	             "'%s' 4M > /dev/null 2>&1",
	              src, src, src, img) == 0);
	FILE *f = fopen(img, "rb");
	TAP_CHECK(f != NULL);
	TAP_CHECK(fread(image, 1, sizeof(image), f) == sizeof(image));
	fclose(f);
	prng_seed(&rng, 2024);
	for (int round = 0; round < 300; round++) {
		int fd = open(bad, O_RDWR | O_CREAT | O_TRUNC, 0644);
		TAP_CHECK(fd >= 0);
		TAP_CHECK(write(fd, image, sizeof(image)) == (ssize_t) sizeof(image));
		/* Metadata lives in the first blocks; data from mke2fs -d follows. */
		int flips = 1 + (int) prng_below(&rng, 40);
		for (int i = 0; i < flips; i++) {
			uint8_t v = (uint8_t) prng_next(&rng);
			off_t at = (off_t) prng_below(
			    &rng, round % 3 == 0 ? 1024 * 1024 : 160 * 1024);
			TAP_CHECK(pwrite(fd, &v, 1, at) == 1);
		}
		close(fd);
		hdev_t d;
		ext2_host_t host;
		ext2_fs_t *fs;
		TAP_CHECK(hdev_open(&d, bad));
		hdev_host(&d, &host);
		if (ext2_mount(&host, 16, 0, &fs, why, sizeof(why)) == EOK) {
			unsigned budget = 3000;
			mounted++;
			corrupt_walk(fs, EXT2_ROOT_INO, 8, &budget);
			corrupt_change(fs);
			(void) ext2_unmount(fs);
		}
		hdev_close(&d);
	}
	tap_diag("300 damaged images, %u mounted", mounted);
	TAP_CHECK(mounted > 100);
	sh("rm -rf '%s' '%s' '%s'", src, img, bad);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "image_1k_128", test_image_1k_128 },
		{ "image_1k_256", test_image_1k_256 },
		{ "image_4k_128", test_image_4k_128 },
		{ "image_4k_256", test_image_4k_256 },
		{ "refuse_extent", test_refuse_extent },
		{ "refuse_ext4", test_refuse_ext4 },
		{ "refuse_meta_bg", test_refuse_meta_bg },
		{ "readonly_feature", test_readonly_feature },
		{ "not_ext2", test_not_ext2 },
		{ "indexed_dir", test_indexed_dir },
		{ "corrupt_images", test_corrupt_images },
	};
	return scratch_tap_run(scratch, sizeof(scratch), cases, sizeof(cases) / sizeof(cases[0]));
}
