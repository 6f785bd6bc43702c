/* compress.c - lz4 legacy and gzip sinks, bounded decoders. See compress.h. */
#include "compress.h"

#include <errno.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "fileio.h"

const char *comp_name(enum comp c)
{
	switch (c) {
	case COMP_NONE: return "none";
	case COMP_GZIP: return "gzip";
	case COMP_LZ4_LEGACY: return "lz4-legacy";
	case COMP_LZ4_FRAME: return "lz4-frame";
	default: return "unknown";
	}
}

int comp_parse(const char *s, enum comp *c, int *level)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	int max;

	if (n == 4 && !memcmp(s, "none", 4)) {
		*c = COMP_NONE, *level = 0, max = 0;
	} else if (n == 4 && !memcmp(s, "gzip", 4)) {
		*c = COMP_GZIP, *level = 9, max = 9;
	} else if ((n == 3 && !memcmp(s, "lz4", 3)) || (n == 10 && !memcmp(s, "lz4-legacy", 10))) {
		*c = COMP_LZ4_LEGACY, *level = 12, max = 12;
	} else {
		return -EINVAL;
	}
	if (colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (max == 0 || *end || end == colon + 1 || v < 1 || v > max)
			return -EINVAL;
		*level = (int)v;
	}
	return 0;
}

enum comp comp_detect(const uint8_t *p, size_t n, const char **what)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} other[] = {
		{"\xfd" "7zXZ", 5, "xz"},	{"BZh", 3, "bzip2"},	     {"\x5d\0\0", 3, "lzma"},
		{"\x28\xb5\x2f\xfd", 4, "zstd"}, {"\x89LZO", 4, "lzop"},
	};

	*what = NULL;
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return COMP_GZIP;
	if (n >= 4 && get_le32(p) == LZ4_LEGACY_MAGIC)
		return COMP_LZ4_LEGACY;
	if (n >= 4 && get_le32(p) == 0x184d2204u)
		return COMP_LZ4_FRAME;
	if (n >= 6 && !memcmp(p, "07070", 5))
		return COMP_NONE;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (n >= other[i].len && !memcmp(p, other[i].magic, other[i].len))
			*what = other[i].name;
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

