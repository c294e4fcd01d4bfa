/*
 * Pager roles (abi/pager.h, "Registration, restart and low memory"): a
 * registered test pager killed under a client's area, its named successor
 * taking the objects over and answering the waiting fault; a task that is
 * not the successor refused; no successor within the pager timeout (the
 * fault fails, no frame leaks); low-memory notices forced by the test hook
 * (one at a time, sane words, only to registered pagers; anon answers).
 *
 * Children (this file):
 *   child:rpager ROLE GEN DELAY_MS [hold] NAME   a lib/pager pager of
 *       role ROLE (0: none) whose page i reads RP_PATTERN(GEN) + i; it
 *       sleeps DELAY_MS before registering; "hold": its low_memory
 *       callback returns only after RP_RELEASE.  If registering fails it
 *       exits 100 + the error.
 *   child:rpager-client NAME GEN1 GEN2   binds RP_PAGES of a new object
 *       read-only, checks GEN1's pattern, then reads page 0 until it
 *       changes (a revoke makes the read fault) and checks GEN2's on
 *       every page.
 *   child:rpager-writer NAME GEN1 GEN2   binds a new object twice, read
 *       and write (two areas of one record), stores into page 0 through
 *       both and into page 1, reads page 2 (GEN1's pattern), tells the
 *       pager (RP_BOUND), then as rpager-client from the wait for a change.
 *   child:rpager-crafted NAME ID   binds RP_PAGES of the object ID, which
 *       the pager never made, through its own connection, tells the pager
 *       (RP_BOUND), waits until the pager is gone and reads: its fault
 *       ends it.
 */
#include "tester.h"
#include <ns.h>
#include <pager.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

#define RP_PAGES 4
#define RP_PATTERN(gen) (0x726f6c6500000000ULL + ((uint64_t) (gen) << 16))
#define RP_CONNECT_MS 5000
#define RP_POLL_US 5000
#define RP_POLL_TRIES 400 /* 2 s */
#define RP_CLIENT_TRIES 20000 /* reads of page 0, 1 ms apart */

enum {
	RP_CREATE = IPC_M_FIRST_USER, /* -> arg0 a new object id */
	/* -> arg0 page-ins, arg1 objects adopted, arg2 low-memory notices,
	 * arg3 the last one's free frames, arg4 its total frames */
	RP_STATS,
	RP_LOWMEM, /* -> arg0 the last notice's wanted frames, arg1 its flags */
	RP_RELEASE, /* let a held low_memory callback return */
	RP_QUIT,
	RP_BOUND, /* a client bound its areas */
	/* -> arg0 clients bound, arg1 objects adopted, arg2 the pages they
	 * lost (pager_adopt_lost_pages, summed), arg3 the last adopted id */
	RP_ADOPT_STATS,
};

/* ---- the role pager ---- */

static uintptr_t rp_pool;
static uint64_t rp_page_ins, rp_adopted, rp_lowmem; /* atomic */
static uint64_t rp_bound, rp_lost, rp_adopted_id; /* atomic */
static uint64_t rp_lm_free, rp_lm_total, rp_lm_wanted, rp_lm_flags;
static bool rp_hold, rp_released; /* atomic */

static void rp_page_in(pager_fault_t *f)
{
	__atomic_add_fetch(&rp_page_ins, 1, __ATOMIC_RELAXED);
	size_t page = (size_t) (f->offset / PAGE_SIZE);
	if (page >= RP_PAGES || f->access == FAULT_ACCESS_EXEC) {
		pager_fail(f->call, ERANGE);
		return;
	}
	/* a store gets the page writable, a load read-only */
	unsigned rights = f->access == FAULT_ACCESS_WRITE ? RW : AS_AREA_READ;
	pager_supply(f->call, rp_pool + page * PAGE_SIZE, 1, rights);
}

static errno_t rp_object_adopt(uint64_t conn, uint64_t id, void **data)
{
	(void) conn;
	*data = NULL;
	__atomic_add_fetch(&rp_lost, pager_adopt_lost_pages(), __ATOMIC_RELAXED);
	__atomic_store_n(&rp_adopted_id, id, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rp_adopted, 1, __ATOMIC_RELAXED);
	return EOK;
}

