/* The layout check (layout.h): loader models parsed or refused with the word
 * named; kernel footprints read from crafted zImages (4.15+ table, 3.x LC0
 * literals, a fixed ZRELADDR, AUTO_ZRELADDR in both forms), arm64 and x86
 * headers; overlaps, memory and the memory start found and named, each
 * message naming both ranges; stock-sized kernels pass; bootkit's shim seen
 * and its rounding applied. The real kernels are tried by tests/sh/t-layout.sh. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/layout.h"
#include "mkbootimg/shim.h"
#include "tests/unit/testimg.h"

#define MT6572_LK                                                                                  \
	"fixed,name=lk,kernel=0x80108000,ramdisk=0x84100000,tags=0x80100100,mem=0x80100000+"       \
	"0x0ff00000,reserved=0x80000000+1M"

static struct loader_model model(const char *spec)
{
	struct loader_model m[LOADER_MODELS_MAX];
	unsigned n;
	struct diag d;

	cr_assert_eq(loader_parse(spec, m, LOADER_MODELS_MAX, &n, &d), 0, "%s: %s", spec, d.msg);
	cr_assert_eq(n, 1);
	return m[0];
}

Test(layout, models_parse)
{
	struct loader_model m[LOADER_MODELS_MAX];
	unsigned n;
	struct diag d;

	cr_assert_eq(loader_parse(MT6572_LK " header,mem=0x80000000+256M", m, 4, &n, &d), 0, "%s",
		     d.msg);
	cr_expect_eq(n, 2);
	cr_expect_eq(m[0].kind, LOADER_FIXED);
	cr_expect_str_eq(m[0].name, "lk");
	cr_expect_eq(m[0].kernel, 0x80108000u);
	cr_expect_eq(m[0].mem.start, 0x80100000u);
	cr_expect_eq(m[0].mem.size, 0x0ff00000u);
	cr_expect_eq(m[0].nreserved, 1);
	cr_expect_eq(m[0].reserved[0].size, 1u << 20);
	cr_expect_eq(m[1].kind, LOADER_HEADER);
	cr_expect_str_eq(m[1].name, "header");
	cr_expect_eq(m[1].mem.size, 256u << 20);
}

Test(layout, bad_models_refused_naming_the_word)
{
	static const struct {
		const char *spec, *says;
	} bad[] = {
	    {"", "no model"},
	    {"uboot", "header or fixed"},
	    {"fixed,kernel=0x80108000", "needs kernel=, ramdisk=, tags= and mem="},
	    {"header,kernel=0x1000", "takes its addresses from the image"},
	    {"header,mem=0x80000000", "\"mem=0x80000000\""},
	    {"header,mem=0x80000000+0", "\"mem=0x80000000+0\""},
	    {"header,mem=0xffffffffffffffff+2", "\"mem=0xffffffffffffffff+2\""},
	    {"header,mem=1+1,mem=2+2", "\"mem=2+2\""},
	    {"header,colour=red", "\"colour=red\""},
	    {"header,name=" /* 32 bytes */ "abcdefghijklmnopqrstuvwxyz012345", "name="},
	    {"header,reserved=1+1,reserved=2+1,reserved=3+1,reserved=4+1,reserved=5+1",
	     "at most 4 reserved"},
	    {"header header header header header", "more than 4"},
	};
	struct loader_model m[LOADER_MODELS_MAX];
	unsigned n;
	struct diag d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(loader_parse(bad[i].spec, m, 4, &n, &d), -EINVAL, "%s", bad[i].spec);
		cr_expect(strstr(d.msg, bad[i].says), "%s: %s", bad[i].spec, d.msg);
	}
}

/* ---- crafted kernels ------------------------------------------------------------- */

enum zform { Z_TABLE, Z_LC0, Z_FIXED, Z_AUTO_R0 };

/* A zImage of len bytes (its decompressor starts at 0x30 with a `b` at 0x20)
 * that decompresses to inflated bytes: the size word where its table or LC0
 * literals say; AUTO_ZRELADDR (3.x form, or 5.12+ r0 form) or a fixed one. */
