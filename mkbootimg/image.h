/* image.h - an existing boot or vendor_boot image opened for reading: the
 * parsed header, the vendor ramdisk table, MediaTek headers, payload formats,
 * the id check and what lies after the last section. Library code: no
 * printing, no exit; shared by the CLIs. */
#ifndef BOOTKIT_IMAGE_H
#define BOOTKIT_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "mkbootimg/avb.h"
#include "mkbootimg/bootimg.h"
#include "mkbootimg/kernel.h"
#include "mkbootimg/mtk.h"
#include "mkbootimg/payload.h"
#include "mkbootimg/trailer.h"
#include "mkbootimg/wrapper.h"

/* Readers are tolerant: a section that runs past the end of the file or ends
 * inside its padding, or an MTK dsize that disagrees with the header, is a
 * warning (im->warn) and the bytes that are there are used, as AOSP's
 * unpack_bootimg does. Writers never produce such an image. */
#define IMAGE_WARN_MAX 12

struct image_part {
	const struct bootimg_section *s; /* NULL: absent. Offsets are file offsets */
	uint64_t avail;			 /* bytes of the section in the file (<= s->size) */
	uint64_t pad_avail;		 /* bytes of its padding in the file */
	bool has_mtk;
	struct mtk_hdr mtk;
	uint8_t mtk_raw[MTK_HDR_SIZE];
	uint64_t data_off, data_len;   /* the payload (after an MTK header), as present */
	uint64_t slack_off, slack_len; /* bytes the section counts after an MTK payload */
	uint32_t shim_len;	       /* kernel: bootkit's shim in front (shim.h), or 0 */
	enum payload_fmt fmt;	       /* of the payload (after the shim) */
	uint64_t inner_at;	       /* for a kernel: where the compressed data starts, or 0 */
	enum payload_fmt inner;
	unsigned appended_dtbs; /* FDTs appended to a kernel */
	uint64_t appended_dtb_at;
	bool pad_nonzero; /* the section's padding is not all zero */
};

struct image {
	const char *path;
	int fd;
	uint64_t size;
	struct wrapper wrap; /* a pre-header; the boot image starts at wrap.size */
	uint8_t *wrap_raw;   /* its bytes (wrap.size), NULL when none */
	uint8_t *hdr;	     /* img.header_len bytes: the whole header page(s) */
	struct bootimg img;  /* section offsets and end are FILE offsets (wrap.size added) */
	struct vendor_ramdisk_entry vrd[VENDOR_RAMDISK_MAX_ENTRIES];
	unsigned nvrd;
	struct image_part part[BP_COUNT];
	struct trailer tr;
	bool has_id, id_checked, id_ok, id_sha256;
	uint8_t id_computed[BOOT_ID_SIZE];
	bool hdr_extra;		   /* bytes beyond header_size in the header page are not zero */
	struct kernel_info kernel; /* with IMAGE_KERNEL */
	uint8_t *kconfig;	   /* the embedded .config, or NULL */
	size_t kconfig_len;
	bool cut_short;	      /* the file ends before the image does */
	struct avb_image avb; /* with an AVB footer (tr.has_avb): the vbmeta, parsed */
	bool avb_loaded;
	char avb_error[DIAG_MSG_MAX]; /* why it is not */
	char warn[IMAGE_WARN_MAX][DIAG_MSG_MAX];
	unsigned nwarn; /* warnings: damage that was read around */
};

/* Open and fully check path; -errno with d set on bad input, and then
 * nothing is held (no fd, no buffer: image_free is not needed, and harmless).
 * (The commands' image_load_or_die() in mkbootimg/tools/common.h dies
 * instead.) */
int image_try_load(struct image *im, const char *path, struct diag *d);

/* Flags for the *_flags variants. */
enum {
	IMAGE_NO_ID = 1, /* do not hash the sections: has_id and id_sha256 are set from the
			  * header, id_checked stays false */
	IMAGE_NO_DTB_SCAN =
	    2,		  /* do not look for DTBs appended to a kernel without a zImage length */
	IMAGE_KERNEL = 4, /* decode the kernel: its payload, version string, config (kernel.h) */
};
int image_try_load_flags(struct image *im, const char *path, unsigned flags, struct diag *d);

void image_free(struct image *im);

/* Copy len bytes at off of the image into a new file (atomically). */
int image_extract(const struct image *im, uint64_t off, uint64_t len, const char *dst,
		  struct diag *d);

/* The same into an outfile left open for outfile_commit_all(), so several
 * parts are committed together (nothing under a final name on failure). */
struct outfile;
int image_extract_open(const struct image *im, uint64_t off, uint64_t len, struct outfile *o,
		       const char *dst, struct diag *d);

/* Replace the image's own file by len bytes of it at off (atomically: the
 * open fd keeps reading the old file). For carve --trim only. */
int image_extract_over_self(const struct image *im, uint64_t off, uint64_t len, struct diag *d);

#endif
