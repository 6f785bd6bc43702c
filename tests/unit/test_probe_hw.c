/* The probe over fixture trees and fake chips, continued: built-in drivers,
 * one CPU and dead buses, kernel mismatch, budgets and timing, binding. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/probe.h"
#include "tests/unit/board.h"

static const char LCM[] = "console=ttyAMA0 lcm=1-hx8389b_qhd_dsi_vdo\n";

/* ---- issue 16: built-in drivers, one CPU and dead buses, kernel mismatch, timing ------- */

/* 16.2: a module the kernel has built in is there already: no syscall. */
Test(probe, builtin_module_needs_no_load)
{
	struct board b;
	const char *files[] = {
	    "lib/modules/6.1.0-t/modules.builtin",
	    "kernel/drivers/i2c/i2c-core.ko\nkernel/drivers/input/touchscreen/goodix_ts.ko\n",
	    NULL};

	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x5d 8140=39313100\n", LCM,
		       "touch gt9xx when i2c 0x5d reg16 0x8140 len 4 prefix \"9\" then load "
		       "goodix_ts bind GDIX1001:00\n",
		       files);
	HAS(&b, "load class=touch module=goodix_ts status=builtin");
	HAS(&b, "bind class=touch device=GDIX1001:00 bus=0 addr=0x5d status=ok");
	HAS(&b, "done decided=1");
	cr_expect_eq(fake_hw_loads(b.hw), 0, "no load call");
	end_board(&b);
}

/* A tiny ELF64 module whose .modinfo names vermagic (a build of test_moddep's). */
static size_t tiny_ko(uint8_t *out, const char *vermagic)
{
	char mi[128];
	int ml = snprintf(mi, sizeof(mi), "vermagic=%s SMP mod_unload %cname=x", vermagic, 0);
	static const char names[] = "\0.modinfo\0.shstrtab";
	size_t shoff;

	memset(out, 0, 1024);
	memcpy(out, "\177ELF\2\1\1", 7);
	memcpy(out + 64, names, sizeof(names));
	memcpy(out + 96, mi, (size_t)ml);
	shoff = 256;
	/* sections: null, .modinfo (name 1), .shstrtab (name 10) */
	uint8_t *s1 = out + shoff + 64, *s2 = out + shoff + 128;
	s1[0] = 1, s1[4] = 1, s1[0x18] = 96, s1[0x20] = (uint8_t)ml;
	s2[0] = 10, s2[4] = 3, s2[0x18] = 64, s2[0x20] = sizeof(names);
	out[0x29] = 1;				      /* e_shoff 256 */
	out[0x3a] = 64, out[0x3c] = 3, out[0x3e] = 2; /* e_shentsize, e_shnum, e_shstrndx */
	return shoff + 3 * 64;
}

static const char MISMATCH_RULES[] =
    "order regulator touch panel\n"
    "regulator fan when i2c 0x62 reg8 3 mask 0xe0 == 0x80 then load fan53555\n"
    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06 export "
    "touch=ft\n"
    "panel gt when cmdline lcm then load goodix_ts\n";

/* 16.4: modules for another kernel: one fault line, no load tried; built-in
 * drivers, bind and export carry on. */
Test(probe, kernel_mismatch_by_folder)
{
	struct board b;
	const char *files[] = {"lib/modules/6.1.0-t/modules.builtin", "kernel/goodix_ts.ko\n",
			       NULL};
	const char *f;

	/* the running kernel is 6.2.0-x; the tree holds lib/modules/6.1.0-t */
	run_board_rel(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55\nchip 0 0x62 03=88\n", LCM,
		      MISMATCH_RULES, files, "6.2.0-x");
	HAS(&b, "fault kernel=6.2.0-x modules=6.1.0-t status=mismatch");
	cr_expect(!(f = strstr(b.record, "status=mismatch")) || !strstr(f + 1, "status=mismatch"),
		  "one fault line:\n%s", b.record);
	HAS(&b, "load class=regulator module=fan53555 status=skipped:kernel-mismatch");
	HAS(&b, "load class=touch module=edt_ft5x06 status=skipped:kernel-mismatch");
	HAS(&b, "bind class=touch device=edt-ft5x06 bus=0 addr=0x38 status=ok");
	HAS(&b, "export class=touch touch=ft status=ok");
	HAS(&b, "load class=panel module=goodix_ts status=builtin");
	HAS(&b, "done decided=3");
	cr_expect_eq(fake_hw_loads(b.hw), 0);
	end_board(&b);
}

