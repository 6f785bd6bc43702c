/* scatter.h - SP Flash Tool scatter files: MediaTek's map of the eMMC/NAND.
 *
 * Two formats exist for MT6572:
 *  - old flat: "NAME 0xSTART" lines each followed by "{" and "}" lines; a
 *    "__NODL_" prefix means not downloaded; no sizes (size = next start - this
 *    start); BMTPOOL's start is an encoded block count 0xFFFFnnnn.
 *  - "V1.1.1" YAML-like: a "- general: MTK_PLATFORM_CFG" block (config_version,
 *    platform, project, storage, boot_channel, block_size) and one
 *    "- partition_index:" block per partition with partition_name, file_name,
 *    is_download, type, linear_start_addr, physical_start_addr,
 *    partition_size, region, storage, boundary_check, is_reserved,
 *    operation_type, reserve.
 * Parsing is lenient: hex in either case, '#' comments, empty partition names,
 * unknown keys ignored. Offsets into a full-flash readback are the linear
 * start addresses.
 */
#ifndef BOOTKIT_SCATTER_H
#define BOOTKIT_SCATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define SCATTER_MAX_PARTS 128
#define SCATTER_NAME_MAX  64
#define SCATTER_FILE_MAX  128
#define SCATTER_INFO_MAX  64 /* a value kept only to be shown: a longer one is cut, "..." */

struct scatter_part {
	char index[SCATTER_INFO_MAX]; /* "SYS9" (V1.x), "" (flat) */
	char name[SCATTER_NAME_MAX];
	char file_name[SCATTER_FILE_MAX];
	char region[SCATTER_INFO_MAX];
	uint64_t start; /* linear_start_addr */
	uint64_t size;
	bool size_known;
	bool download;
	bool bmt_encoded; /* BMTPOOL's 0xFFFFnnnn start: not an address */
	unsigned line;
};

struct scatter {
	bool v1; /* the V1.x YAML-like format */
	char config_version[SCATTER_INFO_MAX], platform[SCATTER_INFO_MAX];
	char project[SCATTER_INFO_MAX], storage[SCATTER_INFO_MAX];
	struct scatter_part part[SCATTER_MAX_PARTS];
	unsigned n;
};

/* Parse text (len bytes, need not be NUL-terminated). */
int scatter_parse(const char *text, size_t len, struct scatter *s, struct diag *d);

/* Find a partition by name (case-insensitive) or V1.x partition_index. */
const struct scatter_part *scatter_find(const struct scatter *s, const char *name);

#endif
