/*
 * A seeded random torture of lib/ext2 against an in-memory model: at least
 * 10,000 operations of create, write at random offsets, truncate up and
 * down, rename (across directories, over existing targets), unlink, mkdir,
 * rmdir, link and symlink, on names that collide often.  Every call's
 * result and error is compared with what the model says POSIX gives; the
 * whole tree (kinds, sizes, link counts, contents, listings) is compared
 * now and then.  Then a clean unmount, e2fsck -fn (exit 0), debugfs rdump
 * of the volume compared with the model, debugfs cat of some files, and
 * the tree compared again through a fresh mount.
 *
 * A third run on a small volume of two groups fills it up over and over:
 * there, ENOSPC where the model expects success is accepted if it changed
 * nothing (a short write keeps what fit), which the later comparisons and
 * e2fsck check.  At the end of each run every name is deleted and the free
 * counts must be what they were after mke2fs (but for the blocks the root
 * directory grew by).
 *
 * The seed is printed; EXT2_TORTURE_SEED and EXT2_TORTURE_OPS in the
 * environment set it and the number of operations.  The cache is kept
 * small so that blocks are recycled and written back all the time.
 */
#define _GNU_SOURCE
#include <dirent.h>
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

#define MAX_NODES 600
#define MAX_ENTS 700
#define MAX_FILE (300 * 1024)

enum { K_FREE, K_FILE, K_DIR, K_LINK };

typedef struct mnode {
	int kind;
	uint32_t ino;
	int nlink; /* names (files, symlinks) */
	uint8_t *data; /* files: MAX_FILE bytes */
	size_t size;
	char *target; /* symlinks */
} mnode_t;

typedef struct ment {
	bool used;
	int dir; /* node */
	int node;
	char name[256];
} ment_t;

typedef struct model {
	mnode_t nodes[MAX_NODES];
	ment_t ents[MAX_ENTS];
	prng_t rng;
	ext2_fs_t *fs;
	unsigned long ops[16];
	bool fills; /* the volume may fill up: ENOSPC changes nothing */
	unsigned long nospc;
} model_t;

static char scratch[256];

static int node_new(model_t *m, int kind, uint32_t ino)
{
	for (int i = 1; i < MAX_NODES; i++) {
		if (m->nodes[i].kind == K_FREE) {
			mnode_t *n = &m->nodes[i];
			memset(n, 0, sizeof(*n));
			n->kind = kind;
			n->ino = ino;
			if (kind == K_FILE)
				n->data = calloc(1, MAX_FILE);
			return i;
		}
	}
	return -1;
}

static void node_free(model_t *m, int i)
{
	free(m->nodes[i].data);
	free(m->nodes[i].target);
	memset(&m->nodes[i], 0, sizeof(m->nodes[i]));
}

static int ent_find(model_t *m, int dir, const char *name)
{
	for (int i = 0; i < MAX_ENTS; i++) {
		if (m->ents[i].used && m->ents[i].dir == dir && strcmp(m->ents[i].name, name) == 0)
			return i;
	}
	return -1;
}

static int ent_new(model_t *m, int dir, const char *name, int node)
{
	for (int i = 0; i < MAX_ENTS; i++) {
		if (!m->ents[i].used) {
			m->ents[i].used = true;
			m->ents[i].dir = dir;
			m->ents[i].node = node;
			snprintf(m->ents[i].name, sizeof(m->ents[i].name), "%s", name);
			return i;
		}
	}
	return -1;
}

static int ents_used(model_t *m)
{
	int n = 0;

	for (int i = 0; i < MAX_ENTS; i++)
		n += m->ents[i].used;
	return n;
}

static int children(model_t *m, int dir, bool dirs_only)
{
	int n = 0;

	for (int i = 0; i < MAX_ENTS; i++) {
		if (m->ents[i].used && m->ents[i].dir == dir &&
		    (!dirs_only || m->nodes[m->ents[i].node].kind == K_DIR))
			n++;
	}
	return n;
}

