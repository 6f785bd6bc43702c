/* Ramdisk edits, extraction, many entries, escaped names, exact specs and
 * the header's hex case (arc.h: archives built by hand). */
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

/* ---- ramdisk edits ----------------------------------------------------------------------- */

static void load_good(struct ramdisk *rd, struct arc *a)
{
	struct diag d;
	uint8_t *copy;

	arc_good(a);
	copy = malloc(a->n);
	memcpy(copy, a->b, a->n);
	rd_init(rd, 1234);
	cr_assert_eq(rd_load_archive(rd, copy, a->n, &d), 0, "%s", d.msg);
}

static struct mem_sink write_rd(const struct ramdisk *rd)
{
	struct mem_sink ms;
	struct diag d = {{0}};

	mem_sink_init(&ms);
	cr_assert_eq(rd_write(rd, &ms.s, &d), 0, "%s", d.msg);
	return ms;
}

static int edit(struct ramdisk *rd, const char *line, struct diag *d)
{
	return rd_apply_spec(rd, line, strlen(line), "-e", ".", true, d);
}

Test(ramdisk, untouched_entries_keep_their_bytes)
{
	struct ramdisk rd;
	struct arc a;
	struct diag d = {{0}};
	struct mem_sink ms;

	load_good(&rd, &a);
	ms = write_rd(&rd);
	/* no edits: the same bytes up to the trailer (ours is written anew) */
	size_t body = a.n - (CPIO_HDR_SIZE + 14);
	cr_assert_geq(ms.len, a.n);
	cr_expect_eq(memcmp(ms.buf, a.b, body), 0);
	free(ms.buf);

	cr_assert_eq(edit(&rd, "insert etc/hosts bottom ::1 localhost", &d), 0, "%s", d.msg);
	cr_assert_eq(edit(&rd, "dir sbin 0750 0 2000", &d), 0, "%s", d.msg);
	ms = write_rd(&rd);
	/* the folder entry before the edited file is byte-identical */
	size_t first = CPIO_HDR_SIZE + 4;
	cr_expect_eq(memcmp(ms.buf, a.b, first), 0);
	free(ms.buf);

	/* idempotent insert */
	cr_assert_eq(edit(&rd, "insert etc/hosts bottom ::1 localhost", &d), 0);
	long i = rd_find(&rd, "etc/hosts");
	cr_assert_geq(i, 0);
	cr_expect_eq(rd.v[i].m.f[CF_FILESIZE], 20 + 14);
	cr_expect_eq(rd.v[i].m.f[CF_INO], (uint32_t)CPIO_HDR_SIZE + 6 + 1, "inode kept: %u",
		     rd.v[i].m.f[CF_INO]);
	long s = rd_find(&rd, "sbin");
	cr_expect_eq(rd.v[s].m.f[CF_GID], 2000);
	cr_expect_gt(rd.v[s].m.f[CF_INO], rd.v[i].m.f[CF_INO], "new inode after the old ones");
	rd_free(&rd);
}

Test(ramdisk, edit_errors_name_the_line)
{
	static const struct {
		const char *line;
		int err;
		const char *msg;
	} t[] = {
	    {"rm nothere", -ENOENT, "-e:1: \"nothere\" is not in the ramdisk"},
	    {"rm etc", -ENOTEMPTY, "is a folder with entries"},
	    {"mv etc bin", -EEXIST, "\"bin\" is already in the ramdisk"},
	    {"mv etc etc/x", -EINVAL, "into itself"},
	    {"dir a/b 0755 0 0", -ENOENT, "folder \"a\" is not in the ramdisk"},
	    {"dir x 0855 0 0", -EINVAL, "field 3 \"0855\": want a octal number"},
	    {"dir ../x 0755 0 0", -EINVAL, "\"..\" is not allowed"},
	    {"nod dev 0600 0 0 x 1 1", -EINVAL, "device type \"x\""},
	    {"insert etc/hosts middle x", -EINVAL, "want top, bottom or after=PREFIX"},
	    {"insert etc/hosts after=nope x", -ENOENT, "no line starts with \"nope\""},
	    {"insert bin top x", -ENOENT, "is not a file"},
	    {"frob x", -EINVAL, "unknown verb \"frob\""},
	    {"dir x \"0755 0 0", -EINVAL, "unterminated quote"},
	};

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct ramdisk rd;
		struct arc a;
		struct diag d = {{0}};
		load_good(&rd, &a);
		cr_expect_eq(edit(&rd, t[k].line, &d), t[k].err, "%s: %s", t[k].line, d.msg);
		cr_expect(strstr(d.msg, t[k].msg), "%s: \"%s\" lacks \"%s\"", t[k].line, d.msg,
			  t[k].msg);
		rd_free(&rd);
	}
}

