/*
 * The pager backend: areas whose pages come from a user-space pager.
 *
 * Records.  An area is bound to an object record (pager_obj_t) named by
 * (the pager's answerbox, the badge of the connection the area was bound
 * through, the object id).  Objects are named per connection: a task
 * binding an id through its own connection never reaches the record (or
 * the pages) of an object another connection bound -- the pager sees every
 * page-in with the binder's own badge and decides.  Records are found by
 * hash on that triple (pager_records).  The records of one (box, id), one
 * per badge, hang off a name (pager_name_t, found by hash on (box, id) in
 * pager_names), because revoke and set-size act on every connection's
 * record of the id.  A record owns a phone of its own to the pager, made
 * with it, so page-ins and notices keep working however the client's
 * phones come and go (a shared copy of an area in another task outlives
 * the phone it was created through).  A record leaves the tables with its
 * last area and is freed once no page-in uses it any more.
 *
 * Notices.  A record tells the pager OBJECT_REF when it is made and
 * OBJECT_UNREF when its last area goes.  Both calls are made with the
 * record, so the UNREF can always be sent.  The notices sent to a box and
 * not yet released (answered, or failed) are counted in the box
 * (answerbox_t.pager_notices: the count drops in the calls' cleanup hook,
 * when the call goes).  A bind that would make a record while PAGER_NOTICES_MAX are
 * outstanding is refused with ELIMIT: the binder pays for a pager that
 * does not read its box, and the kernel's memory does not.  UNREFs are
 * never refused, so every REF the pager got is followed by its UNREF:
 * nothing is lost.  (Queued notices are thus bounded by PAGER_NOTICES_MAX
 * plus one UNREF per live record, and records by the areas bound.)
 *
 * Hangups.  A pager forgets the objects a client connection created and
 * never bound once the connection closes (lib/pager does).  The notices
 * cannot tell it "never bound": the REF of a bind made just before the
 * hangup may still wait in its box (the box hands hangups out before
 * queued calls) or be in the hands of another of its threads.  So it
 * asks, per object, whether a record of (its box, the badge, the id)
 * exists (pager_bound, SYS_PAGER_BOUND).  For a closed connection the
 * answer is final: pager_area_bind reads the binding phone's callee under
 * pager_lock and makes the record in the same hold, and phone_close
 * clears the callee before it queues the hangup; so a bind racing the
 * close either made its record before the pager can have heard of the
 * close (the pager's question waits for pager_lock), or finds the phone
 * hung up (EHANGUP).  A record that exists has sent its REF (with the
 * record, under pager_lock), so a pager that keeps the object hears its
 * REF and, with the last area, its UNREF: nothing is kept for ever.  (A
 * share can make a record again through a record's own phone, which the
 * client does not hold -- as_share_create after the source's last area
 * went -- but by then the object's UNREF was sent: a pager that counts
 * forgets the object with it anyway.)  Rejected: the kernel waiting for
 * the pager's answer to the REF at bind (a bind holds as->lock, which is
 * never held across a wait for a pager, and a pager that does not read
 * its box would stall every binder); a count of the connection's records
 * in the hangup notice (phone_close makes it for every server alike, and
 * a count does not say which objects); an order of events kept by the
 * pager alone (the order in which it receives them is not the order they
 * were sent, and only the kernel knows either).
 *
 * Faults (pager_page_fault).  Under as->lock: the page's object offset is
 * checked against the object's size, the run of unmapped pages to ask for
 * is measured (read-ahead within the area, one used-space look-up: at most
 * PAGER_RUN_MAX pages, or PAGER_RUN_SEQ_MAX when the fault is at the page
 * right after the last run mapped in the area, PAGE_IN_SEQUENTIAL) and the
 * record's pending page-ins (keyed by object offset: the first in a slot
 * of the record, more in a B+tree, so the usual lone fault allocates no
 * tree node) are looked up.  A page-in in flight whose run covers the page
 * is joined: the fault waits for its answer instead of asking again,
 * whichever address space it comes from, since an answer is the object's
 * pages, not an area's.  Otherwise the fault enters a page-in of its own
 * and asks.  Then as->lock is RELEASED and the asker sleeps in a kernel
 * call to the pager (bounded by the pager timeout, interruptible by task
 * death).  The answer is checked against the pager's own page tables under
 * the pager's as->lock (one walk for the run), and a frame reference is
 * taken for every page while it is known to be the pager's (the run holds
 * them).  Then the run is settled and every fault that joined it wakes.
 * Each takes its own as->lock, looks its area up afresh (it may have been
 * unmapped, resized or split meanwhile: then that fault just ends and the
 * access is retried), checks that the granted rights cover its own access
 * (else it retries, and asks itself) and maps the pages not mapped by now,
 * with the granted rights cut to its own area's and with its area's
 * caching, in one pass (pager_map_run): the run's pages from its own up to
 * the first one mapped meanwhile or the area's end, one page-table walk
 * per leaf table, and one used-space insert for them all, merged with its
 * neighbours (if that insert finds no memory, none of them stays mapped).
 * Each mapping takes its own frame reference and the run's go with the run
 * -- except that an asker nobody joined takes the run's references over,
 * and settles, reads the run and leaves it in one pass under its as->lock.
 *
 * Revoke.  SYS_PAGER_REVOKE first cuts every run of the id's records that
 * the pager has answered (in flight, or settled and not yet mapped by all
 * its faults) and that overlaps the range: the run keeps only its pages
 * below the range (run->limit).  So an answer the pager gave before a
 * revoke is never mapped over it, and its pages outside the range stay
 * valid.  A page-in not answered yet is left alone: its answer comes after
 * the revoke and is the pager's word on the new state (a pager that
 * revokes a page and then answers for it, as copy-on-write does, loses
 * nothing).  SYS_PAGER_SET_SIZE cuts every run at the size, answered or
 * not: no page at or beyond it is mapped, and the pages below stay (a
 * set-size inside a page-in drops nothing it need not).  Then every
 * address space with an area of the id loses the range's mappings.  A
 * fault reads the limit and maps under its as->lock, which the unmapping
 * takes after the cut: either the fault sees the cut, or its mapping is in
 * place before the unmapping looks.
 *
 * Write-protect.  SYS_PAGER_WRITE_PROTECT (the start of a write-back: the
 * next store to the pages must reach the pager) is a revoke that keeps
 * the mappings: every answered run that overlaps the range keeps its
 * pages but maps them from the range's start on without the write right
 * (run->wlimit, a second limit beside run->limit; a write fault whose own
 * page lost it maps nothing and retries, so the pager sees the store);
 * then every address space with an area of the id is visited as for a
 * revoke and the range's resident pages of its writable areas lose
 * PAGE_WRITE in place (same frame, other rights kept, TLB synced).  The
 * same ordering argument holds, with wlimit for limit: no answer given
 * before the protect maps a page writable after it.  Nothing is unmapped
 * and the used space does not change, so the visit allocates nothing and
 * cannot fail: the only failure after the checks is ENOMEM for the list
 * of address spaces when an object has more areas than the request lists
 * on the stack, and that comes before anything changed.
 *
 * Failure.  An error answer, a refused answer (logged with the rule it
 * broke), a timeout or the pager's death (its box answers EHANGUP) fails
 * exactly the asking fault; the faults that joined it retry their access
 * (and ask themselves); every frame reference is dropped with the run.
 * A fault whose page cannot be mapped for want of memory (a page table,
 * the used-space record) fails with ENOMEM: retrying would ask the pager
 * again and fail the same way, for as long as memory stays out.
 *
 * A registered pager's death (mm/pager_role.c has the rules).  When a
 * pager that holds a role dies with records, its box is dead but the
 * records stay, with their areas.  Only records the pager ACCEPTED are
 * kept for a successor.  Any task can bind an area, through its own
 * connection, to an id of its choosing; the pager then fails its
 * page-ins, but the record exists, and a successor that trusts the ids
 * it is offered (the file pager's say which file, with which rights)
 * must never be handed one the dead pager did not make for that
 * connection.  The kernel cannot read the pager's mind; what it sees is
 * an answer: a record is accepted once its pager supplied a page of it
 * (a page-in of that record -- that badge -- answered EOK and taken,
 * pager_fault_settle; pager_box_seal also counts an answer taken just
 * before the death whose asker has not settled yet).  Revoke, set-size
 * and write-protect do not accept: they name an id, not a connection, so
 * they act on a crafted record of the same id too.  A takeover clears
 * the mark: the successor accepts the record anew by answering.  So a
 * mapping whose pages were never supplied before the death (bound, never
 * touched) is not kept either.  pager_box_seal (under the roles' lock)
 * cuts every run of the records (no answer given before the death is
 * mapped after it) and counts the accepted; pager_box_orphan unmaps
 * every page they have mapped, one address space at a time (whole areas,
 * so the used space needs no memory), because the successor cannot know
 * which of those pages were dirty.  It first counts, per record, the
 * pages mapped with the write right: a write-back pager maps a page
 * writable only while it is dirty (docs/pager-abi.md "Write-back"), so
 * that is a lower bound of the stores the dead pager had not written
 * back.  Each object page counts once per record however many areas map
 * it (a B+tree of the offsets seen, per record, for the pass; an offset
 * that cannot be remembered for want of memory is not counted).  The
 * count goes to the successor in the record's adopted OBJECT_REF.  A
 * fault whose page-in fails with EHANGUP then waits (no lock held) for a
 * successor, at most the pager timeout, and retries its access -- if its
 * record was accepted; else it fails at once, as with an unregistered
 * pager (and a fault that finds its record taken over meanwhile retries
 * at once).  pager_area_bind makes no new record at a dead box
 * (EHANGUP); an area bound to an existing one (a share, a piece) still
 * joins it.  The takeover (pager_box_adopt, under pager_lock) first
 * makes every accepted record a phone to the successor and its adopted
 * OBJECT_REF, and a fresh name for every name that also has records
 * never accepted (ENOMEM, or EBUSY when the successor has a name of one
 * of the ids, before anything changed); then it moves the names (re-keyed
 * in place, or the accepted records to the fresh name: the others stay
 * at the dead box under the old one; the table has buckets, so no memory
 * is needed) and the records to the successor's box in the hash tables,
 * swaps each record's box and phone under its lock, and sends the REFs.
 * The records left at the dead box live on like an unregistered pager's,
 * until their areas go.  A fault reads the record's phone (with a
 * reference) under the record's lock when it enters its page-in, so the
 * swap is safe; an area's own phone reference (as_area_t.pager.phone)
 * keeps naming the phone it was bound through, and sharing takes the
 * record's (pager_area_phone).
 *
 * Locks, in order: (mm/pager_role.c's pager_role_lock ->) as->lock ->
 * pager_lock -> a record's lock (the role lock is never held with an
 * as->lock: a takeover holds it and pager_lock, a death revokes without
 * it); a delivery
 * (notices, under pager_lock) then takes the phone's and the answerbox's
 * locks, as a bind does to read its phone, and page tables their
 * spinlocks.  pager_lock protects both hash
 * tables, the names, the records' area lists and counts and the areas'
 * pager links; a record's lock its size, its pending and settled runs and
 * the run fields marked so.  No as->lock is held across the kernel call,
 * and never two at once: revoke takes pager_lock and the records' locks,
 * drops them, then takes each as->lock (and pager_lock inside it again).
 * The calls' cleanup hook (pager_call_cleanup), run wherever a call's last
 * reference goes, takes none of these locks.  Checked: every *_locked
 * function asserts its lock and declares it (REQUIRES) for clang's lock
 * analysis (the lockcheck suite), the hash tables are GUARDED_BY
 * pager_lock, and pager_page_fault says it RELEASEs the as->lock it gets.
 */
