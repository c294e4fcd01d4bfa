/*
 * Intrusive circular doubly-linked lists.
 *
 * A list_t holds a sentinel link; an element embeds a link_t and is recovered
 * with list_get_instance().  No function here allocates or fails.
 */
#ifndef COMMON_ADT_LIST_H_
#define COMMON_ADT_LIST_H_

#include <stdbool.h>
#include <stddef.h>

typedef struct link {
	struct link *prev;
	struct link *next;
} link_t;

typedef struct list {
	link_t head;
} list_t;

#define list_get_instance(link, type, member) \
	((type *) (((char *) (link)) - offsetof(type, member)))

static inline void link_initialize(link_t *link)
{
	link->prev = NULL;
	link->next = NULL;
}

static inline bool link_in_use(const link_t *link)
{
	return link->prev != NULL && link->next != NULL;
}

static inline void list_initialize(list_t *list)
{
	list->head.prev = &list->head;
	list->head.next = &list->head;
}

static inline bool list_empty(const list_t *list)
{
	return list->head.next == &list->head;
}

/* Insert @a link right after @a pred. */
static inline void list_insert_after(link_t *link, link_t *pred)
{
	link->prev = pred;
	link->next = pred->next;
	pred->next->prev = link;
	pred->next = link;
}

/* Insert @a link right before @a succ. */
static inline void list_insert_before(link_t *link, link_t *succ)
{
	list_insert_after(link, succ->prev);
}

static inline void list_prepend(link_t *link, list_t *list)
{
	list_insert_after(link, &list->head);
}

static inline void list_append(link_t *link, list_t *list)
{
	list_insert_before(link, &list->head);
}

static inline void list_remove(link_t *link)
{
	link->prev->next = link->next;
	link->next->prev = link->prev;
	link_initialize(link);
}

static inline link_t *list_first(const list_t *list)
{
	return list_empty(list) ? NULL : list->head.next;
}

static inline link_t *list_last(const list_t *list)
{
	return list_empty(list) ? NULL : list->head.prev;
}

static inline link_t *list_next(const link_t *link, const list_t *list)
{
	return link->next == &list->head ? NULL : link->next;
}

static inline link_t *list_prev(const link_t *link, const list_t *list)
{
	return link->prev == &list->head ? NULL : link->prev;
}

static inline size_t list_count(const list_t *list)
{
	size_t n = 0;
	for (const link_t *l = list->head.next; l != &list->head; l = l->next)
		n++;
	return n;
}

#define list_foreach(list, iter) \
	for (link_t *iter = (list).head.next; iter != &(list).head; iter = iter->next)

#endif
