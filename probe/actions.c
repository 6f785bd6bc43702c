/* actions.c - what a decided rule does: load (the module and its modules.dep
 * dependencies, walked by lib/moddep.c: each module once per pass, cycles
 * named), bind (new_device), install (.idc/.kl), export (a fact for later
 * boot stages), prop (an Android property), overlay (configfs DT overlays);
 * what Android hears of them is delivered by android.c.
 *
 * Loads are skipped when they cannot work: a module built into the kernel
 * (modules.builtin) is there already ("status=builtin"); modules built for
 * another kernel (facts.c found only another lib/modules folder, or the
 * first module's vermagic names another release) are not tried
 * ("status=skipped:kernel-mismatch", one fault line says why) and the
 * rule's other actions still run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/probe.h"

#define STATUS_MAX 96 /* "error:" and a strerror() text */

/* ${bus} ${addr} ${id} ${value} from the match into out. Substituted text
 * facts are escaped (probe_esc; blanks too in module parameters, where a
 * blank would start another parameter). 0, or -E2BIG when the result, or the
 * value it uses, does not fit. */
static int expand(const struct match *m, const char *in, char *out, size_t cap, bool blanks)
{
	size_t o = 0;

	while (*in) {
		char v[PROBE_ARG_MAX];
		size_t vl;
		const char *end;
		if (in[0] != '$' || in[1] != '{' || !(end = strchr(in, '}'))) {
			unsigned char c = (unsigned char)*in++;
			if (c < 0x20 || c == 0x7f) { /* a control byte in the rule's own text */
				if (strfmt_add(out, cap, &o, "\\x%02x", c) < 0)
					return -E2BIG;
			} else {
				if (o + 1 >= cap)
					return -E2BIG;
				out[o++] = (char)c;
			}
			continue;
		}
		if (!strncmp(in, "${bus}", 6) || !strncmp(in, "${addr}", 7)) {
			int k = in[2] == 'b' ? strfmt(v, sizeof(v), "%d", m->bus)
					     : strfmt(v, sizeof(v), "0x%02x", m->addr);
			vl = k < 0 ? sizeof(v) : (size_t)k; /* a cut: refused below */
		} else if (!strncmp(in, "${id}", 5))
			probe_hex(m->bytes, m->len, v), vl = 2u * m->len;
		else if (!strncmp(in, "${value}", 8)) {
			if (m->value_len >= sizeof(m->value)) /* kept cut: never used as if whole */
				return -E2BIG;
			vl = probe_esc(m->value, m->value_len, v, sizeof(v), blanks);
		} else { /* unknown: as written */
			vl = (size_t)(end - in + 1);
			if (vl < sizeof(v))
				memcpy(v, in, vl);
		}
		if (vl >= sizeof(v) || o + vl >= cap)
			return -E2BIG;
		memcpy(out + o, v, vl);
		o += vl;
		in = end + 1;
	}
	out[o] = 0;
	return 0;
}

/* ---- load ----------------------------------------------------------------------------- */

struct load_ctx {
	struct probe *p;
	const char *cls;
	unsigned root; /* the module the rule names: it gets the parameters */
	const char *params;
	bool mismatch;	 /* the walk stopped at a vermagic mismatch */
	unsigned logged; /* load lines this walk wrote */
};

/* The first module the probe would load: does its vermagic name the running
 * kernel? (With CONFIG_MODVERSIONS the kernel itself skips the release word
 * and checks symbol CRCs instead; modules from another release rarely pass
 * those.) A compressed or unreadable module is not judged. */