/* 16.4: the folder matches but the first module's vermagic names another
 * release: found before the first load, the same outcome. */
Test(probe, kernel_mismatch_by_vermagic)
{
	struct board b;
	uint8_t ko[1024];
	size_t n = tiny_ko(ko, "5.10.0-y");
	struct probe p;
	struct rules r;
	struct probe_ops ops;
	struct fake_hw *hw;
	char err[160];
	const char *fixture = "adapter 0 i2c V\nchip 0 0x38 a3=55\nchip 0 0x62 03=88\n";

	/* a tree first (run_board), then the modules replaced and a second pass */
	run_board(&b, fixture, LCM, "x a when cmdline nope then export a=1\n");
	put_bin(b.root, "lib/modules/6.1.0-t/kernel/drivers/regulator/fan53555.ko", ko, n);
	put_bin(b.root, "lib/modules/6.1.0-t/kernel/drivers/input/touchscreen/edt-ft5x06.ko", ko,
		n);
	cr_assert_eq(fake_hw_load(fixture, strlen(fixture), &hw, err, sizeof(err)), 0);
	fake_ops_init(&ops, hw);
	struct probe_settings set;
	probe_settings_default(&set);
	probe_init(&p, &set);
	p.rootfd = b.p.rootfd;
	p.ops = &ops;
	p.set.release = "6.1.0-t";
	p.rules = &r;
	probe_start(&p);
	rules_parse(&r, MISMATCH_RULES, strlen(MISMATCH_RULES), NULL, NULL);
	probe_run(&p);
	probe_finish(&p);
	cr_assert_geq(probe_read(&p, "run/probe/decisions", b.record, sizeof(b.record)), 0);
	HAS(&b, "fault kernel=6.1.0-t modules=6.1.0-t module=fan53555 vermagic=5.10.0-y "
		"status=mismatch");
	HAS(&b, "load class=regulator module=fan53555 status=skipped:kernel-mismatch");
	HAS(&b, "load class=touch module=edt_ft5x06 status=skipped:kernel-mismatch");
	HAS(&b, "bind class=touch device=edt-ft5x06 bus=0 addr=0x38 status=ok");
	cr_expect_eq(fake_hw_loads(hw), 0);
	rules_free(&r);
	fake_hw_free(hw);
	/* the same modules with the right vermagic load */
	n = tiny_ko(ko, "6.1.0-t");
	put_bin(b.root, "lib/modules/6.1.0-t/kernel/drivers/regulator/fan53555.ko", ko, n);
	cr_assert_eq(fake_hw_load(fixture, strlen(fixture), &hw, err, sizeof(err)), 0);
	fake_ops_init(&ops, hw);
	probe_init(&p, &set);
	p.rootfd = b.p.rootfd;
	p.ops = &ops;
	p.set.release = "6.1.0-t";
	p.rules = &r;
	probe_start(&p);
	rules_parse(&r, MISMATCH_RULES, strlen(MISMATCH_RULES), NULL, NULL);
	probe_run(&p);
	probe_finish(&p);
	cr_assert_geq(probe_read(&p, "run/probe/decisions", b.record, sizeof(b.record)), 0);
	LACKS(&b, "mismatch");
	HAS(&b, "load class=regulator module=fan53555 status=ok");
	rules_free(&r);
	fake_hw_free(hw);
	end_board(&b);
}

