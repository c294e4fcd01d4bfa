/*
 * Device memory and DMA buffers (ddi_mem.h): physical mappings of the
 * ranges the recipe grants the tester (boot/meson.build: VGA text memory
 * and the BIOS area), DMA buffers allocated, mapped twice, shared with
 * another task both ways and freed, and a task without capabilities that
 * can do none of it.
 */
#include "tester.h"
#include <cap.h>
#include <ddi_mem.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <thread.h>
#include <utest.h>

/* TESTER_CAP_LOWMEM (tester.h): physical 0xb8000 + 0x48000, from VGA text
 * memory (0xb8000) to the end of the system BIOS (0xf0000 - 0xfffff). */
#define VGA_OFF 0 /* 0xb8000: 32 KiB of VGA text memory */
#define BIOS_OFF 0x38000 /* 0xf0000: 64 KiB of system BIOS */

#define DMA_PAGES 16
#define SEC (1000 * 1000)

static volatile uint64_t *word(uintptr_t base, size_t off)
{
	return (volatile uint64_t *) (base + off);
}

static uint64_t areas_now(void)
{
	task_stats_t st = { 0 };
	task_stats(&st);
	return st.areas;
}

/* A server request on the area we shared out to it.  The server thread
 * that accepted the share records the area's base only after its answer
 * has reached us, so another of its threads may not know it yet: ERANGE
 * is retried for a while. */
static errno_t server_mem(
    const test_server_t *s, uint64_t method, size_t off, uint64_t v, ipc_msg_t *ans)
{
	errno_t rc = ERANGE;
	for (int i = 0; i < 100 && rc == ERANGE; i++) {
		if (i > 0)
			thread_sleep_us(10000);
		rc = ipc_request(s->phone, method, TS_MEM_SHARED_OUT, off, v, 0, 0, ans);
	}
	return rc;
}

/* ---- no capability ---- */

/* "tester child:ddi-nocap": a task given no capabilities can map no
 * physical range, allocate no DMA memory and map no buffer, whatever
 * handle it names (its handles 1.. are empty; 0 is its phone to ns).
 * Exits 0, or the number of the first check that failed. */
int child_ddi_nocap(int argc, char **argv); /* child.c runs it */
int child_ddi_nocap(int argc, char **argv)
{
	(void) argc, (void) argv;
	uint64_t areas = areas_now();
	uintptr_t b = 0;
	dma_info_t info;
	for (cap_handle_t h = 0; h < 8; h++) {
		if (phys_map(h, 0, PAGE_SIZE, AS_AREA_READ, &b) != ENOENT)
			return 1;
		if (dma_alloc(h, PAGE_SIZE, UINT64_MAX, RW, &info) != ENOENT)
			return 2;
		if (dma_map(h, RW, &b) != ENOENT)
			return 3;
	}
	if (b != 0 || areas_now() != areas)
		return 4;
	return 0;
}

UTEST(ddi_mem_no_capability)
{
	task_exit_info_t ex;
	uintptr_t b = 0;
	dma_info_t info;
	uint64_t areas = areas_now(), free0 = frames_free();
	UT_ASSERT_OK(child_run("child:ddi-nocap", &ex));
	UT_CHECK_EQ(ex.reason, TASK_EXIT_NORMAL);
	UT_CHECK_EQ(ex.status, 0);
	/* Here too: a handle of the wrong kind, or of nothing, is no
	 * capability for it. */
	UT_CHECK_ERR(phys_map(IPC_PHONE_NS, 0, PAGE_SIZE, AS_AREA_READ, &b), ENOENT);
	UT_CHECK_ERR(phys_map(TESTER_CAP_IO_CMOS, 0, PAGE_SIZE, AS_AREA_READ, &b), ENOENT);
	UT_CHECK_ERR(phys_map(CAP_HANDLE_MAKE(200, 0), 0, PAGE_SIZE, AS_AREA_READ, &b), ENOENT);
	UT_CHECK_ERR(dma_alloc(IPC_PHONE_NS, PAGE_SIZE, UINT64_MAX, RW, &info), ENOENT);
	UT_CHECK_ERR(dma_alloc(TESTER_CAP_IRQ, PAGE_SIZE, UINT64_MAX, RW, &info), ENOENT);
	UT_CHECK_ERR(dma_map(TESTER_CAP_PHYS, RW, &b), ENOENT);
	UT_CHECK_ERR(dma_map(CAP_HANDLE_MAKE(200, 0), RW, &b), ENOENT);
	UT_CHECK_EQ(b, 0);
	UT_CHECK_EQ(areas_now(), areas);
	UT_CHECK(frames_settle(free0) >= free0);
}

