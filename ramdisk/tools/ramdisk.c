/* ramdisk - build, list, extract and edit initramfs ramdisks (newc cpio,
 * lz4 legacy, gzip, xz, lzma, bzip2, zstd or none; lz4 frame read only).
 *
 *   ramdisk pack [DIR] [--spec FILE]... -o OUT [-c COMP] [--modules ...]
 *   ramdisk list RAMDISK [-v]
 *   ramdisk info RAMDISK
 *   ramdisk extract RAMDISK DIR [--spec SPEC] [--devices] [--same-permissions]
 *                   [--same-owner]
 *   ramdisk edit RAMDISK -o OUT [-e LINE]... [--script FILE]... [-c COMP]
 */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/mtk.h"
#include "probe/rules.h"
#include "ramdisk/compress.h"
#include "ramdisk/dtcheck.h"
#include "ramdisk/modclosure.h"
#include "ramdisk/ramdisk.h"

/* --spec files one pack reads */
#define RAMDISK_SPECS_MAX 64

static const char usage[] =
    "usage: ramdisk COMMAND [ARGS]\n"
    "\n"
    "  pack [DIR] [--spec FILE]... -o OUT [-c COMP] [--summary N]\n"
    "       [MODULES]      build a ramdisk from a folder and/or gen_init_cpio spec\n"
    "                      lines; an exact spec (extract --spec) alone gives its\n"
    "                      archive back byte for byte, in the spec's compression\n"
    "  list RAMDISK [-v]   names, or 'cpio -tv'-style lines with -v (with the link\n"
    "                      count); control bytes in names shown as ls -b does\n"
    "  info RAMDISK        compression, sizes, entries, largest files\n"
    "  extract RAMDISK DIR [--spec SPEC] [--devices] [--same-permissions]\n"
    "       [--same-owner] extract safely into DIR: nothing lands outside it or\n"
    "                      replaces a file, each file is written whole or not at\n"
    "                      all, hard links are kept; by default no device nodes,\n"
    "                      no setuid/setgid bits, owners not applied\n"
    "    --spec SPEC       also write SPEC, an exact spec of the archive: every\n"
    "                      entry in order with owners, modes, times, inodes,\n"
    "                      links and nodes (no root needed), files from DIR\n"
    "    --devices         create character and block device nodes (needs root)\n"
    "    -p, --same-permissions  keep setuid and setgid bits\n"
    "    --same-owner      give entries the archive's uid/gid (needs root)\n"
    "  edit RAMDISK -o OUT [-e LINE]... [--script FILE]... [-c COMP] [MODULES]\n"
    "                      edit in place: untouched entries keep their bytes\n"
    "\n"
    "MODULES: --modules KDIR --modules-list FILE [--kernel-version V]\n"
    "  [--preload M1,M2]   add the kernel modules modules.list can load, the\n"
    "                      preloaded ones (bus drivers the init loads first) and\n"
    "                      their dependencies, a subset modules.dep/alias, and\n"
    "                      lib/probe/boot.modules (preload/fallback load order)\n"
    "  [--input DIR]       and the .idc/.kl files install actions name, from DIR\n"
    "  [--dtb FILE]        check the rules against the board's DTB: which bind DT\n"
    "                      nodes, which rely on new_device (no IRQ); two enabled\n"
    "                      candidates at one address fail\n"
    "  --modules-list FILE --input DIR without --modules: rules for a kernel's own\n"
    "                      drivers (a stock kernel): checked, no load allowed, the\n"
    "                      input files added, no module\n"
    "\n"
    "COMP: lz4 (legacy format, level 12 by default, lz4:1..12), gzip (gzip:1..9,\n"
    "default 9), xz (CRC32 check, dictionary <= 1 MiB; xz:0..9, default 6), lzma\n"
    "(lzma:0..9, default 6), bzip2 (bzip2:1..9, default 9), zstd (zstd:1..19,\n"
    "default 19), none. pack defaults to lz4; edit keeps the input's compression\n"
    "(lz4 frame input is written as lz4 legacy). lz4 frames are read, not written;\n"
    "lzop is not supported. Concatenated streams are all read.\n"
    "Spec and edit lines are described in README.md: file, dir, nod, slink, pipe,\n"
    "sock with KEY=VALUE attributes (ino nlink mtime dev rdev mode size check\n"
    "magic hex), exact [hex=lower], trailer, compression; edits: rm, rmtree, mv,\n"
    "insert, replace, replace-regex, remove, remove-regex, replace-section,\n"
    "remove-section, prop, prop-remove, fstab (each a no-op when already applied,\n"
    "said on stderr).\n"
    "mtime comes from SOURCE_DATE_EPOCH (else 0).\n"
    "--max-size N caps the decompressed size of a ramdisk read (default 512M).\n"
    "A ramdisk behind a MediaTek header (ROOTFS/RECOVERY, as unpack_bootimg writes\n"
    "an MTK image's) is read behind it (said on stderr); edit writes the header\n"
    "back with its dsize updated.\n"
    "'ramdisk --version' prints \"ramdisk VERSION\".\n"
    "Exit status: 0 ok, 1 bad input (nothing written), 2 bad usage.\n";