#include <abi/as.h>
#include <abi/task.h>
#include <adt/btree.h>
#include <console/console.h>
#include <debug.h>
#include <ipc/ipc.h>
#include <ipc/method.h>
#include <mm/as.h>
#include <mm/frame.h>
#include <mm/malloc.h>
#include <mm/page.h>
#include <mm/pager.h>
#include <proc/task.h>
#include <proc/thread.h>

/* An element of a hash table, with its hash (kept for growing). */
typedef struct pager_hlink {
	link_t link;
	uint64_t hash;
} pager_hlink_t;

/* A chained hash table.  The buckets double when the table holds as many
 * elements as buckets (if memory allows; else the chains grow), halve when
 * it holds fewer than a quarter, and go when it is empty, so the table's
 * memory follows what it holds. */
typedef struct pager_hash {
	list_t *bucket; /* NULL while empty */
	size_t size; /* buckets: a power of two, 0 while empty */
	size_t count;
} pager_hash_t;

#define PAGER_HASH_MIN 64

/* Every record of one object id at one pager (one per badge). */
typedef struct pager_name {
	pager_hlink_t hl; /* pager_names */
	answerbox_t *box; /* identity only: the records hold the box */
	uint64_t id;
	uint64_t size; /* the pager's set-size: what new records start with */
	list_t records; /* pager_obj_t.name_link */
} pager_name_t;

struct pager_obj {
	pager_hlink_t hl; /* pager_records (pager_lock) */
	link_t name_link; /* name->records (pager_lock) */
	pager_name_t *name; /* pager_lock; NULL once out of the tables */
	/* the pager's box and the record's own phone to it (both held);
	 * changed only by a takeover (pager_box_adopt), under pager_lock and
	 * the record's lock: either lock reads them */
	answerbox_t *box;
	phone_t *phone;
	uint64_t id; /* constant */
	uint64_t badge; /* the binding connection's badge (constant) */
	/* a takeover's, made before it commits (pager_lock) */
	phone_t *adopt_phone;
	call_t *adopt_ref;
	list_t areas; /* as_area_t.pager.obj_link (pager_lock) */
	size_t nareas; /* pager_lock */
	call_t *unref; /* the OBJECT_UNREF notice, made with the record (pager_lock) */
	/* its pager's death (pager_lock): pages it had mapped writable, and,
	 * while pager_box_orphan counts them, their object offsets */
	uint64_t lost;
	btree_t lost_pages;
	unsigned refs; /* atomic: one while in the tables, one per linked run */
	mutex_t lock; /* protects the fields below */
	/* the pager it is bound to answered a page-in of it (pager_fault_settle,
	 * pager_box_seal); a takeover clears it */
	bool accepted;
	uint64_t size; /* faults at or beyond fail with ERANGE */
	pager_run_t *pending_one; /* a page-in asked, not answered (or NULL) */
	btree_t pending; /* object offset -> the others asked, not answered */
	list_t settled; /* pager_run_t answered, still to be mapped */
	condvar_t settled_cv; /* a run of this record settled */
};

/*
 * call_t.run of a kernel call to a pager.  A notice's carries only the
 * first two fields.  A page-in's is made by the asking fault and held by
 * the call (until the call is released) and by the record while faults use
 * it (linked: in pending, then in settled).
 */
struct pager_run {
	bool notice; /* a REF/UNREF notice's */
	answerbox_t *notice_box; /* a sent notice: the box it counts at (held) */
	unsigned refs; /* atomic: the call's hold, the record's link */
	/* the request (constant once asked) */
	uint64_t object; /* the object id asked for */
	uint64_t objoff; /* object offset of the first page asked for */
	size_t wanted; /* pages asked for */
	unsigned area_flags; /* the asking area's AS_AREA_* flags */
	unsigned right; /* the right the asking access needs */
	/* the answer (written by pager_answer_take before it is delivered) */
	unsigned rights; /* granted */
	size_t got; /* frames referenced in pa[] */
	bool answered; /* atomic: an answer was taken (revokes cut it from now) */
	/* the record's lock */
	link_t link; /* record->settled, once settled */
	size_t limit; /* pages from the first that no revoke cut off */
	size_t wlimit; /* pages from the first that no write-protect cut off */
	unsigned users; /* faults that will map from it: the asker, the joiners */
	bool settled; /* answered, failed or abandoned */
	errno_t rc; /* the page-in's result, once settled */
	uintptr_t pa[]; /* wanted for a page-in, none for a notice */
};

uint64_t pager_timeout_us = PAGER_TIMEOUT_DEFAULT_MS * 1000ULL;

static mutex_t pager_lock;
static pager_hash_t pager_records GUARDED_BY(pager_lock); /* (box, badge, id) -> pager_obj_t */
static pager_hash_t pager_names GUARDED_BY(pager_lock); /* (box, id) -> pager_name_t */

/* ---- hash tables (pager_lock) ---- */

static uint64_t pager_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static uint64_t pager_hash_key(const answerbox_t *box, uint64_t badge, uint64_t id)
{
	return pager_mix(pager_mix(pager_mix((uintptr_t) box) ^ badge) ^ id);
}

static list_t *pager_hash_chain(const pager_hash_t *h, uint64_t hash)
{
	return h->size ? &h->bucket[hash & (h->size - 1)] : NULL;
}

/* Move every element into @a size new buckets; false (nothing changed)
 * without memory. */
static bool pager_hash_resize_locked(pager_hash_t *h, size_t size) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	list_t *b = malloc(size * sizeof(*b));
	if (!b)
		return false;
	for (size_t i = 0; i < size; i++)
		list_initialize(&b[i]);
	for (size_t i = 0; i < h->size; i++) {
		while (!list_empty(&h->bucket[i])) {
			link_t *l = list_first(&h->bucket[i]);
			list_remove(l);
			list_append(
			    l, &b[list_get_instance(l, pager_hlink_t, link)->hash & (size - 1)]);
		}
	}
	free(h->bucket);
	h->bucket = b;
	h->size = size;
	return true;
}

/* ENOMEM only when the table has no buckets yet and none can be made. */
static errno_t pager_hash_insert_locked(pager_hash_t *h, pager_hlink_t *e, uint64_t hash)
    REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	if (h->size == 0 && !pager_hash_resize_locked(h, PAGER_HASH_MIN))
		return ENOMEM;
	if (h->count >= h->size)
		(void) pager_hash_resize_locked(h, 2 * h->size); /* else longer chains */
	e->hash = hash;
	list_append(&e->link, pager_hash_chain(h, hash));
	h->count++;
	return EOK;
}

static void pager_hash_remove_locked(pager_hash_t *h, pager_hlink_t *e) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	assert(h->count > 0);
	list_remove(&e->link);
	if (--h->count == 0) {
		free(h->bucket);
		h->bucket = NULL;
		h->size = 0;
	} else if (h->size > PAGER_HASH_MIN && h->count < h->size / 4) {
		(void) pager_hash_resize_locked(h, h->size / 2); /* else it stays big */
	}
}

static pager_name_t *pager_name_find_locked(answerbox_t *box, uint64_t id) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	uint64_t hash = pager_hash_key(box, 0, id);
	list_t *chain = pager_hash_chain(&pager_names, hash);
	if (!chain)
		return NULL;
	list_foreach(*chain, l)
	{
		pager_name_t *n = list_get_instance(l, pager_name_t, hl.link);
		if (n->hl.hash == hash && n->box == box && n->id == id)
			return n;
	}
	return NULL;
}

static pager_obj_t *pager_obj_find_locked(answerbox_t *box, uint64_t badge, uint64_t id)
    REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	uint64_t hash = pager_hash_key(box, badge, id);
	list_t *chain = pager_hash_chain(&pager_records, hash);
	if (!chain)
		return NULL;
	list_foreach(*chain, l)
	{
		pager_obj_t *o = list_get_instance(l, pager_obj_t, hl.link);
		if (o->hl.hash == hash && o->box == box && o->badge == badge && o->id == id)
			return o;
	}
	return NULL;
}

size_t pager_record_count(void)
{
	mutex_lock(&pager_lock);
	size_t n = pager_records.count;
	mutex_unlock(&pager_lock);
	return n;
}

size_t pager_record_chain_max(void)
{
	size_t max = 0;
	mutex_lock(&pager_lock);
	for (size_t i = 0; i < pager_records.size; i++) {
		size_t n = list_count(&pager_records.bucket[i]);
		max = n > max ? n : max;
	}
	mutex_unlock(&pager_lock);
	return max;
}

/* ---- notices ---- */

