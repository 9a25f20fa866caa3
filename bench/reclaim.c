/* reclaim: what vm.min_free_kbytes and vm.watermark_scale_factor do to a
 * bursty allocator when the free memory is full of page cache.
 *
 * A worker allocates and touches `burst` bytes as fast as it can (each
 * 4 KiB first touch timed on its own: the page allocation, its zeroing and
 * any reclaim it had to do), frees them, pauses `gap`, and repeats for
 * `duration`, while a child process streams a sparse file so that clean
 * page cache takes every free page (reading holes allocates zeroed cache
 * pages at memory speed, with no disk I/O, so the cache refills in seconds).
 * The knobs are swept one at a time through the journal in case_sys_setup:
 * each min_free_kbytes value with the scale factor in force, then each
 * scale factor with the min_free_kbytes in force. The zone watermarks
 * (min/low/high from /proc/zoneinfo) in force for the case are recorded
 * with it.
 *
 * Two scopes, because the watermarks are zone-wide:
 *  - machine: a hugetlb pool ("ballast", journaled, undone after the case)
 *    takes all but `headroom` of the available memory out of the buddy
 *    allocator, so the streamer drives the zones' free pages down to the
 *    watermarks in a second or two. kswapd wakes at the low watermark and
 *    reclaims to high; an allocation that finds free pages below min
 *    stalls in direct reclaim (allocstall_*). This is what the knobs
 *    govern. It briefly leaves the rest of the machine `headroom` bytes.
 *  - cgroup: the same inside a memory cgroup of `limit` bytes. The limit
 *    is enforced by reclaim in the charging task (memcg limit reclaim),
 *    which does not look at zone watermarks, never wakes kswapd for the
 *    limit and is not counted in allocstall or pgscan_direct. The knobs
 *    cannot change what this scope measures; it is the control that shows
 *    so, and the cost of hitting a cgroup limit (memcg failcnt, pgscan_file
 *    which counts every reclaim).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/log.h"
#include "../core/rng.h"
#include "../core/units.h"
#include "bench.h"
#include "kit/case_cgroup.h"
#include "kit/latency.h"
#include "kit/pressure_load.h"
#include "kit/vmstat_counters.h"
#include "kit/watermarks.h"
#include "kit/region.h"
#include "kit/testfile.h"

#define RC_FILE "memtune-reclaim-stream.data"
#define RC_MFK "/proc/sys/vm/min_free_kbytes"
#define RC_WSF "/proc/sys/vm/watermark_scale_factor"
#define RC_HUGE (2ull << 20)

/* Quick-mode values of keys left at their defaults. */
#define RC_QUICK_SCOPES "cgroup,machine"
#define RC_QUICK_MFK "current,1G"
#define RC_QUICK_WSF "300"
#define RC_QUICK_DURATION (3ull * 1000000000ull)

static const char *const rc_scopes[] = { "cgroup", "machine", NULL };

/* The keys of [reclaim], rows of rc_params. */
enum rc_param {
	RC_SCOPES,
	RC_MIN_FREE_KBYTES,
	RC_WATERMARK_SCALE_FACTOR,
	RC_BURST,
	RC_GAP,
	RC_DURATION,
	RC_LIMIT,
	RC_HEADROOM,
	RC_DIR,
	RC_NPARAMS
};

