/* avb_crypto.c - AVB hashes, RSA keys, signatures (OpenSSL 3 libcrypto):
 * verification, re-signing and new vbmeta images. Layout: avb.h. */
#include "mkbootimg/avb.h"

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

struct avb_key {
	EVP_PKEY *pk;
	uint32_t bits;
};

static void crypto_init(void)
{
	/* Hashes and RSA need only the default provider: no openssl.cnf. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

static const EVP_MD *md_of(const char *name)
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

	crypto_init();
	md = md_of(hash);
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
static int vbmeta_digest(const EVP_MD *md, const uint8_t *header, const uint8_t *aux,
			 uint64_t aux_len, uint8_t *out)
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
	crypto_init();
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

static int rsa_sign(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *dg, size_t dlen, uint8_t *sig,
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

	crypto_init();
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
	md = md_of(a->hash);
	if (vbmeta_digest(md, vb->blob, vb->aux, vb->h.aux_size, digest))
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
static int usable_hash_desc(const struct avb_vbmeta *vb, const struct avb_desc *desc,
			    struct avb_check *c)
{
	const struct avb_hash_desc *h = &desc->u.hash;
	const EVP_MD *md = md_of(h->hash_algorithm);

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

	crypto_init();
	memset(c, 0, sizeof(*c));
	r = avb_find_hash_desc(vb, partition, &desc, &why);
	if (r)
		return setr(c, 0, r == -ENOENT ? AVB_NOT_CHECKED : AVB_INVALID, "%s", why.msg);
	h = &desc.u.hash;
	if (usable_hash_desc(vb, &desc, c))
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

/* ---- writing ---------------------------------------------------------------------- */

/* The parts of a vbmeta image before layout. */
struct vb_parts {
	const uint8_t *header; /* 256 bytes: the fields that are kept */
	const struct avb_alg *alg;
	const struct avb_key *key; /* when alg is not NONE */
	const uint8_t *desc, *pkmd;
	size_t desc_len, pkmd_len;
};

static uint64_t round64(uint64_t v)
{
	return (v + AVB_BLOCK_ALIGN - 1) & ~(uint64_t)(AVB_BLOCK_ALIGN - 1);
}

static void put_layout(uint8_t *h, const struct avb_alg *a, uint64_t auth, uint64_t aux,
		       uint64_t desc_len, uint64_t key_len, uint64_t pkmd_len)
{
	memcpy(h + AVOFF_MAGIC, AVB_VBMETA_MAGIC, AVB_MAGIC_SIZE);
	put_be64(h + AVOFF_AUTH_SIZE, auth);
	put_be64(h + AVOFF_AUX_SIZE, aux);
	put_be32(h + AVOFF_ALGORITHM, a->type);
	/* auth: hash, then signature; aux: descriptors, key, key metadata (avbtool's order) */
	put_be64(h + AVOFF_HASH_OFFSET, 0);
	put_be64(h + AVOFF_HASH_SIZE, a->hash_len);
	put_be64(h + AVOFF_SIG_OFFSET, a->hash_len);
	put_be64(h + AVOFF_SIG_SIZE, a->sig_len);
	put_be64(h + AVOFF_KEY_OFFSET, desc_len);
	put_be64(h + AVOFF_KEY_SIZE, key_len);
	put_be64(h + AVOFF_PKMD_OFFSET, desc_len + key_len);
	put_be64(h + AVOFF_PKMD_SIZE, pkmd_len);
	put_be64(h + AVOFF_DESC_OFFSET, 0);
	put_be64(h + AVOFF_DESC_SIZE, desc_len);
}

/* hash = H(header || aux) into auth at 0, the signature after it. */
static int sign_blob(uint8_t *blob, const struct vb_parts *p, uint64_t auth_len, uint64_t aux_len,
		     struct diag *d)
{
	const EVP_MD *md = md_of(p->alg->hash);
	uint8_t *auth = blob + AVB_VBMETA_HEADER_SIZE;

	if (vbmeta_digest(md, blob, auth + auth_len, aux_len, auth))
		return diag_set(d, -ENOMEM, "hashing the vbmeta failed");
	if (rsa_sign(p->key->pk, md, auth, p->alg->hash_len, auth + p->alg->hash_len,
		     p->alg->sig_len))
		return diag_set(d, -EIO, "signing the vbmeta failed (libcrypto)");
	return 0;
}

static int assemble(const struct vb_parts *p, uint8_t *out, size_t cap, struct diag *d)
{
	bool sign = p->alg->type != AVB_ALG_NONE;
	uint8_t key[AVB_KEY_MAX_SIZE];
	uint64_t auth_len, aux_len, total;
	int klen = 0, r;
	uint8_t *aux;

	if (sign && (klen = avb_key_blob(p->key, key, sizeof(key), d)) < 0)
		return klen;
	aux_len = round64((uint64_t)p->desc_len + (uint64_t)klen + p->pkmd_len);
	auth_len = sign ? round64((uint64_t)p->alg->hash_len + p->alg->sig_len) : 0;
	total = AVB_VBMETA_HEADER_SIZE + auth_len + aux_len;
	if (total > AVB_VBMETA_MAX_SIZE)
		return diag_set(d, -E2BIG,
				"the vbmeta would be %" PRIu64 " bytes, libavb reads at "
				"most %d",
				total, AVB_VBMETA_MAX_SIZE);
	if (total > cap)
		return diag_set(d, -ENOSPC, "the vbmeta needs %" PRIu64 " bytes, %zu given", total,
				cap);
	memset(out, 0, (size_t)total);
	memcpy(out, p->header, AVB_VBMETA_HEADER_SIZE);
	put_layout(out, p->alg, auth_len, aux_len, p->desc_len, (uint64_t)klen, p->pkmd_len);
	aux = out + AVB_VBMETA_HEADER_SIZE + auth_len;
	if (p->desc_len)
		memcpy(aux, p->desc, p->desc_len);
	if (klen)
		memcpy(aux + p->desc_len, key, (size_t)klen);
	if (p->pkmd_len)
		memcpy(aux + p->desc_len + klen, p->pkmd, p->pkmd_len);
	if (sign && (r = sign_blob(out, p, auth_len, aux_len, d)))
		return r;
	return (int)total;
}

/* The algorithm for signing with key k: named, kept, or SHA256_RSA<bits>. */
static int choose_alg(const struct avb_alg *old, const struct avb_key *k, const char *name,
		      const struct avb_alg **out, struct diag *d)
{
	const struct avb_alg *a;

	if (!name) {
		if (old && old->type != AVB_ALG_NONE && old->key_bits == k->bits)
			*out = old;
		else /* types 1..3 are SHA256 with 2048, 4096, 8192 bits */
			*out = avb_alg_by_type(k->bits == 2048 ? 1 : k->bits == 4096 ? 2 : 3);
		return 0;
	}
	a = avb_alg_by_name(name);
	if (!a)
		return diag_set(d, -EINVAL,
				"unknown algorithm \"%s\" (SHA256_RSA2048, SHA256_RSA4096, "
				"SHA256_RSA8192, SHA512_RSA2048, SHA512_RSA4096, SHA512_RSA8192)",
				name);
	if (a->type == AVB_ALG_NONE)
		return diag_set(d, -EINVAL, "algorithm NONE signs nothing; it takes no key");
	if (a->key_bits != k->bits)
		return diag_set(d, -EINVAL,
				"the key is %" PRIu32 " bits, %s needs a %" PRIu32 "-bit key",
				k->bits, a->name, a->key_bits);
	*out = a;
	return 0;
}

/* New image_size and digest into a copy of a hash descriptor (same lengths). */
static void patch_hash_desc(uint8_t *p, const struct avb_hash_desc *h, uint64_t image_size,
			    const uint8_t *digest)
{
	put_be64(p + AHOFF_IMAGE_SIZE, image_size);
	memcpy(p + AVB_HASH_DESC_SIZE + h->name_len + h->salt_len, digest, h->digest_len);
}

static int rebuild_signed(const struct avb_vbmeta *vb, const struct avb_desc *desc,
			  uint64_t img_size, const uint8_t *digest, const struct avb_key *key,
			  const char *algorithm, uint8_t *out, size_t cap, struct diag *d)
{
	uint64_t at =
	    desc->offset - (AVB_VBMETA_HEADER_SIZE + vb->h.auth_size + vb->h.descriptors_offset);
	struct vb_parts p = {vb->blob,
			     NULL,
			     key,
			     NULL,
			     vb->pkmd,
			     (size_t)vb->h.descriptors_size,
			     (size_t)vb->h.pkmd_size};
	uint8_t *descs;
	int r = choose_alg(vb->alg, key, algorithm, &p.alg, d);

	if (r)
		return r;
	descs = malloc(p.desc_len ? p.desc_len : 1);
	if (!descs)
		return diag_set(d, -ENOMEM, "out of memory");
	memcpy(descs, vb->descriptors, p.desc_len);
	patch_hash_desc(descs + at, &desc->u.hash, img_size, digest);
	p.desc = descs;
	r = assemble(&p, out, cap, d);
	free(descs);
	return r;
}

static int rebuild_unsigned(const struct avb_vbmeta *vb, const struct avb_desc *desc,
			    uint64_t img_size, const uint8_t *digest, uint8_t *out, size_t cap,
			    struct diag *d)
{
	const struct avb_alg *a = vb->alg;
	uint8_t *auth = out + AVB_VBMETA_HEADER_SIZE;

	if (!a)
		return diag_set(d, -ENOTSUP,
				"vbmeta algorithm_type %" PRIu32 " is unknown: its hash "
				"cannot be recomputed (sign with a key)",
				vb->h.algorithm);
	if (vb->len > AVB_VBMETA_MAX_SIZE)
		return diag_set(d, -E2BIG, "the vbmeta is %zu bytes, libavb reads at most %d",
				vb->len, AVB_VBMETA_MAX_SIZE);
	if (vb->len > cap)
		return diag_set(d, -ENOSPC, "the vbmeta needs %zu bytes, %zu given", vb->len, cap);
	memcpy(out, vb->blob, vb->len);
	patch_hash_desc(out + desc->offset, &desc->u.hash, img_size, digest);
	/* The hash is recomputed; the signature, kept, is now stale (see avb.h). */
	if (a->type != AVB_ALG_NONE && vbmeta_digest(md_of(a->hash), out, auth + vb->h.auth_size,
						     vb->h.aux_size, auth + vb->h.hash_offset))
		return diag_set(d, -ENOMEM, "hashing the vbmeta failed");
	return (int)vb->len;
}

int avb_rebuild(const struct avb_vbmeta *vb, const char *partition, int img_fd, uint64_t img_size,
		const struct avb_key *key, const char *algorithm, uint8_t *out, size_t cap,
		struct diag *d)
{
	uint8_t digest[AVB_HASH_MAX];
	struct avb_check c;
	struct avb_desc desc;
	int r;

	crypto_init();
	r = avb_find_hash_desc(vb, partition, &desc, d);
	if (r)
		return r;
	r = usable_hash_desc(vb, &desc, &c);
	if (r)
		return diag_set(d, r, "%s", c.why);
	if (!key && algorithm)
		return diag_set(d, -EINVAL, "an algorithm (%s) without a key", algorithm);
	r = avb_hash_image(desc.u.hash.hash_algorithm, desc.u.hash.salt, desc.u.hash.salt_len,
			   img_fd, img_size, digest, d);
	if (r < 0)
		return r;
	if (key)
		return rebuild_signed(vb, &desc, img_size, digest, key, algorithm, out, cap, d);
	return rebuild_unsigned(vb, &desc, img_size, digest, out, cap, d);
}

/* ---- a new vbmeta ---------------------------------------------------------------- */

/* Encoders append to a descriptor buffer of cap bytes, or fail with -E2BIG. */
struct dbuf {
	uint8_t *p;
	size_t len, cap;
};

static uint8_t *dbuf_add(struct dbuf *b, uint64_t tag, uint64_t body)
{
	uint64_t nbf = (body + 7) & ~(uint64_t)7, total = AVB_DESC_HEADER_SIZE + nbf;
	uint8_t *p;

	if (body > b->cap || total > b->cap - b->len)
		return NULL;
	p = b->p + b->len;
	memset(p, 0, (size_t)total);
	put_be64(p + ADOFF_TAG, tag);
	put_be64(p + ADOFF_NBF, nbf);
	b->len += (size_t)total;
	return p;
}

static int add_hash_desc(struct dbuf *b, const struct avb_new *o, const char *hash,
			 uint64_t img_size, const uint8_t *digest, uint32_t dlen)
{
	size_t nlen = strlen(o->partition);
	uint8_t *p;

	if (nlen > b->cap || o->salt_len > b->cap) /* no wrap in the sum below */
		return -E2BIG;
	p = dbuf_add(b, AVB_DESC_HASH,
		     AVB_HASH_DESC_SIZE - AVB_DESC_HEADER_SIZE + nlen + o->salt_len + dlen);
	if (!p)
		return -E2BIG;
	put_be64(p + AHOFF_IMAGE_SIZE, img_size);
	memcpy(p + AHOFF_HASH_ALG, hash, strlen(hash));
	put_be32(p + AHOFF_NAME_LEN, (uint32_t)nlen);
	put_be32(p + AHOFF_SALT_LEN, (uint32_t)o->salt_len);
	put_be32(p + AHOFF_DIGEST_LEN, dlen);
	put_be32(p + AHOFF_FLAGS, o->hash_flags);
	p += AVB_HASH_DESC_SIZE;
	memcpy(p, o->partition, nlen);
	if (o->salt_len)
		memcpy(p + nlen, o->salt, o->salt_len);
	memcpy(p + nlen + o->salt_len, digest, dlen);
	return 0;
}

static int add_prop_desc(struct dbuf *b, const struct avb_prop *pr)
{
	size_t kl = strlen(pr->key), vl = strlen(pr->value);
	uint8_t *p = dbuf_add(b, AVB_DESC_PROPERTY,
			      AVB_PROPERTY_DESC_SIZE - AVB_DESC_HEADER_SIZE + kl + 1 + vl + 1);

	if (!p)
		return -E2BIG;
	put_be64(p + APOFF_KEY_LEN, kl);
	put_be64(p + APOFF_VALUE_LEN, vl);
	memcpy(p + AVB_PROPERTY_DESC_SIZE, pr->key, kl);
	memcpy(p + AVB_PROPERTY_DESC_SIZE + kl + 1, pr->value, vl);
	return 0;
}

/* avbtool's rule: 1.2 for a rollback index location, 1.1 for do_not_use_ab. */
static void new_header(const struct avb_new *o, const char *release, uint8_t *h)
{
	uint32_t minor = o->rollback_index_location			      ? 2
			 : (o->hash_flags & AVB_HASH_DESC_FLAG_DO_NOT_USE_AB) ? 1
									      : 0;

	memset(h, 0, AVB_VBMETA_HEADER_SIZE);
	memcpy(h + AVOFF_MAGIC, AVB_VBMETA_MAGIC, AVB_MAGIC_SIZE);
	put_be32(h + AVOFF_REQ_MAJOR, AVB_LIBAVB_MAJOR);
	put_be32(h + AVOFF_REQ_MINOR, minor);
	put_be64(h + AVOFF_ROLLBACK_INDEX, o->rollback_index);
	put_be32(h + AVOFF_FLAGS, o->flags);
	put_be32(h + AVOFF_ROLLBACK_LOCATION, o->rollback_index_location);
	memcpy(h + AVOFF_RELEASE, release, strlen(release));
}

static int new_alg(const struct avb_new *o, const struct avb_alg **a, struct diag *d)
{
	if (o->key)
		return choose_alg(NULL, o->key, o->algorithm, a, d);
	*a = avb_alg_by_type(AVB_ALG_NONE);
	if (o->algorithm && strcasecmp(o->algorithm, "NONE"))
		return diag_set(d, -EINVAL, "algorithm %s needs a key", o->algorithm);
	return 0;
}

int avb_make_vbmeta(const struct avb_new *o, int img_fd, uint64_t img_size, uint8_t *out,
		    size_t cap, struct diag *d)
{
	const char *hash = o->hash_algorithm ? o->hash_algorithm : "sha256";
	const char *release = o->release_string ? o->release_string : "bootkit";
	uint8_t digest[AVB_HASH_MAX], header[AVB_VBMETA_HEADER_SIZE];
	struct vb_parts p = {header, NULL, o->key, NULL, NULL, 0, 0};
	struct dbuf b = {NULL, 0, AVB_VBMETA_MAX_SIZE};
	int r, dlen;

	if (!o->partition || strlen(release) >= AVB_RELEASE_STRING_SIZE)
		return diag_set(d, -EINVAL, "%s",
				o->partition ? "release string longer than 47 bytes"
					     : "no partition name");
	if ((r = new_alg(o, &p.alg, d)))
		return r;
	dlen = avb_hash_image(hash, o->salt, o->salt_len, img_fd, img_size, digest, d);
	if (dlen < 0)
		return dlen;
	b.p = malloc(b.cap);
	if (!b.p)
		return diag_set(d, -ENOMEM, "out of memory");
	r = add_hash_desc(&b, o, hash, img_size, digest, (uint32_t)dlen);
	for (unsigned i = 0; !r && i < o->nprops; i++)
		r = add_prop_desc(&b, &o->props[i]);
	if (r)
		r = diag_set(d, r, "the descriptors exceed the %d bytes of a vbmeta image",
			     AVB_VBMETA_MAX_SIZE);
	new_header(o, release, header);
	p.desc = b.p;
	p.desc_len = b.len;
	if (!r)
		r = assemble(&p, out, cap, d);
	free(b.p);
	return r;
}
