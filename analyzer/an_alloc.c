/* Analysis of the alloc benchmark: where malloc switches from the heap
 * (brk) to mmap as measured (mmap_fraction of the served blocks), with
 * glibc's default thresholds and with each pinned threshold; the cost,
 * faults and memory kept on each side; and where a raw mmap cycle becomes
 * cheaper than a raw sbrk one. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"

#define MAXP 128

/* The value of metric for op at size (and mmap_threshold when not NULL). */
static double value_at(const struct mt_run *run, const char *op,
		       const char *metric, double size, double thr)
{
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *o = mt_rec_case_str(r, "op");

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "alloc") || !o ||
		    strcmp(o, op) || strcmp(mt_rec_metric(r), metric) ||
		    mt_rec_case_num(r, "size_bytes") != size)
			continue;
		if (isfinite(thr) &&
		    mt_rec_case_num(r, "mmap_threshold") != thr)
			continue;
		return mt_rec_value(r);
	}
	return NAN;
}

/* The ok alloc record of op and metric whose case key has the string
 * value want (NULL: any) and size_bytes size (NAN: any), or NULL. */
static json_t *rec_of(const struct mt_run *run, const char *op,
		      const char *metric, const char *key, const char *want,
		      double size)
{
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *o = mt_rec_case_str(r, "op");
		const char *k = key ? mt_rec_case_str(r, key) : NULL;
		char num[32];

		/* A number in the case compares as its decimal text. */
		if (key && !k && isfinite(mt_rec_case_num(r, key))) {
			snprintf(num, sizeof(num), "%.17g",
				 mt_rec_case_num(r, key));
			k = num;
		}
		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "alloc") || !o ||
		    strcmp(o, op) || strcmp(mt_rec_metric(r), metric) ||
		    (key && (!k || strcmp(k, want))) ||
		    (isfinite(size) &&
		     mt_rec_case_num(r, "size_bytes") != size))
			continue;
		return r;
	}
	return NULL;
}

/* The interval of a / b from both records' intervals inside the run
 * (mt_rec_ci_within), when both have one (two samples or more); NAN
 * otherwise. */
static void ratio_interval(json_t *a, json_t *b, double *lo, double *hi)
{
	double alo, ahi, blo, bhi;

	mt_rec_ci_within(a, &alo, &ahi);
	mt_rec_ci_within(b, &blo, &bhi);

	*lo = *hi = NAN;
	if (mt_jnum(a, "n") >= 2 && mt_jnum(b, "n") >= 2 && blo > 0 &&
	    bhi > 0) {
		*lo = alo / bhi;
		*hi = ahi / blo;
	}
}

/* Samples behind a ratio of two records: the fewer of the two. */
static int pair_n(json_t *a, json_t *b)
{
	double n = fmin(mt_jnum(a, "n"), mt_jnum(b, "n"));

	return n >= 1 && n < 1e9 ? (int)n : 1;
}

/* glibc ignores an mmap_threshold above DEFAULT_MMAP_THRESHOLD_MAX,
 * 4 MiB x sizeof(long): 32 MiB on 64-bit (malloc/malloc.c; the manual's
 * Memory Allocation Tunables). */
#define MMAP_THRESHOLD_MAX (32.0 * 1024 * 1024)

/* The facts the malloc advice rests on (facts.h): the largest size (at
 * most glibc's threshold maximum) where a raw mmap cycle costs more than
 * twice the sbrk cycle, with that ratio; one arena against the default,
 * in time and in memory kept. Returns 0 or -ENOMEM. */
