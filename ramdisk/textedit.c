/* textedit.c - AnyKernel-style line edits. See textedit.h. */
#include "ramdisk/textedit.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "lib/strfmt.h"

/* ---- lines and an output buffer -------------------------------------------------- */

struct tline {
	size_t start, len; /* content, without the ending */
	size_t eol;	   /* "\n" 1, "\r\n" 2, none 0 (the last line) */
};

/* The line at i (< n); returns where the next one starts. */
static size_t line_at(const uint8_t *p, size_t n, size_t i, struct tline *l)
{
	const uint8_t *nl = memchr(p + i, '\n', n - i);
	size_t e = nl ? (size_t)(nl - p) : n;

	l->start = i;
	l->len = e - i;
	l->eol = nl ? 1 : 0;
	if (nl && l->len && p[e - 1] == '\r') {
		l->len--;
		l->eol = 2;
	}
	return nl ? e + 1 : n;
}

static bool line_is(const uint8_t *p, const struct tline *l, const char *s)
{
	return strlen(s) == l->len && !memcmp(p + l->start, s, l->len);
}

/* A new line with the ending of the line l it stands for ("\n" if none). */
static void put_line(struct strbuf *o, const uint8_t *p, const struct tline *l, const char *s)
{
	strbuf_put(o, s, strlen(s));
	if (l && l->eol)
		strbuf_put(o, p + l->start + l->len, l->eol);
	else if (!l)
		strbuf_put(o, "\n", 1);
}

static void put_orig(struct strbuf *o, const uint8_t *p, const struct tline *l)
{
	strbuf_put(o, p + l->start, l->len + l->eol);
}

/* 1 with r->out when the output differs from the input, 0 (freed) if not. */
static int finish(struct strbuf *o, const uint8_t *p, size_t n, struct te_result *r, struct diag *d,
		  const char *why)
{
	if (o->oom) {
		free(o->p);
		return diag_set(d, -ENOMEM, "out of memory");
	}
	if (o->n == n && (!n || !memcmp(o->p, p, n))) {
		free(o->p);
		r->why = why;
		return 0;
	}
	r->out = o->p ? (uint8_t *)o->p : malloc(1);
	r->outn = o->n;
	return r->out ? 1 : diag_set(d, -ENOMEM, "out of memory");
}

/* ---- matching: a substring or a POSIX ERE ------------------------------------------- */

struct matcher {
	const char *pat;
	size_t plen;
	bool regex;
	regex_t re;
};

/* glibc's regcomp copies a repeated subexpression once per repetition
 * ("a+" is "aa*", "x{n}" n copies), so stacked or nested repetitions grow
 * exponentially: "(((a+)+)+)+..." or "a+++..." takes gigabytes. A REGEX is
 * refused when it stacks one repetition operator on another (undefined in
 * POSIX anyway), is over REGEX_MAX bytes, or when the copies its "+" after a
 * group and its {m,n} bounds could make multiply past REGEX_COPIES. A
 * back-reference (\1..\9, a glibc extension to ERE) is refused: it makes
 * regexec backtrack, exponential in the line ("(a*)*\1" on 2,000 bytes does
 * not finish); without one, glibc matches without backtracking. */
#define REGEX_MAX    256
#define REGEX_COPIES 4096

