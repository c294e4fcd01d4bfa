/*
 * B+tree.
 *
 * Shape.  Every key/value pair lives in a leaf; all leaves are at the same
 * depth and are linked in key order in btree_t.leaves.  An inner node with
 * k keys has k + 1 subtrees; its keys are separators: every key in
 * subtree[i] is >= key[i - 1] (if i > 0) and < key[i] (if i < k).  A
 * separator need not be present in the leaves (a remove does not touch the
 * separators above the leaf), only the ranges matter.
 *
 * Invariants (all checked by btree_check()):
 *  - keys inside every node are strictly increasing;
 *  - every node but the root has BTREE_MIN_KEYS..BTREE_MAX_KEYS keys, the
 *    root has 1..BTREE_MAX_KEYS (an empty tree has no root at all);
 *  - every key lies in the range its ancestors' separators give it;
 *  - parent pointers match, all leaves have the same depth;
 *  - the leaf list holds exactly the leaves, left to right;
 *  - t->count is the number of keys in the leaves.
 *
 * Insert.  A node may temporarily hold BTREE_MAX_KEYS + 1 keys (the arrays
 * have one spare slot); such a node is split in two and the split may climb
 * to the root, which then gets a new root above it.  Insert must not fail
 * halfway, so before anything is touched it counts the full nodes on the
 * path from the leaf up (plus one for a new root if the climb reaches the
 * root) and allocates that many nodes into a private pool.  Either all of
 * them are obtained or the call fails with ENOMEM with the tree untouched.
 *
 * Remove.  A leaf that drops below BTREE_MIN_KEYS borrows one key from a
 * sibling that has more than the minimum, or else merges with a sibling and
 * takes one key and one subtree away from the parent, which may in turn
 * underflow; a root left with no key is replaced by its only child.  Remove
 * only frees, so it never fails once the key is found.
 *
 * Fill bounds.  With m = BTREE_M and min = (m - 1) / 2: a leaf split of m
 * keys gives m - m / 2 and m / 2 keys; an inner split of m keys sends one up
 * and keeps m / 2 and m - m / 2 - 1; a merge produces at most 2 * min keys
 * (inner, with the separator pulled down) which is <= m - 1.  All of these
 * are within bounds for every m >= 3.
 */

#include <adt/btree.h>
#include <debug.h>
#include <mem.h>

