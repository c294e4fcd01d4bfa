/*
 * The records of a VFS_READDIR answer (vfs_dirent_t, abi/vfs.h), checked
 * one by one as a DIR hands them out (pure code: tests/test_libc_files.c
 * runs it on the host).
 */
#ifndef LIBC_DIRBUF_H_
#define LIBC_DIRBUF_H_

#include <abi/errno.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dirbuf_entry {
	uint64_t ino;
	uint8_t type;
	uint8_t name_len;
	const char *name; /* name_len bytes and a NUL, inside the batch */
} dirbuf_entry_t;

/* The record at *pos of the batch @a buf (@a len bytes, 8-byte aligned):
 * *pos moves past it.  EIO for a malformed record (too short, past the
 * end, a length not a multiple of 8, an empty name, a name without its
 * NUL or with one inside). */
errno_t dirbuf_next(const uint8_t *buf, size_t len, size_t *pos, dirbuf_entry_t *out);

#endif
