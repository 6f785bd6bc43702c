/* fileio.h - bounded reads, confined opens and atomic writes.
 *
 * Inputs must be regular files: they are opened non-blocking and checked
 * with fstat before anything is read, so a FIFO, a device or a folder is an
 * error at once, never a hang.
 *
 * Outputs are never written in place: a temporary file is created beside the
 * target (O_CREAT|O_EXCL|O_NOFOLLOW, relative to the target folder's fd),
 * filled, fsync'ed and renamed over the final name, then the folder is
 * fsync'ed. A failure at any step removes the temporary file, so a
 * half-written file never appears under the final name. Names handed to the
 * *at functions are single components: a '/' or ".." is refused, and no
 * symlink is followed on the way.
 */
#ifndef BOOTKIT_FILEIO_H
#define BOOTKIT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/diag.h"
#include "lib/readat.h"

/* write all n bytes; -errno on error. */
int write_all(int fd, const void *buf, size_t n);

/* Open a regular file read-only and report its size. Anything else (a
 * FIFO, a device, a folder) is refused at once: -EINVAL/-EISDIR. */
int file_open_ro(const char *path, int *fd, uint64_t *size, struct diag *d);

/* The same for the single component name inside the folder dirfd, following
 * no symlink (-ELOOP for one) and refusing names with '/' or "..". */
int file_open_ro_at(int dirfd, const char *name, int *fd, uint64_t *size, struct diag *d);

/* True when name is one plain path component: not empty, not "." or "..",
 * no '/'. */
bool name_is_component(const char *name);

/* Read a whole small file (at most max bytes) into a malloc'ed, NUL-terminated buffer. */
int file_read_small(const char *path, size_t max, uint8_t **out, size_t *len, struct diag *d);
/* The same for a component of the folder dirfd (file_open_ro_at rules). */
int file_read_small_at(int dirfd, const char *name, size_t max, uint8_t **out, size_t *len,
		       struct diag *d);

/* Open the folder rel ("a/b", "" for dirfd itself) below dirfd, following no
 * symlink on the way; with create, make missing folders (mode 0755). -1
 * with errno set on failure (ENOTDIR when a component is not a folder,
 * ELOOP when it is a symlink). */
int dir_open_below(int dirfd, const char *rel, bool create);

struct outfile {
	int fd;
	int dirfd;	/* the target folder */
	char *tmp;	/* temporary name, in the target folder */
	char *final;	/* final name (a component of dirfd) */
	char *shown;	/* the name given, for messages */
	bool noreplace; /* commit fails with -EEXIST when the final name exists */
	bool parked;	/* see outfile_park */
	dev_t dir_dev;	/* the folder of a parked output */
	ino_t dir_ino;
};

/*
 * Start an atomic output to path. Refuses (-EEXIST) when path names the same
 * file as any of the nin inputs in in_fds (inputs are never overwritten), or
 * lies inside a folder among them (a folder read as an input, at any depth).
 */
int outfile_open(struct outfile *o, const char *path, const int *in_fds, unsigned nin,
		 struct diag *d);

/* The same for the component name inside the folder dirfd (which is dup'ed;
 * the caller keeps its own). shown names the output in messages. */
int outfile_openat(struct outfile *o, int dirfd, const char *name, const char *shown,
		   const int *in_fds, unsigned nin, struct diag *d);

/* fsync, rename over the final name, fsync the folder. Frees o. */
int outfile_commit(struct outfile *o, struct diag *d);

/* Commit n outputs together: write-back started on all, then each fsync'ed,
 * then all renamed, then each folder fsync'ed once. On failure the ones not
 * yet renamed are removed. Frees all n. */
int outfile_commit_all(struct outfile *o, unsigned n, struct diag *d);

/* Remove the temporary file. Safe on an outfile that failed to open or is
 * already finished (outfile_open leaves it in that state on failure). */
void outfile_abort(struct outfile *o);

/*
 * Many small outputs, one sync: an fsync per file costs a disk flush each
 * (thousands of files from one archive), so a caller may instead park each
 * written output (closed, neither synced nor renamed, its folder fd
 * released, so thousands hold no descriptors), call syncfs() once for the
 * data of all, then commit each parked output with a descriptor of the same
 * folder (checked: -ESTALE if the folder was replaced), and syncfs() again
 * for the renames. The final name still never holds a partial file. Until
 * committed, the temporary ".NAME.XXXXXX" sits beside it: a failure must
 * outfile_abort_parked each one (a crash leaves them, never a short NAME).
 * outfile_park frees o on failure; the other two always free o.
 */
int outfile_park(struct outfile *o, struct diag *d);
int outfile_commit_parked(struct outfile *o, int dirfd, struct diag *d);
void outfile_abort_parked(struct outfile *o, int dirfd);

/* Write a whole buffer to path atomically. */
int write_file_atomic(const char *path, const void *buf, size_t n, struct diag *d);

/* Read len bytes of in_fd from off in pieces of at most cap bytes through
 * buf, handing each piece to hook; stops at the first non-zero return. */
typedef int (*range_hook)(void *ctx, const uint8_t *p, size_t n);
int stream_range(int in_fd, uint64_t off, uint64_t len, uint8_t *buf, size_t cap, range_hook hook,
		 void *ctx);

/* Copy len bytes of in_fd from off to out_fd's position: in the kernel
 * (copy_file_range) when it can, else through a 256 KiB buffer. */
int copy_range(int in_fd, uint64_t off, uint64_t len, int out_fd);

/* Write n zero bytes. */
int write_zeros(int fd, uint64_t n);

/* Create dir (and parents) if missing. */
int mkdir_p(const char *dir, struct diag *d);

#endif
