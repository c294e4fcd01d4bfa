/*
 * Host support for the lib/ext2 tests: a block device in a file, the
 * host's allocator and clock, running e2fsprogs, scratch directories.
 */
#ifndef TESTS_EXT2_HOST_H_
#define TESTS_EXT2_HOST_H_

#include "tap.h"
#include <ext2/ext2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hdev {
	int fd;
	uint64_t size;
	unsigned long reads;
	unsigned long writes;
	unsigned long flushes;
	/* Writes touching bytes [fail_from, fail_to) fail with EIO (none
	 * while fail_to is 0), as a bad sector does. */
	uint64_t fail_from;
	uint64_t fail_to;
	/* Inodes the test says are open (for the inode_busy hook). */
	uint32_t busy[16];
	unsigned nbusy;
} hdev_t;

/* Open image @a path; false on failure. */
bool hdev_open(hdev_t *d, const char *path);
void hdev_close(hdev_t *d);
/* A host for @a d: its file, malloc/free, time(). */
void hdev_host(hdev_t *d, ext2_host_t *host);

/* Run a shell command (printf-style); its exit status, or -1. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run a shell command and capture up to @a size - 1 bytes of its stdout. */
int sh_out(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A fresh scratch directory (removed by scratch_remove). */
bool scratch_make(char *path, size_t size);
void scratch_remove(const char *path);
/* Run @a cases (tap_run) inside a fresh scratch directory made at @a path
 * and removed afterwards: tap_run's result, or 1 with a TAP skip if no
 * directory could be made. */
int scratch_tap_run(char *path, size_t size, const tap_case_t *cases, size_t n);

/* e2fsck -fn on @a image exits 0 (else its output is printed). */
bool fsck_clean(const char *image);
/* A fresh image @a dir/@a name of @a size ("4M") made by mke2fs -t ext2 @a args. */
bool image_make(char *img, size_t img_size, const char *dir, const char *name, const char *args,
    const char *size);

/* Mount an image with a cache of @a cache blocks; NULL (and a diagnostic) on failure. */
ext2_fs_t *mount_image(hdev_t *d, const char *image, uint32_t cache, unsigned flags);
/* Resolve an absolute path inside the volume (no symlinks followed). */
errno_t ext2_path(ext2_fs_t *fs, const char *path, uint32_t *ino);

#endif
