/*
 * vfs: open files and descriptor tables.
 *
 * An open file (vfs_file_t) is one node of one file system with the flags
 * it was opened with and its offset; descriptors point at it (dup and
 * handoff share it, with its offset, as POSIX has it).  The file system
 * learns of it at the first open (FS_NODE_OPEN) and the last close
 * (FS_NODE_CLOSE), so a file unlinked while open lives until then.
 *
 * Reads and writes move data between the file system's cache and the
 * caller's buffer (lent to the file system once per connection): one
 * request to the file system, no copy here.  The open file's lock keeps
 * the offset consistent across the request; an O_APPEND write holds the
 * node's lock from asking the size to the end of the write, so appends
 * from different open files of one node never overwrite each other.
 */
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#include "vfs.h"

#define VFS_FD_RESERVED ((vfs_file_t *) 1)

typedef struct vfs_handoff {
	uint64_t token; /* 0: free */
	uint64_t born; /* order, to drop the oldest */
	vfs_file_t *file[3];
} vfs_handoff_t;

static vfs_handoff_t vfs_handoffs[VFS_HANDOFF_MAX];
static uint64_t vfs_handoff_clock;
static uint64_t vfs_token_state;

static bool file_can_read(const vfs_file_t *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY;
}

static bool file_can_write(const vfs_file_t *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY;
}

static bool file_is_dir(const vfs_file_t *f)
{
	return (f->mode & VFS_S_IFMT) == VFS_S_IFDIR;
}

static bool file_is_reg(const vfs_file_t *f)
{
	return (f->mode & VFS_S_IFMT) == VFS_S_IFREG;
}

/* Truncate the regular file @a node of @a fs: through the file pager (its
 * cached pages beyond go first), else by the file system server. */
static errno_t file_truncate_node(vfs_fs_t *fs, uint64_t node, uint64_t size)
{
	if (!fs->alive)
		return EIO;
	uint64_t parg[5] = { fs->dev, node, size };
	errno_t rc = vfs_fpager_data(fs, FPAGER_TRUNCATE, parg, NULL, NULL);
	if (rc != EHANGUP)
		return rc;
	uint64_t arg[5] = { node, size };
	rc = vfs_fs_request(fs, FS_TRUNCATE, arg, NULL, 0, NULL, 0, NULL);
	vfs_fpager_direct_end(fs);
	return rc;
}

/* A reference to descriptor @a fd's open file, or NULL. */
vfs_file_t *vfs_fd_get(vfs_task_t *t, int64_t fd)
{
	if (fd < 0 || fd >= (int64_t) VFS_FD_MAX)
		return NULL;
	lock_acquire(&vfs_table_lock);
	vfs_file_t *f = t->fd[fd];
	if (f == VFS_FD_RESERVED)
		f = NULL;
	if (f)
		f->refs++;
	lock_release(&vfs_table_lock);
	return f;
}

void vfs_file_put(vfs_file_t *f)
{
	lock_acquire(&vfs_table_lock);
	bool last = --f->refs == 0;
	lock_release(&vfs_table_lock);
	if (!last)
		return;
	if (file_is_reg(f) && f->fs->alive) /* dirty pages written back (or dropped: no name) */
		(void) vfs_fpager_node(FPAGER_CLOSE, f->fs, f->node, 0);
	vfs_fs_node_close(f->fs, f->node);
	free(f);
}

/* The lowest free descriptor, reserved (vfs_table_lock held); -1: none. */
static int64_t fd_reserve_locked(vfs_task_t *t)
{
	for (unsigned i = 0; i < VFS_FD_MAX; i++) {
		if (!t->fd[i]) {
			t->fd[i] = VFS_FD_RESERVED;
			return i;
		}
	}
	return -1;
}

static void fd_set(vfs_task_t *t, int64_t fd, vfs_file_t *f)
{
	lock_acquire(&vfs_table_lock);
	t->fd[fd] = f;
	lock_release(&vfs_table_lock);
}

/* Check an open's flags against what was found (or is to be created). */
static errno_t open_check(const vfs_walk_t *w, unsigned flags)
{
	unsigned acc = flags & VFS_O_ACCMODE;
	if (!w->found)
		return (flags & VFS_O_CREAT) ? (w->name_len && !w->slash ? EOK : EISDIR) : ENOENT;
	if ((flags & VFS_O_CREAT) && (flags & VFS_O_EXCL))
		return EEXIST;
	uint32_t type = w->loc.mode & VFS_S_IFMT;
	if (type == VFS_S_IFLNK)
		return ELOOP; /* O_NOFOLLOW */
	if (type == VFS_S_IFDIR && (acc != VFS_O_RDONLY || (flags & VFS_O_TRUNC)))
		return EISDIR;
	if ((flags & VFS_O_DIRECTORY) && type != VFS_S_IFDIR)
		return ENOTDIR;
	return EOK;
}