Test(ramdisk, rm_mv_and_order)
{
	struct ramdisk rd;
	struct arc a;
	struct diag d = {{0}};

	load_good(&rd, &a);
	cr_assert_eq(edit(&rd, "mv etc system", &d), 0, "%s", d.msg);
	cr_expect_geq(rd_find(&rd, "system/hosts"), 0);
	cr_expect_lt(rd_find(&rd, "etc/hosts"), 0);
	cr_assert_eq(edit(&rd, "rmtree system", &d), 0, "%s", d.msg);
	cr_expect_eq(rd.n, 1);
	/* a file added before its folder cannot be written in that order */
	rd_free(&rd);
	rd_init(&rd, 0);
	cr_assert_eq(rd_apply_spec(&rd, "slink a/l x 0777 0 0\ndir a 0755 0 0\n",
				   strlen("slink a/l x 0777 0 0\ndir a 0755 0 0\n"), "s", ".",
				   false, &d),
		     0, "%s", d.msg);
	struct mem_sink ms;
	mem_sink_init(&ms);
	cr_expect_eq(rd_write(&rd, &ms.s, &d), -ENOENT);
	rd_sort(&rd);
	cr_expect_eq(rd_write(&rd, &ms.s, &d), 0, "%s", d.msg);
	free(ms.buf);
	rd_free(&rd);
}

Test(ramdisk, spec_build_is_deterministic)
{
	const char *spec = "dir dev 0755 0 0\nnod dev/console 0600 0 0 c 5 1\n"
			   "slink bin /system/bin 0777 0 0\npipe p 0644 1 2\nsock s 0600 0 0\n";
	struct mem_sink m1, m2;
	struct diag d = {{0}};

	for (int k = 0; k < 2; k++) {
		struct ramdisk rd;
		rd_init(&rd, 42);
		cr_assert_eq(rd_apply_spec(&rd, spec, strlen(spec), "s", ".", false, &d), 0, "%s",
			     d.msg);
		rd_sort(&rd);
		*(k ? &m2 : &m1) = write_rd(&rd);
		rd_free(&rd);
	}
	cr_assert_eq(m1.len, m2.len);
	cr_expect_eq(memcmp(m1.buf, m2.buf, m1.len), 0);
	cr_expect_eq(m1.len % 512, 0);
	/* the first entry is "bin" with inode 1 and mtime 42 (0x2A) */
	cr_expect_eq(memcmp(m1.buf, "07070100000001", 14), 0);
	cr_expect_eq(memcmp(m1.buf + 46, "0000002A", 8), 0);
	/* spec duplicates are errors */
	struct ramdisk rd;
	rd_init(&rd, 0);
	cr_expect_eq(
	    rd_apply_spec(&rd, "dir a 0755 0 0\ndir a 0700 0 0\n", 30, "s", ".", false, &d),
	    -EEXIST);
	cr_expect(strstr(d.msg, "s:2: \"a\" is already defined on line 1"), "%s", d.msg);
	rd_free(&rd);
	free(m1.buf);
	free(m2.buf);
}

