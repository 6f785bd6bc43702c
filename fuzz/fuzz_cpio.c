/* libFuzzer: the newc reader and the ramdisk loader (names, duplicates). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ramdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ramdisk rd;
	struct diag d;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rd_init(&rd, 0);
	if (rd_load_archive(&rd, copy, size, &d) == 0) {
		/* an edit and a write over whatever loaded */
		rd_apply_spec(&rd, "insert init.rc top import /x.rc", 31, "f", ".", true, &d);
	}
	rd_free(&rd);
	return 0;
}
