/* AVB: footer, vbmeta, descriptors, verification, rebuild, footer layout.
 * Images are made here with the test keys of tests/data/avb/ (see README
 * there), then parsed back, verified, broken one field at a time (one exact
 * error each), truncated at every length, and rebuilt. */
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

/* Layout of the vbmeta made by avbt_make_vb() with a 2048-bit key (avbtool's). */
enum {
	AUTH = 320,		  /* 32 + 256 rounded to 64 */
	AUX_AT = 256 + AUTH,	  /* aux block in the blob */
	D0 = AUX_AT,		  /* hash descriptor, 176 bytes */
	D1 = D0 + 176,		  /* property foo:bar, 40 bytes */
	D2 = D1 + 40,		  /* property gki:nice, 48 bytes */
	KEY_AT = D2 + 48,	  /* key blob, 520 bytes */
	AUX = 832,		  /* 264 + 520 rounded to 64: AOSP's test expects 832 */
	VBLEN = 256 + AUTH + AUX, /* 1408 */
};

/* ---- algorithms, keys ------------------------------------------------------------ */

Test(avb, algorithm_table)
{
	static const struct {
		const char *name;
		uint32_t type, auth;
	} t[] = {
	    {"NONE", 0, 0},
	    {"SHA256_RSA2048", 1, 320},
	    {"SHA256_RSA4096", 2, 576},
	    {"SHA256_RSA8192", 3, 1088},
	    {"SHA512_RSA2048", 4, 320},
	    {"SHA512_RSA4096", 5, 576},
	    {"SHA512_RSA8192", 6, 1088},
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct avb_alg *a = avb_alg_by_name(t[i].name);

		cr_assert_not_null(a, "%s", t[i].name);
		cr_expect_eq(a->type, t[i].type);
		cr_expect_eq(avb_alg_by_type(t[i].type), a);
		cr_expect_eq((a->hash_len + a->sig_len + 63) / 64 * 64, t[i].auth, "%s", t[i].name);
	}
	cr_expect_eq(avb_alg_by_name("sha256_rsa4096")->type, 2, "names are case-insensitive");
	cr_expect_null(avb_alg_by_type(7));
	cr_expect_null(avb_alg_by_name("SHA1_RSA1024"));
	cr_expect_eq(avb_key_blob_size(4096), 1032);
}

Test(avb, key_blob_numbers)
{
	struct avb_key *k = avbt_key(2048);
	uint8_t blob[AVB_KEY_MAX_SIZE];
	struct diag d;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *n, *rr, *want = BN_new(), *two = BN_new();

	cr_assert_eq(avb_key_blob(k, blob, sizeof(blob), &d), 520, "%s", d.msg);
	cr_expect_eq(get_be32(blob), 2048);
	n = BN_bin2bn(blob + 8, 256, NULL);
	rr = BN_bin2bn(blob + 8 + 256, 256, NULL);
	/* n * n0inv == -1 (mod 2^32) */
	cr_expect_eq((uint32_t)(get_be32(blob + 8 + 252) * get_be32(blob + 4)), 0xffffffffu);
	/* rr == 2^4096 mod n, by BN_mod_exp (another path than the library's) */
	BN_set_word(two, 2);
	BN_set_word(want, 4096);
	BN_mod_exp(want, two, want, n, ctx);
	cr_expect_eq(BN_cmp(rr, want), 0);
	cr_expect_eq(avb_key_blob(k, blob, 519, &d), -ENOSPC);
	BN_free(n), BN_free(rr), BN_free(want), BN_free(two), BN_CTX_free(ctx);
	avb_key_free(k);
}

static int pem_of(EVP_PKEY *pk, uint8_t *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	cr_assert(PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL));
	n = BIO_get_mem_data(b, &p);
	cr_assert_lt((size_t)n, cap);
	memcpy(buf, p, (size_t)n);
	BIO_free(b);
	return (int)n;
}

