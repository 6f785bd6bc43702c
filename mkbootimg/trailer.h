/* trailer.h - what follows the last section of a boot image.
 *
 * Stock images often carry bytes after the last page: Samsung's
 * "SEANDROIDENFORCE" marker, an Android Verified Boot footer (64 bytes at the
 * very end of the partition: "AVBf", major, minor (BE u32), original image
 * size, vbmeta offset, vbmeta size (BE u64), 28 reserved) with its vbmeta blob
 * ("AVB0"), or padding (0x00 or 0xff) up to the partition size. They are
 * classified here, shown by `bootimg info`, and copied verbatim on repack.
 */
#ifndef BOOTKIT_TRAILER_H
#define BOOTKIT_TRAILER_H

#include <stdbool.h>
#include <stdint.h>

#include "avb.h"
#include "diag.h"

#define SEANDROID_MAGIC "SEANDROIDENFORCE"
#define SEANDROID_LEN 16
#define TRAILER_MAX_ITEMS 8

enum trailer_kind {
	TR_ZERO,      /* 0x00 padding */
	TR_FF,        /* 0xff padding (erased flash) */
	TR_SEANDROID, /* "SEANDROIDENFORCE" */
	TR_VBMETA,    /* AVB vbmeta blob pointed to by the footer */
	TR_AVB_FOOTER,
	TR_DATA, /* anything else */
};

struct trailer_item {
	enum trailer_kind kind;
	uint64_t offset, size;
};

struct trailer {
	uint64_t start, size; /* the region after the image's last page */
	struct trailer_item item[TRAILER_MAX_ITEMS];
	unsigned n;
	bool has_avb;
	struct avb_footer avb;
};

const char *trailer_kind_name(enum trailer_kind k);

/* Classify [start, file_size) of fd. Returns 0 or a negative errno. */
int trailer_scan(int fd, uint64_t start, uint64_t file_size, struct trailer *t, struct diag *d);

#endif
