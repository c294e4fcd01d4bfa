/*
 * The file pager as a server: its restart with the mappings it served
 * taken over by its successor, and its cache under memory pressure (a
 * file larger than the machine, the kernel's low-memory notice, memory
 * given back when a file goes), and what a dead pager held open at the
 * file system server.  hw_ tests: hw_fpager_restart and
 * hw_fpager_dead_opens need the storage stack without the system's file
 * pager ("fs nofpager": the test starts its own, so that it may kill it),
 * hw_fpager_big_file a small machine and the image with /big
 * (tools/test.sh suite fpager-big).
 */
#include "fs.h"
#include "tester.h"
#include <abi/fpager.h>
#include <abi/pager.h>
#include <errno.h>
#include <fcntl.h>
#include <ipc.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define PS 4096u
#define FPR_DIR FS_TEST_ROOT "/fprestart"

static uint64_t fpr_word(uint64_t off)
{
	return off * 0x9e3779b97f4a7c15ull + 7;
}

errno_t fs_fpager_start(task_id_t *id, bool successor)
{
	errno_t rc = task_spawn("fpager", "", id);
	if (rc == EOK && successor)
		rc = pager_role_successor(PAGER_ROLE_FILE, *id);
	cap_handle_t phone;
	if (rc == EOK)
		rc = ns_connect_timeout(FPAGER_NAME, 10000, &phone);
	if (rc == EOK)
		ipc_hangup(phone);
	return rc;
}

/* The child: map argv[1] privately, store, tell (create argv[2]), wait
 * for the restart (argv[3] appears), load: ended by the fault. */
static int child_fpr_private(int argc, char **argv)
{
	if (argc < 4)
		return 10;
	int fd = open(argv[1], O_RDONLY);
	volatile uint64_t *p = fd < 0 ? MAP_FAILED
	                              : mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 11;
	p[3] = 0x42;
	close(open(argv[2], O_CREAT | O_RDWR, 0644));
	struct stat st;
	for (unsigned i = 0; i < 3000 && stat(argv[3], &st) != 0; i++)
		thread_sleep_us(2000);
	return p[3] == 0x42 ? 0 : 12; /* the fault ends us first */
}

static void fpr_fill(int fd, size_t pages)
{
	static uint64_t buf[PS / 8];
	for (size_t pg = 0; pg < pages; pg++) {
		for (size_t i = 0; i < PS / 8; i++)
			buf[i] = fpr_word(pg * PS + i * 8);
		UT_CHECK_EQ(pwrite(fd, buf, PS, (off_t) (pg * PS)), (ssize_t) PS);
	}
}

static bool fpr_page_is(const volatile uint64_t *p, uint64_t off)
{
	for (size_t i = 0; i < PS / 8; i++)
		if (p[i] != fpr_word(off + i * 8))
			return false;
	return true;
}

/* Kill the file pager under mappings: the named successor takes the
 * shared ones over (their clean pages fault again, a synced store is
 * there, an unsynced one is lost), refuses the private one (its task
 * ends at its next fault), and the VFS serves files through it again. */
