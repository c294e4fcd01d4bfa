/*
 * User test runner (see utest.h).
 *
 * Leak check.  Around every test the runner reads the machine's free-frame
 * count (SYS_MEM_STATS) and the bytes held by this task's heap areas.  The
 * heap never shrinks, so frames a test moved into the heap are not a leak:
 *
 *   leaked = (free before - free after) - (heap pages after - heap pages before)
 *
 * must be zero.  (malloc touches new heap memory at once, so heap bytes
 * are frames also when the heap is pager-backed.)  When the heap grew, the
 * kernel may also have needed new page-table pages for it, which stay
 * while the heap does -- in this task, and with a pager-backed heap also
 * in the pager, which maps the same frames in areas of its own (page
 * tables and the kernel's records of those areas) -- so a small allowance
 * (UTEST_PT_SLACK plus UTEST_PT_PER_2M frames per 2 MiB of growth) is
 * granted then, and only then.  Before the first test the runner warms up: it
 * grows the heap by UTEST_WARM_HEAP (then frees it), and creates and joins
 * a thread and an area once, so kernel caches that fill on first use do
 * not count against the first test, then waits until the machine holds
 * still (boot servers may still be starting: utest_quiet).  Work the kernel finishes after the
 * fact (a reaper freeing a dead task or thread) is allowed for by
 * measuring again, up to UTEST_LEAK_RETRIES times UTEST_LEAK_WAIT_US,
 * before a leak is reported.  A negative difference (more frames free
 * after) is not an error: the kernel may have given back cached memory.
 * Nor are up to UTEST_SLAB_SLACK frames when the kernel's live objects
 * did not grow (mem_stats_t.kernel_objects): the same objects may sit in
 * one slab page more than before (the slab allocator returns only empty
 * pages), which the order other tasks allocate in decides, not the test.
 */
#include "libc_priv.h"
#include <as.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <thread.h>
#include <utest.h>

#define UTEST_WARM_HEAP (512 * 1024)
#define UTEST_PT_SLACK 8
#define UTEST_PT_PER_2M 3
#define UTEST_SLAB_SLACK 2
#define UTEST_QUIET_SAMPLES 3
#define UTEST_QUIET_TRIES 100
#define UTEST_QUIET_WAIT_US 20000
#define UTEST_LEAK_RETRIES 40
#define UTEST_LEAK_WAIT_US 5000

extern const utest_t utest_table_start[], utest_table_end[];

static unsigned utest_failures;

bool utest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("#   FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	utest_failures++;
	return false;
}

bool utest_failed(void)
{
	return utest_failures > 0;
}