Test(avb, key_refusals)
{
	static uint8_t pem[16384];
	struct avb_key *k;
	struct diag d;
	EVP_PKEY *pk;
	int n;

	cr_expect_eq(avb_key_from_pem((const uint8_t *)"hello", 5, &k, &d), -EINVAL);
	cr_expect_null(k);
	pk = EVP_RSA_gen(1024);
	n = pem_of(pk, pem, sizeof(pem));
	EVP_PKEY_free(pk);
	cr_expect_eq(avb_key_from_pem(pem, (size_t)n, &k, &d), -EINVAL);
	cr_expect_str_eq(d.msg, "a 1024-bit RSA key: AVB takes 2048, 4096 or 8192 bits");
	pk = EVP_EC_gen("P-256");
	n = pem_of(pk, pem, sizeof(pem));
	EVP_PKEY_free(pk);
	cr_expect_eq(avb_key_from_pem(pem, (size_t)n, &k, &d), -EINVAL);
	cr_expect_str_eq(d.msg, "not an RSA key");
	cr_expect_eq(avb_key_load("tests/data/avb/none.pem", &k, &d), -ENOENT);
}

Test(avb, exponent_3_refused)
{
	static uint8_t pem[16384];
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *e = BN_new();
	EVP_PKEY *pk = NULL;
	struct avb_key *k;
	struct diag d;

	BN_set_word(e, 3);
	cr_assert(EVP_PKEY_keygen_init(c) > 0);
	EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048);
	EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, e);
	cr_assert(EVP_PKEY_generate(c, &pk) > 0);
	int n = pem_of(pk, pem, sizeof(pem));
	cr_expect_eq(avb_key_from_pem(pem, (size_t)n, &k, &d), -EINVAL);
	cr_expect(strstr(d.msg, "65537") != NULL, "%s", d.msg);
	EVP_PKEY_free(pk), EVP_PKEY_CTX_free(c), BN_free(e);
}

/* ---- making and parsing ---------------------------------------------------------------- */

Test(avb, make_parse_aosp_gki_shape)
{
	/* AOSP's mkbootimg test: 4 KiB kernel + 4 KiB ramdisk + v4 header =
	 * 12288 bytes, SHA256_RSA2048, --prop foo:bar --prop gki:nice: Auth 320, Aux 832. */
	struct blob img = yes_blob("GKI", 12288);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, "SHA256_RSA2048", vb);
	struct avb_vbmeta m;
	struct avb_desc dsc;
	uint8_t want[32];
	uint64_t pos = 0;
	struct diag d;

	cr_assert_eq(n, VBLEN);
	cr_assert_eq(avb_vbmeta_parse(vb, (size_t)n, 0, &m, &d), 0, "%s", d.msg);
	cr_expect_eq(m.h.auth_size, AUTH);
	cr_expect_eq(m.h.aux_size, AUX);
	cr_expect_eq(m.h.required_major, 1);
	cr_expect_eq(m.h.required_minor, 0);
	cr_expect_eq(m.h.algorithm, 1);
	cr_expect_eq(m.h.hash_offset, 0);
	cr_expect_eq(m.h.hash_size, 32);
	cr_expect_eq(m.h.signature_offset, 32);
	cr_expect_eq(m.h.signature_size, 256);
	cr_expect_eq(m.h.descriptors_offset, 0);
	cr_expect_eq(m.h.descriptors_size, 264);
	cr_expect_eq(m.h.public_key_offset, 264);
	cr_expect_eq(m.h.public_key_size, 520);
	cr_expect_eq(m.h.pkmd_offset, 784);
	cr_expect_eq(m.h.pkmd_size, 0);
	cr_expect_str_eq(m.h.release_string, "bootkit");
	cr_expect_eq(m.key_bits, 2048);
	cr_expect_eq(m.ndesc, 3);

	cr_assert_eq(avb_desc_next(&m, &pos, &dsc, &d), 1);
	cr_expect_eq(dsc.tag, AVB_DESC_HASH);
	cr_expect_eq(dsc.offset, D0);
	cr_expect_eq(dsc.size, 176);
	cr_expect_eq(dsc.u.hash.image_size, 12288);
	cr_expect_str_eq(dsc.u.hash.hash_algorithm, "sha256");
	cr_expect_eq(dsc.u.hash.name_len, 4);
	cr_expect_eq(memcmp(dsc.u.hash.name, "boot", 4), 0);
	cr_expect_eq(memcmp(dsc.u.hash.salt, avbt_salt, 4), 0);
	avbt_sha256(avbt_salt, sizeof(avbt_salt), img.p, img.n, want);
	cr_expect_eq(memcmp(dsc.u.hash.digest, want, 32), 0, "digest = sha256(salt || image)");
	cr_assert_eq(avb_desc_next(&m, &pos, &dsc, &d), 1);
	cr_expect_eq(dsc.tag, AVB_DESC_PROPERTY);
	cr_expect_str_eq(dsc.u.prop.key, "foo");
	cr_expect_str_eq(dsc.u.prop.value, "bar");
	cr_assert_eq(avb_desc_next(&m, &pos, &dsc, &d), 1);
	cr_expect_str_eq(dsc.u.prop.value, "nice");
	cr_expect_eq(avb_desc_next(&m, &pos, &dsc, &d), 0);
	cr_expect_str_eq(avb_desc_tag_name(AVB_DESC_CHAIN_PARTITION), "chain_partition");
	avb_key_free(k);
	free(img.p);
}

