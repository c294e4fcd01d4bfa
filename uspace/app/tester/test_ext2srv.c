/*
 * The ext2 server (uspace/srv/fs/ext2) alone, over the file system
 * protocol (abi/fs.h), with the tester as its VFS (fsproto.c).  The
 * tools/test.sh suite "ext2" boots these with devman and three disks:
 * disk0 a fresh copy of the root image (tools/mkrootfs.sh), disk1 the
 * same tree made as ext4 (refused), disk2 as ext2 with huge_file (a
 * read-only compatible feature the server does not know: read-only).
 *
 * hw_ext2_server reads the fixtures and checks them against what
 * mkrootfs.sh put there, creates, writes, reads back, makes and removes
 * directories, renames, links, unlinks a file that is open, reads a
 * directory in several batches, sends hostile words (each an error,
 * nothing changed), leaves files for the host to check (debugfs cat,
 * after e2fsck -fn), and unmounts.
 */
#include "fsproto.h"
#include "tester.h"
#include <stdio.h>
#include <string.h>
#include <utest.h>

#define S_IFMT VFS_S_IFMT
#define REG(perm) (VFS_S_IFREG | (perm))
#define DIR(perm) (VFS_S_IFDIR | (perm))
#define HELLO "Hello from the root file system.\n"
#define PATTERN_SIZE 300000u
#define SPARSE_SIZE (6u * 1024 * 1024 + 100)
#define SPARSE_MIDDLE (5u * 1024 * 1024)
#define GUEST_SIZE 150001u /* /tmp/guest.bin as the host finds it */
#define HOLES_OFF (5u * 1024 * 1024) /* /tmp/holes.bin: "hole-end\n" there */
#define MANY 100 /* files of a directory read in several batches */

/* mkrootfs.sh's /fixtures/pattern.bin: the word at byte offset o. */
static uint64_t pattern_word(uint64_t o)
{
	return 0x6578743200000000ULL ^ o;
}

/* What the test writes to /tmp/guest.bin (tools/test.sh computes it too). */
static uint8_t guest_byte(uint64_t i)
{
	return (uint8_t) (i * 131 + (i >> 11));
}

static bool zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* Read all of @a path (at most FV_BUF_SIZE) into the data buffer. */
static bool read_file(fv_t *fv, const char *path, uint64_t *size)
{
	uint64_t ino;
	vfs_stat_t st;
	if (!UT_CHECK_OK(fv_walk(fv, path, &ino)) || !UT_CHECK_OK(fv_stat(fv, ino, &st)) ||
	    !UT_CHECK(st.size <= FV_BUF_SIZE))
		return false;
	*size = 0;
	return UT_CHECK_OK(fv_read(fv, ino, 0, FV_BUF_SIZE, 0, size)) &&
	    UT_CHECK_EQ(*size, st.size);
}

static void fixtures_small(fv_t *fv)
{
	uint64_t n, ino, mode;
	char target[128];

	UT_ASSERT(read_file(fv, "fixtures/hello.txt", &n));
	UT_CHECK(n == strlen(HELLO) && memcmp(fv->buf, HELLO, n) == 0);
	UT_ASSERT(read_file(fv, "etc/motd", &n));
	UT_CHECK(n > 20 && memcmp(fv->buf, "Welcome to mkernel", 18) == 0);
	UT_ASSERT(read_file(fv, "fixtures/empty", &n));
	UT_CHECK_EQ(n, 0);
	UT_ASSERT(read_file(
	    fv, "fixtures/deep/level1/level2/level3/level4/level5/level6/level7/deep.txt", &n));
	UT_CHECK(n == 31 && memcmp(fv->buf, "at the bottom of fixtures/deep\n", n) == 0);
	/* a fast and a slow symlink */
	UT_ASSERT_OK(fv_walk(fv, "fixtures", &ino));
	UT_ASSERT_OK(fv_lookup(fv, ino, "link", &ino, &mode));
	UT_CHECK_EQ(mode & S_IFMT, VFS_S_IFLNK);
	UT_CHECK_OK(fv_readlink(fv, ino, target, sizeof(target)));
	UT_CHECK(strcmp(target, "hello.txt") == 0);
	UT_ASSERT_OK(fv_walk(fv, "fixtures/slowlink", &ino));
	UT_CHECK_OK(fv_readlink(fv, ino, target, sizeof(target)));
	UT_CHECK(
	    strcmp(target, "deep/level1/level2/level3/level4/level5/level6/level7/deep.txt") == 0);
	/* a 255-byte name */
	char path[300] = "fixtures/long/long-";
	memset(path + 19, 'x', 250);
	path[269] = '\0';
	UT_ASSERT(read_file(fv, path, &n));
	UT_CHECK(n == 4 && memcmp(fv->buf, "255\n", 4) == 0);
}

/* The byte at offset @a o of /fixtures/pattern.bin. */
static uint8_t pattern_byte(uint64_t o)
{
	return (uint8_t) (pattern_word(o & ~7ULL) >> (8 * (o & 7)));
}

/* pattern.bin: all of it (through the direct and the single indirect
 * blocks) into the buffer at 4 KiB, then a piece at odd offsets. */
