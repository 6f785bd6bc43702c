/* The probe over fixture trees and fake chips: one board per test. */
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

Test(probe, focaltech_board)
{
	struct board b;

	run_board(
	    &b, "adapter 0 i2c Versatile I2C adapter\nchip 0 0x38 a3=55 a8=87\nchip 0 0x62 03=88\n",
	    LCM, RULES);
	HAS(&b, "decide class=regulator rule=fan53555 line=3 bus=0 addr=0x62 reg=0x03 read=88");
	HAS(&b, "decide class=touch rule=ft5x06 line=5 bus=0 addr=0x38 reg=0xa3 read=55");
	HAS(&b, "load class=touch module=edt_ft5x06 status=ok");
	HAS(&b, "bind class=touch device=edt-ft5x06 bus=0 addr=0x38 status=ok");
	HAS(&b, "decide class=panel rule=hx8389b line=8 value=\"1-hx8389b_qhd_dsi_vdo\"");
	cr_expect(fake_hw_loaded(b.hw, "drm"), "dependency loaded first");
	cr_expect(fake_hw_loaded(b.hw, "panel-simple"));
	cr_expect_not(fake_hw_loaded(b.hw, "goodix_ts"));
	char nd[64];
	cr_expect_gt(probe_read(&b.p, "sys/bus/i2c/devices/i2c-0/new_device", nd, sizeof(nd)), 0);
	cr_expect_str_eq(nd, "edt-ft5x06 0x38\n");
	end_board(&b);
}

Test(probe, goodix_at_each_address_16bit_register)
{
	const char *hw[] = {"adapter 0 i2c V\nchip 0 0x5d 8140=39313100\n",
			    "adapter 0 i2c V\nchip 0 0x14 8140=39313100\n"};
	const char *want[] = {"bus=0 addr=0x5d reg=0x8140 read=39313100",
			      "bus=0 addr=0x14 reg=0x8140 read=39313100"};

	for (int i = 0; i < 2; i++) {
		struct board b;
		char facts[128];
		run_board(&b, hw[i], LCM, RULES);
		HAS(&b, "decide class=touch rule=gt9xx line=6");
		HAS(&b, want[i]);
		cr_expect(fake_hw_loaded(b.hw, "goodix_ts"));
		cr_expect_gt(probe_read(&b.p, "run/probe/facts", facts, sizeof(facts)), 0);
		cr_expect(strstr(facts,
				 i ? "touch=gt9xx@0-0x14-39313100" : "touch=gt9xx@0-0x5d-39313100"),
			  "%s", facts);
		end_board(&b);
	}
}

Test(probe, both_addresses_populated_first_wins)
{
	struct board b;

	run_board(&b, "adapter 0 i2c V\nchip 0 0x5d 8140=39313100\nchip 0 0x14 8140=39323800\n",
		  LCM, RULES);
	HAS(&b, "addr=0x5d reg=0x8140 read=39313100");
	LACKS(&b, "addr=0x14 reg=0x8140");
	end_board(&b);
}

Test(probe, nothing_found_fallbacks_apply)
{
	struct board b;

	run_board(&b, "adapter 0 i2c V\n", "console=ttyAMA0\n", RULES);
	HAS(&b, "decide class=regulator rule=fallback line=4 result=fallback");
	HAS(&b, "decide class=touch rule=fallback line=7 result=fallback");
	HAS(&b, "export class=touch touch=none status=ok");
	HAS(&b, "decide class=panel rule=fallback line=9 result=fallback");
	cr_expect(fake_hw_loaded(b.hw, "panel-edp"));
	HAS(&b, "done decided=0 classes=3 failures=0");
	end_board(&b);
}

