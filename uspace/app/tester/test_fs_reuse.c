/*
 * An inode number freed and given to a new file (abi/fs.h, "Nodes";
 * docs/file-pager.md, "Node generations"): the new file never shows the
 * old one's cached pages, and nothing of the old one reaches it.
 *
 *  hw_fmap_reuse        (suite fmap) a file written through a mapping,
 *                       unlinked while mapped, unmapped; the next file
 *                       created gets its number with another generation
 *                       and reads zeros, then holds only its own bytes
 *                       (the host checks them after the shutdown)
 *  hw_fs_reuse_window   (suite fs-nofpager) the window between the old
 *                       file's unlink and the VFS's word of it to the file
 *                       pager (FPAGER_FORGET), made certain: a child
 *                       registered as the file pager holds that word while
 *                       the new file is created and written (another
 *                       child unlinks: a task makes one file call at a
 *                       time); the word the VFS names the new file with is
 *                       not the old one's, so the pager's cache, keyed by
 *                       it, cannot take one for the other
 */
#include "fs.h"
#include "tester.h"
#include <abi/as.h>
#include <abi/fpager.h>
#include <abi/fs.h>
#include <errno.h>
#include <fcntl.h>
#include <ipc.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define PS 4096u
#define RU_DIR FS_TEST_ROOT "/fmap/reuse"
#define RW_MAP (PROT_READ | PROT_WRITE)

static bool ru_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Wait (at most 3 s) until the volume has @a want free inodes again. */
static bool ru_free_files_are(const char *dir, uint64_t want)
{
	struct statvfs v;
	for (unsigned i = 0; i < 300; i++) {
		if (statvfs(dir, &v) == 0 && v.f_ffree >= want)
			return true;
		thread_sleep_us(10000);
	}
	return false;
}

/* A: three pages stored through a shared mapping (two synced, the third
 * dirty when its name goes), read once more through read(); its number
 * and generation in *st.  Unlinked while mapped, then unmapped. */
static bool ru_old_file(struct stat *st)
{
	static uint8_t buf[3 * PS];
	int fd = open(RU_DIR "/a", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!UT_CHECK(fd >= 0) || !UT_CHECK_EQ(ftruncate(fd, 3 * PS), 0))
		return false;
	uint8_t *p = mmap(NULL, 3 * PS, RW_MAP, MAP_SHARED, fd, 0);
	if (!UT_CHECK(p != MAP_FAILED))
		return false;
	fmap_fill(p, 2 * PS, 30, 0);
	UT_CHECK_EQ(msync(p, 2 * PS, MS_SYNC), 0);
	fmap_fill(p + 2 * PS, PS, 30, 2 * PS);
	UT_CHECK(pread(fd, buf, sizeof(buf), 0) == (ssize_t) sizeof(buf) &&
	    fmap_is(buf, sizeof(buf), 30, 0));
	UT_CHECK_EQ(fstat(fd, st), 0);
	UT_CHECK_EQ(unlink(RU_DIR "/a"), 0);
	UT_CHECK_EQ(munmap(p, 3 * PS), 0);
	close(fd);
	return true;
}

/*
 * RU_DIR/b, made when number @a ino is free: the allocator gives the
 * lowest free number, which is @a ino unless an earlier test's file went
 * meanwhile (its pager's last hold on it may go late); such a lower
 * number is taken by a file set aside (and removed afterwards), and b
 * made again.  The descriptor (its stat in *st), or -1.
 */
static int ru_new_file(uint64_t ino, struct stat *st)
{
	char aside[64];
	int fd = -1;
	unsigned n = 0;
	for (; n < 8; n++) {
		fd = open(RU_DIR "/b", O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || fstat(fd, st) != 0 || st->st_ino == ino)
			break;
		close(fd);
		fd = -1;
		snprintf(aside, sizeof(aside), RU_DIR "/aside%u", n);
		if (rename(RU_DIR "/b", aside) != 0)
			break;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(aside, sizeof(aside), RU_DIR "/aside%u", i);
		(void) unlink(aside);
	}
	return fd;
}