/* ---- reading ---------------------------------------------------------------------- */

struct loaded {
	struct ramdisk rd;
	enum comp comp;
	struct decomp_info streams;
	size_t in_len;
	int fd;	  /* kept open so an output can be checked against it */
	bool mtk; /* the file starts with a MediaTek header (unpack_bootimg writes it so) */
	uint8_t mtk_raw[MTK_HDR_SIZE];
};

/* A MediaTek header in front (ROOTFS, RECOVERY: the ramdisk section of an MTK
 * image as unpack_bootimg writes it): said, kept, and the dsize bytes after
 * it are the ramdisk. */
static void skip_mtk(struct loaded *l, const char *path, uint8_t **in, size_t *n)
{
	struct mtk_hdr h;
	struct diag d;

	if (!mtk_hdr_present(*in, *n))
		return;
	if (mtk_hdr_parse(*in, *n, UINT64_MAX, &h, &d) < 0)
		die(EXIT_BAD, "%s: @0x0: MediaTek header: %s", path, d.msg);
	l->mtk = true;
	memcpy(l->mtk_raw, *in, MTK_HDR_SIZE);
	if (h.dsize > *n - MTK_HDR_SIZE)
		warnmsg("%s: MediaTek \"%s\" header @0x0: dsize %" PRIu32
			" runs %zu bytes past the end; the %zu bytes there are read",
			path, h.name, h.dsize, h.dsize - (*n - MTK_HDR_SIZE), *n - MTK_HDR_SIZE);
	else
		warnmsg("%s: a MediaTek \"%s\" header (512 bytes) in front: its %" PRIu32
			"-byte payload is the ramdisk",
			path, h.name, h.dsize);
	*in += MTK_HDR_SIZE;
	*n -= MTK_HDR_SIZE;
	if (h.dsize < *n)
		*n = h.dsize;
}

static void load(struct loaded *l, const char *path, uint64_t cap)
{
	struct diag d = {{0}};
	uint64_t size;
	uint8_t *in, *out;
	size_t outlen;
	const char *what;
	int err;

	rd_init(&l->rd, cli_source_date_epoch());
	if (file_open_ro(path, &l->fd, &size, &d) < 0)
		die_diag(path, &d);
	if (size > cap)
		die(EXIT_BAD, "%s: %" PRIu64 " bytes, over the --max-size cap", path, size);
	if (!(in = malloc(size ? (size_t)size : 1)))
		die(EXIT_BAD, "%s: out of memory", path);
	if ((err = read_at(l->fd, in, (size_t)size, 0)) < 0)
		die(EXIT_BAD, "%s: read: %s", path, strerror(-err));
	l->in_len = (size_t)size;
	uint8_t *data = in;
	size_t n = (size_t)size;
	skip_mtk(l, path, &data, &n);
	l->comp = comp_detect(data, n, &what);
	if (l->comp == COMP_UNKNOWN && what)
		die(EXIT_BAD, "%s: @0x0: %s ramdisks are not supported (decompress it first)", path,
		    what);
	if (l->comp == COMP_UNKNOWN)
		die(EXIT_BAD,
		    "%s: @0x0: not a cpio archive or a gzip, lz4, xz, lzma, bzip2 or zstd stream "
		    "(bad magic)",
		    path);
	if (decompress_streams(l->comp, data, n, (size_t)cap, &out, &outlen, &l->streams, &d) < 0) {
		free(in);
		diag_prefix(&d, "%s data", l->comp == COMP_NONE ? "cpio" : comp_name(l->comp));
		die_diag(path, &d);
	}
	free(in);
	if (rd_load_archive(&l->rd, out, outlen, &d) < 0) {
		diag_prefix(&d, "cpio");
		die_diag(path, &d);
	}
}

static void loaded_free(struct loaded *l)
{
	rd_free(&l->rd);
	close(l->fd);
}

/* ---- writing ------------------------------------------------------------------------ */

struct written {
	uint64_t raw, packed;
};

/* The archive compressed into out; behind mtk (a MediaTek header, its dsize
 * set to what follows it) when not NULL. */
