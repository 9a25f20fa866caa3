/* Analysis of the hugepage benchmark: first-touch fault cost per backing,
 * THP coverage obtained, and the bandwidth and random-load gains of each
 * huge-page backing over 4 KiB pages. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"

static const char *const backings[] = { "4k", "thp", "2m", "1g" };
#define N_BACKINGS 4

/* The metrics kept per backing, with the op whose case measures them. */
static const struct {
	const char *metric, *op;
} wanted[] = {
	{ "touch_ns_per_4k", "touch" }, { "fault_ns", "touch" },
	{ "faults_per_4k", "touch" },	{ "thp_coverage", "touch" },
	{ "read_bw", "seqread" },	{ "write_bw", "seqwrite" },
	{ "random_rate", "random" },
};
#define N_WANTED (sizeof(wanted) / sizeof(wanted[0]))

/* The facts the hugetlb pool advice rests on (facts.h): the random load
 * rate of each hugetlb backing over 4 KiB pages, with the interval of the
 * ratio from both records' intervals. Returns 0 or -ENOMEM. */
static int hp_pool_facts(const struct mt_run *run, json_t *out)
{
	static const char *const pools[] = { "2m", "1g" };
	json_t *base = mt_run_find(run, "hugepage", "random_rate", "backing",
				   "4k", "op", "random", NULL);

	for (size_t i = 0; base && mt_rec_value(base) > 0 && i < 2; i++) {
		json_t *r = mt_run_find(run, "hugepage", "random_rate",
					"backing", pools[i], "op", "random",
					NULL);
		double lo = NAN, hi = NAN, blo, bhi, rlo, rhi;
		double n = fmin(mt_jnum(r, "n"), mt_jnum(base, "n"));
		char id[64], what[128];

		if (!r || !isfinite(mt_rec_value(r)))
			continue;
		/* A ratio inside the run: the machine's change between
		 * runs moves both (mt_rec_ci_within). */
		mt_rec_ci_within(base, &blo, &bhi);
		mt_rec_ci_within(r, &rlo, &rhi);
		if (n >= 2 && blo > 0) {
			lo = rlo / bhi;
			hi = rhi / blo;
		}
		snprintf(id, sizeof(id), "hugepage.random_rate_ratio_%s",
			 pools[i]);
		snprintf(what, sizeof(what),
			 "random load rate on hugetlb "
			 "%s pages over 4 KiB pages",
			 pools[i]);
		if (mt_fact_add(out, id, mt_rec_value(r) / mt_rec_value(base),
				lo, hi, "ratio", n >= 1 && n < 1e9 ? (int)n : 1,
				what) == -ENOMEM)
			return -ENOMEM;
	}
	return 0;
}

/* "hugepage.thp_fault_us": what one THP first-touch fault costs (it zeroes
 * 2 MiB), the median with its 95% interval; the cost the THP advice weighs
 * against the page-walk savings (issue 13). Nothing without the record. */
static void thp_fault_fact(const struct mt_run *run, json_t *out)
{
	json_t *r = mt_run_find(run, "hugepage", "fault_ns", "backing", "thp",
				"op", "touch", NULL);
	double v = mt_rec_value(r), lo, hi;
	json_t *n;

	if (!r || !(v > 0))
		return;
	lo = json_number_value(json_object_get(r, "ci95_lo"));
	hi = json_number_value(json_object_get(r, "ci95_hi"));
	n = json_object_get(r, "n");
	mt_fact_add(out, "hugepage.thp_fault_us", v / 1000,
		    lo > 0 && hi >= lo ? lo / 1000 : NAN,
		    lo > 0 && hi >= lo ? hi / 1000 : NAN, "us",
		    json_is_integer(n) ? (int)json_integer_value(n) : 0,
		    "one THP first-touch fault (the kernel zeroes a whole "
		    "huge page), median");
}

