/* bootimg.c - parse, lay out and encode boot and vendor_boot headers. */
#include "mkbootimg/bootimg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/strfmt.h"

static const char *const part_names[BP_COUNT] = {
    [BP_KERNEL] = "kernel",
    [BP_RAMDISK] = "ramdisk",
    [BP_SECOND] = "second",
    [BP_RECOVERY_DTBO] = "recovery_dtbo",
    [BP_DTB] = "dtb",
    [BP_SIGNATURE] = "boot_signature",
    [BP_VENDOR_RAMDISK] = "vendor_ramdisk",
    [BP_TABLE] = "vendor_ramdisk_table",
    [BP_BOOTCONFIG] = "bootconfig",
};

const char *bootimg_part_name(enum bootimg_part p)
{
	return (unsigned)p < BP_COUNT ? part_names[p] : "?";
}

size_t bootimg_cmdline_field(const struct bootimg *img)
{
	if (img->kind == BOOTIMG_VENDOR)
		return VENDOR_BOOT_ARGS_SIZE;
	return img->version >= 3 ? BOOT_V3_ARGS_SIZE : BOOT_ARGS_SIZE;
}

static uint32_t boot_header_size(uint32_t version)
{
	static const uint32_t sizes[] = {BOOT_HDR_V0_SIZE, BOOT_HDR_V1_SIZE, BOOT_HDR_V2_SIZE,
					 BOOT_HDR_V3_SIZE, BOOT_HDR_V4_SIZE};
	return sizes[version];
}

static int check_page_size(uint32_t ps, unsigned off, struct diag *d)
{
	if (!is_pow2(ps) || ps < BOOTIMG_MIN_PAGE || ps > BOOTIMG_MAX_PAGE)
		return diag_set(d, -EINVAL,
				"page_size @0x%x is %" PRIu32
				", not a power of two between %u and %u",
				off, ps, BOOTIMG_MIN_PAGE, BOOTIMG_MAX_PAGE);
	return 0;
}

static bool has_nul(const uint8_t *p, size_t n)
{
	return memchr(p, 0, n) != NULL;
}

/* ---- layout ---------------------------------------------------------- */

struct layout_cursor {
	struct bootimg *img;
	uint64_t pos;
	struct diag *d;
};

static int place(struct layout_cursor *c, enum bootimg_part p, uint64_t size, bool always)
{
	struct bootimg_section *s;
	uint64_t padded;

	if (!size && !always)
		return 0;
	if (!align_up(size, c->img->page_size, &padded) || c->pos > UINT64_MAX - padded)
		return diag_set(c->d, -EOVERFLOW, "%s: size overflows the layout", part_names[p]);
	s = &c->img->sect[c->img->nsect++];
	s->part = p;
	s->offset = c->pos;
	s->size = size;
	s->padded = padded;
	c->pos += padded;
	return 0;
}

uint64_t bootimg_recovery_dtbo_expected(const struct bootimg *img)
{
	uint64_t ps = img->page_size, pos = ps, a = 0;

	align_up(img->kernel_size, ps, &a);
	pos += a;
	align_up(img->ramdisk_size, ps, &a);
	pos += a;
	align_up(img->second_size, ps, &a);
	return pos + a;
}

static int layout_boot(struct layout_cursor *c)
{
	struct bootimg *img = c->img;
	int r = 0;

	r |= place(c, BP_KERNEL, img->kernel_size, true);
	r |= place(c, BP_RAMDISK, img->ramdisk_size, true);
	if (img->version <= 2) {
		r |= place(c, BP_SECOND, img->second_size, false);
		if (img->version >= 1)
			r |= place(c, BP_RECOVERY_DTBO, img->recovery_dtbo_size, false);
		if (img->version == 2)
			r |= place(c, BP_DTB, img->dtb_size, false);
	} else if (img->version == 4) {
		r |= place(c, BP_SIGNATURE, img->signature_size, false);
	}
	return r ? -EOVERFLOW : 0;
}

