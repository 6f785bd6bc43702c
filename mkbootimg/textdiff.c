/* textdiff.c - Myers' line diff and its unified rendering. See textdiff.h. */
#include "textdiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strfmt.h"

struct line {
	const char *p;
	size_t n;
	uint64_t h;
};

struct lines {
	struct line *v;
	size_t n;
};

bool textdiff_is_text(const char *p, size_t n)
{
	size_t odd = 0;

	if (n > (1u << 20) || memchr(p, 0, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		odd += c < 0x20 && c != '\n' && c != '\t' && c != '\r';
	}
	return odd * 100 <= n;
}

static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static int split(const char *t, size_t n, struct lines *l)
{
	size_t cap = 0;

	l->v = NULL;
	l->n = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (t + i)) : n - i;

		if (l->n == TEXTDIFF_MAX_LINES)
			return -E2BIG;
		if (l->n == cap) {
			struct line *v = realloc(l->v, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			l->v = v;
		}
		l->v[l->n++] = (struct line){t + i, len, fnv(t + i, len)};
		i += len + (nl ? 1 : 0);
	}
	return 0;
}

static bool same(const struct line *a, const struct line *b)
{
	return a->h == b->h && a->n == b->n && !memcmp(a->p, b->p, a->n);
}

enum op { OP_EQ, OP_DEL, OP_INS };

struct script {
	unsigned char *op; /* in order */
	size_t n;
};

/*
 * Forward greedy search; round d keeps V[k] for k in [-d, d] (2d + 1 ints,
 * stored one round after another), so the path can be walked back.
 */
static int myers(const struct lines *a, const struct lines *b, struct script *s)
{
	long n = (long)a->n, m = (long)b->n, dmax = TEXTDIFF_MAX_EDITS, d, found = -1;
	long *trace = NULL, *prev = NULL, *cur;
	size_t used = 0, cap = 0;

	for (d = 0; d <= dmax && found < 0; d++) {
		size_t need = used + (size_t)(2 * d + 1);
		if (need > cap) {
			long *t = realloc(trace, (cap = need * 2) * sizeof(*t));
			if (!t) {
				free(trace);
				return -ENOMEM;
			}
			trace = t;
		}
		prev = d ? trace + used - (size_t)(2 * d - 1) : NULL;
		cur = trace + used;
		for (long k = -d; k <= d; k += 2) {
			long x;
			if (d == 0)
				x = 0;
			else if (k == -d ||
				 (k != d && prev[k - 1 + (d - 1)] < prev[k + 1 + (d - 1)]))
				x = prev[k + 1 + (d - 1)]; /* down: a line of b inserted */
			else
				x = prev[k - 1 + (d - 1)] + 1; /* right: a line of a deleted */
			long y = x - k;
			while (x < n && y < m && same(&a->v[x], &b->v[y]))
				x++, y++;
			cur[k + d] = x;
			if (x >= n && y >= m)
				found = d;
		}
		used += (size_t)(2 * d + 1);
	}
	if (found < 0) {
		free(trace);
		return -E2BIG;
	}
	/* walk back from (n, m), collecting ops in reverse */
	s->op = malloc((size_t)(n + m) + 1);
	s->n = 0;
	if (!s->op) {
		free(trace);
		return -ENOMEM;
	}
	long x = n, y = m;
	for (d = found; d > 0; d--) {
		long *pv = trace + (size_t)((d - 1) * (d - 1)), k = x - y, pk, px, py;
		/* round r starts at offset r*r: sum of (2i + 1) for i < r */
		if (k == -d || (k != d && pv[k - 1 + (d - 1)] < pv[k + 1 + (d - 1)]))
			pk = k + 1;
		else
			pk = k - 1;
		px = pv[pk + (d - 1)];
		py = px - pk;
		long sx = pk == k + 1 ? px : px + 1, sy = pk == k + 1 ? py + 1 : py;
		while (x > sx && y > sy)
			s->op[s->n++] = OP_EQ, x--, y--;
		s->op[s->n++] = pk == k + 1 ? OP_INS : OP_DEL;
		x = px;
		y = py;
	}
	while (x > 0 && y > 0)
		s->op[s->n++] = OP_EQ, x--, y--;
	for (size_t i = 0; i < s->n / 2; i++) { /* into order */
		unsigned char t = s->op[i];
		s->op[i] = s->op[s->n - 1 - i];
		s->op[s->n - 1 - i] = t;
	}
	free(trace);
	return 0;
}