/* ---- extraction ---------------------------------------------------------------------------- */

static int extract_arc(struct arc *a, const char *dir, struct diag *d)
{
	struct ramdisk rd;
	struct rd_extract_stats st;
	uint8_t *copy = malloc(a->n);
	int err;

	memcpy(copy, a->b, a->n);
	rd_init(&rd, 0);
	err = rd_load_archive(&rd, copy, a->n, d);
	if (err == 0)
		err = rd_extract(&rd, dir, NULL, &st, d);
	rd_free(&rd);
	return err;
}

Test(extract, never_writes_through_a_symlink)
{
	char tmpl[] = "/tmp/rdtest.XXXXXX", dir[64], outside[64], victim[96];
	struct arc a;
	struct diag d = {{0}};
	struct stat st;

	cr_assert(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s/x", tmpl);
	snprintf(outside, sizeof(outside), "%s/outside", tmpl);
	cr_assert_eq(mkdir(outside, 0755), 0);
	/* "evil" points outside; then a file through it */
	memset(&a, 0, sizeof(a));
	arc_add(&a, "evil", S_IFLNK | 0777, outside, strlen(outside), 0);
	arc_add(&a, "evil/pwned", S_IFREG | 0644, "x", 1, 0);
	arc_trailer(&a);
	cr_expect_eq(extract_arc(&a, dir, &d), -ENOTDIR, "%s", d.msg);
	cr_expect(strstr(d.msg, "\"evil/pwned\""), "%s", d.msg);
	snprintf(victim, sizeof(victim), "%s/pwned", outside);
	cr_expect_neq(stat(victim, &st), 0, "nothing written outside");
	/* a file over an existing symlink: O_EXCL|O_NOFOLLOW refuses it */
	memset(&a, 0, sizeof(a));
	arc_add(&a, "f", S_IFLNK | 0777, victim, strlen(victim), 0);
	arc_trailer(&a);
	snprintf(dir, sizeof(dir), "%s/y", tmpl);
	cr_assert_eq(extract_arc(&a, dir, &d), 0, "%s", d.msg);
	memset(&a, 0, sizeof(a));
	arc_add(&a, "f", S_IFREG | 0644, "x", 1, 0);
	arc_trailer(&a);
	cr_expect_eq(extract_arc(&a, dir, &d), -EEXIST, "%s", d.msg);
	cr_expect_neq(stat(victim, &st), 0, "nothing written outside");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	cr_expect_eq(system(cmd), 0);
}

/* ---- many entries (issue 15.6): names are found through a hash index ------------------- */

/* n files "d/fNNNNNN" in a folder "d", written with our own writer. */
static struct mem_sink many_entries(size_t n)
{
	struct cpio_writer w;
	struct mem_sink ms;
	struct cpio_meta m = {.crc = false};
	char name[32];

	mem_sink_init(&ms);
	cpio_writer_init(&w, &ms.s);
	m.f[CF_MODE] = S_IFDIR | 0755;
	m.f[CF_NLINK] = 2;
	cr_assert_eq(cpio_write_entry(&w, &m, "d", NULL), 0);
	m.f[CF_MODE] = S_IFREG | 0644;
	m.f[CF_NLINK] = 1;
	m.f[CF_FILESIZE] = 4;
	for (size_t i = 0; i < n; i++) {
		m.f[CF_INO] = (uint32_t)i + 2;
		snprintf(name, sizeof(name), "d/f%06zu", i);
		cr_assert_eq(cpio_write_entry(&w, &m, name, name + 4), 0);
	}
	cr_assert_eq(cpio_write_trailer(&w, false), 0);
	return ms;
}

/* 100,000 entries load (each name checked against all earlier ones, through
 * the index) in about a second under ASan; a linear search took ~55 s, past
 * the generous timeout. */
Test(ramdisk, hundred_thousand_entries, .timeout = 30)
{
	const size_t n = 100000;
	struct mem_sink ms = many_entries(n);
	struct ramdisk rd;
	struct diag d = {{0}};
	char name[32];

	rd_init(&rd, 0);
	cr_assert_eq(rd_load_archive(&rd, ms.buf, ms.len, &d), 0, "%s", d.msg);
	cr_assert_eq(rd.n, n + 1);
	for (size_t i = 0; i < n; i += 997) {
		snprintf(name, sizeof(name), "d/f%06zu", i);
		cr_expect_eq(rd_find(&rd, name), (long)i + 1, "%s", name);
	}
	cr_expect_eq(rd_find(&rd, "d/f100000"), -1);
	cr_expect_eq(rd_find(&rd, "d"), 0);
	/* edits that move many entries keep the index right */
	cr_assert_eq(edit(&rd, "mv d e", &d), 0, "%s", d.msg);
	cr_expect_eq(rd_find(&rd, "d/f000007"), -1);
	cr_expect_eq(rd_find(&rd, "e/f000007"), 8);
	cr_assert_eq(edit(&rd, "rm e/f000003", &d), 0, "%s", d.msg);
	cr_expect_eq(rd_find(&rd, "e/f000007"), 7);
	cr_expect_eq(rd_find(&rd, "e/f099999"), (long)n - 1);
	cr_assert_eq(rd_add_file(&rd, "e/new", 0644, NULL, "x", 1, &d), 0, "%s", d.msg);
	cr_expect_eq(rd_find(&rd, "e/new"), (long)n);
	/* a duplicate deep in the archive is still found */
	cr_assert_eq(edit(&rd, "mv e/f000001 e/f050000", &d), -EEXIST);
	cr_assert_eq(edit(&rd, "rmtree e", &d), 0, "%s", d.msg);
	cr_expect_eq(rd.n, 0);
	cr_expect_eq(rd_find(&rd, "e/new"), -1);
	rd_free(&rd);
}

/* ---- names shown escaped (issue 15.19), read back by the spec parser ------------------- */

Test(escape, as_ls_b_and_back_through_a_quoted_spec_field)
{
	static const struct {
		const char *in, *shown;
	} t[] = {
	    {"plain name", "plain name"},     {"a\nb", "a\\nb"},
	    {"\033[2J", "\\033[2J"},	      {"tab\there", "tab\\there"},
	    {"back\\slash", "back\\\\slash"}, {"\x7f\xff\x01", "\\177\\377\\001"},
	    {"q\"uote", "q\"uote"},
	};
	char out[64], line[128];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ramdisk rd;
		struct diag d = {{0}};
		size_t n = esc_bytes(out, sizeof(out), t[i].in, strlen(t[i].in), false);
		cr_expect_str_eq(out, t[i].shown);
		cr_expect_eq(n, strlen(t[i].shown));
		/* quoted (with '"' escaped too) it names the same entry in a spec */
		esc_bytes(out, sizeof(out), t[i].in, strlen(t[i].in), true);
		snprintf(line, sizeof(line), "dir \"%s\" 0755 0 0", out);
		rd_init(&rd, 0);
		cr_assert_eq(rd_apply_spec(&rd, line, strlen(line), "s", ".", false, &d), 0,
			     "%s: %s", line, d.msg);
		cr_expect_str_eq(rd.v[0].name, t[i].in, "%s", line);
		rd_free(&rd);
	}
	/* cut at a whole escape, never inside one */
	cr_expect_eq(esc_bytes(out, 6, "ab\033", 3, false), 6);
	cr_expect_str_eq(out, "ab");
	char big[400], shown[ESC_SHOW_MAX];
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	esc_show(shown, big);
	cr_expect_eq(strlen(shown), ESC_SHOW_MAX - 1, "%zu", strlen(shown));
	cr_expect_eq(strcmp(shown + strlen(shown) - 5, "\\n..."), 0, "%s", shown);
}

