/* cpio reader and writer, compression (arc.h: archives built by hand). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/escape.h"
#include "ramdisk/compress.h"
#include "ramdisk/cpio.h"
#include "ramdisk/ramdisk.h"
#include "tests/unit/arc.h"

static int count_entries(const uint8_t *b, size_t n, struct diag *d)
{
	struct cpio_reader r;
	struct cpio_entry e;
	int k = 0, err;

	cpio_reader_init(&r, b, n);
	while ((err = cpio_next(&r, &e, d)) == 1)
		k++;
	return err < 0 ? err : k;
}

Test(cpio, reads_good_archive)
{
	struct arc a;
	struct diag d;
	struct cpio_reader r;
	struct cpio_entry e;

	arc_good(&a);
	cr_assert_eq(count_entries(a.b, a.n, &d), 3, "%s", d.msg);
	cpio_reader_init(&r, a.b, a.n);
	cr_assert_eq(cpio_next(&r, &e, &d), 1);
	cr_expect_str_eq(e.name, "etc");
	cr_expect_eq(e.m.f[CF_MODE], S_IFDIR | 0755);
	cr_assert_eq(cpio_next(&r, &e, &d), 1);
	cr_expect_eq(e.m.f[CF_FILESIZE], 20);
	cr_expect_eq(memcmp(e.data, "127.0.0.1", 9), 0);
}

Test(cpio, truncation_sweep)
{
	struct arc a;
	struct diag d;

	arc_good(&a);
	/* every proper prefix fails (except prefixes that end in the trailer's
	 * padding, which is NUL and may be cut) and none reads out of bounds */
	for (size_t n = 0; n < a.n; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, a.b, n);
		int r = count_entries(copy, n, &d);
		cr_expect(r < 0, "prefix of %zu bytes accepted", n);
		free(copy);
	}
}

Test(cpio, concatenated_archives_with_nul_padding)
{
	struct arc a, b;
	struct diag d;
	uint8_t buf[16384] = {0};

	arc_good(&a);
	memset(&b, 0, sizeof(b));
	arc_add(&b, "init", S_IFREG | 0755, "#!/bin/sh\n", 10, 0);
	arc_trailer(&b);
	memcpy(buf, a.b, a.n);
	memcpy(buf + a.n + 512, b.b, b.n);
	cr_expect_eq(count_entries(buf, a.n + 512 + b.n + 100, &d), 4, "%s", d.msg);
	/* the second archive must start 4-byte aligned */
	memmove(buf + a.n + 2, b.b, b.n);
	memset(buf + a.n, 0, 2);
	cr_expect_eq(count_entries(buf, a.n + 2 + b.n, &d), -EBADMSG);
	cr_expect(strstr(d.msg, "aligned"), "%s", d.msg);
}

/* The malicious-archive table: one bad thing each, the exact error and where. */
struct bad_case {
	const char *what;
	void (*make)(struct arc *a);
	int err;
	const char *msg;
};

