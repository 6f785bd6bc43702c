#include "lib/fileio.h"
#include "lib/strfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Refuse anything but a regular file, then make reads blocking again. */
static int check_regular(int f, uint64_t *size, struct diag *d)
{
	struct stat st;
	int fl;

	if (fstat(f, &st) < 0)
		return diag_set(d, -errno, "cannot stat: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return diag_set(d, -EISDIR, "is a folder, not a regular file");
	if (!S_ISREG(st.st_mode))
		return diag_set(d, -EINVAL, "is a %s, not a regular file",
				S_ISFIFO(st.st_mode)   ? "FIFO"
				: S_ISCHR(st.st_mode)  ? "character device"
				: S_ISBLK(st.st_mode)  ? "block device"
				: S_ISSOCK(st.st_mode) ? "socket"
						       : "special file");
	if ((fl = fcntl(f, F_GETFL)) >= 0)
		fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
	*size = (uint64_t)st.st_size;
	return 0;
}

static int open_ro_flags(int dirfd, const char *path, int extra, int *fd, uint64_t *size,
			 struct diag *d)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int f = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | extra), r;

	if (f < 0) {
		if (errno == ELOOP && (extra & O_NOFOLLOW))
			return diag_set(d, -ELOOP, "is a symlink; not followed");
		return diag_set(d, -errno, "cannot open: %s", strerror(errno));
	}
	if ((r = check_regular(f, size, d)) < 0) {
		close(f);
		return r;
	}
	*fd = f;
	return 0;
}

int file_open_ro(const char *path, int *fd, uint64_t *size, struct diag *d)
{
	return open_ro_flags(AT_FDCWD, path, 0, fd, size, d);
}

