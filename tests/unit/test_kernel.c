/* Kernels: the compressed payload found anywhere in a zImage (each format at
 * a realistic offset), the version string and the embedded config read from
 * the decoded kernel; Image.gz and plain Images; nothing invented from noise. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/kernel.h"
#include "ramdisk/compress.h"
#include "tests/unit/testimg.h"

/* A made-up vmlinux: code-like noise, the banner, an IKCFG block. */
static struct blob vmlinux(bool config)
{
	static const char ver[] = "Linux version 6.1.0-77-test (builder@host) (gcc 12) #1 SMP\n";
	static const char cfg[] =
	    "CONFIG_IKCONFIG=y\nCONFIG_TOUCHSCREEN_GOODIX=m\n# CONFIG_X is not set\n";
	struct blob v = {malloc(300000), 300000}, z = {0};
	size_t at = 0;

	for (size_t i = 0; i < v.n; i++)
		v.p[i] = (uint8_t)(i * 2654435761u >> 13);
	memcpy(v.p + 200000, ver, sizeof(ver) - 1);
	if (config) {
		z = test_zip(COMP_GZIP, (const uint8_t *)cfg, sizeof(cfg) - 1);
		at = 250000;
		memcpy(v.p + at, "IKCFG_ST", 8);
		memcpy(v.p + at + 8, z.p, z.n);
		memcpy(v.p + at + 8 + z.n, "IKCFG_ED", 8);
		free(z.p);
	}
	return v;
}

/* A zImage: header with the magic, decompressor-like bytes up to `at`, the
 * payload, a size word, a tail. */
static struct blob zimage(const struct blob *payload, size_t at)
{
	struct blob k = {calloc(1, at + payload->n + 4096), at + payload->n + 4096};

	for (size_t i = 0x30; i < at; i++)
		k.p[i] = (uint8_t)(i * 40503u >> 7);
	put_le32(k.p + 0x24, 0x016f2818u);
	put_le32(k.p + 0x2c, (uint32_t)(at + payload->n + 4));
	memcpy(k.p + at, payload->p, payload->n);
	return k;
}

static void inspect(const struct blob *k, struct kernel_info *ki, uint8_t **cfg, size_t *cl)
{
	int fd = memfd_create("kernel", 0);
	struct diag d;

	cr_assert(fd >= 0);
	cr_assert_eq(write_all(fd, k->p, k->n), 0);
	cr_assert_eq(kernel_inspect(fd, 0, k->n, ki, cfg, cl, NULL, NULL, &d), 0, "%s", d.msg);
	close(fd);
}

Test(kernel, payload_found_anywhere_in_a_zimage_each_format)
{
	static const enum comp fmts[] = {COMP_GZIP,	  COMP_XZ,   COMP_LZMA,
					 COMP_LZ4_LEGACY, COMP_ZSTD, COMP_BZIP2};
	static const enum payload_fmt want[] = {PF_GZIP,       PF_XZ,	PF_LZMA,
						PF_LZ4_LEGACY, PF_ZSTD, PF_BZIP2};
	struct blob v = vmlinux(true);

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct blob z = test_zip(fmts[i], v.p, v.n), k = zimage(&z, 0xd928 + 17 * i);
		struct kernel_info ki;
		uint8_t *cfg;
		size_t cl;

		inspect(&k, &ki, &cfg, &cl);
		cr_expect_eq(ki.kind, PF_ZIMAGE);
		cr_expect_eq(ki.inner, want[i], "%s: found %s", comp_name(fmts[i]),
			     payload_fmt_name(ki.inner));
		cr_expect_eq(ki.inner_at, 0xd928 + 17 * i, "%s at %#llx", comp_name(fmts[i]),
			     (unsigned long long)ki.inner_at);
		cr_expect_eq(ki.vmlinux_len, v.n, "%s decoded %llu", comp_name(fmts[i]),
			     (unsigned long long)ki.vmlinux_len);
		cr_expect_str_eq(ki.release, "6.1.0-77-test");
		cr_expect(!strncmp(ki.version, "Linux version 6.1.0-77-test (builder@host)", 42));
		cr_expect(ki.has_config && cfg &&
			      strstr((char *)cfg, "CONFIG_TOUCHSCREEN_GOODIX=m"),
			  "%s: config", comp_name(fmts[i]));
		free(cfg);
		free(z.p);
		free(k.p);
	}
	free(v.p);
}

