/* wrapper.c - detect and re-fit the pre-headers of wrapper.h. */
#include "mkbootimg/wrapper.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/bootid.h"
#include "mkbootimg/bootimg.h"

const char *wrapper_name(enum wrap_kind k)
{
	static const char *const n[] = {"none", "DHTB", "Tegra BLOB", "NOOK HD", "Acclaim"};

	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static bool starts(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	return l <= n && !memcmp(p, s, l);
}

static bool nook_loader(const uint8_t *cmdline, size_t n)
{
	static const char *const loaders[] = {"Red Loader", "Green Loader", "Green Recovery",
					      "eMMC boot.img+secondloader",
					      "eMMC recovery.img+secondloader"};

	for (size_t i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if (starts(cmdline, n, loaders[i]))
			return true;
	return false;
}

void wrapper_detect(const uint8_t *buf, size_t len, uint64_t file_size, struct wrapper *w)
{
	memset(w, 0, sizeof(*w));
	if (len >= DHTB_SIZE && file_size > DHTB_SIZE && !memcmp(buf, DHTB_MAGIC, 8)) {
		w->kind = WRAP_DHTB;
		w->size = DHTB_SIZE;
		w->covered = get_le32(buf + DHTB_OFF_SIZE);
		memcpy(w->sha256, buf + DHTB_OFF_SHA, sizeof(w->sha256));
	} else if (len >= BLOB_SIZE && file_size > BLOB_SIZE && starts(buf, len, BLOB_MAGIC)) {
		w->kind = WRAP_BLOB;
		w->size = BLOB_SIZE;
		w->covered = get_le32(buf + BLOB_OFF_SIZE);
	} else if (len >= BOFF_CMDLINE + BOOT_ARGS_SIZE && starts(buf, len, BOOT_MAGIC)) {
		if (file_size > NOOK_SIZE && nook_loader(buf + BOFF_CMDLINE, BOOT_ARGS_SIZE))
			w->kind = WRAP_NOOK, w->size = NOOK_SIZE;
		else if (file_size > ACCLAIM_SIZE &&
			 starts(buf + BOFF_NAME, BOOT_NAME_SIZE, "BauwksBoot"))
			w->kind = WRAP_ACCLAIM, w->size = ACCLAIM_SIZE;
	}
}

int wrapper_new_covered(const struct wrapper *w, uint64_t old_body, uint64_t new_body,
			uint32_t *out, struct diag *d)
{
	int64_t v = (int64_t)w->covered + (int64_t)new_body - (int64_t)old_body;

	if (v < 0 || v > UINT32_MAX)
		return diag_set(d, -EOVERFLOW, "%s size field: %" PRId64 " does not fit 32 bits",
				wrapper_name(w->kind), v);
	*out = (uint32_t)v;
	return 0;
}

int wrapper_fix_output(const struct wrapper *w, int out_fd, uint32_t covered, struct diag *d)
{
	uint8_t le[4], sha[32];
	int r;

	if (w->kind != WRAP_DHTB && w->kind != WRAP_BLOB)
		return 0;
	put_le32(le, covered);
	if (pwrite(out_fd, le, 4, w->kind == WRAP_DHTB ? DHTB_OFF_SIZE : BLOB_OFF_SIZE) != 4)
		return diag_set(d, -errno, "writing the %s size: %s", wrapper_name(w->kind),
				strerror(errno));
	if (w->kind != WRAP_DHTB)
		return 0;
	if ((r = sha256_range(out_fd, DHTB_SIZE, covered, sha)) < 0)
		return diag_set(d, r, "DHTB checksum over %" PRIu32 " bytes: %s", covered,
				r == -ENODATA ? "the image is shorter" : strerror(-r));
	if (pwrite(out_fd, sha, sizeof(sha), DHTB_OFF_SHA) != (ssize_t)sizeof(sha))
		return diag_set(d, -errno, "writing the DHTB checksum: %s", strerror(errno));
	return 0;
}