static void bad_magic(struct arc *a)
{
	arc_good(a);
	a->b[5] = '7';
}
static void bad_hex(struct arc *a)
{
	arc_good(a);
	a->b[6 + 8 * CF_MODE + 3] = 'g';
}
static void ns_zero(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "x", S_IFREG, "", 0, 0);
	memcpy(a->b + 94, "00000000", 8);
	arc_trailer(a);
}
static void ns_huge(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "x", S_IFREG, "", 0, 0);
	memcpy(a->b + 94, "00001001", 8);
	arc_trailer(a);
}
static void no_nul(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "abc", S_IFREG, "", 0, 3);
	arc_trailer(a);
}
static void bad_pad(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "ab", S_IFREG, "x", 1, 0);
	a->b[a->n - 1] = 'z';
	arc_trailer(a);
}
static void dotdot(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "../../etc/passwd", S_IFREG | 0644, "x", 1, 0);
	arc_trailer(a);
}
static void dup_name(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "init", S_IFREG, "a", 1, 0);
	arc_add(a, "./init", S_IFREG, "b", 1, 0);
	arc_trailer(a);
}
static void size_4g(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "big", S_IFREG, "", 0, 0);
	memcpy(a->b + 54, "FFFFFFFF", 8);
	arc_trailer(a);
}
static void no_trailer(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "init", S_IFREG, "a", 1, 0);
}
static void nul_no_trailer(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "init", S_IFREG, "a", 1, 0);
	a->n += 512;
}
static void ctl_dup(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "a\n\033[2J", S_IFREG, "", 0, 0);
	arc_add(a, "./a\n\033[2J", S_IFREG, "", 0, 0);
	arc_trailer(a);
}
static void ctl_magic(struct arc *a)
{
	arc_good(a);
	memcpy(a->b, "\033]0;x", 6);
}
static void junk_after(struct arc *a)
{
	arc_good(a);
	memcpy(a->b + a->n, "JUNKJUNK", 8);
	a->n += 8;
}
static void dir_size(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "d", S_IFDIR | 0755, "abcd", 4, 0);
	arc_trailer(a);
}
static void empty_link(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "l", S_IFLNK | 0777, "", 0, 0);
	arc_trailer(a);
}

static const struct bad_case bad_cases[] = {
    {"bad magic", bad_magic, -EBADMSG, "entry @0x0: bad magic"},
    {"non-hex digit", bad_hex, -EBADMSG, "mode @0x11: non-hex digit 0x67"},
    {"namesize 0", ns_zero, -EBADMSG, "namesize @0x5e is 0"},
    {"namesize over 4096", ns_huge, -EOVERFLOW, "namesize @0x5e is 4097"},
    {"name without NUL", no_nul, -EBADMSG, "is not 3 bytes ending in one NUL"},
    {"non-NUL padding", bad_pad, -EBADMSG, "non-NUL padding after the data"},
    {"../ name", dotdot, -EINVAL, "\"../../etc/passwd\": a \"..\" component"},
    {"duplicate", dup_name, -EEXIST, "\"./init\": duplicate name (first at @0x0)"},
    {"4 GB size", size_4g, -EOVERFLOW, "filesize @0x36 is 4294967295, past the end"},
    {"no trailer", no_trailer, -EOVERFLOW,
     "archive ends without a TRAILER!!! entry at @0x78, after 1 entry"},
    {"NUL padding, no trailer", nul_no_trailer, -EOVERFLOW,
     "archive ends without a TRAILER!!! entry at @0x78, after 1 entry (only NUL bytes follow)"},
    {"control bytes in a name", ctl_dup, -EEXIST, "\"./a\\n\\033[2J\": duplicate name"},
    {"control bytes in the magic", ctl_magic, -EBADMSG, "bad magic \"\\033]0;x\\000\""},
    {"junk after trailer", junk_after, -EBADMSG, "junk after the trailer"},
    {"folder with data", dir_size, -EBADMSG, "filesize 4 on a non-file"},
    {"empty symlink", empty_link, -EBADMSG, "symlink target of 0 bytes"},
};

Test(cpio, malicious_archive_table)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct arc a;
		struct ramdisk rd;
		struct diag d = {{0}};
		uint8_t *copy;
		int err;
		bad_cases[i].make(&a);
		copy = malloc(a.n);
		memcpy(copy, a.b, a.n);
		rd_init(&rd, 0);
		err = rd_load_archive(&rd, copy, a.n, &d);
		cr_expect_eq(err, bad_cases[i].err, "%s: got %d (%s)", bad_cases[i].what, err,
			     d.msg);
		cr_expect(strstr(d.msg, bad_cases[i].msg), "%s: message \"%s\" lacks \"%s\"",
			  bad_cases[i].what, d.msg, bad_cases[i].msg);
		rd_free(&rd);
	}
}

