#include "lib/modload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* init_module(2): the whole file in memory (kernels before 3.8). */
static int load_from_memory(int fd, const char *params)
{
	off_t n = lseek(fd, 0, SEEK_END);
	void *buf = n > 0 ? malloc((size_t)n) : NULL;
	int rc = -ENOMEM;

	if (n < 0)
		rc = -errno;
	else if (buf && pread(fd, buf, (size_t)n, 0) != n)
		rc = -EIO;
	else if (buf)
		rc = syscall(SYS_init_module, buf, (unsigned long)n, params) < 0 ? -errno : 0;
	free(buf);
	return rc;
}

int module_load_fd(int fd, const char *params)
{
	int rc = syscall(SYS_finit_module, fd, params, 0) < 0 ? -errno : 0;

	return rc == -ENOSYS ? load_from_memory(fd, params) : rc;
}

int module_load(int dirfd, const char *path, const char *params)
{
	int fd, rc;

	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	rc = module_load_fd(fd, params);
	close(fd);
	return rc;
}
