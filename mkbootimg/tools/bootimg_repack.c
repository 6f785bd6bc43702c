/* bootimg repack: put an image back together from a folder made by `bootimg
 * unpack`, or rebuild one straight from an image, with parts replaced or not.
 *
 * With nothing changed the output is the input, byte for byte, whatever the
 * input is (a dump padded to its partition, a stale id, an image cut short,
 * odd MTK headers): the image is copied, or the folder's files are laid end to
 * end as the manifest lists them and cut at the original size.
 *
 * With something changed the image is rebuilt through imgwrite's plan: header
 * bytes from the original (undefined bytes survive), each section from the
 * original or a replacement, an MTK header kept with only dsize patched, the
 * id recomputed when a section changed, padding after the image re-fitted to
 * the original size, other trailers copied. The result is always a
 * consistent image: a damaged source section is written with the bytes it
 * has and its size field follows them (a warning says so).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/kcmdline.h"
#include "lib/strfmt.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/manifest.h"
#include "mkbootimg/rdtree.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/verbs.h"

/* No boot or vendor_boot partition is near this size (64 MiB is AOSP's
 * default, 100 MiB the largest seen): a size past it, from a manifest or
 * from what a folder holds (a sparse trailer.bin), is refused before
 * anything is written, not written toward. */
#define REPACK_IMAGE_MAX (1ull << 30)

/* ---- the repack model: where each part's bytes come from ------------------------- */

struct rp_part {
	bool present;
	struct piece data; /* payload (MTK header excluded) */
	struct piece dtb;  /* a kernel's appended DTBs, from a folder (len 0: none) */
	bool has_mtk;
	uint8_t mtk_raw[MTK_HDR_SIZE];
	struct piece slack; /* bytes the section counted after an MTK payload */
	struct piece shim;  /* kernel: bootkit's shim put in front (len 0: none) */
	bool has_pad;
	struct piece pad;
	bool changed;  /* replaced by the user */
	uint64_t size; /* the section size the original header gave */
};

/* An AVB footer and its vbmeta, from the source. */
struct rp_avb {
	bool present;
	/* why the AVB data cannot be rewritten; "" if it can */
	char broken[DIAG_MSG_MAX + PATH_MAX];
	bool orphan; /* a vbmeta image in the trailer, its footer missing or damaged */
	struct avb_footer f;
	uint8_t *blob; /* the vbmeta image */
	struct avb_vbmeta vb;
	struct piece inner; /* bytes after the image that the AVB hash covers (a marker...) */
};

struct repack {
	struct inputs in;
	const char *src;
	int dirfd; /* an unpacked folder, or -1 */
	uint8_t *hdr;
	size_t hdr_len;
	struct bootimg img; /* the original header's fields */
	struct rp_part part[BP_COUNT];
	struct piece frag[VENDOR_RAMDISK_MAX_ENTRIES]; /* vendor v4 fragments */
	unsigned nfrag;
	bool frag_changed;
	uint8_t *table; /* vendor v4 table bytes */
	size_t table_len;
	struct piece trailer;
	bool trailer_is_pad; /* only 0x00 (or only 0xff) bytes after the image */
	uint8_t trailer_byte;
	uint64_t orig_size;
	int orig_fd; /* the source image (from an image), for the exact copy */
	bool had_id, id_sha256;
	bool id_stale; /* from a folder: its manifest says the id did not match */
	bool header_changed;
	bool damaged;	     /* the source was read around damage */
	struct wrapper wrap; /* a pre-header; raw bytes in prefix */
	uint8_t *wrap_raw;
	uint64_t orig_body; /* bytes of the original image, header to its last page */
	struct rp_avb avb;
	uint8_t *bootconfig_buf; /* an edited bootconfig section */
	uint8_t *tree_buf;	 /* a ramdisk rebuilt from unpack --tree's folder */
	bool ramdisk_given;	 /* --ramdisk F: the tree is not looked at */
};

/* ---- repack from an image ----------------------------------------------------------- */

/* vendor_boot v4: the table as bytes (so sizes can be patched) and, when the
 * entries tile the section, one piece per fragment. */
static void from_image_table(struct repack *rp, const struct image *im)
{
	const struct bootimg_section *t = im->part[BP_TABLE].s;
	const struct image_part *v = &im->part[BP_VENDOR_RAMDISK];
	uint64_t pos = 0;

	if (!t)
		return;
	rp->table = malloc(t->size ? t->size : 1);
	rp->table_len = t->size;
	if (!rp->table || read_at(im->fd, rp->table, t->size, t->offset))
		die(EXIT_BAD, "%s: cannot read the vendor ramdisk table", im->path);
	for (unsigned i = 0; i < im->nvrd; i++) {
		if (im->vrd[i].offset != pos || pos + im->vrd[i].size > v->avail)
			return (void)(rp->nfrag = 0);
		rp->frag[i] =
		    (struct piece){.fd = im->fd, .off = v->s->offset + pos, .len = im->vrd[i].size};
		pos += im->vrd[i].size;
		rp->nfrag = i + 1;
	}
	if (pos != v->s->size)
		rp->nfrag = 0;
}

static void from_image_part(struct repack *rp, const struct image *im,
			    const struct bootimg_section *s)
{
	const struct image_part *ip = &im->part[s->part];
	struct rp_part *p = &rp->part[s->part];

	p->present = true;
	p->size = s->size;
	p->has_mtk = ip->has_mtk;
	memcpy(p->mtk_raw, ip->mtk_raw, MTK_HDR_SIZE);
	p->data = (struct piece){.fd = im->fd, .off = ip->data_off, .len = ip->data_len};
	p->slack = (struct piece){.fd = im->fd, .off = ip->slack_off, .len = ip->slack_len};
	p->has_pad = true;
	p->pad = (struct piece){.fd = im->fd, .off = s->offset + s->size, .len = ip->pad_avail};
}

/* The AVB data at the end of the trailer (file bytes [tstart, tstart+t->len)
 * of a file of size bytes): footer, vbmeta, and what the hash covers after
 * the image end. */
/* An AVB footer or vbmeta that does not hold together is kept as found: a
 * repack with nothing changed copies it; one that changes anything refuses
 * (repack_rebuild), as the hash and the layout cannot be redone from it. */
static void avb_broken(struct repack *rp, const char *fmt, ...) STRFMT_CHECK(2, 3);
static void avb_broken(struct repack *rp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstrfmt_show(rp->avb.broken, sizeof(rp->avb.broken), fmt, ap);
	va_end(ap);
	free(rp->avb.blob);
	rp->avb.blob = NULL;
	rp->avb.present = false;
}

