/* imgwrite.h - stream a boot or vendor_boot image from its parts.
 *
 * Every section is a list of pieces (bytes in memory, or a range of an open
 * file), so an untouched section of a stock image is copied from the stock
 * file byte for byte (with its original padding), a replaced one comes from a
 * new file, and a MediaTek header is a 512-byte piece in front. Nothing is
 * held in memory but one copy buffer: peak memory does not grow with the
 * image. The id (boot v0-v2) is hashed while the sections stream out and the
 * header page is rewritten at the end.
 */
#ifndef BOOTKIT_IMGWRITE_H
#define BOOTKIT_IMGWRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"
#include "mkbootimg/bootimg.h"

/* Bytes from memory (mem != NULL), from fd at off, or (fill) len copies of
 * byte (padding, streamed: never len bytes in memory). */
struct piece {
	const uint8_t *mem;
	int fd;
	uint64_t off, len;
	bool fill;
	uint8_t byte;
};

#define SECTION_MAX_PIECES (VENDOR_RAMDISK_MAX_ENTRIES + 2)

struct section_src {
	struct piece piece[SECTION_MAX_PIECES];
	unsigned n;
	bool copy_pad; /* padding comes from pad (the original bytes), not zeros */
	struct piece pad;
};

enum id_mode {
	ID_KEEP,   /* write img.id as it is */
	ID_SHA1,   /* compute the AOSP id */
	ID_SHA256, /* compute the SHA-256 variant */
};

struct image_plan {
	struct piece prefix; /* bytes before the header (a DHTB pre-header...), len 0: none */
	struct bootimg img;  /* header fields; section sizes are set by image_plan_layout() */
	uint8_t *hdr;	     /* img.header_len bytes to encode over (zeroed for a new image) */
	struct section_src src[BP_COUNT];
	struct piece trailer; /* bytes after the last page (len 0: none) */
	enum id_mode id_mode;
};

/* Append a piece to a section. */
int section_add(struct section_src *s, struct piece p, struct diag *d);

/* Total bytes of a section's pieces. */
uint64_t section_src_size(const struct section_src *s);

/* Set the size fields of p->img from its sources, lay the image out and
 * return 0, or -EOVERFLOW when a section does not fit the 32-bit fields. */
int image_plan_layout(struct image_plan *p, struct diag *d);

/* Bytes the image will have (layout done), prefix and trailer included. */
uint64_t image_plan_size(const struct image_plan *p);

/* Write the prefix, then the image, to out_fd (positioned at 0). Computes
 * the id when asked. */
int image_write(struct image_plan *p, int out_fd, struct diag *d);

#endif
