/* decompress.c - bounded decoders for every ramdisk compression, and the walk
 * over the streams of a ramdisk. See compress.h. */
#include "ramdisk/compress.h"

#include <errno.h>
#include <inttypes.h>
#include <lz4.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/readat.h"
#include "ramdisk/decoders.h"

/* ---- the output: grows up to max, never past it ----------------------------------- */

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

static const char *stream_name(enum comp c)
{
	return c == COMP_NONE ? "cpio" : comp_name(c);
}

/* zlib and libbz2 count in 32 bits: at most 1 GiB a call. */

/* Data errors at where the decoder stopped; memory ones at the stream. */
static int stream_error(struct diag *d, int err, enum comp c, size_t start, size_t at,
			const char *why)
{
	if (err == -ENOMEM)
		return diag_set(d, err, "@0x%zx: out of memory decoding %s", at, comp_name(c));
	if (err == -EFBIG)
		return diag_set(d, err, "@0x%zx: %s stream: %s", start, comp_name(c), why);
	return diag_set(d, -EBADMSG, "@0x%zx: corrupt %s data (%s)", at, comp_name(c), why);
}

/*
 * One stream from *pos, appended to o; *pos moves past it. When o is full, the
 * decoder gets a 1-byte probe: a stream that ends there fits the cap exactly,
 * one that writes into it is a bomb.
 */
static int run_stream(enum comp c, struct dstates *ds, const uint8_t *in, size_t n, size_t *pos,
		      struct outbuf *o, struct diag *d)
{
	const struct decoder *dc = decoder_of(c);
	union dstate *s = &ds->st[c];
	size_t p = *pos;
	uint8_t probe;
	int r = ds->live[c] ? dc->reset(s) : dc->init(s);

	if (r < 0)
		return diag_set(d, r, "@0x%zx: %s decoder: cannot start", p, comp_name(c));
	ds->live[c] = true;
	for (;;) {
		const char *why = "?";
		size_t used = 0, made = 0, room;
		uint8_t *dst;
		int err = ob_reserve(o, 1u << 20);

		if (err == -ENOMEM)
			return diag_set(d, err, "out of memory");
		if (err == -EFBIG)
			dst = &probe, room = 1;
		else
			dst = o->p + o->len, room = o->cap - o->len;
		r = dc->step(s, in + p, n - p, &used, dst, room, &made, &why);
		p += used;
		if (dst == &probe && made)
			return bomb(d, o->max, p);
		if (dst != &probe)
			o->len += made;
		if (r < 0)
			return stream_error(d, r, c, *pos, p, why);
		if (r == 1)
			break;
		if (!used && !made)
			return diag_set(d, -EBADMSG,
					p == n ? "@0x%zx: %s stream is truncated"
					       : "@0x%zx: %s decoder makes no progress",
					p, comp_name(c));
	}
	*pos = p;
	return 0;
}

/* ---- lz4 legacy: blocks by hand, LZ4_decompress_safe each ------------------------- */

/* magiskboot's "lz4_lg": the stream's decompressed size as a last word, with
 * at most NULs after it. */
static bool lz4_lg_trailer(const uint8_t *in, size_t n, size_t pos, size_t stream_out)
{
	if (get_le32(in + pos) != stream_out)
		return false;
	for (size_t k = pos + 4; k < n; k++)
		if (in[k])
			return false;
	return true;
}

/* One block at pos (size word bs already checked) into o. */
static int unlz4_block(const uint8_t *in, size_t pos, uint32_t bs, struct outbuf *o, struct diag *d)
{
	const char *src = (const char *)in + pos + 4;
	size_t room;
	int r, err = ob_reserve(o, LZ4_LEGACY_BLOCK);

	if (err < 0)
		return err == -EFBIG ? bomb(d, o->max, pos) : diag_set(d, err, "out of memory");
	room = o->cap - o->len;
	if (room > LZ4_LEGACY_BLOCK)
		room = LZ4_LEGACY_BLOCK; /* the kernel's unlz4 limit per block */
	r = LZ4_decompress_safe(src, (char *)o->p + o->len, (int)bs, (int)room);
	if (r >= 0) {
		o->len += (size_t)r;
		return 0;
	}
	/* near the cap: a block that decodes as far as the room goes is a bomb */
	if (room < LZ4_LEGACY_BLOCK &&
	    LZ4_decompress_safe_partial(src, (char *)o->p + o->len, (int)bs, (int)room,
					(int)room) >= 0) {
		o->len += room; /* valid up to the cap (decompress_prefix keeps it) */
		return bomb(d, o->max, pos);
	}
	return diag_set(d, -EBADMSG, "@0x%zx: corrupt lz4 block", pos);
}

