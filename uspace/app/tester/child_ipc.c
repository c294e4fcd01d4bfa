/*
 * Children of the IPC and pager tests:
 *
 *   child:server NAME            the test server (TS_* methods, tester.h)
 *   child:tpager MODE NAME       the test pager (lib/pager; TP_*)
 *   child:tpager-client NAME [FLAGS]  binds an area (FLAGS: its rights,
 *                                RW if none) to the test pager, reads it
 *                                (exit 0 iff it saw TP_PATTERN + page)
 *                                and writes page 0
 *   child:anon-peek ID PAGES     binds an area to anon object ID, checks
 *                                word 0 of page i is 0xa000 + i and
 *                                writes 0xb000 + i into word 1
 *   child:paged                  uses heap, a thread and an anon area,
 *                                all pager-backed
 */
#include "tester.h"
#include <anon.h>
#include <cap.h>
#include <lock.h>
#include <ns.h>
#include <pager.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>

#define CHILD_CONNECT_TIMEOUT_MS 5000

/* ---- the test server ---- */

static unsigned char ts_buf[IPC_DATA_MAX];
static size_t ts_len;
static size_t ts_limit = IPC_DATA_MAX;
static uintptr_t ts_mem[2];
static lock_t ts_lock = LOCK_INITIALIZER;
static uint64_t ts_badge_next = 100;
static unsigned ts_share_want; /* 0: the rights offered */

static void ts_data(ipc_event_t *ev)
{
	lock_acquire(&ts_lock);
	if (ev->msg.method == IPC_M_DATA_WRITE)
		ipc_data_write_accept(ev, ts_buf, ts_limit, &ts_len);
	else
		ipc_data_read_accept(ev, ts_buf, ts_len < ts_limit ? ts_len : ts_limit);
	lock_release(&ts_lock);
}

/* SHARE_IN: a new area of ours, word 0 of page i = pattern + i. */
static void ts_share_in(ipc_event_t *ev)
{
	size_t size = (size_t) ev->msg.arg[0];
	uintptr_t base;
	errno_t rc = as_area_create_anon(0, size, RW, &base);
	if (rc != EOK) {
		ipc_answer(ev->call, rc, NULL);
		return;
	}
	for (size_t off = 0; off < size; off += PAGE_SIZE)
		*(volatile uint64_t *) (base + off) = TS_SHARE_IN_PATTERN + off / PAGE_SIZE;
	ts_mem[TS_MEM_SHARED_IN] = base;
	ipc_share_in_accept(ev, base);
}

/* Held across a share-out's answer and the recording of its area. */
static lock_t ts_mem_lock = LOCK_INITIALIZER;

/* The word at arg1 of area arg0, if the area is there and holds it. */
static volatile uint64_t *ts_mem_word(const ipc_event_t *ev)
{
	as_area_info_t info;
	uint64_t which = ev->msg.arg[0], off = ev->msg.arg[1];
	if (which > 1 || ts_mem[which] == 0 || as_area_query(ts_mem[which], &info) != EOK)
		return NULL;
	if (off % 8 || off + 8 > info.base + info.size - ts_mem[which])
		return NULL;
	return (volatile uint64_t *) (ts_mem[which] + off);
}

static void ts_mem_access(ipc_event_t *ev)
{
	lock_acquire(&ts_mem_lock); /* a share-out being recorded */
	lock_release(&ts_mem_lock);
	volatile uint64_t *w = ts_mem_word(ev);
	if (!w) {
		ipc_answer(ev->call, ERANGE, NULL);
		return;
	}
	if (ev->msg.method == TS_MEM_WRITE)
		*w = ev->msg.arg[2];
	ipc_msg_t ans = IPC_MSG(0, *w);
	ipc_answer(ev->call, EOK, &ans);
}

static void ts_user(ipc_event_t *ev)
{
	ipc_msg_t ans = IPC_MSG(0);
	switch (ev->msg.method) {
	case TS_PING:
		ans = IPC_MSG(0, ev->msg.arg[0] + 1, task_id());
		break;
	case TS_CONN:
		ans.arg[0] = ev->conn;
		break;
	case TS_QUIT:
		ipc_answer(ev->call, EOK, NULL);
		exit(0);
	case TS_DIE:
		exit(3);
	case TS_HOLD:
		return;
	case TS_SLEEP:
		thread_sleep_us(ev->msg.arg[0]);
		break;
	case TS_LIMIT:
		ts_limit = ev->msg.arg[0] < IPC_DATA_MAX ? (size_t) ev->msg.arg[0] : IPC_DATA_MAX;
		break;
	case TS_SHARE_WANT:
		ts_share_want = (unsigned) ev->msg.arg[0];
		break;
	case TS_STATS: {
		task_stats_t st;
		task_stats(&st);
		ans = IPC_MSG(0, st.handles, st.areas);
		break;
	}
	default:
		ts_mem_access(ev);
		return;
	}
	ipc_answer(ev->call, EOK, &ans);
}

