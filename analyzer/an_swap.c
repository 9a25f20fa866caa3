/* Analysis of the swap benchmark: per swappiness value, the worker's
 * throughput and tail latency beside the reader's, and both costs of the
 * anon/file trade-off (swap-ins the worker waits for, file refaults the
 * reader rereads); per pressure case (working set / limit, pattern), the
 * access rate, tail latency and swap traffic.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"

#define MAXP 64

/* The swappiness metrics kept, and their names in analysis.json. */
static const char *const sw_metrics[][2] = {
	{ "worker_accesses", "worker_accesses_per_s" },
	{ "worker_latency_p50", "worker_p50_us" },
	{ "worker_latency_p99", "worker_p99_us" },
	{ "worker_latency_p999", "worker_p999_us" },
	{ "reader_throughput", "reader_mb_s" },
	{ "swap_in", "swap_in_pages_per_s" },
	{ "swap_out", "swap_out_pages_per_s" },
	{ "refault_file", "file_refaults_per_s" },
	{ "psi_full", "psi_full_pct" },
};
#define N_SW (sizeof(sw_metrics) / sizeof(sw_metrics[0]))

static const char *const pr_metrics[][2] = {
	{ "accesses", "accesses_per_s" },
	{ "latency_p50", "p50_us" },
	{ "latency_p99", "p99_us" },
	{ "latency_p999", "p999_us" },
	{ "swap_in", "swap_in_pages_per_s" },
	{ "major_faults", "major_faults_per_s" },
	{ "psi_full", "psi_full_pct" },
};
#define N_PR (sizeof(pr_metrics) / sizeof(pr_metrics[0]))

/* The record of the swappiness case s's metric, or NULL. */
static json_t *sw_record(const struct mt_run *run, double s, const char *metric)
{
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *t = mt_rec_case_str(r, "test");

		if (mt_rec_ok(r) && !strcmp(mt_rec_bench(r), "swap") && t &&
		    !strcmp(t, "swappiness") &&
		    mt_rec_case_num(r, "swappiness") == s &&
		    !strcmp(mt_rec_metric(r), metric))
			return r;
	}
	return NULL;
}

/* The value of the swappiness case s's metric, or NAN. */
static double sw_value(const struct mt_run *run, double s, const char *metric)
{
	json_t *r = sw_record(run, s, metric);

	return r ? mt_rec_value(r) : NAN;
}

/* The facts the advice rests on (facts.h): per swappiness value of the
 * sweep, the worker's rate and p99 and the reader's rate, each with the
 * interval of its samples; and the cost of one swap-in in the heaviest
 * pressure case (1 / major faults per second of a worker that does
 * nothing but fault). */
static int swap_facts(const struct mt_run *run, json_t *out, json_t *sw)
{
	static const char *const m[][3] = {
		{ "worker_accesses", "worker_accesses",
		  "the worker's "
		  "accesses per second" },
		{ "worker_latency_p99", "worker_p99",
		  "the worker's p99 "
		  "access latency" },
		{ "reader_throughput", "reader_throughput",
		  "the file "
		  "reader's throughput" },
	};
	json_t *e, *best = NULL, *r;
	size_t i;
	int rc = 0;

	json_array_foreach(sw, i, e) {
		double s = mt_jnum(e, "swappiness");

		for (size_t k = 0; rc == 0 && k < 3; k++) {
			char id[64], what[160];
			json_t *rec = sw_record(run, s, m[k][0]);

			if (!rec || !(s >= 0 && s <= 200))
				continue;
			snprintf(id, sizeof(id), "swap.s%.0f.%s", s, m[k][1]);
			snprintf(what, sizeof(what),
				 "%s at swappiness %.0f "
				 "(swappiness sweep under a memory limit)",
				 m[k][2], s);
			if (mt_fact_add_record(out, id, rec, 1, NULL, what) ==
			    -ENOMEM)
				rc = -ENOMEM;
		}
	}
	json_array_foreach(run->records, i, r) {
		const char *t = mt_rec_case_str(r, "test");

		if (mt_rec_ok(r) && !strcmp(mt_rec_bench(r), "swap") && t &&
		    !strcmp(t, "pressure") &&
		    !strcmp(mt_rec_metric(r), "major_faults") &&
		    mt_rec_value(r) > 0 &&
		    (!best || mt_rec_case_num(r, "ratio") >
				      mt_rec_case_num(best, "ratio")))
			best = r;
	}
	if (rc == 0 && best) {
		double v = mt_rec_value(best);
		double lo = mt_jnum(best, "ci95_lo");
		double hi = mt_jnum(best, "ci95_hi");
		json_t *n = json_object_get(best, "n");
		int nn = json_is_integer(n) && json_integer_value(n) > 0 &&
					 json_integer_value(n) < 1000000 ?
				 (int)json_integer_value(n) :
				 1;
		char what[160];

		snprintf(what, sizeof(what),
			 "cost of one swap-in: 1 / major "
			 "faults per second of the worker at %.3gx its memory "
			 "limit",
			 mt_rec_case_num(best, "ratio"));
		rc = mt_fact_add(out, "swap.swapin_cost", 1e6 / v,
				 nn >= 2 && hi > 0 ? 1e6 / hi : NAN,
				 nn >= 2 && lo > 0 ? 1e6 / lo : NAN, "us", nn,
				 what);
	}
	return rc == -EINVAL ? 0 : rc;
}

