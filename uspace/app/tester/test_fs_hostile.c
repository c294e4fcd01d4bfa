/*
 * A hostile client of the VFS, speaking the protocol (abi/vfs.h) on a
 * connection of its own: requests before the buffer exists, descriptors
 * that are not ours (never opened, out of range, near 2^64, another
 * task's), lengths beyond the buffer and near 2^64 (also two that wrap
 * when added), offsets near 2^63 and 2^64, paths with a NUL inside or
 * longer than VFS_PATH_MAX, a directory opened for writing, unknown
 * flags and methods.  Each must be the error the contract names, and
 * nothing may change: the directory's listing, a probe file, the
 * volume's free blocks and inodes.  Then libc's side: bad pointers to
 * read, write and the path calls are EFAULT with the file untouched.
 */
#include "fs.h"
#include "tester.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define PROBE_DATA "probe data, must not change"
#define HOLD_READY_TRIES 200
#define HOLD_READY_WAIT_US 50000
#define NOT_OURS_FD 1000

/* What must not change. */
typedef struct fs_snap {
	long names;
	uint64_t name_sum;
	char probe[64];
	uint64_t free_blocks, free_files;
} fs_snap_t;

static bool fs_snap_take(const char *dir, const char *probe, fs_snap_t *s)
{
	struct statvfs sv;
	struct dirent *e;
	size_t len;
	memset(s, 0, sizeof(*s));
	DIR *d = opendir(dir);
	if (!d || statvfs(dir, &sv) != 0)
		return false;
	while ((e = readdir(d)) != NULL) {
		s->names++;
		for (const char *p = e->d_name; *p; p++)
			s->name_sum = s->name_sum * 131 + (uint8_t) *p;
	}
	closedir(d);
	char *data = fs_file_get(probe, &len);
	if (!data || len >= sizeof(s->probe))
		return false;
	memcpy(s->probe, data, len);
	free(data);
	s->free_blocks = sv.f_bfree;
	s->free_files = sv.f_ffree;
	return true;
}

static void fs_snap_same(const fs_snap_t *a, const fs_snap_t *b, const char *when)
{
	if (!UT_CHECK(a->names == b->names && a->name_sum == b->name_sum) ||
	    !UT_CHECK(strcmp(a->probe, b->probe) == 0) ||
	    !UT_CHECK_EQ(a->free_blocks, b->free_blocks) ||
	    !UT_CHECK_EQ(a->free_files, b->free_files))
		utest_note("changed: %s", when);
}

/* Before the buffer: everything that needs it is ENOENT. */
static void hostile_no_buffer(fs_raw_t *r)
{
	UT_CHECK_ERR(fs_raw_call(r, VFS_READ, 0, 10, 0, NULL), ENOENT);
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, 5, 0, 0, NULL), ENOENT);
	UT_CHECK_ERR(fs_raw_call(r, VFS_STAT, 5, 1, 0, NULL), ENOENT);
	UT_CHECK_ERR(fs_raw_call(r, VFS_MKDIR, 5, 0755, 0, NULL), ENOENT);
	UT_CHECK_ERR(fs_raw_call(r, VFS_GETCWD, 0, 0, 0, NULL), ENOENT);
}

/* Descriptors we never had, on every request that takes one. */
static void hostile_bad_fds(fs_raw_t *r)
{
	static const uint64_t fds[] = { VFS_FD_MAX - 1, VFS_FD_MAX, NOT_OURS_FD, UINT64_MAX,
		1ULL << 63, 1ULL << 32 };
	static const uint64_t methods[] = { VFS_CLOSE, VFS_READ, VFS_WRITE, VFS_PREAD, VFS_PWRITE,
		VFS_SEEK, VFS_FSTAT, VFS_TRUNCATE, VFS_FSYNC, VFS_READDIR, VFS_DUP };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			if (!UT_CHECK_ERR(fs_raw_call(r, methods[m], fds[i], 4, 0, NULL), EBADF))
				utest_note("method %llu, fd %#llx", (unsigned long long) methods[m],
				    (unsigned long long) fds[i]);
		}
	}
	UT_CHECK_ERR(fs_raw_call(r, VFS_HANDOFF, NOT_OURS_FD, UINT64_MAX, UINT64_MAX, NULL), EBADF);
	UT_CHECK_ERR(fs_raw_call(r, VFS_ADOPT, 0x5eed5eed5eedULL, 0, 0, NULL), ENOENT);
}

