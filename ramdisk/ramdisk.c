/* ramdisk.c - a ramdisk as a list of entries: read, built from a folder,
 * written. Spec and edit lines are in spec.c, extraction in extract.c. */
#include "ramdisk/ramdisk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "ramdisk/rd_internal.h"

void rd_init(struct ramdisk *rd, uint32_t mtime)
{
	memset(rd, 0, sizeof(*rd));
	rd->mtime = mtime;
	rd->next_ino = 1;
	if (getrandom(&rd->seed, sizeof(rd->seed), GRND_NONBLOCK) != (ssize_t)sizeof(rd->seed))
		rd->seed = (uint64_t)(uintptr_t)rd * 0x9e3779b97f4a7c15ull; /* still per ramdisk */
}

/* ---- the name index ------------------------------------------------------------------
 * Open addressing over entry indexes (a slot holds index + 1, 0 is empty),
 * linear probing, a power-of-two table at least twice the entries. The hash
 * is FNV-1a from a per-ramdisk random seed, finished by a 64-bit mixer, so
 * names crafted to share a bucket cannot be made ahead of time. When the
 * index is stale (entries removed or renamed and not yet reindexed, or no
 * memory to rebuild it) rd_find searches linearly: slower, never wrong. */

static uint64_t name_hash(uint64_t seed, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static void index_put(struct ramdisk *rd, size_t i)
{
	size_t mask = rd->index_cap - 1, k = (size_t)name_hash(rd->seed, rd->v[i].name) & mask;

	while (rd->index[k])
		k = (k + 1) & mask;
	rd->index[k] = (uint32_t)(i + 1);
}

int rd_reindex(struct ramdisk *rd)
{
	size_t cap = 64;

	while (cap < rd->n * 2 + 2)
		cap *= 2;
	free(rd->index);
	rd->index_cap = 0;
	rd->index_stale = true;
	if (!(rd->index = calloc(cap, sizeof(*rd->index))))
		return -ENOMEM;
	rd->index_cap = cap;
	for (size_t i = 0; i < rd->n; i++)
		index_put(rd, i);
	rd->index_stale = false;
	return 0;
}

/* Release what the entry owns of its data (a host path, a buffer) and forget
 * where the data was; the name and metadata stay. */
void entry_drop_data(struct rd_entry *e)
{
	free(e->path);
	if (e->src == RD_MEM)
		free((void *)(uintptr_t)e->data);
	e->path = NULL;
	e->data = NULL;
	e->raw = NULL;
}

void entry_set_wname(struct rd_entry *e, char *owned)
{
	if (e->wname_owned)
		free((void *)(uintptr_t)e->wname);
	e->wname = owned;
	e->wname_owned = owned != NULL;
}

static void entry_free(struct rd_entry *e)
{
	entry_drop_data(e);
	entry_set_wname(e, NULL);
	free(e->name);
}

void rd_free(struct ramdisk *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->n; i++)
		entry_free(&rd->v[i]);
	free(rd->v);
	free(rd->tr);
	free(rd->index);
	free(rd->archive);
	memset(rd, 0, sizeof(*rd));
}

long rd_find(const struct ramdisk *rd, const char *name)
{
	size_t mask, k;

	if (!rd->index || rd->index_stale) {
		for (size_t i = 0; i < rd->n; i++)
			if (strcmp(rd->v[i].name, name) == 0)
				return (long)i;
		return -1;
	}
	mask = rd->index_cap - 1;
	for (k = (size_t)name_hash(rd->seed, name) & mask; rd->index[k]; k = (k + 1) & mask)
		if (strcmp(rd->v[rd->index[k] - 1].name, name) == 0)
			return (long)rd->index[k] - 1;
	return -1;
}

uint64_t rd_entry_size(const struct rd_entry *e)
{
	return e->m.f[CF_FILESIZE];
}

/* A new zeroed entry at the end; NULL when out of memory. */
struct rd_entry *rd_push(struct ramdisk *rd, const char *name)
{
	struct rd_entry *e;
	char *copy = strdup(name);