/* The index in arr of the entry with the extreme value of key. */
static json_t *extreme(json_t *arr, const char *key, bool max)
{
	json_t *best = NULL, *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		double v = mt_jnum(e, key);

		if (isfinite(v) && (!best || (max ? v > mt_jnum(best, key) :
						    v < mt_jnum(best, key))))
			best = e;
	}
	return best;
}

/* The trade-off of the sweep: where each side is best, in a sentence. */
static json_t *trade_off(json_t *sw)
{
	json_t *acc = extreme(sw, "worker_accesses_per_s", true);
	json_t *p99 = extreme(sw, "worker_p99_us", false);
	json_t *rd = extreme(sw, "reader_mb_s", true);
	json_t *lo = json_array_get(sw, 0);
	json_t *hi = json_array_get(sw, json_array_size(sw) - 1);
	char s[1024], a[48], p[48];

	if (!acc || !lo)
		return json_null();
	mt_format_quantity(mt_jnum(acc, "worker_accesses_per_s"), "accesses/s",
			   a, sizeof(a));
	mt_format_quantity(p99 ? mt_jnum(p99, "worker_p99_us") : NAN, "us", p,
			   sizeof(p));
	snprintf(s, sizeof(s),
		 "The worker is fastest at swappiness %.0f (%s) "
		 "and its p99 lowest at %.0f (%s); the reader is "
		 "fastest at %.0f (%.0f MB/s). From swappiness %.0f to %.0f "
		 "swap-ins go from %.0f to %.0f pages/s and file refaults "
		 "from %.0f to %.0f pages/s: each side pays for what the "
		 "other keeps.",
		 mt_jnum(acc, "swappiness"), a,
		 p99 ? mt_jnum(p99, "swappiness") : NAN, p,
		 rd ? mt_jnum(rd, "swappiness") : NAN,
		 rd ? mt_jnum(rd, "reader_mb_s") : NAN,
		 mt_jnum(lo, "swappiness"), mt_jnum(hi, "swappiness"),
		 mt_jnum(lo, "swap_in_pages_per_s"),
		 mt_jnum(hi, "swap_in_pages_per_s"),
		 mt_jnum(lo, "file_refaults_per_s"),
		 mt_jnum(hi, "file_refaults_per_s"));
	return json_pack("{s:o, s:o, s:o, s:s}", "best_worker_throughput",
			 mt_jreal(mt_jnum(acc, "swappiness")),
			 "best_worker_p99",
			 mt_jreal(p99 ? mt_jnum(p99, "swappiness") : NAN),
			 "best_reader",
			 mt_jreal(rd ? mt_jnum(rd, "swappiness") : NAN),
			 "sentence", s);
}

