/* libFuzzer: the kernel command line and /proc/bootconfig (lib/kcmdline.c),
 * as the init and the probe read them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/kcmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"lcm", "root", "bootkit.dry_run", "androidboot.hardware",
					   "a"};
	const char *text = (const char *)data;
	struct cmdline_word w;
	size_t pos = 0;
	char out[64];

	while (cmdline_next(text, size, &pos, &w))
		if (pos > size || w.key + w.klen > text + size ||
		    (w.has_val && w.val + w.vlen > text + size))
			__builtin_trap();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		long n = cmdline_get(text, size, keys[i], out, sizeof(out));
		unsigned nv;
		if (n >= (long)sizeof(out))
			__builtin_trap();
		cmdline_has(text, size, keys[i]);
		n = bootconfig_get(text, size, keys[i], out, sizeof(out), &nv);
		if (n >= (long)sizeof(out))
			__builtin_trap();
	}
	return 0;
}
