/*
 * Programs from files (docs/loader.md): task_spawn_path starts /bin
 * programs through the loader, with their arguments as they are and the
 * descriptors handed over, holding only the handles they were given (no
 * phone of the loader's); refuses what is no program (missing, not
 * executable, each malformed ELF of /test/elf) with the error and leaves
 * no task or frame behind; after a warm-up, 400 spawns give every frame
 * back, to the frame (tester.h's ledger says which owner kept what).
 * Needs the file system ("fs" boots; tools/test.sh suite loader).
 */
#include "fs.h"
#include "tester.h"
#include <anon.h>
#include <cap.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <sys/stat.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define LD_OUT "/tmp/loader-out.txt"
#define LD_SPAWNS 400u
#define LD_DATA_INIT 0x5a17da7a5a17da7aull
/* The text pages a tester child touches, at the least (it runs libc's
 * startup, the child table, file calls): enough to tell shared from
 * copied. */
#define LD_TEXT_MIN 16u
/*
 * The warm-up before a leak check of spawns (ld_warm_up).  What the
 * servers take once and keep, measured by owner with the frame ledger
 * (tester.h) when it is the boot's first use of the file system: 173
 * frames,
 *  - 151 of the anon pager's, for the memory of its clients: the file
 *    pager's (135 pages mapped there: its cache, 98 pages of /bin/tester,
 *    read whole first so that no read-ahead adds any later; the control
 *    and scratch buffers of its connections to ext2, made at the
 *    volume's first use, which ext2 maps too; its heap), and the 16-page
 *    buffer this task lends the VFS for read();
 *  - a thread of the file pager's (4 frames of kernel stack) and a page
 *    table of its;
 *  - 17 slab frames, for 106 kernel objects (63 malloc's, 24 calls, 19
 *    B+tree nodes: the connections, the mappings' records).
 * Then LD_BURSTS bursts of LD_BURST programs at once: whatever a server
 * takes only when requests overlap (a thread, a connection found busy)
 * is taken here, not in a check.  After the warm-up, spawns one after
 * the other keep nothing: not a frame, not a kernel object (slab pages
 * and B+tree nodes aside: tester.h).
 */
#define LD_WARM 100u
#define LD_MOUNT_WAIT_MS 20000u
#define LD_BURSTS 4u
#define LD_BURST 8u