/* Derives the swap figures of one run. */
static json_t *swap_analyze(const struct mt_run *run, struct mt_err *err)
{
	double sv[MAXP], dummy[MAXP];
	size_t ns, i;
	json_t *out = json_object(), *sw = json_array(), *pr = json_array();
	json_t *r;

	if (!out || !sw || !pr)
		goto out_nomem;
	/* The swappiness values measured: any metric of the sweep. */
	ns = mt_run_curve(run, "swap", "worker_accesses", "swappiness", sv,
			  dummy, MAXP, "test", "swappiness", NULL);
	for (i = 0; i < ns; i++) {
		json_t *e = json_pack("{s:f}", "swappiness", sv[i]);

		for (size_t m = 0; e && m < N_SW; m++)
			json_object_set_new(
				e, sw_metrics[m][1],
				mt_jreal(sw_value(run, sv[i],
						  sw_metrics[m][0])));
		if (!e || json_array_append_new(sw, e))
			goto out_nomem;
	}
	/* Pressure cases in run order, one entry per (pattern, ratio). */
	json_array_foreach(run->records, i, r) {
		const char *t = mt_rec_case_str(r, "test");
		const char *pat = mt_rec_case_str(r, "pattern");
		double ratio = mt_rec_case_num(r, "ratio");
		json_t *e = NULL, *v;
		size_t k;

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "swap") || !t ||
		    strcmp(t, "pressure") || !pat || !isfinite(ratio))
			continue;
		json_array_foreach(pr, k, v)
			if (!strcmp(json_string_value(
					    json_object_get(v, "pattern")),
				    pat) &&
			    mt_jnum(v, "ratio") == ratio)
				e = v;
		if (!e) {
			e = json_pack("{s:s, s:f}", "pattern", pat, "ratio",
				      ratio);
			if (!e || json_array_append_new(pr, e))
				goto out_nomem;
		}
		for (size_t m = 0; m < N_PR; m++)
			if (!strcmp(mt_rec_metric(r), pr_metrics[m][0]))
				json_object_set_new(e, pr_metrics[m][1],
						    mt_jreal(mt_rec_value(r)));
	}
	if (!json_array_size(sw) && !json_array_size(pr)) {
		json_decref(out);
		json_decref(sw);
		json_decref(pr);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "swap: no swappiness or pressure record with its "
			   "case (test, swappiness or pattern and ratio)");
		return NULL;
	}
	json_object_set_new(out, "swappiness", sw);
	json_object_set_new(out, "trade_off",
			    json_array_size(sw) ? trade_off(sw) : json_null());
	json_object_set_new(out, "pressure", pr);
	if (swap_facts(run, out, sw) == -ENOMEM) {
		json_decref(out);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "swap: out of memory");
		return NULL;
	}
	return out;

out_nomem:
	json_decref(out);
	json_decref(sw);
	json_decref(pr);
	mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "swap: out of memory");
	return NULL;
}

static void swap_print(FILE *out, json_t *d)
{
	json_t *e, *t = json_object_get(d, "trade_off");
	char acc[32], p99[32], p999[32];
	size_t i;

	/* 3 significant digits, never an exponent (1.71e+07) */
	json_array_foreach(json_object_get(d, "swappiness"), i, e) {
		mt_format_num(mt_jnum(e, "worker_accesses_per_s"), 3, acc,
			      sizeof(acc));
		mt_format_num(mt_jnum(e, "worker_p99_us"), 3, p99, sizeof(p99));
		mt_format_num(mt_jnum(e, "worker_p999_us"), 3, p999,
			      sizeof(p999));
		fprintf(out,
			"  swappiness %3.0f: worker %s acc/s, p99 %s us, p999 "
			"%s us; reader %.0f MB/s; swap-in %.0f/s, file "
			"refaults %.0f/s\n",
			mt_jnum(e, "swappiness"), acc, p99, p999,
			mt_jnum(e, "reader_mb_s"),
			mt_jnum(e, "swap_in_pages_per_s"),
			mt_jnum(e, "file_refaults_per_s"));
	}
	if (json_is_object(t))
		fprintf(out, "  %s\n",
			json_string_value(json_object_get(t, "sentence")));
	json_array_foreach(json_object_get(d, "pressure"), i, e) {
		mt_format_num(mt_jnum(e, "accesses_per_s"), 3, acc,
			      sizeof(acc));
		mt_format_num(mt_jnum(e, "p99_us"), 3, p99, sizeof(p99));
		mt_format_num(mt_jnum(e, "p999_us"), 3, p999, sizeof(p999));
		fprintf(out,
			"  pressure %-7s x%.1f: %s acc/s, p99 %s us, p999 %s "
			"us, swap-in %.0f/s, PSI full %.1f%%\n",
			json_string_value(json_object_get(e, "pattern")),
			mt_jnum(e, "ratio"), acc, p99, p999,
			mt_jnum(e, "swap_in_pages_per_s"),
			mt_jnum(e, "psi_full_pct"));
	}
}

/* What a figure's getter draws: series s is metrics[s] of the sweep. */
struct sw_get {
	struct mt_run *const *runs;
	const char *const *metrics;
};

static size_t sw_get(size_t r, size_t s, double *x, double *y, size_t max,
		     void *arg)
{
	struct sw_get *g = arg;

	return mt_run_curve(g->runs[r], "swap", g->metrics[s], "swappiness", x,
			    y, max, "test", "swappiness", NULL);
}

