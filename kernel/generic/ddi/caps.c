/* Handing device capabilities around (ddi/caps.h). */
#include <ddi/caps.h>
#include <debug.h>

errno_t ddi_range_get_any(cap_table_t *caps, cap_handle_t h, ddi_range_t **out)
{
	/* A stale handle is ESTALE whatever kind is asked for; a live one is
	 * found under exactly one kind. */
	errno_t rc = ENOENT;
	for (unsigned k = 0; k < DDI_RANGE_KIND_COUNT; k++) {
		rc = ddi_range_get(caps, h, (ddi_range_kind_t) k, out);
		if (rc != ENOENT)
			return rc;
	}
	return rc;
}

errno_t ddi_range_derive(
    cap_table_t *caps, cap_handle_t h, uint64_t base, uint64_t size, cap_handle_t *out)
{
	ddi_range_t *r;
	errno_t rc = ddi_range_get_any(caps, h, &r);
	if (rc != EOK)
		return rc;
	if (!ddi_range_valid(r->kind, base, size))
		rc = EINVAL;
	else if (!ddi_range_covers(r, base, size))
		rc = EPERM;
	else
		rc = ddi_range_grant(caps, r->kind, base, size, out);
	ddi_range_put(r);
	return rc;
}

errno_t caps_hold(cap_table_t *from, const cap_handle_t *handles, size_t n, caps_held_t *held)
{
	held->n = 0;
	if (n > CAPS_SPAWN_MAX)
		return EINVAL;
	for (size_t i = 0; i < n; i++) {
		errno_t rc = cap_get_shareable(from, handles[i], &held->type[i], &held->object[i]);
		if (rc != EOK) {
			caps_release(held);
			return rc;
		}
		held->n++;
	}
	return EOK;
}

errno_t caps_place(caps_held_t *held, cap_table_t *to, unsigned first)
{
	if (first + held->n > CAP_MAX)
		return EINVAL;
	size_t placed = 0;
	errno_t rc = EOK;
	for (size_t i = 0; i < held->n && rc == EOK; i++) {
		cap_handle_t got;
		rc = cap_alloc(
		    to, held->type[i], held->object[i], CAP_HANDLE_MAKE(first + i, 0), &got);
		if (rc == EOK)
			placed++;
	}
	if (rc == EOK) {
		held->n = 0; /* the references are the table's now */
		return EOK;
	}
	/* Take back what was placed (the references stay held). */
	for (size_t i = 0; i < placed; i++) {
		void *obj;
		errno_t t = cap_take(to, CAP_HANDLE_MAKE(first + i, 0), held->type[i], &obj);
		assert(t == EOK && obj == held->object[i]);
		(void) t;
	}
	return rc;
}

void caps_release(caps_held_t *held)
{
	for (size_t i = 0; i < held->n; i++)
		cap_object_close(held->type[i], held->object[i]);
	held->n = 0;
}

errno_t caps_copy_to_slots(
    cap_table_t *from, const cap_handle_t *handles, size_t n, cap_table_t *to, unsigned first)
{
	caps_held_t held;
	errno_t rc = caps_hold(from, handles, n, &held);
	if (rc != EOK)
		return rc;
	rc = caps_place(&held, to, first);
	caps_release(&held);
	return rc;
}
