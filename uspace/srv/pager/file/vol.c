/*
 * fpager: volumes.  A volume is known by the VFS's mount number; the
 * pager reaches its file system server through connections the VFS
 * brokers (abi/vfs.h VFS_CONNECT_FS).  They are made lazily and by a
 * thread of their own: the first request for a volume finds none and is
 * answered EAGAIN (the VFS then serves it without the pager), and a
 * connecting thread asks the VFS.  So no request of the VFS ever waits
 * for the VFS.  With its connections made, the thread binds the volume
 * (VFS_PAGER_BIND: answered when the VFS serves none of its data itself
 * any more) and only then makes it alive: no page of a volume is cached
 * before the last write the VFS served itself is on the disk.  Each connection has a control buffer and a scratch buffer
 * (one request's data) lent to the server; requests take a free
 * connection from the volume's pool.  A server that hangs up makes the
 * volume dead: its files answer EIO, and its cached pages go (the dirty
 * ones are lost, and the log says how many); a server started again is a
 * new mount number, so a new volume.
 */
#include <anon.h>
#include <as.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <thread.h>

#include "fpager.h"

#define FP_RECONNECT_NS (1000ull * 1000 * 1000) /* after a failed connect */

static fp_vol_t fp_vols[FP_VOL_MAX];

static errno_t fp_conn_lend(cap_handle_t phone, size_t size, uint64_t id, uint8_t **out)
{
	uintptr_t base;
	errno_t rc = as_area_create_anon(0, size, AS_AREA_READ | AS_AREA_WRITE, &base);
	if (rc != EOK)
		return rc;
	rc = ipc_request(
	    phone, IPC_M_SHARE_OUT, base, AS_AREA_READ | AS_AREA_WRITE, id, 0, 0, NULL);
	if (rc != EOK) {
		as_area_destroy(base);
		return rc;
	}
	*out = (uint8_t *) base;
	return EOK;
}

/* Hang up connection @a c (the server drops what was lent) and unmap its buffers. */
static void fp_conn_drop(fp_conn_t *c)
{
	(void) ipc_hangup(c->phone);
	if (c->ctl)
		as_area_destroy((uintptr_t) c->ctl);
	if (c->scratch)
		as_area_destroy((uintptr_t) c->scratch);
	*c = (fp_conn_t){ 0 };
}

/*
 * The control buffer's memory, and its mappings here and at the server,
 * made now: the server writes an FS_STATFS answer into it (its pages get
 * frames), then we read each page.  Else the first request through the
 * connection would make them, and the connections past the first are
 * first used only when requests overlap: whenever that happens, which a
 * leak check that counts frames and kernel objects saw as a leak.  (The
 * scratch buffer is a request's data, 64 pages: its pages come as data
 * needs them.)
 */
static void fp_conn_warm(fp_conn_t *c)
{
	(void) ipc_request(c->phone, FS_STATFS, 0, 0, 0, 0, 0, NULL);
	for (size_t off = 0; off < FS_CTL_SIZE; off += PAGE_SIZE)
		(void) *(volatile uint8_t *) (c->ctl + off);
}

static errno_t fp_conn_make(uint64_t dev, fp_conn_t *c)
{
	errno_t rc = ipc_connect_me_to(fp_vfs_phone, VFS_CONNECT_FS, dev, 0, 0, &c->phone);
	if (rc != EOK)
		return rc;
	rc = fp_conn_lend(c->phone, FS_CTL_SIZE, FS_SHARE_CTL, &c->ctl);
	if (rc == EOK)
		rc = fp_conn_lend(c->phone, FP_SCRATCH_SIZE, FP_SCRATCH_ID, &c->scratch);
	if (rc == EOK)
		fp_conn_warm(c);
	else
		fp_conn_drop(c);
	return rc;
}

static int fp_vol_connect(void *arg)
{
	fp_vol_t *v = arg;
	fp_conn_t conn[FP_VOL_CONNS] = { 0 };
	unsigned made = 0;
	errno_t rc = EOK;
	while (made < FP_VOL_CONNS && (rc = fp_conn_make(v->dev, &conn[made])) == EOK)
		made++;
	if (made) /* the VFS stops serving the volume's data itself */
		rc = ipc_request(fp_vfs_phone, VFS_PAGER_BIND, v->dev, 0, 0, 0, 0, NULL);
	for (unsigned i = 0; rc != EOK && i < made; i++)
		fp_conn_drop(&conn[i]);
	if (rc != EOK)
		made = 0;
	lock_acquire(&fp_lock);
	memcpy(v->conn, conn, sizeof(conn));
	v->conns = made;
	v->alive = made > 0;
	v->connecting = false;
	if (!made)
		v->failed_at = uptime_ns_now();
	lock_release(&fp_lock);
	if (made)
		printf("fpager: volume %llu: %u connections\n", (unsigned long long) v->dev, made);
	else
		printf("fpager: volume %llu: cannot connect: %s\n", (unsigned long long) v->dev,
		    str_error_name(rc));
	return 0;
}

