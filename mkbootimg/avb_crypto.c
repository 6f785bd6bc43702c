/* avb_crypto.c - AVB hashes, RSA keys, signatures (OpenSSL 3 libcrypto):
 * verification. Layout: avb.h; new and re-signed vbmeta images: avb_make.c. */
#include "mkbootimg/avb_crypto.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/avb_internal.h"

void avb_crypto_init(void)
{
	/* Hashes and RSA need only the default provider: no openssl.cnf. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

const EVP_MD *avb_md_of(const char *name)
{
	if (name && !strcmp(name, "sha256"))
		return EVP_sha256();
	if (name && !strcmp(name, "sha512"))
		return EVP_sha512();
	return NULL; /* libavb knows these two only */
}

/* ---- hashes ---------------------------------------------------------------- */

static int hook_update(void *ctx, const uint8_t *p, size_t n)
{
	return EVP_DigestUpdate(ctx, p, n) ? 0 : -EIO;
}

int avb_hash_image(const char *hash, const uint8_t *salt, size_t salt_len, int fd, uint64_t len,
		   uint8_t *out, struct diag *d)
{
	enum { CAP = 1 << 18 }; /* bounded, whatever the image size */
	const EVP_MD *md;
	EVP_MD_CTX *c;
	uint8_t *buf;
	unsigned n = 0;
	int r;

	avb_crypto_init();
	md = avb_md_of(hash);
	if (!md)
		return diag_set(d, -ENOTSUP, "hash algorithm \"%s\" is not sha256 or sha512", hash);
	c = EVP_MD_CTX_new();
	buf = malloc(CAP);
	r = c && buf && EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, salt, salt_len)
		? 0
		: -ENOMEM;
	if (!r)
		r = stream_range(fd, 0, len, buf, CAP, hook_update, c);
	if (r)
		diag_set(d, r, "hashing the image: %s", strerror(-r));
	else if (!EVP_DigestFinal_ex(c, out, &n))
		r = diag_set(d, -EIO, "hashing the image failed");
	free(buf);
	EVP_MD_CTX_free(c);
	return r ? r : (int)n;
}

/* H(header || aux): what the vbmeta hash and the signature cover. */
int avb_vbmeta_digest(const EVP_MD *md, const uint8_t *header, const uint8_t *aux, uint64_t aux_len,
		      uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, md, NULL) &&
		 EVP_DigestUpdate(c, header, AVB_VBMETA_HEADER_SIZE) &&
		 EVP_DigestUpdate(c, aux, (size_t)aux_len) && EVP_DigestFinal_ex(c, out, NULL);

	EVP_MD_CTX_free(c);
	return ok ? 0 : -ENOMEM;
}

/* ---- keys ------------------------------------------------------------------- */

/* An encrypted key is refused rather than prompting on the terminal. */
static int no_password(char *buf, int size, int rw, void *u)
{
	(void)buf, (void)size, (void)rw, (void)u;
	return 0;
}

static int key_check(EVP_PKEY *pk, uint32_t *bits, struct diag *d)
{
	BIGNUM *e = NULL;
	int b, ok;

	if (!EVP_PKEY_is_a(pk, "RSA"))
		return diag_set(d, -EINVAL, "not an RSA key");
	ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) && BN_is_word(e, 65537);
	BN_free(e);
	if (!ok)
		return diag_set(d, -EINVAL,
				"the RSA exponent is not 65537, the only one AVB takes");
	b = EVP_PKEY_get_bits(pk);
	if (b != 2048 && b != 4096 && b != 8192)
		return diag_set(d, -EINVAL, "a %d-bit RSA key: AVB takes 2048, 4096 or 8192 bits",
				b);
	*bits = (uint32_t)b;
	return 0;
}

int avb_key_from_pem(const uint8_t *pem, size_t len, struct avb_key **out, struct diag *d)
{
	EVP_PKEY *pk = NULL;
	BIO *b;
	uint32_t bits = 0;
	int r;

	*out = NULL;
	avb_crypto_init();
	if (len > INT_MAX)
		return diag_set(d, -EFBIG, "key file too large");
	b = BIO_new_mem_buf(pem, (int)len);
	if (b)
		pk = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (!pk)
		return diag_set(d, -EINVAL, "not a PEM private key (or an encrypted one)");
	r = key_check(pk, &bits, d);
	if (!r && !(*out = malloc(sizeof(**out))))
		r = diag_set(d, -ENOMEM, "out of memory");
	if (r) {
		EVP_PKEY_free(pk);
		return r;
	}
	**out = (struct avb_key){pk, bits};
	return 0;
}