static int unlz4_legacy(const uint8_t *in, size_t n, size_t *posp, struct outbuf *o, struct diag *d)
{
	const size_t bound = (size_t)LZ4_compressBound(LZ4_LEGACY_BLOCK);
	size_t pos = *posp, start = o->len;

	if (n - pos < 4 || get_le32(in + pos) != LZ4_LEGACY_MAGIC)
		return diag_set(d, -EBADMSG, "@0x%zx: truncated lz4 legacy magic", pos);
	for (pos += 4; n - pos >= 4;) {
		uint32_t bs = get_le32(in + pos);
		const char *what;
		int err;

		if (bs == LZ4_LEGACY_MAGIC) { /* a concatenated stream */
			pos += 4;
			continue;
		}
		if (bs == 0)
			break; /* the end (the kernel's rule): NULs or another stream follow */
		if (bs == o->len - start && lz4_lg_trailer(in, n, pos, o->len - start)) {
			pos += 4;
			break;
		}
		if (bs > bound || bs > n - pos - 4) {
			/* not a block: another stream's magic (the lz4 CLI's rule)
			 * or NULs up to one or to the end end this one; anything
			 * else is an error */
			size_t q = pos;
			while (q < n && in[q] == 0)
				q++;
			if (q == n || comp_detect(in + q, n - q, &what) != COMP_UNKNOWN || what)
				break;
			return diag_set(d, -EBADMSG,
					"@0x%zx: lz4 block size %u is past the end or over %zu",
					pos, bs, bound);
		}
		if ((err = unlz4_block(in, pos, bs, o, d)) < 0)
			return err;
		pos += 4 + bs;
	}
	*posp = pos; /* 1-3 bytes left: the caller's to judge */
	return 0;
}

/* ---- plain cpio ------------------------------------------------------------------ */

/*
 * Where plain cpio at pos ends: after the last of its archives (NULs between
 * them included) that something other than cpio follows; n when the cpio
 * does not parse (the cpio reader names the fault later) or only NULs follow.
 */
static size_t cpio_extent(const uint8_t *in, size_t n, size_t pos)
{
	size_t end = pos;

	for (;;) {
		struct cpio_reader r;
		struct cpio_entry e;
		size_t q = end;
		int k;

		while (q < n && in[q] == 0)
			q++;
		if (q == n)
			return n;
		if (n - q < 6 || memcmp(in + q, "07070", 5) != 0)
			return end == pos ? n : end;
		cpio_reader_init(&r, in + q, n - q);
		r.one_archive = true;
		while ((k = cpio_next(&r, &e, NULL)) == 1)
			;
		if (k < 0)
			return n;
		end = q + r.pos;
	}
}

static int copy_cpio(const uint8_t *in, size_t n, size_t *pos, struct outbuf *o, struct diag *d)
{
	size_t end = cpio_extent(in, n, *pos), k = end - *pos;
	int err;

	if (k > o->max - o->len)
		return bomb(d, o->max, *pos + (o->max - o->len));
	if (k && (err = ob_reserve(o, k)) < 0)
		return diag_set(d, err, "out of memory");
	if (k)
		memcpy(o->p + o->len, in + *pos, k);
	o->len += k;
	*pos = end;
	return 0;
}

/* ---- the streams of a ramdisk ------------------------------------------------------- */

/* Past NULs and lz4/zstd skippable frames (metadata by their formats' rules). */
static int skip_gap(const uint8_t *in, size_t n, size_t *pos, struct diag *d)
{
	size_t p = *pos;

	for (;;) {
		uint32_t len;
		while (p < n && in[p] == 0)
			p++;
		if (n - p < 8 || (get_le32(in + p) & ~0xfu) != SKIPPABLE_MAGIC)
			break;
		if ((len = get_le32(in + p + 4)) > n - p - 8)
			return diag_set(d, -EBADMSG,
					"@0x%zx: skippable frame of %u bytes runs past the end", p,
					len);
		p += 8 + (size_t)len;
	}
	*pos = p;
	return 0;
}

