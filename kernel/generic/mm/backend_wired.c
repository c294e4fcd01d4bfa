/*
 * The wired backend (mm/as_backend.h): every page of the area has a fresh
 * zeroed frame from its creation (or growth) until it is unmapped; the
 * mapping holds the frame's only reference.  Used by boot programs' ELF
 * segments and stacks, and by tasks that must not be paged (ns, pagers).
 * It cannot be shared: there is no object a copy could be bound to.
 */
#include <mm/as_backend.h>
#include <mm/frame.h>

static errno_t wired_create(as_t *as, as_area_t *a, const as_bind_t *bind)
{
	(void) bind;
	return as_area_populate(as, a, a->base, a->pages);
}

static errno_t wired_resize(as_t *as, as_area_t *a, uintptr_t at, size_t count)
{
	return as_area_populate(as, a, at, count);
}

static errno_t wired_page_get(as_area_t *a, uintptr_t va, uintptr_t *pa)
{
	(void) a;
	(void) va;
	return frame_alloc(1, FRAME_ZERO | FRAME_USE_FLAGS(FRAME_USE_WIRED), pa);
}

static void wired_page_release(as_area_t *a, uintptr_t pa)
{
	(void) a;
	frame_free(pa, 1);
}

const as_backend_t as_backend_wired = {
	.id = AS_BACKEND_WIRED,
	.name = "wired",
	.plain = true,
	.create = wired_create,
	.resize = wired_resize,
	.page_get = wired_page_get,
	.page_release = wired_page_release,
};
