/*
 * lib/ext2 changing volumes made by mke2fs at test time, each checked
 * afterwards with e2fsck -fn (exit 0) and read back with debugfs:
 *
 * - namespace calls and their errors (EEXIST, ENOENT, ENOTDIR, EISDIR,
 *   ENOTEMPTY, ENAMETOOLONG at 256 bytes, EINVAL, EPERM) and POSIX rename;
 * - a file through the double and into the triple indirect block, written
 *   and read back at its end, truncated down with i_blocks exact;
 * - sparse files: holes read as zeros, i_blocks counts only what is there,
 *   truncating down and up leaves zeros;
 * - filling the volume: ENOSPC with a short write, nothing corrupt, and
 *   all space back after deleting;
 * - inodes the host still has open (the busy hook) survive their last
 *   unlink until released;
 * - an inode number given out again gets the next generation, on the disk;
 * - device nodes and FIFOs are removed without freeing their device
 *   numbers as blocks;
 * - the superblock's state and mount count: not clean while mounted (what
 *   a crash after a sync leaves passes e2fsck), clean after unmount;
 * - file data in runs past the cache, never past a cached block;
 * - ext2_file_map for a host doing its own I/O: dirty cached blocks reach
 *   the device first, the host's writes are what the library reads, holes
 *   are filled through the indirect blocks.
 *
 * test_ext2_torture.c has the random torture.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <lib/prng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ext2_host.h"
#include "tap.h"

#define ROOT EXT2_ROOT_INO

static char scratch[256];

/* What debugfs -R "cat PATH" prints equals @a data. */
static bool debugfs_cat_equal(const char *img, const char *path, const void *data, size_t len)
{
	char out[600];
	int rc;

	snprintf(out, sizeof(out), "%s.cat", img);
	rc = sh("debugfs -R 'cat \"%s\"' '%s' > '%s' 2>/dev/null", path, img, out);
	TAP_CHECK_EQ(rc, 0);
	FILE *f = fopen(out, "rb");
	TAP_CHECK(f != NULL);
	uint8_t *buf = malloc(len + 1);
	size_t got = fread(buf, 1, len + 1, f);
	fclose(f);
	unlink(out);
	bool same = got == len && memcmp(buf, data, len) == 0;
	free(buf);
	if (!same)
		tap_diag("debugfs cat %s: %zu bytes, expected %zu", path, got, len);
	return same;
}

static uint32_t mk(ext2_fs_t *fs, uint32_t dir, const char *name, bool isdir)
{
	uint32_t ino = 0;
	errno_t rc = isdir ? ext2_mkdir(fs, dir, name, strlen(name), 0755, 1000, 1000, &ino)
	                   : ext2_create(fs, dir, name, strlen(name), 0644, 1000, 1000, &ino);
	if (rc != EOK)
		tap_diag("make %s: %s", name, errno_name(rc));
	return rc == EOK ? ino : 0;
}

static uint16_t links_of(ext2_fs_t *fs, uint32_t ino)
{
	ext2_stat_t st;

	return ext2_stat(fs, ino, &st) == EOK ? st.links : 0xffff;
}

#define N(s) (s), strlen(s)

/* The names of the namespace test's volume. */
typedef struct ns {
	ext2_fs_t *fs;
	uint32_t a, b, f, g, sub;
	char name[300];
} ns_t;

/* Directories a and b, file a/f; names and their errors. */
static bool ns_names(ns_t *c)
{
	ext2_fs_t *fs = c->fs;
	char *name = c->name;
	uint32_t a, b, f, g, ino;
	size_t done;

	TAP_CHECK((a = mk(fs, ROOT, "a", true)) != 0);
	TAP_CHECK((b = mk(fs, ROOT, "b", true)) != 0);
	TAP_CHECK((f = mk(fs, a, "f", false)) != 0);
	TAP_CHECK_EQ(links_of(fs, ROOT), 5); /* ., .., lost+found, a, b */
	TAP_CHECK_EQ(links_of(fs, a), 2);
	TAP_CHECK_EQ(ext2_write(fs, f, 0, "content", 7, &done), EOK);
	/* Names: 255 bytes fit, 256 do not; bad ones. */
	memset(name, 'n', 256);
	TAP_CHECK_EQ(ext2_create(fs, a, name, 255, 0644, 0, 0, &ino), EOK);
	TAP_CHECK_EQ(ext2_lookup(fs, a, name, 255, &g), EOK);
	TAP_CHECK_EQ(g, ino);
	TAP_CHECK_EQ(ext2_create(fs, a, name, 256, 0644, 0, 0, &ino), ENAMETOOLONG);
	TAP_CHECK_EQ(ext2_lookup(fs, a, name, 256, &ino), ENAMETOOLONG);
	TAP_CHECK_EQ(ext2_mkdir(fs, a, name, 256, 0755, 0, 0, &ino), ENAMETOOLONG);
	TAP_CHECK_EQ(ext2_create(fs, a, N("x/y"), 0644, 0, 0, &ino), EINVAL);
	TAP_CHECK_EQ(ext2_create(fs, a, "", 0, 0644, 0, 0, &ino), ENOENT);
	TAP_CHECK_EQ(ext2_create(fs, a, N("f"), 0644, 0, 0, &ino), EEXIST);
	TAP_CHECK_EQ(ext2_mkdir(fs, a, N("."), 0755, 0, 0, &ino), EEXIST);
	TAP_CHECK_EQ(ext2_mkdir(fs, a, N(".."), 0755, 0, 0, &ino), EEXIST);
	TAP_CHECK_EQ(ext2_create(fs, f, N("x"), 0644, 0, 0, &ino), ENOTDIR);
	TAP_CHECK_EQ(ext2_lookup(fs, a, N("nope"), &ino), ENOENT);
	TAP_CHECK_EQ(ext2_lookup(fs, f, N("x"), &ino), ENOTDIR);
	TAP_CHECK_EQ(ext2_lookup(fs, a, N(".."), &ino), EOK);
	TAP_CHECK_EQ(ino, ROOT);
	TAP_CHECK_EQ(ext2_stat(fs, 7, (ext2_stat_t[1]){ 0 }), ENOENT); /* the resize inode */
	TAP_CHECK_EQ(ext2_stat(fs, 200, (ext2_stat_t[1]){ 0 }), ENOENT); /* free */
	TAP_CHECK_EQ(ext2_stat(fs, 100000, (ext2_stat_t[1]){ 0 }), ENOENT);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("a")), EISDIR);
	TAP_CHECK_EQ(ext2_rmdir(fs, a, N("f")), ENOTDIR);
	TAP_CHECK_EQ(ext2_rmdir(fs, ROOT, N("a")), ENOTEMPTY);
	TAP_CHECK_EQ(ext2_rmdir(fs, a, N(".")), EINVAL);
	TAP_CHECK_EQ(ext2_unlink(fs, a, N("nope")), ENOENT);
	TAP_CHECK_EQ(ext2_write(fs, a, 0, "x", 1, &done), EISDIR);
	TAP_CHECK_EQ(ext2_truncate(fs, a, 0), EISDIR);
	c->a = a;
	c->b = b;
	c->f = f;
	return true;
}