/* Find or make the file of an open; *loc gets it. */
static errno_t open_node(
    vfs_req_t *req, const char *path, unsigned flags, uint32_t mode, vfs_loc_t *loc)
{
	/* O_CREAT | O_EXCL does not follow a final symlink either (POSIX: the
	 * link exists, EEXIST; following would create its target) */
	bool excl = (flags & VFS_O_CREAT) && (flags & VFS_O_EXCL);
	unsigned wf = VFS_WALK_PARENT | ((flags & VFS_O_NOFOLLOW) || excl ? 0 : VFS_WALK_FOLLOW);
	vfs_walk_t w;
	errno_t rc = vfs_walk(req, path, wf, &w);
	if (rc == EOK)
		rc = open_check(&w, flags);
	if (rc == EOK && !w.found) {
		rc = vfs_walk_create(&w, VFS_S_IFREG | (mode & VFS_S_PERM), &w.loc);
		if (rc == EEXIST && !(flags & VFS_O_EXCL)) {
			vfs_walk_done(&w);
			return open_node(req, path, flags & ~VFS_O_CREAT, mode, loc);
		}
	}
	*loc = w.loc;
	vfs_walk_done(&w);
	return rc;
}

errno_t vfs_file_open(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	unsigned flags = (unsigned) m->arg[1];
	if (m->arg[1] & ~(uint64_t) VFS_O_KNOWN || (flags & VFS_O_ACCMODE) == VFS_O_ACCMODE)
		return EINVAL;
	char *path;
	errno_t rc = vfs_path_copy(req, 0, m->arg[0], &path);
	if (rc != EOK)
		return rc;
	lock_acquire(&vfs_table_lock);
	int64_t fd = fd_reserve_locked(req->task);
	lock_release(&vfs_table_lock);
	vfs_file_t *f = NULL;
	vfs_loc_t loc;
	if (fd < 0)
		rc = EMFILE;
	if (rc == EOK)
		rc = open_node(req, path, flags, (uint32_t) m->arg[2], &loc);
	if (rc == EOK && !(f = calloc(1, sizeof(*f))))
		rc = ENOMEM;
	if (rc == EOK)
		rc = vfs_fs_node_open(loc.fs, loc.node);
	if (rc != EOK) {
		free(f); /* holds nothing yet */
		f = NULL;
	}
	if (rc == EOK) {
		*f = (vfs_file_t){
			.fs = loc.fs, .node = loc.node, .mode = loc.mode, .flags = flags, .refs = 1
		};
		if ((flags & VFS_O_TRUNC) && file_is_reg(f) && file_can_write(f))
			rc = file_truncate_node(f->fs, f->node, 0);
	}
	if (rc == EOK) {
		fd_set(req->task, fd, f);
		ans->arg[0] = (uint64_t) fd;
	} else {
		if (fd >= 0)
			fd_set(req->task, fd, NULL);
		if (f)
			vfs_file_put(f);
	}
	free(path);
	return rc;
}

/* The size of @a f's node (for O_APPEND and SEEK_END). */
static errno_t file_size(vfs_file_t *f, uint64_t *size)
{
	vfs_stat_t st;
	errno_t rc = vfs_stat_node(f->fs, f->node, &st);
	if (rc == EOK)
		*size = st.size;
	return rc;
}

/* VFS_TEST_DIRECT_DELAY: how long the next write served without the file
 * pager waits before it goes to the file system server (ms, 0: none). */
static uint32_t file_test_delay_ms;

errno_t vfs_file_test_delay(uint64_t ms)
{
	if (!(task_startup()->flags & TASK_STARTUP_TESTING))
		return ENOTSUP;
	if (ms > 10000)
		return EINVAL;
	__atomic_store_n(&file_test_delay_ms, (uint32_t) ms, __ATOMIC_RELEASE);
	return EOK;
}