struct zsink {
	struct sink s; /* what callers write into */
	struct sink *out;
	enum comp c;
	int level;
	uint64_t in_bytes;
	bool started;
	struct lz4_slot slot[LZ4_SLOTS];
	unsigned cur; /* slot being filled */
	size_t ocap;
	uint8_t *obuf; /* gzip output */
	z_stream z;
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

static int gz_run(struct zsink *zs, const uint8_t *p, size_t n, int flush)
{
	zs->z.next_in = (Bytef *)(uintptr_t)p;
	zs->z.avail_in = (uInt)n;
	for (;;) {
		int r, err;
		zs->z.next_out = zs->obuf;
		zs->z.avail_out = (uInt)zs->ocap;
		r = deflate(&zs->z, flush);
		if (r == Z_STREAM_ERROR)
			return -EIO;
		if (zs->ocap - zs->z.avail_out &&
		    (err = zs->out->write(zs->out->ctx, zs->obuf, zs->ocap - zs->z.avail_out)) < 0)
			return err;
		if (flush == Z_FINISH ? r == Z_STREAM_END : zs->z.avail_out != 0)
			return 0;
	}
}

static int zs_write(void *ctx, const void *p, size_t n)
{
	struct zsink *zs = ctx;

	zs->in_bytes += n;
	switch (zs->c) {
	case COMP_LZ4_LEGACY: return lz4_write(zs, p, n);
	case COMP_GZIP:
		while (n) { /* avail_in is 32 bits */
			size_t k = n > (1u << 30) ? (1u << 30) : n;
			int err = gz_run(zs, p, k, Z_NO_FLUSH);
			if (err)
				return err;
			p = (const uint8_t *)p + k, n -= k;
		}
		return 0;
	default: return zs->out->write(zs->out->ctx, p, n);
	}
}

int zsink_new(enum comp c, int level, struct sink *out, struct zsink **ret)
{
	struct zsink *zs = calloc(1, sizeof(*zs));

	if (!zs)
		return -ENOMEM;
	zs->s.write = zs_write;
	zs->s.ctx = zs;
	zs->out = out;
	zs->c = c;
	zs->level = level;
	if (c == COMP_LZ4_LEGACY) {
		for (unsigned i = 0; i < LZ4_SLOTS; i++) {
			zs->slot[i].in = malloc(LZ4_LEGACY_BLOCK);
			zs->slot[i].out = malloc((size_t)LZ4_compressBound(LZ4_LEGACY_BLOCK) + 4);
			if (!zs->slot[i].in || !zs->slot[i].out) {
				zsink_free(zs);
				return -ENOMEM;
			}
		}
	} else if (c == COMP_GZIP) {
		zs->ocap = 1u << 16;
		if (deflateInit2(&zs->z, level, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(zs);
			return -ENOMEM;
		}
		zs->started = true;
	} else if (c != COMP_NONE) {
		free(zs);
		return -EINVAL;
	}
	if (zs->ocap && !(zs->obuf = malloc(zs->ocap))) {
		zsink_free(zs);
		return -ENOMEM;
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
	switch (zs->c) {
	case COMP_LZ4_LEGACY: return lz4_finish(zs);
	case COMP_GZIP: return gz_run(zs, NULL, 0, Z_FINISH);
	default: return 0;
	}
}

void zsink_free(struct zsink *zs)
{
	if (!zs)
		return;
	if (zs->c == COMP_GZIP)
		deflateEnd(&zs->z);
	for (unsigned i = 0; i < LZ4_SLOTS; i++) {
		if (zs->slot[i].busy)
			pthread_join(zs->slot[i].thread, NULL);
		free(zs->slot[i].in);
		free(zs->slot[i].out);
	}
	free(zs->obuf);
	free(zs);
}

/* ---- decoders ------------------------------------------------------------------- */

struct outbuf {
	uint8_t *p;
	size_t len, cap, max;
};

/* Room for at least want more bytes (fewer if max is near): 0 or -EFBIG/-ENOMEM. */
static int ob_reserve(struct outbuf *o, size_t want)
{
	size_t cap = o->cap ? o->cap : 1u << 16;
	uint8_t *b;

	if (cap > o->max)
		cap = o->max;

	if (o->len == o->max)
		return -EFBIG;
	if (want > o->max - o->len)
		want = o->max - o->len;
	if (o->cap - o->len >= want)
		return 0;
	while (cap - o->len < want)
		cap = cap > o->max / 2 ? o->max : cap * 2;
	if (!(b = realloc(o->p, cap)))
		return -ENOMEM;
	o->p = b;
	o->cap = cap;
	return 0;
}

static int bomb(struct diag *d, size_t max, size_t at)
{
	return diag_set(d, -EFBIG, "@0x%zx: decompresses to more than the %zu-byte cap", at, max);
}

static int gunzip(const uint8_t *in, size_t n, struct outbuf *o, struct diag *d)
{
	z_stream z;
	size_t pos = 0;
	int ret = 0;
	bool ended = false;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return diag_set(d, -ENOMEM, "zlib init");
	while (pos < n) {
		int r, err;
		size_t before_out = o->len;
		if ((err = ob_reserve(o, 1u << 16)) < 0) {
			ret = err == -EFBIG ? bomb(d, o->max, pos) : diag_set(d, err, "out of memory");
			break;
		}
		z.next_in = (Bytef *)(uintptr_t)(in + pos);
		z.avail_in = (uInt)(n - pos > (1u << 30) ? (1u << 30) : n - pos);
		z.next_out = o->p + o->len;
		z.avail_out = (uInt)(o->cap - o->len);
		r = inflate(&z, Z_NO_FLUSH);
		pos = (size_t)(z.next_in - in);
		o->len = (size_t)(z.next_out - o->p);
		if (r == Z_STREAM_END) {
			size_t k = pos;
			while (k < n && in[k] == 0) /* padding after the stream */
				k++;
			if ((ended = k == n))
				break;
			if (n - k < 2 || in[k] != 0x1f || in[k + 1] != 0x8b) {
				ret = diag_set(d, -EBADMSG, "@0x%zx: junk after the gzip stream", k);
				break;
			}
			pos = k; /* another member */
			inflateReset(&z);
			continue;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			ret = diag_set(d, -EBADMSG, "@0x%zx: corrupt gzip data (%s)", pos,
				       z.msg ? z.msg : "inflate error");
			break;
		}
		if (pos == n && (z.avail_out != 0 || o->len == before_out)) {
			ret = diag_set(d, -EBADMSG, "@0x%zx: gzip stream is truncated", pos);
			break;
		}
	}
	if (ret == 0 && !ended)
		ret = diag_set(d, -EBADMSG, "@0x%zx: gzip stream is truncated", pos);
	inflateEnd(&z);
	return ret;
}

static int unlz4_legacy(const uint8_t *in, size_t n, struct outbuf *o, struct diag *d)
{
	const size_t bound = (size_t)LZ4_compressBound(LZ4_LEGACY_BLOCK);
	size_t pos = 4;

	while (n - pos >= 4) {
		uint32_t bs = get_le32(in + pos);
		int r, err;
		if (bs == LZ4_LEGACY_MAGIC) { /* a concatenated stream */
			pos += 4;
			continue;
		}
		if (bs == 0)
			break; /* NUL padding after the stream */
		if (bs > bound || bs > n - pos - 4)
			return diag_set(d, -EBADMSG,
					"@0x%zx: lz4 block size %u is past the end or over %zu", pos,
					bs, bound);
		if ((err = ob_reserve(o, LZ4_LEGACY_BLOCK)) < 0)
			return err == -EFBIG ? bomb(d, o->max, pos) : diag_set(d, err, "out of memory");
		r = LZ4_decompress_safe((const char *)in + pos + 4, (char *)o->p + o->len, (int)bs,
					(int)(o->cap - o->len));
		if (r < 0)
			return o->cap - o->len < LZ4_LEGACY_BLOCK
				       ? bomb(d, o->max, pos)
				       : diag_set(d, -EBADMSG, "@0x%zx: corrupt lz4 block", pos);
		o->len += (size_t)r;
		pos += 4 + bs;
	}
	return 0;
}

static int unlz4_frame(const uint8_t *in, size_t n, struct outbuf *o, struct diag *d)
{
	LZ4F_dctx *dc;
	size_t pos = 0, hint = 1;
	int ret = 0;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION)))
		return diag_set(d, -ENOMEM, "lz4 init");
	while (pos < n && hint != 0) {
		size_t src = n - pos, dst;
		int err = ob_reserve(o, 1u << 20);
		if (err < 0) {
			ret = err == -EFBIG ? bomb(d, o->max, pos) : diag_set(d, err, "out of memory");
			break;
		}
		dst = o->cap - o->len;
		hint = LZ4F_decompress(dc, o->p + o->len, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(hint)) {
			ret = diag_set(d, -EBADMSG, "@0x%zx: corrupt lz4 frame (%s)", pos,
				       LZ4F_getErrorName(hint));
			break;
		}
		pos += src;
		o->len += dst;
		if (src == 0 && dst == 0 && o->len == o->max) {
			ret = bomb(d, o->max, pos);
			break;
		}
	}
	if (ret == 0 && hint != 0)
		ret = diag_set(d, -EBADMSG, "@0x%zx: lz4 frame is truncated", pos);
	LZ4F_freeDecompressionContext(dc);
	return ret;
}

int decompress_all(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		   size_t *outlen, struct diag *d)
{
	struct outbuf o = {.max = cap};
	int err;

	switch (c) {
	case COMP_NONE:
		if (n > cap)
			return bomb(d, cap, 0);
		err = ob_reserve(&o, n ? n : 1);
		if (err == 0 && n) {
			memcpy(o.p, in, n);
			o.len = n;
		} else if (err) {
			err = diag_set(d, err, "out of memory");
		}
		break;
	case COMP_GZIP: err = gunzip(in, n, &o, d); break;
	case COMP_LZ4_LEGACY:
		err = n < 4 ? diag_set(d, -EBADMSG, "truncated lz4 magic") : unlz4_legacy(in, n, &o, d);
		break;
	case COMP_LZ4_FRAME: err = unlz4_frame(in, n, &o, d); break;
	default: err = diag_set(d, -ENOTSUP, "unknown compression"); break;
	}
	if (err) {
		free(o.p);
		return err;
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
}
