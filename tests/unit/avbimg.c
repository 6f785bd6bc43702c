/* avbimg.c - AVB test images for the unit tests (test_avb.c,
 * test_avb_rebuild.c): the test keys of tests/data/avb/, vbmeta images made
 * as avbtool add_hash_footer makes them, footed partitions. */
#include "tests/unit/avbimg.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const uint8_t avbt_salt[4] = {0xd0, 0x0d, 0xf0, 0x0d};
const struct avb_prop avbt_props[2] = {{"foo", "bar"}, {"gki", "nice"}};

int avbt_tmp_with(const uint8_t *b, size_t n)
{
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(b, 1, n, f), n);
	fflush(f);
	int fd = dup(fileno(f));
	fclose(f);
	return fd;
}

struct avb_key *avbt_key(unsigned bits)
{
	char path[64];
	struct avb_key *k;
	struct diag d;

	snprintf(path, sizeof(path), "tests/data/avb/testkey_rsa%u.pem", bits);
	cr_assert_eq(avb_key_load(path, &k, &d), 0, "%s: %s", path, d.msg);
	cr_assert_eq(avb_key_bits(k), bits);
	return k;
}

/* A vbmeta for img like avbtool add_hash_footer --partition_name boot --salt
 * d00df00d --prop foo:bar --prop gki:nice [--key K --algorithm A]. */
int avbt_make_vb(const struct blob *img, const struct avb_key *k, const char *alg, uint8_t *out)
{
	struct avb_new o = {.partition = "boot",
			    .salt = avbt_salt,
			    .salt_len = sizeof(avbt_salt),
			    .key = k,
			    .algorithm = alg,
			    .props = avbt_props,
			    .nprops = 2};
	struct diag d;
	int fd = avbt_tmp_with(img->p, img->n);
	int n = avb_make_vbmeta(&o, fd, img->n, out, AVB_VBMETA_MAX_SIZE, &d);

	cr_assert_gt(n, 0, "%s", d.msg);
	close(fd);
	return n;
}

/* image || AVB data for a partition of psize bytes, in memory. */
struct blob avbt_footed(const struct blob *img, const uint8_t *vb, int vblen, uint64_t psize)
{
	struct avb_footer_plan p;
	struct blob b = {calloc(1, psize), psize};
	struct diag d;
	size_t at = img->n;

	cr_assert_eq(avb_footer_plan(img->n, vb, (size_t)vblen, psize, &p, &d), 0, "%s", d.msg);
	memcpy(b.p, img->p, img->n);
	for (unsigned i = 0; i < p.nspan; i++) {
		if (p.span[i].mem)
			memcpy(b.p + at, p.span[i].mem, p.span[i].len);
		at += p.span[i].len;
	}
	cr_assert_eq(at, psize);
	return b;
}

void avbt_sha256(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, a, an);
	EVP_DigestUpdate(c, b, bn);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

void avbt_report(int fd, uint64_t size, struct avb_report *r)
{
	struct diag d;

	cr_assert_eq(avb_verify_file(fd, size, "boot", r, &d), 0, "%s", d.msg);
}
