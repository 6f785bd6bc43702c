/* textdiff.c - Myers' line diff and its unified rendering. See textdiff.h. */
#include "lib/textdiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strfmt.h"

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
 * Linear space (Myers' section 4b): the middle snake of a[x0..x1) against
 * b[y0..y1), found by searching from both ends at once until the paths
 * meet, splits the problem in two with half the edits each; recursion on
 * the halves writes the script in order. Memory: two arrays of furthest
 * points, as many as the edits allowed (not the lines); depth about
 * log2(edits). Every step of the search costs one unit of *work: when it
 * runs out (or the edits pass TEXTDIFF_MAX_EDITS) the texts are "too
 * different" (-E2BIG), whatever their size.
 */
struct mctx {
	const struct line *a, *b;
	long *vf, *vb; /* furthest x on diagonal k, at vf[k + off] / vb[k + off] */
	long off;
	uint64_t work;
	struct script *s;
};

struct snake {
	long x, y, u, v; /* from (x, y) to (u, v), equal lines between */
	long d;		 /* edits of the whole path through it */
};

static bool eq(const struct mctx *c, long x, long y)
{
	return same(&c->a[x], &c->b[y]);
}

/* n steps of the search taken from the budget; -E2BIG when it runs out. */
static int spend(struct mctx *c, uint64_t n)
{
	if (c->work < n)
		return c->work = 0, -E2BIG;
	c->work -= n;
	return 0;
}

/* One forward round d: the furthest point on each diagonal; with an odd
 * delta, a meeting with the reverse round d - 1 is the middle snake. */
static int fwd_round(struct mctx *c, long x0, long y0, long n, long m, long d, struct snake *sn)
{
	long delta = n - m;

	for (long k = -d; k <= d; k += 2) {
		long x = k == -d || (k != d && c->vf[k - 1 + c->off] < c->vf[k + 1 + c->off])
			     ? c->vf[k + 1 + c->off]
			     : c->vf[k - 1 + c->off] + 1,
		     y = x - k, sx = x, sy = y;

		while (x < n && y < m && eq(c, x0 + x, y0 + y))
			x++, y++;
		if (spend(c, (uint64_t)(x - sx) + 1) < 0)
			return -E2BIG;
		c->vf[k + c->off] = x;
		if ((delta & 1) && k >= delta - (d - 1) && k <= delta + (d - 1) &&
		    x >= n - c->vb[delta - k + c->off]) {
			*sn = (struct snake){sx, sy, x, y, 2 * d - 1};
			return 1;
		}
	}
	return 0;
}

/* The same from the ends (x counted back from n on diagonal n-x - (m-y)). */
static int rev_round(struct mctx *c, long x0, long y0, long n, long m, long d, struct snake *sn)
{
	long delta = n - m;

	for (long k = -d; k <= d; k += 2) {
		long x = k == -d || (k != d && c->vb[k - 1 + c->off] < c->vb[k + 1 + c->off])
			     ? c->vb[k + 1 + c->off]
			     : c->vb[k - 1 + c->off] + 1,
		     y = x - k, sx = x, sy = y;

		while (x < n && y < m && eq(c, x0 + n - 1 - x, y0 + m - 1 - y))
			x++, y++;
		if (spend(c, (uint64_t)(x - sx) + 1) < 0)
			return -E2BIG;
		c->vb[k + c->off] = x;
		if (!(delta & 1) && delta - k >= -d && delta - k <= d &&
		    c->vf[delta - k + c->off] >= n - x) {
			*sn = (struct snake){n - x, m - y, n - sx, m - sy, 2 * d};
			return 1;
		}
	}
	return 0;
}

static int middle_snake(struct mctx *c, long x0, long y0, long n, long m, struct snake *sn)
{
	long dmax = (n + m + 1) / 2;

	if (dmax > c->off - 1)
		dmax = c->off - 1; /* past half the edits allowed: too different */
	c->vf[1 + c->off] = 0;
	c->vb[1 + c->off] = 0;
	for (long d = 0; d <= dmax; d++) {
		int r = fwd_round(c, x0, y0, n, m, d, sn);
		if (r == 0)
			r = rev_round(c, x0, y0, n, m, d, sn);
		if (r)
			return r < 0 ? r : 0;
	}
	return -E2BIG;
}

static void put_ops(struct script *s, enum op op, long n)
{
	while (n-- > 0)
		s->op[s->n++] = (unsigned char)op;
}

/* a[x0..x0+n) against b[y0..y0+m): the script appended to c->s. */
static int diff_range(struct mctx *c, long x0, long y0, long n, long m)
{
	struct snake sn;
	long k = 0;
	int r;

	if (!n || !m) {
		put_ops(c->s, OP_DEL, n);
		put_ops(c->s, OP_INS, m);
		return 0;
	}
	if ((r = middle_snake(c, x0, y0, n, m, &sn)) < 0)
		return r;
	if (sn.d > 1) {
		if ((r = diff_range(c, x0, y0, sn.x, sn.y)) < 0)
			return r;
		put_ops(c->s, OP_EQ, sn.u - sn.x);
		return diff_range(c, x0 + sn.u, y0 + sn.v, n - sn.u, m - sn.v);
	}
	/* one edit or none: the longer side has one line more, in the first place
	 * where they differ */
	while (k < n && k < m && eq(c, x0 + k, y0 + k))
		k++;
	put_ops(c->s, OP_EQ, k);
	put_ops(c->s, OP_DEL, n - (m < n ? m : n));
	put_ops(c->s, OP_INS, m - (n < m ? n : m));
	put_ops(c->s, OP_EQ, (n < m ? n : m) - k);
	return 0;
}

/* The script of a against b: the lines they share at both ends taken off
 * first (the usual case: a few lines changed in a long file). */
static int myers(const struct lines *a, const struct lines *b, uint64_t *work, struct script *s)
{
	long n = (long)a->n, m = (long)b->n, pre = 0, suf = 0;
	struct mctx c = {.a = a->v, .b = b->v, .s = s, .work = *work};
	int r;

	while (pre < n && pre < m && same(&a->v[pre], &b->v[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre && same(&a->v[n - 1 - suf], &b->v[m - 1 - suf]))
		suf++;
	c.off = TEXTDIFF_MAX_EDITS / 2 + 2;
	s->n = 0;
	s->op = malloc((size_t)(n + m) + 1);
	c.vf = malloc((size_t)(2 * c.off + 1) * sizeof(*c.vf));
	c.vb = malloc((size_t)(2 * c.off + 1) * sizeof(*c.vb));
	if (!s->op || !c.vf || !c.vb) {
		r = -ENOMEM;
	} else {
		put_ops(s, OP_EQ, pre);
		r = diff_range(&c, pre, pre, n - pre - suf, m - pre - suf);
		put_ops(s, OP_EQ, suf);
	}
	free(c.vf);
	free(c.vb);
	*work = c.work;
	if (r < 0) {
		free(s->op);
		s->op = NULL;
	}
	return r;
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
	size_t i = 0, done = 0, ai = 0, bi = 0; /* ops done: the line numbers they reach */

	while (i < s->n) {
		size_t start, end, ca, cb;

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
		for (; done < start; done++) /* line numbers at the hunk start: counted on, */
			ai += s->op[done] != OP_INS, bi += s->op[done] != OP_DEL; /* not again */
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
		done = i = end;
	}
}

int textdiff_unified(const char *a, size_t na, const char *b, size_t nb, const char *la,
		     const char *lb, uint64_t *work, char **out)
{
	struct lines la_ = {0}, lb_ = {0};
	struct script s = {0};
	struct strbuf o = {.cap = 4096};
	uint64_t mine = work && *work < TEXTDIFF_WORK ? *work : TEXTDIFF_WORK, left = mine;
	int r;

	*out = NULL;
	if ((r = split(a, na, &la_)) < 0 || (r = split(b, nb, &lb_)) < 0 ||
	    (r = myers(&la_, &lb_, &left, &s)) < 0)
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
	if (work)
		*work -= mine - left;
	free(la_.v);
	free(lb_.v);
	free(s.op);
	return r;
}

void textdiff_summary(const char *a, size_t na, const char *b, size_t nb, char *out, size_t cap)
{
	size_t la = 0, lb = 0, first = 1, i;

	for (i = 0; i < na; i++)
		la += a[i] == '\n';
	la += na && a[na - 1] != '\n';
	for (i = 0; i < nb; i++)
		lb += b[i] == '\n';
	lb += nb && b[nb - 1] != '\n';
	for (i = 0; i < na && i < nb && a[i] == b[i]; i++)
		first += a[i] == '\n';
	strfmt_show(out, cap, "%zu lines -> %zu lines, first difference at line %zu", la, lb,
		    first);
}
