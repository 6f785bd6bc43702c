/* bootimg.h - Android boot images (v0-v4) and vendor_boot images (v3, v4).
 *
 * Reference: AOSP system/tools/mkbootimg, include/bootimg/bootimg.h (the
 * format definition) and the behaviour of mkbootimg.py / unpack_bootimg.py.
 * All integers little-endian. Reimplemented from the published layout.
 *
 * boot v0/v1/v2: the header occupies the first page (page_size bytes)
 *
 *   0x000  magic "ANDROID!"            0x024  page_size
 *   0x008  kernel_size                 0x028  header_version (v0: vendor data)
 *   0x00c  kernel_addr                 0x02c  os_version (A.B.C << 11 | Y-M)
 *   0x010  ramdisk_size                0x030  name[16]
 *   0x014  ramdisk_addr                0x040  cmdline[512]
 *   0x018  second_size                 0x240  id[32] (SHA-1 + 12 zero bytes,
 *   0x01c  second_addr                        or a SHA-256 variant)
 *   0x020  tags_addr                   0x260  extra_cmdline[1024]
 *   v1+:   0x660 recovery_dtbo_size  0x664 recovery_dtbo_offset (u64)
 *          0x66c header_size (1648 v1, 1660 v2)
 *   v2:    0x670 dtb_size            0x674 dtb_addr (u64)
 *   layout: header | kernel | ramdisk | second | recovery_dtbo | dtb,
 *           each zero-padded to page_size
 *
 * boot v3/v4: page size is always 4096
 *
 *   0x000  magic "ANDROID!"            0x018  reserved[4] (u32 x 4)
 *   0x008  kernel_size                 0x028  header_version
 *   0x00c  ramdisk_size                0x02c  cmdline[1536]
 *   0x010  os_version                  0x62c  v4: signature_size
 *   0x014  header_size (1580 v3, 1584 v4)
 *   layout: header | kernel | ramdisk | v4 boot signature, each padded to 4096
 *
 * vendor_boot v3/v4
 *
 *   0x000  magic "VNDRBOOT"            0x81c  tags_addr
 *   0x008  header_version              0x820  name[16]
 *   0x00c  page_size                   0x830  header_size (2112 v3, 2128 v4)
 *   0x010  kernel_addr                 0x834  dtb_size
 *   0x014  ramdisk_addr                0x838  dtb_addr (u64)
 *   0x018  vendor_ramdisk_size         v4: 0x840 vendor_ramdisk_table_size
 *   0x01c  cmdline[2048]                   0x844 table_entry_num
 *                                          0x848 table_entry_size (108)
 *                                          0x84c bootconfig_size
 *   layout: header (ceil(header_size/page) pages) | vendor ramdisk section
 *           (v4: fragments back to back, no padding between them) | dtb |
 *           v4: ramdisk table | bootconfig; each padded to page_size
 *
 *   ramdisk table entry (108 bytes): 0 size, 4 offset (from the start of the
 *   vendor ramdisk section), 8 type, 12 name[32], 44 board_id[16] (u32)
 */
#ifndef BOOTKIT_BOOTIMG_H
#define BOOTKIT_BOOTIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define BOOT_MAGIC	       "ANDROID!"
#define VENDOR_BOOT_MAGIC      "VNDRBOOT"
#define BOOT_MAGIC_SIZE	       8
#define BOOT_NAME_SIZE	       16
#define BOOT_ARGS_SIZE	       512
#define BOOT_EXTRA_ARGS_SIZE   1024
#define BOOT_ID_SIZE	       32
#define BOOT_V3_ARGS_SIZE      (BOOT_ARGS_SIZE + BOOT_EXTRA_ARGS_SIZE)
#define BOOT_V3_PAGE_SIZE      4096
#define BOOT_V4_SIGNATURE_SIZE 4096
#define VENDOR_BOOT_ARGS_SIZE  2048

#define BOOT_HDR_V0_SIZE   1632
#define BOOT_HDR_V1_SIZE   1648
#define BOOT_HDR_V2_SIZE   1660
#define BOOT_HDR_V3_SIZE   1580
#define BOOT_HDR_V4_SIZE   1584
#define VENDOR_HDR_V3_SIZE 2112
#define VENDOR_HDR_V4_SIZE 2128

