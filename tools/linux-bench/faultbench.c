/*
 * The Linux side of the first-touch fault benchmark: run as /init (PID 1)
 * of a small initramfs in a Linux guest (tools/linux-bench/build.sh builds
 * it, tools/bench.sh boots it), measure, print, power the guest off.
 *
 * Same method and output as uspace/app/bench: TSC cycles per operation,
 * rdtsc fenced with lfence; the median and minimum over RUNS runs of a
 * batch, one line per benchmark:
 *     bench NAME: median N cycles, min N cycles (R runs of B ops)
 *
 *   linux_fault_write   first write to each page of a fresh anonymous
 *                       private mapping (minor fault: allocate, zero, map)
 *   linux_fault_read    first read of each page of a fresh mapping (minor
 *                       fault: map the shared zero page read-only)
 *   linux_touch_mapped  the same write loop over pages already mapped: the
 *                       loop's own cost, for reference (no fault)
 *   linux_zero_4k       "rep stosb" of 4 KiB over a page already mapped:
 *                       what Linux's clear_page_erms does inside each
 *                       write fault, measured alone (under TCG it is a
 *                       large part of the write fault)
 *   linux_null_syscall  getppid() through syscall(2), a round trip
 *   linux_rtw_read, linux_rtw_write
 *                       a fresh mapping read page by page (maps the zero
 *                       page), then written page by page (replaces it with
 *                       a new zeroed page); per page for each phase, as
 *                       uspace/app/bench's rtw_read and rtw_write
 *   linux_touch_NMIB    first write to each page of a fresh mapping of N
 *                       (1, 4, 16, 64) MiB, per page, as uspace/app/bench's
 *                       touch_NMIB
 *
 * Each fault run maps FAULT_PAGES pages anew (mmap), touches the first
 * byte of each page once, then unmaps; the figure is the run's cycles
 * divided by FAULT_PAGES.  Transparent huge pages are turned off for the
 * region (MADV_NOHUGEPAGE) so every page is one 4 KiB fault.
 *
 * Also prints "linux: ..." lines describing the guest when /proc and /sys
 * can be mounted: the kernel release, the THP setting, and each CPU
 * vulnerability the kernel reports as anything but "Not affected" (the
 * mitigations it runs with, which cost cycles on every kernel entry).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PAGE 4096UL
/* As uspace/app/bench's fault_* benchmarks: keep the two in step. */
#define FAULT_PAGES 256
#define FAULT_RUNS 101
#define SYSCALL_RUNS 101
#define SYSCALL_BATCH 200

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t) hi << 32) | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, uint64_t *per_op, unsigned runs, unsigned ops)
{
	qsort(per_op, runs, sizeof per_op[0], cmp_u64);
	printf("bench %s: median %llu cycles, min %llu cycles (%u runs of %u ops)\n", name,
	    (unsigned long long) per_op[runs / 2], (unsigned long long) per_op[0], runs, ops);
	fflush(stdout);
}

static volatile char *map_pages(unsigned long pages)
{
	void *p = mmap(
	    NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("faultbench: mmap");
		return NULL;
	}
	(void) madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
	return p;
}

static volatile char *map_region(void)
{
	return map_pages(FAULT_PAGES);
}

enum touch { TOUCH_WRITE, TOUCH_READ, TOUCH_MAPPED, ZERO_MAPPED };

static inline void zero_4k(volatile char *p)
{
	void *d = (void *) p;
	unsigned long n = PAGE;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
}

static int bench_touch(const char *name, enum touch kind)
{
	static uint64_t v[FAULT_RUNS];
	for (int r = 0; r < FAULT_RUNS; r++) {
		volatile char *p = map_region();
		if (!p)
			return -1;
		if (kind == TOUCH_MAPPED || kind == ZERO_MAPPED)
			for (unsigned i = 0; i < FAULT_PAGES; i++)
				p[i * PAGE] = 1;
		unsigned sink = 0;
		uint64_t t0 = bench_rdtsc();
		if (kind == TOUCH_READ)
			for (unsigned i = 0; i < FAULT_PAGES; i++)
				sink += p[i * PAGE];
		else if (kind == ZERO_MAPPED)
			for (unsigned i = 0; i < FAULT_PAGES; i++)
				zero_4k(p + i * PAGE);
		else
			for (unsigned i = 0; i < FAULT_PAGES; i++)
				p[i * PAGE] = (char) i;
		v[r] = (bench_rdtsc() - t0) / FAULT_PAGES;
		__asm__ volatile("" ::"r"(sink));
		munmap((void *) p, FAULT_PAGES * PAGE);
	}
	report(name, v, FAULT_RUNS, FAULT_PAGES);
	return 0;
}