/* Lengths and offsets that cannot be. @a rd reads the probe, @a wr
 * writes the empty scratch file. */
static void hostile_lengths(fs_raw_t *r, int64_t rd, int64_t wr)
{
	uint64_t big[] = { VFS_BUF_SIZE + 1, 1ULL << 63, UINT64_MAX, UINT64_MAX - VFS_BUF_SIZE };
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		UT_CHECK_ERR(fs_raw_call(r, VFS_READ, (uint64_t) rd, big[i], 0, NULL), EINVAL);
		UT_CHECK_ERR(fs_raw_call(r, VFS_WRITE, (uint64_t) wr, big[i], 0, NULL), EINVAL);
		UT_CHECK_ERR(fs_raw_call(r, VFS_PREAD, (uint64_t) rd, big[i], 0, NULL), EINVAL);
		UT_CHECK_ERR(
		    fs_raw_call(r, VFS_OPEN, big[i], VFS_O_RDONLY, 0, NULL), EINVAL, ENAMETOOLONG);
		UT_CHECK_ERR(fs_raw_call(r, VFS_STAT, big[i], 1, 0, NULL), EINVAL, ENAMETOOLONG);
		UT_CHECK_ERR(
		    fs_raw_call(r, VFS_MKDIR, big[i], 0755, 0, NULL), EINVAL, ENAMETOOLONG);
		UT_CHECK_ERR(fs_raw_call(r, VFS_UNLINK, big[i], 0, 0, NULL), EINVAL, ENAMETOOLONG);
		UT_CHECK_ERR(
		    fs_raw_call(r, VFS_TRUNCATE, (uint64_t) wr, big[i] | (1ULL << 63), 0, NULL),
		    EINVAL, EFBIG);
	}
	/* Two lengths whose sum wraps to something small. */
	uint64_t n = fs_raw_put(r, 0, "probe");
	UT_CHECK_ERR(fs_raw_call(r, VFS_RENAME, UINT64_MAX, n + 1, 0, NULL), EINVAL, ENAMETOOLONG);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_RENAME, n, UINT64_MAX - n + 1, 0, NULL), EINVAL, ENAMETOOLONG);
	UT_CHECK_ERR(fs_raw_call(r, VFS_LINK, n, UINT64_MAX, 0, NULL), EINVAL, ENAMETOOLONG);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_SYMLINK, UINT64_MAX - 1, n + 2, 0, NULL), EINVAL, ENAMETOOLONG);
	/* Offsets near 2^63 and 2^64. */
	UT_CHECK_ERR(fs_raw_call(r, VFS_PREAD, (uint64_t) rd, 10, 1ULL << 63, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_PREAD, (uint64_t) rd, 10, UINT64_MAX, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_PWRITE, (uint64_t) wr, 10, UINT64_MAX - 5, NULL), EINVAL);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_PWRITE, (uint64_t) wr, 10, INT64_MAX - 5, NULL), EFBIG, EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_SEEK, (uint64_t) rd, 0, 3, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_SEEK, (uint64_t) rd, 0, UINT64_MAX, NULL), EINVAL);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_SEEK, (uint64_t) rd, (uint64_t) -1, VFS_SEEK_SET, NULL), EINVAL);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_SEEK, (uint64_t) rd, (uint64_t) INT64_MIN, VFS_SEEK_END, NULL),
	    EINVAL);
	UT_CHECK_OK(fs_raw_call(r, VFS_SEEK, (uint64_t) rd, 10, VFS_SEEK_SET, NULL));
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_SEEK, (uint64_t) rd, INT64_MAX, VFS_SEEK_CUR, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_TRUNCATE, (uint64_t) rd, 0, 0, NULL), EBADF);
	UT_CHECK_ERR(fs_raw_call(r, VFS_DUP2, (uint64_t) rd, VFS_FD_MAX, 0, NULL), EBADF, EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_DUP2, (uint64_t) rd, UINT64_MAX, 0, NULL), EBADF, EINVAL);
	/* Flags and methods nobody defined. */
	n = fs_raw_put(r, 0, "probe");
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, n, 1u << 30, 0, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, n, VFS_O_ACCMODE, 0, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, IPC_M_FIRST_USER + 200, 0, 0, 0, NULL), ENOTSUP);
}

