/*
 * lib/pager: request loop, object table, supply and fail answers.
 *
 * The object table is a hash of chains keyed by id behind one lock.  An
 * object has a reference count: one for being in the table and one per
 * pager_object_get() in progress (a page-in callback holds one), so an
 * UNREF that removes an object while another thread still serves a fault
 * on it frees it only when that thread is done.
 *
 * Connections: every client connects through ns; the library accepts with
 * a fresh badge (from PAGER_CONN_FIRST up), which page-ins (ev.conn of the
 * kernel's call is the badge of the phone the area was bound through) and
 * client calls carry.  When a connection closes, the objects it created
 * and never bound go.  The open connections are counted, so that
 * pager_stop() can end the task when the last client has gone.
 *
 * "Never bound" is the kernel's word, not the notices'.  A client that
 * binds an area and hangs up at once (the program loader at
 * SYS_TASK_EXEC) sends the kernel's OBJECT_REF and its hangup to our box
 * in that order, but we may take them in the other (the kernel hands a
 * box's hangups out before its queued calls) or serve them on two threads
 * at once: an object whose REF we have not served may well have an area.
 * So an object that has not been heard bound is asked about
 * (pager_object_bound, SYS_PAGER_BOUND: does the kernel hold a record of
 * this id bound through this connection?) and dropped only if the answer
 * is no.  For a closed connection the answer is final (the kernel makes
 * no record through a phone once its hangup can have reached us), and an
 * object kept on a yes hears its REF and then, with its last area, its
 * UNREF: it goes then, like any bound object.  ANON_DESTROY-like drops
 * (pager_object_drop) ask the same.  Rejected: counting or numbering the
 * events here (the order we receive them in is not the order they were
 * sent; only the kernel knows it), and keeping every unbound object of a
 * closed connection until some later event (which one? a client that
 * never binds would leak them).
 *
 * A role (pager_ops_t.role) is registered before the name: the kernel
 * then queues one adopted OBJECT_REF per object of a dead predecessor it
 * hands over, and IPC_M_PAGER_REGISTERED after them.  pager_serve takes
 * those events alone, on the calling thread, before any serving thread
 * runs and before any client can connect: so every adopted object is in
 * the table before a page-in for it can be served, and the badges and
 * ids of new connections and objects start above the adopted ones.
 */
#include <ipc.h>
#include <lock.h>
#include <ns.h>
#include <pager.h>
#include <stdlib.h>
#include <string.h>

#define PAGER_BUCKETS 256
#define PAGER_THREADS_DEFAULT 4

static pager_object_t *pager_table[PAGER_BUCKETS];
static lock_t pager_table_lock = LOCK_INITIALIZER; /* also the counts below */
static size_t pager_objects;
static size_t pager_connections; /* accepted, not yet closed */
static bool pager_stopping;
static uint64_t pager_id_next = 1;
static uint64_t pager_badge_next = PAGER_CONN_FIRST;
static const pager_ops_t *pager_ops;
static bool pager_role_ready; /* atomic: IPC_M_PAGER_REGISTERED came */
/* The adopted OBJECT_REF being offered (pager_serve's thread alone):
 * pages the predecessor had mapped writable (pager_adopt_lost_pages). */
static uint64_t pager_adopt_lost;
static char pager_name[NS_NAME_MAX + 1];

static size_t pager_bucket(uint64_t id)
{
	return (size_t) ((id * 0x9e3779b97f4a7c15ULL) >> 56) % PAGER_BUCKETS;
}

/* Take @a obj out of the table (lock held); false if it was not in. */
static bool pager_table_remove_locked(pager_object_t *obj)
{
	if (!obj->in_table)
		return false;
	pager_object_t **link = &pager_table[pager_bucket(obj->id)];
	while (*link != obj)
		link = &(*link)->next;
	*link = obj->next;
	obj->in_table = false;
	pager_objects--;
	return true;
}

static pager_object_t *pager_object_find_locked(uint64_t id);

/* Make the object with id @a id (0: the next fresh one). */
static errno_t pager_object_make(uint64_t owner, uint64_t id, void *data, pager_object_t **out)
{
	pager_object_t *obj = malloc(sizeof(*obj));
	if (!obj)
		return ENOMEM;
	*obj = (pager_object_t){ .data = data, .refs = 2, .in_table = true, .owner = owner };
	lock_acquire(&pager_table_lock);
	if (id && pager_object_find_locked(id)) {
		lock_release(&pager_table_lock);
		free(obj);
		return EEXIST;
	}
	obj->id = id ? id : pager_id_next++;
	size_t b = pager_bucket(obj->id);
	obj->next = pager_table[b];
	pager_table[b] = obj;
	pager_objects++;
	lock_release(&pager_table_lock);
	*out = obj;
	return EOK;
}

