/* bootimg repack: the command over the repack library (mkbootimg/repack.h):
 * its options, the layout check before a changed image is written (the
 * source's own failures are not the repack's), the partition limit, and
 * what the library noted, printed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/repack.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/verbs.h"

static const char repack_usage[] =
    "usage: bootimg repack SOURCE -o|--output OUT [options]\n"
    "SOURCE is a folder made by 'bootimg unpack' or a boot/vendor_boot image.\n"
    "With nothing changed, OUT is SOURCE's image byte for byte.\n"
    "  --kernel F --ramdisk F --second F --dtb F --recovery_dtbo F\n"
    "  --vendor_ramdisk F --bootconfig F   replace a section (MTK header kept)\n"
    "  --cmdline S --name S (or --board S)\n"
    "  --os_version A.B.C --os_patch_level YYYY-MM   header fields\n"
    "  --cmdline-set KEY=VALUE|KEY --cmdline-remove KEY   one key of the command line\n"
    "                          (a vendor_boot's: the vendor command line); repeatable;\n"
    "                          refused: what the kernel would split or read otherwise\n"
    "                          (control bytes such as \\v, a lone or opening quote)\n"
    "  --bootconfig-set KEY=VALUE --bootconfig-remove KEY   one line of a vendor_boot\n"
    "                          v4's bootconfig; repeatable; already so: no change;\n"
    "                          refused: a newline or control byte, a bad quote\n"
    "  --no-mtk                drop the MediaTek headers\n"
    "  --avb-key KEY.pem [--avb-algorithm SHA256_RSA4096]   sign the AVB vbmeta again\n"
    "  --partition-size N | --scatter F [--partition NAME]   refuse if too big\n"
    "  --loader SPEC | --profile P   where the bootloader puts the parts (default:\n"
    "                          header): a changed image whose parts overlap there is\n"
    "                          refused (man bootimg, \"LOADER MODELS\")\n"
    "  --allow-overlap         write it anyway\n"
    "  --lk-shim FILE          bootkit's entry shim in front of a zImage where the\n"
    "                          loader's memory start is one it cannot use\n";

enum repack_opt {
	R_SOURCE,
	R_OUT,
	R_CMDLINE,
	R_NAME,
	R_OSV,
	R_OSP,
	R_NOMTK,
	R_PSIZE,
	R_SCAT,
	R_PART,
	R_HELP,
	R_AVB_KEY,
	R_AVB_ALG,
	R_LOADER,
	R_PROFILE,
	R_ALLOW_OVERLAP,
	R_LK_SHIM,
	R_EDIT = 50,  /* + enum repack_edit_kind */
	R_FILE = 100, /* + enum bootimg_part */
};

static const struct opt repack_opts[] = {
    {"output", 'o', true, R_OUT},
    {"cmdline", 0, true, R_CMDLINE},
    {"name", 0, true, R_NAME},
    {"board", 0, true, R_NAME},
    {"os_version", 0, true, R_OSV},
    {"os_patch_level", 0, true, R_OSP},
    {"no_mtk", 0, false, R_NOMTK},
    {"partition_size", 0, true, R_PSIZE},
    {"scatter", 0, true, R_SCAT},
    {"partition", 0, true, R_PART},
    {"help", 'h', false, R_HELP},
    {"avb_key", 0, true, R_AVB_KEY},
    {"avb_algorithm", 0, true, R_AVB_ALG},
    {"loader", 0, true, R_LOADER},
    {"profile", 0, true, R_PROFILE},
    {"allow_overlap", 0, false, R_ALLOW_OVERLAP},
    {"lk_shim", 0, true, R_LK_SHIM},
    {"cmdline_set", 0, true, R_EDIT + REPACK_CMDLINE_SET},
    {"cmdline_remove", 0, true, R_EDIT + REPACK_CMDLINE_REMOVE},
    {"bootconfig_set", 0, true, R_EDIT + REPACK_BOOTCONFIG_SET},
    {"bootconfig_remove", 0, true, R_EDIT + REPACK_BOOTCONFIG_REMOVE},
    {"kernel", 0, true, R_FILE + BP_KERNEL},
    {"ramdisk", 0, true, R_FILE + BP_RAMDISK},
    {"second", 0, true, R_FILE + BP_SECOND},
    {"dtb", 0, true, R_FILE + BP_DTB},
    {"recovery_dtbo", 0, true, R_FILE + BP_RECOVERY_DTBO},
    {"vendor_ramdisk", 0, true, R_FILE + BP_VENDOR_RAMDISK},
    {"bootconfig", 0, true, R_FILE + BP_BOOTCONFIG},
    {0},
};

