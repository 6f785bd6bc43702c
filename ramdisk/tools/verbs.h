/* verbs.h - what the ramdisk command's files share: ramdisk.c (the
 * dispatch, reading and writing archives), ramdisk_build.c (pack, edit) and
 * ramdisk_read.c (list, info, extract). */
#ifndef BOOTKIT_RAMDISK_TOOLS_VERBS_H
#define BOOTKIT_RAMDISK_TOOLS_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/mtk.h"
#include "ramdisk/compress.h"
#include "ramdisk/ramdisk.h"

extern const char ramdisk_usage[];
/* Print VERB's part of ramdisk_usage and the paragraphs it refers to, to stdout. */
void ramdisk_help(const char *verb);

/* --modules KDIR --modules-list FILE [--kernel-version V] [--preload LIST] */
/* Option ids of every command (0: a positional argument). */
enum rd_opt {
	RO_ARG,
	RO_OUT,
	RO_COMP,
	RO_SPEC,
	RO_SUMMARY,
	RO_VERBOSE,
	RO_MAX_SIZE,
	RO_DEVICES,
	RO_SAME_PERM,
	RO_SAME_OWNER,
	RO_EXPR,
	RO_SCRIPT,
	RO_HELP,
	/* MODULES, shared by pack and edit */
	RO_MODULES,
	RO_MODULES_LIST,
	RO_KERNEL_VERSION,
	RO_PRELOAD,
	RO_INPUT,
	RO_DTB,
};

struct modopts {
	const char *kdir, *list, *version, *preload, *input, *dtb;
};

/* ---- reading and writing an archive (ramdisk.c) ---- */

struct loaded {
	struct ramdisk rd;
	enum comp comp;
	struct decomp_info streams;
	size_t in_len;
	int fd;	  /* kept open so an output can be checked against it */
	bool mtk; /* the file starts with a MediaTek header (unpack_bootimg writes it so) */
	uint8_t mtk_raw[MTK_HDR_SIZE];
};

struct written {
	uint64_t raw, packed;
};

/* A MediaTek header in front (ROOTFS, RECOVERY: the ramdisk section of an MTK
 * image as unpack_bootimg writes it): said, kept, and the dsize bytes after
 * it are the ramdisk. */
void skip_mtk(struct loaded *l, const char *path, uint8_t **in, size_t *n);

void load(struct loaded *l, const char *path, uint64_t cap);

void loaded_free(struct loaded *l);

/* The archive compressed into out; behind mtk (a MediaTek header, its dsize
 * set to what follows it) when not NULL. */
struct written write_out(const struct ramdisk *rd, const char *out, enum comp c, int level,
			 const int *in_fds, unsigned nin, const uint8_t *mtk);

/* A name or link target from the archive, escaped (escape.h): a newline in a
 * name cannot forge a line of the listing, nor ESC drive the terminal. */
void put_esc(const void *s, size_t n);

void summary(const struct ramdisk *rd, const char *label, enum comp c, uint64_t raw,
	     uint64_t packed, unsigned top);

void parse_comp(const char *s, enum comp *c, int *level);

/* --max-size: the cap on a ramdisk's decompressed size; dies on a bad one. */
uint64_t parse_max_size(const char *s);

/* ---- the verbs ---- */
int cmd_ramdisk_pack(int argc, char **argv);
int cmd_ramdisk_edit(int argc, char **argv);
int cmd_ramdisk_list(int argc, char **argv);
int cmd_ramdisk_info(int argc, char **argv);
int cmd_ramdisk_extract(int argc, char **argv);

#endif
