/* ramdisk.c - build, read, edit, write and extract ramdisks. See ramdisk.h. */
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

#define SPEC_MAX_TOKENS 8

void rd_init(struct ramdisk *rd, uint32_t mtime)
{
	memset(rd, 0, sizeof(*rd));
	rd->mtime = mtime;
	rd->next_ino = 1;
}

/* Release what the entry owns of its data (a host path, a buffer) and forget
 * where the data was; the name and metadata stay. */
static void entry_drop_data(struct rd_entry *e)
{
	free(e->path);
	if (e->src == RD_MEM)
		free((void *)(uintptr_t)e->data);
	e->path = NULL;
	e->data = NULL;
	e->raw = NULL;
}

static void entry_free(struct rd_entry *e)
{
	entry_drop_data(e);
	free(e->name);
}

void rd_free(struct ramdisk *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->n; i++)
		entry_free(&rd->v[i]);
	free(rd->v);
	free(rd->archive);
	memset(rd, 0, sizeof(*rd));
}

long rd_find(const struct ramdisk *rd, const char *name)
{
	for (size_t i = 0; i < rd->n; i++)
		if (strcmp(rd->v[i].name, name) == 0)
			return (long)i;
	return -1;
}

uint64_t rd_entry_size(const struct rd_entry *e)
{
	return e->m.f[CF_FILESIZE];
}

/* A new zeroed entry at the end; NULL when out of memory. */
static struct rd_entry *rd_push(struct ramdisk *rd, const char *name)
{
	struct rd_entry *e;
	char *copy = strdup(name);

	if (!copy)
		return NULL;
	if (rd->n == rd->cap) {
		size_t cap = rd->cap ? rd->cap * 2 : 64;
		struct rd_entry *v = realloc(rd->v, cap * sizeof(*v));
		if (!v) {
			free(copy);
			return NULL;
		}
		rd->v = v;
		rd->cap = cap;
	}
	e = &rd->v[rd->n++];
	memset(e, 0, sizeof(*e));
	e->name = copy;
	return e;
}

static void rd_remove_at(struct ramdisk *rd, size_t i)
{
	entry_free(&rd->v[i]);
	memmove(&rd->v[i], &rd->v[i + 1], (rd->n - i - 1) * sizeof(rd->v[0]));
	rd->n--;
}

/* ---- reading an archive ------------------------------------------------------------ */

int rd_load_archive(struct ramdisk *rd, uint8_t *buf, size_t len, struct diag *d)
{
	struct cpio_reader r;
	struct cpio_entry ce;
	char clean[CPIO_NAME_MAX];
	int err;

	rd->archive = buf;
	rd->archive_len = len;
	cpio_reader_init(&r, buf, len);
	while ((err = cpio_next(&r, &ce, d)) == 1) {
		struct rd_entry *e;
		long dup;
		if (cpio_clean_path(ce.name, clean, sizeof(clean)) < 0)
			return diag_set(d, -EINVAL,
					"entry @0x%llx \"%s\": a \"..\" component leaves the root",
					(unsigned long long)ce.off, ce.name);
		if ((dup = rd_find(rd, clean)) >= 0)
			return diag_set(d, -EEXIST,
					"entry @0x%llx \"%s\": duplicate name (first at @0x%llx)",
					(unsigned long long)ce.off, ce.name,
					(unsigned long long)(rd->v[dup].raw - buf));
		if (!(e = rd_push(rd, clean)))
			return diag_set(d, -ENOMEM, "out of memory");
		e->m = ce.m;
		e->src = RD_ORIG;
		e->raw = buf + ce.off;
		e->raw_len = (size_t)(ce.end - ce.off);
		e->data = ce.data;
		e->wname = ce.name;
		if (ce.m.f[CF_INO] >= rd->next_ino && ce.m.f[CF_INO] < UINT32_MAX)
			rd->next_ino = ce.m.f[CF_INO] + 1;
	}
	return err;
}

/* ---- building from a folder ---------------------------------------------------------- */

