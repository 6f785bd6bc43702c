/* init - the minimal (BusyBox-free) boot flow of a bootkit ramdisk, as /init.
 *
 * The same flow as ramdisk/init/init.sh, for partitions with no room for BusyBox:
 *   1. mount /proc, /sys, /dev (devtmpfs), /run (tmpfs);
 *   2. load the "preload" modules of /lib/probe/boot.modules (I2C bus drivers);
 *   3. run /sbin/probe (killed after bootkit.probe_timeout seconds, default 10);
 *      if it is missing, fails or is killed, load the "fallback" modules;
 *   4. hand over: root= on the command line -> mount it and switch root to
 *      init= (default /sbin/init); else /init.stock (the stock init of an
 *      injected stock ramdisk) -> exec it; else bootkit.halt=poweroff|reboot
 *      -> do that; else wait forever.
 * Settings come from /lib/probe/init.conf (KEY=VALUE lines) and the kernel
 * command line or /proc/bootconfig (bootkit.KEY=VALUE, which wins), all read
 * by lib/kcmdline.c as the probe reads them (quotes; a key given twice: the
 * last one wins). Keys: watch (seconds the
 * probe stays for late adapters), budget (ms), timeout (ms per transfer), probe_timeout (s), dump
 * (1: copy the decision record to the console), noprobe (1: skip the probe), dry_run (1: the probe
 * decides and records but loads nothing), halt.
 * Every step is logged to /dev/kmsg as "bootkit-init: ..." (kernel time
 * stamps). It never exits: PID 1 exiting panics the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include "lib/modload.h"

#include "lib/kcmdline.h"
#include "lib/readat.h"
#include "lib/strfmt.h"

#define SETTING_NUM_MAX	 16    /* a number setting (watch, budget...), dry_run */
#define FSTYPE_MAX	 32    /* rootfstype= */
#define BOOT_MODULES_MAX 16384 /* lib/probe/boot.modules, read whole */
#define KMSG_LINE_MAX	 512   /* a line to /dev/kmsg: a longer one is cut, marked "..." */
#define KMSG_PREFIX	 "<6>bootkit-init: "

static int kmsg = -1;
/* the command line, /proc/bootconfig and init.conf, with their lengths */
static char cmdline[CMDLINE_MAX], bootconfig[CMDLINE_MAX], conf[INIT_CONF_MAX];
/* the three as setting_get reads them, their lengths set once they are read */
static struct settings set = {.cmdline = cmdline, .bootconfig = bootconfig, .conf = conf};

static void say(const char *fmt, ...)
{
	char line[KMSG_LINE_MAX];
	size_t n = sizeof(KMSG_PREFIX) - 1;
	va_list ap;

	memcpy(line, KMSG_PREFIX, n);
	va_start(ap, fmt);
	n += vstrfmt_show(line + n, sizeof(line) - n - 1, fmt, ap); /* and room for the newline */
	va_end(ap);
	line[n++] = '\n';
	if (kmsg < 0 || write(kmsg, line, n) < 0)
		if (write(2, line + 3, n - 3) < 0) /* without the <6> */
			return;
}

/* A whole small file (at most cap - 1 bytes and a NUL; more is said and
 * dropped): lib/readat's bounded reader. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	bool cut = false;
	long n = fd < 0 ? -1 : read_fd_cut(fd, buf, cap, &cut);

	if (cut)
		say("%s: more than %zu bytes; the rest is ignored", path, cap - 1);
	if (fd >= 0)
		close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* KEY=VALUE of the command line into out (lib/cmdline: the last one wins);
 * a bare KEY or an empty value counts as absent (root=, init=, rootfstype=). */
static bool word(const char *key, char *out, size_t cap)
{
	long n = cmdline_get(set.cmdline, set.cmdline_len, key, out, cap);

	if (n == -ENOSPC)
		say("%s=: value longer than %zu bytes, ignored", key, cap - 1);
	return n > 0;
}

/* bootkit.KEY from the command line, else from /proc/bootconfig, else KEY
 * from init.conf (lib/cmdline's setting_get), else dflt. */