UTEST(hw_fpager_restart)
{
	task_id_t fp1, fp2, child;
	UT_ASSERT(fs_ready());
	(void) mkdir(FS_TEST_ROOT, 0755);
	UT_ASSERT(fs_dir_fresh(FPR_DIR));
	UT_ASSERT_OK(fs_fpager_start(&fp1, false));
	int fd = open(FPR_DIR "/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	fpr_fill(fd, 4);
	volatile uint64_t *p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK(fpr_page_is(p + 2 * PS / 8, 2 * PS) && fpr_page_is(p + 3 * PS / 8, 3 * PS));
	p[0] = 0xabc; /* synced: survives */
	UT_CHECK_EQ(msync((void *) p, 4 * PS, MS_SYNC), 0);
	p[PS / 8] = 0xdef; /* only in the pager's memory: lost with it */
	UT_CHECK_OK(task_spawn(TESTER_MODULE,
	    "child:fpr-private " FPR_DIR "/f " FPR_DIR "/stored " FPR_DIR "/restarted", &child));
	struct stat st;
	for (unsigned i = 0; i < 3000 && stat(FPR_DIR "/stored", &st) != 0; i++)
		thread_sleep_us(2000);
	UT_CHECK_EQ(stat(FPR_DIR "/stored", &st), 0);
	task_exit_info_t info;
	UT_CHECK_OK(task_kill(fp1));
	UT_CHECK_OK(task_wait(fp1, &info));
	UT_ASSERT_OK(fs_fpager_start(&fp2, true));
	UT_CHECK(fpr_page_is(p + 2 * PS / 8, 2 * PS) && fpr_page_is(p + 3 * PS / 8, 3 * PS));
	UT_CHECK_EQ(p[0], 0xabcu);
	UT_CHECK_EQ(p[PS / 8], fpr_word(PS)); /* the unsynced store went with the pager */
	p[3 * PS / 8 + 5] = 0x777; /* the successor tracks new stores */
	UT_CHECK_EQ(msync((void *) p, 4 * PS, MS_SYNC), 0);
	uint64_t w = 0;
	UT_CHECK(pread(fd, &w, 8, 3 * PS + 40) == 8 && w == 0x777);
	close(open(FPR_DIR "/restarted", O_CREAT | O_RDWR, 0644));
	UT_CHECK_OK(task_wait(child, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	utest_note("the private mapping's task: %s", info.message);
	UT_CHECK_EQ(munmap((void *) p, 4 * PS), 0);
	close(fd);
	/* the next test starts a pager of its own */
	UT_CHECK_OK(task_kill(fp2));
	UT_CHECK_OK(task_wait(fp2, &info));
}

/* Wait (at most 3 s) until the volume's free counts are @a want's. */
static bool fpr_counts_are(const char *dir, const struct statvfs *want)
{
	struct statvfs v;
	for (unsigned i = 0; i < 300; i++) {
		if (statvfs(dir, &v) == 0 && v.f_ffree == want->f_ffree &&
		    v.f_bfree == want->f_bfree)
			return true;
		thread_sleep_us(10000);
	}
	utest_note("free inodes %llu (want %llu), free blocks %llu (want %llu)",
	    (unsigned long long) v.f_ffree, (unsigned long long) want->f_ffree,
	    (unsigned long long) v.f_bfree, (unsigned long long) want->f_bfree);
	return false;
}

#define FPD_DIR FS_TEST_ROOT "/fpdead"

/* The file pager killed while its mapping alone holds an unlinked file:
 * the file system server closes the dead pager's opens when its
 * connections hang up, so the file's inode and blocks are free again (not
 * kept until the volume is mounted again); the successor finds the file
 * gone and does not take the mapping over. */
UTEST(hw_fpager_dead_opens)
{
	task_id_t fp, next;
	struct statvfs v0, v1;
	task_exit_info_t info;
	UT_ASSERT(fs_ready());
	(void) mkdir(FS_TEST_ROOT, 0755);
	UT_ASSERT(fs_dir_fresh(FPD_DIR));
	UT_ASSERT_OK(fs_fpager_start(&fp, false));
	UT_ASSERT_EQ(statvfs(FPD_DIR, &v0), 0);
	int fd = open(FPD_DIR "/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	fpr_fill(fd, 8);
	volatile uint64_t *p = mmap(NULL, 8 * PS, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK(
	    fpr_page_is(p + 5 * PS / 8, 5 * PS)); /* supplied: the view is kept for a successor */
	close(fd);
	UT_CHECK_EQ(unlink(FPD_DIR "/f"), 0);
	/* only the pager's open for the mapping holds it now */
	UT_CHECK(statvfs(FPD_DIR, &v1) == 0 && v1.f_ffree + 1 == v0.f_ffree &&
	    v1.f_bfree + 8 <= v0.f_bfree);
	UT_CHECK_OK(task_kill(fp));
	UT_CHECK_OK(task_wait(fp, &info));
	UT_CHECK(fpr_counts_are(FPD_DIR, &v0));
	UT_ASSERT_OK(fs_fpager_start(&next, true));
	UT_CHECK_EQ(munmap((void *) p, 8 * PS), 0);
	/* the successor serves files */
	static const char text[] = "served by the successor\n";
	UT_CHECK_EQ(fs_file_put(FPD_DIR "/g", text, sizeof(text)), 0);
	UT_CHECK(fs_file_is(FPD_DIR "/g", text, sizeof(text)));
	UT_CHECK_OK(task_kill(next));
	UT_CHECK_OK(task_wait(next, &info));
}

/* ---- a file larger than the machine ---- */

#define FPB_PATH "/big"

/* /big (made by tools/test.sh) holds at each 8-byte word its offset. */
static bool fpb_page_ok(const volatile uint64_t *p, uint64_t off)
{
	for (size_t i = 0; i < PS / 8; i += 61)
		if (p[i] != off + i * 8)
			return false;
	return p[PS / 8 - 1] == off + PS - 8;
}

static uint64_t fpb_free(void)
{
	mem_stats_t ms;
	return mem_stats(&ms) == EOK ? ms.free_frames : 0;
}

/* Map /big (twice the machine's memory), read it all in order and 3,000
 * pages at random, every page checked; the cache keeps a bounded part.
 * The kernel's low-memory notice makes the file pager give memory back;
 * when the file's last name goes, the memory its pages held comes back. */
UTEST(hw_fpager_big_file)
{
	struct stat st;
	mem_stats_t ms;
	UT_ASSERT(fs_ready() && stat(FPB_PATH, &st) == 0 && mem_stats(&ms) == EOK);
	uint64_t size = (uint64_t) st.st_size, start = fpb_free();
	utest_note("/big: %llu MiB, memory %llu MiB", (unsigned long long) (size >> 20),
	    (unsigned long long) (ms.total_frames * PS >> 20));
	UT_CHECK(size >= 2 * ms.total_frames * PS);
	int fd = open(FPB_PATH, O_RDONLY);
	UT_ASSERT(fd >= 0);
	volatile uint64_t *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK_EQ(madvise((void *) p, size, MADV_SEQUENTIAL), 0);
	uint64_t bad = 0;
	for (uint64_t off = 0; off < size; off += PS)
		bad += !fpb_page_ok(p + off / 8, off);
	uint64_t x = 12345;
	for (unsigned i = 0; i < 3000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t off = (x >> 20) % (size / PS) * PS;
		bad += !fpb_page_ok(p + off / 8, off);
	}
	UT_CHECK_EQ(bad, 0u);
	UT_CHECK_EQ(munmap((void *) p, size), 0);
	uint64_t cached = fpb_free();
	UT_CHECK_OK(pager_low_memory_test(PAGER_ROLE_FILE));
	uint64_t after = cached;
	for (unsigned i = 0; i < 200 && after < cached + 256; i++) {
		thread_sleep_us(10000);
		after = fpb_free();
	}
	utest_note("free frames: %llu at the start, %llu with the file cached, %llu after the "
	           "low-memory notice",
	    (unsigned long long) start, (unsigned long long) cached, (unsigned long long) after);
	UT_CHECK(after >= cached + 256);
	close(fd);
	UT_CHECK_EQ(unlink(FPB_PATH), 0);
	/* what may stay: the page tables that mapped the file here (one per
	 * 2 MiB) and the cache in the file pager (its pool is at most half
	 * the memory), the anon pager's records of the pool's chunks
	 * (one per 64 KiB, 64 to a page) and a few more */
	uint64_t pool = ms.total_frames / 2;
	uint64_t slack = size / (2u << 20) + pool / 512 + pool / 16 / 64 + 24;
	uint64_t end = fpb_free();
	for (unsigned i = 0; i < 200 && end + slack < start; i++) {
		thread_sleep_us(10000);
		end = fpb_free();
	}
	utest_note("free frames after the unlink: %llu (%llu may stay)", (unsigned long long) end,
	    (unsigned long long) slack);
	UT_CHECK(end + slack >= start); /* the cache's memory came back */
}

int child_fpager_main(int argc, char **argv, bool *found)
{
	*found = strcmp(argv[0], "child:fpr-private") == 0;
	return *found ? child_fpr_private(argc, argv) : 0;
}
