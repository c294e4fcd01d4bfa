/*
 * The block protocol (abi/block.h) and its client library (lib/block) over
 * real IPC, against a RAM disk served by this program ("tester
 * child:blockram NAME [ro]"): the same request checks a disk driver makes
 * (block_req_check), the same shared-buffer setup (IPC_M_SHARE_IN), a disk
 * that starts with tools/mkdisk.sh's pattern.  The tests read every
 * block, write and read back, check the blocks around what they wrote,
 * send every kind of bad request (each an error, nothing written), use a
 * read-only disk, and run four clients at once on different ranges.
 */
#include <abi/block.h>
#include <abi/devman.h>
#include <anon.h>
#include <bench/window.h>
#include <block/block.h>
#include <cap.h>
#include <lock.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#include "tester.h"

#define BR_BS 512
#define BR_BLOCKS 2048 /* 1 MiB */
#define BR_XFER (64 * 1024)
#define BR_CONNS 16
#define BR_THREADS 4
#define BR_QUIT (IPC_M_FIRST_USER + 99)
#define BR_BUF (128 * 1024)
#define BR_TIMEOUT_MS 5000

/* tools/mkdisk.sh's pattern: the word at byte offset off of a disk. */
static uint64_t blk_word(uint64_t seed, uint64_t off)
{
	return 0x5a17000000000000ULL ^ (seed << 40) ^ off;
}

/* ---- the RAM disk server ---- */

static struct {
	uint8_t *disk;
	block_geom_t geom;
	lock_t lock; /* conns */
	struct {
		bool used;
		uintptr_t buf;
		size_t size;
	} conns[BR_CONNS];
} br;

static errno_t br_share_in(ipc_event_t *ev, unsigned c)
{
	size_t size = (size_t) ev->msg.arg[0];
	uintptr_t base;

	if (size == 0 || size > BLOCK_BUFFER_MAX)
		return EINVAL;
	if (br.conns[c].size != 0)
		return EEXIST;
	size = (size + PAGE_SIZE - 1) & ~(size_t) (PAGE_SIZE - 1);
	errno_t rc = as_area_create_anon(0, size, RW, &base);
	if (rc != EOK)
		return rc;
	br.conns[c].buf = base;
	br.conns[c].size = size;
	ipc_share_in_accept(ev, base);
	return IPC_NO_REPLY;
}

static errno_t br_request(ipc_event_t *ev, unsigned c, ipc_msg_t *answer)
{
	const ipc_msg_t *m = &ev->msg;
	errno_t rc = block_req_check(
	    &br.geom, m->method, m->arg[0], m->arg[1], m->arg[2], br.conns[c].size);
	if (rc != EOK)
		return rc;
	uint8_t *disk = br.disk + m->arg[0] * BR_BS, *buf = (uint8_t *) br.conns[c].buf + m->arg[2];
	size_t bytes = m->arg[1] * BR_BS;
	switch (m->method) {
	case BLOCK_INFO:
		*answer = IPC_MSG(0, br.geom.block_size, br.geom.blocks, br.geom.flags,
		    br.geom.xfer_max, br.conns[c].size);
		break;
	case BLOCK_READ:
		memcpy(buf, disk, bytes);
		break;
	case BLOCK_WRITE:
		memcpy(disk, buf, bytes);
		break;
	}
	return EOK;
}

static errno_t br_handle(ipc_event_t *ev, ipc_msg_t *answer)
{
	uint64_t c = ev->conn - 1;

	if (ev->kind == IPC_EV_HANGUP && c < BR_CONNS) {
		lock_acquire(&br.lock);
		if (br.conns[c].size != 0)
			as_area_destroy(br.conns[c].buf);
		br.conns[c].used = false;
		br.conns[c].size = 0;
		lock_release(&br.lock);
	}
	if (ev->kind != IPC_EV_CALL)
		return IPC_NO_REPLY;
	if (ev->msg.method == IPC_M_CONNECT_ME_TO) {
		lock_acquire(&br.lock);
		for (unsigned i = 0; i < BR_CONNS; i++) {
			if (!br.conns[i].used) {
				br.conns[i].used = true;
				lock_release(&br.lock);
				ipc_connect_accept(ev, i + 1);
				return IPC_NO_REPLY;
			}
		}
		lock_release(&br.lock);
		return ELIMIT;
	}
	if (c >= BR_CONNS || !br.conns[c].used)
		return EINVAL;
	if (ev->msg.method == BR_QUIT)
		exit(0);
	if (ev->msg.method == IPC_M_SHARE_IN)
		return br_share_in(ev, (unsigned) c);
	return br_request(ev, (unsigned) c, answer);
}

static int child_blockram(int argc, char **argv)
{
	uintptr_t base;

	if (argc < 2)
		return 9;
	br.geom = (block_geom_t){ .block_size = BR_BS, .blocks = BR_BLOCKS, .xfer_max = BR_XFER };
	br.geom.flags = argc > 2 && strcmp(argv[2], "ro") == 0 ? BLOCK_F_READONLY : 0;
	if (as_area_create_anon(0, BR_BLOCKS * BR_BS, RW, &base) != EOK)
		return 10;
	br.disk = (uint8_t *) base;
	for (uint64_t off = 0; off < BR_BLOCKS * BR_BS; off += 8)
		*(uint64_t *) (br.disk + off) = blk_word(0, off);
	if (ns_register(argv[1]) != EOK)
		return 11;
	ipc_serve_reply(br_handle, BR_THREADS);
	return 12;
}

