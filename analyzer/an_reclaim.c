/* Analysis of the reclaim benchmark: per scope (machine: the zone
 * watermarks act; cgroup: limit reclaim, the control) and per setting of
 * vm.min_free_kbytes / vm.watermark_scale_factor, the direct-reclaim
 * stalls, the allocation tail latency and the scans, and which setting
 * stalled least.
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

#define MAX_CASES 32

static const char *const rc_metrics[][2] = {
	{ "allocstall", "allocstalls" },
	{ "alloc_latency_p50", "alloc_p50_us" },
	{ "alloc_latency_p99", "alloc_p99_us" },
	{ "alloc_latency_max", "alloc_max_us" },
	{ "burst_time", "burst_ms" },
	{ "pgscan_direct", "pgscan_direct" },
	{ "pgscan_kswapd", "pgscan_kswapd" },
	{ "direct_scan_share", "direct_scan_share_pct" },
	{ "limit_hits", "limit_hits" },
};
#define N_RC (sizeof(rc_metrics) / sizeof(rc_metrics[0]))

/* The case's label: the knob it sets, or "current" for the baseline. The
 * values in force come from what case_sys_setup recorded (the record's
 * "system"; "case"."system" in older runs). */
static void case_label(json_t *rec, char *buf, size_t len)
{
	json_t *c = json_object_get(rec, "case");
	json_t *mfk = json_object_get(c, "min_free_kbytes");
	json_t *wsf = json_object_get(c, "watermark_scale_factor");
	char b[32];

	if (json_is_integer(mfk)) {
		mt_format_bytes(1024.0 * (double)json_integer_value(mfk), b,
				sizeof(b));
		snprintf(buf, len, "min_free_kbytes=%s", b);
	} else if (json_is_integer(wsf)) {
		snprintf(buf, len, "watermark_scale_factor=%lld",
			 (long long)json_integer_value(wsf));
	} else {
		snprintf(buf, len, "current");
	}
}

/* The entry of (scope, label) in arr, made when missing. */
static json_t *entry(json_t *arr, const char *scope, const char *label,
		     json_t *rec)
{
	json_t *e, *sys = mt_rec_system(rec);
	size_t i;

	json_array_foreach(arr, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "scope")),
			    scope) &&
		    !strcmp(json_string_value(json_object_get(e, "setting")),
			    label))
			return e;
	e = json_pack("{s:s, s:s, s:o, s:o}", "scope", scope, "setting", label,
		      "min_free_kbytes",
		      mt_jreal(mt_jnum(sys, "min_free_kbytes")),
		      "watermark_scale_factor",
		      mt_jreal(mt_jnum(sys, "watermark_scale_factor")));
	if (!e || json_array_append_new(arr, e))
		return NULL;
	return e;
}

/* The finding of one scope: the setting with the fewest stalls (ties:
 * the lowest p99) against the one with the most. */
static json_t *finding(json_t *cases, const char *scope)
{
	json_t *best = NULL, *worst = NULL, *e;
	char s[900], pb[48], pw[48], sb[32], sw[32];
	size_t i, n = 0;

	json_array_foreach(cases, i, e) {
		double st = mt_jnum(e, "allocstalls");
		double p = mt_jnum(e, "alloc_p99_us");

		if (strcmp(json_string_value(json_object_get(e, "scope")),
			   scope) ||
		    !isfinite(st))
			continue;
		n++;
		if (!best || st < mt_jnum(best, "allocstalls") ||
		    (st == mt_jnum(best, "allocstalls") &&
		     p < mt_jnum(best, "alloc_p99_us")))
			best = e;
		if (!worst || st > mt_jnum(worst, "allocstalls") ||
		    (st == mt_jnum(worst, "allocstalls") &&
		     p > mt_jnum(worst, "alloc_p99_us")))
			worst = e;
	}
	if (!n)
		return NULL;
	mt_format_quantity(mt_jnum(best, "alloc_p99_us"), "us", pb, sizeof(pb));
	mt_format_quantity(mt_jnum(worst, "alloc_p99_us"), "us", pw,
			   sizeof(pw));
	mt_format_count(mt_jnum(best, "allocstalls"), sb, sizeof(sb));
	mt_format_count(mt_jnum(worst, "allocstalls"), sw, sizeof(sw));
	if (!strcmp(scope, "cgroup"))
		snprintf(s, sizeof(s),
			 "In the cgroup scope limit reclaim ignores the "
			 "watermarks: allocation p99 stays between %s "
			 "(%s) and %s (%s) whatever the knobs, the "
			 "control that shows the knobs act machine-wide only.",
			 pb,
			 json_string_value(json_object_get(best, "setting")),
			 pw,
			 json_string_value(json_object_get(worst, "setting")));
	else
		snprintf(s, sizeof(s),
			 "Machine-wide, %s stalled least: %s direct-reclaim "
			 "stalls and an allocation p99 of %s, against "
			 "%s stalls and %s with %s. Raising the "
			 "watermarks wakes kswapd earlier, so bursts find "
			 "free pages instead of reclaiming themselves.",
			 json_string_value(json_object_get(best, "setting")),
			 sb, pb, sw, pw,
			 json_string_value(json_object_get(worst, "setting")));
	return json_pack("{s:s, s:O, s:O, s:s}", "scope", scope, "least_stalls",
			 json_object_get(best, "setting"), "most_stalls",
			 json_object_get(worst, "setting"), "sentence", s);
}

