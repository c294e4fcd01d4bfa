/*
 * The ext2 server's brokered connections and FS_ALLOCATE (abi/fs.h), with
 * the tester as its VFS (fsproto.c); run inside hw_ext2_server
 * (test_ext2srv.c) on its volume.
 *
 * A connect sent through one of the VFS's connections (as the VFS
 * forwards one for the file pager) gives a connection of its own whose
 * buffer ids name its own buffers, never the VFS's or another brokered
 * connection's of the same id; it may not unmount or connect again; at
 * most FS_CONN_COUNT exist; its buffers go when it hangs up, and so do the
 * opens of its task's when the task's last one does.  FS_ALLOCATE gives
 * the holes of a range blocks that read as zeros, counted in st_blocks,
 * and nothing else.
 */
#include "fsproto.h"
#include "tester.h"
#include <anon.h>
#include <as.h>
#include <ipc.h>
#include <string.h>
#include <thread.h>
#include <utest.h>

#define PEER_BUF (64u * 1024u)
#define RW (AS_AREA_READ | AS_AREA_WRITE)

typedef struct peer {
	cap_handle_t ph;
	uint8_t *ctl;
	uint8_t *buf; /* lent as its buffer FV_BUF_ID (with lend) */
} peer_t;

/* A brokered connection with its control buffer; with @a lend also its
 * buffer FV_BUF_ID.  ELIMIT is waited out (at most 2 s): the hang-ups of
 * connections just closed reach the server after the close returned. */
static bool peer_open(fv_t *fv, peer_t *p, bool lend)
{
	uintptr_t c, b;
	*p = (peer_t){ CAP_NIL, NULL, NULL };
	errno_t rc = ipc_connect_me_to(fv->ph[0], 0, 0, 0, 0, &p->ph);
	for (unsigned i = 0; rc == ELIMIT && i < 200; i++) {
		thread_sleep_us(10000);
		rc = ipc_connect_me_to(fv->ph[0], 0, 0, 0, 0, &p->ph);
	}
	if (!UT_CHECK_OK(rc))
		return false;
	if (!UT_CHECK_OK(as_area_create_anon(0, FS_CTL_SIZE, RW, &c)))
		return false;
	p->ctl = (uint8_t *) c;
	if (!UT_CHECK_OK(ipc_request(p->ph, IPC_M_SHARE_OUT, c, RW, FS_SHARE_CTL, 0, 0, NULL)))
		return false;
	if (!lend)
		return true;
	if (!UT_CHECK_OK(as_area_create_anon(0, PEER_BUF, RW, &b)))
		return false;
	p->buf = (uint8_t *) b;
	return UT_CHECK_OK(ipc_request(p->ph, IPC_M_SHARE_OUT, b, RW, FV_BUF_ID, 0, 0, NULL));
}

static void peer_close(peer_t *p)
{
	if (p->ph != CAP_NIL)
		ipc_hangup(p->ph);
	if (p->ctl)
		as_area_destroy((uintptr_t) p->ctl);
	if (p->buf)
		as_area_destroy((uintptr_t) p->buf);
	*p = (peer_t){ CAP_NIL, NULL, NULL };
}

/* The peer's buffer id 1 is its own: what it writes comes from it. */
static void peer_buffers(fv_t *fv, peer_t *p, uint64_t dir)
{
	uint64_t ino, got;
	ipc_msg_t a;
	UT_ASSERT_OK(fv_create(fv, dir, "peer.bin", VFS_S_IFREG | 0644, &ino));
	for (unsigned i = 0; i < PEER_BUF; i++) {
		p->buf[i] = (uint8_t) (i * 13 + 1);
		fv->buf[i] = 0xee;
	}
	UT_CHECK_OK(ipc_request(p->ph, FS_WRITE, ino, 0, PEER_BUF, FV_BUF_ID, 0, &a));
	UT_CHECK_EQ(a.arg[0], PEER_BUF);
	UT_CHECK_OK(fv_read(fv, ino, 0, PEER_BUF, 0, &got));
	UT_CHECK_EQ(got, PEER_BUF);
	UT_CHECK(memcmp(fv->buf, p->buf, PEER_BUF) == 0);
	/* A lookup through the peer's own control buffer. */
	memcpy(p->ctl, "peer.bin", 8);
	UT_CHECK_OK(ipc_request(p->ph, FS_LOOKUP, dir, 8, 0, 0, 0, &a));
	UT_CHECK_EQ(a.arg[0], ino);
	/* No unmount, no connect through it; no buffer id it did not lend. */
	UT_CHECK_ERR(ipc_request(p->ph, FS_UNMOUNT, 0, 0, 0, 0, 0, NULL), EPERM);
	cap_handle_t again;
	UT_CHECK_ERR(ipc_connect_me_to(p->ph, 0, 0, 0, 0, &again), EPERM);
	UT_CHECK_ERR(ipc_request(p->ph, FS_READ, ino, 0, 16, FV_BUF_ID + 1, 0, NULL), EINVAL);
}

