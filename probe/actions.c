/* actions.c - what a decided rule does: load (the module and its
 * modules.dep dependencies), bind (new_device), install (.idc/.kl), export
 * (a fact for later boot stages), overlay (configfs DT overlays). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"


/* ${bus} ${addr} ${id} ${value} from the match. */
static void expand(const struct match *m, const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in && o + 1 < cap) {
		char v[2 * I2C_ID_MAX + 130];
		const char *end;
		if (in[0] != '$' || in[1] != '{' || !(end = strchr(in, '}'))) {
			out[o++] = *in++;
			continue;
		}
		if (!strncmp(in, "${bus}", 6))
			snprintf(v, sizeof(v), "%d", m->bus);
		else if (!strncmp(in, "${addr}", 7))
			snprintf(v, sizeof(v), "0x%02x", m->addr);
		else if (!strncmp(in, "${id}", 5))
			probe_hex(m->bytes, m->len, v);
		else if (!strncmp(in, "${value}", 8))
			snprintf(v, sizeof(v), "%s", m->value);
		else
			snprintf(v, sizeof(v), "%.*s", (int)(end - in + 1), in);
		for (const char *s = v; *s && o + 1 < cap; s++)
			out[o++] = *s;
		in = end + 1;
	}
	out[o] = 0;
}

/* The modules.dep line of a module name: path and dependency list. */
static bool dep_find(const struct probe *p, const char *name, const char **path, size_t *plen,
		     const char **deps, size_t *dlen)
{
	const char *s = p->moddep, *end = s ? s + p->moddep_len : NULL;

	while (s && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
		const char *colon = memchr(s, ':', (size_t)(e - s));
		char pb[256], nm[64];
		if (colon && (size_t)(colon - s) < sizeof(pb)) {
			memcpy(pb, s, (size_t)(colon - s));
			pb[colon - s] = 0;
			rules_mod_name(pb, nm, sizeof(nm));
			if (!strcmp(nm, name)) {
				*path = s, *plen = (size_t)(colon - s);
				*deps = colon + 1, *dlen = (size_t)(e - colon - 1);
				return true;
			}
		}
		s = e + 1;
	}
	return false;
}

static int load_path(struct probe *p, const char *cls, const char *path, size_t plen,
		     const char *params, unsigned depth);

/* Dependencies in the reverse of their modules.dep order, each with its own. */
static int load_deps(struct probe *p, const char *cls, const char *deps, size_t dlen, unsigned depth)
{
	const char *w[32];
	size_t wl[32];
	unsigned n = 0;

	for (size_t i = 0; i < dlen && n < 32;) {
		while (i < dlen && deps[i] == ' ')
			i++;
		if (i == dlen)
			break;
		w[n] = deps + i;
		while (i < dlen && deps[i] != ' ')
			i++;
		wl[n] = (size_t)(deps + i - w[n]);
		n++;
	}
	while (n--) {
		int err = load_path(p, cls, w[n], wl[n], "", depth + 1);
		if (err < 0)
			return err;
	}
	return 0;
}

static int load_path(struct probe *p, const char *cls, const char *path, size_t plen,
		     const char *params, unsigned depth)
{
	char full[320], nm[64], pb[256];
	const char *dp, *deps;
	size_t dl, dpl;
	int err;

	snprintf(pb, sizeof(pb), "%.*s", (int)plen, path);
	rules_mod_name(pb, nm, sizeof(nm));
	if (depth > 8)
		return -ELOOP;
	if (dep_find(p, nm, &dp, &dpl, &deps, &dl) && (err = load_deps(p, cls, deps, dl, depth)) < 0)
		return err;
	snprintf(full, sizeof(full), "lib/modules/%s/%s", p->release, pb);
	if (p->dry_run) {
		probe_log(p, "load class=%s module=%s status=dry-run", cls, nm);
		return 0;
	}
	err = p->ops->load(p->ops->ctx, p, full, params);
	probe_log(p, "load class=%s module=%s status=%s%s%s", cls, nm,
		  err == 0 ? "ok" : err == -EEXIST ? "already" : "error:",
		  err && err != -EEXIST ? strerror(-err) : "", *params ? " params=" : "");
	return err == -EEXIST ? 0 : err;
}

static int act_load(struct probe *p, const char *cls, const struct action *a, const struct match *m)
{
	char params[512] = "", one[160];
	const char *path, *deps;
	size_t plen, dlen;
	char nm[64];

	for (unsigned i = 0; i < a->nparam; i++) {
		expand(m, p->rules->val[a->param + i].s, one, sizeof(one));
		if (strlen(params) + strlen(one) + 2 < sizeof(params))
			snprintf(params + strlen(params), sizeof(params) - strlen(params), "%s%s",
				 i ? " " : "", one);
	}
	rules_mod_name(a->arg, nm, sizeof(nm));
	if (!dep_find(p, nm, &path, &plen, &deps, &dlen)) {
		probe_log(p, "load class=%s module=%s status=error:not-in-modules.dep", cls, nm);
		return -ENOENT;
	}
	return load_path(p, cls, path, plen, params, 0);
}

