/* B+tree nodes come from their own slab cache in the kernel. */
#include <adt/btree.h>
#include <adt/btree_alloc.h>
#include <debug.h>
#include <mm/slab.h>

static slab_cache_t btree_node_cache;

void btree_subsystem_init(void)
{
	errno_t rc = slab_cache_init(&btree_node_cache, "btree-node", sizeof(btree_node_t), 16);
	assert(rc == EOK);
}

btree_node_t *btree_node_alloc(void)
{
	return slab_alloc(&btree_node_cache);
}

void btree_node_free(btree_node_t *node)
{
	slab_free(&btree_node_cache, node);
}

size_t btree_nodes_live(void)
{
	return slab_cache_live(&btree_node_cache);
}
