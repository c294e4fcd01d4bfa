/*
 * The nodes the server's peers hold open (FS_NODE_OPEN .. FS_NODE_CLOSE),
 * counted per inode and per peer (abi/fs.h, "Opens"): a fixed pool of
 * EXT2SRV_OPEN_MAX records in hash chains, so nothing is allocated while
 * serving.  lib/ext2 asks it (inode_busy) whether an inode that loses its
 * last name must stay; the last close then frees such an inode
 * (ext2_inode_release), and so does a peer going with opens still held
 * (ext2srv_nodes_release_peer).  Under ext2srv.lock.
 */
#include "ext2srv.h"
#include <stdio.h>

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

/* Unlink record *@a link (held by nobody now) and put it on the free list. */
static void nodes_free(ext2srv_t *s, int32_t *link)
{
	int32_t i = *link;

	*link = s->nodes[i].next;
	s->nodes[i] = (ext2srv_node_t){ .next = s->nodes_free };
	s->nodes_free = i;
}

bool ext2srv_node_busy(const ext2srv_t *s, uint32_t ino)
{
	for (int32_t i = s->buckets[nodes_bucket(ino)]; i >= 0; i = s->nodes[i].next) {
		if (s->nodes[i].ino == ino)
			return true;
	}
	return false;
}

errno_t ext2srv_node_open(ext2srv_t *s, unsigned peer, uint32_t ino)
{
	int32_t *link = nodes_find(s, ino);

	if (*link >= 0) {
		ext2srv_node_t *n = &s->nodes[*link];
		if (n->opens == UINT32_MAX)
			return ELIMIT;
		n->opens++;
		n->by_peer[peer]++;
		return EOK;
	}
	int32_t i = s->nodes_free;
	if (i < 0)
		return ELIMIT;
	s->nodes_free = s->nodes[i].next;
	s->nodes[i] = (ext2srv_node_t){ .ino = ino, .opens = 1, .next = -1 };
	s->nodes[i].by_peer[peer] = 1;
	*link = i;
	return EOK;
}

errno_t ext2srv_node_close(ext2srv_t *s, unsigned peer, uint32_t ino, bool *last)
{
	int32_t *link = nodes_find(s, ino);

	if (*link < 0 || s->nodes[*link].by_peer[peer] == 0)
		return EINVAL; /* not open, or not by this peer */
	ext2srv_node_t *n = &s->nodes[*link];
	n->by_peer[peer]--;
	*last = --n->opens == 0;
	if (*last)
		nodes_free(s, link);
	return EOK;
}

/* Close every open of @a peer (all of them with @a peer EXT2SRV_PEERS);
 * how many nodes it held. */
static unsigned nodes_release(ext2srv_t *s, unsigned peer)
{
	unsigned held = 0;

	for (uint32_t b = 0; b < EXT2SRV_OPEN_BUCKETS; b++) {
		int32_t *link = &s->buckets[b];
		while (*link >= 0) {
			ext2srv_node_t *n = &s->nodes[*link];
			uint32_t drop = peer < EXT2SRV_PEERS ? n->by_peer[peer] : n->opens;
			held += drop > 0;
			n->opens -= drop;
			if (peer < EXT2SRV_PEERS)
				n->by_peer[peer] = 0;
			if (n->opens > 0) {
				link = &n->next;
				continue;
			}
			uint32_t ino = n->ino;
			nodes_free(s, link);
			if (s->fs != NULL)
				(void) ext2_inode_release(s->fs, ino);
		}
	}
	return held;
}

void ext2srv_nodes_release_peer(ext2srv_t *s, unsigned peer)
{
	unsigned held = nodes_release(s, peer);

	if (held > 0)
		printf("ext2: %s: task %llu went: %u nodes it held open closed\n", s->source,
		    (unsigned long long) s->peer_task[peer], held);
}

void ext2srv_nodes_release_all(ext2srv_t *s)
{
	(void) nodes_release(s, EXT2SRV_PEERS);
}
