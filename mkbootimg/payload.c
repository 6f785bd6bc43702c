#include "mkbootimg/payload.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"

static const char *const names[PF_COUNT] = {
    [PF_UNKNOWN] = "unknown",
    [PF_EMPTY] = "empty",
    [PF_GZIP] = "gzip",
    [PF_LZ4_LEGACY] = "lz4-legacy",
    [PF_LZ4_FRAME] = "lz4-frame",
    [PF_XZ] = "xz",
    [PF_BZIP2] = "bzip2",
    [PF_LZMA] = "lzma",
    [PF_ZSTD] = "zstd",
    [PF_LZOP] = "lzop",
    [PF_CPIO] = "cpio",
    [PF_FDT] = "dtb",
    [PF_DTBO] = "dtbo",
    [PF_ZIMAGE] = "zImage",
    [PF_ARM64_IMAGE] = "arm64-Image",
    [PF_BZIMAGE] = "bzImage",
};

const char *payload_fmt_name(enum payload_fmt f)
{
	return (unsigned)f < PF_COUNT ? names[f] : "?";
}

bool payload_fmt_is_compression(enum payload_fmt f)
{
	return f >= PF_GZIP && f <= PF_LZOP;
}

struct magic {
	enum payload_fmt fmt;
	size_t off, len;
	const char *bytes;
};

/* Ordered: stronger (longer) magics first. lzma's 3 bytes are weak: last. */
static const struct magic magics[] = {
    {PF_XZ, 0, 6, "\xfd\x37\x7a\x58\x5a\x00"},
    {PF_CPIO, 0, 6, "070701"},
    {PF_CPIO, 0, 6, "070702"},
    {PF_LZ4_LEGACY, 0, 4, "\x02\x21\x4c\x18"},
    {PF_LZ4_FRAME, 0, 4, "\x04\x22\x4d\x18"},
    {PF_ZSTD, 0, 4, "\x28\xb5\x2f\xfd"},
    {PF_LZOP, 0, 4, "\x89\x4c\x5a\x4f"},
    {PF_FDT, 0, 4, "\xd0\x0d\xfe\xed"},
    {PF_DTBO, 0, 4, "\xd7\xb7\xab\x1e"},
    {PF_ZIMAGE, 0x24, 4, "\x18\x28\x6f\x01"},
    {PF_ARM64_IMAGE, 0x38, 4, "ARM\x64"},
    {PF_BZIMAGE, 0x202, 4, "HdrS"},
    {PF_GZIP, 0, 2, "\x1f\x8b"},
    {PF_BZIP2, 0, 3, "BZh"},
    {PF_LZMA, 0, 3, "\x5d\x00\x00"},
};

enum payload_fmt payload_detect(const uint8_t *buf, size_t len)
{
	if (!len)
		return PF_EMPTY;
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];

		if (range_ok(m->off, m->len, len) && !memcmp(buf + m->off, m->bytes, m->len))
			return m->fmt;
	}
	return PF_UNKNOWN;
}

uint64_t zimage_length(const uint8_t *buf, size_t len)
{
	uint32_t start, end;

	if (len < 0x30 || get_le32(buf + 0x24) != 0x016f2818u)
		return 0;
	start = get_le32(buf + 0x28);
	end = get_le32(buf + 0x2c);
	return end > start ? end - start : 0;
}

/* Do FDT blobs follow back to back from rel to exactly len? Counts them
 * (the zImage case: one known start, at most FDT_CHAIN_MAX reads). */
static int fdt_chain(int fd, uint64_t off, uint64_t len, uint64_t rel, unsigned *count)
{
	uint8_t h[8];
	unsigned n = 0;

	while (rel < len) {
		uint32_t ts;
		int r;

		if (len - rel < FDT_MIN_SIZE || n >= FDT_CHAIN_MAX)
			return 0;
		r = read_at(fd, h, sizeof(h), off + rel);
		if (r)
			return r;
		ts = get_be32(h + 4);
		if (get_be32(h) != FDT_MAGIC || ts < FDT_MIN_SIZE || ts > len - rel)
			return 0;
		rel += ts;
		n++;
	}
	*count = n;
	return 1;
}

/*
 * The scan, in one pass from the end: an FDT header at p is "good" when the
 * blob it announces ends exactly at len or where another good one starts,
 * within FDT_CHAIN_MAX blobs. Positions are met in decreasing order, so the
 * successor of p is already known; the good ones are kept, in decreasing
 * order, in a bounded array (binary search). Every byte is read once: a
 * kernel full of fake headers costs one pass, not a walk per header.
 */
struct good {
	uint64_t pos;
	unsigned depth; /* blobs from pos to the end */
};

struct dtb_scan {
	struct good *g;
	size_t n, cap;
	uint64_t len;
};

/* Depth of the chain starting at t, 0 when t starts none. */
static unsigned good_depth(const struct dtb_scan *sc, uint64_t t)
{
	size_t lo = 0, hi = sc->n;

	if (t == sc->len)
		return 0;
	while (lo < hi) { /* g[] is in decreasing order of pos */
		size_t mid = lo + (hi - lo) / 2;

		if (sc->g[mid].pos == t)
			return sc->g[mid].depth;
		if (sc->g[mid].pos > t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT_MAX;
}

static void scan_header(struct dtb_scan *sc, uint64_t p, const uint8_t *h)
{
	uint32_t ts = get_be32(h + 4);
	unsigned dep;

	if (ts < FDT_MIN_SIZE || ts > sc->len - p)
		return;
	dep = good_depth(sc, p + ts);
	if (dep == UINT_MAX || dep >= FDT_CHAIN_MAX || sc->n == sc->cap)
		return;
	sc->g[sc->n++] = (struct good){p, dep + 1};
}

int payload_find_appended_dtb(int fd, uint64_t off, uint64_t len, uint64_t hint, uint64_t *dtb_off,
			      unsigned *count)
{
	enum { CHUNK = 1 << 16, OVER = 8 };
	struct dtb_scan sc = {.len = len, .cap = FDT_SCAN_GOOD_MAX};
	uint8_t *buf;
	uint64_t end = len;
	int r = 0;

	if (hint)
		return hint < len ? (*dtb_off = hint, fdt_chain(fd, off, len, hint, count)) : 0;
	if (len < FDT_MIN_SIZE + 1)
		return 0;
	buf = malloc(CHUNK + OVER);
	sc.g = malloc(sc.cap * sizeof(*sc.g));
	if (!buf || !sc.g) {
		free(buf);
		free(sc.g);
		return -ENOMEM;
	}
	/* Chunks from the end; each carries OVER bytes of the next so a header
	 * that straddles is whole. Position 0 is the kernel itself, not a DTB. */
	while (end > 1 && !r) {
		uint64_t start = end > CHUNK ? end - CHUNK : 0;
		size_t n = (size_t)(end - start), have = n + (len - end < OVER ? len - end : OVER);

		if ((r = read_at(fd, buf, have, off + start)) != 0)
			break;
		for (size_t i = n; i-- > 0;)
			if (buf[i] == 0xd0 && i + 8 <= have && get_be32(buf + i) == FDT_MAGIC &&
			    start + i > 0)
				scan_header(&sc, start + i, buf + i);
		end = start;
	}
	if (!r && sc.n) {
		*dtb_off = sc.g[sc.n - 1].pos;
		*count = sc.g[sc.n - 1].depth;
		r = 1;
	}
	free(buf);
	free(sc.g);
	return r;
}