#define VENDOR_RAMDISK_ENTRY_SIZE  108
#define VENDOR_RAMDISK_NAME_SIZE   32
#define VENDOR_BOARD_ID_WORDS	   16
#define VENDOR_RAMDISK_MAX_ENTRIES 64 /* compile-time cap on the v4 table */

enum vendor_ramdisk_type {
	VENDOR_RAMDISK_TYPE_NONE = 0,
	VENDOR_RAMDISK_TYPE_PLATFORM = 1,
	VENDOR_RAMDISK_TYPE_RECOVERY = 2,
	VENDOR_RAMDISK_TYPE_DLKM = 3,
};

/* Field offsets, boot v0-v2 */
enum {
	BOFF_KERNEL_SIZE = 8,
	BOFF_KERNEL_ADDR = 12,
	BOFF_RAMDISK_SIZE = 16,
	BOFF_RAMDISK_ADDR = 20,
	BOFF_SECOND_SIZE = 24,
	BOFF_SECOND_ADDR = 28,
	BOFF_TAGS_ADDR = 32,
	BOFF_PAGE_SIZE = 36,
	BOFF_HEADER_VERSION = 40,
	BOFF_OS_VERSION = 44,
	BOFF_NAME = 48,
	BOFF_CMDLINE = 64,
	BOFF_ID = 576,
	BOFF_EXTRA_CMDLINE = 608,
	BOFF_RECOVERY_DTBO_SIZE = 1632,
	BOFF_RECOVERY_DTBO_OFFSET = 1636,
	BOFF_HEADER_SIZE = 1644,
	BOFF_DTB_SIZE = 1648,
	BOFF_DTB_ADDR = 1652,
};

/* Field offsets, boot v3/v4 */
enum {
	B3OFF_KERNEL_SIZE = 8,
	B3OFF_RAMDISK_SIZE = 12,
	B3OFF_OS_VERSION = 16,
	B3OFF_HEADER_SIZE = 20,
	B3OFF_RESERVED = 24,
	B3OFF_HEADER_VERSION = 40,
	B3OFF_CMDLINE = 44,
	B3OFF_SIGNATURE_SIZE = 1580,
};

/* Field offsets, vendor_boot v3/v4 */
enum {
	VOFF_HEADER_VERSION = 8,
	VOFF_PAGE_SIZE = 12,
	VOFF_KERNEL_ADDR = 16,
	VOFF_RAMDISK_ADDR = 20,
	VOFF_VENDOR_RAMDISK_SIZE = 24,
	VOFF_CMDLINE = 28,
	VOFF_TAGS_ADDR = 2076,
	VOFF_NAME = 2080,
	VOFF_HEADER_SIZE = 2096,
	VOFF_DTB_SIZE = 2100,
	VOFF_DTB_ADDR = 2104,
	VOFF_TABLE_SIZE = 2112,
	VOFF_TABLE_ENTRY_NUM = 2116,
	VOFF_TABLE_ENTRY_SIZE = 2120,
	VOFF_BOOTCONFIG_SIZE = 2124,
};

/* Field offsets inside a vendor ramdisk table entry */
enum {
	VEOFF_SIZE = 0,
	VEOFF_OFFSET = 4,
	VEOFF_TYPE = 8,
	VEOFF_NAME = 12,
	VEOFF_BOARD_ID = 44,
};

_Static_assert(BOFF_EXTRA_CMDLINE + BOOT_EXTRA_ARGS_SIZE == BOOT_HDR_V0_SIZE, "v0 header size");
_Static_assert(BOFF_DTB_SIZE == BOOT_HDR_V1_SIZE, "v1 header size");
_Static_assert(BOFF_DTB_ADDR + 8 == BOOT_HDR_V2_SIZE, "v2 header size");
_Static_assert(B3OFF_CMDLINE + BOOT_V3_ARGS_SIZE == BOOT_HDR_V3_SIZE, "v3 header size");
_Static_assert(B3OFF_SIGNATURE_SIZE + 4 == BOOT_HDR_V4_SIZE, "v4 header size");
_Static_assert(VOFF_CMDLINE + VENDOR_BOOT_ARGS_SIZE == VOFF_TAGS_ADDR, "vendor cmdline");
_Static_assert(VOFF_DTB_ADDR + 8 == VENDOR_HDR_V3_SIZE, "vendor v3 header size");
_Static_assert(VOFF_BOOTCONFIG_SIZE + 4 == VENDOR_HDR_V4_SIZE, "vendor v4 header size");
_Static_assert(VEOFF_BOARD_ID + 4 * VENDOR_BOARD_ID_WORDS == VENDOR_RAMDISK_ENTRY_SIZE, "entry");

