/*
 * Area operations that change an address space's layout: create, destroy,
 * resize, unmap, protect and share.  The design (prepare what can fail,
 * then commit what cannot), the pager bindings, the TLB protocol and the
 * locking are described at the top of mm/as.c; every function here runs
 * with as->lock held unless it is one of the public entry points, which
 * take it.
 */
#include <debug.h>
#include <mm/as.h>
#include <mm/as_backend.h>
#include <mm/as_layout.h>
#include <mm/malloc.h>

/* Pages unmapped between two TLB syncs (their frames are held meanwhile). */
#define AS_UNMAP_BATCH 32

#define AS_NEXT as_layout_next_area

/* One layout change over the range [base, end) of an address space. */
typedef struct as_op {
	as_t *as;
	uintptr_t base, end;
	bool protect; /* protect (else unmap) */
	unsigned flags; /* protect: the new rights */
	as_area_t *first; /* protect: the area holding base */
	as_area_t *last; /* the area holding end - 1, if any */
	as_area_t *mid; /* protect: piece [base, ...) carved from first */
	as_area_t *right; /* piece [end, ...) carved from last */
} as_op_t;

static uintptr_t area_end(const as_area_t *a)
{
	return a->base + a->pages * PAGE_SIZE;
}

/* x86 cannot map a page that is not readable, so a page of an area
 * without any right is mapped for the kernel only: every user access
 * faults and is refused. */
unsigned as_area_page_flags(unsigned flags)
{
	unsigned pf = PAGE_READ;

	if (flags & (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC))
		pf |= PAGE_USER;
	if (flags & AS_AREA_WRITE)
		pf |= PAGE_WRITE;
	if (flags & AS_AREA_EXEC)
		pf |= PAGE_EXEC;
	if (flags & AS_AREA_UNCACHED)
		pf |= PAGE_NOCACHE;
	return pf;
}

/* The area's size changed: move its end in the gap index. */
static void area_gap_end_sync(as_t *as, as_area_t *a)
{
	as_gap_end_set(&as->gaps, &a->gap_node, area_end(a));
}

static const as_backend_t *const as_backends[] = {
	[AS_BACKEND_WIRED] = &as_backend_wired,
	[AS_BACKEND_PHYS] = &as_backend_phys,
	[AS_BACKEND_PAGER] = &as_backend_pager,
	[AS_BACKEND_DMA] = &as_backend_dma,
};

const as_backend_t *as_backend_get(unsigned id)
{
	if (id >= sizeof(as_backends) / sizeof(as_backends[0]))
		return NULL;
	return as_backends[id];
}

static as_area_t *area_alloc(
    as_t *as, uintptr_t base, size_t pages, unsigned flags, const as_backend_t *ops)
{
	as_area_t *a = malloc(sizeof(*a));

	if (a == NULL)
		return NULL;
	*a = (as_area_t){ .as = as,
		.base = base,
		.pages = pages,
		.flags = flags,
		.backend = ops->id,
		.ops = ops };
	used_space_init(&a->used);
	return a;
}

static void area_free(as_area_t *a)
{
	used_space_fini(&a->used);
	free(a);
}

/* Drop the area's binding (it is going away). */
static void area_unbind(as_area_t *a)
{
	if (a->ops->destroy != NULL)
		a->ops->destroy(a);
}

/* Unmap @a count mapped pages of @a a from @a base and let the backend
 * drop what they held, each batch only after the TLB no longer holds its
 * translations. */
static void area_range_unmap(as_t *as, as_area_t *a, uintptr_t base, size_t count)
    REQUIRES(as->lock)
{
	void (*release)(as_area_t *, uintptr_t) = a->ops->page_release;

	uintptr_t pa[AS_UNMAP_BATCH];
	unsigned pf;

	while (count > 0) {
		size_t n = count < AS_UNMAP_BATCH ? count : AS_UNMAP_BATCH;
		for (size_t i = 0; i < n; i++) {
			uintptr_t va = base + i * PAGE_SIZE;
			if (page_mapping_find(&as->pt, va, &pa[i], &pf) != EOK ||
			    page_mapping_remove(&as->pt, va) != EOK)
				panic("as: used page %#lx not mapped", (unsigned long) va);
		}
		as_tlb_sync(as, base, n);
		for (size_t i = 0; release != NULL && i < n; i++)
			release(a, pa[i]);
		base += n * PAGE_SIZE;
		count -= n;
	}
}