errno_t pager_object_create(uint64_t owner, void *data, pager_object_t **out)
{
	return pager_object_make(owner, 0, data, out);
}

errno_t pager_object_create_id(uint64_t owner, uint64_t id, void *data, pager_object_t **out)
{
	return id ? pager_object_make(owner, id, data, out) : EINVAL;
}

pager_object_t *pager_object_get_any(uint64_t id)
{
	lock_acquire(&pager_table_lock);
	pager_object_t *obj = pager_object_find_locked(id);
	if (obj)
		obj->refs++;
	lock_release(&pager_table_lock);
	return obj;
}

pager_object_t *pager_object_get(uint64_t id, uint64_t conn)
{
	lock_acquire(&pager_table_lock);
	pager_object_t *obj = pager_table[pager_bucket(id)];
	while (obj && obj->id != id)
		obj = obj->next;
	/* Only the connection that made it may use it (kernel calls about
	 * an area carry the badge of the connection it was bound through). */
	if (obj && obj->owner != conn)
		obj = NULL;
	if (obj)
		obj->refs++;
	lock_release(&pager_table_lock);
	return obj;
}

void pager_object_put(pager_object_t *obj)
{
	lock_acquire(&pager_table_lock);
	bool last = --obj->refs == 0;
	lock_release(&pager_table_lock);
	if (!last)
		return;
	if (pager_ops && pager_ops->object_free)
		pager_ops->object_free(obj);
	free(obj);
}

/* Remove @a obj from the table if @a cond holds for it; drops the
 * table's reference then.  The caller holds a reference. */
static bool pager_object_remove_if(pager_object_t *obj, bool (*cond)(pager_object_t *))
{
	lock_acquire(&pager_table_lock);
	bool removed = cond(obj) && pager_table_remove_locked(obj);
	if (removed)
		obj->refs--; /* the caller's reference keeps it alive */
	lock_release(&pager_table_lock);
	return removed;
}

/* A stopping pager with no client and no object left ends here. */
static void pager_stop_check(void)
{
	lock_acquire(&pager_table_lock);
	bool done = pager_stopping && pager_connections == 0 && pager_objects == 0;
	lock_release(&pager_table_lock);
	if (done)
		exit(0);
}

void pager_stop(void)
{
	lock_acquire(&pager_table_lock);
	bool first = !pager_stopping;
	pager_stopping = true;
	lock_release(&pager_table_lock);
	if (first && pager_name[0])
		(void) ns_unregister(pager_name); /* no new clients */
	pager_stop_check();
}

static bool pager_object_unbound(pager_object_t *obj)
{
	return obj->areas == 0;
}

/* Drop @a obj of connection @a conn if no area is bound to it: none that
 * we heard of, and none the kernel knows (its REF may not be served yet).
 * The caller holds a reference. */
static bool pager_object_drop_unbound(pager_object_t *obj, uint64_t conn)
{
	return pager_object_bound(obj->id, conn) == ENOENT &&
	    pager_object_remove_if(obj, pager_object_unbound);
}

errno_t pager_object_drop(uint64_t id, uint64_t conn)
{
	pager_object_t *obj = pager_object_get(id, conn);
	if (!obj)
		return ENOENT;
	errno_t rc = pager_object_drop_unbound(obj, conn) ? EOK : EBUSY;
	pager_object_put(obj);
	if (rc == EOK)
		pager_stop_check();
	return rc;
}

size_t pager_object_count(void)
{
	lock_acquire(&pager_table_lock);
	size_t n = pager_objects;
	lock_release(&pager_table_lock);
	return n;
}

size_t pager_connection_count(void)
{
	lock_acquire(&pager_table_lock);
	size_t n = pager_connections;
	lock_release(&pager_table_lock);
	return n;
}

errno_t pager_supply(cap_handle_t call, uintptr_t addr, size_t pages, unsigned rights)
{
	ipc_msg_t ans = IPC_MSG(0, addr, pages, rights);
	return ipc_answer(call, EOK, &ans);
}

errno_t pager_fail(cap_handle_t call, errno_t err)
{
	return ipc_answer(call, err == EOK ? EIO : err, NULL);
}

