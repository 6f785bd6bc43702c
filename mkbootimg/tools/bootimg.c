/* bootimg - the power tool for Android boot images.
 *
 *   bootimg info IMAGE [--json]        every field, a layout map, MTK headers,
 *                                      payload formats, id check, trailer
 *   bootimg unpack IMAGE DIR           parts + manifest
 *   bootimg repack SOURCE -o OUT ...   rebuild, exact or with parts replaced
 *   bootimg verify IMAGE [--mtk] [--require-signature] [--loader SPEC | --profile P]
 *                                      id, sizes, alignment, AVB, MT6572 rules, layout
 *   bootimg check IMAGE --partition-size N | --scatter F [--partition P]
 *   bootimg carve DUMP --scatter F --partition P -o OUT [--trim]
 *                                      [--dump-offset N]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/moddep.h"
#include "lib/strfmt.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/scatter.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/verbs.h"

static const char usage[] =
    "usage: bootimg COMMAND [ARGS]\n"
    "\n"
    "  info IMAGE [--json]          header fields with offsets, layout map, MediaTek\n"
    "                               headers, payload formats, id check, trailer\n"
    "  unpack IMAGE DIR             write every part and a manifest into DIR\n"
    "  repack SOURCE -o OUT [...]   rebuild from DIR or from an image, exact, or with\n"
    "                               --kernel/--ramdisk/--dtb/... replaced, --cmdline...\n"
    "  verify IMAGE [--mtk [--stock]] [--require-signature]\n"
    "               [--loader SPEC | --profile P]\n"
    "                               id, sizes, alignment, AVB (an unsigned vbmeta\n"
    "                               passes unless --require-signature), where the\n"
    "                               parts land and how far the kernel spreads;\n"
    "                               --mtk: the MT6572 rules (page size 2048, KERNEL\n"
    "                               and ROOTFS/RECOVERY headers); --stock: a stock\n"
    "                               image, judged by what MediaTek's LK checks\n"
    "  check IMAGE --partition-size N | --scatter FILE [--partition NAME]\n"
    "                               does it fit the partition? (default BOOTIMG)\n"
    "  carve DUMP --scatter FILE --partition NAME -o OUT [--trim] [--dump-offset N]\n"
    "                               cut a partition out of a full-flash readback\n"
    "  version FILE...              the kernel release of a boot image, a kernel or a\n"
    "                               module (its vermagic)\n"
    "  config IMAGE|KERNEL          the kernel's embedded .config (IKCONFIG)\n"
    "  diff A B [--json]            what differs between two images: header fields,\n"
    "                               kernel version and config, DTBs, ramdisk entries\n"
    "                               (a unified diff for text files)\n"
    "\n"
    "'bootimg COMMAND --help' for a command's options; 'bootimg --version' prints\n"
    "\"bootimg VERSION\". Exit status: 0 ok, 1 bad input, failed check or refused\n"
    "write (nothing written), 2 bad usage.\n";

/* ---- verify ---------------------------------------------------------------------- */

struct verdict {
	unsigned fails, warns;
	bool require_sig; /* --require-signature: an unsigned (NONE) vbmeta fails */
	bool unsigned_avb;
	bool soft;  /* --stock, outside the loader's own checks: a failed check is a warning */
	bool stock; /* --stock: judged by what MediaTek's LK checks (with --mtk) */
};

