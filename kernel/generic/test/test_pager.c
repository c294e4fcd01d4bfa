/*
 * Kernel tests of the pager backend (mm/pager.c) through the real fault
 * path, with a stand-in pager: a kernel thread that takes the calls queued
 * at a kernel-made answerbox and answers each page-in the way
 * SYS_IPC_ANSWER does (pager_answer_take, then the answer), supplying
 * pages of an address space of its own.  What it does with a page-in
 * (delay, rights, run length, a set-size, a revoke or a write-protect
 * before or after the answer) is set per test; it counts the page-ins and
 * keeps the last request.
 *
 * A console device that the tests arm captures what the kernel prints, to
 * check the log line of a refused answer.
 */
#include <abi/task.h>
#include <console/console.h>
#include <ipc/ipc.h>
#include <mem.h>
#include <mm/as.h>
#include <mm/frame.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <test/ktest.h>
#include <time/timer.h>

#define PS PAGE_SIZE
#define X 0x400000UL /* client areas */
#define P 0x2000000UL /* the stand-in pager's pages */
#define P_PAGES (PAGER_RUN_MAX + PAGER_RUN_SEQ_MAX)
#define R AS_AREA_READ
#define RW (AS_AREA_READ | AS_AREA_WRITE)
#define FIX AS_AREA_FIXED
#define WIRED AS_BACKEND_WIRED
#define OBJ 5

typedef struct spager {
	answerbox_t *box;
	phone_t *phone; /* the clients' phone to it */
	as_t *as; /* its pages: P_PAGES read/write wired pages at P */
	task_t task; /* what pager_answer_take sees of it: id, name, address space */
	thread_t *thread;
	volatile bool stop;
	/* what it does with a page-in (set before the faults) */
	unsigned grant; /* rights to grant; 0: read, or read/write for a write */
	bool grant_area; /* grant PAGE_IN_RIGHTS as given */
	size_t pages; /* pages to answer with (at most those wanted; 0: 1) */
	bool too_many; /* answer with one page more than wanted */
	uint64_t delay_us; /* wait this long before answering */
	bool set_size; /* pager_set_size(size) before answering */
	uint64_t size;
	/* pager_revoke(revoke_off, one page) after the answer was taken and
	 * before it is delivered (the answer is older than the revoke), or
	 * before the answer (it is newer) */
	bool revoke_stale, revoke_fresh;
	uint64_t revoke_off;
	/* pager_write_protect(protect_off, one page) after the answer was
	 * taken (stale) or before it (fresh), for that many page-ins */
	unsigned protect_stale, protect_fresh;
	uint64_t protect_off;
	/* what it saw */
	unsigned page_ins; /* atomic */
	ipc_msg_t last; /* the last page-in */
	errno_t take_rc; /* pager_answer_take of the last page-in */
	errno_t ctl_rc; /* the set-size's or revoke's */
	unsigned adopted; /* atomic: adopted OBJECT_REFs taken */
	ipc_msg_t last_adopted; /* the last one (written before the count) */
} spager_t;

static call_t *spager_take(answerbox_t *box)
{
	mutex_lock(&box->lock);
	link_t *l = list_first(&box->calls);
	if (l != NULL) {
		list_remove(l);
		box->calls_count--;
	}
	mutex_unlock(&box->lock);
	return l ? list_get_instance(l, call_t, box_link) : NULL;
}

static void spager_page_in(spager_t *s, call_t *c)
{
	ipc_msg_t m = c->msg;
	__atomic_add_fetch(&s->page_ins, 1, __ATOMIC_ACQ_REL);
	s->last = m;
	if (s->delay_us)
		thread_sleep(s->delay_us);
	if (s->set_size)
		s->ctl_rc = pager_set_size(s->box, m.arg[0], s->size);
	if (s->revoke_fresh) /* (before the answer: it stands) */
		s->ctl_rc = pager_revoke(s->box, m.arg[0], s->revoke_off, PS);
	if (s->protect_fresh > 0) {
		s->protect_fresh--;
		s->ctl_rc = pager_write_protect(s->box, m.arg[0], s->protect_off, PS);
	}
	size_t n = s->pages ? s->pages : 1;
	n = s->too_many ? m.arg[2] + 1 : n < m.arg[2] ? n : m.arg[2];
	unsigned rights = m.arg[3] == FAULT_ACCESS_WRITE ? RW : R;
	if (s->grant_area)
		rights = PAGE_IN_RIGHTS(m.arg[4]);
	else if (s->grant)
		rights = s->grant;
	size_t page = (size_t) (m.arg[1] / PS) % (P_PAGES - PAGER_RUN_SEQ_MAX);
	ipc_msg_t ans = { .arg = { P + page * PS, n, rights } };
	errno_t rc = pager_answer_take(c, &ans, &s->task);
	s->take_rc = rc;
	if (s->revoke_stale)
		s->ctl_rc = pager_revoke(s->box, m.arg[0], s->revoke_off, PS);
	if (s->protect_stale > 0) {
		s->protect_stale--;
		s->ctl_rc = pager_write_protect(s->box, m.arg[0], s->protect_off, PS);
	}
	c->answer = ans;
	ipc_call_answer(c, rc);
}

/* A notice: kept if it is an adopted OBJECT_REF, answered EOK. */
static void spager_notice(spager_t *s, call_t *c)
{
	if (c->msg.method == IPC_M_PAGER_OBJECT_REF && c->msg.arg[1] == PAGER_REF_ADOPTED) {
		s->last_adopted = c->msg;
		__atomic_add_fetch(&s->adopted, 1, __ATOMIC_ACQ_REL);
	}
	ipc_call_answer(c, EOK);
}

/* Answer every call: page-ins as set, notices EOK. */
static void spager_thread(void *arg)
{
	spager_t *s = arg;
	while (!s->stop) {
		call_t *c = spager_take(s->box);
		if (c == NULL)
			thread_sleep(1000); /* (a yielding loop would starve the tests) */
		else if (c->msg.method == IPC_M_PAGE_IN)
			spager_page_in(s, c);
		else
			spager_notice(s, c);
	}
}

