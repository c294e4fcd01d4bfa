/*
 * Reading directories (docs/vfs.md, "libc").  A DIR holds a descriptor of
 * the directory and the entries of the last VFS_READDIR batch; readdir()
 * asks the VFS for the next batch only when those are used up.  "." and
 * ".." are listed as the file system has them.  readdir() returns NULL at
 * the end (errno unchanged) or on an error (errno set); the dirent it
 * returns lives until the next readdir() or closedir() of the same DIR.
 */
#ifndef LIBC_DIRENT_H_
#define LIBC_DIRENT_H_

#include <abi/vfs.h>
#include <sys/types.h>

#define DT_UNKNOWN VFS_DT_UNKNOWN
#define DT_REG VFS_DT_REG
#define DT_DIR VFS_DT_DIR
#define DT_CHR VFS_DT_CHR
#define DT_BLK VFS_DT_BLK
#define DT_FIFO VFS_DT_FIFO
#define DT_SOCK VFS_DT_SOCK
#define DT_LNK VFS_DT_LNK

struct dirent {
	ino_t d_ino;
	unsigned char d_type; /* DT_* */
	char d_name[VFS_NAME_MAX + 1];
};

typedef struct dir_stream DIR;

DIR *opendir(const char *path);
/* A DIR over the open directory descriptor @a fd (closedir closes it). */
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *dir);
/* Back to the first entry. */
void rewinddir(DIR *dir);
int closedir(DIR *dir);
int dirfd(DIR *dir);

#endif