static void report(struct verdict *v, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(struct verdict *v, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "ok  " : v->soft ? "warn" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	v->fails += !ok && !v->soft;
	v->warns += !ok && v->soft;
}

static void verify_mtk_part(struct verdict *v, const struct image *im, enum bootimg_part p,
			    const char *want1, const char *want2)
{
	const struct image_part *ip = &im->part[p];
	const char *name = bootimg_part_name(p);
	char shown[MTK_NAME_SIZE * 4 + 1];

	if (!ip->s || !ip->s->size) {
		report(v, false, "%s: missing (the MT6572 LK needs it)", name);
		return;
	}
	if (!ip->has_mtk) {
		report(v, false, "%s: no MediaTek header (the MT6572 LK hangs without it)", name);
		return;
	}
	esc_bytes(shown, sizeof(shown), ip->mtk.name, strlen(ip->mtk.name), true);
	report(v, !strcmp(ip->mtk.name, want1) || (want2 && !strcmp(ip->mtk.name, want2)),
	       "%s: MTK header name \"%s\" (want %s%s%s)", name, shown, want1, want2 ? " or " : "",
	       want2 ? want2 : "");
	if (v->stock) { /* LK reads dsize bytes after the header: inside the section, in the file */
		report(v,
		       ip->mtk.dsize <= ip->s->size - MTK_HDR_SIZE && ip->data_len == ip->mtk.dsize,
		       "%s: MTK dsize %" PRIu32 " inside the section (%" PRIu64
		       " bytes) and in the file (%" PRIu64 " there)",
		       name, ip->mtk.dsize, ip->s->size - MTK_HDR_SIZE, ip->data_len);
		v->soft = true;
	}
	report(v, ip->mtk.dsize == ip->s->size - MTK_HDR_SIZE,
	       "%s: MTK dsize %" PRIu32 " + 512 = section size %" PRIu64, name, ip->mtk.dsize,
	       ip->s->size);
	v->soft = false;
}

static void avb_line(struct verdict *v, const char *what, const struct avb_check *c)
{
	bool ok = c->status == AVB_OK || c->status == AVB_NOT_CHECKED;

	if (c->status == AVB_NOT_CHECKED && !c->why[0])
		return;
	if (c->status == AVB_UNSIGNED) { /* algorithm NONE: hashes only, as avbtool accepts */
		bool sig = !strcmp(what, "signature");

		v->unsigned_avb = true;
		report(v, !sig || !v->require_sig, "AVB %s: unsigned (algorithm NONE: %s)%s", what,
		       sig ? "the hashes are checked" : "no vbmeta hash",
		       sig && v->require_sig ? ", and --require-signature asks for one" : "");
		return;
	}
	report(v, ok, "AVB %s: %s%s%s", what, avb_status_name(c->status), c->why[0] ? ": " : "",
	       c->why);
}

/* Footer, vbmeta, its hash, the signature (with the embedded key) and the
 * digest of the image the footer covers. A stale signature fails: such an
 * image boots only with an unlocked bootloader. */
static void verify_avb(struct verdict *v, const struct image *im)
{
	struct avb_report rep;
	struct diag d;

	if (avb_verify_file(im->fd, im->size,
			    im->img.kind == BOOTIMG_VENDOR ? "vendor_boot" : "boot", &rep,
			    &d) < 0) {
		report(v, false, "AVB: %s", d.msg);
		return;
	}
	avb_line(v, "footer", &rep.footer);
	avb_line(v, "vbmeta", &rep.vbmeta);
	avb_line(v, "vbmeta hash", &rep.vbmeta_hash);
	avb_line(v, "signature", &rep.signature);
	avb_line(v, "digest of the image", &rep.digest);
	if (im->tr.avb.original_image_size < im->img.end)
		report(v, false,
		       "AVB: original_image_size %" PRIu64 " ends inside the boot image "
		       "(it ends at %" PRIu64 ")",
		       im->tr.avb.original_image_size, im->img.end);
}

/* The layout check under each model: one ok line with where the parts land,
 * or one FAIL line per error; warnings and notes on their own lines. */
static void verify_layout(struct verdict *v, const struct image *im, const struct loader_model *m,
			  unsigned n)
{
	struct kernel_foot kf;
	struct layout_image li;
	struct layout_result r;
	char sum[SHOW_MAX];
	struct diag d;

	if (im->img.kind != BOOTIMG_BOOT)
		return;
	if (layout_from_image(im, &kf, &li, &d) < 0) {
		report(v, false, "layout: %s", d.msg);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		layout_check(&m[i], &li, &r);
		if (!r.errors) {
			layout_summary(&m[i], &kf, &r, sum, sizeof(sum));
			report(v, true, "layout under %s: %s", m[i].name, sum[0] ? sum : "-");
		}
		for (unsigned j = 0; j < r.n; j++) {
			if (r.f[j].sev == LAYOUT_ERROR)
				report(v, false, "layout under %s: %s", m[i].name, r.f[j].msg);
			else
				printf("%s layout under %s: %s\n",
				       r.f[j].sev == LAYOUT_WARN ? "warn" : "note", m[i].name,
				       r.f[j].msg);
		}
		if (r.n < r.errors + r.warnings)
			report(v, false, "layout under %s: %u more findings", m[i].name,
			       r.errors + r.warnings - r.n);
	}
}

/* Sizes and offsets, damage, the id, MTK dsizes, a DHTB pre-header's hash. */
static void verify_structure(struct verdict *v, const struct image *im)
{
	report(v, !im->cut_short,
	       "header v%" PRIu32 ": every size and offset inside the %" PRIu64
	       "-byte file%s, sections aligned to %" PRIu32,
	       im->img.version, im->size, im->cut_short ? " (NOT: damaged, below)" : "",
	       im->img.page_size);
	for (unsigned i = 0; i < im->nwarn; i++)
		report(v, false, "damaged: %s", im->warn[i]);
	if (im->has_id && !im->id_checked)
		report(v, false, "id (%s) not checked: the sections are not all in the file",
		       im->id_sha256 ? "sha256" : "sha1");
	else if (im->has_id)
		report(v, im->id_ok, "id (%s) %s", im->id_sha256 ? "sha256" : "sha1",
		       im->id_ok ? "matches the sections" : "does not match the sections");
	for (int p = 0; p < BP_COUNT; p++)
		if (im->part[p].s && im->part[p].has_mtk &&
		    im->part[p].mtk.dsize == im->part[p].s->size - MTK_HDR_SIZE)
			report(v, true, "%s: MTK dsize matches the section",
			       bootimg_part_name((enum bootimg_part)p));
	if (im->wrap.kind == WRAP_DHTB) {
		uint8_t sha[32];

		report(v,
		       sha256_range(im->fd, DHTB_SIZE, im->wrap.covered, sha) == 0 &&
			   !memcmp(sha, im->wrap.sha256, 32),
		       "DHTB pre-header: SHA-256 of the %" PRIu32 " bytes it covers",
		       im->wrap.covered);
	}
}

/* What MT6572's LK reads: header v0-v2, 2048-byte pages, KERNEL and
 * ROOTFS/RECOVERY MediaTek headers. */
static void verify_mt6572(struct verdict *v, const struct image *im)
{
	report(v, im->img.kind == BOOTIMG_BOOT && im->img.version <= 2,
	       "MT6572: boot image header v0-v2 (is v%" PRIu32 ")", im->img.version);
	report(v, im->img.page_size == 2048, "MT6572: page size 2048 (is %" PRIu32 ")",
	       im->img.page_size);
	verify_mtk_part(v, im, BP_KERNEL, "KERNEL", NULL);
	verify_mtk_part(v, im, BP_RAMDISK, "ROOTFS", "RECOVERY");
}

static int verify_image(const char *path, bool mtk, bool stock, bool require_sig,
			const struct loader_model *m, unsigned nm)
{
	/* --stock: everything before the loader's checks below only warns */
	struct verdict v = {.require_sig = require_sig, .stock = stock, .soft = stock};
	struct image im;
	struct diag d;

	if (image_try_load(&im, path, &d)) {
		printf("FAIL %s\n", d.msg);
		fprintf(stderr, "%s: %s: %s\n", cli_prog(), path, d.msg);
		return EXIT_BAD;
	}
	verify_structure(&v, &im);
	if (im.tr.has_avb)
		verify_avb(&v, &im);
	for (unsigned i = 0; i < im.tr.n; i++)
		if (im.tr.item[i].kind == TR_VBMETA_NO_FOOTER)
			report(&v, false,
			       "AVB: a vbmeta image (AVB0) at 0x%" PRIx64
			       " but no AVB footer (AVBf) "
			       "in the last 64 bytes @0x%" PRIx64 ": missing or damaged",
			       im.tr.item[i].offset, im.size - AVB_FOOTER_SIZE);
	verify_layout(&v, &im, m, nm);
	v.soft = false;
	if (mtk)
		verify_mt6572(&v, &im);
	if (!im.tr.has_avb && require_sig)
		report(&v, false, "AVB: no footer, so no signature (--require-signature)");
	printf("%s: %s%s%s\n", path, v.fails ? "FAILED" : "OK",
	       !v.fails && v.unsigned_avb ? " (AVB unsigned: algorithm NONE, hashes checked)" : "",
	       !v.fails && v.warns ? " for MediaTek's LK (warnings above: checks it does not make)"
				   : "");
	image_free(&im);
	return v.fails ? EXIT_BAD : 0;
}

static const char verify_usage[] =
    "usage: bootimg verify IMAGE [--mtk [--stock]] [--require-signature]\n"
    "                      [--loader SPEC | --profile P]\n"
    "  --mtk           the MT6572 rules: page size 2048, KERNEL and ROOTFS/RECOVERY\n"
    "                  headers, header v0-v2\n"
    "  --stock         (with --mtk) judge a stock image by what MediaTek's LK checks:\n"
    "                  the MT6572 rules and each MTK dsize inside its section with\n"
    "                  its bytes in the file fail; the rest (the id, a size past the\n"
    "                  file, AVB, the layout) is reported as warn lines\n"
    "  --require-signature  an AVB vbmeta with algorithm NONE (unsigned, hashes\n"
    "                  only), which passes with its hashes checked as avbtool\n"
    "                  verify_image accepts it, fails; so does an image without AVB\n"
    "  --loader SPEC   where the bootloader puts the parts (default: header, the\n"
    "                  header's addresses); man bootimg, \"LOADER MODELS\"\n"
    "  --profile P     the LOADER= of a board profile (a file, or NAME for\n"
    "                  profiles/NAME.conf)\n";

enum verify_opt { VO_IMAGE, VO_MTK, VO_STOCK, VO_REQSIG, VO_LOADER, VO_PROFILE, VO_HELP };

int cmd_bootimg_verify(int argc, char **argv)
{
	static const struct opt o[] = {{"mtk", 0, false, VO_MTK},
				       {"stock", 0, false, VO_STOCK},
				       {"require_signature", 0, false, VO_REQSIG},
				       {"loader", 0, true, VO_LOADER},
				       {"profile", 0, true, VO_PROFILE},
				       {"help", 'h', false, VO_HELP},
				       {0}};
	const char *path = NULL, *loader = NULL, *profile = NULL;
	struct loader_model m[LOADER_MODELS_MAX];
	bool mtk = false, stock = false, require_sig = false;
	struct opt_state s;
	unsigned nm;
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum verify_opt)id) {
		case VO_MTK: mtk = true; break;
		case VO_STOCK: stock = true; break;
		case VO_REQSIG: require_sig = true; break;
		case VO_LOADER: loader = s.arg; break;
		case VO_PROFILE: profile = s.arg; break;
		case VO_HELP: return fputs(verify_usage, stdout), 0;
		case VO_IMAGE:
			if (path)
				die(EXIT_USAGE, "verify: one IMAGE only");
			path = s.arg;
			break;
		}
	}
	if (!path)
		die(EXIT_USAGE, "%s", verify_usage);
	if (stock && !mtk)
		die(EXIT_USAGE, "verify: --stock judges by what MediaTek's LK checks: give --mtk");
	nm = layout_models(loader, profile, m);
	return verify_image(path, mtk, stock, require_sig, m, nm);
}

