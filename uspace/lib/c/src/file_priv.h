/*
 * libc's file layer, inside libc: user pointer checks (uptr.c), the
 * connection to the VFS (vfsconn.c), the descriptors (fd.c) and what the
 * path, directory, stream and spawn code share.  docs/vfs.md "libc" is
 * the guide.
 */
#ifndef LIBC_FILE_PRIV_H_
#define LIBC_FILE_PRIV_H_

#include "fdio.h"
#include "fdtab.h"
#include <abi/errno.h>
#include <abi/ipc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The range [p, p + n) lies in areas of ours granting @a rights (AS_AREA_*
 * bits): else EFAULT. */
errno_t uptr_range_check(const void *p, size_t n, unsigned rights);
/* The length of the string at @a s (readable up to its NUL): EFAULT,
 * ENAMETOOLONG if longer than @a max. */
errno_t uptr_str_measure(const char *s, size_t max, size_t *len);

/*
 * The connection (vfsconn.c).  vfsconn_begin() takes the task's VFS lock
 * (connecting first if there is no connection: ns, then the shared
 * buffer) and gives the buffer; the caller fills it, makes its requests
 * with vfsconn_call() and takes the answer's bytes out, then calls
 * vfsconn_end().  On an error vfsconn_begin() holds nothing.
 */
errno_t vfsconn_begin(uint8_t **buf, uint32_t *gen);
void vfsconn_end(void);
/* One request (lock held): the VFS's answer, EIO if it is gone. */
errno_t vfsconn_call(uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2, ipc_msg_t *ans);
/* Startup: a task handed descriptors takes them (VFS_ADOPT). */
errno_t vfsconn_adopt(uint64_t token, uint32_t *gen);

/* The task's descriptor table (fd.c). */
extern fdtab_t fd_table;
/* vfsconn_begin() for a request on @a fd: *vfd the VFS's descriptor.
 * EBADF (no such descriptor), @a console_rc (a console descriptor), EIO
 * (one from a connection that is gone); on an error nothing is held. */
errno_t fd_vfs_begin(int fd, errno_t console_rc, uint64_t *vfd, uint8_t **buf);
/* VFS_MMAP: a grant to map @a fd's file at the file pager, *max the
 * rights it carries.  EBADF, ENOTSUP (the console), EACCES (the access
 * mode). */
errno_t fd_mmap_grant(int fd, unsigned rights, bool shared, uint64_t *grant, unsigned *max);
/* A new descriptor for the VFS's @a vfd (of connection @a gen); closes
 * it in the VFS if the table is full (EMFILE). */
errno_t fd_vfs_install(uint64_t vfd, uint32_t gen, int *fd);
/* The descriptors handed to this task at startup (mask bits 0-2). */
void fd_adopted(unsigned mask, uint32_t gen);

/* Set errno to @a rc if it is an error: 0, or -1. */
int file_result(errno_t rc);
/* A vfs_stat_t as struct stat. */
struct stat;
void file_stat_convert(struct stat *st, const void *vfs_stat);

/* Startup (libc.c): take the handoff word out of argv, adopt. */
int fd_startup(int argc, char **argv);

#endif