/* Index of the first key in @a node that is >= @a key (lower bound). */
static size_t node_lower(const btree_node_t *node, btree_key_t key)
{
	size_t lo = 0;
	size_t hi = node->keys;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (node->key[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first key in @a node that is > @a key (upper bound). */
static size_t node_upper(const btree_node_t *node, btree_key_t key)
{
	size_t lo = 0;
	size_t hi = node->keys;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (node->key[mid] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The leaf whose range contains @a key; NULL for an empty tree. */
static btree_node_t *tree_leaf_find(const btree_t *t, btree_key_t key)
{
	btree_node_t *node = t->root;

	if (node == NULL)
		return NULL;
	while (!node->leaf)
		node = node->subtree[node_upper(node, key)];
	return node;
}

/* Position of @a child among the subtrees of its parent. */
static size_t node_child_index(const btree_node_t *parent, const btree_node_t *child)
{
	for (size_t i = 0; i <= parent->keys; i++) {
		if (parent->subtree[i] == child)
			return i;
	}
	panic("btree: node %p not a child of its parent %p", (void *) child, (void *) parent);
}

static void node_init(btree_node_t *node, btree_node_t *parent, bool leaf)
{
	node->parent = parent;
	node->keys = 0;
	node->leaf = leaf;
	link_initialize(&node->leaf_link);
}

void btree_create(btree_t *t)
{
	t->root = NULL;
	t->count = 0;
	list_initialize(&t->leaves);
}

static void node_destroy(btree_node_t *node)
{
	if (!node->leaf) {
		for (size_t i = 0; i <= node->keys; i++)
			node_destroy(node->subtree[i]);
	}
	btree_node_free(node);
}

void btree_destroy(btree_t *t)
{
	if (t->root != NULL)
		node_destroy(t->root);
	btree_create(t);
}

size_t btree_count(const btree_t *t)
{
	return t->count;
}

/*
 * Insertion.
 */

/* Nodes allocated up front for one insert, chained through ->parent. */
typedef struct node_pool {
	btree_node_t *head;
} node_pool_t;

static void pool_release(node_pool_t *pool)
{
	while (pool->head != NULL) {
		btree_node_t *node = pool->head;
		pool->head = node->parent;
		btree_node_free(node);
	}
}

static errno_t pool_fill(node_pool_t *pool, size_t count)
{
	pool->head = NULL;
	for (size_t i = 0; i < count; i++) {
		btree_node_t *node = btree_node_alloc();
		if (node == NULL) {
			pool_release(pool);
			return ENOMEM;
		}
		node->parent = pool->head;
		pool->head = node;
	}
	return EOK;
}

static btree_node_t *pool_take(node_pool_t *pool)
{
	btree_node_t *node = pool->head;

	assert(node != NULL);
	pool->head = node->parent;
	return node;
}

/* Number of nodes an insert into @a leaf will allocate. */
static size_t insert_node_demand(const btree_t *t, const btree_node_t *leaf)
{
	size_t demand = 0;

	if (leaf == NULL)
		return 1;
	for (const btree_node_t *n = leaf; n != NULL; n = n->parent) {
		if (n->keys < BTREE_MAX_KEYS)
			break;
		demand++;
		if (n == t->root)
			demand++;
	}
	return demand;
}

static void leaf_insert_at(btree_node_t *leaf, size_t i, btree_key_t key, void *value)
{
	size_t tail = leaf->keys - i;

	memmove(&leaf->key[i + 1], &leaf->key[i], tail * sizeof(leaf->key[0]));
	memmove(&leaf->value[i + 1], &leaf->value[i], tail * sizeof(leaf->value[0]));
	leaf->key[i] = key;
	leaf->value[i] = value;
	leaf->keys++;
}

/* Put separator @a key and its right subtree @a right after child @a left. */
static void inner_insert_after(
    btree_node_t *node, btree_node_t *left, btree_key_t key, btree_node_t *right)
{
	size_t i = node_child_index(node, left);
	size_t tail = node->keys - i;

	memmove(&node->key[i + 1], &node->key[i], tail * sizeof(node->key[0]));
	memmove(&node->subtree[i + 2], &node->subtree[i + 1], tail * sizeof(node->subtree[0]));
	node->key[i] = key;
	node->subtree[i + 1] = right;
	right->parent = node;
	node->keys++;
}

/* Move the upper half of overfull @a node to @a right; returns separator. */
static btree_key_t node_split(btree_node_t *node, btree_node_t *right)
{
	size_t total = node->keys;
	btree_key_t sep;

	node_init(right, node->parent, node->leaf);
	if (node->leaf) {
		size_t keep = total - total / 2;
		right->keys = total - keep;
		memcpy(right->key, &node->key[keep], right->keys * sizeof(node->key[0]));
		memcpy(right->value, &node->value[keep], right->keys * sizeof(right->value[0]));
		node->keys = keep;
		list_insert_after(&right->leaf_link, &node->leaf_link);
		return right->key[0];
	}
	size_t mid = total / 2;
	sep = node->key[mid];
	right->keys = total - mid - 1;
	memcpy(right->key, &node->key[mid + 1], right->keys * sizeof(node->key[0]));
	memcpy(
	    right->subtree, &node->subtree[mid + 1], (right->keys + 1) * sizeof(right->subtree[0]));
	for (size_t i = 0; i <= right->keys; i++)
		right->subtree[i]->parent = right;
	node->keys = mid;
	return sep;
}

/* Split overfull nodes from @a node upwards, taking nodes from @a pool. */
static void insert_fixup(btree_t *t, btree_node_t *node, node_pool_t *pool)
{
	while (node->keys > BTREE_MAX_KEYS) {
		btree_node_t *right = pool_take(pool);
		btree_key_t sep = node_split(node, right);

		if (node->parent == NULL) {
			btree_node_t *root = pool_take(pool);
			node_init(root, NULL, false);
			root->keys = 1;
			root->key[0] = sep;
			root->subtree[0] = node;
			root->subtree[1] = right;
			node->parent = root;
			right->parent = root;
			t->root = root;
			return;
		}
		inner_insert_after(node->parent, node, sep, right);
		node = node->parent;
	}
}

errno_t btree_insert(btree_t *t, btree_key_t key, void *value)
{
	btree_node_t *leaf = tree_leaf_find(t, key);
	size_t i = 0;
	node_pool_t pool;

	if (leaf != NULL) {
		i = node_lower(leaf, key);
		if (i < leaf->keys && leaf->key[i] == key)
			return EEXIST;
	}
	if (pool_fill(&pool, insert_node_demand(t, leaf)) != EOK)
		return ENOMEM;

	if (leaf == NULL) {
		leaf = pool_take(&pool);
		node_init(leaf, NULL, true);
		list_append(&leaf->leaf_link, &t->leaves);
		t->root = leaf;
	}
	leaf_insert_at(leaf, i, key, value);
	t->count++;
	insert_fixup(t, leaf, &pool);
	assert(pool.head == NULL);
	return EOK;
}

/*
 * Removal.
 */

/* Drop key @a i and the subtree to its right from inner node @a node. */
static void inner_remove_at(btree_node_t *node, size_t i)
{
	size_t tail = node->keys - i - 1;

	memmove(&node->key[i], &node->key[i + 1], tail * sizeof(node->key[0]));
	memmove(&node->subtree[i + 1], &node->subtree[i + 2], tail * sizeof(node->subtree[0]));
	node->keys--;
}

/* Move the last entry of @a left to the front of its right sibling @a node. */
static void borrow_from_left(btree_node_t *p, size_t i, btree_node_t *left, btree_node_t *node)
{
	size_t n = node->keys;

	memmove(&node->key[1], &node->key[0], n * sizeof(node->key[0]));
	if (node->leaf) {
		memmove(&node->value[1], &node->value[0], n * sizeof(node->value[0]));
		node->key[0] = left->key[left->keys - 1];
		node->value[0] = left->value[left->keys - 1];
		p->key[i - 1] = node->key[0];
	} else {
		memmove(&node->subtree[1], &node->subtree[0], (n + 1) * sizeof(node->subtree[0]));
		node->key[0] = p->key[i - 1];
		node->subtree[0] = left->subtree[left->keys];
		node->subtree[0]->parent = node;
		p->key[i - 1] = left->key[left->keys - 1];
	}
	node->keys++;
	left->keys--;
}

/* Move the first entry of @a right to the end of its left sibling @a node. */
static void borrow_from_right(btree_node_t *p, size_t i, btree_node_t *node, btree_node_t *right)
{
	size_t n = right->keys;

	if (node->leaf) {
		node->key[node->keys] = right->key[0];
		node->value[node->keys] = right->value[0];
		memmove(&right->value[0], &right->value[1], (n - 1) * sizeof(right->value[0]));
	} else {
		node->key[node->keys] = p->key[i];
		node->subtree[node->keys + 1] = right->subtree[0];
		node->subtree[node->keys + 1]->parent = node;
		p->key[i] = right->key[0];
		memmove(&right->subtree[0], &right->subtree[1], n * sizeof(right->subtree[0]));
	}
	memmove(&right->key[0], &right->key[1], (n - 1) * sizeof(right->key[0]));
	node->keys++;
	right->keys--;
	if (node->leaf)
		p->key[i] = right->key[0];
}

/* Merge @a right (subtree i + 1 of @a p) into @a left and free it. */
static void merge_into_left(btree_node_t *p, size_t i, btree_node_t *left, btree_node_t *right)
{
	size_t n = left->keys;

	if (left->leaf) {
		memcpy(&left->key[n], right->key, right->keys * sizeof(left->key[0]));
		memcpy(&left->value[n], right->value, right->keys * sizeof(left->value[0]));
		left->keys = n + right->keys;
		list_remove(&right->leaf_link);
	} else {
		left->key[n] = p->key[i];
		memcpy(&left->key[n + 1], right->key, right->keys * sizeof(left->key[0]));
		memcpy(&left->subtree[n + 1], right->subtree,
		    (right->keys + 1) * sizeof(left->subtree[0]));
		for (size_t j = 0; j <= right->keys; j++)
			right->subtree[j]->parent = left;
		left->keys = n + 1 + right->keys;
	}
	inner_remove_at(p, i);
	btree_node_free(right);
}

/* Restore the fill bounds from underfull non-root @a node upwards. */
static void remove_fixup(btree_t *t, btree_node_t *node)
{
	while (node->parent != NULL && node->keys < BTREE_MIN_KEYS) {
		btree_node_t *p = node->parent;
		size_t i = node_child_index(p, node);
		btree_node_t *left = i > 0 ? p->subtree[i - 1] : NULL;
		btree_node_t *right = i < p->keys ? p->subtree[i + 1] : NULL;

		if (left != NULL && left->keys > BTREE_MIN_KEYS) {
			borrow_from_left(p, i, left, node);
			return;
		}
		if (right != NULL && right->keys > BTREE_MIN_KEYS) {
			borrow_from_right(p, i, node, right);
			return;
		}
		if (left != NULL)
			merge_into_left(p, i - 1, left, node);
		else
			merge_into_left(p, i, node, right);
		node = p;
	}
	if (node->parent == NULL && node->keys == 0) {
		/* The root ran empty: a leaf root ends the tree, else shrink. */
		if (node->leaf) {
			list_remove(&node->leaf_link);
			t->root = NULL;
		} else {
			t->root = node->subtree[0];
			t->root->parent = NULL;
		}
		btree_node_free(node);
	}
}

errno_t btree_remove(btree_t *t, btree_key_t key)
{
	btree_node_t *leaf = tree_leaf_find(t, key);
	size_t i;

	if (leaf == NULL)
		return ENOENT;
	i = node_lower(leaf, key);
	if (i == leaf->keys || leaf->key[i] != key)
		return ENOENT;

	size_t tail = leaf->keys - i - 1;
	memmove(&leaf->key[i], &leaf->key[i + 1], tail * sizeof(leaf->key[0]));
	memmove(&leaf->value[i], &leaf->value[i + 1], tail * sizeof(leaf->value[0]));
	leaf->keys--;
	t->count--;
	remove_fixup(t, leaf);
	return EOK;
}

/*
 * Lookups and iteration.
 */

errno_t btree_search(btree_t *t, btree_key_t key, void **value, btree_node_t **leaf)
{
	btree_node_t *l = tree_leaf_find(t, key);

	if (leaf != NULL)
		*leaf = l;
	if (l == NULL)
		return ENOENT;
	size_t i = node_lower(l, key);
	if (i == l->keys || l->key[i] != key)
		return ENOENT;
	if (value != NULL)
		*value = l->value[i];
	return EOK;
}

errno_t btree_update(btree_t *t, btree_key_t key, void *value)
{
	btree_node_t *l = tree_leaf_find(t, key);

	if (l == NULL)
		return ENOENT;
	size_t i = node_lower(l, key);
	if (i == l->keys || l->key[i] != key)
		return ENOENT;
	l->value[i] = value;
	return EOK;
}

btree_node_t *btree_leaf_first(btree_t *t)
{
	link_t *l = list_first(&t->leaves);
	return l ? list_get_instance(l, btree_node_t, leaf_link) : NULL;
}

btree_node_t *btree_leaf_last(btree_t *t)
{
	link_t *l = list_last(&t->leaves);
	return l ? list_get_instance(l, btree_node_t, leaf_link) : NULL;
}

btree_node_t *btree_leaf_left(btree_t *t, btree_node_t *leaf)
{
	link_t *l = list_prev(&leaf->leaf_link, &t->leaves);
	return l ? list_get_instance(l, btree_node_t, leaf_link) : NULL;
}

btree_node_t *btree_leaf_right(btree_t *t, btree_node_t *leaf)
{
	link_t *l = list_next(&leaf->leaf_link, &t->leaves);
	return l ? list_get_instance(l, btree_node_t, leaf_link) : NULL;
}

size_t btree_leaf_keys(const btree_node_t *leaf)
{
	return leaf->keys;
}

btree_key_t btree_leaf_key(const btree_node_t *leaf, size_t i)
{
	assert(leaf->leaf && i < leaf->keys);
	return leaf->key[i];
}

void *btree_leaf_value(const btree_node_t *leaf, size_t i)
{
	assert(leaf->leaf && i < leaf->keys);
	return leaf->value[i];
}

static bool iter_set(btree_iter_t *it, btree_t *t, btree_node_t *leaf, size_t index)
{
	it->tree = t;
	it->leaf = leaf;
	it->index = index;
	return leaf != NULL;
}

bool btree_iter_first(btree_t *t, btree_iter_t *it)
{
	return iter_set(it, t, btree_leaf_first(t), 0);
}

bool btree_iter_last(btree_t *t, btree_iter_t *it)
{
	btree_node_t *leaf = btree_leaf_last(t);
	return iter_set(it, t, leaf, leaf ? leaf->keys - 1 : 0);
}

bool btree_iter_next(btree_iter_t *it)
{
	if (it->leaf == NULL)
		return false;
	if (++it->index < it->leaf->keys)
		return true;
	return iter_set(it, it->tree, btree_leaf_right(it->tree, it->leaf), 0);
}

bool btree_iter_prev(btree_iter_t *it)
{
	if (it->leaf == NULL)
		return false;
	if (it->index > 0) {
		it->index--;
		return true;
	}
	btree_node_t *leaf = btree_leaf_left(it->tree, it->leaf);
	return iter_set(it, it->tree, leaf, leaf ? leaf->keys - 1 : 0);
}

/*
 * The leaf that covers @a key holds every key of its range; a key just
 * outside the leaf is the first of the right neighbour or the last of the
 * left one.
 */
bool btree_iter_ge(btree_t *t, btree_key_t key, btree_iter_t *it)
{
	btree_node_t *leaf = tree_leaf_find(t, key);

	if (leaf == NULL)
		return iter_set(it, t, NULL, 0);
	size_t i = node_lower(leaf, key);
	if (i < leaf->keys)
		return iter_set(it, t, leaf, i);
	return iter_set(it, t, btree_leaf_right(t, leaf), 0);
}

bool btree_iter_le(btree_t *t, btree_key_t key, btree_iter_t *it)
{
	btree_node_t *leaf = tree_leaf_find(t, key);

	if (leaf == NULL)
		return iter_set(it, t, NULL, 0);
	size_t i = node_upper(leaf, key);
	if (i > 0)
		return iter_set(it, t, leaf, i - 1);
	leaf = btree_leaf_left(t, leaf);
	return iter_set(it, t, leaf, leaf ? leaf->keys - 1 : 0);
}

btree_key_t btree_iter_key(const btree_iter_t *it)
{
	return btree_leaf_key(it->leaf, it->index);
}

void *btree_iter_value(const btree_iter_t *it)
{
	return btree_leaf_value(it->leaf, it->index);
}

void btree_iter_set_value(btree_iter_t *it, void *value)
{
	assert(it->leaf != NULL && it->index < it->leaf->keys);
	it->leaf->value[it->index] = value;
}

static errno_t iter_result(bool ok, const btree_iter_t *it, btree_key_t *found, void **value)
{
	if (!ok)
		return ENOENT;
	if (found != NULL)
		*found = btree_iter_key(it);
	if (value != NULL)
		*value = btree_iter_value(it);
	return EOK;
}

errno_t btree_find_le(btree_t *t, btree_key_t key, btree_key_t *found, void **value)
{
	btree_iter_t it;
	return iter_result(btree_iter_le(t, key, &it), &it, found, value);
}

errno_t btree_find_lt(btree_t *t, btree_key_t key, btree_key_t *found, void **value)
{
	btree_iter_t it;
	bool ok = key > 0 && btree_iter_le(t, key - 1, &it);
	return iter_result(ok, &it, found, value);
}

errno_t btree_find_ge(btree_t *t, btree_key_t key, btree_key_t *found, void **value)
{
	btree_iter_t it;
	return iter_result(btree_iter_ge(t, key, &it), &it, found, value);
}

errno_t btree_find_gt(btree_t *t, btree_key_t key, btree_key_t *found, void **value)
{
	btree_iter_t it;
	bool ok = key < UINTPTR_MAX && btree_iter_ge(t, key + 1, &it);
	return iter_result(ok, &it, found, value);
}

/*
 * Invariant check.
 */

typedef struct check_state {
	const link_t *next_leaf; /* where the next leaf must be in the list */
	size_t leaf_depth; /* depth of the first leaf seen */
	bool seen_leaf;
	size_t keys; /* keys counted in leaves */
} check_state_t;

/* Keys of @a node sorted and within [lo, hi) where the bounds exist. */
static bool check_keys(const btree_node_t *node, const btree_key_t *lo, const btree_key_t *hi)
{
	for (size_t i = 0; i < node->keys; i++) {
		if (i > 0 && node->key[i - 1] >= node->key[i])
			return false;
		if (lo != NULL && node->key[i] < *lo)
			return false;
		if (hi != NULL && node->key[i] >= *hi)
			return false;
	}
	return true;
}

static bool check_leaf(check_state_t *s, const btree_node_t *node, size_t depth)
{
	if (!s->seen_leaf) {
		s->seen_leaf = true;
		s->leaf_depth = depth;
	} else if (depth != s->leaf_depth) {
		return false;
	}
	if (s->next_leaf != &node->leaf_link)
		return false;
	s->next_leaf = node->leaf_link.next;
	s->keys += node->keys;
	return true;
}

static bool check_node(check_state_t *s, const btree_node_t *node, const btree_node_t *parent,
    size_t depth, const btree_key_t *lo, const btree_key_t *hi)
{
	size_t min = parent == NULL ? 1 : BTREE_MIN_KEYS;

	if (node->parent != parent || node->keys < min || node->keys > BTREE_MAX_KEYS ||
	    !check_keys(node, lo, hi))
		return false;
	if (node->leaf)
		return check_leaf(s, node, depth);
	for (size_t i = 0; i <= node->keys; i++) {
		const btree_key_t *sub_lo = i > 0 ? &node->key[i - 1] : lo;
		const btree_key_t *sub_hi = i < node->keys ? &node->key[i] : hi;
		if (node->subtree[i] == NULL ||
		    !check_node(s, node->subtree[i], node, depth + 1, sub_lo, sub_hi))
			return false;
	}
	return true;
}

errno_t btree_check(const btree_t *t)
{
	check_state_t s = {
		.next_leaf = t->leaves.head.next,
	};

	if (t->root == NULL) {
		bool ok = list_empty(&t->leaves) && t->count == 0;
		return ok ? EOK : EINVAL;
	}
	if (!check_node(&s, t->root, NULL, 0, NULL, NULL))
		return EINVAL;
	if (s.next_leaf != &t->leaves.head || s.keys != t->count)
		return EINVAL;
	return EOK;
}