/* Three figures over swappiness: throughput (worker and reader), the
 * worker's tail latency, and the two costs (swap-ins, file refaults). */
static int swap_plots(struct mt_report *rep, struct mt_run *const *runs,
		      json_t *const *derived, size_t n, struct mt_err *err)
{
	static const char *const m_tp[] = { "worker_accesses",
					    "reader_throughput" };
	static const char *const s_tp[] = { "worker (accesses/s)",
					    "reader (MB/s)" };
	static const char *const m_lat[] = { "worker_latency_p99",
					     "worker_latency_p999" };
	static const char *const s_lat[] = { "worker p99", "worker p99.9" };
	static const char *const m_cost[] = { "swap_in", "refault_file" };
	static const char *const s_cost[] = {
		"swap-ins (worker waits)", "file refaults (reader rereads)"
	};
	static const char *const colors[] = { "#1f77b4", "#ff7f0e" };
	json_t *d = NULL, *t, *lo, *hi;
	char reading[3][1024], p_lo[48], p_hi[48];
	int ret = 0;

	for (size_t r = 0; r < n; r++) {
		if (!d &&
		    json_array_size(json_object_get(derived[r], "swappiness")))
			d = derived[r];
	}
	if (!d)
		goto out_free;
	t = json_object_get(d, "trade_off");
	lo = json_array_get(json_object_get(d, "swappiness"), 0);
	hi = json_array_get(json_object_get(d, "swappiness"),
			    json_array_size(json_object_get(d, "swappiness")) -
				    1);
	snprintf(reading[0], sizeof(reading[0]), "%s%s",
		 json_string_value(json_object_get(t, "sentence")),
		 n > 1 ? " The figures quoted are the first run's." : "");
	mt_format_quantity(mt_jnum(lo, "worker_p99_us"), "us", p_lo,
			   sizeof(p_lo));
	mt_format_quantity(mt_jnum(hi, "worker_p99_us"), "us", p_hi,
			   sizeof(p_hi));
	snprintf(reading[1], sizeof(reading[1]),
		 "The worker's p99 access latency is %s at swappiness "
		 "%.0f and %s at %.0f: a swapped-out page costs a "
		 "swap-in, so the tail shows how much of the cold set went "
		 "to swap. p99.9 is the latency of the swap device itself.",
		 p_lo, mt_jnum(lo, "swappiness"), p_hi,
		 mt_jnum(hi, "swappiness"));
	snprintf(reading[2], sizeof(reading[2]),
		 "Low swappiness makes reclaim take page cache, which the "
		 "reader refaults (%.0f pages/s at %.0f); high swappiness "
		 "takes anonymous pages, which the worker swaps in (%.0f "
		 "pages/s at %.0f). The right value is where the dearer of "
		 "the two costs is smallest for the workload.",
		 mt_jnum(lo, "file_refaults_per_s"), mt_jnum(lo, "swappiness"),
		 mt_jnum(hi, "swap_in_pages_per_s"), mt_jnum(hi, "swappiness"));
	{
		struct sw_get g[3] = { { runs, m_tp },
				       { runs, m_lat },
				       { runs, m_cost } };
		const char *const *series[3] = { s_tp, s_lat, s_cost };
		struct mt_line_fig f[3] = {
			{ .name = "swap-throughput",
			  .bench = "swap",
			  .title = "Throughput by swappiness (memory cgroup "
				   "under pressure)",
			  .xlabel = "vm.swappiness",
			  .ylabel = "accesses/s, MB/s",
			  .logy = true,
			  .reading = reading[0] },
			{ .name = "swap-p99",
			  .bench = "swap",
			  .title = "Worker tail latency by swappiness",
			  .xlabel = "vm.swappiness",
			  .ylabel = "latency (us)",
			  .logy = true,
			  .reading = reading[1] },
			{ .name = "swap-costs",
			  .bench = "swap",
			  .title = "Swap-ins against file refaults by "
				   "swappiness",
			  .xlabel = "vm.swappiness",
			  .ylabel = "pages/s",
			  .reading = reading[2] },
		};

		for (size_t i = 0; i < 3 && !ret; i++)
			ret = mt_fig_run_lines(rep, &f[i], n, series[i], colors,
					       2, sw_get, &g[i], err);
	}
out_free:
	return ret;
}

const struct mt_analysis mt_an_swap = {
	.bench = "swap",
	.summary = "throughput and tail latency per swappiness, swap-ins "
		   "against file refaults, pressure cases",
	.analyze = swap_analyze,
	.print = swap_print,
	.plots = swap_plots,
};