static int decode_stream(enum comp c, struct dstates *ds, const uint8_t *in, size_t n, size_t *pos,
			 struct outbuf *o, struct diag *d)
{
	switch (c) {
	case COMP_NONE: return copy_cpio(in, n, pos, o, d);
	case COMP_LZ4_LEGACY: return unlz4_legacy(in, n, pos, o, d);
	default:
		if (!decoder_of(c))
			return diag_set(d, -ENOTSUP, "@0x%zx: unknown compression", *pos);
		return run_stream(c, ds, in, n, pos, o, d);
	}
}

/* What follows a stream: 1 and *c for another one, 0 at the end, or an error. */
static int next_stream(const uint8_t *in, size_t n, size_t *pos, enum comp prev, enum comp *c,
		       struct diag *d)
{
	const char *what;
	int err = skip_gap(in, n, pos, d);

	if (err < 0)
		return err;
	if (*pos == n)
		return 0;
	if ((*c = comp_detect(in + *pos, n - *pos, &what)) != COMP_UNKNOWN)
		return 1;
	if (what)
		return diag_set(d, -ENOTSUP,
				"@0x%zx: an %s stream follows the %s one (%s ramdisks are not "
				"supported)",
				*pos, what, stream_name(prev), what);
	return diag_set(d, -EBADMSG,
			"@0x%zx: junk after the %s stream (neither NUL padding nor another "
			"stream)",
			*pos, stream_name(prev));
}

int decompress_streams(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		       size_t *outlen, struct decomp_info *info, struct diag *d)
{
	struct outbuf o = {.max = cap};
	struct dstates ds;
	struct decomp_info fi = {0, false};
	enum comp first = c;
	size_t pos = 0;
	int err;

	memset(ds.live, 0, sizeof(ds.live));
	if (c >= COMP_UNKNOWN) {
		err = diag_set(d, -ENOTSUP, "unknown compression");
	} else {
		do {
			size_t at = pos;
			err = decode_stream(c, &ds, in, n, &pos, &o, d);
			if (err == 0 && pos == at && pos < n) /* never spin */
				err = diag_set(d, -EBADMSG, "@0x%zx: empty %s stream", pos,
					       stream_name(c));
			fi.streams++;
			fi.mixed |= c != first;
		} while (err == 0 && (err = next_stream(in, n, &pos, c, &c, d)) == 1);
	}
	dstates_end(&ds);
	if (err == 0 && !o.p && !(o.p = malloc(1)))
		err = diag_set(d, -ENOMEM, "out of memory");
	if (err) {
		free(o.p);
		return err;
	}
	*out = o.p;
	*outlen = o.len;
	if (info)
		*info = fi;
	return 0;
}

int decompress_all(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		   size_t *outlen, struct diag *d)
{
	return decompress_streams(c, in, n, cap, out, outlen, NULL, d);
}

int decompress_prefix(enum comp c, const uint8_t *in, size_t n, size_t cap, uint8_t **out,
		      size_t *outlen, bool *whole, struct diag *d)
{
	struct outbuf o = {.max = cap};
	struct dstates ds;
	struct diag dd;
	size_t pos = 0;
	int err;

	memset(ds.live, 0, sizeof(ds.live));
	if (c == COMP_NONE || c >= COMP_UNKNOWN)
		return diag_set(d, -ENOTSUP, "not a compression this reads");
	err = decode_stream(c, &ds, in, n, &pos, &o, &dd);
	dstates_end(&ds);
	*whole = err == 0;
	/* what came out before a fault (the end of a kernel's payload, a cap) is kept */
	if (err && (err == -ENOMEM || !o.len)) {
		free(o.p);
		return diag_set(d, err, "%s", dd.msg);
	}
	if (!o.p && !(o.p = malloc(1)))
		return diag_set(d, -ENOMEM, "out of memory");
	*out = o.p;
	*outlen = o.len;
	return 0;
}

/* ---- streaming: one stream from a file or memory, in bounded memory ----------------- */

#define ZS_CHUNK (256u << 10)

