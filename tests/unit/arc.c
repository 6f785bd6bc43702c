/* arc.c - cpio archives built by hand, header field by field, for the
 * unit tests (arc.h). */
#include "tests/unit/arc.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ramdisk/cpio.h"

void arc_pad(struct arc *a)
{
	while (a->n & 3)
		a->b[a->n++] = 0;
}

/* One entry; fields as in cpio.h, namesize from the name unless ns != 0. */
void arc_add(struct arc *a, const char *name, uint32_t mode, const char *data, size_t len,
	     uint32_t ns)
{
	uint32_t f[CPIO_FIELDS] = {0};

	f[CF_INO] = (uint32_t)a->n + 1;
	f[CF_MODE] = mode;
	f[CF_NLINK] = 1;
	f[CF_FILESIZE] = (uint32_t)len;
	f[CF_NAMESIZE] = ns ? ns : (uint32_t)strlen(name) + 1;
	memcpy(a->b + a->n, "070701", 6);
	for (unsigned i = 0; i < CPIO_FIELDS; i++) {
		char h[9];
		snprintf(h, sizeof(h), "%08X", f[i]);
		memcpy(a->b + a->n + 6 + i * 8, h, 8);
	}
	a->n += CPIO_HDR_SIZE;
	memcpy(a->b + a->n, name, strlen(name) + 1);
	a->n += strlen(name) + 1;
	arc_pad(a);
	memcpy(a->b + a->n, data, len);
	a->n += len;
	arc_pad(a);
}

void arc_trailer(struct arc *a)
{
	arc_add(a, CPIO_TRAILER, 0, "", 0, 0);
}

/* A small good archive: a folder, a file, a link. */
void arc_good(struct arc *a)
{
	memset(a, 0, sizeof(*a));
	arc_add(a, "etc", S_IFDIR | 0755, "", 0, 0);
	arc_add(a, "etc/hosts", S_IFREG | 0644, "127.0.0.1 localhost\n", 20, 0);
	arc_add(a, "bin", S_IFLNK | 0777, "/system/bin", 11, 0);
	arc_trailer(a);
}
