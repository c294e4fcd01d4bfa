/* Names (abi/errno.h has the one list) and descriptions of the ABI's error
 * codes. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

static const char *const errno_texts[ERRNO_COUNT] = {
	[EOK] = "success",
	[ENOENT] = "no such object",
	[ENOMEM] = "out of memory",
	[EINVAL] = "invalid argument",
	[EEXIST] = "already exists or overlaps",
	[ELIMIT] = "resource limit reached",
	[EBUSY] = "resource busy",
	[EPERM] = "not permitted",
	[EFAULT] = "bad address",
	[ENOTSUP] = "not supported",
	[ETIMEOUT] = "timed out",
	[EHANGUP] = "the other side hung up",
	[ERANGE] = "value out of range",
	[EOVERFLOW] = "arithmetic overflow",
	[EAGAIN] = "try again",
	[EIO] = "input/output error",
	[EINTR] = "interrupted",
	[ESTALE] = "stale capability handle",
	[ENOTDIR] = "not a directory",
	[EISDIR] = "is a directory",
	[ENOTEMPTY] = "directory not empty",
	[ENOSPC] = "no space left on device",
	[ENAMETOOLONG] = "name too long",
	[EBADF] = "bad file descriptor",
	[EROFS] = "read-only file system",
	[ELOOP] = "too many symbolic links",
	[EXDEV] = "cross-device link",
	[EMLINK] = "too many links",
	[EFBIG] = "file too large",
	[EACCES] = "permission denied",
	[EMFILE] = "too many open files",
	[ESPIPE] = "illegal seek",
};

const char *str_error_name(errno_t err)
{
	const char *name = errno_name(err);
	return name ? name : "E?";
}

const char *str_error(errno_t err)
{
	/* A value the ABI added after this table has no description yet. */
	if (err < 0 || err >= ERRNO_COUNT || !errno_texts[err])
		return "unknown error";
	return errno_texts[err];
}

char *strerror(int err)
{
	return (char *) str_error(err);
}
