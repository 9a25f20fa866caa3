/* vm.swappiness: the relative cost of reclaiming anonymous memory (swap)
 * and page cache (file I/O), on a 0..200 scale since Linux 5.8.
 *
 * Evidence, best first: the swap benchmark's swappiness sweep (both costs
 * measured per value: the worker's swap-ins and the reader's rereads), the
 * measured cost of one swap-in against one 4 KiB file read (the kernel's own
 * definition of the knob), an observation of the workload (memtune
 * observe: its swap-ins and refaults), and last the swap device type and
 * the profile.
 * Without swap the knob has no effect and there is nothing to say. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../core/knobs.h"
#include "advisor.h"

#define SOURCE \
	"Documentation/admin-guide/sysctl/vm.rst (swappiness: " \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html#swappiness); " \
	"commit c843966c556d (\"mm: allow swappiness that prefers " \
	"reclaiming anon over the file workingset\", 5.8)"

#define MAX_SWEEP 32

int mt_swappiness_from_costs(double swap_cost, double file_cost, int lo, int hi)
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

/* One swappiness value of the sweep: its facts (ids "swap.sN.*"). */
struct sweep_point {
	int s;
	bool has_acc, has_p99, has_rd;
	struct mt_fact acc, p99, rd;
	double score, score_lo, score_hi; /* NAN when not scored */
};

/* The evidence, gathered before any decision. */
struct swappiness_facts {
	int64_t current;
	int lo, hi; /* the range this kernel accepts */
	struct sweep_point pt[MAX_SWEEP];
	size_t n;
	int best, cur; /* indexes into pt, -1 when none */
	bool have_costs;
	struct mt_fact swap_cost, file_cost; /* us per swap-in, per read */
	const char *swap_status;
};

/* The sweep point for swappiness s, added when new; NULL when full. */
static struct sweep_point *point(struct swappiness_facts *f, int s)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->pt[i].s == s)
			return &f->pt[i];
	if (f->n == MAX_SWEEP)
		return NULL;
	memset(&f->pt[f->n], 0, sizeof(f->pt[0]));
	f->pt[f->n].s = s;
	f->pt[f->n].score = f->pt[f->n].score_lo = NAN;
	f->pt[f->n].score_hi = NAN;
	return &f->pt[f->n++];
}

/* An interval's bounds, or the value twice when the fact has none (a
 * single sample: scored, but never "apart" from another). */
static void bounds(const struct mt_fact *x, double *lo, double *hi)
{
	*lo = isfinite(x->lo) ? x->lo : x->value;
	*hi = isfinite(x->hi) ? x->hi : x->value;
}

/* Scores each value of the sweep for the profile, higher is better:
 * latency wants a low worker p99; otherwise the sum of the worker's and
 * the reader's normalized rates (page_cache=keep weighs the reader
 * twice). The score's interval follows from its facts' intervals; a point
 * whose facts have no interval gets none. */
static void score_sweep(const struct mt_advise_ctx *ctx,
			struct swappiness_facts *f)
{
	const struct mt_profile *p = ctx->profile;
	bool latency = p && strcmp(p->goal, "latency") == 0;
	double w = p && strcmp(p->page_cache, "keep") == 0 ? 2.0 : 1.0;
	double max_acc = 0, max_rd = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (f->pt[i].has_acc)
			max_acc = fmax(max_acc, f->pt[i].acc.value);
		if (f->pt[i].has_rd)
			max_rd = fmax(max_rd, f->pt[i].rd.value);
	}
	f->best = f->cur = -1;
	for (size_t i = 0; i < f->n; i++) {
		struct sweep_point *q = &f->pt[i];
		double alo, ahi, rlo, rhi;
		bool interval;

		if (q->s < f->lo || q->s > f->hi)
			continue;
		if (latency && q->has_p99) {
			bounds(&q->p99, &alo, &ahi);
			q->score = -q->p99.value;
			q->score_lo = -ahi;
			q->score_hi = -alo;
			interval = isfinite(q->p99.lo);
		} else if (q->has_acc && q->has_rd && max_acc > 0 &&
			   max_rd > 0) {
			bounds(&q->acc, &alo, &ahi);
			bounds(&q->rd, &rlo, &rhi);
			q->score = q->acc.value / max_acc +
				   w * q->rd.value / max_rd;
			q->score_lo = alo / max_acc + w * rlo / max_rd;
			q->score_hi = ahi / max_acc + w * rhi / max_rd;
			interval = isfinite(q->acc.lo) && isfinite(q->rd.lo);
		} else {
			continue;
		}
		if (!interval)
			q->score_lo = q->score_hi = NAN;
		if (q->s == f->current)
			f->cur = (int)i;
		if (f->best < 0 || q->score > f->pt[f->best].score)
			f->best = (int)i;
	}
}