/* ---- exact specs (issue 18.1): extract --spec, then pack, byte for byte ------------------- */

/* An entry with every header field chosen. */
static void arc_full(struct arc *a, const char *name, uint32_t mode, const char *data, size_t len,
		     const uint32_t f7[7], bool crc)
{
	/* f7: ino, uid, gid, nlink, mtime, devmajor, devminor; rdev from data for nodes */
	size_t at = a->n;
	char h[9];

	arc_add(a, name, mode, data, len, 0);
	const enum cpio_field idx[7] = {CF_INO,	  CF_UID,      CF_GID,	   CF_NLINK,
					CF_MTIME, CF_DEVMAJOR, CF_DEVMINOR};
	for (int i = 0; i < 7; i++) {
		snprintf(h, sizeof(h), "%08X", f7[i]);
		memcpy(a->b + at + 6 + idx[i] * 8, h, 8);
	}
	if (crc) {
		uint32_t sum = 0;
		for (size_t i = 0; i < len; i++)
			sum += (uint8_t)data[i];
		a->b[at + 5] = '2';
		snprintf(h, sizeof(h), "%08X", sum);
		memcpy(a->b + at + 6 + CF_CHECK * 8, h, 8);
	}
}

Test(spec, exact_round_trip_through_a_folder)
{
	char tmpl[] = "/tmp/rdspec.XXXXXX", dir[64], spec[64], cmd[96];
	struct arc a;
	struct ramdisk rd, back;
	struct rd_extract_stats st;
	struct diag d = {{0}};
	struct mem_sink ms;
	uint8_t *copy;

	cr_assert(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s/files", tmpl);
	snprintf(spec, sizeof(spec), "%s/ramdisk.spec", tmpl);
	memset(&a, 0, sizeof(a));
	arc_full(&a, ".", S_IFDIR | 0755, "", 0, (uint32_t[7]){9, 0, 0, 4, 100, 0, 0}, false);
	arc_full(&a, "data", S_IFDIR | 0771, "", 0, (uint32_t[7]){10, 1000, 1000, 2, 5, 0, 0},
		 false);
	arc_full(&a, "z", S_IFREG | 0644, "", 0, (uint32_t[7]){11, 0, 0, 2, 6, 3, 1}, false);
	arc_full(&a, "a", S_IFREG | 0644, "linked", 6, (uint32_t[7]){11, 0, 0, 2, 6, 3, 1}, false);
	arc_full(&a, "/abs name", S_IFREG | 04755, "x", 1, (uint32_t[7]){12, 0, 2000, 1, 7, 0, 0},
		 false);
	arc_full(&a, "crc", S_IFREG | 0600, "sum", 3, (uint32_t[7]){13, 0, 0, 1, 8, 0, 0}, true);
	size_t at = a.n;
	arc_full(&a, "dev", S_IFCHR | 0600, "", 0, (uint32_t[7]){14, 0, 0, 1, 0, 0, 0}, false);
	memcpy(a.b + at + 6 + CF_RDEVMAJOR * 8, "00000005", 8);
	arc_full(&a, "odd\tname\n", S_IFLNK | 0777, "t\033", 2, (uint32_t[7]){15, 0, 0, 1, 0, 0, 0},
		 false);
	arc_trailer(&a);
	arc_add(&a, "second", S_IFREG | 0644, "2", 1, 0);
	arc_trailer(&a);
	a.n += 40; /* NULs after the last trailer */

	copy = malloc(a.n);
	memcpy(copy, a.b, a.n);
	rd_init(&rd, 0);
	cr_assert_eq(rd_load_archive(&rd, copy, a.n, &d), 0, "%s", d.msg);
	cr_assert_eq(rd_extract_spec(&rd, dir, spec, "gzip:6", "test", -1, NULL, &st, &d), 0, "%s",
		     d.msg);
	cr_expect_eq(st.hardlinks, 1);
	cr_expect_eq(st.nodes_skipped, 1);

	rd_init(&back, 0);
	cr_assert_eq(rd_build_spec(&back, spec, &d), 0, "%s", d.msg);
	cr_expect(back.exact);
	cr_expect_str_eq(back.comp, "gzip:6");
	ms = write_rd(&back);
	cr_expect_eq(ms.len, a.n);
	cr_expect_eq(memcmp(ms.buf, a.b, a.n < ms.len ? a.n : ms.len), 0, "not byte for byte");
	free(ms.buf);
	rd_free(&back);
	rd_free(&rd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	cr_expect_eq(system(cmd), 0);
}

Test(spec, attribute_and_statement_errors)
{
	static const struct {
		const char *text;
		int err;
		const char *msg;
	} t[] = {
	    {"dir a 0755 0 0 ino=x", -EINVAL, "s:1: field 6 \"ino=x\": bad ino value"},
	    {"dir a 0755 0 0 frob=1", -EINVAL, "dir takes 4 fields, then only KEY=VALUE"},
	    {"dir a 0755 0 0 extra", -EINVAL, "field 6 \"extra\""},
	    {"dir a 0755 0 0 mtime=1 mtime=2", -EINVAL, "mtime= given twice"},
	    {"dir a 0755 0 0 dev=3", -EINVAL, "want MAJOR:MINOR"},
	    {"dir a 0755 0 0 size=0", -EINVAL, "field 6"},
	    {"file f /dev/null 0644 0 0 size=1", -EINVAL, "only size=0"},
	    {"dir a 0755 0 0 mode=0100644", -EINVAL, "mode=0100644 is not a dir"},
	    {"dir a 0755 0 0 magic=070707", -EINVAL, "want 070701 or 070702"},
	    {"trailer", -EINVAL, "trailer lines belong in an exact spec"},
	    {"exact\ntrailer pad=1 align=512", -EINVAL, "s:2: pad= or align=, not both"},
	    {"dir a 0755 0 0\nexact", -EINVAL, "s:2: exact must come before the entries"},
	    {"compression lzop", -EINVAL, "compression takes one of"},
	    {"compression gzip\ncompression xz", -EINVAL, "s:2: compression xz, but gzip before"},
	    {"dir . 0755 0 0", -EINVAL, "is the root"},
	    {"exact\nfile . /dev/null 0644 0 0 size=0", -EINVAL, "is the root"},
	    {"dir \"a\\000b\" 0755 0 0", -EINVAL, "a NUL byte"},
	};

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct ramdisk rd;
		struct diag d = {{0}};
		rd_init(&rd, 0);
		cr_expect_eq(rd_apply_spec(&rd, t[k].text, strlen(t[k].text), "s", ".", false, &d),
			     t[k].err, "%s: %s", t[k].text, d.msg);
		cr_expect(strstr(d.msg, t[k].msg), "%s: \"%s\" lacks \"%s\"", t[k].text, d.msg,
			  t[k].msg);
		rd_free(&rd);
	}
	/* what they set */
	struct ramdisk rd;
	struct diag d = {{0}};
	const char *ok = "exact\ndir . 0700 0 0 ino=7 nlink=3 mtime=9 dev=1:2 rdev=3:4\n"
			 "pipe p 0600 1 2\ntrailer uid=5 pad=12\nnod n 0600 0 0 b 4096 2000000\n";
	rd_init(&rd, 0);
	cr_assert_eq(rd_apply_spec(&rd, ok, strlen(ok), "s", ".", false, &d), 0, "%s", d.msg);
	cr_expect_eq(rd.n, 3);
	cr_expect_str_eq(rd.v[0].wname, ".");
	cr_expect_eq(rd.v[0].m.f[CF_NLINK], 3);
	cr_expect_eq(rd.v[0].m.f[CF_DEVMINOR], 2);
	cr_expect_eq(rd.v[0].m.f[CF_RDEVMAJOR], 3);
	cr_expect_eq(rd.v[1].m.f[CF_INO], 8, "no ino=: after the largest");
	cr_expect_eq(rd.ntr, 1);
	cr_expect_eq(rd.tr[0].m.f[CF_UID], 5);
	cr_expect_eq(rd.tr[0].m.f[CF_NLINK], 1);
	cr_expect_eq(rd.tr[0].pad, 12);
	cr_expect_eq(rd.v[2].arch, 1, "after the trailer: the next archive");
	cr_expect_eq(rd.v[2].m.f[CF_RDEVMAJOR], 4096,
		     "exact: device numbers as the archive has them");
	rd_free(&rd);
}

/* mv never makes two entries of one name: a folder's contents are checked
 * too ("etc2/hosts" there without "etc2"; fuzz_cpio found it) */
Test(ramdisk, mv_checks_the_new_names_below)
{
	const char *spec =
	    "dir etc 0755 0 0\nslink etc/hosts x 0777 0 0\nslink etc2/hosts y 0777 0 0\n";
	struct ramdisk rd;
	struct diag d = {{0}};

	rd_init(&rd, 0);
	cr_assert_eq(rd_apply_spec(&rd, spec, strlen(spec), "s", ".", false, &d), 0, "%s", d.msg);
	cr_expect_eq(edit(&rd, "mv etc etc2", &d), -EEXIST);
	cr_expect(
	    strstr(d.msg, "\"etc/hosts\" would become \"etc2/hosts\", already in the ramdisk"),
	    "%s", d.msg);
	cr_expect_eq(rd_find(&rd, "etc/hosts"), 1, "nothing renamed");
	rd_free(&rd);
}

/* ---- the header's hex case (issue 26.1): AOSP's mkbootfs writes lower case ------------- */

/* a's headers in lower case (names and data untouched) */
static void arc_lower(struct arc *a)
{
	struct cpio_reader r;
	struct cpio_entry e;
	struct diag d;
	int k;

	cpio_reader_init(&r, a->b, a->n);
	r.trailers = true;
	while ((k = cpio_next(&r, &e, &d)) > 0)
		for (size_t i = 6; i < CPIO_HDR_SIZE; i++)
			if (a->b[e.off + i] >= 'A' && a->b[e.off + i] <= 'F')
				a->b[e.off + i] = (uint8_t)(a->b[e.off + i] - 'A' + 'a');
	cr_assert_eq(k, 0, "%s", d.msg);
}

static bool has_upper_header(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + CPIO_HDR_SIZE <= n; i++)
		if (!memcmp(b + i, "07070", 5))
			for (size_t k = 6; k < CPIO_HDR_SIZE; k++)
				if (b[i + k] >= 'A' && b[i + k] <= 'F')
					return true;
	return false;
}

