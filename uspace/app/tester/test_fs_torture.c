/*
 * The file system torture test: T_OPS random operations under T_ROOT
 * (create, write at random offsets, truncate up and down, rename across
 * directories and over existing names, unlink, mkdir, rmdir, link, and
 * spot checks), each checked against an in-memory model of the tree,
 * then the whole tree read back and compared with the model.
 *
 * The model decides everything (which operation, on what, what must
 * happen); the file system's answers are only compared.  So the model can
 * be rebuilt from the seed alone: hw_fs_torture writes the seed to
 * T_SEED_FILE first, and hw_fs_torture_check (the second boot of
 * tools/test.sh's fs suite, after the host's e2fsck -fn) replays the
 * model without touching the disk and compares the tree again: what was
 * written survived the unmount and the reboot.  hw_fs_shutdown
 * (test_fs_shutdown.c) ends each of those runs.
 */
#include "fs.h"
#include "tester.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lib/prng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <sys/stat.h>
#include <task.h>
#include <unistd.h>
#include <utest.h>

#define T_ROOT "/torture"
#define T_SEED_FILE "/torture-seed"
#define T_OPS 10000u
#define T_NODES 512
#define T_NAMES 1024
#define T_NAME_MAX 40
#define T_FILE_MAX (160 * 1024)
#define T_DATA_MAX (12u * 1024 * 1024) /* all files together */
#define T_PATH_MAX 1024

typedef struct tnode {
	bool used, dir;
	uint32_t nlink; /* files: names; directories: 2 + subdirectories */
	uint8_t *data;
	size_t size;
	uint64_t ino; /* 0: not learnt yet */
} tnode_t;

typedef struct tname {
	bool used;
	int dir; /* the directory's node */
	int node;
	char name[T_NAME_MAX + 1];
} tname_t;

typedef struct tmodel {
	prng_t rng;
	bool live; /* do each operation on the file system too */
	uint64_t op;
	size_t total; /* bytes in all files */
	tnode_t node[T_NODES]; /* node 0: T_ROOT */
	tname_t name[T_NAMES];
	uint8_t *buf; /* T_FILE_MAX + 1 bytes */
	char path[T_PATH_MAX], path2[T_PATH_MAX];
	unsigned counts[10];
} tmodel_t;

enum { T_CREATE, T_WRITE, T_TRUNC, T_RENAME, T_UNLINK, T_MKDIR, T_RMDIR, T_LINK, T_CHECK, T_LIST };
static const char *const t_op_names[] = { "create", "write", "truncate", "rename", "unlink",
	"mkdir", "rmdir", "link", "check", "list" };

static uint64_t t_rand(tmodel_t *m, uint64_t bound)
{
	return bound ? prng_below(&m->rng, bound) : 0;
}

/* --- the model's tree --- */

static int t_name_of_dir(const tmodel_t *m, int node)
{
	for (int i = 0; i < T_NAMES; i++)
		if (m->name[i].used && m->name[i].node == node)
			return i;
	return -1;
}

/* The path of directory @a node into @a out: its length (0: too long). */
static size_t t_dir_path(const tmodel_t *m, int node, char *out)
{
	if (node == 0)
		return (size_t) snprintf(out, T_PATH_MAX, "%s", T_ROOT);
	int n = t_name_of_dir(m, node);
	size_t len = n < 0 ? 0 : t_dir_path(m, m->name[n].dir, out);
	if (len == 0 || len + 2 + strlen(m->name[n].name) > T_PATH_MAX)
		return 0;
	return len + (size_t) snprintf(out + len, T_PATH_MAX - len, "/%s", m->name[n].name);
}

static void t_name_path(const tmodel_t *m, int dir, const char *name, char *out)
{
	size_t len = t_dir_path(m, dir, out);
	snprintf(out + len, T_PATH_MAX - len, "/%s", name);
}

static int t_lookup(const tmodel_t *m, int dir, const char *name)
{
	for (int i = 0; i < T_NAMES; i++)
		if (m->name[i].used && m->name[i].dir == dir && strcmp(m->name[i].name, name) == 0)
			return i;
	return -1;
}

