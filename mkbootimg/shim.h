/* shim.h - bootkit's entry shim in front of a zImage (mkbootimg/shim/lk-memstart.S).
 *
 * MT6572 LK reports memory from 0x80100000, where a generic ARM kernel
 * (CONFIG_AUTO_ZRELADDR) cannot start; the shim, run first, rounds every
 * ATAG_MEM bank's start up to its alignment and jumps to the zImage after
 * it. `make` and `make inject` add it where a profile's loader needs it
 * (mkbootimg/bootimg repack --lk-shim); `bootimg info` names it; the kernel
 * readers look past it.
 *
 *   0x00  an ARM branch over the header (cond AL, opcode 0xa: 0xea......)
 *   0x04  "BKSHIM01"
 *   0x0c  length: the zImage starts here (a multiple of 4, at most 4 KiB)
 *   0x10  alignment: a power of two, at least 4 KiB
 */
#ifndef BOOTKIT_SHIM_H
#define BOOTKIT_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/bytes.h"

#define SHIM_MAGIC     "BKSHIM01"
#define SHIM_OFF_MAGIC 4u
#define SHIM_OFF_LEN   12u
#define SHIM_OFF_ALIGN 16u
#define SHIM_HDR_SIZE  20u
#define SHIM_LEN_MAX   4096u
#define SHIM_ALIGN_MIN 4096u
_Static_assert(SHIM_OFF_MAGIC + sizeof(SHIM_MAGIC) - 1 == SHIM_OFF_LEN, "magic before length");

struct lk_shim {
	uint32_t len;	/* bytes before the zImage */
	uint32_t align; /* what ATAG_MEM starts are rounded up to */
};

/* Does buf (len bytes, the start of a kernel payload) start with the shim?
 * Fills s when it does; the caller checks s->len against the payload. */
static inline bool shim_detect(const uint8_t *buf, size_t len, struct lk_shim *s)
{
	uint32_t l, a;

	if (len < SHIM_HDR_SIZE || (get_le32(buf) >> 24) != 0xea ||
	    memcmp(buf + SHIM_OFF_MAGIC, SHIM_MAGIC, sizeof(SHIM_MAGIC) - 1))
		return false;
	l = get_le32(buf + SHIM_OFF_LEN);
	a = get_le32(buf + SHIM_OFF_ALIGN);
	if (l < SHIM_HDR_SIZE || l > SHIM_LEN_MAX || l % 4 || !is_pow2(a) || a < SHIM_ALIGN_MIN)
		return false; /* a damaged header: not taken for a shim */
	s->len = l;
	s->align = a;
	return true;
}

#endif
