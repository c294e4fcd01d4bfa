/*
 * The file API's protocol: between a client (libc's file calls) and the
 * VFS server `vfs` (registered with ns as VFS_NAME).  docs/vfs.md is the
 * guide; this header is the contract.
 *
 * A connection has one data buffer: the client asks for it once with
 * IPC_M_SHARE_IN (arg[0] size, ignored; arg[1] AS_AREA_READ |
 * AS_AREA_WRITE); vfs answers with an area of its own of VFS_BUF_SIZE
 * bytes, which it also lends to the file system servers, so file data
 * moves between a file system's block cache and the client's view of the
 * buffer with one copy.  A second SHARE_IN on a connection is EEXIST; any
 * request that needs the buffer before it exists is ENOENT.  Paths, names,
 * stat records, directory entries and file data all travel through the
 * buffer (at offset 0 unless a request says otherwise); vfs copies a path
 * out of the buffer before it looks at it, so a client changing its
 * buffer meanwhile can only confuse itself.
 *
 * A task may hold at most VFS_TASK_CONNS_MAX connections (a connect beyond
 * is refused with ELIMIT), so no task can take every connection there is.
 *
 * Descriptors belong to the calling task (ev.sender), not the connection:
 * every connection of a task sees the same table (at most VFS_FD_MAX
 * descriptors, EMFILE beyond), and a task can never name another task's
 * descriptors.  The table goes when the task's last connection does.
 *
 * Paths are at most VFS_PATH_MAX bytes (ENAMETOOLONG beyond), without a
 * NUL (the length is a word of the request; a NUL inside is EINVAL);
 * relative ones start at the task's current directory ("/" at first).
 * A name is at most VFS_NAME_MAX bytes.  Symbolic links are followed
 * (VFS_SYMLOOP_MAX of them in one resolution, then ELOOP) except the last
 * component of lstat, readlink, unlink, rename, symlink and of open with
 * O_NOFOLLOW or with O_CREAT | O_EXCL (a symlink there is EEXIST).
 *
 * Requests (ev.msg.method; words in arg[0..]; "buf" is the connection's
 * buffer):
 *  VFS_OPEN      arg[0] path length (path in buf), arg[1] VFS_O_* flags,
 *                arg[2] mode bits for O_CREAT  -> arg[0] descriptor
 *  VFS_CLOSE     arg[0] fd
 *  VFS_READ      arg[0] fd, arg[1] bytes (<= VFS_BUF_SIZE) -> arg[0] bytes
 *                read into buf (0 at the end of the file)
 *  VFS_WRITE     arg[0] fd, arg[1] bytes from buf -> arg[0] bytes written
 *                (ENOSPC with a count when the volume filled part way)
 *  VFS_PREAD     as VFS_READ at offset arg[2]; the descriptor's offset stays
 *  VFS_PWRITE    as VFS_WRITE at offset arg[2] (O_APPEND ignored, as POSIX)
 *  VFS_SEEK      arg[0] fd, arg[1] offset (signed), arg[2] VFS_SEEK_*
 *                -> arg[0] the new offset
 *  VFS_FSTAT     arg[0] fd -> a vfs_stat_t in buf
 *  VFS_STAT      arg[0] path length, arg[1] 1: follow a final symlink
 *                (stat), 0: do not (lstat) -> a vfs_stat_t in buf
 *  VFS_TRUNCATE  arg[0] fd, arg[1] new size (the descriptor must be open
 *                for writing)
 *  VFS_FSYNC     arg[0] fd
 *  VFS_SYNC      every mounted volume written back and flushed
 *  VFS_MKDIR     arg[0] path length, arg[1] mode bits
 *  VFS_RMDIR     arg[0] path length
 *  VFS_UNLINK    arg[0] path length (not a directory: EISDIR)
 *  VFS_RENAME    arg[0] old path length, arg[1] new path length (old path
 *                then new path in buf)
 *  VFS_LINK      as VFS_RENAME: a new name (second) for the existing file
 *  VFS_SYMLINK   arg[0] target length, arg[1] path length (target then
 *                path in buf)
 *  VFS_READLINK  arg[0] path length -> arg[0] target length, target in buf
 *  VFS_CHDIR     arg[0] path length (a directory)
 *  VFS_GETCWD    -> arg[0] length, the absolute path in buf (no NUL)
 *  VFS_READDIR   arg[0] fd (a directory) -> arg[0] entries, arg[1] bytes:
 *                vfs_dirent_t records in buf; 0 entries at the end.  The
 *                directory's position is the descriptor's offset.
 *  VFS_DUP       arg[0] fd -> arg[0] the lowest free descriptor, sharing
 *                the open file (offset and flags)
 *  VFS_DUP2      arg[0] fd, arg[1] new fd (closed first if open)
 *                -> arg[0] the new fd; EBUSY while an open or dup of the
 *                same task (on another connection) is about to fill it
 *  VFS_HANDOFF   arg[0..2]: descriptors (or -1) to become 0, 1, 2 of a
 *                task about to be started -> arg[0] a token.  The parent
 *                passes the token to the child (libc: in its arguments,
 *                docs/vfs.md); at most VFS_HANDOFF_MAX wait at once (the
 *                oldest is dropped).
 *  VFS_ADOPT     arg[0] token: the waiting descriptors become the caller's
 *                0, 1, 2 (ENOENT: no such token; one use only; EBUSY,
 *                the token still waiting, as VFS_DUP2 is)
 *  VFS_STATFS    arg[0] path length -> a vfs_statfs_t in buf
 *  VFS_PAGER_REGISTER  this connection becomes the file pager's (EEXIST
 *                while another connection is; it stops being when it
 *                hangs up)
 *  IPC_M_CONNECT_ME_TO through the file pager's connection, arg[0]
 *                VFS_CONNECT_FS, arg[1] a mount number (vfs_stat_t.dev):
 *                forwarded to that volume's file system server, which
 *                accepts it as a brokered connection (abi/fs.h), so the
 *                file pager reads and writes file data without the VFS.
 *                EPERM through any other connection, ENOENT no such
 *                mount, EIO its server is gone, EINVAL another arg[0]
 *  VFS_SHUTDOWN  sync, then unmount every volume cleanly; afterwards every
 *                request is EBUSY.  The system's power-off path.
 *  VFS_PAGER_REGISTER then IPC_M_CONNECT_TO_ME (through that connection):
 *                the file pager gives the VFS its phone (abi/fpager.h);
 *                from then on regular files' data goes through it.
 *  VFS_MMAP      arg[0] fd, arg[1] rights (AS_AREA_READ/WRITE/EXEC),
 *                arg[2] VFS_MMAP_SHARED or 0 (private) -> arg[0] a grant
 *                for the file pager (abi/fpager.h FPAGER_MAP) that only
 *                the caller can use, arg[1] the rights it carries: the
 *                most the descriptor allows (write only if it is open for
 *                writing or the mapping is private), for a later mprotect.  The descriptor must be open for
 *                reading (EACCES), and for writing too for a shared
 *                mapping with WRITE; a regular file (ENOTSUP otherwise);
 *                ENOTSUP without a file pager.
 *  VFS_PAGER_BIND  through the file pager's connection: arg[0] a mount
 *                number.  The file pager has its connections to that
 *                volume and will serve its files' data from now on: the
 *                VFS stops serving that data itself and answers once the
 *                requests it was serving itself are done (docs/
 *                file-pager.md, "The first use of a volume").  EPERM
 *                through any other connection, ENOENT no such mount, EIO
 *                its server is gone.  Until then the file pager caches
 *                nothing of the volume.
 *  VFS_TEST_DIRECT_DELAY  arg[0] milliseconds (at most 10,000): the next
 *                write the VFS serves itself (not through the file pager)
 *                waits that long before it goes to the file system
 *                server.  Only in a test boot (ENOTSUP otherwise): a test
 *                holds a write in the window of a volume's first use.
 *
 * Errors, as POSIX names them: ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY,
 * ENOSPC, ENAMETOOLONG, EBADF (not an open descriptor of the caller's; or
 * open without the access the request needs), EROFS, EINVAL (malformed
 * words, a length beyond the buffer), ELOOP, EXDEV, EMFILE, EFBIG, EIO
 * (the device, or a file system server that is gone), ENOTSUP (unknown
 * method).  A request that fails changes nothing.
 */
