/*
 * Host support for the lib/ext2 tests (ext2_host.h).
 */
#define _GNU_SOURCE
#include "ext2_host.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static errno_t hdev_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	hdev_t *d = ctx;

	if (off % 512 != 0 || len % 512 != 0 || off + len > d->size)
		return EINVAL;
	d->reads++;
	return pread(d->fd, buf, len, (off_t) off) == (ssize_t) len ? EOK : EIO;
}

static errno_t hdev_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	hdev_t *d = ctx;

	if (off % 512 != 0 || len % 512 != 0 || off + len > d->size)
		return EINVAL;
	d->writes++;
	if (off < d->fail_to && off + len > d->fail_from)
		return EIO;
	return pwrite(d->fd, buf, len, (off_t) off) == (ssize_t) len ? EOK : EIO;
}

static errno_t hdev_flush(void *ctx)
{
	hdev_t *d = ctx;

	d->flushes++;
	return EOK;
}

static void *hdev_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void hdev_free(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

static uint32_t hdev_now(void *ctx)
{
	(void) ctx;
	return (uint32_t) time(NULL);
}

static bool hdev_busy(void *ctx, uint32_t ino)
{
	hdev_t *d = ctx;

	for (unsigned i = 0; i < d->nbusy; i++) {
		if (d->busy[i] == ino)
			return true;
	}
	return false;
}

bool hdev_open(hdev_t *d, const char *path)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &st) != 0)
		return false;
	d->size = (uint64_t) st.st_size;
	return true;
}

void hdev_close(hdev_t *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

void hdev_host(hdev_t *d, ext2_host_t *host)
{
	memset(host, 0, sizeof(*host));
	host->ctx = d;
	host->read = hdev_read;
	host->write = hdev_write;
	host->flush = hdev_flush;
	host->alloc = hdev_alloc;
	host->free = hdev_free;
	host->now = hdev_now;
	host->inode_busy = hdev_busy;
}

static int sh_status(int st)
{
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	return sh_status(system(cmd));
}

int sh_out(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096];
	size_t n = 0;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (n + 1 < size) {
		size_t got = fread(out + n, 1, size - 1 - n, p);
		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	/* Drain what did not fit. */
	char sink[4096];
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;
	return sh_status(pclose(p));
}

bool scratch_make(char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(path, size, "%s/ext2test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(path) != NULL;
}

void scratch_remove(const char *path)
{
	if (strstr(path, "/ext2test.") != NULL)
		sh("rm -rf '%s'", path);
}

ext2_fs_t *mount_image(hdev_t *d, const char *image, uint32_t cache, unsigned flags)
{
	ext2_host_t host;
	ext2_fs_t *fs;
	char why[200];
	errno_t rc;

	if (!hdev_open(d, image)) {
		tap_diag("cannot open %s", image);
		return NULL;
	}
	hdev_host(d, &host);
	rc = ext2_mount(&host, cache, flags, &fs, why, sizeof(why));
	if (rc != EOK) {
		tap_diag("mount %s: %s (%s)", image, errno_name(rc), why);
		hdev_close(d);
		return NULL;
	}
	return fs;
}

errno_t ext2_path(ext2_fs_t *fs, const char *path, uint32_t *ino)
{
	uint32_t cur = EXT2_ROOT_INO;
	errno_t rc;

	while (*path != '\0') {
		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		size_t len = strcspn(path, "/");
		rc = ext2_lookup(fs, cur, path, len, &cur);
		if (rc != EOK)
			return rc;
		path += len;
	}
	*ino = cur;
	return EOK;
}

bool fsck_clean(const char *image)
{
	static char out[65536];
	int rc = sh_out(out, sizeof(out), "e2fsck -fn '%s' 2>&1", image);

	if (rc != 0)
		tap_diag("e2fsck -fn exit %d:\n%s", rc, out);
	return rc == 0;
}

bool image_make(char *img, size_t img_size, const char *dir, const char *name, const char *args,
    const char *size)
{
	snprintf(img, img_size, "%s/%s", dir, name);
	return sh("mke2fs -q -F -t ext2 %s '%s' %s > /dev/null 2>&1", args, img, size) == 0;
}

int scratch_tap_run(char *path, size_t size, const tap_case_t *cases, size_t n)
{
	if (!scratch_make(path, size)) {
		printf("1..0 # SKIP no scratch directory\n");
		return 1;
	}
	int rc = tap_run(cases, n);
	scratch_remove(path);
	return rc;
}
