/* root.c - every path below the root, confined to it.
 *
 * Reads (/proc, /sys, rules paths, modules) resolve as if the root were "/":
 * ".." stops at the root and a symlink, absolute or relative, is followed
 * inside it (/proc/device-tree is an absolute link to /sys/firmware/...).
 * The kernel does that with openat2(RESOLVE_IN_ROOT) from Linux 5.6; before
 * that (the phones' 3.x and 4.x kernels) the same is done in user space,
 * one component at a time (fstatat without following, readlinkat, and the
 * target spliced into the rest of the path), then opened with O_NOFOLLOW.
 * With the real "/" as the root there is nothing to escape; the user-space
 * walk is for fixture trees (--root) on old kernels and races with nobody
 * at boot.
 *
 * Writes (the record, the facts, input files) are stricter: folders made
 * and opened one at a time with O_NOFOLLOW, no "..", no symlink anywhere,
 * and a regular file at the end: a planted run/probe -> /etc cannot
 * redirect them. sysfs attributes (new_device, overlays) are opened for
 * writing through probe_open: they exist, and sysfs paths are symlinks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe/probe.h"

static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* The next component of *s (its length in *n), or NULL at the end. */
static const char *component(const char **s, size_t *n)
{
	const char *c = *s;

	while (*c == '/')
		c++;
	*n = strcspn(c, "/");
	*s = c + *n;
	return *n ? c : NULL;
}

/* path resolved in user space to one with no symlink and no "..", in out. */
static int resolve(const struct probe *p, const char *path, char *out, size_t cap)
{
	char rest[PROBE_PATH_MAX], target[PROBE_PATH_MAX], tail[PROBE_PATH_MAX];
	const char *s = rest, *c;
	size_t o = 0, n;
	unsigned links = 0;

	if (strfmt(rest, sizeof(rest), "%s", path) < 0 || cap < 2)
		return -ENAMETOOLONG;
	out[0] = 0;
	while ((c = component(&s, &n))) {
		struct stat st;
		size_t before = o;
		ssize_t tl;
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') { /* up, but not above the root */
			while (o && out[o - 1] != '/')
				o--;
			o = o ? o - 1 : 0;
			out[o] = 0;
			continue;
		}
		if (o + (o ? 1 : 0) + n >= cap)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
		out[o] = 0;
		if (fstatat(p->rootfd, out, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > PROBE_LINK_MAX)
			return -ELOOP;
		if ((tl = readlinkat(p->rootfd, out, target, sizeof(target))) < 0)
			return -errno;
		if ((size_t)tl >= sizeof(target))
			return -ENAMETOOLONG;
		target[tl] = 0;
		/* the link's target, then what followed the link (s points into
		 * rest: copied out first) */
		if (strfmt(tail, sizeof(tail), "%s", s) < 0 ||
		    strfmt(rest, sizeof(rest), "%s/%s", target, tail) < 0)
			return -ENAMETOOLONG;
		s = rest;
		o = target[0] == '/' ? 0 : before; /* absolute: from the root again */
		out[o] = 0;
	}
	if (!o)
		memcpy(out, ".", 2);
	return 0;
}

static int open_in_root(const struct probe *p, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	char real[PROBE_PATH_MAX];
	int fd, err;

	if (!p->set.no_openat2) {
		fd = (int)syscall(SYS_openat2, p->rootfd, rel(path), &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS) /* an old kernel: the walk below */
			return -errno;
	}
	if ((err = resolve(p, rel(path), real, sizeof(real))) < 0)
		return err;
	fd = openat(p->rootfd, real, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int probe_open(const struct probe *p, const char *path, int flags)
{
	return open_in_root(p, path, flags & ~O_CREAT);
}

int probe_exists(const struct probe *p, const char *path)
{
	int fd = open_in_root(p, path, O_PATH);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

long probe_readlink(const struct probe *p, const char *dir, const char *name, char *buf, size_t cap)
{
	int dfd = open_in_root(p, dir, O_RDONLY | O_DIRECTORY);
	ssize_t n;

	if (dfd < 0)
		return dfd;
	n = cap ? readlinkat(dfd, name, buf, cap) : -1;
	close(dfd);
	if (n < 0)
		return cap ? -errno : -ENOSPC;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	buf[n] = 0;
	return (long)n;
}

int probe_open_out(const struct probe *p, const char *path, int flags)
{
	const char *s = path, *c, *next;
	size_t n, nn;
	char name[PROBE_PATH_MAX];
	int dfd = openat(p->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	struct stat st;

	if (dfd < 0)
		return -errno;
	c = component(&s, &n);
	while (c) {
		const char *after = s;
		if (n >= sizeof(name) || (n <= 2 && c[0] == '.' && c[n - 1] == '.')) {
			close(dfd); /* "." or "..": a written path names its folders */
			return n >= sizeof(name) ? -ENAMETOOLONG : -EINVAL;
		}
		memcpy(name, c, n);
		name[n] = 0;
		if (!(next = component(&after, &nn)))
			break; /* name is the file */
		if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) {
			int err = -errno;
			close(dfd);
			return err;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (fd < 0) /* a symlink planted on the way: ELOOP or ENOTDIR */
			return -errno;
		dfd = fd;
		c = next, n = nn, s = after;
	}
	if (!c) {
		close(dfd);
		return -EINVAL;
	}
	/* O_NONBLOCK: a FIFO planted there fails (ENXIO) instead of blocking */
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | flags,
		    0644);
	close(dfd);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}