static bool area_unmap_cb(void *arg, uintptr_t base, size_t count)
{
	as_area_t *a = arg;
	mutex_assert_held(&a->as->lock);
	area_range_unmap(a->as, a, base, count);
	return true;
}

/* Unmap what is resident in [at, end of @a a) and cut the area there (at
 * its base: the area is left with no pages, for destroy). */
static void area_tail_unmap(as_t *as, as_area_t *a, uintptr_t at) REQUIRES(as->lock)
{
	size_t tail = (area_end(a) - at) / PAGE_SIZE, gone = 0;

	assert(mutex_locked_by_me(&as->lock));
	assert(PAGE_ALIGNED(at) && at >= a->base && at < area_end(a));
	used_space_walk_range(&a->used, at, tail, area_unmap_cb, a);
	/* The range ends at the area's end: no interval is split, no memory. */
	if (used_space_clear(&a->used, at, tail, &gone) != EOK)
		panic("as: used-space clear of a tail failed");
	as->rss -= gone;
	as->vsize -= tail * PAGE_SIZE;
	a->pages -= tail;
	if (a->pages > 0)
		area_gap_end_sync(as, a);
}

static void area_destroy_locked(as_t *as, as_area_t *a) REQUIRES(as->lock)
{
	assert(mutex_locked_by_me(&as->lock));
	area_tail_unmap(as, a, a->base);
	if (btree_remove(&as->areas, a->base) != EOK)
		panic("as: area %#lx not in its tree", (unsigned long) a->base);
	as_gap_remove(&as->gaps, &a->gap_node);
	area_unbind(a);
	area_free(a);
}

void as_areas_destroy_all(as_t *as)
{
	btree_node_t *leaf;

	mutex_assert_held(&as->lock);
	while ((leaf = btree_leaf_first(&as->areas)) != NULL)
		area_destroy_locked(as, btree_leaf_value(leaf, 0));
}

/* Map the backend's page for @a va. */
static errno_t area_page_map(as_t *as, as_area_t *a, uintptr_t va, unsigned pf) REQUIRES(as->lock)
{
	uintptr_t pa;
	errno_t rc = a->ops->page_get(a, va, &pa);

	if (rc != EOK)
		return rc;
	rc = page_mapping_insert(&as->pt, va, pa, pf);
	if (rc != EOK && a->ops->page_release != NULL)
		a->ops->page_release(a, pa); /* never mapped: no TLB entry */
	return rc;
}

errno_t as_area_populate(as_t *as, as_area_t *a, uintptr_t base, size_t count)
{
	unsigned pf = as_area_page_flags(a->flags);
	size_t done = 0;
	errno_t rc = EOK;

	mutex_assert_held(&as->lock);
	assert(a->ops->page_get != NULL);
	while (done < count) {
		rc = area_page_map(as, a, base + done * PAGE_SIZE, pf);
		if (rc != EOK)
			break;
		done++;
	}
	if (rc == EOK)
		rc = used_space_insert(&a->used, base, count);
	if (rc != EOK) {
		area_range_unmap(as, a, base, done);
		return rc;
	}
	as->rss += count;
	return EOK;
}

typedef struct area_copy {
	used_space_t *dst;
	errno_t rc;
} area_copy_t;

static bool area_copy_cb(void *arg, uintptr_t base, size_t count)
{
	area_copy_t *c = arg;

	c->rc = used_space_insert(c->dst, base, count);
	return c->rc == EOK;
}

/* Back the piece @a p carved out of @a src like @a src at its place (a
 * pager area: the same object, at the object offset of its base).
 * ENOMEM. */