static bool vermagic_ok(struct probe *p, int fd, const char *name)
{
	char *mi = p->run.scratch;
	const char *v, *rel, *why;
	size_t pos = 0, vl, rl;
	long n;

	p->run.vermagic_checked = true;
	if (!p->set.release || (n = modinfo_from_fd(fd, mi, MODINFO_MAX, &why)) < 0 ||
	    !modinfo_get(mi, (size_t)n, &pos, false, NULL, "vermagic", &v, &vl))
		return true;
	modinfo_vermagic_release(v, vl, &rel, &rl);
	if (rl == strlen(p->set.release) && !memcmp(rel, p->set.release, rl))
		return true;
	char esc[KERNEL_RELEASE_MAX * 4];
	probe_esc(rel, rl, esc, sizeof(esc),
		  true); /* a release longer than that: cut, shown only */
	probe_log(p, "fault kernel=%s modules=%s module=%s vermagic=%s status=mismatch",
		  p->set.release, p->run.modules_release, name, esc);
	p->run.kernel_mismatch = true;
	return false;
}

static int load_one(void *ctx, const struct moddep_graph *g, unsigned node)
{
	struct load_ctx *lc = ctx;
	struct probe *p = lc->p;
	const char *params = node == lc->root ? lc->params : "";
	char full[PROBE_PATH_MAX], nm[MODULE_NAME_MAX];
	size_t plen;
	const char *path = moddep_graph_path(g, node, &plen);
	uint64_t t;
	int fd, err;

	if (moddep_name(path, plen, nm) < 0)
		memcpy(nm, "?", 2);
	lc->logged++; /* every way out below writes a line (or a fault line) */
	if (strfmt(full, sizeof(full), "lib/modules/%s/%.*s", p->run.modules_release, (int)plen,
		   path) < 0) {
		probe_log(p, "load class=%s module=%s status=error:path-too-long", lc->cls, nm);
		return -ENAMETOOLONG;
	}
	if ((fd = probe_open(p, full, O_RDONLY)) < 0) {
		probe_log(p, "load class=%s module=%s status=error:%s", lc->cls, nm, strerror(-fd));
		return fd;
	}
	if (!p->run.vermagic_checked && !vermagic_ok(p, fd, nm)) {
		close(fd);
		lc->mismatch = true;
		return -ENOEXEC;
	}
	if (p->set.dry_run) {
		close(fd);
		probe_log(p, "load class=%s module=%s status=dry-run", lc->cls, nm);
		return 0;
	}
	t = p->ops->now_us(p->ops->ctx);
	err = p->ops->load(p->ops->ctx, p, fd, full, params);
	p->run.load_us += p->ops->now_us(p->ops->ctx) - t;
	close(fd);
	char esc[PROBE_PARAMS_MAX];
	probe_esc(params, strlen(params), esc, sizeof(esc), false); /* shown: a cut is harmless */
	probe_log(p, "load class=%s module=%s status=%s%s%s%s%s", lc->cls, nm,
		  err == 0	   ? "ok"
		  : err == -EEXIST ? "already"
				   : "error:",
		  err && err != -EEXIST ? strerror(-err) : "", *params ? " params=\"" : "", esc,
		  *params ? "\"" : "");
	return err == -EEXIST ? 0 : err;
}

/* The module's parameters, expanded and escaped, space separated. */
static int load_params(struct probe *p, const struct action *a, const struct match *m, char *out,
		       size_t cap)
{
	size_t o = 0;

	out[0] = 0;
	for (unsigned i = 0; i < a->nparam; i++) {
		char one[PROBE_ARG_MAX];
		size_t n;
		if (expand(m, p->rules->val[a->param + i].s, one, sizeof(one), true) < 0)
			return -E2BIG;
		n = strlen(one);
		if (o + n + 2 > cap)
			return -E2BIG;
		if (i)
			out[o++] = ' ';
		memcpy(out + o, one, n + 1);
		o += n;
	}
	return 0;
}