static int layout_vendor(struct layout_cursor *c)
{
	struct bootimg *img = c->img;
	int r = 0;

	r |= place(c, BP_VENDOR_RAMDISK, img->vendor_ramdisk_size, true);
	r |= place(c, BP_DTB, img->dtb_size, false);
	if (img->version >= 4) {
		r |= place(c, BP_TABLE, img->table_size, false);
		r |= place(c, BP_BOOTCONFIG, img->bootconfig_size, false);
	}
	return r ? -EOVERFLOW : 0;
}

int bootimg_layout(struct bootimg *img, struct diag *d)
{
	struct layout_cursor c = {.img = img, .d = d};
	int r;

	if (!is_pow2(img->page_size))
		return diag_set(d, -EINVAL, "page size %" PRIu32 " is not a power of two",
				img->page_size);
	img->nsect = 0;
	if (!align_up(img->header_size, img->page_size, &img->header_len))
		return diag_set(d, -EOVERFLOW, "header size overflows");
	c.pos = img->header_len;
	r = img->kind == BOOTIMG_VENDOR ? layout_vendor(&c) : layout_boot(&c);
	if (r)
		return r;
	img->end = c.pos;
	return 0;
}

const struct bootimg_section *bootimg_section(const struct bootimg *img, enum bootimg_part p)
{
	for (unsigned i = 0; i < img->nsect; i++)
		if (img->sect[i].part == p)
			return &img->sect[i];
	return NULL;
}

/* Offset of the size field that produced a section, for error messages. */
static unsigned size_field_off(const struct bootimg *img, enum bootimg_part p)
{
	if (img->kind == BOOTIMG_VENDOR) {
		switch (p) {
		case BP_VENDOR_RAMDISK: return VOFF_VENDOR_RAMDISK_SIZE;
		case BP_DTB: return VOFF_DTB_SIZE;
		case BP_TABLE: return VOFF_TABLE_SIZE;
		default: return VOFF_BOOTCONFIG_SIZE;
		}
	}
	if (img->version >= 3) {
		switch (p) {
		case BP_KERNEL: return B3OFF_KERNEL_SIZE;
		case BP_RAMDISK: return B3OFF_RAMDISK_SIZE;
		default: return B3OFF_SIGNATURE_SIZE;
		}
	}
	switch (p) {
	case BP_KERNEL: return BOFF_KERNEL_SIZE;
	case BP_RAMDISK: return BOFF_RAMDISK_SIZE;
	case BP_SECOND: return BOFF_SECOND_SIZE;
	case BP_RECOVERY_DTBO: return BOFF_RECOVERY_DTBO_SIZE;
	default: return BOFF_DTB_SIZE;
	}
}

static const char *size_field_name(const struct bootimg *img, enum bootimg_part p)
{
	if (p == BP_TABLE)
		return "vendor_ramdisk_table_size";
	if (p == BP_SIGNATURE)
		return "signature_size";
	if (p == BP_VENDOR_RAMDISK)
		return img->version >= 4 ? "vendor_ramdisk_size (all fragments)"
					 : "vendor_ramdisk_size";
	return NULL;
}

int bootimg_check_fit(const struct bootimg *img, const struct bootimg_section *s,
		      uint64_t file_size, struct diag *d)
{
	const char *fn = size_field_name(img, s->part);
	char name[LABEL_MAX];

	if (!fn) {
		strfmt_show(name, sizeof(name), "%s_size", part_names[s->part]);
		fn = name;
	}
	if (!range_ok(s->offset, s->size, file_size))
		return diag_set(d, -ENODATA,
				"%s @0x%x (%" PRIu64 " bytes at 0x%" PRIx64
				") points past the end (file is %" PRIu64 " bytes)",
				fn, size_field_off(img, s->part), s->size, s->offset, file_size);
	if (!range_ok(s->offset, s->padded, file_size))
		return diag_set(d, -ENODATA,
				"file is %" PRIu64 " bytes: it ends inside the padding of %s "
				"(the page ends at 0x%" PRIx64 ")",
				file_size, part_names[s->part], s->offset + s->padded);
	return 0;
}

