/* bootid.h - the id field of boot v0-v2 headers.
 *
 * id = SHA-1(kernel || le32(kernel_size) || ramdisk || le32(ramdisk_size) ||
 *            second || le32(second_size) [|| recovery_dtbo || le32(size)] (v1+)
 *            [|| dtb || le32(dtb_size)] (v2))
 * An absent section still contributes le32(0). Stored as the 20-byte digest
 * and 12 zero bytes; a SHA-256 variant (some Samsung images) hashes the same
 * input and stores all 32 bytes. Hashing is OpenSSL's libcrypto.
 */
#ifndef BOOTKIT_BOOTID_H
#define BOOTKIT_BOOTID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/bootimg.h"

struct bootid {
	void *ctx; /* EVP_MD_CTX */
	bool sha256;
};

int bootid_begin(struct bootid *h, bool sha256);
void bootid_update(struct bootid *h, const void *p, size_t n);
void bootid_update_size(struct bootid *h, uint32_t size);
/* Finish into id[BOOT_ID_SIZE] (SHA-1: 20 bytes + 12 zero) and free. */
int bootid_end(struct bootid *h, uint8_t *id);
void bootid_free(struct bootid *h);

/* The parts hashed for this header version, in order; returns how many. */
unsigned bootid_parts(const struct bootimg *img, enum bootimg_part parts[5]);

/* SHA-256 of len bytes of fd at off (streamed, bounded memory). 0 or -errno
 * (-ENODATA when the file is shorter). */
int sha256_range(int fd, uint64_t off, uint64_t len, uint8_t out[32]);

/* Compute the id of the image in fd (header already parsed into img). */
int bootid_compute(int fd, const struct bootimg *img, bool sha256, uint8_t *id, struct diag *d);

#endif
