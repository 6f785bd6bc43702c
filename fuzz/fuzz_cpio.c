/* libFuzzer: the newc reader and the ramdisk loader (names, duplicates, the
 * name index), then edits that rename and remove entries, and a write. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ramdisk/compress.h"
#include "ramdisk/ramdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every entry is found by its name, at its place. */
static void check_index(const struct ramdisk *rd)
{
	for (size_t i = 0; i < rd->n; i++)
		if (rd_find(rd, rd->v[i].name) != (long)i)
			abort();
}

static void edit(struct ramdisk *rd, const char *line)
{
	struct diag d;

	rd_apply_spec(rd, line, strlen(line), "f", ".", true, &d);
	check_index(rd);
}

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
		struct mem_sink ms;
		check_index(&rd);
		edit(&rd, "insert init.rc top import /x.rc");
		edit(&rd, "mv etc etc2");
		edit(&rd, "rm init");
		edit(&rd, "rmtree etc2");
		edit(&rd, "dir new 0755 0 0");
		mem_sink_init(&ms);
		rd_write(&rd, &ms.s, &d);
		free(ms.buf);
	}
	rd_free(&rd);
	return 0;
}
