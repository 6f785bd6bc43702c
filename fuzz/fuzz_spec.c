/* libFuzzer: spec and edit lines (the tokenizer, quotes and escapes,
 * attributes, exact/trailer/compression statements, the text edits) over a
 * small archive, then a write and the spec writer over what it became. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ramdisk/compress.h"
#include "ramdisk/ramdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* etc/, init.rc, default.prop, etc/fstab: what the text edits work on. */
static void load_base(struct ramdisk *rd)
{
	static const char *const files[][2] = {
	    {"init.rc", "on init\n    start adbd\n# b\nx\n# e\nservice adbd /sbin/adbd\n"},
	    {"default.prop", "ro.secure=1\n ro.debuggable = 0\n# c\n"},
	    {"etc/fstab", "/dev/a /system ext4 ro wait\n/dev/b /data ext4 noatime wait,check\n"},
	};
	struct diag d;

	rd_init(rd, 0);
	rd_add_dirs(rd, "etc", 0755, &d);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		rd_add_file(rd, files[i][0], 0644, NULL, files[i][1], strlen(files[i][1]), &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ramdisk rd;
	struct diag d;
	struct mem_sink ms;
	const char *text = (const char *)data;

	/* as edit lines on a ramdisk with text files */
	load_base(&rd);
	rd_apply_spec(&rd, text, size, "f", "/nonexistent", true, &d);
	for (size_t i = 0; i < rd.n; i++)
		if (rd_find(&rd, rd.v[i].name) != (long)i)
			abort();
	mem_sink_init(&ms);
	rd_write(&rd, &ms.s, &d);
	rd_free(&rd);
	/* as a spec (exact or not), read back after writing */
	rd_init(&rd, 0);
	if (rd_apply_spec(&rd, text, size, "f", "/nonexistent", false, &d) == 0) {
		struct ramdisk back;
		if (!rd.exact)
			rd_sort(&rd);
		free(ms.buf);
		mem_sink_init(&ms);
		if (rd_write(&rd, &ms.s, &d) == 0) {
			rd_init(&back, 0);
			if (rd_load_archive(&back, ms.buf, ms.len, &d) == 0) {
				struct mem_sink spec;
				mem_sink_init(&spec);
				rd_spec_write(&back, "x", "gzip", "f", &spec.s, &d);
				free(spec.buf);
			}
			ms.buf = NULL; /* owned by back now */
			rd_free(&back);
		}
	}
	free(ms.buf);
	rd_free(&rd);
	return 0;
}
