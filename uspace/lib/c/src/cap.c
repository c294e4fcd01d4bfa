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

errno_t cap_give(cap_handle_t phone, cap_handle_t h, uint64_t arg1, ipc_msg_t *answer)
{
	ipc_msg_t m = IPC_MSG(IPC_M_CAP_GIVE, (uint64_t) (int64_t) h, arg1), ans;
	return ipc_call_sync(phone, &m, answer ? answer : &ans);
}
