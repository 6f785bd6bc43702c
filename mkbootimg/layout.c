/* layout.c - loader models, kernel footprints and the layout check. See layout.h. */
#include "mkbootimg/layout.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/image.h"
#include "mkbootimg/kernel.h"
#include "mkbootimg/mtk.h"
#include "mkbootimg/shim.h"
#include "ramdisk/compress.h"

/* ---- loader models --------------------------------------------------------------- */

static int parse_u64(const char *s, size_t n, bool size, uint64_t *out)
{
	char buf[32], *end;
	uint64_t mult = 1, v;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (size && strchr("KMG", buf[n - 1])) {
		mult = buf[n - 1] == 'K' ? 1u << 10 : buf[n - 1] == 'M' ? 1u << 20 : 1u << 30;
		buf[--n] = 0;
	}
	if (!n || buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') ? 16 : 10);
	if (errno || *end || __builtin_mul_overflow(v, mult, out))
		return -EINVAL;
	return 0;
}

/* START+SIZE: a range below 2^64, not empty. */
static int parse_range(const char *s, size_t n, struct mem_range *r)
{
	const char *plus = memchr(s, '+', n);
	uint64_t end;

	if (!plus || parse_u64(s, (size_t)(plus - s), false, &r->start) ||
	    parse_u64(plus + 1, n - (size_t)(plus + 1 - s), true, &r->size) || !r->size ||
	    __builtin_add_overflow(r->start, r->size, &end))
		return -EINVAL;
	return 0;
}

static int model_key(struct loader_model *m, const char *k, size_t kn, const char *v, size_t vn,
		     unsigned *seen)
{
	static const char *const keys[] = {"kernel", "ramdisk", "tags", "mem", "reserved", "name"};
	unsigned i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == kn && !memcmp(keys[i], k, kn))
			break;
	if (i == 4) {
		if (m->nreserved == LOADER_RESERVED_MAX)
			return -E2BIG;
		return parse_range(v, vn, &m->reserved[m->nreserved++]);
	}
	if (i >= sizeof(keys) / sizeof(keys[0]) || (*seen & 1u << i))
		return -EINVAL; /* unknown, or given twice */
	*seen |= 1u << i;
	if (i == 5) {
		if (!vn || vn >= sizeof(m->name))
			return -EINVAL;
		memcpy(m->name, v, vn);
		m->name[vn] = 0;
		return 0;
	}
	if (i == 3)
		return m->has_mem = true, parse_range(v, vn, &m->mem);
	return parse_u64(v, vn, false, i == 0 ? &m->kernel : i == 1 ? &m->ramdisk : &m->tags);
}

/* One model: a word of comma-separated items. */
static int parse_model(const char *w, size_t n, struct loader_model *m, struct diag *d)
{
	const char *end = w + n, *p = w, *c;
	unsigned seen = 0;
	size_t kn;

	memset(m, 0, sizeof(*m));
	c = memchr(p, ',', n);
	kn = c ? (size_t)(c - p) : n;
	if (kn == 6 && !memcmp(p, "header", 6))
		m->kind = LOADER_HEADER;
	else if (kn == 5 && !memcmp(p, "fixed", 5))
		m->kind = LOADER_FIXED;
	else
		return diag_set(d, -EINVAL, "loader \"%.*s\": a model is header or fixed", (int)n,
				w);
	strfmt(m->name, sizeof(m->name), "%s", m->kind == LOADER_HEADER ? "header" : "fixed");
	for (p = c ? c + 1 : end; p < end; p = c ? c + 1 : end) {
		const char *eq;
		size_t in;
		int r;

		c = memchr(p, ',', (size_t)(end - p));
		in = c ? (size_t)(c - p) : (size_t)(end - p);
		eq = memchr(p, '=', in);
		r = eq ? model_key(m, p, (size_t)(eq - p), eq + 1, in - (size_t)(eq + 1 - p), &seen)
		       : -EINVAL;
		if (r)
			return diag_set(d, -EINVAL,
					"loader \"%.*s\": \"%.*s\" is not one of kernel=A, "
					"ramdisk=A, tags=A, mem=START+SIZE, reserved=START+SIZE, "
					"name=NAME (each once%s)",
					(int)n, w, (int)in, p,
					r == -E2BIG ? "; at most 4 reserved" : "");
	}
	if (m->kind == LOADER_FIXED && (seen & 0xf) != 0xf)
		return diag_set(d, -EINVAL,
				"loader \"%.*s\": a fixed model needs kernel=, ramdisk=, tags= "
				"and mem=",
				(int)n, w);
	if (m->kind == LOADER_HEADER && (seen & 7))
		return diag_set(d, -EINVAL,
				"loader \"%.*s\": a header model takes its addresses from the "
				"image (only mem=, reserved=, name=)",
				(int)n, w);
	return 0;
}