int child_block_main(int argc, char **argv, bool *found)
{
	*found = strcmp(argv[0], "child:blockram") == 0;
	return *found ? child_blockram(argc, argv) : 0;
}

/* ---- the tests ---- */

typedef struct blk_server {
	char name[24];
	task_id_t task;
} blk_server_t;

static errno_t blk_server_start(blk_server_t *s, bool ro)
{
	char args[64];
	cap_handle_t phone;

	test_name_make(s->name, sizeof(s->name), "blk");
	snprintf(args, sizeof(args), "child:blockram %s%s", s->name, ro ? " ro" : "");
	errno_t rc = task_spawn(TESTER_MODULE, args, &s->task);
	if (rc != EOK)
		return rc;
	/* Wait until it is there, so block_open() below never waits. */
	rc = ns_connect_timeout(s->name, BR_TIMEOUT_MS, &phone);
	if (rc == EOK)
		ipc_hangup(phone);
	return rc;
}

static void blk_server_stop(blk_server_t *s)
{
	cap_handle_t phone;
	task_exit_info_t info;

	if (ns_connect_timeout(s->name, BR_TIMEOUT_MS, &phone) == EOK) {
		ipc_request(phone, BR_QUIT, 0, 0, 0, 0, 0, NULL);
		ipc_hangup(phone);
	}
	task_wait(s->task, &info);
}

/* The first word of b->buf + off.. that is not seed's pattern for the
 * disk bytes [disk_off, disk_off + size); size if all are. */
static size_t blk_mismatch(const uint8_t *buf, uint64_t seed, uint64_t disk_off, size_t size)
{
	for (size_t i = 0; i < size; i += 8) {
		if (*(const uint64_t *) (buf + i) != blk_word(seed, disk_off + i))
			return i;
	}
	return size;
}

static void blk_fill(uint8_t *buf, uint64_t seed, uint64_t disk_off, size_t size)
{
	for (size_t i = 0; i < size; i += 8)
		*(uint64_t *) (buf + i) = blk_word(seed, disk_off + i);
}

/* Whether word w is some seed's pattern word for byte offset off (the
 * data came from the right place, whoever wrote it last). */
static bool blk_is_pattern_at(uint64_t w, uint64_t off)
{
	return ((w ^ off) & ~(0xffULL << 40)) == blk_word(0, 0);
}

/* Read the blocks [first, first + count) and check they hold seed's pattern. */
static bool blk_check_range(block_t *b, uint64_t seed, uint64_t first, uint64_t count)
{
	uint64_t per = BR_XFER / b->geom.block_size;
	while (count > 0) {
		uint64_t n = count < per ? count : per;
		size_t bytes = n * b->geom.block_size;
		if (!UT_CHECK_OK(block_read(b, first, n, 0)))
			return false;
		size_t bad = blk_mismatch(b->buf, seed, first * b->geom.block_size, bytes);
		if (bad != bytes) {
			utest_fail(__FILE__, __LINE__, "block %llu byte %zu: %#llx",
			    (unsigned long long) first, bad,
			    (unsigned long long) *(uint64_t *) (b->buf + bad));
			return false;
		}
		first += n;
		count -= n;
	}
	return true;
}

/*
 * The checks every disk gets, on the disk served as `name` holding seed's
 * pattern in `blocks` blocks of 512 bytes.  Each returns early on the
 * first failure (recorded).
 */

/* Read every block and check it; write `count` blocks (a multiple of
 * 64 KiB) of wseed's pattern at wfirst from the buffer's second half,
 * flush, read them back into the first half; the blocks around are
 * untouched and the last block reads. */
static void blk_rw(const char *name, uint64_t blocks, uint64_t exact, uint64_t seed,
    uint64_t wfirst, uint64_t count, uint64_t wseed)
{
	block_t b;
	uint64_t per = BR_XFER / BR_BS;

	UT_ASSERT_OK(block_open(name, BR_BUF, &b));
	UT_CHECK_EQ(b.geom.block_size, BR_BS);
	UT_CHECK_EQ(b.geom.blocks, blocks);
	UT_CHECK_EQ(b.geom.flags & BLOCK_F_READONLY, 0);
	UT_CHECK(b.geom.xfer_max >= BLOCK_XFER_MIN);
	UT_CHECK_EQ(b.buf_size, BR_BUF);
	if (!blk_check_range(&b, seed, 0, exact))
		goto out;
	/* Blocks other tests may have written: from the right place at least. */
	for (uint64_t blk = exact; blk < blocks; blk++) {
		if (!UT_CHECK_OK(block_read(&b, blk, 1, 0)) ||
		    !UT_CHECK(blk_is_pattern_at(*(uint64_t *) b.buf, blk * BR_BS)))
			goto out;
	}
	for (uint64_t blk = wfirst; blk < wfirst + count; blk += per) {
		blk_fill(b.buf + BR_XFER, wseed, blk * BR_BS, BR_XFER);
		if (!UT_CHECK_OK(block_write(&b, blk, per, BR_XFER)))
			goto out;
	}
	UT_CHECK_OK(block_flush(&b));
	memset(b.buf, 0, BR_BUF);
	UT_CHECK(blk_check_range(&b, wseed, wfirst, count));
	UT_CHECK(blk_check_range(&b, seed, wfirst - 1, 1));
	UT_CHECK(blk_check_range(&b, seed, wfirst + count, 1));
	UT_CHECK(blk_check_range(&b, seed, exact - 1, 1));
	block_geom_t g;
	UT_CHECK_OK(block_info(&b, &g));
	UT_CHECK_EQ(g.blocks, blocks);
out:
	block_close(&b);
}

