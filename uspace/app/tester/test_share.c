/*
 * Share-out and share-in between two tasks: the kernel makes an area in
 * the other task bound to the same pager object, so writes on either side
 * are seen on the other (abi/ipc.h, IPC_M_SHARE_OUT / IPC_M_SHARE_IN).
 */
#include "tester.h"
#include <anon.h>
#include <task.h>
#include <utest.h>

#define SHARE_PAGES 4

static uint64_t *word_at(uintptr_t base, size_t off)
{
	return (uint64_t *) (base + off);
}

/* The server's view of a word of area @a which. */
static uint64_t server_read(const test_server_t *s, unsigned which, size_t off)
{
	ipc_msg_t ans;
	if (!UT_CHECK_OK(ipc_request(s->phone, TS_MEM_READ, which, off, 0, 0, 0, &ans)))
		return ~0ULL;
	return ans.arg[0];
}

static void server_write(const test_server_t *s, unsigned which, size_t off, uint64_t v)
{
	UT_CHECK_OK(ipc_request(s->phone, TS_MEM_WRITE, which, off, v, 0, 0, NULL));
}

UTEST(ipc_share_out_two_tasks)
{
	test_server_t s;
	uintptr_t a;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(test_server_start(&s));
	UT_CHECK_ERR(ipc_share_out(s.phone, ADDR_UNMAPPED, RW), ENOENT, EINVAL);
	if (!UT_CHECK_OK(as_area_create_anon(0, SHARE_PAGES * PAGE_SIZE, RW, &a))) {
		test_server_stop(&s, TS_QUIT, NULL);
		return;
	}
	*word_at(a, 0) = 0xabc1;
	if (UT_CHECK_OK(ipc_share_out(s.phone, a, RW))) {
		UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_OUT, 0), 0xabc1);
		/* The server writes a page we never touched; we see it. */
		server_write(&s, TS_MEM_SHARED_OUT, PAGE_SIZE + 8, 0xdef2);
		UT_CHECK_EQ(*word_at(a, PAGE_SIZE + 8), 0xdef2);
		/* We write, the server sees. */
		*word_at(a, 2 * PAGE_SIZE) = 0x1234;
		UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_OUT, 2 * PAGE_SIZE), 0x1234);
		/* Both read an untouched page (zero), then we write it: the
		 * server must see the write, not its zero page. */
		UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_OUT, 3 * PAGE_SIZE), 0);
		UT_CHECK_EQ(*word_at(a, 3 * PAGE_SIZE), 0);
		*word_at(a, 3 * PAGE_SIZE) = 0x5555;
		UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_OUT, 3 * PAGE_SIZE), 0x5555);
	}
	UT_CHECK_OK(as_area_destroy(a));
	/* The server's area keeps the object alive. */
	UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_OUT, 0), 0xabc1);
	test_server_stop(&s, TS_QUIT, NULL);
}

UTEST(ipc_share_in_two_tasks)
{
	test_server_t s;
	uintptr_t b = 0;
	as_area_info_t info;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(test_server_start(&s));
	if (UT_CHECK_OK(ipc_share_in(s.phone, SHARE_PAGES * PAGE_SIZE, RW, 0, &b))) {
		for (size_t i = 0; i < SHARE_PAGES; i++)
			UT_CHECK_EQ(*word_at(b, i * PAGE_SIZE), TS_SHARE_IN_PATTERN + i);
		*word_at(b, 8) = 77;
		UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_IN, 8), 77);
		server_write(&s, TS_MEM_SHARED_IN, PAGE_SIZE + 16, 99);
		UT_CHECK_EQ(*word_at(b, PAGE_SIZE + 16), 99);
		UT_CHECK_OK(as_area_query(b, &info));
		UT_CHECK_EQ(info.base, b);
		UT_CHECK_EQ(info.size, SHARE_PAGES * PAGE_SIZE);
		UT_CHECK_EQ(info.backend, AS_BACKEND_PAGER);
		UT_CHECK_OK(as_area_destroy(b));
	}
	test_server_stop(&s, TS_QUIT, NULL);
}

/* The recipient gets at most the rights offered; only pager-backed areas
 * can be shared (a wired area has no object to bind to). */
