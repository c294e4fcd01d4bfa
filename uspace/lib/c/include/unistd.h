/*
 * The POSIX file calls on descriptors and paths (docs/vfs.md, "libc").
 * Each returns -1 with errno set on failure (ssize_t and off_t calls too).
 *
 * Descriptors are the task's own small integers.  Descriptors 0, 1 and 2
 * are the console unless the task was started with files for them
 * (task_spawn_fds, task.h): then they are those files.  Writing to a
 * console descriptor writes to the kernel console, as printf does;
 * reading reads the next line typed (console.h).  Every other descriptor
 * is a file of the VFS.  Reads and writes of any size move through the
 * task's one buffer shared with the VFS, in VFS_BUF_SIZE pieces; a bad
 * buffer pointer is EFAULT (checked against the task's areas first),
 * never a fault.
 */
#ifndef LIBC_UNISTD_H_
#define LIBC_UNISTD_H_

#include <sys/types.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
/* At @a offset; the descriptor's offset stays (O_APPEND is ignored). */
ssize_t pread(int fd, void *buf, size_t count, off_t offset);
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
off_t lseek(int fd, off_t offset, int whence);
int close(int fd);
int ftruncate(int fd, off_t length);
int fsync(int fd);
/* Write every volume back and flush the disks. */
void sync(void);
int rmdir(const char *path);
int unlink(const char *path);
int rename(const char *oldpath, const char *newpath);
int link(const char *oldpath, const char *newpath);
int symlink(const char *target, const char *linkpath);
/* The target (not NUL-terminated, cut to @a size): its length. */
ssize_t readlink(const char *path, char *buf, size_t size);
int chdir(const char *path);
/* The current directory in @a buf (ERANGE if it does not fit); with
 * @a buf NULL a malloc'd copy (size ignored). */
char *getcwd(char *buf, size_t size);
/* The lowest free descriptor, sharing @a fd's open file (and offset). */
int dup(int fd);
/* @a newfd (closed first if open) shares @a fd's open file. */
int dup2(int fd, int newfd);
/* 1 for a console descriptor, else 0 (errno ENOTSUP; EBADF). */
int isatty(int fd);

#endif
