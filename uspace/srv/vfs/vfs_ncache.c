/*
 * vfs: the name cache.  (mount, directory node, name) -> (node, mode) of
 * names found by FS_LOOKUP, so a path walked again costs no request to
 * the file system server (a lookup in a large ext2 directory reads every
 * entry before the name).
 *
 * Coherent because every change of a name goes through the VFS: unlink,
 * rmdir and rename forget the names they remove or replace.  Creations
 * need nothing (only names found are cached, never absent ones).  "."
 * and ".." are never cached.  A mount number is never reused, so the
 * entries of a file system server that ended never match its successor.
 *
 * A lookup races a removal: the lookup may have asked the server before
 * the removal and insert after it.  Every forget moves vfs_ncache_gen on;
 * an insert carries the generation read before its request and is dropped
 * if the generation moved meanwhile.
 *
 * Set-associative: VFS_NCACHE_SETS sets of VFS_NCACHE_WAYS entries, the
 * least recently used of a set replaced.  Names longer than
 * VFS_NCACHE_NAME bytes are not cached.  One lock (ncache_lock, a leaf:
 * nothing is taken while it is held) protects the table and the
 * generation.
 */
#include <string.h>

#include "vfs.h"

#define VFS_NCACHE_SETS 1024u
#define VFS_NCACHE_WAYS 4u
#define VFS_NCACHE_NAME 47u

typedef struct ncache_ent {
	uint64_t dev; /* 0: empty */
	uint64_t dir;
	uint64_t node;
	uint64_t used; /* ncache_clock when last hit */
	uint32_t mode;
	uint8_t len;
	char name[VFS_NCACHE_NAME];
} ncache_ent_t;

static ncache_ent_t ncache[VFS_NCACHE_SETS][VFS_NCACHE_WAYS];
static lock_t ncache_lock = LOCK_INITIALIZER;
static uint64_t ncache_gen;
static uint64_t ncache_clock;

static bool ncache_cacheable(const char *name, size_t len)
{
	if (len == 0 || len > VFS_NCACHE_NAME)
		return false;
	return !(name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')));
}

static ncache_ent_t *ncache_set(uint64_t dev, uint64_t dir, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ dev ^ (dir * 0x9e3779b97f4a7c15ull);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t) name[i]) * 0x100000001b3ull;
	return ncache[(h ^ (h >> 29)) % VFS_NCACHE_SETS];
}

static ncache_ent_t *ncache_match(
    ncache_ent_t *set, uint64_t dev, uint64_t dir, const char *name, size_t len)
{
	for (unsigned w = 0; w < VFS_NCACHE_WAYS; w++) {
		ncache_ent_t *e = &set[w];
		if (e->dev == dev && e->dir == dir && e->len == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

bool vfs_ncache_get(
    uint64_t dev, uint64_t dir, const char *name, size_t len, uint64_t *node, uint32_t *mode)
{
	if (!ncache_cacheable(name, len))
		return false;
	ncache_ent_t *set = ncache_set(dev, dir, name, len);
	lock_acquire(&ncache_lock);
	ncache_ent_t *e = ncache_match(set, dev, dir, name, len);
	if (e) {
		e->used = ++ncache_clock;
		*node = e->node;
		*mode = e->mode;
	}
	lock_release(&ncache_lock);
	return e != NULL;
}

uint64_t vfs_ncache_gen(void)
{
	lock_acquire(&ncache_lock);
	uint64_t g = ncache_gen;
	lock_release(&ncache_lock);
	return g;
}

void vfs_ncache_put(uint64_t gen, uint64_t dev, uint64_t dir, const char *name, size_t len,
    uint64_t node, uint32_t mode)
{
	if (!ncache_cacheable(name, len))
		return;
	ncache_ent_t *set = ncache_set(dev, dir, name, len);
	lock_acquire(&ncache_lock);
	if (gen == ncache_gen && !ncache_match(set, dev, dir, name, len)) {
		ncache_ent_t *victim = &set[0];
		for (unsigned w = 1; w < VFS_NCACHE_WAYS; w++)
			if (set[w].used < victim->used)
				victim = &set[w];
		*victim = (ncache_ent_t){ .dev = dev,
			.dir = dir,
			.node = node,
			.mode = mode,
			.used = ++ncache_clock,
			.len = (uint8_t) len };
		memcpy(victim->name, name, len);
	}
	lock_release(&ncache_lock);
}

void vfs_ncache_forget(uint64_t dev, uint64_t dir, const char *name, size_t len)
{
	lock_acquire(&ncache_lock);
	ncache_gen++;
	if (ncache_cacheable(name, len)) {
		ncache_ent_t *e = ncache_match(
		    ncache_set(dev, dir, name, len), dev, dir, name, len);
		if (e)
			memset(e, 0, sizeof(*e));
	}
	lock_release(&ncache_lock);
}
