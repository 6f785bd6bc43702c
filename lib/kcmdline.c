/* cmdline.c - the kernel command line and /proc/bootconfig. See cmdline.h. */
#include "lib/kcmdline.h"
#include "lib/textsize.h"

#include <errno.h>
#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0;
}

int cmdline_next(const char *text, size_t len, size_t *pos, struct cmdline_word *w)
{
	size_t i = *pos, start, end, eq = 0;
	bool quoted, in_quote, has_eq = false;

	while (i < len && blank(text[i]))
		i++;
	if (i >= len) {
		*pos = len;
		return 0;
	}
	/* a word that opens with a quote: the quote is not part of it */
	quoted = in_quote = text[i] == '"';
	start = quoted ? i + 1 : i;
	for (end = start; end < len && (in_quote || !blank(text[end])); end++) {
		if (text[end] == '"')
			in_quote = !in_quote;
		else if (text[end] == '=' && !has_eq) {
			has_eq = true;
			eq = end;
		}
	}
	*pos = end;
	w->key = text + start;
	w->has_val = has_eq;
	if (!has_eq) {
		w->klen = end - start;
		/* "rw": the closing quote of a quoted word */
		if (quoted && w->klen && w->key[w->klen - 1] == '"')
			w->klen--;
		w->val = "";
		w->vlen = 0;
		return 1;
	}
	w->klen = eq - start;
	w->val = text + eq + 1;
	w->vlen = end - eq - 1;
	if (w->vlen && w->val[0] == '"') { /* key="value": neither quote is part of it */
		w->val++;
		w->vlen--;
		if (w->vlen && w->val[w->vlen - 1] == '"')
			w->vlen--;
	} else if (quoted && w->vlen && w->val[w->vlen - 1] == '"') {
		w->vlen--; /* "key=value" */
	}
	return 1;
}

/* n bytes of s into out as a C string; -ENOSPC (out "") when they do not fit. */
static long put(char *out, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return -ENOSPC;
	if (n >= cap) {
		out[0] = 0;
		return -ENOSPC;
	}
	memcpy(out, s, n);
	out[n] = 0;
	return (long)n;
}

static bool last_word(const char *text, size_t len, const char *key, struct cmdline_word *found)
{
	size_t kl = strlen(key), pos = 0;
	struct cmdline_word w;
	bool any = false;

	while (cmdline_next(text, len, &pos, &w))
		if (w.klen == kl && kl && !memcmp(w.key, key, kl)) {
			*found = w;
			any = true;
		}
	return any;
}

long cmdline_get(const char *text, size_t len, const char *key, char *out, size_t cap)
{
	struct cmdline_word w;

	if (!last_word(text, len, key, &w)) {
		if (cap)
			out[0] = 0;
		return -ENOENT;
	}
	return put(out, cap, w.val, w.vlen);
}

bool cmdline_has(const char *text, size_t len, const char *key)
{
	struct cmdline_word w;

	return last_word(text, len, key, &w);
}

size_t cmdline_proc_len(const char *text, size_t len)
{
	return len && text[len - 1] == '\n' ? len - 1 : len;
}

long setting_get(const struct settings *s, const char *key, char *out, size_t cap)
{
	char k[LABEL_MAX];
	size_t kl = strlen(key);
	long n;

	if (cap)
		out[0] = 0;
	if (!kl || kl > sizeof(k) - sizeof("bootkit.")) /* "bootkit.", key, NUL */
		return -ENAMETOOLONG;
	memcpy(k, "bootkit.", sizeof("bootkit.") - 1);
	memcpy(k + sizeof("bootkit.") - 1, key, kl + 1);
	n = cmdline_get(s->cmdline, s->cmdline_len, k, out, cap);
	if (n == -ENOENT)
		n = bootconfig_get(s->bootconfig, s->bootconfig_len, k, out, cap, NULL);
	if (n == -ENOENT)
		n = cmdline_get(s->conf, s->conf_len, key, out, cap);
	return n;
}

/* ---- bootconfig ---------------------------------------------------------------- */

struct bc_line {
	const char *key;
	size_t klen;
	const char *vals; /* after "= " up to the end of the line */
	size_t vlen;
};

/* The line at *pos: KEY = VALUES. A quoted value may hold a newline, so the
 * line ends at the first newline outside quotes. 1, or 0 at the end. */
static int bc_next(const char *t, size_t len, size_t *pos, struct bc_line *l)
{
	while (*pos < len) {
		size_t s = *pos, e = s, eq;
		char q = 0;
		while (e < len && (q || (t[e] != '\n' && t[e] != 0))) {
			if (q ? t[e] == q : (t[e] == '"' || t[e] == '\''))
				q = q ? 0 : t[e];
			e++;
		}
		*pos = e < len ? e + 1 : len;
		for (eq = s; eq < e && t[eq] != '='; eq++)
			;
		if (eq == e) /* not KEY = VALUE: skipped */
			continue;
		l->key = t + s;
		l->klen = eq - s;
		while (l->klen && blank(l->key[l->klen - 1]))
			l->klen--;
		while (l->klen && blank(l->key[0]))
			l->key++, l->klen--;
		l->vals = t + eq + 1;
		l->vlen = e - eq - 1;
		return 1;
	}
	return 0;
}

