/*
 * The file API through the VFS and the ext2 server (docs/vfs.md "libc"):
 * each call and its errors, descriptors and their sharing, directories
 * and their listing in several batches, names, links and symbolic links,
 * the current directory, reads and writes larger than the shared buffer,
 * and files handed to a child as its 0, 1, 2.  hw_fs_basic leaves
 * FS_TEST_ROOT "/basic/hello.txt" for the host to read back (tools/test.sh).
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
#include <task.h>
#include <unistd.h>
#include <utest.h>

#define FS_HELLO "hello from the guest: mkernel wrote this file\n"
#define FS_BIG_IO (600 * 1024) /* more than two shared buffers */
#define FS_DIR_ENTRIES 500 /* several VFS_READDIR batches */

/* errno after a call that must fail with -1. */
#define FS_FAILS(call, err) UT_CHECK((call) == -1 && errno == (err))

static void fs_basic_rw(const char *path)
{
	char buf[64];
	struct stat st, fst;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	UT_ASSERT(fd >= 3);
	UT_CHECK_EQ(write(fd, FS_HELLO, strlen(FS_HELLO)), strlen(FS_HELLO));
	FS_FAILS(read(fd, buf, 1), EBADF);
	UT_CHECK_EQ(close(fd), 0);
	FS_FAILS(open(path, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	UT_ASSERT_EQ(stat(path, &st), 0);
	UT_CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644);
	UT_CHECK(st.st_size == (off_t) strlen(FS_HELLO) && st.st_nlink == 1);
	fd = open(path, O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_CHECK(fstat(fd, &fst) == 0 && fst.st_ino == st.st_ino && fst.st_size == st.st_size);
	UT_CHECK_EQ(read(fd, buf, sizeof(buf)), strlen(FS_HELLO));
	UT_CHECK(memcmp(buf, FS_HELLO, strlen(FS_HELLO)) == 0);
	UT_CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	FS_FAILS(write(fd, "x", 1), EBADF);
	FS_FAILS(ftruncate(fd, 0), EBADF);
	UT_CHECK(isatty(fd) == 0 && errno == ENOTSUP);
	UT_CHECK_EQ(close(fd), 0);
	FS_FAILS(close(fd), EBADF);
	UT_CHECK(fs_file_is(path, FS_HELLO, strlen(FS_HELLO)));
}

/* Offsets: lseek, pread and pwrite, O_APPEND, O_TRUNC, ftruncate. */
static void fs_basic_offsets(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	UT_ASSERT(fd >= 0);
	UT_CHECK_EQ(write(fd, "0123456789", 10), 10);
	UT_CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	UT_CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	UT_CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "234", 3) == 0);
	UT_CHECK_EQ(lseek(fd, -1, SEEK_END), 9);
	FS_FAILS(lseek(fd, -11, SEEK_END), EINVAL);
	FS_FAILS(lseek(fd, 0, 7), EINVAL);
	UT_CHECK_EQ(lseek(fd, 9, SEEK_SET), 9);
	UT_CHECK(pread(fd, buf, 4, 1) == 4 && memcmp(buf, "1234", 4) == 0);
	UT_CHECK_EQ(pwrite(fd, "AB", 2, 4), 2);
	UT_CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9);
	FS_FAILS(pread(fd, buf, 1, -1), EINVAL);
	/* Writing past the end leaves a hole of zeros. */
	UT_CHECK_EQ(pwrite(fd, "Z", 1, 20), 1);
	UT_CHECK(
	    pread(fd, buf, 32, 0) == 21 && memcmp(buf, "0123AB6789\0\0\0\0\0\0\0\0\0\0Z", 21) == 0);
	UT_CHECK_EQ(ftruncate(fd, 5), 0);
	UT_CHECK_EQ(ftruncate(fd, 8), 0);
	UT_CHECK(pread(fd, buf, 32, 0) == 8 && memcmp(buf, "0123A\0\0\0", 8) == 0);
	FS_FAILS(ftruncate(fd, -1), EINVAL);
	UT_CHECK_EQ(close(fd), 0);
	/* O_APPEND: every write at the end, whatever the offset. */
	fd = open(path, O_WRONLY | O_APPEND);
	UT_ASSERT(fd >= 0);
	UT_CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_CHECK_EQ(write(fd, "++", 2), 2);
	UT_CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	UT_CHECK_EQ(close(fd), 0);
	UT_CHECK(fs_file_is(path, "0123A\0\0\0++", 10));
	fd = open(path, O_WRONLY | O_TRUNC);
	UT_CHECK(fd >= 0 && close(fd) == 0);
	UT_CHECK(fs_file_is(path, "", 0));
}

