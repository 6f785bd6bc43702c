/* kcmdline.h - the kernel command line and /proc/bootconfig, read one way by
 * the init (its bootkit.* settings, root=, init=) and by the probe (its
 * `cmdline KEY` conditions).
 *
 * The command line (/proc/cmdline), as the kernel's own parameter parsing
 * (kernel/params.c, next_arg) splits it:
 *   - words are separated by blanks (space, tab, newline, CR, VT, FF; a NUL
 *     byte counts as a blank);
 *   - a double quote switches "inside quotes" on and off; blanks inside
 *     quotes do not split: lcm="1-otm 8009a" and "lcm=1-otm 8009a" are one
 *     word each;
 *   - KEY=VALUE gives VALUE with the quotes around it dropped (a quote that
 *     opens the value or the word, and the one that ends the word);
 *     quotes elsewhere stay as they are;
 *   - a bare word (rw) is present with an empty value;
 *   - a key given twice: the LAST one wins, as the kernel's __setup and
 *     module_param handlers see it (each occurrence overrides the one before).
 * init.conf (KEY=VALUE lines) is read with the same rules: a line is a word.
 *
 * Bootconfig, as /proc/bootconfig prints it (fs/proc/bootconfig.c):
 *   KEY = "VALUE"                 one line per key
 *   KEY = "A", "B", "C"           an array
 *   KEY = 'say "hi"'              a value holding " is quoted with '
 *   KEY = ""                      a key without a value
 * An array's values come back in order, separated by NUL bytes, so a caller
 * can test each (the probe's `cmdline` condition matches when any element
 * passes, as `dt` does for string lists). Unquoted values (to the end of the
 * line, trailing blanks dropped) are accepted too. A key on two lines: the
 * last line wins.
 *
 * Both take (text, len) and never read past len; the text need not be
 * NUL-terminated. Results are copied into a caller buffer.
 */
#ifndef BOOTKIT_KCMDLINE_H
#define BOOTKIT_KCMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of /proc/cmdline or /proc/bootconfig the init and the probe read.
 * Linux limits the command line to COMMAND_LINE_SIZE (at most 4 KiB on most
 * architectures) and bootconfig to 32 KiB; twice that is kept as headroom. */
#define CMDLINE_MAX (64u << 10)

/* The length of /proc/cmdline's text without the newline the kernel adds to
 * it (which its own parser never saw: an unclosed quote would take it in). */
size_t cmdline_proc_len(const char *text, size_t len);

/* One word of a command line: the key and its value, quotes dropped. */
struct cmdline_word {
	const char *key;
	size_t klen;
	const char *val; /* "" for a bare word */
	size_t vlen;
	bool has_val; /* KEY=... (possibly empty) rather than a bare KEY */
};

/* The word at text[*pos...len): 1 with w filled and *pos moved past it, 0 at
 * the end. */
int cmdline_next(const char *text, size_t len, size_t *pos, struct cmdline_word *w);

/*
 * KEY's value in a command line (the last occurrence) into out (cap bytes,
 * NUL-terminated). Returns the value's length, -ENOENT when KEY is absent,
 * -ENOSPC when the value does not fit in cap (out is then "").
 */
long cmdline_get(const char *text, size_t len, const char *key, char *out, size_t cap);

/* True when KEY is present (bare or with a value). */
bool cmdline_has(const char *text, size_t len, const char *key);

/*
 * KEY's values in /proc/bootconfig text into out: the values in order,
 * separated by NUL bytes, NUL-terminated. Returns the bytes used without the
 * final NUL (an array "a", "b" gives 3: "a\0b"), -ENOENT when KEY is absent,
 * -ENOSPC when they do not fit (out is then ""). *nval (may be NULL) gets the
 * number of values (KEY = "" is one empty value).
 */
long bootconfig_get(const char *text, size_t len, const char *key, char *out, size_t cap,
		    unsigned *nval);