/* The entry naming directory @a dir (-1 for the root). */
static int dir_ent(model_t *m, int dir)
{
	for (int i = 0; i < MAX_ENTS; i++) {
		if (m->ents[i].used && m->ents[i].node == dir)
			return i;
	}
	return -1;
}

/* Whether directory @a a is @a b or below it. */
static bool dir_below(model_t *m, int a, int b)
{
	while (a != 0) {
		if (a == b)
			return true;
		a = m->ents[dir_ent(m, a)].dir;
	}
	return b == 0;
}

static void path_of(model_t *m, int dir, char *out, size_t size)
{
	int chain[MAX_ENTS], n = 0;
	size_t len = 0;

	while (dir != 0 && n < MAX_ENTS) {
		chain[n] = dir_ent(m, dir);
		dir = m->ents[chain[n++]].dir;
	}
	out[0] = '\0';
	while (n > 0 && len < size)
		len += (size_t) snprintf(out + len, size - len, "/%s", m->ents[chain[--n]].name);
}

static int pick_node(model_t *m, int kind)
{
	int cand[MAX_NODES], n = 0;

	for (int i = 0; i < MAX_NODES; i++) {
		if (m->nodes[i].kind == kind)
			cand[n++] = i;
	}
	return n == 0 ? -1 : cand[prng_below(&m->rng, (uint64_t) n)];
}

static int pick_ent(model_t *m)
{
	int cand[MAX_ENTS], n = 0;

	for (int i = 0; i < MAX_ENTS; i++) {
		if (m->ents[i].used)
			cand[n++] = i;
	}
	return n == 0 ? -1 : cand[prng_below(&m->rng, (uint64_t) n)];
}

/* Names collide often; now and then one is 255 bytes long. */
static void pick_name(model_t *m, char *name)
{
	static const char *const stems[] = { "a", "b", "file", "dir", "x-somewhat-longer-name",
		"y" };
	unsigned r = (unsigned) prng_below(&m->rng, 100);

	if (r < 3) {
		memset(name, 'A' + (char) (r % 3), 255);
		name[255] = '\0';
		return;
	}
	sprintf(name, "%s%u", stems[r % 6], (unsigned) prng_below(&m->rng, 8));
}

static const char *ename(errno_t e)
{
	const char *name = errno_name(e);

	return name != NULL ? name : "E?";
}

#define EXPECT(call, want)                                                                  \
	do {                                                                                \
		errno_t got_ = (call);                                                      \
		if (got_ != (want)) {                                                       \
			tap_diag("op %lu: %s gave %s, expected %s", op, #call, ename(got_), \
			    ename(want));                                                   \
			return false;                                                       \
		}                                                                           \
	} while (0)

/* As EXPECT, but on a volume allowed to fill up, ENOSPC for EOK sets @a full. */
#define EXPECT_FULL(call, want, full)                                \
	do {                                                         \
		errno_t fr_ = (call);                                \
		(full) = fr_ == ENOSPC && (want) == EOK && m->fills; \
		if ((full))                                          \
			m->nospc++;                                  \
		else                                                 \
			EXPECT(fr_, want);                           \
	} while (0)

