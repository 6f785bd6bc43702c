/* bootimg diff A B: what differs between two boot images, in the terms a
 * porter needs: header fields (command line, addresses, name...), MediaTek
 * headers, pre-headers and trailers, the kernel (payload, version string,
 * embedded config option by option), the device trees (each one's model and
 * compatible), and the ramdisk entry by entry (added, removed, changed, with
 * a unified diff for text files such as init*.rc, fstab, .kl, .idc). Text,
 * or one JSON object with --json. */
#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/bytes.h"
#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "lib/textdiff.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/verbs.h"
#include "ramdisk/compress.h"
#include "ramdisk/ramdisk.h"

#define DIFF_DTB_MAX	 16
#define DIFF_RAMDISK_CAP (512u << 20)
#define SHA_HEX_MAX	 65  /* a SHA-256 in hex digits */
#define CONFIG_NAME_MAX	 129 /* a config option's name compared, at most 128 bytes */

struct side {
	const char *path;
	struct image im;
	struct ramdisk rd;
	bool rd_ok;
	char rd_why[DIAG_MSG_MAX];
	enum comp comp;
	uint8_t *dtb[DIFF_DTB_MAX]; /* each device tree, malloc'ed */
	size_t dtb_len[DIFF_DTB_MAX];
	unsigned ndtb;
};

/* ---- output: text lines or one JSON object, one "section" array at a time ----------- */

struct out {
	bool json;
	bool first_section, first_item;
	unsigned count; /* differences */
	uint64_t work;	/* search steps left for the text diffs of the whole run */
};

/* The text diffs of one run take at most this many search steps (a few
 * hundred ms); past that, each changed text file gets its summary line. */
#define DIFF_TEXT_WORK (128u << 20)

static void section(struct out *o, const char *name)
{
	if (o->json) {
		printf("%s\"%s\":[", o->first_section ? "" : "],", name);
		o->first_section = false;
		o->first_item = true;
	}
}

/* Text from an image (a name, a command line, a ramdisk entry's name, a DT
 * model) for the terminal: escaped (escape.h), so no control byte of it
 * reaches the terminal and a newline cannot forge a line. */
static void put_esc(const char *s)
{
	char buf[8];

	for (; *s; s++) {
		esc_bytes(buf, sizeof(buf), s, 1, false);
		fputs(buf, stdout);
	}
}

/* One side: quoted, or "(none)" when absent. */
static void text_side(const char *s)
{
	if (!s) {
		fputs("(none)", stdout);
		return;
	}
	putchar('"');
	put_esc(s);
	putchar('"');
}

/* A difference: what, then a and b as text (NULL: absent on that side). */
static void item(struct out *o, const char *what, const char *a, const char *b)
{
	o->count++;
	if (!o->json) {
		put_esc(what);
		fputs(": ", stdout);
		text_side(a);
		fputs(" -> ", stdout);
		text_side(b);
		putchar('\n');
		return;
	}
	printf("%s{\"what\":", o->first_item ? "" : ",");
	o->first_item = false;
	json_str((const uint8_t *)what, strlen(what));
	printf(",\"a\":");
	if (a)
		json_str((const uint8_t *)a, strlen(a));
	else
		printf("null");
	printf(",\"b\":");
	if (b)
		json_str((const uint8_t *)b, strlen(b));
	else
		printf("null");
	printf("}");
}

/* A text file's unified diff, under the last item (JSON: its own item). */
static void text_patch(struct out *o, const char *name, const char *patch)
{
	if (!o->json) {
		fputs(patch, stdout);
		return;
	}
	printf(",{\"what\":");
	json_str((const uint8_t *)name, strlen(name));
	printf(",\"diff\":");
	json_str((const uint8_t *)patch, strlen(patch) + 1);
	printf("}");
}

/* ---- loading both sides ------------------------------------------------------------ */