/* dup and dup2 share the open file (its offset). */
static void fs_basic_dup(const char *path)
{
	char buf[8];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	int d = dup(fd);
	UT_ASSERT(d >= 0 && d != fd);
	UT_CHECK_EQ(write(fd, "abc", 3), 3);
	UT_CHECK_EQ(write(d, "def", 3), 3);
	UT_CHECK_EQ(lseek(d, 0, SEEK_CUR), 6);
	int d2 = dup2(fd, 20);
	UT_CHECK_EQ(d2, 20);
	UT_CHECK_EQ(lseek(d2, 1, SEEK_SET), 1);
	UT_CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "bc", 2) == 0);
	UT_CHECK_EQ(close(fd), 0);
	UT_CHECK(read(d, buf, 3) == 3 && memcmp(buf, "def", 3) == 0);
	/* dup2 onto an open descriptor closes it first. */
	int other = open(path, O_RDONLY);
	UT_ASSERT(other >= 0);
	UT_CHECK_EQ(dup2(d, other), other);
	UT_CHECK_EQ(lseek(other, 0, SEEK_CUR), 6);
	UT_CHECK(close(d) == 0 && close(d2) == 0 && close(other) == 0);
	FS_FAILS(dup(d), EBADF);
	FS_FAILS(dup2(d, 30), EBADF);
}