static bool op_create(model_t *m, unsigned long op, int kind)
{
	int dir = pick_node(m, K_DIR);
	char name[256], target[400];
	errno_t want;
	bool full;
	uint32_t ino = 0;
	size_t tlen = 0;

	if (dir < 0 || ents_used(m) >= MAX_ENTS - 1 || node_new(m, K_FREE, 0) < 0)
		return true;
	pick_name(m, name);
	want = ent_find(m, dir, name) >= 0 ? EEXIST : EOK;
	uint32_t dino = m->nodes[dir].ino;
	if (kind == K_FILE) {
		EXPECT_FULL(
		    ext2_create(m->fs, dino, name, strlen(name), 0644, 1, 2, &ino), want, full);
	} else if (kind == K_DIR) {
		EXPECT_FULL(
		    ext2_mkdir(m->fs, dino, name, strlen(name), 0755, 1, 2, &ino), want, full);
	} else {
		tlen = 1 + (size_t) prng_below(&m->rng, prng_below(&m->rng, 2) ? 59 : 300);
		for (size_t i = 0; i < tlen; i++)
			target[i] = (char) ('a' + prng_below(&m->rng, 26));
		target[tlen] = '\0';
		EXPECT_FULL(ext2_symlink(m->fs, dino, name, strlen(name), target, tlen, 1, 2, &ino),
		    want, full);
	}
	if (want != EOK || full)
		return (ext2_lookup(m->fs, dino, name, strlen(name), &ino) == EOK) ==
		    (want == EEXIST);
	int n = node_new(m, kind, ino);
	m->nodes[n].nlink = 1;
	if (kind == K_LINK)
		m->nodes[n].target = strdup(target);
	ent_new(m, dir, name, n);
	return true;
}

static bool op_write(model_t *m, unsigned long op)
{
	static uint8_t buf[64 * 1024];
	int f = pick_node(m, K_FILE);
	size_t done;

	if (f < 0)
		return true;
	mnode_t *n = &m->nodes[f];
	size_t off = (size_t) prng_below(&m->rng, MAX_FILE);
	size_t len = 1 + (size_t) prng_below(&m->rng, prng_below(&m->rng, 4) ? 3000 : sizeof(buf));
	if (off + len > MAX_FILE)
		len = MAX_FILE - off;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t) prng_next(&m->rng);
	bool full;
	EXPECT_FULL(ext2_write(m->fs, n->ino, off, buf, len, &done), EOK, full);
	if (done != len && !full) {
		tap_diag("op %lu: wrote %zu of %zu", op, done, len);
		return false;
	}
	/* A full volume takes what fits. */
	memcpy(n->data + off, buf, done);
	if (done > 0 && off + done > n->size)
		n->size = off + done;
	return true;
}

static bool op_truncate(model_t *m, unsigned long op)
{
	int f = pick_node(m, K_FILE);

	if (f < 0)
		return true;
	mnode_t *n = &m->nodes[f];
	size_t size = (size_t) prng_below(&m->rng, MAX_FILE);
	if (prng_below(&m->rng, 3) == 0)
		size = n->size / 2;
	EXPECT(ext2_truncate(m->fs, n->ino, size), EOK);
	if (size < n->size)
		memset(n->data + size, 0, n->size - size);
	n->size = size;
	return true;
}

/* The name @a e goes away; its node with its last name. */
static void ent_drop(model_t *m, int e)
{
	int node = m->ents[e].node;

	m->ents[e].used = false;
	if (m->nodes[node].kind == K_DIR || --m->nodes[node].nlink == 0)
		node_free(m, node);
}

static bool op_unlink(model_t *m, unsigned long op, bool rmdir)
{
	int e = pick_ent(m);
	char name[256];

	if (e < 0)
		return true;
	ment_t *en = &m->ents[e];
	mnode_t *n = &m->nodes[en->node];
	uint32_t dino = m->nodes[en->dir].ino;
	errno_t want;
	if (prng_below(&m->rng, 10) == 0) {
		/* A name that is not there. */
		pick_name(m, name);
		if (ent_find(m, en->dir, name) < 0) {
			EXPECT(rmdir ? ext2_rmdir(m->fs, dino, name, strlen(name))
			             : ext2_unlink(m->fs, dino, name, strlen(name)),
			    ENOENT);
		}
		return true;
	}
	if (rmdir) {
		want = n->kind != K_DIR                ? ENOTDIR
		    : children(m, en->node, false) > 0 ? ENOTEMPTY
		                                       : EOK;
		EXPECT(ext2_rmdir(m->fs, dino, en->name, strlen(en->name)), want);
	} else {
		want = n->kind == K_DIR ? EISDIR : EOK;
		EXPECT(ext2_unlink(m->fs, dino, en->name, strlen(en->name)), want);
	}
	if (want == EOK)
		ent_drop(m, e);
	return true;
}

