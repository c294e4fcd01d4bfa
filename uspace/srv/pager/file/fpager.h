/*
 * fpager: the file pager's internal interfaces (abi/fpager.h is the
 * protocol, docs/file-pager.md the guide).
 *
 * Objects:
 *  fp_vol_t   a volume (the VFS's mount number): FP_VOL_CONNS brokered
 *             connections to its file system server, each with a control
 *             buffer and a scratch buffer lent to the server
 *  fp_file_t  a file with pages in the cache, an open descriptor's
 *             request in flight, or mappings: its size, its views
 *  fp_view_t  a mapping's object (lib/pager's pager_object_t.data): the
 *             file, shared or private
 *  the cache  one pool of FP_POOL pages; lib/pcache says which (file,
 *             page) each slot holds and in which state
 *
 * Locks, in the order they may be taken:
 *  1. fp_file_t.io   the file's I/O with the file system server: fills,
 *                    write-through, write-back and truncation of one file
 *                    are one at a time (so a fill never reads the disk
 *                    under a write of the same pages)
 *  2. fp_lock        the cache (pcache, slot pins), the file and volume
 *                    tables, every count and list of files and views.
 *                    Never held across a request to another server but
 *                    the anon pager's discard of freed cache memory
 *                    (fp_cache_release_free: anon never waits for us);
 *                    the kernel calls (revoke, write-protect, set-size,
 *                    an answer) are made under it: they do not wait for
 *                    user space.
 *  3. fp_vol_t.pool  which of a volume's connections are busy
 *  3. fp_priv_lock   the free private pages and their groups
 *                    (map_private.c); held across the anon pager's
 *                    MADV_DONTNEED of a freed page or group, so that no
 *                    page of it is handed out and stored to meanwhile
 *                    (the anon pager never waits for us)
 */
#ifndef FPAGER_FPAGER_H_
#define FPAGER_FPAGER_H_

#include <abi/as.h>
#include <abi/fpager.h>
#include <abi/fs.h>
#include <abi/page.h>
#include <abi/vfs.h>
#include <errno.h>
#include <ipc.h>
#include <lock.h>
#include <pager.h>
#include <pcache/pcache.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FP_VOL_MAX 8u
#define FP_VOL_CONNS 3u /* of FS_CONN_COUNT brokered connections a server allows */
#define FP_SCRATCH_SIZE (256u * 1024u) /* = VFS_BUF_SIZE: one request's data */
#define FP_SCRATCH_ID 1u /* the scratch buffer's id at the file system server */
#define FP_RUN_PAGES (FP_SCRATCH_SIZE / PAGE_SIZE)
#define FP_THREADS 8u
#define FP_DIRTY_MAX 4096u /* pages (16 MiB) that may be dirty at once */

typedef struct fp_conn {
	cap_handle_t phone;
	uint8_t *ctl; /* FS_CTL_SIZE, lent as FS_SHARE_CTL */
	uint8_t *scratch; /* FP_SCRATCH_SIZE, lent as FP_SCRATCH_ID */
	bool busy; /* fp_vol_t.pool */
} fp_conn_t;

typedef struct fp_vol {
	uint64_t dev; /* 0: free slot */
	bool alive; /* connected and answering (fp_lock) */
	bool connecting; /* a thread is connecting (fp_lock) */
	uint64_t failed_at; /* uptime of the last failed connect, 0: none */
	unsigned conns; /* connections made */
	lock_t pool;
	fp_conn_t conn[FP_VOL_CONNS];
} fp_vol_t;

typedef struct fp_view fp_view_t;

typedef struct fp_file {
	struct fp_file *next; /* hash chain (fp_lock) */
	fp_vol_t *vol;
	uint64_t node; /* a node word (abi/fs.h): the number and its generation */
	uint64_t size; /* bytes (fp_lock; changed under io) */
	lock_t io;
	unsigned refs; /* requests using it (fp_lock) */
	unsigned pages; /* cache slots holding its pages (fp_lock) */
	fp_view_t *views; /* its mappings (fp_lock) */
	unsigned nviews;
	bool forgotten; /* its last name is gone (FPAGER_FORGET/CLOSE saw nlink 0, fp_lock) */
	errno_t wb_err; /* a failed write-back since the last fsync (fp_lock) */
	uint64_t ra_next; /* where the last read() ended: the next is sequential (fp_lock) */
	bool restated; /* fp_cache_restat asked its size (fp_lock) */
} fp_file_t;

struct fp_view {
	fp_view_t *next; /* fp_file_t.views (fp_lock) */
	fp_file_t *file; /* referenced */
	uint64_t id; /* the lib/pager object */
	unsigned rights; /* the most the grant allowed (AS_AREA_*) */
	bool private_map;
	bool sequential; /* MADV_SEQUENTIAL */
	bool adopted; /* taken over from a dead predecessor (its connection went with it) */
	/* A private view's own pages (map_private.c; its lock: fp_lock) */
	struct fp_priv_page *priv;
	uint32_t priv_cap, priv_count;
};

/* A view's object id says what it is, so that a successor adopting it
 * after a restart knows (map.c): bit 0 private, bit 1 write allowed, bits
 * 2..11 a serial, 12..39 the node's number, 40..55 the low 16 bits of its
 * generation, 56..63 the volume.  (The successor learns the rest of the
 * generation from the file system and takes the view over only if those
 * bits match: a number given to another file meanwhile is refused.) */
#define FP_ID_PRIVATE 0x1ull
#define FP_ID_WRITE 0x2ull
#define FP_ID_SERIAL_SHIFT 2
#define FP_ID_SERIAL_MASK 0x3ffull
#define FP_ID_NODE_SHIFT 12
#define FP_ID_NODE_BITS 28
#define FP_ID_GEN_SHIFT 40
#define FP_ID_GEN_MASK 0xffffull
#define FP_ID_DEV_SHIFT 56