Test(avb, signature_is_pkcs1_v15_as_libavb_expects)
{
	/* Undo the signature with the raw public operation and compare with the
	 * padding libavb holds: 00 01, 202 x FF, 00, SHA-256 DigestInfo, hash. */
	static const uint8_t prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					   0x01, 0x05, 0x00, 0x04, 0x20};
	struct blob img = yes_blob("PAD", 5000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, NULL, vb);
	uint8_t em[256], h[32];
	size_t emlen = sizeof(em);

	cr_assert_eq(n, VBLEN);
	FILE *f = fopen("tests/data/avb/testkey_rsa2048.pem", "r");
	EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);

	cr_assert(EVP_PKEY_verify_recover_init(c) > 0);
	cr_assert(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0);
	cr_assert(EVP_PKEY_verify_recover(c, em, &emlen, vb + 256 + 32, 256) > 0);
	cr_assert_eq(emlen, 256);
	cr_expect_eq(em[0], 0);
	cr_expect_eq(em[1], 1);
	for (int i = 2; i < 2 + 202; i++)
		cr_assert_eq(em[i], 0xff, "byte %d", i);
	cr_expect_eq(em[204], 0);
	cr_expect_eq(memcmp(em + 205, prefix, 19), 0);
	avbt_sha256(vb, 256, vb + AUX_AT, AUX, h);
	cr_expect_eq(memcmp(em + 224, h, 32), 0, "signed digest = sha256(header || aux)");
	cr_expect_eq(memcmp(vb + 256, h, 32), 0, "stored hash");
	EVP_PKEY_CTX_free(c), EVP_PKEY_free(pk), fclose(f);
	avb_key_free(k);
	free(img.p);
}

