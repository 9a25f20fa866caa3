/* The targets of an observation (issue 18): per process or cgroup, its
 * memory (anon + swap) with the leak verdict (observe.h states the rule),
 * its highest RSS or memory.current, the swap it holds, its major faults,
 * its cgroup's refaults and PSI, and its file set in the page cache from
 * cachestat(2): the resident share cache / (cache + evicted), of the file
 * pages the set has had in the cache those still there, an estimate of the
 * hit ratio of a set read uniformly. Facts "observe.tN.*", N the target's
 * index in the derived "targets". */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "facts.h"
#include "observe.h"

/* The record target of a meta.json target: its id when records use it,
 * else "cgroup:PATH". */
static const char *record_key(json_t *seen, json_t *t, char *buf, size_t len)
{
	const char *id = json_string_value(json_object_get(t, "id"));
	const char *path = json_string_value(json_object_get(t, "path"));

	if (id && json_object_get(seen, id))
		return id;
	if (path) {
		snprintf(buf, len, "cgroup:%s", path);
		if (json_object_get(seen, buf))
			return buf;
	}
	return id;
}

/* sum = a + b at the times both have; b empty: a alone. Returns 0 or
 * -ENOMEM; sum's arrays are malloc'ed. */
static int add_series(const struct mt_obs_series *a,
		      const struct mt_obs_series *b, struct mt_obs_series *sum)
{
	size_t j = 0;

	memset(sum, 0, sizeof(*sum));
	sum->t = malloc((a->n + 1) * sizeof(double));
	sum->y = malloc((a->n + 1) * sizeof(double));
	if (!sum->t || !sum->y) {
		mt_obs_free(sum);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (b->n == 0) {
			sum->t[sum->n] = a->t[i];
			sum->y[sum->n++] = a->y[i];
			continue;
		}
		while (j < b->n && b->t[j] < a->t[i])
			j++;
		if (j < b->n && b->t[j] == a->t[i]) {
			sum->t[sum->n] = a->t[i];
			sum->y[sum->n++] = a->y[i] + b->y[j];
		}
	}
	return 0;
}

/* The first metric of names[] the target has, into s and *which. */
static int first_series(struct mt_obs_ctx *o, const char *key,
			const char *const *names, struct mt_obs_series *s,
			const char **which)
{
	*which = NULL;
	for (size_t i = 0; names[i]; i++) {
		if (mt_obs_get(o->run, key, names[i], s) < 0)
			return -ENOMEM;
		if (s->n) {
			*which = names[i];
			return 0;
		}
		mt_obs_free(s);
	}
	return 0;
}

static const char *const anon_names[] = { "status.RssAnon", "smaps.Anonymous",
					  "memstat.anon",   "status.VmRSS",
					  "memory.current", NULL };
static const char *const swap_names[] = { "status.VmSwap", "smaps.Swap",
					  "memory.swap.current", NULL };

/* The series the leak verdict reads: anon + swap. */
int mt_obs_leak_series(struct mt_obs_ctx *o, const char *key,
		       struct mt_obs_series *out, char *label, size_t len)
{
	struct mt_obs_series a, b = { 0 };
	const char *an, *sn = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	label[0] = '\0';
	if ((rc = first_series(o, key, anon_names, &a, &an)) < 0 || !an)
		return rc;
	if ((rc = first_series(o, key, swap_names, &b, &sn)) < 0) {
		mt_obs_free(&a);
		return rc;
	}
	rc = add_series(&a, &b, out);
	snprintf(label, len, "%s%s%s", an, sn ? " + " : "", sn ? sn : "");
	mt_obs_free(&a);
	mt_obs_free(&b);
	return rc;
}

/* The memory growth and its verdict. */
/* A fact of target idx: id "observe.tIDX.NAME", saying "TNAME: " and then
 * what fmt says. */
static void target_fact(struct mt_obs_ctx *o, size_t idx, const char *name,
			double v, double lo, double hi, const char *unit,
			size_t n, const char *tname, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));
static void target_fact(struct mt_obs_ctx *o, size_t idx, const char *name,
			double v, double lo, double hi, const char *unit,
			size_t n, const char *tname, const char *fmt, ...)
{
	char id[64], what[320];
	int k;
	va_list ap;

	snprintf(id, sizeof(id), "observe.t%zu.%s", idx, name);
	k = snprintf(what, sizeof(what), "%.60s: ", tname);
	va_start(ap, fmt);
	vsnprintf(what + k, sizeof(what) - (size_t)k, fmt, ap);
	va_end(ap);
	mt_obs_fact(o, id, v, lo, hi, unit, n, what);
}

