/*
 * The file system server killed mid-write (a boot with the word "vfs":
 * devman and the VFS run, the test starts the ext2 server of disk0 itself,
 * as init does in an ordinary boot, so it may kill it).
 *
 * A writer thread writes a file in 64 KiB pieces while the server is
 * killed: its write fails EIO (never hangs), every other request on the
 * dead volume fails EIO, the VFS goes on answering.  The server started
 * again registers, the VFS mounts it as "/" again; descriptors opened
 * before stay EIO, new opens work and what was synced before the kill is
 * there.  Then the volume is unmounted; the host runs e2fsck on it and
 * the suite's log says what it found (tools/test.sh, suite fs-kill).
 * First the server is started and killed three times, a file written
 * and read back each time (the third takes the first one's slot).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define FK_PIECE (64u * 1024u)
#define FK_SYNCED (256u * 1024u)
#define FK_WAIT_MS 20000u

static uint8_t fk_piece[FK_PIECE];

typedef struct fk_writer {
	int fd;
	volatile bool stop;
	uint64_t pieces; /* written after the synced part */
	int err; /* errno of the write that failed; 0: none */
} fk_writer_t;

static int fk_writer_run(void *arg)
{
	fk_writer_t *w = arg;
	while (!w->stop) {
		if (write(w->fd, fk_piece, FK_PIECE) != (ssize_t) FK_PIECE) {
			w->err = errno;
			return 0;
		}
		w->pieces++;
	}
	return 0;
}

/* Start "ext2 disk0" and wait until "/" answers (statvfs). */
static bool fk_server_start(task_id_t *id)
{
	if (!UT_CHECK_OK(task_spawn("ext2", "disk0", id)))
		return false;
	struct statvfs sv;
	for (unsigned ms = 0; ms < FK_WAIT_MS; ms += 10) {
		if (statvfs("/", &sv) == 0)
			return true;
		thread_sleep_us(10000);
	}
	return UT_CHECK(!"the root was mounted");
}

static void fk_fill(uint8_t seed)
{
	for (size_t i = 0; i < FK_PIECE; i++)
		fk_piece[i] = (uint8_t) (i * 7 + seed);
}

/* The synced part: FK_SYNCED bytes of seed 1, fsync'd. */
static bool fk_write_synced(int fd)
{
	fk_fill(1);
	for (unsigned i = 0; i < FK_SYNCED / FK_PIECE; i++)
		if (!UT_CHECK_EQ(write(fd, fk_piece, FK_PIECE), (ssize_t) FK_PIECE))
			return false;
	return UT_CHECK_EQ(fsync(fd), 0);
}

static bool fk_check_synced(void)
{
	int fd = open("/killed.bin", O_RDONLY);
	if (!UT_CHECK(fd >= 0))
		return false;
	static uint8_t got[FK_PIECE];
	fk_fill(1);
	bool ok = true;
	for (unsigned i = 0; i < FK_SYNCED / FK_PIECE && ok; i++) {
		ok = UT_CHECK_EQ(read(fd, got, FK_PIECE), (ssize_t) FK_PIECE);
		ok = ok && UT_CHECK(memcmp(got, fk_piece, FK_PIECE) == 0);
	}
	close(fd);
	return ok;
}

/* Kill the server while the writer writes; the writer sees EIO. */
static bool fk_kill_mid_write(task_id_t server, int fd)
{
	fk_writer_t w = { .fd = fd };
	tid_t tid;
	fk_fill(2);
	if (!UT_CHECK_OK(thread_create(fk_writer_run, &w, &tid)))
		return false;
	while (w.pieces < 4 && !w.err)
		thread_yield();
	UT_CHECK_OK(task_kill(server));
	task_exit_info_t info;
	UT_CHECK_OK(task_wait(server, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_KILLED);
	for (unsigned ms = 0; ms < FK_WAIT_MS && !w.err; ms += 10)
		thread_sleep_us(10000);
	w.stop = true;
	thread_join(tid, NULL);
	printf("# the writer wrote %llu pieces after the synced part, then: %s\n",
	    (unsigned long long) w.pieces, w.err ? str_error_name(w.err) : "nothing failed");
	return UT_CHECK_EQ(w.err, EIO);
}

/* Kill server @a id (nothing in flight) and wait until the VFS says so. */
static bool fk_server_kill(task_id_t id)
{
	task_exit_info_t info;
	struct stat st;
	if (!UT_CHECK_OK(task_kill(id)) || !UT_CHECK_OK(task_wait(id, &info)))
		return false;
	return UT_CHECK(stat("/", &st) == -1 && errno == EIO);
}

/* A file written and read back through our connection's buffer. */
static bool fk_round_trip(const char *path, uint8_t seed)
{
	static uint8_t got[FK_PIECE];
	fk_fill(seed);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!UT_CHECK(fd >= 0))
		return false;
	bool ok = UT_CHECK_EQ(write(fd, fk_piece, FK_PIECE), (ssize_t) FK_PIECE) &&
	    UT_CHECK_EQ(pread(fd, got, FK_PIECE, 0), (ssize_t) FK_PIECE) &&
	    UT_CHECK(memcmp(got, fk_piece, FK_PIECE) == 0) && UT_CHECK_EQ(fsync(fd), 0);
	UT_CHECK_EQ(close(fd), 0);
	return ok;
}

/*
 * The server killed and started again twice: the third takes the first
 * one's slot in the VFS (the second's is the root that went).  Our
 * connection had lent its buffer to the first; the third must be lent it
 * again, or every read and write through it fails.  The third is killed
 * too.
 */
static void fk_restarts(void)
{
	task_id_t server;
	for (uint8_t round = 1; round <= 3; round++) {
		if (!fk_server_start(&server) || !fk_round_trip("/restarts.bin", round) ||
		    !fk_server_kill(server))
			return;
	}
}

UTEST(hw_fs_server_killed)
{
	task_id_t server;
	fk_restarts();
	if (!fk_server_start(&server))
		return;
	int fd = open("/killed.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!UT_CHECK(fd >= 0) || !fk_write_synced(fd))
		return;
	if (!fk_kill_mid_write(server, fd))
		return;
	/* The dead volume: EIO for every request on it; the VFS still answers. */
	struct stat st;
	UT_CHECK_EQ(stat("/killed.bin", &st), -1);
	UT_CHECK_EQ(errno, EIO);
	UT_CHECK_EQ(write(fd, fk_piece, 16), -1);
	UT_CHECK_EQ(errno, EIO);
	char cwd[8];
	UT_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	/* Started again: mounted again; the old descriptor stays dead. */
	if (!fk_server_start(&server))
		return;
	UT_CHECK_EQ(write(fd, fk_piece, 16), -1);
	UT_CHECK_EQ(errno, EIO);
	UT_CHECK_EQ(close(fd), 0);
	UT_CHECK(fk_check_synced());
	UT_CHECK_EQ(stat("/etc/motd", &st), 0);
	UT_CHECK_EQ(umount_all(), 0);
	task_exit_info_t info;
	UT_CHECK_OK(task_wait(server, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
}
