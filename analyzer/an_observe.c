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
 * pgpgin also counts O_DIRECT and metadata reads, so the share is a lower
 * bound.
 * Per target with a file set: the resident share cache / (cache + evicted)
 * of cachestat(2), the share of the pages the set has had in the cache
 * that are still there.
 *
 * Per target (observe_target.c): memory (anon + swap, so a leak being swapped out still
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

#define MAX_NODES 64
#define PAGE MT_OBS_PAGE
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

/* Available memory: first, last, lowest and the fitted trend. */
static void available(struct mt_obs_ctx *o)
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
	a = mt_obs_gauge_json(&s);
	if (a && mt_trend_fit(s.t, s.y, s.n, &tr) == 0) {
		json_object_set_new(a, "slope_bytes_per_s", mt_jreal(tr.slope));
		json_object_set_new(a, "slope_lo", mt_jreal(tr.lo));
		json_object_set_new(a, "slope_hi", mt_jreal(tr.hi));
		json_object_set_new(a, "trend",
				    json_string("Theil-Sen slope, Sen's "
						"rank interval"));
		mt_obs_fact(
			o, "observe.mem_available_slope", tr.slope, tr.lo,
			tr.hi, "B/s", s.n,
			"trend of MemAvailable over the observation (Theil-Sen "
			"slope, 95% rank interval)");
	}
	mt_obs_set(o, o->out, "available", a);
	if (a) {
		char what[192];

		snprintf(what, sizeof(what),
			 "lowest MemAvailable in the %.0f s observed",
			 mt_jnum(a, "window_s"));
		mt_obs_fact(o, "observe.mem_available_min", mt_jnum(a, "min"),
			    NAN, NAN, "bytes", s.n, what);
		mt_obs_fact(o, "observe.mem_available_last", mt_jnum(a, "last"),
			    NAN, NAN, "bytes", s.n,
			    "MemAvailable at the observation's end");
	}
out:
	mt_obs_free(&s);
}

/* The system counters' rates, into "rates" and facts. */
static void system_rates(struct mt_obs_ctx *o, json_t *rates)
{
	for (size_t i = 0; i < N_COUNTERS; i++) {
		const struct counter_row *c = &counters[i];
		struct mt_obs_rate r;
		char id[64];

		if (!mt_obs_get_rate(o, "system", c->metric, &r))
			continue;
		mt_obs_set(o, rates, c->name, mt_obs_rate_json(&r, c->scale));
		snprintf(id, sizeof(id), "observe.%s", c->name);
		mt_obs_fact(o, id, r.per_s * c->scale, r.lo * c->scale,
			    r.hi * c->scale, c->unit, r.n, c->what);
	}
}

/* The page cache estimate (see the top of the file). */
static void page_cache(struct mt_obs_ctx *o, json_t *rates)
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
		": misses more memory would have made hits; an estimate, "
		"and a lower bound (pgpgin counts O_DIRECT and metadata "
		"reads too)");
	mt_obs_set(o, o->out, "page_cache", pc);
	mt_obs_fact(o, "observe.cache_refault_share", share, NAN, NAN, "ratio",
		    0,
		    "estimate: file refaults over file pages read from disk "
		    "(workingset_refault_file / (pgpgin/4 - pswpin))");
}

/* THP in use and the fault fallback ratio. */
static void thp(struct mt_obs_ctx *o, json_t *rates)
{
	double al = mt_jnum(json_object_get(rates, "thp_fault_alloc_per_s"),
			    "per_s");
	double fb = mt_jnum(json_object_get(rates, "thp_fault_fallback_per_s"),
			    "per_s");
	double used = mt_obs_last(o, "system", "meminfo.AnonHugePages");
	double ratio = al + fb > 0 ? fb / (al + fb) : NAN;

	if (!isfinite(used) && !isfinite(al) && !isfinite(fb))
		return;
	mt_obs_set(o, o->out, "thp",
		   json_pack("{s:o, s:o}", "anon_huge_bytes_last",
			     mt_jreal(used), "fault_fallback_ratio",
			     mt_jreal(ratio)));
	mt_obs_fact(o, "observe.thp_anon_huge_bytes", used, NAN, NAN, "bytes",
		    0, "AnonHugePages at the observation's end");
	mt_obs_fact(
		o, "observe.thp_fallback_ratio", ratio, NAN, NAN, "ratio", 0,
		"thp_fault_fallback / (thp_fault_alloc + thp_fault_fallback) "
		"over the observation");
}