/* Is @a node @a top or below it? */
static bool t_within(const tmodel_t *m, int node, int top)
{
	while (node != 0 && node != top)
		node = m->name[t_name_of_dir(m, node)].dir;
	return node == top;
}

static bool t_dir_empty(const tmodel_t *m, int node)
{
	for (int i = 0; i < T_NAMES; i++)
		if (m->name[i].used && m->name[i].dir == node)
			return false;
	return true;
}

/* A random used name: of a file (kind 1), a directory (2) or any (0). */
static int t_pick_name(tmodel_t *m, int kind)
{
	int cand[T_NAMES], n = 0;
	for (int i = 0; i < T_NAMES; i++) {
		const tname_t *e = &m->name[i];
		if (e->used && (kind == 0 || (kind == 2) == m->node[e->node].dir))
			cand[n++] = i;
	}
	return n ? cand[t_rand(m, (uint64_t) n)] : -1;
}

static int t_pick_dir(tmodel_t *m)
{
	int n = t_pick_name(m, 2);
	return n < 0 || t_rand(m, 5) == 0 ? 0 : m->name[n].node;
}

/* A name for something in @a dir: often one it already has. */
static void t_make_name(tmodel_t *m, int dir, char *out)
{
	static const char alpha[] = "abcdefghij";
	size_t len = t_rand(m, 8) == 0 ? 8 + t_rand(m, T_NAME_MAX - 8) : 1 + t_rand(m, 2);
	if (t_rand(m, 4) == 0) {
		for (int i = 0; i < T_NAMES; i++) {
			if (m->name[i].used && m->name[i].dir == dir) {
				strcpy(out, m->name[i].name);
				return;
			}
		}
	}
	for (size_t i = 0; i < len; i++)
		out[i] = alpha[t_rand(m, sizeof(alpha) - 1)];
	out[len] = '\0';
}

static int t_slot(const bool *used, size_t stride, int max)
{
	for (int i = 1; i < max; i++)
		if (!*(const bool *) ((const char *) used + (size_t) i * stride))
			return i;
	return -1;
}

static int t_node_new(tmodel_t *m, bool dir)
{
	int i = t_slot(&m->node[0].used, sizeof(tnode_t), T_NODES);
	if (i > 0)
		m->node[i] = (tnode_t){ .used = true, .dir = dir, .nlink = dir ? 2 : 1 };
	return i;
}

static void t_node_drop(tmodel_t *m, int i)
{
	m->total -= m->node[i].size;
	free(m->node[i].data);
	m->node[i] = (tnode_t){ .used = false };
}

static void t_name_add(tmodel_t *m, int slot, int dir, const char *name, int node)
{
	m->name[slot] = (tname_t){ .used = true, .dir = dir, .node = node };
	strcpy(m->name[slot].name, name);
	if (m->node[node].dir)
		m->node[dir].nlink++;
}

/* Remove name @a i; its node goes with its last name. */
static void t_name_remove(tmodel_t *m, int i)
{
	tname_t e = m->name[i];
	m->name[i].used = false;
	if (m->node[e.node].dir) {
		m->node[e.dir].nlink--;
		t_node_drop(m, e.node);
	} else if (--m->node[e.node].nlink == 0) {
		t_node_drop(m, e.node);
	}
}

/* Set [off, off + len) of file @a node to the pattern @a seed. */
static bool t_data_write(tmodel_t *m, int node, size_t off, size_t len, uint64_t seed)
{
	tnode_t *n = &m->node[node];
	size_t end = off + len;
	if (end > n->size) {
		uint8_t *d = realloc(n->data, end);
		if (!d)
			return false;
		memset(d + n->size, 0, end - n->size);
		m->total += end - n->size;
		n->data = d;
		n->size = end;
	}
	fs_pattern_fill(n->data + off, len, seed, off);
	return true;
}

