#include "lib/version.h"

/* The Makefile passes it to this file alone (from out/version.txt), so a new
 * version recompiles one file and relinks, nothing more. */
#ifndef BOOTKIT_VERSION
#define BOOTKIT_VERSION "unknown"
#endif

const char *bootkit_version(void)
{
	return BOOTKIT_VERSION;
}