Test(kernel, image_gz_and_plain_image)
{
	struct blob v = vmlinux(false), z = test_zip(COMP_GZIP, v.p, v.n);
	struct kernel_info ki;
	uint8_t *cfg;
	size_t cl;

	inspect(&z, &ki, &cfg, &cl);
	cr_expect_eq(ki.inner, PF_GZIP);
	cr_expect_eq(ki.inner_at, 0);
	cr_expect_str_eq(ki.release, "6.1.0-77-test");
	cr_expect(!ki.has_config && !cfg);
	memcpy(v.p + 0x38, "ARM\x64", 4); /* an arm64 Image: not compressed */
	inspect(&v, &ki, &cfg, &cl);
	cr_expect_eq(ki.kind, PF_ARM64_IMAGE);
	cr_expect_eq(ki.inner, PF_UNKNOWN);
	cr_expect_str_eq(ki.release, "6.1.0-77-test");
	free(z.p);
	free(v.p);
}

Test(kernel, magics_in_noise_are_not_a_payload)
{
	struct blob k = {calloc(1, 200000), 200000};
	struct kernel_info ki;
	uint8_t *cfg;
	size_t cl;

	put_le32(k.p + 0x24, 0x016f2818u);
	for (size_t i = 0x30; i + 700 < k.n; i += 997) { /* magic bytes with nothing behind them */
		memcpy(k.p + i, "\x1f\x8b\x08", 3);
		memcpy(k.p + i + 300,
		       "\xfd"
		       "7zXZ",
		       6);
		memcpy(k.p + i + 600, "\x5d\x00\x00\x80\x00", 5);
	}
	inspect(&k, &ki, &cfg, &cl);
	cr_expect_eq(ki.inner, PF_UNKNOWN, "found %s", payload_fmt_name(ki.inner));
	cr_expect_eq(ki.version[0], 0);
	free(k.p);
}

Test(kernel, a_cut_payload_still_gives_what_decodes)
{
	struct blob v = vmlinux(false), z = test_zip(COMP_XZ, v.p, v.n);
	struct kernel_info ki;
	uint8_t *cfg;
	size_t cl;

	z.n = z.n * 9 / 10; /* the banner sits at 2/3 of the kernel */
	inspect(&z, &ki, &cfg, &cl);
	cr_expect(ki.decoded);
	cr_expect_lt(ki.vmlinux_len, v.n);
	cr_expect_str_eq(ki.release, "6.1.0-77-test");
	free(z.p);
	free(v.p);
}

/* A zImage of lz4 legacy magics and empty blocks (issue 26.4): every byte
 * position a magic, each one a stream to the end. The search stops at its
 * budget (the time bound is bench/'s); a payload after a few false magics
 * is still found. */
Test(kernel, a_zimage_of_lz4_magics_stops_at_the_search_budget)
{
	static const uint8_t unit[] = {0x02, 0x21, 0x4c, 0x18, 1, 0, 0, 0, 0};
	struct blob k = {calloc(1, 1 << 20), 1 << 20};
	struct kernel_info ki;
	uint8_t *cfg;
	size_t cl;

	put_le32(k.p + 0x24, 0x016f2818u);
	for (size_t i = 0x30; i + sizeof(unit) <= k.n; i += sizeof(unit))
		memcpy(k.p + i, unit, sizeof(unit));
	inspect(&k, &ki, &cfg, &cl);
	cr_expect_eq(ki.kind, PF_ZIMAGE);
	cr_expect_eq(ki.inner, PF_UNKNOWN, "found %s", payload_fmt_name(ki.inner));
	cr_expect(ki.search_cut);
	free(k.p);
}

