/* mkbootimg.h - what the mkbootimg command's two files share: its
 * arguments (mkbootimg_args.c parses and checks them; mkbootimg.c builds
 * the images). */
#ifndef BOOTKIT_TOOLS_MKBOOTIMG_H
#define BOOTKIT_TOOLS_MKBOOTIMG_H

#include <stdbool.h>
#include <stdint.h>

#include "mkbootimg/bootimg.h"

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

/* The command line into a, AOSP's defaults first; dies on bad usage. */
void parse_args(struct args *a, int argc, char **argv);
/* The combinations AOSP refuses, and ours; dies on bad usage. */
void check_args(const struct args *a);
/* AOSP: a boot signature only for header v4 with both key and algorithm;
 * otherwise the flags are ignored without a word, as there. */
bool gki_signing(const struct args *a);

#endif