static void load_ramdisk(struct side *s)
{
	const struct image_part *p = &s->im.part[BP_RAMDISK];
	uint8_t *in = NULL, *out = NULL;
	size_t outlen;
	const char *what;
	struct diag d;

	rd_init(&s->rd, 0);
	if (!p->s || !p->data_len)
		return (void)strfmt_show(s->rd_why, sizeof(s->rd_why), "no ramdisk");
	if (p->data_len > DIFF_RAMDISK_CAP || !(in = malloc(p->data_len)) ||
	    read_at(s->im.fd, in, p->data_len, p->data_off)) {
		free(in);
		return (void)strfmt_show(s->rd_why, sizeof(s->rd_why), "unreadable");
	}
	s->comp = comp_detect(in, p->data_len, &what);
	if (s->comp == COMP_UNKNOWN) {
		strfmt_show(s->rd_why, sizeof(s->rd_why), "%s", what ? what : "not a ramdisk");
	} else if (decompress_all(s->comp, in, p->data_len, DIFF_RAMDISK_CAP, &out, &outlen, &d) <
		   0) {
		strfmt_show(s->rd_why, sizeof(s->rd_why), "%s", d.msg);
	} else if (rd_load_archive(&s->rd, out, outlen, &d) < 0) {
		strfmt_show(s->rd_why, sizeof(s->rd_why), "%s", d.msg);
	} else {
		s->rd_ok = true;
	}
	free(in);
}

/* Device trees: the dtb section's and those appended to the kernel, each blob. */
static void add_dtbs(struct side *s, uint64_t off, uint64_t len)
{
	while (len >= FDT_MIN_SIZE && s->ndtb < DIFF_DTB_MAX) {
		uint8_t h[8];
		uint32_t ts;

		if (read_at(s->im.fd, h, sizeof(h), off) || get_be32(h) != FDT_MAGIC)
			return;
		ts = get_be32(h + 4);
		if (ts < FDT_MIN_SIZE || ts > len || !(s->dtb[s->ndtb] = malloc(ts)) ||
		    read_at(s->im.fd, s->dtb[s->ndtb], ts, off))
			return;
		s->dtb_len[s->ndtb++] = ts;
		off += ts;
		len -= ts;
	}
}

static void load_side(struct side *s, const char *path)
{
	const struct image_part *k, *t;

	memset(s, 0, sizeof(*s));
	s->path = path;
	image_load_flags_or_die(&s->im, path, IMAGE_KERNEL | IMAGE_NO_ID);
	for (unsigned i = 0; i < s->im.nwarn; i++)
		warnmsg("%s: %s", path, s->im.warn[i]);
	load_ramdisk(s);
	t = &s->im.part[BP_DTB];
	if (t->s)
		add_dtbs(s, t->data_off, t->data_len);
	k = &s->im.part[BP_KERNEL];
	if (k->s && k->appended_dtbs)
		add_dtbs(s, k->data_off + k->appended_dtb_at, k->data_len - k->appended_dtb_at);
}

static void free_side(struct side *s)
{
	for (unsigned i = 0; i < s->ndtb; i++)
		free(s->dtb[i]);
	rd_free(&s->rd);
	image_free(&s->im);
}

/* ---- header, MTK, pre-header, trailer ---------------------------------------------- */

static void field_text(const struct field *f, char *out, size_t cap)
{
	switch (f->kind) {
	case F_DEC: strfmt_show(out, cap, "%" PRIu64, f->v); break;
	case F_HEX: strfmt_show(out, cap, "0x%08" PRIx64, f->v); break;
	case F_OSVER: os_string((uint32_t)f->v, out, cap); break;
	case F_STR:
		strfmt_show(out, cap, "%.*s", (int)strnlen((const char *)f->s, f->max),
			    (const char *)f->s);
		break;
	}
}

