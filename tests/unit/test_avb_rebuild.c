/* AVB: vbmeta images made again for a changed image (avb_rebuild), signed
 * or stale, and the footer layout (avb_footer_plan). */
#include <criterion/criterion.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"
#include "tests/unit/avbimg.h"
#include "tests/unit/testimg.h"

/* ---- rebuild ---------------------------------------------------------------------------- */

struct rebuilt {
	struct avb_vbmeta old, m;
	uint8_t oldb[AVB_VBMETA_MAX_SIZE], b[AVB_VBMETA_MAX_SIZE];
	int oldn, n;
	struct avb_report r;
};

/* Old image signed with a 2048-bit SHA256 key (rollback index 9, release
 * "stock"), then a new image of another size, rebuilt with key k / alg. */
static int rebuild(struct rebuilt *t, const struct avb_key *k, const char *alg, uint32_t old_alg)
{
	struct blob old = yes_blob("OLD", 7000), neu = yes_blob("NEWIMAGE", 9999);
	struct avb_key *k0 = avbt_key(2048);
	struct avb_new o = {.partition = "boot",
			    .salt = avbt_salt,
			    .salt_len = 4,
			    .key = k0,
			    .algorithm = avb_alg_by_type(old_alg)->name,
			    .rollback_index = 9,
			    .release_string = "stock",
			    .props = avbt_props,
			    .nprops = 2};
	struct diag d;
	int ofd = avbt_tmp_with(old.p, old.n), nfd = avbt_tmp_with(neu.p, neu.n), r;

	t->oldn = avb_make_vbmeta(&o, ofd, old.n, t->oldb, sizeof(t->oldb), &d);
	cr_assert_gt(t->oldn, 0, "%s", d.msg);
	cr_assert_eq(avb_vbmeta_parse(t->oldb, (size_t)t->oldn, 0, &t->old, &d), 0);
	r = avb_rebuild(&t->old, "boot", nfd, neu.n, k, alg, t->b, sizeof(t->b), &d);
	if (r > 0) {
		t->n = r;
		struct blob f = avbt_footed(&neu, t->b, r, 65536);
		int ffd = avbt_tmp_with(f.p, f.n);

		cr_assert_eq(avb_vbmeta_parse(t->b, (size_t)r, 0, &t->m, &d), 0, "%s", d.msg);
		avbt_report(ffd, f.n, &t->r);
		close(ffd);
		free(f.p);
	}
	close(ofd), close(nfd);
	avb_key_free(k0);
	free(old.p), free(neu.p);
	return r;
}

static void expect_kept(const struct rebuilt *t)
{
	struct avb_desc a, b;
	uint64_t pa = 0, pb = 0;
	struct diag d;

	cr_expect_eq(t->m.h.rollback_index, 9);
	cr_expect_str_eq(t->m.h.release_string, "stock");
	cr_expect_eq(t->m.ndesc, 3);
	cr_assert_eq(avb_desc_next(&t->m, &pb, &b, &d), 1);
	cr_expect_eq(b.u.hash.image_size, 9999);
	cr_expect_eq(memcmp(b.u.hash.salt, avbt_salt, 4), 0, "same salt");
	avb_desc_next(&t->old, &pa, &a, &d);
	for (int i = 1; i < 3; i++) {
		avb_desc_next(&t->old, &pa, &a, &d);
		avb_desc_next(&t->m, &pb, &b, &d);
		cr_expect_eq(a.size, b.size);
		cr_expect_eq(memcmp(t->oldb + a.offset, t->b + b.offset, a.size), 0, "desc %d kept",
			     i);
	}
}