/* FS_CONN_COUNT brokered connections at most; their buffers go with them. */
static void peer_limits(fv_t *fv, uint64_t dir)
{
	peer_t p[FS_CONN_COUNT];
	unsigned n = 0;
	for (; n < FS_CONN_COUNT; n++)
		if (!peer_open(fv, &p[n], n < 2))
			break;
	if (UT_CHECK_EQ(n, FS_CONN_COUNT)) {
		cap_handle_t extra;
		UT_CHECK_ERR(ipc_connect_me_to(fv->ph[1], 0, 0, 0, 0, &extra), ELIMIT);
		peer_buffers(fv, &p[0], dir);
		/* Each connection's id 1 is its own. */
		memset(p[1].buf, 0x77, PEER_BUF);
		uint64_t ino;
		ipc_msg_t a;
		if (UT_CHECK_OK(fv_lookup(fv, dir, "peer.bin", &ino, NULL))) {
			UT_CHECK_OK(ipc_request(p[0].ph, FS_READ, ino, 0, 64, FV_BUF_ID, 0, &a));
			UT_CHECK(p[0].buf[0] == 1 && p[1].buf[0] == 0x77);
			UT_CHECK_ERR(
			    ipc_request(p[2].ph, FS_READ, ino, 0, 64, FV_BUF_ID, 0, &a), EINVAL);
		}
	}
	while (n > 0)
		peer_close(&p[--n]);
	/* A new connection has no buffer 1 until it lends one. */
	peer_t q;
	uint64_t ino;
	if (peer_open(fv, &q, false) && UT_CHECK_OK(fv_lookup(fv, dir, "peer.bin", &ino, NULL))) {
		UT_CHECK_ERR(ipc_request(q.ph, FS_READ, ino, 0, 16, FV_BUF_ID, 0, NULL), EINVAL);
		uintptr_t b;
		if (UT_CHECK_OK(as_area_create_anon(0, PEER_BUF, RW, &b))) {
			q.buf = (uint8_t *) b;
			UT_CHECK_OK(
			    ipc_request(q.ph, IPC_M_SHARE_OUT, b, RW, FV_BUF_ID, 0, 0, NULL));
			UT_CHECK_OK(ipc_request(q.ph, FS_READ, ino, 0, 16, FV_BUF_ID, 0, NULL));
			UT_CHECK_OK(ipc_request(q.ph, FS_BUF_DROP, FV_BUF_ID, 0, 0, 0, 0, NULL));
			UT_CHECK_ERR(
			    ipc_request(q.ph, FS_READ, ino, 0, 16, FV_BUF_ID, 0, NULL), EINVAL);
		}
	}
	peer_close(&q);
}

