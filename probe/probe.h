/* probe.h - the hardware probe: facts, I2C access, decisions, actions.
 *
 * The data flow, one file each:
 *   root.c     every path below the root, confined (openat2 RESOLVE_IN_ROOT,
 *              or a walk of the components in user space)
 *   facts.c    /proc, /sys and /lib/modules below the root, read whole up
 *              to a cap
 *   bus.c      I2C reads: cached, within the transfer, bus, class and pass
 *              budgets; adapter retries and timeout set and put back
 *   eval.c     a rule's conditions against the facts
 *   decide.c   the class loop: first matching rule whose actions succeed
 *   actions.c  load (lib/moddep.c walk), bind, install, export, overlay
 *   record.c   the decision record (/run/probe/decisions, /dev/kmsg),
 *              values escaped
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

#include "lib/kcmdline.h"
#include "lib/moddep.h"
#include "lib/strfmt.h"
#include "probe/rules.h"

#define PROBE_ADAPTERS_MAX 16
#define PROBE_CACHE_MAX	   64
/* Bytes of one text fact read whole: /proc/cmdline, /proc/bootconfig, a
 * device-tree property, a sysfs file, /proc/cpuinfo. More is a recorded
 * fault ("status=cut"), and the cut value is never tested as if whole. */
#define PROBE_FACT_MAX	   CMDLINE_MAX
#define PROBE_DEP_MAX	   (1u << 20)	/* modules.dep, modules.builtin */
#define PROBE_PATH_MAX	   512		/* a path below the root, symlinks resolved */
#define PROBE_LINK_MAX	   40		/* symlinks followed in one path (as the kernel) */
#define PROBE_LINE_MAX	   1024		/* one record line */
#define PROBE_VALUE_MAX	   256		/* a matched text value kept for ${value} */
#define PROBE_ARG_MAX	   512		/* an action argument after ${...} expansion */
#define PROBE_PARAMS_MAX   1024		/* a load's parameter string */
#define PROBE_INPUT_MAX	   (64u << 10)	/* an .idc or .kl file */
#define PROBE_OVERLAY_MAX  (256u << 10) /* a .dtbo */
#define PROBE_FAKE_MAX	   (1u << 20)	/* a --fake-i2c fixture file */
#define ADAPTER_NAME_MAX   64		/* an adapter's or its driver's name */
#define DRIVER_NAME_MAX	   64		/* a driver's name in sysfs */
#define PROBE_BIND_WAIT_MS 1000		/* a driver's bind, waited for at most */
#define PROBE_BIND_POLL_MS 10
#define PROBE_STALL_MIN_MS 100 /* a transfer this long (and 4 deadlines) stalled its bus */

/* Outcome of one I2C transaction. */
enum i2c_res {
	IR_OK,	    /* the chip answered; bytes read */
	IR_NAK,	    /* nothing at that address */
	IR_BUSY,    /* a driver holds the address (left alone) */
	IR_TIMEOUT, /* no answer in time */
	IR_EIO,	    /* bus error, or a transfer the adapter cannot do */
	IR_SKIPPED, /* over a budget, or the bus was abandoned: not attempted */
};

struct adapter {
	int nr;				   /* i2c-N */
	char name[ADAPTER_NAME_MAX];	   /* sysfs name */
	char driver[ADAPTER_NAME_MAX];	   /* its controller's driver ("" unknown) */
	bool smbus_only;		   /* no I2C_FUNC_I2C: no combined transfers */
	uint64_t spent_us;		   /* transfer time on it this pass */
	bool answered;			   /* a transfer finished (ACK, NAK or busy) */
	bool dead;			   /* a transfer stalled: abandoned */
	bool exhausted;			   /* its budget is spent */
	bool prepared;			   /* retries and timeout set (bus.c) */
	unsigned def_retries, def_timeout; /* what to put back (10 ms units) */
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
	/* The probe process's own CPU time (its transfer workers excluded); may
	 * be NULL (no cpu_ms in the record then). */
	uint64_t (*cpu_us)(void *ctx);
	void (*sleep_ms)(void *ctx, unsigned ms);
	/* Fill adapters (at most max); returns the count. */
	unsigned (*adapters)(void *ctx, struct probe *p, struct adapter *out, unsigned max);
	/* One transfer; *kernel_us gets the time spent in the transfer syscalls
	 * themselves (the deadline when it stalled). */
	enum i2c_res (*xfer)(void *ctx, struct probe *p, const struct adapter *a,
			     const struct i2c_req *r, uint8_t *out, uint64_t *kernel_us);
	/* Set an adapter's retries and timeout (I2C_RETRIES, I2C_TIMEOUT in
	 * 10 ms units): 0 or -errno. */
	int (*bus_config)(void *ctx, struct probe *p, const struct adapter *a, unsigned retries,
			  unsigned timeout_10ms);
	/* Load a module from an open file with parameters: 0, or -errno
	 * (-EEXIST counts as loaded). path (root-relative) names it. */
	int (*load)(void *ctx, struct probe *p, int fd, const char *path, const char *params);
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
	char driver[DRIVER_NAME_MAX]; /* bound: the driver that holds the device */
	char value[PROBE_VALUE_MAX];  /* the text fact that matched */
	size_t value_len;	      /* its real length (> sizeof(value) - 1: cut) */
};