static void fixtures_pattern(fv_t *fv)
{
	uint64_t ino, got = 0, bad = 0;
	UT_ASSERT_OK(fv_walk(fv, "fixtures/pattern.bin", &ino));
	UT_ASSERT_OK(fv_read(fv, ino, 0, PATTERN_SIZE + 4096, 4096, &got));
	UT_CHECK_EQ(got, PATTERN_SIZE);
	for (uint64_t o = 0; o < PATTERN_SIZE; o += 8) {
		uint64_t w;
		memcpy(&w, fv->buf + 4096 + o, 8);
		bad += w != pattern_word(o);
	}
	UT_CHECK_EQ(bad, 0);
	UT_ASSERT_OK(fv_read(fv, ino, 4093, 10000, 1, &got));
	UT_CHECK_EQ(got, 10000);
	for (uint64_t i = 0; i < 10000; i++)
		bad += fv->buf[1 + i] != pattern_byte(4093 + i);
	UT_CHECK_EQ(bad, 0);
}

/* sparse.bin: holes read as zeros, three marks, and only the blocks that
 * hold them (3 data blocks, the double indirect block and one indirect
 * block: 5 blocks of 4 KiB, 40 sectors). */
static void fixtures_sparse(fv_t *fv)
{
	uint64_t ino, got = 0;
	vfs_stat_t st;
	UT_ASSERT_OK(fv_walk(fv, "fixtures/sparse.bin", &ino));
	UT_ASSERT_OK(fv_stat(fv, ino, &st));
	UT_CHECK_EQ(st.size, SPARSE_SIZE);
	UT_CHECK_EQ(st.blocks, 5 * 4096 / 512);
	UT_ASSERT_OK(fv_read(fv, ino, 0, 65536, 0, &got));
	UT_CHECK(got == 65536 && memcmp(fv->buf, "sparse: start\n", 14) == 0);
	UT_CHECK(zeros(fv->buf + 14, 65536 - 14));
	UT_ASSERT_OK(fv_read(fv, ino, SPARSE_MIDDLE - 32768, 65536, 0, &got));
	UT_CHECK(got == 65536 && zeros(fv->buf, 32768));
	UT_CHECK(memcmp(fv->buf + 32768, "sparse: middle\n", 15) == 0);
	UT_CHECK(zeros(fv->buf + 32768 + 15, 32768 - 15));
	UT_ASSERT_OK(fv_read(fv, ino, SPARSE_SIZE - 100, 4096, 0, &got));
	UT_CHECK(
	    got == 100 && zeros(fv->buf, 88) && memcmp(fv->buf + 88, "sparse: end\n", 12) == 0);
	UT_CHECK_OK(fv_read(fv, ino, SPARSE_SIZE, 4096, 0, &got));
	UT_CHECK_EQ(got, 0);
}

typedef bool (*dirent_fn_t)(const vfs_dirent_t *d, void *arg);

/* One FS_READDIR batch in @a rec (@a bytes): well-formed records, each
 * given to @a fn; false if one is not. */
static bool readdir_batch(const uint8_t *rec, uint64_t n, uint64_t bytes, dirent_fn_t fn, void *arg)
{
	uint64_t off = 0;
	for (uint64_t i = 0; i < n; i++) {
		const vfs_dirent_t *d = (const vfs_dirent_t *) (rec + off);
		if (!UT_CHECK(off + 16 <= bytes) ||
		    !UT_CHECK_EQ(d->reclen, VFS_DIRENT_SIZE(d->name_len)) ||
		    !UT_CHECK(off + d->reclen <= bytes) || !UT_CHECK_EQ(d->name[d->name_len], 0) ||
		    !fn(d, arg))
			return false;
		off += d->reclen;
	}
	return UT_CHECK_EQ(off, bytes);
}

/* Every entry of @a dir, batch by batch; *batches gets how many. */
static bool readdir_all(fv_t *fv, uint64_t dir, dirent_fn_t fn, void *arg, unsigned *batches)
{
	static _Alignas(8) uint8_t rec[FS_CTL_SIZE];
	uint64_t pos = 0;
	for (unsigned b = 0; b < 1000; b++) {
		ipc_msg_t a;
		if (!UT_CHECK_OK(fv_req(fv, 0, FS_READDIR, dir, pos, 0, 0, 0, &a)) ||
		    !UT_CHECK(a.arg[1] <= FS_CTL_SIZE))
			return false;
		if (a.arg[0] == 0) {
			*batches = b;
			return UT_CHECK_EQ(a.arg[1], 0);
		}
		memcpy(rec, fv->ctl[0], a.arg[1]); /* fn may make requests */
		if (!readdir_batch(rec, a.arg[0], a.arg[1], fn, arg))
			return false;
		pos = a.arg[2];
	}
	return UT_CHECK(false);
}

typedef struct dir_expect {
	fv_t *fv;
	uint64_t dir;
	unsigned seen; /* bit i: names[i] */
	const char *const *names;
	const uint8_t *types;
	unsigned n;
} dir_expect_t;

/* Each entry is one of the expected names, once, with its type and the
 * node a lookup finds. */
