/* MediaTek headers, scatter files, payload magics and trailers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/mtk.h"
#include "mkbootimg/payload.h"
#include "mkbootimg/scatter.h"
#include "mkbootimg/trailer.h"

Test(mtk, build_parse_round_trip)
{
	uint8_t h[MTK_HDR_SIZE];
	struct mtk_hdr m;
	struct diag d;

	cr_assert_eq(mtk_hdr_build(h, "ROOTFS", 1000, &d), 0);
	cr_expect_eq(get_le32(h), MTK_MAGIC);
	cr_expect_eq(h[511], 0xff);
	cr_expect_eq(get_le32(h + MTKOFF_MADDR), 0xffffffffu);
	cr_assert_eq(mtk_hdr_parse(h, sizeof(h), 1512, &m, &d), 0, "%s", d.msg);
	cr_expect_str_eq(m.name, "ROOTFS");
	cr_expect_eq(m.dsize, 1000);
	cr_expect_eq(mtk_hdr_parse(h, sizeof(h), 1000, &m, &d), -EINVAL, "dsize past section");
	cr_assert_eq(mtk_hdr_set_dsize(h, 7, &d), 0);
	cr_expect_eq(get_le32(h + MTKOFF_DSIZE), 7);
	memset(h + MTKOFF_NAME, 'A', MTK_NAME_SIZE);
	cr_expect_eq(mtk_hdr_parse(h, sizeof(h), 1512, &m, &d), -EINVAL, "unterminated name");
	cr_expect_neq(mtk_hdr_build(h, "A_NAME_THAT_IS_LONGER_THAN_32_BYTES", 1, &d), 0);
}

static char *slurp(const char *path, size_t *len)
{
	uint8_t *b;
	struct diag d;

	cr_assert_eq(file_read_small(path, 1 << 22, &b, len, &d), 0, "%s", d.msg);
	return (char *)b;
}

Test(scatter, v1_fixture)
{
	size_t len;
	char *t = slurp("tests/data/scatter/MT6572_konka72_i128_emmc_Android_scatter.txt", &len);
	struct scatter *s = malloc(sizeof(*s));
	struct diag d;

	cr_assert_eq(scatter_parse(t, len, s, &d), 0, "%s", d.msg);
	cr_expect(s->v1);
	const struct scatter_part *p = scatter_find(s, "BOOTIMG");
	cr_assert_not_null(p);
	cr_expect_eq(p->start, 0x2980000);
	cr_expect_eq(p->size, 0x600000);
	cr_expect_not_null(scatter_find(s, "bootimg"), "names are case-insensitive");
	cr_expect_null(scatter_find(s, "NOPE"));
	free(t);
	free(s);
}

Test(scatter, flat_format_sizes_from_next_start)
{
	const char *t = "PRELOADER 0x0\n{\n}\nMBR 0x600000\n{\n}\nBOOTIMG 0x2980000\n{\n}\n"
			"RECOVERY 0x2f80000\n{\n}\n__NODL_BMTPOOL 0xFFFF00a8\n{\n}\n";
	struct scatter *s = malloc(sizeof(*s));
	struct diag d;

	cr_assert_eq(scatter_parse(t, strlen(t), s, &d), 0, "%s", d.msg);
	cr_expect(!s->v1);
	const struct scatter_part *p = scatter_find(s, "BOOTIMG");
	cr_assert_not_null(p);
	cr_expect(p->size_known);
	cr_expect_eq(p->size, 0x600000);
	free(s);
}

Test(scatter, garbage_names_its_line)
{
	const char *t = "- general: MTK_PLATFORM_CFG\n  info:\n- partition_index: SYS0\n"
			"  partition_name: BOOTIMG\n  linear_start_addr: 0xZZ\n";
	struct scatter *s = malloc(sizeof(*s));
	struct diag d = {{0}};

	cr_expect_lt(scatter_parse(t, strlen(t), s, &d), 0);
	cr_expect(strstr(d.msg, "line 5") != NULL, "%s", d.msg);
	free(s);
}

Test(payload, magics)
{
	static const struct {
		const char *bytes;
		size_t n;
		enum payload_fmt f;
	} t[] = {
	    {"\x1f\x8b\x08", 3, PF_GZIP},
	    {"\x02\x21\x4c\x18", 4, PF_LZ4_LEGACY},
	    {"\x04\x22\x4d\x18", 4, PF_LZ4_FRAME},
	    {"\xfd"
	     "7zXZ\0",
	     6, PF_XZ},
	    {"BZh9", 4, PF_BZIP2},
	    {"\x5d\0\0\x80", 4, PF_LZMA},
	    {"\x28\xb5\x2f\xfd", 4, PF_ZSTD},
	    {"\x89LZO", 4, PF_LZOP},
	    {"070701", 6, PF_CPIO},
	    {"\xd0\x0d\xfe\xed", 4, PF_FDT},
	    {"hello", 5, PF_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect_eq(payload_detect((const uint8_t *)t[i].bytes, t[i].n), t[i].f, "%zu", i);
	cr_expect_eq(payload_detect(NULL, 0), PF_EMPTY);
}

static int tmp_with(const uint8_t *b, size_t n)
{
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(b, 1, n, f), n);
	fflush(f);
	return dup(fileno(f));
}

Test(trailer, seandroid_then_zero_padding)
{
	uint8_t b[8192] = {0};
	struct trailer t;
	struct diag d;

	memcpy(b + 4096, SEANDROID_MAGIC, SEANDROID_LEN);
	int fd = tmp_with(b, sizeof(b));
	cr_assert_eq(trailer_scan(fd, 4096, sizeof(b), &t, &d), 0);
	cr_assert_eq(t.n, 2);
	cr_expect_eq(t.item[0].kind, TR_SEANDROID);
	cr_expect_eq(t.item[1].kind, TR_ZERO);
	cr_expect_eq(t.item[1].size, 4096 - SEANDROID_LEN);
	close(fd);
}

Test(trailer, avb_footer)
{
	uint8_t b[16384];
	struct trailer t;
	struct diag d;

	memset(b, 0, sizeof(b));
	memset(b + 4096, 0x41, 1000); /* vbmeta blob */
	uint8_t *f = b + sizeof(b) - AVB_FOOTER_SIZE;
	memcpy(f, "AVBf", 4);
	put_be32(f + 4, 1);
	put_be64(f + 12, 4096);
	put_be64(f + 20, 4096);
	put_be64(f + 28, 1000);
	int fd = tmp_with(b, sizeof(b));
	cr_assert_eq(trailer_scan(fd, 4096, sizeof(b), &t, &d), 0);
	cr_expect(t.has_avb);
	cr_expect_eq(t.item[0].kind, TR_VBMETA);
	cr_expect_eq(t.item[t.n - 1].kind, TR_AVB_FOOTER);
	close(fd);
}