/* Reads the sweep's facts into f. */
static void gather_sweep(const struct mt_advise_ctx *ctx,
			 struct swappiness_facts *f)
{
	struct mt_fact all[MAX_SWEEP * 3];
	size_t n = mt_ev_facts(ctx, "swap.s", all, MAX_SWEEP * 3);

	f->n = 0;
	for (size_t i = 0; i < n && i < MAX_SWEEP * 3; i++) {
		int s, used = 0;
		char name[32];
		struct sweep_point *q;

		if (sscanf(all[i].id, "swap.s%d.%31s%n", &s, name, &used) !=
			    2 ||
		    s < 0 || s > 200 || !(q = point(f, s)))
			continue;
		if (strcmp(name, "worker_accesses") == 0)
			q->acc = all[i], q->has_acc = true;
		else if (strcmp(name, "worker_p99") == 0)
			q->p99 = all[i], q->has_p99 = true;
		else if (strcmp(name, "reader_throughput") == 0)
			q->rd = all[i], q->has_rd = true;
	}
	score_sweep(ctx, f);
}

/* The cost of one swap-in and of one random 4 KiB O_DIRECT read. */
static void gather_costs(const struct mt_advise_ctx *ctx,
			 struct swappiness_facts *f)
{
	f->have_costs = mt_ev_fact(ctx, "swap.swapin_cost", &f->swap_cost) &&
			mt_ev_fact(ctx, "odirect.rand_read_4k_p50",
				   &f->file_cost) &&
			f->swap_cost.value > 0 && f->file_cost.value > 0;
}

/* Cites the sweep point's facts the score rests on. */
static void cite_point(struct mt_item *it, const struct sweep_point *q,
		       bool latency)
{
	if (latency && q->has_p99) {
		mt_item_cite(it, &q->p99);
		return;
	}
	if (q->has_acc)
		mt_item_cite(it, &q->acc);
	if (q->has_rd)
		mt_item_cite(it, &q->rd);
}

#define TUNED_SRC \
	"tuned 2.28 profiles latency-performance and " \
	"throughput-performance, [sysctl] vm.swappiness=10 " \
	"(https://github.com/redhat-performance/tuned/tree/master/profiles)"

/* The sweep decides: the best value when its score's interval is apart
 * from the current value's, else the current value (the difference is
 * within the noise, or unmeasured). */
static int from_sweep(const struct mt_advise_ctx *ctx,
		      const struct swappiness_facts *f, struct mt_item *it)
{
	const struct mt_profile *p = ctx->profile;
	bool latency = p && strcmp(p->goal, "latency") == 0;
	const struct sweep_point *b = &f->pt[f->best];
	const struct sweep_point *c = f->cur >= 0 ? &f->pt[f->cur] : NULL;
	const char *goal = p ? p->goal : "balanced";

	cite_point(it, b, latency);
	if (c && c != b)
		cite_point(it, c, latency);
	mt_item_reason(it,
		       "The swap benchmark measured both sides of the "
		       "trade at %zu swappiness values: the worker's "
		       "swap-ins and the reader's file rereads. For a %s "
		       "goal%s, %d scored best (%s).",
		       f->n, goal,
		       p && strcmp(p->page_cache, "keep") == 0 ?
			       " that keeps the page cache" :
			       "",
		       b->s,
		       latency ? "lowest worker p99" :
				 "worker and reader rates together");
	if (!c) {
		mt_item_ground(it, MT_GROUND_INCONCLUSIVE, SOURCE);
		mt_item_reason(it,
			       "The current value %lld was not in the "
			       "sweep, so nothing measured excludes it: try "
			       "%d with memtune's A/B trial before keeping "
			       "it.",
			       (long long)f->current, b->s);
		return b->s;
	}
	if (c == b) {
		mt_item_ground(it, MT_GROUND_MEASURED, SOURCE);
		mt_item_reason(it, "That is the current value: keep it.");
		return b->s;
	}
	if (isfinite(b->score_lo) && isfinite(c->score_hi) &&
	    b->score_lo > c->score_hi) {
		mt_item_ground(it, MT_GROUND_MEASURED, SOURCE);
		mt_item_reason(it,
			       "Its 95%% interval lies clear of the "
			       "current value's (%lld).",
			       (long long)f->current);
		return b->s;
	}
	mt_item_ground(it, MT_GROUND_INCONCLUSIVE, SOURCE);
	mt_item_reason(
		it,
		"%s, so the difference from the current value "
		"(%lld) is not shown to be more than noise: keep it. "
		"More rounds (repeat, samples) would decide.",
		isfinite(b->score_lo) && isfinite(c->score_lo) ?
			"The 95% intervals of the two overlap" :
			"Each value was measured once, without an interval",
		(long long)f->current);
	return (int)f->current;
}

