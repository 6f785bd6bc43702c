#include "mkbootimg/bootid.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/fileio.h"

int bootid_begin(struct bootid *h, bool sha256)
{
	EVP_MD_CTX *c;

	/* A hash needs no openssl.cnf: skip reading it (and its providers). */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	c = EVP_MD_CTX_new();

	h->ctx = c;
	h->sha256 = sha256;
	if (!c || !EVP_DigestInit_ex(c, sha256 ? EVP_sha256() : EVP_sha1(), NULL)) {
		bootid_free(h);
		return -ENOMEM;
	}
	return 0;
}

void bootid_update(struct bootid *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->ctx, p, n);
}

void bootid_update_size(struct bootid *h, uint32_t size)
{
	uint8_t le[4];

	put_le32(le, size);
	bootid_update(h, le, sizeof(le));
}

int bootid_end(struct bootid *h, uint8_t *id)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, md, &n);

	bootid_free(h);
	if (!ok || n > BOOT_ID_SIZE)
		return -EIO;
	memset(id, 0, BOOT_ID_SIZE);
	memcpy(id, md, n);
	return 0;
}

void bootid_free(struct bootid *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

unsigned bootid_parts(const struct bootimg *img, enum bootimg_part parts[5])
{
	unsigned n = 0;

	if (img->kind != BOOTIMG_BOOT || img->version > 2)
		return 0;
	parts[n++] = BP_KERNEL;
	parts[n++] = BP_RAMDISK;
	parts[n++] = BP_SECOND;
	if (img->version >= 1)
		parts[n++] = BP_RECOVERY_DTBO;
	if (img->version == 2)
		parts[n++] = BP_DTB;
	return n;
}

static int hash_hook(void *ctx, const uint8_t *p, size_t n)
{
	bootid_update(ctx, p, n);
	return 0;
}

int bootid_compute(int fd, const struct bootimg *img, bool sha256, uint8_t *id, struct diag *d)
{
	enum { CAP = 1 << 20 };
	enum bootimg_part parts[5];
	unsigned n = bootid_parts(img, parts);
	struct bootid h;
	uint8_t *buf = malloc(CAP);
	int r = 0;

	if (!buf || bootid_begin(&h, sha256)) {
		free(buf);
		return diag_set(d, -ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < n && !r; i++) {
		const struct bootimg_section *s = bootimg_section(img, parts[i]);

		if (s)
			r = stream_range(fd, s->offset, s->size, buf, CAP, hash_hook, &h);
		if (r)
			r = diag_set(d, r, "reading %s: %s", bootimg_part_name(parts[i]),
				     strerror(-r));
		bootid_update_size(&h, (uint32_t)(s ? s->size : 0));
	}
	free(buf);
	if (r) {
		bootid_free(&h);
		return r;
	}
	r = bootid_end(&h, id);
	return r ? diag_set(d, r, "hashing failed") : 0;
}

int sha256_range(int fd, uint64_t off, uint64_t len, uint8_t out[32])
{
	enum { CAP = 1 << 18 };
	uint8_t *buf = malloc(CAP);
	struct bootid h;
	int r;

	if (!buf || bootid_begin(&h, true)) {
		free(buf);
		return -ENOMEM;
	}
	r = stream_range(fd, off, len, buf, CAP, hash_hook, &h);
	free(buf);
	if (r) {
		bootid_free(&h);
		return r;
	}
	return bootid_end(&h, out);
}