/* ---- check ------------------------------------------------------------------------- */

enum check_opt { CO_IMAGE, CO_PSIZE, CO_SCATTER, CO_PART, CO_HELP };

int cmd_bootimg_check(int argc, char **argv)
{
	static const struct opt o[] = {{"partition_size", 0, true, CO_PSIZE},
				       {"scatter", 0, true, CO_SCATTER},
				       {"partition", 0, true, CO_PART},
				       {"help", 'h', false, CO_HELP},
				       {0}};
	const char *path = NULL, *size = NULL, *scatter = NULL, *part = NULL;
	struct opt_state s;
	struct limit lim;
	struct image im;
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum check_opt)id) {
		case CO_IMAGE: path = s.arg; break;
		case CO_PSIZE: size = s.arg; break;
		case CO_SCATTER: scatter = s.arg; break;
		case CO_PART: part = s.arg; break;
		case CO_HELP:
			fputs("usage: bootimg check IMAGE --partition-size N | --scatter FILE "
			      "[--partition NAME]\n",
			      stdout);
			return 0;
		}
	}
	if (!path || (!size && !scatter))
		die(EXIT_USAGE, "usage: bootimg check IMAGE --partition-size N | --scatter FILE "
				"[--partition NAME]");
	limit_resolve(&lim, size, scatter, part, "BOOTIMG");
	image_load_or_die(&im, path);
	if (im.size > lim.max) {
		printf("%s: %" PRIu64 " bytes do NOT fit the %" PRIu64 "-byte %s: %" PRIu64
		       " bytes too many\n",
		       path, im.size, lim.max, lim.what, im.size - lim.max);
		image_free(&im);
		return EXIT_BAD;
	}
	printf("%s: %" PRIu64 " bytes fit the %" PRIu64 "-byte %s; headroom %" PRIu64
	       " bytes (%.1f%%)\n",
	       path, im.size, lim.max, lim.what, lim.max - im.size,
	       100.0 * (double)(lim.max - im.size) / (double)lim.max);
	image_free(&im);
	return 0;
}