	if (!copy || rd->n >= UINT32_MAX - 1) { /* index slots are 32 bits */
		free(copy);
		return NULL;
	}
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
	e->arch = rd->cur_arch;
	if (rd->index_stale)
		return e; /* rebuilt by the next rd_reindex */
	if (rd->n * 2 > rd->index_cap)
		rd_reindex(rd); /* grows it; on failure it is stale, and rd_find linear */
	else
		index_put(rd, rd->n - 1);
	return e;
}

void rd_remove_if(struct ramdisk *rd, bool (*gone)(const struct rd_entry *e, const void *ctx),
		  const void *ctx)
{
	size_t o = 0;

	for (size_t i = 0; i < rd->n; i++) {
		if (gone(&rd->v[i], ctx))
			entry_free(&rd->v[i]);
		else
			rd->v[o++] = rd->v[i];
	}
	if (o != rd->n) {
		rd->n = o;
		rd_reindex(rd);
	}
}

/* ---- reading an archive ------------------------------------------------------------ */

struct rd_trailer *rd_push_trailer(struct ramdisk *rd)
{
	if (rd->ntr == rd->trcap) {
		size_t cap = rd->trcap ? rd->trcap * 2 : 4;
		struct rd_trailer *t = realloc(rd->tr, cap * sizeof(*t));
		if (!t)
			return NULL;
		rd->tr = t;
		rd->trcap = cap;
	}
	memset(&rd->tr[rd->ntr], 0, sizeof(rd->tr[0]));
	rd->cur_arch = (unsigned)++rd->ntr;
	return &rd->tr[rd->ntr - 1];
}

/* The NUL bytes after a trailer: to a 512-byte boundary (cpio's blocks, kept
 * so when entries change size) or a count as it is. */
static void trailer_gap(struct rd_trailer *t, size_t end, size_t next)
{
	t->pad = next - end;
	t->align512 = t->pad < 512 && next % 512 == 0;
}

static int load_entry(struct ramdisk *rd, const struct cpio_entry *ce, struct diag *d)
{
	char clean[CPIO_NAME_MAX], nb[ESC_SHOW_MAX];
	struct rd_entry *e;
	long dup;

	if (cpio_clean_path(ce->name, clean, sizeof(clean)) < 0)
		return diag_set(d, -EINVAL,
				"entry @0x%llx \"%s\": a \"..\" component leaves the root",
				(unsigned long long)ce->off, esc_show(nb, ce->name));
	if ((dup = rd_find(rd, clean)) >= 0)
		return diag_set(d, -EEXIST,
				"entry @0x%llx \"%s\": duplicate name (first at @0x%llx)",
				(unsigned long long)ce->off, esc_show(nb, ce->name),
				(unsigned long long)(rd->v[dup].raw - rd->archive));
	if (!(e = rd_push(rd, clean)))
		return diag_set(d, -ENOMEM, "out of memory");
	e->m = ce->m;
	e->src = RD_ORIG;
	e->raw = rd->archive + ce->off;
	e->raw_len = (size_t)(ce->end - ce->off);
	e->data = ce->data;
	e->wname = ce->name;
	if (ce->m.f[CF_INO] >= rd->next_ino && ce->m.f[CF_INO] < UINT32_MAX)
		rd->next_ino = ce->m.f[CF_INO] + 1;
	return 0;
}

int rd_load_archive(struct ramdisk *rd, uint8_t *buf, size_t len, struct diag *d)
{
	struct cpio_reader r;
	struct cpio_entry ce;
	struct rd_trailer *t = NULL;
	size_t t_end = 0;
	int err;

	rd->archive = buf;
	rd->archive_len = len;
	cpio_reader_init(&r, buf, len);
	r.trailers = true;
	while ((err = cpio_next(&r, &ce, d)) > 0) {
		if (t) /* the gap after the last trailer ends where this entry starts */
			trailer_gap(t, t_end, (size_t)ce.off);
		t = NULL;
		if (err == 1 && (err = load_entry(rd, &ce, d)) < 0)
			return err;
		if (err != 2)
			continue;
		if (!(t = rd_push_trailer(rd)))
			return diag_set(d, -ENOMEM, "out of memory");
		t->m = ce.m;
		t->raw = buf + ce.off;
		t->raw_len = (size_t)(ce.end - ce.off);
		t_end = (size_t)ce.end;
	}
	if (t)
		trailer_gap(t, t_end, len);
	/* entries an edit adds go into the last archive, before its trailer,
	 * written in its case (AOSP's mkbootfs: lower) */
	rd->cur_arch = rd->ntr ? (unsigned)rd->ntr - 1 : 0;
	rd->hex_lower = rd->ntr && rd->tr[rd->ntr - 1].m.lower;
	return err;
}

