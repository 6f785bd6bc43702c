/* What Android hears (probe/android.c): the property file edited in place
 * (a name set already is replaced where it stands, not doubled; Android 9's
 * prop.default first), the init.rc fragment (binds over /system, copies into
 * /data with Android's owner and mode, every other name a rule installs
 * removed, ${id}'s 255 others too), names and values Android would drop
 * refused, nothing written without a property file or in a dry run. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "tests/unit/board.h"

static const char ARULES[] =
    "order touch panel\n"
    "touch ft5x06 when i2c 0x38 reg8 0xa8 and i2c 0x38 reg8 0xa3 oneof 0x55 then "
    "install ft.idc as generic_ft5x06__${id}_.idc install ft.kl as mtk-tpd.kl "
    "export touch=ft5x06\n"
    "touch gt9xx when i2c 0x5d reg16 0x8140 len 4 prefix \"9\" then install gt.idc as "
    "Goodix_Capacitive_TouchScreen.idc install gt.kl as mtk-tpd.kl export touch=gt9xx\n"
    "panel hx when cmdline lcm glob \"*hx8389b*\" then prop ro.sf.lcd_density=240 "
    "export panel=${value}\n";

static const char LCM[] = "console=ttyAMA0 lcm=1-hx8389b_qhd_dsi_vdo\n";

static void read_file(struct board *b, const char *rel, char *buf, size_t cap)
{
	cr_assert_geq(probe_read(&b->p, rel, buf, cap), 0, "%s", rel);
}

static const char *const FILES[] = {
    "default.prop",
    "ro.secure=1\nro.bootkit.touch=old\n  ro.sf.lcd_density = 160\nx=y\n"
    "ro.bootkit.touch=older\nlast=line",
    "lib/probe/input/ft.idc",
    "touch.deviceType = touchScreen\n",
    "lib/probe/input/ft.kl",
    "key 172 HOME VIRTUAL\n",
    "lib/probe/input/gt.idc",
    "touch.deviceType = touchScreen\n",
    "lib/probe/input/gt.kl",
    "key 102 HOME VIRTUAL\n",
    NULL};

Test(android, properties_replaced_not_doubled)
{
	struct board b;
	char prop[4096];

	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55 a8=5d\n", LCM, ARULES, FILES);
	read_file(&b, "default.prop", prop, sizeof(prop));
	cr_expect_str_eq(prop, "ro.secure=1\nro.bootkit.touch=ft5x06\nro.sf.lcd_density=240\nx=y\n"
			       "last=line\nro.bootkit.panel=1-hx8389b_qhd_dsi_vdo\n");
	HAS(&b, "android prop name=ro.bootkit.touch file=/default.prop status=ok replaced");
	HAS(&b, "android prop name=ro.bootkit.panel file=/default.prop status=ok added");
	end_board(&b);
}

Test(android, prop_default_of_android_9_first)
{
	static const char *const files[] = {"prop.default", "ro.a=1\n", "default.prop", "ro.b=2\n",
					    NULL};
	struct board b;
	char prop[256];

	run_board_with(&b, "adapter 0 i2c V\n", LCM, ARULES, files);
	read_file(&b, "prop.default", prop, sizeof(prop));
	cr_expect(strstr(prop, "ro.sf.lcd_density=240\n"), "%s", prop);
	read_file(&b, "default.prop", prop, sizeof(prop));
	cr_expect_str_eq(prop, "ro.b=2\n");
	end_board(&b);
}

Test(android, fragment_binds_copies_and_removes_the_others)
{
	struct board b;
	static char frag[64 << 10];

	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55 a8=5d\n", LCM, ARULES, FILES);
	read_file(&b, "init.bootkit.rc", frag, sizeof(frag));
	cr_expect(strstr(frag, "    mount none /lib/probe/input/ft.idc "
			       "/system/usr/idc/generic_ft5x06__5d_.idc bind\n"),
		  "%s", frag);
	cr_expect(strstr(frag, "    mount none /lib/probe/input/ft.kl "
			       "/system/usr/keylayout/mtk-tpd.kl bind\n"));
	cr_expect(strstr(frag, "service bootkit-bind /sbin/probe --android-bind "
			       "/lib/probe/input/ft.idc /system/usr/idc/generic_ft5x06__5d_.idc "
			       "/lib/probe/input/ft.kl /system/usr/keylayout/mtk-tpd.kl\n"
			       "    oneshot\n    disabled\n"));
	cr_expect(strstr(frag, "on post-fs-data\n    mkdir /data/system 0775 system system\n"));
	cr_expect(strstr(frag, "    copy /lib/probe/input/ft.kl "
			       "/data/system/devices/keylayout/mtk-tpd.kl\n"
			       "    chown system system /data/system/devices/keylayout/mtk-tpd.kl\n"
			       "    chmod 0644 /data/system/devices/keylayout/mtk-tpd.kl\n"));
	/* the other part's name goes; so do the 255 other ${id} names */
	cr_expect(
	    strstr(frag, "    rm /data/system/devices/idc/Goodix_Capacitive_TouchScreen.idc\n"));
	cr_expect(strstr(frag, "    rm /data/system/devices/idc/generic_ft5x06__5c_.idc\n"));
	cr_expect(!strstr(frag, "rm /data/system/devices/idc/generic_ft5x06__5d_.idc"));
	cr_expect(!strstr(frag, "rm /data/system/devices/keylayout/mtk-tpd.kl"));
	HAS(&b, "android fragment=/init.bootkit.rc files=2 stale=256 status=ok");
	HAS(&b, "android file=ft.idc as=generic_ft5x06__5d_.idc "
		"system=/system/usr/idc/generic_ft5x06__5d_.idc "
		"data=/data/system/devices/idc/generic_ft5x06__5d_.idc");
	end_board(&b);
}

