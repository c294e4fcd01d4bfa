/* Console, uptime and memory statistics system calls. */
#include <sys.h>

errno_t kconsole_write(const char *buf, size_t len)
{
	return (errno_t) syscall2(SYS_KCONSOLE_WRITE, buf, len);
}

errno_t uptime_ns(uint64_t *ns_out)
{
	return (errno_t) syscall1(SYS_UPTIME, ns_out);
}

uint64_t uptime_ns_now(void)
{
	uint64_t ns;
	return uptime_ns(&ns) == EOK ? ns : 0;
}

errno_t mem_stats(mem_stats_t *out)
{
	return (errno_t) syscall1(SYS_MEM_STATS, out);
}

errno_t system_poweroff(void)
{
	return (errno_t) syscall1(SYS_SYSTEM_POWEROFF, SYSTEM_POWEROFF);
}

errno_t futex_wait(const volatile uint32_t *addr, uint32_t expected, uint64_t usec)
{
	return (errno_t) syscall3(SYS_FUTEX_WAIT, (sysarg_t) addr, expected, usec);
}

errno_t futex_wake(const volatile uint32_t *addr, uint32_t count)
{
	return (errno_t) syscall2(SYS_FUTEX_WAKE, (sysarg_t) addr, count);
}
