/* The live reclaim signals (issue 13): rates of the kernel's reclaim
 * counters and the PSI averages, from two snapshots a window apart, from
 * the counters since boot, or from a run's before/after snapshots. Rules
 * read them with mt_ev_signal; see advisor.h for the names. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../analyzer/analysis.h"
#include "../core/json_safe.h"
#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/log.h"
#include "../core/psi.h"
#include "../core/vmstat.h"
#include "../core/safefile.h"
#include "advisor.h"

static const char *const psi_res[] = { "memory", "cpu", "io" };
static const char *const psi_kind[] = { "some", "full" };
static const char *const psi_avg[] = { "avg10", "avg60", "avg300" };

static int put(json_t *values, const char *name, double v)
{
	if (!isfinite(v))
		return 0;
	return json_object_set_new(values, name, json_real(v)) < 0 ? -ENOMEM :
								     0;
}

/* The PSI averages of snap (the kernel's, at the snapshot) and, when
 * before is given, the share of the window stalled from the totals; with
 * before NULL the share is of `secs` since boot. */
static int put_psi(json_t *values, json_t *before, json_t *snap, double secs)
{
	char name[64];

	for (size_t r = 0; r < 3; r++)
		for (size_t k = 0; k < 2; k++) {
			json_t *a = json_object_get(
				json_object_get(json_object_get(snap, "psi"),
						psi_res[r]),
				psi_kind[k]);
			json_t *b = json_object_get(
				json_object_get(json_object_get(before, "psi"),
						psi_res[r]),
				psi_kind[k]);
			double t1 = mt_jnum(a, "total"),
			       t0 = before ? mt_jnum(b, "total") : 0;

			if (!json_is_object(a))
				continue;
			for (size_t g = 0; g < 3; g++) {
				snprintf(name, sizeof(name), "psi_%s_%s_%s",
					 psi_res[r], psi_kind[k], psi_avg[g]);
				if (put(values, name, mt_jnum(a, psi_avg[g])))
					return -ENOMEM;
			}
			snprintf(name, sizeof(name), "psi_%s_%s_pct",
				 psi_res[r], psi_kind[k]);
			if (t1 >= t0 && secs > 0 &&
			    put(values, name, (t1 - t0) / (secs * 1e4)))
				return -ENOMEM;
		}
	return 0;
}

json_t *mt_signals_rates(json_t *before, json_t *after, double window_s)
{
	json_t *values, *v0 = json_object_get(before, "vmstat");
	json_t *v1 = json_object_get(after, "vmstat");
	char name[96];

	if (!(window_s > 0) || !(values = json_object()))
		return NULL;
	for (size_t i = 0; mt_vmstat_counters[i]; i++) {
		json_t *a = json_object_get(v0, mt_vmstat_counters[i]);
		json_t *b = json_object_get(v1, mt_vmstat_counters[i]);

		if (!json_is_integer(a) || !json_is_integer(b) ||
		    json_integer_value(b) < json_integer_value(a))
			continue;
		snprintf(name, sizeof(name), "%s_per_s", mt_vmstat_counters[i]);
		if (put(values, name,
			(double)(json_integer_value(b) - json_integer_value(a)) /
				window_s))
			goto nomem;
	}
	if (put_psi(values, before, after, window_s) ||
	    put(values, "window_s", window_s))
		goto nomem;
	return values;
nomem:
	json_decref(values);
	return NULL;
}

json_t *mt_signals_since_boot(json_t *snap, double uptime_s)
{
	json_t *zero = json_object(), *values;

	/* Since boot is a window from a snapshot of zeros. */
	if (!zero)
		return NULL;
	if (json_object_set_new(zero, "vmstat", json_object()) < 0) {
		json_decref(zero);
		return NULL;
	}
	for (size_t i = 0; mt_vmstat_counters[i]; i++)
		if (json_object_get(json_object_get(snap, "vmstat"),
				    mt_vmstat_counters[i]))
			json_object_set_new(json_object_get(zero, "vmstat"),
					    mt_vmstat_counters[i],
					    json_integer(0));
	values = mt_signals_rates(zero, snap, uptime_s);
	json_decref(zero);
	/* The PSI share since boot: put_psi was given the zero snapshot,
	 * which has no totals, so compute it against 0. */
	if (values && put_psi(values, NULL, snap, uptime_s) < 0) {
		json_decref(values);
		return NULL;
	}
	return values;
}

