/* Analysis of the mlock benchmark: per backing (file, anon) and lock
 * (none, mlock, mlockall), the hot set's access latency, major faults and
 * residency under reclaim, and what locking saved at p99 against no lock.
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

static const char *const backings[] = { "file", "anon" };
static const char *const locks[] = { "none", "mlock", "mlockall" };
#define N_BACKINGS 2
#define N_LOCKS 3

static const char *const ml_metrics[][2] = {
	{ "access_latency_p50", "p50_ns" },
	{ "access_latency_p99", "p99_ns" },
	{ "access_latency_max", "max_us" },
	{ "major_faults", "major_faults" },
	{ "hot_resident_min", "resident_min_pct" },
	{ "hot_resident_mean", "resident_mean_pct" },
};
#define N_ML (sizeof(ml_metrics) / sizeof(ml_metrics[0]))

/* What locking saved on one backing: unlocked p99 minus the best locked
 * p99, also in percent. NULL when either side is missing. */
static json_t *saved(json_t *per)
{
	json_t *none = json_object_get(per, "none"), *best = NULL;
	const char *best_lock = NULL;
	double u = mt_jnum(none, "p99_ns"), l;

	for (size_t k = 1; k < N_LOCKS; k++) {
		json_t *o = json_object_get(per, locks[k]);

		if (isfinite(mt_jnum(o, "p99_ns")) &&
		    (!best || mt_jnum(o, "p99_ns") < mt_jnum(best, "p99_ns"))) {
			best = o;
			best_lock = locks[k];
		}
	}
	if (!best || !isfinite(u))
		return NULL;
	l = mt_jnum(best, "p99_ns");
	return json_pack("{s:s, s:f, s:f, s:f, s:o, s:o}", "lock", best_lock,
			 "p99_unlocked_ns", u, "p99_locked_ns", l,
			 "saved_p99_ns", u - l, "saved_p99_pct",
			 mt_jreal(u > 0 ? 100 * (u - l) / u : NAN),
			 "major_faults_avoided",
			 mt_jreal(mt_jnum(none, "major_faults") -
				  mt_jnum(best, "major_faults")));
}

/* The record's 95% interval of the median (ci95_lo, ci95_hi) when the
 * runner reached that level (ci_level >= 0.95; fewer than six samples
 * give only their range), else NAN, NAN. */
static void rec_ci(json_t *r, double *lo, double *hi)
{
	json_t *l = json_object_get(r, "ci95_lo"),
	       *h = json_object_get(r, "ci95_hi"),
	       *c = json_object_get(r, "ci_level");

	*lo = *hi = NAN;
	if (json_is_number(l) && json_is_number(h) && json_is_number(c) &&
	    json_number_value(c) >= 0.95) {
		*lo = json_number_value(l);
		*hi = json_number_value(h);
	}
}

/* Appends the fact "mlock.<b>_<name>", said as what, "<b>-backed" and
 * "with <lock>" or "no lock" (lock NULL). Returns what mt_fact_add
 * returns. */
static int ml_fact(json_t *out, const char *b, const char *name,
		   const char *what, const char *lock, double v, double lo,
		   double hi, const char *unit, int n)
{
	char id[64], text[192];

	snprintf(id, sizeof(id), "mlock.%s_%s", b, name);
	snprintf(text, sizeof(text), "%s, %s-backed, %s%s", what, b,
		 lock ? "with " : "no lock", lock ? lock : "");
	return mt_fact_add(out, id, v, lo, hi, unit, n, text);
}

#define HOT_P99 "hot-set access p99 under reclaim"
#define FAULTS "major faults of the hot set"

/* The facts the advice cites (facts.h), for each backing whose lock
 * lowered p99 the most: p99 unlocked and locked (ns), their ratio
 * (unlocked / locked; its interval from the two medians' intervals,
 * lo/hi against hi/lo, when both have one) and the major faults of each
 * (counts, no interval). */
