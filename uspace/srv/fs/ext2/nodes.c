/*
 * The nodes the VFS holds open (FS_NODE_OPEN .. FS_NODE_CLOSE), counted
 * per inode: a fixed pool of EXT2SRV_OPEN_MAX records in hash chains, so
 * nothing is allocated while serving.  lib/ext2 asks it (inode_busy)
 * whether an inode that loses its last name must stay; the last close
 * then frees such an inode (ext2_inode_release).  Under ext2srv.lock.
 */
#include "ext2srv.h"

static uint32_t nodes_bucket(uint32_t ino)
{
	return (ino * 2654435761u) % EXT2SRV_OPEN_BUCKETS;
}

void ext2srv_nodes_init(ext2srv_t *s)
{
	for (uint32_t i = 0; i < EXT2SRV_OPEN_BUCKETS; i++)
		s->buckets[i] = -1;
	for (uint32_t i = 0; i < EXT2SRV_OPEN_MAX; i++)
		s->nodes[i] = (ext2srv_node_t){ .next = i + 1 < EXT2SRV_OPEN_MAX ? (int32_t) i + 1
			                                                         : -1 };
	s->nodes_free = 0;
}

/* Where the link to @a ino's record is (the bucket head or a next field). */
static int32_t *nodes_find(ext2srv_t *s, uint32_t ino)
{
	int32_t *link = &s->buckets[nodes_bucket(ino)];

	while (*link >= 0 && s->nodes[*link].ino != ino)
		link = &s->nodes[*link].next;
	return link;
}

bool ext2srv_node_busy(const ext2srv_t *s, uint32_t ino)
{
	for (int32_t i = s->buckets[nodes_bucket(ino)]; i >= 0; i = s->nodes[i].next) {
		if (s->nodes[i].ino == ino)
			return true;
	}
	return false;
}

errno_t ext2srv_node_open(ext2srv_t *s, uint32_t ino)
{
	int32_t *link = nodes_find(s, ino);

	if (*link >= 0) {
		if (s->nodes[*link].opens == UINT32_MAX)
			return ELIMIT;
		s->nodes[*link].opens++;
		return EOK;
	}
	int32_t i = s->nodes_free;
	if (i < 0)
		return ELIMIT;
	s->nodes_free = s->nodes[i].next;
	s->nodes[i] = (ext2srv_node_t){ .ino = ino, .opens = 1, .next = -1 };
	*link = i;
	return EOK;
}

errno_t ext2srv_node_close(ext2srv_t *s, uint32_t ino, bool *last)
{
	int32_t *link = nodes_find(s, ino);
	int32_t i = *link;

	if (i < 0)
		return EINVAL;
	*last = --s->nodes[i].opens == 0;
	if (*last) {
		*link = s->nodes[i].next;
		s->nodes[i] = (ext2srv_node_t){ .next = s->nodes_free };
		s->nodes_free = i;
	}
	return EOK;
}

void ext2srv_nodes_release_all(ext2srv_t *s)
{
	for (uint32_t b = 0; b < EXT2SRV_OPEN_BUCKETS; b++) {
		while (s->buckets[b] >= 0) {
			int32_t i = s->buckets[b];
			uint32_t ino = s->nodes[i].ino;
			s->buckets[b] = s->nodes[i].next;
			s->nodes[i] = (ext2srv_node_t){ .next = s->nodes_free };
			s->nodes_free = i;
			(void) ext2_inode_release(s->fs, ino);
		}
	}
}