int avb_key_load(const char *path, struct avb_key **out, struct diag *d)
{
	uint8_t *pem;
	size_t len;
	int r = file_read_small(path, 1 << 20, &pem, &len, d);

	*out = NULL;
	if (r)
		return r;
	r = avb_key_from_pem(pem, len, out, d);
	OPENSSL_cleanse(pem, len);
	free(pem);
	return r;
}

void avb_key_free(struct avb_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

uint32_t avb_key_bits(const struct avb_key *k)
{
	return k->bits;
}

/* -1/n0 mod 2^32 for odd n0: Newton's iteration doubles the correct low
 * bits (n0 * n0 == 1 mod 8 to start: 3, 6, 12, 24, 48). */
static uint32_t n0inv_of(uint32_t n0)
{
	uint32_t x = n0;

	for (int i = 0; i < 5; i++)
		x *= 2 - n0 * x;
	return 0u - x;
}

/* The AVB key blob of modulus n (bits wide) into out (avb_key_blob_size bytes). */
static int blob_of_n(const BIGNUM *n, uint32_t bits, uint8_t *out)
{
	uint32_t k = bits / 8;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *r = BN_new(), *rr = BN_new();
	int ok = ctx && r && rr && BN_bn2binpad(n, out + AVB_KEY_HEADER_SIZE, (int)k) == (int)k &&
		 BN_set_bit(r, (int)(2 * bits)) && BN_mod(rr, r, n, ctx) &&
		 BN_bn2binpad(rr, out + AVB_KEY_HEADER_SIZE + k, (int)k) == (int)k;

	put_be32(out, bits);
	if (ok)
		put_be32(out + 4, n0inv_of(get_be32(out + AVB_KEY_HEADER_SIZE + k - 4)));
	BN_CTX_free(ctx);
	BN_free(r);
	BN_free(rr);
	return ok ? 0 : -ENOMEM;
}

int avb_key_blob(const struct avb_key *k, uint8_t *out, size_t cap, struct diag *d)
{
	uint32_t need = avb_key_blob_size(k->bits);
	BIGNUM *n = NULL;
	int r;

	if (cap < need)
		return diag_set(d, -ENOSPC, "a %" PRIu32 "-bit key blob is %" PRIu32 " bytes",
				k->bits, need);
	if (!EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_N, &n))
		return diag_set(d, -ENOMEM, "reading the key's modulus failed");
	r = blob_of_n(n, k->bits, out);
	BN_free(n);
	return r ? diag_set(d, r, "encoding the public key failed") : (int)need;
}

