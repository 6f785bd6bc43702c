/* avb.h - Android Verified Boot 2.0: the footer, the vbmeta image and its
 * descriptors, and the footer layout: the format, with no cryptography
 * (keys, hashing, verification and signing: avb_crypto.h).
 *
 * Reference: AOSP external/avb (avbtool 1.3.0; libavb avb_footer.h,
 * avb_vbmeta_image.h, avb_descriptor.h, avb_crypto.h). Written from the
 * published layout. Every integer is BIG-endian (unlike the boot image
 * header); the structures are packed, so u64 fields may be unaligned.
 *
 * A partition of P bytes with a hash footer (avbtool add_hash_footer):
 *
 *   0                       image data, original_image_size bytes
 *   round_up(image, 4096)   vbmeta image, vbmeta_size bytes, then zeros
 *   ...                     zeros
 *   P - 64                  footer
 *
 * Footer (the last 64 bytes)
 *   0   magic "AVBf"                  12  original_image_size (u64)
 *   4   version_major (1)             20  vbmeta_offset (u64, from the start)
 *   8   version_minor (0)             28  vbmeta_size (u64, unpadded)
 *                                     36  reserved[28]
 *
 * vbmeta image = header (256) | authentication block | auxiliary block
 *   0   magic "AVB0"                       64  public_key_offset (in aux)
 *   4   required_libavb_version_major (1)  72  public_key_size
 *   8   required_libavb_version_minor      80  public_key_metadata_offset (in aux)
 *   12  authentication_data_block_size     88  public_key_metadata_size
 *   20  auxiliary_data_block_size          96  descriptors_offset (in aux)
 *   28  algorithm_type (u32)               104 descriptors_size
 *   32  hash_offset (in auth)              112 rollback_index
 *   40  hash_size                          120 flags (u32)
 *   48  signature_offset (in auth)         124 rollback_index_location (u32)
 *   56  signature_size                     128 release_string[48], NUL-terminated
 *                                          176 reserved[80]
 *   Both blocks are multiples of 64 bytes, zero-padded. avbtool puts the hash
 *   then the signature in auth, and descriptors, public key, key metadata in
 *   aux. hash = H(header || aux block); the signature is RSA PKCS#1 v1.5
 *   (EMSA-PKCS1-v1_5 with the DER DigestInfo) over the same bytes.
 *
 * Algorithms (algorithm_type: name, hash, hash bytes, signature bytes)
 *   0 NONE            1 SHA256_RSA2048 32/256   2 SHA256_RSA4096 32/512
 *   3 SHA256_RSA8192 32/1024   4 SHA512_RSA2048 64/256   5 SHA512_RSA4096 64/512
 *   6 SHA512_RSA8192 64/1024
 *
 * Public key blob (key_num_bits/8 = K)
 *   0 key_num_bits (2048, 4096, 8192)   4 n0inv = -1/n mod 2^32
 *   8 n (K bytes)                       8+K rr = 2^(2*bits) mod n (K bytes)
 *   The exponent is not stored: always 65537.
 *
 * Descriptors, back to back in aux at descriptors_offset:
 *   0 tag (u64)   8 num_bytes_following (u64, multiple of 8), then the body,
 *   zero-padded; an unknown tag is skipped.
 *   hash (2), 132 bytes: 16 image_size (u64), 24 hash_algorithm[32] ("sha256"),
 *     56 partition_name_len, 60 salt_len, 64 digest_len, 68 flags,
 *     72 reserved[60]; then name, salt, digest.
 *     digest = H(salt || image[0, image_size))
 *   hashtree (1), 180 bytes: 16 dm_verity_version, 20 image_size (u64),
 *     28 tree_offset, 36 tree_size, 44 data_block_size, 48 hash_block_size,
 *     52 fec_num_roots, 56 fec_offset, 64 fec_size, 72 hash_algorithm[32],
 *     104 partition_name_len, 108 salt_len, 112 root_digest_len, 116 flags,
 *     120 reserved[60]; then name, salt, root digest.
 *   property (0), 32 bytes: 16 key_num_bytes (u64), 24 value_num_bytes (u64);
 *     then key, NUL, value, NUL.
 *   kernel_cmdline (3), 24 bytes: 16 flags, 20 kernel_cmdline_length; then it.
 *   chain_partition (4), 92 bytes: 16 rollback_index_location,
 *     20 partition_name_len, 24 public_key_len, 28 flags, 32 reserved[60];
 *     then name, public key blob.
 *
 * Parsers borrow: the structs point into the caller's buffer. Nothing here
 * prints or exits; errors are -errno with a struct diag naming the field and
 * its offset in the file ("@0x3000+20": vbmeta at 0x3000, field at byte 20).
 */