unsigned pager_notices_pending(answerbox_t *box)
{
	return __atomic_load_n(&box->pager_notices, __ATOMIC_ACQUIRE);
}

/* A notice call of @a method for a record, not sent yet (NULL: no
 * memory).  Its hooks are set now, so that it is cleaned up even if it is
 * never sent. */
static call_t *pager_notice_make(uint64_t method)
{
	call_t *c = call_create();
	pager_run_t *t = calloc(1, sizeof(*t));
	if (!c || !t) {
		free(t);
		if (c)
			call_release(c);
		return NULL;
	}
	t->notice = true;
	c->msg.method = method;
	c->ops = ipc_method_ops(method);
	c->run = t;
	return c;
}

/* Send the record's notice @a c.  From here until the call goes (answered
 * or refused) it counts against the pager's box. */
static void pager_notice_send_locked(pager_obj_t *o, call_t *c) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	pager_run_t *t = c->run;
	answerbox_hold(o->box);
	t->notice_box = o->box;
	__atomic_add_fetch(&o->box->pager_notices, 1, __ATOMIC_ACQ_REL);
	c->msg.arg[0] = o->id;
	if (ipc_call_deliver(o->phone, c) != EOK)
		call_release(c); /* a dead pager needs no news (uncounted again) */
}

/* ---- records ---- */

static void pager_obj_free(pager_obj_t *o)
{
	assert(o->nareas == 0 && !o->pending_one && btree_count(&o->pending) == 0 &&
	    list_empty(&o->settled));
	if (o->unref)
		call_release(o->unref);
	if (o->phone)
		phone_release(o->phone); /* released, not hung up: that would cancel the UNREF */
	if (o->box)
		answerbox_release(o->box);
	btree_destroy(&o->pending);
	btree_destroy(&o->lost_pages);
	free(o);
}

static void pager_obj_put(pager_obj_t *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0)
		pager_obj_free(o);
}

/* A record for (box, badge, id) with its phone and its UNREF, out of the
 * tables; *ref gets its REF notice.  NULL: no memory. */
static pager_obj_t *pager_obj_alloc(answerbox_t *box, uint64_t badge, uint64_t id, call_t **ref)
{
	pager_obj_t *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	btree_create(&o->pending);
	btree_create(&o->lost_pages);
	list_initialize(&o->areas);
	list_initialize(&o->settled);
	answerbox_hold(box);
	o->box = box;
	o->phone = phone_create(box, badge);
	o->unref = pager_notice_make(IPC_M_PAGER_OBJECT_UNREF);
	*ref = pager_notice_make(IPC_M_PAGER_OBJECT_REF);
	if (!o->phone || !o->unref || !*ref) {
		if (*ref)
			call_release(*ref);
		pager_obj_free(o);
		return NULL;
	}
	o->badge = badge;
	o->id = id;
	o->size = UINT64_MAX;
	o->refs = 1; /* the tables' */
	mutex_initialize(&o->lock, "pager-object");
	condvar_initialize(&o->settled_cv);
	return o;
}

/* Put @a o in the tables (and its name, made if it is the first record of
 * the id).  ENOMEM with nothing changed. */
static errno_t pager_obj_insert_locked(pager_obj_t *o) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	pager_name_t *n = pager_name_find_locked(o->box, o->id);
	bool fresh = n == NULL;
	if (fresh) {
		n = calloc(1, sizeof(*n));
		if (!n)
			return ENOMEM;
		*n = (pager_name_t){ .box = o->box, .id = o->id, .size = UINT64_MAX };
		list_initialize(&n->records);
		if (pager_hash_insert_locked(
		        &pager_names, &n->hl, pager_hash_key(o->box, 0, o->id)) != EOK) {
			free(n);
			return ENOMEM;
		}
	}
	uint64_t hash = pager_hash_key(o->box, o->badge, o->id);
	if (pager_hash_insert_locked(&pager_records, &o->hl, hash) != EOK) {
		if (fresh) {
			pager_hash_remove_locked(&pager_names, &n->hl);
			free(n);
		}
		return ENOMEM;
	}
	o->name = n;
	o->size = n->size; /* (nobody else sees o yet) */
	list_append(&o->name_link, &n->records);
	return EOK;
}

/* Make the record of (box, badge, id) and tell the pager OBJECT_REF.
 * ELIMIT (too many notices unanswered), ENOMEM; nothing changed then. */
static errno_t pager_obj_create_locked(
    answerbox_t *box, uint64_t badge, uint64_t id, pager_obj_t **out) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	if (pager_notices_pending(box) >= PAGER_NOTICES_MAX)
		return ELIMIT;
	call_t *ref = NULL;
	pager_obj_t *o = pager_obj_alloc(box, badge, id, &ref);
	if (!o)
		return ENOMEM;
	if (pager_obj_insert_locked(o) != EOK) {
		call_release(ref);
		pager_obj_free(o);
		return ENOMEM;
	}
	pager_notice_send_locked(o, ref);
	*out = o;
	return EOK;
}

/* The last area of @a o went: out of the tables, OBJECT_UNREF to the
 * pager, and the tables' reference goes. */
static void pager_obj_retire_locked(pager_obj_t *o) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	assert(o->nareas == 0 && o->name != NULL);
	pager_name_t *n = o->name;
	pager_hash_remove_locked(&pager_records, &o->hl);
	list_remove(&o->name_link);
	if (list_empty(&n->records)) {
		pager_hash_remove_locked(&pager_names, &n->hl);
		free(n);
	}
	o->name = NULL;
	call_t *c = o->unref;
	o->unref = NULL;
	pager_notice_send_locked(o, c);
	pager_obj_put(o);
}

/* Attach @a area to @a o (a record in the tables). */
static void pager_obj_attach_locked(pager_obj_t *o, as_area_t *area, uint64_t offset)
    REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	assert(o->name != NULL);
	area->pager.obj = o;
	area->pager.object = o->id;
	area->pager.offset = offset;
	phone_hold(o->phone);
	area->pager.phone = o->phone;
	list_append(&area->pager.obj_link, &o->areas);
	o->nareas++;
}

static bool pager_box_active(answerbox_t *box)
{
	mutex_lock(&box->lock);
	bool active = box->active;
	mutex_unlock(&box->lock);
	return active;
}

/* The phone is read under pager_lock, so that no record of a connection
 * is made once its hangup can have reached the pager ("Hangups" above). */
errno_t pager_area_bind(as_area_t *area, phone_t *phone, uint64_t object, uint64_t offset)
{
	errno_t rc = EOK;
	mutex_lock(&pager_lock);
	mutex_lock(&phone->lock);
	answerbox_t *box = phone->callee;
	uint64_t badge = phone->badge;
	if (box)
		answerbox_hold(box);
	mutex_unlock(&phone->lock);
	pager_obj_t *o = box ? pager_obj_find_locked(box, badge, object) : NULL;
	if (!box)
		rc = EHANGUP;
	else if (!o && !pager_box_active(box))
		rc = EHANGUP; /* a dead pager's record is kept, never made */
	else if (!o)
		rc = pager_obj_create_locked(box, badge, object, &o);
	if (rc == EOK)
		pager_obj_attach_locked(o, area, offset);
	mutex_unlock(&pager_lock);
	if (box)
		answerbox_release(box);
	return rc;
}

errno_t pager_bound(answerbox_t *box, uint64_t object, uint64_t badge)
{
	mutex_lock(&pager_lock);
	bool found = pager_obj_find_locked(box, badge, object) != NULL;
	mutex_unlock(&pager_lock);
	return found ? EOK : ENOENT;
}

errno_t pager_area_bind_like(as_area_t *area, const as_area_t *model, uint64_t offset)
{
	mutex_lock(&pager_lock);
	pager_obj_attach_locked(model->pager.obj, area, offset);
	mutex_unlock(&pager_lock);
	return EOK;
}

void pager_area_unbind(as_area_t *area)
{
	pager_obj_t *o = area->pager.obj;
	if (!o)
		return;
	mutex_lock(&pager_lock);
	list_remove(&area->pager.obj_link);
	area->pager.obj = NULL;
	if (--o->nareas == 0)
		pager_obj_retire_locked(o);
	mutex_unlock(&pager_lock);
	phone_release(area->pager.phone);
	area->pager.phone = NULL;
}

/* ---- runs ---- */

static void pager_run_put(pager_run_t *r)
{
	if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < r->got; i++) {
		if (r->pa[i]) /* 0: its reference went to a mapping */
			frame_ref_drop(r->pa[i]);
	}
	free(r);
}

/* A call's hold on @a run goes (pager_call_cleanup). */
static void pager_run_release(pager_run_t *run)
{
	if (!run->notice) {
		pager_run_put(run);
		return;
	}
	if (run->notice_box) {
		__atomic_sub_fetch(&run->notice_box->pager_notices, 1, __ATOMIC_ACQ_REL);
		answerbox_release(run->notice_box);
	}
	free(run);
}

/* How a request cuts the runs that overlap its range [lo, hi). */
typedef enum pager_cut {
	PAGER_CUT_ANSWERED, /* revoke: an answered run keeps only its pages below lo */
	PAGER_CUT_ALL, /* set-size: every run, answered or not, likewise */
	PAGER_CUT_WRITE, /* write-protect: an answered run maps its pages from lo
	                  * on without the write right */
} pager_cut_t;

/* Cut @a r at [lo, hi) as @a cut says. */
static void pager_run_cut_locked(
    pager_obj_t *o, pager_run_t *r, uint64_t lo, uint64_t hi, pager_cut_t cut) REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	uint64_t end = r->objoff + r->wanted * PAGE_SIZE;
	if (lo >= hi || hi <= r->objoff || lo >= end)
		return;
	if (cut != PAGER_CUT_ALL && !__atomic_load_n(&r->answered, __ATOMIC_ACQUIRE))
		return;
	size_t keep = lo <= r->objoff ? 0 : (size_t) ((lo - r->objoff) / PAGE_SIZE);
	size_t *limit = cut == PAGER_CUT_WRITE ? &r->wlimit : &r->limit;
	if (keep < *limit)
		*limit = keep;
}