Test(avb, unsigned_none)
{
	struct blob img = yes_blob("NONE", 3000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	int n = avbt_make_vb(&img, NULL, NULL, vb);
	struct blob f = avbt_footed(&img, vb, n, 16384);
	struct avb_report r;
	struct avb_vbmeta m;
	struct diag d;
	int fd = avbt_tmp_with(f.p, f.n);

	cr_assert_eq(avb_vbmeta_parse(vb, (size_t)n, 0, &m, &d), 0, "%s", d.msg);
	cr_expect_eq(m.h.auth_size, 0);
	cr_expect_eq(m.h.algorithm, 0);
	cr_expect_null(m.public_key);
	avbt_report(fd, f.n, &r);
	cr_expect_eq(r.vbmeta_hash.status, AVB_UNSIGNED);
	cr_expect_eq(r.signature.status, AVB_UNSIGNED);
	cr_expect_eq(r.digest.status, AVB_OK);
	cr_expect(avb_report_ok(&r));
	struct avb_new o = {.partition = "boot", .algorithm = "SHA256_RSA2048"};
	cr_expect_eq(avb_make_vbmeta(&o, fd, 10, vb, sizeof(vb), &d), -EINVAL, "a key is needed");
	close(fd);
	free(img.p), free(f.p);
}

/* Every algorithm signs and verifies, over a footed file (also crossing the
 * 256 KiB hashing buffer: bounded memory). */
Test(avb, every_algorithm_round_trip, .timeout = 60)
{
	struct blob img = yes_blob("ALG", 600000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];

	for (uint32_t t = 1; t < AVB_ALG_COUNT; t++) {
		const struct avb_alg *a = avb_alg_by_type(t);
		struct avb_key *k = avbt_key(a->key_bits);
		int n = avbt_make_vb(&img, k, a->name, vb);
		struct blob f = avbt_footed(&img, vb, n, 1 << 20);
		struct avb_report r;
		int fd = avbt_tmp_with(f.p, f.n);

		avbt_report(fd, f.n, &r);
		cr_expect_eq(r.footer.status, AVB_OK, "%s", a->name);
		cr_expect_eq(r.vbmeta_hash.status, AVB_OK, "%s: %s", a->name, r.vbmeta_hash.why);
		cr_expect_eq(r.signature.status, AVB_OK, "%s: %s", a->name, r.signature.why);
		cr_expect_eq(r.digest.status, AVB_OK, "%s: %s", a->name, r.digest.why);
		close(fd);
		free(f.p);
		avb_key_free(k);
	}
	free(img.p);
}

Test(avb, new_vbmeta_fields)
{
	struct blob img = yes_blob("F", 100);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_new o = {.partition = "boot",
			    .salt = avbt_salt,
			    .salt_len = 4,
			    .rollback_index = 7,
			    .rollback_index_location = 2,
			    .hash_algorithm = "sha512",
			    .release_string = "avbtool 1.3.0"};
	struct avb_vbmeta m;
	struct avb_desc dsc;
	struct diag d;
	int fd = avbt_tmp_with(img.p, img.n);
	int n = avb_make_vbmeta(&o, fd, img.n, vb, sizeof(vb), &d);

	cr_assert_gt(n, 0, "%s", d.msg);
	cr_assert_eq(avb_vbmeta_parse(vb, (size_t)n, 0, &m, &d), 0, "%s", d.msg);
	cr_expect_eq(m.h.rollback_index, 7);
	cr_expect_eq(m.h.rollback_index_location, 2);
	cr_expect_eq(m.h.required_minor, 2, "avbtool: 1.2 with a rollback index location");
	cr_expect_str_eq(m.h.release_string, "avbtool 1.3.0");
	cr_assert_eq(avb_find_hash_desc(&m, "boot", &dsc, &d), 0);
	cr_expect_eq(dsc.u.hash.digest_len, 64);
	cr_expect_eq(dsc.size, 16 + ((116 + 4 + 4 + 64 + 7) & ~7));
	o.release_string = "123456789012345678901234567890123456789012345678";
	cr_expect_eq(avb_make_vbmeta(&o, fd, img.n, vb, sizeof(vb), &d), -EINVAL);
	o.release_string = NULL;
	o.hash_algorithm = "md5";
	cr_expect_eq(avb_make_vbmeta(&o, fd, img.n, vb, sizeof(vb), &d), -ENOTSUP);
	o.hash_algorithm = NULL;
	cr_expect_eq(avb_make_vbmeta(&o, fd, img.n, vb, 100, &d), -ENOSPC);
	close(fd);
	free(img.p);
}

/* ---- one broken field, one exact error ---------------------------------------------- */

struct mut {
	unsigned off, width; /* width 1: xor with val, 4/8: store val */
	uint64_t val;
	int err;
	const char *msg; /* expected substring */
};

static void poke(uint8_t *b, const struct mut *m)
{
	if (m->width == 1)
		b[m->off] ^= (uint8_t)m->val;
	else if (m->width == 4)
		put_be32(b + m->off, (uint32_t)m->val);
	else
		put_be64(b + m->off, m->val);
}

/* Long: a table of mutations, one exact error each; the table is the test. */
Test(avb, vbmeta_broken_fields)
{
	static const struct mut t[] = {
	    {0, 1, 0x20, -EINVAL, "vbmeta magic @0x0+0 is not AVB0"},
	    {4, 4, 2, -ENOTSUP, "required_libavb_version_major @0x0+4 is 2"},
	    {8, 4, 4, -ENOTSUP, "required_libavb_version_minor @0x0+8 is 4, newer than 1.3"},
	    {128 + 47, 1, 'x', -EINVAL, "release_string @0x0+128 is not NUL-terminated"},
	    {12, 8, 321, -EINVAL, "authentication_data_block_size @0x0+12 is 321, not a multiple"},
	    {20, 8, 833, -EINVAL,
	     "vbmeta auxiliary_data_block_size @0x0+20 is 833, not a multiple "
	     "of 64"},
	    {12, 8, 1ull << 40, -ENODATA,
	     "authentication_data_block_size @0x0+12 is 1099511627776: "
	     "runs past the end of the 1408-byte vbmeta image"},
	    {12, 8, UINT64_MAX & ~63ull, -ENODATA, "authentication_data_block_size"},
	    {20, 8, 896, -ENODATA, "auxiliary_data_block_size @0x0+20 is 896: runs past"},
	    {20, 8, UINT64_MAX & ~63ull, -ENODATA, "auxiliary_data_block_size"},
	    {32, 8, 300, -EINVAL,
	     "hash_offset @0x0+32 is 300 (32 bytes): runs past the 320-byte "
	     "authentication block"},
	    {32, 8, UINT64_MAX, -EINVAL, "hash_offset"},
	    {40, 8, UINT64_MAX, -EINVAL, "hash_offset"},
	    {48, 8, 100, -EINVAL, "signature_offset @0x0+48"},
	    {56, 8, UINT64_MAX - 10, -EINVAL, "signature_offset"},
	    {64, 8, 400, -EINVAL,
	     "public_key_offset @0x0+64 is 400 (520 bytes): runs past the "
	     "832-byte auxiliary block"},
	    {88, 8, 49, -EINVAL, "public_key_metadata_offset @0x0+80"},
	    {104, 8, 900, -EINVAL, "descriptors_offset @0x0+96"},
	    {96, 8, UINT64_MAX, -EINVAL, "descriptors_offset"},
	    {40, 8, 20, -EINVAL, "hash_size @0x0+40 is 20, SHA256_RSA2048 hashes are 32 bytes"},
	    {D0 + 8, 8, 161, -EINVAL,
	     "vbmeta descriptor 0 (hash) num_bytes_following @0x0+584 is "
	     "161, not a multiple of 8"},
	    {D0 + 8, 8, 1000, -EINVAL, "num_bytes_following @0x0+584 is 1000: runs past"},
	    {D0 + 8, 8, 104, -EINVAL, "a hash descriptor needs at least 116 bytes"},
	    {D0 + 56, 4, 200, -EINVAL, "descriptor 0 (hash) partition_name_len @0x0+632"},
	    {D0 + 64, 4, UINT32_MAX, -EINVAL, "partition_name_len"},
	    {D1 + 16, 8, 1ull << 62, -EINVAL, "descriptor 1 (property) key_num_bytes @0x0+768"},
	    {D1 + 16, 8, UINT64_MAX, -EINVAL, "key_num_bytes"},
	    {D1 + 24, 8, UINT64_MAX - 1, -EINVAL, "key_num_bytes"},
	    {D1 + 32 + 3, 1, 'x', -EINVAL, "descriptor 1 (property) key @0x0+787 has no NUL"},
	    {D1 + 32 + 7, 1, 'x', -EINVAL, "descriptor 1 (property) value @0x0+791 has no NUL"},
	    {104, 8, 256, -EINVAL,
	     "descriptor 2 (property) num_bytes_following @0x0+800 is 32: runs "
	     "past descriptors_size (24 bytes left)"},
	    {104, 8, 272, -EINVAL,
	     "descriptor 3 @0x0+840: 8 bytes left in descriptors_size, less "
	     "than a 16-byte descriptor header"},
	};
	struct blob img = yes_blob("MUT", 5000);
	static uint8_t good[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, "SHA256_RSA2048", good);

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t *b = malloc((size_t)n);
		struct avb_vbmeta m;
		struct diag d = {{0}};

		memcpy(b, good, (size_t)n);
		poke(b, &t[i]);
		cr_expect_eq(avb_vbmeta_parse(b, (size_t)n, 0, &m, &d), t[i].err, "#%u: %s", i,
			     d.msg);
		cr_expect(strstr(d.msg, t[i].msg) != NULL, "#%u: \"%s\" lacks \"%s\"", i, d.msg,
			  t[i].msg);
		free(b);
	}
	avb_key_free(k);
	free(img.p);
}