static void rp_low_memory(const pager_low_memory_t *lm)
{
	rp_lm_free = lm->free;
	rp_lm_total = lm->total;
	rp_lm_wanted = lm->wanted;
	rp_lm_flags = lm->flags;
	__atomic_add_fetch(&rp_lowmem, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&rp_hold, __ATOMIC_ACQUIRE) &&
	    !__atomic_exchange_n(&rp_released, false, __ATOMIC_ACQ_REL))
		thread_sleep_us(1000);
}

static void rp_client_call(ipc_event_t *ev)
{
	pager_object_t *obj;
	ipc_msg_t ans = IPC_MSG(0);
	errno_t rc = EOK;
	if (ev->msg.method == RP_CREATE) {
		rc = pager_object_create(ev->conn, NULL, &obj);
		if (rc == EOK) {
			ans.arg[0] = obj->id;
			pager_object_put(obj);
		}
	} else if (ev->msg.method == RP_STATS) {
		ans = IPC_MSG(0, __atomic_load_n(&rp_page_ins, __ATOMIC_RELAXED),
		    __atomic_load_n(&rp_adopted, __ATOMIC_RELAXED),
		    __atomic_load_n(&rp_lowmem, __ATOMIC_ACQUIRE), rp_lm_free, rp_lm_total);
	} else if (ev->msg.method == RP_LOWMEM) {
		ans = IPC_MSG(0, rp_lm_wanted, rp_lm_flags);
	} else if (ev->msg.method == RP_BOUND) {
		__atomic_add_fetch(&rp_bound, 1, __ATOMIC_RELAXED);
	} else if (ev->msg.method == RP_ADOPT_STATS) {
		ans = IPC_MSG(0, __atomic_load_n(&rp_bound, __ATOMIC_RELAXED),
		    __atomic_load_n(&rp_adopted, __ATOMIC_RELAXED),
		    __atomic_load_n(&rp_lost, __ATOMIC_RELAXED),
		    __atomic_load_n(&rp_adopted_id, __ATOMIC_RELAXED));
	} else if (ev->msg.method == RP_RELEASE) {
		__atomic_store_n(&rp_released, true, __ATOMIC_RELEASE);
	} else if (ev->msg.method == RP_QUIT) {
		ipc_answer(ev->call, EOK, NULL);
		exit(0);
	} else {
		rc = ENOTSUP;
	}
	ipc_answer(ev->call, rc, &ans);
}

static pager_ops_t rp_ops = {
	.page_in = rp_page_in,
	.client_call = rp_client_call,
	.object_adopt = rp_object_adopt,
	.low_memory = rp_low_memory,
};

int child_rpager(int argc, char **argv)
{
	if (argc < 5)
		return 9;
	unsigned gen = (unsigned) strtoul(argv[2], NULL, 0);
	rp_ops.role = (unsigned) strtoul(argv[1], NULL, 0);
	rp_hold = argc > 5 && strcmp(argv[4], "hold") == 0;
	if (as_area_create(0, RP_PAGES * PAGE_SIZE, RW, &rp_pool) != EOK)
		return 8;
	for (size_t i = 0; i < RP_PAGES; i++)
		*(uint64_t *) (rp_pool + i * PAGE_SIZE) = RP_PATTERN(gen) + i;
	thread_sleep_us(strtoul(argv[3], NULL, 0) * 1000);
	errno_t rc = pager_serve(argv[argc - 1], &rp_ops, 3);
	return 100 + (int) rc;
}

static int rp_client_follow(uintptr_t base, uint64_t p1, uint64_t p2);

int child_rpager_client(int argc, char **argv)
{
	cap_handle_t phone;
	ipc_msg_t ans;
	uintptr_t base;
	if (argc < 4 || ns_connect_timeout(argv[1], RP_CONNECT_MS, &phone) != EOK)
		return 20;
	uint64_t p1 = RP_PATTERN(strtoul(argv[2], NULL, 0));
	uint64_t p2 = RP_PATTERN(strtoul(argv[3], NULL, 0));
	if (ipc_request(phone, RP_CREATE, 0, 0, 0, 0, 0, &ans) != EOK)
		return 21;
	as_pager_spec_t spec = { .phone = phone, .object = ans.arg[0], .offset = 0 };
	if (as_area_create_pager(0, RP_PAGES * PAGE_SIZE, AS_AREA_READ, &spec, &base) != EOK)
		return 22;
	for (size_t i = 0; i < RP_PAGES; i++) {
		if (*(volatile uint64_t *) (base + i * PAGE_SIZE) != p1 + i)
			return 30 + (int) i;
	}
	return rp_client_follow(base, p1, p2);
}