static bool spager_start(spager_t *s)
{
	*s = (spager_t){ .task = { .id = 77, .name = "spager" } };
	s->box = answerbox_create(77);
	if (s->box == NULL)
		return false;
	s->phone = phone_create(s->box, 0);
	if (s->phone != NULL && as_create(&s->as) == EOK) {
		s->task.as = s->as;
		if (as_area_create(s->as, P, P_PAGES * PS, RW | FIX, WIRED, NULL) == EOK &&
		    thread_create_kernel(spager_thread, s, "spager", &s->thread) == EOK) {
			thread_ready(s->thread);
			return true;
		}
		as_release(s->as);
	}
	if (s->phone != NULL)
		phone_release(s->phone);
	answerbox_deactivate(s->box);
	answerbox_release(s->box);
	return false;
}

static void spager_stop(spager_t *s)
{
	s->stop = true;
	thread_join(s->thread, NULL);
	phone_release(s->phone);
	answerbox_deactivate(s->box); /* answers what is left */
	answerbox_release(s->box);
	as_release(s->as);
}

/* The stand-in pager and a client address space @a *as with an area of
 * @a pages pages at X bound to its object OBJ: false (nothing left) if any
 * of it could not be made. */
static bool spager_client(spager_t *s, as_t **as, size_t pages, unsigned flags)
{
	if (!spager_start(s))
		return false;
	if (as_create(as) == EOK) {
		if (as_area_create_pager(*as, X, pages * PS, flags | FIX, s->phone, OBJ, 0, NULL) ==
		    EOK)
			return true;
		as_release(*as);
	}
	spager_stop(s);
	return false;
}

static unsigned spager_page_ins(spager_t *s)
{
	return __atomic_load_n(&s->page_ins, __ATOMIC_ACQUIRE);
}

/* The frame mapped at @a va with its page flags; 0 if none. */
static uintptr_t mapped_frame(as_t *as, uintptr_t va, unsigned *pf)
{
	uintptr_t pa = 0;
	unsigned f = 0;
	mutex_lock(&as->lock);
	if (page_mapping_find(&as->pt, va, &pa, &f) != EOK)
		pa = 0;
	mutex_unlock(&as->lock);
	if (pf)
		*pf = f;
	return pa & ~(uintptr_t) (PS - 1);
}

static errno_t fault(as_t *as, uintptr_t va, unsigned access)
{
	bool in;
	return as_page_fault(as, va, access, &in);
}

/* ---- console capture ---- */

static char cap_buf[1024];
static size_t cap_len;
static volatile bool cap_on;

static void cap_putc(char c)
{
	if (cap_on && cap_len < sizeof(cap_buf) - 1)
		cap_buf[cap_len++] = c;
}

static const console_dev_t cap_dev = { .putc = cap_putc };

static void capture_start(void)
{
	static bool registered;
	if (!registered)
		console_register(&cap_dev);
	registered = true;
	cap_len = 0;
	cap_on = true;
}

static const char *capture_stop(void)
{
	cap_on = false;
	cap_buf[cap_len] = '\0';
	return cap_buf;
}

static bool contains(const char *s, const char *what)
{
	size_t n = strlen(what);
	for (; *s; s++) {
		if (strncmp(s, what, n) == 0)
			return true;
	}
	return false;
}

/* ---- the tests ---- */

/* Normal memory is cached unless an area asks otherwise; an answer with
 * the area's flags as the page-in gave them is taken. */