static int walk_failed(struct probe *p, const struct load_ctx *lc, const char *name, int err)
{
	char cyc[PROBE_ARG_MAX], dep[PROBE_ARG_MAX];
	const char *cls = lc->cls;

	if (err == -ELOOP) {
		moddep_graph_cycle(&p->run.graph, cyc, sizeof(cyc)); /* a long one ends in "..." */
		probe_log(p, "load class=%s module=%s status=error:dependency-cycle cycle=%s", cls,
			  name, cyc);
	} else if (err == -ENOENT && p->run.graph.missing) {
		probe_esc(p->run.graph.missing, p->run.graph.missing_len, dep, sizeof(dep),
			  true); /* shown */
		probe_log(p, "load class=%s module=%s status=error:missing-dependency dep=%s", cls,
			  name, dep);
	} else if (!lc->logged) { /* a module that failed earlier in this pass: not tried again */
		probe_log(p, "load class=%s module=%s status=error:failed-earlier:%s", cls, name,
			  strerror(-err));
	}
	return err;
}

static int act_load(struct probe *p, const char *cls, const struct action *a, const struct match *m)
{
	char params[PROBE_PARAMS_MAX], nm[MODULE_NAME_MAX];
	struct load_ctx lc = {.p = p, .cls = cls, .params = params};
	int k, err;

	if (moddep_name(a->arg, strlen(a->arg), nm) < 0) {
		probe_log(p, "load class=%s module=%s status=error:bad-name", cls, a->arg);
		return -EINVAL;
	}
	if (p->run.builtin && moddep_builtin(p->run.builtin, p->run.builtin_len, nm)) {
		probe_log(p, "load class=%s module=%s status=builtin%s", cls, nm,
			  a->nparam ? " params=ignored" : "");
		return 0;
	}
	if (p->run.kernel_mismatch) {
		probe_log(p, "load class=%s module=%s status=skipped:kernel-mismatch", cls, nm);
		return 0;
	}
	if (!p->run.have_graph || (k = moddep_graph_find(&p->run.graph, nm)) < 0) {
		probe_log(p, "load class=%s module=%s status=error:not-in-modules.dep", cls, nm);
		return -ENOENT;
	}
	if (load_params(p, a, m, params, sizeof(params)) < 0) {
		probe_log(p, "load class=%s module=%s status=error:params-too-long", cls, nm);
		return -E2BIG;
	}
	lc.root = (unsigned)k;
	err = moddep_walk(&p->run.graph, (unsigned)k, load_one, &lc);
	if (lc.mismatch) { /* found at the first module: this and later loads skipped */
		probe_log(p, "load class=%s module=%s status=skipped:kernel-mismatch", cls, nm);
		return 0;
	}
	return err < 0 ? walk_failed(p, &lc, nm, err) : 0;
}

/* ---- the others -------------------------------------------------------------------------- */

