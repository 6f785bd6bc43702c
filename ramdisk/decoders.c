/* decoders.c - the streaming decoders of decoders.h: zlib, liblzma, libbz2,
 * libzstd and liblz4's frame API, each bounded (zstd's window capped). */
#include "ramdisk/decoders.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd_errors.h>

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define ZSTD_WINDOW_LOG_MAX 27
#else
#define ZSTD_WINDOW_LOG_MAX 23
#endif
_Static_assert(1u << ZSTD_WINDOW_LOG_MAX == COMP_DEC_MEM_MAX, "zstd window cap");

static unsigned clamp32(size_t n)
{
	return n > (1u << 30) ? 1u << 30 : (unsigned)n;
}

static int gz_init(union dstate *s)
{
	memset(&s->z, 0, sizeof(s->z));
	return inflateInit2(&s->z, 15 + 16) == Z_OK ? 0 : -ENOMEM; /* gzip wrapper only */
}

static int gz_reset(union dstate *s)
{
	return inflateReset(&s->z) == Z_OK ? 0 : -EINVAL;
}

static int gz_step(union dstate *s, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
		   size_t room, size_t *made, const char **why)
{
	z_stream *z = &s->z;
	int r;

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = clamp32(n);
	z->next_out = out;
	z->avail_out = clamp32(room);
	r = inflate(z, Z_NO_FLUSH);
	*used = (size_t)(z->next_in - in);
	*made = (size_t)(z->next_out - out);
	switch (r) {
	case Z_STREAM_END: return 1;
	case Z_OK:
	case Z_BUF_ERROR: return 0; /* no progress: run_stream decides */
	case Z_MEM_ERROR: return -ENOMEM;
	default: *why = z->msg ? z->msg : "inflate error"; return -EBADMSG;
	}
}

static void gz_end(union dstate *s)
{
	inflateEnd(&s->z);
}

/* xz and lzma: liblzma, its memory use capped (the dictionary is allocated
 * at the size the header names). No LZMA_CONCATENATED: one stream a call,
 * so what follows it is ours to judge. */
static int xz_init(union dstate *s)
{
	s->x = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&s->x, COMP_DEC_MEM_MAX, 0) == LZMA_OK)
		return 0;
	lzma_end(&s->x);
	return -ENOMEM;
}

static int xz_reset(union dstate *s)
{
	return lzma_stream_decoder(&s->x, COMP_DEC_MEM_MAX, 0) == LZMA_OK ? 0 : -ENOMEM;
}

static int lzma_init(union dstate *s)
{
	s->x = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&s->x, COMP_DEC_MEM_MAX) == LZMA_OK)
		return 0;
	lzma_end(&s->x);
	return -ENOMEM;
}

static int lzma_reset(union dstate *s)
{
	return lzma_alone_decoder(&s->x, COMP_DEC_MEM_MAX) == LZMA_OK ? 0 : -ENOMEM;
}

static int xz_step(union dstate *s, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
		   size_t room, size_t *made, const char **why)
{
	lzma_stream *x = &s->x;
	lzma_ret r;

	x->next_in = in;
	x->avail_in = n;
	x->next_out = out;
	x->avail_out = room;
	r = lzma_code(x, LZMA_RUN);
	*used = n - x->avail_in;
	*made = room - x->avail_out;
	switch (r) {
	case LZMA_STREAM_END: return 1;
	case LZMA_OK:
	case LZMA_BUF_ERROR: return 0;
	case LZMA_MEM_ERROR: return -ENOMEM;
	case LZMA_MEMLIMIT_ERROR:
		*why = "its dictionary needs more than the decoder's 128 MiB memory cap";
		return -EFBIG;
	case LZMA_FORMAT_ERROR: *why = "bad header"; break;
	case LZMA_OPTIONS_ERROR: *why = "unsupported options"; break;
	case LZMA_DATA_ERROR: *why = "corrupt data or check mismatch"; break;
	default: *why = "liblzma error"; break;
	}
	return -EBADMSG;
}

static void xz_end(union dstate *s)
{
	lzma_end(&s->x);
}

/* libbz2's block array (4 bytes per block byte: 3.6 MB for BZh9) is the one
 * big allocation of a bzip2 stream, and a kernel's payload search may start a
 * trial decode at each of many "BZh" magics: fresh pages each time were most
 * of its cost. One freed big block is kept (BZ_KEEP_MIN or more) and handed
 * to the next stream that fits in it; lock-free, as the compressor's threads
 * may decode too. */
#define BZ_KEEP_MIN (1u << 20)

union bz_head {
	size_t size;
	max_align_t align;
};

static _Atomic(union bz_head *) bz_kept;

static void *bz_alloc(void *opaque, int n, int m)
{
	size_t need;
	union bz_head *h;

	(void)opaque;
	if (n < 0 || m < 0 || (m && (size_t)n > (SIZE_MAX - sizeof(*h)) / (size_t)m))
		return NULL;
	need = (size_t)n * (size_t)m;
	if (need >= BZ_KEEP_MIN && (h = atomic_exchange(&bz_kept, NULL))) {
		if (h->size >= need)
			return h + 1;
		free(h);
	}
	if (!(h = malloc(sizeof(*h) + need)))
		return NULL;
	h->size = need;
	return h + 1;
}