Test(cpio, lower_case_headers_are_read_and_kept)
{
	struct ramdisk rd;
	struct arc a;
	struct diag d = {{0}};
	struct mem_sink ms;
	uint8_t *copy;

	arc_good(&a);
	arc_lower(&a);
	copy = malloc(a.n);
	memcpy(copy, a.b, a.n);
	rd_init(&rd, 0);
	cr_assert_eq(rd_load_archive(&rd, copy, a.n, &d), 0, "%s", d.msg);
	cr_expect(rd.hex_lower, "the archive's case (its trailer's)");
	cr_expect(rd.v[0].m.lower && !rd.v[0].m.mixed);
	/* an edited entry and a new one: written in the archive's case */
	cr_assert_eq(edit(&rd, "insert etc/hosts bottom ::1 localhost", &d), 0, "%s", d.msg);
	cr_assert_eq(edit(&rd, "dir sbin 0750 0 2000", &d), 0, "%s", d.msg);
	ms = write_rd(&rd);
	cr_expect(!has_upper_header(ms.buf, ms.len), "an upper-case header was written");
	free(ms.buf);
	rd_free(&rd);
	/* both cases in one header: read, flagged */
	arc_good(&a);
	a.b[6 + 8 * CF_MODE + 7] = 'd'; /* mode 000041ED -> 000041Ed */
	copy = malloc(a.n);
	memcpy(copy, a.b, a.n);
	rd_init(&rd, 0);
	cr_assert_eq(rd_load_archive(&rd, copy, a.n, &d), 0, "%s", d.msg);
	cr_expect(rd.v[0].m.mixed && !rd.v[0].m.lower);
	cr_expect(!rd.hex_lower);
	ms = (struct mem_sink){0};
	mem_sink_init(&ms);
	cr_expect_eq(rd_spec_write(&rd, "files", "none", NULL, &ms.s, &d), -ENOTSUP);
	cr_expect(strstr(d.msg, "\"etc\": its header mixes upper- and lower-case hex digits"), "%s",
		  d.msg);
	free(ms.buf);
	rd_free(&rd);
}

