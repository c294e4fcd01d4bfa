/*
 * String functions.  memcpy, memmove, memset, memcmp, strlen, strcmp and
 * strncmp are the kernel's own (kernel/generic/lib/mem.c, compiled into
 * libc through kshared/mem.h); GCC may emit calls to the memory ones, which
 * is why they are written with rep movsb / rep stosb there.
 */
#include <stdlib.h>
#include <string.h>

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;
	while ((*d++ = *src++))
		;
	return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;
	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char) c)
			return (char *) s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char) c)
			last = s;
		if (!*s)
			return (char *) last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; *haystack; haystack++) {
		if (strncmp(haystack, needle, n) == 0)
			return (char *) haystack;
	}
	return n == 0 ? (char *) haystack : NULL;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}