static struct blob zimage(enum zform form, uint32_t len, uint32_t inflated, uint32_t textofs,
			  uint32_t zreladdr, size_t dtb)
{
	struct blob k = {calloc(1, len + dtb), len + dtb};
	uint32_t code = 0x40, size_at = len - 64;

	put_le32(k.p + 0x20, 0xea000000u | ((code - 0x28) / 4)); /* b code */
	put_le32(k.p + 0x24, 0x016f2818u);
	put_le32(k.p + 0x28, 0);
	put_le32(k.p + 0x2c, len);
	if (form == Z_FIXED) {
		put_le32(k.p + code, 0xe1a00000u);	       /* mov r0, r0 */
		put_le32(k.p + code + 4, 0xe59f4000u | 0x38);  /* ldr r4, [pc, #0x38] */
		put_le32(k.p + code + 4 + 8 + 0x38, zreladdr); /* the literal */
	} else {
		unsigned rd = form == Z_AUTO_R0 ? 0 : 4;
		put_le32(k.p + code, 0xe1a0000fu | rd << 12); /* mov rD, pc */
		put_le32(k.p + code + 4,
			 0xe200033eu | rd << 16 | rd << 12);	  /* and rD, rD, #0xf8000000 */
		put_le32(k.p + code + 8, 0xe2804902u | rd << 16); /* add r4, rD, #0x8000 */
	}
	if (form == Z_TABLE || form == Z_AUTO_R0) {
		uint32_t t = 0x200;
		put_le32(k.p + 0x30, 0x04030201u);
		put_le32(k.p + 0x34, 0x45454545u);
		put_le32(k.p + 0x38, t);
		uint32_t tab[] = {6, 0x5a534c4bu, size_at, 0x60000, textofs, 0x10000, 0};
		for (unsigned i = 0; i < 7; i++)
			put_le32(k.p + t + 4 * i, tab[i]);
	} else {
		uint32_t lc0 = 0x300, lit[] = {lc0, len + 0x100, len + 0x2000, len, size_at};
		for (unsigned i = 0; i < 5; i++)
			put_le32(k.p + lc0 + 4 * i, lit[i]);
	}
	put_le32(k.p + size_at, inflated);
	if (dtb) {
		put_be32(k.p + len, FDT_MAGIC);
		put_be32(k.p + len + 4, (uint32_t)dtb);
	}
	return k;
}

static void footprint(const struct blob *k, struct kernel_foot *kf)
{
	int fd = memfd_create("kernel", 0);
	struct diag d;

	cr_assert(fd >= 0);
	cr_assert_eq(write_all(fd, k->p, k->n), 0);
	cr_assert_eq(kernel_footprint(fd, 0, k->n, kf, &d), 0, "%s", d.msg);
	close(fd);
}

static struct layout_image image(const struct kernel_foot *kf, uint64_t kaddr, uint64_t raddr,
				 uint64_t rlen)
{
	return (struct layout_image){.has_addresses = true,
				     .kernel_addr = kaddr,
				     .ramdisk_addr = raddr,
				     .tags_addr = kaddr - 0x7f00,
				     .ramdisk_len = rlen,
				     .kf = kf};
}

static bool finding(const struct layout_result *r, enum layout_sev sev, const char *a,
		    const char *b)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->f[i].sev == sev && strstr(r->f[i].msg, a) && (!b || strstr(r->f[i].msg, b)))
			return true;
	return false;
}

Test(layout, zimage_table_size_word_and_auto_zreladdr)
{
	struct blob k = zimage(Z_TABLE, 0x530000, 20583080, 0x208000, 0, 0);
	struct kernel_foot kf;

	footprint(&k, &kf);
	cr_expect_eq(kf.kind, PF_ZIMAGE);
	cr_expect_eq(kf.zrel, ZREL_AUTO);
	cr_expect_eq(kf.inflated, 20583080);
	cr_expect_eq(kf.bss, 0x60000);
	cr_expect(kf.bss_known);
	cr_expect_eq(kf.text_offset, 0x208000); /* the table's, over the code's 0x8000 */
	cr_expect(strstr(kf.inflated_how, "table"));
	free(k.p);
}

