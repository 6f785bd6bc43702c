/* mkbootimg - a drop-in for AOSP's mkbootimg, in C.
 *
 * Same flags, same defaults, byte-identical output for boot v0-v4 and
 * vendor_boot v3/v4 (checked against images made by AOSP's mkbootimg.py and
 * against Debian's mkbootimg), AOSP's deprecated GKI 2.0 signing through the
 * avbtool it names. Extensions: MediaTek headers, a partition limit, the
 * SHA-256 id variant, --boot_signature, and the flags unpack_bootimg needs to
 * reproduce any image exactly. Inputs stream from their files; the output is
 * written atomically and never over an input.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/bootimg.h"
#include "mkbootimg/imgwrite.h"
#include "mkbootimg/mtk.h"
#include "mkbootimg/tools/common.h"
#include "mkbootimg/tools/mkbootimg.h"

extern char **environ;

/* ---- building ------------------------------------------------------------------ */

static uint32_t addr32(const char *what, uint64_t base, uint64_t off)
{
	uint64_t v = base + off;

	if (v < base || v > UINT32_MAX)
		die(EXIT_USAGE,
		    "%s: base 0x%" PRIx64 " + offset 0x%" PRIx64 " does not fit 32 bits", what,
		    base, off);
	return (uint32_t)v;
}

static void set_cmdline(struct bootimg *img, const char *s)
{
	struct diag d;

	if (bootimg_set_cmdline(img, s, strlen(s), &d))
		die(EXIT_USAGE, "--cmdline: %s", d.msg);
}

/* Add a payload file to a section, behind a fresh MTK header when asked,
 * and behind bootkit's shim (shim_len bytes) when given. */
static void add_payload(struct inputs *in, struct section_src *s, const char *path,
			const char *mtk_name, uint8_t mtk_hdr[MTK_HDR_SIZE], const uint8_t *shim,
			uint32_t shim_len)
{
	struct diag d;
	uint64_t size;
	int fd;

	if (!mtk_name && !shim) {
		inputs_add_file(in, s, path);
		return;
	}
	fd = inputs_open(in, path, &size);
	if (!mtk_name) {
		if (section_add(s, (struct piece){.mem = shim, .len = shim_len}, &d) ||
		    section_add(s, (struct piece){.fd = fd, .len = size}, &d))
			die_diag(path, &d);
		return;
	}
	uint8_t head[MTK_HDR_SIZE] = {0};
	if (size >= MTK_HDR_SIZE && pread(fd, head, MTK_HDR_SIZE, 0) == MTK_HDR_SIZE &&
	    mtk_hdr_present(head, MTK_HDR_SIZE))
		die(EXIT_BAD, "%s: already starts with a MediaTek header; drop --mtk_header", path);
	if (mtk_hdr_build(mtk_hdr, mtk_name, size + shim_len, &d))
		die_diag(path, &d);
	if (section_add(s, (struct piece){.mem = mtk_hdr, .len = MTK_HDR_SIZE}, &d) ||
	    (shim && section_add(s, (struct piece){.mem = shim, .len = shim_len}, &d)) ||
	    section_add(s, (struct piece){.fd = fd, .len = size}, &d))
		die_diag(path, &d);
}

static const uint8_t gki_placeholder[BOOT_V4_SIGNATURE_SIZE];

struct mtk_bufs {
	uint8_t kernel[MTK_HDR_SIZE], ramdisk[MTK_HDR_SIZE];
};

static void boot_sections(const struct args *a, struct image_plan *p, struct inputs *in,
			  struct mtk_bufs *mb, const struct layout_gate *g)
{
	const char *rd_name = a->mtk && !strcmp(a->mtk, "recovery") ? "RECOVERY" : "ROOTFS";

	if (a->kernel)
		add_payload(in, &p->src[BP_KERNEL], a->kernel, a->mtk ? "KERNEL" : NULL, mb->kernel,
			    g->shim, g->shim ? g->sh.len : 0);
	if (a->ramdisk)
		add_payload(in, &p->src[BP_RAMDISK], a->ramdisk, a->mtk ? rd_name : NULL,
			    mb->ramdisk, NULL, 0);
	if (a->header_version <= 2 && a->second)
		inputs_add_file(in, &p->src[BP_SECOND], a->second);
	if (a->header_version >= 1 && a->header_version <= 2 && a->recovery_dtbo)
		inputs_add_file(in, &p->src[BP_RECOVERY_DTBO], a->recovery_dtbo);
	if (a->header_version == 2)
		inputs_add_file(in, &p->src[BP_DTB], a->dtb);
	if (a->header_version == 4 && a->signature)
		inputs_add_file(in, &p->src[BP_SIGNATURE], a->signature);
	/* a placeholder: the image is laid out (and checked against a partition
	 * limit) with its signature before avbtool makes it */
	if (gki_signing(a))
		section_add(&p->src[BP_SIGNATURE],
			    (struct piece){.mem = gki_placeholder, .len = sizeof(gki_placeholder)},
			    NULL);
}

