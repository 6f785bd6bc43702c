/* ramdisk.h - a ramdisk as a list of cpio entries: built from a folder and a
 * spec, read from an archive, edited in place, written deterministically,
 * extracted safely, and turned into a folder and an exact spec and back.
 *
 * Spec lines (the kernel's gen_init_cpio syntax; '#' starts a comment; modes
 * in octal; a relative LOCATION is taken from the spec file's folder;
 * "quoted parts" of a field may hold spaces and the escapes of escape.h:
 * \\ \" \a \b \t \n \v \f \r \ooo \xHH):
 *
 *   file  NAME LOCATION MODE UID GID
 *   dir   NAME MODE UID GID
 *   nod   NAME MODE UID GID b|c MAJOR MINOR
 *   slink NAME TARGET MODE UID GID
 *   pipe  NAME MODE UID GID
 *   sock  NAME MODE UID GID
 *
 * Our extension, for what gen_init_cpio's lines have no field for: after
 * the fields, KEY=VALUE attributes (decimal unless said):
 *
 *   ino=N nlink=N mtime=N    the header's fields (default: numbered, 2 for a
 *                            folder else 1, SOURCE_DATE_EPOCH or 0)
 *   dev=MAJOR:MINOR          devmajor/devminor, where the file was archived
 *                            (hard links are keyed on it; default 0:0)
 *   rdev=MAJOR:MINOR         rdevmajor/rdevminor on a line other than nod
 *   mode=0OCTAL              the whole mode word, when it holds bits besides
 *                            the type and 07777 (the type must match the verb)
 *   size=0                   file: no data here (an earlier name of a hard
 *                            link; the data is on another name's line)
 *   magic=070702 check=N     the "crc" format: check is the data's byte sum,
 *                            made at write time unless check= says
 *
 * and three statements:
 *
 *   exact                    the lines are an archive: written in their order
 *                            with their inode numbers, not sorted or numbered
 *                            again (a line without ino= gets one after the
 *                            largest), NAME written as given ("./init", "."
 *                            for the root folder); must come first
 *   trailer [KEY=VALUE...]   (exact only) the end of one of concatenated
 *                            archives: its header fields (ino mode uid gid
 *                            nlink mtime dev rdev check magic; nlink 1 and
 *                            the rest 0 by default) and pad=N NUL bytes after
 *                            it, or align=512 (the default: cpio's blocks)
 *   compression COMP[:LEVEL] what pack writes unless -c says
 *
 * rd_extract_spec writes such a spec: exact, every entry of a read archive
 * in order, so that packing it gives the archive back byte for byte.
 *
 * Edit lines add to these (an existing NAME is replaced, keeping its place):
 *
 *   rm     NAME                     remove a file, link, node or empty folder
 *   rmtree NAME                     remove a folder and all below it
 *   mv     OLD NEW                  rename (a folder takes its contents along)
 *   insert NAME WHERE TEXT...       add the line TEXT to file NAME unless a line
 *                                   equal to it is already there; WHERE is top,
 *                                   bottom or after=PREFIX (after the first line
 *                                   starting with PREFIX)
 *
 * and AnyKernel-style text edits (textedit.h; one field each, quoted when it
 * has spaces; each changes nothing when already applied, and says so through
 * rd->note; a missing file, pattern, section end or mount point is an error
 * naming the file and line):
 *
 *   replace NAME PATTERN TEXT       every line containing PATTERN becomes TEXT
 *   replace-regex NAME REGEX TEXT   every line matching REGEX (POSIX ERE)
 *   remove NAME PATTERN             every line containing PATTERN removed
 *   remove-regex NAME REGEX
 *   replace-section NAME BEGIN END TEXT...  from a line containing BEGIN to the
 *                                   next containing END, inclusive: the TEXT
 *                                   lines, one field each
 *   remove-section NAME BEGIN END
 *   prop NAME KEY=VALUE             set KEY in a KEY=VALUE file, or add it
 *   prop-remove NAME KEY
 *   fstab NAME MOUNTPOINT FIELD VALUE  field FIELD (1-6, device, mountpoint,
 *                                   type, options, dump or fs_mgr_flags, pass)
 *                                   of the lines mounting MOUNTPOINT
 *
 * Determinism: a built archive lists entries sorted by name (bytewise, so a
 * folder precedes its contents), inode numbers count from 1 in that order
 * (hard links of a folder share one, the data on their last name),
 * mtime is the caller's (SOURCE_DATE_EPOCH or 0), uid/gid/mode come from the
 * spec (0/0 and the file's mode bits for a folder's files). An edited archive
 * keeps untouched entries' bytes exactly, and each archive's trailer and the
 * NUL bytes after it (an edit with nothing to do gives the input back); new
 * entries go at the end of the last archive, with inode numbers after the
 * largest one in use.
 */
