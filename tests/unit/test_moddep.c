/* lib/moddep: modules.dep, modules.builtin, .modinfo (hand-built ELF files of
 * both classes and byte orders), modules.builtin.modinfo, the walk. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/moddep.h"

Test(moddep, names_as_kmod_reads_them)
{
	static const struct {
		const char *path;
		int rc;
		const char *name;
	} t[] = {
	    {"kernel/drivers/input/touchscreen/edt-ft5x06.ko", 10, "edt_ft5x06"},
	    {"kernel/x/goodix_ts.ko.xz", 9, "goodix_ts"},
	    {"kernel/x/snd-pcm.ko.gz", 7, "snd_pcm"},
	    {"drm.ko.zst", 3, "drm"},
	    {"panel-simple", 12, "panel_simple"},
	    {"kernel/x/", -EINVAL, ""},
	    {"kernel/.ko", -EINVAL, ""},
	    {"", -EINVAL, ""},
	    {"a234567890123456789012345678901234567890123456789012345678901234.ko", -ENAMETOOLONG,
	     ""},
	    {"a23456789012345678901234567890123456789012345678901234567890123.ko", 63,
	     "a23456789012345678901234567890123456789012345678901234567890123"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char nm[MODULE_NAME_MAX];
		cr_expect_eq(moddep_name(t[i].path, strlen(t[i].path), nm), t[i].rc, "%s",
			     t[i].path);
		cr_expect_str_eq(nm, t[i].name, "%s", t[i].path);
	}
	cr_expect(moddep_name_eq("k/edt-ft5x06.ko", 15, "edt_ft5x06"));
	cr_expect(moddep_name_eq("k/edt_ft5x06.ko", 15, "edt-ft5x06"));
	cr_expect_not(moddep_name_eq("k/edt-ft5x06.ko", 15, "edt_ft5x0"));
	cr_expect_not(moddep_name_eq("k/edt-ft5x06.ko", 15, ""));
}

static const char DEP[] = "kernel/a/edt-ft5x06.ko:\n"
			  "\n"
			  "kernel/b/panel-simple.ko: kernel/b/drm_kms_helper.ko kernel/b/drm.ko\n"
			  "garbage without a colon\n"
			  "kernel/b/drm_kms_helper.ko:\tkernel/b/drm.ko \r\n"
			  ": no path\n"
			  "kernel/b/drm.ko:";

Test(moddep, modules_dep_lines)
{
	struct moddep_line l;
	size_t pos = 0, dp = 0, wl;
	unsigned line = 0, good = 0, bad = 0, badline[2];
	const char *w;
	int rc;

	while ((rc = moddep_next(DEP, strlen(DEP), &pos, &line, &l)) != 0) {
		if (rc < 0) {
			badline[bad < 2 ? bad : 1] = l.line;
			bad++;
		} else {
			good++;
		}
	}
	cr_expect_eq(good, 4);
	cr_expect_eq(bad, 2);
	cr_expect_eq(badline[0], 4);
	cr_expect_eq(badline[1], 6);
	cr_assert_eq(moddep_find(DEP, strlen(DEP), "panel_simple", &l), 0);
	cr_expect_eq(l.line, 3);
	cr_expect_eq(l.plen, strlen("kernel/b/panel-simple.ko"));
	cr_assert(moddep_dep_next(&l, &dp, &w, &wl));
	cr_expect(wl == 26 && !memcmp(w, "kernel/b/drm_kms_helper.ko", wl));
	cr_assert(moddep_dep_next(&l, &dp, &w, &wl));
	cr_expect(wl == 15 && !memcmp(w, "kernel/b/drm.ko", wl));
	cr_expect_not(moddep_dep_next(&l, &dp, &w, &wl));
	cr_expect_eq(moddep_find(DEP, strlen(DEP), "drm", &l), 0, "a last line without a newline");
	cr_expect_eq(l.dlen, 0);
	cr_expect_eq(moddep_find(DEP, strlen(DEP), "garbage", &l), -ENOENT);
	cr_expect_eq(moddep_find(DEP, strlen(DEP), "goodix_ts", &l), -ENOENT);
}

Test(moddep, truncation_sweep_modules_dep)
{
	for (size_t n = 0; n <= sizeof(DEP) - 1; n++) {
		char *cut = malloc(n ? n : 1);
		struct moddep_graph g;
		struct moddep_line l;
		size_t pos = 0;
		unsigned line = 0;
		memcpy(cut, DEP, n);
		while (moddep_next(cut, n, &pos, &line, &l) != 0)
			cr_assert_leq(pos, n);
		cr_assert_eq(moddep_graph_init(&g, cut, n), 0);
		for (unsigned i = 0; i < g.n; i++) {
			size_t pl;
			const char *p = moddep_graph_path(&g, i, &pl);
			cr_assert(p >= cut && p + pl <= cut + n);
		}
		moddep_graph_free(&g);
		free(cut);
	}
}

Test(moddep, builtin)
{
	const char b[] =
	    "kernel/drivers/i2c/i2c-core.ko\nkernel/drivers/input/touchscreen/goodix_ts.ko\n\n"
	    "  kernel/x/edt-ft5x06.ko  \nkernel/y/last.ko";

	cr_expect(moddep_builtin(b, strlen(b), "i2c_core"));
	cr_expect(moddep_builtin(b, strlen(b), "goodix_ts"));
	cr_expect(moddep_builtin(b, strlen(b), "edt_ft5x06"), "blanks around a line");
	cr_expect(moddep_builtin(b, strlen(b), "last"));
	cr_expect_not(moddep_builtin(b, strlen(b), "goodix"));
	cr_expect_not(moddep_builtin(b, strlen(b), "drm"));
	cr_expect_not(moddep_builtin(b, 10, "i2c_core"), "bounded by len");
	cr_expect_not(moddep_builtin("", 0, "x"));
}

/* ---- the walk ---------------------------------------------------------------- */

