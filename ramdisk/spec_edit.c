/* spec_edit.c - the statements of spec and edit lines that are not
 * entries (see ramdisk.h): exact, trailer, compression, rm, mv, insert and
 * the AnyKernel-style text edits (textedit.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "ramdisk/compress.h"
#include "ramdisk/rd_internal.h"
#include "ramdisk/spec_internal.h"

/* ---- statements of a spec (not edits) ------------------------------------------------ */

/* exact: the lines are an archive, in order (ramdisk.h). */
int spec_exact(struct spec_ctx *s)
{
	if (s->ntok > 2 ||
	    (s->ntok == 2 && strcmp(s->tok[1], "hex=lower") && strcmp(s->tok[1], "hex=upper")))
		return spec_err(s, -EINVAL, "exact takes only hex=lower or hex=upper");
	s->rd->hex_lower = s->ntok == 2 && !strcmp(s->tok[1], "hex=lower");
	if (s->rd->n && !s->rd->exact)
		return spec_err(s, -EINVAL,
				"exact must come before the entries (an exact "
				"spec is packed alone, without DIR)");
	s->rd->exact = true;
	return 0;
}

/* trailer [KEY=VALUE...]: the end of one of concatenated archives. */
int spec_trailer(struct spec_ctx *s)
{
	struct rd_entry tmp = {0};
	struct rd_trailer *t;
	struct attrs a;
	int err;

	if (!s->rd->exact)
		return spec_err(s, -EINVAL, "trailer lines belong in an exact spec");
	if ((err = parse_attrs(s, 1, TRAILER_ATTRS, &a)) < 0)
		return err;
	if ((a.has & 1u << A_PAD) && (a.has & 1u << A_ALIGN))
		return spec_err(s, -EINVAL, "pad= or align=, not both");
	tmp.m.f[CF_NLINK] = 1; /* cpio's trailer: nlink 1, the rest 0 */
	tmp.m.lower = s->rd->hex_lower;
	a.has &= ~(1u << A_INO); /* its ino is a field like the others here */
	if ((err = apply_attrs(s, &tmp, &a)) < 0)
		return err;
	tmp.m.f[CF_INO] = a.v[A_INO];
	if (!(t = rd_push_trailer(s->rd)))
		return spec_err(s, -ENOMEM, "out of memory");
	t->m = tmp.m;
	t->pad = a.pad;
	t->align512 = !(a.has & 1u << A_PAD);
	return 0;
}

/* compression COMP[:LEVEL]: what pack writes when -c does not say. */
int spec_compression(struct spec_ctx *s)
{
	enum comp c;
	int level;

	if (s->ntok != 2 || comp_parse(s->tok[1], &c, &level) < 0 ||
	    strlen(s->tok[1]) >= sizeof(s->rd->comp))
		return spec_err(s, -EINVAL,
				"compression takes one of lz4[:1..12], gzip[:1..9], xz[:0..9], "
				"lzma[:0..9], bzip2[:1..9], zstd[:1..19], none");
	if (*s->rd->comp && strcmp(s->rd->comp, s->tok[1]))
		return spec_err(s, -EINVAL, "compression %s, but %s before", s->tok[1],
				s->rd->comp);
	strcpy(s->rd->comp, s->tok[1]);
	return 0;
}

static bool name_or_under(const struct rd_entry *e, const void *name)
{
	return !strcmp(e->name, name) || under(e->name, name);
}

int spec_rm(struct spec_ctx *s, bool tree)
{
	char name[CPIO_NAME_MAX];
	long i;
	int err;

	if (s->ntok != 2)
		return spec_err(s, -EINVAL, "%s takes 1 field", s->tok[0]);
	if ((err = name_arg(s, 1, name, sizeof(name))) < 0)
		return err;
	if ((i = rd_find(s->rd, name)) < 0)
		return spec_err(s, -ENOENT, "\"%s\" is not in the ramdisk", name);
	for (size_t k = 0; k < s->rd->n && !tree; k++)
		if (under(s->rd->v[k].name, name))
			return spec_err(s, -ENOTEMPTY, "\"%s\" is a folder with entries (rmtree?)",
					name);
	rd_remove_if(s->rd, name_or_under, name);
	return 0;
}