/* A capability given: arg[1] TS_GIVE_* says what to do with it. */
static void ts_cap_give(ipc_event_t *ev)
{
	cap_handle_t h = (cap_handle_t) ev->msg.arg[0];
	cap_info_t info = { 0 };
	ipc_msg_t ans = { 0 };
	switch (ev->msg.arg[1]) {
	case TS_GIVE_KEEP:
		cap_info(h, &info);
		ans = IPC_MSG(0, info.kind, info.base, info.size, (uint64_t) h);
		ipc_answer(ev->call, EOK, &ans);
		break;
	case TS_GIVE_REFUSE:
		ipc_answer(ev->call, EPERM, NULL);
		break;
	default: /* accepted, and dropped at once */
		if (ipc_answer(ev->call, EOK, NULL) == EOK)
			cap_drop(h);
		break;
	}
}

static void ts_handle(ipc_event_t *ev)
{
	if (ev->kind != IPC_EV_CALL)
		return;
	switch (ev->msg.method) {
	case IPC_M_CONNECT_ME_TO:
		ipc_connect_accept(ev, __atomic_fetch_add(&ts_badge_next, 1, __ATOMIC_RELAXED));
		break;
	case IPC_M_DATA_WRITE:
	case IPC_M_DATA_READ:
		ts_data(ev);
		break;
	case IPC_M_SHARE_OUT:
		/* the answer lets the client go on: its next request (on
		 * another of our threads) must find the area recorded */
		lock_acquire(&ts_mem_lock);
		ipc_share_out_accept(ev, 0,
		    ts_share_want ? ts_share_want : (unsigned) ev->msg.arg[1],
		    &ts_mem[TS_MEM_SHARED_OUT]);
		lock_release(&ts_mem_lock);
		break;
	case IPC_M_SHARE_IN:
		ts_share_in(ev);
		break;
	case IPC_M_CAP_GIVE:
		ts_cap_give(ev);
		break;
	case IPC_M_CONNECT_TO_ME: {
		/* accepted, and the phone given to us closed at once */
		cap_handle_t ph = (cap_handle_t) ev->msg.arg[4];
		if (ipc_answer(ev->call, EOK, NULL) == EOK)
			ipc_hangup(ph);
		break;
	}
	default:
		if (ev->msg.method >= TS_PING && ev->msg.method <= TS_STATS)
			ts_user(ev);
		else
			ipc_answer(ev->call, ENOTSUP, NULL);
		break;
	}
}

static int child_server(int argc, char **argv)
{
	if (argc < 2)
		return 9;
	errno_t rc = ns_register(argv[1]);
	if (rc != EOK) {
		printf("child:server: cannot register \"%s\": %s\n", argv[1], str_error_name(rc));
		return 10;
	}
	rc = ipc_serve(ts_handle, TS_THREADS);
	printf("child:server: serving ended: %s\n", str_error_name(rc));
	return 11;
}

/* ---- the test pager ---- */

#define TP_POOL_PAGES (2 * PAGER_RUN_SEQ_MAX + TP_AREA_PAGES)

static const char *tp_mode;
static uintptr_t tp_pool; /* wired, RW, word 0 of page i = TP_PATTERN + i */
static uintptr_t tp_ro_page; /* wired, read-only */
static uint64_t tp_page_ins;
static uint64_t tp_sequential; /* page-ins that came with PAGE_IN_SEQUENTIAL */
static uint64_t tp_upgrades; /* page-ins that came with PAGE_IN_UPGRADE */
static uint64_t tp_mapped; /* PAGE_IN_MAPPED of the last upgrade */
static uint64_t tp_refused; /* answers pager_supply says the kernel refused */
static uint64_t tp_opens, tp_closes, tp_refs; /* the callbacks */
static uint64_t tp_wp_done; /* wprace: bit i, page i was protected after its answer */

static bool tp_is(const char *mode)
{
	return strcmp(tp_mode, mode) == 0;
}

