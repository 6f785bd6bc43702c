/* bootimg info: every header field with its offset, a layout map, MediaTek
 * headers, payload formats, the id check and the trailer; as text or JSON.
 * Both renderings walk the same field list. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/bytes.h"
#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/strfmt.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/verbs.h"

#define NUM(n, o, k, val) ((struct field){(n), (o), (k), (val), NULL, 0})
#define STR(n, o, p, m)	  ((struct field){(n), (o), F_STR, 0, (p), (m)})

static unsigned boot_fields(const struct bootimg *g, struct field *f)
{
	unsigned n = 0;

	if (g->version >= 3) {
		f[n++] = NUM("kernel_size", B3OFF_KERNEL_SIZE, F_DEC, g->kernel_size);
		f[n++] = NUM("ramdisk_size", B3OFF_RAMDISK_SIZE, F_DEC, g->ramdisk_size);
		f[n++] = NUM("os_version", B3OFF_OS_VERSION, F_OSVER, g->os_version);
		f[n++] = NUM("header_size", B3OFF_HEADER_SIZE, F_DEC, g->header_size);
		f[n++] = NUM("header_version", B3OFF_HEADER_VERSION, F_DEC, g->version_field);
		f[n++] = STR("cmdline", B3OFF_CMDLINE, g->cmdline, BOOT_V3_ARGS_SIZE);
		if (g->version == 4)
			f[n++] =
			    NUM("signature_size", B3OFF_SIGNATURE_SIZE, F_DEC, g->signature_size);
		return n;
	}
	f[n++] = NUM("kernel_size", BOFF_KERNEL_SIZE, F_DEC, g->kernel_size);
	f[n++] = NUM("kernel_addr", BOFF_KERNEL_ADDR, F_HEX, g->kernel_addr);
	f[n++] = NUM("ramdisk_size", BOFF_RAMDISK_SIZE, F_DEC, g->ramdisk_size);
	f[n++] = NUM("ramdisk_addr", BOFF_RAMDISK_ADDR, F_HEX, g->ramdisk_addr);
	f[n++] = NUM("second_size", BOFF_SECOND_SIZE, F_DEC, g->second_size);
	f[n++] = NUM("second_addr", BOFF_SECOND_ADDR, F_HEX, g->second_addr);
	f[n++] = NUM("tags_addr", BOFF_TAGS_ADDR, F_HEX, g->tags_addr);
	f[n++] = NUM("page_size", BOFF_PAGE_SIZE, F_DEC, g->page_size);
	f[n++] = NUM("header_version", BOFF_HEADER_VERSION, F_HEX, g->version_field);
	f[n++] = NUM("os_version", BOFF_OS_VERSION, F_OSVER, g->os_version);
	f[n++] = STR("name", BOFF_NAME, g->name, BOOT_NAME_SIZE);
	f[n++] = STR("cmdline", BOFF_CMDLINE, g->cmdline, BOOT_ARGS_SIZE);
	f[n++] = STR("extra_cmdline", BOFF_EXTRA_CMDLINE, g->extra_cmdline, BOOT_EXTRA_ARGS_SIZE);
	if (g->version >= 1) {
		f[n++] = NUM("recovery_dtbo_size", BOFF_RECOVERY_DTBO_SIZE, F_DEC,
			     g->recovery_dtbo_size);
		f[n++] = NUM("recovery_dtbo_offset", BOFF_RECOVERY_DTBO_OFFSET, F_HEX,
			     g->recovery_dtbo_offset);
		f[n++] = NUM("header_size", BOFF_HEADER_SIZE, F_DEC, g->header_size);
	}
	if (g->version == 2) {
		f[n++] = NUM("dtb_size", BOFF_DTB_SIZE, F_DEC, g->dtb_size);
		f[n++] = NUM("dtb_addr", BOFF_DTB_ADDR, F_HEX, g->dtb_addr);
	}
	return n;
}

static unsigned vendor_fields(const struct bootimg *g, struct field *f)
{
	unsigned n = 0;

	f[n++] = NUM("header_version", VOFF_HEADER_VERSION, F_DEC, g->version_field);
	f[n++] = NUM("page_size", VOFF_PAGE_SIZE, F_DEC, g->page_size);
	f[n++] = NUM("kernel_addr", VOFF_KERNEL_ADDR, F_HEX, g->kernel_addr);
	f[n++] = NUM("ramdisk_addr", VOFF_RAMDISK_ADDR, F_HEX, g->ramdisk_addr);
	f[n++] =
	    NUM("vendor_ramdisk_size", VOFF_VENDOR_RAMDISK_SIZE, F_DEC, g->vendor_ramdisk_size);
	f[n++] = STR("cmdline", VOFF_CMDLINE, g->cmdline, VENDOR_BOOT_ARGS_SIZE);
	f[n++] = NUM("tags_addr", VOFF_TAGS_ADDR, F_HEX, g->tags_addr);
	f[n++] = STR("name", VOFF_NAME, g->name, BOOT_NAME_SIZE);
	f[n++] = NUM("header_size", VOFF_HEADER_SIZE, F_DEC, g->header_size);
	f[n++] = NUM("dtb_size", VOFF_DTB_SIZE, F_DEC, g->dtb_size);
	f[n++] = NUM("dtb_addr", VOFF_DTB_ADDR, F_HEX, g->dtb_addr);
	if (g->version >= 4) {
		f[n++] = NUM("vendor_ramdisk_table_size", VOFF_TABLE_SIZE, F_DEC, g->table_size);
		f[n++] = NUM("vendor_ramdisk_table_entry_num", VOFF_TABLE_ENTRY_NUM, F_DEC,
			     g->table_entry_num);
		f[n++] = NUM("vendor_ramdisk_table_entry_size", VOFF_TABLE_ENTRY_SIZE, F_DEC,
			     g->table_entry_size);
		f[n++] = NUM("bootconfig_size", VOFF_BOOTCONFIG_SIZE, F_DEC, g->bootconfig_size);
	}
	return n;
}

unsigned header_fields(const struct bootimg *g, struct field *f)
{
	return g->kind == BOOTIMG_BOOT ? boot_fields(g, f) : vendor_fields(g, f);
}

void os_string(uint32_t raw, char *out, size_t cap)
{
	unsigned a, b, c, y, m;

	bootimg_os_version_split(raw, &a, &b, &c, &y, &m);
	if (!raw)
		strfmt_show(out, cap, "none");
	else
		strfmt_show(out, cap, "%u.%u.%u, patch level %04u-%02u", a, b, c, y, m);
}

/* ---- JSON helpers -------------------------------------------------------------- */

