/* bootimg unpack / repack: take an image apart into files and a manifest,
 * and put it back together byte for byte, or with parts replaced.
 *
 * Unpack writes, into DIR:
 *   header.bin            the header page(s) exactly as stored
 *   kernel, ramdisk, ...  each section's payload, MediaTek header stripped
 *   kernel.mtk, ...       the 512-byte MediaTek header, when there was one
 *   kernel.pad, ...       the section's padding, only when it is not all zero
 *   vendor_ramdiskNN      vendor_boot v4: one file per ramdisk table entry
 *   vendor_ramdisk_table  vendor_boot v4: the table as stored
 *   trailer.bin           whatever follows the last section
 *   manifest              what repack needs (format in README.md)
 *
 * Repack builds the plan for imgwrite: header bytes from the original (so
 * undefined bytes survive), each section from the original or a replacement,
 * the MTK header kept with only dsize patched, the id recomputed when a
 * section changed (and kept as stored, even stale, when none did), the trailer
 * copied; plain padding after the image is re-fitted to the original size.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootid.h"
#include "cmd_bootimg.h"
#include "bytes.h"
#include "cli.h"
#include "fileio.h"
#include "image.h"
#include "cmd_common.h"

#define MANIFEST_MAGIC "bootkit-unpack 1"

/* ---- the repack model: where each part's bytes come from ------------------------- */

struct rp_part {
	bool present;
	struct piece data; /* payload (MTK header excluded) */
	bool has_mtk;
	uint8_t mtk_raw[MTK_HDR_SIZE];
	bool has_pad;
	struct piece pad;
	bool changed;
};

struct repack {
	struct inputs in;
	uint8_t *hdr;
	size_t hdr_len;
	struct bootimg img;
	struct rp_part part[BP_COUNT];
	struct piece frag[VENDOR_RAMDISK_MAX_ENTRIES]; /* vendor v4 fragments */
	unsigned nfrag;
	uint8_t *table; /* vendor v4 table bytes */
	size_t table_len;
	struct piece trailer;
	bool trailer_is_pad; /* only 0x00 (or only 0xff) bytes after the image */
	uint8_t trailer_byte;
	uint64_t orig_size;
	bool had_id, id_sha256;
	bool header_changed;
};

static int hash_hook(void *ctx, const uint8_t *p, size_t n)
{
	bootid_update(ctx, p, n);
	return 0;
}

/* sha256 of a file range as 64 hex digits; what names it in an error. */
static void piece_sha256(const struct piece *p, const char *what, char hex[65])
{
	uint8_t *buf = malloc(1 << 20), sha[32];
	struct bootid h;

	if (!buf || bootid_begin(&h, true))
		die(EXIT_BAD, "out of memory");
	if (stream_range(p->fd, p->off, p->len, buf, 1 << 20, hash_hook, &h)) {
		bootid_free(&h);
		die(EXIT_BAD, "%s: read error", what);
	}
	bootid_end(&h, sha);
	free(buf);
	for (unsigned i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sha[i]);
}

/* ---- unpack ------------------------------------------------------------------- */

static char *path_in(const char *dir, const char *name)
{
	char *s;

	if (asprintf(&s, "%s/%s", dir, name) < 0)
		die(EXIT_BAD, "out of memory");
	return s;
}

static void save_range(const struct image *im, uint64_t off, uint64_t len, const char *dir,
		       const char *name)
{
	char *p = path_in(dir, name);
	struct diag d;

	if (image_extract(im, off, len, p, &d))
		die_diag(p, &d);
	free(p);
}

static void save_mem(const void *b, size_t n, const char *dir, const char *name)
{
	char *p = path_in(dir, name);
	struct diag d;

	if (write_file_atomic(p, b, n, &d))
		die_diag(p, &d);
	free(p);
}

