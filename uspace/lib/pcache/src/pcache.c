/*
 * lib/pcache: page-cache bookkeeping (include/pcache/pcache.h has the
 * states and the rules).  Slots live in the caller's array; a hash of
 * (object, page) finds them; each slot is on at most one list: the free
 * list (FREE), the LRU list (CLEAN, least recently used at the head) or
 * the dirty list (DIRTY, the oldest at the head).  FILLING and WB slots
 * are on no list: the caller holds them until pcache_fill_end or
 * pcache_wb_end.
 */
#include <pcache/pcache.h>

#define NIL (-1)

static uint32_t pc_hash(const pcache_t *c, uint64_t obj, uint64_t idx)
{
	uint64_t h = (obj * 0x9e3779b97f4a7c15ull) ^ (idx * 0xc2b2ae3d27d4eb4full);
	h ^= h >> 31;
	return (uint32_t) h & (c->nbuckets - 1);
}

static pcache_list_t *pc_list_of(pcache_t *c, uint8_t state)
{
	switch (state) {
	case PCACHE_FREE:
		return &c->free;
	case PCACHE_CLEAN:
		return &c->clean;
	case PCACHE_DIRTY:
		return &c->dirty;
	default:
		return 0;
	}
}

static void pc_list_remove(pcache_t *c, pcache_list_t *l, int32_t s)
{
	pcache_slot_t *e = &c->slot[s];
	if (e->prev != NIL)
		c->slot[e->prev].next = e->next;
	else
		l->head = e->next;
	if (e->next != NIL)
		c->slot[e->next].prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NIL;
	l->count--;
}

static void pc_list_prepend(pcache_t *c, pcache_list_t *l, int32_t s)
{
	pcache_slot_t *e = &c->slot[s];
	e->prev = NIL;
	e->next = l->head;
	if (l->head != NIL)
		c->slot[l->head].prev = s;
	else
		l->tail = s;
	l->head = s;
	l->count++;
}

static void pc_list_append(pcache_t *c, pcache_list_t *l, int32_t s)
{
	pcache_slot_t *e = &c->slot[s];
	e->prev = l->tail;
	e->next = NIL;
	if (l->tail != NIL)
		c->slot[l->tail].next = s;
	else
		l->head = s;
	l->tail = s;
	l->count++;
}

/* Move the slots linked in a row from @a a to @a b (a first) to the tail
 * of @a l, in their order. */
static void pc_list_segment_to_tail(pcache_t *c, pcache_list_t *l, int32_t a, int32_t b)
{
	pcache_slot_t *ea = &c->slot[a], *eb = &c->slot[b];
	if (l->tail == b)
		return;
	/* off the list (b is not the tail: it has a next) */
	if (ea->prev != NIL)
		c->slot[ea->prev].next = eb->next;
	else
		l->head = eb->next;
	c->slot[eb->next].prev = ea->prev;
	/* onto the tail (not NIL: the slot after b is still on the list) */
	ea->prev = l->tail;
	c->slot[l->tail].next = a;
	eb->next = NIL;
	l->tail = b;
}

/* Move slot @a s to @a state: off its old list, onto the new one's tail. */
static void pc_set_state(pcache_t *c, int32_t s, uint8_t state)
{
	pcache_slot_t *e = &c->slot[s];
	pcache_list_t *from = pc_list_of(c, e->state);
	if (from)
		pc_list_remove(c, from, s);
	c->count[e->state]--;
	e->state = state;
	c->count[state]++;
	pcache_list_t *to = pc_list_of(c, state);
	if (to)
		pc_list_append(c, to, s);
}

static void pc_hash_insert(pcache_t *c, int32_t s)
{
	uint32_t b = pc_hash(c, c->slot[s].obj, c->slot[s].idx);
	c->slot[s].hnext = c->bucket[b];
	c->bucket[b] = s;
}

static void pc_hash_remove(pcache_t *c, int32_t s)
{
	int32_t *p = &c->bucket[pc_hash(c, c->slot[s].obj, c->slot[s].idx)];
	while (*p != s)
		p = &c->slot[*p].hnext;
	*p = c->slot[s].hnext;
	c->slot[s].hnext = NIL;
}

