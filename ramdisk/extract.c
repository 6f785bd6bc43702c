/* extract.c - safe extraction of a ramdisk into a folder (see ramdisk.h).
 *
 * Four passes over the entries, in archive order:
 *  1. folders, symlinks, FIFOs, sockets and (when asked) device nodes are
 *     made; each regular file is written to a temporary beside its final
 *     name (the atomic writer: O_EXCL|O_NOFOLLOW), closed without an fsync
 *     and parked; no regular file is under its final name yet;
 *  2. one syncfs() puts the data of all of them on disk (an fsync per file
 *     is a disk flush per file: thousands of them for one ramdisk);
 *  3. the temporaries are renamed to their final names (RENAME_NOREPLACE:
 *     nothing existing is replaced) and the later names of hard links are
 *     linked to the file made for the first;
 *  4. folder owners and modes, last entry first (so a read-only folder could
 *     still be filled), then a second syncfs() for the renames and links.
 * A failure removes every temporary not yet renamed. A crash before pass 3
 * leaves ".NAME.XXXXXX" temporaries, never a truncated file under NAME.
 */
#include "ramdisk/ramdisk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "ramdisk/rd_internal.h"

#define NONE UINT32_MAX

enum { MADE = 1, SKIPPED = 2 }; /* state of a hard link group's first entry */

struct xctx {
	const struct ramdisk *rd;
	struct rd_extract_opts o;
	struct rd_extract_stats *st;
	struct diag *d;
	int rootfd;
	char cur[CPIO_NAME_MAX]; /* the folder curfd is open on */
	int curfd;
	uint32_t *head;	 /* per entry: the first entry of its hard link group (or itself) */
	uint32_t *carry; /* per group head: the entry whose data and header the file takes */
	uint32_t *slot;	 /* per entry: its parked output in of[], or NONE */
	uint8_t *state;	 /* per entry: MADE or SKIPPED (a group head), else 0 */
	struct outfile *of;
	size_t nof;
};

static const char *kind(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a file";
	case S_IFLNK: return "a symlink";
	case S_IFCHR:
	case S_IFBLK: return "a device node";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	default: return "not a folder";
	}
}

/* ---- folders -------------------------------------------------------------------- */

/* Why the folder of name cannot be opened, by the first component that is
 * not a folder: in the archive, else on disk. */