#ifndef ABI_VFS_H_
#define ABI_VFS_H_

#include <abi/ipc.h>
#include <abi/layout.h>
#include <stdint.h>

#define VFS_NAME "vfs"

#define VFS_OPEN (IPC_M_FIRST_USER + 0)
#define VFS_CLOSE (IPC_M_FIRST_USER + 1)
#define VFS_READ (IPC_M_FIRST_USER + 2)
#define VFS_WRITE (IPC_M_FIRST_USER + 3)
#define VFS_PREAD (IPC_M_FIRST_USER + 4)
#define VFS_PWRITE (IPC_M_FIRST_USER + 5)
#define VFS_SEEK (IPC_M_FIRST_USER + 6)
#define VFS_FSTAT (IPC_M_FIRST_USER + 7)
#define VFS_STAT (IPC_M_FIRST_USER + 8)
#define VFS_TRUNCATE (IPC_M_FIRST_USER + 9)
#define VFS_FSYNC (IPC_M_FIRST_USER + 10)
#define VFS_SYNC (IPC_M_FIRST_USER + 11)
#define VFS_MKDIR (IPC_M_FIRST_USER + 12)
#define VFS_RMDIR (IPC_M_FIRST_USER + 13)
#define VFS_UNLINK (IPC_M_FIRST_USER + 14)
#define VFS_RENAME (IPC_M_FIRST_USER + 15)
#define VFS_LINK (IPC_M_FIRST_USER + 16)
#define VFS_SYMLINK (IPC_M_FIRST_USER + 17)
#define VFS_READLINK (IPC_M_FIRST_USER + 18)
#define VFS_CHDIR (IPC_M_FIRST_USER + 19)
#define VFS_GETCWD (IPC_M_FIRST_USER + 20)
#define VFS_READDIR (IPC_M_FIRST_USER + 21)
#define VFS_DUP (IPC_M_FIRST_USER + 22)
#define VFS_DUP2 (IPC_M_FIRST_USER + 23)
#define VFS_HANDOFF (IPC_M_FIRST_USER + 24)
#define VFS_ADOPT (IPC_M_FIRST_USER + 25)
#define VFS_STATFS (IPC_M_FIRST_USER + 26)
#define VFS_SHUTDOWN (IPC_M_FIRST_USER + 27)
#define VFS_PAGER_REGISTER (IPC_M_FIRST_USER + 28)
#define VFS_MMAP (IPC_M_FIRST_USER + 29)
#define VFS_PAGER_BIND (IPC_M_FIRST_USER + 30)
#define VFS_TEST_DIRECT_DELAY (IPC_M_FIRST_USER + 31)

