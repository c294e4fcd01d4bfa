/*
 * vfs: the file pager (abi/fpager.h).  The file pager registers through
 * its connection (VFS_PAGER_REGISTER) and gives us a phone to itself
 * (IPC_M_CONNECT_TO_ME through that connection).  From then on the data
 * of regular files goes through it: reads and writes, truncation, fsync,
 * sync, the last close of an open file and the removal of a name are
 * told to it, so its cache stays the one copy.  Whenever it cannot serve
 * a request -- it is gone (EHANGUP), or it has no connection to that
 * volume yet (EAGAIN) -- the caller does the work with the file system
 * server itself, as without a file pager.
 *
 * The first use of a volume.  The file pager connects to a volume when
 * the first request for it comes, and answers EAGAIN until then; a write
 * the VFS then serves itself could land on the disk after the pager had
 * begun to serve the volume and cached the page it changes.  So the file
 * pager binds the volume (VFS_PAGER_BIND) once its connections to it are
 * made and before it caches anything of it.  From then on, and once its
 * phone is here, the VFS never serves that volume's file data itself (a
 * request the pager answers EAGAIN, in the moment between the bind and
 * its serving, waits), and the bind is answered only when the requests
 * the VFS was serving itself on that volume are done (vfs_fs_t.direct
 * counts them from before they ask the pager).  A successor binds its
 * volumes before it gives us its phone: then the phone's arrival waits
 * for them instead.  So every page the file pager caches is read after
 * the last write the VFS made itself.  vfs_fs_t.fp_bound and .direct are
 * under vfs_table_lock.
 */
#include <string.h>
#include <thread.h>

#include "vfs.h"

#define VFS_FPAGER_POLL_US 1000u
#define VFS_FPAGER_WAIT_POLLS 10000u /* 10 s: a bound volume's EAGAIN */

static cap_handle_t vfs_fpager_phone = CAP_NIL; /* vfs_table_lock */
static uint64_t vfs_fpager_gen; /* bumped with every phone: buffers lent again */

/* Wait until no data request the VFS serves itself on @a fs is left (or
 * the file pager that bound it is gone: the volume is the VFS's again). */
static void vfs_fpager_drain(vfs_fs_t *fs)
{
	for (;;) {
		lock_acquire(&vfs_table_lock);
		bool wait = fs->direct != 0 && fs->fp_bound == vfs_pager_badge;
		lock_release(&vfs_table_lock);
		if (!wait)
			return;
		thread_sleep_us(VFS_FPAGER_POLL_US);
	}
}

/* The volumes the file pager bound before its phone came (a successor):
 * what the VFS serves of them itself ends first. */
static void vfs_fpager_drain_bound(void)
{
	for (unsigned i = 0; i < VFS_FS_MAX; i++) {
		lock_acquire(&vfs_table_lock);
		bool bound = vfs_fs[i].fp_bound != 0 && vfs_fs[i].fp_bound == vfs_pager_badge;
		lock_release(&vfs_table_lock);
		if (bound)
			vfs_fpager_drain(&vfs_fs[i]);
	}
}

/* IPC_M_CONNECT_TO_ME through the file pager's connection. */
errno_t vfs_fpager_attach(const ipc_event_t *ev)
{
	lock_acquire(&vfs_table_lock);
	cap_handle_t old = vfs_fpager_phone;
	vfs_fpager_phone = (cap_handle_t) ev->msg.arg[4];
	vfs_fpager_gen++;
	lock_release(&vfs_table_lock);
	if (old != CAP_NIL)
		(void) ipc_hangup(old);
	vfs_fpager_drain_bound();
	ipc_answer(ev->call, EOK, NULL);
	return IPC_NO_REPLY;
}

/* The file pager is gone (its connection hung up, or its phone did). */
static void vfs_fpager_detach(uint64_t gen)
{
	lock_acquire(&vfs_table_lock);
	cap_handle_t old = CAP_NIL;
	if (gen == 0 || gen == vfs_fpager_gen) {
		old = vfs_fpager_phone;
		vfs_fpager_phone = CAP_NIL;
		vfs_fpager_gen++;
	}
	lock_release(&vfs_table_lock);
	if (old != CAP_NIL)
		(void) ipc_hangup(old);
}

void vfs_fpager_gone(void)
{
	vfs_fpager_detach(0);
}

/* Send @a method with @a arg through @a phone (generation @a gen),
 * lending @a lend's buffer first if the pager has not got it. */