static int write_file(struct probe *p, const char *path, const char *data, size_t n, int flags)
{
	int fd = probe_open_out(p, path, flags), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, n) != (ssize_t)n)
		err = -errno ? -errno : -EIO;
	close(fd);
	return err;
}

static int act_bind(struct probe *p, const char *cls, const char *dev, const struct match *m)
{
	char path[96], line[96];
	int fd, err = 0;

	if (!m->i2c) {
		probe_log(p, "bind class=%s device=%s status=error:no-i2c-match", cls, dev);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "sys/bus/i2c/devices/i2c-%d/new_device", m->bus);
	snprintf(line, sizeof(line), "%s 0x%02x\n", dev, m->addr);
	if (!p->dry_run) { /* an existing sysfs file: no O_CREAT */
		fd = openat(p->rootfd, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, line, strlen(line)) < 0)
			err = -errno;
		if (fd >= 0)
			close(fd);
	}
	probe_log(p, "bind class=%s device=%s bus=%d addr=0x%02x status=%s%s", cls, dev, m->bus,
		  m->addr, p->dry_run ? "dry-run" : err ? "error:" : "ok", err ? strerror(-err) : "");
	return err;
}

static int act_install(struct probe *p, const char *cls, const char *file)
{
	char src[200], dst[300], *buf = malloc(1u << 16);
	const char *ext = strrchr(file, '.');
	long n;
	int err = 0;

	snprintf(src, sizeof(src), "lib/probe/input/%s", file);
	snprintf(dst, sizeof(dst), "%s/%s/%s", p->input_dir,
		 ext && !strcmp(ext, ".kl") ? "keylayout" : "idc", file);
	if (!buf || (n = probe_read(p, src, buf, 1u << 16)) < 0)
		err = buf ? (int)n : -ENOMEM;
	else if (!p->dry_run)
		err = write_file(p, dst, buf, (size_t)n, O_TRUNC);
	free(buf);
	probe_log(p, "install class=%s file=%s to=/%s status=%s%s", cls, file, dst,
		  p->dry_run && !err ? "dry-run" : err ? "error:" : "ok", err ? strerror(-err) : "");
	return err;
}

static int act_export(struct probe *p, const char *cls, const char *kv, const struct match *m)
{
	char line[300];
	int err = 0;

	expand(m, kv, line, sizeof(line) - 1);
	if (!p->dry_run) {
		size_t n = strlen(line);
		line[n] = '\n';
		err = write_file(p, p->facts_path, line, n + 1, O_APPEND);
		line[n] = 0;
	}
	probe_log(p, "export class=%s %s status=%s", cls, line, p->dry_run ? "dry-run" : err ? "error" : "ok");
	return err;
}

/* Overlays need the out-of-tree configfs interface; say so when it is absent. */
static int act_overlay(struct probe *p, const char *cls, const char *file)
{
	const char *base = "sys/kernel/config/device-tree/overlays";
	char dir[200], dst[260], *buf;
	const char *b = strrchr(file, '/');
	long n;
	int err = 0;

	if (faccessat(p->rootfd, base, F_OK, 0) != 0) {
		probe_log(p, "overlay class=%s file=%s status=unsupported:no-configfs-overlays", cls, file);
		return 0;
	}
	b = b ? b + 1 : file;
	snprintf(dir, sizeof(dir), "%s/%.*s", base, (int)strcspn(b, "."), b);
	snprintf(dst, sizeof(dst), "%s/dtbo", dir);
	if (!(buf = malloc(1u << 18)))
		return -ENOMEM;
	if ((n = probe_read(p, file, buf, 1u << 18)) < 0)
		err = (int)n;
	else if (!p->dry_run && (mkdirat(p->rootfd, dir, 0755) < 0 && errno != EEXIST))
		err = -errno;
	else if (!p->dry_run)
		err = write_file(p, dst, buf, (size_t)n, 0);
	free(buf);
	probe_log(p, "overlay class=%s file=%s status=%s%s", cls, file,
		  p->dry_run && !err ? "dry-run" : err ? "error:" : "ok", err ? strerror(-err) : "");
	return err;
}

/* Loads first (a failed load makes the rule fail: the next candidate gets
 * its turn), then the rest. */
int probe_run_actions(struct probe *p, const struct rule *ru, const struct match *m)
{
	int failed = 0;

	for (int pass = 0; pass < 2; pass++)
		for (unsigned k = 0; k < ru->nact; k++) {
			const struct action *a = &p->rules->act[ru->act + k];
			if ((a->kind == AK_LOAD) != (pass == 0))
				continue;
			if (pass == 1 && failed)
				return failed;
			int err = a->kind == AK_LOAD	  ? act_load(p, ru->cls, a, m)
				  : a->kind == AK_BIND	  ? act_bind(p, ru->cls, a->arg, m)
				  : a->kind == AK_INSTALL ? act_install(p, ru->cls, a->arg)
				  : a->kind == AK_EXPORT  ? act_export(p, ru->cls, a->arg, m)
							  : act_overlay(p, ru->cls, a->arg);
			if (err < 0) {
				p->failures++;
				if (a->kind == AK_LOAD)
					failed = err;
			}
		}
	return failed;
}