/* The kernel's definition decides: 200 x file / (swap + file) from the
 * measured costs; the interval of the result from theirs. */
static int from_costs(const struct swappiness_facts *f, struct mt_item *it)
{
	int rec = mt_swappiness_from_costs(f->swap_cost.value,
					   f->file_cost.value, 1, f->hi);
	bool interval = isfinite(f->swap_cost.lo) && isfinite(f->file_cost.lo);

	mt_item_cite(it, &f->swap_cost);
	mt_item_cite(it, &f->file_cost);
	mt_item_reason(it,
		       "The kernel documents swappiness as the relative "
		       "I/O cost of swapping and of file paging: 200 x file "
		       "/ (swap + file). Measured here, one swap-in costs "
		       "%.4g us and one file read %.4g us, which gives %d.",
		       f->swap_cost.value, f->file_cost.value, rec);
	if (interval) {
		/* The extremes of the ratio within both intervals. */
		int rlo = mt_swappiness_from_costs(f->swap_cost.hi,
						   f->file_cost.lo, 1, f->hi);
		int rhi = mt_swappiness_from_costs(f->swap_cost.lo,
						   f->file_cost.hi, 1, f->hi);

		mt_item_evidence(it,
				 "swappiness from the costs' 95%% "
				 "intervals: %d..%d",
				 rlo, rhi);
		mt_item_ground(it, MT_GROUND_MEASURED, SOURCE);
		if (f->current >= rlo && f->current <= rhi) {
			mt_item_reason(it,
				       "The current value %lld lies within "
				       "%d..%d, what the costs' intervals "
				       "allow: keep it.",
				       (long long)f->current, rlo, rhi);
			return (int)f->current;
		}
		mt_item_reason(it,
			       "The current value %lld lies outside "
			       "%d..%d, what the costs' intervals allow.",
			       (long long)f->current, rlo, rhi);
		return rec;
	}
	mt_item_ground(it, MT_GROUND_INCONCLUSIVE, SOURCE);
	mt_item_reason(it, "One of the costs has no interval (a single "
			   "sample), so the figure is a point estimate.");
	return rec;
}

/* No measurement: the swap device and the profile. */
static int from_state(const struct mt_advise_ctx *ctx,
		      const struct swappiness_facts *f, struct mt_item *it,
		      const char *reason)
{
	const struct mt_profile *p = ctx->profile;
	bool latency = p && strcmp(p->goal, "latency") == 0;
	const char *dev = ctx->swap_kind == MT_SWAP_FILE ? "a file" : "a disk";
	int rec;

	if (f->swap_status)
		mt_item_evidence(it, "swap benchmark: %s%s%s", f->swap_status,
				 reason[0] ? ": " : "", reason);
	else
		mt_item_evidence(it, "no swap benchmark in the run: no "
				     "measurement of swap versus file cost");
	if (ctx->swap_kind == MT_SWAP_ZRAM) {
		rec = f->hi >= 200 ? 180 : 100;
		mt_item_evidence(it, "swap is zram (compressed memory)");
		mt_item_ground(it, MT_GROUND_PRACTICE, SOURCE);
		mt_item_reason(it,
			       "Swap is zram: a swap-in is a "
			       "decompression, far cheaper than reading a "
			       "file page from disk. The kernel's "
			       "documentation says values beyond 100 can be "
			       "considered for in-memory swap such as zram; "
			       "%d itself is practice, not a documented "
			       "figure: measure it with the swap and odirect "
			       "benchmarks.",
			       rec);
		return rec;
	}
	if (latency || (p && strcmp(p->page_cache, "keep") == 0 &&
			strcmp(p->goal, "throughput") != 0)) {
		mt_item_evidence(it, "swap on %s", dev);
		mt_item_ground(it, MT_GROUND_DOCUMENTED, TUNED_SRC);
		mt_item_reason(it,
			       "Swap is on %s and the profile puts %s "
			       "first: a swap-in stalls the faulting thread "
			       "for a disk read. tuned's latency-performance "
			       "and throughput-performance profiles set 10: "
			       "keep anonymous memory resident and reclaim "
			       "page cache first. Not 0: that disables swap "
			       "until the free and file pages are below the "
			       "high watermark, and the OOM killer comes "
			       "sooner.",
			       dev,
			       latency ? "latency" :
					 "the database's own memory");
		return 10;
	}
	mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
	mt_item_reason(it,
		       "Swap is on %s and nothing was measured: the "
		       "kernel's default balance (60) stands until the swap "
		       "and odirect benchmarks measure the costs.",
		       dev);
	return (int)f->current;
}