static void tp_count(uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static void tp_supply(pager_fault_t *f, uintptr_t addr, size_t pages, unsigned rights)
{
	if (pager_supply(f->call, addr, pages, rights) != EOK)
		tp_count(&tp_refused);
}

/* The garbage answers: each breaks one rule of abi/pager.h. */
static bool tp_garbage(pager_fault_t *f)
{
	if (tp_is("unmapped"))
		tp_supply(f, ADDR_UNMAPPED, 1, AS_AREA_READ);
	else if (tp_is("toomany"))
		tp_supply(f, tp_pool, f->pages + 1, AS_AREA_READ);
	else if (tp_is("zeropages"))
		tp_supply(f, tp_pool, 0, AS_AREA_READ);
	else if (tp_is("rights"))
		tp_supply(f, tp_ro_page, 1, AS_AREA_READ | AS_AREA_WRITE);
	else if (tp_is("kernel"))
		tp_supply(f, ADDR_KERNEL, 1, AS_AREA_READ);
	else if (tp_is("unaligned"))
		tp_supply(f, tp_pool + 8, 1, AS_AREA_READ);
	else if (tp_is("beyond")) /* exec on a read/write area */
		tp_supply(f, tp_pool, 1, AS_AREA_READ | AS_AREA_EXEC);
	else if (tp_is("uncached")) /* the area is cached */
		tp_supply(f, tp_pool, 1, AS_AREA_READ | AS_AREA_UNCACHED);
	else
		return false;
	return true;
}

/* Supply a page of a new area of ours and drop the area right after
 * answering: the kernel holds its own frame reference (abi/pager.h: "the
 * pager may unmap its own copy afterwards"). */
static void tp_unmap_after(pager_fault_t *f, size_t page, unsigned rights)
{
	uintptr_t a;
	if (as_area_create(0, PAGE_SIZE, RW, &a) != EOK) {
		pager_fail(f->call, ENOMEM);
		return;
	}
	*(uint64_t *) a = TP_PATTERN + page;
	tp_supply(f, a, 1, rights);
	as_area_destroy(a);
}

/* The modes that answer well, each its own way; false for the others. */
static bool tp_good(pager_fault_t *f, size_t page, unsigned rights)
{
	if (page >= TP_AREA_PAGES)
		return false;
	if (tp_is("slow")) /* long enough for other faults to join */
		thread_sleep_us(TP_SLOW_US);
	if (tp_is("arearights")) /* everything PAGE_IN_RIGHTS says, as given */
		rights = f->area_rights;
	if (tp_is("setsize")) {
		/* the natural place for it, and the answer after it must stand;
		 * a kernel that dropped it would loop here: give up then */
		if (tp_page_ins > 3 * TP_AREA_PAGES) {
			pager_fail(f->call, ELIMIT);
			return true;
		}
		if (pager_object_set_size(f->object->id, TP_AREA_PAGES * PAGE_SIZE) != EOK) {
			pager_fail(f->call, EIO);
			return true;
		}
	}
	bool race = tp_is("wprace");
	if (!tp_is("good") && !tp_is("slow") && !tp_is("arearights") && !tp_is("setsize") && !race)
		return false;
	tp_supply(f, tp_pool + page * PAGE_SIZE, 1, rights);
	/* the answer is out and the client may not have mapped it yet: from
	 * the protect on, no store may go by unseen (the first time only) */
	uint64_t bit = 1ULL << page;
	if (race && (rights & AS_AREA_WRITE) &&
	    !(__atomic_fetch_or(&tp_wp_done, bit, __ATOMIC_RELAXED) & bit))
		(void) pager_object_write_protect(f->object->id, page * PAGE_SIZE, PAGE_SIZE);
	return true;
}

static void tp_page_in(pager_fault_t *f)
{
	tp_count(&tp_page_ins);
	if (f->hints & PAGE_IN_SEQUENTIAL)
		tp_count(&tp_sequential);
	if (f->upgrade) {
		tp_count(&tp_upgrades);
		__atomic_store_n(&tp_mapped, f->mapped, __ATOMIC_RELAXED);
	}
	size_t page = (size_t) (f->offset / PAGE_SIZE);
	unsigned rights = f->access == FAULT_ACCESS_WRITE ? RW : AS_AREA_READ;
	if (tp_good(f, page, rights))
		return;
	if (tp_is("unmap-after") && page < TP_AREA_PAGES)
		tp_unmap_after(f, page, rights);
	else if (tp_is("error"))
		pager_fail(f->call, EIO);
	else if (tp_is("die"))
		exit(7);
	else if (tp_is("silent"))
		return; /* the call stays with us, unanswered */
	else if (!tp_garbage(f))
		pager_fail(f->call, ERANGE);
}

/* Take every free frame into wired areas of ours (kept until we exit),
 * the last ones a page at a time: the number of pages taken. */
static uint64_t tp_hog(void)
{
	uint64_t taken = 0;
	mem_stats_t st;
	for (int round = 0; round < 4; round++) {
		mem_stats(&st); /* gives the slab caches' empty slabs back first */
		for (size_t pages = 1024; pages > 0; pages /= 4) {
			uintptr_t base;
			while (as_area_create(0, pages * PAGE_SIZE, RW, &base) == EOK)
				taken += pages;
		}
	}
	return taken;
}

static void tp_client_call(ipc_event_t *ev)
{
	pager_object_t *obj;
	ipc_msg_t ans = IPC_MSG(0);
	errno_t rc = EOK;
	if (ev->msg.method == TP_CREATE) {
		rc = pager_object_create(ev->conn, NULL, &obj);
		if (rc == EOK) {
			ans.arg[0] = obj->id;
			pager_object_put(obj);
		}
	} else if (ev->msg.method == TP_PING) {
		ans.arg[0] = __atomic_load_n(&tp_page_ins, __ATOMIC_RELAXED);
		ans.arg[1] = __atomic_load_n(&tp_sequential, __ATOMIC_RELAXED);
	} else if (ev->msg.method == TP_STATS) {
		ans = IPC_MSG(0, __atomic_load_n(&tp_upgrades, __ATOMIC_RELAXED),
		    __atomic_load_n(&tp_mapped, __ATOMIC_RELAXED),
		    __atomic_load_n(&tp_refused, __ATOMIC_RELAXED),
		    __atomic_load_n(&tp_opens, __ATOMIC_RELAXED) << 32 |
		        __atomic_load_n(&tp_closes, __ATOMIC_RELAXED),
		    __atomic_load_n(&tp_refs, __ATOMIC_RELAXED));
	} else if (ev->msg.method == TP_QUIT) {
		ipc_answer(ev->call, EOK, NULL);
		exit(0);
	} else if (ev->msg.method == TP_HOG) {
		ans.arg[0] = tp_hog();
	} else if (ev->msg.method == TP_PROTECT) {
		uint64_t t0 = bench_rdtsc();
		rc = pager_object_write_protect(ev->msg.arg[0], ev->msg.arg[1], ev->msg.arg[2]);
		ans.arg[0] = bench_rdtsc() - t0;
	} else {
		rc = ENOTSUP;
	}
	ipc_answer(ev->call, rc, &ans);
}

static void tp_object_ref(pager_object_t *obj)
{
	(void) obj;
	tp_count(&tp_refs);
}

static errno_t tp_client_open(uint64_t conn)
{
	(void) conn;
	tp_count(&tp_opens);
	return EOK;
}

static void tp_client_close(uint64_t conn)
{
	(void) conn;
	tp_count(&tp_closes);
}

static const pager_ops_t tp_ops = { .page_in = tp_page_in,
	.object_ref = tp_object_ref,
	.client_open = tp_client_open,
	.client_close = tp_client_close,
	.client_call = tp_client_call };

static errno_t tp_memory(void)
{
	errno_t rc = as_area_create(0, TP_POOL_PAGES * PAGE_SIZE, RW, &tp_pool);
	if (rc != EOK)
		return rc;
	for (size_t i = 0; i < TP_POOL_PAGES; i++)
		*(uint64_t *) (tp_pool + i * PAGE_SIZE) = TP_PATTERN + i;
	return as_area_create(0, PAGE_SIZE, AS_AREA_READ, &tp_ro_page);
}

static int child_tpager(int argc, char **argv)
{
	if (argc < 3)
		return 9;
	tp_mode = argv[1];
	if (tp_memory() != EOK)
		return 8;
	errno_t rc = pager_serve(argv[2], &tp_ops, 2);
	printf("child:tpager: %s\n", str_error_name(rc));
	return 10;
}

/* Bind TP_AREA_PAGES to a new object of the test pager @a argv[1], with
 * the rights @a argv[2] (RW if not given). */
static int child_tpager_client(int argc, char **argv)
{
	cap_handle_t phone;
	ipc_msg_t ans;
	uintptr_t base;
	unsigned flags = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 0) : RW;
	if (argc < 2 || ns_connect_timeout(argv[1], CHILD_CONNECT_TIMEOUT_MS, &phone) != EOK)
		return 20;
	if (ipc_request(phone, TP_CREATE, 0, 0, 0, 0, 0, &ans) != EOK)
		return 21;
	as_pager_spec_t spec = { .phone = phone, .object = ans.arg[0], .offset = 0 };
	if (as_area_create_pager(0, TP_AREA_PAGES * PAGE_SIZE, flags, &spec, &base) != EOK)
		return 22;
	for (size_t i = 0; i < TP_AREA_PAGES; i++) {
		if (*(volatile uint64_t *) (base + i * PAGE_SIZE) != TP_PATTERN + i)
			return 30 + (int) i;
	}
	*(volatile uint64_t *) (base + 8) = 1;
	return as_area_destroy(base) == EOK ? 0 : 23;
}

