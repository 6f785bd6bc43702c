/* fake.c - the ops table of fake hardware from a fixture file (the unit
 * tests and --fake-i2c): adapters, chips and their registers, bound
 * addresses, faults, stuck buses, module loads that fail; a clock that
 * advances by what each transfer would cost. Format: README, "Fake I2C
 * fixtures". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"


#define FAKE_CHIPS 32
#define FAKE_REGS 16
#define FAKE_LOADED 64

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

struct fake_hw {
	struct adapter ad[PROBE_ADAPTERS_MAX];
	unsigned nad;
	int stuck[PROBE_ADAPTERS_MAX]; /* bus numbers whose every transfer times out */
	unsigned nstuck;
	struct fake_chip chip[FAKE_CHIPS];
	unsigned nchip;
	char modfail[8][64];
	int modfail_err[8];
	unsigned nmodfail;
	char loaded[FAKE_LOADED][64];
	unsigned nloaded;
	uint64_t clock_us;
	unsigned xfers;
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

static int fake_line(struct fake_hw *hw, char *line, char *err, size_t errcap, int ln)
{
	char *w[24], *s = line;
	unsigned n = 0;
	long bus = -1, addr = -1;

	while (n < 24 && (w[n] = strtok_r(n ? NULL : s, " \t\r", &s)) && w[n][0] != '#')
		n++;
	if (n == 0)
		return 0;
	if (n >= 2)
		bus = strtol(w[1], NULL, 0);
	if (n >= 3)
		addr = strtol(w[2], NULL, 0);
	if (!strcmp(w[0], "adapter") && n >= 3 && hw->nad < PROBE_ADAPTERS_MAX) {
		struct adapter *a = &hw->ad[hw->nad++];
		memset(a, 0, sizeof(*a));
		a->nr = (int)bus;
		a->smbus_only = !strcmp(w[2], "smbus");
		for (unsigned i = 3; i < n; i++)
			snprintf(a->name + strlen(a->name), sizeof(a->name) - strlen(a->name),
				 "%s%s", i > 3 ? " " : "", w[i]);
		return 0;
	}
	if (!strcmp(w[0], "stuck") && n == 2 && hw->nstuck < PROBE_ADAPTERS_MAX) {
		hw->stuck[hw->nstuck++] = (int)bus;
		return 0;
	}
	if (!strcmp(w[0], "modfail") && n == 3 && hw->nmodfail < 8) {
		snprintf(hw->modfail[hw->nmodfail], 64, "%s", w[1]);
		hw->modfail_err[hw->nmodfail++] = (int)strtol(w[2], NULL, 0);
		return 0;
	}
	if (n >= 3 && addr > 0 && addr < 0x78) {
		struct fake_chip *c = fake_find(hw, (int)bus, (uint8_t)addr);
		if (!c && hw->nchip < FAKE_CHIPS) {
			c = &hw->chip[hw->nchip++];
			memset(c, 0, sizeof(*c));
			c->bus = (int)bus;
			c->addr = (uint8_t)addr;
		}
		if (!c)
			goto bad;
		if (!strcmp(w[0], "chip")) {
			for (unsigned i = 3; i < n; i++)
				if (fake_reg(c, w[i]) < 0)
					goto bad;
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
			if (c->fault != IR_SKIPPED)
				return 0;
		}
	}
bad:
	snprintf(err, errcap, "line %d: not a fixture line (adapter, chip, bound, fault, stuck, modfail)",
		 ln);
	return -1;
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
	for (s = copy; s && *s && rc == 0; s = nl ? nl + 1 : NULL) {
		if ((nl = strchr(s, '\n')))
			*nl = 0;
		rc = fake_line(hw, s, err, errcap, ++ln);
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
		if (c->r[i].bits == bits && reg >= c->r[i].reg && reg < (uint32_t)c->r[i].reg + c->r[i].len)
			return c->r[i].b[reg - c->r[i].reg];
	return 0xff;
}

static enum i2c_res fake_xfer(void *ctx, struct probe *p, const struct adapter *a,
			      const struct i2c_req *r, uint8_t *out)
{
	struct fake_hw *hw = ctx;
	struct fake_chip *c = fake_find(hw, a->nr, r->addr);

	hw->xfers++;
	hw->clock_us += 200; /* a 100 kHz transfer of a few bytes */
	for (unsigned i = 0; i < hw->nstuck; i++)
		if (hw->stuck[i] == a->nr) {
			hw->clock_us += (uint64_t)p->timeout_ms * 1000u;
			return IR_TIMEOUT;
		}
	if (!c)
		return IR_NAK;
	if (c->bound && !r->force)
		return IR_BUSY;
	if (c->fault == IR_TIMEOUT)
		hw->clock_us += (uint64_t)p->timeout_ms * 1000u;
	if (c->fault != IR_OK)
		return c->fault;
	if (r->regbits && a->smbus_only && r->via == VIA_RDWR)
		return IR_EIO; /* EOPNOTSUPP: no combined transfers on SMBus */
	for (unsigned i = 0; i < r->len; i++)
		out[i] = fake_byte(c, r->regbits, (uint32_t)r->reg + i);
	return IR_OK;
}

static int fake_load(void *ctx, struct probe *p, const char *path, const char *params)
{
	struct fake_hw *hw = ctx;
	const char *b = strrchr(path, '/');
	char name[64];
	size_t n;

	(void)p;
	(void)params;
	b = b ? b + 1 : path;
	n = strcspn(b, ".");
	snprintf(name, sizeof(name), "%.*s", (int)n, b);
	for (unsigned i = 0; i < hw->nmodfail; i++)
		if (!strcmp(hw->modfail[i], name))
			return -hw->modfail_err[i];
	for (unsigned i = 0; i < hw->nloaded; i++)
		if (!strcmp(hw->loaded[i], name))
			return -EEXIST;
	if (hw->nloaded < FAKE_LOADED)
		snprintf(hw->loaded[hw->nloaded++], 64, "%s", name);
	return 0;
}

void fake_ops_init(struct probe_ops *ops, struct fake_hw *hw)
{
	ops->now_us = fake_now_us;
	ops->sleep_ms = fake_sleep_ms;
	ops->adapters = fake_adapters;
	ops->xfer = fake_xfer;
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
