/* repack_write.c - the repack model written (repack.h): the exact copy, the
 * rebuilt image's plan (sections, id, what follows the image) and the AVB
 * data made again; the layout facts for the check before. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/repack_internal.h"
#include "mkbootimg/trailer.h"

/* ---- exact: nothing changed ------------------------------------------------------------- */

struct cut_writer {
	int fd;
	uint64_t left; /* bytes still to write before the original size is reached */
	uint64_t done; /* bytes written */
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
	w->done += n;
}

static void cw_zeros(struct cut_writer *w, uint64_t len)
{
	uint64_t n = len < w->left ? len : w->left;

	if (w->err || !n)
		return;
	w->err = write_zeros(w->fd, n);
	w->left -= n;
	w->done += n;
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
	if (written < s->size) /* the file ended inside this section: so does the copy */
		w->left = 0;
	else if (p->has_pad)
		cw_piece(w, &p->pad);
	else
		cw_zeros(w, s->padded - s->size);
}

/* The folder's bytes in image order, cut at the original size. */
static int write_exact_dir(const struct repack *rp, int fd, struct diag *d)
{
	struct cut_writer w = {.fd = fd, .left = rp->orig_size};

	if (rp->wrap_raw)
		cw_piece(&w, &(struct piece){.mem = rp->wrap_raw, .len = rp->wrap.size});
	cw_piece(&w, &(struct piece){.mem = rp->hdr, .len = rp->hdr_len});
	for (unsigned i = 0; i < rp->img.nsect; i++)
		cw_section(&w, rp, &rp->img.sect[i]);
	cw_piece(&w, &rp->trailer);
	if (w.err)
		return diag_set(d, w.err, "%s: writing the copy: %s", rp->src, strerror(-w.err));
	if (w.done != rp->orig_size) /* short of the size the manifest gives */
		return diag_set(d, -EINVAL,
				"%s: the folder holds %" PRIu64
				" bytes less than the original %" PRIu64 "; not reproduced",
				rp->src, rp->orig_size - w.done, rp->orig_size);
	return 0;
}

/* Every repack's output within REPACK_IMAGE_MAX, checked before it is opened. */
static int size_cap(uint64_t size, const char *out, struct diag *d)
{
	if (size <= REPACK_IMAGE_MAX)
		return 0;
	return diag_set(d, -EFBIG,
			"%s: %" PRIu64 " bytes, past the %llu MiB a boot image may be; nothing "
			"written",
			out, size, REPACK_IMAGE_MAX >> 20);
}

/* Open path (never over an input), fill it, commit it; removed on failure.
 * fill's messages say where they are. */
static int write_file(struct repack *rp, const char *path,
		      int (*fill)(struct repack *rp, const void *ctx, int fd, struct diag *d),
		      const void *ctx, struct diag *d)
{
	struct outfile out;
	int r;

	if ((r = outfile_open(&out, path, rp->fd, rp->nfd, d)) < 0)
		return diag_prefix(d, "%s", path), r;
	if ((r = fill(rp, ctx, out.fd, d)) < 0) {
		outfile_abort(&out);
		return r;
	}
	return outfile_commit(&out, d); /* its message names the file */
}

static int fill_exact(struct repack *rp, const void *ctx, int fd, struct diag *d)
{
	const char *path = ctx;
	int r;

	if (rp->dirfd >= 0)
		return write_exact_dir(rp, fd, d);
	if ((r = copy_range(rp->orig_fd, 0, rp->orig_size, fd)) < 0)
		return diag_set(d, r, "%s: writing: %s", path, strerror(-r));
	return 0;
}

int repack_write_exact(struct repack *rp, const char *path, struct diag *d)
{
	int r = size_cap(rp->orig_size, path, d);

	return r < 0 ? r : write_file(rp, path, fill_exact, path, d);
}

/* ---- rebuilt: the plan ------------------------------------------------------------------ */