/* Page sizes this library accepts when parsing (AOSP's mkbootimg writes 2048..16384). */
#define BOOTIMG_MIN_PAGE 512u
#define BOOTIMG_MAX_PAGE 65536u
/* Bytes a caller must hand to bootimg_parse() to cover any header. */
#define BOOTIMG_PROBE_LEN 4096u

enum bootimg_kind {
	BOOTIMG_BOOT = 1,
	BOOTIMG_VENDOR = 2,
};

/* The sections an image can carry, named as unpack_bootimg names the files. */
enum bootimg_part {
	BP_KERNEL,
	BP_RAMDISK,
	BP_SECOND,
	BP_RECOVERY_DTBO,
	BP_DTB,
	BP_SIGNATURE,
	BP_VENDOR_RAMDISK,
	BP_TABLE,
	BP_BOOTCONFIG,
	BP_COUNT
};

struct bootimg_section {
	enum bootimg_part part;
	uint64_t offset; /* absolute byte offset in the image */
	uint64_t size;	 /* payload bytes */
	uint64_t padded; /* size rounded up to the page size */
};

#define BOOTIMG_MAX_SECTIONS 5

struct vendor_ramdisk_entry {
	uint32_t size;
	uint32_t offset; /* from the start of the vendor ramdisk section */
	uint32_t type;
	uint8_t name[VENDOR_RAMDISK_NAME_SIZE];
	uint32_t board_id[VENDOR_BOARD_ID_WORDS];
};

/*
 * A boot or vendor_boot header as native fields. bootimg_parse() fills it from
 * bytes; bootimg_encode() writes it back over a header buffer (bytes the format
 * leaves undefined are left as the buffer had them); bootimg_layout() derives
 * the section map from the sizes.
 */
struct bootimg {
	enum bootimg_kind kind;
	uint32_t version;	/* effective header version: 0..4 */
	uint32_t version_field; /* the raw word (boot: @40, vendor: @8) */
	bool v0_vendor_word;	/* boot v0 image whose word @40 is not 0..4 */
	uint32_t page_size;	/* layout page size (4096 for boot v3/v4) */
	uint32_t header_size;	/* bytes of header defined by the version */
	uint64_t header_len;	/* bytes the header occupies, page-aligned */

	uint32_t kernel_size, ramdisk_size, second_size;
	uint32_t kernel_addr, ramdisk_addr, second_addr, tags_addr;
	uint64_t dtb_addr;
	uint32_t dtb_size;
	uint32_t os_version; /* raw: version << 11 | patch level */
	uint32_t recovery_dtbo_size;
	uint64_t recovery_dtbo_offset;
	uint32_t signature_size;
	uint32_t vendor_ramdisk_size;
	uint32_t table_size, table_entry_num, table_entry_size, bootconfig_size;

	uint8_t name[BOOT_NAME_SIZE];
	/* boot v0-v2: cmdline[512] then extra[1024]; boot v3/v4: 1536; vendor: 2048 */
	uint8_t cmdline[VENDOR_BOOT_ARGS_SIZE];
	uint8_t extra_cmdline[BOOT_EXTRA_ARGS_SIZE];
	uint8_t id[BOOT_ID_SIZE];

	struct bootimg_section sect[BOOTIMG_MAX_SECTIONS];
	unsigned nsect;
	uint64_t end; /* end of the last section's padding */
};

/* Name of a part as unpack_bootimg writes it ("kernel", "recovery_dtbo"...). */
const char *bootimg_part_name(enum bootimg_part p);

/* Size of the command line field(s) for this kind/version (512, 1536 or 2048). */
size_t bootimg_cmdline_field(const struct bootimg *img);

