/* bus.c - I2C reads for the conditions: cached, within the budgets, on
 * adapters whose retries and timeout the probe set for its own transfers
 * and puts back when the pass is done.
 *
 * Budgets (probe(8), TIME): each transfer has a deadline (--timeout);
 * a transfer that misses it abandons its adapter for the pass (a stuck
 * line, a dead bit-banged bus: on one CPU that first stall cannot be cut
 * short, but it is the only one). Each adapter has a budget of transfer
 * time (--bus-budget), each class one (--class-budget) and the pass one
 * (--budget, from the start of the pass, less the time stalls took: a
 * stall is charged to no budget, so the pass may run past --budget by one
 * stall per dead bus, and a live bus tried after a dead one is still
 * tried). Past the pass budget, a class not
 * yet decided still reads, but only on adapters that have answered before
 * in this pass (an ACK, a NAK or a busy address: the bus works), still
 * within its class budget and their bus budgets: a dead bus never costs a
 * present chip's decision on another bus.
 */
#include <string.h>

#include "probe/probe.h"

/*
 * What an adapter had at registration, to put back: the kernel offers no
 * way to read retries and timeout (I2C_RETRIES / I2C_TIMEOUT only set them).
 * i2c-core gives every adapter a 1 s timeout (HZ jiffies) unless its driver
 * set one, and retries 0; i2c-algo-bit sets retries 3 on every bit-banged
 * adapter (i2c-versatile, i2c-gpio); i2c-mt65xx sets a 2 s timeout and
 * retries 1; i2c-i801 retries 3. Matched by the controller's driver name,
 * else by the adapter name; any other adapter gets the core's defaults.
 */
static const struct bus_defaults {
	const char *driver, *name_prefix;
	unsigned retries, timeout_10ms;
} bus_defaults[] = {
    {"versatile-i2c", "Versatile I2C", 3, 100},
    {"i2c-gpio", "i2c-gpio", 3, 100},
    {"i2c-mt65xx", "i2c-mt65xx", 1, 200},
    {"i801_smbus", "SMBus I801", 3, 100},
    {"i2c-core", "", 0, 100}, /* the last one matches every adapter */
};

static const struct bus_defaults *defaults_of(const struct adapter *a)
{
	size_t n = sizeof(bus_defaults) / sizeof(bus_defaults[0]);

	for (size_t i = 0; i + 1 < n; i++)
		if (a->driver[0] && !strcmp(a->driver, bus_defaults[i].driver))
			return &bus_defaults[i];
	for (size_t i = 0; i < n; i++)
		if (!strncmp(a->name, bus_defaults[i].name_prefix,
			     strlen(bus_defaults[i].name_prefix)))
			return &bus_defaults[i];
	return &bus_defaults[n - 1];
}

/* Before the first transfer: no retries (one stall, not four), and the
 * adapter's own timeout within the transfer deadline. */
static void prepare(struct probe *p, struct adapter *a)
{
	const struct bus_defaults *d = defaults_of(a);
	unsigned units = p->set.timeout_ms / 10 ? p->set.timeout_ms / 10 : 1;
	int err;

	a->prepared = true;
	a->def_retries = d->retries;
	a->def_timeout = d->timeout_10ms;
	err = p->ops->bus_config(p->ops->ctx, p, a, 0, units);
	probe_log(p,
		  "bus bus=%d retries=0 timeout_ms=%u defaults=%s restore_retries=%u "
		  "restore_timeout_ms=%u%s%s",
		  a->nr, units * 10, d->driver, d->retries, d->timeout_10ms * 10,
		  err ? " status=error:" : "", err ? strerror(-err) : "");
}

void probe_buses_restore(struct probe *p)
{
	for (unsigned i = 0; i < p->run.nad; i++) {
		struct adapter *a = &p->run.ad[i];
		int err;
		if (!a->prepared)
			continue;
		a->prepared = false;
		err = p->ops->bus_config(p->ops->ctx, p, a, a->def_retries, a->def_timeout);
		probe_log(p, "bus bus=%d retries=%u timeout_ms=%u status=%s%s", a->nr,
			  a->def_retries, a->def_timeout * 10, err ? "error:" : "restored",
			  err ? strerror(-err) : "");
	}
}

unsigned probe_bus_order(const struct probe *p, unsigned order[PROBE_ADAPTERS_MAX])
{
	unsigned n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < p->run.nad && n < PROBE_ADAPTERS_MAX; i++)
			if (p->run.ad[i].answered == (pass == 0))
				order[n++] = i;
	return n;
}

static bool same_req(const struct i2c_req *a, const struct i2c_req *b)
{
	return a->addr == b->addr && a->regbits == b->regbits && a->reg == b->reg &&
	       a->len == b->len && a->via == b->via && a->force == b->force;
}