static struct written write_out(const struct ramdisk *rd, const char *out, enum comp c, int level,
				const int *in_fds, unsigned nin, const uint8_t *mtk)
{
	uint8_t hdr[MTK_HDR_SIZE];
	struct outfile o;
	struct fd_sink fs;
	struct zsink *zs;
	struct diag d = {{0}};
	struct written w;
	int err;

	if (outfile_open(&o, out, in_fds, nin, &d) < 0)
		die_diag(out, &d);
	if (mtk && (memcpy(hdr, mtk, MTK_HDR_SIZE), write_all(o.fd, hdr, MTK_HDR_SIZE)) < 0) {
		outfile_abort(&o);
		die(EXIT_BAD, "%s: writing: %s", out, strerror(errno));
	}
	fd_sink_init(&fs, o.fd);
	if ((err = zsink_new(c, level, &fs.s, &zs)) < 0) {
		outfile_abort(&o);
		die(EXIT_BAD, "%s: %s", out, strerror(-err));
	}
	err = rd_write(rd, zsink_sink(zs), &d);
	if (err == 0 && (err = zsink_finish(zs)) < 0)
		diag_set(&d, err, "compressing: %s", strerror(-err));
	w.raw = zsink_bytes_in(zs);
	zsink_free(zs);
	if (err < 0) {
		outfile_abort(&o);
		die_diag(out, &d);
	}
	w.packed = fs.bytes;
	if (mtk && (mtk_hdr_set_dsize(hdr, fs.bytes, &d) < 0 ||
		    pwrite(o.fd, hdr, MTK_HDR_SIZE, 0) != MTK_HDR_SIZE)) {
		outfile_abort(&o);
		die(EXIT_BAD, "%s: the MediaTek header's dsize: %s", out,
		    d.msg[0] ? d.msg : strerror(errno));
	}
	if (outfile_commit(&o, &d) < 0)
		die_diag(out, &d);
	return w;
}

/* A name or link target from the archive, escaped (escape.h): a newline in a
 * name cannot forge a line of the listing, nor ESC drive the terminal. */
static void put_esc(const void *s, size_t n)
{
	char buf[4 * CPIO_NAME_MAX + 1];

	esc_bytes(buf, sizeof(buf), s, n, false);
	fputs(buf, stdout);
}

static int by_size_desc(const void *a, const void *b)
{
	const struct rd_entry *x = *(const struct rd_entry *const *)a,
			      *y = *(const struct rd_entry *const *)b;
	uint64_t sx = rd_entry_size(x), sy = rd_entry_size(y);

	return sx < sy ? 1 : sx > sy ? -1 : strcmp(x->name, y->name);
}

static void summary(const struct ramdisk *rd, const char *label, enum comp c, uint64_t raw,
		    uint64_t packed, unsigned top)
{
	const struct rd_entry **v = malloc((rd->n ? rd->n : 1) * sizeof(*v));
	size_t nf = 0;

	printf("%s: %zu entries, %" PRIu64 " bytes raw, %" PRIu64 " bytes %s (%.1f%%)\n", label,
	       rd->n, raw, packed, comp_name(c), raw ? 100.0 * (double)packed / (double)raw : 0.0);
	if (!v || !top) {
		free(v);
		return;
	}
	for (size_t i = 0; i < rd->n; i++)
		if (S_ISREG(rd->v[i].m.f[CF_MODE]))
			v[nf++] = &rd->v[i];
	qsort(v, nf, sizeof(*v), by_size_desc);
	if (nf)
		printf("largest files:\n");
	for (size_t i = 0; i < nf && i < top; i++) {
		printf("  %10" PRIu64 "  ", rd_entry_size(v[i]));
		put_esc(v[i]->name, strlen(v[i]->name));
		putchar('\n');
	}
	free(v);
}

static void parse_comp(const char *s, enum comp *c, int *level)
{
	if (comp_parse(s, c, level) < 0)
		die(EXIT_USAGE,
		    "-c %s: want lz4[:1..12], gzip[:1..9], xz[:0..9], lzma[:0..9], bzip2[:1..9], "
		    "zstd[:1..19] or none",
		    s);
}

static void apply_file(struct ramdisk *rd, const char *path, bool edits)
{
	struct diag d = {{0}};

	if (rd_apply_spec_file(rd, path, edits, &d) < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog(), d.msg);
		exit(EXIT_BAD);
	}
}

static void rules_error(void *ctx, int line, int col, const char *msg)
{
	char text[DIAG_MSG_MAX + PATH_MAX];

	rules_error_text(text, sizeof(text), (const char *)ctx, line, col, msg);
	fprintf(stderr, "%s\n", text);
}

