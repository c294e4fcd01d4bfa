/*
 * init: the first ordinary task.  The kernel starts the boot tasks ns
 * (naming) and anon (the anon pager) before it; by the time main() runs,
 * libc has connected to the pager through ns (anon.h), so init and what
 * it starts run on pager-backed memory.  init says what runs, checks the
 * servers answer, starts the servers it keeps running (the root disk's
 * file system server, started again when it ends), and at the end of the
 * boot reports how many faults the anon pager has served.  It keeps the
 * file pager running too (a new one named the successor of the old, so
 * it takes over the mappings: docs/file-pager.md).  Once the root
 * file system answers it starts the shell on the console, and starts it
 * again whenever it ends (exit, Ctrl-D).  Then it stays alive.
 */
#include <abi/pager.h>
#include <anon.h>
#include <errno.h>
#include <ipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <sys/statvfs.h>
#include <task.h>
#include <thread.h>

#define INIT_SLEEP_US (60ULL * 1000 * 1000)
/* A service that ends is started again at most this often in a row. */
#define INIT_RESTARTS_MAX 5
#define INIT_RESTART_DELAY_US (200ULL * 1000)
/* Touched at startup so the pager has served init's own faults. */
#define INIT_TOUCH_BYTES (256 * 1024)

static void init_banner(int argc, char **argv)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	printf("init: mkernel user space, task %llu, %llu of %llu frames free\n",
	    (unsigned long long) task_id(), (unsigned long long) st.free_frames,
	    (unsigned long long) st.total_frames);
	for (int i = 1; i < argc; i++)
		printf("init: argument %d: %s\n", i, argv[i]);
}

static void init_memory_report(void)
{
	cap_handle_t anon = anon_phone();
	if (anon == CAP_NIL) {
		printf("init: memory: wired (no anon pager reachable)\n");
		return;
	}
	printf(
	    "init: memory: paged by \"%s\" (phone %d): heap, stacks, new areas\n", ANON_NAME, anon);
	/* Some work on paged memory: a heap block and a thread. */
	unsigned char *p = malloc(INIT_TOUCH_BYTES);
	if (p) {
		memset(p, 0x5a, INIT_TOUCH_BYTES);
		free(p);
	}
}

static void init_pager_stats(void)
{
	anon_stats_t st;
	cap_handle_t anon = anon_phone();
	if (anon == CAP_NIL)
		return;
	errno_t rc = anon_stats_get(anon, &st);
	if (rc != EOK) {
		printf("init: anon pager statistics: %s\n", str_error_name(rc));
		return;
	}
	printf("init: anon pager: %llu faults served; %llu object(s), %llu resident pages, "
	       "%llu frames held, %llu copy-on-write copies\n",
	    (unsigned long long) st.faults, (unsigned long long) st.objects,
	    (unsigned long long) st.resident, (unsigned long long) st.frames,
	    (unsigned long long) st.cow_copies);
}

/*
 * The servers init starts and keeps running: the file system server of
 * the root disk (vfs mounts it as "/" when it registers; when it ends,
 * vfs answers its files EIO until the new one registers).  Each has a
 * thread that starts it, waits for its end, reports it and starts it
 * again, INIT_RESTARTS_MAX times at most.
 */
typedef struct init_service {
	const char *module;
	const char *args;
	/* its file (task_spawn_path, docs/loader.md), tried before the boot
	 * module of the same name; NULL: the module only */
	const char *path;
	/* started again even when it exits with 0 (the shell); its restarts
	 * are counted only while it ends soon after starting */
	bool always;
	unsigned role; /* a pager role it registers (PAGER_ROLE_*), 0: none */
} init_service_t;

static const init_service_t init_services[] = {
	{ "ext2", "disk0", NULL, false, 0 },
	{ "fpager", "", NULL, false, PAGER_ROLE_FILE },
};