Test(android, not_android_nothing_written)
{
	static const char *const files[] = {"lib/probe/input/ft.idc", "x\n", NULL};
	struct board b;

	run_board_with(&b, "adapter 0 i2c V\nchip 0 0x38 a3=55 a8=5d\n", LCM, ARULES, files);
	HAS(&b, "android status=none:no-default.prop");
	cr_expect_lt(probe_read(&b.p, "init.bootkit.rc", b.record, 16), 0);
	end_board(&b);
}

Test(android, value_longer_than_android_keeps_is_a_fault)
{
	static const char rules[] = "panel hx when cmdline lcm then prop ro.x=${value}\n";
	char cmdline[300] = "lcm=";
	struct board b;

	memset(cmdline + 4, 'v', 120);
	strcpy(cmdline + 124, "\n");
	run_board_with(&b, "adapter 0 i2c V\n", cmdline, rules, FILES);
	HAS(&b, "android prop name=ro.x value=\"vvvv");
	HAS(&b, "status=error:too-long");
	char prop[4096];
	read_file(&b, "default.prop", prop, sizeof(prop));
	cr_expect(!strstr(prop, "ro.x="), "%s", prop);
	end_board(&b);
}

Test(android, modalias_patterns_as_kmod_matches_them)
{
	static const struct {
		const char *pat, *s;
		bool want;
	} t[] = {
	    {"i2c:edt-ft5x06", "i2c:edt-ft5x06", true},
	    {"of:N*T*Cedt,edt-ft5406C*", "of:NtouchscreenT(null)Cedt,edt-ft5406Cedt,x", true},
	    {"of:N*T*Cedt,edt-ft5406C*", "of:NtouchscreenT(null)Cedt,edt-ft5406", false},
	    {"of:N*T*Cgoodix,gt911C*", "of:NtouchscreenT(null)Cedt,edt-ft5406", false},
	    {"usb:v0BDAp81[0-7]9d*", "usb:v0BDAp8179d0100", true},
	    {"usb:v0BDAp81[0-7]9d*", "usb:v0BDAp8189d0100", false},
	    {"i2c:gt9[!1]1", "i2c:gt911", false},
	    {"i2c:gt9[!2]1", "i2c:gt911", true},
	    {"i2c:a[", "i2c:a[", true}, /* not closed: a literal [ */
	    {"x?z", "xyz", true},
	    {"*", "", true},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect_eq(probe_alias_match(t[i].pat, t[i].s), t[i].want, "%s ~ %s", t[i].pat,
			     t[i].s);
}
