/*
 * Capability handles of any kind (docs/drivers.md, "Capabilities"): what a
 * handle names, a part of a range one holds, closing a handle, and giving
 * a handle to another task over IPC (IPC_M_CAP_GIVE).
 */
#ifndef LIBC_CAP_H_
#define LIBC_CAP_H_

#include <abi/cap.h>
#include <abi/ddi.h>
#include <abi/errno.h>
#include <ipc.h>
#include <stdint.h>

/* What @a h names: kind, and base and size for a range.  ENOENT, ESTALE. */
errno_t cap_info(cap_handle_t h, cap_info_t *out);
/* A new handle for [base, base + size) of the range @a h: EPERM if that is
 * not inside the range, EINVAL if it is no valid range (empty, wraps,
 * unaligned physical range), ENOENT/ESTALE (no such range). */
errno_t cap_derive(cap_handle_t h, uint64_t base, uint64_t size, cap_handle_t *out);
/* Close @a h through its kind's close (a phone hangs up; a range's
 * reference goes).  EINVAL for a received call (answer it instead). */
errno_t cap_drop(cap_handle_t h);

/* Give the other side of @a phone a handle of its own to the object of
 * @a h (IPC_M_CAP_GIVE; @a arg1 goes along as the call's arg[1]): its
 * answer's retval; *answer (may be NULL) the answer's words.  Only ranges
 * can be given (EINVAL); a handle we do not hold is ENOENT/ESTALE.  We
 * keep our handle. */
errno_t cap_give(cap_handle_t phone, cap_handle_t h, uint64_t arg1, ipc_msg_t *answer);

#endif
