/*
 * File status and directories (docs/vfs.md, "libc").  The mode bits are
 * POSIX's (abi/vfs.h VFS_S_*); st_blocks counts 512-byte units.  Each call
 * returns 0, or -1 with errno set.
 */
#ifndef LIBC_SYS_STAT_H_
#define LIBC_SYS_STAT_H_

#include <abi/vfs.h>
#include <sys/types.h>

#define S_IFMT VFS_S_IFMT
#define S_IFSOCK VFS_S_IFSOCK
#define S_IFLNK VFS_S_IFLNK
#define S_IFREG VFS_S_IFREG
#define S_IFBLK VFS_S_IFBLK
#define S_IFDIR VFS_S_IFDIR
#define S_IFCHR VFS_S_IFCHR
#define S_IFIFO VFS_S_IFIFO

#define S_ISREG(m) (((m) &S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) &S_IFMT) == S_IFDIR)
#define S_ISLNK(m) (((m) &S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) &S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) &S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) &S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) &S_IFMT) == S_IFSOCK)

#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001

struct stat {
	dev_t st_dev; /* the volume's mount number */
	ino_t st_ino;
	mode_t st_mode;
	nlink_t st_nlink;
	uid_t st_uid;
	gid_t st_gid;
	dev_t st_rdev; /* always 0 */
	off_t st_size;
	blksize_t st_blksize;
	blkcnt_t st_blocks; /* 512-byte units, metadata blocks included */
	time_t st_atime; /* seconds since the epoch */
	time_t st_mtime;
	time_t st_ctime;
	/* The generation of st_ino (not POSIX: as BSD's): a number freed and
	 * given to a new file comes with another one. */
	uint32_t st_gen;
};

/* Follows a final symbolic link; lstat() does not. */
int stat(const char *path, struct stat *st);
int lstat(const char *path, struct stat *st);
/* A console descriptor (docs/vfs.md) is a character device (S_IFCHR). */
int fstat(int fd, struct stat *st);
int mkdir(const char *path, mode_t mode);

#endif