/* ---- carve ---------------------------------------------------------------------------- */

struct carve_args {
	const char *dump, *scatter, *partition, *out;
	uint64_t dump_offset;
	bool trim;
};

static const struct scatter_part *carve_find(const struct carve_args *a, struct scatter *sc)
{
	const struct scatter_part *p;
	struct diag d;
	uint8_t *text;
	size_t len;

	if (file_read_small(a->scatter, 4u << 20, &text, &len, &d) ||
	    scatter_parse((const char *)text, len, sc, &d))
		die_diag(a->scatter, &d);
	free(text);
	p = scatter_find(sc, a->partition);
	if (!p)
		die(EXIT_BAD, "%s: no partition named %s", a->scatter, a->partition);
	if (!p->size_known || !p->size || p->bmt_encoded)
		die(EXIT_BAD, "%s: partition %s (line %u) has no usable address and size",
		    a->scatter, a->partition, p->line);
	return p;
}

/* How much of the carved partition a trimmed copy keeps: the image and any
 * trailer data (a signature, an AVB footer), without the padding after it. */
static uint64_t trimmed_size(const struct image *im)
{
	uint64_t end = im->img.end;

	for (unsigned i = 0; i < im->tr.n; i++)
		if (im->tr.item[i].kind != TR_ZERO && im->tr.item[i].kind != TR_FF)
			end = im->tr.item[i].offset + im->tr.item[i].size;
	return end;
}