/* The command's options besides the changes. */
struct repack_args {
	const char *src, *out;
	const char *part_size, *scatter, *partition;
	const char *loader, *profile, *lk_shim;
	bool allow_overlap;
};

static void repack_opt(struct repack_args *a, struct repack_changes *c, int id, const char *arg)
{
	switch ((enum repack_opt)(id >= R_FILE ? R_FILE : id >= R_EDIT ? R_EDIT : id)) {
	case R_SOURCE:
		if (a->src)
			die(EXIT_USAGE, "repack: one SOURCE only");
		a->src = arg;
		break;
	case R_OUT: a->out = arg; break;
	case R_CMDLINE: c->cmdline = arg; break;
	case R_NAME: c->name = arg; break;
	case R_OSV: c->os_version = arg; break;
	case R_OSP: c->os_patch = arg; break;
	case R_NOMTK: c->no_mtk = true; break;
	case R_PSIZE: a->part_size = arg; break;
	case R_SCAT: a->scatter = arg; break;
	case R_PART: a->partition = arg; break;
	case R_HELP: fputs(repack_usage, stdout); exit(0);
	case R_AVB_KEY: c->avb_key = arg; break;
	case R_AVB_ALG: c->avb_alg = arg; break;
	case R_LOADER: a->loader = arg; break;
	case R_PROFILE: a->profile = arg; break;
	case R_ALLOW_OVERLAP: a->allow_overlap = true; break;
	case R_LK_SHIM: a->lk_shim = arg; break;
	case R_FILE: c->file[id - R_FILE] = arg; break;
	case R_EDIT:
		if (c->nedit == REPACK_MAX_EDITS)
			die(EXIT_USAGE, "at most %d --cmdline-*/--bootconfig-* edits",
			    REPACK_MAX_EDITS);
		c->edit[c->nedit++] =
		    (struct repack_edit){(enum repack_edit_kind)(id - R_EDIT), arg};
		break;
	}
}

static void parse_repack_opts(int argc, char **argv, struct repack_args *a,
			      struct repack_changes *c)
{
	struct opt_state s;
	int id;

	opt_begin(&s, argc, argv, repack_opts);
	while ((id = opt_next(&s)) >= 0)
		repack_opt(a, c, id, s.arg);
	if (!a->src || !a->out)
		die(EXIT_USAGE, "%s", repack_usage);
	if (c->avb_alg && !c->avb_key)
		die(EXIT_USAGE, "--avb-algorithm needs --avb-key");
	if (c->avb_alg && !avb_alg_by_name(c->avb_alg))
		die(EXIT_USAGE,
		    "--avb-algorithm: unknown \"%s\" (SHA256_RSA2048, SHA256_RSA4096, "
		    "SHA256_RSA8192, SHA512_RSA2048...)",
		    c->avb_alg);
}

/* What the library noted since the last call: facts on stdout, warnings on
 * stderr; before an error too, as they came before it. */
static void print_notes(const struct repack *rp, unsigned *shown)
{
	for (; *shown < rp->nnote; (*shown)++) {
		if (rp->note[*shown].info)
			printf("%s\n", rp->note[*shown].msg);
		else
			warnmsg("%s", rp->note[*shown].msg);
	}
	if (rp->nlost && *shown == REPACK_NOTES_MAX) {
		warnmsg("more notes left out (%u so far)", rp->nlost);
		(*shown)++;
	}
}

/* The notes so far, then the error. */
static noreturn void die_noted(const struct repack *rp, unsigned *shown, int code,
			       const struct diag *d)
{
	print_notes(rp, shown);
	die(code, "%s", d->msg);
}

/* Before anything changes: under which models does the source fail already?
 * Its failures there are not the repack's (a stock image's header addresses
 * that its loader never reads). */
static void layout_source(const struct repack *rp, struct layout_gate *g)
{
	struct kernel_foot kf;
	struct layout_image li;
	struct layout_result r;
	struct diag d;
	int k = repack_layout_image(rp, &kf, &li, &d);

	if (k < 0)
		die(EXIT_BAD, "%s", d.msg);
	for (unsigned i = 0; i < g->n && !k; i++) {
		layout_check(&g->m[i], &li, &r);
		g->src_failed[i] = r.errors > 0;
	}
}

/* The new image's layout: refused (nothing written) on an error the source
 * did not have, unless --allow-overlap; the shim put in front of the kernel
 * where a model needs it. */