/*
 * The volume @a dev, connected: EOK; EAGAIN while it is being connected
 * (a thread to connect it is started by the first ask); EIO if its server
 * is gone.
 */
errno_t fp_vol_get(uint64_t dev, fp_vol_t **out)
{
	if (dev == 0)
		return EINVAL;
	fp_vol_t *v = NULL, *free_slot = NULL;
	lock_acquire(&fp_lock);
	for (unsigned i = 0; i < FP_VOL_MAX && !v; i++) {
		if (fp_vols[i].dev == dev)
			v = &fp_vols[i];
		else if (!free_slot &&
		    (!fp_vols[i].dev ||
		        (!fp_vols[i].alive && !fp_vols[i].connecting && !fp_vols[i].conns)))
			free_slot = &fp_vols[i];
	}
	errno_t rc = EAGAIN;
	bool start = false;
	if (v && v->alive)
		rc = EOK;
	else if (v && v->conns)
		rc = EIO; /* connected once, its server went */
	else if (v && !v->connecting && uptime_ns_now() - v->failed_at > FP_RECONNECT_NS)
		start = v->connecting = true;
	else if (!v && free_slot) {
		*free_slot = (fp_vol_t){ .dev = dev, .connecting = true };
		v = free_slot;
		start = true;
	}
	lock_release(&fp_lock);
	tid_t tid;
	if (start && thread_create(fp_vol_connect, v, &tid) != EOK) {
		lock_acquire(&fp_lock);
		v->connecting = false;
		v->failed_at = uptime_ns_now();
		lock_release(&fp_lock);
	}
	*out = v;
	return rc;
}

fp_conn_t *fp_vol_conn_take(fp_vol_t *v)
{
	for (;;) {
		lock_acquire(&v->pool);
		for (unsigned i = 0; i < v->conns; i++) {
			if (!v->conn[i].busy) {
				v->conn[i].busy = true;
				lock_release(&v->pool);
				return &v->conn[i];
			}
		}
		lock_release(&v->pool);
		thread_yield();
	}
}

void fp_vol_conn_give(fp_vol_t *v, fp_conn_t *c)
{
	lock_acquire(&v->pool);
	c->busy = false;
	lock_release(&v->pool);
}

/* The server hung up: the volume's files answer EIO from now on. */
static void fp_vol_gone(fp_vol_t *v)
{
	lock_acquire(&fp_lock);
	bool was = v->alive;
	v->alive = false;
	lock_release(&fp_lock);
	if (was) {
		printf("fpager: volume %llu: its server is gone; its files answer EIO\n",
		    (unsigned long long) v->dev);
		fp_cache_vol_gone(v);
	}
}

/* A request without data to @a v through a connection of its pool. */
errno_t fp_vol_call(fp_vol_t *v, uint64_t method, uint64_t node, uint64_t a1, uint64_t a2)
{
	fp_conn_t *c = fp_vol_conn_take(v);
	errno_t rc = fp_vol_request(v, c, method, node, a1, a2, 0, 0, NULL);
	fp_vol_conn_give(v, c);
	return rc;
}

/* FS_STAT of @a node of @a v: *st. */
errno_t fp_vol_stat(fp_vol_t *v, uint64_t node, vfs_stat_t *st)
{
	fp_conn_t *c = fp_vol_conn_take(v);
	errno_t rc = fp_vol_request(v, c, FS_STAT, node, 0, 0, 0, 0, NULL);
	if (rc == EOK)
		memcpy(st, c->ctl, sizeof(*st));
	fp_vol_conn_give(v, c);
	return rc;
}

/* One request through connection @a c of @a v (taken by the caller). */
errno_t fp_vol_request(fp_vol_t *v, fp_conn_t *c, uint64_t method, uint64_t a0, uint64_t a1,
    uint64_t a2, uint64_t a3, uint64_t a4, ipc_msg_t *ans)
{
	if (!__atomic_load_n(&v->alive, __ATOMIC_ACQUIRE))
		return EIO;
	ipc_msg_t local;
	errno_t rc = ipc_request(c->phone, method, a0, a1, a2, a3, a4, ans ? ans : &local);
	if (rc == EHANGUP) {
		fp_vol_gone(v);
		rc = EIO;
	}
	return rc;
}