static const struct mt_param rc_params[] = {
	[RC_SCOPES] = { .key = "scopes",
			.type = MT_P_WORDS,
			.def = "cgroup,machine",
			.help = "machine: a hugetlb ballast leaves `headroom` for the "
				"zones (the knobs act here); cgroup: a memory cgroup of "
				"`limit` (limit reclaim ignores the knobs: the control)",
			.choices = rc_scopes },
	[RC_MIN_FREE_KBYTES] = { .key = "min_free_kbytes",
				 .type = MT_P_WORDS,
				 .def = "current,256M,1G",
				 .help = "vm.min_free_kbytes values as sizes, or current (values "
					 "above 5% of MemTotal are left out; --quick: " RC_QUICK_MFK
					 ")" },
	[RC_WATERMARK_SCALE_FACTOR] = { .key = "watermark_scale_factor",
					.type = MT_P_WORDS,
					.def = "current,200,1000",
					.help = "vm.watermark_scale_factor values (1..3000, in 1/10000 of "
						"a zone), or current (--quick: " RC_QUICK_WSF
						")" },
	[RC_BURST] = { .key = "burst",
		       .type = MT_P_SIZE,
		       .def = "256M",
		       .help = "bytes allocated and touched per burst",
		       .min = 1 << 20 },
	[RC_GAP] = { .key = "gap",
		     .type = MT_P_DURATION,
		     .def = "50ms",
		     .help = "pause between bursts, for the cache to refill",
		     .min = 0,
		     .max = 10000000000 },
	[RC_DURATION] = { .key = "duration",
			  .type = MT_P_DURATION,
			  .def = "10s",
			  .help = "bursts per case last this long (--quick: 3s)",
			  .min = 100000000,
			  .max = 3600000000000 },
	[RC_LIMIT] = { .key = "limit",
		       .type = MT_P_SIZE,
		       .def = "1G",
		       .help = "memory limit of the cgroup scope",
		       .min = 64 << 20 },
	[RC_HEADROOM] = { .key = "headroom",
			  .type = MT_P_SIZE,
			  .def = "4G",
			  .help = "memory left outside the ballast in the machine scope",
			  .min = 512 << 20 },
	[RC_DIR] = { .key = "dir",
		     .type = MT_P_STRING,
		     .def = "",
		     .help = "directory of the sparse file the page-cache reader "
			     "streams, on a disk filesystem (empty: the run directory)" },
	[RC_NPARAMS] = MT_PARAMS_END,
};

enum {
	V_P50,
	V_P99,
	V_MAX,
	V_BURST,
	V_BURST_MAX,
	V_STALL,
	V_KSWAPD,
	V_DIRECT,
	V_DIRECT_SHARE,
	V_FREE_MIN,
	V_SCAN_ALL,
	V_LIMIT_HITS,
};

static const struct mt_metric rc_machine_metrics[] = {
	{ "alloc_latency_p50", "us", MT_VALUE, V_P50, false },
	{ "alloc_latency_p99", "us", MT_VALUE, V_P99, false },
	{ "alloc_latency_max", "us", MT_VALUE, V_MAX, false },
	{ "burst_time", "ms", MT_VALUE, V_BURST, false },
	{ "burst_time_max", "ms", MT_VALUE, V_BURST_MAX, false },
	{ "allocstall", "stalls", MT_VALUE, V_STALL, false },
	{ "pgscan_kswapd", "pages", MT_VALUE, V_KSWAPD, true },
	{ "pgscan_direct", "pages", MT_VALUE, V_DIRECT, false },
	{ "direct_scan_share", "%", MT_VALUE, V_DIRECT_SHARE, false },
	{ "free_min", "MiB", MT_VALUE, V_FREE_MIN, true },
	{ "pgscan_all", "pages", MT_VALUE, V_SCAN_ALL, false },
};