/* Cut the runs of @a o that overlap [lo, hi) as @a cut says. */
static void pager_obj_cut_locked(pager_obj_t *o, uint64_t lo, uint64_t hi, pager_cut_t cut)
    REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	btree_iter_t it;
	/* a run starts at most PAGER_RUN_SEQ_MAX - 1 pages before a page it covers */
	uint64_t back = (uint64_t) PAGER_RUN_SEQ_MAX * PAGE_SIZE;
	if (o->pending_one)
		pager_run_cut_locked(o, o->pending_one, lo, hi, cut);
	bool more = btree_iter_ge(&o->pending, lo > back ? lo - back : 0, &it);
	for (; more && btree_iter_key(&it) < hi; more = btree_iter_next(&it))
		pager_run_cut_locked(o, btree_iter_value(&it), lo, hi, cut);
	list_foreach(o->settled, l)
	{
		pager_run_cut_locked(o, list_get_instance(l, pager_run_t, link), lo, hi, cut);
	}
}

static bool pager_run_covers(const pager_run_t *r, uint64_t objoff)
{
	return objoff >= r->objoff && objoff - r->objoff < r->wanted * PAGE_SIZE;
}

/* The page-in in flight whose run covers @a objoff, or NULL. */
static pager_run_t *pager_pending_find_locked(pager_obj_t *o, uint64_t objoff) REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	btree_key_t key;
	void *value;
	if (o->pending_one && pager_run_covers(o->pending_one, objoff))
		return o->pending_one;
	if (btree_find_le(&o->pending, objoff, &key, &value) != EOK)
		return NULL;
	return pager_run_covers(value, objoff) ? value : NULL;
}

/* Enter @a r (no run in flight starts at its offset): ENOMEM. */
static errno_t pager_pending_insert_locked(pager_obj_t *o, pager_run_t *r) REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	if (!o->pending_one) {
		o->pending_one = r;
		return EOK;
	}
	return btree_insert(&o->pending, r->objoff, r);
}

static void pager_pending_remove_locked(pager_obj_t *o, pager_run_t *r) REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	if (o->pending_one == r) {
		o->pending_one = NULL;
		return;
	}
	errno_t rc = btree_remove(&o->pending, r->objoff);
	assert(rc == EOK);
	(void) rc;
}

/* Publish the page-in's result; a run that others joined stays linked (in
 * settled) and they wake.  Returns whether the asker is its only user. */
static bool pager_run_settle_locked(pager_obj_t *o, pager_run_t *r, errno_t rc) REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	r->rc = rc;
	r->settled = true;
	pager_pending_remove_locked(o, r);
	if (r->users == 1)
		return true;
	list_append(&r->link, &o->settled);
	condvar_broadcast(&o->settled_cv);
	return false;
}

/* ---- the fault path ---- */

/* What an asker whose page-in met a dead pager (EHANGUP) does. */
typedef enum pager_hangup {
	PAGER_HANGUP_FAIL, /* the record was never accepted: fail at once */
	PAGER_HANGUP_WAIT, /* accepted: wait for a successor, then retry */
	PAGER_HANGUP_RETRY, /* a successor took the record over meanwhile */
} pager_hangup_t;

typedef struct pager_fault {
	as_t *as;
	as_area_t *area; /* as found under as->lock (revalidated later) */
	pager_obj_t *obj; /* the area's record when the fault began */
	uintptr_t page; /* the faulting page */
	unsigned access; /* FAULT_ACCESS_* */
	unsigned right; /* the AS_AREA_* right the access needs */
	bool upgrade; /* mapped without the needed right: replace it */
	unsigned mapped; /* upgrade: the rights the page has now */
	unsigned hints; /* PAGE_IN_* for the pager */
	uint64_t objoff; /* object offset of the faulting page */
	size_t ahead; /* pages to ask for: the faulting one and those unmapped after it */
	pager_run_t *run; /* the page-in this fault maps from (one of its users) */
	bool asker; /* this fault asks the pager; else it joined the asker */
	phone_t *phone; /* the asker's: the record's phone when it entered (held) */
	answerbox_t *box; /* the asker's: its box then (identity only) */
	pager_hangup_t hangup; /* the asker's, after an EHANGUP: what to do */
} pager_fault_t;

static unsigned pager_access_right(unsigned access)
{
	return access == FAULT_ACCESS_WRITE ? AS_AREA_WRITE
	    : access == FAULT_ACCESS_EXEC   ? AS_AREA_EXEC
	                                    : AS_AREA_READ;
}

/* Does a mapping with page flags @a pf allow the right @a right? */
static bool pager_pf_allows(unsigned pf, unsigned right)
{
	return right == AS_AREA_WRITE ? (pf & PAGE_WRITE) != 0
	    : right == AS_AREA_EXEC   ? (pf & PAGE_EXEC) != 0
	                              : true;
}

/* The AS_AREA_* rights a user mapping with page flags @a pf gives. */
static unsigned pager_pf_rights(unsigned pf)
{
	if (!(pf & PAGE_USER))
		return 0;
	return AS_AREA_READ | ((pf & PAGE_WRITE) ? AS_AREA_WRITE : 0) |
	    ((pf & PAGE_EXEC) ? AS_AREA_EXEC : 0);
}

/* A page-in run for @a f, not yet entered (NULL: no memory). */
static pager_run_t *pager_run_make(const pager_fault_t *f)
{
	pager_run_t *r = malloc(sizeof(*r) + f->ahead * sizeof(r->pa[0]));
	if (!r)
		return NULL;
	*r = (pager_run_t){ .refs = 1, /* the record's link */
		.object = f->obj->id,
		.objoff = f->objoff,
		.wanted = f->ahead,
		.area_flags = f->area->flags,
		.right = f->right,
		.users = 1 };
	r->limit = r->wlimit = r->wanted;
	return r;
}

/* Join the page-in in flight that covers the page, or enter @a fresh as a
 * new one (this fault asks).  ERANGE at or beyond the object's size. */
static errno_t pager_fault_enter_locked(pager_fault_t *f, pager_run_t *fresh) REQUIRES(f->obj->lock)
{
	pager_obj_t *o = f->obj;
	mutex_assert_held(&o->lock); /* (o is f->obj: tells the analysis) */
	if (f->objoff >= o->size)
		return ERANGE;
	pager_run_t *r = pager_pending_find_locked(o, f->objoff);
	if (r) {
		r->users++;
		f->run = r;
		return EOK;
	}
	uint64_t left = (o->size - f->objoff) / PAGE_SIZE;
	if (left > 0 && fresh->wanted > left)
		fresh->wanted = fresh->limit = fresh->wlimit = (size_t) left;
	if (pager_pending_insert_locked(o, fresh) != EOK)
		return ENOMEM;
	__atomic_add_fetch(&o->refs, 1, __ATOMIC_ACQ_REL); /* the run's link */
	f->run = fresh;
	f->asker = true;
	phone_hold(o->phone); /* a takeover may replace it meanwhile */
	f->phone = o->phone;
	f->box = o->box;
	return EOK;
}

/* Describe the fault under as->lock: EOK with f->run (a page-in to ask or
 * to wait for), EOK without one when the page is mapped as needed by now,
 * ERANGE at or beyond the object's size, ENOMEM. */
static errno_t pager_fault_prepare(pager_fault_t *f)
{
	as_area_t *a = f->area;
	mutex_assert_held(&f->as->lock);
	f->obj = a->pager.obj;
	f->objoff = a->pager.offset + (f->page - a->base);
	f->right = pager_access_right(f->access);
	/* the faulting page and the unmapped ones after it in the area (one
	 * used-space look-up), more of them for a reader going forwards: the
	 * run to ask for, or 0 when the page is mapped */
	bool seq = a->pager.seq_next == f->page;
	size_t max = seq ? PAGER_RUN_SEQ_MAX : PAGER_RUN_MAX;
	size_t left = (size_t) ((a->base + a->pages * PAGE_SIZE - f->page) / PAGE_SIZE);
	f->ahead = used_space_unused_from(&a->used, f->page, left < max ? left : max);
	if (f->ahead == 0) {
		uintptr_t pa;
		unsigned pf;
		if (page_mapping_find(&f->as->pt, f->page, &pa, &pf) != EOK ||
		    pager_pf_allows(pf, f->right))
			return EOK;
		f->upgrade = true;
		f->ahead = 1;
		f->mapped = pager_pf_rights(pf);
		f->hints |= PAGE_IN_UPGRADE;
	} else if (seq) {
		f->hints |= PAGE_IN_SEQUENTIAL;
	}
	pager_run_t *fresh = pager_run_make(f);
	if (!fresh)
		return ENOMEM;
	mutex_lock(&f->obj->lock);
	errno_t rc = pager_fault_enter_locked(f, fresh);
	mutex_unlock(&f->obj->lock);
	if (f->run != fresh)
		free(fresh);
	return rc;
}

/* Ask the pager (as->lock NOT held): the page-in's result, with the
 * frames in the run on EOK.  The run is settled by the caller. */
static errno_t pager_fault_ask(pager_fault_t *f)
{
	pager_run_t *r = f->run;
	call_t *c = call_create();
	if (!c)
		return ENOMEM;
	uint64_t arg4 = f->hints |
	    (uint64_t) (r->area_flags & AS_AREA_RIGHTS) << PAGE_IN_RIGHTS_SHIFT |
	    (uint64_t) f->mapped << PAGE_IN_MAPPED_SHIFT;
	c->msg = (ipc_msg_t){ .method = IPC_M_PAGE_IN,
		.arg = { r->object, f->objoff, r->wanted, f->access, arg4 } };
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
	c->run = r; /* the call's hold, dropped when the call goes */
	errno_t rc = ipc_kcall_wait(f->phone, c, pager_timeout_us);
	if (rc == ETIMEOUT)
		printf("pager: no answer to a page-in of object %llu within %llu ms\n",
		    (unsigned long long) r->object, (unsigned long long) (pager_timeout_us / 1000));
	if (rc == EOK)
		rc = c->retval;
	if (rc == EOK && r->got == 0)
		rc = EINVAL;
	call_release(c);
	return rc;
}

/* Wait until the page-in this fault joined is settled: EOK (whatever its
 * result), or EINTR (the task is ending). */
