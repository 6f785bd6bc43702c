/* common.h - what the three boot image commands share (they die on
 * error; the library never does): the input files a writing command
 * has open, so that sections can stream from them and no output ever lands
 * on one of them, and loading an image or dying with its diagnostic. */
#ifndef BOOTKIT_TOOLS_COMMON_H
#define BOOTKIT_TOOLS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "lib/fileio.h"
#include "lib/textsize.h"
#include "mkbootimg/imgwrite.h"
#include "mkbootimg/layout.h"
#include "mkbootimg/shim.h"

#define INPUTS_MAX (VENDOR_RAMDISK_MAX_ENTRIES + 16)

struct inputs {
	int fd[INPUTS_MAX];
	unsigned n;
};

/* Open path (dies with "path: reason" on failure); returns the fd. */
int inputs_open(struct inputs *in, const char *path, uint64_t *size);

/* The same for a plain file name inside the folder dirfd, following no
 * symlink (dir names the folder in messages). */
int inputs_open_at(struct inputs *in, int dirfd, const char *dir, const char *name, uint64_t *size);

/* Append the whole file at path to a section. Returns its size. */
uint64_t inputs_add_file(struct inputs *in, struct section_src *s, const char *path);

void inputs_close(struct inputs *in);

/* Write plan to path atomically (never over an input); dies on failure. */
void write_image_file(struct image_plan *plan, const char *path, const struct inputs *in);

/* A set of outputs in one folder, committed together: nothing appears
 * under a final name until every part is written, and a failure (die)
 * removes every temporary file. */
#define OUTSET_MAX (VENDOR_RAMDISK_MAX_ENTRIES + 24)
struct outset {
	struct outfile o[OUTSET_MAX];
	unsigned n;
	int dirfd;
	const char *dir;
	const int *in_fds; /* inputs no output may land on */
	unsigned nin;
};
struct outfile;
/* Create dir if missing and open it; dies on failure. */
void outset_begin(struct outset *s, const char *dir, const int *in_fds, unsigned nin);
/* A new output name in the folder (a plain component); its fd to fill. */
int outset_add(struct outset *s, const char *name);
/* Outputs filled from a file range or from memory. */
void outset_range(struct outset *s, const char *name, int in_fd, uint64_t off, uint64_t len);
void outset_mem(struct outset *s, const char *name, const void *buf, size_t n);
/* Commit all; dies on failure. Closes the folder unless keep_dir. */
void outset_commit(struct outset *s, bool keep_dir);

struct image;
/* Open and fully check path; on bad input print "prog: path: ..." and exit 1. */
void image_load_or_die(struct image *im, const char *path);
/* The same with IMAGE_* flags (image.h). */
void image_load_flags_or_die(struct image *im, const char *path, unsigned flags);

/* ---- the layout check (layout.h) -------------------------------------------
 * The models of --loader SPEC or --profile P (a profile file, or NAME for
 * profiles/NAME.conf: its LOADER= line); with neither, "header". Dies on a
 * bad spec. Returns how many (at most LOADER_MODELS_MAX). */
unsigned layout_models(const char *loader, const char *profile, struct loader_model *m);
/* Where each part lands, on one line. */
void layout_summary(const struct loader_model *m, const struct kernel_foot *kf,
		    const struct layout_result *r, char *out, size_t cap);
/* The summary and each finding, one line each, every line starting with
 * lead. Flags: LAYOUT_QUIET_OK: only warnings and errors (and the summary
 * when there is an error); LAYOUT_ERRORS_WARN: errors said as warnings (the
 * image is written anyway). Returns the errors. */
enum { LAYOUT_QUIET_OK = 1, LAYOUT_ERRORS_WARN = 2 };
unsigned layout_report(FILE *f, const char *lead, const struct loader_model *m,
		       const struct kernel_foot *kf, const struct layout_result *r, unsigned flags);

/* The check before an image is written (mkbootimg, bootimg repack): every
 * model of --loader/--profile (default header); an error refuses the write
 * when refuse is set (mkbootimg: --loader or --profile given; repack: always)
 * unless allow (--allow-overlap), or the source image failed that model
 * already (repack: src_failed). With a shim (--lk-shim FILE) and a model
 * whose memory start the kernel cannot use, the shim goes in front of the
 * kernel: kf grows by it and layout_gate_run returns true. */
struct layout_gate {
	struct loader_model m[LOADER_MODELS_MAX];
	unsigned n;
	struct layout_result r[LOADER_MODELS_MAX];
	bool refuse, allow;
	bool src_failed[LOADER_MODELS_MAX];
	const char *shim_path;
	uint8_t *shim; /* its bytes (sh.len) */
	struct lk_shim sh;
};
/* Read and check the shim file; dies when it is not one. */
void layout_gate_shim(struct layout_gate *g, const char *path);
/* Check, print what was found (stderr), die when refused (out: for the message). */
bool layout_gate_run(struct layout_gate *g, struct kernel_foot *kf, const struct layout_image *li,
		     const char *out);
void layout_gate_free(struct layout_gate *g);

/* ---- partition limit --------------------------------------------------------
 * Every command that writes an image accepts --partition-size N or
 * --scatter FILE [--partition NAME] and refuses an image that would not fit. */
struct limit {
	uint64_t max;	     /* 0: no limit */
	char what[SHOW_MAX]; /* "BOOTIMG partition (FILE)", for messages */
};

/* Resolve the limit from the option values (any may be NULL). Dies on error. */
void limit_resolve(struct limit *l, const char *size, const char *scatter, const char *partition,
		   const char *default_partition);
/* Die with "would be N bytes, M more than ..." when size exceeds the limit. */
void limit_check(const struct limit *l, uint64_t size, const char *output);

#endif
