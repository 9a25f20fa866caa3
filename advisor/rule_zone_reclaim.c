/* vm.zone_reclaim_mode: 0 (allocate from another node before reclaiming
 * the local one) unless a measurement on this machine shows that locality
 * is worth more than the page cache zone reclaim throws away. On one node
 * the knob has no effect. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

#define SOURCE \
	"Documentation/admin-guide/sysctl/vm.rst (zone_reclaim_mode: " \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#zone-reclaim-mode)"

/* What the numa benchmark measured, as the analyzer derived it
 * (analyzer/an_numa.c): the median remote/local latency and the
 * zone_reclaim finding (mode 1 against 0). */
struct zr_facts {
	int64_t current;
	bool has_ratio, zr_measured;
	struct mt_fact ratio, gain, lat_ratio, reclaimed, won;
};

static void gather(const struct mt_advise_ctx *ctx, struct zr_facts *f)
{
	f->has_ratio = mt_ev_fact(ctx, "numa.remote_latency_ratio", &f->ratio);
	f->zr_measured =
		mt_ev_fact(ctx, "numa.zr_local_fraction_gain", &f->gain) &&
		mt_ev_fact(ctx, "numa.zr_latency_after_ratio", &f->lat_ratio) &&
		mt_ev_fact(ctx, "numa.zr_file_reclaimed", &f->reclaimed) &&
		mt_ev_fact(ctx, "numa.zr_locality_won", &f->won);
}

static int zone_reclaim_advise(const struct mt_advise_ctx *ctx,
			       struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	bool keep_cache = p && strcmp(p->page_cache, "keep") == 0;
	struct zr_facts f = { 0 };
	struct mt_item *it;
	int64_t rec = 0;
	char val[16];

	(void)err;
	if (!mt_ev_sysctl(ctx, "zone_reclaim_mode", &f.current))
		return 0;
	gather(ctx, &f);
	it = mt_advice_add(out, &mt_rule_zone_reclaim, "zone_reclaim_mode");
	if (!it)
		return -ENOMEM;
	snprintf(it->current, sizeof(it->current), "%lld",
		 (long long)f.current);
	mt_item_evidence(it, "%d NUMA node%s with memory", ctx->numa_nodes,
			 ctx->numa_nodes == 1 ? "" : "s");
	mt_item_evidence(it, "valid values: 0, or a sum of 1 (reclaim), 2 "
			     "(write dirty pages), 4 (swap)");
	if (f.has_ratio && ctx->numa_nodes > 1)
		mt_item_cite(it, &f.ratio);
	if (ctx->numa_nodes <= 1) {
		mt_item_ground(it, MT_GROUND_HARD_RULE, SOURCE);
		mt_item_reason(it, "One node: there is no other node to "
				   "allocate from, so zone reclaim has nothing "
				   "to decide. 0 is the kernel's default.");
	} else if (f.zr_measured) {
		mt_item_cite(it, &f.gain);
		mt_item_cite(it, &f.lat_ratio);
		mt_item_cite(it, &f.reclaimed);
		mt_item_cite(it, &f.won);
		if (f.won.value == 1 && !keep_cache) {
			rec = 1;
			/* One allocation per mode, no interval: a change
			 * that drops page cache needs more than that. */
			mt_item_ground(it, MT_GROUND_INCONCLUSIVE, SOURCE);
			mt_item_reason(it, "Measured here, zone_reclaim_mode "
					   "1 kept more of the new pages local "
					   "and made later accesses faster "
					   "(the analysis' finding), and the "
					   "profile does not rely on the page "
					   "cache: 1. One allocation per mode "
					   "is no interval; verify it with an "
					   "A/B trial before keeping it.");
		} else {
			mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
			mt_item_reason(
				it,
				"%s: keep 0, the kernel's default "
				"(vm.rst: workloads that benefit from "
				"having their data cached should "
				"leave zone reclaim disabled).",
				f.won.value == 1 ?
					"Locality won here, "
					"but the profile keeps the page cache, "
					"which zone reclaim would throw away" :
					"Measured here, reclaiming the local "
					"page cache did not buy locality worth "
					"having (the analysis' finding)");
		}
	} else {
		mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
		if (!f.has_ratio)
			mt_item_evidence(
				it, "numa benchmark: %s",
				mt_ev_bench_status(ctx, "numa", NULL, 0) ?:
					"not in "
					"the run");
		mt_item_reason(it,
			       "Several nodes, but no measurement shows "
			       "that locality matters more than the page "
			       "cache: zone reclaim would drop file pages on "
			       "the local node instead of using free memory "
			       "on the other one. The kernel's documentation "
			       "says to leave it disabled for workloads that "
			       "benefit from their data being cached: 0, "
			       "the default.");
	}
	snprintf(val, sizeof(val), "%lld", (long long)rec);
	mt_item_sysctl(it, "zone_reclaim_mode", val);
	it->change = rec != f.current;
	/* The threshold and its reason are the knob table's. */
	(void)mt_apply_guarded("vm.zone_reclaim_mode", val, ctx->mem_total,
			       it->force, sizeof(it->force));
	return 0;
}

/* The numa benchmark's zone_reclaim experiment at the mode in force: node
 * 0 filled with page cache, then an allocation there (needs two nodes
 * with memory). */
static const char *const trial_set[] = { "ops=zone_reclaim",
					 "zone_reclaim_modes=current", NULL };
static const char *const trial_metrics[] = { "local_fraction", "latency_after",
					     "alloc_ms", NULL };
static const struct mt_rule_trial trial = { "numa", trial_set, trial_metrics };

const struct mt_rule mt_rule_zone_reclaim = {
	.name = "zone_reclaim",
	.knob = "vm.zone_reclaim_mode",
	.summary = "reclaim locally before allocating on another node",
	.source = SOURCE,
	.advise = zone_reclaim_advise,
	.trial = &trial,
};
