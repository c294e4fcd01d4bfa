/*
 * The file system protocol: between the VFS (uspace/srv/vfs) and a file
 * system server (uspace/srv/fs/ext2).  docs/vfs.md is the guide.
 *
 * Registration.  A file system server mounts its volume, connects to
 * the VFS through ns (VFS_NAME) and gives it FS_CONN_COUNT phones to
 * itself with IPC_M_CONNECT_TO_ME: arg[0..1] the source's name packed as
 * ns packs names ("disk0"), arg[2] the file system type packed the same
 * way ("ext2"), arg[3] the connection's index 0..FS_CONN_COUNT-1; the
 * badge it passes is index + 1, so each call tells the server which
 * connection it came through.  Only the VFS holds phones to a file system
 * server (it is not registered with ns), so the server trusts the node
 * numbers it is given, and checks everything else.  When the last
 * connection is given, the VFS mounts the volume (the root, if its source
 * is the one the VFS was started with: "vfs root=disk0").  If the server
 * ends, the VFS answers requests on its files EIO; a server started again
 * registers again and is mounted again at the same place.
 *
 * Brokered connections.  A IPC_M_CONNECT_ME_TO arriving through one of
 * the VFS's connections (the VFS forwards one it received from a party it
 * trusts, the file pager) is accepted as a new connection of its own, one
 * of up to FS_CONN_COUNT more, with its own control buffer and its own
 * table of buffer ids (an id lent on a brokered connection names that
 * connection's buffer only, never the VFS's or another connection's of
 * the same id; they go when it hangs up); ELIMIT when they are taken.  A
 * connect through a brokered connection is EPERM, and so is FS_UNMOUNT.
 * The brokered connections going leave the VFS's untouched.
 *
 * Buffers.  Every connection has a control buffer of FS_CTL_SIZE bytes,
 * an area of the VFS's that it lends with IPC_M_SHARE_OUT, arg[2] =
 * FS_SHARE_CTL, before the connection's first request: names, symlink
 * targets, stat records and directory entries travel in it.  File data
 * moves through the buffers of the VFS's clients (abi/vfs.h), lent the same
 * way with arg[2] = a buffer id 1..FS_BUF_MAX (one table per server, for
 * all connections) and taken back with FS_BUF_DROP.
 *
 * Nodes.  A node word names a node and the generation of its number:
 * bits 0..31 the file system's inode number, bits 32..63 its generation
 * (FS_NODE_WORD), which changes each time the number is given to a new
 * node.  Every node a server answers (FS_STATFS's root, FS_LOOKUP,
 * FS_CREATE, FS_SYMLINK) is such a word, and the VFS and the file pager
 * use the words as they are (a cache keyed by them never takes a new file
 * for an old one of the same number).  A request naming a node whose
 * number has been given to another node since (its generation differs)
 * is ESTALE and changes nothing: a party still holding the old word --
 * the VFS between a name's removal and its word to the file pager, the
 * file pager writing back pages of a file that went -- cannot reach the
 * new file through it.  A number that is free is ENOENT, as before.  Only
 * FS_STAT accepts the generation FS_GEN_ANY: whatever node has that
 * number now (the answer's vfs_stat_t.gen says which), for a party that
 * kept the number and part of the generation only (the file pager
 * taking over a mapping after a restart, docs/file-pager.md).
 *
 * Opens.  The server counts the opens (FS_NODE_OPEN) of each node per
 * peer: the VFS (its FS_CONN_COUNT connections), and each task holding
 * brokered connections (all of a task's brokered connections are one
 * peer).  FS_NODE_CLOSE closes one of the calling peer's opens (EINVAL
 * if it holds none).  When a peer's last brokered connection hangs up
 * (the file pager died, or let them go), every open it still held is
 * closed: a node without a name that only it held open is freed, with its
 * blocks.
 *
 * Requests (ev.msg.method; words in arg[0..]; "ctl": the connection's
 * control buffer; node: a node word):
 *  FS_STATFS     -> a vfs_statfs_t in ctl, arg[0] the root directory's node
 *  FS_LOOKUP     arg[0] dir, arg[1] name length (name in ctl)
 *                -> arg[0] node, arg[1] its mode (type and permissions),
 *                arg[2] its generation (FS_NODE_GEN of arg[0])
 *  FS_STAT       arg[0] node (its generation may be FS_GEN_ANY) -> a
 *                vfs_stat_t in ctl (ino the number, gen the generation)
 *  FS_READ       arg[0] node, arg[1] offset, arg[2] bytes, arg[3] buffer
 *                id, arg[4] offset in it -> arg[0] bytes read (fewer at the
 *                end of the file; holes read as zeros)
 *  FS_WRITE      the same, from the buffer -> arg[0] bytes written (ENOSPC
 *                with the count written when the volume filled part way);
 *                answered when the data is on the device (the device's
 *                error is EIO of this request; metadata such as the size
 *                and times may wait for FS_SYNC)
 *  FS_TRUNCATE   arg[0] node, arg[1] size
 *  FS_CREATE     arg[0] dir, arg[1] name length, arg[2] mode: VFS_S_IFREG
 *                or VFS_S_IFDIR with permission bits -> arg[0] node
 *  FS_SYMLINK    arg[0] dir, arg[1] name length, arg[2] target length
 *                (name, then target, in ctl) -> arg[0] node
 *  FS_READLINK   arg[0] node -> arg[0] length, the target in ctl
 *  FS_LINK       arg[0] dir, arg[1] name length, arg[2] node
 *  FS_UNLINK     arg[0] dir, arg[1] name length, arg[2] 1: the name must be
 *                an empty directory (rmdir), 0: must not be a directory
 *  FS_RENAME     arg[0] old dir, arg[1] old name length, arg[2] new dir,
 *                arg[3] new name length (old name then new name in ctl)
 *  FS_READDIR    arg[0] dir, arg[1] position (0: the start) -> arg[0]
 *                entries, arg[1] bytes of vfs_dirent_t records in ctl,
 *                arg[2] the position after them; 0 entries at the end
 *  FS_NODE_OPEN  arg[0] node: the peer holds it open; a node whose last
 *                name goes while it is open lives until its last close.
 *                ENOENT for a node that is gone (its name was removed
 *                after the VFS looked it up), ESTALE for one whose number
 *                is another node's now: nothing is held then
 *  FS_NODE_CLOSE arg[0] node: one of the peer's opens
 *  FS_SYNC       write everything back and flush the device
 *  FS_BUF_DROP   arg[0] buffer id: unmap it
 *  FS_UNMOUNT    write everything back, mark the volume clean; the server
 *                answers, then ends
 *  FS_ALLOCATE   arg[0] node (a regular file), arg[1] offset, arg[2] bytes
 *                (at most FS_ALLOCATE_MAX): every block of [offset, offset
 *                + bytes) that is a hole gets a block, zeroed on the disk,
 *                so a later write of that range cannot fail for space; the
 *                size does not change.  ENOSPC if the volume has too few
 *                free blocks (nothing allocated then), EROFS, EFBIG,
 *                ERANGE if the range passes the file's size (nothing
 *                allocated: a truncation came first)
 *
 * Errors as abi/vfs.h lists them; EINVAL for a buffer id that is not
 * lent, or a range beyond the buffer or the control buffer, or a node
 * word whose number is not the volume's; ESTALE for a node word of an
 * earlier generation (checked before anything else is done).
 */
