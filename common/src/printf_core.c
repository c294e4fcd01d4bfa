/*
 * printf formatting engine (see lib/printf_core.h).
 *
 * A conversion is parsed into a spec_t (flags, width, precision, length),
 * its argument fetched according to the length modifier, and the digits are
 * produced into a small local buffer in reverse; emit_padded() then writes
 * sign, prefix, zero padding and the digits in the order C specifies.
 */
#include <lib/printf_core.h>
#include <stdbool.h>
#include <stdint.h>

enum {
	F_LEFT = 1,
	F_PLUS = 2,
	F_SPACE = 4,
	F_ALT = 8,
	F_ZERO = 16,
};

enum length { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE, L_PTRDIFF, L_MAX };

typedef struct spec {
	unsigned flags;
	int width;
	int prec; /* -1 when absent */
	enum length len;
	char conv;
} spec_t;

typedef struct out {
	printf_putc_t putc;
	void *arg;
	size_t count;
} out_t;

static void out_char(out_t *o, char c)
{
	o->putc(c, o->arg);
	o->count++;
}

static void out_repeat(out_t *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static const char *parse_flags(const char *p, spec_t *s)
{
	for (;; p++) {
		switch (*p) {
		case '-':
			s->flags |= F_LEFT;
			break;
		case '+':
			s->flags |= F_PLUS;
			break;
		case ' ':
			s->flags |= F_SPACE;
			break;
		case '#':
			s->flags |= F_ALT;
			break;
		case '0':
			s->flags |= F_ZERO;
			break;
		default:
			return p;
		}
	}
}

static const char *parse_number(const char *p, int *val, va_list *ap)
{
	if (*p == '*') {
		*val = va_arg(*ap, int);
		return p + 1;
	}
	int v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	*val = v;
	return p;
}

static const char *parse_length(const char *p, spec_t *s)
{
	s->len = L_INT;
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			s->len = L_CHAR;
			return p + 2;
		}
		s->len = L_SHORT;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			s->len = L_LLONG;
			return p + 2;
		}
		s->len = L_LONG;
		return p + 1;
	case 'z':
		s->len = L_SIZE;
		return p + 1;
	case 't':
		s->len = L_PTRDIFF;
		return p + 1;
	case 'j':
		s->len = L_MAX;
		return p + 1;
	default:
		return p;
	}
}

/* Parse one conversion after '%'; returns the position after it. */
static const char *parse_spec(const char *p, spec_t *s, va_list *ap)
{
	s->flags = 0;
	s->prec = -1;
	p = parse_flags(p, s);
	p = parse_number(p, &s->width, ap);
	if (s->width < 0) {
		s->flags |= F_LEFT;
		s->width = -s->width;
	}
	if (*p == '.') {
		p = parse_number(p + 1, &s->prec, ap);
		if (s->prec < 0)
			s->prec = -1;
	}
	p = parse_length(p, s);
	s->conv = *p;
	return *p ? p + 1 : p;
}