/* Hard links and rename as POSIX has it, with the link counts. */
static bool ns_rename(ns_t *c)
{
	ext2_fs_t *fs = c->fs;
	uint32_t a = c->a, b = c->b, f = c->f, g, ino, sub;

	/* Links. */
	TAP_CHECK_EQ(ext2_link(fs, b, N("f2"), f), EOK);
	TAP_CHECK_EQ(links_of(fs, f), 2);
	TAP_CHECK_EQ(ext2_link(fs, b, N("f2"), f), EEXIST);
	TAP_CHECK_EQ(ext2_link(fs, b, N("dirlink"), a), EPERM);
	/* Rename: onto another name of the same inode does nothing. */
	TAP_CHECK_EQ(ext2_rename(fs, a, N("f"), b, N("f2")), EOK);
	TAP_CHECK_EQ(links_of(fs, f), 2);
	TAP_CHECK_EQ(ext2_lookup(fs, a, N("f"), &ino), EOK);
	/* A file replaces a file; the replaced one loses a link. */
	TAP_CHECK((g = mk(fs, b, "g", false)) != 0);
	TAP_CHECK_EQ(ext2_rename(fs, b, N("g"), a, N("f")), EOK);
	TAP_CHECK_EQ(links_of(fs, f), 1);
	TAP_CHECK_EQ(ext2_lookup(fs, a, N("f"), &ino), EOK);
	TAP_CHECK_EQ(ino, g);
	TAP_CHECK_EQ(ext2_lookup(fs, b, N("g"), &ino), ENOENT);
	/* Kinds must match; a directory only replaces an empty one. */
	TAP_CHECK((sub = mk(fs, a, "sub", true)) != 0);
	TAP_CHECK_EQ(ext2_rename(fs, a, N("f"), a, N("sub")), EISDIR);
	TAP_CHECK_EQ(ext2_rename(fs, a, N("sub"), b, N("f2")), ENOTDIR);
	TAP_CHECK_EQ(ext2_rename(fs, ROOT, N("b"), ROOT, N("a")), ENOTEMPTY);
	/* Not into itself or below. */
	TAP_CHECK_EQ(ext2_rename(fs, ROOT, N("a"), sub, N("x")), EINVAL);
	TAP_CHECK_EQ(ext2_rename(fs, ROOT, N("a"), a, N("x")), EINVAL);
	TAP_CHECK_EQ(ext2_rename(fs, ROOT, N("a"), ROOT, N("..")), EINVAL);
	TAP_CHECK_EQ(ext2_rename(fs, ROOT, N("nope"), ROOT, N("x")), ENOENT);
	/* A directory moves: ".." and both parents' link counts follow. */
	TAP_CHECK_EQ(ext2_rename(fs, a, N("sub"), b, N("moved")), EOK);
	TAP_CHECK_EQ(links_of(fs, a), 2);
	TAP_CHECK_EQ(links_of(fs, b), 3);
	TAP_CHECK_EQ(ext2_lookup(fs, sub, N(".."), &ino), EOK);
	TAP_CHECK_EQ(ino, b);
	/* A directory replaces an empty one elsewhere. */
	TAP_CHECK(mk(fs, a, "empty", true) != 0);
	TAP_CHECK_EQ(links_of(fs, a), 3);
	TAP_CHECK_EQ(ext2_rename(fs, b, N("moved"), a, N("empty")), EOK);
	TAP_CHECK_EQ(links_of(fs, a), 3);
	TAP_CHECK_EQ(links_of(fs, b), 2);
	TAP_CHECK_EQ(ext2_lookup(fs, a, N("empty"), &ino), EOK);
	TAP_CHECK_EQ(ino, sub);
	/* Within one directory. */
	TAP_CHECK_EQ(ext2_rename(fs, a, N("empty"), a, N("renamed")), EOK);
	TAP_CHECK_EQ(links_of(fs, a), 3);
	c->g = g;
	c->sub = sub;
	return true;
}