/* What Android hears (android.c): properties and input files, queued by the
 * actions during the first pass and delivered before Android's init starts. */
#define ANDROID_PROPS_MAX 32
#define ANDROID_FILES_MAX 16
struct android_prop {
	char name[PROP_NAME_MAX];
	char value[PROP_VALUE_MAX];
};
struct android_file {
	char src[INPUT_NAME_MAX];  /* in /lib/probe/input */
	char name[INPUT_NAME_MAX]; /* the name InputReader looks up */
};
struct android_out {
	struct android_prop prop[ANDROID_PROPS_MAX];
	unsigned nprop;
	struct android_file file[ANDROID_FILES_MAX];
	unsigned nfile;
	bool delivered;
};

/* What the probe is told (options, the init's settings): read once before a
 * pass and never changed by it; the defaults in probe_settings_default(). */
struct probe_settings {
	bool dry_run;
	bool explain;		  /* print why each rule matched or not (stdout) */
	bool no_openat2;	  /* tests: confine paths by the user-space walk */
	unsigned budget_ms;	  /* whole pass */
	unsigned bus_budget_ms;	  /* per adapter */
	unsigned class_budget_ms; /* per class */
	unsigned timeout_ms;	  /* per transaction */
	unsigned retries;	  /* the probe's own retries of a transfer that failed (EIO) */
	const char *record_path;  /* relative to root */
	const char *facts_path;
	const char *input_dir;
	const char *release; /* the running kernel: --kernel-release or uname -r */
	const char *rules_file;
};

/* What a pass knows and spends: the facts read, the buses and their cache,
 * the modules, the budgets and clocks. */
struct probe_state {
	uint64_t t0;
	struct adapter ad[PROBE_ADAPTERS_MAX];
	unsigned nad;
	struct i2c_cache cache[PROBE_CACHE_MAX];
	unsigned ncache;
	/* text facts, allocated once at start (PROBE_FACT_MAX + 1 each) */
	char *cmdline, *bootconfig, *scratch, *cpuinfo;
	size_t cmdline_len, bootconfig_len;
	bool cpuinfo_read;
	char uname_release[KERNEL_RELEASE_MAX];
	char modules_release[KERNEL_RELEASE_MAX]; /* the lib/modules/<dir> in use ("": none) */
	bool kernel_mismatch;			  /* loads are skipped (see actions.c) */
	bool vermagic_checked;
	/* modules: modules.dep indexed (lib/moddep.c) and modules.builtin */
	char *moddep;
	size_t moddep_len;
	struct moddep_graph graph;
	bool have_graph;
	char *builtin;
	size_t builtin_len;
	char *aliases; /* modules.alias of the modules' folder (NULL: not there) */
	size_t aliases_len;
	bool class_done[CLASSES_MAX];
	const char *class_name;	 /* the class being decided */
	uint64_t class_spent_us; /* its transfer time */
	bool class_over, total_over;
	uint64_t stall_us;		      /* stalls of abandoned buses: charged to no budget */
	uint64_t xfer_us, load_us, settle_us; /* kernel transfer, module load, settle time */
};

/* What was decided and done: where the record goes, its counts, and what
 * Android is handed. */
struct probe_record {
	int record_fd, kmsg_fd;
	unsigned decided, failures;
	struct android_out android;
};

/* A probe: its root folder and hardware, the rules, and the three parts. */
struct probe {
	int rootfd;
	const struct probe_ops *ops;
	struct rules *rules;
	struct probe_settings set;
	struct probe_state run;
	struct probe_record rec;
};

/* ---- paths below the root (root.c) ----------------------------------------------- */
/* Open a root-relative path (a leading '/' ignored) with flags (no O_CREAT)
 * as if the root were "/": ".." and symlinks never lead out of it. An fd or
 * -errno. */