void pcache_init(pcache_t *c, pcache_slot_t *slots, uint32_t nslots, int32_t *buckets,
    uint32_t nbuckets, uint32_t dirty_max)
{
	*c = (pcache_t){ .slot = slots,
		.nslots = nslots,
		.bucket = buckets,
		.nbuckets = nbuckets,
		.dirty_max = dirty_max };
	c->free = c->clean = c->dirty = (pcache_list_t){ NIL, NIL, 0 };
	for (uint32_t b = 0; b < nbuckets; b++)
		buckets[b] = NIL;
	for (uint32_t s = 0; s < nslots; s++) {
		slots[s] = (pcache_slot_t){
			.hnext = NIL, .prev = NIL, .next = NIL, .state = PCACHE_FREE
		};
		pc_list_append(c, &c->free, (int32_t) s);
	}
	c->count[PCACHE_FREE] = nslots;
}

int32_t pcache_lookup(pcache_t *c, uint64_t obj, uint64_t idx)
{
	int32_t s = c->bucket[pc_hash(c, obj, idx)];
	while (s != NIL && (c->slot[s].obj != obj || c->slot[s].idx != idx))
		s = c->slot[s].hnext;
	if (s != NIL && c->slot[s].state == PCACHE_CLEAN) {
		pc_list_remove(c, &c->clean, s);
		pc_list_append(c, &c->clean, s);
	}
	return s;
}

uint32_t pcache_run(pcache_t *c, int32_t s, uint32_t max)
{
	const pcache_slot_t *e = &c->slot[s];
	uint32_t n = 1;
	int32_t seg = NIL, last = NIL; /* CLEAN slots of the run linked in a row, to move */
	/* slot s + n holds page idx + n of obj iff those are its key and it
	 * is not FREE (the key of every slot that is not is in the hash) */
	while (n < max && (uint32_t) s + n < c->nslots) {
		int32_t t = s + (int32_t) n;
		const pcache_slot_t *u = &c->slot[t];
		if (u->obj != e->obj || u->idx != e->idx + n || u->state != e->state)
			break;
		if (u->state == PCACHE_CLEAN) { /* most recently used: the run's order */
			if (seg != NIL && u->prev != last) {
				pc_list_segment_to_tail(c, &c->clean, seg, last);
				seg = NIL;
			}
			seg = seg == NIL ? t : seg;
			last = t;
		}
		n++;
	}
	if (seg != NIL)
		pc_list_segment_to_tail(c, &c->clean, seg, last);
	return n;
}

/* The least recently used CLEAN slot nobody pins, or NIL. */
static int32_t pc_evictable(const pcache_t *c)
{
	int32_t s = c->clean.head;
	while (s != NIL && c->slot[s].pins)
		s = c->slot[s].next;
	return s;
}

errno_t pcache_insert(
    pcache_t *c, uint64_t obj, uint64_t idx, int32_t *slot, pcache_victim_t *victim)
{
	victim->valid = false;
	if (pcache_lookup(c, obj, idx) != NIL)
		return EEXIST;
	int32_t s = c->free.head;
	if (s == NIL) {
		s = pc_evictable(c);
		if (s == NIL)
			return ENOMEM;
		*victim = (pcache_victim_t){ true, c->slot[s].obj, c->slot[s].idx };
		pc_hash_remove(c, s);
		c->evictions++;
	}
	pc_set_state(c, s, PCACHE_FILLING);
	pcache_slot_t *e = &c->slot[s];
	e->obj = obj;
	e->idx = idx;
	e->pins = 0;
	e->writing = 0;
	pc_hash_insert(c, s);
	*slot = s;
	return EOK;
}

bool pcache_evict_slot(pcache_t *c, int32_t s, pcache_victim_t *victim)
{
	victim->valid = false;
	if (c->slot[s].state != PCACHE_CLEAN || c->slot[s].pins)
		return false;
	*victim = (pcache_victim_t){ true, c->slot[s].obj, c->slot[s].idx };
	pc_hash_remove(c, s);
	pc_set_state(c, s, PCACHE_FREE);
	c->evictions++;
	return true;
}

int32_t pcache_evict(pcache_t *c, pcache_victim_t *victim)
{
	victim->valid = false;
	int32_t s = pc_evictable(c);
	if (s == NIL)
		return NIL;
	(void) pcache_evict_slot(c, s, victim);
	return s;
}

