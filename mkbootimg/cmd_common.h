/* cmd_common.h - CLI-side helpers the three boot image tools share (they
 * die on error; the library never does): the input files a writing command
 * has open, so that sections can stream from them and no output ever lands
 * on one of them, and loading an image or dying with its diagnostic. */
#ifndef BOOTKIT_CMD_COMMON_H
#define BOOTKIT_CMD_COMMON_H

#include <stdint.h>

#include "imgwrite.h"

#define INPUTS_MAX (VENDOR_RAMDISK_MAX_ENTRIES + 16)

struct inputs {
	int fd[INPUTS_MAX];
	unsigned n;
};

/* Open path (dies with "path: reason" on failure); returns the fd. */
int inputs_open(struct inputs *in, const char *path, uint64_t *size);

/* Append the whole file at path to a section. Returns its size. */
uint64_t inputs_add_file(struct inputs *in, struct section_src *s, const char *path);

void inputs_close(struct inputs *in);

/* Write plan to path atomically (never over an input); dies on failure. */
void write_image_file(struct image_plan *plan, const char *path, const struct inputs *in);

struct image;
/* Open and fully check path; on bad input print "prog: path: ..." and exit 1. */
void image_load(struct image *im, const char *path);
/* The same with IMAGE_* flags (image.h). */
void image_load_flags(struct image *im, const char *path, unsigned flags);

#endif