#ifndef BOOTKIT_RAMDISK_H
#define BOOTKIT_RAMDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "ramdisk/cpio.h"

enum rd_src {
	RD_ORIG, /* the entry's bytes from the archive read (raw) */
	RD_FILE, /* data streamed from path at write time */
	RD_MEM,	 /* data owned in memory */
};

struct rd_entry {
	char *name; /* clean relative path ("" for the root ".") */
	struct cpio_meta m;
	enum rd_src src;
	bool changed;	    /* RD_ORIG whose header must be encoded again */
	const uint8_t *raw; /* RD_ORIG: header..end of the entry */
	size_t raw_len;
	const uint8_t *data;	 /* RD_ORIG: the data in the archive; RD_MEM: owned */
	char *path;		 /* RD_FILE */
	const char *wname;	 /* the name as written in the archive, if not name */
	bool wname_owned;	 /* wname is malloc'ed (an exact spec's NAME) */
	int line;		 /* spec line that made it, 0 if none */
	unsigned arch;		 /* which of concatenated archives it is in, from 0 */
	bool hl;		 /* a name of a host file with other names (rd_add_tree) */
	uint64_t hl_dev, hl_ino; /* that file's st_dev and st_ino */
	bool check_auto;	 /* m.crc: the check is the data's byte sum, made at write */
	bool kept_order;	 /* an exact spec's entry with ino=: written where it is */
	bool ino_auto;		 /* an exact spec's entry without ino=: numbered after */
};

/* The trailer that ends one of concatenated archives, and the NUL bytes after
 * it (up to the next archive, or the end). */
struct rd_trailer {
	struct cpio_meta m;
	const uint8_t *raw; /* read: header to the end of its data, written as is */
	size_t raw_len;
	uint64_t pad;  /* NUL bytes after it... */
	bool align512; /* ...or as many as reach a 512-byte boundary (cpio's blocks) */
};

struct ramdisk {
	struct rd_entry *v;
	size_t n, cap;
	uint32_t *index; /* names -> entries: see rd_find */
	size_t index_cap;
	bool index_stale;
	uint64_t seed;
	uint32_t mtime; /* for new entries */
	uint32_t next_ino;
	uint8_t *archive; /* owned: the decompressed archive entries point into */
	size_t archive_len;
	struct rd_trailer *tr; /* tr[k] ends archive k (entries with arch == k) */
	size_t ntr, trcap;
	unsigned cur_arch; /* the archive new entries go into */
	bool exact;	   /* from an exact spec: no sorting, no renumbering */
	bool hex_lower;	   /* new headers in lower-case hex: the archive read (its last
			    * trailer) had them so, or an exact spec says hex=lower */
	char comp[24];	   /* a spec's compression statement ("" if none) */
	/* set by the caller to hear of edit lines that had nothing to do
	 * ("FILE:LINE: remove \"x\": nothing to do (no line matches)") */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
};

void rd_init(struct ramdisk *rd, uint32_t mtime);
void rd_free(struct ramdisk *rd);

/* Index of the entry with this (clean) name, or -1. O(1) on average: a hash
 * index of the names is kept as entries are added, removed and renamed, so
 * loading n entries (each checked against the earlier ones) is linear. */
long rd_find(const struct ramdisk *rd, const char *name);

/* Take ownership of a decompressed archive (malloc'ed) and list its entries.
 * Refuses duplicate names (after cleaning) and unsafe names. */
int rd_load_archive(struct ramdisk *rd, uint8_t *buf, size_t len, struct diag *d);

/* Add every file, folder, link and node under dir (not dir itself). */
int rd_add_tree(struct ramdisk *rd, const char *dir, struct diag *d);

/* Apply spec or edit lines from text (file names it in errors; base is the
 * folder relative LOCATIONs are taken from). edits: allow the edit verbs. */
int rd_apply_spec(struct ramdisk *rd, const char *text, size_t len, const char *file,
		  const char *base, bool edits, struct diag *d);

/* Add a folder and any missing parents (mode 0755 for those; an existing
 * folder is kept as it is). */
int rd_add_dirs(struct ramdisk *rd, const char *name, uint32_t perm, struct diag *d);
/* Add a new regular file (its name must be free, its folder present): from a
 * host file when path is set, else a copy of len bytes at data. */
int rd_add_file(struct ramdisk *rd, const char *name, uint32_t perm, const char *path,
		const void *data, size_t len, struct diag *d);

