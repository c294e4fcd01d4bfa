/*
 * Boot grants (ddi/grant.h): the "grant=KIND:BASE+SIZE" tokens of a boot
 * module's command line become range capabilities of the task.
 */
#include <ddi/grant.h>
#include <str.h>

static const struct {
	const char *name;
	ddi_range_kind_t kind;
} ddi_grant_kinds[] = {
	{ "io", DDI_RANGE_IO },
	{ "phys", DDI_RANGE_PHYS },
	{ "irq", DDI_RANGE_IRQ },
};

static int ddi_grant_digit(char c, unsigned radix)
{
	int d = -1;
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d >= 0 && (unsigned) d < radix ? d : -1;
}

/* A number in decimal or 0x hex at *@a p (before @a end), no overflow. */
static bool ddi_grant_number(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	unsigned radix = 10;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		radix = 16;
		s += 2;
	}
	uint64_t v = 0;
	const char *start = s;
	for (int d; s < end && (d = ddi_grant_digit(*s, radix)) >= 0; s++) {
		if (v > (UINT64_MAX - (uint64_t) d) / radix)
			return false;
		v = v * radix + (uint64_t) d;
	}
	if (s == start)
		return false;
	*p = s;
	*out = v;
	return true;
}

errno_t ddi_grant_parse(
    const char *tok, size_t len, ddi_range_kind_t *kind, uint64_t *base, uint64_t *size)
{
	const char *end = tok + len;
	const char *colon = tok;
	while (colon < end && *colon != ':')
		colon++;
	if (colon == end)
		return EINVAL;
	size_t nlen = (size_t) (colon - tok);
	size_t k = 0;
	while (k < sizeof(ddi_grant_kinds) / sizeof(ddi_grant_kinds[0]) &&
	    (strlen(ddi_grant_kinds[k].name) != nlen ||
	        strncmp(ddi_grant_kinds[k].name, tok, nlen) != 0))
		k++;
	if (k == sizeof(ddi_grant_kinds) / sizeof(ddi_grant_kinds[0]))
		return EINVAL;
	const char *p = colon + 1;
	if (!ddi_grant_number(&p, end, base) || p == end || *p++ != '+' ||
	    !ddi_grant_number(&p, end, size) || p != end)
		return EINVAL;
	*kind = ddi_grant_kinds[k].kind;
	return ddi_range_valid(*kind, *base, *size) ? EOK : EINVAL;
}

errno_t ddi_grants_apply(cap_table_t *caps, const char *cmdline, size_t *count)
{
	static const char prefix[] = "grant=";
	const size_t plen = sizeof(prefix) - 1;
	*count = 0;
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *tok = p;
		while (*p && *p != ' ')
			p++;
		size_t len = (size_t) (p - tok);
		if (len <= plen || strncmp(tok, prefix, plen) != 0)
			continue;
		ddi_range_kind_t kind;
		uint64_t base, size;
		cap_handle_t h;
		errno_t rc = ddi_grant_parse(tok + plen, len - plen, &kind, &base, &size);
		if (rc == EOK)
			rc = ddi_range_grant(caps, kind, base, size, &h);
		if (rc != EOK)
			return rc;
		(*count)++;
	}
	return EOK;
}