static const char *setting(const char *key, char *out, size_t cap, const char *dflt)
{
	long n = setting_get(&set, key, out, cap);

	if (n >= 0)
		return out;
	if (n == -ENOSPC)
		say("setting %s: value longer than %zu bytes, ignored", key, cap - 1);
	else if (n == -ENAMETOOLONG)
		say("setting %s: name too long for bootkit.%s=", key, key);
	if (strfmt(out, cap, "%s", dflt) < 0)
		say("setting %s: default %s longer than %zu bytes", key, dflt, cap - 1);
	return out;
}

static void mnt(const char *src, const char *dir, const char *type, unsigned long fl)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, fl, NULL) < 0 && errno != EBUSY)
		say("mount %s on %s: %s", type, dir, strerror(errno));
}

/* Load the modules of one kind from boot.modules, in their order. */
static unsigned load_kind(const char *kind)
{
	static char list[BOOT_MODULES_MAX];
	unsigned ok = 0;

	list[slurp("/lib/probe/boot.modules", list, sizeof(list))] = 0;
	for (char *s = list, *nl; *s; s = nl ? nl + 1 : s + strlen(s)) {
		char *path;
		int err;
		if ((nl = strchr(s, '\n')))
			*nl = 0;
		path = strchr(s, ' ');
		if (!path || (size_t)(path - s) != strlen(kind) || strncmp(s, kind, strlen(kind))) {
			if (!nl)
				break;
			continue;
		}
		path++;
		err = module_load(AT_FDCWD, path, "");
		if (err < 0 && err != -EEXIST)
			say("%s %s: %s", kind, path, strerror(-err));
		else
			ok++;
		if (!nl)
			break;
	}
	return ok;
}

static volatile sig_atomic_t timed_out;
static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Run the probe; true when it ran and exited 0. */
static bool run_probe(void)
{
	static char prog[] = "/sbin/probe", o_budget[] = "--budget", o_watch[] = "--watch",
		    o_timeout[] = "--timeout", o_dry[] = "--dry-run";
	char watch[SETTING_NUM_MAX], budget[SETTING_NUM_MAX], tmo[SETTING_NUM_MAX];
	char xfer[SETTING_NUM_MAX], dry[SETTING_NUM_MAX];
	char *argv[] = {prog, o_budget, budget, o_watch, watch, o_timeout, xfer, NULL, NULL};
	struct sigaction sa = {.sa_handler = on_alarm};
	int status = 0;
	pid_t pid, w;

	setting("watch", watch, sizeof(watch), "0");
	setting("budget", budget, sizeof(budget), "2000");
	setting("probe_timeout", tmo, sizeof(tmo), "10");
	setting("timeout", xfer, sizeof(xfer), "25");
	setting("dry_run", dry, sizeof(dry), "0");
	if (!strcmp(dry, "1"))
		argv[7] = o_dry;
	if (access(argv[0], X_OK) < 0) {
		say("probe: %s: %s", argv[0], strerror(errno));
		return false;
	}
	say("probe start");
	if ((pid = fork()) == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0) {
		say("probe: fork: %s", strerror(errno));
		return false;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)atoi(tmo) ? (unsigned)atoi(tmo) : 10);
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR && !timed_out)
		;
	alarm(0);
	if (w != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		say("probe killed after %s s", tmo);
		return false;
	}
	say("probe done status=%d",
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void put(int out, const char *s)
{
	if (out >= 0 && write(out, s, strlen(s)) < 0)
		return;
}

static void copy_to(int out, const char *path)
{
	char buf[4096];
	int in = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) < 0)
			break;
	if (in >= 0)
		close(in);
}

/* The decision record, then what the drivers made of it: input devices and
 * regulators (bootkit.dump=1; the QEMU boards read it). */
static void dump_record(void)
{
	int out = open("/dev/console", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	DIR *d = opendir("/sys/class/regulator");
	struct dirent *e;

	put(out, "==== bootkit decisions ====\n");
	copy_to(out, "/run/probe/decisions");
	put(out, "==== end ====\n==== input devices ====\n");
	copy_to(out, "/proc/bus/input/devices");
	put(out, "==== regulators ====\n");
	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		if (e->d_name[0] == '.' ||
		    strfmt(path, sizeof(path), "/sys/class/regulator/%s/name", e->d_name) < 0)
			continue; /* not a regulator's name: longer than any */
		put(out, "/sys/class/regulator/");
		put(out, e->d_name);
		put(out, ": ");
		copy_to(out, path);
	}
	if (d)
		closedir(d);
	put(out, "==== end ====\n");
	if (out >= 0)
		close(out);
}

