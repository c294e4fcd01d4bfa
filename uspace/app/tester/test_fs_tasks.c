/*
 * Files and several tasks: two tasks writing different files at once,
 * three appending to one file with O_APPEND (no record lost, none torn),
 * and files handed to a child as its 0, 1 and 2 (task_spawn_fds: the
 * child's stdio reads and writes them, the handoff word never reaches its
 * main).  The children are this program ("tester child:fs-..."), started
 * before any is waited for.
 */
#include "fs.h"
#include "tester.h"
#include <errno.h>
#include <fcntl.h>
#include <ns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <task.h>
#include <thread.h>
#include <unistd.h>
#include <utest.h>

#define FS_WRITERS 2
#define FS_WRITE_SIZE (2u * 1024 * 1024)
#define FS_APPENDERS 3
#define FS_APPEND_RECORDS 300
#define FS_RECORD 64
#define FS_HOLD_FDS 12
#define FS_HOLD_WAIT_US (60ULL * 1000 * 1000)
#define FS_SQUAT_MAX 32 /* more than the VFS has slots */

/* "child:fs-write PATH SEED SIZE": SIZE bytes of the pattern SEED, in
 * writes of changing sizes.  Exits 0, or the step that failed. */
static int child_fs_write(int argc, char **argv)
{
	if (argc != 4)
		return 10;
	uint64_t seed = strtoul(argv[2], NULL, 0), size = strtoul(argv[3], NULL, 0), off = 0;
	static uint8_t buf[40000];
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 11;
	for (unsigned i = 0; off < size; i++) {
		size_t n = 1 + (i * 7919u + (unsigned) seed) % sizeof(buf);
		n = n < size - off ? n : (size_t) (size - off);
		fs_pattern_fill(buf, n, seed, off);
		if (write(fd, buf, n) != (ssize_t) n)
			return 12;
		off += n;
	}
	return close(fd) == 0 ? 0 : 13;
}

/* Record @a seq of writer @a id: FS_RECORD bytes ending in '\n'. */
static void fs_record_make(char *rec, unsigned id, unsigned seq)
{
	int n = snprintf(rec, FS_RECORD, "w%02u r%06u ", id, seq);
	for (int i = n; i < FS_RECORD - 1; i++)
		rec[i] = (char) ('a' + (id * 31 + seq + (unsigned) i) % 26);
	rec[FS_RECORD - 1] = '\n';
}

/* "child:fs-append PATH ID COUNT": COUNT records, one write each. */
static int child_fs_append(int argc, char **argv)
{
	char rec[FS_RECORD];
	if (argc != 4)
		return 10;
	unsigned id = (unsigned) atoi(argv[2]), count = (unsigned) atoi(argv[3]);
	int fd = open(argv[1], O_WRONLY | O_APPEND);
	if (fd < 0)
		return 11;
	for (unsigned seq = 0; seq < count; seq++) {
		fs_record_make(rec, id, seq);
		if (write(fd, rec, FS_RECORD) != FS_RECORD)
			return 12;
		if (seq % 16 == 0)
			thread_yield();
	}
	return close(fd) == 0 ? 0 : 13;
}

/* "child:fs-echo MARK": stdin's lines upper-cased to stdout, then a line
 * on stderr; 0, 1 and 2 must be files and argv exactly as given. */