/* Symlinks fast and slow, readlink, setattr. */
static bool ns_symlinks(ns_t *c)
{
	ext2_fs_t *fs = c->fs;
	uint32_t b = c->b, f = c->f, g = c->g, ino;

	/* Symlinks fast and slow; too long. */
	char target[1100];
	memset(target, 't', sizeof(target));
	TAP_CHECK_EQ(ext2_symlink(fs, b, N("s59"), target, 59, 0, 0, &ino), EOK);
	TAP_CHECK_EQ(ext2_symlink(fs, b, N("s60"), target, 60, 0, 0, &ino), EOK);
	TAP_CHECK_EQ(ext2_symlink(fs, b, N("s1023"), target, 1023, 0, 0, &ino), EOK);
	TAP_CHECK_EQ(ext2_symlink(fs, b, N("s1024"), target, 1024, 0, 0, &ino), ENAMETOOLONG);
	TAP_CHECK_EQ(ext2_symlink(fs, b, N("s0"), target, 0, 0, 0, &ino), ENOENT);
	char buf[1100];
	size_t len;
	TAP_CHECK_EQ(ext2_readlink(fs, ino, buf, sizeof(buf), &len), EOK);
	TAP_CHECK_EQ(len, 1023);
	TAP_CHECK(memcmp(buf, target, 1023) == 0 && buf[1023] == '\0');
	TAP_CHECK_EQ(ext2_readlink(fs, f, buf, sizeof(buf), &len), EINVAL);
	TAP_CHECK_EQ(ext2_unlink(fs, b, N("s59")), EOK);
	/* setattr */
	ext2_attr_t attr = { .mode = 0640, .uid = 70000, .gid = 5, .mtime = 1234 };
	ext2_stat_t st;
	TAP_CHECK_EQ(ext2_setattr(fs, g, &attr,
	                 EXT2_ATTR_MODE | EXT2_ATTR_UID | EXT2_ATTR_GID | EXT2_ATTR_MTIME),
	    EOK);
	TAP_CHECK_EQ(ext2_stat(fs, g, &st), EOK);
	TAP_CHECK_EQ(st.mode, EXT2_S_IFREG | 0640);
	TAP_CHECK_EQ(st.uid, 70000);
	TAP_CHECK_EQ(st.gid, 5);
	TAP_CHECK_EQ(st.mtime, 1234);
	return true;
}

static bool test_namespace(void)
{
	static ns_t c;
	char img[300];
	hdev_t d;
	bool ok;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "ns", "-b 1024 -I 128 -N 256", "4M"));
	c.fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(c.fs != NULL);
	ok = ns_names(&c) && ns_rename(&c) && ns_symlinks(&c);
	TAP_CHECK_EQ(ext2_unmount(c.fs), EOK);
	hdev_close(&d);
	TAP_CHECK(ok);
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK(debugfs_cat_equal(img, "/b/f2", "content", 7));
	char out[2048];
	TAP_CHECK(
	    sh_out(out, sizeof(out), "debugfs -R 'stat /b/s1023' '%s' 2>/dev/null", img) == 0);
	TAP_CHECK(strstr(out, "Type: symlink") != NULL);
	TAP_CHECK(sh_out(out, sizeof(out), "debugfs -R 'ls -l /a' '%s' 2>/dev/null", img) == 0);
	TAP_CHECK(strstr(out, c.name) == NULL); /* (255 n's followed by more n's: no) */
	unlink(img);
	return true;
}

/* Bytes of the pattern at file offset @a off (never zero). */
static uint8_t pattern(uint64_t off, unsigned seed)
{
	return (uint8_t) (1 + (off * 7 + off / 1021 + seed) % 251);
}

static bool write_pattern(ext2_fs_t *fs, uint32_t ino, uint64_t off, size_t len, unsigned seed)
{
	static uint8_t buf[1 << 20];
	size_t done;

	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i, seed);
		TAP_CHECK_EQ(ext2_write(fs, ino, off, buf, n, &done), EOK);
		TAP_CHECK_EQ(done, n);
		off += n;
		len -= n;
	}
	return true;
}

static bool check_pattern(ext2_fs_t *fs, uint32_t ino, uint64_t off, size_t len, unsigned seed)
{
	static uint8_t buf[1 << 20];
	size_t done;

	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		TAP_CHECK_EQ(ext2_read(fs, ino, off, buf, n, &done), EOK);
		TAP_CHECK_EQ(done, n);
		for (size_t i = 0; i < n; i++) {
			if (buf[i] != pattern(off + i, seed)) {
				tap_diag("byte %llu: %u, expected %u",
				    (unsigned long long) (off + i), buf[i], pattern(off + i, seed));
				return false;
			}
		}
		off += n;
		len -= n;
	}
	return true;
}

static bool check_zero(ext2_fs_t *fs, uint32_t ino, uint64_t off, size_t len)
{
	static uint8_t buf[1 << 16];
	size_t done;

	TAP_CHECK(len <= sizeof(buf));
	TAP_CHECK_EQ(ext2_read(fs, ino, off, buf, len, &done), EOK);
	TAP_CHECK_EQ(done, len);
	for (size_t i = 0; i < len; i++)
		TAP_CHECK(buf[i] == 0);
	return true;
}

