/* fake.c - the ops table of fake hardware from a fixture file (the unit
 * tests and --fake-i2c): adapters and their drivers, chips and their
 * registers, bound addresses, faults, stuck buses (a stall of the deadline
 * or of a given time, as a dead bit-banged bus on one CPU), module loads
 * that fail; a clock that advances by what each transfer would cost; the
 * retries and timeout each adapter was given. Format: probe(8), "FAKE I2C
 * FIXTURES". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

#define FAKE_CHIPS	 32
#define FAKE_REGS	 16
#define FAKE_LOADED	 64
#define FAKE_MODFAIL_MAX 8  /* modfail lines */
#define FAKE_WORDS_MAX	 24 /* words of a fixture line */

struct fake_reg {
	uint16_t reg;
	uint8_t bits, len;
	uint8_t b[I2C_ID_MAX];
};

struct fake_chip {
	int bus;
	uint8_t addr;
	enum i2c_res fault; /* IR_OK: none */
	bool bound;
	struct fake_reg r[FAKE_REGS];
	unsigned nr;
};

struct fake_bus {
	int retries, timeout; /* -1: never set (the kernel's own) */
	bool xfer_unprepared; /* a transfer ran before they were set */
};

struct fake_hw {
	struct adapter ad[PROBE_ADAPTERS_MAX];
	struct fake_bus bus[PROBE_ADAPTERS_MAX]; /* by index in ad[] */
	unsigned nad;
	int stuck[PROBE_ADAPTERS_MAX];	       /* bus numbers whose every transfer times out */
	unsigned stuck_ms[PROBE_ADAPTERS_MAX]; /* what each costs (0: the deadline) */
	unsigned nstuck;
	int slow[PROBE_ADAPTERS_MAX]; /* bus numbers whose transfers take slow_ms, and work */
	unsigned slow_ms[PROBE_ADAPTERS_MAX], nslow;
	struct fake_chip chip[FAKE_CHIPS];
	unsigned nchip;
	char modfail[FAKE_MODFAIL_MAX][MODULE_NAME_MAX];
	int modfail_err[FAKE_MODFAIL_MAX];
	unsigned nmodfail;
	char loaded[FAKE_LOADED][MODULE_NAME_MAX];
	unsigned nloaded;
	uint64_t clock_us;
	unsigned xfers;
	unsigned loads; /* load calls */
};

static struct fake_chip *fake_find(struct fake_hw *hw, int bus, uint8_t addr)
{
	for (unsigned i = 0; i < hw->nchip; i++)
		if (hw->chip[i].bus == bus && hw->chip[i].addr == addr)
			return &hw->chip[i];
	return NULL;
}

