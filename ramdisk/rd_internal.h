/* rd_internal.h - what ramdisk.c, spec.c and extract.c share; not an API. */
#ifndef BOOTKIT_RD_INTERNAL_H
#define BOOTKIT_RD_INTERNAL_H

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "ramdisk/ramdisk.h"

/* Release what the entry owns of its data (a host path, a buffer) and forget
 * where the data was; the name and metadata stay. */
void entry_drop_data(struct rd_entry *e);

/* A new zeroed entry at the end; NULL when out of memory. */
struct rd_entry *rd_push(struct ramdisk *rd, const char *name);

/* Remove every entry gone() picks, keeping the others' order; reindexes. */
void rd_remove_if(struct ramdisk *rd, bool (*gone)(const struct rd_entry *e, const void *ctx),
		  const void *ctx);

/* Rebuild the name index (after renames or a sort): 0 or -ENOMEM, in which
 * case it is left stale and rd_find searches linearly. */
int rd_reindex(struct ramdisk *rd);

/* Replace e->wname with owned (malloc'ed, or NULL), freeing an owned one. */
void entry_set_wname(struct rd_entry *e, char *owned);

/* A new zeroed trailer ending the current archive; new entries go after it.
 * NULL when out of memory. */
struct rd_trailer *rd_push_trailer(struct ramdisk *rd);

void meta_set(struct cpio_meta *m, uint32_t mode, uint32_t uid, uint32_t gid, uint32_t mtime);

/* Is the folder name lives in present? 0 (or a top-level name), -ENOENT, or
 * -ENOTDIR; parent gets the folder's name. */
int parent_state(const struct ramdisk *rd, const char *name, char parent[CPIO_NAME_MAX]);

/* A type the kernel creates (file, folder, symlink, device, FIFO, socket). */
static inline bool rd_known_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFLNK:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK: return true;
	default: return false;
	}
}

/* Hard links of a read archive, by the kernel's rule: names other than
 * folders and symlinks with nlink >= 2 and the same devmajor, devminor, ino
 * and file type, in one archive (a trailer ends the groups), are one file.
 * head[i] is the first name of entry i's group (i alone); carry[head] the
 * entry whose data and header the file takes: for a regular file the last
 * name with data (GNU cpio and gen_init_cpio put it on the last; the kernel
 * lets a later non-empty one overwrite), else the last name; for the other
 * types the first. Both arrays hold rd->n. 0 or -ENOMEM. */
int rd_link_groups(const struct ramdisk *rd, uint32_t *head, uint32_t *carry);

/* Is name below the folder dir? */
static inline bool under(const char *name, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(name, dir, n) && name[n] == '/';
}

#endif
