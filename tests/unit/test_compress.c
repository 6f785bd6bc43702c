/* Compression: every format's round trip, truncation sweeps, bombs, and the
 * streams of a ramdisk (concatenated, mixed, padded, followed by junk). */
#include <criterion/criterion.h>
#include <errno.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "mkbootimg/payload.h"
#include "ramdisk/compress.h"
#include "ramdisk/cpio.h"
#include "tests/unit/testimg.h"

static const enum comp writable[] = {COMP_GZIP, COMP_LZ4_LEGACY, COMP_XZ,
				     COMP_LZMA, COMP_BZIP2,	 COMP_ZSTD};
#define NWRITABLE (sizeof(writable) / sizeof(writable[0]))
/* and lz4 frames, which only liblz4 writes here */
static const enum comp readable[] = {COMP_GZIP, COMP_LZ4_LEGACY, COMP_LZ4_FRAME, COMP_XZ,
				     COMP_LZMA, COMP_BZIP2,	 COMP_ZSTD};
#define NREADABLE (sizeof(readable) / sizeof(readable[0]))

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 7 + seed) ^ (i >> 9) ^ (i % 13 == 0 ? seed * 31 : 0));
}

/* in compressed as c at its default level (lz4 frame: LZ4F's defaults). */
static void cat(struct blob *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* Decompress as comp_detect says; expect exactly want. */
static void expect_output(const struct blob *b, const uint8_t *want, size_t n, const char *what)
{
	const char *unsup;
	enum comp c = comp_detect(b->p, b->n, &unsup);
	struct diag d = {{0}};
	uint8_t *out;
	size_t len;
	int err = decompress_all(c, b->p, b->n, 1u << 24, &out, &len, &d);

	cr_assert_eq(err, 0, "%s: %d %s", what, err, d.msg);
	cr_expect_eq(len, n, "%s: %zu bytes, want %zu", what, len, n);
	cr_expect(len == n && !memcmp(out, want, n), "%s: wrong bytes", what);
	free(out);
}

/* Expect err, with d.msg holding "@0x<at>". */
static void expect_error(const struct blob *b, int want, size_t at, const char *what)
{
	const char *unsup;
	enum comp c = comp_detect(b->p, b->n, &unsup);
	struct diag d = {{0}};
	uint8_t *out;
	size_t len;
	char off[32];
	int err = decompress_all(c, b->p, b->n, 1u << 24, &out, &len, &d);

	snprintf(off, sizeof(off), "@0x%zx:", at);
	cr_expect_eq(err, want, "%s: %d, want %d (%s)", what, err, want, d.msg);
	cr_expect(strstr(d.msg, off), "%s: \"%s\" does not name %s", what, d.msg, off);
	if (err == 0)
		free(out);
}

Test(codec, round_trip_every_format_and_cap)
{
	size_t n = (200u << 10) + 7;
	uint8_t *in = malloc(n);

	fill(in, n, 1);
	for (size_t k = 0; k < NREADABLE; k++) {
		enum comp c = readable[k];
		struct blob b = test_zip(c, in, n);
		struct decomp_info info;
		struct diag d = {{0}};
		const char *what;
		uint8_t *out;
		size_t len;

		cr_expect_eq(comp_detect(b.p, b.n, &what), c, "%s", comp_name(c));
		cr_assert_eq(decompress_streams(c, b.p, b.n, n, &out, &len, &info, &d), 0, "%s: %s",
			     comp_name(c), d.msg);
		cr_expect(len == n && !memcmp(out, in, n), "%s", comp_name(c));
		cr_expect_eq(info.streams, 1);
		cr_expect(!info.mixed);
		free(out);
		/* one byte under the size: a bomb, refused */
		cr_expect_eq(decompress_all(c, b.p, b.n, n - 1, &out, &len, &d), -EFBIG, "%s: %s",
			     comp_name(c), d.msg);
		free(b.p);
	}
	free(in);
}

Test(codec, every_level_writes_what_reads_back)
{
	static const struct {
		enum comp c;
		int lo, hi;
	} t[] = {{COMP_GZIP, 1, 9},  {COMP_XZ, 0, 9},	 {COMP_LZMA, 0, 9},
		 {COMP_BZIP2, 1, 9}, {COMP_ZSTD, 1, 19}, {COMP_LZ4_LEGACY, 1, 12}};
	uint8_t in[20000];

	fill(in, sizeof(in), 2);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (int lv = t[i].lo; lv <= t[i].hi; lv += t[i].hi - t[i].lo) {
			struct mem_sink ms;
			struct zsink *zs;
			struct blob b;
			mem_sink_init(&ms);
			cr_assert_eq(zsink_new(t[i].c, lv, &ms.s, &zs), 0);
			cr_assert_eq(zsink_sink(zs)->write(zsink_sink(zs)->ctx, in, sizeof(in)), 0);
			cr_assert_eq(zsink_finish(zs), 0);
			zsink_free(zs);
			b.p = ms.buf, b.n = ms.len;
			expect_output(&b, in, sizeof(in), comp_name(t[i].c));
			free(b.p);
		}
}

/* Every prefix of a stream is an error naming an offset, never a crash or a
 * short success. lz4 legacy has no end marker: a prefix that stops after
 * the magic is an empty stream. */
Test(codec, truncation_sweep)
{
	uint8_t in[3000];

	fill(in, sizeof(in), 3);
	for (size_t k = 0; k < NREADABLE; k++) {
		enum comp c = readable[k];
		struct blob b = test_zip(c, in, sizeof(in));
		for (size_t cut = 0; cut < b.n; cut++) {
			struct diag d = {{0}};
			uint8_t *out;
			size_t len;
			int err = decompress_all(c, b.p, cut, sizeof(in), &out, &len, &d);
			if (c == COMP_LZ4_LEGACY && cut == 4) {
				cr_expect_eq(err, 0);
				cr_expect_eq(len, 0);
			} else {
				cr_expect(err == -EBADMSG, "%s cut at %zu: %d %s", comp_name(c),
					  cut, err, d.msg);
				cr_expect(strstr(d.msg, "@0x"), "%s cut at %zu: %s", comp_name(c),
					  cut, d.msg);
			}
			if (err == 0)
				free(out);
		}
		free(b.p);
	}
}

/* 8 MiB of zeros in a few KiB: a 1 MiB cap refuses it, without allocating
 * more than the cap. */
Test(codec, bombs_are_refused)
{
	size_t chunk = 1u << 20;
	uint8_t *zero = calloc(1, chunk);

	for (size_t k = 0; k < NWRITABLE; k++) {
		enum comp c = writable[k];
		struct mem_sink ms;
		struct zsink *zs;
		struct diag d = {{0}};
		uint8_t *out;
		size_t len;
		int lv = c == COMP_ZSTD			  ? 3
			 : c == COMP_XZ || c == COMP_LZMA ? 1
							  : comp_default_level(c);
		mem_sink_init(&ms);
		cr_assert_eq(zsink_new(c, lv, &ms.s, &zs), 0);
		for (int i = 0; i < 8; i++)
			cr_assert_eq(zsink_sink(zs)->write(zsink_sink(zs)->ctx, zero, chunk), 0);
		cr_assert_eq(zsink_finish(zs), 0);
		zsink_free(zs);
		cr_expect_lt(ms.len, 1u << 17, "%s: %zu bytes", comp_name(c), ms.len);
		cr_expect_eq(decompress_all(c, ms.buf, ms.len, chunk, &out, &len, &d), -EFBIG,
			     "%s: %s", comp_name(c), d.msg);
		cr_expect(strstr(d.msg, "cap"), "%s: %s", comp_name(c), d.msg);
		cr_assert_eq(decompress_all(c, ms.buf, ms.len, 8 * chunk, &out, &len, &d), 0, "%s",
			     d.msg);
		cr_expect_eq(len, 8 * chunk);
		free(out);
		free(ms.buf);
	}
	free(zero);
}

/* Two streams back to back (cat a.X b.X): both decoded, in order. */
Test(codec, concatenated_streams_are_all_decoded)
{
	uint8_t in[12000];

	fill(in, sizeof(in), 4);
	for (size_t k = 0; k < NREADABLE; k++) {
		enum comp c = readable[k];
		struct blob a = test_zip(c, in, 5000),
			    b = test_zip(c, in + 5000, sizeof(in) - 5000);
		struct decomp_info info;
		struct diag d = {{0}};
		uint8_t *out;
		size_t len;
		cat(&a, b.p, b.n);
		expect_output(&a, in, sizeof(in), comp_name(c));
		cr_assert_eq(decompress_streams(c, a.p, a.n, sizeof(in), &out, &len, &info, &d), 0);
		/* lz4 legacy: the second magic reads as part of one stream, as in the kernel */
		cr_expect_eq(info.streams, c == COMP_LZ4_LEGACY ? 1u : 2u, "%s", comp_name(c));
		free(out);
		free(a.p);
		free(b.p);
	}
}

/* bzip2 streams of block sizes that grow and shrink (100k..900k): libbz2's
 * block array, kept from one stream for the next (decoders.c), is reused when
 * it is big enough and replaced when not; every byte comes out right. */
Test(codec, bzip2_block_sizes_up_and_down)
{
	static const int levels[] = {3, 9, 4, 9, 1, 5};
	uint8_t in[6 * 3000];
	struct blob all = {NULL, 0};

	fill(in, sizeof(in), 6);
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct mem_sink ms;
		struct zsink *zs;

		mem_sink_init(&ms);
		cr_assert_eq(zsink_new(COMP_BZIP2, levels[i], &ms.s, &zs), 0);
		cr_assert_eq(zsink_sink(zs)->write(zsink_sink(zs)->ctx, in + i * 3000, 3000), 0);
		cr_assert_eq(zsink_finish(zs), 0);
		zsink_free(zs);
		cr_assert_eq(ms.buf[3], '0' + levels[i], "block size digit");
		cat(&all, ms.buf, ms.len);
		free(ms.buf);
	}
	expect_output(&all, in, sizeof(in), "bzip2 at 3, 9, 4, 9, 1, 5");
	free(all.p);
}

