/* Capability system calls (cap.h). */
#include <cap.h>
#include <sys.h>

errno_t cap_info(cap_handle_t h, cap_info_t *out)
{
	return (errno_t) syscall2(SYS_CAP_INFO, (sysarg_t) (int64_t) h, out);
}

errno_t cap_derive(cap_handle_t h, uint64_t base, uint64_t size, cap_handle_t *out)
{
	return (errno_t) syscall4(SYS_CAP_DERIVE, (sysarg_t) (int64_t) h, base, size, out);
}

errno_t cap_drop(cap_handle_t h)
{
	return (errno_t) syscall1(SYS_CAP_DROP, (sysarg_t) (int64_t) h);
}
