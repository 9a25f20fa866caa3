/* Analysis of the tlb benchmark: the knees of each latency curve (where it
 * steps up, by change-point segmentation of log latency over log2 size),
 * in bytes and TLB entries; the CPU's TLB sizes where the run recorded
 * them (/proc/cpuinfo, cpuid); the page-walk penalty (4 KiB minus the best
 * huge-page latency beyond the 4 KiB knee); the reach of each page size,
 * from the gap between its curve and the next larger page size's
 * (tlb_reach.h), written as
 *   reach.<backing> = {pattern, page_size_bytes, vs [backings compared],
 *     state, separable, lo_bytes, hi_bytes, entries_lo, entries_hi, level,
 *     levels [{lo_bytes, hi_bytes, entries_lo, entries_hi, level}], note,
 *     gap [{bytes, gap_ns, noise_ns}]}
 * (lo_bytes, hi_bytes, entries_lo, entries_hi and level null unless
 * separable; lo_bytes and entries_lo also null when the gap is beyond the
 * noise from the smallest size; levels only when separable).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "../core/units.h"
#include "analysis.h"
#include "changepoint.h"
#include "facts.h"
#include "tlb_reach.h"

#define MAX_POINTS 256
#define MAX_KNEES 8

static const char *const backings[] = { "4k", "thp", "2m", "1g" };
static const char *const patterns[] = { "page", "line" };
#define N_BACKINGS 4
#define N_PATTERNS 2

/* The smallest 95% half-width a point is given for the reach, as a
 * fraction of its latency: one run's interval of the median is narrower
 * than the run-to-run spread (back-to-back runs agree to 1.5-2.3% here;
 * issue 16), and the gap compares points measured at different times. */
#define REACH_REL_FLOOR 0.02

/* One measured curve. */
struct curve {
	size_t n;
	double size[MAX_POINTS], ns[MAX_POINTS], se2[MAX_POINTS];
	double half[MAX_POINTS]; /* 95% half-width for the gap, ns */
	int nobs[MAX_POINTS];	 /* samples behind each median (0:
				 * unknown) */
	double page_size;	 /* bytes, from what the kernel gave */
};

/* Nominal page size of a backing, when the record does not say. */
static double nominal_page(const char *b)
{
	return !strcmp(b, "1g") ? 1073741824.0 :
	       !strcmp(b, "4k") ? 4096.0 :
				  2097152.0;
}

