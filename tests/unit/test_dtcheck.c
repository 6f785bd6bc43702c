/* ramdisk/dtcheck: modules.list against a board's DTB (issue 16.1). The DTB
 * is written with libfdt's sequential-write API; the aliases are lines as
 * depmod writes them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/rules.h"
#include "ramdisk/dtcheck.h"

static char dir[64];
static char found[16][1024];
static enum dtcheck_kind kinds[16];
static unsigned nfound;

static void collect(void *ctx, enum dtcheck_kind kind, const struct rule *ru, unsigned addr,
		    const char *msg)
{
	(void)ctx, (void)ru, (void)addr;
	cr_assert_lt(nfound, 16);
	kinds[nfound] = kind;
	snprintf(found[nfound++], sizeof(found[0]), "%s", msg);
}

static void put(const char *name, const void *data, size_t n)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	cr_assert((f = fopen(p, "wb")));
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void setup(void)
{
	static const char alias[] = "alias i2c:edt-ft5x06 edt_ft5x06\n"
				    "alias of:N*T*Cedt,edt-ft5406C* edt_ft5x06\n"
				    "alias of:N*T*Cedt,edt-ft5406 edt_ft5x06\n"
				    "alias of:N*T*Cgoodix,gt911C* goodix_ts\n"
				    "alias of:N*T*Cgoodix,gt911 goodix_ts\n"
				    "alias of:N*T*Cfocaltech,ft6236 edt_ft5x06\n";
	static const char builtin[] = "sy8106a_regulator.license=GPL\0"
				      "sy8106a_regulator.alias=of:N*T*Csilergy,sy8106a\0";

	snprintf(dir, sizeof(dir), "/tmp/dtcheck.XXXXXX");
	cr_assert(mkdtemp(dir));
	put("modules.alias", alias, sizeof(alias) - 1);
	put("modules.builtin.modinfo", builtin, sizeof(builtin) - 1);
	nfound = 0;
}

static void teardown(void)
{
	char cmd[100];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

static void node(void *fdt, const char *name, const char *compat, uint32_t reg, const char *status)
{
	cr_assert_eq(fdt_begin_node(fdt, name), 0);
	cr_assert_eq(fdt_property_string(fdt, "compatible", compat), 0);
	cr_assert_eq(fdt_property_u32(fdt, "reg", reg), 0);
	if (status)
		cr_assert_eq(fdt_property_string(fdt, "status", status), 0);
	cr_assert_eq(fdt_end_node(fdt), 0);
}

/* A board DTB: one I2C bus with the candidates; conflict adds a second
 * enabled node at 0x38. */
static void *board(bool conflict)
{
	static char buf[8192];

	cr_assert_eq(fdt_create(buf, sizeof(buf)), 0);
	cr_assert_eq(fdt_finish_reservemap(buf), 0);
	cr_assert_eq(fdt_begin_node(buf, ""), 0);
	cr_assert_eq(fdt_property_u32(buf, "#address-cells", 1), 0);
	cr_assert_eq(fdt_property_u32(buf, "#size-cells", 1), 0);
	cr_assert_eq(fdt_begin_node(buf, "i2c@11007000"), 0);
	cr_assert_eq(fdt_property_string(buf, "compatible", "mediatek,mt6577-i2c"), 0);
	cr_assert_eq(fdt_property_u32(buf, "#address-cells", 1), 0);
	cr_assert_eq(fdt_property_u32(buf, "#size-cells", 0), 0);
	node(buf, "touchscreen@38", "edt,edt-ft5406", 0x38, NULL);
	if (conflict)
		node(buf, "ts@38", "focaltech,ft6236", 0x38, "okay");
	node(buf, "touchscreen@5d", "goodix,gt911", 0x5d, "disabled");
	node(buf, "regulator@65", "silergy,sy8106a", 0x65, NULL);
	node(buf, "eeprom@50", "atmel,24c02", 0x50, NULL);
	cr_assert_eq(fdt_end_node(buf), 0);
	cr_assert_eq(fdt_end_node(buf), 0);
	cr_assert_eq(fdt_finish(buf), 0);
	return buf;
}

