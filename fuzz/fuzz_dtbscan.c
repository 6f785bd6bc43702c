/* libFuzzer: the appended-DTB scan over an arbitrary kernel payload (the
 * input, in a memfd), checked against a slow reference: the first offset
 * from which FDT headers chain back to back to exactly the end. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "lib/fileio.h"
#include "mkbootimg/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Blobs from p to the end, or 0 when they do not chain there. */
static unsigned chain(const uint8_t *d, size_t n, size_t p)
{
	unsigned k = 0;

	while (p < n) {
		uint32_t ts;

		if (n - p < FDT_MIN_SIZE || k >= FDT_CHAIN_MAX || get_be32(d + p) != FDT_MAGIC)
			return 0;
		ts = get_be32(d + p + 4);
		if (ts < FDT_MIN_SIZE || ts > n - p)
			return 0;
		p += ts;
		k++;
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("dtbscan", 0), r;
	uint64_t at = 0, want_at = 0;
	unsigned count = 0, want = 0;

	if (fd < 0 || write_all(fd, data, size))
		__builtin_trap();
	for (size_t p = 1; p < size && !want; p++)
		if ((want = chain(data, size, p)))
			want_at = p;
	r = payload_find_appended_dtb(fd, 0, size, 0, &at, &count);
	close(fd);
	/* the reference knows no candidate cap: compare while under it */
	if (size / FDT_MIN_SIZE < FDT_SCAN_GOOD_MAX &&
	    (r != (want ? 1 : 0) || (r && (at != want_at || count != want))))
		__builtin_trap();
	return 0;
}
