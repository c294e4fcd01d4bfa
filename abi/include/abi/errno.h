/*
 * Error codes shared by the kernel and user space.
 *
 * Every kernel operation that can fail returns an errno_t: EOK (zero) on
 * success, one of the positive values below otherwise.  The numbers are part
 * of the ABI and never change meaning.
 */
#ifndef ABI_ERRNO_H_
#define ABI_ERRNO_H_

typedef int errno_t;

#define EOK 0 /* success */
#define ENOENT 1 /* no such object, key or mapping */
#define ENOMEM 2 /* out of memory (frames, slab objects) */
#define EINVAL 3 /* malformed argument */
#define EEXIST 4 /* object or range already present / overlaps */
#define ELIMIT 5 /* a bounded kernel resource is exhausted */
#define EBUSY 6 /* resource in use */
#define EPERM 7 /* operation not permitted */
#define EFAULT 8 /* bad user address */
#define ENOTSUP 9 /* operation not supported */
#define ETIMEOUT 10 /* timed out */
#define EHANGUP 11 /* the other side hung up */
#define ERANGE 12 /* value out of range */
#define EOVERFLOW 13 /* arithmetic overflow in a size or address */
#define EAGAIN 14 /* try again later */
#define EIO 15 /* input/output error (pager answers) */

#define EINTR 16 /* a sleep was interrupted (the task is ending) */
#define ESTALE 17 /* a handle (capability, abi/fs.h node word) now naming another object */

/* POSIX file-system errors (the VFS and file system servers). */
#define ENOTDIR 18 /* a path component or argument is not a directory */
#define EISDIR 19 /* a directory where a non-directory is needed */
#define ENOTEMPTY 20 /* directory not empty */
#define ENOSPC 21 /* no space left on the device */
#define ENAMETOOLONG 22 /* a name or path is too long */
#define EBADF 23 /* bad file descriptor */
#define EROFS 24 /* read-only file system */
#define ELOOP 25 /* too many symbolic links */
#define EXDEV 26 /* a link or rename across file systems */
#define EMLINK 27 /* too many links */
#define EFBIG 28 /* file too large */
#define EACCES 29 /* permission denied */
#define EMFILE 30 /* too many open files in the task */
#define ESPIPE 31 /* seek on something that cannot seek */

#define ERRNO_COUNT 32

/* The name of @a err ("EINVAL"), or NULL for a value outside the ABI.
 * The one list of names: the kernel's reports (task end reports, pager
 * errors) and libc's str_error_name() both use it. */
static inline const char *errno_name(errno_t err)
{
	static const char *const names[] = {
		[EOK] = "EOK",
		[ENOENT] = "ENOENT",
		[ENOMEM] = "ENOMEM",
		[EINVAL] = "EINVAL",
		[EEXIST] = "EEXIST",
		[ELIMIT] = "ELIMIT",
		[EBUSY] = "EBUSY",
		[EPERM] = "EPERM",
		[EFAULT] = "EFAULT",
		[ENOTSUP] = "ENOTSUP",
		[ETIMEOUT] = "ETIMEOUT",
		[EHANGUP] = "EHANGUP",
		[ERANGE] = "ERANGE",
		[EOVERFLOW] = "EOVERFLOW",
		[EAGAIN] = "EAGAIN",
		[EIO] = "EIO",
		[EINTR] = "EINTR",
		[ESTALE] = "ESTALE",
		[ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR",
		[ENOTEMPTY] = "ENOTEMPTY",
		[ENOSPC] = "ENOSPC",
		[ENAMETOOLONG] = "ENAMETOOLONG",
		[EBADF] = "EBADF",
		[EROFS] = "EROFS",
		[ELOOP] = "ELOOP",
		[EXDEV] = "EXDEV",
		[EMLINK] = "EMLINK",
		[EFBIG] = "EFBIG",
		[EACCES] = "EACCES",
		[EMFILE] = "EMFILE",
		[ESPIPE] = "ESPIPE",
	};
	_Static_assert(
	    sizeof(names) / sizeof(names[0]) == ERRNO_COUNT, "every errno value has a name");
	return err >= 0 && err < ERRNO_COUNT ? names[err] : (const char *) 0;
}

#endif