static errno_t pager_fault_join(pager_fault_t *f)
{
	pager_obj_t *o = f->obj;
	errno_t rc = EOK;
	mutex_lock(&o->lock);
	while (!f->run->settled && rc == EOK)
		rc = condvar_wait_flags(&o->settled_cv, &o->lock, 0, WAITQ_INTERRUPTIBLE);
	if (f->run->settled)
		rc = EOK;
	mutex_unlock(&o->lock);
	return rc;
}

/* How a fault maps from its run: the pages valid (no revoke cut them),
 * those of them that may be mapped writable (no write-protect cut them),
 * and whether it takes the run's frame references over (the only user). */
typedef struct pager_take {
	size_t valid;
	size_t writable;
	bool steal;
} pager_take_t;

/* An upgrade: the faulting page, mapped at @a va without the right the
 * access needs, gets the run's frame @a *pa (with @a t->steal its
 * reference goes to the mapping and *pa becomes 0) unless another fault
 * gave it the right meanwhile.  EOK, or EEXIST: stop, replaced by now. */
static errno_t pager_map_replace(
    pager_fault_t *f, uintptr_t va, uintptr_t *pa, unsigned pf, const pager_take_t *t)
{
	as_t *as = f->as;
	uintptr_t old;
	unsigned of;
	if (page_mapping_find(&as->pt, va, &old, &of) != EOK || pager_pf_allows(of, f->right))
		return EEXIST;
	if (!t->steal)
		frame_ref_add(*pa);
	page_mapping_update(&as->pt, va, *pa, pf);
	as_tlb_sync(as, va, 1);
	frame_ref_drop(PAGE_ALIGN_DOWN(old));
	if (t->steal)
		*pa = 0;
	return EOK;
}

/* What a fault maps from its run into its area: the page flags of the
 * pages a write-protect left writable and of those it cut. */
typedef struct pager_map {
	unsigned pf;
	unsigned pf_ro;
} pager_map_t;

/* Unmap the @a n pages from @a va just mapped (their used space could not
 * be recorded). */
static void pager_map_undo(as_t *as, uintptr_t va, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page_mapping_remove(&as->pt, va + i * PAGE_SIZE);
	as_tlb_sync(as, va, n);
}

/* Map the run's pages @a pa[0..n) at @a va in one pass: as many as are
 * unmapped in a row there, the first @a nw of them with m->pf and the rest
 * with m->pf_ro, recorded as one used-space interval (merged with its
 * neighbours).  Each mapping takes a frame reference (with @a t->steal the
 * run's: its pa[i] becomes 0).  *mapped: the pages mapped, all from the
 * first; EOK, or ENOMEM when a page table or the used-space record could
 * not be had (nothing of it is mapped then but the pages before a missing
 * page table). */
static errno_t pager_map_run(pager_fault_t *f, as_area_t *a, uintptr_t va, uintptr_t *pa, size_t n,
    size_t nw, const pager_map_t *m, const pager_take_t *t, size_t *mapped)
{
	as_t *as = f->as;
	size_t done = 0, more = 0;
	n = used_space_unused_from(&a->used, va, n); /* pages mapped meanwhile end it */
	*mapped = 0;
	if (n == 0)
		return EOK;
	nw = nw < n ? nw : n;
	if (!t->steal) {
		bool held = frame_ref_add_many(pa, n); /* (the run holds them) */
		assert(held);
		(void) held;
	}
	errno_t rc = page_mapping_insert_run(&as->pt, va, pa, nw, m->pf, &done);
	if (rc == EOK && nw < n) {
		rc = page_mapping_insert_run(
		    &as->pt, va + done * PAGE_SIZE, pa + done, n - nw, m->pf_ro, &more);
		done += more;
	}
	if (done > 0 && used_space_insert(&a->used, va, done) != EOK) {
		pager_map_undo(as, va, done);
		done = 0;
		rc = ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (t->steal && i < done)
			pa[i] = 0; /* the run's reference went to the mapping */
		else if (!t->steal && i >= done)
			frame_ref_drop(pa[i]);
	}
	as->rss += done;
	*mapped = done;
	return rc == EEXIST ? EOK : rc; /* (the used space said unmapped) */
}

/* Is @a a still the area the fault began in, bound the same way? */
static bool pager_fault_area_same(const pager_fault_t *f, const as_area_t *a)
{
	return a == f->area && a->backend == AS_BACKEND_PAGER && a->pager.obj == f->obj &&
	    a->pager.offset + (f->page - a->base) == f->objoff;
}

/* Map the answered run from the faulting page on into the faulting area,
 * if it is still the same area and the grant covers this access; pages
 * mapped meanwhile by someone else end the run.  ENOMEM if the faulting
 * page itself could not be mapped for want of memory: the fault fails
 * (asking the pager again would fail the same way, silently and for as
 * long as memory stays out); EOK otherwise, mapped or not (the access is
 * retried).  as->lock held (since the valid pages were read). */
static errno_t pager_fault_map(pager_fault_t *f, const pager_take_t *t)
{
	pager_run_t *r = f->run;
	as_area_t *a = as_area_find(f->as, f->page);
	mutex_assert_held(&f->as->lock);
	if (r->rc != EOK || !pager_fault_area_same(f, a))
		return EOK;
	/* the granted rights within the area's; without write from the
	 * first page a write-protect cut off */
	unsigned rights = r->rights & a->flags & (AS_AREA_READ | AS_AREA_WRITE | AS_AREA_EXEC);
	unsigned ro = rights & ~AS_AREA_WRITE;
	size_t i = (size_t) ((f->objoff - r->objoff) / PAGE_SIZE);
	if (i >= t->valid)
		return EOK; /* a revoke cut the page off: it asks again */
	if (!((i < t->writable ? rights : ro) & f->right))
		return EOK; /* not enough for this access: it asks itself */
	/* ... and the area's caching */
	pager_map_t m = { .pf = as_area_page_flags(rights | (a->flags & AS_AREA_UNCACHED)),
		.pf_ro = as_area_page_flags(ro | (a->flags & AS_AREA_UNCACHED)) };
	uintptr_t va = f->page;
	size_t used = 0;
	errno_t rc = EOK;
	if (f->upgrade && used_space_contains(&a->used, va)) {
		rc = pager_map_replace(f, va, &r->pa[i], i < t->writable ? m.pf : m.pf_ro, t);
		used = rc == EOK;
		i++;
		va += PAGE_SIZE;
	}
	if (rc == EOK && i < t->valid) {
		size_t n = t->valid - i, mapped;
		size_t room = (size_t) ((a->base + a->pages * PAGE_SIZE - va) / PAGE_SIZE);
		rc = pager_map_run(f, a, va, &r->pa[i], n < room ? n : room,
		    t->writable > i ? t->writable - i : 0, &m, t, &mapped);
		used += mapped;
	}
	if (used > 0 && !f->upgrade)
		a->pager.seq_next = f->page + used * PAGE_SIZE;
	return used == 0 && rc == ENOMEM ? ENOMEM : EOK;
}

static size_t pager_run_valid(const pager_run_t *r)
{
	return r->got < r->limit ? r->got : r->limit;
}

/* This fault is done with its run: the last user unlinks it. */
static void pager_fault_leave(pager_fault_t *f)
{
	pager_obj_t *o = f->obj;
	pager_run_t *r = f->run;
	mutex_lock(&o->lock);
	bool last = --r->users == 0;
	if (last) {
		assert(r->settled); /* the asker is a user until it settled */
		list_remove(&r->link);
	}
	mutex_unlock(&o->lock);
	if (last) {
		pager_run_put(r);
		pager_obj_put(o);
	}
}

/* The asker, with the page-in's result @a rc: settle the run and map from
 * it (*map_rc: what the mapping met, pager_fault_map).  Alone (nobody
 * joined), it reads the run, takes its frames over and leaves it in the
 * same pass; joined, the others wake and it leaves like them.  as->lock
 * held: the valid pages are read and mapped under it.  true: it was
 * alone, and the run and the record are still to be put. */
static bool pager_fault_settle(pager_fault_t *f, errno_t rc, errno_t *map_rc)
{
	pager_obj_t *o = f->obj;
	pager_run_t *r = f->run;
	mutex_lock(&o->lock);
	if (rc == EOK && o->box == f->box)
		o->accepted = true; /* its pager supplied a page of it */
	if (rc == EHANGUP)
		f->hangup = o->box != f->box ? PAGER_HANGUP_RETRY
		    : o->accepted            ? PAGER_HANGUP_WAIT
		                             : PAGER_HANGUP_FAIL;
	bool alone = pager_run_settle_locked(o, r, rc);
	pager_take_t t = { .valid = pager_run_valid(r), .writable = r->wlimit, .steal = alone };
	if (alone)
		r->users = 0;
	mutex_unlock(&o->lock);
	*map_rc = pager_fault_map(f, &t);
	if (!alone)
		pager_fault_leave(f);
	return alone;
}

/* A joiner whose run settled: map what it can (as->lock held); as
 * pager_fault_map. */
static errno_t pager_fault_map_joined(pager_fault_t *f)
{
	mutex_lock(&f->obj->lock);
	pager_take_t t = {
		.valid = pager_run_valid(f->run), .writable = f->run->wlimit, .steal = false
	};
	mutex_unlock(&f->obj->lock);
	return pager_fault_map(f, &t);
}

