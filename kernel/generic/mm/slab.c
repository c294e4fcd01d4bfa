/* Slab allocator (see mm/slab.h). */
#include <arch/layout.h>
#include <console/console.h>
#include <debug.h>
#include <mm/frame.h>
#include <mm/page.h>
#include <mm/slab.h>
#include <stdint.h>

typedef struct slab {
	slab_cache_t *cache;
	link_t link; /* on the cache's partial, full or empty list */
	void *free_head; /* first free object */
	size_t inuse;
	char *objs; /* first object */
} slab_t;

#define SLAB_HEADER_SIZE ((sizeof(slab_t) + 63) & ~(size_t) 63)
#define SLAB_MIN_OBJS 8

static irq_spinlock_t caches_lock = IRQ_SPINLOCK_INITIALIZER("slab-caches");
static list_t caches GUARDED_BY(caches_lock.lock) = { .head = { &caches.head, &caches.head } };

errno_t slab_cache_init(slab_cache_t *c, const char *name, size_t size, size_t align)
{
	if (align == 0)
		align = 8;
	if (size == 0 || (align & (align - 1)) || align > PAGE_SIZE ||
	    size > (PAGE_SIZE << FRAME_MAX_ORDER) / SLAB_MIN_OBJS)
		return EINVAL;
	c->name = name;
	c->size = (size + align - 1) & ~(align - 1);
	size_t header = (SLAB_HEADER_SIZE + align - 1) & ~(align - 1);
	c->slab_pages = 1;
	while ((c->slab_pages * PAGE_SIZE - header) / c->size < SLAB_MIN_OBJS &&
	    c->slab_pages < (1ul << FRAME_MAX_ORDER))
		c->slab_pages *= 2;
	c->obj_offset = header;
	c->objs_per_slab = (c->slab_pages * PAGE_SIZE - header) / c->size;
	list_initialize(&c->partial);
	list_initialize(&c->full);
	list_initialize(&c->empty);
	c->live = c->slabs = c->allocs = 0;
	irq_spinlock_initialize(&c->lock, name);

	irq_spinlock_lock(&caches_lock);
	list_append(&c->caches_link, &caches);
	irq_spinlock_unlock(&caches_lock);
	return EOK;
}

/* Build a new slab.  Called without the cache lock. */
static slab_t *slab_create(slab_cache_t *c)
{
	uintptr_t pa;
	if (frame_alloc(c->slab_pages, 0, &pa) != EOK)
		return NULL;
	slab_t *s = PA2KA(pa);
	s->cache = c;
	s->inuse = 0;
	s->objs = (char *) s + c->obj_offset;
	s->free_head = NULL;
	for (size_t i = c->objs_per_slab; i-- > 0;) {
		void **obj = (void **) (s->objs + i * c->size);
		*obj = s->free_head;
		s->free_head = obj;
	}
	frame_use_mark(pa, c->slab_pages, FRAME_USE_SLAB, s);
	link_initialize(&s->link);
	return s;
}

static void slab_destroy(slab_t *s)
{
	frame_free(KA2PA(s), s->cache->slab_pages);
}

static void *slab_take(slab_cache_t *c, slab_t *s) REQUIRES(c->lock.lock)
{
	void **obj = s->free_head;
	s->free_head = *obj;
	s->inuse++;
	c->live++;
	c->allocs++;
	/* The slab used last stays at the head of the partial list, so
	 * the objects freed most recently are handed out first. */
	list_remove(&s->link);
	if (s->inuse == c->objs_per_slab)
		list_append(&s->link, &c->full);
	else
		list_prepend(&s->link, &c->partial);
	return obj;
}