Test(probe, smbus_only_adapter_reads_16bit_register)
{
	struct board b;

	run_board(&b, "adapter 0 smbus SMBus I801 adapter at 1000\nchip 0 0x5d 8140=39313100\n",
		  LCM, RULES);
	HAS(&b, "adapter bus=0 name=\"SMBus I801 adapter at 1000\" smbus-only");
	HAS(&b, "decide class=touch rule=gt9xx line=6 bus=0 addr=0x5d reg=0x8140 read=39313100");
	end_board(&b);
	/* a rule that insists on combined transfers fails there, with the fault recorded */
	run_board(
	    &b, "adapter 0 smbus SMBus I801\nchip 0 0x5d 8140=39313100\n", LCM,
	    "touch g when i2c 0x5d reg16 0x8140 len 4 via rdwr prefix \"9\" then load goodix_ts\n");
	HAS(&b, "fault bus=0 addr=0x5d reg=0x8140 status=eio");
	HAS(&b, "decide class=touch rule=none");
	end_board(&b);
}

Test(probe, faults_are_logged_once_and_boot_goes_on)
{
	static const struct {
		const char *hw, *want;
	} t[] = {
	    {"adapter 0 i2c V\nfault 0 0x38 nak\n", "decide class=touch rule=fallback"},
	    {"adapter 0 i2c V\nfault 0 0x38 eio\n", "fault bus=0 addr=0x38 reg=0xa3 status=eio"},
	    {"adapter 0 i2c V\nfault 0 0x38 timeout\n",
	     "fault bus=0 addr=0x38 reg=0xa3 status=timeout"},
	    {"adapter 0 i2c V\nbound 0 0x38\n", "fault bus=0 addr=0x38 reg=0xa3 status=busy"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct board b;
		run_board(&b, t[i].hw, LCM, RULES);
		HAS(&b, t[i].want);
		HAS(&b, "decide class=touch rule=fallback");
		HAS(&b, "decide class=panel rule=hx8389b");
		/* logged once: the same read is never tried twice */
		const char *f = strstr(b.record, "fault bus=0 addr=0x38");
		cr_expect(!f || !strstr(f + 1, "fault bus=0 addr=0x38"), "logged twice:\n%s",
			  b.record);
		end_board(&b);
	}
}

Test(probe, stuck_bus_is_abandoned_after_one_timeout)
{
	struct board b;
	char hw[512];
	const char *last;

	/* every transfer on bus 1 hangs until its timeout; bus 0 holds the chip */
	snprintf(hw, sizeof(hw),
		 "adapter 1 i2c Versatile I2C adapter\nadapter 0 i2c V\nstuck 1\n"
		 "chip 0 0x5d 8140=39313100\n");
	run_board(
	    &b, hw, LCM,
	    "touch a when i2c 0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17 reg8 1 == 1 then load m\n"
	    "touch b when i2c 0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27 reg8 1 == 1 then load m\n"
	    "touch c when i2c 0x30,0x31,0x32,0x33,0x34,0x35,0x36,0x37 reg8 1 == 1 then load m\n"
	    "touch gt9xx when i2c 0x5d reg16 0x8140 len 4 prefix \"9\" then load goodix_ts\n");
	HAS(&b, "fault bus=1 addr=0x10 reg=0x1 status=timeout bus=abandoned");
	HAS(&b, "decide class=touch rule=gt9xx");
	last = strstr(b.record, "done ");
	cr_assert(last);
	double ms = atof(strstr(last, "ms=") + 3);
	/* one 25 ms timeout, then the bus is left alone; bus 0 costs little */
	cr_expect_leq(ms, 25 + 10, "%s", b.record);
	unsigned stuck = 0;
	for (const char *f = b.record; (f = strstr(f, "fault bus=1 ")); f++)
		stuck++;
	cr_expect_eq(stuck, 1u, "%u timeouts on the stuck bus:\n%s", stuck, b.record);
	cr_expect_gt(fake_hw_xfers(b.hw), stuck, "bus 0 still probed");
	end_board(&b);
}

Test(probe, failed_load_tries_the_next_candidate)
{
	struct board b;

	run_board(&b,
		  "adapter 0 i2c V\nchip 0 0x38 a3=55\nchip 0 0x5d 8140=39313100\nmodfail "
		  "edt-ft5x06 22\n",
		  LCM, RULES);
	HAS(&b, "load class=touch module=edt_ft5x06 status=error:Invalid argument");
	HAS(&b, "reject class=touch rule=ft5x06 line=5 status=load-failed");
	HAS(&b, "decide class=touch rule=gt9xx");
	LACKS(&b, "bind class=touch device=edt-ft5x06");
	end_board(&b);
}

/* A module that failed once in a pass is not tried again: the next rule
 * needing it fails at once, and says why. */
Test(probe, failed_module_not_tried_again)
{
	struct board b;

	run_board(&b, "adapter 0 i2c V\nmodfail drm 19\n", LCM,
		  "x a when cmdline lcm then load panel-simple\n"
		  "x b when cmdline lcm then load panel-edp\n"
		  "x fallback then export x=none\n");
	HAS(&b, "load class=x module=drm status=error:No such device");
	HAS(&b, "load class=x module=panel_edp status=error:failed-earlier:No such device");
	HAS(&b, "export class=x x=none status=ok");
	cr_expect_eq(fake_hw_loads(b.hw), 1, "drm tried once");
	end_board(&b);
}

Test(probe, corrupt_rule_is_skipped_others_apply)
{
	struct board b;
	char rules[2048];

	snprintf(rules, sizeof(rules), "%s%s", "touch broken when i2c 0x99 then load x\n", RULES);
	run_board(&b, "adapter 0 i2c V\nchip 0 0x38 a3=06\n", LCM, rules);
	cr_expect_eq(b.rule_errors, 1);
	HAS(&b, "decide class=touch rule=ft5x06 line=6 bus=0 addr=0x38 reg=0xa3 read=06");
	end_board(&b);
}

Test(probe, text_facts_and_dry_run)
{
	struct board b;

	run_board(&b, "adapter 0 i2c V\n", "a=1 lcm=\"1-otm 8009a\" androidboot.hardware=mt6572\n",
		  "order x\n"
		  "x hw when cmdline androidboot.hardware == mt6572 and cmdline lcm prefix "
		  "\"1-otm\" and not exists /nope then export hw=${value}\n");
	HAS(&b, "decide class=x rule=hw line=2");
	end_board(&b);
	cr_expect(strstr(b.record, "export class=x hw=1-otm 8009a status=ok"), "%s", b.record);
}

Test(probe, parsers_for_proc_files)
{
	char v[64];

	cr_expect(cpuinfo_get("processor\t: 0\nHardware\t: MT6572\n", "Hardware", v, sizeof(v)));
	cr_expect_str_eq(v, "MT6572");
}

/* ---- issue 15: hostile inputs ------------------------------------------------------------ */

/* 15.8: m0 needs m1..m32, m1 needs m2..m32, ...: each module loaded once. */
Test(probe, module_fanout_costs_one_load_each, .timeout = 30)
{
	struct board b;
	size_t cap = 33 * 33 * 24 + 64, o = 0;
	char *dep = malloc(cap);
	const char *files[] = {"lib/modules/6.1.0-t/modules.dep", dep, NULL};
	unsigned loads = 0;

	for (unsigned i = 0; i < 33; i++) {
		o += (size_t)snprintf(dep + o, cap - o, "kernel/m%u.ko:", i);
		for (unsigned k = i + 1; k < 33; k++)
			o += (size_t)snprintf(dep + o, cap - o, " kernel/m%u.ko", k);
		o += (size_t)snprintf(dep + o, cap - o, "\n");
	}
	run_board_with(&b, "adapter 0 i2c V\n", LCM,
		       "x a when cmdline lcm then load m0\nx b when cmdline lcm then load m0\n"
		       "y c when cmdline lcm then load m5\n",
		       files);
	for (const char *s = b.record; (s = strstr(s, "\nload ")); s++)
		loads++;
	cr_expect_eq(loads, 33, "33 load lines:\n%s", b.record);
	cr_expect_eq(fake_hw_loads(b.hw), 33, "33 load calls");
	cr_expect(fake_hw_loaded(b.hw, "m32") && fake_hw_loaded(b.hw, "m0"));
	HAS(&b, "decide class=y rule=c");
	end_board(&b);
	free(dep);
}

/* 15.8: a dependency cycle is named in the record. */
Test(probe, module_cycle_is_named, .timeout = 30)
{
	struct board b;
	const char *files[] = {
	    "lib/modules/6.1.0-t/modules.dep",
	    "kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/c.ko\nkernel/c.ko: kernel/a.ko\n"
	    "kernel/ok.ko:\n",
	    NULL};

	run_board_with(&b, "adapter 0 i2c V\n", LCM,
		       "x a when cmdline lcm then load a\nx fallback then load ok\n", files);
	HAS(&b, "load class=x module=a status=error:dependency-cycle cycle=a>b>c>a");
	HAS(&b, "reject class=x rule=a");
	HAS(&b, "load class=x module=ok status=ok");
	cr_expect_eq(fake_hw_loads(b.hw), 1);
	end_board(&b);
}

/* 15.15: facts read whole up to 64 KiB; past it, a fault and no half value. */
Test(probe, long_command_line_read_whole)
{
	struct board b;
	size_t n = 70000;
	char *cl = malloc(n + 64);

	memset(cl, 'a', n);
	for (size_t i = 99; i < n; i += 100)
		cl[i] = ' ';
	snprintf(cl + 60000, n + 64 - 60000, " lcm=1-hx8389b_qhd_dsi_vdo\n");
	run_board(&b, "adapter 0 i2c V\n", cl, RULES);
	HAS(&b, "decide class=panel rule=hx8389b");
	LACKS(&b, "fault file=/proc/cmdline");
	end_board(&b);
	/* past the cap: recorded, and the word cut at the boundary is not used */
	memset(cl, 'a', n);
	for (size_t i = 99; i < n; i += 100)
		cl[i] = ' ';
	memcpy(cl + 65536 - 10, " lcm=1-hx8389b_qhd", 18);
	cl[n] = 0;
	run_board(&b, "adapter 0 i2c V\n", cl, RULES);
	HAS(&b, "fault file=/proc/cmdline status=cut bytes=65536");
	HAS(&b, "decide class=panel rule=fallback");
	end_board(&b);
	free(cl);
}

/* 15.16: one number parser: a leading 0 is decimal in facts as in rules. */
Test(probe, numbers_in_facts_as_in_rules)
{
	struct board b;

	run_board(
	    &b, "adapter 0 i2c V\n", "a=010 b=0x1F c=08 d=-1\n",
	    "p a when cmdline a == 010 and cmdline a == 10 and cmdline b == 31 and cmdline c == 8"
	    " then export a=1\n"
	    "q d when cmdline d == \"-1\" then export d=1\n");
	HAS(&b, "decide class=p rule=a");
	HAS(&b, "decide class=q rule=d");
	end_board(&b);
}

/* 15.17: `dt PATH` alone means "exists", also for an empty (boolean) property. */
Test(probe, dt_without_test_is_exists)
{
	struct board b;
	const char *files[] = {"proc/device-tree/chosen/bootkit,flag", "", NULL};

	run_board_with(&b, "adapter 0 i2c V\n", LCM,
		       "p f when dt chosen/bootkit,flag then export f=1\n"
		       "q g when dt chosen/absent then export g=1\n",
		       files);
	HAS(&b, "decide class=p rule=f");
	LACKS(&b, "decide class=q rule=g");
	end_board(&b);
}

/* 15.18: a newline in a fact cannot forge a record line or a fact. */
Test(probe, values_escaped_in_record_and_facts)
{
	struct board b;
	const char *files[] = {"proc/device-tree/model",
			       "x\ndecide class=forged rule=evil\x1b[2J\"q\0", NULL};
	char facts[512];

	/* put() writes up to the first NUL: the property ends in the NUL the DT gives */
	run_board_with(&b, "adapter 0 i2c V\n", "lcm=\"a\nfault x=1\" \n",
		       "p m when dt model prefix x then export model=${value}\n"
		       "q l when cmdline lcm then export lcm=${value}\n",
		       files);
	LACKS(&b, "\ndecide class=forged");
	LACKS(&b, "\nfault x=1");
	LACKS(&b, "\x1b");
	HAS(&b, "value=\"x\\ndecide class=forged rule=evil\\x1b[2J\\\"q\"");
	cr_assert_gt(probe_read(&b.p, "run/probe/facts", facts, sizeof(facts)), 0);
	cr_expect_str_eq(
	    facts, "model=x\\ndecide class=forged rule=evil\\x1b[2J\\\"q\nlcm=a\\nfault x=1\n");
	end_board(&b);
}

/* 15.19: --root confines every path: .. components and symlinks out of it. */
Test(probe, root_confines_paths)
{
	struct board b;
	char out[80], rules[1024], cmd[700];
	const char *hw = "adapter 0 i2c V\n";

	snprintf(out, sizeof(out), "/tmp/probe-outside.%d", (int)getpid() % 100000);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/probe && echo 1 > %s/x", out, out,
		 out);
	cr_assert_eq(system(cmd), 0);
	snprintf(rules, sizeof(rules),
		 "a s when sysfs ../../..%s/x == 1 then export s=1\n"
		 "b d when dt ../../../..%s/x then export d=1\n"
		 "c e when exists ../../..%s/x then export e=1\n"
		 "d l when exists /link/x then export l=1\n"
		 "e k when cmdline lcm then export k=1\n",
		 out, out, out);
	run_board(&b, hw, LCM, rules);
	LACKS(&b, "rule=s");
	LACKS(&b, "rule=d");
	LACKS(&b, "rule=e");
	HAS(&b, "decide class=e rule=k");
	/* the same tree with a symlink out of it and run/probe planted as one */
	struct probe p;
	struct rules r;
	struct probe_ops ops;
	struct fake_hw *fh;
	char err[160], path[160], rec[4096];
	snprintf(
	    cmd, sizeof(cmd),
	    "rm -rf %s/run && mkdir -p %s/run && ln -s %s/probe %s/run/probe && ln -s %s %s/link",
	    b.root, b.root, out, b.root, out, b.root);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(fake_hw_load(hw, strlen(hw), &fh, err, sizeof(err)), 0);
	fake_ops_init(&ops, fh);
	struct probe_settings set;
	probe_settings_default(&set);
	probe_init(&p, &set);
	p.rootfd = b.p.rootfd;
	p.ops = &ops;
	p.set.release = "6.1.0-t";
	p.rules = &r;
	p.set.record_path = "rec/decisions";
	probe_start(&p);
	rules_parse(&r, rules, strlen(rules), NULL, NULL);
	probe_run(&p);
	probe_finish(&p);
	snprintf(path, sizeof(path), "%s/probe/facts", out);
	cr_expect_neq(access(path, F_OK), 0, "the facts went through the planted symlink");
	cr_assert_gt(probe_read(&p, "rec/decisions", rec, sizeof(rec)), 0);
	cr_expect(!strstr(rec, "rule=l"), "%s", rec);
	cr_expect(strstr(rec, "export class=e k=1 status=error"), "%s", rec);
	rules_free(&r);
	fake_hw_free(fh);
	end_board(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", out);
	cr_expect_eq(system(cmd), 0);
}