int loader_parse(const char *spec, struct loader_model *out, unsigned max, unsigned *n,
		 struct diag *d)
{
	const char *p = spec;

	*n = 0;
	while (*p) {
		size_t w;
		int r;

		p += strspn(p, " \t");
		w = strcspn(p, " \t");
		if (!w)
			break;
		if (*n == max)
			return diag_set(d, -EINVAL, "loader: more than %u models", max);
		if ((r = parse_model(p, w, &out[*n], d)) < 0)
			return r;
		++*n;
		p += w;
	}
	if (!*n)
		return diag_set(d, -EINVAL, "loader: no model (header, or fixed,...)");
	return 0;
}

int loader_from_profile(const char *path, char *spec, size_t cap, struct diag *d)
{
	uint8_t *text;
	size_t len;
	int r = file_read_small(path, 256u << 10, &text, &len, d);

	if (r)
		return r;
	r = diag_set(d, -ENOENT, "%s: no LOADER= line", path);
	for (size_t i = 0; i < len;) {
		const char *l = (const char *)text + i;
		size_t ln = strcspn(l, "\n");

		if (i + ln > len)
			ln = len - i;
		if (ln >= 7 && !memcmp(l, "LOADER=", 7)) {
			if (ln - 7 >= cap) {
				r = diag_set(d, -E2BIG, "%s: LOADER= is longer than %zu bytes",
					     path, cap - 1);
				break;
			}
			memcpy(spec, l + 7, ln - 7);
			spec[ln - 7] = 0;
			r = 0;
		}
		i += ln + 1;
	}
	free(text);
	return r;
}

/* ---- kernel footprints ------------------------------------------------------------ */

static uint32_t arm_imm(uint32_t insn)
{
	uint32_t v = insn & 0xff, rot = ((insn >> 8) & 0xf) * 2;

	return rot ? (v >> rot | v << (32 - rot)) : v;
}

/* The decompressor's first instructions: where does it decompress to? From
 * the branch before the magic (0x20) on, 128 instructions at most. */
static void zimage_zreladdr(const uint8_t *z, size_t n, bool dtb, struct kernel_foot *kf)
{
	uint32_t b = get_le32(z + 0x20);
	size_t at = 0x30;

	if ((b >> 24) == 0xea) /* b <entry>: 6.1 with an EFI header jumps to 0x1000 */
		at = 0x28 + (size_t)((int32_t)(b << 8) >> 8) * 4;
	for (size_t i = at, end = at + 512; i + 4 <= n && i < end; i += 4) {
		uint32_t w = get_le32(z + i);

		if ((w & 0x0ff00fff) == 0x0200033e || (w & 0x0ff00fff) == 0x020004f8) {
			/* and rD, rN, #0xf8000000: rD r0 is the 5.12+ form (a DT check follows) */
			kf->zrel = ((w >> 12) & 0xf) == 0 && !dtb ? ZREL_AUTO_DT : ZREL_AUTO;
			for (size_t j = i + 4; j + 4 <= n && j < i + 64; j += 4)
				if ((get_le32(z + j) & 0x0ff0f000) ==
				    0x02804000) { /* add r4, rN, #imm */
					kf->text_offset = arm_imm(get_le32(z + j));
					break;
				}
			return;
		}
		if ((w & 0xfffff000) == 0xe59f4000) { /* ldr r4, [pc, #imm]: =zreladdr */
			size_t lit = i + 8 + (w & 0xfff);
			if (lit + 4 <= n) {
				kf->zrel = ZREL_FIXED;
				kf->zreladdr = get_le32(z + lit);
			}
			return;
		}
	}
}