/* The init's settings (bootkit.KEY=VALUE), where they come from, in the order
 * they win: the command line, else /proc/bootconfig, else init.conf (KEY=VALUE
 * lines, without "bootkit.", read by the command-line rules). Either init
 * reads them through setting_get (the BusyBox one by `probe --init-settings`):
 * one parser, one order. */
struct settings {
	const char *cmdline, *bootconfig, *conf;
	size_t cmdline_len, bootconfig_len, conf_len;
};

/* A setting's value: at most this many bytes and the NUL (root=, init= too). */
#define SETTING_MAX 256
/* /lib/probe/init.conf as the inits read it: 4 KiB and the NUL. */
#define INIT_CONF_MAX 4097

/* Setting KEY's value into out (cap bytes; an array in bootconfig gives its
 * values NUL-separated). Its length, -ENOENT when it is set nowhere, -ENOSPC
 * when the value does not fit (out is then ""), -ENAMETOOLONG for a key too
 * long to be a setting's name. */
long setting_get(const struct settings *s, const char *key, char *out, size_t cap);

/*
 * A porter's edit of a command line (AnyKernel's patch_cmdline). With word
 * ("KEY=VALUE", KEY="VALUE WITH BLANKS" or a bare "KEY"), the first word
 * whose key is KEY is replaced where it stands and any later ones are
 * dropped (the kernel keeps the last; the edit leaves one); without KEY the
 * word is appended. With word NULL, every word whose key is KEY is dropped.
 * Everything else keeps its bytes; a dropped word goes with the blanks before
 * it. text ends at len or at its first NUL (a header field). The result goes
 * into out (cap bytes, NUL-terminated); returns its length, -ENOSPC.
 */
long cmdline_edit(const char *text, size_t len, const char *key, const char *word, char *out,
		  size_t cap);

/*
 * The same for a bootconfig file as vendor_boot v4 carries it (one KEY=VALUE
 * per line): value set replaces the first line with that key by "KEY=VALUE"
 * (value written as given: quote it if it needs quotes) and drops later ones,
 * or appends it; value NULL drops every line with that key. Comments and other
 * lines keep their bytes. -ENOTSUP for text with { } blocks or ';' (keys that
 * a line edit cannot reach), -ENOSPC.
 */
long bootconfig_edit(const char *text, size_t len, const char *key, const char *value, char *out,
		     size_t cap);

/*
 * The word --cmdline-set writes for KEY and VALUE (val NULL: a bare KEY),
 * such that the kernel's parser reads back exactly KEY and VALUE as one word:
 * a VALUE holding spaces or tabs is written quoted. Refused (-EINVAL, *why
 * saying why) is what the kernel would split or read otherwise: a KEY that
 * is empty or holds a blank, a quote, '=' or a control byte; a VALUE with a
 * control byte (a newline; a vertical tab, form feed or CR, which the kernel
 * counts as blanks: "a\vinit=/evil" would add init=), with an odd number of
 * quotes (the kernel would join the words after it), opening with a quote
 * (the kernel drops it), or holding blanks and a quote. The word goes into
 * out (cap bytes, NUL-terminated); returns its length, -ENOSPC.
 */
long cmdline_word(const char *key, const char *val, char *out, size_t cap, const char **why);

/*
 * A KEY for bootconfig: words of A-Z a-z 0-9 '-' '_' joined by single dots
 * (the bootconfig syntax). 0, or -EINVAL with *why.
 */
int bootconfig_key_check(const char *key, const char **why);

/*
 * The value --bootconfig-set writes after "KEY=", such that the bootconfig
 * parser reads back exactly VALUE and nothing more: as it is when every byte
 * is one of A-Z a-z 0-9 ._-/:+@%, else quoted with " (with ' when it holds a
 * "); a VALUE given quoted ('...' or "...") is taken as it stands when it is
 * one well-formed quoted string. Refused (-EINVAL, *why): a newline or any
 * other control byte (it would end the line and start another key), both
 * quotes, an unterminated or inner quote in a quoted VALUE. Into out (cap
 * bytes); returns the length, -ENOSPC.
 */
long bootconfig_value(const char *val, char *out, size_t cap, const char **why);

#endif
