/* readat.h - read exactly n bytes at an offset. */
#ifndef BOOTKIT_READAT_H
#define BOOTKIT_READAT_H

#include <stddef.h>
#include <stdint.h>

/* pread exactly n bytes at off; -ENODATA at end of file, -errno on error
 * (EINTR retried). */
int read_at(int fd, void *buf, size_t n, uint64_t off);

#endif