void utest_note(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

bool utest_check_err(
    const char *file, int line, const char *expr, errno_t err, int n, const errno_t *ok)
{
	for (int i = 0; i < n; i++) {
		if (err == ok[i])
			return true;
	}
	char want[96] = "";
	size_t len = 0;
	for (int i = 0; i < n && len < sizeof(want); i++)
		len += snprintf(
		    want + len, sizeof(want) - len, "%s%s", i ? " or " : "", str_error_name(ok[i]));
	return utest_fail(
	    file, line, "%s: %s (%d), expected %s", expr, str_error_name(err), err, want);
}

/* Does the pattern [p, e) match @a name: the name itself, or with a
 * final '*' every name that starts with what comes before it. */
static bool utest_pattern_matches(const char *p, const char *e, const char *name)
{
	size_t len = (size_t) (e - p), n = strlen(name);
	if (len > 0 && e[-1] == '*')
		return n >= len - 1 && strncmp(p, name, len - 1) == 0;
	return len == n && strncmp(p, name, n) == 0;
}

/* Is @a name selected by @a spec: "all", or comma-separated patterns
 * (utest_pattern_matches), where one starting with '-' leaves out what it
 * matches even if another pattern takes it ("hw_fmap_*,-hw_fmap_wb_ioerr").
 * "all" leaves out the tests named hw_*: they need hardware the default
 * run does not attach (a disk), and run only by name. */
static bool utest_selected(const char *spec, const char *name)
{
	if (strcmp(spec, "all") == 0)
		return strncmp(name, "hw_", 3) != 0;
	bool in = false;
	for (const char *p = spec; *p;) {
		const char *e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if (*p == '-' && utest_pattern_matches(p + 1, e, name))
			return false;
		if (*p != '-' && utest_pattern_matches(p, e, name))
			in = true;
		p = *e ? e + 1 : e;
	}
	return in;
}

typedef struct utest_usage {
	uint64_t free_frames;
	uint64_t kernel_objects;
	size_t heap_bytes;
} utest_usage_t;

static void utest_usage(utest_usage_t *u)
{
	mem_stats_t st = { 0 };
	mem_stats(&st);
	u->free_frames = st.free_frames;
	u->kernel_objects = st.kernel_objects;
	u->heap_bytes = malloc_heap_bytes();
}

/* Frames gone that heap growth does not explain, minus the allowance. */
static int64_t utest_leak_excess(const utest_usage_t *before, const utest_usage_t *after)
{
	int64_t used = (int64_t) before->free_frames - (int64_t) after->free_frames;
	int64_t heap_pages = (int64_t) (after->heap_bytes - before->heap_bytes) /
	    (int64_t) PAGE_SIZE;
	int64_t slack = heap_pages > 0 ? UTEST_PT_SLACK + UTEST_PT_PER_2M * heap_pages / 512 : 0;
	int64_t excess = used - heap_pages - slack;
	if (excess > 0 && excess <= UTEST_SLAB_SLACK &&
	    after->kernel_objects <= before->kernel_objects)
		return 0; /* the same kernel objects in a slab page more */
	return excess;
}

static void utest_leak_check(const utest_usage_t *before)
{
	utest_usage_t after;
	for (int i = 0;; i++) {
		utest_usage(&after);
		if (utest_leak_excess(before, &after) <= 0)
			return;
		if (i == UTEST_LEAK_RETRIES)
			break;
		thread_sleep_us(UTEST_LEAK_WAIT_US);
	}
	utest_fail(__FILE__, __LINE__,
	    "test leaked frames: %llu free before, %llu after, heap %zu -> %zu bytes",
	    (unsigned long long) before->free_frames, (unsigned long long) after.free_frames,
	    before->heap_bytes, after.heap_bytes);
}

/* Wait (at most UTEST_QUIET_TRIES samples) until the machine holds still:
 * the same tasks, threads and free frames in UTEST_QUIET_SAMPLES samples in
 * a row, so boot servers still starting up (registering with ns, making
 * their worker threads) do not count against the first test. */
static void utest_quiet(void)
{
	mem_stats_t last = { 0 }, now = { 0 };
	mem_stats(&last);
	unsigned same = 0;
	for (unsigned i = 0; i < UTEST_QUIET_TRIES && same < UTEST_QUIET_SAMPLES; i++) {
		thread_sleep_us(UTEST_QUIET_WAIT_US);
		mem_stats(&now);
		bool still = now.tasks == last.tasks && now.threads == last.threads &&
		    now.free_frames == last.free_frames;
		same = still ? same + 1 : 0;
		last = now;
	}
}

static int utest_warm_thread(void *arg)
{
	return (int) (uintptr_t) arg;
}

static void utest_warm_up(void)
{
	malloc_prefault();
	free(malloc(UTEST_WARM_HEAP));
	tid_t tid;
	if (thread_create(utest_warm_thread, NULL, &tid) == EOK)
		thread_join(tid, NULL);
	uintptr_t base;
	if (as_area_create(0, PAGE_SIZE, AS_AREA_READ | AS_AREA_WRITE, &base) == EOK)
		as_area_destroy(base);
	utest_quiet();
}

static void utest_run_one(const utest_t *t, unsigned num)
{
	utest_usage_t before;

	utest_failures = 0;
	utest_usage(&before);
	uint64_t t0 = uptime_ns_now();
	t->fn();
	uint64_t ms = (uptime_ns_now() - t0) / 1000000;
	/* hw_* tests use drivers that outlive them: a driver's memory, paged
	 * in as it first serves (its threads' stacks, its heap), would be
	 * charged to whichever test came first. */
	if (strncmp(t->name, "hw_", 3) != 0)
		utest_leak_check(&before);
	printf("%s %u - %s # %llu ms\n", utest_failures ? "not ok" : "ok", num, t->name,
	    (unsigned long long) ms);
}

/* The patterns of @a spec that match no test (a typo, or a test renamed
 * out of a suite's list), each noted; they count as failures, so a suite
 * never silently runs less than it names. */
static unsigned utest_spec_unmatched(const char *spec)
{
	unsigned unmatched = 0;
	if (strcmp(spec, "all") == 0)
		return 0;
	for (const char *p = spec; *p;) {
		const char *e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		const char *q = *p == '-' ? p + 1 : p;
		bool any = false;
		for (const utest_t *t = utest_table_start; t < utest_table_end && !any; t++)
			any = utest_pattern_matches(q, e, t->name);
		if (!any && e > p) {
			printf("# \"%.*s\" matches no user test\n", (int) (e - p), p);
			unmatched++;
		}
		p = *e ? e + 1 : e;
	}
	return unmatched;
}

unsigned utest_run(const char *spec)
{
	unsigned selected = 0, failed = 0, num = 0;

	for (const utest_t *t = utest_table_start; t < utest_table_end; t++)
		selected += utest_selected(spec, t->name);
	printf("TAP version 13\n1..%u\n", selected);
	if (selected == 0)
		printf("# no user test matches \"%s\"\n", spec);
	utest_warm_up();
	for (const utest_t *t = utest_table_start; t < utest_table_end; t++) {
		if (!utest_selected(spec, t->name))
			continue;
		utest_run_one(t, ++num);
		failed += utest_failures ? 1 : 0;
	}
	printf("# user tests: %u passed, %u failed\n", selected - failed, failed);
	failed += utest_spec_unmatched(spec);
	return selected == 0 ? 1 : failed;
}

int utest_main(int argc, char **argv)
{
	unsigned failed = 0;
	if (argc < 2)
		return utest_run("all") == 0 ? 0 : 1;
	/* Several arguments: one run over the union would be nicer, but
	 * a TAP stream has one plan, so join them into one spec. */
	char spec[256] = "";
	size_t len = 0;
	for (int i = 1; i < argc && len < sizeof(spec); i++)
		len += snprintf(spec + len, sizeof(spec) - len, "%s%s", i > 1 ? "," : "", argv[i]);
	if (len >= sizeof(spec)) { /* cut: a pattern lost, or a leave-out */
		printf("# the test names are longer than %zu bytes\n", sizeof(spec) - 1);
		return 1;
	}
	failed = utest_run(spec);
	return failed == 0 ? 0 : 1;
}