static void meta_set(struct cpio_meta *m, uint32_t mode, uint32_t uid, uint32_t gid,
		     uint32_t mtime)
{
	memset(m, 0, sizeof(*m));
	m->f[CF_MODE] = mode;
	m->f[CF_UID] = uid;
	m->f[CF_GID] = gid;
	m->f[CF_NLINK] = S_ISDIR(mode) ? 2 : 1;
	m->f[CF_MTIME] = mtime;
}

static int add_from_stat(struct ramdisk *rd, const char *name, const char *path,
			 const struct stat *st, struct diag *d)
{
	struct rd_entry *e = rd_push(rd, name);
	char target[CPIO_NAME_MAX];
	ssize_t n;

	if (!e)
		return diag_set(d, -ENOMEM, "out of memory");
	meta_set(&e->m, st->st_mode & (S_IFMT | 07777), 0, 0, rd->mtime);
	e->src = RD_MEM;
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		if (st->st_size > UINT32_MAX)
			return diag_set(d, -EFBIG, "%s: %lld bytes, over the 4 GiB newc limit",
					path, (long long)st->st_size);
		e->src = RD_FILE;
		e->m.f[CF_FILESIZE] = (uint32_t)st->st_size;
		if (!(e->path = strdup(path)))
			return diag_set(d, -ENOMEM, "out of memory");
		break;
	case S_IFLNK:
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			return diag_set(d, n < 0 ? -errno : -EINVAL, "%s: readlink: %s", path,
					n < 0 ? strerror(errno) : "empty");
		if (!(e->data = malloc((size_t)n)))
			return diag_set(d, -ENOMEM, "out of memory");
		memcpy((void *)(uintptr_t)e->data, target, (size_t)n);
		e->m.f[CF_FILESIZE] = (uint32_t)n;
		break;
	case S_IFCHR:
	case S_IFBLK:
		e->m.f[CF_RDEVMAJOR] = major(st->st_rdev);
		e->m.f[CF_RDEVMINOR] = minor(st->st_rdev);
		break;
	default: break;
	}
	return 0;
}

static int walk(struct ramdisk *rd, const char *dir, const char *prefix, unsigned depth,
		struct diag *d)
{
	DIR *dp;
	struct dirent *de;
	int err = 0;

	if (depth > 64)
		return diag_set(d, -ELOOP, "%s: folders nested more than 64 deep", dir);
	if (!(dp = opendir(dir)))
		return diag_set(d, -errno, "%s: %s", dir, strerror(errno));
	while (err == 0 && (errno = 0, de = readdir(dp))) {
		char path[PATH_MAX], name[CPIO_NAME_MAX];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    (size_t)snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "/" : "",
				     de->d_name) >= sizeof(name)) {
			err = diag_set(d, -ENAMETOOLONG, "%s/%s: name too long", dir, de->d_name);
			break;
		}
		if (lstat(path, &st) < 0) {
			err = diag_set(d, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (rd_find(rd, name) >= 0)
			err = diag_set(d, -EEXIST, "%s: \"%s\" is already in the ramdisk", path, name);
		else
			err = add_from_stat(rd, name, path, &st, d);
		if (err == 0 && S_ISDIR(st.st_mode))
			err = walk(rd, path, name, depth + 1, d);
	}
	if (err == 0 && errno)
		err = diag_set(d, -errno, "%s: %s", dir, strerror(errno));
	closedir(dp);
	return err;
}

int rd_add_tree(struct ramdisk *rd, const char *dir, struct diag *d)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return diag_set(d, -errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return diag_set(d, -ENOTDIR, "%s: not a folder", dir);
	return walk(rd, dir, "", 0, d);
}

/* Is the folder name lives in present? 0 (or a top-level name), -ENOENT, or
 * -ENOTDIR; parent gets the folder's name. */
