/*
 * vfs: the file pager (abi/fpager.h).  The file pager registers through
 * its connection (VFS_PAGER_REGISTER) and gives us a phone to itself
 * (IPC_M_CONNECT_TO_ME through that connection).  From then on the data
 * of regular files goes through it: reads and writes, truncation, fsync,
 * sync, the last close of an open file and the removal of a name are
 * told to it, so its cache stays the one copy.  Whenever it cannot serve
 * a request -- it is gone (EHANGUP), or it has no connection to that
 * volume yet (EAGAIN) -- the caller does the work with the file system
 * server itself, as without a file pager: the pager then holds no page
 * of that volume, so nothing is incoherent.
 */
#include <string.h>

#include "vfs.h"

static cap_handle_t vfs_fpager_phone = CAP_NIL; /* vfs_table_lock */
static uint64_t vfs_fpager_gen; /* bumped with every phone: buffers lent again */

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
