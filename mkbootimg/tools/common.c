#include "mkbootimg/tools/common.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/image.h"
#include "mkbootimg/scatter.h"

int inputs_open(struct inputs *in, const char *path, uint64_t *size)
{
	struct diag d;
	int fd;

	if (in->n >= INPUTS_MAX)
		die(EXIT_USAGE, "too many input files");
	if (file_open_ro(path, &fd, size, &d))
		die_diag(path, &d);
	in->fd[in->n++] = fd;
	return fd;
}

int inputs_open_at(struct inputs *in, int dirfd, const char *dir, const char *name, uint64_t *size)
{
	struct diag d;
	int fd;

	if (in->n >= INPUTS_MAX)
		die(EXIT_USAGE, "too many input files");
	if (file_open_ro_at(dirfd, name, &fd, size, &d))
		die(EXIT_BAD, "%s/%s: %s", dir, name, d.msg);
	in->fd[in->n++] = fd;
	return fd;
}

uint64_t inputs_add_file(struct inputs *in, struct section_src *s, const char *path)
{
	struct diag d;
	uint64_t size;
	int fd = inputs_open(in, path, &size);

	if (section_add(s, (struct piece){.fd = fd, .len = size}, &d))
		die_diag(path, &d);
	return size;
}

void inputs_close(struct inputs *in)
{
	for (unsigned i = 0; i < in->n; i++)
		close(in->fd[i]);
	in->n = 0;
}

void write_image_file(struct image_plan *plan, const char *path, const struct inputs *in)
{
	struct outfile o;
	struct diag d;

	if (outfile_open(&o, path, in->fd, in->n, &d))
		die_diag(path, &d);
	if (image_write(plan, o.fd, &d)) {
		outfile_abort(&o);
		die_diag(path, &d);
	}
	if (outfile_commit(&o, &d))
		die_diag(path, &d);
}

void image_load_or_die(struct image *im, const char *path)
{
	image_load_flags_or_die(im, path, 0);
}

void image_load_flags_or_die(struct image *im, const char *path, unsigned flags)
{
	struct diag d;

	if (image_try_load_flags(im, path, flags, &d))
		die_diag(path, &d);
}

/* ---- sets of outputs -------------------------------------------------------------- */

static void outset_abort(void *ctx)
{
	struct outset *s = ctx;

	while (s->n)
		outfile_abort(&s->o[--s->n]);
}

void outset_begin(struct outset *s, const char *dir, const int *in_fds, unsigned nin)
{
	struct diag d;

	memset(s, 0, sizeof(*s));
	s->dir = dir;
	s->in_fds = in_fds;
	s->nin = nin;
	if (mkdir_p(dir, &d))
		die_diag(dir, &d);
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die(EXIT_BAD, "%s: %s", dir, strerror(errno));
	cli_on_die(outset_abort, s);
}

int outset_add(struct outset *s, const char *name)
{
	struct diag d;
	char shown[PATH_MAX];

	strfmt_show(shown, sizeof(shown), "%s/%s", s->dir, name); /* for messages */
	if (s->n == OUTSET_MAX)
		die(EXIT_BAD, "%s: more than %d outputs", s->dir, OUTSET_MAX);
	if (outfile_openat(&s->o[s->n], s->dirfd, name, shown, s->in_fds, s->nin, &d))
		die_diag(shown, &d);
	return s->o[s->n++].fd;
}

void outset_range(struct outset *s, const char *name, int in_fd, uint64_t off, uint64_t len)
{
	int fd = outset_add(s, name), r = copy_range(in_fd, off, len, fd);

	if (r)
		die(EXIT_BAD, "%s/%s: writing: %s", s->dir, name, strerror(-r));
}

void outset_mem(struct outset *s, const char *name, const void *buf, size_t n)
{
	int fd = outset_add(s, name), r = write_all(fd, buf, n);

	if (r)
		die(EXIT_BAD, "%s/%s: writing: %s", s->dir, name, strerror(-r));
}

void outset_commit(struct outset *s, bool keep_dir)
{
	struct diag d;
	unsigned n = s->n;

	s->n = 0; /* commit_all frees them, whatever happens */
	cli_on_die(NULL, NULL);
	if (outfile_commit_all(s->o, n, &d))
		die_diag(s->dir, &d);
	if (!keep_dir) {
		close(s->dirfd);
		s->dirfd = -1;
	}
}

