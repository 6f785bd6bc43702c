/* moddep.h - kernel module metadata, read the way kmod reads it: modules.dep,
 * modules.builtin, a module's .modinfo section and modules.builtin.modinfo.
 *
 * One reader for the host (ramdisk/modclosure.c: the modules a rules file
 * needs) and the phone (the probe: what to load, in which order, what is
 * built in, whether the modules fit the running kernel). Target-safe: it
 * never prints or exits, reads only through the caller's buffers or the
 * caller's fd, and allocates in one place (moddep_graph_init, once, with
 * the bound stated there).
 *
 * Names (kmod's rule, libkmod's modname_normalize): a module's name is the
 * base name of its path up to the first '.', with '-' read as '_':
 * "kernel/drivers/input/touchscreen/edt-ft5x06.ko.xz" -> "edt_ft5x06".
 *
 * modules.dep (depmod): one line per module,
 *     kernel/drivers/gpu/drm/panel/panel-simple.ko: kernel/drivers/gpu/drm/drm.ko
 * the module's path (relative to lib/modules/<version>), ':', then every
 * module it needs, directly or not, separated by blanks, in an order that
 * loads correctly from the last to the first.
 *
 * modules.builtin (kbuild, Linux >= 5.6 and earlier in other forms): one path
 * per line, "kernel/drivers/i2c/i2c-core.ko", for every module built into
 * the kernel image.
 *
 * .modinfo (a .ko file's ELF section): NUL-terminated "key=value" strings,
 * possibly padded with more NULs: vermagic= (the first word is the release
 * it was built for, `uname -r` of its kernel), name=, depends= (comma
 * separated), alias= (many), license=, ... modules.builtin.modinfo is the
 * kernel image's own .modinfo: the same records prefixed by the module name,
 * "i2c_core.license=GPL", "goodix_ts.alias=i2c:GDIX1001:00".
 *
 * ELF (as read here, System V gABI): e_ident[0..3] = 7f 'E' 'L' 'F',
 * e_ident[4] class (1: ELF32, 2: ELF64), e_ident[5] data (1: little, 2: big
 * endian). Header fields used, offset (32 / 64-bit):
 *     e_shoff      0x20 / 0x28   section header table (4 / 8 bytes)
 *     e_shentsize  0x2e / 0x3a   bytes per section header (2)
 *     e_shnum      0x30 / 0x3c   section headers (2)
 *     e_shstrndx   0x32 / 0x3e   the section holding section names (2)
 * Section header (40 / 64 bytes): sh_name 0x00 (4, an offset into the names
 * section), sh_type 0x04 (4; 8 = SHT_NOBITS, no bytes in the file),
 * sh_offset 0x10 / 0x18, sh_size 0x14 / 0x20 (4 / 8). Every offset and size
 * is checked against the file before use; a hostile file gets an error, never
 * a read outside it.
 */
#ifndef BOOTKIT_MODDEP_H
#define BOOTKIT_MODDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A module name and its NUL. The kernel's MODULE_NAME_LEN is 64 minus a
 * pointer: 56 on 64-bit, 60 on 32-bit kernels. */
#define MODULE_NAME_MAX 64
/* The .modinfo bytes the probe reads of a module (vermagic is in the first
 * few hundred; a 6.1 driver's whole section is 0.5-4 KiB). */
#define MODINFO_MAX (64u << 10)

#define ELF32_EHDR_SIZE 52
#define ELF64_EHDR_SIZE 64
#define ELF32_SHDR_SIZE 40
#define ELF64_SHDR_SIZE 64
_Static_assert(ELF32_EHDR_SIZE >= 0x34 && ELF64_EHDR_SIZE >= 0x40, "e_shstrndx fits the header");

/* ---- names ------------------------------------------------------------------ */

/* The module name of path[0..len) into out: its length, -EINVAL for an empty
 * name, -ENAMETOOLONG when it needs MODULE_NAME_MAX bytes or more (never cut:
 * two long names cut short could become one). */