Test(layout, zimage_lc0_literals_and_fixed_zreladdr)
{
	struct blob k = zimage(Z_FIXED, 0x400000, 8500000, 0, 0x80108000, 0);
	struct kernel_foot kf;

	footprint(&k, &kf);
	cr_expect_eq(kf.zrel, ZREL_FIXED);
	cr_expect_eq(kf.zreladdr, 0x80108000u);
	cr_expect_eq(kf.inflated, 8500000);
	cr_expect(!kf.bss_known);
	cr_expect_eq(kf.bss, LAYOUT_BSS_MARGIN);
	cr_expect(strstr(kf.inflated_how, "LC0"));
	free(k.p);
}

/* AOSP's default addresses: the ramdisk 16 MiB above a 20 MB kernel. */
Test(layout, overlap_with_the_ramdisk_found_and_both_ranges_named)
{
	struct blob k = zimage(Z_TABLE, 0x530000, 20583080, 0x208000, 0, 0);
	struct loader_model m = model("header");
	struct kernel_foot kf;
	struct layout_result r;

	footprint(&k, &kf);
	struct layout_image li = image(&kf, 0x10008000, 0x11000000, 400000);
	layout_check(&m, &li, &r);
	cr_expect_eq(r.errors, 1);
	cr_expect(finding(&r, LAYOUT_ERROR, "overlap", "and the ramdisk (0x11000000-0x"), "%s",
		  r.n ? r.f[0].msg : "-");
	cr_expect(finding(&r, LAYOUT_ERROR, "decompressed (0x10204000-0x", NULL));
	cr_expect(r.relocates);
	/* 64 MiB up: nothing */
	li.ramdisk_addr = 0x14000000;
	layout_check(&m, &li, &r);
	cr_expect_eq(r.errors, 0, "%s", r.n ? r.f[0].msg : "-");
	free(k.p);
}

/* A 3.x stock kernel (4.5-8.5 MB decompressed, fixed ZRELADDR 0x80108000)
 * under MT6572 LK: nothing to say; the same under AOSP's header addresses. */
Test(layout, stock_sized_kernels_pass)
{
	struct loader_model lk = model(MT6572_LK), hdr = model("header");
	struct kernel_foot kf;
	struct layout_result r;

	for (uint32_t infl = 4500000; infl <= 8500000; infl += 1000000) {
		struct blob k = zimage(Z_FIXED, (uint32_t)(infl / 2) & ~3u, infl, 0, 0x80108000, 0);
		footprint(&k, &kf);
		struct layout_image li = image(&kf, 0x10008000, 0x11000000, 600000);
		layout_check(&lk, &li, &r);
		cr_expect_eq(r.errors + r.warnings, 0, "%u: %s", infl, r.n ? r.f[0].msg : "-");
		layout_check(&hdr, &li, &r);
		cr_expect_eq(r.errors, 0, "%u: %s", infl, r.n ? r.f[0].msg : "-");
		free(k.p);
	}
}

Test(layout, memory_start_unusable_for_a_generic_kernel_and_the_shim_fixes_it)
{
	struct blob k = zimage(Z_TABLE, 0x530000, 20583080, 0x208000, 0, 14000);
	struct loader_model lk = model(MT6572_LK);
	struct kernel_foot kf;
	struct layout_result r;

	footprint(&k, &kf);
	cr_expect_eq(kf.dtb_len, 14000);
	struct layout_image li = image(&kf, 0, 0, 600000);
	layout_check(&lk, &li, &r);
	cr_expect_eq(r.errors, 1);
	cr_expect(finding(&r, LAYOUT_ERROR, "memory start 0x80100000", "2 MiB"));
	cr_expect(r.shim_needed);
	/* the tags at 0x80100100 lie under the decompressed kernel? no: it runs
	 * from 0x80204000; the reserved 1 MiB is not touched either */
	cr_expect(!finding(&r, LAYOUT_WARN, "reserved", NULL));
	kf.shim_len = 192, kf.shim_align = 2u << 20, kf.len += 192;
	layout_check(&lk, &li, &r);
	cr_expect_eq(r.errors, 0, "%s", r.n ? r.f[0].msg : "-");
	cr_expect_eq(r.mem.start, 0x80200000u);
	cr_expect_eq(r.mem.size, 0x0ff00000u - 0x100000u);
	free(k.p);
}

