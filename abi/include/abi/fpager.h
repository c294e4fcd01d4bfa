/*
 * The file pager's protocol: between the VFS and the file pager
 * (uspace/srv/pager/file, registered with ns as FPAGER_NAME), and between
 * a client mapping a file and the file pager.  docs/file-pager.md is the
 * guide; this header is the contract.
 *
 * The division of work.  The VFS owns names, descriptors and offsets; the
 * file system server owns the bytes on the disk; the file pager owns the
 * one cached copy of each file page.  A read() goes client -> VFS -> file
 * pager, which copies cached pages into the client's buffer: a cached read
 * crosses two servers and never reaches the file system server.  A miss
 * is read by the file pager from the file system server through a
 * connection of its own (brokered by the VFS, abi/vfs.h VFS_CONNECT_FS),
 * into its memory, never into a client's (a client could change its buffer
 * under the copy).  A write() goes the same way and is written through:
 * the data goes to the file system server at once (which allocates its
 * blocks and grows the file, so ENOSPC and EFBIG are the write's), and the
 * cached pages of the range are updated, so every mapping sees it.
 * Stores through shared mappings are what makes cached pages dirty; they
 * are written back (abi/pager.h SYS_PAGER_WRITE_PROTECT, three states per
 * page: docs/pager-abi.md "Write-back") on msync, fsync, the last close of
 * the file, the last unmap, sync, shutdown, and when they are older than
 * FPAGER_DIRTY_AGE_MS.
 *
 * Registration.  The file pager connects to the VFS, sends
 * VFS_PAGER_REGISTER, then IPC_M_CONNECT_TO_ME (arg[4] its badge for the
 * VFS, FPAGER_VFS_BADGE): the VFS's requests below come through that phone.
 * It connects to each volume lazily: a request for a volume it has no
 * connection to yet is answered EAGAIN (and the VFS does the work with the
 * file system server itself, as without a file pager) while a thread of
 * the pager connects; so the pager never waits for the VFS while the VFS
 * waits for it.  If the file pager ends, the VFS goes on without it.
 *
 * VFS -> file pager (words in arg[0..4]; dev is the volume's mount number,
 * node the file's node word -- its number and generation, abi/fs.h
 * "Nodes": the pager's files are keyed by (dev, node), so a number given
 * to a new file names another file; the buffer is a client's, lent with
 * IPC_M_SHARE_OUT arg[2] = its id 1..FS_BUF_MAX, as to a file system
 * server):
 *  FPAGER_READ     dev, node, offset, bytes (<= VFS_BUF_SIZE), buffer id
 *                  -> arg[0] bytes read into the buffer at 0 (fewer at the
 *                  end of the file)
 *  FPAGER_WRITE    the same from the buffer -> arg[0] bytes written (ENOSPC
 *                  with a count when the volume filled part way)
 *  FPAGER_TRUNCATE dev, node, size: pages beyond it leave every mapping
 *                  and the cache, then the file system truncates
 *  FPAGER_FSYNC    dev, node: write the file's dirty pages back; the error
 *                  of a failed write-back since the last FSYNC (the pages
 *                  stay dirty and are retried)
 *  FPAGER_CLOSE    dev, node: an open file of the node is closed (before
 *                  the VFS's FS_NODE_CLOSE): dirty pages are written back,
 *                  or dropped if the file has no name any more
 *  FPAGER_FORGET   dev, node: a name of the node was removed: if it was the
 *                  last, the cached pages go (the node may be reused)
 *  FPAGER_SYNC     every dirty page of every volume written back
 *  FPAGER_GRANT    dev, node, rights (AS_AREA_READ/WRITE/EXEC), task id,
 *                  1 shared / 0 private -> arg[0] a grant: that task may
 *                  map the file, that way only, with at most those rights
 *                  (VFS_MMAP checked its descriptor), within 10 s; a
 *                  grant goes when the node loses a name (FPAGER_FORGET)
 *  FPAGER_BUF_DROP buffer id: unmap it
 *
 * Client -> file pager (a connection through ns):
 *  FPAGER_MAP      arg[0] grant, arg[1] FPAGER_MAP_* flags -> arg[0] an
 *                  object id to bind an area to (SYS_AS_AREA_CREATE_PAGER,
 *                  offset = the file offset of the area's first page),
 *                  arg[1] the file's size.  Only the task the grant names
 *                  may use it, once (ENOENT otherwise); EACCES if the
 *                  grant was for the other kind (a private grant carries
 *                  write for copy-on-write only).  An object without
 *                  an area goes when the connection does.
 *  FPAGER_MSYNC    arg[0] object, arg[1] offset, arg[2] bytes,
 *                  arg[3] FPAGER_MSYNC_* flags: write back the range's dirty
 *                  pages and wait; the error of a failed write-back (also
 *                  one kept from an earlier one).  With MSYNC_ASYNC the
 *                  write-back is queued for the pager's write-back thread
 *                  and the answer is EOK at once (its error is kept for
 *                  the next fsync or msync without ASYNC).  MSYNC_INVALIDATE
 *                  adds nothing: the cache is the one copy.  After a
 *                  restart the successor accepts it for a view it took
 *                  over through any connection (the old one went)
 *  FPAGER_ADVISE   arg[0] object, arg[1] offset, arg[2] bytes, arg[3]
 *                  FPAGER_ADVISE_*: DONTNEED (clean pages of the range go
 *                  first when memory is short; a private object's own pages
 *                  are dropped), WILLNEED (start reading the range: its
 *                  first 64 pages),
 *                  SEQUENTIAL (read ahead further)
 *  FPAGER_DROP     arg[0] object: an object that never got an area goes
 *                  (the mmap that asked for it failed)
 *  FPAGER_STATS    arg[0] a group -> five counters in arg[0..4]:
 *                  FPAGER_STATS_CACHE: pages in the cache's pool, pages
 *                  holding file data, dirty pages (with those being
 *                  written), the most dirty pages seen, the dirty bound;
 *                  FPAGER_STATS_IO: cached reads, pages read from the
 *                  file systems, page-ins, evictions, pages written back;
 *                  FPAGER_STATS_WB: write-backs started, failed writes,
 *                  the most writes in flight at once, files, mappings;
 *                  FPAGER_STATS_RA: read-aheads done (the rest 0);
 *                  FPAGER_STATS_TRIGGER: what started write-backs:
 *                  MSYNC_ASYNC requests taken, queued write-backs done (a
 *                  request merged into a waiting one for the same file is
 *                  done with it), requests that found the queue full (the
 *                  next pass writes every dirty page), write-backs at a
 *                  file's last unmap, write-backs at its last close (each
 *                  counted when it has ended)
 *  FPAGER_TEST_FAIL_WRITES  arg[0] count, arg[1] an error: the next
 *                  @a count writes of dirty pages fail with it without
 *                  reaching the file system (tests of write-back errors;
 *                  ENOTSUP unless the system was booted for tests)
 *
 * Errors: EINVAL malformed words, ENOENT no such object or grant, EAGAIN
 * (VFS only) not connected to that volume yet, EIO the volume's server is
 * gone, ENOSPC, EFBIG, EROFS from the file system, ESTALE a node word
 * whose number is another file's now (the file system's answer).
 */
