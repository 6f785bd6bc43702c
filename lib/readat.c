/* readat.c - pread until done: the one positioned reader, for the host
 * tools and the probe alike (which links this file, not fileio.c). */
#include "readat.h"

#include <errno.h>
#include <unistd.h>

int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;
		got += (size_t)r;
	}
	return 0;
}
