/* vm.zone_reclaim_mode: 0 (allocate from another node before reclaiming
 * the local one) unless a measurement on this machine shows that locality
 * is worth more than the page cache zone reclaim throws away. On one node
 * the knob has no effect. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

#define SOURCE "Documentation/admin-guide/sysctl/vm.rst (zone_reclaim_mode: " \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#zone-reclaim-mode)"

struct zr_facts {
	int64_t current;
	double remote_ratio;	/* remote / local latency, NAN if unknown */
	double lat_after[2];	/* numa zone_reclaim case: mode 0 and 1 */
	double reclaimed[2];
};

/* The numa benchmark: local and remote chase latency, and the
 * zone_reclaim case's latency after allocation with mode 0 and 1. */
static void gather(const struct mt_advise_ctx *ctx, struct zr_facts *f)
{
	json_t *recs[256];
	size_t n = mt_ev_select(ctx, "numa", "latency", "op=latency", recs,
				256);
	double local = NAN, remote = NAN;

	f->remote_ratio = NAN;
	for (size_t i = 0; i < n && i < 256; i++) {
		int64_t c, m;
		double v = mt_ev_num(recs[i], "value");

		if (!mt_ev_case_int(recs[i], "cpu_node", &c) ||
		    !mt_ev_case_int(recs[i], "mem_node", &m))
			continue;
		if (c == m)
			local = isnan(local) ? v : fmin(local, v);
		else
			remote = isnan(remote) ? v : fmax(remote, v);
	}
	if (local > 0 && remote > 0)
		f->remote_ratio = remote / local;
	for (int mode = 0; mode < 2; mode++) {
		char filter[64];
		json_t *r;

		f->lat_after[mode] = f->reclaimed[mode] = NAN;
		snprintf(filter, sizeof(filter),
			 "op=zone_reclaim,zone_reclaim_mode=%d", mode);
		if (mt_ev_select(ctx, "numa", "latency_after", filter, &r, 1))
			f->lat_after[mode] = mt_ev_num(r, "value");
		if (mt_ev_select(ctx, "numa", "file_reclaimed", filter, &r, 1))
			f->reclaimed[mode] = mt_ev_num(r, "value");
	}
}

static int zone_reclaim_advise(const struct mt_advise_ctx *ctx,
			       struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
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
	if (ctx->numa_nodes <= 1) {
		it->confidence = MT_CONF_HIGH;
		mt_item_reason(it, "One node: there is no other node to "
			       "allocate from, so zone reclaim has nothing "
			       "to decide. 0 is the kernel's default.");
	} else if (!isnan(f.lat_after[0]) && !isnan(f.lat_after[1])) {
		double gain = f.lat_after[0] / f.lat_after[1];

		it->measured = true;
		it->confidence = MT_CONF_MEDIUM;
		mt_item_evidence(it, "numa zone_reclaim case: latency after "
				 "allocation %.1f ns (mode 0) vs %.1f ns "
				 "(mode 1)", f.lat_after[0], f.lat_after[1]);
		if (gain > 1.3 && p && strcmp(p->page_cache, "keep") != 0) {
			rec = 1;
			mt_item_reason(it, "Measured here, keeping memory "
				       "local with zone reclaim made accesses "
				       "%.0f%% faster, and the profile does "
				       "not rely on the page cache: 1.",
				       (gain - 1) * 100);
		} else {
			mt_item_reason(it, "Zone reclaim did not buy enough "
				       "locality here (%.2fx) to pay for the "
				       "page cache it throws away%s: 0.", gain,
				       p && strcmp(p->page_cache, "keep") == 0 ?
				       ", and the profile keeps the cache" :
				       "");
		}
	} else {
		it->confidence = MT_CONF_MEDIUM;
		if (!isnan(f.remote_ratio)) {
			it->measured = true;
			mt_item_evidence(it, "numa: remote/local latency "
					 "%.2fx", f.remote_ratio);
		} else {
			mt_item_evidence(it, "numa benchmark: %s",
					 mt_ev_bench_status(ctx, "numa", NULL,
							    0) ?: "not in "
					 "the run");
		}
		mt_item_reason(it, "Several nodes, but no measurement shows "
			       "that locality matters more than the page "
			       "cache: zone reclaim would drop file pages on "
			       "the local node instead of using free memory "
			       "on the other one. Keep 0, the kernel's "
			       "default.");
	}
	snprintf(val, sizeof(val), "%lld", (long long)rec);
	mt_item_sysctl(it, "zone_reclaim_mode", val);
	it->change = rec != f.current;
	if (rec != 0)
		snprintf(it->force, sizeof(it->force), "zone_reclaim_mode %s "
			 "reclaims local page cache before using another "
			 "node's free memory", val);
	return 0;
}

const struct mt_rule mt_rule_zone_reclaim = {
	.name = "zone_reclaim",
	.knob = "vm.zone_reclaim_mode",
	.summary = "reclaim locally before allocating on another node",
	.source = SOURCE,
	.advise = zone_reclaim_advise,
};
