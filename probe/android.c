/* android.c - what Android hears of the decisions (README, "What Android sees").
 *
 * Android up to 9 (not system-as-root) boots the ramdisk as its root file
 * system, writable, its own init started after ours (/init.stock). Before it
 * starts, at the end of the first pass:
 *   - properties: every export KEY=VALUE as ro.bootkit.KEY, every prop
 *     NAME=VALUE, written into /prop.default (Android 9) or /default.prop,
 *     which Android's init loads before the rest (for ro. the first value set
 *     wins): a name the file sets already is replaced there, not doubled;
 *   - input files (install FILE [as NAME]): /init.bootkit.rc, the fragment
 *     make inject has /init.rc import, is written for Android's init: on
 *     post-fs it bind-mounts each file over /system/usr/DIR/NAME (the mount
 *     fails where /system has no such file; Android's init has "bind" from
 *     4.2, a oneshot service running probe --android-bind does it on 4.0 and
 *     4.1), on post-fs-data it copies it into /data/system/devices/DIR/ with
 *     Android's owner and mode (InputReader looks there after /system) and
 *     removes every name any rule installs that this boot did not (an
 *     earlier boot's file for another part never survives).
 * Nothing is written when the root has neither property file (not Android).
 * Every step goes to the record ("android ..." lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/probe.h"

#define PROP_FILE_MAX (256u << 10) /* a default.prop read whole */
#define FRAGMENT      "init.bootkit.rc"
#define DATA_DEVICES  "/data/system/devices"
#define INPUT_SRC     "/lib/probe/input"

static void value_line(struct probe *p, const char *what, const char *name, const char *value,
		       const char *status)
{
	char esc[PROBE_ARG_MAX * 4];

	probe_esc(value, strlen(value), esc, sizeof(esc), false); /* shown: fits */
	probe_log(p, "android %s name=%s value=\"%s\" status=%s", what, name, esc, status);
}

void probe_android_prop(struct probe *p, const char *name, const char *value)
{
	struct android_out *a = &p->rec.android;
	unsigned i;

	if (a->delivered) { /* a pass after Android's init started (--watch) */
		value_line(p, "prop", name, value, "skipped:android-running");
		return;
	}
	for (i = 0; i < a->nprop && strcmp(a->prop[i].name, name); i++)
		;
	if (i == ANDROID_PROPS_MAX) {
		value_line(p, "prop", name, value, "error:too-many");
		return;
	}
	if (strlen(name) >= sizeof(a->prop[i].name) || strlen(value) >= PROP_VALUE_MAX) {
		value_line(p, "prop", name, value, "error:too-long"); /* Android drops it */
		return;
	}
	memcpy(a->prop[i].name, name, strlen(name) + 1);
	memcpy(a->prop[i].value, value, strlen(value) + 1);
	a->nprop += i == a->nprop;
}

void probe_android_file(struct probe *p, const char *file, const char *name)
{
	struct android_out *a = &p->rec.android;
	struct android_file *f;

	if (a->delivered || a->nfile == ANDROID_FILES_MAX || strlen(name) >= sizeof(f->name) ||
	    !rules_input_dir(name)) {
		probe_log(p, "android file=%s as=%s status=%s", file, name,
			  a->delivered ? "skipped:android-running" : "error:too-many-or-bad-name");
		return;
	}
	for (unsigned i = 0; i < a->nfile; i++)
		if (!strcmp(a->file[i].name, name)) /* one name, one file: the later one */
			a->nfile = i, i = ANDROID_FILES_MAX;
	f = &a->file[a->nfile++];
	memcpy(f->src, file, strlen(file) + 1); /* a checked rules name: fits */
	memcpy(f->name, name, strlen(name) + 1);
}

/* ---- the property file ----------------------------------------------------------------- */

/* Does line (n bytes) set name? Android trims blanks around the key. */
static bool sets(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name), i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < k || memcmp(line + i, name, k))
		return false;
	for (i += k; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	return i < n && line[i] == '=';
}

static void put_prop(struct strbuf *b, const struct android_prop *x)
{
	strbuf_add(b, "%s=%s\n", x->name, x->value);
}

/* The file with every queued property set once: in place of the first line
 * that set it (later ones dropped), else at the end. */