/* The values of a line, NUL-separated, into out. */
static long bc_values(const struct bc_line *l, char *out, size_t cap, unsigned *nval)
{
	const char *s = l->vals, *end = l->vals + l->vlen;
	size_t o = 0;
	unsigned n = 0;

	for (;;) {
		const char *v;
		size_t vl;
		while (s < end && blank(*s))
			s++;
		if (s == end && n) /* "a", (a trailing comma) or the end */
			break;
		if (s < end && (*s == '"' || *s == '\'')) {
			const char *q = memchr(s + 1, *s, (size_t)(end - s - 1));
			v = s + 1;
			vl = q ? (size_t)(q - v) : (size_t)(end - v); /* unterminated: to the end */
			s = q ? q + 1 : end;
		} else { /* unquoted: up to a comma or the end, blanks trimmed */
			const char *c = memchr(s, ',', (size_t)(end - s));
			v = s;
			vl = (size_t)((c ? c : end) - s);
			while (vl && blank(v[vl - 1]))
				vl--;
			s = c ? c : end;
		}
		if (o + (n ? 1 : 0) + vl >= cap) {
			if (cap)
				out[0] = 0;
			return -ENOSPC;
		}
		if (n)
			out[o++] = 0;
		memcpy(out + o, v, vl);
		o += vl;
		n++;
		while (s < end && blank(*s))
			s++;
		if (s < end && *s == ',')
			s++;
		else
			break;
	}
	out[o] = 0;
	if (nval)
		*nval = n;
	return (long)o;
}

long bootconfig_get(const char *text, size_t len, const char *key, char *out, size_t cap,
		    unsigned *nval)
{
	size_t kl = strlen(key), pos = 0;
	struct bc_line l, last = {0};
	bool any = false;

	while (bc_next(text, len, &pos, &l))
		if (l.klen == kl && kl && !memcmp(l.key, key, kl)) {
			last = l;
			any = true;
		}
	if (nval)
		*nval = 0;
	if (!any) {
		if (cap)
			out[0] = 0;
		return -ENOENT;
	}
	if (cap == 0)
		return -ENOSPC;
	return bc_values(&last, out, cap, nval);
}

/* ---- edits: a porter's set and remove ------------------------------------------- */

struct sink {
	char *out;
	size_t cap, n;
	bool full;
};

static void emit(struct sink *k, const char *s, size_t n)
{
	if (k->full || n >= k->cap - k->n) {
		k->full = true;
		return;
	}
	memcpy(k->out + k->n, s, n);
	k->n += n;
	k->out[k->n] = 0;
}

static long sink_end(struct sink *k)
{
	if (k->full) {
		if (k->cap)
			k->out[0] = 0;
		return -ENOSPC;
	}
	return (long)k->n;
}

/* text[from, to) into the sink; with *strip (a dropped word opened the
 * line), the blanks it opens with are dropped too. */
static void emit_seg(struct sink *k, const char *text, size_t from, size_t to, bool *strip)
{
	if (*strip && !k->n)
		while (from < to && blank(text[from]))
			from++;
	if (from < to)
		*strip = false;
	emit(k, text + from, to - from);
}

long cmdline_edit(const char *text, size_t len, const char *key, const char *word, char *out,
		  size_t cap)
{
	struct sink k = {.out = out, .cap = cap};
	size_t kl = strlen(key), pos = 0, prev = 0, n;
	struct cmdline_word w;
	bool done = false, strip = false;

	if (!cap)
		return -ENOSPC;
	out[0] = 0;
	for (n = 0; n < len && text[n]; n++) /* a header field: up to its NUL */
		;
	len = n;
	for (;;) {
		size_t ws = pos, bs = pos;
		while (ws < len && blank(text[ws]))
			ws++;
		if (!cmdline_next(text, len, &pos, &w))
			break;
		if (w.klen != kl || !kl || memcmp(w.key, key, kl))
			continue;
		if (word && !done) { /* the first one: replaced where it stands */
			emit_seg(&k, text, prev, ws, &strip);
			emit(&k, word, strlen(word));
			done = true;
		} else { /* dropped with the blanks before it */
			emit_seg(&k, text, prev, bs, &strip);
			strip = strip || !k.n;
		}
		prev = pos;
	}
	emit_seg(&k, text, prev, len, &strip);
	if (word && !done) {
		if (k.n && !blank(k.out[k.n - 1]))
			emit(&k, " ", 1);
		emit(&k, word, strlen(word));
	}
	return sink_end(&k);
}