/* A read or write served with the file system server itself. */
static errno_t file_xfer_direct(
    vfs_req_t *req, vfs_file_t *f, bool write, uint64_t off, uint64_t len, ipc_msg_t *ans)
{
	errno_t rc = vfs_fs_lend(f->fs, req->conn);
	if (rc != EOK)
		return rc;
	uint32_t delay = write ? __atomic_exchange_n(&file_test_delay_ms, 0, __ATOMIC_ACQ_REL) : 0;
	if (delay)
		thread_sleep_us(delay * 1000ull);
	uint64_t arg[5] = { f->node, off, len, req->conn->buf_id, 0 };
	return vfs_fs_request(f->fs, write ? FS_WRITE : FS_READ, arg, NULL, 0, NULL, 0, ans);
}

static errno_t file_xfer(
    vfs_req_t *req, vfs_file_t *f, bool write, uint64_t off, uint64_t len, uint64_t *done)
{
	*done = 0;
	if (off > INT64_MAX || len > INT64_MAX - off)
		return write ? EFBIG : EOK;
	if (!f->fs->alive)
		return EIO;
	ipc_msg_t ans;
	errno_t rc = EHANGUP;
	bool reg = file_is_reg(f);
	if (reg) { /* the file pager's cache is the one copy */
		uint64_t parg[5] = { f->fs->dev, f->node, off, len, req->conn->buf_id };
		rc = vfs_fpager_data(
		    f->fs, write ? FPAGER_WRITE : FPAGER_READ, parg, req->conn, &ans);
	}
	if (rc == EHANGUP) { /* no file pager serving it: the file system itself */
		rc = file_xfer_direct(req, f, write, off, len, &ans);
		if (reg)
			vfs_fpager_direct_end(f->fs);
	}
	if (rc == EOK || rc == ENOSPC)
		*done = ans.arg[0] <= len ? ans.arg[0] : 0;
	return rc;
}

/* VFS_READ, VFS_WRITE, VFS_PREAD, VFS_PWRITE */
errno_t vfs_file_rw(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	bool write = m->method == VFS_WRITE || m->method == VFS_PWRITE;
	bool positioned = m->method == VFS_PREAD || m->method == VFS_PWRITE;
	uint64_t len = m->arg[1];
	if (!req->conn->buf)
		return ENOENT;
	if (len > VFS_BUF_SIZE || (positioned && m->arg[2] > INT64_MAX))
		return EINVAL;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	errno_t rc = EOK;
	if (write ? !file_can_write(f) : !file_can_read(f))
		rc = EBADF;
	else if (file_is_dir(f))
		rc = EISDIR;
	uint64_t done = 0;
	if (rc == EOK && len && positioned) {
		rc = file_xfer(req, f, write, m->arg[2], len, &done);
	} else if (rc == EOK && len) {
		lock_acquire(&f->lock);
		bool append = write && (f->flags & VFS_O_APPEND);
		lock_t *nl = append ? vfs_node_lock(f->fs, f->node) : NULL;
		if (nl)
			lock_acquire(nl);
		uint64_t off = f->offset;
		if (append)
			rc = file_size(f, &off);
		if (rc == EOK)
			rc = file_xfer(req, f, write, off, len, &done);
		if (rc == EOK || done) /* a failed size lookup moves nothing */
			f->offset = off + done;
		if (nl)
			lock_release(nl);
		lock_release(&f->lock);
	}
	ans->arg[0] = done;
	vfs_file_put(f);
	return rc;
}

errno_t vfs_file_seek(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	int64_t off = (int64_t) m->arg[1];
	uint64_t whence = m->arg[2];
	if (whence > VFS_SEEK_END)
		return EINVAL;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	errno_t rc = EOK;
	lock_acquire(&f->lock);
	uint64_t base = 0;
	if (whence == VFS_SEEK_CUR)
		base = f->offset;
	else if (whence == VFS_SEEK_END)
		rc = file_size(f, &base);
	if (rc == EOK &&
	    ((off < 0 && (uint64_t) -off > base) ||
	        (off > 0 && (uint64_t) off > (uint64_t) INT64_MAX - base)))
		rc = EINVAL;
	if (rc == EOK) {
		f->offset = base + (uint64_t) off;
		ans->arg[0] = f->offset;
	}
	lock_release(&f->lock);
	vfs_file_put(f);
	return rc;
}

errno_t vfs_file_fstat(vfs_req_t *req, const ipc_msg_t *m)
{
	if (!req->conn->buf)
		return ENOENT;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	vfs_stat_t st;
	errno_t rc = vfs_stat_node(f->fs, f->node, &st);
	if (rc == EOK)
		memcpy(req->conn->buf, &st, sizeof(st));
	vfs_file_put(f);
	return rc;
}

