/* version.h - the version of this build, for every tool's --version. */
#ifndef BOOTKIT_VERSION_H
#define BOOTKIT_VERSION_H

/* The build's version: `git describe --tags --always --dirty` when built
 * from a git checkout, else the tarball's VERSION file (mk/version.sh);
 * "unknown" when built without the Makefile. A static string. */
const char *bootkit_version(void);

#endif