/* The rules by rules.c's one policy (the probe's): every problem said as the
 * probe says it, and any refuses them. */
static void load_rules(struct rules *r, const char *path)
{
	struct diag d = {{0}};
	uint8_t *text = NULL;
	size_t len = 0;
	int n = file_read_small(path, RULES_TEXT_MAX, &text, &len, &d);

	if (n == -EFBIG) /* too large: the policy says so, as the probe does */
		len = RULES_TEXT_MAX + 1;
	else if (n < 0)
		die_diag(path, &d);
	n = rules_load(r, text ? (const char *)text : "", len, rules_error,
		       (void *)(uintptr_t)path);
	free(text);
	if (n < 0)
		die(EXIT_BAD, "%s: %s", path, strerror(-n));
	if (n > 0)
		die(EXIT_BAD, "%s: %d error%s in the rules", path, n, n > 1 ? "s" : "");
}

/* --modules KDIR --modules-list FILE [--kernel-version V] [--preload LIST] */
/* Option ids of every command (0: a positional argument). */
enum rd_opt {
	RO_ARG,
	RO_OUT,
	RO_COMP,
	RO_SPEC,
	RO_SUMMARY,
	RO_VERBOSE,
	RO_MAX_SIZE,
	RO_DEVICES,
	RO_SAME_PERM,
	RO_SAME_OWNER,
	RO_EXPR,
	RO_SCRIPT,
	RO_HELP,
	/* MODULES, shared by pack and edit */
	RO_MODULES,
	RO_MODULES_LIST,
	RO_KERNEL_VERSION,
	RO_PRELOAD,
	RO_INPUT,
	RO_DTB,
};

struct modopts {
	const char *kdir, *list, *version, *preload, *input, *dtb;
};

static bool modopt(struct modopts *mo, int id, const char *arg)
{
	switch ((enum rd_opt)id) {
	case RO_MODULES: mo->kdir = arg; return true;
	case RO_MODULES_LIST: mo->list = arg; return true;
	case RO_KERNEL_VERSION: mo->version = arg; return true;
	case RO_PRELOAD: mo->preload = arg; return true;
	case RO_INPUT: mo->input = arg; return true;
	case RO_DTB: mo->dtb = arg; return true;
	default: return false;
	}
}

#define MODOPTS                                                                                    \
	{"modules", 0, true, RO_MODULES}, {"modules_list", 0, true, RO_MODULES_LIST},              \
	    {"kernel_version", 0, true, RO_KERNEL_VERSION}, {"preload", 0, true, RO_PRELOAD},      \
	    {"input", 0, true, RO_INPUT},                                                          \
	{                                                                                          \
		"dtb", 0, true, RO_DTB                                                             \
	}

/* The .idc/.kl files install actions name: DIR/FILE -> lib/probe/input/FILE. */
static void add_inputs(struct ramdisk *rd, const struct rules *r, const struct modopts *mo)
{
	struct diag d = {{0}};
	char name[CPIO_NAME_MAX], host[PATH_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < r->nrule; i++) {
		const struct rule *ru = &r->rule[i];
		for (unsigned a = 0; a < ru->nact; a++) {
			const struct action *ac = &r->act[ru->act + a];
			struct stat st;
			if (ac->kind != AK_INSTALL)
				continue;
			if (strfmt(name, sizeof(name), "lib/probe/input/%s", ac->arg) < 0)
				die(EXIT_BAD, "%s:%d: install %s: name too long", mo->list,
				    ru->line, ac->arg);
			if (rd_find(rd, name) >= 0)
				continue;
			if (!mo->input)
				die(EXIT_BAD,
				    "%s:%d: install %s: no --input folder to take it from",
				    mo->list, ru->line, ac->arg);
			if (strfmt(host, sizeof(host), "%s/%s", mo->input, ac->arg) < 0 ||
			    stat(host, &st) < 0 || !S_ISREG(st.st_mode))
				die(EXIT_BAD, "%s:%d: install %s: %s is missing", mo->list,
				    ru->line, ac->arg, host);
			if (rd_add_dirs(rd, "lib/probe/input", 0755, &d) < 0 ||
			    rd_add_file(rd, name, 0644, host, NULL, 0, &d) < 0)
				die_diag(host, &d);
			n++;
		}
	}
	if (n)
		printf("input files: %u from %s\n", n, mo->input);
}

/* --dtb: the rules against the board's DTB (dtcheck.h), one line a finding;
 * two enabled candidates at one address fail the build (nothing written). */
struct dt_counts {
	unsigned n[DTC_CONFLICT + 1];
};