/* Bad requests straight through a phone (the library would refuse most):
 * each its error; nothing written (the caller checks the disk after). */
static void blk_bad(const char *name, uint64_t blocks) /* a disk of seed 0 */
{
	cap_handle_t ph;
	uintptr_t buf;
	ipc_msg_t a;

	UT_ASSERT_OK(ns_connect(name, &ph));
	/* No buffer shared yet. */
	UT_CHECK_ERR(ipc_request(ph, BLOCK_READ, 0, 1, 0, 0, 0, NULL), ENOENT);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 0, 0, 0, NULL), ENOENT);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_INFO, 0, 0, 0, 0, 0, &a), EOK);
	UT_CHECK_EQ(a.arg[4], 0);
	if (!UT_CHECK_OK(ipc_share_in(ph, 8192, RW, 0, &buf))) {
		ipc_hangup(ph);
		return;
	}
	UT_CHECK_ERR(ipc_share_in(ph, 8192, RW, 0, &(uintptr_t){ 0 }), EEXIST);
	memset((void *) buf, 0xee, 8192);
	/* Past the end, zero, oversize, misaligned, outside the buffer, unknown. */
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, blocks, 1, 0, 0, 0, NULL), ERANGE);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, blocks - 1, 2, 0, 0, 0, NULL), ERANGE);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, UINT64_MAX, 1, 0, 0, 0, NULL), ERANGE);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 0, 0, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, UINT64_MAX, 0, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 100, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 2, 7680, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 8192, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 1ULL << 40, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_FLUSH + 50, 0, 1, 0, 0, 0, NULL), ENOTSUP);
	/* The largest transfer the disk takes, plus one block, is refused too. */
	UT_CHECK_ERR(ipc_request(ph, BLOCK_INFO, 0, 0, 0, 0, 0, &a), EOK);
	UT_CHECK_EQ(a.arg[4], 8192);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, a.arg[3] / BR_BS + 1, 0, 0, 0, NULL), EINVAL);
	/* A read at the edge works. */
	UT_CHECK_ERR(ipc_request(ph, BLOCK_READ, blocks - 1, 1, 7680, 0, 0, NULL), EOK);
	UT_CHECK(blk_is_pattern_at(*(uint64_t *) (buf + 7680), (blocks - 1) * BR_BS));
	as_area_destroy(buf);
	ipc_hangup(ph);
	/* The library refuses the same before sending. */
	block_t b;
	UT_ASSERT_OK(block_open(name, BR_BUF, &b));
	UT_CHECK_ERR(block_read(&b, blocks, 1, 0), ERANGE);
	UT_CHECK_ERR(block_read(&b, 0, 0, 0), EINVAL);
	UT_CHECK_ERR(block_read(&b, 0, 1, 3), EINVAL);
	UT_CHECK_ERR(block_open(name, BLOCK_BUFFER_MAX + 1, &(block_t){ 0 }), EINVAL);
	block_close(&b);
}

/* A read-only disk: EPERM for writes, through the library and raw. */
static void blk_readonly(const char *name, uint64_t blocks, uint64_t seed)
{
	block_t b;

	UT_ASSERT_OK(block_open(name, BR_BUF, &b));
	UT_CHECK_EQ(b.geom.flags & BLOCK_F_READONLY, BLOCK_F_READONLY);
	memset(b.buf, 0x11, BR_BUF);
	UT_CHECK_ERR(block_write(&b, 0, 1, 0), EPERM);
	UT_CHECK_ERR(ipc_request(b.phone, BLOCK_WRITE, 5, 1, 0, 0, 0, NULL), EPERM);
	UT_CHECK(blk_check_range(&b, seed, 0, blocks));
	block_close(&b);
}

/* Four clients at once, each on its own quarter of [first, first + span),
 * several rounds; quarter i ends with seed BLK_SEED_LAST(i). */
#define BLK_CLIENTS 4
#define BLK_ROUNDS 6
#define BLK_SEED(i, r) (16 + (i) *BLK_ROUNDS + (r))
#define BLK_SEED_LAST(i) BLK_SEED(i, BLK_ROUNDS - 1)

typedef struct blk_client {
	const char *name;
	unsigned index;
	uint64_t first, span;
	errno_t rc;
	bool ok;
} blk_client_t;