static errno_t area_piece_bind(as_area_t *p, const as_area_t *src)
{
	if (src->ops->piece == NULL)
		return EOK;
	return src->ops->piece(p, src);
}

/*
 * Prepare the piece [from, to) of @a src as a new area (same rights and
 * backend, bound to the same pager object; a copy of the used space
 * there), already in the area tree.  Until area_detach_tail() cuts @a src,
 * both claim the range.  ENOMEM, changing nothing.
 */
static errno_t area_piece_prepare(
    as_t *as, as_area_t *src, uintptr_t from, uintptr_t to, as_area_t **out) REQUIRES(as->lock)
{
	assert(mutex_locked_by_me(&as->lock));
	assert(from > src->base && from < to && to <= area_end(src));
	as_area_t *p = area_alloc(as, from, (to - from) / PAGE_SIZE, src->flags, src->ops);
	if (p == NULL)
		return ENOMEM;
	area_copy_t c = { .dst = &p->used, .rc = EOK };
	used_space_walk_range(&src->used, from, p->pages, area_copy_cb, &c);
	if (c.rc == EOK)
		c.rc = btree_insert(&as->areas, from, p);
	if (c.rc == EOK) {
		c.rc = area_piece_bind(p, src);
		if (c.rc != EOK)
			btree_remove(&as->areas, from);
	}
	if (c.rc != EOK) {
		area_free(p);
		return c.rc;
	}
	as_gap_insert(&as->gaps, &p->gap_node, p->base, area_end(p));
	*out = p;
	return EOK;
}

static void area_piece_abort(as_t *as, as_area_t *p) REQUIRES(as->lock)
{
	assert(mutex_locked_by_me(&as->lock));
	if (btree_remove(&as->areas, p->base) != EOK)
		panic("as: prepared piece %#lx not in the tree", (unsigned long) p->base);
	as_gap_remove(&as->gaps, &p->gap_node);
	area_unbind(p); /* never the object's last area: the parent is bound */
	area_free(p);
}

/* The pages of @a a from @a at on now belong to a prepared piece: forget
 * them (bookkeeping only; mappings, RSS and virtual size stay). */
static void area_detach_tail(as_area_t *a, uintptr_t at)
{
	size_t tail = (area_end(a) - at) / PAGE_SIZE;

	assert(mutex_locked_by_me(&a->as->lock));
	assert(at > a->base && at < area_end(a));
	if (used_space_clear(&a->used, at, tail, NULL) != EOK)
		panic("as: used-space clear of a tail failed");
	a->pages -= tail;
	area_gap_end_sync(a->as, a);
}

static errno_t area_flags_check(unsigned flags)
{
	if (flags & ~(AS_AREA_RIGHTS | AS_AREA_FIXED))
		return EINVAL;
	if ((flags & AS_AREA_WRITE) && (flags & AS_AREA_EXEC))
		return EPERM;
	return EOK;
}

/* as_area_create: only backends that need no binding (wired). */
static errno_t area_args_check(unsigned flags, unsigned backend)
{
	errno_t rc = area_flags_check(flags);
	const as_backend_t *ops = as_backend_get(backend);

	if (rc != EOK)
		return rc;
	if (ops == NULL)
		return EINVAL;
	return ops->plain ? EOK : ENOTSUP;
}

/* The area limit leaves room for one more area: EOK or ELIMIT. */
static errno_t area_room(as_t *as)
{
	assert(mutex_locked_by_me(&as->lock));
	return btree_count(&as->areas) < as->areas_max ? EOK : ELIMIT;
}

/* The virtual-size limit leaves room for @a bytes more. */
static bool as_vsize_room(as_t *as, size_t bytes)
{
	return as->vsize <= as->vsize_limit && bytes <= as->vsize_limit - as->vsize;
}

typedef struct area_req {
	uintptr_t base; /* fixed base or hint */
	size_t size;
	size_t align;
	unsigned flags;
	const as_backend_t *ops;
	const as_bind_t *bind; /* the caller's (NULL for a plain backend) */
} area_req_t;

