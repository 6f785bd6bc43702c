/* extract.c - safe extraction of a ramdisk into a folder (see ramdisk.h). */
#include "ramdisk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "rd_internal.h"

/* ---- safe extraction ---------------------------------------------------------------------- */

/* Open the folder rel (a clean path, "" for root) below rootfd, following no
 * symlink on the way; with create, make missing folders (as cpio -d does). */
static int open_dir_below(int rootfd, const char *rel, bool create)
{
	int fd = dup(rootfd);
	const char *p = rel;

	while (fd >= 0 && *p) {
		char comp[NAME_MAX + 1];
		const char *s = p;
		int nfd;
		while (*p && *p != '/')
			p++;
		if ((size_t)(p - s) > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, s, (size_t)(p - s));
		comp[p - s] = 0;
		if (*p)
			p++;
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create && mkdirat(fd, comp, 0755) == 0)
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
	}
	return fd;
}

static int extract_one(int rootfd, const struct rd_entry *e, struct rd_extract_stats *st,
		       struct diag *d)
{
	char parent[CPIO_NAME_MAX];
	const char *slash = strrchr(e->name, '/'), *leaf = slash ? slash + 1 : e->name;
	uint32_t mode = e->m.f[CF_MODE];
	int pfd, fd, err = 0;

	memcpy(parent, e->name, slash ? (size_t)(slash - e->name) : 0);
	parent[slash ? slash - e->name : 0] = 0;
	if ((pfd = open_dir_below(rootfd, parent, true)) < 0)
		return diag_set(d, -errno,
				"\"%s\": folder \"%s\" cannot be opened without following a link "
				"(%s)",
				e->name, parent, strerror(errno));
	switch (mode & S_IFMT) {
	case S_IFDIR:
		if (mkdirat(pfd, leaf, 0700) < 0) {
			struct stat sb;
			if (errno != EEXIST || fstatat(pfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(sb.st_mode))
				err = -EEXIST;
		}
		st->dirs++;
		break;
	case S_IFREG:
		if (e->src == RD_FILE) {
			err = -EINVAL; /* only archives read into memory are extracted */
			break;
		}
		fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = -errno;
			break;
		}
		err = write_all(fd, e->data, e->m.f[CF_FILESIZE]);
		if (err == 0 && fchmod(fd, mode & 07777) < 0)
			err = -errno;
		if (close(fd) < 0 && err == 0)
			err = -errno;
		st->files++;
		break;
	case S_IFLNK: {
		char target[CPIO_NAME_MAX];
		memcpy(target, e->data, e->m.f[CF_FILESIZE]);
		target[e->m.f[CF_FILESIZE]] = 0;
		if (symlinkat(target, pfd, leaf) < 0)
			err = -errno;
		st->links++;
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		if (mknodat(pfd, leaf, mode & (S_IFMT | 07777),
			    makedev(e->m.f[CF_RDEVMAJOR], e->m.f[CF_RDEVMINOR])) < 0) {
			if (errno != EPERM || S_ISFIFO(mode) || S_ISSOCK(mode))
				err = -errno;
			else
				st->nodes_skipped++;
		} else if (fchmodat(pfd, leaf, mode & 07777, 0) < 0) { /* past the umask */
			err = -errno;
		}
		break;
	default: st->nodes_skipped++; break;
	}
	close(pfd);
	if (err < 0)
		return diag_set(d, err, "\"%s\": %s", e->name, strerror(-err));
	return 0;
}

/* Folder modes last, deepest first, so a read-only folder can be filled. */
static int fix_dir_modes(int rootfd, const struct ramdisk *rd, struct diag *d)
{
	for (size_t i = rd->n; i-- > 0;) {
		const struct rd_entry *e = &rd->v[i];
		int fd;
		if (!S_ISDIR(e->m.f[CF_MODE]) || !*e->name)
			continue;
		if ((fd = open_dir_below(rootfd, e->name, false)) < 0)
			return diag_set(d, -errno, "\"%s\": %s", e->name, strerror(errno));
		if (fchmod(fd, e->m.f[CF_MODE] & 07777) < 0) {
			int err = -errno;
			close(fd);
			return diag_set(d, err, "\"%s\": chmod: %s", e->name, strerror(-err));
		}
		close(fd);
	}
	return 0;
}

int rd_extract(const struct ramdisk *rd, const char *dir, struct rd_extract_stats *st,
	       struct diag *d)
{
	int rootfd, err;

	memset(st, 0, sizeof(*st));
	if ((err = mkdir_p(dir, d)) < 0)
		return err;
	if ((rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return diag_set(d, -errno, "%s: %s", dir, strerror(errno));
	for (size_t i = 0; i < rd->n && err == 0; i++)
		if (*rd->v[i].name)
			err = extract_one(rootfd, &rd->v[i], st, d);
	if (err == 0)
		err = fix_dir_modes(rootfd, rd, d);
	close(rootfd);
	return err;
}
