/*
 * <sys/mman.h>: mmap, munmap, mprotect, msync, madvise (docs/memory.md).
 *
 * A mapping is an area of the task's own (as.h) and a record in libc's
 * table of mappings (mman_priv.h), which says what backs it.  What to do
 * for a kind of backing is a table of operations (mman_ops_t), so the
 * calls themselves have no branch per kind:
 *
 *  - MMAN_ANON: a new object of the anon pager per mmap, the area bound
 *    to it.  A private mapping's pages that this task unmaps while other
 *    parts of the object stay mapped (munmap of a middle part, a MAP_FIXED
 *    replacement), and those it gives up with MADV_DONTNEED, are dropped
 *    at the pager (ANON_DISCARD): the memory goes back, and the next touch
 *    reads zeros.  A shared mapping's pages stay as long as any area maps
 *    them (an area handed to another task with an IPC share is bound to
 *    the same object); MADV_DONTNEED leaves them.
 *  - MMAN_WIRED: a task without the pager (libc_memory_wired) gets wired
 *    memory; MADV_DONTNEED remakes the range's areas (fresh zeroed frames).
 *  - MMAN_FILE: a file descriptor.  The VFS checks the descriptor and
 *    grants the task the file (VFS_MMAP); the file pager turns the grant
 *    into an object of the task's connection to it (FPAGER_MAP), a view
 *    of the file, shared or private (copy-on-write); the area is bound to
 *    it at the file offset.  msync writes a shared view's dirty pages
 *    back; madvise passes DONTNEED, WILLNEED and SEQUENTIAL on; mprotect
 *    refuses write on a shared mapping of a file opened read-only
 *    (EACCES).
 *
 * The order of every change is: what can fail without changing anything
 * first (arguments, room in the table, the pager object), then the
 * kernel's area call, then the table, which then cannot fail.
 *
 * Locks: mman_lock protects mman_maps and is held across each call that
 * reads or changes it, system calls and pager requests included (no
 * other libc lock is taken under it but malloc's and the descriptor
 * table's).  Areas made or unmapped without mmap/munmap (as.h) are not
 * in the table: munmap and mprotect act on them as on any area, msync
 * treats them as anonymous memory, MADV_DONTNEED refuses them (EINVAL).
 */
#include "file_priv.h"
#include "mman_priv.h"
#include <abi/fpager.h>
#include <anon.h>
#include <as.h>
#include <errno.h>
#include <ipc.h>
#include <lock.h>
#include <ns.h>
#include <sys/mman.h>
#include <task.h>

typedef struct mman_ops {
	/* Before the area: the object that will back it (m->object,
	 * m->offset).  May fail; nothing changed then. */
	errno_t (*prepare)(const mman_req_t *req, mman_map_t *m);
	/* The area at the request's place: m->base, m->end. */
	errno_t (*area)(const mman_req_t *req, mman_map_t *m);
	/* The area could not be made: undo prepare. */
	void (*abort)(const mman_map_t *m);
	/* The piece was unmapped from the task's range [from, to). */
	void (*unmapped)(const mman_map_t *piece, uintptr_t from, uintptr_t to);
	/* mprotect to @a rights may go ahead (a file opened read-only: not
	 * shared and writable). */
	errno_t (*protect_check)(const mman_map_t *piece, unsigned rights);
	/* msync of the piece (flags checked). */
	errno_t (*sync)(const mman_map_t *piece, int flags);
	/* madvise of the piece (advice checked). */
	errno_t (*advise)(const mman_map_t *piece, int advice);
} mman_ops_t;

static lock_t mman_lock = LOCK_INITIALIZER;
static mman_table_t mman_maps; /* mman_lock */

/* Kernel and pager errors as the POSIX calls name them: running out of
 * areas, an address not mapped, the pager gone are all "no memory". */
static errno_t mman_errno(errno_t rc)
{
	switch (rc) {
	case ELIMIT:
	case ENOENT:
	case EOVERFLOW:
	case EHANGUP:
		return ENOMEM;
	default:
		return rc;
	}
}

