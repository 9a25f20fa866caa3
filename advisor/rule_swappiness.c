/* vm.swappiness: the relative cost of reclaiming anonymous memory (swap)
 * and page cache (file I/O), on a 0..200 scale since Linux 5.8.
 *
 * Evidence, best first: the swap benchmark's swappiness sweep (both costs
 * measured per value: the worker's swap-ins and the reader's rereads), the
 * measured cost of one swap-in against one 4 KiB file read (the kernel's own
 * definition of the knob), and last the swap device type and the profile.
 * Without swap the knob has no effect and there is nothing to say. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

#define SOURCE "Documentation/admin-guide/sysctl/vm.rst (swappiness: " \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html#swappiness); " \
	"commit c843966c556d (\"mm: allow swappiness that prefers " \
	"reclaiming anon over the file workingset\", 5.8)"

#define MAX_SWEEP 32

int mt_swappiness_from_costs(double swap_cost, double file_cost, int lo,
			     int hi)
{
	double v;

	if (!(swap_cost > 0) || !(file_cost > 0))
		return -1;
	/* x swap + y file = 200 with x/y the inverse of the cost ratio. */
	v = 200.0 * file_cost / (swap_cost + file_cost);
	v = round(v);
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return (int)v;
}

/* The evidence, gathered before any decision. */
struct swappiness_facts {
	int64_t current;
	int lo, hi;		/* the range this kernel accepts */
	/* the sweep: the best measured value for the profile */
	int sweep_best;		/* -1: no sweep */
	size_t sweep_n;
	double sweep_score_best, sweep_score_current;
	/* the costs: us per swap-in and per 4 KiB file read */
	double swap_cost_us, file_cost_us;
	const char *swap_status;
};

/* Score of one swappiness value for the profile, from the sweep's records
 * of that value: latency wants a low worker p99; throughput the sum of the
 * worker's and the reader's normalized rates (page_cache=keep weighs the
 * reader twice). Higher is better. */
static double sweep_score(const struct mt_advise_ctx *ctx, json_t *worker_p99,
			  json_t *worker_acc, json_t *reader, double max_acc,
			  double max_read)
{
	const struct mt_profile *p = ctx->profile;
	double w = p && strcmp(p->page_cache, "keep") == 0 ? 2.0 : 1.0;

	if (p && strcmp(p->goal, "latency") == 0 && worker_p99)
		return -mt_ev_num(worker_p99, "value");
	if (!worker_acc || !reader || !(max_acc > 0) || !(max_read > 0))
		return NAN;
	return mt_ev_num(worker_acc, "value") / max_acc +
	       w * mt_ev_num(reader, "value") / max_read;
}

/* Reads the sweep into f. */
static void gather_sweep(const struct mt_advise_ctx *ctx,
			 struct swappiness_facts *f)
{
	json_t *acc[MAX_SWEEP];
	size_t n = mt_ev_select(ctx, "swap", "worker_accesses",
				"test=swappiness", acc, MAX_SWEEP);
	double max_acc = 0, max_read = 0;

	f->sweep_best = -1;
	f->sweep_score_current = NAN;
	if (n > MAX_SWEEP)
		n = MAX_SWEEP;
	f->sweep_n = n;
	for (size_t i = 0; i < n; i++) {
		int64_t s;
		char filter[96];
		json_t *rd;

		if (!mt_ev_case_int(acc[i], "swappiness", &s))
			continue;
		snprintf(filter, sizeof(filter),
			 "test=swappiness,swappiness=%lld", (long long)s);
		if (mt_ev_select(ctx, "swap", "reader_throughput", filter,
				 &rd, 1))
			max_read = fmax(max_read, mt_ev_num(rd, "value"));
		max_acc = fmax(max_acc, mt_ev_num(acc[i], "value"));
	}
	for (size_t i = 0; i < n; i++) {
		json_t *rd = NULL, *p99 = NULL;
		char filter[96];
		int64_t s;
		double sc;

		if (!mt_ev_case_int(acc[i], "swappiness", &s) || s < f->lo ||
		    s > f->hi)
			continue;
		snprintf(filter, sizeof(filter),
			 "test=swappiness,swappiness=%lld", (long long)s);
		mt_ev_select(ctx, "swap", "reader_throughput", filter, &rd, 1);
		mt_ev_select(ctx, "swap", "worker_latency_p99", filter, &p99,
			     1);
		sc = sweep_score(ctx, p99, acc[i], rd, max_acc, max_read);
		if (isnan(sc))
			continue;
		if (s == f->current)
			f->sweep_score_current = sc;
		if (f->sweep_best < 0 || sc > f->sweep_score_best) {
			f->sweep_best = (int)s;
			f->sweep_score_best = sc;
		}
	}
}