static void pager_page_in(ipc_event_t *ev)
{
	pager_object_t *obj = pager_object_get(ev->msg.arg[0], ev->conn);
	if (!obj) {
		pager_fail(ev->call, ENOENT);
		return;
	}
	uint64_t arg4 = ev->msg.arg[4];
	pager_fault_t f = { .call = ev->call,
		.object = obj,
		.offset = ev->msg.arg[1],
		.pages = ev->msg.arg[2] ? (size_t) ev->msg.arg[2] : 1,
		.access = (unsigned) ev->msg.arg[3],
		.hints = (unsigned) arg4,
		.area_rights = PAGE_IN_RIGHTS(arg4),
		.upgrade = (arg4 & PAGE_IN_UPGRADE) != 0,
		.mapped = PAGE_IN_MAPPED(arg4),
		.conn = ev->conn };
	pager_ops->page_in(&f);
	pager_object_put(obj);
}

/* IPC_M_PAGER_OBJECT_REF (@a delta 1) and _UNREF (-1). */
static void pager_object_areas(uint64_t id, uint64_t conn, int delta)
{
	pager_object_t *obj = pager_object_get(id, conn);
	if (!obj)
		return;
	lock_acquire(&pager_table_lock);
	obj->areas += (unsigned) delta;
	bool first = !obj->bound && delta > 0;
	obj->bound = true;
	bool gone = obj->areas == 0 && pager_table_remove_locked(obj);
	if (gone)
		obj->refs--;
	lock_release(&pager_table_lock);
	if (first && pager_ops->object_ref)
		pager_ops->object_ref(obj);
	pager_object_put(obj);
	if (gone)
		pager_stop_check();
}

/* The object @a id in the table (any owner), or NULL.  Lock held. */
static pager_object_t *pager_object_find_locked(uint64_t id)
{
	pager_object_t *obj = pager_table[pager_bucket(id)];
	while (obj && obj->id != id)
		obj = obj->next;
	return obj;
}

uint64_t pager_adopt_lost_pages(void)
{
	return pager_adopt_lost;
}

/* A dead predecessor's object @a id of connection @a conn is offered;
 * @a lost pages of it were mapped writable when it died. */
static void pager_object_adopt(uint64_t id, uint64_t conn, uint64_t lost)
{
	pager_object_t *obj = malloc(sizeof(*obj));
	lock_acquire(&pager_table_lock);
	bool known = pager_object_find_locked(id) != NULL;
	lock_release(&pager_table_lock);
	void *data = NULL;
	pager_adopt_lost = lost;
	errno_t rc = obj && !known && pager_ops->object_adopt
	    ? pager_ops->object_adopt(conn, id, &data)
	    : EPERM;
	pager_adopt_lost = 0;
	if (rc != EOK) {
		free(obj);
		return; /* refused: its page-ins find nothing */
	}
	/* taken: as if created by conn and bound once (the table's ref) */
	*obj = (pager_object_t){ .id = id,
		.data = data,
		.refs = 1,
		.areas = 1,
		.bound = true,
		.in_table = true,
		.owner = conn };
	lock_acquire(&pager_table_lock);
	size_t b = pager_bucket(id);
	obj->next = pager_table[b];
	pager_table[b] = obj;
	pager_objects++;
	if (pager_id_next <= id)
		pager_id_next = id + 1;
	lock_release(&pager_table_lock);
}

/* IPC_M_PAGER_REGISTERED: new badges and ids start above the adopted. */
static void pager_registered(const ipc_msg_t *msg)
{
	uint64_t badge_max = msg->arg[2], id_max = msg->arg[3];
	uint64_t next = __atomic_load_n(&pager_badge_next, __ATOMIC_RELAXED);
	if (badge_max >= next)
		__atomic_store_n(&pager_badge_next, badge_max + 1, __ATOMIC_RELAXED);
	lock_acquire(&pager_table_lock);
	if (pager_id_next <= id_max)
		pager_id_next = id_max + 1;
	lock_release(&pager_table_lock);
	__atomic_store_n(&pager_role_ready, true, __ATOMIC_RELEASE);
}

static void pager_low_memory(const ipc_msg_t *msg)
{
	pager_low_memory_t lm = { .free = msg->arg[0],
		.total = msg->arg[1],
		.wanted = msg->arg[2],
		.flags = (unsigned) msg->arg[3] };
	if (pager_ops->low_memory)
		pager_ops->low_memory(&lm);
}

static void pager_kernel_call(ipc_event_t *ev)
{
	switch (ev->msg.method) {
	case IPC_M_PAGE_IN:
		pager_page_in(ev);
		return;
	case IPC_M_PAGER_OBJECT_REF:
		if (ev->msg.arg[1] == PAGER_REF_ADOPTED)
			pager_object_adopt(ev->msg.arg[0], ev->conn, ev->msg.arg[2]);
		else
			pager_object_areas(ev->msg.arg[0], ev->conn, 1);
		break;
	case IPC_M_PAGER_REGISTERED:
		pager_registered(&ev->msg);
		break;
	case IPC_M_PAGER_LOW_MEMORY:
		pager_low_memory(&ev->msg);
		break;
	case IPC_M_PAGER_OBJECT_UNREF:
		pager_object_areas(ev->msg.arg[0], ev->conn, -1);
		break;
	default:
		break; /* IPC_M_PAGER_SYNC: nothing is dirty in memory of ours */
	}
	ipc_answer(ev->call, EOK, NULL);
}