KTEST(pager_cached_unless_asked)
{
	spager_t s;
	as_t *as;
	unsigned pf = 0;

	KT_CHECK(!(as_area_page_flags(RW) & PAGE_NOCACHE));
	KT_CHECK(as_area_page_flags(RW | AS_AREA_UNCACHED) & PAGE_NOCACHE);
	KT_ASSERT(spager_start(&s));
	KT_ASSERT_EQ(as_create(&as), EOK);
	/* wired: as created */
	KT_CHECK_EQ(as_area_create(as, X, PS, RW | FIX, WIRED, NULL), EOK);
	KT_CHECK(mapped_frame(as, X, &pf) && !(pf & PAGE_NOCACHE));
	KT_CHECK_EQ(
	    as_area_create(as, X + 2 * PS, PS, RW | AS_AREA_UNCACHED | FIX, WIRED, NULL), EOK);
	KT_CHECK(mapped_frame(as, X + 2 * PS, &pf) && (pf & PAGE_NOCACHE));
	/* pager: the area's caching, whatever is granted */
	s.grant_area = true;
	KT_CHECK_EQ(as_area_create_pager(as, X + 4 * PS, PS, RW | FIX, s.phone, OBJ, 0, NULL), EOK);
	KT_CHECK_EQ(fault(as, X + 4 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(PAGE_IN_RIGHTS(s.last.arg[4]), RW);
	KT_CHECK_EQ(s.take_rc, EOK);
	KT_CHECK(mapped_frame(as, X + 4 * PS, &pf) == mapped_frame(s.as, P, NULL));
	KT_CHECK(!(pf & PAGE_NOCACHE) && (pf & PAGE_WRITE) && (pf & PAGE_USER));
	KT_CHECK_EQ(as_area_create_pager(
	                as, X + 6 * PS, PS, RW | AS_AREA_UNCACHED | FIX, s.phone, OBJ + 1, 0, NULL),
	    EOK);
	KT_CHECK_EQ(fault(as, X + 6 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(PAGE_IN_RIGHTS(s.last.arg[4]), RW | AS_AREA_UNCACHED);
	KT_CHECK_EQ(s.take_rc, EOK);
	KT_CHECK(mapped_frame(as, X + 6 * PS, &pf) != 0 && (pf & PAGE_NOCACHE));
	/* asking for uncached pages in a cached area is more than it has */
	s.grant_area = false;
	s.grant = R | AS_AREA_UNCACHED;
	KT_CHECK_EQ(
	    as_area_create_pager(as, X + 8 * PS, PS, RW | FIX, s.phone, OBJ + 2, 0, NULL), EOK);
	KT_CHECK_EQ(fault(as, X + 8 * PS, FAULT_ACCESS_READ), EINVAL);
	KT_CHECK_EQ(s.take_rc, EINVAL);
	KT_CHECK(!mapped_frame(as, X + 8 * PS, NULL));
	as_release(as);
	spager_stop(&s);
}

/* A refused answer fails the fault and the kernel says which rule it broke. */
KTEST(pager_refused_answer_logged)
{
	spager_t s;
	as_t *as;

	KT_ASSERT(spager_client(&s, &as, 4, RW));
	s.grant = R | AS_AREA_EXEC;
	capture_start();
	errno_t rc = fault(as, X, FAULT_ACCESS_READ);
	const char *log = capture_stop();
	KT_CHECK_EQ(rc, EINVAL);
	KT_CHECK_EQ(s.take_rc, EINVAL);
	KT_CHECK(contains(log, "task 77 (spager)"));
	KT_CHECK(contains(log, "object 5"));
	KT_CHECK(contains(log, "rights beyond the area's"));
	s.grant = 0;
	s.too_many = true;
	capture_start();
	rc = fault(as, X, FAULT_ACCESS_READ);
	log = capture_stop();
	KT_CHECK_EQ(rc, EINVAL);
	KT_CHECK(contains(log, "pages must be 1 .. pages wanted"));
	KT_CHECK_EQ(as_resident_pages(as), 0);
	as_release(as);
	spager_stop(&s);
}

/* A page-in says whether the page is mapped in the area already (an
 * upgrade) and with which rights. */
KTEST(pager_upgrade_hint)
{
	spager_t s;
	as_t *as;
	unsigned pf = 0;

	KT_ASSERT(spager_client(&s, &as, 4, RW));
	KT_CHECK_EQ(fault(as, X + PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK(!(s.last.arg[4] & PAGE_IN_UPGRADE));
	KT_CHECK_EQ(PAGE_IN_MAPPED(s.last.arg[4]), 0);
	KT_CHECK_EQ(s.last.arg[2], 3);
	KT_CHECK(mapped_frame(as, X + PS, &pf) && !(pf & PAGE_WRITE));
	KT_CHECK_EQ(fault(as, X + PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(spager_page_ins(&s), 2);
	KT_CHECK(s.last.arg[4] & PAGE_IN_UPGRADE);
	KT_CHECK(!(s.last.arg[4] & PAGE_IN_SEQUENTIAL));
	KT_CHECK_EQ(PAGE_IN_MAPPED(s.last.arg[4]), R);
	KT_CHECK_EQ(PAGE_IN_RIGHTS(s.last.arg[4]), RW);
	KT_CHECK_EQ(s.last.arg[2], 1);
	KT_CHECK_EQ(s.last.arg[3], FAULT_ACCESS_WRITE);
	KT_CHECK(mapped_frame(as, X + PS, &pf) && (pf & PAGE_WRITE));
	KT_CHECK_EQ(as_resident_pages(as), 1);
	/* a first touch by a write is no upgrade */
	KT_CHECK_EQ(fault(as, X + 3 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK(!(s.last.arg[4] & PAGE_IN_UPGRADE));
	as_release(as);
	spager_stop(&s);
}

typedef struct faulter {
	as_t *as;
	uintptr_t va;
	unsigned access;
	errno_t rc;
} faulter_t;

/* Fault until the page is mapped as the access needs, as the CPU would
 * retry the access (a fault that joined a page-in whose answer does not
 * do for it returns EOK unmapped, and asks itself the next time). */
static void faulter_thread(void *arg)
{
	faulter_t *f = arg;
	unsigned pf = 0;
	for (int i = 0; i < 4; i++) {
		f->rc = fault(f->as, f->va, f->access);
		if (f->rc != EOK ||
		    (mapped_frame(f->as, f->va, &pf) &&
		        (f->access != FAULT_ACCESS_WRITE || (pf & PAGE_WRITE))))
			return;
	}
	f->rc = EAGAIN;
}

static void faulters_run(faulter_t *f, size_t n)
{
	thread_t *t[4];
	for (size_t i = 0; i < n; i++) {
		if (thread_create_kernel(faulter_thread, &f[i], "faulter", &t[i]) != EOK) {
			t[i] = NULL;
			continue;
		}
		thread_ready(t[i]);
		if (i == 0)
			thread_sleep(10000); /* the first asks; the others join it */
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i])
			thread_join(t[i], NULL);
	}
}

/* Two address spaces sharing an object fault on the same page at once:
 * one page-in, and both map the object's page. */
KTEST(pager_shared_fault_one_page_in)
{
	spager_t s;
	as_t *a, *b;

	KT_ASSERT(spager_start(&s));
	KT_ASSERT_EQ(as_create(&a), EOK);
	KT_ASSERT_EQ(as_create(&b), EOK);
	KT_ASSERT_EQ(as_area_create_pager(a, X, 4 * PS, RW | FIX, s.phone, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(as_area_share(a, X, b, X + 16 * PS, RW | FIX, NULL), EOK);
	s.delay_us = 200000; /* every fault below comes within it */
	faulter_t f[3] = {
		{ a, X + PS, FAULT_ACCESS_READ, -1 }, { b, X + 17 * PS, FAULT_ACCESS_READ, -1 },
		{ b, X + 17 * PS + 8, FAULT_ACCESS_READ, -1 }, /* b's second thread */
	};
	faulters_run(f, 3);
	KT_CHECK(f[0].rc == EOK && f[1].rc == EOK && f[2].rc == EOK);
	KT_CHECK_EQ(spager_page_ins(&s), 1);
	uintptr_t pa = mapped_frame(a, X + PS, NULL);
	KT_CHECK(pa != 0 && pa == mapped_frame(b, X + 17 * PS, NULL));
	KT_CHECK(pa == mapped_frame(s.as, P + PS, NULL));
	/* a write that joins a read's page-in finds the answer read-only:
	 * it asks again for itself */
	faulter_t g[2] = {
		{ a, X + 3 * PS, FAULT_ACCESS_READ, -1 },
		{ b, X + 19 * PS, FAULT_ACCESS_WRITE, -1 },
	};
	faulters_run(g, 2);
	KT_CHECK(g[0].rc == EOK && g[1].rc == EOK);
	KT_CHECK_EQ(spager_page_ins(&s), 3);
	KT_CHECK_EQ(s.last.arg[3], FAULT_ACCESS_WRITE);
	as_release(b);
	as_release(a);
	spager_stop(&s);
}

/* The pager sets the object's size inside a page-in: the answer for a page
 * below the size stands (no second page-in, no loop). */
KTEST(pager_set_size_in_page_in)
{
	spager_t s;
	as_t *as;

	KT_ASSERT(spager_client(&s, &as, 8, RW));
	s.set_size = true;
	s.size = 4 * PS;
	s.pages = PAGER_RUN_MAX;
	KT_CHECK_EQ(fault(as, X + PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.ctl_rc, EOK);
	KT_CHECK_EQ(spager_page_ins(&s), 1);
	KT_CHECK_EQ(s.last.arg[2], 7);
	/* the pages below the size stay, the rest of the run is dropped */
	KT_CHECK(mapped_frame(as, X + PS, NULL) && mapped_frame(as, X + 3 * PS, NULL));
	KT_CHECK(!mapped_frame(as, X + 4 * PS, NULL));
	KT_CHECK_EQ(as_resident_pages(as), 3);
	KT_CHECK_EQ(fault(as, X + 5 * PS, FAULT_ACCESS_READ), ERANGE);
	KT_CHECK_EQ(spager_page_ins(&s), 1);
	as_release(as);
	spager_stop(&s);
}

/* A revoke that comes after the answer and before the fault maps it cuts
 * the run where the revoke begins; a revoke before the answer leaves the
 * answer standing (copy-on-write revokes, then answers). */
KTEST(pager_revoke_cuts_run)
{
	spager_t s;
	as_t *as;

	KT_ASSERT(spager_client(&s, &as, 8, RW));
	s.pages = 4;
	s.revoke_stale = true;
	s.revoke_off = 2 * PS;
	KT_CHECK_EQ(fault(as, X, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.ctl_rc, EOK);
	KT_CHECK(mapped_frame(as, X, NULL) && mapped_frame(as, X + PS, NULL));
	KT_CHECK(!mapped_frame(as, X + 2 * PS, NULL) && !mapped_frame(as, X + 3 * PS, NULL));
	/* revoking the faulting page itself drops the answer: retried */
	s.revoke_off = 4 * PS;
	KT_CHECK_EQ(fault(as, X + 4 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK(!mapped_frame(as, X + 4 * PS, NULL));
	s.revoke_stale = false;
	s.pages = 1;
	KT_CHECK_EQ(fault(as, X + 4 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK(mapped_frame(as, X + 4 * PS, NULL));
	/* revoked, then answered: the answer is the new word */
	unsigned before = spager_page_ins(&s);
	s.revoke_fresh = true;
	s.revoke_off = 6 * PS;
	KT_CHECK_EQ(fault(as, X + 6 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.ctl_rc, EOK);
	KT_CHECK(mapped_frame(as, X + 6 * PS, NULL));
	KT_CHECK_EQ(spager_page_ins(&s), before + 1);
	as_release(as);
	spager_stop(&s);
}

/* The used-space intervals of the area at @a va. */
static size_t area_intervals(as_t *as, uintptr_t va)
{
	mutex_lock(&as->lock);
	as_area_t *a = as_area_find(as, va);
	size_t n = a ? used_space_intervals(&a->used) : 0;
	mutex_unlock(&as->lock);
	return n;
}

/* Client page @a i (at X) maps the stand-in's page for it, in the run
 * answered for a fault at page @a first (spager_page_in's choice). */
static bool page_is_pagers(as_t *as, spager_t *s, size_t i, size_t first)
{
	size_t page = first % (P_PAGES - PAGER_RUN_SEQ_MAX) + (i - first);
	uintptr_t pa = mapped_frame(as, X + i * PS, NULL);
	return pa != 0 && pa == mapped_frame(s->as, P + page * PS, NULL);
}

/* A read fault at client page @a i that asked for @a wanted pages, marked
 * PAGE_IN_SEQUENTIAL as @a seq says. */
static bool fault_asked(as_t *as, spager_t *s, size_t i, uint64_t wanted, bool seq)
{
	return KT_CHECK_EQ(fault(as, X + i * PS, FAULT_ACCESS_READ), EOK) &&
	    KT_CHECK_EQ(s->last.arg[2], wanted) &&
	    KT_CHECK_EQ(!!(s->last.arg[4] & PAGE_IN_SEQUENTIAL), seq);
}

/* An answered run is mapped in one pass and recorded as one used-space
 * interval, merged with the mapped pages on either side; a run answered
 * and then partly revoked maps the pages below the revoke; a run asked
 * for stops at the next mapped page.  Each mapped page holds one frame
 * reference more than the stand-in's own (the run's went to the mappings
 * or back: the runner's leak check sees the rest). */
KTEST(pager_run_one_interval)
{
	spager_t s;
	as_t *as;

	KT_ASSERT(spager_client(&s, &as, 40, R));
	s.pages = PAGER_RUN_MAX;
	KT_CHECK(fault_asked(as, &s, 2, PAGER_RUN_MAX, false));
	KT_CHECK_EQ(as_resident_pages(as), PAGER_RUN_MAX);
	KT_CHECK_EQ(area_intervals(as, X), 1);
	for (size_t i = 2; i < 2 + PAGER_RUN_MAX; i++)
		KT_CHECK(page_is_pagers(as, &s, i, 2));
	KT_CHECK_EQ(frame_refcount(mapped_frame(s.as, P + 2 * PS, NULL)),
	    frame_refcount(mapped_frame(s.as, P + (P_PAGES - 1) * PS, NULL)) + 1);
	/* one page before it: merged */
	KT_CHECK(fault_asked(as, &s, 1, 1, false));
	KT_CHECK_EQ(area_intervals(as, X), 1);
	/* answered, then revoked from page 24 on: 20..23 mapped */
	s.revoke_stale = true;
	s.revoke_off = 24 * PS;
	KT_CHECK_EQ(fault(as, X + 20 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.ctl_rc, EOK);
	KT_CHECK_EQ(s.last.arg[2], PAGER_RUN_MAX);
	KT_CHECK(page_is_pagers(as, &s, 23, 20) && !mapped_frame(as, X + 24 * PS, NULL));
	KT_CHECK_EQ(as_resident_pages(as), PAGER_RUN_MAX + 1 + 4);
	KT_CHECK_EQ(area_intervals(as, X), 2);
	/* the gap between: asked for its two pages only, then one interval */
	s.revoke_stale = false;
	KT_CHECK(fault_asked(as, &s, 18, 2, false));
	KT_CHECK(page_is_pagers(as, &s, 18, 18) && page_is_pagers(as, &s, 19, 18));
	KT_CHECK_EQ(area_intervals(as, X), 1);
	KT_CHECK_EQ(as_resident_pages(as), 23);
	/* a run up to the area's end */
	KT_CHECK(fault_asked(as, &s, 30, 10, false));
	KT_CHECK(page_is_pagers(as, &s, 39, 30));
	KT_CHECK_EQ(area_intervals(as, X), 2);
	KT_CHECK_EQ(as_resident_pages(as), 33);
	as_release(as);
	spager_stop(&s);
}

/* A fault at the page right after the last run mapped in the area asks
 * for up to PAGER_RUN_SEQ_MAX pages (PAGE_IN_SEQUENTIAL), within the
 * area; any other for up to PAGER_RUN_MAX. */
KTEST(pager_sequential_run)
{
	spager_t s;
	as_t *as;

	KT_ASSERT(spager_client(&s, &as, 200, R));
	s.pages = PAGER_RUN_SEQ_MAX;
	KT_CHECK(fault_asked(as, &s, 0, PAGER_RUN_MAX, false));
	KT_CHECK(fault_asked(as, &s, PAGER_RUN_MAX, PAGER_RUN_SEQ_MAX, true));
	size_t end = PAGER_RUN_MAX + PAGER_RUN_SEQ_MAX;
	for (size_t i = PAGER_RUN_MAX; i < end; i++)
		KT_CHECK(page_is_pagers(as, &s, i, PAGER_RUN_MAX));
	KT_CHECK_EQ(as_resident_pages(as), end);
	KT_CHECK_EQ(area_intervals(as, X), 1);
	/* elsewhere: not sequential */
	KT_CHECK(fault_asked(as, &s, 150, PAGER_RUN_MAX, false));
	/* on from there: sequential, up to the area's end */
	KT_CHECK(fault_asked(as, &s, 150 + PAGER_RUN_MAX, 200 - 150 - PAGER_RUN_MAX, true));
	KT_CHECK_EQ(as_resident_pages(as), end + 200 - 150);
	as_release(as);
	spager_stop(&s);
}

/* ---- write-protect ---- */

static bool page_writable(as_t *as, uintptr_t va)
{
	unsigned pf = 0;
	return mapped_frame(as, va, &pf) != 0 && (pf & PAGE_WRITE);
}

/* Mapped read-only, still the frame it had (0: not so). */
static bool page_read_only(as_t *as, uintptr_t va, uintptr_t pa)
{
	unsigned pf = 0;
	return mapped_frame(as, va, &pf) == pa && pa != 0 && (pf & PAGE_USER) && !(pf & PAGE_WRITE);
}

/* Write-protect takes the write right from the mapped pages of the range
 * and nothing else: same frames, still resident, a load needs no
 * page-in, the next store is an upgrade that the pager sees. */
KTEST(pager_write_protect_mapped)
{
	spager_t s;
	as_t *as;
	uintptr_t pa[4];

	KT_ASSERT(spager_client(&s, &as, 8, RW));
	s.pages = 4;
	KT_CHECK_EQ(fault(as, X, FAULT_ACCESS_WRITE), EOK);
	for (size_t i = 0; i < 4; i++) {
		pa[i] = mapped_frame(as, X + i * PS, NULL);
		KT_CHECK(page_writable(as, X + i * PS));
	}
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, PS, 2 * PS), EOK);
	KT_CHECK(page_writable(as, X) && page_writable(as, X + 3 * PS));
	KT_CHECK(page_read_only(as, X + PS, pa[1]) && page_read_only(as, X + 2 * PS, pa[2]));
	KT_CHECK_EQ(as_resident_pages(as), 4);
	unsigned n = spager_page_ins(&s);
	KT_CHECK_EQ(fault(as, X + PS, FAULT_ACCESS_READ), EOK); /* mapped: no page-in */
	KT_CHECK_EQ(spager_page_ins(&s), n);
	s.pages = 1;
	KT_CHECK_EQ(fault(as, X + PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(spager_page_ins(&s), n + 1);
	KT_CHECK(s.last.arg[4] & PAGE_IN_UPGRADE);
	KT_CHECK_EQ(PAGE_IN_MAPPED(s.last.arg[4]), R);
	KT_CHECK_EQ(s.last.arg[1], PS);
	KT_CHECK(page_writable(as, X + PS) && mapped_frame(as, X + PS, NULL) == pa[1]);
	KT_CHECK(page_read_only(as, X + 2 * PS, pa[2]));
	/* size 0 changes nothing; the largest range takes everything */
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, 0, 0), EOK);
	KT_CHECK(page_writable(as, X));
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, 0, UINT64_MAX & ~(uint64_t) (PS - 1)), EOK);
	for (size_t i = 0; i < 4; i++)
		KT_CHECK(page_read_only(as, X + i * PS, pa[i]));
	KT_CHECK_EQ(frame_refcount(pa[0]), 2); /* the pager's and ours: none taken or lost */
	KT_CHECK_EQ(spager_page_ins(&s), n + 1);
	as_release(as);
	spager_stop(&s);
}

typedef struct wp_page {
	int as; /* 0: a, 1: b */
	uintptr_t va;
	uint64_t object;
	uint64_t page; /* in the object */
} wp_page_t;

/* The pages of pager_write_protect_every_area's areas. */
static const wp_page_t wp_pages[] = {
	{ 0, X, OBJ, 0 }, { 0, X + PS, OBJ, 1 }, { 0, X + 2 * PS, OBJ, 2 },
	{ 0, X + 3 * PS, OBJ, 3 }, { 1, X + 17 * PS, OBJ, 1 }, /* the shared copy */
	{ 1, X + 18 * PS, OBJ, 2 }, { 1, X + 19 * PS, OBJ, 3 },
	{ 0, X + 32 * PS, OBJ, 2 }, /* an area at object offset 2 pages */
	{ 0, X + 33 * PS, OBJ, 3 },
	{ 1, X + 49 * PS, OBJ, 1 }, /* bound through another connection */
	{ 1, X + 52 * PS, OBJ, 4 }, { 0, X + 65 * PS, OBJ + 1, 1 }, /* another object */
};

#define WP_PAGES (sizeof(wp_pages) / sizeof(wp_pages[0]))

/* Every page is mapped with its first frame, writable unless it is a page
 * of OBJ in [lo, hi) (pages). */
static bool wp_check(as_t *as[2], const uintptr_t *pa, uint64_t lo, uint64_t hi)
{
	bool ok = true;
	for (size_t i = 0; i < WP_PAGES; i++) {
		const wp_page_t *p = &wp_pages[i];
		bool ro = p->object == OBJ && p->page >= lo && p->page < hi;
		if (ro ? !page_read_only(as[p->as], p->va, pa[i])
		       : !page_writable(as[p->as], p->va) ||
		            mapped_frame(as[p->as], p->va, NULL) != pa[i])
			ok = ktest_fail(
			    __FILE__, __LINE__, "page %zu (%#lx)", i, (unsigned long) p->va);
	}
	return ok;
}

/* Every area bound to the object loses the write right: the areas of two
 * address spaces, a shared copy, an area at another offset, one bound
 * through another connection; only the range, only that object; read-only
 * areas keep what they have.  A box with no such object gets ENOENT. */
KTEST(pager_write_protect_every_area)
{
	spager_t s;
	as_t *as[2];
	uintptr_t pa[WP_PAGES], ro_pa;

	KT_ASSERT(spager_start(&s));
	phone_t *other = phone_create(s.box, 9);
	answerbox_t *box2 = answerbox_create(79);
	KT_ASSERT(other != NULL && box2 != NULL);
	KT_ASSERT_EQ(as_create(&as[0]), EOK);
	KT_ASSERT_EQ(as_create(&as[1]), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as[0], X, 4 * PS, RW | FIX, s.phone, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(as_area_share(as[0], X, as[1], X + 16 * PS, RW | FIX, NULL), EOK);
	KT_ASSERT_EQ(
	    as_area_create_pager(as[0], X + 32 * PS, 2 * PS, RW | FIX, s.phone, OBJ, 2 * PS, NULL),
	    EOK);
	KT_ASSERT_EQ(
	    as_area_create_pager(as[1], X + 48 * PS, 8 * PS, RW | FIX, other, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(
	    as_area_create_pager(as[0], X + 64 * PS, 4 * PS, RW | FIX, s.phone, OBJ + 1, 0, NULL),
	    EOK);
	KT_ASSERT_EQ(
	    as_area_create_pager(as[1], X + 80 * PS, 4 * PS, R | FIX, s.phone, OBJ, 0, NULL), EOK);
	for (size_t i = 0; i < WP_PAGES; i++) {
		KT_CHECK_EQ(fault(as[wp_pages[i].as], wp_pages[i].va, FAULT_ACCESS_WRITE), EOK);
		pa[i] = mapped_frame(as[wp_pages[i].as], wp_pages[i].va, NULL);
	}
	KT_CHECK_EQ(fault(as[1], X + 81 * PS, FAULT_ACCESS_READ), EOK);
	ro_pa = mapped_frame(as[1], X + 81 * PS, NULL);
	KT_ASSERT(wp_check(as, pa, 0, 0));
	KT_CHECK_EQ(pager_write_protect(box2, OBJ, 0, 8 * PS), ENOENT);
	KT_CHECK(wp_check(as, pa, 0, 0));
	unsigned n = spager_page_ins(&s);
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, PS, 2 * PS), EOK);
	KT_CHECK(wp_check(as, pa, 1, 3));
	KT_CHECK(page_read_only(as[1], X + 81 * PS, ro_pa));
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, 3 * PS, 2 * PS), EOK);
	KT_CHECK(wp_check(as, pa, 1, 5));
	KT_CHECK_EQ(spager_page_ins(&s), n); /* nothing asked */
	as_release(as[1]);
	as_release(as[0]);
	answerbox_deactivate(box2);
	answerbox_release(box2);
	phone_release(other);
	spager_stop(&s);
}

/* Bad arguments are refused and change nothing. */
KTEST(pager_write_protect_bad_arguments)
{
	spager_t s;
	as_t *as;
	uint64_t top = UINT64_MAX & ~(uint64_t) (PS - 1);

	KT_ASSERT(spager_client(&s, &as, 4, RW));
	s.pages = 4;
	KT_CHECK_EQ(fault(as, X, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, 8, PS), EINVAL);
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, 0, PS + 8), EINVAL);
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, top, PS), EINVAL); /* ends at 2^64 */
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, PS, top), EINVAL); /* wraps */
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ, UINT64_MAX, UINT64_MAX), EINVAL);
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ + 1, 0, PS), ENOENT);
	KT_CHECK_EQ(pager_write_protect(s.box, OBJ + 1, 0, 0), ENOENT);
	for (size_t i = 0; i < 4; i++)
		KT_CHECK(page_writable(as, X + i * PS));
	KT_CHECK_EQ(spager_page_ins(&s), 1);
	as_release(as);
	spager_stop(&s);
}

/* Answers in flight: an answer taken before a write-protect and mapped
 * after it maps the protected page and the pages after it in its run
 * without the write right, and a write whose own page lost it asks again
 * (a first touch asks anew, an upgrade asks as an upgrade); an answer
 * given after the protect stands. */
KTEST(pager_write_protect_cuts_answer)
{
	spager_t s;
	as_t *as;

	KT_ASSERT(spager_client(&s, &as, 8, RW));
	s.grant = RW; /* write granted on a read, as for a dirty page */
	s.pages = 4;
	s.protect_stale = 1;
	s.protect_off = 2 * PS;
	KT_CHECK_EQ(fault(as, X, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.ctl_rc, EOK);
	KT_CHECK(page_writable(as, X) && page_writable(as, X + PS));
	KT_CHECK(page_read_only(as, X + 2 * PS, mapped_frame(s.as, P + 2 * PS, NULL)));
	KT_CHECK(page_read_only(as, X + 3 * PS, mapped_frame(s.as, P + 3 * PS, NULL)));
	KT_CHECK_EQ(as_resident_pages(as), 4);
	/* a write whose own page lost the right: nothing mapped, asked again */
	s.grant = 0;
	s.pages = 1;
	s.protect_stale = 1;
	s.protect_off = 4 * PS;
	unsigned n = spager_page_ins(&s);
	KT_CHECK_EQ(fault(as, X + 4 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK(!mapped_frame(as, X + 4 * PS, NULL));
	KT_CHECK_EQ(fault(as, X + 4 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(spager_page_ins(&s), n + 2);
	KT_CHECK(!(s.last.arg[4] & PAGE_IN_UPGRADE));
	KT_CHECK(page_writable(as, X + 4 * PS));
	/* an upgrade answered before the protect: still read-only, and the
	 * next store is an upgrade again */
	KT_CHECK_EQ(fault(as, X + 5 * PS, FAULT_ACCESS_READ), EOK);
	uintptr_t pa5 = mapped_frame(as, X + 5 * PS, NULL);
	s.protect_stale = 1;
	s.protect_off = 5 * PS;
	KT_CHECK_EQ(fault(as, X + 5 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK(s.last.arg[4] & PAGE_IN_UPGRADE);
	KT_CHECK(page_read_only(as, X + 5 * PS, pa5));
	KT_CHECK_EQ(fault(as, X + 5 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK(s.last.arg[4] & PAGE_IN_UPGRADE);
	KT_CHECK(page_writable(as, X + 5 * PS));
	/* protected, then answered: the answer stands */
	n = spager_page_ins(&s);
	s.protect_fresh = 1;
	s.protect_off = 6 * PS;
	KT_CHECK_EQ(fault(as, X + 6 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(s.ctl_rc, EOK);
	KT_CHECK_EQ(spager_page_ins(&s), n + 1);
	KT_CHECK(page_writable(as, X + 6 * PS));
	as_release(as);
	spager_stop(&s);
}

/* A read that joined a write's page-in answered before a write-protect
 * maps the page read-only in its own address space; the write asks
 * again. */
KTEST(pager_write_protect_joined)
{
	spager_t s;
	as_t *a, *b;
	unsigned pf = 0;

	KT_ASSERT(spager_start(&s));
	KT_ASSERT_EQ(as_create(&a), EOK);
	KT_ASSERT_EQ(as_create(&b), EOK);
	KT_ASSERT_EQ(as_area_create_pager(a, X, 4 * PS, RW | FIX, s.phone, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(as_area_share(a, X, b, X + 16 * PS, RW | FIX, NULL), EOK);
	s.grant = RW;
	s.delay_us = 200000; /* the read joins within it */
	s.protect_stale = 1;
	s.protect_off = PS;
	faulter_t f[2] = {
		{ a, X + PS, FAULT_ACCESS_WRITE, -1 },
		{ b, X + 17 * PS, FAULT_ACCESS_READ, -1 },
	};
	faulters_run(f, 2);
	KT_CHECK(f[0].rc == EOK && f[1].rc == EOK);
	KT_CHECK_EQ(spager_page_ins(&s), 2);
	KT_CHECK_EQ(s.last.arg[3], FAULT_ACCESS_WRITE);
	KT_CHECK(!(s.last.arg[4] & PAGE_IN_UPGRADE));
	uintptr_t pa = mapped_frame(a, X + PS, &pf);
	KT_CHECK(pa != 0 && (pf & PAGE_WRITE));
	KT_CHECK(page_read_only(b, X + 17 * PS, pa));
	as_release(b);
	as_release(a);
	spager_stop(&s);
}

#define MANY 10000

/* Ten thousand objects: every record is found by hash (short chains),
 * and all go with their areas. */
KTEST(pager_records_10000)
{
	spager_t s;
	as_t *as;
	size_t base = pager_record_count();

	KT_ASSERT(spager_start(&s));
	KT_ASSERT_EQ(as_create(&as), EOK);
	for (uint64_t i = 0; i < MANY && !ktest_failed(); i++) {
		errno_t rc;
		while ((rc = as_area_create_pager(
		            as, X + i * PS, PS, RW | FIX, s.phone, 1000 + i, 0, NULL)) == ELIMIT)
			thread_yield(); /* the stand-in is behind with the notices */
		KT_CHECK_EQ(rc, EOK);
	}
	KT_CHECK_EQ(pager_record_count(), base + MANY);
	KT_CHECK(pager_record_chain_max() <= 12);
	/* one more area of an object has no record of its own */
	KT_CHECK_EQ(
	    as_area_create_pager(as, X + MANY * PS, PS, RW | FIX, s.phone, 1000 + 77, 0, NULL),
	    EOK);
	KT_CHECK_EQ(pager_record_count(), base + MANY);
	KT_CHECK_EQ(fault(as, X + 77 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.last.arg[0], 1000 + 77);
	KT_CHECK_EQ(fault(as, X + MANY * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(s.last.arg[0], 1000 + 77);
	as_release(as);
	KT_CHECK_EQ(pager_record_count(), base);
	spager_stop(&s);
}

/* Notices a pager does not read are bounded: a bind that needs a new one
 * while PAGER_NOTICES_MAX are out is refused; UNREFs are never lost. */
KTEST(pager_notices_bounded)
{
	answerbox_t *box = answerbox_create(78);
	KT_ASSERT(box != NULL);
	phone_t *phone = phone_create(box, 0);
	as_t *as;
	KT_ASSERT(phone != NULL);
	KT_ASSERT_EQ(as_create(&as), EOK);
	errno_t rc = EOK;
	uint64_t n = 0;
	for (; n < 2 * PAGER_NOTICES_MAX; n++) {
		rc = as_area_create_pager(as, X + n * PS, PS, RW | FIX, phone, n, 0, NULL);
		if (rc != EOK)
			break;
	}
	KT_CHECK_EQ(rc, ELIMIT);
	KT_CHECK_EQ(n, PAGER_NOTICES_MAX);
	KT_CHECK_EQ(pager_notices_pending(box), PAGER_NOTICES_MAX);
	/* an object with a record needs no notice: still bound */
	KT_CHECK_EQ(as_area_create_pager(as, X + n * PS, PS, RW | FIX, phone, 0, 0, NULL), EOK);
	/* the last areas go: every UNREF is queued, beyond the bound */
	as_release(as);
	KT_CHECK_EQ(pager_notices_pending(box), 2 * PAGER_NOTICES_MAX);
	mutex_lock(&box->lock);
	KT_CHECK_EQ(box->calls_count, 2 * PAGER_NOTICES_MAX);
	mutex_unlock(&box->lock);
	phone_release(phone);
	answerbox_deactivate(box); /* answers them all */
	KT_CHECK_EQ(pager_notices_pending(box), 0);
	answerbox_release(box);
}

/* Wait (at most 2 s) until @a s took @a n adopted OBJECT_REFs. */
static unsigned spager_wait_adopted(spager_t *s, unsigned n)
{
	for (int i = 0; i < 2000 && __atomic_load_n(&s->adopted, __ATOMIC_ACQUIRE) < n; i++)
		thread_sleep(1000);
	return __atomic_load_n(&s->adopted, __ATOMIC_ACQUIRE);
}

/* A pager's death and takeover, as mm/pager_role.c runs them (seal,
 * orphan, adopt): only the record the dead pager accepted (it answered a
 * page-in of it) moves to the successor; a record bound through another
 * connection to the same id and one of an id it never heard of stay with
 * the dead box (their names split off), and their faults fail at once.
 * The successor's REF carries the pages that were mapped writable: object
 * page 0 (writable in two areas, counted once) and page 1 (in a shared
 * copy too), not page 2 (read-only). */
KTEST(pager_adopt_accepted_only)
{
	spager_t s, s2;
	as_t *as[2];
	size_t refused = 0;
	pager_adopt_summary_t sum;
	KT_ASSERT(spager_start(&s));
	KT_ASSERT(spager_start(&s2));
	phone_t *other = phone_create(s.box, 9);
	KT_ASSERT(other != NULL);
	answerbox_t *dead = s.box;
	answerbox_hold(dead); /* past spager_stop */
	KT_ASSERT_EQ(as_create(&as[0]), EOK);
	KT_ASSERT_EQ(as_create(&as[1]), EOK);
	KT_ASSERT_EQ(as_area_create_pager(as[0], X, 4 * PS, RW | FIX, s.phone, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(
	    as_area_create_pager(as[0], X + 16 * PS, 4 * PS, RW | FIX, s.phone, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(as_area_share(as[0], X, as[1], X + 32 * PS, RW | FIX, NULL), EOK);
	/* the crafted ones: the same id through another connection, an id
	 * nobody made; never touched */
	KT_ASSERT_EQ(
	    as_area_create_pager(as[1], X + 48 * PS, 4 * PS, RW | FIX, other, OBJ, 0, NULL), EOK);
	KT_ASSERT_EQ(
	    as_area_create_pager(as[1], X + 64 * PS, 4 * PS, RW | FIX, s.phone, OBJ + 1, 0, NULL),
	    EOK);
	KT_CHECK_EQ(fault(as[0], X, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(fault(as[0], X + PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(fault(as[0], X + 2 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(fault(as[0], X + 16 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK_EQ(fault(as[1], X + 33 * PS, FAULT_ACCESS_WRITE), EOK);
	KT_CHECK(page_writable(as[0], X) && page_writable(as[0], X + 16 * PS));
	KT_CHECK(page_writable(as[1], X + 33 * PS) && !page_writable(as[0], X + 2 * PS));
	KT_CHECK_EQ(pager_box_records(dead), 1);
	/* the death */
	spager_stop(&s);
	KT_CHECK_EQ(pager_box_seal(dead, &refused), 1);
	KT_CHECK_EQ(refused, 2);
	KT_CHECK_EQ(pager_box_orphan(dead), 2);
	KT_CHECK_EQ(as_resident_pages(as[0]), 0);
	KT_CHECK_EQ(as_resident_pages(as[1]), 0);
	/* the takeover: one record, its lost pages in the REF */
	KT_ASSERT_EQ(pager_box_adopt(dead, s2.box, &sum), EOK);
	KT_CHECK_EQ(sum.records, 1);
	KT_CHECK_EQ(sum.lost, 2);
	KT_CHECK_EQ(sum.id_max, OBJ);
	KT_CHECK_EQ(spager_wait_adopted(&s2, 1), 1);
	KT_CHECK_EQ(s2.last_adopted.arg[0], OBJ);
	KT_CHECK_EQ(s2.last_adopted.arg[2], 2);
	KT_CHECK_EQ(pager_box_records(dead), 0);
	/* the names: OBJ at both boxes (split), OBJ + 1 only at the dead one */
	KT_CHECK_EQ(pager_write_protect(s2.box, OBJ, 0, PS), EOK);
	KT_CHECK_EQ(pager_write_protect(dead, OBJ, 0, PS), EOK);
	KT_CHECK_EQ(pager_write_protect(s2.box, OBJ + 1, 0, PS), ENOENT);
	KT_CHECK_EQ(pager_write_protect(dead, OBJ + 1, 0, PS), EOK);
	/* the adopted record asks the successor, which accepts it again by
	 * answering; the others fail at once */
	unsigned n = spager_page_ins(&s2);
	KT_CHECK_EQ(pager_box_records(s2.box), 0); /* not accepted by it yet */
	KT_CHECK_EQ(fault(as[1], X + 32 * PS, FAULT_ACCESS_READ), EOK);
	KT_CHECK_EQ(spager_page_ins(&s2), n + 1);
	KT_CHECK_EQ(pager_box_records(s2.box), 1);
	uint64_t t0 = timer_uptime_ms();
	KT_CHECK_EQ(fault(as[1], X + 48 * PS, FAULT_ACCESS_READ), EHANGUP);
	KT_CHECK_EQ(fault(as[1], X + 64 * PS, FAULT_ACCESS_READ), EHANGUP);
	KT_CHECK(timer_uptime_ms() - t0 < pager_timeout_us / 2000);
	KT_CHECK_EQ(spager_page_ins(&s2), n + 1);
	as_release(as[1]);
	as_release(as[0]);
	phone_release(other);
	answerbox_release(dead);
	spager_stop(&s2);
}