/* Collects the ok latency records of (backing, pattern), sorted by size. */
static void collect(const struct mt_run *run, const char *backing,
		    const char *pattern, struct curve *c)
{
	size_t i;
	json_t *r;

	c->n = 0;
	c->page_size = nominal_page(backing);
	json_array_foreach(run->records, i, r) {
		const char *b = mt_rec_case_str(r, "backing");
		const char *p = mt_rec_case_str(r, "pattern");
		double sz = mt_rec_case_num(r, "size_bytes");
		double v = mt_rec_value(r), lo, hi, ps;
		size_t j;

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "tlb") ||
		    strcmp(mt_rec_metric(r), "latency") || !b || !p ||
		    strcmp(b, backing) || strcmp(p, pattern) || !(sz > 0) ||
		    !(v > 0) || c->n == MAX_POINTS)
			continue;
		ps = mt_rec_obtained_num(r, "page_size_bytes");
		if (ps > 0)
			c->page_size = ps;
		/* The standard error of log latency from the CI of the
		 * median: the noise floor for the segmentation, which
		 * compares points of this run (mt_rec_ci_within). */
		mt_rec_ci_within(r, &lo, &hi);
		/* Insert sorted by size; a repeated size keeps the first. */
		for (j = c->n; j > 0 && c->size[j - 1] > sz; j--) {
			c->size[j] = c->size[j - 1];
			c->ns[j] = c->ns[j - 1];
			c->se2[j] = c->se2[j - 1];
			c->half[j] = c->half[j - 1];
			c->nobs[j] = c->nobs[j - 1];
		}
		if (j > 0 && c->size[j - 1] == sz) {
			memmove(&c->size[j], &c->size[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->ns[j], &c->ns[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->se2[j], &c->se2[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->half[j], &c->half[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->nobs[j], &c->nobs[j + 1],
				(c->n - j) * sizeof(int));
			continue;
		}
		c->size[j] = sz;
		c->ns[j] = v;
		c->se2[j] = lo > 0 && hi > lo ?
				    pow((log(hi) - log(lo)) / 3.92, 2) :
				    0;
		c->half[j] = fmax(lo > 0 && hi > lo ? (hi - lo) / 2 : 0,
				  REACH_REL_FLOOR * v);
		c->nobs[j] = json_is_integer(json_object_get(r, "n")) ?
				     (int)json_integer_value(
					     json_object_get(r, "n")) :
				     0;
		c->n++;
	}
}

/* The knees of curve c as a JSON array (entries only for the page
 * pattern, where each element sits on its own page). */
static json_t *knees_of(const struct curve *c, bool entries)
{
	double x[MAX_POINTS], y[MAX_POINTS], se2[MAX_POINTS];
	struct mt_cp_knee k[MAX_KNEES];
	struct mt_cp_result r;
	json_t *arr = json_array();
	size_t nk;

	if (!arr || c->n == 0)
		return arr;
	for (size_t i = 0; i < c->n; i++) {
		x[i] = log2(c->size[i]);
		y[i] = log(c->ns[i]);
		se2[i] = c->se2[i];
	}
	qsort(se2, c->n, sizeof(double), mt_cmp_double);
	if (mt_cp_segment(x, y, c->n, MT_CP_CONSTANT, se2[c->n / 2], &r) < 0)
		return arr;
	nk = mt_cp_knees(x, &r, k, MAX_KNEES);
	for (size_t i = 0; i < nk && i < MAX_KNEES; i++) {
		double lo = c->size[k[i].below], hi = c->size[k[i].above];
		json_t *o = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "bytes",
				      sqrt(lo * hi), "bytes_below", lo,
				      "bytes_above", hi, "latency_below_ns",
				      c->ns[k[i].below], "latency_above_ns",
				      c->ns[k[i].above], "step_ratio",
				      exp(k[i].step));

		if (!o)
			continue;
		if (entries) {
			json_object_set_new(o, "entries_below",
					    json_real(lo / c->page_size));
			json_object_set_new(o, "entries_above",
					    json_real(hi / c->page_size));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The CPU's TLB sizes as the run recorded them: meta.json system.tlb (what
 * memtune sysinfo writes: {source, reported, entries_4k}) or topology.tlb,
 * else "not exposed". /proc/cpuinfo lists a "TLB size" on AMD only and
 * hwloc none, so many runs say "not exposed". */
static json_t *cpu_tlb(const struct mt_run *run)
{
	json_t *sys = json_object_get(run->meta, "system");
	json_t *t = json_object_get(sys, "tlb"), *o;
	json_t *id = json_object_get(sys, "cpuid_tlb");

	if (!t)
		t = json_object_get(json_object_get(run->meta, "topology"),
				    "tlb");
	if (t && (json_array_size(t) || json_object_size(t)))
		o = json_pack("{s:b, s:O}", "exposed", 1, "sizes", t);
	else
		o = json_pack("{s:b, s:s}", "exposed", 0, "note",
			      "not exposed: the run's meta.json records no "
			      "TLB sizes (hwloc does not report them and "
			      "/proc/cpuinfo lists them only on some AMD "
			      "CPUs)");
	/* What cpuid said at run time (core/cpuid_tlb.h), as recorded. */
	if (o && json_is_object(id))
		json_object_set(o, "cpuid", id);
	return o;
}

/* The 4 KiB entries the CPU reports, or NAN. */
static double cpu_entries_4k(json_t *d)
{
	return mt_jnum(json_object_get(json_object_get(d, "cpu_tlb"), "sizes"),
		       "entries_4k");
}

/* True when curve c has a knee whose size bracket overlaps [lo, hi]. */
static bool has_knee_near(json_t *c, double lo, double hi)
{
	json_t *k;
	size_t i;

	json_array_foreach(json_object_get(c, "knees"), i, k)
		if (mt_jnum(k, "bytes_below") <= hi &&
		    mt_jnum(k, "bytes_above") >= lo)
			return true;
	return false;
}

/* True when curve c measured sizes on both sides of [lo, hi]. */
static bool covers(json_t *c, double lo, double hi)
{
	json_t *p;
	size_t i;
	bool below = false, above = false;

	json_array_foreach(json_object_get(c, "points"), i, p) {
		double x = json_number_value(json_array_get(p, 0));

		below |= x <= lo;
		above |= x >= hi;
	}
	return below && above;
}

/* Marks each knee of the page-pattern curves with its "kind": "cache"
 * when a curve of another page size steps at the same working set (a TLB
 * step depends on the page size; a step every page size shares is the
 * caches, or the page tables falling out of them), "tlb" when another
 * page size was measured there and does not step, "unknown" when there is
 * nothing to compare with. (The reach itself comes from the gap between
 * the curves: reach_all.) */
static void classify_knees(json_t *out)
{
	json_t *curves = json_object_get(out, "curves"), *c, *c2, *k;
	size_t i, i2, j;

	json_array_foreach(curves, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "pattern")),
			   "page"))
			continue;
		json_array_foreach(json_object_get(c, "knees"), j, k) {
			double lo = mt_jnum(k, "bytes_below");
			double hi = mt_jnum(k, "bytes_above");
			const char *kind = "unknown";

			json_array_foreach(curves, i2, c2) {
				if (strcmp(json_string_value(json_object_get(
						   c2, "pattern")),
					   "page") ||
				    mt_jnum(c2, "page_size_bytes") ==
					    mt_jnum(c, "page_size_bytes") ||
				    !covers(c2, lo, hi))
					continue;
				if (has_knee_near(c2, lo, hi)) {
					kind = "cache";
					break;
				}
				kind = "tlb";
			}
			json_object_set_new(k, "kind", json_string(kind));
		}
	}
}

/* Sets "cpu_tlb.beside_knee" of out: the first knee of the 4 KiB page
 * curve against the entries the CPU reports (within the knee's bracket
 * or not), so a person sees both numbers side by side. */
static void tlb_beside(json_t *out)
{
	double cpu = cpu_entries_4k(out), lo, hi;
	json_t *c, *k = NULL;
	size_t i;

	json_array_foreach(json_object_get(out, "curves"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "pattern")),
			    "page") &&
		    !strcmp(json_string_value(json_object_get(c, "backing")),
			    "4k")) {
			json_t *kk;
			size_t j;

			json_array_foreach(json_object_get(c, "knees"), j, kk)
				if (strcmp(json_string_value(
						   json_object_get(kk, "kind")),
					   "cache")) {
					k = kk;
					break;
				}
		}
	if (!isfinite(cpu))
		return;
	if (!k) {
		json_object_set_new(
			json_object_get(out, "cpu_tlb"), "beside_knee",
			json_pack("{s:f, s:n, s:n, s:b}", "cpu_entries_4k", cpu,
				  "knee_entries_below", "knee_entries_above",
				  "within", 0));
		return;
	}
	lo = json_number_value(json_object_get(k, "entries_below"));
	hi = json_number_value(json_object_get(k, "entries_above"));
	json_object_set_new(json_object_get(out, "cpu_tlb"), "beside_knee",
			    json_pack("{s:f, s:f, s:f, s:b}", "cpu_entries_4k",
				      cpu, "knee_entries_below", lo,
				      "knee_entries_above", hi, "within",
				      cpu >= lo && cpu <= hi));
}

/* Sets "cpu_tlb.beside_reach": the 4 KiB entries cpuid reports per level
 * against the entries the measured 4k reach implies, and whether the
 * reported figure of the reach's level lies in its interval. */