/* Derives per-backing figures and the gains over 4k. */
static json_t *hp_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *out = json_object(), *per = json_object(), *gain;
	size_t found = 0;

	if (!out || !per) {
		json_decref(out);
		json_decref(per);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "hugepage: out of memory");
		return NULL;
	}
	json_object_set_new(out, "backings", per);
	for (size_t b = 0; b < N_BACKINGS; b++) {
		json_t *o = json_object();

		for (size_t m = 0; m < N_WANTED; m++) {
			json_t *r = mt_run_find(run, "hugepage",
						wanted[m].metric, "backing",
						backings[b], "op", wanted[m].op,
						NULL);

			if (r)
				json_object_set_new(o, wanted[m].metric,
						    json_real(mt_rec_value(r)));
		}
		if (json_object_size(o)) {
			found++;
			json_object_set_new(per, backings[b], o);
		} else {
			json_decref(o);
		}
	}
	if (!found) {
		json_decref(out);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "hugepage: no record with a known backing and op "
			   "in its case");
		return NULL;
	}
	gain = json_object();
	json_object_set_new(out, "gain_vs_4k_pct", gain);
	for (size_t b = 1; b < N_BACKINGS; b++) {
		json_t *base = json_object_get(per, "4k");
		json_t *o = json_object_get(per, backings[b]), *g;
		static const char *const bw[] = { "read_bw", "write_bw",
						  "random_rate" };

		if (!o || !base)
			continue;
		g = json_object();
		for (size_t i = 0; i < 3; i++) {
			double a = mt_jnum(base, bw[i]), v = mt_jnum(o, bw[i]);

			if (a > 0 && isfinite(v))
				json_object_set_new(g, bw[i],
						    json_real((v / a - 1) *
							      100));
		}
		json_object_set_new(gain, backings[b], g);
	}
	if (hp_pool_facts(run, out) < 0) {
		json_decref(out);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "hugepage: out of memory");
		return NULL;
	}
	thp_fault_fact(run, out);
	return out;
}

static void hp_print(FILE *out, json_t *d)
{
	const char *b;
	json_t *o;

	json_object_foreach(json_object_get(d, "backings"), b, o) {
		json_t *g = json_object_get(json_object_get(d,
							    "gain_vs_4k_pct"),
					    b);
		char fault[32], per4k[32], rate[32];

		/* 3 significant digits, never an exponent (3.22e+03) */
		mt_format_num(mt_jnum(o, "fault_ns"), 3, fault, sizeof(fault));
		mt_format_num(mt_jnum(o, "faults_per_4k"), 3, per4k,
			      sizeof(per4k));
		mt_format_num(mt_jnum(o, "random_rate"), 3, rate, sizeof(rate));
		fprintf(out,
			"  %-3s touch %.0f ns/4K, %s ns/fault, %s "
			"faults/4K, THP coverage %.0f%%, read %.0f MB/s, "
			"write %.0f MB/s, random %s/s",
			b, mt_jnum(o, "touch_ns_per_4k"), fault, per4k,
			100 * mt_jnum(o, "thp_coverage"), mt_jnum(o, "read_bw"),
			mt_jnum(o, "write_bw"), rate);
		if (g)
			fprintf(out,
				"; vs 4k: read %+.0f%%, write %+.0f%%, "
				"random %+.0f%%",
				mt_jnum(g, "read_bw"), mt_jnum(g, "write_bw"),
				mt_jnum(g, "random_rate"));
		fputc('\n', out);
	}
}

/* The backing with the extreme value of metric in d (max or min). */
static const char *extreme(json_t *d, const char *metric, bool max, double *val)
{
	const char *best = NULL, *b;
	json_t *o;

	*val = NAN;
	json_object_foreach(json_object_get(d, "backings"), b, o) {
		double v = mt_jnum(o, metric);

		if (isfinite(v) && (!best || (max ? v > *val : v < *val))) {
			best = b;
			*val = v;
		}
	}
	return best;
}

