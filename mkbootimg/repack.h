/* repack.h - the repack model: put an image back together from a folder
 * made by `bootimg unpack`, or rebuild one straight from an image, with
 * parts replaced or not. The library under `bootimg repack` (which parses
 * options, runs the layout check and prints): it never prints nor exits.
 *
 * With nothing changed the output is the input, byte for byte, whatever the
 * input is (a dump padded to its partition, a stale id, an image cut short,
 * odd MTK headers): the image is copied, or the folder's files are laid end to
 * end as the manifest lists them and cut at the original size.
 *
 * With something changed the image is rebuilt through imgwrite's plan: header
 * bytes from the original (undefined bytes survive), each section from the
 * original or a replacement, an MTK header kept with only dsize patched, the
 * id recomputed when a section changed or was stale, padding after the image
 * re-fitted to the original size, an AVB footer and vbmeta made again (signed
 * with a key, or stale), other trailers copied. The result is always a
 * consistent image: a damaged source section is written with the bytes it
 * has and its size field follows them (a note says so).
 *
 * Use: repack_open, repack_apply (the changes), then repack_write_exact when
 * repack_unchanged, else repack_plan and repack_write_plan. Every function
 * returns 0 or -errno with d set; when repack_apply fails on a request this
 * image cannot take (a kernel for a vendor_boot...), rp->usage is set. What the
 * caller should tell the user (damage read around, a stale signature, a
 * ramdisk rebuilt from a tree) piles up in note[]: nothing is printed.
 */
#ifndef BOOTKIT_REPACK_H
#define BOOTKIT_REPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/bootimg.h"
#include "mkbootimg/imgwrite.h"
#include "mkbootimg/kernel.h"
#include "mkbootimg/layout.h"
#include "mkbootimg/mtk.h"
#include "mkbootimg/wrapper.h"

/* No boot or vendor_boot partition is near this size (64 MiB is AOSP's
 * default, 100 MiB the largest seen): a size past it, from a manifest or
 * from what a folder holds (a sparse trailer.bin), is refused before
 * anything is written, not written toward. */
#define REPACK_IMAGE_MAX (1ull << 30)
#define REPACK_MAX_EDITS 64
#define REPACK_FDS_MAX	 (VENDOR_RAMDISK_MAX_ENTRIES + 48)
#define REPACK_NOTES_MAX 24
#define REPACK_NOTE_MAX	 (2 * DIAG_MSG_MAX)

/* ---- what to change ------------------------------------------------------------- */

/* One key of the command line or one line of bootconfig, in the order given. */
enum repack_edit_kind {
	REPACK_CMDLINE_SET,	 /* KEY=VALUE or KEY */
	REPACK_CMDLINE_REMOVE,	 /* KEY */
	REPACK_BOOTCONFIG_SET,	 /* KEY=VALUE */
	REPACK_BOOTCONFIG_REMOVE /* KEY */
};

struct repack_edit {
	enum repack_edit_kind kind;
	const char *arg;
};

/* Everything optional (NULL, 0: keep). */
struct repack_changes {
	const char *file[BP_COUNT]; /* a section's new payload (its MTK header kept) */
	struct repack_edit edit[REPACK_MAX_EDITS];
	unsigned nedit;
	const char *cmdline, *name, *os_version, *os_patch;
	bool no_mtk;		       /* drop the MediaTek headers */
	const char *avb_key, *avb_alg; /* sign the AVB vbmeta again (PEM key; algorithm) */
};

/* ---- the model: where each part's bytes come from ---------------------------------- */

struct rp_part {
	bool present;
	struct piece data; /* payload (MTK header excluded) */
	struct piece dtb;  /* a kernel's appended DTBs, from a folder (len 0: none) */
	bool has_mtk;
	uint8_t mtk_raw[MTK_HDR_SIZE];
	struct piece slack; /* bytes the section counted after an MTK payload */
	struct piece shim;  /* kernel: bootkit's shim put in front (len 0: none) */
	bool has_pad;
	struct piece pad;
	bool changed;  /* replaced */
	uint64_t size; /* the section size the original header gave */
};

/* An AVB footer and its vbmeta, from the source. */
struct rp_avb {
	bool present;
	/* why the AVB data cannot be rewritten; "" if it can */
	char broken[REPACK_NOTE_MAX];
	bool orphan; /* a vbmeta image in the trailer, its footer missing or damaged */
	struct avb_footer f;
	uint8_t *blob; /* the vbmeta image */
	struct avb_vbmeta vb;
	struct piece inner; /* bytes after the image that the AVB hash covers (a marker...) */
};

struct repack_note {
	bool info; /* a fact (stdout), not a warning */
	char msg[REPACK_NOTE_MAX];
};