static int alloc_facts(const struct mt_run *run, json_t *out)
{
	json_t *r, *best_m = NULL, *best_s = NULL;
	double best = -1, lo, hi;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *o = mt_rec_case_str(r, "op");
		double sz = mt_rec_case_num(r, "size_bytes");
		json_t *sb;

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "alloc") || !o ||
		    strcmp(o, "mmap") ||
		    strcmp(mt_rec_metric(r), "ns_per_alloc") || !(sz > 0) ||
		    sz > MMAP_THRESHOLD_MAX || sz <= best)
			continue;
		sb = rec_of(run, "sbrk", "ns_per_alloc", NULL, NULL, sz);
		if (sb && mt_rec_value(sb) > 0 &&
		    mt_rec_value(r) / mt_rec_value(sb) > 2) {
			best = sz;
			best_m = r;
			best_s = sb;
		}
	}
	if (best_m) {
		ratio_interval(best_m, best_s, &lo, &hi);
		if (mt_fact_add(out, "alloc.mmap_costly_up_to", best, NAN, NAN,
				"bytes", 1,
				"largest size (at most glibc's "
				"32 MiB threshold maximum) where a raw mmap "
				"cycle costs over twice the sbrk cycle") ==
			    -ENOMEM ||
		    mt_fact_add(out, "alloc.mmap_over_sbrk",
				mt_rec_value(best_m) / mt_rec_value(best_s), lo,
				hi, "ratio", pair_n(best_m, best_s),
				"raw mmap cycle over "
				"sbrk cycle at that size") == -ENOMEM)
			return -ENOMEM;
	}
	{
		json_t *one = rec_of(run, "arenas", "ns_per_alloc", "arena_max",
				     "1", NAN);
		json_t *def = rec_of(run, "arenas", "ns_per_alloc", "arena_max",
				     "default", NAN);
		json_t *rone = rec_of(run, "arenas", "rss_kept", "arena_max",
				      "1", NAN);
		json_t *rdef = rec_of(run, "arenas", "rss_kept", "arena_max",
				      "default", NAN);

		if (one && def && rone && rdef && mt_rec_value(def) > 0) {
			ratio_interval(one, def, &lo, &hi);
			if (mt_fact_add(out, "alloc.arena1_time_ratio",
					mt_rec_value(one) / mt_rec_value(def),
					lo, hi, "ratio", pair_n(one, def),
					"time per "
					"allocation with one arena over the "
					"default arenas") == -ENOMEM ||
			    mt_fact_add(out, "alloc.arena1_rss_saved",
					mt_rec_value(rdef) - mt_rec_value(rone),
					NAN, NAN, "bytes", pair_n(rone, rdef),
					"memory kept "
					"after free with the default arenas "
					"minus with one") == -ENOMEM)
				return -ENOMEM;
		}
	}
	return 0;
}

/* One side of the crossover: cost, faults and memory kept at size. */
static json_t *side(const struct mt_run *run, const char *op, double size,
		    double thr)
{
	if (!isfinite(size))
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:f}", "size_bytes", size,
			 "ns_per_alloc",
			 value_at(run, op, "ns_per_alloc", size, thr),
			 "faults_per_alloc",
			 value_at(run, op, "faults_per_alloc", size, thr),
			 "rss_kept_bytes",
			 value_at(run, op, "rss_kept", size, thr));
}

/* The crossover of sizes xs[0..n) with mmap fractions fr: the largest
 * size served mostly by brk and the smallest mostly by mmap above it. */
static json_t *crossover(const struct mt_run *run, const char *op,
			 const double *xs, const double *fr, size_t n,
			 double thr)
{
	double below = NAN, above = NAN;
	json_t *o;

	for (size_t i = 0; i < n; i++) {
		if (fr[i] < 0.5) {
			below = xs[i];
		} else if (isfinite(below) || i == 0) {
			above = xs[i];
			break;
		}
	}
	o = json_pack("{s:o, s:o}", "brk_side", side(run, op, below, thr),
		      "mmap_side", side(run, op, above, thr));
	json_object_set_new(o, "crossover_bytes",
			    isfinite(above) ?
				    json_real(isfinite(below) ?
						      sqrt(below * above) :
						      above) :
				    json_null());
	if (isfinite(thr))
		json_object_set_new(o, "mmap_threshold_bytes", json_real(thr));
	return o;
}

