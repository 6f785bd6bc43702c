/* libFuzzer: a whole ramdisk as the ramdisk tool reads it: the format from
 * the magic, then every stream that follows (concatenated, mixed, padded). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ramdisk/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *what;
	enum comp c = comp_detect(data, size, &what);
	struct decomp_info info;
	uint8_t *out;
	size_t len;
	struct diag d;

	if (c != COMP_UNKNOWN &&
	    decompress_streams(c, data, size, 1u << 20, &out, &len, &info, &d) == 0)
		free(out);
	return 0;
}