/* 16.3: one CPU, a dead bus 1 whose first transfer stalls 2 s (a bit-banged
 * adapter's own SCL timeout, which nothing cuts short) and a chip on bus 0:
 * the touch class still decides; retries and timeout set before the first
 * transfer on each adapter and put back after; the budgets recorded. */
Test(probe, dead_bus_on_one_cpu_does_not_cost_touch)
{
	struct board b;
	int retries, timeout;
	bool unprepared;

	run_board(&b,
		  "adapter 0 i2c V\ndriver 0 i2c-mt65xx\nadapter 1 i2c Versatile I2C adapter\n"
		  "stuck 1 2000\nchip 0 0x38 a3=55\n",
		  LCM,
		  "order regulator touch\n"
		  "regulator fan when i2c 0x60,0x62 reg8 3 mask 0xe0 == 0x80 then load fan53555\n"
		  "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06\n");
	HAS(&b, "bus bus=0 retries=0 timeout_ms=20 defaults=i2c-mt65xx restore_retries=1 "
		"restore_timeout_ms=2000");
	HAS(&b, "bus bus=1 retries=0 timeout_ms=20 defaults=versatile-i2c restore_retries=3 "
		"restore_timeout_ms=1000");
	HAS(&b, "fault bus=1 addr=0x60 reg=0x3 status=timeout bus=abandoned");
	LACKS(&b, "budget total_ms="); /* the stall is charged to no budget */
	HAS(&b, "decide class=touch rule=ft line=3 bus=0 addr=0x38 reg=0xa3 read=55");
	HAS(&b, "bus bus=1 retries=3 timeout_ms=1000 status=restored");
	HAS(&b, "bus bus=0 retries=1 timeout_ms=2000 status=restored");
	for (int bus = 0; bus < 2; bus++) {
		fake_hw_bus_state(b.hw, bus, &retries, &timeout, &unprepared);
		cr_expect_not(unprepared, "bus %d: a transfer before retries=0", bus);
	}
	fake_hw_bus_state(b.hw, 1, &retries, &timeout, &unprepared);
	cr_expect(retries == 3 && timeout == 100, "bus 1 put back: %d %d", retries, timeout);
	fake_hw_bus_state(b.hw, 0, &retries, &timeout, &unprepared);
	cr_expect(retries == 1 && timeout == 200, "bus 0 put back: %d %d", retries, timeout);
	/* one stall on the dead bus, never a second */
	unsigned stalls = 0;
	for (const char *f = b.record; (f = strstr(f, "fault bus=1 ")); f++)
		stalls++;
	cr_expect_eq(stalls, 1, "%s", b.record);
	end_board(&b);
}

/* 16.3: the class budget: a class that spends it stops reading (the rest of
 * its reads are skipped, recorded once); the next class has its own. */
Test(probe, class_budget_then_the_next_class)
{
	struct board b;

	class_budget_ms = 120;
	/* every transfer on bus 0 takes 50 ms (and works): 3 reads spend 150 */
	run_board(
	    &b, "adapter 0 i2c V\nslow 0 50\nchip 0 0x38 a3=55\n", LCM,
	    "order a b\n"
	    "a x when i2c 0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17 reg8 1 == 1 then export a=1\n"
	    "b t when i2c 0x38 reg8 0xa3 == 0x55 then export b=1\n");
	HAS(&b, "budget class=a spent_ms=150.6 status=exhausted");
	HAS(&b, "decide class=a rule=none");
	HAS(&b, "decide class=b rule=t");
	cr_expect_eq(fake_hw_xfers(b.hw), 4, "3 for class a, 1 for class b");
	end_board(&b);
}

