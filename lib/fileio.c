#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int file_open_ro(const char *path, int *fd, uint64_t *size, struct diag *d)
{
	struct stat st;
	int f = open(path, O_RDONLY | O_CLOEXEC);

	if (f < 0)
		return diag_set(d, -errno, "cannot open: %s", strerror(errno));
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;

		close(f);
		return diag_set(d, -e, "not a regular file");
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
}

int file_read_small(const char *path, size_t max, uint8_t **out, size_t *len, struct diag *d)
{
	uint64_t size;
	uint8_t *buf;
	int fd, r = file_open_ro(path, &fd, &size, d);

	if (r)
		return r;
	if (size > max) {
		close(fd);
		return diag_set(d, -EFBIG, "is %" PRIu64 " bytes, more than the %zu allowed", size, max);
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		close(fd);
		return diag_set(d, -ENOMEM, "out of memory");
	}
	r = read_at(fd, buf, (size_t)size, 0);
	close(fd);
	if (r) {
		free(buf);
		return diag_set(d, r, "read error: %s", strerror(-r));
	}
	buf[size] = 0;
	*out = buf;
	*len = (size_t)size;
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	dir = strndup(path, (size_t)(slash - path));
	return dir;
}

static bool same_file(const char *path, const int *in_fds, unsigned nin)
{
	struct stat a, b;

	if (stat(path, &a) < 0)
		return false;
	for (unsigned i = 0; i < nin; i++)
		if (in_fds[i] >= 0 && fstat(in_fds[i], &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return true;
	return false;
}

int outfile_open(struct outfile *o, const char *path, const int *in_fds, unsigned nin,
		 struct diag *d)
{
	char *dir;
	const char *base = strrchr(path, '/');
	size_t n;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (same_file(path, in_fds, nin))
		return diag_set(d, -EEXIST, "is also an input; it is never overwritten");
	dir = dir_of(path);
	base = base ? base + 1 : path;
	if (!dir || !*base) {
		free(dir);
		return diag_set(d, -EINVAL, "not a file name");
	}
	n = strlen(dir) + strlen(base) + 16;
	o->tmp = malloc(n);
	o->final = strdup(path);
	if (!o->tmp || !o->final) {
		free(dir);
		outfile_abort(o);
		return diag_set(d, -ENOMEM, "out of memory");
	}
	snprintf(o->tmp, n, "%s/.%s.XXXXXX", dir, base);
	free(dir);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		outfile_abort(o);
		return diag_set(d, -e, "cannot create a file beside it: %s", strerror(e));
	}
	/* mkostemp makes 0600; an image is an ordinary file: honour the umask. */
	{
		mode_t um = umask(0);

		umask(um);
		fchmod(o->fd, 0666 & ~um);
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *dir = dir_of(path);
	int fd, r = 0;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

static int sync_close(struct outfile *o, struct diag *d)
{
	int r = 0;

	if (fsync(o->fd) < 0)
		r = diag_set(d, -errno, "fsync: %s", strerror(errno));
	if (close(o->fd) < 0 && !r)
		r = diag_set(d, -errno, "close: %s", strerror(errno));
	o->fd = -1;
	return r;
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && !memcmp(a, b, la);
}

int outfile_commit_all(struct outfile *o, unsigned n, struct diag *d)
{
	unsigned i, k, bad = n; /* bad: the output a step failed on */
	int r = 0;

	/* Start the disk on every file at once, then wait for each. */
	for (i = 0; i < n; i++)
		sync_file_range(o[i].fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	for (i = 0; i < n && !r; i++)
		if ((r = sync_close(&o[i], d)) != 0)
			bad = i;
	for (i = 0; i < n && !r; i++) {
		if (rename(o[i].tmp, o[i].final) < 0) {
			r = diag_set(d, -errno, "rename: %s", strerror(errno));
			bad = i;
		} else {
			free(o[i].tmp);
			o[i].tmp = NULL;
		}
	}
	/* Each folder once. */
	for (i = 0; i < n && !r; i++) {
		for (k = 0; k < i && !same_dir(o[k].final, o[i].final); k++)
			;
		if (k == i && (r = fsync_dir_of(o[i].final)) != 0) {
			diag_set(d, r, "fsync of the folder: %s", strerror(-r));
			bad = i;
		}
	}
	if (r && n > 1 && bad < n)
		diag_prefix(d, "%s", o[bad].final);
	for (i = 0; i < n; i++)
		outfile_abort(&o[i]);
	return r;
}

int outfile_commit(struct outfile *o, struct diag *d)
{
	return outfile_commit_all(o, 1, d);
}

void outfile_abort(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->final);
	o->tmp = o->final = NULL;
}

int write_file_atomic(const char *path, const void *buf, size_t n, struct diag *d)
{
	struct outfile o;
	int r = outfile_open(&o, path, NULL, 0, d);

	if (r)
		return r;
	r = write_all(o.fd, buf, n);
	if (r) {
		outfile_abort(&o);
		return diag_set(d, r, "write: %s", strerror(-r));
	}
	return outfile_commit(&o, d);
}

int stream_range(int in_fd, uint64_t off, uint64_t len, uint8_t *buf, size_t cap, range_hook hook,
		 void *ctx)
{
	while (len) {
		size_t n = (size_t)(len < cap ? len : cap);
		int r = read_at(in_fd, buf, n, off);

		if (!r)
			r = hook(ctx, buf, n);
		if (r)
			return r;
		off += n;
		len -= n;
	}
	return 0;
}

int copy_range(int in_fd, uint64_t off, uint64_t len, int out_fd)
{
	enum { CAP = 1 << 18 };
	uint8_t *buf;
	loff_t in_off = (loff_t)off;

	/* In the kernel, page cache to page cache: no copy through user space. */
	while (len) {
		size_t n = (size_t)(len < (1u << 30) ? len : (1u << 30));
		ssize_t r = copy_file_range(in_fd, &in_off, out_fd, NULL, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			      errno == EOPNOTSUPP || errno == EBADF))
			break; /* not between these files: copy through a buffer */
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;
		len -= (uint64_t)r;
	}
	if (!len)
		return 0;
	buf = malloc(CAP);
	if (!buf)
		return -ENOMEM;
	off = (uint64_t)in_off;
	while (len) {
		size_t n = (size_t)(len < CAP ? len : CAP);
		int r = read_at(in_fd, buf, n, off);

		if (!r)
			r = write_all(out_fd, buf, n);
		if (r) {
			free(buf);
			return r;
		}
		off += n;
		len -= n;
	}
	free(buf);
	return 0;
}

int write_zeros(int fd, uint64_t n)
{
	static const uint8_t zero[4096];

	while (n) {
		size_t k = (size_t)(n < sizeof(zero) ? n : sizeof(zero));
		int r = write_all(fd, zero, k);

		if (r)
			return r;
		n -= k;
	}
	return 0;
}

int mkdir_p(const char *dir, struct diag *d)
{
	char tmp[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return diag_set(d, -ENAMETOOLONG, "bad folder name");
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
			return diag_set(d, -errno, "cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
		return diag_set(d, -errno, "cannot create %s: %s", tmp, strerror(errno));
	return 0;
}