#ifndef ABI_FS_H_
#define ABI_FS_H_

#include <abi/ipc.h>
#include <abi/vfs.h>

#define FS_STATFS (IPC_M_FIRST_USER + 0)
#define FS_LOOKUP (IPC_M_FIRST_USER + 1)
#define FS_STAT (IPC_M_FIRST_USER + 2)
#define FS_READ (IPC_M_FIRST_USER + 3)
#define FS_WRITE (IPC_M_FIRST_USER + 4)
#define FS_TRUNCATE (IPC_M_FIRST_USER + 5)
#define FS_CREATE (IPC_M_FIRST_USER + 6)
#define FS_SYMLINK (IPC_M_FIRST_USER + 7)
#define FS_READLINK (IPC_M_FIRST_USER + 8)
#define FS_LINK (IPC_M_FIRST_USER + 9)
#define FS_UNLINK (IPC_M_FIRST_USER + 10)
#define FS_RENAME (IPC_M_FIRST_USER + 11)
#define FS_READDIR (IPC_M_FIRST_USER + 12)
#define FS_NODE_OPEN (IPC_M_FIRST_USER + 13)
#define FS_NODE_CLOSE (IPC_M_FIRST_USER + 14)
#define FS_SYNC (IPC_M_FIRST_USER + 15)
#define FS_BUF_DROP (IPC_M_FIRST_USER + 16)
#define FS_UNMOUNT (IPC_M_FIRST_USER + 17)
#define FS_ALLOCATE (IPC_M_FIRST_USER + 18)

#define FS_CONN_COUNT 4u /* phones a server gives the VFS */
#define FS_CTL_SIZE (8u * 1024u)
#define FS_SHARE_CTL 0u /* IPC_M_SHARE_OUT arg[2]: the control buffer */
#define FS_BUF_MAX 256u /* client buffer ids 1..FS_BUF_MAX */
#define FS_ALLOCATE_MAX (1024u * 1024u) /* bytes one FS_ALLOCATE may cover */

/* Node words ("Nodes" above). */
#define FS_NODE_WORD(ino, gen) (((uint64_t) (gen) << 32) | (uint32_t) (ino))
#define FS_NODE_INO(word) ((uint32_t) (word))
#define FS_NODE_GEN(word) ((uint32_t) ((word) >> 32))
#define FS_GEN_ANY 0xffffffffu /* FS_STAT: any generation; never a node's */

#endif