static void tlb_beside_reach(json_t *out)
{
	json_t *cpu = json_object_get(out, "cpu_tlb");
	json_t *id = json_object_get(cpu, "cpuid");
	json_t *r = json_object_get(json_object_get(out, "reach"), "4k");
	double l1 = mt_jnum(id, "entries_4k_l1");
	double l2 = mt_jnum(id, "entries_4k_l2");
	double lo, hi, want;
	const char *lv;
	json_t *o;

	if (!json_is_true(json_object_get(id, "reported")) ||
	    !json_is_true(json_object_get(r, "separable")))
		return;
	lo = json_is_number(json_object_get(r, "entries_lo")) ?
		     mt_jnum(r, "entries_lo") :
		     0;
	hi = mt_jnum(r, "entries_hi");
	lv = json_string_value(json_object_get(r, "level"));
	want = lv && !strcmp(lv, "L1") ? l1 : l2;
	o = json_pack("{s:f, s:f, s:s, s:o}", "reach_entries_lo", lo,
		      "reach_entries_hi", hi, "level", lv ? lv : "?", "within",
		      isfinite(want) ? json_boolean(want >= lo && want <= hi) :
				       json_null());
	if (!o)
		return;
	if (isfinite(l1))
		json_object_set_new(o, "cpuid_entries_4k_l1", json_real(l1));
	if (isfinite(l2))
		json_object_set_new(o, "cpuid_entries_4k_l2", json_real(l2));
	json_object_set_new(cpu, "beside_reach", o);
}

/* Latency of curve c at size, or NAN when it was not measured. */
static double at_size(const struct curve *c, double size)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->size[i] == size)
			return c->ns[i];
	return NAN;
}

/* The page-walk penalty on `pattern`: at each size from the 4 KiB curve's
 * first knee on (every size when it has none), 4 KiB latency minus the
 * best huge-page latency at that size. NULL when there is nothing to
 * compare. */
static json_t *walk_penalty(const struct curve cur[N_BACKINGS],
			    json_t *knees_4k, const char *pattern)
{
	double from = json_number_value(
		json_object_get(json_array_get(knees_4k, 0), "bytes_above"));
	const struct curve *c4 = &cur[0];
	json_t *per = json_array(), *o;
	double pens[MAX_POINTS], last_pen = NAN, last_size = NAN;
	double last_4k = NAN, last_huge = NAN;
	const char *last_best = NULL;
	size_t np = 0;

	if (!per)
		return NULL;
	for (size_t i = 0; i < c4->n; i++) {
		double best = INFINITY;
		const char *bname = NULL;

		if (c4->size[i] < from)
			continue;
		for (size_t b = 1; b < N_BACKINGS; b++) {
			double v = at_size(&cur[b], c4->size[i]);

			if (v < best) {
				best = v;
				bname = backings[b];
			}
		}
		if (!bname)
			continue;
		pens[np++] = c4->ns[i] - best;
		last_pen = c4->ns[i] - best;
		last_size = c4->size[i];
		last_4k = c4->ns[i];
		last_huge = best;
		last_best = bname;
		json_array_append_new(
			per, json_pack("{s:f, s:f, s:s, s:f, s:f}", "bytes",
				       c4->size[i], "latency_4k_ns", c4->ns[i],
				       "best_huge", bname, "latency_huge_ns",
				       best, "penalty_ns", c4->ns[i] - best));
	}
	if (np == 0) {
		json_decref(per);
		return NULL;
	}
	o = json_pack("{s:s, s:f, s:f, s:s, s:f, s:f, s:f, s:o}", "pattern",
		      pattern, "at_bytes", last_size, "latency_4k_ns", last_4k,
		      "best_huge", last_best, "latency_huge_ns", last_huge,
		      "penalty_ns", last_pen, "median_penalty_ns",
		      mt_median(pens, np), "per_size", per);
	return o;
}

/* The fact the THP advice rests on (issue 13: one figure, derived here, for
 * the report and the advice alike): "tlb.thp_walk_ratio", 4 KiB over THP
 * load latency with the page-stride pattern at the largest size both were
 * measured. Its 95% interval comes from each median's own interval (the
 * standard errors of the two log latencies add); none when either record
 * had none. Nothing when no size has both. */
static void thp_walk_ratio(json_t *out, const struct curve *c4,
			   const struct curve *thp)
{
	double se, r, sz = -1, a = NAN, b = NAN, s2 = 0;
	int n = 0;
	char what[192], size[32];

	for (size_t i = 0; i < c4->n; i++)
		for (size_t j = 0; j < thp->n; j++)
			if (thp->size[j] == c4->size[i] && c4->size[i] > sz) {
				sz = c4->size[i];
				a = c4->ns[i];
				b = thp->ns[j];
				s2 = c4->se2[i] > 0 && thp->se2[j] > 0 ?
					     c4->se2[i] + thp->se2[j] :
					     0;
				n = c4->nobs[i] + thp->nobs[j];
			}
	if (!(sz > 0) || !(a > 0) || !(b > 0))
		return;
	r = a / b;
	se = sqrt(s2);
	mt_format_bytes(sz, size, sizeof(size));
	snprintf(what, sizeof(what),
		 "4 KiB over THP page-stride load latency "
		 "at %s (the largest size both measured): %.1f ns against "
		 "%.1f ns",
		 size, a, b);
	mt_fact_add(out, "tlb.thp_walk_ratio", r,
		    se > 0 ? r * exp(-1.96 * se) : NAN,
		    se > 0 ? r * exp(1.96 * se) : NAN, "ratio", n, what);
}

/* The backings of the next larger page size than backing b (indexes into
 * backings[]), those measured: 4k against thp and 2m (1g when neither was
 * measured), thp and 2m against 1g. Returns how many. */
static size_t next_larger(const struct curve cur[N_BACKINGS], size_t b,
			  size_t ref[2])
{
	size_t n = 0;

	if (b == 0) {
		for (size_t r = 1; r <= 2; r++)
			if (cur[r].n)
				ref[n++] = r;
		if (n)
			return n;
	}
	if (b < 3 && cur[3].n)
		ref[n++] = 3;
	return n;
}