static int hexbyte(const char *s)
{
	int v = 0;

	for (int i = 0; i < 2; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* REG=HEXBYTES: "a3=55", "8140=39313100" (more than 2 digits: a 16-bit register). */
static int fake_reg(struct fake_chip *c, const char *w)
{
	const char *eq = strchr(w, '=');
	struct fake_reg *r;
	char *end;
	size_t hl;
	unsigned long reg;

	if (!eq || c->nr == FAKE_REGS)
		return -1;
	reg = strtoul(w, &end, 16);
	hl = strlen(eq + 1);
	if (end != eq || reg > 0xffff || hl == 0 || hl % 2 || hl / 2 > I2C_ID_MAX)
		return -1;
	r = &c->r[c->nr++];
	r->reg = (uint16_t)reg;
	r->bits = eq - w > 2 ? 16 : 8;
	r->len = (uint8_t)(hl / 2);
	for (unsigned i = 0; i < r->len; i++) {
		int b = hexbyte(eq + 1 + 2 * i);
		if (b < 0)
			return -1;
		r->b[i] = (uint8_t)b;
	}
	return 0;
}

/* adapter BUS i2c|smbus NAME...: 0, or -1 when the name is too long. */
static int fake_adapter(struct fake_hw *hw, char **w, unsigned n, long bus)
{
	struct adapter *a = &hw->ad[hw->nad];
	size_t o = 0;

	memset(a, 0, sizeof(*a));
	hw->bus[hw->nad++] = (struct fake_bus){.retries = -1, .timeout = -1};
	a->nr = (int)bus;
	a->smbus_only = !strcmp(w[2], "smbus");
	for (unsigned i = 3; i < n; i++) {
		size_t wl = strlen(w[i]);
		if (o + wl + 1 >= sizeof(a->name))
			return -1; /* longer than an adapter name can be */
		if (i > 3)
			a->name[o++] = ' ';
		memcpy(a->name + o, w[i], wl + 1);
		o += wl;
	}
	return 0;
}

/* driver BUS NAME: the adapter's controller driver. */
static int fake_driver(struct fake_hw *hw, const char *name, long bus)
{
	for (unsigned i = 0; i < hw->nad; i++)
		if (hw->ad[i].nr == (int)bus && strlen(name) < sizeof(hw->ad[i].driver)) {
			memcpy(hw->ad[i].driver, name, strlen(name) + 1);
			return 0;
		}
	return -1;
}

/* chip|bound|fault BUS ADDR ...: a chip found or made at that address. */
static int fake_chip_line(struct fake_hw *hw, char **w, unsigned n, long bus, long addr)
{
	struct fake_chip *c = fake_find(hw, (int)bus, (uint8_t)addr);

	if (!c && hw->nchip < FAKE_CHIPS) {
		c = &hw->chip[hw->nchip++];
		memset(c, 0, sizeof(*c));
		c->bus = (int)bus;
		c->addr = (uint8_t)addr;
	}
	if (!c)
		return -1;
	if (!strcmp(w[0], "chip")) {
		for (unsigned i = 3; i < n; i++)
			if (fake_reg(c, w[i]) < 0)
				return -1;
		return 0;
	}
	if (!strcmp(w[0], "bound") && n == 3) {
		c->bound = true;
		return 0;
	}
	if (!strcmp(w[0], "fault") && n == 4) {
		c->fault = !strcmp(w[3], "nak")	      ? IR_NAK
			   : !strcmp(w[3], "eio")     ? IR_EIO
			   : !strcmp(w[3], "timeout") ? IR_TIMEOUT
						      : IR_SKIPPED;
		return c->fault != IR_SKIPPED ? 0 : -1;
	}
	return -1;
}

/* One fixture line (probe(8), "FAKE I2C FIXTURES"): words, by the first. */
static int fake_line(struct fake_hw *hw, char *line, char *err, size_t errcap, int ln)
{
	char *w[FAKE_WORDS_MAX], *s = line;
	unsigned n = 0;
	long bus = -1, addr = -1;
	int r = -1;

	while (n < FAKE_WORDS_MAX && (w[n] = strtok_r(n ? NULL : s, " \t\r", &s)) && w[n][0] != '#')
		n++;
	if (n == 0)
		return 0;
	if (n >= 2)
		bus = strtol(w[1], NULL, 0);
	if (n >= 3)
		addr = strtol(w[2], NULL, 0);
	if (!strcmp(w[0], "adapter") && n >= 3 && hw->nad < PROBE_ADAPTERS_MAX)
		r = fake_adapter(hw, w, n, bus);
	else if (!strcmp(w[0], "driver") && n == 3)
		r = fake_driver(hw, w[2], bus);
	else if (!strcmp(w[0], "stuck") && (n == 2 || n == 3) && hw->nstuck < PROBE_ADAPTERS_MAX) {
		hw->stuck_ms[hw->nstuck] = n == 3 ? (unsigned)strtoul(w[2], NULL, 10) : 0;
		hw->stuck[hw->nstuck++] = (int)bus;
		r = 0;
	} else if (!strcmp(w[0], "slow") && n == 3 && hw->nslow < PROBE_ADAPTERS_MAX) {
		hw->slow_ms[hw->nslow] = (unsigned)strtoul(w[2], NULL, 10);
		hw->slow[hw->nslow++] = (int)bus;
		r = 0;
	} else if (!strcmp(w[0], "modfail") && n == 3 && hw->nmodfail < FAKE_MODFAIL_MAX &&
		   strlen(w[1]) < MODULE_NAME_MAX) {
		memcpy(hw->modfail[hw->nmodfail], w[1], strlen(w[1]) + 1);
		hw->modfail_err[hw->nmodfail++] = (int)strtol(w[2], NULL, 0);
		r = 0;
	} else if (n >= 3 && addr > 0 && addr < 0x78) {
		r = fake_chip_line(hw, w, n, bus, addr);
	}
	if (r < 0)
		strfmt_show(
		    err, errcap,
		    "line %d: not a fixture line (adapter, driver, chip, bound, fault, stuck, "
		    "slow, modfail)",
		    ln);
	return r;
}

int fake_hw_load(const char *text, size_t len, struct fake_hw **out, char *err, size_t errcap)
{
	struct fake_hw *hw = calloc(1, sizeof(*hw));
	char *copy = malloc(len + 1), *s, *nl;
	int ln = 0, rc = 0;

	if (!hw || !copy) {
		free(hw);
		free(copy);
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = 0;
	for (s = copy; s < copy + len && rc == 0; s = nl ? nl + 1 : copy + len) {
		size_t ll;
		nl = memchr(s, '\n', (size_t)(copy + len - s));
		ll = nl ? (size_t)(nl - s) : (size_t)(copy + len - s);
		ln++;
		if (memchr(s, 0, ll)) { /* the rest of the line would be lost */
			strfmt_show(err, errcap, "line %d: NUL byte", ln);
			rc = -1;
			break;
		}
		if (nl)
			*nl = 0;
		rc = fake_line(hw, s, err, errcap, ln);
	}
	free(copy);
	if (rc < 0) {
		free(hw);
		return -EINVAL;
	}
	*out = hw;
	return 0;
}

void fake_hw_free(struct fake_hw *hw)
{
	free(hw);
}

static uint64_t fake_now_us(void *ctx)
{
	return ((struct fake_hw *)ctx)->clock_us;
}

/* Nothing but the kernel costs time in the fake world: the probe's own CPU
 * time stays 0, as its own wall-clock time does. */
static uint64_t fake_cpu_us(void *ctx)
{
	(void)ctx;
	return 0;
}

static void fake_sleep_ms(void *ctx, unsigned ms)
{
	((struct fake_hw *)ctx)->clock_us += (uint64_t)ms * 1000u;
}

static unsigned fake_adapters(void *ctx, struct probe *p, struct adapter *out, unsigned max)
{
	struct fake_hw *hw = ctx;
	unsigned n = hw->nad < max ? hw->nad : max;

	(void)p;
	memcpy(out, hw->ad, n * sizeof(*out));
	return n;
}

static uint8_t fake_byte(const struct fake_chip *c, unsigned bits, uint32_t reg)
{
	for (unsigned i = 0; i < c->nr; i++)
		if (c->r[i].bits == bits && reg >= c->r[i].reg &&
		    reg < (uint32_t)c->r[i].reg + c->r[i].len)
			return c->r[i].b[reg - c->r[i].reg];
	return 0xff;
}

static int fake_bus_index(const struct fake_hw *hw, int nr)
{
	for (unsigned i = 0; i < hw->nad; i++)
		if (hw->ad[i].nr == nr)
			return (int)i;
	return -1;
}

static struct fake_bus *fake_bus_of(struct fake_hw *hw, int nr)
{
	int i = fake_bus_index(hw, nr);

	return i < 0 ? NULL : &hw->bus[i];
}

/* The clock advances by what the transfer costs; all of it the kernel's. */
static enum i2c_res cost(struct fake_hw *hw, uint64_t us, uint64_t *kernel_us, enum i2c_res res)
{
	hw->clock_us += us;
	*kernel_us += us;
	return res;
}

static enum i2c_res fake_xfer(void *ctx, struct probe *p, const struct adapter *a,
			      const struct i2c_req *r, uint8_t *out, uint64_t *kernel_us)
{
	struct fake_hw *hw = ctx;
	struct fake_chip *c = fake_find(hw, a->nr, r->addr);
	struct fake_bus *b = fake_bus_of(hw, a->nr);
	uint64_t deadline = (uint64_t)p->set.timeout_ms * 1000u;

	*kernel_us = 0;
	hw->xfers++;
	if (b && b->retries != 0)
		b->xfer_unprepared = true;
	cost(hw, 200, kernel_us, IR_OK); /* a 100 kHz transfer of a few bytes */
	for (unsigned i = 0; i < hw->nstuck; i++)
		if (hw->stuck[i] == a->nr) /* a stall: the deadline, or longer (one CPU) */
			return cost(hw,
				    hw->stuck_ms[i] ? (uint64_t)hw->stuck_ms[i] * 1000u : deadline,
				    kernel_us, IR_TIMEOUT);
	for (unsigned i = 0; i < hw->nslow; i++)
		if (hw->slow[i] == a->nr) /* slow, within the deadline (clock stretching) */
			cost(hw, (uint64_t)hw->slow_ms[i] * 1000u, kernel_us, IR_OK);
	if (!c)
		return IR_NAK;
	if (c->bound && !r->force)
		return IR_BUSY;
	if (c->fault == IR_TIMEOUT)
		cost(hw, deadline, kernel_us, IR_TIMEOUT);
	if (c->fault != IR_OK)
		return c->fault;
	if (r->regbits && a->smbus_only && r->via == VIA_RDWR)
		return IR_EIO; /* EOPNOTSUPP: no combined transfers on SMBus */
	for (unsigned i = 0; i < r->len; i++)
		out[i] = fake_byte(c, r->regbits, (uint32_t)r->reg + i);
	return IR_OK;
}

static int fake_bus_config(void *ctx, struct probe *p, const struct adapter *a, unsigned retries,
			   unsigned timeout_10ms)
{
	struct fake_bus *b = fake_bus_of(ctx, a->nr);

	(void)p;
	if (!b)
		return -ENODEV;
	b->retries = (int)retries;
	b->timeout = (int)timeout_10ms;
	return 0;
}

static int fake_load(void *ctx, struct probe *p, int fd, const char *path, const char *params)
{
	struct fake_hw *hw = ctx;
	const char *b = strrchr(path, '/');
	char name[MODULE_NAME_MAX];
	size_t n;

	(void)p;
	(void)fd;
	(void)params;
	hw->loads++;
	b = b ? b + 1 : path;
	n = strcspn(b, ".");
	if (n >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, b, n);
	name[n] = 0;
	for (unsigned i = 0; i < hw->nmodfail; i++)
		if (!strcmp(hw->modfail[i], name))
			return -hw->modfail_err[i];
	for (unsigned i = 0; i < hw->nloaded; i++)
		if (!strcmp(hw->loaded[i], name))
			return -EEXIST;
	if (hw->nloaded < FAKE_LOADED)
		memcpy(hw->loaded[hw->nloaded++], name, n + 1);
	return 0;
}

void fake_ops_init(struct probe_ops *ops, struct fake_hw *hw)
{
	ops->now_us = fake_now_us;
	ops->cpu_us = fake_cpu_us;
	ops->sleep_ms = fake_sleep_ms;
	ops->adapters = fake_adapters;
	ops->xfer = fake_xfer;
	ops->bus_config = fake_bus_config;
	ops->load = fake_load;
	ops->ctx = hw;
}

bool fake_hw_loaded(const struct fake_hw *hw, const char *name)
{
	for (unsigned i = 0; i < hw->nloaded; i++)
		if (!strcmp(hw->loaded[i], name))
			return true;
	return false;
}

unsigned fake_hw_xfers(const struct fake_hw *hw)
{
	return hw->xfers;
}

unsigned fake_hw_loads(const struct fake_hw *hw)
{
	return hw->loads;
}

void fake_hw_bus_state(const struct fake_hw *hw, int bus, int *retries, int *timeout_10ms,
		       bool *xfer_unprepared)
{
	int i = fake_bus_index(hw, bus);
	const struct fake_bus *b = i < 0 ? NULL : &hw->bus[i];

	*retries = b ? b->retries : -1;
	*timeout_10ms = b ? b->timeout : -1;
	*xfer_unprepared = b && b->xfer_unprepared;
}
