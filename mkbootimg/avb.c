/* avb.c - AVB footer and vbmeta parsing, descriptors, the footer layout.
 * Signing, hashing and verification (libcrypto) are in avb_crypto.c. */
#include "mkbootimg/avb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"

/* ---- algorithms ------------------------------------------------------------ */

static const struct avb_alg algs[AVB_ALG_COUNT] = {
    {0, "NONE", NULL, 0, 0, 0},
    {1, "SHA256_RSA2048", "sha256", 32, 256, 2048},
    {2, "SHA256_RSA4096", "sha256", 32, 512, 4096},
    {3, "SHA256_RSA8192", "sha256", 32, 1024, 8192},
    {4, "SHA512_RSA2048", "sha512", 64, 256, 2048},
    {5, "SHA512_RSA4096", "sha512", 64, 512, 4096},
    {6, "SHA512_RSA8192", "sha512", 64, 1024, 8192},
};

const struct avb_alg *avb_alg_by_type(uint32_t type)
{
	return type < AVB_ALG_COUNT ? &algs[type] : NULL;
}

const struct avb_alg *avb_alg_by_name(const char *name)
{
	for (unsigned i = 0; name && i < AVB_ALG_COUNT; i++)
		if (!strcasecmp(name, algs[i].name))
			return &algs[i];
	return NULL;
}

uint32_t avb_key_blob_size(uint32_t key_bits)
{
	return AVB_KEY_HEADER_SIZE + 2 * (key_bits / 8);
}

/* ---- messages with a place --------------------------------------------------- */

