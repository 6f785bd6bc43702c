/* i2c.c - the I2C transport on real hardware: adapters from sysfs, transfers
 * through /dev/i2c-N (I2C_RDWR, SMBus, write-STOP-read), each in a worker
 * process per adapter so a stuck transfer is cut off at its deadline. The
 * workers live in the real ops' context (struct real_hw, hw.c). */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe.h"

/* ---- real hardware ------------------------------------------------------------ */

static int open_dev(struct probe *p, int nr)
{
	char path[PROBE_PATH_MAX];

	if (strfmt(path, sizeof(path), "dev/i2c-%d", nr) < 0)
		return -ENAMETOOLONG;
	return probe_open(p, path, O_RDWR);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Retries and timeout are the adapter's, not the open file's: set through
 * any fd of it, for every user of the bus (bus.c puts the defaults back). */
int i2c_real_bus_config(void *ctx, struct probe *p, const struct adapter *a, unsigned retries,
			unsigned timeout_10ms)
{
	int fd = open_dev(p, a->nr), err = 0;

	(void)ctx;
	if (fd < 0)
		return fd;
	if (ioctl(fd, I2C_RETRIES, (unsigned long)retries) < 0 ||
	    ioctl(fd, I2C_TIMEOUT, (unsigned long)timeout_10ms) < 0)
		err = -errno;
	close(fd);
	return err;
}

static void worker_drop(struct i2c_worker *w, bool dead);
static int worker_start(struct i2c_worker *w, struct probe *p, const struct adapter *a);

/* i2c-N, a decimal (no sscanf: it pulls in musl's whole scanf): N, or -1. */
static int adapter_nr(const char *name)
{
	uint64_t v;

	if (strncmp(name, "i2c-", 4) || (name[4] == '0' && name[5]) ||
	    rules_parse_num(name + 4, &v) < 0 || v > 0x7fffffff)
		return -1;
	return (int)v;
}

/* Adapter nr's name, its controller's driver and whether it does I2C. */
static void adapter_info(struct probe *p, int nr, struct adapter *a)
{
	char path[PROBE_PATH_MAX], link[PROBE_PATH_MAX];
	unsigned long funcs = 0;
	long len;
	int fd;

	memset(a, 0, sizeof(*a));
	a->nr = nr;
	if (strfmt(path, sizeof(path), "sys/bus/i2c/devices/i2c-%d/name", nr) >= 0) {
		len = probe_read(p, path, a->name, sizeof(a->name));
		while (len > 0 && a->name[len - 1] == '\n')
			a->name[--len] = 0;
		if (len < 0) /* longer than the kernel's 48 bytes: not an adapter name */
			a->name[0] = 0;
	}
	/* the controller's driver: the adapter's parent device's "driver" link
	 * (i2c-N/.. resolves through the i2c-N symlink) */
	if (strfmt(path, sizeof(path), "sys/bus/i2c/devices/i2c-%d/..", nr) >= 0 &&
	    probe_readlink(p, path, "driver", link, sizeof(link)) > 0) {
		const char *b = strrchr(link, '/');
		b = b ? b + 1 : link;
		if (strlen(b) < sizeof(a->driver))
			memcpy(a->driver, b, strlen(b) + 1);
	}
	if ((fd = open_dev(p, nr)) >= 0) {
		if (ioctl(fd, I2C_FUNCS, &funcs) == 0)
			a->smbus_only = !(funcs & I2C_FUNC_I2C);
		close(fd);
	}
}

unsigned i2c_real_adapters(void *ctx, struct probe *p, struct adapter *out, unsigned max)
{
	struct real_hw *hw = ctx;
	int dfd = probe_open(p, "sys/bus/i2c/devices", O_RDONLY | O_DIRECTORY);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	unsigned n = 0;

	for (unsigned i = 0; i < PROBE_ADAPTERS_MAX; i++) /* the numbering may change */
		worker_drop(&hw->w[i], false);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) && n < max)
		if (adapter_nr(de->d_name) >= 0)
			adapter_info(p, adapter_nr(de->d_name), &out[n++]);
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
		worker_start(&hw->w[i], p, &out[i]);
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
	struct i2c_smbus_ioctl_data a = {
	    .read_write = rw, .command = cmd, .size = (uint32_t)size, .data = data};

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

/* One request on an open bus (open_dev). */
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
				uint8_t *out, uint64_t *kernel_us)
{
	int fd = open_dev(p, a->nr);
	enum i2c_res res;
	uint64_t t;

	if (fd < 0)
		return IR_EIO;
	t = mono_us();
	res = bus_xfer(fd, a, r, out);
	*kernel_us = mono_us() - t;
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
	uint64_t kernel_us; /* the transfer syscalls, timed in the worker */
	uint8_t bytes[I2C_ID_MAX];
};

static void worker_drop(struct i2c_worker *w, bool dead)
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
static int worker_start(struct i2c_worker *w, struct probe *p, const struct adapter *a)
{
	int req[2], rep[2], bus;
	pid_t pid;

	if ((bus = open_dev(p, a->nr)) < 0)
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
			uint64_t t = mono_us();
			y.res = (int)bus_xfer(bus, a, &r, y.bytes);
			y.kernel_us = mono_us() - t;
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
	*w = (struct i2c_worker){.pid = pid, .to = req[1], .from = rep[0]};
	return 0;
}

enum i2c_res i2c_real_xfer(void *ctx, struct probe *p, const struct adapter *a,
			   const struct i2c_req *r, uint8_t *out, uint64_t *kernel_us)
{
	struct real_hw *hw = ctx;
	size_t i = (size_t)(a - p->run.ad);
	struct i2c_worker *w = &hw->w[i < PROBE_ADAPTERS_MAX ? i : 0];
	struct worker_reply y;
	struct pollfd pf;

	uint64_t t;

	*kernel_us = 0;
	if (i >= PROBE_ADAPTERS_MAX)
		return direct_xfer(p, a, r, out, kernel_us);
	if (w->pid < 0)
		return IR_TIMEOUT;
	if (w->pid == 0 && worker_start(w, p, a) < 0)
		return direct_xfer(p, a, r, out, kernel_us); /* no fork: unguarded, but on */
	pf = (struct pollfd){.fd = w->from, .events = POLLIN};
	t = mono_us();
	if (write(w->to, r, sizeof(*r)) != (ssize_t)sizeof(*r) ||
	    poll(&pf, 1, (int)p->set.timeout_ms) != 1 ||
	    read(w->from, &y, sizeof(y)) != (ssize_t)sizeof(y)) {
		*kernel_us = mono_us() - t; /* stalled: all of it the kernel's */
		worker_drop(w, true);
		return IR_TIMEOUT;
	}
	*kernel_us = y.kernel_us;
	memcpy(out, y.bytes, r->len);
	return (enum i2c_res)y.res;
}
