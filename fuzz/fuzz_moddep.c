/* libFuzzer: modules.dep (lines, the index, the walk from every module) and
 * modules.builtin (lib/moddep.c). */
#include <stddef.h>
#include <stdint.h>

#include "lib/moddep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *ctx, const struct moddep_graph *g, unsigned node)
{
	size_t pl;
	const char *p = moddep_graph_path(g, node, &pl);
	char nm[MODULE_NAME_MAX];

	/* fail now and then, so remembered failures are walked too */
	++*(unsigned *)ctx;
	return moddep_name(p, pl, nm) > 0 && nm[0] == 'f' ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct moddep_graph g;
	struct moddep_line l;
	unsigned visits = 0;
	char cyc[128];

	if (moddep_graph_init(&g, text, size) < 0)
		return 0;
	for (unsigned i = 0; i < g.n; i++) {
		int rc = moddep_walk(&g, i, visit, &visits);
		if (rc == -40 /* ELOOP */)
			moddep_graph_cycle(&g, cyc, sizeof(cyc));
	}
	if (visits > g.n) /* each module at most once per pass */
		__builtin_trap();
	moddep_graph_free(&g);
	moddep_find(text, size, "drm", &l);
	moddep_builtin(text, size, "goodix_ts");
	return 0;
}