static void manifest_part(FILE *m, const struct image *im, enum bootimg_part part,
			  const char *dir)
{
	const struct image_part *p = &im->part[part];
	const char *name = bootimg_part_name(part);
	uint64_t off = p->s->offset, len = p->s->size;
	struct piece pc;
	char hex[65], extra[64];

	if (p->has_mtk) {
		snprintf(extra, sizeof(extra), "%s.mtk", name);
		save_mem(p->mtk_raw, MTK_HDR_SIZE, dir, extra);
		off += MTK_HDR_SIZE;
		len = p->mtk.dsize;
		if (len != p->s->size - MTK_HDR_SIZE)
			die(EXIT_BAD, "%s: %s: MTK dsize %" PRIu64 " leaves %" PRIu64
				      " bytes of the section unaccounted for; not unpacked",
			    im->path, name, len, p->s->size - MTK_HDR_SIZE - len);
	}
	save_range(im, off, len, dir, name);
	pc = (struct piece){.fd = im->fd, .off = off, .len = len};
	piece_sha256(&pc, im->path, hex);
	fprintf(m, "part %s %s %" PRIu64 " %s", name, name, len, hex);
	if (p->has_mtk)
		fprintf(m, " mtk %s.mtk", name);
	if (p->pad_nonzero) {
		snprintf(extra, sizeof(extra), "%s.pad", name);
		save_range(im, p->s->offset + p->s->size, p->s->padded - p->s->size, dir, extra);
		fprintf(m, " pad %s", extra);
	}
	fprintf(m, "\n");
}

/* vendor_boot v4 fragments can be split into files when the table entries
 * tile the section in order; otherwise the section stays one file. */
static bool fragments_tile(const struct image *im)
{
	uint64_t pos = 0;

	for (unsigned i = 0; i < im->nvrd; i++) {
		if (im->vrd[i].offset != pos)
			return false;
		pos += im->vrd[i].size;
	}
	return im->nvrd && pos == im->img.vendor_ramdisk_size &&
	       !im->part[BP_VENDOR_RAMDISK].pad_nonzero;
}

static void manifest_fragments(FILE *m, const struct image *im, const char *dir)
{
	const struct bootimg_section *s = im->part[BP_VENDOR_RAMDISK].s;

	for (unsigned i = 0; i < im->nvrd; i++) {
		char name[32], hex[65];
		struct piece pc = {.fd = im->fd, .off = s->offset + im->vrd[i].offset,
				   .len = im->vrd[i].size};

		snprintf(name, sizeof(name), "vendor_ramdisk%02u", i);
		save_range(im, pc.off, pc.len, dir, name);
		piece_sha256(&pc, im->path, hex);
		fprintf(m, "fragment %s %" PRIu64 " %s\n", name, pc.len, hex);
	}
}

static void write_manifest(FILE *m, const struct image *im, const char *dir)
{
	bool tiles = im->img.kind == BOOTIMG_VENDOR && im->img.version >= 4 && fragments_tile(im);

	fprintf(m, MANIFEST_MAGIC "\n");
	fprintf(m, "kind %s\n", im->img.kind == BOOTIMG_BOOT ? "boot" : "vendor_boot");
	fprintf(m, "size %" PRIu64 "\n", im->size);
	fprintf(m, "header header.bin\n");
	if (im->has_id)
		fprintf(m, "id %s %s\n", im->id_sha256 ? "sha256" : "sha1",
			im->id_ok ? "ok" : "stale");
	save_mem(im->hdr, im->img.header_len, dir, "header.bin");
	for (unsigned i = 0; i < im->img.nsect; i++) {
		enum bootimg_part p = im->img.sect[i].part;

		if (p == BP_VENDOR_RAMDISK && tiles) {
			manifest_fragments(m, im, dir);
		} else if (p == BP_TABLE) {
			save_range(im, im->img.sect[i].offset, im->img.sect[i].size, dir,
				   "vendor_ramdisk_table");
			fprintf(m, "table vendor_ramdisk_table\n");
		} else {
			manifest_part(m, im, p, dir);
		}
	}
	if (im->tr.size) {
		bool pad = im->tr.n == 1 &&
			   (im->tr.item[0].kind == TR_ZERO || im->tr.item[0].kind == TR_FF);

		save_range(im, im->tr.start, im->tr.size, dir, "trailer.bin");
		fprintf(m, "trailer trailer.bin %s\n",
			pad ? (im->tr.item[0].kind == TR_ZERO ? "pad00" : "padff") : "data");
	}
}

static const char unpack_usage[] = "usage: bootimg unpack IMAGE DIR\n";

