/*
 * vfs: the virtual file system server (docs/vfs.md; protocols abi/vfs.h
 * for clients and abi/fs.h for file system servers).
 *
 * The VFS owns the name space and the open files; file system servers
 * own the bytes.  A client connects through ns, asks for its buffer
 * (IPC_M_SHARE_IN) and makes requests; the VFS resolves paths, keeps the
 * descriptor tables (per task, by the kernel's sender id, so no task can
 * name another's descriptors) and the offsets, and asks the file system
 * server for what only it knows.  File data never passes through the
 * VFS's hands: the client's buffer is lent to the file system server,
 * which copies between its block cache and the buffer.
 *
 * Started as `vfs root=SOURCE`: the file system server registering
 * SOURCE is mounted as "/".  Requests that need the root wait for it (a
 * bounded time, then EIO), so clients started before the disk is up just
 * wait.
 *
 * What was rejected: forwarding reads and writes to the file system
 * server (IPC forwarding) so that it answers the client directly.  It
 * saves one message per request but leaves the VFS unable to move the
 * offset by what was read, or to serialize O_APPEND writes; a request's
 * cost is dominated by the copy for large transfers anyway.
 */
#include <anon.h>
#include <as.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <thread.h>

#include "vfs.h"

lock_t vfs_table_lock = LOCK_INITIALIZER;
extern char vfs_root_source[NS_NAME_MAX + 1];

static vfs_task_t vfs_tasks[VFS_TASKS_MAX];
static vfs_conn_t vfs_conns[VFS_CONNS_MAX];
static uint64_t vfs_next_badge = 1;
static bool vfs_shut;
uint64_t vfs_pager_badge;

/* The connection a call came through (vfs_table_lock held). */
static vfs_conn_t *conn_find_locked(uint64_t badge)
{
	if (!badge)
		return NULL;
	for (unsigned i = 0; i < VFS_CONNS_MAX; i++)
		if (vfs_conns[i].badge == badge)
			return &vfs_conns[i];
	return NULL;
}

