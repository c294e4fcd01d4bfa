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

typedef struct caps_copy {
	cap_type_t type[CAPS_SPAWN_MAX];
	void *object[CAPS_SPAWN_MAX];
	size_t got; /* references taken so far */
} caps_copy_t;

static void caps_copy_release(caps_copy_t *cc)
{
	for (size_t i = 0; i < cc->got; i++)
		cap_object_close(cc->type[i], cc->object[i]);
	cc->got = 0;
}

errno_t caps_copy_to_slots(
    cap_table_t *from, const cap_handle_t *handles, size_t n, cap_table_t *to, unsigned first)
{
	caps_copy_t cc = { .got = 0 };
	errno_t rc = EOK;
	if (n > CAPS_SPAWN_MAX || first + n > CAP_MAX)
		return EINVAL;
	/* Phase 1: a reference to every object (nothing visible changes). */
	for (size_t i = 0; i < n && rc == EOK; i++) {
		rc = cap_get_shareable(from, handles[i], &cc.type[i], &cc.object[i]);
		if (rc == EOK)
			cc.got++;
	}
	/* Phase 2: the slots (a new task's table: their generation is 0;
	 * this fails only on a table whose slots were taken). */
	size_t placed = 0;
	for (size_t i = 0; i < n && rc == EOK; i++) {
		cap_handle_t got;
		rc = cap_alloc(to, cc.type[i], cc.object[i], CAP_HANDLE_MAKE(first + i, 0), &got);
		if (rc == EOK)
			placed++;
	}
	if (rc == EOK)
		return EOK;
	for (size_t i = 0; i < placed; i++) {
		void *obj;
		errno_t t = cap_take(to, CAP_HANDLE_MAKE(first + i, 0), cc.type[i], &obj);
		assert(t == EOK && obj == cc.object[i]);
		(void) t;
	}
	caps_copy_release(&cc);
	return rc;
}
