#include "imgwrite.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootid.h"
#include "fileio.h"

int section_add(struct section_src *s, struct piece p, struct diag *d)
{
	if (s->n >= SECTION_MAX_PIECES)
		return diag_set(d, -E2BIG, "too many pieces in one section");
	s->piece[s->n++] = p;
	return 0;
}

uint64_t section_src_size(const struct section_src *s)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < s->n; i++)
		n += s->piece[i].len;
	return n;
}

static int size32(const struct image_plan *p, enum bootimg_part part, uint32_t *out,
		  struct diag *d)
{
	uint64_t n = section_src_size(&p->src[part]);

	if (n > UINT32_MAX)
		return diag_set(d, -EOVERFLOW, "%s is %" PRIu64 " bytes, more than a 32-bit size field",
				bootimg_part_name(part), n);
	*out = (uint32_t)n;
	return 0;
}

int image_plan_layout(struct image_plan *p, struct diag *d)
{
	struct bootimg *img = &p->img;
	int r = 0;

	if (img->kind == BOOTIMG_VENDOR) {
		r = size32(p, BP_VENDOR_RAMDISK, &img->vendor_ramdisk_size, d);
		r = r ? r : size32(p, BP_DTB, &img->dtb_size, d);
		r = r ? r : size32(p, BP_TABLE, &img->table_size, d);
		r = r ? r : size32(p, BP_BOOTCONFIG, &img->bootconfig_size, d);
	} else {
		r = size32(p, BP_KERNEL, &img->kernel_size, d);
		r = r ? r : size32(p, BP_RAMDISK, &img->ramdisk_size, d);
		r = r ? r : size32(p, BP_SECOND, &img->second_size, d);
		r = r ? r : size32(p, BP_RECOVERY_DTBO, &img->recovery_dtbo_size, d);
		r = r ? r : size32(p, BP_DTB, &img->dtb_size, d);
		r = r ? r : size32(p, BP_SIGNATURE, &img->signature_size, d);
	}
	if (r)
		return r;
	r = bootimg_layout(img, d);
	if (r)
		return r;
	if (img->kind == BOOTIMG_BOOT && img->version >= 1 && img->version <= 2 &&
	    img->recovery_dtbo_size)
		img->recovery_dtbo_offset = bootimg_recovery_dtbo_expected(img);
	return 0;
}

uint64_t image_plan_size(const struct image_plan *p)
{
	return p->img.end + p->trailer.len;
}

struct writer {
	int fd;
	uint8_t *buf;
	size_t cap;
	struct bootid *h; /* NULL: no hashing */
};

static int out_hook(void *ctx, const uint8_t *b, size_t n)
{
	struct writer *w = ctx;

	if (w->h)
		bootid_update(w->h, b, n);
	return write_all(w->fd, b, n);
}

static int write_piece(struct writer *w, const struct piece *pc)
{
	if (pc->mem)
		return out_hook(w, pc->mem, (size_t)pc->len);
	return stream_range(pc->fd, pc->off, pc->len, w->buf, w->cap, out_hook, w);
}

static int write_section(struct image_plan *p, struct writer *w, const struct bootimg_section *s)
{
	const struct section_src *src = &p->src[s->part];
	struct bootid *h = w->h;
	int r = 0;

	for (unsigned i = 0; i < src->n && !r; i++)
		r = write_piece(w, &src->piece[i]);
	if (r)
		return r;
	w->h = NULL; /* padding is never hashed */
	if (src->copy_pad && src->pad.len == s->padded - s->size)
		r = write_piece(w, &src->pad);
	else
		r = write_zeros(w->fd, s->padded - s->size);
	w->h = h;
	return r;
}

/* Boot v0-v2 with an id to compute: sections in id order, each followed by
 * its size in the hash. The id order is also the layout order. */
static int write_hashed(struct image_plan *p, struct writer *w, struct bootid *h)
{
	enum bootimg_part parts[5];
	unsigned n = bootid_parts(&p->img, parts);
	int r = 0;

	w->h = h;
	for (unsigned i = 0; i < n && !r; i++) {
		const struct bootimg_section *s = bootimg_section(&p->img, parts[i]);

		if (s)
			r = write_section(p, w, s);
		bootid_update_size(h, s ? (uint32_t)s->size : 0);
	}
	w->h = NULL;
	return r;
}

static int write_body(struct image_plan *p, struct writer *w)
{
	enum bootimg_part parts[5];
	struct bootid h;
	int r;

	if (p->id_mode == ID_KEEP || !bootid_parts(&p->img, parts)) {
		for (unsigned i = 0; i < p->img.nsect; i++) {
			r = write_section(p, w, &p->img.sect[i]);
			if (r)
				return r;
		}
		return 0;
	}
	if (bootid_begin(&h, p->id_mode == ID_SHA256))
		return -ENOMEM;
	r = write_hashed(p, w, &h);
	if (r) {
		bootid_free(&h);
		return r;
	}
	return bootid_end(&h, p->img.id);
}

int image_write(struct image_plan *p, int out_fd, struct diag *d)
{
	struct writer w = {.fd = out_fd, .cap = 1 << 20};
	int r;

	w.buf = malloc(w.cap);
	if (!w.buf)
		return diag_set(d, -ENOMEM, "out of memory");
	r = bootimg_encode(&p->img, p->hdr, p->img.header_len, d);
	if (!r)
		r = write_all(out_fd, p->hdr, p->img.header_len);
	if (!r)
		r = write_body(p, &w);
	if (!r && p->trailer.len)
		r = write_piece(&w, &p->trailer);
	free(w.buf);
	if (r)
		return diag_set(d, r, "writing the image: %s", strerror(-r));
	if (p->id_mode == ID_KEEP)
		return 0;
	/* The id is known only now: rewrite the header page with it. */
	r = bootimg_encode(&p->img, p->hdr, p->img.header_len, d);
	if (!r && pwrite(out_fd, p->hdr, p->img.header_len, 0) != (ssize_t)p->img.header_len)
		r = diag_set(d, -EIO, "writing the header: %s", strerror(errno));
	return r;
}
