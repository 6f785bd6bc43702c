/* libFuzzer: the AVB footer and vbmeta parsers, the descriptor walk and the
 * vbmeta checks (hash, embedded key blob, signature) on arbitrary bytes. The
 * input is a whole partition: the footer is its last 64 bytes; without one it
 * is read as a bare vbmeta image. */
#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/avb.h"
#include "mkbootimg/avb_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a successful parse promises: every descriptor and every part of it
 * lies inside the vbmeta image. */
static void walk(const struct avb_vbmeta *vb)
{
	const uint8_t *end = vb->blob + vb->len;
	struct avb_desc dsc;
	struct diag d;
	uint64_t pos = 0;
	unsigned n = 0;
	int r;

	while ((r = avb_desc_next(vb, &pos, &dsc, &d)) > 0) {
		if (dsc.offset > vb->len || dsc.size > vb->len - dsc.offset)
			__builtin_trap();
		if (dsc.tag == AVB_DESC_HASH && dsc.u.hash.digest + dsc.u.hash.digest_len > end)
			__builtin_trap();
		if (dsc.tag == AVB_DESC_PROPERTY &&
		    (const uint8_t *)dsc.u.prop.value + dsc.u.prop.value_len >= end)
			__builtin_trap();
		n++;
	}
	if (r < 0 || n != vb->ndesc)
		__builtin_trap(); /* the parser walked the same descriptors */
	avb_find_hash_desc(vb, "boot", &dsc, &d);
}

static void vbmeta(const uint8_t *p, size_t len, uint64_t base)
{
	struct avb_vbmeta vb;
	struct avb_report r;
	struct diag d;

	if (avb_vbmeta_parse(p, len, base, &vb, &d))
		return;
	if (vb.len > len)
		__builtin_trap();
	walk(&vb);
	avb_verify_vbmeta(&vb, &r, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct avb_footer f;
	struct diag d;

	if (size >= AVB_FOOTER_SIZE &&
	    !avb_footer_parse(data + size - AVB_FOOTER_SIZE, AVB_FOOTER_SIZE, size, &f, &d)) {
		/* the footer parser promised vbmeta lies before the footer */
		if (f.vbmeta_offset > size - AVB_FOOTER_SIZE ||
		    f.vbmeta_size > size - AVB_FOOTER_SIZE - f.vbmeta_offset)
			__builtin_trap();
		vbmeta(data + f.vbmeta_offset, (size_t)f.vbmeta_size, f.vbmeta_offset);
		return 0;
	}
	vbmeta(data, size, 0);
	return 0;
}