static uint64_t blocks_of(ext2_fs_t *fs, uint32_t ino)
{
	ext2_stat_t st;

	return ext2_stat(fs, ino, &st) == EOK ? st.blocks : ~0ull;
}

/* The double indirect range, the triple, the end, and truncating down. */
static bool test_big_file(void)
{
	const uint64_t p = 256, dind = (12 + p) * 1024, tind = (12 + p + p * p) * 1024;
	char img[300];
	ext2_info_t before, after;
	ext2_fs_t *fs;
	uint32_t ino;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "big", "-b 1024 -I 256", "64M"));
	fs = mount_image(&d, img, 64, 0);
	TAP_CHECK(fs != NULL);
	ext2_info(fs, &before);
	TAP_CHECK((ino = mk(fs, ROOT, "big", false)) != 0);
	/* Contiguous from 0 to past the start of the double indirect range. */
	TAP_CHECK(write_pattern(fs, ino, 0, (size_t) dind + 300000, 1));
	/* Blocks: data + 1 single + 1 double + its singles. */
	uint64_t data = (dind + 300000 + 1023) / 1024, dsingles = (data - 12 - p + p - 1) / p;
	TAP_CHECK_EQ(blocks_of(fs, ino), (data + 1 + 1 + dsingles) * 2);
	/* Into the triple indirect range, sparse, and read back at the end. */
	TAP_CHECK(write_pattern(fs, ino, tind + 5000, 70000, 2));
	TAP_CHECK(check_pattern(fs, ino, tind + 5000, 70000, 2));
	TAP_CHECK(check_pattern(fs, ino, 0, (size_t) dind + 300000, 1));
	TAP_CHECK(check_zero(fs, ino, dind + 300000, 60000));
	TAP_CHECK(check_zero(fs, ino, tind - 10000, 15000));
	ext2_stat_t st;
	TAP_CHECK_EQ(ext2_stat(fs, ino, &st), EOK);
	TAP_CHECK_EQ(st.size, tind + 75000);
	uint64_t tdata = (tind + 75000 + 1023) / 1024 - tind / 1024 - 4; /* blocks 4..72 of it */
	(void) tdata;
	TAP_CHECK_EQ(ext2_sync(fs), EOK);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	/* debugfs sees the end of the file. */
	{
		char out[600];
		snprintf(out, sizeof(out), "%s.whole", img);
		TAP_CHECK(sh("debugfs -R 'dump /big %s' '%s' > /dev/null 2>&1", out, img) == 0);
		FILE *f = fopen(out, "rb");
		TAP_CHECK(f != NULL);
		TAP_CHECK(fseek(f, (long) (tind + 5000), SEEK_SET) == 0);
		for (uint64_t i = 0; i < 70000; i++)
			TAP_CHECK(fgetc(f) == pattern(tind + 5000 + i, 2));
		TAP_CHECK(fgetc(f) == EOF);
		fclose(f);
		unlink(out);
	}
	/* Truncate down into the double range: i_blocks exact again. */
	fs = mount_image(&d, img, 64, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK_EQ(ext2_truncate(fs, ino, dind + 100000), EOK);
	data = (dind + 100000 + 1023) / 1024;
	dsingles = (data - 12 - p + p - 1) / p;
	TAP_CHECK_EQ(blocks_of(fs, ino), (data + 1 + 1 + dsingles) * 2);
	TAP_CHECK(check_pattern(fs, ino, dind, 100000, 1));
	/* Down into the direct blocks, then up again: zeros after the cut. */
	TAP_CHECK_EQ(ext2_truncate(fs, ino, 5000), EOK);
	TAP_CHECK_EQ(blocks_of(fs, ino), 5 * 2);
	TAP_CHECK_EQ(ext2_truncate(fs, ino, 3 * dind), EOK);
	TAP_CHECK_EQ(blocks_of(fs, ino), 5 * 2);
	TAP_CHECK(check_pattern(fs, ino, 0, 5000, 1));
	TAP_CHECK(check_zero(fs, ino, 5000, 20000));
	TAP_CHECK(check_zero(fs, ino, 3 * dind - 1000, 1000));
	/* Past what the tree can address: EFBIG. */
	TAP_CHECK_EQ(ext2_truncate(fs, ino, (12 + p + p * p + p * p * p) * 1024 + 1), EFBIG);
	size_t done;
	TAP_CHECK_EQ(
	    ext2_write(fs, ino, (12 + p + p * p + p * p * p) * 1024, "x", 1, &done), EFBIG);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("big")), EOK);
	ext2_info(fs, &after);
	TAP_CHECK_EQ(after.free_blocks, before.free_blocks);
	TAP_CHECK_EQ(after.free_inodes, before.free_inodes);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	unlink(img);
	return true;
}