/* The size word: the zImage's table (4.15+: tag 0x5a534c4b with the piggy's
 * end, the kernel's bss and TEXT_OFFSET), or its LC0 literals (3.x: a word
 * holding its own offset, then __bss_start, _end, _edata, input_data_end - 4). */
static int zimage_sizes(int fd, uint64_t zoff, const uint8_t *z, size_t n, struct kernel_foot *kf)
{
	uint8_t w[4];
	uint64_t at = 0;
	int r;

	if (n >= 0x3c && get_le32(z + 0x30) == 0x04030201 && get_le32(z + 0x34) == 0x45454545) {
		uint64_t t = get_le32(z + 0x38);
		if (range_ok(t, 24, n) && get_le32(z + t + 4) == 0x5a534c4b) {
			uint32_t words = get_le32(z + t);
			at = get_le32(z + t + 8);
			kf->bss = get_le32(z + t + 12), kf->bss_known = true;
			if (words >= 5)
				kf->text_offset = get_le32(z + t + 16);
			kf->inflated_how = "the size word its table points at";
		}
	}
	for (size_t i = 0x30; !at && i + 20 <= n; i += 4)
		if (get_le32(z + i) == i && get_le32(z + i + 12) == kf->image_len &&
		    get_le32(z + i + 16) > i && get_le32(z + i + 16) < kf->image_len) {
			at = get_le32(z + i + 16);
			kf->inflated_how = "the size word its LC0 literals point at";
		}
	if (!at)
		return 0;
	if (!range_ok(at, 4, kf->image_len))
		return kf->inflated_how = NULL, 0;
	if ((r = read_at(fd, w, 4, zoff + at)) < 0)
		return r;
	kf->inflated = get_le32(w);
	return 0;
}

/* The decoded kernel, counted only. */
static int discard(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return 0;
}

/* Nothing says the size: decode the whole payload (kernel.c), as far as it goes. */
static int zimage_decode(int fd, uint64_t zoff, struct kernel_foot *kf, struct diag *d)
{
	struct kernel_info *ki = malloc(sizeof(*ki));
	int r;

	if (!ki)
		return diag_set(d, -ENOMEM, "out of memory");
	r = kernel_inspect(fd, zoff, kf->image_len, ki, NULL, NULL, discard, NULL, d);
	if (!r && ki->decoded && ki->vmlinux_len) {
		kf->inflated = ki->vmlinux_len;
		kf->inflated_how = "its payload decoded";
	}
	free(ki);
	return r;
}

static int foot_zimage(int fd, uint64_t off, const uint8_t *z, size_t n, struct kernel_foot *kf,
		       struct diag *d)
{
	uint64_t zoff = off + kf->shim_len, room = kf->len - kf->shim_len;
	uint32_t start = get_le32(z + 0x28), end = get_le32(z + 0x2c);
	uint8_t fdt[4];
	int r;

	kf->kind = PF_ZIMAGE;
	kf->image_len = end > start && end - start <= room ? end - start : room;
	if (kf->image_len + 8 <= room && read_at(fd, fdt, 4, zoff + kf->image_len) == 0 &&
	    get_be32(fdt) == FDT_MAGIC)
		kf->dtb_len = room - kf->image_len;
	kf->text_offset = 0x8000; /* ARM's default; the code or table may say more */
	zimage_zreladdr(z, n, kf->dtb_len > 0, kf);
	if ((r = zimage_sizes(fd, zoff, z, n, kf)) < 0)
		return diag_set(d, r, "reading the zImage's size word: %s", strerror(-r));
	if (!kf->inflated && (r = zimage_decode(fd, zoff, kf, d)) < 0)
		return r;
	if (kf->zrel == ZREL_UNKNOWN)
		strfmt_show(
		    kf->note, sizeof(kf->note),
		    "where it decompresses to is not known (neither AUTO_ZRELADDR's "
		    "\"and rN, rN, #0xf8000000\" nor \"ldr r4, =zreladdr\" near its start)");
	else if (!kf->inflated)
		strfmt_show(kf->note, sizeof(kf->note),
			    "its decompressed size is not known (no size word found, the "
			    "payload does not decode)");
	if (!kf->bss_known)
		kf->bss = LAYOUT_BSS_MARGIN;
	return 0;
}