/* ---- physical ranges ---- */

/* The BIOS's last page as the PC defines it: the reset vector at
 * 0xffff0 is a far jump (0xea) and a date "mm/dd/yy" is at 0xffff5; the
 * same bytes through a mapping of the whole range. */
UTEST(ddi_phys_map_bios)
{
	uintptr_t top = 0, all = 0;
	as_area_info_t info;
	UT_ASSERT_OK(phys_map(TESTER_CAP_LOWMEM, BIOS_OFF + 0xf000, PAGE_SIZE, AS_AREA_READ, &top));
	const volatile uint8_t *p = (const volatile uint8_t *) top;
	UT_CHECK_EQ(p[0xff0], 0xea);
	UT_CHECK(p[0xff5 + 2] == '/' && p[0xff5 + 5] == '/');
	UT_CHECK_OK(as_area_query(top, &info));
	UT_CHECK(info.backend == AS_BACKEND_PHYS && info.resident == 1);
	UT_CHECK_EQ(info.flags, AS_AREA_READ);
	if (UT_CHECK_OK(phys_map(TESTER_CAP_LOWMEM, BIOS_OFF, 0x10000, AS_AREA_READ, &all))) {
		const volatile uint8_t *q = (const volatile uint8_t *) all;
		for (size_t i = 0xff0; i < 0x1000; i++)
			UT_CHECK_EQ(q[0xf000 + i], p[i]);
		UT_CHECK_OK(as_area_destroy(all));
	}
	UT_CHECK_OK(as_area_destroy(top));
}

/* VGA text memory keeps what is written: a word written through an
 * uncached mapping is read back through a second mapping and by another
 * task the area is shared with; refusals change nothing. */