static const struct mt_metric rc_cgroup_metrics[] = {
	{ "alloc_latency_p50", "us", MT_VALUE, V_P50, false },
	{ "alloc_latency_p99", "us", MT_VALUE, V_P99, false },
	{ "alloc_latency_max", "us", MT_VALUE, V_MAX, false },
	{ "burst_time", "ms", MT_VALUE, V_BURST, false },
	{ "burst_time_max", "ms", MT_VALUE, V_BURST_MAX, false },
	{ "allocstall", "stalls", MT_VALUE, V_STALL, false },
	{ "pgscan_all", "pages", MT_VALUE, V_SCAN_ALL, false },
	{ "limit_hits", "events", MT_VALUE, V_LIMIT_HITS, false },
	{ "free_min", "MiB", MT_VALUE, V_FREE_MIN, true },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The words of a WORDS key, or the quick list when --quick was given and
 * the key was left at its default. *owned is freed by the caller with
 * mt_free_words(*owned, *n) when not NULL. */
static char *const *rc_words(const struct mt_env *env, enum rc_param key,
			     const char *quick, size_t *n, char ***owned)
{
	char why[128];

	*owned = NULL;
	if (env->quick && mt_p_is_default(env->params, key) &&
	    mt_parse_word_list(quick, NULL, owned, n, why, sizeof(why)) == 0)
		return *owned;
	return mt_p_words(env->params, key, n);
}

static uint64_t rc_duration(const struct mt_env *env)
{
	if (env->quick && mt_p_is_default(env->params, RC_DURATION))
		return RC_QUICK_DURATION;
	return mt_p_duration(env->params, RC_DURATION);
}

static enum mt_status rc_supported(const struct mt_env *env, struct mt_err *err)
{
	if (!env->caps->root) {
		mt_err_why(err, "reclaim: changing vm.min_free_kbytes and "
				"vm.watermark_scale_factor and creating memory "
				"cgroups needs root (run: sudo memtune run -b "
				"reclaim)");
		return MT_SKIPPED;
	}
	if (!env->allow_changes) {
		mt_err_why(err, "reclaim: system changes are not allowed "
				"(run with --set allow_system_changes=yes)");
		return MT_SKIPPED;
	}
	return MT_OK;
}

/* Parses a min_free_kbytes word: "current" (-> 0) or a size (-> KiB). */
static int parse_mfk(const char *w, uint64_t *kb)
{
	uint64_t b;
	char why[128];

	if (strcmp(w, "current") == 0) {
		*kb = 0;
		return 0;
	}
	if (mt_parse_size(w, &b, why, sizeof(why)) < 0 || b < 1024)
		return -EINVAL;
	*kb = b / 1024;
	return 0;
}

static int parse_wsf(const char *w, int64_t *v)
{
	char why[128];

	if (strcmp(w, "current") == 0) {
		*v = 0;
		return 0;
	}
	return mt_parse_int(w, 1, 3000, v, why, sizeof(why));
}

static int add_case(struct mt_plan *plan, const char *scope, uint64_t mfk,
		    int64_t wsf, struct mt_err *err)
{
	json_t *p = json_pack("{s:s}", "scope", scope);
	bool machine = strcmp(scope, "machine") == 0;

	if (!p)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "reclaim: out of memory");
	json_object_set_new(p, "min_free_kbytes",
			    mfk ? json_integer((json_int_t)mfk) :
				  json_string("current"));
	json_object_set_new(p, "watermark_scale_factor",
			    wsf ? json_integer((json_int_t)wsf) :
				  json_string("current"));
	if (mt_plan_add(plan, p,
			machine ? rc_machine_metrics : rc_cgroup_metrics,
			machine ? N_OF(rc_machine_metrics) :
				  N_OF(rc_cgroup_metrics),
			MT_CASE_ONCE) < 0)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "reclaim: out of memory");
	return 0;
}

/* Per scope: each min_free_kbytes value with the scale factor in force,
 * then each other scale factor with min_free_kbytes in force. Values above
 * 5% of MemTotal are left out with a warning: they take memory from
 * everything else on the machine. */
static int rc_plan(const struct mt_env *env, struct mt_plan *plan,
		   struct mt_err *err)
{
	char **o_sc, **o_mfk, **o_wsf;
	size_t nsc, nmfk, nwsf;
	char *const *sc = rc_words(env, RC_SCOPES, RC_QUICK_SCOPES, &nsc,
				   &o_sc);
	char *const *mfk = rc_words(env, RC_MIN_FREE_KBYTES, RC_QUICK_MFK,
				    &nmfk, &o_mfk);
	char *const *wsf = rc_words(env, RC_WATERMARK_SCALE_FACTOR,
				    RC_QUICK_WSF, &nwsf, &o_wsf);
	uint64_t cap_kb = env->caps->mem_total / 1024 / 20;
	int ret = mt_testfile_check_dir_param("reclaim", env->params, RC_DIR,
					      err);