static void bz_free(void *opaque, void *p)
{
	union bz_head *h = p ? (union bz_head *)p - 1 : NULL;

	(void)opaque;
	if (h && h->size >= BZ_KEEP_MIN)
		h = atomic_exchange(&bz_kept, h); /* keep it; free what was kept */
	free(h);
}

/* bzip2: one stream ("BZh1".."BZh9" to its end-of-stream marker and CRC) a
 * call; libbz2 reads no byte past it. */
static int bz_init(union dstate *s)
{
	memset(&s->b, 0, sizeof(s->b));
	s->b.bzalloc = bz_alloc;
	s->b.bzfree = bz_free;
	return BZ2_bzDecompressInit(&s->b, 0, 0) == BZ_OK ? 0 : -ENOMEM;
}

static int bz_reset(union dstate *s)
{
	BZ2_bzDecompressEnd(&s->b);
	return bz_init(s);
}

static int bz_step(union dstate *s, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
		   size_t room, size_t *made, const char **why)
{
	bz_stream *b = &s->b;
	int r;

	b->next_in = (char *)(uintptr_t)in;
	b->avail_in = clamp32(n);
	b->next_out = (char *)out;
	b->avail_out = clamp32(room);
	r = BZ2_bzDecompress(b);
	*used = (size_t)((const uint8_t *)b->next_in - in);
	*made = (size_t)((uint8_t *)b->next_out - out);
	switch (r) {
	case BZ_STREAM_END: return 1;
	case BZ_OK: return 0;
	case BZ_MEM_ERROR: return -ENOMEM;
	case BZ_DATA_ERROR_MAGIC: *why = "bad magic"; break;
	case BZ_DATA_ERROR: *why = "corrupt data or CRC mismatch"; break;
	default: *why = "libbz2 error"; break;
	}
	return -EBADMSG;
}

static void bz_end(union dstate *s)
{
	BZ2_bzDecompressEnd(&s->b);
}

/* zstd: one frame a call (ZSTD_decompressStream says 0 at a frame's end). */
static int zstd_init(union dstate *s)
{
	if (!(s->zd = ZSTD_createDCtx()))
		return -ENOMEM;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX))) {
		ZSTD_freeDCtx(s->zd);
		return -EINVAL;
	}
	return 0;
}

static int zstd_reset(union dstate *s)
{
	return ZSTD_isError(ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only)) ? -EINVAL : 0;
}

static int zstd_step(union dstate *s, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
		     size_t room, size_t *made, const char **why)
{
	ZSTD_inBuffer ib = {in, n, 0};
	ZSTD_outBuffer ob = {out, room, 0};
	size_t r = ZSTD_decompressStream(s->zd, &ob, &ib);

	*used = ib.pos;
	*made = ob.pos;
	if (!ZSTD_isError(r))
		return r == 0;
	*why = ZSTD_getErrorName(r);
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_memory_allocation: return -ENOMEM;
	case ZSTD_error_frameParameter_windowTooLarge:
		*why = "its window needs more than the decoder's 128 MiB memory cap";
		return -EFBIG;
	default: return -EBADMSG;
	}
}

static void zstd_end(union dstate *s)
{
	ZSTD_freeDCtx(s->zd);
}

/* lz4 frame: one frame a call (LZ4F_decompress says 0 at a frame's end). */
static int lz4f_init(union dstate *s)
{
	return LZ4F_isError(LZ4F_createDecompressionContext(&s->lf, LZ4F_VERSION)) ? -ENOMEM : 0;
}

static int lz4f_reset(union dstate *s)
{
	LZ4F_resetDecompressionContext(s->lf);
	return 0;
}

static int lz4f_step(union dstate *s, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
		     size_t room, size_t *made, const char **why)
{
	size_t src = n, dst = room;
	size_t r = LZ4F_decompress(s->lf, out, &dst, in, &src, NULL);

	*used = src;
	*made = dst;
	if (LZ4F_isError(r)) {
		*why = LZ4F_getErrorName(r);
		return -EBADMSG;
	}
	return r == 0;
}

static void lz4f_end(union dstate *s)
{
	LZ4F_freeDecompressionContext(s->lf);
}

const struct decoder *decoder_of(enum comp c)
{
	static const struct decoder gz = {gz_init, gz_reset, gz_step, gz_end},
				    xz = {xz_init, xz_reset, xz_step, xz_end},
				    lzma = {lzma_init, lzma_reset, xz_step, xz_end},
				    bz = {bz_init, bz_reset, bz_step, bz_end},
				    zstd = {zstd_init, zstd_reset, zstd_step, zstd_end},
				    lz4f = {lz4f_init, lz4f_reset, lz4f_step, lz4f_end};

	switch (c) {
	case COMP_GZIP: return &gz;
	case COMP_XZ: return &xz;
	case COMP_LZMA: return &lzma;
	case COMP_BZIP2: return &bz;
	case COMP_ZSTD: return &zstd;
	case COMP_LZ4_FRAME: return &lz4f;
	default: return NULL;
	}
}

void dstates_end(struct dstates *ds)
{
	for (unsigned c = 0; c < COMP_UNKNOWN; c++)
		if (ds->live[c])
			decoder_of((enum comp)c)->end(&ds->st[c]);
}