static int write_out(struct probe *p, const char *path, const char *data, size_t n, int flags)
{
	int fd = probe_open_out(p, path, flags), err = 0;

	if (fd < 0)
		return fd;
	if (write(fd, data, n) != (ssize_t)n)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

static const char *status(const struct probe *p, int err, char *buf, size_t cap)
{
	if (!err)
		return p->set.dry_run ? "dry-run" : "ok";
	strfmt_show(buf, cap, "error:%s", strerror(-err)); /* a message */
	return buf;
}

/* new_device for a part no DT describes: a client with no interrupt, no
 * GPIOs and no supplies (said in the record). A device that exists already
 * (a DT node, which the driver bound when it was loaded) is left as it is. */
static int act_bind(struct probe *p, const char *cls, const char *dev, const struct match *m)
{
	char path[PROBE_PATH_MAX], line[PROBE_ARG_MAX + 8], st[STATUS_MAX], esc[PROBE_ARG_MAX],
	    drv[DRIVER_NAME_MAX];
	bool of_node;
	int fd, err = 0;

	probe_esc(dev, strlen(dev), esc, sizeof(esc), true); /* shown only */
	if (!m->i2c) {
		probe_log(p, "bind class=%s device=%s status=error:no-i2c-match", cls, esc);
		return -EINVAL;
	}
	if (probe_dev_state(p, m->bus, m->addr, &of_node, drv, sizeof(drv))) {
		probe_log(
		    p, "bind class=%s device=%s bus=%d addr=0x%02x status=exists:%s driver=%s", cls,
		    esc, m->bus, m->addr, of_node ? "dt-node" : "device", drv[0] ? drv : "none");
		return 0;
	}
	if (strfmt(path, sizeof(path), "sys/bus/i2c/devices/i2c-%d/new_device", m->bus) < 0 ||
	    strfmt(line, sizeof(line), "%s 0x%02x\n", dev, m->addr) < 0)
		err = -ENAMETOOLONG;
	else if (!p->set.dry_run) { /* an existing sysfs file */
		if ((fd = probe_open(p, path, O_WRONLY)) < 0)
			err = fd;
		else if (write(fd, line, strlen(line)) < 0)
			err = -errno;
		if (fd >= 0)
			close(fd);
	}
	probe_log(p, "bind class=%s device=%s bus=%d addr=0x%02x status=%s irq=none", cls, esc,
		  m->bus, m->addr, status(p, err, st, sizeof(st)));
	return err;
}

/* How many of the rule's load modules are built into the kernel, of how many. */
static unsigned rule_builtins(const struct probe *p, const struct rule *ru, unsigned *nload)
{
	char nm[MODULE_NAME_MAX];
	unsigned n = 0;

	*nload = 0;
	for (unsigned k = 0; k < ru->nact; k++) {
		const struct action *a = &p->rules->act[ru->act + k];
		if (a->kind != AK_LOAD)
			continue;
		++*nload;
		n += p->run.builtin && moddep_name(a->arg, strlen(a->arg), nm) >= 0 &&
		     moddep_builtin(p->run.builtin, p->run.builtin_len, nm);
	}
	return n;
}

/* The device is bound to drv: is drv an I2C driver of one of the rule's
 * loaded modules (1), or do they have another (0: the first such module
 * into nm, its driver into want), or is there nothing to tell (-1: no module
 * of the rule lists an I2C driver in sysfs, as built-in ones never do)? */
static int rule_driver(const struct probe *p, const struct rule *ru, const char *drv,
		       char nm[MODULE_NAME_MAX], char *want, size_t cap)
{
	char m[MODULE_NAME_MAX], d[DRIVER_NAME_MAX];
	int r = -1;

	for (unsigned k = 0; k < ru->nact; k++) {
		const struct action *a = &p->rules->act[ru->act + k];
		if (a->kind != AK_LOAD || moddep_name(a->arg, strlen(a->arg), m) < 0)
			continue;
		if (probe_dev_module_has_driver(p, m, drv))
			return 1;
		if (r < 0 && probe_dev_module_driver(p, m, d, sizeof(d)) == 0 && strlen(d) < cap) {
			memcpy(nm, m, strlen(m) + 1); /* both fit: checked */
			memcpy(want, d, strlen(d) + 1);
			r = 0;
		}
	}
	return r;
}

/* A device bound to another driver than the rule's: unbound from it and
 * bound to the rule's driver want (module nm), waited for. When the rule's
 * driver refuses it, the old one is bound back (drv says which holds it). */
static int rebind(struct probe *p, const struct match *m, const char *was, const char *nm,
		  const char *want, char *drv, size_t cap)
{
	int err;

	drv[0] = 0;
	if ((err = probe_dev_driver_write(p, was, "unbind", m->bus, m->addr)) < 0)
		goto back;
	if ((err = probe_dev_bind_driver(p, nm, m->bus, m->addr, drv, cap)) < 0) {
		if (probe_dev_driver_write(p, was, "bind", m->bus, m->addr) < 0)
			probe_log(p, "fault device=%d-%04x driver=%s status=rebind-failed", m->bus,
				  m->addr, was);
		goto back;
	}
	err = probe_dev_wait_driver(p, m->bus, m->addr, PROBE_BIND_WAIT_MS, drv, cap);
	if (!err && strcmp(drv, want))
		err = -EBUSY; /* another driver took it */
	return err;
back:
	probe_dev_state(p, m->bus, m->addr, &(bool){false}, drv, cap); /* who holds it now */
	return err ? err : -EBUSY;
}

/* A device the rule does not touch, recorded with its modalias; the rule stands. */
static int left_alone(struct probe *p, const struct rule *ru, const struct match *m, bool of_node,
		      const char *drv, const char *status, const char *alias)
{
	char esc[PROBE_VALUE_MAX * 4];

	probe_esc(alias, strlen(alias), esc, sizeof(esc), true);
	probe_log(p, "bound class=%s device=%d-%04x dt=%s driver=%s status=%s modalias=\"%s\"",
		  ru->cls, m->bus, m->addr, of_node ? "yes" : "no", drv, status, esc);
	return 0;
}

/*
 * After a rule's loads, the device it matched: when it exists (a DT node
 * with its interrupt, GPIOs and supplies), a driver of the loaded modules
 * must have bound it, waited for at most PROBE_BIND_WAIT_MS; for a built-in
 * driver the bus is asked to probe it (drivers_probe). No driver: the rule
 * fails (its driver's probe failed) and the next candidate gets its turn. A
 * device that does not exist is for a bind action to make. A device none of
 * the rule's modules can drive (its modalias matches none of their aliases:
 * a DT node of another part at that address) is left as it is, bound or not,
 * and the rule stands; so is a bound device when that cannot be told (no
 * aliases). A device bound to another driver that the rule's module can
 * drive (a built-in driver of another candidate took it at boot) is unbound
 * from it and bound to the rule's. With the modules not matching the kernel
 * only a rule whose modules are all built in can bind.
 */
static int settle_device(struct probe *p, const struct rule *ru, const struct match *m)
{
	char drv[DRIVER_NAME_MAX], nm[MODULE_NAME_MAX], was[DRIVER_NAME_MAX] = "";
	char alias[PROBE_VALUE_MAX];
	const char *via = "load";
	unsigned nload, nbuiltin;
	bool of_node;
	int err;

	if (!m->i2c || !probe_dev_state(p, m->bus, m->addr, &of_node, drv, sizeof(drv)))
		return 0;
	nbuiltin = rule_builtins(p, ru, &nload);
	if (p->set.dry_run || (p->run.kernel_mismatch && nbuiltin < nload)) {
		probe_log(p, "bound class=%s device=%d-%04x dt=%s driver=%s status=%s", ru->cls,
			  m->bus, m->addr, of_node ? "yes" : "no", drv[0] ? drv : "none",
			  p->set.dry_run ? "dry-run" : "skipped:kernel-mismatch");
		return 0;
	}
	if (drv[0]) { /* bound: by the rule's driver, or by another */
		char want[DRIVER_NAME_MAX];
		int fm = -1, mine = rule_driver(p, ru, drv, nm, want, sizeof(want));

		if (mine == 0)
			fm = probe_dev_for_module(p, m->bus, m->addr, nm, alias, sizeof(alias));
		if (mine == 0 && fm != 1) /* not known to be the rule's: left alone */
			return left_alone(p, ru, m, of_node, drv,
					  fm == 0 ? "other-device" : "other-driver", alias);
		err = 0;
		if (mine == 0) {
			memcpy(was, drv, sizeof(was));
			via = "rebind";
			err = rebind(p, m, was, nm, want, drv, sizeof(drv));
		}
	} else { /* someone else's device at that address: nothing to wait for */
		bool others = false, ours = false; /* every loaded module says: not mine */
		for (unsigned k = 0; !ours && k < ru->nact; k++) {
			const struct action *a = &p->rules->act[ru->act + k];
			int r = a->kind != AK_LOAD
				    ? 0
				    : probe_dev_for_module(p, m->bus, m->addr, a->arg, alias,
							   sizeof(alias));
			others = others || (a->kind == AK_LOAD && r == 0);
			ours = r != 0;
		}
		if (others && !ours)
			return left_alone(p, ru, m, of_node, "none", "other-device", alias);
		err =
		    probe_dev_wait_driver(p, m->bus, m->addr, PROBE_BIND_WAIT_MS, drv, sizeof(drv));
		if (err && nbuiltin && probe_dev_reprobe(p, m->bus, m->addr) == 0) {
			via = "drivers-probe"; /* built in: the bus finds the driver */
			err = probe_dev_wait_driver(p, m->bus, m->addr, PROBE_BIND_WAIT_MS, drv,
						    sizeof(drv));
		}
	}
	probe_log(p, "bound class=%s device=%d-%04x dt=%s driver=%s via=%s%s%s status=%s", ru->cls,
		  m->bus, m->addr, of_node ? "yes" : "no", drv[0] ? drv : "none", via,
		  was[0] ? " was=" : "", was, err ? "error:no-driver" : "ok");
	return err;
}

/* The input file, as NAME (its ${id} expanded) under /run/probe/usr/DIR/
 * for a non-Android root, and queued for Android (android.c). */
static int act_install(struct probe *p, const char *cls, const struct action *a,
		       const struct match *m)
{
	char src[PROBE_PATH_MAX], dst[PROBE_PATH_MAX], st[STATUS_MAX], name[INPUT_NAME_MAX + 8];
	char *buf = malloc(PROBE_INPUT_MAX);
	long n = 0;
	int err = 0;

	if (expand(m, a->as ? a->as : a->arg, name, sizeof(name), true) < 0 ||
	    !rules_input_dir(name) || strfmt(src, sizeof(src), "lib/probe/input/%s", a->arg) < 0 ||
	    strfmt(dst, sizeof(dst), "%s/%s/%s", p->set.input_dir, rules_input_dir(name), name) < 0)
		err = -ENAMETOOLONG;
	else if (!buf)
		err = -ENOMEM;
	else if ((n = probe_read(p, src, buf, PROBE_INPUT_MAX)) < 0)
		err = (int)n;
	else if (!p->set.dry_run)
		err = write_out(p, dst, buf, (size_t)n, O_TRUNC);
	free(buf);
	probe_log(p, "install class=%s file=%s to=/%s status=%s", cls, a->arg, /* checked names */
		  err == -ENAMETOOLONG ? "?" : dst, status(p, err, st, sizeof(st)));
	if (!err)
		probe_android_file(p, a->arg, name);
	return err;
}

/* prop NAME=VALUE: a property for Android (android.c), its value expanded. */
static int act_prop(struct probe *p, const char *cls, const char *kv, const struct match *m)
{
	char line[PROBE_ARG_MAX + 1];
	const char *eq = strchr(kv, '='); /* the parser saw to it */
	int err = expand(m, eq + 1, line, sizeof(line), false);

	probe_log(p, "prop class=%s name=%.*s status=%s", cls, (int)(eq - kv), kv,
		  err ? "error:too-long" : "queued");
	if (!err) {
		char name[PROP_NAME_MAX];
		memcpy(name, kv, (size_t)(eq - kv));
		name[eq - kv] = 0;
		probe_android_prop(p, name, line);
	}
	return err;
}

/* KEY=VALUE into the facts file: one line per fact, values escaped. A dry
 * run writes nothing (the facts of an earlier real pass stay). */
static int act_export(struct probe *p, const char *cls, const char *kv, const struct match *m)
{
	char line[PROBE_ARG_MAX + 1], st[STATUS_MAX];
	int err = expand(m, kv, line, sizeof(line) - 1, false);

	if (!err && !p->set.dry_run) {
		size_t n = strlen(line);
		line[n] = '\n';
		err = write_out(p, p->set.facts_path, line, n + 1, O_APPEND);
		line[n] = 0;
	}
	probe_log(p, "export class=%s %s status=%s", cls, err == -E2BIG ? "?" : line,
		  err == -E2BIG ? "error:too-long" : status(p, err, st, sizeof(st)));
	if (err != -E2BIG) { /* also the property ro.bootkit.KEY */
		char name[PROP_NAME_MAX];
		const char *eq = strchr(line, '=');
		if (eq && strfmt(name, sizeof(name), PROP_EXPORT_PREFIX "%.*s", (int)(eq - line),
				 line) >= 0)
			probe_android_prop(p, name, eq + 1);
	}
	return err;
}

/* Overlays need the out-of-tree configfs interface; say so when it is absent. */
static int act_overlay(struct probe *p, const char *cls, const char *file)
{
	const char *base = "sys/kernel/config/device-tree/overlays";
	char dir[PROBE_PATH_MAX], dst[PROBE_PATH_MAX], st[STATUS_MAX], esc[PROBE_ARG_MAX], *buf;
	const char *b = strrchr(file, '/');
	long n;
	int err = 0, dfd;

	probe_esc(file, strlen(file), esc, sizeof(esc), true); /* shown only */
	if (probe_exists(p, base) != 0) {
		probe_log(p, "overlay class=%s file=%s status=unsupported:no-configfs-overlays",
			  cls, esc);
		return 0;
	}
	b = b ? b + 1 : file;
	if (strfmt(dir, sizeof(dir), "%s/%.*s", base, (int)strcspn(b, "."), b) < 0 ||
	    strfmt(dst, sizeof(dst), "%s/dtbo", dir) < 0)
		return -ENAMETOOLONG;
	if (!(buf = malloc(PROBE_OVERLAY_MAX)))
		return -ENOMEM;
	if ((n = probe_read(p, file, buf, PROBE_OVERLAY_MAX)) < 0)
		err = (int)n;
	else if (!p->set.dry_run) {
		/* configfs: the overlay's folder is made in the (existing) base */
		if ((dfd = probe_open(p, base, O_RDONLY | O_DIRECTORY)) < 0)
			err = dfd;
		else if (mkdirat(dfd, dir + strlen(base) + 1, 0755) < 0 && errno != EEXIST)
			err = -errno;
		if (dfd >= 0)
			close(dfd);
		if (!err && (dfd = probe_open(p, dst, O_WRONLY)) < 0)
			err = dfd;
		else if (!err) {
			if (write(dfd, buf, (size_t)n) != (ssize_t)n)
				err = errno ? -errno : -EIO;
			close(dfd);
		}
	}
	free(buf);
	probe_log(p, "overlay class=%s file=%s status=%s", cls, esc,
		  status(p, err, st, sizeof(st)));
	return err;
}

/* Loads first (a failed load makes the rule fail: the next candidate gets
 * its turn), then the rest. */
int probe_run_actions(struct probe *p, const struct rule *ru, const struct match *m)
{
	int failed = 0;
	bool loads = false;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && !failed && loads && (failed = settle_device(p, ru, m)) < 0)
			p->rec.failures++;
		for (unsigned k = 0; k < ru->nact; k++) {
			const struct action *a = &p->rules->act[ru->act + k];
			if ((a->kind == AK_LOAD) != (pass == 0))
				continue;
			if (pass == 1 && failed)
				return failed;
			loads |= a->kind == AK_LOAD;
			int err = a->kind == AK_LOAD	  ? act_load(p, ru->cls, a, m)
				  : a->kind == AK_BIND	  ? act_bind(p, ru->cls, a->arg, m)
				  : a->kind == AK_INSTALL ? act_install(p, ru->cls, a, m)
				  : a->kind == AK_EXPORT  ? act_export(p, ru->cls, a->arg, m)
				  : a->kind == AK_PROP	  ? act_prop(p, ru->cls, a->arg, m)
							  : act_overlay(p, ru->cls, a->arg);
			if (err < 0) {
				p->rec.failures++;
				if (a->kind == AK_LOAD)
					failed = err;
			}
		}
	}
	return failed;
}