/* Each stream in its own format, as the kernel's initramfs buffer allows. */
Test(codec, mixed_streams)
{
	uint8_t in[9000];
	struct blob all = {NULL, 0};
	size_t part = sizeof(in) / NREADABLE;
	struct decomp_info info;
	struct diag d = {{0}};
	uint8_t *out;
	size_t len;

	fill(in, sizeof(in), 5);
	for (size_t k = 0; k < NREADABLE; k++) {
		size_t n = k + 1 == NREADABLE ? sizeof(in) - k * part : part;
		struct blob b = test_zip(readable[(k + 3) % NREADABLE], in + k * part, n);
		cat(&all, b.p, b.n);
		cat(&all, "\0\0\0", k % 4); /* and some padding */
		free(b.p);
	}
	expect_output(&all, in, sizeof(in), "mixed");
	cr_assert_eq(
	    decompress_streams(readable[3], all.p, all.n, sizeof(in), &out, &len, &info, &d), 0);
	cr_expect_eq(info.streams, NREADABLE);
	cr_expect(info.mixed);
	free(out);
	free(all.p);
}

Test(codec, nul_padding_after_the_end_is_fine)
{
	static const size_t pads[] = {1, 3, 4, 513};
	uint8_t in[4000], zero[513] = {0};

	fill(in, sizeof(in), 6);
	for (size_t k = 0; k < NREADABLE; k++)
		for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
			struct blob b = test_zip(readable[k], in, sizeof(in));
			char what[64];
			cat(&b, zero, pads[i]);
			snprintf(what, sizeof(what), "%s + %zu NULs", comp_name(readable[k]),
				 pads[i]);
			expect_output(&b, in, sizeof(in), what);
			free(b.p);
		}
}

