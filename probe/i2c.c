/* i2c.c - the two ops tables: real hardware (/dev/i2c-N ioctls,
 * finit_module) and fake chips from a fixture file (tests, --fake-i2c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* ---- real hardware ------------------------------------------------------------ */

static uint64_t real_now_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void real_sleep_ms(void *ctx, unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	(void)ctx;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int open_dev(struct probe *p, int nr)
{
	char path[32];

	snprintf(path, sizeof(path), "dev/i2c-%d", nr);
	return openat(p->rootfd, path, O_RDWR | O_CLOEXEC);
}

/* The adapter's device, with the transfer timeout and retries set once. */
static int open_bus(struct probe *p, int nr)
{
	int fd = open_dev(p, nr);

	if (fd >= 0) {
		ioctl(fd, I2C_TIMEOUT, (unsigned long)(p->timeout_ms + 9) / 10);
		ioctl(fd, I2C_RETRIES, (unsigned long)p->retries);
	}
	return fd;
}

struct worker {
	pid_t pid; /* 0: none yet; -1: the adapter stopped answering */
	int to, from;
};
static struct worker workers[PROBE_ADAPTERS_MAX];

static void worker_drop(struct worker *w, bool dead);
static int worker_start(struct worker *w, struct probe *p, const struct adapter *a);

static unsigned real_adapters(void *ctx, struct probe *p, struct adapter *out, unsigned max)
{
	int dfd = openat(p->rootfd, "sys/bus/i2c/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	for (unsigned i = 0; i < PROBE_ADAPTERS_MAX; i++) /* the numbering may change */
		worker_drop(&workers[i], false);
	struct dirent *de;
	unsigned n = 0;

	(void)ctx;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) && n < max) {
		char path[96];
		int nr, fd;
		unsigned long funcs = 0;
		long len;
		if (sscanf(de->d_name, "i2c-%d", &nr) != 1 || nr < 0)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].nr = nr;
		snprintf(path, sizeof(path), "sys/bus/i2c/devices/i2c-%d/name", nr);
		len = probe_read(p, path, out[n].name, sizeof(out[n].name));
		while (len > 0 && out[n].name[len - 1] == '\n')
			out[n].name[--len] = 0;
		if ((fd = open_dev(p, nr)) >= 0) {
			if (ioctl(fd, I2C_FUNCS, &funcs) == 0)
				out[n].smbus_only = !(funcs & I2C_FUNC_I2C);
			close(fd);
		}
		n++;
	}
	closedir(d);
	/* by bus number, not directory order: the same order at every boot */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && out[j - 1].nr > out[j].nr; j--) {
			struct adapter t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	/* Start the workers now: they come up while the rules are read. */
	for (unsigned i = 0; i < n && i < PROBE_ADAPTERS_MAX; i++)
		worker_start(&workers[i], p, &out[i]);
	return n;
}

static enum i2c_res map_errno(int e)
{
	switch (e) {
	case ENXIO:
	case EREMOTEIO: return IR_NAK;
	case EBUSY: return IR_BUSY;
	case ETIMEDOUT: return IR_TIMEOUT;
	default: return IR_EIO;
	}
}

static int smbus(int fd, char rw, uint8_t cmd, int size, union i2c_smbus_data *data)
{
	struct i2c_smbus_ioctl_data a = {.read_write = rw, .command = cmd, .size = (uint32_t)size, .data = data};

	return ioctl(fd, I2C_SMBUS, &a);
}

static int xfer_rdwr(int fd, const struct i2c_req *r, const uint8_t *ptr, unsigned plen,
		     uint8_t *out)
{
	struct i2c_msg m[2] = {
		{.addr = r->addr, .flags = 0, .len = (uint16_t)plen, .buf = (uint8_t *)(uintptr_t)ptr},
		{.addr = r->addr, .flags = I2C_M_RD, .len = r->len, .buf = out},
	};
	struct i2c_rdwr_ioctl_data d = {.msgs = m, .nmsgs = 2};

	return ioctl(fd, I2C_RDWR, &d) == 2 ? 0 : -1;
}

static int xfer_stop(int fd, const struct i2c_req *r, const uint8_t *ptr, unsigned plen,
		     uint8_t *out)
{
	if (write(fd, ptr, plen) != (ssize_t)plen)
		return -1;
	return read(fd, out, r->len) == (ssize_t)r->len ? 0 : -1;
}

/* SMBus only: 8-bit registers by read-byte-data; a 16-bit pointer by
 * write-byte-data (high byte as command, low as data), then receive-byte. */
static int xfer_smbus(int fd, const struct i2c_req *r, uint8_t *out)
{
	union i2c_smbus_data d;

	if (r->regbits == 16) {
		d.byte = (uint8_t)r->reg;
		if (smbus(fd, I2C_SMBUS_WRITE, (uint8_t)(r->reg >> 8), I2C_SMBUS_BYTE_DATA, &d) < 0)
			return -1;
		for (unsigned i = 0; i < r->len; i++) {
			if (smbus(fd, I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, &d) < 0)
				return -1;
			out[i] = d.byte;
		}
		return 0;
	}
	for (unsigned i = 0; i < r->len; i++) {
		if (smbus(fd, I2C_SMBUS_READ, (uint8_t)(r->reg + i), I2C_SMBUS_BYTE_DATA, &d) < 0)
			return -1;
		out[i] = d.byte;
	}
	return 0;
}

/* One request on an open bus (open_bus). */
static enum i2c_res bus_xfer(int fd, const struct adapter *a, const struct i2c_req *r, uint8_t *out)
{
	uint8_t ptr[2];
	unsigned plen = 0;
	union i2c_smbus_data d;
	int rc;

