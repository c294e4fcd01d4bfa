/* The volume a path is on (VFS_STATFS): sizes in f_frsize units. */
#ifndef LIBC_SYS_STATVFS_H_
#define LIBC_SYS_STATVFS_H_

#include <sys/types.h>

#define ST_RDONLY 0x1u

struct statvfs {
	unsigned long f_bsize; /* the volume's block size */
	unsigned long f_frsize; /* the unit of f_blocks (the block size too) */
	fsblkcnt_t f_blocks;
	fsblkcnt_t f_bfree;
	fsblkcnt_t f_bavail;
	fsfilcnt_t f_files; /* inodes */
	fsfilcnt_t f_ffree;
	fsfilcnt_t f_favail;
	unsigned long f_fsid; /* the mount number (st_dev of its files) */
	unsigned long f_flag; /* ST_RDONLY */
	unsigned long f_namemax;
	char f_basetype[16]; /* "ext2" (not POSIX) */
};

int statvfs(const char *path, struct statvfs *st);

#endif
