/* libFuzzer: the scatter file parser (both formats). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mkbootimg/scatter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scatter s;
	struct diag d;

	if (!scatter_parse((const char *)data, size, &s, &d))
		scatter_find(&s, "BOOTIMG");
	return 0;
}
