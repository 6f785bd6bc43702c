/* Boot image parser, layout, encoder and id: the AOSP vectors rebuilt through
 * the library, a truncation sweep, and one-field mangles with exact errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/bootimg.h"
#include "tests/unit/testimg.h"

static const char *const vectors[] = {"v0.img", "v2.img", "v3.img", "v4.img", "vendor_boot_v4.img"};

Test(vectors, library_builds_aosp_bytes)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct blob b = build_vector(vectors[i]);
		char got[65], want[65];

		cr_assert_eq(vector_sha256(vectors[i], want), 0, "%s not in the TSV", vectors[i]);
		blob_sha256(&b, got);
		cr_expect_str_eq(got, want, "%s", vectors[i]);
		free(b.p);
	}
}

static int parse(const struct blob *b, size_t file_len, struct bootimg *g, struct diag *d)
{
	return bootimg_parse(b->p, file_len < BOOTIMG_PROBE_LEN ? file_len : BOOTIMG_PROBE_LEN,
			     file_len, g, d);
}

Test(parse, vectors_parse_and_lay_out)
{
	struct bootimg g;
	struct diag d;
	struct blob b = build_vector("v2.img");

	cr_assert_eq(parse(&b, b.n, &g, &d), 0, "%s", d.msg);
	cr_expect_eq(g.version, 2);
	cr_expect_eq(g.kernel_size, 5000);
	cr_expect_eq(g.dtb_size, 700);
	cr_expect_eq(g.end, b.n);
	cr_expect_eq(bootimg_section(&g, BP_DTB)->offset, 2048 + 6144 + 4096);
	free(b.p);

	b = build_vector("vendor_boot_v4.img");
	cr_assert_eq(parse(&b, b.n, &g, &d), 0, "%s", d.msg);
	const struct bootimg_section *t = bootimg_section(&g, BP_TABLE);
	struct vendor_ramdisk_entry e[VENDOR_RAMDISK_MAX_ENTRIES];
	cr_assert_eq(vendor_table_parse(&g, b.p + t->offset, t->size, e, 64, &d), 3, "%s", d.msg);
	cr_expect_str_eq((char *)e[1].name, "dlkm");
	cr_expect_eq(e[1].board_id[0], 0x6572);
	cr_expect_eq(e[2].offset, 3734);
	free(b.p);
}

/* Every prefix of a valid image is rejected (a section or its padding is cut). */
Test(parse, truncation_sweep)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct blob b = build_vector(vectors[i]);
		struct bootimg g;
		struct diag d;

		for (size_t len = 0; len < b.n; len++) {
			uint8_t *copy = malloc(len ? len : 1);

			memcpy(copy, b.p, len);
			struct blob c = {copy, len};
			int r = parse(&c, len, &g, &d);
			cr_expect_lt(r, 0, "%s cut to %zu bytes parsed", vectors[i], len);
			free(copy);
		}
		free(b.p);
	}
}

struct mangle {
	const char *image;
	unsigned off;
	uint32_t value;
	int err;
	const char *msg; /* a substring of the message */
};

static const struct mangle mangles[] = {
    {"v0.img", 0, 0x44524f4e, -EINVAL, "magic @0x0"},
    {"v0.img", BOFF_KERNEL_SIZE, 0x7fffffff, -ENODATA, "kernel_size @0x8"},
    {"v0.img", BOFF_RAMDISK_SIZE, 9000, -ENODATA, "ramdisk_size @0x10"},
    {"v0.img", BOFF_PAGE_SIZE, 3000, -EINVAL, "page_size @0x24"},
    {"v0.img", BOFF_PAGE_SIZE, 0, -EINVAL, "page_size @0x24"},
    {"v0.img", BOFF_PAGE_SIZE, 0x80000000u, -EINVAL, "page_size @0x24"},
    {"v2.img", BOFF_HEADER_SIZE, 1648, -EINVAL, "header_size @0x66c"},
    {"v2.img", BOFF_DTB_SIZE, 0, -EINVAL, "dtb_size @0x670"},
    {"v2.img", BOFF_DTB_SIZE, 0xfffffff0u, -ENODATA, "dtb_size @0x670"},
    {"v2.img", BOFF_RECOVERY_DTBO_SIZE, 10, -EINVAL, "recovery_dtbo_offset @0x664"},
    {"v3.img", B3OFF_HEADER_SIZE, 1584, -EINVAL, "header_size @0x14"},
    {"v3.img", B3OFF_RAMDISK_SIZE, 0xffffffffu, -ENODATA, "ramdisk_size @0xc"},
    {"v4.img", B3OFF_SIGNATURE_SIZE, 4096, -ENODATA, "signature_size @0x62c"},
    {"vendor_boot_v4.img", VOFF_HEADER_VERSION, 5, -EINVAL, "header_version @0x8"},
    {"vendor_boot_v4.img", VOFF_TABLE_ENTRY_SIZE, 100, -EINVAL, "entry_size @0x848"},
    {"vendor_boot_v4.img", VOFF_TABLE_ENTRY_NUM, 1000, -EINVAL, "entry_num @0x844"},
    {"vendor_boot_v4.img", VOFF_TABLE_SIZE, 108, -EINVAL, "table_size @0x840"},
    {"vendor_boot_v4.img", VOFF_PAGE_SIZE, 100, -EINVAL, "page_size @0xc"},
    {"vendor_boot_v4.img", VOFF_BOOTCONFIG_SIZE, 5000, -ENODATA, "bootconfig"},
};

