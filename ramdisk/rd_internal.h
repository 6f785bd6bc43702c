/* rd_internal.h - what ramdisk.c, spec.c and extract.c share; not an API. */
#ifndef BOOTKIT_RD_INTERNAL_H
#define BOOTKIT_RD_INTERNAL_H

#include <stdbool.h>
#include <string.h>

#include "ramdisk.h"

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

void meta_set(struct cpio_meta *m, uint32_t mode, uint32_t uid, uint32_t gid, uint32_t mtime);

/* Is the folder name lives in present? 0 (or a top-level name), -ENOENT, or
 * -ENOTDIR; parent gets the folder's name. */
int parent_state(const struct ramdisk *rd, const char *name, char parent[CPIO_NAME_MAX]);

/* Is name below the folder dir? */
static inline bool under(const char *name, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(name, dir, n) && name[n] == '/';
}

#endif
