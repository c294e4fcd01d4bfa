/* Kernel command-line parsing (see main/cmdline.h). */
#include <main/cmdline.h>
#include <mem.h>

/* Find word @a key; returns a pointer just past the key, or NULL. */
static const char *cmdline_find(const char *s, const char *key)
{
	size_t klen = strlen(key);
	while (*s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if ((size_t) (s - w) >= klen && strncmp(w, key, klen) == 0 &&
		    (w[klen] == '=' || w + klen == s))
			return w + klen;
	}
	return NULL;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	const char *p = cmdline_find(cmdline, key);
	if (!p || *p != '=' || size == 0)
		return false;
	p++;
	size_t i = 0;
	while (p[i] && p[i] != ' ' && i + 1 < size) {
		val[i] = p[i];
		i++;
	}
	val[i] = '\0';
	return true;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_find(cmdline, key) != NULL;
}