/* Where the new area goes: EEXIST, ELIMIT, ENOMEM. */
static errno_t area_create_place(as_t *as, const area_req_t *req, uintptr_t *base)
    REQUIRES(as->lock)
{
	if (req->flags & AS_AREA_FIXED) {
		if (as_layout_overlaps(AS_NEXT, as, req->base, req->base + req->size))
			return EEXIST;
		*base = req->base;
	}
	if (!as_vsize_room(as, req->size) || area_room(as) != EOK)
		return ELIMIT;
	if (req->flags & AS_AREA_FIXED)
		return EOK;
	return as_layout_place(
	    &as->gaps, &as_layout_user_limits, req->base, req->size, req->align, base);
}

static errno_t area_create_locked(as_t *as, const area_req_t *req, uintptr_t *base_out)
    REQUIRES(as->lock)
{
	uintptr_t base;
	errno_t rc = area_create_place(as, req, &base);

	assert(mutex_locked_by_me(&as->lock));
	if (rc != EOK)
		return rc;
	as_area_t *a = area_alloc(
	    as, base, req->size / PAGE_SIZE, req->flags & AS_AREA_RIGHTS, req->ops);
	if (a == NULL)
		return ENOMEM;
	rc = btree_insert(&as->areas, base, a);
	if (rc == EOK) {
		rc = req->ops->create(as, a, req->bind);
		if (rc != EOK)
			btree_remove(&as->areas, base);
	}
	if (rc != EOK) {
		area_free(a);
		return rc;
	}
	as_gap_insert(&as->gaps, &a->gap_node, base, base + req->size);
	as->vsize += req->size;
	*base_out = base;
	return EOK;
}

/* A hint is only a lower bound, but hint + size must not wrap. */
static errno_t area_hint_check(uintptr_t hint, size_t size)
{
	errno_t rc = as_layout_size_check(size);

	if (rc == EOK && size > UINTPTR_MAX - hint)
		rc = EOVERFLOW;
	return rc;
}

/* The range (fixed) or hint. */
static errno_t area_req_check(const area_req_t *req)
{
	if (req->flags & AS_AREA_FIXED)
		return as_layout_range_check(&as_layout_user_limits, req->base, req->size);
	return area_hint_check(req->base, req->size);
}

/* Create after the flags were checked. */
static errno_t area_create(as_t *as, const area_req_t *req, uintptr_t *base_out)
{
	uintptr_t got = 0;
	errno_t rc = area_req_check(req);

	if (rc != EOK)
		return rc;
	mutex_lock(&as->lock);
	rc = area_create_locked(as, req, &got);
	mutex_unlock(&as->lock);
	if (rc == EOK && base_out != NULL)
		*base_out = got;
	return rc;
}

errno_t as_area_create_aligned(as_t *as, uintptr_t base, size_t size, size_t align, unsigned flags,
    unsigned backend, uintptr_t *base_out)
{
	assert(align >= PAGE_SIZE && (align & (align - 1)) == 0);
	errno_t rc = area_args_check(flags, backend);
	if (rc != EOK)
		return rc;
	area_req_t req = { base, size, align, flags, as_backend_get(backend), NULL };
	return area_create(as, &req, base_out);
}

errno_t as_area_create_bound(as_t *as, uintptr_t base, size_t size, unsigned flags,
    const as_backend_t *backend, const as_bind_t *bind, uintptr_t *base_out)
{
	area_req_t req = { base, size, PAGE_SIZE, flags, backend, bind };
	errno_t rc = area_flags_check(flags);

	if (rc != EOK)
		return rc;
	return area_create(as, &req, base_out);
}

errno_t as_area_create_pager(as_t *as, uintptr_t base, size_t size, unsigned flags,
    struct phone *phone, uint64_t object, uint64_t offset, uintptr_t *base_out)
{
	as_bind_t bind = { .pager = { phone, object, offset } };
	area_req_t req = { base, size, PAGE_SIZE, flags, &as_backend_pager, &bind };
	errno_t rc = area_flags_check(flags);