static bool t_data_resize(tmodel_t *m, int node, size_t size)
{
	tnode_t *n = &m->node[node];
	if (size <= n->size) {
		m->total -= n->size - size;
		n->size = size;
		return true;
	}
	return t_data_write(m, node, size, 0, 0);
}

/* The longest path suffix below directory @a node (0: empty). */
static size_t t_tree_extra(const tmodel_t *m, int node)
{
	size_t most = 0;
	for (int i = 0; i < T_NAMES; i++) {
		const tname_t *e = &m->name[i];
		if (!e->used || e->dir != node)
			continue;
		size_t len = 1 + strlen(e->name);
		if (m->node[e->node].dir)
			len += t_tree_extra(m, e->node);
		most = len > most ? len : most;
	}
	return most;
}

/* --- checking the file system against the model --- */

static bool t_expect(tmodel_t *m, int op, const char *path, errno_t got, errno_t want, errno_t alt)
{
	if (got == want || (want != EOK && alt != EOK && got == alt))
		return true;
	utest_fail(__FILE__, __LINE__, "operation %llu (%s %s): %s, expected %s",
	    (unsigned long long) m->op, t_op_names[op], path, str_error_name(got),
	    str_error_name(want));
	return false;
}

static bool t_fail(tmodel_t *m, const char *path, const char *what)
{
	utest_fail(__FILE__, __LINE__, "operation %llu: %s: %s (%s)", (unsigned long long) m->op,
	    path, what, str_error_name(errno));
	return false;
}

/* @a path holds exactly file @a node's bytes. */
static bool t_content_check(tmodel_t *m, int node, const char *path)
{
	const tnode_t *n = &m->node[node];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return t_fail(m, path, "open for the check");
	ssize_t got = read(fd, m->buf, n->size + 1);
	close(fd);
	if (got != (ssize_t) n->size || memcmp(m->buf, n->data, n->size) != 0) {
		for (size_t i = 0; got == (ssize_t) n->size && i < n->size; i++) {
			if (m->buf[i] != n->data[i]) {
				utest_note("%s: first difference at %zu", path, i);
				break;
			}
		}
		utest_note("%s: %lld bytes read, %zu expected", path, (long long) got, n->size);
		return t_fail(m, path, "content differs from the model");
	}
	return true;
}

/* lstat of name @a i (at @a path) against the model; learns inodes. */
static bool t_stat_check(tmodel_t *m, int i, const char *path)
{
	struct stat st;
	tnode_t *n = &m->node[m->name[i].node];
	if (lstat(path, &st) != 0)
		return t_fail(m, path, "lstat");
	bool ok = n->dir ? S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755
	                 : S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644 &&
	        (uint64_t) st.st_size == n->size;
	ok = ok && st.st_nlink == n->nlink && (n->ino == 0 || n->ino == st.st_ino);
	if (!ok) {
		utest_note("%s: mode %o size %lld nlink %u ino %llu; model: %s size %zu nlink %u "
		           "ino %llu",
		    path, st.st_mode, (long long) st.st_size, st.st_nlink,
		    (unsigned long long) st.st_ino, n->dir ? "dir" : "file", n->size, n->nlink,
		    (unsigned long long) n->ino);
		return t_fail(m, path, "stat differs from the model");
	}
	n->ino = st.st_ino;
	return true;
}

/* The listing of directory @a node is exactly the model's names. */
static bool t_list_check(tmodel_t *m, int node, const char *path)
{
	static bool seen[T_NAMES];
	struct dirent *e;
	memset(seen, 0, sizeof(seen));
	DIR *d = opendir(path);
	if (!d)
		return t_fail(m, path, "opendir");
	bool ok = true;
	errno = 0;
	while (ok && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int i = t_lookup(m, node, e->d_name);
		ok = i >= 0 && !seen[i];
		if (ok)
			seen[i] = true;
		ok = ok &&
		    (e->d_type == DT_UNKNOWN ||
		        e->d_type == (m->node[m->name[i].node].dir ? DT_DIR : DT_REG));
		if (!ok)
			utest_note("%s: unexpected entry \"%s\"", path, e->d_name);
	}
	ok = ok && errno == 0;
	closedir(d);
	for (int i = 0; ok && i < T_NAMES; i++) {
		if (m->name[i].used && m->name[i].dir == node && !seen[i]) {
			utest_note("%s: \"%s\" missing", path, m->name[i].name);
			ok = false;
		}
	}
	return ok || t_fail(m, path, "listing differs from the model");
}

