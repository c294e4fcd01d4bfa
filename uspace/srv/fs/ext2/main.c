/*
 * ext2: the ext2 file system server (docs/ext2.md, "The ext2 server").
 *
 *   ext2 DISK      (the boot recipe's "ext2 disk0")
 *
 * Waits for the disk (lib/block), mounts its volume with lib/ext2 (a
 * refused volume is logged with the reason and the server ends, having
 * written nothing; one with unknown read-only compatible features, or on
 * a read-only disk, is mounted read-only), logs what it mounted, then
 * registers with the VFS as abi/fs.h says and serves its requests with
 * EXT2SRV_THREADS workers.  It ends after FS_UNMOUNT (status 0), or when
 * the VFS has hung up every connection (it unmounts first; status 2, so
 * init, which supervises it, starts it again for the next VFS).
 */
#include "ext2srv.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <task.h>
#include <thread.h>

ext2srv_t ext2srv = { .lock = TICKET_LOCK_INITIALIZER };

/* Wait for the disk's driver (devman starts it), then open the disk. */
static errno_t disk_open(ext2srv_t *s)
{
	cap_handle_t phone;
	errno_t rc = ns_connect_timeout(s->source, EXT2SRV_DISK_WAIT_MS, &phone);

	if (rc == EOK) {
		ipc_hangup(phone);
		rc = block_open(s->source, EXT2SRV_DISK_BUF, &s->disk);
	}
	if (rc != EOK)
		printf("ext2: %s: cannot open the disk (%s)\n", s->source, str_error_name(rc));
	return rc;
}

static errno_t volume_mount(ext2srv_t *s)
{
	ext2_host_t host;
	char why[160];
	bool ro_disk = (s->disk.geom.flags & BLOCK_F_READONLY) != 0;

	ext2srv_host_init(s, &host);
	errno_t rc = ext2_mount(&host, ext2srv_cache_blocks(s), ro_disk ? EXT2_MOUNT_RDONLY : 0,
	    &s->fs, why, sizeof(why));
	if (rc != EOK) {
		printf("ext2: %s: cannot mount: %s (%s); nothing written\n", s->source,
		    why[0] ? why : "error", str_error_name(rc));
		return rc;
	}
	ext2_info(s->fs, &s->info);
	if (s->info.readonly) /* lib/ext2's reason: "read-only: ...features..." */
		printf(
		    "ext2: %s: %s\n", s->source, why[0] ? why : "read-only: the disk is read-only");
	printf("ext2: %s: mounted%s, %llu MiB, %u-byte blocks, %u free blocks, %u free inodes\n",
	    s->source, s->info.readonly ? " read-only" : "",
	    (unsigned long long) ((uint64_t) s->info.blocks_count * s->info.block_size >> 20),
	    s->info.block_size, s->info.free_blocks, s->info.free_inodes);
	return EOK;
}

void ext2srv_unmount_exit(ext2srv_t *s, const char *why, cap_handle_t call, int status)
{
	errno_t rc = EOK;

	if (s->fs != NULL) {
		ext2srv_nodes_release_all(s);
		rc = ext2_unmount(s->fs);
		s->fs = NULL;
	}
	if (call != CAP_NIL)
		ipc_answer(call, rc, NULL);
	if (rc == EOK)
		printf("ext2: %s: unmounted (%s)\n", s->source, why);
	else
		printf("ext2: %s: unmount failed (%s): %s\n", s->source, why, str_error_name(rc));
	task_exit(rc == EOK ? status : EXT2SRV_EXIT_FAILED); /* lock held: no request after this */
}

/* Connection @a i is the VFS's (@a open) or no longer. */
static void conn_mark(ext2srv_t *s, unsigned i, bool open)
{
	ticket_lock_acquire(&s->lock);
	if (s->conn_open[i] != open) {
		s->conn_open[i] = open;
		if (open)
			s->conns_open++;
		else
			s->conns_open--;
	}
	ticket_lock_release(&s->lock);
}

/*
 * Give the VFS FS_CONN_COUNT phones to us (abi/fs.h, "Registration"),
 * while the workers already serve: the VFS may use the first ones before
 * it answers the last.  If the VFS refuses, unmount and end.
 */
static int register_thread(void *arg)
{
	ext2srv_t *s = arg;
	uint64_t src[2], type[2];
	cap_handle_t vfs;
	errno_t rc = ns_connect(VFS_NAME, &vfs);

	(void) ns_name_pack(s->source, src);
	(void) ns_name_pack("ext2", type);
	for (unsigned i = 0; rc == EOK && i < FS_CONN_COUNT; i++) {
		conn_mark(s, i, true); /* before: the VFS may hang it up at once */
		rc = ipc_connect_to_me(vfs, src[0], src[1], type[0], i, i + 1);
		if (rc != EOK)
			conn_mark(s, i, false);
	}
	if (rc != EOK) {
		printf("ext2: %s: the VFS did not take the volume (%s)\n", s->source,
		    str_error_name(rc));
		ticket_lock_acquire(&s->lock);
		ext2srv_unmount_exit(s, "not registered", CAP_NIL, EXT2SRV_EXIT_FAILED);
	}
	return 0;
}

/*
 * The peer of brokered connection @a conn, whose call came from task
 * @a sender: learnt at its first call (the task's other brokered
 * connections' peer, or a free slot: there are as many as connections).
 * With the lock held.
 */