static void diff_header(struct out *o, const struct side *a, const struct side *b)
{
	struct field fa[FIELDS_MAX], fb[FIELDS_MAX];
	unsigned na = header_fields(&a->im.img, fa), nb = header_fields(&b->im.img, fb);
	char ca[BOOTIMG_CMDLINE_MAX], cb[BOOTIMG_CMDLINE_MAX];

	section(o, "header");
	if (a->im.img.kind != b->im.img.kind)
		item(o, "kind", a->im.img.kind == BOOTIMG_BOOT ? "boot" : "vendor_boot",
		     b->im.img.kind == BOOTIMG_BOOT ? "boot" : "vendor_boot");
	for (unsigned i = 0; i < na; i++) {
		char va[FIELD_TEXT_MAX], vb[FIELD_TEXT_MAX];
		unsigned j;

		for (j = 0; j < nb && strcmp(fa[i].name, fb[j].name); j++)
			;
		if (!strcmp(fa[i].name, "cmdline") || !strcmp(fa[i].name, "extra_cmdline"))
			continue; /* compared whole, below */
		field_text(&fa[i], va, sizeof(va));
		if (j == nb) {
			item(o, fa[i].name, va, NULL);
			continue;
		}
		field_text(&fb[j], vb, sizeof(vb));
		if (strcmp(va, vb))
			item(o, fa[i].name, va, vb);
	}
	bootimg_get_cmdline(&a->im.img, ca, sizeof(ca));
	bootimg_get_cmdline(&b->im.img, cb, sizeof(cb));
	if (strcmp(ca, cb))
		item(o, "cmdline", ca, cb);
}

/* What follows the image, by kind, padding left out ("SEANDROIDENFORCE, AVB footer"). */
static void trailer_summary(const struct trailer *t, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = 0;
	for (unsigned i = 0; i < t->n; i++) {
		if (t->item[i].kind == TR_ZERO || t->item[i].kind == TR_FF)
			continue;
		strfmt_show_add(out, cap, &n, "%s%s", n ? ", " : "",
				trailer_kind_name(t->item[i].kind));
	}
}

static void diff_wrapping(struct out *o, const struct side *a, const struct side *b)
{
	static const enum bootimg_part parts[] = {BP_KERNEL, BP_RAMDISK};

	section(o, "wrapping");
	if (a->im.wrap.kind != b->im.wrap.kind)
		item(o, "pre-header", a->im.wrap.kind ? wrapper_name(a->im.wrap.kind) : NULL,
		     b->im.wrap.kind ? wrapper_name(b->im.wrap.kind) : NULL);
	for (unsigned i = 0; i < 2; i++) {
		const struct image_part *pa = &a->im.part[parts[i]], *pb = &b->im.part[parts[i]];
		char w[LABEL_MAX];

		strfmt_show(w, sizeof(w), "%s MTK header", bootimg_part_name(parts[i]));
		if (pa->has_mtk != pb->has_mtk ||
		    (pa->has_mtk && strcmp(pa->mtk.name, pb->mtk.name)))
			item(o, w, pa->has_mtk ? pa->mtk.name : NULL,
			     pb->has_mtk ? pb->mtk.name : NULL);
	}
	char ta[SHOW_MAX], tb[SHOW_MAX];

	trailer_summary(&a->im.tr, ta, sizeof(ta));
	trailer_summary(&b->im.tr, tb, sizeof(tb));
	if (strcmp(ta, tb))
		item(o, "after the image", *ta ? ta : NULL, *tb ? tb : NULL);
}

/* ---- kernel and config ---------------------------------------------------------------- */

static void sha_hex(const struct side *s, enum bootimg_part part, char hex[SHA_HEX_MAX])
{
	static const char digit[] = "0123456789abcdef";
	const struct image_part *p = &s->im.part[part];
	uint8_t sha[32];

	hex[0] = 0;
	if (!p->s || sha256_range(s->im.fd, p->data_off, p->data_len, sha) < 0)
		return;
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digit[sha[i] >> 4];
		hex[2 * i + 1] = digit[sha[i] & 15];
	}
	hex[64] = 0;
}

/* "CONFIG_X=value" and "# CONFIG_X is not set" lines: the value of X, or NULL. */
static const char *config_value(const char *cfg, size_t n, const char *name, size_t nl, size_t *vl)
{
	for (size_t i = 0; i < n;) {
		const char *l = cfg + i, *e = memchr(l, '\n', n - i);
		size_t ll = e ? (size_t)(e - l) : n - i;

		i += ll + 1;
		if (ll > nl && !memcmp(l, name, nl) && l[nl] == '=') {
			*vl = ll - nl - 1;
			return l + nl + 1;
		}
		if (ll == nl + 13 && !memcmp(l, "# ", 2) && !memcmp(l + 2, name, nl) &&
		    !memcmp(l + 2 + nl, " is not set", 11)) {
			*vl = 1;
			return "n";
		}
	}
	return NULL;
}

