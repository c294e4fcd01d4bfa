/*
 * The task's one connection to the VFS and the buffer shared on it
 * (abi/vfs.h; docs/vfs.md "libc").
 *
 * The first file call of a task connects: ns_connect(VFS_NAME) (giving
 * up after VFSCONN_TIMEOUT_MS: EIO, and the next call tries again), then
 * IPC_M_SHARE_IN of the VFS's buffer, VFS_BUF_SIZE bytes mapped read and
 * write.  Paths, stat records, directory entries and file data all pass
 * through that buffer, so the task makes one request at a time:
 * vfsconn_lock is held from before a caller fills the buffer until it has
 * copied the answer's bytes out, across the request.  It protects
 * vfsconn_phone, vfsconn_buf, vfsconn_gen and the buffer's contents.  A
 * thread that finds it held yields until it is free (lock.h): file calls
 * of several threads of one task take turns.  Large reads and writes take
 * and release it once per VFS_BUF_SIZE piece, so they interleave with
 * other threads' calls piece by piece.
 *
 * If the VFS hangs up (it ended), the connection is dropped and the call
 * fails EIO; the next call connects again, with a new generation: the
 * descriptors of the old one (fdtab.h) are EIO from then on, as the VFS
 * that knew them is gone.
 */
#include "file_priv.h"
#include <abi/vfs.h>
#include <as.h>
#include <ipc.h>
#include <lock.h>
#include <ns.h>

#define VFSCONN_TIMEOUT_MS 5000
#define VFSCONN_RIGHTS (AS_AREA_READ | AS_AREA_WRITE)

static lock_t vfsconn_lock = LOCK_INITIALIZER;
static cap_handle_t vfsconn_phone = CAP_NIL;
static uint8_t *vfsconn_buf;
static uint32_t vfsconn_gen;

/* Is the area at @a base the whole buffer, ours to read and write? */
static bool vfsconn_buf_ok(uintptr_t base)
{
	as_area_info_t info;
	return as_area_query(base, &info) == EOK && info.base == base &&
	    info.size >= VFS_BUF_SIZE && (info.flags & VFSCONN_RIGHTS) == VFSCONN_RIGHTS;
}

static errno_t vfsconn_open_locked(void)
{
	cap_handle_t phone;
	uintptr_t base = 0;
	if (ns_connect_timeout(VFS_NAME, VFSCONN_TIMEOUT_MS, &phone) != EOK)
		return EIO;
	errno_t rc = ipc_share_in(phone, VFS_BUF_SIZE, VFSCONN_RIGHTS, 0, &base);
	if (rc == EOK && !vfsconn_buf_ok(base)) {
		as_area_destroy(base);
		rc = EIO;
	}
	if (rc != EOK) {
		ipc_hangup(phone);
		return rc == ENOMEM ? ENOMEM : EIO;
	}
	vfsconn_phone = phone;
	vfsconn_buf = (uint8_t *) base;
	vfsconn_gen++;
	return EOK;
}

static void vfsconn_drop_locked(void)
{
	ipc_hangup(vfsconn_phone);
	as_area_destroy((uintptr_t) vfsconn_buf);
	vfsconn_phone = CAP_NIL;
	vfsconn_buf = NULL;
}

errno_t vfsconn_begin(uint8_t **buf, uint32_t *gen)
{
	lock_acquire(&vfsconn_lock);
	errno_t rc = vfsconn_phone == CAP_NIL ? vfsconn_open_locked() : EOK;
	if (rc != EOK) {
		lock_release(&vfsconn_lock);
		return rc;
	}
	*buf = vfsconn_buf;
	if (gen)
		*gen = vfsconn_gen;
	return EOK;
}

void vfsconn_end(void)
{
	lock_release(&vfsconn_lock);
}

errno_t vfsconn_call(uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2, ipc_msg_t *ans)
{
	ipc_msg_t msg = IPC_MSG(method, a0, a1, a2);
	if (vfsconn_phone == CAP_NIL)
		return EIO;
	errno_t rc = ipc_call_sync(vfsconn_phone, &msg, ans);
	if (rc == EHANGUP) {
		vfsconn_drop_locked();
		return EIO;
	}
	if (rc == ELIMIT)
		return EAGAIN;
	return rc >= 0 && rc < ERRNO_COUNT ? rc : EIO;
}

errno_t vfsconn_adopt(uint64_t token, uint32_t *gen)
{
	uint8_t *buf;
	ipc_msg_t ans;
	errno_t rc = vfsconn_begin(&buf, gen);
	if (rc != EOK)
		return rc;
	rc = vfsconn_call(VFS_ADOPT, token, 0, 0, &ans);
	vfsconn_end();
	return rc;
}
