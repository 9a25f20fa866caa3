/* Analysis of an observation (memtune observe, issue 18): what the running
 * workload does to memory, each figure with the window it holds for.
 *
 * System-wide: available memory (first, last, lowest) and its fitted
 * trend; swap-in/out, major-fault, reclaim (direct, kswapd), compaction
 * and refault rates from vmstat's counters; PSI's share of the window
 * stalled; THP in use and the fault fallback ratio; NUMA hits and misses
 * per node. Page cache: vmstat has no counter of cache hits (a hit is a
 * lookup that finds the page, which the kernel does not count; cachestat
 * and cachetop count mark_page_accessed against add_to_page_cache_lru
 * calls through kprobes), so no system-wide hit ratio is derived. What
 * vmstat does give is the refault share: workingset_refault_file over the
 * file pages read from disk ((pgpgin KiB / 4) - pswpin), the share of
 * cache misses that were pages evicted while still in the working set
 * (mm/workingset.c), i.e. misses more memory would have turned into hits.
 * Per target with a file set: the resident share cache / (cache + evicted)
 * of cachestat(2), the share of the pages the set has had in the cache
 * that are still there.
 *
 * Per target: memory (anon + swap, so a leak being swapped out still
 * shows) with the leak verdict (observe.h states the rule), swap held,
 * major faults, refaults and PSI of its cgroup. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"
#include "observe.h"

#define MAX_TARGETS 64
#define MAX_NODES 64
#define PAGE 4096.0
#define MiB (1024.0 * 1024.0)

/* System counters turned into rates: metric, fact name (observe.NAME),
 * scale to the fact's unit, unit, what. */
static const struct counter_row {
	const char *metric, *name;
	double scale;
	const char *unit, *what;
} counters[] = {
	{ "vmstat.pswpin", "swapin_bytes_per_s", PAGE, "B/s",
	  "swap-ins (pswpin x 4 KiB) per second over the observation" },
	{ "vmstat.pswpout", "swapout_bytes_per_s", PAGE, "B/s",
	  "swap-outs (pswpout x 4 KiB) per second over the observation" },
	{ "vmstat.pgmajfault", "majfault_per_s", 1, "/s",
	  "major faults per second, all processes, over the observation" },
	{ "vmstat.allocstall", "allocstall_per_s", 1, "/s",
	  "tasks entering direct reclaim (allocstall) per second" },
	{ "vmstat.pgscan_direct", "pgscan_direct_per_s", 1, "pages/s",
	  "pages scanned by direct reclaim per second" },
	{ "vmstat.pgsteal_direct", "pgsteal_direct_per_s", 1, "pages/s",
	  "pages reclaimed by direct reclaim per second" },
	{ "vmstat.pgscan_kswapd", "pgscan_kswapd_per_s", 1, "pages/s",
	  "pages scanned by kswapd per second" },
	{ "vmstat.pgsteal_kswapd", "pgsteal_kswapd_per_s", 1, "pages/s",
	  "pages reclaimed by kswapd per second" },
	{ "vmstat.compact_stall", "compact_stall_per_s", 1, "/s",
	  "allocations stalled in direct compaction per second" },
	{ "vmstat.compact_fail", "compact_fail_per_s", 1, "/s",
	  "direct compactions that failed per second" },
	{ "vmstat.workingset_refault_file", "refault_file_per_s", 1, "pages/s",
	  "file pages refaulted (evicted while in the working "
	  "set, read again) per second" },
	{ "vmstat.workingset_refault_anon", "refault_anon_per_s", 1, "pages/s",
	  "anonymous pages refaulted from swap per second" },
	{ "vmstat.pgpgin", "pgpgin_kib_per_s", 1, "KiB/s",
	  "KiB read from block devices per second (vmstat pgpgin, KiB)" },
	{ "vmstat.thp_fault_alloc", "thp_fault_alloc_per_s", 1, "/s",
	  "THP allocated at fault per second" },
	{ "vmstat.thp_fault_fallback", "thp_fault_fallback_per_s", 1, "/s",
	  "THP faults that fell back to 4 KiB pages per second" },
	{ "vmstat.oom_kill", "oom_kill_per_s", 1, "/s",
	  "OOM kills per second" },
	{ "psi.some_total", "psi_some_pct", 1e-4, "%",
	  "share of the window some task stalled on memory (PSI some)" },
	{ "psi.full_total", "psi_full_pct", 1e-4, "%",
	  "share of the window all tasks stalled on memory (PSI full)" },
};
#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

