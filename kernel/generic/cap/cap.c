/*
 * Capability tables (see cap/cap.h).  The *_locked helpers are static and
 * annotated REQUIRES(t->lock): the lockcheck suite (clang -Wthread-safety)
 * proves at build time that every caller holds the lock, so they carry no
 * run-time assertion of it (they are on the IPC fast path); the public
 * functions take the lock themselves.
 */
#include <cap/cap.h>
#include <debug.h>

static const cap_type_ops_t *cap_ops[CAP_TYPE_COUNT];

void cap_type_register(cap_type_t type, const cap_type_ops_t *ops)
{
	assert(type > CAP_FREE && type < CAP_TYPE_COUNT && ops && ops->close);
	cap_ops[type] = ops;
}

/* Unlink slot @a i from the list at @a head.  t->lock held. */
static inline void cap_list_remove(cap_table_t *t, uint16_t *head, uint16_t i)
{
	cap_slot_t *s = &t->slot[i];
	if (s->prev != CAP_SLOT_NONE)
		t->slot[s->prev].next = s->next;
	else
		*head = s->next;
	if (s->next != CAP_SLOT_NONE)
		t->slot[s->next].prev = s->prev;
}

/* Put slot @a i at the head of the list at @a head.  t->lock held. */
static inline void cap_list_push(cap_table_t *t, uint16_t *head, uint16_t i)
{
	cap_slot_t *s = &t->slot[i];
	s->prev = CAP_SLOT_NONE;
	s->next = *head;
	if (*head != CAP_SLOT_NONE)
		t->slot[*head].prev = i;
	*head = i;
}

void cap_table_init(cap_table_t *t)
{
	mutex_initialize(&t->lock, "caps");
	t->free_head = CAP_SLOT_NONE;
	t->used_head = CAP_SLOT_NONE;
	/* Pushed from the top down, so the lowest slots are handed out first. */
	for (int i = CAP_MAX - 1; i >= 0; i--) {
		t->slot[i] = (cap_slot_t){ .type = CAP_FREE };
		cap_list_push(t, &t->free_head, (uint16_t) i);
	}
	t->used = 0;
}

/* Slot @a i becomes @a object's.  t->lock held. */
static inline cap_handle_t cap_slot_use_locked(
    cap_table_t *t, uint16_t i, cap_type_t type, void *object) REQUIRES(t->lock)
{
	cap_slot_t *s = &t->slot[i];
	cap_list_remove(t, &t->free_head, i);
	cap_list_push(t, &t->used_head, i);
	s->type = (uint16_t) type;
	s->object = object;
	t->used++;
	return CAP_HANDLE_MAKE(i, s->gen);
}

/* Free slot @a i: its generation moves on, so its handles go stale.
 * t->lock held. */
static inline void cap_slot_free_locked(cap_table_t *t, uint16_t i) REQUIRES(t->lock)
{
	cap_slot_t *s = &t->slot[i];
	cap_list_remove(t, &t->used_head, i);
	cap_list_push(t, &t->free_head, i);
	s->type = CAP_FREE;
	s->object = NULL;
	s->gen = (s->gen + 1) & ((1u << CAP_GEN_BITS) - 1);
	t->used--;
}

errno_t cap_alloc(
    cap_table_t *t, cap_type_t type, void *object, cap_handle_t want, cap_handle_t *out)
{
	assert(type > CAP_FREE && type < CAP_TYPE_COUNT && object);
	errno_t rc = EOK;
	mutex_lock(&t->lock);
	if (want != CAP_NIL) {
		uint32_t i = CAP_HANDLE_INDEX(want);
		if (want < 0 || t->slot[i].type != CAP_FREE ||
		    t->slot[i].gen != CAP_HANDLE_GEN(want))
			rc = EEXIST;
		else
			*out = cap_slot_use_locked(t, (uint16_t) i, type, object);
	} else if (t->free_head == CAP_SLOT_NONE) {
		rc = ELIMIT;
	} else {
		*out = cap_slot_use_locked(t, t->free_head, type, object);
	}
	mutex_unlock(&t->lock);
	return rc;
}

/* The used slot @a h names if it holds a @a type: EOK and *slot, ENOENT or
 * ESTALE.  t->lock held. */
static inline errno_t cap_lookup_locked(
    cap_table_t *t, cap_handle_t h, cap_type_t type, cap_slot_t **slot) REQUIRES(t->lock)
{
	if (h < 0)
		return ENOENT;
	cap_slot_t *s = &t->slot[CAP_HANDLE_INDEX(h)];
	if (s->type == CAP_FREE)
		return ENOENT;
	if (s->gen != CAP_HANDLE_GEN(h))
		return ESTALE;
	if (s->type != type)
		return ENOENT;
	*slot = s;
	return EOK;
}

/* The used slot @a h names, of any type: EOK and *slot, ENOENT or ESTALE.
 * t->lock held. */
static inline errno_t cap_lookup_any_locked(cap_table_t *t, cap_handle_t h, cap_slot_t **slot)
    REQUIRES(t->lock)
{
	if (h < 0)
		return ENOENT;
	cap_slot_t *s = &t->slot[CAP_HANDLE_INDEX(h)];
	if (s->type == CAP_FREE)
		return ENOENT;
	if (s->gen != CAP_HANDLE_GEN(h))
		return ESTALE;
	*slot = s;
	return EOK;
}

