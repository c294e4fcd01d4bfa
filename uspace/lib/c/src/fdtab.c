/* The descriptor table and the handoff word (fdtab.h).  Pure code. */
#include "fdtab.h"
#include <mem.h>

void fdtab_init(fdtab_t *t)
{
	memset(t, 0, sizeof(*t));
	for (int fd = 0; fd < 3; fd++)
		t->e[fd].kind = FD_CONSOLE;
}

static bool fdtab_in_range(int fd)
{
	return fd >= 0 && fd < FDTAB_SIZE;
}

errno_t fdtab_get(fdtab_t *t, int fd, fd_entry_t *out)
{
	errno_t rc = EBADF;
	if (!fdtab_in_range(fd))
		return EBADF;
	lock_acquire(&t->lock);
	if (t->e[fd].kind != FD_FREE) {
		*out = t->e[fd];
		rc = EOK;
	}
	lock_release(&t->lock);
	return rc;
}

errno_t fdtab_alloc(fdtab_t *t, const fd_entry_t *e, int *fd)
{
	errno_t rc = EMFILE;
	lock_acquire(&t->lock);
	for (int i = 0; i < FDTAB_SIZE; i++) {
		if (t->e[i].kind == FD_FREE) {
			t->e[i] = *e;
			*fd = i;
			rc = EOK;
			break;
		}
	}
	lock_release(&t->lock);
	return rc;
}

errno_t fdtab_take(fdtab_t *t, int fd, fd_entry_t *old)
{
	errno_t rc = EBADF;
	if (!fdtab_in_range(fd))
		return EBADF;
	lock_acquire(&t->lock);
	if (t->e[fd].kind != FD_FREE) {
		*old = t->e[fd];
		t->e[fd] = (fd_entry_t){ .kind = FD_FREE };
		rc = EOK;
	}
	lock_release(&t->lock);
	return rc;
}

errno_t fdtab_replace(fdtab_t *t, int fd, const fd_entry_t *e, fd_entry_t *old)
{
	if (!fdtab_in_range(fd))
		return EBADF;
	lock_acquire(&t->lock);
	*old = t->e[fd];
	t->e[fd] = *e;
	lock_release(&t->lock);
	return EOK;
}

static size_t fd_hex_put(char *p, uint64_t v)
{
	char tmp[16];
	size_t n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

size_t fd_handoff_word(char *buf, unsigned mask, uint64_t token)
{
	size_t n = sizeof(FD_HANDOFF_PREFIX) - 1;
	memcpy(buf, FD_HANDOFF_PREFIX, n);
	n += fd_hex_put(buf + n, mask & 7u);
	buf[n++] = ':';
	n += fd_hex_put(buf + n, token);
	buf[n] = '\0';
	return n;
}

/* Hex digits up to @a stop (or the end): EINVAL if none, too many, or
 * anything else. */
static bool fd_hex_get(const char **p, char stop, uint64_t *v)
{
	const char *s = *p;
	size_t n = 0;
	*v = 0;
	for (; *s && *s != stop; s++, n++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned) (*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned) (*s - 'a') + 10;
		else
			return false;
		if (n == 16)
			return false;
		*v = *v << 4 | d;
	}
	*p = s;
	return n > 0 && *s == stop;
}

bool fd_handoff_parse(const char *word, unsigned *mask, uint64_t *token)
{
	size_t n = sizeof(FD_HANDOFF_PREFIX) - 1;
	uint64_t m, t;
	if (strncmp(word, FD_HANDOFF_PREFIX, n) != 0)
		return false;
	const char *p = word + n;
	if (!fd_hex_get(&p, ':', &m) || m == 0 || m > 7)
		return false;
	p++;
	if (!fd_hex_get(&p, '\0', &t))
		return false;
	*mask = (unsigned) m;
	*token = t;
	return true;
}