#ifndef BOOTKIT_AVB_H
#define BOOTKIT_AVB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define AVB_FOOTER_MAGIC	 "AVBf"
#define AVB_VBMETA_MAGIC	 "AVB0"
#define AVB_MAGIC_SIZE		 4
#define AVB_FOOTER_SIZE		 64
#define AVB_FOOTER_VERSION_MAJOR 1
#define AVB_FOOTER_VERSION_MINOR 0
#define AVB_VBMETA_HEADER_SIZE	 256
#define AVB_RELEASE_STRING_SIZE	 48
#define AVB_BLOCK_ALIGN		 64    /* auth and aux blocks are multiples of it */
#define AVB_IMAGE_BLOCK		 4096  /* vbmeta and the footer block are aligned to it */
#define AVB_LIBAVB_MAJOR	 1     /* required_libavb_version_major we accept */
#define AVB_LIBAVB_MINOR	 3     /* and the newest minor (avbtool 1.3.0) */
#define AVB_VBMETA_MAX_SIZE	 65536 /* libavb reads at most this much vbmeta */
#define AVB_MAX_FOOTER_SIZE	 4096
#define AVB_RESERVE		 (AVB_VBMETA_MAX_SIZE + AVB_MAX_FOOTER_SIZE) /* avbtool: 69632 */
#define AVB_KEY_HEADER_SIZE	 8
#define AVB_KEY_MAX_SIZE	 (AVB_KEY_HEADER_SIZE + 2 * 8192 / 8)
#define AVB_HASH_MAX		 64 /* SHA-512 */
#define AVB_HASH_ALG_SIZE	 32

/* Footer fields */
enum {
	AFOFF_MAGIC = 0,
	AFOFF_MAJOR = 4,
	AFOFF_MINOR = 8,
	AFOFF_ORIGINAL_SIZE = 12,
	AFOFF_VBMETA_OFFSET = 20,
	AFOFF_VBMETA_SIZE = 28,
	AFOFF_RESERVED = 36,
};

/* vbmeta header fields */
enum {
	AVOFF_MAGIC = 0,
	AVOFF_REQ_MAJOR = 4,
	AVOFF_REQ_MINOR = 8,
	AVOFF_AUTH_SIZE = 12,
	AVOFF_AUX_SIZE = 20,
	AVOFF_ALGORITHM = 28,
	AVOFF_HASH_OFFSET = 32,
	AVOFF_HASH_SIZE = 40,
	AVOFF_SIG_OFFSET = 48,
	AVOFF_SIG_SIZE = 56,
	AVOFF_KEY_OFFSET = 64,
	AVOFF_KEY_SIZE = 72,
	AVOFF_PKMD_OFFSET = 80,
	AVOFF_PKMD_SIZE = 88,
	AVOFF_DESC_OFFSET = 96,
	AVOFF_DESC_SIZE = 104,
	AVOFF_ROLLBACK_INDEX = 112,
	AVOFF_FLAGS = 120,
	AVOFF_ROLLBACK_LOCATION = 124,
	AVOFF_RELEASE = 128,
	AVOFF_RESERVED = 176,
};

/* Descriptor fields (from the start of the descriptor) */
enum {
	ADOFF_TAG = 0,
	ADOFF_NBF = 8,
	AVB_DESC_HEADER_SIZE = 16,

	AHOFF_IMAGE_SIZE = 16, /* hash */
	AHOFF_HASH_ALG = 24,
	AHOFF_NAME_LEN = 56,
	AHOFF_SALT_LEN = 60,
	AHOFF_DIGEST_LEN = 64,
	AHOFF_FLAGS = 68,
	AHOFF_RESERVED = 72,
	AVB_HASH_DESC_SIZE = 132,