static void dt_line(void *ctx, enum dtcheck_kind kind, const struct rule *ru, unsigned addr,
		    const char *msg)
{
	struct dt_counts *c = ctx;

	(void)ru, (void)addr;
	c->n[kind]++;
	if (kind == DTC_CONFLICT)
		fprintf(stderr, "%s: dt: error: %s\n", cli_prog(), msg);
	else
		printf("dt: %s\n", msg);
}

static void dt_check(const struct rules *r, const struct modopts *mo, const char *moddir)
{
	struct dt_counts c = {{0}};
	struct diag d = {{0}};
	uint8_t *dtb;
	size_t len;
	int n;

	if (file_read_small(mo->dtb, DTB_FILE_MAX, &dtb, &len, &d) < 0)
		die_diag(mo->dtb, &d);
	n = dtcheck_run(r, mo->list, moddir, dtb, len, dt_line, &c, &d);
	free(dtb);
	if (n < 0)
		die_diag(mo->dtb, &d);
	printf("dt: %s: %u rule addresses bind DT nodes (%u through an overlay), %u rely on "
	       "new_device (no IRQ), %u bind nothing, %u disabled nodes without an overlay\n",
	       mo->dtb, c.n[DTC_BINDS] + c.n[DTC_OVERLAY], c.n[DTC_OVERLAY], c.n[DTC_NEW_DEVICE],
	       c.n[DTC_UNBOUND], c.n[DTC_DISABLED]);
	if (n > 0)
		die(EXIT_BAD, "%s: %d DT candidate%s at one address (above): nothing written",
		    mo->dtb, n, n == 1 ? "" : "s");
}

static void add_modules(struct ramdisk *rd, const struct modopts *mo)
{
	struct mod_closure mc;
	struct rules r;
	struct diag d = {{0}};

	if (mo->kdir && !mo->list)
		die(EXIT_USAGE, "--modules KDIR needs --modules-list FILE");
	if ((mo->preload || mo->dtb) && !mo->kdir)
		die(EXIT_USAGE, "--preload and --dtb need --modules KDIR and --modules-list FILE");
	if (mo->input && !mo->list)
		die(EXIT_USAGE, "--input needs --modules-list FILE");
	if (!mo->list)
		return;
	load_rules(&r, mo->list);
	if (!mo->kdir) { /* a stock kernel's own drivers: the rules load nothing */
		for (unsigned i = 0; i < r.nact; i++)
			if (r.act[i].kind == AK_LOAD)
				die(EXIT_BAD,
				    "%s: load %s: no --modules folder to take it from (rules for a "
				    "kernel's own drivers load nothing)",
				    mo->list, r.act[i].arg);
		add_inputs(rd, &r, mo);
		rules_free(&r);
		printf("modules: none (no --modules: the rules use the kernel's own drivers)\n");
		return;
	}
	if (mod_closure_build(&mc, mo->kdir, mo->version, &r, mo->list, mo->preload, &d) < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog(), d.msg);
		exit(EXIT_BAD);
	}
	if (mo->dtb)
		dt_check(&r, mo, mc.dir);
	if (mod_closure_add(&mc, rd, &d) < 0)
		die_diag(mo->kdir, &d);
	add_inputs(rd, &r, mo);
	rules_free(&r);
	printf("modules: %zu named in %s, %zu with dependencies, from %s\n", mc.nnamed, mo->list,
	       mc.n, mc.version);
	if (mc.nbuiltin)
		printf("modules: %zu named in %s built into the kernel (modules.builtin)\n",
		       mc.nbuiltin, mo->list);
	mod_closure_free(&mc);
}

/* ---- commands -------------------------------------------------------------------------- */

