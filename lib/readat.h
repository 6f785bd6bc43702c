/* readat.h - the readers every part shares: exactly n bytes at an offset,
 * and a whole small regular file, bounded. */
#ifndef BOOTKIT_READAT_H
#define BOOTKIT_READAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pread exactly n bytes at off; -ENODATA at end of file, -errno on error
 * (EINTR retried). */
int read_at(int fd, void *buf, size_t n, uint64_t off);

/* A regular file from an open fd, from where it stands to its end: at most
 * cap - 1 bytes and a NUL; *cut when more was there (a /proc or /sys file
 * says size 0: only a read tells). -EISDIR or -EINVAL for anything not a
 * regular file (no FIFO to block on, no device to poke), -errno. */
long read_fd_cut(int fd, char *buf, size_t cap, bool *cut);

#endif