void *slab_alloc(slab_cache_t *c)
{
	irq_spinlock_lock(&c->lock);
	link_t *l = list_first(&c->partial);
	if (!l)
		l = list_first(&c->empty);
	if (l) {
		void *obj = slab_take(c, list_get_instance(l, slab_t, link));
		irq_spinlock_unlock(&c->lock);
		return obj;
	}
	irq_spinlock_unlock(&c->lock);

	slab_t *s = slab_create(c);
	if (!s)
		return NULL;
	irq_spinlock_lock(&c->lock);
	c->slabs++;
	list_append(&s->link, &c->empty);
	void *obj = slab_take(c, s);
	irq_spinlock_unlock(&c->lock);
	return obj;
}

static slab_t *slab_of(const void *obj)
{
	frame_t *f = frame_get(KA2PA(obj));
	if (!f || f->use != FRAME_USE_SLAB)
		return NULL;
	return f->owner;
}

slab_cache_t *slab_cache_of(const void *obj)
{
	uintptr_t a = (uintptr_t) obj;
	if (a < DIRECT_MAP_BASE || a >= DIRECT_MAP_BASE + DIRECT_MAP_MAX)
		return NULL;
	slab_t *s = slab_of(obj);
	return s ? s->cache : NULL;
}

void slab_free(slab_cache_t *c, void *obj)
{
	slab_t *s = slab_of(obj);
	slab_t *victim = NULL;
	assert(s && s->cache == c);
	assert((char *) obj >= s->objs && (char *) obj < s->objs + c->objs_per_slab * c->size &&
	    ((size_t) ((char *) obj - s->objs)) % c->size == 0);

	irq_spinlock_lock(&c->lock);
	assert(s->inuse > 0);
	*(void **) obj = s->free_head;
	s->free_head = obj;
	s->inuse--;
	c->live--;
	list_remove(&s->link);
	if (s->inuse > 0) {
		list_prepend(&s->link, &c->partial);
	} else if (list_empty(&c->empty)) {
		list_append(&s->link, &c->empty);
	} else {
		victim = s;
		c->slabs--;
	}
	irq_spinlock_unlock(&c->lock);
	if (victim)
		slab_destroy(victim);
}

size_t slab_cache_live(slab_cache_t *c)
{
	irq_spinlock_lock(&c->lock);
	size_t n = c->live;
	irq_spinlock_unlock(&c->lock);
	return n;
}

/* Detach the cache's empty slabs (locked) and free them (unlocked). */
static void slab_cache_reclaim(slab_cache_t *c)
{
	list_t victims;
	list_initialize(&victims);
	irq_spinlock_lock(&c->lock);
	while (!list_empty(&c->empty)) {
		link_t *l = list_first(&c->empty);
		list_remove(l);
		list_append(l, &victims);
		c->slabs--;
	}
	irq_spinlock_unlock(&c->lock);
	while (!list_empty(&victims)) {
		link_t *l = list_first(&victims);
		list_remove(l);
		slab_destroy(list_get_instance(l, slab_t, link));
	}
}

errno_t slab_cache_fini(slab_cache_t *c)
{
	if (slab_cache_live(c) != 0)
		return EBUSY;
	slab_cache_reclaim(c);
	irq_spinlock_lock(&caches_lock);
	list_remove(&c->caches_link);
	irq_spinlock_unlock(&caches_lock);
	return EOK;
}

void slab_reclaim(void)
{
	irq_spinlock_lock(&caches_lock);
	list_foreach(caches, l)
	{
		/* Caches are never freed while listed, and reclaiming one
		 * does not change the cache list. */
		slab_cache_reclaim(list_get_instance(l, slab_cache_t, caches_link));
	}
	irq_spinlock_unlock(&caches_lock);
}

void slab_print_stats(void)
{
	irq_spinlock_lock(&caches_lock);
	list_foreach(caches, l)
	{
		slab_cache_t *c = list_get_instance(l, slab_cache_t, caches_link);
		printf("  slab %-16s size %5zu live %6zu slabs %4zu pages/slab %zu\n", c->name,
		    c->size, c->live, c->slabs, c->slab_pages);
	}
	irq_spinlock_unlock(&caches_lock);
}