static int edit_props(struct probe *p, const char *text, size_t len, struct strbuf *out,
		      bool *replaced)
{
	struct android_out *a = &p->rec.android;

	for (size_t at = 0; at < len;) {
		const char *l = text + at;
		size_t n = strcspn(l, "\n");
		unsigned i;
		if (at + n > len)
			n = len - at;
		for (i = 0; i < a->nprop && !sets(l, n, a->prop[i].name); i++)
			;
		if (i == a->nprop) {
			strbuf_put(out, l, n);
			strbuf_put(out, "\n", 1);
		} else if (!replaced[i]) {
			replaced[i] = true;
			put_prop(out, &a->prop[i]);
		}
		at += n + 1;
	}
	for (unsigned i = 0; i < a->nprop; i++)
		if (!replaced[i])
			put_prop(out, &a->prop[i]);
	return out->oom ? -ENOMEM : 0;
}

static int write_whole(struct probe *p, const char *path, const char *data, size_t n)
{
	int fd = probe_open_out(p, path, O_TRUNC), err = 0;

	if (fd < 0)
		return fd;
	if (write(fd, data, n) != (ssize_t)n)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

static void deliver_props(struct probe *p, const char *file)
{
	struct android_out *a = &p->rec.android;
	bool replaced[ANDROID_PROPS_MAX] = {false};
	struct strbuf out = {0};
	char *text = malloc(PROP_FILE_MAX);
	long n = text ? probe_read(p, file, text, PROP_FILE_MAX) : -ENOMEM;
	int err = n < 0 ? (int)n : edit_props(p, text, (size_t)n, &out, replaced);

	if (!err && !p->set.dry_run)
		err = write_whole(p, file, out.p ? out.p : "", out.n);
	for (unsigned i = 0; i < a->nprop; i++) {
		char st[96];
		strfmt_show(st, sizeof(st), "%s%s",
			    err		     ? "error:"
			    : p->set.dry_run ? "dry-run"
					     : "ok",
			    err		  ? strerror(-err)
			    : replaced[i] ? " replaced"
					  : " added");
		probe_log(p, "android prop name=%s file=/%s status=%s", a->prop[i].name, file, st);
	}
	free(out.p);
	free(text);
}

/* ---- the init.rc fragment ------------------------------------------------------------- */

struct frag {
	struct strbuf b;
	unsigned stale;
};

static bool placed(const struct android_out *a, const char *name)
{
	for (unsigned i = 0; i < a->nfile; i++)
		if (!strcmp(a->file[i].name, name))
			return true;
	return false;
}

/* rm lines for every name a rule can install that this boot did not place:
 * a NAME with ${id} stands for the 256 names of one byte. */
static void frag_stale(struct probe *p, struct frag *f)
{
	const struct rules *r = p->rules;

	for (unsigned k = 0; k < r->nact; k++) {
		const struct action *x = &r->act[k];
		const char *name = x->as ? x->as : x->arg, *id;
		char one[INPUT_NAME_MAX + 8];
		if (x->kind != AK_INSTALL)
			continue;
		id = strstr(name, "${id}");
		for (unsigned v = 0; v < (id ? 256u : 1u); v++) {
			if (id)
				strfmt(one, sizeof(one), "%.*s%02x%s", (int)(id - name), name, v,
				       id + 5); /* checked by the parser: fits */
			else
				strfmt(one, sizeof(one), "%s", name);
			if (placed(&p->rec.android, one))
				continue;
			strbuf_add(&f->b, "    rm " DATA_DEVICES "/%s/%s\n", rules_input_dir(one),
				   one);
			f->stale++;
		}
	}
}

static void frag_build(struct probe *p, struct frag *f)
{
	const struct android_out *a = &p->rec.android;

	strbuf_add(&f->b,
		   "# /" FRAGMENT ": written at boot by bootkit's probe (/sbin/probe) for the\n"
		   "# parts it found; /init.rc imports it. README, \"What Android sees\".\n");
	if (a->nfile) {
		strbuf_add(&f->b,
			   "\n# Android's init has \"bind\" from 4.2; on 4.0 and 4.1 this does it\n"
			   "service bootkit-bind /sbin/probe --android-bind");
		for (unsigned i = 0; i < a->nfile; i++)
			strbuf_add(&f->b, " " INPUT_SRC "/%s /system/usr/%s/%s", a->file[i].src,
				   rules_input_dir(a->file[i].name), a->file[i].name);
		strbuf_add(&f->b, "\n    oneshot\n    disabled\n\non post-fs\n");
		for (unsigned i = 0; i < a->nfile; i++)
			strbuf_add(
			    &f->b, "    mount none " INPUT_SRC "/%s /system/usr/%s/%s bind\n",
			    a->file[i].src, rules_input_dir(a->file[i].name), a->file[i].name);
		strbuf_add(&f->b, "    start bootkit-bind\n");
	}
	strbuf_add(&f->b, "\non post-fs-data\n"
			  "    mkdir /data/system 0775 system system\n"
			  "    mkdir " DATA_DEVICES " 0775 system system\n");
	for (unsigned i = 0; i < a->nfile; i++) {
		const char *d = rules_input_dir(a->file[i].name), *n = a->file[i].name;
		strbuf_add(&f->b, "    mkdir " DATA_DEVICES "/%s 0775 system system\n", d);
		strbuf_add(&f->b, "    copy " INPUT_SRC "/%s " DATA_DEVICES "/%s/%s\n",
			   a->file[i].src, d, n);
		strbuf_add(&f->b, "    chown system system " DATA_DEVICES "/%s/%s\n", d, n);
		strbuf_add(&f->b, "    chmod 0644 " DATA_DEVICES "/%s/%s\n", d, n);
	}
	frag_stale(p, f);
}

static void deliver_files(struct probe *p)
{
	const struct android_out *a = &p->rec.android;
	struct frag f = {.stale = 0};
	int err;

	frag_build(p, &f);
	err = f.b.oom ? -ENOMEM : 0;
	if (!err && !p->set.dry_run)
		err = write_whole(p, FRAGMENT, f.b.p, f.b.n);
	for (unsigned i = 0; i < a->nfile; i++) {
		const char *d = rules_input_dir(a->file[i].name), *n = a->file[i].name;
		probe_log(
		    p, "android file=%s as=%s system=/system/usr/%s/%s data=" DATA_DEVICES "/%s/%s",
		    a->file[i].src, n, d, n, d, n);
	}
	probe_log(p, "android fragment=/" FRAGMENT " files=%u stale=%u status=%s%s", a->nfile,
		  f.stale,
		  err		   ? "error:"
		  : p->set.dry_run ? "dry-run"
				   : "ok",
		  err ? strerror(-err) : "");
	free(f.b.p);
}

void probe_android_deliver(struct probe *p)
{
	const struct android_out *a = &p->rec.android;
	struct stat st;
	const char *file = NULL;

	if (p->rec.android.delivered)
		return;
	p->rec.android.delivered = true;
	if (fstatat(p->rootfd, "prop.default", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode))
		file = "prop.default"; /* Android 9 (default.prop: a link to it) */
	else if (fstatat(p->rootfd, "default.prop", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		 S_ISREG(st.st_mode))
		file = "default.prop";
	if (!file) {
		if (a->nprop || a->nfile)
			probe_log(p, "android status=none:no-default.prop (not an Android root)");
		return;
	}
	if (a->nprop)
		deliver_props(p, file);
	deliver_files(p);
}

/* ---- probe --android-bind SRC DST...: Android's init without "bind" --------------------- */

int probe_android_bind(int argc, char **argv)
{
	int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	for (int i = 0; i + 1 < argc; i += 2) {
		struct stat s, d;
		const char *st = "ok";
		char line[PROBE_LINE_MAX];
		int n;
		if (stat(argv[i], &s) < 0 || !S_ISREG(s.st_mode))
			st = "error:no-source";
		else if (stat(argv[i + 1], &d) < 0 || !S_ISREG(d.st_mode))
			st = "absent"; /* /system has no such file: InputReader finds /data's */
		else if (s.st_dev == d.st_dev && s.st_ino == d.st_ino)
			st = "already"; /* init's own mount ... bind did it */
		else if (mount(argv[i], argv[i + 1], NULL, MS_BIND, NULL) < 0)
			st = strerror(errno);
		n = strfmt_show(line, sizeof(line), "probe: android bind %s over %s status=%s\n",
				argv[i], argv[i + 1], st) < sizeof(line)
			? (int)strlen(line)
			: (int)sizeof(line) - 1;
		if (kmsg >= 0 && write(kmsg, line, (size_t)n) < 0)
			break;
	}
	if (kmsg >= 0)
		close(kmsg);
	return 0;
}