/* The crossover of a fresh process's first allocation: each malloc case
 * records in obtained.first_cycle which path its very first block took,
 * before glibc's dynamic threshold moved (it rises to the size of a freed
 * mmapped chunk, so later cycles of the same size may come from brk).
 * Returns {brk_up_to_bytes, mmap_from_bytes, first_ns, first_faults at
 * mmap_from} or null when no case recorded it. */
static json_t *first_allocation(const struct mt_run *run)
{
	double below = NAN, above = NAN, ns = NAN, faults = NAN;
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *op = mt_rec_case_str(r, "op");
		const char *b = mt_rec_bench(r);
		json_t *fc;
		const char *path;
		double sz;

		if (!b || strcmp(b, "alloc") || !op || strcmp(op, "malloc") ||
		    !mt_rec_ok(r) || strcmp(mt_rec_metric(r), "ns_per_alloc"))
			continue;
		fc = json_object_get(json_object_get(r, "obtained"),
				     "first_cycle");
		path = json_string_value(json_object_get(fc, "path"));
		sz = mt_rec_case_num(r, "size_bytes");
		if (!path || !isfinite(sz))
			continue;
		if (!strcmp(path, "brk") && (!isfinite(below) || sz > below))
			below = sz;
		if (!strcmp(path, "mmap") && (!isfinite(above) || sz < above)) {
			above = sz;
			ns = mt_jnum(fc, "ns");
			faults = mt_jnum(fc, "minor_faults");
		}
	}
	if (!isfinite(below) && !isfinite(above))
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o}", "brk_up_to_bytes",
			 isfinite(below) ? json_real(below) : json_null(),
			 "mmap_from_bytes",
			 isfinite(above) ? json_real(above) : json_null(),
			 "first_mmap_ns",
			 isfinite(ns) ? json_real(ns) : json_null(),
			 "first_mmap_faults",
			 isfinite(faults) ? json_real(faults) : json_null());
}

static json_t *alloc_analyze(const struct mt_run *run, struct mt_err *err)
{
	double xs[MAXP], fr[MAXP], sx[MAXP], sy[MAXP], mx[MAXP], my[MAXP];
	double thr[32];
	size_t n, ns, nm, nt = 0, i;
	json_t *out = json_object(), *pinned = json_array(), *r;

	n = mt_run_curve(run, "alloc", "mmap_fraction", "size_bytes", xs, fr,
			 MAXP, "op", "malloc", NULL);
	json_object_set_new(out, "first_allocation", first_allocation(run));
	json_object_set_new(out, "default_thresholds",
			    n ? crossover(run, "malloc", xs, fr, n, NAN) :
				json_null());
	/* The pinned thresholds present in the records. */
	json_array_foreach(run->records, i, r) {
		double t = mt_rec_case_num(r, "mmap_threshold");
		const char *op = mt_rec_case_str(r, "op");
		size_t k;

		if (!op || strcmp(op, "threshold") || !isfinite(t))
			continue;
		for (k = 0; k < nt && thr[k] != t; k++)
			;
		if (k == nt && nt < 32)
			thr[nt++] = t;
	}
	for (size_t k = 0; k < nt; k++) {
		size_t m = 0;

		json_array_foreach(run->records, i, r) {
			const char *op = mt_rec_case_str(r, "op");
			double sz = mt_rec_case_num(r, "size_bytes");
			size_t j;

			if (!mt_rec_ok(r) || !op || strcmp(op, "threshold") ||
			    mt_rec_case_num(r, "mmap_threshold") != thr[k] ||
			    strcmp(mt_rec_metric(r), "mmap_fraction") ||
			    m == MAXP)
				continue;
			for (j = m; j > 0 && xs[j - 1] > sz; j--) {
				xs[j] = xs[j - 1];
				fr[j] = fr[j - 1];
			}
			xs[j] = sz;
			fr[j] = mt_rec_value(r);
			m++;
		}
		if (m)
			json_array_append_new(pinned,
					      crossover(run, "threshold", xs,
							fr, m, thr[k]));
	}
	json_object_set_new(out, "pinned_thresholds", pinned);
	/* Raw cycles: the first size from which mmap stays cheaper. */
	ns = mt_run_curve(run, "alloc", "ns_per_alloc", "size_bytes", sx, sy,
			  MAXP, "op", "sbrk", NULL);
	nm = mt_run_curve(run, "alloc", "ns_per_alloc", "size_bytes", mx, my,
			  MAXP, "op", "mmap", NULL);
	if (ns && nm) {
		double from = NAN;

		for (size_t a = 0; a < ns; a++) {
			double m = NAN;

			for (size_t b = 0; b < nm; b++)
				if (mx[b] == sx[a])
					m = my[b];
			if (!isfinite(m))
				continue;
			if (m < sy[a]) {
				if (!isfinite(from))
					from = sx[a];
			} else {
				from = NAN;
			}
		}
		json_object_set_new(out, "raw_mmap_cheaper_from_bytes",
				    isfinite(from) ? json_real(from) :
						     json_null());
	}
	if (!n && !nt && !ns && !nm) {
		json_decref(out);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "alloc: no malloc, threshold, sbrk or mmap record "
			   "with size_bytes in its case");
		return NULL;
	}
	if (alloc_facts(run, out) < 0) {
		json_decref(out);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "alloc: out of memory");
		return NULL;
	}
	return out;
}

