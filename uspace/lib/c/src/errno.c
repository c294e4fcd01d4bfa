/* Names and descriptions of the ABI's error codes. */
#include <errno.h>
#include <stddef.h>

typedef struct errno_desc {
	const char *name;
	const char *text;
} errno_desc_t;

static const errno_desc_t errno_descs[ERRNO_COUNT] = {
	[EOK] = { "EOK", "success" },
	[ENOENT] = { "ENOENT", "no such object" },
	[ENOMEM] = { "ENOMEM", "out of memory" },
	[EINVAL] = { "EINVAL", "invalid argument" },
	[EEXIST] = { "EEXIST", "already exists or overlaps" },
	[ELIMIT] = { "ELIMIT", "resource limit reached" },
	[EBUSY] = { "EBUSY", "resource busy" },
	[EPERM] = { "EPERM", "not permitted" },
	[EFAULT] = { "EFAULT", "bad address" },
	[ENOTSUP] = { "ENOTSUP", "not supported" },
	[ETIMEOUT] = { "ETIMEOUT", "timed out" },
	[EHANGUP] = { "EHANGUP", "the other side hung up" },
	[ERANGE] = { "ERANGE", "value out of range" },
	[EOVERFLOW] = { "EOVERFLOW", "arithmetic overflow" },
	[EAGAIN] = { "EAGAIN", "try again" },
	[EIO] = { "EIO", "input/output error" },
	[EINTR] = { "EINTR", "interrupted" },
	[ESTALE] = { "ESTALE", "stale capability handle" },
};

static const errno_desc_t *errno_desc_find(errno_t err)
{
	/* A value the ABI added after this table has no name yet. */
	if (err < 0 || err >= ERRNO_COUNT || !errno_descs[err].name)
		return NULL;
	return &errno_descs[err];
}

const char *str_error_name(errno_t err)
{
	const errno_desc_t *d = errno_desc_find(err);
	return d ? d->name : "E?";
}

const char *str_error(errno_t err)
{
	const errno_desc_t *d = errno_desc_find(err);
	return d ? d->text : "unknown error";
}
