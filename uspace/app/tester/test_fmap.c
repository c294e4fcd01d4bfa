/*
 * Mapped files through the file pager (docs/file-pager.md): offsets,
 * coherence between mappings and read()/write(), private copy-on-write,
 * durability (checked on the host after the run: tools/test.sh suite fs,
 * the files under /fsapi/fmap), the store/msync race, two tasks writing
 * one dirty page, truncation under mappings.  hw_ tests: they need the
 * storage stack with the file pager (the kernel word "fs").
 *
 * The files the host checks hold fmap_byte(seed, offset); tools/test.sh
 * computes the same bytes.
 */
#include "fs.h"
#include "tester.h"
#include <abi/fpager.h>
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
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define PS 4096u
#define FMAP_DIR FS_TEST_ROOT "/fmap"

/* The bytes of the host-checked files (tools/test.sh has the same). */
uint8_t fmap_byte(unsigned seed, uint64_t off)
{
	return (uint8_t) ((off >> 3) * 131u + seed * 17u + (off & 7));
}

void fmap_fill(uint8_t *p, size_t len, unsigned seed, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		p[i] = fmap_byte(seed, off + i);
}

bool fmap_is(const uint8_t *p, size_t len, unsigned seed, uint64_t off)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != fmap_byte(seed, off + i)) {
			utest_note("byte %llu: %u, want %u", (unsigned long long) (off + i), p[i],
			    fmap_byte(seed, off + i));
			return false;
		}
	}
	return true;
}

/* FMAP_DIR/@a sub, fresh (the parents made if missing). */
static bool fmap_dir(const char *sub)
{
	char path[96];
	if (!fs_ready())
		return false;
	(void) mkdir(FS_TEST_ROOT, 0755);
	(void) mkdir(FMAP_DIR, 0755);
	snprintf(path, sizeof(path), FMAP_DIR "/%s", sub);
	return fs_dir_fresh(path);
}

/* A file of @a len bytes of fmap_byte(seed), written with write(). */
static int fmap_file(const char *path, size_t len, unsigned seed)
{
	static uint8_t buf[16 * PS];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (size_t off = 0; fd >= 0 && off < len;) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		fmap_fill(buf, n, seed, off);
		if (write(fd, buf, n) != (ssize_t) n) {
			close(fd);
			return -1;
		}
		off += n;
	}
	return fd;
}

/* Offsets: a mapping at file offset 4 pages shows at each page that
 * page's own bytes, touched in any order, and so do the pieces of
 * mappings split by munmap and mprotect before their first touch. */