/* "vbmeta FIELD @0xBASE+OFF <what>" */
__attribute__((format(printf, 6, 7))) static int vb_bad(struct diag *d, int err, uint64_t base,
							uint64_t off, const char *field,
							const char *fmt, ...)
{
	char what[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vstrfmt_show(what, sizeof(what), fmt, ap);
	va_end(ap);
	return diag_set(d, err, "vbmeta %s @0x%" PRIx64 "+%" PRIu64 " %s", field, base, off, what);
}

/* ---- footer ------------------------------------------------------------------ */

int avb_footer_parse(const uint8_t *buf, size_t len, uint64_t file_size, struct avb_footer *f,
		     struct diag *d)
{
	uint64_t at, end;

	if (len < AVB_FOOTER_SIZE || file_size < AVB_FOOTER_SIZE)
		return diag_set(d, -ENODATA, "AVB footer: %zu bytes, a footer is %d", len,
				AVB_FOOTER_SIZE);
	at = file_size - AVB_FOOTER_SIZE;
	if (memcmp(buf + AFOFF_MAGIC, AVB_FOOTER_MAGIC, AVB_MAGIC_SIZE))
		return diag_set(d, -ENOENT,
				"no AVB footer (the last 64 bytes do not start with AVBf)");
	f->major = get_be32(buf + AFOFF_MAJOR);
	f->minor = get_be32(buf + AFOFF_MINOR);
	f->original_image_size = get_be64(buf + AFOFF_ORIGINAL_SIZE);
	f->vbmeta_offset = get_be64(buf + AFOFF_VBMETA_OFFSET);
	f->vbmeta_size = get_be64(buf + AFOFF_VBMETA_SIZE);
	end = at; /* vbmeta ends before the footer */
	if (f->major > AVB_FOOTER_VERSION_MAJOR)
		return diag_set(d, -ENOTSUP,
				"AVB footer version_major @0x%" PRIx64 "+4 is %" PRIu32
				", only %d is known",
				at, f->major, AVB_FOOTER_VERSION_MAJOR);
	if (f->vbmeta_size < AVB_VBMETA_HEADER_SIZE)
		return diag_set(d, -EINVAL,
				"AVB footer vbmeta_size @0x%" PRIx64 "+28 is %" PRIu64
				", less than the %d-byte vbmeta header",
				at, f->vbmeta_size, AVB_VBMETA_HEADER_SIZE);
	if (f->vbmeta_size > AVB_VBMETA_MAX_SIZE)
		return diag_set(d, -EINVAL,
				"AVB footer vbmeta_size @0x%" PRIx64 "+28 is %" PRIu64
				", more than the %d bytes libavb reads",
				at, f->vbmeta_size, AVB_VBMETA_MAX_SIZE);
	if (!range_ok(f->vbmeta_offset, f->vbmeta_size, end)) /* overflow, or over the footer */
		return diag_set(d, -EINVAL,
				"AVB footer vbmeta_offset @0x%" PRIx64 "+20 is 0x%" PRIx64
				": %" PRIu64
				" bytes of vbmeta there run past the footer at 0x%" PRIx64,
				at, f->vbmeta_offset, f->vbmeta_size, at);
	if (f->original_image_size > f->vbmeta_offset)
		return diag_set(d, -EINVAL,
				"AVB footer original_image_size @0x%" PRIx64 "+12 is %" PRIu64
				", past vbmeta_offset 0x%" PRIx64
				" (the image would overlap vbmeta)",
				at, f->original_image_size, f->vbmeta_offset);
	return 0;
}

void avb_footer_encode(const struct avb_footer *f, uint8_t out[AVB_FOOTER_SIZE])
{
	memset(out, 0, AVB_FOOTER_SIZE);
	memcpy(out + AFOFF_MAGIC, AVB_FOOTER_MAGIC, AVB_MAGIC_SIZE);
	put_be32(out + AFOFF_MAJOR, f->major);
	put_be32(out + AFOFF_MINOR, f->minor);
	put_be64(out + AFOFF_ORIGINAL_SIZE, f->original_image_size);
	put_be64(out + AFOFF_VBMETA_OFFSET, f->vbmeta_offset);
	put_be64(out + AFOFF_VBMETA_SIZE, f->vbmeta_size);
}

/* ---- vbmeta header --------------------------------------------------------------- */

static void header_read(const uint8_t *b, struct avb_vbmeta_header *h)
{
	h->required_major = get_be32(b + AVOFF_REQ_MAJOR);
	h->required_minor = get_be32(b + AVOFF_REQ_MINOR);
	h->auth_size = get_be64(b + AVOFF_AUTH_SIZE);
	h->aux_size = get_be64(b + AVOFF_AUX_SIZE);
	h->algorithm = get_be32(b + AVOFF_ALGORITHM);
	h->hash_offset = get_be64(b + AVOFF_HASH_OFFSET);
	h->hash_size = get_be64(b + AVOFF_HASH_SIZE);
	h->signature_offset = get_be64(b + AVOFF_SIG_OFFSET);
	h->signature_size = get_be64(b + AVOFF_SIG_SIZE);
	h->public_key_offset = get_be64(b + AVOFF_KEY_OFFSET);
	h->public_key_size = get_be64(b + AVOFF_KEY_SIZE);
	h->pkmd_offset = get_be64(b + AVOFF_PKMD_OFFSET);
	h->pkmd_size = get_be64(b + AVOFF_PKMD_SIZE);
	h->descriptors_offset = get_be64(b + AVOFF_DESC_OFFSET);
	h->descriptors_size = get_be64(b + AVOFF_DESC_SIZE);
	h->rollback_index = get_be64(b + AVOFF_ROLLBACK_INDEX);
	h->flags = get_be32(b + AVOFF_FLAGS);
	h->rollback_index_location = get_be32(b + AVOFF_ROLLBACK_LOCATION);
	memcpy(h->release_string, b + AVOFF_RELEASE, AVB_RELEASE_STRING_SIZE);
}

static int check_versions(const struct avb_vbmeta *vb, struct diag *d)
{
	const struct avb_vbmeta_header *h = &vb->h;

	if (memcmp(vb->blob, AVB_VBMETA_MAGIC, AVB_MAGIC_SIZE))
		return vb_bad(d, -EINVAL, vb->base, AVOFF_MAGIC, "magic", "is not AVB0");
	if (h->required_major != AVB_LIBAVB_MAJOR)
		return vb_bad(d, -ENOTSUP, vb->base, AVOFF_REQ_MAJOR,
			      "required_libavb_version_major", "is %" PRIu32 ", only %d is known",
			      h->required_major, AVB_LIBAVB_MAJOR);
	if (h->required_minor > AVB_LIBAVB_MINOR)
		return vb_bad(d, -ENOTSUP, vb->base, AVOFF_REQ_MINOR,
			      "required_libavb_version_minor", "is %" PRIu32 ", newer than 1.%d",
			      h->required_minor, AVB_LIBAVB_MINOR);
	if (h->release_string[AVB_RELEASE_STRING_SIZE - 1])
		return vb_bad(d, -EINVAL, vb->base, AVOFF_RELEASE, "release_string",
			      "is not NUL-terminated within %d bytes", AVB_RELEASE_STRING_SIZE);
	return 0;
}

static int check_blocks(const struct avb_vbmeta *vb, struct diag *d)
{
	const struct avb_vbmeta_header *h = &vb->h;
	uint64_t room = vb->len - AVB_VBMETA_HEADER_SIZE;

	if (h->auth_size % AVB_BLOCK_ALIGN)
		return vb_bad(
		    d, -EINVAL, vb->base, AVOFF_AUTH_SIZE, "authentication_data_block_size",
		    "is %" PRIu64 ", not a multiple of %d", h->auth_size, AVB_BLOCK_ALIGN);
	if (h->aux_size % AVB_BLOCK_ALIGN)
		return vb_bad(d, -EINVAL, vb->base, AVOFF_AUX_SIZE, "auxiliary_data_block_size",
			      "is %" PRIu64 ", not a multiple of %d", h->aux_size, AVB_BLOCK_ALIGN);
	if (h->auth_size > room)
		return vb_bad(d, -ENODATA, vb->base, AVOFF_AUTH_SIZE,
			      "authentication_data_block_size",
			      "is %" PRIu64 ": runs past the end of the %zu-byte vbmeta image",
			      h->auth_size, vb->len);
	if (h->aux_size > room - h->auth_size)
		return vb_bad(d, -ENODATA, vb->base, AVOFF_AUX_SIZE, "auxiliary_data_block_size",
			      "is %" PRIu64 ": runs past the end of the %zu-byte vbmeta image",
			      h->aux_size, vb->len);
	return 0;
}

struct region {
	int field;	   /* offset of the *_offset field in the header */
	const char *name;  /* its name */
	uint64_t off, len; /* the values */
	const char *block; /* "authentication" or "auxiliary" */
	uint64_t block_size;
};

static int check_region(const struct avb_vbmeta *vb, const struct region *r, struct diag *d)
{
	if (range_ok(r->off, r->len, r->block_size))
		return 0;
	return vb_bad(d, -EINVAL, vb->base, (uint64_t)r->field, r->name,
		      "is %" PRIu64 " (%" PRIu64 " bytes): runs past the %" PRIu64 "-byte %s block",
		      r->off, r->len, r->block_size, r->block);
}

static int check_regions(const struct avb_vbmeta *vb, struct diag *d)
{
	const struct avb_vbmeta_header *h = &vb->h;
	const struct region rs[] = {
	    {AVOFF_HASH_OFFSET, "hash_offset", h->hash_offset, h->hash_size, "authentication",
	     h->auth_size},
	    {AVOFF_SIG_OFFSET, "signature_offset", h->signature_offset, h->signature_size,
	     "authentication", h->auth_size},
	    {AVOFF_KEY_OFFSET, "public_key_offset", h->public_key_offset, h->public_key_size,
	     "auxiliary", h->aux_size},
	    /* libavb checks key metadata only when there is some */
	    {AVOFF_PKMD_OFFSET, "public_key_metadata_offset", h->pkmd_size ? h->pkmd_offset : 0,
	     h->pkmd_size, "auxiliary", h->aux_size},
	    {AVOFF_DESC_OFFSET, "descriptors_offset", h->descriptors_offset, h->descriptors_size,
	     "auxiliary", h->aux_size},
	};
	int r;

	for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++)
		if ((r = check_region(vb, &rs[i], d)))
			return r;
	return 0;
}