int cmd_unpack(int argc, char **argv)
{
	struct image im;
	struct diag d;
	char *mpath;
	FILE *m;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return fputs(unpack_usage, stdout), 0;
	if (argc != 3)
		die(EXIT_USAGE, "%s", unpack_usage);
	image_load(&im, argv[1]);
	if (mkdir_p(argv[2], &d))
		die_diag(argv[2], &d);
	mpath = path_in(argv[2], "manifest.tmp");
	m = fopen(mpath, "w");
	if (!m)
		die(EXIT_BAD, "%s: %s", mpath, strerror(errno));
	write_manifest(m, &im, argv[2]);
	if (fclose(m))
		die(EXIT_BAD, "%s: %s", mpath, strerror(errno));
	char *final = path_in(argv[2], "manifest");
	if (rename(mpath, final))
		die(EXIT_BAD, "%s: %s", final, strerror(errno));
	printf("%s: unpacked into %s (%u sections%s)\n", argv[1], argv[2], im.img.nsect,
	       im.tr.size ? ", trailer" : "");
	free(mpath);
	free(final);
	image_free(&im);
	return 0;
}

/* ---- repack from an image ----------------------------------------------------------- */

/* vendor_boot v4: the table as bytes (so sizes can be patched) and, when the
 * entries tile the section, one piece per fragment. */
static void from_image_table(struct repack *rp, const struct image *im)
{
	const struct bootimg_section *t = im->part[BP_TABLE].s;
	const struct bootimg_section *v = im->part[BP_VENDOR_RAMDISK].s;
	uint64_t pos = 0;

	if (!t)
		return;
	rp->table = malloc(t->size ? t->size : 1);
	rp->table_len = t->size;
	if (!rp->table || read_at(im->fd, rp->table, t->size, t->offset))
		die(EXIT_BAD, "%s: cannot read the vendor ramdisk table", im->path);
	for (unsigned i = 0; i < im->nvrd; i++) {
		if (im->vrd[i].offset != pos)
			return (void)(rp->nfrag = 0);
		rp->frag[i] = (struct piece){.fd = im->fd, .off = v->offset + pos,
					     .len = im->vrd[i].size};
		pos += im->vrd[i].size;
		rp->nfrag = i + 1;
	}
	if (pos != v->size)
		rp->nfrag = 0;
}

static void from_image(struct repack *rp, const char *path)
{
	struct image *im = calloc(1, sizeof(*im));

	if (!im)
		die(EXIT_BAD, "out of memory");
	/* Neither the stored id nor appended DTBs matter here: the id is
	 * recomputed if a section changes and kept otherwise. */
	image_load_flags(im, path, IMAGE_NO_ID | IMAGE_NO_DTB_SCAN);
	rp->in.fd[rp->in.n++] = im->fd;
	rp->hdr = im->hdr;
	rp->hdr_len = im->img.header_len;
	rp->img = im->img;
	rp->orig_size = im->size;
	rp->had_id = im->has_id, rp->id_sha256 = im->id_sha256;
	for (unsigned i = 0; i < im->img.nsect; i++) {
		const struct bootimg_section *s = &im->img.sect[i];
		struct rp_part *p = &rp->part[s->part];
		const struct image_part *ip = &im->part[s->part];
		uint64_t skip = ip->has_mtk ? MTK_HDR_SIZE : 0;

		p->present = true;
		p->has_mtk = ip->has_mtk;
		memcpy(p->mtk_raw, ip->mtk_raw, MTK_HDR_SIZE);
		p->data = (struct piece){.fd = im->fd, .off = s->offset + skip, .len = s->size - skip};
		p->has_pad = true;
		p->pad = (struct piece){.fd = im->fd, .off = s->offset + s->size,
					.len = s->padded - s->size};
	}
	if (im->tr.size) {
		rp->trailer = (struct piece){.fd = im->fd, .off = im->tr.start, .len = im->tr.size};
		rp->trailer_is_pad = im->tr.n == 1 && (im->tr.item[0].kind == TR_ZERO ||
						       im->tr.item[0].kind == TR_FF);
		rp->trailer_byte = im->tr.item[0].kind == TR_FF ? 0xff : 0;
	}
	from_image_table(rp, im);
	im->hdr = NULL;
	im->fd = -1;
	free(im);
}

/* ---- repack from an unpacked folder ---------------------------------------------------- */

static int part_by_name(const char *name)
{
	for (int i = 0; i < BP_COUNT; i++)
		if (!strcmp(bootimg_part_name((enum bootimg_part)i), name))
			return i;
	return -1;
}

