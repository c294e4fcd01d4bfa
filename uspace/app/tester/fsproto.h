/*
 * A stand-in VFS for the tests of a file system server (test_ext2srv.c):
 * the tester registers itself with ns as VFS_NAME (so no real VFS may run
 * in that boot), spawns the server module, accepts the FS_CONN_COUNT
 * connections it gives (abi/fs.h, "Registration"), lends it control
 * buffers and a data buffer, and makes requests with the protocol's
 * words, well-formed or not.
 */
#ifndef TESTER_FSPROTO_H_
#define TESTER_FSPROTO_H_

#include <abi/errno.h>
#include <abi/fs.h>
#include <abi/task.h>
#include <abi/vfs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FV_BUF_ID 1u /* the data buffer's id */
#define FV_BUF_SIZE (512u * 1024u)
/* Connections FV_CTL_CONNS.. get no (usable) control buffer. */
#define FV_CTL_CONNS 3u

typedef struct fv {
	task_id_t task;
	bool ended; /* the server's task ended (waited for) */
	task_exit_info_t exit;
	tid_t waiter; /* the thread that waits for the server's task */
	uint64_t root; /* the root directory's node (FS_STATFS) */
	cap_handle_t ph[FS_CONN_COUNT];
	uint8_t *ctl[FS_CONN_COUNT]; /* what we lent as control buffers (or NULL) */
	uint8_t *buf; /* data buffer FV_BUF_ID */
} fv_t;

/* Register as the VFS and spawn module @a module with @a args; wait for
 * it to end (*fv->exit) or to connect (every phone in fv->ph), lend the
 * buffers, and ask FS_STATFS for the root.  False if it ended first (a
 * failure is recorded only if it neither connected nor ended). */
bool fv_start(fv_t *fv, const char *module, const char *args, const char *source);
/* Hang up, wait for the server, unregister, free the buffers. */
void fv_stop(fv_t *fv);

/* One request on connection @a c (0 for the helpers below). */
errno_t fv_req(fv_t *fv, unsigned c, uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4, ipc_msg_t *ans);
errno_t fv_statfs(fv_t *fv, vfs_statfs_t *st, uint64_t *root);
errno_t fv_lookup(fv_t *fv, uint64_t dir, const char *name, uint64_t *ino, uint64_t *mode);
/* Look up every component of relative @a path from the root. */
errno_t fv_walk(fv_t *fv, const char *path, uint64_t *ino);
errno_t fv_stat(fv_t *fv, uint64_t ino, vfs_stat_t *st);
/* Through the data buffer at @a boff. */
errno_t fv_read(fv_t *fv, uint64_t ino, uint64_t off, uint64_t len, uint64_t boff, uint64_t *got);
errno_t fv_write(fv_t *fv, uint64_t ino, uint64_t off, uint64_t len, uint64_t boff, uint64_t *got);
errno_t fv_create(fv_t *fv, uint64_t dir, const char *name, uint64_t mode, uint64_t *ino);
errno_t fv_unlink(fv_t *fv, uint64_t dir, const char *name, bool rmdir);
errno_t fv_rename(fv_t *fv, uint64_t odir, const char *oname, uint64_t ndir, const char *nname);
errno_t fv_symlink(fv_t *fv, uint64_t dir, const char *name, const char *target, uint64_t *ino);
/* The target, NUL-terminated in @a out of @a size bytes. */
errno_t fv_readlink(fv_t *fv, uint64_t ino, char *out, size_t size);
/* Write @a len bytes of @a data at @a off (through the data buffer). */
errno_t fv_put(fv_t *fv, uint64_t ino, uint64_t off, const void *data, size_t len);

/* test_ext2peer.c: brokered connections and FS_ALLOCATE, on fv's volume. */
void ext2srv_test_peers(fv_t *fv);

#endif
