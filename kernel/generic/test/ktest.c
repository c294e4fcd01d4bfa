/*
 * Kernel test runner (see test/ktest.h).
 *
 * Each selected test runs in turn; its failures are collected through
 * ktest_fail().  Around every test the runner also checks for leaks: after
 * returning empty slabs to the frame allocator, the number of free frames
 * and of live kernel allocations must be what they were before the test.
 */
#include <adt/btree_alloc.h>
#include <arch/arch.h>
#include <console/console.h>
#include <main/bootinfo.h>
#include <mem.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/slab.h>
#include <stdarg.h>
#include <test/ktest.h>
#include <time/timer.h>

extern const ktest_t ktest_table_start[], ktest_table_end[];

static unsigned current_failures;

bool ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("#   FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	current_failures++;
	return false;
}

bool ktest_failed(void)
{
	return current_failures > 0;
}

void ktest_note(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Is @a name one of the comma-separated names in @a spec (or spec "all")? */
static bool ktest_selected(const char *spec, const char *name)
{
	if (strcmp(spec, "all") == 0)
		return true;
	size_t n = strlen(name);
	for (const char *p = spec; *p;) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		if ((size_t) (e - p) == n && strncmp(p, name, n) == 0)
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

typedef struct ktest_usage {
	size_t free_frames;
	size_t live_allocs;
	size_t btree_nodes;
} ktest_usage_t;

static void ktest_usage(ktest_usage_t *u)
{
	slab_reclaim();
	u->free_frames = frame_free_count();
	u->live_allocs = malloc_live_count();
	u->btree_nodes = btree_nodes_live();
}

static void ktest_run_one(const ktest_t *t, unsigned num)
{
	ktest_usage_t before, after;

	current_failures = 0;
	ktest_usage(&before);
	uint64_t t0 = timer_uptime_ms();
	t->fn();
	uint64_t ms = timer_uptime_ms() - t0;
	ktest_usage(&after);
	if (after.free_frames != before.free_frames)
		ktest_fail(__FILE__, __LINE__, "test leaked frames: %zu free before, %zu after",
		    before.free_frames, after.free_frames);
	if (after.live_allocs != before.live_allocs || after.btree_nodes != before.btree_nodes)
		ktest_fail(__FILE__, __LINE__,
		    "test leaked allocations: %zu/%zu live before, %zu/%zu after",
		    before.live_allocs, before.btree_nodes, after.live_allocs, after.btree_nodes);
	printf("%s %u - %s # %llu ms\n", current_failures ? "not ok" : "ok", num, t->name,
	    (unsigned long long) ms);
}

unsigned ktest_run(const char *spec)
{
	unsigned selected = 0, failed = 0, num = 0;

	for (const ktest_t *t = ktest_table_start; t < ktest_table_end; t++)
		selected += ktest_selected(spec, t->name);
	printf("TAP version 13\n1..%u\n", selected);
	if (selected == 0)
		printf("# no kernel test matches \"%s\"\n", spec);
	for (const ktest_t *t = ktest_table_start; t < ktest_table_end; t++) {
		if (!ktest_selected(spec, t->name))
			continue;
		ktest_run_one(t, ++num);
		failed += current_failures ? 1 : 0;
	}
	printf("# kernel tests: %u passed, %u failed\n", selected - failed, failed);
	return selected == 0 ? 1 : failed;
}