long bootconfig_edit(const char *text, size_t len, const char *key, const char *value, char *out,
		     size_t cap)
{
	struct sink k = {.out = out, .cap = cap};
	size_t kl = strlen(key), pos = 0, prev = 0;
	struct bc_line l;
	bool done = false;

	if (!cap)
		return -ENOSPC;
	out[0] = 0;
	if (memchr(text, '{', len) || memchr(text, ';', len))
		return -ENOTSUP; /* blocks and several keys on a line: not line-editable */
	while (bc_next(text, len, &pos, &l)) {
		size_t ls = (size_t)(l.key - text), le = pos;
		if (l.klen != kl || !kl || memcmp(l.key, key, kl))
			continue;
		while (ls > prev && text[ls - 1] != '\n')
			ls--; /* the line's own start: its indentation goes with it */
		emit(&k, text + prev, ls - prev);
		if (value && !done) {
			emit(&k, key, kl);
			emit(&k, "=", 1);
			emit(&k, value, strlen(value));
			emit(&k, "\n", 1);
		}
		done = done || value;
		prev = le;
	}
	emit(&k, text + prev, len - prev);
	if (value && !done) {
		if (k.n && k.out[k.n - 1] != '\n')
			emit(&k, "\n", 1);
		emit(&k, key, kl);
		emit(&k, "=", 1);
		emit(&k, value, strlen(value));
		emit(&k, "\n", 1);
	}
	return sink_end(&k);
}

/* ---- what --cmdline-set and --bootconfig-set may write ---------------------------- */

/* a, b, c, d, e one after the other into out; the length, or -ENOSPC (out ""). */
static long joined(char *out, size_t cap, const char *a, const char *b, const char *c,
		   const char *d, const char *e)
{
	struct sink k = {.out = out, .cap = cap};
	const char *part[] = {a, b, c, d, e};

	if (!cap)
		return -ENOSPC;
	out[0] = 0;
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		emit(&k, part[i], strlen(part[i]));
	return sink_end(&k);
}

static bool control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

long cmdline_word(const char *key, const char *val, char *out, size_t cap, const char **why)
{
	size_t quotes = 0;
	bool spaces = false;
	const char *q;

	*why = NULL;
	if (!*key || key[strcspn(key, " \"'=")])
		*why = "KEY is empty or holds a blank, a quote or =";
	for (const char *p = key; !*why && *p; p++)
		if (control((unsigned char)*p))
			*why =
			    "KEY holds a control byte (the kernel splits at \\t \\n \\v \\f \\r)";
	for (const char *p = val; p && !*why && *p; p++) {
		if (*p == '\n')
			*why = "VALUE holds a newline";
		else if (*p == '\v' || *p == '\f' || *p == '\r')
			*why = "VALUE holds \\v, \\f or \\r, which the kernel counts as a blank "
			       "(the rest would become a word of its own)";
		else if (control((unsigned char)*p) && *p != '\t')
			*why = "VALUE holds a control byte";
		quotes += *p == '"';
		spaces |= *p == ' ' || *p == '\t';
	}
	if (*why)
		return -EINVAL;
	if (val && quotes % 2)
		*why = "VALUE holds a lone quote: the kernel would read the words after it as part "
		       "of this one";
	else if (val && val[0] == '"')
		*why = "VALUE opens with a quote, which the kernel drops";
	else if (spaces && quotes)
		*why = "VALUE holds blanks and a quote; the kernel cannot read that back";
	if (*why)
		return -EINVAL;
	q = spaces ? "\"" : "";
	return joined(out, cap, key, val ? "=" : "", q, val ? val : "", q);
}

int bootconfig_key_check(const char *key, const char **why)
{
	const char *p = key;

	*why = NULL;
	for (;;) {
		size_t n =
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

		if (!n)
			break; /* an empty word */
		p += n;
		if (!*p)
			return 0;
		if (*p++ != '.')
			break;
	}
	*why = "KEY must be words of A-Z a-z 0-9 - _ joined by single dots";
	return -EINVAL;
}

long bootconfig_value(const char *val, char *out, size_t cap, const char **why)
{
	static const char plain[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:+@%";
	size_t n = strlen(val);
	const char *q;

	*why = NULL;
	for (const char *p = val; !*why && *p; p++)
		if (control((unsigned char)*p))
			*why = *p == '\n' ? "VALUE holds a newline, which would start another key"
					  : "VALUE holds a control byte";
	if (!*why && (val[0] == '"' || val[0] == '\'')) {
		/* given quoted: one well-formed string, as it stands */
		if (n < 2 || val[n - 1] != val[0] || memchr(val + 1, val[0], n - 2))
			*why = "a quoted VALUE must end with its quote and hold no other";
		else
			return joined(out, cap, val, "", "", "", "");
	}
	if (!*why && strchr(val, '"') && strchr(val, '\''))
		*why = "VALUE holds both quotes (bootconfig has no escapes)";
	if (*why)
		return -EINVAL;
	if (!val[strspn(val, plain)] && *val)
		return joined(out, cap, val, "", "", "", "");
	q = strchr(val, '"') ? "'" : "\"";
	return joined(out, cap, q, val, q, "", "");
}