/* What an observation (memtune observe) says of the trade: swap-ins and
 * both kinds of refault, and the service cgroup whose anonymous memory
 * refaults, if one was observed. */
struct obs_facts {
	bool have;
	struct mt_fact swapin, ra, rf, svc_ra;
	bool have_ra, have_rf, have_svc;
	char svc[160];	/* the cgroup target's id */
	char unit[128]; /* its systemd unit, "" when it is none */
};

static void gather_observation(const struct mt_advise_ctx *ctx,
			       struct obs_facts *o)
{
	json_t *t;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->have = mt_ev_fact(ctx, "observe.swapin_bytes_per_s", &o->swapin);
	o->have_ra = mt_ev_fact(ctx, "observe.refault_anon_per_s", &o->ra);
	o->have_rf = mt_ev_fact(ctx, "observe.refault_file_per_s", &o->rf);
	json_array_foreach(json_object_get(mt_analysis_derived(ctx->analysis,
							       "observe"),
					   "targets"),
			   i, t) {
		const char *kind = json_string_value(json_object_get(t,
								     "kind"));
		char id[64];
		struct mt_fact f;

		snprintf(id, sizeof(id), "observe.t%zu.refault_anon_per_s", i);
		if (!kind || strcmp(kind, "cgroup") ||
		    !mt_ev_fact(ctx, id, &f) || !(f.lo > 0) ||
		    (o->have_svc && f.value <= o->svc_ra.value))
			continue;
		o->svc_ra = f;
		o->have_svc = true;
		snprintf(o->svc, sizeof(o->svc), "%s",
			 json_string_value(json_object_get(t, "id")) ?: "?");
		mt_ev_observed_unit(t, o->unit, sizeof(o->unit));
	}
}

/* The observation decides: swap-ins the workload waits for argue for a
 * lower value, or for protecting the one service that pays them. */
static int from_observation(const struct mt_advise_ctx *ctx,
			    const struct swappiness_facts *f,
			    const struct obs_facts *o, struct mt_item *it)
{
	double pages = o->swapin.value / 4096;
	bool swapping = o->swapin.value > 0 && o->swapin.lo > 0;

	(void)ctx;
	mt_item_cite(it, &o->swapin);
	if (o->have_ra)
		mt_item_cite(it, &o->ra);
	if (o->have_rf)
		mt_item_cite(it, &o->rf);
	if (swapping && (!o->have_rf || o->rf.value < pages)) {
		if (o->have_svc) {
			mt_item_cite(it, &o->svc_ra);
			mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
			mt_item_reason(it,
				       "The observation measured %.0f "
				       "swap-ins a second, more than the file "
				       "refaults, and they are %s's: its "
				       "anonymous memory refaults at %.0f "
				       "pages/s. Protect that service with "
				       "memory.low %s rather than lowering "
				       "swappiness, which would move reclaim "
				       "onto every other process's page "
				       "cache: keep %lld.",
				       pages, o->svc, o->svc_ra.value,
				       o->unit[0] ?
					       "(the cgroup item: MemoryLow= "
					       "for its unit)" :
					       "on its cgroup (cgroup v2; "
					       "memory.soft_limit_in_bytes "
					       "under v1); memtune writes "
					       "that item only for a systemd "
					       "unit (observe it with --unit)",
				       (long long)f->current);
			return (int)f->current;
		}
		mt_item_ground(it, MT_GROUND_PRACTICE, TUNED_SRC);
		mt_item_reason(it,
			       "The observation measured %.0f swap-ins a "
			       "second (95%% interval above 0), more than the "
			       "file refaults: reclaim takes anonymous pages "
			       "the workload needs again. The kernel defines "
			       "swappiness as the relative cost of the two; "
			       "a lower value makes reclaim take page cache "
			       "first. 10 is tuned's value, practice rather "
			       "than a measured figure: confirm with the swap "
			       "benchmark's sweep.",
			       pages);
		return f->current < 10 ? (int)f->current : 10;
	}
	if (o->have_rf && o->rf.lo > 0 && o->rf.value > 10 * pages) {
		mt_item_ground(it, MT_GROUND_INCONCLUSIVE, SOURCE);
		mt_item_reason(it,
			       "The observation's cost is file refaults "
			       "(%.0f pages/s) rather than swap-ins (%.0f/s): "
			       "a higher swappiness would trade them for "
			       "swap-ins, worth it only when a swap-in is the "
			       "cheaper of the two, which the swap and "
			       "odirect benchmarks measure: keep %lld.",
			       o->rf.value, pages, (long long)f->current);
		return (int)f->current;
	}
	mt_item_ground(it,
		       isfinite(o->swapin.hi) && o->swapin.hi < 4096 ?
			       MT_GROUND_MEASURED :
			       MT_GROUND_INCONCLUSIVE,
		       SOURCE);
	mt_item_reason(it,
		       "The observation shows no swapping the workload "
		       "pays for (%.3g swap-ins a second): nothing argues "
		       "for a change; keep %lld.",
		       pages, (long long)f->current);
	return (int)f->current;
}

