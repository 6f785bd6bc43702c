/* layout.h - where a bootloader puts a boot image's parts, and how far the
 * kernel spreads once it runs: the check behind `bootimg verify`, `check`,
 * `info`'s layout lines, mkbootimg's warning and make's refusal.
 *
 * A loader model says how a bootloader places an image ("LOADER" in a board
 * profile, --loader on the command line; README, "Brick safety"):
 *
 *   header[,mem=START+SIZE][,reserved=START+SIZE]...[,name=NAME]
 *       the header's kernel_addr, ramdisk_addr, second_addr, tags_addr and
 *       (v2) dtb_addr: U-Boot's Android boot, Qualcomm's LK, MediaTek's LK
 *       from about 2015 (MT6735 and later)
 *   fixed,kernel=A,ramdisk=A,tags=A,mem=START+SIZE[,reserved=START+SIZE]...[,name=NAME]
 *       its own constants, the header's never read: MT6572 LK puts the
 *       kernel section's payload at 0x80108000, the ramdisk's at 0x84100000,
 *       its ATAGs at 0x80100100 and reports memory from 0x80100000
 *       (mt_reg_base.h, platform.c, app/mt_boot of the MT6572 LK trees)
 *   mem: the memory the loader reports (ATAG_MEM, the DT's /memory);
 *   reserved: DRAM it keeps for itself (MT6572: 0x80000000+1M, connsys).
 *   Numbers are 0x hex or decimal, sizes may end in K, M or G. Several
 *   models are separated by blanks; each is checked.
 *
 * How far the kernel spreads, by kind (MTK header and our shim first taken off):
 *   ARM zImage: it decompresses to its ZRELADDR, fixed (`ldr r4, =zreladdr`
 *     near its start) or, with CONFIG_AUTO_ZRELADDR (`and rN, rN,
 *     #0xf8000000`), the 128 MiB-aligned start below where it runs plus
 *     TEXT_OFFSET (from its code or its table); kernels from 5.12 without an
 *     appended DTB move to the DT's first memory bank when that start is
 *     outside memory. It needs 16 KiB below for page tables, the
 *     decompressed size (the size word its table (4.15+) or its LC0 literals
 *     (3.x) point at, else the payload decoded) plus the kernel's bss (its
 *     table, else LAYOUT_BSS_MARGIN), and when the two overlap its
 *     decompressor moves itself above the decompressed kernel (head.S:
 *     its bytes, the appended DTBs, LAYOUT_DECOMP_EXTRA). With an appended
 *     DTB the ATAGs are read into it before anything is written, so the tags
 *     may be overwritten afterwards.
 *   arm64 Image (booting.rst): image_size bytes from where it is loaded,
 *     which must be text_offset above a 2 MiB boundary.
 *   x86 bzImage (boot protocol 2.10+): init_size bytes from the load address
 *     (aligned up to kernel_alignment when relocatable).
 * Anything else is said to be unknown, not guessed.
 */
#ifndef BOOTKIT_LAYOUT_H
#define BOOTKIT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "mkbootimg/payload.h"

#define LOADER_MODELS_MAX   4
#define LOADER_RESERVED_MAX 4
#define LOADER_NAME_MAX	    32
#define LOADER_SPEC_MAX	    1024
#define LAYOUT_TAGS_SIZE                                                                           \
	0x3f00u /* at tags_addr: ATAGs and command line, up to where the kernel                    \
		 * puts its page tables (base + 0x100 to base + 0x4000) */
#define LAYOUT_BSS_MARGIN   (2u << 20)	/* a kernel's bss when its zImage does not say */
#define LAYOUT_DECOMP_EXTRA (96u << 10) /* the decompressor's bss, 4 KiB stack, 64 KiB heap */
#define LAYOUT_PGDIR	    (16u << 10) /* page tables below the decompressed kernel */
#define LAYOUT_MEM_ALIGN    (2u << 20)	/* where a generic ARM kernel's memory must start */
#define LAYOUT_HEAD_MAX	    (64u << 10) /* bytes of a kernel read to find all this */
#define LAYOUT_FINDINGS_MAX 16
#define LAYOUT_NOTE_MAX	    160

struct mem_range {
	uint64_t start, size;
};

enum loader_kind { LOADER_HEADER, LOADER_FIXED };