errno_t pager_page_fault(as_t *as, as_area_t *area, uintptr_t addr, unsigned access)
    RELEASE(as->lock)
{
	assert(mutex_locked_by_me(&as->lock));
	pager_fault_t f = {
		.as = as, .area = area, .page = PAGE_ALIGN_DOWN(addr), .access = access
	};
	errno_t rc = pager_fault_prepare(&f);
	if (rc != EOK || !f.run) {
		mutex_unlock(&as->lock);
		return rc;
	}
	as_hold(as);
	mutex_unlock(&as->lock);
	/* an asker fails with the pager's result; a joiner retries its access */
	if (f.asker) {
		errno_t map_rc = EOK;
		uint64_t object = f.run->object;
		rc = pager_fault_ask(&f);
		phone_release(f.phone);
		mutex_lock(&as->lock);
		bool alone = pager_fault_settle(&f, rc, &map_rc);
		mutex_unlock(&as->lock);
		rc = rc == EOK ? map_rc : rc;
		if (alone) { /* it left the run, which nobody else sees */
			pager_run_put(f.run);
			pager_obj_put(f.obj);
		}
		/* a registered pager died: wait for its successor, then retry */
		if (rc == EHANGUP &&
		    (f.hangup == PAGER_HANGUP_RETRY ||
		        pager_role_orphan_wait(f.box, object, f.hangup == PAGER_HANGUP_WAIT)))
			rc = EOK;
	} else {
		rc = pager_fault_join(&f);
		if (rc == EOK) {
			mutex_lock(&as->lock);
			rc = pager_fault_map_joined(&f);
			mutex_unlock(&as->lock);
		}
		pager_fault_leave(&f);
	}
	as_release(as);
	return rc;
}

/* ---- answers ---- */

/* The rule the answer's shape breaks, or NULL (then r->rights is set). */
static const char *pager_answer_rule(pager_run_t *r, const ipc_msg_t *ans)
{
	uintptr_t addr = ans->arg[0];
	uint64_t n = ans->arg[1];
	if (n == 0 || n > r->wanted)
		return "pages must be 1 .. pages wanted";
	if (!PAGE_ALIGNED(addr))
		return "address not page aligned";
	if (addr < AS_USER_FLOOR || addr > AS_USER_TOP || (AS_USER_TOP - addr) / PAGE_SIZE < n)
		return "run outside the user half";
	if (ans->arg[2] & ~(uint64_t) AS_AREA_RIGHTS)
		return "rights outside AS_AREA_RIGHTS";
	unsigned rights = (unsigned) ans->arg[2];
	if (!(rights & r->right))
		return "rights without the faulting access";
	if (rights & ~r->area_flags)
		return "rights beyond the area's (PAGE_IN_RIGHTS)";
	r->rights = rights;
	return NULL;
}

/* Take a frame reference on each page of the run at @a addr in the pager's
 * address space @a pas (its page tables read in one pass, the references
 * taken under one lock): the rule broken, or NULL (r->pa and r->got set). */
static const char *pager_answer_frames(pager_run_t *r, as_t *pas, uintptr_t addr, size_t n)
{
	unsigned pf[PAGER_RUN_SEQ_MAX];
	const char *rule = NULL;
	mutex_lock(&pas->lock);
	size_t found = page_mapping_find_run(&pas->pt, addr, n, r->pa, pf);
	for (size_t i = 0; i < n && !rule; i++) {
		if (i >= found || !(pf[i] & PAGE_USER))
			rule = "page not mapped in the pager";
		else if ((r->rights & AS_AREA_WRITE) && !(pf[i] & PAGE_WRITE))
			rule = "write granted on a page the pager cannot write";
	}
	/* while they are the pager's; device memory is no frame of ours */
	if (!rule && !frame_ref_add_many(r->pa, n))
		rule = "page not mapped in the pager";
	if (!rule)
		r->got = n;
	mutex_unlock(&pas->lock);
	return rule;
}

errno_t pager_answer_take(call_t *c, const ipc_msg_t *ans, task_t *pager)
{
	pager_run_t *r = c->run;
	if (!r || r->notice || !pager || !pager->as)
		return EINVAL;
	const char *rule = pager_answer_rule(r, ans);
	if (!rule)
		rule = pager_answer_frames(r, pager->as, ans->arg[0], (size_t) ans->arg[1]);
	if (!rule) {
		__atomic_store_n(&r->answered, true, __ATOMIC_RELEASE);
		return EOK;
	}
	printf("pager: task %llu (%s) answered a page-in of object %llu wrongly: %s\n",
	    (unsigned long long) pager->id, pager->name, (unsigned long long) r->object, rule);
	return EINVAL;
}

/* ---- the hooks of the pager's methods (ipc/method.h) ---- */

/* A page-in answered EOK, in the answerer's context: the frames, while
 * they are the pager's. */
static errno_t pager_page_in_answer(task_t *answerer, call_t *c, ipc_msg_t *args, bool *wb)
{
	(void) wb;
	return pager_answer_take(c, args, answerer);
}

/* The last reference to a pager call went: its hold on the run goes (a
 * page-in's frames with the run's last hold; a notice stops counting). */
static void pager_call_cleanup(call_t *c)
{
	if (c->run)
		pager_run_release(c->run);
	c->run = NULL;
}

/* The kernel's calls to pagers (abi/pager.h): only the kernel sends them. */
static const ipc_method_ops_t pager_page_in_ops = {
	.name = "page-in",
	.answer = pager_page_in_answer,
	.cleanup = pager_call_cleanup,
};
static const ipc_method_ops_t pager_ref_ops = {
	.name = "pager-object-ref",
	.cleanup = pager_call_cleanup,
};
static const ipc_method_ops_t pager_unref_ops = {
	.name = "pager-object-unref",
	.cleanup = pager_call_cleanup,
};
static const ipc_method_ops_t pager_sync_ops = { .name = "pager-sync" };

void pager_init(void)
{
	ipc_method_register(IPC_M_PAGE_IN, &pager_page_in_ops);
	ipc_method_register(IPC_M_PAGER_OBJECT_REF, &pager_ref_ops);
	ipc_method_register(IPC_M_PAGER_OBJECT_UNREF, &pager_unref_ops);
	ipc_method_register(IPC_M_PAGER_SYNC, &pager_sync_ops);
	mutex_initialize(&pager_lock, "pager");
}

/* ---- pager requests ---- */

typedef enum pager_req_kind {
	PAGER_REQ_REVOKE,
	PAGER_REQ_SET_SIZE,
	PAGER_REQ_WRITE_PROTECT,
} pager_req_kind_t;

/* Address spaces a request lists without allocating (the usual object is
 * mapped in a few). */
#define PAGER_REQ_AS_LOCAL 8

/* A revoke, set-size or write-protect, and the address spaces it has to
 * visit. */
typedef struct pager_req {
	answerbox_t *box; /* the pager's */
	uint64_t object;
	uint64_t lo, hi; /* the object range to revoke or write-protect */
	pager_req_kind_t kind;
	uint64_t size; /* set-size */
	as_t **as; /* held, each once: local, or allocated when more */
	size_t nas;
	as_t *local[PAGER_REQ_AS_LOCAL];
} pager_req_t;

/* The part [lo, hi) of the object that @a a maps, as pages: false if none. */
static bool pager_area_span(const as_area_t *a, uint64_t lo, uint64_t hi, uintptr_t *va, size_t *n)
{
	uint64_t a0 = a->pager.offset, a1 = a0 + a->pages * PAGE_SIZE;
	uint64_t s = lo > a0 ? lo : a0, e = hi < a1 ? hi : a1;
	if (s >= e)
		return false;
	*va = a->base + (s - a0);
	*n = (size_t) ((e - s) / PAGE_SIZE);
	return true;
}

/* Unmap the resident part of [va, va + pages) of area @a a, interval by
 * interval (each used-space change splits at most one interval).  ENOMEM
 * leaves the rest mapped.  as->lock held. */
static errno_t pager_area_revoke(as_t *as, as_area_t *a, uintptr_t va, size_t pages)
    REQUIRES(as->lock)
{
	uintptr_t end = va + pages * PAGE_SIZE, base;
	size_t count, removed;
	assert(mutex_locked_by_me(&as->lock));
	while (va < end && used_space_next(&a->used, va, &base, &count) == EOK && base < end) {
		uintptr_t s = base > va ? base : va;
		uintptr_t e = base + count * PAGE_SIZE < end ? base + count * PAGE_SIZE : end;
		errno_t rc = used_space_clear(&a->used, s, (e - s) / PAGE_SIZE, &removed);
		if (rc != EOK)
			return rc;
		for (uintptr_t p = s; p < e; p += PAGE_SIZE) {
			uintptr_t pa;
			unsigned pf;
			if (page_mapping_find(&as->pt, p, &pa, &pf) != EOK)
				continue;
			page_mapping_remove(&as->pt, p);
			as_tlb_sync(as, p, 1);
			frame_ref_drop(PAGE_ALIGN_DOWN(pa));
			as->rss--;
		}
		va = e;
	}
	return EOK;
}

/* Take the write right from the writable pages of a run of mapped pages
 * (a used_space_walk_range callback; @a arg is the address space, whose
 * lock is held).  The pages keep their frames and other rights; the used
 * space does not change, so nothing is allocated. */
static bool pager_pages_write_protect(void *arg, uintptr_t base, size_t count)
{
	as_t *as = arg;
	uintptr_t lo = 0, hi = 0; /* the pages changed: [lo, hi) */
	for (uintptr_t va = base; va < base + count * PAGE_SIZE; va += PAGE_SIZE) {
		uintptr_t pa;
		unsigned pf;
		if (page_mapping_find(&as->pt, va, &pa, &pf) != EOK || !(pf & PAGE_WRITE))
			continue;
		(void) page_mapping_protect(&as->pt, va, pf & ~PAGE_WRITE); /* found: EOK */
		lo = hi ? lo : va;
		hi = va + PAGE_SIZE;
	}
	if (hi)
		as_tlb_sync(as, lo, (hi - lo) / PAGE_SIZE);
	return true;
}

/* Write-protect the resident part of [va, va + pages) of area @a a.
 * Never fails.  as->lock held. */
static void pager_area_write_protect(as_t *as, as_area_t *a, uintptr_t va, size_t pages)
    REQUIRES(as->lock)
{
	assert(mutex_locked_by_me(&as->lock));
	if (a->flags & AS_AREA_WRITE) /* else none of its pages is writable */
		(void) used_space_walk_range(&a->used, va, pages, pager_pages_write_protect, as);
}

