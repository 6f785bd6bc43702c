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
#include "ramdisk/tools/verbs.h"

const char ramdisk_usage[] =
    "usage: ramdisk COMMAND [ARGS]\n"
    "\n"
    "  pack [DIR] [--spec FILE]... -o|--output OUT [-c|--compress COMP] [--summary N]\n"
    "       [MODULES]      build a ramdisk from a folder and/or gen_init_cpio spec\n"
    "                      lines; an exact spec (extract --spec) alone gives its\n"
    "                      archive back byte for byte, in the spec's compression\n"
    "  list RAMDISK [-v|--verbose]\n"
    "                      names, or 'cpio -tv'-style lines with -v (with the link\n"
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
    "  edit RAMDISK -o OUT [-e|--expr LINE]... [--script FILE]... [-c COMP] [MODULES]\n"
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
    "\n"
    "Spec and edit lines are described in ramdisk(1): file, dir, nod, slink, pipe,\n"
    "sock with KEY=VALUE attributes (ino nlink mtime dev rdev mode size check\n"
    "magic hex), exact [hex=lower], trailer, compression; edits: rm, rmtree, mv,\n"
    "insert, replace, replace-regex, remove, remove-regex, replace-section,\n"
    "remove-section, prop, prop-remove, fstab (each a no-op when already applied,\n"
    "said on stderr).\n"
    "mtime comes from SOURCE_DATE_EPOCH (else 0).\n"
    "\n"
    "--max-size N caps the decompressed size of a ramdisk read (default 512M).\n"
    "A ramdisk behind a MediaTek header (ROOTFS/RECOVERY, as unpack_bootimg writes\n"
    "an MTK image's) is read behind it (said on stderr); edit writes the header\n"
    "back with its dsize updated.\n"
    "\n"
    "'ramdisk --version' prints \"ramdisk VERSION\".\n"
    "Exit status: 0 ok, 1 bad input (nothing written), 2 bad usage.\n";

/* Print the part of ramdisk_usage from the line that starts with head: up to
 * a blank line, or for a command's part (cmd: its indent not printed) also up
 * to a line indented less than 4 (the next command). */
static void put_part(const char *head, bool cmd)
{
	const char *p = ramdisk_usage, *e;
	size_t n = strlen(head);

	while (*p && strncmp(p, head, n))
		p = strchr(p, '\n') + 1;
	for (e = p; *e;) {
		e = strchr(e, '\n') + 1;
		if (!*e || *e == '\n' || (cmd && strncmp(e, "    ", 4)))
			break;
	}
	if (cmd && *p)
		p += 2;
	fwrite(p, 1, (size_t)(e - p), stdout);
}

void ramdisk_help(const char *verb)
{
	/* each command's lines and the paragraphs of ramdisk_usage it refers to */
	static const struct {
		const char *head, *paras[4];
	} helps[] = {
	    {"  pack ", {"MODULES:", "COMP:", "Spec and edit", NULL}},
	    {"  list ", {"--max-size", NULL}},
	    {"  info ", {"--max-size", NULL}},
	    {"  extract ", {"--max-size", "Spec and edit", NULL}},
	    {"  edit ", {"MODULES:", "COMP:", "Spec and edit", "--max-size"}},
	};

	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if (strncmp(helps[i].head + 2, verb, strlen(verb)) ||
		    helps[i].head[2 + strlen(verb)] != ' ')
			continue;
		fputs("usage: ramdisk ", stdout);
		put_part(helps[i].head, true);
		for (size_t k = 0; k < 4 && helps[i].paras[k]; k++) {
			putchar('\n');
			put_part(helps[i].paras[k], false);
		}
		fputs("\nEvery command: 'ramdisk --help'; every option and line: man 1 ramdisk.\n"
		      "Exit status: 0 ok, 1 bad input (nothing written), 2 bad usage.\n",
		      stdout);
		return;
	}
	fputs(ramdisk_usage, stdout);
}

/* ---- reading ---------------------------------------------------------------------- */

/* A MediaTek header in front (ROOTFS, RECOVERY: the ramdisk section of an MTK
 * image as unpack_bootimg writes it): said, kept, and the dsize bytes after
 * it are the ramdisk. */
void skip_mtk(struct loaded *l, const char *path, uint8_t **in, size_t *n)
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

void load(struct loaded *l, const char *path, uint64_t cap)
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

void loaded_free(struct loaded *l)
{
	rd_free(&l->rd);
	close(l->fd);
}

/* ---- writing ------------------------------------------------------------------------ */

/* The archive compressed into out; behind mtk (a MediaTek header, its dsize
 * set to what follows it) when not NULL. */
struct written write_out(const struct ramdisk *rd, const char *out, enum comp c, int level,
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
void put_esc(const void *s, size_t n)
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

void summary(const struct ramdisk *rd, const char *label, enum comp c, uint64_t raw,
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

void parse_comp(const char *s, enum comp *c, int *level)
{
	if (comp_parse(s, c, level) < 0)
		die(EXIT_USAGE,
		    "-c %s: want lz4[:1..12], gzip[:1..9], xz[:0..9], lzma[:0..9], bzip2[:1..9], "
		    "zstd[:1..19] or none",
		    s);
}

/* --max-size: the cap on a ramdisk's decompressed size. */
uint64_t parse_max_size(const char *s)
{
	uint64_t cap;

	if (parse_size(s, &cap) < 0 || cap == 0 || cap > SIZE_MAX / 2)
		die(EXIT_USAGE, "--max-size %s: want a size like 64M", s);
	return cap;
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
		fputs(ramdisk_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version"))
		cli_version("ramdisk");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	die(EXIT_USAGE, "unknown command '%s' (pack, list, info, extract, edit)", argv[1]);
}