void json_str(const uint8_t *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			printf("\\u%04x", s[i]);
		else
			putchar(s[i]);
	}
	putchar('"');
}

/* A string from an image (a name, a command line) for a terminal: quoted, C
 * escapes for controls and bytes past ASCII (escape.h), up to a NUL or n. */
void text_str(const uint8_t *s, size_t n)
{
	char buf[8];

	putchar('"');
	for (size_t i = 0; i < n && s[i]; i++) {
		esc_bytes(buf, sizeof(buf), s + i, 1, true);
		fputs(buf, stdout);
	}
	putchar('"');
}

static void hex_id(const uint8_t *id)
{
	printf("0x");
	for (unsigned i = 0; i < BOOT_ID_SIZE; i++)
		printf("%02x", id[i]);
}

/* ---- payload description ---------------------------------------------------------- */

static void describe(const struct image_part *p, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = 0;
	if (p->has_mtk) {
		char name[MTK_NAME_SIZE * 4 + 1];

		esc_bytes(name, sizeof(name), p->mtk.name, strlen(p->mtk.name), true);
		strfmt_show_add(out, cap, &n, "MTK \"%s\" dsize %" PRIu32 " + ", name,
				p->mtk.dsize);
	}
	if (p->shim_len)
		strfmt_show_add(out, cap, &n, "bootkit shim (%" PRIu32 " bytes) + ", p->shim_len);
	strfmt_show_add(out, cap, &n, "%s", payload_fmt_name(p->fmt));
	if (p->inner != PF_UNKNOWN && p->inner != PF_EMPTY)
		strfmt_show_add(out, cap, &n, " (%s data @+0x%" PRIx64 ")",
				payload_fmt_name(p->inner), p->inner_at);
	if (p->appended_dtbs)
		strfmt_show_add(out, cap, &n, " + %u appended dtb @+0x%" PRIx64, p->appended_dtbs,
				p->appended_dtb_at);
}

