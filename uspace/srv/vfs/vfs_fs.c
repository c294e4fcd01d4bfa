/*
 * vfs: the file system servers (abi/fs.h).
 *
 * A server registers by giving us FS_CONN_COUNT phones (IPC_M_CONNECT_TO_ME
 * with its source, type and the phone's index).  When the last arrives we
 * answer it, then lend each connection a control buffer, ask for the
 * volume's root and mount it: as "/" when its source is the one we were
 * started with (a server started again after it ended replaces a root
 * that is gone).  Requests take a free connection from the server's pool,
 * so up to FS_CONN_COUNT of them run at once, each with its own control
 * buffer.  A request answered EHANGUP (or through a phone that is gone)
 * marks the server dead: from then on its files answer EIO.
 */
#include <anon.h>
#include <as.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>
#include <thread.h>

#include "vfs.h"

vfs_fs_t vfs_fs[VFS_FS_MAX];
vfs_fs_t *vfs_root;
char vfs_root_source[NS_NAME_MAX + 1] = "disk0";
static uint64_t vfs_next_dev = 1;
static lock_t vfs_node_locks[VFS_NODE_LOCKS];
/* The registering task of each slot (vfs_table_lock). */
static uint64_t vfs_fs_task[VFS_FS_MAX];

lock_t *vfs_node_lock(const vfs_fs_t *fs, uint64_t node)
{
	uint64_t h = (node * 0x9e3779b97f4a7c15ull) ^ fs->index;
	return &vfs_node_locks[(h >> 32) % VFS_NODE_LOCKS];
}

static vfs_fs_conn_t *vfs_fs_conn_take(vfs_fs_t *fs)
{
	for (;;) {
		lock_acquire(&fs->pool);
		for (unsigned i = 0; i < FS_CONN_COUNT; i++) {
			if (!fs->conn[i].busy) {
				fs->conn[i].busy = true;
				lock_release(&fs->pool);
				return &fs->conn[i];
			}
		}
		lock_release(&fs->pool);
		thread_yield();
	}
}

static void vfs_fs_conn_give(vfs_fs_t *fs, vfs_fs_conn_t *c)
{
	lock_acquire(&fs->pool);
	c->busy = false;
	lock_release(&fs->pool);
}

void vfs_fs_gone(vfs_fs_t *fs)
{
	lock_acquire(&vfs_table_lock);
	if (fs->alive)
		printf("vfs: %s (%s) is gone: its files answer EIO\n", fs->source, fs->type);
	fs->alive = false;
	lock_release(&vfs_table_lock);
}

errno_t vfs_fs_find_locked(uint64_t dev, vfs_fs_t **out)
{
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		if (vfs_fs[i].used && vfs_fs[i].mounted && vfs_fs[i].dev == dev) {
			*out = &vfs_fs[i];
			return vfs_fs[i].alive ? EOK : EIO;
		}
	}
	return ENOENT;
}

/*
 * Send @a method with words @a arg through a free connection of @a fs;
 * @a in (in_len bytes) goes into its control buffer first, and @a out_size
 * bytes of the control buffer come back into @a out after the answer.
 */
errno_t vfs_fs_request(vfs_fs_t *fs, uint64_t method, const uint64_t arg[5], const void *in,
    size_t in_len, void *out, size_t out_size, ipc_msg_t *ans)
{
	if (!fs->alive)
		return EIO;
	vfs_fs_conn_t *c = vfs_fs_conn_take(fs);
	if (in_len)
		memcpy(c->ctl, in, in_len);
	ipc_msg_t msg = { .method = method };
	for (unsigned i = 0; i < 5; i++)
		msg.arg[i] = arg ? arg[i] : 0;
	ipc_msg_t local;
	errno_t rc = ipc_request_msg(c->phone, &msg, ans ? ans : &local);
	if (rc == EOK && out_size)
		memcpy(out, c->ctl, out_size);
	vfs_fs_conn_give(fs, c);
	if (rc == EHANGUP) { /* ENOENT is an answer (no such name), not a bad phone */
		vfs_fs_gone(fs);
		rc = EIO;
	}
	return rc;
}

/* Lend client connection @a conn's buffer to @a fs (once per mount). */
errno_t vfs_fs_lend(vfs_fs_t *fs, vfs_conn_t *conn)
{
	uint64_t dev = __atomic_load_n(&fs->dev, __ATOMIC_ACQUIRE);
	uint64_t *lent = &conn->lent[fs->index];
	if (__atomic_load_n(lent, __ATOMIC_ACQUIRE) == dev)
		return EOK;
	uint64_t arg[5] = { (uintptr_t) conn->buf, AS_AREA_READ | AS_AREA_WRITE, conn->buf_id };
	errno_t rc = vfs_fs_request(fs, IPC_M_SHARE_OUT, arg, NULL, 0, NULL, 0, NULL);
	if (rc == EEXIST)
		rc = EOK; /* another thread of the same client lent it meanwhile */
	if (rc == EOK)
		__atomic_store_n(lent, dev, __ATOMIC_RELEASE);
	return rc;
}

