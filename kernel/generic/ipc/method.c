/*
 * The table of system methods (ipc/method.h) and fault injection into
 * their hooks.
 *
 * Fault injection exists for the tests: SYS_IPC_FAIL_INJECT (abi/ipc.h)
 * arms "the next N runs of hook H of method M fail with E"; it is refused
 * (ENOTSUP) unless the kernel was booted for the user test suite (utest=)
 * or with ipc_fail_inject on its command line.  The armed counts are
 * global: a test arms them just before the one call it makes.
 *
 * Lock: fail_lock (a spinlock) protects the armed counts; it is taken
 * alone, never with another lock held across it by this file.
 */
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <synch/spinlock.h>

#define IPC_SYSTEM_METHODS IPC_M_FIRST_USER

static const ipc_method_ops_t *ipc_methods[IPC_SYSTEM_METHODS] = {
	[IPC_M_CONNECT_ME_TO] = &ipc_op_connect_me_to,
	[IPC_M_CONNECT_TO_ME] = &ipc_op_connect_to_me,
	[IPC_M_DATA_WRITE] = &ipc_op_data_write,
	[IPC_M_DATA_READ] = &ipc_op_data_read,
	[IPC_M_SHARE_OUT] = &ipc_op_share_out,
	[IPC_M_SHARE_IN] = &ipc_op_share_in,
	[IPC_M_CAP_GIVE] = &ipc_op_cap_give,
};

typedef struct ipc_fail {
	uint64_t method;
	unsigned hook;
	errno_t err;
	unsigned count; /* runs left to fail; 0: disarmed */
} ipc_fail_t;

static spinlock_t fail_lock = SPINLOCK_INITIALIZER("ipc-fail");
static ipc_fail_t fail_armed; /* fail_lock */
static bool fail_any; /* atomic: something is armed (the hot path's test) */
bool ipc_fail_inject_enabled; /* set at boot (main.c) */

const ipc_method_ops_t *ipc_method_ops(uint64_t method)
{
	return method < IPC_SYSTEM_METHODS ? ipc_methods[method] : NULL;
}

void ipc_method_register(uint64_t method, const ipc_method_ops_t *ops)
{
	assert(method < IPC_SYSTEM_METHODS && !ipc_methods[method] && !ops->user);
	ipc_methods[method] = ops;
}

bool ipc_method_user_ok(uint64_t method)
{
	if (method >= IPC_M_FIRST_USER)
		return true;
	const ipc_method_ops_t *ops = ipc_method_ops(method);
	return ops && ops->user;
}

errno_t ipc_hook_fail(uint64_t method, unsigned hook)
{
	if (!__atomic_load_n(&fail_any, __ATOMIC_RELAXED))
		return EOK;
	errno_t rc = EOK;
	spinlock_lock(&fail_lock);
	ipc_fail_t *f = &fail_armed;
	if (f->count > 0 && f->method == method && f->hook == hook) {
		rc = f->err;
		if (--f->count == 0)
			__atomic_store_n(&fail_any, false, __ATOMIC_RELAXED);
	}
	spinlock_unlock(&fail_lock);
	return rc;
}

/* Does @a ops have @a hook (IPC_HOOK_*)? */
static bool ipc_method_has_hook(const ipc_method_ops_t *ops, unsigned hook)
{
	switch (hook) {
	case IPC_HOOK_SEND:
		return ops->send != NULL;
	case IPC_HOOK_RECEIVE:
		return ops->receive != NULL;
	case IPC_HOOK_ANSWER:
		return ops->answer != NULL;
	default:
		return ops->collect != NULL;
	}
}

errno_t ipc_hook_fail_arm(uint64_t method, unsigned hook, errno_t err, unsigned count)
{
	if (!ipc_fail_inject_enabled)
		return ENOTSUP;
	if (hook >= IPC_HOOK_COUNT || err <= EOK || err >= ERRNO_COUNT)
		return EINVAL;
	const ipc_method_ops_t *ops = ipc_method_ops(method);
	if (count && !ops)
		return EINVAL;
	if (count && !ipc_method_has_hook(ops, hook))
		return ENOENT; /* nothing there to fail: the test skips it */
	spinlock_lock(&fail_lock);
	fail_armed = (ipc_fail_t){ .method = method, .hook = hook, .err = err, .count = count };
	__atomic_store_n(&fail_any, count > 0, __ATOMIC_RELAXED);
	spinlock_unlock(&fail_lock);
	return EOK;
}