static bool test_sparse(void)
{
	char img[300];
	ext2_fs_t *fs;
	uint32_t ino;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "sparse", "-b 4096 -I 256", "32M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK((ino = mk(fs, ROOT, "sparse", false)) != 0);
	/* Three islands: block 0, block 20 (single), block 2000 (double). */
	TAP_CHECK(write_pattern(fs, ino, 100, 10, 3));
	TAP_CHECK(write_pattern(fs, ino, 20 * 4096 + 4000, 96, 4));
	TAP_CHECK(write_pattern(fs, ino, 2000ull * 4096, 4096, 5));
	/* 3 data blocks, a single, a double and one of its singles. */
	TAP_CHECK_EQ(blocks_of(fs, ino), 6 * 8);
	TAP_CHECK(check_zero(fs, ino, 0, 100));
	TAP_CHECK(check_zero(fs, ino, 110, 65536));
	TAP_CHECK(check_zero(fs, ino, 20 * 4096, 4000));
	TAP_CHECK(check_zero(fs, ino, 1999ull * 4096, 4096));
	TAP_CHECK(check_pattern(fs, ino, 2000ull * 4096, 4096, 5));
	/* Truncating inside a block zeroes its tail for a later growth. */
	TAP_CHECK_EQ(ext2_truncate(fs, ino, 20 * 4096 + 4050), EOK);
	TAP_CHECK_EQ(blocks_of(fs, ino), 3 * 8);
	TAP_CHECK_EQ(ext2_truncate(fs, ino, 50 * 4096), EOK);
	TAP_CHECK(check_pattern(fs, ino, 20 * 4096 + 4000, 50, 4));
	TAP_CHECK(check_zero(fs, ino, 20 * 4096 + 4050, 46));
	TAP_CHECK(check_zero(fs, ino, 21 * 4096, 29 * 4096 > 65536 ? 65536 : 29 * 4096));
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	char out[4096];
	TAP_CHECK(sh_out(out, sizeof(out), "debugfs -R 'stat /sparse' '%s' 2>/dev/null", img) == 0);
	TAP_CHECK(strstr(out, "Blockcount: 24") != NULL);
	unlink(img);
	return true;
}

/* Fill the volume: ENOSPC, a short write, nothing corrupt; deleting gives it all back. */
static bool test_fill(void)
{
	static uint8_t buf[256 * 1024];
	char img[300], name[32];
	ext2_info_t before, full, after;
	ext2_fs_t *fs;
	uint32_t ino, big;
	size_t done;
	errno_t rc;
	hdev_t d;
	int files = 0;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "fill", "-b 1024 -I 128 -N 64", "3M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	ext2_info(fs, &before);
	memset(buf, 0x5a, sizeof(buf));
	TAP_CHECK((big = mk(fs, ROOT, "big", false)) != 0);
	uint64_t off = 0;
	for (;;) {
		rc = ext2_write(fs, big, off, buf, sizeof(buf), &done);
		off += done;
		if (rc != EOK)
			break;
	}
	TAP_CHECK_EQ(rc, ENOSPC);
	tap_diag("wrote %llu bytes before ENOSPC", (unsigned long long) off);
	ext2_stat_t st;
	TAP_CHECK_EQ(ext2_stat(fs, big, &st), EOK);
	TAP_CHECK_EQ(st.size, off);
	ext2_info(fs, &full);
	TAP_CHECK_EQ(full.free_blocks, 0);
	TAP_CHECK_EQ(ext2_write(fs, big, off, buf, 1, &done), ENOSPC);
	TAP_CHECK_EQ(done, 0);
	/* Files still come while inodes last (no block needed for empty ones). */
	for (;;) {
		snprintf(name, sizeof(name), "empty-file-number-%d", files);
		rc = ext2_create(fs, ROOT, name, strlen(name), 0644, 0, 0, &ino);
		if (rc != EOK)
			break;
		files++;
	}
	TAP_CHECK(rc == ENOSPC);
	TAP_CHECK_EQ(ext2_mkdir(fs, ROOT, N("dir"), 0755, 0, 0, &ino), ENOSPC);
	TAP_CHECK_EQ(ext2_symlink(fs, ROOT, N("sym"), (const char *) buf, 100, 0, 0, &ino), ENOSPC);
	tap_diag("%d empty files made", files);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	/* Delete everything: the counts are what they were. */
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("big")), EOK);
	for (int i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "empty-file-number-%d", i);
		TAP_CHECK_EQ(ext2_unlink(fs, ROOT, name, strlen(name)), EOK);
	}
	ext2_info(fs, &after);
	/* The root directory may have grown by blocks for the names. */
	TAP_CHECK_EQ(after.free_inodes, before.free_inodes);
	TAP_CHECK(after.free_blocks + 16 >= before.free_blocks);
	TAP_CHECK(after.free_blocks <= before.free_blocks);
	TAP_CHECK((big = mk(fs, ROOT, "again", false)) != 0);
	TAP_CHECK(write_pattern(fs, big, 0, (size_t) off - 20 * 1024, 9));
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	unlink(img);
	return true;
}