struct visits {
	unsigned n;
	char names[80][MODULE_NAME_MAX];
	const char *fail; /* this module's visit fails */
};

static int visit(void *ctx, const struct moddep_graph *g, unsigned node)
{
	struct visits *v = ctx;
	size_t pl;
	const char *p = moddep_graph_path(g, node, &pl);
	char nm[MODULE_NAME_MAX];

	moddep_name(p, pl, nm);
	if (v->fail && !strcmp(nm, v->fail))
		return -EPERM;
	cr_assert_lt(v->n, 80);
	snprintf(v->names[v->n++], MODULE_NAME_MAX, "%s", nm);
	return 0;
}

static void walk_names(struct moddep_graph *g, const char *name, struct visits *v, int want)
{
	int k = moddep_graph_find(g, name);

	cr_assert_geq(k, 0, "%s", name);
	cr_expect_eq(moddep_walk(g, (unsigned)k, visit, v), want, "walk %s", name);
}

Test(moddep, walk_order_each_once)
{
	struct moddep_graph g;
	struct visits v = {0};

	cr_assert_eq(moddep_graph_init(&g, DEP, strlen(DEP)), 0);
	cr_expect_eq(g.n, 4);
	cr_expect_eq(g.bad_lines, 2);
	walk_names(&g, "panel-simple", &v, 0);
	cr_assert_eq(v.n, 3);
	cr_expect_str_eq(v.names[0], "drm", "the last dependency listed first");
	cr_expect_str_eq(v.names[1], "drm_kms_helper");
	cr_expect_str_eq(v.names[2], "panel_simple");
	walk_names(&g, "drm_kms_helper", &v, 0);
	cr_expect_eq(v.n, 3, "visited once per pass");
	moddep_graph_reset(&g);
	walk_names(&g, "drm_kms_helper", &v, 0);
	cr_expect_eq(v.n, 5, "a new pass visits again");
	moddep_graph_free(&g);
}

/* m0 needs m1..m(n-1), m1 needs m2..: the fan-out of issue 15 (every module
 * lists every later one, as depmod's full closure would). */
static char *fanout(unsigned n)
{
	size_t cap = (size_t)n * n * 16 + 64, o = 0;
	char *t = malloc(cap);

	for (unsigned i = 0; i < n; i++) {
		o += (size_t)snprintf(t + o, cap - o, "kernel/m%u.ko:", i);
		for (unsigned k = i + 1; k < n; k++)
			o += (size_t)snprintf(t + o, cap - o, " kernel/m%u.ko", k);
		o += (size_t)snprintf(t + o, cap - o, "\n");
	}
	return t;
}