static void avb_load(struct repack *rp, const struct piece *t, uint64_t tstart, uint64_t size)
{
	struct rp_avb *a = &rp->avb;
	uint8_t foot[AVB_FOOTER_SIZE];
	struct diag d;
	int r;

	if (t->len < AVB_FOOTER_SIZE ||
	    read_at(t->fd, foot, AVB_FOOTER_SIZE, t->off + t->len - AVB_FOOTER_SIZE))
		die(EXIT_BAD, "%s: cannot read the AVB footer", rp->src);
	if ((r = avb_footer_parse(foot, sizeof(foot), size, &a->f, &d)) < 0) {
		avb_broken(rp, "%s: %s", rp->src, d.msg); /* d names the field and offset */
		return;
	}
	if (a->f.vbmeta_offset < tstart || a->f.original_image_size > a->f.vbmeta_offset ||
	    a->f.original_image_size < tstart) {
		avb_broken(rp,
			   "%s: AVB footer @0x%" PRIx64 ": vbmeta at 0x%" PRIx64
			   " and original_image_size %" PRIu64
			   " do not follow the image (it ends at 0x%" PRIx64 ")",
			   rp->src, size - AVB_FOOTER_SIZE, a->f.vbmeta_offset,
			   a->f.original_image_size, tstart);
		return;
	}
	if (!(a->blob = malloc(a->f.vbmeta_size)))
		die(EXIT_BAD, "out of memory");
	if (read_at(t->fd, a->blob, a->f.vbmeta_size, t->off + (a->f.vbmeta_offset - tstart)))
		die(EXIT_BAD, "%s: cannot read the vbmeta image", rp->src);
	if (avb_vbmeta_parse(a->blob, a->f.vbmeta_size, a->f.vbmeta_offset, &a->vb, &d) < 0) {
		avb_broken(rp, "%s: %s", rp->src, d.msg);
		return;
	}
	a->inner = (struct piece){
	    .fd = t->fd,
	    .off = t->off,
	    .len = a->f.original_image_size > tstart ? a->f.original_image_size - tstart : 0};
	a->present = true;
}

static void avb_from_image(struct repack *rp, const struct image *im)
{
	struct piece t = {.fd = im->fd, .off = im->tr.start, .len = im->tr.size};

	avb_load(rp, &t, im->tr.start, im->size);
}

static void from_image(struct repack *rp, const char *path)
{
	struct image *im = calloc(1, sizeof(*im));

	if (!im)
		die(EXIT_BAD, "out of memory");
	/* Neither the stored id nor appended DTBs matter here: the id is
	 * recomputed if a section changes and kept otherwise. */
	image_load_flags_or_die(im, path, IMAGE_NO_ID | IMAGE_NO_DTB_SCAN);
	for (unsigned i = 0; i < im->nwarn; i++)
		warnmsg("%s: %s", path, im->warn[i]);
	rp->wrap = im->wrap;
	rp->wrap_raw = im->wrap_raw;
	im->wrap_raw = NULL;
	rp->orig_body = im->img.end - im->wrap.size;
	rp->in.fd[rp->in.n++] = im->fd;
	rp->orig_fd = im->fd;
	rp->hdr = im->hdr;
	rp->hdr_len = im->img.header_len;
	rp->img = im->img;
	rp->orig_size = im->size;
	rp->damaged = im->nwarn > 0;
	rp->had_id = im->has_id, rp->id_sha256 = im->id_sha256;
	for (unsigned i = 0; i < im->img.nsect; i++)
		from_image_part(rp, im, &im->img.sect[i]);
	if (im->tr.size) {
		rp->trailer = (struct piece){.fd = im->fd, .off = im->tr.start, .len = im->tr.size};
		rp->trailer_is_pad = im->tr.n == 1 && (im->tr.item[0].kind == TR_ZERO ||
						       im->tr.item[0].kind == TR_FF);
		rp->trailer_byte = im->tr.item[0].kind == TR_FF ? 0xff : 0;
	}
	from_image_table(rp, im);
	if (im->tr.has_avb)
		avb_from_image(rp, im);
	for (unsigned i = 0; i < im->tr.n; i++)
		rp->avb.orphan = rp->avb.orphan || im->tr.item[i].kind == TR_VBMETA_NO_FOOTER;
	im->hdr = NULL;
	im->fd = -1;
	image_free(im);
	free(im);
}

/* ---- repack from an unpacked folder ---------------------------------------------------- */

static struct piece dir_piece(struct repack *rp, const char *name)
{
	uint64_t size;
	int fd = inputs_open_at(&rp->in, rp->dirfd, rp->src, name, &size);

	return (struct piece){.fd = fd, .len = size};
}

/* Is the file now in the folder the one unpack wrote? */
static bool piece_matches(const struct repack *rp, const struct piece *pc, const struct mf_file *f)
{
	uint8_t sha[32];
	int r;

	if (pc->len != f->size)
		return false;
	if ((r = sha256_range(pc->fd, 0, pc->len, sha)) < 0)
		die(EXIT_BAD, "%s/%s: %s", rp->src, f->name, strerror(-r));
	return !memcmp(sha, f->sha256, sizeof(sha));
}

static void read_mtk(struct repack *rp, const char *name, uint8_t *out)
{
	struct diag d;
	uint8_t *b;
	size_t n;

	if (file_read_small_at(rp->dirfd, name, MTK_HDR_SIZE, &b, &n, &d))
		die(EXIT_BAD, "%s/%s: %s", rp->src, name, d.msg);
	if (n != MTK_HDR_SIZE || !mtk_hdr_present(b, n))
		die(EXIT_BAD, "%s/%s: not a 512-byte MediaTek header", rp->src, name);
	memcpy(out, b, MTK_HDR_SIZE);
	free(b);
}

static void dir_part(struct repack *rp, const struct manifest *m, enum bootimg_part i)
{
	const struct mf_part *mp = &m->part[i];
	struct rp_part *p = &rp->part[i];

	p->present = true;
	p->data = dir_piece(rp, mp->data.name);
	p->changed = !piece_matches(rp, &p->data, &mp->data);
	if (*mp->dtb.name) {
		p->dtb = dir_piece(rp, mp->dtb.name);
		p->changed |= !piece_matches(rp, &p->dtb, &mp->dtb);
	}
	if (*mp->mtk) {
		p->has_mtk = true;
		read_mtk(rp, mp->mtk, p->mtk_raw);
	}
	if (*mp->slack)
		p->slack = dir_piece(rp, mp->slack);
	if (*mp->pad) {
		p->has_pad = true;
		p->pad = dir_piece(rp, mp->pad);
	}
}

static void dir_header(struct repack *rp, const struct manifest *m)
{
	struct diag d;
	size_t n;
	int r;

	if (file_read_small_at(rp->dirfd, m->header.name, BOOTIMG_MAX_PAGE * 4, &rp->hdr, &n, &d))
		die(EXIT_BAD, "%s/%s: %s", rp->src, m->header.name, d.msg);
	/* Sizes are checked against the parts later, not against this file. */
	r = bootimg_parse_flags(rp->hdr, n, UINT64_MAX / 4, BOOTIMG_TOLERANT, &rp->img, &d);
	if (r)
		die(EXIT_BAD, "%s/%s: %s", rp->src, m->header.name, d.msg);
	if (n > rp->img.header_len || (n < rp->img.header_len && m->size >= rp->img.header_len))
		die(EXIT_BAD, "%s/%s: %zu bytes, the header takes %" PRIu64, rp->src,
		    m->header.name, n, rp->img.header_len);
	if (m->header_summed) {
		uint8_t sha[32];
		struct bootid h;

		if (bootid_begin(&h, true))
			die(EXIT_BAD, "out of memory");
		bootid_update(&h, rp->hdr, n);
		bootid_end(&h, sha);
		rp->header_changed = n != m->header.size || memcmp(sha, m->header.sha256, 32);
	}
	if (n < rp->img.header_len) { /* the image was cut inside its header page */
		uint8_t *full = calloc(1, rp->img.header_len);

		if (!full)
			die(EXIT_BAD, "out of memory");
		memcpy(full, rp->hdr, n);
		free(rp->hdr);
		rp->hdr = full;
		rp->damaged = true;
	}
	rp->hdr_len = rp->img.header_len;
	for (unsigned i = 0; i < rp->img.nsect; i++)
		rp->part[rp->img.sect[i].part].size = rp->img.sect[i].size;
}