static bool op_link(model_t *m, unsigned long op)
{
	int e = pick_ent(m), dir = pick_node(m, K_DIR);
	char name[256];

	if (e < 0 || dir < 0 || ents_used(m) >= MAX_ENTS - 1)
		return true;
	int node = m->ents[e].node;
	pick_name(m, name);
	errno_t want = ent_find(m, dir, name) >= 0 ? EEXIST
	    : m->nodes[node].kind == K_DIR         ? EPERM
	                                           : EOK;
	bool full;
	EXPECT_FULL(ext2_link(m->fs, m->nodes[dir].ino, name, strlen(name), m->nodes[node].ino),
	    want, full);
	if (want == EOK && !full) {
		m->nodes[node].nlink++;
		ent_new(m, dir, name, node);
	}
	return true;
}

static errno_t rename_expect(model_t *m, int e, int ndir, int t)
{
	int src = m->ents[e].node;
	bool sdir = m->nodes[src].kind == K_DIR;

	if (t >= 0) {
		int tgt = m->ents[t].node;
		bool tdir = m->nodes[tgt].kind == K_DIR;
		if (tgt == src)
			return EOK;
		if (sdir && !tdir)
			return ENOTDIR;
		if (!sdir && tdir)
			return EISDIR;
		if (tdir && children(m, tgt, false) > 0)
			return ENOTEMPTY;
	}
	if (sdir && m->ents[e].dir != ndir && dir_below(m, ndir, src))
		return EINVAL;
	return EOK;
}

static bool op_rename(model_t *m, unsigned long op)
{
	int e = pick_ent(m), ndir = pick_node(m, K_DIR);
	char name[256];

	if (e < 0 || ndir < 0)
		return true;
	pick_name(m, name);
	int t = ent_find(m, ndir, name);
	errno_t want = rename_expect(m, e, ndir, t);
	bool full;
	EXPECT_FULL(ext2_rename(m->fs, m->nodes[m->ents[e].dir].ino, m->ents[e].name,
	                strlen(m->ents[e].name), m->nodes[ndir].ino, name, strlen(name)),
	    want, full);
	if (want != EOK || full || (t >= 0 && m->ents[t].node == m->ents[e].node))
		return true;
	if (t >= 0)
		ent_drop(m, t);
	m->ents[e].dir = ndir;
	snprintf(m->ents[e].name, sizeof(m->ents[e].name), "%s", name);
	return true;
}

static bool check_node(model_t *m, int i)
{
	static uint8_t buf[MAX_FILE];
	mnode_t *n = &m->nodes[i];
	ext2_stat_t st;
	size_t done;

	TAP_CHECK_EQ(ext2_stat(m->fs, n->ino, &st), EOK);
	switch (n->kind) {
	case K_FILE:
		TAP_CHECK_EQ(st.mode & EXT2_S_IFMT, EXT2_S_IFREG);
		TAP_CHECK_EQ(st.links, n->nlink);
		TAP_CHECK_EQ(st.size, n->size);
		TAP_CHECK_EQ(ext2_read(m->fs, n->ino, 0, buf, sizeof(buf), &done), EOK);
		TAP_CHECK_EQ(done, n->size);
		TAP_CHECK(memcmp(buf, n->data, n->size) == 0);
		/* Never more blocks than data plus indirect ones. */
		TAP_CHECK(st.blocks * 512 <= (n->size + 1023) / 1024 * 1024 + 8 * 4096);
		break;
	case K_LINK:
		TAP_CHECK_EQ(st.mode & EXT2_S_IFMT, EXT2_S_IFLNK);
		TAP_CHECK_EQ(st.links, n->nlink);
		TAP_CHECK_EQ(ext2_readlink(m->fs, n->ino, (char *) buf, sizeof(buf), &done), EOK);
		TAP_CHECK_EQ(done, strlen(n->target));
		TAP_CHECK(strcmp((char *) buf, n->target) == 0);
		break;
	case K_DIR: {
		TAP_CHECK_EQ(st.mode & EXT2_S_IFMT, EXT2_S_IFDIR);
		TAP_CHECK_EQ(st.links, 2 + children(m, i, true) + (i == 0 ? 1 : 0));
		uint64_t pos = 0;
		ext2_dirent_t ent;
		errno_t rc;
		int seen = 0;
		while ((rc = ext2_readdir(m->fs, n->ino, &pos, &ent)) == EOK) {
			if (strcmp(ent.name, ".") == 0 || strcmp(ent.name, "..") == 0 ||
			    (i == 0 && strcmp(ent.name, "lost+found") == 0))
				continue;
			int e = ent_find(m, i, ent.name);
			TAP_CHECK(e >= 0);
			TAP_CHECK_EQ(ent.ino, m->nodes[m->ents[e].node].ino);
			seen++;
		}
		TAP_CHECK_EQ(rc, ENOENT);
		TAP_CHECK_EQ(seen, children(m, i, false));
		break;
	}
	}
	return true;
}

