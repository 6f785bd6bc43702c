/* textsize.h - the sizes of text buffers, one per kind of text (the NUL included).
 *
 * A buffer for text is sized by what it holds, never by a bare number. The
 * kinds with a home elsewhere:
 *   a path on the host               PATH_MAX (<limits.h>)
 *   a path below the probe's root    PROBE_PATH_MAX (probe/probe.h)
 *   a message with a place           DIAG_MSG_MAX (diag.h)
 *   a module name                    MODULE_NAME_MAX (moddep.h)
 *   a name in a cpio archive         CPIO_NAME_MAX (ramdisk/cpio.h)
 *   a command line, a bootconfig     CMDLINE_MAX (cmdline.h)
 * and the ones below, shared by the host tools, the probe and the init. Text
 * goes into them through strfmt.h, which never cuts it silently.
 */
#ifndef BOOTKIT_TEXTSIZE_H
#define BOOTKIT_TEXTSIZE_H

/* A kernel release (`uname -r`): utsname's 64 bytes and the NUL. Kbuild
 * refuses a longer UTS_RELEASE, so no module tree can be named by one. */
#define KERNEL_RELEASE_MAX 65

/* A 64-bit number as text: at most "0b" and 64 digits, a K/M/G suffix. */
#define NUM_TEXT_MAX 68

/* A short name made of a word and a number or a part's name:
 * "vendor_ramdisk03", "dtb 3", "kernel MTK header", "i2c-12", "bootkit.watch". */
#define LABEL_MAX 64

/* A value or a description shown to a person, on a line of output or inside a
 * message: a header field (bootimg info, diff), a DTB's model and compatible,
 * a ramdisk entry, "BOOTIMG partition (FILE)". */
#define SHOW_MAX 512

#endif
