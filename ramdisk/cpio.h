/* cpio.h - the "newc" cpio archive format of Linux initramfs.
 *
 * Spec: the kernel's Documentation/driver-api/early-userspace/buffer-format.rst
 * and init/initramfs.c. Each entry, starting at a 4-byte aligned offset:
 *
 *   +0    6   magic "070701" (or "070702": same layout, check = byte sum)
 *   +6    8   ino        +14   8 mode       +22  8 uid       +30  8 gid
 *   +38   8   nlink      +46   8 mtime      +54  8 filesize
 *   +62   8   devmajor   +70   8 devminor   +78  8 rdevmajor +86  8 rdevminor
 *   +94   8   namesize (with the NUL)        +102 8 check
 *   +110  namesize bytes of name, NUL-terminated, then NULs to a 4-byte boundary
 *         filesize bytes of data (a symlink's target), then NULs to a 4-byte boundary
 *
 * Every number is 8 ASCII hex digits, upper case (GNU cpio, BusyBox, the
 * kernel's gen_init_cpio) or lower case (AOSP's mkbootfs, which writes every
 * real Android ramdisk); a reader takes both, and an exact round trip keeps
 * whichever the header had. The entry named "TRAILER!!!" ends an
 * archive. The kernel accepts several archives back to back with NUL bytes
 * between them, as long as each header starts 4-byte aligned; so do we.
 */
#ifndef BOOTKIT_CPIO_H
#define BOOTKIT_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

#define CPIO_HDR_SIZE 110u
#define CPIO_NAME_MAX 4096u /* PATH_MAX, with the NUL: the kernel's limit */
#define CPIO_TRAILER  "TRAILER!!!"
#define CPIO_FIELDS   13u
_Static_assert(6 + CPIO_FIELDS * 8 == CPIO_HDR_SIZE, "newc header is 110 bytes");

/* Field indexes in header order. */
enum cpio_field {
	CF_INO,
	CF_MODE,
	CF_UID,
	CF_GID,
	CF_NLINK,
	CF_MTIME,
	CF_FILESIZE,
	CF_DEVMAJOR,
	CF_DEVMINOR,
	CF_RDEVMAJOR,
	CF_RDEVMINOR,
	CF_NAMESIZE,
	CF_CHECK
};

/* The metadata of one entry, as in the header. */
struct cpio_meta {
	uint32_t f[CPIO_FIELDS];
	bool crc;   /* magic "070702": f[CF_CHECK] is the sum of the data bytes */
	bool lower; /* hex digits a-f in lower case (read: the header had them so) */
	bool mixed; /* read: the header has both cases (no writer makes that) */
};

/* One entry found by cpio_next(). Borrowed: name and data point into the
 * caller's buffer and are valid while it is. */
struct cpio_entry {
	struct cpio_meta m;
	const char *name; /* NUL-terminated, f[CF_NAMESIZE] - 1 bytes */
	const uint8_t *data;
	uint64_t off;	   /* header offset in the buffer */
	uint64_t data_off; /* data offset */
	uint64_t end;	   /* offset after the data padding: the next header */
};

struct cpio_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	unsigned archives; /* archives seen so far (concatenated ones count) */
	uint64_t entries;  /* entries returned from the current archive */
	bool in_archive;
	bool one_archive; /* set by the caller: stop (return 0) after a trailer */
	bool trailers;	  /* set by the caller: return trailers too (2) */
};

void cpio_reader_init(struct cpio_reader *r, const uint8_t *buf, size_t len);

/*
 * Next entry: 1 with *e filled, 0 after the last archive's trailer (only NUL
 * bytes may follow; with one_archive: after the first trailer, with pos just
 * past it, whatever follows), or a negative errno with the entry's name and
 * offset in d: -EBADMSG for a malformed header, -EOVERFLOW for sizes past the
 * buffer or the name limit, or for an archive that ends (or turns into NUL
 * bytes) without a trailer: the kernel would take that, we do not (an archive
 * cut at an entry boundary looks the same). Trailers are consumed, not
 * returned, unless r->trailers asks for them: then 2 with *e the trailer
 * (the NUL bytes after it are the gap to the next entry's off, or to len).
 * Names in messages are escaped (escape.h).
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e, struct diag *d);

/*
 * A safe relative path from an archive name: drops leading "/" and "./"
 * components and repeated slashes; refuses ".." components and names that
 * are empty after that ("." alone gives "" and returns 0: the root). Writes
 * at most cap bytes. 0 or -EINVAL / -ENAMETOOLONG.
 */
int cpio_clean_path(const char *name, char *out, size_t cap);

/* ---- writing --------------------------------------------------------------
 * A sink receives the archive bytes in order (a file, a compressor...). */
struct sink {
	int (*write)(void *ctx, const void *p, size_t n); /* 0 or -errno */
	void *ctx;
};

struct cpio_writer {
	struct sink *out;
	uint64_t off; /* bytes written so far */
	uint64_t entries;
};

void cpio_writer_init(struct cpio_writer *w, struct sink *out);

/* Header and name of one entry (namesize is set from name; magic 070702
 * when m->crc, the check as given); the caller then
 * writes exactly f[CF_FILESIZE] bytes with cpio_write_data and ends the
 * entry with cpio_end_entry. */
int cpio_write_header(struct cpio_writer *w, const struct cpio_meta *m, const char *name);
int cpio_write_data(struct cpio_writer *w, const void *p, size_t n);
int cpio_end_entry(struct cpio_writer *w);
/* Bytes of an existing entry copied as they are (starts 4-byte aligned). */
int cpio_write_raw(struct cpio_writer *w, const void *p, size_t n);
/* A whole entry whose data is in memory. */
int cpio_write_entry(struct cpio_writer *w, const struct cpio_meta *m, const char *name,
		     const void *data);
/* The trailer entry (hex digits in lower case or not), then NULs to a
 * 512-byte boundary as cpio(1) does. */
int cpio_write_trailer(struct cpio_writer *w, bool lower);

/* "drwxr-xr-x" style mode string (11 bytes with the NUL). */
void cpio_mode_string(uint32_t mode, char out[11]);

#endif