UTEST(ddi_phys_map_vga)
{
	uintptr_t v = 0, v2 = 0, b = 0;
	as_area_info_t info;
	test_server_t s;
	uint64_t areas = areas_now(), free0 = frames_free();
	UT_ASSERT_OK(phys_map(TESTER_CAP_LOWMEM, VGA_OFF, 0x8000, RW | AS_AREA_UNCACHED, &v));
	UT_CHECK_OK(as_area_query(v, &info));
	UT_CHECK(info.backend == AS_BACKEND_PHYS && info.size == 0x8000 && info.resident == 8);
	UT_CHECK_EQ(info.flags, RW | AS_AREA_UNCACHED);
	/* page 7 of the text buffer: off any screen GRUB or the BIOS shows */
	*word(v, 0x7008) = 0x5647412d74657374ULL;
	if (UT_CHECK_OK(
	        phys_map(TESTER_CAP_LOWMEM, VGA_OFF + 0x7000, PAGE_SIZE, AS_AREA_READ, &v2))) {
		UT_CHECK_EQ(*word(v2, 8), 0x5647412d74657374ULL);
		UT_CHECK_OK(as_area_destroy(v2));
	}
	/* refused: beyond the range, unaligned, empty, unknown flags, W+X;
	 * a phys area cannot grow */
	UT_CHECK_ERR(phys_map(TESTER_CAP_LOWMEM, 0x48000, PAGE_SIZE, AS_AREA_READ, &b), EPERM);
	UT_CHECK_ERR(phys_map(TESTER_CAP_LOWMEM, 0x47000, 2 * PAGE_SIZE, AS_AREA_READ, &b), EPERM);
	UT_CHECK_ERR(
	    phys_map(TESTER_CAP_LOWMEM, ~0ULL << 12, 2 * PAGE_SIZE, AS_AREA_READ, &b), EPERM);
	UT_CHECK_ERR(phys_map(TESTER_CAP_LOWMEM, 0x10, PAGE_SIZE, AS_AREA_READ, &b), EINVAL);
	UT_CHECK_ERR(phys_map(TESTER_CAP_LOWMEM, 0, 0, AS_AREA_READ, &b), EINVAL);
	UT_CHECK_ERR(phys_map(TESTER_CAP_LOWMEM, 0, PAGE_SIZE, AS_AREA_FIXED, &b), EINVAL);
	UT_CHECK_ERR(phys_map(TESTER_CAP_LOWMEM, 0, PAGE_SIZE, RW | AS_AREA_EXEC, &b), EPERM);
	UT_CHECK_ERR(
	    phys_map(TESTER_CAP_LOWMEM, 0, PAGE_SIZE, AS_AREA_READ, (uintptr_t *) ADDR_KERNEL),
	    EINVAL, EFAULT);
	UT_CHECK_ERR(as_area_resize(v, 0x9000), ENOTSUP);
	UT_CHECK_EQ(b, 0);
	UT_CHECK_EQ(areas_now(), areas + 1);
	/* another task sees the same device memory */
	if (UT_CHECK_OK(test_server_start(&s))) {
		if (UT_CHECK_OK(ipc_share_out(s.phone, v, RW | AS_AREA_UNCACHED))) {
			ipc_msg_t ans;
			if (UT_CHECK_OK(server_mem(&s, TS_MEM_READ, 0x7008, 0, &ans)))
				UT_CHECK_EQ(ans.arg[0], 0x5647412d74657374ULL);
			UT_CHECK_OK(
			    server_mem(&s, TS_MEM_WRITE, 0x7010, 0x1122334455667788ULL, NULL));
			UT_CHECK_EQ(*word(v, 0x7010), 0x1122334455667788ULL);
		}
		test_server_stop(&s, TS_QUIT, NULL);
	}
	UT_CHECK_OK(as_area_destroy(v));
	UT_CHECK_EQ(areas_now(), areas);
	UT_CHECK(frames_settle(free0) >= free0); /* nothing taken, nothing freed twice */
}

/* ---- DMA buffers ---- */

/* Share the area at @a base with ourselves through SHARE_IN (the way a
 * driver hands a client its DMA buffer): the copy's base, 0 on failure. */
static uintptr_t self_share_in(uintptr_t base, size_t size)
{
	cap_handle_t self;
	ipc_event_t ev;
	uintptr_t got = 0;
	if (!UT_CHECK_OK(self_phone_open(&self)))
		return 0;
	uint64_t cookie = ipc_cookie_sync_new();
	ipc_msg_t m = IPC_MSG(IPC_M_SHARE_IN, size, RW, 0);
	if (UT_CHECK_OK(ipc_call(self, &m, cookie)) && UT_CHECK_OK(self_event_wait(&ev, 5 * SEC)) &&
	    UT_CHECK_EQ(ev.msg.method, IPC_M_SHARE_IN)) {
		UT_CHECK_OK(ipc_share_in_accept(&ev, base));
		if (UT_CHECK_OK(ipc_wait(&ev, 5 * SEC, IPC_WAIT_FOR_COOKIE, cookie)) &&
		    UT_CHECK_OK(ev.retval))
			got = ev.msg.arg[0];
	}
	self_phone_close(self);
	return got;
}