Test(moddep, fanout_of_33_costs_33_visits)
{
	struct moddep_graph g;
	struct visits v = {0};
	char *t = fanout(33);

	cr_assert_eq(moddep_graph_init(&g, t, strlen(t)), 0);
	walk_names(&g, "m0", &v, 0);
	cr_expect_eq(v.n, 33);
	cr_expect_str_eq(v.names[0], "m32");
	cr_expect_str_eq(v.names[32], "m0");
	moddep_graph_free(&g);
	free(t);
}

static int count_visit(void *ctx, const struct moddep_graph *g, unsigned node)
{
	(void)g;
	(void)node;
	++*(unsigned *)ctx;
	return 0;
}

Test(moddep, deep_chain_has_no_depth_limit)
{
	unsigned n = 5000;
	size_t cap = (size_t)n * 40, o = 0;
	char *t = malloc(cap);
	struct moddep_graph g;
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o, "c%u.ko: c%u.ko\n", i, i + 1 < n ? i + 1 : i);
	/* the last one needs itself: a cycle of one, found at the end of the chain */
	cr_assert_eq(moddep_graph_init(&g, t, o), 0);
	cr_expect_eq(moddep_walk(&g, 0, visit, &(struct visits){0}), -ELOOP);
	char cyc[64];
	cr_expect_gt(moddep_graph_cycle(&g, cyc, sizeof(cyc)), 0);
	cr_expect_str_eq(cyc, "c4999>c4999");
	/* the same chain without the self-loop: all 5000 in order */
	o = 0;
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o, i + 1 < n ? "c%u.ko: c%u.ko\n" : "c%u.ko:\n",
				      i, i + 1);
	moddep_graph_free(&g);
	cr_assert_eq(moddep_graph_init(&g, t, o), 0);
	for (unsigned i = 0; i < g.n; i++)
		count += g.state[i] == 0;
	cr_expect_eq(count, n);
	cr_expect_eq(moddep_walk(&g, 0, count_visit, &count), 0);
	cr_expect_eq(count, 2 * n, "every module of the chain, once");
	moddep_graph_free(&g);
	free(t);
}

Test(moddep, cycle_named_missing_named_failure_remembered)
{
	const char t[] =
	    "a.ko: b.ko\nb.ko: c.ko\nc.ko: a.ko\nd.ko: e.ko x.ko\ne.ko:\nx.ko: gone.ko\n";
	struct moddep_graph g;
	struct visits v = {0};
	char cyc[64];

	cr_assert_eq(moddep_graph_init(&g, t, strlen(t)), 0);
	walk_names(&g, "a", &v, -ELOOP);
	cr_expect_eq(v.n, 0, "nothing in a cycle is visited");
	cr_expect_eq(moddep_graph_cycle(&g, cyc, sizeof(cyc)), 7);
	cr_expect_str_eq(cyc, "a>b>c>a");
	cr_expect_eq(moddep_graph_cycle(&g, cyc, 8), -ENOSPC);
	cr_expect_str_eq(cyc, "a>b...");
	walk_names(&g, "d", &v, -ENOENT);
	cr_expect(g.missing && g.missing_len == 7 && !memcmp(g.missing, "gone.ko", 7));
	cr_expect_eq(v.n, 0, "x.ko is listed last: visited first, and its dependency is missing");
	/* a failing visit is remembered: the next walk needing it fails at once */
	const char t2[] = "p.ko: q.ko\nr.ko: q.ko\nq.ko:\n";
	moddep_graph_free(&g);
	cr_assert_eq(moddep_graph_init(&g, t2, strlen(t2)), 0);
	v.fail = "q";
	walk_names(&g, "p", &v, -EPERM);
	v.fail = NULL;
	walk_names(&g, "r", &v, -EPERM);
	cr_expect_eq(v.n, 0);
	moddep_graph_free(&g);
}

/* ---- .modinfo in hand-built ELF files ------------------------------------------------ */