static int regex_check(const char *pat, struct diag *d)
{
	uint64_t copies = 1;
	bool after_rep = false, after_group = false;
	char pb[ESC_SHOW_MAX];

	if (strlen(pat) > REGEX_MAX)
		return diag_set(d, -EINVAL, "regex of %zu bytes (at most %d)", strlen(pat),
				REGEX_MAX);
	for (const char *p = pat; *p; p++) {
		bool rep = *p == '*' || *p == '+' || *p == '?' || *p == '{';
		if (rep && after_rep)
			return diag_set(d, -EINVAL, "regex \"%s\": a repetition of a repetition",
					esc_show(pb, pat));
		if (*p == '{') { /* {m}, {m,}, {m,n}: up to max(m, n) + 1 copies */
			char *end;
			unsigned long lo = strtoul(p + 1, &end, 10), hi = lo;
			if (*end == ',' && end[1] != '}')
				hi = strtoul(end + 1, &end, 10);
			hi = hi > lo ? hi : lo;
			copies = hi >= REGEX_COPIES ? REGEX_COPIES + 1 : copies * (hi + 1);
			p = strchr(end, '}') ? strchr(end, '}') : end + strlen(end) - 1;
		} else if (*p == '+' && after_group) {
			copies *= 2;
		} else if (*p == '\\' && p[1] >= '1' && p[1] <= '9') {
			return diag_set(
			    d, -EINVAL,
			    "regex \"%s\": a back-reference (\\%c) is not POSIX ERE, and "
			    "matching one can take exponential time: refused",
			    esc_show(pb, pat), p[1]);
		} else if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') { /* a bracket expression: nothing in it repeats */
			const char *q = p + 1 + (p[1] == '^');
			q += *q == ']';
			while (*q && *q != ']')
				q += (*q == '[' && strchr(":.=", q[1]) && strchr(q + 2, ']'))
					 ? (size_t)(strchr(q + 2, ']') - q) + 1
					 : 1;
			p = *q ? q : q - 1;
		}
		if (copies > REGEX_COPIES)
			return diag_set(d, -EINVAL,
					"regex \"%s\": its repetitions could make over %d copies",
					esc_show(pb, pat), REGEX_COPIES);
		after_rep = rep;
		after_group = *p == ')';
	}
	return 0;
}

static int matcher_init(struct matcher *m, const char *pat, bool regex, struct diag *d)
{
	char eb[SHOW_MAX], pb[ESC_SHOW_MAX]; /* eb: regerror's text */
	int e;

	m->pat = pat;
	m->plen = strlen(pat);
	m->regex = regex;
	if (!m->plen)
		return diag_set(d, -EINVAL, "empty pattern");
	if (!regex)
		return 0;
	if ((e = regex_check(pat, d)) < 0)
		return e;
	if ((e = regcomp(&m->re, pat, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(e, &m->re, eb, sizeof(eb));
		return diag_set(d, -EINVAL, "regex \"%s\": %s", esc_show(pb, pat), eb);
	}
	return 0;
}

static void matcher_free(struct matcher *m)
{
	if (m->regex)
		regfree(&m->re);
}

/* Does the line match? -ENOMEM when a regex needs a copy it cannot get. */
static int match(const struct matcher *m, const uint8_t *p, const struct tline *l)
{
	char *s;
	int r;

	if (!m->regex)
		return memmem(p + l->start, l->len, m->pat, m->plen) != NULL;
	if (!(s = malloc(l->len + 1)))
		return -ENOMEM;
	memcpy(s, p + l->start, l->len);
	s[l->len] = 0;
	r = regexec(&m->re, s, 0, NULL, 0) == 0;
	free(s);
	return r;
}

static bool has_line(const uint8_t *p, size_t n, const char *s)
{
	struct tline l;

	for (size_t i = 0; i < n;) {
		i = line_at(p, n, i, &l);
		if (line_is(p, &l, s))
			return true;
	}
	return false;
}

/* ---- replace, remove ---------------------------------------------------------------- */

/* Each matching line replaced by text, or dropped when text is NULL. */
static int edit_lines(const uint8_t *p, size_t n, const char *pattern, bool regex, const char *text,
		      struct te_result *r, struct diag *d)
{
	struct strbuf o = {0};
	struct matcher m;
	struct tline l;
	size_t hits = 0;
	char pb[ESC_SHOW_MAX];
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = matcher_init(&m, pattern, regex, d)) < 0)
		return err;
	for (size_t i = 0; i < n && !o.oom;) {
		i = line_at(p, n, i, &l);
		if ((err = match(&m, p, &l)) < 0) {
			o.oom = true;
			break;
		}
		if (!err) {
			put_orig(&o, p, &l);
			continue;
		}
		hits++;
		if (text)
			put_line(&o, p, &l, text);
	}
	matcher_free(&m);
	if (!hits && !o.oom) {
		free(o.p);
		if (!text) {
			r->why = "no line matches";
			return 0;
		}
		if (has_line(p, n, text)) {
			r->why = "no line matches; the new line is there (applied before)";
			return 0;
		}
		return diag_set(d, -ENOENT, "no line %s \"%s\"", regex ? "matches" : "contains",
				esc_show(pb, pattern));
	}
	return finish(&o, p, n, r, d, "already so");
}

int te_replace(const uint8_t *p, size_t n, const char *pattern, bool regex, const char *text,
	       struct te_result *r, struct diag *d)
{
	return edit_lines(p, n, pattern, regex, text, r, d);
}