static void text_fields(const struct field *f, unsigned n)
{
	char os[SHOW_MAX];

	printf("header fields:\n");
	for (unsigned i = 0; i < n; i++) {
		printf("  @0x%03x %-31s ", f[i].off, f[i].name);
		switch (f[i].kind) {
		case F_DEC: printf("%" PRIu64 "\n", f[i].v); break;
		case F_HEX: printf("0x%08" PRIx64 "\n", f[i].v); break;
		case F_OSVER:
			os_string((uint32_t)f[i].v, os, sizeof(os));
			printf("%s\n", os);
			break;
		case F_STR:
			text_str(f[i].s, f[i].max);
			putchar('\n');
			break;
		}
	}
}

static void text_layout(const struct image *im)
{
	char desc[SHOW_MAX];

	printf("layout:\n  %-10s %-10s %-10s %-14s %s\n", "offset", "size", "padded", "part",
	       "content");
	printf("  0x%08x %-10" PRIu32 " %-10" PRIu64 " %-14s\n", 0, im->img.header_size,
	       im->img.header_len, "header");
	for (unsigned i = 0; i < im->img.nsect; i++) {
		const struct bootimg_section *s = &im->img.sect[i];

		const struct image_part *p = &im->part[s->part];

		describe(p, desc, sizeof(desc));
		printf("  0x%08" PRIx64 " %-10" PRIu64 " %-10" PRIu64 " %-14s %s%s", s->offset,
		       s->size, s->padded, bootimg_part_name(s->part), s->size ? desc : "",
		       p->pad_nonzero ? " [padding not zero]" : "");
		if (p->avail < s->size)
			printf(" [cut short: %" PRIu64 " bytes in the file]", p->avail);
		else if (p->pad_avail < s->padded - s->size)
			printf(" [padding cut short: %" PRIu64 " bytes]", p->pad_avail);
		putchar('\n');
	}
	for (unsigned i = 0; i < im->tr.n; i++)
		printf("  0x%08" PRIx64 " %-10" PRIu64 " %-10s %-14s %s\n", im->tr.item[i].offset,
		       im->tr.item[i].size, "", "trailer", trailer_kind_name(im->tr.item[i].kind));
	printf("  end of image 0x%" PRIx64 ", file %" PRIu64 " bytes\n", im->img.end, im->size);
}

static void text_vendor_table(const struct image *im)
{
	static const char *const types[] = {"none", "platform", "recovery", "dlkm"};

	for (unsigned i = 0; i < im->nvrd; i++) {
		const struct vendor_ramdisk_entry *e = &im->vrd[i];

		printf("  ramdisk %u: ", i);
		text_str(e->name, VENDOR_RAMDISK_NAME_SIZE);
		printf(" type %s, %" PRIu32 " bytes at +0x%" PRIx32 ", board_id0 0x%08" PRIx32 "\n",
		       e->type < 4 ? types[e->type] : "?", e->size, e->offset, e->board_id[0]);
	}
}

/* ---- AVB ------------------------------------------------------------------------- */

