/*
 * The file API tests (test_fs*.c): they run in a boot with the storage
 * stack (the kernel word "fs": devman, ext2 on disk0, the VFS) and the
 * root image as disk0 (tools/test.sh, suite fs); their names start with
 * hw_ so that "utest=all" (no disk) leaves them out.  Shared helpers
 * (fs_util.c).
 */
#ifndef TESTER_FS_H_
#define TESTER_FS_H_

#include <ipc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where each test works (made fresh by fs_dir_fresh). */
#define FS_TEST_ROOT "/fsapi"

/* True if the VFS has a root (else a failure is recorded). */
bool fs_ready(void);
/* The file pager serves the volume of @a path (an existing file) once this
 * returns true: a page of the file mapped and read, since a mapping's
 * page-in waits until the pager has bound the volume (docs/file-pager.md,
 * "The first use of a volume"); until then the VFS serves the volume's
 * reads itself.  An ordinary boot is long past that when its programs
 * start; a test that counts the pager's work right after the boot calls
 * this first.  False (and a failure noted) if the file cannot be mapped. */
bool fs_volume_bind(const char *path);
/* Remove @a path and everything below it (a missing one is fine): 0 or
 * -1 with errno. */
int fs_remove_tree(const char *path);
/* @a path as a new empty directory (removing what was there). */
bool fs_dir_fresh(const char *path);
/* The byte at offset @a off of the pattern @a seed (any offset). */
uint8_t fs_pattern_byte(uint64_t seed, uint64_t off);
void fs_pattern_fill(void *buf, size_t len, uint64_t seed, uint64_t off);
/* Whether [buf, buf + len) is the pattern at @a off (a note on the first
 * difference). */
bool fs_pattern_check(const void *buf, size_t len, uint64_t seed, uint64_t off);
/* Create (truncate) @a path with @a len bytes of @a data: 0 or -1. */
int fs_file_put(const char *path, const void *data, size_t len);
/* The whole of @a path into a malloc'd buffer (*len its size): NULL and
 * errno on failure. */
void *fs_file_get(const char *path, size_t *len);
/* Whether @a path holds exactly @a len bytes of @a data. */
bool fs_file_is(const char *path, const void *data, size_t len);
/* A fresh name under FS_TEST_ROOT for this boot's @a tag. */
void fs_path(char *buf, size_t size, const char *tag);
/* A connection of our own to the VFS, spoken to with the raw protocol
 * (abi/vfs.h), and its buffer. */
typedef struct fs_raw {
	cap_handle_t phone;
	uint8_t *buf;
} fs_raw_t;

/* Connect and ask for the buffer: EOK or the error. */
errno_t fs_raw_connect(fs_raw_t *r);
/* Hang up and unmap the buffer. */
void fs_raw_close(fs_raw_t *r);
/* One request; *ans (may be NULL) gets the answer's words. */
errno_t fs_raw_call(
    const fs_raw_t *r, uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2, ipc_msg_t *ans);
/* @a s into the buffer at @a off: its length. */
uint64_t fs_raw_put(const fs_raw_t *r, size_t off, const char *s);
/* Open @a path with @a flags: the VFS descriptor, or -1. */
int64_t fs_raw_open(const fs_raw_t *r, const char *path, unsigned flags);

/* Children of the file tests (test_fs_tasks.c); 0 if not one. */
int child_fs_main(int argc, char **argv, bool *found);
int child_fmap_main(int argc, char **argv, bool *found);
int child_fpager_main(int argc, char **argv, bool *found);
int child_reuse_main(int argc, char **argv, bool *found);
/* test_fpager.c: start a file pager of our own (the system's own is not
 * started: "fs nofpager" boots), named the successor of the dead one if
 * @a successor; its name is in ns when this returns EOK. */
errno_t fs_fpager_start(task_id_t *id, bool successor);
/* test_fmap.c: the bytes of the files the host checks (tools/test.sh
 * fmap_pattern): byte @a off of pattern @a seed; fill; compare (saying
 * the first difference). */
uint8_t fmap_byte(unsigned seed, uint64_t off);
void fmap_fill(uint8_t *p, size_t len, unsigned seed, uint64_t off);
bool fmap_is(const uint8_t *p, size_t len, unsigned seed, uint64_t off);
/* test_loader.c: "child:loader-data FILE VALUE" (programs from files). */
int child_loader_main(int argc, char **argv, bool *found);

#endif