/* Never a silent drop: junk after a stream (right after it, after NULs, or
 * 1-3 stray bytes) is an error at its offset. */
Test(codec, junk_after_the_end_names_its_offset)
{
	static const struct {
		const char *tail;
		size_t n, skip; /* junk at stream end + skip */
	} t[] = {{"JUNK", 4, 0}, {"\0\0\0\0\0J", 6, 5}, {"\x01", 1, 0}, {"\0\x7f\x7f", 3, 1}};
	uint8_t in[4000];

	fill(in, sizeof(in), 7);
	for (size_t k = 0; k < NREADABLE; k++)
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			struct blob b = test_zip(readable[k], in, sizeof(in));
			size_t end = b.n;
			char what[64];
			cat(&b, t[i].tail, t[i].n);
			snprintf(what, sizeof(what), "%s + tail %zu", comp_name(readable[k]), i);
			expect_error(&b, -EBADMSG, end + t[i].skip, what);
			free(b.p);
		}
}

Test(codec, lz4_legacy_end_word)
{
	uint8_t in[6000];
	struct blob a, b;
	size_t end;

	fill(in, sizeof(in), 8);
	/* a zero word ends the stream; another stream may follow */
	a = test_zip(COMP_LZ4_LEGACY, in, 2000);
	b = test_zip(COMP_LZ4_LEGACY, in + 2000, 4000);
	cat(&a, "\0\0\0\0\0\0", 6);
	cat(&a, b.p, b.n);
	expect_output(&a, in, sizeof(in), "legacy, 0 word, NULs, legacy");
	free(b.p);
	free(a.p);
	/* or a stream in another format */
	b = test_zip(COMP_GZIP, in + 2000, 4000);
	a = test_zip(COMP_LZ4_LEGACY, in, 2000);
	cat(&a, "\0\0\0\0", 4);
	cat(&a, b.p, b.n);
	expect_output(&a, in, sizeof(in), "legacy, 0 word, gzip");
	free(b.p);
	free(a.p);
	/* but not junk */
	a = test_zip(COMP_LZ4_LEGACY, in, 2000);
	end = a.n;
	cat(&a, "\0\0\0\0JUNK", 8);
	expect_error(&a, -EBADMSG, end + 4, "legacy, 0 word, junk");
	free(a.p);
}

