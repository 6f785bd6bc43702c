/* strfmt.c - formatting into a fixed buffer, never cut silently. See strfmt.h. */
#include "lib/strfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vstrfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
	int n = cap ? vsnprintf(buf, cap, fmt, ap) : -1;

	if (n >= 0 && (size_t)n < cap)
		return n;
	if (cap)
		buf[0] = 0; /* a cut name is never used by mistake */
	return -ENAMETOOLONG;
}

int strfmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vstrfmt(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

int strfmt_add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n = vstrfmt(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return n; /* vstrfmt left buf[*len] = 0: buf as it was */
	*len += (size_t)n;
	return (int)*len;
}

/* The text in buf[0..cap) was cut: end it with "...". */
static size_t mark_cut(char *buf, size_t cap)
{
	if (cap >= 4)
		memcpy(buf + cap - 4, "...", 3);
	buf[cap - 1] = 0;
	return cap - 1;
}

size_t vstrfmt_show(char *buf, size_t cap, const char *fmt, va_list ap)
{
	int n;

	if (!cap)
		return 0;
	n = vsnprintf(buf, cap, fmt, ap);
	if (n < 0) { /* an encoding error: nothing to show */
		buf[0] = 0;
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : mark_cut(buf, cap);
}

size_t strfmt_show(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vstrfmt_show(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

size_t vstrfmt_show_add(char *buf, size_t cap, size_t *len, const char *fmt, va_list ap)
{
	int n;

	if (!cap)
		return 0;
	if (*len >= cap)
		return *len = mark_cut(buf, cap);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	if (n < 0)
		buf[*len] = 0;
	else if ((size_t)n < cap - *len)
		*len += (size_t)n;
	else
		*len = mark_cut(buf, cap);
	return *len;
}

size_t strfmt_show_add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vstrfmt_show_add(buf, cap, len, fmt, ap);
	va_end(ap);
	return n;
}

void strbuf_add(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	while (!b->oom) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && (size_t)n < b->cap - b->n) {
			b->n += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 1;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		if (!b->p)
			p[0] = 0;
		b->p = p;
		b->cap = cap;
	}
}

void strbuf_put(struct strbuf *b, const void *s, size_t n)
{
	if (b->oom || !n)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}
