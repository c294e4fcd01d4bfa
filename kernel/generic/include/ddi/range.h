/*
 * Device-resource ranges: the objects behind the I/O-port, physical-range
 * and IRQ-line capabilities (abi/ddi.h).
 *
 * A range is immutable once made: [base, base + size) of one kind.  It is
 * reference counted (atomically: no lock); every capability slot that
 * names it holds one reference, and so does every user of it that got it
 * through ddi_range_get (an enabled I/O bitmap, a phys mapping, an IRQ
 * subscription), which puts it when done.  Deriving a part of a range
 * makes a new range object; a range never grows.
 */
#ifndef KERN_DDI_RANGE_H_
#define KERN_DDI_RANGE_H_

#include <abi/cap.h>
#include <abi/ddi.h>
#include <abi/errno.h>
#include <cap/cap.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum ddi_range_kind {
	DDI_RANGE_IO,
	DDI_RANGE_PHYS,
	DDI_RANGE_IRQ,
	DDI_RANGE_KIND_COUNT
} ddi_range_kind_t;

typedef struct ddi_range {
	ddi_range_kind_t kind;
	uint64_t base;
	uint64_t size;
	uint32_t refs; /* atomic */
} ddi_range_t;

void ddi_range_init(void);

/* Whether [base, base + size) is a valid range of @a kind (size > 0, no
 * wrap, within the kind's limit; phys: page-aligned). */
bool ddi_range_valid(ddi_range_kind_t kind, uint64_t base, uint64_t size);
/* A new range with one reference (the caller's): EINVAL if not valid,
 * ENOMEM. */
errno_t ddi_range_create(ddi_range_kind_t kind, uint64_t base, uint64_t size, ddi_range_t **out);
void ddi_range_hold(ddi_range_t *r);
void ddi_range_put(ddi_range_t *r);
/* Whether @a r covers [base, base + size). */
bool ddi_range_covers(const ddi_range_t *r, uint64_t base, uint64_t size);

/* Put a new range into the capability table @a caps (the boot grants, tests):
 * EINVAL, ENOMEM, ELIMIT. */
errno_t ddi_range_grant(
    cap_table_t *caps, ddi_range_kind_t kind, uint64_t base, uint64_t size, cap_handle_t *out);
/* The range behind @a h in @a caps, with a reference for the
 * caller: ENOENT (no such handle, or not a range of @a kind), ESTALE. */
errno_t ddi_range_get(cap_table_t *caps, cap_handle_t h, ddi_range_kind_t kind, ddi_range_t **out);

#endif