int moddep_name(const char *path, size_t len, char out[MODULE_NAME_MAX]);

/* Does the module name of path[0..len) equal name ('-' and '_' equal)? */
bool moddep_name_eq(const char *path, size_t len, const char *name);

/* ---- modules.dep ----------------------------------------------------------------- */

struct moddep_line {
	const char *path; /* the module, relative to lib/modules/<version> */
	size_t plen;
	const char *deps; /* what follows ':' up to the end of the line */
	size_t dlen;
	unsigned line; /* 1-based */
};

/*
 * The next line of modules.dep text[0..len) from *pos (start at 0, line
 * counted in *line, start at 0). 1 with l filled, 0 at the end, -EBADMSG for
 * a line with no ':' or an empty path (*pos and *line move past it: a caller
 * may report it and go on). Blank lines are skipped.
 */
int moddep_next(const char *text, size_t len, size_t *pos, unsigned *line, struct moddep_line *l);

/* The next dependency word of l from *pos (start at 0): 1, or 0 at the end. */
int moddep_dep_next(const struct moddep_line *l, size_t *pos, const char **w, size_t *wl);

/* The first line whose module is name: 0, or -ENOENT. Bad lines are skipped. */
int moddep_find(const char *text, size_t len, const char *name, struct moddep_line *l);

/* ---- modules.builtin ---------------------------------------------------------------- */

/* Is name one of the paths of modules.builtin text[0..len)? */
bool moddep_builtin(const char *text, size_t len, const char *name);

/* ---- the dependency walk: load order, each module once, cycles named ------------------ */

/* The index of a modules.dep text: nodes in file order. */
struct moddep_node {
	uint32_t off;  /* path at text + off */
	uint32_t plen; /* path length; the dependencies follow ':' */
	uint32_t dlen;
};

struct moddep_frame {
	uint32_t node;
	uint32_t pos; /* dependencies not yet visited: those before pos */
};

struct moddep_graph {
	const char *text; /* borrowed: must outlive the graph */
	size_t len;
	struct moddep_node *node;
	unsigned n;
	int32_t *state; /* per node: 0 new, 1 on the walk's stack, 2 done, <0 failed (-errno) */
	struct moddep_frame *stack;
	uint32_t *next;	  /* the name index: per node, the next node of its bucket */
	uint32_t *bucket; /* nbucket (a power of two) first nodes; UINT32_MAX: none */
	unsigned nbucket;
	unsigned depth;
	unsigned bad_lines; /* lines with no ':' (skipped) */
	/* after a walk that failed: */
	unsigned cycle_from, cycle_to; /* -ELOOP: stack[cycle_from..cycle_to) is the cycle */
	const char *missing;	       /* -ENOENT: a dependency with no line of its own */
	size_t missing_len;
};

/*
 * Index modules.dep text[0..len) (borrowed): the lines, and a hash index of
 * the module names, so that a lookup (each dependency a walk follows) costs
 * O(1) on average and a walk over every module is linear. Allocates once:
 * 28 bytes per line (node, state, stack frame, index chain) and 4 bytes per
 * bucket (lines rounded up to a power of two), so at most 36 bytes per line
 * and 12 per byte of text (a line is at least 3 bytes: "a:\n"); callers
 * bound len (the probe: 1 MiB, 12 MiB of index). 0, -ENOMEM, -EFBIG (len
 * over 4 GiB). Lines with no ':' are skipped and counted in bad_lines.
 */
int moddep_graph_init(struct moddep_graph *g, const char *text, size_t len);
void moddep_graph_free(struct moddep_graph *g);

/* The node of module name, or -ENOENT. */
int moddep_graph_find(const struct moddep_graph *g, const char *name);
/* A node's path and dependency text. */
const char *moddep_graph_path(const struct moddep_graph *g, unsigned node, size_t *len);
void moddep_graph_line(const struct moddep_graph *g, unsigned node, struct moddep_line *l);