Test(cpio, clean_path)
{
	static const struct {
		const char *in, *out;
		int err;
	} t[] = {
	    {"/init", "init", 0},  {"./a//b/", "a/b", 0},   {".", "", 0},
	    {"a/./b", "a/b", 0},   {"../x", NULL, -EINVAL}, {"a/../../x", NULL, -EINVAL},
	    {"a/..b", "a/..b", 0}, {"//", "", 0},
	};
	char out[64];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int err = cpio_clean_path(t[i].in, out, sizeof(out));
		cr_expect_eq(err, t[i].err, "%s", t[i].in);
		if (!err)
			cr_expect_str_eq(out, t[i].out, "%s", t[i].in);
	}
	cr_expect_eq(cpio_clean_path("abcdefgh", out, 4), -ENAMETOOLONG);
}

/* ---- compression ---------------------------------------------------------------------- */

static void compress_buf(enum comp c, int level, const uint8_t *in, size_t n, struct mem_sink *ms)
{
	struct zsink *zs;

	mem_sink_init(ms);
	cr_assert_eq(zsink_new(c, level, &ms->s, &zs), 0);
	cr_assert_eq(zsink_sink(zs)->write(zsink_sink(zs)->ctx, in, n), 0);
	cr_assert_eq(zsink_finish(zs), 0);
	zsink_free(zs);
}

Test(compress, round_trips_and_caps)
{
	const enum comp cs[] = {COMP_NONE, COMP_GZIP, COMP_LZ4_LEGACY};
	size_t n = (9u << 20) + 12345; /* two lz4 legacy blocks */
	uint8_t *in = malloc(n);

	for (size_t i = 0; i < n; i++)
		in[i] = (uint8_t)((i * 7) ^ (i >> 9));
	for (size_t k = 0; k < 3; k++) {
		struct mem_sink ms;
		struct diag d;
		uint8_t *out;
		size_t len;
		const char *what;
		compress_buf(cs[k], cs[k] == COMP_GZIP ? 6 : 12, in, n, &ms);
		cr_expect_eq(comp_detect(ms.buf, ms.len, &what),
			     cs[k] == COMP_NONE ? COMP_UNKNOWN : cs[k]);
		cr_assert_eq(decompress_all(cs[k], ms.buf, ms.len, n, &out, &len, &d), 0, "%s",
			     d.msg);
		cr_expect_eq(len, n);
		cr_expect_eq(memcmp(out, in, n), 0, "%s", comp_name(cs[k]));
		free(out);
		/* one byte under the size: a bomb, refused */
		cr_expect_eq(decompress_all(cs[k], ms.buf, ms.len, n - 1, &out, &len, &d), -EFBIG,
			     "%s: %s", comp_name(cs[k]), d.msg);
		/* truncated streams are errors, never short successes */
		if (cs[k] != COMP_NONE) {
			int err = decompress_all(cs[k], ms.buf, ms.len - 7, n, &out, &len, &d);
			cr_expect(err == -EBADMSG, "%s truncated: %d %s", comp_name(cs[k]), err,
				  d.msg);
		}
		free(ms.buf);
	}
	free(in);
}

Test(compress, lz4_legacy_layout)
{
	struct mem_sink ms;
	uint8_t in[1000];

	memset(in, 'a', sizeof(in));
	compress_buf(COMP_LZ4_LEGACY, 12, in, sizeof(in), &ms);
	cr_expect_eq(ms.buf[0], 0x02);
	cr_expect_eq(ms.buf[3], 0x18);
	cr_expect_eq((size_t)(ms.buf[4] | ms.buf[5] << 8 | ms.buf[6] << 16 | ms.buf[7] << 24) + 8,
		     ms.len, "one block, its size after the magic");
	free(ms.buf);
}

Test(compress, parse_names)
{
	enum comp c;
	int level;

	cr_expect_eq(comp_parse("gzip:3", &c, &level), 0);
	cr_expect_eq(c, COMP_GZIP);
	cr_expect_eq(level, 3);
	cr_expect_eq(comp_parse("lz4", &c, &level), 0);
	cr_expect_eq(level, 12);
	cr_expect_eq(comp_parse("gzip:10", &c, &level), -EINVAL);
	cr_expect_eq(comp_parse("none:1", &c, &level), -EINVAL);
	cr_expect_eq(comp_parse("lzop", &c, &level), -EINVAL);
}