Test(avb, rebuild_signed_same_key_size)
{
	struct rebuilt *t = malloc(sizeof(*t));
	struct avb_key *k = avbt_key(2048);

	cr_assert_gt(rebuild(t, k, NULL, 4 /* SHA512_RSA2048 */), 0);
	cr_expect_eq(t->m.h.algorithm, 4, "the old algorithm is kept when the key size fits");
	cr_expect_eq(t->r.vbmeta_hash.status, AVB_OK, "%s", t->r.vbmeta_hash.why);
	cr_expect_eq(t->r.signature.status, AVB_OK, "%s", t->r.signature.why);
	cr_expect_eq(t->r.digest.status, AVB_OK, "%s", t->r.digest.why);
	expect_kept(t);
	avb_key_free(k);
	free(t);
}

Test(avb, rebuild_signed_other_key_size)
{
	struct rebuilt *t = malloc(sizeof(*t));
	struct avb_key *k = avbt_key(4096);

	cr_assert_gt(rebuild(t, k, NULL, 4), 0);
	cr_expect_eq(t->m.h.algorithm, 2, "SHA256_RSA4096 when the old one does not fit the key");
	cr_expect_eq(t->m.h.auth_size, 576);
	cr_expect_eq(t->m.key_bits, 4096);
	cr_expect(avb_report_ok(&t->r));
	cr_expect_eq(t->r.signature.status, AVB_OK);
	expect_kept(t);
	cr_assert_gt(rebuild(t, k, "SHA512_RSA4096", 1), 0);
	cr_expect_eq(t->m.h.algorithm, 5);
	cr_expect_eq(t->r.signature.status, AVB_OK);
	cr_expect_eq(rebuild(t, k, "SHA256_RSA2048", 1), -EINVAL);
	cr_expect_eq(rebuild(t, k, "NONE", 1), -EINVAL);
	cr_expect_eq(rebuild(t, k, "MD5_RSA4096", 1), -EINVAL);
	avb_key_free(k);
	free(t);
}

Test(avb, rebuild_without_key_signature_stale)
{
	struct rebuilt *t = malloc(sizeof(*t));

	cr_assert_gt(rebuild(t, NULL, NULL, 1), 0);
	cr_expect_eq(t->n, t->oldn, "same layout");
	cr_expect_eq(memcmp(t->b + 256 + 32, t->oldb + 256 + 32, 256), 0, "old signature kept");
	cr_expect_eq(t->r.digest.status, AVB_OK, "%s", t->r.digest.why);
	cr_expect_eq(t->r.vbmeta_hash.status, AVB_OK, "the hash is recomputed");
	cr_expect_eq(t->r.signature.status, AVB_MISMATCH, "the signature is stale");
	expect_kept(t);
	cr_expect_eq(rebuild(t, NULL, "SHA256_RSA2048", 1), -EINVAL, "an algorithm needs a key");
	free(t);
}

/* Two hash descriptors (a vbmeta partition naming boot and dtbo), unsigned,
 * built by hand. */
static size_t hand_hash_desc(uint8_t *p, const char *name, uint64_t size, uint32_t dlen)
{
	size_t nl = strlen(name), body = 116 + nl + 4 + dlen, nbf = (body + 7) & ~(size_t)7;

	memset(p, 0, 16 + nbf);
	put_be64(p, AVB_DESC_HASH);
	put_be64(p + 8, nbf);
	put_be64(p + 16, size);
	memcpy(p + 24, "sha256", 6);
	put_be32(p + 56, (uint32_t)nl);
	put_be32(p + 60, 4);
	put_be32(p + 64, dlen);
	memcpy(p + 132, name, nl);
	memcpy(p + 132 + nl, avbt_salt, 4);
	return 16 + nbf;
}

static size_t hand_vbmeta(uint8_t *b, uint32_t dlen2)
{
	size_t dl = 0, aux;

	memset(b, 0, 4096);
	memcpy(b, "AVB0", 4);
	put_be32(b + 4, 1);
	dl += hand_hash_desc(b + 256 + dl, "boot", 10, 32);
	dl += hand_hash_desc(b + 256 + dl, "dtbo", 20, dlen2);
	aux = (dl + 63) & ~(size_t)63;
	put_be64(b + 20, aux);
	put_be64(b + 64, dl);
	put_be64(b + 80, dl);
	put_be64(b + 104, dl);
	return 256 + aux;
}

