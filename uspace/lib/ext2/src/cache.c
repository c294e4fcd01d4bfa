/*
 * lib/ext2's block cache (see internal.h).  The buffers and the hash table
 * are allocated once, at ext2_cache_init(); nothing is allocated later.
 * Every buffer is always on the LRU list; recycling takes the least
 * recently used unpinned one.
 */
#include "internal.h"

static void cache_lru_unlink(ext2_cache_t *c, int32_t i)
{
	ext2_buf_t *b = &c->bufs[i];

	if (b->lprev >= 0)
		c->bufs[b->lprev].lnext = b->lnext;
	else
		c->lru_head = b->lnext;
	if (b->lnext >= 0)
		c->bufs[b->lnext].lprev = b->lprev;
	else
		c->lru_tail = b->lprev;
	b->lprev = b->lnext = -1;
}

static void cache_lru_push_head(ext2_cache_t *c, int32_t i)
{
	ext2_buf_t *b = &c->bufs[i];

	b->lprev = -1;
	b->lnext = c->lru_head;
	if (c->lru_head >= 0)
		c->bufs[c->lru_head].lprev = i;
	c->lru_head = i;
	if (c->lru_tail < 0)
		c->lru_tail = i;
}

static uint32_t cache_bucket(const ext2_cache_t *c, uint32_t blk)
{
	return (blk * 2654435761u) & c->hmask;
}

static void cache_hash_remove(ext2_cache_t *c, int32_t i)
{
	int32_t *link = &c->hash[cache_bucket(c, c->bufs[i].blk)];

	while (*link != i)
		link = &c->bufs[*link].hnext;
	*link = c->bufs[i].hnext;
	c->bufs[i].hnext = -1;
}

errno_t ext2_cache_init(ext2_cache_t *c, const ext2_host_t *host, uint32_t bs, uint32_t n)
{
	uint32_t nb = 1;

	memset(c, 0, sizeof(*c));
	while (nb < 2 * n)
		nb *= 2;
	c->host = host;
	c->bs = bs;
	c->hmask = nb - 1;
	c->lru_head = c->lru_tail = -1;
	c->bufs = host->alloc(host->ctx, (size_t) n * sizeof(ext2_buf_t));
	c->hash = host->alloc(host->ctx, (size_t) nb * sizeof(int32_t));
	if (c->bufs == NULL || c->hash == NULL) {
		ext2_cache_fini(c);
		return ENOMEM;
	}
	memset(c->bufs, 0, (size_t) n * sizeof(ext2_buf_t));
	for (uint32_t i = 0; i < nb; i++)
		c->hash[i] = -1;
	for (uint32_t i = 0; i < n; i++) {
		c->bufs[i].data = host->alloc(host->ctx, bs);
		if (c->bufs[i].data == NULL) {
			ext2_cache_fini(c);
			return ENOMEM;
		}
		c->n = i + 1;
		c->bufs[i].hnext = -1;
		cache_lru_push_head(c, (int32_t) i);
	}
	return EOK;
}

void ext2_cache_fini(ext2_cache_t *c)
{
	const ext2_host_t *host = c->host;

	if (c->bufs != NULL) {
		for (uint32_t i = 0; i < c->n; i++)
			host->free(host->ctx, c->bufs[i].data);
		host->free(host->ctx, c->bufs);
	}
	if (c->hash != NULL)
		host->free(host->ctx, c->hash);
	c->bufs = NULL;
	c->hash = NULL;
	c->n = 0;
}

static errno_t cache_writeback(ext2_cache_t *c, ext2_buf_t *b)
{
	errno_t rc;

	rc = c->host->write(c->host->ctx, (uint64_t) b->blk * c->bs, b->data, c->bs);
	if (rc != EOK)
		return rc;
	b->dirty = false;
	c->dirty--;
	c->writes++;
	return EOK;
}

static int32_t cache_lookup(ext2_cache_t *c, uint32_t blk)
{
	int32_t i = c->hash[cache_bucket(c, blk)];

	while (i >= 0 && c->bufs[i].blk != blk)
		i = c->bufs[i].hnext;
	return i;
}

