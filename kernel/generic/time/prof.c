/*
 * The sampling profiler (see time/prof.h).
 *
 * Samples go into one preallocated array, claimed with an atomic index, so
 * prof_sample() is safe in any interrupt context and takes no lock; when
 * the array is full, later samples are only counted.  The array is written
 * only by the timer interrupt and read by prof_dump(), which a single boot
 * thread calls at the end of a run.
 */
#include <abi/page.h>
#include <arch/layout.h>
#include <console/console.h>
#include <main/cmdline.h>
#include <mem.h>
#include <mm/frame.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <time/prof.h>

#define PROF_NAME_LEN 15
#define PROF_PAGES 512 /* 2 MiB: 65,536 samples */

typedef struct prof_sample {
	uint64_t pc;
	char user;
	char name[PROF_NAME_LEN];
} prof_sample_t;

_Static_assert(sizeof(prof_sample_t) == 24, "sample layout");

static prof_sample_t *prof_buf;
static uint64_t prof_cap;
static uint64_t prof_next; /* samples taken, may exceed prof_cap */

unsigned prof_mult_from_cmdline(const char *cmdline)
{
	char v[8];
	if (!cmdline_get(cmdline, "prof", v, sizeof(v)))
		return 1;
	unsigned n = 0;
	for (const char *p = v; *p >= '0' && *p <= '9' && n <= PROF_MULT_MAX; p++)
		n = n * 10 + (unsigned) (*p - '0');
	return n < 2 ? 2 : n > PROF_MULT_MAX ? PROF_MULT_MAX : n;
}

errno_t prof_init(unsigned mult)
{
	if (mult < 2)
		return EOK;
	uintptr_t pa;
	errno_t rc = frame_alloc(PROF_PAGES, 0, &pa);
	if (rc != EOK)
		return rc;
	prof_buf = PA2KA(pa);
	prof_cap = PROF_PAGES * PAGE_SIZE / sizeof(prof_sample_t);
	return EOK;
}

bool prof_enabled(void)
{
	return prof_buf != NULL;
}

void prof_sample(uintptr_t pc, bool user)
{
	uint64_t i = __atomic_fetch_add(&prof_next, 1, __ATOMIC_RELAXED);
	if (i >= prof_cap)
		return;
	prof_sample_t *s = &prof_buf[i];
	s->pc = pc;
	s->user = user ? 'U' : 'K';
	thread_t *t = THREAD;
	const char *name = t && t->task ? t->task->name : "kernel";
	size_t n = strlen(name);
	if (n > PROF_NAME_LEN - 1)
		n = PROF_NAME_LEN - 1;
	memcpy(s->name, name, n);
	s->name[n] = '\0';
}

uint64_t prof_count(void)
{
	return __atomic_load_n(&prof_next, __ATOMIC_RELAXED);
}

/* One line a sample: "prof: K|U TASK PC"; tools/prof.py reads them. */
void prof_dump(void)
{
	if (!prof_buf)
		return;
	uint64_t n = prof_count();
	uint64_t kept = n < prof_cap ? n : prof_cap;
	printf("prof: begin %llu samples (%llu kept)\n", (unsigned long long) n,
	    (unsigned long long) kept);
	for (uint64_t i = 0; i < kept; i++) {
		const prof_sample_t *s = &prof_buf[i];
		printf("prof: %c %s %llx\n", s->user, s->name, (unsigned long long) s->pc);
	}
	printf("prof: end\n");
}