static struct piece open_piece(struct repack *rp, const char *dir, const char *name)
{
	char *p = path_in(dir, name);
	uint64_t size;
	int fd = inputs_open(&rp->in, p, &size);

	free(p);
	return (struct piece){.fd = fd, .len = size};
}

static bool piece_matches(const struct piece *pc, const char *what, const char *size,
			  const char *sha)
{
	char hex[65];

	if (strtoull(size, NULL, 10) != pc->len)
		return false;
	piece_sha256(pc, what, hex);
	return !strcmp(hex, sha);
}

static void read_mtk(const char *dir, const char *name, uint8_t *out)
{
	char *p = path_in(dir, name);
	struct diag d;
	uint8_t *b;
	size_t n;

	if (file_read_small(p, MTK_HDR_SIZE, &b, &n, &d))
		die_diag(p, &d);
	if (n != MTK_HDR_SIZE || !mtk_hdr_present(b, n))
		die(EXIT_BAD, "%s: not a 512-byte MediaTek header", p);
	memcpy(out, b, MTK_HDR_SIZE);
	free(b);
	free(p);
}

static void manifest_line(struct repack *rp, const char *dir, char **t, int nt,
			  const char *mpath, unsigned line)
{
	if (!strcmp(t[0], "part") && nt >= 5) {
		int part = part_by_name(t[1]);
		struct rp_part *p;

		if (part < 0)
			die(EXIT_BAD, "%s:%u: unknown part \"%s\"", mpath, line, t[1]);
		p = &rp->part[part];
		p->present = true;
		p->data = open_piece(rp, dir, t[2]);
		p->changed = !piece_matches(&p->data, t[2], t[3], t[4]);
		for (int i = 5; i + 1 < nt; i += 2) {
			if (!strcmp(t[i], "mtk")) {
				p->has_mtk = true;
				read_mtk(dir, t[i + 1], p->mtk_raw);
			} else if (!strcmp(t[i], "pad")) {
				p->has_pad = true;
				p->pad = open_piece(rp, dir, t[i + 1]);
			}
		}
	} else if (!strcmp(t[0], "fragment") && nt == 4) {
		if (rp->nfrag >= VENDOR_RAMDISK_MAX_ENTRIES)
			die(EXIT_BAD, "%s:%u: too many fragments", mpath, line);
		rp->frag[rp->nfrag] = open_piece(rp, dir, t[1]);
		rp->part[BP_VENDOR_RAMDISK].present = true;
		rp->part[BP_VENDOR_RAMDISK].changed |=
			!piece_matches(&rp->frag[rp->nfrag], t[1], t[2], t[3]);
		rp->nfrag++;
	} else if (!strcmp(t[0], "table") && nt == 2) {
		char *p = path_in(dir, t[1]);
		struct diag d;
		uint8_t *b;

		if (file_read_small(p, 1 << 20, &b, &rp->table_len, &d))
			die_diag(p, &d);
		rp->table = b;
		rp->part[BP_TABLE].present = true;
		free(p);
	} else if (!strcmp(t[0], "trailer") && nt == 3) {
		rp->trailer = open_piece(rp, dir, t[1]);
		rp->trailer_is_pad = strcmp(t[2], "data") != 0;
		rp->trailer_byte = !strcmp(t[2], "padff") ? 0xff : 0;
	} else if (!strcmp(t[0], "id") && nt == 3) {
		rp->had_id = true;
		rp->id_sha256 = !strcmp(t[1], "sha256"); /* t[2], ok or stale, is for people */
	} else if (!strcmp(t[0], "size") && nt == 2) {
		rp->orig_size = strtoull(t[1], NULL, 10);
	} else if (strcmp(t[0], "kind") && strcmp(t[0], "header")) {
		die(EXIT_BAD, "%s:%u: cannot read \"%s\"", mpath, line, t[0]);
	}
}

static void read_header_bin(struct repack *rp, const char *dir)
{
	char *p = path_in(dir, "header.bin");
	struct diag d;
	size_t n;

	if (file_read_small(p, BOOTIMG_MAX_PAGE * 4, &rp->hdr, &n, &d))
		die_diag(p, &d);
	/* Sizes are checked against the parts later, not against this file. */
	if (bootimg_parse(rp->hdr, n, UINT64_MAX / 4, &rp->img, &d))
		die_diag(p, &d);
	if (n != rp->img.header_len)
		die(EXIT_BAD, "%s: %zu bytes, the header takes %" PRIu64, p, n, rp->img.header_len);
	rp->hdr_len = n;
	free(p);
}

