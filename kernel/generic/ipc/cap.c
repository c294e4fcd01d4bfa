/* Capability tables (see ipc/cap.h). */
#include <debug.h>
#include <ipc/cap.h>
#include <ipc/ipc.h>

void cap_table_init(cap_table_t *t)
{
	mutex_initialize(&t->lock, "caps");
	for (size_t i = 0; i < IPC_PHONES_MAX; i++) {
		t->slot[i].type = CAP_FREE;
		t->slot[i].object = NULL;
	}
	t->used = 0;
}

errno_t cap_alloc(
    cap_table_t *t, cap_type_t type, void *object, cap_handle_t want, cap_handle_t *out)
{
	assert(type != CAP_FREE && object);
	errno_t rc = ELIMIT;
	mutex_lock(&t->lock);
	if (want != CAP_NIL) {
		bool ok = want >= 0 && want < IPC_PHONES_MAX && t->slot[want].type == CAP_FREE;
		rc = ok ? EOK : EEXIST;
		*out = want;
	} else {
		for (cap_handle_t h = 0; h < IPC_PHONES_MAX && rc != EOK; h++) {
			if (t->slot[h].type == CAP_FREE) {
				*out = h;
				rc = EOK;
			}
		}
	}
	if (rc == EOK) {
		t->slot[*out].type = type;
		t->slot[*out].object = object;
		t->used++;
	}
	mutex_unlock(&t->lock);
	return rc;
}

/* Take slot @a h if it holds a @a type (and @a want, unless NULL). */
static errno_t cap_take_if(
    cap_table_t *t, cap_handle_t h, cap_type_t type, const void *want, void **object)
{
	if (h < 0 || h >= IPC_PHONES_MAX)
		return ENOENT;
	errno_t rc = ENOENT;
	mutex_lock(&t->lock);
	cap_slot_t *s = &t->slot[h];
	if (s->type == type && (!want || s->object == want)) {
		*object = s->object;
		s->type = CAP_FREE;
		s->object = NULL;
		t->used--;
		rc = EOK;
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

errno_t cap_phone_get(cap_table_t *t, cap_handle_t h, phone_t **out)
{
	if (h < 0 || h >= IPC_PHONES_MAX)
		return ENOENT;
	errno_t rc = ENOENT;
	mutex_lock(&t->lock);
	if (t->slot[h].type == CAP_PHONE) {
		*out = t->slot[h].object;
		phone_hold(*out);
		rc = EOK;
	}
	mutex_unlock(&t->lock);
	return rc;
}

size_t cap_used(cap_table_t *t)
{
	mutex_lock(&t->lock);
	size_t n = t->used;
	mutex_unlock(&t->lock);
	return n;
}
