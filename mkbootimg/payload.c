#include "payload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"

static const char *const names[PF_COUNT] = {
	[PF_UNKNOWN] = "unknown",   [PF_EMPTY] = "empty",	  [PF_GZIP] = "gzip",
	[PF_LZ4_LEGACY] = "lz4-legacy", [PF_LZ4_FRAME] = "lz4-frame", [PF_XZ] = "xz",
	[PF_BZIP2] = "bzip2",	   [PF_LZMA] = "lzma",		  [PF_ZSTD] = "zstd",
	[PF_LZOP] = "lzop",	   [PF_CPIO] = "cpio",		  [PF_FDT] = "dtb",
	[PF_DTBO] = "dtbo",	   [PF_ZIMAGE] = "zImage",	  [PF_ARM64_IMAGE] = "arm64-Image",
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

enum payload_fmt payload_find_inner(const uint8_t *buf, size_t len, size_t *at)
{
	static const struct magic inner[] = {
		{PF_XZ, 0, 6, "\xfd\x37\x7a\x58\x5a\x00"}, {PF_LZ4_LEGACY, 0, 4, "\x02\x21\x4c\x18"},
		{PF_ZSTD, 0, 4, "\x28\xb5\x2f\xfd"},	      {PF_LZOP, 0, 4, "\x89\x4c\x5a\x4f"},
		{PF_GZIP, 0, 4, "\x1f\x8b\x08\x00"},	      {PF_BZIP2, 0, 4, "BZh9"},
	};

	for (size_t p = 0; p + 6 <= len; p++)
		for (size_t i = 0; i < sizeof(inner) / sizeof(inner[0]); i++)
			if (!memcmp(buf + p, inner[i].bytes, inner[i].len)) {
				*at = p;
				return inner[i].fmt;
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

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;
		got += (size_t)r;
	}
	return 0;
}

/* Do FDT blobs follow back to back from rel to exactly len? Counts them. */
static int fdt_chain(int fd, uint64_t off, uint64_t len, uint64_t rel, unsigned *count)
{
	uint8_t h[8];
	unsigned n = 0;

	while (rel < len) {
		uint32_t ts;
		int r;

		if (len - rel < FDT_MIN_SIZE || n >= 256)
			return 0;
		r = pread_full(fd, h, sizeof(h), off + rel);
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

int payload_find_appended_dtb(int fd, uint64_t off, uint64_t len, uint64_t hint,
			      uint64_t *dtb_off, unsigned *count)
{
	enum { CHUNK = 1 << 16 };
	uint8_t *buf;
	uint64_t pos;
	int r = 0;

	if (hint)
		return hint < len ? (*dtb_off = hint, fdt_chain(fd, off, len, hint, count)) : 0;
	buf = malloc(CHUNK + 3);
	if (!buf)
		return -ENOMEM;
	/* Scan for the magic; chunks overlap by 3 bytes so none is missed. */
	for (pos = 0; pos + FDT_MIN_SIZE <= len && r == 0; pos += CHUNK) {
		size_t n = (size_t)(len - pos < CHUNK + 3 ? len - pos : CHUNK + 3);

		r = pread_full(fd, buf, n, off + pos);
		if (r)
			break;
		for (size_t i = 0; i + 4 <= n && i < CHUNK && r == 0; i++)
			if (buf[i] == 0xd0 && get_be32(buf + i) == FDT_MAGIC && pos + i > 0) {
				r = fdt_chain(fd, off, len, pos + i, count);
				if (r == 1)
					*dtb_off = pos + i;
			}
	}
	free(buf);
	return r;
}