/* Take slot @a h if it holds a @a type (and @a want, unless NULL). */
static errno_t cap_take_if(
    cap_table_t *t, cap_handle_t h, cap_type_t type, const void *want, void **object)
{
	cap_slot_t *s;
	mutex_lock(&t->lock);
	errno_t rc = cap_lookup_locked(t, h, type, &s);
	if (rc == EOK && want && s->object != want)
		rc = ENOENT;
	if (rc == EOK) {
		*object = s->object;
		cap_slot_free_locked(t, (uint16_t) CAP_HANDLE_INDEX(h));
	}
	mutex_unlock(&t->lock);
	return rc;
}

errno_t cap_take(cap_table_t *t, cap_handle_t h, cap_type_t type, void **object)
{
	return cap_take_if(t, h, type, NULL, object);
}

errno_t cap_take_obj(cap_table_t *t, cap_handle_t h, cap_type_t type, const void *object)
{
	void *got;
	assert(object);
	return cap_take_if(t, h, type, object, &got);
}

errno_t cap_get(cap_table_t *t, cap_handle_t h, cap_type_t type, void **object)
{
	cap_slot_t *s;
	assert(type > CAP_FREE && type < CAP_TYPE_COUNT && cap_ops[type] && cap_ops[type]->hold);
	mutex_lock(&t->lock);
	errno_t rc = cap_lookup_locked(t, h, type, &s);
	if (rc == EOK) {
		cap_ops[type]->hold(s->object);
		*object = s->object;
	}
	mutex_unlock(&t->lock);
	return rc;
}

void cap_table_close_all(cap_table_t *t)
{
	cap_table_close_except(t, NULL, 0);
}

static bool cap_handle_kept(cap_handle_t h, const cap_handle_t *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == h)
			return true;
	return false;
}

void cap_table_close_except(cap_table_t *t, const cap_handle_t *keep, size_t n)
{
	for (;;) {
		mutex_lock(&t->lock);
		uint16_t i = t->used_head;
		while (i != CAP_SLOT_NONE &&
		    cap_handle_kept(CAP_HANDLE_MAKE(i, t->slot[i].gen), keep, n))
			i = t->slot[i].next;
		if (i == CAP_SLOT_NONE) {
			mutex_unlock(&t->lock);
			return;
		}
		cap_type_t type = t->slot[i].type;
		void *object = t->slot[i].object;
		cap_slot_free_locked(t, i);
		mutex_unlock(&t->lock);
		/* Outside the lock: closing a phone answers calls and may free
		 * boxes (when the task ends, nothing of it reaches the table
		 * meanwhile; at SYS_TASK_EXEC, its one thread is here). */
		cap_ops[type]->close(object);
	}
}

size_t cap_used(cap_table_t *t)
{
	mutex_lock(&t->lock);
	size_t n = t->used;
	mutex_unlock(&t->lock);
	return n;
}

bool cap_holds(
    cap_table_t *t, cap_type_t type, bool (*match)(const void *object, uint64_t arg), uint64_t arg)
{
	bool found = false;
	mutex_lock(&t->lock);
	for (uint16_t i = t->used_head; i != CAP_SLOT_NONE && !found; i = t->slot[i].next)
		found = t->slot[i].type == type && match(t->slot[i].object, arg);
	mutex_unlock(&t->lock);
	return found;
}

errno_t cap_info(cap_table_t *t, cap_handle_t h, cap_info_t *out)
{
	cap_slot_t *s;
	*out = (cap_info_t){ 0 };
	mutex_lock(&t->lock);
	errno_t rc = cap_lookup_any_locked(t, h, &s);
	if (rc == EOK && cap_ops[s->type]->info)
		cap_ops[s->type]->info(s->object, out);
	mutex_unlock(&t->lock);
	return rc;
}

errno_t cap_drop(cap_table_t *t, cap_handle_t h)
{
	cap_slot_t *s;
	cap_type_t type = CAP_FREE;
	void *object = NULL;
	mutex_lock(&t->lock);
	errno_t rc = cap_lookup_any_locked(t, h, &s);
	if (rc == EOK && cap_ops[s->type]->no_drop)
		rc = EINVAL;
	if (rc == EOK) {
		type = s->type;
		object = s->object;
		cap_slot_free_locked(t, (uint16_t) CAP_HANDLE_INDEX(h));
	}
	mutex_unlock(&t->lock);
	/* Outside the lock, as when the task ends: closing may sleep. */
	if (rc == EOK)
		cap_ops[type]->close(object);
	return rc;
}

errno_t cap_get_shareable(cap_table_t *t, cap_handle_t h, cap_type_t *type, void **object)
{
	cap_slot_t *s;
	mutex_lock(&t->lock);
	errno_t rc = cap_lookup_any_locked(t, h, &s);
	if (rc == EOK && !cap_ops[s->type]->shareable)
		rc = EINVAL;
	if (rc == EOK) {
		cap_ops[s->type]->hold(s->object);
		*type = s->type;
		*object = s->object;
	}
	mutex_unlock(&t->lock);
	return rc;
}

void cap_object_close(cap_type_t type, void *object)
{
	assert(
	    type > CAP_FREE && type < CAP_TYPE_COUNT && cap_ops[type] && cap_ops[type]->shareable);
	cap_ops[type]->close(object);
}

void cap_object_hold(cap_type_t type, void *object)
{
	assert(
	    type > CAP_FREE && type < CAP_TYPE_COUNT && cap_ops[type] && cap_ops[type]->shareable);
	cap_ops[type]->hold(object);
}
