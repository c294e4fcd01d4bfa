/*
 * B+tree node allocator for host tests: malloc and free, with a counter of
 * live nodes (so a test can prove it freed everything) and a failure knob.
 *
 * host_alloc_fail_after is the number of allocations that will still
 * succeed; once it reaches zero every allocation fails until the test sets
 * it back to a negative value (never fail).  Fresh nodes are filled with a
 * pattern so that reading a field the tree forgot to initialise shows.
 */
#include <adt/btree.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

long host_alloc_fail_after = -1;
long host_alloc_live;
unsigned long host_alloc_calls;

btree_node_t *btree_node_alloc(void)
{
	btree_node_t *node;

	host_alloc_calls++;
	if (host_alloc_fail_after == 0)
		return NULL;
	if (host_alloc_fail_after > 0)
		host_alloc_fail_after--;
	node = malloc(sizeof(*node));
	if (node == NULL)
		return NULL;
	memset(node, 0xa5, sizeof(*node));
	host_alloc_live++;
	return node;
}

void btree_node_free(btree_node_t *node)
{
	if (node == NULL)
		return;
	host_alloc_live--;
	free(node);
}
