/*
 * fpager: the VFS's requests (abi/fpager.h), through the phone the pager
 * gave the VFS (badge FPAGER_VFS_BADGE), and the client buffers the VFS
 * lends (by id, as to a file system server).
 */
#include <anon.h>
#include <as.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>
#include <thread.h>

#include "fpager.h"

#define FP_REGISTER_WAIT_MS 5000u

typedef struct fp_buf {
	uint8_t *base;
	size_t size;
} fp_buf_t;

cap_handle_t fp_vfs_phone;
static fp_buf_t fp_bufs[FS_BUF_MAX + 1]; /* fp_lock */

/* IPC_M_SHARE_OUT from the VFS: a client's buffer, arg[2] its id. */
void fp_vfs_share_out(ipc_event_t *ev)
{
	uint64_t id = ev->msg.arg[2];
	if (ev->conn != FPAGER_VFS_BADGE || id == 0 || id > FS_BUF_MAX) {
		ipc_answer(ev->call, EINVAL, NULL);
		return;
	}
	lock_acquire(&fp_lock);
	bool taken = fp_bufs[id].base != NULL;
	lock_release(&fp_lock);
	if (taken) {
		ipc_answer(ev->call, EEXIST, NULL);
		return;
	}
	/* Under fp_lock from the answer to the record: the answer lets the
	 * VFS go on, and its next request (on another of our threads) must
	 * find the buffer.  (The answer does not wait for user space.) */
	uintptr_t base;
	as_area_info_t info;
	lock_acquire(&fp_lock);
	if (ipc_share_out_accept(ev, 0, AS_AREA_READ | AS_AREA_WRITE, &base) == EOK) {
		if (as_area_query(base, &info) == EOK)
			fp_bufs[id] = (fp_buf_t){ (uint8_t *) base, info.size };
		else
			as_area_destroy(base);
	}
	lock_release(&fp_lock);
}

static errno_t fp_buf_get(uint64_t id, uint64_t len, uint8_t **out)
{
	errno_t rc = EINVAL;
	lock_acquire(&fp_lock);
	if (id && id <= FS_BUF_MAX && fp_bufs[id].base && len <= fp_bufs[id].size) {
		*out = fp_bufs[id].base;
		rc = EOK;
	}
	lock_release(&fp_lock);
	return rc;
}

static errno_t fp_buf_drop(uint64_t id)
{
	if (id == 0 || id > FS_BUF_MAX)
		return EINVAL;
	lock_acquire(&fp_lock);
	fp_buf_t b = fp_bufs[id];
	fp_bufs[id] = (fp_buf_t){ 0 };
	lock_release(&fp_lock);
	if (!b.base)
		return EINVAL;
	as_area_destroy((uintptr_t) b.base);
	return EOK;
}

/* The file a request names: arg[0] dev, arg[1] node. */
static errno_t fp_req_file(const ipc_msg_t *m, bool create, fp_file_t **f)
{
	fp_vol_t *v;
	errno_t rc = fp_vol_get(m->arg[0], &v);
	if (rc == EOK)
		rc = fp_file_get(v, m->arg[1], create, f);
	return rc;
}

/* FPAGER_READ, FPAGER_WRITE */
static errno_t fp_req_rw(const ipc_msg_t *m, ipc_msg_t *ans)
{
	uint64_t off = m->arg[2], len = m->arg[3];
	uint8_t *buf;
	if (off > INT64_MAX || len > FP_SCRATCH_SIZE || len > INT64_MAX - off)
		return EINVAL;
	errno_t rc = fp_buf_get(m->arg[4], len, &buf);
	fp_file_t *f = NULL;
	if (rc == EOK)
		rc = fp_req_file(m, true, &f);
	if (rc != EOK)
		return rc;
	uint64_t done = 0;
	if (m->method == FPAGER_READ)
		rc = fp_io_read(f, buf, off, len, &done);
	else
		rc = fp_io_write(f, buf, off, len, &done);
	fp_file_put(f);
	ans->arg[0] = done;
	return rc;
}

/* FPAGER_CLOSE and FPAGER_FORGET: a file without a name and without a
 * mapping loses its pages (its node is about to be freed, or is). */
