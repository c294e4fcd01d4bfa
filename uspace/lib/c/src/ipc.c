/*
 * IPC system calls, synchronous requests and the system-method helpers.
 *
 * A synchronous request is one SYS_IPC_CALL_SYNC: the message goes and the
 * answer comes back in registers, and the answer is the calling thread's
 * alone (the kernel hands it to the thread, not to the task's box), so
 * requests of many threads and the serving threads' waits never take each
 * other's events.  ipc_cookie_sync_new() remains for callers that send an
 * asynchronous call and wait for its answer by cookie.
 */
#include <ipc.h>
#include <sys.h>

static uint64_t ipc_cookie_next = 1;

errno_t ipc_call(cap_handle_t phone, const ipc_msg_t *msg, uint64_t cookie)
{
	return (errno_t) syscall3(SYS_IPC_CALL, (sysarg_t) (int64_t) phone, msg, cookie);
}

errno_t ipc_wait(ipc_event_t *ev, uint64_t timeout_us, unsigned flags, uint64_t cookie)
{
	return (errno_t) syscall4(SYS_IPC_WAIT, ev, timeout_us, flags, cookie);
}

errno_t ipc_answer(cap_handle_t call, errno_t retval, ipc_msg_t *args)
{
	return (errno_t) syscall3(SYS_IPC_ANSWER, (sysarg_t) (int64_t) call, retval, args);
}

errno_t ipc_forward(cap_handle_t call, cap_handle_t phone, const ipc_msg_t *msg, unsigned flags)
{
	return (errno_t) syscall4(
	    SYS_IPC_FORWARD, (sysarg_t) (int64_t) call, (sysarg_t) (int64_t) phone, msg, flags);
}

errno_t ipc_hangup(cap_handle_t phone)
{
	return (errno_t) syscall1(SYS_IPC_HANGUP, (sysarg_t) (int64_t) phone);
}

errno_t pager_object_revoke(uint64_t object, uint64_t offset, size_t size)
{
	return (errno_t) syscall3(SYS_PAGER_REVOKE, object, offset, size);
}

errno_t pager_object_set_size(uint64_t object, uint64_t size)
{
	return (errno_t) syscall2(SYS_PAGER_SET_SIZE, object, size);
}

errno_t pager_object_write_protect(uint64_t object, uint64_t offset, size_t size)
{
	return (errno_t) syscall3(SYS_PAGER_WRITE_PROTECT, object, offset, size);
}

errno_t pager_object_bound(uint64_t object, uint64_t conn)
{
	return (errno_t) syscall2(SYS_PAGER_BOUND, object, conn);
}

errno_t pager_role_register(unsigned role)
{
	return (errno_t) syscall1(SYS_PAGER_REGISTER, role);
}

errno_t pager_role_successor(unsigned role, task_id_t task)
{
	return (errno_t) syscall2(SYS_PAGER_SUCCESSOR, role, task);
}

errno_t pager_low_memory_test(unsigned role)
{
	return (errno_t) syscall1(SYS_PAGER_LOW_MEMORY_TEST, role);
}

uint64_t ipc_cookie_sync_new(void)
{
	uint64_t n = __atomic_fetch_add(&ipc_cookie_next, 1, __ATOMIC_RELAXED);
	return n | IPC_COOKIE_SYNC;
}

errno_t ipc_call_sync(cap_handle_t phone, const ipc_msg_t *msg, ipc_msg_t *answer)
{
	register uint64_t rdi __asm__("rdi") = (uint64_t) (int64_t) phone;
	register uint64_t rsi __asm__("rsi") = msg->method;
	register uint64_t rdx __asm__("rdx") = msg->arg[0];
	register uint64_t r10 __asm__("r10") = msg->arg[1];
	register uint64_t r8 __asm__("r8") = msg->arg[2];
	register uint64_t r9 __asm__("r9") = msg->arg[3];
	register uint64_t r12 __asm__("r12") = msg->arg[4];
	uint64_t rax = SYS_IPC_CALL_SYNC;
	__asm__ volatile(
	    "syscall"
	    : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12)
	    :
	    : "rcx", "r11", "memory");
	if (answer)
		*answer = (ipc_msg_t){ .method = msg->method, .arg = { rdx, r10, r8, r9, r12 } };
	return (errno_t) rax;
}