static void hexs(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static const char *avb_part(const struct image *im)
{
	return im->img.kind == BOOTIMG_VENDOR ? "vendor_boot" : "boot";
}

#define AVB_PROP_SHOWN 256 /* a property's key shown, at most */

static void avb_desc_text(const struct avb_desc *x)
{
	char alg[AVB_HASH_ALG_SIZE * 4 + 1], key[AVB_PROP_SHOWN * 4 + 1];

	switch (x->tag) {
	case AVB_DESC_HASH:
		printf("  hash descriptor: partition ");
		text_str(x->u.hash.name, x->u.hash.name_len);
		esc_bytes(alg, sizeof(alg), x->u.hash.hash_algorithm,
			  strlen(x->u.hash.hash_algorithm), false);
		printf(", %" PRIu64 " bytes, %s, salt ", x->u.hash.image_size, alg);
		hexs(x->u.hash.salt, x->u.hash.salt_len);
		printf(", digest ");
		hexs(x->u.hash.digest, x->u.hash.digest_len);
		printf("\n");
		break;
	case AVB_DESC_PROPERTY:
		esc_bytes(key, sizeof(key), x->u.prop.key,
			  x->u.prop.key_len < AVB_PROP_SHOWN ? x->u.prop.key_len : AVB_PROP_SHOWN,
			  false);
		printf("  property: %s%s = ", key, x->u.prop.key_len > AVB_PROP_SHOWN ? "..." : "");
		text_str((const uint8_t *)x->u.prop.value, x->u.prop.value_len);
		putchar('\n');
		break;
	case AVB_DESC_HASHTREE:
		printf("  hashtree descriptor: partition ");
		text_str(x->u.hashtree.name, x->u.hashtree.name_len);
		printf(", %" PRIu64 " bytes\n", x->u.hashtree.image_size);
		break;
	default: printf("  %s descriptor, %" PRIu64 " bytes\n", avb_desc_tag_name(x->tag), x->size);
	}
}

/* The embedded public key: its size in bits (the blob's first word) and
 * the SHA-1 of the blob, as avbtool's info_image prints it ("Public key
 * (sha1)"), so a key can be recognised. false when there is none. */
static bool avb_key_summary(const struct avb_vbmeta *vb, uint32_t *bits, char hex[41])
{
	uint8_t md[20];
	unsigned n = 0;

	if (!vb->public_key || vb->h.public_key_size < 4 ||
	    !EVP_Digest(vb->public_key, vb->h.public_key_size, md, &n, EVP_sha1(), NULL) ||
	    n != sizeof(md))
		return false;
	*bits = get_be32(vb->public_key);
	for (unsigned i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]); /* 3 bytes: always fits */
	return true;
}

static void avb_text(const struct image *im)
{
	const struct avb_footer *f = &im->tr.avb;
	const struct avb_vbmeta *vb = &im->avb.vb;
	const struct avb_alg *alg = vb->alg;
	struct avb_report rep;
	struct avb_desc x;
	struct diag d;
	uint64_t pos = 0;
	uint32_t bits;
	char hex[41];

	printf("avb footer: version %" PRIu32 ".%" PRIu32 ", original image size %" PRIu64
	       ", vbmeta %" PRIu64 " bytes at 0x%" PRIx64 "\n",
	       f->major, f->minor, f->original_image_size, f->vbmeta_size, f->vbmeta_offset);
	if (!im->avb_loaded) {
		printf("avb vbmeta: unreadable: %s\n", im->avb_error);
		return;
	}
	printf("avb vbmeta: algorithm %s, rollback index %" PRIu64 " (location %" PRIu32
	       "), flags %" PRIu32 ", release ",
	       alg ? alg->name : "unknown", vb->h.rollback_index, vb->h.rollback_index_location,
	       vb->h.flags);
	text_str((const uint8_t *)vb->h.release_string, sizeof(vb->h.release_string));
	printf(", %u descriptor%s\n", vb->ndesc, vb->ndesc == 1 ? "" : "s");
	if (avb_key_summary(vb, &bits, hex))
		printf("avb public key: %" PRIu32 " bits, %" PRIu64 "-byte blob, sha1 %s\n", bits,
		       vb->h.public_key_size, hex);
	else
		printf("avb public key: none\n");
	while (avb_desc_next(vb, &pos, &x, &d) == 1)
		avb_desc_text(&x);
	if (avb_verify_file(im->fd, im->size, avb_part(im), &rep, &d) == 0)
		printf("avb checks: vbmeta hash %s, signature %s, digest %s\n",
		       avb_status_name(rep.vbmeta_hash.status),
		       avb_status_name(rep.signature.status), avb_status_name(rep.digest.status));
}