static errno_t vfs_fpager_send(cap_handle_t phone, uint64_t gen, uint64_t method,
    const uint64_t arg[5], vfs_conn_t *lend, ipc_msg_t *ans)
{
	if (phone == CAP_NIL)
		return EHANGUP;
	errno_t rc = EOK;
	if (lend && __atomic_load_n(&lend->lent_fpager, __ATOMIC_ACQUIRE) != gen) {
		rc = ipc_request(phone, IPC_M_SHARE_OUT, (uintptr_t) lend->buf,
		    AS_AREA_READ | AS_AREA_WRITE, lend->buf_id, 0, 0, NULL);
		if (rc == EOK || rc == EEXIST) {
			__atomic_store_n(&lend->lent_fpager, gen, __ATOMIC_RELEASE);
			rc = EOK;
		}
	}
	ipc_msg_t local;
	if (rc == EOK) {
		ipc_msg_t msg = { .method = method };
		for (unsigned i = 0; i < 5; i++)
			msg.arg[i] = arg ? arg[i] : 0;
		rc = ipc_request_msg(phone, &msg, ans ? ans : &local);
	}
	if (rc == EHANGUP)
		vfs_fpager_detach(gen);
	return rc;
}

/*
 * Send @a method with @a arg to the file pager, lending @a lend's buffer
 * first if it has not got it.  EHANGUP: there is no file pager (do the
 * work yourself); any other result is the pager's answer.
 */
errno_t vfs_fpager_request(uint64_t method, const uint64_t arg[5], vfs_conn_t *lend, ipc_msg_t *ans)
{
	lock_acquire(&vfs_table_lock);
	cap_handle_t phone = vfs_fpager_phone;
	uint64_t gen = vfs_fpager_gen;
	lock_release(&vfs_table_lock);
	return vfs_fpager_send(phone, gen, method, arg, lend, ans);
}

/*
 * A data request on a regular file of @a fs (FPAGER_READ, _WRITE,
 * _TRUNCATE): the file pager's answer.  EHANGUP: the caller serves it with
 * the file system server, counted as the VFS's own on @a fs until it calls
 * vfs_fpager_direct_end.  Once the file pager serves the volume (bound,
 * and its phone here) it is never EHANGUP: a request it answers EAGAIN
 * waits (EIO after VFS_FPAGER_WAIT_POLLS), one it hangs up on is the
 * VFS's again.
 */
errno_t vfs_fpager_data(
    vfs_fs_t *fs, uint64_t method, const uint64_t arg[5], vfs_conn_t *lend, ipc_msg_t *ans)
{
	for (unsigned polls = 0;; polls++) {
		lock_acquire(&vfs_table_lock);
		cap_handle_t phone = vfs_fpager_phone;
		uint64_t gen = vfs_fpager_gen;
		bool pager = phone != CAP_NIL && fs->fp_bound != 0 &&
		    fs->fp_bound == vfs_pager_badge;
		if (!pager)
			fs->direct++;
		lock_release(&vfs_table_lock);
		errno_t rc = vfs_fpager_send(phone, gen, method, arg, lend, ans);
		if (!pager && vfs_fpager_answered(rc))
			vfs_fpager_direct_end(fs);
		if (!pager || vfs_fpager_answered(rc))
			return vfs_fpager_answered(rc) ? rc : EHANGUP;
		if (polls >= VFS_FPAGER_WAIT_POLLS)
			return EIO;
		if (rc == EAGAIN)
			thread_sleep_us(VFS_FPAGER_POLL_US);
	}
}

void vfs_fpager_direct_end(vfs_fs_t *fs)
{
	lock_acquire(&vfs_table_lock);
	fs->direct--;
	lock_release(&vfs_table_lock);
}

/* VFS_PAGER_BIND through connection @a c: the file pager serves volume
 * @a dev's data from now on; answered when the VFS serves none of it. */
errno_t vfs_fpager_bind(const vfs_conn_t *c, uint64_t dev)
{
	lock_acquire(&vfs_table_lock);
	vfs_fs_t *fs = NULL;
	errno_t rc = c->badge == vfs_pager_badge ? vfs_fs_find_locked(dev, &fs) : EPERM;
	if (rc == EOK)
		fs->fp_bound = c->badge;
	bool attached = vfs_fpager_phone != CAP_NIL;
	lock_release(&vfs_table_lock);
	if (rc == EOK && attached) /* else its phone's arrival waits */
		vfs_fpager_drain(fs);
	return rc;
}

/* The connection is going: the file pager drops its buffer. */
void vfs_fpager_unlend(vfs_conn_t *conn)
{
	lock_acquire(&vfs_table_lock);
	bool lent = conn->lent_fpager != 0 && conn->lent_fpager == vfs_fpager_gen;
	lock_release(&vfs_table_lock);
	uint64_t arg[5] = { conn->buf_id };
	if (lent)
		(void) vfs_fpager_request(FPAGER_BUF_DROP, arg, NULL, NULL);
	conn->lent_fpager = 0;
}

/* A word to the file pager about node @a node of @a fs; its answer, or
 * EHANGUP when there is none. */
errno_t vfs_fpager_node(uint64_t method, const vfs_fs_t *fs, uint64_t node, uint64_t a2)
{
	uint64_t arg[5] = { fs->dev, node, a2 };
	return vfs_fpager_request(method, arg, NULL, NULL);
}

/* Is @a rc the pager's own answer (not "do it yourself")? */
bool vfs_fpager_answered(errno_t rc)
{
	return rc != EHANGUP && rc != EAGAIN;
}
