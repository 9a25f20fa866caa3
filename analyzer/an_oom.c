/* Analysis of the oom benchmark: per scenario, whether the OOM killer's
 * choice followed the documented badness (rss + swap + page tables, plus
 * oom_score_adj/1000 of the memory the OOM is about), whether the victim
 * is the one the scenario expects, and how long the kill took.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "analysis.h"
#include "facts.h"

/* A 0/1 record value as a JSON boolean, or null when absent. */
static json_t *jbool(json_t *rec)
{
	double v = mt_rec_value(rec);

	return isfinite(v) ? json_boolean(v >= 0.5) : json_null();
}

/* P(X <= k) for X ~ Binomial(n, p). */
static double binom_cdf(int k, int n, double p)
{
	double term = pow(1 - p, n), sum = 0;

	if (p <= 0)
		return 1;
	if (p >= 1)
		return k >= n ? 1 : 0;
	for (int i = 0; i <= k && i <= n; i++) {
		sum += term;
		term *= (double)(n - i) / (i + 1) * p / (1 - p);
	}
	return sum > 1 ? 1 : sum;
}

/* The exact (Clopper-Pearson) 95% interval of a proportion k of n, by
 * bisection on the binomial distribution: lo solves P(X >= k | lo) =
 * 0.025, hi solves P(X <= k | hi) = 0.025. */
void mt_oom_proportion_ci(int k, int n, double *lo, double *hi)
{
	double a, b;

	*lo = 0;
	*hi = 1;
	if (n <= 0)
		return;
	if (k > 0) {
		for (a = 0, b = 1; b - a > 1e-9;) {
			double m = (a + b) / 2;

			if (1 - binom_cdf(k - 1, n, m) < 0.025)
				a = m;
			else
				b = m;
		}
		*lo = a;
	}
	if (k < n) {
		for (a = 0, b = 1; b - a > 1e-9;) {
			double m = (a + b) / 2;

			if (binom_cdf(k, n, m) > 0.025)
				a = m;
			else
				b = m;
		}
		*hi = b;
	}
}

/* The facts the advice cites (facts.h): the share of scenarios whose
 * victim followed the computed badness and the documented rule, each with
 * its exact 95% interval (three scenarios that all follow give [0.29, 1]:
 * a few scenarios say little). */
static int oom_facts(json_t *d, size_t followed, size_t documented, size_t n)
{
	double lo, hi;
	int rc;

	mt_oom_proportion_ci((int)followed, (int)n, &lo, &hi);
	rc = mt_fact_add(d, "oom.followed_score", (double)followed / n, lo, hi,
			 "fraction", (int)n,
			 "share of OOM scenarios "
			 "whose victim had the highest badness (memory plus "
			 "oom_score_adj)");
	if (rc < 0)
		return rc;
	mt_oom_proportion_ci((int)documented, (int)n, &lo, &hi);
	return mt_fact_add(d, "oom.victim_as_documented",
			   (double)documented / n, lo, hi, "fraction", (int)n,
			   "share of OOM scenarios whose victim was "
			   "the one the documented rule names");
}

/* Derives the oom figures of one run. */
static json_t *oom_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *sc = json_array(), *r, *e;
	size_t i, n = 0, followed = 0, documented = 0;
	char s[600];

	if (!sc)
		goto out_nomem;
	json_array_foreach(run->records, i, r) {
		const char *name = mt_rec_case_str(r, "scenario");
		json_t *fs, *vd, *km, *adj, *t, *ex;
		size_t k;

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "oom") || !name ||
		    strcmp(mt_rec_metric(r), "followed_score"))
			continue;
		fs = r;
		adj = json_array();
		vd = mt_run_find(run, "oom", "victim_as_documented", "scenario",
				 name, NULL);
		km = mt_run_find(run, "oom", "kill_ms", "scenario", name, NULL);
		json_array_foreach(json_object_get(json_object_get(r, "case"),
						   "tenants"),
				   k, t)
			json_array_append(adj,
					  json_object_get(t, "oom_score_adj"));
		ex = json_object_get(json_object_get(r, "case"), "expectation");
		/* Older runs lack the expectation text: null, not a
		 * failure. */
		e = json_pack("{s:s, s:O, s:o, s:o, s:o, s:o, s:o, s:o}",
			      "scenario", name, "expectation",
			      ex ? ex : json_null(), "oom_score_adj", adj,
			      "followed_score", jbool(fs),
			      "victim_as_documented", jbool(vd), "kill_ms",
			      mt_jreal(mt_rec_value(km)), "victim",
			      mt_jreal(mt_rec_obtained_num(r, "victim")),
			      "expected_victim",
			      mt_jreal(mt_rec_obtained_num(r,
							   "expected_victim")));
		if (!e || json_array_append_new(sc, e))
			goto out_nomem;
		n++;
		followed += json_is_true(json_object_get(e, "followed_score"));
		documented += json_is_true(
			json_object_get(e, "victim_as_documented"));
	}
	if (!n) {
		json_decref(sc);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "oom: no followed_score record with a scenario in "
			   "its case");
		return NULL;
	}
	snprintf(s, sizeof(s),
		 "%s: in %zu of %zu scenarios the OOM killer "
		 "chose the tenant with the highest computed badness, and in "
		 "%zu the one the documented rule names, so oom_score_adj %s "
		 "a way to protect a process on this kernel.",
		 followed == n ?
			 "The choice followed oom_score_adj" :
			 "The choice did not always follow oom_score_adj",
		 followed, n, documented,
		 followed == n ? "is" : "is not a reliable");
	r = json_pack("{s:o, s:b, s:I, s:I, s:s}", "scenarios", sc,
		      "followed_oom_score_adj", followed == n, "followed",
		      (json_int_t)followed, "as_documented",
		      (json_int_t)documented, "sentence", s);
	if (!r || oom_facts(r, followed, documented, n) < 0) {
		json_decref(r);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "oom: out of memory");
		return NULL;
	}
	return r;

