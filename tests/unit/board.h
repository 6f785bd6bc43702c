/* board.h - a probe pass over a fixture tree and fake chips, for the unit
 * tests (test_probe.c, test_android.c): the tree is made under /tmp, the
 * shipped rules abridged (RULES) or a test's own, one pass run and its
 * record read back. */
#ifndef TEST_BOARD_H
#define TEST_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

extern const char RULES[];
extern const char MODDEP[];

struct board {
	char root[64];
	struct probe p;
	struct rules r;
	struct probe_ops ops;
	struct fake_hw *hw;
	char record[32768];
	unsigned rule_errors;
};

/* Write text to root/rel (folders made). */
void put(const char *root, const char *rel, const char *text);
void put_bin(const char *root, const char *rel, const uint8_t *data, size_t n);
/* An empty file for every module a modules.dep text names. */
void put_modules(const char *root, const char *dep);

/* Settings of the next run: a --class-budget (0: the default), the
 * user-space path walk, symlinks to plant (path, target pairs, NULL-ended;
 * consumed by the run). */
extern unsigned class_budget_ms;
extern bool no_openat2;
extern const char *const *links;

/* Build the tree (files: path, text pairs, NULL-terminated, may be NULL),
 * run one pass (and what follows it: Android's delivery), read the record. */
void run_board_rel(struct board *b, const char *hw, const char *cmdline, const char *rules,
		   const char *const *files, const char *release);
void run_board_with(struct board *b, const char *hw, const char *cmdline, const char *rules,
		    const char *const *files);
void run_board(struct board *b, const char *hw, const char *cmdline, const char *rules);
void end_board(struct board *b);

#define HAS(b, s)   cr_expect(strstr((b)->record, s), "record lacks \"%s\":\n%s", s, (b)->record)
#define LACKS(b, s) cr_expect(!strstr((b)->record, s), "record has \"%s\":\n%s", s, (b)->record)

#endif
