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

extern char **environ;

static const char usage[] =
    "usage: mkbootimg [options] -o OUT | --vendor_boot OUT\n"
    "\n"
    "Build an Android boot image (header v0-v4) or vendor_boot image (v3, v4).\n"
    "A drop-in for AOSP's mkbootimg: same flags and defaults, same bytes.\n"
    "\n"
    "sections:\n"
    "  --kernel FILE            kernel\n"
    "  --ramdisk FILE           ramdisk\n"
    "  --second FILE            second stage (v0-v2)\n"
    "  --dtb FILE               device tree blob (boot v2, vendor_boot)\n"
    "  --recovery_dtbo FILE     recovery DTBO (v1, v2); alias --recovery_acpio\n"
    "header:\n"
    "  --header_version N       0..4 (default 0)\n"
    "  --cmdline TEXT           kernel command line (v0-v2: up to 1534 bytes,\n"
    "                           split 511 + 1023; v3/v4: 1535)\n"
    "  --vendor_cmdline TEXT    vendor_boot command line (up to 2047 bytes)\n"
    "  --board NAME             product name (up to 15 bytes)\n"
    "  --base ADDR              default 0x10000000\n"
    "  --kernel_offset OFF      default 0x00008000\n"
    "  --ramdisk_offset OFF     default 0x01000000\n"
    "  --second_offset OFF      default 0x00f00000\n"
    "  --tags_offset OFF        default 0x00000100\n"
    "  --dtb_offset OFF         default 0x01f00000\n"
    "  --pagesize N             2048, 4096, 8192 or 16384 (default 2048)\n"
    "  --os_version A.B.C       --os_patch_level YYYY-MM[-DD]\n"
    "  --id                     print the image id (v0-v2)\n"
    "vendor_boot:\n"
    "  --vendor_boot OUT        write a vendor_boot image\n"
    "  --vendor_ramdisk FILE    vendor ramdisk (v4: table entry of type platform)\n"
    "  --vendor_bootconfig FILE bootconfig section (v4)\n"
    "  --ramdisk_type T --ramdisk_name NAME --board_id0..15 N\n"
    "  --vendor_ramdisk_fragment FILE   (v4) closes one fragment group; T is one of\n"
    "                           none (default), platform, recovery, dlkm\n"
    "output:\n"
    "  -o, --output OUT         write a boot image\n"
    "[DEPRECATED] GKI 2.0 signing arguments (header v4, with both key and algorithm):\n"
    "  --gki_signing_algorithm A      GKI signing algorithm to use (SHA256_RSA4096...)\n"
    "  --gki_signing_key FILE         path to RSA private key file\n"
    "  --gki_signing_signature_args S other hash arguments passed to avbtool\n"
    "                                 (split on whitespace, no quoting)\n"
    "  --gki_signing_avbtool_path P   path to avbtool for boot signature generation\n"
    "                                 (default avbtool, searched in PATH)\n"
    "                           avbtool add_hash_footer signs header, kernel and\n"
    "                           ramdisk (salt d00df00d); the vbmeta it writes, at\n"
    "                           most 4096 bytes, is the boot signature section\n"
    "extensions (not in AOSP's mkbootimg):\n"
    "  --boot_signature FILE    v4 boot signature section from a file (AOSP removed\n"
    "                           this flag in 2022; not with the --gki_signing_* flags)\n"
    "  --mtk_header boot|recovery  wrap kernel and ramdisk in MediaTek headers\n"
    "                           (KERNEL and ROOTFS, or KERNEL and RECOVERY)\n"
    "  --partition_size N       refuse to write more than N bytes (K/M/G suffixes)\n"
    "  --loader SPEC | --profile P   refuse an image whose parts overlap where this\n"
    "                           bootloader puts them (README \"Brick safety\"; without\n"
    "                           either the header's addresses are checked: a warning)\n"
    "  --allow_overlap          write it anyway\n"
    "  --lk_shim FILE           put bootkit's entry shim (out/armhf/lk-shim.bin) in\n"
    "                           front of a zImage when the loader's memory start is one\n"
    "                           a generic kernel cannot use\n"
    "  --scatter FILE [--partition NAME]  the limit from a scatter file\n"
    "                           (default partition BOOTIMG)\n"
    "  --id_sha256              store the SHA-256 id variant (v0-v2)\n"
    "  --ramdisk_addr_always    keep ramdisk_addr even with no ramdisk\n"
    "  --second_addr_always     keep second_addr even with no second\n"
    "  --version                print \"mkbootimg VERSION\" and exit\n"
    "\n"
    "Options may be abbreviated; '-' and '_' are alike. Exit status: 0 written,\n"
    "1 bad input or refused (nothing written), 2 bad usage.\n";

