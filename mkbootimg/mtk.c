#include "mkbootimg/mtk.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lib/bytes.h"

bool mtk_hdr_present(const uint8_t *buf, size_t len)
{
	return len >= MTK_HDR_SIZE && get_le32(buf + MTKOFF_MAGIC) == MTK_MAGIC;
}

int mtk_hdr_parse(const uint8_t *buf, size_t len, uint64_t section_size, struct mtk_hdr *h,
		  struct diag *d)
{
	memset(h, 0, sizeof(*h));
	if (!mtk_hdr_present(buf, len) || section_size < MTK_HDR_SIZE)
		return diag_set(d, -EINVAL, "no MediaTek header (magic 0x%08x)", MTK_MAGIC);
	h->dsize = get_le32(buf + MTKOFF_DSIZE);
	if (!memchr(buf + MTKOFF_NAME, 0, MTK_NAME_SIZE))
		return diag_set(d, -EINVAL, "MediaTek header name @+0x8 has no NUL");
	memcpy(h->name, buf + MTKOFF_NAME, MTK_NAME_SIZE);
	h->maddr = get_le32(buf + MTKOFF_MADDR);
	if (h->dsize > section_size - MTK_HDR_SIZE)
		return diag_set(d, -EINVAL,
				"MediaTek header dsize @+0x4 is %" PRIu32 ", more than the %" PRIu64
				" bytes after it",
				h->dsize, section_size - MTK_HDR_SIZE);
	if (get_le32(buf + MTKOFF_EXT_MAGIC) == MTK_EXT_MAGIC) {
		h->ext = true;
		h->ext_hdr_size = get_le32(buf + MTKOFF_HDR_SIZE);
		h->ext_hdr_version = get_le32(buf + MTKOFF_HDR_VERSION);
		h->ext_img_type = get_le32(buf + MTKOFF_IMG_TYPE);
		h->ext_align_size = get_le32(buf + MTKOFF_ALIGN_SIZE);
	}
	return 0;
}

int mtk_hdr_build(uint8_t *out, const char *name, uint64_t dsize, struct diag *d)
{
	size_t n = strlen(name);

	if (n >= MTK_NAME_SIZE)
		return diag_set(d, -EINVAL, "MediaTek header name \"%s\" is longer than %d bytes",
				name, MTK_NAME_SIZE - 1);
	memset(out, 0xff, MTK_HDR_SIZE);
	put_le32(out + MTKOFF_MAGIC, MTK_MAGIC);
	memset(out + MTKOFF_NAME, 0, MTK_NAME_SIZE);
	memcpy(out + MTKOFF_NAME, name, n);
	put_le32(out + MTKOFF_MADDR, 0xffffffffu);
	return mtk_hdr_set_dsize(out, dsize, d);
}

int mtk_hdr_set_dsize(uint8_t *hdr, uint64_t dsize, struct diag *d)
{
	if (dsize > UINT32_MAX - MTK_HDR_SIZE)
		return diag_set(d, -EOVERFLOW, "payload of %" PRIu64 " bytes is too big for dsize",
				dsize);
	put_le32(hdr + MTKOFF_DSIZE, (uint32_t)dsize);
	return 0;
}
