/* compress.c - compression names, detection and sinks (lz4 legacy on threads,
 * gzip, xz, lzma, bzip2, zstd). The decoders are in decompress.c. See
 * compress.h. */
#include "ramdisk/compress.h"

#include <bzlib.h>
#include <errno.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "lib/bytes.h"
#include "lib/fileio.h"

/* What -c accepts: name, default level, level range (min > max: no level). */
static const struct {
	enum comp c;
	const char *name;
	int def, min, max;
} writable[] = {
    {COMP_NONE, "none", 0, 1, 0},
    {COMP_GZIP, "gzip", 9, 1, 9},
    {COMP_LZ4_LEGACY, "lz4", 12, 1, 12},
    {COMP_LZ4_LEGACY, "lz4-legacy", 12, 1, 12},
    {COMP_XZ, "xz", 6, 0, 9},
    {COMP_LZMA, "lzma", 6, 0, 9},
    {COMP_BZIP2, "bzip2", 9, 1, 9},
    {COMP_ZSTD, "zstd", 19, 1, 19},
};

const char *comp_name(enum comp c)
{
	switch (c) {
	case COMP_NONE: return "none";
	case COMP_GZIP: return "gzip";
	case COMP_LZ4_LEGACY: return "lz4-legacy";
	case COMP_LZ4_FRAME: return "lz4-frame";
	case COMP_XZ: return "xz";
	case COMP_LZMA: return "lzma";
	case COMP_BZIP2: return "bzip2";
	case COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

const char *comp_write_name(enum comp c)
{
	return c == COMP_LZ4_FRAME || c == COMP_LZ4_LEGACY ? "lz4" : comp_name(c);
}

int comp_default_level(enum comp c)
{
	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++)
		if (writable[i].c == c)
			return writable[i].def;
	return 0;
}

int comp_parse(const char *s, enum comp *c, int *level)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++) {
		char *end;
		long v;
		if (strlen(writable[i].name) != n || memcmp(s, writable[i].name, n))
			continue;
		*c = writable[i].c;
		*level = writable[i].def;
		if (!colon)
			return 0;
		v = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || !(colon[1] >= '0' && colon[1] <= '9') ||
		    v < writable[i].min || v > writable[i].max)
			return -EINVAL;
		*level = (int)v;
		return 0;
	}
	return -EINVAL;
}

/* lzma_alone: props 5d (lc 3, lp 0, pb 2, what every encoder writes and the
 * kernel's decompress_method keys on with the dictionary's low byte 0), and a
 * size that is unknown (all ff) or below 2^56 (top byte 0). */
static bool is_lzma(const uint8_t *p, size_t n)
{
	return n >= LZMA_HDR_SIZE && p[0] == 0x5d && p[1] == 0 && (p[12] == 0 || p[12] == 0xff);
}

enum comp comp_detect(const uint8_t *p, size_t n, const char **what)
{
	size_t at = 0;

