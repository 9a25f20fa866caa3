/* An item's verdict from its paired trials: see tune_internal.h.
 *
 * What decides, and why so few tests decide it. A benchmark trial observes
 * many figures (a metric per case, e.g. ten), the workload one, the
 * guardrails four counters. Judging each figure at 95% and calling the
 * item "improves" when any improved would make an A/A session (B = A)
 * come out other than no_effect far more often than 5% of the time. So:
 *
 * - The primary figures decide "improves": the workload's (when there is
 *   one) and the benchmark's score, one number per pair (the mean, over
 *   the benchmark's figures, of each figure's change in its better
 *   direction, (b - a) / ((|a| + |b|) / 2), which is defined when a is 0
 *   and close to b/a - 1 for small changes). With k primary figures each
 *   interval is asked at 1 - 0.05/k (Bonferroni): together at most a 5%
 *   chance that an A/A session finds one moved.
 * - "harms" when a primary figure is worse at that level, or a guardrail
 *   is (mt_guard_worse: its own family, at 1 - 0.05/k of the guardrails
 *   that moved).
 * - Each figure's own effect and 95% interval is reported beside them, for
 *   reading, marked as not deciding. */
#include "tune_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKLOAD_KEY "workload"
#define SCORE_KEY "benchmark score"

/* True when pair i has both arms. */
static bool complete(const struct mt_tune_obs *o, size_t i)
{
	return o->have_a[i] && o->have_b[i] && o->oa[i] && o->ob[i];
}

static bool num(json_t *arm, const char *key, double *v)
{
	json_t *x = arm ? json_object_get(arm, key) : NULL;

	if (!json_is_number(x) || !isfinite(json_number_value(x)))
		return false;
	*v = json_number_value(x);
	return true;
}

/* The JSON summary of p for figure key. */
static json_t *summary(const char *key, bool higher, const struct mt_paired *p,
		       enum mt_verdict vd, bool decides)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:i, s:f, s:f, s:f, s:f, s:f, "
			 "s:f, s:f, s:i}",
			 "key", key, "better", higher ? "higher" : "lower",
			 "verdict", mt_verdict_name(vd), "decides", decides,
			 "pairs", (int)p->n, "median_a", p->median_a,
			 "median_b", p->median_b, "effect", p->effect,
			 "effect_lo", p->lo, "effect_hi", p->hi, "level",
			 p->level, "level_wanted", p->want, "b_better_pairs",
			 (int)p->b_better);
}

/* One observed figure over the complete pairs whose A is positive (its
 * effect is relative), at confidence want. NULL when no pair has it. */
static json_t *figure(const struct mt_tune_obs *o, const char *key, bool higher,
		      double want, bool decides, enum mt_verdict *vd,
		      double *pa, double *pb, size_t *np)
{
	double a[o->n + 1], b[o->n + 1];
	struct mt_err e = { 0 };
	struct mt_paired p;
	size_t n = 0;

	for (size_t i = 0; i < o->n; i++) {
		if (!complete(o, i) || !num(o->oa[i], key, &a[n]) ||
		    !num(o->ob[i], key, &b[n]) || a[n] <= 0)
			continue;
		if (pa) {
			pa[n] = a[n];
			pb[n] = b[n];
		}
		n++;
	}
	if (!n || mt_paired_compute_at(a, b, n, higher, want, &p, &e) < 0)
		return NULL;
	if (np)
		*np = n;
	*vd = mt_paired_verdict(&p, higher);
	return summary(key, higher, &p, *vd, decides);
}

double mt_tune_change(double a, double b, bool higher)
{
	double m = (fabs(a) + fabs(b)) / 2;
	double d = m > 0 ? (b - a) / m : 0;

	return higher ? d : -d;
}

/* The benchmark score over the complete pairs: a = 1, b = 1 + the mean
 * change of the figures other than the workload's in their better
 * direction (mt_tune_change). Returns the number of pairs, 0 when no
 * benchmark figure was observed on both sides. */
static size_t score_pairs(const struct mt_tune_obs *o, double *a, double *b,
			  size_t *figures)
{
	size_t n = 0;

	*figures = 0;
	for (size_t i = 0; i < o->n; i++) {
		double sum = 0, x, y;
		size_t k = 0;
		const char *key;
		json_t *better;

		if (!complete(o, i))
			continue;
		json_object_foreach(o->better, key, better) {
			if (!strcmp(key, WORKLOAD_KEY) ||
			    !num(o->oa[i], key, &x) || !num(o->ob[i], key, &y))
				continue;
			sum += mt_tune_change(x, y, json_is_true(better));
			k++;
		}
		if (!k)
			continue;
		if (k > *figures)
			*figures = k;
		a[n] = 1.0;
		b[n] = 1.0 + sum / (double)k;
		n++;
	}
	return n;
}

/* Appends "; "-separated text to buf. */
static void add(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);

	snprintf(buf + o, len - o, "%s%s", o ? "; " : "", s);
}