static int check_fits(const struct bootimg *img, uint64_t file_size, unsigned flags, struct diag *d)
{
	if (file_size < img->header_len && !(flags & BOOTIMG_TOLERANT))
		return diag_set(d, -ENODATA,
				"file is %" PRIu64 " bytes, shorter than its %" PRIu64
				"-byte header page",
				file_size, img->header_len);
	for (unsigned i = 0; i < img->nsect && !(flags & BOOTIMG_TOLERANT); i++) {
		int r = bootimg_check_fit(img, &img->sect[i], file_size, d);

		if (r)
			return r;
	}
	return 0;
}

/* ---- boot v0..v4 ------------------------------------------------------ */

static int need(size_t len, uint64_t file_size, size_t want, const char *what, struct diag *d)
{
	if (file_size < want)
		return diag_set(d, -ENODATA,
				"file is %" PRIu64 " bytes, shorter than the %zu-byte %s",
				file_size, want, what);
	if (len < want)
		return diag_set(d, -ENODATA, "only %zu header bytes given, the %s needs %zu", len,
				what, want);
	return 0;
}

static int parse_boot_legacy(const uint8_t *b, struct bootimg *img, struct diag *d)
{
	int r;

	img->page_size = get_le32(b + BOFF_PAGE_SIZE);
	r = check_page_size(img->page_size, BOFF_PAGE_SIZE, d);
	if (r)
		return r;
	img->header_size = boot_header_size(img->version);
	if (img->version >= 1) {
		uint32_t hs = get_le32(b + BOFF_HEADER_SIZE);

		if (hs != img->header_size)
			return diag_set(d, -EINVAL,
					"header_size @0x%x is %" PRIu32 ", expected %" PRIu32
					" for a v%" PRIu32 " header",
					BOFF_HEADER_SIZE, hs, img->header_size, img->version);
	}
	if (img->page_size < img->header_size)
		return diag_set(d, -EINVAL,
				"page_size @0x%x is %" PRIu32 ", smaller than the %" PRIu32
				"-byte v%" PRIu32 " header",
				BOFF_PAGE_SIZE, img->page_size, img->header_size, img->version);
	img->kernel_size = get_le32(b + BOFF_KERNEL_SIZE);
	img->kernel_addr = get_le32(b + BOFF_KERNEL_ADDR);
	img->ramdisk_size = get_le32(b + BOFF_RAMDISK_SIZE);
	img->ramdisk_addr = get_le32(b + BOFF_RAMDISK_ADDR);
	img->second_size = get_le32(b + BOFF_SECOND_SIZE);
	img->second_addr = get_le32(b + BOFF_SECOND_ADDR);
	img->tags_addr = get_le32(b + BOFF_TAGS_ADDR);
	img->os_version = get_le32(b + BOFF_OS_VERSION);
	memcpy(img->name, b + BOFF_NAME, BOOT_NAME_SIZE);
	memcpy(img->cmdline, b + BOFF_CMDLINE, BOOT_ARGS_SIZE);
	memcpy(img->id, b + BOFF_ID, BOOT_ID_SIZE);
	memcpy(img->extra_cmdline, b + BOFF_EXTRA_CMDLINE, BOOT_EXTRA_ARGS_SIZE);
	/* cmdline may fill all 512 bytes when it continues in extra_cmdline (the
	 * split older mkbootimg made); the command line as a whole must end. */
	if (!has_nul(img->extra_cmdline, BOOT_EXTRA_ARGS_SIZE))
		return diag_set(d, -EINVAL, "extra_cmdline @0x%x has no terminating NUL",
				BOFF_EXTRA_CMDLINE);
	if (img->version >= 1) {
		img->recovery_dtbo_size = get_le32(b + BOFF_RECOVERY_DTBO_SIZE);
		img->recovery_dtbo_offset = get_le64(b + BOFF_RECOVERY_DTBO_OFFSET);
	}
	if (img->version == 2) {
		img->dtb_size = get_le32(b + BOFF_DTB_SIZE);
		img->dtb_addr = get_le64(b + BOFF_DTB_ADDR);
	}
	return 0;
}