typedef struct fp_stats {
	uint64_t hits, misses, page_ins, write_backs, wb_pages, evictions, wb_errors;
	uint64_t dirty_max_seen, wb_inflight, wb_inflight_max, files, views, read_aheads;
	uint64_t async_requests, async_done, async_overflows; /* msync(MS_ASYNC): wb.c */
	uint64_t last_unmap_wbs, last_close_wbs; /* map.c, vfsreq.c */
} fp_stats_t;

/* A read-ahead request waits (ra.c): a call of the pager to itself. */
#define FP_RA_KICK (IPC_M_FIRST_USER + 100)

extern lock_t fp_lock;
extern pcache_t fp_cache;
extern uint8_t *fp_pool;
extern cap_handle_t fp_vfs_phone;
extern fp_stats_t fp_stats;

static inline uint8_t *fp_slot_page(int32_t s)
{
	return fp_pool + (size_t) s * PAGE_SIZE;
}

static inline uint64_t fp_file_key(const fp_file_t *f)
{
	return (uint64_t) (uintptr_t) f;
}

/* vol.c */
errno_t fp_vol_get(uint64_t dev, fp_vol_t **out);
fp_conn_t *fp_vol_conn_take(fp_vol_t *v);
void fp_vol_conn_give(fp_vol_t *v, fp_conn_t *c);
errno_t fp_vol_request(fp_vol_t *v, fp_conn_t *c, uint64_t method, uint64_t a0, uint64_t a1,
    uint64_t a2, uint64_t a3, uint64_t a4, ipc_msg_t *ans);
errno_t fp_vol_call(fp_vol_t *v, uint64_t method, uint64_t node, uint64_t a1, uint64_t a2);
errno_t fp_vol_stat(fp_vol_t *v, uint64_t node, vfs_stat_t *st);

/* cache.c */
errno_t fp_cache_init(size_t pages);
errno_t fp_file_get(fp_vol_t *v, uint64_t node, bool create, fp_file_t **out);
void fp_file_put(fp_file_t *f);
int32_t fp_cache_hit(fp_file_t *f, uint64_t idx);
void fp_cache_unpin(int32_t s);
void fp_cache_put_page(fp_file_t *f, uint64_t idx, const uint8_t *src);
void fp_cache_update(fp_file_t *f, uint64_t off, const uint8_t *src, uint64_t len);
void fp_cache_drop(fp_file_t *f, uint64_t first_page);
void fp_file_views_size(fp_file_t *f);
uint64_t fp_file_map_size(const fp_file_t *f);
void fp_file_revoke_locked(fp_file_t *f, uint64_t idx, uint64_t pages);
void fp_cache_release_free(void);
void fp_cache_vol_gone(fp_vol_t *v);
void fp_cache_restat(void);
size_t fp_cache_low_memory(size_t wanted);
void fp_cache_age(fp_file_t *f, uint64_t first, uint64_t end);

/* io.c: file requests of the VFS */
errno_t fp_io_read(fp_file_t *f, uint8_t *dst, uint64_t off, uint64_t len, uint64_t *done);
errno_t fp_io_write(fp_file_t *f, const uint8_t *src, uint64_t off, uint64_t len, uint64_t *done);
errno_t fp_io_truncate(fp_file_t *f, uint64_t size);
errno_t fp_io_fill(fp_file_t *f, uint64_t idx, uint64_t pages);
errno_t fp_io_stat_nlink(fp_file_t *f, uint32_t *nlink);

/* wb.c: write-back */
errno_t fp_wb_file(fp_file_t *f, uint64_t first, uint64_t end);
bool fp_wb_node_gone(errno_t rc);
errno_t fp_wb_all(uint64_t older_than);
errno_t fp_wb_take_error(fp_file_t *f);
int fp_wb_thread(void *arg);
void fp_wb_async_queue(fp_file_t *f, uint64_t first, uint64_t end);
void fp_wb_throttle(void);
errno_t fp_wb_test_fail(uint64_t count, uint64_t err);
uint64_t fp_now_ms(void);

/* map.c: mappings */
void fp_map_page_in(pager_fault_t *fault);
void fp_map_object_free(pager_object_t *obj);
errno_t fp_map_grant(
    uint64_t dev, uint64_t node, unsigned rights, uint64_t task, bool shared, uint64_t *grant);
void fp_map_grants_drop(uint64_t dev, uint64_t node);
void fp_map_client_call(ipc_event_t *ev);
void fp_map_object_ref(pager_object_t *obj);
errno_t fp_map_adopt(uint64_t conn, uint64_t id, void **data);
errno_t fp_map_page(fp_file_t *f, uint64_t idx, size_t want, bool seq, int32_t *out);

/* map_private.c: private (copy-on-write) views */
void fp_map_private_fault(pager_fault_t *fault, fp_view_t *w);
void fp_map_private_discard(fp_view_t *w, uint64_t off, uint64_t len);
void fp_map_private_free(fp_view_t *w);

/* ra.c: read-ahead */
int fp_ra_connect(void *arg);
void fp_ra_start(fp_file_t *f, uint64_t idx);
void fp_ra_run(void);
void fp_ra_kick(ipc_event_t *ev);
void fp_ra_fault(fp_file_t *f, uint64_t idx);
void fp_ra_read(fp_file_t *f, uint64_t off, uint64_t end);

/* vfsreq.c: the VFS's requests */
void fp_vfs_call(ipc_event_t *ev);
void fp_vfs_share_out(ipc_event_t *ev);
errno_t fp_vfs_register(void);
void fp_vfs_attach(void);

#endif