/* ---- hard link groups of an archive ----------------------------------------------
 * The kernel's rule (init/initramfs.c): entries other than folders and
 * symlinks with nlink >= 2 are one file when devmajor, devminor, ino and the
 * file type match; a trailer empties the table. */

struct lkey {
	uint32_t arch, maj, min, ino, type, idx;
};

static int cmp_key(const struct lkey *x, const struct lkey *y)
{
	const uint32_t kx[5] = {x->arch, x->maj, x->min, x->ino, x->type},
		       ky[5] = {y->arch, y->maj, y->min, y->ino, y->type};

	for (int i = 0; i < 5; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

/* By key, then archive order. */
static int cmp_lkey(const void *a, const void *b)
{
	const struct lkey *x = a, *y = b;
	int c = cmp_key(x, y);

	return c ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool linkable(const struct rd_entry *e)
{
	uint32_t t = e->m.f[CF_MODE] & S_IFMT;

	return e->m.f[CF_NLINK] >= 2 && rd_known_type(t) && t != S_IFDIR && t != S_IFLNK;
}

int rd_link_groups(const struct ramdisk *rd, uint32_t *head, uint32_t *carry)
{
	struct lkey *k = malloc((rd->n ? rd->n : 1) * sizeof(*k));
	size_t nk = 0;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < rd->n; i++) {
		const struct rd_entry *e = &rd->v[i];
		head[i] = carry[i] = (uint32_t)i;
		if (*e->name && linkable(e))
			k[nk++] = (struct lkey){
			    e->arch,	    e->m.f[CF_DEVMAJOR],      e->m.f[CF_DEVMINOR],
			    e->m.f[CF_INO], e->m.f[CF_MODE] & S_IFMT, (uint32_t)i};
	}
	qsort(k, nk, sizeof(*k), cmp_lkey);
	for (size_t a = 0, b; a < nk; a = b) {
		uint32_t h = k[a].idx, c = h;
		for (b = a; b < nk && cmp_key(&k[a], &k[b]) == 0; b++) {
			head[k[b].idx] = h;
			if (k[a].type == S_IFREG &&
			    (rd->v[k[b].idx].m.f[CF_FILESIZE] || !rd->v[c].m.f[CF_FILESIZE]))
				c = k[b].idx;
		}
		carry[h] = c;
	}
	free(k);
	return 0;
}

/* ---- building from a folder ---------------------------------------------------------- */

void meta_set(struct cpio_meta *m, uint32_t mode, uint32_t uid, uint32_t gid, uint32_t mtime)
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
	e->m.lower = rd->hex_lower;
	e->src = RD_MEM;
	if (st->st_nlink > 1 && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode)) {
		e->hl = true; /* rd_sort makes the names one inode */
		e->hl_dev = st->st_dev;
		e->hl_ino = st->st_ino;
	}
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
		char path[PATH_MAX], name[CPIO_NAME_MAX], nb[ESC_SHOW_MAX];
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strfmt(path, sizeof(path), "%s/%s", dir, de->d_name) < 0 ||
		    strfmt(name, sizeof(name), "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) <
			0) {
			err = diag_set(d, -ENAMETOOLONG, "%s/%s: name too long", dir, de->d_name);
			break;
		}
		if (lstat(path, &st) < 0) {
			err = diag_set(d, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (rd_find(rd, name) >= 0)
			err = diag_set(d, -EEXIST, "%s: \"%s\" is already in the ramdisk", path,
				       esc_show(nb, name));
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
int parent_state(const struct ramdisk *rd, const char *name, char parent[CPIO_NAME_MAX])
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
	char buf[CPIO_NAME_MAX], nb[ESC_SHOW_MAX];
	size_t len = strlen(name);

	if (len >= sizeof(buf))
		return diag_set(d, -ENAMETOOLONG, "\"%s\": name too long", esc_show(nb, name));
	memcpy(buf, name, len + 1);
	for (size_t i = 0; i <= len; i++) {
		struct rd_entry *e;
		long k;
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if ((k = rd_find(rd, buf)) >= 0) {
			if (!S_ISDIR(rd->v[k].m.f[CF_MODE]))
				return diag_set(d, -ENOTDIR,
						"\"%s\" is in the ramdisk but not a folder",
						esc_show(nb, buf));
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
	char parent[CPIO_NAME_MAX], nb[ESC_SHOW_MAX], pb[ESC_SHOW_MAX];

	if (rd_find(rd, name) >= 0)
		return diag_set(d, -EEXIST, "\"%s\" is already in the ramdisk", esc_show(nb, name));
	if (parent_state(rd, name, parent) < 0)
		return diag_set(d, -ENOENT, "\"%s\": no folder \"%s\" in the ramdisk",
				esc_show(nb, name), esc_show(pb, parent));
	if (path && stat(path, &st) < 0)
		return diag_set(d, -errno, "%s: %s", path, strerror(errno));
	if (path)
		len = (size_t)st.st_size;
	if (len > UINT32_MAX)
		return diag_set(d, -EFBIG, "\"%s\": over 4 GiB", esc_show(nb, name));
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

/* ---- writing ----------------------------------------------------------------------------------
 */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct rd_entry *)a)->name, ((const struct rd_entry *)b)->name);
}

struct hkey {
	uint64_t dev, ino;
	size_t idx;
};

static int cmp_hkey(const void *a, const void *b)
{
	const struct hkey *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* head[i]: the first name of entry i's host inode (i itself if none); the
 * names but the last lose their data, all get nlink = the number of names,
 * as GNU cpio writes them (the data on the last name). */
static int link_groups(struct ramdisk *rd, size_t *head)
{
	struct hkey *k = malloc((rd->n ? rd->n : 1) * sizeof(*k));
	size_t nk = 0;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < rd->n; i++) {
		head[i] = i;
		if (rd->v[i].hl)
			k[nk++] = (struct hkey){rd->v[i].hl_dev, rd->v[i].hl_ino, i};
	}
	qsort(k, nk, sizeof(*k), cmp_hkey);
	for (size_t a = 0, b; a < nk; a = b) {
		for (b = a; b < nk && k[b].dev == k[a].dev && k[b].ino == k[a].ino; b++)
			head[k[b].idx] = k[a].idx;
		for (size_t j = a; j < b && b - a > 1; j++) {
			struct rd_entry *e = &rd->v[k[j].idx];
			e->m.f[CF_NLINK] = (uint32_t)(b - a);
			if (j + 1 < b && S_ISREG(e->m.f[CF_MODE])) {
				entry_drop_data(e);
				e->src = RD_MEM;
				e->m.f[CF_FILESIZE] = 0;
			}
		}
	}
	free(k);
	return 0;
}

int rd_sort(struct ramdisk *rd)
{
	size_t *head = malloc((rd->n ? rd->n : 1) * sizeof(*head));
	uint32_t ino = 1;
	int err;

	if (rd->n)
		qsort(rd->v, rd->n, sizeof(rd->v[0]), cmp_name);
	if (!head || (err = link_groups(rd, head)) < 0) {
		free(head);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rd->n; i++)
		rd->v[i].m.f[CF_INO] = head[i] == i ? ino++ : rd->v[head[i]].m.f[CF_INO];
	rd->next_ino = ino;
	free(head);
	return rd_reindex(rd);
}

/* Each new or changed entry's folder must come before it in the archive. */
static int check_order(const struct ramdisk *rd, struct diag *d)
{
	char parent[CPIO_NAME_MAX], nb[ESC_SHOW_MAX];

	for (size_t i = 0; i < rd->n; i++) {
		const char *name = rd->v[i].name, *slash = strrchr(name, '/');
		long k;
		if (!slash || (rd->v[i].src == RD_ORIG && !rd->v[i].changed) || rd->v[i].kept_order)
			continue; /* as read, or where an exact spec put it */
		memcpy(parent, name, (size_t)(slash - name));
		parent[slash - name] = 0;
		k = rd_find(rd, parent);
		if (k < 0 || (size_t)k >= i || !S_ISDIR(rd->v[k].m.f[CF_MODE]))
			return diag_set(
			    d, -ENOENT,
			    "\"%s\": its folder is not in the ramdisk before it (add a dir "
			    "line)",
			    esc_show(nb, name));
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

/* The byte sum of a 070702 entry's data, for its check field. */
static int data_sum(const struct rd_entry *e, uint32_t *sum, struct diag *d)
{
	uint8_t *buf = NULL;
	const uint8_t *p = e->data;
	size_t n = e->m.f[CF_FILESIZE];
	int err;

	if (e->src == RD_FILE) {
		if ((err = file_read_small(e->path, n, &buf, &n, d)) < 0)
			return err;
		p = buf;
	}
	*sum = 0;
	for (size_t i = 0; i < n && p; i++)
		*sum += p[i];
	free(buf);
	return 0;
}

static int write_entry(struct cpio_writer *w, const struct rd_entry *e, struct diag *d)
{
	struct cpio_meta m = e->m;
	int err;

	if (e->src == RD_ORIG && !e->changed)
		return cpio_write_raw(w, e->raw, e->raw_len);
	if (m.crc && e->check_auto && (err = data_sum(e, &m.f[CF_CHECK], d)) < 0)
		return err;
	err = cpio_write_header(w, &m, e->wname ? e->wname : e->name);
	if (err == 0 && e->src == RD_FILE)
		err = write_file_data(w, e, d);
	else if (err == 0)
		err = cpio_write_data(w, e->data, e->m.f[CF_FILESIZE]);
	return err ? err : cpio_end_entry(w);
}

static int write_trailer(struct cpio_writer *w, const struct rd_trailer *t)
{
	static const uint8_t z[512];
	uint64_t pad;
	int err;

	if (t->raw)
		err = cpio_write_raw(w, t->raw, t->raw_len);
	else if ((err = cpio_write_header(w, &t->m, CPIO_TRAILER)) == 0)
		err = cpio_end_entry(w);
	w->entries--; /* not an entry */
	pad = t->align512 ? (512 - (w->off & 511)) & 511 : t->pad;
	while (err == 0 && pad) {
		size_t k = pad < sizeof(z) ? (size_t)pad : sizeof(z);
		err = cpio_write_data(w, z, k);
		pad -= k;
	}
	return err;
}

int rd_write(const struct ramdisk *rd, struct sink *out, struct diag *d)
{
	char nb[ESC_SHOW_MAX];
	struct cpio_writer w;
	size_t t = 0;
	bool open = rd->ntr == 0; /* entries since the last trailer written */
	int err;

	if ((err = check_order(rd, d)) < 0)
		return err;
	cpio_writer_init(&w, out);
	for (size_t i = 0; i < rd->n; i++) {
		const struct rd_entry *e = &rd->v[i];
		for (; t < rd->ntr && t < e->arch; t++)
			if ((err = write_trailer(&w, &rd->tr[t])) < 0)
				return diag_set(d, err, "writing a trailer: %s", strerror(-err));
		if (!*e->name && !e->wname)
			continue; /* the root of a built archive is not written */
		if ((err = write_entry(&w, e, d)) < 0)
			return d->msg[0] ? err
					 : diag_set(d, err, "writing \"%s\": %s",
						    esc_show(nb, e->name), strerror(-err));
		open = true;
	}
	for (; t < rd->ntr; t++, open = false)
		if ((err = write_trailer(&w, &rd->tr[t])) < 0)
			return diag_set(d, err, "writing a trailer: %s", strerror(-err));
	if (open && (err = cpio_write_trailer(&w, rd->hex_lower)) < 0)
		return diag_set(d, err, "writing the trailer: %s", strerror(-err));
	return 0;
}