Test(parse, one_field_mangles)
{
	for (size_t i = 0; i < sizeof(mangles) / sizeof(mangles[0]); i++) {
		const struct mangle *m = &mangles[i];
		struct blob b = build_vector(m->image);
		struct bootimg g;
		struct diag d = {{0}};

		put_le32(b.p + m->off, m->value);
		int r = parse(&b, b.n, &g, &d);
		cr_expect_eq(r, m->err, "%s @0x%x=0x%x: got %d (%s)", m->image, m->off, m->value, r,
			     d.msg);
		cr_expect(strstr(d.msg, m->msg) != NULL, "%s @0x%x: message \"%s\" lacks \"%s\"",
			  m->image, m->off, d.msg, m->msg);
		free(b.p);
	}
}

Test(parse, cmdline_without_nul_rejected)
{
	struct blob b = build_vector("v3.img");
	struct bootimg g;
	struct diag d;

	memset(b.p + B3OFF_CMDLINE, 'x', BOOT_V3_ARGS_SIZE);
	cr_expect_eq(parse(&b, b.n, &g, &d), -EINVAL);
	cr_expect(strstr(d.msg, "cmdline @0x2c") != NULL, "%s", d.msg);
	free(b.p);
}

Test(parse, vendor_table_overlap_and_bounds)
{
	struct blob b = build_vector("vendor_boot_v4.img");
	struct bootimg g;
	struct diag d;
	struct vendor_ramdisk_entry e[VENDOR_RAMDISK_MAX_ENTRIES];

	cr_assert_eq(parse(&b, b.n, &g, &d), 0);
	const struct bootimg_section *t = bootimg_section(&g, BP_TABLE);
	uint8_t *ent1 = b.p + t->offset + VENDOR_RAMDISK_ENTRY_SIZE;
	put_le32(ent1 + VEOFF_OFFSET, 100); /* overlaps entry 0 */
	cr_expect_lt(vendor_table_parse(&g, b.p + t->offset, t->size, e, 64, &d), 0);
	cr_expect(strstr(d.msg, "overlap") != NULL, "%s", d.msg);
	put_le32(ent1 + VEOFF_OFFSET, 4000); /* 4000 + 1234 > 4511 */
	cr_expect_lt(vendor_table_parse(&g, b.p + t->offset, t->size, e, 64, &d), 0);
	cr_expect(strstr(d.msg, "exceed") != NULL, "%s", d.msg);
	free(b.p);
}

Test(cmdline, aosp_split)
{
	struct bootimg g = {.kind = BOOTIMG_BOOT, .version = 0};
	char s[1600], back[1600];

	memset(s, 'a', sizeof(s));
	s[511] = 'B';
	cr_assert_eq(bootimg_set_cmdline(&g, s, 600, NULL), 0);
	cr_expect_eq(g.cmdline[510], 'a');
	cr_expect_eq(g.cmdline[511], 0);
	cr_expect_eq(g.extra_cmdline[0], 'B');
	cr_expect_eq(g.extra_cmdline[88], 'a');
	cr_expect_eq(g.extra_cmdline[89], 0);
	cr_expect_eq(bootimg_get_cmdline(&g, back, sizeof(back)), 600);
	cr_expect_eq(memcmp(back, s, 600), 0);
	cr_expect_eq(bootimg_set_cmdline(&g, s, 1534, NULL), 0);
	cr_expect_eq(bootimg_set_cmdline(&g, s, 1535, NULL), -E2BIG);
	g.version = 3;
	cr_expect_eq(bootimg_set_cmdline(&g, s, 1535, NULL), 0);
	cr_expect_eq(bootimg_set_cmdline(&g, s, 1536, NULL), -E2BIG);
}

Test(osversion, parse_like_aosp)
{
	uint32_t v;

	cr_expect_eq(bootimg_os_version_parse("9.0.0", &v), 0);
	cr_expect_eq(v, 9u << 14);
	cr_expect_eq(bootimg_os_version_parse("11.2", &v), 0);
	cr_expect_eq(v, 11u << 14 | 2u << 7);
	cr_expect_eq(bootimg_os_version_parse("128.0.0", &v), -ERANGE);
	cr_expect_eq(bootimg_os_version_parse("x", &v), -EINVAL);
	cr_expect_eq(bootimg_os_patch_parse("2019-06", &v), 0);
	cr_expect_eq(v, 19u << 4 | 6);
	cr_expect_eq(bootimg_os_patch_parse("2019-13", &v), -ERANGE);
	cr_expect_eq(bootimg_os_patch_parse("19-06", &v), -EINVAL);
}

Test(id, sha256_variant_detected)
{
	struct blob b = build_vector("v0.img");
	struct bootimg g;
	struct diag d;

	cr_assert_eq(parse(&b, b.n, &g, &d), 0);
	cr_expect(!bootimg_id_is_sha256(&g));
	memset(b.p + BOFF_ID + 24, 0x5a, 8);
	cr_assert_eq(parse(&b, b.n, &g, &d), 0);
	cr_expect(bootimg_id_is_sha256(&g));
	free(b.p);
}