errno_t vfs_file_truncate(vfs_req_t *req, const ipc_msg_t *m)
{
	if (m->arg[1] > INT64_MAX)
		return EINVAL;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	errno_t rc = EOK;
	if (!file_can_write(f))
		rc = EBADF;
	else if ((f->mode & VFS_S_IFMT) != VFS_S_IFREG)
		rc = EINVAL;
	if (rc == EOK) {
		lock_t *nl = vfs_node_lock(f->fs, f->node);
		lock_acquire(nl);
		rc = file_truncate_node(f->fs, f->node, m->arg[1]);
		lock_release(nl);
	}
	vfs_file_put(f);
	return rc;
}

/* VFS_MMAP: a grant for the file pager to map the file (abi/vfs.h). */
errno_t vfs_file_mmap(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	unsigned rights = (unsigned) m->arg[1];
	if (m->arg[1] & ~(uint64_t) (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC) ||
	    m->arg[2] & ~(uint64_t) VFS_MMAP_SHARED)
		return EINVAL;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	bool shared = m->arg[2] & VFS_MMAP_SHARED;
	errno_t rc = EOK;
	if (!file_is_reg(f))
		rc = ENOTSUP;
	else if (!file_can_read(f) || (shared && (rights & AS_AREA_WRITE) && !file_can_write(f)))
		rc = EACCES;
	else if (!f->fs->alive)
		rc = EIO;
	/* the grant carries the most the descriptor allows, for a later mprotect */
	unsigned max = AS_AREA_READ | AS_AREA_EXEC |
	    (!shared || file_can_write(f) ? AS_AREA_WRITE : 0);
	if (rc == EOK) {
		uint64_t arg[5] = { f->fs->dev, f->node, max, req->task->id, shared ? 1 : 0 };
		rc = vfs_fpager_request(FPAGER_GRANT, arg, NULL, ans);
		if (rc == EHANGUP)
			rc = ENOTSUP;
		ans->arg[1] = max;
	}
	vfs_file_put(f);
	return rc;
}

errno_t vfs_file_readdir(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	if (!req->conn->buf)
		return ENOENT;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	errno_t rc = file_is_dir(f) ? EOK : ENOTDIR;
	uint8_t *tmp = rc == EOK ? malloc(FS_CTL_SIZE) : NULL;
	if (rc == EOK && !tmp)
		rc = ENOMEM;
	if (rc == EOK) {
		lock_acquire(&f->lock);
		uint64_t arg[5] = { f->node, f->offset };
		ipc_msg_t fa;
		rc = vfs_fs_request(f->fs, FS_READDIR, arg, NULL, 0, tmp, FS_CTL_SIZE, &fa);
		if (rc == EOK && fa.arg[1] > FS_CTL_SIZE)
			rc = EIO;
		if (rc == EOK) {
			memcpy(req->conn->buf, tmp, fa.arg[1]);
			ans->arg[0] = fa.arg[0];
			ans->arg[1] = fa.arg[1];
			f->offset = fa.arg[2];
		}
		lock_release(&f->lock);
	}
	free(tmp);
	vfs_file_put(f);
	return rc;
}

errno_t vfs_fd_close(vfs_req_t *req, int64_t fd)
{
	if (fd < 0 || fd >= (int64_t) VFS_FD_MAX)
		return EBADF;
	lock_acquire(&vfs_table_lock);
	vfs_file_t *f = req->task->fd[fd];
	if (f == VFS_FD_RESERVED)
		f = NULL;
	if (f)
		req->task->fd[fd] = NULL;
	lock_release(&vfs_table_lock);
	if (!f)
		return EBADF;
	vfs_file_put(f);
	return EOK;
}

/*
 * Put @a f at descriptor @a fd (a reference given), closing what was
 * there.  EBUSY if an open or dup of the same task (on another
 * connection) has reserved @a fd: its result would overwrite @a f.
 */
static errno_t fd_install(vfs_task_t *t, int64_t fd, vfs_file_t *f)
{
	lock_acquire(&vfs_table_lock);
	vfs_file_t *old = t->fd[fd];
	if (old != VFS_FD_RESERVED)
		t->fd[fd] = f;
	lock_release(&vfs_table_lock);
	if (old == VFS_FD_RESERVED)
		return EBUSY;
	if (old)
		vfs_file_put(old);
	return EOK;
}