static const uint32_t boot_header_sizes[] = {
    BOOT_HDR_V0_SIZE, BOOT_HDR_V1_SIZE, BOOT_HDR_V2_SIZE, BOOT_HDR_V3_SIZE, BOOT_HDR_V4_SIZE,
};

static void boot_header(const struct args *a, struct bootimg *img)
{
	img->kind = BOOTIMG_BOOT;
	img->version = img->version_field = a->header_version;
	img->header_size = boot_header_sizes[a->header_version];
	img->page_size = a->header_version >= 3 ? BOOT_V3_PAGE_SIZE : a->page_size;
	img->os_version = a->os_version << 11 | a->os_patch;
	set_cmdline(img, a->cmdline);
	if (a->header_version >= 3)
		return;
	img->kernel_addr = addr32("kernel_addr", a->base, a->kernel_offset);
	img->ramdisk_addr = addr32("ramdisk_addr", a->base, a->ramdisk_offset);
	img->second_addr = addr32("second_addr", a->base, a->second_offset);
	img->tags_addr = addr32("tags_addr", a->base, a->tags_offset);
	img->dtb_addr = a->base + a->dtb_offset;
	memcpy(img->name, a->board, strlen(a->board));
}

/* ---- GKI 2.0 boot signature (AOSP's deprecated --gki_signing_*) -------------------- */

/*
 * AOSP's mkbootimg writes header, kernel and ramdisk, runs
 *   AVBTOOL add_hash_footer --partition_name boot --partition_size 67108864
 *     --image OUTPUT --algorithm ALG --key KEY --do_not_append_vbmeta_image
 *     --output_vbmeta_image TMP/boot_signature --salt d00df00d ARGS...
 * (ARGS: --gki_signing_signature_args split on whitespace) on the partly
 * written output, and appends the vbmeta it made, zero-padded to 4096 bytes.
 * Here the partly written output is our temporary file beside the output;
 * avbtool runs without a shell. The errors are collected in a diag so that
 * every temporary file is removed before the program dies.
 */
#define GKI_PARTITION_SIZE "67108864" /* a dummy: the image is not resized */
#define GKI_SALT	   "d00df00d"

struct gki_run {
	char dir[PATH_MAX]; /* mkdtemp folder for avbtool's output */
	char out[PATH_MAX]; /* dir/boot_signature */
	char *words;	    /* a copy of the signature args, split in place */
	char **argv;
};

static int gki_argv(struct gki_run *g, const struct args *a, const char *image, struct diag *d)
{
	const char *fixed[] = {a->gki_avbtool,
			       "add_hash_footer",
			       "--partition_name",
			       "boot",
			       "--partition_size",
			       GKI_PARTITION_SIZE,
			       "--image",
			       image,
			       "--algorithm",
			       a->gki_alg,
			       "--key",
			       a->gki_key,
			       "--do_not_append_vbmeta_image",
			       "--output_vbmeta_image",
			       g->out,
			       "--salt",
			       GKI_SALT};
	size_t nf = sizeof(fixed) / sizeof(fixed[0]), n = nf,
	       max = nf + strlen(a->gki_args) / 2 + 2;
	char *save = NULL, *w;

	g->words = strdup(a->gki_args);
	g->argv = calloc(max, sizeof(*g->argv));
	if (!g->words || !g->argv)
		return diag_set(d, -ENOMEM, "out of memory");
	memcpy(g->argv, fixed, sizeof(fixed));
	/* Python's str.split(): runs of whitespace, no quoting */
	for (w = strtok_r(g->words, " \t\n\v\f\r", &save); w;
	     w = strtok_r(NULL, " \t\n\v\f\r", &save))
		g->argv[n++] = w;
	g->argv[n] = NULL;
	return 0;
}

