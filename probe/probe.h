/* probe.h - the hardware probe: facts, I2C access, decisions, actions.
 *
 * The data flow, one file each:
 *   facts.c    /proc, /sys and /lib/modules below the root, read bounded
 *   eval.c     a rule's conditions against the facts (I2C reads cached)
 *   decide.c   the class loop: first matching rule whose actions succeed
 *   actions.c  load, bind, install, export, overlay
 *   record.c   the decision record (/run/probe/decisions, /dev/kmsg)
 * and the hardware behind an ops table: hw.c + i2c.c (real: clock, I2C
 * transport with per-adapter workers, module loading) or fake.c (fixtures).
 *
 * Everything the probe touches goes through a root folder fd (the real "/"
 * on a phone, a fixture tree in tests) and the ops table. No file-scope
 * mutable state: the pass lives in struct probe, the hardware's state in the
 * ops context (struct real_hw or struct fake_hw), allocated once by the caller.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rules.h"

#define PROBE_ADAPTERS_MAX 16
#define PROBE_CACHE_MAX 64
#define PROBE_TEXT_MAX 4096 /* bytes read from any /proc or /sys file */
#define PROBE_DEP_MAX (1u << 20)
#define PROBE_CPUINFO_MAX (1u << 16)

/* Outcome of one I2C transaction. */
enum i2c_res {
	IR_OK,	     /* the chip answered; bytes read */
	IR_NAK,     /* nothing at that address */
	IR_BUSY,    /* a driver holds the address (left alone) */
	IR_TIMEOUT, /* no answer in time */
	IR_EIO,     /* bus error, or a transfer the adapter cannot do */
	IR_SKIPPED, /* over the time budget: not attempted */
};

struct adapter {
	int nr;		 /* i2c-N */
	char name[64];	 /* sysfs name */
	bool smbus_only; /* no I2C_FUNC_I2C: no combined transfers */
	uint64_t spent_us;
	bool over_budget;
};

struct i2c_req {
	uint8_t addr;
	uint8_t regbits; /* 0: presence */
	uint16_t reg;
	uint8_t len;
	enum i2c_via via;
	bool force;
};

struct probe;

struct probe_ops {
	uint64_t (*now_us)(void *ctx);
	void (*sleep_ms)(void *ctx, unsigned ms);
	/* Fill adapters (at most max); returns the count. */
	unsigned (*adapters)(void *ctx, struct probe *p, struct adapter *out, unsigned max);
	enum i2c_res (*xfer)(void *ctx, struct probe *p, const struct adapter *a,
			     const struct i2c_req *r, uint8_t *out);
	/* Load a module file (root-relative path) with parameters: 0, or -errno
	 * (-EEXIST counts as loaded). */
	int (*load)(void *ctx, struct probe *p, const char *path, const char *params);
	void *ctx;
};

/* A cached I2C read (so two rules asking the same register cost one read). */
struct i2c_cache {
	int bus;
	struct i2c_req req;
	enum i2c_res res;
	uint8_t bytes[I2C_ID_MAX];
};

/* What matched: the values actions may use. */
struct match {
	bool i2c;
	int bus;
	uint8_t addr;
	uint16_t reg;
	uint8_t regbits;
	uint8_t bytes[I2C_ID_MAX];
	uint8_t len;
	char value[128]; /* the text fact that matched */
	uint64_t us;	 /* time spent deciding */
};

struct probe {
	int rootfd;
	const struct probe_ops *ops;
	struct rules *rules;
	const char *rules_file;
	bool dry_run;
	bool explain; /* print why each rule matched or not (stdout) */
	unsigned budget_ms;	/* whole pass */
	unsigned bus_budget_ms; /* per adapter */
	unsigned timeout_ms;	/* per transaction (adapter timeout) */
	unsigned retries;
	const char *record_path; /* relative to root */
	const char *facts_path;
	const char *input_dir;
	const char *release; /* kernel release: lib/modules/<release> */
	char uname_release[65];
	uint64_t t0;
	struct adapter ad[PROBE_ADAPTERS_MAX];
	unsigned nad;
	struct i2c_cache cache[PROBE_CACHE_MAX];
	unsigned ncache;
	char cmdline[PROBE_TEXT_MAX];
	char bootconfig[PROBE_TEXT_MAX];
	char *cpuinfo; /* /proc/cpuinfo, read at the first cpuinfo condition */
	char *moddep;  /* modules.dep text, or NULL */
	size_t moddep_len;
	int record_fd, kmsg_fd;
	bool class_done[CLASSES_MAX];
	unsigned decided, failures;
};

