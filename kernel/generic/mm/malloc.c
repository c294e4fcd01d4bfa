/* Kernel malloc (see mm/malloc.h). */
#include <arch/layout.h>
#include <debug.h>
#include <mem.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/slab.h>
#include <stdint.h>

#define MALLOC_MIN_SHIFT 4 /* 16 bytes */
#define MALLOC_CLASSES 8 /* 16 .. 2048 */

static slab_cache_t malloc_caches[MALLOC_CLASSES];
static const char *const malloc_names[MALLOC_CLASSES] = {
	"malloc-16",
	"malloc-32",
	"malloc-64",
	"malloc-128",
	"malloc-256",
	"malloc-512",
	"malloc-1024",
	"malloc-2048",
};
static size_t large_live;

void malloc_init(void)
{
	for (unsigned i = 0; i < MALLOC_CLASSES; i++) {
		size_t size = 1ul << (MALLOC_MIN_SHIFT + i);
		errno_t rc = slab_cache_init(&malloc_caches[i], malloc_names[i], size, 16);
		assert(rc == EOK);
	}
}

static void *malloc_large(size_t size)
{
	size_t pages = PAGE_ALIGN_UP(size) >> PAGE_WIDTH;
	uintptr_t pa;
	if (pages == 0 || frame_alloc(pages, 0, &pa) != EOK)
		return NULL;
	frame_use_mark(pa, pages, FRAME_USE_LARGE, (void *) pages);
	__atomic_add_fetch(&large_live, 1, __ATOMIC_RELAXED);
	return PA2KA(pa);
}

void *malloc(size_t size)
{
	if (size == 0)
		return NULL;
	if (size > KMALLOC_MAX_SLAB)
		return malloc_large(size);
	unsigned cls = 0;
	while ((1ul << (MALLOC_MIN_SHIFT + cls)) < size)
		cls++;
	return slab_alloc(&malloc_caches[cls]);
}

void *calloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	void *p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void free(void *ptr)
{
	if (!ptr)
		return;
	slab_cache_t *c = slab_cache_of(ptr);
	if (c) {
		slab_free(c, ptr);
		return;
	}
	frame_t *f = frame_get(KA2PA(ptr));
	assert(f && f->use == FRAME_USE_LARGE && PAGE_ALIGNED(ptr));
	size_t pages = (size_t) f->owner;
	__atomic_sub_fetch(&large_live, 1, __ATOMIC_RELAXED);
	frame_free(KA2PA(ptr), pages);
}

size_t malloc_live_count(void)
{
	size_t n = __atomic_load_n(&large_live, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < MALLOC_CLASSES; i++)
		n += slab_cache_live(&malloc_caches[i]);
	return n;
}