/* The cost of one swap-in (the heaviest pressure case: a worker blocked
 * on faults does about major_faults of them per second) and of one random
 * 4 KiB O_DIRECT read. */
static void gather_costs(const struct mt_advise_ctx *ctx,
			 struct swappiness_facts *f)
{
	json_t *recs[64], *od;
	size_t n = mt_ev_select(ctx, "swap", "major_faults", "test=pressure",
				recs, 64);
	double best_ratio = 0;

	f->swap_cost_us = f->file_cost_us = NAN;
	for (size_t i = 0; i < n && i < 64; i++) {
		json_t *r = json_object_get(json_object_get(recs[i], "case"),
					    "ratio");
		double faults = mt_ev_num(recs[i], "value");

		if (json_is_number(r) && json_number_value(r) > best_ratio &&
		    faults > 0) {
			best_ratio = json_number_value(r);
			f->swap_cost_us = 1e6 / faults;
		}
	}
	if (mt_ev_select(ctx, "odirect", "lat_p50",
			 "op=read,pattern=rand,mode=direct,block_bytes=4096",
			 &od, 1))
		f->file_cost_us = mt_ev_num(od, "value");
}

static int swappiness_advise(const struct mt_advise_ctx *ctx,
			     struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	bool latency = p && strcmp(p->goal, "latency") == 0;
	struct swappiness_facts f = { 0 };
	char cur[32], val[32], reason[256] = "";
	struct mt_item *it;
	int rec;

	(void)err;
	if (!mt_ev_sysctl(ctx, "swappiness", &f.current))
		return 0;
	f.lo = 0;
	f.hi = mt_ev_kernel_at_least(ctx, 5, 8) ? 200 : 100;
	f.swap_status = mt_ev_bench_status(ctx, "swap", reason,
					   sizeof(reason));
	gather_sweep(ctx, &f);
	gather_costs(ctx, &f);

	it = mt_advice_add(out, &mt_rule_swappiness, "swappiness");
	if (!it)
		return -ENOMEM;
	snprintf(cur, sizeof(cur), "%lld", (long long)f.current);
	snprintf(it->current, sizeof(it->current), "%s", cur);
	mt_item_sysctl(it, "swappiness", cur);
	mt_item_evidence(it, "valid range on this kernel %d..%d", f.lo, f.hi);

	if (ctx->swap_total == 0) {
		it->confidence = MT_CONF_HIGH;
		mt_item_evidence(it, "no active swap (SwapTotal 0)");
		mt_item_reason(it, "There is no swap, so swappiness has no "
			       "effect: anonymous memory cannot be reclaimed "
			       "and the kernel reclaims only page cache. "
			       "Nothing to change; revisit after adding "
			       "swap.");
		return 0;
	}
	if (f.sweep_best >= 0) {
		rec = f.sweep_best;
		it->measured = true;
		it->confidence = f.sweep_n >= 3 ? MT_CONF_HIGH : MT_CONF_MEDIUM;
		mt_item_evidence(it, "swap benchmark swappiness sweep: %zu "
				 "values, best for goal %s is %d", f.sweep_n,
				 p ? p->goal : "balanced", rec);
		mt_item_reason(it, "The swap benchmark measured both sides "
			       "of the trade at each swappiness value: the "
			       "worker's swap-ins and the reader's file "
			       "rereads. For a %s goal%s, %d did best.",
			       p ? p->goal : "balanced",
			       p && strcmp(p->page_cache, "keep") == 0 ?
			       " that keeps the page cache" : "", rec);
		if (!isnan(f.sweep_score_current) &&
		    f.sweep_score_best - f.sweep_score_current <
			    0.05 * fabs(f.sweep_score_current)) {
			rec = (int)f.current;
			mt_item_reason(it, "The current value scored within "
				       "5%% of it, which is within the noise: "
				       "keep it.");
		}
	} else if (!isnan(f.swap_cost_us) && !isnan(f.file_cost_us)) {
		rec = mt_swappiness_from_costs(f.swap_cost_us, f.file_cost_us,
					       1, f.hi);
		it->measured = true;
		it->confidence = MT_CONF_MEDIUM;
		mt_item_evidence(it, "swap-in ~%.1f us/fault (swap pressure "
				 "case), 4 KiB random O_DIRECT read p50 %.1f "
				 "us (odirect)", f.swap_cost_us,
				 f.file_cost_us);
		mt_item_reason(it, "The kernel documents swappiness as the "
			       "relative I/O cost of swapping and of file "
			       "paging: 200 x file / (swap + file). Measured "
			       "here, one swap-in costs %.1f us and one file "
			       "read %.1f us, which gives %d.",
			       f.swap_cost_us, f.file_cost_us, rec);
	} else {
		it->confidence = MT_CONF_LOW;
		if (f.swap_status)
			mt_item_evidence(it, "swap benchmark: %s%s%s",
					 f.swap_status, reason[0] ? ": " : "",
					 reason);
		else
			mt_item_evidence(it, "no swap benchmark in the run: "
					 "no measurement of swap versus file "
					 "cost");
		if (ctx->swap_kind == MT_SWAP_ZRAM) {
			/* Compressed RAM swaps in in microseconds, far
			 * faster than a file read from disk. */
			rec = f.hi >= 200 ? 180 : 100;
			mt_item_evidence(it, "swap is zram (compressed "
					 "memory)");
			mt_item_reason(it, "Swap is zram: a swap-in is a "
				       "decompression, typically far cheaper "
				       "than reading a file page from disk, "
				       "so reclaim should prefer anonymous "
				       "memory (%d).", rec);
		} else if (latency || (p && strcmp(p->page_cache, "keep") ==
						0 && strcmp(p->goal,
							    "throughput") != 0)) {
			rec = 10;
			mt_item_evidence(it, "swap on %s", ctx->swap_kind ==
					 MT_SWAP_FILE ? "a file" : "a disk");
			mt_item_reason(it, "Swap is on %s and the profile "
				       "puts %s first: a swap-in stalls the "
				       "faulting thread for a disk read, so "
				       "keep anonymous memory resident and "
				       "reclaim page cache first (10). Not 0: "
				       "that disables swap until the free "
				       "and file pages are below the high "
				       "watermark, and the OOM killer comes "
				       "sooner.", ctx->swap_kind ==
				       MT_SWAP_FILE ? "a file" : "a disk",
				       latency ? "latency" :
				       "the database's own memory");
		} else {
			rec = (int)f.current;
			mt_item_reason(it, "Swap is on %s and nothing was "
				       "measured: the kernel's balance (60 "
				       "by default) is as good a guess as "
				       "any. Run the swap and odirect "
				       "benchmarks to measure the costs.",
				       ctx->swap_kind == MT_SWAP_FILE ?
				       "a file" : "a disk");
		}
	}
	if (rec < f.lo)
		rec = f.lo;
	if (rec > f.hi)
		rec = f.hi;
	snprintf(val, sizeof(val), "%d", rec);
	mt_item_sysctl(it, "swappiness", val);
	it->change = rec != f.current;
	if (rec == 0)
		snprintf(it->force, sizeof(it->force), "swappiness=0 keeps "
			 "anonymous memory until the page cache is nearly "
			 "gone and brings the OOM killer sooner");
	return 0;
}

const struct mt_rule mt_rule_swappiness = {
	.name = "swappiness",
	.knob = "vm.swappiness",
	.summary = "balance of swapping anonymous memory against dropping "
		   "page cache",
	.source = SOURCE,
	.advise = swappiness_advise,
};
