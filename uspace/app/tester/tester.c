/*
 * tester: the user test suite (TAP on the console, see utest.h).
 *
 *   tester                    run every test
 *   tester NAME[,NAME...]     run these tests
 *   tester child:WHAT [ARGS]  be a child of a test (child.c)
 */
#include "tester.h"
#include <abi/fpager.h>
#include <anon.h>
#include <ipc.h>
#include <lock.h>
#include <ns.h>
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define FRAMES_BASELINE_TRIES 50
#define FRAMES_BASELINE_WAIT_US 20000
#define FRAMES_SETTLE_TRIES 1000 /* 5 s: a loaded host slows the guest's reaping */
#define FRAMES_SETTLE_WAIT_US 5000
#define OBJECTS_SETTLE_TRIES 200
#define OBJECTS_SETTLE_WAIT_US 5000

errno_t child_run(const char *args, task_exit_info_t *info)
{
	task_id_t id;
	memset(info, 0, sizeof(*info));
	errno_t rc = task_spawn(TESTER_MODULE, args, &id);
	if (rc != EOK)
		return rc;
	return task_wait(id, info);
}

uint64_t frames_free(void)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	return st.free_frames;
}

uint64_t frames_baseline(void)
{
	mem_stats_t a = { 0 }, b = { 0 };
	mem_stats(&a);
	for (int i = 0; i < FRAMES_BASELINE_TRIES; i++) {
		thread_sleep_us(FRAMES_BASELINE_WAIT_US);
		mem_stats(&b);
		if (b.tasks == a.tasks && b.threads == a.threads && b.free_frames == a.free_frames)
			break;
		a = b;
	}
	return b.free_frames;
}

uint64_t frames_settle(uint64_t want)
{
	uint64_t now = frames_free();
	for (int i = 0; i < FRAMES_SETTLE_TRIES && now < want; i++) {
		thread_sleep_us(FRAMES_SETTLE_WAIT_US);
		now = frames_free();
	}
	return now;
}

uint64_t anon_objects_settle(uint64_t want)
{
	anon_stats_t st = { 0 };
	for (int i = 0; i < OBJECTS_SETTLE_TRIES; i++) {
		if (anon_stats_get(anon_phone(), &st) != EOK)
			return UINT64_MAX;
		if (st.objects <= want)
			break;
		thread_sleep_us(OBJECTS_SETTLE_WAIT_US);
	}
	return st.objects;
}

/* One phone to the file pager for every fpager_stats (a connection made
 * and hung up at each call would leave a hangup notice queued at the
 * pager, counted by the leak checks as its object); made again when the
 * pager it went to is gone (a test restarted it).  tester_fp_lock. */
static lock_t tester_fp_lock = LOCK_INITIALIZER;
static cap_handle_t tester_fp_phone = CAP_NIL;

bool fpager_stats(unsigned group, uint64_t v[5])
{
	ipc_msg_t ans;
	errno_t rc = EHANGUP;
	lock_acquire(&tester_fp_lock);
	for (int tries = 0; tries < 2 && rc == EHANGUP; tries++) {
		if (tester_fp_phone == CAP_NIL &&
		    ns_connect(FPAGER_NAME, &tester_fp_phone) != EOK) {
			tester_fp_phone = CAP_NIL;
			break;
		}
		rc = ipc_request(tester_fp_phone, FPAGER_STATS, group, 0, 0, 0, 0, &ans);
		if (rc == EHANGUP) { /* that pager is gone: a new one next */
			ipc_hangup(tester_fp_phone);
			tester_fp_phone = CAP_NIL;
		}
	}
	lock_release(&tester_fp_lock);
	for (unsigned i = 0; i < 5 && rc == EOK; i++)
		v[i] = ans.arg[i];
	return rc == EOK;
}

/* The first argument that names a child mode, or -1. */
static int tester_child_arg(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (argv[i] && strncmp(argv[i], "child:", 6) == 0)
			return i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int c = tester_child_arg(argc, argv);
	if (c >= 0)
		return child_main(argc - c, argv + c);
	if (argc == 2 && strncmp(argv[1], "fuzz:", 5) == 0)
		return fuzz_soak_main(argv[1] + 5);
	printf("# tester: task %llu, user test suite\n", (unsigned long long) task_id());
	return utest_main(argc, argv);
}