/* The name of a reach level from the entries it implies. */
static const char *level_name(double entries_lo, double entries_hi)
{
	if (entries_hi <= MT_REACH_L1_MAX_ENTRIES)
		return "L1";
	if (entries_lo >= MT_REACH_L1_MAX_ENTRIES)
		return "L2";
	return "L1 or L2";
}

/* {lo_bytes, hi_bytes, entries_lo, entries_hi, level} of a level (lo
 * null when the gap is beyond the noise from the smallest size on). */
static json_t *level_json(const struct mt_reach_level *l, double page,
			  const char *name)
{
	return json_pack("{s:o, s:f, s:o, s:f, s:s}", "lo_bytes",
			 isnan(l->lo) ? json_null() : json_real(l->lo),
			 "hi_bytes", l->hi, "entries_lo",
			 isnan(l->lo) ? json_null() : json_real(l->lo / page),
			 "entries_hi", l->hi / page, "level", name);
}

/* Why a backing has no reach, in words. */
static const char *reach_note(enum mt_reach_state st)
{
	switch (st) {
	case MT_REACH_NEVER:
		return "the curves never part: the smaller pages are not "
		       "slower beyond the noise at any size measured";
	case MT_REACH_UNSTEADY:
		return "the gap exceeds the noise at some sizes but does not "
		       "stay above it (a noisy run? measure again)";
	case MT_REACH_LAST_ONLY:
		return "the gap exceeds the noise only at the largest size: "
		       "measure larger sizes";
	case MT_REACH_TOO_FEW:
		return "too few sizes measured by both page sizes";
	default: return "";
	}
}

/* The reach of backing b (page pattern) from its gap to the next larger
 * page size measured (tlb_reach.h): the object tlb.reach.<backing>. */
static json_t *reach_one(const struct curve cur[N_BACKINGS], size_t b)
{
	const struct curve *c = &cur[b];
	double size[MAX_POINTS], gap[MAX_POINTS], noise[MAX_POINTS];
	json_t *o, *vs = json_array(), *gaps = json_array(), *levels;
	size_t ref[2], nref = next_larger(cur, b, ref), n = 0;
	struct mt_reach r;

	for (size_t i = 0; i < nref; i++)
		json_array_append_new(vs, json_string(backings[ref[i]]));
	for (size_t i = 0; i < c->n && nref; i++) {
		double sum = 0, lo = INFINITY, hi = -INFINITY, h = 0;
		size_t m = 0;

		for (size_t k = 0; k < nref; k++) {
			const struct curve *rc = &cur[ref[k]];

			for (size_t j = 0; j < rc->n; j++)
				if (rc->size[j] == c->size[i]) {
					sum += rc->ns[j];
					lo = fmin(lo, rc->ns[j]);
					hi = fmax(hi, rc->ns[j]);
					h = fmax(h, rc->half[j]);
					m++;
				}
		}
		if (!m)
			continue;
		/* Two backings of the same page size (thp, 2m) that
		 * disagree show the noise too. */
		h = fmax(h, (hi - lo) / 2);
		size[n] = c->size[i];
		gap[n] = c->ns[i] - sum / (double)m;
		noise[n] = sqrt(c->half[i] * c->half[i] + h * h);
		json_array_append_new(gaps,
				      json_pack("{s:f, s:f, s:f}", "bytes",
						size[n], "gap_ns", gap[n],
						"noise_ns", noise[n]));
		n++;
	}
	/* The interval keys are null until a level fills them. */
	o = json_pack("{s:f, s:o, s:o, s:n, s:n, s:n, s:n, s:n}",
		      "page_size_bytes", c->page_size, "vs", vs, "gap", gaps,
		      "lo_bytes", "hi_bytes", "entries_lo", "entries_hi",
		      "level");
	if (!o)
		return NULL;
	if (!nref) {
		json_object_set_new(o, "state", json_string("no_larger_page"));
		json_object_set_new(o, "separable", json_false());
		json_object_set_new(o, "note",
				    json_string("no larger page size was "
						"measured to compare with"));
		return o;
	}
	mt_reach_find(size, gap, noise, n,
		      c->page_size * MT_REACH_L1_MAX_ENTRIES, &r);
	json_object_set_new(o, "state",
			    json_string(mt_reach_state_name(r.state)));
	json_object_set_new(o, "separable", json_boolean(r.n_levels > 0));
	if (!r.n_levels) {
		json_object_set_new(o, "note",
				    json_string(reach_note(r.state)));
		return o;
	}
	levels = json_array();
	for (size_t i = 0; i < r.n_levels; i++) {
		const struct mt_reach_level *l = &r.level[i];
		const char *name =
			r.n_levels > 1 ?
				(i == 0 ? "L1" : "L2") :
				level_name(isnan(l->lo) ? 0 :
							  l->lo / c->page_size,
					   l->hi / c->page_size);

		json_array_append_new(levels,
				      level_json(l, c->page_size, name));
	}
	/* The outermost level is the reach; "levels" has them all. */
	json_object_update(o, json_array_get(levels, r.n_levels - 1));
	json_object_set_new(o, "levels", levels);
	return o;
}

/* Sets "reach": {backing: reach_one} for each backing, from the page
 * pattern when it was measured (a TLB entry per element), else from the
 * line pattern (a chase over every line, as multichase -s 64 measures). */
static void reach_all(json_t *out,
		      const struct curve cur[N_PATTERNS * N_BACKINGS])
{
	json_t *reach = json_object();
	bool page = false;

	for (size_t b = 0; b < N_BACKINGS; b++)
		page |= cur[b].n > 0;
	for (size_t b = 0; b < N_BACKINGS; b++) {
		const struct curve *pc = &cur[page ? 0 : N_BACKINGS];
		json_t *o;

		if (!pc[b].n)
			continue;
		o = reach_one(pc, b);
		if (!o)
			continue;
		json_object_set_new(o, "pattern",
				    json_string(page ? "page" : "line"));
		json_object_set_new(reach, backings[b], o);
	}
	json_object_set_new(out, "reach", reach);
}

