/* manifest.c - write and read the unpack manifest (format in manifest.h). */
#include "mkbootimg/manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/wrapper.h"

#define MF_FIELDS_MAX 12

static const char *const wrapper_words[] = {
    [WRAP_NONE] = "none", [WRAP_DHTB] = "dhtb",	      [WRAP_BLOB] = "blob",
    [WRAP_NOOK] = "nook", [WRAP_ACCLAIM] = "acclaim",
};

static const char *const trailer_names[] = {
    [MF_TRAILER_NONE] = "none",
    [MF_TRAILER_PAD00] = "pad00",
    [MF_TRAILER_PADFF] = "padff",
    [MF_TRAILER_DATA] = "data",
};

int manifest_set_name(char *dst, const char *name)
{
	size_t n = strlen(name);

	if (n >= MANIFEST_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, name, n + 1);
	return 0;
}

/* ---- writing ---------------------------------------------------------------------- */

static void put_file(struct strbuf *t, const struct mf_file *f)
{
	strbuf_add(t, " %s %" PRIu64 " ", f->name, f->size);
	for (unsigned i = 0; i < MANIFEST_SHA256_SIZE; i++)
		strbuf_add(t, "%02x", f->sha256[i]);
}

static void put_part(struct strbuf *t, enum bootimg_part p, const struct mf_part *mp)
{
	strbuf_add(t, "part %s", bootimg_part_name(p));
	put_file(t, &mp->data);
	if (*mp->dtb.name) {
		strbuf_add(t, " dtb");
		put_file(t, &mp->dtb);
	}
	if (*mp->mtk)
		strbuf_add(t, " mtk %s", mp->mtk);
	if (*mp->slack)
		strbuf_add(t, " slack %s", mp->slack);
	if (*mp->pad)
		strbuf_add(t, " pad %s", mp->pad);
	strbuf_add(t, "\n");
}

int manifest_format(const struct manifest *m, char **out, size_t *len)
{
	struct strbuf t = {.cap = 1024};

	if (!(t.p = malloc(t.cap)))
		return -ENOMEM;
	t.p[0] = 0;
	strbuf_add(&t, MANIFEST_MAGIC "\n");
	strbuf_add(&t, "kind %s\n", m->kind == BOOTIMG_VENDOR ? "vendor_boot" : "boot");
	strbuf_add(&t, "size %" PRIu64 "\n", m->size);
	if (*m->wrapper)
		strbuf_add(&t, "wrapper %s %s\n", m->wrapper, wrapper_words[m->wrapper_kind]);
	strbuf_add(&t, "header");
	put_file(&t, &m->header);
	strbuf_add(&t, "\n");
	if (m->has_id)
		strbuf_add(&t, "id %s %s\n", m->id_sha256 ? "sha256" : "sha1",
			   m->id_ok ? "ok" : "stale");
	for (unsigned i = 0; i < m->nparts; i++) {
		enum bootimg_part p = m->order[i];

		if (p == BP_VENDOR_RAMDISK && m->nfrag) {
			for (unsigned k = 0; k < m->nfrag; k++) {
				strbuf_add(&t, "fragment");
				put_file(&t, &m->frag[k]);
				strbuf_add(&t, "\n");
			}
		} else if (p == BP_TABLE) {
			strbuf_add(&t, "table %s", m->table);
			if (*m->table_pad)
				strbuf_add(&t, " pad %s", m->table_pad);
			strbuf_add(&t, "\n");
		} else {
			put_part(&t, p, &m->part[p]);
		}
	}
	if (m->trailer_kind != MF_TRAILER_NONE)
		strbuf_add(&t, "trailer %s %s\n", m->trailer, trailer_names[m->trailer_kind]);
	if (m->has_tree) {
		strbuf_add(&t, "tree %s", m->tree_dir);
		put_file(&t, &m->tree);
		strbuf_add(&t, "\n");
	}
	if (t.oom) {
		free(t.p);
		return -ENOMEM;
	}
	*out = t.p;
	*len = t.n;
	return 0;
}

/* ---- reading ----------------------------------------------------------------------- */

struct mf_line {
	unsigned no;
	char *f[MF_FIELDS_MAX];
	unsigned n;
	struct diag *d;
};