struct vmut {
	unsigned off, width;
	uint64_t val;
	enum avb_status hash, sig, digest;
	const char *why; /* in the first check that is not OK */
};

/* Long: a table of mutations, one exact verdict each; the table is the test. */
Test(avb, verify_broken_fields)
{
	static const struct vmut t[] = {
	    {28, 4, 99, AVB_UNSUPPORTED, AVB_UNSUPPORTED, AVB_OK,
	     "algorithm_type @0x5000+28 is 99"},
	    {D1 + 36, 1, 0x20, AVB_MISMATCH, AVB_MISMATCH, AVB_OK, "stored hash @0x5100 is not"},
	    {256, 1, 1, AVB_MISMATCH, AVB_OK, AVB_OK, "stored hash"},
	    {256 + 32 + 9, 1, 1, AVB_OK, AVB_MISMATCH, AVB_OK, "signature @0x5120 does not verify"},
	    {KEY_AT + 4, 1, 1, AVB_MISMATCH, AVB_INVALID, AVB_OK, NULL},
	    {KEY_AT + 8 + 256 + 3, 1, 1, AVB_MISMATCH, AVB_INVALID, AVB_OK, NULL},
	    {KEY_AT, 4, 1024, AVB_MISMATCH, AVB_INVALID, AVB_OK, NULL},
	    {KEY_AT + 8 + 255, 1, 1, AVB_MISMATCH, AVB_INVALID, AVB_OK, NULL},
	    {72, 8, 0, AVB_MISMATCH, AVB_NO_KEY, AVB_OK, NULL},
	    {D0 + 132 + 8 + 5, 1, 1, AVB_MISMATCH, AVB_MISMATCH, AVB_MISMATCH, NULL},
	    {D0 + 24, 1, 's' ^ 'm', AVB_MISMATCH, AVB_MISMATCH, AVB_UNSUPPORTED, NULL},
	    {D0 + 16, 8, 20001, AVB_MISMATCH, AVB_MISMATCH, AVB_INVALID, NULL},
	    {D0 + 16, 8, 19999, AVB_MISMATCH, AVB_MISMATCH, AVB_MISMATCH, NULL},
	};
	static const char *const sig_why[] = {
	    [4] = "public key n0inv @0x534c does not match its modulus",
	    [5] = "public key rr @0x5450 does not match its modulus",
	    [6] = "public key key_num_bits @0x5348 is 1024, not 2048, 4096 or 8192",
	    [7] = "public key modulus @0x5350 is even",
	    [8] = "no public key embedded",
	};
	static const char *const digest_why[] = {
	    [9] = "digest @0x52cc of \"boot\" is not sha256(salt || the first 20000 bytes)",
	    [10] = "hash_algorithm @0x5258 is \"mha256\", not sha256 or sha512",
	    [11] = "image_size @0x5250 is 20001, more than the 20000 bytes of image data",
	};
	struct blob img = yes_blob("VER", 20000); /* vbmeta at 0x5000 */
	static uint8_t good[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, "SHA256_RSA2048", good);

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		static uint8_t b[AVB_VBMETA_MAX_SIZE];
		struct avb_report r;

		memcpy(b, good, (size_t)n);
		poke(b, &(struct mut){t[i].off, t[i].width, t[i].val, 0, NULL});
		struct blob f = avbt_footed(&img, b, n, 32768);
		int fd = avbt_tmp_with(f.p, f.n);

		avbt_report(fd, f.n, &r);
		cr_expect_eq(r.vbmeta.status, AVB_OK, "#%u: %s", i, r.vbmeta.why);
		cr_expect_eq(r.vbmeta_hash.status, t[i].hash, "#%u: %s", i, r.vbmeta_hash.why);
		cr_expect_eq(r.signature.status, t[i].sig, "#%u: %s", i, r.signature.why);
		cr_expect_eq(r.digest.status, t[i].digest, "#%u: %s", i, r.digest.why);
		if (t[i].why)
			cr_expect(strstr(t[i].hash != AVB_OK ? r.vbmeta_hash.why : r.signature.why,
					 t[i].why),
				  "#%u: %s / %s", i, r.vbmeta_hash.why, r.signature.why);
		if (i < sizeof(sig_why) / sizeof(sig_why[0]) && sig_why[i])
			cr_expect(strstr(r.signature.why, sig_why[i]), "#%u: %s", i,
				  r.signature.why);
		if (i < sizeof(digest_why) / sizeof(digest_why[0]) && digest_why[i])
			cr_expect(strstr(r.digest.why, digest_why[i]), "#%u: %s", i, r.digest.why);
		cr_expect_not(avb_report_ok(&r), "#%u", i);
		close(fd);
		free(f.p);
	}
	avb_key_free(k);
	free(img.p);
}