static int blk_client_thread(void *arg)
{
	blk_client_t *c = arg;
	block_t b;
	uint64_t quarter = c->span / BLK_CLIENTS, first = c->first + c->index * quarter;
	uint64_t per = BR_XFER / BR_BS;

	c->rc = block_open(c->name, BR_XFER, &b);
	if (c->rc != EOK)
		return 1;
	c->ok = true;
	for (unsigned r = 0; r < BLK_ROUNDS && c->ok; r++) {
		uint64_t seed = BLK_SEED(c->index, r);
		for (uint64_t blk = first; blk < first + quarter && c->ok; blk += per) {
			blk_fill(b.buf, seed, blk * BR_BS, BR_XFER);
			c->ok = block_write(&b, blk, per, 0) == EOK;
		}
		for (uint64_t blk = first; blk < first + quarter && c->ok; blk += per) {
			memset(b.buf, 0, BR_XFER);
			c->ok = block_read(&b, blk, per, 0) == EOK &&
			    blk_mismatch(b.buf, seed, blk * BR_BS, BR_XFER) == BR_XFER;
		}
	}
	c->ok = c->ok && block_flush(&b) == EOK;
	block_close(&b);
	return 0;
}

static void blk_clients4(const char *name, uint64_t first, uint64_t span)
{
	blk_client_t c[BLK_CLIENTS];
	tid_t tid[BLK_CLIENTS];

	for (unsigned i = 0; i < BLK_CLIENTS; i++) {
		c[i] = (blk_client_t){ .name = name, .index = i, .first = first, .span = span };
		UT_ASSERT_OK(thread_create(blk_client_thread, &c[i], &tid[i]));
	}
	for (unsigned i = 0; i < BLK_CLIENTS; i++) {
		thread_join(tid[i], NULL);
		UT_CHECK_OK(c[i].rc);
		UT_CHECK(c[i].ok);
	}
	block_t b;
	UT_ASSERT_OK(block_open(name, BR_BUF, &b));
	uint64_t q = span / BLK_CLIENTS;
	for (unsigned i = 0; i < BLK_CLIENTS; i++)
		UT_CHECK(blk_check_range(&b, BLK_SEED_LAST(i), first + i * q, q));
	block_close(&b);
}

/* ---- on the RAM disk ---- */

UTEST(block_ram_rw)
{
	blk_server_t s;
	UT_ASSERT_OK(blk_server_start(&s, false));
	blk_rw(s.name, BR_BLOCKS, BR_BLOCKS, 0, 1000, BR_XFER / BR_BS, 7);
	blk_server_stop(&s);
}

UTEST(block_ram_bad)
{
	blk_server_t s;
	block_t b;
	UT_ASSERT_OK(blk_server_start(&s, false));
	blk_bad(s.name, BR_BLOCKS);
	/* Nothing was written. */
	if (UT_CHECK_OK(block_open(s.name, BR_BUF, &b))) {
		UT_CHECK(blk_check_range(&b, 0, 0, BR_BLOCKS));
		block_close(&b);
	}
	blk_server_stop(&s);
}

UTEST(block_ram_readonly)
{
	blk_server_t s;
	UT_ASSERT_OK(blk_server_start(&s, true));
	blk_readonly(s.name, BR_BLOCKS, 0);
	blk_server_stop(&s);
}

UTEST(block_ram_clients4)
{
	blk_server_t s;
	UT_ASSERT_OK(blk_server_start(&s, false));
	blk_clients4(s.name, 0, BR_BLOCKS);
	blk_server_stop(&s);
}

/*
 * ---- on virtio disks (tools/test.sh, suite "virtio") ----
 *
 * Named hw_*: "utest=all" leaves them out (no disk is attached then); the
 * suite runs them by name.
 * The harness attaches images made by tools/mkdisk.sh (VIRTIO_DISK_BLOCKS
 * blocks; disk0 seed 0, disk1 seed 3) and, after QEMU powers off, checks
 * every byte of them on the host: what these tests wrote where they wrote
 * it, the pattern everywhere else.  The layout of the writes is the
 * harness's too (tools/test.sh, suite_virtio).
 */
#define VIRTIO_DISK_BLOCKS 8192 /* 4 MiB */
#define VIRTIO_WAIT_MS 20000 /* devman starts the driver at boot */

static bool virtio_disk_wait(const char *name)
{
	cap_handle_t phone;
	errno_t rc = ns_connect_timeout(name, VIRTIO_WAIT_MS, &phone);
	if (!UT_CHECK_OK(rc))
		return false;
	ipc_hangup(phone);
	return true;
}

/* disk0: all read (blocks 4096.. are hw_virtio_clients4's, which may have
 * run first); seed 2 at blocks 2048..2303; bad requests write nothing. */
UTEST(hw_virtio_rw)
{
	if (!virtio_disk_wait("disk0"))
		return;
	blk_rw("disk0", VIRTIO_DISK_BLOCKS, 4096, 0, 2048, 256, 2);
	blk_bad("disk0", VIRTIO_DISK_BLOCKS);
}

/* disk0: four clients on blocks 4096..8191 (quarter i: BLK_SEED_LAST(i)). */
UTEST(hw_virtio_clients4)
{
	if (!virtio_disk_wait("disk0"))
		return;
	blk_clients4("disk0", 4096, 4096);
}