struct repack {
	bool opened; /* by repack_open: repack_free has something to free */
	const char *src;
	int dirfd;		/* an unpacked folder, or -1 */
	int orig_fd;		/* the source image (from an image), for the exact copy; or -1 */
	uint32_t mtime;		/* of entries a ramdisk rebuilt from a tree gets */
	int fd[REPACK_FDS_MAX]; /* every file open for reading: no output lands on one */
	unsigned nfd;
	uint8_t *hdr;
	size_t hdr_len;
	struct bootimg img; /* the header's fields (the original's, then as changed) */
	struct rp_part part[BP_COUNT];
	struct piece frag[VENDOR_RAMDISK_MAX_ENTRIES]; /* vendor v4 fragments */
	unsigned nfrag;
	bool frag_changed;
	uint8_t *table; /* vendor v4 table bytes */
	size_t table_len;
	struct piece trailer;
	bool trailer_is_pad; /* only 0x00 (or only 0xff) bytes after the image */
	uint8_t trailer_byte;
	uint64_t orig_size;
	bool had_id, id_sha256;
	bool id_stale; /* from a folder: its manifest says the id did not match */
	bool header_changed;
	bool damaged;	     /* the source was read around damage */
	struct wrapper wrap; /* a pre-header; raw bytes in wrap_raw */
	uint8_t *wrap_raw;
	uint64_t orig_body; /* bytes of the original image, header to its last page */
	struct rp_avb avb;
	struct avb_key *key;	 /* --avb-key, loaded by repack_apply */
	uint8_t *bootconfig_buf; /* an edited bootconfig section */
	uint8_t *tree_buf;	 /* a ramdisk rebuilt from unpack --tree's folder */
	bool ramdisk_given;	 /* a new ramdisk file: unpack --tree's folder is not looked at */
	bool usage;		 /* repack_apply failed on what was asked, not on the source */
	struct repack_note note[REPACK_NOTES_MAX];
	unsigned nnote, nlost; /* notes kept; past REPACK_NOTES_MAX, counted */
	/* set by repack_plan */
	uint8_t mtk_buf[BP_COUNT][MTK_HDR_SIZE];
};

/* Read src: an image, or a folder made by `bootimg unpack` (its manifest's
 * size checked against the header's layout and the trailer before anything
 * is read further). ramdisk_given: a new ramdisk comes, so unpack --tree's
 * folder is not rebuilt. mtime: of the entries such a rebuild adds. */
int repack_open(struct repack *rp, const char *src, bool ramdisk_given, uint32_t mtime,
		struct diag *d);
/* Keep the file at path open while the repack lasts, so that no output lands
 * on it (a key, a shim, a scatter file the caller reads). */
int repack_keep_input(struct repack *rp, const char *path, struct diag *d);
/* Apply the changes to the model (files opened, header fields set, edits
 * done; nothing written). A request this image cannot take sets rp->usage. */
int repack_apply(struct repack *rp, const struct repack_changes *c, struct diag *d);
/* Nothing to change: the output is the source's bytes. */
bool repack_unchanged(const struct repack *rp, const struct repack_changes *c);
/* A section's bytes were replaced. */
bool repack_sections_changed(const struct repack *rp);

/* The layout facts of the parts as they stand (layout.h), for a boot image:
 * 0; 1 when they cannot be checked (not a boot image, or a kernel held in
 * memory); -errno when the kernel cannot be read. */
int repack_layout_image(const struct repack *rp, struct kernel_foot *kf, struct layout_image *li,
			struct diag *d);
/* bootkit's LK shim in front of the kernel (len bytes at mem, kept by the caller). */
void repack_set_shim(struct repack *rp, const uint8_t *mem, uint64_t len);

/* The exact copy: the image, or the folder's files cut at the original size,
 * written to path atomically (never over an input). */
int repack_write_exact(struct repack *rp, const char *path, struct diag *d);
/* The rebuilt image's plan: -errno when the source's AVB data cannot be made
 * again, or the parts do not fit the header's fields. */
int repack_plan(struct repack *rp, const struct repack_changes *c, struct image_plan *pl,
		struct diag *d); /* once per repack: it changes rp (MTK headers dropped...) */
/* The bytes the planned image will take (with AVB: the original's). */
uint64_t repack_plan_size(const struct repack *rp, const struct image_plan *pl);
/* Write the plan to path atomically; the AVB data made again (signed with
 * c->avb_key, or stale). */
int repack_write_plan(struct repack *rp, const struct repack_changes *c, struct image_plan *pl,
		      const char *path, struct diag *d);
void repack_free(struct repack *rp);

#endif