static int cmd_ramdisk_pack(int argc, char **argv)
{
	static const struct opt o[] = {{"output", 'o', true, RO_OUT},
				       {"compress", 'c', true, RO_COMP},
				       {"spec", 0, true, RO_SPEC},
				       {"summary", 0, true, RO_SUMMARY},
				       {"help", 'h', false, RO_HELP},
				       MODOPTS,
				       {0}};
	const char *dir = NULL, *out = NULL, *specs[RAMDISK_SPECS_MAX];
	struct modopts mo = {0};
	unsigned nspec = 0, top = 5;
	enum comp c = COMP_LZ4_LEGACY;
	int level = 12, id;
	bool comp_given = false;
	struct opt_state s;
	struct ramdisk rd;
	struct diag d = {{0}};
	struct written w;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (dir)
				die(EXIT_USAGE, "pack: one folder only (%s and %s)", dir, s.arg);
			dir = s.arg;
			break;
		case RO_OUT: out = s.arg; break;
		case RO_COMP:
			parse_comp(s.arg, &c, &level);
			comp_given = true;
			break;
		case RO_SPEC:
			if (nspec == RAMDISK_SPECS_MAX)
				die(EXIT_USAGE, "pack: at most %d --spec files", RAMDISK_SPECS_MAX);
			specs[nspec++] = s.arg;
			break;
		case RO_SUMMARY: top = (unsigned)opt_u64("--summary", s.arg, 1000); break;
		case RO_HELP: fputs(usage, stdout); return 0;
		default: modopt(&mo, id, s.arg); break;
		}
	}
	if (!out || (!dir && !nspec && !mo.kdir))
		die(EXIT_USAGE, "usage: ramdisk pack [DIR] [--spec FILE]... -o OUT [-c COMP]");
	rd_init(&rd, cli_source_date_epoch());
	if (dir && rd_add_tree(&rd, dir, &d) < 0)
		die_diag(dir, &d);
	for (unsigned i = 0; i < nspec; i++)
		apply_file(&rd, specs[i], false);
	if (rd.exact && mo.kdir)
		die(EXIT_USAGE, "pack: an exact spec is packed as it is, without --modules "
				"(ramdisk edit adds modules to a ramdisk)");
	add_modules(&rd, &mo);
	if (!rd.exact && rd_sort(&rd) < 0)
		die(EXIT_BAD, "%s: out of memory", out);
	if (!comp_given && *rd.comp)
		parse_comp(rd.comp, &c, &level);
	w = write_out(&rd, out, c, level, NULL, 0, NULL);
	summary(&rd, out, c, w.raw, w.packed, top);
	rd_free(&rd);
	return 0;
}

static void list_entry(const struct rd_entry *e, bool verbose)
{
	const char *name = e->wname ? e->wname : e->name;
	uint32_t mode = e->m.f[CF_MODE];
	char ms[11], when[32];
	time_t t = (time_t)e->m.f[CF_MTIME];
	struct tm tm;

	if (!verbose) {
		put_esc(name, strlen(name));
		putchar('\n');
		return;
	}
	cpio_mode_string(mode, ms);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", gmtime_r(&t, &tm));
	printf("%s %3u %-5u %-5u ", ms, (unsigned)e->m.f[CF_NLINK], (unsigned)e->m.f[CF_UID],
	       (unsigned)e->m.f[CF_GID]);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		printf("%4u, %4u", (unsigned)e->m.f[CF_RDEVMAJOR], (unsigned)e->m.f[CF_RDEVMINOR]);
	else
		printf("%10u", (unsigned)e->m.f[CF_FILESIZE]);
	printf(" %s ", when);
	put_esc(name, strlen(name));
	if (S_ISLNK(mode)) {
		fputs(" -> ", stdout);
		put_esc(e->data, e->m.f[CF_FILESIZE]);
	}
	putchar('\n');
}

/* --max-size: the cap on a ramdisk's decompressed size. */
static uint64_t parse_max_size(const char *s)
{
	uint64_t cap;

	if (parse_size(s, &cap) < 0 || cap == 0 || cap > SIZE_MAX / 2)
		die(EXIT_USAGE, "--max-size %s: want a size like 64M", s);
	return cap;
}

static const struct opt read_opts[] = {{"verbose", 'v', false, RO_VERBOSE},
				       {"max_size", 0, true, RO_MAX_SIZE},
				       {"help", 'h', false, RO_HELP},
				       {0}};

/* Positional arguments and --max-size for list, info and extract. */
static unsigned read_args(int argc, char **argv, const char **pos, unsigned npos, bool *verbose,
			  uint64_t *cap)
{
	struct opt_state s;
	unsigned n = 0;
	int id;

	*cap = COMP_DEFAULT_CAP;
	opt_begin(&s, argc, argv, read_opts);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (n == npos)
				die(EXIT_USAGE, "%s: unexpected argument %s", argv[0], s.arg);
			pos[n++] = s.arg;
			break;
		case RO_VERBOSE: *verbose = true; break;
		case RO_MAX_SIZE: *cap = parse_max_size(s.arg); break;
		default: fputs(usage, stdout); exit(0);
		}
	}
	return n;
}

static int cmd_ramdisk_list(int argc, char **argv)
{
	const char *pos[1];
	bool verbose = false;
	uint64_t cap;
	struct loaded l;

	if (read_args(argc, argv, pos, 1, &verbose, &cap) != 1)
		die(EXIT_USAGE, "usage: ramdisk list RAMDISK [-v]");
	load(&l, pos[0], cap);
	for (size_t i = 0; i < l.rd.n; i++)
		list_entry(&l.rd.v[i], verbose);
	loaded_free(&l);
	return 0;
}

