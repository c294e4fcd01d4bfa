/*
 * Races a client can start in the VFS on purpose, with two connections
 * of one task (they share its descriptor table).  The machine has one
 * CPU and a request the VFS and the ext2 server hand back and forth runs
 * to its end unless it waits for the disk; so before each round the
 * ext2 server's block cache is flushed out (a file larger than it read
 * through it) and the slow request is sent without waiting for its
 * answer: while it waits for the disk, this task runs.
 *
 *  - dup2 onto the descriptor an open on the other connection has
 *    reserved: EBUSY, and no open file may be lost (once every
 *    descriptor is closed and the files removed, the volume's free
 *    blocks and inodes are what they were).
 *  - open of a name while an unlink of it is on its way: the open either
 *    fails ENOENT or gives a descriptor of the live file (fstat works),
 *    never one of a file already gone.
 *
 * And one task's leftovers: a task that began registering file systems
 * (one phone each) and ended must leave the VFS's slots for the next.
 */
#include "fs.h"
#include "tester.h"
#include <abi/vfs.h>
#include <errno.h>
#include <fcntl.h>
#include <ipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define RACE_ROUNDS 5
#define RACE_ROUNDS_MAX 20 /* more while no round caught the open (a loaded host) */
#define RACE_LINKS 2
#define RACE_LINK_MAX 4000u /* a symbolic link's target (ext2: under a block) */
#define RACE_TRIES 1000 /* VFS_DUPs until the open has reserved its descriptor */
#define RACE_WAIT_US (10u * 1000u * 1000u)
#define RACE_VICTIM_SIZE (256u * 1024u)
#define RACE_EVICT_SIZE (6u * 1024u * 1024u) /* more than the ext2 server caches */

/* "x/../x/../..x/../NAME" in @a p, nearly RACE_LINK_MAX bytes long. */
static void race_climbs(char *p, const char *name)
{
	size_t n = 0;
	while (n + 5 + strlen(name) < RACE_LINK_MAX)
		n += (size_t) snprintf(p + n, RACE_LINK_MAX + 1 - n, "x/../");
	snprintf(p + n, RACE_LINK_MAX + 1 - n, "%s", name);
}

/*
 * dir/x/target, and a chain of RACE_LINKS symbolic links to it,
 * dir/link0 -> x/../x/../..x/../link1 ... -> x/../..x/target: ".." is
 * never in the name cache, so opening dir/link0 asks the file system
 * some thousands of times, and reads blocks the cache may not have.
 * dir/link0 (malloc'd), or NULL.
 */
static char *race_slow_path(const char *dir)
{
	char *t = malloc(RACE_LINK_MAX + 1), *p = malloc(VFS_PATH_MAX + 1), name[16];
	bool ok = t && p;
	snprintf(p, VFS_PATH_MAX + 1, "%s/x", dir);
	ok = ok && mkdir(p, 0755) == 0;
	snprintf(p, VFS_PATH_MAX + 1, "%s/x/target", dir);
	ok = ok && fs_file_put(p, "t", 1) == 0;
	for (unsigned i = 0; ok && i < RACE_LINKS; i++) {
		snprintf(name, sizeof(name), i + 1 < RACE_LINKS ? "link%u" : "x/target", i + 1);
		race_climbs(t, name);
		snprintf(p, VFS_PATH_MAX + 1, "%s/link%u", dir, i);
		ok = symlink(t, p) == 0;
	}
	snprintf(p, VFS_PATH_MAX + 1, "%s/link0", dir);
	free(t);
	if (!ok) {
		free(p);
		return NULL;
	}
	return p;
}

static bool race_free_counts(const char *dir, uint64_t *blocks, uint64_t *files)
{
	struct statvfs sv;
	if (statvfs(dir, &sv) != 0)
		return false;
	*blocks = sv.f_bfree;
	*files = sv.f_ffree;
	return true;
}

/* Send VFS_OPEN of @a path on @a a without waiting: the cookie to wait
 * for its answer with. */
static uint64_t race_open_send(const fs_raw_t *a, const char *path)
{
	uint64_t cookie = ipc_cookie_sync_new();
	uint64_t n = fs_raw_put(a, 0, path);
	ipc_msg_t m = IPC_MSG(VFS_OPEN, n, VFS_O_RDONLY, 0);
	return ipc_call(a->phone, &m, cookie) == EOK ? cookie : 0;
}

/* The answer to race_open_send: the descriptor, or -1. */
static int64_t race_open_wait(uint64_t cookie)
{
	ipc_event_t ev;
	if (!cookie || ipc_wait(&ev, RACE_WAIT_US, IPC_WAIT_FOR_COOKIE, cookie) != EOK)
		return -1;
	return ev.retval == EOK ? (int64_t) ev.msg.arg[0] : -1;
}