/* disk1 (seed 3) beside disk0: all read; seed 4 at blocks 128..255. */
UTEST(hw_virtio_second)
{
	if (!virtio_disk_wait("disk0") || !virtio_disk_wait("disk1"))
		return;
	blk_rw("disk1", VIRTIO_DISK_BLOCKS, VIRTIO_DISK_BLOCKS, 3, 128, 128, 4);
}

/* A reader that keeps disk0 busy until a request fails. */
typedef struct kill_reader {
	volatile uint64_t reads;
	errno_t rc;
} kill_reader_t;

static int kill_reader_thread(void *arg)
{
	kill_reader_t *k = arg;
	block_t b;
	uint64_t per = BR_XFER / BR_BS;
	k->rc = block_open("disk0", BR_XFER, &b);
	for (uint64_t i = 0; k->rc == EOK; i++) {
		k->rc = block_read(&b, (i % 16) * per, per, 0);
		k->reads++;
	}
	block_close(&b);
	return 0;
}

/* devman's index of disk0's device (the first virtio-blk function). */
static bool virtio_dev_index(cap_handle_t dm, uint64_t *index)
{
	ipc_msg_t ans;
	if (!UT_CHECK_OK(ipc_request(dm, DEVMAN_COUNT, 0, 0, 0, 0, 0, &ans)))
		return false;
	uint64_t n = ans.arg[0];
	for (uint64_t i = 0; i < n; i++) {
		if (ipc_request(dm, DEVMAN_DEVICE, i, 0, 0, 0, 0, &ans) == EOK &&
		    (ans.arg[1] & 0xffff) == 0x1af4 && ans.arg[3] != 0) {
			*index = i;
			return true;
		}
	}
	return UT_CHECK(false);
}

/* The driver killed in the middle of I/O: its clients' requests fail
 * (EHANGUP), the kernel takes back its DMA memory, IRQ subscription and
 * mappings (more frames free than while it ran), devman can start it
 * again, and the new driver serves disk0 with the disk's bytes.  Stopping
 * is for a holder of the PCI configuration ports only. */
UTEST(hw_virtio_driver_killed)
{
	cap_handle_t dm;
	uint64_t index = 0;
	kill_reader_t k[2] = { 0 };
	tid_t tid[2];
	if (!virtio_disk_wait("disk0"))
		return;
	UT_ASSERT_OK(ns_connect_timeout(DEVMAN_NAME, VIRTIO_WAIT_MS, &dm));
	UT_ASSERT(virtio_dev_index(dm, &index));
	UT_CHECK_ERR(ipc_request(dm, DEVMAN_STOP, index, 0, 0, 0, 0, NULL), EPERM);
	UT_CHECK_ERR(cap_give(dm, TESTER_CAP_IO_CMOS, 0, NULL), EPERM); /* not the PCI ports */
	UT_ASSERT_OK(cap_give(dm, TESTER_CAP_IO_PCI, 0, NULL));
	for (int i = 0; i < 2; i++)
		UT_ASSERT_OK(thread_create(kill_reader_thread, &k[i], &tid[i]));
	while (k[0].reads < 4 || k[1].reads < 4)
		thread_sleep_us(1000);
	uint64_t before = frames_free();
	UT_CHECK_OK(ipc_request(dm, DEVMAN_STOP, index, 0, 0, 0, 0, NULL));
	for (int i = 0; i < 2; i++) {
		thread_join(tid[i], NULL);
		UT_CHECK_ERR(k[i].rc, EHANGUP);
	}
	ipc_msg_t ans;
	for (int i = 0; i < 200; i++) { /* devman sees its driver end */
		if (ipc_request(dm, DEVMAN_DRIVER, index, 0, 0, 0, 0, &ans) == EOK &&
		    ans.arg[0] == 0)
			break;
		thread_sleep_us(10000);
	}
	UT_CHECK_EQ(ans.arg[0], 0);
	UT_CHECK_EQ(ans.arg[2], TASK_EXIT_KILLED);
	/* devman quiesced the device before it recorded the end: the DMA
	 * frames the kernel held back for it are free again */
	mem_stats_t ms = { 0 };
	UT_CHECK_OK(mem_stats(&ms));
	UT_CHECK_EQ(ms.dma_quarantined, 0);
	UT_CHECK(frames_settle(before + 1) > before); /* its memory came back */
	UT_ASSERT_OK(ipc_request(dm, DEVMAN_RESTART, index, 0, 0, 0, 0, NULL));
	ipc_hangup(dm);
	if (!virtio_disk_wait("disk0"))
		return;
	block_t b;
	UT_ASSERT_OK(block_open("disk0", BR_BUF, &b));
	UT_CHECK(blk_check_range(&b, 0, 0, 1024)); /* blocks 0..1023: seed 0 */
	block_close(&b);
}

/* DEVMAN_DRIVER of @a index once @a done holds for it (every 10 ms, for
 * up to VIRTIO_WAIT_MS); false (recorded) if it never did. */
static bool virtio_driver_wait(cap_handle_t dm, uint64_t index,
    bool (*done)(const ipc_msg_t *, task_id_t), task_id_t old, ipc_msg_t *ans)
{
	for (int i = 0; i < VIRTIO_WAIT_MS / 10; i++) {
		if (ipc_request(dm, DEVMAN_DRIVER, index, 0, 0, 0, 0, ans) == EOK && done(ans, old))
			return true;
		thread_sleep_us(10000);
	}
	return UT_CHECK(false);
}

