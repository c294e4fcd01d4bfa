/* Helpers of the file API tests (fs.h). */
#include "fs.h"
#include <abi/vfs.h>
#include <as.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utest.h>

bool fs_ready(void)
{
	struct statvfs sv;
	if (statvfs("/", &sv) == 0)
		return true;
	utest_fail(__FILE__, __LINE__,
	    "no file system: statvfs(\"/\"): %s (boot with \"fs\" and "
	    "the root image)",
	    str_error_name(errno));
	return false;
}

bool fs_volume_bind(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (!UT_CHECK(fd >= 0))
		return false;
	const volatile char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (!UT_CHECK(p != MAP_FAILED))
		return false;
	(void) p[0];
	return UT_CHECK_EQ(munmap((void *) p, 4096), 0);
}

#define FS_REMOVE_BATCH 64

/* Up to FS_REMOVE_BATCH names of @a d (not . and ..) into @a names. */
static size_t fs_names_take(DIR *d, char (*names)[VFS_NAME_MAX + 1])
{
	struct dirent *e;
	size_t n = 0;
	while (n < FS_REMOVE_BATCH && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			strcpy(names[n++], e->d_name);
	}
	return n;
}

/* Remove what @a path holds, a batch of names at a time; the directory
 * is closed while the batch is removed (a deep tree would otherwise hold
 * a descriptor per level: EMFILE), and read from the start again after
 * it (removing changes the directory under readdir). */
static int fs_remove_entries(const char *path)
{
	size_t plen = strlen(path), n = 1;
	char(*names)[VFS_NAME_MAX + 1] = malloc(FS_REMOVE_BATCH * sizeof(*names));
	char *child = malloc(plen + VFS_NAME_MAX + 2);
	int rc = names && child ? 0 : -1;
	while (rc == 0 && n > 0) {
		DIR *d = opendir(path);
		if (!d) {
			rc = -1;
			break;
		}
		n = fs_names_take(d, names);
		closedir(d);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			snprintf(child, plen + VFS_NAME_MAX + 2, "%s/%s", path, names[i]);
			rc = fs_remove_tree(child);
		}
	}
	free(child);
	free(names);
	return rc;
}

int fs_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (fs_remove_entries(path) != 0)
		return -1;
	return rmdir(path);
}

bool fs_dir_fresh(const char *path)
{
	/* Tests run in any order: the first one makes FS_TEST_ROOT. */
	if (mkdir(FS_TEST_ROOT, 0755) != 0 && errno != EEXIST) {
		utest_fail(__FILE__, __LINE__, "mkdir %s: %s", FS_TEST_ROOT, str_error_name(errno));
		return false;
	}
	if (fs_remove_tree(path) != 0) {
		utest_fail(__FILE__, __LINE__, "cannot remove %s: %s", path, str_error_name(errno));
		return false;
	}
	if (mkdir(path, 0755) != 0) {
		utest_fail(__FILE__, __LINE__, "mkdir %s: %s", path, str_error_name(errno));
		return false;
	}
	return true;
}

/* The pattern's 8 bytes at offsets 8w .. 8w + 7 (little-endian). */
static uint64_t fs_pattern_word(uint64_t seed, uint64_t w)
{
	uint64_t x = (seed ^ 0x9e3779b97f4a7c15ULL) + w * 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 29;
	return x;
}

uint8_t fs_pattern_byte(uint64_t seed, uint64_t off)
{
	return (uint8_t) (fs_pattern_word(seed, off >> 3) >> (8 * (off & 7)));
}

void fs_pattern_fill(void *buf, size_t len, uint64_t seed, uint64_t off)
{
	uint8_t *p = buf;
	size_t i = 0;
	for (; i < len && ((off + i) & 7); i++)
		p[i] = fs_pattern_byte(seed, off + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t x = fs_pattern_word(seed, (off + i) >> 3);
		memcpy(p + i, &x, 8);
	}
	for (; i < len; i++)
		p[i] = fs_pattern_byte(seed, off + i);
}

bool fs_pattern_check(const void *buf, size_t len, uint64_t seed, uint64_t off)
{
	const uint8_t *p = buf;
	size_t i = 0;
	/* Whole words first where they line up, then byte by byte. */
	for (; i < len && ((off + i) & 7); i++)
		if (p[i] != fs_pattern_byte(seed, off + i))
			goto differ;
	for (; i + 8 <= len; i += 8) {
		uint64_t x = fs_pattern_word(seed, (off + i) >> 3);
		if (memcmp(p + i, &x, 8) != 0)
			break;
	}
	for (; i < len; i++)
		if (p[i] != fs_pattern_byte(seed, off + i))
			goto differ;
	return true;
differ:
	utest_note("pattern %#llx differs at offset %llu: %#x, want %#x", (unsigned long long) seed,
	    (unsigned long long) (off + i), p[i], fs_pattern_byte(seed, off + i));
	return false;
}

int fs_file_put(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, len);
	int err = errno;
	close(fd);
	if (n == (ssize_t) len)
		return 0;
	errno = n < 0 ? err : EIO;
	return -1;
}

void *fs_file_get(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && (buf = malloc((size_t) st.st_size + 1)) != NULL) {
		ssize_t n = read(fd, buf, (size_t) st.st_size + 1);
		if (n != st.st_size) {
			free(buf);
			buf = NULL;
			errno = n < 0 ? errno : EIO;
		}
	}
	int err = errno;
	close(fd);
	errno = err;
	if (buf)
		*len = (size_t) st.st_size;
	return buf;
}

bool fs_file_is(const char *path, const void *data, size_t len)
{
	size_t got;
	char *buf = fs_file_get(path, &got);
	if (!buf) {
		utest_note("%s: %s", path, str_error_name(errno));
		return false;
	}
	bool same = got == len && memcmp(buf, data, len) == 0;
	if (!same)
		utest_note(
		    "%s: %zu bytes, want %zu%s", path, got, len, got == len ? ", different" : "");
	free(buf);
	return same;
}

void fs_path(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "%s/%s", FS_TEST_ROOT, tag);
}

errno_t fs_raw_connect(fs_raw_t *r)
{
	uintptr_t base;
	r->buf = NULL;
	errno_t rc = ns_connect(VFS_NAME, &r->phone);
	if (rc != EOK)
		return rc;
	rc = ipc_share_in(r->phone, VFS_BUF_SIZE, AS_AREA_READ | AS_AREA_WRITE, 0, &base);
	if (rc != EOK) {
		ipc_hangup(r->phone);
		return rc;
	}
	r->buf = (uint8_t *) base;
	return EOK;
}

void fs_raw_close(fs_raw_t *r)
{
	ipc_hangup(r->phone);
	if (r->buf)
		as_area_destroy((uintptr_t) r->buf);
	r->buf = NULL;
}

errno_t fs_raw_call(
    const fs_raw_t *r, uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2, ipc_msg_t *ans)
{
	ipc_msg_t dummy;
	return ipc_request(r->phone, method, a0, a1, a2, 0, 0, ans ? ans : &dummy);
}

uint64_t fs_raw_put(const fs_raw_t *r, size_t off, const char *s)
{
	size_t n = strlen(s);
	memcpy(r->buf + off, s, n);
	return n;
}

int64_t fs_raw_open(const fs_raw_t *r, const char *path, unsigned flags)
{
	ipc_msg_t ans;
	uint64_t n = fs_raw_put(r, 0, path);
	return fs_raw_call(r, VFS_OPEN, n, flags, 0644, &ans) == EOK ? (int64_t) ans.arg[0] : -1;
}