/*
 * Parse the header at the start of buf (len bytes available, at least
 * min(BOOTIMG_PROBE_LEN, file_size) expected) of an image file_size bytes long
 * into img and lay out its sections. Every size and offset is checked against
 * file_size. Returns 0, or -EINVAL/-ENODATA/-EOVERFLOW with d naming the field
 * and its offset.
 */
int bootimg_parse(const uint8_t *buf, size_t len, uint64_t file_size, struct bootimg *img,
		  struct diag *d);

/* Flags for bootimg_parse_flags(). */
enum {
	/* Sections that run past the end of the file, or end inside their
	 * padding, are not an error: the caller checks each with
	 * bootimg_check_fit() and decides (readers warn and use the bytes
	 * there; writers never produce such an image). */
	BOOTIMG_TOLERANT = 1,
};
int bootimg_parse_flags(const uint8_t *buf, size_t len, uint64_t file_size, unsigned flags,
			struct bootimg *img, struct diag *d);

/* Does section s (of img) lie inside a file of file_size bytes, padding
 * included? 0, or -ENODATA with d naming its size field, offset and the
 * byte counts. */
int bootimg_check_fit(const struct bootimg *img, const struct bootimg_section *s,
		      uint64_t file_size, struct diag *d);

/*
 * Compute img->sect, nsect, header_len and end from the version, page size and
 * sizes (recovery_dtbo_offset is taken as stored for boot v1/v2). Returns 0 or
 * -EOVERFLOW / -EINVAL.
 */
int bootimg_layout(struct bootimg *img, struct diag *d);

/* Where a boot v1/v2 recovery_dtbo sits when laid out the AOSP way. */
uint64_t bootimg_recovery_dtbo_expected(const struct bootimg *img);

/* Find a section by part; NULL if the image has none. */
const struct bootimg_section *bootimg_section(const struct bootimg *img, enum bootimg_part p);

/*
 * Write every defined header field of img into hdr (hdr_len >= header_size).
 * Bytes the format does not define (padding, reserved words of v3) are left
 * untouched, so encoding over the original header page preserves them.
 */
int bootimg_encode(const struct bootimg *img, uint8_t *hdr, size_t hdr_len, struct diag *d);

/*
 * Vendor ramdisk table (vendor_boot v4). Parse img->table_entry_num entries
 * from buf (the table section, len bytes) into out[max]; each entry is checked
 * against the vendor ramdisk section (inside it, no overlaps). Returns the
 * number of entries or a negative errno.
 */
int vendor_table_parse(const struct bootimg *img, const uint8_t *buf, size_t len,
		       struct vendor_ramdisk_entry *out, unsigned max, struct diag *d);

/* Encode n entries into buf (n * VENDOR_RAMDISK_ENTRY_SIZE bytes). */
void vendor_table_encode(const struct vendor_ramdisk_entry *e, unsigned n, uint8_t *buf);

/* The id is present (boot v0-v2) and stored in its SHA-256 form (id[24..31] non-zero). */
bool bootimg_id_is_sha256(const struct bootimg *img);

/*
 * Store a command line (n bytes, no NUL) the way AOSP's mkbootimg does: boot
 * v0-v2 keep the first 511 bytes + NUL in cmdline and the rest + NUL in
 * extra_cmdline; v3/v4 and vendor_boot keep it whole with a NUL. -E2BIG when
 * it does not fit.
 */
int bootimg_set_cmdline(struct bootimg *img, const char *s, size_t n, struct diag *d);

/* The full command line (cmdline then extra_cmdline, each up to its NUL) into
 * out[cap]; returns its length, or 0 when cap is too small. */
size_t bootimg_get_cmdline(const struct bootimg *img, char *out, size_t cap);
#define BOOTIMG_CMDLINE_MAX (BOOT_ARGS_SIZE + BOOT_EXTRA_ARGS_SIZE + VENDOR_BOOT_ARGS_SIZE)

/* os_version helpers: pack "A.B.C" and "YYYY-MM[-DD]"; unpack for display. */
int bootimg_os_version_parse(const char *s, uint32_t *out);
int bootimg_os_patch_parse(const char *s, uint32_t *out);
void bootimg_os_version_split(uint32_t raw, unsigned *a, unsigned *b, unsigned *c, unsigned *y,
			      unsigned *m);

#endif