/* magiskboot's lz4_lg: a last word with the decompressed size. */
Test(codec, lz4_lg_size_trailer)
{
	uint8_t in[3000], w[4];
	struct blob b;
	size_t end;

	fill(in, sizeof(in), 9);
	b = test_zip(COMP_LZ4_LEGACY, in, sizeof(in));
	put_le32(w, sizeof(in));
	cat(&b, w, 4);
	cat(&b, "\0\0", 2);
	expect_output(&b, in, sizeof(in), "lz4_lg");
	free(b.p);
	b = test_zip(COMP_LZ4_LEGACY, in, sizeof(in));
	end = b.n;
	put_le32(w, sizeof(in) + 1); /* not the size: a block past the end */
	cat(&b, w, 4);
	expect_error(&b, -EBADMSG, end, "lz4_lg with a wrong size");
	free(b.p);
}

/* lz4 and zstd skippable frames between frames (and in front: pzstd). */
Test(codec, skippable_frames)
{
	uint8_t in[5000], h[8];
	const enum comp cs[] = {COMP_LZ4_FRAME, COMP_ZSTD};

	fill(in, sizeof(in), 10);
	for (size_t k = 0; k < 2; k++) {
		struct blob a = {NULL, 0}, x = test_zip(cs[k], in, 2000),
			    y = test_zip(cs[k], in + 2000, 3000);
		put_le32(h, SKIPPABLE_MAGIC + 3);
		put_le32(h + 4, 5);
		cat(&a, h, 8);
		cat(&a, "12345", 5);
		cat(&a, x.p, x.n);
		cat(&a, h, 8);
		cat(&a, "12345", 5);
		cat(&a, y.p, y.n);
		expect_output(&a, in, sizeof(in), comp_name(cs[k]));
		/* one that runs past the end */
		put_le32(h + 4, 1000);
		cat(&a, h, 8);
		expect_error(&a, -EBADMSG, a.n - 8, "skippable frame past the end");
		free(a.p);
		free(x.p);
		free(y.p);
	}
}

/* A plain cpio archive, then a compressed one (x86 early microcode style). */
Test(codec, cpio_then_compressed)
{
	static const struct cpio_meta m = {
	    .f = {[CF_MODE] = 0100644, [CF_NLINK] = 1, [CF_FILESIZE] = 5}};
	struct mem_sink ms;
	struct cpio_writer w;
	struct cpio_reader r;
	struct cpio_entry e;
	struct blob b, z;
	uint8_t in[7000];
	uint8_t *want;
	size_t arc;

	fill(in, sizeof(in), 11);
	mem_sink_init(&ms);
	cpio_writer_init(&w, &ms.s);
	cr_assert_eq(cpio_write_entry(&w, &m, "early", "hello"), 0);
	cr_assert_eq(cpio_write_trailer(&w, false), 0);
	b.p = ms.buf, b.n = ms.len;
	/* the archive up to its trailer: the NULs after it are padding */
	cpio_reader_init(&r, b.p, b.n);
	r.one_archive = true;
	while (cpio_next(&r, &e, NULL) == 1)
		;
	arc = r.pos;
	cr_assert_lt(arc, b.n);
	z = test_zip(COMP_XZ, in, sizeof(in));
	cat(&b, z.p, z.n);
	want = malloc(arc + sizeof(in));
	memcpy(want, b.p, arc);
	memcpy(want + arc, in, sizeof(in));
	expect_output(&b, want, arc + sizeof(in), "cpio then xz");
	free(want);
	free(z.p);
	free(b.p);
}

