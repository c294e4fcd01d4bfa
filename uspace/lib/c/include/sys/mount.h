/*
 * The end of the file system's day: sync, then unmount every volume
 * cleanly (VFS_SHUTDOWN: each file system server writes back, marks its
 * volume clean and ends).  Every file call of every task fails with EBUSY
 * afterwards.  The system's power-off path; 0, or -1 with errno set.
 */
#ifndef LIBC_SYS_MOUNT_H_
#define LIBC_SYS_MOUNT_H_

int umount_all(void);

#endif