enum mkbootimg_opt {
	O_ARG, /* a positional argument: none is taken */
	O_KERNEL,
	O_RAMDISK,
	O_SECOND,
	O_DTB,
	O_RECOVERY_DTBO,
	O_RECOVERY_ACPIO,
	O_CMDLINE,
	O_VENDOR_CMDLINE,
	O_BASE,
	O_KERNEL_OFFSET,
	O_RAMDISK_OFFSET,
	O_SECOND_OFFSET,
	O_DTB_OFFSET,
	O_OS_VERSION,
	O_OS_PATCH_LEVEL,
	O_TAGS_OFFSET,
	O_BOARD,
	O_PAGESIZE,
	O_ID,
	O_OUTPUT,
	O_VENDOR_BOOT,
	O_VENDOR_RAMDISK,
	O_VENDOR_BOOTCONFIG,
	O_HEADER_VERSION,
	O_BOOT_SIGNATURE,
	O_RAMDISK_TYPE,
	O_RAMDISK_NAME,
	O_FRAGMENT,
	O_GKI_ALG,
	O_GKI_KEY,
	O_GKI_ARGS,
	O_GKI_AVBTOOL,
	O_MTK,
	O_PART_SIZE,
	O_SCATTER,
	O_PARTITION,
	O_ID_SHA256,
	O_RD_ADDR_ALWAYS,
	O_SEC_ADDR_ALWAYS,
	O_LOADER,
	O_PROFILE,
	O_ALLOW_OVERLAP,
	O_LK_SHIM,
	O_HELP,
	O_VERSION,
	O_BOARD_ID0 = 100,
};

static const struct opt opts[] = {
    {"kernel", 0, true, O_KERNEL},
    {"ramdisk", 0, true, O_RAMDISK},
    {"second", 0, true, O_SECOND},
    {"dtb", 0, true, O_DTB},
    {"recovery_dtbo", 0, true, O_RECOVERY_DTBO},
    {"recovery_acpio", 0, true, O_RECOVERY_ACPIO},
    {"cmdline", 0, true, O_CMDLINE},
    {"vendor_cmdline", 0, true, O_VENDOR_CMDLINE},
    {"base", 0, true, O_BASE},
    {"kernel_offset", 0, true, O_KERNEL_OFFSET},
    {"ramdisk_offset", 0, true, O_RAMDISK_OFFSET},
    {"second_offset", 0, true, O_SECOND_OFFSET},
    {"dtb_offset", 0, true, O_DTB_OFFSET},
    {"os_version", 0, true, O_OS_VERSION},
    {"os_patch_level", 0, true, O_OS_PATCH_LEVEL},
    {"tags_offset", 0, true, O_TAGS_OFFSET},
    {"board", 0, true, O_BOARD},
    {"pagesize", 0, true, O_PAGESIZE},
    {"id", 0, false, O_ID},
    {"output", 'o', true, O_OUTPUT},
    {"vendor_boot", 0, true, O_VENDOR_BOOT},
    {"vendor_ramdisk", 0, true, O_VENDOR_RAMDISK},
    {"vendor_bootconfig", 0, true, O_VENDOR_BOOTCONFIG},
    {"header_version", 0, true, O_HEADER_VERSION},
    {"boot_signature", 0, true, O_BOOT_SIGNATURE},
    {"ramdisk_type", 0, true, O_RAMDISK_TYPE},
    {"ramdisk_name", 0, true, O_RAMDISK_NAME},
    {"vendor_ramdisk_fragment", 0, true, O_FRAGMENT},
    {"gki_signing_algorithm", 0, true, O_GKI_ALG},
    {"gki_signing_key", 0, true, O_GKI_KEY},
    {"gki_signing_signature_args", 0, true, O_GKI_ARGS},
    {"gki_signing_avbtool_path", 0, true, O_GKI_AVBTOOL},
    {"mtk_header", 0, true, O_MTK},
    {"partition_size", 0, true, O_PART_SIZE},
    {"scatter", 0, true, O_SCATTER},
    {"partition", 0, true, O_PARTITION},
    {"loader", 0, true, O_LOADER},
    {"profile", 0, true, O_PROFILE},
    {"allow_overlap", 0, false, O_ALLOW_OVERLAP},
    {"lk_shim", 0, true, O_LK_SHIM},
    {"id_sha256", 0, false, O_ID_SHA256},
    {"ramdisk_addr_always", 0, false, O_RD_ADDR_ALWAYS},
    {"second_addr_always", 0, false, O_SEC_ADDR_ALWAYS},
    {"help", 'h', false, O_HELP},
    {"version", 0, false, O_VERSION},
    {"board_id0", 0, true, O_BOARD_ID0 + 0},
    {"board_id1", 0, true, O_BOARD_ID0 + 1},
    {"board_id2", 0, true, O_BOARD_ID0 + 2},
    {"board_id3", 0, true, O_BOARD_ID0 + 3},
    {"board_id4", 0, true, O_BOARD_ID0 + 4},
    {"board_id5", 0, true, O_BOARD_ID0 + 5},
    {"board_id6", 0, true, O_BOARD_ID0 + 6},
    {"board_id7", 0, true, O_BOARD_ID0 + 7},
    {"board_id8", 0, true, O_BOARD_ID0 + 8},
    {"board_id9", 0, true, O_BOARD_ID0 + 9},
    {"board_id10", 0, true, O_BOARD_ID0 + 10},
    {"board_id11", 0, true, O_BOARD_ID0 + 11},
    {"board_id12", 0, true, O_BOARD_ID0 + 12},
    {"board_id13", 0, true, O_BOARD_ID0 + 13},
    {"board_id14", 0, true, O_BOARD_ID0 + 14},
    {"board_id15", 0, true, O_BOARD_ID0 + 15},
    {0},
};