int te_remove(const uint8_t *p, size_t n, const char *pattern, bool regex, struct te_result *r,
	      struct diag *d)
{
	return edit_lines(p, n, pattern, regex, NULL, r, d);
}

/* ---- sections --------------------------------------------------------------------------- */

/* Are text[0..ntext-1] there as consecutive lines? */
static bool has_block(const uint8_t *p, size_t n, const char *const *text, size_t ntext)
{
	struct tline l;

	for (size_t i = 0; i < n;) {
		size_t j = i, k = 0;
		while (k < ntext && j < n) {
			j = line_at(p, n, j, &l);
			if (!line_is(p, &l, text[k]))
				break;
			k++;
		}
		if (k == ntext)
			return true;
		i = line_at(p, n, i, &l);
	}
	return false;
}

static int sections(const uint8_t *p, size_t n, const char *begin, const char *end,
		    const char *const *text, size_t ntext, struct te_result *r, struct diag *d)
{
	struct strbuf o = {0};
	struct tline l, last;
	size_t found = 0, lineno = 0;
	char bb[ESC_SHOW_MAX], eb[ESC_SHOW_MAX];

	memset(r, 0, sizeof(*r));
	if (!*begin || !*end)
		return diag_set(d, -EINVAL, "empty BEGIN or END");
	for (size_t i = 0; i < n && !o.oom;) {
		size_t first = ++lineno;
		i = line_at(p, n, i, &l);
		if (!memmem(p + l.start, l.len, begin, strlen(begin))) {
			put_orig(&o, p, &l);
			continue;
		}
		found++;
		do { /* to the next line containing end */
			if (i >= n) {
				free(o.p);
				return diag_set(d, -ENOENT,
						"the section from line %zu (\"%s\") has no line "
						"containing \"%s\" after it",
						first, esc_show(bb, begin), esc_show(eb, end));
			}
			i = line_at(p, n, i, &last);
			lineno++;
		} while (!memmem(p + last.start, last.len, end, strlen(end)));
		for (size_t k = 0; k < ntext; k++) /* the last new line ends as the section did */
			put_line(&o, p, k + 1 == ntext ? &last : NULL, text[k]);
	}
	if (!found && !o.oom) {
		free(o.p);
		if (!ntext) {
			r->why = "no section";
			return 0;
		}
		if (has_block(p, n, text, ntext)) {
			r->why = "no section; the new lines are there (applied before)";
			return 0;
		}
		return diag_set(d, -ENOENT, "no line contains \"%s\"", esc_show(bb, begin));
	}
	return finish(&o, p, n, r, d, "already so");
}

int te_replace_section(const uint8_t *p, size_t n, const char *begin, const char *end,
		       const char *const *text, size_t ntext, struct te_result *r, struct diag *d)
{
	return sections(p, n, begin, end, text, ntext, r, d);
}

int te_remove_section(const uint8_t *p, size_t n, const char *begin, const char *end,
		      struct te_result *r, struct diag *d)
{
	return sections(p, n, begin, end, NULL, 0, r, d);
}

/* ---- properties --------------------------------------------------------------------------- */

/* Does the line set key ("key=...", "  key = ...")? Comments do not. */
static bool sets_key(const uint8_t *p, const struct tline *l, const char *key)
{
	const uint8_t *s = p + l->start, *e = s + l->len;
	size_t kl = strlen(key);

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(e - s) < kl || memcmp(s, key, kl))
		return false;
	for (s += kl; s < e && (*s == ' ' || *s == '\t'); s++)
		;
	return s < e && *s == '=';
}

static int check_key(const char *key, struct diag *d)
{
	char kb[ESC_SHOW_MAX];

	if (!*key || strpbrk(key, "= \t#"))
		return diag_set(d, -EINVAL,
				"property name \"%s\": want KEY without '=', spaces or '#'",
				esc_show(kb, key));
	return 0;
}