static void dir_table(struct repack *rp, const struct manifest *m)
{
	struct diag d;

	if (file_read_small_at(rp->dirfd, m->table, 1 << 20, &rp->table, &rp->table_len, &d))
		die(EXIT_BAD, "%s/%s: %s", rp->src, m->table, d.msg);
	rp->part[BP_TABLE].present = true;
	if (*m->table_pad) {
		rp->part[BP_TABLE].has_pad = true;
		rp->part[BP_TABLE].pad = dir_piece(rp, m->table_pad);
	}
}

static void dir_wrapper(struct repack *rp, const struct manifest *m)
{
	struct diag d;
	size_t n;

	if (file_read_small_at(rp->dirfd, m->wrapper, NOOK_SIZE, &rp->wrap_raw, &n, &d))
		die(EXIT_BAD, "%s/%s: %s", rp->src, m->wrapper, d.msg);
	wrapper_detect(rp->wrap_raw, n, UINT64_MAX, &rp->wrap);
	if ((int)rp->wrap.kind != m->wrapper_kind || rp->wrap.size != n)
		die(EXIT_BAD, "%s/%s: not the %zu-byte pre-header the manifest names", rp->src,
		    m->wrapper, n);
}

static bool trailer_has_footer(const struct piece *t)
{
	uint8_t magic[AVB_MAGIC_SIZE];

	return t->len >= AVB_FOOTER_SIZE &&
	       !read_at(t->fd, magic, sizeof(magic), t->off + t->len - AVB_FOOTER_SIZE) &&
	       !memcmp(magic, AVB_FOOTER_MAGIC, AVB_MAGIC_SIZE);
}

/* unpack --tree's folder and spec: the ramdisk rebuilt from them when the
 * archive they describe is not the one unpacked (rdtree.h). */
static void dir_tree(struct repack *rp, const struct manifest *m)
{
	struct rp_part *p = &rp->part[BP_RAMDISK];
	char comp[COMP_NAME_MAX];
	uint64_t size;
	struct diag d;
	uint8_t *out;
	unsigned added;
	size_t n;
	int fd;

	if (rp->ramdisk_given)
		return;
	if (strcmp(m->tree_dir, RDTREE_DIR) || strcmp(m->tree.name, RDTREE_SPEC) || !p->present)
		die(EXIT_BAD,
		    "%s/" MANIFEST_NAME ": tree: want \"tree " RDTREE_DIR " " RDTREE_SPEC
		    " SIZE SHA256\" and a ramdisk part",
		    rp->src);
	if (file_open_ro_at(rp->dirfd, RDTREE_SPEC, &fd, &size, &d) < 0)
		die(EXIT_BAD,
		    "%s/" RDTREE_SPEC ": %s (the manifest has a tree line: unpack --tree "
		    "again, or drop that line to repack without the tree)",
		    rp->src, d.msg);
	close(fd);
	if (rdtree_build(rp->src, rp->dirfd, m->tree.size, m->tree.sha256, cli_source_date_epoch(),
			 &out, &n, comp, &added, &d) < 0)
		die_diag(rp->src, &d);
	if (!out)
		return; /* the tree is as unpacked: the ramdisk file stands */
	if (p->changed)
		die(EXIT_BAD,
		    "%s: both the ramdisk file and " RDTREE_DIR "/" RDTREE_SPEC
		    " changed: restore one of them",
		    rp->src);
	rp->tree_buf = out;
	p->data = (struct piece){.mem = out, .len = n};
	p->changed = true;
	p->has_pad = false;
	p->slack = (struct piece){0};
	printf("%s: ramdisk rebuilt from " RDTREE_DIR " and " RDTREE_SPEC ": %zu bytes, %s%s",
	       rp->src, n, comp, added ? "" : "\n");
	if (added)
		printf(", %u new entr%s from " RDTREE_DIR " (owner 0:0, their mode)\n", added,
		       added == 1 ? "y" : "ies");
}

/* The manifest's size against the header's layout, the trailer file and the
 * cap, before anything is written. The original file was the pre-header, the
 * header's sections to their last page and trailer.bin (or less: an image cut
 * short has no trailer); a size claiming more (1 TiB, with a trailer.bin
 * sized to match, or a padding trailer to fill up to it) is refused, never
 * written toward. */
static void dir_check_size(const struct repack *rp, const struct manifest *m)
{
	uint64_t layout = rp->wrap.size + rp->img.end, have = layout + rp->trailer.len;

	if (m->size > REPACK_IMAGE_MAX)
		die(EXIT_BAD,
		    "%s/" MANIFEST_NAME ": size %" PRIu64 ": past the %llu MiB a boot image may "
		    "be; nothing written",
		    rp->src, m->size, REPACK_IMAGE_MAX >> 20);
	if (rp->trailer.len ? m->size != have : m->size > layout)
		die(EXIT_BAD,
		    "%s/" MANIFEST_NAME ": size %" PRIu64
		    ", but the header's layout%s make%s %" PRIu64 " bytes; nothing written",
		    rp->src, m->size, rp->trailer.len ? " and the trailer" : "",
		    rp->trailer.len ? "" : "s", have);
}

