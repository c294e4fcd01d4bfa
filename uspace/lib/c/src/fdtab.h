/*
 * The task's descriptor table in libc (pure code: tests/test_libc_files.c
 * runs it on the host).
 *
 * A descriptor the user sees is an index into this table.  An entry is
 * the console (read a line from the console server, write to the kernel
 * console: what 0, 1 and 2 are unless the task was handed files), or a
 * descriptor of the VFS (its number in the VFS's table of this task, and
 * the generation of the VFS connection it was opened on: one from an
 * earlier connection, which the VFS forgot when it went, is EIO), or free.
 * The two tables differ: a task that was not handed files has no VFS
 * descriptors 0-2, so its first file is VFS descriptor 0 and user
 * descriptor 3.  FDTAB_SIZE leaves room for the console three and
 * VFS_FD_MAX files, so the VFS's EMFILE is the one a task meets.
 *
 * fdtab_t.lock protects the entries; it is held only inside these
 * functions, never across a request.
 *
 * The handoff word: a task started with files for 0, 1 and 2
 * (task_spawn_fds) finds "\x01fd:MASK:TOKEN" (MASK the descriptors handed
 * over as bits 0-2, TOKEN the VFS_HANDOFF token, both hex) as its first
 * argument; libc's startup takes it out of argv before main().
 */
#ifndef LIBC_FDTAB_H_
#define LIBC_FDTAB_H_

#include <abi/errno.h>
#include <abi/vfs.h>
#include <lock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDTAB_SIZE ((int) VFS_FD_MAX + 3)

enum { FD_FREE = 0, FD_CONSOLE, FD_VFS };

typedef struct fd_entry {
	uint32_t kind; /* FD_* */
	uint32_t gen; /* FD_VFS: the connection's generation */
	uint64_t vfd; /* FD_VFS: the VFS's descriptor */
} fd_entry_t;

typedef struct fdtab {
	lock_t lock;
	fd_entry_t e[FDTAB_SIZE];
} fdtab_t;

/* 0, 1 and 2 the console, the rest free. */
void fdtab_init(fdtab_t *t);
/* The entry of @a fd: EBADF if out of range or free. */
errno_t fdtab_get(fdtab_t *t, int fd, fd_entry_t *out);
/* Put @a e in the lowest free slot: *fd; EMFILE if none. */
errno_t fdtab_alloc(fdtab_t *t, const fd_entry_t *e, int *fd);
/* Free @a fd; *old gets what it held.  EBADF if out of range or free. */
errno_t fdtab_take(fdtab_t *t, int fd, fd_entry_t *old);
/* Put @a e at @a fd whatever it held (*old: that, kind FD_FREE if
 * nothing).  EBADF if @a fd is out of range. */
errno_t fdtab_replace(fdtab_t *t, int fd, const fd_entry_t *e, fd_entry_t *old);

#define FD_HANDOFF_PREFIX \
	"\x01"            \
	"fd:"
#define FD_HANDOFF_WORD_MAX 40
/* The handoff word for @a mask (bits 0-2) and @a token into @a buf
 * (FD_HANDOFF_WORD_MAX bytes): its length. */
size_t fd_handoff_word(char *buf, unsigned mask, uint64_t token);
/* Whether @a word is a well-formed handoff word: *mask and *token. */
bool fd_handoff_parse(const char *word, unsigned *mask, uint64_t *token);

#endif
