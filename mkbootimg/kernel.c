/* kernel.c - find a kernel's compressed payload, decode it (the ramdisk's
 * bounded decoders, ramdisk/compress.h), read its version string and its
 * embedded config. See kernel.h. */
#include "mkbootimg/kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/shim.h"
#include "ramdisk/compress.h"

/*
 * The payload search tries every compression magic in a zImage. Each try
 * decodes from a window of the bytes after its magic (CONFIRM_WINDOW; bzip2
 * emits nothing before a whole block, up to 900 kB, so it gets a wider one)
 * until CONFIRM_MIN bytes come out; the tries share a budget of input the
 * decoders take (SEARCH_BUDGET) and a count (SEARCH_TRIES). So a zImage made
 * of nothing but magics costs a bounded amount of work, not a decode from
 * every byte to the end (quadratic). A real zImage has a handful of false
 * magics before its payload (14-55 KiB in).
 */
#define CONFIRM_MIN	  4096u
#define CONFIRM_WINDOW	  (64u << 10)
#define CONFIRM_WINDOW_BZ (1u << 20)
#define SEARCH_BUDGET	  (16u << 20)
#define SEARCH_TRIES	  4096u
#define SEARCH_CHUNK	  (1u << 20)
#define CONFIG_GZ_MAX	  (1u << 20) /* the compressed .config kept from the stream */

static const char banner[] = "Linux version ";
static const char ikcfg_st[] = "IKCFG_ST\x1f\x8b\x08";

static enum comp comp_of(enum payload_fmt f)
{
	switch (f) {
	case PF_GZIP: return COMP_GZIP;
	case PF_XZ: return COMP_XZ;
	case PF_LZMA: return COMP_LZMA;
	case PF_BZIP2: return COMP_BZIP2;
	case PF_ZSTD: return COMP_ZSTD;
	case PF_LZ4_LEGACY: return COMP_LZ4_LEGACY;
	case PF_LZ4_FRAME: return COMP_LZ4_FRAME;
	default: return COMP_UNKNOWN;
	}
}

/* A compression magic at p (strong forms: a zImage's code is full of bytes). */
static enum payload_fmt magic_at(const uint8_t *p, size_t n)
{
	switch (p[0]) { /* the first bytes of the magics below: most bytes are none */
	case 0x1f:
	case 0xfd:
	case 0x02:
	case 0x28:
	case 0x89:
	case 'B':
	case 0x5d: break;
	default: return PF_UNKNOWN;
	}
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 0x08)
		return PF_GZIP;
	if (n >= 6 && !memcmp(p,
			      "\xfd"
			      "7zXZ\0",
			      6))
		return PF_XZ;
	if (n >= 4 && get_le32(p) == LZ4_LEGACY_MAGIC)
		return PF_LZ4_LEGACY;
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return PF_ZSTD;
	if (n >= 9 && !memcmp(p, "\x89LZO\0\r\n\x1a\n", 9))
		return PF_LZOP;
	if (n >= 10 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9' &&
	    !memcmp(p + 4, "1AY&SY", 6))
		return PF_BZIP2;
	if (n >= 13 && p[0] == 0x5d) { /* lzma_alone: a power-of-two dictionary, 4 KiB..1 GiB */
		uint32_t dict = get_le32(p + 1);
		if (is_pow2(dict) && dict >= 4096 && dict <= (1u << 30))
			return PF_LZMA;
	}
	return PF_UNKNOWN;
}

/* ---- scanning a kernel's bytes as they stream by -------------------------------------- */

/* A needle found across the pieces of a stream: the last n-1 bytes of what
 * went by are kept, so a match split between two pieces is seen. */
struct match {
	const char *s;
	size_t n; /* at most 16 */
	uint8_t tail[16];
	size_t tl;
};

/* Where the needle ends, as an index into p (1..n), or 0: not in p. */
static size_t match_piece(struct match *m, const uint8_t *p, size_t n)
{
	uint8_t buf[32];
	size_t k = n < m->n - 1 ? n : m->n - 1, end = 0, keep;
	const uint8_t *f;

	memcpy(buf, m->tail, m->tl);
	memcpy(buf + m->tl, p, k);
	f = memmem(buf, m->tl + k, m->s, m->n);
	if (f && (size_t)(f - buf) < m->tl)
		end = (size_t)(f - buf) + m->n - m->tl; /* starts in the tail */
	else if ((f = memmem(p, n, m->s, m->n)))
		end = (size_t)(f - p) + m->n;
	keep = m->n - 1;
	if (n >= keep) {
		memcpy(m->tail, p + n - keep, keep);
		m->tl = keep;
	} else {
		size_t all = m->tl + n, from = all > keep ? all - keep : 0;
		memmove(m->tail, buf + from, all - from);
		m->tl = all - from;
	}
	return end;
}