static void foot_arm64(const uint8_t *k, struct kernel_foot *kf)
{
	kf->kind = PF_ARM64_IMAGE;
	kf->a64_text_offset = get_le64(k + 8);
	kf->a64_image_size = get_le64(k + 16);
	if (!kf->a64_image_size) /* before 3.17 (booting.rst) */
		kf->a64_text_offset = 0x80000,
		strfmt_show(kf->note, sizeof(kf->note),
			    "image_size is 0 (a kernel before 3.17): how far it spreads is not "
			    "known");
}

static void foot_bzimage(const uint8_t *k, size_t n, struct kernel_foot *kf)
{
	uint16_t ver = n >= 0x208 ? get_le16(k + 0x206) : 0;

	kf->kind = PF_BZIMAGE;
	kf->image_len = kf->len;
	if (ver >= 0x20a && n >= 0x268) {
		kf->kernel_alignment = get_le32(k + 0x230);
		kf->relocatable = k[0x234] != 0;
		kf->pref_address = get_le64(k + 0x258);
		kf->init_size = get_le32(k + 0x260);
	} else {
		strfmt_show(kf->note, sizeof(kf->note),
			    "boot protocol %u.%02u has no init_size (2.10+): how far it spreads "
			    "is not known",
			    ver >> 8, ver & 0xff);
	}
}

/* An Image.gz (...): its first bytes decoded, an arm64 header looked for. */
static void foot_compressed(const uint8_t *k, size_t n, struct kernel_foot *kf)
{
	enum payload_fmt f = payload_detect(k, n);
	static const enum comp comps[PF_COUNT] = {
	    [PF_GZIP] = COMP_GZIP,	    [PF_XZ] = COMP_XZ,
	    [PF_LZMA] = COMP_LZMA,	    [PF_BZIP2] = COMP_BZIP2,
	    [PF_ZSTD] = COMP_ZSTD,	    [PF_LZ4_LEGACY] = COMP_LZ4_LEGACY,
	    [PF_LZ4_FRAME] = COMP_LZ4_FRAME};
	uint8_t *out = NULL;
	size_t len = 0;
	bool whole;

	if (!payload_fmt_is_compression(f) || comps[f] == COMP_UNKNOWN ||
	    decompress_prefix(comps[f], k, n, 4096, &out, &len, &whole, NULL) < 0)
		return;
	if (len >= 64 && payload_detect(out, len) == PF_ARM64_IMAGE) {
		foot_arm64(out, kf);
		kf->a64_compressed = true;
	}
	free(out);
}

void kernel_foot_add_dtb(struct kernel_foot *kf, uint64_t dtb_len)
{
	if (!dtb_len)
		return;
	kf->len += dtb_len;
	if (kf->kind == PF_ZIMAGE) {
		kf->dtb_len += dtb_len;
		if (kf->zrel == ZREL_AUTO_DT) /* an appended DTB: no check against DT memory */
			kf->zrel = ZREL_AUTO;
	}
}