UTEST(hw_fmap_offsets)
{
	UT_ASSERT(fmap_dir("offsets"));
	int fd = fmap_file(FMAP_DIR "/offsets/f", 16 * PS, 1);
	UT_ASSERT(fd >= 0);
	uint8_t *p = mmap(NULL, 8 * PS, PROT_READ, MAP_SHARED, fd, 4 * PS);
	if (p == MAP_FAILED)
		utest_note("mmap: %s", strerror(errno));
	UT_ASSERT(p != MAP_FAILED);
	for (unsigned k = 0; k < 8; k++) {
		unsigned pg = (k * 5 + 3) % 8; /* an order that is not the file's */
		UT_CHECK(fmap_is(p + pg * PS, PS, 1, (4 + pg) * PS));
	}
	UT_CHECK_EQ(munmap(p, 8 * PS), 0);
	p = mmap(NULL, 8 * PS, PROT_READ, MAP_SHARED, fd, 2 * PS);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK_EQ(munmap(p + 3 * PS, 2 * PS), 0);
	UT_CHECK(fmap_is(p + 6 * PS, PS, 1, 8 * PS));
	UT_CHECK(fmap_is(p + 2 * PS, PS, 1, 4 * PS));
	UT_CHECK_EQ(munmap(p, 8 * PS), 0);
	p = mmap(NULL, 6 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PS);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK_EQ(mprotect(p + 2 * PS, 2 * PS, PROT_READ), 0);
	UT_CHECK(fmap_is(p + 5 * PS, PS, 1, 6 * PS));
	UT_CHECK(fmap_is(p + 3 * PS, PS, 1, 4 * PS));
	UT_CHECK(fmap_is(p, PS, 1, PS));
	UT_CHECK_EQ(munmap(p, 6 * PS), 0);
	/* offsets must be page multiples; a descriptor not open is EBADF */
	UT_CHECK(mmap(NULL, PS, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED && errno == EINVAL);
	UT_CHECK_EQ(close(fd), 0);
	UT_CHECK(mmap(NULL, PS, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EBADF);
}

/* The child of hw_fmap_coherence and hw_fmap_durable: map argv[1]
 * shared, check word 0 of page 0 is argv[2], store argv[3] at word
 * argv[4] (word 1 of page 1 without it). */
static int child_fmap_store(int argc, char **argv)
{
	if (argc < 4)
		return 10;
	int fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return 11;
	volatile uint64_t *p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 12;
	if (p[0] != strtoul(argv[2], NULL, 0))
		return 13;
	p[argc > 4 ? strtoul(argv[4], NULL, 0) % (2 * PS / 8) : PS / 8 + 1] = strtoul(
	    argv[3], NULL, 0);
	return 0;
}

static void fmap_coherence_private(int fd, uint8_t *shared)
{
	uint8_t *priv = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	UT_ASSERT(priv != MAP_FAILED);
	UT_CHECK_EQ(memcmp(priv, shared, 4 * PS), 0);
	priv[10] = 0xee; /* a page of its own from now on */
	uint8_t b = 0;
	UT_CHECK(pread(fd, &b, 1, 10) == 1 && b != 0xee);
	UT_CHECK(shared[10] != 0xee);
	UT_CHECK_EQ(pwrite(fd, "Z", 1, 11), 1);
	UT_CHECK(priv[11] != 'Z'); /* its own page: not the file's any more */
	UT_CHECK_EQ(pwrite(fd, "Y", 1, 2 * PS + 5), 1);
	UT_CHECK_EQ(priv[2 * PS + 5], 'Y'); /* a page it never wrote: the file's */
	UT_CHECK_EQ(munmap(priv, 4 * PS), 0);
	UT_CHECK(pread(fd, &b, 1, 10) == 1 && b != 0xee);
}

/* write() is seen through mappings, a store through one is seen by
 * read() and by another mapping, in this task and in another; a private
 * mapping's stores are seen by nobody else. */
UTEST(hw_fmap_coherence)
{
	char path[96], args[160];
	UT_ASSERT(fmap_dir("coh"));
	snprintf(path, sizeof(path), "%s", FMAP_DIR "/coh/f");
	int fd = fmap_file(path, 4 * PS, 2);
	UT_ASSERT(fd >= 0);
	uint8_t *a = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *b = mmap(NULL, 4 * PS, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(a != MAP_FAILED && b != MAP_FAILED);
	UT_CHECK(fmap_is(a, 4 * PS, 2, 0));
	UT_CHECK_EQ(pwrite(fd, "written", 7, PS + 100), 7);
	UT_CHECK(
	    memcmp(a + PS + 100, "written", 7) == 0 && memcmp(b + PS + 100, "written", 7) == 0);
	memcpy(a + 3 * PS + 8, "stored", 6);
	char got[8] = { 0 };
	UT_CHECK(pread(fd, got, 6, 3 * PS + 8) == 6 && memcmp(got, "stored", 6) == 0);
	UT_CHECK(memcmp(b + 3 * PS + 8, "stored", 6) == 0);
	/* another task */
	*(volatile uint64_t *) a = 0x1234abcd;
	task_exit_info_t info;
	snprintf(args, sizeof(args), "child:fmap-store %s 0x1234abcd 0x5eed", path);
	UT_CHECK_OK(child_run(args, &info));
	UT_CHECK(info.reason == TASK_EXIT_NORMAL && info.status == 0);
	if (info.reason != TASK_EXIT_NORMAL || info.status != 0)
		utest_note("child: %s, status %d", info.message, info.status);
	UT_CHECK_EQ(((volatile uint64_t *) b)[PS / 8 + 1], 0x5eedu);
	fmap_coherence_private(fd, a);
	UT_CHECK_EQ(munmap(a, 4 * PS), 0);
	UT_CHECK_EQ(munmap(b, 4 * PS), 0);
	UT_CHECK_EQ(close(fd), 0);
}

/* A read-only descriptor maps shared read-only only; privately anything. */
UTEST(hw_fmap_access)
{
	UT_ASSERT(fmap_dir("acc"));
	int fd = fmap_file(FMAP_DIR "/acc/f", 2 * PS, 3);
	UT_ASSERT(fd >= 0);
	UT_CHECK_EQ(close(fd), 0);
	fd = open(FMAP_DIR "/acc/f", O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_CHECK(mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	    errno == EACCES);
	uint8_t *r = mmap(NULL, PS, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(r != MAP_FAILED);
	UT_CHECK(mprotect(r, PS, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
	UT_CHECK(fmap_is(r, PS, 3, 0));
	uint8_t *w = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	UT_ASSERT(w != MAP_FAILED);
	w[0] = (uint8_t) (w[0] + 1);
	UT_CHECK(r[0] == fmap_byte(3, 0) && w[0] == (uint8_t) (fmap_byte(3, 0) + 1));
	UT_CHECK_EQ(munmap(w, PS), 0);
	UT_CHECK_EQ(munmap(r, PS), 0);
	int dfd = open(FMAP_DIR "/acc", O_RDONLY | O_DIRECTORY);
	UT_CHECK(dfd >= 0 && mmap(NULL, PS, PROT_READ, MAP_PRIVATE, dfd, 0) == MAP_FAILED &&
	    errno == ENOTSUP);
	close(dfd);
	close(fd);
}

/* Durability, checked by the host after the run: stores + msync; stores
 * + munmap; stores left mapped until the shutdown; a file grown by
 * ftruncate and written through a mapping; a page two tasks stored into. */
UTEST(hw_fmap_durable)
{
	char args[160];
	UT_ASSERT(fmap_dir("dur"));
	static const struct {
		const char *name;
		unsigned seed;
		size_t len;
	} f[] = { { "msync", 11, 4 * PS }, { "munmap", 12, 4 * PS }, { "open", 13, 3 * PS },
		{ "grown", 14, 3 * PS + 100 } };
	for (unsigned i = 0; i < 4; i++) {
		char path[96];
		snprintf(path, sizeof(path), FMAP_DIR "/dur/%s", f[i].name);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		UT_ASSERT(fd >= 0);
		UT_CHECK_EQ(ftruncate(fd, (off_t) (i == 3 ? PS : f[i].len)), 0);
		if (i == 3)
			UT_CHECK_EQ(ftruncate(fd, (off_t) f[i].len), 0); /* grown */
		uint8_t *p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		UT_ASSERT(p != MAP_FAILED);
		fmap_fill(p, f[i].len, f[i].seed, 0);
		if (i == 0)
			UT_CHECK_EQ(msync(p, 4 * PS, MS_SYNC), 0);
		if (i != 2) /* "open" stays mapped: the shutdown writes it */
			UT_CHECK_EQ(munmap(p, 4 * PS), 0);
		UT_CHECK_EQ(close(fd), 0);
	}
	/* two tasks store into one page (the second finds it dirty:
	 * SerenityOS lost or crashed on this) */
	int fd = open(FMAP_DIR "/dur/two", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	UT_CHECK_EQ(ftruncate(fd, 2 * PS), 0);
	volatile uint64_t *p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	p[0] = 0x1111;
	task_exit_info_t info;
	snprintf(args, sizeof(args), "child:fmap-store %s 0x1111 0x2222 1", FMAP_DIR "/dur/two");
	UT_CHECK_OK(child_run(args, &info));
	UT_CHECK(info.reason == TASK_EXIT_NORMAL && info.status == 0);
	UT_CHECK_EQ(munmap((void *) p, 2 * PS), 0);
	UT_CHECK_EQ(fsync(fd), 0);
	UT_CHECK_EQ(close(fd), 0);
}

#define FMAP_RACE_PAGES 64u

typedef struct fmap_race {
	volatile uint64_t *page;
	volatile bool stop;
	volatile uint64_t stores;
} fmap_race_t;

static int fmap_race_storer(void *arg)
{
	fmap_race_t *r = arg;
	uint64_t n = 0;
	while (!r->stop) {
		n++;
		r->page[(n % FMAP_RACE_PAGES) * (PS / 8) + (n / FMAP_RACE_PAGES) % (PS / 8)] = n;
		r->stores = n;
	}
	return 0;
}

/* One thread stores a counter into 64 pages all the time while this one
 * msyncs them in a loop (a write-back takes long enough that the timer
 * switches to the storer in the middle of some: stores race the
 * write-protect and the write); after the last msync the pages on the
 * disk are the pages in memory (the host compares race.bin with
 * race.expect, the memory's copy written with write()). */
UTEST(hw_fmap_msync_race)
{
	const size_t len = FMAP_RACE_PAGES * PS;
	UT_ASSERT(fmap_dir("race"));
	int fd = open(FMAP_DIR "/race/race.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	UT_CHECK_EQ(ftruncate(fd, (off_t) len), 0);
	fmap_race_t r = { 0 };
	r.page = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(r.page != MAP_FAILED);
	tid_t tid;
	UT_ASSERT_OK(thread_create(fmap_race_storer, &r, &tid));
	while (r.stores == 0)
		thread_yield();
	unsigned syncs = 0, raced = 0;
	uint64_t t0 = uptime_ns_now();
	for (; raced < 20 && uptime_ns_now() - t0 < 4000000000ull; syncs++) {
		uint64_t before = r.stores;
		if (!UT_CHECK_EQ(msync((void *) r.page, len, MS_SYNC), 0))
			break;
		if (r.stores != before)
			raced++;
	}
	UT_CHECK(raced > 0);
	r.stop = true;
	UT_CHECK_OK(thread_join(tid, NULL));
	UT_CHECK_EQ(msync((void *) r.page, len, MS_SYNC), 0);
	static uint8_t copy[FMAP_RACE_PAGES * PS];
	memcpy(copy, (const void *) r.page, len);
	utest_note("%u msyncs, %u with stores during them, %llu stores", syncs, raced,
	    (unsigned long long) r.stores);
	int e = open(FMAP_DIR "/race/race.expect", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_CHECK(e >= 0 && write(e, copy, len) == (ssize_t) len);
	close(e);
	UT_CHECK_EQ(munmap((void *) r.page, len), 0);
	close(fd);
}

/* The child of hw_fmap_truncate: map argv[1] shared (4 pages) and load
 * from page 3: beyond the end after the truncation, the load faults. */
static int child_fmap_beyond(int argc, char **argv)
{
	if (argc < 2)
		return 10;
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 11;
	volatile uint8_t *p = mmap(NULL, 4 * PS, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 12;
	return p[3 * PS + 1];
}

/* "child:fmap-held FILE DIR": map FILE (4 pages of fmap_byte(5)), load
 * every page, make DIR/ready, wait for DIR/go (the file cut to PS + 2048
 * meanwhile), then see the zeros after the new end and load page 3, which
 * must end the task.  Exit codes: 10+ setup, 20+ a wrong byte. */
static int child_fmap_held(int argc, char **argv)
{
	char path[96];
	if (argc < 3)
		return 10;
	int fd = open(argv[1], O_RDONLY);
	volatile uint8_t *p = fd < 0 ? MAP_FAILED
	                             : mmap(NULL, 4 * PS, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 11;
	for (unsigned pg = 0; pg < 4; pg++)
		if (p[pg * PS + 1] != fmap_byte(5, pg * PS + 1))
			return 20 + (int) pg;
	snprintf(path, sizeof(path), "%s/ready", argv[2]);
	int r = open(path, O_WRONLY | O_CREAT, 0644);
	if (r < 0)
		return 12;
	close(r);
	snprintf(path, sizeof(path), "%s/go", argv[2]);
	struct stat st;
	for (int i = 0; i < 2000 && stat(path, &st) != 0; i++)
		thread_sleep_us(5000);
	if (p[PS + 3000] != 0)
		return 24;
	return p[3 * PS + 1]; /* beyond the end now: the task ends here */
}

/* The child of hw_fmap_truncate, spawned: it has the file mapped and every
 * page mapped when the file is cut. */
static bool fmap_held_start(task_id_t *id)
{
	struct stat st;
	if (task_spawn(TESTER_MODULE, "child:fmap-held " FMAP_DIR "/trunc/f " FMAP_DIR "/trunc",
	        id) != EOK)
		return false;
	for (int i = 0; i < 2000; i++) {
		if (stat(FMAP_DIR "/trunc/ready", &st) == 0)
			return true;
		thread_sleep_us(5000);
	}
	return false;
}

/* ftruncate down while mapped in two tasks (each with every page mapped):
 * the pages beyond leave every mapping (a load there ends the other task
 * with the reason), the page holding the new end reads zeros after it in
 * both; a task mapping the file afterwards faults there too; growing
 * again shows zeros. */
UTEST(hw_fmap_truncate)
{
	UT_ASSERT(fmap_dir("trunc"));
	int fd = fmap_file(FMAP_DIR "/trunc/f", 4 * PS, 5);
	UT_ASSERT(fd >= 0);
	volatile uint8_t *p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK_EQ(p[3 * PS + 1], fmap_byte(5, 3 * PS + 1));
	p[PS + 3000] = 0x77;
	task_id_t held;
	task_exit_info_t info;
	UT_ASSERT(fmap_held_start(&held));
	UT_CHECK_EQ(ftruncate(fd, PS + 2048), 0);
	UT_CHECK_EQ(p[PS + 100], fmap_byte(5, PS + 100));
	UT_CHECK_EQ(p[PS + 3000], 0); /* beyond the end in the last page: zeros */
	int go = open(FMAP_DIR "/trunc/go", O_WRONLY | O_CREAT, 0644);
	UT_CHECK(go >= 0);
	close(go);
	UT_CHECK_OK(task_wait(held, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	utest_note("the other task's load beyond the end: %s", info.message);
	UT_CHECK(strstr(info.message, "ERANGE") != NULL);
	UT_CHECK_OK(child_run("child:fmap-beyond " FMAP_DIR "/trunc/f", &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	utest_note("a load beyond the end: %s", info.message);
	UT_CHECK(strstr(info.message, "ERANGE") != NULL);
	UT_CHECK_EQ(ftruncate(fd, 4 * PS), 0);
	UT_CHECK_EQ(p[3 * PS + 1], 0);
	UT_CHECK_EQ(p[PS + 3000], 0);
	UT_CHECK_EQ(p[2 * PS + 7], 0);
	uint8_t b = 1;
	UT_CHECK(pread(fd, &b, 1, 3 * PS + 1) == 1 && b == 0);
	UT_CHECK_EQ(munmap((void *) p, 4 * PS), 0);
	close(fd);
}

/* More dirty pages than the bound: the storing faults wait for
 * write-backs (dirty pages never pass the bound by more than a run), at
 * most as many writes are in flight as the pager has connections, and
 * everything reaches the disk (the host checks dirty.bin: each page
 * starts with its index, the rest zeros). */
UTEST(hw_fmap_dirty_bound)
{
	uint64_t c[5], w[5];
	UT_ASSERT(fmap_dir("bound") && fpager_stats(FPAGER_STATS_CACHE, c));
	uint64_t bound = c[4], pages = bound + bound / 2;
	int fd = open(FMAP_DIR "/bound/dirty.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0 && ftruncate(fd, (off_t) (pages * PS)) == 0);
	volatile uint64_t *p = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	for (uint64_t pg = 0; pg < pages; pg++)
		p[pg * PS / 8] = pg;
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && fpager_stats(FPAGER_STATS_WB, w));
	utest_note("%llu pages stored, bound %llu: at most %llu dirty, %llu writes in flight",
	    (unsigned long long) pages, (unsigned long long) bound, (unsigned long long) c[3],
	    (unsigned long long) w[2]);
	UT_CHECK(c[3] <= bound + 1);
	UT_CHECK(w[2] >= 1 && w[2] <= 3);
	UT_CHECK_EQ(munmap((void *) p, pages * PS), 0);
	UT_CHECK_EQ(close(fd), 0);
	int e = open(FMAP_DIR "/bound/pages", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char n[32];
	int len = snprintf(n, sizeof(n), "%llu\n", (unsigned long long) pages);
	UT_CHECK(e >= 0 && write(e, n, (size_t) len) == len);
	close(e);
}

static errno_t fmap_fail_writes(unsigned count, errno_t err)
{
	cap_handle_t phone;
	errno_t rc = ns_connect(FPAGER_NAME, &phone);
	if (rc == EOK) {
		rc = ipc_request(
		    phone, FPAGER_TEST_FAIL_WRITES, count, (uint64_t) err, 0, 0, 0, NULL);
		ipc_hangup(phone);
	}
	return rc;
}

/* A write-back that fails (injected at the file pager's write): the
 * pages stay dirty, msync and fsync report the error once, the next
 * write-back writes them (the host checks the file holds the last
 * stores). */
UTEST(hw_fmap_wb_error)
{
	uint64_t before[5], after[5];
	UT_ASSERT(fmap_dir("wberr"));
	int fd = open(FMAP_DIR "/wberr/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0 && ftruncate(fd, 2 * PS) == 0);
	uint8_t *p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	fmap_fill(p, 2 * PS, 20, 0);
	UT_CHECK_EQ(msync(p, 2 * PS, MS_SYNC), 0);
	UT_ASSERT(fpager_stats(FPAGER_STATS_WB, before));
	fmap_fill(p, 2 * PS, 21, 0);
	UT_ASSERT_OK(fmap_fail_writes(1, EIO));
	UT_CHECK(msync(p, 2 * PS, MS_SYNC) == -1 && errno == EIO);
	UT_CHECK(fpager_stats(FPAGER_STATS_WB, after) && after[1] == before[1] + 1);
	uint64_t c[5];
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] >= 1); /* still dirty */
	UT_CHECK_EQ(msync(p, 2 * PS, MS_SYNC), 0); /* retried: written */
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] == 0);
	fmap_fill(p + PS, PS, 22, PS); /* page 1 only */
	UT_ASSERT_OK(fmap_fail_writes(1, EIO));
	UT_CHECK(fsync(fd) == -1 && errno == EIO);
	UT_CHECK_EQ(fsync(fd), 0);
	UT_CHECK_EQ(munmap(p, 2 * PS), 0);
	close(fd);
}

/* The file pager's counter @a idx of @a group once it is at least @a want
 * (@a rising) or at most @a want (polled up to about ten seconds); in @a v
 * the last counters read.  False if it did not get there. */
static bool fmap_stat_wait(unsigned group, unsigned idx, bool rising, uint64_t want, uint64_t v[5])
{
	for (int i = 0; i < 2000; i++) {
		if (!fpager_stats(group, v))
			return false;
		if (rising ? v[idx] >= want : v[idx] <= want)
			return true;
		thread_sleep_us(5000);
	}
	return false;
}

/* msync(MS_ASYNC) starts the write-back and returns: the pager's
 * write-back thread writes the range (its count of queued write-backs
 * moves, and the pages are clean without another msync, fsync or close);
 * a write it could not do is not this call's error but the next
 * msync(MS_SYNC)'s, which writes the pages (the host checks that the file
 * holds the last stores). */
UTEST(hw_fmap_msync_async)
{
	uint64_t a0[5], a[5], c[5];
	UT_ASSERT(fmap_dir("async"));
	int fd = open(FMAP_DIR "/async/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0 && ftruncate(fd, 4 * PS) == 0);
	uint8_t *p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_ASSERT(fpager_stats(FPAGER_STATS_TRIGGER, a0));
	fmap_fill(p, 4 * PS, 23, 0);
	UT_CHECK_EQ(msync(p, 4 * PS, MS_ASYNC), 0);
	UT_CHECK(fmap_stat_wait(FPAGER_STATS_TRIGGER, 1, true, a0[1] + 1, a) && a[0] == a0[0] + 1);
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] == 0);
	fmap_fill(p, 4 * PS, 24, 0);
	UT_ASSERT_OK(fmap_fail_writes(1, EIO));
	UT_CHECK_EQ(msync(p, 4 * PS, MS_ASYNC | MS_INVALIDATE), 0);
	UT_CHECK(fmap_stat_wait(FPAGER_STATS_TRIGGER, 1, true, a0[1] + 2, a));
	UT_CHECK(msync(p, 4 * PS, MS_SYNC) == -1 && errno == EIO);
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] == 0);
	UT_CHECK_EQ(msync(p, 4 * PS, MS_SYNC), 0);
	UT_CHECK_EQ(munmap(p, 4 * PS), 0);
	close(fd);
}

/* A failure seen in other systems: msync made by evicting the file's
 * pages, so that every msync read the whole mapping from the disk again
 * (thrashing).  Here msync writes back and keeps the pages: after stores
 * to 64 cached pages and an msync they are clean, and reading them again,
 * through the mapping and with pread, reads nothing from the disk. */
UTEST(hw_fmap_msync_keeps_cache)
{
	static uint8_t buf[PS];
	uint64_t io0[5], io1[5], c[5];
	UT_ASSERT(fmap_dir("keep"));
	int fd = fmap_file(FMAP_DIR "/keep/f", 64 * PS, 40);
	UT_ASSERT(fd >= 0);
	uint8_t *p = mmap(NULL, 64 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK(fmap_is(p, 64 * PS, 40, 0)); /* every page in the cache now */
	fmap_fill(p, 64 * PS, 41, 0);
	UT_ASSERT(fpager_stats(FPAGER_STATS_IO, io0));
	UT_CHECK_EQ(msync(p, 64 * PS, MS_SYNC), 0);
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] == 0);
	UT_CHECK(fmap_is(p, 64 * PS, 41, 0));
	bool same = true;
	for (unsigned pg = 0; pg < 64 && same; pg++)
		same = pread(fd, buf, PS, (off_t) pg * PS) == PS && fmap_is(buf, PS, 41, pg * PS);
	UT_CHECK(same);
	UT_CHECK(fpager_stats(FPAGER_STATS_IO, io1) && io1[1] == io0[1]);
	UT_CHECK_EQ(munmap(p, 64 * PS), 0);
	close(fd);
}

/* A failure seen in other systems: the dirty pages of a mapping unmapped
 * without msync stayed dirty, pinned, and their memory could never be
 * reclaimed.  Here the last unmap writes them back (the descriptor is
 * still open, so no close does it): once the pager counts that write-back
 * done, the dirty count is back where it was -- at once, not at the age
 * bound -- and the host finds the stores on the disk. */
UTEST(hw_fmap_unmap_dirty_written)
{
	uint64_t t0[5], t[5], c[5] = { 0 };
	UT_ASSERT(fmap_dir("pin"));
	(void) fmap_stat_wait(FPAGER_STATS_CACHE, 2, false, 0, c); /* other tests' pages written */
	uint64_t before = c[2];
	int fd = open(FMAP_DIR "/pin/f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0 && ftruncate(fd, 32 * PS) == 0);
	uint8_t *p = mmap(NULL, 32 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	fmap_fill(p, 32 * PS, 42, 0);
	UT_ASSERT(fpager_stats(FPAGER_STATS_TRIGGER, t0));
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] >= before + 32);
	UT_CHECK_EQ(munmap(p, 32 * PS), 0);
	/* The unmap's write-back comes with the area's last notice.  The
	 * dirty count is looked at only when a last-unmap write-back has just
	 * ended (one of an earlier test's mappings may end first), never
	 * after a mere wait, which the age bound would make pass. */
	uint64_t seen = t0[3];
	bool back = false;
	for (int i = 0; i < 2000 && !back; i++) {
		UT_ASSERT(fpager_stats(FPAGER_STATS_TRIGGER, t));
		if (t[3] == seen) {
			thread_sleep_us(5000);
			continue;
		}
		seen = t[3];
		back = fpager_stats(FPAGER_STATS_CACHE, c) && c[2] <= before;
	}
	UT_CHECK(back);
	close(fd);
}

/*
 * A write-back failing at the disk (tools/test.sh suite fmap-ioerr): the
 * host put /wberr.bin on the image (FMAP_IOERR_SIZE bytes of fmap_byte(30):
 * three blocks, the last one only partly the file's) and QEMU fails every
 * write touching its first or its last block (qemu.sh wrerr=, blkdebug).
 * msync of a page there fails with EIO and the page stays dirty (readers
 * see the stores); the block the file system server had cached (the
 * file's tail, read through its block cache) is no different from the
 * one it writes straight (the first); the middle page is written; other
 * files are written as ever.  The file is then given up (its pages go
 * with its name), so the volume unmounts cleanly; the host checks that
 * the failing blocks hold the bytes it wrote and the middle one the new
 * ones.
 */
#define FMAP_IOERR_SIZE (3 * PS - 100)

static void fmap_ioerr_others(void)
{
	int fd = fmap_file(FMAP_DIR "/wbio/ok.bin", 3 * PS + 17, 34);
	UT_CHECK(fd >= 0 && fsync(fd) == 0);
	close(fd);
	fd = open(FMAP_DIR "/wbio/map.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0 && ftruncate(fd, 2 * PS) == 0);
	uint8_t *p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	fmap_fill(p, 2 * PS, 35, 0);
	UT_CHECK_EQ(msync(p, 2 * PS, MS_SYNC), 0);
	UT_CHECK_EQ(munmap(p, 2 * PS), 0);
	close(fd);
}

UTEST(hw_fmap_wb_ioerr)
{
	uint64_t c[5], w0[5], w1[5];
	struct stat st;
	UT_ASSERT(fmap_dir("wbio"));
	int fd = open("/wberr.bin", O_RDWR);
	UT_ASSERT(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == FMAP_IOERR_SIZE);
	uint8_t *p = mmap(NULL, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	UT_CHECK(fmap_is(p, FMAP_IOERR_SIZE, 30, 0));
	UT_ASSERT(fpager_stats(FPAGER_STATS_WB, w0));
	fmap_fill(p + 2 * PS, FMAP_IOERR_SIZE - 2 * PS, 31, 2 * PS); /* the tail */
	UT_CHECK(msync(p + 2 * PS, PS, MS_SYNC) == -1 && errno == EIO);
	fmap_fill(p, PS, 32, 0); /* the first page */
	UT_CHECK(msync(p, PS, MS_SYNC) == -1 && errno == EIO);
	UT_CHECK(fpager_stats(FPAGER_STATS_WB, w1) && w1[1] >= w0[1] + 2);
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] >= 2); /* still dirty */
	fmap_fill(p + PS, PS, 33, PS); /* the middle page: its write succeeds */
	UT_CHECK_EQ(msync(p + PS, PS, MS_SYNC), 0);
	UT_CHECK(msync(p, 3 * PS, MS_SYNC) == -1 && errno == EIO); /* retried, failing */
	static uint8_t back[3 * PS];
	UT_CHECK(pread(fd, back, sizeof(back), 0) == FMAP_IOERR_SIZE);
	UT_CHECK(fmap_is(back, PS, 32, 0) && fmap_is(back + PS, PS, 33, PS) &&
	    fmap_is(back + 2 * PS, FMAP_IOERR_SIZE - 2 * PS, 31, 2 * PS));
	fmap_ioerr_others();
	UT_CHECK_EQ(munmap(p, 3 * PS), 0);
	close(fd);
	UT_CHECK_EQ(unlink("/wberr.bin"), 0);
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, c) && c[2] == 0); /* gone with the name */
}

/* Read-ahead: a file read forwards with read() and another walked
 * forwards through a mapping get their next pages read before they are
 * asked for (the counter of read-aheads grows, fewer pages miss than
 * there are pages), and every byte is right. */
UTEST(hw_fmap_readahead)
{
	static uint8_t buf[16 * 1024];
	uint64_t ra0[5], ra1[5], io0[5], io1[5];
	UT_ASSERT(fmap_dir("ra"));
	int fd = fmap_file(FMAP_DIR "/ra/f", 512 * PS, 30); /* written through: not cached */
	UT_ASSERT(fd >= 0 && fs_volume_bind(FMAP_DIR "/ra/f")); /* (a test run alone) */
	UT_ASSERT(fpager_stats(FPAGER_STATS_RA, ra0) && fpager_stats(FPAGER_STATS_IO, io0));
	bool same = true;
	for (uint64_t off = 0; off < 256 * PS; off += sizeof(buf)) {
		same &= pread(fd, buf, sizeof(buf), (off_t) off) == (ssize_t) sizeof(buf);
		same &= fmap_is(buf, sizeof(buf), 30, off);
	}
	UT_CHECK(same);
	uint8_t *p = mmap(NULL, 256 * PS, PROT_READ, MAP_SHARED, fd, 256 * PS);
	UT_ASSERT(p != MAP_FAILED);
	for (uint64_t pg = 0; pg < 256; pg++)
		same &= p[pg * PS + 7] == fmap_byte(30, (256 + pg) * PS + 7);
	UT_CHECK(same);
	UT_CHECK(fpager_stats(FPAGER_STATS_RA, ra1) && fpager_stats(FPAGER_STATS_IO, io1));
	utest_note("512 pages read: %llu read-aheads, %llu pages read in",
	    (unsigned long long) (ra1[0] - ra0[0]), (unsigned long long) (io1[1] - io0[1]));
	UT_CHECK(ra1[0] - ra0[0] >= 4);
	UT_CHECK_EQ(munmap(p, 256 * PS), 0);
	close(fd);
}

/* A grant from VFS_MMAP on raw connection @a r for @a path opened with
 * @a flags: EOK and *grant, or the error. */
static errno_t fmap_raw_grant(
    const fs_raw_t *r, const char *path, unsigned flags, bool shared, uint64_t *grant)
{
	ipc_msg_t ans;
	int64_t fd = fs_raw_open(r, path, flags);
	if (fd < 0)
		return ENOENT;
	errno_t rc = fs_raw_call(
	    r, VFS_MMAP, (uint64_t) fd, AS_AREA_READ, shared ? VFS_MMAP_SHARED : 0, &ans);
	if (rc == EOK)
		*grant = ans.arg[0];
	(void) fs_raw_call(r, VFS_CLOSE, (uint64_t) fd, 0, 0, NULL);
	return rc;
}

static errno_t fmap_raw_map(uint64_t grant, uint64_t flags)
{
	cap_handle_t phone;
	ipc_msg_t ans;
	errno_t rc = ns_connect(FPAGER_NAME, &phone);
	if (rc == EOK) {
		rc = ipc_request(phone, FPAGER_MAP, grant, flags, 0, 0, 0, &ans);
		ipc_hangup(phone); /* an object never bound goes with the connection */
	}
	return rc;
}

/* The review's findings, each a case that went wrong: a private grant of
 * a read-only descriptor used for a shared (writable) view; a grant used
 * after its file was unlinked (its node could be another file's by
 * then); stores to an unlinked file still open, unmapped before the
 * descriptor is read; stores beyond the end exposed by ftruncate growing
 * the file; a sync that stopped at the first file whose write failed. */
UTEST(hw_fmap_review)
{
	fs_raw_t r;
	uint64_t grant = 0;
	UT_ASSERT(fmap_dir("rev") && fs_raw_connect(&r) == EOK);
	int fd = fmap_file(FMAP_DIR "/rev/ro", 2 * PS, 40);
	UT_ASSERT(fd >= 0);
	close(fd);
	UT_CHECK_OK(fmap_raw_grant(&r, FMAP_DIR "/rev/ro", VFS_O_RDONLY, false, &grant));
	UT_CHECK_ERR(fmap_raw_map(grant, 0), EACCES); /* private grant, shared view */
	UT_CHECK_OK(fmap_raw_grant(&r, FMAP_DIR "/rev/ro", VFS_O_RDONLY, false, &grant));
	UT_CHECK_OK(unlink(FMAP_DIR "/rev/ro"));
	UT_CHECK_ERR(fmap_raw_map(grant, FPAGER_MAP_PRIVATE), ENOENT); /* stale */
	fs_raw_close(&r);
	/* an unlinked file still open keeps what a mapping stored */
	fd = fmap_file(FMAP_DIR "/rev/scratch", PS, 41);
	UT_ASSERT(fd >= 0);
	char *p = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	p[0] = 'M';
	UT_CHECK_OK(unlink(FMAP_DIR "/rev/scratch"));
	UT_CHECK_EQ(munmap(p, PS), 0);
	char c = 0;
	UT_CHECK(pread(fd, &c, 1, 0) == 1 && c == 'M');
	close(fd);
	/* growing a file shows zeros where a mapping stored beyond its end */
	fd = fmap_file(FMAP_DIR "/rev/grow", 100, 42);
	UT_ASSERT(fd >= 0);
	p = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	p[200] = 0x55;
	UT_CHECK_EQ(ftruncate(fd, PS), 0);
	UT_CHECK(pread(fd, &c, 1, 200) == 1 && c == 0 && p[200] == 0);
	UT_CHECK_EQ(munmap(p, PS), 0);
	close(fd);
	/* a sync goes on past a file whose write fails */
	uint64_t st[5];
	int a = fmap_file(FMAP_DIR "/rev/a", PS, 43), b = fmap_file(FMAP_DIR "/rev/b", PS, 44);
	UT_ASSERT(a >= 0 && b >= 0);
	char *pa = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	char *pb = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	UT_ASSERT(pa != MAP_FAILED && pb != MAP_FAILED);
	UT_CHECK_OK(msync(pa, PS, MS_SYNC) == 0 && msync(pb, PS, MS_SYNC) == 0 ? EOK : EIO);
	pa[0] = 1;
	pb[0] = 2;
	UT_ASSERT_OK(fmap_fail_writes(1, EIO));
	sync();
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, st) && st[2] == 1); /* only the failed one */
	/* the failed write's error comes once, with the next msync of its
	 * file; the page is written then */
	UT_CHECK_EQ(msync(pa, PS, MS_SYNC) + msync(pb, PS, MS_SYNC), -1);
	UT_CHECK_EQ(msync(pa, PS, MS_SYNC) + msync(pb, PS, MS_SYNC), 0);
	UT_CHECK(fpager_stats(FPAGER_STATS_CACHE, st) && st[2] == 0);
	munmap(pa, PS);
	munmap(pb, PS);
	close(a);
	close(b);
}

/* One pass of hw_fmap_private_many: @a pages of the file at @a fd mapped
 * privately, each stored to (a copy of its own) and checked, the file
 * unchanged, unmapped. */
static void fmap_private_pass(int fd, size_t pages)
{
	uint8_t *p = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	for (size_t pg = 0; pg < pages; pg++)
		p[pg * PS + 9] = (uint8_t) (p[pg * PS + 9] + 1);
	bool ok = true;
	for (size_t pg = 0; pg < pages; pg++)
		ok &= p[pg * PS + 9] == (uint8_t) (fmap_byte(50, pg * PS + 9) + 1);
	UT_CHECK(ok);
	uint8_t b = 0;
	UT_CHECK(pread(fd, &b, 1, 77 * PS + 9) == 1 && b == fmap_byte(50, 77 * PS + 9));
	UT_CHECK_EQ(munmap(p, pages * PS), 0);
}

/* A private mapping storing to 2,048 pages: each page its own copy (the
 * file unchanged), and their memory back after the unmap.  The first pass
 * leaves what stays by design: the file's pages in the cache, page tables
 * (of the pager's cache and private memory: one a 2 MiB) and the pager's
 * free stack of private pages, a few dozen frames besides the cache.  A
 * second pass then keeps nothing, to the frame and the kernel object (the
 * ledger, by owner, says what if it does). */
UTEST(hw_fmap_private_many)
{
	const size_t pages = 2048;
	uint64_t c0[5], c1[5];
	mem_stats_t m0, m1;
	static frames_ledger_t before, after;
	UT_ASSERT(fmap_dir("priv"));
	int fd = fmap_file(FMAP_DIR "/priv/f", pages * PS, 50);
	UT_ASSERT(fd >= 0);
	UT_ASSERT(fpager_stats(FPAGER_STATS_CACHE, c0) && mem_stats(&m0) == EOK);
	fmap_private_pass(fd, pages);
	/* the view goes when the pager gets the kernel's notice of its last
	 * area (asynchronous): wait for its pages to come back */
	int64_t used = 0, cached = 0;
	for (unsigned i = 0; i < 200; i++) {
		UT_ASSERT(fpager_stats(FPAGER_STATS_CACHE, c1) && mem_stats(&m1) == EOK);
		used = (int64_t) m0.free_frames - (int64_t) m1.free_frames;
		cached = (int64_t) c1[1] - (int64_t) c0[1];
		if (used - cached <= 96)
			break;
		thread_sleep_us(10000);
	}
	utest_note("first pass: %lld frames used after the unmap, %lld of them the cache's",
	    (long long) used, (long long) cached);
	UT_CHECK(used - cached <= 96);
	UT_ASSERT_OK(frames_ledger_take(&before));
	fmap_private_pass(fd, pages);
	UT_ASSERT_OK(frames_ledger_settle(&before, &after));
	int64_t kept = frames_ledger_kept(&before, &after);
	int64_t objects = frames_ledger_objects_kept(&before, &after);
	if (kept > 0 || objects > 0 || after.fp_cached != before.fp_cached)
		frames_ledger_print("hw_fmap_private_many, second pass", &before, &after);
	UT_CHECK(kept <= 0);
	UT_CHECK(objects <= 0);
	UT_CHECK_EQ(after.fp_cached, before.fp_cached);
	close(fd);
}

/* The child of hw_fmap_enospc: map argv[1] (a hole of 16 pages) shared,
 * fill the volume with argv[2] until ENOSPC, store into the hole. */
static int child_fmap_enospc(int argc, char **argv)
{
	static uint8_t buf[64 * 1024];
	if (argc < 3)
		return 10;
	int fd = open(argv[1], O_RDWR);
	volatile uint8_t *p = fd < 0
	    ? MAP_FAILED
	    : mmap(NULL, 16 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int fill = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (p == MAP_FAILED || fill < 0 || p[5 * PS] != 0)
		return 11;
	memset(buf, 0x5a, sizeof(buf));
	while (write(fill, buf, sizeof(buf)) > 0)
		;
	if (errno != ENOSPC)
		return 12;
	(void) fsync(fill);
	p[5 * PS + 3] = 1; /* a hole: its block cannot be had */
	return 13;
}

/* A store into a hole of a mapped file on a full volume: the storing task
 * ends with "pager error ENOSPC" and nothing was written. */
UTEST(hw_fmap_enospc)
{
	UT_ASSERT(fmap_dir("nospc"));
	int fd = open(FMAP_DIR "/nospc/holes", O_RDWR | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0 && ftruncate(fd, 16 * PS) == 0);
	task_exit_info_t info;
	UT_CHECK_OK(
	    child_run("child:fmap-enospc " FMAP_DIR "/nospc/holes " FMAP_DIR "/nospc/fill", &info));
	utest_note("the storing task: %s", info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	UT_CHECK(strstr(info.message, "ENOSPC") != NULL);
	UT_CHECK_EQ(unlink(FMAP_DIR "/nospc/fill"), 0);
	struct stat st;
	uint8_t b = 1;
	UT_CHECK(fstat(fd, &st) == 0 && st.st_size == 16 * PS);
	UT_CHECK(pread(fd, &b, 1, 5 * PS + 3) == 1 && b == 0);
	close(fd);
}

int child_fmap_main(int argc, char **argv, bool *found)
{
	*found = true;
	if (strcmp(argv[0], "child:fmap-enospc") == 0)
		return child_fmap_enospc(argc, argv);
	if (strcmp(argv[0], "child:fmap-store") == 0)
		return child_fmap_store(argc, argv);
	if (strcmp(argv[0], "child:fmap-beyond") == 0)
		return child_fmap_beyond(argc, argv);
	if (strcmp(argv[0], "child:fmap-held") == 0)
		return child_fmap_held(argc, argv);
	*found = false;
	return 0;
}