/* VFS_DUP and VFS_DUP2 */
errno_t vfs_fd_dup(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	bool two = m->method == VFS_DUP2;
	int64_t nfd = (int64_t) m->arg[1];
	if (two && (nfd < 0 || nfd >= (int64_t) VFS_FD_MAX))
		return EBADF;
	vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
	if (!f)
		return EBADF;
	if (two && nfd == (int64_t) m->arg[0]) {
		vfs_file_put(f);
		ans->arg[0] = (uint64_t) nfd;
		return EOK;
	}
	errno_t rc = EOK;
	if (two) {
		rc = fd_install(req->task, nfd, f);
	} else {
		lock_acquire(&vfs_table_lock);
		nfd = fd_reserve_locked(req->task);
		lock_release(&vfs_table_lock);
		if (nfd < 0)
			rc = EMFILE;
		else
			fd_set(req->task, nfd, f);
	}
	if (rc != EOK) {
		vfs_file_put(f);
		return rc;
	}
	ans->arg[0] = (uint64_t) nfd;
	return EOK;
}

static uint64_t handoff_token_new(void)
{
	uint64_t x = vfs_token_state;
	if (!x)
		x = uptime_ns_now() ^ 0x6a09e667f3bcc909ull;
	uint64_t t;
	do {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = x ^ (uptime_ns_now() * 0x9e3779b97f4a7c15ull);
	} while (t == 0);
	vfs_token_state = x;
	return t;
}

static void handoff_drop(vfs_handoff_t *h)
{
	for (unsigned i = 0; i < 3; i++)
		if (h->file[i])
			vfs_file_put(h->file[i]);
	memset(h, 0, sizeof(*h));
}

errno_t vfs_fd_handoff(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	vfs_handoff_t h = { 0 };
	errno_t rc = EOK;
	for (unsigned i = 0; i < 3 && rc == EOK; i++) {
		if ((int64_t) m->arg[i] == -1)
			continue;
		h.file[i] = vfs_fd_get(req->task, (int64_t) m->arg[i]);
		if (!h.file[i])
			rc = EBADF;
	}
	if (rc != EOK) {
		handoff_drop(&h);
		return rc;
	}
	vfs_handoff_t old = { 0 };
	lock_acquire(&vfs_table_lock);
	vfs_handoff_t *slot = &vfs_handoffs[0];
	for (unsigned i = 0; i < VFS_HANDOFF_MAX; i++) {
		if (!vfs_handoffs[i].token) {
			slot = &vfs_handoffs[i];
			break;
		}
		if (vfs_handoffs[i].born < slot->born)
			slot = &vfs_handoffs[i];
	}
	old = *slot;
	h.token = handoff_token_new();
	h.born = ++vfs_handoff_clock;
	*slot = h;
	lock_release(&vfs_table_lock);
	if (old.token)
		handoff_drop(&old);
	ans->arg[0] = h.token;
	return EOK;
}

/*
 * VFS_ADOPT: the token's files become descriptors 0, 1, 2 (closing what
 * was there).  EBUSY, with the token left waiting, while one of them is
 * reserved by an open or dup of the same task.
 */
errno_t vfs_fd_adopt(vfs_req_t *req, const ipc_msg_t *m)
{
	if (m->arg[0] == 0)
		return ENOENT;
	vfs_task_t *t = req->task;
	vfs_file_t *old[3] = { NULL, NULL, NULL };
	errno_t rc = ENOENT;
	lock_acquire(&vfs_table_lock);
	for (unsigned i = 0; i < VFS_HANDOFF_MAX && rc == ENOENT; i++) {
		vfs_handoff_t *h = &vfs_handoffs[i];
		if (h->token != m->arg[0])
			continue;
		rc = EOK;
		for (unsigned k = 0; k < 3; k++)
			if (h->file[k] && t->fd[k] == VFS_FD_RESERVED)
				rc = EBUSY;
		for (unsigned k = 0; k < 3 && rc == EOK; k++) {
			if (h->file[k]) {
				old[k] = t->fd[k];
				t->fd[k] = h->file[k];
			}
		}
		if (rc == EOK)
			memset(h, 0, sizeof(*h));
	}
	lock_release(&vfs_table_lock);
	for (unsigned k = 0; k < 3; k++)
		if (old[k])
			vfs_file_put(old[k]);
	return rc;
}

/* The task's last connection went: close everything it had. */
void vfs_task_close_all(vfs_task_t *t)
{
	for (unsigned i = 0; i < VFS_FD_MAX; i++) {
		vfs_file_t *f = t->fd[i];
		t->fd[i] = NULL;
		if (f && f != VFS_FD_RESERVED)
			vfs_file_put(f);
	}
	if (t->cwd_fs)
		vfs_fs_node_close(t->cwd_fs, t->cwd_node);
	t->cwd_fs = NULL;
	free(t->cwd_path);
	t->cwd_path = NULL;
}