	for (size_t s = 0; s < nsc && ret == 0; s++) {
		bool had_current = false;

		for (size_t i = 0; i < nmfk && ret == 0; i++) {
			uint64_t kb;

			if (parse_mfk(mfk[i], &kb) < 0) {
				ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
						 "reclaim: min_free_kbytes "
						 "value '%s': expected "
						 "current or %s",
						 mfk[i], MT_FORM_SIZE);
				break;
			}
			if (kb > cap_kb) {
				mt_warn("reclaim: min_free_kbytes %s is above "
					"5%% of memory (%" PRIu64 " kB); left "
					"out",
					mfk[i], cap_kb);
				continue;
			}
			had_current |= kb == 0;
			ret = add_case(plan, sc[s], kb, 0, err);
		}
		for (size_t i = 0; i < nwsf && ret == 0; i++) {
			int64_t v;

			if (parse_wsf(wsf[i], &v) < 0) {
				ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
						 "reclaim: watermark_scale_"
						 "factor value '%s': expected "
						 "current or an integer 1 to "
						 "3000",
						 wsf[i]);
				break;
			}
			if (v == 0 && had_current)
				continue;
			ret = add_case(plan, sc[s], 0, v, err);
		}
	}
	if (o_sc)
		mt_free_words(o_sc, nsc);
	if (o_mfk)
		mt_free_words(o_mfk, nmfk);
	if (o_wsf)
		mt_free_words(o_wsf, nwsf);
	return ret;
}

static int rc_file_path(const struct mt_env *env, char *buf, size_t len)
{
	return mt_testfile_path(mt_p_string(env->params, RC_DIR), env->rundir,
				RC_FILE, buf, len);
}

/* Creates the sparse file the streamer reads: far larger than any cache it
 * has to fill, so a cyclic read never hits. */
static int rc_sys_setup(const struct mt_env *env, json_t *notes,
			struct mt_err *err)
{
	const char *dir = mt_p_string(env->params, RC_DIR);
	char path[4096], fstype[64];
	uint64_t bytes = 2 * env->caps->mem_total;
	int ret;

	ret = mt_testfile_check_dir("reclaim", dir[0] ? dir : env->rundir,
				    fstype, sizeof(fstype), err);
	if (ret < 0)
		return ret;
	rc_file_path(env, path, sizeof(path));
	ret = mt_pressure_sparse_file(env->journal, path, bytes, err);
	if (ret < 0) {
		mt_err_prefix(err, "reclaim");
		return ret;
	}
	json_object_set_new(notes, "stream_file", json_string(path));
	json_object_set_new(notes, "stream_file_bytes",
			    json_integer((json_int_t)bytes));
	json_object_set_new(notes, "stream_file_fs", json_string(fstype));
	json_object_set_new(
		notes, "stream_file_kind",
		json_string(
			"sparse: reads of holes fill the page cache with clean pages "
			"at memory speed, no disk I/O"));
	return 0;
}

/* Shrinks the memory the zones can hand out to about `headroom` with a
 * 2 MiB hugetlb pool (journaled; undone after the case). */
static int rc_ballast(const struct mt_env *env, json_t *obtained,
		      struct mt_err *err)
{
	uint64_t headroom = mt_p_size(env->params, RC_HEADROOM), want;
	struct mt_hugetlb_pool pool;
	char path[160], val[32], rb[64];
	int64_t avail = 0, fr = 0;
	json_t *b = json_object();
	int ret;