static vfs_task_t *task_find_locked(uint64_t id, bool create)
{
	vfs_task_t *free_slot = NULL;
	for (unsigned i = 0; i < VFS_TASKS_MAX; i++) {
		if (vfs_tasks[i].id == id && !vfs_tasks[i].closing)
			return &vfs_tasks[i];
		if (!vfs_tasks[i].id && !free_slot)
			free_slot = &vfs_tasks[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->id = id;
	return free_slot;
}

/* A client connects (forwarded by ns). */
static errno_t vfs_connect(const ipc_event_t *ev)
{
	errno_t rc = ELIMIT;
	uint64_t badge = 0;
	lock_acquire(&vfs_table_lock);
	vfs_task_t *t = task_find_locked(ev->sender, true);
	bool room = t && t->conns < VFS_TASK_CONNS_MAX;
	for (unsigned i = 0; room && i < VFS_CONNS_MAX; i++) {
		vfs_conn_t *c = &vfs_conns[i];
		if (c->badge)
			continue;
		memset(c, 0, sizeof(*c));
		if (vfs_next_badge == NS_CONN_BADGE) /* ns's forwarded connects carry it */
			vfs_next_badge++;
		c->badge = badge = vfs_next_badge++;
		c->task_id = ev->sender;
		c->buf_id = i + 1;
		t->conns++;
		rc = EOK;
		break;
	}
	if (t && !t->conns)
		t->id = 0;
	lock_release(&vfs_table_lock);
	if (rc == EOK)
		rc = ipc_connect_accept(ev, badge);
	else
		ipc_answer(ev->call, rc, NULL);
	return IPC_NO_REPLY;
}

/* IPC_M_SHARE_IN: the connection's buffer. */
static errno_t vfs_buffer(const ipc_event_t *ev, vfs_conn_t *c)
{
	lock_acquire(&vfs_table_lock);
	bool taken = c->buf || c->buf_making;
	c->buf_making = true;
	lock_release(&vfs_table_lock);
	if (taken)
		return EEXIST;
	uintptr_t base;
	errno_t rc = as_area_create_anon(0, VFS_BUF_SIZE, AS_AREA_READ | AS_AREA_WRITE, &base);
	if (rc == EOK) {
		rc = ipc_share_in_accept(ev, base);
		if (rc != EOK)
			as_area_destroy(base);
	}
	lock_acquire(&vfs_table_lock);
	if (rc == EOK)
		c->buf = (uint8_t *) base;
	c->buf_making = false;
	lock_release(&vfs_table_lock);
	return rc == EOK ? IPC_NO_REPLY : rc;
}

/*
 * A connection closed: its buffer goes, and with the task's last one its
 * files.  Requests still being handled on it (a client may hang up with
 * calls in flight) finish first: they use its buffer and its task.
 */
static void vfs_hangup(uint64_t badge)
{
	lock_acquire(&vfs_table_lock);
	vfs_conn_t *c = conn_find_locked(badge);
	while (c && c->busy) {
		lock_release(&vfs_table_lock);
		thread_yield();
		lock_acquire(&vfs_table_lock);
	}
	vfs_conn_t copy = c ? *c : (vfs_conn_t){ 0 };
	if (c)
		c->badge = (uint64_t) -1; /* busy until the buffer is dropped */
	bool pager = c && vfs_pager_badge == badge;
	if (pager)
		vfs_pager_badge = 0;
	vfs_task_t *t = c ? task_find_locked(copy.task_id, false) : NULL;
	bool last = t && --t->conns == 0;
	if (last)
		t->closing = true; /* a new connection of the task gets a new record */
	lock_release(&vfs_table_lock);
	if (!c)
		return;
	if (pager)
		vfs_fpager_gone();
	if (copy.fs_server)
		vfs_fs_task_gone(copy.task_id);
	vfs_fs_unlend(&copy);
	vfs_fpager_unlend(&copy);
	if (copy.buf)
		as_area_destroy((uintptr_t) copy.buf);
	if (last)
		vfs_task_close_all(t);
	lock_acquire(&vfs_table_lock);
	if (last) {
		t->id = 0;
		t->closing = false;
	}
	c->badge = 0;
	lock_release(&vfs_table_lock);
}

static errno_t vfs_pager_register(const vfs_conn_t *c)
{
	lock_acquire(&vfs_table_lock);
	errno_t rc = vfs_pager_badge && vfs_pager_badge != c->badge ? EEXIST : EOK;
	if (rc == EOK)
		vfs_pager_badge = c->badge;
	lock_release(&vfs_table_lock);
	return rc;
}

/*
 * IPC_M_CONNECT_ME_TO through connection @a c: the file pager asks for a
 * connection to a volume's server; the call is forwarded to it.
 */
static errno_t vfs_broker(const ipc_event_t *ev, const vfs_conn_t *c)
{
	if (ev->msg.arg[0] != VFS_CONNECT_FS)
		return EINVAL;
	lock_acquire(&vfs_table_lock);
	vfs_fs_t *fs = NULL;
	errno_t rc = c->badge == vfs_pager_badge ? vfs_fs_find_locked(ev->msg.arg[1], &fs) : EPERM;
	cap_handle_t phone = rc == EOK ? fs->conn[0].phone : CAP_NIL;
	lock_release(&vfs_table_lock);
	if (rc != EOK)
		return rc;
	/* Answered by the server from now on (or by the kernel: EHANGUP). */
	return ipc_forward(ev->call, phone, NULL, 0) == ENOENT ? EIO : IPC_NO_REPLY;
}

/* VFS_SYNC, VFS_SHUTDOWN: the file pager's dirty pages first, then the
 * file systems. */
static errno_t vfs_sync_req(bool shutdown)
{
	errno_t prc = vfs_fpager_request(FPAGER_SYNC, NULL, NULL, NULL);
	if (!vfs_fpager_answered(prc))
		prc = EOK;
	if (!shutdown) {
		errno_t rc = vfs_fs_sync_all();
		return prc != EOK ? prc : rc;
	}
	vfs_shut = true;
	errno_t rc = vfs_fs_sync_all();
	if (prc != EOK)
		rc = prc;
	errno_t rc2 = vfs_fs_unmount_all();
	return rc != EOK ? rc : rc2;
}

/* The requests on files and names. */
static errno_t vfs_dispatch(vfs_req_t *req, const ipc_msg_t *m, ipc_msg_t *ans)
{
	switch (m->method) {
	case VFS_OPEN:
		return vfs_file_open(req, m, ans);
	case VFS_CLOSE:
		return vfs_fd_close(req, (int64_t) m->arg[0]);
	case VFS_READ:
	case VFS_WRITE:
	case VFS_PREAD:
	case VFS_PWRITE:
		return vfs_file_rw(req, m, ans);
	case VFS_SEEK:
		return vfs_file_seek(req, m, ans);
	case VFS_FSTAT:
		return vfs_file_fstat(req, m);
	case VFS_STAT:
		return vfs_name_stat(req, m);
	case VFS_TRUNCATE:
		return vfs_file_truncate(req, m);
	case VFS_FSYNC: {
		vfs_file_t *f = vfs_fd_get(req->task, (int64_t) m->arg[0]);
		if (!f)
			return EBADF;
		errno_t prc = vfs_fpager_node(FPAGER_FSYNC, f->fs, f->node, 0);
		errno_t rc = vfs_fs_request(f->fs, FS_SYNC, NULL, NULL, 0, NULL, 0, NULL);
		vfs_file_put(f);
		return vfs_fpager_answered(prc) && prc != EOK ? prc : rc;
	}
	case VFS_SYNC:
		return vfs_sync_req(false);
	case VFS_SHUTDOWN:
		return vfs_sync_req(true);
	case VFS_MKDIR:
		return vfs_name_mkdir(req, m);
	case VFS_RMDIR:
	case VFS_UNLINK:
		return vfs_name_remove(req, m, m->method == VFS_RMDIR);
	case VFS_RENAME:
	case VFS_LINK:
		return vfs_name_rename(req, m, m->method == VFS_LINK);
	case VFS_SYMLINK:
		return vfs_name_symlink(req, m);
	case VFS_READLINK:
		return vfs_name_readlink(req, m, ans);
	case VFS_CHDIR:
		return vfs_name_chdir(req, m);
	case VFS_GETCWD:
		return vfs_name_getcwd(req, ans);
	case VFS_READDIR:
		return vfs_file_readdir(req, m, ans);
	case VFS_DUP:
	case VFS_DUP2:
		return vfs_fd_dup(req, m, ans);
	case VFS_HANDOFF:
		return vfs_fd_handoff(req, m, ans);
	case VFS_ADOPT:
		return vfs_fd_adopt(req, m);
	case VFS_STATFS:
		return vfs_name_statfs(req, m);
	case VFS_MMAP:
		return vfs_file_mmap(req, m, ans);
	case VFS_TEST_DIRECT_DELAY:
		return vfs_file_test_delay(m->arg[0]);
	default:
		return ENOTSUP;
	}
}

static errno_t vfs_handle(ipc_event_t *ev, ipc_msg_t *ans)
{
	if (ev->kind == IPC_EV_HANGUP)
		vfs_hangup(ev->conn);
	if (ev->kind != IPC_EV_CALL)
		return IPC_NO_REPLY;
	lock_acquire(&vfs_table_lock);
	vfs_conn_t *c = conn_find_locked(ev->conn);
	if (!c && ev->msg.method == IPC_M_CONNECT_ME_TO) {
		lock_release(&vfs_table_lock);
		return vfs_connect(ev); /* a new client, forwarded by ns */
	}
	vfs_task_t *t = c && c->task_id == ev->sender ? task_find_locked(ev->sender, false) : NULL;
	bool pager = c && c->badge == vfs_pager_badge;
	if (t && ev->msg.method == IPC_M_CONNECT_TO_ME && !pager)
		c->fs_server = true;
	if (t)
		c->busy++;
	lock_release(&vfs_table_lock);
	if (!t)
		return EPERM;
	errno_t rc;
	vfs_req_t req = { t, c };
	if (ev->msg.method == IPC_M_CONNECT_TO_ME && pager)
		rc = vfs_fpager_attach(ev);
	else if (ev->msg.method == IPC_M_CONNECT_TO_ME)
		rc = vfs_fs_register(ev);
	else if (ev->msg.method == IPC_M_CONNECT_ME_TO)
		rc = vfs_broker(ev, c);
	else if (ev->msg.method == VFS_PAGER_REGISTER)
		rc = vfs_pager_register(c);
	else if (ev->msg.method == VFS_PAGER_BIND)
		rc = vfs_fpager_bind(c, ev->msg.arg[0]);
	else if (ev->msg.method == IPC_M_SHARE_IN)
		rc = vfs_buffer(ev, c);
	else if (__atomic_load_n(&vfs_shut, __ATOMIC_ACQUIRE))
		rc = EBUSY;
	else if (!vfs_root_wait())
		rc = EIO;
	else
		rc = vfs_dispatch(&req, &ev->msg, ans);
	lock_acquire(&vfs_table_lock);
	c->busy--;
	lock_release(&vfs_table_lock);
	return rc;
}

static void vfs_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "root=", 5) == 0 && strlen(argv[i] + 5) <= NS_NAME_MAX)
			strcpy(vfs_root_source, argv[i] + 5);
	}
}

int main(int argc, char **argv)
{
	vfs_args(argc, argv);
	errno_t rc = ns_register(VFS_NAME);
	if (rc != EOK) {
		printf("vfs: cannot register: %s\n", str_error(rc));
		return 1;
	}
	printf("vfs: serving; the root is what registers as %s\n", vfs_root_source);
	return ipc_serve_reply(vfs_handle, 8) == EOK ? 0 : 1;
}