/* ---- facts (facts.c) --------------------------------------------------------- */
/* Read a root-relative file (leading '/' ignored) into buf (NUL-terminated,
 * at most cap-1 bytes). Returns the length or -errno. */
long probe_read(const struct probe *p, const char *path, char *buf, size_t cap);
/* The command line, bootconfig, kernel release and modules.dep into p. */
void probe_read_facts(struct probe *p);
/* A /proc/cpuinfo field. */
bool cpuinfo_get(const char *text, const char *field, char *out, size_t cap);
/* Drop trailing newlines and blanks. */
void probe_trim(char *s);

/* ---- conditions (eval.c) ------------------------------------------------------ */
/* Why a rule matched or not, for the record and --explain. */
struct why {
	char s[256];
	size_t n;
};
/* All conditions of ru; on a match, m holds what actions may use. */
bool probe_eval_rule(struct probe *p, const struct rule *ru, struct match *m, struct why *w);

/* ---- decisions (decide.c) ------------------------------------------------------ */
/* Defaults into p (root fd, ops and rules set by the caller afterwards). */
void probe_defaults(struct probe *p);
/* Read the text facts, list adapters, open the record. */
int probe_start(struct probe *p);
/* Decide every class still open, in order. Returns classes decided now. */
unsigned probe_run(struct probe *p);
void probe_finish(struct probe *p);

/* ---- actions (actions.c) ------------------------------------------------------- */
/* Loads first (a failed load fails the rule: 0 or the error), then the rest. */
int probe_run_actions(struct probe *p, const struct rule *ru, const struct match *m);

/* ---- record (record.c) -------------------------------------------------------- */
extern const char *const probe_res_name[]; /* by enum i2c_res */
/* Log one line to the record, to /dev/kmsg ("probe: ...") and, with
 * explain, to stdout. */
void probe_log(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void probe_log_decision(struct probe *p, const struct rule *ru, const struct match *m, uint64_t t,
			const char *how);
void probe_record_open(struct probe *p);
void probe_record_close(struct probe *p);
/* Open a root-relative file for writing, its folders made on the way. */
int probe_open_out(const struct probe *p, const char *path, int flags);
double probe_ms_since(const struct probe *p, uint64_t t);
/* len bytes as hex digits into out (2 * len + 1 bytes). */
void probe_hex(const uint8_t *b, unsigned len, char *out);

/* ---- real hardware (hw.c, i2c.c) ------------------------------------------------ */
struct i2c_worker {
	pid_t pid; /* 0: none yet; -1: the adapter stopped answering */
	int to, from;
};
struct real_hw {
	struct i2c_worker w[PROBE_ADAPTERS_MAX]; /* by index in struct probe's ad[] */
};
void real_ops_init(struct probe_ops *ops, struct real_hw *hw);
unsigned i2c_real_adapters(void *ctx, struct probe *p, struct adapter *out, unsigned max);
enum i2c_res i2c_real_xfer(void *ctx, struct probe *p, const struct adapter *a,
			   const struct i2c_req *r, uint8_t *out);

/* ---- fake hardware (fake.c) ------------------------------------------------------- */
/* Fake chips from a fixture file (see README, "Fake I2C fixtures"). */
struct fake_hw;
int fake_hw_load(const char *text, size_t len, struct fake_hw **out, char *err, size_t errcap);
void fake_hw_free(struct fake_hw *hw);
void fake_ops_init(struct probe_ops *ops, struct fake_hw *hw);
bool fake_hw_loaded(const struct fake_hw *hw, const char *name);
unsigned fake_hw_xfers(const struct fake_hw *hw);

#endif