static int parent_err(struct xctx *x, const char *name, const char *parent, int err)
{
	char p[CPIO_NAME_MAX], nb[ESC_SHOW_MAX], pb[ESC_SHOW_MAX];
	size_t len = strlen(parent);

	esc_show(nb, name);
	for (size_t i = 0; i <= len; i++) {
		struct stat sb;
		long k;
		uint32_t mode = 0;
		if (parent[i] != '/' && parent[i] != 0)
			continue;
		memcpy(p, parent, i);
		p[i] = 0;
		esc_show(pb, p);
		if ((k = rd_find(x->rd, p)) >= 0 && !S_ISDIR(x->rd->v[k].m.f[CF_MODE]))
			mode = x->rd->v[k].m.f[CF_MODE];
		else if (fstatat(x->rootfd, p, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			 !S_ISDIR(sb.st_mode))
			mode = sb.st_mode;
		if (S_ISLNK(mode))
			return diag_set(
			    x->d, -ENOTDIR,
			    "\"%s\": folder \"%s\" cannot be opened without following a "
			    "link (it is a symlink)",
			    nb, pb);
		if (mode)
			return diag_set(x->d, -ENOTDIR, "\"%s\": \"%s\" is %s, not a folder", nb,
					pb, kind(mode));
	}
	return diag_set(x->d, -err, "\"%s\": folder \"%s\" cannot be opened: %s", nb,
			esc_show(pb, parent), strerror(err));
}

/* A descriptor of the folder name is in (created if missing, no symlink
 * followed), kept for the next entries of the same folder; *leaf is the
 * name's last component. */
static int parent_fd(struct xctx *x, const char *name, const char **leaf)
{
	const char *slash = strrchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : 0;

	*leaf = slash ? slash + 1 : name;
	if (x->curfd >= 0 && strlen(x->cur) == n && !memcmp(x->cur, name, n))
		return x->curfd;
	if (x->curfd >= 0)
		close(x->curfd);
	memcpy(x->cur, name, n);
	x->cur[n] = 0;
	if ((x->curfd = dir_open_below(x->rootfd, x->cur, true)) < 0)
		return parent_err(x, name, x->cur, errno);
	return x->curfd;
}

/* An ancestor that the archive holds as something else than a folder: the
 * extraction would make a folder there first, and then fail on that entry. */
static int check_ancestors(struct xctx *x, const char *name)
{
	char p[CPIO_NAME_MAX];
	const char *s;

	for (s = strchr(name, '/'); s; s = strchr(s + 1, '/')) {
		long k;
		memcpy(p, name, (size_t)(s - name));
		p[s - name] = 0;
		if ((k = rd_find(x->rd, p)) >= 0 && !S_ISDIR(x->rd->v[k].m.f[CF_MODE]))
			return parent_err(x, name, p, ENOTDIR);
	}
	return 0;
}

/* ---- pass 1 ------------------------------------------------------------------------ */

/* The permission bits to apply: set-id bits only when asked for. */
static uint32_t perm_of(struct xctx *x, uint32_t mode, bool count)
{
	uint32_t perm = mode & 07777;

	if (x->o.same_permissions)
		return perm;
	if (count && (perm & S_ISUID))
		x->st->setuid_dropped++;
	if (count && (perm & S_ISGID))
		x->st->setgid_dropped++;
	return perm & ~(uint32_t)(S_ISUID | S_ISGID);
}

static int owner_err(struct xctx *x, const struct rd_entry *e, int err)
{
	char nb[ESC_SHOW_MAX];

	return diag_set(x->d, err, "\"%s\": cannot give it to %u:%u (--same-owner): %s%s",
			esc_show(nb, e->name), (unsigned)e->m.f[CF_UID], (unsigned)e->m.f[CF_GID],
			strerror(-err), err == -EPERM ? " (it needs root)" : "");
}

/* Owner (when asked), then mode: chown clears set-id bits. */
static int set_attrs_at(struct xctx *x, int pfd, const char *leaf, const struct rd_entry *e)
{
	if (x->o.same_owner &&
	    fchownat(pfd, leaf, e->m.f[CF_UID], e->m.f[CF_GID], AT_SYMLINK_NOFOLLOW) < 0)
		return owner_err(x, e, -errno);
	if (!S_ISLNK(e->m.f[CF_MODE]) &&
	    fchmodat(pfd, leaf, perm_of(x, e->m.f[CF_MODE], true), 0) < 0)
		return -errno; /* past the umask */
	return 0;
}

static int write_file(struct xctx *x, size_t i, int pfd, const char *leaf)
{
	const struct rd_entry *e = &x->rd->v[i], *c = &x->rd->v[x->carry[i]];
	struct outfile *o = &x->of[x->nof];
	char nb[ESC_SHOW_MAX];
	struct stat sb;
	int err;

	if (c->src == RD_FILE)
		return -EINVAL; /* only archives read into memory are extracted */
	if (fstatat(pfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST; /* caught at once, not at the rename after all the writing */
	if ((err = outfile_openat(o, pfd, leaf, esc_show(nb, e->name), NULL, 0, x->d)) < 0) {
		diag_prefix(x->d, "\"%s\"", nb);
		return err;
	}
	o->noreplace = true;
	err = write_all(o->fd, c->data, c->m.f[CF_FILESIZE]);
	if (err == 0 && x->o.same_owner && fchown(o->fd, c->m.f[CF_UID], c->m.f[CF_GID]) < 0) {
		outfile_abort(o);
		return owner_err(x, c, -errno);
	}
	if (err == 0 && fchmod(o->fd, perm_of(x, c->m.f[CF_MODE], true)) < 0)
		err = -errno;
	if (err < 0) {
		outfile_abort(o);
		return err;
	}
	if ((err = outfile_park(o, x->d)) < 0)
		return err;
	x->slot[i] = (uint32_t)x->nof++;
	x->st->files++;
	return 0;
}

static int make_node(struct xctx *x, size_t i, int pfd, const char *leaf)
{
	const struct rd_entry *e = &x->rd->v[i];
	uint32_t t = e->m.f[CF_MODE] & S_IFMT;
	bool dev = t == S_IFCHR || t == S_IFBLK;

	if (dev && !x->o.devices) {
		x->st->nodes_skipped++;
		x->state[i] = SKIPPED;
		return 0;
	}
	/* 0600 until set_attrs: never a moment world-writable */
	if (mknodat(pfd, leaf, t | 0600, makedev(e->m.f[CF_RDEVMAJOR], e->m.f[CF_RDEVMINOR])) < 0) {
		if (!dev || errno != EPERM)
			return -errno;
		x->st->nodes_denied++;
		x->state[i] = SKIPPED;
		return 0;
	}
	*(dev ? &x->st->nodes : t == S_IFIFO ? &x->st->fifos : &x->st->sockets) += 1;
	return set_attrs_at(x, pfd, leaf, e);
}

static int pass1_entry(struct xctx *x, size_t i)
{
	const struct rd_entry *e = &x->rd->v[i];
	uint32_t mode = e->m.f[CF_MODE];
	const char *leaf;
	char target[CPIO_NAME_MAX];
	struct stat sb;
	int pfd, err = 0;

	if (!rd_known_type(mode)) {
		if (!x->st->unknown++)
			x->st->unknown_mode = mode;
		return 0;
	}
	if ((err = check_ancestors(x, e->name)) < 0 || (pfd = parent_fd(x, e->name, &leaf)) < 0)
		return err < 0 ? err : pfd;
	if (x->head[i] != i)
		return 0; /* a later name of a hard link: linked in pass 3 */
	switch (mode & S_IFMT) {
	case S_IFDIR:
		if (mkdirat(pfd, leaf, 0700) < 0 &&
		    (errno != EEXIST || fstatat(pfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISDIR(sb.st_mode)))
			err = -EEXIST;
		x->st->dirs++;
		break;
	case S_IFREG: err = write_file(x, i, pfd, leaf); break;
	case S_IFLNK:
		memcpy(target, e->data, e->m.f[CF_FILESIZE]);
		target[e->m.f[CF_FILESIZE]] = 0;
		if (symlinkat(target, pfd, leaf) < 0)
			err = -errno;
		else if ((err = set_attrs_at(x, pfd, leaf, e)) == 0)
			x->st->symlinks++;
		break;
	default: err = make_node(x, i, pfd, leaf); break;
	}
	if (err == 0 && x->state[i] == 0)
		x->state[i] = MADE;
	return err;
}

/* ---- pass 3 ------------------------------------------------------------------------ */

static int link_to_head(struct xctx *x, size_t i, int pfd, const char *leaf)
{
	const struct rd_entry *h = &x->rd->v[x->head[i]];
	const char *slash = strrchr(h->name, '/');
	char hdir[CPIO_NAME_MAX];
	int hfd, err = 0;

	if (x->state[x->head[i]] != MADE) {
		if (x->state[x->head[i]] == SKIPPED)
			x->st->nodes_skipped++; /* another name of a node not created */
		return 0;
	}
	memcpy(hdir, h->name, slash ? (size_t)(slash - h->name) : 0);
	hdir[slash ? slash - h->name : 0] = 0;
	if ((hfd = dir_open_below(x->rootfd, hdir, false)) < 0)
		return -errno;
	if (linkat(hfd, slash ? slash + 1 : h->name, pfd, leaf, 0) < 0)
		err = -errno;
	else
		x->st->hardlinks++;
	close(hfd);
	return err;
}

static int pass3_entry(struct xctx *x, size_t i)
{
	const struct rd_entry *e = &x->rd->v[i];
	const char *leaf;
	int pfd;

	if (x->slot[i] == NONE && (x->head[i] == i || !rd_known_type(e->m.f[CF_MODE])))
		return 0;
	if ((pfd = parent_fd(x, e->name, &leaf)) < 0)
		return pfd;
	if (x->slot[i] != NONE)
		return outfile_commit_parked(&x->of[x->slot[i]], pfd, x->d);
	return link_to_head(x, i, pfd, leaf);
}

/* ---- pass 4 ------------------------------------------------------------------------ */

static int fix_dirs(struct xctx *x)
{
	for (size_t i = x->rd->n; i-- > 0;) {
		const struct rd_entry *e = &x->rd->v[i];
		char nb[ESC_SHOW_MAX];
		int fd, err = 0;
		if (!S_ISDIR(e->m.f[CF_MODE]) || !*e->name)
			continue;
		if ((fd = dir_open_below(x->rootfd, e->name, false)) < 0)
			return diag_set(x->d, -errno, "\"%s\": %s", esc_show(nb, e->name),
					strerror(errno));
		if (x->o.same_owner && fchown(fd, e->m.f[CF_UID], e->m.f[CF_GID]) < 0)
			err = owner_err(x, e, -errno);
		else if (fchmod(fd, perm_of(x, e->m.f[CF_MODE], true)) < 0)
			err = diag_set(x->d, -errno, "\"%s\": chmod: %s", esc_show(nb, e->name),
				       strerror(errno));
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the passes ---------------------------------------------------------------------- */

static int entry_fail(struct xctx *x, size_t i, int err)
{
	char nb[ESC_SHOW_MAX];

	if (x->d && x->d->msg[0])
		return err; /* already said, with the name */
	if (err == -EEXIST)
		return diag_set(x->d, err, "\"%s\": exists already; nothing is overwritten",
				esc_show(nb, x->rd->v[i].name));
	return diag_set(x->d, err, "\"%s\": %s", esc_show(nb, x->rd->v[i].name), strerror(-err));
}

static int syncfs_err(struct xctx *x)
{
	return syncfs(x->rootfd) < 0 ? diag_set(x->d, -errno, "syncfs: %s", strerror(errno)) : 0;
}

static int run(struct xctx *x)
{
	const struct ramdisk *rd = x->rd;
	int err = 0;

	for (size_t i = 0; i < rd->n && err == 0; i++)
		if (*rd->v[i].name && (err = pass1_entry(x, i)) < 0)
			err = entry_fail(x, i, err);
	if (err == 0)
		err = syncfs_err(x);
	for (size_t i = 0; i < rd->n && err == 0; i++)
		if (*rd->v[i].name && (err = pass3_entry(x, i)) < 0)
			err = entry_fail(x, i, err);
	if (err == 0)
		err = fix_dirs(x);
	if (err == 0)
		err = syncfs_err(x);
	return err;
}

/* Every temporary not renamed is removed (the error message stays). */
static void abort_parked(struct xctx *x)
{
	for (size_t i = 0; i < x->rd->n; i++) {
		const char *name = x->rd->v[i].name, *slash = strrchr(name, '/');
		struct outfile *o = x->slot[i] != NONE ? &x->of[x->slot[i]] : NULL;
		char dir[CPIO_NAME_MAX];
		int fd;
		if (!o || !o->tmp)
			continue;
		memcpy(dir, name, slash ? (size_t)(slash - name) : 0);
		dir[slash ? slash - name : 0] = 0;
		fd = dir_open_below(x->rootfd, dir, false);
		outfile_abort_parked(o, fd);
		if (fd >= 0)
			close(fd);
	}
}

int rd_extract(const struct ramdisk *rd, const char *dir, const struct rd_extract_opts *o,
	       struct rd_extract_stats *st, struct diag *d)
{
	struct xctx x = {.rd = rd, .st = st, .d = d, .curfd = -1};
	size_t n = rd->n ? rd->n : 1;
	int err;

	memset(st, 0, sizeof(*st));
	if (o)
		x.o = *o;
	if (d)
		d->msg[0] = 0;
	x.head = malloc(n * sizeof(*x.head));
	x.carry = malloc(n * sizeof(*x.carry));
	x.slot = malloc(n * sizeof(*x.slot));
	x.state = calloc(n, 1);
	x.of = calloc(n, sizeof(*x.of));
	if (!x.head || !x.carry || !x.slot || !x.state || !x.of ||
	    rd_link_groups(rd, x.head, x.carry) < 0) {
		err = diag_set(d, -ENOMEM, "out of memory");
		goto out;
	}
	memset(x.slot, 0xff, n * sizeof(*x.slot));
	if ((err = mkdir_p(dir, d)) < 0)
		goto out;
	if ((x.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err = diag_set(d, -errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if ((err = run(&x)) < 0)
		abort_parked(&x);
	if (x.curfd >= 0)
		close(x.curfd);
	close(x.rootfd);
out:
	free(x.head);
	free(x.carry);
	free(x.slot);
	free(x.state);
	free(x.of);
	return err;
}
