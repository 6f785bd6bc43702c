/* ramdisk_build.c - the verbs that write an archive: pack (a folder, spec
 * files, modules and their rules, input files) and edit (a ramdisk changed
 * by edit lines); what they share of the kernel modules and the rules. */
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

/* --spec files one pack reads */
#define RAMDISK_SPECS_MAX 64

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

struct pack_args {
	const char *dir, *out, *specs[RAMDISK_SPECS_MAX];
	unsigned nspec, top;
	enum comp c;
	int level;
	bool comp_given;
	struct modopts mo;
};

static void pack_args(int argc, char **argv, struct pack_args *a)
{
	static const struct opt o[] = {{"output", 'o', true, RO_OUT},
				       {"compress", 'c', true, RO_COMP},
				       {"spec", 0, true, RO_SPEC},
				       {"summary", 0, true, RO_SUMMARY},
				       {"help", 'h', false, RO_HELP},
				       MODOPTS,
				       {0}};
	struct opt_state s;
	int id;

	*a = (struct pack_args){.top = 5, .c = COMP_LZ4_LEGACY, .level = 12};
	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (a->dir)
				die(EXIT_USAGE, "pack: one folder only (%s and %s)", a->dir, s.arg);
			a->dir = s.arg;
			break;
		case RO_OUT: a->out = s.arg; break;
		case RO_COMP:
			parse_comp(s.arg, &a->c, &a->level);
			a->comp_given = true;
			break;
		case RO_SPEC:
			if (a->nspec == RAMDISK_SPECS_MAX)
				die(EXIT_USAGE, "pack: at most %d --spec files", RAMDISK_SPECS_MAX);
			a->specs[a->nspec++] = s.arg;
			break;
		case RO_SUMMARY: a->top = (unsigned)opt_u64("--summary", s.arg, 1000); break;
		case RO_HELP: ramdisk_help("pack"); exit(0);
		default: modopt(&a->mo, id, s.arg); break;
		}
	}
	if (!a->out || (!a->dir && !a->nspec && !a->mo.kdir))
		die(EXIT_USAGE, "usage: ramdisk pack [DIR] [--spec FILE]... -o OUT [-c COMP]");
}

int cmd_ramdisk_pack(int argc, char **argv)
{
	struct pack_args a;
	struct ramdisk rd;
	struct diag d = {{0}};
	struct written w;

	pack_args(argc, argv, &a);
	rd_init(&rd, cli_source_date_epoch());
	if (a.dir && rd_add_tree(&rd, a.dir, &d) < 0)
		die_diag(a.dir, &d);
	for (unsigned i = 0; i < a.nspec; i++)
		apply_file(&rd, a.specs[i], false);
	if (rd.exact && a.mo.kdir)
		die(EXIT_USAGE, "pack: an exact spec is packed as it is, without --modules "
				"(ramdisk edit adds modules to a ramdisk)");
	add_modules(&rd, &a.mo);
	if (!rd.exact && rd_sort(&rd) < 0)
		die(EXIT_BAD, "%s: out of memory", a.out);
	if (!a.comp_given && *rd.comp)
		parse_comp(rd.comp, &a.c, &a.level);
	w = write_out(&rd, a.out, a.c, a.level, NULL, 0, NULL);
	summary(&rd, a.out, a.c, w.raw, w.packed, a.top);
	rd_free(&rd);
	return 0;
}

static void print_note(void *ctx, const char *msg)
{
	fprintf(stderr, "%s: %s: %s\n", cli_prog(), (const char *)ctx, msg);
}

#define EDIT_OPS_MAX 256

struct edit_args {
	const char *in, *out, *comp;
	struct {
		bool file; /* --script FILE, else -e LINE */
		const char *s;
	} ops[EDIT_OPS_MAX];
	unsigned nops;
	uint64_t cap;
	struct modopts mo;
};