static int parent_state(const struct ramdisk *rd, const char *name, char parent[CPIO_NAME_MAX])
{
	const char *slash = strrchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : 0;
	long i;

	memcpy(parent, name, n);
	parent[n] = 0;
	if (!slash)
		return 0;
	if ((i = rd_find(rd, parent)) < 0)
		return -ENOENT;
	return S_ISDIR(rd->v[i].m.f[CF_MODE]) ? 0 : -ENOTDIR;
}

int rd_add_dirs(struct ramdisk *rd, const char *name, uint32_t perm, struct diag *d)
{
	char buf[CPIO_NAME_MAX];
	size_t len = strlen(name);

	if (len >= sizeof(buf))
		return diag_set(d, -ENAMETOOLONG, "\"%s\": name too long", name);
	memcpy(buf, name, len + 1);
	for (size_t i = 0; i <= len; i++) {
		struct rd_entry *e;
		long k;
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if ((k = rd_find(rd, buf)) >= 0) {
			if (!S_ISDIR(rd->v[k].m.f[CF_MODE]))
				return diag_set(d, -ENOTDIR, "\"%s\" is in the ramdisk but not a folder",
						buf);
		} else {
			if (!(e = rd_push(rd, buf)))
				return diag_set(d, -ENOMEM, "out of memory");
			meta_set(&e->m, S_IFDIR | (i == len ? perm : 0755), 0, 0, rd->mtime);
			e->m.f[CF_INO] = rd->next_ino++;
			e->src = RD_MEM;
			e->changed = true;
		}
		buf[i] = i == len ? 0 : '/';
	}
	return 0;
}

int rd_add_file(struct ramdisk *rd, const char *name, uint32_t perm, const char *path,
		const void *data, size_t len, struct diag *d)
{
	struct rd_entry *e;
	struct stat st;
	char parent[CPIO_NAME_MAX];

	if (rd_find(rd, name) >= 0)
		return diag_set(d, -EEXIST, "\"%s\" is already in the ramdisk", name);
	if (parent_state(rd, name, parent) < 0)
		return diag_set(d, -ENOENT, "\"%s\": no folder \"%s\" in the ramdisk", name, parent);
	if (path && stat(path, &st) < 0)
		return diag_set(d, -errno, "%s: %s", path, strerror(errno));
	if (path)
		len = (size_t)st.st_size;
	if (len > UINT32_MAX)
		return diag_set(d, -EFBIG, "\"%s\": over 4 GiB", name);
	if (!(e = rd_push(rd, name)))
		return diag_set(d, -ENOMEM, "out of memory");
	meta_set(&e->m, S_IFREG | perm, 0, 0, rd->mtime);
	e->m.f[CF_INO] = rd->next_ino++;
	e->m.f[CF_FILESIZE] = (uint32_t)len;
	e->changed = true;
	if (path) {
		e->src = RD_FILE;
		e->path = strdup(path);
		if (!e->path)
			return diag_set(d, -ENOMEM, "out of memory");
		return 0;
	}
	e->src = RD_MEM;
	if (len && !(e->data = malloc(len)))
		return diag_set(d, -ENOMEM, "out of memory");
	if (len)
		memcpy((void *)(uintptr_t)e->data, data, len);
	return 0;
}

/* ---- spec and edit lines ---------------------------------------------------------------- */

struct spec_ctx {
	struct ramdisk *rd;
	const char *file, *base;
	int line;
	bool edits;
	char *tok[SPEC_MAX_TOKENS];
	unsigned ntok;
	const char *rest; /* original text from token 3 on (insert) */
	struct diag *d;
};

