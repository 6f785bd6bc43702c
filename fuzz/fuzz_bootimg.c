/* libFuzzer: the boot image header parser, the vendor ramdisk table and the
 * MediaTek header parser on arbitrary bytes. The input is the whole file. */
#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/bootimg.h"
#include "mkbootimg/mtk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bootimg g;
	struct diag d;
	struct vendor_ramdisk_entry e[VENDOR_RAMDISK_MAX_ENTRIES];
	struct mtk_hdr m;

	if (bootimg_parse(data, size < BOOTIMG_PROBE_LEN ? size : BOOTIMG_PROBE_LEN, size, &g, &d))
		return 0;
	for (unsigned i = 0; i < g.nsect; i++) {
		const struct bootimg_section *s = &g.sect[i];

		/* the parser promised every section is inside the file */
		if (s->offset + s->padded > size)
			__builtin_trap();
		if (s->part == BP_TABLE)
			vendor_table_parse(&g, data + s->offset, s->size, e,
					   VENDOR_RAMDISK_MAX_ENTRIES, &d);
		if (s->size >= MTK_HDR_SIZE)
			mtk_hdr_parse(data + s->offset, s->size, s->size, &m, &d);
	}
	return 0;
}