	if (ioctl(fd, r->force ? I2C_SLAVE_FORCE : I2C_SLAVE, (unsigned long)r->addr) < 0)
		return map_errno(errno);
	if (r->regbits == 16)
		ptr[plen++] = (uint8_t)(r->reg >> 8);
	if (r->regbits)
		ptr[plen++] = (uint8_t)r->reg;
	if (!r->regbits) /* presence: an SMBus quick write, else a byte read */
		rc = smbus(fd, I2C_SMBUS_WRITE, 0, I2C_SMBUS_QUICK, NULL) < 0 &&
				     smbus(fd, I2C_SMBUS_READ, 0, I2C_SMBUS_BYTE, &d) < 0
			     ? -1
			     : 0;
	else if (r->via == VIA_STOP)
		rc = xfer_stop(fd, r, ptr, plen, out);
	else if (r->via == VIA_SMBUS || (r->via == VIA_AUTO && a->smbus_only))
		rc = xfer_smbus(fd, r, out);
	else
		rc = xfer_rdwr(fd, r, ptr, plen, out);
	return rc == 0 ? IR_OK : map_errno(errno);
}

/* Without a worker: open, transfer, close, unguarded by the deadline. */
static enum i2c_res direct_xfer(struct probe *p, const struct adapter *a, const struct i2c_req *r,
				uint8_t *out)
{
	int fd = open_bus(p, a->nr);
	enum i2c_res res;

	if (fd < 0)
		return IR_EIO;
	res = bus_xfer(fd, a, r, out);
	close(fd);
	return res;
}

/*
 * Every transfer runs in a worker process, one per adapter, and the probe
 * waits for its answer at most --timeout ms. A driver's own timeouts do not
 * bound a transfer: i2c-algo-bit waits a full second for SCL on every clock
 * edge of a dead bit-banged bus, whatever I2C_TIMEOUT says, and the ioctl
 * cannot be interrupted. A worker that misses its deadline is killed and its
 * adapter reports IR_TIMEOUT from then on, at no further cost.
 */
struct worker_reply {
	int res;
	uint8_t bytes[I2C_ID_MAX];
};

static void worker_drop(struct worker *w, bool dead)
{
	if (w->pid > 0) {
		close(w->to);
		close(w->from);
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, WNOHANG);
	}
	w->pid = dead ? -1 : 0;
}

/* A worker keeps its adapter's device open for all its requests. */
static int worker_start(struct worker *w, struct probe *p, const struct adapter *a)
{
	int req[2], rep[2], bus;
	pid_t pid;

	if ((bus = open_bus(p, a->nr)) < 0)
		return -1;
	if (pipe2(req, O_CLOEXEC) < 0) {
		close(bus);
		return -1;
	}
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close(req[0]);
		close(req[1]);
		close(bus);
		return -1;
	}
	if ((pid = fork()) == 0) {
		struct i2c_req r;
		close(req[1]);
		close(rep[0]);
		while (read(req[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
			struct worker_reply y = {0};
			y.res = (int)bus_xfer(bus, a, &r, y.bytes);
			if (write(rep[1], &y, sizeof(y)) != (ssize_t)sizeof(y))
				break;
		}
		_exit(0);
	}
	close(bus);
	close(req[0]);
	close(rep[1]);
	if (pid < 0) {
		close(req[1]);
		close(rep[0]);
		return -1;
	}
	*w = (struct worker){.pid = pid, .to = req[1], .from = rep[0]};
	return 0;
}

static enum i2c_res real_xfer(void *ctx, struct probe *p, const struct adapter *a,
			      const struct i2c_req *r, uint8_t *out)
{
	size_t i = (size_t)(a - p->ad);
	struct worker *w = &workers[i < PROBE_ADAPTERS_MAX ? i : 0];
	struct worker_reply y;
	struct pollfd pf;

	(void)ctx;
	if (i >= PROBE_ADAPTERS_MAX)
		return direct_xfer(p, a, r, out);
	if (w->pid < 0)
		return IR_TIMEOUT;
	if (w->pid == 0 && worker_start(w, p, a) < 0)
		return direct_xfer(p, a, r, out); /* no fork: unguarded, but on */
	pf = (struct pollfd){.fd = w->from, .events = POLLIN};
	if (write(w->to, r, sizeof(*r)) != (ssize_t)sizeof(*r) ||
	    poll(&pf, 1, (int)p->timeout_ms) != 1 ||
	    read(w->from, &y, sizeof(y)) != (ssize_t)sizeof(y)) {
		worker_drop(w, true);
		return IR_TIMEOUT;
	}
	memcpy(out, y.bytes, r->len);
	return (enum i2c_res)y.res;
}

static int real_load(void *ctx, struct probe *p, const char *path, const char *params)
{
	int fd, rc;

	(void)ctx;
	while (*path == '/')
		path++;
	if ((fd = openat(p->rootfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	rc = (int)syscall(SYS_finit_module, fd, params, 0);
	if (rc < 0 && errno == ENOSYS) { /* kernels before 3.8: init_module */
		off_t n = lseek(fd, 0, SEEK_END);
		void *buf = n > 0 ? malloc((size_t)n) : NULL;
		rc = -1;
		errno = ENOMEM;
		if (buf && pread(fd, buf, (size_t)n, 0) == n)
			rc = (int)syscall(SYS_init_module, buf, (unsigned long)n, params);
		free(buf);
	}
	rc = rc < 0 ? -errno : 0;
	close(fd);
	return rc;
}

const struct probe_ops probe_real_ops = {
	.now_us = real_now_us,
	.sleep_ms = real_sleep_ms,
	.adapters = real_adapters,
	.xfer = real_xfer,
	.load = real_load,
};

/* ---- fake chips ------------------------------------------------------------------ */

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
