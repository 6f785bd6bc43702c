/* mtk.h - the MediaTek "mkimg" 512-byte header on boot image payloads.
 *
 * MT65xx bootloaders (LK) expect the kernel and ramdisk sections of a boot
 * image to start with this header; the Android header's sizes include it.
 * The MT6572 LK hangs when it is missing or misnamed.
 *
 *   0x00  magic 0x58881688 (bytes 88 16 88 58)
 *   0x04  dsize: payload bytes that follow the 512-byte header
 *   0x08  name[32], NUL-padded: KERNEL, ROOTFS (boot ramdisk), RECOVERY
 *   0x28  maddr (0xffffffff: let the loader pick)
 *   0x2c  mode (newer images)
 *   0x30  ext_magic 0x58891689 (newer images), then hdr_size, hdr_version,
 *         img_type, img_list_end, align_size, dsize_extend, maddr_extend
 *   rest  0xff
 * On repack the original 512 bytes are kept and only dsize changes.
 */
#ifndef BOOTKIT_MTK_H
#define BOOTKIT_MTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define MTK_HDR_SIZE  512
#define MTK_MAGIC     0x58881688u
#define MTK_EXT_MAGIC 0x58891689u
#define MTK_NAME_SIZE 32

enum {
	MTKOFF_MAGIC = 0,
	MTKOFF_DSIZE = 4,
	MTKOFF_NAME = 8,
	MTKOFF_MADDR = 40,
	MTKOFF_MODE = 44,
	MTKOFF_EXT_MAGIC = 48,
	MTKOFF_HDR_SIZE = 52,
	MTKOFF_HDR_VERSION = 56,
	MTKOFF_IMG_TYPE = 60,
	MTKOFF_ALIGN_SIZE = 68,
};
_Static_assert(MTKOFF_NAME + MTK_NAME_SIZE == MTKOFF_MADDR, "mtk name");

struct mtk_hdr {
	uint32_t dsize;
	char name[MTK_NAME_SIZE + 1];
	uint32_t maddr;
	bool ext;
	uint32_t ext_hdr_size, ext_hdr_version, ext_img_type, ext_align_size;
};

/* True when buf (len bytes) starts with the MTK magic. */
bool mtk_hdr_present(const uint8_t *buf, size_t len);

/*
 * Parse a header at the start of a section of section_size bytes. Checks the
 * name is terminated and dsize fits the section. Returns 0 or -EINVAL.
 */
int mtk_hdr_parse(const uint8_t *buf, size_t len, uint64_t section_size, struct mtk_hdr *h,
		  struct diag *d);

/* Fill out[MTK_HDR_SIZE] with a fresh header: name, dsize, maddr 0xffffffff, 0xff fill. */
int mtk_hdr_build(uint8_t *out, const char *name, uint64_t dsize, struct diag *d);

/* Change only dsize of an existing header. */
int mtk_hdr_set_dsize(uint8_t *hdr, uint64_t dsize, struct diag *d);

#endif
