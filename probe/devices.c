/* devices.c - what the kernel made of an I2C device the probe decided on:
 * whether the device exists (a node of the device tree, or one made before),
 * which driver bound it, and, for a driver built into the kernel, binding it
 * through sysfs.
 *
 * On a phone (and on a board whose DT lists every candidate part) the device
 * exists from boot with its interrupt, GPIOs and supplies; loading the
 * driver's module binds it, and the driver's probe may fail (a chip that
 * does not answer, a missing supply). The kernel's module load waits for
 * the probes it starts, but a driver may defer: the probe waits, bounded,
 * for /sys/bus/i2c/devices/B-00AA/driver to appear. A device no DT describes
 * is made with new_device (actions.c), with no interrupt.
 *
 *   /sys/bus/i2c/devices/B-00AA/of_node   present for a DT device
 *   /sys/bus/i2c/devices/B-00AA/driver    -> .../drivers/NAME once bound
 *   /sys/module/MOD/drivers/i2c:NAME      MOD's I2C driver (built in too)
 *   /sys/bus/i2c/drivers/NAME/bind        "B-00AA" binds it by hand
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe.h"

static int dev_dir(char *out, size_t cap, int bus, unsigned addr)
{
	return strfmt(out, cap, "sys/bus/i2c/devices/%d-%04x", bus, addr);
}

int probe_dev_state(const struct probe *p, int bus, unsigned addr, bool *of_node, char *drv,
		    size_t cap)
{
	char dir[PROBE_PATH_MAX], link[PROBE_PATH_MAX], sub[PROBE_PATH_MAX];
	const char *base;
	long n;

	*of_node = false;
	drv[0] = 0;
	if (dev_dir(dir, sizeof(dir), bus, addr) < 0 || probe_exists(p, dir) < 0)
		return 0;
	*of_node = strfmt(sub, sizeof(sub), "%s/of_node", dir) >= 0 && probe_exists(p, sub) == 0;
	if ((n = probe_readlink(p, dir, "driver", link, sizeof(link))) > 0) {
		base = strrchr(link, '/');
		strfmt_show(drv, cap, "%s", base ? base + 1 : link); /* shown; "" means unbound */
	}
	return 1;
}

/* One bracket expression at *pat ("[abc]", "[a-z]", "[!x]"): does c match?
 * *pat is left past it; false when it is not closed (then '[' is literal). */
static bool bracket(const char **pat, char c, bool *closed)
{
	const char *q = *pat + 1;
	bool neg = *q == '!' || *q == '^', hit = false;

	q += neg;
	for (bool first = true; *q && (first || *q != ']'); first = false, q++)
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hit |= c >= q[0] && c <= q[2];
			q += 2;
		} else {
			hit |= c == *q;
		}
	*closed = *q == ']';
	if (*closed)
		*pat = q + 1;
	return *closed && hit != neg;
}

/* A modules.alias pattern against a modalias, as kmod matches them (fnmatch
 * without flags: *, ?, [...]); no character classes (depmod writes none),
 * and none of musl's fnmatch, whose wide-character tables cost 9 KiB. */
