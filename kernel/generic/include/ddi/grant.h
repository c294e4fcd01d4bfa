/*
 * Boot grants: the device resources the image recipe gives a boot task.
 *
 * A boot module's command line (boot/meson.build) may hold tokens
 *
 *   grant=io:BASE+SIZE     I/O ports [BASE, BASE + SIZE)
 *   grant=phys:BASE+SIZE   physical addresses (page-aligned)
 *   grant=irq:BASE+SIZE    IRQ lines
 *
 * (numbers in decimal or 0x hex).  When the kernel itself starts the
 * module (a boot task, or the module run by utest=/bench=), the task gets
 * one range capability per token, at the first free handles in token
 * order: 1, 2, ... for every task but ns (0 is the phone to ns).  A module
 * spawned by a task gets none of them: a task hands on only what it holds.
 */
#ifndef KERN_DDI_GRANT_H_
#define KERN_DDI_GRANT_H_

#include <abi/errno.h>
#include <cap/cap.h>
#include <ddi/range.h>
#include <stddef.h>

/* Parse one token (without the "grant=" prefix) of @a len characters:
 * EINVAL if malformed or not a valid range of its kind. */
errno_t ddi_grant_parse(
    const char *tok, size_t len, ddi_range_kind_t *kind, uint64_t *base, uint64_t *size);
/* Put every grant of @a cmdline into @a caps; @a count gets how many.  On
 * an error (a malformed token: EINVAL; ENOMEM, ELIMIT) some may have been
 * put: the caller discards the table. */
errno_t ddi_grants_apply(cap_table_t *caps, const char *cmdline, size_t *count);

#endif