/* Fault cost bars (touch time per 4 KiB, comparable across page sizes)
 * and bandwidth bars per backing. */
static int hp_plots(struct mt_report *rep, struct mt_run *const *runs,
		    json_t *const *derived, size_t n, struct mt_err *err)
{
	static const char *const figs[][4] = {
		{ "hugepage-fault", "touch_ns_per_4k",
		  "First-touch cost per 4 KiB by page backing",
		  "ns per 4 KiB touched" },
		{ "hugepage-read", "read_bw",
		  "Sequential read bandwidth by page backing", "MB/s" },
		{ "hugepage-write", "write_bw",
		  "Sequential write bandwidth by page backing", "MB/s" },
	};
	struct mt_fig_runs_data d;
	double *vals;
	char reading[1024];
	int ret = mt_fig_runs_data_init(&d, runs, n, N_BACKINGS, err);

	if (ret < 0)
		return ret;
	vals = d.vals;
	for (size_t fi = 0; fi < 3 && !ret; fi++) {
		const char *metric = figs[fi][1];
		struct mt_line_fig f = {
			.name = figs[fi][0],
			.bench = "hugepage",
			.title = figs[fi][2],
			.xlabel = "page backing",
			.ylabel = figs[fi][3],
			.reading = reading,
		};
		size_t have = 0;
		const char *lo_b, *hi_b;
		double lo, hi;

		for (size_t r = 0; r < n; r++)
			for (size_t b = 0; b < N_BACKINGS; b++) {
				vals[r * N_BACKINGS + b] = mt_jnum(
					json_object_get(
						json_object_get(derived[r],
								"backings"),
						backings[b]),
					metric);
				have += isfinite(vals[r * N_BACKINGS + b]);
			}
		if (!have)
			continue;
		/* The reading is about the first run with data; with
		 * several, the spread says how far they agree. */
		lo_b = extreme(mt_fig_first(derived, n), metric, false, &lo);
		hi_b = extreme(mt_fig_first(derived, n), metric, true, &hi);
		if (fi == 0)
			snprintf(reading, sizeof(reading),
				 "Touching memory for the first time costs "
				 "%.0f ns per 4 KiB with %s pages and %.0f ns "
				 "with %s, %.1f times less, because one fault "
				 "maps a whole huge page. %s",
				 hi, hi_b ? hi_b : "?", lo, lo_b ? lo_b : "?",
				 lo > 0 ? hi / lo : NAN,
				 n > 1 ? "Bars compare the runs; the figures "
					 "quoted are the first run's." :
					 "The 4 KiB cost is what every anonymous "
					 "page fault of an application pays.");
		else
			snprintf(
				reading, sizeof(reading),
				"%s bandwidth is highest with %s pages "
				"(%.0f MB/s) and lowest with %s (%.0f MB/s), "
				"a spread of %.0f%%. %s",
				fi == 1 ? "Sequential read" :
					  "Sequential write",
				hi_b ? hi_b : "?", hi, lo_b ? lo_b : "?", lo,
				lo > 0 ? (hi / lo - 1) * 100 : NAN,
				hi > 0 && lo / hi > 0.9 ?
					"Streaming touches each page once, so the "
					"TLB matters little and the backings are "
					"close." :
					"A spread this wide is more than "
					"TLB misses explain for streaming; check the "
					"THP coverage and the run's noise.");
		ret = mt_fig_bars_runs(rep, &f, backings, N_BACKINGS,
				       figs[fi][3], &d, err);
	}
	mt_fig_runs_data_free(&d);
	return ret;
}

const struct mt_analysis mt_an_hugepage = {
	.bench = "hugepage",
	.summary = "fault cost per backing, THP coverage, bandwidth gain of "
		   "huge pages",
	.analyze = hp_analyze,
	.print = hp_print,
	.plots = hp_plots,
};