/* Derives the tlb figures of one run. */
static json_t *tlb_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *out, *curves, *pen = NULL;
	struct curve *cur;
	size_t n_points = 0;

	cur = calloc(N_PATTERNS * N_BACKINGS, sizeof(*cur));
	out = json_object();
	curves = json_array();
	if (!cur || !out || !curves) {
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "tlb: out of memory");
		goto out_nomem;
	}
	for (size_t p = 0; p < N_PATTERNS; p++) {
		struct curve *pc = &cur[p * N_BACKINGS];
		json_t *k4 = NULL;

		for (size_t b = 0; b < N_BACKINGS; b++) {
			struct curve *c = &pc[b];
			json_t *pts, *knees, *o;

			collect(run, backings[b], patterns[p], c);
			if (c->n == 0)
				continue;
			n_points += c->n;
			pts = json_array();
			for (size_t i = 0; i < c->n; i++)
				json_array_append_new(pts, json_pack("[f, f]",
								     c->size[i],
								     c->ns[i]));
			knees = knees_of(c, p == 0);
			o = json_pack("{s:s, s:s, s:f, s:o, s:o}", "pattern",
				      patterns[p], "backing", backings[b],
				      "page_size_bytes", c->page_size, "points",
				      pts, "knees", knees);
			if (!o)
				continue;
			json_array_append_new(curves, o);
			if (b == 0)
				k4 = knees;
		}
		if (!pen && pc[0].n)
			pen = walk_penalty(pc, k4, patterns[p]);
		if (p == 0)
			thp_walk_ratio(out, &pc[0], &pc[1]);
	}
	reach_all(out, cur);
	free(cur);
	if (n_points == 0) {
		json_decref(out);
		json_decref(curves);
		json_decref(pen);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "tlb: no 'latency' record with a backing, a "
			   "pattern and size_bytes in its case");
		return NULL;
	}
	json_object_set_new(out, "curves", curves);
	json_object_set_new(out, "page_walk_penalty", pen ? pen : json_null());
	json_object_set_new(out, "cpu_tlb", cpu_tlb(run));
	classify_knees(out);
	tlb_beside(out);
	tlb_beside_reach(out);
	return out;

out_nomem:
	free(cur);
	json_decref(out);
	json_decref(curves);
	return NULL;
}

/* The derived curve of (pattern, backing), or NULL. */
static json_t *find_curve(json_t *d, const char *pattern, const char *backing)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(d, "curves"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "pattern")),
			    pattern) &&
		    !strcmp(json_string_value(json_object_get(c, "backing")),
			    backing))
			return c;
	return NULL;
}

/* One reach level: "4 MiB..12 MiB = 1,024..3,072 entries (L2)". */
static void print_level(FILE *out, json_t *l)
{
	char a[32], b[32], e[32];

	mt_format_bytes(mt_jnum(l, "hi_bytes"), b, sizeof(b));
	mt_format_count(mt_jnum(l, "entries_hi"), e, sizeof(e));
	if (json_is_number(json_object_get(l, "lo_bytes"))) {
		char f[32];

		mt_format_bytes(mt_jnum(l, "lo_bytes"), a, sizeof(a));
		mt_format_count(mt_jnum(l, "entries_lo"), f, sizeof(f));
		fprintf(out, "%s..%s = %s..%s entries", a, b, f, e);
	} else {
		fprintf(out,
			"below %s (< %s entries: the gap is beyond the noise "
			"from the smallest size)",
			b, e);
	}
	fprintf(out, " (%s)", json_string_value(json_object_get(l, "level")));
}

/* The reach lines of `analyze`: one per backing. */
static void print_reach(FILE *out, json_t *reach)
{
	const char *b;
	json_t *r, *v;
	size_t i;

	json_object_foreach(reach, b, r) {
		fprintf(out, "  reach %-3s", b);
		if (json_array_size(json_object_get(r, "vs"))) {
			fprintf(out, " (%s pattern, gap to",
				json_string_value(json_object_get(r,
								  "pattern")));
			json_array_foreach(json_object_get(r, "vs"), i, v)
				fprintf(out, "%s%s", i ? "/" : " ",
					json_string_value(v));
			fputc(')', out);
		}
		if (!json_is_true(json_object_get(r, "separable"))) {
			fprintf(out, ": %s%s\n",
				json_array_size(json_object_get(r, "vs")) ?
					"not separable: " :
					"",
				json_string_value(json_object_get(r, "note")));
			continue;
		}
		fputs(": ", out);
		print_level(out, r);
		if (json_array_size(json_object_get(r, "levels")) > 1) {
			fputs("; first level ", out);
			print_level(out,
				    json_array_get(json_object_get(r, "levels"),
						   0));
		}
		fputc('\n', out);
	}
}

