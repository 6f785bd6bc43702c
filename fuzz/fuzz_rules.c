/* libFuzzer: the modules.list parser. */
#include <stddef.h>
#include <stdint.h>

#include "probe/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules r;
	unsigned order[CLASSES_MAX];

	if (rules_parse(&r, (const char *)data, size, NULL, NULL) >= 0)
		rules_class_order(&r, order);
	rules_free(&r);
	return 0;
}