static int parse_boot_v3(const uint8_t *b, struct bootimg *img, struct diag *d)
{
	uint32_t hs = get_le32(b + B3OFF_HEADER_SIZE);

	img->header_size = boot_header_size(img->version);
	if (hs != img->header_size)
		return diag_set(d, -EINVAL,
				"header_size @0x%x is %" PRIu32 ", expected %" PRIu32
				" for a v%" PRIu32 " header",
				B3OFF_HEADER_SIZE, hs, img->header_size, img->version);
	img->page_size = BOOT_V3_PAGE_SIZE;
	img->kernel_size = get_le32(b + B3OFF_KERNEL_SIZE);
	img->ramdisk_size = get_le32(b + B3OFF_RAMDISK_SIZE);
	img->os_version = get_le32(b + B3OFF_OS_VERSION);
	memcpy(img->cmdline, b + B3OFF_CMDLINE, BOOT_V3_ARGS_SIZE);
	if (!has_nul(img->cmdline, BOOT_V3_ARGS_SIZE))
		return diag_set(d, -EINVAL, "cmdline @0x%x has no terminating NUL", B3OFF_CMDLINE);
	if (img->version == 4)
		img->signature_size = get_le32(b + B3OFF_SIGNATURE_SIZE);
	return 0;
}

static int parse_boot(const uint8_t *b, size_t len, uint64_t file_size, unsigned flags,
		      struct bootimg *img, struct diag *d)
{
	int r;

	img->kind = BOOTIMG_BOOT;
	r = need(len, file_size, BOFF_HEADER_VERSION + 4, "start of a boot header", d);
	if (r)
		return r;
	img->version_field = get_le32(b + BOFF_HEADER_VERSION);
	img->version = img->version_field;
	if (img->version_field > 4) {
		/* Pre-v1 images used this word for vendor data (Qualcomm dt size). */
		img->version = 0;
		img->v0_vendor_word = true;
	}
	r = need(len, file_size, boot_header_size(img->version), "boot header", d);
	if (r)
		return r;
	r = img->version <= 2 ? parse_boot_legacy(b, img, d) : parse_boot_v3(b, img, d);
	if (r)
		return r;
	r = bootimg_layout(img, d);
	if (r)
		return r;
	if (img->version >= 1 && img->version <= 2 && img->recovery_dtbo_size &&
	    img->recovery_dtbo_offset != bootimg_recovery_dtbo_expected(img))
		return diag_set(d, -EINVAL,
				"recovery_dtbo_offset @0x%x is 0x%" PRIx64 ", expected 0x%" PRIx64
				" (right after second)",
				BOFF_RECOVERY_DTBO_OFFSET, img->recovery_dtbo_offset,
				bootimg_recovery_dtbo_expected(img));
	if (img->version == 2 && img->dtb_size == 0)
		return diag_set(d, -EINVAL, "dtb_size @0x%x is 0; a v2 image must carry a dtb",
				BOFF_DTB_SIZE);
	return check_fits(img, file_size, flags, d);
}

/* ---- vendor_boot v3/v4 ------------------------------------------------ */

static int parse_vendor_table_fields(const uint8_t *b, struct bootimg *img, struct diag *d)
{
	img->table_size = get_le32(b + VOFF_TABLE_SIZE);
	img->table_entry_num = get_le32(b + VOFF_TABLE_ENTRY_NUM);
	img->table_entry_size = get_le32(b + VOFF_TABLE_ENTRY_SIZE);
	img->bootconfig_size = get_le32(b + VOFF_BOOTCONFIG_SIZE);
	if (img->table_entry_size != VENDOR_RAMDISK_ENTRY_SIZE)
		return diag_set(
		    d, -EINVAL, "vendor_ramdisk_table_entry_size @0x%x is %" PRIu32 ", expected %d",
		    VOFF_TABLE_ENTRY_SIZE, img->table_entry_size, VENDOR_RAMDISK_ENTRY_SIZE);
	if (img->table_entry_num > VENDOR_RAMDISK_MAX_ENTRIES)
		return diag_set(d, -EINVAL,
				"vendor_ramdisk_table_entry_num @0x%x is %" PRIu32
				", more than the %d this tool accepts",
				VOFF_TABLE_ENTRY_NUM, img->table_entry_num,
				VENDOR_RAMDISK_MAX_ENTRIES);
	if ((uint64_t)img->table_entry_num * VENDOR_RAMDISK_ENTRY_SIZE != img->table_size)
		return diag_set(d, -EINVAL,
				"vendor_ramdisk_table_size @0x%x is %" PRIu32 ", but %" PRIu32
				" entries of %d bytes make %" PRIu32,
				VOFF_TABLE_SIZE, img->table_size, img->table_entry_num,
				VENDOR_RAMDISK_ENTRY_SIZE,
				img->table_entry_num * VENDOR_RAMDISK_ENTRY_SIZE);
	return 0;
}