static int spec_err(struct spec_ctx *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int spec_err(struct spec_ctx *s, int err, const char *fmt, ...)
{
	char msg[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_set(s->d, err, "%s:%d: %s", s->file, s->line, msg);
}

static int num(struct spec_ctx *s, unsigned i, int base, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s->tok[i], &end, base);
	if (errno || *end || end == s->tok[i] || s->tok[i][0] == '-' || v > max)
		return spec_err(s, -EINVAL, "field %u \"%s\": want a %s number up to %s%lo", i + 1,
				s->tok[i], base == 8 ? "octal" : "decimal", base == 8 ? "0" : "",
				(unsigned long)max);
	*out = (uint32_t)v;
	return 0;
}

static int name_arg(struct spec_ctx *s, unsigned i, char *out, size_t cap)
{
	int err = cpio_clean_path(s->tok[i], out, cap);

	if (err == -EINVAL)
		return spec_err(s, err, "name \"%s\": \"..\" is not allowed", s->tok[i]);
	if (err < 0)
		return spec_err(s, err, "name \"%s\" is too long", s->tok[i]);
	if (!*out)
		return spec_err(s, -EINVAL, "name \"%s\" is the root", s->tok[i]);
	return 0;
}

/* The parent of name must exist as a folder (or be the root). */
static int need_parent(struct spec_ctx *s, const char *name)
{
	char parent[CPIO_NAME_MAX];
	int err = parent_state(s->rd, name, parent);

	if (err == -ENOENT && s->edits)
		return spec_err(s, err, "\"%s\": folder \"%s\" is not in the ramdisk", name,
				parent);
	if (err == -ENOTDIR)
		return spec_err(s, err, "\"%s\": \"%s\" is not a folder", name, parent);
	return 0;
}

static bool under(const char *name, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(name, dir, n) && name[n] == '/';
}

/* The entry to (re)define for name: a new one, or the old one reset. */
static int define(struct spec_ctx *s, const char *name, uint32_t mode, uint32_t uid, uint32_t gid,
		  struct rd_entry **out)
{
	long i = rd_find(s->rd, name);
	struct rd_entry *e;
	uint32_t ino = 0;
	int err;

	if (i >= 0 && s->rd->v[i].line)
		return spec_err(s, -EEXIST, "\"%s\" is already defined on line %d", name,
				s->rd->v[i].line);
	if ((err = need_parent(s, name)) < 0)
		return err;
	if (i >= 0) {
		e = &s->rd->v[i];
		if (S_ISDIR(e->m.f[CF_MODE]) && !S_ISDIR(mode))
			for (size_t k = 0; k < s->rd->n; k++)
				if (under(s->rd->v[k].name, name))
					return spec_err(s, -ENOTEMPTY,
							"\"%s\" is a folder with entries; rmtree it "
							"first",
							name);
		ino = e->src == RD_ORIG ? e->m.f[CF_INO] : 0;
		entry_drop_data(e);
		e->wname = NULL;
	} else if (!(e = rd_push(s->rd, name))) {
		return spec_err(s, -ENOMEM, "out of memory");
	}
	e->src = RD_MEM;
	e->changed = true;
	e->line = s->line;
	if (!ino && s->edits)
		ino = s->rd->next_ino++;
	meta_set(&e->m, mode, uid, gid, s->rd->mtime);
	e->m.f[CF_INO] = ino;
	*out = e;
	return 0;
}

static const struct {
	const char *verb;
	uint32_t type;
	unsigned ntok; /* with the verb */
} node_verbs[] = {
	{"dir", S_IFDIR, 5},  {"pipe", S_IFIFO, 5}, {"sock", S_IFSOCK, 5},
	{"nod", 0, 8},	      {"file", S_IFREG, 6}, {"slink", S_IFLNK, 6},
};

static int spec_node(struct spec_ctx *s, unsigned v)
{
	char name[CPIO_NAME_MAX];
	uint32_t mode, uid, gid, type = node_verbs[v].type;
	unsigned a = node_verbs[v].ntok == 6 ? 3 : 2; /* index of MODE */
	struct rd_entry *e;
	int err;

	if (s->ntok != node_verbs[v].ntok)
		return spec_err(s, -EINVAL, "%s takes %u fields, not %u", node_verbs[v].verb,
				node_verbs[v].ntok - 1, s->ntok - 1);
	if ((err = name_arg(s, 1, name, sizeof(name))) < 0 ||
	    (err = num(s, a, 8, 07777, &mode)) < 0 || (err = num(s, a + 1, 10, UINT32_MAX, &uid)) < 0 ||
	    (err = num(s, a + 2, 10, UINT32_MAX, &gid)) < 0)
		return err;
	if (type == 0) { /* nod NAME MODE UID GID b|c MAJ MIN */
		uint32_t maj, mn;
		if (strcmp(s->tok[5], "b") && strcmp(s->tok[5], "c"))
			return spec_err(s, -EINVAL, "device type \"%s\": want b or c", s->tok[5]);
		if ((err = num(s, 6, 10, 4095, &maj)) < 0 || (err = num(s, 7, 10, 1048575, &mn)) < 0)
			return err;
		type = s->tok[5][0] == 'b' ? S_IFBLK : S_IFCHR;
		if ((err = define(s, name, type | mode, uid, gid, &e)) < 0)
			return err;
		e->m.f[CF_RDEVMAJOR] = maj;
		e->m.f[CF_RDEVMINOR] = mn;
		return 0;
	}
	if (type == S_IFREG) {
		struct stat st;
		char path[PATH_MAX];
		const char *loc = s->tok[2];
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s",
				     loc[0] != '/' && s->base ? s->base : "",
				     loc[0] != '/' && s->base ? "/" : "", loc) >= sizeof(path))
			return spec_err(s, -ENAMETOOLONG, "file \"%s\": path too long", loc);
		if (stat(path, &st) < 0)
			return spec_err(s, -errno, "file \"%s\": %s", path, strerror(errno));
		if (!S_ISREG(st.st_mode) || st.st_size > UINT32_MAX)
			return spec_err(s, -EINVAL, "file \"%s\": not a regular file under 4 GiB",
					path);
		if ((err = define(s, name, type | mode, uid, gid, &e)) < 0)
			return err;
		e->m.f[CF_FILESIZE] = (uint32_t)st.st_size;
		e->src = RD_FILE;
		if (!(e->path = strdup(path)))
			return spec_err(s, -ENOMEM, "out of memory");
		return 0;
	}
	size_t tl = type == S_IFLNK ? strlen(s->tok[2]) : 0;
	if (type == S_IFLNK && (tl == 0 || tl >= CPIO_NAME_MAX))
		return spec_err(s, -EINVAL, "link target of %zu bytes", tl);
	if ((err = define(s, name, type | mode, uid, gid, &e)) < 0)
		return err;
	if (tl) {
		if (!(e->data = malloc(tl)))
			return spec_err(s, -ENOMEM, "out of memory");
		memcpy((void *)(uintptr_t)e->data, s->tok[2], tl);
		e->m.f[CF_FILESIZE] = (uint32_t)tl;
	}
	return 0;
}