static void kernel_text(const struct image *im)
{
	const struct kernel_info *k = &im->kernel;

	if (k->version[0])
		printf("kernel: %s\n", k->version);
	else if (k->inner != PF_UNKNOWN && !k->decoded)
		printf("kernel: %s payload @+0x%" PRIx64 " not decoded\n",
		       payload_fmt_name(k->inner), k->inner_at);
	else if (k->search_cut)
		printf("kernel: zImage payload not found: the search stopped at its budget (every "
		       "try a compression magic with nothing behind it)\n");
	else
		printf("kernel: no version string found\n");
	if (k->has_config)
		printf("kernel config: embedded (IKCONFIG), %zu bytes\n", im->kconfig_len);
}

/* Where the parts land and how far the kernel spreads, under each model. */
struct layout_run {
	struct loader_model m[LOADER_MODELS_MAX];
	unsigned n;
	struct kernel_foot kf;
	struct layout_image li;
	struct layout_result r[LOADER_MODELS_MAX];
	bool ok; /* the kernel could be read */
	char err[DIAG_MSG_MAX];
};

static void layout_run(const struct image *im, struct layout_run *lr)
{
	struct diag d;

	lr->ok = layout_from_image(im, &lr->kf, &lr->li, &d) == 0;
	if (!lr->ok)
		memcpy(lr->err, d.msg, sizeof(lr->err));
	for (unsigned i = 0; lr->ok && i < lr->n; i++)
		layout_check(&lr->m[i], &lr->li, &lr->r[i]);
}

static void layout_text(const struct layout_run *lr)
{
	char k[SHOW_MAX];

	if (!lr->ok) {
		printf("layout: not checked: %s\n", lr->err);
		return;
	}
	layout_kernel_text(&lr->kf, NULL, k, sizeof(k));
	printf("kernel layout: %s\n", k);
	for (unsigned i = 0; i < lr->n; i++)
		layout_report(stdout, "", &lr->m[i], &lr->kf, &lr->r[i], 0);
}

static void json_span(const char *name, const struct layout_span *s)
{
	if (s->present)
		printf(",\"%s\":[%" PRIu64 ",%" PRIu64 "]", name, s->start, s->end);
}

static void layout_json(const struct layout_run *lr)
{
	printf(",\"layout\":[");
	for (unsigned i = 0; lr->ok && i < lr->n; i++) {
		const struct layout_result *r = &lr->r[i];
		printf("%s{\"loader\":", i ? "," : "");
		json_str((const uint8_t *)lr->m[i].name, sizeof(lr->m[i].name));
		printf(",\"errors\":%u,\"warnings\":%u", r->errors, r->warnings);
		json_span("kernel", &r->kload);
		json_span("kernel_runs", &r->krun);
		json_span("ramdisk", &r->ramdisk);
		json_span("second", &r->second);
		json_span("tags", &r->tags);
		json_span("dtb", &r->dtb);
		if (r->has_mem)
			printf(",\"memory\":[%" PRIu64 ",%" PRIu64 "]", r->mem.start,
			       r->mem.start + r->mem.size);
		printf(",\"findings\":[");
		for (unsigned j = 0; j < r->n; j++) {
			printf("%s{\"severity\":\"%s\",\"message\":", j ? "," : "",
			       layout_sev_name(r->f[j].sev));
			json_str((const uint8_t *)r->f[j].msg, sizeof(r->f[j].msg));
			printf("}");
		}
		printf("]}");
	}
	printf("]");
	if (lr->ok) {
		printf(",\"kernel_layout\":{\"kind\":\"%s\",\"shim_bytes\":%" PRIu32
		       ",\"decompressed_bytes\":%" PRIu64 ",\"bss_bytes\":%" PRIu64 "}",
		       payload_fmt_name(lr->kf.kind), lr->kf.shim_len, lr->kf.inflated, lr->kf.bss);
	}
}

/* A pre-header: its kind and size, and for DHTB whether the checksum holds. */
static void wrapper_text(const struct image *im)
{
	uint8_t sha[32];

	printf("pre-header: %s, %" PRIu64 " bytes before the boot image",
	       wrapper_name(im->wrap.kind), im->wrap.size);
	if (im->wrap.kind == WRAP_DHTB || im->wrap.kind == WRAP_BLOB)
		printf(", size field %" PRIu32, im->wrap.covered);
	if (im->wrap.kind == WRAP_DHTB)
		printf(", SHA-256 %s", sha256_range(im->fd, DHTB_SIZE, im->wrap.covered, sha) < 0
					   ? "over past the end"
				       : memcmp(sha, im->wrap.sha256, 32) ? "MISMATCH"
									  : "matches");
	putchar('\n');
}

