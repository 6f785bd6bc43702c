/* libFuzzer: the unpack manifest parser on arbitrary text; whatever it
 * accepts has only plain file names and formats back to text that parses to
 * the same model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "mkbootimg/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void names_ok(const char *n)
{
	if (*n && (!name_is_component(n) || n[0] == '.'))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = malloc(sizeof(*m)), *m2 = malloc(sizeof(*m2));
	struct diag d;
	char *text;
	size_t len;

	if (!m || !m2)
		return 0;
	if (manifest_parse((const char *)data, size, m, &d) == 0) {
		names_ok(m->header.name);
		names_ok(m->table);
		names_ok(m->trailer);
		for (int i = 0; i < BP_COUNT; i++) {
			names_ok(m->part[i].data.name);
			names_ok(m->part[i].mtk);
			names_ok(m->part[i].pad);
			names_ok(m->part[i].slack);
		}
		for (unsigned i = 0; i < m->nfrag; i++)
			names_ok(m->frag[i].name);
		if (manifest_format(m, &text, &len) == 0) {
			if (manifest_parse(text, len, m2, &d))
				__builtin_trap();
			free(text);
		}
	}
	free(m);
	free(m2);
	return 0;
}