/* What the kernel needs: CRC32 check, LZMA2 with a dictionary of at most
 * 1 MiB (xz); props 5d, 1 MiB, unknown size (lzma). */
Test(codec, kernel_flavour_headers)
{
	static const struct {
		int level;
		uint8_t dict; /* LZMA2 dictionary byte: 0x0c 256 KiB, 0x10 1 MiB */
	} t[] = {{0, 0x0c}, {1, 0x10}, {6, 0x10}, {9, 0x10}};
	uint8_t in[1000];

	fill(in, sizeof(in), 12);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mem_sink ms;
		struct zsink *zs;
		mem_sink_init(&ms);
		cr_assert_eq(zsink_new(COMP_XZ, t[i].level, &ms.s, &zs), 0);
		cr_assert_eq(zsink_sink(zs)->write(zsink_sink(zs)->ctx, in, sizeof(in)), 0);
		cr_assert_eq(zsink_finish(zs), 0);
		zsink_free(zs);
		cr_expect_eq(ms.buf[6], 0);
		cr_expect_eq(ms.buf[7], 1, "stream flags: check %u, want 1 (CRC32)", ms.buf[7]);
		/* block header at 12: size, flags (1 filter, no sizes), id 0x21, props */
		cr_expect_eq(ms.buf[13], 0);
		cr_expect_eq(ms.buf[14], 0x21);
		cr_expect_eq(ms.buf[15], 1);
		cr_expect_eq(ms.buf[16], t[i].dict, "xz:%d dictionary byte %#x", t[i].level,
			     ms.buf[16]);
		free(ms.buf);
	}
	{
		struct blob b = test_zip(COMP_LZMA, in, sizeof(in));
		cr_expect_eq(b.p[0], 0x5d);
		cr_expect_eq(get_le32(b.p + 1), 1u << 20);
		cr_expect_eq(get_le64(b.p + 5), UINT64_MAX);
		free(b.p);
	}
}

/* Headers that ask for more decoder memory than COMP_DEC_MEM_MAX. */
Test(codec, decoder_memory_is_capped)
{
	static const uint8_t lzma[] = {0x5d, 0,	   0,	 0,    0x80, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0,    0,	   0,	 0,    0};
	/* zstd frame header: window descriptor 0xa0 (2^30), then an empty raw block */
	static const uint8_t zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0, 0x01, 0x00, 0x00};
	struct blob a = {(uint8_t *)(uintptr_t)lzma, sizeof(lzma)},
		    z = {(uint8_t *)(uintptr_t)zstd, sizeof(zstd)};

	expect_error(&a, -EFBIG, 0, "lzma, 2 GiB dictionary");
	expect_error(&z, -EFBIG, 0, "zstd, 1 GiB window");
}