struct fragment {
	const char *path;
	struct vendor_ramdisk_entry e;
};

struct args {
	const char *kernel, *ramdisk, *second, *dtb, *recovery_dtbo, *signature;
	const char *cmdline, *vendor_cmdline, *board;
	uint64_t base, kernel_offset, ramdisk_offset, second_offset, dtb_offset, tags_offset;
	uint32_t os_version, os_patch, page_size, header_version;
	bool print_id, id_sha256, rd_addr_always, sec_addr_always;
	const char *output, *vendor_boot, *vendor_ramdisk, *bootconfig;
	const char *mtk, *part_size, *scatter, *partition;
	const char *loader, *profile, *lk_shim;
	bool allow_overlap;
	const char *gki_alg, *gki_key, *gki_args, *gki_avbtool;
	struct fragment frag[VENDOR_RAMDISK_MAX_ENTRIES];
	unsigned nfrag;
	struct vendor_ramdisk_entry pending; /* the group being collected */
};

/* ---- argument parsing --------------------------------------------------------- */

static uint32_t ramdisk_type(const char *s)
{
	static const char *const names[] = {"none", "platform", "recovery", "dlkm"};

	uint64_t v;

	for (uint32_t i = 0; i < 4; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	if (!parse_u64(s, &v) && v <= UINT32_MAX)
		return (uint32_t)v; /* AOSP also takes the number */
	die(EXIT_USAGE, "--ramdisk_type: \"%s\" is not none, platform, recovery, dlkm or a number",
	    s);
}

static void add_fragment(struct args *a, const char *path)
{
	struct fragment *f;

	if (a->nfrag >= VENDOR_RAMDISK_MAX_ENTRIES)
		die(EXIT_USAGE, "more than %d vendor ramdisk fragments",
		    VENDOR_RAMDISK_MAX_ENTRIES);
	for (unsigned i = 0; i < a->nfrag; i++)
		if (!strcmp((const char *)a->frag[i].e.name, (const char *)a->pending.name))
			die(EXIT_USAGE, "--ramdisk_name \"%s\" given to two fragments",
			    a->pending.name);
	f = &a->frag[a->nfrag++];
	f->path = path;
	f->e = a->pending;
	memset(&a->pending, 0, sizeof(a->pending));
}

static void set_name(struct args *a, const char *s)
{
	size_t n = strlen(s);

	if (n >= VENDOR_RAMDISK_NAME_SIZE)
		die(EXIT_USAGE, "--ramdisk_name: \"%s\" is longer than %d bytes", s,
		    VENDOR_RAMDISK_NAME_SIZE - 1);
	if (!strcmp(s, "default"))
		die(EXIT_USAGE, "--ramdisk_name: \"default\" is reserved");
	memset(a->pending.name, 0, sizeof(a->pending.name));
	memcpy(a->pending.name, s, n);
}

static uint32_t os_field(const char *opt, const char *s, bool patch)
{
	uint32_t v = 0;
	int r = patch ? bootimg_os_patch_parse(s, &v) : bootimg_os_version_parse(s, &v);

	if (r == -ERANGE)
		die(EXIT_USAGE, "%s: \"%s\" is out of range", opt, s);
	return r ? 0 : v; /* AOSP: a value that does not parse means 0 */
}

static uint32_t page_size_arg(const char *s)
{
	uint64_t v = opt_u64("--pagesize", s, UINT32_MAX);

	if (v != 2048 && v != 4096 && v != 8192 && v != 16384)
		die(EXIT_USAGE, "--pagesize: %s is not one of 2048, 4096, 8192, 16384", s);
	return (uint32_t)v;
}

static void parse_one(struct args *a, int id, const char *v)
{
	switch (id) {
	case O_KERNEL: a->kernel = v; break;
	case O_RAMDISK: a->ramdisk = v; break;
	case O_SECOND: a->second = v; break;
	case O_DTB: a->dtb = v; break;
	case O_RECOVERY_DTBO:
	case O_RECOVERY_ACPIO: a->recovery_dtbo = v; break;
	case O_BOOT_SIGNATURE: a->signature = v; break;
	case O_CMDLINE: a->cmdline = v; break;
	case O_VENDOR_CMDLINE: a->vendor_cmdline = v; break;
	case O_BOARD: a->board = v; break;
	case O_BASE: a->base = opt_u64("--base", v, UINT64_MAX); break;
	case O_KERNEL_OFFSET: a->kernel_offset = opt_u64("--kernel_offset", v, UINT64_MAX); break;
	case O_RAMDISK_OFFSET:
		a->ramdisk_offset = opt_u64("--ramdisk_offset", v, UINT64_MAX);
		break;
	case O_SECOND_OFFSET: a->second_offset = opt_u64("--second_offset", v, UINT64_MAX); break;
	case O_DTB_OFFSET: a->dtb_offset = opt_u64("--dtb_offset", v, UINT64_MAX); break;
	case O_TAGS_OFFSET: a->tags_offset = opt_u64("--tags_offset", v, UINT64_MAX); break;
	case O_OS_VERSION: a->os_version = os_field("--os_version", v, false); break;
	case O_OS_PATCH_LEVEL: a->os_patch = os_field("--os_patch_level", v, true); break;
	case O_PAGESIZE: a->page_size = page_size_arg(v); break;
	case O_HEADER_VERSION:
		a->header_version = (uint32_t)opt_u64("--header_version", v, UINT32_MAX);
		break;
	case O_ID: a->print_id = true; break;
	case O_OUTPUT: a->output = v; break;
	case O_VENDOR_BOOT: a->vendor_boot = v; break;
	case O_VENDOR_RAMDISK: a->vendor_ramdisk = v; break;
	case O_VENDOR_BOOTCONFIG: a->bootconfig = v; break;
	case O_RAMDISK_TYPE: a->pending.type = ramdisk_type(v); break;
	case O_RAMDISK_NAME: set_name(a, v); break;
	case O_FRAGMENT: add_fragment(a, v); break;
	case O_GKI_ALG: a->gki_alg = v; break;
	case O_GKI_KEY: a->gki_key = v; break;
	case O_GKI_ARGS: a->gki_args = v; break;
	case O_GKI_AVBTOOL: a->gki_avbtool = v; break;
	case O_MTK: a->mtk = v; break;
	case O_PART_SIZE: a->part_size = v; break;
	case O_SCATTER: a->scatter = v; break;
	case O_PARTITION: a->partition = v; break;
	case O_ID_SHA256: a->id_sha256 = true; break;
	case O_RD_ADDR_ALWAYS: a->rd_addr_always = true; break;
	case O_SEC_ADDR_ALWAYS: a->sec_addr_always = true; break;
	case O_LOADER: a->loader = v; break;
	case O_PROFILE: a->profile = v; break;
	case O_ALLOW_OVERLAP: a->allow_overlap = true; break;
	case O_LK_SHIM: a->lk_shim = v; break;
	case O_HELP: fputs(usage, stdout); exit(0);
	case O_VERSION: cli_version("mkbootimg");
	default:
		a->pending.board_id[id - O_BOARD_ID0] =
		    (uint32_t)opt_u64("--board_id", v, UINT32_MAX);
		break;
	}
}

static void parse_args(struct args *a, int argc, char **argv)
{
	struct opt_state s;
	int id;

	*a = (struct args){
	    .cmdline = "",
	    .vendor_cmdline = "",
	    .board = "",
	    .base = 0x10000000,
	    .kernel_offset = 0x00008000,
	    .ramdisk_offset = 0x01000000,
	    .second_offset = 0x00f00000,
	    .dtb_offset = 0x01f00000,
	    .tags_offset = 0x00000100,
	    .page_size = 2048,
	    .gki_args = "",
	    .gki_avbtool = "avbtool",
	};
	opt_begin(&s, argc, argv, opts);
	while ((id = opt_next(&s)) >= 0) {
		if (id == O_ARG)
			die(EXIT_USAGE, "unexpected argument \"%s\" (see --help)", s.arg);
		parse_one(a, id, s.arg);
	}
}

/* AOSP: a boot signature only for header v4 with both key and algorithm;
 * otherwise the flags are ignored without a word, as there. */
static bool gki_signing(const struct args *a)
{
	return a->output && a->header_version >= 4 && a->gki_key && *a->gki_key && a->gki_alg &&
	       *a->gki_alg;
}

static void check_args(const struct args *a)
{
	if (!a->output && !a->vendor_boot)
		die(EXIT_USAGE, "nothing to write: give -o/--output or --vendor_boot (see --help)");
	if (a->header_version > 4)
		die(EXIT_USAGE, "--header_version %" PRIu32 ": only 0 to 4 exist",
		    a->header_version);
	if (a->vendor_boot && a->header_version < 3)
		die(EXIT_USAGE, "--vendor_boot needs --header_version 3 or 4");
	if (a->vendor_boot && !a->vendor_ramdisk && !a->nfrag)
		die(EXIT_USAGE, "--vendor_boot needs --vendor_ramdisk%s",
		    a->header_version >= 4 ? " or --vendor_ramdisk_fragment" : "");
	if (a->nfrag && a->header_version < 4)
		die(EXIT_USAGE, "--vendor_ramdisk_fragment needs --header_version 4");
	if (a->bootconfig && a->header_version < 4)
		die(EXIT_USAGE, "--vendor_bootconfig needs --header_version 4");
	if (a->output && a->header_version >= 3 && a->second)
		die(EXIT_USAGE, "--second is not supported by boot image header v3 and later");
	if (a->output && a->header_version >= 3 && a->recovery_dtbo)
		die(EXIT_USAGE, "--recovery_dtbo is only for header versions 1 and 2");
	if (a->recovery_dtbo && a->header_version == 0)
		die(EXIT_USAGE, "--recovery_dtbo needs --header_version 1 or 2");
	if (a->output && a->header_version == 2 && !a->dtb)
		die(EXIT_USAGE, "header version 2 needs --dtb (the DTB must not be empty)");
	if (a->signature && a->header_version != 4)
		die(EXIT_USAGE, "--boot_signature needs --header_version 4");
	if (a->signature && gki_signing(a))
		die(EXIT_USAGE,
		    "--boot_signature and --gki_signing_key/--gki_signing_algorithm both "
		    "give the boot signature; use one");
	if (a->mtk && strcmp(a->mtk, "boot") && strcmp(a->mtk, "recovery"))
		die(EXIT_USAGE, "--mtk_header: \"%s\" is not boot or recovery", a->mtk);
	if (a->id_sha256 && a->header_version > 2)
		die(EXIT_USAGE, "--id_sha256: header v%" PRIu32 " has no id", a->header_version);
	if (strlen(a->board) >= BOOT_NAME_SIZE)
		die(EXIT_USAGE, "--board: \"%s\" is longer than %d bytes", a->board,
		    BOOT_NAME_SIZE - 1);
	if (strlen(a->vendor_cmdline) >= VENDOR_BOOT_ARGS_SIZE)
		die(EXIT_USAGE, "--vendor_cmdline: %zu bytes, at most %d fit",
		    strlen(a->vendor_cmdline), VENDOR_BOOT_ARGS_SIZE - 1);
}

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

static void write_boot(const struct args *a)
{
	struct image_plan *p = calloc(1, sizeof(*p));
	struct layout_gate *g = calloc(1, sizeof(*g));
	struct inputs in = {0};
	struct mtk_bufs mb;

	if (!p || !g)
		die(EXIT_BAD, "out of memory");
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
	free(g);
	free(p);
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
	struct image_plan *p = calloc(1, sizeof(*p));
	struct bootimg *img;
	struct inputs in = {0};

	if (!p)
		die(EXIT_BAD, "out of memory");
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
	free(p);
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