/* What the analysis collects while it derives; rc is the first
 * -ENOMEM. */
struct obs {
	const struct mt_run *run;
	json_t *out;
	int rc;
};

static void fact(struct obs *o, const char *id, double v, double lo, double hi,
		 const char *unit, size_t n, const char *what)
{
	if (isfinite(v) &&
	    mt_fact_add(o->out, id, v, isfinite(lo) ? lo : NAN,
			isfinite(hi) ? hi : NAN, unit,
			n > 1000000 ? 1000000 : (int)n, what) == -ENOMEM)
		o->rc = -ENOMEM;
}

static void set(struct obs *o, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) < 0)
		o->rc = -ENOMEM;
}

/* {per_s, lo, hi, window_s} of a rate, scaled. */
static json_t *rate_json(const struct mt_obs_rate *r, double scale)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I}", "per_s",
			 mt_jreal(r->per_s * scale), "lo",
			 mt_jreal(r->lo * scale), "hi", mt_jreal(r->hi * scale),
			 "window_s", mt_jreal(r->t1 - r->t0), "samples",
			 (json_int_t)r->n);
}

/* The rate of target's counter into *r; false when absent. */
static bool get_rate(struct obs *o, const char *target, const char *metric,
		     struct mt_obs_rate *r)
{
	struct mt_obs_series s;
	bool ok;

	if (mt_obs_get(o->run, target, metric, &s) < 0) {
		o->rc = -ENOMEM;
		return false;
	}
	ok = mt_obs_rate(&s, r);
	mt_obs_free(&s);
	return ok;
}

/* {first, last, min, max, t_min, window_s, samples} of a gauge. */
static json_t *gauge_json(const struct mt_obs_series *s)
{
	size_t imin = 0, imax = 0;

	for (size_t i = 1; i < s->n; i++) {
		if (s->y[i] < s->y[imin])
			imin = i;
		if (s->y[i] > s->y[imax])
			imax = i;
	}
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "first",
			 s->y[0], "last", s->y[s->n - 1], "min", s->y[imin],
			 "max", s->y[imax], "t_min", s->t[imin], "window_s",
			 s->t[s->n - 1] - s->t[0], "samples", (json_int_t)s->n);
}

/* The gauge's last value, or NAN. */
static double last_of(struct obs *o, const char *target, const char *metric)
{
	struct mt_obs_series s;
	double v;

	if (mt_obs_get(o->run, target, metric, &s) < 0) {
		o->rc = -ENOMEM;
		return NAN;
	}
	v = s.n ? s.y[s.n - 1] : NAN;
	mt_obs_free(&s);
	return v;
}

/* Available memory: first, last, lowest and the fitted trend. */
static void available(struct obs *o)
{
	struct mt_obs_series s;
	struct mt_trend tr;
	json_t *a;

	if (mt_obs_get(o->run, "system", "meminfo.MemAvailable", &s) < 0) {
		o->rc = -ENOMEM;
		return;
	}
	if (s.n == 0)
		goto out;
	a = gauge_json(&s);
	if (a && mt_trend_fit(s.t, s.y, s.n, &tr) == 0) {
		json_object_set_new(a, "slope_bytes_per_s", mt_jreal(tr.slope));
		json_object_set_new(a, "slope_lo", mt_jreal(tr.lo));
		json_object_set_new(a, "slope_hi", mt_jreal(tr.hi));
		json_object_set_new(a, "trend",
				    json_string("Theil-Sen slope, Sen's "
						"rank interval"));
		fact(o, "observe.mem_available_slope", tr.slope, tr.lo, tr.hi,
		     "B/s", s.n,
		     "trend of MemAvailable over the observation (Theil-Sen "
		     "slope, 95% rank interval)");
	}
	set(o, o->out, "available", a);
	if (a) {
		char what[192];

		snprintf(what, sizeof(what),
			 "lowest MemAvailable in the %.0f s observed",
			 mt_jnum(a, "window_s"));
		fact(o, "observe.mem_available_min", mt_jnum(a, "min"), NAN,
		     NAN, "bytes", s.n, what);
		fact(o, "observe.mem_available_last", mt_jnum(a, "last"), NAN,
		     NAN, "bytes", s.n,
		     "MemAvailable at the observation's end");
	}
out:
	mt_obs_free(&s);
}