/* Push the slow path's blocks out of the ext2 server's block cache
 * (4 MiB): one byte written into each block of the file at @a fd (the
 * byte it holds: 0), so the next open waits for the disk.  Writes, not
 * reads: reads are the file pager's cache hits after the first pass and
 * its misses read whole blocks past the ext2 server's cache, but a write
 * goes through to the ext2 server, which reads the block into its cache
 * to change one byte. */
static void race_evict(int fd)
{
	for (off_t off = 0; off < (off_t) RACE_EVICT_SIZE; off += 4096)
		(void) pwrite(fd, "", 1, off);
}

/* Descriptors @a x and @a y of @a r are open on the same node. */
static bool race_same_file(const fs_raw_t *r, uint64_t x, uint64_t y)
{
	vfs_stat_t sx, sy;
	if (fs_raw_call(r, VFS_FSTAT, x, 0, 0, NULL) != EOK)
		return false;
	memcpy(&sx, r->buf, sizeof(sx));
	if (fs_raw_call(r, VFS_FSTAT, y, 0, 0, NULL) != EOK)
		return false;
	memcpy(&sy, r->buf, sizeof(sy));
	return sx.dev == sy.dev && sx.ino == sy.ino && sx.gen == sy.gen;
}

/*
 * While an open on @a a walks the slow path, its descriptor (src + 1) is
 * reserved: VFS_DUP on @a b then gives src + 2.  The open waits for the
 * disk (the cache was emptied), which is when we run (one CPU).  dup2
 * onto src + 1 now must not let the open's result overwrite it (losing
 * that reference).  @a dup2_rc gets the dup2's answer, ENOENT if the
 * open was not caught in the middle.
 */
static void race_dup2_round(
    const fs_raw_t *a, const fs_raw_t *b, const char *slow, uint64_t src, errno_t *dup2_rc)
{
	ipc_msg_t ans;
	ipc_event_t ev;
	*dup2_rc = ENOENT;
	uint64_t cookie = race_open_send(a, slow);
	thread_yield(); /* the open's worker starts */
	for (unsigned i = 0; i < RACE_TRIES; i++) {
		if (fs_raw_call(b, VFS_DUP, src, 0, 0, &ans) != EOK)
			break;
		(void) fs_raw_call(b, VFS_CLOSE, ans.arg[0], 0, 0, NULL);
		if (ans.arg[0] == src + 2) {
			*dup2_rc = fs_raw_call(b, VFS_DUP2, src, src + 1, 0, NULL);
			break;
		}
	}
	bool answered = ipc_wait(&ev, 0, IPC_WAIT_FOR_COOKIE | IPC_WAIT_NONBLOCK, cookie) == EOK;
	if (!answered)
		(void) race_open_wait(cookie);
	/* Not caught: the open was done, or had installed its descriptor (the
	 * dup2 then replaced it: src + 1 is src's file) but not yet answered.
	 * A dup2 let through while the slot was reserved, which the open then
	 * overwrote (src + 1 the slow path's file), stays EOK: a failure. */
	if (answered || (*dup2_rc == EOK && race_same_file(a, src, src + 1)))
		*dup2_rc = ENOENT;
	for (uint64_t n = src + 1; n <= src + 2; n++)
		(void) fs_raw_call(a, VFS_CLOSE, n, 0, 0, NULL);
}

/* dup2 against open's reserved descriptor: EBUSY, and nothing leaks. */
static void race_dup2_open(const char *dir, const fs_raw_t *a, const fs_raw_t *b)
{
	char victim[96], evict[96];
	uint64_t blocks0 = 0, files0 = 0, blocks1 = 0, files1 = 0;
	UT_ASSERT(race_free_counts(dir, &blocks0, &files0));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(evict, sizeof(evict), "%s/evict", dir);
	void *data = calloc(1, RACE_EVICT_SIZE);
	char *slow = race_slow_path(dir);
	UT_ASSERT(data && slow && fs_file_put(victim, data, RACE_VICTIM_SIZE) == 0 &&
	    fs_file_put(evict, data, RACE_EVICT_SIZE) == 0);
	free(data);
	int efd = open(evict, O_RDWR);
	UT_ASSERT(efd >= 0);
	int64_t src = fs_raw_open(a, victim, VFS_O_RDWR);
	UT_ASSERT(src >= 0);
	unsigned busy = 0, raced = 0;
	for (unsigned i = 0; i < RACE_ROUNDS || (raced == 0 && i < RACE_ROUNDS_MAX); i++) {
		errno_t rc;
		race_evict(efd);
		race_dup2_round(a, b, slow, (uint64_t) src, &rc);
		raced += rc != ENOENT;
		busy += rc == EBUSY;
	}
	(void) fs_raw_call(a, VFS_CLOSE, (uint64_t) src, 0, 0, NULL);
	close(efd);
	utest_note("dup2 onto a reserved descriptor %u times, EBUSY %u", raced, busy);
	UT_CHECK(raced > 0);
	UT_CHECK_EQ(busy, raced);
	free(slow);
	UT_CHECK(fs_remove_tree(dir) == 0 && mkdir(dir, 0755) == 0);
	UT_ASSERT(race_free_counts(dir, &blocks1, &files1));
	UT_CHECK_EQ(blocks1, blocks0);
	UT_CHECK_EQ(files1, files0);
}