static int child_fs_echo(int argc, char **argv)
{
	char line[128];
	if (argc != 2 || strcmp(argv[1], "mark") != 0)
		return 10;
	if (isatty(0) || isatty(1) || isatty(2))
		return 11;
	while (fgets(line, sizeof(line), stdin)) {
		for (char *p = line; *p; p++)
			*p = (char) (*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (fputs(line, stdout) != 0)
			return 12;
	}
	if (!feof(stdin) || fflush(stdout) != 0)
		return 13;
	return fprintf(stderr, "echo: done\n") > 0 ? 0 : 14;
}

/* "child:fs-echo-partial": only 1 was handed over; 0 and 2 the console. */
static int child_fs_echo_partial(int argc, char **argv)
{
	(void) argv;
	if (argc != 1)
		return 10;
	if (!isatty(0) || isatty(1) || !isatty(2))
		return 11;
	return printf("partial\n") == 8 ? 0 : 12;
}

/* "child:fs-hold DIR": with the raw protocol opens DIR/held-I (writing
 * "held I") for I < FS_HOLD_FDS, so it holds VFS descriptors 0 .. 11;
 * then says so in DIR/ready ("11\n") and waits to be killed. */
static int child_fs_hold(int argc, char **argv)
{
	char path[96], data[16];
	if (argc != 2)
		return 10;
	cap_handle_t phone;
	uintptr_t buf;
	if (ns_connect(VFS_NAME, &phone) != EOK ||
	    ipc_share_in(phone, VFS_BUF_SIZE, AS_AREA_READ | AS_AREA_WRITE, 0, &buf) != EOK)
		return 11;
	for (int i = 0; i < FS_HOLD_FDS; i++) {
		ipc_msg_t ans;
		int n = snprintf(path, sizeof(path), "%s/held-%d", argv[1], i);
		memcpy((void *) buf, path, (size_t) n);
		if (ipc_request(phone, VFS_OPEN, (uint64_t) n, VFS_O_RDWR | VFS_O_CREAT, 0644, 0, 0,
		        &ans) != EOK ||
		    ans.arg[0] != (uint64_t) i)
			return 12;
		n = snprintf(data, sizeof(data), "held %d", i);
		memcpy((void *) buf, data, (size_t) n);
		if (ipc_request(phone, VFS_WRITE, (uint64_t) i, (uint64_t) n, 0, 0, 0, &ans) != EOK)
			return 13;
	}
	snprintf(path, sizeof(path), "%s/ready", argv[1]);
	snprintf(data, sizeof(data), "%d\n", FS_HOLD_FDS - 1);
	if (fs_file_put(path, data, strlen(data)) != 0)
		return 14;
	thread_sleep_us(FS_HOLD_WAIT_US);
	return 15;
}

/* "child:fs-squat": registers as a file system server with the VFS,
 * one phone of FS_CONN_COUNT, for "squat0", "squat1", ... until the VFS
 * has no slot left (ELIMIT); ends with how many it began (exit status;
 * 100 + the error if another one stopped it). */
static int child_fs_squat(int argc, char **argv)
{
	(void) argv;
	cap_handle_t phone;
	uint64_t src[2], type[2];
	char name[16];
	if (argc != 1 || ns_connect(VFS_NAME, &phone) != EOK)
		return 100;
	(void) ns_name_pack("ext2", type);
	for (int i = 0; i < FS_SQUAT_MAX; i++) {
		snprintf(name, sizeof(name), "squat%d", i);
		(void) ns_name_pack(name, src);
		errno_t rc = ipc_connect_to_me(phone, src[0], src[1], type[0], 0, 1);
		if (rc != EOK)
			return rc == ELIMIT ? i : 100 + rc;
	}
	return FS_SQUAT_MAX;
}

/* "child:fs-conns": connects to the VFS until it is refused; ends with
 * how many connections it got (exit status; 100 + the error if not
 * ELIMIT stopped it).  Its phones go with it. */
static int child_fs_conns(int argc, char **argv)
{
	(void) argv;
	cap_handle_t phone;
	if (argc != 1)
		return 100;
	for (int n = 0; n < 64; n++) {
		errno_t rc = ns_connect(VFS_NAME, &phone);
		if (rc != EOK)
			return rc == ELIMIT ? n : 100 + rc;
	}
	return 64;
}

int child_fs_main(int argc, char **argv, bool *found)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} modes[] = {
		{ "child:fs-write", child_fs_write },
		{ "child:fs-append", child_fs_append },
		{ "child:fs-echo", child_fs_echo },
		{ "child:fs-echo-partial", child_fs_echo_partial },
		{ "child:fs-hold", child_fs_hold },
		{ "child:fs-squat", child_fs_squat },
		{ "child:fs-conns", child_fs_conns },
	};
	*found = true;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(argv[0], modes[i].name) == 0)
			return modes[i].fn(argc, argv);
	}
	*found = false;
	return 0;
}

/* Wait for child @a id: it must have exited 0. */
static bool fs_child_ok(task_id_t id, const char *what)
{
	task_exit_info_t info;
	if (!UT_CHECK_OK(task_wait(id, &info)))
		return false;
	if (info.reason != TASK_EXIT_NORMAL || info.status != 0) {
		utest_fail(__FILE__, __LINE__, "%s: reason %u, status %d %s", what, info.reason,
		    info.status, info.message);
		return false;
	}
	return true;
}

UTEST(hw_fs_two_writers)
{
	char dir[64], args[128], path[96];
	task_id_t ids[FS_WRITERS];
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "writers");
	UT_ASSERT(fs_dir_fresh(dir));
	for (int i = 0; i < FS_WRITERS; i++) {
		snprintf(args, sizeof(args), "child:fs-write %s/w%d %d %u", dir, i, 100 + i,
		    FS_WRITE_SIZE);
		UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &ids[i]));
	}
	for (int i = 0; i < FS_WRITERS; i++)
		UT_CHECK(fs_child_ok(ids[i], "writer"));
	for (int i = 0; i < FS_WRITERS; i++) {
		size_t len;
		snprintf(path, sizeof(path), "%s/w%d", dir, i);
		uint8_t *data = fs_file_get(path, &len);
		if (UT_CHECK(data != NULL)) {
			UT_CHECK_EQ(len, FS_WRITE_SIZE);
			UT_CHECK(fs_pattern_check(data, len, (uint64_t) (100 + i), 0));
		}
		free(data);
	}
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}