Test(kernel, a_payload_after_false_magics_is_found)
{
	static const uint8_t unit[] = {0x02, 0x21, 0x4c, 0x18, 1, 0, 0, 0, 0};
	struct blob v = vmlinux(true), z = test_zip(COMP_GZIP, v.p, v.n), k = zimage(&z, 0x8000);
	struct kernel_info ki;
	uint8_t *cfg;
	size_t cl;

	for (size_t i = 0x100; i + sizeof(unit) <= 0x100 + 200 * sizeof(unit); i += sizeof(unit))
		memcpy(k.p + i, unit, sizeof(unit)); /* 200 false starts, each empty */
	inspect(&k, &ki, &cfg, &cl);
	cr_expect_eq(ki.inner, PF_GZIP, "found %s", payload_fmt_name(ki.inner));
	cr_expect_eq(ki.inner_at, 0x8000);
	cr_expect(!ki.search_cut);
	cr_expect_str_eq(ki.release, "6.1.0-77-test");
	cr_expect(ki.has_config && cfg);
	free(cfg);
	free(z.p);
	free(k.p);
	free(v.p);
}

/* The decoded kernel is scanned as it streams by (issue 26.16): a banner or
 * IKCFG_ST split between two pieces of the decoder's output, or between two
 * lz4 blocks, is still found; the version-only mode stops early. */
static size_t pieces_seen;
static int count_piece(void *ctx, const uint8_t *p, size_t n)
{
	struct blob *all = ctx;

	memcpy(all->p + all->n, p, n);
	all->n += n;
	pieces_seen++;
	return 0;
}

Test(kernel, strings_split_between_pieces_are_found)
{
	static const char ver[] = "Linux version 6.1.0-88-split (b@h) #1 SMP\n";
	static const size_t cuts[] = {(256u << 10) - 5, (256u << 10) - 13, (256u << 10) - 1,
				      (8u << 20) - 7};
	static const char cfgtext[] = "CONFIG_SPLIT=y\n";
	struct blob cz = test_zip(COMP_GZIP, (const uint8_t *)cfgtext, sizeof(cfgtext) - 1);

	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		size_t n = cuts[c] + (1u << 20);
		struct blob v = {malloc(n), n}, all = {malloc(n), 0};
		enum comp how = cuts[c] > (1u << 20) ? COMP_LZ4_LEGACY : COMP_GZIP;
		struct kernel_info ki;
		uint8_t *cfg = NULL;
		size_t cl = 0;
		struct diag d;
		int fd = memfd_create("k", 0);

		for (size_t i = 0; i < n; i++)
			v.p[i] = (uint8_t)(i * 2654435761u >> 13) | 0x80;
		memcpy(v.p + cuts[c], ver, sizeof(ver) - 1);
		memcpy(v.p + 100, "IKCFG_ST", 8);
		memcpy(v.p + 108, cz.p, cz.n);
		if (c == 1) { /* the config's magic on the cut instead */
			memcpy(v.p + cuts[c] - 200, "IKCFG_ST", 8);
			memcpy(v.p + cuts[c] - 192, cz.p, cz.n);
			memset(v.p + 100, 0x80, 8);
		}
		struct blob z = test_zip(how, v.p, v.n);
		cr_assert(fd >= 0 && write_all(fd, z.p, z.n) == 0);
		pieces_seen = 0;
		cr_assert_eq(kernel_inspect(fd, 0, z.n, &ki, &cfg, &cl, count_piece, &all, &d), 0,
			     "%s", d.msg);
		cr_expect_str_eq(ki.release, "6.1.0-88-split", "cut %zu", cuts[c]);
		cr_expect(ki.has_config && cl == sizeof(cfgtext) - 1 && !memcmp(cfg, cfgtext, cl),
			  "cut %zu: config", cuts[c]);
		cr_expect(all.n == n && !memcmp(all.p, v.p, n), "cut %zu: the decoded kernel",
			  cuts[c]);
		cr_expect_gt(pieces_seen, 1, "cut %zu: one piece only", cuts[c]);
		/* version only: the decode stops at the banner */
		cr_assert_eq(kernel_inspect(fd, 0, z.n, &ki, NULL, NULL, NULL, NULL, &d), 0);
		cr_expect_str_eq(ki.release, "6.1.0-88-split");
		if (how == COMP_GZIP)
			cr_expect_lt(ki.vmlinux_len, n, "cut %zu: decoded to the end", cuts[c]);
		close(fd);
		free(cfg);
		free(z.p);
		free(v.p);
		free(all.p);
	}
	free(cz.p);
}