/* The 95% interval of a count k taken as a Poisson count: [0, 3.689] for
 * k = 0, else the Wilson-Hilferty approximation of the exact (Garwood)
 * interval, within 1% of it from k = 1 on. */
static void poisson_ci(double k, double *lo, double *hi)
{
	const double z = 1.959964;

	if (!(k > 0)) {
		*lo = 0;
		*hi = 3.689;
		return;
	}
	*lo = k * pow(1 - 1 / (9 * k) - z / (3 * sqrt(k)), 3);
	*hi = (k + 1) * pow(1 - 1 / (9 * (k + 1)) + z / (3 * sqrt(k + 1)), 3);
	if (*lo < 0)
		*lo = 0;
}

/* The record's sample count n, 0 when absent. */
static double rec_n(json_t *rec)
{
	json_t *v = json_object_get(rec, "n");

	return json_is_integer(v) ? (double)json_integer_value(v) : 0;
}

/* True if the case's knob is at "current" (the baseline's setting). */
static bool at_current(json_t *rec, const char *knob)
{
	const char *v = mt_rec_case_str(rec, knob);

	return v && !strcmp(v, "current");
}

/* The measured machine-scope record of metric whose case sets `knob`
 * (NULL: the baseline, both knobs at current) to the smallest value whose
 * stalls are at most max_stalls; *setting gets that value. */
static json_t *machine_rec(const struct mt_run *run, const char *metric,
			   const char *knob, double max_stalls, double *setting)
{
	json_t *r, *best = NULL;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *scope = mt_rec_case_str(r, "scope");
		double v;

		if (strcmp(mt_rec_bench(r), "reclaim") || !scope ||
		    strcmp(scope, "machine") || !mt_rec_ok(r) ||
		    strcmp(mt_rec_metric(r), metric))
			continue;
		if (!knob) {
			if (at_current(r, "min_free_kbytes") &&
			    at_current(r, "watermark_scale_factor"))
				return r;
			continue;
		}
		v = mt_rec_case_num(r, knob);
		if (!isfinite(v) || at_current(r, knob) ||
		    !at_current(r, strcmp(knob, "min_free_kbytes") ?
					   "min_free_kbytes" :
					   "watermark_scale_factor") ||
		    !(mt_rec_value(r) <= max_stalls))
			continue;
		if (!best || v < *setting) {
			best = r;
			*setting = v;
		}
	}
	return best;
}

/* Appends the fact "reclaim.<key>_fix<suffix>" (key: mfk or wsf). Returns
 * what mt_fact_add returns. */
static int fix_fact(json_t *d, const char *key, const char *suffix, double v,
		    double lo, double hi, const char *unit, int n,
		    const char *what)
{
	char id[64];

	snprintf(id, sizeof(id), "reclaim.%s_fix%s", key, suffix);
	return mt_fact_add(d, id, v, lo, hi, unit, n, what);
}

/* The facts the watermark rule rests on (issue 13): the baseline's stalls
 * and allocation p99, and the smallest swept value of each knob that
 * brought the stalls to a tenth of the baseline or less. */