static bool check_all(model_t *m)
{
	for (int i = 0; i < MAX_NODES; i++) {
		if (m->nodes[i].kind != K_FREE && !check_node(m, i)) {
			tap_diag("node %d (inode %u) differs", i, m->nodes[i].ino);
			return false;
		}
	}
	return true;
}

/* The rdump of the volume in @a out against the model. */
static bool check_dump(model_t *m, const char *out)
{
	static uint8_t buf[MAX_FILE + 1];
	char path[16384], rel[8192];
	struct stat st;

	for (int e = 0; e < MAX_ENTS; e++) {
		if (!m->ents[e].used)
			continue;
		mnode_t *n = &m->nodes[m->ents[e].node];
		path_of(m, m->ents[e].dir, rel, sizeof(rel));
		snprintf(path, sizeof(path), "%s%s/%s", out, rel, m->ents[e].name);
		TAP_CHECK(lstat(path, &st) == 0);
		if (n->kind == K_DIR) {
			TAP_CHECK(S_ISDIR(st.st_mode));
		} else if (n->kind == K_LINK) {
			TAP_CHECK(S_ISLNK(st.st_mode));
			ssize_t len = readlink(path, (char *) buf, sizeof(buf));
			TAP_CHECK_EQ(len, (ssize_t) strlen(n->target));
			TAP_CHECK(memcmp(buf, n->target, (size_t) len) == 0);
		} else {
			TAP_CHECK(S_ISREG(st.st_mode));
			TAP_CHECK_EQ(st.st_size, n->size);
			int fd = open(path, O_RDONLY);
			TAP_CHECK(fd >= 0);
			ssize_t got = read(fd, buf, sizeof(buf));
			close(fd);
			TAP_CHECK_EQ(got, (ssize_t) n->size);
			TAP_CHECK(memcmp(buf, n->data, n->size) == 0);
		}
	}
	/* Nothing more in the dump than in the model (and lost+found). */
	char cmd_out[64];
	TAP_CHECK(sh_out(cmd_out, sizeof(cmd_out), "find '%s' -mindepth 1 | wc -l", out) == 0);
	TAP_CHECK_EQ(strtoul(cmd_out, NULL, 10), (unsigned long) ents_used(m) + 1);
	return true;
}