	*what = NULL;
	/* lz4/zstd skippable frames (pzstd writes one first): look past them */
	while (n - at >= 8 && (get_le32(p + at) & ~0xfu) == SKIPPABLE_MAGIC &&
	       get_le32(p + at + 4) <= n - at - 8)
		at += 8 + (size_t)get_le32(p + at + 4);
	if (at) {
		uint32_t m = n - at >= 4 ? get_le32(p + at) : 0;
		if (m == ZSTD_MAGIC)
			return COMP_ZSTD;
		return m == LZ4_FRAME_MAGIC ? COMP_LZ4_FRAME : COMP_UNKNOWN;
	}
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return COMP_GZIP;
	if (n >= 4 && get_le32(p) == LZ4_LEGACY_MAGIC)
		return COMP_LZ4_LEGACY;
	if (n >= 4 && get_le32(p) == LZ4_FRAME_MAGIC)
		return COMP_LZ4_FRAME;
	if (n >= 6 && !memcmp(p,
			      "\xfd"
			      "7zXZ\0",
			      6))
		return COMP_XZ;
	if (n >= 4 && get_le32(p) == ZSTD_MAGIC)
		return COMP_ZSTD;
	if (n >= 4 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9')
		return COMP_BZIP2;
	if (is_lzma(p, n))
		return COMP_LZMA;
	if (n >= 6 && !memcmp(p, "07070", 5))
		return COMP_NONE;
	if (n >= 4 && !memcmp(p, "\x89LZO", 4))
		*what = "lzop";
	return COMP_UNKNOWN;
}

/* ---- sinks -------------------------------------------------------------------- */

static int fd_write(void *ctx, const void *p, size_t n)
{
	struct fd_sink *fs = ctx;
	int err = write_all(fs->fd, p, n);

	if (err == 0)
		fs->bytes += n;
	return err;
}

void fd_sink_init(struct fd_sink *fs, int fd)
{
	fs->s.write = fd_write;
	fs->s.ctx = fs;
	fs->fd = fd;
	fs->bytes = 0;
}

static int mem_write(void *ctx, const void *p, size_t n)
{
	struct mem_sink *ms = ctx;

	if (n > ms->cap - ms->len) {
		size_t cap = ms->cap ? ms->cap : 4096;
		uint8_t *b;
		while (cap - ms->len < n) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		if (!(b = realloc(ms->buf, cap)))
			return -ENOMEM;
		ms->buf = b;
		ms->cap = cap;
	}
	memcpy(ms->buf + ms->len, p, n);
	ms->len += n;
	return 0;
}

void mem_sink_init(struct mem_sink *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->s.write = mem_write;
	ms->s.ctx = ms;
}

/*
 * lz4 legacy blocks are independent, so they are compressed on LZ4_SLOTS
 * threads while the next block fills: block k goes to slot k % LZ4_SLOTS,
 * and a slot is written out (in order) before it is filled again. Memory is
 * LZ4_SLOTS x (8 MiB in + its bound out), whatever the input size.
 */
#define LZ4_SLOTS 2

struct lz4_slot {
	uint8_t *in, *out; /* out: 4-byte size, then the block */
	size_t len;	   /* input bytes */
	int result;	   /* compressed size, <= 0 on error */
	pthread_t thread;
	bool busy;
};

struct zsink;

/* A streaming encoder: consume up to n bytes of in (*used), write up to the
 * zsink's ocap bytes to its obuf (*made). Returns 1 once the stream is ended
 * (finish only), 0 to go on, or -errno. */
struct encoder {
	int (*init)(struct zsink *zs);
	int (*step)(struct zsink *zs, const uint8_t *in, size_t n, size_t *used, size_t *made,
		    bool finish);
	void (*end)(struct zsink *zs);
};

struct zsink {
	struct sink s; /* what callers write into */
	struct sink *out;
	enum comp c;
	int level;
	uint64_t in_bytes;
	bool started;
	struct lz4_slot slot[LZ4_SLOTS];
	unsigned cur; /* slot being filled */
	const struct encoder *enc;
	size_t ocap, onone; /* onone: bytes gathered in obuf without compression */
	uint8_t *obuf;	    /* encoder output */
	union {
		z_stream z;
		lzma_stream x;
		bz_stream b;
		ZSTD_CCtx *zc;
	} u;
	lzma_options_lzma lz; /* xz and lzma: kept for the encoder's lifetime */
};

/* Compress sl->len bytes of sl->in at level (kept in result before the call). */
static void *lz4_block(void *arg)
{
	struct lz4_slot *sl = arg;
	int level = sl->result;

	sl->result = LZ4_compress_HC((const char *)sl->in, (char *)sl->out + 4, (int)sl->len,
				     LZ4_compressBound(LZ4_LEGACY_BLOCK), level);
	put_le32(sl->out, (uint32_t)(sl->result > 0 ? sl->result : 0));
	return NULL;
}

/* Wait for slot i and write its block. */
static int lz4_drain(struct zsink *zs, unsigned i)
{
	struct lz4_slot *sl = &zs->slot[i];

	if (!sl->busy)
		return 0;
	pthread_join(sl->thread, NULL);
	sl->busy = false;
	sl->len = 0;
	if (sl->result <= 0)
		return -EIO;
	return zs->out->write(zs->out->ctx, sl->out, (size_t)sl->result + 4);
}

/* Hand the current slot to a thread (or compress it here if none starts). */
static int lz4_submit(struct zsink *zs)
{
	struct lz4_slot *sl = &zs->slot[zs->cur];
	int err;

	if (!zs->started) {
		uint8_t m[4];
		put_le32(m, LZ4_LEGACY_MAGIC);
		if ((err = zs->out->write(zs->out->ctx, m, 4)) < 0)
			return err;
		zs->started = true;
	}
	if (sl->len == 0)
		return 0;
	sl->result = zs->level;
	sl->busy = true;
	if (pthread_create(&sl->thread, NULL, lz4_block, sl) != 0) {
		lz4_block(sl);
		sl->busy = false;
		if (sl->result <= 0)
			return -EIO;
		err = zs->out->write(zs->out->ctx, sl->out, (size_t)sl->result + 4);
		sl->len = 0;
		if (err)
			return err;
	}
	zs->cur = (zs->cur + 1) % LZ4_SLOTS;
	return lz4_drain(zs, zs->cur); /* the next slot to fill must be free */
}

static int lz4_write(struct zsink *zs, const uint8_t *p, size_t n)
{
	while (n) {
		struct lz4_slot *sl = &zs->slot[zs->cur];
		size_t k = LZ4_LEGACY_BLOCK - sl->len;
		int err;
		if (k > n)
			k = n;
		memcpy(sl->in + sl->len, p, k);
		sl->len += k, p += k, n -= k;
		if (sl->len == LZ4_LEGACY_BLOCK && (err = lz4_submit(zs)) < 0)
			return err;
	}
	return 0;
}

/* Everything out, in order. */
static int lz4_finish(struct zsink *zs)
{
	int err = lz4_submit(zs);

	for (unsigned k = 0; k < LZ4_SLOTS; k++) {
		int e = lz4_drain(zs, (zs->cur + k) % LZ4_SLOTS);
		if (err == 0)
			err = e;
	}
	return err;
}

static int lz4_alloc(struct zsink *zs)
{
	for (unsigned i = 0; i < LZ4_SLOTS; i++) {
		zs->slot[i].in = malloc(LZ4_LEGACY_BLOCK);
		zs->slot[i].out = malloc((size_t)LZ4_compressBound(LZ4_LEGACY_BLOCK) + 4);
		if (!zs->slot[i].in || !zs->slot[i].out)
			return -ENOMEM;
	}
	return 0;
}

/* zlib, libbz2 and liblzma count in 32 bits here: feed at most 1 GiB a call. */
static unsigned clamp32(size_t n)
{
	return n > (1u << 30) ? 1u << 30 : (unsigned)n;
}

/* ---- gzip --------------------------------------------------------------------- */

static int gz_init(struct zsink *zs)
{
	return deflateInit2(&zs->u.z, zs->level, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) == Z_OK
		   ? 0
		   : -ENOMEM;
}

static int gz_step(struct zsink *zs, const uint8_t *in, size_t n, size_t *used, size_t *made,
		   bool finish)
{
	z_stream *z = &zs->u.z;
	int r;

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = clamp32(n);
	z->next_out = zs->obuf;
	z->avail_out = (uInt)zs->ocap;
	r = deflate(z, finish ? Z_FINISH : Z_NO_FLUSH);
	*used = (size_t)(z->next_in - in);
	*made = zs->ocap - z->avail_out;
	if (r == Z_STREAM_END)
		return 1;
	return r == Z_OK || r == Z_BUF_ERROR ? 0 : -EIO;
}

static void gz_end(struct zsink *zs)
{
	deflateEnd(&zs->u.z);
}

/* ---- xz and lzma (liblzma) --------------------------------------------------------- */

/* The preset's options with the dictionary cut to what the kernel allocates
 * comfortably at boot (Kbuild: --lzma2=dict=1MiB). */
static int xz_options(struct zsink *zs)
{
	if (lzma_lzma_preset(&zs->lz, (uint32_t)zs->level))
		return -EINVAL;
	if (zs->lz.dict_size > XZ_KERNEL_DICT_MAX)
		zs->lz.dict_size = XZ_KERNEL_DICT_MAX;
	zs->u.x = (lzma_stream)LZMA_STREAM_INIT;
	return 0;
}

static int lzma_err(lzma_ret r)
{
	return r == LZMA_MEM_ERROR ? -ENOMEM : r == LZMA_OPTIONS_ERROR ? -EINVAL : -EIO;
}

static int xz_init(struct zsink *zs)
{
	lzma_filter f[] = {{LZMA_FILTER_LZMA2, &zs->lz}, {LZMA_VLI_UNKNOWN, NULL}};
	lzma_ret r;
	int err = xz_options(zs);

	if (err)
		return err;
	/* CRC32: XZ Embedded in the kernel knows no other check */
	if ((r = lzma_stream_encoder(&zs->u.x, f, LZMA_CHECK_CRC32)) == LZMA_OK)
		return 0;
	lzma_end(&zs->u.x);
	return lzma_err(r);
}

static int lzma_alone_init(struct zsink *zs)
{
	lzma_ret r;
	int err = xz_options(zs);

	if (err)
		return err;
	if ((r = lzma_alone_encoder(&zs->u.x, &zs->lz)) == LZMA_OK)
		return 0;
	lzma_end(&zs->u.x);
	return lzma_err(r);
}

static int xz_step(struct zsink *zs, const uint8_t *in, size_t n, size_t *used, size_t *made,
		   bool finish)
{
	lzma_stream *x = &zs->u.x;
	lzma_ret r;

	x->next_in = in;
	x->avail_in = n;
	x->next_out = zs->obuf;
	x->avail_out = zs->ocap;
	r = lzma_code(x, finish ? LZMA_FINISH : LZMA_RUN);
	*used = n - x->avail_in;
	*made = zs->ocap - x->avail_out;
	if (r == LZMA_STREAM_END)
		return 1;
	return r == LZMA_OK || r == LZMA_BUF_ERROR ? 0 : lzma_err(r);
}

static void xz_end(struct zsink *zs)
{
	lzma_end(&zs->u.x);
}

/* ---- bzip2 (libbz2) ----------------------------------------------------------------- */

static int bz_init(struct zsink *zs)
{
	/* workFactor 0: libbz2's default (30), as bzip2(1) uses */
	return BZ2_bzCompressInit(&zs->u.b, zs->level, 0, 0) == BZ_OK ? 0 : -ENOMEM;
}

static int bz_step(struct zsink *zs, const uint8_t *in, size_t n, size_t *used, size_t *made,
		   bool finish)
{
	bz_stream *b = &zs->u.b;
	int r;

	b->next_in = (char *)(uintptr_t)in;
	b->avail_in = clamp32(n);
	b->next_out = (char *)zs->obuf;
	b->avail_out = (unsigned)zs->ocap;
	r = BZ2_bzCompress(b, finish ? BZ_FINISH : BZ_RUN);
	*used = (size_t)((const uint8_t *)b->next_in - in);
	*made = zs->ocap - b->avail_out;
	if (r == BZ_STREAM_END)
		return 1;
	return r == BZ_RUN_OK || r == BZ_FINISH_OK ? 0 : -EIO;
}

static void bz_end(struct zsink *zs)
{
	BZ2_bzCompressEnd(&zs->u.b);
}

/* ---- zstd (libzstd) ----------------------------------------------------------------- */

static int zstd_init(struct zsink *zs)
{
	if (!(zs->u.zc = ZSTD_createCCtx()))
		return -ENOMEM;
	/* a content checksum, as zstd(1) writes by default */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(zs->u.zc, ZSTD_c_compressionLevel, zs->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(zs->u.zc, ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(zs->u.zc);
		return -EINVAL;
	}
	return 0;
}

static int zstd_step(struct zsink *zs, const uint8_t *in, size_t n, size_t *used, size_t *made,
		     bool finish)
{
	ZSTD_inBuffer ib = {in, n, 0};
	ZSTD_outBuffer ob = {zs->obuf, zs->ocap, 0};
	size_t r = ZSTD_compressStream2(zs->u.zc, &ob, &ib, finish ? ZSTD_e_end : ZSTD_e_continue);

	*used = ib.pos;
	*made = ob.pos;
	if (ZSTD_isError(r))
		return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? -ENOMEM : -EIO;
	return finish && r == 0;
}

static void zstd_end(struct zsink *zs)
{
	ZSTD_freeCCtx(zs->u.zc);
}

static const struct encoder *encoder_of(enum comp c)
{
	static const struct encoder gz = {gz_init, gz_step, gz_end},
				    xz = {xz_init, xz_step, xz_end},
				    lzma = {lzma_alone_init, xz_step, xz_end},
				    bz = {bz_init, bz_step, bz_end},
				    zstd = {zstd_init, zstd_step, zstd_end};

	switch (c) {
	case COMP_GZIP: return &gz;
	case COMP_XZ: return &xz;
	case COMP_LZMA: return &lzma;
	case COMP_BZIP2: return &bz;
	case COMP_ZSTD: return &zstd;
	default: return NULL;
	}
}

/* No compression: the archive's many small writes (a header, a name, a
 * padding each) gathered into obuf, passed on 64 KiB at a time. */
static int none_flush(struct zsink *zs)
{
	int err = zs->onone ? zs->out->write(zs->out->ctx, zs->obuf, zs->onone) : 0;

	zs->onone = 0;
	return err;
}

static int none_write(struct zsink *zs, const uint8_t *p, size_t n)
{
	int err;

	if (n >= zs->ocap) /* big: on its own */
		return (err = none_flush(zs)) < 0 ? err : zs->out->write(zs->out->ctx, p, n);
	if (n > zs->ocap - zs->onone && (err = none_flush(zs)) < 0)
		return err;
	memcpy(zs->obuf + zs->onone, p, n);
	zs->onone += n;
	return 0;
}

/* Feed n bytes (or finish the stream) and pass what comes out on. */
static int enc_run(struct zsink *zs, const uint8_t *p, size_t n, bool finish)
{
	for (;;) {
		size_t used = 0, made = 0;
		int r = zs->enc->step(zs, p, n, &used, &made, finish), err;

		if (r < 0)
			return r;
		if (made && (err = zs->out->write(zs->out->ctx, zs->obuf, made)) < 0)
			return err;
		p += used, n -= used;
		if (finish ? r == 1 : n == 0 && made < zs->ocap)
			return 0;
		if (!used && !made)
			return -EIO; /* the library made no progress: never spin */
	}
}

static int zs_write(void *ctx, const void *p, size_t n)
{
	struct zsink *zs = ctx;

	zs->in_bytes += n;
	if (zs->c == COMP_LZ4_LEGACY)
		return lz4_write(zs, p, n);
	if (zs->enc)
		return enc_run(zs, p, n, false);
	return none_write(zs, p, n);
}

int zsink_new(enum comp c, int level, struct sink *out, struct zsink **ret)
{
	struct zsink *zs;
	int err = 0;

	if (c != COMP_NONE && c != COMP_LZ4_LEGACY && !encoder_of(c))
		return -EINVAL;
	if (!(zs = calloc(1, sizeof(*zs))))
		return -ENOMEM;
	zs->s.write = zs_write;
	zs->s.ctx = zs;
	zs->out = out;
	zs->c = c;
	zs->level = level;
	if (c == COMP_LZ4_LEGACY) {
		err = lz4_alloc(zs);
	} else {
		zs->ocap = 1u << 16;
		if (!(zs->obuf = malloc(zs->ocap)))
			err = -ENOMEM;
		else if (c != COMP_NONE && (err = encoder_of(c)->init(zs)) == 0)
			zs->enc = encoder_of(c); /* from here on, zsink_free ends it */
	}
	if (err) {
		zsink_free(zs);
		return err;
	}
	*ret = zs;
	return 0;
}

struct sink *zsink_sink(struct zsink *zs)
{
	return &zs->s;
}

uint64_t zsink_bytes_in(const struct zsink *zs)
{
	return zs->in_bytes;
}

int zsink_finish(struct zsink *zs)
{
	static const uint8_t none[1];

	if (zs->c == COMP_LZ4_LEGACY)
		return lz4_finish(zs);
	if (zs->enc)
		return enc_run(zs, none, 0, true);
	return none_flush(zs);
}

void zsink_free(struct zsink *zs)
{
	if (!zs)
		return;
	if (zs->enc)
		zs->enc->end(zs);
	for (unsigned i = 0; i < LZ4_SLOTS; i++) {
		if (zs->slot[i].busy)
			pthread_join(zs->slot[i].thread, NULL);
		free(zs->slot[i].in);
		free(zs->slot[i].out);
	}
	free(zs->obuf);
	free(zs);
}