int kernel_footprint(int fd, uint64_t off, uint64_t len, struct kernel_foot *kf, struct diag *d)
{
	size_t n = len < LAYOUT_HEAD_MAX ? (size_t)len : LAYOUT_HEAD_MAX;
	uint8_t *k = malloc(n ? n : 1);
	struct lk_shim sh;
	int r;

	memset(kf, 0, sizeof(*kf));
	kf->kind = PF_UNKNOWN;
	kf->len = len;
	kf->image_len = len;
	if (!k)
		return diag_set(d, -ENOMEM, "out of memory");
	if ((r = read_at(fd, k, n, off)) < 0) {
		free(k);
		return diag_set(d, r, "reading the kernel: %s", strerror(-r));
	}
	if (len > MTK_HDR_SIZE && mtk_hdr_present(k, n)) {
		/* a MediaTek KERNEL header (unpack_bootimg keeps it on the kernel
		 * file): LK loads what follows it */
		free(k);
		return kernel_footprint(fd, off + MTK_HDR_SIZE, len - MTK_HDR_SIZE, kf, d);
	}
	if (shim_detect(k, n, &sh) && sh.len < n)
		kf->shim_len = sh.len, kf->shim_align = sh.align;
	const uint8_t *z = k + kf->shim_len;
	size_t zn = n - kf->shim_len;
	switch (payload_detect(z, zn)) {
	case PF_ZIMAGE: r = foot_zimage(fd, off, z, zn, kf, d); break;
	case PF_ARM64_IMAGE: foot_arm64(z, kf); break;
	case PF_BZIMAGE: foot_bzimage(z, zn, kf); break;
	default: foot_compressed(z, zn, kf); break;
	}
	if (kf->kind == PF_UNKNOWN && !kf->note[0])
		strfmt_show(
		    kf->note, sizeof(kf->note),
		    "not a zImage, arm64 Image or bzImage: how far it spreads is not known");
	free(k);
	return r;
}

/* ---- the check ---------------------------------------------------------------------- */

const char *layout_sev_name(enum layout_sev s)
{
	return s == LAYOUT_ERROR ? "error" : s == LAYOUT_WARN ? "warning" : "note";
}