static int check_algorithm(const struct avb_vbmeta *vb, struct diag *d)
{
	const struct avb_alg *a = vb->alg;

	if (!a || a->type == AVB_ALG_NONE)
		return 0; /* unknown: reported by verify; NONE: nothing to check */
	if (vb->h.hash_size != a->hash_len)
		return vb_bad(d, -EINVAL, vb->base, AVOFF_HASH_SIZE, "hash_size",
			      "is %" PRIu64 ", %s hashes are %" PRIu32 " bytes", vb->h.hash_size,
			      a->name, a->hash_len);
	return 0;
}

int avb_vbmeta_parse(const uint8_t *buf, size_t len, uint64_t base, struct avb_vbmeta *vb,
		     struct diag *d)
{
	const struct avb_vbmeta_header *h = &vb->h;
	struct avb_desc desc;
	uint64_t pos = 0;
	int r;

	memset(vb, 0, sizeof(*vb));
	vb->blob = buf;
	vb->len = len;
	vb->base = base;
	if (len < AVB_VBMETA_HEADER_SIZE)
		return diag_set(d, -ENODATA,
				"vbmeta @0x%" PRIx64 " is %zu bytes, less than its %d-byte "
				"header",
				base, len, AVB_VBMETA_HEADER_SIZE);
	header_read(buf, &vb->h);
	vb->alg = avb_alg_by_type(h->algorithm);
	if ((r = check_versions(vb, d)) || (r = check_blocks(vb, d)) ||
	    (r = check_regions(vb, d)) || (r = check_algorithm(vb, d)))
		return r;
	vb->len = (size_t)(AVB_VBMETA_HEADER_SIZE + h->auth_size + h->aux_size);
	vb->auth = buf + AVB_VBMETA_HEADER_SIZE;
	vb->aux = vb->auth + h->auth_size;
	vb->hash = h->hash_size ? vb->auth + h->hash_offset : NULL;
	vb->signature = h->signature_size ? vb->auth + h->signature_offset : NULL;
	vb->public_key = h->public_key_size ? vb->aux + h->public_key_offset : NULL;
	vb->pkmd = h->pkmd_size ? vb->aux + h->pkmd_offset : NULL;
	vb->descriptors = vb->aux + h->descriptors_offset;
	if (h->public_key_size >= AVB_KEY_HEADER_SIZE)
		vb->key_bits = get_be32(vb->public_key);
	while ((r = avb_desc_next(vb, &pos, &desc, d)) > 0)
		vb->ndesc++;
	return r;
}

