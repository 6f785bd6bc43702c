/* compress.h - ramdisk compression: lz4 legacy, gzip, none; bounded decoders.
 *
 * lz4 legacy (the format Linux's unlz4 and MediaTek ramdisks use):
 *   +0  4  magic 02 21 4c 18 (LE 0x184c2102)
 *   then blocks: LE32 compressed size, that many bytes of one LZ4 block that
 *   decompresses to at most 8 MiB; every block but the last holds exactly
 *   8 MiB of input. A size equal to the magic starts a concatenated stream.
 *   We compress each 8 MiB block with LZ4_compress_HC at level 12, which is
 *   what `lz4 -l -12 --favor-decSpeed` writes (the legacy path of the CLI
 *   ignores --favor-decSpeed), so the bytes match the CLI's.
 * gzip: zlib deflate, windowBits 31, header without a name or mtime.
 * lz4 frame (04 22 4d 18) is read only.
 *
 * Decoders never write more than the caller's cap: a decompression bomb is
 * an error (-EFBIG), not an allocation.
 */
#ifndef BOOTKIT_COMPRESS_H
#define BOOTKIT_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "cpio.h"
#include "diag.h"

enum comp { COMP_NONE, COMP_GZIP, COMP_LZ4_LEGACY, COMP_LZ4_FRAME, COMP_UNKNOWN };

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)
#define COMP_DEFAULT_CAP (512u << 20) /* decompressed ramdisk size cap */

const char *comp_name(enum comp c);
/* Parse "none", "gzip", "gzip:N" (N 1..9), "lz4" (legacy; "lz4:N" 1..12).
 * Returns 0 or -EINVAL. *level gets the default when absent. */
int comp_parse(const char *s, enum comp *c, int *level);
/* Compression of a ramdisk from its first bytes (cpio is COMP_NONE). A known
 * but unsupported format (xz, zstd...) is COMP_UNKNOWN with *what naming it. */
enum comp comp_detect(const uint8_t *p, size_t n, const char **what);

/* A sink that compresses into another sink. Owns its buffers. */
struct zsink;
int zsink_new(enum comp c, int level, struct sink *out, struct zsink **zs);
struct sink *zsink_sink(struct zsink *zs);
/* Flush everything and end the stream. Then free. */
int zsink_finish(struct zsink *zs);
void zsink_free(struct zsink *zs);
uint64_t zsink_bytes_in(const struct zsink *zs);

/* A sink writing to a file descriptor and counting bytes. */
struct fd_sink {
	struct sink s;
	int fd;
	uint64_t bytes;
};
void fd_sink_init(struct fd_sink *fs, int fd);

/* A sink collecting into a growing malloc'ed buffer. */
struct mem_sink {
	struct sink s;
	uint8_t *buf;
	size_t len, cap;
};
void mem_sink_init(struct mem_sink *ms);

/*
 * Decompress all of in (format c, COMP_NONE copies) into a malloc'ed buffer
 * of at most cap bytes. Errors name the offset in the input: -EBADMSG for
 * corrupt data, -EFBIG past cap, -ENOMEM.
 */
int decompress_all(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		   size_t *outlen, struct diag *d);

#endif