/* debugfs -R "cat PATH" of up to @a count files equals the model. */
static bool check_cat(model_t *m, const char *img, int count)
{
	static uint8_t buf[MAX_FILE + 1];
	char rel[8192], cmd_file[400];

	snprintf(cmd_file, sizeof(cmd_file), "%s.cat", img);
	for (int e = 0; e < MAX_ENTS && count > 0; e++) {
		if (!m->ents[e].used || m->nodes[m->ents[e].node].kind != K_FILE ||
		    strlen(m->ents[e].name) > 100)
			continue;
		mnode_t *n = &m->nodes[m->ents[e].node];
		path_of(m, m->ents[e].dir, rel, sizeof(rel));
		TAP_CHECK(sh("debugfs -R 'cat \"%s/%s\"' '%s' > '%s' 2>/dev/null", rel,
		              m->ents[e].name, img, cmd_file) == 0);
		FILE *f = fopen(cmd_file, "rb");
		TAP_CHECK(f != NULL);
		size_t got = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		TAP_CHECK_EQ(got, n->size);
		TAP_CHECK(memcmp(buf, n->data, got) == 0);
		count--;
	}
	unlink(cmd_file);
	return true;
}

static bool torture_run(model_t *m, unsigned long nops)
{
	for (unsigned long op = 0; op < nops; op++) {
		unsigned r = (unsigned) prng_below(&m->rng, 100);
		bool ok;
		/* Keep the tree between half and most of the model's room. */
		if (r < 22 && ents_used(m) > MAX_ENTS * 3 / 4)
			r += 56;
		if (r < 12)
			ok = op_create(m, op, K_FILE);
		else if (r < 18)
			ok = op_create(m, op, K_DIR);
		else if (r < 22)
			ok = op_create(m, op, K_LINK);
		else if (r < 44)
			ok = op_write(m, op);
		else if (r < 54)
			ok = op_truncate(m, op);
		else if (r < 68)
			ok = op_rename(m, op);
		else if (r < 78)
			ok = op_unlink(m, op, false);
		else if (r < 85)
			ok = op_unlink(m, op, true);
		else if (r < 92)
			ok = op_link(m, op);
		else {
			int i = pick_node(m, prng_below(&m->rng, 2) ? K_FILE : K_DIR);
			ok = i < 0 || check_node(m, i);
		}
		m->ops[r / 10]++;
		if (!ok)
			return false;
		if (op % 2500 == 2499 && !check_all(m))
			return false;
	}
	return check_all(m);
}

/* Remove every name, deepest first, as the model says it must work. */
static bool delete_all(model_t *m)
{
	unsigned long op = 0;

	for (bool more = true; more;) {
		more = false;
		for (int e = 0; e < MAX_ENTS; e++) {
			if (!m->ents[e].used)
				continue;
			ment_t *en = &m->ents[e];
			uint32_t dino = m->nodes[en->dir].ino;
			if (m->nodes[en->node].kind != K_DIR) {
				EXPECT(ext2_unlink(m->fs, dino, en->name, strlen(en->name)), EOK);
			} else if (children(m, en->node, false) == 0) {
				EXPECT(ext2_rmdir(m->fs, dino, en->name, strlen(en->name)), EOK);
			} else {
				more = true;
				continue;
			}
			ent_drop(m, e);
		}
	}
	return true;
}

/* Everything deleted: the counts are what they were but for the root's growth. */
static bool torture_empty(
    model_t *m, const char *img, uint32_t cache, const ext2_info_t *fresh, uint64_t root_blocks)
{
	ext2_info_t now;
	ext2_stat_t st;
	hdev_t d;

	m->fs = mount_image(&d, img, cache, 0);
	TAP_CHECK(m->fs != NULL);
	bool ok = delete_all(m);
	ext2_info(m->fs, &now);
	TAP_CHECK_EQ(ext2_stat(m->fs, EXT2_ROOT_INO, &st), EOK);
	TAP_CHECK_EQ(ext2_unmount(m->fs), EOK);
	hdev_close(&d);
	TAP_CHECK(ok);
	TAP_CHECK_EQ(now.free_inodes, fresh->free_inodes);
	TAP_CHECK_EQ(now.free_blocks,
	    fresh->free_blocks - (st.blocks - root_blocks) * 512 / fresh->block_size);
	return fsck_clean(img);
}