/* ---- anon clients ---- */

/* Bind a page of the test pager @a argv[1] far from everything else
 * (its page tables do not exist yet), wait until the machine is out of
 * frames (the test makes the pager take them all) and touch it.  The
 * fault must fail (ENOMEM: nothing to map it with) and kill us; it must
 * not be asked again and again. */
static int child_tpager_far(int argc, char **argv)
{
	cap_handle_t phone;
	ipc_msg_t ans;
	mem_stats_t st;
	volatile char stack[16384];
	memset((void *) stack, 1, sizeof(stack)); /* no stack fault later */
	if (argc < 2 || ns_connect_timeout(argv[1], CHILD_CONNECT_TIMEOUT_MS, &phone) != EOK)
		return 20;
	if (ipc_request(phone, TP_CREATE, 0, 0, 0, 0, 0, &ans) != EOK)
		return 21;
	as_pager_spec_t spec = { .phone = phone, .object = ans.arg[0], .offset = 0 };
	if (as_area_create_pager(TP_FAR_ADDR, PAGE_SIZE, RW | AS_AREA_FIXED, &spec, NULL) != EOK)
		return 22;
	for (int i = 0; i < 5000; i++) {
		if (mem_stats(&st) == EOK && st.free_frames <= 2)
			return *(volatile uint64_t *) TP_FAR_ADDR == TP_PATTERN ? 0 : 24;
		thread_sleep_us(1000);
	}
	return 23;
}