/* An unpinned buffer to reuse, written back if dirty and out of the hash. */
static errno_t cache_victim(ext2_cache_t *c, int32_t *out)
{
	int32_t i = c->lru_tail;
	errno_t rc;

	while (i >= 0 && c->bufs[i].pins > 0)
		i = c->bufs[i].lprev;
	if (i < 0)
		return EBUSY;
	if (c->bufs[i].dirty) {
		rc = cache_writeback(c, &c->bufs[i]);
		if (rc != EOK)
			return rc;
	}
	if (c->bufs[i].valid)
		cache_hash_remove(c, i);
	c->bufs[i].valid = false;
	c->bufs[i].dir_checked = false;
	*out = i;
	return EOK;
}

errno_t ext2_cache_get(ext2_cache_t *c, uint32_t blk, bool fresh, ext2_buf_t **out)
{
	int32_t i = cache_lookup(c, blk);
	ext2_buf_t *b;
	errno_t rc;

	if (i >= 0) {
		c->hits++;
		b = &c->bufs[i];
		if (fresh) {
			memset(b->data, 0, c->bs);
			b->dir_checked = false;
		}
	} else {
		c->misses++;
		rc = cache_victim(c, &i);
		if (rc != EOK)
			return rc;
		b = &c->bufs[i];
		if (fresh) {
			memset(b->data, 0, c->bs);
		} else {
			rc = c->host->read(c->host->ctx, (uint64_t) blk * c->bs, b->data, c->bs);
			if (rc != EOK)
				return rc;
		}
		b->blk = blk;
		b->valid = true;
		b->dir_checked = false;
		b->hnext = c->hash[cache_bucket(c, blk)];
		c->hash[cache_bucket(c, blk)] = i;
	}
	cache_lru_unlink(c, i);
	cache_lru_push_head(c, i);
	b->pins++;
	*out = b;
	return EOK;
}

void ext2_cache_put(ext2_cache_t *c, ext2_buf_t *b)
{
	(void) c;
	b->pins--;
}

errno_t ext2_cache_write(ext2_cache_t *c, ext2_buf_t *b)
{
	b->dir_checked = false; /* its bytes were changed */
	errno_t rc = c->host->write(c->host->ctx, (uint64_t) b->blk * c->bs, b->data, c->bs);
	if (rc != EOK)
		return rc;
	if (b->dirty) {
		b->dirty = false;
		c->dirty--;
	}
	c->writes++;
	return EOK;
}

void ext2_cache_dirty(ext2_cache_t *c, ext2_buf_t *b)
{
	b->dir_checked = false; /* its bytes were changed */
	if (!b->dirty) {
		b->dirty = true;
		c->dirty++;
	}
}

bool ext2_cache_has(ext2_cache_t *c, uint32_t blk)
{
	return cache_lookup(c, blk) >= 0;
}

void ext2_cache_forget(ext2_cache_t *c, uint32_t blk)
{
	int32_t i = cache_lookup(c, blk);
	ext2_buf_t *b;

	if (i < 0 || c->bufs[i].pins > 0)
		return;
	b = &c->bufs[i];
	if (b->dirty) {
		b->dirty = false;
		c->dirty--;
	}
	cache_hash_remove(c, i);
	b->valid = false;
	/* Reuse it first. */
	cache_lru_unlink(c, i);
	b->lprev = c->lru_tail;
	if (c->lru_tail >= 0)
		c->bufs[c->lru_tail].lnext = i;
	c->lru_tail = i;
	if (c->lru_head < 0)
		c->lru_head = i;
}

errno_t ext2_cache_evict(ext2_cache_t *c, uint32_t blk)
{
	int32_t i = cache_lookup(c, blk);
	errno_t rc;

	if (i < 0)
		return EOK;
	if (c->bufs[i].pins > 0)
		return EBUSY;
	if (c->bufs[i].dirty) {
		rc = cache_writeback(c, &c->bufs[i]);
		if (rc != EOK)
			return rc;
	}
	ext2_cache_forget(c, blk);
	return EOK;
}

errno_t ext2_cache_sync(ext2_cache_t *c)
{
	errno_t rc;

	for (uint32_t i = 0; i < c->n && c->dirty > 0; i++) {
		if (!c->bufs[i].dirty)
			continue;
		rc = cache_writeback(c, &c->bufs[i]);
		if (rc != EOK)
			return rc;
	}
	return c->host->flush ? c->host->flush(c->host->ctx) : EOK;
}