static void info_text(const struct image *im, const struct layout_run *lr)
{
	struct field f[32];
	unsigned n =
	    im->img.kind == BOOTIMG_BOOT ? boot_fields(&im->img, f) : vendor_fields(&im->img, f);

	printf("%s: %s image, header v%" PRIu32 ", page size %" PRIu32 "%s\n", im->path,
	       im->img.kind == BOOTIMG_BOOT ? "boot" : "vendor_boot", im->img.version,
	       im->img.page_size, im->img.v0_vendor_word ? " (v0: word @0x28 is vendor data)" : "");
	if (im->wrap.kind != WRAP_NONE)
		wrapper_text(im);
	text_fields(f, n);
	text_layout(im);
	if (im->part[BP_KERNEL].s)
		kernel_text(im);
	if (im->img.kind == BOOTIMG_BOOT)
		layout_text(lr);
	if (im->nvrd) {
		printf("vendor ramdisk table:\n");
		text_vendor_table(im);
	}
	if (im->hdr_extra)
		printf("note: bytes after the header fields (before the first section) are not "
		       "zero\n");
	for (unsigned i = 0; i < im->nwarn; i++)
		printf("damaged: %s\n", im->warn[i]);
	if (im->has_id) {
		printf("id (%s): ", im->id_sha256 ? "sha256" : "sha1");
		hex_id(im->img.id);
		if (!im->id_checked) {
			printf(" (not checked: the image is cut short)\n");
		} else if (im->id_ok) {
			printf(" matches\n");
		} else {
			printf(" STALE, computed ");
			hex_id(im->id_computed);
			printf("\n");
		}
	}
	if (im->tr.has_avb)
		avb_text(im);
}

static void json_part(const struct image_part *p, const struct bootimg_section *s)
{
	printf("{\"part\":\"%s\",\"offset\":%" PRIu64 ",\"size\":%" PRIu64 ",\"padded\":%" PRIu64
	       ",\"in_file\":%" PRIu64 ",\"format\":\"%s\",\"padding_zero\":%s",
	       bootimg_part_name(s->part), s->offset, s->size, s->padded, p->avail,
	       payload_fmt_name(p->fmt), p->pad_nonzero ? "false" : "true");
	if (p->has_mtk) {
		printf(",\"mtk\":{\"name\":");
		json_str((const uint8_t *)p->mtk.name, sizeof(p->mtk.name));
		printf(",\"dsize\":%" PRIu32 ",\"maddr\":%" PRIu32 "}", p->mtk.dsize, p->mtk.maddr);
	}
	if (p->inner != PF_UNKNOWN && p->inner != PF_EMPTY)
		printf(",\"inner\":{\"format\":\"%s\",\"at\":%" PRIu64 "}",
		       payload_fmt_name(p->inner), p->inner_at);
	if (p->appended_dtbs)
		printf(",\"appended_dtbs\":%u,\"appended_dtb_at\":%" PRIu64, p->appended_dtbs,
		       p->appended_dtb_at);
	printf("}");
}

static void json_hex(const uint8_t *p, size_t n)
{
	putchar('"');
	hexs(p, n);
	putchar('"');
}

