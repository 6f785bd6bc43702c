/* trailer.h - what follows the last section of a boot image.
 *
 * Stock images often carry bytes after the last page: Samsung's
 * "SEANDROIDENFORCE" marker (ff ff ff ff after it on DHTB images), LG's
 * 16-byte "bump" marker (41 a9 e4 67 74 4d 1d 1b a4 29 f2 ec ea 65 52 79),
 * an Android Verified Boot footer (64 bytes at the
 * very end of the partition: "AVBf", major, minor (BE u32), original image
 * size, vbmeta offset, vbmeta size (BE u64), 28 reserved) with its vbmeta blob
 * ("AVB0"), or padding (0x00 or 0xff) up to the partition size. They are
 * classified here and shown by `bootimg info`; repack copies the markers
 * (they are not signatures) and writes the AVB data anew.
 */
#ifndef BOOTKIT_TRAILER_H
#define BOOTKIT_TRAILER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"
#include "mkbootimg/avb.h"

#define SEANDROID_MAGIC	  "SEANDROIDENFORCE"
#define SEANDROID_LEN	  16
#define LGBUMP_MAGIC	  "\x41\xa9\xe4\x67\x74\x4d\x1d\x1b\xa4\x29\xf2\xec\xea\x65\x52\x79"
#define LGBUMP_LEN	  16
#define TRAILER_MAX_ITEMS 8

enum trailer_kind {
	TR_ZERO,      /* 0x00 padding */
	TR_FF,	      /* 0xff padding (erased flash) */
	TR_SEANDROID, /* "SEANDROIDENFORCE" */
	TR_VBMETA,    /* AVB vbmeta blob pointed to by the footer */
	TR_AVB_FOOTER,
	TR_DATA,	     /* anything else */
	TR_LGBUMP,	     /* LG's bump marker */
	TR_VBMETA_NO_FOOTER, /* "AVB0" data with no AVB footer at the end */
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