bool probe_alias_match(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		const char *next = pat + 1;
		bool closed = false,
		     one = *pat == '?' || (*pat != '*' && *pat != '[' && *pat == *s);
		if (*pat == '[') {
			next = pat;
			one = bracket(&next, *s, &closed);
			if (!closed)
				next = pat + 1, one = *s == '[';
		}
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (one) {
			pat = next;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

int probe_dev_for_module(const struct probe *p, int bus, unsigned addr, const char *mod,
			 char *modalias, size_t cap)
{
	char dir[PROBE_PATH_MAX], path[PROBE_PATH_MAX], nm[MODULE_NAME_MAX], pat[PROBE_ARG_MAX];
	const char *s = p->run.aliases, *end = p->run.aliases + p->run.aliases_len;
	size_t ml;
	long n;

	modalias[0] = 0;
	if (dev_dir(dir, sizeof(dir), bus, addr) < 0 ||
	    strfmt(path, sizeof(path), "%s/modalias", dir) < 0 ||
	    (n = probe_read(p, path, modalias, cap)) <= 0 || !p->run.aliases ||
	    moddep_name(mod, strlen(mod), nm) < 0)
		return -1;
	while (n > 0 && (modalias[n - 1] == '\n' || modalias[n - 1] == ' '))
		modalias[--n] = 0;
	ml = strlen(nm);
	while (s < end) { /* "alias PATTERN NAME" lines, as depmod writes them */
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end, *sp;
		size_t pl;
		if ((size_t)(le - s) > 6 && !memcmp(s, "alias ", 6) &&
		    (sp = memchr(s + 6, ' ', (size_t)(le - s - 6))) &&
		    (size_t)(le - sp - 1) == ml && !memcmp(sp + 1, nm, ml) &&
		    (pl = (size_t)(sp - s - 6)) < sizeof(pat)) {
			memcpy(pat, s + 6, pl);
			pat[pl] = 0;
			if (probe_alias_match(pat, modalias))
				return 1;
		}
		s = le + 1;
	}
	return 0;
}

int probe_dev_wait_driver(struct probe *p, int bus, unsigned addr, unsigned ms, char *drv,
			  size_t cap)
{
	bool of_node;

	for (unsigned waited = 0;; waited += PROBE_BIND_POLL_MS) {
		if (probe_dev_state(p, bus, addr, &of_node, drv, cap) && drv[0])
			return 0;
		if (waited >= ms)
			return -ENODEV;
		p->ops->sleep_ms(p->ops->ctx, PROBE_BIND_POLL_MS);
	}
}

/* MOD's I2C driver name, from /sys/module/MOD/drivers/i2c:NAME. */
int probe_dev_module_driver(const struct probe *p, const char *mod, char *drv, size_t cap)
{
	char dir[PROBE_PATH_MAX];
	struct dirent *e;
	DIR *d;
	int fd, err = -ENOENT;

	if (strfmt(dir, sizeof(dir), "sys/module/%s/drivers", mod) < 0 ||
	    (fd = probe_open(p, dir, O_RDONLY | O_DIRECTORY)) < 0)
		return -ENOENT;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -ENOENT;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "i2c:", 4) && strlen(e->d_name + 4) < cap) {
			memcpy(drv, e->d_name + 4, strlen(e->d_name + 4) + 1); /* fits: checked */
			err = 0;
			break;
		}
	closedir(d);
	return err;
}

/* Write the device's name (B-00AA) to the sysfs file path. */
static int write_dev_name(struct probe *p, const char *path, int bus, unsigned addr)
{
	char dev[LABEL_MAX];
	int fd, err = 0, n;

	if (strfmt(dev, sizeof(dev), "%d-%04x", bus, addr & 0xffff) < 0)
		return -ENAMETOOLONG;
	n = (int)strlen(dev);
	if ((fd = probe_open(p, path, O_WRONLY)) < 0)
		return fd;
	if (write(fd, dev, (size_t)n) != n)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

int probe_dev_driver_write(struct probe *p, const char *drv, const char *file, int bus,
			   unsigned addr)
{
	char path[PROBE_PATH_MAX];

	if (strfmt(path, sizeof(path), "sys/bus/i2c/drivers/%s/%s", drv, file) < 0)
		return -ENAMETOOLONG;
	return write_dev_name(p, path, bus, addr);
}

int probe_dev_bind_driver(struct probe *p, const char *mod, int bus, unsigned addr, char *drv,
			  size_t cap)
{
	if (probe_dev_module_driver(p, mod, drv, cap) < 0)
		return -ENOENT;
	return probe_dev_driver_write(p, drv, "bind", bus, addr);
}

int probe_dev_module_has_driver(const struct probe *p, const char *mod, const char *drv)
{
	char path[PROBE_PATH_MAX];

	return strfmt(path, sizeof(path), "sys/module/%s/drivers/i2c:%s", mod, drv) >= 0 &&
	       probe_exists(p, path) == 0;
}

int probe_dev_reprobe(struct probe *p, int bus, unsigned addr)
{
	return write_dev_name(p, "sys/bus/i2c/drivers_probe", bus, addr);
}