static void print_cross(FILE *out, const char *what, json_t *c)
{
	json_t *b = json_object_get(c, "brk_side");
	json_t *m = json_object_get(c, "mmap_side");
	char s1[32], s2[32];

	if (!json_is_object(m)) {
		mt_format_bytes(mt_jnum(b, "size_bytes"), s1, sizeof(s1));
		fprintf(out,
			"  %s: every size up to %s served by brk "
			"(no crossover measured)\n",
			what, s1);
		return;
	}
	mt_format_bytes(mt_jnum(b, "size_bytes"), s1, sizeof(s1));
	mt_format_bytes(mt_jnum(m, "size_bytes"), s2, sizeof(s2));
	fprintf(out,
		"  %s: brk up to %s (%.0f ns, %.1f faults, %.0f B kept),"
		" mmap from %s (%.0f ns, %.1f faults, %.0f B kept)\n",
		what, s1, mt_jnum(b, "ns_per_alloc"),
		mt_jnum(b, "faults_per_alloc"), mt_jnum(b, "rss_kept_bytes"),
		s2, mt_jnum(m, "ns_per_alloc"), mt_jnum(m, "faults_per_alloc"),
		mt_jnum(m, "rss_kept_bytes"));
}

static void alloc_print(FILE *out, json_t *d)
{
	json_t *c;
	size_t i;
	char what[64];

	c = json_object_get(d, "first_allocation");
	if (json_is_object(c)) {
		char lo[32] = "-", hi[32] = "-";

		if (json_is_number(json_object_get(c, "brk_up_to_bytes")))
			mt_format_bytes(mt_jnum(c, "brk_up_to_bytes"), lo,
					sizeof(lo));
		if (json_is_number(json_object_get(c, "mmap_from_bytes")))
			mt_format_bytes(mt_jnum(c, "mmap_from_bytes"), hi,
					sizeof(hi));
		fprintf(out,
			"  malloc, first block of a fresh process: brk up "
			"to %s, mmap from %s (%.0f ns, %.0f faults); glibc "
			"then raises its threshold to the size it freed, so "
			"later blocks of that size come from brk\n",
			lo, hi, mt_jnum(c, "first_mmap_ns"),
			mt_jnum(c, "first_mmap_faults"));
	}
	if (json_is_object(json_object_get(d, "default_thresholds")))
		print_cross(out, "malloc, default thresholds, steady state",
			    json_object_get(d, "default_thresholds"));
	json_array_foreach(json_object_get(d, "pinned_thresholds"), i, c) {
		char t[32];

		mt_format_bytes(mt_jnum(c, "mmap_threshold_bytes"), t,
				sizeof(t));
		snprintf(what, sizeof(what), "M_MMAP_THRESHOLD=%s", t);
		print_cross(out, what, c);
	}
	c = json_object_get(d, "raw_mmap_cheaper_from_bytes");
	if (json_is_number(c)) {
		mt_format_bytes(json_number_value(c), what, sizeof(what));
		fprintf(out, "  raw mmap cycle cheaper than sbrk from %s\n",
			what);
	}
}