/* The shell, started once the root file system answers: /bin/sh. */
static const init_service_t init_shell = { "sh", "", "/bin/sh", true, 0 };
/* A shell that ran this long before it ended was not failing. */
#define INIT_SHELL_HEALTHY_NS (2ULL * 1000 * 1000 * 1000)

/* Start @a s and wait for its end: false if it could not start (or
 * the image lacks it: *absent). */
static bool init_run_once(const init_service_t *s, unsigned run, bool *absent)
{
	task_id_t id;
	errno_t rc = ENOENT;
	if (s->path) {
		const char *argv[] = { s->module, NULL };
		rc = task_spawn_path(s->path, argv, NULL, &id);
	}
	if (rc == ENOENT)
		rc = task_spawn(s->module, s->args, &id);
	*absent = rc == ENOENT;
	if (rc != EOK) {
		if (rc != ENOENT)
			printf("init: cannot start %s: %s\n", s->module, str_error_name(rc));
		return false;
	}
	/* a pager started again takes over its predecessor's objects: the
	 * kernel lets only the successor its parent names */
	if (s->role && run > 0 && pager_role_successor(s->role, id) != EOK)
		printf("init: cannot name task %llu the successor of %s\n", (unsigned long long) id,
		    s->module);
	if (run > 0)
		printf("init: %s started again as task %llu (restart %u of %u)\n", s->module,
		    (unsigned long long) id, run, INIT_RESTARTS_MAX);
	else
		printf("init: started %s %s as task %llu (kept running)\n", s->module, s->args,
		    (unsigned long long) id);
	task_exit_info_t info;
	if (task_wait(id, &info) != EOK)
		return false;
	if (s->always && info.reason == TASK_EXIT_NORMAL)
		return true; /* the shell ended as asked: no need to say so */
	printf("init: %s (task %llu) ended: %s\n", s->module, (unsigned long long) id,
	    info.reason == TASK_EXIT_NORMAL ? "exited" : info.message);
	return info.reason != TASK_EXIT_NORMAL || info.status != 0 || s->always;
}

static int init_supervise(void *arg)
{
	const init_service_t *s = arg;
	for (unsigned run = 0; run <= INIT_RESTARTS_MAX; run++) {
		bool absent;
		uint64_t start = uptime_ns_now();
		if (!init_run_once(s, run, &absent))
			return absent ? 0 : 1;
		if (s->always && uptime_ns_now() - start > INIT_SHELL_HEALTHY_NS)
			run = 0; /* it ran a while: not a failing loop */
		thread_sleep_us(INIT_RESTART_DELAY_US);
	}
	printf(
	    "init: %s ended %u times; not starting it again\n", s->module, INIT_RESTARTS_MAX + 1);
	return 1;
}

/* The shell's thread: wait until the root file system answers (the VFS
 * holds a request until it is mounted), then keep the shell running. */
static int init_shell_start(void *arg)
{
	struct statvfs st;
	if (statvfs("/", &st) != 0)
		printf("init: the root file system does not answer; starting the shell anyway\n");
	return init_supervise(arg);
}

static void init_start_services(void)
{
	for (size_t i = 0; i < sizeof(init_services) / sizeof(init_services[0]); i++) {
		tid_t tid;
		if (thread_create(init_supervise, (void *) &init_services[i], &tid) != EOK)
			printf("init: cannot watch %s\n", init_services[i].module);
	}
	tid_t tid;
	if (thread_create(init_shell_start, (void *) &init_shell, &tid) != EOK)
		printf("init: cannot start the shell's thread\n");
}

int main(int argc, char **argv)
{
	init_banner(argc, argv);
	printf("init: started: ns, anon and console (boot tasks, before init), init (task %llu); "
	       "the shell once / answers; tester and bench run on request (utest=, bench=)\n",
	    (unsigned long long) task_id());
	init_memory_report();
	init_start_services();
	init_pager_stats();
	for (;;)
		thread_sleep_us(INIT_SLEEP_US);
}
