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

/* What the numa benchmark measured (bench/numa.c): the "latency" matrix
 * (case op=latency, cpu_node, mem_node; metric latency in ns) and the
 * zone_reclaim cases (case op=zone_reclaim, zone_reclaim_mode 0 and 1;
 * metrics alloc_ms, local_fraction, file_reclaimed in bytes and
 * latency_after in ns). */
struct zr_facts {
	int64_t current;
	/* Mean over CPU nodes of remote / local chase latency, each remote
	 * cell divided by the local cell of the same CPU node: NAN if the
	 * matrix is missing. */
	double remote_ratio;
	size_t remote_cells;
	bool zr_measured;	/* both zone_reclaim cases are complete */
	double alloc_ms[2], local_fraction[2], reclaimed[2], lat_after[2];
};

/* The value of metric of the zone_reclaim case with that mode, or NAN. */
static double zr_metric(const struct mt_advise_ctx *ctx, int mode,
			const char *metric)
{
	char filter[64];
	json_t *r;

	snprintf(filter, sizeof(filter),
		 "op=zone_reclaim,zone_reclaim_mode=%d", mode);
	if (!mt_ev_select(ctx, "numa", metric, filter, &r, 1))
		return NAN;
	return mt_ev_num(r, "value");
}

/* The chase latency from cpu_node c to mem_node m, or NAN. */
static double cell(const struct mt_advise_ctx *ctx, int64_t c, int64_t m)
{
	char filter[96];
	json_t *r;

	snprintf(filter, sizeof(filter), "op=latency,cpu_node=%lld,"
		 "mem_node=%lld", (long long)c, (long long)m);
	if (!mt_ev_select(ctx, "numa", "latency", filter, &r, 1))
		return NAN;
	return mt_ev_num(r, "value");
}

static void gather(const struct mt_advise_ctx *ctx, struct zr_facts *f)
{
	json_t *recs[256];
	size_t n = mt_ev_select(ctx, "numa", "latency", "op=latency", recs,
				256);
	double sum = 0;

	f->remote_ratio = NAN;
	f->remote_cells = 0;
	for (size_t i = 0; i < n && i < 256; i++) {
		int64_t c, m;
		double local, v = mt_ev_num(recs[i], "value");

		if (!mt_ev_case_int(recs[i], "cpu_node", &c) ||
		    !mt_ev_case_int(recs[i], "mem_node", &m) || c == m)
			continue;
		local = cell(ctx, c, c);
		if (!(local > 0) || !(v > 0))
			continue;
		sum += v / local;
		f->remote_cells++;
	}
	if (f->remote_cells)
		f->remote_ratio = sum / (double)f->remote_cells;
	f->zr_measured = true;
	for (int mode = 0; mode < 2; mode++) {
		f->alloc_ms[mode] = zr_metric(ctx, mode, "alloc_ms");
		f->local_fraction[mode] = zr_metric(ctx, mode,
						    "local_fraction");
		f->reclaimed[mode] = zr_metric(ctx, mode, "file_reclaimed");
		f->lat_after[mode] = zr_metric(ctx, mode, "latency_after");
		if (isnan(f->local_fraction[mode]) ||
		    isnan(f->reclaimed[mode]) || isnan(f->lat_after[mode]))
			f->zr_measured = false;
	}
}

/* The evidence lines of the measured zone_reclaim cases. */
static void cite_cases(struct mt_item *it, const struct zr_facts *f)
{
	char b[32];

	for (int mode = 0; mode < 2; mode++) {
		double rec = f->reclaimed[mode];

		mt_item_evidence(it, "numa zone_reclaim case, mode %d: "
				 "local_fraction %.3f of the new pages on "
				 "the allocating node, file_reclaimed %s of "
				 "page cache, alloc_ms %.0f, latency_after "
				 "%.0f ns", mode, f->local_fraction[mode],
				 rec > 0 ? mt_ev_bytes((uint64_t)rec, b,
						       sizeof(b)) : "0 B",
				 f->alloc_ms[mode], f->lat_after[mode]);
	}
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
	if (!isnan(f.remote_ratio)) {
		it->measured = true;
		mt_item_evidence(it, "numa latency matrix: remote/local "
				 "%.2fx (mean of %zu remote cell%s, each "
				 "over its CPU node's local cell)",
				 f.remote_ratio, f.remote_cells,
				 f.remote_cells == 1 ? "" : "s");
	}
	if (ctx->numa_nodes <= 1) {
		it->confidence = MT_CONF_HIGH;
		mt_item_reason(it, "One node: there is no other node to "
			       "allocate from, so zone reclaim has nothing "
			       "to decide. 0 is the kernel's default.");
	} else if (f.zr_measured) {
		double gain = f.lat_after[0] / f.lat_after[1];
		double kept = f.local_fraction[1] - f.local_fraction[0];
		bool locality = f.remote_ratio >= 1.3 && gain >= 1.3;
		char b[32];

		it->measured = true;
		it->confidence = MT_CONF_MEDIUM;
		cite_cases(it, &f);
		mt_item_reason(it, "Measured here: with zone_reclaim_mode 1 "
			       "%.0f%% of the new pages stayed on the "
			       "allocating node (%.0f%% with 0), and the "
			       "kernel reclaimed %s of page cache to do "
			       "it. ", f.local_fraction[1] * 100,
			       f.local_fraction[0] * 100,
			       mt_ev_bytes(f.reclaimed[1] > 0 ?
					   (uint64_t)f.reclaimed[1] : 0, b,
					   sizeof(b)));
		if (locality && kept > 0.2 && !keep_cache) {
			rec = 1;
			mt_item_reason(it, "Remote memory is %.2fx slower "
				       "than local here and the local pages "
				       "made later accesses %.0f%% faster, "
				       "and the profile does not rely on the "
				       "page cache: 1.", f.remote_ratio,
				       (gain - 1) * 100);
		} else if (!locality) {
			if (isnan(f.remote_ratio))
				mt_item_reason(it, "No latency matrix shows "
					       "remote memory to be slower, ");
			else if (f.remote_ratio < 1.3)
				mt_item_reason(it, "The latency matrix "
					       "measured remote memory at "
					       "%.2fx local, ", f.remote_ratio);
			else
				mt_item_reason(it, "The accesses after the "
					       "allocation were not clearly "
					       "faster with the local pages, ");
			mt_item_reason(it, "so locality does not pay for the "
				       "lost page cache here: keep 0, the "
				       "kernel's default.");
			if (!isnan(f.remote_ratio) && f.remote_ratio < 1.3 &&
			    gain >= 1.3)
				mt_item_reason(it, " The case's own latency "
					       "difference (%.2fx) disagrees "
					       "with the matrix: noise, not "
					       "locality.", gain);
		} else {
			mt_item_reason(it, "Locality is worth %.2fx here, "
				       "but %s: keep 0.", f.remote_ratio,
				       keep_cache ? "the profile keeps the "
				       "page cache, which zone reclaim would "
				       "throw away" : "zone reclaim barely "
				       "changed where the pages landed");
		}
	} else {
		it->confidence = MT_CONF_MEDIUM;
		if (isnan(f.remote_ratio))
			mt_item_evidence(it, "numa benchmark: %s",
					 mt_ev_bench_status(ctx, "numa", NULL,
							    0) ?: "not in "
					 "the run");
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
