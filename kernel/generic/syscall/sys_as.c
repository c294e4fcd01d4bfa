/*
 * System calls on the current task's address-space areas (numbers and
 * arguments in abi/syscall.h, rules in abi/as.h).
 *
 * Each handler unpacks its raw arguments, checks what it can before
 * acting (unknown flag bits, the ranges of its user pointers), calls the
 * mm/as.h operation and copies results out.  No user memory is touched
 * with the address-space lock held (as.c's operations take and drop it
 * themselves).  A create whose result cannot be copied out is undone, so
 * a bad out-pointer leaves no area behind.  A pager area names its pager
 * by one of the task's phone capabilities; the binding takes its own
 * reference, so the capability may be closed afterwards.
 */
#include <abi/as.h>
#include <abi/pager.h>
#include <cap/cap.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <mm/as.h>
#include <mm/uaccess.h>
#include <proc/task.h>
#include <proc/thread.h>
#include <syscall/syscall.h>

/* Bytes of area records copied out per round (sys_area_records_out). */
#define SYS_AREA_CHUNK_BYTES 512

/* Flags are unsigned in the ABI: bits above 32 are unknown bits too. */
static errno_t sys_as_flags(sysarg_t raw, unsigned allowed, unsigned *out)
{
	if (raw & ~(sysarg_t) allowed)
		return EINVAL;
	*out = (unsigned) raw;
	return EOK;
}

/* Copy the base of a created area out; undo the creation if that fails. */
static errno_t sys_as_base_out(uspace_ptr_t out, uintptr_t base)
{
	if (uspace_ptr_is_null(out))
		return EOK;
	if (copy_to_uspace(out, &base, sizeof(base)) != EOK) {
		as_area_destroy(as_current(), base);
		return EFAULT;
	}
	return EOK;
}

sysarg_t sys_as_area_create(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[3]);
	uintptr_t base = 0;
	unsigned flags;
	errno_t rc = sys_as_flags(args->a[2], AS_AREA_RIGHTS | AS_AREA_FIXED, &flags);

	/* Prove the out pointer writable before creating anything, so a bad
	 * pointer changes nothing; the undo below is only for another thread
	 * unmapping it in between. */
	if (rc == EOK && !uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &base, sizeof(base));
	if (rc == EOK)
		rc = as_area_create(
		    as_current(), args->a[0], args->a[1], flags, AS_BACKEND_WIRED, &base);
	if (rc != EOK)
		return rc;
	return sys_as_base_out(out, base);
}

/* (base, size, flags, const as_pager_spec_t *spec, uintptr_t *base_out) */
sysarg_t sys_as_area_create_pager(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[4]);
	as_pager_spec_t spec;
	uintptr_t base = 0;
	unsigned flags;
	phone_t *phone;
	errno_t rc = copy_from_uspace(&spec, uspace_ptr(args->a[3]), sizeof(spec));

	if (rc == EOK)
		rc = sys_as_flags(args->a[2], AS_AREA_RIGHTS | AS_AREA_FIXED, &flags);
	/* As sys_as_area_create: a bad out pointer changes nothing. */
	if (rc == EOK && !uspace_ptr_is_null(out))
		rc = copy_to_uspace(out, &base, sizeof(base));
	if (rc == EOK)
		rc = phone_get(&TASK->caps, spec.phone, &phone);
	if (rc != EOK)
		return rc;
	rc = as_area_create_pager(
	    as_current(), args->a[0], args->a[1], flags, phone, spec.object, spec.offset, &base);
	phone_release(phone);
	if (rc != EOK)
		return rc;
	return sys_as_base_out(out, base);
}

sysarg_t sys_as_area_destroy(const sysargs_t *args)
{
	return as_area_destroy(as_current(), args->a[0]);
}

sysarg_t sys_as_area_resize(const sysargs_t *args)
{
	return as_area_resize(as_current(), args->a[0], args->a[1]);
}

sysarg_t sys_as_area_unmap(const sysargs_t *args)
{
	return as_area_unmap(as_current(), args->a[0], args->a[1]);
}

sysarg_t sys_as_area_protect(const sysargs_t *args)
{
	unsigned flags;
	errno_t rc = sys_as_flags(args->a[2], AS_AREA_RIGHTS, &flags);

	if (rc != EOK)
		return rc;
	return as_area_protect(as_current(), args->a[0], args->a[1], flags);
}

sysarg_t sys_as_area_query(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[1]);
	as_area_info_t info;
	errno_t rc = uspace_range_check(out, sizeof(info));

	if (rc == EOK)
		rc = as_area_query(as_current(), args->a[0], &info);
	if (rc == EOK)
		rc = copy_to_uspace(out, &info, sizeof(info));
	return rc;
}

errno_t sys_area_records_out(
    as_t *as, uspace_ptr_t out, size_t max, size_t size, sys_area_fill_t fill)
{
	uint64_t chunk[SYS_AREA_CHUNK_BYTES / sizeof(uint64_t)];
	size_t per = sizeof(chunk) / size, done = 0;
	uintptr_t from = 0;

	assert(per > 0);
	while (done < max) {
		size_t got = fill(as, &from, chunk, max - done < per ? max - done : per);
		if (got == 0)
			break;
		if (copy_to_uspace(uspace_ptr_add(out, done * size), chunk, got * size) != EOK)
			return EFAULT;
		done += got;
	}
	return EOK;
}

static size_t sys_as_list_fill(as_t *as, uintptr_t *from, void *buf, size_t max)
{
	return as_area_list_from(as, from, buf, max);
}

sysarg_t sys_as_area_list(const sysargs_t *args)
{
	uspace_ptr_t out = uspace_ptr(args->a[0]);
	uspace_ptr_t count_out = uspace_ptr(args->a[2]);
	size_t max = args->a[1], total;
	as_t *as = as_current();
	errno_t rc = uspace_range_check(count_out, sizeof(total));

	if (rc == EOK && max > SIZE_MAX / sizeof(as_area_info_t))
		rc = EOVERFLOW;
	if (rc == EOK && max > 0)
		rc = uspace_range_check(out, max * sizeof(as_area_info_t));
	if (rc != EOK)
		return rc;
	as_area_list(as, NULL, 0, &total);
	rc = sys_area_records_out(as, out, max, sizeof(as_area_info_t), sys_as_list_fill);
	if (rc == EOK)
		rc = copy_to_uspace(count_out, &total, sizeof(total));
	return rc;
}