/* The host still has it open: the last unlink keeps it until released. */
static bool test_busy(void)
{
	char img[300];
	ext2_info_t before, after;
	ext2_fs_t *fs;
	uint32_t f, dir;
	hdev_t d;
	ext2_stat_t st;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "busy", "-b 1024", "4M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	ext2_info(fs, &before);
	TAP_CHECK((f = mk(fs, ROOT, "open", false)) != 0);
	TAP_CHECK((dir = mk(fs, ROOT, "opendir", true)) != 0);
	TAP_CHECK(write_pattern(fs, f, 0, 30000, 1));
	d.busy[d.nbusy++] = f;
	d.busy[d.nbusy++] = dir;
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("open")), EOK);
	TAP_CHECK_EQ(ext2_rmdir(fs, ROOT, N("opendir")), EOK);
	TAP_CHECK_EQ(ext2_lookup(fs, ROOT, N("open"), &f), ENOENT);
	TAP_CHECK_EQ(ext2_stat(fs, f, &st), EOK);
	TAP_CHECK_EQ(st.links, 0);
	TAP_CHECK(check_pattern(fs, f, 0, 30000, 1));
	TAP_CHECK(write_pattern(fs, f, 30000, 1000, 1));
	TAP_CHECK_EQ(ext2_create(fs, dir, N("x"), 0644, 0, 0, &f), ENOENT);
	TAP_CHECK_EQ(ext2_link(fs, ROOT, N("back"), f), ENOENT);
	TAP_CHECK_EQ(ext2_inode_release(fs, f), EOK);
	TAP_CHECK_EQ(ext2_inode_release(fs, dir), EOK);
	TAP_CHECK_EQ(ext2_stat(fs, f, &st), ENOENT);
	ext2_info(fs, &after);
	TAP_CHECK_EQ(after.free_blocks, before.free_blocks);
	TAP_CHECK_EQ(after.free_inodes, before.free_inodes);
	/* Releasing an inode that still has links changes nothing. */
	TAP_CHECK((f = mk(fs, ROOT, "kept", false)) != 0);
	TAP_CHECK_EQ(ext2_inode_release(fs, f), EOK);
	TAP_CHECK_EQ(ext2_stat(fs, f, &st), EOK);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	unlink(img);
	return true;
}

/* An inode number freed and given out again gets the next generation,
 * kept on the disk (debugfs reads it, a second mount finds it); the freed
 * record keeps its generation, so this holds across mounts too. */
static bool test_generation(void)
{
	char img[300];
	uint32_t a, b, ga, gfree, gb;
	ext2_stat_t st;
	ext2_fs_t *fs;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "gen", "-b 1024", "4M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK((a = mk(fs, ROOT, "a", false)) != 0);
	TAP_CHECK_EQ(ext2_stat(fs, a, &st), EOK);
	ga = st.generation;
	TAP_CHECK(write_pattern(fs, a, 0, 5000, 3));
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("a")), EOK);
	TAP_CHECK_EQ(ext2_inode_generation(fs, a, &gfree), EOK);
	TAP_CHECK_EQ(gfree, ga);
	TAP_CHECK((b = mk(fs, ROOT, "b", false)) != 0);
	TAP_CHECK_EQ(b, a); /* the allocator takes the lowest free number */
	TAP_CHECK_EQ(ext2_stat(fs, b, &st), EOK);
	gb = st.generation;
	TAP_CHECK_EQ(gb, ga + 1);
	TAP_CHECK_EQ(st.size, 0);
	TAP_CHECK_EQ(ext2_inode_generation(fs, 0, &gfree), ENOENT);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK_EQ(
	    sh("debugfs -R 'stat /b' '%s' 2>/dev/null | grep -q 'Generation: %u '", img, gb), 0);
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("b")), EOK);
	TAP_CHECK_EQ(mk(fs, ROOT, "c", false), b);
	TAP_CHECK_EQ(ext2_stat(fs, b, &st), EOK);
	TAP_CHECK_EQ(st.generation, gb + 1);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	unlink(img);
	return true;
}

/* Device nodes and FIFOs made by debugfs: looked up, renamed, removed
 * (their i_block holds a device number, not blocks to free). */
static bool test_special_files(void)
{
	char img[300];
	ext2_info_t before, after;
	ext2_stat_t st;
	ext2_fs_t *fs;
	uint32_t ino;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "special", "-b 1024", "4M"));
	TAP_CHECK(sh("debugfs -w -R 'mknod cdev c 1 3' '%s' > /dev/null 2>&1 && "
	             "debugfs -w -R 'mknod bdev b 0 300' '%s' > /dev/null 2>&1 && "
	             "debugfs -w -R 'mknod fifo p' '%s' > /dev/null 2>&1",
	              img, img, img) == 0);
	TAP_CHECK(fsck_clean(img));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	ext2_info(fs, &before);
	TAP_CHECK_EQ(ext2_lookup(fs, ROOT, N("cdev"), &ino), EOK);
	TAP_CHECK_EQ(ext2_stat(fs, ino, &st), EOK);
	TAP_CHECK_EQ(st.mode & EXT2_S_IFMT, EXT2_S_IFCHR);
	TAP_CHECK_EQ(ext2_rename(fs, ROOT, N("cdev"), ROOT, N("null")), EOK);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("null")), EOK);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("bdev")), EOK);
	TAP_CHECK_EQ(ext2_lookup(fs, ROOT, N("fifo"), &ino), EOK);
	TAP_CHECK_EQ(ext2_read(fs, ino, 0, &st, 1, (size_t[1]){ 0 }), EINVAL);
	TAP_CHECK_EQ(ext2_unlink(fs, ROOT, N("fifo")), EOK);
	ext2_info(fs, &after);
	TAP_CHECK_EQ(after.free_blocks, before.free_blocks);
	TAP_CHECK_EQ(after.free_inodes, before.free_inodes + 3);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	unlink(img);
	return true;
}

/* ext2_file_map: a host doing its own I/O sees the latest data on the
 * device and the library sees what the host wrote there. */