static unsigned conn_peer(ext2srv_t *s, unsigned conn, uint64_t sender)
{
	if (conn < FS_CONN_COUNT)
		return EXT2SRV_PEER_VFS;
	unsigned p = s->conn_peer[conn];
	if (p != 0)
		return p;
	for (p = 1; p < EXT2SRV_PEERS && s->peer_task[p] != sender; p++)
		;
	if (p == EXT2SRV_PEERS) { /* a new peer: fewer peers than connections are taken */
		for (p = 1; p < EXT2SRV_PEERS - 1 && s->peer_task[p] != 0; p++)
			;
		s->peer_task[p] = sender;
	}
	s->peer_conns[p]++;
	s->conn_peer[conn] = (uint8_t) p;
	return p;
}

/* Brokered connection @a conn went: its peer's opens are closed with the
 * peer's last connection (lock held). */
static void conn_peer_gone(ext2srv_t *s, unsigned conn)
{
	unsigned p = s->conn_peer[conn];

	s->conn_peer[conn] = 0;
	if (p == 0 || --s->peer_conns[p] > 0)
		return;
	ext2srv_nodes_release_peer(s, p);
	s->peer_task[p] = 0;
}

/*
 * Connection @a conn hung up: its control buffer goes, and a brokered
 * one's buffer table (and its peer's opens, if it was the peer's last);
 * the VFS's last one going means the VFS is gone.
 */
static void conn_hangup(ext2srv_t *s, unsigned conn)
{
	ticket_lock_acquire(&s->lock);
	if (s->conn_open[conn]) {
		s->conn_open[conn] = false;
		ext2srv_ctl_drop(s, conn);
		if (conn >= FS_CONN_COUNT) {
			ext2srv_bufs_drop(s, EXT2SRV_TABLE(conn));
			conn_peer_gone(s, conn);
		} else if (--s->conns_open == 0) {
			ext2srv_unmount_exit(s, "the VFS hung up", CAP_NIL, EXT2SRV_EXIT_VFS_GONE);
		}
	}
	ticket_lock_release(&s->lock);
}

/* A connect the VFS forwarded: a brokered connection, if one is free. */
static errno_t conn_broker(ext2srv_t *s, ipc_event_t *ev)
{
	unsigned i = FS_CONN_COUNT;
	ticket_lock_acquire(&s->lock);
	while (i < EXT2SRV_CONNS && s->conn_open[i])
		i++;
	if (i < EXT2SRV_CONNS)
		s->conn_open[i] = true;
	ticket_lock_release(&s->lock);
	if (i == EXT2SRV_CONNS)
		return ELIMIT;
	if (ipc_connect_accept(ev, i + 1) != EOK) {
		ticket_lock_acquire(&s->lock);
		s->conn_open[i] = false;
		ticket_lock_release(&s->lock);
	}
	return IPC_NO_REPLY;
}

/* One event from a connection (badge = index + 1: the VFS's, or brokered). */
static errno_t ext2srv_handle(ipc_event_t *ev, ipc_msg_t *answer)
{
	ext2srv_t *s = &ext2srv;
	uint64_t conn = ev->conn - 1; /* wraps for badge 0 */
	bool vfs = conn < FS_CONN_COUNT;
	errno_t rc;

	if (conn >= EXT2SRV_CONNS) /* not a connection of ours: refused */
		return ev->kind == IPC_EV_CALL ? EPERM : IPC_NO_REPLY;
	if (ev->kind == IPC_EV_HANGUP)
		conn_hangup(s, (unsigned) conn);
	if (ev->kind != IPC_EV_CALL)
		return IPC_NO_REPLY;
	if (ev->msg.method == IPC_M_CONNECT_ME_TO)
		return vfs ? conn_broker(s, ev) : EPERM;
	if (ev->msg.method == FS_UNMOUNT && !vfs)
		return EPERM;
	ticket_lock_acquire(&s->lock);
	if (ev->msg.method == FS_UNMOUNT)
		ext2srv_unmount_exit(s, "asked by the VFS", ev->call, EXT2SRV_EXIT_UNMOUNTED);
	unsigned peer = conn_peer(s, (unsigned) conn, ev->sender);
	if (ev->msg.method == IPC_M_SHARE_OUT) {
		rc = ext2srv_share_out(s, (unsigned) conn, ev);
	} else {
		ext2srv_req_t r = { .conn = (unsigned) conn,
			.peer = peer,
			.table = EXT2SRV_TABLE((unsigned) conn),
			.arg = ev->msg.arg,
			.ans = answer,
			.ctl = s->ctl[conn].base,
			.ctl_size = s->ctl[conn].size };
		rc = ext2srv_request(s, ev->msg.method, &r);
	}
	ticket_lock_release(&s->lock);
	return rc;
}

int main(int argc, char **argv)
{
	ext2srv_t *s = &ext2srv;
	uint64_t w[2];
	tid_t tid;

	if (argc != 2 || ns_name_pack(argv[1], w) != EOK) {
		printf("ext2: usage: ext2 DISK (a disk's name, e.g. disk0)\n");
		return EXT2SRV_EXIT_FAILED;
	}
	strcpy(s->source, argv[1]);
	ext2srv_nodes_init(s);
	if (disk_open(s) != EOK || volume_mount(s) != EOK)
		return EXT2SRV_EXIT_FAILED;
	if (thread_create(register_thread, s, &tid) != EOK) {
		ticket_lock_acquire(&s->lock);
		ext2srv_unmount_exit(s, "no thread to register", CAP_NIL, EXT2SRV_EXIT_FAILED);
	}
	errno_t rc = ipc_serve_reply(ext2srv_handle, EXT2SRV_THREADS);
	ticket_lock_acquire(&s->lock);
	ext2srv_unmount_exit(s, str_error_name(rc), CAP_NIL, EXT2SRV_EXIT_FAILED);
}