	json_object_set_new(obtained, "ballast", b);
	ret = mt_fs_read_key("/proc/meminfo", "MemAvailable", &avail, err);
	if (ret < 0)
		return ret;
	ret = mt_hugetlb_pool_read(RC_HUGE, &pool, err);
	if (ret < 0) {
		mt_err_prefix(err, "reclaim: machine scope needs a 2 MiB "
				   "hugetlb pool for its ballast");
		return ret;
	}
	json_object_set_new(b, "mem_available_before_bytes",
			    json_integer(avail));
	json_object_set_new(b, "headroom_bytes",
			    json_integer((json_int_t)headroom));
	if ((uint64_t)avail <= headroom + RC_HUGE) {
		json_object_set_new(b, "pages", json_integer(0));
		return 0;
	}
	want = ((uint64_t)avail - headroom) / RC_HUGE;
	mt_hugetlb_pool_path(RC_HUGE, "nr_hugepages", path, sizeof(path));
	snprintf(val, sizeof(val), "%" PRIu64, pool.nr + want);
	ret = mt_journal_write(env->journal, path, val, rb, sizeof(rb), err);
	if (ret < 0) {
		mt_err_prefix(err, "reclaim: ballast");
		return ret;
	}
	mt_hugetlb_pool_read(RC_HUGE, &pool, err);
	mt_fs_read_key("/proc/meminfo", "MemAvailable", &avail, err);
	mt_fs_read_key("/proc/meminfo", "MemFree", &fr, err);
	json_object_set_new(b, "pages_requested",
			    json_integer((json_int_t)want));
	json_object_set_new(b, "pool_pages", json_integer((json_int_t)pool.nr));
	json_object_set_new(b, "mem_available_after_bytes",
			    json_integer(avail));
	json_object_set_new(b, "mem_free_after_bytes", json_integer(fr));
	return 0;
}

/* Sets the case's knob values through the journal, makes its cgroup or
 * ballast, and records the watermarks that are then in force. */
static int rc_case_sys_setup(const struct mt_env *env, const struct mt_case *c,
			     json_t *obtained, json_t *handoff,
			     struct mt_err *err)
{
	const char *scope = json_string_value(json_object_get(c->params,
							      "scope"));
	static const struct {
		const char *key, *path;
	} knobs[] = {
		{ "min_free_kbytes", RC_MFK },
		{ "watermark_scale_factor", RC_WSF },
	};
	char val[32], rb[64];
	int64_t cur;
	json_t *wm;
	int ret;

	/* The case's value of each knob, when it sets one. */
	for (size_t k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++) {
		json_t *v = json_object_get(c->params, knobs[k].key);

		if (!json_is_integer(v))
			continue;
		snprintf(val, sizeof(val), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		ret = mt_journal_write(env->journal, knobs[k].path, val, rb,
				       sizeof(rb), err);
		if (ret < 0)
			return ret;
	}
	if (mt_fs_read_i64(RC_MFK, &cur, err) == 0)
		json_object_set_new(obtained, "min_free_kbytes",
				    json_integer(cur));
	if (mt_fs_read_i64(RC_WSF, &cur, err) == 0)
		json_object_set_new(obtained, "watermark_scale_factor",
				    json_integer(cur));
	if (scope && strcmp(scope, "cgroup") == 0) {
		ret = mt_pressure_cgroup(env, "reclaim",
					 mt_p_size(env->params, RC_LIMIT), -1,
					 obtained, handoff, err);
		if (ret < 0) {
			mt_err_prefix(err, "reclaim");
			return ret;
		}
		json_object_set_new(
			obtained, "scope_note",
			json_string(
				"memcg limit reclaim runs in the allocating task, "
				"ignores zone watermarks and is not counted in "
				"allocstall or pgscan_direct/kswapd: the knobs cannot "
				"change these figures unless the machine's free "
				"memory is itself near the watermarks"));
	} else {
		ret = rc_ballast(env, obtained, err);
		if (ret < 0)
			return ret;
		json_object_set_new(
			obtained, "scope_note",
			json_string(
				"zone watermarks govern this scope: kswapd wakes below "
				"low and reclaims to high, allocations below min "
				"stall in direct reclaim; the ballast leaves the "
				"machine only the headroom"));
	}
	wm = mt_zoneinfo_json(err);
	if (!wm)
		return -EIO;
	json_object_set_new(obtained, "watermarks", wm);
	return 0;
}

struct rc_state {
	bool machine;
	struct mt_cgroup cg;
	pid_t streamer;
	uint64_t burst, gap_ns, duration_ns, limit;
	uint64_t fill_ns; /* time the cache took to fill */
	long page;
	struct mt_lat lat;    /* per-page first touch, ns */
	struct mt_lat bursts; /* per burst, ns */
	uint64_t vm0[MT_PV_N], vm1[MT_PV_N];
	json_t *cg0, *cg1;
	double free_min; /* bytes */
	uint64_t failcnt0, failcnt1;
};

/* Free memory as the case sees it: MemFree, or the cgroup's limit minus
 * its usage. Returns bytes, or -1. */
static int64_t rc_free(struct rc_state *s)
{
	struct mt_err e = { 0 };
	int64_t v = -1;

	if (s->machine) {
		if (mt_fs_read_key("/proc/meminfo", "MemFree", &v, &e) < 0)
			return -1;
		return v;
	}
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/%s", s->cg.path,
			 s->cg.version == 2 ? "memory.current" :
					      "memory.usage_in_bytes");
		if (mt_fs_read_i64(path, &v, &e) < 0)
			return -1;
	}
	return (int64_t)s->limit - v;
}