/* The whole tree: every directory's listing, every name's stat, every
 * file's bytes, and one inode per node. */
static bool t_verify_all(tmodel_t *m)
{
	struct stat st;
	for (int i = 0; i < T_NODES; i++)
		m->node[i].ino = 0;
	if (lstat(T_ROOT, &st) != 0 || st.st_nlink != m->node[0].nlink)
		return t_fail(m, T_ROOT, "the root's link count differs from the model");
	if (!t_list_check(m, 0, T_ROOT))
		return false;
	for (int i = 0; i < T_NAMES; i++) {
		const tname_t *e = &m->name[i];
		if (!e->used)
			continue;
		t_name_path(m, e->dir, e->name, m->path);
		if (!t_stat_check(m, i, m->path))
			return false;
		if (m->node[e->node].dir ? !t_list_check(m, e->node, m->path)
		                         : !t_content_check(m, e->node, m->path))
			return false;
	}
	for (int a = 1; a < T_NODES; a++)
		for (int b = a + 1; b < T_NODES; b++)
			if (m->node[a].used && m->node[b].used && m->node[a].ino == m->node[b].ino)
				return t_fail(m, T_ROOT, "two nodes share an inode");
	return true;
}

/* --- the operations: the model decides, the file system must agree --- */

#define T_RC(call) ((call) < 0 ? errno : EOK)

static int t_name_slot(const tmodel_t *m)
{
	return t_slot(&m->name[0].used, sizeof(tname_t), T_NAMES);
}