/* ---- the layout check ------------------------------------------------------------- */

unsigned layout_models(const char *loader, const char *profile, struct loader_model *m)
{
	char spec[LOADER_SPEC_MAX], path[PATH_MAX];
	struct diag d;
	unsigned n;

	if (!loader && !profile)
		loader = "header";
	if (profile) {
		bool named = !strchr(profile, '/') && !strstr(profile, ".conf");
		if (named && strfmt(path, sizeof(path), "profiles/%s.conf", profile) < 0)
			die(EXIT_USAGE, "--profile %s: name too long", profile);
		if (loader_from_profile(named ? path : profile, spec, sizeof(spec), &d))
			die(EXIT_USAGE, "--profile %s: %s", profile, d.msg);
		loader = spec;
	}
	if (loader_parse(loader, m, LOADER_MODELS_MAX, &n, &d))
		die(EXIT_USAGE, "%s%s: %s", profile ? "--profile " : "--loader",
		    profile ? profile : "", d.msg);
	return n;
}

void layout_summary(const struct loader_model *m, const struct kernel_foot *kf,
		    const struct layout_result *r, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = 0;
	if (r->kload.present)
		strfmt_show_add(out, cap, &o, "kernel 0x%08" PRIx64 "-0x%08" PRIx64, r->kload.start,
				r->kload.end);
	if (r->krun.present)
		strfmt_show_add(out, cap, &o, ", runs in 0x%08" PRIx64 "-0x%08" PRIx64,
				r->krun.start, r->krun.end);
	else if (r->kload.present)
		strfmt_show_add(out, cap, &o, ", spread not known");
	if (r->ramdisk.present)
		strfmt_show_add(out, cap, &o, "; ramdisk 0x%08" PRIx64 "-0x%08" PRIx64,
				r->ramdisk.start, r->ramdisk.end);
	if (r->second.present)
		strfmt_show_add(out, cap, &o, "; second 0x%08" PRIx64 "-0x%08" PRIx64,
				r->second.start, r->second.end);
	if (r->dtb.present)
		strfmt_show_add(out, cap, &o, "; dtb 0x%08" PRIx64 "-0x%08" PRIx64, r->dtb.start,
				r->dtb.end);
	if (r->tags.present)
		strfmt_show_add(out, cap, &o, "; tags 0x%08" PRIx64, r->tags.start);
	if (r->has_mem)
		strfmt_show_add(out, cap, &o, "; memory 0x%08" PRIx64 "-0x%08" PRIx64 "%s",
				r->mem.start, r->mem.start + r->mem.size,
				kf->shim_len && r->mem.start != m->mem.start ? " (after the shim)"
									     : "");
}

unsigned layout_report(FILE *f, const char *lead, const struct loader_model *m,
		       const struct kernel_foot *kf, const struct layout_result *r, unsigned flags)
{
	bool quiet = flags & LAYOUT_QUIET_OK, demote = flags & LAYOUT_ERRORS_WARN;
	char sum[SHOW_MAX];

	if (!quiet || r->errors) {
		layout_summary(m, kf, r, sum, sizeof(sum));
		fprintf(f, "%slayout under %s: %s\n", lead, m->name, sum[0] ? sum : "-");
	}
	for (unsigned i = 0; i < r->n; i++) {
		enum layout_sev sev = r->f[i].sev;
		if (quiet && sev == LAYOUT_NOTE)
			continue;
		fprintf(f, "%slayout under %s: %s: %s\n", lead, m->name,
			sev == LAYOUT_ERROR && demote ? "warning" : layout_sev_name(sev),
			r->f[i].msg);
	}
	if (r->n < r->errors + r->warnings)
		fprintf(f, "%slayout under %s: %u more findings not shown\n", lead, m->name,
			r->errors + r->warnings - r->n);
	return r->errors;
}

void layout_gate_shim(struct layout_gate *g, const char *path)
{
	struct diag d;
	size_t len;

	g->shim_path = path;
	if (file_read_small(path, SHIM_LEN_MAX + 1, &g->shim, &len, &d))
		die_diag(path, &d);
	if (!shim_detect(g->shim, len, &g->sh) || g->sh.len != len)
		die(EXIT_BAD,
		    "%s: not bootkit's entry shim (" SHIM_MAGIC " header, %u bytes at most)", path,
		    SHIM_LEN_MAX);
}