#ifndef ABI_FPAGER_H_
#define ABI_FPAGER_H_

#include <abi/ipc.h>

#define FPAGER_NAME "fpager"

/* The badge the file pager gives the VFS's phone (IPC_M_CONNECT_TO_ME). */
#define FPAGER_VFS_BADGE 1u

#define FPAGER_READ (IPC_M_FIRST_USER + 0)
#define FPAGER_WRITE (IPC_M_FIRST_USER + 1)
#define FPAGER_TRUNCATE (IPC_M_FIRST_USER + 2)
#define FPAGER_FSYNC (IPC_M_FIRST_USER + 3)
#define FPAGER_CLOSE (IPC_M_FIRST_USER + 4)
#define FPAGER_FORGET (IPC_M_FIRST_USER + 5)
#define FPAGER_SYNC (IPC_M_FIRST_USER + 6)
#define FPAGER_GRANT (IPC_M_FIRST_USER + 7)
#define FPAGER_BUF_DROP (IPC_M_FIRST_USER + 8)
#define FPAGER_MAP (IPC_M_FIRST_USER + 16)
#define FPAGER_MSYNC (IPC_M_FIRST_USER + 17)
#define FPAGER_ADVISE (IPC_M_FIRST_USER + 18)
#define FPAGER_DROP (IPC_M_FIRST_USER + 19)
#define FPAGER_STATS (IPC_M_FIRST_USER + 20)
#define FPAGER_TEST_FAIL_WRITES (IPC_M_FIRST_USER + 21)

/* FPAGER_STATS arg[0] */
#define FPAGER_STATS_CACHE 0u
#define FPAGER_STATS_IO 1u
#define FPAGER_STATS_WB 2u
#define FPAGER_STATS_RA 3u
#define FPAGER_STATS_TRIGGER 4u

/* FPAGER_MAP arg[1] */
#define FPAGER_MAP_PRIVATE 0x1u /* copy-on-write: stores never reach the file */

/* FPAGER_MSYNC arg[3] */
#define FPAGER_MSYNC_ASYNC 0x1u
#define FPAGER_MSYNC_INVALIDATE 0x2u

/* FPAGER_ADVISE arg[3] */
#define FPAGER_ADVISE_DONTNEED 1u
#define FPAGER_ADVISE_WILLNEED 2u
#define FPAGER_ADVISE_SEQUENTIAL 3u

/* No page stays dirty longer than this (the periodic write-back). */
#define FPAGER_DIRTY_AGE_MS 3000u

#endif
