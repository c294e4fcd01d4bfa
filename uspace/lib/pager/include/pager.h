/*
 * lib/pager: what a user-space pager is written with (docs/pager-abi.md is
 * the guide, abi/pager.h the contract).
 *
 * A pager keeps objects (pager_object_t: an id clients bind areas to, and
 * the pager's own state in .data) and answers page-ins for them.  The
 * library runs the request loop (pager_serve: registers the name with ns,
 * then ipc_serve with several threads), accepts client connections, keeps
 * the object table, and turns the kernel's calls into callbacks:
 *
 *   IPC_M_PAGE_IN             ops->page_in(fault): answer it with
 *                             pager_supply() or pager_fail()
 *   IPC_M_PAGER_OBJECT_REF    the object has an area now; the first time,
 *                             ops->object_ref(obj)
 *   IPC_M_PAGER_OBJECT_UNREF  its last area went: the object leaves the
 *                             table; ops->object_free() once nobody uses it
 *   IPC_M_PAGER_OBJECT_REF with PAGER_REF_ADOPTED (a dead predecessor's
 *                             object taken over): ops->object_adopt()
 *   IPC_M_PAGER_LOW_MEMORY    ops->low_memory(), then answered EOK
 *   a client connects         ops->client_open(conn)
 *   a client connection ends  ops->client_close(conn)
 *   client calls (methods >= IPC_M_FIRST_USER)  ops->client_call(ev)
 *   IPC_M_SHARE_OUT from a client            ops->share_out(ev)
 *
 * An object that never got an area goes with pager_object_drop() or when
 * the connection that created it closes ("never": the kernel is asked,
 * since an area bound just before may not have been reported yet: such an
 * object stays and goes with its last area).  Page-ins for unknown objects
 * are failed with ENOENT by the library.  pager_stop() ends the pager
 * once its last client has gone.
 */
#ifndef PAGER_H_
#define PAGER_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <abi/pager.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pager_object {
	uint64_t id;
	void *data; /* the pager's per-object state */
	/* The library's: */
	struct pager_object *next; /* hash chain */
	unsigned refs; /* the table's and every pager_object_get()'s */
	unsigned areas; /* REFs minus UNREFs */
	bool bound; /* it has had an area */
	bool in_table;
	uint64_t owner; /* the creating connection's badge */
	struct pager_object *closing; /* its connection's hangup: the unheard */
} pager_object_t;

typedef struct pager_fault {
	cap_handle_t call; /* answer with pager_supply() or pager_fail() */
	pager_object_t *object; /* held for the callback */
	uint64_t offset; /* of the faulting page in the object */
	size_t pages; /* wanted, >= 1 */
	unsigned access; /* FAULT_ACCESS_* */
	unsigned hints; /* PAGE_IN_* (the whole arg[4]) */
	unsigned area_rights; /* the faulting area's AS_AREA_* flags: PAGE_IN_RIGHTS */
	bool upgrade; /* the page is mapped there already (PAGE_IN_UPGRADE) */
	unsigned mapped; /* an upgrade: the rights it is mapped with (PAGE_IN_MAPPED) */
	uint64_t conn; /* badge of the client's connection */
} pager_fault_t;

/* What a low-memory notice says (abi/pager.h). */
typedef struct pager_low_memory {
	uint64_t free; /* free frames */
	uint64_t total; /* all frames */
	uint64_t wanted; /* frames the kernel would like freed */
	unsigned flags; /* PAGER_LOW_MEMORY_FORCED: a test's */
} pager_low_memory_t;

/* The callbacks; every one but page_in may be NULL.  They run on the
 * library's serving threads, several at once. */