static bool dir_expect_fn(const vfs_dirent_t *d, void *arg)
{
	dir_expect_t *e = arg;
	uint64_t ino;
	for (unsigned i = 0; i < e->n; i++) {
		if (strcmp(d->name, e->names[i]) != 0)
			continue;
		bool ok = UT_CHECK(!(e->seen & (1u << i))) && UT_CHECK_EQ(d->type, e->types[i]) &&
		    UT_CHECK_OK(fv_lookup(e->fv, e->dir, d->name, &ino, NULL)) &&
		    UT_CHECK_EQ(FS_NODE_INO(ino), d->ino);
		e->seen |= 1u << i;
		return ok;
	}
	return UT_CHECK(false && "an entry that should not be there");
}

static void fixtures_readdir(fv_t *fv)
{
	static const char *const names[] = { ".", "..", "one.txt", "two.txt", "three.txt" };
	static const uint8_t types[] = { VFS_DT_DIR, VFS_DT_DIR, VFS_DT_REG, VFS_DT_REG,
		VFS_DT_REG };
	dir_expect_t e = { .fv = fv, .names = names, .types = types, .n = 5 };
	unsigned batches;
	UT_ASSERT_OK(fv_walk(fv, "fixtures/dir", &e.dir));
	UT_CHECK(readdir_all(fv, e.dir, dir_expect_fn, &e, &batches));
	UT_CHECK_EQ(e.seen, 0x1f);
	UT_CHECK_EQ(batches, 1);
	/* a position past the end, and one inside an entry: no harm */
	ipc_msg_t a;
	UT_CHECK_OK(fv_req(fv, 0, FS_READDIR, e.dir, UINT64_MAX, 0, 0, 0, &a));
	UT_CHECK_EQ(a.arg[0], 0);
	UT_CHECK_OK(fv_req(fv, 0, FS_READDIR, e.dir, 5, 0, 0, 0, &a));
	UT_CHECK(a.arg[0] <= 4);
	/* not a directory */
	uint64_t ino;
	UT_ASSERT_OK(fv_walk(fv, "fixtures/hello.txt", &ino));
	UT_CHECK_ERR(fv_req(fv, 0, FS_READDIR, ino, 0, 0, 0, 0, &a), ENOTDIR);
}

/* The name of file @a i of the many-files directory: 200 bytes, so a
 * control buffer holds 37 records and the directory takes three batches. */
static void many_name(char *out, unsigned i)
{
	snprintf(out, 8, "m-%03u-", i);
	memset(out + 6, 'y', 194);
	out[200] = '\0';
}

typedef struct many_seen {
	uint8_t count[MANY];
	unsigned other;
} many_seen_t;

static bool many_fn(const vfs_dirent_t *d, void *arg)
{
	many_seen_t *m = arg;
	unsigned i = 0;
	if (d->name_len == 200 && d->name[0] == 'm' && d->name[1] == '-') {
		i = (unsigned) (d->name[2] - '0') * 100 + (unsigned) (d->name[3] - '0') * 10 +
		    (unsigned) (d->name[4] - '0');
		if (UT_CHECK(i < MANY)) {
			m->count[i]++;
			return UT_CHECK_EQ(d->type, VFS_DT_REG);
		}
	}
	m->other++; /* "." and ".." */
	return true;
}

static void many_files(fv_t *fv)
{
	static many_seen_t seen;
	uint64_t tmp, dir;
	char name[201];
	unsigned batches = 0, bad = 0;
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_ASSERT_OK(fv_create(fv, tmp, "many", DIR(0755), &dir));
	for (unsigned i = 0; i < MANY; i++) {
		many_name(name, i);
		bad += fv_create(fv, dir, name, REG(0644), NULL) != EOK;
	}
	UT_CHECK_EQ(bad, 0);
	memset(&seen, 0, sizeof(seen));
	UT_CHECK(readdir_all(fv, dir, many_fn, &seen, &batches));
	for (unsigned i = 0; i < MANY; i++)
		bad += seen.count[i] != 1;
	UT_CHECK_EQ(bad, 0);
	UT_CHECK_EQ(seen.other, 2);
	UT_CHECK(batches >= 3);
	for (unsigned i = 0; i < MANY; i++) {
		many_name(name, i);
		bad += fv_unlink(fv, dir, name, false) != EOK;
	}
	UT_CHECK_EQ(bad, 0);
	UT_CHECK_OK(fv_unlink(fv, tmp, "many", true));
}

/* mkdir, rmdir and unlink with their errors; what stays for the host:
 * /tmp/kept/inner.txt, /tmp/kept/b.txt (renamed from /tmp/a.txt),
 * /tmp/hard (a link to /fixtures/hello.txt), /tmp/sym. */