static int carve(const struct carve_args *a)
{
	struct scatter *sc = malloc(sizeof(*sc));
	const struct scatter_part *p;
	struct image im;
	struct diag d;
	uint64_t dump_size, off;
	int fd;

	if (!sc)
		die(EXIT_BAD, "out of memory");
	p = carve_find(a, sc);
	if (file_open_ro(a->dump, &fd, &dump_size, &d))
		die_diag(a->dump, &d);
	if (p->start < a->dump_offset)
		die(EXIT_BAD,
		    "%s: partition %s starts at 0x%" PRIx64 ", before the dump (0x%" PRIx64 ")",
		    a->dump, p->name, p->start, a->dump_offset);
	off = p->start - a->dump_offset;
	if (off > dump_size || p->size > dump_size - off)
		die(EXIT_BAD,
		    "%s: partition %s (0x%" PRIx64 "+0x%" PRIx64 ") is past the end of the "
		    "%" PRIu64 "-byte dump",
		    a->dump, p->name, p->start, p->size, dump_size);
	struct image src = {.fd = fd, .size = dump_size, .path = a->dump};
	if (image_extract(&src, off, p->size, a->out, &d))
		die_diag(a->out, &d);
	close(fd);
	printf("%s: %" PRIu64 " bytes of %s from 0x%" PRIx64 "\n", a->out, p->size, p->name, off);
	if (image_try_load(&im, a->out, &d)) {
		printf("%s: not a valid boot image: %s\n", a->out, d.msg);
		free(sc);
		return 0;
	}
	printf("%s: valid %s image, header v%" PRIu32 ", %" PRIu64 " bytes used, %" PRIu64
	       " bytes after it, id %s\n",
	       a->out, im.img.kind == BOOTIMG_BOOT ? "boot" : "vendor_boot", im.img.version,
	       im.img.end, im.size - im.img.end,
	       !im.has_id ? "n/a"
	       : im.id_ok ? "ok"
			  : "stale");
	for (unsigned i = 0; i < im.nwarn; i++) /* read tolerantly, as info does */
		printf("%s: damaged: %s\n", a->out, im.warn[i]);
	if (a->trim) {
		uint64_t keep = trimmed_size(&im);

		if (image_extract_over_self(&im, 0, keep, &d))
			die_diag(a->out, &d);
		printf("%s: trimmed to %" PRIu64 " bytes\n", a->out, keep);
	}
	image_free(&im);
	free(sc);
	return 0;
}