/* A new driver runs, not @a old. */
static bool virtio_driver_new(const ipc_msg_t *ans, task_id_t old)
{
	return ans->arg[0] != 0 && ans->arg[0] != old;
}

/* devman gave up on the driver. */
static bool virtio_driver_given_up(const ipc_msg_t *ans, task_id_t old)
{
	(void) old;
	return ans->arg[0] == 0 && (ans->arg[4] & DEVMAN_DRIVER_GAVE_UP);
}

/* Make disk0's driver fault (BLOCK_TEST_FAULT) while a client reads:
 * both get EHANGUP. */
static void virtio_driver_fault(void)
{
	kill_reader_t k = { 0 };
	tid_t tid;
	cap_handle_t ph;
	if (!virtio_disk_wait("disk0") || !UT_CHECK_OK(ns_connect("disk0", &ph)))
		return;
	UT_ASSERT_OK(thread_create(kill_reader_thread, &k, &tid));
	while (k.reads < 4 && k.rc == EOK)
		thread_sleep_us(1000);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_TEST_FAULT, 0, 0, 0, 0, 0, NULL), EHANGUP);
	ipc_hangup(ph);
	thread_join(tid, NULL);
	UT_CHECK_ERR(k.rc, EHANGUP);
}

/* A driver that faults is restarted by devman, which gives up after
 * DEVMAN_RESTARTS_MAX restarts within its window: each time the clients
 * get EHANGUP and the new driver serves disk0 with the disk's bytes; the
 * fault after the last restart leaves the device without a driver (no
 * new one starts), until a DEVMAN_RESTART. */
UTEST(hw_virtio_driver_faults)
{
	cap_handle_t dm;
	uint64_t index = 0;
	ipc_msg_t ans;
	block_t b;
	UT_ASSERT(task_startup()->flags & TASK_STARTUP_TESTING);
	UT_ASSERT_OK(ns_connect_timeout(DEVMAN_NAME, VIRTIO_WAIT_MS, &dm));
	UT_ASSERT(virtio_dev_index(dm, &index));
	UT_ASSERT(virtio_driver_wait(dm, index, virtio_driver_new, 0, &ans));
	uint64_t starts = ans.arg[1], restarts = ans.arg[4];
	for (unsigned i = 1; i <= DEVMAN_RESTARTS_MAX && !utest_failed(); i++) {
		task_id_t old = ans.arg[0];
		virtio_driver_fault();
		UT_ASSERT(virtio_driver_wait(dm, index, virtio_driver_new, old, &ans));
		UT_CHECK_EQ(ans.arg[1], starts + i);
		UT_CHECK_EQ(ans.arg[2], TASK_EXIT_FAULT);
		UT_CHECK_EQ(ans.arg[4], restarts + i);
		UT_ASSERT(virtio_disk_wait("disk0"));
		UT_ASSERT_OK(block_open("disk0", BR_BUF, &b));
		UT_CHECK(blk_check_range(&b, 0, 0, 1024)); /* blocks 0..1023: seed 0 */
		block_close(&b);
	}
	virtio_driver_fault(); /* one more: devman gives up */
	UT_ASSERT(virtio_driver_wait(dm, index, virtio_driver_given_up, 0, &ans));
	UT_CHECK_EQ(ans.arg[2], TASK_EXIT_FAULT);
	thread_sleep_us(200000);
	UT_CHECK_OK(ipc_request(dm, DEVMAN_DRIVER, index, 0, 0, 0, 0, &ans));
	UT_CHECK_EQ(ans.arg[0], 0); /* and stays so */
	UT_CHECK_EQ(ans.arg[1], starts + DEVMAN_RESTARTS_MAX);
	UT_CHECK_ERR(ns_connect_timeout("disk0", 100, &(cap_handle_t){ 0 }), ETIMEOUT);
	/* Asked, devman starts it again and counts afresh. */
	UT_ASSERT_OK(ipc_request(dm, DEVMAN_RESTART, index, 0, 0, 0, 0, NULL));
	UT_CHECK_OK(ipc_request(dm, DEVMAN_DRIVER, index, 0, 0, 0, 0, &ans));
	UT_CHECK_EQ(ans.arg[4] & DEVMAN_DRIVER_GAVE_UP, 0);
	ipc_hangup(dm);
	UT_ASSERT(virtio_disk_wait("disk0"));
	UT_ASSERT_OK(block_open("disk0", BR_BUF, &b));
	UT_CHECK(blk_check_range(&b, 0, 0, 1024));
	block_close(&b);
}

/* disk1 and disk2, whose devices share an IRQ line (the harness attaches
 * three disks; QEMU routes the second and third to one line): four
 * clients on each at once, blocks 0..4095 (quarter i: BLK_SEED_LAST(i)).
 * A driver that took the other's interrupt for its own, or masked the
 * line for both, would stall or lose completions here. */