static const char rules_text[] =
    "touch ft when i2c 0x38 reg8 0xa3 == 0x55 then load edt-ft5x06 bind edt-ft5x06\n"
    "touch gt when i2c 0x5d,0x14 reg16 0x8140 prefix \"9\" then load goodix_ts overlay gt911.dtbo\n"
    "regulator sy when i2c 0x65 reg8 1 mask 0x80 == 0x80 then load sy8106a-regulator\n"
    "regulator fan when i2c 0x60 reg8 3 mask 0xe0 == 0x80 then load fan53555\n"
    "eeprom at when i2c 0x50 then load goodix_ts bind at24c02\n"
    "panel p when cmdline lcm glob \"*x*\" then load panel-simple\n";

#define FOUND(i, k, s)                                                                             \
	do {                                                                                       \
		cr_expect_eq(kinds[i], k, "[%d] kind %d: %s", i, kinds[i], found[i]);              \
		cr_expect(strstr(found[i], s), "[%d] lacks \"%s\": %s", i, s, found[i]);           \
	} while (0)

Test(dtcheck, each_rule_and_address_says_how_it_binds, .init = setup, .fini = teardown)
{
	struct rules r;
	struct diag d;
	void *fdt = board(false);

	cr_assert_eq(rules_parse(&r, rules_text, strlen(rules_text), NULL, NULL), 0);
	cr_expect_eq(
	    dtcheck_run(&r, "modules.list", dir, fdt, fdt_totalsize(fdt), collect, NULL, &d), 0);
	cr_assert_eq(nfound, 6);
	FOUND(0, DTC_BINDS,
	      "modules.list:1: touch ft: edt-ft5x06 binds /i2c@11007000/touchscreen@38 "
	      "(\"edt,edt-ft5406\") at 0x38: its interrupt, GPIOs and supplies from the node (the "
	      "bind "
	      "action is skipped");
	FOUND(1, DTC_OVERLAY,
	      "goodix_ts matches /i2c@11007000/touchscreen@5d (\"goodix,gt911\") at "
	      "0x5d, disabled: the rule's overlay enables it");
	FOUND(2, DTC_UNBOUND, "no DT node at 0x14 that goodix_ts matches, and no bind action");
	FOUND(3, DTC_BINDS, "sy8106a-regulator binds /i2c@11007000/regulator@65"); /* built in */
	FOUND(4, DTC_UNBOUND,
	      "modules.list:4: regulator fan: no DT node at 0x60 that fan53555 matches");
	FOUND(5, DTC_NEW_DEVICE,
	      "no DT node at 0x50 that goodix_ts matches (/i2c@11007000/eeprom@50 is "
	      "not one of its compatibles): bound through new_device (at24c02), no IRQ");
	rules_free(&r);
}

Test(dtcheck, two_enabled_nodes_at_one_address_are_an_error, .init = setup, .fini = teardown)
{
	struct rules r;
	struct diag d;
	void *fdt = board(true);

	cr_assert_eq(rules_parse(&r, rules_text, strlen(rules_text), NULL, NULL), 0);
	cr_expect_eq(
	    dtcheck_run(&r, "modules.list", dir, fdt, fdt_totalsize(fdt), collect, NULL, &d), 1);
	FOUND(0, DTC_CONFLICT,
	      "/i2c@11007000/touchscreen@38 (\"edt,edt-ft5406\") and "
	      "/i2c@11007000/ts@38 (\"focaltech,ft6236\") are both enabled at 0x38 on "
	      "/i2c@11007000");
	FOUND(0, DTC_CONFLICT, "status = \"disabled\"");
	FOUND(0, DTC_CONFLICT, "of-prober (Linux 6.13+)");
	rules_free(&r);
}

Test(dtcheck, refuses_what_is_not_a_dtb, .init = setup, .fini = teardown)
{
	struct rules r;
	struct diag d;
	char junk[64] = "not a device tree at all";

	cr_assert_eq(rules_parse(&r, rules_text, strlen(rules_text), NULL, NULL), 0);
	cr_expect_eq(dtcheck_run(&r, "l", dir, junk, sizeof(junk), collect, NULL, &d), -EINVAL);
	cr_expect(strstr(d.msg, "not a valid DTB"), "%s", d.msg);
	cr_expect_eq(
	    dtcheck_run(&r, "l", "/nonexistent", board(false), 4096, collect, NULL, &d) < 0, 1);
	rules_free(&r);
}