Test(avb, two_hash_descriptors_by_name)
{
	static uint8_t b[4096], out[AVB_VBMETA_MAX_SIZE];
	struct blob img = yes_blob("DTBO", 3333);
	struct avb_key *k = avbt_key(2048);
	size_t n = hand_vbmeta(b, 32);
	struct avb_vbmeta m, m2;
	struct avb_desc dsc;
	struct diag d;
	int fd = avbt_tmp_with(img.p, img.n), r;

	cr_assert_eq(avb_vbmeta_parse(b, n, 0, &m, &d), 0, "%s", d.msg);
	cr_expect_eq(m.ndesc, 2);
	cr_assert_eq(avb_find_hash_desc(&m, "dtbo", &dsc, &d), 0);
	cr_expect_eq(dsc.u.hash.image_size, 20);
	cr_expect_eq(avb_find_hash_desc(&m, NULL, &dsc, &d), -ENOENT);
	cr_expect_str_eq(d.msg, "vbmeta has 2 hash descriptors and none for partition \"(none "
				"given)\"");
	cr_expect_eq(avb_find_hash_desc(&m, "vendor", &dsc, &d), -ENOENT);
	r = avb_rebuild(&m, "dtbo", fd, img.n, k, NULL, out, sizeof(out), &d);
	cr_assert_gt(r, 0, "%s", d.msg);
	cr_assert_eq(avb_vbmeta_parse(out, (size_t)r, 0, &m2, &d), 0, "%s", d.msg);
	cr_assert_eq(avb_find_hash_desc(&m2, "dtbo", &dsc, &d), 0);
	cr_expect_eq(dsc.u.hash.image_size, 3333);
	cr_assert_eq(avb_find_hash_desc(&m2, "boot", &dsc, &d), 0);
	cr_expect_eq(dsc.u.hash.image_size, 10, "the other descriptor is kept");
	cr_expect_eq(m2.h.algorithm, 1);
	/* no key: the unsigned (NONE) image is patched, nothing to hash */
	r = avb_rebuild(&m, "boot", fd, img.n, NULL, NULL, out, sizeof(out), &d);
	cr_assert_eq(r, (int)n, "%s", d.msg);
	close(fd);
	avb_key_free(k);
	free(img.p);
}

Test(avb, persistent_digest_not_rebuilt)
{
	static uint8_t b[4096], out[AVB_VBMETA_MAX_SIZE];
	struct blob img = yes_blob("P", 100);
	size_t n = hand_vbmeta(b, 0);
	struct avb_vbmeta m;
	struct avb_check c;
	struct diag d;
	int fd = avbt_tmp_with(img.p, img.n);

	cr_assert_eq(avb_vbmeta_parse(b, n, 0, &m, &d), 0, "%s", d.msg);
	cr_expect_eq(avb_rebuild(&m, "dtbo", fd, img.n, NULL, NULL, out, sizeof(out), &d),
		     -ENOTSUP);
	cr_expect(strstr(d.msg, "persistent digest"), "%s", d.msg);
	cr_assert_eq(avb_verify_digest(&m, "dtbo", fd, img.n, &c, &d), 0);
	cr_expect_eq(c.status, AVB_NOT_CHECKED);
	cr_assert_eq(avb_verify_digest(&m, "boot", fd, img.n, &c, &d), 0);
	cr_expect_eq(c.status, AVB_MISMATCH, "%s", c.why);
	close(fd);
	free(img.p);
}

/* ---- footer layout ----------------------------------------------------------------------- */

