/*
 * The stand-in VFS of the file system server tests (fsproto.h): register
 * as VFS_NAME, spawn the server, take its connections, lend it buffers,
 * and the requests of abi/fs.h as small helpers.
 */
#include "fsproto.h"
#include "tester.h"
#include <anon.h>
#include <ns.h>
#include <string.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define FV_BADGE 0xf5
#define FV_WAIT_SLICE_US (100u * 1000u)
#define FV_WAIT_SLICES 1200u /* two minutes: the server waits for its disk */
#define FV_SMALL_CTL 4096u /* the control buffer of the last connection: too small */

static int fv_waiter(void *arg)
{
	fv_t *fv = arg;
	task_wait(fv->task, &fv->exit);
	__atomic_store_n(&fv->ended, true, __ATOMIC_RELEASE);
	return 0;
}

/* A CONNECT_TO_ME from the server: its words as abi/fs.h says. */
static void fv_take_phone(fv_t *fv, const ipc_event_t *ev, const uint64_t src[2])
{
	uint64_t type[2], i = ev->msg.arg[3];

	(void) ns_name_pack("ext2", type);
	bool ok = UT_CHECK_EQ(ev->msg.arg[0], src[0]) && UT_CHECK_EQ(ev->msg.arg[1], src[1]) &&
	    UT_CHECK_EQ(ev->msg.arg[2], type[0]) && UT_CHECK(i < FS_CONN_COUNT) &&
	    UT_CHECK(fv->ph[i] == CAP_NIL);
	if (ok)
		fv->ph[i] = (cap_handle_t) ev->msg.arg[4];
	ipc_answer(ev->call, ok ? EOK : EINVAL, NULL);
}

static unsigned fv_phones(const fv_t *fv)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FS_CONN_COUNT; i++)
		n += fv->ph[i] != CAP_NIL;
	return n;
}

/* Serve ns's forward and the server's connections until it gave all or ended. */
static bool fv_accept(fv_t *fv, const char *source)
{
	uint64_t src[2];
	ipc_event_t ev;

	if (!UT_CHECK_OK(ns_name_pack(source, src)))
		return false;
	for (unsigned n = 0; n < FV_WAIT_SLICES && fv_phones(fv) < FS_CONN_COUNT; n++) {
		if (__atomic_load_n(&fv->ended, __ATOMIC_ACQUIRE))
			return false;
		if (ipc_wait(&ev, FV_WAIT_SLICE_US, 0, 0) != EOK || ev.kind != IPC_EV_CALL)
			continue;
		if (ev.msg.method == IPC_M_CONNECT_ME_TO)
			ipc_connect_accept(&ev, FV_BADGE);
		else if (ev.msg.method == IPC_M_CONNECT_TO_ME)
			fv_take_phone(fv, &ev, src);
		else
			ipc_answer(ev.call, ENOTSUP, NULL);
	}
	return UT_CHECK_EQ(fv_phones(fv), FS_CONN_COUNT);
}

static bool fv_share(fv_t *fv, unsigned c, size_t size, uint64_t id, uint8_t **base)
{
	uintptr_t b;
	if (!UT_CHECK_OK(as_area_create_anon(0, size, RW, &b)))
		return false;
	*base = (uint8_t *) b;
	return UT_CHECK_OK(fv_req(fv, c, IPC_M_SHARE_OUT, b, RW, id, 0, 0, NULL));
}

/* Control buffers on the first FV_CTL_CONNS connections, one too small on
 * the others (accepted, then unusable), and the data buffer. */
static bool fv_lend(fv_t *fv)
{
	for (unsigned c = 0; c < FS_CONN_COUNT; c++) {
		size_t size = c < FV_CTL_CONNS ? FS_CTL_SIZE : FV_SMALL_CTL;
		if (!fv_share(fv, c, size, FS_SHARE_CTL, &fv->ctl[c]))
			return false;
	}
	return fv_share(fv, 0, FV_BUF_SIZE, FV_BUF_ID, &fv->buf);
}

bool fv_start(fv_t *fv, const char *module, const char *args, const char *source)
{
	*fv = (fv_t){ 0 };
	for (unsigned i = 0; i < FS_CONN_COUNT; i++)
		fv->ph[i] = CAP_NIL;
	if (!pager_ready() || !UT_CHECK_OK(ns_register(VFS_NAME)))
		return false;
	if (!UT_CHECK_OK(task_spawn(module, args, &fv->task))) {
		ns_unregister(VFS_NAME);
		fv->task = 0;
		return false;
	}
	if (!UT_CHECK_OK(thread_create(fv_waiter, fv, &fv->waiter))) {
		task_kill(fv->task); /* nobody would wait for it */
		task_wait(fv->task, &fv->exit);
		ns_unregister(VFS_NAME);
		fv->ended = true;
		fv->task = 0;
		return false;
	}
	vfs_statfs_t st;
	return fv_accept(fv, source) && fv_lend(fv) && UT_CHECK_OK(fv_statfs(fv, &st, &fv->root));
}

void fv_stop(fv_t *fv)
{
	for (unsigned i = 0; i < FS_CONN_COUNT; i++) {
		if (fv->ph[i] != CAP_NIL)
			ipc_hangup(fv->ph[i]);
		fv->ph[i] = CAP_NIL;
	}
	if (fv->task != 0)
		thread_join(fv->waiter, NULL);
	fv->task = 0;
	ns_unregister(VFS_NAME);
	for (unsigned i = 0; i < FS_CONN_COUNT; i++) {
		if (fv->ctl[i] != NULL)
			as_area_destroy((uintptr_t) fv->ctl[i]);
		fv->ctl[i] = NULL;
	}
	if (fv->buf != NULL)
		as_area_destroy((uintptr_t) fv->buf);
	fv->buf = NULL;
	events_drain(50000); /* the server's hangup, ns's */
}