/* Allocation: where it is, what it is, what is refused. */
UTEST(ddi_dma_alloc)
{
	dma_info_t info = { 0 }, bad;
	cap_info_t ci;
	as_area_info_t ai;
	uint64_t areas = areas_now();
	task_stats_t st0, st1;
	UT_ASSERT_OK(task_stats(&st0));
	UT_ASSERT_OK(dma_alloc(TESTER_CAP_PHYS, DMA_PAGES * PAGE_SIZE, 1ULL << 32, RW, &info));
	UT_CHECK_EQ(info.size, DMA_PAGES * PAGE_SIZE);
	UT_CHECK(info.paddr % PAGE_SIZE == 0 && info.paddr + info.size <= (1ULL << 32));
	UT_CHECK_OK(cap_info(info.handle, &ci));
	UT_CHECK(ci.kind == CAP_KIND_DMA && ci.base == info.paddr && ci.size == info.size);
	UT_CHECK_OK(as_area_query(info.vaddr, &ai));
	UT_CHECK(ai.base == info.vaddr && ai.backend == AS_BACKEND_DMA);
	UT_CHECK(ai.resident == DMA_PAGES && ai.flags == RW);
	bool zero = true;
	for (size_t off = 0; off < info.size; off += 8)
		zero &= *word(info.vaddr, off) == 0;
	UT_CHECK(zero);
	/* an I/O-port range authorizes it too; below 16 MiB when asked */
	if (UT_CHECK_OK(dma_alloc(TESTER_CAP_IO_SCRATCH, PAGE_SIZE, 16 << 20, RW, &bad))) {
		UT_CHECK(bad.paddr + PAGE_SIZE <= (16 << 20));
		UT_CHECK_OK(as_area_destroy(bad.vaddr));
		UT_CHECK_OK(cap_drop(bad.handle));
	}
	/* refused, changing nothing */
	UT_ASSERT_OK(task_stats(&st1));
	UT_CHECK_ERR(dma_alloc(TESTER_CAP_PHYS, PAGE_SIZE, 1 << 20, RW, &bad), ENOMEM);
	UT_CHECK_ERR(dma_alloc(TESTER_CAP_PHYS, 0, UINT64_MAX, RW, &bad), EINVAL);
	UT_CHECK_ERR(dma_alloc(TESTER_CAP_PHYS, 100, UINT64_MAX, RW, &bad), EINVAL);
	UT_CHECK_ERR(dma_alloc(TESTER_CAP_PHYS, DMA_SIZE_MAX * 2, UINT64_MAX, RW, &bad), EINVAL);
	UT_CHECK_ERR(
	    dma_alloc(TESTER_CAP_PHYS, PAGE_SIZE, UINT64_MAX, RW | AS_AREA_FIXED, &bad), EINVAL);
	UT_CHECK_ERR(
	    dma_alloc(TESTER_CAP_PHYS, PAGE_SIZE, UINT64_MAX, RW | AS_AREA_EXEC, &bad), EPERM);
	UT_CHECK_ERR(
	    dma_alloc(TESTER_CAP_PHYS, PAGE_SIZE, UINT64_MAX, RW, (dma_info_t *) ADDR_UNMAPPED),
	    EFAULT);
	UT_CHECK_ERR(dma_map(info.handle, RW | AS_AREA_FIXED, &(uintptr_t){ 0 }), EINVAL);
	UT_CHECK_ERR(phys_map(info.handle, 0, PAGE_SIZE, RW, &(uintptr_t){ 0 }), ENOENT);
	UT_CHECK_ERR(as_area_resize(info.vaddr, info.size + PAGE_SIZE), ENOTSUP);
	task_stats(&st0);
	UT_CHECK(st0.handles == st1.handles && st0.areas == st1.areas);
	UT_CHECK_OK(as_area_destroy(info.vaddr));
	UT_CHECK_OK(cap_drop(info.handle));
	UT_CHECK_ERR(dma_map(info.handle, RW, &(uintptr_t){ 0 }), ENOENT, ESTALE);
	UT_CHECK_EQ(areas_now(), areas);
}

/* One buffer seen through two mappings of ours, a share-in copy of ours
 * and a share-out copy in another task: every view sees every write.  It
 * lives while any of them does (the server's outlives our handle) and its
 * frames come back once the server, the last holder, has ended. */