static void from_dir(struct repack *rp, const char *dir)
{
	struct manifest *m = calloc(1, sizeof(*m));
	struct diag d;
	uint8_t *text;
	size_t len;

	if (!m)
		die(EXIT_BAD, "out of memory");
	if ((rp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(EXIT_BAD, "%s: %s", dir, strerror(errno));
	if (file_read_small_at(rp->dirfd, MANIFEST_NAME, MANIFEST_MAX, &text, &len, &d))
		die(EXIT_BAD, "%s/" MANIFEST_NAME ": %s", dir, d.msg);
	if (manifest_parse((const char *)text, len, m, &d))
		die(EXIT_BAD, "%s/" MANIFEST_NAME ":%s", dir, d.msg);
	free(text);
	dir_header(rp, m);
	rp->orig_size = m->size;
	rp->orig_body = rp->img.end;
	if (*m->wrapper)
		dir_wrapper(rp, m);
	rp->had_id = m->has_id, rp->id_sha256 = m->id_sha256;
	rp->id_stale = m->has_id && !m->id_ok;
	for (int i = 0; i < BP_COUNT; i++)
		if (m->part[i].present && i != BP_VENDOR_RAMDISK)
			dir_part(rp, m, (enum bootimg_part)i);
	if (m->nfrag) {
		rp->part[BP_VENDOR_RAMDISK].present = true;
		for (unsigned k = 0; k < m->nfrag; k++) {
			rp->frag[k] = dir_piece(rp, m->frag[k].name);
			rp->frag_changed |= !piece_matches(rp, &rp->frag[k], &m->frag[k]);
		}
		rp->nfrag = m->nfrag;
	} else if (m->part[BP_VENDOR_RAMDISK].present) {
		dir_part(rp, m, BP_VENDOR_RAMDISK);
	}
	if (*m->table)
		dir_table(rp, m);
	if (m->trailer_kind != MF_TRAILER_NONE) {
		rp->trailer = dir_piece(rp, m->trailer);
		rp->trailer_is_pad = m->trailer_kind != MF_TRAILER_DATA;
		rp->trailer_byte = m->trailer_kind == MF_TRAILER_PADFF ? 0xff : 0;
		if (!rp->trailer_is_pad && trailer_has_footer(&rp->trailer))
			avb_load(rp, &rp->trailer, m->size - rp->trailer.len, m->size);
	}
	dir_check_size(rp, m);
	if (m->has_tree)
		dir_tree(rp, m);
	free(m);
}

/* ---- what changed ----------------------------------------------------------------- */

/* --cmdline-set/--cmdline-remove/--bootconfig-set/--bootconfig-remove, in
 * the order given. */
enum kv_kind { KV_CMD_SET, KV_CMD_RM, KV_BC_SET, KV_BC_RM };
#define REPACK_MAX_EDITS 64

struct kv_edit {
	enum kv_kind kind;
	const char *arg;
};

struct repack_opts {
	const char *file[BP_COUNT];
	struct kv_edit edit[REPACK_MAX_EDITS];
	unsigned nedit;
	const char *cmdline, *name, *os_version, *os_patch;
	bool no_mtk;
	const char *out, *part_size, *scatter, *partition;
	const char *avb_key, *avb_alg;
	const char *loader, *profile, *lk_shim;
	bool allow_overlap;
};

static bool any_changed(const struct repack *rp)
{
	if (rp->frag_changed)
		return true;
	for (int i = 0; i < BP_COUNT; i++)
		if (rp->part[i].changed)
			return true;
	return false;
}

static bool opts_change(const struct repack_opts *o)
{
	for (int i = 0; i < BP_COUNT; i++)
		if (o->file[i])
			return true;
	return o->cmdline || o->name || o->os_version || o->os_patch || o->no_mtk || o->avb_key;
}

/* ---- exact: nothing changed ------------------------------------------------------------- */

struct cut_writer {
	int fd;
	uint64_t left; /* bytes still to write before the original size is reached */
	int err;
};

static void cw_piece(struct cut_writer *w, const struct piece *pc)
{
	uint64_t n = pc->len < w->left ? pc->len : w->left;

	if (w->err || !n)
		return;
	w->err =
	    pc->mem ? write_all(w->fd, pc->mem, (size_t)n) : copy_range(pc->fd, pc->off, n, w->fd);
	w->left -= n;
}

static void cw_zeros(struct cut_writer *w, uint64_t len)
{
	uint64_t n = len < w->left ? len : w->left;

	if (w->err || !n)
		return;
	w->err = write_zeros(w->fd, n);
	w->left -= n;
}

/* One section of a folder as it was stored: MTK header, payload, slack,
 * padding (the file's, or zeros). */
static void cw_section(struct cut_writer *w, const struct repack *rp,
		       const struct bootimg_section *s)
{
	const struct rp_part *p = &rp->part[s->part];
	uint64_t written = 0;

	if (s->part == BP_VENDOR_RAMDISK && rp->nfrag) {
		for (unsigned k = 0; k < rp->nfrag; k++)
			cw_piece(w, &rp->frag[k]), written += rp->frag[k].len;
	} else if (s->part == BP_TABLE) {
		cw_piece(w, &(struct piece){.mem = rp->table, .len = rp->table_len});
		written = rp->table_len;
	} else {
		if (p->has_mtk)
			cw_piece(w, &(struct piece){.mem = p->mtk_raw, .len = MTK_HDR_SIZE});
		cw_piece(w, &p->data);
		cw_piece(w, &p->dtb);
		cw_piece(w, &p->slack);
		written = (p->has_mtk ? MTK_HDR_SIZE : 0) + p->data.len + p->dtb.len + p->slack.len;
	}
	if (written < s->size) /* the file ended inside this section */
		w->left = 0;
	else if (p->has_pad)
		cw_piece(w, &p->pad);
	else
		cw_zeros(w, s->padded - s->size);
}

/* The folder's bytes in image order, cut at the original size. */
static void write_exact_dir(const struct repack *rp, int fd, struct diag *d)
{
	struct cut_writer w = {.fd = fd, .left = rp->orig_size};

	if (rp->wrap_raw)
		cw_piece(&w, &(struct piece){.mem = rp->wrap_raw, .len = rp->wrap.size});
	cw_piece(&w, &(struct piece){.mem = rp->hdr, .len = rp->hdr_len});
	for (unsigned i = 0; i < rp->img.nsect; i++)
		cw_section(&w, rp, &rp->img.sect[i]);
	cw_piece(&w, &rp->trailer);
	if (w.err)
		die(EXIT_BAD, "writing: %s", strerror(-w.err));
	if (w.left)
		die(EXIT_BAD,
		    "%s: the folder holds %" PRIu64 " bytes less than the original %" PRIu64
		    "; not reproduced",
		    rp->src, w.left, rp->orig_size);
	(void)d;
}

static void abort_outfile(void *o)
{
	outfile_abort(o);
}

/* Every repack's output within REPACK_IMAGE_MAX, checked before it is opened. */
static void size_cap(uint64_t size, const char *out)
{
	if (size > REPACK_IMAGE_MAX)
		die(EXIT_BAD,
		    "%s: %" PRIu64 " bytes, past the %llu MiB a boot image may be; nothing "
		    "written",
		    out, size, REPACK_IMAGE_MAX >> 20);
}

static void repack_exact(struct repack *rp, const struct repack_opts *o)
{
	struct limit lim;
	struct outfile out;
	struct diag d;
	int r = 0;

	limit_resolve(&lim, o->part_size, o->scatter, o->partition, "BOOTIMG");
	limit_check(&lim, rp->orig_size, o->out);
	size_cap(rp->orig_size, o->out);
	if (outfile_open(&out, o->out, rp->in.fd, rp->in.n, &d))
		die_diag(o->out, &d);
	cli_on_die(abort_outfile, &out);
	if (rp->dirfd < 0)
		r = copy_range(rp->orig_fd, 0, rp->orig_size, out.fd);
	else
		write_exact_dir(rp, out.fd, &d);
	if (r)
		die(EXIT_BAD, "%s: writing: %s", o->out, strerror(-r));
	cli_on_die(NULL, NULL);
	if (outfile_commit(&out, &d))
		die_diag(o->out, &d);
	printf("%s: %" PRIu64 " bytes, header v%" PRIu32 ", nothing changed: the input's bytes%s\n",
	       o->out, rp->orig_size, rp->img.version,
	       rp->damaged ? " (damage kept as it was)" : "");
}

/* ---- rebuilt: overrides and the plan ------------------------------------------------------ */

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
			die(EXIT_USAGE,
			    "--vendor_ramdisk: this image has %u ramdisk fragments; "
			    "unpack it and replace the fragment files",
			    rp->nfrag);
		int fd = inputs_open(&rp->in, o->file[i], &size);
		p->data = (struct piece){.fd = fd, .len = size};
		p->present = p->changed = true;
		p->has_pad = false;
		p->slack = (struct piece){0};
		p->dtb = (struct piece){0}; /* the file is the whole section payload */
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
		if (strlen(o->name) >= BOOT_NAME_SIZE ||
		    (g->kind == BOOTIMG_BOOT && g->version >= 3))
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

/* --cmdline-set KEY=VALUE's key and the word written (lib/kcmdline.h's
 * cmdline_word: what the kernel reads back as that one word, or refused with
 * the reason); --bootconfig-set's value as bootconfig_value writes it. */
static void kv_split(const struct kv_edit *e, char *key, size_t kcap, char *word, size_t wcap)
{
	const char *opt = e->kind == KV_CMD_SET	 ? "--cmdline-set"
			  : e->kind == KV_CMD_RM ? "--cmdline-remove"
			  : e->kind == KV_BC_SET ? "--bootconfig-set"
						 : "--bootconfig-remove";
	const char *eq = strchr(e->arg, '='), *val = eq ? eq + 1 : NULL, *why = NULL;
	size_t kl = eq ? (size_t)(eq - e->arg) : strlen(e->arg);
	bool set = e->kind == KV_CMD_SET || e->kind == KV_BC_SET;
	bool bc = e->kind == KV_BC_SET || e->kind == KV_BC_RM;
	char shown[ESC_SHOW_MAX];
	long n;

	esc_show(shown, e->arg);
	if (!set && eq)
		die(EXIT_USAGE, "%s takes a KEY, not KEY=VALUE (\"%s\")", opt, shown);
	if (e->kind == KV_BC_SET && !eq)
		die(EXIT_USAGE, "%s takes KEY=VALUE (\"%s\")", opt, shown);
	if (kl >= kcap)
		die(EXIT_USAGE, "%s \"%s\": KEY is too long", opt, shown);
	memcpy(key, e->arg, kl);
	key[kl] = 0;
	if (bc && bootconfig_key_check(key, &why) < 0)
		die(EXIT_USAGE, "%s \"%s\": %s", opt, shown, why);
	if (!bc && (n = cmdline_word(key, NULL, word, wcap, &why)) < 0)
		die(EXIT_USAGE, "%s \"%s\": %s", opt, shown, why ? why : "too long");
	if (!set)
		return;
	n = bc ? bootconfig_value(val, word, wcap, &why) : cmdline_word(key, val, word, wcap, &why);
	if (n < 0)
		die(EXIT_USAGE, "%s \"%s\": %s", opt, shown, why ? why : "too long");
}

/* The command-line edits, on the header's command line (a vendor_boot's is
 * the vendor command line). Already applied: nothing changes. */
static void apply_cmdline_edits(struct repack *rp, const struct repack_opts *o)
{
	struct bootimg *g = &rp->img;
	char cur[BOOT_ARGS_SIZE + BOOT_EXTRA_ARGS_SIZE + VENDOR_BOOT_ARGS_SIZE + 2];
	char next[sizeof(cur)], key[sizeof(cur)], word[sizeof(cur)];
	size_t len = bootimg_get_cmdline(g, cur, sizeof(cur));
	bool any = false;
	struct diag d;

	for (unsigned i = 0; i < o->nedit; i++) {
		const struct kv_edit *e = &o->edit[i];
		if (e->kind != KV_CMD_SET && e->kind != KV_CMD_RM)
			continue;
		any = true;
		kv_split(e, key, sizeof(key), word, sizeof(word));
		long n = cmdline_edit(cur, len, key, e->kind == KV_CMD_SET ? word : NULL, next,
				      sizeof(next));
		if (n < 0)
			die(EXIT_USAGE, "--cmdline-set %s: the command line grows past %zu bytes",
			    e->arg, sizeof(next) - 1);
		memcpy(cur, next, (size_t)n + 1);
		len = (size_t)n;
	}
	if (!any)
		return;
	char was[sizeof(cur)];
	size_t wl = bootimg_get_cmdline(g, was, sizeof(was));
	if (wl == len && !memcmp(was, cur, len))
		return; /* already as asked */
	if (bootimg_set_cmdline(g, cur, len, &d))
		die(EXIT_USAGE, "%s: the edited command line (%zu bytes) does not fit: %s", rp->src,
		    len, d.msg);
	rp->header_changed = true;
}

/* The bootconfig edits, on a vendor_boot v4's bootconfig section. */
static void apply_bootconfig_edits(struct repack *rp, const struct repack_opts *o)
{
	struct rp_part *p = &rp->part[BP_BOOTCONFIG];
	char key[256], val[4096];
	uint8_t *cur = NULL, *next;
	size_t len, cap;
	bool any = false;
	int i;

	for (unsigned k = 0; k < o->nedit; k++)
		any = any || o->edit[k].kind == KV_BC_SET || o->edit[k].kind == KV_BC_RM;
	if (!any)
		return;
	if (rp->img.kind != BOOTIMG_VENDOR || rp->img.version < 4)
		die(EXIT_USAGE,
		    "%s: --bootconfig-set/--bootconfig-remove: bootconfig lives in a "
		    "vendor_boot v4 image; this is %s v%" PRIu32,
		    rp->src, rp->img.kind == BOOTIMG_VENDOR ? "vendor_boot" : "a boot image",
		    rp->img.version);
	if (p->data.len > (1u << 20))
		die(EXIT_BAD, "%s: bootconfig: %" PRIu64 " bytes; line edits stop at 1 MiB",
		    rp->src, p->data.len);
	len = (size_t)p->data.len;
	cap = len + 2 * sizeof(val) + 64;
	cur = malloc(cap);
	next = malloc(cap);
	if (!cur || !next)
		die(EXIT_BAD, "out of memory");
	if (p->data.mem)
		memcpy(cur, p->data.mem, len);
	else if (len && (i = read_at(p->data.fd, cur, len, p->data.off)) != 0)
		die(EXIT_BAD, "%s: reading bootconfig: %s", rp->src, strerror(-i));
	for (unsigned k = 0; k < o->nedit; k++) {
		const struct kv_edit *e = &o->edit[k];
		if (e->kind != KV_BC_SET && e->kind != KV_BC_RM)
			continue;
		kv_split(e, key, sizeof(key), val, sizeof(val));
		long n = bootconfig_edit((char *)cur, len, key, e->kind == KV_BC_SET ? val : NULL,
					 (char *)next, cap);
		if (n == -ENOTSUP)
			die(EXIT_BAD,
			    "%s: bootconfig has { } blocks or ';': edit it as a file "
			    "(unpack, edit bootconfig, repack the folder)",
			    rp->src);
		if (n < 0)
			die(EXIT_BAD, "%s: bootconfig: out of room", rp->src);
		len = (size_t)n;
		if (len + 2 * sizeof(val) + 64 > cap) {
			cap = len + 2 * sizeof(val) + 64;
			uint8_t *a = realloc(cur, cap), *b = a ? realloc(next, cap) : NULL;
			if (!a || !b)
				die(EXIT_BAD, "out of memory");
			cur = a, next = b;
		}
		memcpy(cur, next, len);
	}
	free(next);
	if (len == p->data.len) { /* already as asked? */
		uint8_t *was = malloc(len ? len : 1);
		bool same = was && (p->data.mem ? !memcmp(p->data.mem, cur, len)
						: !read_at(p->data.fd, was, len, p->data.off) &&
						      !memcmp(was, cur, len));
		free(was);
		if (same) {
			free(cur);
			return;
		}
	}
	rp->bootconfig_buf = cur;
	p->data = (struct piece){.mem = cur, .len = len};
	p->present = p->changed = true;
	p->has_pad = false;
	p->slack = (struct piece){0};
	p->dtb = (struct piece){0};
}

/* A damaged section carried over: say what the rebuilt image holds instead. */
static void note_fixups(const struct repack *rp, enum bootimg_part i)
{
	const struct rp_part *p = &rp->part[i];
	uint64_t now = (p->has_mtk ? MTK_HDR_SIZE : 0) + p->data.len + p->dtb.len;
	const char *name = bootimg_part_name(i);

	if (p->changed || !p->size)
		return;
	if (p->slack.len)
		warnmsg("%s: the %" PRIu64 " byte%s after the MTK payload are dropped", name,
			p->slack.len, p->slack.len == 1 ? "" : "s");
	if (now != p->size)
		warnmsg("%s: written as %" PRIu64 " bytes (the header said %" PRIu64
			", the file and its MTK header hold %" PRIu64 ")",
			name, now, p->size, now);
}

static void plan_part(struct repack *rp, struct image_plan *pl, enum bootimg_part i,
		      uint8_t *mtk_buf)
{
	struct rp_part *p = &rp->part[i];
	struct section_src *s = &pl->src[i];
	struct diag d;

	if (p->has_mtk) {
		memcpy(mtk_buf, p->mtk_raw, MTK_HDR_SIZE);
		if (mtk_hdr_set_dsize(mtk_buf, p->shim.len + p->data.len + p->dtb.len, &d))
			die(EXIT_BAD, "%s: %s", bootimg_part_name(i), d.msg);
		section_add(s, (struct piece){.mem = mtk_buf, .len = MTK_HDR_SIZE}, NULL);
	}
	if (i == BP_VENDOR_RAMDISK && rp->nfrag) {
		for (unsigned k = 0; k < rp->nfrag; k++)
			section_add(s, rp->frag[k], NULL);
	} else if (i == BP_TABLE && rp->table) {
		section_add(s, (struct piece){.mem = rp->table, .len = rp->table_len}, NULL);
	} else {
		if (p->shim.len)
			section_add(s, p->shim, NULL);
		section_add(s, p->data, NULL);
		if (p->dtb.len)
			section_add(s, p->dtb, NULL);
	}
	if (p->has_pad) {
		s->copy_pad = true;
		s->pad = p->pad;
	}
	note_fixups(rp, i);
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

/* Does the source's stored id disagree with its sections? A folder's manifest
 * says; an image (loaded without hashing) is hashed now, only when it matters. */
static bool source_id_stale(const struct repack *rp)
{
	uint8_t id[BOOT_ID_SIZE];
	struct diag d;

	if (rp->dirfd >= 0)
		return rp->id_stale;
	return bootid_compute(rp->orig_fd, &rp->img, rp->id_sha256, id, &d) == 0 &&
	       memcmp(id, rp->img.id, BOOT_ID_SIZE) != 0;
}

static enum id_mode pick_id(const struct repack *rp)
{
	/* Sections unchanged: the stored id is still theirs. A damaged source is
	 * rebuilt with other sizes, and a stale id (MediaTek's LK never checks it,
	 * so stock images ship with one) is made right: an image that is written
	 * anew is a consistent one. */
	if (!rp->had_id || (!any_changed(rp) && !rp->damaged && !source_id_stale(rp)))
		return ID_KEEP;
	return rp->id_sha256 ? ID_SHA256 : ID_SHA1;
}

static bool trailer_is_marker(const struct piece *t);

/* Plain padding after the image (to the partition size) is re-fitted so the
 * file keeps its original size. With AVB the image is followed by what the
 * hash covered (a marker) and the AVB data is written anew (write_avb).
 * SEANDROIDENFORCE and LG's bump are markers, not signatures: copied
 * silently. Other trailer data is copied with a warning: it may be a
 * signature the new contents no longer match. */
static void plan_trailer(struct repack *rp, struct image_plan *pl)
{
	uint64_t body = pl->prefix.len + pl->img.end;

	if (rp->avb.present) {
		pl->trailer = rp->avb.inner;
		return;
	}
	if (!rp->trailer.len)
		return;
	if (!rp->trailer_is_pad || !rp->orig_size) {
		pl->trailer = rp->trailer;
		if (rp->avb.orphan)
			warnmsg(
			    "the trailer holds an AVB vbmeta image whose footer (the last 64 "
			    "bytes) is missing or damaged: copied as it was, it no longer matches "
			    "the new contents; the image boots only with an unlocked bootloader");
		else if (!trailer_is_marker(&rp->trailer))
			warnmsg("the %" PRIu64 "-byte trailer after the image is copied as it was; "
				"if it is a signature, it no longer matches the new contents",
				rp->trailer.len);
		return;
	}
	if (body >= rp->orig_size) {
		/* The padding no longer fits: drop it; a partition limit, when given, decides. */
		warnmsg("the image grew past the original %" PRIu64 " bytes (padded to the "
			"partition?): %" PRIu64 " bytes now; check it with --partition-size",
			rp->orig_size, body);
		return;
	}
	/* streamed, not held: the padding may be most of a partition */
	pl->trailer =
	    (struct piece){.fill = true, .byte = rp->trailer_byte, .len = rp->orig_size - body};
}

/* SEANDROIDENFORCE (+ ff ff ff ff after DHTB) or LG's bump, then padding. */
static bool trailer_is_marker(const struct piece *t)
{
	uint8_t b[SEANDROID_LEN + 4];
	size_t n = t->len < sizeof(b) ? (size_t)t->len : sizeof(b), m;
	uint8_t *rest;
	bool pad = true;

	if (read_at(t->fd, b, n, t->off))
		return false;
	if (n >= SEANDROID_LEN && !memcmp(b, SEANDROID_MAGIC, SEANDROID_LEN))
		m = n >= SEANDROID_LEN + 4 && !memcmp(b + SEANDROID_LEN, "\xff\xff\xff\xff", 4)
			? SEANDROID_LEN + 4
			: SEANDROID_LEN;
	else if (n >= LGBUMP_LEN && !memcmp(b, LGBUMP_MAGIC, LGBUMP_LEN))
		m = LGBUMP_LEN;
	else
		return false;
	if (t->len - m > (1u << 26) || !(rest = malloc(t->len - m + 1)))
		return false;
	if (read_at(t->fd, rest, t->len - m, t->off + m))
		pad = false;
	for (uint64_t i = 0; pad && i < t->len - m; i++)
		pad = rest[i] == 0 || rest[i] == 0xff;
	free(rest);
	return pad;
}

/* After the image: a new vbmeta (the hash descriptor follows the new data;
 * signed again with a key, else its signature is stale) and the footer at
 * the end of the original partition-sized file. */
static int write_avb(struct repack *rp, const struct repack_opts *o, int fd, uint64_t body,
		     struct diag *d)
{
	static uint8_t vbmeta[AVB_VBMETA_MAX_SIZE];
	struct avb_footer_plan plan;
	struct avb_key *key = NULL;
	int len, r = 0;

	if (o->avb_key && avb_key_load(o->avb_key, &key, d) < 0)
		return diag_prefix(d, "%s", o->avb_key), -EINVAL;
	len = avb_rebuild(&rp->avb.vb, rp->img.kind == BOOTIMG_VENDOR ? "vendor_boot" : "boot", fd,
			  body, key, o->avb_alg, vbmeta, sizeof(vbmeta), d);
	avb_key_free(key);
	if (len < 0)
		return len;
	if ((r = avb_footer_plan(body, vbmeta, (size_t)len, rp->orig_size, &plan, d)) < 0)
		return r;
	for (unsigned i = 0; i < plan.nspan && !r; i++)
		r = plan.span[i].mem ? write_all(fd, plan.span[i].mem, (size_t)plan.span[i].len)
				     : write_zeros(fd, plan.span[i].len);
	if (r)
		return diag_set(d, r, "writing the AVB data: %s", strerror(-r));
	if (!o->avb_key)
		warnmsg("AVB: the hash descriptor and the vbmeta hash follow the new contents, but "
			"the signature is now stale: the image boots only with an unlocked "
			"bootloader; sign it with --avb-key KEY.pem");
	else if (!plan.avbtool_fits)
		warnmsg("AVB: signed; the image is past avbtool's 69632-byte reserve, so avbtool "
			"add_hash_footer could not sign it again in this partition");
	return 0;
}

static void write_rebuilt(struct repack *rp, const struct repack_opts *o, struct image_plan *pl)
{
	struct outfile out;
	struct diag d;
	uint32_t covered = 0;
	int r;

	if (rp->wrap.kind == WRAP_DHTB || rp->wrap.kind == WRAP_BLOB)
		if (wrapper_new_covered(&rp->wrap, rp->orig_body, pl->img.end, &covered, &d))
			die_diag(o->out, &d);
	if (outfile_open(&out, o->out, rp->in.fd, rp->in.n, &d))
		die_diag(o->out, &d);
	cli_on_die(abort_outfile, &out);
	r = image_write(pl, out.fd, &d);
	if (!r)
		r = wrapper_fix_output(&rp->wrap, out.fd, covered, &d);
	if (!r && rp->avb.present)
		r = write_avb(rp, o, out.fd, image_plan_size(pl), &d);
	if (r)
		die_diag(o->out, &d);
	cli_on_die(NULL, NULL);
	if (outfile_commit(&out, &d))
		die_diag(o->out, &d);
}

/* ---- the layout check (layout.h) --------------------------------------------------- */

/* The layout facts of the parts as they stand (the source's, or with the
 * replacements): 0, or -1 when the kernel cannot be read from a file. */
static int repack_layout_image(const struct repack *rp, struct kernel_foot *kf,
			       struct layout_image *li)
{
	const struct rp_part *k = &rp->part[BP_KERNEL];
	struct diag d;

	memset(li, 0, sizeof(*li));
	li->kf = kf;
	li->has_addresses = rp->img.kind == BOOTIMG_BOOT && rp->img.version <= 2;
	li->kernel_addr = rp->img.kernel_addr;
	li->ramdisk_addr = rp->img.ramdisk_addr;
	li->second_addr = rp->img.second_addr;
	li->tags_addr = rp->img.tags_addr;
	li->dtb_addr = rp->img.dtb_addr;
	li->ramdisk_len = rp->part[BP_RAMDISK].present ? rp->part[BP_RAMDISK].data.len : 0;
	li->second_len = rp->part[BP_SECOND].present ? rp->part[BP_SECOND].data.len : 0;
	li->dtb_len = rp->part[BP_DTB].present ? rp->part[BP_DTB].data.len : 0;
	if (!k->present || k->data.mem || !k->data.len) {
		memset(kf, 0, sizeof(*kf));
		kf->len = k->data.len;
		return k->present && k->data.len ? -1 : 0;
	}
	if (kernel_footprint(k->data.fd, k->data.off, k->data.len, kf, &d))
		die(EXIT_BAD, "%s: kernel: %s", rp->src, d.msg);
	kernel_foot_add_dtb(kf, k->dtb.len); /* a folder's kernel.dtb */
	return 0;
}

/* Before anything changes: under which models does the source fail already?
 * Its failures there are not the repack's (a stock image's header addresses
 * that its loader never reads). */
static void repack_layout_source(struct repack *rp, struct layout_gate *g)
{
	struct kernel_foot kf;
	struct layout_image li;
	struct layout_result r;

	if (rp->img.kind != BOOTIMG_BOOT || repack_layout_image(rp, &kf, &li) < 0)
		return;
	for (unsigned i = 0; i < g->n; i++) {
		layout_check(&g->m[i], &li, &r);
		g->src_failed[i] = r.errors > 0;
	}
}

/* The new image's layout: refused (nothing written) on an error the source
 * did not have, unless --allow-overlap; the shim put in front of the kernel
 * where a model needs it. */
static void repack_layout(struct repack *rp, const struct repack_opts *o, struct layout_gate *g)
{
	struct kernel_foot kf;
	struct layout_image li;

	if (rp->img.kind != BOOTIMG_BOOT)
		return;
	if (repack_layout_image(rp, &kf, &li) < 0) {
		warnmsg("kernel: held in memory, its layout not checked");
		return;
	}
	if (layout_gate_run(g, &kf, &li, o->out) && g->shim)
		rp->part[BP_KERNEL].shim = (struct piece){.mem = g->shim, .len = g->sh.len};
}

static void repack_rebuild(struct repack *rp, const struct repack_opts *o, struct layout_gate *g)
{
	struct image_plan *pl = calloc(1, sizeof(*pl));
	uint8_t mtk[BP_COUNT][MTK_HDR_SIZE];
	struct limit lim;
	struct diag d;

	if (!pl)
		die(EXIT_BAD, "out of memory");
	if (*rp->avb.broken)
		die(EXIT_BAD,
		    "%s; nothing written (the AVB data cannot be redone for a changed image)",
		    rp->avb.broken);
	if (o->avb_key && !rp->avb.present)
		die(EXIT_USAGE, "--avb-key: %s has no AVB footer to sign", rp->src);
	if (o->no_mtk)
		for (int i = 0; i < BP_COUNT; i++)
			rp->part[i].has_mtk = false;
	patch_table(rp);
	repack_layout(rp, o, g);
	pl->img = rp->img;
	if (rp->wrap_raw)
		pl->prefix = (struct piece){.mem = rp->wrap_raw, .len = rp->wrap.size};
	for (int i = 0; i < BP_COUNT; i++)
		if (rp->part[i].present)
			plan_part(rp, pl, (enum bootimg_part)i, mtk[i]);
	if (image_plan_layout(pl, &d))
		die_diag(o->out, &d);
	pl->hdr = rp->hdr;
	pl->id_mode = pick_id(rp);
	plan_trailer(rp, pl);
	if (rp->part[BP_SIGNATURE].present && (any_changed(rp) || rp->header_changed))
		warnmsg("the boot signature section (GKI) no longer matches the new contents");
	limit_resolve(&lim, o->part_size, o->scatter, o->partition, "BOOTIMG");
	limit_check(&lim, rp->avb.present ? rp->orig_size : image_plan_size(pl), o->out);
	size_cap(rp->avb.present ? rp->orig_size : image_plan_size(pl), o->out);
	write_rebuilt(rp, o, pl);
	printf("%s: %" PRIu64 " bytes, header v%" PRIu32 "%s%s%s\n", o->out,
	       rp->avb.present ? rp->orig_size : image_plan_size(pl), pl->img.version,
	       any_changed(rp) ? ", sections replaced"
	       : rp->damaged   ? ", damaged sections rewritten as they are"
			       : ", sections unchanged",
	       pl->id_mode == ID_KEEP ? "" : ", id computed",
	       !rp->avb.present ? ""
	       : o->avb_key	? ", AVB signed"
				: ", AVB signature stale");
	free(pl);
}

static const char repack_usage[] =
    "usage: bootimg repack SOURCE -o OUT [options]\n"
    "SOURCE is a folder made by 'bootimg unpack' or a boot/vendor_boot image.\n"
    "With nothing changed, OUT is SOURCE's image byte for byte.\n"
    "  --kernel F --ramdisk F --second F --dtb F --recovery_dtbo F\n"
    "  --vendor_ramdisk F --bootconfig F   replace a section (MTK header kept)\n"
    "  --cmdline S --name S --os_version A.B.C --os_patch_level YYYY-MM\n"
    "  --cmdline-set KEY=VALUE|KEY --cmdline-remove KEY   one key of the command line\n"
    "                          (a vendor_boot's: the vendor command line); repeatable;\n"
    "                          refused: what the kernel would split or read otherwise\n"
    "                          (control bytes such as \\v, a lone or opening quote)\n"
    "  --bootconfig-set KEY=VALUE --bootconfig-remove KEY   one line of a vendor_boot\n"
    "                          v4's bootconfig; repeatable; already so: no change;\n"
    "                          refused: a newline or control byte, a bad quote\n"
    "  --no-mtk                drop the MediaTek headers\n"
    "  --avb-key KEY.pem [--avb-algorithm SHA256_RSA4096]   sign the AVB vbmeta again\n"
    "  --partition-size N | --scatter F [--partition NAME]   refuse if too big\n"
    "  --loader SPEC | --profile P   where the bootloader puts the parts (default:\n"
    "                          header): a changed image whose parts overlap there is\n"
    "                          refused (README \"Brick safety\")\n"
    "  --allow-overlap         write it anyway\n"
    "  --lk-shim FILE          bootkit's entry shim in front of a zImage where the\n"
    "                          loader's memory start is one it cannot use\n";

enum repack_opt {
	R_SOURCE,
	R_OUT,
	R_CMDLINE,
	R_NAME,
	R_OSV,
	R_OSP,
	R_NOMTK,
	R_PSIZE,
	R_SCAT,
	R_PART,
	R_HELP,
	R_AVB_KEY,
	R_AVB_ALG,
	R_LOADER,
	R_PROFILE,
	R_ALLOW_OVERLAP,
	R_LK_SHIM,
	R_EDIT = 50,  /* + enum kv_kind */
	R_FILE = 100, /* + enum bootimg_part */
};

static void parse_repack_opts(int argc, char **argv, struct repack_opts *ro, const char **src)
{
	static const struct opt o[] = {
	    {"output", 'o', true, R_OUT},
	    {"cmdline", 0, true, R_CMDLINE},
	    {"name", 0, true, R_NAME},
	    {"board", 0, true, R_NAME},
	    {"os_version", 0, true, R_OSV},
	    {"os_patch_level", 0, true, R_OSP},
	    {"no_mtk", 0, false, R_NOMTK},
	    {"partition_size", 0, true, R_PSIZE},
	    {"scatter", 0, true, R_SCAT},
	    {"partition", 0, true, R_PART},
	    {"help", 'h', false, R_HELP},
	    {"avb_key", 0, true, R_AVB_KEY},
	    {"avb_algorithm", 0, true, R_AVB_ALG},
	    {"loader", 0, true, R_LOADER},
	    {"profile", 0, true, R_PROFILE},
	    {"allow_overlap", 0, false, R_ALLOW_OVERLAP},
	    {"lk_shim", 0, true, R_LK_SHIM},
	    {"cmdline_set", 0, true, R_EDIT + KV_CMD_SET},
	    {"cmdline_remove", 0, true, R_EDIT + KV_CMD_RM},
	    {"bootconfig_set", 0, true, R_EDIT + KV_BC_SET},
	    {"bootconfig_remove", 0, true, R_EDIT + KV_BC_RM},
	    {"kernel", 0, true, R_FILE + BP_KERNEL},
	    {"ramdisk", 0, true, R_FILE + BP_RAMDISK},
	    {"second", 0, true, R_FILE + BP_SECOND},
	    {"dtb", 0, true, R_FILE + BP_DTB},
	    {"recovery_dtbo", 0, true, R_FILE + BP_RECOVERY_DTBO},
	    {"vendor_ramdisk", 0, true, R_FILE + BP_VENDOR_RAMDISK},
	    {"bootconfig", 0, true, R_FILE + BP_BOOTCONFIG},
	    {0},
	};
	struct opt_state s;
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum repack_opt)(id >= R_FILE ? R_FILE : id >= R_EDIT ? R_EDIT : id)) {
		case R_SOURCE:
			if (*src)
				die(EXIT_USAGE, "repack: one SOURCE only");
			*src = s.arg;
			break;
		case R_OUT: ro->out = s.arg; break;
		case R_CMDLINE: ro->cmdline = s.arg; break;
		case R_NAME: ro->name = s.arg; break;
		case R_OSV: ro->os_version = s.arg; break;
		case R_OSP: ro->os_patch = s.arg; break;
		case R_NOMTK: ro->no_mtk = true; break;
		case R_PSIZE: ro->part_size = s.arg; break;
		case R_SCAT: ro->scatter = s.arg; break;
		case R_PART: ro->partition = s.arg; break;
		case R_HELP: fputs(repack_usage, stdout); exit(0);
		case R_AVB_KEY: ro->avb_key = s.arg; break;
		case R_AVB_ALG: ro->avb_alg = s.arg; break;
		case R_LOADER: ro->loader = s.arg; break;
		case R_PROFILE: ro->profile = s.arg; break;
		case R_ALLOW_OVERLAP: ro->allow_overlap = true; break;
		case R_LK_SHIM: ro->lk_shim = s.arg; break;
		case R_FILE: ro->file[id - R_FILE] = s.arg; break;
		case R_EDIT:
			if (ro->nedit == REPACK_MAX_EDITS)
				die(EXIT_USAGE, "at most %d --cmdline-*/--bootconfig-* edits",
				    REPACK_MAX_EDITS);
			ro->edit[ro->nedit++] =
			    (struct kv_edit){(enum kv_kind)(id - R_EDIT), s.arg};
			break;
		}
	}
	if (!*src || !ro->out)
		die(EXIT_USAGE, "%s", repack_usage);
	if (ro->avb_alg && !ro->avb_key)
		die(EXIT_USAGE, "--avb-algorithm needs --avb-key");
	if (ro->avb_alg && !avb_alg_by_name(ro->avb_alg))
		die(EXIT_USAGE,
		    "--avb-algorithm: unknown \"%s\" (SHA256_RSA2048, SHA256_RSA4096, "
		    "SHA256_RSA8192, SHA512_RSA2048...)",
		    ro->avb_alg);
}