static int gki_spawn(struct gki_run *g, struct diag *d)
{
	pid_t pid;
	int st, r;

	fflush(stdout);
	r = posix_spawnp(&pid, g->argv[0], NULL, NULL, g->argv, environ);
	if (r)
		return diag_set(d, -r, "cannot run %s: %s (--gki_signing_avbtool_path names it)",
				g->argv[0], strerror(r));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return diag_set(d, -errno, "waiting for %s: %s", g->argv[0],
					strerror(errno));
	if (WIFSIGNALED(st))
		return diag_set(d, -EIO, "%s add_hash_footer was killed by signal %d", g->argv[0],
				WTERMSIG(st));
	if (WEXITSTATUS(st))
		return diag_set(d, -EIO, "%s add_hash_footer failed (exit status %d)", g->argv[0],
				WEXITSTATUS(st));
	return 0;
}

/* Read avbtool's output into sig[4096], zero-padded; -EFBIG when larger. */
static int gki_read(const struct gki_run *g, uint8_t *sig, struct diag *d)
{
	struct stat st;
	int fd = open(g->out, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 || fstat(fd, &st))
		r = diag_set(d, -errno, "%s wrote no boot signature (%s: %s)", g->argv[0], g->out,
			     strerror(errno));
	else if (st.st_size > BOOT_V4_SIGNATURE_SIZE)
		r = diag_set(d, -EFBIG,
			     "the boot signature avbtool made is %lld bytes, more than %d",
			     (long long)st.st_size, BOOT_V4_SIGNATURE_SIZE);
	else if ((r = read_at(fd, sig, (size_t)st.st_size, 0)))
		diag_set(d, r, "reading %s: %s", g->out, strerror(-r));
	if (fd >= 0)
		close(fd);
	return r;
}

static void gki_cleanup(struct gki_run *g)
{
	if (g->out[0])
		unlink(g->out);
	if (g->dir[0])
		rmdir(g->dir);
	free(g->words);
	free(g->argv);
}

/* The boot signature of the image at path (header, kernel, ramdisk). */
static int gki_signature(const struct args *a, const char *path, uint8_t *sig, struct diag *d)
{
	const char *tmp = getenv("TMPDIR");
	struct gki_run g = {0};
	int r;

	tmp = tmp && *tmp ? tmp : "/tmp";
	if (strfmt(g.dir, sizeof(g.dir), "%s/mkbootimg-gki.XXXXXX", tmp) < 0)
		return diag_set(d, -ENAMETOOLONG, "a temporary folder in %s: path too long", tmp);
	if (!mkdtemp(g.dir)) {
		r = diag_set(d, -errno, "a temporary folder %s: %s", g.dir, strerror(errno));
		g.dir[0] = 0;
		return r;
	}
	if (strfmt(g.out, sizeof(g.out), "%s/boot_signature", g.dir) < 0)
		r = diag_set(d, -ENAMETOOLONG, "%s/boot_signature: path too long", g.dir);
	else
		r = gki_argv(&g, a, path, d);
	if (!r)
		r = gki_spawn(&g, d);
	if (!r)
		r = gki_read(&g, sig, d);
	gki_cleanup(&g);
	return r;
}

/* Write the image with a 4096-byte placeholder for the signature, cut it
 * before the signature, let avbtool sign that, put the signature in. */
static void write_gki(struct image_plan *p, const struct inputs *in, const struct args *a)
{
	static uint8_t sig[BOOT_V4_SIGNATURE_SIZE];
	const struct bootimg_section *s;
	struct outfile o;
	struct diag d;
	int r;

	if (outfile_open(&o, a->output, in->fd, in->n, &d))
		die_diag(a->output, &d);
	r = image_write(p, o.fd, &d);
	s = bootimg_section(&p->img, BP_SIGNATURE);
	if (!r && ftruncate(o.fd, (off_t)s->offset))
		r = diag_set(&d, -errno, "cutting the image: %s", strerror(errno));
	if (!r) {
		/* the temporary file by a path avbtool can open: beside the output */
		const char *slash = strrchr(a->output, '/');
		char path[PATH_MAX];

		if (strfmt(path, sizeof(path), "%.*s%s", slash ? (int)(slash - a->output + 1) : 2,
			   slash ? a->output : "./", o.tmp) < 0)
			r = diag_set(&d, -ENAMETOOLONG, "output path too long");
		else
			r = gki_signature(a, path, sig, &d);
	}
	if (!r && pwrite(o.fd, sig, sizeof(sig), (off_t)s->offset) != (ssize_t)sizeof(sig))
		r = diag_set(&d, -EIO, "writing the boot signature: %s", strerror(errno));
	if (r) {
		outfile_abort(&o);
		if (r == -EFBIG) {
			/* AOSP's last line (a Python ValueError there), typo and all */
			fprintf(stderr, "%s: %s: %s\n", cli_prog(), a->output, d.msg);
			fputs("ValueError: boot sigature size is > 4096\n", stderr);
			exit(EXIT_BAD);
		}
		die_diag(a->output, &d);
	}
	if (outfile_commit(&o, &d))
		die_diag(a->output, &d);
}