/* The system counters' rates, into "rates" and facts. */
static void system_rates(struct obs *o, json_t *rates)
{
	for (size_t i = 0; i < N_COUNTERS; i++) {
		const struct counter_row *c = &counters[i];
		struct mt_obs_rate r;
		char id[64];

		if (!get_rate(o, "system", c->metric, &r))
			continue;
		set(o, rates, c->name, rate_json(&r, c->scale));
		snprintf(id, sizeof(id), "observe.%s", c->name);
		fact(o, id, r.per_s * c->scale, r.lo * c->scale,
		     r.hi * c->scale, c->unit, r.n, c->what);
	}
}

/* The page cache estimate (see the top of the file). */
static void page_cache(struct obs *o, json_t *rates)
{
	double in = mt_jnum(json_object_get(rates, "pgpgin_kib_per_s"),
			    "per_s");
	double ref = mt_jnum(json_object_get(rates, "refault_file_per_s"),
			     "per_s");
	double sw = mt_jnum(json_object_get(rates, "swapin_bytes_per_s"),
			    "per_s");
	double reads = in / 4 - (isfinite(sw) ? sw / PAGE : 0);
	double share = reads > 0 && isfinite(ref) ? fmin(1, ref / reads) : NAN;
	json_t *pc;

	pc = json_pack(
		"{s:n, s:s, s:o, s:o, s:o, s:s}", "hit_ratio", "hit_ratio_why",
		"not derived: /proc/vmstat counts no page cache hits (a "
		"lookup that finds its page is not counted); cachestat(8) "
		"and cachetop(8) count kernel function calls through "
		"kprobes instead",
		"file_reads_pages_per_s", mt_jreal(reads), "refault_file_per_s",
		mt_jreal(ref), "refault_share", mt_jreal(share), "estimator",
		"refault share = workingset_refault_file / (pgpgin KiB / 4 - "
		"pswpin): the share of the file pages read from disk that had "
		"been evicted while still in the working set (mm/workingset.c)"
		": misses more memory would have made hits; an estimate");
	set(o, o->out, "page_cache", pc);
	fact(o, "observe.cache_refault_share", share, NAN, NAN, "ratio", 0,
	     "estimate: file refaults over file pages read from disk "
	     "(workingset_refault_file / (pgpgin/4 - pswpin))");
}

/* THP in use and the fault fallback ratio. */
static void thp(struct obs *o, json_t *rates)
{
	double al = mt_jnum(json_object_get(rates, "thp_fault_alloc_per_s"),
			    "per_s");
	double fb = mt_jnum(json_object_get(rates, "thp_fault_fallback_per_s"),
			    "per_s");
	double used = last_of(o, "system", "meminfo.AnonHugePages");
	double ratio = al + fb > 0 ? fb / (al + fb) : NAN;

	if (!isfinite(used) && !isfinite(al) && !isfinite(fb))
		return;
	set(o, o->out, "thp",
	    json_pack("{s:o, s:o}", "anon_huge_bytes_last", mt_jreal(used),
		      "fault_fallback_ratio", mt_jreal(ratio)));
	fact(o, "observe.thp_anon_huge_bytes", used, NAN, NAN, "bytes", 0,
	     "AnonHugePages at the observation's end");
	fact(o, "observe.thp_fallback_ratio", ratio, NAN, NAN, "ratio", 0,
	     "thp_fault_fallback / (thp_fault_alloc + thp_fault_fallback) "
	     "over the observation");
}