static void put(uint8_t *p, unsigned n, uint64_t v, bool be)
{
	for (unsigned i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static const char MODINFO[] = "vermagic=6.1.0-13-armmp SMP mod_unload modversions ARMv7 p2v8 \0"
			      "name=edt_ft5x06\0intree=Y\0depends=\0"
			      "alias=of:N*T*Cedt,edt-ft5406\0alias=of:N*T*Cedt,edt-ft5406C*\0"
			      "\0\0\0srcversion=ABC";

/* An ELF file with sections: null, .text, .modinfo, .shstrtab. Returns its size. */
static size_t build_elf(uint8_t *out, bool is64, bool be, const char *mi, size_t mlen)
{
	static const char names[] = "\0.text\0.modinfo\0.shstrtab";
	unsigned eh = is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE, sh = is64 ? 64 : 40;
	size_t o = eh, str_off, mi_off, text_off, shoff;
	const uint32_t name_off[4] = {0, 1, 7, 16};

	memset(out, 0, 4096);
	memcpy(out, "\177ELF", 4);
	out[4] = is64 ? 2 : 1;
	out[5] = be ? 2 : 1;
	out[6] = 1;
	text_off = o;
	memcpy(out + o, "\x01\x02\x03\x04", 4);
	o += 4;
	str_off = o;
	memcpy(out + o, names, sizeof(names));
	o += sizeof(names);
	mi_off = o;
	memcpy(out + o, mi, mlen);
	o += mlen;
	shoff = (o + 7) & ~(size_t)7;
	const uint64_t off[4] = {0, text_off, mi_off, str_off},
		       size[4] = {0, 4, mlen, sizeof(names)};
	const uint32_t type[4] = {0, 1, 1, 3};
	for (unsigned i = 0; i < 4; i++) {
		uint8_t *s = out + shoff + i * sh;
		put(s, 4, name_off[i], be);
		put(s + 4, 4, type[i], be);
		put(s + (is64 ? 0x18 : 0x10), is64 ? 8 : 4, off[i], be);
		put(s + (is64 ? 0x20 : 0x14), is64 ? 8 : 4, size[i], be);
	}
	put(out + (is64 ? 0x28 : 0x20), is64 ? 8 : 4, shoff, be);
	put(out + (is64 ? 0x3a : 0x2e), 2, sh, be);
	put(out + (is64 ? 0x3c : 0x30), 2, 4, be);
	put(out + (is64 ? 0x3e : 0x32), 2, 3, be);
	return shoff + 4 * sh;
}

Test(moddep, modinfo_both_classes_both_byte_orders)
{
	for (int k = 0; k < 4; k++) {
		uint8_t elf[4096];
		char mi[512];
		const char *why, *v, *rel;
		size_t n = build_elf(elf, k & 1, k & 2, MODINFO, sizeof(MODINFO) - 1), pos = 0, vl,
		       rl;
		long len = modinfo_from_buf(elf, n, mi, sizeof(mi), &why);
		cr_assert_eq(len, (long)sizeof(MODINFO) - 1, "class %d be %d: %ld %s", k & 1,
			     !!(k & 2), len, why ? why : "");
		cr_assert(modinfo_get(mi, (size_t)len, &pos, false, NULL, "vermagic", &v, &vl));
		modinfo_vermagic_release(v, vl, &rel, &rl);
		cr_expect(rl == 14 && !memcmp(rel, "6.1.0-13-armmp", 14), "%.*s", (int)rl, rel);
		pos = 0;
		cr_assert(modinfo_get(mi, (size_t)len, &pos, false, NULL, "name", &v, &vl));
		cr_expect(vl == 10 && !memcmp(v, "edt_ft5x06", 10));
		pos = 0;
		cr_assert(modinfo_get(mi, (size_t)len, &pos, false, NULL, "depends", &v, &vl));
		cr_expect_eq(vl, 0);
		pos = 0;
		unsigned aliases = 0;
		while (modinfo_get(mi, (size_t)len, &pos, false, NULL, "alias", &v, &vl))
			aliases++;
		cr_expect_eq(aliases, 2);
		pos = 0;
		cr_expect(modinfo_get(mi, (size_t)len, &pos, false, NULL, "srcversion", &v, &vl),
			  "a last string without a NUL");
		cr_expect(vl == 3 && !memcmp(v, "ABC", 3));
	}
}

Test(moddep, modinfo_truncation_sweep_and_bad_fields)
{
	uint8_t elf[4096];
	char mi[512];
	const char *why;
	size_t n = build_elf(elf, true, false, MODINFO, sizeof(MODINFO) - 1);

	for (size_t cut = 0; cut < n; cut++) {
		long r = modinfo_from_buf(elf, cut, mi, sizeof(mi), &why);
		cr_expect(r == -ENOEXEC || r == -EBADMSG, "cut at %zu: %ld", cut, r);
	}
	cr_expect_eq(modinfo_from_buf(elf, n, mi, 100, &why), -EFBIG);
	cr_expect_eq(modinfo_from_buf((const uint8_t *)"\x1f\x8b\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
				      17, mi, sizeof(mi), &why),
		     -ENOEXEC, "a gzip'ed module is not ELF");
	/* one field broken at a time: one exact error */
	static const struct {
		unsigned off, len;
		uint64_t v;
		int err;
		const char *why;
	} t[] = {
	    {4, 1, 3, -ENOEXEC, "class"},		    /* EI_CLASS */
	    {5, 1, 0, -ENOEXEC, "byte order"},		    /* EI_DATA */
	    {0x28, 8, 1u << 20, -EBADMSG, "e_shoff"},	    /* section headers past the end */
	    {0x28, 8, UINT64_MAX - 8, -EBADMSG, "e_shoff"}, /* wraps around */
	    {0x3a, 2, 16, -EBADMSG, "e_shentsize"},
	    {0x3c, 2, 0, -ENOENT, "no section headers"},
	    {0x3c, 2, 0xffff, -EBADMSG, "e_shoff"},
	    {0x3e, 2, 4, -EBADMSG, "e_shstrndx"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t bad[4096];
		memcpy(bad, elf, n);
		put(bad + t[i].off, t[i].len, t[i].v, false);
		why = NULL;
		cr_expect_eq(modinfo_from_buf(bad, n, mi, sizeof(mi), &why), t[i].err, "[%zu]", i);
		cr_expect(why && strstr(why, t[i].why), "[%zu] %s", i, why ? why : "(none)");
	}
	/* the .modinfo header (section 2): size past the end, then NOBITS */
	size_t shoff = (size_t)(elf[0x28] | elf[0x29] << 8);
	uint8_t bad[4096];
	memcpy(bad, elf, n);
	put(bad + shoff + 2 * 64 + 0x20, 8, 1u << 30, false);
	cr_expect_eq(modinfo_from_buf(bad, n, mi, sizeof(mi), &why), -EBADMSG);
	cr_expect_str_eq(why, ".modinfo past the end");
	memcpy(bad, elf, n);
	put(bad + shoff + 2 * 64 + 4, 4, 8, false);
	cr_expect_eq(modinfo_from_buf(bad, n, mi, sizeof(mi), &why), -EBADMSG);
	/* a name offset past the names: not ".modinfo" */
	memcpy(bad, elf, n);
	put(bad + shoff + 2 * 64, 4, 0xfffffff0u, false);
	cr_expect_eq(modinfo_from_buf(bad, n, mi, sizeof(mi), &why), -ENOENT);
}

Test(moddep, modinfo_from_a_file)
{
	uint8_t elf[4096];
	char mi[512], path[] = "/tmp/moddep-test.XXXXXX";
	const char *why;
	size_t n = build_elf(elf, false, true, MODINFO, sizeof(MODINFO) - 1);
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, elf, n), (ssize_t)n);
	cr_expect_eq(modinfo_from_fd(fd, mi, sizeof(mi), &why), (long)sizeof(MODINFO) - 1);
	cr_assert_eq(ftruncate(fd, (off_t)n - 10), 0);
	cr_expect_eq(modinfo_from_fd(fd, mi, sizeof(mi), &why), -EBADMSG);
	close(fd);
	unlink(path);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	cr_expect_eq(modinfo_from_fd(fd, mi, sizeof(mi), &why), -EINVAL);
	close(fd);
}

Test(moddep, builtin_modinfo_records)
{
	const char bm[] = "i2c_core.license=GPL\0i2c_core.file=drivers/i2c/i2c-core\0"
			  "goodix_ts.alias=i2c:GDIX1001:00\0goodix_ts.alias=of:N*T*Cgoodix,gt911\0"
			  "noprefix=1\0.x=2\0\0edt_ft5x06.alias=of:N*T*Cedt,edt-ft5406";
	size_t pos = 0, vl;
	const char *v;
	unsigned n = 0;
	struct modinfo_rec r;

	while (modinfo_next(bm, sizeof(bm) - 1, &pos, true, &r))
		n++;
	cr_expect_eq(n, 5, "records without a module prefix are skipped");
	pos = 0;
	cr_assert(modinfo_get(bm, sizeof(bm) - 1, &pos, true, "goodix-ts", "alias", &v, &vl));
	cr_expect(vl == 15 && !memcmp(v, "i2c:GDIX1001:00", vl));
	cr_assert(modinfo_get(bm, sizeof(bm) - 1, &pos, true, "goodix_ts", "alias", &v, &vl));
	cr_expect(vl == 20 && !memcmp(v, "of:N*T*Cgoodix,gt911", 20));
	cr_expect_not(modinfo_get(bm, sizeof(bm) - 1, &pos, true, "goodix_ts", "alias", &v, &vl));
	pos = 0;
	cr_expect(modinfo_get(bm, sizeof(bm) - 1, &pos, true, NULL, "file", &v, &vl));
	for (size_t cut = 0; cut < sizeof(bm); cut++) {
		pos = 0;
		while (modinfo_next(bm, cut, &pos, true, &r))
			cr_assert(r.val + r.vlen <= bm + cut);
	}
}

/* A 40,000-module chain in a 1 MiB modules.dep (issue 26.7): each module
 * found through the name index, visited once, in load order (the time bound is
 * bench/'s); a name on two lines finds the first line; '-' and '_' equal. */
static unsigned chain_visits, chain_next;
static bool chain_in_order = true;
static int chain_visit(void *ctx, const struct moddep_graph *g, unsigned node)
{
	char nm[MODULE_NAME_MAX], want[MODULE_NAME_MAX];
	size_t pl;
	const char *p = moddep_graph_path(g, node, &pl);

	(void)ctx;
	snprintf(want, sizeof(want), "%u", chain_next--);
	cr_assert_geq(moddep_name(p, pl, nm), 0);
	chain_in_order &= !strcmp(nm, want);
	chain_visits++;
	return 0;
}

Test(moddep, a_chain_of_40000_is_indexed_and_walked_once)
{
	const unsigned n = 40000;
	size_t cap = (size_t)n * 32, o = 0;
	char *t = malloc(cap);
	struct moddep_graph g;

	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o,
				      i + 1 < n ? "m/%u.ko: m/%u.ko\n" : "m/%u.ko:\n", i, i + 1);
	cr_assert_lt(o, 1u << 20, "fits the probe's 1 MiB cap");
	cr_assert_eq(moddep_graph_init(&g, t, o), 0);
	cr_assert_eq(g.n, n);
	cr_expect_geq(g.nbucket, n);
	cr_expect_eq(g.nbucket & (g.nbucket - 1), 0, "a power of two");
	chain_visits = 0;
	chain_next = n - 1;
	cr_assert_eq(moddep_walk(&g, (unsigned)moddep_graph_find(&g, "0"), chain_visit, NULL), 0);
	cr_expect_eq(chain_visits, n);
	cr_expect(chain_in_order, "the last of the chain first");
	cr_expect_eq(moddep_graph_find(&g, "39999"), (int)n - 1);
	cr_expect_eq(moddep_graph_find(&g, "40000"), -ENOENT);
	moddep_graph_free(&g);
	free(t);

	const char *two = "a/x-y.ko:\nb/x_y.ko.xz: a/x-y.ko\nc/x-y.ko:\n";
	cr_assert_eq(moddep_graph_init(&g, two, strlen(two)), 0);
	cr_expect_eq(moddep_graph_find(&g, "x_y"), 0, "the first line of a name");
	cr_expect_eq(moddep_graph_find(&g, "x-y"), 0);
	moddep_graph_free(&g);
	cr_assert_eq(moddep_graph_init(&g, "", 0), 0);
	cr_expect_eq(moddep_graph_find(&g, "a"), -ENOENT, "empty: nothing found");
	moddep_graph_free(&g);
}
