/* cpio.c - newc reader and writer. See cpio.h for the layout. */
#include "ramdisk/cpio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/escape.h"
#include "lib/strfmt.h"

static const char *const field_name[CPIO_FIELDS] = {
    "ino",	"mode",	    "uid",	 "gid",	      "nlink",	  "mtime", "filesize",
    "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

static uint64_t pad4(uint64_t x)
{
	return (4 - (x & 3)) & 3;
}

void cpio_reader_init(struct cpio_reader *r, const uint8_t *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_header(const uint8_t *h, uint64_t off, struct cpio_meta *m, struct diag *d)
{
	char magic[LABEL_MAX];

	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2')) {
		esc_bytes(magic, sizeof(magic), h, 6, true);
		return diag_set(d, -EBADMSG,
				"entry @0x%llx: bad magic \"%s\" (want 070701 newc; "
				"old binary/odc cpio is not an initramfs format)",
				(unsigned long long)off, magic);
	}
	bool up = false, low = false;

	for (unsigned i = 0; i < CPIO_FIELDS; i++) {
		uint32_t v = 0;
		for (unsigned k = 0; k < 8; k++) {
			int x = hexval(h[6 + i * 8 + k]);
			up |= h[6 + i * 8 + k] >= 'A' && h[6 + i * 8 + k] <= 'F';
			low |= h[6 + i * 8 + k] >= 'a' && h[6 + i * 8 + k] <= 'f';
			if (x < 0)
				return diag_set(
				    d, -EBADMSG, "entry @0x%llx: %s @0x%llx: non-hex digit 0x%02x",
				    (unsigned long long)off, field_name[i],
				    (unsigned long long)(off + 6 + i * 8 + k), h[6 + i * 8 + k]);
			v = v << 4 | (uint32_t)x;
		}
		m->f[i] = v;
	}
	m->crc = h[5] == '2';
	m->lower = low && !up;
	m->mixed = low && up;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Between archives: NULs, then either the end or a 4-aligned header. */
static int skip_gap(struct cpio_reader *r, struct diag *d)
{
	size_t p = r->pos;

	while (p < r->len && r->buf[p] == 0)
		p++;
	if (p == r->len) {
		r->pos = p;
		return 0;
	}
	if (p & 3)
		return diag_set(d, -EBADMSG, "@0x%zx: data after the trailer is not 4-byte aligned",
				p);
	if (r->len - p < 6 || memcmp(r->buf + p, "07070", 5) != 0)
		return diag_set(d, -EBADMSG,
				"@0x%zx: junk after the trailer (neither NUL padding nor a "
				"newc header)",
				p);
	r->pos = p;
	return 1;
}

static int check_name(const struct cpio_reader *r, struct cpio_entry *e, struct diag *d)
{
	char nb[ESC_SHOW_MAX];
	uint32_t ns = e->m.f[CF_NAMESIZE];
	uint64_t name_off = e->off + CPIO_HDR_SIZE;

	if (ns == 0)
		return diag_set(d, -EBADMSG, "entry @0x%llx: namesize @0x%llx is 0",
				(unsigned long long)e->off, (unsigned long long)(e->off + 94));
	if (ns > CPIO_NAME_MAX)
		return diag_set(d, -EOVERFLOW, "entry @0x%llx: namesize @0x%llx is %u (limit %u)",
				(unsigned long long)e->off, (unsigned long long)(e->off + 94), ns,
				CPIO_NAME_MAX);
	if (ns + pad4(CPIO_HDR_SIZE + ns) > r->len - name_off)
		return diag_set(d, -EOVERFLOW,
				"entry @0x%llx: name (%u bytes) runs past the end of the archive",
				(unsigned long long)e->off, ns);
	e->name = (const char *)r->buf + name_off;
	if (e->name[ns - 1] != 0 || memchr(e->name, 0, ns - 1))
		return diag_set(d, -EBADMSG,
				"entry @0x%llx: name @0x%llx is not %u bytes ending in one NUL",
				(unsigned long long)e->off, (unsigned long long)name_off, ns);
	if (!all_zero(r->buf + name_off + ns, pad4(CPIO_HDR_SIZE + ns)))
		return diag_set(d, -EBADMSG, "entry @0x%llx \"%s\": non-NUL padding after the name",
				(unsigned long long)e->off, esc_show(nb, e->name));
	return 0;
}

static int check_data(const struct cpio_reader *r, struct cpio_entry *e, struct diag *d)
{
	char nb[ESC_SHOW_MAX];
	uint64_t fs = e->m.f[CF_FILESIZE];
	uint32_t type = e->m.f[CF_MODE] & S_IFMT;

	e->data_off = e->off + CPIO_HDR_SIZE + e->m.f[CF_NAMESIZE] +
		      pad4(CPIO_HDR_SIZE + e->m.f[CF_NAMESIZE]);
	if (fs > r->len - e->data_off || pad4(fs) > r->len - e->data_off - fs)
		return diag_set(d, -EOVERFLOW,
				"entry @0x%llx \"%s\": filesize @0x%llx is %llu, past the end of "
				"the archive (%llu bytes left)",
				(unsigned long long)e->off, esc_show(nb, e->name),
				(unsigned long long)(e->off + 54), (unsigned long long)fs,
				(unsigned long long)(r->len - e->data_off));
	e->data = r->buf + e->data_off;
	e->end = e->data_off + fs + pad4(fs);
	if (!all_zero(r->buf + e->data_off + fs, pad4(fs)))
		return diag_set(d, -EBADMSG, "entry @0x%llx \"%s\": non-NUL padding after the data",
				(unsigned long long)e->off, esc_show(nb, e->name));
	if (type == S_IFLNK && (fs == 0 || fs >= CPIO_NAME_MAX || memchr(e->data, 0, fs)))
		return diag_set(
		    d, -EBADMSG,
		    "entry @0x%llx \"%s\": symlink target of %llu bytes (want 1..%u, no NUL)",
		    (unsigned long long)e->off, esc_show(nb, e->name), (unsigned long long)fs,
		    CPIO_NAME_MAX - 1);
	if ((type == S_IFDIR || type == S_IFCHR || type == S_IFBLK || type == S_IFIFO ||
	     type == S_IFSOCK) &&
	    fs != 0)
		return diag_set(d, -EBADMSG, "entry @0x%llx \"%s\": filesize %llu on a non-file",
				(unsigned long long)e->off, esc_show(nb, e->name),
				(unsigned long long)fs);
	return 0;
}

/* The rest of the buffer is empty or NUL bytes where a header should be. The
 * kernel would take that (NULs between entries are skipped, a missing trailer
 * only keeps its hard link table); we refuse it, saying what it is: an archive
 * cut at an entry boundary looks the same, and a ramdisk edited from it would
 * gain a trailer the original never had. */
static int no_trailer(const struct cpio_reader *r, struct diag *d)
{
	char which[LABEL_MAX] = "archive";

	if (r->archives > 1)
		strfmt_show(which, sizeof(which), "archive %u", r->archives);
	return diag_set(
	    d, -EOVERFLOW, "%s ends without a TRAILER!!! entry at @0x%zx, after %llu %s%s", which,
	    r->pos, (unsigned long long)r->entries, r->entries == 1 ? "entry" : "entries",
	    r->pos < r->len ? " (only NUL bytes follow)" : "");
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e, struct diag *d)
{
	for (;;) {
		int err;

		if (!r->in_archive) {
			if (r->archives == 0 && r->len == 0)
				return diag_set(d, -EBADMSG, "empty archive");
			err = r->archives == 0 ? 1 : skip_gap(r, d);
			if (err <= 0)
				return err;
			r->in_archive = true;
			r->archives++;
			r->entries = 0;
		}
		memset(e, 0, sizeof(*e));
		e->off = r->pos;
		if (all_zero(r->buf + r->pos, r->len - r->pos))
			return no_trailer(r, d);
		if (r->len - r->pos < CPIO_HDR_SIZE)
			return diag_set(d, -EOVERFLOW, "@0x%llx: truncated header",
					(unsigned long long)r->pos);
		if ((err = parse_header(r->buf + r->pos, e->off, &e->m, d)) < 0 ||
		    (err = check_name(r, e, d)) < 0 || (err = check_data(r, e, d)) < 0)
			return err;
		r->pos = (size_t)e->end;
		if (strcmp(e->name, CPIO_TRAILER) != 0) {
			r->entries++;
			return 1;
		}
		r->in_archive = false;
		if (r->one_archive)
			return 0;
		if (r->trailers)
			return 2;
	}
}

int cpio_clean_path(const char *name, char *out, size_t cap)
{
	size_t o = 0;
	const char *p = name;

	while (*p) {
		const char *s = p;
		size_t n;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		while (*p == '/')
			p++;
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return -EINVAL; /* escapes the target folder */
		if (o + n + 2 > cap)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	if (cap == 0)
		return -ENAMETOOLONG;
	out[o] = 0;
	return 0;
}

/* ---- writing ---------------------------------------------------------------- */

void cpio_writer_init(struct cpio_writer *w, struct sink *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static int put(struct cpio_writer *w, const void *p, size_t n)
{
	int err = n ? w->out->write(w->out->ctx, p, n) : 0;

	if (err == 0)
		w->off += n;
	return err;
}

static int put_pad(struct cpio_writer *w)
{
	static const uint8_t z[4];

	return put(w, z, pad4(w->off));
}

int cpio_write_header(struct cpio_writer *w, const struct cpio_meta *m, const char *name)
{
	char h[CPIO_HDR_SIZE + 1];
	struct cpio_meta mm = *m;
	size_t ns = strlen(name) + 1;
	int err;

	if (ns > CPIO_NAME_MAX)
		return -ENAMETOOLONG;
	mm.f[CF_NAMESIZE] = (uint32_t)ns;
	memcpy(h, mm.crc ? "070702" : "070701", 6);
	for (unsigned i = 0; i < CPIO_FIELDS; i++)
		strfmt_show(h + 6 + i * 8, 9, mm.lower ? "%08x" : "%08X", (unsigned)mm.f[i]);
	if ((err = put(w, h, CPIO_HDR_SIZE)) < 0 || (err = put(w, name, ns)) < 0)
		return err;
	w->entries++;
	return put_pad(w);
}

int cpio_write_data(struct cpio_writer *w, const void *p, size_t n)
{
	return put(w, p, n);
}

int cpio_end_entry(struct cpio_writer *w)
{
	return put_pad(w);
}

int cpio_write_raw(struct cpio_writer *w, const void *p, size_t n)
{
	w->entries++;
	return put(w, p, n);
}

int cpio_write_entry(struct cpio_writer *w, const struct cpio_meta *m, const char *name,
		     const void *data)
{
	int err = cpio_write_header(w, m, name);

	if (err == 0)
		err = cpio_write_data(w, data, m->f[CF_FILESIZE]);
	return err ? err : cpio_end_entry(w);
}

int cpio_write_trailer(struct cpio_writer *w, bool lower)
{
	static const uint8_t z[512];
	struct cpio_meta m = {.crc = false, .lower = lower};
	int err;

	m.f[CF_NLINK] = 1;
	if ((err = cpio_write_header(w, &m, CPIO_TRAILER)) < 0)
		return err;
	w->entries--; /* the trailer is not an entry */
	return put(w, z, (512 - (w->off & 511)) & 511);
}

void cpio_mode_string(uint32_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	char t;

	switch (mode & S_IFMT) {
	case S_IFDIR: t = 'd'; break;
	case S_IFLNK: t = 'l'; break;
	case S_IFCHR: t = 'c'; break;
	case S_IFBLK: t = 'b'; break;
	case S_IFIFO: t = 'p'; break;
	case S_IFSOCK: t = 's'; break;
	default: t = '-'; break;
	}
	out[0] = t;
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = 0;
}
