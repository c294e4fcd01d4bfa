/*
 * vfs: the server's internal interfaces (docs/vfs.md).
 *
 * Objects:
 *  vfs_fs_t     a registered file system server: its FS_CONN_COUNT phones
 *               (each with a control buffer), the root node, alive or gone
 *  vfs_file_t   an open file: a node of one fs, flags, the offset;
 *               shared by descriptors (dup, handoff), counted
 *  vfs_task_t   a client task: its descriptor table and current directory
 *  vfs_conn_t   a client connection: its task and its data buffer
 *
 * Locks, in the order they may be taken:
 *  1. vfs_file_t.lock   the offset, across the file system request
 *  2. vfs_node_lock()   one of a set of locks hashed by (fs, node): an
 *                       O_APPEND write (size, then write) and truncation
 *  3. vfs_table_lock    every table: tasks, connections, fs slots,
 *                       descriptors, handoffs, reference counts.  Never
 *                       held across a request to another server.
 *  4. vfs_fs_t.pool     which of a file system's connections are busy
 * A file system request is made holding at most locks 1 and 2; the file
 * system servers never call the VFS back, so this cannot deadlock.
 */
#ifndef VFS_VFS_H_
#define VFS_VFS_H_

#include <abi/as.h>
#include <abi/fpager.h>
#include <abi/fs.h>
#include <abi/vfs.h>
#include <errno.h>
#include <ipc.h>
#include <lock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VFS_FS_MAX 8u /* file system slots (a restarted server takes a new one) */
#define VFS_TASKS_MAX 256u
#define VFS_CONNS_MAX FS_BUF_MAX /* each connection's buffer has an id */
#define VFS_NODE_LOCKS 64u

typedef struct vfs_fs_conn {
	cap_handle_t phone;
	uint8_t *ctl; /* our view of its control buffer */
	bool busy; /* vfs_fs_t.pool */
} vfs_fs_conn_t;

typedef struct vfs_fs {
	unsigned index; /* slot; vfs_conn_t.lent[index] */
	bool used; /* vfs_table_lock */
	bool alive; /* vfs_table_lock: every phone given and answering */
	bool mounted;
	unsigned given; /* connections registered so far */
	uint64_t dev; /* mount number (vfs_stat_t.dev), never reused; 0 until mounted */
	uint64_t root; /* the root directory's node */
	char source[17]; /* "disk0" */
	char type[17]; /* "ext2" */
	unsigned refs; /* open files and directories on it (vfs_table_lock) */
	/* The file pager connection (its badge) that bound the volume
	 * (VFS_PAGER_BIND), and the data requests the VFS is serving itself
	 * on it: vfs_fpager.c (vfs_table_lock). */
	uint64_t fp_bound;
	unsigned direct;
	lock_t pool;
	vfs_fs_conn_t conn[FS_CONN_COUNT];
} vfs_fs_t;

typedef struct vfs_file {
	lock_t lock; /* offset */
	vfs_fs_t *fs;
	uint64_t node;
	uint32_t mode; /* type and permissions when opened */
	unsigned flags; /* VFS_O_* */
	uint64_t offset;
	unsigned refs; /* vfs_table_lock */
} vfs_file_t;

typedef struct vfs_task {
	uint64_t id; /* 0: free slot */
	bool closing; /* its last connection went: being closed, found by no lookup */
	unsigned conns;
	vfs_file_t *fd[VFS_FD_MAX];
	vfs_fs_t *cwd_fs; /* NULL: the root */
	uint64_t cwd_node;
	char *cwd_path; /* absolute, canonical at chdir time; NULL: "/" */
} vfs_task_t;

typedef struct vfs_conn {
	uint64_t badge; /* 0: free slot */
	uint64_t task_id;
	bool fs_server; /* a file system server registering, not a client */
	uint8_t *buf; /* the data buffer (NULL: none yet) */
	bool buf_making; /* a SHARE_IN is making it (vfs_table_lock) */
	unsigned buf_id; /* 1..FS_BUF_MAX */
	/* lent[i]: the mount number (vfs_fs_t.dev) of the server in fs slot i
	 * that has the buffer, 0: none.  A slot is reused by a server started
	 * again: its new number says the buffer must be lent again. */
	uint64_t lent[VFS_FS_MAX];
	uint64_t lent_fpager; /* the file pager's generation that has the buffer, 0: none */
	unsigned busy; /* requests being handled (vfs_table_lock) */
} vfs_conn_t;

/* One request's context: the caller and its buffer. */
typedef struct vfs_req {
	vfs_task_t *task;
	vfs_conn_t *conn;
} vfs_req_t;

extern lock_t vfs_table_lock;
extern vfs_fs_t vfs_fs[VFS_FS_MAX];
extern vfs_fs_t *vfs_root;
/* The file pager's connection (VFS_PAGER_REGISTER), 0: none (vfs_table_lock). */
extern uint64_t vfs_pager_badge;

/* vfs_fs.c: file system servers */
errno_t vfs_fs_register(const ipc_event_t *ev);
errno_t vfs_fs_request(vfs_fs_t *fs, uint64_t method, const uint64_t arg[5], const void *in,
    size_t in_len, void *out, size_t out_size, ipc_msg_t *ans);