/* A public key from a modulus and e = 65537. */
static EVP_PKEY *pubkey_of_n(const uint8_t *nbytes, size_t nlen)
{
	BIGNUM *n = BN_bin2bn(nbytes, (int)nlen, NULL), *e = BN_new();
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *c = NULL;
	EVP_PKEY *pk = NULL;

	if (n && e && b && BN_set_word(e, 65537) &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e) &&
	    (params = OSSL_PARAM_BLD_to_param(b)) &&
	    (c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) && EVP_PKEY_fromdata_init(c) > 0 &&
	    EVP_PKEY_fromdata(c, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(c);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_free(n);
	BN_free(e);
	return pk;
}

/* PKCS#1 v1.5 with the DigestInfo of md: what libavb's padding tables hold. */
static int pkey_ctx_setup(EVP_PKEY_CTX *c, const EVP_MD *md)
{
	return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_signature_md(c, md) > 0;
}

int avb_rsa_sign(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *dg, size_t dlen, uint8_t *sig,
		 size_t siglen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	size_t n = siglen;
	int ok = c && EVP_PKEY_sign_init(c) > 0 && pkey_ctx_setup(c, md) &&
		 EVP_PKEY_sign(c, sig, &n, dg, dlen) > 0 && n == siglen;

	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return ok ? 0 : -EIO;
}

/* 1 verified, 0 not. */
static int rsa_verify(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *dg, size_t dlen,
		      const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	int ok = c && EVP_PKEY_verify_init(c) > 0 && pkey_ctx_setup(c, md) &&
		 EVP_PKEY_verify(c, sig, siglen, dg, dlen) == 1;

	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return ok;
}

/* ---- verification ------------------------------------------------------------- */

/* Set a check's outcome and return ret. */
__attribute__((format(printf, 4, 5))) static int setr(struct avb_check *c, int ret,
						      enum avb_status s, const char *fmt, ...)
{
	va_list ap;

	c->status = s;
	va_start(ap, fmt);
	vstrfmt_show(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return ret;
}

#define note(c, ...) ((void)setr(c, 0, __VA_ARGS__))

/* File offset of a byte of the aux block, for messages. */
static uint64_t aux_at(const struct avb_vbmeta *vb, uint64_t off)
{
	return vb->base + AVB_VBMETA_HEADER_SIZE + vb->h.auth_size + off;
}

/* The embedded key blob as libavb would use it: size, bits, n0inv and rr. */
static int key_blob_check(const struct avb_vbmeta *vb, struct avb_check *c)
{
	const uint8_t *kb = vb->public_key;
	uint64_t at = aux_at(vb, vb->h.public_key_offset), size = vb->h.public_key_size;
	uint32_t bits = vb->key_bits, k = bits / 8;
	uint8_t want[AVB_KEY_MAX_SIZE];
	BIGNUM *n;
	int r;

	if (size < AVB_KEY_HEADER_SIZE)
		return setr(c, -EINVAL, AVB_INVALID,
			    "public key @0x%" PRIx64 " is %" PRIu64 " bytes, less than "
			    "its 8-byte header",
			    at, size);
	if (bits != 2048 && bits != 4096 && bits != 8192)
		return setr(c, -EINVAL, AVB_INVALID,
			    "public key key_num_bits @0x%" PRIx64 " is %" PRIu32
			    ", not 2048, 4096 or 8192",
			    at, bits);
	if (size != avb_key_blob_size(bits))
		return setr(c, -EINVAL, AVB_INVALID,
			    "public_key_size @0x%" PRIx64 "+72 is %" PRIu64 ", a %" PRIu32
			    "-bit key blob is %" PRIu32 " bytes",
			    vb->base, size, bits, avb_key_blob_size(bits));
	if (bits != vb->alg->key_bits)
		return setr(c, -EINVAL, AVB_INVALID,
			    "the embedded key is %" PRIu32 " bits, %s needs %" PRIu32, bits,
			    vb->alg->name, vb->alg->key_bits);
	if (!(kb[AVB_KEY_HEADER_SIZE + k - 1] & 1))
		return setr(c, -EINVAL, AVB_INVALID, "public key modulus @0x%" PRIx64 " is even",
			    at + 8);
	n = BN_bin2bn(kb + AVB_KEY_HEADER_SIZE, (int)k, NULL);
	r = n ? blob_of_n(n, bits, want) : -ENOMEM;
	BN_free(n);
	if (r)
		return setr(c, -EINVAL, AVB_INVALID, "public key modulus @0x%" PRIx64 " unusable",
			    at + 8);
	if (memcmp(want + 4, kb + 4, 4))
		return setr(c, -EINVAL, AVB_INVALID,
			    "public key n0inv @0x%" PRIx64 " does not match its modulus", at + 4);
	if (memcmp(want + AVB_KEY_HEADER_SIZE + k, kb + AVB_KEY_HEADER_SIZE + k, k))
		return setr(c, -EINVAL, AVB_INVALID,
			    "public key rr @0x%" PRIx64 " does not match its modulus",
			    at + AVB_KEY_HEADER_SIZE + k);
	return 0;
}

static void check_signature(const struct avb_vbmeta *vb, const EVP_MD *md, const uint8_t *digest,
			    struct avb_check *c)
{
	const struct avb_alg *a = vb->alg;
	EVP_PKEY *pk;

	if (!vb->public_key) {
		note(c, AVB_NO_KEY,
		     "no public key embedded (public_key_size 0): the signature can "
		     "only be checked with the signer's key");
		return;
	}
	if (key_blob_check(vb, c))
		return;
	if (vb->h.signature_size != a->sig_len) {
		note(c, AVB_INVALID,
		     "signature_size @0x%" PRIx64 "+56 is %" PRIu64 ", %s signatures "
		     "are %" PRIu32 " bytes",
		     vb->base, vb->h.signature_size, a->name, a->sig_len);
		return;
	}
	pk = pubkey_of_n(vb->public_key + AVB_KEY_HEADER_SIZE, a->sig_len);
	if (!pk) {
		note(c, AVB_INVALID, "the embedded public key is not a usable RSA key");
		return;
	}
	if (rsa_verify(pk, md, digest, a->hash_len, vb->signature, a->sig_len))
		note(c, AVB_OK, "%s", "");
	else
		note(c, AVB_MISMATCH,
		     "signature @0x%" PRIx64 " does not verify with the embedded "
		     "key: the vbmeta changed after signing (stale) or another key signed it",
		     vb->base + AVB_VBMETA_HEADER_SIZE + vb->h.signature_offset);
	EVP_PKEY_free(pk);
}

int avb_verify_vbmeta(const struct avb_vbmeta *vb, struct avb_report *r, struct diag *d)
{
	const struct avb_alg *a = vb->alg;
	uint8_t digest[AVB_HASH_MAX];
	const EVP_MD *md;

	avb_crypto_init();
	if (!a) {
		note(&r->vbmeta_hash, AVB_UNSUPPORTED,
		     "algorithm_type @0x%" PRIx64 "+28 is %" PRIu32 ", not one this tool knows",
		     vb->base, vb->h.algorithm);
		r->signature = r->vbmeta_hash;
		return 0;
	}
	if (a->type == AVB_ALG_NONE) {
		note(&r->vbmeta_hash, AVB_UNSIGNED, "algorithm NONE: no hash, no signature");
		r->signature = r->vbmeta_hash;
		return 0;
	}
	md = avb_md_of(a->hash);
	if (avb_vbmeta_digest(md, vb->blob, vb->aux, vb->h.aux_size, digest))
		return diag_set(d, -ENOMEM, "hashing the vbmeta failed");
	if (!memcmp(digest, vb->hash, a->hash_len))
		note(&r->vbmeta_hash, AVB_OK, "%s", "");
	else
		note(&r->vbmeta_hash, AVB_MISMATCH,
		     "stored hash @0x%" PRIx64 " is not %s(header || "
		     "auxiliary block)",
		     vb->base + AVB_VBMETA_HEADER_SIZE + vb->h.hash_offset, a->hash);
	/* Over the computed hash, as libavb does. */
	check_signature(vb, md, digest, &r->signature);
	return 0;
}

/* The hash descriptor's hash and digest length, usable for a digest. */
int avb_usable_hash_desc(const struct avb_vbmeta *vb, const struct avb_desc *desc,
			 struct avb_check *c)
{
	const struct avb_hash_desc *h = &desc->u.hash;
	const EVP_MD *md = avb_md_of(h->hash_algorithm);

	if (!md)
		return setr(c, -ENOTSUP, AVB_UNSUPPORTED,
			    "hash descriptor hash_algorithm @0x%" PRIx64 " is \"%s\", "
			    "not sha256 or sha512",
			    vb->base + desc->offset + AHOFF_HASH_ALG, h->hash_algorithm);
	if (!h->digest_len)
		return setr(c, -ENOTSUP, AVB_NOT_CHECKED,
			    "hash descriptor of \"%.*s\" has a persistent digest "
			    "(kept by the device, not in the vbmeta)",
			    (int)h->name_len, h->name);
	if (h->digest_len != (uint32_t)EVP_MD_get_size(md))
		return setr(c, -EINVAL, AVB_INVALID,
			    "hash descriptor digest_len @0x%" PRIx64 " is %" PRIu32
			    ", %s digests are %d bytes",
			    vb->base + desc->offset + AHOFF_DIGEST_LEN, h->digest_len,
			    h->hash_algorithm, EVP_MD_get_size(md));
	return 0;
}

int avb_verify_digest(const struct avb_vbmeta *vb, const char *partition, int fd, uint64_t limit,
		      struct avb_check *c, struct diag *d)
{
	uint8_t digest[AVB_HASH_MAX];
	const struct avb_hash_desc *h;
	struct avb_desc desc;
	struct diag why;
	int r;

	avb_crypto_init();
	memset(c, 0, sizeof(*c));
	r = avb_find_hash_desc(vb, partition, &desc, &why);
	if (r)
		return setr(c, 0, r == -ENOENT ? AVB_NOT_CHECKED : AVB_INVALID, "%s", why.msg);
	h = &desc.u.hash;
	if (avb_usable_hash_desc(vb, &desc, c))
		return 0;
	if (h->image_size > limit)
		return setr(c, 0, AVB_INVALID,
			    "hash descriptor image_size @0x%" PRIx64 " is %" PRIu64
			    ", more than the %" PRIu64 " bytes of image data",
			    vb->base + desc.offset + AHOFF_IMAGE_SIZE, h->image_size, limit);
	r = avb_hash_image(h->hash_algorithm, h->salt, h->salt_len, fd, h->image_size, digest, d);
	if (r < 0)
		return r;
	if (!memcmp(digest, h->digest, h->digest_len))
		note(c, AVB_OK, "%s", "");
	else
		note(c, AVB_MISMATCH,
		     "digest @0x%" PRIx64 " of \"%.*s\" is not %s(salt || the first %" PRIu64
		     " bytes): the image changed after the vbmeta was made",
		     vb->base + desc.offset + AVB_HASH_DESC_SIZE + h->name_len + h->salt_len,
		     (int)h->name_len, h->name, h->hash_algorithm, h->image_size);
	return 0;
}

/* ---- a file ---------------------------------------------------------------------- */

const char *avb_status_name(enum avb_status s)
{
	static const char *const n[] = {"not checked", "ok",	      "mismatch", "no key embedded",
					"unsigned",    "unsupported", "invalid"};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static bool passes(const struct avb_check *c)
{
	return c->status == AVB_OK || c->status == AVB_NOT_CHECKED || c->status == AVB_UNSIGNED ||
	       c->status == AVB_NO_KEY;
}

bool avb_report_ok(const struct avb_report *r)
{
	return passes(&r->footer) && r->vbmeta.status == AVB_OK && passes(&r->vbmeta_hash) &&
	       passes(&r->signature) && passes(&r->digest);
}

int avb_verify_file(int fd, uint64_t file_size, const char *partition, struct avb_report *rep,
		    struct diag *d)
{
	struct avb_image ai;
	struct diag why;
	int r;

	memset(rep, 0, sizeof(*rep));
	memset(&ai, 0, sizeof(ai));
	r = avb_footer_load(fd, file_size, &ai, &why);
	if (r == -ENOENT) {
		strfmt_show(rep->footer.why, sizeof(rep->footer.why),
			    "no footer: a bare vbmeta image");
	} else if (r == -EIO || r == -ENODATA) {
		return diag_set(d, r, "%s", why.msg);
	} else if (r) {
		rep->footer.status = r == -ENOTSUP ? AVB_UNSUPPORTED : AVB_INVALID;
		memcpy(rep->footer.why, why.msg, sizeof(why.msg));
		return 0;
	} else {
		rep->footer.status = AVB_OK;
	}
	r = avb_vbmeta_load(fd, file_size, &ai, &why);
	if (r == -ENOENT || r == -ENOMEM || r == -EIO) {
		avb_image_free(&ai);
		return diag_set(d, r, "%s", why.msg);
	}
	if (r) {
		rep->vbmeta.status = r == -ENOTSUP ? AVB_UNSUPPORTED : AVB_INVALID;
		memcpy(rep->vbmeta.why, why.msg, sizeof(why.msg));
		avb_image_free(&ai);
		return 0;
	}
	rep->vbmeta.status = AVB_OK;
	r = avb_verify_vbmeta(&ai.vb, rep, d);
	if (!r && ai.has_footer)
		r = avb_verify_digest(&ai.vb, partition, fd, ai.footer.original_image_size,
				      &rep->digest, d);
	else if (!r)
		strfmt_show(rep->digest.why, sizeof(rep->digest.why),
			    "no image data: a bare vbmeta image");
	avb_image_free(&ai);
	return r;
}

/* ---- footer layout ---------------------------------------------------------------------- */