static void add(struct layout_result *r, enum layout_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add(struct layout_result *r, enum layout_sev sev, const char *fmt, ...)
{
	va_list ap;

	r->errors += sev == LAYOUT_ERROR;
	r->warnings += sev == LAYOUT_WARN;
	if (r->n == LAYOUT_FINDINGS_MAX)
		return; /* counted, not kept */
	r->f[r->n].sev = sev;
	va_start(ap, fmt);
	vstrfmt_show(r->f[r->n].msg, sizeof(r->f[r->n].msg), fmt, ap);
	va_end(ap);
	r->n++;
}

static struct layout_span span(uint64_t start, uint64_t len)
{
	struct layout_span s = {.present = len > 0, .start = start};

	s.end = __builtin_add_overflow(start, len, &s.end) ? UINT64_MAX : start + len;
	return s;
}

static bool overlaps(struct layout_span a, struct layout_span b)
{
	return a.present && b.present && a.start < b.end && b.start < a.end;
}

#define SPAN_FMT      "0x%08" PRIx64 "-0x%08" PRIx64
#define SPAN_ARGS(s)  (s).start, (s).end
#define RANGE_ARGS(m) (m).start, (m).start + (m).size

/* The zImage decompressed: page tables below it, the kernel and its bss, and
 * the decompressor moved above when they overlap (head.S). */
static void run_zimage(const struct kernel_foot *kf, uint64_t k, struct layout_result *r)
{
	uint64_t zk = k + kf->shim_len, r4, kend, dec_end, dtb = (kf->dtb_len + 7) & ~7ull;

	if (kf->zrel == ZREL_UNKNOWN || !kf->inflated)
		return;
	if (kf->zrel == ZREL_FIXED)
		r4 = kf->zreladdr;
	else
		r4 = (zk & 0xf8000000u) + kf->text_offset;
	if (kf->zrel == ZREL_AUTO_DT && r->has_mem &&
	    !((zk & 0xf8000000u) >= r->mem.start &&
	      (zk & 0xf8000000u) - r->mem.start < r->mem.size)) /* fdt_check_mem_start */
		r4 = ((r->mem.start + LAYOUT_MEM_ALIGN - 1) & ~(uint64_t)(LAYOUT_MEM_ALIGN - 1)) +
		     kf->text_offset;
	kend = r4 + kf->inflated + kf->bss;
	dec_end = zk + kf->image_len + dtb + LAYOUT_DECOMP_EXTRA;
	r->relocates = !(r4 >= dec_end + LAYOUT_PGDIR) && !(r4 + kf->inflated <= zk);
	if (r->relocates) {
		uint64_t dest = (r4 + kf->inflated + kf->bss + 4096 + 255) & ~255ull;
		uint64_t rend = dest + kf->image_len + dtb + LAYOUT_DECOMP_EXTRA;
		kend = rend > kend ? rend : kend;
	}
	r->krun = (struct layout_span){.present = true, .start = r4 - LAYOUT_PGDIR, .end = kend};
}

static void run_kernel(const struct kernel_foot *kf, uint64_t k, struct layout_result *r)
{
	switch (kf->kind) {
	case PF_ZIMAGE: run_zimage(kf, k, r); break;
	case PF_ARM64_IMAGE:
		if (kf->a64_image_size)
			r->krun = span(k, kf->a64_image_size);
		if ((k - kf->a64_text_offset) % (2u << 20))
			add(r, LAYOUT_ERROR,
			    "kernel address 0x%08" PRIx64 " is not text_offset 0x%" PRIx64
			    " above a 2 MiB boundary: an arm64 Image must be there (booting.rst)",
			    k, kf->a64_text_offset);
		break;
	case PF_BZIMAGE:
		if (kf->init_size) {
			uint64_t load = k;
			if (kf->relocatable && is_pow2(kf->kernel_alignment))
				align_up(k, kf->kernel_alignment, &load);
			else if (!kf->relocatable && kf->pref_address)
				load = kf->pref_address;
			r->krun = span(load, kf->init_size > kf->len ? kf->init_size : kf->len);
		}
		break;
	default: break;
	}
}

/* Is [s.start, s.end) inside the union of the ranges? (They may touch.) */
static bool inside(struct layout_span s, const struct mem_range *mr, unsigned n)
{
	uint64_t at = s.start;
	bool moved = true;

	while (at < s.end && moved) {
		moved = false;
		for (unsigned i = 0; i < n; i++)
			if (at >= mr[i].start && at - mr[i].start < mr[i].size) {
				at = mr[i].start + mr[i].size;
				moved = true;
			}
	}
	return at >= s.end;
}

struct named {
	const char *what;
	struct layout_span s;
};

static void check_overlaps(struct layout_result *r, const struct named *parts, unsigned n,
			   bool dtb_appended)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (overlaps(parts[i].s, parts[j].s))
				add(r, LAYOUT_ERROR,
				    "overlap: the %s (" SPAN_FMT ") and the %s (" SPAN_FMT ")",
				    parts[i].what, SPAN_ARGS(parts[i].s), parts[j].what,
				    SPAN_ARGS(parts[j].s));
	for (unsigned j = 1; j < n; j++) {
		if (!overlaps(r->krun, parts[j].s))
			continue;
		if (!strcmp(parts[j].what, "tags") && dtb_appended)
			add(r, LAYOUT_NOTE,
			    "the kernel, decompressed, covers the tags at " SPAN_FMT
			    ": harmless, its decompressor reads them into its appended DTB first",
			    SPAN_ARGS(parts[j].s));
		else
			add(r, LAYOUT_ERROR,
			    "overlap: the kernel, decompressed (" SPAN_FMT
			    "), and the %s (" SPAN_FMT ")",
			    SPAN_ARGS(r->krun), parts[j].what, SPAN_ARGS(parts[j].s));
	}
}

static void check_memory(const struct loader_model *m, const struct kernel_foot *kf,
			 struct layout_result *r, const struct named *parts, unsigned n)
{
	struct mem_range dram[1 + LOADER_RESERVED_MAX];
	unsigned nd = 0;