static void print_id(const struct image_plan *p)
{
	printf("0x");
	for (unsigned i = 0; i < BOOT_ID_SIZE; i++)
		printf("%02x", p->img.id[i]);
	printf("\n");
}

static void finish(struct image_plan *p, const struct args *a, struct inputs *in, const char *out)
{
	struct limit lim;
	struct diag d;

	if (image_plan_layout(p, &d))
		die_diag(out, &d);
	limit_resolve(&lim, a->part_size, a->scatter, a->partition, "BOOTIMG");
	limit_check(&lim, image_plan_size(p), out);
	p->hdr = calloc(1, p->img.header_len);
	if (!p->hdr)
		die(EXIT_BAD, "out of memory");
	if (p->img.kind == BOOTIMG_BOOT && gki_signing(a))
		write_gki(p, in, a);
	else
		write_image_file(p, out, in);
	free(p->hdr);
}

static uint64_t file_size_or_0(const char *path)
{
	struct stat st;

	return path && !stat(path, &st) ? (uint64_t)st.st_size : 0;
}

/*
 * Where a loader puts the parts and how far the kernel spreads (layout.h),
 * before anything is written: under the header's addresses a finding is a
 * warning (AOSP's mkbootimg writes such images too); under --loader or
 * --profile it refuses, unless --allow-overlap. With --lk-shim, the shim is
 * kept in g when a model needs it (the kernel section then starts with it).
 */
static void layout_gate(const struct args *a, const struct bootimg *img, struct layout_gate *g)
{
	struct kernel_foot kf;
	struct layout_image li = {0};
	struct diag d;
	uint64_t ksize;
	int fd;

	g->n = layout_models(a->loader, a->profile, g->m);
	g->refuse = a->loader || a->profile;
	g->allow = a->allow_overlap;
	if (a->lk_shim)
		layout_gate_shim(g, a->lk_shim);
	if (!a->kernel)
		return;
	if (file_open_ro(a->kernel, &fd, &ksize, &d))
		die_diag(a->kernel, &d);
	if (kernel_footprint(fd, 0, ksize, &kf, &d))
		die_diag(a->kernel, &d);
	close(fd);
	li.kf = &kf;
	li.has_addresses = a->header_version <= 2;
	li.kernel_addr = img->kernel_addr;
	li.ramdisk_addr = img->ramdisk_addr;
	li.second_addr = img->second_addr;
	li.tags_addr = img->tags_addr;
	li.dtb_addr = img->dtb_addr;
	li.ramdisk_len = file_size_or_0(a->ramdisk);
	li.second_len = a->header_version <= 2 ? file_size_or_0(a->second) : 0;
	li.dtb_len = a->header_version == 2 ? file_size_or_0(a->dtb) : 0;
	if (!layout_gate_run(g, &kf, &li, a->output)) {
		free(g->shim); /* not needed */
		g->shim = NULL;
	}
}

/* The plan and the gate live for the whole run, in static storage: an error
 * exit (die) anywhere below leaves nothing the leak check calls lost. */
static struct image_plan plan;
static struct layout_gate gate;

static void write_boot(const struct args *a)
{
	struct image_plan *p = &plan;
	struct layout_gate *g = &gate;
	struct inputs in = {0};
	struct mtk_bufs mb;

	boot_header(a, &p->img);
	layout_gate(a, &p->img, g);
	boot_sections(a, p, &in, &mb, g);
	if (a->header_version <= 2) {
		p->id_mode = a->id_sha256 ? ID_SHA256 : ID_SHA1;
		/* AOSP writes a load address only for a section that is there. */
		if (!section_src_size(&p->src[BP_RAMDISK]) && !a->rd_addr_always)
			p->img.ramdisk_addr = 0;
		if (!section_src_size(&p->src[BP_SECOND]) && !a->sec_addr_always)
			p->img.second_addr = 0;
	}
	finish(p, a, &in, a->output);
	if (a->print_id && a->header_version <= 2)
		print_id(p);
	inputs_close(&in);
	layout_gate_free(g);
}

