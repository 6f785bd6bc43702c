/* readat.c - pread until done, and a whole small file, bounded: the readers
 * of the host tools, the probe and the init alike (the probe and the init
 * link this file, not fileio.c). */
#include "lib/readat.h"

#include <errno.h>
#include <sys/stat.h>
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

long read_fd_cut(int fd, char *buf, size_t cap, bool *cut)
{
	size_t n = 0;
	struct stat st;
	char extra;

	*cut = false;
	if (cap == 0)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*cut = n == cap - 1 && read(fd, &extra, 1) == 1;
	return (long)n;
}
