/*
 * The ext2 file system server (docs/ext2.md, "The ext2 server"): one ext2
 * volume on one disk, mounted with lib/ext2 over lib/block and served to
 * the VFS through the file system protocol (abi/fs.h).
 *
 * Shared between the server's files: its one state record, the host
 * callbacks lib/ext2 runs on (host.c), the table of nodes the VFS holds
 * open (nodes.c), the buffers the VFS lends (bufs.c) and the requests
 * (ops.c, ops_dir.c).
 *
 * Locking: one lock, ext2srv.lock, protects everything in ext2srv_t.
 * lib/ext2 is not thread-safe, so every call into it, and with it every
 * disk request its host callbacks make, runs under the lock; so does
 * every use of the node table (lib/ext2 asks it through inode_busy) and of
 * the buffer tables (a buffer cannot be dropped while a request copies
 * into it).  Worker threads take requests from the connections at once;
 * they queue on the lock.
 */
#ifndef EXT2SRV_H_
#define EXT2SRV_H_

#include <abi/fs.h>
#include <block/block.h>
#include <ext2/ext2.h>
#include <ipc.h>
#include <lock.h>
#include <ns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define EXT2SRV_THREADS 4 /* one per connection of the VFS's */
/* Connections: the VFS's FS_CONN_COUNT, then as many brokered ones
 * (abi/fs.h, "Brokered connections"); badge = index + 1.  Buffer id
 * tables: one for all the VFS's connections, one per brokered one. */
#define EXT2SRV_CONNS (2u * FS_CONN_COUNT)
#define EXT2SRV_TABLES (1u + FS_CONN_COUNT)
/* Peers holding nodes open (abi/fs.h, "Opens"): the VFS, and each task
 * holding brokered connections (at most one per connection). */
#define EXT2SRV_PEERS (1u + FS_CONN_COUNT)
#define EXT2SRV_PEER_VFS 0u
/* The buffer table of connection @a conn. */
#define EXT2SRV_TABLE(conn) ((conn) < FS_CONN_COUNT ? 0u : (conn) -FS_CONN_COUNT + 1u)
/* The block cache, in bytes (docs/ext2.md says why this size). */
#define EXT2SRV_CACHE_BYTES (4u * 1024u * 1024u)
/* The disk buffer: the largest device request lib/ext2 makes (a run of
 * EXT2_RUN_MAX blocks of 4 KiB). */
#define EXT2SRV_DISK_BUF (EXT2_RUN_MAX * 4096u)
#define EXT2SRV_DISK_WAIT_MS 60000u /* for devman to start the disk's driver */
/* Distinct nodes the VFS may hold open at once (ELIMIT beyond). */
#define EXT2SRV_OPEN_MAX 4096u
#define EXT2SRV_OPEN_BUCKETS 256u
/*
 * There is no wall clock (the kernel does not read the CMOS RTC), so
 * inode and superblock times are this fixed base, 2025-01-01 00:00:00
 * UTC, plus the seconds since boot.
 */
#define EXT2SRV_TIME_BASE 1735689600u

/* How the server ends (its exit status; init starts it again unless 0). */
#define EXT2SRV_EXIT_UNMOUNTED 0 /* FS_UNMOUNT: on purpose */
#define EXT2SRV_EXIT_FAILED \
	1 /* no disk, a refused volume, not taken by the VFS, a failed unmount */
#define EXT2SRV_EXIT_VFS_GONE 2 /* the VFS hung up every connection: unmounted first */

/* An area the VFS lent us (NULL base: none). */
typedef struct ext2srv_area {
	uint8_t *base;
	size_t size;
} ext2srv_area_t;

/* A node held open: how many times, by each peer and in all. */
typedef struct ext2srv_node {
	uint32_t ino;
	uint32_t opens;
	uint32_t by_peer[EXT2SRV_PEERS];
	int32_t next; /* the next in its bucket or on the free list; -1: none */
} ext2srv_node_t;

typedef struct ext2srv {
	ticket_lock_t lock; /* everything below; fair: lock.h */
	ext2_fs_t *fs; /* NULL once unmounted */
	ext2_info_t info; /* as mounted (inodes_count, block_size, readonly) */
	block_t disk;
	char source[NS_NAME_MAX + 1]; /* "disk0" */
	bool conn_open[EXT2SRV_CONNS]; /* connection i is held */
	unsigned conns_open; /* of the VFS's (peer 0) */
	/* A brokered connection's peer (1..EXT2SRV_PEERS-1; 0: no call yet),
	 * learnt from its first call's sender; a peer's task (0: free slot)
	 * and its brokered connections. */
	uint8_t conn_peer[EXT2SRV_CONNS];
	uint64_t peer_task[EXT2SRV_PEERS];
	unsigned peer_conns[EXT2SRV_PEERS];
	ext2srv_area_t ctl[EXT2SRV_CONNS]; /* control buffers */
	ext2srv_area_t bufs[EXT2SRV_TABLES][FS_BUF_MAX + 1]; /* lent buffers by table and id */
	ext2srv_node_t nodes[EXT2SRV_OPEN_MAX];
	int32_t buckets[EXT2SRV_OPEN_BUCKETS];
	int32_t nodes_free; /* the free list */
} ext2srv_t;