/* ---- vendor_boot ------------------------------------------------------------------ */

static void vendor_table(const struct args *a, struct image_plan *p, struct inputs *in,
			 uint8_t *table)
{
	struct vendor_ramdisk_entry e[VENDOR_RAMDISK_MAX_ENTRIES + 1];
	unsigned n = 0;
	uint64_t off = 0;

	if (a->vendor_ramdisk) {
		e[n] = (struct vendor_ramdisk_entry){.type = VENDOR_RAMDISK_TYPE_PLATFORM};
		e[n].size =
		    (uint32_t)inputs_add_file(in, &p->src[BP_VENDOR_RAMDISK], a->vendor_ramdisk);
		e[n].offset = 0;
		off += e[n++].size;
	}
	for (unsigned i = 0; i < a->nfrag; i++) {
		uint64_t size = inputs_add_file(in, &p->src[BP_VENDOR_RAMDISK], a->frag[i].path);

		if (size > UINT32_MAX || off > UINT32_MAX)
			die(EXIT_BAD, "%s: vendor ramdisk section exceeds 4 GiB", a->frag[i].path);
		e[n] = a->frag[i].e;
		e[n].size = (uint32_t)size;
		e[n].offset = (uint32_t)off;
		off += size;
		n++;
	}
	if (n > VENDOR_RAMDISK_MAX_ENTRIES)
		die(EXIT_USAGE, "more than %d vendor ramdisks", VENDOR_RAMDISK_MAX_ENTRIES);
	vendor_table_encode(e, n, table);
	p->img.table_entry_num = n;
	p->img.table_entry_size = VENDOR_RAMDISK_ENTRY_SIZE;
	section_add(&p->src[BP_TABLE],
		    (struct piece){.mem = table, .len = (uint64_t)n * VENDOR_RAMDISK_ENTRY_SIZE},
		    NULL);
}

static void write_vendor(const struct args *a)
{
	static uint8_t table[(VENDOR_RAMDISK_MAX_ENTRIES + 1) * VENDOR_RAMDISK_ENTRY_SIZE];
	struct image_plan *p = &plan; /* static, as write_boot's */
	struct bootimg *img;
	struct inputs in = {0};

	img = &p->img;
	img->kind = BOOTIMG_VENDOR;
	img->version = img->version_field = a->header_version;
	img->header_size = a->header_version >= 4 ? VENDOR_HDR_V4_SIZE : VENDOR_HDR_V3_SIZE;
	img->page_size = a->page_size;
	img->kernel_addr = addr32("kernel_addr", a->base, a->kernel_offset);
	img->ramdisk_addr = addr32("ramdisk_addr", a->base, a->ramdisk_offset);
	img->tags_addr = addr32("tags_addr", a->base, a->tags_offset);
	img->dtb_addr = a->base + a->dtb_offset;
	memcpy(img->cmdline, a->vendor_cmdline, strlen(a->vendor_cmdline));
	memcpy(img->name, a->board, strlen(a->board));
	if (a->header_version >= 4) {
		vendor_table(a, p, &in, table);
		if (a->bootconfig)
			inputs_add_file(&in, &p->src[BP_BOOTCONFIG], a->bootconfig);
	} else {
		inputs_add_file(&in, &p->src[BP_VENDOR_RAMDISK], a->vendor_ramdisk);
	}
	if (a->dtb)
		inputs_add_file(&in, &p->src[BP_DTB], a->dtb);
	p->id_mode = ID_KEEP;
	finish(p, a, &in, a->vendor_boot);
	inputs_close(&in);
}

int main(int argc, char **argv)
{
	struct args *a = malloc(sizeof(*a));

	cli_init(argv[0]);
	if (!a)
		die(EXIT_BAD, "out of memory");
	parse_args(a, argc, argv);
	if (a->pending.name[0] || a->pending.type)
		die(EXIT_USAGE, "--ramdisk_type/--ramdisk_name given without a following "
				"--vendor_ramdisk_fragment");
	check_args(a);
	if (a->vendor_boot)
		write_vendor(a);
	if (a->output)
		write_boot(a);
	free(a);
	return 0;
}
