#include "image.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootid.h"
#include "fileio.h"

static int load_header(struct image *im, struct diag *d)
{
	uint8_t probe[BOOTIMG_PROBE_LEN];
	size_t n = im->size < sizeof(probe) ? (size_t)im->size : sizeof(probe);
	int r = read_at(im->fd, probe, n, 0);

	if (r)
		return diag_set(d, r, "reading the header: %s", strerror(-r));
	r = bootimg_parse(probe, n, im->size, &im->img, d);
	if (r)
		return r;
	im->hdr = malloc(im->img.header_len);
	if (!im->hdr)
		return diag_set(d, -ENOMEM, "out of memory");
	r = read_at(im->fd, im->hdr, im->img.header_len, 0);
	if (r)
		return diag_set(d, r, "reading the header: %s", strerror(-r));
	for (uint64_t i = im->img.header_size; i < im->img.header_len; i++)
		im->hdr_extra |= im->hdr[i] != 0;
	return 0;
}

static int load_table(struct image *im, struct diag *d)
{
	const struct bootimg_section *t = bootimg_section(&im->img, BP_TABLE);
	uint8_t *buf;
	int r;

	if (!t || im->img.kind != BOOTIMG_VENDOR || im->img.version < 4)
		return 0;
	if (t->size > (uint64_t)VENDOR_RAMDISK_MAX_ENTRIES * VENDOR_RAMDISK_ENTRY_SIZE * 4)
		return diag_set(d, -EINVAL, "vendor_ramdisk_table_size @0x%x: %" PRIu64
					    " bytes is more than a table can need",
				VOFF_TABLE_SIZE, t->size);
	buf = malloc(t->size ? t->size : 1);
	if (!buf)
		return diag_set(d, -ENOMEM, "out of memory");
	r = read_at(im->fd, buf, t->size, t->offset);
	if (!r) {
		r = vendor_table_parse(&im->img, buf, t->size, im->vrd, VENDOR_RAMDISK_MAX_ENTRIES, d);
		if (r >= 0)
			im->nvrd = (unsigned)r, r = 0;
	} else {
		diag_set(d, r, "reading the vendor ramdisk table: %s", strerror(-r));
	}
	free(buf);
	return r;
}

static int nonzero_hook(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 1;
	return 0;
}

/* A read error also counts as "not zero": the padding is then copied, not assumed. */
static bool padding_nonzero(const struct image *im, const struct bootimg_section *s)
{
	uint8_t buf[4096];

	return stream_range(im->fd, s->offset + s->size, s->padded - s->size, buf, sizeof(buf),
			    nonzero_hook, NULL) != 0;
}

static void inspect_kernel(struct image *im, struct image_part *p, const uint8_t *b, size_t n,
			   uint64_t off, uint64_t len, bool scan)
{
	size_t at = 0;
	uint64_t hint = 0;

	p->inner = payload_find_inner(b, n, &at);
	p->inner_at = at;
	if (p->fmt == PF_ZIMAGE)
		hint = zimage_length(b, n);
	if (hint || scan)
		payload_find_appended_dtb(im->fd, off, len, hint, &p->appended_dtb_at, &p->appended_dtbs);
}

static int load_part(struct image *im, enum bootimg_part part, unsigned flags, struct diag *d)
{
	struct image_part *p = &im->part[part];
	uint8_t buf[PAYLOAD_PROBE_LEN + MTK_HDR_SIZE];
	uint64_t off, len;
	size_t n;
	int r;

	p->s = bootimg_section(&im->img, part);
	if (!p->s)
		return 0;
	p->pad_nonzero = padding_nonzero(im, p->s);
	off = p->s->offset;
	len = p->s->size;
	n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
	r = read_at(im->fd, buf, n, off);
	if (r)
		return diag_set(d, r, "reading %s: %s", bootimg_part_name(part), strerror(-r));
	if ((part == BP_KERNEL || part == BP_RAMDISK) && mtk_hdr_present(buf, n)) {
		r = mtk_hdr_parse(buf, n, len, &p->mtk, d);
		if (r) {
			diag_prefix(d, "%s @0x%" PRIx64, bootimg_part_name(part), off);
			return r;
		}
		p->has_mtk = true;
		memcpy(p->mtk_raw, buf, MTK_HDR_SIZE);
		off += MTK_HDR_SIZE;
		len = p->mtk.dsize;
		memmove(buf, buf + MTK_HDR_SIZE, n - MTK_HDR_SIZE);
		n -= MTK_HDR_SIZE;
		if (n > len)
			n = (size_t)len;
	}
	p->fmt = len ? payload_detect(buf, n) : PF_EMPTY;
	if (part == BP_KERNEL && len)
		inspect_kernel(im, p, buf, n, off, len, !(flags & IMAGE_NO_DTB_SCAN));
	return 0;
}

static int check_id(struct image *im, bool compute, struct diag *d)
{
	enum bootimg_part parts[5];
	int r;

	if (!bootid_parts(&im->img, parts))
		return 0;
	im->has_id = true;
	im->id_sha256 = bootimg_id_is_sha256(&im->img);
	if (!compute)
		return 0;
	r = bootid_compute(im->fd, &im->img, im->id_sha256, im->id_computed, d);
	if (r)
		return r;
	im->id_checked = true;
	im->id_ok = !memcmp(im->id_computed, im->img.id, BOOT_ID_SIZE);
	return 0;
}

int image_try_load(struct image *im, const char *path, struct diag *d)
{
	return image_try_load_flags(im, path, 0, d);
}

int image_try_load_flags(struct image *im, const char *path, unsigned flags, struct diag *d)
{
	int r;

	memset(im, 0, sizeof(*im));
	im->path = path;
	im->fd = -1;
	r = file_open_ro(path, &im->fd, &im->size, d);
	if (r)
		return r;
	r = load_header(im, d);
	r = r ? r : load_table(im, d);
	for (int i = 0; i < BP_COUNT && !r; i++)
		r = load_part(im, (enum bootimg_part)i, flags, d);
	r = r ? r : check_id(im, !(flags & IMAGE_NO_ID), d);
	r = r ? r : trailer_scan(im->fd, im->img.end, im->size, &im->tr, d);
	return r;
}

void image_free(struct image *im)
{
	if (im->fd >= 0)
		close(im->fd);
	free(im->hdr);
	im->hdr = NULL;
	im->fd = -1;
}

static int extract_open(const struct image *im, uint64_t off, uint64_t len, struct outfile *o,
			const char *dst, bool guard, struct diag *d)
{
	int r = outfile_open(o, dst, &im->fd, guard ? 1 : 0, d);

	if (r)
		return r;
	r = copy_range(im->fd, off, len, o->fd);
	if (r) {
		outfile_abort(o);
		return diag_set(d, r, "writing %s: %s", dst, strerror(-r));
	}
	return 0;
}

static int extract(const struct image *im, uint64_t off, uint64_t len, const char *dst,
		   bool guard, struct diag *d)
{
	struct outfile o;
	int r = extract_open(im, off, len, &o, dst, guard, d);

	return r ? r : outfile_commit(&o, d);
}

int image_extract_open(const struct image *im, uint64_t off, uint64_t len, struct outfile *o,
		       const char *dst, struct diag *d)
{
	return extract_open(im, off, len, o, dst, true, d);
}

int image_extract(const struct image *im, uint64_t off, uint64_t len, const char *dst,
		  struct diag *d)
{
	return extract(im, off, len, dst, true, d);
}

int image_extract_over_self(const struct image *im, uint64_t off, uint64_t len, struct diag *d)
{
	return extract(im, off, len, im->path, false, d);
}
