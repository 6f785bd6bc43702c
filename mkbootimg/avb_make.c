/* avb_make.c - new vbmeta images (avb_make_vbmeta, as avbtool
 * add_hash_footer makes them) and vbmeta images made again for a changed
 * image (avb_rebuild): laid out, hashed and signed. avb_crypto.h. */
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/avb_crypto.h"
#include "mkbootimg/avb_internal.h"

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
	const EVP_MD *md = avb_md_of(p->alg->hash);
	uint8_t *auth = blob + AVB_VBMETA_HEADER_SIZE;

	if (avb_vbmeta_digest(md, blob, auth + auth_len, aux_len, auth))
		return diag_set(d, -ENOMEM, "hashing the vbmeta failed");
	if (avb_rsa_sign(p->key->pk, md, auth, p->alg->hash_len, auth + p->alg->hash_len,
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
	if (a->type != AVB_ALG_NONE &&
	    avb_vbmeta_digest(avb_md_of(a->hash), out, auth + vb->h.auth_size, vb->h.aux_size,
			      auth + vb->h.hash_offset))
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

	avb_crypto_init();
	r = avb_find_hash_desc(vb, partition, &desc, d);
	if (r)
		return r;
	r = avb_usable_hash_desc(vb, &desc, &c);
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