/* Remove what the initramfs holds (same device only) before switching root. */
static void wipe(int dfd, dev_t rootdev)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != rootdev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub >= 0)
				wipe(sub, rootdev);
			unlinkat(dfd, e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dfd, e->d_name, 0);
		}
	}
	closedir(d);
}

static void switch_root(const char *dev, const char *init)
{
	static const char *const moves[][2] = {
	    {"/dev", "/newroot/dev"},
	    {"/proc", "/newroot/proc"},
	    {"/sys", "/newroot/sys"},
	    {"/run", "/newroot/run"},
	};
	char buf[FSTYPE_MAX];
	const char *type = word("rootfstype", buf, sizeof(buf)) ? buf : "ext4";
	struct stat st;
	int tries;

	mkdir("/newroot", 0755);
	for (tries = 0; tries < 50 && stat(dev, &st) < 0; tries++)
		usleep(100000);
	if (mount(dev, "/newroot", type,
		  cmdline_has(set.cmdline, set.cmdline_len, "rw") ? 0 : MS_RDONLY, NULL) < 0) {
		say("root %s (%s): %s", dev, type, strerror(errno));
		return;
	}
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (mount(moves[i][0], moves[i][1], NULL, MS_MOVE, NULL) < 0)
			umount2(moves[i][0], MNT_DETACH);
	say("switch root to %s, %s", dev, init);
	if (chdir("/newroot") == 0) {
		struct stat rs;
		int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &rs) == 0)
			wipe(fd, rs.st_dev);
		else if (fd >= 0)
			close(fd);
		if (mount(".", "/", NULL, MS_MOVE, NULL) == 0 && chroot(".") == 0 &&
		    chdir("/") == 0)
			execl(init, init, (char *)NULL);
	}
	say("switch root: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	char v[SETTING_MAX], buf[SETTING_MAX];
	const char *init, *me = argc > 0 ? strrchr(argv[0], '/') : NULL;

	/* Started under another name (a stock ueventd or watchdogd link to
	 * /init): that is the stock init's job. */
	me = me ? me + 1 : argc > 0 ? argv[0] : "init";
	if (strcmp(me, "init") && access("/init.stock", X_OK) == 0)
		execv("/init.stock", argv);

	mnt("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mnt("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mnt("devtmpfs", "/dev", "devtmpfs", MS_NOSUID);
	mnt("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV);
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	set.cmdline_len =
	    cmdline_proc_len(cmdline, slurp("/proc/cmdline", cmdline, sizeof(cmdline)));
	set.bootconfig_len = slurp("/proc/bootconfig", bootconfig, sizeof(bootconfig));
	set.conf_len = slurp("/lib/probe/init.conf", conf, sizeof(conf));
	say("start (minimal)");
	say("preload: %u modules", load_kind("preload"));
	if (strcmp(setting("noprobe", v, sizeof(v), "0"), "1") && run_probe()) {
		say("decided");
	} else {
		say("probe missing, failed or skipped: fallback modules");
		say("fallback: %u modules", load_kind("fallback"));
	}
	if (!strcmp(setting("dump", v, sizeof(v), "0"), "1"))
		dump_record();
	init = word("init", buf, sizeof(buf)) ? buf : "/sbin/init";
	if (word("root", v, sizeof(v))) {
		switch_root(v, init);
	} else if (access("/init.stock", X_OK) == 0) {
		say("exec /init.stock");
		umount2("/proc", MNT_DETACH);
		umount2("/sys", MNT_DETACH);
		execl("/init.stock", "/init", (char *)NULL);
		say("exec /init.stock: %s", strerror(errno));
	}
	setting("halt", v, sizeof(v), "");
	if (!strcmp(v, "poweroff") || !strcmp(v, "reboot")) {
		say("%s", v);
		sync();
		reboot(!strcmp(v, "poweroff") ? RB_POWER_OFF : RB_AUTOBOOT);
	}
	say("nothing to hand over to (no root=, no /init.stock): waiting");
	for (;;)
		pause();
}