static intmax_t fetch_signed(const spec_t *s, va_list *ap)
{
	switch (s->len) {
	case L_CHAR:
		return (signed char) va_arg(*ap, int);
	case L_SHORT:
		return (short) va_arg(*ap, int);
	case L_LONG:
		return va_arg(*ap, long);
	case L_LLONG:
		return va_arg(*ap, long long);
	case L_SIZE:
		return (intmax_t) va_arg(*ap, size_t);
	case L_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case L_MAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(const spec_t *s, va_list *ap)
{
	switch (s->len) {
	case L_CHAR:
		return (unsigned char) va_arg(*ap, unsigned);
	case L_SHORT:
		return (unsigned short) va_arg(*ap, unsigned);
	case L_LONG:
		return va_arg(*ap, unsigned long);
	case L_LLONG:
		return va_arg(*ap, unsigned long long);
	case L_SIZE:
		return va_arg(*ap, size_t);
	case L_PTRDIFF:
		return (uintmax_t) va_arg(*ap, ptrdiff_t);
	case L_MAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* Write sign/prefix, padding and digits (digits[] holds ndig chars). */
static void emit_padded(out_t *o, const spec_t *s, const char *pfx, const char *digits, int ndig)
{
	int plen = 0;
	while (pfx[plen])
		plen++;
	int zeros = s->prec > ndig ? s->prec - ndig : 0;
	int body = plen + zeros + ndig;
	int pad = s->width > body ? s->width - body : 0;
	if ((s->flags & F_ZERO) && !(s->flags & F_LEFT) && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(s->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		out_char(o, pfx[i]);
	out_repeat(o, '0', zeros);
	for (int i = 0; i < ndig; i++)
		out_char(o, digits[i]);
	if (s->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static int utoa_rev(uintmax_t v, unsigned base, bool upper, char *buf)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		buf[n++] = dig[v % base];
		v /= base;
	} while (v);
	return n;
}

static void emit_integer(out_t *o, const spec_t *s, va_list *ap)
{
	char rev[24], digits[24];
	const char *pfx = "";
	bool neg = false;
	uintmax_t v;
	unsigned base = 10;

	if (s->conv == 'd' || s->conv == 'i') {
		intmax_t sv = fetch_signed(s, ap);
		neg = sv < 0;
		v = neg ? -(uintmax_t) sv : (uintmax_t) sv;
		pfx = neg ? "-" : (s->flags & F_PLUS) ? "+" : (s->flags & F_SPACE) ? " " : "";
	} else {
		v = fetch_unsigned(s, ap);
		base = s->conv == 'o' ? 8 : s->conv == 'u' ? 10 : 16;
		if ((s->flags & F_ALT) && v != 0 && base == 16)
			pfx = s->conv == 'X' ? "0X" : "0x";
	}
	int n = (v == 0 && s->prec == 0) ? 0 : utoa_rev(v, base, s->conv == 'X', rev);
	/* "%#o": the first digit must be 0, unless precision zeros make it so */
	if (base == 8 && (s->flags & F_ALT) && (n == 0 || rev[n - 1] != '0') && s->prec <= n)
		rev[n++] = '0';
	for (int i = 0; i < n; i++)
		digits[i] = rev[n - 1 - i];
	emit_padded(o, s, pfx, digits, n);
}

static void emit_string(out_t *o, const spec_t *s, const char *str)
{
	if (!str)
		str = "(null)";
	int n = 0;
	while ((s->prec < 0 || n < s->prec) && str[n])
		n++;
	spec_t t = *s;
	t.prec = -1;
	t.flags &= ~F_ZERO;
	emit_padded(o, &t, "", str, n);
}

static void emit_conversion(out_t *o, const spec_t *s, va_list *ap)
{
	char c;
	spec_t t;

	switch (s->conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		emit_integer(o, s, ap);
		break;
	case 'c':
		c = (char) va_arg(*ap, int);
		t = *s;
		t.prec = -1;
		t.flags &= ~F_ZERO;
		emit_padded(o, &t, "", &c, 1);
		break;
	case 's':
		emit_string(o, s, va_arg(*ap, const char *));
		break;
	case 'p':
		t = *s;
		t.len = L_MAX;
		t.conv = 'x';
		t.flags |= F_ALT;
		{
			uintmax_t v = (uintptr_t) va_arg(*ap, void *);
			char rev[24], digits[24];
			int n = utoa_rev(v, 16, false, rev);
			for (int i = 0; i < n; i++)
				digits[i] = rev[n - 1 - i];
			emit_padded(o, &t, "0x", digits, n);
		}
		break;
	case '%':
		out_char(o, '%');
		break;
	default:
		out_char(o, '%');
		if (s->conv)
			out_char(o, s->conv);
		break;
	}
}

size_t printf_core(printf_putc_t putc, void *arg, const char *fmt, va_list ap)
{
	out_t o = { .putc = putc, .arg = arg, .count = 0 };
	va_list args;
	va_copy(args, ap);
	for (const char *p = fmt; *p;) {
		if (*p != '%') {
			out_char(&o, *p++);
			continue;
		}
		spec_t s;
		p = parse_spec(p + 1, &s, &args);
		emit_conversion(&o, &s, &args);
	}
	va_end(args);
	return o.count;
}

typedef struct sbuf {
	char *buf;
	size_t size;
	size_t pos;
} sbuf_t;

static void sbuf_putc(char c, void *arg)
{
	sbuf_t *b = arg;
	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	sbuf_t b = { .buf = buf, .size = size, .pos = 0 };
	size_t n = printf_core(sbuf_putc, &b, fmt, ap);
	if (size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return (int) n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
