/* spec_write.c - a read ramdisk written out as an exact spec (see ramdisk.h),
 * and extraction with one: the porter's folder round trip. */
#include "ramdisk/ramdisk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "ramdisk/compress.h"
#include "ramdisk/rd_internal.h"

/* ---- a line, grown as needed (lib/strfmt's strbuf) --------------------------------- */

static void put_str(struct strbuf *l, const char *s)
{
	strbuf_put(l, s, strlen(s));
}

/* Bytes that a field may hold bare: printable ASCII but space, '"', '\'
 * and '#' (which would start a comment). */
static bool bare(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\' || s[i] == '#')
			return false;
	return true;
}

/* " FIELD": bare, or quoted with escape.h's escapes (the parser's). */
static void field(struct strbuf *l, const char *s, size_t n)
{
	strbuf_put(l, " ", 1);
	if (bare(s, n)) {
		strbuf_put(l, s, n);
		return;
	}
	size_t need = esc_bytes(NULL, 0, s, n, true);
	char *q = malloc(need + 1);
	if (!q) {
		l->oom = true;
		return;
	}
	esc_bytes(q, need + 1, s, n, true);
	strbuf_put(l, "\"", 1);
	strbuf_put(l, q, need);
	strbuf_put(l, "\"", 1);
	free(q);
}

static void field_str(struct strbuf *l, const char *s)
{
	field(l, s, strlen(s));
}

/* ---- what an exact spec cannot say -------------------------------------------------- */

static uint32_t byte_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