/* Read page 0 at @a base until it is no longer @a p1's (a revoke made
 * the read fault and the next pager answered), then check @a p2's
 * pattern on every page: 0, or 40 + the first wrong page. */
static int rp_client_follow(uintptr_t base, uint64_t p1, uint64_t p2)
{
	volatile uint64_t *w0 = (volatile uint64_t *) base;
	for (int i = 0; i < RP_CLIENT_TRIES && *w0 == p1; i++)
		thread_sleep_us(1000);
	for (size_t i = 0; i < RP_PAGES; i++) {
		if (*(volatile uint64_t *) (base + i * PAGE_SIZE) != p2 + i)
			return 40 + (int) i;
	}
	return as_area_destroy(base) == EOK ? 0 : 23;
}

int child_rpager_writer(int argc, char **argv)
{
	cap_handle_t phone;
	ipc_msg_t ans;
	uintptr_t a, b;
	if (argc < 4 || ns_connect_timeout(argv[1], RP_CONNECT_MS, &phone) != EOK)
		return 20;
	uint64_t p1 = RP_PATTERN(strtoul(argv[2], NULL, 0));
	uint64_t p2 = RP_PATTERN(strtoul(argv[3], NULL, 0));
	if (ipc_request(phone, RP_CREATE, 0, 0, 0, 0, 0, &ans) != EOK)
		return 21;
	as_pager_spec_t spec = { .phone = phone, .object = ans.arg[0], .offset = 0 };
	if (as_area_create_pager(0, RP_PAGES * PAGE_SIZE, RW, &spec, &a) != EOK ||
	    as_area_create_pager(0, RP_PAGES * PAGE_SIZE, RW, &spec, &b) != EOK)
		return 22;
	/* page 0 mapped writable in both areas, page 1 in one, page 2 read */
	*(volatile uint64_t *) (a + 8) = 1;
	*(volatile uint64_t *) (b + 16) = 2;
	*(volatile uint64_t *) (a + PAGE_SIZE + 8) = 3;
	if (*(volatile uint64_t *) (a + 2 * PAGE_SIZE) != p1 + 2)
		return 32;
	if (ipc_request(phone, RP_BOUND, 0, 0, 0, 0, 0, &ans) != EOK)
		return 24;
	int rc = rp_client_follow(a, p1, p2);
	return rc != 0 ? rc : as_area_destroy(b) == EOK ? 0 : 25;
}

int child_rpager_crafted(int argc, char **argv)
{
	cap_handle_t phone;
	ipc_msg_t ans;
	uintptr_t base;
	if (argc < 3 || ns_connect_timeout(argv[1], RP_CONNECT_MS, &phone) != EOK)
		return 20;
	as_pager_spec_t spec = { .phone = phone, .object = strtoul(argv[2], NULL, 0) };
	if (as_area_create_pager(0, RP_PAGES * PAGE_SIZE, RW, &spec, &base) != EOK)
		return 22;
	if (ipc_request(phone, RP_BOUND, 0, 0, 0, 0, 0, &ans) != EOK)
		return 24;
	while (ipc_request(phone, RP_STATS, 0, 0, 0, 0, 0, &ans) == EOK)
		thread_sleep_us(1000);
	return *(volatile uint64_t *) base != 0 ? 0 : 26; /* the fault ends us first */
}

/* ---- helpers ---- */

/* Spawn a role pager; with @a name NULL it is not waited for (it may not
 * get to serve), else a phone to it goes to s->phone.  @a successor: name
 * it the successor of @a role right after spawning it. */
static errno_t rp_spawn(test_server_t *s, unsigned role, unsigned gen, unsigned delay_ms,
    const char *mode, bool successor)
{
	char args[96];
	test_name_make(s->name, sizeof(s->name), "rp");
	snprintf(
	    args, sizeof(args), "child:rpager %u %u %u %s %s", role, gen, delay_ms, mode, s->name);
	s->phone = CAP_NIL;
	errno_t rc = task_spawn(TESTER_MODULE, args, &s->task);
	if (rc == EOK && successor)
		rc = pager_role_successor(role, s->task);
	if (rc == EOK)
		rc = ns_connect_timeout(s->name, RP_CONNECT_MS, &s->phone);
	return rc;
}