struct loader_model {
	enum loader_kind kind;
	char name[LOADER_NAME_MAX];
	uint64_t kernel, ramdisk, tags; /* LOADER_FIXED */
	bool has_mem;
	struct mem_range mem;
	struct mem_range reserved[LOADER_RESERVED_MAX];
	unsigned nreserved;
};

/* Parse a LOADER value (one or more models) into out (max entries).
 * 0 with *n set, or -EINVAL with d naming the word. */
int loader_parse(const char *spec, struct loader_model *out, unsigned max, unsigned *n,
		 struct diag *d);

/* The LOADER= value of a board profile file into spec (cap bytes): 0,
 * -ENOENT (no such key), or a read error. */
int loader_from_profile(const char *path, char *spec, size_t cap, struct diag *d);

enum zreladdr { ZREL_UNKNOWN, ZREL_AUTO, ZREL_AUTO_DT, ZREL_FIXED };

struct kernel_foot {
	enum payload_fmt kind; /* PF_ZIMAGE, PF_ARM64_IMAGE, PF_BZIMAGE; else not known */
	uint64_t len;	       /* the payload the loader copies: shim, kernel, appended DTBs */
	uint32_t shim_len;     /* bootkit's shim in front (0: none), shim.h */
	uint32_t shim_align;
	uint64_t image_len; /* the kernel image alone */
	uint64_t dtb_len;   /* DTBs appended to it */
	/* zImage */
	enum zreladdr zrel;
	uint64_t zreladdr; /* ZREL_FIXED */
	uint32_t text_offset;
	uint64_t inflated;	  /* decompressed bytes, 0: not known */
	const char *inflated_how; /* where that figure comes from */
	uint64_t bss;
	bool bss_known;
	/* arm64 Image */
	uint64_t a64_text_offset, a64_image_size;
	bool a64_compressed; /* Image.gz...: the loader decompresses it */
	/* x86 bzImage */
	uint64_t init_size, pref_address;
	uint32_t kernel_alignment;
	bool relocatable;
	char note[LAYOUT_NOTE_MAX]; /* what is not known, and why */
};

/*
 * What the check needs of a kernel payload (len bytes at off in fd: the
 * kernel section after its MTK header). At most LAYOUT_HEAD_MAX bytes and a
 * few words are read; an old zImage whose size word cannot be found is
 * decoded. Returns 0 (kf says what was found) or a read error.
 */
int kernel_footprint(int fd, uint64_t off, uint64_t len, struct kernel_foot *kf, struct diag *d);

/* DTBs appended to the kernel from another file (an unpacked folder's kernel.dtb). */
void kernel_foot_add_dtb(struct kernel_foot *kf, uint64_t dtb_len);

/* The parts of an image the check needs (sizes of the payloads, MTK headers off). */
struct layout_image {
	bool has_addresses; /* boot v0-v2 (v3+ keep theirs in vendor_boot) */
	uint64_t kernel_addr, ramdisk_addr, second_addr, tags_addr, dtb_addr;
	uint64_t ramdisk_len, second_len, dtb_len;
	const struct kernel_foot *kf;
};

enum layout_sev { LAYOUT_NOTE, LAYOUT_WARN, LAYOUT_ERROR };

struct layout_finding {
	enum layout_sev sev;
	char msg[DIAG_MSG_MAX];
};

struct layout_span {
	bool present;
	uint64_t start, end; /* [start, end) */
};

struct layout_result {
	struct layout_span kload, krun, ramdisk, second, tags, dtb;
	bool has_mem;
	struct mem_range mem; /* as the kernel sees it (after the shim) */
	bool relocates;	      /* the decompressor moves above the decompressed kernel */
	bool shim_needed;     /* the memory start is unusable and a shim fixes it */
	struct layout_finding f[LAYOUT_FINDINGS_MAX];
	unsigned n, errors, warnings;
};

/* Check an image under one model. Never fails: r says what was found. */
void layout_check(const struct loader_model *m, const struct layout_image *li,
		  struct layout_result *r);

/* One line describing where the kernel runs ("decompresses to 0x... (how)"). */
void layout_kernel_text(const struct kernel_foot *kf, const struct layout_result *r, char *out,
			size_t cap);

const char *layout_sev_name(enum layout_sev s);

/* The layout facts of an opened image (image.h): its kernel's footprint
 * into kf, its header addresses and payload sizes into li (li->kf = kf). */
struct image;
int layout_from_image(const struct image *im, struct kernel_foot *kf, struct layout_image *li,
		      struct diag *d);

#endif
