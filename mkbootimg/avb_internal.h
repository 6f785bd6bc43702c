/* avb_internal.h - what avb_crypto.c (keys, hashing, verification) lends
 * avb_make.c (making and signing vbmeta images). Not for other files: they
 * use avb_crypto.h. */
#ifndef BOOTKIT_AVB_INTERNAL_H
#define BOOTKIT_AVB_INTERNAL_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/avb_crypto.h"

struct avb_key {
	EVP_PKEY *pk;
	uint32_t bits;
};

/* libcrypto with its default provider only (no openssl.cnf), once. */
void avb_crypto_init(void);
/* "sha256" or "sha512", else NULL. */
const EVP_MD *avb_md_of(const char *name);
/* H(header || aux): what the vbmeta hash and the signature cover; its length. */
int avb_vbmeta_digest(const EVP_MD *md, const uint8_t *header, const uint8_t *aux, uint64_t aux_len,
		      uint8_t *out);
/* RSA PKCS#1 v1.5 over the digest dg into sig (siglen bytes); 0 or -errno. */
int avb_rsa_sign(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *dg, size_t dlen, uint8_t *sig,
		 size_t siglen);
/* The hash descriptor's hash and digest length, usable for a digest. */
int avb_usable_hash_desc(const struct avb_vbmeta *vb, const struct avb_desc *desc,
			 struct avb_check *c);

#endif