static int rename_entry(struct rd_entry *e, const char *to, size_t keep)
{
	size_t n = strlen(to) + strlen(e->name + keep) + 1;
	char *nn = malloc(n);

	if (!nn)
		return -ENOMEM;
	strfmt_show(nn, n, "%s%s", to, e->name + keep); /* n is its exact size */
	free(e->name);
	e->name = nn;
	entry_set_wname(e, NULL);
	e->changed = true;
	return 0;
}

int spec_mv(struct spec_ctx *s)
{
	char from[CPIO_NAME_MAX], to[CPIO_NAME_MAX];
	size_t fl;
	long i;
	int err;

	if (s->ntok != 3)
		return spec_err(s, -EINVAL, "mv takes 2 fields");
	if ((err = name_arg(s, 1, from, sizeof(from))) < 0 ||
	    (err = name_arg(s, 2, to, sizeof(to))) < 0)
		return err;
	if ((i = rd_find(s->rd, from)) < 0)
		return spec_err(s, -ENOENT, "\"%s\" is not in the ramdisk", from);
	if (rd_find(s->rd, to) >= 0)
		return spec_err(s, -EEXIST, "\"%s\" is already in the ramdisk", to);
	if (under(to, from))
		return spec_err(s, -EINVAL, "cannot move \"%s\" into itself", from);
	if ((err = need_parent(s, to)) < 0)
		return err;
	fl = strlen(from);
	/* an entry below it could land on a name in use ("to/x" without "to") */
	for (size_t k = 0; k < s->rd->n; k++) {
		char nn[CPIO_NAME_MAX];
		const char *old = s->rd->v[k].name;
		if (!under(old, from))
			continue;
		size_t tl = strlen(to), rl = strlen(old + fl);
		if (tl + rl >= sizeof(nn))
			return spec_err(s, -ENAMETOOLONG, "\"%s\" would get a name too long", old);
		memcpy(nn, to, tl);
		memcpy(nn + tl, old + fl, rl + 1);
		if (rd_find(s->rd, nn) >= 0)
			return spec_err(s, -EEXIST,
					"\"%s\" would become \"%s\", already in the ramdisk", old,
					nn);
	}
	for (size_t k = 0; k < s->rd->n && err == 0; k++)
		if (k == (size_t)i || under(s->rd->v[k].name, from))
			err = rename_entry(&s->rd->v[k], to, fl);
	rd_reindex(s->rd); /* the names changed; even after a failure half-way */
	return err < 0 ? spec_err(s, -ENOMEM, "out of memory") : 0;
}

/* The data of a regular-file entry, read into memory when it is a file. */
static int entry_bytes(struct spec_ctx *s, struct rd_entry *e)
{
	uint8_t *buf;
	size_t len;
	struct diag d2;

	if (e->src != RD_FILE)
		return 0;
	if (file_read_small(e->path, 64u << 20, &buf, &len, &d2) < 0)
		return spec_err(s, -EIO, "%s", d2.msg);
	entry_drop_data(e);
	e->data = buf;
	e->src = RD_MEM;
	e->m.f[CF_FILESIZE] = (uint32_t)len;
	return 0;
}

static bool has_line(const uint8_t *p, size_t n, const char *text)
{
	size_t tl = strlen(text);

	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t ll = nl ? (size_t)(nl - (p + i)) : n - i;
		if (ll && p[i + ll - 1] == '\r')
			ll--;
		if (ll == tl && !memcmp(p + i, text, tl))
			return true;
		i += (nl ? (size_t)(nl - (p + i)) + 1 : n - i);
	}
	return false;
}

/* Offset where the new line goes, or -1 when after=PREFIX finds no line. */
static long insert_at(const uint8_t *p, size_t n, const char *where)
{
	size_t pl;

	if (!strcmp(where, "top"))
		return 0;
	if (!strcmp(where, "bottom"))
		return (long)n;
	pl = strlen(where + 6);
	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t next = nl ? (size_t)(nl - p) + 1 : n;
		if (n - i >= pl && !memcmp(p + i, where + 6, pl))
			return (long)next;
		i = next;
	}
	return -1;
}

static int text_target(struct spec_ctx *s, const char *name, struct rd_entry **out);