/* NUMA hits and misses per node (numastat.nodeN.*). */
static void numa(struct obs *o)
{
	json_t *arr = json_array();

	if (!arr) {
		o->rc = -ENOMEM;
		return;
	}
	for (int node = 0; node < MAX_NODES && o->rc == 0; node++) {
		struct mt_obs_rate hit, miss;
		char m[64], id[64], what[192];
		double frac;

		snprintf(m, sizeof(m), "numastat.node%d.numa_hit", node);
		if (!get_rate(o, "system", m, &hit))
			continue;
		snprintf(m, sizeof(m), "numastat.node%d.numa_miss", node);
		if (!get_rate(o, "system", m, &miss))
			miss.per_s = miss.lo = miss.hi = NAN;
		frac = hit.per_s + miss.per_s > 0 ?
			       miss.per_s / (hit.per_s + miss.per_s) :
			       NAN;
		if (json_array_append_new(
			    arr, json_pack("{s:i, s:o, s:o, s:o}", "node", node,
					   "hit_per_s", mt_jreal(hit.per_s),
					   "miss_per_s", mt_jreal(miss.per_s),
					   "miss_fraction", mt_jreal(frac))) <
		    0)
			o->rc = -ENOMEM;
		snprintf(id, sizeof(id), "observe.numa.node%d.miss_fraction",
			 node);
		snprintf(what, sizeof(what),
			 "node %d: numa_miss / (numa_hit + numa_miss), pages "
			 "allocated here though meant for another node",
			 node);
		fact(o, id, frac, NAN, NAN, "ratio", hit.n, what);
	}
	if (json_array_size(arr))
		set(o, o->out, "numa", arr);
	else
		json_decref(arr);
}

