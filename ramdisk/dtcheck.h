/* dtcheck.h - the build-time check of modules.list against a board's DTB
 * (issue 16.1): which rules load a driver that binds a DT node (its
 * interrupt, GPIOs and supplies come with it), which still rely on
 * new_device (no IRQ), and DT candidates that cannot both be nodes.
 *
 * For each rule with an i2c condition and a load action, at each address the
 * condition names: the DT nodes at that address on an I2C bus (a node whose
 * parent has #address-cells 1 and #size-cells 0 and whose reg is the
 * address), matched against the loaded modules' OF aliases (modules.alias,
 * and modules.builtin.modinfo for built-in drivers) as the kernel matches a
 * device's modalias: "of:N<name>T<type>C<compatible>...". A matching node
 * that is enabled binds when the module loads; a disabled one needs the
 * rule's `overlay` action to enable it. Two enabled nodes at one address of
 * one bus are an error: both drivers would try the same address; the way
 * out is one node status = "disabled" plus an overlay action in the rule
 * that finds its chip, or the kernel's own of-prober (Linux 6.13+), which
 * enables the one that answers.
 */
#ifndef BOOTKIT_DTCHECK_H
#define BOOTKIT_DTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "probe/rules.h"

#define DTB_FILE_MAX (4u << 20) /* bytes of a board DTB read for the check */

enum dtcheck_kind {
	DTC_BINDS,	/* the module binds an enabled node */
	DTC_OVERLAY,	/* it matches a disabled node that the rule's overlay enables */
	DTC_DISABLED,	/* it matches a disabled node and the rule has no overlay */
	DTC_NEW_DEVICE, /* no node: the rule's bind action makes one (no IRQ) */
	DTC_UNBOUND,	/* no node and no bind: the module loads, nothing binds */
	DTC_CONFLICT,	/* two enabled nodes at one address of one bus (an error) */
};

/* One finding: kind, the rule (NULL for a conflict), the address, and a
 * line of text saying it all (at most DTCHECK_MSG_MAX bytes with its NUL; a
 * longer one is cut, marked "..."). */
#define DTCHECK_MSG_MAX 2048
typedef void (*dtcheck_fn)(void *ctx, enum dtcheck_kind kind, const struct rule *ru, unsigned addr,
			   const char *msg);

/*
 * Check rules against the flattened DT dtb[0..len), with the module aliases
 * of moddir (a /lib/modules/RELEASE folder: modules.alias and, if there,
 * modules.builtin.modinfo). list names the rules file in messages. Returns
 * the number of conflicts (0: nothing wrong), or -errno with d set (a DTB
 * libfdt refuses, an unreadable alias file).
 */
int dtcheck_run(const struct rules *r, const char *list, const char *moddir, const void *dtb,
		size_t len, dtcheck_fn fn, void *ctx, struct diag *d);

#endif