static bool rp_stats(test_server_t *s, ipc_msg_t *ans)
{
	return UT_CHECK_OK(test_request(s->phone, RP_STATS, 0, ans));
}

/* Poll @a s until its stat @a word is at least @a want: the last value. */
static uint64_t rp_wait_stat(test_server_t *s, unsigned word, uint64_t want)
{
	ipc_msg_t ans = IPC_MSG(0);
	for (int i = 0; i < RP_POLL_TRIES; i++) {
		if (test_request(s->phone, RP_STATS, 0, &ans) != EOK || ans.arg[word] >= want)
			break;
		thread_sleep_us(RP_POLL_US);
	}
	return ans.arg[word];
}

/* Kill @a s (our child) and wait until it is gone: its role is then
 * orphaned (or freed) and its pages revoked. */
static void rp_kill(test_server_t *s)
{
	task_exit_info_t info;
	UT_CHECK_OK(task_kill(s->task));
	UT_CHECK_OK(task_wait(s->task, &info));
	ipc_hangup(s->phone);
	s->phone = CAP_NIL;
}

/* A client of @a name started (not waited for): its task id. */
static task_id_t rp_client_start(const char *name, unsigned gen1, unsigned gen2)
{
	char args[80];
	task_id_t id = 0;
	snprintf(args, sizeof(args), "child:rpager-client %s %u %u", name, gen1, gen2);
	UT_CHECK_OK(task_spawn(TESTER_MODULE, args, &id));
	return id;
}

/* The exit status of the role pager child @a id that could not serve. */
static int rp_refused_status(task_id_t id)
{
	task_exit_info_t info = { 0 };
	UT_CHECK_OK(task_wait(id, &info));
	return info.reason == TASK_EXIT_NORMAL ? info.status : -1;
}

/* ---- restart ---- */

/* A registered pager is killed while a client has an area bound: the
 * client's next read waits; a task that is not the successor is refused
 * (and changes nothing); the named successor registers, takes the object
 * over (adopted OBJECT_REF) and answers the waiting fault with its own
 * pages; the client goes on.  Afterwards the role is held (EEXIST for
 * another child), and every frame comes back. */
