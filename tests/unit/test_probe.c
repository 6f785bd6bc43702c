/* The probe over fixture trees and fake chips: one board per test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

/* The rules every board here runs (the shipped modules.list, abridged). */
static const char RULES[] =
	"order regulator touch panel\n"
	"settle regulator 20\n"
	"regulator fan53555 when i2c 0x60,0x62 reg8 0x03 mask 0xe0 == 0x80 then load fan53555\n"
	"regulator fallback then\n"
	"touch ft5x06 when i2c 0x38 reg8 0xa3 oneof 0x55 0x06 0x36 0x64 then load edt-ft5x06 bind edt-ft5x06\n"
	"touch gt9xx when i2c 0x5d,0x14 reg16 0x8140 len 4 prefix \"9\" then load goodix_ts bind GDIX1001:00 export touch=gt9xx@${bus}-${addr}-${id}\n"
	"touch fallback then export touch=none\n"
	"panel hx8389b when cmdline lcm glob \"*hx8389b*\" then load panel-simple\n"
	"panel fallback then load panel-edp\n";

static const char MODDEP[] =
	"kernel/drivers/regulator/fan53555.ko:\n"
	"kernel/drivers/input/touchscreen/edt-ft5x06.ko:\n"
	"kernel/drivers/input/touchscreen/goodix_ts.ko:\n"
	"kernel/drivers/gpu/drm/panel/panel-simple.ko: kernel/drivers/gpu/drm/drm.ko\n"
	"kernel/drivers/gpu/drm/panel/panel-edp.ko: kernel/drivers/gpu/drm/drm.ko\n"
	"kernel/drivers/gpu/drm/drm.ko:\n";

struct board {
	char root[64];
	struct probe p;
	struct rules r;
	struct probe_ops ops;
	struct fake_hw *hw;
	char record[8192];
	unsigned rule_errors;
};

static void put(const char *root, const char *rel, const char *text)
{
	char path[256], cmd[300];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s/%s)\"", root, rel);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert((f = fopen(path, "w")), "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Build the tree, run one pass, read the record back. */
static void run_board(struct board *b, const char *hw, const char *cmdline, const char *rules)
{
	char err[160];
	long n;

	memset(b, 0, sizeof(*b));
	snprintf(b->root, sizeof(b->root), "/tmp/probe-test.XXXXXX");
	cr_assert(mkdtemp(b->root));
	put(b->root, "proc/cmdline", cmdline);
	put(b->root, "lib/modules/6.1.0-t/modules.dep", MODDEP);
	for (int i = 0; i < 2; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "sys/bus/i2c/devices/i2c-%d/new_device", i);
		put(b->root, rel, "");
	}
	cr_assert_eq(fake_hw_load(hw, strlen(hw), &b->hw, err, sizeof(err)), 0, "%s", err);
	fake_ops_init(&b->ops, b->hw);
	probe_defaults(&b->p);
	b->p.rootfd = open(b->root, O_RDONLY | O_DIRECTORY);
	b->p.ops = &b->ops;
	b->p.release = "6.1.0-t";
	b->p.rules = &b->r;
	cr_assert_eq(probe_start(&b->p), 0);
	b->rule_errors = (unsigned)rules_parse(&b->r, rules, strlen(rules), NULL, NULL);
	probe_run(&b->p);
	probe_finish(&b->p);
	n = probe_read(&b->p, "run/probe/decisions", b->record, sizeof(b->record));
	cr_assert_geq(n, 0);
}

static void end_board(struct board *b)
{
	char cmd[100];

	close(b->p.rootfd);
	rules_free(&b->r);
	fake_hw_free(b->hw);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", b->root);
	cr_expect_eq(system(cmd), 0);
}

#define HAS(b, s) cr_expect(strstr((b)->record, s), "record lacks \"%s\":\n%s", s, (b)->record)
#define LACKS(b, s) cr_expect(!strstr((b)->record, s), "record has \"%s\":\n%s", s, (b)->record)

static const char LCM[] = "console=ttyAMA0 lcm=1-hx8389b_qhd_dsi_vdo\n";

Test(probe, focaltech_board)
{
	struct board b;

	run_board(&b, "adapter 0 i2c Versatile I2C adapter\nchip 0 0x38 a3=55 a8=87\nchip 0 0x62 03=88\n",
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
		cr_expect(strstr(facts, i ? "touch=gt9xx@0-0x14-39313100" : "touch=gt9xx@0-0x5d-39313100"),
			  "%s", facts);
		end_board(&b);
	}
}

Test(probe, both_addresses_populated_first_wins)
{
	struct board b;

	run_board(&b, "adapter 0 i2c V\nchip 0 0x5d 8140=39313100\nchip 0 0x14 8140=39323800\n", LCM,
		  RULES);
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

	run_board(&b, "adapter 0 smbus SMBus I801 adapter at 1000\nchip 0 0x5d 8140=39313100\n", LCM,
		  RULES);
	HAS(&b, "adapter bus=0 name=\"SMBus I801 adapter at 1000\" smbus-only");
	HAS(&b, "decide class=touch rule=gt9xx line=6 bus=0 addr=0x5d reg=0x8140 read=39313100");
	end_board(&b);
	/* a rule that insists on combined transfers fails there, with the fault recorded */
	run_board(&b, "adapter 0 smbus SMBus I801\nchip 0 0x5d 8140=39313100\n", LCM,
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
		{"adapter 0 i2c V\nfault 0 0x38 timeout\n", "fault bus=0 addr=0x38 reg=0xa3 status=timeout"},
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
		cr_expect(!f || !strstr(f + 1, "fault bus=0 addr=0x38"), "logged twice:\n%s", b.record);
		end_board(&b);
	}
}

Test(probe, stuck_bus_is_abandoned_after_one_timeout)
{
	struct board b;
	char hw[512];
	const char *last;

	/* every transfer on bus 1 hangs until its timeout; bus 0 holds the chip */
	snprintf(hw, sizeof(hw), "adapter 1 i2c Versatile I2C adapter\nadapter 0 i2c V\nstuck 1\n"
				 "chip 0 0x5d 8140=39313100\n");
	run_board(&b, hw, LCM,
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

	run_board(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55\nchip 0 0x5d 8140=39313100\nmodfail edt-ft5x06 22\n",
		  LCM, RULES);
	HAS(&b, "load class=touch module=edt_ft5x06 status=error:Invalid argument");
	HAS(&b, "reject class=touch rule=ft5x06 line=5 status=load-failed");
	HAS(&b, "decide class=touch rule=gt9xx");
	LACKS(&b, "bind class=touch device=edt-ft5x06");
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
		  "x hw when cmdline androidboot.hardware == mt6572 and cmdline lcm prefix \"1-otm\" and not exists /nope then export hw=${value}\n");
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