UTEST(hw_virtio_shared_irq)
{
	blk_client_t c[2 * BLK_CLIENTS];
	tid_t tid[2 * BLK_CLIENTS];
	if (!virtio_disk_wait("disk1") || !virtio_disk_wait("disk2"))
		return;
	for (unsigned i = 0; i < 2 * BLK_CLIENTS; i++) {
		c[i] = (blk_client_t){ .name = i < BLK_CLIENTS ? "disk1" : "disk2",
			.index = i % BLK_CLIENTS,
			.first = 0,
			.span = 4096 };
		UT_ASSERT_OK(thread_create(blk_client_thread, &c[i], &tid[i]));
	}
	for (unsigned i = 0; i < 2 * BLK_CLIENTS; i++) {
		thread_join(tid[i], NULL);
		UT_CHECK_OK(c[i].rc);
		UT_CHECK(c[i].ok);
	}
}

/* disk0 attached read-only (seed 0): refused writes, nothing changed. */
UTEST(hw_virtio_readonly)
{
	if (!virtio_disk_wait("disk0"))
		return;
	blk_readonly("disk0", VIRTIO_DISK_BLOCKS, 0);
}

/* The suite virtio-err attaches disk0 (seed 0) with
 * ioerr=VIRTIO_IOERR_BLOCK (tools/qemu.sh): every read that touches that
 * block fails in the device (QEMU's blkdebug), nothing else does. */
#define VIRTIO_IOERR_BLOCK 1000
#define VIRTIO_IOERR_ROUNDS 100 /* more than the ring holds at once */

typedef struct ioerr_client {
	errno_t rc;
	unsigned eio;
} ioerr_client_t;

/* Read the bad block again and again on a connection of its own: each
 * read EIO, and not one answered otherwise. */
static int ioerr_client_thread(void *arg)
{
	ioerr_client_t *c = arg;
	block_t b;
	c->rc = block_open("disk0", BR_XFER, &b);
	for (unsigned i = 0; c->rc == EOK && i < VIRTIO_IOERR_ROUNDS; i++) {
		errno_t rc = block_read(&b, VIRTIO_IOERR_BLOCK - i % 8, 8, 0);
		if (rc != EIO)
			c->rc = rc == EOK ? EEXIST : rc;
		else
			c->eio++;
	}
	if (c->rc == EOK)
		block_close(&b);
	return 0;
}

/* A device I/O error: the client of the failing read gets EIO, whatever
 * part of the transfer the bad block is; the blocks around it and the
 * rest of the disk read right; the driver keeps serving (errors on one
 * connection, far more than its ring holds, while another reads). */
UTEST(hw_virtio_ioerr)
{
	const uint64_t bad = VIRTIO_IOERR_BLOCK, per = BR_XFER / BR_BS;
	ioerr_client_t c = { 0 };
	tid_t tid;
	block_t b;
	if (!virtio_disk_wait("disk0"))
		return;
	UT_ASSERT_OK(block_open("disk0", BR_BUF, &b));
	UT_CHECK_ERR(block_read(&b, bad, 1, 0), EIO);
	UT_CHECK_ERR(block_read(&b, bad - 3, 8, 0), EIO); /* in the middle */
	UT_CHECK_ERR(block_read(&b, bad - per + 1, per, 0), EIO); /* the last */
	UT_CHECK_ERR(block_read(&b, bad, per, BR_XFER), EIO); /* the first */
	UT_CHECK(blk_check_range(&b, 0, bad - 1, 1));
	UT_CHECK(blk_check_range(&b, 0, bad + 1, 1));
	UT_CHECK(blk_check_range(&b, 0, 0, bad));
	UT_CHECK(blk_check_range(&b, 0, bad + 1, VIRTIO_DISK_BLOCKS - bad - 1));
	/* QEMU merges requests for adjacent blocks that reach it together,
	 * and a merged request fails as a whole: the good reads made while
	 * the errors go on keep away from the bad block. */
	UT_ASSERT_OK(thread_create(ioerr_client_thread, &c, &tid));
	UT_CHECK(blk_check_range(&b, 0, 2 * bad, VIRTIO_DISK_BLOCKS - 2 * bad));
	thread_join(tid, NULL);
	UT_CHECK_OK(c.rc);
	UT_CHECK_EQ(c.eio, VIRTIO_IOERR_ROUNDS);
	UT_CHECK_ERR(block_read(&b, bad, 1, 0), EIO);
	UT_CHECK(blk_check_range(&b, 0, 0, 2 * per)); /* still serving */
	UT_CHECK_OK(block_flush(&b));
	block_close(&b);
}

/*
 * The block benchmark on disk0 (tools/bench.sh; not a pass/fail figure:
 * the test fails only if the data is wrong).  64 MiB (or the whole disk,
 * if smaller) read, then written, with 64 KiB requests by BLK_CLIENTS
 * threads at once, each on its own connection and its own contiguous
 * part (so that many requests are in flight); then 21 single 4 KiB
 * reads.  Each measurement is bracketed by the insncount plugin's marker
 * ("xchg %bx,%bx": window 1 the read, 2 the write, then one per 4 KiB
 * read) and also timed by the guest clock (MiB/s under TCG).  Unmeasured
 * passes before and after check the data: the disk held seed 0's pattern,
 * then holds seed 5's.
 */