/* The TLBs cpuid reported at run time, beside the measured 4k reach. */
static void print_cpuid(FILE *out, json_t *d)
{
	json_t *cpu = json_object_get(d, "cpu_tlb");
	json_t *id = json_object_get(cpu, "cpuid"), *t, *v;
	json_t *br = json_object_get(cpu, "beside_reach");
	size_t i, j;
	char a[32], e[32];
	bool first = true;

	if (!id)
		return;
	fprintf(out, "  cpu tlb (cpuid");
	json_array_foreach(json_object_get(id, "leaves"), i, v)
		fprintf(out, " %s", json_string_value(v));
	fprintf(out, "%s):",
		json_is_true(json_object_get(id, "hypervisor")) ?
			", under a hypervisor" :
			"");
	if (!json_is_true(json_object_get(id, "reported"))) {
		fprintf(out, " %s\n",
			json_string_value(json_object_get(id, "note")));
		return;
	}
	json_array_foreach(json_object_get(id, "tlbs"), i, t) {
		const char *type = json_string_value(json_object_get(t,
								     "type"));

		if (!strcmp(type, "instruction"))
			continue;
		fprintf(out, "%s L%d %s", first ? "" : ";",
			(int)json_integer_value(json_object_get(t, "level")),
			type);
		json_array_foreach(json_object_get(t, "page_sizes"), j, v)
			fprintf(out, "%s%s", j ? "/" : " ",
				json_string_value(v));
		mt_format_count(mt_jnum(t, "entries"), e, sizeof(e));
		fprintf(out, " %s entries", e);
		json_array_foreach(json_object_get(t, "page_sizes"), j, v)
			if (!strcmp(json_string_value(v), "4k")) {
				mt_format_bytes(mt_jnum(t, "entries") * 4096, a,
						sizeof(a));
				fprintf(out, " (%s of 4 KiB pages)", a);
			}
		first = false;
	}
	fputc('\n', out);
	if (br)
		fprintf(out,
			"  cpu tlb beside the measured 4k reach (%s): %s\n",
			json_string_value(json_object_get(br, "level")),
			json_is_true(json_object_get(br, "within")) ?
				"cpuid's figure lies in the measured interval" :
			json_is_false(json_object_get(br, "within")) ?
				"cpuid's figure lies outside the measured "
				"interval (another level, or figures the "
				"hypervisor made up)" :
				"cpuid reports no 4 KiB figure for that level");
}

static void tlb_print(FILE *out, json_t *d)
{
	json_t *c, *k, *pen = json_object_get(d, "page_walk_penalty");
	size_t i, j;
	char a[32], b[32], cpu[32];

	json_array_foreach(json_object_get(d, "curves"), i, c) {
		bool page = !strcmp(
			json_string_value(json_object_get(c, "pattern")),
			"page");

		fprintf(out, "  %-4s %-3s knees:",
			json_string_value(json_object_get(c, "pattern")),
			json_string_value(json_object_get(c, "backing")));
		if (!json_array_size(json_object_get(c, "knees")))
			fprintf(out, " none in the sizes measured");
		json_array_foreach(json_object_get(c, "knees"), j, k) {
			mt_format_bytes(mt_jnum(k, "bytes_below"), a,
					sizeof(a));
			mt_format_bytes(mt_jnum(k, "bytes_above"), b,
					sizeof(b));
			fprintf(out, " %s..%s", a, b);
			if (page) {
				mt_format_num(mt_jnum(k, "entries_below"), 4, a,
					      sizeof(a));
				mt_format_num(mt_jnum(k, "entries_above"), 4, b,
					      sizeof(b));
				fprintf(out, " (%s..%s entries)", a, b);
			}
			mt_format_quantity(mt_jnum(k, "latency_below_ns"), "ns",
					   a, sizeof(a));
			mt_format_quantity(mt_jnum(k, "latency_above_ns"), "ns",
					   b, sizeof(b));
			fprintf(out, " %s->%s%s;", a, b,
				!page ? "" :
				!strcmp(json_string_value(
						json_object_get(k, "kind")),
					"cache") ?
					" (cache: every "
					"page size steps here)" :
				!strcmp(json_string_value(
						json_object_get(k, "kind")),
					"tlb") ?
					" (TLB)" :
					"");
		}
		fputc('\n', out);
	}
	print_reach(out, json_object_get(d, "reach"));
	if (json_is_object(pen)) {
		mt_format_bytes(mt_jnum(pen, "at_bytes"), a, sizeof(a));
		fprintf(out,
			"  page-walk penalty %.1f ns/access at %s "
			"(4k %.1f ns, %s %.1f ns; median %.1f ns)\n",
			mt_jnum(pen, "penalty_ns"), a,
			mt_jnum(pen, "latency_4k_ns"),
			json_string_value(json_object_get(pen, "best_huge")),
			mt_jnum(pen, "latency_huge_ns"),
			mt_jnum(pen, "median_penalty_ns"));
	} else {
		fprintf(out, "  page-walk penalty: no huge-page curve to "
			     "compare with\n");
	}
	c = json_object_get(d, "cpu_tlb");
	k = json_object_get(c, "beside_knee");
	mt_format_count(mt_jnum(k, "cpu_entries_4k"), cpu, sizeof(cpu));
	mt_format_num(mt_jnum(k, "knee_entries_below"), 4, a, sizeof(a));
	mt_format_num(mt_jnum(k, "knee_entries_above"), 4, b, sizeof(b));
	if (k && !json_is_number(json_object_get(k, "knee_entries_below"))) {
		fprintf(out,
			"  cpu tlb: %s 4K entries (%s); the 4k page "
			"curve shows no knee to set beside it\n",
			cpu,
			json_string_value(json_object_get(
				json_object_get(c, "sizes"), "source")));
	} else if (k) {
		fprintf(out,
			"  cpu tlb: %s 4K entries (%s), first 4k page "
			"knee at %s..%s entries: %s\n",
			cpu,
			json_string_value(json_object_get(
				json_object_get(c, "sizes"), "source")),
			a, b,
			json_is_true(json_object_get(k, "within")) ?
				"the CPU's figure lies in the bracket" :
				"outside the bracket (another TLB level, or a "
				"virtualized figure)");
	} else if (json_is_true(json_object_get(c, "exposed"))) {
		char *s = json_dumps(json_object_get(c, "sizes"), JSON_COMPACT);

		fprintf(out, "  cpu tlb: %s\n", s ? s : "?");
		free(s);
	} else {
		fprintf(out, "  cpu tlb: not exposed\n");
	}
	print_cpuid(out, d);
}

/* "; the CPU reports N" for a reading, or "". */
static const char *tlb_note(json_t *d)
{
	static char buf[64];
	double cpu = cpu_entries_4k(d);
	char n[32];

	if (!isfinite(cpu))
		return "";
	mt_format_count(cpu, n, sizeof(n));
	snprintf(buf, sizeof(buf), "; the CPU reports %s", n);
	return buf;
}