enum carve_opt { CA_DUMP, CA_SCATTER, CA_PART, CA_OUT, CA_TRIM, CA_DUMP_OFFSET, CA_HELP };

int cmd_bootimg_carve(int argc, char **argv)
{
	static const struct opt o[] = {{"scatter", 0, true, CA_SCATTER},
				       {"partition", 0, true, CA_PART},
				       {"output", 'o', true, CA_OUT},
				       {"trim", 0, false, CA_TRIM},
				       {"dump_offset", 0, true, CA_DUMP_OFFSET},
				       {"help", 'h', false, CA_HELP},
				       {0}};
	static const char cu[] =
	    "usage: bootimg carve DUMP --scatter FILE --partition NAME -o|--output OUT [--trim]\n"
	    "       [--dump-offset N]\n"
	    "Cut a partition out of a full-flash readback, as the scatter file places it\n"
	    "(--dump-offset: the dump starts there); --trim: the image alone, without the\n"
	    "padding after it.\n";
	struct carve_args a = {0};
	struct opt_state s;
	int id;

	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum carve_opt)id) {
		case CA_DUMP: a.dump = s.arg; break;
		case CA_SCATTER: a.scatter = s.arg; break;
		case CA_PART: a.partition = s.arg; break;
		case CA_OUT: a.out = s.arg; break;
		case CA_TRIM: a.trim = true; break;
		case CA_DUMP_OFFSET:
			a.dump_offset = opt_u64("--dump-offset", s.arg, UINT64_MAX);
			break;
		case CA_HELP: fputs(cu, stdout); return 0;
		}
	}
	if (!a.dump || !a.scatter || !a.partition || !a.out)
		die(EXIT_USAGE, "%s", cu);
	return carve(&a);
}

/* ---- version ------------------------------------------------------------------------- */

#define MODINFO_CAP (64u << 10)

/* The kernel release a file is for: a module's vermagic, a boot image's
 * kernel, or a bare kernel (zImage, Image.gz, bzImage...). 0 when found. */
/* The build flags modules must share with the kernel, as words: "smp",
 * "preempt" or "preempt_rt", from a module's vermagic ("6.1.0-13-armmp SMP
 * preempt mod_unload ...") or a kernel's version string ("... #1 SMP
 * PREEMPT_DYNAMIC ..."; PREEMPT_DYNAMIC builds modules with "preempt"). */
static void build_flags(const char *s, size_t n, bool vermagic, char *out, size_t cap)
{
	bool smp = false, pre = false, rt = false;
	size_t i = 0, len = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j - i == 3 && !memcmp(s + i, "SMP", 3))
			smp = true;
		else if (vermagic && j - i == 7 && !memcmp(s + i, "preempt", 7))
			pre = true;
		else if (vermagic && j - i == 10 && !memcmp(s + i, "preempt_rt", 10))
			rt = true;
		else if (!vermagic && j - i == 10 && !memcmp(s + i, "PREEMPT_RT", 10))
			rt = true;
		else if (!vermagic && j - i >= 7 && !memcmp(s + i, "PREEMPT", 7))
			pre = true;
		i = j + 1;
	}
	out[0] = 0;
	strfmt_show_add(out, cap, &len, "%s%s", smp ? "smp" : "up",
			rt    ? " preempt_rt"
			: pre ? " preempt"
			      : "");
}

/* A kernel's flags, "unknown" when its version string was too long to hold. */
static void kernel_flags(const struct kernel_info *ki, char *flags, size_t fcap)
{
	if (ki->version_cut)
		strfmt_show(flags, fcap, "unknown");
	else
		build_flags(ki->version, strlen(ki->version), false, flags, fcap);
}

