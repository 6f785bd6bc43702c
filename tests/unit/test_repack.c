/* The repack model (mkbootimg/repack.h) without the command line: the exact
 * copy, the plan of a rebuilt image (sizes, id, padding re-fitted), AVB data
 * made again or refused, the folder's size checks, and the requests an image
 * cannot take (rp->usage). Images are the AOSP vectors built in memory. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/image.h"
#include "mkbootimg/manifest.h"
#include "mkbootimg/repack.h"
#include "tests/unit/testimg.h"

static char dir[64];
static void *kept[64]; /* blobs freed after each test */
static unsigned nkept;

static struct blob keep(struct blob b)
{
	cr_assert_lt(nkept, 64);
	kept[nkept++] = b.p;
	return b;
}

static void setup(void)
{
	strcpy(dir, "/tmp/test_repack.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	while (nkept)
		free(kept[--nkept]);
}

TestSuite(repack, .init = setup, .fini = teardown);

/* dir/name (a ring of names: a test holds fewer than 32 at once) */
static const char *at(const char *name)
{
	static char p[32][128];
	static unsigned k;

	snprintf(p[k % 32], sizeof(p[0]), "%s/%s", dir, name);
	return p[k++ % 32];
}

static void put(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(b, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

static struct blob get(const char *path)
{
	struct blob b;
	struct diag d;

	cr_assert_eq(file_read_small(path, 1u << 28, &b.p, &b.n, &d), 0, "%s: %s", path, d.msg);
	return keep(b);
}

/* vector name with pad zero bytes after it, as a file; its blob. */
static struct blob image_file(const char *name, size_t pad, const char *path)
{
	struct blob v = build_vector(name), b = {calloc(1, v.n + pad), v.n + pad};

	memcpy(b.p, v.p, v.n);
	put(path, b.p, b.n);
	free(v.p);
	return keep(b);
}

static void open_ok(struct repack *rp, const char *src)
{
	struct diag d;

	cr_assert_eq(repack_open(rp, src, false, 0, &d), 0, "%s", d.msg);
}

static bool noted(const struct repack *rp, const char *text)
{
	for (unsigned i = 0; i < rp->nnote; i++)
		if (strstr(rp->note[i].msg, text))
			return true;
	return false;
}

/* Plan and write rp to out; the plan. */
static void rebuild(struct repack *rp, const struct repack_changes *c, struct image_plan *pl,
		    const char *out)
{
	struct diag d;

	cr_assert_eq(repack_apply(rp, c, &d), 0, "%s", d.msg);
	cr_assert_not(repack_unchanged(rp, c));
	cr_assert_eq(repack_plan(rp, c, pl, &d), 0, "%s", d.msg);
	cr_assert_eq(repack_write_plan(rp, c, pl, out, &d), 0, "%s", d.msg);
}

static void load(struct image *im, const char *path)
{
	struct diag d;

	memset(im, 0, sizeof(*im));
	cr_assert_eq(image_try_load(im, path, &d), 0, "%s: %s", path, d.msg);
}

Test(repack, exact_copy_of_a_padded_image)
{
	struct blob b = image_file("v2.img", 8192, at("in.img"));
	struct repack_changes c = {0};
	struct repack rp;
	struct diag d;

	open_ok(&rp, at("in.img"));
	cr_assert_eq(repack_apply(&rp, &c, &d), 0, "%s", d.msg);
	cr_assert(repack_unchanged(&rp, &c));
	cr_assert(rp.trailer_is_pad);
	cr_assert_eq(repack_write_exact(&rp, at("out.img"), &d), 0, "%s", d.msg);
	struct blob o = get(at("out.img"));
	cr_assert_eq(o.n, b.n);
	cr_assert_eq(memcmp(o.p, b.p, b.n), 0);
	repack_free(&rp);
}

Test(repack, kernel_replaced_id_computed_padding_refitted)
{
	struct blob b = image_file("v2.img", 1 << 16, at("in.img"));
	struct blob k = keep(yes_blob("kernel", 12345));
	struct repack_changes c = {.file[BP_KERNEL] = at("k")};
	struct image_plan pl;
	struct repack rp;
	struct image im;

	put(at("k"), k.p, k.n);
	open_ok(&rp, at("in.img"));
	rebuild(&rp, &c, &pl, at("out.img"));
	cr_assert(repack_sections_changed(&rp));
	cr_assert_eq(pl.img.kernel_size, 12345);
	cr_assert_eq(pl.id_mode, ID_SHA1);
	cr_assert(pl.trailer.fill);
	cr_assert_eq(repack_plan_size(&rp, &pl), b.n, "the file keeps its partition size");
	load(&im, at("out.img"));
	cr_assert_eq(im.size, b.n);
	cr_assert_eq(im.part[BP_KERNEL].data_len, 12345);
	cr_assert(im.id_checked && im.id_ok, "the id follows the new kernel");
	cr_assert_eq(im.nwarn, 0);
	image_free(&im);
	repack_free(&rp);
}

Test(repack, grown_past_its_padding_noted)
{
	image_file("v0.img", 2048, at("in.img"));
	struct blob k = keep(yes_blob("big", 1 << 17));
	struct repack_changes c = {.file[BP_KERNEL] = at("k")};
	struct image_plan pl;
	struct repack rp;

	put(at("k"), k.p, k.n);
	open_ok(&rp, at("in.img"));
	rebuild(&rp, &c, &pl, at("out.img"));
	cr_assert(noted(&rp, "grew past the original"));
	cr_assert_eq(pl.trailer.len, 0, "the padding is dropped, not cut into the image");
	repack_free(&rp);
}

Test(repack, header_edits_and_already_so)
{
	image_file("v2.img", 0, at("in.img"));
	struct repack_changes c = {.nedit = 1,
				   .edit = {{REPACK_CMDLINE_SET, "bootkit.touch=gt9xx"}}};
	struct image_plan pl;
	struct repack rp;
	struct diag d;
	char line[4096];

	open_ok(&rp, at("in.img"));
	rebuild(&rp, &c, &pl, at("out.img"));
	bootimg_get_cmdline(&pl.img, line, sizeof(line));
	cr_assert_not_null(strstr(line, "bootkit.touch=gt9xx"), "%s", line);
	repack_free(&rp);
	open_ok(&rp, at("out.img"));
	cr_assert_eq(repack_apply(&rp, &c, &d), 0, "%s", d.msg);
	cr_assert(repack_unchanged(&rp, &c), "the edit is there already: nothing to do");
	repack_free(&rp);
}

Test(repack, bootconfig_line_edit)
{
	image_file("vendor_boot_v4.img", 0, at("in.img"));
	struct repack_changes c = {.nedit = 1,
				   .edit = {{REPACK_BOOTCONFIG_SET, "androidboot.bootkit=1"}}};
	struct image_plan pl;
	struct repack rp;
	struct image im;

	open_ok(&rp, at("in.img"));
	rebuild(&rp, &c, &pl, at("out.img"));
	cr_assert(rp.part[BP_BOOTCONFIG].changed);
	cr_assert_not_null(
	    memmem(rp.bootconfig_buf, rp.part[BP_BOOTCONFIG].data.len, "androidboot.bootkit", 19));
	load(&im, at("out.img"));
	cr_assert_eq(im.part[BP_BOOTCONFIG].data_len, rp.part[BP_BOOTCONFIG].data.len);
	image_free(&im);
	repack_free(&rp);
}

/* The requests an image cannot take: rp->usage, the reason named. */
static void refused(const char *vector, struct repack_changes *c, const char *why, bool usage)
{
	struct repack rp;
	struct diag d;

	image_file(vector, 0, at("in.img"));
	open_ok(&rp, at("in.img"));
	cr_assert_lt(repack_apply(&rp, c, &d), 0, "%s: %s accepted", vector, why);
	cr_assert_not_null(strstr(d.msg, why), "%s: \"%s\" lacks \"%s\"", vector, d.msg, why);
	cr_assert_eq(rp.usage, usage, "%s: %s", vector, d.msg);
	repack_free(&rp);
}

Test(repack, refusals_name_the_reason)
{
	struct repack_changes c1 = {.file[BP_KERNEL] = "/dev/null"};
	struct repack_changes c2 = {.nedit = 1, .edit = {{REPACK_BOOTCONFIG_SET, "a=b"}}};
	struct repack_changes c3 = {.avb_key = "tests/data/avb/testkey_rsa2048.pem"};
	struct repack_changes c4 = {.nedit = 1, .edit = {{REPACK_CMDLINE_REMOVE, "a=b"}}};
	struct repack_changes c5 = {.name = "a name longer than the sixteen bytes"};
	struct repack_changes c6 = {.file[BP_RAMDISK] = "/nonexistent/ramdisk"};

	refused("vendor_boot_v4.img", &c1, "a vendor_boot image has no kernel", true);
	refused("v2.img", &c2, "bootconfig lives in a vendor_boot v4 image", true);
	refused("v2.img", &c3, "has no AVB footer to sign", true);
	refused("v2.img", &c4, "takes a KEY, not KEY=VALUE", true);
	refused("v2.img", &c5, "--name: too long", true);
	refused("v2.img", &c6, "/nonexistent/ramdisk", false);
}

/* ---- AVB ------------------------------------------------------------------------------ */

/* vector with an AVB hash footer (signed with the 2048-bit test key) in a
 * partition of psize bytes, as a file. */
static struct blob avb_file(const char *vector, uint64_t psize, const char *path)
{
	struct blob img = build_vector(vector), out = {calloc(1, psize), psize};
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_footer_plan p;
	struct avb_key *k;
	struct diag d;
	size_t pos = img.n;
	int fd, n;

	put(path, img.p, img.n);
	cr_assert_eq(avb_key_load("tests/data/avb/testkey_rsa2048.pem", &k, &d), 0, "%s", d.msg);
	fd = open(path, O_RDONLY);
	struct avb_new o = {.partition = "boot", .key = k, .algorithm = "SHA256_RSA2048"};
	n = avb_make_vbmeta(&o, fd, img.n, vb, sizeof(vb), &d);
	cr_assert_gt(n, 0, "%s", d.msg);
	close(fd);
	avb_key_free(k);
	cr_assert_eq(avb_footer_plan(img.n, vb, (size_t)n, psize, &p, &d), 0, "%s", d.msg);
	memcpy(out.p, img.p, img.n);
	for (unsigned i = 0; i < p.nspan; i++, pos += p.span[i - 1].len)
		if (p.span[i].mem)
			memcpy(out.p + pos, p.span[i].mem, p.span[i].len);
	put(path, out.p, out.n);
	free(img.p);
	return keep(out);
}

static void avb_check(const char *path, bool signature_ok)
{
	struct avb_report r;
	struct diag d;
	uint64_t size;
	int fd;

	cr_assert_eq(file_open_ro(path, &fd, &size, &d), 0, "%s", d.msg);
	cr_assert_eq(avb_verify_file(fd, size, "boot", &r, &d), 0, "%s", d.msg);
	cr_assert_eq(r.digest.status, AVB_OK, "the hash descriptor follows the new contents");
	cr_assert_eq(r.vbmeta_hash.status, AVB_OK);
	cr_assert_eq(r.signature.status == AVB_OK, signature_ok);
	close(fd);
}

Test(repack, avb_made_again_stale_or_signed)
{
	struct blob b = avb_file("v2.img", 1 << 17, at("in.img"));
	struct blob k = keep(yes_blob("kernel", 5000));
	struct repack_changes stale = {.file[BP_KERNEL] = at("k")};
	struct repack_changes signed_ = {.file[BP_KERNEL] = at("k"),
					 .avb_key = "tests/data/avb/testkey_rsa2048.pem"};
	struct image_plan pl;
	struct repack rp;

	put(at("k"), k.p, k.n);
	open_ok(&rp, at("in.img"));
	cr_assert(rp.avb.present, "%s", rp.avb.broken);
	rebuild(&rp, &stale, &pl, at("stale.img"));
	cr_assert_eq(repack_plan_size(&rp, &pl), b.n, "the partition keeps its size");
	cr_assert(noted(&rp, "signature is now stale"));
	repack_free(&rp);
	avb_check(at("stale.img"), false);

	open_ok(&rp, at("in.img"));
	rebuild(&rp, &signed_, &pl, at("signed.img"));
	cr_assert_not(noted(&rp, "stale"));
	repack_free(&rp);
	avb_check(at("signed.img"), true);
}

Test(repack, broken_avb_copied_never_rebuilt)
{
	struct blob b = avb_file("v2.img", 1 << 17, at("in.img"));
	struct repack_changes none = {0}, kernel = {.file[BP_KERNEL] = at("in.img")};
	struct image_plan pl;
	struct repack rp;
	struct diag d;

	b.p[b.n - AVB_FOOTER_SIZE + 12] ^= 0xff; /* original_image_size */
	put(at("in.img"), b.p, b.n);
	open_ok(&rp, at("in.img"));
	cr_assert_not(rp.avb.present);
	cr_assert_neq(*rp.avb.broken, 0);
	cr_assert_eq(repack_apply(&rp, &none, &d), 0, "%s", d.msg);
	cr_assert_eq(repack_write_exact(&rp, at("same.img"), &d), 0, "%s", d.msg);
	struct blob o = get(at("same.img"));
	cr_assert(o.n == b.n && !memcmp(o.p, b.p, b.n), "nothing changed: copied as it is");
	repack_free(&rp);

	open_ok(&rp, at("in.img"));
	cr_assert_eq(repack_apply(&rp, &kernel, &d), 0, "%s", d.msg);
	cr_assert_lt(repack_plan(&rp, &kernel, &pl, &d), 0);
	cr_assert_not_null(strstr(d.msg, "nothing written"), "%s", d.msg);
	repack_free(&rp);
}

/* ---- from a folder ---------------------------------------------------------------------- */

static void mf_file_of(struct mf_file *f, const char *name, const uint8_t *p, size_t n)
{
	struct diag d;
	uint64_t size;
	int fd;

	cr_assert_eq(manifest_set_name(f->name, name), 0);
	put(at(name), p, n);
	cr_assert_eq(file_open_ro(at(name), &fd, &size, &d), 0, "%s", d.msg);
	cr_assert_eq(sha256_range(fd, 0, size, f->sha256), 0);
	f->size = size;
	close(fd);
}

/* v0.img taken apart by hand into dir: header, kernel, ramdisk, manifest
 * (size given). Returns the image. */
static struct blob folder(uint64_t size)
{
	struct blob v = build_vector("v0.img");
	struct manifest *m = calloc(1, sizeof(*m));
	struct bootimg g;
	struct diag d;
	char *text;
	size_t len;

	cr_assert_eq(bootimg_parse(v.p, v.n, v.n, &g, &d), 0, "%s", d.msg);
	m->kind = BOOTIMG_BOOT;
	m->size = size ? size : v.n;
	mf_file_of(&m->header, "header", v.p, g.header_len);
	m->header_summed = true;
	m->has_id = m->id_ok = true;
	for (unsigned i = 0; i < g.nsect; i++) {
		const struct bootimg_section *s = &g.sect[i];
		struct mf_part *p = &m->part[s->part];

		p->present = true;
		mf_file_of(&p->data, bootimg_part_name(s->part), v.p + s->offset, s->size);
		m->order[m->nparts++] = s->part;
	}
	cr_assert_eq(manifest_format(m, &text, &len), 0);
	put(at(MANIFEST_NAME), (const uint8_t *)text, len);
	free(text);
	free(m);
	return keep(v);
}

Test(repack, folder_exact_and_its_size_checked)
{
	struct blob v = folder(0);
	struct repack_changes c = {0};
	struct repack rp;
	struct diag d;

	open_ok(&rp, dir);
	cr_assert_eq(repack_apply(&rp, &c, &d), 0, "%s", d.msg);
	cr_assert(repack_unchanged(&rp, &c));
	cr_assert_eq(repack_write_exact(&rp, at("out.img"), &d), 0, "%s", d.msg);
	struct blob o = get(at("out.img"));
	cr_assert(o.n == v.n && !memcmp(o.p, v.p, v.n), "the folder's bytes are the image's");
	repack_free(&rp);

	folder(1ull << 40); /* 1 TiB claimed */
	cr_assert_eq(repack_open(&rp, dir, false, 0, &d), -EFBIG, "%s", d.msg);
	cr_assert_not_null(strstr(d.msg, "past the 1024 MiB"), "%s", d.msg);
	repack_free(&rp);

	folder(v.n + 4096); /* more than the header's layout makes, no trailer */
	cr_assert_lt(repack_open(&rp, dir, false, 0, &d), 0);
	cr_assert_not_null(strstr(d.msg, "but the header's layout makes"), "%s", d.msg);
	repack_free(&rp);
}

Test(repack, folder_file_replaced_is_a_change)
{
	struct blob k = keep(yes_blob("new kernel", 7000));
	struct repack_changes c = {0};
	struct image_plan pl;
	struct repack rp;
	struct image im;

	folder(0);
	put(at("kernel"), k.p, k.n);
	open_ok(&rp, dir);
	cr_assert(rp.part[BP_KERNEL].changed);
	rebuild(&rp, &c, &pl, at("out.img"));
	load(&im, at("out.img"));
	cr_assert_eq(im.part[BP_KERNEL].data_len, 7000);
	cr_assert(im.id_ok);
	image_free(&im);
	repack_free(&rp);
}

Test(repack, free_unopened_and_apply_twice)
{
	struct repack_changes c = {.nedit = 1, .edit = {{REPACK_BOOTCONFIG_SET, "a.b=1"}}};
	struct repack rp;
	struct diag d;
	int fd = dup(0), before, after;

	memset(&rp, 0, sizeof(rp));
	before = fcntl(fd, F_GETFD);
	dup2(fd, 0);
	repack_free(&rp); /* never opened: its dirfd 0 is not its own */
	after = fcntl(0, F_GETFD);
	cr_assert(before >= 0 && after >= 0, "repack_free of an unopened repack closed fd 0");
	close(fd);
	image_file("vendor_boot_v4.img", 0, at("in.img"));
	open_ok(&rp, at("in.img"));
	cr_assert_eq(repack_apply(&rp, &c, &d), 0, "%s", d.msg);
	c.edit[0].arg = "a.b=2";
	cr_assert_eq(repack_apply(&rp, &c, &d), 0, "%s", d.msg); /* the first edit's buffer freed */
	cr_assert_not_null(memmem(rp.bootconfig_buf, rp.part[BP_BOOTCONFIG].data.len, "a.b=2\n", 6),
			   "%.*s", (int)rp.part[BP_BOOTCONFIG].data.len, rp.bootconfig_buf);
	cr_assert_null(memmem(rp.bootconfig_buf, rp.part[BP_BOOTCONFIG].data.len, "a.b=1", 5));
	repack_free(&rp);
}
