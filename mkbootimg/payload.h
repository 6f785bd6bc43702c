/* payload.h - what a boot image section holds: compression by magic, kernel
 * image kind, appended device trees.
 *
 * Magics (first bytes of the payload):
 *   gzip 1f 8b             lz4 legacy 02 21 4c 18   lz4 frame 04 22 4d 18
 *   xz fd 37 7a 58 5a 00   bzip2 42 5a 68           lzma 5d 00 00
 *   zstd 28 b5 2f fd       lzop 89 4c 5a 4f         cpio newc "070701"/"070702"
 *   FDT d0 0d fe ed (big-endian header: totalsize at +4)
 *   DTBO table d7 b7 ab 1e
 * Kernels: ARM zImage (0x016f2818 at +0x24; +0x28 start, +0x2c end: a DTB
 * appended by CONFIG_ARM_APPENDED_DTB sits at end - start), arm64 Image
 * ("ARM\x64" at +0x38), x86 bzImage ("HdrS" at +0x202).
 */
#ifndef BOOTKIT_PAYLOAD_H
#define BOOTKIT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum payload_fmt {
	PF_UNKNOWN,
	PF_EMPTY,
	PF_GZIP,
	PF_LZ4_LEGACY,
	PF_LZ4_FRAME,
	PF_XZ,
	PF_BZIP2,
	PF_LZMA,
	PF_ZSTD,
	PF_LZOP,
	PF_CPIO,
	PF_FDT,
	PF_DTBO,
	PF_ZIMAGE,
	PF_ARM64_IMAGE,
	PF_BZIMAGE,
	PF_COUNT
};

#define PAYLOAD_PROBE_LEN 1024u /* bytes payload_detect() wants to see */
#ifndef FDT_MAGIC
#define FDT_MAGIC 0xd00dfeedu /* libfdt's fdt.h says the same */
#endif
#define FDT_MIN_SIZE	  40u	/* an FDT header */
#define FDT_CHAIN_MAX	  256u	/* appended DTBs counted, at most */
#define FDT_SCAN_GOOD_MAX 4096u /* scan: chain starts remembered (a real kernel has a few) */

/* Short lower-case name: "gzip", "lz4-legacy", "zImage"... */
const char *payload_fmt_name(enum payload_fmt f);

/* True for the formats that are a compression of something else. */
bool payload_fmt_is_compression(enum payload_fmt f);

/* Identify the payload from its first len bytes. */
enum payload_fmt payload_detect(const uint8_t *buf, size_t len);

/* The zImage's own length from its header, 0 if buf is not a zImage. */
uint64_t zimage_length(const uint8_t *buf, size_t len);

/*
 * Appended device trees in a kernel section: find the first offset from which
 * one or more FDT blobs follow back to back up to exactly the end (off+len) of
 * the payload at off in fd. hint: where the kernel proper ends when known
 * (zImage), else 0 to scan: one pass from the end, linear in len whatever
 * the bytes (fake headers included), memory bounded by FDT_SCAN_GOOD_MAX.
 * Returns 1 with *dtb_off (relative to off) and *count set, 0 when there is
 * none, negative errno on read errors.
 */
int payload_find_appended_dtb(int fd, uint64_t off, uint64_t len, uint64_t hint, uint64_t *dtb_off,
			      unsigned *count);

#endif