#define BENCH_TOTAL (64ULL * 1024 * 1024)
#define BENCH_RUNS_4K 21

typedef struct blk_bench_worker {
	block_t *b;
	uint64_t first, blocks;
	bool write, ok;
} blk_bench_worker_t;

static int blk_bench_thread(void *arg)
{
	blk_bench_worker_t *w = arg;
	uint64_t per = BR_XFER / BR_BS;

	w->ok = true;
	for (uint64_t blk = w->first; blk < w->first + w->blocks && w->ok; blk += per) {
		w->ok = (w->write ? block_write(w->b, blk, per, 0)
		                  : block_read(w->b, blk, per, 0)) == EOK;
	}
	return 0;
}

/* One pass over [0, blocks) by BLK_CLIENTS threads; ns of guest time. */
static bool blk_bench_pass(block_t *b, uint64_t blocks, bool write, uint64_t *ns)
{
	blk_bench_worker_t w[BLK_CLIENTS];
	tid_t tid[BLK_CLIENTS];
	uint64_t part = blocks / BLK_CLIENTS;
	bool ok = true;

	for (unsigned i = 0; i < BLK_CLIENTS; i++)
		w[i] = (blk_bench_worker_t){
			.b = &b[i], .first = i * part, .blocks = part, .write = write
		};
	uint64_t t0 = uptime_ns_now();
	bench_marker();
	for (unsigned i = 0; i < BLK_CLIENTS; i++)
		ok &= thread_create(blk_bench_thread, &w[i], &tid[i]) == EOK;
	for (unsigned i = 0; i < BLK_CLIENTS; i++) {
		thread_join(tid[i], NULL);
		ok &= w[i].ok;
	}
	bench_marker();
	*ns = uptime_ns_now() - t0;
	return ok;
}

static void blk_bench_report(const char *name, uint64_t bytes, uint64_t ns)
{
	uint64_t kib_s = ns ? bytes * 1000000000ULL / 1024 / ns : 0;
	printf("bench %s: %llu.%03llu MiB/s guest clock, %llu ns (%u clients, 64 KiB requests)\n",
	    name, (unsigned long long) (kib_s / 1024),
	    (unsigned long long) (kib_s % 1024 * 1000 / 1024), (unsigned long long) ns,
	    BLK_CLIENTS);
}

static void blk_bench(const char *name)
{
	block_t b[BLK_CLIENTS];
	unsigned opened = 0;
	uint64_t ns;

	for (; opened < BLK_CLIENTS; opened++) {
		if (!UT_CHECK_OK(block_open(name, BR_XFER, &b[opened])))
			goto out;
	}
	uint64_t bytes = b[0].geom.blocks * BR_BS < BENCH_TOTAL ? b[0].geom.blocks * BR_BS
	                                                        : BENCH_TOTAL;
	bytes -= bytes % (BLK_CLIENTS * BR_XFER);
	uint64_t blocks = bytes / BR_BS;
	if (!UT_CHECK(blocks > 0))
		goto out;
	printf("# block benchmark on %s: %llu MiB; insncount windows: 1 read, 2 write, 3.. 4 KiB "
	       "reads\n",
	    name, (unsigned long long) (bytes >> 20));
	/* Unmeasured first, as the Linux side does: the disk holds seed 0's pattern. */
	if (!UT_CHECK(blk_check_range(&b[0], 0, 0, blocks)))
		goto out;
	UT_CHECK(blk_bench_pass(b, blocks, false, &ns));
	blk_bench_report("block_read_64k", bytes, ns);
	for (unsigned i = 0; i < BLK_CLIENTS; i++)
		blk_fill(b[i].buf, 5, 0, BR_XFER); /* the same 64 KiB written everywhere */
	UT_CHECK(blk_bench_pass(b, blocks, true, &ns));
	blk_bench_report("block_write_64k", bytes, ns);
	UT_CHECK_OK(block_flush(&b[0]));
	for (unsigned r = 0; r < BENCH_RUNS_4K; r++) {
		bench_marker();
		errno_t rc = block_read(&b[0], (r * 97 + 13) * 8 % blocks, 8, 0);
		bench_marker();
		UT_CHECK_OK(rc);
	}
	/* Unmeasured: what the write pass left, then seed 5 everywhere. */
	uint64_t per = BR_XFER / BR_BS;
	for (uint64_t blk = 0; blk < blocks; blk += per) {
		blk_fill(b[0].buf, 5, blk * BR_BS, BR_XFER);
		if (!UT_CHECK_OK(block_write(&b[0], blk, per, 0)))
			goto out;
	}
	UT_CHECK_OK(block_flush(&b[0]));
	UT_CHECK(blk_check_range(&b[0], 5, 0, blocks));
out:
	while (opened > 0)
		block_close(&b[--opened]);
}

/* The benchmark's data path on the RAM disk (the whole 1 MiB). */
UTEST(block_ram_bench)
{
	blk_server_t s;
	UT_ASSERT_OK(blk_server_start(&s, false));
	blk_bench(s.name);
	blk_server_stop(&s);
}

UTEST(hw_virtio_bench)
{
	if (!virtio_disk_wait("disk0"))
		return;
	blk_bench("disk0");
}