Test(avb, footer_plan_exact_fit)
{
	static uint8_t vb[2000];
	struct avb_footer_plan p;
	struct diag d;

	memcpy(vb, "AVB0", 4);
	/* 5000 -> 8192, vbmeta 2000 -> 4096, footer block 4096: 16384 */
	cr_assert_eq(avb_footer_plan(5000, vb, sizeof(vb), 16384, &p, &d), 0, "%s", d.msg);
	cr_assert_eq(p.nspan, 4);
	cr_expect_null(p.span[0].mem);
	cr_expect_eq(p.span[0].len, 8192 - 5000);
	cr_expect_eq(p.span[1].mem, vb);
	cr_expect_eq(p.span[1].len, 2000);
	cr_expect_null(p.span[2].mem);
	cr_expect_eq(p.span[2].len, 16384 - 64 - 8192 - 2000);
	cr_expect_eq(p.span[3].len, 64);
	cr_expect_eq(memcmp(p.span[3].mem, "AVBf", 4), 0);
	cr_expect_eq(get_be64(p.footer_bytes + 12), 5000);
	cr_expect_eq(get_be64(p.footer_bytes + 20), 8192);
	cr_expect_eq(get_be64(p.footer_bytes + 28), 2000);
	cr_expect_not(p.avbtool_fits);
	cr_expect_eq(avb_max_image_size(16384, 2000), 8192);
	cr_expect_eq(avb_footer_plan(8192, vb, sizeof(vb), 16384, &p, &d), 0);
	cr_expect_eq(p.nspan, 3, "no zero run before vbmeta at a block boundary");
	cr_expect_eq(avb_footer_plan(8193, vb, sizeof(vb), 16384, &p, &d), -ENOSPC);
	cr_expect_str_eq(d.msg,
			 "8193 bytes of image, 2000 of vbmeta and the footer block do not "
			 "fit the 16384-byte partition (the image may be at most 8192 bytes)");
	cr_expect_eq(avb_footer_plan(100, vb, sizeof(vb), 16384 + 512, &p, &d), -EINVAL);
	cr_expect_eq(avb_footer_plan(100, vb, 100, 16384, &p, &d), -EINVAL);
	cr_expect_eq(avb_footer_plan(UINT64_MAX - 10, vb, sizeof(vb), 16384, &p, &d), -ENOSPC);
	cr_expect_eq(avb_max_image_size(8192, 4097), 0);
	/* avbtool's reserve: 69632 bytes */
	cr_expect_eq(avb_footer_plan(1 << 20, vb, sizeof(vb), (1 << 20) + 69632, &p, &d), 0);
	cr_expect(p.avbtool_fits);
	cr_expect_eq(avb_footer_plan((1 << 20) + 1, vb, sizeof(vb), (1 << 20) + 69632, &p, &d), 0);
	cr_expect_not(p.avbtool_fits);
}

/* A descriptor shorter than its fixed part, at the very end of the buffer:
 * refused before any of its fields is read (found by fuzz_avb). */
Test(avb, short_descriptor_at_the_end)
{
	static const uint64_t tags[] = {AVB_DESC_PROPERTY, AVB_DESC_HASHTREE, AVB_DESC_HASH,
					AVB_DESC_KERNEL_CMDLINE, AVB_DESC_CHAIN_PARTITION};

	for (unsigned i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		uint8_t *b = calloc(1, 256 + 64);
		struct avb_vbmeta m;
		struct diag d;

		memcpy(b, "AVB0", 4);
		put_be32(b + 4, 1);
		put_be64(b + 20, 64);
		put_be64(b + 104, 16);
		put_be64(b + 256, tags[i]);
		put_be64(b + 256 + 8, 0);
		cr_expect_eq(avb_vbmeta_parse(b, 256 + 64, 0, &m, &d), -EINVAL, "tag %lu",
			     (unsigned long)tags[i]);
		cr_expect(strstr(d.msg, "num_bytes_following @0x0+264 is 0: a ") != NULL, "%s",
			  d.msg);
		free(b);
	}
}