out_nomem:
	json_decref(sc);
	mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "oom: out of memory");
	return NULL;
}

static void oom_print(FILE *out, json_t *d)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(d, "scenarios"), i, e) {
		char *adj = json_dumps(json_object_get(e, "oom_score_adj"),
				       JSON_COMPACT);

		fprintf(out,
			"  %-15s adj %s: victim %.0f (expected %.0f), "
			"%s, kill %.0f ms\n",
			json_string_value(json_object_get(e, "scenario")),
			adj ? adj : "?", mt_jnum(e, "victim"),
			mt_jnum(e, "expected_victim"),
			json_is_true(json_object_get(e, "followed_score")) ?
				"followed the score" :
				"did NOT follow the score",
			mt_jnum(e, "kill_ms"));
		free(adj);
	}
	fprintf(out, "  %s\n",
		json_string_value(json_object_get(d, "sentence")));
}

/* Bars of the kill time per scenario, one group per run. */
static int oom_plots(struct mt_report *rep, struct mt_run *const *runs,
		     json_t *const *derived, size_t n, struct mt_err *err)
{
	json_t *d = mt_fig_first(derived, n), *e;
	size_t nc = json_array_size(json_object_get(d, "scenarios")), i;
	const char **cats = calloc(nc + 1, sizeof(*cats));
	struct mt_fig_runs_data dd = { 0 };
	double *vals;
	char reading[1024];
	struct mt_line_fig f = {
		.name = "oom-kill-time",
		.bench = "oom",
		.title = "Time from the push to the OOM kill, by scenario",
		.xlabel = "scenario",
		.ylabel = "ms",
		.reading = reading,
	};
	int ret = 0;

	if (!cats) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	ret = mt_fig_runs_data_init(&dd, runs, n, nc, err);
	if (ret < 0)
		goto out_free;
	vals = dd.vals;
	json_array_foreach(json_object_get(d, "scenarios"), i, e)
		cats[i] = json_string_value(json_object_get(e, "scenario"));
	for (size_t r = 0; r < n; r++) {
		for (size_t c = 0; c < nc; c++) {
			vals[r * nc + c] = NAN;
			json_array_foreach(json_object_get(derived[r],
							   "scenarios"),
					   i, e)
				if (!strcmp(json_string_value(json_object_get(
						    e, "scenario")),
					    cats[c]))
					vals[r * nc + c] = mt_jnum(e,
								   "kill_ms");
		}
	}
	snprintf(reading, sizeof(reading),
		 "%s The kill time is what the "
		 "rest of the cgroup waits, stalled in reclaim, before memory "
		 "comes back.",
		 json_string_value(json_object_get(d, "sentence")));
	if (nc)
		ret = mt_fig_bars_runs(rep, &f, cats, nc, "kill time (ms)", &dd,
				       err);
out_free:
	free(cats);
	mt_fig_runs_data_free(&dd);
	return ret;
}

const struct mt_analysis mt_an_oom = {
	.bench = "oom",
	.summary = "whether the OOM victim followed oom_score_adj, kill time",
	.analyze = oom_analyze,
	.print = oom_print,
	.plots = oom_plots,
};