UTEST(ddi_dma_share_free)
{
	dma_info_t info;
	uintptr_t v2 = 0, in = 0;
	test_server_t s;
	ipc_msg_t ans;
	uint64_t areas = areas_now(), free0 = frames_free();
	UT_ASSERT_OK(dma_alloc(TESTER_CAP_PHYS, DMA_PAGES * PAGE_SIZE, 1ULL << 32, RW, &info));
	UT_CHECK(frames_free() <= free0 - DMA_PAGES);
	UT_CHECK_OK(dma_map(info.handle, AS_AREA_READ, &v2));
	*word(info.vaddr, 3 * PAGE_SIZE + 8) = 0xd0a1;
	UT_CHECK_EQ(*word(v2, 3 * PAGE_SIZE + 8), 0xd0a1);
	in = self_share_in(info.vaddr, info.size);
	if (UT_CHECK(in != 0)) {
		*word(in, 5 * PAGE_SIZE) = 0xd0a2;
		UT_CHECK_EQ(*word(info.vaddr, 5 * PAGE_SIZE), 0xd0a2);
		as_area_info_t ai;
		UT_CHECK_OK(as_area_query(in, &ai));
		UT_CHECK(ai.backend == AS_BACKEND_DMA && ai.size == info.size);
	}
	bool served = UT_CHECK_OK(test_server_start(&s));
	if (served && UT_CHECK_OK(ipc_share_out(s.phone, info.vaddr, RW))) {
		if (UT_CHECK_OK(server_mem(&s, TS_MEM_READ, 3 * PAGE_SIZE + 8, 0, &ans)))
			UT_CHECK_EQ(ans.arg[0], 0xd0a1);
		UT_CHECK_OK(server_mem(&s, TS_MEM_WRITE, 15 * PAGE_SIZE, 0xd0a3, NULL));
		UT_CHECK_EQ(*word(v2, 15 * PAGE_SIZE), 0xd0a3);
	}
	/* we let go of everything: the server's copy keeps the buffer */
	UT_CHECK_OK(as_area_destroy(info.vaddr));
	UT_CHECK_OK(as_area_destroy(v2));
	if (in != 0)
		UT_CHECK_OK(as_area_destroy(in));
	UT_CHECK_OK(cap_drop(info.handle));
	UT_CHECK_EQ(areas_now(), areas);
	if (served) {
		if (UT_CHECK_OK(server_mem(&s, TS_MEM_READ, 5 * PAGE_SIZE, 0, &ans)))
			UT_CHECK_EQ(ans.arg[0], 0xd0a2);
		task_exit_info_t ex;
		test_server_stop(&s, TS_QUIT, &ex);
		UT_CHECK_EQ(ex.reason, TASK_EXIT_NORMAL);
	}
	uint64_t after = frames_settle(free0);
	if (!UT_CHECK(after >= free0))
		utest_note("%llu frames free before, %llu after", (unsigned long long) free0,
		    (unsigned long long) after);
}

/* "tester child:ddi-dma-map": handle 1 is a DMA buffer of DMA_PAGES pages
 * its parent passed at spawn whose first word is DMA_PASS_WORD: map it,
 * check, answer with a write at page 3, and end holding it all (the end
 * of the task lets go).  Exits 0, or the number of the failed check. */
#define DMA_PASS_WORD 0xd0a5d0a5ULL
int child_ddi_dma_map(int argc, char **argv); /* child.c runs it */
int child_ddi_dma_map(int argc, char **argv)
{
	(void) argc, (void) argv;
	cap_info_t ci;
	uintptr_t b = 0;
	as_area_info_t ai;
	if (cap_info(1, &ci) != EOK || ci.kind != CAP_KIND_DMA || ci.size != DMA_PAGES * PAGE_SIZE)
		return 1;
	if (dma_map(1, RW, &b) != EOK)
		return 2;
	if (as_area_query(b, &ai) != EOK || ai.backend != AS_BACKEND_DMA ||
	    ai.resident != DMA_PAGES)
		return 3;
	if (*word(b, 0) != DMA_PASS_WORD)
		return 4;
	*word(b, 3 * PAGE_SIZE + 8) = DMA_PASS_WORD + 1;
	return 0;
}

