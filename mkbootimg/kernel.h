/* kernel.h - what a boot image's kernel is: its compressed payload, the
 * version string and the embedded config (IKCONFIG).
 *
 *   ARM zImage: a small decompressor, then the compressed vmlinux (the
 *     "piggy": gzip, xz, lzma, lz4 legacy, lzo or zstd) somewhere after the
 *     header (offset 0x24 magic 0x016f2818, 0x28 start, 0x2c end; real
 *     kernels have it 14-55 KiB in), then a size word, the GOT and maybe
 *     appended DTBs. Found by its magic anywhere in the zImage and confirmed
 *     by decoding the first bytes.
 *   arm64 Image ("ARM\x64" at 0x38): not compressed; Image.gz/.lz4... are a
 *     compression at offset 0.
 *   x86 bzImage ("HdrS" at 0x202): the payload at (setup_sects + 1) * 512 +
 *     payload_offset (LE32 at 0x248), payload_length at 0x24c.
 *
 * In the decompressed kernel: "Linux version RELEASE (USER@HOST) (COMPILER)
 * #N ..." (init/version.c), and "IKCFG_ST" followed by a gzip'ed .config up to
 * "IKCFG_ED" (kernel/configs.c) when CONFIG_IKCONFIG is set.
 */
#ifndef BOOTKIT_KERNEL_H
#define BOOTKIT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "lib/textsize.h"
#include "mkbootimg/payload.h"
#include "ramdisk/compress.h"

#define KERNEL_READ_MAX (64u << 20) /* a kernel section looked into, at most */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define KERNEL_VMLINUX_MAX (192u << 20) /* a decompressed kernel, at most */
#define KERNEL_CONFIG_MAX  (4u << 20)	/* an embedded .config, at most */
#else /* make fuzz: the same code with smaller caps, so a bomb costs milliseconds */
#define KERNEL_VMLINUX_MAX (1u << 20)
#define KERNEL_CONFIG_MAX  (256u << 10)
#endif
#define KERNEL_VERSION_MAX 1024 /* clang-built banners run past 400 */

struct kernel_info {
	uint32_t shim_len;		  /* bootkit's shim in front of a zImage (shim.h), or 0 */
	enum payload_fmt kind;		  /* zImage, arm64-Image, bzImage, a compression, unknown */
	enum payload_fmt inner;		  /* the compressed payload (PF_UNKNOWN: none found) */
	uint64_t inner_at;		  /* its offset in the kernel (the shim included) */
	bool decoded;			  /* the payload decoded (whole or as far as it goes) */
	uint64_t vmlinux_len;		  /* bytes it decoded to */
	char version[KERNEL_VERSION_MAX]; /* "Linux version ..." up to the newline, or "" */
	char release[KERNEL_RELEASE_MAX]; /* its third word (uname -r), or "" */
	bool version_cut;		  /* version holds only its start */
	bool has_config;		  /* IKCFG_ST + gzip found */
	bool search_cut;		  /* the zImage payload search spent its budget */
};

/*
 * Inspect the kernel of len bytes at off in fd, streaming (memory bounded
 * whatever its size): find and decode the payload, read the version string;
 * with config non-NULL, also the embedded .config into a malloc'ed *config
 * (*config_len bytes; NULL when there is none). With vmlinux non-NULL, the
 * decoded kernel is handed to it in pieces (its error stops the decode and
 * is returned). With neither, only the version is wanted: the decode stops
 * once it is read (vmlinux_len then counts what was decoded up to there).
 * Returns 0 (ki says what was found) or -ENOMEM / a read error.
 */
int kernel_inspect(int fd, uint64_t off, uint64_t len, struct kernel_info *ki, uint8_t **config,
		   size_t *config_len, zemit_fn vmlinux, void *vctx, struct diag *d);

/* The version string and release in a decompressed (or plain) kernel. */
bool kernel_find_version(const uint8_t *k, size_t n, struct kernel_info *ki);

#endif