/* Paths: a NUL inside, one byte over VFS_PATH_MAX, empty. */
static void hostile_paths(fs_raw_t *r)
{
	static const char evil[] = "evil\0name";
	memcpy(r->buf, evil, sizeof(evil) - 1);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_OPEN, sizeof(evil) - 1, VFS_O_WRONLY | VFS_O_CREAT, 0644, NULL),
	    EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_MKDIR, sizeof(evil) - 1, 0755, 0, NULL), EINVAL);
	uint64_t n = fs_raw_put(r, 0, "probe");
	memcpy(r->buf + n, evil, sizeof(evil) - 1);
	UT_CHECK_ERR(fs_raw_call(r, VFS_RENAME, n, sizeof(evil) - 1, 0, NULL), EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_LINK, n, sizeof(evil) - 1, 0, NULL), EINVAL);
	memcpy(r->buf, evil, sizeof(evil) - 1);
	fs_raw_put(r, sizeof(evil) - 1, "sym");
	UT_CHECK_ERR(fs_raw_call(r, VFS_SYMLINK, sizeof(evil) - 1, 3, 0, NULL), EINVAL);
	memset(r->buf, 'a', VFS_PATH_MAX + 1);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_OPEN, VFS_PATH_MAX + 1, VFS_O_CREAT | VFS_O_WRONLY, 0644, NULL),
	    ENAMETOOLONG);
	UT_CHECK_ERR(fs_raw_call(r, VFS_STAT, VFS_PATH_MAX + 1, 1, 0, NULL), ENAMETOOLONG);
	UT_CHECK_ERR(
	    fs_raw_call(r, VFS_OPEN, 0, VFS_O_CREAT | VFS_O_WRONLY, 0644, NULL), ENOENT, EINVAL);
	UT_CHECK_ERR(fs_raw_call(r, VFS_MKDIR, 0, 0755, 0, NULL), ENOENT, EINVAL, EEXIST);
}

/* The directory itself for writing; its descriptor for data. */
static void hostile_dir(fs_raw_t *r)
{
	uint64_t n = fs_raw_put(r, 0, ".");
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, n, VFS_O_WRONLY, 0, NULL), EISDIR);
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, n, VFS_O_RDWR, 0, NULL), EISDIR);
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, n, VFS_O_RDONLY | VFS_O_TRUNC, 0, NULL), EISDIR);
	UT_CHECK_ERR(fs_raw_call(r, VFS_OPEN, n, VFS_O_WRONLY | VFS_O_CREAT, 0644, NULL), EISDIR);
	int64_t d = fs_raw_open(r, ".", VFS_O_RDONLY);
	UT_ASSERT(d >= 0);
	UT_CHECK_ERR(fs_raw_call(r, VFS_WRITE, (uint64_t) d, 4, 0, NULL), EBADF, EISDIR);
	UT_CHECK_ERR(fs_raw_call(r, VFS_READ, (uint64_t) d, 4, 0, NULL), EISDIR);
	UT_CHECK_ERR(fs_raw_call(r, VFS_TRUNCATE, (uint64_t) d, 0, 0, NULL), EBADF, EISDIR, EINVAL);
	UT_CHECK_OK(fs_raw_call(r, VFS_CLOSE, (uint64_t) d, 0, 0, NULL));
	UT_CHECK_ERR(fs_raw_call(r, VFS_CLOSE, (uint64_t) d, 0, 0, NULL), EBADF);
}