/* A damaged section carried over: say what the rebuilt image holds instead. */
static void note_fixups(struct repack *rp, enum bootimg_part i)
{
	const struct rp_part *p = &rp->part[i];
	uint64_t now = (p->has_mtk ? MTK_HDR_SIZE : 0) + p->data.len + p->dtb.len;
	const char *name = bootimg_part_name(i);

	if (p->changed || !p->size)
		return;
	if (p->slack.len)
		repack_note(rp, false,
			    "%s: the %" PRIu64 " byte%s after the MTK payload are dropped", name,
			    p->slack.len, p->slack.len == 1 ? "" : "s");
	if (now != p->size)
		repack_note(rp, false,
			    "%s: written as %" PRIu64 " bytes (the header said %" PRIu64
			    ", the file and its MTK header hold %" PRIu64 ")",
			    name, now, p->size, now);
}

static int plan_part(struct repack *rp, struct image_plan *pl, enum bootimg_part i, struct diag *d)
{
	struct rp_part *p = &rp->part[i];
	struct section_src *s = &pl->src[i];
	uint8_t *mtk = rp->mtk_buf[i];
	int r = 0;

	if (p->has_mtk) {
		memcpy(mtk, p->mtk_raw, MTK_HDR_SIZE);
		if ((r = mtk_hdr_set_dsize(mtk, p->shim.len + p->data.len + p->dtb.len, d)) < 0)
			return diag_prefix(d, "%s", bootimg_part_name(i)), r;
		r = section_add(s, (struct piece){.mem = mtk, .len = MTK_HDR_SIZE}, d);
	}
	if (i == BP_VENDOR_RAMDISK && rp->nfrag) {
		for (unsigned k = 0; k < rp->nfrag && !r; k++)
			r = section_add(s, rp->frag[k], d);
	} else if (i == BP_TABLE && rp->table) {
		r = r ? r
		      : section_add(s, (struct piece){.mem = rp->table, .len = rp->table_len}, d);
	} else {
		if (!r && p->shim.len)
			r = section_add(s, p->shim, d);
		r = r ? r : section_add(s, p->data, d);
		if (!r && p->dtb.len)
			r = section_add(s, p->dtb, d);
	}
	if (p->has_pad) {
		s->copy_pad = true;
		s->pad = p->pad;
	}
	note_fixups(rp, i);
	return r;
}

/* The table's sizes and offsets follow the fragment files. */
static int patch_table(struct repack *rp, struct diag *d)
{
	uint64_t off = 0;

	if (!rp->table || !rp->nfrag)
		return 0;
	if (rp->table_len < (size_t)rp->nfrag * VENDOR_RAMDISK_ENTRY_SIZE)
		return diag_set(d, -EINVAL, "vendor_ramdisk_table: %zu bytes for %u fragments",
				rp->table_len, rp->nfrag);
	for (unsigned k = 0; k < rp->nfrag; k++) {
		uint8_t *e = rp->table + (size_t)k * VENDOR_RAMDISK_ENTRY_SIZE;

		if (rp->frag[k].len > UINT32_MAX || off > UINT32_MAX)
			return diag_set(d, -EFBIG, "vendor ramdisk fragment %u: too large", k);
		put_le32(e + VEOFF_SIZE, (uint32_t)rp->frag[k].len);
		put_le32(e + VEOFF_OFFSET, (uint32_t)off);
		off += rp->frag[k].len;
	}
	return 0;
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
	if (!rp->had_id || (!repack_sections_changed(rp) && !rp->damaged && !source_id_stale(rp)))
		return ID_KEEP;
	return rp->id_sha256 ? ID_SHA256 : ID_SHA1;
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

/* Plain padding after the image (to the partition size) is re-fitted so the
 * file keeps its original size. With AVB the image is followed by what the
 * hash covered (a marker) and the AVB data is written anew (write_avb).
 * SEANDROIDENFORCE and LG's bump are markers, not signatures: copied
 * silently. Other trailer data is copied with a note: it may be a signature
 * the new contents no longer match. */
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
			repack_note(
			    rp, false,
			    "the trailer holds an AVB vbmeta image whose footer (the last 64 "
			    "bytes) is missing or damaged: copied as it was, it no longer matches "
			    "the new contents; the image boots only with an unlocked bootloader");
		else if (!trailer_is_marker(&rp->trailer))
			repack_note(
			    rp, false,
			    "the %" PRIu64 "-byte trailer after the image is copied as it "
			    "was; if it is a signature, it no longer matches the new contents",
			    rp->trailer.len);
		return;
	}
	if (body >= rp->orig_size) {
		/* The padding no longer fits: drop it; a partition limit, when given, decides. */
		repack_note(rp, false,
			    "the image grew past the original %" PRIu64 " bytes (padded to the "
			    "partition?): %" PRIu64 " bytes now; check it with --partition-size",
			    rp->orig_size, body);
		return;
	}
	/* streamed, not held: the padding may be most of a partition */
	pl->trailer =
	    (struct piece){.fill = true, .byte = rp->trailer_byte, .len = rp->orig_size - body};
}