	dram[nd++] = m->mem;
	for (unsigned i = 0; i < m->nreserved; i++)
		dram[nd++] = m->reserved[i];
	for (unsigned i = 0; i < n; i++)
		if (parts[i].s.present && !inside(parts[i].s, dram, nd))
			add(r, LAYOUT_ERROR,
			    "outside the memory the loader knows (it reports 0x%08" PRIx64
			    "-0x%08" PRIx64 "%s): the %s at " SPAN_FMT,
			    RANGE_ARGS(m->mem), m->nreserved ? ", plus what it reserves" : "",
			    parts[i].what, SPAN_ARGS(parts[i].s));
	if (r->krun.present && !inside(r->krun, dram, nd))
		add(r, LAYOUT_ERROR,
		    "outside the memory the loader knows (it reports 0x%08" PRIx64 "-0x%08" PRIx64
		    "%s): the kernel, decompressed, spans " SPAN_FMT,
		    RANGE_ARGS(m->mem), m->nreserved ? ", plus what it reserves" : "",
		    SPAN_ARGS(r->krun));
	if (r->ramdisk.present && !inside(r->ramdisk, &r->mem, 1))
		add(r, LAYOUT_ERROR,
		    "the ramdisk at " SPAN_FMT " lies outside the memory the kernel is told of "
		    "(0x%08" PRIx64 "-0x%08" PRIx64 "): it drops the ramdisk",
		    SPAN_ARGS(r->ramdisk), RANGE_ARGS(r->mem));
	for (unsigned i = 0; i < m->nreserved; i++)
		if (overlaps(r->krun, span(m->reserved[i].start, m->reserved[i].size)))
			add(r, LAYOUT_WARN,
			    "the kernel, decompressed, covers the loader's reserved 0x%08" PRIx64
			    "-0x%08" PRIx64 " (the kernel is not told of it, so it never uses "
			    "it afterwards; a driver that owns it would overwrite the kernel)",
			    RANGE_ARGS(m->reserved[i]));
	if ((kf->zrel == ZREL_AUTO || kf->zrel == ZREL_AUTO_DT) &&
	    r->mem.start % LAYOUT_MEM_ALIGN) {
		r->shim_needed = !kf->shim_len && r->mem.size > LAYOUT_MEM_ALIGN;
		add(r, LAYOUT_ERROR,
		    "memory start 0x%08" PRIx64
		    " (as the loader reports it) is not on a 2 MiB boundary: a generic ARM "
		    "kernel (AUTO_ZRELADDR) cannot use it and hangs before its first line%s",
		    r->mem.start,
		    r->shim_needed ? "; bootkit's shim (--lk-shim) rounds it up" : "");
	}
}

void layout_check(const struct loader_model *m, const struct layout_image *li,
		  struct layout_result *r)
{
	const struct kernel_foot *kf = li->kf;
	bool fixed = m->kind == LOADER_FIXED;
	uint64_t k = fixed ? m->kernel : li->kernel_addr;

	memset(r, 0, sizeof(*r));
	if (!fixed && !li->has_addresses) {
		add(r, LAYOUT_NOTE,
		    "no load addresses in this header (boot v3 and later keep them "
		    "in vendor_boot): not checked");
		return;
	}
	r->has_mem = m->has_mem;
	r->mem = m->mem;
	if (kf->shim_len && r->has_mem) { /* what the shim makes of ATAG_MEM */
		uint64_t s;
		if (align_up(r->mem.start, kf->shim_align, &s) && s - r->mem.start < r->mem.size)
			r->mem.size -= s - r->mem.start, r->mem.start = s;
	}
	r->kload = span(k, kf->len);
	r->ramdisk = span(fixed ? m->ramdisk : li->ramdisk_addr, li->ramdisk_len);
	r->second = fixed ? (struct layout_span){0} : span(li->second_addr, li->second_len);
	r->tags = span(fixed ? m->tags : li->tags_addr, LAYOUT_TAGS_SIZE);
	r->dtb = fixed ? (struct layout_span){0} : span(li->dtb_addr, li->dtb_len);
	if (fixed && li->second_len)
		add(r, LAYOUT_NOTE, "the second stage is not loaded by this loader");
	run_kernel(kf, k, r);
	if (kf->note[0])
		add(r, kf->kind == PF_UNKNOWN ? LAYOUT_NOTE : LAYOUT_WARN, "kernel: %s", kf->note);
	const struct named parts[] = {{"kernel", r->kload},
				      {"ramdisk", r->ramdisk},
				      {"second stage", r->second},
				      {"tags", r->tags},
				      {"DTB", r->dtb}};
	check_overlaps(r, parts, sizeof(parts) / sizeof(parts[0]), kf->dtb_len > 0);
	if (r->has_mem)
		check_memory(m, kf, r, parts, sizeof(parts) / sizeof(parts[0]));
}

