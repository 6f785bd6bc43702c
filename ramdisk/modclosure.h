/* modclosure.h - the kernel modules a ramdisk must carry for modules.list.
 *
 * Input: a kernel's module tree (lib/modules/<version>, with modules.dep and
 * modules.alias as depmod writes them; `depmod -b ROOT VERSION` makes them
 * for a tree unpacked from a package) and the parsed modules.list. Output:
 * every module a `load` action names (and any named by the caller) plus
 * everything modules.dep says it needs, placed at lib/modules/<version>/<the same path> in a
 * ramdisk, with a modules.dep and a modules.alias that list just that subset (in the order of the
 * originals), so the probe, BusyBox modprobe and kmod all find them.
 *
 * modules.dep lines: "kernel/drivers/x/a.ko: kernel/y/b.ko kernel/z/c.ko"
 * (a needs b and c; load c, then b, then a), read by lib/moddep.c, the same
 * reader the probe uses. A module's name is its file name without
 * .ko[.gz|.xz|.zst], with '-' read as '_'. A `load` of a module the kernel
 * has built in (the tree's modules.builtin) needs no file: its
 * modules.builtin line goes into the ramdisk instead, so the probe knows.
 */
#ifndef BOOTKIT_MODCLOSURE_H
#define BOOTKIT_MODCLOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"
#include "lib/textsize.h"
#include "probe/rules.h"
#include "ramdisk/ramdisk.h"

struct mod_closure {
	char version[KERNEL_RELEASE_MAX]; /* the tree's kernel release */
	char *dir;	   /* the module tree on the host: .../lib/modules/<version> */
	char *dep;	   /* modules.dep of the tree (owned, tokenized) */
	char **path;	   /* closure, in modules.dep order: paths relative to dir (owned) */
	size_t n;	   /* modules in the closure */
	size_t nnamed;	   /* distinct modules named by load actions */
	size_t nbuiltin;   /* load actions naming a module built into the kernel */
	char *sub_builtin; /* modules.builtin lines of those, or NULL */
	size_t sub_builtin_len;
	char *sub_dep; /* modules.dep for the subset */
	size_t sub_dep_len;
	char *sub_alias; /* modules.alias for the subset */
	size_t sub_alias_len;
	char *boot; /* lib/probe/boot.modules (see below) */
	size_t boot_len;
};

/*
 * lib/probe/boot.modules, for the init flow, which has no modprobe in its
 * minimal mode: one "KIND /lib/modules/<version>/PATH" line per module, in
 * load order (a module's dependencies before it, each module once per kind).
 * KIND "preload": the modules the init loads before the probe runs (the I2C
 * bus drivers a board needs); "fallback": the modules of every class fallback
 * of modules.list, which the init loads itself when the probe is missing or
 * fails.
 */

/*
 * Find the tree (kdir is lib/modules/<version> itself or a root holding
 * lib/modules/<version>; version picks one when there are several) and
 * compute the closure of every load action in r and of the modules named in
 * preload (comma separated, may be NULL), and mc->boot. A module the tree
 * lacks is an error naming rules_file:line (or --preload).
 */
int mod_closure_build(struct mod_closure *mc, const char *kdir, const char *version,
		      const struct rules *r, const char *rules_file, const char *preload,
		      struct diag *d);

/* Add the modules (from the host tree), their folders, and the subset
 * modules.dep / modules.alias to rd. */
int mod_closure_add(const struct mod_closure *mc, struct ramdisk *rd, struct diag *d);

void mod_closure_free(struct mod_closure *mc);

#endif