static int ml_facts(const struct mt_run *run, json_t *out)
{
	json_t *sv = json_object_get(out, "saved"), *s;
	const char *b;
	int rc = 0;

	json_object_foreach(sv, b, s) {
		const char *lock = json_string_value(json_object_get(s,
								     "lock"));
		json_t *ru = mt_run_find(run, "mlock", "access_latency_p99",
					 "backing", b, "lock", "none", NULL);
		json_t *rl = mt_run_find(run, "mlock", "access_latency_p99",
					 "backing", b, "lock", lock, NULL);
		json_t *fu = mt_run_find(run, "mlock", "major_faults",
					 "backing", b, "lock", "none", NULL);
		json_t *fl = mt_run_find(run, "mlock", "major_faults",
					 "backing", b, "lock", lock, NULL);
		double u = mt_rec_value(ru), l = mt_rec_value(rl);
		double ulo, uhi, llo, lhi, rlo = NAN, rhi = NAN;
		int nu = (int)json_integer_value(json_object_get(ru, "n"));
		int nl = (int)json_integer_value(json_object_get(rl, "n"));
		char id[64], what[192];

		if (!(u > 0) || !(l > 0))
			continue;
		rec_ci(ru, &ulo, &uhi);
		rec_ci(rl, &llo, &lhi);
		if (isfinite(ulo) && isfinite(lhi) && llo > 0 && lhi > 0) {
			rlo = ulo / lhi;
			rhi = uhi / llo;
		}
		if ((rc = ml_fact(out, b, "p99_unlocked", HOT_P99, NULL, u, ulo,
				  uhi, "ns", nu)) < 0 ||
		    (rc = ml_fact(out, b, "p99_locked", HOT_P99, lock, l, llo,
				  lhi, "ns", nl)) < 0)
			break;
		snprintf(id, sizeof(id), "mlock.%s_p99_ratio", b);
		snprintf(what, sizeof(what),
			 "p99 without a lock over p99 "
			 "with %s, %s-backed",
			 lock, b);
		if ((rc = mt_fact_add(out, id, u / l, rlo, rhi, "ratio",
				      nu < nl ? nu : nl, what)) < 0)
			break;
		if (!isfinite(mt_rec_value(fu)) || !isfinite(mt_rec_value(fl)))
			continue;
		if ((rc = ml_fact(out, b, "major_faults_unlocked", FAULTS, NULL,
				  mt_rec_value(fu), NAN, NAN, "count", nu)) <
			    0 ||
		    (rc = ml_fact(out, b, "major_faults_locked", FAULTS, lock,
				  mt_rec_value(fl), NAN, NAN, "count", nl)) < 0)
			break;
	}
	return rc;
}

/* Derives the mlock figures of one run. */
static json_t *ml_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *out = json_object(), *bk = json_object(), *sv = json_object();
	size_t found = 0;

	if (!out || !bk || !sv) {
		json_decref(out);
		json_decref(bk);
		json_decref(sv);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "mlock: out of memory");
		return NULL;
	}
	json_object_set_new(out, "backings", bk);
	json_object_set_new(out, "saved", sv);
	for (size_t b = 0; b < N_BACKINGS; b++) {
		json_t *per = json_object(), *s;

		for (size_t k = 0; k < N_LOCKS; k++) {
			json_t *o = json_object();

			for (size_t m = 0; m < N_ML; m++) {
				json_t *r = mt_run_find(run, "mlock",
							ml_metrics[m][0],
							"backing", backings[b],
							"lock", locks[k], NULL);

				if (r)
					json_object_set_new(
						o, ml_metrics[m][1],
						mt_jreal(mt_rec_value(r)));
			}
			if (json_object_size(o)) {
				found++;
				json_object_set_new(per, locks[k], o);
			} else {
				json_decref(o);
			}
		}
		if (!json_object_size(per)) {
			json_decref(per);
			continue;
		}
		json_object_set_new(bk, backings[b], per);
		if ((s = saved(per)))
			json_object_set_new(sv, backings[b], s);
	}
	if (!found) {
		json_decref(out);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "mlock: no record with a known backing and lock in "
			   "its case");
		return NULL;
	}
	if (ml_facts(run, out) < 0) {
		json_decref(out);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "mlock: out of memory");
		return NULL;
	}
	return out;
}