static int parse_vendor(const uint8_t *b, size_t len, uint64_t file_size, unsigned flags,
			struct bootimg *img, struct diag *d)
{
	uint32_t hs;
	int r;

	img->kind = BOOTIMG_VENDOR;
	r = need(len, file_size, VOFF_PAGE_SIZE + 4, "start of a vendor_boot header", d);
	if (r)
		return r;
	img->version = img->version_field = get_le32(b + VOFF_HEADER_VERSION);
	if (img->version != 3 && img->version != 4)
		return diag_set(d, -EINVAL,
				"header_version @0x%x is %" PRIu32
				"; vendor_boot has versions 3 and 4",
				VOFF_HEADER_VERSION, img->version);
	img->header_size = img->version == 3 ? VENDOR_HDR_V3_SIZE : VENDOR_HDR_V4_SIZE;
	r = need(len, file_size, img->header_size, "vendor_boot header", d);
	if (r)
		return r;
	img->page_size = get_le32(b + VOFF_PAGE_SIZE);
	r = check_page_size(img->page_size, VOFF_PAGE_SIZE, d);
	if (r)
		return r;
	hs = get_le32(b + VOFF_HEADER_SIZE);
	if (hs != img->header_size)
		return diag_set(d, -EINVAL,
				"header_size @0x%x is %" PRIu32 ", expected %" PRIu32
				" for a v%" PRIu32 " vendor_boot header",
				VOFF_HEADER_SIZE, hs, img->header_size, img->version);
	img->kernel_addr = get_le32(b + VOFF_KERNEL_ADDR);
	img->ramdisk_addr = get_le32(b + VOFF_RAMDISK_ADDR);
	img->vendor_ramdisk_size = get_le32(b + VOFF_VENDOR_RAMDISK_SIZE);
	memcpy(img->cmdline, b + VOFF_CMDLINE, VENDOR_BOOT_ARGS_SIZE);
	if (!has_nul(img->cmdline, VENDOR_BOOT_ARGS_SIZE))
		return diag_set(d, -EINVAL, "vendor cmdline @0x%x has no terminating NUL",
				VOFF_CMDLINE);
	img->tags_addr = get_le32(b + VOFF_TAGS_ADDR);
	memcpy(img->name, b + VOFF_NAME, BOOT_NAME_SIZE);
	img->dtb_size = get_le32(b + VOFF_DTB_SIZE);
	img->dtb_addr = get_le64(b + VOFF_DTB_ADDR);
	if (img->version == 4) {
		r = parse_vendor_table_fields(b, img, d);
		if (r)
			return r;
	}
	r = bootimg_layout(img, d);
	if (r)
		return r;
	return check_fits(img, file_size, flags, d);
}

int bootimg_parse(const uint8_t *buf, size_t len, uint64_t file_size, struct bootimg *img,
		  struct diag *d)
{
	return bootimg_parse_flags(buf, len, file_size, 0, img, d);
}

int bootimg_parse_flags(const uint8_t *buf, size_t len, uint64_t file_size, unsigned flags,
			struct bootimg *img, struct diag *d)
{
	memset(img, 0, sizeof(*img));
	if (len > file_size)
		len = (size_t)file_size;
	if (len < BOOT_MAGIC_SIZE)
		return diag_set(d, -ENODATA, "file is %" PRIu64 " bytes, too short for a magic",
				file_size);
	if (!memcmp(buf, BOOT_MAGIC, BOOT_MAGIC_SIZE))
		return parse_boot(buf, len, file_size, flags, img, d);
	if (!memcmp(buf, VENDOR_BOOT_MAGIC, BOOT_MAGIC_SIZE))
		return parse_vendor(buf, len, file_size, flags, img, d);
	return diag_set(d, -EINVAL, "magic @0x0 is neither \"ANDROID!\" nor \"VNDRBOOT\"");
}

