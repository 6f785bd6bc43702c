/* rdtree.c - a boot image's ramdisk as a folder and an exact spec. See rdtree.h. */
#include "mkbootimg/rdtree.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/strfmt.h"
#include "mkbootimg/bootid.h"
#include "ramdisk/compress.h"
#include "ramdisk/merge.h"

static int sha256_buf(const void *p, size_t n, uint8_t out[32])
{
	struct bootid h;
	uint8_t id[BOOT_ID_SIZE];
	int r;

	if ((r = bootid_begin(&h, true)) < 0)
		return r;
	bootid_update(&h, p, n);
	if ((r = bootid_end(&h, id)) < 0)
		return r;
	memcpy(out, id, 32);
	return 0;
}

int rdtree_read(struct rdtree *t, int fd, uint64_t off, uint64_t len, struct diag *d)
{
	struct decomp_info info;
	const char *what;
	uint8_t *in, *out;
	size_t outlen;
	enum comp c;
	int r;

	memset(t, 0, sizeof(*t));
	rd_init(&t->rd, 0);
	if (len > RDTREE_MAX)
		return diag_set(d, -EFBIG, "ramdisk: %llu bytes, over %u MiB",
				(unsigned long long)len, RDTREE_MAX >> 20);
	if (!(in = malloc(len ? (size_t)len : 1)))
		return diag_set(d, -ENOMEM, "out of memory");
	if ((r = read_at(fd, in, (size_t)len, off)) < 0) {
		free(in);
		return diag_set(d, r, "ramdisk: reading %llu bytes at 0x%llx: %s",
				(unsigned long long)len, (unsigned long long)off, strerror(-r));
	}
	c = comp_detect(in, (size_t)len, &what);
	if (c == COMP_UNKNOWN) {
		free(in);
		return diag_set(d, -EINVAL, "ramdisk @0x%llx: %s%s", (unsigned long long)off,
				what ? what : "not a cpio archive or a known compressed stream",
				what ? " ramdisks are not read" : "");
	}
	r = decompress_streams(c, in, (size_t)len, RDTREE_MAX, &out, &outlen, &info, d);
	free(in);
	if (r < 0) {
		diag_prefix(d, "ramdisk (%s)", c == COMP_NONE ? "cpio" : comp_name(c));
		return r;
	}
	if ((r = sha256_buf(out, outlen, t->raw_sha256)) < 0) {
		free(out);
		return diag_set(d, r, "hashing the ramdisk: %s", strerror(-r));
	}
	t->raw_size = outlen;
	t->comp = comp_write_name(c); /* lz4 frames come back as lz4 legacy */
	if ((r = rd_load_archive(&t->rd, out, outlen, d)) < 0)
		diag_prefix(d, "ramdisk cpio");
	else if ((r = rd_spec_check(&t->rd, d)) < 0)
		diag_prefix(d, "ramdisk: --tree");
	return r < 0 ? r : 0;
}

int rdtree_extract(struct rdtree *t, const char *dir, int in_fd, struct diag *d)
{
	char sub[PATH_MAX], spec[PATH_MAX];
	struct rd_extract_stats st;

	if (strfmt(sub, sizeof(sub), "%s/" RDTREE_DIR, dir) < 0 ||
	    strfmt(spec, sizeof(spec), "%s/" RDTREE_SPEC, dir) < 0)
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", dir);
	return rd_extract_spec(&t->rd, sub, spec, t->comp, "ramdisk", in_fd, NULL, &st, d);
}

void rdtree_free(struct rdtree *t)
{
	rd_free(&t->rd);
}

/* A file the spec names: DIR/ramdisk.d/REL with REL plain components, and
 * none of them a symlink (opened with O_NOFOLLOW from DIR down). */
