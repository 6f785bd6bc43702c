/* verbs.h - the verbs of the bootimg command: bootimg.c dispatches to
 * cmd_bootimg_VERB, each in bootimg_VERB.c or bootimg.c. */
#ifndef BOOTKIT_TOOLS_VERBS_H
#define BOOTKIT_TOOLS_VERBS_H

#include <stddef.h>
#include <stdint.h>

#include "mkbootimg/bootimg.h"

/* One header field as info shows it (and diff compares it). */
struct field {
	const char *name;
	unsigned off;
	enum { F_DEC, F_HEX, F_STR, F_OSVER } kind;
	uint64_t v;
	const uint8_t *s;
	size_t max;
};
#define FIELDS_MAX 32
/* One field as text: the longest is vendor_boot's command line. */
#define FIELD_TEXT_MAX (VENDOR_BOOT_ARGS_SIZE + 1)

/* cmd_bootimg_info.c: the fields of a header, in offset order; returns how many. */
unsigned header_fields(const struct bootimg *g, struct field *f);
/* "A.B.C, patch level YYYY-MM" or "none". */
void os_string(uint32_t raw, char *out, size_t cap);
/* A JSON string of s (at most n bytes, up to a NUL), escaped. */
void json_str(const uint8_t *s, size_t n);
/* The same for text output: quoted, escaped as escape.h shows names (no
 * control byte of an image reaches the terminal). */
void text_str(const uint8_t *s, size_t n);

int cmd_bootimg_info(int argc, char **argv);
int cmd_bootimg_unpack(int argc, char **argv);
int cmd_bootimg_repack(int argc, char **argv);
int cmd_bootimg_verify(int argc, char **argv);
int cmd_bootimg_check(int argc, char **argv);
int cmd_bootimg_carve(int argc, char **argv);
int cmd_bootimg_diff(int argc, char **argv);
int cmd_bootimg_version(int argc, char **argv);
int cmd_bootimg_config(int argc, char **argv);

#endif