Test(spec, hex_case_in_exact_specs)
{
	const char *text =
	    "exact hex=lower\ndir d 0755 0 0 ino=10\ndir e 0755 0 0 ino=11 hex=upper\n"
	    "trailer\ndir f 0755 0 0 ino=12\ntrailer hex=upper\n";
	struct ramdisk rd;
	struct diag d = {{0}};
	struct mem_sink ms;

	rd_init(&rd, 0);
	cr_assert_eq(rd_apply_spec(&rd, text, strlen(text), "s", ".", false, &d), 0, "%s", d.msg);
	ms = write_rd(&rd);
	/* d: mode 000041ed; e: 000041ED; first trailer 0000000b; f lower; last trailer upper */
	cr_assert_geq(ms.len, 5 * (CPIO_HDR_SIZE + 4));
	cr_expect(memmem(ms.buf, ms.len, "000041ed", 8) && memmem(ms.buf, ms.len, "000041ED", 8));
	cr_expect(memmem(ms.buf, ms.len, "0000000b00000000TRAILER", 23) &&
		  memmem(ms.buf, ms.len, "0000000B00000000TRAILER", 23));
	rd_free(&rd);
	/* read back, its spec says the same: the last trailer's case is the default */
	struct mem_sink sp;
	rd_init(&rd, 0);
	cr_assert_eq(rd_load_archive(&rd, ms.buf, ms.len, &d), 0, "%s", d.msg);
	mem_sink_init(&sp);
	cr_assert_eq(rd_spec_write(&rd, "f", NULL, NULL, &sp.s, &d), 0, "%s", d.msg);
	cr_assert_eq(sp.s.write(sp.s.ctx, "", 1), 0);
	cr_expect(strstr((char *)sp.buf, "\nexact\n"), "%s", sp.buf);
	cr_expect(strstr((char *)sp.buf, "\ndir d 0755 0 0 ino=10 mtime=0 hex=lower\n"), "%s",
		  sp.buf);
	cr_expect(strstr((char *)sp.buf, "\ndir e 0755 0 0 ino=11 mtime=0\n"), "%s", sp.buf);
	cr_expect(strstr((char *)sp.buf, "\ntrailer hex=lower align=512\n"), "%s", sp.buf);
	free(sp.buf);
	rd_free(&rd);
	const char *bad[] = {"exact hex=mixed", "exact\ndir d 0755 0 0 hex=Lower"};
	for (size_t k = 0; k < 2; k++) {
		rd_init(&rd, 0);
		cr_expect_eq(rd_apply_spec(&rd, bad[k], strlen(bad[k]), "s", ".", false, &d),
			     -EINVAL, "%s", bad[k]);
		cr_expect(strstr(d.msg, k ? "want lower or upper" : "exact takes only hex="), "%s",
			  d.msg);
		rd_free(&rd);
	}
}
