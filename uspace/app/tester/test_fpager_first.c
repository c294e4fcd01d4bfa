/*
 * The file pager's first use of a volume (docs/file-pager.md, "The first
 * use of a volume"): a write the VFS serves itself while the file pager is
 * not yet connected to the volume must be on the disk before the pager
 * caches the page it changes.  hw_fpager_first_use needs the storage stack
 * without the system's file pager ("fs nofpager": it starts its own, and
 * ends it); linked before test_fpager.c, so it runs before
 * hw_fpager_restart (whose file pager stays).
 */
#include "fs.h"
#include "tester.h"
#include <abi/fpager.h>
#include <abi/vfs.h>
#include <errno.h>
#include <fcntl.h>
#include <ipc.h>
#include <string.h>
#include <sys/stat.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define PS 4096u

/* Pages the file pager has read from the disk (its FPAGER_STATS_IO);
 * UINT64_MAX: no file pager answers. */
static uint64_t fpf_pages_read(void)
{
	uint64_t v[5];
	return fpager_stats(FPAGER_STATS_IO, v) ? v[1] : UINT64_MAX;
}

#define FPF_DIR FS_TEST_ROOT "/fpfirst"
#define FPF_DELAY_MS 400u

typedef struct fpf_writer {
	fs_raw_t raw;
	int64_t fd;
	errno_t rc;
} fpf_writer_t;

/* A write of page 0 of 'B's through a connection of our own (libc's is
 * one per task, and this one is held in the VFS). */
static int fpf_write(void *arg)
{
	fpf_writer_t *w = arg;
	memset(w->raw.buf, 'B', PS);
	ipc_msg_t ans;
	w->rc = fs_raw_call(&w->raw, VFS_PWRITE, (uint64_t) w->fd, PS, 0, &ans);
	if (w->rc == EOK && ans.arg[0] != PS)
		w->rc = EIO;
	return 0;
}

/* A new file pager's first use of the volume: a write the VFS serves
 * itself (the pager answered EAGAIN: not connected yet) is held in the
 * VFS (VFS_TEST_DIRECT_DELAY) while the pager connects and is asked for
 * the page it changes.  The pager must not cache that page from before
 * the write: after the write, a read of it has the write's bytes. */
UTEST(hw_fpager_first_use)
{
	static uint8_t page[PS];
	fpf_writer_t w = { 0 };
	task_id_t fp;
	tid_t tid;
	UT_ASSERT(fs_ready());
	(void) mkdir(FS_TEST_ROOT, 0755);
	UT_ASSERT(fs_dir_fresh(FPF_DIR));
	memset(page, 'A', PS);
	UT_ASSERT(fs_file_put(FPF_DIR "/f", page, PS) == 0);
	UT_ASSERT_OK(fs_raw_connect(&w.raw));
	UT_ASSERT((w.fd = fs_raw_open(&w.raw, FPF_DIR "/f", VFS_O_RDWR)) >= 0);
	UT_ASSERT_OK(fs_fpager_start(&fp, false));
	UT_ASSERT_EQ(fpf_pages_read(), 0); /* a new one: nothing of the volume cached */
	UT_ASSERT_OK(fs_raw_call(&w.raw, VFS_TEST_DIRECT_DELAY, FPF_DELAY_MS, 0, 0, NULL));
	int fd = open(FPF_DIR "/f", O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_ASSERT_OK(thread_create(fpf_write, &w, &tid));
	thread_sleep_us(50 * 1000); /* its EAGAIN has come: the pager connects */
	unsigned polls = 0;
	for (; polls < 1000 && fpf_pages_read() == 0; polls++) { /* until the pager reads */
		UT_CHECK(pread(fd, page, PS, 0) == PS);
		thread_sleep_us(2000);
	}
	utest_note("the pager read pages after %u reads", polls);
	UT_CHECK(polls < 1000);
	UT_CHECK_OK(thread_join(tid, NULL));
	UT_CHECK_OK(w.rc);
	UT_CHECK(pread(fd, page, PS, 0) == PS && page[0] == 'B' && page[PS - 1] == 'B');
	close(fd);
	UT_CHECK_OK(fs_raw_call(&w.raw, VFS_CLOSE, (uint64_t) w.fd, 0, 0, NULL));
	fs_raw_close(&w.raw);
	task_exit_info_t info;
	UT_CHECK_OK(task_kill(fp));
	UT_CHECK_OK(task_wait(fp, &info));
}

#define FPF_BUSY_READS 3000u

/* A new file pager connects to a volume that a client keeps busy: its
 * connection requests wait at the ext2 server's lock among the client's
 * reads (which the VFS serves itself until the pager has bound the
 * volume).  With a lock that lets the running thread take it again
 * before a woken waiter runs, the waiter lost every time for as long as
 * the reads went on (the IPC fast path hands the CPU from thread to
 * thread), and the file pager never served the volume; a fair lock
 * (ticket_lock_t) lets it in within a few reads. */
UTEST(hw_fpager_binds_busy_volume)
{
	static uint8_t buf[16 * 1024];
	task_id_t fp;
	UT_ASSERT(fs_ready());
	(void) mkdir(FS_TEST_ROOT, 0755);
	UT_ASSERT(fs_dir_fresh(FPF_DIR));
	memset(buf, 'C', sizeof(buf));
	UT_ASSERT(fs_file_put(FPF_DIR "/busy", buf, sizeof(buf)) == 0);
	int fd = open(FPF_DIR "/busy", O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_ASSERT_OK(fs_fpager_start(&fp, false));
	unsigned reads = 0;
	for (; reads < FPF_BUSY_READS && fpf_pages_read() == 0; reads++)
		UT_CHECK(pread(fd, buf, sizeof(buf), 0) == (ssize_t) sizeof(buf));
	utest_note("the pager served the volume after %u reads", reads);
	UT_CHECK(reads < FPF_BUSY_READS);
	close(fd);
	task_exit_info_t info;
	UT_CHECK_OK(task_kill(fp));
	UT_CHECK_OK(task_wait(fp, &info));
}