/* A fixed ZRELADDR kernel never needs the shim, whatever the memory start. */
Test(layout, fixed_zreladdr_needs_no_shim)
{
	struct blob k = zimage(Z_LC0, 0x400000, 7000000, 0, 0x80108000, 0);
	struct loader_model lk = model(MT6572_LK);
	struct kernel_foot kf;
	struct layout_result r;

	footprint(&k, &kf);
	cr_expect_eq(kf.zrel, ZREL_AUTO); /* Z_LC0 builds the 3.x AUTO form */
	struct blob f = zimage(Z_FIXED, 0x400000, 7000000, 0, 0x80108000, 0);
	footprint(&f, &kf);
	struct layout_image li = image(&kf, 0, 0, 600000);
	layout_check(&lk, &li, &r);
	cr_expect(!r.shim_needed);
	cr_expect_eq(r.errors, 0, "%s", r.n ? r.f[0].msg : "-");
	free(k.p);
	free(f.p);
}

Test(layout, tags_under_the_kernel_harmless_only_with_an_appended_dtb)
{
	struct loader_model hdr = model("header,mem=0x80000000+256M");
	struct kernel_foot kf;
	struct layout_result r;

	for (int dtb = 0; dtb < 2; dtb++) {
		struct blob k = zimage(Z_TABLE, 0x530000, 20583080, 0x8000, 0, dtb ? 14000 : 0);
		footprint(&k, &kf);
		struct layout_image li = image(&kf, 0x80008000, 0x84000000, 600000);
		li.tags_addr = 0x80100100; /* inside where it decompresses */
		layout_check(&hdr, &li, &r);
		if (dtb)
			cr_expect(finding(&r, LAYOUT_NOTE, "tags", "appended DTB"));
		else
			cr_expect(
			    finding(&r, LAYOUT_ERROR, "decompressed", "and the tags (0x80100100-"),
			    "%s", r.n ? r.f[0].msg : "-");
		free(k.p);
	}
}

Test(layout, outside_memory_and_the_ramdisk_dropped)
{
	struct blob k = zimage(Z_TABLE, 0x530000, 20583080, 0x208000, 0, 0);
	struct loader_model hdr = model("header,mem=0x80000000+64M");
	struct kernel_foot kf;
	struct layout_result r;

	footprint(&k, &kf);
	struct layout_image li = image(&kf, 0x80008000, 0x84000000, 600000);
	layout_check(&hdr, &li, &r);
	cr_expect(finding(&r, LAYOUT_ERROR, "outside the memory", "the ramdisk at 0x84000000"));
	cr_expect(finding(&r, LAYOUT_ERROR, "lies outside the memory the kernel is told of", NULL));
	free(k.p);
}

Test(layout, reserved_region_covered_is_a_warning)
{
	struct blob k = zimage(Z_TABLE, 0x530000, 20583080, 0x8000, 0, 14000);
	struct loader_model lk = model(MT6572_LK);
	struct kernel_foot kf;
	struct layout_result r;

	footprint(&k, &kf);
	kf.shim_len = 192, kf.shim_align = 2u << 20, kf.len += 192;
	struct layout_image li = image(&kf, 0, 0, 600000);
	layout_check(&lk, &li, &r); /* TEXT_OFFSET 0x8000: it lands at 0x80008000 */
	cr_expect(finding(&r, LAYOUT_WARN, "reserved 0x80000000-0x80100000", NULL));
	cr_expect_eq(r.errors, 0, "%s", r.n ? r.f[0].msg : "-");
	free(k.p);
}