static bool gate_check(struct layout_gate *g, const struct layout_image *li)
{
	bool need = false;

	for (unsigned i = 0; i < g->n; i++) {
		layout_check(&g->m[i], li, &g->r[i]);
		need |= g->r[i].shim_needed;
	}
	return need;
}

bool layout_gate_run(struct layout_gate *g, struct kernel_foot *kf, const struct layout_image *li,
		     const char *out)
{
	unsigned refused = 0;
	bool shim = false;
	char lead[64];

	strfmt_show(lead, sizeof(lead), "%s: ", cli_prog());

	if (gate_check(g, li) && g->shim) {
		kf->shim_len = g->sh.len, kf->shim_align = g->sh.align;
		kf->len += g->sh.len;
		shim = true;
		gate_check(g, li);
	}
	for (unsigned i = 0; i < g->n; i++) {
		const struct layout_result *r = &g->r[i];
		bool stop = r->errors && g->refuse && !g->allow && !g->src_failed[i];

		if (!r->errors && !r->warnings)
			continue;
		layout_report(stderr, lead, &g->m[i], kf, r,
			      LAYOUT_QUIET_OK | (stop ? 0 : LAYOUT_ERRORS_WARN));
		if (r->errors && g->src_failed[i] && g->refuse && !g->allow)
			fprintf(stderr,
				"%slayout under %s: the source image fails it already (its "
				"addresses are kept as they were)\n",
				lead, g->m[i].name);
		refused += stop;
	}
	if (shim)
		fprintf(stderr,
			"%s: kernel: bootkit's shim (%s, %" PRIu32
			" bytes) put in front: the loader's memory start is rounded up to "
			"0x%" PRIx32 "\n",
			cli_prog(), g->shim_path, g->sh.len, g->sh.align);
	if (refused)
		die(EXIT_BAD,
		    "refused: %s not written (the layout check above; --allow-overlap writes it "
		    "anyway)",
		    out);
	return shim;
}

void layout_gate_free(struct layout_gate *g)
{
	free(g->shim);
}

/* ---- partition limit ---------------------------------------------------------- */

static void limit_from_scatter(struct limit *l, const char *file, const char *name)
{
	struct scatter *sc = malloc(sizeof(*sc));
	const struct scatter_part *p;
	struct diag d;
	uint8_t *text;
	size_t len;

	if (!sc)
		die(EXIT_BAD, "out of memory");
	if (file_read_small(file, 4u << 20, &text, &len, &d) ||
	    scatter_parse((const char *)text, len, sc, &d))
		die_diag(file, &d);
	free(text);
	p = scatter_find(sc, name);
	if (!p)
		die(EXIT_BAD, "%s: no partition named %s", file, name);
	if (!p->size_known || !p->size)
		die(EXIT_BAD, "%s: partition %s (line %u) has no size", file, name, p->line);
	l->max = p->size;
	strfmt_show(l->what, sizeof(l->what), "%s partition (%s)", p->name, file);
	free(sc);
}

void limit_resolve(struct limit *l, const char *size, const char *scatter, const char *partition,
		   const char *default_partition)
{
	memset(l, 0, sizeof(*l));
	if (size && scatter)
		die(EXIT_USAGE, "give --partition-size or --scatter, not both");
	if (partition && !scatter)
		die(EXIT_USAGE, "--partition needs --scatter");
	if (size) {
		if (parse_size(size, &l->max) || !l->max)
			die(EXIT_USAGE, "--partition-size: \"%s\" is not a size", size);
		strfmt_show(l->what, sizeof(l->what), "partition (--partition-size %s)", size);
	} else if (scatter) {
		limit_from_scatter(l, scatter, partition ? partition : default_partition);
	}
}

void limit_check(const struct limit *l, uint64_t size, const char *output)
{
	if (!l->max || size <= l->max)
		return;
	die(EXIT_BAD,
	    "%s: the image would be %" PRIu64 " bytes, %" PRIu64 " more than the %" PRIu64
	    "-byte %s; nothing written",
	    output, size, size - l->max, l->max, l->what);
}