/* ---- vendor ramdisk table --------------------------------------------- */

static int entry_check(const struct bootimg *img, const struct vendor_ramdisk_entry *e, unsigned i,
		       struct diag *d)
{
	if (!range_ok(e->offset, e->size, img->vendor_ramdisk_size))
		return diag_set(d, -EINVAL,
				"vendor ramdisk table entry %u (\"%.32s\"): %" PRIu32
				" bytes at offset %" PRIu32 " exceed the %" PRIu32
				"-byte vendor ramdisk section",
				i, (const char *)e->name, e->size, e->offset,
				img->vendor_ramdisk_size);
	if (!memchr(e->name, 0, VENDOR_RAMDISK_NAME_SIZE))
		return diag_set(d, -EINVAL, "vendor ramdisk table entry %u: name has no NUL", i);
	return 0;
}

int vendor_table_parse(const struct bootimg *img, const uint8_t *buf, size_t len,
		       struct vendor_ramdisk_entry *out, unsigned max, struct diag *d)
{
	unsigned n = img->table_entry_num;
	int r;

	if (n > max)
		return diag_set(d, -EINVAL, "vendor ramdisk table has %u entries, at most %u fit",
				n, max);
	if (len < (size_t)n * VENDOR_RAMDISK_ENTRY_SIZE)
		return diag_set(d, -ENODATA, "vendor ramdisk table: %zu bytes for %u entries", len,
				n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = buf + (size_t)i * VENDOR_RAMDISK_ENTRY_SIZE;
		struct vendor_ramdisk_entry *e = &out[i];

		e->size = get_le32(p + VEOFF_SIZE);
		e->offset = get_le32(p + VEOFF_OFFSET);
		e->type = get_le32(p + VEOFF_TYPE);
		memcpy(e->name, p + VEOFF_NAME, VENDOR_RAMDISK_NAME_SIZE);
		for (unsigned w = 0; w < VENDOR_BOARD_ID_WORDS; w++)
			e->board_id[w] = get_le32(p + VEOFF_BOARD_ID + 4 * w);
		r = entry_check(img, e, i, d);
		if (r)
			return r;
		/* Fragments never share bytes: compare with every earlier one. */
		for (unsigned j = 0; j < i; j++) {
			const struct vendor_ramdisk_entry *o = &out[j];

			if (e->size && o->size && e->offset < (uint64_t)o->offset + o->size &&
			    o->offset < (uint64_t)e->offset + e->size)
				return diag_set(d, -EINVAL,
						"vendor ramdisk table entries %u and %u overlap "
						"(offsets %" PRIu32 "+%" PRIu32 " and %" PRIu32
						"+%" PRIu32 ")",
						j, i, o->offset, o->size, e->offset, e->size);
		}
	}
	return (int)n;
}

void vendor_table_encode(const struct vendor_ramdisk_entry *e, unsigned n, uint8_t *buf)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = buf + (size_t)i * VENDOR_RAMDISK_ENTRY_SIZE;

		put_le32(p + VEOFF_SIZE, e[i].size);
		put_le32(p + VEOFF_OFFSET, e[i].offset);
		put_le32(p + VEOFF_TYPE, e[i].type);
		memcpy(p + VEOFF_NAME, e[i].name, VENDOR_RAMDISK_NAME_SIZE);
		for (unsigned w = 0; w < VENDOR_BOARD_ID_WORDS; w++)
			put_le32(p + VEOFF_BOARD_ID + 4 * w, e[i].board_id[w]);
	}
}

/* ---- encode ------------------------------------------------------------ */

