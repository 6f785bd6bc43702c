/* avb_crypto.h - Android Verified Boot 2.0 with libcrypto: keys, hashing,
 * verification (avb_crypto.c) and making a vbmeta image (avb_make.c). The
 * format they read and write is avb.h's. Nothing here prints or exits. */
#ifndef BOOTKIT_AVB_CRYPTO_H
#define BOOTKIT_AVB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "mkbootimg/avb.h"

/* ---- keys (libcrypto) ---------------------------------------------------------- */

struct avb_key;

/* An RSA private key from PEM text (PKCS#1 or PKCS#8, unencrypted); the
 * modulus must be 2048, 4096 or 8192 bits and the exponent 65537. */
int avb_key_from_pem(const uint8_t *pem, size_t len, struct avb_key **out, struct diag *d);
/* The same from a file. */
int avb_key_load(const char *path, struct avb_key **out, struct diag *d);
void avb_key_free(struct avb_key *k);
uint32_t avb_key_bits(const struct avb_key *k);
/* The AVB public key blob (what avbtool extract_public_key writes) into
 * out[cap]; returns its length or -ENOSPC. */
int avb_key_blob(const struct avb_key *k, uint8_t *out, size_t cap, struct diag *d);

/* ---- verification ---------------------------------------------------------------- */

enum avb_status {
	AVB_NOT_CHECKED = 0, /* nothing to check, or an earlier step failed */
	AVB_OK,
	AVB_MISMATCH,	 /* computed and stored values differ (stale or altered) */
	AVB_NO_KEY,	 /* signed, but no public key embedded to check with */
	AVB_UNSIGNED,	 /* algorithm NONE */
	AVB_UNSUPPORTED, /* an algorithm or hash this library does not know */
	AVB_INVALID,	 /* malformed (footer, vbmeta, key blob, descriptor) */
};

struct avb_check {
	enum avb_status status;
	char why[DIAG_MSG_MAX]; /* what was found, for anything but AVB_OK */
};

struct avb_report {
	struct avb_check footer;      /* AVB_NOT_CHECKED: none (a bare vbmeta image) */
	struct avb_check vbmeta;      /* the vbmeta image's structure */
	struct avb_check vbmeta_hash; /* stored hash == H(header || aux) */
	struct avb_check signature;   /* by the embedded public key */
	struct avb_check digest;      /* hash descriptor == H(salt || image) */
};

const char *avb_status_name(enum avb_status s);

/* True when no check failed (OK, NOT_CHECKED, UNSIGNED and NO_KEY pass). */
bool avb_report_ok(const struct avb_report *r);

/* Fill r->vbmeta_hash and r->signature for a parsed vbmeta. Returns 0, or a
 * negative errno only when libcrypto itself fails (out of memory). */
int avb_verify_vbmeta(const struct avb_vbmeta *vb, struct avb_report *r, struct diag *d);

/*
 * Check the hash descriptor of partition (see avb_find_hash_desc) against the
 * first image_size bytes of fd, readable up to limit bytes (the footer's
 * original_image_size): H(salt || data) streamed through a bounded buffer.
 * Returns 0 with *c filled, or a negative errno for a read error.
 */
int avb_verify_digest(const struct avb_vbmeta *vb, const char *partition, int fd, uint64_t limit,
		      struct avb_check *c, struct diag *d);

/*
 * Every check of a file: footer, vbmeta, hash, signature and (with a footer)
 * the digest of partition's data. Returns 0 when the checks ran (outcomes in
 * r, avb_report_ok() sums them up), -ENOENT when the file has no AVB data,
 * other negative errno values for I/O errors.
 */
int avb_verify_file(int fd, uint64_t file_size, const char *partition, struct avb_report *r,
		    struct diag *d);

/* H(salt || fd[0, len)) with hash "sha256" or "sha512" into out (AVB_HASH_MAX);
 * returns the digest length or a negative errno (-ENOTSUP: unknown hash). */
int avb_hash_image(const char *hash, const uint8_t *salt, size_t salt_len, int fd, uint64_t len,
		   uint8_t *out, struct diag *d);

/* ---- writing ---------------------------------------------------------------------- */

/*
 * A new vbmeta image for a changed image: the hash descriptor of partition
 * (see avb_find_hash_desc) gets img_size and H(salt || img_fd[0, img_size))
 * with its own salt and hash algorithm; every other descriptor, the key
 * metadata and the header fields (versions, rollback index and location,
 * flags, release string) are kept.
 *
 * With a key the image is signed again: algorithm names one whose key size is
 * the key's (else -EINVAL); NULL keeps the old algorithm when its key size is
 * the key's, else takes SHA256_RSA<bits>; the key's public blob is embedded
 * and aux is laid out as avbtool does (descriptors, key, metadata).
 *
 * Without a key (algorithm must be NULL) the layout and the authentication
 * block are kept but the hash in it is recomputed, so the signature is the
 * one stale part: a verifier reports "signature mismatch", the state of an
 * image that needs signing, not "hash mismatch", which would look like
 * corruption of the vbmeta itself; libavb treats both alike on an unlocked
 * device, and a later re-sign needs only the signature.
 *
 * Writes to out[cap] and returns the length (at most AVB_VBMETA_MAX_SIZE
 * bytes, -E2BIG beyond), or a negative errno; -ENOTSUP for a descriptor with
 * a persistent digest (digest_len 0) or an unknown algorithm without a key.
 */
int avb_rebuild(const struct avb_vbmeta *vb, const char *partition, int img_fd, uint64_t img_size,
		const struct avb_key *key, const char *algorithm, uint8_t *out, size_t cap,
		struct diag *d);

struct avb_prop {
	const char *key, *value;
};

/* What avbtool add_hash_footer takes, for an image with no AVB data yet. */
struct avb_new {
	const char *partition;	    /* partition_name of the hash descriptor */
	const char *hash_algorithm; /* NULL: "sha256" */
	const uint8_t *salt;	    /* the caller's salt (avbtool: random) */
	size_t salt_len;
	const struct avb_key *key; /* NULL: unsigned (algorithm NONE) */
	const char *algorithm;	   /* NULL: SHA256_RSA<key bits>, or NONE without a key */
	uint64_t rollback_index;
	uint32_t rollback_index_location;
	uint32_t flags;		      /* vbmeta header flags */
	uint32_t hash_flags;	      /* hash descriptor flags (bit 0: do_not_use_ab) */
	const char *release_string;   /* NULL: "bootkit" */
	const struct avb_prop *props; /* property descriptors after the hash descriptor */
	unsigned nprops;
};

/* A vbmeta image with one hash descriptor over img_fd[0, img_size) and the
 * properties, into out[cap]; returns its length or a negative errno. */
int avb_make_vbmeta(const struct avb_new *o, int img_fd, uint64_t img_size, uint8_t *out,
		    size_t cap, struct diag *d);

#endif