/* What a kernel_inspect found, as a release and flags, or why not in why. */
static int kernel_release(const struct kernel_info *ki, const char *what, char *rel, size_t cap,
			  const char **kind, char *flags, size_t fcap, char *why, size_t wcap)
{
	if (ki->release[0]) {
		strfmt_show(rel, cap, "%s", ki->release);
		kernel_flags(ki, flags, fcap);
		*kind = what;
		return 0;
	}
	if (ki->inner != PF_UNKNOWN && !ki->decoded)
		strfmt_show(why, wcap, "%s: its %s payload @+0x%" PRIx64 " does not decode", what,
			    payload_fmt_name(ki->inner), ki->inner_at);
	else if (ki->kind == PF_ZIMAGE && ki->inner == PF_UNKNOWN)
		strfmt_show(why, wcap, "%s: a zImage whose compressed payload was not found%s",
			    what, ki->search_cut ? " (the search stopped at its budget)" : "");
	else
		strfmt_show(why, wcap, "%s (%s): no \"Linux version\" string in it", what,
			    payload_fmt_name(ki->kind));
	return -1;
}

/* A boot image's kernel: only its version is read (the decode stops there). */
static int image_release(const struct image *im, char *rel, size_t cap, const char **kind,
			 char *flags, size_t fcap, char *why, size_t wcap)
{
	const struct image_part *p = &im->part[BP_KERNEL];
	struct kernel_info ki;
	struct diag d;

	if (!p->s) {
		strfmt_show(why, wcap, "a boot image without a kernel");
		return -1;
	}
	if (kernel_inspect(im->fd, p->data_off, p->appended_dtbs ? p->appended_dtb_at : p->data_len,
			   &ki, NULL, NULL, NULL, NULL, &d) < 0) {
		strfmt_show(why, wcap, "%s", d.msg);
		return -1;
	}
	return kernel_release(&ki, "boot image kernel", rel, cap, kind, flags, fcap, why, wcap);
}

/* The kernel release a file is for: a module's vermagic, a boot image's
 * kernel, or a bare kernel (zImage, Image.gz, bzImage..., also behind a
 * MediaTek header, as unpack_bootimg writes it). 0 when found; else why
 * says why not. */
static int file_release(const char *path, char *rel, size_t cap, const char **kind, char *flags,
			size_t fcap, char *why, size_t wcap)
{
	char *mi = malloc(MODINFO_CAP);
	uint8_t head[MTK_HDR_SIZE];
	struct kernel_info ki;
	struct mtk_hdr mh;
	struct image im;
	struct diag d;
	uint64_t size, off = 0;
	size_t pos = 0, vl, rl;
	const char *v, *r;
	long n;
	int fd, found = -1;

	if (!mi) {
		strfmt_show(why, wcap, "out of memory");
		return -1;
	}
	if (file_open_ro(path, &fd, &size, &d)) {
		strfmt_show(why, wcap, "%s", d.msg);
		free(mi);
		return -1;
	}
	if ((n = modinfo_from_fd(fd, mi, MODINFO_CAP, NULL)) >= 0 &&
	    modinfo_get(mi, (size_t)n, &pos, false, NULL, "vermagic", &v, &vl) == 1) {
		modinfo_vermagic_release(v, vl, &r, &rl);
		strfmt_show(rel, cap, "%.*s", (int)rl, r);
		build_flags(v, vl, true, flags, fcap);
		*kind = "module vermagic";
		found = 0;
	} else if (!image_try_load_flags(&im, path, IMAGE_NO_ID, &d)) {
		found = image_release(&im, rel, cap, kind, flags, fcap, why, wcap);
		image_free(&im);
	} else {
		/* a MediaTek header in front: the kernel is the dsize bytes after it */
		if (size > MTK_HDR_SIZE && !read_at(fd, head, sizeof(head), 0) &&
		    mtk_hdr_present(head, sizeof(head)) &&
		    !mtk_hdr_parse(head, sizeof(head), UINT64_MAX, &mh, &d))
			off = MTK_HDR_SIZE, size = mh.dsize < size - off ? mh.dsize : size - off;
		if (kernel_inspect(fd, off, size, &ki, NULL, NULL, NULL, NULL, &d) < 0)
			strfmt_show(why, wcap, "%s", d.msg);
		else
			found = kernel_release(&ki, off ? "kernel after an MTK header" : "kernel",
					       rel, cap, kind, flags, fcap, why, wcap);
	}
	close(fd);
	free(mi);
	return found;
}