/* --- targets -------------------------------------------------------------- */

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
static int first_series(struct obs *o, const char *key,
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
static int leak_series(struct obs *o, const char *key,
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
static void target_growth(struct obs *o, json_t *e, const char *key, size_t idx,
			  const char *name)
{
	struct mt_obs_series s;
	struct mt_leak lk;
	char label[96], id[64], what[320];
	json_t *g;

	if (leak_series(o, key, &s, label, sizeof(label)) < 0) {
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
	g = gauge_json(&s);
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
	set(o, e, "growth", g);
	snprintf(id, sizeof(id), "observe.t%zu.growth", idx);
	snprintf(what, sizeof(what),
		 "%.60s: growth of %s (Theil-Sen slope over %.0f s, 95%% "
		 "rank interval): %s",
		 name, label, lk.window_s, mt_leak_verdict_name(lk.verdict));
	fact(o, id, lk.all.slope, lk.all.lo, lk.all.hi, "B/s", s.n, what);
	mt_obs_free(&s);
}

/* A per-target rate fact and its entry. */
static void target_rate(struct obs *o, json_t *e, const char *key,
			const char *const *metrics, const char *name,
			size_t idx, const char *tname, const char *what)
{
	struct mt_obs_rate r;
	char id[64], w[192];

	for (size_t i = 0; metrics[i]; i++) {
		if (!get_rate(o, key, metrics[i], &r))
			continue;
		set(o, e, name, rate_json(&r, 1));
		snprintf(id, sizeof(id), "observe.t%zu.%s", idx, name);
		snprintf(w, sizeof(w), "%.60s: %s (%s)", tname, what,
			 metrics[i]);
		fact(o, id, r.per_s, r.lo, r.hi, "/s", r.n, w);
		return;
	}
}

/* The target's file set in the page cache (cachestat). */
static void target_cache(struct obs *o, json_t *e, const char *key, size_t idx,
			 const char *tname)
{
	double cache = last_of(o, key, "cachestat.cache");
	double ev = last_of(o, key, "cachestat.evicted");
	double rec = last_of(o, key, "cachestat.recently_evicted");
	double res = last_of(o, key, "mincore.resident");
	double share, touched;
	char id[64], w[192];

	if (!isfinite(cache)) {
		if (isfinite(res))
			set(o, e, "cache",
			    json_pack("{s:f, s:s}", "resident_pages", res,
				      "note",
				      "mincore (no cachestat on this "
				      "kernel): no evicted count, no share"));
		return;
	}
	touched = cache + (isfinite(ev) ? ev : 0);
	share = touched > 0 ? cache / touched : NAN;
	set(o, e, "cache",
	    json_pack("{s:f, s:o, s:o, s:o, s:o, s:s}", "cache_pages", cache,
		      "evicted_pages", mt_jreal(ev), "recently_evicted_pages",
		      mt_jreal(rec), "resident_share", mt_jreal(share),
		      "touched_bytes", mt_jreal(touched * PAGE), "estimator",
		      "resident share = cache / (cache + evicted) at the "
		      "end (cachestat(2)): of the file pages the set has had "
		      "in the cache, those still there; an estimate of the "
		      "hit ratio of a set read uniformly"));
	snprintf(id, sizeof(id), "observe.t%zu.cache_resident", idx);
	snprintf(w, sizeof(w),
		 "%.60s: resident share of its file set, cache / (cache + "
		 "evicted) (cachestat), an estimate",
		 tname);
	fact(o, id, share, NAN, NAN, "ratio", 0, w);
	snprintf(id, sizeof(id), "observe.t%zu.cache_touched_bytes", idx);
	snprintf(w, sizeof(w),
		 "%.60s: its file set's pages cached or evicted "
		 "(cachestat), x 4 KiB",
		 tname);
	fact(o, id, touched * PAGE, NAN, NAN, "bytes", 0, w);
}

static const char *const rss_names[] = { "status.VmRSS", "memory.current",
					 "smaps.Rss", NULL };
static const char *const majflt_names[] = { "stat.majflt", "memstat.pgmajfault",
					    NULL };
static const char *const ra_names[] = { "memstat.workingset_refault_anon",
					NULL };
static const char *const rf_names[] = { "memstat.workingset_refault_file",
					NULL };

/* Derives one target. */
static void one_target(struct obs *o, json_t *e, const char *key, size_t idx)
{
	const char *comm = json_string_value(json_object_get(e, "comm"));
	const char *tname = comm ? comm : key;
	double swap = NAN;
	struct mt_obs_series s;
	const char *which;
	char id[64], w[192];

	target_growth(o, e, key, idx, tname);
	if (first_series(o, key, rss_names, &s, &which) < 0) {
		o->rc = -ENOMEM;
		return;
	}
	if (which) {
		json_t *g = gauge_json(&s);

		if (g)
			json_object_set_new(g, "series", json_string(which));
		set(o, e, "rss", g);
		snprintf(id, sizeof(id), "observe.t%zu.rss_max", idx);
		snprintf(w, sizeof(w), "%.60s: highest %s in the observation",
			 tname, which);
		fact(o, id, mt_jnum(g, "max"), NAN, NAN, "bytes", s.n, w);
		mt_obs_free(&s);
	}
	if (first_series(o, key, swap_names, &s, &which) < 0) {
		o->rc = -ENOMEM;
		return;
	}
	if (which) {
		swap = s.y[s.n - 1];
		set(o, e, "swap_bytes_last", json_real(swap));
		snprintf(id, sizeof(id), "observe.t%zu.swap_bytes", idx);
		snprintf(w, sizeof(w), "%.60s: swap held at the end (%s)",
			 tname, which);
		fact(o, id, swap, NAN, NAN, "bytes", s.n, w);
		mt_obs_free(&s);
	}
	target_rate(o, e, key, majflt_names, "majflt_per_s", idx, tname,
		    "major faults per second");
	target_rate(o, e, key, ra_names, "refault_anon_per_s", idx, tname,
		    "anonymous refaults (swap-ins) per second");
	target_rate(o, e, key, rf_names, "refault_file_per_s", idx, tname,
		    "file refaults per second");
	{
		struct mt_obs_rate r;

		if (get_rate(o, key, "psi.some_total", &r)) {
			set(o, e, "psi_some_pct", rate_json(&r, 1e-4));
			snprintf(id, sizeof(id), "observe.t%zu.psi_some_pct",
				 idx);
			snprintf(w, sizeof(w),
				 "%.60s: share of the window some task of "
				 "its cgroup stalled on memory",
				 tname);
			fact(o, id, r.per_s * 1e-4, r.lo * 1e-4, r.hi * 1e-4,
			     "%", r.n, w);
		}
	}
	target_cache(o, e, key, idx, tname);
}

/* The targets: meta.json's, then any other the records name. */
static void targets(struct obs *o, json_t *seen)
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
		    json_array_size(arr) >= MAX_TARGETS)
			continue;
		e = json_deep_copy(t);
		if (!e || json_object_set_new(e, "key", json_string(k)) < 0 ||
		    json_array_append_new(arr, e) < 0 ||
		    json_object_set_new(done, k, json_true()) < 0)
			o->rc = -ENOMEM;
	}
	json_object_foreach(seen, key, t) {
		if (!strcmp(key, "system") || json_object_get(done, key) ||
		    json_array_size(arr) >= MAX_TARGETS)
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
	set(o, o->out, "targets", arr);
}

static void warn(json_t *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(json_t *arr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mt_json_append_vfmt(arr, 256, fmt, ap);
	va_end(ap);
}

/* The targets the records name, and a warning per kind of malformed
 * observe record (counted, never fatal). */
static json_t *scan(struct obs *o, json_t *warnings, double *t0, double *t1)
{
	json_t *seen = json_object(), *r;
	size_t i, bad_target = 0, bad_t = 0, bad_metric = 0;

	*t0 = INFINITY;
	*t1 = -INFINITY;
	if (!seen)
		return NULL;
	json_array_foreach(o->run->records, i, r) {
		const char *tg, *m;
		double t;

		if (strcmp(mt_rec_bench(r), "observe") || !mt_rec_ok(r))
			continue;
		tg = mt_rec_case_str(r, "target");
		t = mt_rec_case_num(r, "t");
		m = mt_rec_metric(r);
		if (!tg || !tg[0]) {
			bad_target++;
			continue;
		}
		if (!isfinite(t) || t < 0) {
			bad_t++;
			continue;
		}
		if (!strchr(m, '.') || !isfinite(mt_rec_value(r)))
			bad_metric++;
		if (t < *t0)
			*t0 = t;
		if (t > *t1)
			*t1 = t;
		if (!json_object_get(seen, tg) &&
		    json_object_set_new(seen, tg, json_true()) < 0)
			o->rc = -ENOMEM;
	}
	if (bad_target)
		warn(warnings,
		     "%zu observe record(s) without a case "
		     "target: left out",
		     bad_target);
	if (bad_t)
		warn(warnings,
		     "%zu observe record(s) without a case t "
		     "(seconds, >= 0): left out",
		     bad_t);
	if (bad_metric)
		warn(warnings,
		     "%zu observe record(s) with a metric not "
		     "SOURCE.NAME or no numeric value: left out",
		     bad_metric);
	return seen;
}

static json_t *observe_analyze(const struct mt_run *run, struct mt_err *err)
{
	struct obs o = { .run = run };
	json_t *seen, *rates, *warnings;
	double t0, t1;
	size_t ok = 0;

	mt_run_count(run, "observe", &ok, NULL, NULL, NULL);
	if (ok == 0) {
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "observe: no measured observe record");
		return NULL;
	}
	o.out = json_object();
	rates = json_object();
	warnings = json_array();
	if (!o.out || !rates || !warnings) {
		json_decref(o.out);
		json_decref(rates);
		json_decref(warnings);
		goto nomem;
	}
	set(&o, o.out, "rates", rates);
	set(&o, o.out, "warnings", warnings);
	seen = scan(&o, warnings, &t0, &t1);
	if (!seen)
		goto nomem;
	if (!isfinite(t0) || !json_object_size(seen)) {
		json_decref(seen);
		json_decref(o.out);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "observe: no record with a case target and t");
		return NULL;
	}
	set(&o, o.out, "window",
	    json_pack("{s:f, s:f, s:f, s:o}", "t0", t0, "t1", t1, "seconds",
		      t1 - t0, "interval_s",
		      mt_jreal(mt_jnum(json_object_get(run->meta, "observe"),
				       "interval_s"))));
	available(&o);
	system_rates(&o, rates);
	page_cache(&o, rates);
	thp(&o, rates);
	numa(&o);
	targets(&o, seen);
	json_decref(seen);
	if (o.rc == 0)
		return o.out;
	json_decref(o.out);
nomem:
	mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "observe: out of memory");
	return NULL;
}