static errno_t fp_req_close(const ipc_msg_t *m)
{
	fp_file_t *f;
	if (m->method == FPAGER_FORGET) /* a grant must not outlive the node */
		fp_map_grants_drop(m->arg[0], m->arg[1]);
	errno_t rc = fp_req_file(m, false, &f);
	if (rc != EOK)
		return rc == ENOENT ? EOK : rc;
	uint32_t nlink = 1;
	rc = fp_io_stat_nlink(f, &nlink);
	lock_acquire(&fp_lock);
	bool mapped = f->nviews > 0;
	if (nlink == 0)
		f->forgotten = true; /* no read-ahead, and its pages go at the last unmap */
	lock_release(&fp_lock);
	if (rc == EOK && nlink == 0 && !mapped)
		fp_cache_drop(f, 0);
	else if (rc == EOK && m->method == FPAGER_CLOSE) {
		rc = fp_wb_file(f, 0, UINT64_MAX);
		__atomic_add_fetch(&fp_stats.last_close_wbs, 1, __ATOMIC_RELAXED);
	}
	fp_file_put(f);
	return rc;
}

static errno_t fp_req_file_op(const ipc_msg_t *m)
{
	fp_file_t *f;
	bool trunc = m->method == FPAGER_TRUNCATE;
	if (trunc && m->arg[2] > INT64_MAX)
		return EINVAL;
	errno_t rc = fp_req_file(m, trunc, &f);
	if (rc != EOK)
		return rc == ENOENT && !trunc ? EOK : rc;
	if (trunc) {
		rc = fp_io_truncate(f, m->arg[2]);
	} else {
		rc = fp_wb_file(f, 0, UINT64_MAX);
		errno_t old = fp_wb_take_error(f);
		if (rc == EOK)
			rc = old;
	}
	fp_file_put(f);
	return rc;
}

static errno_t fp_vfs_dispatch(const ipc_msg_t *m, ipc_msg_t *ans)
{
	switch (m->method) {
	case FPAGER_READ:
	case FPAGER_WRITE:
		return fp_req_rw(m, ans);
	case FPAGER_TRUNCATE:
	case FPAGER_FSYNC:
		return fp_req_file_op(m);
	case FPAGER_CLOSE:
	case FPAGER_FORGET:
		return fp_req_close(m);
	case FPAGER_SYNC:
		return fp_wb_all(UINT64_MAX);
	case FPAGER_GRANT:
		if (m->arg[2] & ~(uint64_t) (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC) ||
		    m->arg[4] > 1)
			return EINVAL;
		return fp_map_grant(m->arg[0], m->arg[1], (unsigned) m->arg[2], m->arg[3],
		    m->arg[4] != 0, &ans->arg[0]);
	case FPAGER_BUF_DROP:
		return fp_buf_drop(m->arg[0]);
	default:
		return ENOTSUP;
	}
}

void fp_vfs_call(ipc_event_t *ev)
{
	ipc_msg_t ans = { 0 };
	errno_t rc = fp_vfs_dispatch(&ev->msg, &ans);
	ipc_answer(ev->call, rc, &ans);
}

/* Connect to the VFS and become its file pager (so that we may ask it
 * for connections to volumes: the mappings a successor takes over need
 * them before it serves anybody).  EEXIST, while the VFS has not yet seen
 * the connection of a file pager that ended go, is waited out. */
errno_t fp_vfs_register(void)
{
	errno_t rc = ns_connect_timeout(VFS_NAME, 10000, &fp_vfs_phone);
	if (rc != EOK)
		return rc;
	rc = ipc_request(fp_vfs_phone, VFS_PAGER_REGISTER, 0, 0, 0, 0, 0, NULL);
	for (unsigned ms = 0; rc == EEXIST && ms < FP_REGISTER_WAIT_MS; ms++) {
		thread_sleep_us(1000);
		rc = ipc_request(fp_vfs_phone, VFS_PAGER_REGISTER, 0, 0, 0, 0, 0, NULL);
	}
	return rc;
}

/* lib/pager's ready: the VFS gets our phone and sends us its files' data
 * from now on.  Failing that, files are served without us. */
void fp_vfs_attach(void)
{
	errno_t rc = ipc_connect_to_me(fp_vfs_phone, 0, 0, 0, 0, FPAGER_VFS_BADGE);
	if (rc != EOK)
		printf("fpager: the VFS did not take our phone: %s\n", str_error_name(rc));
}