static void target_growth(struct mt_obs_ctx *o, json_t *e, const char *key,
			  size_t idx, const char *name)
{
	struct mt_obs_series s;
	struct mt_leak lk;
	char label[96];
	json_t *g;

	if (mt_obs_leak_series(o, key, &s, label, sizeof(label)) < 0) {
		o->rc = -ENOMEM;
		return;
	}
	if (s.n == 0)
		return;
	if (mt_leak_judge(s.t, s.y, s.n, &lk) < 0) {
		o->rc = -ENOMEM;
		mt_obs_free(&s);
		return;
	}
	g = mt_obs_gauge_json(&s);
	if (g) {
		json_object_set_new(g, "series", json_string(label));
		json_object_set_new(g, "slope_bytes_per_s",
				    mt_jreal(lk.all.slope));
		json_object_set_new(g, "slope_lo", mt_jreal(lk.all.lo));
		json_object_set_new(g, "slope_hi", mt_jreal(lk.all.hi));
		json_object_set_new(g, "half2_slope", mt_jreal(lk.half2.slope));
		json_object_set_new(g, "half2_lo", mt_jreal(lk.half2.lo));
		json_object_set_new(g, "half2_hi", mt_jreal(lk.half2.hi));
		json_object_set_new(g, "fitted_rise_bytes", mt_jreal(lk.rise));
		json_object_set_new(
			g, "verdict",
			json_string(mt_leak_verdict_name(lk.verdict)));
		json_object_set_new(g, "reason", json_string(lk.reason));
	}
	mt_obs_set(o, e, "growth", g);
	target_fact(o, idx, "growth", lk.all.slope, lk.all.lo, lk.all.hi, "B/s",
		    s.n, name,
		    "growth of %s (Theil-Sen slope over %.0f s, 95%% rank "
		    "interval): %s",
		    label, lk.window_s, mt_leak_verdict_name(lk.verdict));
	mt_obs_free(&s);
}

/* A per-target rate fact and its entry. */
static void target_rate(struct mt_obs_ctx *o, json_t *e, const char *key,
			const char *const *metrics, const char *name,
			size_t idx, const char *tname, const char *what)
{
	struct mt_obs_rate r;

	for (size_t i = 0; metrics[i]; i++) {
		if (!mt_obs_get_rate(o, key, metrics[i], &r))
			continue;
		mt_obs_set(o, e, name, mt_obs_rate_json(&r, 1));
		target_fact(o, idx, name, r.per_s, r.lo, r.hi, "/s", r.n, tname,
			    "%s (%s)", what, metrics[i]);
		return;
	}
}

/* The target's file set in the page cache (cachestat). */
static void target_cache(struct mt_obs_ctx *o, json_t *e, const char *key,
			 size_t idx, const char *tname)
{
	double cache = mt_obs_last(o, key, "cachestat.cache");
	double ev = mt_obs_last(o, key, "cachestat.evicted");
	double rec = mt_obs_last(o, key, "cachestat.recently_evicted");
	double res = mt_obs_last(o, key, "mincore.resident");
	double share, touched;

	if (!isfinite(cache)) {
		if (isfinite(res))
			mt_obs_set(
				o, e, "cache",
				json_pack(
					"{s:f, s:s}", "resident_pages", res,
					"note",
					"mincore (no cachestat on this "
					"kernel): no evicted count, no share"));
		return;
	}
	touched = cache + (isfinite(ev) ? ev : 0);
	share = touched > 0 ? cache / touched : NAN;
	mt_obs_set(
		o, e, "cache",
		json_pack(
			"{s:f, s:o, s:o, s:o, s:o, s:s}", "cache_pages", cache,
			"evicted_pages", mt_jreal(ev), "recently_evicted_pages",
			mt_jreal(rec), "resident_share", mt_jreal(share),
			"touched_bytes", mt_jreal(touched * MT_OBS_PAGE),
			"estimator",
			"resident share = cache / (cache + evicted) at the "
			"end (cachestat(2)): of the file pages the set has had "
			"in the cache, those still there; an estimate of the "
			"hit ratio of a set read uniformly"));
	target_fact(o, idx, "cache_resident", share, NAN, NAN, "ratio", 0,
		    tname,
		    "resident share of its file set, cache / (cache + "
		    "evicted) (cachestat), an estimate");
	target_fact(o, idx, "cache_touched_bytes", touched * MT_OBS_PAGE, NAN,
		    NAN, "bytes", 0, tname,
		    "its file set's pages cached or evicted (cachestat), x 4 "
		    "KiB");
}

static const char *const rss_names[] = { "status.VmRSS", "memory.current",
					 "smaps.Rss", NULL };
static const char *const majflt_names[] = { "stat.majflt", "memstat.pgmajfault",
					    NULL };
static const char *const ra_names[] = { "memstat.workingset_refault_anon",
					NULL };
static const char *const rf_names[] = { "memstat.workingset_refault_file",
					NULL };
static const char *const high_names[] = { "events.high", NULL };
static const char *const max_names[] = { "events.max", NULL };
static const char *const oomk_names[] = { "events.oom_kill", NULL };

/* The per-target rates, in the order of their facts: the metrics to take
 * the first of, the entry's and fact's name, what it counts. */
