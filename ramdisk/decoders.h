/* decoders.h - one streaming decoder per stream format (gzip, xz, lzma,
 * bzip2, zstd, lz4 frame) behind one interface, for the ramdisk library's
 * decompress.c (a ramdisk's streams, in memory and streamed). Internal to
 * ramdisk/: compress.h is the interface. */
#ifndef BOOTKIT_DECODERS_H
#define BOOTKIT_DECODERS_H

#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "ramdisk/compress.h"

union dstate {
	z_stream z;
	lzma_stream x;
	bz_stream b;
	ZSTD_DCtx *zd;
	LZ4F_dctx *lf;
};

/*
 * init: the first stream of a format (cleans up after itself on failure);
 * reset: every later one (the state is reused, so many tiny streams cost no
 * allocation each). step: decode from in (n bytes) into out (room bytes),
 * telling what it took (*used) and gave (*made); 1 at the end of the stream,
 * 0 to go on, or -EBADMSG/-EFBIG/-ENOMEM with *why.
 */
struct decoder {
	int (*init)(union dstate *s);
	int (*reset)(union dstate *s);
	int (*step)(union dstate *s, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
		    size_t room, size_t *made, const char **why);
	void (*end)(union dstate *s);
};

/* The decoder of a stream format, or NULL (lz4 legacy, cpio: by hand). */
const struct decoder *decoder_of(enum comp c);

/* The decoder states of one decompress_all call, one per format, made on
 * first use. */
struct dstates {
	union dstate st[COMP_UNKNOWN];
	bool live[COMP_UNKNOWN];
};

/* End every state made. */
void dstates_end(struct dstates *ds);

#endif
