/* decide.c - the class loop: for each class in order, the first rule whose
 * conditions hold (eval.c) and whose actions succeed (actions.c) decides it;
 * else its fallback. Every step goes to the record (record.c).
 *
 *   facts (facts.c) -> conditions (eval.c, bus.c) -> decisions (here)
 *                   -> actions (actions.c) -> record (record.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

void probe_defaults(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->rootfd = -1;
	p->budget_ms = 2000;
	p->bus_budget_ms = 500;
	p->class_budget_ms = 500;
	p->timeout_ms = 25;
	p->retries = 1;
	p->record_path = "run/probe/decisions";
	p->facts_path = "run/probe/facts";
	p->input_dir = "run/probe/usr";
	p->record_fd = p->kmsg_fd = -1;
}

/* Open the record, read the text facts, list the adapters. */
int probe_start(struct probe *p)
{
	char esc[ADAPTER_NAME_MAX * 4];

	p->t0 = p->ops->now_us(p->ops->ctx);
	probe_record_open(p);
	if (probe_read_facts(p) < 0)
		return -1;
	p->nad = p->ops->adapters(p->ops->ctx, p, p->ad, PROBE_ADAPTERS_MAX);
	for (unsigned i = 0; i < p->nad; i++) {
		probe_esc(p->ad[i].name, strlen(p->ad[i].name), esc, sizeof(esc), false); /* fits */
		probe_log(p, "adapter bus=%d name=\"%s\" %s%s%s", p->ad[i].nr, esc,
			  p->ad[i].smbus_only ? "smbus-only" : "i2c",
			  p->ad[i].driver[0] ? " driver=" : "",
			  p->ad[i].driver); /* a driver name: a directory entry, no blank */
	}
	return 0;
}

/* 2: a rule decided; 1: the fallback acted; 0: nothing to do. */
static int decide_class(struct probe *p, unsigned ci)
{
	const char *cls = p->rules->cls[ci].name;
	const struct rule *fb = NULL, *won = NULL;
	uint64_t t = p->ops->now_us(p->ops->ctx), x0 = p->xfer_us,
		 c0 = p->ops->cpu_us ? p->ops->cpu_us(p->ops->ctx) : 0;

	p->class_name = cls;
	p->class_spent_us = 0;
	p->class_over = false;
	for (unsigned i = 0; i < p->rules->nrule; i++) {
		const struct rule *ru = &p->rules->rule[i];
		struct match m;
		struct why w = {.n = 0};
		if (strcmp(ru->cls, cls))
			continue;
		if (ru->fallback) {
			fb = ru;
			continue;
		}
		if (won && !p->explain)
			break;
		memset(&m, 0, sizeof(m));
		bool hit = probe_eval_rule(p, ru, &m, &w);
		if (p->explain) /* every rule, also those after the winner */
			printf("explain %s %s (line %d): %s%s%s:%s\n", cls, ru->name, ru->line,
			       hit ? "match" : "no", won && hit ? ", not used: decided by " : "",
			       won && hit ? won->name : "", w.s);
		if (!hit || won)
			continue;
		probe_log_decision(p, ru, &m, t, x0, c0, "");
		if (probe_run_actions(p, ru, &m) == 0)
			won = ru;
		else
			probe_log(p, "reject class=%s rule=%s line=%d status=load-failed", cls,
				  ru->name, ru->line);
	}
	if (won)
		return 2;
	if (fb) {
		struct match m;
		memset(&m, 0, sizeof(m));
		probe_log_decision(p, fb, &m, t, x0, c0, " result=fallback");
		probe_run_actions(p, fb, &m);
		return fb->nact ? 1 : 0;
	}
	probe_log(p, "decide class=%s rule=none xfer_ms=%.1f ms=%.1f", cls,
		  (double)(p->xfer_us - x0) / 1000.0, probe_ms_since(p, t));
	return 0;
}

unsigned probe_run(struct probe *p)
{
	unsigned order[CLASSES_MAX], n = rules_class_order(p->rules, order), decided = 0;

	if (p->have_graph) /* a new pass: every module may be loaded once again */
		moddep_graph_reset(&p->graph);
	p->vermagic_checked = false;
	for (unsigned k = 0; k < n; k++) {
		unsigned ci = order[k];
		if (p->class_done[ci])
			continue;
		int how = decide_class(p, ci);
		if (how == 2) {
			p->class_done[ci] = true;
			decided++;
		}
		/* its rail may need time (none in a dry run: nothing was switched) */
		if (how && p->rules->cls[ci].settle_ms && !p->dry_run) {
			uint64_t t = p->ops->now_us(p->ops->ctx);
			p->ops->sleep_ms(p->ops->ctx, p->rules->cls[ci].settle_ms);
			p->settle_us += p->ops->now_us(p->ops->ctx) - t;
		}
	}
	p->class_name = NULL;
	probe_buses_restore(p); /* done with the adapters for this pass */
	p->decided += decided;
	return decided;
}

void probe_finish(struct probe *p)
{
	uint64_t all = p->ops->now_us(p->ops->ctx) - p->t0,
		 other = p->xfer_us + p->load_us + p->settle_us;

	/* ms last: the QEMU runner reads "ms=" at the end of the line */
	probe_log(p,
		  "done decided=%u classes=%u failures=%u xfer_ms=%.1f load_ms=%.1f settle_ms=%.1f "
		  "own_ms=%.1f ms=%.1f",
		  p->decided, p->rules ? p->rules->ncls : 0, p->failures,
		  (double)p->xfer_us / 1000.0, (double)p->load_us / 1000.0,
		  (double)p->settle_us / 1000.0, (double)(all > other ? all - other : 0) / 1000.0,
		  (double)all / 1000.0);
	probe_record_close(p);
	if (p->have_graph)
		moddep_graph_free(&p->graph);
	p->have_graph = false;
	free(p->moddep);
	free(p->builtin);
	free(p->aliases);
	free(p->cmdline);
	free(p->bootconfig);
	free(p->scratch);
	free(p->cpuinfo);
	p->moddep = p->builtin = p->cmdline = p->bootconfig = p->scratch = p->cpuinfo = NULL;
}