/* ---- descriptors ---------------------------------------------------------------- */

const char *avb_desc_tag_name(uint64_t tag)
{
	static const char *const n[] = {"property", "hashtree", "hash", "kernel_cmdline",
					"chain_partition"};
	return tag < sizeof(n) / sizeof(n[0]) ? n[tag] : "?";
}

/* Where a descriptor is, for messages. */
struct dctx {
	const struct avb_vbmeta *vb;
	struct diag *d;
	uint64_t pos; /* of the descriptor in the descriptors region */
	uint64_t at;  /* and in the blob */
	uint64_t size;
	const uint8_t *p;
};

/* How many descriptors come before pos: for messages only, so counted (by
 * their headers, bounds-checked) when one is needed. */
static unsigned desc_index(const struct avb_vbmeta *vb, uint64_t pos)
{
	uint64_t at = 0, size = vb->h.descriptors_size;
	unsigned n = 0;

	while (at < pos && size - at >= AVB_DESC_HEADER_SIZE) {
		uint64_t nbf = get_be64(vb->descriptors + at + ADOFF_NBF);

		if (nbf > size - at - AVB_DESC_HEADER_SIZE)
			break;
		at += AVB_DESC_HEADER_SIZE + nbf;
		n++;
	}
	return n;
}

__attribute__((format(printf, 4, 5))) static int dbad(const struct dctx *c, uint64_t field,
						      const char *name, const char *fmt, ...)
{
	char what[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vstrfmt_show(what, sizeof(what), fmt, ap);
	va_end(ap);
	return diag_set(c->d, -EINVAL, "vbmeta descriptor %u (%s) %s @0x%" PRIx64 "+%" PRIu64 " %s",
			desc_index(c->vb, c->pos), avb_desc_tag_name(get_be64(c->p)), name,
			c->vb->base, c->at + field, what);
}

/* The variable parts (sum of lengths) must fit after the fixed part, which
 * parse_body() checked before any field of it was read. */
static int fits(const struct dctx *c, uint64_t fixed, uint64_t var, uint64_t len_field,
		const char *len_name)
{
	if (var > c->size - fixed)
		return dbad(c, len_field, len_name,
			    "and the lengths after it need %" PRIu64
			    " bytes, the descriptor has %" PRIu64,
			    var, c->size - fixed);
	return 0;
}

static void copy_alg(char out[AVB_HASH_ALG_SIZE + 1], const uint8_t *p)
{
	memcpy(out, p, AVB_HASH_ALG_SIZE);
	out[AVB_HASH_ALG_SIZE] = 0;
}

static int parse_hash(const struct dctx *c, struct avb_hash_desc *h)
{
	const uint8_t *p = c->p;
	int r;

	h->image_size = get_be64(p + AHOFF_IMAGE_SIZE);
	copy_alg(h->hash_algorithm, p + AHOFF_HASH_ALG);
	h->name_len = get_be32(p + AHOFF_NAME_LEN);
	h->salt_len = get_be32(p + AHOFF_SALT_LEN);
	h->digest_len = get_be32(p + AHOFF_DIGEST_LEN);
	h->flags = get_be32(p + AHOFF_FLAGS);
	r = fits(c, AVB_HASH_DESC_SIZE, (uint64_t)h->name_len + h->salt_len + h->digest_len,
		 AHOFF_NAME_LEN, "partition_name_len");
	if (r)
		return r;
	h->name = p + AVB_HASH_DESC_SIZE;
	h->salt = h->name + h->name_len;
	h->digest = h->salt + h->salt_len;
	return 0;
}

static int parse_hashtree(const struct dctx *c, struct avb_hashtree_desc *t)
{
	const uint8_t *p = c->p;
	int r;

	t->dm_verity_version = get_be32(p + ATOFF_DM_VERITY_VERSION);
	t->image_size = get_be64(p + ATOFF_IMAGE_SIZE);
	t->tree_offset = get_be64(p + ATOFF_TREE_OFFSET);
	t->tree_size = get_be64(p + ATOFF_TREE_SIZE);
	t->data_block_size = get_be32(p + ATOFF_DATA_BLOCK_SIZE);
	t->hash_block_size = get_be32(p + ATOFF_HASH_BLOCK_SIZE);
	t->fec_num_roots = get_be32(p + ATOFF_FEC_NUM_ROOTS);
	t->fec_offset = get_be64(p + ATOFF_FEC_OFFSET);
	t->fec_size = get_be64(p + ATOFF_FEC_SIZE);
	copy_alg(t->hash_algorithm, p + ATOFF_HASH_ALG);
	t->name_len = get_be32(p + ATOFF_NAME_LEN);
	t->salt_len = get_be32(p + ATOFF_SALT_LEN);
	t->root_digest_len = get_be32(p + ATOFF_ROOT_DIGEST_LEN);
	t->flags = get_be32(p + ATOFF_FLAGS);
	r = fits(c, AVB_HASHTREE_DESC_SIZE,
		 (uint64_t)t->name_len + t->salt_len + t->root_digest_len, ATOFF_NAME_LEN,
		 "partition_name_len");
	if (r)
		return r;
	t->name = p + AVB_HASHTREE_DESC_SIZE;
	t->salt = t->name + t->name_len;
	t->root_digest = t->salt + t->salt_len;
	return 0;
}

static int parse_property(const struct dctx *c, struct avb_property_desc *pr)
{
	const uint8_t *p = c->p;
	uint64_t need;
	int r;

	pr->key_len = get_be64(p + APOFF_KEY_LEN);
	pr->value_len = get_be64(p + APOFF_VALUE_LEN);
	/* key NUL value NUL; u64 lengths: add with overflow checks */
	if (__builtin_add_overflow(pr->key_len, pr->value_len, &need) ||
	    __builtin_add_overflow(need, 2, &need))
		need = UINT64_MAX;
	r = fits(c, AVB_PROPERTY_DESC_SIZE, need, APOFF_KEY_LEN, "key_num_bytes");
	if (r)
		return r;
	pr->key = (const char *)p + AVB_PROPERTY_DESC_SIZE;
	pr->value = pr->key + pr->key_len + 1;
	if (pr->key[pr->key_len])
		return dbad(c, AVB_PROPERTY_DESC_SIZE + pr->key_len, "key", "has no NUL after it");
	if (pr->value[pr->value_len])
		return dbad(c, AVB_PROPERTY_DESC_SIZE + pr->key_len + 1 + pr->value_len, "value",
			    "has no NUL after it");
	return 0;
}

static int parse_cmdline(const struct dctx *c, struct avb_cmdline_desc *k)
{
	int r;

	k->flags = get_be32(c->p + ACOFF_FLAGS);
	k->len = get_be32(c->p + ACOFF_LEN);
	r = fits(c, AVB_CMDLINE_DESC_SIZE, k->len, ACOFF_LEN, "kernel_cmdline_length");
	k->cmdline = c->p + AVB_CMDLINE_DESC_SIZE;
	return r;
}

static int parse_chain(const struct dctx *c, struct avb_chain_desc *ch)
{
	const uint8_t *p = c->p;
	int r;

	ch->rollback_index_location = get_be32(p + ACHOFF_ROLLBACK_LOCATION);
	ch->name_len = get_be32(p + ACHOFF_NAME_LEN);
	ch->key_len = get_be32(p + ACHOFF_KEY_LEN);
	ch->flags = get_be32(p + ACHOFF_FLAGS);
	r = fits(c, AVB_CHAIN_DESC_SIZE, (uint64_t)ch->name_len + ch->key_len, ACHOFF_NAME_LEN,
		 "partition_name_len");
	ch->name = p + AVB_CHAIN_DESC_SIZE;
	ch->public_key = ch->name + ch->name_len;
	return r;
}

static int parse_body(const struct dctx *c, struct avb_desc *out)
{
	static const uint64_t fixed[] = {
	    [AVB_DESC_PROPERTY] = AVB_PROPERTY_DESC_SIZE,
	    [AVB_DESC_HASHTREE] = AVB_HASHTREE_DESC_SIZE,
	    [AVB_DESC_HASH] = AVB_HASH_DESC_SIZE,
	    [AVB_DESC_KERNEL_CMDLINE] = AVB_CMDLINE_DESC_SIZE,
	    [AVB_DESC_CHAIN_PARTITION] = AVB_CHAIN_DESC_SIZE,
	};

	if (out->tag >= sizeof(fixed) / sizeof(fixed[0]))
		return 0; /* unknown tags are skipped, as libavb does */
	if (c->size < fixed[out->tag])
		return dbad(c, ADOFF_NBF, "num_bytes_following",
			    "is %" PRIu64 ": a %s descriptor needs at least %" PRIu64 " bytes",
			    c->size - AVB_DESC_HEADER_SIZE, avb_desc_tag_name(out->tag),
			    fixed[out->tag] - AVB_DESC_HEADER_SIZE);
	switch (out->tag) {
	case AVB_DESC_HASH: return parse_hash(c, &out->u.hash);
	case AVB_DESC_HASHTREE: return parse_hashtree(c, &out->u.hashtree);
	case AVB_DESC_PROPERTY: return parse_property(c, &out->u.prop);
	case AVB_DESC_KERNEL_CMDLINE: return parse_cmdline(c, &out->u.cmdline);
	default: return parse_chain(c, &out->u.chain);
	}
}

int avb_desc_next(const struct avb_vbmeta *vb, uint64_t *pos, struct avb_desc *out, struct diag *d)
{
	uint64_t left = vb->h.descriptors_size - *pos, nbf;
	struct dctx c = {vb, d, 0, 0, 0, NULL};
	int r;

	if (*pos >= vb->h.descriptors_size)
		return 0;
	c.at = AVB_VBMETA_HEADER_SIZE + vb->h.auth_size + vb->h.descriptors_offset + *pos;
	c.p = vb->descriptors + *pos;
	c.pos = *pos;
	if (left < AVB_DESC_HEADER_SIZE)
		return diag_set(
		    d, -EINVAL,
		    "vbmeta descriptor %u @0x%" PRIx64 "+%" PRIu64 ": %" PRIu64
		    " bytes left in descriptors_size, less than a %d-byte descriptor header",
		    desc_index(vb, *pos), vb->base, c.at, left, AVB_DESC_HEADER_SIZE);
	memset(out, 0, sizeof(*out));
	out->tag = get_be64(c.p + ADOFF_TAG);
	nbf = get_be64(c.p + ADOFF_NBF);
	if (nbf % 8)
		return dbad(&c, ADOFF_NBF, "num_bytes_following",
			    "is %" PRIu64 ", not a multiple of 8", nbf);
	if (nbf > left - AVB_DESC_HEADER_SIZE)
		return dbad(&c, ADOFF_NBF, "num_bytes_following",
			    "is %" PRIu64 ": runs past descriptors_size (%" PRIu64 " bytes left)",
			    nbf, left - AVB_DESC_HEADER_SIZE);
	c.size = out->size = AVB_DESC_HEADER_SIZE + nbf;
	out->offset = c.at;
	if ((r = parse_body(&c, out)))
		return r;
	*pos += out->size;
	return 1;
}

static bool name_is(const struct avb_hash_desc *h, const char *name)
{
	return name && strlen(name) == h->name_len && !memcmp(h->name, name, h->name_len);
}

int avb_find_hash_desc(const struct avb_vbmeta *vb, const char *partition, struct avb_desc *out,
		       struct diag *d)
{
	struct avb_desc desc, only;
	uint64_t pos = 0;
	unsigned nhash = 0;
	int r;

	while ((r = avb_desc_next(vb, &pos, &desc, d)) > 0) {
		if (desc.tag != AVB_DESC_HASH)
			continue;
		if (name_is(&desc.u.hash, partition)) {
			*out = desc;
			return 0;
		}
		only = desc;
		nhash++;
	}
	if (r < 0)
		return r;
	if (nhash == 1) {
		*out = only;
		return 0;
	}
	if (!nhash)
		return diag_set(d, -ENOENT, "vbmeta has no hash descriptor");
	return diag_set(d, -ENOENT, "vbmeta has %u hash descriptors and none for partition \"%s\"",
			nhash, partition ? partition : "(none given)");
}

/* ---- loading from a file ------------------------------------------------------------ */

static int read_blob(int fd, uint64_t off, uint64_t len, struct avb_image *ai, struct diag *d)
{
	int r;

	ai->blob = malloc(len ? (size_t)len : 1);
	if (!ai->blob)
		return diag_set(d, -ENOMEM, "out of memory");
	r = read_at(fd, ai->blob, (size_t)len, off);
	if (r)
		return diag_set(d, r, "reading vbmeta at 0x%" PRIx64 ": %s", off, strerror(-r));
	return 0;
}

/* The footer, if any: 0 found, -ENOENT none, else broken. */
int avb_footer_load(int fd, uint64_t file_size, struct avb_image *ai, struct diag *d)
{
	uint8_t f[AVB_FOOTER_SIZE];
	int r;

	if (file_size < AVB_FOOTER_SIZE)
		return diag_set(d, -ENOENT, "no AVB footer (file is %" PRIu64 " bytes)", file_size);
	r = read_at(fd, f, sizeof(f), file_size - AVB_FOOTER_SIZE);
	if (r)
		return diag_set(d, r, "reading the AVB footer: %s", strerror(-r));
	r = avb_footer_parse(f, sizeof(f), file_size, &ai->footer, d);
	ai->has_footer = !r;
	return r;
}

/* The vbmeta the footer names, or a bare vbmeta image at 0 (read up to the
 * 64 KiB libavb reads). -ENOENT when there is no footer and no AVB0. */
int avb_vbmeta_load(int fd, uint64_t file_size, struct avb_image *ai, struct diag *d)
{
	uint64_t off = 0, len;
	uint8_t magic[AVB_MAGIC_SIZE];
	int r;

	if (ai->has_footer) {
		off = ai->footer.vbmeta_offset;
		len = ai->footer.vbmeta_size;
	} else {
		if (file_size < AVB_MAGIC_SIZE || read_at(fd, magic, sizeof(magic), 0) ||
		    memcmp(magic, AVB_VBMETA_MAGIC, AVB_MAGIC_SIZE))
			return diag_set(d, -ENOENT, "no AVB data (no footer, no vbmeta image)");
		len = file_size < AVB_VBMETA_MAX_SIZE ? file_size : AVB_VBMETA_MAX_SIZE;
	}
	r = read_blob(fd, off, len, ai, d);
	return r ? r : avb_vbmeta_parse(ai->blob, (size_t)len, off, &ai->vb, d);
}

int avb_image_load(int fd, uint64_t file_size, struct avb_image *ai, struct diag *d)
{
	int r;

	memset(ai, 0, sizeof(*ai));
	r = avb_footer_load(fd, file_size, ai, d);
	if (r && r != -ENOENT)
		return r;
	return avb_vbmeta_load(fd, file_size, ai, d);
}

void avb_image_free(struct avb_image *ai)
{
	free(ai->blob);
	ai->blob = NULL;
}

/* ---- verification report (the checks are in avb_crypto.c) --------------------------- */

uint64_t avb_max_image_size(uint64_t partition_size, size_t vbmeta_len)
{
	uint64_t p = partition_size & ~(uint64_t)(AVB_IMAGE_BLOCK - 1), v;

	if (!align_up(vbmeta_len, AVB_IMAGE_BLOCK, &v) || p < v + AVB_IMAGE_BLOCK)
		return 0;
	return p - v - AVB_IMAGE_BLOCK;
}

static void add_span(struct avb_footer_plan *p, const uint8_t *mem, uint64_t len)
{
	if (len)
		p->span[p->nspan++] = (struct avb_span){mem, len};
}

int avb_footer_plan(uint64_t image_size, const uint8_t *vbmeta, size_t vbmeta_len,
		    uint64_t partition_size, struct avb_footer_plan *p, struct diag *d)
{
	uint64_t voff, vend, need;

	memset(p, 0, sizeof(*p));
	if (partition_size % AVB_IMAGE_BLOCK)
		return diag_set(d, -EINVAL, "partition size %" PRIu64 " is not a multiple of %d",
				partition_size, AVB_IMAGE_BLOCK);
	if (vbmeta_len < AVB_VBMETA_HEADER_SIZE || vbmeta_len > AVB_VBMETA_MAX_SIZE)
		return diag_set(d, -EINVAL, "vbmeta of %zu bytes (%d to %d expected)", vbmeta_len,
				AVB_VBMETA_HEADER_SIZE, AVB_VBMETA_MAX_SIZE);
	if (!align_up(image_size, AVB_IMAGE_BLOCK, &voff) ||
	    !align_up(voff + vbmeta_len, AVB_IMAGE_BLOCK, &vend) ||
	    __builtin_add_overflow(vend, AVB_IMAGE_BLOCK, &need) || need > partition_size)
		return diag_set(d, -ENOSPC,
				"%" PRIu64 " bytes of image, %zu of vbmeta and the footer "
				"block do not fit the %" PRIu64 "-byte partition (the image may be "
				"at most %" PRIu64 " bytes)",
				image_size, vbmeta_len, partition_size,
				avb_max_image_size(partition_size, vbmeta_len));
	p->footer = (struct avb_footer){AVB_FOOTER_VERSION_MAJOR, AVB_FOOTER_VERSION_MINOR,
					image_size, voff, vbmeta_len};
	avb_footer_encode(&p->footer, p->footer_bytes);
	add_span(p, NULL, voff - image_size);
	add_span(p, vbmeta, vbmeta_len);
	add_span(p, NULL, partition_size - AVB_FOOTER_SIZE - (voff + vbmeta_len));
	add_span(p, p->footer_bytes, AVB_FOOTER_SIZE);
	p->avbtool_fits =
	    partition_size >= AVB_RESERVE && image_size <= partition_size - AVB_RESERVE;
	return 0;
}