UTEST(pager_role_restart_successor)
{
	test_server_t p1, p2;
	ipc_msg_t ans;
	uint64_t before = frames_baseline();
	UT_ASSERT_OK(rp_spawn(&p1, PAGER_ROLE_TEST, 1, 0, "-", false));
	task_id_t client = rp_client_start(p1.name, 1, 2);
	UT_CHECK_EQ(rp_wait_stat(&p1, 0, RP_PAGES), RP_PAGES);
	rp_kill(&p1);
	/* only the holder's parent names, and only its own children */
	UT_CHECK_EQ(pager_role_successor(PAGER_ROLE_TEST, task_id()), EPERM);
	UT_CHECK_EQ(pager_role_successor(PAGER_ROLE_ANON, client), EPERM);
	UT_CHECK_EQ(pager_role_successor(PAGER_ROLE_TEST2, client), ENOENT);
	/* a child of ours waits to be named; another is named: refused */
	char args[64];
	task_id_t intruder;
	snprintf(args, sizeof(args), "child:rpager %u 9 0 - rp-intruder", PAGER_ROLE_TEST);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &intruder));
	thread_sleep_us(50000); /* it waits in the kernel for our word */
	/* the successor registers 300 ms after we named it */
	UT_ASSERT_OK(rp_spawn(&p2, PAGER_ROLE_TEST, 2, 300, "-", true));
	int st = rp_refused_status(intruder);
	if (!UT_CHECK_EQ(st, 100 + EPERM))
		utest_note("the intruder ended with %d", st);
	/* the client saw the successor's pages */
	task_exit_info_t info;
	UT_CHECK_OK(task_wait(client, &info));
	if (!UT_CHECK_EQ(info.status, 0))
		utest_note("client: status %d %s", info.status, info.message);
	if (rp_stats(&p2, &ans)) {
		UT_CHECK_EQ(ans.arg[1], 1); /* one object adopted */
		UT_CHECK(ans.arg[0] >= 1); /* it answered the waiting fault */
	}
	/* the role is the successor's now */
	task_id_t other;
	snprintf(args, sizeof(args), "child:rpager %u 9 0 - rp-other", PAGER_ROLE_TEST);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &other));
	UT_CHECK_EQ(rp_refused_status(other), 100 + EEXIST);
	test_server_stop(&p2, RP_QUIT, &info);
	UT_CHECK_EQ(info.status, 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

/* Nobody takes over: the client's fault waits the pager timeout and then
 * fails with EHANGUP; no frame leaks.  The orphaned role, without records
 * once the client is gone, is free again for the next pager. */
UTEST(pager_role_no_successor)
{
	test_server_t p1, p2;
	task_exit_info_t info;
	uint64_t before = frames_baseline();
	UT_ASSERT_OK(rp_spawn(&p1, PAGER_ROLE_TEST, 1, 0, "-", false));
	task_id_t client = rp_client_start(p1.name, 1, 2);
	UT_CHECK_EQ(rp_wait_stat(&p1, 0, RP_PAGES), RP_PAGES);
	rp_kill(&p1);
	UT_CHECK_OK(task_wait(client, &info));
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	if (!UT_CHECK(strstr(info.message, "EHANGUP") != NULL))
		utest_note("client: %s", info.message);
	/* a new pager (not named by anybody) may take the role now */
	UT_ASSERT_OK(rp_spawn(&p2, PAGER_ROLE_TEST, 3, 0, "-", false));
	test_server_stop(&p2, RP_QUIT, &info);
	UT_CHECK_EQ(info.status, 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}

/* ---- low memory ---- */

/* A forced notice reaches the registered pager once: while it is
 * unanswered no other is sent (EBUSY, however often asked); its words are
 * sane; once answered the next one goes. */
UTEST(pager_role_low_memory_once)
{
	test_server_t p;
	ipc_msg_t ans;
	mem_stats_t st;
	UT_ASSERT_OK(rp_spawn(&p, PAGER_ROLE_TEST, 1, 0, "hold", false));
	UT_CHECK_OK(pager_low_memory_test(PAGER_ROLE_TEST));
	UT_CHECK_EQ(rp_wait_stat(&p, 2, 1), 1);
	for (int i = 0; i < 5; i++)
		UT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST), EBUSY);
	UT_CHECK_OK(pager_low_memory_test(0)); /* everybody: not it */
	thread_sleep_us(100000);
	UT_ASSERT_OK(mem_stats(&st));
	if (rp_stats(&p, &ans)) {
		UT_CHECK_EQ(ans.arg[2], 1); /* no storm */
		UT_CHECK_EQ(ans.arg[4], st.total_frames);
		UT_CHECK(ans.arg[3] > 0 && ans.arg[3] <= st.total_frames);
	}
	if (UT_CHECK_OK(test_request(p.phone, RP_LOWMEM, 0, &ans))) {
		UT_CHECK(ans.arg[0] >= 256 && ans.arg[0] <= st.total_frames);
		UT_CHECK_EQ(ans.arg[1], PAGER_LOW_MEMORY_FORCED);
	}
	UT_CHECK_OK(test_request(p.phone, RP_RELEASE, 0, NULL));
	errno_t rc = EBUSY;
	for (int i = 0; i < RP_POLL_TRIES && rc == EBUSY; i++) {
		thread_sleep_us(RP_POLL_US);
		rc = pager_low_memory_test(PAGER_ROLE_TEST);
	}
	UT_CHECK_OK(rc);
	UT_CHECK_EQ(rp_wait_stat(&p, 2, 2), 2);
	UT_CHECK_OK(test_request(p.phone, RP_RELEASE, 0, NULL));
	test_server_stop(&p, RP_QUIT, NULL);
}

/* A pager that did not register gets no notice; a role nobody holds is
 * ENOENT; bad roles are EINVAL. */
UTEST(pager_role_low_memory_unregistered)
{
	test_server_t p;
	ipc_msg_t ans;
	UT_ASSERT_OK(rp_spawn(&p, 0, 1, 0, "-", false));
	UT_CHECK_OK(pager_low_memory_test(0));
	UT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_TEST2), ENOENT);
	UT_CHECK_EQ(pager_low_memory_test(PAGER_ROLE_COUNT), EINVAL);
	UT_CHECK_EQ(pager_role_register(0), EINVAL);
	UT_CHECK_EQ(pager_role_register(PAGER_ROLE_COUNT), EINVAL);
	UT_CHECK_EQ(pager_role_successor(0, 1), EINVAL);
	thread_sleep_us(100000);
	if (rp_stats(&p, &ans))
		UT_CHECK_EQ(ans.arg[2], 0);
	test_server_stop(&p, RP_QUIT, NULL);
}