typedef struct pager_ops {
	/* Answer the fault (in this call or later, from any thread). */
	void (*page_in)(pager_fault_t *fault);
	/* The object got its first area ever (its first OBJECT_REF): e.g.
	 * the time to pager_object_set_size().  Held for the callback. */
	void (*object_ref)(pager_object_t *obj);
	/* The object is gone from the table and unused: free obj->data. */
	void (*object_free)(pager_object_t *obj);
	/* A client connects with the fresh badge @a conn: EOK accepts, any
	 * error refuses the connection with that error. */
	errno_t (*client_open)(uint64_t conn);
	/* Client connection @a conn closed (its objects that never got an
	 * area are gone already; those with an area stay, and the library
	 * may hear of it later: object_ref may follow). */
	void (*client_close)(uint64_t conn);
	/* A client call (method >= IPC_M_FIRST_USER): answer ev->call.
	 * NULL: every client call is answered ENOTSUP. */
	void (*client_call)(ipc_event_t *ev);
	/* IPC_M_SHARE_OUT from a client (an area lent to the pager): answer
	 * ev->call (ipc_share_out_accept, or an error).  NULL: ENOTSUP. */
	void (*share_out)(ipc_event_t *ev);
	/* The role to register (PAGER_ROLE_*; 0: none): pager_serve
	 * registers it before serving anybody, and takes over the objects
	 * of a dead predecessor if this task is its designated successor
	 * (abi/pager.h). */
	unsigned role;
	/* A dead predecessor's object @a id, bound through connection
	 * @a conn (whose badge no new connection will get), is offered: EOK
	 * takes it (with *data as its pager_object_t.data; it is then an
	 * object of @a conn with areas, as if created and bound), any error
	 * refuses it (its page-ins then fail with ENOENT).  NULL refuses all.
	 * An id offered through several connections goes to the first one
	 * taken; the others are refused without a call.  Only objects the
	 * predecessor accepted (supplied a page of) are offered;
	 * pager_adopt_lost_pages() says how many of the object's pages were
	 * mapped writable when it died. */
	errno_t (*object_adopt)(uint64_t conn, uint64_t id, void **data);
	/* Memory is low (IPC_M_PAGER_LOW_MEMORY): free what can be freed,
	 * ideally lm->wanted frames.  The library answers after it returns
	 * (NULL: answered at once); no other notice comes before that. */
	void (*low_memory)(const pager_low_memory_t *lm);
	/* Called once by pager_serve, after the role's objects were taken
	 * and the name registered, before serving starts (NULL: nothing):
	 * the time to tell others where the pager is.  Calls arriving
	 * meanwhile wait in the box. */
	void (*ready)(void);
} pager_ops_t;

/* Badges the library gives client connections start here (so they never
 * meet the badge of ns's own connection). */
#define PAGER_CONN_FIRST (1ULL << 32)

/* Register ops->role with the kernel (if not 0: then take what it
 * hands over, before anything else), @a name with ns, and serve with
 * @a nthreads threads; returns only if registering or waiting fails. */
errno_t pager_serve(const char *name, const pager_ops_t *ops, unsigned nthreads);
/* Stop: the name goes from ns, new connections are refused (EHANGUP), and
 * the task ends with exit status 0 as soon as no client connection is
 * open and no object is left (clients' areas keep their objects, so a
 * pager never stops under a mapping).  Callable from any callback. */
void pager_stop(void);
/* Inside ops->object_adopt: the pages of the offered object that were
 * mapped writable when the predecessor died (arg[2] of the adopted
 * OBJECT_REF): at least the stores it had not written back, all lost.
 * 0 anywhere else. */
uint64_t pager_adopt_lost_pages(void);
/* Client connections open now. */
size_t pager_connection_count(void);

/* A new object with a fresh id for the client on connection @a owner;
 * the caller gets it held (pager_object_put when done). */
errno_t pager_object_create(uint64_t owner, void *data, pager_object_t **out);
/* The same with the id @a id of the pager's choosing (it may encode what
 * the object is, so a successor adopting it knows, abi/pager.h): EEXIST
 * if an object has it, EINVAL for 0.  Fresh ids of pager_object_create
 * are small; a pager that mixes both keeps its own ids apart. */
errno_t pager_object_create_id(uint64_t owner, uint64_t id, void *data, pager_object_t **out);
/* The object @a id, held, if connection @a conn owns it; else NULL.  An
 * object is private to the connection that created it: page-ins and
 * REF/UNREF for an area bound through another connection (another task
 * guessing the id) find nothing. */
pager_object_t *pager_object_get(uint64_t id, uint64_t conn);
/* The object @a id, held, whoever owns it: only for requests whose effect
 * does not depend on who asks (a write-back of a shared object's dirty
 * pages); NULL if there is none. */
pager_object_t *pager_object_get_any(uint64_t id);
void pager_object_put(pager_object_t *obj);
/* The client drops @a id: an object without areas goes now (EOK);
 * ENOENT unknown, EBUSY it has areas (it goes with the last; also an area
 * just bound whose OBJECT_REF is not served yet: the kernel is asked). */
errno_t pager_object_drop(uint64_t id, uint64_t conn);
size_t pager_object_count(void);

/* Answer a page-in: @a pages pages at @a addr in this pager's address
 * space, mapped into the client with @a rights (AS_AREA_*).  EOK, or
 * EINVAL when the kernel refused the answer (it broke a rule of
 * abi/pager.h; the kernel log names it): the fault failed, nothing was
 * mapped, the call is answered. */
errno_t pager_supply(cap_handle_t call, uintptr_t addr, size_t pages, unsigned rights);
/* Fail a page-in: the faulting task ends with "pager error @a err". */
errno_t pager_fail(cap_handle_t call, errno_t err);

#endif