int probe_open(const struct probe *p, const char *path, int flags);
/* Does a path exist below the root (symlinks followed inside it)? 0 or -errno. */
int probe_exists(const struct probe *p, const char *path);
/* Open a file to write (O_CREAT, mode 0644, plus flags: O_TRUNC or
 * O_APPEND), its folders made on the way; no "..", no symlink anywhere on
 * the way, a regular file only. An fd or -errno. */
int probe_open_out(const struct probe *p, const char *path, int flags);
/* The target of symlink name in the folder dir (below the root). */
long probe_readlink(const struct probe *p, const char *dir, const char *name, char *buf,
		    size_t cap);

/* ---- devices (devices.c) ------------------------------------------------------- */
/* Does I2C device bus-00addr exist (1) or not (0)? *of_node: a DT node made
 * it; drv: its driver's name, "" when unbound. */
int probe_dev_state(const struct probe *p, int bus, unsigned addr, bool *of_node, char *drv,
		    size_t cap);
/* Can module mod drive the device B-00AA that exists? 1 yes (one of its
 * aliases matches the device's modalias), 0 no (another part's device: a DT
 * node of another compatible), -1 unknown (no modalias or no modules.alias).
 * *modalias gets the device's, for the record. */
int probe_dev_for_module(const struct probe *p, int bus, unsigned addr, const char *mod,
			 char *modalias, size_t cap);
/* A modules.alias pattern against a modalias, as kmod's fnmatch: *, ?, [...]. */
bool probe_alias_match(const char *pat, const char *s);
/* Wait at most ms for a driver to bind the device: 0 with drv, or -ENODEV. */
int probe_dev_wait_driver(struct probe *p, int bus, unsigned addr, unsigned ms, char *drv,
			  size_t cap);
/* Module mod's I2C driver name (/sys/module/MOD/drivers/i2c:NAME): 0, or
 * -ENOENT (no such module in sysfs, or it has no I2C driver). */
int probe_dev_module_driver(const struct probe *p, const char *mod, char *drv, size_t cap);
/* Does module mod register the I2C driver drv (sys/module/MOD/drivers/i2c:DRV)?
 * A loaded module's drivers are listed there; a built-in I2C driver is not
 * (i2c_register_driver sets no mod_name). */
int probe_dev_module_has_driver(const struct probe *p, const char *mod, const char *drv);
/* Ask the bus to find a driver for the device (/sys/bus/i2c/drivers_probe):
 * the way to bind a built-in driver, whose name sysfs does not tie to its
 * module. 0 or the write's error. */
int probe_dev_reprobe(struct probe *p, int bus, unsigned addr);
/* Write the device's name (B-00AA) to /sys/bus/i2c/drivers/DRV/FILE (bind,
 * unbind): 0 or the error. */
int probe_dev_driver_write(struct probe *p, const char *drv, const char *file, int bus,
			   unsigned addr);
/* Bind module mod's I2C driver (built in, or loaded) to the device through
 * /sys/bus/i2c/drivers/NAME/bind: 0 with drv, -ENOENT when mod has no I2C
 * driver, or the write's error. */
int probe_dev_bind_driver(struct probe *p, const char *mod, int bus, unsigned addr, char *drv,
			  size_t cap);

/* ---- facts (facts.c) --------------------------------------------------------- */
/* Read a whole root-relative regular file into buf (NUL-terminated): its
 * length, -EFBIG when it holds cap bytes or more, or -errno. */
long probe_read(const struct probe *p, const char *path, char *buf, size_t cap);
/* The same, but a file of cap bytes or more gives its first cap - 1 bytes
 * and *cut. */
long probe_read_cut(const struct probe *p, const char *path, char *buf, size_t cap, bool *cut);
/* The command line, bootconfig, kernel release and modules into p. */
int probe_read_facts(struct probe *p);
/* /proc/cpuinfo, read at the first cpuinfo condition of a pass. */
const char *probe_cpuinfo(struct probe *p);
/* A /proc/cpuinfo field. -ENOENT, -ENOSPC, or its length. */
long cpuinfo_get(const char *text, const char *field, char *out, size_t cap);
/* Drop trailing newlines and blanks. */
void probe_trim(char *s);

/* ---- I2C reads (bus.c) -------------------------------------------------------------- */
/* One read, from the cache or the bus, within the budgets (probe(8),
 * "TIME"): its outcome, IR_SKIPPED when a budget or the bus's state says no. */
enum i2c_res probe_i2c_read(struct probe *p, struct adapter *a, const struct i2c_req *r,
			    uint8_t *out);