static void allocate(fv_t *fv, uint64_t dir)
{
	uint64_t ino, got;
	vfs_stat_t st;
	UT_ASSERT_OK(fv_create(fv, dir, "alloc.bin", VFS_S_IFREG | 0644, &ino));
	UT_CHECK_OK(fv_req(fv, 0, FS_TRUNCATE, ino, 1024 * 1024, 0, 0, 0, NULL));
	UT_CHECK_OK(fv_stat(fv, ino, &st));
	UT_CHECK_EQ(st.blocks, 0);
	/* Three 4 KiB blocks from 8 KiB (direct blocks: no index block). */
	UT_CHECK_OK(fv_req(fv, 0, FS_ALLOCATE, ino, 8192, 3 * 4096, 0, 0, NULL));
	UT_CHECK_OK(fv_stat(fv, ino, &st));
	UT_CHECK_EQ(st.blocks, 3 * 8);
	UT_CHECK_EQ(st.size, 1024 * 1024);
	memset(fv->buf, 0xa5, 3 * 4096);
	UT_CHECK_OK(fv_read(fv, ino, 8192, 3 * 4096, 0, &got));
	UT_CHECK(got == 3 * 4096 && fv->buf[0] == 0 && fv->buf[3 * 4096 - 1] == 0);
	/* Again over the same range and one more block: only the new one. */
	UT_CHECK_OK(fv_req(fv, 0, FS_ALLOCATE, ino, 8192 + 100, 3 * 4096, 0, 0, NULL));
	UT_CHECK_OK(fv_stat(fv, ino, &st));
	UT_CHECK_EQ(st.blocks, 4 * 8);
	UT_CHECK_OK(fv_req(fv, 0, FS_ALLOCATE, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(fv_req(fv, 0, FS_ALLOCATE, ino, 0, FS_ALLOCATE_MAX + 1, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(fv_req(fv, 0, FS_ALLOCATE, ino, UINT64_MAX - 10, 100, 0, 0, NULL), EFBIG);
	UT_CHECK_ERR(fv_req(fv, 0, FS_ALLOCATE, 0, 0, 4096, 0, 0, NULL), EINVAL);
	UT_CHECK(fv_req(fv, 0, FS_ALLOCATE, dir, 0, 4096, 0, 0, NULL) != EOK);
	UT_CHECK_OK(fv_stat(fv, ino, &st));
	UT_CHECK_EQ(st.blocks, 4 * 8);
}

/* Wait (at most 2 s) until the volume's free counts are @a want's: a
 * hang-up reaches the server after the call that made it returned. */
static bool peer_counts_back(fv_t *fv, const vfs_statfs_t *want)
{
	vfs_statfs_t now;
	uint64_t root;
	for (unsigned i = 0; i < 200; i++) {
		if (fv_statfs(fv, &now, &root) == EOK && now.free_blocks == want->free_blocks &&
		    now.free_files == want->free_files)
			return true;
		thread_sleep_us(10000);
	}
	return false;
}

/*
 * Opens are counted per peer (abi/fs.h, "Opens"): a task's brokered
 * connections are one peer (it may close through another of them than
 * it opened through), the VFS cannot close them, and when the peer's last
 * connection hangs up its opens are closed: an unlinked file it alone
 * held is freed, inode and blocks.
 */
static void peer_opens(fv_t *fv, uint64_t dir)
{
	peer_t p1, p2;
	vfs_statfs_t before, held;
	uint64_t root, ino;
	UT_ASSERT_OK(fv_statfs(fv, &before, &root));
	UT_ASSERT_OK(fv_create(fv, dir, "peer-open", VFS_S_IFREG | 0644, &ino));
	memset(fv->buf, 'p', 5 * 4096);
	UT_CHECK_OK(fv_write(fv, ino, 0, 5 * 4096, 0, NULL));
	if (!peer_open(fv, &p1, false) || !peer_open(fv, &p2, false)) {
		peer_close(&p1);
		return;
	}
	UT_CHECK_OK(ipc_request(p1.ph, FS_NODE_OPEN, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(ipc_request(p1.ph, FS_NODE_OPEN, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(ipc_request(p2.ph, FS_NODE_CLOSE, ino, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(fv_req(fv, 0, FS_NODE_CLOSE, ino, 0, 0, 0, 0, NULL), EINVAL);
	UT_CHECK_OK(fv_unlink(fv, dir, "peer-open", false));
	UT_CHECK_OK(fv_statfs(fv, &held, &root));
	UT_CHECK_EQ(held.free_files, before.free_files - 1);
	UT_CHECK(held.free_blocks < before.free_blocks);
	peer_close(&p1); /* the peer still has p2: the open stays */
	vfs_stat_t st;
	UT_CHECK(fv_stat(fv, ino, &st) == EOK && st.nlink == 0 && st.size == 5 * 4096);
	peer_close(&p2);
	UT_CHECK(peer_counts_back(fv, &before));
	UT_CHECK_ERR(fv_stat(fv, ino, &st), ENOENT);
}

void ext2srv_test_peers(fv_t *fv)
{
	uint64_t tmp;
	if (!UT_CHECK_OK(fv_walk(fv, "tmp", &tmp)))
		return;
	peer_limits(fv, tmp);
	allocate(fv, tmp);
	peer_opens(fv, tmp);
	/* /tmp as the host expects it (tools/test.sh lists its names). */
	UT_CHECK_OK(fv_unlink(fv, tmp, "peer.bin", false));
	UT_CHECK_OK(fv_unlink(fv, tmp, "alloc.bin", false));
}