static void encode_boot_legacy(const struct bootimg *img, uint8_t *b)
{
	put_le32(b + BOFF_KERNEL_SIZE, img->kernel_size);
	put_le32(b + BOFF_KERNEL_ADDR, img->kernel_addr);
	put_le32(b + BOFF_RAMDISK_SIZE, img->ramdisk_size);
	put_le32(b + BOFF_RAMDISK_ADDR, img->ramdisk_addr);
	put_le32(b + BOFF_SECOND_SIZE, img->second_size);
	put_le32(b + BOFF_SECOND_ADDR, img->second_addr);
	put_le32(b + BOFF_TAGS_ADDR, img->tags_addr);
	put_le32(b + BOFF_PAGE_SIZE, img->page_size);
	put_le32(b + BOFF_HEADER_VERSION, img->version_field);
	put_le32(b + BOFF_OS_VERSION, img->os_version);
	memcpy(b + BOFF_NAME, img->name, BOOT_NAME_SIZE);
	memcpy(b + BOFF_CMDLINE, img->cmdline, BOOT_ARGS_SIZE);
	memcpy(b + BOFF_ID, img->id, BOOT_ID_SIZE);
	memcpy(b + BOFF_EXTRA_CMDLINE, img->extra_cmdline, BOOT_EXTRA_ARGS_SIZE);
	if (img->version >= 1) {
		put_le32(b + BOFF_RECOVERY_DTBO_SIZE, img->recovery_dtbo_size);
		put_le64(b + BOFF_RECOVERY_DTBO_OFFSET, img->recovery_dtbo_offset);
		put_le32(b + BOFF_HEADER_SIZE, img->header_size);
	}
	if (img->version == 2) {
		put_le32(b + BOFF_DTB_SIZE, img->dtb_size);
		put_le64(b + BOFF_DTB_ADDR, img->dtb_addr);
	}
}

static void encode_boot_v3(const struct bootimg *img, uint8_t *b)
{
	put_le32(b + B3OFF_KERNEL_SIZE, img->kernel_size);
	put_le32(b + B3OFF_RAMDISK_SIZE, img->ramdisk_size);
	put_le32(b + B3OFF_OS_VERSION, img->os_version);
	put_le32(b + B3OFF_HEADER_SIZE, img->header_size);
	put_le32(b + B3OFF_HEADER_VERSION, img->version_field);
	memcpy(b + B3OFF_CMDLINE, img->cmdline, BOOT_V3_ARGS_SIZE);
	if (img->version == 4)
		put_le32(b + B3OFF_SIGNATURE_SIZE, img->signature_size);
}

static void encode_vendor(const struct bootimg *img, uint8_t *b)
{
	put_le32(b + VOFF_HEADER_VERSION, img->version_field);
	put_le32(b + VOFF_PAGE_SIZE, img->page_size);
	put_le32(b + VOFF_KERNEL_ADDR, img->kernel_addr);
	put_le32(b + VOFF_RAMDISK_ADDR, img->ramdisk_addr);
	put_le32(b + VOFF_VENDOR_RAMDISK_SIZE, img->vendor_ramdisk_size);
	memcpy(b + VOFF_CMDLINE, img->cmdline, VENDOR_BOOT_ARGS_SIZE);
	put_le32(b + VOFF_TAGS_ADDR, img->tags_addr);
	memcpy(b + VOFF_NAME, img->name, BOOT_NAME_SIZE);
	put_le32(b + VOFF_HEADER_SIZE, img->header_size);
	put_le32(b + VOFF_DTB_SIZE, img->dtb_size);
	put_le64(b + VOFF_DTB_ADDR, img->dtb_addr);
	if (img->version == 4) {
		put_le32(b + VOFF_TABLE_SIZE, img->table_size);
		put_le32(b + VOFF_TABLE_ENTRY_NUM, img->table_entry_num);
		put_le32(b + VOFF_TABLE_ENTRY_SIZE, img->table_entry_size);
		put_le32(b + VOFF_BOOTCONFIG_SIZE, img->bootconfig_size);
	}
}

int bootimg_encode(const struct bootimg *img, uint8_t *hdr, size_t hdr_len, struct diag *d)
{
	if (hdr_len < img->header_size)
		return diag_set(d, -ENOSPC, "header buffer of %zu bytes, %" PRIu32 " needed",
				hdr_len, img->header_size);
	if (img->kind == BOOTIMG_VENDOR) {
		memcpy(hdr, VENDOR_BOOT_MAGIC, BOOT_MAGIC_SIZE);
		encode_vendor(img, hdr);
	} else {
		memcpy(hdr, BOOT_MAGIC, BOOT_MAGIC_SIZE);
		if (img->version <= 2)
			encode_boot_legacy(img, hdr);
		else
			encode_boot_v3(img, hdr);
	}
	return 0;
}