static int child_anon_peek(int argc, char **argv)
{
	uintptr_t base;
	if (argc < 3 || !anon_paging())
		return 20;
	size_t pages = strtoul(argv[2], NULL, 0);
	as_pager_spec_t spec = { .phone = anon_phone(), .object = strtoul(argv[1], NULL, 0) };
	if (as_area_create_pager(0, pages * PAGE_SIZE, RW, &spec, &base) != EOK)
		return 21;
	for (size_t i = 0; i < pages; i++) {
		volatile uint64_t *w = (volatile uint64_t *) (base + i * PAGE_SIZE);
		if (w[0] != 0xa000 + i)
			return 30;
		w[1] = 0xb000 + i;
	}
	return as_area_destroy(base) == EOK ? 0 : 22;
}

static int child_paged_thread(void *arg)
{
	volatile char buf[8192];
	for (size_t i = 0; i < sizeof(buf); i += 512)
		buf[i] = (char) i;
	return arg == NULL ? buf[512] : 0;
}

static int child_paged(int argc, char **argv)
{
	(void) argc, (void) argv;
	uintptr_t base;
	tid_t tid;
	if (!anon_paging())
		return 5;
	unsigned char *p = malloc(200 * 1024);
	if (!p)
		return 6;
	memset(p, 0x3c, 200 * 1024);
	if (thread_create(child_paged_thread, NULL, &tid) != EOK)
		return 7;
	thread_join(tid, NULL);
	if (as_area_create_anon(0, 8 * PAGE_SIZE, RW, &base) != EOK)
		return 8;
	memset((void *) base, 1, 8 * PAGE_SIZE);
	as_area_info_t info;
	if (as_area_query(base, &info) != EOK || info.backend != AS_BACKEND_PAGER)
		return 9;
	free(p);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} child_ipc_modes[] = {
	{ "child:server", child_server },
	{ "child:tpager", child_tpager },
	{ "child:tpager-client", child_tpager_client },
	{ "child:tpager-far", child_tpager_far },
	{ "child:anon-peek", child_anon_peek },
	{ "child:paged", child_paged },
	{ "child:mixsrv", child_mixsrv },
	{ "child:rpager", child_rpager },
	{ "child:rpager-client", child_rpager_client },
	{ "child:rpager-writer", child_rpager_writer },
	{ "child:rpager-crafted", child_rpager_crafted },
};

int child_ipc_main(int argc, char **argv, bool *found)
{
	for (size_t i = 0; i < sizeof(child_ipc_modes) / sizeof(child_ipc_modes[0]); i++) {
		if (strcmp(argv[0], child_ipc_modes[i].name) == 0) {
			*found = true;
			return child_ipc_modes[i].fn(argc, argv);
		}
	}
	*found = false;
	return 0;
}