/* ---- unified rendering --------------------------------------------------------- */

static void emit_line(struct strbuf *o, char tag, const struct line *l)
{
	strbuf_add(o, "%c%.*s\n", tag, (int)l->n, l->p);
}

/* Hunks: runs of changes with TEXTDIFF_CONTEXT lines around, joined when close. */
static void render(struct strbuf *o, const struct script *s, const struct lines *a,
		   const struct lines *b)
{
	size_t i = 0;

	while (i < s->n) {
		size_t start, end, ai = 0, bi = 0, ca, cb;

		while (i < s->n && s->op[i] == OP_EQ)
			i++;
		if (i == s->n)
			break;
		start = i > TEXTDIFF_CONTEXT ? i - TEXTDIFF_CONTEXT : 0;
		/* the hunk ends where TEXTDIFF_CONTEXT * 2 equal lines in a row follow */
		for (end = i; end < s->n;) {
			size_t run = 0;
			while (end + run < s->n && s->op[end + run] == OP_EQ)
				run++;
			if (end + run == s->n || run > 2 * TEXTDIFF_CONTEXT) {
				end += run < TEXTDIFF_CONTEXT ? run : TEXTDIFF_CONTEXT;
				break;
			}
			end += run;
			while (end < s->n && s->op[end] != OP_EQ)
				end++;
		}
		for (size_t k = 0; k < start; k++) /* line numbers at the hunk start */
			ai += s->op[k] != OP_INS, bi += s->op[k] != OP_DEL;
		ca = cb = 0;
		for (size_t k = start; k < end; k++)
			ca += s->op[k] != OP_INS, cb += s->op[k] != OP_DEL;
		strbuf_add(o, "@@ -%zu,%zu +%zu,%zu @@\n", ca ? ai + 1 : ai, ca, cb ? bi + 1 : bi,
			   cb);
		for (size_t k = start; k < end; k++) {
			if (s->op[k] == OP_EQ)
				emit_line(o, ' ', &a->v[ai++]), bi++;
			else if (s->op[k] == OP_DEL)
				emit_line(o, '-', &a->v[ai++]);
			else
				emit_line(o, '+', &b->v[bi++]);
		}
		i = end;
	}
}

int textdiff_unified(const char *a, size_t na, const char *b, size_t nb, const char *la,
		     const char *lb, char **out)
{
	struct lines la_ = {0}, lb_ = {0};
	struct script s = {0};
	struct strbuf o = {.cap = 4096};
	int r;

	*out = NULL;
	if ((r = split(a, na, &la_)) < 0 || (r = split(b, nb, &lb_)) < 0 ||
	    (r = myers(&la_, &lb_, &s)) < 0)
		goto done;
	if (!(o.p = malloc(o.cap))) {
		r = -ENOMEM;
		goto done;
	}
	o.p[0] = 0;
	bool changed = false;
	for (size_t i = 0; i < s.n && !changed; i++)
		changed = s.op[i] != OP_EQ;
	if (changed) {
		strbuf_add(&o, "--- %s\n+++ %s\n", la, lb);
		render(&o, &s, &la_, &lb_);
	}
	if (o.oom) {
		free(o.p);
		r = -ENOMEM;
		goto done;
	}
	*out = o.p;
done:
	free(la_.v);
	free(lb_.v);
	free(s.op);
	return r;
}
