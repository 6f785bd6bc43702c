/* compress.h - ramdisk compression: what Linux's initramfs reads; bounded decoders.
 *
 * Read and written (pack -c, edit keeps the input's):
 * lz4 legacy (the format Linux's unlz4 and MediaTek ramdisks use):
 *   +0  4  magic 02 21 4c 18 (LE 0x184c2102)
 *   then blocks: LE32 compressed size, that many bytes of one LZ4 block that
 *   decompresses to at most 8 MiB; every block but the last holds exactly
 *   8 MiB of input. A size equal to the magic starts a concatenated stream;
 *   a size of 0 ends the stream (the kernel's rule since 2021: NUL padding).
 *   We compress each 8 MiB block with LZ4_compress_HC at level 12, which is
 *   what `lz4 -l -12 --favor-decSpeed` writes (the legacy path of the CLI
 *   ignores --favor-decSpeed), so the bytes match the CLI's. magiskboot's
 *   "lz4_lg" variant (a last LE32 word holding the decompressed size) is read
 *   when that word matches.
 * gzip: zlib deflate, windowBits 31, header without a name or mtime.
 * xz (fd 37 7a 58 5a 00): one LZMA2 filter and a CRC32 check, the only
 *   checks the kernel's XZ Embedded knows (none, CRC32); the dictionary is at
 *   most 1 MiB, since the kernel allocates it whole at boot. The default
 *   (level 6) is what Kbuild's `xz --check=crc32 --lzma2=dict=1MiB` writes.
 * lzma ("lzma_alone", what the kernel's unlzma reads): 13-byte header (props
 *   5d, LE32 dictionary size, LE64 size, all ff = unknown), then LZMA1 data
 *   ending with an end marker. Same presets and 1 MiB dictionary cap as xz.
 * bzip2 ("BZh1".."BZh9"): libbz2, block size 100k x level (9 by default,
 *   what Kbuild's `bzip2 -9` writes).
 * zstd (28 b5 2f fd): one frame with a content checksum, level 19 by default
 *   (Kbuild's `zstd -19`); kernels read zstd ramdisks since 5.9.
 * Read only: lz4 frame (04 22 4d 18; the kernel does not read it, so edit
 *   writes lz4 legacy). Named but refused: lzop.
 *
 * A ramdisk may be several streams back to back, as the kernel's initramfs
 * buffer is ("\0" | cpio | compressed cpio)*: decompress_all decodes the
 * first in the format the caller detected and every following one by its
 * magic (concatenated gzip members, xz/zstd/lz4 frames, bzip2 and lzma
 * streams, plain cpio archives), skipping NUL padding and lz4/zstd skippable
 * frames between them. Anything else after a stream is an error naming its
 * offset, never a silent drop.
 *
 * Decoders never write more than the caller's cap: a decompression bomb is
 * an error (-EFBIG), not an allocation. Decoder memory (xz/lzma dictionaries,
 * zstd windows) is capped by COMP_DEC_MEM_MAX, whatever a header asks for.
 */
#ifndef BOOTKIT_COMPRESS_H
#define BOOTKIT_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "ramdisk/cpio.h"

enum comp {
	COMP_NONE,
	COMP_GZIP,
	COMP_LZ4_LEGACY,
	COMP_LZ4_FRAME,
	COMP_XZ,
	COMP_LZMA,
	COMP_BZIP2,
	COMP_ZSTD,
	COMP_UNKNOWN
};

#define LZ4_LEGACY_MAGIC   0x184c2102u
#define LZ4_LEGACY_BLOCK   (8u << 20)
#define LZ4_FRAME_MAGIC	   0x184d2204u
#define SKIPPABLE_MAGIC	   0x184d2a50u /* lz4 and zstd: 0x184d2a50..5f, LE32 size */
#define ZSTD_MAGIC	   0xfd2fb528u
#define LZMA_HDR_SIZE	   13u
#define XZ_KERNEL_DICT_MAX (1u << 20)	/* xz and lzma output: dictionary cap */
#define COMP_DEFAULT_CAP   (512u << 20) /* decompressed ramdisk size cap */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define COMP_DEC_MEM_MAX (128u << 20) /* decoder memory cap (dictionary, window) */
#else /* make fuzz: a header asking for 64 MiB costs ASan 8 MiB of shadow each try */
#define COMP_DEC_MEM_MAX (8u << 20)
#endif