static int props(const uint8_t *p, size_t n, const char *key, const char *value,
		 struct te_result *r, struct diag *d)
{
	struct strbuf o = {0};
	struct tline l;
	size_t hits = 0;
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = check_key(key, d)) < 0)
		return err;
	size_t kl = strlen(key), vl = value ? strlen(value) : 0;
	char *kv = malloc(kl + vl + 2);
	if (!kv)
		return diag_set(d, -ENOMEM, "out of memory");
	strfmt_show(kv, kl + vl + 2, "%s=%s", key, value ? value : ""); /* exact size */
	for (size_t i = 0; i < n;) {
		i = line_at(p, n, i, &l);
		if (!sets_key(p, &l, key)) {
			put_orig(&o, p, &l);
			continue;
		}
		hits++;
		if (value)
			put_line(&o, p, &l, kv);
	}
	if (!hits && value) {
		if (n && p[n - 1] != '\n')
			strbuf_put(&o, "\n", 1);
		put_line(&o, p, NULL, kv);
	}
	free(kv);
	return finish(&o, p, n, r, d, value ? "already set" : "not set");
}

int te_prop_set(const uint8_t *p, size_t n, const char *key, const char *value, struct te_result *r,
		struct diag *d)
{
	return props(p, n, key, value, r, d);
}

int te_prop_remove(const uint8_t *p, size_t n, const char *key, struct te_result *r, struct diag *d)
{
	return props(p, n, key, NULL, r, d);
}

/* ---- fstab ------------------------------------------------------------------------------------
 */

unsigned te_fstab_field(const char *name)
{
	static const struct {
		const char *name;
		unsigned field;
	} t[] = {
	    {"device", 1}, {"mountpoint", 2}, {"type", 3}, {"options", 4},
	    {"flags", 4},  {"mnt_flags", 4},  {"dump", 5}, {"fs_mgr_flags", 5},
	    {"pass", 6},   {"1", 1},	      {"2", 2},	   {"3", 3},
	    {"4", 4},	   {"5", 5},	      {"6", 6},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(name, t[i].name))
			return t[i].field;
	return 0;
}

struct span {
	size_t at, len;
};

/* Whitespace-separated fields of a line (at most 8 looked at); 0 for a
 * blank line or a comment. */
static unsigned fields(const uint8_t *p, const struct tline *l, struct span f[8])
{
	size_t i = l->start, e = l->start + l->len;
	unsigned k = 0;

	while (i < e) {
		while (i < e && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == e || (k == 0 && p[i] == '#'))
			break;
		size_t s = i;
		while (i < e && p[i] != ' ' && p[i] != '\t')
			i++;
		if (k < 8)
			f[k] = (struct span){s, i - s};
		k++;
	}
	return k;
}

static bool span_is(const uint8_t *p, struct span s, const char *v)
{
	return strlen(v) == s.len && !memcmp(p + s.at, v, s.len);
}

int te_fstab(const uint8_t *p, size_t n, const char *mountpoint, unsigned field, const char *value,
	     struct te_result *r, struct diag *d)
{
	struct strbuf o = {0};
	struct tline l;
	struct span f[8];
	size_t hits = 0, lineno = 0, mounted_value = 0;
	char mb[ESC_SHOW_MAX];

	memset(r, 0, sizeof(*r));
	if (field < 1 || field > 6)
		return diag_set(d, -EINVAL, "field %u: want 1-6 or a field name", field);
	if (!*value || strpbrk(value, " \t\n\r"))
		return diag_set(d, -EINVAL, "value \"%s\": want one word", esc_show(mb, value));
	for (size_t i = 0; i < n && !o.oom;) {
		unsigned k;
		lineno++;
		i = line_at(p, n, i, &l);
		k = fields(p, &l, f);
		if (k >= 2 && span_is(p, f[1], value))
			mounted_value++;
		if (k < 2 || !span_is(p, f[1], mountpoint)) {
			put_orig(&o, p, &l);
			continue;
		}
		if (k < field) {
			free(o.p);
			return diag_set(d, -EINVAL,
					"line %zu mounting %s has %u fields, no field %u", lineno,
					esc_show(mb, mountpoint), k, field);
		}
		hits++;
		strbuf_put(&o, p + l.start, f[field - 1].at - l.start);
		strbuf_put(&o, value, strlen(value));
		strbuf_put(&o, p + f[field - 1].at + f[field - 1].len,
			   l.start + l.len + l.eol - (f[field - 1].at + f[field - 1].len));
	}
	if (!hits && !o.oom) {
		free(o.p);
		if (field == 2 && mounted_value) {
			r->why =
			    "no line mounts it; one mounts the new mount point (applied before)";
			return 0;
		}
		return diag_set(d, -ENOENT, "no line mounts %s", esc_show(mb, mountpoint));
	}
	return finish(&o, p, n, r, d, "already so");
}