void layout_kernel_text(const struct kernel_foot *kf, const struct layout_result *r, char *out,
			size_t cap)
{
	size_t o = 0;

	out[0] = 0;
	if (kf->shim_len)
		strfmt_show_add(out, cap, &o, "bootkit shim (%" PRIu32 " bytes), then ",
				kf->shim_len);
	switch (kf->kind) {
	case PF_ZIMAGE:
		strfmt_show_add(out, cap, &o, "zImage, %s",
				kf->zrel == ZREL_FIXED	   ? "fixed ZRELADDR"
				: kf->zrel == ZREL_UNKNOWN ? "ZRELADDR unknown"
							   : "AUTO_ZRELADDR");
		if (kf->zrel == ZREL_FIXED)
			strfmt_show_add(out, cap, &o, " 0x%08" PRIx64, kf->zreladdr);
		else if (kf->zrel != ZREL_UNKNOWN)
			strfmt_show_add(out, cap, &o, ", TEXT_OFFSET 0x%" PRIx32, kf->text_offset);
		if (kf->inflated)
			strfmt_show_add(out, cap, &o,
					"; %" PRIu64 " bytes decompressed (%s) + %" PRIu64
					" bss (%s)",
					kf->inflated, kf->inflated_how, kf->bss,
					kf->bss_known ? "its table" : "assumed");
		break;
	case PF_ARM64_IMAGE:
		strfmt_show_add(out, cap, &o,
				"arm64 Image%s, text_offset 0x%" PRIx64 ", image_size %" PRIu64,
				kf->a64_compressed ? " (compressed)" : "", kf->a64_text_offset,
				kf->a64_image_size);
		break;
	case PF_BZIMAGE:
		strfmt_show_add(out, cap, &o, "bzImage, init_size %" PRIu64, kf->init_size);
		break;
	default: strfmt_show_add(out, cap, &o, "kernel of unknown format"); break;
	}
	if (r && r->krun.present)
		strfmt_show_add(out, cap, &o, "; runs in " SPAN_FMT "%s", SPAN_ARGS(r->krun),
				r->relocates ? " (its decompressor moves above it)" : "");
}

/* ---- an opened image ------------------------------------------------------------- */

int layout_from_image(const struct image *im, struct kernel_foot *kf, struct layout_image *li,
		      struct diag *d)
{
	const struct image_part *k = &im->part[BP_KERNEL];
	const struct bootimg *g = &im->img;
	int r;

	memset(li, 0, sizeof(*li));
	memset(kf, 0, sizeof(*kf));
	li->kf = kf;
	li->has_addresses = g->kind == BOOTIMG_BOOT && g->version <= 2;
	li->kernel_addr = g->kernel_addr;
	li->ramdisk_addr = g->ramdisk_addr;
	li->second_addr = g->second_addr;
	li->tags_addr = g->tags_addr;
	li->dtb_addr = g->dtb_addr;
	li->ramdisk_len = im->part[BP_RAMDISK].s ? im->part[BP_RAMDISK].data_len : 0;
	li->second_len = im->part[BP_SECOND].s ? im->part[BP_SECOND].data_len : 0;
	li->dtb_len = im->part[BP_DTB].s ? im->part[BP_DTB].data_len : 0;
	if (!k->s || !k->data_len) {
		strfmt_show(kf->note, sizeof(kf->note), "no kernel");
		return 0;
	}
	if ((r = kernel_footprint(im->fd, k->data_off, k->data_len, kf, d)) < 0)
		diag_prefix(d, "kernel @0x%" PRIx64, k->data_off);
	return r;
}
