#include "mkbootimg/image.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/shim.h"

static void warn(struct image *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct image *im, const char *fmt, ...)
{
	va_list ap;

	if (im->nwarn == IMAGE_WARN_MAX)
		return;
	va_start(ap, fmt);
	vstrfmt_show(im->warn[im->nwarn++], DIAG_MSG_MAX, fmt, ap);
	va_end(ap);
}

/* A pre-header (DHTB, BLOB, NOOK, Acclaim): the boot image starts after it. */
static int load_wrapper(struct image *im, const uint8_t *probe, size_t n, struct diag *d)
{
	uint8_t magic[BOOT_MAGIC_SIZE];

	wrapper_detect(probe, n, im->size, &im->wrap);
	if (im->wrap.kind == WRAP_NONE)
		return 0;
	/* NOOK and Acclaim are recognised by their first page: the real header must be there. */
	if (read_at(im->fd, magic, sizeof(magic), im->wrap.size) ||
	    (memcmp(magic, BOOT_MAGIC, BOOT_MAGIC_SIZE) &&
	     memcmp(magic, VENDOR_BOOT_MAGIC, BOOT_MAGIC_SIZE))) {
		if (im->wrap.kind == WRAP_DHTB || im->wrap.kind == WRAP_BLOB)
			return diag_set(d, -EINVAL, "a %s header, but no boot image at 0x%" PRIx64,
					wrapper_name(im->wrap.kind), im->wrap.size);
		memset(&im->wrap, 0, sizeof(im->wrap));
		return 0;
	}
	if (!(im->wrap_raw = malloc(im->wrap.size)))
		return diag_set(d, -ENOMEM, "out of memory");
	return read_at(im->fd, im->wrap_raw, im->wrap.size, 0)
		   ? diag_set(d, -EIO, "reading the %s header", wrapper_name(im->wrap.kind))
		   : 0;
}

/* Each section against the file: what is there, and a warning for the rest. */
static void check_sections(struct image *im, uint64_t body)
{
	for (unsigned i = 0; i < im->img.nsect; i++) {
		struct bootimg_section *s = &im->img.sect[i];
		struct image_part *p = &im->part[s->part];
		struct diag d;

		p->avail = s->offset < body
			       ? (s->size < body - s->offset ? s->size : body - s->offset)
			       : 0;
		if (s->offset + s->size < body)
			p->pad_avail = s->padded - s->size < body - s->offset - s->size
					   ? s->padded - s->size
					   : body - s->offset - s->size;
		if (!bootimg_check_fit(&im->img, s, body, &d))
			continue;
		im->cut_short = true;
		if (p->avail < s->size)
			warn(im,
			     "%s: %" PRIu64 " byte%s missing; the %" PRIu64 " bytes there are used",
			     d.msg, s->size - p->avail, s->size - p->avail == 1 ? "" : "s",
			     p->avail);
		else
			warn(im, "%s: %" PRIu64 " of its %" PRIu64 " padding bytes are there",
			     d.msg, p->pad_avail, s->padded - s->size);
	}
}