/* NUMA hits and misses per node (numastat.nodeN.*). */
static void numa(struct mt_obs_ctx *o)
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
		if (!mt_obs_get_rate(o, "system", m, &hit))
			continue;
		snprintf(m, sizeof(m), "numastat.node%d.numa_miss", node);
		if (!mt_obs_get_rate(o, "system", m, &miss))
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
		mt_obs_fact(o, id, frac, NAN, NAN, "ratio", hit.n, what);
	}
	if (json_array_size(arr))
		mt_obs_set(o, o->out, "numa", arr);
	else
		json_decref(arr);
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
static json_t *scan(struct mt_obs_ctx *o, json_t *warnings, double *t0,
		    double *t1)
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
	struct mt_obs_ctx o = { .run = run };
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
	mt_obs_set(&o, o.out, "rates", rates);
	mt_obs_set(&o, o.out, "warnings", warnings);
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
	mt_obs_set(&o, o.out, "window",
		   json_pack("{s:f, s:f, s:f, s:o}", "t0", t0, "t1", t1,
			     "seconds", t1 - t0, "interval_s",
			     mt_jreal(mt_jnum(json_object_get(run->meta,
							      "observe"),
					      "interval_s"))));
	available(&o);
	system_rates(&o, rates);
	page_cache(&o, rates);
	thp(&o, rates);
	numa(&o);
	mt_obs_targets(&o, seen);
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
	else
		mt_format_interval(v, lo, mt_jnum(r, "hi"), unit, buf, len);
	return buf;
}

/* Available memory's first, last and lowest (MiB), when the lowest was (s),
 * and the trend with its interval (MiB/min): what the summary and the
 * figure's reading say. */
static void avail_mib(json_t *a, double v[7])
{
	static const char *const key[7] = {
		"first",    "last",    "min", "t_min", "slope_bytes_per_s",
		"slope_lo", "slope_hi"
	};

	for (int i = 0; i < 7; i++) {
		v[i] = mt_jnum(a, key[i]);
		if (i < 3)
			v[i] /= MiB;
		else if (i > 3)
			v[i] = v[i] * 60 / MiB;
	}
}

static void observe_print(FILE *out, json_t *d)
{
	json_t *a = json_object_get(d, "available"), *w;
	json_t *pc = json_object_get(d, "page_cache"), *e;
	char b[6][96];
	double v[7];
	size_t i;

	w = json_object_get(d, "window");
	fprintf(out, "  window: %.0f s (t %.3g to %.3g)\n",
		mt_jnum(w, "seconds"), mt_jnum(w, "t0"), mt_jnum(w, "t1"));
	avail_mib(a, v);
	if (a)
		fprintf(out,
			"  available memory: first %.0f MiB, last %.0f MiB, "
			"lowest %.0f MiB at t=%.0f s; trend %.4g MiB/min "
			"[%.4g, %.4g]\n",
			v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
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
		rate_text(d, "majfault_per_s", "/s", b[4], 96));
	fprintf(out, "  PSI memory: some %s, full %s of the window\n",
		rate_text(d, "psi_some_pct", "%", b[0], 96),
		rate_text(d, "psi_full_pct", "%", b[1], 96));
	if (pc && isfinite(mt_jnum(pc, "refault_share")))
		fprintf(out,
			"  page cache: refault share %.3g (estimate: file "
			"refaults / file pages read); no hit ratio from "
			"vmstat\n",
			mt_jnum(pc, "refault_share"));
	if ((e = json_object_get(d, "thp"))) {
		mt_format_num(mt_jnum(e, "fault_fallback_ratio"), 3, b[0], 96);
		fprintf(out,
			"  THP: %.0f MiB in use, fault fallback ratio %s\n",
			mt_jnum(e, "anon_huge_bytes_last") / MiB, b[0]);
	}
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
		struct mt_obs_ctx o = { .run = runs[r] };

		if (nt == 8 || !k)
			break;
		if (mt_obs_leak_series(&o, k, &ts[nt], label, sizeof(label)) <
		    0)
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
		double v[7];
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

		avail_mib(json_object_get(d, "available"), v);
		snprintf(reading[0], sizeof(reading[0]),
			 "Available memory went from %.0f to %.0f MiB, "
			 "lowest %.0f MiB at %.0f s; the fitted trend is "
			 "%.3g MiB/min (95%% interval %.3g to %.3g).%s",
			 v[0], v[1], v[2], v[3], v[4], v[5], v[6],
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
