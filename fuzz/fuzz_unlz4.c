/* libFuzzer: the bounded lz4 decoders (legacy, and frame when the first
 * byte is odd). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ramdisk/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out;
	size_t len;
	struct diag d;
	enum comp c = size && (data[0] & 1) ? COMP_LZ4_FRAME : COMP_LZ4_LEGACY;

	if (c == COMP_LZ4_FRAME)
		data++, size--;
	if (decompress_all(c, data, size, 1u << 20, &out, &len, &d) == 0)
		free(out);
	return 0;
}
