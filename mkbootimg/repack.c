/* repack.c - the repack model (repack.h): read the source (an image or an
 * unpacked folder) into pieces, and apply the changes asked for. Writing is
 * in repack_write.c. */
#include "mkbootimg/repack.h"

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
#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/kcmdline.h"
#include "lib/strfmt.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/manifest.h"
#include "mkbootimg/rdtree.h"
#include "mkbootimg/repack_internal.h"

void repack_note(struct repack *rp, bool info, const char *fmt, ...)
{
	va_list ap;

	if (rp->nnote == REPACK_NOTES_MAX) {
		rp->nlost++;
		return;
	}
	rp->note[rp->nnote].info = info;
	va_start(ap, fmt);
	vstrfmt_show(rp->note[rp->nnote++].msg, REPACK_NOTE_MAX, fmt, ap);
	va_end(ap);
}

int repack_nomem(struct diag *d)
{
	return diag_set(d, -ENOMEM, "out of memory");
}

int repack_usage(struct repack *rp, struct diag *d, const char *fmt, ...)
{
	va_list ap;

	rp->usage = true;
	va_start(ap, fmt);
	diag_vset(d, -EINVAL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int keep_fd(struct repack *rp, int fd, struct diag *d);

/* A file of the folder read into memory is kept open all the same: no
 * output may land on it. */
static int keep_at(struct repack *rp, const char *name, struct diag *d)
{
	uint64_t size;
	int fd, r;

	if ((r = file_open_ro_at(rp->dirfd, name, &fd, &size, d)) < 0)
		return diag_prefix(d, "%s/%s", rp->src, name), r;
	return keep_fd(rp, fd, d);
}

static int keep_fd(struct repack *rp, int fd, struct diag *d)
{
	if (rp->nfd == REPACK_FDS_MAX) {
		close(fd);
		return diag_set(d, -EMFILE, "%s: more than %d input files", rp->src,
				REPACK_FDS_MAX);
	}
	rp->fd[rp->nfd++] = fd;
	return 0;
}

/* ---- repack from an image ----------------------------------------------------------- */

/* vendor_boot v4: the table as bytes (so sizes can be patched) and, when the
 * entries tile the section, one piece per fragment. */
static int from_image_table(struct repack *rp, const struct image *im, struct diag *d)
{
	const struct bootimg_section *t = im->part[BP_TABLE].s;
	const struct image_part *v = &im->part[BP_VENDOR_RAMDISK];
	uint64_t pos = 0;

	if (!t)
		return 0;
	rp->table = malloc(t->size ? t->size : 1);
	rp->table_len = t->size;
	if (!rp->table || read_at(im->fd, rp->table, t->size, t->offset))
		return diag_set(d, -EIO, "%s: cannot read the vendor ramdisk table", im->path);
	for (unsigned i = 0; i < im->nvrd; i++) {
		if (im->vrd[i].offset != pos || pos + im->vrd[i].size > v->avail)
			return rp->nfrag = 0, 0;
		rp->frag[i] =
		    (struct piece){.fd = im->fd, .off = v->s->offset + pos, .len = im->vrd[i].size};
		pos += im->vrd[i].size;
		rp->nfrag = i + 1;
	}
	if (pos != v->s->size)
		rp->nfrag = 0;
	return 0;
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

/* An AVB footer or vbmeta that does not hold together is kept as found: a
 * repack with nothing changed copies it; one that changes anything refuses
 * (repack_plan), as the hash and the layout cannot be redone from it. */
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

/* The AVB data at the end of the trailer (file bytes [tstart, tstart+t->len)
 * of a file of size bytes): footer, vbmeta, and what the hash covers after
 * the image end. */
static int avb_load(struct repack *rp, const struct piece *t, uint64_t tstart, uint64_t size,
		    struct diag *d)
{
	struct rp_avb *a = &rp->avb;
	uint8_t foot[AVB_FOOTER_SIZE];
	struct diag why;

	if (t->len < AVB_FOOTER_SIZE ||
	    read_at(t->fd, foot, AVB_FOOTER_SIZE, t->off + t->len - AVB_FOOTER_SIZE))
		return diag_set(d, -EIO, "%s: cannot read the AVB footer", rp->src);
	if (avb_footer_parse(foot, sizeof(foot), size, &a->f, &why) < 0)
		return avb_broken(rp, "%s: %s", rp->src, why.msg), 0; /* why: field, offset */
	if (a->f.vbmeta_offset < tstart || a->f.original_image_size > a->f.vbmeta_offset ||
	    a->f.original_image_size < tstart) {
		avb_broken(rp,
			   "%s: AVB footer @0x%" PRIx64 ": vbmeta at 0x%" PRIx64
			   " and original_image_size %" PRIu64
			   " do not follow the image (it ends at 0x%" PRIx64 ")",
			   rp->src, size - AVB_FOOTER_SIZE, a->f.vbmeta_offset,
			   a->f.original_image_size, tstart);
		return 0;
	}
	if (!(a->blob = malloc(a->f.vbmeta_size)))
		return repack_nomem(d);
	if (read_at(t->fd, a->blob, a->f.vbmeta_size, t->off + (a->f.vbmeta_offset - tstart)))
		return diag_set(d, -EIO, "%s: cannot read the vbmeta image", rp->src);
	if (avb_vbmeta_parse(a->blob, a->f.vbmeta_size, a->f.vbmeta_offset, &a->vb, &why) < 0)
		return avb_broken(rp, "%s: %s", rp->src, why.msg), 0;
	a->inner = (struct piece){
	    .fd = t->fd,
	    .off = t->off,
	    .len = a->f.original_image_size > tstart ? a->f.original_image_size - tstart : 0};
	a->present = true;
	return 0;
}

/* What the loaded image tells the model; the image keeps its fd and header
 * for the model (they are not freed with it). */
static int take_image(struct repack *rp, struct image *im, struct diag *d)
{
	int r;

	for (unsigned i = 0; i < im->nwarn; i++)
		repack_note(rp, false, "%s: %s", rp->src, im->warn[i]);
	rp->wrap = im->wrap;
	rp->wrap_raw = im->wrap_raw;
	im->wrap_raw = NULL;
	rp->orig_body = im->img.end - im->wrap.size;
	rp->fd[rp->nfd++] = rp->orig_fd = im->fd; /* from_image takes it from im */
	rp->hdr = im->hdr;
	im->hdr = NULL;
	rp->hdr_len = im->img.header_len;
	rp->img = im->img;
	rp->orig_size = im->size;
	rp->damaged = im->nwarn > 0;
	rp->had_id = im->has_id, rp->id_sha256 = im->id_sha256;
	for (unsigned i = 0; i < im->img.nsect; i++)
		from_image_part(rp, im, &im->img.sect[i]);
	if (im->tr.size) {
		rp->trailer =
		    (struct piece){.fd = rp->orig_fd, .off = im->tr.start, .len = im->tr.size};
		rp->trailer_is_pad = im->tr.n == 1 && (im->tr.item[0].kind == TR_ZERO ||
						       im->tr.item[0].kind == TR_FF);
		rp->trailer_byte = im->tr.item[0].kind == TR_FF ? 0xff : 0;
	}
	if ((r = from_image_table(rp, im, d)) < 0)
		return r;
	for (unsigned i = 0; i < im->tr.n; i++)
		rp->avb.orphan = rp->avb.orphan || im->tr.item[i].kind == TR_VBMETA_NO_FOOTER;
	if (im->tr.has_avb)
		return avb_load(rp, &rp->trailer, im->tr.start, im->size, d);
	return 0;
}

static int from_image(struct repack *rp, const char *path, struct diag *d)
{
	struct image *im = calloc(1, sizeof(*im));
	int r;

	if (!im)
		return repack_nomem(d);
	/* Neither the stored id nor appended DTBs matter here: the id is
	 * recomputed if a section changes and kept otherwise. */
	r = image_try_load_flags(im, path, IMAGE_NO_ID | IMAGE_NO_DTB_SCAN, d);
	if (r < 0)
		diag_prefix(d, "%s", path);
	else
		r = take_image(rp, im, d), im->fd = -1;
	image_free(im);
	free(im);
	return r;
}

/* ---- repack from an unpacked folder ---------------------------------------------------- */

static int dir_piece(struct repack *rp, const char *name, struct piece *pc, struct diag *d)
{
	uint64_t size;
	int fd, r;

	if ((r = file_open_ro_at(rp->dirfd, name, &fd, &size, d)) < 0)
		return diag_prefix(d, "%s/%s", rp->src, name), r;
	*pc = (struct piece){.fd = fd, .len = size};
	return keep_fd(rp, fd, d);
}

/* Is the file now in the folder the one unpack wrote? 1 yes, 0 no, or -errno. */
static int piece_matches(const struct repack *rp, const struct piece *pc, const struct mf_file *f,
			 struct diag *d)
{
	uint8_t sha[32];
	int r;

	if (pc->len != f->size)
		return 0;
	if ((r = sha256_range(pc->fd, 0, pc->len, sha)) < 0)
		return diag_set(d, r, "%s/%s: %s", rp->src, f->name, strerror(-r));
	return !memcmp(sha, f->sha256, sizeof(sha));
}

/* A folder's file in place of the one unpack wrote: *changed when it differs. */
static int dir_file(struct repack *rp, const struct mf_file *f, struct piece *pc, bool *changed,
		    struct diag *d)
{
	int r = dir_piece(rp, f->name, pc, d);

	if (r < 0 || (r = piece_matches(rp, pc, f, d)) < 0)
		return r;
	*changed |= !r;
	return 0;
}

static int read_mtk(struct repack *rp, const char *name, uint8_t *out, struct diag *d)
{
	uint8_t *b;
	size_t n;
	int r;

	if ((r = file_read_small_at(rp->dirfd, name, MTK_HDR_SIZE, &b, &n, d)) < 0)
		return diag_prefix(d, "%s/%s", rp->src, name), r;
	if (n != MTK_HDR_SIZE || !mtk_hdr_present(b, n))
		r = diag_set(d, -EINVAL, "%s/%s: not a 512-byte MediaTek header", rp->src, name);
	else
		memcpy(out, b, MTK_HDR_SIZE);
	free(b);
	return r < 0 ? r : keep_at(rp, name, d);
}

static int dir_part(struct repack *rp, const struct manifest *m, enum bootimg_part i,
		    struct diag *d)
{
	const struct mf_part *mp = &m->part[i];
	struct rp_part *p = &rp->part[i];
	int r;

	p->present = true;
	if ((r = dir_file(rp, &mp->data, &p->data, &p->changed, d)) < 0)
		return r;
	if (*mp->dtb.name && (r = dir_file(rp, &mp->dtb, &p->dtb, &p->changed, d)) < 0)
		return r;
	if (*mp->mtk && (p->has_mtk = true) && (r = read_mtk(rp, mp->mtk, p->mtk_raw, d)) < 0)
		return r;
	if (*mp->slack && (r = dir_piece(rp, mp->slack, &p->slack, d)) < 0)
		return r;
	if (*mp->pad && (p->has_pad = true) && (r = dir_piece(rp, mp->pad, &p->pad, d)) < 0)
		return r;
	return 0;
}

/* The header file: its fields (sizes are checked against the parts later,
 * not against this file); one cut inside its page is filled with zeros. */
static int dir_header(struct repack *rp, const struct manifest *m, struct diag *d)
{
	const char *name = m->header.name;
	size_t n;
	int r;

	if ((r = file_read_small_at(rp->dirfd, name, BOOTIMG_MAX_PAGE * 4, &rp->hdr, &n, d)) < 0 ||
	    (r = bootimg_parse_flags(rp->hdr, n, UINT64_MAX / 4, BOOTIMG_TOLERANT, &rp->img, d)))
		return diag_prefix(d, "%s/%s", rp->src, name), r < 0 ? r : -EINVAL;
	if (n > rp->img.header_len || (n < rp->img.header_len && m->size >= rp->img.header_len))
		return diag_set(d, -EINVAL, "%s/%s: %zu bytes, the header takes %" PRIu64, rp->src,
				name, n, rp->img.header_len);
	if ((r = keep_at(rp, name, d)) < 0)
		return r;
	if (m->header_summed) {
		uint8_t sha[32];
		struct bootid h;

		if (bootid_begin(&h, true))
			return repack_nomem(d);
		bootid_update(&h, rp->hdr, n);
		bootid_end(&h, sha);
		rp->header_changed = n != m->header.size || memcmp(sha, m->header.sha256, 32);
	}
	if (n < rp->img.header_len) { /* the image was cut inside its header page */
		uint8_t *full = calloc(1, rp->img.header_len);

		if (!full)
			return repack_nomem(d);
		memcpy(full, rp->hdr, n);
		free(rp->hdr);
		rp->hdr = full;
		rp->damaged = true;
	}
	rp->hdr_len = rp->img.header_len;
	for (unsigned i = 0; i < rp->img.nsect; i++)
		rp->part[rp->img.sect[i].part].size = rp->img.sect[i].size;
	return 0;
}

static int dir_table(struct repack *rp, const struct manifest *m, struct diag *d)
{
	struct rp_part *t = &rp->part[BP_TABLE];
	int r;

	if ((r = file_read_small_at(rp->dirfd, m->table, 1 << 20, &rp->table, &rp->table_len, d)))
		return diag_prefix(d, "%s/%s", rp->src, m->table), r;
	if ((r = keep_at(rp, m->table, d)) < 0)
		return r;
	t->present = true;
	if (*m->table_pad && (t->has_pad = true))
		return dir_piece(rp, m->table_pad, &t->pad, d);
	return 0;
}

static int dir_wrapper(struct repack *rp, const struct manifest *m, struct diag *d)
{
	size_t n;
	int r;

	if ((r = file_read_small_at(rp->dirfd, m->wrapper, NOOK_SIZE, &rp->wrap_raw, &n, d)))
		return diag_prefix(d, "%s/%s", rp->src, m->wrapper), r;
	wrapper_detect(rp->wrap_raw, n, UINT64_MAX, &rp->wrap);
	if ((int)rp->wrap.kind != m->wrapper_kind || rp->wrap.size != n)
		return diag_set(d, -EINVAL, "%s/%s: not the %zu-byte pre-header the manifest names",
				rp->src, m->wrapper, n);
	return keep_at(rp, m->wrapper, d);
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
static int dir_tree(struct repack *rp, const struct manifest *m, struct diag *d)
{
	struct rp_part *p = &rp->part[BP_RAMDISK];
	char comp[COMP_NAME_MAX];
	uint64_t size;
	uint8_t *out;
	unsigned added;
	struct diag why;
	size_t n;
	int fd, r;

	if (rp->ramdisk_given)
		return 0;
	if (strcmp(m->tree_dir, RDTREE_DIR) || strcmp(m->tree.name, RDTREE_SPEC) || !p->present)
		return diag_set(d, -EINVAL,
				"%s/" MANIFEST_NAME ": tree: want \"tree " RDTREE_DIR
				" " RDTREE_SPEC " SIZE SHA256\" and a ramdisk part",
				rp->src);
	if ((r = file_open_ro_at(rp->dirfd, RDTREE_SPEC, &fd, &size, &why)) < 0)
		return diag_set(d, r,
				"%s/" RDTREE_SPEC
				": %s (the manifest has a tree line: unpack --tree "
				"again, or drop that line to repack without the tree)",
				rp->src, why.msg);
	if ((r = keep_fd(rp, fd, d)) < 0)
		return r;
	/* the tree's folder is an input too: no output lands inside it */
	fd = openat(rp->dirfd, RDTREE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (r = keep_fd(rp, fd, d)) < 0)
		return r;
	if ((r = rdtree_build(rp->src, rp->dirfd, m->tree.size, m->tree.sha256, rp->mtime, &out, &n,
			      comp, &added, d)) < 0)
		return diag_prefix(d, "%s", rp->src), r;
	if (!out)
		return 0; /* the tree is as unpacked: the ramdisk file stands */
	if (p->changed)
		return free(out), diag_set(d, -EINVAL,
					   "%s: both the ramdisk file and " RDTREE_DIR
					   "/" RDTREE_SPEC " changed: restore one of them",
					   rp->src);
	rp->tree_buf = out;
	p->data = (struct piece){.mem = out, .len = n};
	p->changed = true;
	p->has_pad = false;
	p->slack = (struct piece){0};
	if (!added)
		repack_note(rp, true,
			    "%s: ramdisk rebuilt from " RDTREE_DIR " and " RDTREE_SPEC
			    ": %zu bytes, %s",
			    rp->src, n, comp);
	else
		repack_note(rp, true,
			    "%s: ramdisk rebuilt from " RDTREE_DIR " and " RDTREE_SPEC
			    ": %zu bytes, %s, %u new entr%s from " RDTREE_DIR
			    " (owner 0:0, their mode)",
			    rp->src, n, comp, added, added == 1 ? "y" : "ies");
	return 0;
}

/* The manifest's size against the header's layout, the trailer file and the
 * cap, before anything is written. The original file was the pre-header, the
 * header's sections to their last page and trailer.bin (or less: an image cut
 * short has no trailer); a size claiming more (1 TiB, with a trailer.bin
 * sized to match, or a padding trailer to fill up to it) is refused, never
 * written toward. */
static int dir_check_size(const struct repack *rp, const struct manifest *m, struct diag *d)
{
	uint64_t layout = rp->wrap.size + rp->img.end, have = layout + rp->trailer.len;

	if (m->size > REPACK_IMAGE_MAX)
		return diag_set(d, -EFBIG,
				"%s/" MANIFEST_NAME ": size %" PRIu64 ": past the %llu MiB a boot "
				"image may be; nothing written",
				rp->src, m->size, REPACK_IMAGE_MAX >> 20);
	if (rp->trailer.len ? m->size != have : m->size > layout)
		return diag_set(d, -EINVAL,
				"%s/" MANIFEST_NAME ": size %" PRIu64
				", but the header's layout%s make%s %" PRIu64
				" bytes; nothing written",
				rp->src, m->size, rp->trailer.len ? " and the trailer" : "",
				rp->trailer.len ? "" : "s", have);
	return 0;
}

/* The vendor ramdisk: its fragment files (v4), or one part. */
static int dir_vendor_ramdisk(struct repack *rp, const struct manifest *m, struct diag *d)
{
	int r = 0;

	if (!m->nfrag)
		return m->part[BP_VENDOR_RAMDISK].present ? dir_part(rp, m, BP_VENDOR_RAMDISK, d)
							  : 0;
	rp->part[BP_VENDOR_RAMDISK].present = true;
	for (unsigned k = 0; k < m->nfrag && !r; k++)
		r = dir_file(rp, &m->frag[k], &rp->frag[k], &rp->frag_changed, d);
	rp->nfrag = m->nfrag;
	return r;
}

static int dir_trailer(struct repack *rp, const struct manifest *m, struct diag *d)
{
	int r;

	if (m->trailer_kind == MF_TRAILER_NONE)
		return 0;
	if ((r = dir_piece(rp, m->trailer, &rp->trailer, d)) < 0)
		return r;
	rp->trailer_is_pad = m->trailer_kind != MF_TRAILER_DATA;
	rp->trailer_byte = m->trailer_kind == MF_TRAILER_PADFF ? 0xff : 0;
	if (!rp->trailer_is_pad && trailer_has_footer(&rp->trailer))
		return avb_load(rp, &rp->trailer, m->size - rp->trailer.len, m->size, d);
	return 0;
}

static int dir_parts(struct repack *rp, const struct manifest *m, struct diag *d)
{
	int r = 0;

	for (int i = 0; i < BP_COUNT && !r; i++)
		if (m->part[i].present && i != BP_VENDOR_RAMDISK)
			r = dir_part(rp, m, (enum bootimg_part)i, d);
	if (!r)
		r = dir_vendor_ramdisk(rp, m, d);
	if (!r && *m->table)
		r = dir_table(rp, m, d);
	if (!r)
		r = dir_trailer(rp, m, d);
	if (!r)
		r = dir_check_size(rp, m, d);
	if (!r && m->has_tree)
		r = dir_tree(rp, m, d);
	return r;
}

static int from_dir(struct repack *rp, const char *dir, struct diag *d)
{
	struct manifest *m = calloc(1, sizeof(*m));
	uint8_t *text = NULL;
	struct diag why;
	size_t len;
	int r;

	if (!m)
		return repack_nomem(d);
	if ((rp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		r = diag_set(d, -errno, "%s: %s", dir, strerror(errno));
	else if ((r = file_read_small_at(rp->dirfd, MANIFEST_NAME, MANIFEST_MAX, &text, &len, d)))
		diag_prefix(d, "%s/" MANIFEST_NAME, dir);
	else if ((r = manifest_parse((const char *)text, len, m, &why)))
		diag_set(d, r, "%s/" MANIFEST_NAME ":%s", dir, why.msg); /* why: "LINE: ..." */
	else if (!(r = keep_at(rp, MANIFEST_NAME, d)) && !(r = dir_header(rp, m, d))) {
		rp->orig_size = m->size;
		rp->orig_body = rp->img.end;
		if (!*m->wrapper || !(r = dir_wrapper(rp, m, d))) {
			rp->had_id = m->has_id, rp->id_sha256 = m->id_sha256;
			rp->id_stale = m->has_id && !m->id_ok;
			r = dir_parts(rp, m, d);
		}
	}
	free(text);
	free(m);
	return r < 0 ? r : r ? -EINVAL : 0;
}

int repack_open(struct repack *rp, const char *src, bool ramdisk_given, uint32_t mtime,
		struct diag *d)
{
	struct stat st;

	memset(rp, 0, sizeof(*rp));
	rp->opened = true;
	rp->src = src;
	rp->dirfd = rp->orig_fd = -1;
	rp->ramdisk_given = ramdisk_given;
	rp->mtime = mtime;
	if (stat(src, &st))
		return diag_set(d, -errno, "%s: %s", src, strerror(errno));
	return S_ISDIR(st.st_mode) ? from_dir(rp, src, d) : from_image(rp, src, d);
}

void repack_free(struct repack *rp)
{
	if (!rp->opened)
		return; /* never opened: nothing held (a zeroed struct's fd 0 is not ours) */
	for (unsigned i = 0; i < rp->nfd; i++)
		close(rp->fd[i]);
	rp->nfd = 0;
	if (rp->dirfd >= 0)
		close(rp->dirfd);
	rp->dirfd = -1;
	free(rp->hdr);
	free(rp->table);
	free(rp->wrap_raw);
	free(rp->avb.blob);
	free(rp->bootconfig_buf);
	free(rp->tree_buf);
	avb_key_free(rp->key);
	rp->key = NULL;
	rp->hdr = rp->table = rp->wrap_raw = rp->avb.blob = NULL;
	rp->bootconfig_buf = rp->tree_buf = NULL;
}

/* ---- what changed ----------------------------------------------------------------- */

bool repack_sections_changed(const struct repack *rp)
{
	if (rp->frag_changed)
		return true;
	for (int i = 0; i < BP_COUNT; i++)
		if (rp->part[i].changed)
			return true;
	return false;
}

bool repack_unchanged(const struct repack *rp, const struct repack_changes *c)
{
	for (int i = 0; i < BP_COUNT; i++)
		if (c->file[i])
			return false;
	return !(c->cmdline || c->name || c->os_version || c->os_patch || c->no_mtk || c->avb_key ||
		 repack_sections_changed(rp) || rp->header_changed);
}

static int apply_file(struct repack *rp, enum bootimg_part i, const char *path, struct diag *d)
{
	struct rp_part *p = &rp->part[i];
	uint64_t size;
	int fd, r;

	if (rp->img.kind == BOOTIMG_VENDOR && i != BP_DTB && i != BP_BOOTCONFIG &&
	    i != BP_VENDOR_RAMDISK)
		return repack_usage(rp, d, "a vendor_boot image has no %s", bootimg_part_name(i));
	if (i == BP_VENDOR_RAMDISK && rp->table && rp->nfrag != 1)
		return repack_usage(rp, d,
				    "--vendor_ramdisk: this image has %u ramdisk fragments; "
				    "unpack it and replace the fragment files",
				    rp->nfrag);
	if ((r = file_open_ro(path, &fd, &size, d)) < 0)
		return diag_prefix(d, "%s", path), r;
	if ((r = keep_fd(rp, fd, d)) < 0)
		return r;
	p->data = (struct piece){.fd = fd, .len = size};
	p->present = p->changed = true;
	p->has_pad = false;
	p->slack = (struct piece){0};
	p->dtb = (struct piece){0}; /* the file is the whole section payload */
	if (i == BP_VENDOR_RAMDISK && rp->nfrag == 1)
		rp->frag[0] = p->data;
	return 0;
}

static int apply_header(struct repack *rp, const struct repack_changes *c, struct diag *d)
{
	struct bootimg *g = &rp->img;
	struct diag why;
	uint32_t v;

	if (c->cmdline) {
		if (bootimg_set_cmdline(g, c->cmdline, strlen(c->cmdline), &why))
			return repack_usage(rp, d, "--cmdline: %s", why.msg);
		rp->header_changed = true;
	}
	if (c->name) {
		if (strlen(c->name) >= BOOT_NAME_SIZE ||
		    (g->kind == BOOTIMG_BOOT && g->version >= 3))
			return repack_usage(rp, d,
					    "--name: too long, or no name field in this header");
		memset(g->name, 0, BOOT_NAME_SIZE);
		memcpy(g->name, c->name, strlen(c->name));
	}
	if (c->os_version) {
		if (bootimg_os_version_parse(c->os_version, &v))
			return repack_usage(rp, d, "--os_version: \"%s\" is not A.B.C",
					    c->os_version);
		g->os_version = v << 11 | (g->os_version & 0x7ff);
	}
	if (c->os_patch) {
		if (bootimg_os_patch_parse(c->os_patch, &v))
			return repack_usage(rp, d, "--os_patch_level: \"%s\" is not YYYY-MM",
					    c->os_patch);
		g->os_version = (g->os_version & ~0x7ffu) | v;
	}
	return 0;
}

int repack_apply(struct repack *rp, const struct repack_changes *c, struct diag *d)
{
	int r = 0;

	rp->usage = false;
	for (int i = 0; i < BP_COUNT && !r; i++)
		if (c->file[i])
			r = apply_file(rp, (enum bootimg_part)i, c->file[i], d);
	if (!r)
		r = apply_header(rp, c, d);
	if (!r)
		r = repack_apply_cmdline_edits(rp, c, d);
	if (!r)
		r = repack_apply_bootconfig_edits(rp, c, d);
	if (!r && c->avb_key && !rp->avb.present && !*rp->avb.broken)
		return repack_usage(rp, d, "--avb-key: %s has no AVB footer to sign", rp->src);
	if (!r && c->avb_key && !rp->key) /* read now: a bad key is said before any write */
		r = repack_keep_input(rp, c->avb_key, d);
	if (!r && c->avb_key && !rp->key && (r = avb_key_load(c->avb_key, &rp->key, d)) < 0)
		diag_prefix(d, "%s", c->avb_key);
	return r;
}

int repack_keep_input(struct repack *rp, const char *path, struct diag *d)
{
	uint64_t size;
	int fd, r;

	if ((r = file_open_ro(path, &fd, &size, d)) < 0)
		return diag_prefix(d, "%s", path), r;
	return keep_fd(rp, fd, d);
}
