/* rdtree.h - a boot image's ramdisk as a folder and an exact spec, for the
 * porter's common case (issue 18.4):
 *
 *   bootimg unpack IMAGE DIR --tree   also writes DIR/ramdisk.d/ (the
 *                                     ramdisk's files) and DIR/ramdisk.spec
 *                                     (ramdisk.h's exact spec: owners, modes,
 *                                     device nodes, links, order, inodes,
 *                                     mtimes, the compression)
 *   bootimg repack DIR                rebuilds the ramdisk from them when
 *                                     the archive they describe changed,
 *                                     recompressed as the spec says; else
 *                                     the original ramdisk bytes are kept
 *
 * The manifest's `tree` record holds the size and SHA-256 of the
 * uncompressed archive at unpack time: the rebuilt archive is compared with
 * them. Files the spec names are read only below DIR/ramdisk.d (no "..", no
 * absolute path, no symlink followed): a folder from elsewhere cannot pull
 * host files into the image. Files dropped into ramdisk.d are added; to
 * remove an entry, delete its spec line (a spec line whose file is gone is
 * an error that says so); owners and modes are changed in the spec.
 */
#ifndef BOOTKIT_RDTREE_H
#define BOOTKIT_RDTREE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "ramdisk/compress.h"
#include "ramdisk/ramdisk.h"

#define RDTREE_DIR  "ramdisk.d"
#define RDTREE_SPEC "ramdisk.spec"
#define RDTREE_MAX  (512u << 20) /* uncompressed archive bytes read or built */

struct rdtree {
	struct ramdisk rd;
	const char *comp; /* the spec's compression statement ("lz4", "gzip", ...) */
	uint64_t raw_size;
	uint8_t raw_sha256[32];
};

/* Read the compressed ramdisk at fd[off, off+len): decompress (every stream),
 * list, and check that an exact spec can say everything it holds. */
int rdtree_read(struct rdtree *t, int fd, uint64_t off, uint64_t len, struct diag *d);

/* Extract into dir/ramdisk.d (which must not exist) and write dir/ramdisk.spec
 * (never over in_fd's file). */
int rdtree_extract(struct rdtree *t, const char *dir, int in_fd, struct diag *d);

void rdtree_free(struct rdtree *t);

/*
 * Rebuild the archive dir/ramdisk.spec describes (dirfd: dir, opened), plus
 * what dir/ramdisk.d holds that the spec does not name (merge.h: owner
 * 0:0, the folder's modes, mtime, after the others; *added counts them). When
 * it is the one unpacked (want_size, want_sha256), *out is NULL; else *out
 * (malloc'ed, *out_len bytes) is the archive compressed as the spec's
 * compression statement says (its default level). *comp gets that
 * statement. 0 or -errno with d set.
 */
int rdtree_build(const char *dir, int dirfd, uint64_t want_size, const uint8_t want_sha256[32],
		 uint32_t mtime, uint8_t **out, size_t *out_len, char comp[COMP_NAME_MAX],
		 unsigned *added, struct diag *d);

#endif
