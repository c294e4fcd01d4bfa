/*
 * Out of memory on the fault path.  When the kernel cannot map what a
 * pager supplied (no frame for a page table, no memory for the used-space
 * record), the fault must fail (ENOMEM: the task dies with a pager error)
 * instead of returning "retry": that made the faulting thread ask the
 * pager again and again, without a word, for as long as memory stayed
 * out (seen once as a test hung for 200 s in a notice flood at 64 MiB).
 */
#include "tester.h"
#include <stdio.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

/* Page-ins the test pager has seen so far (0 if it did not answer). */
static uint64_t nomem_page_ins(cap_handle_t pager)
{
	ipc_msg_t ans;
	return ipc_request(pager, TP_PING, 0, 0, 0, 0, 0, &ans) == EOK ? ans.arg[0] : 0;
}

UTEST(regress_fault_nomem)
{
	test_server_t p;
	task_id_t client;
	task_exit_info_t info;
	ipc_msg_t ans;
	char args[64];
	if (!pager_ready())
		return;
	UT_ASSERT_OK(test_server_spawn(&p, "child:tpager good", "tp"));
	snprintf(args, sizeof(args), "child:tpager-far %s", p.name);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &client));
	thread_sleep_us(200000); /* it binds its page, then waits */
	UT_CHECK_OK(ipc_request(p.phone, TP_HOG, 0, 0, 0, 0, 0, &ans));
	utest_note("the pager took %llu pages", (unsigned long long) ans.arg[0]);
	/* The client touches its page now; watch how often it is asked. */
	uint64_t asked = 0, end = uptime_ns_now() + 1000000000ULL;
	while (uptime_ns_now() < end && asked <= 20) {
		thread_sleep_us(20000);
		asked = nomem_page_ins(p.phone);
	}
	test_server_stop(&p, TP_QUIT, NULL); /* the memory comes back */
	UT_ASSERT_OK(task_wait(client, &info));
	/* 0 is right too: with the last frames gone, the kernel may fail the
	 * fault (ENOMEM) before it can send the page-in at all; which one
	 * happens depends on how many frames the hog left (the size of the
	 * boot image decides that).  What must not happen is asking again. */
	if (!UT_CHECK(asked <= 2))
		utest_note("the fault was asked for %llu times", (unsigned long long) asked);
	if (!UT_CHECK(info.reason == TASK_EXIT_FAULT && strstr(info.message, "pager error")))
		utest_note(
		    "client: reason %u status %d: %s", info.reason, info.status, info.message);
}