static int line_err(const struct mf_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int line_err(const struct mf_line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(l->d, -EINVAL, fmt, ap);
	va_end(ap);
	diag_prefix(l->d, "%u", l->no);
	return -EINVAL;
}

static int name_field(const struct mf_line *l, unsigned i, char *dst)
{
	const char *s = l->f[i];

	if (!name_is_component(s) || s[0] == '.')
		return line_err(
		    l, "\"%.64s\" is not a file name of the folder (no '/', no leading '.')", s);
	if (manifest_set_name(dst, s) < 0)
		return line_err(l, "file name \"%.64s...\" is too long", s);
	return 0;
}

static int u64_field(const struct mf_line *l, unsigned i, uint64_t *out)
{
	const char *s = l->f[i];
	uint64_t v = 0;

	if (!*s)
		return line_err(l, "empty number");
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return line_err(l, "\"%.32s\" is not a size", l->f[i]);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* FILE SIZE SHA256 at fields i..i+2 */
static int file_fields(const struct mf_line *l, unsigned i, struct mf_file *f)
{
	const char *h;
	int r;

	if (l->n < i + 3) /* before any field past l->n is looked at */
		return line_err(l, "\"%s\" wants FILE SIZE SHA256", l->f[0]);
	h = l->f[i + 2];
	if ((r = name_field(l, i, f->name)) < 0 || (r = u64_field(l, i + 1, &f->size)) < 0)
		return r;
	if (strlen(h) != 2 * MANIFEST_SHA256_SIZE)
		return line_err(l, "\"%.70s\" is not a SHA-256 (64 hex digits)", h);
	for (unsigned k = 0; k < MANIFEST_SHA256_SIZE; k++) {
		int a = hexval(h[2 * k]), b = hexval(h[2 * k + 1]);

		if (a < 0 || b < 0)
			return line_err(l, "\"%.70s\" is not a SHA-256 (64 hex digits)", h);
		f->sha256[k] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

static int part_by_name(const char *name)
{
	for (int i = 0; i < BP_COUNT; i++)
		if (!strcmp(bootimg_part_name((enum bootimg_part)i), name))
			return i;
	return -1;
}

static int note_order(struct manifest *m, enum bootimg_part p, const struct mf_line *l)
{
	for (unsigned i = 0; i < m->nparts; i++)
		if (m->order[i] == p)
			return p == BP_VENDOR_RAMDISK
				   ? 0
				   : line_err(l, "%s listed twice", bootimg_part_name(p));
	m->order[m->nparts++] = p;
	return 0;
}

static int rec_part(struct manifest *m, const struct mf_line *l)
{
	int p = l->n >= 2 ? part_by_name(l->f[1]) : -1, r;
	struct mf_part *mp;

	if (p < 0 || p == BP_TABLE)
		return line_err(l, "unknown part \"%.32s\"", l->n >= 2 ? l->f[1] : "");
	mp = &m->part[p];
	if ((r = note_order(m, (enum bootimg_part)p, l)) < 0 ||
	    (r = file_fields(l, 2, &mp->data)) < 0)
		return r;
	mp->present = true;
	for (unsigned i = 5; i < l->n; i += 2) {
		if (!strcmp(l->f[i], "dtb")) {
			if ((r = file_fields(l, i + 1, &mp->dtb)) < 0)
				return r;
			i += 2;
			continue;
		}
		char *dst = !strcmp(l->f[i], "mtk")	? mp->mtk
			    : !strcmp(l->f[i], "slack") ? mp->slack
			    : !strcmp(l->f[i], "pad")	? mp->pad
							: NULL;
		if (!dst || i + 1 >= l->n)
			return line_err(l, "\"%.32s\": want dtb, mtk, slack or pad and a file",
					l->f[i]);
		if ((r = name_field(l, i + 1, dst)) < 0)
			return r;
	}
	return 0;
}

static int rec_fragment(struct manifest *m, const struct mf_line *l)
{
	int r;

	if (m->nfrag >= VENDOR_RAMDISK_MAX_ENTRIES)
		return line_err(l, "more than %d fragments", VENDOR_RAMDISK_MAX_ENTRIES);
	if ((r = note_order(m, BP_VENDOR_RAMDISK, l)) < 0 ||
	    (r = file_fields(l, 1, &m->frag[m->nfrag])) < 0)
		return r;
	m->nfrag++;
	m->part[BP_VENDOR_RAMDISK].present = true;
	return 0;
}

static int rec_trailer(struct manifest *m, const struct mf_line *l)
{
	int r;

	if (l->n != 3)
		return line_err(l, "trailer wants FILE and pad00, padff or data");
	if ((r = name_field(l, 1, m->trailer)) < 0)
		return r;
	for (int k = MF_TRAILER_PAD00; k <= MF_TRAILER_DATA; k++)
		if (!strcmp(l->f[2], trailer_names[k])) {
			m->trailer_kind = (enum mf_trailer)k;
			return 0;
		}
	return line_err(l, "trailer kind \"%.32s\": want pad00, padff or data", l->f[2]);
}

static int rec_header(struct manifest *m, const struct mf_line *l)
{
	if (l->n == 2) /* the first format: "header header.bin" */
		return name_field(l, 1, m->header.name);
	m->header_summed = true;
	return l->n == 4 ? file_fields(l, 1, &m->header)
			 : line_err(l, "header wants FILE SIZE SHA256");
}

static int rec_wrapper(struct manifest *m, const struct mf_line *l)
{
	int r;

	if (l->n != 3)
		return line_err(l, "wrapper wants FILE and a kind");
	if ((r = name_field(l, 1, m->wrapper)) < 0)
		return r;
	for (int k = WRAP_DHTB; k <= WRAP_ACCLAIM; k++)
		if (!strcmp(l->f[2], wrapper_words[k])) {
			m->wrapper_kind = k;
			return 0;
		}
	return line_err(l, "wrapper kind \"%.32s\": want dhtb, blob, nook or acclaim", l->f[2]);
}

static int rec_line(struct manifest *m, const struct mf_line *l)
{
	const char *k = l->f[0];

	if (!strcmp(k, "wrapper"))
		return rec_wrapper(m, l);
	if (!strcmp(k, "part"))
		return rec_part(m, l);
	if (!strcmp(k, "fragment"))
		return rec_fragment(m, l);
	if (!strcmp(k, "trailer"))
		return rec_trailer(m, l);
	if (!strcmp(k, "tree") && l->n == 5) {
		int r = name_field(l, 1, m->tree_dir);
		m->has_tree = true;
		return r ? r : file_fields(l, 2, &m->tree);
	}
	if (!strcmp(k, "header"))
		return rec_header(m, l);
	if (!strcmp(k, "table") && (l->n == 2 || (l->n == 4 && !strcmp(l->f[2], "pad")))) {
		int r = note_order(m, BP_TABLE, l);

		r = r ? r : name_field(l, 1, m->table);
		return r || l->n == 2 ? r : name_field(l, 3, m->table_pad);
	}
	if (!strcmp(k, "size") && l->n == 2)
		return u64_field(l, 1, &m->size);
	if (!strcmp(k, "kind") && l->n == 2 &&
	    (!strcmp(l->f[1], "boot") || !strcmp(l->f[1], "vendor_boot"))) {
		m->kind = l->f[1][0] == 'v' ? BOOTIMG_VENDOR : BOOTIMG_BOOT;
		return 0;
	}
	if (!strcmp(k, "id") && l->n == 3 &&
	    (!strcmp(l->f[1], "sha1") || !strcmp(l->f[1], "sha256"))) {
		m->has_id = true;
		m->id_sha256 = !strcmp(l->f[1], "sha256");
		m->id_ok = !strcmp(l->f[2], "ok");
		return 0;
	}
	return line_err(l, "cannot read \"%.32s\"", k);
}

int manifest_parse(const char *text, size_t len, struct manifest *m, struct diag *d)
{
	size_t ml = strlen(MANIFEST_MAGIC), i = 0;
	struct mf_line l = {.d = d};
	char buf[MANIFEST_LINE_MAX];
	int r;

	memset(m, 0, sizeof(*m));
	m->kind = BOOTIMG_BOOT;
	if (len < ml + 1 || memcmp(text, MANIFEST_MAGIC "\n", ml + 1))
		return diag_set(d, -EINVAL, "1: not a bootimg unpack manifest (\"%s\" expected)",
				MANIFEST_MAGIC);
	if (memchr(text, 0, len))
		return diag_set(d, -EINVAL, "a NUL byte in the text");
	for (l.no = 1, i = ml + 1; i < len; i++) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;

		l.no++;
		if (ll >= sizeof(buf))
			return diag_set(d, -EINVAL, "%u: line longer than %zu bytes", l.no,
					sizeof(buf));
		memcpy(buf, text + i, ll);
		buf[ll] = 0;
		i += ll;
		l.n = 0;
		for (char *save = NULL, *w = strtok_r(buf, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			if (l.n == MF_FIELDS_MAX)
				return diag_set(d, -EINVAL, "%u: more than %d fields", l.no,
						MF_FIELDS_MAX);
			l.f[l.n++] = w;
		}
		if (l.n && (r = rec_line(m, &l)) < 0)
			return r;
	}
	if (!m->header.name[0])
		return diag_set(d, -EINVAL, "no header record");
	return 0;
}
