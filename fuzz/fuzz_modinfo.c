/* libFuzzer: a module's .modinfo section from an ELF file (both classes,
 * both byte orders) and its key=value records; the same records as
 * modules.builtin.modinfo (lib/moddep.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/moddep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void records(const char *area, size_t len, bool builtin)
{
	struct modinfo_rec r;
	size_t pos = 0, vl;
	const char *v, *rel;

	while (modinfo_next(area, len, &pos, builtin, &r))
		if (r.val + r.vlen > area + len || r.key + r.klen > area + len)
			__builtin_trap();
	pos = 0;
	if (modinfo_get(area, len, &pos, builtin, builtin ? "goodix_ts" : NULL, "vermagic", &v,
			&vl))
		modinfo_vermagic_release(v, vl, &rel, &vl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[4096];
	const char *why;
	long n = modinfo_from_buf(data, size, out, sizeof(out), &why);

	if (n >= 0) {
		if ((size_t)n >= sizeof(out) || out[n] != 0)
			__builtin_trap();
		records(out, (size_t)n, false);
	}
	records((const char *)data, size, true);
	return 0;
}