/* The objects connection @a conn made that we have not heard bound, held,
 * linked through their .closing (a connection closes once: only its own
 * hangup uses its objects' links). */
static pager_object_t *pager_objects_unheard(uint64_t conn)
{
	pager_object_t *list = NULL;
	lock_acquire(&pager_table_lock);
	for (size_t b = 0; b < PAGER_BUCKETS; b++) {
		for (pager_object_t *obj = pager_table[b]; obj; obj = obj->next) {
			if (obj->owner == conn && !obj->bound) {
				obj->refs++;
				obj->closing = list;
				list = obj;
			}
		}
	}
	lock_release(&pager_table_lock);
	return list;
}

/* A closed connection: its objects that never had an area go; one the
 * kernel says has an area stays (its REF is on its way, essay above).
 * Hangups of phones the library did not accept (ns's own) are not
 * clients'. */
static void pager_connection_closed(uint64_t conn)
{
	if (conn < PAGER_CONN_FIRST || conn >= __atomic_load_n(&pager_badge_next, __ATOMIC_RELAXED))
		return;
	pager_object_t *obj = pager_objects_unheard(conn);
	while (obj) {
		pager_object_t *next = obj->closing;
		obj->closing = NULL;
		(void) pager_object_drop_unbound(obj, conn);
		pager_object_put(obj);
		obj = next;
	}
	lock_acquire(&pager_table_lock);
	pager_connections--;
	lock_release(&pager_table_lock);
	if (pager_ops->client_close)
		pager_ops->client_close(conn);
	pager_stop_check();
}

/* A client connects: a fresh badge, unless the pager (or its callback)
 * refuses. */
static void pager_connection_open(ipc_event_t *ev)
{
	uint64_t conn = __atomic_fetch_add(&pager_badge_next, 1, __ATOMIC_RELAXED);
	lock_acquire(&pager_table_lock);
	errno_t rc = pager_stopping ? EHANGUP : EOK;
	if (rc == EOK)
		pager_connections++; /* counted before anyone can hang it up */
	lock_release(&pager_table_lock);
	if (rc == EOK && pager_ops->client_open)
		rc = pager_ops->client_open(conn);
	if (rc == EOK)
		rc = ipc_connect_accept(ev, conn);
	else
		ipc_answer(ev->call, rc, NULL);
	if (rc != EOK) {
		lock_acquire(&pager_table_lock);
		pager_connections--;
		lock_release(&pager_table_lock);
		pager_stop_check();
	}
}

static void pager_handle(ipc_event_t *ev)
{
	if (ev->kind == IPC_EV_HANGUP) {
		pager_connection_closed(ev->conn);
		return;
	}
	if (ev->kind != IPC_EV_CALL)
		return;
	if (ev->sender == 0)
		pager_kernel_call(ev);
	else if (ev->msg.method == IPC_M_CONNECT_ME_TO)
		pager_connection_open(ev);
	else if (ev->msg.method >= IPC_M_FIRST_USER && pager_ops->client_call)
		pager_ops->client_call(ev);
	else if (ev->msg.method == IPC_M_SHARE_OUT && pager_ops->share_out)
		pager_ops->share_out(ev);
	else
		ipc_answer(ev->call, ENOTSUP, NULL);
}

/* Register the role and take, on this thread alone, what the kernel
 * queued for it: adopted objects, then IPC_M_PAGER_REGISTERED. */
static errno_t pager_role_take(unsigned role)
{
	errno_t rc = pager_role_register(role);
	while (rc == EOK && !__atomic_load_n(&pager_role_ready, __ATOMIC_ACQUIRE)) {
		ipc_event_t ev;
		rc = ipc_wait(&ev, 0, 0, 0);
		if (rc == EOK)
			pager_handle(&ev);
	}
	return rc;
}

errno_t pager_serve(const char *name, const pager_ops_t *ops, unsigned nthreads)
{
	pager_ops = ops;
	if (strlen(name) <= NS_NAME_MAX)
		strcpy(pager_name, name);
	errno_t rc = ops->role ? pager_role_take(ops->role) : EOK;
	if (rc != EOK)
		return rc;
	rc = ns_register(name);
	if (rc != EOK)
		return rc;
	if (ops->ready)
		ops->ready();
	return ipc_serve(pager_handle, nthreads ? nthreads : PAGER_THREADS_DEFAULT);
}