/* Do the request's part in the areas of @a as bound to @a o. */
static errno_t pager_obj_as_visit_locked(as_t *as, pager_obj_t *o, const pager_req_t *q)
    REQUIRES(as->lock, pager_lock)
{
	errno_t rc = EOK;
	assert(mutex_locked_by_me(&as->lock) && mutex_locked_by_me(&pager_lock));
	list_foreach(o->areas, l)
	{
		as_area_t *a = list_get_instance(l, as_area_t, pager.obj_link);
		uintptr_t va;
		size_t pages;
		if (a->as != as || !pager_area_span(a, q->lo, q->hi, &va, &pages))
			continue;
		if (q->kind == PAGER_REQ_WRITE_PROTECT) {
			pager_area_write_protect(as, a, va, pages);
			continue;
		}
		errno_t arc = pager_area_revoke(as, a, va, pages);
		rc = rc == EOK ? arc : rc;
	}
	return rc;
}

/* Do the request's part in every area of @a as bound to a record of the
 * id.  as->lock, then pager_lock (the lock order): no split or trim of
 * this address space can be half done meanwhile, so every piece is seen. */
static errno_t pager_as_visit(as_t *as, const pager_req_t *q)
{
	errno_t rc = EOK;
	mutex_lock(&as->lock);
	mutex_lock(&pager_lock);
	pager_name_t *n = pager_name_find_locked(q->box, q->object);
	if (n) {
		list_foreach(n->records, l)
		{
			pager_obj_t *o = list_get_instance(l, pager_obj_t, name_link);
			errno_t orc = pager_obj_as_visit_locked(as, o, q);
			rc = rc == EOK ? orc : rc;
		}
	}
	mutex_unlock(&pager_lock);
	mutex_unlock(&as->lock);
	return rc;
}

static pager_cut_t pager_req_cut(const pager_req_t *q)
{
	return q->kind == PAGER_REQ_SET_SIZE     ? PAGER_CUT_ALL
	    : q->kind == PAGER_REQ_WRITE_PROTECT ? PAGER_CUT_WRITE
	                                         : PAGER_CUT_ANSWERED;
}

/* One record of the request: its size set, its runs cut, its areas'
 * address spaces collected (an address space being destroyed is skipped:
 * its areas go anyway). */
static void pager_req_record_locked(pager_req_t *q, pager_obj_t *o) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	mutex_lock(&o->lock);
	if (q->kind == PAGER_REQ_SET_SIZE)
		o->size = q->size;
	pager_obj_cut_locked(o, q->lo, q->hi, pager_req_cut(q));
	mutex_unlock(&o->lock);
	list_foreach(o->areas, al)
	{
		as_t *as = list_get_instance(al, as_area_t, pager.obj_link)->as;
		bool seen = false;
		for (size_t i = 0; i < q->nas && !seen; i++)
			seen = q->as[i] == as;
		if (!seen && as_try_hold(as))
			q->as[q->nas++] = as;
	}
}

/* Find the id's records, set their size, cut their runs and collect the
 * address spaces to visit.  ENOENT (no area is bound to the id), ENOMEM;
 * nothing changed then. */
static errno_t pager_req_collect(pager_req_t *q)
{
	errno_t rc = ENOENT;
	mutex_lock(&pager_lock);
	pager_name_t *n = pager_name_find_locked(q->box, q->object);
	if (n) {
		size_t max = 0;
		list_foreach(n->records, l)
		{
			max += list_get_instance(l, pager_obj_t, name_link)->nareas;
		}
		q->as = max <= PAGER_REQ_AS_LOCAL ? q->local : malloc(max * sizeof(*q->as));
		rc = q->as ? EOK : ENOMEM;
	}
	if (rc == EOK) {
		if (q->kind == PAGER_REQ_SET_SIZE)
			n->size = q->size;
		list_foreach(n->records, l)
		{
			pager_req_record_locked(q, list_get_instance(l, pager_obj_t, name_link));
		}
	}
	mutex_unlock(&pager_lock);
	return rc;
}

static errno_t pager_request(pager_req_t *q)
{
	errno_t rc = pager_req_collect(q);
	if (rc != EOK)
		return rc;
	for (size_t i = 0; i < q->nas; i++) {
		errno_t arc = pager_as_visit(q->as[i], q);
		rc = rc == EOK ? arc : rc;
		as_release(q->as[i]);
	}
	if (q->as != q->local)
		free(q->as);
	return rc;
}

errno_t pager_revoke(answerbox_t *box, uint64_t object, uint64_t offset, uint64_t size)
{
	if (offset % PAGE_SIZE || size % PAGE_SIZE)
		return EINVAL;
	pager_req_t q = { .box = box,
		.object = object,
		.lo = offset,
		.hi = size > UINT64_MAX - offset ? UINT64_MAX : offset + size,
		.kind = PAGER_REQ_REVOKE };
	return pager_request(&q);
}

errno_t pager_set_size(answerbox_t *box, uint64_t object, uint64_t size)
{
	if (size % PAGE_SIZE)
		return EINVAL;
	pager_req_t q = { .box = box,
		.object = object,
		.lo = size,
		.hi = UINT64_MAX,
		.kind = PAGER_REQ_SET_SIZE,
		.size = size };
	return pager_request(&q);
}

errno_t pager_write_protect(answerbox_t *box, uint64_t object, uint64_t offset, uint64_t size)
{
	if (offset % PAGE_SIZE || size % PAGE_SIZE || size > UINT64_MAX - offset)
		return EINVAL;
	pager_req_t q = { .box = box,
		.object = object,
		.lo = offset,
		.hi = offset + size,
		.kind = PAGER_REQ_WRITE_PROTECT };
	return pager_request(&q);
}

/* ---- a registered pager's death and its successor (mm/pager_role.c) ---- */

typedef void (*pager_box_fn_t)(pager_obj_t *o, void *arg);

/* Call @a fn for every record of @a box; @a fn changes no table. */
static void pager_box_each_locked(answerbox_t *box, pager_box_fn_t fn, void *arg)
    REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	for (size_t i = 0; i < pager_records.size; i++) {
		list_foreach(pager_records.bucket[i], l)
		{
			pager_obj_t *o = list_get_instance(l, pager_obj_t, hl.link);
			if (o->box == box)
				fn(o, arg);
		}
	}
}

static bool pager_obj_accepted(pager_obj_t *o)
{
	mutex_lock(&o->lock);
	bool accepted = o->accepted;
	mutex_unlock(&o->lock);
	return accepted;
}

/* Records counted by acceptance. */
typedef struct pager_box_count {
	size_t accepted;
	size_t refused;
} pager_box_count_t;

static void pager_obj_count(pager_obj_t *o, void *arg)
{
	pager_box_count_t *n = arg;
	if (pager_obj_accepted(o))
		n->accepted++;
	else
		n->refused++;
}

size_t pager_box_records(answerbox_t *box)
{
	pager_box_count_t n = { 0 };
	mutex_lock(&pager_lock);
	pager_box_each_locked(box, pager_obj_count, &n);
	mutex_unlock(&pager_lock);
	return n.accepted;
}

/* Was a run of @a o in flight answered (the answer taken, the asker not
 * settled yet)? */