UTEST(ipc_share_rights)
{
	test_server_t s;
	uintptr_t a, w;
	const unsigned ro = AS_AREA_READ;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(test_server_start(&s));
	UT_ASSERT_OK(as_area_create_anon(0, PAGE_SIZE, RW, &a));
	*word_at(a, 0) = 0x7777;
	UT_CHECK_OK(ipc_request(s.phone, TS_SHARE_WANT, RW, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(ipc_share_out(s.phone, a, ro), EPERM);
	UT_CHECK_OK(ipc_request(s.phone, TS_SHARE_WANT, ro, 0, 0, 0, 0, NULL));
	if (UT_CHECK_OK(ipc_share_out(s.phone, a, ro)))
		UT_CHECK_EQ(server_read(&s, TS_MEM_SHARED_OUT, 0), 0x7777);
	/* Offered more than the area has, taken as offered: refused. */
	UT_CHECK_OK(ipc_request(s.phone, TS_SHARE_WANT, 0, 0, 0, 0, 0, NULL));
	UT_CHECK_ERR(ipc_share_out(s.phone, a, RW | AS_AREA_EXEC), EPERM);
	UT_ASSERT_OK(as_area_create(0, PAGE_SIZE, RW, &w));
	UT_CHECK_ERR(ipc_share_out(s.phone, w, ro), ENOTSUP);
	UT_CHECK_OK(as_area_destroy(w));
	UT_CHECK_OK(as_area_destroy(a));
	test_server_stop(&s, TS_QUIT, NULL);
}

/* A SHARE_OUT answer whose result words cannot be written changes
 * nothing: no area is made, the call is still ours to answer, and a good
 * answer afterwards makes the area and reports its base. */
UTEST(ipc_share_out_answer_bad_result_pointer)
{
	cap_handle_t self;
	uintptr_t a, ro;
	ipc_event_t ev;
	task_stats_t st0, st1;
	UT_ASSERT(pager_ready());
	UT_ASSERT_OK(as_area_create_anon(0, SHARE_PAGES * PAGE_SIZE, RW, &a));
	UT_ASSERT_OK(as_area_create_anon(0, PAGE_SIZE, RW, &ro));
	ipc_msg_t *ro_args = (ipc_msg_t *) ro;
	*ro_args = IPC_MSG(0, 0, RW & AS_AREA_RIGHTS); /* anywhere, the rights offered */
	UT_ASSERT_OK(as_area_protect(ro, PAGE_SIZE, AS_AREA_READ));
	UT_ASSERT_OK(self_phone_open(&self));
	uint64_t cookie = ipc_cookie_sync_new();
	UT_ASSERT_OK(ipc_call(self, &IPC_MSG(IPC_M_SHARE_OUT, a, RW & AS_AREA_RIGHTS), cookie));
	if (UT_CHECK_OK(self_event_wait(&ev, 5 * 1000 * 1000)) &&
	    UT_CHECK_EQ(ev.msg.method, IPC_M_SHARE_OUT)) {
		UT_CHECK_OK(task_stats(&st0));
		UT_CHECK_ERR(ipc_answer(ev.call, EOK, ro_args), EFAULT);
		UT_CHECK_ERR(ipc_answer(ev.call, EOK, (ipc_msg_t *) ADDR_UNMAPPED), EFAULT);
		UT_CHECK_OK(task_stats(&st1));
		UT_CHECK_EQ(st1.areas, st0.areas); /* no shared area made */
		ipc_msg_t ok = *ro_args;
		UT_CHECK_OK(ipc_answer(ev.call, EOK, &ok)); /* still ours to answer */
		UT_CHECK(ok.arg[0] != 0);
		if (UT_CHECK_OK(ipc_wait(&ev, 5 * 1000 * 1000, IPC_WAIT_FOR_COOKIE, cookie)))
			UT_CHECK_OK(ev.retval);
		*word_at(a, 0) = 0x5a5a;
		UT_CHECK_EQ(*word_at(ok.arg[0], 0), 0x5a5a); /* the shared area */
		UT_CHECK_OK(as_area_destroy(ok.arg[0]));
	}
	self_phone_close(self);
	UT_CHECK_OK(as_area_destroy(a));
	UT_CHECK_OK(as_area_destroy(ro));
}
