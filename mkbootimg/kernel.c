/* kernel.c - find a kernel's compressed payload, decode it (the ramdisk's
 * bounded decoders, ramdisk/compress.h), read its version string and its
 * embedded config. See kernel.h. */
#include "kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "compress.h"
#include "fileio.h"
#include "shim.h"

#define CONFIRM_CAP (64u << 10) /* output a trial decode must give to count */
#define CONFIRM_MIN 4096u

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

/* Does a stream of this format start at p? Decode its first bytes. */
static bool confirm(enum payload_fmt f, const uint8_t *p, size_t n)
{
	enum comp c = comp_of(f);
	uint8_t *out = NULL;
	size_t len = 0;
	bool whole = false, ok;

	if (c == COMP_UNKNOWN)
		return f == PF_LZOP; /* named, not decoded */
	if (decompress_prefix(c, p, n, CONFIRM_CAP, &out, &len, &whole, NULL) < 0)
		return false;
	ok = len >= CONFIRM_MIN; /* a kernel: megabytes; noise decodes to a few bytes at most */
	free(out);
	return ok;
}

/* The first confirmed payload from start on. */
static enum payload_fmt find_payload(const uint8_t *k, size_t n, size_t start, uint64_t *at)
{
	for (size_t i = start; i < n; i++) {
		enum payload_fmt f = magic_at(k + i, n - i);

		if (f != PF_UNKNOWN && confirm(f, k + i, n - i)) {
			*at = i;
			return f;
		}
	}
	return PF_UNKNOWN;
}

bool kernel_find_version(const uint8_t *k, size_t n, struct kernel_info *ki)
{
	const uint8_t *b = memmem(k, n, banner, sizeof(banner) - 1);
	size_t m = 0, w = 0;
	const char *r;

	if (!b)
		return false;
	while (b + m < k + n && m < sizeof(ki->version) - 1 && b[m] != '\n' && b[m] &&
	       b[m] >= 0x20 && b[m] < 0x7f)
		m++;
	memcpy(ki->version, b, m);
	ki->version[m] = 0;
	ki->version_cut = m == sizeof(ki->version) - 1;
	r = ki->version + sizeof(banner) - 1;
	while (r[w] && r[w] != ' ' && w < sizeof(ki->release) - 1)
		w++;
	memcpy(ki->release, r, w);
	ki->release[w] = 0;
	return true;
}

/* IKCFG_ST + gzip: the .config, decoded. */
static int find_config(const uint8_t *k, size_t n, uint8_t **config, size_t *config_len,
		       struct kernel_info *ki)
{
	const uint8_t *s = memmem(k, n, ikcfg_st, sizeof(ikcfg_st) - 1);
	bool whole;

	if (!s)
		return 0;
	s += 8; /* the gzip data */
	if (decompress_prefix(COMP_GZIP, s, (size_t)(k + n - s), KERNEL_CONFIG_MAX, config,
			      config_len, &whole, NULL) < 0)
		return 0;
	ki->has_config = true;
	return 0;
}

/* Where a kernel's compressed payload is, by kind. */
static void locate(const uint8_t *k, size_t n, struct kernel_info *ki)
{
	ki->kind = payload_detect(k, n < PAYLOAD_PROBE_LEN ? n : PAYLOAD_PROBE_LEN);
	if (ki->kind == PF_ZIMAGE) {
		ki->inner = find_payload(k, n, 0x30, &ki->inner_at);
	} else if (ki->kind == PF_BZIMAGE && n >= 0x250) {
		uint64_t pm = ((uint64_t)(k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
		uint64_t po = pm + get_le32(k + 0x248), pl = get_le32(k + 0x24c);

		if (range_ok(po, pl, n) && magic_at(k + po, pl) != PF_UNKNOWN)
			ki->inner = magic_at(k + po, pl), ki->inner_at = po;
	} else if (payload_fmt_is_compression(ki->kind)) {
		ki->inner = ki->kind, ki->inner_at = 0; /* Image.gz, Image.lz4... */
	}
}

int kernel_inspect(int fd, uint64_t off, uint64_t len, struct kernel_info *ki, uint8_t **config,
		   size_t *config_len, uint8_t **vmlinux, size_t *vmlinux_len, struct diag *d)
{
	uint8_t *k, *v = NULL;
	size_t vl = 0;
	bool whole = false;
	int r;

	memset(ki, 0, sizeof(*ki));
	ki->inner = PF_UNKNOWN;
	if (config)
		*config = NULL, *config_len = 0;
	if (vmlinux)
		*vmlinux = NULL, *vmlinux_len = 0;
	if (len > KERNEL_READ_MAX)
		return 0; /* not looked into: bigger than any kernel */
	if (!(k = malloc(len ? len : 1)))
		return diag_set(d, -ENOMEM, "out of memory");
	if ((r = read_at(fd, k, (size_t)len, off)) < 0) {
		free(k);
		return diag_set(d, r, "reading the kernel: %s", strerror(-r));
	}
	struct lk_shim sh;
	if (shim_detect(k, (size_t)len, &sh) &&
	    sh.len < len) /* bootkit's shim: the zImage after it */
		ki->shim_len = sh.len;
	locate(k + ki->shim_len, (size_t)(len - ki->shim_len), ki);
	if (ki->inner != PF_UNKNOWN)
		ki->inner_at += ki->shim_len;
	if (comp_of(ki->inner) != COMP_UNKNOWN &&
	    decompress_prefix(comp_of(ki->inner), k + ki->inner_at, (size_t)(len - ki->inner_at),
			      KERNEL_VMLINUX_MAX, &v, &vl, &whole, NULL) == 0) {
		ki->decoded = true;
		ki->vmlinux_len = vl;
	}
	/* the version string: in the decoded kernel, or in a plain one */
	if (v)
		kernel_find_version(v, vl, ki);
	else if (ki->kind == PF_ARM64_IMAGE || ki->kind == PF_ZIMAGE || ki->kind == PF_BZIMAGE ||
		 (len >= 4 && !memcmp(k,
				      "\x7f"
				      "ELF",
				      4))) /* a kernel not compressed */
		kernel_find_version(k, (size_t)len, ki);
	if (config)
		find_config(v ? v : k, v ? vl : (size_t)len, config, config_len, ki);
	if (vmlinux && v)
		*vmlinux = v, *vmlinux_len = vl, v = NULL;
	free(v);
	free(k);
	return 0;
}