struct zstream {
	struct dstates ds;
	uint8_t *in, *out; /* for the streaming decoders: ZS_CHUNK at most each, as needed */
	size_t in_cap, out_cap;
	uint8_t *blk; /* lz4 legacy: a block read from a file */
	size_t blk_cap;
	uint8_t *lout; /* lz4 legacy: a block's output */
	size_t lout_cap;
};

int zstream_new(struct zstream **zsp)
{
	struct zstream *zs = calloc(1, sizeof(*zs));

	if (!zs)
		return -ENOMEM;
	*zsp = zs;
	return 0;
}

void zstream_free(struct zstream *zs)
{
	if (!zs)
		return;
	dstates_end(&zs->ds);
	free(zs->in);
	free(zs->out);
	free(zs->blk);
	free(zs->lout);
	free(zs);
}

/* Room for n bytes in *buf (grown, never shrunk). */
static int grow(uint8_t **buf, size_t *cap, size_t n)
{
	uint8_t *b;

	if (n <= *cap)
		return 0;
	if (!(b = realloc(*buf, n)))
		return -ENOMEM;
	*buf = b;
	*cap = n;
	return 0;
}

/* n bytes of src at rel (inside it): a pointer into memory, or read into buf. */
static int src_get(const struct zsrc *src, uint64_t rel, size_t n, uint8_t *buf, const uint8_t **p,
		   struct diag *d)
{
	int r;

	if (src->mem) {
		*p = src->mem + src->off + rel;
		return 0;
	}
	if ((r = read_at(src->fd, buf, n, src->off + rel)) < 0)
		return diag_set(d, r, "@0x%" PRIx64 ": reading: %s", src->off + rel, strerror(-r));
	*p = buf;
	return 0;
}

/* n decoded bytes to emit: 0 go on, 1 stop, or its error. */
static int give(zemit_fn emit, void *ctx, const uint8_t *p, size_t n, struct zresult *res,
		struct diag *d)
{
	int r;

	if (!n)
		return 0;
	res->made += n;
	if (!emit)
		return 0;
	r = emit(ctx, p, n);
	return r >= 0 ? r : diag_set(d, r, "handing the decoded data on: %s", strerror(-r));
}

/* A stop on a fault or a cut: the output so far is kept (0); with none,
 * -EBADMSG saying why. */
static int zs_stop(const struct zresult *res, struct diag *d, enum comp c, const char *why)
{
	if (res->made || res->whole)
		return 0;
	return diag_set(d, -EBADMSG, "%s data: %s", comp_name(c), why);
}

/* gzip, xz, lzma, bzip2, zstd, lz4 frames: the decoder's steps over pieces of src. */
static int zs_stream(struct zstream *zs, enum comp c, const struct zsrc *src, uint64_t cap,
		     zemit_fn emit, void *ctx, struct zresult *res, struct diag *d)
{
	const struct decoder *dc = decoder_of(c);
	union dstate *s = &zs->ds.st[c];
	const uint8_t *ib = NULL;
	uint64_t pos = 0; /* bytes of src fetched */
	size_t il = 0;
	int r = zs->ds.live[c] ? dc->reset(s) : dc->init(s);

	if (r < 0)
		return diag_set(d, r, "%s decoder: cannot start", comp_name(c));
	zs->ds.live[c] = true;
	/* buffers no bigger than this call needs (many small tries stay cheap) */
	if (grow(&zs->out, &zs->out_cap, cap < ZS_CHUNK ? (size_t)cap : ZS_CHUNK) < 0 ||
	    (!src->mem &&
	     grow(&zs->in, &zs->in_cap, src->len < ZS_CHUNK ? (size_t)src->len : ZS_CHUNK) < 0))
		return diag_set(d, -ENOMEM, "out of memory");
	while (res->made < cap) {
		const char *why = "?";
		size_t used = 0, made = 0, room = zs->out_cap;

		if (!il && pos < src->len) {
			il = src->mem || src->len - pos < zs->in_cap ? (size_t)(src->len - pos)
								     : zs->in_cap;
			if ((r = src_get(src, pos, il, zs->in, &ib, d)) < 0)
				return r;
			pos += il;
		}
		if (room > cap - res->made)
			room = (size_t)(cap - res->made);
		r = dc->step(s, ib, il, &used, zs->out, room, &made, &why);
		ib += used, il -= used, res->used += used;
		if (r == -ENOMEM)
			return diag_set(d, r, "out of memory decoding %s", comp_name(c));
		if (made) { /* what came out before a fault is kept */
			int e = give(emit, ctx, zs->out, made, res, d);
			if (e)
				return e < 0 ? e : 0;
		}
		if (r < 0)
			return zs_stop(res, d, c, why);
		if (r == 1) {
			res->whole = true;
			return 0;
		}
		if (!used && !made)
			break; /* the input is cut short */
	}
	return zs_stop(res, d, c, "truncated");
}

