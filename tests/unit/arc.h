/* arc.h - cpio archives built by hand, header field by field (arc.c), for
 * test_ramdisk.c and test_ramdisk_edit.c. */
#ifndef ARC_H
#define ARC_H

#include <stddef.h>
#include <stdint.h>

struct arc {
	uint8_t b[8192];
	size_t n;
};

/* Pad to 4 bytes with NULs. */
void arc_pad(struct arc *a);
/* One entry; fields as in cpio.h, namesize from the name unless ns != 0. */
void arc_add(struct arc *a, const char *name, uint32_t mode, const char *data, size_t len,
	     uint32_t ns);
/* The TRAILER!!! entry. */
void arc_trailer(struct arc *a);
/* A small good archive: a folder, a file, a link. */
void arc_good(struct arc *a);

#endif