static int spec_rm(struct spec_ctx *s, bool tree)
{
	char name[CPIO_NAME_MAX];
	long i;
	int err;

	if (s->ntok != 2)
		return spec_err(s, -EINVAL, "%s takes 1 field", s->tok[0]);
	if ((err = name_arg(s, 1, name, sizeof(name))) < 0)
		return err;
	if ((i = rd_find(s->rd, name)) < 0)
		return spec_err(s, -ENOENT, "\"%s\" is not in the ramdisk", name);
	for (size_t k = s->rd->n; k-- > 0;) {
		if (!under(s->rd->v[k].name, name))
			continue;
		if (!tree)
			return spec_err(s, -ENOTEMPTY, "\"%s\" is a folder with entries (rmtree?)",
					name);
		rd_remove_at(s->rd, k);
	}
	rd_remove_at(s->rd, (size_t)rd_find(s->rd, name));
	return 0;
}

static int rename_entry(struct rd_entry *e, const char *to, size_t keep)
{
	size_t n = strlen(to) + strlen(e->name + keep) + 1;
	char *nn = malloc(n);

	if (!nn)
		return -ENOMEM;
	snprintf(nn, n, "%s%s", to, e->name + keep);
	free(e->name);
	e->name = nn;
	e->wname = NULL;
	e->changed = true;
	return 0;
}