/* May a transfer run on a now? Logs the budget that says no, once. */
static bool within_budgets(struct probe *p, struct adapter *a)
{
	uint64_t now = p->ops->now_us(p->ops->ctx);

	if (a->dead || a->exhausted)
		return false;
	if (a->spent_us >= (uint64_t)p->set.bus_budget_ms * 1000u) {
		a->exhausted = true;
		probe_log(p, "budget bus=%d spent_ms=%.1f status=exhausted", a->nr,
			  (double)a->spent_us / 1000.0);
		return false;
	}
	if (p->run.class_spent_us >= (uint64_t)p->set.class_budget_ms * 1000u) {
		if (!p->run.class_over)
			probe_log(p, "budget class=%s spent_ms=%.1f status=exhausted",
				  p->run.class_name ? p->run.class_name : "?",
				  (double)p->run.class_spent_us / 1000.0);
		p->run.class_over = true;
		return false;
	}
	/* a stall is the dead bus's alone: not the total budget's either, so a
	 * live bus tried after a dead one is still tried */
	if (now - p->run.t0 - p->run.stall_us >= (uint64_t)p->set.budget_ms * 1000u &&
	    !p->run.total_over) {
		p->run.total_over = true;
		probe_log(p, "budget total_ms=%.1f status=exhausted then=answered-buses-only",
			  probe_ms_since(p, p->run.t0));
	}
	return !p->run.total_over || a->answered;
}

static void cache_put(struct probe *p, int bus, const struct i2c_req *r, enum i2c_res res,
		      const uint8_t *b)
{
	struct i2c_cache *c;

	if (p->run.ncache == PROBE_CACHE_MAX) /* full: the read is made again if asked */
		return;
	c = &p->run.cache[p->run.ncache++];
	c->bus = bus;
	c->req = *r;
	c->res = res;
	memcpy(c->bytes, b, r->len);
}

enum i2c_res probe_i2c_read(struct probe *p, struct adapter *a, const struct i2c_req *r,
			    uint8_t *out)
{
	uint64_t t, k = 0, spent;
	enum i2c_res res;

	for (unsigned i = 0; i < p->run.ncache; i++)
		if (p->run.cache[i].bus == a->nr && same_req(&p->run.cache[i].req, r)) {
			memcpy(out, p->run.cache[i].bytes, r->len);
			return p->run.cache[i].res;
		}
	if (!within_budgets(p, a))
		return IR_SKIPPED;
	if (!a->prepared)
		prepare(p, a);
	t = p->ops->now_us(p->ops->ctx);
	res = p->ops->xfer(p->ops->ctx, p, a, r, out, &k);
	for (unsigned n = 0; n < p->set.retries && res == IR_EIO; n++) {
		uint64_t k2 = 0;
		res = p->ops->xfer(p->ops->ctx, p, a, r, out, &k2);
		k += k2;
	}
	spent = p->ops->now_us(p->ops->ctx) - t;
	a->spent_us += spent;
	p->run.xfer_us += k;
	/*
	 * A stall: the transfer outlived its deadline by far. On one CPU the
	 * worker's deadline cannot cut a dead bit-banged bus short (the kernel
	 * holds the only CPU until algo-bit's own SCL timeout, ~2 s with the
	 * retries at 0), and the answer it brings back (a NAK) means nothing.
	 * The stall is the bus's to pay: the bus is abandoned, the class's
	 * budget is not charged, so a chip on another bus is still decided.
	 */
	if (spent > 4 * (uint64_t)p->set.timeout_ms * 1000u && spent > PROBE_STALL_MIN_MS * 1000u)
		p->run.stall_us += spent;
	if (res != IR_TIMEOUT && spent > 4 * (uint64_t)p->set.timeout_ms * 1000u &&
	    spent > PROBE_STALL_MIN_MS * 1000u) {
		probe_log(
		    p,
		    "fault bus=%d addr=0x%02x reg=0x%x took_ms=%.1f status=timeout bus=abandoned",
		    a->nr, r->addr, r->reg, (double)spent / 1000.0);
		res = IR_TIMEOUT;
		a->dead = true;
		cache_put(p, a->nr, r, res, out);
		return res;
	}
	if (res != IR_TIMEOUT)
		p->run.class_spent_us += spent;
	if (res == IR_OK || res == IR_NAK || res == IR_BUSY)
		a->answered = true;
	if (res != IR_OK && res != IR_NAK)
		probe_log(p, "fault bus=%d addr=0x%02x reg=0x%x status=%s%s", a->nr, r->addr,
			  r->reg, probe_res_name[res], res == IR_TIMEOUT ? " bus=abandoned" : "");
	/* A transfer that timed out leaves a bus no one can trust (a stuck
	 * line, a dead bit-banged adapter): nothing more on it this pass. */
	if (res == IR_TIMEOUT)
		a->dead = true;
	cache_put(p, a->nr, r, res, out);
	return res;
}