/* The anon pager is registered and answers: after one forced notice the
 * next can be sent within a second (the first was answered). */
UTEST(pager_role_low_memory_anon_answers)
{
	errno_t rc = pager_low_memory_test(PAGER_ROLE_ANON);
	UT_CHECK(rc == EOK || rc == EBUSY); /* a real one may be out */
	for (int i = 0; i < RP_POLL_TRIES; i++) {
		thread_sleep_us(RP_POLL_US);
		if ((rc = pager_low_memory_test(PAGER_ROLE_ANON)) != EBUSY)
			break;
	}
	UT_CHECK_OK(rc);
}

/* ---- what a successor is handed ---- */

/* An id the role pager never makes (its ids count from 1). */
#define RP_CRAFTED_ID 0x7777

/* Only what the dead pager accepted is handed over.  A client (the
 * crafted child) binds, through its own connection, an id the pager never
 * made; another (the writer) binds an object the pager made and touches
 * it.  The pager dies: the crafted record's fault ends its task at once
 * (EHANGUP, long before the pager timeout: it does not wait for a
 * successor); the successor is offered the writer's object alone, with
 * the count of pages that were mapped writable (page 0 through two areas,
 * counted once, and page 1; page 2 was read only), and the writer goes
 * on with the successor's pages. */
UTEST(pager_role_adopt_accepted_only)
{
	test_server_t p1, p2;
	ipc_msg_t ans = IPC_MSG(0);
	task_exit_info_t info;
	char args[80];
	task_id_t writer, crafted;
	uint64_t before = frames_baseline();
	UT_ASSERT_OK(rp_spawn(&p1, PAGER_ROLE_TEST, 1, 0, "-", false));
	snprintf(args, sizeof(args), "child:rpager-writer %s 1 2", p1.name);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &writer));
	snprintf(args, sizeof(args), "child:rpager-crafted %s %u", p1.name, RP_CRAFTED_ID);
	UT_ASSERT_OK(task_spawn(TESTER_MODULE, args, &crafted));
	for (int i = 0; i < RP_POLL_TRIES && ans.arg[0] < 2; i++) {
		thread_sleep_us(RP_POLL_US);
		UT_ASSERT_OK(test_request(p1.phone, RP_ADOPT_STATS, 0, &ans));
	}
	UT_ASSERT_EQ(ans.arg[0], 2); /* both clients bound */
	uint64_t t0 = uptime_ns_now();
	rp_kill(&p1);
	UT_CHECK_OK(task_wait(crafted, &info));
	uint64_t ms = (uptime_ns_now() - t0) / 1000000;
	UT_CHECK_EQ(info.reason, TASK_EXIT_FAULT);
	if (!UT_CHECK(strstr(info.message, "EHANGUP") != NULL))
		utest_note("crafted client: %s", info.message);
	if (!UT_CHECK(ms < PAGER_TIMEOUT_DEFAULT_MS / 2))
		utest_note("the crafted client's fault took %llu ms", (unsigned long long) ms);
	UT_ASSERT_OK(rp_spawn(&p2, PAGER_ROLE_TEST, 2, 0, "-", true));
	UT_CHECK_OK(task_wait(writer, &info));
	if (!UT_CHECK_EQ(info.status, 0))
		utest_note("writer: status %d %s", info.status, info.message);
	if (UT_CHECK_OK(test_request(p2.phone, RP_ADOPT_STATS, 0, &ans))) {
		UT_CHECK_EQ(ans.arg[1], 1); /* the writer's object alone */
		UT_CHECK_EQ(ans.arg[2], 2); /* pages 0 and 1 */
		UT_CHECK(ans.arg[3] != RP_CRAFTED_ID);
	}
	test_server_stop(&p2, RP_QUIT, &info);
	UT_CHECK_EQ(info.status, 0);
	uint64_t after = frames_settle(before);
	if (!UT_CHECK(after >= before))
		utest_note("%llu frames free before, %llu after", (unsigned long long) before,
		    (unsigned long long) after);
}