static int spec_mv(struct spec_ctx *s)
{
	char from[CPIO_NAME_MAX], to[CPIO_NAME_MAX];
	size_t fl;
	long i;
	int err;

	if (s->ntok != 3)
		return spec_err(s, -EINVAL, "mv takes 2 fields");
	if ((err = name_arg(s, 1, from, sizeof(from))) < 0 ||
	    (err = name_arg(s, 2, to, sizeof(to))) < 0)
		return err;
	if ((i = rd_find(s->rd, from)) < 0)
		return spec_err(s, -ENOENT, "\"%s\" is not in the ramdisk", from);
	if (rd_find(s->rd, to) >= 0)
		return spec_err(s, -EEXIST, "\"%s\" is already in the ramdisk", to);
	if (under(to, from))
		return spec_err(s, -EINVAL, "cannot move \"%s\" into itself", from);
	if ((err = need_parent(s, to)) < 0)
		return err;
	fl = strlen(from);
	for (size_t k = 0; k < s->rd->n; k++)
		if ((k == (size_t)i || under(s->rd->v[k].name, from)) &&
		    rename_entry(&s->rd->v[k], to, fl) < 0)
			return spec_err(s, -ENOMEM, "out of memory");
	return 0;
}

/* The data of a regular-file entry, read into memory when it is a file. */
static int entry_bytes(struct spec_ctx *s, struct rd_entry *e)
{
	uint8_t *buf;
	size_t len;
	struct diag d2;

	if (e->src != RD_FILE)
		return 0;
	if (file_read_small(e->path, 64u << 20, &buf, &len, &d2) < 0)
		return spec_err(s, -EIO, "%s", d2.msg);
	entry_drop_data(e);
	e->data = buf;
	e->src = RD_MEM;
	e->m.f[CF_FILESIZE] = (uint32_t)len;
	return 0;
}

static bool has_line(const uint8_t *p, size_t n, const char *text)
{
	size_t tl = strlen(text);

	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t ll = nl ? (size_t)(nl - (p + i)) : n - i;
		if (ll && p[i + ll - 1] == '\r')
			ll--;
		if (ll == tl && !memcmp(p + i, text, tl))
			return true;
		i += (nl ? (size_t)(nl - (p + i)) + 1 : n - i);
	}
	return false;
}

/* Offset where the new line goes, or -1 when after=PREFIX finds no line. */
static long insert_at(const uint8_t *p, size_t n, const char *where)
{
	size_t pl;

	if (!strcmp(where, "top"))
		return 0;
	if (!strcmp(where, "bottom"))
		return (long)n;
	pl = strlen(where + 6);
	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t next = nl ? (size_t)(nl - p) + 1 : n;
		if (n - i >= pl && !memcmp(p + i, where + 6, pl))
			return (long)next;
		i = next;
	}
	return -1;
}