/* Another task's descriptors: a child holds 0 .. X open; we have no X. */
static void hostile_other_task(fs_raw_t *r, const char *held)
{
	char ready[96], args[128], path[128];
	task_id_t id;
	size_t len = 0;
	char *text = NULL;
	snprintf(ready, sizeof(ready), "%s/ready", held);
	snprintf(args, sizeof(args), "child:fs-hold %s", held);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &id));
	for (int i = 0; i < HOLD_READY_TRIES && !text; i++) {
		thread_sleep_us(HOLD_READY_WAIT_US);
		text = fs_file_get(ready, &len);
	}
	uint64_t x = text ? strtoul(text, NULL, 10) : 0;
	free(text);
	if (UT_CHECK(x > 0)) {
		UT_CHECK_ERR(fs_raw_call(r, VFS_FSTAT, x, 0, 0, NULL), EBADF);
		fs_raw_put(r, 0, "EVIL");
		static const uint64_t methods[] = { VFS_READ, VFS_WRITE, VFS_PREAD, VFS_PWRITE,
			VFS_SEEK, VFS_TRUNCATE, VFS_FSYNC, VFS_READDIR, VFS_DUP, VFS_CLOSE };
		for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
			UT_CHECK_ERR(fs_raw_call(r, methods[m], x, 4, 0, NULL), EBADF);
		UT_CHECK_ERR(fs_raw_call(r, VFS_HANDOFF, x, UINT64_MAX, UINT64_MAX, NULL), EBADF);
	}
	task_exit_info_t info;
	UT_CHECK_OK(task_kill(id));
	UT_CHECK_OK(task_wait(id, &info));
	snprintf(path, sizeof(path), "%s/held-%llu", held, (unsigned long long) x);
	snprintf(args, sizeof(args), "held %llu", (unsigned long long) x);
	UT_CHECK(fs_file_is(path, args, strlen(args)));
}

/* libc: bad pointers are EFAULT; the file and its offset stay. */
static void hostile_pointers(const char *probe, const char *link)
{
	struct stat st;
	int fd = open(probe, O_RDWR);
	UT_ASSERT(fd >= 0);
	uintptr_t area;
	UT_ASSERT_OK(as_area_create(TEST_FIXED_ADDR, PAGE_SIZE, RW | AS_AREA_FIXED, &area));
	UT_CHECK(read(fd, (void *) ADDR_UNMAPPED, 10) == -1 && errno == EFAULT);
	UT_CHECK(read(fd, (void *) child_ro_target, 4) == -1 && errno == EFAULT);
	UT_CHECK(read(fd, (void *) (area + PAGE_SIZE - 4), 8) == -1 && errno == EFAULT);
	UT_CHECK(write(fd, (void *) (area + PAGE_SIZE - 4), 8) == -1 && errno == EFAULT);
	UT_CHECK(write(fd, (void *) CHILD_KERNEL_ADDR, 4) == -1 && errno == EFAULT);
	UT_CHECK(pwrite(fd, (void *) ADDR_UNMAPPED, 4, 0) == -1 && errno == EFAULT);
	UT_CHECK(pread(fd, (void *) 0x1000, 4, 0) == -1 && errno == EFAULT);
	UT_CHECK(fstat(fd, (struct stat *) ADDR_UNMAPPED) == -1 && errno == EFAULT);
	UT_CHECK(stat(probe, (struct stat *) child_ro_target) == -1 && errno == EFAULT);
	UT_CHECK(readlink(link, (char *) ADDR_UNMAPPED, 10) == -1 && errno == EFAULT);
	UT_CHECK(getcwd((char *) ADDR_UNMAPPED, 100) == NULL && errno == EFAULT);
	*(char *) (area + PAGE_SIZE - 1) = 'x'; /* a path running off the area */
	UT_CHECK(open((const char *) (area + PAGE_SIZE - 1), O_RDONLY) == -1 && errno == EFAULT);
	UT_CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	UT_CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t) strlen(PROBE_DATA));
	UT_CHECK_EQ(close(fd), 0);
	UT_CHECK_OK(as_area_destroy(area));
}