static void namespace_ops(fv_t *fv)
{
	uint64_t tmp, d1, ino, kept, hello;
	vfs_stat_t st;
	char target[64];
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_ASSERT_OK(fv_create(fv, tmp, "d1", DIR(0700), &d1));
	UT_CHECK(fv_lookup(fv, d1, ".", &ino, NULL) == EOK && ino == d1);
	UT_CHECK(fv_lookup(fv, d1, "..", &ino, NULL) == EOK && ino == tmp);
	UT_CHECK(fv_stat(fv, tmp, &st) == EOK && st.nlink == 3);
	UT_CHECK(fv_stat(fv, d1, &st) == EOK && st.mode == DIR(0700));
	UT_ASSERT_OK(fv_create(fv, d1, "f", REG(0600), &ino));
	UT_CHECK_ERR(fv_create(fv, d1, "f", REG(0600), &ino), EEXIST);
	UT_CHECK_ERR(fv_unlink(fv, tmp, "d1", true), ENOTEMPTY);
	UT_CHECK_ERR(fv_unlink(fv, tmp, "d1", false), EISDIR);
	UT_CHECK_ERR(fv_unlink(fv, d1, "f", true), ENOTDIR);
	UT_CHECK_OK(fv_unlink(fv, d1, "f", false));
	UT_CHECK_OK(fv_unlink(fv, tmp, "d1", true));
	UT_CHECK_ERR(fv_lookup(fv, tmp, "d1", &ino, NULL), ENOENT);
	UT_CHECK(fv_stat(fv, tmp, &st) == EOK && st.nlink == 2);
	/* kept for the host */
	UT_ASSERT_OK(fv_create(fv, tmp, "kept", DIR(0755), &kept));
	UT_ASSERT_OK(fv_create(fv, kept, "inner.txt", REG(0644), &ino));
	UT_CHECK_OK(fv_put(fv, ino, 0, "kept\n", 5));
	UT_ASSERT_OK(fv_create(fv, tmp, "a.txt", REG(0644), &ino));
	UT_CHECK_OK(fv_put(fv, ino, 0, "renamed\n", 8));
	UT_CHECK_OK(fv_rename(fv, tmp, "a.txt", kept, "b.txt"));
	UT_CHECK_ERR(fv_lookup(fv, tmp, "a.txt", &ino, NULL), ENOENT);
	UT_CHECK_ERR(fv_rename(fv, tmp, "kept", kept, "under"), EINVAL); /* below itself */
	uint64_t n;
	UT_CHECK(
	    read_file(fv, "tmp/kept/b.txt", &n) && n == 8 && memcmp(fv->buf, "renamed\n", 8) == 0);
	UT_ASSERT_OK(fv_walk(fv, "fixtures/hello.txt", &hello));
	memcpy(fv->ctl[0], "hard", 4);
	UT_CHECK_OK(fv_req(fv, 0, FS_LINK, tmp, 4, hello, 0, 0, NULL));
	UT_CHECK(fv_stat(fv, hello, &st) == EOK && st.nlink == 2);
	UT_CHECK_OK(fv_symlink(fv, tmp, "sym", "../fixtures/hello.txt", &ino));
	UT_CHECK(fv_readlink(fv, ino, target, sizeof(target)) == EOK &&
	    strcmp(target, "../fixtures/hello.txt") == 0);
}

/* A file unlinked while the VFS holds it open (twice) stays, readable,
 * until the last FS_NODE_CLOSE; then its inode and blocks are free. */
