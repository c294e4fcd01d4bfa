/*
 * The anon pager's client calls and libc's choice of memory.
 *
 * mem_init() (at startup, before the heap exists) connects to "anon"
 * through ns, waiting up to ANON_CONNECT_TIMEOUT_MS for it to register:
 * at boot the kernel starts ns and the anon pager before anything else,
 * so this is the time the pager takes to come up.  No IPC (ENOTSUP), no
 * ns, or no pager in time: the task stays on wired memory.
 */
#include "libc_priv.h"
#include <anon.h>
#include <as.h>
#include <ipc.h>
#include <ns.h>
#include <thread.h>

#define ANON_CONNECT_TIMEOUT_MS 3000

/* Weak default; a program that must stay wired defines it true. */
__attribute__((weak)) bool libc_memory_wired = false;

static cap_handle_t anon_libc_phone = CAP_NIL;
/* The kernel refused a pager area with ENOTSUP: stay wired from then on. */
static bool anon_libc_off;

errno_t anon_object_create_ready(cap_handle_t phone, uint64_t off, uint64_t len, uint64_t *id)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, ANON_CREATE, off, len, 0, 0, 0, &ans);
	if (rc == EOK)
		*id = ans.arg[0];
	return rc;
}

errno_t anon_object_create(cap_handle_t phone, uint64_t *id)
{
	return anon_object_create_ready(phone, 0, 0, id);
}

errno_t anon_object_clone(cap_handle_t phone, uint64_t id, uint64_t *clone)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, ANON_CLONE, id, 0, 0, 0, 0, &ans);
	if (rc == EOK)
		*clone = ans.arg[0];
	return rc;
}

errno_t anon_object_destroy(cap_handle_t phone, uint64_t id)
{
	return ipc_request(phone, ANON_DESTROY, id, 0, 0, 0, 0, NULL);
}

errno_t anon_object_discard(cap_handle_t phone, uint64_t id, uint64_t off, uint64_t len)
{
	return ipc_request(phone, ANON_DISCARD, id, off, len, 0, 0, NULL);
}

errno_t anon_stats_get(cap_handle_t phone, anon_stats_t *st)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, ANON_STATS, 0, 0, 0, 0, 0, &ans);
	if (rc == EOK)
		*st = (anon_stats_t){ ans.arg[0], ans.arg[1], ans.arg[2], ans.arg[3], ans.arg[4] };
	return rc;
}

errno_t anon_store_stats_get(cap_handle_t phone, anon_store_stats_t *st)
{
	ipc_msg_t ans;
	errno_t rc = ipc_request(phone, ANON_STORE_STATS, 0, 0, 0, 0, 0, &ans);
	if (rc == EOK)
		*st = (anon_store_stats_t){ ans.arg[0], ans.arg[1], ans.arg[2] };
	return rc;
}

cap_handle_t anon_phone(void)
{
	return anon_libc_phone;
}

bool anon_paging(void)
{
	return anon_libc_phone != CAP_NIL && !anon_libc_off;
}

void mem_init(void)
{
	cap_handle_t phone;
	if (libc_memory_wired)
		return;
	if (ns_connect_timeout(ANON_NAME, ANON_CONNECT_TIMEOUT_MS, &phone) == EOK)
		anon_libc_phone = phone;
}

/* An area of a new object whose [off, off + len) has memory already. */
static errno_t anon_area_create_ready(
    uintptr_t base, size_t size, unsigned flags, uint64_t off, uint64_t len, uintptr_t *base_out)
{
	cap_handle_t phone = anon_libc_phone;
	uint64_t id;
	if (!anon_paging())
		return as_area_create(base, size, flags, base_out);
	errno_t rc = anon_object_create_ready(phone, off, len, &id);
	if (rc != EOK)
		return rc;
	as_pager_spec_t spec = { .phone = phone, .object = id, .offset = 0 };
	rc = as_area_create_pager(base, size, flags, &spec, base_out);
	if (rc != EOK)
		anon_object_destroy(phone, id);
	if (rc == ENOTSUP) {
		anon_libc_off = true;
		return as_area_create(base, size, flags, base_out);
	}
	return rc;
}

errno_t as_area_create_anon(uintptr_t base, size_t size, unsigned flags, uintptr_t *base_out)
{
	return anon_area_create_ready(base, size, flags, 0, 0, base_out);
}

errno_t as_area_create_stack(uintptr_t top, size_t size, size_t ready, uintptr_t *stack_base)
{
	size_t total = THREAD_GUARD_SIZE + size;
	unsigned flags = AS_AREA_READ | AS_AREA_WRITE;
	uintptr_t base = 0;
	if (size == 0 || size % PAGE_SIZE || ready > size || ready > ANON_READY_MAX ||
	    ready % PAGE_SIZE || top % PAGE_SIZE || (top != 0 && top < total))
		return EINVAL;
	if (top != 0) {
		base = top - total;
		flags |= AS_AREA_FIXED;
	}
	errno_t rc = anon_area_create_ready(base, total, flags, total - ready, ready, &base);
	if (rc != EOK)
		return rc;
	/* The guard keeps its place in the address space (an unmapped gap
	 * could be given to the next area made) but grants nothing. */
	rc = as_area_protect(base, THREAD_GUARD_SIZE, 0);
	if (rc != EOK) {
		as_area_destroy(base);
		return rc;
	}
	*stack_base = base + THREAD_GUARD_SIZE;
	return EOK;
}

errno_t as_area_destroy_stack(uintptr_t stack_base, size_t size)
{
	return as_area_unmap(stack_base - THREAD_GUARD_SIZE, THREAD_GUARD_SIZE + size);
}
