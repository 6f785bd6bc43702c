/* modload.h - load one kernel module file, the one way the init and the
 * probe both do it.
 *
 * finit_module(2) exists from Linux 3.8; MT65xx vendor kernels are 3.4, so
 * on ENOSYS the file is read into memory for init_module(2). EEXIST (built
 * in, or loaded earlier) is returned as it is: callers count it as loaded.
 */
#ifndef BOOTKIT_MODLOAD_H
#define BOOTKIT_MODLOAD_H

/* Load the module at path (relative to dirfd, or AT_FDCWD) with the
 * parameter string params ("" for none). 0, or -errno. */
int module_load(int dirfd, const char *path, const char *params);

/* The same from an open file (the probe opens it confined to its root). */
int module_load_fd(int fd, const char *params);

#endif