static bool pager_obj_answer_pending_locked(pager_obj_t *o) REQUIRES(o->lock)
{
	assert(mutex_locked_by_me(&o->lock));
	btree_iter_t it;
	if (o->pending_one && __atomic_load_n(&o->pending_one->answered, __ATOMIC_ACQUIRE))
		return true;
	for (bool more = btree_iter_first(&o->pending, &it); more; more = btree_iter_next(&it)) {
		pager_run_t *r = btree_iter_value(&it);
		if (__atomic_load_n(&r->answered, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

/* The death: no run of @a o maps anything any more (every page is cut
 * off); a page-in its pager answered before it died accepts it (its asker
 * may not have settled yet); count it. */
static void pager_obj_seal(pager_obj_t *o, void *arg)
{
	mutex_lock(&o->lock);
	if (pager_obj_answer_pending_locked(o))
		o->accepted = true;
	pager_obj_cut_locked(o, 0, UINT64_MAX, PAGER_CUT_ALL);
	mutex_unlock(&o->lock);
	pager_obj_count(o, arg);
}

size_t pager_box_seal(answerbox_t *box, size_t *refused)
{
	pager_box_count_t n = { 0 };
	mutex_lock(&pager_lock);
	pager_box_each_locked(box, pager_obj_seal, &n);
	mutex_unlock(&pager_lock);
	*refused = n.refused;
	return n.accepted;
}

typedef struct pager_find_as {
	as_t *as; /* held, or NULL */
} pager_find_as_t;

static void pager_obj_find_mapped(pager_obj_t *o, void *arg)
{
	pager_find_as_t *q = arg;
	list_foreach(o->areas, l)
	{
		as_area_t *a = list_get_instance(l, as_area_t, pager.obj_link);
		/* a racy look at the count: the visit reads it under as->lock */
		if (!q->as && used_space_pages(&a->used) > 0 && as_try_hold(a->as))
			q->as = a->as;
	}
}

/* An address space with a page mapped from a record of @a box, held, or
 * NULL (one being destroyed is skipped: its areas go anyway). */
static as_t *pager_box_mapped_as(answerbox_t *box)
{
	pager_find_as_t q = { NULL };
	mutex_lock(&pager_lock);
	pager_box_each_locked(box, pager_obj_find_mapped, &q);
	mutex_unlock(&pager_lock);
	return q.as;
}

typedef struct pager_box_revoke {
	as_t *as;
	pager_obj_t *obj; /* the record whose area is walked */
	const as_area_t *area;
	errno_t rc;
} pager_box_revoke_t;

/* Count the pages mapped writable in a run of mapped pages of q->area,
 * each object page once per record (a used_space_walk_range callback;
 * q->as->lock and pager_lock are held).  A page whose offset cannot be
 * remembered for want of memory is not counted: the count stays a lower
 * bound. */
static bool pager_pages_count_lost(
    void *arg, uintptr_t base, size_t count) NO_THREAD_SAFETY_ANALYSIS
{
	pager_box_revoke_t *q = arg;
	for (uintptr_t va = base; va < base + count * PAGE_SIZE; va += PAGE_SIZE) {
		uintptr_t pa;
		unsigned pf;
		if (page_mapping_find(&q->as->pt, va, &pa, &pf) != EOK || !(pf & PAGE_WRITE))
			continue;
		uint64_t off = q->area->pager.offset + (va - q->area->base);
		if (btree_insert(&q->obj->lost_pages, off, NULL) == EOK)
			q->obj->lost++;
	}
	return true;
}

/* Unmap every page of @a o's areas in q->as (whole areas: the used space
 * loses whole intervals, which needs no memory), counting first those
 * mapped writable. */
static void pager_obj_revoke_as(pager_obj_t *o, void *arg) NO_THREAD_SAFETY_ANALYSIS
{
	pager_box_revoke_t *q = arg; /* q->as->lock is held (pager_box_as_revoke) */
	list_foreach(o->areas, l)
	{
		as_area_t *a = list_get_instance(l, as_area_t, pager.obj_link);
		if (a->as != q->as)
			continue;
		q->obj = o;
		q->area = a;
		if (a->flags & AS_AREA_WRITE) /* else none of its pages is writable */
			(void) used_space_walk_range(
			    &a->used, a->base, a->pages, pager_pages_count_lost, q);
		errno_t rc = pager_area_revoke(q->as, a, a->base, a->pages);
		q->rc = q->rc == EOK ? rc : q->rc;
	}
}

static errno_t pager_box_as_revoke(as_t *as, answerbox_t *box)
{
	pager_box_revoke_t q = { .as = as, .rc = EOK };
	mutex_lock(&as->lock);
	mutex_lock(&pager_lock);
	pager_box_each_locked(box, pager_obj_revoke_as, &q);
	mutex_unlock(&pager_lock);
	mutex_unlock(&as->lock);
	return q.rc;
}

/* The offsets counted go; the count stays for the takeover's REF. */
static void pager_obj_lost_done(pager_obj_t *o, void *arg)
{
	btree_destroy(&o->lost_pages);
	btree_create(&o->lost_pages);
	*(uint64_t *) arg += o->lost;
}

uint64_t pager_box_orphan(answerbox_t *box)
{
	/* The box is dead and sealed: no page-in is answered any more and
	 * every run is cut, so no page of these records is mapped from here
	 * on.  Each visit empties the areas of one address space. */
	as_t *as;
	uint64_t lost = 0;
	while ((as = pager_box_mapped_as(box)) != NULL) {
		errno_t rc = pager_box_as_revoke(as, box);
		as_release(as);
		if (rc != EOK) {
			printf("pager: a dead pager's pages stay mapped (error %d)\n", rc);
			break;
		}
	}
	mutex_lock(&pager_lock);
	pager_box_each_locked(box, pager_obj_lost_done, &lost);
	mutex_unlock(&pager_lock);
	return lost;
}

phone_t *pager_area_phone(const as_area_t *area)
{
	mutex_lock(&pager_lock);
	phone_t *p = area->pager.obj->phone;
	phone_hold(p);
	mutex_unlock(&pager_lock);
	return p;
}

/* A name of the dead pager that a takeover moves: re-keyed in place when
 * every record of it is accepted, else its accepted records go to a
 * fresh name at the successor and the others stay with it. */
typedef struct pager_adopt_name {
	pager_name_t *name;
	pager_name_t *fresh; /* NULL: re-keyed in place */
} pager_adopt_name_t;

/* What a takeover moves: the dead pager's accepted records and names. */
typedef struct pager_adopt {
	answerbox_t *from, *to;
	pager_obj_t **objs;
	size_t nobjs;
	pager_adopt_name_t *names;
	size_t nnames;
	errno_t rc;
} pager_adopt_t;

/* How many records of @a n are accepted. */
static size_t pager_name_accepted_locked(pager_name_t *n) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	size_t k = 0;
	list_foreach(n->records, l)
	{
		k += pager_obj_accepted(list_get_instance(l, pager_obj_t, name_link));
	}
	return k;
}

/* The name of @a o, seen once (at its first record): does it move? */
static void pager_name_adopt_prepare(pager_obj_t *o, pager_adopt_t *q) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	pager_name_t *n = o->name;
	if (list_first(&n->records) != &o->name_link)
		return;
	size_t k = pager_name_accepted_locked(n);
	if (k == 0)
		return; /* none of its records moves */
	if (pager_name_find_locked(q->to, o->id))
		q->rc = EBUSY; /* the successor uses the id already */
	if (q->names) {
		pager_adopt_name_t *an = &q->names[q->nnames];
		an->name = n;
		an->fresh = NULL;
		if (k < list_count(&n->records) && (an->fresh = calloc(1, sizeof(*an->fresh))))
			list_initialize(&an->fresh->records);
		else if (k < list_count(&n->records))
			q->rc = ENOMEM;
	}
	q->nnames++;
}

static void pager_obj_adopt_prepare(pager_obj_t *o, void *arg) REQUIRES(pager_lock)
{
	pager_adopt_t *q = arg;
	assert(mutex_locked_by_me(&pager_lock));
	pager_name_adopt_prepare(o, q);
	if (!pager_obj_accepted(o))
		return; /* never accepted: it stays with the dead pager */
	if (q->objs)
		q->objs[q->nobjs] = o;
	q->nobjs++;
}

/* Give every accepted record of q->from a phone to q->to and an
 * OBJECT_REF to send, and every split name its fresh name.  EBUSY,
 * ENOMEM: nothing changed (pager_adopt_undo). */
static errno_t pager_adopt_prepare_locked(pager_adopt_t *q) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	pager_box_each_locked(q->from, pager_obj_adopt_prepare, q); /* count, check */
	if (q->rc != EOK || q->nobjs == 0)
		return q->rc;
	q->objs = malloc(q->nobjs * sizeof(*q->objs));
	q->names = malloc(q->nnames * sizeof(*q->names));
	q->nobjs = q->nnames = 0; /* from here: how many are in the arrays */
	if (!q->objs || !q->names)
		return ENOMEM;
	pager_box_each_locked(q->from, pager_obj_adopt_prepare, q); /* collect */
	if (q->rc != EOK)
		return q->rc;
	for (size_t i = 0; i < q->nobjs; i++) {
		pager_obj_t *o = q->objs[i];
		o->adopt_phone = phone_create(q->to, o->badge);
		o->adopt_ref = pager_notice_make(IPC_M_PAGER_OBJECT_REF);
		if (!o->adopt_phone || !o->adopt_ref)
			return ENOMEM;
	}
	return EOK;
}

static void pager_adopt_undo(pager_adopt_t *q)
{
	for (size_t i = 0; q->objs && i < q->nobjs; i++) {
		pager_obj_t *o = q->objs[i];
		if (o->adopt_phone)
			phone_release(o->adopt_phone);
		if (o->adopt_ref)
			call_release(o->adopt_ref);
		o->adopt_phone = NULL;
		o->adopt_ref = NULL;
	}
	for (size_t i = 0; q->names && i < q->nnames; i++)
		free(q->names[i].fresh);
}

static void pager_hash_rekey_locked(pager_hash_t *h, pager_hlink_t *e, uint64_t hash)
    REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	list_remove(&e->link);
	e->hash = hash;
	list_append(&e->link, pager_hash_chain(h, hash));
}

/* Move the name @a an to q->to: in place, or its accepted records (those
 * given a phone to q->to) to the fresh name.  Allocates nothing: the
 * names table has buckets (it holds the old name). */
static void pager_name_adopt_locked(pager_adopt_name_t *an, answerbox_t *to) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	pager_name_t *n = an->name, *f = an->fresh;
	uint64_t hash = pager_hash_key(to, 0, n->id);
	if (!f) {
		n->box = to;
		pager_hash_rekey_locked(&pager_names, &n->hl, hash);
		return;
	}
	f->box = to;
	f->id = n->id;
	f->size = n->size;
	errno_t rc = pager_hash_insert_locked(&pager_names, &f->hl, hash);
	assert(rc == EOK);
	(void) rc;
	link_t *l = list_first(&n->records);
	while (l) {
		link_t *next = list_next(l, &n->records);
		pager_obj_t *o = list_get_instance(l, pager_obj_t, name_link);
		if (o->adopt_phone) {
			list_remove(l);
			list_append(l, &f->records);
			o->name = f;
		}
		l = next;
	}
}

/* Rebind @a o to @a to with its prepared phone, and tell the successor
 * (with the pages the dead pager had mapped writable).  The successor
 * has not accepted it yet. */
static void pager_obj_adopt_locked(pager_obj_t *o, answerbox_t *to) REQUIRES(pager_lock)
{
	assert(mutex_locked_by_me(&pager_lock));
	mutex_lock(&o->lock);
	phone_t *old_phone = o->phone;
	answerbox_t *old_box = o->box;
	answerbox_hold(to);
	o->box = to;
	o->phone = o->adopt_phone;
	o->accepted = false;
	mutex_unlock(&o->lock);
	o->adopt_phone = NULL;
	pager_hash_rekey_locked(&pager_records, &o->hl, pager_hash_key(to, o->badge, o->id));
	phone_release(old_phone);
	answerbox_release(old_box);
	call_t *ref = o->adopt_ref;
	o->adopt_ref = NULL;
	ref->msg.arg[1] = PAGER_REF_ADOPTED;
	ref->msg.arg[2] = o->lost;
	o->lost = 0;
	pager_notice_send_locked(o, ref);
}

errno_t pager_box_adopt(answerbox_t *from, answerbox_t *to, pager_adopt_summary_t *sum)
{
	pager_adopt_t q = { .from = from, .to = to };
	*sum = (pager_adopt_summary_t){ 0 };
	mutex_lock(&pager_lock);
	errno_t rc = pager_adopt_prepare_locked(&q);
	if (rc != EOK)
		pager_adopt_undo(&q);
	for (size_t i = 0; rc == EOK && i < q.nnames; i++)
		pager_name_adopt_locked(&q.names[i], to);
	for (size_t i = 0; rc == EOK && i < q.nobjs; i++) {
		pager_obj_t *o = q.objs[i];
		sum->records++;
		sum->badge_max = o->badge > sum->badge_max ? o->badge : sum->badge_max;
		sum->id_max = o->id > sum->id_max ? o->id : sum->id_max;
		sum->lost += o->lost;
		pager_obj_adopt_locked(o, to);
	}
	mutex_unlock(&pager_lock);
	free(q.objs);
	free(q.names);
	return rc;
}