static int swappiness_advise(const struct mt_advise_ctx *ctx,
			     struct mt_advice *out, struct mt_err *err)
{
	struct swappiness_facts f = { 0 };
	struct obs_facts obs;
	char cur[32], val[32], reason[256] = "";
	struct mt_item *it;
	int rec;

	(void)err;
	if (!mt_ev_sysctl(ctx, "swappiness", &f.current))
		return 0;
	/* The range this kernel accepts, from the one table of knobs. */
	{
		struct mt_knob k;

		mt_knob_lookup_kv("vm.swappiness", ctx->mem_total,
				  MT_KV(ctx->kernel_major, ctx->kernel_minor),
				  &k);
		f.lo = (int)k.min;
		f.hi = (int)k.max;
	}
	f.swap_status = mt_ev_bench_status(ctx, "swap", reason, sizeof(reason));
	gather_sweep(ctx, &f);
	gather_costs(ctx, &f);
	gather_observation(ctx, &obs);

	it = mt_advice_add(out, &mt_rule_swappiness, "swappiness");
	if (!it)
		return -ENOMEM;
	snprintf(cur, sizeof(cur), "%lld", (long long)f.current);
	snprintf(it->current, sizeof(it->current), "%s", cur);
	mt_item_sysctl(it, "swappiness", cur);
	mt_item_evidence(it, "valid range on this kernel %d..%d", f.lo, f.hi);

	if (ctx->swap_total == 0) {
		mt_item_ground(it, MT_GROUND_HARD_RULE, SOURCE);
		mt_item_evidence(it, "no active swap (SwapTotal 0)");
		mt_item_reason(it,
			       "There is no swap, so swappiness has no "
			       "effect: anonymous memory cannot be reclaimed "
			       "and the kernel reclaims only page cache. "
			       "Nothing to change; revisit after adding "
			       "swap.");
		return 0;
	}
	if (f.best >= 0)
		rec = from_sweep(ctx, &f, it);
	else if (f.have_costs)
		rec = from_costs(&f, it);
	else if (obs.have)
		rec = from_observation(ctx, &f, &obs, it);
	else
		rec = from_state(ctx, &f, it, reason);
	if (rec < f.lo)
		rec = f.lo;
	if (rec > f.hi)
		rec = f.hi;
	snprintf(val, sizeof(val), "%d", rec);
	mt_item_sysctl(it, "swappiness", val);
	it->change = rec != f.current;
	/* The threshold and its reason are the knob table's. */
	(void)mt_apply_guarded("vm.swappiness", val, ctx->mem_total, it->force,
			       sizeof(it->force));
	return 0;
}

/* The swappiness sweep's case at the value in force: a worker's anonymous
 * set against a file reader in a memory cgroup. */
static const char *const trial_set[] = { "tests=swappiness",
					 "swappiness=current", "duration=3s",
					 "warmup=1s", NULL };
static const char *const trial_metrics[] = { "worker_accesses",
					     "reader_throughput", NULL };
static const struct mt_rule_trial trial = { "swap", trial_set, trial_metrics };

const struct mt_rule mt_rule_swappiness = {
	.name = "swappiness",
	.knob = "vm.swappiness",
	.summary = "balance of swapping anonymous memory against dropping "
		   "page cache",
	.source = SOURCE,
	.advise = swappiness_advise,
	.trial = &trial,
};