static int mman_result(errno_t rc)
{
	if (rc == EOK)
		return 0;
	errno = mman_errno(rc);
	return -1;
}

/* Every page of [from, to) is in some area of the task. */
static bool mman_range_mapped(uintptr_t from, uintptr_t to)
{
	while (from < to) {
		as_area_info_t info;
		if (as_area_query(from, &info) != EOK)
			return false;
		from = info.base + info.size;
	}
	return true;
}

static unsigned mman_area_flags(const mman_req_t *req)
{
	return req->rights | (req->fixed ? AS_AREA_FIXED : 0);
}

/* ---- anonymous memory on the anon pager ---- */

static errno_t mman_anon_prepare(const mman_req_t *req, mman_map_t *m)
{
	(void) req;
	m->offset = 0;
	return anon_object_create(anon_phone(), &m->object);
}

static errno_t mman_anon_area(const mman_req_t *req, mman_map_t *m)
{
	as_pager_spec_t spec = { .phone = anon_phone(), .object = m->object, .offset = 0 };
	errno_t rc = as_area_create_pager(
	    req->addr, req->len, mman_area_flags(req), &spec, &m->base);
	m->end = m->base + req->len;
	return rc;
}

static void mman_anon_abort(const mman_map_t *m)
{
	anon_object_destroy(anon_phone(), m->object);
}

/* A private mapping's pages go with this task's mapping of them; when no
 * other part of the object stays mapped here, the object goes with its
 * last area anyway (or lives on in a task it was handed to). */
static void mman_anon_unmapped(const mman_map_t *p, uintptr_t from, uintptr_t to)
{
	if (p->shared || !mman_table_object_kept(&mman_maps, MMAN_ANON, p->object, from, to))
		return;
	/* an error leaves the pages to the object's end: nothing maps them */
	anon_object_discard(anon_phone(), p->object, p->offset, p->end - p->base);
}

static errno_t mman_none_protect_check(const mman_map_t *p, unsigned rights)
{
	(void) p, (void) rights;
	return EOK;
}

/* Anonymous memory has nothing to write back. */
static errno_t mman_none_sync(const mman_map_t *p, int flags)
{
	(void) p, (void) flags;
	return EOK;
}

/* MADV_DONTNEED on a private mapping drops the pages at the pager; every
 * other advice is a hint anonymous memory has no use for. */
static errno_t mman_anon_advise(const mman_map_t *p, int advice)
{
	if (advice != MADV_DONTNEED || p->shared)
		return EOK;
	return anon_object_discard(anon_phone(), p->object, p->offset, p->end - p->base);
}

/* ---- wired memory (a task without the pager) ---- */

static errno_t mman_wired_prepare(const mman_req_t *req, mman_map_t *m)
{
	(void) req, (void) m;
	return EOK;
}

static errno_t mman_wired_area(const mman_req_t *req, mman_map_t *m)
{
	errno_t rc = as_area_create(req->addr, req->len, mman_area_flags(req), &m->base);
	m->end = m->base + req->len;
	return rc;
}

static void mman_nothing_abort(const mman_map_t *m)
{
	(void) m;
}

static void mman_nothing_unmapped(const mman_map_t *p, uintptr_t from, uintptr_t to)
{
	(void) p, (void) from, (void) to;
}

/* Wired pages cannot be dropped: remake the piece's areas, each with the
 * rights it had, on fresh (zeroed) frames.  A kernel out of frames leaves
 * the rest of the piece unmapped (ENOMEM). */