/* VFS_MMAP arg[2] */
#define VFS_MMAP_SHARED 0x1u

/* IPC_M_CONNECT_ME_TO arg[0] through a connection: to a file system server. */
#define VFS_CONNECT_FS 0x6673u

/* A connection's buffer: the largest read or write of one request. */
#define VFS_BUF_SIZE (256u * 1024u)
#define VFS_PATH_MAX 4095u
#define VFS_NAME_MAX 255u
#define VFS_SYMLOOP_MAX 40u
#define VFS_FD_MAX 64u
#define VFS_TASK_CONNS_MAX 8u /* connections one task may hold (ELIMIT beyond) */
#define VFS_HANDOFF_MAX 32u

/* VFS_OPEN flags (the access mode is the low two bits). */
#define VFS_O_RDONLY 0x0000u
#define VFS_O_WRONLY 0x0001u
#define VFS_O_RDWR 0x0002u
#define VFS_O_ACCMODE 0x0003u
#define VFS_O_CREAT 0x0040u
#define VFS_O_EXCL 0x0080u
#define VFS_O_TRUNC 0x0200u
#define VFS_O_APPEND 0x0400u
#define VFS_O_DIRECTORY 0x10000u
#define VFS_O_NOFOLLOW 0x20000u
#define VFS_O_KNOWN                                                                                \
	(VFS_O_ACCMODE | VFS_O_CREAT | VFS_O_EXCL | VFS_O_TRUNC | VFS_O_APPEND | VFS_O_DIRECTORY | \
	    VFS_O_NOFOLLOW)

/* VFS_SEEK whence */
#define VFS_SEEK_SET 0u
#define VFS_SEEK_CUR 1u
#define VFS_SEEK_END 2u