static bool test_file_map(void)
{
	static uint8_t buf[1024], expect[301 * 1024];
	uint32_t blks[300], mapped, ino;
	char img[300];
	ext2_fs_t *fs;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "map", "-b 1024", "8M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK((ino = mk(fs, ROOT, "mapped", false)) != 0);
	TAP_CHECK(write_pattern(fs, ino, 0, 5000, 1));
	for (size_t i = 0; i < 5000; i++)
		expect[i] = pattern(i, 1);
	/* The tail block went through the cache: the device has it too. */
	TAP_CHECK_EQ(ext2_file_map(fs, ino, 0, 6, false, blks, &mapped), EOK);
	TAP_CHECK_EQ(mapped, 6);
	TAP_CHECK(blks[4] != 0 && blks[5] == 0);
	for (uint32_t i = 0; i < 5; i++) {
		TAP_CHECK(pread(d.fd, buf, 1024, (off_t) blks[i] * 1024) == 1024);
		TAP_CHECK(memcmp(buf, expect + i * 1024, i < 4 ? 1024 : 5000 - 4096) == 0);
	}
	/* The host writes the device: the library reads that, not a stale copy. */
	memset(expect + 1024, 0xee, 1024);
	TAP_CHECK(pwrite(d.fd, expect + 1024, 1024, (off_t) blks[1] * 1024) == 1024);
	TAP_CHECK_EQ(ext2_read(fs, ino, 1024, buf, 1024, (size_t[1]){ 0 }), EOK);
	TAP_CHECK(memcmp(buf, expect + 1024, 1024) == 0);
	/* Filling holes through the single and into the double indirect block. */
	uint64_t before = blocks_of(fs, ino);
	TAP_CHECK_EQ(ext2_file_map(fs, ino, 10, 291, false, blks, &mapped), EOK);
	TAP_CHECK(blks[0] == 0 && blks[290] == 0);
	TAP_CHECK_EQ(ext2_file_map(fs, ino, 10, 291, true, blks, &mapped), EOK);
	TAP_CHECK_EQ(mapped, 291);
	TAP_CHECK_EQ(blocks_of(fs, ino), before + (291 + 3) * 2);
	for (uint32_t i = 0; i < 291; i++) {
		TAP_CHECK(blks[i] != 0 && (i == 0 || blks[i] != blks[i - 1]));
		memset(expect + (10 + i) * 1024, (int) (i % 250 + 1), 1024);
		TAP_CHECK(
		    pwrite(d.fd, expect + (10 + i) * 1024, 1024, (off_t) blks[i] * 1024) == 1024);
	}
	TAP_CHECK_EQ(ext2_truncate(fs, ino, sizeof(expect)), EOK);
	TAP_CHECK_EQ(ext2_file_map(fs, ino, 0, 1, false, blks, &mapped), EOK);
	TAP_CHECK_EQ(ext2_file_map(fs, ROOT, 0, 1, false, blks, &mapped), EISDIR);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK(debugfs_cat_equal(img, "/mapped", expect, sizeof(expect)));
	unlink(img);
	return true;
}

/* The superblock's state: not clean while mounted (a copy taken after a
 * sync is what a crash leaves: e2fsck sees it was not unmounted, finds
 * nothing else), clean after unmount; a volume found not clean stays so. */
static bool test_state(void)
{
	char img[300], crash[320], out[8192];
	ext2_fs_t *fs;
	uint32_t ino;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "state", "-b 4096", "8M"));
	snprintf(crash, sizeof(crash), "%s.crash", img);
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK((ino = mk(fs, ROOT, "synced", false)) != 0);
	TAP_CHECK(write_pattern(fs, ino, 0, 50000, 3));
	TAP_CHECK_EQ(ext2_sync(fs), EOK);
	TAP_CHECK(d.flushes > 0);
	TAP_CHECK(sh("cp '%s' '%s'", img, crash) == 0);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(sh_out(out, sizeof(out), "dumpe2fs -h '%s' 2>/dev/null", crash) == 0);
	TAP_CHECK(strstr(out, "Filesystem state:         not clean\n") != NULL);
	TAP_CHECK(strstr(out, "Mount count:              1\n") != NULL);
	TAP_CHECK(fsck_clean(crash));
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK(sh_out(out, sizeof(out), "dumpe2fs -h '%s' 2>/dev/null", img) == 0);
	TAP_CHECK(strstr(out, "Filesystem state:         clean\n") != NULL);
	/* Mounting the crashed copy counts the mount; unmounting leaves it not clean. */
	fs = mount_image(&d, crash, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK(check_pattern(fs, ino, 0, 50000, 3));
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(sh_out(out, sizeof(out), "dumpe2fs -h '%s' 2>/dev/null", crash) == 0);
	TAP_CHECK(strstr(out, "Filesystem state:         not clean\n") != NULL);
	TAP_CHECK(strstr(out, "Mount count:              2\n") != NULL);
	unlink(crash);
	unlink(img);
	return true;
}

/* Whole uncached blocks move in runs straight to and from the device;
 * blocks the cache holds are never bypassed. */
