/*
 * The fuzzer in the suite (a short run, a fixed seed) and as a soak:
 *
 *   utest=fuzz_short                      the short run (a few seconds)
 *   utest=fuzz:calls=N,seed=S,workers=W,threads=T,budget=B,ms=M,anon=0|1
 *                                         a soak of N calls (default
 *                                         10 million; tools/soak.sh)
 *
 * Either way the run must end with no hang, every worker reaped, and the
 * free frames, tasks, threads and capability handles back where they were
 * (fuzz.h, fuzz_run.c).  The soak prints progress lines and a report, and
 * its exit status is the verdict.
 */
#include "fuzz.h"
#include "tester.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys.h>
#include <task.h>
#include <utest.h>

#define FUZZ_SHORT_SEED 0x5eed0001ULL

static void fuzz_params_default(fuzz_params_t *p)
{
	*p = (fuzz_params_t){ .seed = FUZZ_SHORT_SEED,
		.calls = 10000000,
		.workers = 4,
		.threads = 3,
		.budget = 20000,
		.worker_ms = 10000,
		.verbose = true };
}

UTEST(fuzz_short)
{
	fuzz_params_t p;
	fuzz_report_t r;
	fuzz_params_default(&p);
	p.calls = 30000;
	p.workers = 3;
	p.budget = 4000;
	p.worker_ms = 2000;
	p.verbose = false;
	UT_ASSERT_OK(fuzz_run(&p, &r));
	utest_note("fuzz: seed %#llx: %llu calls, %llu workers (%llu faulted), %llu ms",
	    (unsigned long long) p.seed, (unsigned long long) r.calls,
	    (unsigned long long) r.workers, (unsigned long long) r.faulted,
	    (unsigned long long) r.ms);
	UT_CHECK(r.calls >= p.calls);
	UT_CHECK_EQ(r.hangs, 0);
	UT_CHECK_EQ(r.spawn_failed, 0);
	if (!UT_CHECK(fuzz_report_clean(&r)))
		fuzz_report_print(&p, &r);
}

/* "key=value,..." into @a p; false on a word it does not know. */
static bool fuzz_spec_parse(const char *spec, fuzz_params_t *p)
{
	while (*spec) {
		const char *eq = strchr(spec, '=');
		if (!eq)
			return false;
		char *end;
		uint64_t v = strtoul(eq + 1, &end, 0);
		size_t klen = (size_t) (eq - spec);
		if (klen == 5 && strncmp(spec, "calls", 5) == 0)
			p->calls = v;
		else if (klen == 4 && strncmp(spec, "seed", 4) == 0)
			p->seed = v;
		else if (klen == 7 && strncmp(spec, "workers", 7) == 0)
			p->workers = (unsigned) v;
		else if (klen == 7 && strncmp(spec, "threads", 7) == 0)
			p->threads = (unsigned) v;
		else if (klen == 6 && strncmp(spec, "budget", 6) == 0)
			p->budget = v;
		else if (klen == 2 && strncmp(spec, "ms", 2) == 0)
			p->worker_ms = v;
		else if (klen == 4 && strncmp(spec, "anon", 4) == 0)
			p->anon = v != 0;
		else
			return false;
		spec = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return false;
	}
	return true;
}

int fuzz_soak_main(const char *spec)
{
	fuzz_params_t p;
	fuzz_report_t r;
	fuzz_params_default(&p);
	p.seed = uptime_ns_now() ^ (task_id() << 32);
	if (!fuzz_spec_parse(spec, &p)) {
		printf("fuzz: cannot parse \"%s\" (calls=N,seed=S,workers=W,threads=T,budget=B,"
		       "ms=M,anon=0|1)\n",
		    spec);
		return 2;
	}
	errno_t rc = fuzz_run(&p, &r);
	if (rc != EOK) {
		printf("fuzz: cannot start: %s\n", str_error_name(rc));
		return 2;
	}
	fuzz_report_print(&p, &r);
	bool clean = fuzz_report_clean(&r);
	printf("fuzz: verdict %s\n", clean ? "clean" : "NOT CLEAN");
	return clean ? 0 : 1;
}