bool bootimg_id_is_sha256(const struct bootimg *img)
{
	static const uint8_t zero[8];

	return img->kind == BOOTIMG_BOOT && img->version <= 2 && memcmp(img->id + 24, zero, 8);
}

/* ---- os_version --------------------------------------------------------- */

/* Read 1..maxd decimal digits; returns characters consumed or 0. */
static int digits(const char *s, int maxd, unsigned *v)
{
	int n = 0;

	*v = 0;
	while (n < maxd && s[n] >= '0' && s[n] <= '9')
		*v = *v * 10 + (unsigned)(s[n++] - '0');
	return n;
}

int bootimg_os_version_parse(const char *s, uint32_t *out)
{
	unsigned v[3] = {0, 0, 0};
	int n, i = 0;

	for (int k = 0; k < 3; k++) {
		if (k && s[i] != '.')
			break;
		n = digits(s + i + (k ? 1 : 0), 3, &v[k]);
		if (!n) {
			if (!k)
				return -EINVAL;
			break;
		}
		i += n + (k ? 1 : 0);
		if (v[k] >= 128)
			return -ERANGE;
	}
	*out = v[0] << 14 | v[1] << 7 | v[2];
	return 0;
}

int bootimg_os_patch_parse(const char *s, uint32_t *out)
{
	unsigned y, m;

	if (digits(s, 4, &y) != 4 || s[4] != '-' || digits(s + 5, 2, &m) != 2)
		return -EINVAL;
	if (y < 2000 || y - 2000 >= 128 || m < 1 || m > 12)
		return -ERANGE;
	*out = (y - 2000) << 4 | m;
	return 0;
}

void bootimg_os_version_split(uint32_t raw, unsigned *a, unsigned *b, unsigned *c, unsigned *y,
			      unsigned *m)
{
	uint32_t ver = raw >> 11, patch = raw & 0x7ff;

	*a = ver >> 14;
	*b = ver >> 7 & 0x7f;
	*c = ver & 0x7f;
	*y = (patch >> 4) + 2000;
	*m = patch & 0xf;
}

/* ---- command line ------------------------------------------------------ */

int bootimg_set_cmdline(struct bootimg *img, const char *s, size_t n, struct diag *d)
{
	memset(img->cmdline, 0, sizeof(img->cmdline));
	memset(img->extra_cmdline, 0, sizeof(img->extra_cmdline));
	if (img->kind == BOOTIMG_BOOT && img->version <= 2) {
		size_t head = n < BOOT_ARGS_SIZE - 1 ? n : BOOT_ARGS_SIZE - 1;

		if (n - head > BOOT_EXTRA_ARGS_SIZE - 1)
			return diag_set(d, -E2BIG,
					"command line of %zu bytes: at most %d fit in "
					"header v%" PRIu32,
					n, BOOT_ARGS_SIZE - 1 + BOOT_EXTRA_ARGS_SIZE - 1,
					img->version);
		memcpy(img->cmdline, s, head);
		memcpy(img->extra_cmdline, s + head, n - head);
		return 0;
	}
	if (n >= bootimg_cmdline_field(img))
		return diag_set(d, -E2BIG, "command line of %zu bytes: at most %zu fit", n,
				bootimg_cmdline_field(img) - 1);
	memcpy(img->cmdline, s, n);
	return 0;
}

size_t bootimg_get_cmdline(const struct bootimg *img, char *out, size_t cap)
{
	size_t field = bootimg_cmdline_field(img);
	size_t n = strnlen((const char *)img->cmdline, field), m = 0;

	if (img->kind == BOOTIMG_BOOT && img->version <= 2)
		m = strnlen((const char *)img->extra_cmdline, BOOT_EXTRA_ARGS_SIZE);
	if (n + m + 1 > cap)
		return 0;
	memcpy(out, img->cmdline, n);
	memcpy(out + n, img->extra_cmdline, m);
	out[n + m] = 0;
	return n + m;
}
