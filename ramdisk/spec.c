/* spec.c - spec and edit lines (see ramdisk.h): parsed into a ramdisk. */
#include "ramdisk/ramdisk.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "ramdisk/compress.h"
#include "ramdisk/rd_internal.h"
#include "ramdisk/spec_internal.h"
#include "ramdisk/textedit.h"

/* ---- spec and edit lines ---------------------------------------------------------------- */

int spec_err(struct spec_ctx *s, int err, const char *fmt, ...)
{
	char msg[DIAG_FORMAT_MAX], shown[DIAG_FORMAT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vstrfmt_show(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* names from the spec or the archive: control bytes shown escaped */
	esc_bytes(shown, sizeof(shown), msg, strlen(msg), false);
	return diag_set(s->d, err, "%s:%d: %s", s->file, s->line, shown);
}

static int num(struct spec_ctx *s, unsigned i, int base, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s->tok[i], &end, base);
	if (errno || *end || end == s->tok[i] || s->tok[i][0] == '-' || v > max)
		return spec_err(s, -EINVAL, "field %u \"%s\": want a %s number up to %s%lo", i + 1,
				s->tok[i], base == 8 ? "octal" : "decimal", base == 8 ? "0" : "",
				(unsigned long)max);
	*out = (uint32_t)v;
	return 0;
}

static int name_tok(struct spec_ctx *s, const char *tok, char *out, size_t cap, bool root_ok)
{
	int err = cpio_clean_path(tok, out, cap);

	if (err == -EINVAL)
		return spec_err(s, err, "name \"%s\": \"..\" is not allowed", tok);
	if (err < 0)
		return spec_err(s, err, "name \"%s\" is too long", tok);
	if (!*out && !root_ok)
		return spec_err(s, -EINVAL, "name \"%s\" is the root", tok);
	return 0;
}

int name_arg(struct spec_ctx *s, unsigned i, char *out, size_t cap)
{
	return name_tok(s, s->tok[i], out, cap, false);
}

/* The parent of name must exist as a folder (or be the root). */
int need_parent(struct spec_ctx *s, const char *name)
{
	char parent[CPIO_NAME_MAX];
	int err = parent_state(s->rd, name, parent);

	if (err == -ENOENT && s->edits)
		return spec_err(s, err, "\"%s\": folder \"%s\" is not in the ramdisk", name,
				parent);
	if (err == -ENOTDIR)
		return spec_err(s, err, "\"%s\": \"%s\" is not a folder", name, parent);
	return 0;
}

/* The entry to (re)define for name: a new one, or the old one reset. */
static int define(struct spec_ctx *s, const char *name, uint32_t mode, uint32_t uid, uint32_t gid,
		  struct rd_entry **out)
{
	long i = rd_find(s->rd, name);
	struct rd_entry *e;
	uint32_t ino = 0;
	int err;

	if (i >= 0 && s->rd->v[i].line)
		return spec_err(s, -EEXIST, "\"%s\" is already defined on line %d", name,
				s->rd->v[i].line);
	if ((err = need_parent(s, name)) < 0)
		return err;
	if (i >= 0) {
		e = &s->rd->v[i];
		if (S_ISDIR(e->m.f[CF_MODE]) && !S_ISDIR(mode))
			for (size_t k = 0; k < s->rd->n; k++)
				if (under(s->rd->v[k].name, name))
					return spec_err(
					    s, -ENOTEMPTY,
					    "\"%s\" is a folder with entries; rmtree it "
					    "first",
					    name);
		ino = e->src == RD_ORIG ? e->m.f[CF_INO] : 0;
		entry_drop_data(e);
		entry_set_wname(e, NULL);
		e->hl = false; /* a spec line names one file */
		e->check_auto = e->kept_order = e->ino_auto = false;
	} else if (!(e = rd_push(s->rd, name))) {
		return spec_err(s, -ENOMEM, "out of memory");
	}
	e->src = RD_MEM;
	e->changed = true;
	e->line = s->line;
	if (!ino && s->edits)
		ino = s->rd->next_ino++;
	meta_set(&e->m, mode, uid, gid, s->rd->mtime);
	e->m.f[CF_INO] = ino;
	e->m.lower = s->rd->hex_lower; /* the archive's case, or exact's hex= */
	*out = e;
	return 0;
}

static const struct {
	const char *verb;
	uint32_t type;
	unsigned ntok; /* with the verb */
} node_verbs[] = {
    {"dir", S_IFDIR, 5}, {"pipe", S_IFIFO, 5}, {"sock", S_IFSOCK, 5},
    {"nod", 0, 8},	 {"file", S_IFREG, 6}, {"slink", S_IFLNK, 6},
};

/* ---- key=value attributes after a line's fields (our extension) ---------------------
 * What gen_init_cpio's lines have no field for, so that a spec can say
 * everything a header holds: see ramdisk.h. */

static const char *const attr_name[A_COUNT] = {
    "ino",   "nlink", "mtime", "dev", "rdev", "mode",  "size",
    "check", "magic", "uid",   "gid", "pad",  "align", "hex",
};

static int attr_num(const char *p, int base, uint64_t max, uint64_t *out, const char **end)
{
	char *e;
	unsigned long long v;

	errno = 0;
	v = strtoull(p, &e, base);
	if (errno || e == p || *p == '-' || *p == '+' || isspace((unsigned char)*p) || v > max)
		return -EINVAL;
	*out = v;
	*end = e;
	return 0;
}

static int attr_value(enum attr k, const char *p, struct attrs *a)
{
	const char *end = p;
	uint64_t v = 0, w = 0;

	switch (k) {
	case A_DEV:
	case A_RDEV: /* MAJOR:MINOR */
		if (attr_num(p, 10, UINT32_MAX, &v, &end) < 0 || *end != ':' ||
		    attr_num(end + 1, 10, UINT32_MAX, &w, &end) < 0)
			return -EINVAL;
		a->minor[k] = (uint32_t)w;
		break;
	case A_MODE: /* the whole mode word, type bits too */
		if (attr_num(p, 8, UINT32_MAX, &v, &end) < 0)
			return -EINVAL;
		break;
	case A_MAGIC:
		if (strcmp(p, "070701") && strcmp(p, "070702"))
			return -EINVAL;
		v = p[5] == '2';
		end = p + 6;
		break;
	case A_SIZE: /* only 0: the data is elsewhere (an earlier name of a hard link) */
		if (strcmp(p, "0"))
			return -EINVAL;
		end = p + 1;
		break;
	case A_ALIGN:
		if (strcmp(p, "512"))
			return -EINVAL;
		end = p + 3;
		break;
	case A_HEX: /* the header's hex digits: lower (AOSP's mkbootfs) or upper case */
		if (strcmp(p, "lower") && strcmp(p, "upper"))
			return -EINVAL;
		v = p[0] == 'l';
		end = p + 5;
		break;
	case A_PAD: return attr_num(p, 10, UINT32_MAX, &a->pad, &end) < 0 || *end ? -EINVAL : 0;
	default:
		if (attr_num(p, 10, UINT32_MAX, &v, &end) < 0)
			return -EINVAL;
		break;
	}
	a->v[k] = (uint32_t)v;
	return *end ? -EINVAL : 0;
}

/* Tokens from `from` on: KEY=VALUE, each KEY at most once, from `allowed`. */
int parse_attrs(struct spec_ctx *s, unsigned from, unsigned allowed, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	for (unsigned i = from; i < s->ntok; i++) {
		const char *t = s->tok[i], *eq = strchr(t, '=');
		unsigned k;
		for (k = 0; k < A_COUNT && eq; k++)
			if (strlen(attr_name[k]) == (size_t)(eq - t) &&
			    !memcmp(t, attr_name[k], (size_t)(eq - t)))
				break;
		if (!eq || k == A_COUNT || !(allowed & 1u << k))
			return spec_err(
			    s, -EINVAL,
			    "field %u \"%s\": %s takes %u fields, then only KEY=VALUE "
			    "attributes (ino nlink mtime dev rdev mode%s check magic hex%s)",
			    i + 1, t, s->tok[0], from - 1,
			    !strcmp(s->tok[0], "file") ? " size" : "",
			    allowed & 1u << A_PAD ? " uid gid pad align" : "");
		if (a->has & 1u << k)
			return spec_err(s, -EINVAL, "field %u: %s= given twice", i + 1,
					attr_name[k]);
		if (attr_value((enum attr)k, eq + 1, a) < 0)
			return spec_err(s, -EINVAL, "field %u \"%s\": bad %s value%s", i + 1, t,
					attr_name[k],
					k == A_DEV || k == A_RDEV ? " (want MAJOR:MINOR)"
					: k == A_MODE		  ? " (want octal)"
					: k == A_MAGIC		  ? " (want 070701 or 070702)"
					: k == A_SIZE		  ? " (only size=0)"
					: k == A_ALIGN		  ? " (only align=512)"
					: k == A_HEX		  ? " (want lower or upper)"
								  : " (want a decimal number)");
		a->has |= 1u << k;
	}
	return 0;
}

/* What the attributes say, over what the line's fields gave. */
int apply_attrs(struct spec_ctx *s, struct rd_entry *e, const struct attrs *a)
{
	static const struct {
		enum attr k;
		enum cpio_field f, fminor;
	} num_fields[] = {
	    {A_NLINK, CF_NLINK, CF_NLINK},
	    {A_MTIME, CF_MTIME, CF_MTIME},
	    {A_CHECK, CF_CHECK, CF_CHECK},
	    {A_UID, CF_UID, CF_UID},
	    {A_GID, CF_GID, CF_GID},
	    {A_DEV, CF_DEVMAJOR, CF_DEVMINOR},
	    {A_RDEV, CF_RDEVMAJOR, CF_RDEVMINOR},
	};

	for (size_t i = 0; i < sizeof(num_fields) / sizeof(num_fields[0]); i++) {
		if (!(a->has & 1u << num_fields[i].k))
			continue;
		e->m.f[num_fields[i].f] = a->v[num_fields[i].k];
		if (num_fields[i].fminor != num_fields[i].f)
			e->m.f[num_fields[i].fminor] = a->minor[num_fields[i].k];
	}
	if (a->has & 1u << A_MODE) {
		if ((a->v[A_MODE] & S_IFMT) != (e->m.f[CF_MODE] & S_IFMT))
			return spec_err(s, -EINVAL, "mode=0%o is not a %s", (unsigned)a->v[A_MODE],
					s->tok[0]);
		e->m.f[CF_MODE] = a->v[A_MODE];
	}
	if (a->has & 1u << A_MAGIC)
		e->m.crc = a->v[A_MAGIC];
	if (a->has & 1u << A_HEX)
		e->m.lower = a->v[A_HEX];
	e->check_auto = e->m.crc && !(a->has & 1u << A_CHECK);
	if (a->has & 1u << A_INO) {
		e->m.f[CF_INO] = a->v[A_INO];
		e->kept_order = s->rd->exact;
	} else if (s->rd->exact) {
		e->ino_auto = true;
	}
	return 0;
}

/* NAME: cleaned for lookups; in an exact spec written as given. */
static int entry_name(struct spec_ctx *s, bool root_ok, char name[CPIO_NAME_MAX], char **raw)
{
	int err = name_tok(s, s->tok[1], name, CPIO_NAME_MAX, root_ok && s->rd->exact);

	*raw = NULL;
	if (err == 0 && s->rd->exact && strcmp(name, s->tok[1]) && !(*raw = strdup(s->tok[1])))
		err = spec_err(s, -ENOMEM, "out of memory");
	return err;
}

static int file_source(struct spec_ctx *s, struct rd_entry *e, const struct attrs *a)
{
	struct stat st;
	char path[PATH_MAX];
	const char *loc = s->tok[2];

	if (a->has & 1u << A_SIZE)
		return 0; /* no data here: LOCATION is not read */
	if (strfmt(path, sizeof(path), "%s%s%s", loc[0] != '/' && s->base ? s->base : "",
		   loc[0] != '/' && s->base ? "/" : "", loc) < 0)
		return spec_err(s, -ENAMETOOLONG, "file \"%s\": path too long", loc);
	if (stat(path, &st) < 0)
		return spec_err(s, -errno, "file \"%s\": %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > UINT32_MAX)
		return spec_err(s, -EINVAL, "file \"%s\": not a regular file under 4 GiB", path);
	e->m.f[CF_FILESIZE] = (uint32_t)st.st_size;
	e->src = RD_FILE;
	if (!(e->path = strdup(path)))
		return spec_err(s, -ENOMEM, "out of memory");
	return 0;
}

static int spec_node(struct spec_ctx *s, unsigned v)
{
	char name[CPIO_NAME_MAX], *raw = NULL;
	uint32_t mode, uid, gid, maj = 0, mn = 0, type = node_verbs[v].type;
	unsigned nf = node_verbs[v].ntok, a = nf == 6 ? 3 : 2; /* index of MODE */
	/* device numbers: Linux's 12 and 20 bits, but an exact spec says what the archive holds */
	uint32_t maxmaj = s->rd->exact ? UINT32_MAX : 4095,
		 maxmin = s->rd->exact ? UINT32_MAX : 1048575;
	struct rd_entry *e = NULL;
	struct attrs at;
	size_t tl = 0;
	int err;

	if (s->ntok < nf)
		return spec_err(s, -EINVAL, "%s takes %u fields, not %u", node_verbs[v].verb,
				nf - 1, s->ntok - 1);
	if ((err = parse_attrs(s, nf, ENTRY_ATTRS | (type == S_IFREG ? 1u << A_SIZE : 0), &at)) <
		0 ||
	    (err = num(s, a, 8, 07777, &mode)) < 0 ||
	    (err = num(s, a + 1, 10, UINT32_MAX, &uid)) < 0 ||
	    (err = num(s, a + 2, 10, UINT32_MAX, &gid)) < 0)
		return err;
	if (type == 0) { /* nod NAME MODE UID GID b|c MAJ MIN */
		if (strcmp(s->tok[5], "b") && strcmp(s->tok[5], "c"))
			return spec_err(s, -EINVAL, "device type \"%s\": want b or c", s->tok[5]);
		if ((err = num(s, 6, 10, maxmaj, &maj)) < 0 ||
		    (err = num(s, 7, 10, maxmin, &mn)) < 0)
			return err;
		type = s->tok[5][0] == 'b' ? S_IFBLK : S_IFCHR;
	}
	if (type == S_IFLNK && ((tl = strlen(s->tok[2])) == 0 || tl >= CPIO_NAME_MAX))
		return spec_err(s, -EINVAL, "link target of %zu bytes", tl);
	if ((err = entry_name(s, type == S_IFDIR, name, &raw)) < 0)
		return err;
	if ((err = define(s, name, type | mode, uid, gid, &e)) < 0) {
		free(raw);
		return err;
	}
	entry_set_wname(e, raw);
	e->m.f[CF_RDEVMAJOR] = maj;
	e->m.f[CF_RDEVMINOR] = mn;
	if (type == S_IFREG && (err = file_source(s, e, &at)) < 0)
		return err;
	if (tl) {
		if (!(e->data = malloc(tl)))
			return spec_err(s, -ENOMEM, "out of memory");
		memcpy((void *)(uintptr_t)e->data, s->tok[2], tl);
		e->m.f[CF_FILESIZE] = (uint32_t)tl;
	}
	return apply_attrs(s, e, &at);
}

/* One escape inside quotes at *pp (just past the backslash): the byte it
 * stands for, or -1 for a backslash kept as it is (any other character). */
static int unescape(const char **pp)
{
	static const char let[] = "abtnvfr\\\"", val[] = "\a\b\t\n\v\f\r\\\"";
	const char *p = *pp, *k = *p ? strchr(let, *p) : NULL;
	int v = 0, i;

	if (k) {
		*pp = p + 1;
		return (unsigned char)val[k - let];
	}
	if (p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' &&
	    p[2] <= '7') {
		*pp = p + 3;
		return (p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0');
	}
	if (p[0] == 'x' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
		for (i = 1; i <= 2; i++)
			v = v << 4 |
			    (isdigit((unsigned char)p[i]) ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
		*pp = p + 3;
		return v;
	}
	return -1;
}

/* The field at *pp, unquoted in place: "quoted parts" may hold spaces and
 * the escapes of escape.h (\\ \" \a \b \t \n \v \f \r \ooo \xHH; another
 * backslash stays as it is); the quotes go. Leaves *pp at the separator (or
 * the end) and *wend where the field's NUL goes. */
static int field(struct spec_ctx *s, char **pp, char **wend)
{
	char *p = *pp, *w = p;
	bool q = false;

	while (*p && (q || (*p != ' ' && *p != '\t' && *p != '\r'))) {
		const char *e = p + 1;
		int c;
		if (*p == '"') {
			q = !q, p++;
		} else if (q && *p == '\\' && (c = unescape(&e)) >= 0) {
			if (c == 0)
				return spec_err(s, -EINVAL, "a NUL byte (\\000) in a field");
			*w++ = (char)c;
			p += e - p;
		} else {
			*w++ = *p++;
		}
	}
	if (q)
		return spec_err(s, -EINVAL, "unterminated quote");
	*pp = p;
	*wend = w;
	return 0;
}

static int spec_line(struct spec_ctx *s, char *line, char *raw)
{
	const char *orig_rest = NULL;
	char *p = line, *w = line;
	int err;

	s->ntok = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (s->ntok == 3)
			orig_rest = raw + (p - line);
		if (s->ntok == SPEC_MAX_TOKENS) {
			if (s->edits && !strcmp(s->tok[0], "insert"))
				break;
			return spec_err(s, -EINVAL, "too many fields");
		}
		s->tok[s->ntok++] = p;
		if ((err = field(s, &p, &w)) < 0)
			return err;
		if (*p && s->ntok < SPEC_MAX_TOKENS)
			p++;
		*w = 0;
	}
	if (s->ntok == 0)
		return 0;
	if (!s->edits && !strcmp(s->tok[0], "exact"))
		return spec_exact(s);
	if (!s->edits && !strcmp(s->tok[0], "trailer"))
		return spec_trailer(s);
	if (!s->edits && !strcmp(s->tok[0], "compression"))
		return spec_compression(s);
	for (unsigned v = 0; v < sizeof(node_verbs) / sizeof(node_verbs[0]); v++)
		if (!strcmp(s->tok[0], node_verbs[v].verb))
			return spec_node(s, v);
	if (s->edits) {
		if (!strcmp(s->tok[0], "rm") || !strcmp(s->tok[0], "rmtree"))
			return spec_rm(s, s->tok[0][1] == 'm' && s->tok[0][2] == 't');
		if (!strcmp(s->tok[0], "mv"))
			return spec_mv(s);
		int r = spec_text(s);
		if (r != 1)
			return r;
		if (!strcmp(s->tok[0], "insert")) {
			size_t rl = orig_rest ? strlen(orig_rest) : 0;
			while (rl && strchr(" \t\r", orig_rest[rl - 1]))
				raw[(orig_rest - raw) + (long)--rl] = 0;
			if (rl >= 2 && orig_rest[0] == '"' && orig_rest[rl - 1] == '"') {
				raw[(orig_rest - raw) + (long)rl - 1] = 0;
				orig_rest++;
			}
			s->rest = orig_rest;
			return spec_insert(s);
		}
	}
	return spec_err(s, -EINVAL, "unknown verb \"%s\"%s", s->tok[0],
			s->edits ? ""
				 : " (file dir nod slink pipe sock exact trailer compression)");
}

/* Entries of an exact spec without ino=: numbered after the largest in use. */
static void number_new(struct ramdisk *rd)
{
	uint32_t next = 1;

	for (size_t i = 0; i < rd->n; i++)
		if (!rd->v[i].ino_auto && rd->v[i].m.f[CF_INO] >= next &&
		    rd->v[i].m.f[CF_INO] < UINT32_MAX)
			next = rd->v[i].m.f[CF_INO] + 1;
	for (size_t i = 0; i < rd->n; i++)
		if (rd->v[i].ino_auto) {
			rd->v[i].m.f[CF_INO] = next < UINT32_MAX ? next++ : next;
			rd->v[i].ino_auto = false;
		}
	rd->next_ino = next;
}

int rd_apply_spec(struct ramdisk *rd, const char *text, size_t len, const char *file,
		  const char *base, bool edits, struct diag *d)
{
	struct spec_ctx s = {.rd = rd, .file = file, .base = base, .edits = edits, .d = d};
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
		char *line = malloc(ll + 1), *raw;
		int err;
		s.line++;
		if (!line || !(raw = malloc(ll + 1))) {
			free(line);
			return diag_set(d, -ENOMEM, "out of memory");
		}
		memcpy(line, text + i, ll);
		line[ll] = 0;
		if (memchr(line, 0, ll)) {
			free(line);
			free(raw);
			return diag_set(d, -EINVAL, "%s:%d: NUL byte in the line", file, s.line);
		}
		memcpy(raw, line, ll + 1); /* insert's TEXT keeps its spaces */
		err = spec_line(&s, line, raw);
		s.rest = NULL;
		free(line);
		free(raw);
		if (err < 0)
			return err;
		i += ll + (nl ? 1 : 0);
	}
	if (rd->exact)
		number_new(rd);
	return 0;
}
