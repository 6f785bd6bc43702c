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

#include "probe/probe.h"

void probe_settings_default(struct probe_settings *s)
{
	*s = (struct probe_settings){
	    .budget_ms = 2000,
	    .bus_budget_ms = 500,
	    .class_budget_ms = 500,
	    .timeout_ms = 25,
	    .retries = 1,
	    .record_path = "run/probe/decisions",
	    .facts_path = "run/probe/facts",
	    .input_dir = "run/probe/usr",
	    .rules_file = "/lib/probe/modules.list",
	};
}

void probe_init(struct probe *p, const struct probe_settings *s)
{
	memset(p, 0, sizeof(*p));
	p->rootfd = -1;
	p->set = *s;
	p->rec.record_fd = p->rec.kmsg_fd = -1;
}

/* Open the record, read the text facts, list the adapters. */
int probe_start(struct probe *p)
{
	char esc[ADAPTER_NAME_MAX * 4];

	p->run.t0 = p->ops->now_us(p->ops->ctx);
	probe_record_open(p);
	if (probe_read_facts(p) < 0)
		return -1;
	p->run.nad = p->ops->adapters(p->ops->ctx, p, p->run.ad, PROBE_ADAPTERS_MAX);
	for (unsigned i = 0; i < p->run.nad; i++) {
		probe_esc(p->run.ad[i].name, strlen(p->run.ad[i].name), esc, sizeof(esc),
			  false); /* fits */
		probe_log(p, "adapter bus=%d name=\"%s\" %s%s%s", p->run.ad[i].nr, esc,
			  p->run.ad[i].smbus_only ? "smbus-only" : "i2c",
			  p->run.ad[i].driver[0] ? " driver=" : "",
			  p->run.ad[i].driver); /* a driver name: a directory entry, no blank */
	}
	return 0;
}

/* 2: a rule decided; 1: the fallback acted; 0: nothing to do. */
static int decide_class(struct probe *p, unsigned ci)
{
	const char *cls = p->rules->cls[ci].name;
	const struct rule *fb = NULL, *won = NULL;
	uint64_t t = p->ops->now_us(p->ops->ctx), x0 = p->run.xfer_us,
		 c0 = p->ops->cpu_us ? p->ops->cpu_us(p->ops->ctx) : 0;

	p->run.class_name = cls;
	p->run.class_spent_us = 0;
	p->run.class_over = false;
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
		if (won && !p->set.explain)
			break;
		memset(&m, 0, sizeof(m));
		bool hit = probe_eval_rule(p, ru, &m, &w);
		if (p->set.explain) /* every rule, also those after the winner */
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
		  (double)(p->run.xfer_us - x0) / 1000.0, probe_ms_since(p, t));
	return 0;
}

unsigned probe_run(struct probe *p)
{
	unsigned order[CLASSES_MAX], n = rules_class_order(p->rules, order), decided = 0;

	if (p->run.have_graph) /* a new pass: every module may be loaded once again */
		moddep_graph_reset(&p->run.graph);
	p->run.vermagic_checked = false;
	for (unsigned k = 0; k < n; k++) {
		unsigned ci = order[k];
		if (p->run.class_done[ci])
			continue;
		int how = decide_class(p, ci);
		if (how == 2) {
			p->run.class_done[ci] = true;
			decided++;
		}
		/* its rail may need time (none in a dry run: nothing was switched) */
		if (how && p->rules->cls[ci].settle_ms && !p->set.dry_run) {
			uint64_t t = p->ops->now_us(p->ops->ctx);
			p->ops->sleep_ms(p->ops->ctx, p->rules->cls[ci].settle_ms);
			p->run.settle_us += p->ops->now_us(p->ops->ctx) - t;
		}
	}
	p->run.class_name = NULL;
	probe_buses_restore(p); /* done with the adapters for this pass */
	p->rec.decided += decided;
	return decided;
}

void probe_finish(struct probe *p)
{
	uint64_t all = p->ops->now_us(p->ops->ctx) - p->run.t0,
		 other = p->run.xfer_us + p->run.load_us + p->run.settle_us;

	/* ms last: the QEMU runner reads "ms=" at the end of the line */
	probe_log(p,
		  "done decided=%u classes=%u failures=%u xfer_ms=%.1f load_ms=%.1f settle_ms=%.1f "
		  "own_ms=%.1f ms=%.1f",
		  p->rec.decided, p->rules ? p->rules->ncls : 0, p->rec.failures,
		  (double)p->run.xfer_us / 1000.0, (double)p->run.load_us / 1000.0,
		  (double)p->run.settle_us / 1000.0,
		  (double)(all > other ? all - other : 0) / 1000.0, (double)all / 1000.0);
	probe_record_close(p);
	if (p->run.have_graph)
		moddep_graph_free(&p->run.graph);
	p->run.have_graph = false;
	free(p->run.moddep);
	free(p->run.builtin);
	free(p->run.aliases);
	free(p->run.cmdline);
	free(p->run.bootconfig);
	free(p->run.scratch);
	free(p->run.cpuinfo);
	p->run.moddep = p->run.builtin = p->run.cmdline = p->run.bootconfig = p->run.scratch =
	    p->run.cpuinfo = NULL;
}