/* One write and one read of FS_BIG_IO bytes: several requests each. */
static void fs_basic_big_io(const char *path)
{
	uint8_t *buf = malloc(FS_BIG_IO);
	UT_ASSERT(buf != NULL);
	fs_pattern_fill(buf, FS_BIG_IO, 7, 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (UT_CHECK(fd >= 0)) {
		UT_CHECK_EQ(write(fd, buf, FS_BIG_IO), FS_BIG_IO);
		memset(buf, 0, FS_BIG_IO);
		UT_CHECK_EQ(pread(fd, buf, FS_BIG_IO, 0), FS_BIG_IO);
		UT_CHECK(fs_pattern_check(buf, FS_BIG_IO, 7, 0));
		UT_CHECK_EQ(pread(fd, buf, FS_BIG_IO, 1000), FS_BIG_IO - 1000);
		UT_CHECK(fs_pattern_check(buf, FS_BIG_IO - 1000, 7, 1000));
		UT_CHECK_EQ(close(fd), 0);
	}
	free(buf);
	UT_CHECK_EQ(unlink(path), 0);
}

UTEST(hw_fs_basic)
{
	char path[64], hello[64];
	struct statvfs sv;
	UT_ASSERT(fs_ready() && fs_dir_fresh(FS_TEST_ROOT "/basic"));
	UT_ASSERT_EQ(statvfs(FS_TEST_ROOT "/basic", &sv), 0);
	UT_CHECK(sv.f_bsize == 1024 || sv.f_bsize == 2048 || sv.f_bsize == 4096);
	UT_CHECK(sv.f_blocks > 0 && sv.f_bfree <= sv.f_blocks && sv.f_ffree <= sv.f_files);
	UT_CHECK(strcmp(sv.f_basetype, "ext2") == 0 && !(sv.f_flag & ST_RDONLY));
	fs_path(hello, sizeof(hello), "basic/hello.txt");
	fs_basic_rw(hello);
	fs_path(path, sizeof(path), "basic/offsets");
	fs_basic_offsets(path);
	fs_path(path, sizeof(path), "basic/dup");
	fs_basic_dup(path);
	fs_path(path, sizeof(path), "basic/big");
	fs_basic_big_io(path);
	sync();
}

/* Names: rename, link, unlink (also while open), symlinks. */
static void fs_names_links(const char *dir)
{
	char a[64], b[64], c[64], buf[64];
	struct stat sa, sb;
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/c", dir);
	UT_ASSERT_EQ(fs_file_put(a, "alpha", 5), 0);
	UT_CHECK_EQ(rename(a, b), 0);
	FS_FAILS(stat(a, &sa), ENOENT);
	UT_CHECK(fs_file_is(b, "alpha", 5));
	UT_CHECK_EQ(fs_file_put(a, "other", 5), 0);
	UT_CHECK_EQ(rename(a, b), 0); /* replaces b */
	UT_CHECK(fs_file_is(b, "other", 5));
	UT_CHECK_EQ(link(b, c), 0);
	UT_CHECK(stat(b, &sb) == 0 && stat(c, &sa) == 0);
	UT_CHECK(sa.st_ino == sb.st_ino && sa.st_nlink == 2);
	FS_FAILS(link(b, c), EEXIST);
	UT_CHECK_EQ(unlink(c), 0);
	UT_CHECK(stat(b, &sb) == 0 && sb.st_nlink == 1);
	/* Open, unlink, still readable until closed. */
	int fd = open(b, O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_CHECK_EQ(unlink(b), 0);
	FS_FAILS(stat(b, &sb), ENOENT);
	UT_CHECK(read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "other", 5) == 0);
	UT_CHECK_EQ(close(fd), 0);
	/* Symbolic links: to a file, dangling, a loop. */
	UT_CHECK_EQ(fs_file_put(a, "target!", 7), 0);
	UT_CHECK_EQ(symlink("a", c), 0);
	UT_CHECK(lstat(c, &sa) == 0 && S_ISLNK(sa.st_mode) && sa.st_size == 1);
	UT_CHECK(stat(c, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 7);
	UT_CHECK(readlink(c, buf, sizeof(buf)) == 1 && buf[0] == 'a');
	UT_CHECK(fs_file_is(c, "target!", 7));
	FS_FAILS(open(c, O_RDONLY | O_NOFOLLOW), ELOOP);
	FS_FAILS(readlink(a, buf, sizeof(buf)), EINVAL);
	UT_CHECK_EQ(symlink("nowhere", b), 0);
	FS_FAILS(stat(b, &sb), ENOENT);
	/* O_CREAT | O_EXCL never follows: the link exists (POSIX), nothing made. */
	FS_FAILS(open(b, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	snprintf(buf, sizeof(buf), "%s/nowhere", dir);
	FS_FAILS(stat(buf, &sb), ENOENT);
	UT_CHECK_EQ(unlink(b), 0);
	UT_CHECK_EQ(symlink("b", b), 0);
	FS_FAILS(stat(b, &sb), ELOOP);
	UT_CHECK(unlink(b) == 0 && unlink(c) == 0 && unlink(a) == 0);
}

/* Directories: mkdir, rmdir and their errors, chdir and getcwd. */
static void fs_names_dirs(const char *dir)
{
	char d[64], f[64], buf[128];
	struct stat st;
	snprintf(d, sizeof(d), "%s/sub", dir);
	snprintf(f, sizeof(f), "%s/sub/file", dir);
	UT_ASSERT_EQ(mkdir(d, 0755), 0);
	FS_FAILS(mkdir(d, 0755), EEXIST);
	UT_CHECK(stat(d, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);
	UT_CHECK_EQ(fs_file_put(f, "x", 1), 0);
	FS_FAILS(rmdir(d), ENOTEMPTY);
	FS_FAILS(unlink(d), EISDIR);
	FS_FAILS(rmdir(f), ENOTDIR);
	snprintf(buf, sizeof(buf), "%s/file/more", d);
	FS_FAILS(open(buf, O_RDONLY), ENOTDIR);
	FS_FAILS(open(d, O_WRONLY), EISDIR);
	FS_FAILS(open(f, O_RDONLY | O_DIRECTORY), ENOTDIR);
	/* A new name with a trailing slash can only be a directory. */
	snprintf(buf, sizeof(buf), "%s/new/", d);
	FS_FAILS(open(buf, O_WRONLY | O_CREAT, 0644), EISDIR);
	FS_FAILS(rename(f, buf), ENOTDIR);
	buf[strlen(buf) - 1] = '\0';
	FS_FAILS(stat(buf, &st), ENOENT);
	UT_CHECK(stat(f, &st) == 0 && S_ISREG(st.st_mode));
	UT_CHECK_EQ(chdir(d), 0);
	UT_CHECK(getcwd(buf, sizeof(buf)) == buf && strcmp(buf, d) == 0);
	UT_CHECK(fs_file_is("file", "x", 1));
	UT_CHECK(fs_file_is("./../sub/file", "x", 1));
	UT_CHECK(getcwd(buf, 4) == NULL && errno == ERANGE);
	char *cwd = getcwd(NULL, 0);
	UT_CHECK(cwd && strcmp(cwd, d) == 0);
	free(cwd);
	FS_FAILS(chdir("file"), ENOTDIR);
	UT_CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, dir) == 0);
	UT_CHECK_EQ(chdir("/"), 0);
	UT_CHECK(unlink(f) == 0 && rmdir(d) == 0);
	FS_FAILS(rmdir(d), ENOENT);
}

#define FS_ENTRY_PREFIX "entry-with-a-longer-name-"

/* The number i of a name FS_ENTRY_PREFIX "%04d" (i < FS_DIR_ENTRIES). */
static bool fs_entry_number(const char *name, int *i)
{
	size_t n = strlen(FS_ENTRY_PREFIX);
	char *end;
	if (strncmp(name, FS_ENTRY_PREFIX, n) != 0 || strlen(name) != n + 4)
		return false;
	*i = (int) strtol(name + n, &end, 10);
	return *end == '\0' && *i >= 0 && *i < FS_DIR_ENTRIES;
}

/* FS_DIR_ENTRIES names, listed in several batches, twice. */
static void fs_names_listing(const char *dir)
{
	char path[96];
	static uint8_t seen[FS_DIR_ENTRIES];
	size_t other = 0;
	for (int i = 0; i < FS_DIR_ENTRIES; i++) {
		snprintf(path, sizeof(path), "%s/" FS_ENTRY_PREFIX "%04d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (!UT_CHECK(fd >= 0) || !UT_CHECK_EQ(close(fd), 0))
			return;
	}
	DIR *d = opendir(dir);
	UT_ASSERT(d != NULL);
	for (int pass = 0; pass < 2; pass++) {
		struct dirent *e;
		memset(seen, 0, sizeof(seen));
		other = 0;
		errno = 0;
		while ((e = readdir(d)) != NULL) {
			int i;
			if (fs_entry_number(e->d_name, &i))
				seen[i]++;
			else if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				other++;
		}
		UT_CHECK_EQ(errno, 0);
		for (int i = 0; i < FS_DIR_ENTRIES; i++)
			UT_CHECK_EQ(seen[i], 1);
		UT_CHECK_EQ(other, 0);
		rewinddir(d);
	}
	UT_CHECK_EQ(closedir(d), 0);
	UT_CHECK(opendir(path) == NULL && errno == ENOTDIR);
}

UTEST(hw_fs_links_dirs)
{
	char dir[64];
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "names");
	UT_ASSERT(fs_dir_fresh(dir));
	fs_names_links(dir);
	fs_names_dirs(dir);
	fs_names_listing(dir);
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}