json_t *mt_tune_judge(const struct mt_tune_obs *o)
{
	double(*ga)[MT_N_GUARDS] = calloc(o->n + 1, sizeof(*ga));
	double(*gb)[MT_N_GUARDS] = calloc(o->n + 1, sizeof(*gb));
	double *sa = calloc(o->n + 1, sizeof(double));
	double *sb = calloc(o->n + 1, sizeof(double));
	double *pa = calloc(o->n + 1, sizeof(double));
	double *pb = calloc(o->n + 1, sizeof(double));
	json_t *v = NULL, *figs = json_array(), *prim = json_array();
	json_t *pairs = json_array(), *first = NULL, *better, *wk;
	size_t full = 0, k = 0, n_score, n_figs = 0;
	size_t improves = 0, harms = 0, inconclusive = 0;
	char why[640] = "", worse[256] = "", guard_why[256] = "";
	const char *verdict, *key;
	double want, x;
	bool have_wl = false;

	if (!ga || !gb || !sa || !sb || !pa || !pb || !figs || !prim || !pairs)
		goto out;
	for (size_t i = 0; i < o->n; i++) {
		if (!o->have_a[i] || !o->have_b[i])
			continue;
		memcpy(ga[full], o->ga[i], sizeof(ga[0]));
		memcpy(gb[full], o->gb[i], sizeof(gb[0]));
		full++;
	}
	/* How many primary figures there are decides their level. */
	wk = json_object_get(o->better, WORKLOAD_KEY);
	for (size_t i = 0; wk && i < o->n; i++)
		have_wl |= complete(o, i) && num(o->oa[i], WORKLOAD_KEY, &x) &&
			   num(o->ob[i], WORKLOAD_KEY, &x);
	n_score = score_pairs(o, sa, sb, &n_figs);
	k = (size_t)have_wl + (n_score > 0);
	want = 1.0 - 0.05 / (double)(k ? k : 1);

	if (have_wl) {
		enum mt_verdict vd;
		size_t n = 0;
		json_t *f = figure(o, WORKLOAD_KEY, json_is_true(wk), want,
				   true, &vd, pa, pb, &n);

		if (f) {
			first = f;
			json_array_append_new(prim, f);
			improves += vd == MT_VERDICT_IMPROVES;
			harms += vd == MT_VERDICT_HARMS;
			inconclusive += vd == MT_VERDICT_INCONCLUSIVE;
			if (vd == MT_VERDICT_HARMS)
				add(worse, sizeof(worse), "the workload");
			for (size_t i = 0; i < n; i++)
				json_array_append_new(pairs,
						      json_pack("[f, f]", pa[i],
								pb[i]));
		}
	}
	if (n_score) {
		struct mt_err e = { 0 };
		struct mt_paired p;
		enum mt_verdict vd;
		if (mt_paired_compute_at(sa, sb, n_score, true, want, &p, &e) ==
		    0) {
			json_t *f;

			vd = mt_paired_verdict(&p, true);
			f = summary(SCORE_KEY, true, &p, vd, true);
			json_object_set_new(f, "figures",
					    json_integer((json_int_t)n_figs));
			if (!first) {
				first = f;
				for (size_t i = 0; i < n_score; i++)
					json_array_append_new(
						pairs, json_pack("[f, f]",
								 sa[i], sb[i]));
			}
			json_array_append_new(prim, f);
			improves += vd == MT_VERDICT_IMPROVES;
			harms += vd == MT_VERDICT_HARMS;
			inconclusive += vd == MT_VERDICT_INCONCLUSIVE;
			if (vd == MT_VERDICT_HARMS)
				add(worse, sizeof(worse),
				    "the benchmark score");
		}
	}
	/* Every figure alone, at 95%, for reading. */
	json_object_foreach(o->better, key, better) {
		enum mt_verdict vd;
		json_t *f = figure(o, key, json_is_true(better), 0.95, false,
				   &vd, NULL, NULL, NULL);

		if (f)
			json_array_append_new(figs, f);
	}

	if (mt_guard_worse((const double(*)[MT_N_GUARDS])ga,
			   (const double(*)[MT_N_GUARDS])gb, full, guard_why,
			   sizeof(guard_why))) {
		verdict = "harms";
		snprintf(why, sizeof(why), "guardrail worse under B: %s",
			 guard_why);
	} else if (harms) {
		verdict = "harms";
		snprintf(why, sizeof(why), "worse under B: %s", worse);
	} else if (improves) {
		verdict = "improves";
	} else if (!k) {
		verdict = "inconclusive";
		snprintf(why, sizeof(why),
			 "no pair with a figure on both sides (every trial of "
			 "one arm failed or measured nothing)");
	} else if (inconclusive) {
		verdict = "inconclusive";
		snprintf(why, sizeof(why),
			 "%zu complete pairs: %zu primary figure%s at "
			 "%.1f%% each need%s at least %zu pairs",
			 full, k, k == 1 ? "" : "s", 100 * want,
			 k == 1 ? "s" : "", mt_paired_min_pairs(want));
	} else {
		verdict = "no_effect";
	}
	v = json_pack("{s:s, s:s, s:s, s:i, s:f, s:O, s:O, s:O}", "verdict",
		      verdict, "why", why, "metric",
		      first ? json_string_value(json_object_get(first, "key")) :
			      "",
		      "pairs", (int)full, "level_wanted", want, "primary", prim,
		      "figures", figs, "primary_pairs", pairs);
	if (v && first) {
		static const char *const copy[] = {
			"median_a",  "median_b", "effect",	   "effect_lo",
			"effect_hi", "level",	 "b_better_pairs", "better"
		};

		for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
			json_object_set(v, copy[i],
					json_object_get(first, copy[i]));
	}
	if (v)
		json_object_set_new(
			v, "guardrails",
			mt_guard_json((const double(*)[MT_N_GUARDS])ga,
				      (const double(*)[MT_N_GUARDS])gb, full));
out:
	json_decref(figs);
	json_decref(prim);
	json_decref(pairs);
	free(ga);
	free(gb);
	free(sa);
	free(sb);
	free(pa);
	free(pb);
	return v;
}