int repack_plan(struct repack *rp, const struct repack_changes *c, struct image_plan *pl,
		struct diag *d)
{
	int r;

	if (*rp->avb.broken)
		return diag_set(d, -EINVAL,
				"%s; nothing written (the AVB data cannot be redone for a changed "
				"image)",
				rp->avb.broken);
	if (c->no_mtk)
		for (int i = 0; i < BP_COUNT; i++)
			rp->part[i].has_mtk = false;
	if ((r = patch_table(rp, d)) < 0)
		return diag_prefix(d, "%s", rp->src), r;
	memset(pl, 0, sizeof(*pl));
	pl->img = rp->img;
	if (rp->wrap_raw)
		pl->prefix = (struct piece){.mem = rp->wrap_raw, .len = rp->wrap.size};
	for (int i = 0; i < BP_COUNT; i++)
		if (rp->part[i].present && (r = plan_part(rp, pl, (enum bootimg_part)i, d)) < 0)
			return diag_prefix(d, "%s", rp->src), r;
	if ((r = image_plan_layout(pl, d)) < 0)
		return diag_prefix(d, "the rebuilt image"), r;
	pl->hdr = rp->hdr;
	pl->id_mode = pick_id(rp);
	plan_trailer(rp, pl);
	if (rp->part[BP_SIGNATURE].present && (repack_sections_changed(rp) || rp->header_changed))
		repack_note(rp, false,
			    "the boot signature section (GKI) no longer matches the new contents");
	return 0;
}

uint64_t repack_plan_size(const struct repack *rp, const struct image_plan *pl)
{
	return rp->avb.present ? rp->orig_size : image_plan_size(pl);
}

/* After the image: a new vbmeta (the hash descriptor follows the new data;
 * signed again with a key, else its signature is stale) and the footer at
 * the end of the original partition-sized file. */
static int write_avb(struct repack *rp, const struct repack_changes *c, int fd, uint64_t body,
		     struct diag *d)
{
	uint8_t *vbmeta = malloc(AVB_VBMETA_MAX_SIZE);
	struct avb_footer_plan plan;
	int len, r = 0;