static const struct {
	const char *const *metrics;
	const char *name, *what;
} target_rates[] = {
	{ majflt_names, "majflt_per_s", "major faults per second" },
	{ ra_names, "refault_anon_per_s",
	  "anonymous refaults (swap-ins) per second" },
	{ rf_names, "refault_file_per_s", "file refaults per second" },
	{ high_names, "events_high_per_s",
	  "times over memory.high (throttled) per second" },
	{ max_names, "events_max_per_s", "times at memory.max per second" },
	{ oomk_names, "oom_kill_per_s", "OOM kills in its cgroup per second" },
};

/* Derives one target. */
static void one_target(struct mt_obs_ctx *o, json_t *e, const char *key,
		       size_t idx)
{
	const char *comm = json_string_value(json_object_get(e, "comm"));
	const char *tname = comm ? comm : key;
	double swap = NAN;
	struct mt_obs_series s;
	const char *which;

	target_growth(o, e, key, idx, tname);
	if (first_series(o, key, rss_names, &s, &which) < 0) {
		o->rc = -ENOMEM;
		return;
	}
	if (which) {
		json_t *g = mt_obs_gauge_json(&s);

		if (g)
			json_object_set_new(g, "series", json_string(which));
		mt_obs_set(o, e, "rss", g);
		target_fact(o, idx, "rss_max", mt_jnum(g, "max"), NAN, NAN,
			    "bytes", s.n, tname,
			    "highest %s in the observation", which);
		mt_obs_free(&s);
	}
	if (first_series(o, key, swap_names, &s, &which) < 0) {
		o->rc = -ENOMEM;
		return;
	}
	if (which) {
		swap = s.y[s.n - 1];
		mt_obs_set(o, e, "swap_bytes_last", json_real(swap));
		target_fact(o, idx, "swap_bytes", swap, NAN, NAN, "bytes", s.n,
			    tname, "swap held at the end (%s)", which);
		mt_obs_free(&s);
	}
	for (size_t i = 0; i < sizeof(target_rates) / sizeof(*target_rates);
	     i++)
		target_rate(o, e, key, target_rates[i].metrics,
			    target_rates[i].name, idx, tname,
			    target_rates[i].what);
	{
		struct mt_obs_rate r;

		if (mt_obs_get_rate(o, key, "psi.some_total", &r)) {
			mt_obs_set(o, e, "psi_some_pct",
				   mt_obs_rate_json(&r, 1e-4));
			target_fact(o, idx, "psi_some_pct", r.per_s * 1e-4,
				    r.lo * 1e-4, r.hi * 1e-4, "%", r.n, tname,
				    "share of the window some task of its "
				    "cgroup stalled on memory");
		}
	}
	{
		double thp = mt_obs_last(o, key, "smaps.AnonHugePages");

		if (isfinite(thp)) {
			mt_obs_set(o, e, "thp_bytes_last", json_real(thp));
			target_fact(o, idx, "thp_bytes", thp, NAN, NAN, "bytes",
				    0, tname,
				    "anonymous memory in THP at the end "
				    "(smaps_rollup AnonHugePages)");
		}
	}
	target_cache(o, e, key, idx, tname);
}

/* The targets: meta.json's, then any other the records name. */
void mt_obs_targets(struct mt_obs_ctx *o, json_t *seen)
{
	json_t *arr = json_array(), *t, *meta_t;
	const char *key;
	json_t *done = json_object();
	size_t i;

	if (!arr || !done) {
		json_decref(arr);
		json_decref(done);
		o->rc = -ENOMEM;
		return;
	}
	meta_t = json_object_get(json_object_get(o->run->meta, "observe"),
				 "targets");
	json_array_foreach(meta_t, i, t) {
		char buf[300];
		const char *k = record_key(seen, t, buf, sizeof(buf));
		json_t *e;

		if (!json_is_object(t) || !k || json_object_get(done, k) ||
		    json_array_size(arr) >= MT_OBS_MAX_TARGETS)
			continue;
		e = json_deep_copy(t);
		if (!e || json_object_set_new(e, "key", json_string(k)) < 0 ||
		    json_array_append_new(arr, e) < 0 ||
		    json_object_set_new(done, k, json_true()) < 0)
			o->rc = -ENOMEM;
	}
	json_object_foreach(seen, key, t) {
		if (!strcmp(key, "system") || json_object_get(done, key) ||
		    json_array_size(arr) >= MT_OBS_MAX_TARGETS)
			continue;
		if (json_array_append_new(arr, json_pack("{s:s, s:s}", "id",
							 key, "key", key)) < 0)
			o->rc = -ENOMEM;
	}
	json_decref(done);
	json_array_foreach(arr, i, t) {
		if (o->rc)
			break;
		json_object_set_new(t, "index", json_integer((json_int_t)i));
		one_target(o, t, json_string_value(json_object_get(t, "key")),
			   i);
	}
	mt_obs_set(o, o->out, "targets", arr);
}