static void avb_json(const struct image *im)
{
	const struct avb_footer *f = &im->tr.avb;
	const struct avb_vbmeta *vb = &im->avb.vb;
	struct avb_report rep;
	struct avb_desc x;
	struct diag d;
	uint64_t pos = 0;
	uint32_t bits;
	char hex[41];
	bool first = true;

	printf(",\"avb\":{\"footer\":{\"version\":\"%" PRIu32 ".%" PRIu32
	       "\",\"original_image_size\":%" PRIu64 ",\"vbmeta_offset\":%" PRIu64
	       ",\"vbmeta_size\":%" PRIu64 "}",
	       f->major, f->minor, f->original_image_size, f->vbmeta_offset, f->vbmeta_size);
	if (!im->avb_loaded) {
		printf(",\"error\":");
		json_str((const uint8_t *)im->avb_error, sizeof(im->avb_error));
		printf("}");
		return;
	}
	printf(",\"algorithm\":\"%s\",\"rollback_index\":%" PRIu64 ",\"flags\":%" PRIu32
	       ",\"release\":",
	       vb->alg ? vb->alg->name : "unknown", vb->h.rollback_index, vb->h.flags);
	json_str((const uint8_t *)vb->h.release_string, AVB_RELEASE_STRING_SIZE);
	if (avb_key_summary(vb, &bits, hex))
		printf(",\"public_key\":{\"bits\":%" PRIu32 ",\"size\":%" PRIu64
		       ",\"sha1\":\"%s\"}",
		       bits, vb->h.public_key_size, hex);
	else
		printf(",\"public_key\":null");
	printf(",\"descriptors\":[");
	while (avb_desc_next(vb, &pos, &x, &d) == 1) {
		printf("%s{\"tag\":\"%s\"", first ? "" : ",", avb_desc_tag_name(x.tag));
		first = false;
		if (x.tag == AVB_DESC_HASH) {
			printf(",\"partition\":");
			json_str(x.u.hash.name, x.u.hash.name_len);
			printf(",\"image_size\":%" PRIu64 ",\"hash\":", x.u.hash.image_size);
			json_str((const uint8_t *)x.u.hash.hash_algorithm,
				 sizeof(x.u.hash.hash_algorithm));
			printf(",\"salt\":");
			json_hex(x.u.hash.salt, x.u.hash.salt_len);
			printf(",\"digest\":");
			json_hex(x.u.hash.digest, x.u.hash.digest_len);
		}
		printf("}");
	}
	printf("]");
	if (avb_verify_file(im->fd, im->size, avb_part(im), &rep, &d) == 0)
		printf(
		    ",\"checks\":{\"vbmeta_hash\":\"%s\",\"signature\":\"%s\",\"digest\":\"%s\"}",
		    avb_status_name(rep.vbmeta_hash.status), avb_status_name(rep.signature.status),
		    avb_status_name(rep.digest.status));
	printf("}");
}

/* The sections, vendor ramdisks and trailer items, as arrays. */
static void json_lists(const struct image *im)
{
	printf(",\"sections\":[");
	for (unsigned i = 0; i < im->img.nsect; i++) {
		printf(i ? "," : "");
		json_part(&im->part[im->img.sect[i].part], &im->img.sect[i]);
	}
	printf("],\"vendor_ramdisks\":[");
	for (unsigned i = 0; i < im->nvrd; i++) {
		printf("%s{\"name\":", i ? "," : "");
		json_str(im->vrd[i].name, VENDOR_RAMDISK_NAME_SIZE);
		printf(",\"type\":%" PRIu32 ",\"offset\":%" PRIu32 ",\"size\":%" PRIu32 "}",
		       im->vrd[i].type, im->vrd[i].offset, im->vrd[i].size);
	}
	printf("],\"trailer\":[");
	for (unsigned i = 0; i < im->tr.n; i++)
		printf("%s{\"kind\":\"%s\",\"offset\":%" PRIu64 ",\"size\":%" PRIu64 "}",
		       i ? "," : "", trailer_kind_name(im->tr.item[i].kind), im->tr.item[i].offset,
		       im->tr.item[i].size);
	printf("]");
}

/* What was read around ("damage") and the id, stored and computed. */
static void json_damage_id(const struct image *im)
{
	printf(",\"damage\":[");
	for (unsigned i = 0; i < im->nwarn; i++) {
		printf(i ? "," : "");
		json_str((const uint8_t *)im->warn[i], DIAG_MSG_MAX);
	}
	printf("]");
	if (im->has_id) {
		printf(",\"id\":{\"algorithm\":\"%s\",\"stored\":\"",
		       im->id_sha256 ? "sha256" : "sha1");
		hex_id(im->img.id);
		if (im->id_checked) {
			printf("\",\"computed\":\"");
			hex_id(im->id_computed);
			printf("\",\"ok\":%s}", im->id_ok ? "true" : "false");
		} else {
			printf("\",\"checked\":false}");
		}
	}
}