errno_t fv_req(fv_t *fv, unsigned c, uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4, ipc_msg_t *ans)
{
	return ipc_request(fv->ph[c], method, a0, a1, a2, a3, a4, ans);
}

errno_t fv_statfs(fv_t *fv, vfs_statfs_t *st, uint64_t *root)
{
	ipc_msg_t a;
	errno_t rc = fv_req(fv, 0, FS_STATFS, 0, 0, 0, 0, 0, &a);
	if (rc == EOK) {
		memcpy(st, fv->ctl[0], sizeof(*st));
		*root = a.arg[0];
	}
	return rc;
}

errno_t fv_lookup(fv_t *fv, uint64_t dir, const char *name, uint64_t *ino, uint64_t *mode)
{
	ipc_msg_t a;
	size_t len = strlen(name);
	memcpy(fv->ctl[0], name, len);
	errno_t rc = fv_req(fv, 0, FS_LOOKUP, dir, len, 0, 0, 0, &a);
	if (rc == EOK) {
		*ino = a.arg[0];
		if (mode != NULL)
			*mode = a.arg[1];
	}
	return rc;
}

errno_t fv_walk(fv_t *fv, const char *path, uint64_t *ino)
{
	char name[VFS_NAME_MAX + 1];
	uint64_t at = fv->root;
	errno_t rc = EOK;

	while (rc == EOK && *path != '\0') {
		size_t n = 0;
		while (path[n] != '\0' && path[n] != '/' && n < VFS_NAME_MAX)
			n++;
		memcpy(name, path, n);
		name[n] = '\0';
		rc = fv_lookup(fv, at, name, &at, NULL);
		path += n;
		if (*path == '/')
			path++;
	}
	if (rc == EOK)
		*ino = at;
	return rc;
}

errno_t fv_stat(fv_t *fv, uint64_t ino, vfs_stat_t *st)
{
	errno_t rc = fv_req(fv, 0, FS_STAT, ino, 0, 0, 0, 0, NULL);
	if (rc == EOK)
		memcpy(st, fv->ctl[0], sizeof(*st));
	return rc;
}

static errno_t fv_rw(
    fv_t *fv, uint64_t m, uint64_t ino, uint64_t off, uint64_t len, uint64_t boff, uint64_t *got)
{
	ipc_msg_t a = { 0 };
	errno_t rc = fv_req(fv, 0, m, ino, off, len, FV_BUF_ID, boff, &a);
	if (got != NULL)
		*got = a.arg[0];
	return rc;
}

errno_t fv_read(fv_t *fv, uint64_t ino, uint64_t off, uint64_t len, uint64_t boff, uint64_t *got)
{
	return fv_rw(fv, FS_READ, ino, off, len, boff, got);
}

errno_t fv_write(fv_t *fv, uint64_t ino, uint64_t off, uint64_t len, uint64_t boff, uint64_t *got)
{
	return fv_rw(fv, FS_WRITE, ino, off, len, boff, got);
}

errno_t fv_put(fv_t *fv, uint64_t ino, uint64_t off, const void *data, size_t len)
{
	uint64_t got = 0;
	memcpy(fv->buf, data, len);
	errno_t rc = fv_write(fv, ino, off, len, 0, &got);
	return rc == EOK && got != len ? EIO : rc;
}

errno_t fv_create(fv_t *fv, uint64_t dir, const char *name, uint64_t mode, uint64_t *ino)
{
	ipc_msg_t a;
	size_t len = strlen(name);
	memcpy(fv->ctl[0], name, len);
	errno_t rc = fv_req(fv, 0, FS_CREATE, dir, len, mode, 0, 0, &a);
	if (rc == EOK && ino != NULL)
		*ino = a.arg[0];
	return rc;
}

errno_t fv_unlink(fv_t *fv, uint64_t dir, const char *name, bool rmdir)
{
	size_t len = strlen(name);
	memcpy(fv->ctl[0], name, len);
	return fv_req(fv, 0, FS_UNLINK, dir, len, rmdir, 0, 0, NULL);
}

errno_t fv_rename(fv_t *fv, uint64_t odir, const char *oname, uint64_t ndir, const char *nname)
{
	size_t olen = strlen(oname), nlen = strlen(nname);
	memcpy(fv->ctl[0], oname, olen);
	memcpy(fv->ctl[0] + olen, nname, nlen);
	return fv_req(fv, 0, FS_RENAME, odir, olen, ndir, nlen, 0, NULL);
}

errno_t fv_symlink(fv_t *fv, uint64_t dir, const char *name, const char *target, uint64_t *ino)
{
	ipc_msg_t a;
	size_t nlen = strlen(name), tlen = strlen(target);
	memcpy(fv->ctl[0], name, nlen);
	memcpy(fv->ctl[0] + nlen, target, tlen);
	errno_t rc = fv_req(fv, 0, FS_SYMLINK, dir, nlen, tlen, 0, 0, &a);
	if (rc == EOK && ino != NULL)
		*ino = a.arg[0];
	return rc;
}

errno_t fv_readlink(fv_t *fv, uint64_t ino, char *out, size_t size)
{
	ipc_msg_t a;
	errno_t rc = fv_req(fv, 0, FS_READLINK, ino, 0, 0, 0, 0, &a);
	if (rc != EOK)
		return rc;
	if (a.arg[0] >= size)
		return ERANGE;
	memcpy(out, fv->ctl[0], a.arg[0]);
	out[a.arg[0]] = '\0';
	return EOK;
}