/* The connection is going: every server that has its buffer drops it. */
void vfs_fs_unlend(vfs_conn_t *conn)
{
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		lock_acquire(&vfs_table_lock);
		bool same = conn->lent[i] != 0 && conn->lent[i] == vfs_fs[i].dev;
		lock_release(&vfs_table_lock);
		uint64_t arg[5] = { conn->buf_id };
		if (same)
			(void) vfs_fs_request(&vfs_fs[i], FS_BUF_DROP, arg, NULL, 0, NULL, 0, NULL);
		conn->lent[i] = 0;
	}
}

/*
 * Hold @a node open.  It fails (ENOENT) when the node went after the walk
 * found it (an unlink on another connection, the name cache not told
 * yet), also when its number was given to a new file meanwhile (the
 * server's ESTALE: the word names the old one): then nothing is held and
 * nothing must be closed.
 */
errno_t vfs_fs_node_open(vfs_fs_t *fs, uint64_t node)
{
	uint64_t arg[5] = { node };
	errno_t rc = vfs_fs_request(fs, FS_NODE_OPEN, arg, NULL, 0, NULL, 0, NULL);
	if (rc == ESTALE)
		rc = ENOENT; /* its number is another node's already: the name went as well */
	if (rc != EOK)
		return rc;
	lock_acquire(&vfs_table_lock);
	fs->refs++;
	lock_release(&vfs_table_lock);
	return EOK;
}

void vfs_fs_node_close(vfs_fs_t *fs, uint64_t node)
{
	uint64_t arg[5] = { node };
	(void) vfs_fs_request(fs, FS_NODE_CLOSE, arg, NULL, 0, NULL, 0, NULL);
	lock_acquire(&vfs_table_lock);
	fs->refs--;
	lock_release(&vfs_table_lock);
}

/*
 * Empty @a fs for a new registration (vfs_table_lock held).  The phones
 * of a server that went are hung up (handles are not left behind with
 * every restart); the control buffers stay, to be lent to the next one.
 */
static void vfs_fs_slot_clear(vfs_fs_t *fs)
{
	uint8_t *ctl[FS_CONN_COUNT];
	for (unsigned i = 0; i < FS_CONN_COUNT; i++) {
		ctl[i] = fs->used ? fs->conn[i].ctl : NULL;
		if (fs->used && i < fs->given)
			(void) ipc_hangup(fs->conn[i].phone);
	}
	memset(fs, 0, sizeof(*fs));
	for (unsigned i = 0; i < FS_CONN_COUNT; i++)
		fs->conn[i].ctl = ctl[i];
}

/*
 * Task @a task, which registered file systems through the connection
 * that hung up, ended (or hung up): its servers are gone, and its
 * registrations not finished (fewer than FS_CONN_COUNT phones) free their
 * slots, which nothing else would.
 */
void vfs_fs_task_gone(uint64_t task)
{
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		vfs_fs_t *fs = &vfs_fs[i];
		lock_acquire(&vfs_table_lock);
		bool mine = fs->used && vfs_fs_task[i] == task;
		bool alive = mine && fs->alive;
		if (mine && !fs->alive && fs->given < FS_CONN_COUNT) {
			vfs_fs_slot_clear(fs);
			vfs_fs_task[i] = 0;
		}
		lock_release(&vfs_table_lock);
		if (alive)
			vfs_fs_gone(fs);
	}
}

/* A slot for a new registration of @a source by task @a task (vfs_table_lock held). */
static vfs_fs_t *vfs_fs_slot(const char *source, uint64_t task, errno_t *err)
{
	vfs_fs_t *free_slot = NULL;
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		vfs_fs_t *fs = &vfs_fs[i];
		if (fs->used && strcmp(fs->source, source) == 0) {
			if (!fs->alive && fs->given < FS_CONN_COUNT && vfs_fs_task[i] == task)
				return fs; /* this registration, going on */
			if (fs->alive) {
				*err = EEXIST;
				return NULL;
			}
		}
		bool reusable = !fs->used ||
		    (!fs->alive && fs->refs == 0 && fs != vfs_root && fs->given == FS_CONN_COUNT);
		if (reusable && !free_slot)
			free_slot = fs;
	}
	if (!free_slot) {
		*err = ELIMIT;
		return NULL;
	}
	vfs_fs_slot_clear(free_slot);
	free_slot->index = (unsigned) (free_slot - vfs_fs);
	free_slot->used = true;
	snprintf(free_slot->source, sizeof(free_slot->source), "%s", source);
	vfs_fs_task[free_slot->index] = task;
	return free_slot;
}