/* What the kernel's bytes are scanned for: the version string, the
 * compressed .config after IKCFG_ST; and where the decoded bytes go. */
struct kscan {
	struct kernel_info *ki;
	struct match banner, ikcfg;
	size_t vlen;
	bool vfound, vdone;
	bool want_config, cfound, cdone;
	uint8_t *cz; /* the config's gzip data, CONFIG_GZ_MAX at most */
	size_t czlen, czcap;
	bool version_only; /* stop once the version string is complete */
	zemit_fn vmlinux;
	void *vctx;
};

static bool version_char(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

/* The version string from p on (its start already in ki->version). */
static void version_take(struct kscan *ks, const uint8_t *p, size_t n)
{
	char *v = ks->ki->version;
	size_t i = 0;

	while (i < n && ks->vlen < KERNEL_VERSION_MAX - 1 && version_char(p[i]))
		v[ks->vlen++] = (char)p[i++];
	v[ks->vlen] = 0;
	if (i < n || ks->vlen == KERNEL_VERSION_MAX - 1) {
		ks->vdone = true;
		ks->ki->version_cut = ks->vlen == KERNEL_VERSION_MAX - 1;
	}
}

/* The config's gzip data, kept as it streams by (the buffer grows to
 * CONFIG_GZ_MAX at most); -ENOMEM stops the decode. */
static int config_take(struct kscan *ks, const uint8_t *p, size_t n)
{
	size_t k = CONFIG_GZ_MAX - ks->czlen < n ? CONFIG_GZ_MAX - ks->czlen : n;

	if (ks->czlen + k > ks->czcap) {
		size_t cap = ks->czcap ? ks->czcap : 64u << 10;
		uint8_t *b;

		while (cap < ks->czlen + k)
			cap *= 2;
		if (cap > CONFIG_GZ_MAX)
			cap = CONFIG_GZ_MAX;
		if (!(b = realloc(ks->cz, cap)))
			return -ENOMEM;
		ks->cz = b;
		ks->czcap = cap;
	}
	memcpy(ks->cz + ks->czlen, p, k);
	ks->czlen += k;
	ks->cdone = ks->czlen == CONFIG_GZ_MAX;
	return 0;
}

static void scan_version(struct kscan *ks, const uint8_t *p, size_t n)
{
	size_t e;

	if (ks->vdone)
		return;
	if (ks->vfound) {
		version_take(ks, p, n);
		return;
	}
	if (!(e = match_piece(&ks->banner, p, n)))
		return;
	ks->vfound = true;
	memcpy(ks->ki->version, banner, sizeof(banner) - 1);
	ks->vlen = sizeof(banner) - 1;
	version_take(ks, p + e, n - e);
}

static int scan_config(struct kscan *ks, const uint8_t *p, size_t n)
{
	size_t e;

	if (!ks->want_config || ks->cdone)
		return 0;
	if (ks->cfound)
		return config_take(ks, p, n);
	if (!(e = match_piece(&ks->ikcfg, p, n)))
		return 0;
	ks->cfound = true;
	if (config_take(ks, (const uint8_t *)ikcfg_st + 8, sizeof(ikcfg_st) - 9) < 0) /* 1f 8b 08 */
		return -ENOMEM;
	return config_take(ks, p + e, n - e);
}

/* zemit_fn / range_hook: one piece of the kernel's bytes. */
static int kscan_piece(void *ctx, const uint8_t *p, size_t n)
{
	struct kscan *ks = ctx;
	int r;

	if (ks->vmlinux && (r = ks->vmlinux(ks->vctx, p, n)) != 0)
		return r;
	scan_version(ks, p, n);
	if ((r = scan_config(ks, p, n)) < 0)
		return r;
	return ks->version_only && ks->vdone;
}

/* The release: the version string's third word. */
static void set_release(struct kernel_info *ki)
{
	const char *r = ki->version + sizeof(banner) - 1;
	size_t w = 0;

	while (r[w] && r[w] != ' ' && w < sizeof(ki->release) - 1)
		w++;
	memcpy(ki->release, r, w);
	ki->release[w] = 0;
}

bool kernel_find_version(const uint8_t *k, size_t n, struct kernel_info *ki)
{
	struct kscan ks = {.ki = ki, .banner = {banner, sizeof(banner) - 1, {0}, 0}};

	ki->version[0] = 0;
	scan_version(&ks, k, n);
	if (!ks.vfound)
		return false;
	if (!ks.vdone)
		version_take(&ks, (const uint8_t *)"", 1); /* the end: a NUL */
	set_release(ki);
	return true;
}

/* ---- the payload search ------------------------------------------------------------- */

struct ksearch {
	struct zstream *zs;
	uint64_t budget; /* input the tries may still take */
	unsigned tries;
};

/* Does a stream of this format start at p? Decode its first bytes. */
static bool confirm(struct ksearch *sr, enum payload_fmt f, const uint8_t *p, size_t n)
{
	enum comp c = comp_of(f);
	struct zsrc src = {-1, p, 0, n};
	struct zresult res;
	struct diag d;

	if (c == COMP_UNKNOWN)
		return f == PF_LZOP; /* named, not decoded */
	if (zstream_prefix(sr->zs, c, &src, CONFIRM_MIN, NULL, NULL, &res, &d) < 0)
		res.made = 0;
	sr->budget -= res.used < sr->budget ? res.used : sr->budget;
	/* a kernel: megabytes; noise decodes to a few bytes at most */
	return res.made >= CONFIRM_MIN;
}

/* The first confirmed payload of the kernel (len bytes at off of fd) from
 * start on, read in chunks; the tries within their budget. */
static int find_payload(struct ksearch *sr, int fd, uint64_t off, uint64_t len, uint64_t start,
			struct kernel_info *ki, struct diag *d)
{
	size_t cap = SEARCH_CHUNK + CONFIRM_WINDOW_BZ;
	uint8_t *buf;
	int r = 0;

	if (start >= len)
		return 0;
	if (len - start < cap)
		cap = (size_t)(len - start);
	buf = malloc(cap);

	if (!buf)
		return diag_set(d, -ENOMEM, "out of memory");
	for (uint64_t base = start; base < len && !r; base += SEARCH_CHUNK) {
		size_t have = (size_t)(len - base < cap ? len - base : cap),
		       lim = have < SEARCH_CHUNK ? have : SEARCH_CHUNK;

		if ((r = read_at(fd, buf, have, off + base)) < 0) {
			r = diag_set(d, r, "reading the kernel: %s", strerror(-r));
			break;
		}
		for (size_t i = 0; i < lim; i++) {
			enum payload_fmt f = magic_at(buf + i, have - i);
			size_t w = f == PF_BZIP2 ? CONFIRM_WINDOW_BZ : CONFIRM_WINDOW;

			if (f == PF_UNKNOWN)
				continue;
			if (!sr->budget || sr->tries == SEARCH_TRIES) {
				ki->search_cut = true;
				r = 1;
				break;
			}
			sr->tries++;
			if (confirm(sr, f, buf + i, have - i < w ? have - i : w)) {
				ki->inner = f, ki->inner_at = base + i;
				r = 1;
				break;
			}
		}
	}
	free(buf);
	return r < 0 ? r : 0;
}

/* Where a kernel's compressed payload is, by kind (head: its first bytes). */
static int locate(struct ksearch *sr, int fd, uint64_t off, uint64_t len, const uint8_t *head,
		  size_t hn, struct kernel_info *ki, struct diag *d)
{
	ki->kind = payload_detect(head, hn);
	if (ki->kind == PF_ZIMAGE)
		return find_payload(sr, fd, off, len, 0x30, ki, d);
	if (ki->kind == PF_BZIMAGE && hn >= 0x250) {
		uint64_t pm = ((uint64_t)(head[0x1f1] ? head[0x1f1] : 4) + 1) * 512;
		uint64_t po = pm + get_le32(head + 0x248), pl = get_le32(head + 0x24c);
		uint8_t m[16];
		size_t mn = pl < sizeof(m) ? (size_t)pl : sizeof(m);
		int r;

		if (!range_ok(po, pl, len))
			return 0;
		if ((r = read_at(fd, m, mn, off + po)) < 0)
			return diag_set(d, r, "reading the kernel: %s", strerror(-r));
		if (magic_at(m, mn) != PF_UNKNOWN)
			ki->inner = magic_at(m, mn), ki->inner_at = po;
	} else if (payload_fmt_is_compression(ki->kind)) {
		ki->inner = ki->kind, ki->inner_at = 0; /* Image.gz, Image.lz4... */
	}
	return 0;
}

/* ---- inspect -------------------------------------------------------------------------- */

/* Decode the payload through the scanner; a kernel not compressed (or whose
 * payload does not decode) is scanned as it is. */
static int scan_kernel(struct ksearch *sr, int fd, uint64_t off, uint64_t len, const uint8_t *head,
		       struct kscan *ks, struct diag *d)
{
	struct kernel_info *ki = ks->ki;
	struct zsrc src = {fd, NULL, off + ki->inner_at, len - ki->inner_at};
	struct zresult res;
	struct diag dd;
	uint8_t *buf;
	size_t cap;
	int r;

	if (comp_of(ki->inner) != COMP_UNKNOWN) {
		r = zstream_prefix(sr->zs, comp_of(ki->inner), &src, KERNEL_VMLINUX_MAX,
				   kscan_piece, ks, &res, &dd);
		if (r < 0 && r != -EBADMSG)
			return diag_set(d, r, "decoding the kernel: %s", dd.msg);
		if (r == 0) {
			ki->decoded = true;
			ki->vmlinux_len = res.made;
			return 0;
		}
	}
	if (!(ki->kind == PF_ARM64_IMAGE || ki->kind == PF_ZIMAGE || ki->kind == PF_BZIMAGE ||
	      (len >= 4 && !memcmp(head,
				   "\x7f"
				   "ELF",
				   4)))) /* a kernel not compressed */
		return 0;
	ks->vmlinux = NULL; /* only a decoded kernel is handed over */
	cap = len < SEARCH_CHUNK ? (size_t)len + 1 : SEARCH_CHUNK;
	if (!(buf = malloc(cap)))
		return diag_set(d, -ENOMEM, "out of memory");
	r = stream_range(fd, off, len, buf, cap, kscan_piece, ks);
	free(buf);
	return r < 0 ? diag_set(d, r, "reading the kernel: %s", strerror(-r)) : 0;
}

int kernel_inspect(int fd, uint64_t off, uint64_t len, struct kernel_info *ki, uint8_t **config,
		   size_t *config_len, zemit_fn vmlinux, void *vctx, struct diag *d)
{
	struct kscan ks = {.ki = ki,
			   .banner = {banner, sizeof(banner) - 1, {0}, 0},
			   .ikcfg = {ikcfg_st, sizeof(ikcfg_st) - 1, {0}, 0},
			   .want_config = config != NULL,
			   .version_only = !config && !vmlinux,
			   .vmlinux = vmlinux,
			   .vctx = vctx};
	struct ksearch sr = {.budget = SEARCH_BUDGET};
	uint8_t head[PAYLOAD_PROBE_LEN];
	size_t hn = len < sizeof(head) ? (size_t)len : sizeof(head);
	bool whole;
	int r;

	memset(ki, 0, sizeof(*ki));
	ki->inner = PF_UNKNOWN;
	if (config)
		*config = NULL, *config_len = 0;
	if (len > KERNEL_READ_MAX)
		return 0; /* not looked into: bigger than any kernel */
	if ((r = read_at(fd, head, hn, off)) < 0)
		return diag_set(d, r, "reading the kernel: %s", strerror(-r));
	struct lk_shim sh;
	if (shim_detect(head, hn, &sh) && sh.len < len) { /* bootkit's shim: the zImage after it */
		off += sh.len, len -= sh.len;
		hn = len < sizeof(head) ? (size_t)len : sizeof(head);
		if ((r = read_at(fd, head, hn, off)) < 0)
			return diag_set(d, r, "reading the kernel: %s", strerror(-r));
	} else {
		sh.len = 0;
	}
	if ((r = zstream_new(&sr.zs)) < 0)
		return diag_set(d, -ENOMEM, "out of memory");
	r = locate(&sr, fd, off, len, head, hn, ki, d);
	if (r == 0)
		r = scan_kernel(&sr, fd, off, len, head, &ks, d);
	if (r == 0 && ks.vfound) {
		if (!ks.vdone) /* the kernel ends inside it */
			version_take(&ks, (const uint8_t *)"", 1);
		set_release(ki);
	}
	if (r == 0 && ks.czlen &&
	    decompress_prefix(COMP_GZIP, ks.cz, ks.czlen, KERNEL_CONFIG_MAX, config, config_len,
			      &whole, NULL) == 0)
		ki->has_config = true;
	free(ks.cz);
	zstream_free(sr.zs);
	ki->shim_len = sh.len;
	if (ki->inner != PF_UNKNOWN)
		ki->inner_at += sh.len;
	return r;
}