Test(avb, footer_broken_fields)
{
	enum { P = 32768, F = P - 64 };
	static const struct mut t[] = {
	    {F + 0, 1, 0x20, -ENOENT, "no AVB footer"},
	    {F + 4, 4, 2, -ENOTSUP, "AVB footer version_major @0x7fc0+4 is 2, only 1 is known"},
	    {F + 28, 8, 100, -EINVAL,
	     "AVB footer vbmeta_size @0x7fc0+28 is 100, less than the 256"},
	    {F + 28, 8, 70000, -EINVAL, "vbmeta_size @0x7fc0+28 is 70000, more than the 65536"},
	    {F + 20, 8, F - 100, -EINVAL,
	     "AVB footer vbmeta_offset @0x7fc0+20 is 0x7f5c: 1408 bytes "
	     "of vbmeta there run past the footer at 0x7fc0"},
	    {F + 20, 8, UINT64_MAX - 10, -EINVAL, "vbmeta_offset"},
	    {F + 12, 8, 0x5001, -EINVAL,
	     "original_image_size @0x7fc0+12 is 20481, past "
	     "vbmeta_offset 0x5000"},
	};
	struct blob img = yes_blob("FOOT", 20000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, NULL, vb);
	struct blob good = avbt_footed(&img, vb, n, P);
	struct avb_footer f;
	struct diag d;

	cr_assert_eq(avb_footer_parse(good.p + F, 64, P, &f, &d), 0, "%s", d.msg);
	cr_expect_eq(f.original_image_size, 20000);
	cr_expect_eq(f.vbmeta_offset, 0x5000);
	cr_expect_eq(f.vbmeta_size, (uint64_t)n);
	put_be32(good.p + F + 8, 9); /* the minor version is not checked (libavb) */
	cr_expect_eq(avb_footer_parse(good.p + F, 64, P, &f, &d), 0);
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t b[64];

		memcpy(b, good.p + F, 64);
		poke(b - F, &t[i]);
		cr_expect_eq(avb_footer_parse(b, 64, P, &f, &d), t[i].err, "#%u: %s", i, d.msg);
		cr_expect(strstr(d.msg, t[i].msg) != NULL, "#%u: \"%s\" lacks \"%s\"", i, d.msg,
			  t[i].msg);
	}
	avb_key_free(k);
	free(img.p), free(good.p);
}