static errno_t mman_wired_advise(const mman_map_t *p, int advice)
{
	uintptr_t at = p->base, got;
	if (advice != MADV_DONTNEED || p->shared)
		return EOK;
	while (at < p->end) {
		as_area_info_t info;
		errno_t rc = as_area_query(at, &info);
		if (rc != EOK)
			return rc;
		uintptr_t end = info.base + info.size < p->end ? info.base + info.size : p->end;
		rc = as_area_unmap(at, end - at);
		if (rc == EOK)
			rc = as_area_create(at, end - at, info.flags | AS_AREA_FIXED, &got);
		if (rc != EOK)
			return rc;
		at = end;
	}
	return EOK;
}

/* ---- files on the file pager (abi/fpager.h) ---- */

static cap_handle_t mman_fpager = CAP_NIL; /* mman_lock */

/* The task's connection to the file pager, made at the first file
 * mapping; @a again: the old one is gone (the pager was restarted). */
static errno_t mman_fpager_phone(bool again, cap_handle_t *out)
{
	if (again && mman_fpager != CAP_NIL) {
		(void) ipc_hangup(mman_fpager);
		mman_fpager = CAP_NIL;
	}
	errno_t rc = EOK;
	if (mman_fpager == CAP_NIL)
		rc = ns_connect(FPAGER_NAME, &mman_fpager);
	*out = mman_fpager;
	return rc;
}

/* One request about a mapping to the file pager; through a new
 * connection once if ours is gone (a file pager started again: it took
 * our shared mappings over). */
static errno_t mman_fpager_call(
    uint64_t method, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, ipc_msg_t *ans)
{
	cap_handle_t phone;
	errno_t rc = mman_fpager_phone(false, &phone);
	if (rc == EOK)
		rc = ipc_request(phone, method, a0, a1, a2, a3, 0, ans);
	if (rc == EHANGUP && mman_fpager_phone(true, &phone) == EOK)
		rc = ipc_request(phone, method, a0, a1, a2, a3, 0, ans);
	return rc;
}

/* The VFS grants the task the file of @a req->fd; the file pager makes
 * the grant an object of our connection. */
static errno_t mman_file_prepare(const mman_req_t *req, mman_map_t *m)
{
	uint64_t grant;
	unsigned max;
	ipc_msg_t ans;
	errno_t rc = EHANGUP;
	/* twice if our connection is gone (a file pager started again): the
	 * grant was asked for the old one, so a new grant goes with it */
	for (unsigned tries = 0; tries < 2 && rc == EHANGUP; tries++) {
		cap_handle_t phone;
		rc = fd_mmap_grant(req->fd, req->rights, req->shared, &grant, &max);
		if (rc == EOK) /* (ENOTSUP from the VFS: no file pager) */
			rc = mman_fpager_phone(tries > 0, &phone);
		if (rc == EOK)
			rc = ipc_request(phone, FPAGER_MAP, grant,
			    req->shared ? 0 : FPAGER_MAP_PRIVATE, 0, 0, 0, &ans);
	}
	if (rc != EOK)
		return rc;
	m->object = ans.arg[0];
	m->offset = req->offset;
	m->max_rights = (uint8_t) max;
	return EOK;
}

static errno_t mman_file_area(const mman_req_t *req, mman_map_t *m)
{
	as_pager_spec_t spec = { .phone = mman_fpager, .object = m->object, .offset = m->offset };
	errno_t rc = as_area_create_pager(
	    req->addr, req->len, mman_area_flags(req), &spec, &m->base);
	m->end = m->base + req->len;
	return rc;
}

static void mman_file_abort(const mman_map_t *m)
{
	(void) mman_fpager_call(FPAGER_DROP, m->object, 0, 0, 0, NULL);
}

/* Write to a file opened read-only only through a private mapping. */
static errno_t mman_file_protect_check(const mman_map_t *p, unsigned rights)
{
	return (rights & ~(unsigned) p->max_rights) ? EACCES : EOK;
}

/* A shared mapping's dirty pages are written back: MS_SYNC (or no flag)
 * returns when they are on the disk, MS_ASYNC when the file pager has
 * queued the write; a private one has nothing to write. */