static void ml_print(FILE *out, json_t *d)
{
	const char *b, *l;
	json_t *per, *o;
	char p99[32], max[32];

	/* 4 significant digits, never an exponent (6.554e+04) */
	json_object_foreach(json_object_get(d, "backings"), b, per) {
		json_t *s = json_object_get(json_object_get(d, "saved"), b);

		json_object_foreach(per, l, o) {
			mt_format_num(mt_jnum(o, "p99_ns"), 4, p99,
				      sizeof(p99));
			mt_format_num(mt_jnum(o, "max_us"), 4, max,
				      sizeof(max));
			fprintf(out,
				"  %-4s %-8s p50 %.0f ns, p99 %s ns, max %s "
				"us, %.0f major faults, resident min %.0f%%\n",
				b, l, mt_jnum(o, "p50_ns"), p99, max,
				mt_jnum(o, "major_faults"),
				mt_jnum(o, "resident_min_pct"));
		}
		if (s) {
			mt_format_num(mt_jnum(s, "saved_p99_ns"), 4, p99,
				      sizeof(p99));
			fprintf(out, "  %-4s %s saved %s ns at p99 (%.1f%%)\n",
				b,
				json_string_value(json_object_get(s, "lock")),
				p99, mt_jnum(s, "saved_p99_pct"));
		}
	}
}

/* Bars of the p99 access latency per backing and lock, one group per
 * run, on a log axis (a fault is a thousand times a hit). */
static int ml_plots(struct mt_report *rep, struct mt_run *const *runs,
		    json_t *const *derived, size_t n, struct mt_err *err)
{
	const char *cats[N_BACKINGS * N_LOCKS];
	char names[N_BACKINGS * N_LOCKS][24], reading[1024];
	struct mt_fig_runs_data d;
	double *vals;
	json_t *sv = json_object_get(mt_fig_first(derived, n), "saved"), *s;
	size_t nc = 0, off = 0;
	const char *b;
	struct mt_line_fig f = {
		.name = "mlock-p99",
		.bench = "mlock",
		.title = "Hot-set p99 access latency under reclaim, by lock",
		.xlabel = "backing and lock",
		.ylabel = "ns",
		.logy = true,
		.reading = reading,
	};
	int ret = mt_fig_runs_data_init(&d, runs, n, N_BACKINGS * N_LOCKS, err);

	if (ret < 0)
		return ret;
	vals = d.vals;
	for (size_t bi = 0; bi < N_BACKINGS; bi++)
		for (size_t k = 0; k < N_LOCKS; k++) {
			size_t have = 0;

			for (size_t r = 0; r < n; r++) {
				double v = mt_jnum(
					json_object_get(
						json_object_get(
							json_object_get(
								derived[r],
								"backings"),
							backings[bi]),
						locks[k]),
					"p99_ns");

				vals[r * N_BACKINGS * N_LOCKS + nc] = v;
				have += isfinite(v);
			}
			if (!have)
				continue;
			snprintf(names[nc], sizeof(names[nc]), "%s %s",
				 backings[bi], locks[k]);
			cats[nc] = names[nc];
			nc++;
		}
	if (!nc)
		goto out_free;
	/* Compact the rows: each run's values sit at r * nc + c. */
	for (size_t r = 1; r < n; r++)
		memmove(&vals[r * nc], &vals[r * N_BACKINGS * N_LOCKS],
			nc * sizeof(double));
	reading[0] = '\0';
	json_object_foreach(sv, b, s) {
		char from[48], to[48];

		mt_format_quantity(mt_jnum(s, "p99_unlocked_ns"), "ns", from,
				   sizeof(from));
		mt_format_quantity(mt_jnum(s, "p99_locked_ns"), "ns", to,
				   sizeof(to));
		off += (size_t)snprintf(
			reading + off, sizeof(reading) - off,
			"With %s-backed memory %s cut the p99 "
			"from %s to %s (%.0f%% less). ",
			b, json_string_value(json_object_get(s, "lock")), from,
			to, mt_jnum(s, "saved_p99_pct"));
		if (off >= sizeof(reading))
			break;
	}
	if (off < sizeof(reading))
		snprintf(reading + off, sizeof(reading) - off,
			 "Without a lock reclaim takes the pages the worker "
			 "left idle, and the next access after a pause is a "
			 "major fault.");
	ret = mt_fig_bars_runs(rep, &f, cats, nc, "p99 (ns)", &d, err);
out_free:
	mt_fig_runs_data_free(&d);
	return ret;
}

const struct mt_analysis mt_an_mlock = {
	.bench = "mlock",
	.summary = "hot-set latency and faults with and without mlock, what "
		   "the lock saved at p99",
	.analyze = ml_analyze,
	.print = ml_print,
	.plots = ml_plots,
};
