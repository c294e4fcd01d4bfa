/* exit, abort and number parsing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <task.h>

noreturn void exit(int status)
{
	task_exit(status);
}

noreturn void abort(void)
{
	printf("abort() called\n");
	task_exit(EXIT_ABORT);
}

static bool char_is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The value of digit @a c, or 36 (invalid in every base) if none. */
static unsigned char_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned) (c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned) (c - 'a') + 10;
	if (c >= 'A' && c <= 'Z')
		return (unsigned) (c - 'A') + 10;
	return 36;
}

/* Base detection and the "0x" prefix; returns the first digit. */
static const char *number_prefix(const char *s, int *base)
{
	bool hex_prefix = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && char_digit(s[2]) < 16;
	if ((*base == 0 || *base == 16) && hex_prefix) {
		*base = 16;
		return s + 2;
	}
	if (*base == 0)
		*base = s[0] == '0' ? 8 : 10;
	return s;
}

/* Parse the magnitude; *overflow set if it does not fit. */
static unsigned long number_parse(const char *s, int base, const char **end, bool *overflow)
{
	unsigned long v = 0;
	*overflow = false;
	for (unsigned d; (d = char_digit(*s)) < (unsigned) base; s++) {
		if (__builtin_mul_overflow(v, (unsigned long) base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			*overflow = true;
	}
	*end = s;
	return *overflow ? ~0UL : v;
}

/* Shared by strtoul and strtol: sign, magnitude, end pointer. */
static unsigned long number_read(const char *s, char **end, int base, bool *neg, bool *overflow)
{
	const char *start = s;
	while (char_is_space(*s))
		s++;
	*neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	const char *digits = number_prefix(s, &base);
	const char *stop;
	unsigned long v = 0;
	*overflow = false;
	if (base >= 2 && base <= 36)
		v = number_parse(digits, base, &stop, overflow);
	else
		stop = digits;
	if (end)
		*end = (char *) (stop == digits ? start : stop);
	return v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long v = number_read(s, end, base, &neg, &overflow);
	if (overflow)
		return ~0UL;
	return neg ? -v : v;
}

long strtol(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long v = number_read(s, end, base, &neg, &overflow);
	const unsigned long lmax = (unsigned long) __LONG_MAX__;
	if (neg)
		return overflow || v > lmax + 1 ? -__LONG_MAX__ - 1 : (long) (0 - v);
	return overflow || v > lmax ? __LONG_MAX__ : (long) v;
}

int atoi(const char *s)
{
	return (int) strtol(s, NULL, 10);
}