static void info_json(const struct image *im, const struct layout_run *lr)
{
	struct field f[32];
	unsigned n =
	    im->img.kind == BOOTIMG_BOOT ? boot_fields(&im->img, f) : vendor_fields(&im->img, f);

	printf("{\"file\":");
	json_str((const uint8_t *)im->path, strlen(im->path));
	printf(",\"kind\":\"%s\",\"header_version\":%" PRIu32 ",\"page_size\":%" PRIu32
	       ",\"file_size\":%" PRIu64 ",\"end\":%" PRIu64 ",\"header\":{",
	       im->img.kind == BOOTIMG_BOOT ? "boot" : "vendor_boot", im->img.version,
	       im->img.page_size, im->size, im->img.end);
	for (unsigned i = 0; i < n; i++) {
		printf("%s\"%s\":", i ? "," : "", f[i].name);
		if (f[i].kind == F_STR)
			json_str(f[i].s, f[i].max);
		else
			printf("%" PRIu64, f[i].v);
	}
	printf("}");
	if (im->wrap.kind != WRAP_NONE)
		printf(",\"pre_header\":{\"kind\":\"%s\",\"size\":%" PRIu64 ",\"covered\":%" PRIu32
		       "}",
		       wrapper_name(im->wrap.kind), im->wrap.size, im->wrap.covered);
	json_lists(im);
	if (im->part[BP_KERNEL].s) {
		printf(",\"kernel\":{\"version\":");
		json_str((const uint8_t *)im->kernel.version, KERNEL_VERSION_MAX);
		printf(",\"release\":");
		json_str((const uint8_t *)im->kernel.release, sizeof(im->kernel.release));
		printf(",\"payload\":\"%s\",\"payload_at\":%" PRIu64 ",\"decoded_bytes\":%" PRIu64
		       ",\"config_bytes\":%zu}",
		       payload_fmt_name(im->kernel.inner), im->kernel.inner_at,
		       im->kernel.vmlinux_len, im->kconfig_len);
	}
	if (im->img.kind == BOOTIMG_BOOT)
		layout_json(lr);
	if (im->tr.has_avb)
		avb_json(im);
	json_damage_id(im);
	printf("}\n");
}

static const char info_usage[] =
    "usage: bootimg info IMAGE [--json] [--loader SPEC | --profile P]\n"
    "  --loader SPEC   where the bootloader puts the parts (default: header, the\n"
    "                  header's addresses); man bootimg, \"LOADER MODELS\"\n"
    "  --profile P     the LOADER= of a board profile (a file, or NAME for\n"
    "                  profiles/NAME.conf)\n";

enum info_opt { IO_IMAGE, IO_JSON, IO_LOADER, IO_PROFILE, IO_HELP };

int cmd_bootimg_info(int argc, char **argv)
{
	static const struct opt o[] = {{"json", 0, false, IO_JSON},
				       {"loader", 0, true, IO_LOADER},
				       {"profile", 0, true, IO_PROFILE},
				       {"help", 'h', false, IO_HELP},
				       {0}};
	const char *path = NULL, *loader = NULL, *profile = NULL;
	struct layout_run *lr;
	bool json = false;
	struct opt_state s;
	struct image im;
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum info_opt)id) {
		case IO_JSON: json = true; break;
		case IO_LOADER: loader = s.arg; break;
		case IO_PROFILE: profile = s.arg; break;
		case IO_HELP: return fputs(info_usage, stdout), 0;
		case IO_IMAGE:
			if (path)
				die(EXIT_USAGE, "info: one IMAGE only");
			path = s.arg;
			break;
		}
	}
	if (!path)
		die(EXIT_USAGE, "%s", info_usage);
	if (!(lr = calloc(1, sizeof(*lr))))
		die(EXIT_BAD, "out of memory");
	lr->n = layout_models(loader, profile, lr->m);
	image_load_flags_or_die(&im, path, IMAGE_KERNEL);
	if (im.img.kind == BOOTIMG_BOOT)
		layout_run(&im, lr);
	if (json)
		info_json(&im, lr);
	else
		info_text(&im, lr);
	image_free(&im);
	free(lr);
	return 0;
}