errno_t vfs_fs_lend(vfs_fs_t *fs, vfs_conn_t *conn);
void vfs_fs_unlend(vfs_conn_t *conn);
errno_t vfs_fs_node_open(vfs_fs_t *fs, uint64_t node);
void vfs_fs_node_close(vfs_fs_t *fs, uint64_t node);
bool vfs_root_wait(void);
errno_t vfs_fs_sync_all(void);
errno_t vfs_fs_unmount_all(void);
lock_t *vfs_node_lock(const vfs_fs_t *fs, uint64_t node);
void vfs_fs_gone(vfs_fs_t *fs);
/* The mounted volume @a dev (vfs_table_lock held): EOK, ENOENT none, EIO
 * its server is gone. */
errno_t vfs_fs_find_locked(uint64_t dev, vfs_fs_t **out);
void vfs_fs_task_gone(uint64_t task);

/* vfs_fpager.c: the file pager */
errno_t vfs_fpager_attach(const ipc_event_t *ev);
void vfs_fpager_gone(void);
errno_t vfs_fpager_request(
    uint64_t method, const uint64_t arg[5], vfs_conn_t *lend, ipc_msg_t *ans);
void vfs_fpager_unlend(vfs_conn_t *conn);
errno_t vfs_fpager_node(uint64_t method, const vfs_fs_t *fs, uint64_t node, uint64_t a2);
bool vfs_fpager_answered(errno_t rc);
errno_t vfs_fpager_bind(const vfs_conn_t *c, uint64_t dev);
errno_t vfs_fpager_data(
    vfs_fs_t *fs, uint64_t method, const uint64_t arg[5], vfs_conn_t *lend, ipc_msg_t *ans);
void vfs_fpager_direct_end(vfs_fs_t *fs);

/* vfs_file.c: VFS_TEST_DIRECT_DELAY */
errno_t vfs_file_test_delay(uint64_t ms);

/* vfs_path.c: path resolution */
typedef struct vfs_loc {
	vfs_fs_t *fs;
	uint64_t node;
	uint32_t mode;
} vfs_loc_t;

/* What a resolution ends with. */
typedef struct vfs_walk {
	vfs_loc_t dir; /* the directory holding the last component */
	vfs_loc_t loc; /* the last component itself (VFS_WALK_PARENT: if found) */
	bool found;
	char name[VFS_NAME_MAX + 1]; /* the last component (VFS_WALK_PARENT) */
	size_t name_len;
	bool slash; /* the last component had a trailing slash: a directory only */
	char *path; /* canonical absolute path (VFS_WALK_PATH; malloc'd) */
} vfs_walk_t;

#define VFS_WALK_FOLLOW 0x1u /* follow a symlink in the last component */
#define VFS_WALK_PARENT 0x2u /* stop at the parent; the last may be missing */
#define VFS_WALK_PATH 0x4u /* compute the canonical path */

errno_t vfs_path_copy(const vfs_req_t *req, size_t off, uint64_t len, char **out);
errno_t vfs_walk(const vfs_req_t *req, const char *path, unsigned flags, vfs_walk_t *w);
errno_t vfs_walk_create(const vfs_walk_t *w, uint32_t mode, vfs_loc_t *out);
void vfs_walk_done(vfs_walk_t *w);
errno_t vfs_stat_node(vfs_fs_t *fs, uint64_t node, vfs_stat_t *st);
errno_t vfs_readlink_node(const vfs_loc_t *l, char *out, size_t *len);

/* vfs_ncache.c: the name cache */
bool vfs_ncache_get(
    uint64_t dev, uint64_t dir, const char *name, size_t len, uint64_t *node, uint32_t *mode);
uint64_t vfs_ncache_gen(void);
void vfs_ncache_put(uint64_t gen, uint64_t dev, uint64_t dir, const char *name, size_t len,
    uint64_t node, uint32_t mode);
void vfs_ncache_forget(uint64_t dev, uint64_t dir, const char *name, size_t len);

/* vfs_file.c: open files and descriptors */
errno_t vfs_file_open(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_file_rw(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_file_seek(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_file_fstat(vfs_req_t *req, const ipc_msg_t *m);
errno_t vfs_file_truncate(vfs_req_t *req, const ipc_msg_t *m);
errno_t vfs_file_readdir(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_file_mmap(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_fd_close(vfs_req_t *req, int64_t fd);
errno_t vfs_fd_dup(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_fd_handoff(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_fd_adopt(vfs_req_t *req, const ipc_msg_t *m);
void vfs_file_put(vfs_file_t *f);
void vfs_task_close_all(vfs_task_t *t);
vfs_file_t *vfs_fd_get(vfs_task_t *t, int64_t fd);

/* vfs_names.c: requests on names */
errno_t vfs_name_stat(vfs_req_t *req, const ipc_msg_t *m);
errno_t vfs_name_mkdir(vfs_req_t *req, const ipc_msg_t *m);
errno_t vfs_name_remove(vfs_req_t *req, const ipc_msg_t *m, bool dir);
errno_t vfs_name_rename(vfs_req_t *req, const ipc_msg_t *m, bool link);
errno_t vfs_name_symlink(vfs_req_t *req, const ipc_msg_t *m);
errno_t vfs_name_readlink(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans);
errno_t vfs_name_chdir(vfs_req_t *req, const ipc_msg_t *m);
errno_t vfs_name_getcwd(vfs_req_t *req, ipc_msg_t *ans);
errno_t vfs_name_statfs(vfs_req_t *req, const ipc_msg_t *m);

#endif