/*
 * One round: dir/u/name is unlinked on @a b without waiting (the server
 * reads the directory from the disk: the cache was flushed) and opened
 * on @a a meanwhile.  The name cache still has the name then (it forgets
 * it when the unlink is done), so the open's walk asks the server
 * nothing until it opens the node, which waits for the unlink to end.
 * *opened: the open succeeded; *bogus: and fstat of it failed.
 */
static void race_unlink_round(
    const fs_raw_t *a, const fs_raw_t *b, const char *dir, int efd, bool *opened, bool *bogus)
{
	char path[96];
	ipc_event_t ev;
	snprintf(path, sizeof(path), "%s/u/name", dir);
	*opened = *bogus = false;
	if (!UT_CHECK_EQ(fs_file_put(path, "n", 1), 0))
		return;
	race_evict(efd);
	uint64_t cookie = ipc_cookie_sync_new();
	ipc_msg_t m = IPC_MSG(VFS_UNLINK, fs_raw_put(b, 0, path));
	UT_ASSERT_OK(ipc_call(b->phone, &m, cookie));
	thread_yield(); /* the unlink starts, and waits for the disk */
	int64_t fd = fs_raw_open(a, path, VFS_O_RDONLY);
	UT_CHECK(
	    ipc_wait(&ev, RACE_WAIT_US, IPC_WAIT_FOR_COOKIE, cookie) == EOK && ev.retval == EOK);
	if (fd < 0)
		return;
	*opened = true;
	*bogus = fs_raw_call(a, VFS_FSTAT, (uint64_t) fd, 0, 0, NULL) != EOK;
	UT_CHECK_OK(fs_raw_call(a, VFS_CLOSE, (uint64_t) fd, 0, 0, NULL));
}

static void race_open_unlink(const char *dir, const fs_raw_t *a, const fs_raw_t *b)
{
	char evict[96], u[96];
	snprintf(evict, sizeof(evict), "%s/evict", dir);
	snprintf(u, sizeof(u), "%s/u", dir);
	void *data = calloc(1, RACE_EVICT_SIZE);
	UT_ASSERT(data && fs_file_put(evict, data, RACE_EVICT_SIZE) == 0 && mkdir(u, 0755) == 0);
	free(data);
	int efd = open(evict, O_RDWR);
	UT_ASSERT(efd >= 0);
	unsigned opened = 0, bogus = 0;
	for (unsigned i = 0; i < RACE_ROUNDS; i++) {
		bool o, g;
		race_unlink_round(a, b, dir, efd, &o, &g);
		opened += o;
		bogus += g;
	}
	close(efd);
	utest_note(
	    "opens %u of %u succeeded, %u of a file already gone", opened, RACE_ROUNDS, bogus);
	UT_CHECK_EQ(bogus, 0);
}

/* Half-made registrations go with their task: a second squatter gets
 * as many slots as the first. */
static void race_squatters(void)
{
	task_exit_info_t first, second;
	UT_ASSERT_OK(child_run("child:fs-squat", &first));
	UT_ASSERT_OK(child_run("child:fs-squat", &second));
	utest_note("slots taken: %d, then %d", first.status, second.status);
	UT_CHECK(first.reason == TASK_EXIT_NORMAL && first.status > 0 && first.status < 100);
	UT_CHECK_EQ(second.status, first.status);
}

UTEST(hw_fs_races)
{
	char dir[64];
	fs_raw_t a, b;
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "races");
	UT_ASSERT(fs_dir_fresh(dir));
	UT_ASSERT_OK(fs_raw_connect(&a));
	UT_ASSERT_OK(fs_raw_connect(&b));
	race_dup2_open(dir, &a, &b);
	race_open_unlink(dir, &a, &b);
	race_squatters();
	fs_raw_close(&a);
	fs_raw_close(&b);
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}