/* The adapters in the order a condition tries them: those that answered
 * before first, then the untried, each group by bus number. */
unsigned probe_bus_order(const struct probe *p, unsigned order[PROBE_ADAPTERS_MAX]);
/* Put back every prepared adapter's retries and timeout (end of a pass). */
void probe_buses_restore(struct probe *p);

/* ---- conditions (eval.c) ------------------------------------------------------ */
/* Why a rule matched or not, for the record and --explain. */
#define PROBE_WHY_MAX 256 /* an explanation; a longer one is cut, marked "..." */
struct why {
	char s[PROBE_WHY_MAX];
	size_t n;
};
/* All conditions of ru; on a match, m holds what actions may use. */
bool probe_eval_rule(struct probe *p, const struct rule *ru, struct match *m, struct why *w);

/* ---- decisions (decide.c) ------------------------------------------------------ */
/* The settings a probe starts from (the one place they are written). */
void probe_settings_default(struct probe_settings *s);
/* A probe with settings s, nothing run (root fd, ops and rules set by the
 * caller afterwards). */
void probe_init(struct probe *p, const struct probe_settings *s);
/* Read the text facts, list adapters, open the record. */
int probe_start(struct probe *p);
/* Decide every class still open, in order. Returns classes decided now. */
unsigned probe_run(struct probe *p);
void probe_finish(struct probe *p);

/* ---- actions (actions.c) ------------------------------------------------------- */
/* Loads first (a failed load fails the rule: 0 or the error), then the rest. */
int probe_run_actions(struct probe *p, const struct rule *ru, const struct match *m);

/* ---- Android (android.c) ------------------------------------------------------- */
/* Queue a property (a name or value Android would drop: a fault line). */
void probe_android_prop(struct probe *p, const char *name, const char *value);
/* Queue an input file of /lib/probe/input for Android, under name. */
void probe_android_file(struct probe *p, const char *file, const char *name);
/* After the first pass: write the property file and /init.bootkit.rc. */
void probe_android_deliver(struct probe *p);
/* probe --android-bind SRC DST...: bind each SRC over an existing DST. */
int probe_android_bind(int argc, char **argv);

/* ---- record (record.c) -------------------------------------------------------- */
extern const char *const probe_res_name[]; /* by enum i2c_res */
/* Log one line to the record, to /dev/kmsg ("probe: ...") and, with
 * explain, to stdout. Control bytes left in the line are escaped (\xHH):
 * one event, one line. */
void probe_log(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void probe_log_decision(struct probe *p, const struct rule *ru, const struct match *m, uint64_t t,
			uint64_t xfer0, uint64_t cpu0, const char *how);
void probe_record_open(struct probe *p);
void probe_record_close(struct probe *p);
double probe_ms_since(const struct probe *p, uint64_t t);
/* len bytes as hex digits into out (2 * len + 1 bytes). */
void probe_hex(const uint8_t *b, unsigned len, char *out);
/*
 * s[0..n) escaped into out (cap bytes, always NUL-terminated): backslash as
 * \\, " as \", newline, tab, CR as \n \t \r, every other byte below 0x20,
 * 0x7f and above as \xHH; with blanks, a space as \x20 too. Returns the
 * length the whole escaped text needs (like snprintf: >= cap means cut).
 */
size_t probe_esc(const char *s, size_t n, char *out, size_t cap, bool blanks);

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
			   const struct i2c_req *r, uint8_t *out, uint64_t *kernel_us);
int i2c_real_bus_config(void *ctx, struct probe *p, const struct adapter *a, unsigned retries,
			unsigned timeout_10ms);

/* ---- fake hardware (fake.c) ------------------------------------------------------- */
/* Fake chips from a fixture file (probe(8), "FAKE I2C FIXTURES"). */
struct fake_hw;
int fake_hw_load(const char *text, size_t len, struct fake_hw **out, char *err, size_t errcap);
void fake_hw_free(struct fake_hw *hw);
void fake_ops_init(struct probe_ops *ops, struct fake_hw *hw);
bool fake_hw_loaded(const struct fake_hw *hw, const char *name);
unsigned fake_hw_xfers(const struct fake_hw *hw);
unsigned fake_hw_loads(const struct fake_hw *hw);
/* An adapter's retries and timeout now (-1: never set, the kernel's own),
 * and whether a transfer ever ran on it before they were set. */
void fake_hw_bus_state(const struct fake_hw *hw, int bus, int *retries, int *timeout_10ms,
		       bool *xfer_unprepared);

#endif