/* A DMA handle passed on at spawn: the child maps the same frames (it
 * sees our write, we see its); the buffer lives on in the child after we
 * let go, and its frames come back when the child has ended. */
UTEST(ddi_dma_handle_passed_on)
{
	dma_info_t info;
	task_id_t id;
	task_exit_info_t ex;
	uint64_t free0 = frames_free();
	UT_ASSERT_OK(dma_alloc(TESTER_CAP_PHYS, DMA_PAGES * PAGE_SIZE, UINT64_MAX, RW, &info));
	*word(info.vaddr, 0) = DMA_PASS_WORD;
	if (UT_CHECK_OK(
	        task_spawn_caps(TESTER_MODULE, "child:ddi-dma-map", &info.handle, 1, &id))) {
		UT_CHECK_OK(task_wait(id, &ex));
		UT_CHECK_EQ(ex.reason, TASK_EXIT_NORMAL);
		UT_CHECK_EQ(ex.status, 0);
		UT_CHECK_EQ(*word(info.vaddr, 3 * PAGE_SIZE + 8), DMA_PASS_WORD + 1);
	}
	UT_CHECK_OK(as_area_destroy(info.vaddr));
	UT_CHECK_OK(cap_drop(info.handle));
	uint64_t after = frames_settle(free0);
	if (!UT_CHECK(after >= free0))
		utest_note("%llu frames free before, %llu after", (unsigned long long) free0,
		    (unsigned long long) after);
}

/* ---- quarantine: a driver that ends with its DMA memory ---- */

/* "tester child:ddi-dma-orphan": handle 1 is a device (a phys range):
 * allocate DMA_PAGES of DMA memory for it, write to it and end holding it,
 * as a driver killed in the middle of I/O would.  Exits 0, or the number
 * of the failed check. */
int child_ddi_dma_orphan(int argc, char **argv); /* child.c runs it */
int child_ddi_dma_orphan(int argc, char **argv)
{
	(void) argc, (void) argv;
	dma_info_t info;
	if (dma_alloc(1, DMA_PAGES * PAGE_SIZE, UINT64_MAX, RW, &info) != EOK)
		return 1;
	*word(info.vaddr, 0) = DMA_PASS_WORD;
	return 0;
}

/* "tester child:ddi-dma-quiesce": handle 1 is a range that is not the
 * device's (another one): its quiesce releases nothing; handle 2 is no
 * range at all.  Exits 0, or the number of the failed check. */
int child_ddi_dma_quiesce(int argc, char **argv); /* child.c runs it */
int child_ddi_dma_quiesce(int argc, char **argv)
{
	(void) argc, (void) argv;
	uint64_t n = 99;
	if (dma_quiesce(1, &n) != EOK || n != 0)
		return 1;
	if (dma_quiesce(2, &n) != ENOENT || dma_quiesce(0, NULL) != ENOENT)
		return 2;
	return 0;
}

static uint64_t quarantined_now(void)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	return st.dma_quarantined;
}

/* Spawn @a mode with @a caps; its exit status (-1: it did not exit). */
static int dma_child_run(const char *mode, cap_handle_t *caps, size_t n)
{
	task_id_t id;
	task_exit_info_t ex;
	if (!UT_CHECK_OK(task_spawn_caps(TESTER_MODULE, mode, caps, n, &id)) ||
	    !UT_CHECK_OK(task_wait(id, &ex)) || ex.reason != TASK_EXIT_NORMAL)
		return -1;
	return ex.status;
}

/* A child given one page of our physical range as its device allocates
 * DMA memory for it and ends holding it: its frames stay off the free
 * list, counted as quarantined, through a quiesce by a task holding only
 * another range, a quiesce by us with another device's range or an I/O
 * range, a bad out pointer and a handle that is no range; a quiesce by us
 * with the range covering the device (as devman does) gives every frame
 * back, once. */