static errno_t mman_file_sync(const mman_map_t *p, int flags)
{
	if (!p->shared)
		return EOK;
	unsigned f = (flags & MS_ASYNC ? FPAGER_MSYNC_ASYNC : 0) |
	    (flags & MS_INVALIDATE ? FPAGER_MSYNC_INVALIDATE : 0);
	return mman_fpager_call(FPAGER_MSYNC, p->object, p->offset, p->end - p->base, f, NULL);
}

static errno_t mman_file_advise(const mman_map_t *p, int advice)
{
	uint64_t how = advice == MADV_DONTNEED ? FPAGER_ADVISE_DONTNEED
	    : advice == MADV_WILLNEED          ? FPAGER_ADVISE_WILLNEED
	    : advice == MADV_SEQUENTIAL        ? FPAGER_ADVISE_SEQUENTIAL
	                                       : 0;
	if (!how)
		return EOK;
	return mman_fpager_call(FPAGER_ADVISE, p->object, p->offset, p->end - p->base, how, NULL);
}

static const mman_ops_t mman_ops[MMAN_KINDS] = {
	[MMAN_ANON] = { mman_anon_prepare, mman_anon_area, mman_anon_abort, mman_anon_unmapped,
	    mman_none_protect_check, mman_none_sync, mman_anon_advise },
	[MMAN_WIRED] = { mman_wired_prepare, mman_wired_area, mman_nothing_abort,
	    mman_nothing_unmapped, mman_none_protect_check, mman_none_sync, mman_wired_advise },
	[MMAN_FILE] = { mman_file_prepare, mman_file_area, mman_file_abort, mman_nothing_unmapped,
	    mman_file_protect_check, mman_file_sync, mman_file_advise },
};

/* ---- the calls ---- */

typedef struct mman_cut {
	uintptr_t from, to;
} mman_cut_t;

static void mman_piece_unmapped(void *arg, const mman_map_t *p)
{
	const mman_cut_t *c = arg;
	mman_ops[p->kind].unmapped(p, c->from, c->to);
}

/* Unmap [from, to): the areas, then what backed them, then the table. */
static errno_t mman_unmap_locked(uintptr_t from, uintptr_t to)
{
	mman_cut_t c = { from, to };
	errno_t rc = mman_table_reserve(&mman_maps, 1);
	if (rc == EOK)
		rc = as_area_unmap(from, to - from);
	if (rc != EOK)
		return rc;
	mman_table_visit(&mman_maps, from, to, mman_piece_unmapped, &c);
	mman_table_cut(&mman_maps, from, to);
	return EOK;
}

/* MAP_FIXED over [from, to): unmap it, after checking that the task has
 * room for the two areas the unmap and the new mapping may add (the
 * unmap cannot be undone if the new area is refused later). */
static errno_t mman_replace_locked(uintptr_t from, uintptr_t to)
{
	task_stats_t st;
	errno_t rc = task_stats(&st);
	if (rc == EOK && st.areas + 2 > AS_AREAS_MAX)
		rc = ELIMIT;
	if (rc == EOK)
		rc = mman_unmap_locked(from, to);
	return rc;
}

static errno_t mman_map_locked(const mman_req_t *req, uint8_t kind, uintptr_t *base)
{
	const mman_ops_t *ops = &mman_ops[kind];
	mman_map_t m = { .kind = kind, .shared = req->shared };
	errno_t rc = mman_table_reserve(&mman_maps, 2);
	if (rc == EOK)
		rc = ops->prepare(req, &m);
	if (rc != EOK)
		return rc;
	if (req->replace)
		rc = mman_replace_locked(req->addr, req->addr + req->len);
	if (rc == EOK)
		rc = ops->area(req, &m);
	if (rc != EOK) {
		ops->abort(&m);
		return rc;
	}
	mman_table_insert(&mman_maps, &m);
	*base = m.base;
	return EOK;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	mman_req_t req;
	uintptr_t base = 0;
	errno_t rc = mman_map_check((uintptr_t) addr, len, prot, flags, fd, offset, &req);
	if (rc == EOK) {
		uint8_t kind = !req.anon ? MMAN_FILE : anon_paging() ? MMAN_ANON : MMAN_WIRED;
		lock_acquire(&mman_lock);
		rc = mman_map_locked(&req, kind, &base);
		lock_release(&mman_lock);
	}
	if (rc != EOK) {
		errno = mman_errno(rc);
		return MAP_FAILED;
	}
	return (void *) base;
}