bool mt_ev_signal(const struct mt_advise_ctx *ctx, const char *name,
		  double *value)
{
	json_t *v = json_object_get(json_object_get(ctx->signals, "values"),
				    name);

	if (!json_is_number(v))
		return false;
	*value = json_number_value(v);
	return true;
}

/* ctx->signals = {basis, from, workload, window_s, values}; values is
 * taken (may be NULL: basis "none"). */
static int set_signals(struct mt_advise_ctx *ctx, const char *basis,
		       bool workload, json_t *values, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int set_signals(struct mt_advise_ctx *ctx, const char *basis,
		       bool workload, json_t *values, const char *fmt, ...)
{
	char from[512];
	va_list ap;
	json_t *o;

	va_start(ap, fmt);
	vsnprintf(from, sizeof(from), fmt, ap);
	va_end(ap);
	o = json_pack("{s:s, s:s, s:b, s:o}", "basis", values ? basis : "none",
		      "from", from, "workload", workload && values, "values",
		      values ? values : json_object());
	if (!o)
		return -ENOMEM;
	if (values)
		json_object_set(o, "window_s",
				json_object_get(values, "window_s"));
	json_decref(ctx->signals);
	ctx->signals = o;
	return 0;
}

/* A small file of the run directory (not /proc: read directly), or NULL.
 * The run directory is not trusted (DESIGN §6): a link, a FIFO or a
 * device planted as a snapshot is not read, and at most 1 MiB is. */
static char *read_run_file(const char *path)
{
	char *buf = NULL;

	return mt_file_read_untrusted(path, 1 << 20, &buf, NULL) == 0 ? buf :
									NULL;
}

/* {"vmstat": ..., "psi": {"memory": ...}} of snapshots/SECTION.WHEN.*, or
 * NULL when that snapshot has no vmstat. */
static json_t *run_snapshot(const char *run_dir, const char *section,
			    const char *when)
{
	char path[4096];
	char *text;
	json_t *o, *vm, *psi;

	snprintf(path, sizeof(path), "%s/snapshots/%s.%s.vmstat", run_dir,
		 section, when);
	if (!(text = read_run_file(path)))
		return NULL;
	vm = mt_vmstat_parse(text);
	free(text);
	if (!vm || !json_object_size(vm)) {
		json_decref(vm);
		return NULL;
	}
	o = json_pack("{s:o}", "vmstat", vm);
	snprintf(path, sizeof(path), "%s/snapshots/%s.%s.pressure-memory",
		 run_dir, section, when);
	if (o && (text = read_run_file(path))) {
		psi = mt_psi_text_json(text);
		free(text);
		if (psi && json_object_size(psi))
			json_object_set_new(o, "psi",
					    json_pack("{s:o}", "memory", psi));
		else
			json_decref(psi);
	}
	return o;
}

/* Seconds since the epoch of an ISO time "2026-11-22T01:08:31Z", or NAN. */
static double iso_time(json_t *v)
{
	struct tm tm = { 0 };
	const char *s = json_string_value(v), *end;

	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return NAN;
	return (double)timegm(&tm);
}

/* Rates over the run from its first benchmark's "before" snapshot to its
 * last one's "after". Returns 1 when made, 0 when the run has none, or
 * -ENOMEM. */
static int from_run(struct mt_advise_ctx *ctx)
{
	json_t *list = json_object_get(ctx->meta, "benchmarks"), *b;
	json_t *first = NULL, *last = NULL, *values;
	const char *s0 = NULL, *s1 = NULL;
	double window;
	size_t i;
	int rc;

	json_array_foreach(list, i, b) {
		const char *sec = json_string_value(json_object_get(b,
								    "section"));
		json_t *snap;

		if (!sec || strchr(sec, '/') || sec[0] == '.')
			continue;
		if (!first &&
		    (snap = run_snapshot(ctx->run_dir, sec, "before"))) {
			first = snap;
			s0 = sec;
		}
		if ((snap = run_snapshot(ctx->run_dir, sec, "after"))) {
			json_decref(last);
			last = snap;
			s1 = sec;
		}
	}
	window = iso_time(json_object_get(ctx->meta, "end")) -
		 iso_time(json_object_get(ctx->meta, "start"));
	if (!first || !last || !(window > 0)) {
		json_decref(first);
		json_decref(last);
		return 0;
	}
	values = mt_signals_rates(first, last, window);
	json_decref(first);
	json_decref(last);
	if (!values)
		return -ENOMEM;
	rc = set_signals(ctx, "run", false, values,
			 "the run's snapshots "
			 "(%s before to %s after, %.0f s): the machine under "
			 "memtune's own benchmarks, which cause reclaim on "
			 "purpose",
			 s0, s1, window);
	return rc < 0 ? rc : 1;
}

/* An observation's rates (analyzer/an_observe.c facts "observe.*"): the
 * machine's own workload over the observed window, the best signals
 * there are. The advisor reads them as facts, never the records. Returns
 * 1 when made, 0 when the analysis holds no observation, or -ENOMEM. */
static int from_observation(struct mt_advise_ctx *ctx)
{
	static const struct {
		const char *fact, *signal;
		double scale;
	} map[] = {
		{ "observe.allocstall_per_s", "allocstall_per_s", 1 },
		{ "observe.pgscan_direct_per_s", "pgscan_direct_per_s", 1 },
		{ "observe.pgsteal_direct_per_s", "pgsteal_direct_per_s", 1 },
		{ "observe.pgscan_kswapd_per_s", "pgscan_kswapd_per_s", 1 },
		{ "observe.pgsteal_kswapd_per_s", "pgsteal_kswapd_per_s", 1 },
		{ "observe.compact_stall_per_s", "compact_stall_per_s", 1 },
		{ "observe.compact_fail_per_s", "compact_fail_per_s", 1 },
		{ "observe.swapin_bytes_per_s", "pswpin_per_s", 1 / 4096.0 },
		{ "observe.swapout_bytes_per_s", "pswpout_per_s", 1 / 4096.0 },
		{ "observe.majfault_per_s", "pgmajfault_per_s", 1 },
		{ "observe.thp_fault_alloc_per_s", "thp_fault_alloc_per_s", 1 },
		{ "observe.thp_fault_fallback_per_s",
		  "thp_fault_fallback_per_s", 1 },
		{ "observe.oom_kill_per_s", "oom_kill_per_s", 1 },
		{ "observe.pgpgin_kib_per_s", "pgpgin_per_s", 1 },
		{ "observe.psi_some_pct", "psi_memory_some_pct", 1 },
		{ "observe.psi_full_pct", "psi_memory_full_pct", 1 },
	};
	json_t *d = json_object_get(
		json_object_get(mt_analysis_derived(ctx->analysis, "observe"),
				"window"),
		"seconds");
	double window = json_number_value(d), ra = NAN, rf = NAN;
	json_t *values;
	struct mt_fact f;
	size_t got = 0;
	int rc;

	if (!ctx->analysis || !(window > 0))
		return 0;
	if (!(values = json_object()))
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (mt_fact_get(ctx->analysis, map[i].fact, &f)) {
			if (put(values, map[i].signal, f.value * map[i].scale))
				goto nomem;
			got++;
		}
	if (mt_fact_get(ctx->analysis, "observe.refault_anon_per_s", &f))
		ra = f.value;
	if (mt_fact_get(ctx->analysis, "observe.refault_file_per_s", &f))
		rf = f.value;
	if ((isfinite(ra) || isfinite(rf)) &&
	    put(values, "workingset_refault_per_s",
		(isfinite(ra) ? ra : 0) + (isfinite(rf) ? rf : 0)))
		goto nomem;
	if (!got || put(values, "window_s", window)) {
		json_decref(values);
		return got ? -ENOMEM : 0;
	}
	rc = set_signals(ctx, "observation", true, values,
			 "the observation in %s (%.0f s of the machine's own "
			 "workload, memtune observe)",
			 ctx->run_dir ? ctx->run_dir : "the run", window);
	return rc < 0 ? rc : 1;
nomem:
	json_decref(values);
	return -ENOMEM;
}

/* {"vmstat", "psi"} read now through the fsroot reader. */
static json_t *snapshot_now(void)
{
	json_t *o = json_object(), *vm = mt_vmstat_json(), *psi = mt_psi_json();

	if (!o || !vm) {
		json_decref(o);
		json_decref(vm);
		json_decref(psi);
		return NULL;
	}
	json_object_set_new(o, "vmstat", vm);
	if (psi)
		json_object_set_new(o, "psi", psi);
	return o;
}

/* Since boot from ctx->sys, with why. */
static int since_boot(struct mt_advise_ctx *ctx, const char *why)
{
	json_t *up = json_object_get(ctx->sys, "uptime_seconds");
	json_t *values;

	if (!json_is_object(json_object_get(ctx->sys, "vmstat")))
		return set_signals(ctx, "none", false, NULL,
				   "no /proc/vmstat "
				   "in %s: no reclaim signals",
				   ctx->system_source);
	if (!json_is_number(up) || !(json_number_value(up) > 0))
		return set_signals(ctx, "none", false, NULL,
				   "no /proc/uptime "
				   "in %s: the counters since boot cannot be "
				   "made rates",
				   ctx->system_source);
	values = mt_signals_since_boot(ctx->sys, json_number_value(up));
	if (!values)
		return -ENOMEM;
	return set_signals(ctx, "since_boot", true, values,
			   "counters since "
			   "boot divided by the uptime (%.0f s)%s%s",
			   json_number_value(up), why[0] ? ": " : "", why);
}

json_t *mt_cgroup_rates(json_t *before, json_t *after, double window_s)
{
	static const char *const parts[] = { "events", "stat" };
	json_t *r, *v;
	const char *key;
	char name[128];

	if (!(window_s > 0) || !(r = json_object()))
		return NULL;
	for (size_t p = 0; p < 2; p++)
		json_object_foreach(json_object_get(after, parts[p]), key, v) {
			json_t *a = json_object_get(json_object_get(before,
								    parts[p]),
						    key);

			/* Counters only: memory.stat's sizes go up and down,
			 * and a rate of them means nothing. */
			if (!json_is_integer(a) || !json_is_integer(v) ||
			    json_integer_value(v) < json_integer_value(a) ||
			    (p == 1 && strncmp(key, "pg", 2) &&
			     strncmp(key, "workingset_refault", 18) &&
			     strncmp(key, "thp_", 4)))
				continue;
			snprintf(name, sizeof(name), "%s_%s_per_s", parts[p],
				 key);
			if (put(r, name,
				(double)(json_integer_value(v) -
					 json_integer_value(a)) /
					window_s))
				goto nomem;
		}
	for (size_t k = 0; k < 2; k++) {
		double t1 = mt_jnum(json_object_get(json_object_get(after,
								    "pressure"),
						    psi_kind[k]),
				    "total");
		double t0 = mt_jnum(json_object_get(json_object_get(before,
								    "pressure"),
						    psi_kind[k]),
				    "total");

		snprintf(name, sizeof(name), "pressure_%s_pct", psi_kind[k]);
		if (t1 >= t0 && put(r, name, (t1 - t0) / (window_s * 1e4)))
			goto nomem;
	}
	return r;
nomem:
	json_decref(r);
	return NULL;
}

/* The cgroup v2 paths of the applications found, into paths; returns
 * how many. */
static size_t app_cgroups(const struct mt_advise_ctx *ctx, const char **paths)
{
	size_t n = 0;

	for (size_t k = 0; k < MT_APP_N; k++)
		if (ctx->apps[k].present && ctx->apps[k].cgroup[0])
			paths[n++] = ctx->apps[k].cgroup;
	return n;
}

/* Each app cgroup's state at the window's end, with its rates over the
 * window, into ctx->signals' "cgroups". before[i] may be NULL. */
static int window_cgroups(struct mt_advise_ctx *ctx, const char **paths,
			  json_t **before, size_t n, double window_s)
{
	json_t *arr = json_array();

	if (!arr || json_object_set_new(ctx->signals, "cgroups", arr) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *after = mt_cgroup_memory_json(paths[i]), *r;

		if (!after)
			continue;
		if (before[i] &&
		    (r = mt_cgroup_rates(before[i], after, window_s)))
			json_object_set_new(after, "rates", r);
		if (json_array_append_new(arr, after) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Two snapshots window_ns apart on the live machine. */
static int live_window(struct mt_advise_ctx *ctx, uint64_t window_ns,
		       const char *prefix)
{
	struct timespec ts = { (time_t)(window_ns / 1000000000u),
			       (long)(window_ns % 1000000000u) };
	const char *paths[MT_APP_N];
	json_t *a, *b, *values, *cg0[MT_APP_N] = { NULL };
	size_t n = app_cgroups(ctx, paths);
	uint64_t t0, t1;
	int rc;

	if (!(a = snapshot_now()))
		return since_boot(ctx, "/proc/vmstat could not be read for "
				       "a window");
	for (size_t i = 0; i < n; i++)
		cg0[i] = mt_cgroup_memory_json(paths[i]);
	mt_progress("advise: sampling /proc/vmstat and PSI for %.3g s "
		    "(--window)",
		    (double)window_ns / 1e9);
	t0 = mt_now_ns();
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	t1 = mt_now_ns();
	b = snapshot_now();
	values = b ? mt_signals_rates(a, b, (double)(t1 - t0) / 1e9) : NULL;
	json_decref(a);
	if (!b) {
		rc = since_boot(ctx, "/proc/vmstat could not be read at the "
				     "window's end");
	} else if (!values) {
		rc = -ENOMEM;
	} else {
		rc = set_signals(ctx, "window", true, values,
				 "%sa %.3g s "
				 "window on the live system",
				 prefix, (double)(t1 - t0) / 1e9);
		if (rc == 0)
			rc = window_cgroups(ctx, paths, cg0, n,
					    (double)(t1 - t0) / 1e9);
	}
	json_decref(b);
	for (size_t i = 0; i < n; i++)
		json_decref(cg0[i]);
	return rc;
}

int mt_signals_add_cgroups(struct mt_advise_ctx *ctx, const char *const *paths,
			   size_t n)
{
	json_t *arr;

	if (!ctx->signals)
		return 0;
	arr = json_object_get(ctx->signals, "cgroups");
	if (!arr) {
		arr = json_array();
		if (!arr ||
		    json_object_set_new(ctx->signals, "cgroups", arr) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *cg = paths[i] && paths[i][0] ?
				     mt_cgroup_memory_json(paths[i]) :
				     NULL;

		if (cg && json_array_append_new(arr, cg) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The path part of the signals: which source, and why. */
static int gather_counters(struct mt_advise_ctx *ctx, uint64_t window_ns)
{
	const char *prefix = "";
	int rc;

	if (ctx->run_dir) {
		rc = from_observation(ctx);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		rc = from_run(ctx);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		/* Made on another host: its meta.json snapshot, taken
		 * before the benchmarks, has its counters since boot. */
		if (!ctx->live)
			return since_boot(ctx,
					  "no live signals in this run's "
					  "snapshots, and it was made on "
					  "another host: its meta.json "
					  "snapshot at the start of the run");
		prefix = "no live signals in this run; instead ";
	}
	if (!ctx->live)
		return set_signals(ctx, "none", false, NULL,
				   "no live signals: "
				   "the system state is %s",
				   ctx->system_source);
	if (!mt_fsroot_is_live()) {
		char why[400];

		snprintf(why, sizeof(why),
			 "%sa captured tree "
			 "(MEMTUNE_FSROOT=%s) has no window",
			 prefix, mt_fsroot());
		return since_boot(ctx, why);
	}
	if (window_ns == 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s--window 0 asks for no window",
			 prefix);
		return since_boot(ctx, why);
	}
	return live_window(ctx, window_ns, prefix);
}

int mt_signals_gather(struct mt_advise_ctx *ctx, uint64_t window_ns,
		      struct mt_err *err)
{
	const char *paths[MT_APP_N];
	size_t n = app_cgroups(ctx, paths);
	int rc = gather_counters(ctx, window_ns);

	/* A window read the cgroups at both ends already. */
	if (rc == 0 && ctx->live && !json_object_get(ctx->signals, "cgroups"))
		rc = mt_signals_add_cgroups(ctx, paths, n);
	if (rc < 0)
		return mt_err_set(err, rc, MT_ERR_RUNTIME,
				  "advise: reading "
				  "the reclaim signals: out of memory");
	return 0;
}