int rd_spec_check(const struct ramdisk *rd, struct diag *d)
{
	uint32_t *head = malloc((rd->n ? rd->n : 1) * sizeof(*head));
	uint32_t *carry = malloc((rd->n ? rd->n : 1) * sizeof(*carry));
	char nb[ESC_SHOW_MAX];
	int err = 0;

	if (!head || !carry || rd_link_groups(rd, head, carry) < 0) {
		err = diag_set(d, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < rd->n && !err; i++) {
		const struct rd_entry *e = &rd->v[i];
		uint32_t mode = e->m.f[CF_MODE], c = carry[head[i]];
		esc_show(nb, e->wname ? e->wname : e->name);
		if (e->src == RD_FILE)
			err =
			    diag_set(d, -EINVAL, "\"%s\": not from an archive read in memory", nb);
		else if (!rd_known_type(mode))
			err =
			    diag_set(d, -ENOTSUP,
				     "\"%s\": type 0%o is not one a kernel creates; a spec cannot "
				     "describe it",
				     nb, (unsigned)(mode & S_IFMT));
		else if (!*e->name && !S_ISDIR(mode))
			err = diag_set(d, -ENOTSUP,
				       "\"%s\": the root is not a folder; a spec cannot "
				       "describe it",
				       nb);
		else if (e->m.mixed)
			err =
			    diag_set(d, -ENOTSUP,
				     "\"%s\": its header mixes upper- and lower-case hex digits; a "
				     "spec cannot describe it",
				     nb);
		else if (S_ISREG(mode) && c != i && e->m.f[CF_FILESIZE])
			err = diag_set(d, -ENOTSUP,
				       "\"%s\": data on two names of one hard link (the other is "
				       "\"%s\"); a spec cannot describe it",
				       nb, rd->v[c].name);
	}
	for (size_t t = 0; t < rd->ntr && !err; t++)
		if (rd->tr[t].m.f[CF_FILESIZE] || rd->tr[t].m.mixed)
			err = diag_set(d, -ENOTSUP, "trailer %zu %s; a spec cannot describe it",
				       t + 1,
				       rd->tr[t].m.mixed ? "mixes upper- and lower-case hex digits"
							 : "holds data");
out:
	free(head);
	free(carry);
	return err;
}

/* ---- lines --------------------------------------------------------------------------- */

static void dev_attr(struct strbuf *l, const char *key, uint32_t maj, uint32_t min)
{
	if (maj || min)
		strbuf_add(l, " %s=%u:%u", key, (unsigned)maj, (unsigned)min);
}

/* Does the header of m hold a hex letter (so that its case shows)? */
static bool has_letters(const struct cpio_meta *m)
{
	for (unsigned i = 0; i < CPIO_FIELDS; i++)
		for (uint32_t v = m->f[i]; v; v >>= 4)
			if ((v & 15) >= 10)
				return true;
	return false;
}

/* hex= when the header's case is not the spec's (exact hex=). */
static void hex_attr(struct strbuf *l, const struct cpio_meta *m, bool lower)
{
	if (m->lower != lower && has_letters(m))
		strbuf_add(l, " hex=%s", m->lower ? "lower" : "upper");
}

/* What an entry's header holds beyond gen_init_cpio's fields. */
static void attrs(struct strbuf *l, const struct rd_entry *e, bool size0, bool lower)
{
	const uint32_t *f = e->m.f;
	uint32_t mode = f[CF_MODE];

	strbuf_add(l, " ino=%u", (unsigned)f[CF_INO]);
	if (f[CF_NLINK] != (S_ISDIR(mode) ? 2u : 1u))
		strbuf_add(l, " nlink=%u", (unsigned)f[CF_NLINK]);
	strbuf_add(l, " mtime=%u", (unsigned)f[CF_MTIME]);
	dev_attr(l, "dev", f[CF_DEVMAJOR], f[CF_DEVMINOR]);
	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		dev_attr(l, "rdev", f[CF_RDEVMAJOR], f[CF_RDEVMINOR]);
	if (mode & ~(uint32_t)(S_IFMT | 07777))
		strbuf_add(l, " mode=0%o", (unsigned)mode);
	if (size0)
		strbuf_put(l, " size=0", 7);
	if (e->m.crc)
		strbuf_put(l, " magic=070702", 13);
	if (e->m.crc ? f[CF_CHECK] != byte_sum(e->data, f[CF_FILESIZE]) : f[CF_CHECK] != 0)
		strbuf_add(l, " check=%u", (unsigned)f[CF_CHECK]);
	hex_attr(l, &e->m, lower);
}

/* LOCATION: the extracted copy, files/NAME (a hard link's data-carrying name). */
static void location(struct strbuf *l, const char *files, const char *name)
{
	size_t fl = strlen(files), nl = strlen(name);
	char *p = malloc(fl + nl + 2);

	if (!p) {
		l->oom = true;
		return;
	}
	strfmt_show(p, fl + nl + 2, "%s%s%s", files, fl && nl ? "/" : "", name); /* exact size */
	field_str(l, p);
	free(p);
}

static void entry_line(struct strbuf *l, const struct ramdisk *rd, size_t i, const char *files,
		       const uint32_t *head, const uint32_t *carry)
{
	const struct rd_entry *e = &rd->v[i], *c = &rd->v[carry[head[i]]];
	const uint32_t *f = e->m.f;
	uint32_t mode = f[CF_MODE];
	const char *name = e->wname ? e->wname : e->name;
	static const struct {
		uint32_t type;
		const char *verb;
	} verbs[] = {{S_IFREG, "file"}, {S_IFDIR, "dir"},  {S_IFLNK, "slink"}, {S_IFCHR, "nod"},
		     {S_IFBLK, "nod"},	{S_IFIFO, "pipe"}, {S_IFSOCK, "sock"}};

	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (verbs[k].type == (mode & S_IFMT))
			strbuf_put(l, verbs[k].verb, strlen(verbs[k].verb));
	field_str(l, name);
	if (S_ISREG(mode))
		location(l, files, c->name);
	else if (S_ISLNK(mode))
		field(l, (const char *)e->data, f[CF_FILESIZE]);
	strbuf_add(l, " %04o %u %u", (unsigned)(mode & 07777), (unsigned)f[CF_UID],
		   (unsigned)f[CF_GID]);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		strbuf_add(l, " %c %u %u", S_ISBLK(mode) ? 'b' : 'c', (unsigned)f[CF_RDEVMAJOR],
			   (unsigned)f[CF_RDEVMINOR]);
	attrs(l, e, S_ISREG(mode) && c != e && !f[CF_FILESIZE] && c->m.f[CF_FILESIZE],
	      rd->hex_lower);
	strbuf_put(l, "\n", 1);
}

static void trailer_line(struct strbuf *l, const struct rd_trailer *t, bool lower)
{
	static const struct {
		enum cpio_field f;
		const char *key;
	} fs[] = {{CF_INO, "ino"}, {CF_UID, "uid"}, {CF_GID, "gid"}, {CF_MTIME, "mtime"}};
	const uint32_t *f = t->m.f;

	strbuf_put(l, "trailer", 7);
	for (size_t k = 0; k < sizeof(fs) / sizeof(fs[0]); k++)
		if (f[fs[k].f])
			strbuf_add(l, " %s=%u", fs[k].key, (unsigned)f[fs[k].f]);
	if (f[CF_MODE])
		strbuf_add(l, " mode=0%o", (unsigned)f[CF_MODE]);
	if (f[CF_NLINK] != 1)
		strbuf_add(l, " nlink=%u", (unsigned)f[CF_NLINK]);
	dev_attr(l, "dev", f[CF_DEVMAJOR], f[CF_DEVMINOR]);
	dev_attr(l, "rdev", f[CF_RDEVMAJOR], f[CF_RDEVMINOR]);
	if (t->m.crc)
		strbuf_put(l, " magic=070702", 13);
	if (f[CF_CHECK])
		strbuf_add(l, " check=%u", (unsigned)f[CF_CHECK]);
	hex_attr(l, &t->m, lower);
	if (t->align512)
		strbuf_put(l, " align=512", 10);
	else
		strbuf_add(l, " pad=%llu", (unsigned long long)t->pad);
	strbuf_put(l, "\n", 1);
}

static int flush(struct strbuf *l, struct sink *out, struct diag *d)
{
	int err;

	if (l->oom)
		return diag_set(d, -ENOMEM, "out of memory");
	err = l->n ? out->write(out->ctx, l->p, l->n) : 0;
	l->n = 0;
	return err < 0 ? diag_set(d, err, "writing the spec: %s", strerror(-err)) : 0;
}

int rd_spec_write(const struct ramdisk *rd, const char *files, const char *compression,
		  const char *source, struct sink *out, struct diag *d)
{
	uint32_t *head = malloc((rd->n ? rd->n : 1) * sizeof(*head));
	uint32_t *carry = malloc((rd->n ? rd->n : 1) * sizeof(*carry));
	struct strbuf l = {0};
	size_t t = 0;
	int err;

	if ((err = rd_spec_check(rd, d)) < 0)
		goto out;
	if (!head || !carry || rd_link_groups(rd, head, carry) < 0) {
		err = diag_set(d, -ENOMEM, "out of memory");
		goto out;
	}
	put_str(&l, "# The ramdisk");
	if (source)
		field_str(&l, source);
	put_str(&l,
		" as `ramdisk extract --spec` read it: every entry in archive\n"
		"# order, gen_init_cpio's fields then KEY=VALUE for the rest of its header\n"
		"# (ramdisk(1)). `ramdisk pack --spec THIS -o OUT` writes the same archive back;\n"
		"# change the files, or owners and modes here, and only those entries change.\n"
		"exact");
	put_str(&l, rd->hex_lower ? " hex=lower\n" : "\n"); /* AOSP's mkbootfs writes lower case */
	if (compression && *compression)
		strbuf_add(&l, "compression %s\n", compression);
	for (size_t i = 0; i < rd->n && (err = flush(&l, out, d)) == 0; i++) {
		for (; t < rd->ntr && t < rd->v[i].arch; t++)
			trailer_line(&l, &rd->tr[t], rd->hex_lower);
		entry_line(&l, rd, i, files, head, carry);
	}
	for (; err == 0 && t < rd->ntr; t++)
		trailer_line(&l, &rd->tr[t], rd->hex_lower);
	if (err == 0)
		err = flush(&l, out, d);
out:
	free(l.p);
	free(head);
	free(carry);
	return err;
}

/* ---- extraction with a spec ------------------------------------------------------------ */

/* to as a path relative to the folder from (both existing): "a/b", "../x",
 * "" for the folder itself. */
static int rel_path(const char *from, const char *to, char *out, size_t cap, struct diag *d)
{
	char a[PATH_MAX + 1], b[PATH_MAX + 1];
	size_t i, last = 0, o = 0, rl;

	if (!realpath(from, a))
		return diag_set(d, -errno, "%s: %s", from, strerror(errno));
	if (!realpath(to, b))
		return diag_set(d, -errno, "%s: %s", to, strerror(errno));
	if (strcmp(a, "/"))
		strcat(a, "/"); /* both end in '/': components compare whole */
	if (strcmp(b, "/"))
		strcat(b, "/");
	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			last = i;
	for (i = last + 1; a[i]; i++) /* one ".." per component of from past them */
		if (a[i] == '/') {
			if (o + 3 >= cap)
				return diag_set(d, -ENAMETOOLONG, "%s: path too long", to);
			memcpy(out + o, "../", 3);
			o += 3;
		}
	rl = strlen(b + last + 1);
	if (o + rl + 1 > cap)
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", to);
	memcpy(out + o, b + last + 1, rl + 1);
	o += rl;
	if (o && out[o - 1] == '/')
		out[--o] = 0;
	return 0;
}

int rd_extract_spec(const struct ramdisk *rd, const char *dir, const char *spec,
		    const char *compression, const char *source, int in_fd,
		    const struct rd_extract_opts *o, struct rd_extract_stats *st, struct diag *d)
{
	char files[PATH_MAX], *specdir = strdup(spec), *slash;
	struct outfile of;
	struct fd_sink fs;
	int err;

	if (!specdir)
		return diag_set(d, -ENOMEM, "out of memory");
	slash = strrchr(specdir, '/');
	if (slash == specdir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	if ((err = rd_spec_check(rd, d)) < 0)
		goto out;
	if (access(slash ? specdir : ".", W_OK) < 0) { /* found out before extracting */
		err = diag_set(d, -errno, "%s: its folder: %s", spec, strerror(errno));
		goto out;
	}
	if ((err = rd_extract(rd, dir, o, st, d)) < 0 ||
	    (err = rel_path(slash ? specdir : ".", dir, files, sizeof(files), d)) < 0)
		goto out;
	if ((err = outfile_open(&of, spec, &in_fd, in_fd >= 0, d)) < 0) {
		diag_prefix(d, "%s", spec);
		goto out;
	}
	fd_sink_init(&fs, of.fd);
	if ((err = rd_spec_write(rd, files, compression, source, &fs.s, d)) < 0)
		outfile_abort(&of);
	else
		err = outfile_commit(&of, d);
out:
	free(specdir);
	return err;
}

int rd_apply_spec_file(struct ramdisk *rd, const char *path, bool edits, struct diag *d)
{
	uint8_t *text;
	size_t len;
	char *base = strdup(path), *slash;
	int err;

	if (!base)
		return diag_set(d, -ENOMEM, "out of memory");
	slash = strrchr(base, '/');
	if (slash == base)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	if ((err = file_read_small(path, 64u << 20, &text, &len, d)) < 0) {
		diag_prefix(d, "%s", path);
	} else {
		err =
		    rd_apply_spec(rd, (const char *)text, len, path, slash ? base : ".", edits, d);
		free(text);
	}
	free(base);
	return err;
}

int rd_build_spec(struct ramdisk *rd, const char *spec, struct diag *d)
{
	int err = rd_apply_spec_file(rd, spec, false, d);

	if (err == 0 && !rd->exact && (err = rd_sort(rd)) < 0)
		diag_set(d, err, "out of memory");
	return err;
}
