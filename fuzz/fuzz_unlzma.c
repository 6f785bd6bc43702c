/* libFuzzer: the bounded lzma (lzma_alone) decoder, and whatever streams follow. */
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

	if (decompress_all(COMP_LZMA, data, size, 1u << 20, &out, &len, &d) == 0)
		free(out);
	return 0;
}