static int rc_facts(json_t *d, const struct mt_run *run, size_t untrusted)
{
	json_t *base = machine_rec(run, "allocstall", NULL, 0, NULL);
	json_t *p99 = machine_rec(run, "alloc_latency_p99", NULL, 0, NULL);
	double k, lo, hi, w;
	int rc = 0;

	if (!base) {
		if (untrusted)
			rc = mt_fact_add(d, "reclaim.untrustworthy_records",
					 (double)untrusted, NAN, NAN, "count",
					 0,
					 "reclaim records left out as "
					 "untrustworthy (no measured "
					 "machine-scope baseline)");
		return rc;
	}
	k = mt_rec_value(base);
	poisson_ci(k, &lo, &hi);
	rc = mt_fact_add(d, "reclaim.allocstall", k, lo, hi, "count",
			 (int)rec_n(base),
			 "direct-reclaim stalls in "
			 "the machine-scope bursts at the current watermarks "
			 "(95% interval of a Poisson count)");
	if (!rc && p99) {
		json_t *lv = json_object_get(p99, "ci95_lo");
		json_t *hv = json_object_get(p99, "ci95_hi");
		bool ci = rec_n(p99) > 1 &&
			  json_number_value(json_object_get(p99, "ci_level")) >
				  0;

		rc = mt_fact_add(d, "reclaim.alloc_p99_us", mt_rec_value(p99),
				 ci ? json_number_value(lv) : NAN,
				 ci ? json_number_value(hv) : NAN, "us",
				 (int)rec_n(p99),
				 "p99 of one 4 KiB "
				 "first touch in the machine-scope bursts at "
				 "the current watermarks");
	}
	if (rc || !(k > 0))
		return rc;
	for (int knob = 0; knob < 2 && !rc; knob++) {
		const char *name = knob ? "min_free_kbytes" :
					  "watermark_scale_factor";
		const char *key = knob ? "mfk" : "wsf";
		json_t *fix = machine_rec(run, "allocstall", name, k / 10, &w);
		char what[192];

		if (!fix)
			continue;
		snprintf(what, sizeof(what),
			 "smallest %s swept that brought "
			 "the stalls to a tenth of the baseline or less",
			 name);
		rc = fix_fact(d, key, "", w, NAN, NAN, knob ? "kB" : "", 1,
			      what);
		poisson_ci(mt_rec_value(fix), &lo, &hi);
		snprintf(what, sizeof(what),
			 "direct-reclaim stalls with that "
			 "%s (95%% interval of a Poisson count)",
			 name);
		if (!rc)
			rc = fix_fact(d, key, "_allocstall", mt_rec_value(fix),
				      lo, hi, "count", (int)rec_n(fix), what);
	}
	return rc;
}

/* Derives the reclaim figures of one run. */
static json_t *rc_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *cases = json_array(), *fs = json_array(), *r, *f;
	size_t i, untrusted = 0;
	static const char *const scopes[] = { "machine", "cgroup" };

	if (!cases || !fs)
		goto out_nomem;
	json_array_foreach(run->records, i, r) {
		const char *scope = mt_rec_case_str(r, "scope");
		char label[64];
		json_t *e;

		if (strcmp(mt_rec_bench(r), "reclaim") || !scope)
			continue;
		if (!mt_rec_ok(r)) {
			untrusted += json_object_get(r, "metric") != NULL;
			continue;
		}
		case_label(r, label, sizeof(label));
		e = entry(cases, scope, label, r);
		if (!e)
			goto out_nomem;
		for (size_t m = 0; m < N_RC; m++)
			if (!strcmp(mt_rec_metric(r), rc_metrics[m][0]))
				json_object_set_new(e, rc_metrics[m][1],
						    mt_jreal(mt_rec_value(r)));
	}
	if (!json_array_size(cases)) {
		json_decref(cases);
		json_decref(fs);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "reclaim: no measured record with a scope in its "
			   "case (%zu untrustworthy)",
			   untrusted);
		return NULL;
	}
	for (size_t s = 0; s < 2; s++)
		if ((f = finding(cases, scopes[s])))
			json_array_append_new(fs, f);
	f = json_pack("{s:o, s:o, s:I}", "cases", cases, "findings", fs,
		      "untrustworthy_records", (json_int_t)untrusted);
	if (f && rc_facts(f, run, untrusted) == -ENOMEM) {
		json_decref(f);
		f = NULL;
	}
	if (!f)
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "reclaim: out of memory");
	return f;

out_nomem:
	json_decref(cases);
	json_decref(fs);
	mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "reclaim: out of memory");
	return NULL;
}

