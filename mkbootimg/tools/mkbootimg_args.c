/* mkbootimg_args.c - mkbootimg's command line: AOSP's flags and defaults
 * (mkbootimg.py), and ours (MediaTek headers, partition limits, the layout
 * check); parsed into struct args and checked before anything is read. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cli.h"
#include "lib/strfmt.h"
#include "mkbootimg/bootimg.h"
#include "mkbootimg/tools/mkbootimg.h"

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
    "                           bootloader puts them (man bootimg, \"LOADER MODELS\"; without\n"
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

void parse_args(struct args *a, int argc, char **argv)
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
bool gki_signing(const struct args *a)
{
	return a->output && a->header_version >= 4 && a->gki_key && *a->gki_key && a->gki_alg &&
	       *a->gki_alg;
}

void check_args(const struct args *a)
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