static void layout_new(struct repack *rp, struct layout_gate *g, const char *out)
{
	struct kernel_foot kf;
	struct layout_image li;
	struct diag d;
	int k = repack_layout_image(rp, &kf, &li, &d);

	if (k < 0)
		die(EXIT_BAD, "%s", d.msg);
	if (k > 0 && rp->img.kind == BOOTIMG_BOOT)
		warnmsg("kernel: held in memory, its layout not checked");
	if (!k && layout_gate_run(g, &kf, &li, out) && g->shim)
		repack_set_shim(rp, g->shim, g->sh.len);
}

static void write_exact(struct repack *rp, const struct repack_args *a)
{
	struct limit lim;
	struct diag d;

	limit_resolve(&lim, a->part_size, a->scatter, a->partition, "BOOTIMG");
	limit_check(&lim, rp->orig_size, a->out);
	if (repack_write_exact(rp, a->out, &d) < 0)
		die(EXIT_BAD, "%s", d.msg);
	printf("%s: %" PRIu64 " bytes, header v%" PRIu32 ", nothing changed: the input's bytes%s\n",
	       a->out, rp->orig_size, rp->img.version,
	       rp->damaged ? " (damage kept as it was)" : "");
}

static void write_rebuilt(struct repack *rp, const struct repack_args *a,
			  const struct repack_changes *c, struct layout_gate *g, unsigned *shown)
{
	static struct image_plan plan; /* static: an error exit holds no heap memory */
	struct image_plan *pl = &plan;
	struct limit lim;
	struct diag d;
	uint64_t size;

	if (*rp->avb.broken) /* before the layout check: nothing can be written */
		die(EXIT_BAD,
		    "%s; nothing written (the AVB data cannot be redone for a changed image)",
		    rp->avb.broken);
	layout_new(rp, g, a->out);
	if (repack_plan(rp, c, pl, &d) < 0)
		die_noted(rp, shown, EXIT_BAD, &d);
	print_notes(rp, shown);
	size = repack_plan_size(rp, pl);
	limit_resolve(&lim, a->part_size, a->scatter, a->partition, "BOOTIMG");
	limit_check(&lim, size, a->out);
	if (repack_write_plan(rp, c, pl, a->out, &d) < 0)
		die_noted(rp, shown, EXIT_BAD, &d);
	print_notes(rp, shown);
	printf("%s: %" PRIu64 " bytes, header v%" PRIu32 "%s%s%s\n", a->out, size, pl->img.version,
	       repack_sections_changed(rp) ? ", sections replaced"
	       : rp->damaged		   ? ", damaged sections rewritten as they are"
					   : ", sections unchanged",
	       pl->id_mode == ID_KEEP ? "" : ", id computed",
	       !rp->avb.present ? ""
	       : c->avb_key	? ", AVB signed"
				: ", AVB signature stale");
}

/* Files the command reads itself, kept open by the library: no output lands
 * on them. */
static void keep_inputs(struct repack *rp, const struct repack_args *a)
{
	const char *path[] = {a->lk_shim, a->scatter};
	struct diag d;

	for (unsigned i = 0; i < 2; i++)
		if (path[i] && repack_keep_input(rp, path[i], &d) < 0)
			die(EXIT_BAD, "%s", d.msg);
}

int cmd_bootimg_repack(int argc, char **argv)
{
	/* static: an error exit holds no heap memory (the leak check) */
	static struct repack repack;
	static struct layout_gate gate;
	struct repack_args a = {0};
	struct repack_changes c = {0};
	struct repack *rp = &repack;
	struct layout_gate *g = &gate;
	unsigned shown = 0;
	struct diag d;

	parse_repack_opts(argc, argv, &a, &c);
	g->n = layout_models(a.loader, a.profile, g->m);
	g->refuse = true;
	g->allow = a.allow_overlap;
	if (a.lk_shim)
		layout_gate_shim(g, a.lk_shim);
	if (repack_open(rp, a.src, c.file[BP_RAMDISK] != NULL, cli_source_date_epoch(), &d) < 0)
		die_noted(rp, &shown, EXIT_BAD, &d);
	print_notes(rp, &shown);
	keep_inputs(rp, &a);
	layout_source(rp, g);
	if (repack_apply(rp, &c, &d) < 0)
		die_noted(rp, &shown, rp->usage ? EXIT_USAGE : EXIT_BAD, &d);
	if (repack_unchanged(rp, &c))
		write_exact(rp, &a);
	else
		write_rebuilt(rp, &a, &c, g, &shown);
	repack_free(rp);
	layout_gate_free(g);
	return 0;
}