/* Each option of one config, against the other (both directions: added on one side). */
static void config_side(struct out *o, const char *x, size_t xn, const char *y, size_t yn,
			bool x_is_a)
{
	for (size_t i = 0; i < xn;) {
		const char *l = x + i, *e = memchr(l, '\n', xn - i), *name = l, *v, *w;
		size_t ll = e ? (size_t)(e - l) : xn - i, nl, vl = 0, wl = 0;
		char nm[CONFIG_NAME_MAX], sv[SHOW_MAX], sw[SHOW_MAX];

		i += ll + 1;
		if (ll > 2 && !memcmp(l, "# CONFIG_", 9))
			name = l + 2;
		else if (ll < 7 || memcmp(l, "CONFIG_", 7))
			continue;
		nl = strcspn(name, "= \n");
		if (strfmt(nm, sizeof(nm), "%.*s", (int)nl, name) < 0)
			continue; /* longer than any option's name */
		v = config_value(x, xn, name, nl, &vl);
		w = config_value(y, yn, name, nl, &wl);
		if (!v || (w && x_is_a && vl == wl && !memcmp(v, w, vl)) || (w && !x_is_a))
			continue; /* same, or seen from a's side already */
		strfmt_show(sv, sizeof(sv), "%.*s", (int)vl, v);
		if (w)
			strfmt_show(sw, sizeof(sw), "%.*s", (int)wl, w);
		item(o, nm, x_is_a ? sv : (w ? sw : NULL), x_is_a ? (w ? sw : NULL) : sv);
	}
}

static void diff_kernel(struct out *o, const struct side *a, const struct side *b)
{
	const struct kernel_info *ka = &a->im.kernel, *kb = &b->im.kernel;
	char ha[SHA_HEX_MAX], hb[SHA_HEX_MAX];

	section(o, "kernel");
	sha_hex(a, BP_KERNEL, ha);
	sha_hex(b, BP_KERNEL, hb);
	if (strcmp(ha, hb)) {
		char sa[SHOW_MAX], sb[SHOW_MAX];

		strfmt_show(sa, sizeof(sa), "%" PRIu64 " bytes, sha256 %.16s...",
			    a->im.part[BP_KERNEL].data_len, ha);
		strfmt_show(sb, sizeof(sb), "%" PRIu64 " bytes, sha256 %.16s...",
			    b->im.part[BP_KERNEL].data_len, hb);
		item(o, "kernel bytes", sa, sb);
	}
	if (strcmp(ka->version, kb->version))
		item(o, "version", ka->version[0] ? ka->version : NULL,
		     kb->version[0] ? kb->version : NULL);
	if (ka->inner != kb->inner)
		item(o, "payload", payload_fmt_name(ka->inner), payload_fmt_name(kb->inner));
	section(o, "config");
	if (a->im.kconfig && b->im.kconfig) {
		config_side(o, (const char *)a->im.kconfig, a->im.kconfig_len,
			    (const char *)b->im.kconfig, b->im.kconfig_len, true);
		config_side(o, (const char *)b->im.kconfig, b->im.kconfig_len,
			    (const char *)a->im.kconfig, a->im.kconfig_len, false);
	} else if (a->im.kconfig || b->im.kconfig) {
		item(o, "embedded config", a->im.kconfig ? "present" : NULL,
		     b->im.kconfig ? "present" : NULL);
	}
}

/* ---- device trees ------------------------------------------------------------------------- */

static void dtb_desc(const uint8_t *t, size_t n, char *out, size_t cap)
{
	const char *model, *compat;
	int ml = 0, cl = 0;

	if (fdt_check_full(t, n) != 0) {
		strfmt_show(out, cap, "%zu bytes, not a valid FDT", n);
		return;
	}
	model = fdt_getprop(t, 0, "model", &ml);
	compat = fdt_getprop(t, 0, "compatible", &cl);
	strfmt_show(out, cap, "%zu bytes, model \"%.*s\", compatible \"%.*s\"", n,
		    model && ml > 0 ? (int)strnlen(model, (size_t)ml) : 0, model ? model : "",
		    compat && cl > 0 ? (int)strnlen(compat, (size_t)cl) : 0, compat ? compat : "");
}