static void rc_print(FILE *out, json_t *d)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(d, "cases"), i, e) {
		char p99[32], max[32];

		mt_format_num(mt_jnum(e, "alloc_p99_us"), 3, p99, sizeof(p99));
		mt_format_num(mt_jnum(e, "alloc_max_us"), 3, max, sizeof(max));
		fprintf(out,
			"  %-7s %-28s stalls %.0f, alloc p99 %s us, max %s us",
			json_string_value(json_object_get(e, "scope")),
			json_string_value(json_object_get(e, "setting")),
			mt_jnum(e, "allocstalls"), p99, max);
		if (isfinite(mt_jnum(e, "pgscan_direct")))
			fprintf(out, ", direct scans %.0f",
				mt_jnum(e, "pgscan_direct"));
		if (isfinite(mt_jnum(e, "limit_hits")))
			fprintf(out, ", limit hits %.0f",
				mt_jnum(e, "limit_hits"));
		fputc('\n', out);
	}
	json_array_foreach(json_object_get(d, "findings"), i, e)
		fprintf(out, "  %s\n",
			json_string_value(json_object_get(e, "sentence")));
	if (mt_jnum(d, "untrustworthy_records") > 0)
		fprintf(out, "  (%.0f untrustworthy records left out)\n",
			mt_jnum(d, "untrustworthy_records"));
}

/* Two bar figures over the settings of the first run's machine scope (or
 * cgroup scope when there is none): direct-reclaim stalls and allocation
 * p99, one group per run. */
static int rc_plots(struct mt_report *rep, struct mt_run *const *runs,
		    json_t *const *derived, size_t n, struct mt_err *err)
{
	json_t *d = mt_fig_first(derived, n), *e, *fd = NULL;
	const char *scope = "machine", *cats[MAX_CASES];
	struct mt_fig_runs_data dd;
	double *vals;
	char title[2][160], reading[1024];
	size_t nc = 0, i;
	int ret = mt_fig_runs_data_init(&dd, runs, n, MAX_CASES, err);

	if (ret < 0)
		return ret;
	vals = dd.vals;
	for (int pass = 0; pass < 2 && !nc; pass++) {
		scope = pass ? "cgroup" : "machine";
		json_array_foreach(json_object_get(d, "cases"), i, e)
			if (!strcmp(json_string_value(json_object_get(e,
								      "scope")),
				    scope) &&
			    nc < MAX_CASES)
				cats[nc++] = json_string_value(
					json_object_get(e, "setting"));
	}
	json_array_foreach(json_object_get(d, "findings"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "scope")),
			    scope))
			fd = e;
	if (!nc)
		goto out_free;
	snprintf(title[0], sizeof(title[0]),
		 "Direct-reclaim stalls by "
		 "setting (%s scope)",
		 scope);
	snprintf(title[1], sizeof(title[1]),
		 "Allocation p99 by setting (%s "
		 "scope)",
		 scope);
	for (size_t fi = 0; fi < 2 && !ret; fi++) {
		const char *key = fi ? "alloc_p99_us" : "allocstalls";
		struct mt_line_fig f = {
			.name = fi ? "reclaim-p99" : "reclaim-stalls",
			.bench = "reclaim",
			.title = title[fi],
			.xlabel = "setting",
			.ylabel = fi ? "us" : "stalls",
			.reading = reading,
		};

		for (size_t r = 0; r < n; r++) {
			for (size_t c = 0; c < nc; c++) {
				vals[r * nc + c] = NAN;
				json_array_foreach(json_object_get(derived[r],
								   "cases"),
						   i, e)
					if (!strcmp(json_string_value(
							    json_object_get(
								    e, "scope")),
						    scope) &&
					    !strcmp(json_string_value(
							    json_object_get(
								    e,
								    "setting")),
						    cats[c]))
						vals[r * nc + c] = mt_jnum(e,
									   key);
			}
		}
		snprintf(reading, sizeof(reading), "%s%s",
			 fd ? json_string_value(json_object_get(fd,
								"sentence")) :
			      "",
			 fi ? " The p99 is of single 4 KiB first "
			      "touches inside each burst." :
			      " A stall is an "
			      "allocation that had to reclaim memory itself.");
		ret = mt_fig_bars_runs(rep, &f, cats, nc,
				       fi ? "p99 (us)" : "stalls", &dd, err);
	}
out_free:
	mt_fig_runs_data_free(&dd);
	return ret;
}

const struct mt_analysis mt_an_reclaim = {
	.bench = "reclaim",
	.summary = "direct-reclaim stalls and allocation tail latency per "
		   "min_free_kbytes / watermark_scale_factor",
	.analyze = rc_analyze,
	.print = rc_print,
	.plots = rc_plots,
};