	if (rc == EOK)
		rc = area_req_check(&req);
	if (rc == EOK && offset % PAGE_SIZE != 0)
		rc = EINVAL;
	if (rc == EOK && size > UINT64_MAX - offset)
		rc = EOVERFLOW;
	if (rc != EOK)
		return rc;
	return area_create(as, &req, base_out);
}

errno_t as_area_create(
    as_t *as, uintptr_t base, size_t size, unsigned flags, unsigned backend, uintptr_t *base_out)
{
	return as_area_create_aligned(as, base, size, PAGE_SIZE, flags, backend, base_out);
}

/* The area starting exactly at @a base, or NULL. */
static as_area_t *area_at_base(as_t *as, uintptr_t base) REQUIRES(as->lock)
{
	void *v;

	assert(mutex_locked_by_me(&as->lock));
	if (btree_search(&as->areas, base, &v, NULL) != EOK)
		return NULL;
	return v;
}

errno_t as_area_destroy(as_t *as, uintptr_t base)
{
	errno_t rc = ENOENT;

	mutex_lock(&as->lock);
	as_area_t *a = area_at_base(as, base);
	if (a != NULL) {
		area_destroy_locked(as, a);
		rc = EOK;
	}
	mutex_unlock(&as->lock);
	return rc;
}

static bool area_base_kept(uintptr_t base, const uintptr_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == base)
			return true;
	return false;
}

void as_areas_destroy_except(as_t *as, const uintptr_t *keep, size_t n)
{
	btree_iter_t it;
	btree_key_t from = 0;

	mutex_lock(&as->lock);
	while (btree_iter_ge(&as->areas, from, &it)) {
		as_area_t *a = btree_iter_value(&it);
		from = btree_iter_key(&it) + 1;
		if (!area_base_kept(a->base, keep, n))
			area_destroy_locked(as, a); /* the iterator is stale now */
	}
	mutex_unlock(&as->lock);
}

/* Grow in place: the backend backs the new pages (wired areas get
 * frames, pager areas nothing) or refuses. */
static errno_t area_grow(as_t *as, as_area_t *a, size_t new_size) REQUIRES(as->lock)
{
	uintptr_t old_end = area_end(a);
	size_t add = new_size - a->pages * PAGE_SIZE;
	errno_t rc = as_layout_range_check(&as_layout_user_limits, a->base, new_size);

	assert(mutex_locked_by_me(&as->lock));
	if (rc == EOK && a->ops->resize_check != NULL)
		rc = a->ops->resize_check(a, new_size);
	if (rc != EOK)
		return rc;
	if (as_layout_overlaps(AS_NEXT, as, old_end, old_end + add))
		return EEXIST;
	if (!as_vsize_room(as, add))
		return ELIMIT;
	if (a->ops->resize != NULL)
		rc = a->ops->resize(as, a, old_end, add / PAGE_SIZE);
	if (rc != EOK)
		return rc;
	a->pages += add / PAGE_SIZE;
	area_gap_end_sync(as, a);
	as->vsize += add;
	return EOK;
}

errno_t as_area_resize(as_t *as, uintptr_t base, size_t new_size)
{
	errno_t rc = as_layout_size_check(new_size);

	if (rc != EOK)
		return rc;
	mutex_lock(&as->lock);
	as_area_t *a = area_at_base(as, base);
	if (a == NULL)
		rc = ENOENT;
	else if (new_size > a->pages * PAGE_SIZE)
		rc = area_grow(as, a, new_size);
	else if (new_size < a->pages * PAGE_SIZE)
		area_tail_unmap(as, a, base + new_size);
	mutex_unlock(&as->lock);
	return rc;
}

/* Carve the part of the area holding end - 1 above end off (if any).
 * That is one area more unless an unmap drops the rest of the area (it
 * starts inside the range): ELIMIT at the area limit. */