/* File types and permission bits of vfs_stat_t.mode (POSIX's values). */
#define VFS_S_IFMT 0170000u
#define VFS_S_IFSOCK 0140000u
#define VFS_S_IFLNK 0120000u
#define VFS_S_IFREG 0100000u
#define VFS_S_IFBLK 0060000u
#define VFS_S_IFDIR 0040000u
#define VFS_S_IFCHR 0020000u
#define VFS_S_IFIFO 0010000u
#define VFS_S_PERM 07777u

typedef struct vfs_stat {
	uint64_t dev; /* the volume's mount number */
	uint64_t ino;
	uint32_t mode; /* VFS_S_IF* | permission bits */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t size;
	uint64_t blocks; /* 512-byte units */
	uint32_t blksize;
	uint32_t gen; /* the generation of the node's number (abi/fs.h, "Nodes") */
	int64_t atime; /* seconds since the epoch */
	int64_t mtime;
	int64_t ctime;
} vfs_stat_t;
ABI_SIZE(vfs_stat_t, 80);
ABI_FIELD(vfs_stat_t, dev, 0);
ABI_FIELD(vfs_stat_t, ino, 8);
ABI_FIELD(vfs_stat_t, mode, 16);
ABI_FIELD(vfs_stat_t, nlink, 20);
ABI_FIELD(vfs_stat_t, uid, 24);
ABI_FIELD(vfs_stat_t, gid, 28);
ABI_FIELD(vfs_stat_t, size, 32);
ABI_FIELD(vfs_stat_t, blocks, 40);
ABI_FIELD(vfs_stat_t, blksize, 48);
ABI_FIELD(vfs_stat_t, gen, 52);
ABI_FIELD(vfs_stat_t, atime, 56);
ABI_FIELD(vfs_stat_t, mtime, 64);
ABI_FIELD(vfs_stat_t, ctime, 72);

/* Directory entry types (vfs_dirent_t.type). */
#define VFS_DT_UNKNOWN 0u
#define VFS_DT_REG 1u
#define VFS_DT_DIR 2u
#define VFS_DT_CHR 3u
#define VFS_DT_BLK 4u
#define VFS_DT_FIFO 5u
#define VFS_DT_SOCK 6u
#define VFS_DT_LNK 7u

/*
 * One directory entry in a VFS_READDIR (and FS_READDIR) answer: reclen
 * bytes long (a multiple of 8: the next record follows), name_len bytes
 * of name, then a NUL.
 */
typedef struct vfs_dirent {
	uint64_t ino;
	uint16_t reclen;
	uint8_t type; /* VFS_DT_* */
	uint8_t name_len;
	char name[]; /* name_len bytes and a NUL */
} vfs_dirent_t;
ABI_FIELD(vfs_dirent_t, ino, 0);
ABI_FIELD(vfs_dirent_t, reclen, 8);
ABI_FIELD(vfs_dirent_t, type, 10);
ABI_FIELD(vfs_dirent_t, name_len, 11);
ABI_FIELD(vfs_dirent_t, name, 12);
#define VFS_DIRENT_SIZE(name_len) ((12u + (name_len) + 1u + 7u) & ~7u)

typedef struct vfs_statfs {
	uint64_t dev;
	uint32_t block_size;
	uint32_t flags; /* VFS_STATFS_* */
	uint64_t blocks;
	uint64_t free_blocks;
	uint64_t files; /* inodes */
	uint64_t free_files;
	char fs_type[16]; /* "ext2", NUL-terminated */
	char source[16]; /* the disk, "disk0" */
} vfs_statfs_t;
ABI_SIZE(vfs_statfs_t, 80);
ABI_FIELD(vfs_statfs_t, dev, 0);
ABI_FIELD(vfs_statfs_t, block_size, 8);
ABI_FIELD(vfs_statfs_t, flags, 12);
ABI_FIELD(vfs_statfs_t, blocks, 16);
ABI_FIELD(vfs_statfs_t, free_blocks, 24);
ABI_FIELD(vfs_statfs_t, files, 32);
ABI_FIELD(vfs_statfs_t, free_files, 40);
ABI_FIELD(vfs_statfs_t, fs_type, 48);
ABI_FIELD(vfs_statfs_t, source, 64);
#define VFS_STATFS_RDONLY 0x1u

#endif
