/* unpack_bootimg - a drop-in for AOSP's unpack_bootimg, in C.
 *
 * Same flags, same output file names and the same "info" text. One change,
 * on purpose: "--format mkbootimg" prints arguments that rebuild the image
 * byte for byte with our mkbootimg (the real base address and offsets, and
 * the extension flags an unusual image needs), and says on stderr what no
 * mkbootimg flag can reproduce (a trailer, non-zero padding, a stale id).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/image.h"
#include "mkbootimg/tools/common.h"

static const char usage[] =
    "usage: unpack_bootimg --boot_img IMAGE [--out DIR] [--format info|mkbootimg] [-0]\n"
    "\n"
    "Unpack a boot, recovery or vendor_boot image (header v0-v4) into DIR\n"
    "(default: out): kernel, ramdisk, second, recovery_dtbo, dtb, boot_signature;\n"
    "vendor_boot: vendor_ramdisk (v3) or vendor_ramdisk00.. with\n"
    "vendor-ramdisk-by-name/ramdisk_NAME links (v4), dtb, bootconfig.\n"
    "Sections are written as stored (MediaTek headers included).\n"
    "\n"
    "  --format info       print the header fields (default)\n"
    "  --format mkbootimg  print mkbootimg arguments that rebuild the image\n"
    "                      byte-identically (shell-quoted)\n"
    "  -0, --null          with --format mkbootimg: NUL-terminated arguments\n"
    "  --version           print \"unpack_bootimg VERSION\" and exit\n"
    "\n"
    "Exit status: 0 done, 1 bad image, 2 bad usage.\n";

/* ---- argument list, printed shell-quoted or NUL-separated ------------------------ */

#define ARGL_MAX 256 /* words of the mkbootimg arguments printed */

struct argl {
	char *v[ARGL_MAX];
	unsigned n;
};

static void add(struct argl *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct argl *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0 || a->n >= sizeof(a->v) / sizeof(a->v[0]))
		die(EXIT_BAD, "out of memory");
	va_end(ap);
	a->v[a->n++] = s;
}

/* "--flag=value" as one word: a value from the image (a command line, a
 * name) can never be taken for a flag, however it is split or pasted. */
static void add2(struct argl *a, const char *flag, const char *val)
{
	add(a, "%s=%s", flag, val);
}