void pcache_age(pcache_t *c, int32_t s)
{
	if (c->slot[s].state != PCACHE_CLEAN)
		return;
	pc_list_remove(c, &c->clean, s);
	pc_list_prepend(c, &c->clean, s);
}

void pcache_fill_end(pcache_t *c, int32_t s, bool ok)
{
	if (ok) {
		pc_set_state(c, s, PCACHE_CLEAN);
		return;
	}
	pc_hash_remove(c, s);
	pc_set_state(c, s, PCACHE_FREE);
}

void pcache_pin(pcache_t *c, int32_t s)
{
	c->slot[s].pins++;
}

void pcache_unpin(pcache_t *c, int32_t s)
{
	c->slot[s].pins--;
}

bool pcache_mark_dirty(pcache_t *c, int32_t s, uint64_t now)
{
	pcache_slot_t *e = &c->slot[s];
	if (e->state == PCACHE_CLEAN || e->state == PCACHE_WB) {
		e->dirtied = now;
		pc_set_state(c, s, PCACHE_DIRTY);
	}
	return c->count[PCACHE_DIRTY] + c->count[PCACHE_WB] > c->dirty_max;
}

static void pc_wb_start(pcache_t *c, int32_t s)
{
	pc_set_state(c, s, PCACHE_WB);
	c->slot[s].writing = 1;
}

uint32_t pcache_wb_range(
    pcache_t *c, uint64_t obj, uint64_t first, uint64_t end, int32_t *out, uint32_t max)
{
	uint32_t n = 0;
	int32_t s = c->dirty.head;
	while (s != NIL && n < max) {
		int32_t next = c->slot[s].next;
		const pcache_slot_t *e = &c->slot[s];
		if (e->obj == obj && e->idx >= first && e->idx < end && !e->writing) {
			pc_wb_start(c, s);
			out[n++] = s;
		}
		s = next;
	}
	return n;
}

uint32_t pcache_wb_older(pcache_t *c, uint64_t before, int32_t *out, uint32_t max)
{
	uint32_t n = 0;
	int32_t s = c->dirty.head;
	while (s != NIL && n < max) { /* not ordered strictly by age: a failed write goes first */
		int32_t next = c->slot[s].next;
		if (!c->slot[s].writing && c->slot[s].dirtied < before) {
			pc_wb_start(c, s);
			out[n++] = s;
		}
		s = next;
	}
	return n;
}

void pcache_wb_end(pcache_t *c, int32_t s, errno_t err)
{
	pcache_slot_t *e = &c->slot[s];
	e->writing = 0;
	if (e->state != PCACHE_WB)
		return; /* stored into meanwhile: DIRTY, written again later */
	if (err == EOK) {
		pc_set_state(c, s, PCACHE_CLEAN);
	} else {
		pc_set_state(c, s, PCACHE_DIRTY);
		pc_list_remove(c, &c->dirty, s); /* retried first: to the head */
		pc_list_prepend(c, &c->dirty, s);
	}
}

uint32_t pcache_drop(pcache_t *c, uint64_t obj, uint64_t first, uint32_t *dropped)
{
	uint32_t busy = 0, gone = 0;
	for (uint32_t i = 0; i < c->nslots; i++) {
		pcache_slot_t *e = &c->slot[i];
		if (e->state == PCACHE_FREE || e->obj != obj || e->idx < first)
			continue;
		bool idle = (e->state == PCACHE_CLEAN || e->state == PCACHE_DIRTY) && !e->pins &&
		    !e->writing;
		if (!idle) {
			busy++;
			continue;
		}
		pc_hash_remove(c, (int32_t) i);
		pc_set_state(c, (int32_t) i, PCACHE_FREE);
		gone++;
	}
	if (dropped)
		*dropped = gone;
	return busy;
}

uint32_t pcache_obj_dirty(const pcache_t *c, uint64_t obj)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nslots; i++) {
		const pcache_slot_t *e = &c->slot[i];
		if (e->obj == obj && (e->state == PCACHE_DIRTY || e->state == PCACHE_WB))
			n++;
	}
	return n;
}