errno_t ipc_reply_wait(cap_handle_t call, errno_t retval, const ipc_msg_t *args, ipc_event_t *ev,
    uint64_t timeout_us, unsigned flags, errno_t *answer_rc)
{
	static const ipc_msg_t none;
	const ipc_msg_t *m = args ? args : &none;
	register uint64_t rdi __asm__("rdi") = (uint64_t) (int64_t) call;
	register uint64_t rsi __asm__("rsi") = (uint64_t) (int64_t) retval;
	register uint64_t rdx __asm__("rdx") = m->arg[0];
	register uint64_t r10 __asm__("r10") = m->arg[1];
	register uint64_t r8 __asm__("r8") = m->arg[2];
	register uint64_t r9 __asm__("r9") = m->arg[3];
	register uint64_t r12 __asm__("r12") = m->arg[4];
	register uint64_t r13 __asm__("r13") = timeout_us;
	register uint64_t r14 __asm__("r14") = flags;
	register uint64_t r15 __asm__("r15");
	register uint64_t rbx __asm__("rbx");
	uint64_t rax = SYS_IPC_REPLY_WAIT;
	__asm__ volatile("syscall"
	                 : "+a"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
	                 "+r"(r9), "+r"(r12), "+r"(r13), "+r"(r14), "=r"(r15), "=r"(rbx)
	                 :
	                 : "rcx", "r11", "memory");
	if (answer_rc)
		*answer_rc = (errno_t) (int32_t) (rbx >> 32);
	if (rax == EOK) {
		*ev = (ipc_event_t){ .kind = (uint32_t) (rdi >> 32),
			.call = (cap_handle_t) (uint32_t) rdi,
			.cookie = r15,
			.retval = (int32_t) (uint32_t) rbx,
			.sender = (task_id_t) r14,
			.conn = r13,
			.msg = { .method = rsi, .arg = { rdx, r10, r8, r9, r12 } } };
	}
	return (errno_t) rax;
}

errno_t ipc_request_msg(cap_handle_t phone, const ipc_msg_t *msg, ipc_msg_t *answer)
{
	return ipc_call_sync(phone, msg, answer);
}

errno_t ipc_request(cap_handle_t phone, uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4, ipc_msg_t *answer)
{
	ipc_msg_t msg = IPC_MSG(method, a0, a1, a2, a3, a4);
	return ipc_request_msg(phone, &msg, answer);
}

errno_t ipc_connect_me_to(
    cap_handle_t phone, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, cap_handle_t *phone_out)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, IPC_M_CONNECT_ME_TO, a0, a1, a2, a3, 0, &ans);
	if (rc == EOK)
		*phone_out = (cap_handle_t) ans.arg[0];
	return rc;
}

errno_t ipc_connect_to_me(
    cap_handle_t phone, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t badge)
{
	return ipc_request(phone, IPC_M_CONNECT_TO_ME, a0, a1, a2, a3, badge, NULL);
}

/* DATA_WRITE and DATA_READ: address and size in, count in the answer. */
static errno_t ipc_data_move(
    cap_handle_t phone, uint64_t method, uintptr_t addr, size_t size, size_t *done)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, method, addr, size, 0, 0, 0, &ans);
	if (done)
		*done = rc == EOK ? (size_t) ans.arg[1] : 0;
	return rc;
}

errno_t ipc_data_write(cap_handle_t phone, const void *src, size_t size, size_t *done)
{
	return ipc_data_move(phone, IPC_M_DATA_WRITE, (uintptr_t) src, size, done);
}

errno_t ipc_data_read(cap_handle_t phone, void *dst, size_t size, size_t *done)
{
	return ipc_data_move(phone, IPC_M_DATA_READ, (uintptr_t) dst, size, done);
}

errno_t ipc_share_out(cap_handle_t phone, uintptr_t base, unsigned rights)
{
	return ipc_request(phone, IPC_M_SHARE_OUT, base, rights, 0, 0, 0, NULL);
}

errno_t ipc_share_in(
    cap_handle_t phone, size_t size, unsigned rights, uintptr_t where, uintptr_t *base_out)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, IPC_M_SHARE_IN, size, rights, where, 0, 0, &ans);
	if (rc == EOK && base_out)
		*base_out = (uintptr_t) ans.arg[0];
	return rc;
}

errno_t ipc_connect_accept(const ipc_event_t *ev, uint64_t badge)
{
	ipc_msg_t ans = IPC_MSG(0, badge);
	return ipc_answer(ev->call, EOK, &ans);
}

errno_t ipc_data_write_accept(const ipc_event_t *ev, void *dst, size_t max, size_t *got)
{
	size_t n = ev->msg.arg[1] < max ? (size_t) ev->msg.arg[1] : max;
	ipc_msg_t ans = IPC_MSG(0, (uintptr_t) dst, n);
	errno_t rc = ipc_answer(ev->call, EOK, &ans);
	if (got)
		*got = rc == EOK ? n : 0;
	return rc;
}

errno_t ipc_data_read_accept(const ipc_event_t *ev, const void *src, size_t size)
{
	size_t n = ev->msg.arg[1] < size ? (size_t) ev->msg.arg[1] : size;
	ipc_msg_t ans = IPC_MSG(0, (uintptr_t) src, n);
	return ipc_answer(ev->call, EOK, &ans);
}

errno_t ipc_share_out_accept(
    const ipc_event_t *ev, uintptr_t where, unsigned rights, uintptr_t *base_out)
{
	ipc_msg_t ans = IPC_MSG(0, where, rights);
	errno_t rc = ipc_answer(ev->call, EOK, &ans);
	if (rc == EOK && base_out)
		*base_out = (uintptr_t) ans.arg[0];
	return rc;
}

errno_t ipc_share_in_accept(const ipc_event_t *ev, uintptr_t base)
{
	ipc_msg_t ans = IPC_MSG(0, base);
	return ipc_answer(ev->call, EOK, &ans);
}

errno_t ipc_fail_inject(uint64_t method, unsigned hook, errno_t err, unsigned count)
{
	return (errno_t) syscall4(SYS_IPC_FAIL_INJECT, method, hook, err, count);
}
