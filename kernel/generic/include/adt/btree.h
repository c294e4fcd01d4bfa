/*
 * B+tree mapping pointer-sized keys to pointer-sized values.
 *
 * Used by the kernel for the areas of an address space and for the used
 * space of an area.  All keys live in the leaves, which are linked in key
 * order; inner nodes only route searches.  See adt/btree.c for the design
 * and the invariants.
 *
 * An empty tree owns no memory: the root leaf is allocated by the first
 * insert and freed by the remove of the last key.  So btree_create() cannot
 * fail and a tree that was emptied needs no btree_destroy() (calling it is
 * still fine).
 *
 * Errors are returned, never asserted: EEXIST (insert of a present key),
 * ENOENT (remove, search or update of an absent key) and ENOMEM (insert
 * could not allocate).  A call that fails leaves the tree exactly as it was.
 *
 * The tree does no locking; callers serialise all calls on one tree.
 */
#ifndef KERN_ADT_BTREE_H_
#define KERN_ADT_BTREE_H_

#include <abi/errno.h>
#include <adt/list.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Order of the tree: the maximum number of children of an inner node.  A
 * node holds at most BTREE_M - 1 keys and, unless it is the root, at least
 * (BTREE_M - 1) / 2.  Tests rebuild with a tiny order (-DBTREE_M=3) so that
 * every path through splitting and rebalancing runs often.
 */
#ifndef BTREE_M
#define BTREE_M 32
#endif

#if BTREE_M < 3
#error "BTREE_M must be at least 3"
#endif

#define BTREE_MAX_KEYS (BTREE_M - 1)
#define BTREE_MIN_KEYS ((BTREE_M - 1) / 2)

typedef uintptr_t btree_key_t;

/*
 * A node.  The arrays have room for one key (and one child) more than the
 * maximum so that an insert can overflow a node in place before it is split.
 * Callers treat nodes as opaque and use the btree_leaf_*() accessors.
 */
typedef struct btree_node {
	struct btree_node *parent; /* NULL for the root */
	size_t keys; /* number of keys in use */
	bool leaf; /* leaf or inner node */
	link_t leaf_link; /* leaves only: in btree_t.leaves */
	btree_key_t key[BTREE_MAX_KEYS + 1];
	union {
		void *value[BTREE_MAX_KEYS + 1]; /* leaf */
		struct btree_node *subtree[BTREE_M + 1]; /* inner */
	};
} btree_node_t;

typedef struct btree {
	btree_node_t *root; /* NULL while the tree is empty */
	list_t leaves; /* all leaves, in key order */
	size_t count; /* number of keys */
} btree_t;

/*
 * A position in the tree (a leaf and an index in it).  An iterator stays
 * valid until the tree is modified; btree_iter_set_value() is not a
 * modification.
 */
typedef struct btree_iter {
	btree_t *tree;
	btree_node_t *leaf;
	size_t index;
} btree_iter_t;

/*
 * Node memory.  Not defined in btree.c: the kernel takes nodes from a slab
 * cache (adt/btree_alloc.c), host tests from malloc.  The returned memory
 * needs no initialisation; NULL means out of memory.
 */
btree_node_t *btree_node_alloc(void);
void btree_node_free(btree_node_t *node);

void btree_create(btree_t *t);
void btree_destroy(btree_t *t);

errno_t btree_insert(btree_t *t, btree_key_t key, void *value);
errno_t btree_remove(btree_t *t, btree_key_t key);
errno_t btree_update(btree_t *t, btree_key_t key, void *value);
errno_t btree_search(btree_t *t, btree_key_t key, void **value, btree_node_t **leaf);

/*
 * Nearest keys: greatest key <= (or <) @a key, smallest key >= (or >) @a key.
 * EOK with *found and *value set (either pointer may be NULL), or ENOENT.
 */
errno_t btree_find_le(btree_t *t, btree_key_t key, btree_key_t *found, void **value);
errno_t btree_find_lt(btree_t *t, btree_key_t key, btree_key_t *found, void **value);
errno_t btree_find_ge(btree_t *t, btree_key_t key, btree_key_t *found, void **value);
errno_t btree_find_gt(btree_t *t, btree_key_t key, btree_key_t *found, void **value);

size_t btree_count(const btree_t *t);

/* Walking the leaves; NULL past either end (or for an empty tree). */
btree_node_t *btree_leaf_first(btree_t *t);
btree_node_t *btree_leaf_last(btree_t *t);
btree_node_t *btree_leaf_left(btree_t *t, btree_node_t *leaf);
btree_node_t *btree_leaf_right(btree_t *t, btree_node_t *leaf);
size_t btree_leaf_keys(const btree_node_t *leaf);
btree_key_t btree_leaf_key(const btree_node_t *leaf, size_t i);
void *btree_leaf_value(const btree_node_t *leaf, size_t i);

/*
 * Iterators.  Each positioning function returns false (and leaves the
 * iterator at no element) when there is no such key; next/prev return false
 * when they walk off an end.
 */
bool btree_iter_first(btree_t *t, btree_iter_t *it);
bool btree_iter_last(btree_t *t, btree_iter_t *it);
bool btree_iter_ge(btree_t *t, btree_key_t key, btree_iter_t *it);
bool btree_iter_le(btree_t *t, btree_key_t key, btree_iter_t *it);
bool btree_iter_next(btree_iter_t *it);
bool btree_iter_prev(btree_iter_t *it);
btree_key_t btree_iter_key(const btree_iter_t *it);
void *btree_iter_value(const btree_iter_t *it);
void btree_iter_set_value(btree_iter_t *it, void *value);

/*
 * Validate every invariant of the tree (see btree.c).  EOK when the tree is
 * sound, EINVAL otherwise.  O(n); meant for tests.
 */
errno_t btree_check(const btree_t *t);

#endif