/* The volume after unmount: e2fsck, debugfs rdump and cat, a fresh mount. */
static bool torture_verify(model_t *m, const char *img, uint32_t cache)
{
	char out[400];
	hdev_t d;

	TAP_CHECK(fsck_clean(img));
	snprintf(out, sizeof(out), "%s.dump", img);
	TAP_CHECK(sh("rm -rf '%s' && mkdir '%s' && debugfs -R 'rdump / %s' '%s' > /dev/null 2>&1",
	              out, out, out, img) == 0);
	TAP_CHECK(check_dump(m, out));
	sh("rm -rf '%s'", out);
	TAP_CHECK(check_cat(m, img, 10));
	m->fs = mount_image(&d, img, cache, 0);
	TAP_CHECK(m->fs != NULL);
	bool ok = check_all(m);
	TAP_CHECK_EQ(ext2_unmount(m->fs), EOK);
	hdev_close(&d);
	TAP_CHECK(ok);
	return fsck_clean(img);
}

static bool torture(const char *args, const char *size, uint32_t cache, bool fills)
{
	static model_t m;
	char img[300];
	uint64_t seed = (uint64_t) time(NULL);
	unsigned long nops = 10000;
	ext2_info_t fresh;
	ext2_stat_t root;
	hdev_t d;
	bool ok;

	if (getenv("EXT2_TORTURE_SEED"))
		seed = strtoull(getenv("EXT2_TORTURE_SEED"), NULL, 0);
	if (getenv("EXT2_TORTURE_OPS"))
		nops = strtoul(getenv("EXT2_TORTURE_OPS"), NULL, 0);
	tap_diag("torture %s %s: seed %llu, %lu operations (EXT2_TORTURE_SEED=%llu to repeat)",
	    args, size, (unsigned long long) seed, nops, (unsigned long long) seed);
	memset(&m, 0, sizeof(m));
	prng_seed(&m.rng, seed);
	m.fills = fills;
	TAP_CHECK(image_make(img, sizeof(img), scratch, "torture", args, size));
	m.fs = mount_image(&d, img, cache, 0);
	TAP_CHECK(m.fs != NULL);
	ext2_info(m.fs, &fresh);
	TAP_CHECK_EQ(ext2_stat(m.fs, EXT2_ROOT_INO, &root), EOK);
	m.nodes[0].kind = K_DIR;
	m.nodes[0].ino = EXT2_ROOT_INO;
	ok = torture_run(&m, nops);
	TAP_CHECK_EQ(ext2_unmount(m.fs), EOK);
	hdev_close(&d);
	TAP_CHECK(ok);
	tap_diag("%d names, %llu device writes, %lu ENOSPC; operations by tenths of the mix: "
	         "%lu %lu %lu %lu %lu %lu %lu %lu %lu %lu",
	    ents_used(&m), (unsigned long long) d.writes, m.nospc, m.ops[0], m.ops[1], m.ops[2],
	    m.ops[3], m.ops[4], m.ops[5], m.ops[6], m.ops[7], m.ops[8], m.ops[9]);
	TAP_CHECK(torture_verify(&m, img, cache));
	TAP_CHECK(torture_empty(&m, img, cache, &fresh, root.blocks));
	for (int i = 0; i < MAX_NODES; i++)
		node_free(&m, i);
	unlink(img);
	return true;
}

static bool test_torture_1k_128(void)
{
	return torture("-b 1024 -I 128", "64M", 24, false);
}

static bool test_torture_4k_256(void)
{
	return torture("-b 4096 -I 256", "128M", 64, false);
}

/* A volume of two groups that fills up over and over: ENOSPC changes nothing. */
static bool test_torture_full(void)
{
	return torture("-b 1024 -I 256 -N 384 -g 2048", "5M", 16, true);
}

int main(void)
{
	static const tap_case_t cases[] = {
		{ "torture_1k_128", test_torture_1k_128 },
		{ "torture_4k_256", test_torture_4k_256 },
		{ "torture_full", test_torture_full },
	};
	return scratch_tap_run(scratch, sizeof(scratch), cases, sizeof(cases) / sizeof(cases[0]));
}