extern ext2srv_t ext2srv;

/* One request being served (under the lock). */
typedef struct ext2srv_req {
	unsigned conn; /* 0..EXT2SRV_CONNS-1 */
	unsigned peer; /* whose opens it counts in: EXT2SRV_PEER_VFS or a brokered peer */
	unsigned table; /* its buffer ids: EXT2SRV_TABLE(conn) */
	const uint64_t *arg; /* the request's words */
	ipc_msg_t *ans; /* the answer's words */
	uint8_t *ctl; /* the connection's control buffer (NULL: not lent) */
	size_t ctl_size;
} ext2srv_req_t;

/* host.c: lib/ext2's host over the disk; the block cache's size for it. */
void ext2srv_host_init(ext2srv_t *s, ext2_host_t *host);
uint32_t ext2srv_cache_blocks(ext2srv_t *s);

/* nodes.c */
void ext2srv_nodes_init(ext2srv_t *s);
bool ext2srv_node_busy(const ext2srv_t *s, uint32_t ino);
errno_t ext2srv_node_open(ext2srv_t *s, unsigned peer, uint32_t ino);
/* One of @a peer's closes; *last says whether it was the node's last.
 * EINVAL: not open by @a peer. */
errno_t ext2srv_node_close(ext2srv_t *s, unsigned peer, uint32_t ino, bool *last);
/* Close every open of @a peer (its last connection went), logged. */
void ext2srv_nodes_release_peer(ext2srv_t *s, unsigned peer);
/* Release every open node (before unmounting). */
void ext2srv_nodes_release_all(ext2srv_t *s);

/* bufs.c */
errno_t ext2srv_share_out(ext2srv_t *s, unsigned conn, ipc_event_t *ev);
errno_t ext2srv_buf_drop(ext2srv_t *s, unsigned table, uint64_t id);
/* Every buffer of table @a table (a brokered connection went). */
void ext2srv_bufs_drop(ext2srv_t *s, unsigned table);
void ext2srv_ctl_drop(ext2srv_t *s, unsigned conn);
/* [off, off + len) of lent buffer @a id: *p; EINVAL if not lent or beyond it. */
errno_t ext2srv_buf_range(
    const ext2srv_t *s, unsigned table, uint64_t id, uint64_t off, uint64_t len, uint8_t **p);
/* [off, off + len) of the request's control buffer; EINVAL if beyond it. */
errno_t ext2srv_ctl_range(const ext2srv_req_t *r, uint64_t off, uint64_t len, uint8_t **p);

/* ops.c: the number of a node word (EINVAL: not the volume's; its
 * generation is checked before the handler runs); a name of
 * 1..EXT2_NAME_MAX bytes copied out of the control buffer at @a off
 * (NUL-terminated); the node word of @a ino as it is now. */
errno_t ext2srv_req_node(const ext2srv_t *s, uint64_t word, uint32_t *ino);
errno_t ext2srv_node_word(ext2srv_t *s, uint32_t ino, uint64_t *word);
errno_t ext2srv_req_name(const ext2srv_req_t *r, uint64_t off, uint64_t len, char *name);
/* Serve one request of abi/fs.h (not SHARE_OUT or UNMOUNT), lock held. */
errno_t ext2srv_request(ext2srv_t *s, uint64_t method, ext2srv_req_t *r);
/* ops_alloc.c: FS_ALLOCATE. */
errno_t ext2srv_op_allocate(ext2srv_t *s, ext2srv_req_t *r);
/* ops_dir.c: the namespace requests. */
errno_t ext2srv_op_lookup(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_create(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_symlink(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_readlink(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_link(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_unlink(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_rename(ext2srv_t *s, ext2srv_req_t *r);
errno_t ext2srv_op_readdir(ext2srv_t *s, ext2srv_req_t *r);

/* main.c: unmount (releasing open nodes first), answer @a call (if not
 * CAP_NIL) with the result, log, and end the task with @a status (or
 * EXT2SRV_EXIT_FAILED if the unmount failed).  With the lock held. */
noreturn void ext2srv_unmount_exit(ext2srv_t *s, const char *why, cap_handle_t call, int status);

#endif