static int load_header(struct image *im, struct diag *d)
{
	uint8_t probe[BOOTIMG_PROBE_LEN];
	size_t n = im->size < sizeof(probe) ? (size_t)im->size : sizeof(probe);
	uint64_t base, body;
	int r = read_at(im->fd, probe, n, 0);

	if (r)
		return diag_set(d, r, "reading the header: %s", strerror(-r));
	if ((r = load_wrapper(im, probe, n, d)) < 0)
		return r;
	base = im->wrap.size;
	body = im->size - base;
	if (base) {
		n = body < sizeof(probe) ? (size_t)body : sizeof(probe);
		if ((r = read_at(im->fd, probe, n, base)))
			return diag_set(d, r, "reading the header: %s", strerror(-r));
	}
	r = bootimg_parse_flags(probe, n, body, BOOTIMG_TOLERANT, &im->img, d);
	if (r) {
		if (base)
			diag_prefix(d, "image at 0x%" PRIx64 " (after a %s header)", base,
				    wrapper_name(im->wrap.kind));
		return r;
	}
	check_sections(im, body);
	/* From here on every offset is a file offset. */
	for (unsigned i = 0; i < im->img.nsect; i++)
		im->img.sect[i].offset += base;
	im->img.end += base;
	im->hdr = calloc(1, im->img.header_len);
	if (!im->hdr)
		return diag_set(d, -ENOMEM, "out of memory");
	n = body < im->img.header_len ? (size_t)body : (size_t)im->img.header_len;
	if (n < im->img.header_len) {
		im->cut_short = true;
		warn(im,
		     "file is %" PRIu64 " bytes: it ends inside the %" PRIu64 "-byte header page",
		     im->size, im->img.header_len);
	}
	r = read_at(im->fd, im->hdr, n, base);
	if (r)
		return diag_set(d, r, "reading the header: %s", strerror(-r));
	for (uint64_t i = im->img.header_size; i < n; i++)
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
	if (im->part[BP_TABLE].avail < t->size)
		return diag_set(d, -ENODATA,
				"the vendor ramdisk table (%" PRIu64 " bytes at 0x%" PRIx64
				") is cut short by the end of the file",
				t->size, t->offset);
	if (t->size > (uint64_t)VENDOR_RAMDISK_MAX_ENTRIES * VENDOR_RAMDISK_ENTRY_SIZE * 4)
		return diag_set(d, -EINVAL,
				"vendor_ramdisk_table_size @0x%x: %" PRIu64
				" bytes is more than a table can need",
				VOFF_TABLE_SIZE, t->size);
	buf = malloc(t->size ? t->size : 1);
	if (!buf)
		return diag_set(d, -ENOMEM, "out of memory");
	r = read_at(im->fd, buf, t->size, t->offset);
	if (!r) {
		r = vendor_table_parse(&im->img, buf, t->size, im->vrd, VENDOR_RAMDISK_MAX_ENTRIES,
				       d);
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
static bool padding_nonzero(const struct image *im, const struct image_part *p)
{
	uint8_t buf[4096];

	return stream_range(im->fd, p->s->offset + p->s->size, p->pad_avail, buf, sizeof(buf),
			    nonzero_hook, NULL) != 0;
}

static int inspect_kernel(struct image *im, struct image_part *p, const uint8_t *b, size_t n,
			  unsigned flags, struct diag *d)
{
	uint64_t hint = 0;
	int r;

	p->inner = PF_UNKNOWN;
	if (p->fmt == PF_ZIMAGE && (hint = zimage_length(b, n)) != 0)
		hint += p->shim_len;
	if (hint || !(flags & IMAGE_NO_DTB_SCAN))
		payload_find_appended_dtb(im->fd, p->data_off, p->data_len, hint,
					  &p->appended_dtb_at, &p->appended_dtbs);
	if (!(flags & IMAGE_KERNEL))
		return 0;
	r = kernel_inspect(im->fd, p->data_off, p->appended_dtbs ? p->appended_dtb_at : p->data_len,
			   &im->kernel, &im->kconfig, &im->kconfig_len, NULL, NULL, d);
	p->inner = im->kernel.inner;
	p->inner_at = im->kernel.inner_at;
	return r;
}

/* An MTK header: the payload is dsize bytes after it, as far as the file and
 * the section go; what the section counts beyond is slack. */
static int load_mtk(struct image *im, struct image_part *p, enum bootimg_part part,
		    const uint8_t *buf, size_t n, struct diag *d)
{
	const char *name = bootimg_part_name(part);
	uint64_t after = p->avail - MTK_HDR_SIZE, room = p->s->size - MTK_HDR_SIZE;
	int r = mtk_hdr_parse(buf, n, UINT64_MAX, &p->mtk, d);

	if (r) {
		diag_prefix(d, "%s @0x%" PRIx64, name, p->s->offset);
		return r;
	}
	p->has_mtk = true;
	memcpy(p->mtk_raw, buf, MTK_HDR_SIZE);
	p->data_off = p->s->offset + MTK_HDR_SIZE;
	p->data_len = p->mtk.dsize < after ? p->mtk.dsize : after;
	if (p->mtk.dsize > room)
		warn(im,
		     "%s: MTK dsize @0x%" PRIx64 " is %" PRIu32 ", %" PRIu64
		     " more than the %" PRIu64 " bytes the header's %s_size leaves after it; "
		     "%" PRIu64 " are used",
		     name, p->s->offset + MTKOFF_DSIZE, p->mtk.dsize, p->mtk.dsize - room, room,
		     name, p->data_len);
	else if (p->mtk.dsize < room)
		warn(im,
		     "%s: MTK dsize @0x%" PRIx64 " is %" PRIu32 " + 512, %" PRIu64
		     " byte%s less than %s_size (%" PRIu64 "); the payload is the dsize bytes",
		     name, p->s->offset + MTKOFF_DSIZE, p->mtk.dsize, room - p->mtk.dsize,
		     room - p->mtk.dsize == 1 ? "" : "s", name, p->s->size);
	if (p->mtk.dsize < room && p->data_len == p->mtk.dsize) {
		p->slack_off = p->data_off + p->data_len;
		p->slack_len = after - p->data_len;
	}
	return 0;
}

static int load_part(struct image *im, enum bootimg_part part, unsigned flags, struct diag *d)
{
	struct image_part *p = &im->part[part];
	uint8_t buf[PAYLOAD_PROBE_LEN + MTK_HDR_SIZE];
	size_t n;
	int r;

	p->s = bootimg_section(&im->img, part);
	if (!p->s)
		return 0;
	p->pad_nonzero = padding_nonzero(im, p);
	p->data_off = p->s->offset;
	p->data_len = p->avail;
	n = p->avail < sizeof(buf) ? (size_t)p->avail : sizeof(buf);
	r = read_at(im->fd, buf, n, p->s->offset);
	if (r)
		return diag_set(d, r, "reading %s: %s", bootimg_part_name(part), strerror(-r));
	if ((part == BP_KERNEL || part == BP_RAMDISK) && mtk_hdr_present(buf, n)) {
		if ((r = load_mtk(im, p, part, buf, n, d)) < 0)
			return r;
		memmove(buf, buf + MTK_HDR_SIZE, n - MTK_HDR_SIZE);
		n -= MTK_HDR_SIZE;
		if (n > p->data_len)
			n = (size_t)p->data_len;
	}
	struct lk_shim sh;
	if (part == BP_KERNEL && shim_detect(buf, n, &sh) && sh.len < n) {
		p->shim_len = sh.len; /* bootkit's shim: the payload proper is after it */
		memmove(buf, buf + sh.len, n - sh.len);
		n -= sh.len;
	}
	p->fmt = p->data_len ? payload_detect(buf, n) : PF_EMPTY;
	if (part == BP_KERNEL && p->data_len)
		return inspect_kernel(im, p, buf, n, flags, d);
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
	if (!compute || im->cut_short) /* the bytes it covers are not all there */
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
	if (!r && im->img.end < im->size)
		r = trailer_scan(im->fd, im->img.end, im->size, &im->tr, d);
	if (!r && im->tr.has_avb) { /* a broken vbmeta is for verify to report, not fatal */
		struct diag d2;

		im->avb_loaded = avb_image_load(im->fd, im->size, &im->avb, &d2) == 0;
		if (!im->avb_loaded)
			strfmt_show(im->avb_error, sizeof(im->avb_error), "%s", d2.msg);
	}
	if (r)
		image_free(im); /* a failed load leaves nothing to free (it leaked the header) */
	return r;
}

void image_free(struct image *im)
{
	if (im->fd >= 0)
		close(im->fd);
	avb_image_free(&im->avb);
	free(im->kconfig);
	im->kconfig = NULL;
	free(im->hdr);
	free(im->wrap_raw);
	im->hdr = im->wrap_raw = NULL;
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

static int extract(const struct image *im, uint64_t off, uint64_t len, const char *dst, bool guard,
		   struct diag *d)
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