static uint64_t rc_failcnt(struct rc_state *s)
{
	struct mt_err e = { 0 };
	char path[600];
	int64_t v = 0;

	if (s->machine)
		return 0;
	if (s->cg.version == 1) {
		snprintf(path, sizeof(path), "%s/memory.failcnt", s->cg.path);
		if (mt_fs_read_i64(path, &v, &e) < 0)
			return 0;
		return (uint64_t)v;
	}
	snprintf(path, sizeof(path), "%s/memory.events", s->cg.path);
	if (mt_fs_read_key(path, "max", &v, &e) < 0)
		return 0;
	return (uint64_t)v;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Joins the cgroup (cgroup scope), starts the streamer and waits until the
 * page cache has taken the free memory: the cgroup within a burst of its
 * limit, or MemFree within a burst of the high watermarks (at most 20 s;
 * how long it took is recorded). */
static enum mt_status rc_setup(const struct mt_env *env,
			       const struct mt_case *c, void **state,
			       struct mt_err *err)
{
	const char *scope = json_string_value(json_object_get(c->params,
							      "scope"));
	json_t *sys = c->system;
	struct rc_state *s;
	char path[4096];
	int64_t target;
	uint64_t t0;

	s = calloc(1, sizeof(*s));
	if (!s) {
		mt_err_why(err, "reclaim: out of memory");
		return MT_FAILED;
	}
	*state = s;
	s->machine = scope && strcmp(scope, "machine") == 0;
	s->burst = mt_p_size(env->params, RC_BURST);
	s->gap_ns = mt_p_duration(env->params, RC_GAP);
	s->duration_ns = rc_duration(env);
	s->limit = (uint64_t)json_integer_value(json_object_get(sys,
								"limit_bytes"));
	s->page = sysconf(_SC_PAGESIZE);
	s->free_min = INFINITY;
	/* A reservoir bounds the worker's own memory (it counts against the
	 * cgroup) whatever the duration. */
	s->lat.limit = 1u << 20;
	s->lat.seed = mt_rand_seed(env->seed);
	if (!s->machine) {
		if (mt_pressure_case_cgroup(c, &s->cg, err) < 0)
			return MT_FAILED;
		if (s->burst >= s->limit / 2) {
			mt_err_why(err,
				   "reclaim: burst (%" PRIu64 " "
				   "bytes) must be under half the cgroup limit "
				   "(%" PRIu64
				   "); lower reclaim.burst or raise "
				   "reclaim.limit",
				   s->burst, s->limit);
			return MT_SKIPPED;
		}
		if (mt_cgroup_enter(&s->cg, getpid(), err) < 0) {
			mt_err_prefix(err, "reclaim");
			return MT_FAILED;
		}
		target = (int64_t)s->burst;
	} else {
		json_t *wm = json_object_get(sys, "watermarks");

		target = (json_integer_value(json_object_get(wm, "high_kb")) *
			  1024) +
			 (int64_t)s->burst;
	}
	rc_file_path(env, path, sizeof(path));
	s->streamer = mt_pressure_streamer(s->machine ? NULL : &s->cg, path,
					   env->cpu, 0, err);
	if (s->streamer < 0) {
		mt_err_prefix(err, "reclaim");
		return MT_FAILED;
	}
	t0 = mt_now_ns();
	while (mt_now_ns() - t0 < 20000000000ull) {
		int64_t f = rc_free(s);

		if (f >= 0 && f <= target)
			break;
		sleep_ns(20000000);
	}
	s->fill_ns = mt_now_ns() - t0;
	return MT_OK;
}

/* Allocates, touches (timing each page) and frees bursts for the case's
 * duration, with the streamer refilling the cache between them. */
static int rc_run(void *state, uint64_t iters, struct mt_sample *smp,
		  struct mt_err *err)
{
	struct rc_state *s = state;
	uint64_t start, dt;
	double p50, p99, mx;
	int ret;

	(void)iters;
	ret = mt_vmstat_read(mt_pressure_vmstat_keys, MT_PV_N, s->vm0, err);
	if (ret < 0)
		return ret;
	s->failcnt0 = rc_failcnt(s);
	if (!s->machine)
		s->cg0 = mt_cgroup_counters(&s->cg, err);
	start = mt_now_ns();
	do {
		uint64_t b0 = mt_now_ns();
		volatile char *p = mmap(NULL, s->burst, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int64_t f;

		if (p == MAP_FAILED)
			return mt_err_set(err, -errno, MT_ERR_RUNTIME,
					  "reclaim: cannot map a %" PRIu64
					  " byte burst: %s",
					  s->burst, strerror(errno));
		/* 4 KiB pages, so every page is one allocation. */
		madvise((void *)p, s->burst, MADV_NOHUGEPAGE);
		for (uint64_t o = 0; o < s->burst; o += (uint64_t)s->page) {
			uint64_t t0 = mt_now_ns();

			p[o] = 1;
			mt_lat_add(&s->lat, (double)(mt_now_ns() - t0));
		}
		mt_lat_add(&s->bursts, (double)(mt_now_ns() - b0));
		f = rc_free(s);
		if (f >= 0 && (double)f < s->free_min)
			s->free_min = (double)f;
		munmap((void *)p, s->burst);
		if (s->gap_ns)
			sleep_ns(s->gap_ns);
	} while (mt_now_ns() - start < s->duration_ns);
	dt = mt_now_ns() - start;

	ret = mt_vmstat_read(mt_pressure_vmstat_keys, MT_PV_N, s->vm1, err);
	if (ret < 0)
		return ret;
	s->failcnt1 = rc_failcnt(s);
	if (!s->machine)
		s->cg1 = mt_cgroup_counters(&s->cg, err);

	mt_lat_summary(&s->lat, 1000, &p50, &p99, &mx);
	smp->values[V_P50] = p50;
	smp->values[V_P99] = p99;
	smp->values[V_MAX] = mx;
	mt_lat_summary(&s->bursts, 1e6, &p50, &p99, &mx);
	smp->values[V_BURST] = p50;
	smp->values[V_BURST_MAX] = mx;
	{
		uint64_t stall = 0, kd, dd;

		for (int i = 0; i < MT_PV_ALLOCSTALL_N; i++)
			stall += s->vm1[i] - s->vm0[i];
		kd = s->vm1[MT_PV_PGSCAN_KSWAPD] - s->vm0[MT_PV_PGSCAN_KSWAPD];
		dd = s->vm1[MT_PV_PGSCAN_DIRECT] - s->vm0[MT_PV_PGSCAN_DIRECT];
		smp->values[V_STALL] = (double)stall;
		smp->values[V_KSWAPD] = (double)kd;
		smp->values[V_DIRECT] = (double)dd;
		smp->values[V_DIRECT_SHARE] =
			kd + dd ? 100.0 * (double)dd / (double)(kd + dd) : 0;
		smp->values[V_SCAN_ALL] = (double)(s->vm1[MT_PV_PGSCAN_ANON] -
						   s->vm0[MT_PV_PGSCAN_ANON] +
						   s->vm1[MT_PV_PGSCAN_FILE] -
						   s->vm0[MT_PV_PGSCAN_FILE]);
	}
	smp->values[V_FREE_MIN] = isfinite(s->free_min) ?
					  s->free_min / 1048576.0 :
					  NAN;
	smp->values[V_LIMIT_HITS] = (double)(s->failcnt1 - s->failcnt0);
	smp->ops = s->lat.n;
	smp->bytes = s->lat.n * (uint64_t)s->page;
	(void)dt;
	return 0;
}

/* Records the counters behind the metrics, how the cache filled, and the
 * watermarks at the end. */
static enum mt_status rc_verify(void *state, json_t *obtained,
				struct mt_err *err)
{
	struct rc_state *s = state;
	json_t *d = json_object(), *wm;

	for (int i = 0; i < MT_PV_N; i++)
		json_object_set_new(d, mt_pressure_vmstat_keys[i],
				    json_integer((json_int_t)(s->vm1[i] -
							      s->vm0[i])));
	json_object_set_new(obtained, "vmstat_delta", d);
	json_object_set_new(obtained, "bursts",
			    json_integer((json_int_t)s->bursts.n));
	json_object_set_new(obtained, "pages_touched",
			    json_integer((json_int_t)s->lat.n));
	json_object_set_new(obtained, "cache_fill_ms",
			    json_real((double)s->fill_ns / 1e6));
	if (s->cg0)
		json_object_set(obtained, "cgroup_before", s->cg0);
	if (s->cg1)
		json_object_set(obtained, "cgroup_after", s->cg1);
	if (!s->machine)
		json_object_set_new(obtained, "limit_hits_source",
				    json_string(s->cg.version == 1 ?
							"memory.failcnt" :
							"memory.events max"));
	wm = mt_zoneinfo_json(err);
	if (wm)
		json_object_set_new(obtained, "watermarks_after", wm);
	if (s->fill_ns >= 20000000000ull) {
		mt_err_why(err,
			   "reclaim: the page cache did not fill "
			   "the %s within 20 s; the bursts may not have met "
			   "reclaim",
			   s->machine ? "machine" : "cgroup");
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

static void rc_teardown(void *state)
{
	struct rc_state *s = state;

	if (!s)
		return;
	mt_pressure_stop(s->streamer);
	mt_lat_free(&s->lat);
	mt_lat_free(&s->bursts);
	json_decref(s->cg0);
	json_decref(s->cg1);
	free(s);
}

const struct mt_bench mt_bench_reclaim = {
	.name = "reclaim",
	.summary = "bursty allocation latency, direct-reclaim stalls and "
		   "kswapd/direct scans against vm.min_free_kbytes and "
		   "vm.watermark_scale_factor",
	.params = rc_params,
	.needs = MT_NEED_ROOT | MT_NEED_CGROUP,
	.supported = rc_supported,
	.plan = rc_plan,
	.sys_setup = rc_sys_setup,
	.case_sys_setup = rc_case_sys_setup,
	.setup = rc_setup,
	.run = rc_run,
	.verify = rc_verify,
	.teardown = rc_teardown,
};
