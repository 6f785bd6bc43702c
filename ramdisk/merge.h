/* merge.h - what a folder holds that a ramdisk lacks, added to it: the
 * files a porter drops into `bootimg unpack --tree`'s ramdisk.d. */
#ifndef BOOTKIT_MERGE_H
#define BOOTKIT_MERGE_H

#include "lib/diag.h"
#include "ramdisk/ramdisk.h"

/*
 * Add to rd every entry under the folder dir whose name rd lacks, as
 * `ramdisk pack DIR` makes it (owner 0:0, the folder's permission bits,
 * symlinks as links, no hard links: each name its own file), in name order
 * after rd's entries (so a new folder comes before what it holds). In an
 * exact ramdisk they take inode numbers from rd->next_ino. *added (may
 * be NULL) counts them. 0 or -errno with d set.
 */
int rd_add_missing(struct ramdisk *rd, const char *dir, unsigned *added, struct diag *d);

#endif