int cmd_bootimg_repack(int argc, char **argv)
{
	struct repack_opts ro = {0};
	struct repack *rp = calloc(1, sizeof(*rp));
	struct layout_gate *g = calloc(1, sizeof(*g));
	const char *src = NULL;
	struct stat st;

	if (!rp || !g)
		die(EXIT_BAD, "out of memory");
	parse_repack_opts(argc, argv, &ro, &src);
	g->n = layout_models(ro.loader, ro.profile, g->m);
	g->refuse = true;
	g->allow = ro.allow_overlap;
	if (ro.lk_shim)
		layout_gate_shim(g, ro.lk_shim);
	rp->src = src;
	rp->dirfd = rp->orig_fd = -1;
	rp->ramdisk_given = ro.file[BP_RAMDISK] != NULL;
	if (stat(src, &st))
		die(EXIT_BAD, "%s: %s", src, strerror(errno));
	if (S_ISDIR(st.st_mode))
		from_dir(rp, src);
	else
		from_image(rp, src);
	repack_layout_source(rp, g);
	apply_files(rp, &ro);
	apply_header(rp, &ro);
	apply_cmdline_edits(rp, &ro);
	apply_bootconfig_edits(rp, &ro);
	if (!opts_change(&ro) && !any_changed(rp) && !rp->header_changed)
		repack_exact(rp, &ro);
	else
		repack_rebuild(rp, &ro, g);
	inputs_close(&rp->in);
	layout_gate_free(g);
	free(g);
	if (rp->dirfd >= 0)
		close(rp->dirfd);
	free(rp->hdr);
	free(rp->table);
	free(rp->wrap_raw);
	free(rp->avb.blob);
	free(rp->bootconfig_buf);
	free(rp->tree_buf);
	free(rp);
	return 0;
}