/* Called once per module in load order; a non-zero return stops the walk and
 * is kept as that module's state. */
typedef int (*moddep_visit_fn)(void *ctx, const struct moddep_graph *g, unsigned node);

/*
 * Visit node's dependencies (the last listed first, each after its own
 * dependencies) and then node, each module at most once until
 * moddep_graph_reset: a module visited by an earlier walk is not visited
 * again, and one whose visit failed fails every later walk that needs it
 * (with its error, at no cost). An explicit stack: no recursion, no depth
 * limit but the number of modules. Returns 0, the first visit error,
 * -ELOOP for a dependency cycle (moddep_graph_cycle names it) or -ENOENT
 * for a dependency with no line (g->missing names it). A walk that fails
 * leaves the modules it had not visited new.
 */
int moddep_walk(struct moddep_graph *g, unsigned node, moddep_visit_fn fn, void *ctx);

/* Every node new again (a new pass). */
void moddep_graph_reset(struct moddep_graph *g);

/* After -ELOOP: the cycle as "a>b>c>a" into out; its length or -ENOSPC
 * (out then holds as many whole names as fit, ending in "..."). */
int moddep_graph_cycle(const struct moddep_graph *g, char *out, size_t cap);

/* ---- .modinfo ------------------------------------------------------------------------------- */

/* Reads size bytes at off of a module file; 0 or -errno (-ENODATA past the end). */
typedef int (*moddep_read_fn)(void *ctx, uint64_t off, void *buf, size_t n);

/*
 * The .modinfo section of an ELF file of size bytes, read through rd, copied
 * into out (cap bytes; a NUL is added after it when it fits). Returns its
 * length, or: -ENOEXEC not ELF (or a class or byte order that is neither
 * 1 nor 2: a compressed .ko.xz is not ELF), -ENOENT no .modinfo section,
 * -EBADMSG a header field points outside the file (*why, when not NULL,
 * names it), -EFBIG the section is cap bytes or more, or the read error.
 * Reads the header, one section header at a time and the names it compares:
 * a few KiB of a module whatever its size.
 */
long modinfo_read(moddep_read_fn rd, void *ctx, uint64_t size, char *out, size_t cap,
		  const char **why);
/* The same from a buffer holding the whole file. */
long modinfo_from_buf(const uint8_t *buf, size_t len, char *out, size_t cap, const char **why);
/* The same from an open file (pread; fstat for the size). */
long modinfo_from_fd(int fd, char *out, size_t cap, const char **why);

/* One record of a .modinfo area or of modules.builtin.modinfo. */
struct modinfo_rec {
	const char *mod; /* modules.builtin.modinfo: the module prefix; else NULL */
	size_t mlen;
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
};

/*
 * The next "key=value" record of area[0..len) from *pos (start at 0): 1, or
 * 0 at the end. Runs of NULs (padding) and strings with no '=' are skipped; a
 * last string with no NUL ends at len. With builtin, "mod.key=value": the
 * module name before the first '.' of the key part (strings without one are
 * skipped).
 */
int modinfo_next(const char *area, size_t len, size_t *pos, bool builtin, struct modinfo_rec *r);

/*
 * The next value of key (of module mod in modules.builtin.modinfo, or any
 * module when mod is NULL; mod NULL and builtin false for a .ko's .modinfo)
 * from *pos: 1 with *val and *vlen set, or 0. Call again for more aliases.
 */
int modinfo_get(const char *area, size_t len, size_t *pos, bool builtin, const char *mod,
		const char *key, const char **val, size_t *vlen);

/* The release a vermagic value names: its first word (-> *rel, *rlen). */
void modinfo_vermagic_release(const char *vermagic, size_t len, const char **rel, size_t *rlen);

#endif