int cmd_bootimg_version(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs("usage: bootimg version FILE...\n"
		      "The kernel release each FILE is for: a boot image's kernel, a bare kernel\n"
		      "(zImage, Image.gz, bzImage) or a module's vermagic, and the build flags\n"
		      "modules must share with the kernel (smp or up; preempt, preempt_rt):\n"
		      "  FILE: RELEASE (KIND; FLAGS)\n"
		      "or FILE: unknown, and on stderr why (no such file, not a regular file,\n"
		      "no version string, a payload that does not decode...). Exit 1 when one\n"
		      "is not found.\n",
		      argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (int i = 1; i < argc; i++) {
		char rel[KERNEL_RELEASE_MAX], flags[LABEL_MAX], why[DIAG_MSG_MAX] = "";
		const char *kind = "";

		if (file_release(argv[i], rel, sizeof(rel), &kind, flags, sizeof(flags), why,
				 sizeof(why)) == 0) {
			printf("%s: %s (%s; %s)\n", argv[i], rel, kind, flags);
		} else {
			printf("%s: unknown\n", argv[i]);
			warnmsg("%s: no kernel release: %s", argv[i], why);
			rc = EXIT_BAD;
		}
	}
	return rc;
}

/* ---- config ------------------------------------------------------------------------------ */

/* The embedded .config (CONFIG_IKCONFIG) of a boot image's kernel or of a
 * kernel file (a MediaTek KERNEL header in front is skipped), on stdout. */
int cmd_bootimg_config(int argc, char **argv)
{
	static const char cu[] =
	    "usage: bootimg config IMAGE|KERNEL\n"
	    "  the kernel's embedded .config (CONFIG_IKCONFIG) on stdout; exit 1\n"
	    "  when it has none\n";
	uint8_t *cfg = NULL, head[MTK_HDR_SIZE];
	size_t cl = 0;
	struct kernel_info ki;
	struct image im;
	struct diag d;
	uint64_t size, off = 0;
	int fd;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return fputs(cu, stdout), 0;
	if (argc != 2)
		die(EXIT_USAGE, "%s", cu);
	if (file_open_ro(argv[1], &fd, &size, &d))
		die_diag(argv[1], &d);
	if (size >= 8 && pread(fd, head, sizeof(head), 0) >= 8 && !memcmp(head, BOOT_MAGIC, 8)) {
		close(fd);
		image_load_flags_or_die(&im, argv[1], IMAGE_KERNEL);
		if (im.kconfig)
			fwrite(im.kconfig, 1, im.kconfig_len, stdout);
		else
			fprintf(stderr,
				"%s: %s: its kernel has no embedded config (CONFIG_IKCONFIG)\n",
				cli_prog(), argv[1]);
		int rc = im.kconfig ? 0 : EXIT_BAD;
		image_free(&im);
		return rc;
	}
	if (size >= MTK_HDR_SIZE && pread(fd, head, sizeof(head), 0) == MTK_HDR_SIZE &&
	    mtk_hdr_present(head, MTK_HDR_SIZE))
		off = MTK_HDR_SIZE;
	if (kernel_inspect(fd, off, size - off, &ki, &cfg, &cl, NULL, NULL, &d))
		die_diag(argv[1], &d);
	close(fd);
	if (!cfg) {
		fprintf(stderr, "%s: %s: no embedded config (CONFIG_IKCONFIG) found\n", cli_prog(),
			argv[1]);
		return EXIT_BAD;
	}
	fwrite(cfg, 1, cl, stdout);
	free(cfg);
	return 0;
}

/* ---- dispatch --------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
	    {"info", cmd_bootimg_info},	    {"unpack", cmd_bootimg_unpack},
	    {"repack", cmd_bootimg_repack}, {"verify", cmd_bootimg_verify},
	    {"check", cmd_bootimg_check},   {"carve", cmd_bootimg_carve},
	    {"diff", cmd_bootimg_diff},	    {"version", cmd_bootimg_version},
	    {"config", cmd_bootimg_config},
	};

	cli_init(argv[0]);
	if (argc < 2)
		die(EXIT_USAGE, "missing COMMAND (see --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		cli_version("bootimg");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	die(EXIT_USAGE, "unknown command \"%s\" (see --help)", argv[1]);
}