int spec_insert(struct spec_ctx *s)
{
	char name[CPIO_NAME_MAX];
	const char *where = s->ntok > 2 ? s->tok[2] : "";
	struct rd_entry *e;
	size_t n, tl;
	uint8_t *nb;
	long at;
	int err;

	if (s->ntok < 4 || !s->rest)
		return spec_err(s, -EINVAL, "insert takes NAME WHERE TEXT...");
	if (strcmp(where, "top") && strcmp(where, "bottom") &&
	    (strncmp(where, "after=", 6) || !where[6]))
		return spec_err(s, -EINVAL, "WHERE \"%s\": want top, bottom or after=PREFIX",
				where);
	if ((err = name_arg(s, 1, name, sizeof(name))) < 0)
		return err;
	if ((err = text_target(s, name, &e)) < 0)
		return err;
	n = e->m.f[CF_FILESIZE];
	if (has_line(e->data, n, s->rest))
		return 0; /* idempotent */
	if ((at = insert_at(e->data, n, where)) < 0)
		return spec_err(s, -ENOENT, "\"%s\": no line starts with \"%s\"", name, where + 6);
	tl = strlen(s->rest);
	/* a file without a final newline gets one before a line added after it */
	bool nl_before = at == (long)n && n && e->data[n - 1] != '\n';
	if (n + tl + 2 > UINT32_MAX || !(nb = malloc(n + tl + 2)))
		return spec_err(s, -ENOMEM, "out of memory");
	memcpy(nb, e->data, (size_t)at);
	size_t o = (size_t)at;
	if (nl_before)
		nb[o++] = '\n';
	memcpy(nb + o, s->rest, tl);
	o += tl;
	nb[o++] = '\n';
	memcpy(nb + o, e->data + at, n - (size_t)at);
	o += n - (size_t)at;
	entry_drop_data(e);
	e->src = RD_MEM;
	e->data = nb;
	e->changed = true;
	e->check_auto = e->m.crc;
	e->m.f[CF_FILESIZE] = (uint32_t)o;
	return 0;
}

/* ---- AnyKernel-style text edits (textedit.h) ------------------------------------------ */