	if (!vbmeta)
		return repack_nomem(d);
	len = avb_rebuild(&rp->avb.vb, rp->img.kind == BOOTIMG_VENDOR ? "vendor_boot" : "boot", fd,
			  body, rp->key, c->avb_alg, vbmeta, AVB_VBMETA_MAX_SIZE, d);
	if (len >= 0 &&
	    (r = avb_footer_plan(body, vbmeta, (size_t)len, rp->orig_size, &plan, d)) == 0) {
		for (unsigned i = 0; i < plan.nspan && !r; i++)
			r = plan.span[i].mem
				? write_all(fd, plan.span[i].mem, (size_t)plan.span[i].len)
				: write_zeros(fd, plan.span[i].len);
		if (r)
			diag_set(d, r, "writing the AVB data: %s", strerror(-r));
	}
	free(vbmeta);
	if (len < 0 || r < 0)
		return len < 0 ? len : r;
	if (!c->avb_key)
		repack_note(rp, false,
			    "AVB: the hash descriptor and the vbmeta hash follow the new contents, "
			    "but the signature is now stale: the image boots only with an unlocked "
			    "bootloader; sign it with --avb-key KEY.pem");
	else if (!plan.avbtool_fits)
		repack_note(rp, false,
			    "AVB: signed; the image is past avbtool's 69632-byte reserve, so "
			    "avbtool add_hash_footer could not sign it again in this partition");
	return 0;
}

struct plan_ctx {
	const char *path;
	const struct repack_changes *c;
	struct image_plan *pl;
	uint32_t covered;
};

static int fill_plan(struct repack *rp, const void *ctx, int fd, struct diag *d)
{
	const struct plan_ctx *x = ctx;
	int r = image_write(x->pl, fd, d);

	if (!r)
		r = wrapper_fix_output(&rp->wrap, fd, x->covered, d);
	if (!r && rp->avb.present)
		r = write_avb(rp, x->c, fd, image_plan_size(x->pl), d);
	if (r)
		diag_prefix(d, "%s", x->path);
	return r < 0 ? r : r ? -EIO : 0;
}

int repack_write_plan(struct repack *rp, const struct repack_changes *c, struct image_plan *pl,
		      const char *path, struct diag *d)
{
	struct plan_ctx x = {.path = path, .c = c, .pl = pl};
	int r;

	if ((r = size_cap(repack_plan_size(rp, pl), path, d)) < 0)
		return r;
	if (rp->wrap.kind == WRAP_DHTB || rp->wrap.kind == WRAP_BLOB)
		if ((r = wrapper_new_covered(&rp->wrap, rp->orig_body, pl->img.end, &x.covered, d)))
			return diag_prefix(d, "%s", path), r < 0 ? r : -EINVAL;
	return write_file(rp, path, fill_plan, &x, d);
}

/* ---- the layout check (layout.h) --------------------------------------------------- */

int repack_layout_image(const struct repack *rp, struct kernel_foot *kf, struct layout_image *li,
			struct diag *d)
{
	const struct rp_part *k = &rp->part[BP_KERNEL];
	int r;

	memset(li, 0, sizeof(*li));
	memset(kf, 0, sizeof(*kf));
	if (rp->img.kind != BOOTIMG_BOOT)
		return 1;
	li->kf = kf;
	li->has_addresses = rp->img.version <= 2;
	li->kernel_addr = rp->img.kernel_addr;
	li->ramdisk_addr = rp->img.ramdisk_addr;
	li->second_addr = rp->img.second_addr;
	li->tags_addr = rp->img.tags_addr;
	li->dtb_addr = rp->img.dtb_addr;
	li->ramdisk_len = rp->part[BP_RAMDISK].present ? rp->part[BP_RAMDISK].data.len : 0;
	li->second_len = rp->part[BP_SECOND].present ? rp->part[BP_SECOND].data.len : 0;
	li->dtb_len = rp->part[BP_DTB].present ? rp->part[BP_DTB].data.len : 0;
	if (!k->present || k->data.mem || !k->data.len) {
		kf->len = k->data.len;
		return k->present && k->data.len ? 1 : 0;
	}
	if ((r = kernel_footprint(k->data.fd, k->data.off, k->data.len, kf, d)) < 0)
		return diag_prefix(d, "%s: kernel", rp->src), r;
	kernel_foot_add_dtb(kf, k->dtb.len); /* a folder's kernel.dtb */
	return 0;
}

void repack_set_shim(struct repack *rp, const uint8_t *mem, uint64_t len)
{
	rp->part[BP_KERNEL].shim = (struct piece){.mem = mem, .len = len};
}