/* 16.5: transfer time apart from the probe's own, per decision and in all. */
Test(probe, transfer_time_recorded_apart)
{
	struct board b;
	const char *d;

	run_board(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55\nchip 0 0x62 03=88\n", LCM, RULES);
	/* the fake clock: 200 us per transfer, all of it the kernel's; the
	 * probe's own CPU time, cpu_ms, is 0 there */
	HAS(&b, "decide class=regulator rule=fan53555 line=3 bus=0 addr=0x62 reg=0x03 read=88 "
		"xfer_ms=0.4 cpu_ms=0.0 ms=0.4");
	cr_assert((d = strstr(b.record, "done ")));
	cr_expect(strstr(d, " xfer_ms=") && strstr(d, " load_ms=") &&
		      strstr(d, " settle_ms=20.0") && strstr(d, " own_ms="),
		  "%s", d);
	end_board(&b);
}

/* Symlinks inside the root are followed inside it, as on a phone, where
 * /proc/device-tree is an absolute link to /sys/firmware/devicetree/base;
 * one out of it (absolute, or by "..") is not. Both ways of confining. */
static void links_inside_the_root(bool walk)
{
	struct board b;
	const char *files[] = {"sys/firmware/devicetree/base/model", "MT6572 phone",
			       "sys/class/x/attr", "7\n", NULL};
	const char *l[] = {"proc/device-tree",
			   "/sys/firmware/devicetree/base",
			   "sys/bus/y",
			   "../class/x",
			   "sys/up",
			   "../../../../../../../etc",
			   "sys/abs",
			   "/etc",
			   NULL};

	no_openat2 = walk;
	links = l;
	run_board_with(&b, "adapter 0 i2c V\n", LCM,
		       "a m when dt model prefix MT65 then export m=${value}\n"
		       "b s when sysfs bus/y/attr == 7 then export s=1\n"
		       "c u when exists /sys/up/passwd then export u=1\n"
		       "d e when sysfs abs/passwd prefix root then export e=1\n"
		       "e n when dt ../../../../etc/passwd then export n=1\n",
		       files);
	HAS(&b, "decide class=a rule=m line=1 value=\"MT6572 phone\"");
	HAS(&b, "decide class=b rule=s");
	HAS(&b, "decide class=c rule=none");
	HAS(&b, "decide class=d rule=none");
	HAS(&b, "decide class=e rule=none");
	end_board(&b);
}

Test(probe, links_inside_the_root_openat2)
{
	links_inside_the_root(false);
}

Test(probe, links_inside_the_root_user_space_walk)
{
	links_inside_the_root(true);
}

Test(probe, root_confines_paths_user_space_walk)
{
	/* the same as root_confines_paths, by the walk old kernels get */
	struct board b;
	char out[80], rules[512], cmd[300];

	no_openat2 = true;
	snprintf(out, sizeof(out), "/tmp/probe-outside2.%d", (int)getpid() % 100000);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s && echo 1 > %s/x", out, out, out);
	cr_assert_eq(system(cmd), 0);
	snprintf(rules, sizeof(rules),
		 "a s when sysfs ../../..%s/x == 1 then export s=1\n"
		 "b d when dt ../../../..%s/x then export d=1\n"
		 "c e when exists ../../..%s/x then export e=1\n",
		 out, out, out);
	run_board(&b, "adapter 0 i2c V\n", LCM, rules);
	LACKS(&b, "rule=s");
	LACKS(&b, "rule=d");
	LACKS(&b, "rule=e");
	end_board(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", out);
	cr_expect_eq(system(cmd), 0);
}

/* 15.15: a device-tree value past the cap is neither true nor false. */
Test(probe, cut_fact_is_not_tested)
{
	struct board b;
	size_t n = PROBE_FACT_MAX + 100;
	char *big = malloc(n + 1);
	const char *files[] = {"proc/device-tree/big", big, NULL};

	memset(big, 'a', n);
	big[n] = 0;
	run_board_with(&b, "adapter 0 i2c V\n", LCM,
		       "p a when dt big prefix a then export a=1\n"
		       "q b when not dt big == x then export b=1\n"
		       "r c when sysfs ../proc/device-tree/big prefix a then export c=1\n",
		       files);
	HAS(&b, "fault file=/proc/device-tree/big status=cut bytes=65536");
	LACKS(&b, "rule=a");
	LACKS(&b, "rule=b");
	LACKS(&b, "rule=c");
	end_board(&b);
	free(big);
}

/* 16.2: a part the DT describes. Loading its module binds it (the kernel
 * made the device at boot, with its interrupt): the probe records the
 * driver it got and makes no new_device. */
Test(probe, dt_device_bound_by_its_module)
{
	struct board b;
	const char *lk[] = {"sys/bus/i2c/devices/0-0038/driver",
			    "../../../bus/i2c/drivers/edt_ft5x06", NULL};
	const char *files[] = {"sys/bus/i2c/devices/0-0038/of_node/compatible", "edt,edt-ft5406",
			       "sys/bus/i2c/drivers/edt_ft5x06/uevent", "", NULL};
	char nd[64];

	links = lk;
	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55\n", LCM, RULES, files);
	HAS(&b, "load class=touch module=edt_ft5x06 status=ok");
	HAS(&b, "bound class=touch device=0-0038 dt=yes driver=edt_ft5x06 via=load status=ok");
	HAS(&b, "bind class=touch device=edt-ft5x06 bus=0 addr=0x38 status=exists:dt-node "
		"driver=edt_ft5x06");
	LACKS(&b, "irq=none");
	cr_expect_eq(probe_read(&b.p, "sys/bus/i2c/devices/i2c-0/new_device", nd, sizeof(nd)), 0,
		     "no new_device for a DT part");
	end_board(&b);
}

/* The DT part's driver did not bind (its probe failed): the rule fails and
 * the next candidate, here the fallback, gets its turn. A part no DT
 * describes still gets new_device, recorded as having no interrupt. */
Test(probe, dt_device_not_bound_fails_the_rule)
{
	struct board b;
	const char *files[] = {"sys/bus/i2c/devices/0-0038/of_node/compatible", "edt,edt-ft5406",
			       NULL};

	run_board_with(
	    &b, "adapter 0 i2c V\nchip 0 0x38 a3=55\nchip 0 0x5d 8140=39313100\n", LCM,
	    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06\n"
	    "touch gt when i2c 0x5d reg16 0x8140 len 4 prefix \"9\" then load goodix_ts bind "
	    "GDIX1001:00\n",
	    files);
	HAS(&b,
	    "bound class=touch device=0-0038 dt=yes driver=none via=load status=error:no-driver");
	HAS(&b, "reject class=touch rule=ft");
	LACKS(&b, "bind class=touch device=edt-ft5x06");
	HAS(&b, "decide class=touch rule=gt");
	HAS(&b, "bind class=touch device=GDIX1001:00 bus=0 addr=0x5d status=ok irq=none");
	end_board(&b);
}

/* A built-in FocalTech driver and its DT node, not bound; the bus's drivers_probe. */
static const char *const BUILTIN_EDT[] = {"lib/modules/6.1.0-t/modules.builtin",
					  "kernel/drivers/input/touchscreen/edt-ft5x06.ko\n",
					  "sys/bus/i2c/devices/0-0038/of_node/compatible",
					  "edt,edt-ft5406",
					  "sys/bus/i2c/drivers_probe",
					  "",
					  NULL};

/* A built-in driver (modules.builtin) and a DT part it did not bind at
 * boot: the probe asks the bus to probe the device
 * (/sys/bus/i2c/drivers_probe): a built-in I2C driver's name is not tied to
 * its module in sysfs, so the bus finds it. */
Test(probe, builtin_driver_bound_through_sysfs)
{
	struct board b;
	char w[32];

	run_board_with(
	    &b, "adapter 0 i2c V\nchip 0 0x38 a3=55\n", LCM,
	    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06\n",
	    BUILTIN_EDT);
	HAS(&b, "load class=touch module=edt_ft5x06 status=builtin");
	cr_expect_gt(probe_read(&b.p, "sys/bus/i2c/drivers_probe", w, sizeof(w)), 0);
	cr_expect_str_eq(w, "0-0038");
	/* a fixture tree binds nothing: the record says so */
	HAS(&b, "bound class=touch device=0-0038 dt=yes driver=none via=drivers-probe "
		"status=error:no-driver");
	end_board(&b);
}

/* 16.3 on one CPU: a dead bit-banged bus answers, but only when algo-bit's
 * own 2 s SCL wait runs out (no deadline cuts it: the kernel holds the only
 * CPU), and what it answers (a NAK) means nothing. That stall is the bus's:
 * abandoned, recorded as a timeout; the class is not charged for it, so the
 * regulator on the live bus (the class's second rule) is still decided. */
Test(probe, stall_on_one_cpu_is_the_bus_s_not_the_class_s)
{
	struct board b;

	run_board(&b,
		  "adapter 0 i2c V\nadapter 1 i2c Versatile I2C adapter\nslow 1 2000\n"
		  "chip 0 0x65 01=b0\nchip 0 0x38 a3=55\n",
		  LCM,
		  "order regulator touch\n"
		  "regulator fan when i2c 0x60 reg8 3 mask 0xe0 == 0x80 then load fan53555\n"
		  "regulator sy when i2c 0x65 reg8 1 mask 0x80 == 0x80 then load fan53555\n"
		  "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06\n");
	HAS(&b, "fault bus=1 addr=0x60 reg=0x3 took_ms=2000.");
	HAS(&b, "status=timeout bus=abandoned");
	LACKS(&b, "budget class=regulator");
	HAS(&b, "decide class=regulator rule=sy line=3 bus=0 addr=0x65");
	HAS(&b, "decide class=touch rule=ft line=4 bus=0 addr=0x38");
	end_board(&b);
}

/* A dead bus tried before a live one (the live bus has not answered yet): the
 * stall is charged to no budget, the total one included, so the chip on the
 * live bus is still read and decided. */
Test(probe, stall_before_a_live_bus_leaves_it_tried)
{
	struct board b;

	run_board(&b,
		  "adapter 0 i2c Versatile I2C adapter\nadapter 1 i2c V\nstuck 0 2500\n"
		  "chip 1 0x38 a3=55\n",
		  LCM,
		  "order regulator touch\n"
		  "regulator fan when i2c 0x60 reg8 3 mask 0xe0 == 0x80 then load fan53555\n"
		  "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06\n");
	HAS(&b, "fault bus=0 addr=0x60 reg=0x3 status=timeout bus=abandoned");
	LACKS(&b, "budget total_ms");
	HAS(&b, "decide class=touch rule=ft line=3 bus=1 addr=0x38");
	end_board(&b);
}

/* The pass budget without stalls: slow buses (90 ms a transfer, under the
 * stall mark) spend it; past it a class still reads on a bus that answered
 * before (bus 4), not on one never tried (bus 5), as probe(8), TIME, says. */
Test(probe, total_budget_spent_then_answered_buses_only)
{
	struct board b;
	char hw[512], rules[1024];
	size_t n = 0, r = 0;

	for (int i = 0; i < 6; i++)
		n += (size_t)snprintf(hw + n, sizeof(hw) - n, "adapter %d i2c A%d\nslow %d 90\n", i,
				      i, i);
	snprintf(hw + n, sizeof(hw) - n, "chip 4 0x50 a3=01\nchip 5 0x50 a3=01\n");
	r += (size_t)snprintf(rules + r, sizeof(rules) - r, "order c1 c2 c3 c4 c5 c6 c7\n");
	for (int c = 1; c <= 4; c++)
		r += (size_t)snprintf(rules + r, sizeof(rules) - r,
				      "c%d x when i2c 0x10,0x11,0x12,0x13,0x14 bus i2c-%d reg8 "
				      "0xa3 == 0x01 then load fan53555\n",
				      c, c - 1);
	snprintf(rules + r, sizeof(rules) - r,
		 "c5 x when i2c 0x10,0x11,0x12 bus i2c-4 reg8 0xa3 == 0x01 then load fan53555\n"
		 "c6 y when i2c 0x50 bus i2c-5 reg8 0xa3 == 0x01 then load fan53555\n"
		 "c7 z when i2c 0x50 bus i2c-4 reg8 0xa3 == 0x01 then load fan53555\n");
	run_board(&b, hw, LCM, rules);
	HAS(&b, "budget total_ms=2074.6 status=exhausted");
	HAS(&b, "status=exhausted then=answered-buses-only");
	LACKS(&b, "decide class=c6 rule=y"); /* bus 5 never answered: not tried */
	HAS(&b, "decide class=c6 rule=none");
	HAS(&b, "decide class=c7 rule=z line=8 bus=4 addr=0x50");
	end_board(&b);
}

/* Another part's DT node at the address the chip answered on (QEMU
 * vexpress's DVI transmitter at 0x60 where board 1's FAN53555 answers):
 * the loaded module cannot drive it (its modalias matches none of the
 * module's aliases), so nothing is waited for and the rule stands; with the
 * aliases saying it can, the bind is waited for (and fails here). */
Test(probe, other_parts_dt_node_is_not_waited_for)
{
	struct board b;
	const char *files[] = {
	    "sys/bus/i2c/devices/0-0060/of_node/compatible",
	    "sil,sii9022",
	    "sys/bus/i2c/devices/0-0060/modalias",
	    "of:Ndvi-transmitterT(null)Csil,sii9022\n",
	    "lib/modules/6.1.0-t/modules.alias",
	    "alias i2c:fan53555 fan53555\nalias of:N*T*Cfcs,fan53555C* fan53555\n"
	    "alias of:N*T*Cfcs,fan53555 fan53555\nalias of:N*T*Csil,sii9022 sii902x\n",
	    NULL};
	const char *rules =
	    "regulator fan when i2c 0x60 reg8 3 mask 0xe0 == 0x80 then load fan53555\n";

	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x60 03=88\n", LCM, rules, files);
	HAS(&b, "decide class=regulator rule=fan line=1 bus=0 addr=0x60");
	HAS(&b, "bound class=regulator device=0-0060 dt=yes driver=none status=other-device "
		"modalias=\"of:Ndvi-transmitterT(null)Csil,sii9022\"");
	LACKS(&b, "reject");
	LACKS(&b, "error:no-driver");
	HAS(&b, "done decided=1");
	end_board(&b);

	/* the node is the FAN53555's: its bind is waited for, and its failure fails the rule */
	files[1] = "fcs,fan53555";
	files[3] = "of:NregulatorT(null)Cfcs,fan53555\n";
	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x60 03=88\n", LCM, rules, files);
	HAS(&b, "bound class=regulator device=0-0060 dt=yes driver=none via=load "
		"status=error:no-driver");
	HAS(&b, "reject class=regulator rule=fan");
	end_board(&b);
}

/* 16.2: the device bound to another candidate's driver (a built-in Goodix
 * driver that took the DT node at boot) while the rule decided FocalTech:
 * unbound from it through sysfs and bound to the rule's driver, recorded
 * with the driver it had. A fixture tree binds nothing, so the wait sees
 * the old link and says so; the writes are what is checked. */
Test(probe, wrong_driver_unbound_and_the_rules_bound)
{
	struct board b;
	const char *lk[] = {"sys/bus/i2c/devices/0-0038/driver",
			    "../../../bus/i2c/drivers/Goodix-TS", NULL};
	const char *files[] = {"sys/bus/i2c/devices/0-0038/of_node/compatible",
			       "edt,edt-ft5406",
			       "sys/bus/i2c/devices/0-0038/modalias",
			       "of:NtouchscreenT(null)Cedt,edt-ft5406\n",
			       "lib/modules/6.1.0-t/modules.alias",
			       "alias of:N*T*Cedt,edt-ft5406 edt_ft5x06\n",
			       "sys/module/edt_ft5x06/drivers/i2c:edt_ft5x06/uevent",
			       "",
			       "sys/bus/i2c/drivers/edt_ft5x06/bind",
			       "",
			       "sys/bus/i2c/drivers/Goodix-TS/unbind",
			       "",
			       NULL};
	char w[32];

	links = lk;
	run_board_with(
	    &b, "adapter 0 i2c V\nchip 0 0x38 a3=55\n", LCM,
	    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06\n",
	    files);
	cr_expect_gt(probe_read(&b.p, "sys/bus/i2c/drivers/Goodix-TS/unbind", w, sizeof(w)), 0);
	cr_expect_str_eq(w, "0-0038");
	cr_expect_gt(probe_read(&b.p, "sys/bus/i2c/drivers/edt_ft5x06/bind", w, sizeof(w)), 0);
	cr_expect_str_eq(w, "0-0038");
	HAS(&b, "bound class=touch device=0-0038 dt=yes driver=Goodix-TS via=rebind was=Goodix-TS "
		"status=error:no-driver");
	end_board(&b);

	/* without the device's modalias, whether the rule's driver can drive it
	 * cannot be told: left bound as it is, nothing unbound */
	files[2] = "sys/bus/i2c/devices/0-0038/name";
	links = lk;
	run_board_with(
	    &b, "adapter 0 i2c V\nchip 0 0x38 a3=55\n", LCM,
	    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06\n",
	    files);
	HAS(&b, "bound class=touch device=0-0038 dt=yes driver=Goodix-TS status=other-driver");
	cr_expect_eq(probe_read(&b.p, "sys/bus/i2c/drivers/Goodix-TS/unbind", w, sizeof(w)), 0,
		     "not unbound");
	end_board(&b);
}

/* Another part's device bound by its own driver (the DVI transmitter's
 * sii902x at 0x60): the rule's module cannot drive it, so it is left bound. */
Test(probe, another_parts_bound_device_left_alone)
{
	struct board b;
	const char *lk[] = {"sys/bus/i2c/devices/0-0060/driver", "../../../bus/i2c/drivers/sii902x",
			    NULL};
	const char *files[] = {"sys/bus/i2c/devices/0-0060/of_node/compatible",
			       "sil,sii9022",
			       "sys/bus/i2c/devices/0-0060/modalias",
			       "of:Ndvi-transmitterT(null)Csil,sii9022\n",
			       "lib/modules/6.1.0-t/modules.alias",
			       "alias of:N*T*Cfcs,fan53555 fan53555\n",
			       "sys/module/fan53555/drivers/i2c:fan53555-regulator/uevent",
			       "",
			       "sys/bus/i2c/drivers/sii902x/unbind",
			       "",
			       NULL};
	char w[32];

	links = lk;
	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x60 03=88\n", LCM,
		       "regulator fan when i2c 0x60 reg8 3 mask 0xe0 == 0x80 then load fan53555\n",
		       files);
	HAS(&b, "bound class=regulator device=0-0060 dt=yes driver=sii902x status=other-device");
	cr_expect_eq(probe_read(&b.p, "sys/bus/i2c/drivers/sii902x/unbind", w, sizeof(w)), 0,
		     "not unbound");
	HAS(&b, "done decided=1");
	end_board(&b);
}

/* 16.4: modules for another kernel, a built-in driver: the DT part is still
 * bound through sysfs (only loads are skipped). */
Test(probe, kernel_mismatch_builtin_still_binds)
{
	struct board b;
	char w[32];

	run_board_rel(
	    &b, "adapter 0 i2c V\nchip 0 0x38 a3=55\n", LCM,
	    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06\n",
	    BUILTIN_EDT, "6.2.0-x");
	HAS(&b, "status=mismatch");
	HAS(&b, "load class=touch module=edt_ft5x06 status=builtin");
	cr_expect_gt(probe_read(&b.p, "sys/bus/i2c/drivers_probe", w, sizeof(w)), 0);
	cr_expect_str_eq(w, "0-0038");
	HAS(&b, "via=drivers-probe");
	LACKS(&b, "device=0-0038 dt=yes driver=none status=skipped:kernel-mismatch");
	end_board(&b);
}