/* A rate of "rates" for a person, or "-". */
static const char *rate_text(json_t *d, const char *name, const char *unit,
			     char *buf, size_t len)
{
	json_t *r = json_object_get(json_object_get(d, "rates"), name);
	double v = mt_jnum(r, "per_s"), lo = mt_jnum(r, "lo");

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (isfinite(lo))
		snprintf(buf, len, "%.4g %s [%.4g, %.4g]", v, unit, lo,
			 mt_jnum(r, "hi"));
	else
		snprintf(buf, len, "%.4g %s", v, unit);
	return buf;
}

static void observe_print(FILE *out, json_t *d)
{
	json_t *a = json_object_get(d, "available"), *w;
	json_t *pc = json_object_get(d, "page_cache"), *e;
	char b[6][96];
	size_t i;

	w = json_object_get(d, "window");
	fprintf(out, "  window: %.0f s (t %.3g to %.3g)\n",
		mt_jnum(w, "seconds"), mt_jnum(w, "t0"), mt_jnum(w, "t1"));
	if (a)
		fprintf(out,
			"  available memory: first %.0f MiB, last %.0f MiB, "
			"lowest %.0f MiB at t=%.0f s; trend %.4g MiB/min "
			"[%.4g, %.4g]\n",
			mt_jnum(a, "first") / MiB, mt_jnum(a, "last") / MiB,
			mt_jnum(a, "min") / MiB, mt_jnum(a, "t_min"),
			mt_jnum(a, "slope_bytes_per_s") * 60 / MiB,
			mt_jnum(a, "slope_lo") * 60 / MiB,
			mt_jnum(a, "slope_hi") * 60 / MiB);
	fprintf(out, "  swap: in %s, out %s\n",
		rate_text(d, "swapin_bytes_per_s", "B/s", b[0], 96),
		rate_text(d, "swapout_bytes_per_s", "B/s", b[1], 96));
	fprintf(out,
		"  reclaim: allocstall %s, direct scan %s, kswapd scan "
		"%s, compaction stalls %s; major faults %s\n",
		rate_text(d, "allocstall_per_s", "/s", b[0], 96),
		rate_text(d, "pgscan_direct_per_s", "/s", b[1], 96),
		rate_text(d, "pgscan_kswapd_per_s", "/s", b[2], 96),
		rate_text(d, "compact_stall_per_s", "/s", b[3], 96),
		rate_text(d, "pgmajfault_per_s", "/s", b[4], 96));
	fprintf(out, "  PSI memory: some %s, full %s of the window\n",
		rate_text(d, "psi_some_pct", "%", b[0], 96),
		rate_text(d, "psi_full_pct", "%", b[1], 96));
	if (pc && isfinite(mt_jnum(pc, "refault_share")))
		fprintf(out,
			"  page cache: refault share %.3g (estimate: file "
			"refaults / file pages read); no hit ratio from "
			"vmstat\n",
			mt_jnum(pc, "refault_share"));
	if ((e = json_object_get(d, "thp")))
		fprintf(out,
			"  THP: %.0f MiB in use, fault fallback ratio %.3g\n",
			mt_jnum(e, "anon_huge_bytes_last") / MiB,
			mt_jnum(e, "fault_fallback_ratio"));
	json_array_foreach(json_object_get(d, "numa"), i, e)
		fprintf(out,
			"  NUMA node %.0f: %.4g hits/s, %.4g misses/s, "
			"miss fraction %.3g\n",
			mt_jnum(e, "node"), mt_jnum(e, "hit_per_s"),
			mt_jnum(e, "miss_per_s"), mt_jnum(e, "miss_fraction"));
	json_array_foreach(json_object_get(d, "targets"), i, e) {
		json_t *g = json_object_get(e, "growth");
		json_t *c = json_object_get(e, "cache");
		const char *comm = json_string_value(json_object_get(e,
								     "comm"));

		fprintf(out, "  %s%s%s%s:",
			json_string_value(json_object_get(e, "id")),
			comm ? " (" : "", comm ? comm : "", comm ? ")" : "");
		if (g)
			fprintf(out,
				" %s %.0f -> %.0f MiB, %.4g KiB/s [%.4g, "
				"%.4g]: %s (%s);",
				json_string_value(json_object_get(g, "series")),
				mt_jnum(g, "first") / MiB,
				mt_jnum(g, "last") / MiB,
				mt_jnum(g, "slope_bytes_per_s") / 1024,
				mt_jnum(g, "slope_lo") / 1024,
				mt_jnum(g, "slope_hi") / 1024,
				json_string_value(json_object_get(g,
								  "verdict")),
				json_string_value(json_object_get(g,
								  "reason")));
		if (json_object_get(e, "swap_bytes_last"))
			fprintf(out, " swap %.0f MiB;",
				mt_jnum(e, "swap_bytes_last") / MiB);
		if (json_object_get(e, "majflt_per_s"))
			fprintf(out, " major faults %.4g/s;",
				mt_jnum(json_object_get(e, "majflt_per_s"),
					"per_s"));
		if (c && json_object_get(c, "resident_share"))
			fprintf(out,
				" file set %.0f MiB touched, %.3g resident",
				mt_jnum(c, "touched_bytes") / MiB,
				mt_jnum(c, "resident_share"));
		fputc('\n', out);
	}
	json_array_foreach(json_object_get(d, "warnings"), i, e)
		fprintf(out, "  warning: %s\n", json_string_value(e));
}