static int spec_insert(struct spec_ctx *s)
{
	char name[CPIO_NAME_MAX];
	const char *where = s->ntok > 2 ? s->tok[2] : "";
	struct rd_entry *e;
	size_t n, tl;
	uint8_t *nb;
	long i, at;
	int err;

	if (s->ntok < 4 || !s->rest)
		return spec_err(s, -EINVAL, "insert takes NAME WHERE TEXT...");
	if (strcmp(where, "top") && strcmp(where, "bottom") &&
	    (strncmp(where, "after=", 6) || !where[6]))
		return spec_err(s, -EINVAL, "WHERE \"%s\": want top, bottom or after=PREFIX",
				where);
	if ((err = name_arg(s, 1, name, sizeof(name))) < 0)
		return err;
	if ((i = rd_find(s->rd, name)) < 0 || !S_ISREG(s->rd->v[i].m.f[CF_MODE]))
		return spec_err(s, -ENOENT, "\"%s\" is not a file in the ramdisk", name);
	e = &s->rd->v[i];
	if ((err = entry_bytes(s, e)) < 0)
		return err;
	n = e->m.f[CF_FILESIZE];
	if (has_line(e->data, n, s->rest))
		return 0; /* idempotent */
	if ((at = insert_at(e->data, n, where)) < 0)
		return spec_err(s, -ENOENT, "\"%s\": no line starts with \"%s\"", name, where + 6);
	tl = strlen(s->rest);
	/* a file without a final newline gets one before a line added after it */
	bool nl_before = at == (long)n && n && e->data[n - 1] != '\n';
	if (n + tl + 2 > UINT32_MAX || !(nb = malloc(n + tl + 2)))
		return spec_err(s, -ENOMEM, "out of memory");
	memcpy(nb, e->data, (size_t)at);
	size_t o = (size_t)at;
	if (nl_before)
		nb[o++] = '\n';
	memcpy(nb + o, s->rest, tl);
	o += tl;
	nb[o++] = '\n';
	memcpy(nb + o, e->data + at, n - (size_t)at);
	o += n - (size_t)at;
	entry_drop_data(e);
	e->src = RD_MEM;
	e->data = nb;
	e->changed = true;
	e->m.f[CF_FILESIZE] = (uint32_t)o;
	return 0;
}

static int spec_line(struct spec_ctx *s, char *line, char *raw)
{
	const char *orig_rest = NULL;
	char *p = line;

	s->ntok = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (s->ntok == 3)
			orig_rest = raw + (p - line);
		if (s->ntok == SPEC_MAX_TOKENS) {
			if (s->edits && !strcmp(s->tok[0], "insert"))
				break;
			return spec_err(s, -EINVAL, "too many fields");
		}
		/* "quoted parts" of a field may hold spaces; the quotes go */
		char *w = p;
		bool q = false;
		s->tok[s->ntok++] = p;
		while (*p && (q || (*p != ' ' && *p != '\t' && *p != '\r'))) {
			if (*p == '"')
				q = !q, p++;
			else
				*w++ = *p++;
		}
		if (q)
			return spec_err(s, -EINVAL, "unterminated quote");
		if (*p && s->ntok < SPEC_MAX_TOKENS)
			p++;
		*w = 0;
	}
	if (s->ntok == 0)
		return 0;
	for (unsigned v = 0; v < sizeof(node_verbs) / sizeof(node_verbs[0]); v++)
		if (!strcmp(s->tok[0], node_verbs[v].verb))
			return spec_node(s, v);
	if (s->edits) {
		if (!strcmp(s->tok[0], "rm") || !strcmp(s->tok[0], "rmtree"))
			return spec_rm(s, s->tok[0][1] == 'm' && s->tok[0][2] == 't');
		if (!strcmp(s->tok[0], "mv"))
			return spec_mv(s);
		if (!strcmp(s->tok[0], "insert")) {
			size_t rl = orig_rest ? strlen(orig_rest) : 0;
			while (rl && strchr(" \t\r", orig_rest[rl - 1]))
				raw[(orig_rest - raw) + (long)--rl] = 0;
			if (rl >= 2 && orig_rest[0] == '"' && orig_rest[rl - 1] == '"') {
				raw[(orig_rest - raw) + (long)rl - 1] = 0;
				orig_rest++;
			}
			s->rest = orig_rest;
			return spec_insert(s);
		}
	}
	return spec_err(s, -EINVAL, "unknown verb \"%s\"%s", s->tok[0],
			s->edits ? "" : " (file dir nod slink pipe sock)");
}