UTEST(hw_fmap_reuse)
{
	static uint8_t buf[3 * PS];
	struct stat sa, sb;
	struct statvfs v0;
	UT_ASSERT(fs_ready());
	(void) mkdir(FS_TEST_ROOT, 0755);
	(void) mkdir(FS_TEST_ROOT "/fmap", 0755);
	UT_ASSERT(fs_dir_fresh(RU_DIR) && statvfs(RU_DIR, &v0) == 0);
	UT_ASSERT(ru_old_file(&sa));
	/* the unmap reaches the file pager after munmap returned: its last
	 * hold on the node goes then, and the number is free */
	UT_ASSERT(ru_free_files_are(RU_DIR, v0.f_ffree));
	int fd = ru_new_file(sa.st_ino, &sb);
	UT_ASSERT(fd >= 0);
	utest_note("a: node %llu generation %u; b: node %llu generation %u",
	    (unsigned long long) sa.st_ino, sa.st_gen, (unsigned long long) sb.st_ino, sb.st_gen);
	UT_ASSERT_EQ(sb.st_ino, sa.st_ino);
	UT_CHECK(sb.st_gen != sa.st_gen);
	UT_CHECK(sb.st_size == 0 && read(fd, buf, sizeof(buf)) == 0);
	UT_CHECK_EQ(ftruncate(fd, 3 * PS), 0);
	memset(buf, 0xee, sizeof(buf));
	UT_CHECK(
	    pread(fd, buf, sizeof(buf), 0) == (ssize_t) sizeof(buf) && ru_zero(buf, sizeof(buf)));
	uint8_t *p = mmap(NULL, 3 * PS, RW_MAP, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK(ru_zero(p, 3 * PS));
	/* its own bytes: page 0 by write(), page 1 through the mapping */
	fmap_fill(buf, PS, 31, 0);
	UT_CHECK_EQ(pwrite(fd, buf, PS, 0), (ssize_t) PS);
	fmap_fill(p + PS, PS, 32, PS);
	UT_CHECK_EQ(msync(p, 3 * PS, MS_SYNC), 0);
	UT_CHECK(fmap_is(p, PS, 31, 0) && fmap_is(p + PS, PS, 32, PS) && ru_zero(p + 2 * PS, PS));
	UT_CHECK_EQ(munmap(p, 3 * PS), 0);
	UT_CHECK(pread(fd, buf, sizeof(buf), 0) == (ssize_t) sizeof(buf) &&
	    fmap_is(buf, PS, 31, 0) && fmap_is(buf + PS, PS, 32, PS) && ru_zero(buf + 2 * PS, PS));
	close(fd);
}

/* ---- the window made certain: the test's child is the file pager ---- */

#define WIN_DIR FS_TEST_ROOT "/reusewin"

/* Wait (at most 5 s) until @a path exists. */
static bool ru_wait_for(const char *path)
{
	struct stat st;
	for (unsigned i = 0; i < 500; i++) {
		if (stat(path, &st) == 0)
			return true;
		thread_sleep_us(10000);
	}
	return false;
}

/* VFS_PAGER_REGISTER through @a v, retried while an earlier
 * registration's hang-up is on its way. */
static errno_t ru_pager_register(cap_handle_t v)
{
	errno_t rc = EEXIST;
	for (unsigned i = 0; i < 200 && rc == EEXIST; i++) {
		rc = ipc_request(v, VFS_PAGER_REGISTER, 0, 0, 0, 0, 0, NULL);
		if (rc == EEXIST)
			thread_sleep_us(10000);
	}
	return rc;
}

typedef struct ru_pager {
	uint64_t forgot; /* the node word of the FPAGER_FORGET held */
	int verdict; /* 0: no word about that number since; 1: another word; 2: the same */
} ru_pager_t;

/* FPAGER_FORGET: say so (s-ready -> s-forget) and hold the VFS (and with
 * it the unlink) until the test has made the new file (s-go). */
static errno_t ru_pager_forget(ru_pager_t *pg, const ipc_msg_t *m)
{
	if (pg->forgot == 0) {
		pg->forgot = m->arg[1];
		(void) rename(WIN_DIR "/s-ready", WIN_DIR "/s-forget");
		(void) ru_wait_for(WIN_DIR "/s-go");
	}
	return EOK;
}

/* One of the VFS's requests: a file's words compared with the forgotten
 * one's; the VFS does the work itself (EAGAIN: "not connected yet"). */
static errno_t ru_pager_call(ru_pager_t *pg, const ipc_msg_t *m)
{
	switch (m->method) {
	case FPAGER_FORGET:
		return ru_pager_forget(pg, m);
	case FPAGER_READ:
	case FPAGER_WRITE:
	case FPAGER_TRUNCATE:
	case FPAGER_FSYNC:
	case FPAGER_CLOSE:
	case FPAGER_GRANT:
		if (pg->forgot && pg->verdict == 0 &&
		    FS_NODE_INO(m->arg[1]) == FS_NODE_INO(pg->forgot))
			pg->verdict = m->arg[1] != pg->forgot ? 1 : 2;
		return EAGAIN;
	case FPAGER_SYNC:
	case FPAGER_BUF_DROP:
		return EOK;
	default:
		return ENOTSUP;
	}
}

/* One event: a client buffer the VFS lends is taken (so that it sends
 * the request that needs it), every other call answered. */
static void ru_pager_event(ru_pager_t *pg, ipc_event_t *ev)
{
	uintptr_t base;
	if (ev->kind != IPC_EV_CALL)
		return;
	if (ev->msg.method == IPC_M_SHARE_OUT)
		(void) ipc_share_out_accept(ev, 0, AS_AREA_READ | AS_AREA_WRITE, &base);
	else
		ipc_answer(ev->call, ru_pager_call(pg, &ev->msg), NULL);
}

/* The child: the file pager until s-done appears (at most 20 s).  Exit 0:
 * the new file was named with another word than the forgotten one. */
static int child_reuse_pager(int argc, char **argv)
{
	(void) argc;
	(void) argv;
	cap_handle_t v;
	if (ns_connect(VFS_NAME, &v) != EOK || ru_pager_register(v) != EOK ||
	    ipc_connect_to_me(v, 0, 0, 0, 0, FPAGER_VFS_BADGE) != EOK)
		return 10;
	if (rename(WIN_DIR "/s-start", WIN_DIR "/s-ready") != 0)
		return 11;
	ru_pager_t pg = { 0, 0 };
	struct stat st;
	for (unsigned i = 0; i < 200 && stat(WIN_DIR "/s-done", &st) != 0; i++) {
		ipc_event_t ev;
		while (ipc_wait(&ev, 100000, 0, 0) == EOK)
			ru_pager_event(&pg, &ev);
	}
	return pg.verdict == 1 ? 0 : 20 + pg.verdict;
}

/* The other child: unlink argv[1] (it returns when the pager answered
 * the VFS's FPAGER_FORGET). */
static int child_reuse_unlink(int argc, char **argv)
{
	return argc < 2 ? 10 : unlink(argv[1]) == 0 ? 0 : 11;
}

UTEST(hw_fs_reuse_window)
{
	static const char old[] = "the old file's bytes";
	struct stat sa, sb;
	task_id_t child, unlinker;
	task_exit_info_t info;
	UT_ASSERT(fs_ready());
	(void) mkdir(FS_TEST_ROOT, 0755);
	UT_ASSERT(fs_dir_fresh(WIN_DIR));
	/* the signals are renamed, never made or removed: no number moves */
	UT_ASSERT(fs_file_put(WIN_DIR "/s-start", "", 0) == 0 &&
	    fs_file_put(WIN_DIR "/s-x", "", 0) == 0 &&
	    fs_file_put(WIN_DIR "/a", old, sizeof(old)) == 0 && stat(WIN_DIR "/a", &sa) == 0);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:reuse-pager", &child));
	UT_ASSERT(ru_wait_for(WIN_DIR "/s-ready"));
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, "child:reuse-unlink " WIN_DIR "/a", &unlinker));
	UT_CHECK(ru_wait_for(WIN_DIR "/s-forget")); /* the unlink waits for the pager now */
	int fd = open(WIN_DIR "/b", O_RDWR | O_CREAT | O_EXCL, 0644);
	UT_CHECK(fd >= 0 && fstat(fd, &sb) == 0);
	utest_note("a: node %llu generation %u; b: node %llu generation %u",
	    (unsigned long long) sa.st_ino, sa.st_gen, (unsigned long long) sb.st_ino, sb.st_gen);
	UT_CHECK_EQ(sb.st_ino, sa.st_ino);
	UT_CHECK_EQ(rename(WIN_DIR "/s-x", WIN_DIR "/s-go"), 0);
	UT_CHECK_EQ(write(fd, "new", 3), 3); /* through the pager: FPAGER_WRITE names b */
	UT_CHECK(task_wait(unlinker, &info) == EOK && info.reason == TASK_EXIT_NORMAL &&
	    info.status == 0);
	UT_CHECK_EQ(fs_file_put(WIN_DIR "/s-done", "", 0), 0);
	UT_CHECK_OK(task_wait(child, &info));
	utest_note("the child pager: %s", info.message);
	UT_CHECK(info.reason == TASK_EXIT_NORMAL && info.status == 0);
	char back[8] = { 0 };
	UT_CHECK(pread(fd, back, sizeof(back), 0) == 3 && memcmp(back, "new", 3) == 0);
	close(fd);
	/* the child's registration went with it: the next pager may register */
	cap_handle_t v;
	if (UT_CHECK_OK(ns_connect(VFS_NAME, &v))) {
		UT_CHECK_OK(ru_pager_register(v));
		ipc_hangup(v);
	}
}

int child_reuse_main(int argc, char **argv, bool *found)
{
	*found = true;
	if (strcmp(argv[0], "child:reuse-pager") == 0)
		return child_reuse_pager(argc, argv);
	if (strcmp(argv[0], "child:reuse-unlink") == 0)
		return child_reuse_unlink(argc, argv);
	*found = false;
	return 0;
}