static int confined(int dirfd, const char *dir, const char *path, struct diag *d)
{
	size_t dl = strlen(dir), pl = sizeof(RDTREE_DIR);
	const char *rel, *slash;
	char sub[PATH_MAX];
	uint64_t size;
	int fd, sfd;

	if (strncmp(path, dir, dl) || path[dl] != '/' || strncmp(path + dl + 1, RDTREE_DIR "/", pl))
		return diag_set(d, -EPERM, RDTREE_SPEC ": file \"%s\" is not below " RDTREE_DIR "/",
				path);
	rel = path + dl + 1;
	for (const char *c = rel; *c; c = slash + 1) { /* no "", ".", ".." component */
		slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return diag_set(d, -EPERM,
					RDTREE_SPEC ": file \"%s\": \".\", \"..\" or an "
						    "empty component",
					path);
		if (!slash)
			break;
	}
	slash = strrchr(rel, '/');
	if ((size_t)(slash - rel) >= sizeof(sub))
		return diag_set(d, -ENAMETOOLONG, "\"%s\": path too long", path);
	memcpy(sub, rel, (size_t)(slash - rel));
	sub[slash - rel] = 0;
	if ((sfd = dir_open_below(dirfd, sub, false)) < 0)
		return diag_set(d, -errno, RDTREE_SPEC ": file \"%s\": %s%s", path, strerror(errno),
				errno == ELOOP ? " (a symlink on the way: not followed)" : "");
	int r = file_open_ro_at(sfd, slash + 1, &fd, &size, d);
	close(sfd);
	if (r < 0) {
		diag_prefix(d, RDTREE_SPEC ": file \"%s\"", path);
		return r;
	}
	close(fd);
	return 0;
}

/* The bytes rd_write writes, at least: every entry's header, name and data
 * (what the spec and ramdisk.d say, from the files' sizes: nothing read). */
static uint64_t archive_floor(const struct ramdisk *rd)
{
	uint64_t n = 0;

	for (size_t i = 0; i < rd->n; i++)
		n += CPIO_HDR_SIZE + strlen(rd->v[i].wname ? rd->v[i].wname : rd->v[i].name) + 1 +
		     rd_entry_size(&rd->v[i]);
	return n;
}

/* The archive as it streams by: its SHA-256 and size, never over the cap. */
struct hash_sink {
	struct sink s;
	struct bootid h;
	uint64_t n;
};

static int hash_write(void *ctx, const void *p, size_t n)
{
	struct hash_sink *hs = ctx;

	if (n > RDTREE_MAX - hs->n)
		return -EFBIG;
	bootid_update(&hs->h, p, n);
	hs->n += n;
	return 0;
}

static int over_cap(struct diag *d, uint64_t at_least)
{
	return diag_set(d, -EFBIG,
			RDTREE_SPEC ": the archive would be over %u MiB (at least %" PRIu64
				    " bytes)",
			RDTREE_MAX >> 20, at_least);
}

/* Pass one: the archive hashed as it is written (never held), so an
 * unchanged tree costs no compression and no memory. */
static int archive_hash(const struct ramdisk *rd, uint8_t sha[32], uint64_t *len, struct diag *d)
{
	struct hash_sink hs = {.s = {hash_write, &hs}};
	uint8_t id[BOOT_ID_SIZE];
	int r;

	if ((r = bootid_begin(&hs.h, true)) < 0)
		return diag_set(d, r, "hashing the ramdisk: %s", strerror(-r));
	d->msg[0] = 0;
	if ((r = rd_write(rd, &hs.s, d)) < 0) {
		bootid_free(&hs.h);
		return r == -EFBIG ? over_cap(d, hs.n) : r;
	}
	if ((r = bootid_end(&hs.h, id)) < 0)
		return diag_set(d, r, "hashing the ramdisk: %s", strerror(-r));
	memcpy(sha, id, 32);
	*len = hs.n;
	return 0;
}

/* The folder through its spec into rd: the spec's entries (each file
 * confined to the folder), then files dropped in that the spec does not
 * name (*added), in order unless exact. */
