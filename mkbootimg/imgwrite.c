#include "mkbootimg/imgwrite.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "mkbootimg/bootid.h"

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

static int size32(const struct image_plan *p, enum bootimg_part part, uint32_t *out, struct diag *d)
{
	uint64_t n = section_src_size(&p->src[part]);

	if (n > UINT32_MAX)
		return diag_set(d, -EOVERFLOW,
				"%s is %" PRIu64 " bytes, more than a 32-bit size field",
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
	return p->prefix.len + p->img.end + p->trailer.len;
}

static int write_fill(int fd, uint8_t byte, uint64_t n)
{
	uint8_t buf[1u << 16];
	int r = 0;

	if (!byte)
		return write_zeros(fd, n);
	memset(buf, byte, sizeof(buf));
	while (n && !r) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		r = write_all(fd, buf, k);
		n -= k;
	}
	return r;
}

static int write_piece(int fd, const struct piece *pc)
{
	if (pc->fill)
		return write_fill(fd, pc->byte, pc->len);
	if (pc->mem)
		return write_all(fd, pc->mem, (size_t)pc->len);
	return copy_range(pc->fd, pc->off, pc->len, fd);
}

static int write_section(const struct image_plan *p, int fd, const struct bootimg_section *s)
{
	const struct section_src *src = &p->src[s->part];
	int r = 0;

	for (unsigned i = 0; i < src->n && !r; i++)
		r = write_piece(fd, &src->piece[i]);
	if (r)
		return r;
	if (src->copy_pad && src->pad.len == s->padded - s->size)
		return write_piece(fd, &src->pad);
	return write_zeros(fd, s->padded - s->size);
}

/*
 * The id (boot v0-v2): the sections' bytes in id order, each followed by its
 * size; padding is never hashed. It is computed from the same pieces the
 * writer copied, after the copy, while the disk takes the written data.
 */
static int hash_piece(struct bootid *h, const struct piece *pc, uint8_t *buf, size_t cap)
{
	uint64_t off = pc->off, len = pc->len;

	if (pc->mem) {
		bootid_update(h, pc->mem, (size_t)pc->len);
		return 0;
	}
	if (pc->fill)
		memset(buf, pc->byte, cap);
	while (len) {
		size_t n = (size_t)(len < cap ? len : cap);
		int r = pc->fill ? 0 : read_at(pc->fd, buf, n, off);

		if (r)
			return r;
		bootid_update(h, buf, n);
		off += n;
		len -= n;
	}
	return 0;
}

static int hash_plan(const struct image_plan *p, uint8_t id[BOOT_ID_SIZE])
{
	enum { CAP = 1 << 18 }; /* stays in a core's cache between read and hash */
	enum bootimg_part parts[5];
	unsigned n = bootid_parts(&p->img, parts);
	uint8_t *buf = malloc(CAP);
	struct bootid h;
	int r = 0;

	if (!buf || bootid_begin(&h, p->id_mode == ID_SHA256)) {
		free(buf);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n && !r; i++) {
		const struct bootimg_section *s = bootimg_section(&p->img, parts[i]);
		const struct section_src *src = &p->src[parts[i]];

		for (unsigned k = 0; s && k < src->n && !r; k++)
			r = hash_piece(&h, &src->piece[k], buf, CAP);
		bootid_update_size(&h, s ? (uint32_t)s->size : 0);
	}
	free(buf);
	if (r) {
		bootid_free(&h);
		return r;
	}
	return bootid_end(&h, id);
}

static int write_body(struct image_plan *p, int fd)
{
	enum bootimg_part parts[5];
	int r = 0;

	for (unsigned i = 0; i < p->img.nsect && !r; i++)
		r = write_section(p, fd, &p->img.sect[i]);
	if (!r && p->trailer.len)
		r = write_piece(fd, &p->trailer);
	if (r || p->id_mode == ID_KEEP || !bootid_parts(&p->img, parts))
		return r;
	/*
	 * Start the disk on what is written (a hint: fsync still decides
	 * durability; fails harmlessly on a pipe), so the write-back runs
	 * while the CPU hashes instead of after it.
	 */
	sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return hash_plan(p, p->img.id);
}

int image_write(struct image_plan *p, int out_fd, struct diag *d)
{
	int r = bootimg_encode(&p->img, p->hdr, p->img.header_len, d);

	if (r)
		return r;
	r = p->prefix.len ? write_piece(out_fd, &p->prefix) : 0;
	if (!r)
		r = write_all(out_fd, p->hdr, p->img.header_len);
	if (!r)
		r = write_body(p, out_fd);
	if (r)
		return diag_set(d, r, "writing the image: %s", strerror(-r));
	if (p->id_mode == ID_KEEP)
		return 0;
	/* The id is known only now: rewrite the header page with it. */
	r = bootimg_encode(&p->img, p->hdr, p->img.header_len, d);
	if (!r && pwrite(out_fd, p->hdr, p->img.header_len, (off_t)p->prefix.len) !=
		      (ssize_t)p->img.header_len)
		r = diag_set(d, -EIO, "writing the header: %s", strerror(errno));
	return r;
}