int rd_apply_spec(struct ramdisk *rd, const char *text, size_t len, const char *file,
		  const char *base, bool edits, struct diag *d)
{
	struct spec_ctx s = {.rd = rd, .file = file, .base = base, .edits = edits, .d = d};
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
		char *line = malloc(ll + 1), *raw;
		int err;
		s.line++;
		if (!line || !(raw = malloc(ll + 1))) {
			free(line);
			return diag_set(d, -ENOMEM, "out of memory");
		}
		memcpy(line, text + i, ll);
		line[ll] = 0;
		if (memchr(line, 0, ll)) {
			free(line);
			free(raw);
			return diag_set(d, -EINVAL, "%s:%d: NUL byte in the line", file, s.line);
		}
		memcpy(raw, line, ll + 1); /* insert's TEXT keeps its spaces */
		err = spec_line(&s, line, raw);
		s.rest = NULL;
		free(line);
		free(raw);
		if (err < 0)
			return err;
		i += ll + (nl ? 1 : 0);
	}
	return 0;
}

/* ---- writing ---------------------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct rd_entry *)a)->name, ((const struct rd_entry *)b)->name);
}

void rd_sort(struct ramdisk *rd)
{
	if (rd->n)
		qsort(rd->v, rd->n, sizeof(rd->v[0]), cmp_name);
	for (size_t i = 0; i < rd->n; i++)
		rd->v[i].m.f[CF_INO] = (uint32_t)(i + 1);
	rd->next_ino = (uint32_t)rd->n + 1;
}

/* Each new or changed entry's folder must come before it in the archive. */
static int check_order(const struct ramdisk *rd, struct diag *d)
{
	for (size_t i = 0; i < rd->n; i++) {
		const char *name = rd->v[i].name, *slash = strrchr(name, '/');
		bool found = false;
		if (!slash || (rd->v[i].src == RD_ORIG && !rd->v[i].changed))
			continue;
		for (size_t k = 0; k < i && !found; k++)
			found = !strncmp(rd->v[k].name, name, (size_t)(slash - name)) &&
				rd->v[k].name[slash - name] == 0 && S_ISDIR(rd->v[k].m.f[CF_MODE]);
		if (!found)
			return diag_set(d, -ENOENT,
					"\"%s\": its folder is not in the ramdisk before it (add a dir "
					"line)",
					name);
	}
	return 0;
}

static int write_file_data(struct cpio_writer *w, const struct rd_entry *e, struct diag *d)
{
	uint8_t buf[1u << 16];
	uint64_t left = e->m.f[CF_FILESIZE];
	int fd = open(e->path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return diag_set(d, -errno, "%s: %s", e->path, strerror(errno));
	while (left && err == 0) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = diag_set(d, n < 0 ? -errno : -EIO, "%s: %s", e->path,
				       n < 0 ? strerror(errno) : "shrank while being read");
		else if ((err = cpio_write_data(w, buf, (size_t)n)) < 0)
			err = diag_set(d, err, "writing the archive: %s", strerror(-err));
		else
			left -= (uint64_t)n;
	}
	close(fd);
	return err;
}

int rd_write(const struct ramdisk *rd, struct sink *out, struct diag *d)
{
	struct cpio_writer w;
	int err;

	if ((err = check_order(rd, d)) < 0)
		return err;
	cpio_writer_init(&w, out);
	for (size_t i = 0; i < rd->n; i++) {
		const struct rd_entry *e = &rd->v[i];
		if (e->src == RD_ORIG && !e->changed) {
			err = cpio_write_raw(&w, e->raw, e->raw_len);
		} else if (!*e->name && !e->wname) {
			continue; /* the root of a built archive is not written */
		} else {
			err = cpio_write_header(&w, &e->m, e->wname ? e->wname : e->name);
			if (err == 0 && e->src == RD_FILE)
				err = write_file_data(&w, e, d);
			else if (err == 0)
				err = cpio_write_data(&w, e->data, e->m.f[CF_FILESIZE]);
			if (err == 0)
				err = cpio_end_entry(&w);
		}
		if (err < 0)
			return d->msg[0] ? err
					 : diag_set(d, err, "writing \"%s\": %s", e->name,
						    strerror(-err));
	}
	if ((err = cpio_write_trailer(&w)) < 0)
		return diag_set(d, err, "writing the trailer: %s", strerror(-err));
	return 0;
}

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