Test(layout, arm64_image_size_and_alignment)
{
	struct blob k = {calloc(1, 4096), 4096};
	struct loader_model hdr = model("header");
	struct kernel_foot kf;
	struct layout_result r;

	memcpy(k.p + 0x38, "ARM\x64", 4);
	put_le64(k.p + 8, 0);	       /* text_offset */
	put_le64(k.p + 16, 48u << 20); /* image_size: 48 MiB */
	footprint(&k, &kf);
	cr_expect_eq(kf.kind, PF_ARM64_IMAGE);
	struct layout_image li = image(&kf, 0x40200000, 0x42000000, 600000);
	layout_check(&hdr, &li, &r);
	cr_expect(finding(&r, LAYOUT_ERROR, "overlap", "the ramdisk (0x42000000-"));
	li.ramdisk_addr = 0x44000000;
	li.kernel_addr = 0x40208000; /* not 2 MiB + text_offset */
	li.tags_addr = 0x40100000;
	layout_check(&hdr, &li, &r);
	cr_expect(finding(&r, LAYOUT_ERROR, "2 MiB boundary", NULL), "%s", r.n ? r.f[0].msg : "-");
	free(k.p);
}

Test(layout, bzimage_init_size)
{
	struct blob k = {calloc(1, 8192), 8192};
	struct loader_model hdr = model("header");
	struct kernel_foot kf;
	struct layout_result r;

	k.p[0x1f1] = 4;
	memcpy(k.p + 0x202, "HdrS", 4);
	put_le32(k.p + 0x206, 0x020f); /* 2.15 */
	put_le32(k.p + 0x230, 2u << 20);
	k.p[0x234] = 1;
	put_le32(k.p + 0x260, 66682880);
	footprint(&k, &kf);
	cr_expect_eq(kf.kind, PF_BZIMAGE);
	cr_expect_eq(kf.init_size, 66682880);
	struct layout_image li = image(&kf, 0x10008000, 0x11000000, 600000);
	layout_check(&hdr, &li, &r);
	cr_expect(finding(&r, LAYOUT_ERROR, "overlap", "0x10200000-0x14198000"), "%s",
		  r.n ? r.f[0].msg : "-");
	li.ramdisk_addr = 0x18000000;
	layout_check(&hdr, &li, &r);
	cr_expect_eq(r.errors, 0);
	free(k.p);
}

Test(layout, unknown_kernel_said_not_guessed)
{
	struct blob k = yes_blob("kernel", 30000);
	struct loader_model hdr = model("header");
	struct kernel_foot kf;
	struct layout_result r;

	footprint(&k, &kf);
	cr_expect_eq(kf.kind, PF_UNKNOWN);
	struct layout_image li = image(&kf, 0x10008000, 0x11000000, 600000);
	layout_check(&hdr, &li, &r);
	cr_expect_eq(r.errors, 0);
	cr_expect(finding(&r, LAYOUT_NOTE, "not known", NULL));
	cr_expect(!r.krun.present);
	free(k.p);
}

Test(layout, shim_seen_in_front_of_a_zimage)
{
	struct blob z = zimage(Z_TABLE, 0x100000, 3000000, 0x8000, 0, 0);
	struct blob k = {calloc(1, z.n + 192), z.n + 192};
	struct kernel_foot kf;
	struct lk_shim sh;

	put_le32(k.p, 0xea000003u);
	memcpy(k.p + SHIM_OFF_MAGIC, SHIM_MAGIC, 8);
	put_le32(k.p + SHIM_OFF_LEN, 192);
	put_le32(k.p + SHIM_OFF_ALIGN, 2u << 20);
	memcpy(k.p + 192, z.p, z.n);
	cr_assert(shim_detect(k.p, k.n, &sh));
	footprint(&k, &kf);
	cr_expect_eq(kf.shim_len, 192);
	cr_expect_eq(kf.kind, PF_ZIMAGE);
	cr_expect_eq(kf.inflated, 3000000);
	/* a damaged header is not a shim */
	put_le32(k.p + SHIM_OFF_ALIGN, 3);
	cr_expect(!shim_detect(k.p, k.n, &sh));
	free(z.p);
	free(k.p);
}

Test(layout, no_addresses_in_a_v3_header)
{
	struct kernel_foot kf = {.kind = PF_UNKNOWN, .len = 100};
	struct loader_model hdr = model("header");
	struct layout_image li = {.kf = &kf};
	struct layout_result r;

	layout_check(&hdr, &li, &r);
	cr_expect_eq(r.errors, 0);
	cr_expect(finding(&r, LAYOUT_NOTE, "no load addresses", NULL));
}