	ATOFF_DM_VERITY_VERSION = 16, /* hashtree */
	ATOFF_IMAGE_SIZE = 20,
	ATOFF_TREE_OFFSET = 28,
	ATOFF_TREE_SIZE = 36,
	ATOFF_DATA_BLOCK_SIZE = 44,
	ATOFF_HASH_BLOCK_SIZE = 48,
	ATOFF_FEC_NUM_ROOTS = 52,
	ATOFF_FEC_OFFSET = 56,
	ATOFF_FEC_SIZE = 64,
	ATOFF_HASH_ALG = 72,
	ATOFF_NAME_LEN = 104,
	ATOFF_SALT_LEN = 108,
	ATOFF_ROOT_DIGEST_LEN = 112,
	ATOFF_FLAGS = 116,
	ATOFF_RESERVED = 120,
	AVB_HASHTREE_DESC_SIZE = 180,

	APOFF_KEY_LEN = 16, /* property */
	APOFF_VALUE_LEN = 24,
	AVB_PROPERTY_DESC_SIZE = 32,

	ACOFF_FLAGS = 16, /* kernel_cmdline */
	ACOFF_LEN = 20,
	AVB_CMDLINE_DESC_SIZE = 24,

	ACHOFF_ROLLBACK_LOCATION = 16, /* chain_partition */
	ACHOFF_NAME_LEN = 20,
	ACHOFF_KEY_LEN = 24,
	ACHOFF_FLAGS = 28,
	ACHOFF_RESERVED = 32,
	AVB_CHAIN_DESC_SIZE = 92,
};

_Static_assert(AFOFF_RESERVED + 28 == AVB_FOOTER_SIZE, "footer size");
_Static_assert(AVOFF_RELEASE + AVB_RELEASE_STRING_SIZE == AVOFF_RESERVED, "release string");
_Static_assert(AVOFF_RESERVED + 80 == AVB_VBMETA_HEADER_SIZE, "vbmeta header size");
_Static_assert(AHOFF_HASH_ALG + AVB_HASH_ALG_SIZE == AHOFF_NAME_LEN, "hash alg field");
_Static_assert(AHOFF_RESERVED + 60 == AVB_HASH_DESC_SIZE, "hash descriptor size");
_Static_assert(ATOFF_HASH_ALG + AVB_HASH_ALG_SIZE == ATOFF_NAME_LEN, "hashtree alg field");
_Static_assert(ATOFF_RESERVED + 60 == AVB_HASHTREE_DESC_SIZE, "hashtree descriptor size");
_Static_assert(APOFF_VALUE_LEN + 8 == AVB_PROPERTY_DESC_SIZE, "property descriptor size");
_Static_assert(ACOFF_LEN + 4 == AVB_CMDLINE_DESC_SIZE, "cmdline descriptor size");
_Static_assert(ACHOFF_RESERVED + 60 == AVB_CHAIN_DESC_SIZE, "chain descriptor size");

enum avb_desc_tag {
	AVB_DESC_PROPERTY = 0,
	AVB_DESC_HASHTREE = 1,
	AVB_DESC_HASH = 2,
	AVB_DESC_KERNEL_CMDLINE = 3,
	AVB_DESC_CHAIN_PARTITION = 4,
};

/* vbmeta flags, hash descriptor flags */
#define AVB_VBMETA_FLAG_HASHTREE_DISABLED     1u
#define AVB_VBMETA_FLAG_VERIFICATION_DISABLED 2u
#define AVB_HASH_DESC_FLAG_DO_NOT_USE_AB      1u

/* ---- algorithms ------------------------------------------------------------ */

struct avb_alg {
	uint32_t type;
	const char *name;  /* "SHA256_RSA2048" */
	const char *hash;  /* "sha256", "sha512"; NULL for NONE */
	uint32_t hash_len; /* digest bytes stored in auth */
	uint32_t sig_len;  /* signature bytes = modulus bytes */
	uint32_t key_bits; /* RSA modulus bits */
};
#define AVB_ALG_NONE  0u
#define AVB_ALG_COUNT 7u

/* The algorithm of a type, or NULL when this library does not know it. */
const struct avb_alg *avb_alg_by_type(uint32_t type);
/* By name, case-insensitive ("SHA256_RSA4096", "none"); NULL if unknown. */
const struct avb_alg *avb_alg_by_name(const char *name);
/* Bytes of the public key blob for key_bits (8 + 2 * key_bits / 8). */
uint32_t avb_key_blob_size(uint32_t key_bits);