static void open_unlink(fv_t *fv)
{
	uint64_t tmp, ino, got = 0, root;
	vfs_statfs_t before, mid, after;
	vfs_stat_t st;
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_CHECK_OK(fv_statfs(fv, &before, &root));
	UT_ASSERT_OK(fv_create(fv, tmp, "open.txt", REG(0644), &ino));
	memset(fv->buf, 'o', 3 * 4096 + 10);
	UT_ASSERT_OK(fv_write(fv, ino, 0, 3 * 4096 + 10, 0, &got));
	UT_ASSERT_OK(fv_req(fv, 0, FS_NODE_OPEN, ino, 0, 0, 0, 0, NULL));
	UT_ASSERT_OK(fv_req(fv, 1, FS_NODE_OPEN, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(fv_unlink(fv, tmp, "open.txt", false));
	UT_CHECK_ERR(fv_lookup(fv, tmp, "open.txt", &got, NULL), ENOENT);
	UT_CHECK(fv_stat(fv, ino, &st) == EOK && st.nlink == 0 && st.size == 3 * 4096 + 10);
	memset(fv->buf, 0, 3 * 4096 + 10);
	UT_CHECK(
	    fv_read(fv, ino, 4096, 8192, 0, &got) == EOK && got == 8192 && fv->buf[8191] == 'o');
	UT_CHECK_OK(fv_statfs(fv, &mid, &root));
	UT_CHECK_EQ(mid.free_blocks, before.free_blocks - 4);
	UT_CHECK_EQ(mid.free_files, before.free_files - 1);
	UT_CHECK_OK(fv_req(fv, 0, FS_NODE_CLOSE, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(fv_stat(fv, ino, &st)); /* one open left */
	UT_CHECK_OK(fv_req(fv, 2, FS_NODE_CLOSE, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(fv_stat(fv, ino, &st), ENOENT);
	UT_CHECK_ERR(fv_req(fv, 0, FS_NODE_CLOSE, ino, 0, 0, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(fv_req(fv, 0, FS_NODE_OPEN, ino, 0, 0, 0, 0, NULL), ENOENT);
	UT_CHECK_OK(fv_statfs(fv, &after, &root));
	UT_CHECK_EQ(after.free_blocks, before.free_blocks);
	UT_CHECK_EQ(after.free_files, before.free_files);
}

/*
 * A number freed and given to a new file: the new file's word has the
 * next generation (FS_LOOKUP, FS_STAT say so); every request naming the
 * old word is ESTALE and changes nothing, FS_STAT of FS_GEN_ANY answers
 * for the new file.
 */
static void generations(fv_t *fv)
{
	uint64_t tmp, a, b, look, mode, got = 0;
	vfs_stat_t st;
	ipc_msg_t ans;
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_ASSERT_OK(fv_create(fv, tmp, "gen-a", REG(0644), &a));
	UT_CHECK_OK(fv_put(fv, a, 0, "AAAA", 4));
	UT_CHECK(
	    fv_stat(fv, a, &st) == EOK && st.ino == FS_NODE_INO(a) && st.gen == FS_NODE_GEN(a));
	memcpy(fv->ctl[0], "gen-a", 5);
	UT_CHECK_OK(fv_req(fv, 0, FS_LOOKUP, tmp, 5, 0, 0, 0, &ans));
	UT_CHECK(ans.arg[0] == a && ans.arg[2] == FS_NODE_GEN(a));
	UT_CHECK_OK(fv_unlink(fv, tmp, "gen-a", false));
	UT_ASSERT_OK(fv_create(fv, tmp, "gen-b", REG(0644), &b));
	UT_ASSERT_EQ(FS_NODE_INO(b), FS_NODE_INO(a)); /* the lowest free number again */
	UT_CHECK_EQ(FS_NODE_GEN(b), FS_NODE_GEN(a) + 1);
	UT_CHECK(fv_lookup(fv, tmp, "gen-b", &look, &mode) == EOK && look == b);
	/* the old word reaches nothing */
	memset(fv->buf, 'x', 16);
	UT_CHECK_ERR(fv_write(fv, a, 0, 16, 0, &got), ESTALE);
	UT_CHECK_ERR(fv_read(fv, a, 0, 16, 0, &got), ESTALE);
	UT_CHECK_ERR(fv_stat(fv, a, &st), ESTALE);
	UT_CHECK_ERR(fv_req(fv, 0, FS_TRUNCATE, a, 4096, 0, 0, 0, NULL), ESTALE);
	UT_CHECK_ERR(fv_req(fv, 0, FS_ALLOCATE, a, 0, 4096, 0, 0, NULL), ESTALE);
	UT_CHECK_ERR(fv_req(fv, 0, FS_NODE_OPEN, a, 0, 0, 0, 0, NULL), ESTALE);
	UT_CHECK(fv_stat(fv, b, &st) == EOK && st.size == 0 && st.blocks == 0);
	UT_CHECK(fv_stat(fv, FS_NODE_WORD(FS_NODE_INO(a), FS_GEN_ANY), &st) == EOK &&
	    st.gen == FS_NODE_GEN(b));
	UT_CHECK_OK(fv_unlink(fv, tmp, "gen-b", false));
}

/* What stays for the host: /tmp/guest.bin (written in two requests at
 * two buffer offsets, then cut to GUEST_SIZE) and /tmp/holes.bin (one
 * mark at HOLES_OFF, a hole before it). */
static void guest_files(fv_t *fv)
{
	uint64_t tmp, ino, got = 0, bad = 0;
	vfs_stat_t st;
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_ASSERT_OK(fv_create(fv, tmp, "guest.bin", REG(0644), &ino));
	for (uint64_t i = 0; i < 200000; i++)
		fv->buf[i] = guest_byte(i);
	UT_CHECK(fv_write(fv, ino, 0, 100000, 0, &got) == EOK && got == 100000);
	UT_CHECK(fv_write(fv, ino, 100000, 100000, 100000, &got) == EOK && got == 100000);
	UT_CHECK_OK(fv_req(fv, 0, FS_TRUNCATE, ino, GUEST_SIZE, 0, 0, 0, NULL));
	UT_CHECK(fv_stat(fv, ino, &st) == EOK && st.size == GUEST_SIZE);
	memset(fv->buf, 0, 200000);
	UT_CHECK(fv_read(fv, ino, 0, 200000, 0, &got) == EOK && got == GUEST_SIZE);
	for (uint64_t i = 0; i < GUEST_SIZE; i++)
		bad += fv->buf[i] != guest_byte(i);
	UT_CHECK_EQ(bad, 0);
	UT_ASSERT_OK(fv_create(fv, tmp, "holes.bin", REG(0644), &ino));
	UT_CHECK_OK(fv_put(fv, ino, HOLES_OFF, "hole-end\n", 9));
	UT_CHECK(fv_stat(fv, ino, &st) == EOK && st.size == HOLES_OFF + 9);
	UT_CHECK_EQ(st.blocks, 3 * 4096 / 512); /* the block, an indirect and the double indirect */
	UT_CHECK(fv_read(fv, ino, 0, 8192, 0, &got) == EOK && got == 8192 && zeros(fv->buf, 8192));
	UT_CHECK_OK(fv_req(fv, 0, FS_SYNC, 0, 0, 0, 0, 0, NULL));
}

/* Node words no request may take: numbers 0 and past the inode count
 * (EINVAL), and real numbers of another generation than theirs (ESTALE). */
static void hostile_nodes(fv_t *fv, uint64_t files, uint64_t hello, uint64_t tmp)
{
	const uint64_t hg = FS_NODE_GEN(hello) + 1, tg = FS_NODE_GEN(tmp) + 7;
	const uint64_t bad[] = { 0, files + 1, FS_NODE_WORD(files + 1, FS_NODE_GEN(hello)),
		UINT64_MAX, FS_NODE_WORD(0, FS_NODE_GEN(tmp)), FS_NODE_WORD(hello, hg),
		FS_NODE_WORD(tmp, tg), FS_NODE_WORD(hello, 0xfffffffeu) };
	unsigned wrong = 0;
	memcpy(fv->ctl[0], "bad", 3);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t b = bad[i];
		errno_t want = i < 5 ? EINVAL : ESTALE;
		const ipc_msg_t reqs[] = {
			IPC_MSG(FS_STAT, b),
			IPC_MSG(FS_LOOKUP, b, 3),
			IPC_MSG(FS_READ, b, 0, 16, FV_BUF_ID, 0),
			IPC_MSG(FS_WRITE, b, 0, 16, FV_BUF_ID, 0),
			IPC_MSG(FS_TRUNCATE, b, 0),
			IPC_MSG(FS_CREATE, b, 3, REG(0644)),
			IPC_MSG(FS_SYMLINK, b, 3, 3),
			IPC_MSG(FS_READLINK, b),
			IPC_MSG(FS_LINK, tmp, 3, b),
			IPC_MSG(FS_LINK, b, 3, hello),
			IPC_MSG(FS_UNLINK, b, 3, 0),
			IPC_MSG(FS_RENAME, b, 3, tmp, 3),
			IPC_MSG(FS_RENAME, tmp, 3, b, 3),
			IPC_MSG(FS_READDIR, b, 0),
			IPC_MSG(FS_NODE_OPEN, b),
			IPC_MSG(FS_NODE_CLOSE, b),
		};
		for (unsigned j = 0; j < sizeof(reqs) / sizeof(reqs[0]); j++) {
			errno_t rc = ipc_request_msg(fv->ph[0], &reqs[j], NULL);
			if (rc != want) {
				utest_note("node %#llx, method %llu: %s", (unsigned long long) b,
				    (unsigned long long) reqs[j].method, str_error_name(rc));
				wrong++;
			}
		}
	}
	UT_CHECK_EQ(wrong, 0);
}

/* Name lengths, buffer ids and ranges, modes, flags and methods that are
 * not the protocol's: each EINVAL (ENOTSUP for the methods). */
static void hostile_words(fv_t *fv, uint64_t hello, uint64_t tmp)
{
	const uint64_t B = FV_BUF_ID, S = FV_BUF_SIZE, M = UINT64_MAX;
	const ipc_msg_t reqs[] = {
		IPC_MSG(FS_LOOKUP, tmp, 0),
		IPC_MSG(FS_LOOKUP, tmp, 256),
		IPC_MSG(FS_LOOKUP, tmp, M),
		IPC_MSG(FS_LOOKUP, tmp, (1ULL << 32) | 3),
		IPC_MSG(FS_CREATE, tmp, 256, REG(0644)),
		IPC_MSG(FS_UNLINK, tmp, 0, 0),
		IPC_MSG(FS_UNLINK, tmp, 3, 2),
		IPC_MSG(FS_RENAME, tmp, 8000, tmp, 255),
		IPC_MSG(FS_RENAME, tmp, 3, tmp, 0),
		IPC_MSG(FS_RENAME, tmp, 3, tmp, M),
		IPC_MSG(FS_SYMLINK, tmp, 3, FS_CTL_SIZE),
		IPC_MSG(FS_SYMLINK, tmp, 3, M),
		IPC_MSG(FS_LINK, tmp, 0, hello),
		/* modes: only a regular file or a directory, permission bits */
		IPC_MSG(FS_CREATE, tmp, 3, 0),
		IPC_MSG(FS_CREATE, tmp, 3, VFS_S_IFLNK | 0777),
		IPC_MSG(FS_CREATE, tmp, 3, VFS_S_IFCHR | 0600),
		IPC_MSG(FS_CREATE, tmp, 3, REG(0644) | 0x10000),
		IPC_MSG(FS_CREATE, tmp, 3, (1ULL << 40) | REG(0644)),
		/* buffers: ids, ranges, file offsets */
		IPC_MSG(FS_READ, hello, 0, 16, 0, 0),
		IPC_MSG(FS_READ, hello, 0, 16, 2, 0),
		IPC_MSG(FS_READ, hello, 0, 16, FS_BUF_MAX, 0),
		IPC_MSG(FS_READ, hello, 0, 16, FS_BUF_MAX + 1, 0),
		IPC_MSG(FS_READ, hello, 0, 16, M, 0),
		IPC_MSG(FS_READ, hello, 0, 20, B, S - 10),
		IPC_MSG(FS_READ, hello, 0, M, B, 0),
		IPC_MSG(FS_READ, hello, 0, 1, B, M),
		IPC_MSG(FS_READ, hello, 0, 1, B, S),
		IPC_MSG(FS_READ, hello, M - 5, 10, B, 0),
		IPC_MSG(FS_WRITE, hello, 0, 16, 2, 0),
		IPC_MSG(FS_WRITE, hello, 0, 20, B, S - 10),
		IPC_MSG(FS_WRITE, hello, 0, S + 1, B, 0),
		IPC_MSG(FS_WRITE, hello, M - 5, 10, B, 0),
		IPC_MSG(FS_BUF_DROP, 0),
		IPC_MSG(FS_BUF_DROP, 2),
		IPC_MSG(FS_BUF_DROP, M),
		IPC_MSG(FS_NODE_CLOSE, hello), /* not open */
		IPC_MSG(IPC_M_SHARE_OUT, (uintptr_t) fv->buf, RW, FS_BUF_MAX + 1),
		IPC_MSG(IPC_M_SHARE_OUT, (uintptr_t) fv->buf, AS_AREA_READ, 7),
	};
	unsigned wrong = 0;
	memcpy(fv->ctl[0], "badbad", 6);
	for (unsigned j = 0; j < sizeof(reqs) / sizeof(reqs[0]); j++) {
		errno_t rc = ipc_request_msg(fv->ph[0], &reqs[j], NULL);
		if (rc != EINVAL) {
			utest_note("request %u (method %llu): %s", j,
			    (unsigned long long) reqs[j].method, str_error_name(rc));
			wrong++;
		}
	}
	UT_CHECK_EQ(wrong, 0);
	const uint64_t unknown[] = { FS_ALLOCATE + 1, IPC_M_FIRST_USER + 1000, IPC_M_FIRST_USER - 1,
		IPC_M_DATA_WRITE };
	for (unsigned j = 0; j < sizeof(unknown) / sizeof(unknown[0]); j++)
		UT_CHECK_ERR(fv_req(fv, 0, unknown[j], tmp, 0, 0, 0, 0, NULL), ENOTSUP, EINVAL);
	/* lent twice */
	UT_CHECK_ERR(
	    fv_req(fv, 0, IPC_M_SHARE_OUT, (uintptr_t) fv->buf, RW, FS_SHARE_CTL, 0, 0, NULL),
	    EEXIST);
	UT_CHECK_ERR(
	    fv_req(fv, 0, IPC_M_SHARE_OUT, (uintptr_t) fv->buf, RW, FV_BUF_ID, 0, 0, NULL), EEXIST);
}

/* The connections without a usable control buffer: whatever needs one is
 * EINVAL; data requests work. */
static void hostile_ctl(fv_t *fv, uint64_t hello, uint64_t tmp)
{
	uint64_t got = 0;
	ipc_msg_t a;
	for (unsigned c = FV_CTL_CONNS; c < FS_CONN_COUNT; c++) {
		UT_CHECK_ERR(fv_req(fv, c, FS_STATFS, 0, 0, 0, 0, 0, NULL), EINVAL);
		UT_CHECK_ERR(fv_req(fv, c, FS_STAT, hello, 0, 0, 0, 0, NULL), EINVAL);
		UT_CHECK_ERR(fv_req(fv, c, FS_LOOKUP, tmp, 3, 0, 0, 0, NULL), EINVAL);
		UT_CHECK_ERR(fv_req(fv, c, FS_READDIR, tmp, 0, 0, 0, 0, NULL), EINVAL);
		UT_CHECK_ERR(fv_req(fv, c, FS_READLINK, hello, 0, 0, 0, 0, NULL), EINVAL);
		UT_CHECK_OK(fv_req(fv, c, FS_READ, hello, 0, 4096, FV_BUF_ID, 0, &a));
		got = a.arg[0];
		UT_CHECK(got == strlen(HELLO) && memcmp(fv->buf, HELLO, got) == 0);
	}
}

/* All of the above change nothing: the free counts, hello.txt, no "bad". */
static void hostile(fv_t *fv)
{
	vfs_statfs_t before, after;
	vfs_stat_t hb, ha;
	uint64_t root, hello, tmp, ino;
	UT_ASSERT_OK(fv_statfs(fv, &before, &root));
	UT_ASSERT_OK(fv_walk(fv, "fixtures/hello.txt", &hello));
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_ASSERT_OK(fv_stat(fv, hello, &hb));
	hostile_nodes(fv, before.files, hello, tmp);
	hostile_words(fv, hello, tmp);
	hostile_ctl(fv, hello, tmp);
	UT_CHECK_OK(fv_statfs(fv, &after, &root));
	UT_CHECK_EQ(after.free_blocks, before.free_blocks);
	UT_CHECK_EQ(after.free_files, before.free_files);
	UT_CHECK(fv_stat(fv, hello, &ha) == EOK && memcmp(&ha, &hb, sizeof(ha)) == 0);
	UT_CHECK_ERR(fv_lookup(fv, tmp, "bad", &ino, NULL), ENOENT);
	UT_CHECK_ERR(fv_lookup(fv, tmp, "badbad", &ino, NULL), ENOENT);
	/* a dropped buffer is gone; the id can be lent again */
	UT_CHECK_OK(fv_req(fv, 0, FS_BUF_DROP, FV_BUF_ID, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(fv_read(fv, hello, 0, 16, 0, NULL), EINVAL);
	UT_CHECK_OK(fv_req(fv, 1, IPC_M_SHARE_OUT, (uintptr_t) fv->buf, RW, FV_BUF_ID, 0, 0, NULL));
	UT_CHECK_OK(fv_read(fv, hello, 0, 16, 0, NULL));
}

/* A file unlinked while open and never closed: FS_UNMOUNT frees it (else
 * the host's e2fsck would find an inode with no name, and the free counts
 * would be off). */
static void open_at_unmount(fv_t *fv)
{
	uint64_t tmp, ino;
	UT_ASSERT_OK(fv_walk(fv, "tmp", &tmp));
	UT_ASSERT_OK(fv_create(fv, tmp, "orphan", REG(0644), &ino));
	UT_CHECK_OK(fv_put(fv, ino, 0, "still open at the unmount\n", 26));
	UT_CHECK_OK(fv_req(fv, 0, FS_NODE_OPEN, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(fv_unlink(fv, tmp, "orphan", false));
}

/* FS_STATFS of the root image (tools/mkrootfs.sh: 64 MiB, 4 KiB blocks). */
static void statfs_root(fv_t *fv)
{
	vfs_statfs_t st;
	uint64_t root;
	UT_ASSERT_OK(fv_statfs(fv, &st, &root));
	UT_CHECK_EQ(FS_NODE_INO(root), 2); /* ext2's root inode */
	UT_CHECK_EQ(st.block_size, 4096);
	UT_CHECK_EQ(st.blocks, 64 * 1024 * 1024 / 4096);
	UT_CHECK_EQ(st.flags, 0);
	UT_CHECK(st.free_blocks > 0 && st.free_blocks < st.blocks);
	UT_CHECK(st.free_files > 0 && st.free_files < st.files);
	UT_CHECK(strcmp(st.fs_type, "ext2") == 0 && strcmp(st.source, "disk0") == 0);
}

/* The server on the root image (disk0), every request of abi/fs.h. */
UTEST(hw_ext2_server)
{
	fv_t fv;
	if (!fv_start(&fv, "ext2", "disk0", "disk0")) {
		UT_CHECK(!fv.ended && "the server ended");
		fv_stop(&fv);
		return;
	}
	statfs_root(&fv);
	fixtures_small(&fv);
	fixtures_pattern(&fv);
	fixtures_sparse(&fv);
	fixtures_readdir(&fv);
	namespace_ops(&fv);
	open_unlink(&fv);
	generations(&fv);
	many_files(&fv);
	hostile(&fv);
	ext2srv_test_peers(&fv);
	guest_files(&fv);
	open_at_unmount(&fv);
	UT_CHECK_OK(fv_req(&fv, 0, FS_UNMOUNT, 0, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(fv_req(&fv, 1, FS_STATFS, 0, 0, 0, 0, 0, NULL), EHANGUP);
	fv_stop(&fv);
	UT_CHECK(fv.exit.reason == TASK_EXIT_NORMAL && fv.exit.status == 0);
}

/* disk1 is an ext4 volume (extent, flex_bg, 64bit...): the server logs the
 * features (tools/test.sh checks the log), ends with status 1 without
 * connecting, and writes nothing (the host compares the image). */
UTEST(hw_ext2_refused)
{
	fv_t fv;
	UT_CHECK(!fv_start(&fv, "ext2", "disk1", "disk1"));
	UT_CHECK(fv.ended);
	UT_CHECK(fv.exit.reason == TASK_EXIT_NORMAL && fv.exit.status == 1);
	for (unsigned i = 0; i < FS_CONN_COUNT; i++)
		UT_CHECK_EQ(fv.ph[i], CAP_NIL);
	fv_stop(&fv);
}

/* disk2 has huge_file (read-only compatible, unknown to the server): it is
 * served read-only; every change is EROFS and nothing is written (the
 * host compares the image), also when the VFS goes away. */
UTEST(hw_ext2_readonly)
{
	fv_t fv;
	vfs_statfs_t st;
	uint64_t root, tmp, hello, n;
	if (!fv_start(&fv, "ext2", "disk2", "disk2")) {
		UT_CHECK(!fv.ended && "the server ended");
		fv_stop(&fv);
		return;
	}
	UT_CHECK(fv_statfs(&fv, &st, &root) == EOK && st.flags == VFS_STATFS_RDONLY);
	UT_CHECK(read_file(&fv, "fixtures/hello.txt", &n) && n == strlen(HELLO) &&
	    memcmp(fv.buf, HELLO, n) == 0);
	UT_CHECK_OK(fv_walk(&fv, "tmp", &tmp));
	UT_CHECK_OK(fv_walk(&fv, "fixtures/hello.txt", &hello));
	UT_CHECK_ERR(fv_create(&fv, tmp, "new", REG(0644), &n), EROFS);
	UT_CHECK_ERR(fv_create(&fv, tmp, "newdir", DIR(0755), &n), EROFS);
	UT_CHECK_ERR(fv_put(&fv, hello, 0, "x", 1), EROFS);
	UT_CHECK_ERR(fv_req(&fv, 0, FS_TRUNCATE, hello, 0, 0, 0, 0, NULL), EROFS);
	UT_CHECK_ERR(fv_unlink(&fv, root, "etc", true), EROFS);
	UT_CHECK_ERR(fv_rename(&fv, tmp, "..", tmp, "x"), EROFS, EINVAL);
	UT_CHECK_ERR(fv_symlink(&fv, tmp, "s", "t", &n), EROFS);
	UT_CHECK_OK(fv_req(&fv, 0, FS_SYNC, 0, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(fv_req(&fv, 0, FS_NODE_OPEN, hello, 0, 0, 0, 0, NULL));
	/* The VFS goes away (hangs up every connection) without FS_UNMOUNT:
	 * the server unmounts by itself and ends with status 2 (init, which
	 * supervises it, then starts it again for the next VFS). */
	fv_stop(&fv);
	UT_CHECK(fv.exit.reason == TASK_EXIT_NORMAL && fv.exit.status == 2);
}