Test(avb, diag_names_the_file_offset)
{
	struct blob img = yes_blob("OFF", 20000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	int n = avbt_make_vb(&img, NULL, NULL, vb);
	struct blob f;
	struct avb_image ai;
	struct diag d;

	put_be64(vb + 20, 64 + 1); /* auxiliary_data_block_size */
	f = avbt_footed(&img, vb, n, 32768);
	int fd = avbt_tmp_with(f.p, f.n);
	cr_expect_eq(avb_image_load(fd, f.n, &ai, &d), -EINVAL);
	cr_expect_str_eq(d.msg, "vbmeta auxiliary_data_block_size @0x5000+20 is 65, not a multiple "
				"of 64");
	avb_image_free(&ai);
	close(fd);
	free(img.p), free(f.p);
}

/* ---- truncation sweeps -------------------------------------------------------------------- */

Test(avb, truncated_vbmeta_every_length)
{
	struct blob img = yes_blob("TRUNC", 5000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, NULL, vb);

	for (int len = 0; len < n; len++) {
		uint8_t *b = malloc(len ? (size_t)len : 1); /* exact size: ASan sees overreads */
		struct avb_vbmeta m;
		struct diag d;

		memcpy(b, vb, (size_t)len);
		cr_assert_lt(avb_vbmeta_parse(b, (size_t)len, 0, &m, &d), 0, "length %d", len);
		free(b);
	}
	avb_key_free(k);
	free(img.p);
}

Test(avb, truncated_file_and_footer_every_length)
{
	enum { P = 16384 };
	struct blob img = yes_blob("TRUNC", 5000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, NULL, vb);
	struct blob f = avbt_footed(&img, vb, n, P);
	int fd = avbt_tmp_with(f.p, f.n);
	struct avb_image ai;
	struct avb_footer ft;
	struct diag d;

	/* every shorter file: no footer where it is looked for */
	for (uint64_t len = 0; len < P; len++) {
		cr_assert_lt(avb_image_load(fd, len, &ai, &d), 0, "length %lu", (unsigned long)len);
		avb_image_free(&ai);
	}
	cr_assert_eq(avb_image_load(fd, P, &ai, &d), 0, "%s", d.msg);
	avb_image_free(&ai);
	/* every shorter footer */
	for (size_t len = 0; len < 64; len++) {
		uint8_t *b = malloc(len ? len : 1);

		memcpy(b, f.p + P - 64, len);
		cr_assert_eq(avb_footer_parse(b, len, P, &ft, &d), -ENODATA, "length %zu", len);
		free(b);
	}
	/* every shorter vbmeta_size in the footer */
	for (int len = 0; len < n; len++) {
		put_be64(f.p + P - 64 + AFOFF_VBMETA_SIZE, (uint64_t)len);
		int fd2 = avbt_tmp_with(f.p, f.n);

		cr_assert_lt(avb_image_load(fd2, P, &ai, &d), 0, "vbmeta_size %d", len);
		avb_image_free(&ai);
		close(fd2);
	}
	close(fd);
	avb_key_free(k);
	free(img.p), free(f.p);
}

Test(avb, bare_vbmeta_and_no_avb)
{
	struct blob img = yes_blob("BARE", 5000);
	static uint8_t vb[AVB_VBMETA_MAX_SIZE];
	struct avb_key *k = avbt_key(2048);
	int n = avbt_make_vb(&img, k, NULL, vb);
	struct avb_report r;
	struct avb_image ai;
	struct diag d;
	int fd;

	/* a vbmeta partition: the blob at 0, zero-padded */
	memset(vb + n, 0, 4096 - (size_t)n);
	fd = avbt_tmp_with(vb, 4096);
	cr_assert_eq(avb_image_load(fd, 4096, &ai, &d), 0, "%s", d.msg);
	cr_expect_not(ai.has_footer);
	cr_expect_eq(ai.vb.len, (size_t)n);
	avb_image_free(&ai);
	avbt_report(fd, 4096, &r);
	cr_expect_eq(r.footer.status, AVB_NOT_CHECKED);
	cr_expect_eq(r.signature.status, AVB_OK);
	cr_expect_eq(r.digest.status, AVB_NOT_CHECKED);
	cr_expect(avb_report_ok(&r));
	close(fd);
	fd = avbt_tmp_with(img.p, img.n);
	cr_expect_eq(avb_image_load(fd, img.n, &ai, &d), -ENOENT);
	cr_expect_eq(avb_verify_file(fd, img.n, "boot", &r, &d), -ENOENT);
	close(fd);
	avb_key_free(k);
	free(img.p);
}