static void from_dir(struct repack *rp, const char *dir)
{
	char *mpath = path_in(dir, "manifest");
	struct diag d;
	uint8_t *text;
	size_t len;
	unsigned line = 0;

	if (file_read_small(mpath, 1 << 20, &text, &len, &d))
		die_diag(mpath, &d);
	if (strncmp((char *)text, MANIFEST_MAGIC "\n", strlen(MANIFEST_MAGIC) + 1))
		die(EXIT_BAD, "%s: not a bootimg unpack manifest (first line \"%s\" expected)",
		    mpath, MANIFEST_MAGIC);
	read_header_bin(rp, dir);
	for (char *save = NULL, *l = strtok_r((char *)text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *t[16], *s2 = NULL;
		int nt = 0;

		line++;
		for (char *w = strtok_r(l, " ", &s2); w && nt < 16; w = strtok_r(NULL, " ", &s2))
			t[nt++] = w;
		if (line > 1 && nt)
			manifest_line(rp, dir, t, nt, mpath, line);
	}
	free(text);
	free(mpath);
}

/* ---- overrides and the plan ------------------------------------------------------ */

struct repack_opts {
	const char *file[BP_COUNT];
	const char *cmdline, *name, *os_version, *os_patch;
	bool no_mtk;
	const char *out, *part_size, *scatter, *partition;
};

static void apply_files(struct repack *rp, const struct repack_opts *o)
{
	for (int i = 0; i < BP_COUNT; i++) {
		uint64_t size;
		struct rp_part *p = &rp->part[i];

		if (!o->file[i])
			continue;
		if (rp->img.kind == BOOTIMG_VENDOR && i != BP_DTB && i != BP_BOOTCONFIG &&
		    i != BP_VENDOR_RAMDISK)
			die(EXIT_USAGE, "a vendor_boot image has no %s",
			    bootimg_part_name((enum bootimg_part)i));
		if (i == BP_VENDOR_RAMDISK && rp->table && rp->nfrag != 1)
			die(EXIT_USAGE, "--vendor_ramdisk: this image has %u ramdisk fragments; "
					"unpack it and replace the fragment files", rp->nfrag);
		int fd = inputs_open(&rp->in, o->file[i], &size);
		p->data = (struct piece){.fd = fd, .len = size};
		p->present = p->changed = true;
		p->has_pad = false;
		if (i == BP_VENDOR_RAMDISK && rp->nfrag == 1)
			rp->frag[0] = p->data;
	}
}

static void apply_header(struct repack *rp, const struct repack_opts *o)
{
	struct bootimg *g = &rp->img;
	struct diag d;
	uint32_t v;

	if (o->cmdline) {
		if (bootimg_set_cmdline(g, o->cmdline, strlen(o->cmdline), &d))
			die(EXIT_USAGE, "--cmdline: %s", d.msg);
		rp->header_changed = true;
	}
	if (o->name) {
		if (strlen(o->name) >= BOOT_NAME_SIZE || (g->kind == BOOTIMG_BOOT && g->version >= 3))
			die(EXIT_USAGE, "--name: too long, or no name field in this header");
		memset(g->name, 0, BOOT_NAME_SIZE);
		memcpy(g->name, o->name, strlen(o->name));
	}
	if (o->os_version) {
		if (bootimg_os_version_parse(o->os_version, &v))
			die(EXIT_USAGE, "--os_version: \"%s\" is not A.B.C", o->os_version);
		g->os_version = v << 11 | (g->os_version & 0x7ff);
	}
	if (o->os_patch) {
		if (bootimg_os_patch_parse(o->os_patch, &v))
			die(EXIT_USAGE, "--os_patch_level: \"%s\" is not YYYY-MM", o->os_patch);
		g->os_version = (g->os_version & ~0x7ffu) | v;
	}
}

static void plan_part(struct repack *rp, struct image_plan *pl, enum bootimg_part i,
		      uint8_t *mtk_buf)
{
	struct rp_part *p = &rp->part[i];
	struct section_src *s = &pl->src[i];
	struct diag d;

	if (p->has_mtk) {
		memcpy(mtk_buf, p->mtk_raw, MTK_HDR_SIZE);
		if (mtk_hdr_set_dsize(mtk_buf, p->data.len, &d))
			die(EXIT_BAD, "%s: %s", bootimg_part_name(i), d.msg);
		section_add(s, (struct piece){.mem = mtk_buf, .len = MTK_HDR_SIZE}, NULL);
	}
	if (i == BP_VENDOR_RAMDISK && rp->nfrag) {
		for (unsigned k = 0; k < rp->nfrag; k++)
			section_add(s, rp->frag[k], NULL);
	} else if (i == BP_TABLE && rp->table) {
		section_add(s, (struct piece){.mem = rp->table, .len = rp->table_len}, NULL);
	} else {
		section_add(s, p->data, NULL);
	}
	if (p->has_pad) {
		s->copy_pad = true;
		s->pad = p->pad;
	}
}

/* The table's sizes and offsets follow the fragment files. */
static void patch_table(struct repack *rp)
{
	uint64_t off = 0;

	if (!rp->table || !rp->nfrag)
		return;
	if (rp->table_len < (size_t)rp->nfrag * VENDOR_RAMDISK_ENTRY_SIZE)
		die(EXIT_BAD, "vendor_ramdisk_table: %zu bytes for %u fragments", rp->table_len,
		    rp->nfrag);
	for (unsigned k = 0; k < rp->nfrag; k++) {
		uint8_t *e = rp->table + (size_t)k * VENDOR_RAMDISK_ENTRY_SIZE;

		if (rp->frag[k].len > UINT32_MAX || off > UINT32_MAX)
			die(EXIT_BAD, "vendor ramdisk fragment %u: too large", k);
		put_le32(e + VEOFF_SIZE, (uint32_t)rp->frag[k].len);
		put_le32(e + VEOFF_OFFSET, (uint32_t)off);
		off += rp->frag[k].len;
	}
}

static bool any_changed(const struct repack *rp)
{
	for (int i = 0; i < BP_COUNT; i++)
		if (rp->part[i].changed)
			return true;
	return false;
}

static enum id_mode pick_id(const struct repack *rp)
{
	/* Sections unchanged: the stored id is still theirs (or stays stale as it was). */
	if (!rp->had_id || !any_changed(rp))
		return ID_KEEP;
	return rp->id_sha256 ? ID_SHA256 : ID_SHA1;
}

/* Plain padding after the image (to the partition size) is re-fitted so the
 * file keeps its original size; other trailers are copied as they are. */
static void plan_trailer(struct repack *rp, struct image_plan *pl, uint8_t **fill)
{
	uint64_t body = pl->img.end;

	if (!rp->trailer.len)
		return;
	if (!rp->trailer_is_pad || !rp->orig_size) {
		pl->trailer = rp->trailer;
		if (any_changed(rp))
			warnmsg("the %" PRIu64 "-byte trailer (AVB footer, signature...) is copied "
				"as it was and no longer matches the new contents; re-sign the "
				"image", rp->trailer.len);
		return;
	}
	if (body >= rp->orig_size) {
		/* The padding no longer fits: drop it; a partition limit, when given, decides. */
		warnmsg("the image grew past the original %" PRIu64 " bytes (padded to the "
			"partition?): %" PRIu64 " bytes now; check it with --partition-size",
			rp->orig_size, body);
		return;
	}
	*fill = malloc(rp->orig_size - body);
	if (!*fill)
		die(EXIT_BAD, "out of memory");
	memset(*fill, rp->trailer_byte, rp->orig_size - body);
	pl->trailer = (struct piece){.mem = *fill, .len = rp->orig_size - body};
}

static void do_repack(struct repack *rp, const struct repack_opts *o)
{
	struct image_plan *pl = calloc(1, sizeof(*pl));
	uint8_t mtk[BP_COUNT][MTK_HDR_SIZE], *fill = NULL;
	struct limit lim;
	struct diag d;

	if (!pl)
		die(EXIT_BAD, "out of memory");
	apply_files(rp, o);
	apply_header(rp, o);
	if (o->no_mtk)
		for (int i = 0; i < BP_COUNT; i++)
			rp->part[i].has_mtk = false;
	patch_table(rp);
	pl->img = rp->img;
	for (int i = 0; i < BP_COUNT; i++)
		if (rp->part[i].present)
			plan_part(rp, pl, (enum bootimg_part)i, mtk[i]);
	if (image_plan_layout(pl, &d))
		die_diag(o->out, &d);
	pl->hdr = rp->hdr;
	pl->id_mode = pick_id(rp);
	plan_trailer(rp, pl, &fill);
	limit_resolve(&lim, o->part_size, o->scatter, o->partition, "BOOTIMG");
	limit_check(&lim, image_plan_size(pl), o->out);
	write_image_file(pl, o->out, &rp->in);
	printf("%s: %" PRIu64 " bytes, header v%" PRIu32 "%s%s\n", o->out, image_plan_size(pl),
	       pl->img.version, any_changed(rp) ? ", sections replaced" : ", sections unchanged",
	       pl->id_mode == ID_KEEP ? "" : ", id computed");
	free(fill);
	free(pl);
}

static const char repack_usage[] =
	"usage: bootimg repack SOURCE -o OUT [options]\n"
	"SOURCE is a folder made by 'bootimg unpack' or a boot/vendor_boot image.\n"
	"  --kernel F --ramdisk F --second F --dtb F --recovery_dtbo F\n"
	"  --vendor_ramdisk F --bootconfig F   replace a section (MTK header kept)\n"
	"  --cmdline S --name S --os_version A.B.C --os_patch_level YYYY-MM\n"
	"  --no-mtk                drop the MediaTek headers\n"
	"  --partition-size N | --scatter F [--partition NAME]   refuse if too big\n";

int cmd_repack(int argc, char **argv)
{
	enum { R_OUT = 1, R_CMDLINE, R_NAME, R_OSV, R_OSP, R_NOMTK, R_PSIZE, R_SCAT, R_PART,
	       R_HELP, R_FILE = 100 };
	static const struct opt o[] = {
		{"output", 'o', true, R_OUT}, {"cmdline", 0, true, R_CMDLINE},
		{"name", 0, true, R_NAME}, {"board", 0, true, R_NAME},
		{"os_version", 0, true, R_OSV}, {"os_patch_level", 0, true, R_OSP},
		{"no_mtk", 0, false, R_NOMTK}, {"partition_size", 0, true, R_PSIZE},
		{"scatter", 0, true, R_SCAT}, {"partition", 0, true, R_PART},
		{"help", 'h', false, R_HELP},
		{"kernel", 0, true, R_FILE + BP_KERNEL}, {"ramdisk", 0, true, R_FILE + BP_RAMDISK},
		{"second", 0, true, R_FILE + BP_SECOND}, {"dtb", 0, true, R_FILE + BP_DTB},
		{"recovery_dtbo", 0, true, R_FILE + BP_RECOVERY_DTBO},
		{"vendor_ramdisk", 0, true, R_FILE + BP_VENDOR_RAMDISK},
		{"bootconfig", 0, true, R_FILE + BP_BOOTCONFIG}, {0},
	};
	struct repack_opts ro = {0};
	struct repack *rp = calloc(1, sizeof(*rp));
	const char *src = NULL;
	struct opt_state s;
	struct stat st;
	int id;

	if (!rp)
		die(EXIT_BAD, "out of memory");
	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch (id) {
		case 0: if (src) die(EXIT_USAGE, "repack: one SOURCE only"); src = s.arg; break;
		case R_OUT: ro.out = s.arg; break;
		case R_CMDLINE: ro.cmdline = s.arg; break;
		case R_NAME: ro.name = s.arg; break;
		case R_OSV: ro.os_version = s.arg; break;
		case R_OSP: ro.os_patch = s.arg; break;
		case R_NOMTK: ro.no_mtk = true; break;
		case R_PSIZE: ro.part_size = s.arg; break;
		case R_SCAT: ro.scatter = s.arg; break;
		case R_PART: ro.partition = s.arg; break;
		case R_HELP: fputs(repack_usage, stdout); return 0;
		default: ro.file[id - R_FILE] = s.arg; break;
		}
	}
	if (!src || !ro.out)
		die(EXIT_USAGE, "%s", repack_usage);
	if (stat(src, &st))
		die(EXIT_BAD, "%s: %s", src, strerror(errno));
	if (S_ISDIR(st.st_mode))
		from_dir(rp, src);
	else
		from_image(rp, src);
	do_repack(rp, &ro);
	inputs_close(&rp->in);
	free(rp->hdr);
	free(rp->table);
	free(rp);
	return 0;
}