/* ---- footer ---------------------------------------------------------------- */

struct avb_footer {
	uint32_t major, minor;
	uint64_t original_image_size, vbmeta_offset, vbmeta_size;
};

/*
 * Parse the footer in buf (the last AVB_FOOTER_SIZE bytes of a file of
 * file_size bytes). Returns 0; -ENOENT when the magic is not "AVBf" (no
 * footer: not an error in itself); -ENOTSUP for a major version above 1;
 * -EINVAL when vbmeta does not lie between the image data and the footer or
 * is smaller than a vbmeta header or larger than AVB_VBMETA_MAX_SIZE.
 */
int avb_footer_parse(const uint8_t *buf, size_t len, uint64_t file_size, struct avb_footer *f,
		     struct diag *d);

/* Write f as 64 footer bytes (magic, fields, zero reserved). */
void avb_footer_encode(const struct avb_footer *f, uint8_t out[AVB_FOOTER_SIZE]);

/* ---- vbmeta image ------------------------------------------------------------ */

struct avb_vbmeta_header {
	uint32_t required_major, required_minor;
	uint64_t auth_size, aux_size;
	uint32_t algorithm;
	uint64_t hash_offset, hash_size, signature_offset, signature_size;
	uint64_t public_key_offset, public_key_size;
	uint64_t pkmd_offset, pkmd_size;
	uint64_t descriptors_offset, descriptors_size;
	uint64_t rollback_index;
	uint32_t flags, rollback_index_location;
	char release_string[AVB_RELEASE_STRING_SIZE];
};

/* A parsed vbmeta image; every pointer is into the buffer given to the parser. */
struct avb_vbmeta {
	const uint8_t *blob; /* header | auth | aux */
	size_t len;	     /* 256 + auth_size + aux_size (bytes after it are ignored) */
	uint64_t base;	     /* file offset of the blob, for messages */
	struct avb_vbmeta_header h;
	const struct avb_alg *alg; /* NULL: an algorithm this library does not know */
	const uint8_t *auth, *aux;
	const uint8_t *hash, *signature;  /* in auth (NULL when their size is 0) */
	const uint8_t *public_key, *pkmd; /* in aux (NULL when their size is 0) */
	const uint8_t *descriptors;	  /* in aux */
	unsigned ndesc;			  /* descriptors found */
	uint32_t key_bits;		  /* key_num_bits of the embedded key, 0 if none */
};

/*
 * Parse a vbmeta image at the start of buf (len bytes, found at file offset
 * base) and walk its descriptors. Checks what libavb checks (magic,
 * required version 1.x with x <= 3, NUL-terminated release string, block sizes
 * multiples of 64 inside len, hash, signature, public key, key metadata and
 * descriptors inside their blocks, hash_size of a known algorithm) and every
 * descriptor's lengths against its size. An unknown algorithm_type parses (the
 * verify step reports it as unsupported). Returns 0, -EINVAL, -ENODATA
 * (truncated) or -ENOTSUP (version), with d naming the field and its offset.
 */
int avb_vbmeta_parse(const uint8_t *buf, size_t len, uint64_t base, struct avb_vbmeta *vb,
		     struct diag *d);

struct avb_hash_desc {
	uint64_t image_size;
	char hash_algorithm[AVB_HASH_ALG_SIZE + 1];
	uint32_t name_len, salt_len, digest_len, flags;
	const uint8_t *name, *salt, *digest;
};

struct avb_hashtree_desc {
	uint32_t dm_verity_version;
	uint64_t image_size, tree_offset, tree_size;
	uint32_t data_block_size, hash_block_size, fec_num_roots;
	uint64_t fec_offset, fec_size;
	char hash_algorithm[AVB_HASH_ALG_SIZE + 1];
	uint32_t name_len, salt_len, root_digest_len, flags;
	const uint8_t *name, *salt, *root_digest;
};

struct avb_property_desc {
	const char *key, *value; /* NUL-terminated (checked) */
	uint64_t key_len, value_len;
};

struct avb_cmdline_desc {
	uint32_t flags, len;
	const uint8_t *cmdline; /* not NUL-terminated */
};

struct avb_chain_desc {
	uint32_t rollback_index_location, name_len, key_len, flags;
	const uint8_t *name, *public_key;
};

