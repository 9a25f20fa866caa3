/* Run comparison (see compare.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "compare.h"

/* True when rec's interval predicts another run's value: it combines two
 * rounds or more, or its point's changes between runs widened it (the run
 * history, record.h). */
static bool predicts(json_t *rec)
{
	return json_array_size(json_object_get(rec, "rounds")) >= 2 ||
	       json_is_object(json_object_get(rec, "run_spread"));
}

/* x as a JSON real, or null when it is not finite. */
static json_t *jreal(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Counts one point of bench in by (an object: bench -> [points, held]). */
static int count_point(json_t *by, const char *bench, bool held)
{
	json_t *c = json_object_get(by, bench);

	if (!c) {
		c = json_pack("[i,i]", 0, 0);
		if (!c || json_object_set_new(by, bench, c) < 0)
			return -1;
	}
	json_array_set_new(
		c, 0,
		json_integer(json_integer_value(json_array_get(c, 0)) + 1));
	json_array_set_new(
		c, 1,
		json_integer(json_integer_value(json_array_get(c, 1)) + held));
	return 0;
}

static json_t *coverage_entry(const char *bench, json_int_t points,
			      json_int_t held)
{
	json_t *o = json_pack("{s:I, s:I, s:o}", "points", points, "held", held,
			      "fraction",
			      jreal(points ? (double)held / (double)points :
					     NAN));

	if (o && bench &&
	    json_object_set_new(o, "bench", json_string(bench)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *mt_compare_coverage(json_t *rows, bool b_in_a)
{
	json_t *by = json_object(), *r, *out, *list = json_array(), *c;
	json_int_t points = 0, held = 0;
	const char *bench;
	size_t i;

	if (!by || !list)
		goto fail;
	json_array_foreach(rows, i, r) {
		double v = mt_jnum(r, b_in_a ? "a" : "b");
		double lo = mt_jnum(r, b_in_a ? "b_lo" : "a_lo");
		double hi = mt_jnum(r, b_in_a ? "b_hi" : "a_hi");
		const char *b = json_string_value(json_object_get(r, "bench"));
		bool in = lo <= v && v <= hi;

		/* An observation's window is not a repeat of another's:
		 * coverage is about runs of one configuration. */
		if (!isfinite(v) || !isfinite(lo) || !isfinite(hi) ||
		    mt_compare_is_series(b))
			continue;
		points++;
		held += in;
		if (count_point(by, b ? b : "", in) < 0)
			goto fail;
	}
	json_object_foreach(by, bench, c)
		if (json_array_append_new(
			    list,
			    coverage_entry(
				    bench,
				    json_integer_value(json_array_get(c, 0)),
				    json_integer_value(json_array_get(c, 1)))) <
		    0)
			goto fail;
	out = coverage_entry(NULL, points, held);
	if (!out || json_object_set_new(out, "benchmarks", list) < 0) {
		json_decref(out);
		list = NULL;
		goto fail;
	}
	json_decref(by);
	return out;
fail:
	json_decref(by);
	json_decref(list);
	return NULL;
}

/* The matching key of a measured record: bench, variant, case (keys
 * sorted; without the "system" that older runs kept in it) and metric;
 * malloc'ed. */
static char *key_of(json_t *rec)
{
	json_t *c = json_deep_copy(json_object_get(rec, "case"));
	char *kase, *k = NULL;
	const char *v = json_string_value(json_object_get(rec, "variant"));

	json_object_del(c, "system");
	kase = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);

	if (asprintf(&k, "%s\t%s\t%s\t%s", mt_rec_bench(rec), v ? v : "",
		     kase ? kase : "{}", mt_rec_metric(rec)) < 0)
		k = NULL;
	free(kase);
	return k;
}

/* The samples of rec into a malloc'ed array; *n their count. */
static double *samples_of(json_t *rec, size_t *n)
{
	json_t *s = json_object_get(rec, "samples"), *v;
	double *out = malloc((json_array_size(s) + 1) * sizeof(double));
	size_t i;

	*n = 0;
	if (!out)
		return NULL;
	json_array_foreach(s, i, v)
		if (json_is_number(v))
			out[(*n)++] = json_number_value(v);
	return out;
}

/* An index of b's measured records by key. */
static json_t *index_of(const struct mt_run *run)
{
	json_t *idx = json_object(), *v;
	size_t i;

	json_array_foreach(run->records, i, v) {
		char *k;

		if (!json_object_get(v, "metric") ||
		    json_object_get(v, "reason") ||
		    mt_compare_is_series(mt_rec_bench(v)))
			continue;
		k = key_of(v);
		if (k && !json_object_get(idx, k))
			json_object_set(idx, k, v);
		free(k);
	}
	return idx;
}

static int cmp_rows(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	double p = json_real_value(json_object_get(a, "p_sort"));
	double q = json_real_value(json_object_get(b, "p_sort"));
	double ca = fabs(json_real_value(json_object_get(a, "abs_change")));
	double cb = fabs(json_real_value(json_object_get(b, "abs_change")));

	if (p != q)
		return p < q ? -1 : 1;
	return (ca < cb) - (ca > cb);
}

json_t *mt_compare_runs(const struct mt_run *a, const struct mt_run *b)
{
	json_t *ia = index_of(a), *ib = index_of(b), *rows, *out, *ra, *fr;
	size_t only_a = 0, only_b = 0, n = 0, i;
	json_t **arr;
	const char *k;

	if (!ia || !ib) {
		json_decref(ia);
		json_decref(ib);
		return NULL;
	}
	arr = calloc(json_object_size(ia) + 1, sizeof(*arr));
	json_object_foreach(ia, k, ra) {
		json_t *rb = json_object_get(ib, k), *row;
		double va = mt_rec_value(ra), vb = mt_rec_value(rb), p, ch;
		double alo, ahi, blo, bhi;
		size_t na, nb;
		double *sa, *sb;
		bool hib, sig;

		if (!rb) {
			only_a++;
			continue;
		}
		sa = samples_of(ra, &na);
		sb = samples_of(rb, &nb);
		p = sa && sb ? mt_welch_p(sa, na, sb, nb) : NAN;
		free(sa);
		free(sb);
		ch = va != 0 ? (vb - va) / fabs(va) * 100 : NAN;
		/* Beyond the noise. Records of rounds carry a 95%
		 * prediction interval for another run's value
		 * (mt_rounds_combine), as do records the run history
		 * widened (core/run_history.h): a change is beyond the noise when
		 * neither run's interval holds the other's value, which two
		 * runs of one configuration do at most 5% of the time each.
		 * A record without rounds has only the interval of one run's
		 * samples, far too narrow for another run (it held the next
		 * run's value at 30-45% of the points here), so with one
		 * the intervals must not even overlap. */
		alo = mt_jnum(ra, "ci95_lo");
		ahi = mt_jnum(ra, "ci95_hi");
		blo = mt_jnum(rb, "ci95_lo");
		bhi = mt_jnum(rb, "ci95_hi");
		if (predicts(ra) && predicts(rb))
			sig = !(alo <= vb && vb <= ahi) &&
			      !(blo <= va && va <= bhi);
		else
			sig = alo <= ahi && blo <= bhi &&
			      (ahi < blo || bhi < alo);
		hib = json_is_true(json_object_get(ra, "higher_is_better"));
		row = json_pack(
			"{s:s, s:O, s:s, s:s, s:f, s:f}", "bench",
			mt_rec_bench(ra), "case", json_object_get(ra, "case"),
			"metric", mt_rec_metric(ra), "unit",
			json_string_value(json_object_get(ra, "unit")) ?
				json_string_value(json_object_get(ra, "unit")) :
				"",
			"a", va, "b", vb);
		if (!row || !arr)
			continue;
		json_object_set_new(row, "a_lo", jreal(alo));
		json_object_set_new(row, "a_hi", jreal(ahi));
		json_object_set_new(row, "b_lo", jreal(blo));
		json_object_set_new(row, "b_hi", jreal(bhi));
		json_object_set_new(row, "change_pct",
				    isfinite(ch) ? json_real(ch) : json_null());
		json_object_set_new(row, "p",
				    isfinite(p) ? json_real(p) : json_null());
		json_object_set_new(row, "significant", json_boolean(sig));
		json_object_set_new(row, "better",
				    !sig || vb == va ?
					    json_string("same") :
					    json_string((vb > va) == hib ?
								"better" :
								"worse"));
		/* Sort keys, removed below. */
		json_object_set_new(row, "p_sort",
				    json_real(sig	  ? -1.0 :
					      isfinite(p) ? p :
							    2.0));
		json_object_set_new(row, "abs_change",
				    json_real(isfinite(ch) ? fabs(ch) : 0));
		arr[n++] = row;
	}
	json_object_foreach(ib, k, ra)
		if (!json_object_get(ia, k))
			only_b++;
	fr = json_array();
	if (!fr || mt_compare_series_facts(a, b, fr, &only_a, &only_b) < 0)
		goto nomem;
	if (arr && json_array_size(fr)) {
		json_t **more = realloc(arr, (n + json_array_size(fr) + 1) *
						     sizeof(*arr));

		if (!more)
			goto nomem;
		arr = more;
	}
	json_array_foreach(fr, i, ra) {
		double ch = mt_jnum(ra, "change_pct");

		if (!arr)
			break;
		json_object_set_new(ra, "p_sort",
				    json_real(json_is_true(json_object_get(
						      ra, "significant")) ?
						      -1.0 :
						      2.0));
		json_object_set_new(ra, "abs_change",
				    json_real(isfinite(ch) ? fabs(ch) : 0));
		arr[n++] = json_incref(ra);
	}
	json_decref(fr);
	if (arr)
		qsort(arr, n, sizeof(*arr), cmp_rows);
	rows = json_array();
	for (i = 0; i < n; i++) {
		json_object_del(arr[i], "p_sort");
		json_object_del(arr[i], "abs_change");
		json_array_append_new(rows, arr[i]);
	}
	free(arr);
	json_decref(ia);
	json_decref(ib);
	out = json_pack("{s:s, s:f, s:I, s:I, s:o, s:o, s:o}", "method",
			MT_COMPARE_METHOD, "alpha", MT_COMPARE_ALPHA,
			"only_in_a", (json_int_t)only_a, "only_in_b",
			(json_int_t)only_b, "rows", rows, "coverage",
			mt_compare_coverage(rows, false), "coverage_b",
			mt_compare_coverage(rows, true));
	if (out)
		json_object_set_new(out, "shifts", mt_compare_shifts(rows));
	return out;
nomem:
	json_decref(fr);
	for (i = 0; i < n; i++)
		json_decref(arr[i]);
	free(arr);
	json_decref(ia);
	json_decref(ib);
	return NULL;
}

/* "# coverage: 70 of 74 points (94.6%) of A's intervals hold B's value;
 * tlb 70/74" */
static void print_coverage(FILE *out, json_t *cov, const char *x, const char *y)
{
	json_t *f = json_object_get(cov, "fraction"), *e;
	size_t i;

	if (!cov)
		return;
	fprintf(out, "# coverage: %lld of %lld points",
		(long long)json_integer_value(json_object_get(cov, "held")),
		(long long)json_integer_value(json_object_get(cov, "points")));
	if (json_is_number(f))
		fprintf(out, " (%.1f%%)", json_number_value(f) * 100);
	fprintf(out, " of %s's intervals hold %s's value", x, y);
	json_array_foreach(json_object_get(cov, "benchmarks"), i, e)
		fprintf(out, "%s %s %lld/%lld", i ? "," : ";",
			json_string_value(json_object_get(e, "bench")),
			(long long)json_integer_value(json_object_get(e,
								      "held")),
			(long long)json_integer_value(
				json_object_get(e, "points")));
	fputc('\n', out);
}

void mt_compare_print(FILE *out, json_t *cmp, const char *la, const char *lb)
{
	json_t *r;
	size_t i, sig = 0;

	fprintf(out, "# A: %s\n# B: %s\n# method: %s\n", la, lb,
		json_string_value(json_object_get(cmp, "method")));
	fprintf(out, "%-9s %-44s %-18s %12s %12s %9s %9s %s\n", "BENCH", "CASE",
		"METRIC", "A", "B", "CHANGE", "P", "VERDICT");
	json_array_foreach(json_object_get(cmp, "rows"), i, r) {
		char *kase = json_dumps(json_object_get(r, "case"),
					JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_t *ch = json_object_get(r, "change_pct");
		json_t *p = json_object_get(r, "p");
		bool s = json_is_true(json_object_get(r, "significant"));
		char chs[24], ps[24];

		sig += s;
		if (json_is_number(ch))
			snprintf(chs, sizeof(chs), "%+.1f%%",
				 json_number_value(ch));
		else
			snprintf(chs, sizeof(chs), "n/a");
		if (json_is_number(p))
			snprintf(ps, sizeof(ps), "%.3g", json_number_value(p));
		else
			snprintf(ps, sizeof(ps), "n/a");
		fprintf(out, "%-9s %-44s %-18s %12.4g %12.4g %9s %9s %s\n",
			json_string_value(json_object_get(r, "bench")),
			kase ? kase : "{}",
			json_string_value(json_object_get(r, "metric")),
			json_number_value(json_object_get(r, "a")),
			json_number_value(json_object_get(r, "b")), chs, ps,
			s ? json_string_value(json_object_get(r, "better")) :
			json_is_number(json_object_get(r, "a_lo")) &&
					json_is_number(
						json_object_get(r, "b_lo")) ?
			    "within noise" :
			    "no interval");
		free(kase);
	}
	fprintf(out,
		"# %zu metrics in both, %zu changed beyond the noise; "
		"%lld only in A, %lld only in B\n",
		json_array_size(json_object_get(cmp, "rows")), sig,
		(long long)json_integer_value(json_object_get(cmp,
							      "only_in_a")),
		(long long)json_integer_value(json_object_get(cmp,
							      "only_in_b")));
	print_coverage(out, json_object_get(cmp, "coverage"), "A", "B");
	print_coverage(out, json_object_get(cmp, "coverage_b"), "B", "A");
	json_array_foreach(json_object_get(cmp, "shifts"), i, r)
		fprintf(out,
			"# %s: B's values are %.1f%% %s than A's (the median "
			"change; %lld of %lld points moved that way): the "
			"machine changed between the "
			"runs, which intervals from within one run do not "
			"hold; without that change the coverage would be "
			"%.1f%% and %.1f%%\n",
			json_string_value(json_object_get(r, "bench")),
			fabs(mt_jnum(r, "change_pct")),
			mt_jnum(r, "change_pct") > 0 ? "higher" : "lower",
			(long long)json_integer_value(
				json_object_get(r, "same_way")),
			(long long)json_integer_value(
				json_object_get(r, "points")),
			100 * mt_jnum(r, "fraction_after"),
			100 * mt_jnum(r, "fraction_b_after"));
}