static int cmd_ramdisk_info(int argc, char **argv)
{
	const char *pos[1];
	bool verbose = false;
	uint64_t cap;
	struct loaded l;

	if (read_args(argc, argv, pos, 1, &verbose, &cap) != 1)
		die(EXIT_USAGE, "usage: ramdisk info RAMDISK");
	load(&l, pos[0], cap);
	summary(&l.rd, pos[0], l.comp, l.rd.archive_len, l.in_len, 10);
	if (l.streams.streams > 1)
		printf("streams: %u, %s\n", l.streams.streams,
		       l.streams.mixed ? "in several formats (the first one's is shown)"
				       : "concatenated");
	loaded_free(&l);
	return 0;
}

/* ", N things" when N > 0; *first says whether a separator is due. */
static void count(unsigned n, const char *one, const char *many, const char *why, bool *more)
{
	if (!n)
		return;
	printf("%s%u %s%s", *more ? ", " : "", n, n == 1 ? one : many, why);
	*more = true;
}

static void extract_summary(const char *dir, const struct rd_extract_stats *st)
{
	bool more = true, left = false;

	printf("%s: %u file%s, %u folder%s, %u symlink%s", dir, st->files,
	       st->files == 1 ? "" : "s", st->dirs, st->dirs == 1 ? "" : "s", st->symlinks,
	       st->symlinks == 1 ? "" : "s");
	count(st->hardlinks, "hard link", "hard links", "", &more);
	count(st->nodes, "device node", "device nodes", "", &more);
	count(st->fifos, "FIFO", "FIFOs", "", &more);
	count(st->sockets, "socket", "sockets", "", &more);
	if (st->nodes_skipped || st->nodes_denied || st->setuid_dropped || st->setgid_dropped ||
	    st->unknown)
		fputs("; ", stdout);
	count(st->nodes_skipped, "device node not created", "device nodes not created",
	      " (--devices to create them)", &left);
	count(st->nodes_denied, "device node not created", "device nodes not created",
	      " (--devices: it needs root)", &left);
	count(st->setuid_dropped, "setuid bit dropped", "setuid bits dropped",
	      " (--same-permissions to keep them)", &left);
	count(st->setgid_dropped, "setgid bit dropped", "setgid bits dropped",
	      " (--same-permissions to keep them)", &left);
	if (st->unknown)
		printf("%s%u entr%s of unknown type (mode 0%o%s) left out", left ? ", " : "",
		       st->unknown, st->unknown == 1 ? "y" : "ies", (unsigned)st->unknown_mode,
		       st->unknown > 1 ? " for the first" : "");
	putchar('\n');
}

static int cmd_ramdisk_extract(int argc, char **argv)
{
	static const struct opt o[] = {{"devices", 0, false, RO_DEVICES},
				       {"same_permissions", 'p', false, RO_SAME_PERM},
				       {"same_owner", 0, false, RO_SAME_OWNER},
				       {"max_size", 0, true, RO_MAX_SIZE},
				       {"spec", 0, true, RO_SPEC},
				       {"help", 'h', false, RO_HELP},
				       {0}};
	const char *pos[2], *spec = NULL;
	unsigned npos = 0;
	uint64_t cap = COMP_DEFAULT_CAP;
	struct rd_extract_opts xo = {0};
	struct opt_state s;
	struct loaded l;
	struct rd_extract_stats st;
	struct diag d = {{0}};
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (npos == 2)
				die(EXIT_USAGE, "extract: unexpected argument %s", s.arg);
			pos[npos++] = s.arg;
			break;
		case RO_DEVICES: xo.devices = true; break;
		case RO_SAME_PERM: xo.same_permissions = true; break;
		case RO_SAME_OWNER: xo.same_owner = true; break;
		case RO_MAX_SIZE: cap = parse_max_size(s.arg); break;
		case RO_SPEC: spec = s.arg; break;
		default: fputs(usage, stdout); return 0;
		}
	}
	if (npos != 2)
		die(EXIT_USAGE, "usage: ramdisk extract RAMDISK DIR [--spec SPEC] [--devices] "
				"[--same-permissions] [--same-owner]");
	load(&l, pos[0], cap);
	if (spec) {
		if (rd_extract_spec(&l.rd, pos[1], spec, comp_write_name(l.comp), pos[0], l.fd, &xo,
				    &st, &d) < 0) {
			diag_prefix(&d, "extracting into %s with --spec %s", pos[1], spec);
			die_diag(pos[0], &d);
		}
	} else if (rd_extract(&l.rd, pos[1], &xo, &st, &d) < 0) {
		diag_prefix(&d, "extracting into %s", pos[1]);
		die_diag(pos[0], &d);
	}
	extract_summary(pos[1], &st);
	if (spec)
		printf("%s: %zu entries%s, compression %s\n", spec, l.rd.n,
		       l.rd.ntr > 1 ? " in concatenated archives" : "",
		       l.comp == COMP_LZ4_FRAME ? "lz4 (legacy; the input was lz4 frames)"
						: comp_name(l.comp));
	loaded_free(&l);
	return 0;
}