/* Lend every connection its control buffer, learn the root, mount. */
static errno_t vfs_fs_mount(vfs_fs_t *fs)
{
	for (unsigned i = 0; i < FS_CONN_COUNT; i++) {
		uintptr_t base = (uintptr_t) fs->conn[i].ctl; /* kept from a server that went */
		errno_t rc = base
		    ? EOK
		    : as_area_create_anon(0, FS_CTL_SIZE, AS_AREA_READ | AS_AREA_WRITE, &base);
		if (rc != EOK)
			return rc;
		fs->conn[i].ctl = (uint8_t *) base;
		ipc_msg_t ans;
		rc = ipc_request(fs->conn[i].phone, IPC_M_SHARE_OUT, base,
		    AS_AREA_READ | AS_AREA_WRITE, FS_SHARE_CTL, 0, 0, &ans);
		if (rc != EOK)
			return rc;
	}
	fs->alive = true;
	vfs_statfs_t sf;
	ipc_msg_t ans;
	errno_t rc = vfs_fs_request(fs, FS_STATFS, NULL, NULL, 0, &sf, sizeof(sf), &ans);
	if (rc != EOK)
		return rc;
	fs->root = ans.arg[0];
	lock_acquire(&vfs_table_lock);
	__atomic_store_n(&fs->dev, vfs_next_dev++, __ATOMIC_RELEASE);
	fs->mounted = true;
	bool root = strcmp(fs->source, vfs_root_source) == 0;
	if (root)
		vfs_root = fs;
	lock_release(&vfs_table_lock);
	printf("vfs: %s is %s on %s: %llu KiB, %llu KiB free, %llu of %llu inodes free%s\n",
	    root ? "/" : "(not mounted)", fs->type, fs->source,
	    (unsigned long long) (sf.blocks * sf.block_size / 1024),
	    (unsigned long long) (sf.free_blocks * sf.block_size / 1024),
	    (unsigned long long) sf.free_files, (unsigned long long) sf.files,
	    (sf.flags & VFS_STATFS_RDONLY) ? ", read-only" : "");
	return EOK;
}

/* IPC_M_CONNECT_TO_ME from a file system server: answers @a ev itself. */
errno_t vfs_fs_register(const ipc_event_t *ev)
{
	uint64_t words[2] = { ev->msg.arg[0], ev->msg.arg[1] };
	uint64_t type[2] = { ev->msg.arg[2], 0 };
	char source[NS_NAME_MAX + 1];
	ns_name_unpack(words, source);
	uint64_t index = ev->msg.arg[3];
	errno_t rc = EOK;
	lock_acquire(&vfs_table_lock);
	vfs_fs_t *fs = source[0] ? vfs_fs_slot(source, ev->sender, &rc) : NULL;
	if (fs && index != fs->given)
		rc = EINVAL;
	if (!source[0])
		rc = EINVAL;
	if (rc == EOK) {
		ns_name_unpack(type, fs->type);
		fs->conn[index].phone = (cap_handle_t) ev->msg.arg[4];
		fs->given++;
	}
	bool last = rc == EOK && fs->given == FS_CONN_COUNT;
	lock_release(&vfs_table_lock);
	ipc_answer(ev->call, rc, NULL);
	if (last) {
		rc = vfs_fs_mount(fs);
		if (rc != EOK) {
			printf("vfs: cannot mount %s: %s\n", fs->source, str_error_name(rc));
			vfs_fs_gone(fs);
		}
	}
	return IPC_NO_REPLY;
}

/* Wait (a bounded time) until the root is mounted: false if it never was. */
bool vfs_root_wait(void)
{
	for (unsigned i = 0; i < 20000; i++) {
		if (__atomic_load_n(&vfs_root, __ATOMIC_ACQUIRE))
			return true;
		thread_sleep_us(1000);
	}
	return false;
}

errno_t vfs_fs_sync_all(void)
{
	errno_t first = EOK;
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		if (!vfs_fs[i].alive)
			continue;
		errno_t rc = vfs_fs_request(&vfs_fs[i], FS_SYNC, NULL, NULL, 0, NULL, 0, NULL);
		if (rc != EOK && first == EOK)
			first = rc;
	}
	return first;
}

errno_t vfs_fs_unmount_all(void)
{
	errno_t first = EOK;
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		vfs_fs_t *fs = &vfs_fs[i];
		if (!fs->alive)
			continue;
		errno_t rc = vfs_fs_request(fs, FS_UNMOUNT, NULL, NULL, 0, NULL, 0, NULL);
		printf("vfs: unmounted %s (%s): %s\n", fs->source, fs->type, str_error_name(rc));
		fs->alive = false;
		if (rc != EOK && first == EOK)
			first = rc;
	}
	return first;
}