static void spec_note(struct spec_ctx *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void spec_note(struct spec_ctx *s, const char *fmt, ...)
{
	char msg[DIAG_MSG_MAX], shown[DIAG_MSG_MAX], line[DIAG_MSG_MAX + 64];
	va_list ap;

	if (!s->rd->note)
		return;
	va_start(ap, fmt);
	vstrfmt_show(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	esc_bytes(shown, sizeof(shown), msg, strlen(msg), false);
	strfmt_show(line, sizeof(line), "%s:%d: %s", s->file, s->line, shown);
	s->rd->note(s->rd->note_ctx, line);
}

/* The entry holding file name's text: a hard link's data-carrying name. */
static int text_target(struct spec_ctx *s, const char *name, struct rd_entry **out)
{
	long i = rd_find(s->rd, name);
	uint32_t *head, *carry;
	size_t c;
	int err;

	if (i < 0 || !S_ISREG(s->rd->v[i].m.f[CF_MODE]))
		return spec_err(s, -ENOENT, "\"%s\" is not a file in the ramdisk", name);
	c = (size_t)i;
	if (s->rd->v[i].m.f[CF_NLINK] >= 2 && !s->rd->v[i].m.f[CF_FILESIZE]) {
		head = malloc(s->rd->n * sizeof(*head));
		carry = malloc(s->rd->n * sizeof(*carry));
		if (!head || !carry || rd_link_groups(s->rd, head, carry) < 0) {
			free(head);
			free(carry);
			return spec_err(s, -ENOMEM, "out of memory");
		}
		c = carry[head[i]];
		free(head);
		free(carry);
	}
	*out = &s->rd->v[c];
	if ((err = entry_bytes(s, *out)) < 0)
		return err;
	return 0;
}

enum text_verb {
	TV_REPLACE,
	TV_REPLACE_RE,
	TV_REMOVE,
	TV_REMOVE_RE,
	TV_SECTION,
	TV_RM_SECTION,
	TV_PROP,
	TV_PROP_RM,
	TV_FSTAB
};

static const struct {
	const char *verb, *usage;
	unsigned min, max; /* fields with the verb */
} text_verbs[] = {
    [TV_REPLACE] = {"replace", "NAME PATTERN TEXT", 4, 4},
    [TV_REPLACE_RE] = {"replace-regex", "NAME REGEX TEXT", 4, 4},
    [TV_REMOVE] = {"remove", "NAME PATTERN", 3, 3},
    [TV_REMOVE_RE] = {"remove-regex", "NAME REGEX", 3, 3},
    [TV_SECTION] = {"replace-section", "NAME BEGIN END TEXT...", 5, SPEC_MAX_TOKENS},
    [TV_RM_SECTION] = {"remove-section", "NAME BEGIN END", 4, 4},
    [TV_PROP] = {"prop", "NAME KEY=VALUE", 3, 3},
    [TV_PROP_RM] = {"prop-remove", "NAME KEY", 3, 3},
    [TV_FSTAB] = {"fstab", "NAME MOUNTPOINT FIELD VALUE", 5, 5},
};

static int run_text_verb(struct spec_ctx *s, enum text_verb v, const uint8_t *p, size_t n,
			 struct te_result *r, struct diag *d)
{
	char **t = s->tok;
	char *eq;
	unsigned field;

	switch (v) {
	case TV_REPLACE:
	case TV_REPLACE_RE: return te_replace(p, n, t[2], v == TV_REPLACE_RE, t[3], r, d);
	case TV_REMOVE:
	case TV_REMOVE_RE: return te_remove(p, n, t[2], v == TV_REMOVE_RE, r, d);
	case TV_SECTION:
		return te_replace_section(p, n, t[2], t[3], (const char *const *)(t + 4),
					  s->ntok - 4, r, d);
	case TV_RM_SECTION: return te_remove_section(p, n, t[2], t[3], r, d);
	case TV_PROP:
		if (!(eq = strchr(t[2], '=')))
			return diag_set(d, -EINVAL, "\"%s\": want KEY=VALUE", t[2]);
		*eq = 0;
		return te_prop_set(p, n, t[2], eq + 1, r, d);
	case TV_PROP_RM: return te_prop_remove(p, n, t[2], r, d);
	case TV_FSTAB:
		if (!(field = te_fstab_field(t[3])))
			return diag_set(d, -EINVAL,
					"field \"%s\": want 1-6 or device, mountpoint, type, "
					"options (flags, mnt_flags), dump (fs_mgr_flags), pass",
					t[3]);
		return te_fstab(p, n, t[2], field, t[4], r, d);
	}
	return -EINVAL;
}

static int text_verb(struct spec_ctx *s, enum text_verb v)
{
	char name[CPIO_NAME_MAX];
	struct te_result r;
	struct rd_entry *e = NULL;
	struct diag d2 = {{0}};
	int err;

	if (s->ntok < text_verbs[v].min || s->ntok > text_verbs[v].max)
		return spec_err(s, -EINVAL, "%s takes %s (quote a field with spaces: \"...\")",
				text_verbs[v].verb, text_verbs[v].usage);
	if ((err = name_arg(s, 1, name, sizeof(name))) < 0 || (err = text_target(s, name, &e)) < 0)
		return err;
	err = run_text_verb(s, v, e->data, e->m.f[CF_FILESIZE], &r, &d2);
	if (err < 0)
		return spec_err(s, err, "%s \"%s\": %s", text_verbs[v].verb, name, d2.msg);
	if (err == 0) {
		spec_note(s, "%s \"%s\": nothing to do (%s)", text_verbs[v].verb, name, r.why);
		return 0;
	}
	if (r.outn > UINT32_MAX) {
		free(r.out);
		return spec_err(s, -EFBIG, "\"%s\" would be over 4 GiB", name);
	}
	entry_drop_data(e);
	e->src = RD_MEM;
	e->data = r.out;
	e->m.f[CF_FILESIZE] = (uint32_t)r.outn;
	e->changed = true;
	e->check_auto = e->m.crc;
	return 0;
}

int spec_text(struct spec_ctx *s)
{
	for (unsigned v = 0; v < sizeof(text_verbs) / sizeof(text_verbs[0]); v++)
		if (!strcmp(s->tok[0], text_verbs[v].verb))
			return text_verb(s, (enum text_verb)v);
	return 1;
}