struct avb_desc {
	uint64_t tag;
	uint64_t offset; /* of the descriptor, from the start of the vbmeta blob */
	uint64_t size;	 /* 16 + num_bytes_following */
	union {
		struct avb_hash_desc hash;
		struct avb_hashtree_desc hashtree;
		struct avb_property_desc prop;
		struct avb_cmdline_desc cmdline;
		struct avb_chain_desc chain;
	} u;
};

/*
 * Descriptor iterator: *pos starts at 0 and is advanced; returns 1 with the
 * next descriptor in *out, 0 at the end, or a negative errno (a descriptor
 * that does not fit; cannot happen after avb_vbmeta_parse succeeded).
 */
int avb_desc_next(const struct avb_vbmeta *vb, uint64_t *pos, struct avb_desc *out, struct diag *d);

/* Name of a tag ("hash", "hashtree", "property", "kernel_cmdline", "chain_partition", "?"). */
const char *avb_desc_tag_name(uint64_t tag);

/*
 * The hash descriptor of partition (name compared byte for byte), or, when
 * partition is NULL or no descriptor has that name, the only hash
 * descriptor. -ENOENT when there is none, or several and none by that name.
 */
int avb_find_hash_desc(const struct avb_vbmeta *vb, const char *partition, struct avb_desc *out,
		       struct diag *d);

/* ---- a file with AVB ------------------------------------------------------------ */

struct avb_image {
	bool has_footer;
	struct avb_footer footer; /* when has_footer */
	uint8_t *blob;		  /* malloc'ed copy of the vbmeta image */
	struct avb_vbmeta vb;	  /* parsed, pointing into blob */
};

/*
 * Load the AVB data of fd (file_size bytes): the footer in its last 64 bytes
 * and the vbmeta it points to, or, without a footer, a bare vbmeta image at
 * offset 0 (a vbmeta partition). Returns 0; -ENOENT when the file has
 * neither; else the footer or vbmeta error with d set. Free with
 * avb_image_free() (also after a failure).
 */
int avb_image_load(int fd, uint64_t file_size, struct avb_image *ai, struct diag *d);
/* Its two steps: the footer (-ENOENT: none; ai->has_footer), then the vbmeta
 * the footer names, or a bare vbmeta image at 0 (-ENOENT: no AVB0 either). */
int avb_footer_load(int fd, uint64_t file_size, struct avb_image *ai, struct diag *d);
int avb_vbmeta_load(int fd, uint64_t file_size, struct avb_image *ai, struct diag *d);
void avb_image_free(struct avb_image *ai);

/*
 * Where the AVB data goes in a partition of partition_size bytes after
 * image_size bytes of image data, as spans to write after the data: zeros up
 * to vbmeta_offset = round_up(image_size, 4096), the vbmeta image, zeros up
 * to partition_size - 64, the footer. Spans point into the plan (the footer)
 * and into vbmeta: valid while both are.
 *
 * Fit rule: exact, round_up(image, 4096) + round_up(vbmeta, 4096) + 4096 <=
 * partition_size (the vbmeta area and the footer block, as avbtool lays them
 * out). avbtool itself refuses images over partition_size - 69632 (it
 * reserves room for the largest vbmeta); being exact lets a repacked image
 * use the room its actual vbmeta leaves, and avbtool_fits says whether
 * avbtool add_hash_footer could still sign the result. partition_size must
 * be a multiple of 4096 (avbtool's rule, -EINVAL); -ENOSPC when the data does
 * not fit, with d saying by how many bytes.
 */
struct avb_span {
	const uint8_t *mem; /* NULL: len zero bytes */
	uint64_t len;
};

struct avb_footer_plan {
	struct avb_footer footer;
	uint8_t footer_bytes[AVB_FOOTER_SIZE];
	struct avb_span span[4];
	unsigned nspan;
	bool avbtool_fits; /* image_size <= partition_size - 69632 */
};

int avb_footer_plan(uint64_t image_size, const uint8_t *vbmeta, size_t vbmeta_len,
		    uint64_t partition_size, struct avb_footer_plan *p, struct diag *d);

/* The largest image that fits partition_size with vbmeta_len bytes of vbmeta
 * (exact rule above); 0 when nothing does. */
uint64_t avb_max_image_size(uint64_t partition_size, size_t vbmeta_len);

#endif