/* lz4 legacy: the blocks one at a time; a block cut by the end of src (or
 * past the cap) gives what its start decodes to. */
static int zs_lz4_block(struct zstream *zs, const struct zsrc *src, uint64_t at, uint32_t bs,
			size_t avail, size_t room, size_t *got, struct diag *d)
{
	const uint8_t *p;
	int r;

	if (!src->mem && grow(&zs->blk, &zs->blk_cap, avail) < 0)
		return diag_set(d, -ENOMEM, "out of memory");
	if (grow(&zs->lout, &zs->lout_cap, room) < 0)
		return diag_set(d, -ENOMEM, "out of memory");
	if ((r = src_get(src, at, avail, zs->blk, &p, d)) < 0)
		return r;
	r = avail == bs ? LZ4_decompress_safe((const char *)p, (char *)zs->lout, (int)bs, (int)room)
			: -1;
	if (r < 0 && (avail < bs || room < LZ4_LEGACY_BLOCK)) /* cut: as far as it goes */
		r = LZ4_decompress_safe_partial((const char *)p, (char *)zs->lout, (int)avail,
						(int)room, (int)room);
	if (r < 0)
		return -EBADMSG;
	*got = (size_t)r;
	return 0;
}

static int zs_lz4_legacy(struct zstream *zs, const struct zsrc *src, uint64_t cap, zemit_fn emit,
			 void *ctx, struct zresult *res, struct diag *d)
{
	const uint32_t bound = (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK);
	uint64_t pos = 4;
	uint8_t w[4];
	const uint8_t *p;
	int r = 0;

	if (src->len >= 4 && (r = src_get(src, 0, 4, w, &p, d)) < 0)
		return r;
	if (src->len < 4 || get_le32(p) != LZ4_LEGACY_MAGIC)
		return diag_set(d, -EBADMSG, "no lz4 legacy magic");
	res->used = 4;
	while (res->made < cap && src->len - pos >= 4) {
		uint32_t bs;
		size_t avail, room = LZ4_LEGACY_BLOCK, got = 0;

		if ((r = src_get(src, pos, 4, w, &p, d)) < 0)
			return r;
		bs = get_le32(p);
		if (bs == LZ4_LEGACY_MAGIC) { /* a concatenated stream */
			pos += 4, res->used += 4;
			continue;
		}
		if (bs == 0 || bs > bound) { /* the end, or not a block: another stream */
			res->whole = bs == 0;
			break;
		}
		avail = bs < src->len - pos - 4 ? bs : (size_t)(src->len - pos - 4);
		if (room > cap - res->made)
			room = (size_t)(cap - res->made);
		if ((r = zs_lz4_block(zs, src, pos + 4, bs, avail, room, &got, d)) < 0)
			return r == -EBADMSG ? zs_stop(res, d, COMP_LZ4_LEGACY, "corrupt block")
					     : r;
		res->used += 4 + avail;
		if ((r = give(emit, ctx, zs->lout, got, res, d)) != 0)
			return r < 0 ? r : 0;
		if (avail < bs)
			break;
		pos += 4 + bs;
	}
	res->whole |= pos == src->len;
	return zs_stop(res, d, COMP_LZ4_LEGACY, "truncated");
}

int zstream_prefix(struct zstream *zs, enum comp c, const struct zsrc *src, uint64_t cap,
		   zemit_fn emit, void *ctx, struct zresult *res, struct diag *d)
{
	memset(res, 0, sizeof(*res));
	if (c == COMP_LZ4_LEGACY)
		return zs_lz4_legacy(zs, src, cap, emit, ctx, res, d);
	if (c >= COMP_UNKNOWN || !decoder_of(c))
		return diag_set(d, -ENOTSUP, "not a compression this reads");
	return zs_stream(zs, c, src, cap, emit, ctx, res, d);
}
