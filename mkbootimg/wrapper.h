/* wrapper.h - pre-headers some vendors put in front of a boot image, and the
 * markers they put after it.
 *
 * In front (the boot image's "ANDROID!" header then starts at an offset):
 *
 *   DHTB (Samsung / Spreadtrum, 512 bytes at 0)
 *     0x00  magic "DHTB\x01\x00\x00\x00"
 *     0x08  checksum[40]: SHA-256 (32 bytes used) of the `size` bytes at 512
 *     0x30  size (LE32): the covered bytes: the page-aligned image and the
 *           "SEANDROIDENFORCE" + ff ff ff ff marker after it
 *     0x34  padding to 512
 *   Tegra BLOB (104 bytes at 0)
 *     0x00  "-SIGNED-BY-SIGNBLOB-"   0x1c "MSM-RADIO-UPDATE"
 *     0x60  size (LE32): the bytes after the 104-byte header; no checksum
 *   NOOK HD (1 MiB at 0): an "ANDROID!" page whose cmdline field starts with
 *     "Red Loader", "Green Loader", "Green Recovery", "eMMC boot.img+secondloader"
 *     or "eMMC recovery.img+secondloader"; the real image at 0x100000
 *   Acclaim (256 KiB at 0): an "ANDROID!" page whose name starts with
 *     "BauwksBoot"; the real image at 0x40000
 *
 * On repack the pre-header is kept byte for byte; only DHTB's size and
 * checksum and BLOB's size follow the new image (they change by the bytes
 * the image grew or shrank). Facts: magiskboot's format detection (read for
 * the layouts, not copied).
 */
#ifndef BOOTKIT_WRAPPER_H
#define BOOTKIT_WRAPPER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"

#define DHTB_SIZE	  512u
#define DHTB_MAGIC	  "DHTB\x01\x00\x00\x00"
#define DHTB_OFF_SHA	  8u
#define DHTB_OFF_SIZE	  48u
#define BLOB_SIZE	  104u
#define BLOB_MAGIC	  "-SIGNED-BY-SIGNBLOB-"
#define BLOB_OFF_SIZE	  96u
#define NOOK_SIZE	  0x100000u
#define ACCLAIM_SIZE	  0x40000u
#define WRAPPER_PROBE_LEN 1024u /* bytes wrapper_detect() wants from offset 0 */
_Static_assert(BLOB_OFF_SIZE + 8 <= BLOB_SIZE, "blob size field inside the header");

enum wrap_kind { WRAP_NONE, WRAP_DHTB, WRAP_BLOB, WRAP_NOOK, WRAP_ACCLAIM };

struct wrapper {
	enum wrap_kind kind;
	uint64_t size;	    /* bytes before the boot image header */
	uint32_t covered;   /* DHTB, BLOB: the size field */
	uint8_t sha256[32]; /* DHTB: the stored checksum */
};

const char *wrapper_name(enum wrap_kind k);

/* Look at the first len bytes of a file of file_size bytes (at least
 * min(WRAPPER_PROBE_LEN, file_size); for NOOK and Acclaim the caller also
 * confirms "ANDROID!" at w->size). Fills w (WRAP_NONE when nothing). */
void wrapper_detect(const uint8_t *buf, size_t len, uint64_t file_size, struct wrapper *w);

/* The new size field after the image body changed from old_body to
 * new_body bytes; -EOVERFLOW when it no longer fits 32 bits. */
int wrapper_new_covered(const struct wrapper *w, uint64_t old_body, uint64_t new_body,
			uint32_t *out, struct diag *d);

/* Patch the pre-header already written at the start of out_fd: the size
 * field, and for DHTB the SHA-256 of the covered bytes read back from
 * out_fd. */
int wrapper_fix_output(const struct wrapper *w, int out_fd, uint32_t covered, struct diag *d);

#endif
