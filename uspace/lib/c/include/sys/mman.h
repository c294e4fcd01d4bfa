/*
 * Memory mappings (POSIX <sys/mman.h>): mmap, munmap, mprotect, msync,
 * madvise.  docs/memory.md is the guide; what is not supported yet is
 * listed there.
 *
 * Each call returns 0 (mmap: the address) or -1 (mmap: MAP_FAILED) with
 * errno set, and a call that fails because of its arguments changes
 * nothing.  Lengths are rounded up to whole pages; addresses given must
 * be page aligned (PAGE_SIZE, 4096).
 *
 * Anonymous memory (MAP_ANONYMOUS, fd -1) is paged by the anon pager:
 * zero-filled, private or shared.  There is no fork, so "shared" is about
 * tasks the memory is handed to with an IPC share (ipc_share_out/
 * ipc_share_in of the mapping's area): they see the same pages as long as
 * any of them maps them.  Files are mapped through the file pager
 * (docs/file-pager.md): MAP_SHARED maps its cache's pages (every mapping
 * and read()/write() see the same bytes), MAP_PRIVATE is copy-on-write
 * from them; EBADF for a descriptor that is not open, EACCES for one
 * without the access the mapping needs, ENOTSUP for one that is not a
 * regular file or when no file pager runs.
 */
#ifndef LIBC_SYS_MMAN_H_
#define LIBC_SYS_MMAN_H_

#include <stddef.h>
#include <sys/types.h>

/* prot: what the pages may be used for (PROT_NONE: nothing, every access
 * faults).  x86 cannot map a page writable or executable but not readable,
 * so PROT_WRITE and PROT_EXEC include reading.  PROT_WRITE with PROT_EXEC
 * is refused (ENOTSUP): memory is never writable and executable at once. */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

/* flags: exactly one of MAP_SHARED and MAP_PRIVATE, and any of the rest. */
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
/* At exactly addr (page aligned), replacing whatever is mapped there. */
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
/* At exactly addr, but EEXIST if anything is mapped in the range (a
 * Linux extension; nothing is replaced). */
#define MAP_FIXED_NOREPLACE 0x100000

#define MAP_FAILED ((void *) -1)

/* msync flags: exactly one of MS_ASYNC and MS_SYNC, MS_INVALIDATE with
 * either or alone. */
#define MS_ASYNC 0x1
#define MS_INVALIDATE 0x2
#define MS_SYNC 0x4

/* madvise advice. */
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
/* The pages' contents may go: a private anonymous mapping reads zeros
 * there afterwards (and its memory goes back); a shared one keeps them. */
#define MADV_DONTNEED 4

/*
 * Map @a len bytes (rounded up to pages) with the rights @a prot.  Without
 * MAP_FIXED/MAP_FIXED_NOREPLACE, @a addr is a hint (NULL: anywhere).
 * Errors: EINVAL (flags, len 0, addr or offset not page aligned, a
 * descriptor with MAP_ANONYMOUS), ENOTSUP (PROT_WRITE with PROT_EXEC, not
 * a regular file, no file pager), EACCES (the descriptor's access), EBADF (no such descriptor), ENOMEM (no room, the range is not in
 * the task's half, out of memory or areas), EEXIST (MAP_FIXED_NOREPLACE
 * over a mapping).
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
/* Unmap every page of [addr, addr + len); pages mapped by nothing are
 * fine.  EINVAL (alignment, len 0, outside the task's half), ENOMEM (one
 * more area would be needed and the task has too many). */
int munmap(void *addr, size_t len);
/* Give [addr, addr + len) the rights @a prot.  ENOMEM (a page of the range
 * is not mapped, or too many areas), EINVAL, ENOTSUP (write with exec),
 * EACCES (write on a shared mapping of a file not open for writing). */
int mprotect(void *addr, size_t len, int prot);
/* Write back [addr, addr + len): with MS_SYNC (or no flag) a shared file
 * mapping's dirty pages reach the disk before it returns, and the error of
 * a failed write-back (EIO, ...) is returned once; MS_ASYNC queues the
 * write-back with the file pager and returns (its error comes with the
 * next fsync or MS_SYNC).  Anonymous memory and private
 * mappings have nothing to write back: after checking the arguments this
 * succeeds.  EINVAL (flags, alignment), ENOMEM (a page of the range is not
 * mapped). */
int msync(void *addr, size_t len, int flags);
/* Advice on [addr, addr + len): see MADV_*.  EINVAL (advice, alignment,
 * MADV_DONTNEED on memory mmap did not make), ENOMEM (not mapped). */
int madvise(void *addr, size_t len, int advice);

#endif