/* Python's shlex.quote: safe strings as they are, others in single quotes. */
static void print_quoted(const char *s)
{
	bool safe = *s != 0;

	for (const char *p = s; *p && safe; p++)
		safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9') || strchr("_@%+=:,./-", *p);
	if (safe) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\"'\"'", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

static void argl_print(struct argl *a, bool nul)
{
	for (unsigned i = 0; i < a->n; i++) {
		if (nul) {
			fputs(a->v[i], stdout);
			putchar(0);
		} else {
			if (i)
				putchar(' ');
			print_quoted(a->v[i]);
		}
		free(a->v[i]);
	}
	if (!nul)
		putchar('\n');
}

/* ---- extraction ---------------------------------------------------------------- */

/* Every part goes to a temporary file; all are committed together at the end. */
static void extract(struct outset *o, const struct image *im, uint64_t off, uint64_t len,
		    const char *name)
{
	outset_range(o, name, im->fd, off, len);
}

static void extract_part(struct outset *o, const struct image *im, enum bootimg_part p, bool always)
{
	const struct bootimg_section *s = im->part[p].s;

	/* A section cut short by the end of the file: the bytes there, as AOSP's tool. */
	if (s && s->size)
		extract(o, im, s->offset, im->part[p].avail, bootimg_part_name(p));
	else if (always)
		extract(o, im, 0, 0, bootimg_part_name(p));
}

/* ramdisk_NAME for each table entry, checked before anything is written:
 * a name with '/' (or "..") could point the link anywhere. */
static void check_link_names(const struct image *im, const char *dir)
{
	struct stat st;

	/* the links' folder checked before any part is written: a planted
	 * symlink (or a file) there fails the unpack with nothing committed */
	if (im->img.version >= 4 && fstatat(AT_FDCWD, dir, &st, 0) == 0) {
		char sub[PATH_MAX];

		if (strfmt(sub, sizeof(sub), "%s/vendor-ramdisk-by-name", dir) < 0)
			die(EXIT_BAD, "%s/vendor-ramdisk-by-name: path too long", dir);
		if (fstatat(AT_FDCWD, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
			die(EXIT_BAD, "%s: not a folder (%s); not followed, nothing unpacked", sub,
			    S_ISLNK(st.st_mode) ? "a symlink" : "another kind of file");
		for (unsigned i = 0; i < im->nvrd; i++) { /* a folder where a link goes */
			char link[PATH_MAX];
			if (strfmt(link, sizeof(link), "%s/ramdisk_%.32s", sub,
				   (const char *)im->vrd[i].name) >= 0 &&
			    fstatat(AT_FDCWD, link, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode))
				die(EXIT_BAD, "%s: a folder where the link goes; nothing unpacked",
				    link);
		}
	}
	for (unsigned i = 0; i < im->nvrd; i++) {
		const char *name = (const char *)im->vrd[i].name;
		char link[LABEL_MAX];

		if (strfmt(link, sizeof(link), "ramdisk_%.32s", name) < 0 ||
		    !name_is_component(link))
			die(EXIT_BAD,
			    "%s: vendor ramdisk table entry %u: ramdisk name \"%.32s\" "
			    "is not a plain file name; nothing unpacked",
			    im->path, i, name);
	}
}

/* vendor-ramdisk-by-name/ramdisk_NAME -> ../vendor_ramdiskNN, made inside
 * the output folder without following a link on the way, each link made
 * under a temporary name and renamed over the final one. */
static void vendor_links(const struct image *im, const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), sub;

	if (dfd < 0 || (sub = dir_open_below(dfd, "vendor-ramdisk-by-name", true)) < 0)
		die(EXIT_BAD, "%s/vendor-ramdisk-by-name: %s", dir,
		    errno == ELOOP || errno == ENOTDIR ? "not a folder (a symlink?); not followed"
						       : strerror(errno));
	for (unsigned i = 0; i < im->nvrd; i++) {
		const char *name = (const char *)im->vrd[i].name;
		char link[LABEL_MAX], tmp[LABEL_MAX], target[LABEL_MAX];

		if (strfmt(link, sizeof(link), "ramdisk_%.32s", name) < 0 ||
		    strfmt(tmp, sizeof(tmp), ".%s.%d", link, (int)getpid()) < 0 ||
		    strfmt(target, sizeof(target), "../vendor_ramdisk%02u", i) < 0)
			die(EXIT_BAD, "%s/vendor-ramdisk-by-name: entry %u: name too long", dir, i);
		unlinkat(sub, tmp, 0);
		if (symlinkat(target, sub, tmp) < 0 || renameat(sub, tmp, sub, link) < 0) {
			int e = errno;

			unlinkat(sub, tmp, 0);
			die(EXIT_BAD, "%s/vendor-ramdisk-by-name/%s: %s", dir, link, strerror(e));
		}
	}
	if (fsync(sub) < 0 && errno != EINVAL)
		die(EXIT_BAD, "%s/vendor-ramdisk-by-name: fsync: %s", dir, strerror(errno));
	close(sub);
	close(dfd);
}

static void unpack_all(const struct image *im, const char *dir)
{
	struct outset *o = calloc(1, sizeof(*o));

	if (!o)
		die(EXIT_BAD, "out of memory");
	if (im->img.kind == BOOTIMG_VENDOR)
		check_link_names(im, dir);
	outset_begin(o, dir, &im->fd, 1);
	if (im->img.kind == BOOTIMG_BOOT) {
		extract_part(o, im, BP_KERNEL, true);
		extract_part(o, im, BP_RAMDISK, true);
		extract_part(o, im, BP_SECOND, false);
		extract_part(o, im, BP_RECOVERY_DTBO, false);
		extract_part(o, im, BP_DTB, false);
		extract_part(o, im, BP_SIGNATURE, false);
	} else if (im->img.version >= 4) {
		const struct bootimg_section *vr = im->part[BP_VENDOR_RAMDISK].s;
		uint64_t avail = im->part[BP_VENDOR_RAMDISK].avail;

		for (unsigned i = 0; i < im->nvrd; i++) {
			uint64_t off = im->vrd[i].offset, len = im->vrd[i].size;
			char name[LABEL_MAX];

			if (strfmt(name, sizeof(name), "vendor_ramdisk%02u", i) < 0)
				die(EXIT_BAD, "vendor ramdisk %u: name too long", i); /* never */
			len = off >= avail ? 0 : len < avail - off ? len : avail - off;
			extract(o, im, vr->offset + off, len, name);
		}
		extract_part(o, im, BP_BOOTCONFIG, true);
		extract_part(o, im, BP_DTB, false);
	} else {
		extract(o, im, im->part[BP_VENDOR_RAMDISK].s->offset,
			im->part[BP_VENDOR_RAMDISK].avail, "vendor_ramdisk");
		extract_part(o, im, BP_DTB, false);
	}
	outset_commit(o, false);
	free(o);
	if (im->img.kind == BOOTIMG_VENDOR && im->img.version >= 4)
		vendor_links(im, dir);
}

/* ---- info text, as AOSP prints it ------------------------------------------------- */

static void cstr(const char *label, const uint8_t *s, size_t max)
{
	printf("%s: %.*s\n", label, (int)strnlen((const char *)s, max), (const char *)s);
}

static void os_fields(uint32_t raw)
{
	unsigned a, b, c, y, m;

	bootimg_os_version_split(raw, &a, &b, &c, &y, &m);
	if (raw >> 11)
		printf("os version: %u.%u.%u\n", a, b, c);
	else
		printf("os version: None\n");
	if (raw & 0x7ff)
		printf("os patch level: %04u-%02u\n", y, m);
	else
		printf("os patch level: None\n");
}

static void info_boot(const struct bootimg *g)
{
	printf("boot magic: ANDROID!\n");
	printf("kernel_size: %" PRIu32 "\n", g->kernel_size);
	if (g->version < 3) {
		printf("kernel load address: 0x%08" PRIx32 "\n", g->kernel_addr);
		printf("ramdisk size: %" PRIu32 "\n", g->ramdisk_size);
		printf("ramdisk load address: 0x%08" PRIx32 "\n", g->ramdisk_addr);
		printf("second bootloader size: %" PRIu32 "\n", g->second_size);
		printf("second bootloader load address: 0x%08" PRIx32 "\n", g->second_addr);
		printf("kernel tags load address: 0x%08" PRIx32 "\n", g->tags_addr);
		printf("page size: %" PRIu32 "\n", g->page_size);
	} else {
		printf("ramdisk size: %" PRIu32 "\n", g->ramdisk_size);
	}
	os_fields(g->os_version);
	printf("boot image header version: %" PRIu32 "\n", g->version_field);
	if (g->version < 3)
		cstr("product name", g->name, BOOT_NAME_SIZE);
	cstr("command line args", g->cmdline, bootimg_cmdline_field(g));
	if (g->version < 3)
		cstr("additional command line args", g->extra_cmdline, BOOT_EXTRA_ARGS_SIZE);
	if (g->version == 1 || g->version == 2) {
		printf("recovery dtbo size: %" PRIu32 "\n", g->recovery_dtbo_size);
		printf("recovery dtbo offset: 0x%016" PRIx64 "\n", g->recovery_dtbo_offset);
		printf("boot header size: %" PRIu32 "\n", g->header_size);
	}
	if (g->version == 2) {
		printf("dtb size: %" PRIu32 "\n", g->dtb_size);
		printf("dtb address: 0x%016" PRIx64 "\n", g->dtb_addr);
	}
	if (g->version >= 4)
		printf("boot.img signature size: %" PRIu32 "\n", g->signature_size);
}

static void info_table(const struct image *im)
{
	printf("vendor ramdisk table size: %" PRIu32 "\n", im->img.table_size);
	printf("vendor ramdisk table: [\n");
	for (unsigned i = 0; i < im->nvrd; i++) {
		const struct vendor_ramdisk_entry *e = &im->vrd[i];

		printf("    vendor_ramdisk%02u: {\n", i);
		printf("        size: %" PRIu32 "\n", e->size);
		printf("        offset: %" PRIu32 "\n", e->offset);
		printf("        type: 0x%" PRIx32 "\n", e->type);
		cstr("        name", e->name, VENDOR_RAMDISK_NAME_SIZE);
		printf("        board_id: [\n");
		for (unsigned w = 0; w < VENDOR_BOARD_ID_WORDS; w += 4)
			printf("            0x%08" PRIx32 ", 0x%08" PRIx32 ", 0x%08" PRIx32
			       ", 0x%08" PRIx32 ",\n",
			       e->board_id[w], e->board_id[w + 1], e->board_id[w + 2],
			       e->board_id[w + 3]);
		printf("        ]\n    }\n");
	}
	printf("]\n");
	printf("vendor bootconfig size: %" PRIu32 "\n", im->img.bootconfig_size);
}

static void info_vendor(const struct image *im)
{
	const struct bootimg *g = &im->img;

	printf("boot magic: VNDRBOOT\n");
	printf("vendor boot image header version: %" PRIu32 "\n", g->version_field);
	printf("page size: 0x%08" PRIx32 "\n", g->page_size);
	printf("kernel load address: 0x%08" PRIx32 "\n", g->kernel_addr);
	printf("ramdisk load address: 0x%08" PRIx32 "\n", g->ramdisk_addr);
	printf("vendor ramdisk %ssize: %" PRIu32 "\n", g->version > 3 ? "total " : "",
	       g->vendor_ramdisk_size);
	cstr("vendor command line args", g->cmdline, VENDOR_BOOT_ARGS_SIZE);
	printf("kernel tags load address: 0x%08" PRIx32 "\n", g->tags_addr);
	cstr("product name", g->name, BOOT_NAME_SIZE);
	printf("vendor boot image header size: %" PRIu32 "\n", g->header_size);
	printf("dtb size: %" PRIu32 "\n", g->dtb_size);
	printf("dtb address: 0x%016" PRIx64 "\n", g->dtb_addr);
	if (g->version > 3)
		info_table(im);
}

/* ---- mkbootimg arguments ---------------------------------------------------------- */

/* The base that makes the kernel offset the default 0x8000, when every
 * address sits at or above it; else 0 and the addresses as offsets. A zero
 * ramdisk or second address of boot v0-v2 is what mkbootimg writes for an
 * absent section anyway, so it does not count. */
static uint64_t pick_base(const struct bootimg *g)
{
	bool legacy = g->kind == BOOTIMG_BOOT;
	uint64_t base = g->kernel_addr >= 0x8000 ? g->kernel_addr - 0x8000 : 0;
	uint64_t a[] = {g->ramdisk_addr, g->second_addr, g->tags_addr, g->dtb_addr};
	bool skip_zero[] = {legacy && !g->ramdisk_size, !legacy || !g->second_size, false,
			    legacy && g->version < 2};

	for (unsigned i = 0; i < 4; i++)
		if (a[i] < base && !(a[i] == 0 && skip_zero[i]))
			return 0;
	return base;
}

static void os_args(struct argl *a, uint32_t raw)
{
	unsigned x, y, z, yy, mm;

	bootimg_os_version_split(raw, &x, &y, &z, &yy, &mm);
	if (raw >> 11)
		add(a, "--os_version=%u.%u.%u", x, y, z);
	if (raw & 0x7ff)
		add(a, "--os_patch_level=%04u-%02u", yy, mm);
}

static void addr_args(struct argl *a, const struct bootimg *g, uint64_t base, bool vendor)
{
	add(a, "--pagesize=0x%08" PRIx32, g->page_size);
	add(a, "--base=0x%08" PRIx64, base);
	add(a, "--kernel_offset=0x%08" PRIx64, g->kernel_addr - base);
	add(a, "--ramdisk_offset=0x%08" PRIx64,
	    g->ramdisk_addr >= base ? g->ramdisk_addr - base : 0);
	if (!vendor)
		add(a, "--second_offset=0x%08" PRIx64,
		    g->second_addr >= base ? g->second_addr - base : 0);
	add(a, "--tags_offset=0x%08" PRIx64, g->tags_addr - base);
	if (vendor || g->version == 2)
		add(a, "--dtb_offset=0x%016" PRIx64, g->dtb_addr - base);
}

static void name_arg(struct argl *a, const char *flag, const uint8_t *s, size_t max)
{
	add(a, "%s=%.*s", flag, (int)strnlen((const char *)s, max), (const char *)s);
}

static void cmdline_arg(struct argl *a, const char *flag, const struct bootimg *g)
{
	static char buf[BOOTIMG_CMDLINE_MAX];

	bootimg_get_cmdline(g, buf, sizeof(buf));
	add2(a, flag, buf);
}

static void boot_args(struct argl *a, const struct image *im, const char *dir)
{
	const struct bootimg *g = &im->img;
	uint64_t base = pick_base(g);

	add(a, "--header_version=%" PRIu32, g->version);
	os_args(a, g->os_version);
	add(a, "--kernel=%s/kernel", dir);
	add(a, "--ramdisk=%s/ramdisk", dir);
	if (g->version <= 2) {
		if (g->second_size)
			add(a, "--second=%s/second", dir);
		if (g->recovery_dtbo_size)
			add(a, "--recovery_dtbo=%s/recovery_dtbo", dir);
		if (g->dtb_size)
			add(a, "--dtb=%s/dtb", dir);
		addr_args(a, g, base, false);
		name_arg(a, "--board", g->name, BOOT_NAME_SIZE);
		if (!g->ramdisk_size && g->ramdisk_addr)
			add(a, "--ramdisk_addr_always");
		if (!g->second_size && g->second_addr)
			add(a, "--second_addr_always");
		if (im->id_sha256)
			add(a, "--id_sha256");
	} else if (g->signature_size) {
		add(a, "--boot_signature=%s/boot_signature", dir);
	}
	cmdline_arg(a, "--cmdline", g);
}

static void vendor_args(struct argl *a, const struct image *im, const char *dir)
{
	const struct bootimg *g = &im->img;

	add(a, "--header_version=%" PRIu32, g->version);
	addr_args(a, g, pick_base(g), true);
	cmdline_arg(a, "--vendor_cmdline", g);
	name_arg(a, "--board", g->name, BOOT_NAME_SIZE);
	if (g->dtb_size)
		add(a, "--dtb=%s/dtb", dir);
	if (g->version < 4) {
		add(a, "--vendor_ramdisk=%s/vendor_ramdisk", dir);
		return;
	}
	add(a, "--vendor_bootconfig=%s/bootconfig", dir);
	for (unsigned i = 0; i < im->nvrd; i++) {
		const struct vendor_ramdisk_entry *e = &im->vrd[i];

		add(a, "--ramdisk_type=%" PRIu32, e->type);
		name_arg(a, "--ramdisk_name", e->name, VENDOR_RAMDISK_NAME_SIZE);
		for (unsigned w = 0; w < VENDOR_BOARD_ID_WORDS; w++)
			if (e->board_id[w])
				add(a, "--board_id%u=0x%08" PRIx32, w, e->board_id[w]);
		add(a, "--vendor_ramdisk_fragment=%s/vendor_ramdisk%02u", dir, i);
	}
}

/* The header our mkbootimg writes from the printed arguments, compared with
 * the one in the image (the id aside): the first difference is a byte no
 * flag can reproduce. Returns its offset or -1. */
static long header_mismatch(const struct image *im)
{
	struct bootimg g = im->img;
	uint8_t *h = calloc(1, g.header_len);
	char *cl = malloc(BOOTIMG_CMDLINE_MAX);
	long at = -1;

	if (!h || !cl)
		die(EXIT_BAD, "out of memory");
	g.version_field = g.version;
	if (g.kind == BOOTIMG_BOOT && g.version <= 2 && !g.recovery_dtbo_size)
		g.recovery_dtbo_offset = 0;
	size_t n = bootimg_get_cmdline(&im->img, cl, BOOTIMG_CMDLINE_MAX);
	bootimg_set_cmdline(&g, cl, n, NULL);
	size_t nl = strnlen((const char *)im->img.name, BOOT_NAME_SIZE);
	memset(g.name, 0, sizeof(g.name));
	memcpy(g.name, im->img.name, nl < BOOT_NAME_SIZE ? nl : BOOT_NAME_SIZE - 1);
	bootimg_encode(&g, h, g.header_len, NULL);
	for (uint64_t i = 0; i < g.header_len && at < 0; i++) {
		bool in_id = g.kind == BOOTIMG_BOOT && g.version <= 2 && i >= BOFF_ID &&
			     i < BOFF_ID + BOOT_ID_SIZE;
		if (!in_id && h[i] != im->hdr[i])
			at = (long)i;
	}
	free(h);
	free(cl);
	return at;
}

static void warn_losses(const struct image *im)
{
	long at = header_mismatch(im);

	if (im->nwarn)
		warnmsg("%s: the image is damaged (see above); mkbootimg writes a whole one from "
			"the bytes there, not a copy",
			im->path);
	if (at >= 0)
		warnmsg("%s: header byte @0x%lx cannot be reproduced by mkbootimg flags; use "
			"'bootimg unpack' and 'bootimg repack' for an exact copy",
			im->path, at);
	if (im->id_checked && !im->id_ok)
		warnmsg("%s: the stored id does not match the sections; mkbootimg will write "
			"the correct one",
			im->path);
	for (int p = 0; p < BP_COUNT; p++)
		if (im->part[p].s && im->part[p].pad_nonzero)
			warnmsg("%s: the padding after %s is not zero; mkbootimg writes zeros",
				im->path, bootimg_part_name((enum bootimg_part)p));
	if (im->tr.size)
		warnmsg("%s: %" PRIu64 " bytes after the last section (%s...) are not "
			"reproduced by mkbootimg",
			im->path, im->tr.size, trailer_kind_name(im->tr.item[0].kind));
}

/* ---- main ------------------------------------------------------------------- */

enum { O_BOOT_IMG = 1, O_OUT, O_FORMAT, O_NULL, O_HELP, O_VERSION };
static const struct opt opts[] = {
    {"boot_img", 0, true, O_BOOT_IMG},
    {"out", 0, true, O_OUT},
    {"format", 0, true, O_FORMAT},
    {"null", '0', false, O_NULL},
    {"help", 'h', false, O_HELP},
    {"version", 0, false, O_VERSION},
    {0},
};

int main(int argc, char **argv)
{
	const char *img_path = NULL, *out = "out", *format = "info";
	bool nul = false;
	struct opt_state s;
	struct image im;
	int id;

	cli_init(argv[0]);
	opt_begin(&s, argc, argv, opts);
	while ((id = opt_next(&s)) >= 0) {
		switch (id) {
		case O_BOOT_IMG: img_path = s.arg; break;
		case O_OUT: out = s.arg; break;
		case O_FORMAT: format = s.arg; break;
		case O_NULL: nul = true; break;
		case O_HELP: fputs(usage, stdout); return 0;
		case O_VERSION: cli_version("unpack_bootimg");
		default: die(EXIT_USAGE, "unexpected argument \"%s\" (see --help)", s.arg);
		}
	}
	if (!img_path)
		die(EXIT_USAGE, "--boot_img is required (see --help)");
	if (strcmp(format, "info") && strcmp(format, "mkbootimg"))
		die(EXIT_USAGE, "--format: \"%s\" is not info or mkbootimg", format);
	/* The id is checked only to warn in --format mkbootimg. */
	image_load_flags_or_die(
	    &im, img_path, IMAGE_NO_DTB_SCAN | (strcmp(format, "mkbootimg") ? IMAGE_NO_ID : 0));
	for (unsigned i = 0; i < im.nwarn; i++)
		warnmsg("%s: %s", img_path, im.warn[i]);
	unpack_all(&im, out);
	if (!strcmp(format, "info")) {
		if (im.img.kind == BOOTIMG_BOOT)
			info_boot(&im.img);
		else
			info_vendor(&im);
	} else {
		struct argl a = {0};

		if (im.img.kind == BOOTIMG_BOOT)
			boot_args(&a, &im, out);
		else
			vendor_args(&a, &im, out);
		argl_print(&a, nul);
		warn_losses(&im);
	}
	image_free(&im);
	return fflush(stdout) ? EXIT_BAD : 0;
}