static void diff_dtbs(struct out *o, const struct side *a, const struct side *b)
{
	section(o, "dtb");
	for (unsigned i = 0; i < a->ndtb || i < b->ndtb; i++) {
		char da[SHOW_MAX], db[SHOW_MAX], w[LABEL_MAX];

		strfmt_show(w, sizeof(w), "dtb %u", i);
		if (i < a->ndtb)
			dtb_desc(a->dtb[i], a->dtb_len[i], da, sizeof(da));
		if (i < b->ndtb)
			dtb_desc(b->dtb[i], b->dtb_len[i], db, sizeof(db));
		if (i >= a->ndtb || i >= b->ndtb || a->dtb_len[i] != b->dtb_len[i] ||
		    memcmp(a->dtb[i], b->dtb[i], a->dtb_len[i]))
			item(o, w, i < a->ndtb ? da : NULL, i < b->ndtb ? db : NULL);
	}
}

/* ---- ramdisk ----------------------------------------------------------------------------- */

static void entry_desc(const struct rd_entry *e, char *out, size_t cap)
{
	char mode[11];

	cpio_mode_string(e->m.f[CF_MODE], mode);
	strfmt_show(out, cap, "%s %u/%u %" PRIu64 " bytes", mode, e->m.f[CF_UID], e->m.f[CF_GID],
		    rd_entry_size(e));
}

static void diff_entry(struct out *o, const struct rd_entry *x, const struct rd_entry *y)
{
	uint32_t mx = x->m.f[CF_MODE], my = y->m.f[CF_MODE];
	size_t nx = rd_entry_size(x), ny = rd_entry_size(y);
	bool data_same = nx == ny && (!nx || !memcmp(x->data, y->data, nx));
	char dx[SHOW_MAX], dy[SHOW_MAX], *patch = NULL;

	if (mx == my && x->m.f[CF_UID] == y->m.f[CF_UID] && x->m.f[CF_GID] == y->m.f[CF_GID] &&
	    data_same)
		return;
	entry_desc(x, dx, sizeof(dx));
	entry_desc(y, dy, sizeof(dy));
	if (data_same || !S_ISREG(mx) || !S_ISREG(my)) {
		item(o, x->name, dx, dy);
		return;
	}
	item(o, x->name, dx, dy);
	if (textdiff_is_text((const char *)x->data, nx) &&
	    textdiff_is_text((const char *)y->data, ny)) {
		char la[CPIO_NAME_MAX + 2], lb[CPIO_NAME_MAX + 2]; /* "a/" and a name */
		strfmt_show(la, sizeof(la), "a/%s", x->name);
		strfmt_show(lb, sizeof(lb), "b/%s", y->name);
		int r = textdiff_unified((const char *)x->data, nx, (const char *)y->data, ny, la,
					 lb, &o->work, &patch);
		char sum[SHOW_MAX], line[SHOW_MAX + 64];
		if (r == 0 && patch && *patch) {
			text_patch(o, x->name, patch);
		} else if (r == -E2BIG) { /* a summary: bounded time, whatever the files */
			textdiff_summary((const char *)x->data, nx, (const char *)y->data, ny, sum,
					 sizeof(sum));
			strfmt_show(line, sizeof(line),
				    "(text files too different to show line by line: %s)\n", sum);
			text_patch(o, x->name, line);
		}
		free(patch);
	}
}