/* ---- atomic outputs ------------------------------------------------------------- */

static unsigned count_dir(const char *dir)
{
	char cmd[256];
	unsigned n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	f = popen(cmd, "r");
	cr_assert(f);
	cr_assert_eq(fscanf(f, "%u", &n), 1);
	pclose(f);
	return n;
}

Test(fileio, commit_all_renames_every_output)
{
	char dir[] = "/tmp/bootkit-unit.XXXXXX", a[64], b[64];
	struct outfile o[2];
	struct diag d;
	size_t len;
	char *got;

	cr_assert(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/kernel", dir);
	snprintf(b, sizeof(b), "%s/ramdisk", dir);
	cr_assert_eq(outfile_open(&o[0], a, NULL, 0, &d), 0, "%s", d.msg);
	cr_assert_eq(outfile_open(&o[1], b, NULL, 0, &d), 0, "%s", d.msg);
	cr_assert_eq(write_all(o[0].fd, "KERNEL", 6), 0);
	cr_assert_eq(write_all(o[1].fd, "RD", 2), 0);
	cr_assert_eq(count_dir(dir), 2, "two temporary files");
	cr_assert_eq(outfile_commit_all(o, 2, &d), 0, "%s", d.msg);
	got = slurp(a, &len);
	cr_expect(len == 6 && !memcmp(got, "KERNEL", 6));
	free(got);
	got = slurp(b, &len);
	cr_expect(len == 2 && !memcmp(got, "RD", 2));
	free(got);
	cr_expect_eq(count_dir(dir), 2, "only the two final files");
	unlink(a);
	unlink(b);
	rmdir(dir);
}

Test(fileio, commit_all_failure_names_the_file_and_leaves_no_temporary)
{
	char dir[] = "/tmp/bootkit-unit.XXXXXX", a[64], b[64];
	struct outfile o[2];
	struct diag d;

	cr_assert(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/kernel", dir);
	snprintf(b, sizeof(b), "%s/ramdisk", dir);
	cr_assert_eq(mkdir(b, 0755), 0); /* a folder where the second output goes */
	cr_assert_eq(outfile_open(&o[0], a, NULL, 0, &d), 0, "%s", d.msg);
	cr_assert_eq(outfile_open(&o[1], b, NULL, 0, &d), 0, "%s", d.msg);
	cr_assert_eq(outfile_commit_all(o, 2, &d), -EISDIR);
	cr_expect(strstr(d.msg, "ramdisk") && strstr(d.msg, "is a folder"), "%s", d.msg);
	/* found before any rename: not even the first output is committed */
	cr_expect_eq(count_dir(dir), 1, "the folder only: no kernel, no temporary file");
	unlink(a);
	rmdir(b);
	rmdir(dir);
}

Test(fileio, copy_range_copies_a_range)
{
	char src[] = "/tmp/bootkit-src.XXXXXX", dst[] = "/tmp/bootkit-dst.XXXXXX";
	int in = mkstemp(src), out = mkstemp(dst);
	uint8_t buf[100000], back[1000];

	cr_assert(in >= 0 && out >= 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + i / 251);
	cr_assert_eq(write_all(in, buf, sizeof(buf)), 0);
	cr_assert_eq(copy_range(in, 12345, sizeof(back), out), 0);
	cr_assert_eq(pread(out, back, sizeof(back), 0), (ssize_t)sizeof(back));
	cr_expect_eq(memcmp(back, buf + 12345, sizeof(back)), 0);
	cr_expect_eq(copy_range(in, sizeof(buf) - 10, 20, out), -ENODATA, "past the end");
	close(in);
	close(out);
	unlink(src);
	unlink(dst);
}