static errno_t op_prepare_right(as_op_t *op)
{
	mutex_assert_held(&op->as->lock);
	as_area_t *l = as_area_find(op->as, op->end - 1);

	op->last = l;
	if (l == NULL || area_end(l) <= op->end)
		return EOK;
	if ((op->protect || l->base < op->base) && area_room(op->as) != EOK)
		return ELIMIT;
	return area_piece_prepare(op->as, l, op->end, area_end(l), &op->right);
}

static void op_unmap_visit(void *arg, const as_layout_range_t *r, const as_layout_split_t *s)
{
	as_op_t *op = arg;

	mutex_assert_held(&op->as->lock);
	assert(as_layout_empty(&s->right));
	if (as_layout_empty(&s->left))
		area_destroy_locked(op->as, r->data);
	else
		area_tail_unmap(op->as, r->data, s->mid.base);
}

static void op_unmap_commit(as_op_t *op)
{
	if (op->right != NULL)
		area_detach_tail(op->last, op->end);
	as_layout_walk(AS_NEXT, op->as, op->base, op->end, op_unmap_visit, op);
}

errno_t as_area_unmap(as_t *as, uintptr_t addr, size_t size)
{
	as_op_t op = { .as = as, .base = addr, .end = addr + size };
	errno_t rc = as_layout_range_check(&as_layout_user_limits, addr, size);

	if (rc != EOK)
		return rc;
	mutex_lock(&as->lock);
	rc = op_prepare_right(&op);
	if (rc == EOK)
		op_unmap_commit(&op);
	mutex_unlock(&as->lock);
	return rc;
}

/* Protect: carve [end, ...) off the last area and [base, ...) off the
 * first (when they stick out of the range). */
static errno_t op_protect_prepare(as_op_t *op)
{
	mutex_assert_held(&op->as->lock);
	errno_t rc = op_prepare_right(op);

	if (rc != EOK)
		return rc;
	op->first = as_area_find(op->as, op->base);
	assert(op->first != NULL && op->last != NULL);
	if (op->first->base == op->base)
		return EOK;
	uintptr_t to = area_end(op->first) < op->end ? area_end(op->first) : op->end;
	rc = area_room(op->as); /* the piece is one area more */
	if (rc == EOK)
		rc = area_piece_prepare(op->as, op->first, op->base, to, &op->mid);
	if (rc != EOK && op->right != NULL) {
		area_piece_abort(op->as, op->right);
		op->right = NULL;
	}
	return rc;
}

typedef struct area_protect {
	as_t *as;
	unsigned pf;
	bool granted; /* pager area: no page gains write access */
} area_protect_t;

/* The new flags of the page at @a va.  A pager decides which pages are
 * writable (a copy-on-write page is read-only in a writable area): new
 * rights never make a pager's page writable; a write faults to the pager
 * instead. */
static unsigned area_protect_flags(const area_protect_t *p, uintptr_t va)
{
	uintptr_t pa;
	unsigned old;

	if (!p->granted)
		return p->pf;
	if (page_mapping_find(&p->as->pt, va, &pa, &old) != EOK)
		panic("as: used page %#lx not mapped", (unsigned long) va);
	return (old & PAGE_WRITE) ? p->pf : p->pf & ~PAGE_WRITE;
}

static bool area_protect_cb(void *arg, uintptr_t base, size_t count)
{
	area_protect_t *p = arg;

	for (size_t i = 0; i < count; i++) {
		uintptr_t va = base + i * PAGE_SIZE;
		if (page_mapping_protect(&p->as->pt, va, area_protect_flags(p, va)) != EOK)
			panic("as: used page %#lx not mapped", (unsigned long) va);
	}
	as_tlb_sync(p->as, base, count);
	return true;
}

static void op_protect_visit(void *arg, const as_layout_range_t *r, const as_layout_split_t *s)
{
	as_op_t *op = arg;
	as_area_t *a = r->data;
	area_protect_t p = {
		.as = op->as, .pf = as_area_page_flags(op->flags), .granted = a->ops->keeps_write
	};

	assert(as_layout_empty(&s->left) && as_layout_empty(&s->right));
	a->flags = op->flags;
	used_space_walk(&a->used, area_protect_cb, &p);
}