static void diff_ramdisk(struct out *o, const struct side *a, const struct side *b)
{
	section(o, "ramdisk");
	if (!a->rd_ok || !b->rd_ok) {
		if (a->rd_ok || b->rd_ok || strcmp(a->rd_why, b->rd_why))
			item(o, "ramdisk", a->rd_ok ? "read" : a->rd_why,
			     b->rd_ok ? "read" : b->rd_why);
		return;
	}
	if (a->comp != b->comp)
		item(o, "ramdisk compression", comp_name(a->comp), comp_name(b->comp));
	for (size_t i = 0; i < a->rd.n; i++) {
		const struct rd_entry *x = &a->rd.v[i];
		long j = rd_find(&b->rd, x->name);
		char dx[SHOW_MAX];

		if (j < 0) {
			entry_desc(x, dx, sizeof(dx));
			item(o, *x->name ? x->name : ".", dx, NULL);
		} else {
			diff_entry(o, x, &b->rd.v[j]);
		}
	}
	for (size_t j = 0; j < b->rd.n; j++) {
		const struct rd_entry *y = &b->rd.v[j];
		char dy[SHOW_MAX];

		if (rd_find(&a->rd, y->name) < 0) {
			entry_desc(y, dy, sizeof(dy));
			item(o, *y->name ? y->name : ".", NULL, dy);
		}
	}
}

static void diff_avb(struct out *o, const struct side *a, const struct side *b)
{
	const struct avb_vbmeta *va = &a->im.avb.vb, *vb = &b->im.avb.vb;

	section(o, "avb");
	if (a->im.avb_loaded != b->im.avb_loaded) {
		item(o, "AVB", a->im.avb_loaded ? "present" : NULL,
		     b->im.avb_loaded ? "present" : NULL);
		return;
	}
	if (!a->im.avb_loaded)
		return;
	if (va->alg != vb->alg)
		item(o, "AVB algorithm", va->alg ? va->alg->name : "unknown",
		     vb->alg ? vb->alg->name : "unknown");
	if (va->h.rollback_index != vb->h.rollback_index) {
		char ra[NUM_TEXT_MAX], rb[NUM_TEXT_MAX];

		strfmt_show(ra, sizeof(ra), "%" PRIu64, va->h.rollback_index);
		strfmt_show(rb, sizeof(rb), "%" PRIu64, vb->h.rollback_index);
		item(o, "AVB rollback index", ra, rb);
	}
}

static const char diff_usage[] = "usage: bootimg diff A B [--json]\n";

int cmd_bootimg_diff(int argc, char **argv)
{
	enum { D_ARG, D_JSON, D_HELP };
	static const struct opt opts[] = {
	    {"json", 0, false, D_JSON}, {"help", 'h', false, D_HELP}, {0}};
	struct out o = {.first_section = true, .work = DIFF_TEXT_WORK};
	const char *path[2] = {NULL, NULL};
	struct side *s = calloc(2, sizeof(*s));
	struct opt_state st;
	unsigned n = 0;
	int id;

	if (!s)
		die(EXIT_BAD, "out of memory");
	opt_begin(&st, argc, argv, opts);
	while ((id = opt_next(&st)) >= 0) {
		if (id == D_HELP)
			return fputs(diff_usage, stdout), 0;
		if (id == D_JSON)
			o.json = true;
		else if (n < 2)
			path[n++] = st.arg;
		else
			die(EXIT_USAGE, "%s", diff_usage);
	}
	if (n != 2)
		die(EXIT_USAGE, "%s", diff_usage);
	load_side(&s[0], path[0]);
	load_side(&s[1], path[1]);
	if (o.json) {
		printf("{\"a\":");
		json_str((const uint8_t *)path[0], strlen(path[0]));
		printf(",\"b\":");
		json_str((const uint8_t *)path[1], strlen(path[1]));
		printf(",");
	}
	diff_header(&o, &s[0], &s[1]);
	diff_wrapping(&o, &s[0], &s[1]);
	diff_kernel(&o, &s[0], &s[1]);
	diff_dtbs(&o, &s[0], &s[1]);
	diff_ramdisk(&o, &s[0], &s[1]);
	diff_avb(&o, &s[0], &s[1]);
	if (o.json)
		printf("],\"differences\":%u}\n", o.count);
	else
		printf("%s and %s: %u difference%s\n", path[0], path[1], o.count,
		       o.count == 1 ? "" : "s");
	free_side(&s[0]);
	free_side(&s[1]);
	free(s);
	return 0;
}