int munmap(void *addr, size_t len)
{
	uintptr_t from = (uintptr_t) addr, to;
	errno_t rc = mman_unmap_check(from, len, &to);
	if (rc == EOK) {
		lock_acquire(&mman_lock);
		rc = mman_unmap_locked(from, to);
		lock_release(&mman_lock);
	}
	return mman_result(rc);
}

/* One operation over the pieces of a range: the first error counts, the
 * rest of the pieces are still done. */
typedef struct mman_walk {
	errno_t (*fn)(const mman_map_t *piece, int arg);
	int arg;
	errno_t rc;
} mman_walk_t;

static void mman_walk_piece(void *arg, const mman_map_t *p)
{
	mman_walk_t *w = arg;
	errno_t rc = w->fn(p, w->arg);
	if (w->rc == EOK)
		w->rc = rc;
}

static errno_t mman_walk(
    uintptr_t from, uintptr_t to, errno_t (*fn)(const mman_map_t *, int), int arg)
{
	mman_walk_t w = { fn, arg, EOK };
	mman_table_visit(&mman_maps, from, to, mman_walk_piece, &w);
	return w.rc;
}

static errno_t mman_protect_piece(const mman_map_t *p, int rights)
{
	return mman_ops[p->kind].protect_check(p, (unsigned) rights);
}

static errno_t mman_sync_piece(const mman_map_t *p, int flags)
{
	return mman_ops[p->kind].sync(p, flags);
}

static errno_t mman_advise_piece(const mman_map_t *p, int advice)
{
	return mman_ops[p->kind].advise(p, advice);
}

int mprotect(void *addr, size_t len, int prot)
{
	uintptr_t from = (uintptr_t) addr, to;
	unsigned rights;
	errno_t rc = mman_range_check(from, len, &to);
	if (rc == EOK)
		rc = mman_prot_rights(prot, &rights);
	if (rc != EOK || from == to)
		return mman_result(rc);
	lock_acquire(&mman_lock);
	rc = mman_walk(from, to, mman_protect_piece, (int) rights);
	if (rc == EOK)
		rc = as_area_protect(from, to - from, rights);
	lock_release(&mman_lock);
	return mman_result(rc);
}

int msync(void *addr, size_t len, int flags)
{
	uintptr_t from = (uintptr_t) addr, to;
	errno_t rc = mman_range_check(from, len, &to);
	if (rc == EOK)
		rc = mman_sync_check(flags);
	if (rc != EOK || from == to)
		return mman_result(rc);
	lock_acquire(&mman_lock);
	if (!mman_range_mapped(from, to))
		rc = ENOMEM;
	else
		rc = mman_walk(from, to, mman_sync_piece, flags);
	lock_release(&mman_lock);
	return mman_result(rc);
}

int madvise(void *addr, size_t len, int advice)
{
	uintptr_t from = (uintptr_t) addr, to;
	errno_t rc = mman_range_check(from, len, &to);
	if (rc == EOK)
		rc = mman_advice_check(advice);
	if (rc != EOK || from == to)
		return mman_result(rc);
	lock_acquire(&mman_lock);
	if (!mman_range_mapped(from, to))
		rc = ENOMEM;
	else if (advice == MADV_DONTNEED && !mman_table_covers(&mman_maps, from, to))
		rc = EINVAL;
	else
		rc = mman_walk(from, to, mman_advise_piece, advice);
	lock_release(&mman_lock);
	return mman_result(rc);
}