bool name_is_component(const char *name)
{
	return *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

int file_open_ro_at(int dirfd, const char *name, int *fd, uint64_t *size, struct diag *d)
{
	if (!name_is_component(name))
		return diag_set(d, -EINVAL, "\"%s\" is not a plain file name (no '/' or '..')",
				name);
	return open_ro_flags(dirfd, name, O_NOFOLLOW, fd, size, d);
}

static int read_small_fd(int fd, uint64_t size, size_t max, uint8_t **out, size_t *len,
			 struct diag *d)
{
	uint8_t *buf;
	int r;

	if (size > max)
		return diag_set(d, -EFBIG, "is %" PRIu64 " bytes, more than the %zu allowed", size,
				max);
	buf = malloc((size_t)size + 1);
	if (!buf)
		return diag_set(d, -ENOMEM, "out of memory");
	r = read_at(fd, buf, (size_t)size, 0);
	if (r) {
		free(buf);
		return diag_set(d, r, "read error: %s", strerror(-r));
	}
	buf[size] = 0;
	*out = buf;
	*len = (size_t)size;
	return 0;
}

int file_read_small(const char *path, size_t max, uint8_t **out, size_t *len, struct diag *d)
{
	uint64_t size;
	int fd, r = file_open_ro(path, &fd, &size, d);

	if (r)
		return r;
	r = read_small_fd(fd, size, max, out, len, d);
	close(fd);
	return r;
}

int file_read_small_at(int dirfd, const char *name, size_t max, uint8_t **out, size_t *len,
		       struct diag *d)
{
	uint64_t size;
	int fd, r = file_open_ro_at(dirfd, name, &fd, &size, d);

	if (r)
		return r;
	r = read_small_fd(fd, size, max, out, len, d);
	close(fd);
	return r;
}

int dir_open_below(int dirfd, const char *rel, bool create)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	const char *p = rel;

	while (fd >= 0 && *p) {
		char comp[NAME_MAX + 1];
		const char *s = p;
		int nfd, e;

		while (*p && *p != '/')
			p++;
		if ((size_t)(p - s) > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, s, (size_t)(p - s));
		comp[p - s] = 0;
		while (*p == '/')
			p++;
		if (!*comp || !strcmp(comp, ".")) /* "a//b", "./a" */
			continue;
		if (!strcmp(comp, "..")) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create && mkdirat(fd, comp, 0755) == 0)
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e = errno;
		close(fd);
		fd = nfd;
		errno = e;
	}
	return fd;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static bool same_file_at(int dirfd, const char *name, const int *in_fds, unsigned nin)
{
	struct stat a, b;

	if (fstatat(dirfd, name, &a, 0) < 0)
		return false;
	for (unsigned i = 0; i < nin; i++)
		if (in_fds[i] >= 0 && fstat(in_fds[i], &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return true;
	return false;
}

/* A fresh temporary ".NAME.XXXXXX" beside name, created O_EXCL|O_NOFOLLOW
 * (NAME cut so the temporary's name stays within NAME_MAX). */
static int create_tmp(struct outfile *o, const char *name)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	int keep = (int)strnlen(name, NAME_MAX - 8);
	size_t n = (size_t)keep + 10;

	if (!(o->tmp = malloc(n)))
		return -ENOMEM;
	for (int tries = 0; tries < 64; tries++) {
		uint8_t rnd[6];
		char sfx[7];

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			for (unsigned i = 0; i < sizeof(rnd);
			     i++) /* no entropy: still unique-ish */
				rnd[i] = (uint8_t)(getpid() >> (i * 3) ^ tries * 7 ^ i);
		for (unsigned i = 0; i < 6; i++)
			sfx[i] = digits[rnd[i] % 36];
		sfx[6] = 0;
		strfmt_show(o->tmp, n, ".%.*s.%s", keep, name, sfx); /* n: sized for it */
		o->fd = openat(o->dirfd, o->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0666); /* the umask applies, as for any new file */
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	free(o->tmp);
	o->tmp = NULL;
	return -errno;
}

/* Is the folder dirfd the folder dir, or below it? Walked up through "..". */
static bool dir_within(int dirfd, const struct stat *dir)
{
	struct stat st, up;
	bool found = false;
	int cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), parent;

	for (unsigned depth = 0; cur >= 0 && depth < PATH_MAX / 2 && fstat(cur, &st) == 0;
	     depth++) {
		if ((found = st.st_dev == dir->st_dev && st.st_ino == dir->st_ino))
			break;
		parent = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0 ||
		    (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			if (parent >= 0)
				close(parent);
			break; /* the root */
		}
		close(cur);
		cur = parent;
	}
	if (cur >= 0)
		close(cur);
	return found;
}

/* Is the folder dirfd inside a folder among the inputs in in_fds (a folder
 * read as an input: nothing is written into it)? */
static bool below_input_dir(int dirfd, const int *in_fds, unsigned nin)
{
	struct stat in;

	for (unsigned i = 0; i < nin; i++)
		if (in_fds[i] >= 0 && fstat(in_fds[i], &in) == 0 && S_ISDIR(in.st_mode) &&
		    dir_within(dirfd, &in))
			return true;
	return false;
}

int outfile_openat(struct outfile *o, int dirfd, const char *name, const char *shown,
		   const int *in_fds, unsigned nin, struct diag *d)
{
	int r;

	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	if (!name_is_component(name))
		return diag_set(d, -EINVAL, "not a file name");
	if (same_file_at(dirfd, name, in_fds, nin))
		return diag_set(d, -EEXIST, "is also an input; it is never overwritten");
	if (below_input_dir(dirfd, in_fds, nin))
		return diag_set(d, -EEXIST,
				"is inside a folder read as an input; nothing is "
				"written there");
	o->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	o->final = strdup(name);
	o->shown = strdup(shown ? shown : name);
	if (o->dirfd < 0 || !o->final || !o->shown) {
		r = o->dirfd < 0 ? -errno : -ENOMEM;
		outfile_abort(o);
		return diag_set(d, r, "%s", strerror(-r));
	}
	if ((r = create_tmp(o, name)) < 0) {
		outfile_abort(o);
		return diag_set(d, r, "cannot create a file beside it: %s", strerror(-r));
	}
	return 0;
}

int outfile_open(struct outfile *o, const char *path, const int *in_fds, unsigned nin,
		 struct diag *d)
{
	const char *base = strrchr(path, '/');
	char *dir = dir_of(path);
	int dfd, r;

	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	base = base ? base + 1 : path;
	if (!dir)
		return diag_set(d, -ENOMEM, "out of memory");
	if (!name_is_component(base)) {
		free(dir);
		return diag_set(d, -EINVAL, "not a file name");
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (dfd < 0)
		return diag_set(d, -errno, "its folder cannot be opened: %s", strerror(errno));
	r = outfile_openat(o, dfd, base, path, in_fds, nin, d);
	close(dfd);
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

static bool same_dir_fd(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int commit_rename(struct outfile *o)
{
	if (o->noreplace)
		return renameat2(o->dirfd, o->tmp, o->dirfd, o->final, RENAME_NOREPLACE) < 0
			   ? -errno
			   : 0;
	return renameat(o->dirfd, o->tmp, o->dirfd, o->final) < 0 ? -errno : 0;
}

int outfile_commit_all(struct outfile *o, unsigned n, struct diag *d)
{
	unsigned i, k, bad = n; /* bad: the output a step failed on */
	int r = 0;

	/* What would make a rename fail is checked before any rename: a
	 * folder in the way, or (noreplace) any file. */
	for (i = 0; i < n && !r; i++) {
		struct stat st;

		if (fstatat(o[i].dirfd, o[i].final, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = diag_set(d, -EISDIR, "is a folder; nothing was written");
		else if (o[i].noreplace)
			r = diag_set(d, -EEXIST, "exists already; nothing was written");
		if (r)
			bad = i;
	}
	/* Start the disk on every file at once, then wait for each. */
	for (i = 0; i < n; i++)
		sync_file_range(o[i].fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	for (i = 0; i < n && !r; i++)
		if ((r = sync_close(&o[i], d)) != 0)
			bad = i;
	/* From here a failure (an I/O error while renaming) leaves the outputs
	 * renamed before it in place. */
	for (i = 0; i < n && !r; i++) {
		if ((r = commit_rename(&o[i])) < 0) {
			diag_set(d, r, "%s: %s", r == -EEXIST ? "exists already" : "rename",
				 strerror(-r));
			bad = i;
		} else {
			free(o[i].tmp);
			o[i].tmp = NULL;
		}
	}
	/* Each folder once. */
	for (i = 0; i < n && !r; i++) {
		for (k = 0; k < i && !same_dir_fd(o[k].dirfd, o[i].dirfd); k++)
			;
		if (k == i && fsync(o[i].dirfd) < 0 && errno != EINVAL) {
			r = diag_set(d, -errno, "fsync of the folder: %s", strerror(errno));
			bad = i;
		}
	}
	if (r && bad < n)
		diag_prefix(d, "%s", o[bad].shown);
	for (i = 0; i < n; i++)
		outfile_abort(&o[i]);
	return r;
}

int outfile_park(struct outfile *o, struct diag *d)
{
	struct stat st;
	int r = 0;

	if (fstat(o->dirfd, &st) < 0)
		r = diag_set(d, -errno, "%s: stat of its folder: %s", o->shown, strerror(errno));
	o->dir_dev = st.st_dev;
	o->dir_ino = st.st_ino;
	if (close(o->fd) < 0 && !r)
		r = diag_set(d, -errno, "%s: close: %s", o->shown, strerror(errno));
	o->fd = -1;
	if (r) {
		outfile_abort(o);
		return r;
	}
	close(o->dirfd);
	o->dirfd = -1;
	o->parked = true;
	return 0;
}

/* The folder handed back is the one the output was parked in. */
static int parked_dir(struct outfile *o, int dirfd, struct diag *d)
{
	struct stat st;

	if (!o->parked)
		return diag_set(d, -EINVAL, "%s: not parked", o->shown);
	if (fstat(dirfd, &st) < 0)
		return diag_set(d, -errno, "%s: stat of its folder: %s", o->shown, strerror(errno));
	if (st.st_dev != o->dir_dev || st.st_ino != o->dir_ino)
		return diag_set(d, -ESTALE, "%s: its folder was replaced meanwhile", o->shown);
	return 0;
}

int outfile_commit_parked(struct outfile *o, int dirfd, struct diag *d)
{
	int r = parked_dir(o, dirfd, d);

	if (r) {
		outfile_abort_parked(o, dirfd);
		return r;
	}
	o->dirfd = dirfd;
	if ((r = commit_rename(o)) < 0)
		diag_set(d, r, "%s: %s", o->shown,
			 r == -EEXIST ? "exists already; nothing is overwritten" : strerror(-r));
	else
		free(o->tmp), o->tmp = NULL;
	o->dirfd = -1;
	outfile_abort_parked(o, dirfd);
	return r;
}

void outfile_abort_parked(struct outfile *o, int dirfd)
{
	if (o->tmp && dirfd >= 0 && parked_dir(o, dirfd, NULL) == 0)
		unlinkat(dirfd, o->tmp, 0);
	o->parked = false;
	outfile_abort(o);
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
	if (o->tmp && o->dirfd >= 0)
		unlinkat(o->dirfd, o->tmp, 0);
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->dirfd = -1;
	free(o->tmp);
	free(o->final);
	free(o->shown);
	o->tmp = o->final = o->shown = NULL;
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
