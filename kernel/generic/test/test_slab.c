/* Kernel tests of the slab allocator and kernel malloc. */
#include <mem.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/slab.h>
#include <test/ktest.h>

#define SLAB_TEST_OBJS 300

KTEST(slab_reuse)
{
	static slab_cache_t cache;
	static void *objs[SLAB_TEST_OBJS];

	KT_ASSERT_EQ(slab_cache_init(&cache, "test-48", 48, 16), EOK);
	for (size_t i = 0; i < SLAB_TEST_OBJS; i++) {
		objs[i] = slab_alloc(&cache);
		KT_ASSERT(objs[i] != NULL);
		KT_CHECK_EQ((uintptr_t) objs[i] % 16, 0);
		memset(objs[i], (int) i, 48);
	}
	KT_CHECK_EQ(slab_cache_live(&cache), SLAB_TEST_OBJS);
	/* distinct, non-overlapping objects: each kept its own pattern */
	for (size_t i = 0; i < SLAB_TEST_OBJS; i++)
		KT_CHECK_EQ(((unsigned char *) objs[i])[47], (unsigned char) i);
	KT_CHECK_EQ(slab_cache_of(objs[0]) == &cache, 1);
	KT_CHECK_EQ(slab_cache_fini(&cache), EBUSY);

	void *freed = objs[17];
	slab_free(&cache, freed);
	void *again = slab_alloc(&cache);
	KT_CHECK(again == freed); /* LIFO reuse of the freed object */
	objs[17] = again;

	for (size_t i = 0; i < SLAB_TEST_OBJS; i++)
		slab_free(&cache, objs[i]);
	KT_CHECK_EQ(slab_cache_live(&cache), 0);
	KT_CHECK_EQ(slab_cache_fini(&cache), EOK);
}

KTEST(slab_bad_caches)
{
	static slab_cache_t cache;
	KT_CHECK_EQ(slab_cache_init(&cache, "bad", 0, 8), EINVAL);
	KT_CHECK_EQ(slab_cache_init(&cache, "bad", 64, 24), EINVAL);
	KT_CHECK_EQ(slab_cache_init(&cache, "bad", 64, 8192), EINVAL);
	KT_CHECK_EQ(slab_cache_init(&cache, "bad", 1ul << 30, 8), EINVAL);
}

KTEST(slab_large_objects)
{
	static slab_cache_t cache;
	void *a, *b;

	KT_ASSERT_EQ(slab_cache_init(&cache, "test-3000", 3000, 64), EOK);
	KT_CHECK(cache.objs_per_slab >= 8);
	a = slab_alloc(&cache);
	b = slab_alloc(&cache);
	KT_ASSERT(a && b && a != b);
	KT_CHECK_EQ((uintptr_t) a % 64, 0);
	memset(a, 0xaa, 3000);
	memset(b, 0xbb, 3000);
	KT_CHECK_EQ(((unsigned char *) a)[2999], 0xaa);
	slab_free(&cache, a);
	slab_free(&cache, b);
	KT_CHECK_EQ(slab_cache_fini(&cache), EOK);
}

KTEST(malloc_sizes)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 100, 2048, 2049, 4096, 20000, 100000 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t live0 = malloc_live_count();

	KT_CHECK(malloc(0) == NULL);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = malloc(sizes[i]);
		KT_ASSERT(p[i] != NULL);
		memset(p[i], 0x5a, sizes[i]);
	}
	KT_CHECK_EQ(malloc_live_count(), live0 + sizeof(sizes) / sizeof(sizes[0]));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		free(p[i]);
	free(NULL);
	KT_CHECK_EQ(malloc_live_count(), live0);
	KT_CHECK(calloc(SIZE_MAX / 2, 4) == NULL);
	unsigned char *z = calloc(100, 3);
	KT_ASSERT(z != NULL);
	bool zero = true;
	for (size_t i = 0; i < 300; i++)
		zero = zero && z[i] == 0;
	KT_CHECK(zero);
	free(z);
}

/* Exhaust memory through malloc: it must return NULL, never panic. */
KTEST(malloc_exhaustion)
{
	void *head = NULL;
	size_t n = 0;
	size_t free0 = frame_free_count();
	void *p;

	/* big blocks first, then single pages for the fragments left over */
	static const size_t sizes[] = { 64 * 1024, PAGE_SIZE };
	for (size_t i = 0; i < 2; i++) {
		while ((p = malloc(sizes[i])) != NULL) {
			*(void **) p = head;
			head = p;
			n++;
		}
	}
	KT_CHECK(n > 0);
	KT_CHECK_EQ(frame_free_count(), 0);
	while (head) {
		void *next = *(void **) head;
		free(head);
		head = next;
	}
	KT_CHECK_EQ(frame_free_count(), free0);
}