/* Read every page of a fresh region, then write every page. */
static int bench_rtw(void)
{
	static uint64_t rd[FAULT_RUNS], wr[FAULT_RUNS];
	for (int r = 0; r < FAULT_RUNS; r++) {
		volatile char *p = map_region();
		if (!p)
			return -1;
		unsigned sink = 0;
		uint64_t t0 = bench_rdtsc();
		for (unsigned i = 0; i < FAULT_PAGES; i++)
			sink += p[i * PAGE];
		uint64_t t1 = bench_rdtsc();
		for (unsigned i = 0; i < FAULT_PAGES; i++)
			p[i * PAGE] = (char) i;
		uint64_t t2 = bench_rdtsc();
		rd[r] = (t1 - t0) / FAULT_PAGES;
		wr[r] = (t2 - t1) / FAULT_PAGES;
		__asm__ volatile("" ::"r"(sink));
		munmap((void *) p, FAULT_PAGES * PAGE);
	}
	report("linux_rtw_read", rd, FAULT_RUNS, FAULT_PAGES);
	report("linux_rtw_write", wr, FAULT_RUNS, FAULT_PAGES);
	return 0;
}

/* First write to each page of a fresh @a mib MiB region; @a runs runs. */
static int bench_touch_mib(unsigned long mib, unsigned runs)
{
	static uint64_t v[FAULT_RUNS];
	unsigned long pages = mib * 1024 * 1024 / PAGE;
	char name[32];
	for (unsigned r = 0; r < runs; r++) {
		volatile char *p = map_pages(pages);
		if (!p)
			return -1;
		uint64_t t0 = bench_rdtsc();
		for (unsigned long i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		v[r] = (bench_rdtsc() - t0) / pages;
		munmap((void *) p, pages * PAGE);
	}
	snprintf(name, sizeof name, "linux_touch_%lumib", mib);
	report(name, v, runs, (unsigned) pages);
	return 0;
}

static void bench_null_syscall(void)
{
	static uint64_t v[SYSCALL_RUNS];
	for (int r = 0; r < SYSCALL_RUNS; r++) {
		uint64_t t0 = bench_rdtsc();
		for (int i = 0; i < SYSCALL_BATCH; i++)
			(void) syscall(SYS_getppid);
		v[r] = (bench_rdtsc() - t0) / SYSCALL_BATCH;
	}
	report("linux_null_syscall", v, SYSCALL_RUNS, SYSCALL_BATCH);
}

/* Print the first line of a file as "linux: LABEL: LINE", if it exists. */
static void show_file(const char *label, const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\n")] = 0;
		printf("linux: %s: %s\n", label, buf);
	}
	fclose(f);
}

/* The CPU model and whether it has ERMS (then clear_page is "rep stosb"). */
static void show_cpu(void)
{
	char line[4096], model[128] = "?";
	int erms = -1;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *v = strchr(line, ':');
		if (!v)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = 0;
		if (strncmp(line, "model name", 10) == 0 && model[0] == '?')
			snprintf(model, sizeof model, "%s", v);
		else if (strncmp(line, "flags", 5) == 0 && erms < 0)
			erms = strstr(line, " erms") != NULL;
	}
	fclose(f);
	printf("linux: cpu: %s; erms %s\n", model, erms > 0 ? "yes" : "no");
}

static void show_mitigations(void)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	char path[512], buf[256];
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof buf, f) && strncmp(buf, "Not affected", 12) != 0) {
			buf[strcspn(buf, "\n")] = 0;
			printf("linux: vulnerability %s: %s\n", e->d_name, buf);
		}
		fclose(f);
	}
	closedir(d);
}

/*
 * PID 1 starts with the console the kernel opened from the initramfs's
 * /dev/console.  If there was none, mount devtmpfs and open it ourselves.
 */
static void ensure_console(void)
{
	if (fcntl(1, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		fd = open("/dev/ttyS0", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

int main(void)
{
	struct utsname u;
	int failed = 0;

	ensure_console();
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);

	printf("bench: TSC cycles; see docs/PERFORMANCE.md\n");
	if (uname(&u) == 0)
		printf("linux: kernel %s %s\n", u.release, u.version);
	show_file("transparent_hugepage", "/sys/kernel/mm/transparent_hugepage/enabled");
	show_cpu();
	show_mitigations();

	/* One unmeasured pass first: warm the page allocator and caches. */
	volatile char *p = map_region();
	if (p) {
		for (unsigned i = 0; i < FAULT_PAGES; i++)
			p[i * PAGE] = 1;
		munmap((void *) p, FAULT_PAGES * PAGE);
	}

	failed |= bench_touch("linux_fault_write", TOUCH_WRITE);
	failed |= bench_touch("linux_fault_read", TOUCH_READ);
	failed |= bench_touch("linux_touch_mapped", TOUCH_MAPPED);
	failed |= bench_touch("linux_zero_4k", ZERO_MAPPED);
	bench_null_syscall();
	failed |= bench_rtw();
	/* As many runs as uspace/app/bench's touch_NMIB. */
	failed |= bench_touch_mib(1, 21);
	failed |= bench_touch_mib(4, 11);
	failed |= bench_touch_mib(16, 5);
	failed |= bench_touch_mib(64, 3);
	printf("linux: faultbench %s\n", failed ? "failed" : "done");
	fflush(stdout);

	sync();
	reboot(RB_POWER_OFF);
	/* PID 1 must not exit (the kernel would panic); if power-off failed, wait. */
	perror("faultbench: reboot(RB_POWER_OFF)");
	for (;;)
		pause();
}
