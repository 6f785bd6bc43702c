/* Stock MediaTek kernels (profile mt6572-stock): the shipped rules decide by
 * the driver the kernel bound, on fixture sysfs trees shaped like MediaTek's
 * 3.x kernels (every maker-fitted IC's device registered, only the winner
 * bound); the record names the driver; the panel by lcm=. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "tests/unit/board.h"

static char *stock_rules(void)
{
	static char text[RULES_TEXT_MAX];
	FILE *f = fopen("profiles/mt6572-stock.list", "r");
	size_t n;

	cr_assert(f, "profiles/mt6572-stock.list (run from the top folder)");
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	return text;
}

static const char *const INPUTS[] = {
    "lib/probe/input/mtk-tpd.idc", "touch.deviceType = touchScreen\n",
    "lib/probe/input/mtk-tpd-focaltech.kl", "key 172 HOME VIRTUAL\n",
    "lib/probe/input/mtk-tpd-goodix.kl", "key 102 HOME VIRTUAL\n", "default.prop",
    "ro.secure=1\nro.sf.lcd_density=160\n",
    /* the loser: registered by its board_info, no driver */
    "sys/bus/i2c/devices/0-005d/name", "gt818\n", "sys/bus/i2c/devices/0-0038/name", "ft5306\n",
    NULL};

/* ZTE V970-like: ft5306 won at 0-0038, gt818 registered at 0-005d, unbound. */
Test(stock, focaltech_bound_gt818_unbound)
{
	static const char *const l[] = {"sys/bus/i2c/devices/0-0038/driver",
					"../../../bus/i2c/drivers/ft5306", NULL};
	struct board b;
	char buf[4096];

	links = l;
	run_board_with(&b, "adapter 0 i2c mt-i2c\n", "lcm=1-hx8379a_fwvga_dsi_vdo fps=6000\n",
		       stock_rules(), INPUTS);
	cr_expect_eq(b.rule_errors, 0);
	HAS(&b, "decide class=touch rule=ft5x06 line=");
	HAS(&b, " bus=0 addr=0x38 driver=ft5306 ");
	HAS(&b, "install class=touch file=mtk-tpd-focaltech.kl to=/run/probe/usr/keylayout/"
		"mtk-tpd.kl status=ok");
	HAS(&b, "export class=touch touch_driver=ft5306 status=ok");
	HAS(&b, "decide class=panel rule=hx8379a");
	cr_assert_gt(probe_read(&b.p, "default.prop", buf, sizeof(buf)), 0);
	cr_expect(strstr(buf, "ro.sf.lcd_density=240\n"), "%s", buf);
	cr_expect(!strstr(buf, "=160"), "%s", buf);
	cr_expect(strstr(buf, "ro.bootkit.touch=ft5x06@0-0x38\n"), "%s", buf);
	cr_expect(strstr(buf, "ro.bootkit.touch_driver=ft5306\n"), "%s", buf);
	cr_assert_gt(probe_read(&b.p, "init.bootkit.rc", buf, sizeof(buf)), 0);
	cr_expect(strstr(buf, "copy /lib/probe/input/mtk-tpd-focaltech.kl "
			      "/data/system/devices/keylayout/mtk-tpd.kl\n"),
		  "%s", buf);
	cr_expect(fake_hw_xfers(b.hw) == 0, "no I2C transfer: the kernel's binding decides");
	end_board(&b);
}

/* TCL S720-like: gt827 won at 0-005d (the driver named "mtk-tpd" as some
 * register); the FocalTech device is there, unbound. */
Test(stock, goodix_bound_as_mtk_tpd)
{
	static const char *const l[] = {"sys/bus/i2c/devices/0-005d/driver",
					"../../../bus/i2c/drivers/mtk-tpd", NULL};
	struct board b;

	links = l;
	run_board_with(&b, "adapter 0 i2c mt-i2c\n", "lcm=1-nt35590_hd720_dsi_cmd\n", stock_rules(),
		       INPUTS);
	HAS(&b, "decide class=touch rule=gt9xx line=");
	HAS(&b, " bus=0 addr=0x5d driver=mtk-tpd ");
	HAS(&b,
	    "install class=touch file=mtk-tpd-goodix.kl to=/run/probe/usr/keylayout/mtk-tpd.kl");
	HAS(&b, "android prop name=ro.sf.lcd_density file=/default.prop status=ok replaced");
	end_board(&b);
}

/* No driver holds a touch part (a board whose IC none of them drives): the
 * fallback; explain says what was seen. */
Test(stock, nothing_bound_fallback)
{
	struct board b;

	run_board_with(&b, "adapter 0 i2c mt-i2c\n", "lcm=0-unknown\n", stock_rules(), INPUTS);
	HAS(&b, "decide class=touch rule=fallback");
	HAS(&b, "export class=touch touch=none status=ok");
	HAS(&b, "decide class=panel rule=fallback");
	end_board(&b);
}

Test(stock, bound_parses_and_refuses)
{
	static const char ok[] = "touch a when bound 0x38,0x39 bus \"mt-i2c*\" glob \"ft5*\" then "
				 "export t=${value}\ntouch b when not bound 0x5d then export t=x\n";
	static const char bad[] = "touch a when bound 0x38 mask 0xff == 1 then export t=1\n"
				  "touch b when bound then export t=1\n";
	struct rules r;

	cr_assert_eq(rules_parse(&r, ok, sizeof(ok) - 1, NULL, NULL), 0);
	cr_expect_eq(r.cond[0].kind, CK_BOUND);
	cr_expect_eq(r.cond[0].naddr, 2);
	cr_expect_str_eq(r.cond[0].bus, "mt-i2c*");
	cr_expect(r.cond[1].negate);
	rules_free(&r);
	cr_expect_eq(rules_parse(&r, bad, sizeof(bad) - 1, NULL, NULL), 2);
	rules_free(&r);
}
