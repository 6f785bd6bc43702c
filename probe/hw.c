/* hw.c - the ops table of real hardware: the monotonic clock, sleeping, the
 * I2C transport (i2c.c) and module loading (lib/modload.c). Its context,
 * struct real_hw, holds the per-adapter transfer workers. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lib/modload.h"
#include "probe/probe.h"

static uint64_t real_now_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t real_cpu_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void real_sleep_ms(void *ctx, unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	(void)ctx;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int real_load(void *ctx, struct probe *p, int fd, const char *path, const char *params)
{
	(void)ctx;
	(void)p;
	(void)path;
	return module_load_fd(fd, params);
}

void real_ops_init(struct probe_ops *ops, struct real_hw *hw)
{
	memset(hw, 0, sizeof(*hw));
	ops->now_us = real_now_us;
	ops->cpu_us = real_cpu_us;
	ops->sleep_ms = real_sleep_ms;
	ops->adapters = i2c_real_adapters;
	ops->xfer = i2c_real_xfer;
	ops->bus_config = i2c_real_bus_config;
	ops->load = real_load;
	ops->ctx = hw;
}