static void op_protect_commit(as_op_t *op)
{
	if (op->right != NULL)
		area_detach_tail(op->last, op->end);
	if (op->mid != NULL)
		area_detach_tail(op->first, op->base);
	as_layout_walk(AS_NEXT, op->as, op->base, op->end, op_protect_visit, op);
}

errno_t as_area_protect(as_t *as, uintptr_t addr, size_t size, unsigned flags)
{
	as_op_t op = {
		.as = as, .base = addr, .end = addr + size, .protect = true, .flags = flags
	};
	errno_t rc = EOK;

	if (flags & ~AS_AREA_RIGHTS)
		rc = EINVAL;
	else if ((flags & AS_AREA_WRITE) && (flags & AS_AREA_EXEC))
		rc = EPERM;
	if (rc == EOK)
		rc = as_layout_range_check(&as_layout_user_limits, addr, size);
	if (rc != EOK)
		return rc;
	mutex_lock(&as->lock);
	if (!as_layout_covered(AS_NEXT, as, op.base, op.end))
		rc = ENOENT;
	if (rc == EOK)
		rc = op_protect_prepare(&op);
	if (rc == EOK)
		op_protect_commit(&op);
	mutex_unlock(&as->lock);
	return rc;
}

/* Snapshot the area at @a base of @a src under its lock: ENOENT,
 * ENOTSUP, EPERM. */
static errno_t area_share_source(as_t *src, uintptr_t base, unsigned rights, as_share_src_t *out)
{
	errno_t rc = EOK;

	mutex_lock(&src->lock);
	as_area_t *a = area_at_base(src, base);
	if (a == NULL)
		rc = ENOENT;
	else if (a->ops->share == NULL)
		rc = ENOTSUP;
	else if (rights & ~a->flags)
		rc = EPERM;
	if (rc == EOK) {
		a->ops->share(a, &out->bind);
		out->backend = a->ops;
		out->size = a->pages * PAGE_SIZE;
	}
	mutex_unlock(&src->lock);
	return rc;
}

/*
 * The copy is backed through the snapshot, not the source area: a pager
 * area's through the binding's phone to the same (pager, object) and
 * offset (pager_area_bind finds the object's record, or makes it again if
 * the source went away meanwhile); a phys or DMA area's through the range
 * or buffer the snapshot holds.  (Backing it "like" the source area would
 * need the source locked while dst is.)
 */
errno_t as_share_snapshot(as_t *src, uintptr_t src_base, unsigned rights, as_share_src_t *out)
{
	if (rights & ~AS_AREA_RIGHTS)
		return EINVAL;
	return area_share_source(src, src_base, rights, out);
}

errno_t as_share_create(
    as_t *dst, uintptr_t dst_base, unsigned rights, const as_share_src_t *s, uintptr_t *dst_out)
{
	if (rights & ~(AS_AREA_RIGHTS | AS_AREA_FIXED))
		return EINVAL;
	assert(s->backend != NULL);
	return as_area_create_bound(dst, dst_base, s->size, rights, s->backend, &s->bind, dst_out);
}

void as_share_src_fini(as_share_src_t *s)
{
	if (s->backend == NULL)
		return;
	s->backend->share_put(&s->bind);
	s->backend = NULL;
}

errno_t as_area_share(as_t *src, uintptr_t src_base, as_t *dst, uintptr_t dst_base, unsigned rights,
    uintptr_t *dst_out)
{
	as_share_src_t s = { 0 };

	if (rights & ~(AS_AREA_RIGHTS | AS_AREA_FIXED))
		return EINVAL;
	errno_t rc = area_share_source(src, src_base, rights & AS_AREA_RIGHTS, &s);
	if (rc != EOK)
		return rc;
	rc = as_share_create(dst, dst_base, rights, &s, dst_out);
	as_share_src_fini(&s);
	return rc;
}