/* Writes the reading of the figure of one pattern. */
static void reading_one(json_t *d, const char *pattern, char *buf, size_t len)
{
	json_t *c4 = find_curve(d, pattern, "4k");
	json_t *pen = json_object_get(d, "page_walk_penalty");
	json_t *pts = json_object_get(c4, "points");
	json_t *k =
		json_array_get(json_object_get(c4, "knees"),
			       json_array_size(json_object_get(c4, "knees")) -
				       1);
	char a[32], b[32];
	int off;

	if (!c4) {
		snprintf(buf, len,
			 "Only huge-page curves were measured with "
			 "the %s pattern. Without a 4 KiB curve there is no "
			 "page-walk penalty to read.",
			 pattern);
		return;
	}
	mt_format_bytes(json_number_value(json_array_get(json_array_get(pts, 0),
							 0)),
			a, sizeof(a));
	mt_format_bytes(json_number_value(json_array_get(
				json_array_get(pts, json_array_size(pts) - 1),
				0)),
			b, sizeof(b));
	if (k) {
		char lo[32], hi[32];

		mt_format_bytes(mt_jnum(k, "bytes_below"), lo, sizeof(lo));
		mt_format_bytes(mt_jnum(k, "bytes_above"), hi, sizeof(hi));
		off = snprintf(buf, len,
			       "With 4 KiB pages the %s-pattern "
			       "latency makes its last step up between %s "
			       "and %s",
			       pattern, lo, hi);
		if (!strcmp(pattern, "page"))
			off += snprintf(buf + off, len - (size_t)off,
					" (%.0f to %.0f TLB entries%s)",
					mt_jnum(k, "entries_below"),
					mt_jnum(k, "entries_above"),
					tlb_note(d));
		off += snprintf(buf + off, len - (size_t)off,
				", from %.1f to %.1f ns per access. ",
				mt_jnum(k, "latency_below_ns"),
				mt_jnum(k, "latency_above_ns"));
	} else {
		off = snprintf(buf, len,
			       "With 4 KiB pages the %s-pattern "
			       "latency shows no step the noise cannot "
			       "explain between %s and %s. ",
			       pattern, a, b);
	}
	if ((size_t)off >= len)
		return;
	if (json_is_object(pen) &&
	    !strcmp(json_string_value(json_object_get(pen, "pattern")),
		    pattern)) {
		mt_format_bytes(mt_jnum(pen, "at_bytes"), a, sizeof(a));
		snprintf(buf + off, len - (size_t)off,
			 "At %s the best huge pages (%s) take %.1f ns against "
			 "%.1f ns, so a 4 KiB page walk costs about %.1f ns "
			 "per access there.",
			 a,
			 json_string_value(json_object_get(pen, "best_huge")),
			 mt_jnum(pen, "latency_huge_ns"),
			 mt_jnum(pen, "latency_4k_ns"),
			 mt_jnum(pen, "penalty_ns"));
	} else {
		snprintf(buf + off, len - (size_t)off,
			 "The huge-page curves show how much of that is the "
			 "TLB: where they stay low, the difference is the "
			 "page walk.");
	}
}

/* The reading of several runs: the spread of the 4k knee and penalty. */
static void reading_many(json_t *const *derived, size_t n, const char *pattern,
			 char *buf, size_t len)
{
	double *kn = calloc(n, sizeof(double)), *pe = calloc(n, sizeof(double));
	size_t nk = 0, np = 0;
	char a[32], b[32], m[32];
	int off;

	if (!kn || !pe) {
		snprintf(buf, len, "Out of memory.");
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *c = find_curve(derived[i], pattern, "4k");
		json_t *ks = json_object_get(c, "knees");
		json_t *pen = json_object_get(derived[i], "page_walk_penalty");

		if (json_array_size(ks))
			kn[nk++] = mt_jnum(
				json_array_get(ks, json_array_size(ks) - 1),
				"bytes");
		if (json_is_object(pen) &&
		    !strcmp(json_string_value(json_object_get(pen, "pattern")),
			    pattern))
			pe[np++] = mt_jnum(pen, "penalty_ns");
	}
	qsort(kn, nk, sizeof(double), mt_cmp_double);
	qsort(pe, np, sizeof(double), mt_cmp_double);
	if (nk) {
		mt_format_bytes(kn[0], a, sizeof(a));
		mt_format_bytes(kn[nk - 1], b, sizeof(b));
		mt_format_bytes(kn[nk / 2], m, sizeof(m));
		off = snprintf(buf, len,
			       "Across %zu runs the last 4 KiB "
			       "knee of the %s pattern lies at a median of "
			       "%s (from %s to %s; %zu runs have one). ",
			       n, pattern, m, a, b, nk);
	} else {
		off = snprintf(buf, len,
			       "Across %zu runs no 4 KiB %s-pattern "
			       "curve steps up beyond its noise. ",
			       n, pattern);
	}
	if (np)
		snprintf(buf + off, len - (size_t)off,
			 "The page-walk penalty at the largest size has a "
			 "median of %.1f ns per access (from %.1f to %.1f "
			 "ns).",
			 pe[np / 2], pe[0], pe[np - 1]);
	else
		snprintf(buf + off, len - (size_t)off,
			 "No run has a huge-page curve to measure the "
			 "page-walk penalty against.");
out_free:
	free(kn);
	free(pe);
}

/* Appends the x/y of a derived curve to xs/ys (a NAN breaks the line). */
static size_t append_curve(json_t *c, double *xs, double *ys, size_t at)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(c, "points"), i, p) {
		xs[at] = json_number_value(json_array_get(p, 0));
		ys[at++] = json_number_value(json_array_get(p, 1));
	}
	xs[at] = NAN;
	ys[at++] = NAN;
	return at;
}

/* One figure per pattern: latency against working set, log axes, one line
 * per backing (per run and backing with several runs), knees marked. */