/* Run @a path with @a argv, its stdout into LD_OUT; its end in *info. */
static errno_t ld_run_to_file(const char *path, const char *const argv[], task_exit_info_t *info)
{
	int fd = open(LD_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return errno;
	int fds[3] = { -1, fd, -1 };
	task_spawn_attr_t attr = { .fds = fds };
	task_id_t id;
	errno_t rc = task_spawn_path(path, argv, &attr, &id);
	close(fd);
	return rc == EOK ? task_wait(id, info) : rc;
}

/* LD_OUT's bytes into @a buf (NUL-terminated): their count, or -1. */
static ssize_t ld_read_out(char *buf, size_t size)
{
	int fd = open(LD_OUT, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Arguments reach the program as they are: spaces, empty ones, quotes. */
UTEST(hw_loader_args)
{
	static const char *const argv[] = { "echo", "a  b", "", "\"q\"", "last", NULL };
	task_exit_info_t info;
	char buf[128];
	UT_ASSERT_OK(ld_run_to_file("/bin/echo", argv, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	UT_ASSERT(ld_read_out(buf, sizeof(buf)) >= 0);
	UT_CHECK(strcmp(buf, "a  b  \"q\" last\n") == 0);
}

/* The environment reaches the program: the one given, or ours. */
UTEST(hw_loader_env)
{
	static const char *const argv[] = { "env", NULL };
	static const char *const envp[] = { "A=1", "B=two  words", "C=", NULL };
	char buf[256];
	task_exit_info_t info;
	int fd = open(LD_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	int fds[3] = { -1, fd, -1 };
	task_spawn_attr_t attr = { .fds = fds, .envp = envp };
	task_id_t id;
	UT_CHECK_OK(task_spawn_path("/bin/env", argv, &attr, &id));
	UT_CHECK_OK(task_wait(id, &info));
	UT_ASSERT(ld_read_out(buf, sizeof(buf)) >= 0);
	UT_CHECK(strcmp(buf, "A=1\nB=two  words\nC=\n") == 0);
	/* Without envp: ours, with what we set. */
	UT_ASSERT_EQ(setenv("LD_MINE", "yes", 1), 0);
	attr.envp = NULL;
	UT_CHECK_OK(task_spawn_path("/bin/env", argv, &attr, &id));
	UT_CHECK_OK(task_wait(id, &info));
	close(fd);
	UT_ASSERT(ld_read_out(buf, sizeof(buf)) >= 0);
	UT_CHECK(strstr(buf, "LD_MINE=yes\n") != NULL);
	UT_CHECK_EQ(unsetenv("LD_MINE"), 0);
}

/* The task is named after the file, and its text comes from the file
 * pager: a pager-backed executable area; no area of the loader's stays. */
UTEST(hw_loader_areas)
{
	static const char *const argv[] = { "tester", "child:sleep-long", NULL };
	task_id_t id;
	task_area_info_t *areas;
	size_t n, text = 0;
	UT_ASSERT_OK(task_spawn_path("/bin/tester", argv, NULL, &id));
	UT_ASSERT_OK(task_area_list_alloc(id, &areas, &n));
	for (size_t i = 0; i < n; i++) {
		if ((areas[i].flags & AS_AREA_EXEC) && areas[i].backend == AS_BACKEND_PAGER &&
		    areas[i].base == 0x400000)
			text++;
		/* The loader is linked at 0x7f000000: nothing of it is left. */
		UT_CHECK(areas[i].base < 0x7f000000 || areas[i].base >= 0x80000000);
		UT_CHECK(areas[i].backend != AS_BACKEND_WIRED);
	}
	free(areas);
	UT_CHECK_EQ(text, 1);
	task_info_t *tasks;
	size_t nt;
	bool named = false;
	UT_ASSERT_OK(task_list_alloc(&tasks, &nt));
	for (size_t i = 0; i < nt; i++)
		if (tasks[i].id == id)
			named = strcmp(tasks[i].name, "tester") == 0;
	free(tasks);
	UT_CHECK(named);
	task_exit_info_t info;
	UT_CHECK_OK(task_kill(id));
	UT_CHECK_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_KILLED);
}

/* "child:handles N": the handles it holds on entering main must be the
 * phone to ns, the N capabilities passed (handles 1..N) and libc's own
 * phone to anon: exit 0, else 100 + how many it holds. */
int child_handles(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	uint64_t want = 1 + n + (anon_phone() != CAP_NIL ? 1 : 0);
	task_stats_t st;
	if (task_stats(&st) != EOK)
		return 1;
	for (uint64_t h = 1; h <= n; h++) {
		cap_info_t info;
		if (cap_info((cap_handle_t) h, &info) != EOK || info.kind != CAP_KIND_IO_RANGE)
			return 2;
	}
	return st.handles == want ? 0 : 100 + (int) (st.handles < 100 ? st.handles : 99);
}

/* A program keeps nothing of the loader's but what it was given: the ns
 * phone and the passed capabilities (the loader's phones to the pagers
 * and the VFS hang up at SYS_TASK_EXEC, and its areas keep working: the
 * child runs on them). */
UTEST(hw_loader_handles)
{
	static const char *const none[] = { "tester", "child:handles", "0", NULL };
	static const char *const one[] = { "tester", "child:handles", "1", NULL };
	cap_handle_t caps[1] = { TESTER_CAP_IO_CMOS };
	task_spawn_attr_t attr = { .caps = caps, .ncaps = 1 };
	task_id_t id;
	task_exit_info_t info;
	UT_ASSERT_OK(task_spawn_path("/bin/tester", none, NULL, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	if (info.reason != TASK_EXIT_NORMAL)
		utest_note("child: %s", info.message);
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
	UT_ASSERT_OK(task_spawn_path("/bin/tester", one, &attr, &id));
	UT_ASSERT_OK(task_wait(id, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(info.status, 0);
}

/* Spawns that must fail leave nothing behind. */
UTEST(hw_loader_errors)
{
	static const char *const argv[] = { "x", NULL };
	static const char *const none[] = { NULL };
	task_id_t id;
	/* Once first: the loader's first file opens its volume's connections
	 * in the file pager, which stay. */
	UT_CHECK_ERR(task_spawn_path("/etc/motd", argv, NULL, &id), EACCES);
	uint64_t before = frames_baseline();
	UT_CHECK_ERR(task_spawn_path("/bin/nosuch", argv, NULL, &id), ENOENT);
	UT_CHECK_ERR(task_spawn_path("/etc/motd", argv, NULL, &id), EACCES);
	UT_CHECK_ERR(task_spawn_path("/bin", argv, NULL, &id), EACCES);
	UT_CHECK_ERR(task_spawn_path("", argv, NULL, &id), EINVAL);
	UT_CHECK_ERR(task_spawn_path("/bin/echo", none, NULL, &id), EINVAL);
	int fds[3] = { 99, -1, -1 };
	task_spawn_attr_t attr = { .fds = fds };
	UT_CHECK_ERR(task_spawn_path("/bin/echo", argv, &attr, &id), EBADF);
	attr = (task_spawn_attr_t){ .cwd = "relative" };
	UT_CHECK_ERR(task_spawn_path("/bin/echo", argv, &attr, &id), EINVAL);
	/* More arguments than a spawn takes. */
	const char *many[TASK_SPAWN_ARGV_MAX + 2];
	for (size_t i = 0; i <= TASK_SPAWN_ARGV_MAX; i++)
		many[i] = "w";
	many[TASK_SPAWN_ARGV_MAX + 1] = NULL;
	UT_CHECK_ERR(task_spawn_path("/bin/echo", many, NULL, &id), ELIMIT);
	UT_CHECK(frames_settle(before) >= before);
}

/* Start "/bin/tester ARGV1..." @a n times (at most LD_BURST) without
 * waiting, into @a id; *made how many started. */
static errno_t ld_start_n(const char *const argv[], unsigned n, task_id_t *id, unsigned *made)
{
	errno_t rc = EOK;
	*made = 0;
	while (*made < n && (rc = task_spawn_path("/bin/tester", argv, NULL, &id[*made])) == EOK)
		(*made)++;
	return rc;
}

/* "tester child:exit 5" @a n times, all started before the first is
 * waited for; each must end with 5. */
static errno_t ld_spawn_exit(unsigned n)
{
	static const char *const argv[] = { "tester", "child:exit", "5", NULL };
	task_id_t id[LD_BURST];
	unsigned made;
	errno_t rc = ld_start_n(argv, n, id, &made);
	for (unsigned i = 0; i < made; i++) {
		task_exit_info_t info;
		errno_t w = task_wait(id[i], &info);
		if (w == EOK && (info.reason != TASK_EXIT_NORMAL || info.status != 5))
			w = EINVAL;
		rc = rc == EOK ? w : rc;
	}
	return rc;
}

/* LD_BURST programs alive at once, each having stored into its data
 * (private pages of the file pager's), then killed together. */
static errno_t ld_spawn_live_burst(void)
{
	static const char *const argv[] = { "tester", "child:sleep-long", NULL };
	task_id_t id[LD_BURST];
	unsigned made;
	errno_t rc = ld_start_n(argv, LD_BURST, id, &made);
	(void) frames_baseline(); /* they reach their sleep: nothing changes any more */
	for (unsigned i = 0; i < made; i++)
		(void) task_kill(id[i]);
	for (unsigned i = 0; i < made; i++) {
		task_exit_info_t info;
		errno_t w = task_wait(id[i], &info);
		rc = rc == EOK ? w : rc;
	}
	return rc;
}

/* Read @a path whole: all its pages into the file pager's cache.  The
 * root volume mounts while the tests start: a slow boot (a loaded host)
 * is waited for, up to LD_MOUNT_WAIT_MS. */
static errno_t ld_read_whole(const char *path)
{
	static char buf[16384];
	struct stat st;
	for (unsigned ms = 0; stat(path, &st) != 0 && ms < LD_MOUNT_WAIT_MS; ms += 100)
		thread_sleep_us(100000);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	errno_t rc = n < 0 ? errno : EOK;
	close(fd);
	return rc;
}

/* What spawns take once and keep (the list above LD_WARM), taken now:
 * once per run of the tester. */
static errno_t ld_warm_up(void)
{
	static bool done;
	errno_t rc = done ? EOK : ld_read_whole("/bin/tester");
	for (unsigned i = 0; i < LD_WARM && !done && rc == EOK; i++)
		rc = ld_spawn_exit(1);
	for (unsigned i = 0; i < LD_BURSTS && !done && rc == EOK; i++) {
		rc = ld_spawn_exit(LD_BURST);
		if (rc == EOK)
			rc = ld_spawn_live_burst();
	}
	done = rc == EOK;
	return rc;
}

/* Nothing kept since @a before, to the frame and the kernel object
 * (tester.h: slabs' pages and B+tree nodes aside): the ledger from
 * @a before to now is printed (as @a what) if anything was. */
static void ld_check_nothing_kept(const char *what, const frames_ledger_t *before)
{
	static frames_ledger_t after;
	UT_ASSERT_OK(frames_ledger_settle(before, &after));
	int64_t kept = frames_ledger_kept(before, &after);
	int64_t objects = frames_ledger_objects_kept(before, &after);
	const mem_stats_t *x = &before->mem, *y = &after.mem;
	if (kept > 0 || objects > 0 || after.fp_cached != before->fp_cached)
		frames_ledger_print(what, before, &after);
	UT_CHECK(kept <= 0);
	UT_CHECK(objects <= 0);
	UT_CHECK(y->tasks <= x->tasks);
	UT_CHECK(y->threads <= x->threads);
	UT_CHECK(y->handles <= x->handles);
	/* the warm-up read the file whole: nothing more to cache */
	UT_CHECK_EQ(after.fp_cached, before->fp_cached);
}

/* One line of /test/elf/index.txt: "NAME ERRNO rule...". */
static bool ld_index_line(char *line, char **name, errno_t *want)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return false;
	*sp = '\0';
	*name = line;
	char *e = sp + 1, *sp2 = strchr(e, ' ');
	if (sp2)
		*sp2 = '\0';
	*want = EOK;
	for (errno_t i = 0; i < 128; i++)
		if (strcmp(str_error_name(i), e) == 0)
			*want = i;
	return strcmp(e, "EOK") == 0 || *want != EOK;
}

/* Spawn each file of the index (a copy in @a text is cut up): the
 * malformed ones must fail with their error; the count refused. */
static unsigned ld_refuse_all(const char *text, bool say)
{
	static char index[8192];
	unsigned refused = 0;
	strcpy(index, text);
	for (char *line = index, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *name = NULL, path[96];
		errno_t want;
		if (!UT_CHECK(ld_index_line(line, &name, &want)))
			continue;
		snprintf(path, sizeof(path), "/test/elf/%s", name);
		const char *argv[] = { name, NULL };
		task_id_t id;
		task_exit_info_t info;
		errno_t rc = task_spawn_path(path, argv, NULL, &id);
		if (want == EOK) {
			if (UT_CHECK_OK(rc))
				UT_CHECK_OK(task_wait(id, &info));
			continue;
		}
		if (rc != want && say)
			printf(
			    "# %s: %s, want %s\n", name, str_error_name(rc), str_error_name(want));
		UT_CHECK_EQ(rc, want);
		refused++;
	}
	return refused;
}

/* Each malformed file of the ELF host test is refused with its error, and
 * no task, area or frame is left; the valid one runs (and ends with ud2). */
UTEST(hw_loader_refusals)
{
	static char index[4096];
	int fd = open("/test/elf/index.txt", O_RDONLY);
	UT_ASSERT(fd >= 0);
	ssize_t n = read(fd, index, sizeof(index) - 1);
	close(fd);
	UT_ASSERT(n > 0);
	index[n] = '\0';
	/* The first pass reads the files into the file pager's cache; the
	 * second must keep nothing, not a frame (a refusal is a spawn of the
	 * loader, hence the warm-up). */
	static frames_ledger_t before;
	UT_ASSERT_OK(ld_warm_up());
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			frames_baseline();
			UT_ASSERT_OK(frames_ledger_take(&before));
		}
		UT_CHECK(ld_refuse_all(index, pass == 1) >= 30);
	}
	ld_check_nothing_kept("refusals", &before);
}

/* A word of the program's data segment (initialised, so in the file). */
static volatile uint64_t ld_data_word = LD_DATA_INIT;

/* "child:loader-data FILE VALUE": the data word must still hold what the
 * file says (another task running the file stored into its own copy);
 * store VALUE, write "ready" into FILE and sleep until killed.  Exits 2
 * if the word was not the file's. */
static int child_loader_data(int argc, char **argv)
{
	if (argc != 3 || ld_data_word != LD_DATA_INIT)
		return 2;
	ld_data_word = strtoul(argv[2], NULL, 0);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "ready", 5) != 5 || close(fd) != 0)
		return 3;
	for (;;)
		thread_sleep_us(1000000);
}

int child_loader_main(int argc, char **argv, bool *found)
{
	*found = strcmp(argv[0], "child:loader-data") == 0;
	return *found ? child_loader_data(argc, argv) : 0;
}

/* Start "/bin/tester child:loader-data FILE VALUE" and wait (5 s at
 * most) for FILE to say it stored VALUE. */
static errno_t ld_data_start(const char *file, const char *value, task_id_t *id)
{
	const char *argv[] = { "tester", "child:loader-data", file, value, NULL };
	unlink(file);
	errno_t rc = task_spawn_path("/bin/tester", argv, NULL, id);
	for (unsigned i = 0; rc == EOK && i < 500; i++) {
		char buf[8] = "";
		int fd = open(file, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		if (n == 5)
			return EOK;
		thread_sleep_us(10000);
	}
	return rc == EOK ? ETIMEOUT : rc;
}

/* Task @a id's resident pages: in executable areas and in all. */
static void ld_resident(task_id_t id, size_t *text, size_t *all)
{
	task_area_info_t *a;
	size_t n;
	*text = *all = 0;
	if (task_area_list_alloc(id, &a, &n) != EOK)
		return;
	for (size_t i = 0; i < n; i++) {
		*all += a[i].resident;
		if (a[i].flags & AS_AREA_EXEC)
			*text += a[i].resident;
	}
	free(a);
}

/* The second of two tasks running one file (@a b; @a l0 before it was
 * started, @a l1 now) shares the text: it read nothing more into the
 * file pager's cache, and the frames the anon pager gave for it (its
 * stack, heap and bss, and its copies of the data pages, made by the file
 * pager) are no more than its pages outside its text. */
static void ld_share_check(task_id_t b, const frames_ledger_t *l0, const frames_ledger_t *l1)
{
	uint64_t grown = l1->fp_cached - l0->fp_cached;
	int64_t anon = (int64_t) (l1->mem.frames_wired - l0->mem.frames_wired);
	size_t text, all;
	ld_resident(b, &text, &all);
	printf("# second instance: %zu pages resident, %zu of them text; %llu frames taken, "
	       "%lld of them the anon pager's; the cache grew by %llu\n",
	    all, text, (unsigned long long) (l0->mem.free_frames - l1->mem.free_frames),
	    (long long) anon, (unsigned long long) grown);
	UT_CHECK(text >= LD_TEXT_MIN);
	UT_CHECK(grown < text / 4);
	UT_CHECK(anon <= (int64_t) (all - text));
}

/* Two tasks running one file share its text (ld_share_check), and a
 * store by the first into its data segment is invisible to the second
 * (which checks it starts with the file's value). */
UTEST(hw_loader_share)
{
	static frames_ledger_t l0, l1;
	task_id_t a, b;
	task_exit_info_t info;
	UT_ASSERT_OK(ld_warm_up());
	UT_ASSERT_OK(ld_data_start("/tmp/ld-share-a", "1", &a));
	frames_baseline();
	UT_ASSERT_OK(frames_ledger_take(&l0));
	errno_t rc = ld_data_start("/tmp/ld-share-b", "2", &b);
	if (!UT_CHECK_OK(rc)) {
		task_kill(a);
		task_wait(a, &info);
		return;
	}
	frames_baseline();
	UT_ASSERT_OK(frames_ledger_take(&l1));
	ld_share_check(b, &l0, &l1);
	for (unsigned i = 0; i < 2; i++) {
		task_id_t id = i ? b : a;
		UT_CHECK_OK(task_kill(id));
		UT_CHECK_OK(task_wait(id, &info));
		/* killed in its sleep, not ended by a failed check */
		UT_CHECK_EQ(info.reason, TASK_EXIT_KILLED);
	}
}

/* Spawn + exit + wait, LD_SPAWNS times after the warm-up: not a frame
 * and not a kernel object is kept (the file pager's cache holds the
 * file already).  A frame kept per spawn would be LD_SPAWNS; one kept by
 * the lot is caught as well. */
UTEST(hw_loader_many)
{
	static frames_ledger_t before;
	UT_ASSERT_OK(ld_warm_up());
	frames_baseline();
	UT_ASSERT_OK(frames_ledger_take(&before));
	for (unsigned i = 0; i < LD_SPAWNS; i++)
		UT_ASSERT_OK(ld_spawn_exit(1));
	ld_check_nothing_kept("400 spawns", &before);
}