/* Long: a table of every codec's names, levels and magics; the table is the test. */
Test(codec, names_levels_and_magics)
{
	static const struct {
		const char *s;
		int ok;
		enum comp c;
		int level;
	} t[] = {
	    {"xz", 0, COMP_XZ, 6},
	    {"xz:0", 0, COMP_XZ, 0},
	    {"xz:9", 0, COMP_XZ, 9},
	    {"xz:10", -EINVAL, 0, 0},
	    {"lzma", 0, COMP_LZMA, 6},
	    {"lzma:3", 0, COMP_LZMA, 3},
	    {"bzip2", 0, COMP_BZIP2, 9},
	    {"bzip2:0", -EINVAL, 0, 0},
	    {"bzip2:1", 0, COMP_BZIP2, 1},
	    {"zstd", 0, COMP_ZSTD, 19},
	    {"zstd:19", 0, COMP_ZSTD, 19},
	    {"zstd:20", -EINVAL, 0, 0},
	    {"zstd:", -EINVAL, 0, 0},
	    {"zstd:+3", -EINVAL, 0, 0},
	    {"lz4-legacy:3", 0, COMP_LZ4_LEGACY, 3},
	    {"lz4-frame", -EINVAL, 0, 0},
	    {"lzop", -EINVAL, 0, 0},
	    {"gzip:9x", -EINVAL, 0, 0},
	};
	static const struct {
		const char *b;
		size_t n;
		enum comp c;
	} m[] = {
	    {"\x1f\x8b\x08", 3, COMP_GZIP},
	    {"\x02\x21\x4c\x18", 4, COMP_LZ4_LEGACY},
	    {"\x04\x22\x4d\x18", 4, COMP_LZ4_FRAME},
	    {"\xfd"
	     "7zXZ\0",
	     6, COMP_XZ},
	    {"\xfd"
	     "7zXZ",
	     5, COMP_UNKNOWN},
	    {"BZh9", 4, COMP_BZIP2},
	    {"BZh0", 4, COMP_UNKNOWN},
	    {"\x28\xb5\x2f\xfd", 4, COMP_ZSTD},
	    {"\x5d\0\0\x10\0\xff\xff\xff\xff\xff\xff\xff\xff", 13, COMP_LZMA},
	    {"\x5d\0\0\x10\0\xff\xff\xff\xff\xff\xff\xff\x01", 13, COMP_UNKNOWN},
	    {"070701", 6, COMP_NONE},
	    {"\x50\x2a\x4d\x18\x01\0\0\0x\x28\xb5\x2f\xfd", 13, COMP_ZSTD},
	};
	const char *what;
	enum comp c;
	int level;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int err = comp_parse(t[i].s, &c, &level);
		cr_expect_eq(err, t[i].ok, "%s: %d", t[i].s, err);
		if (err == 0) {
			cr_expect_eq(c, t[i].c, "%s", t[i].s);
			cr_expect_eq(level, t[i].level, "%s", t[i].s);
		}
	}
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		c = comp_detect((const uint8_t *)m[i].b, m[i].n, &what);
		cr_expect_eq(c, m[i].c, "magic %zu: %s", i, comp_name(c));
		/* the boot image tools name a compressed payload as we do */
		if (c != COMP_UNKNOWN && c != COMP_NONE && i != 11)
			cr_expect_str_eq(comp_name(c), payload_fmt_name(payload_detect(
							   (const uint8_t *)m[i].b, m[i].n)));
	}
	cr_expect_eq(comp_detect((const uint8_t *)"\x89LZO\0", 5, &what), COMP_UNKNOWN);
	cr_expect_str_eq(what, "lzop");
	cr_expect_eq(comp_default_level(COMP_XZ), 6);
	cr_expect_eq(comp_default_level(COMP_BZIP2), 9);
	cr_expect_eq(comp_default_level(COMP_ZSTD), 19);
	cr_expect_eq(comp_default_level(COMP_LZ4_LEGACY), 12);
	{
		struct mem_sink ms;
		struct zsink *zs;
		mem_sink_init(&ms);
		cr_expect_eq(zsink_new(COMP_LZ4_FRAME, 1, &ms.s, &zs), -EINVAL);
	}
}

/* lzop is named, not decoded; an lzop stream after another one too. */
Test(codec, lzop_is_refused_by_name)
{
	uint8_t in[100];
	struct blob b;
	struct diag d = {{0}};
	uint8_t *out;
	size_t len, end;

	fill(in, sizeof(in), 13);
	b = test_zip(COMP_GZIP, in, sizeof(in));
	end = b.n;
	cat(&b, "\x89LZO\0\r\n\x1a\n", 9);
	cr_expect_eq(decompress_all(COMP_GZIP, b.p, b.n, 1000, &out, &len, &d), -ENOTSUP);
	cr_expect(strstr(d.msg, "lzop ramdisks are not supported"), "%s", d.msg);
	{
		char off[24];
		snprintf(off, sizeof(off), "@0x%zx:", end);
		cr_expect(strstr(d.msg, off), "%s", d.msg);
	}
	free(b.p);
}
