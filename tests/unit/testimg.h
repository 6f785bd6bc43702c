/* testimg.h - build the AOSP test vectors in memory through the library (no CLI),
 * so the parsers can be tested on real images and on broken copies of them. */
#ifndef TESTIMG_H
#define TESTIMG_H

#include <stddef.h>
#include <stdint.h>

#include "ramdisk/compress.h"

struct blob {
	uint8_t *p;
	size_t n;
};

/* "yes WORD | head -c n" */
struct blob yes_blob(const char *word, size_t n);

/* The vector named name ("v0.img", "v2.img", "v3.img", "v4.img",
 * "vendor_boot_v4.img"), built with the same inputs and arguments as
 * tests/data/aosp-public.tsv. */
struct blob build_vector(const char *name);

/* sha256 of a blob as 64 lowercase hex characters. */
void blob_sha256(const struct blob *b, char out[65]);

/* The expected sha256 for name from tests/data/aosp-public.tsv. */
int vector_sha256(const char *name, char out[65]);

/* A file holding b; returns its path (static buffer). */
const char *blob_to_file(const struct blob *b, const char *name);

/* in compressed with c at its default level (an lz4 frame through liblz4,
 * the rest through the library's writers); asserts it worked. */
struct blob test_zip(enum comp c, const uint8_t *in, size_t n);

#endif
