/* manifest.h - the unpack manifest: what `bootimg unpack` wrote into a
 * folder and what `bootimg repack DIR` needs to put the image back together.
 *
 * A text file, DIR/manifest, one record per line, fields separated by single
 * spaces (file names are plain components of DIR: no '/', no "..", no
 * blanks; repack opens them relative to DIR and follows no symlink):
 *
 *   bootkit-unpack 1                     format marker (first line)
 *   kind boot|vendor_boot
 *   size N                               bytes of the original file
 *   wrapper FILE dhtb|blob|nook|acclaim  a pre-header, as stored (wrapper.h)
 *   header FILE SIZE SHA256              the header page(s) as stored
 *   id sha1|sha256 ok|stale              boot v0-v2 only
 *   part NAME FILE SIZE SHA256 [dtb FILE SIZE SHA256] [mtk FILE] [slack FILE] [pad FILE]
 *                                        a section: its payload (MTK header
 *                                        stripped; a kernel without its
 *                                        appended DTBs, which are the dtb
 *                                        file), the MTK header, bytes the
 *                                        header counts after an MTK payload,
 *                                        non-zero padding
 *   fragment FILE SIZE SHA256            vendor_boot v4 ramdisks, in table order
 *   table FILE [pad FILE]                vendor_boot v4 ramdisk table
 *   trailer FILE pad00|padff|data        what follows the last section
 *   tree DIR SPEC SIZE SHA256            unpack --tree: the ramdisk as the folder
 *                                        DIR and the exact spec SPEC (rdtree.h);
 *                                        SIZE SHA256 of the uncompressed archive
 *                                        they described when unpacked
 *
 * SIZE SHA256 are those of the file as unpacked: repack compares them with
 * the file now in DIR to decide what changed. Unknown records are an error
 * naming the line (a newer format is not half-read).
 */
#ifndef BOOTKIT_MANIFEST_H
#define BOOTKIT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "mkbootimg/bootimg.h"

#define MANIFEST_MAGIC	     "bootkit-unpack 1"
#define MANIFEST_NAME	     "manifest"
#define MANIFEST_MAX	     (1u << 20) /* bytes of manifest text read */
#define MANIFEST_NAME_MAX    64		/* a file name in the folder, with the NUL */
#define MANIFEST_LINE_MAX    1024	/* a line of the manifest, with the NUL */
#define MANIFEST_SHA256_SIZE 32

enum mf_trailer { MF_TRAILER_NONE, MF_TRAILER_PAD00, MF_TRAILER_PADFF, MF_TRAILER_DATA };

/* A file of the folder, with the size and SHA-256 it had when unpacked. */
struct mf_file {
	char name[MANIFEST_NAME_MAX];
	uint64_t size;
	uint8_t sha256[MANIFEST_SHA256_SIZE];
};

struct mf_part {
	bool present;
	struct mf_file data;
	struct mf_file dtb;	       /* a kernel's appended DTBs (name "" when none) */
	char mtk[MANIFEST_NAME_MAX];   /* "" when none */
	char slack[MANIFEST_NAME_MAX]; /* "" when none */
	char pad[MANIFEST_NAME_MAX];   /* "" when the padding is all zero */
};

struct manifest {
	enum bootimg_kind kind;
	uint64_t size;
	char wrapper[MANIFEST_NAME_MAX]; /* "" when none */
	int wrapper_kind;		 /* enum wrap_kind */
	struct mf_file header;
	bool header_summed; /* header's SIZE SHA256 given (older folders lack them) */
	bool has_id, id_sha256, id_ok;
	struct mf_part part[BP_COUNT];
	enum bootimg_part order[BP_COUNT]; /* parts in the order they were listed */
	unsigned nparts;
	struct mf_file frag[VENDOR_RAMDISK_MAX_ENTRIES];
	unsigned nfrag;
	char table[MANIFEST_NAME_MAX];	   /* "" when none */
	char table_pad[MANIFEST_NAME_MAX]; /* "" when its padding is all zero */
	char trailer[MANIFEST_NAME_MAX];
	enum mf_trailer trailer_kind;
	bool has_tree;
	char tree_dir[MANIFEST_NAME_MAX];
	struct mf_file tree; /* the spec's name; the archive's size and SHA-256 */
};

/* Render m as manifest text into a malloc'ed buffer (*out, *len). 0 or -ENOMEM. */
int manifest_format(const struct manifest *m, char **out, size_t *len);

/*
 * Parse manifest text (len bytes) into m. Errors are -EINVAL with d saying
 * "LINE: what" (the caller puts the file name in front); every file name is
 * checked to be a plain component of the folder.
 */
int manifest_parse(const char *text, size_t len, struct manifest *m, struct diag *d);

/* Set a name field (cap MANIFEST_NAME_MAX); -ENAMETOOLONG when it does not fit. */
int manifest_set_name(char *dst, const char *name);

#endif