struct get_arg {
	struct mt_run *const *runs;
};

static size_t get_cost(size_t r, size_t s, double *x, double *y, size_t max,
		       void *arg)
{
	static const char *const ops[] = { "malloc", "sbrk", "mmap" };
	struct get_arg *g = arg;

	return mt_run_curve(g->runs[r], "alloc", "ns_per_alloc", "size_bytes",
			    x, y, max, "op", ops[s], NULL);
}

/* Cost of one allocate-touch-free cycle against size, per path. */
static int alloc_plots(struct mt_report *rep, struct mt_run *const *runs,
		       json_t *const *derived, size_t n, struct mt_err *err)
{
	static const char *const series[] = { "malloc (default)", "sbrk",
					      "mmap" };
	struct get_arg g = { runs };
	json_t *c = json_object_get(mt_fig_first(derived, n),
				    "default_thresholds");
	json_t *cheap = json_object_get(mt_fig_first(derived, n),
					"raw_mmap_cheaper_from_bytes");
	char reading[1024], a[32], b[32];
	int off;
	struct mt_line_fig f = {
		.name = "alloc-cost",
		.bench = "alloc",
		.title = "Cost of allocate, touch, free by size",
		.xlabel = "block size",
		.ylabel = "ns per cycle",
		.logx = true,
		.logy = true,
		.x_bytes = true,
		.reading = reading,
	};

	if (json_is_object(json_object_get(c, "mmap_side"))) {
		mt_format_bytes(mt_jnum(json_object_get(c, "brk_side"),
					"size_bytes"),
				a, sizeof(a));
		mt_format_bytes(mt_jnum(json_object_get(c, "mmap_side"),
					"size_bytes"),
				b, sizeof(b));
		off = snprintf(reading, sizeof(reading),
			       "With glibc's default thresholds malloc "
			       "served blocks up to %s from the heap and "
			       "from %s with mmap, where each cycle costs "
			       "%.1f page faults. ",
			       a, b,
			       mt_jnum(json_object_get(c, "mmap_side"),
				       "faults_per_alloc"));
	} else {
		off = snprintf(reading, sizeof(reading),
			       "With glibc's default thresholds malloc kept "
			       "every size measured on the heap in steady "
			       "state (its dynamic threshold rises to each "
			       "freed block), so repeated cycles never paid "
			       "mmap's page faults. ");
	}
	if (json_is_number(cheap)) {
		mt_format_bytes(json_number_value(cheap), a, sizeof(a));
		snprintf(reading + off, sizeof(reading) - (size_t)off,
			 "A raw mmap cycle is cheaper than a raw sbrk cycle "
			 "from %s on.",
			 a);
	} else {
		snprintf(reading + off, sizeof(reading) - (size_t)off,
			 "A raw mmap cycle never became cheaper than sbrk "
			 "for every larger size measured.");
	}
	return mt_fig_run_lines(rep, &f, n, series, NULL, 3, get_cost, &g, err);
}

const struct mt_analysis mt_an_alloc = {
	.bench = "alloc",
	.summary = "measured brk/mmap crossover, faults and memory kept on "
		   "each side",
	.analyze = alloc_analyze,
	.print = alloc_print,
	.plots = alloc_plots,
};