UTEST(ddi_dma_quarantine)
{
	cap_info_t ci;
	cap_handle_t dev, other, bad[2];
	uint64_t n = 0, free0 = frames_free(), q0 = quarantined_now();
	UT_ASSERT_OK(cap_info(TESTER_CAP_PHYS, &ci));
	UT_ASSERT_OK(cap_derive(TESTER_CAP_PHYS, ci.base + PAGE_SIZE, PAGE_SIZE, &dev));
	UT_ASSERT_OK(cap_derive(TESTER_CAP_PHYS, ci.base + 2 * PAGE_SIZE, PAGE_SIZE, &other));
	UT_CHECK_EQ(dma_child_run("child:ddi-dma-orphan", &dev, 1), 0);
	UT_CHECK_EQ(quarantined_now(), q0 + DMA_PAGES);
	bad[0] = other;
	bad[1] = TESTER_CAP_IRQ;
	UT_CHECK_EQ(dma_child_run("child:ddi-dma-quiesce", bad, 2), 0);
	UT_CHECK_OK(dma_quiesce(other, &n));
	UT_CHECK_EQ(n, 0);
	UT_CHECK_OK(dma_quiesce(TESTER_CAP_IO_SCRATCH, &n));
	UT_CHECK_EQ(n, 0);
	UT_CHECK_ERR(dma_quiesce(TESTER_CAP_PHYS, (uint64_t *) ADDR_UNMAPPED), EFAULT);
	UT_CHECK_ERR(dma_quiesce(TESTER_CAP_IRQ, &n), ENOENT);
	UT_CHECK_EQ(quarantined_now(), q0 + DMA_PAGES); /* still held back */
	uint64_t held = frames_free();
	UT_CHECK_OK(dma_quiesce(TESTER_CAP_PHYS, &n));
	UT_CHECK_EQ(n, DMA_PAGES);
	UT_CHECK_EQ(quarantined_now(), q0);
	UT_CHECK(frames_free() >= held + DMA_PAGES); /* back now */
	UT_CHECK_OK(dma_quiesce(TESTER_CAP_PHYS, &n));
	UT_CHECK_EQ(n, 0);
	cap_drop(dev);
	cap_drop(other);
	uint64_t after = frames_settle(free0);
	if (!UT_CHECK(after >= free0))
		utest_note("%llu frames free before, %llu after", (unsigned long long) free0,
		    (unsigned long long) after);
}

/* With every handle slot taken, DMA_ALLOC fails with ELIMIT after it has
 * made the buffer and mapped it: both are undone (no area, the frames
 * back); with one slot free again it works. */
UTEST(ddi_dma_alloc_handles_full)
{
	static cap_handle_t parts[CAP_MAX];
	size_t n = 0;
	dma_info_t info;
	uint64_t areas = areas_now(), free0 = frames_free();
	while (n < CAP_MAX &&
	    cap_derive(TESTER_CAP_PHYS, TESTER_PHYS_BASE, PAGE_SIZE, &parts[n]) == EOK)
		n++;
	UT_CHECK(n > 0 && n < CAP_MAX);
	UT_CHECK_ERR(
	    dma_alloc(TESTER_CAP_PHYS, DMA_PAGES * PAGE_SIZE, UINT64_MAX, RW, &info), ELIMIT);
	UT_CHECK_EQ(areas_now(), areas);
	if (n > 0) {
		UT_CHECK_OK(cap_drop(parts[--n]));
		if (UT_CHECK_OK(dma_alloc(TESTER_CAP_PHYS, PAGE_SIZE, UINT64_MAX, RW, &info))) {
			UT_CHECK_OK(as_area_destroy(info.vaddr));
			UT_CHECK_OK(cap_drop(info.handle));
		}
	}
	while (n > 0)
		UT_CHECK_OK(cap_drop(parts[--n]));
	UT_CHECK_EQ(areas_now(), areas);
	UT_CHECK(frames_settle(free0) >= free0);
}