static int tree_read(const char *dir, int dirfd, struct ramdisk *rd, unsigned *added,
		     struct diag *d)
{
	char spec[PATH_MAX], sub[PATH_MAX];
	int r, sfd;

	if (strfmt(spec, sizeof(spec), "%s/" RDTREE_SPEC, dir) < 0 ||
	    strfmt(sub, sizeof(sub), "%s/" RDTREE_DIR, dir) < 0)
		return diag_set(d, -ENAMETOOLONG, "%s: path too long", dir);
	if ((sfd = dir_open_below(dirfd, RDTREE_DIR, false)) < 0)
		return diag_set(d, -errno, "%s: %s%s", sub, strerror(errno),
				errno == ELOOP ? " (a symlink: not followed)" : "");
	close(sfd);
	if ((r = rd_apply_spec_file(rd, spec, false, d)) < 0) {
		if (r == -ENOENT)
			diag_prefix(d, "a file gone from " RDTREE_DIR
				       "? to remove its entry, delete its "
				       "line from " RDTREE_SPEC);
		return r;
	}
	for (size_t i = 0; i < rd->n; i++)
		if (rd->v[i].src == RD_FILE && (r = confined(dirfd, dir, rd->v[i].path, d)) < 0)
			return r;
	if ((r = rd_add_missing(rd, sub, added, d)) < 0)
		return r;
	if (!rd->exact && (r = rd_sort(rd)) < 0)
		return diag_set(d, r, "out of memory");
	return 0;
}

/* rd written again, straight into the compressor comp names. */
static int tree_pack(const struct ramdisk *rd, const char *comp, struct mem_sink *packed,
		     struct diag *d)
{
	struct zsink *zs;
	enum comp c;
	int level, r;

	if ((r = comp_parse(comp, &c, &level)) < 0)
		return diag_set(d, r, RDTREE_SPEC ": compression \"%s\"", comp);
	if ((r = zsink_new(c, level, &packed->s, &zs)) < 0)
		return diag_set(d, r, "compressing the ramdisk (%s): %s", comp, strerror(-r));
	d->msg[0] = 0;
	if ((r = rd_write(rd, zsink_sink(zs), d)) < 0 || (r = zsink_finish(zs)) < 0)
		if (!d->msg[0])
			diag_set(d, r, "compressing the ramdisk (%s): %s", comp, strerror(-r));
	zsink_free(zs);
	return r < 0 ? r : 0;
}

int rdtree_build(const char *dir, int dirfd, uint64_t want_size, const uint8_t want_sha256[32],
		 uint32_t mtime, uint8_t **out, size_t *out_len, char comp[COMP_NAME_MAX],
		 unsigned *added, struct diag *d)
{
	struct ramdisk rd;
	struct mem_sink packed;
	uint8_t sha[32];
	uint64_t len = 0;
	int r;

	*added = 0;
	*out = NULL;
	*out_len = 0;
	comp[0] = 0;
	rd_init(&rd, mtime);
	mem_sink_init(&packed);
	if ((r = tree_read(dir, dirfd, &rd, added, d)) < 0)
		goto out;
	/* the sizes first: a huge (or sparse) file in ramdisk.d is refused unread */
	if (archive_floor(&rd) > RDTREE_MAX) {
		r = over_cap(d, archive_floor(&rd));
		goto out;
	}
	if ((r = archive_hash(&rd, sha, &len, d)) < 0)
		goto out;
	strfmt_show(comp, 24, "%s", *rd.comp ? rd.comp : "none"); /* rd.comp is char[24] */
	if (len == want_size && !memcmp(sha, want_sha256, 32))
		goto out; /* the archive unpacked: nothing changed */
	if ((r = tree_pack(&rd, comp, &packed, d)) < 0)
		goto out;
	*out = packed.buf;
	*out_len = packed.len;
	packed.buf = NULL;
out:
	free(packed.buf);
	rd_free(&rd);
	return r < 0 ? r : 0;
}