static int tlb_plots(struct mt_report *rep, struct mt_run *const *runs,
		     json_t *const *derived, size_t n, struct mt_err *err)
{
	bool labelled = n <= MT_FIG_MAX_LABELLED_RUNS;
	size_t cap = 2 * N_BACKINGS + n * N_BACKINGS;
	struct mt_series *ser = calloc(cap, sizeof(*ser));
	char(*titles)[256] = calloc(cap, sizeof(*titles));
	double **bufs = calloc(cap * 2, sizeof(double *));
	size_t nbuf = 0;
	char reading[1024];
	int ret = 0;

	if (!ser || !titles || !bufs) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	for (size_t p = 0; p < N_PATTERNS && !ret; p++) {
		char name[32], title[96];
		size_t ns = 0, have = 0;
		struct mt_line_fig f = {
			.name = name,
			.bench = "tlb",
			.title = title,
			.xlabel = "working set",
			.ylabel = "latency (ns)",
			.logx = true,
			.logy = true,
			.x_bytes = true,
			.reading = reading,
		};

		snprintf(name, sizeof(name), "tlb-%s", patterns[p]);
		snprintf(title, sizeof(title),
			 "Load latency against working "
			 "set, %s pattern",
			 patterns[p]);
		for (size_t b = 0; b < N_BACKINGS; b++) {
			/* Lines: per run when labelled, else all runs of a
			 * backing in one thin series. Then the knees. */
			size_t total = 0, kt = 0;

			for (size_t r = 0; r < n; r++) {
				json_t *c = find_curve(derived[r], patterns[p],
						       backings[b]);

				total += json_array_size(
						 json_object_get(c, "points")) +
					 1;
				kt += json_array_size(json_object_get(c,
								      "knees"));
			}
			if (total == n)
				continue;
			have++;
			for (size_t r = 0; r < n; r++) {
				json_t *c = find_curve(derived[r], patterns[p],
						       backings[b]);
				struct mt_series *s;
				size_t m, len;

				if (!c)
					continue;
				if (!labelled && r > 0 && ns > 0 &&
				    ser[ns - 1].color ==
					    mt_fig_backing_color(backings[b]) &&
				    ser[ns - 1].thin)
					continue;
				/* ser is reused from figure to figure: a slot
				 * that held the previous figure's knee marks
				 * must not draw this line as marks. */
				s = &ser[ns++];
				*s = (struct mt_series){ 0 };
				len = labelled ?
					      json_array_size(json_object_get(
						      c, "points")) +
						      1 :
					      total;
				bufs[nbuf] = malloc(len * sizeof(double));
				bufs[nbuf + 1] = malloc(len * sizeof(double));
				if (!bufs[nbuf] || !bufs[nbuf + 1]) {
					nbuf += 2;
					ret = mt_err_set(err, -ENOMEM,
							 MT_ERR_RUNTIME,
							 "report: out of "
							 "memory");
					goto out_free;
				}
				m = 0;
				if (labelled) {
					m = append_curve(c, bufs[nbuf],
							 bufs[nbuf + 1], 0);
					if (n > 1)
						snprintf(titles[ns - 1], 256,
							 "%s %s", backings[b],
							 runs[r]->label);
					else
						snprintf(titles[ns - 1], 256,
							 "%s", backings[b]);
				} else {
					for (size_t q = 0; q < n; q++)
						m = append_curve(
							find_curve(derived[q],
								   patterns[p],
								   backings[b]),
							bufs[nbuf],
							bufs[nbuf + 1], m);
					snprintf(titles[ns - 1], 256,
						 "%s (%zu runs)", backings[b],
						 n);
				}
				s->title = titles[ns - 1];
				s->color = mt_fig_backing_color(backings[b]);
				s->dash = labelled ? (int)r + 1 : 1;
				s->thin = !labelled;
				s->x = bufs[nbuf];
				s->y = bufs[nbuf + 1];
				s->n = m;
				nbuf += 2;
			}
			if (!kt)
				continue;
			/* Knee marks: at the first size above each step. */
			bufs[nbuf] = malloc(kt * sizeof(double));
			bufs[nbuf + 1] = malloc(kt * sizeof(double));
			if (!bufs[nbuf] || !bufs[nbuf + 1]) {
				nbuf += 2;
				ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						 "report: out of memory");
				goto out_free;
			}
			kt = 0;
			for (size_t r = 0; r < n; r++) {
				json_t *k;
				size_t i;

				json_array_foreach(
					json_object_get(find_curve(derived[r],
								   patterns[p],
								   backings[b]),
							"knees"),
					i, k) {
					bufs[nbuf][kt] = mt_jnum(k,
								 "bytes_above");
					bufs[nbuf + 1][kt++] =
						mt_jnum(k, "latency_above_ns");
				}
			}
			snprintf(titles[ns], 256, "%s knees", backings[b]);
			ser[ns] = (struct mt_series){
				.title = titles[ns],
				.points_only = true,
				.color = mt_fig_backing_color(backings[b]),
				.n = kt,
				.x = bufs[nbuf],
				.y = bufs[nbuf + 1],
			};
			ns++;
			nbuf += 2;
		}
		if (!have)
			continue;
		if (n == 1)
			reading_one(derived[0], patterns[p], reading,
				    sizeof(reading));
		else
			reading_many(derived, n, patterns[p], reading,
				     sizeof(reading));
		ret = mt_fig_lines(rep, &f, ser, ns, err);
		for (size_t i = 0; i < nbuf; i++)
			free(bufs[i]);
		nbuf = 0;
	}
out_free:
	for (size_t i = 0; i < nbuf; i++)
		free(bufs[i]);
	free(bufs);
	free(titles);
	free(ser);
	return ret;
}

const struct mt_analysis mt_an_tlb = {
	.bench = "tlb",
	.summary = "knees of the latency curves, TLB reach per page size, "
		   "page-walk penalty",
	.analyze = tlb_analyze,
	.print = tlb_print,
	.plots = tlb_plots,
};