/* Every record of every writer exactly once, whole, in each writer's
 * order. */
static void fs_append_check(const char *data, size_t len)
{
	unsigned next[FS_APPENDERS] = { 0 };
	char want[FS_RECORD];
	UT_ASSERT_EQ(len, FS_APPENDERS * FS_APPEND_RECORDS * FS_RECORD);
	for (size_t off = 0; off < len; off += FS_RECORD) {
		unsigned id = (unsigned) atoi(data + off + 1);
		if (!UT_CHECK(data[off] == 'w' && id < FS_APPENDERS)) {
			utest_note("no record at offset %zu", off);
			return;
		}
		fs_record_make(want, id, next[id]);
		if (!UT_CHECK(memcmp(data + off, want, FS_RECORD) == 0)) {
			utest_note("offset %zu: not record %u of writer %u", off, next[id], id);
			return;
		}
		next[id]++;
	}
	for (unsigned i = 0; i < FS_APPENDERS; i++)
		UT_CHECK_EQ(next[i], FS_APPEND_RECORDS);
}

UTEST(hw_fs_append_tasks)
{
	char dir[64], path[96], args[160];
	task_id_t ids[FS_APPENDERS];
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "append");
	UT_ASSERT(fs_dir_fresh(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	UT_ASSERT_EQ(fs_file_put(path, "", 0), 0);
	for (int i = 0; i < FS_APPENDERS; i++) {
		snprintf(
		    args, sizeof(args), "child:fs-append %s %d %d", path, i, FS_APPEND_RECORDS);
		UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &ids[i]));
	}
	for (int i = 0; i < FS_APPENDERS; i++)
		UT_CHECK(fs_child_ok(ids[i], "appender"));
	size_t len;
	char *data = fs_file_get(path, &len);
	UT_ASSERT(data != NULL);
	fs_append_check(data, len);
	free(data);
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}

static void fs_handoff_all(const char *dir)
{
	static const char in_text[] = "line one\nsecond line\n";
	static const char want[] = "LINE ONE\nSECOND LINE\necho: done\n";
	char in[96], out[96];
	task_id_t id;
	snprintf(in, sizeof(in), "%s/echo.in", dir);
	snprintf(out, sizeof(out), "%s/echo.out", dir);
	UT_ASSERT_EQ(fs_file_put(in, in_text, strlen(in_text)), 0);
	int fds[3] = { open(in, O_RDONLY), open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), -1 };
	fds[2] = fds[1];
	UT_ASSERT(fds[0] >= 0 && fds[1] >= 0);
	UT_ASSERT_OK(task_spawn_fds(TESTER_MODULE, "child:fs-echo mark", fds, &id));
	UT_CHECK(fs_child_ok(id, "echo"));
	UT_CHECK(fs_file_is(out, want, strlen(want)));
	/* The child's descriptors shared our open files and their offsets. */
	UT_CHECK_EQ(lseek(fds[0], 0, SEEK_CUR), strlen(in_text));
	UT_CHECK_EQ(lseek(fds[1], 0, SEEK_CUR), strlen(want));
	UT_CHECK(close(fds[0]) == 0 && close(fds[1]) == 0);
}

UTEST(hw_fs_handoff)
{
	char dir[64], out[96];
	task_id_t id;
	UT_ASSERT(fs_ready());
	fs_path(dir, sizeof(dir), "handoff");
	UT_ASSERT(fs_dir_fresh(dir));
	fs_handoff_all(dir);
	snprintf(out, sizeof(out), "%s/partial.out", dir);
	int fds[3] = { -1, open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), 2 };
	UT_ASSERT(fds[1] >= 0);
	UT_ASSERT_OK(task_spawn_fds(TESTER_MODULE, "child:fs-echo-partial", fds, &id));
	UT_CHECK(fs_child_ok(id, "echo-partial"));
	UT_CHECK(fs_file_is(out, "partial\n", 8));
	UT_CHECK_EQ(close(fds[1]), 0);
	/* A descriptor we do not have: nothing is started. */
	int bad[3] = { -1, 60, -1 };
	UT_CHECK_EQ(task_spawn_fds(TESTER_MODULE, "child:exit 0", bad, &id), EBADF);
	UT_CHECK_EQ(fs_remove_tree(dir), 0);
}