/* A -c word with its level, as comp_write_name and a spec give it ("xz:9"). */
#define COMP_NAME_MAX 24
const char *comp_name(enum comp c);
/* The -c name (comp_parse) that writes c back: lz4 for both lz4 formats
 * (frames are read, not written: what kernels read is legacy). */
const char *comp_write_name(enum comp c);
/* Parse "none", "gzip", "gzip:N" (N 1..9), "lz4" (legacy; "lz4:N" 1..12),
 * "xz", "xz:N" (0..9), "lzma", "lzma:N" (0..9), "bzip2", "bzip2:N" (1..9),
 * "zstd", "zstd:N" (1..19). Returns 0 or -EINVAL. *level gets the default
 * when absent. */
int comp_parse(const char *s, enum comp *c, int *level);
/* The level a format is written at when none is given (0 for none). */
int comp_default_level(enum comp c);
/* Compression of a ramdisk from its first bytes (cpio is COMP_NONE); lz4 or
 * zstd skippable frames in front are looked past. A known but unsupported
 * format (lzop) is COMP_UNKNOWN with *what naming it. */
enum comp comp_detect(const uint8_t *p, size_t n, const char **what);

/* A sink that compresses into another sink. Owns its buffers. Formats:
 * none, gzip, lz4 legacy, xz, lzma, bzip2, zstd (-EINVAL for others). */
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
 * Decompress all of in into a malloc'ed buffer of at most cap bytes: the
 * first stream in format c (COMP_NONE: plain cpio, copied), then every
 * stream that follows, each in the format its magic names (see above), as
 * one buffer. Errors name the offset in the input: -EBADMSG for corrupt or
 * truncated data and for junk after a stream, -EFBIG past cap or past
 * COMP_DEC_MEM_MAX, -ENOTSUP for a format not read here (lzop), -ENOMEM.
 */
int decompress_all(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		   size_t *outlen, struct diag *d);

/*
 * The one stream at the start of in, as far as it decodes, into a malloc'ed
 * buffer of at most cap bytes: what follows it (a kernel's size word, its
 * appended DTB) is not looked at, and a fault or the cap after some output
 * keeps that output (*whole says whether the stream ended cleanly). For
 * reading what a payload holds (a kernel's version string), not for
 * ramdisks. -EBADMSG when nothing decodes, -ENOMEM.
 */
int decompress_prefix(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		      size_t *outlen, bool *whole, struct diag *d);

/* What decompress_streams found: how many streams (a run of plain cpio
 * archives is one), and whether any is not in the first one's format. */
struct decomp_info {
	unsigned streams;
	bool mixed;
};
/* decompress_all, and what it found in *info. */
int decompress_streams(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		       size_t *outlen, struct decomp_info *info, struct diag *d);

/*
 * Streaming decode of one stream, from a file or from memory, in bounded
 * memory: what a kernel's payload needs (a search that tries many starts,
 * and a decode of tens of MiB that is scanned, not kept). A zsrc is len
 * bytes at off of fd, or of mem when mem is not NULL.
 */
struct zsrc {
	int fd;
	const uint8_t *mem;
	uint64_t off, len;
};
/* Receives the decoded bytes in pieces: 0 to go on, 1 to stop (not an
 * error), or -errno to stop with that error. */
typedef int (*zemit_fn)(void *ctx, const uint8_t *p, size_t n);

/* Decoder states and buffers, kept across calls (many tries cost no
 * allocation each). Buffers: 256 KiB in and out; lz4 legacy blocks (8 MiB
 * out, the block in when read from a file) as they come. */
struct zstream;
int zstream_new(struct zstream **zs);
void zstream_free(struct zstream *zs); /* NULL is fine */

/* What a zstream_prefix call did. */
struct zresult {
	uint64_t made; /* bytes given to emit */
	uint64_t used; /* input bytes the decoder took */
	bool whole;    /* the stream ended cleanly (not cut by the input, a fault or the cap) */
};

/*
 * Decode the one stream of format c at the start of src, as far as it
 * decodes, handing the output to emit; stops at the stream's end, at the
 * end of src (an lz4 legacy block cut by it gives what it holds), at a
 * fault, after cap bytes, or when emit says so. Returns 0 when something
 * came out or the stream ended cleanly, -EBADMSG when nothing decodes,
 * -ENOTSUP for a format not decoded here, -ENOMEM, a read error or
 * emit's error; *res is set in every case.
 */
int zstream_prefix(struct zstream *zs, enum comp c, const struct zsrc *src, uint64_t cap,
		   zemit_fn emit, void *ctx, struct zresult *res, struct diag *d);

#endif