static void edit_args(int argc, char **argv, struct edit_args *a)
{
	static const struct opt o[] = {{"output", 'o', true, RO_OUT},
				       {"compress", 'c', true, RO_COMP},
				       {"expr", 'e', true, RO_EXPR},
				       {"script", 0, true, RO_SCRIPT},
				       {"max_size", 0, true, RO_MAX_SIZE},
				       {"help", 'h', false, RO_HELP},
				       MODOPTS,
				       {0}};
	struct opt_state s;
	int id;

	memset(a, 0, sizeof(*a));
	a->cap = COMP_DEFAULT_CAP;
	opt_begin(&s, argc, argv, o);
	while ((id = opt_next(&s)) >= 0) {
		switch ((enum rd_opt)id) {
		case RO_ARG:
			if (a->in)
				die(EXIT_USAGE, "edit: one input only");
			a->in = s.arg;
			break;
		case RO_OUT: a->out = s.arg; break;
		case RO_COMP: a->comp = s.arg; break;
		case RO_EXPR:
		case RO_SCRIPT:
			if (a->nops == EDIT_OPS_MAX)
				die(EXIT_USAGE, "edit: at most %d -e/--script", EDIT_OPS_MAX);
			a->ops[a->nops].file = id == RO_SCRIPT;
			a->ops[a->nops++].s = s.arg;
			break;
		case RO_MAX_SIZE: a->cap = parse_max_size(s.arg); break;
		case RO_HELP: ramdisk_help("edit"); exit(0);
		default: modopt(&a->mo, id, s.arg); break;
		}
	}
	if (!a->in || !a->out)
		die(EXIT_USAGE,
		    "usage: ramdisk edit RAMDISK -o OUT [-e LINE]... [--script FILE]...");
}

/* The -e lines and --script files, in the order given. */
static void edit_apply(struct loaded *l, const struct edit_args *a)
{
	struct diag d = {{0}};

	for (unsigned i = 0, ne = 0; i < a->nops; i++) {
		char label[32] = "-e";
		if (a->ops[i].file) {
			apply_file(&l->rd, a->ops[i].s, true);
			continue;
		}
		/* "-e" alone, "-e#2" for the second -e of several */
		if (++ne > 1 || (i + 1 < a->nops && !a->ops[i + 1].file))
			strfmt_show(label, sizeof(label), "-e#%u", ne);
		if (rd_apply_spec(&l->rd, a->ops[i].s, strlen(a->ops[i].s), label, ".", true, &d) <
		    0)
			die(EXIT_BAD, "%s: %s", a->in, d.msg);
	}
}

/* The output's compression: the input's (lz4 frame written as lz4 legacy,
 * what kernels read), unless -c says. */
static void edit_comp(const struct loaded *l, const struct edit_args *a, enum comp *c, int *level)
{
	*c = l->comp;
	*level = comp_default_level(*c);
	if (l->streams.mixed && !a->comp)
		warnmsg("%s: streams in several formats: all written as one %s stream", a->in,
			comp_name(*c == COMP_LZ4_FRAME ? COMP_LZ4_LEGACY : *c));
	if (*c == COMP_LZ4_FRAME) {
		warnmsg("%s: lz4 frame input is written as lz4 legacy (what kernels read)", a->in);
		*c = COMP_LZ4_LEGACY;
		*level = comp_default_level(*c);
	}
	if (a->comp)
		parse_comp(a->comp, c, level);
}

int cmd_ramdisk_edit(int argc, char **argv)
{
	struct edit_args *a = malloc(sizeof(*a));
	struct loaded l;
	struct written w;
	enum comp c;
	int level;

	if (!a)
		die(EXIT_BAD, "out of memory");
	edit_args(argc, argv, a);
	load(&l, a->in, a->cap);
	l.rd.note = print_note;
	l.rd.note_ctx = (void *)(uintptr_t)a->in;
	edit_apply(&l, a);
	add_modules(&l.rd, &a->mo);
	edit_comp(&l, a, &c, &level);
	if (l.mtk)
		warnmsg("%s: written behind its MediaTek header, dsize updated", a->out);
	w = write_out(&l.rd, a->out, c, level, &l.fd, 1, l.mtk ? l.mtk_raw : NULL);
	summary(&l.rd, a->out, c, w.raw, w.packed, 0);
	loaded_free(&l);
	free(a);
	return 0;
}