static bool test_data_runs(void)
{
	static uint8_t buf[2 << 20], back[2 << 20];
	ext2_cache_stats_t st;
	char img[300];
	ext2_fs_t *fs;
	uint32_t ino;
	size_t done;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "runs", "-b 4096", "16M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK((ino = mk(fs, ROOT, "seq", false)) != 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i, 7);
	TAP_CHECK_EQ(ext2_write(fs, ino, 0, buf, sizeof(buf), &done), EOK);
	TAP_CHECK_EQ(done, sizeof(buf));
	ext2_cache_stats(fs, &st);
	tap_diag("2 MiB written in %llu device requests", (unsigned long long) st.direct_writes);
	/* 512 blocks, 64 per run, broken where an indirect block sits between. */
	TAP_CHECK(st.direct_writes >= 8 && st.direct_writes <= 12);
	/* Parts in the cache: inside block 5, and block 300 whole. */
	memset(buf + 5 * 4096 + 100, 0xab, 50);
	TAP_CHECK_EQ(ext2_write(fs, ino, 5 * 4096 + 100, buf + 5 * 4096 + 100, 50, &done), EOK);
	uint64_t before = st.direct_writes;
	memset(buf + 300 * 4096, 0xcd, 4096);
	TAP_CHECK_EQ(ext2_write(fs, ino, 300 * 4096, buf + 300 * 4096, 4096, &done), EOK);
	ext2_cache_stats(fs, &st);
	TAP_CHECK_EQ(st.direct_writes, before + 1);
	buf[300 * 4096 + 1] = 0x11;
	TAP_CHECK_EQ(ext2_write(fs, ino, 300 * 4096 + 1, buf + 300 * 4096 + 1, 1, &done), EOK);
	/* Read it all at once: the runs stop at the cached blocks. */
	TAP_CHECK_EQ(ext2_read(fs, ino, 0, back, sizeof(back), &done), EOK);
	TAP_CHECK_EQ(done, sizeof(back));
	TAP_CHECK(memcmp(back, buf, sizeof(buf)) == 0);
	ext2_cache_stats(fs, &st);
	tap_diag("2 MiB read in %llu device requests", (unsigned long long) st.direct_reads);
	TAP_CHECK(st.direct_reads >= 8 && st.direct_reads <= 16);
	/* Unaligned: through the cache and runs both. */
	TAP_CHECK_EQ(ext2_read(fs, ino, 1000, back, 1 << 20, &done), EOK);
	TAP_CHECK(memcmp(back, buf + 1000, 1 << 20) == 0);
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	TAP_CHECK(debugfs_cat_equal(img, "/seq", buf, sizeof(buf)));
	unlink(img);
	return true;
}

/* File data written through the cache (a part of a block, a cached
 * block, a truncated tail) is on the device when the call returns; a
 * device that fails the write fails that call, and the cache then holds
 * what the device holds, so no later call (a sync, a recycled buffer)
 * meets the error. */
static bool test_data_through(void)
{
	static uint8_t buf[3 * 4096], back[3 * 4096];
	uint32_t blks[3], mapped, ino;
	char img[300];
	ext2_fs_t *fs;
	size_t done;
	hdev_t d;

	TAP_CHECK(image_make(img, sizeof(img), scratch, "through", "-b 4096", "8M"));
	fs = mount_image(&d, img, 32, 0);
	TAP_CHECK(fs != NULL);
	TAP_CHECK((ino = mk(fs, ROOT, "f", false)) != 0);
	TAP_CHECK(write_pattern(fs, ino, 0, sizeof(buf) - 100, 4));
	TAP_CHECK_EQ(ext2_file_map(fs, ino, 0, 3, false, blks, &mapped), EOK);
	TAP_CHECK_EQ(ext2_read(fs, ino, 2 * 4096, back, 4096, &done), EOK); /* cached */
	memset(buf, 0x5a, sizeof(buf));
	TAP_CHECK_EQ(ext2_write(fs, ino, 2 * 4096 + 10, buf, 50, &done), EOK);
	TAP_CHECK(pread(d.fd, back, 4096, (off_t) blks[2] * 4096) == 4096);
	TAP_CHECK(back[9] == pattern(2 * 4096 + 9, 4) && back[10] == 0x5a && back[59] == 0x5a);
	TAP_CHECK_EQ(ext2_truncate(fs, ino, 4096 + 300), EOK);
	TAP_CHECK(pread(d.fd, back, 4096, (off_t) blks[1] * 4096) == 4096);
	TAP_CHECK(back[299] == pattern(4096 + 299, 4) && back[300] == 0 && back[4095] == 0);
	/* A bad block 0: its writes fail, whichever path they take. */
	d.fail_from = (uint64_t) blks[0] * 4096;
	d.fail_to = d.fail_from + 1;
	TAP_CHECK_EQ(ext2_write(fs, ino, 100, buf, 20, &done), EIO);
	TAP_CHECK_EQ(ext2_write(fs, ino, 0, buf, 4096, &done), EIO);
	TAP_CHECK(check_pattern(fs, ino, 0, 4096 + 300, 4)); /* what the device has */
	TAP_CHECK_EQ(ext2_read(fs, ino, 10, back, 100, &done), EOK); /* cached again */
	TAP_CHECK_EQ(ext2_write(fs, ino, 100, buf, 20, &done), EIO);
	TAP_CHECK(check_pattern(fs, ino, 0, 4096, 4));
	TAP_CHECK_EQ(ext2_sync(fs), EOK);
	d.fail_to = 0;
	TAP_CHECK_EQ(ext2_unmount(fs), EOK);
	hdev_close(&d);
	TAP_CHECK(fsck_clean(img));
	unlink(img);
	return true;
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "namespace", test_namespace },
		{ "big_file", test_big_file },
		{ "sparse", test_sparse },
		{ "fill", test_fill },
		{ "busy", test_busy },
		{ "generation", test_generation },
		{ "special_files", test_special_files },
		{ "file_map", test_file_map },
		{ "state", test_state },
		{ "data_runs", test_data_runs },
		{ "data_through", test_data_through },
	};
	return scratch_tap_run(scratch, sizeof(scratch), cases, sizeof(cases) / sizeof(cases[0]));
}
