/*
 * The memory the VFS (and a brokered connection) lends the server
 * (abi/fs.h, "Buffers"): each connection's control buffer, and data
 * buffers by id in one table for the VFS's connections and one per
 * brokered connection; mapped when they are shared out (IPC_M_SHARE_OUT,
 * arg[2] FS_SHARE_CTL or the id) and unmapped at FS_BUF_DROP (a data
 * buffer) or when the connection hangs up (its control buffer, and a
 * brokered connection's table).  Every range a request names is checked
 * against the area as mapped, whatever size the VFS thinks it lent.
 * Under ext2srv.lock.
 */
#include "ext2srv.h"
#include <as.h>

#define BUF_RIGHTS (AS_AREA_READ | AS_AREA_WRITE)

/* Check a SHARE_OUT's words: *area is where it goes. */
static errno_t share_out_check(
    ext2srv_t *s, unsigned conn, const ipc_msg_t *m, ext2srv_area_t **area)
{
	uint64_t id = m->arg[2];

	if (id > FS_BUF_MAX || (m->arg[1] & BUF_RIGHTS) != BUF_RIGHTS)
		return EINVAL;
	*area = id == FS_SHARE_CTL ? &s->ctl[conn] : &s->bufs[EXT2SRV_TABLE(conn)][id];
	return (*area)->base != NULL ? EEXIST : EOK;
}

/*
 * Map an area the VFS lends: answers the call itself (IPC_NO_REPLY), or
 * returns the error to answer with.  A control buffer smaller than
 * FS_CTL_SIZE is unmapped again: the connection then has none, and every
 * request that needs one is EINVAL.
 */
errno_t ext2srv_share_out(ext2srv_t *s, unsigned conn, ipc_event_t *ev)
{
	ext2srv_area_t *area;
	as_area_info_t info;
	uintptr_t base;
	errno_t rc = share_out_check(s, conn, &ev->msg, &area);

	if (rc != EOK)
		return rc;
	if (ipc_share_out_accept(ev, 0, BUF_RIGHTS, &base) != EOK)
		return IPC_NO_REPLY; /* answered with the reason; nothing mapped */
	if (as_area_query(base, &info) != EOK ||
	    (area == &s->ctl[conn] && info.size < FS_CTL_SIZE)) {
		as_area_destroy(base);
		return IPC_NO_REPLY;
	}
	area->base = (uint8_t *) base;
	area->size = area == &s->ctl[conn] ? FS_CTL_SIZE : info.size;
	return IPC_NO_REPLY;
}

static void area_drop(ext2srv_area_t *area)
{
	if (area->base != NULL)
		as_area_destroy((uintptr_t) area->base);
	*area = (ext2srv_area_t){ 0 };
}

errno_t ext2srv_buf_drop(ext2srv_t *s, unsigned table, uint64_t id)
{
	if (id == 0 || id > FS_BUF_MAX || s->bufs[table][id].base == NULL)
		return EINVAL;
	area_drop(&s->bufs[table][id]);
	return EOK;
}

void ext2srv_bufs_drop(ext2srv_t *s, unsigned table)
{
	for (unsigned id = 1; id <= FS_BUF_MAX; id++)
		area_drop(&s->bufs[table][id]);
}

void ext2srv_ctl_drop(ext2srv_t *s, unsigned conn)
{
	area_drop(&s->ctl[conn]);
}

/* [off, off + len) inside @a size bytes, without overflowing. */
static bool range_ok(uint64_t off, uint64_t len, size_t size)
{
	return len <= size && off <= size - len;
}

errno_t ext2srv_buf_range(
    const ext2srv_t *s, unsigned table, uint64_t id, uint64_t off, uint64_t len, uint8_t **p)
{
	if (id == 0 || id > FS_BUF_MAX || s->bufs[table][id].base == NULL ||
	    !range_ok(off, len, s->bufs[table][id].size))
		return EINVAL;
	*p = s->bufs[table][id].base + off;
	return EOK;
}

errno_t ext2srv_ctl_range(const ext2srv_req_t *r, uint64_t off, uint64_t len, uint8_t **p)
{
	if (r->ctl == NULL || !range_ok(off, len, r->ctl_size))
		return EINVAL;
	*p = r->ctl + off;
	return EOK;
}