/* Two figures of the first observation: available memory over time, and
 * each target's memory (the series its leak verdict reads). */
static int observe_plots(struct mt_report *rep, struct mt_run *const *runs,
			 json_t *const *derived, size_t n, struct mt_err *err)
{
	struct mt_obs_series av = { 0 }, ts[8];
	struct mt_series ser[8];
	const char *names[8];
	char reading[2][512], titles[8][96];
	json_t *d = NULL, *e;
	size_t r = 0, nt = 0, i;
	int ret = 0;

	for (r = 0; r < n && !d; r++)
		d = derived[r] ? derived[r] : NULL;
	if (!d)
		return 0;
	r--;
	memset(ts, 0, sizeof(ts));
	if (mt_obs_get(runs[r], "system", "meminfo.MemAvailable", &av) < 0)
		goto nomem;
	for (i = 0; i < av.n; i++)
		av.y[i] /= MiB;
	json_array_foreach(json_object_get(d, "targets"), i, e) {
		char label[96];
		const char *k = json_string_value(json_object_get(e, "key"));
		struct obs o = { .run = runs[r] };

		if (nt == 8 || !k)
			break;
		if (leak_series(&o, k, &ts[nt], label, sizeof(label)) < 0)
			goto nomem;
		if (!ts[nt].n) {
			mt_obs_free(&ts[nt]);
			continue;
		}
		for (size_t j = 0; j < ts[nt].n; j++)
			ts[nt].y[j] /= MiB;
		snprintf(
			titles[nt], sizeof(titles[nt]), "%s: %s",
			json_string_value(json_object_get(e, "comm")) ?: k,
			json_string_value(json_object_get(json_object_get(e, "growth"), "verdict")) ?:
				"");
		names[nt] = titles[nt];
		nt++;
	}
	if (av.n >= 2) {
		json_t *a = json_object_get(d, "available");
		struct mt_series s = { .title = "MemAvailable",
				       .color = mt_fig_color(0),
				       .dash = 1,
				       .n = av.n,
				       .x = av.t,
				       .y = av.y };
		struct mt_line_fig f = {
			.name = "observe-available",
			.bench = "observe",
			.title = "Available memory over the observation",
			.xlabel = "time (s)",
			.ylabel = "MemAvailable (MiB)",
			.reading = reading[0],
		};

		snprintf(reading[0], sizeof(reading[0]),
			 "Available memory went from %.0f to %.0f MiB, "
			 "lowest %.0f MiB at %.0f s; the fitted trend is "
			 "%.3g MiB/min (95%% interval %.3g to %.3g).%s",
			 mt_jnum(a, "first") / MiB, mt_jnum(a, "last") / MiB,
			 mt_jnum(a, "min") / MiB, mt_jnum(a, "t_min"),
			 mt_jnum(a, "slope_bytes_per_s") * 60 / MiB,
			 mt_jnum(a, "slope_lo") * 60 / MiB,
			 mt_jnum(a, "slope_hi") * 60 / MiB,
			 n > 1 ? " The first observation's." : "");
		ret = mt_fig_lines(rep, &f, &s, 1, err);
	}
	if (ret == 0 && nt) {
		struct mt_line_fig f = {
			.name = "observe-memory",
			.bench = "observe",
			.title = "Memory of each target (anon + swap)",
			.xlabel = "time (s)",
			.ylabel = "MiB",
			.reading = reading[1],
		};

		for (i = 0; i < nt; i++)
			ser[i] = (struct mt_series){ .title = names[i],
						     .color = mt_fig_color(i),
						     .dash = 1,
						     .n = ts[i].n,
						     .x = ts[i].t,
						     .y = ts[i].y };
		snprintf(reading[1], sizeof(reading[1]),
			 "Each target's anonymous memory plus its swap, the "
			 "series the leak verdict fits. A leak is a rise "
			 "over the whole window and over its second half; "
			 "a rise that levels off is a warm-up.");
		ret = mt_fig_lines(rep, &f, ser, nt, err);
	}
	goto out;
nomem:
	ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "report: out of memory");
out:
	mt_obs_free(&av);
	for (i = 0; i < 8; i++)
		mt_obs_free(&ts[i]);
	return ret;
}

const struct mt_analysis mt_an_observe = {
	.bench = "observe",
	.summary = "an observation of the running workload: available "
		   "memory and its trend, swap, reclaim, page cache, THP, "
		   "NUMA, per-target growth with a leak verdict",
	.analyze = observe_analyze,
	.print = observe_print,
	.plots = observe_plots,
};
