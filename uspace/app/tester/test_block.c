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
#include <anon.h>
#include <block/block.h>
#include <lock.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

UTEST(block_ram_rw)
{
	blk_server_t s;
	block_t b;

	UT_ASSERT_OK(blk_server_start(&s, false));
	UT_ASSERT_OK(block_open(s.name, BR_BUF, &b));
	UT_CHECK_EQ(b.geom.block_size, BR_BS);
	UT_CHECK_EQ(b.geom.blocks, BR_BLOCKS);
	UT_CHECK_EQ(b.geom.flags, 0);
	UT_CHECK_EQ(b.geom.xfer_max, BR_XFER);
	UT_CHECK_EQ(b.buf_size, BR_BUF);
	/* Every block holds the pattern. */
	UT_CHECK(blk_check_range(&b, 0, 0, BR_BLOCKS));
	/* 64 KiB of our own pattern at block 1000, from the buffer's second half. */
	blk_fill(b.buf + BR_XFER, 7, 1000 * BR_BS, BR_XFER);
	UT_CHECK_OK(block_write(&b, 1000, BR_XFER / BR_BS, BR_XFER));
	UT_CHECK_OK(block_flush(&b));
	memset(b.buf, 0, BR_BUF);
	UT_CHECK(blk_check_range(&b, 7, 1000, BR_XFER / BR_BS));
	/* The blocks around are untouched, and the last block reads. */
	UT_CHECK(blk_check_range(&b, 0, 999, 1));
	UT_CHECK(blk_check_range(&b, 0, 1000 + BR_XFER / BR_BS, 1));
	UT_CHECK(blk_check_range(&b, 0, BR_BLOCKS - 1, 1));
	block_geom_t g;
	UT_CHECK_OK(block_info(&b, &g));
	UT_CHECK_EQ(g.blocks, BR_BLOCKS);
	block_close(&b);
	blk_server_stop(&s);
}

/* Bad requests straight through a phone (the library would refuse most). */
UTEST(block_ram_bad)
{
	blk_server_t s;
	cap_handle_t ph;
	uintptr_t buf;
	ipc_msg_t a;

	UT_ASSERT_OK(blk_server_start(&s, false));
	UT_ASSERT_OK(ns_connect(s.name, &ph));
	/* No buffer shared yet. */
	UT_CHECK_ERR(ipc_request(ph, BLOCK_READ, 0, 1, 0, 0, 0, NULL), ENOENT);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_INFO, 0, 0, 0, 0, 0, &a), EOK);
	UT_CHECK_EQ(a.arg[4], 0);
	UT_ASSERT_OK(ipc_share_in(ph, 8192, RW, 0, &buf));
	UT_CHECK_ERR(ipc_share_in(ph, 8192, RW, 0, &(uintptr_t){ 0 }), EEXIST);
	memset((void *) buf, 0xee, 8192);
	/* Past the end, zero, oversize, misaligned, outside the buffer, unknown. */
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, BR_BLOCKS, 1, 0, 0, 0, NULL), ERANGE);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, BR_BLOCKS - 1, 2, 0, 0, 0, NULL), ERANGE);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, UINT64_MAX, 1, 0, 0, 0, NULL), ERANGE);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 0, 0, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, BR_XFER / BR_BS + 1, 0, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 100, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 2, 7680, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 1ULL << 40, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_FLUSH + 50, 0, 1, 0, 0, 0, NULL), ENOTSUP);
	UT_CHECK_ERR(ipc_request(ph, BLOCK_WRITE, 0, 1, 7680, 0, 0, NULL), EOK); /* the edge */
	as_area_destroy(buf);
	ipc_hangup(ph);
	/* Nothing but block 0 was written; the library refuses the same early. */
	block_t b;
	UT_ASSERT_OK(block_open(s.name, BR_BUF, &b));
	UT_CHECK_OK(block_read(&b, 0, 1, 0));
	UT_CHECK_EQ(*(uint64_t *) b.buf, 0xeeeeeeeeeeeeeeeeULL);
	UT_CHECK(blk_check_range(&b, 0, 1, BR_BLOCKS - 1));
	UT_CHECK_ERR(block_read(&b, BR_BLOCKS, 1, 0), ERANGE);
	UT_CHECK_ERR(block_read(&b, 0, 0, 0), EINVAL);
	UT_CHECK_ERR(block_read(&b, 0, 1, 3), EINVAL);
	UT_CHECK_ERR(block_open(s.name, BLOCK_BUFFER_MAX + 1, &(block_t){ 0 }), EINVAL);
	block_close(&b);
	blk_server_stop(&s);
}

UTEST(block_ram_readonly)
{
	blk_server_t s;
	block_t b;

	UT_ASSERT_OK(blk_server_start(&s, true));
	UT_ASSERT_OK(block_open(s.name, BR_BUF, &b));
	UT_CHECK_EQ(b.geom.flags & BLOCK_F_READONLY, BLOCK_F_READONLY);
	memset(b.buf, 0x11, BR_BUF);
	UT_CHECK_ERR(block_write(&b, 0, 1, 0), EPERM);
	UT_CHECK_ERR(ipc_request(b.phone, BLOCK_WRITE, 5, 1, 0, 0, 0, NULL), EPERM);
	UT_CHECK(blk_check_range(&b, 0, 0, BR_BLOCKS));
	block_close(&b);
	blk_server_stop(&s);
}

/* Four clients at once, each on its own quarter, several rounds. */
#define BLK_CLIENTS 4
#define BLK_ROUNDS 6

typedef struct blk_client {
	const char *name;
	unsigned index;
	errno_t rc;
	bool ok;
} blk_client_t;

static int blk_client_thread(void *arg)
{
	blk_client_t *c = arg;
	block_t b;
	uint64_t quarter = BR_BLOCKS / BLK_CLIENTS, first = c->index * quarter;
	uint64_t per = BR_XFER / BR_BS;

	c->rc = block_open(c->name, BR_XFER, &b);
	if (c->rc != EOK)
		return 1;
	c->ok = true;
	for (unsigned r = 0; r < BLK_ROUNDS && c->ok; r++) {
		uint64_t seed = 16 + c->index * BLK_ROUNDS + r;
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
	block_close(&b);
	return 0;
}

UTEST(block_ram_clients4)
{
	blk_server_t s;
	blk_client_t c[BLK_CLIENTS];
	tid_t tid[BLK_CLIENTS];

	UT_ASSERT_OK(blk_server_start(&s, false));
	for (unsigned i = 0; i < BLK_CLIENTS; i++) {
		c[i] = (blk_client_t){ .name = s.name, .index = i };
		UT_ASSERT_OK(thread_create(blk_client_thread, &c[i], &tid[i]));
	}
	for (unsigned i = 0; i < BLK_CLIENTS; i++) {
		thread_join(tid[i], NULL);
		UT_CHECK_OK(c[i].rc);
		UT_CHECK(c[i].ok);
	}
	/* Each quarter holds its client's last round. */
	block_t b;
	UT_ASSERT_OK(block_open(s.name, BR_BUF, &b));
	for (unsigned i = 0; i < BLK_CLIENTS; i++) {
		uint64_t q = BR_BLOCKS / BLK_CLIENTS;
		UT_CHECK(blk_check_range(&b, 16 + i * BLK_ROUNDS + BLK_ROUNDS - 1, i * q, q));
	}
	block_close(&b);
	blk_server_stop(&s);
}