/* A task holds at most VFS_TASK_CONNS_MAX connections (a child tries, so
 * that our own count is not touched); ours still works. */
static void hostile_conns(void)
{
	task_exit_info_t info;
	struct stat st;
	if (UT_CHECK_OK(child_run("child:fs-conns", &info)) &&
	    UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL))
		UT_CHECK_EQ(info.status, (int) VFS_TASK_CONNS_MAX);
	UT_CHECK_EQ(stat("/", &st), 0);
}

UTEST(hw_fs_hostile)
{
	char dir[64], probe[96], scratch[96], held[64], link[96], cwd[64];
	fs_snap_t before, after;
	fs_raw_t r = { CAP_NIL, NULL };
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "hostile");
	fs_path(held, sizeof(held), "hostile-held");
	snprintf(probe, sizeof(probe), "%s/probe", dir);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	UT_ASSERT(fs_dir_fresh(dir) && fs_dir_fresh(held));
	UT_ASSERT(fs_file_put(probe, PROBE_DATA, strlen(PROBE_DATA)) == 0 &&
	    fs_file_put(scratch, "", 0) == 0 && symlink("probe", link) == 0);
	UT_ASSERT(fs_snap_take(dir, probe, &before));
	UT_ASSERT_OK(ns_connect(VFS_NAME, &r.phone));
	hostile_no_buffer(&r);
	uintptr_t base;
	UT_ASSERT_OK(ipc_share_in(r.phone, VFS_BUF_SIZE, RW, 0, &base));
	r.buf = (uint8_t *) base;
	UT_CHECK_ERR(ipc_share_in(r.phone, VFS_BUF_SIZE, RW, 0, &base), EEXIST);
	/* Relative paths from here on are in dir. */
	UT_ASSERT(getcwd(cwd, sizeof(cwd)) != NULL && chdir(dir) == 0);
	int64_t rd = fs_raw_open(&r, "probe", VFS_O_RDONLY);
	int64_t wr = fs_raw_open(&r, "scratch", VFS_O_RDWR);
	if (UT_CHECK(rd >= 0 && wr >= 0)) {
		hostile_bad_fds(&r);
		hostile_lengths(&r, rd, wr);
		hostile_paths(&r);
		hostile_dir(&r);
		UT_CHECK_OK(fs_raw_call(&r, VFS_CLOSE, (uint64_t) rd, 0, 0, NULL));
		UT_CHECK_OK(fs_raw_call(&r, VFS_CLOSE, (uint64_t) wr, 0, 0, NULL));
	}
	UT_CHECK(fs_snap_take(dir, probe, &after));
	fs_snap_same(&before, &after, "after the hostile requests");
	/* (The child's files change the volume's counts: compared before.) */
	hostile_other_task(&r, held);
	UT_CHECK_EQ(chdir(cwd), 0);
	UT_CHECK_OK(ipc_hangup(r.phone));
	UT_CHECK_OK(as_area_destroy(base));
	hostile_conns();
	hostile_pointers(probe, link);
	UT_CHECK(fs_file_is(probe, PROBE_DATA, strlen(PROBE_DATA)));
	UT_CHECK(fs_file_is(scratch, "", 0));
	UT_CHECK(fs_remove_tree(dir) == 0 && fs_remove_tree(held) == 0);
}