/* Sort by name and number inodes from 1 (for a built archive). Names of one
 * host inode (hard links found by rd_add_tree) share an inode number, nlink
 * is their count, and only the last carries the data (as GNU cpio writes
 * them; the kernel, GNU and busybox cpio link them back). 0 or -ENOMEM. */
int rd_sort(struct ramdisk *rd);

/* Write the archive (entries then trailer) into out. */
int rd_write(const struct ramdisk *rd, struct sink *out, struct diag *d);

/* What extraction may do beyond the safe defaults (all false: an archive
 * from anywhere can be extracted as root without creating device nodes,
 * set-id files or files owned by someone else). */
struct rd_extract_opts {
	bool devices;	       /* create character and block device nodes (needs root) */
	bool same_permissions; /* keep setuid and setgid bits (else dropped) */
	bool same_owner;       /* give entries their uid/gid (needs root; else the caller's) */
};

/* What was made, and what was left out or changed, by kind. */
struct rd_extract_stats {
	unsigned files, dirs, symlinks, nodes, fifos, sockets;
	unsigned hardlinks;	 /* names linked to a file made for an earlier name */
	unsigned nodes_skipped;	 /* device nodes not created: devices not asked for */
	unsigned nodes_denied;	 /* devices asked for, but mknod refused (not root) */
	unsigned setuid_dropped; /* setuid bits not applied (same_permissions not set) */
	unsigned setgid_dropped;
	unsigned unknown;      /* entries of a type no kernel creates: left out */
	uint32_t unknown_mode; /* the first of those's mode field */
};

/*
 * Extract every entry under the folder dir (created if missing), refusing
 * anything that would land outside it: no "..", no writing through a
 * symlink (O_NOFOLLOW on every component), nothing existing overwritten, a
 * parent that is not a folder named ("\"a/b\": \"a\" is a file, not a
 * folder"). Regular files go through the atomic writer: a temporary beside
 * the final name, one syncfs() for all of them, then renames with
 * RENAME_NOREPLACE, so a full disk never leaves a truncated file under its
 * final name (a crash may leave ".NAME.XXXXXX" temporaries). Hard links are
 * restored as the kernel does: non-folders with nlink >= 2 and the same
 * (devmajor, devminor, ino, type) in one archive (a trailer ends the group)
 * are one file, made once with the data whichever name carries it (GNU cpio
 * and gen_init_cpio put it on the last) and linked under the other names.
 * o may be NULL for the defaults. st counts what was done and left out.
 */
int rd_extract(const struct ramdisk *rd, const char *dir, const struct rd_extract_opts *o,
	       struct rd_extract_stats *st, struct diag *d);

/* ---- the porter's round trip: a folder and an exact spec -----------------------------
 * rd_extract_spec extracts a read ramdisk into dir and writes spec, an exact
 * spec of it (see the top of this file): LOCATIONs are dir's files as paths
 * relative to spec's folder, compression is written as a statement when not
 * NULL, source (the ramdisk's name) in the opening comment. Refused at once
 * (-ENOTSUP) when the archive holds what a spec cannot say (rd_spec_check):
 * an entry of a type no kernel creates, a root that is not a folder, data
 * on two names of one hard link, a trailer with data. spec is written
 * atomically, never over in_fd's file (-1: none); compression is a -c name
 * (comp_write_name). Then
 *
 *	rd_init(&rd, mtime); rd_build_spec(&rd, spec, &d);
 *	rd_write(&rd, sink, &d);  (compressed as rd.comp says, if set: comp_parse)
 *
 * writes the archive back byte for byte, or with just the entries whose
 * files or lines changed (a changed file: that entry's data and size only). */
int rd_spec_check(const struct ramdisk *rd, struct diag *d);
int rd_spec_write(const struct ramdisk *rd, const char *files, const char *compression,
		  const char *source, struct sink *out, struct diag *d);
int rd_extract_spec(const struct ramdisk *rd, const char *dir, const char *spec,
		    const char *compression, const char *source, int in_fd,
		    const struct rd_extract_opts *o, struct rd_extract_stats *st, struct diag *d);

/* rd_apply_spec on a file's text, relative LOCATIONs from its folder. */
int rd_apply_spec_file(struct ramdisk *rd, const char *path, bool edits, struct diag *d);

/* A ramdisk (rd_init'ed) from a spec file as `ramdisk pack --spec` builds it:
 * the lines applied, then sorted and numbered unless the spec is exact.
 * rd->comp holds its compression statement ("" if none). */
int rd_build_spec(struct ramdisk *rd, const char *spec, struct diag *d);

/* Data size of entry i (what it holds uncompressed). */
uint64_t rd_entry_size(const struct rd_entry *e);

#endif
