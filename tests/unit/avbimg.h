/* avbimg.h - AVB test images for the unit tests (avbimg.c). */
#ifndef AVBIMG_H
#define AVBIMG_H

#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"
#include "tests/unit/testimg.h"

/* avbtool add_hash_footer --salt d00df00d --prop foo:bar --prop gki:nice */
extern const uint8_t avbt_salt[4];
extern const struct avb_prop avbt_props[2];

/* An unnamed file holding b (a dup'ed fd, at 0). */
int avbt_tmp_with(const uint8_t *b, size_t n);
/* tests/data/avb/testkey_rsaBITS.pem, loaded. */
struct avb_key *avbt_key(unsigned bits);
/* A vbmeta for img like avbtool add_hash_footer --partition_name boot --salt
 * d00df00d --prop foo:bar --prop gki:nice [--key K --algorithm A]; its length. */
int avbt_make_vb(const struct blob *img, const struct avb_key *k, const char *alg, uint8_t *out);
/* image || AVB data for a partition of psize bytes, in memory. */
struct blob avbt_footed(const struct blob *img, const uint8_t *vb, int vblen, uint64_t psize);
/* SHA-256 of a || b. */
void avbt_sha256(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t out[32]);
/* avb_verify_file of fd (partition "boot"), which must not fail. */
void avbt_report(int fd, uint64_t size, struct avb_report *r);

#endif