static bool t_op_create(tmodel_t *m)
{
	char nm[T_NAME_MAX + 1];
	int d = t_pick_dir(m);
	t_make_name(m, d, nm);
	size_t len = t_rand(m, 8193);
	uint64_t seed = prng_next(&m->rng), ino = 0;
	bool exists = t_lookup(m, d, nm) >= 0;
	if (!exists && (t_name_slot(m) < 0 || m->total > T_DATA_MAX))
		return true;
	int node = exists ? -1 : t_node_new(m, false);
	if (!exists && node < 0)
		return true;
	if (m->live) {
		struct stat st;
		t_name_path(m, d, nm, m->path);
		int fd = open(m->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (!t_expect(m, T_CREATE, m->path, T_RC(fd), exists ? EEXIST : EOK, EOK))
			return false;
		if (fd >= 0) {
			fs_pattern_fill(m->buf, len, seed, 0);
			bool ok = write(fd, m->buf, len) == (ssize_t) len && fstat(fd, &st) == 0;
			ino = st.st_ino;
			if (close(fd) != 0 || !ok)
				return t_fail(m, m->path, "write of a new file");
		}
	}
	if (exists)
		return true;
	t_name_add(m, t_name_slot(m), d, nm, node);
	m->node[node].ino = ino;
	return t_data_write(m, node, 0, len, seed);
}

static bool t_op_write(tmodel_t *m)
{
	int n = t_pick_name(m, 1);
	if (n < 0)
		return true;
	int node = m->name[n].node;
	size_t size = m->node[node].size;
	uint64_t how = t_rand(m, 3); /* pwrite, lseek + write, O_APPEND */
	size_t maxoff = size + 16384 < T_FILE_MAX ? size + 16384 : T_FILE_MAX - 1;
	size_t off = how == 2 ? size : t_rand(m, maxoff + 1);
	size_t room = off < T_FILE_MAX ? T_FILE_MAX - off : 0;
	size_t cap = t_rand(m, 10) == 0 ? 100 * 1024 : 32 * 1024;
	size_t len = 1 + t_rand(m, cap < room ? cap : room);
	uint64_t seed = prng_next(&m->rng);
	if (room == 0 || (off + len > size && m->total + (off + len - size) > T_DATA_MAX))
		return true;
	if (m->live) {
		int flags = how == 2 ? O_WRONLY | O_APPEND : how == 1 ? O_RDWR : O_WRONLY;
		t_name_path(m, m->name[n].dir, m->name[n].name, m->path);
		int fd = open(m->path, flags);
		if (fd < 0)
			return t_fail(m, m->path, "open to write");
		fs_pattern_fill(m->buf, len, seed, off);
		ssize_t w = how == 0 ? pwrite(fd, m->buf, len, (off_t) off)
		    : how == 1 && lseek(fd, (off_t) off, SEEK_SET) != (off_t) off
		    ? -1
		    : write(fd, m->buf, len);
		if (close(fd) != 0 || w != (ssize_t) len)
			return t_fail(m, m->path, "write");
	}
	return t_data_write(m, node, off, len, seed);
}

static bool t_op_trunc(tmodel_t *m)
{
	int n = t_pick_name(m, 1);
	if (n < 0)
		return true;
	int node = m->name[n].node;
	size_t size = m->node[node].size;
	bool otrunc = t_rand(m, 5) == 0;
	size_t most = 2 * size + 8192 < T_FILE_MAX ? 2 * size + 8192 : T_FILE_MAX;
	size_t to = otrunc ? 0 : t_rand(m, most + 1);
	if (to > size && m->total + (to - size) > T_DATA_MAX)
		to = size / 2;
	if (m->live) {
		struct stat st;
		t_name_path(m, m->name[n].dir, m->name[n].name, m->path);
		int fd = open(m->path, O_WRONLY | (otrunc ? O_TRUNC : 0));
		bool ok = fd >= 0 && (otrunc || ftruncate(fd, (off_t) to) == 0) &&
		    fstat(fd, &st) == 0 && (size_t) st.st_size == to;
		if (fd < 0 || close(fd) != 0 || !ok)
			return t_fail(m, m->path, "truncate");
	}
	return t_data_resize(m, node, to);
}

/* What a rename of name @a s to (@a dd, @a nm) must do; *skip when the
 * outcome is not one the model can tell (a link onto its own file, or a
 * directory into its own tree onto an existing name). */
static errno_t t_rename_want(tmodel_t *m, int s, int dd, int t, bool *skip)
{
	int sn = m->name[s].node;
	bool sdir = m->node[sn].dir;
	*skip = t >= 0 && t != s && m->name[t].node == sn;
	if (t == s)
		return EOK;
	if (sdir && t_within(m, dd, sn)) {
		*skip = *skip || t >= 0;
		return EINVAL;
	}
	if (t < 0)
		return EOK;
	int tn = m->name[t].node;
	if (sdir && !m->node[tn].dir)
		return ENOTDIR;
	if (!sdir && m->node[tn].dir)
		return EISDIR;
	return m->node[tn].dir && !t_dir_empty(m, tn) ? ENOTEMPTY : EOK;
}

static bool t_op_rename(tmodel_t *m)
{
	char nm[T_NAME_MAX + 1];
	bool skip;
	int s = t_pick_name(m, 0);
	int dd = t_pick_dir(m);
	t_make_name(m, dd, nm);
	if (s < 0)
		return true;
	int t = t_lookup(m, dd, nm), sn = m->name[s].node;
	errno_t want = t_rename_want(m, s, dd, t, &skip);
	size_t extra = m->node[sn].dir ? t_tree_extra(m, sn) : 0;
	if (skip || t_dir_path(m, dd, m->path2) + strlen(nm) + extra > T_PATH_MAX - 64)
		return true;
	if (m->live) {
		t_name_path(m, m->name[s].dir, m->name[s].name, m->path);
		t_name_path(m, dd, nm, m->path2);
		errno_t rc = T_RC(rename(m->path, m->path2));
		if (!t_expect(m, T_RENAME, m->path, rc, want, want == ENOTEMPTY ? EEXIST : EOK))
			return false;
	}
	if (want != EOK || t == s)
		return true;
	if (t >= 0)
		t_name_remove(m, t);
	if (m->node[sn].dir) {
		m->node[m->name[s].dir].nlink--;
		m->node[dd].nlink++;
	}
	m->name[s].dir = dd;
	strcpy(m->name[s].name, nm);
	return true;
}

static bool t_op_unlink(tmodel_t *m, bool dir)
{
	int n = t_pick_name(m, 0);
	if (n < 0)
		return true;
	int node = m->name[n].node;
	errno_t want = EOK;
	if (!dir && m->node[node].dir)
		want = EISDIR;
	else if (dir && !m->node[node].dir)
		want = ENOTDIR;
	else if (dir && !t_dir_empty(m, node))
		want = ENOTEMPTY;
	if (m->live) {
		t_name_path(m, m->name[n].dir, m->name[n].name, m->path);
		errno_t rc = T_RC(dir ? rmdir(m->path) : unlink(m->path));
		if (!t_expect(m, dir ? T_RMDIR : T_UNLINK, m->path, rc, want,
		        want == ENOTEMPTY ? EEXIST : EOK))
			return false;
	}
	if (want == EOK)
		t_name_remove(m, n);
	return true;
}

static bool t_op_mkdir(tmodel_t *m)
{
	char nm[T_NAME_MAX + 1];
	int d = t_pick_dir(m);
	t_make_name(m, d, nm);
	bool exists = t_lookup(m, d, nm) >= 0;
	if (t_dir_path(m, d, m->path) > T_PATH_MAX / 2 || (!exists && t_name_slot(m) < 0))
		return true;
	int node = exists ? -1 : t_node_new(m, true);
	if (!exists && node < 0)
		return true;
	if (m->live) {
		t_name_path(m, d, nm, m->path);
		if (!t_expect(m, T_MKDIR, m->path, T_RC(mkdir(m->path, 0755)),
		        exists ? EEXIST : EOK, EOK))
			return false;
	}
	if (!exists)
		t_name_add(m, t_name_slot(m), d, nm, node);
	return true;
}

static bool t_op_link(tmodel_t *m)
{
	char nm[T_NAME_MAX + 1];
	int s = t_pick_name(m, 1);
	int d = t_pick_dir(m);
	t_make_name(m, d, nm);
	if (s < 0)
		return true;
	bool exists = t_lookup(m, d, nm) >= 0;
	if (!exists && t_name_slot(m) < 0)
		return true;
	if (m->live) {
		t_name_path(m, m->name[s].dir, m->name[s].name, m->path);
		t_name_path(m, d, nm, m->path2);
		errno_t rc = T_RC(link(m->path, m->path2));
		if (!t_expect(m, T_LINK, m->path2, rc, exists ? EEXIST : EOK, EOK))
			return false;
	}
	if (!exists) {
		int node = m->name[s].node;
		t_name_add(m, t_name_slot(m), d, nm, node);
		m->node[node].nlink++;
	}
	return true;
}

/* A spot check: a file's stat and bytes, or a directory's listing. */
static bool t_op_check(tmodel_t *m, bool list)
{
	int n = t_pick_name(m, list ? 2 : 1);
	if (n < 0 || !m->live)
		return true;
	t_name_path(m, m->name[n].dir, m->name[n].name, m->path);
	if (!t_stat_check(m, n, m->path))
		return false;
	return list ? t_list_check(m, m->name[n].node, m->path)
	            : t_content_check(m, m->name[n].node, m->path);
}

/* One random operation (the weights add up to 100). */
static bool t_op(tmodel_t *m)
{
	static const uint8_t weights[] = { 10, 26, 8, 10, 11, 7, 6, 6, 12, 4 };
	uint64_t r = t_rand(m, 100);
	int op = 0;
	while (r >= weights[op])
		r -= weights[op++];
	m->counts[op]++;
	switch (op) {
	case T_CREATE:
		return t_op_create(m);
	case T_WRITE:
		return t_op_write(m);
	case T_TRUNC:
		return t_op_trunc(m);
	case T_RENAME:
		return t_op_rename(m);
	case T_UNLINK:
		return t_op_unlink(m, false);
	case T_MKDIR:
		return t_op_mkdir(m);
	case T_RMDIR:
		return t_op_unlink(m, true);
	case T_LINK:
		return t_op_link(m);
	default:
		return t_op_check(m, op == T_LIST);
	}
}

static tmodel_t *t_model_new(uint64_t seed, bool live)
{
	tmodel_t *m = calloc(1, sizeof(*m));
	if (!m || !(m->buf = malloc(T_FILE_MAX + 1))) {
		free(m);
		return NULL;
	}
	prng_seed(&m->rng, seed);
	m->live = live;
	m->node[0] = (tnode_t){ .used = true, .dir = true, .nlink = 2 };
	return m;
}

static void t_model_free(tmodel_t *m)
{
	for (int i = 0; i < T_NODES; i++)
		free(m->node[i].data);
	free(m->buf);
	free(m);
}

/* Run @a ops operations (checked when live); false at the first
 * disagreement. */
static bool t_run(tmodel_t *m, unsigned ops)
{
	for (m->op = 0; m->op < ops; m->op++) {
		if (!t_op(m))
			return false;
	}
	return true;
}

static void t_report(const tmodel_t *m)
{
	size_t names = 0, nodes = 0;
	for (int i = 0; i < T_NAMES; i++)
		names += m->name[i].used;
	for (int i = 0; i < T_NODES; i++)
		nodes += m->node[i].used;
	utest_note("torture: %llu operations (create %u, write %u, truncate %u, rename %u, "
	           "unlink %u, mkdir %u, rmdir %u, link %u, check %u, list %u); %zu names, %zu "
	           "nodes, %zu bytes",
	    (unsigned long long) m->op, m->counts[0], m->counts[1], m->counts[2], m->counts[3],
	    m->counts[4], m->counts[5], m->counts[6], m->counts[7], m->counts[8], m->counts[9],
	    names, nodes, m->total);
}

UTEST(hw_fs_torture)
{
	char text[64];
	uint64_t seed = uptime_ns_now() * 0x9e3779b97f4a7c15ULL ^ task_id();
	UT_ASSERT(fs_ready());
	utest_note("torture: seed %#llx, %u operations under %s", (unsigned long long) seed, T_OPS,
	    T_ROOT);
	int len = snprintf(text, sizeof(text), "%llx %u\n", (unsigned long long) seed, T_OPS);
	UT_ASSERT_EQ(fs_file_put(T_SEED_FILE, text, (size_t) len), 0);
	UT_ASSERT(fs_dir_fresh(T_ROOT));
	tmodel_t *m = t_model_new(seed, true);
	UT_ASSERT(m != NULL);
	bool ok = t_run(m, T_OPS);
	t_report(m);
	if (ok)
		ok = t_verify_all(m);
	UT_CHECK(ok);
	sync();
	t_model_free(m);
}

/* The second boot: the model rebuilt from the seed, the tree compared. */
UTEST(hw_fs_torture_check)
{
	size_t len;
	UT_ASSERT(fs_ready());
	char *text = fs_file_get(T_SEED_FILE, &len);
	UT_ASSERT(text != NULL);
	char *end;
	uint64_t seed = strtoul(text, &end, 16);
	unsigned ops = (unsigned) strtoul(end, NULL, 10);
	free(text);
	utest_note(
	    "torture check: seed %#llx, %u operations replayed", (unsigned long long) seed, ops);
	tmodel_t *m = t_model_new(seed, false);
	UT_ASSERT(m != NULL);
	UT_CHECK(t_run(m, ops));
	t_report(m);
	UT_CHECK(t_verify_all(m));
	t_model_free(m);
}