/* An edit line with nothing to do: said, not an error (scripts run twice). */
static void print_note(void *ctx, const char *msg)
{
	fprintf(stderr, "%s: %s: %s\n", cli_prog(), (const char *)ctx, msg);
}

static int cmd_ramdisk_edit(int argc, char **argv)
{
	static const struct opt o[] = {{"output", 'o', true, RO_OUT},
				       {"compress", 'c', true, RO_COMP},
				       {"expr", 'e', true, RO_EXPR},
				       {"script", 0, true, RO_SCRIPT},
				       {"max_size", 0, true, RO_MAX_SIZE},
				       {"help", 'h', false, RO_HELP},
				       MODOPTS,
				       {0}};
	struct modopts mo = {0};
	const char *in = NULL, *out = NULL, *comp = NULL;
	struct {
		bool file;
		const char *s;
	} ops[256];
	unsigned nops = 0;
	uint64_t cap = COMP_DEFAULT_CAP;
	struct opt_state s;
	struct loaded l;
	struct diag d = {{0}};
	struct written w;
	enum comp c;
	int level = 0, id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (in)
				die(EXIT_USAGE, "edit: one input only");
			in = s.arg;
			break;
		case RO_OUT: out = s.arg; break;
		case RO_COMP: comp = s.arg; break;
		case RO_EXPR:
		case RO_SCRIPT:
			if (nops == 256)
				die(EXIT_USAGE, "edit: at most 256 -e/--script");
			ops[nops].file = id == RO_SCRIPT;
			ops[nops++].s = s.arg;
			break;
		case RO_MAX_SIZE: cap = parse_max_size(s.arg); break;
		case RO_HELP: fputs(usage, stdout); return 0;
		default: modopt(&mo, id, s.arg); break;
		}
	}
	if (!in || !out)
		die(EXIT_USAGE,
		    "usage: ramdisk edit RAMDISK -o OUT [-e LINE]... [--script FILE]...");
	load(&l, in, cap);
	l.rd.note = print_note;
	l.rd.note_ctx = (void *)(uintptr_t)in;
	for (unsigned i = 0, ne = 0; i < nops; i++) {
		char label[32] = "-e";
		if (ops[i].file) {
			apply_file(&l.rd, ops[i].s, true);
			continue;
		}
		/* "-e" alone, "-e#2" for the second -e of several */
		if (++ne > 1 || (i + 1 < nops && !ops[i + 1].file))
			strfmt_show(label, sizeof(label), "-e#%u", ne);
		if (rd_apply_spec(&l.rd, ops[i].s, strlen(ops[i].s), label, ".", true, &d) < 0)
			die(EXIT_BAD, "%s: %s", in, d.msg);
	}
	add_modules(&l.rd, &mo);
	c = l.comp;
	level = comp_default_level(c);
	if (l.streams.mixed && !comp)
		warnmsg("%s: streams in several formats: all written as one %s stream", in,
			comp_name(c == COMP_LZ4_FRAME ? COMP_LZ4_LEGACY : c));
	if (c == COMP_LZ4_FRAME) {
		warnmsg("%s: lz4 frame input is written as lz4 legacy (what kernels read)", in);
		c = COMP_LZ4_LEGACY;
		level = comp_default_level(c);
	}
	if (comp)
		parse_comp(comp, &c, &level);
	if (l.mtk)
		warnmsg("%s: written behind its MediaTek header, dsize updated", out);
	w = write_out(&l.rd, out, c, level, &l.fd, 1, l.mtk ? l.mtk_raw : NULL);
	summary(&l.rd, out, c, w.raw, w.packed, 0);
	loaded_free(&l);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {{"pack", cmd_ramdisk_pack},
		    {"list", cmd_ramdisk_list},
		    {"info", cmd_ramdisk_info},
		    {"extract", cmd_ramdisk_extract},
		    {"edit", cmd_ramdisk_edit}};

	cli_init("ramdisk");
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version"))
		cli_version("ramdisk");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	die(EXIT_USAGE, "unknown command '%s' (pack, list, info, extract, edit)", argv[1]);
}
