/* Swap under a memory cgroup limit (issue 4).
 *
 * pressure cases: a worker whose anonymous working set is ratio x the
 * cgroup's limit touches it (one 8-byte read-modify-write per access) with
 * a uniform or a Zipf-like (exponent 1) page choice for a fixed time.
 * Reported: accesses per second, per-access latency percentiles (every Nth
 * access is timed), major faults, swap-ins/outs per second from /proc/
 * vmstat, PSI, reclaim scans and stalls, and the cgroup's own counters.
 *
 * swappiness cases: the choice between reclaiming anonymous memory (swap)
 * and page cache (rereads) must have a price on both sides, or the sweep
 * measures nothing. The worker has a hot anonymous part (touched by 1 -
 * cold_access_fraction of its accesses) and a cold part it touches rarely;
 * a reader process in the same cgroup rereads a file set in a loop; hot +
 * cold + file exceed the limit, while hot + file (swap the cold part out)
 * and hot + cold (give up the file cache) both fit. Low swappiness keeps
 * the cold part resident and makes the reader reread from disk (file
 * refaults); high swappiness swaps the cold part out and makes the worker
 * wait for swap-ins. Both costs are measured per value.
 *
 * The cgroup is made per case in the parent (journaled; removed after the
 * case, which kills the reader if anything is left); the worker and its
 * reader join it. The swap file, the reader's file and the runner's OOM
 * protection are set up once per benchmark.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/stats.h"
#include "../core/units.h"
#include "bench.h"
#include "kit/chase.h"
#include "kit/sandbox.h"
#include "kit/testfile.h"

#define PAGE ((uint64_t)4096)
#define WORDS_PER_PAGE (PAGE / sizeof(uint64_t))
#define LAT_CAP (1u << 19) /* latency samples kept (reservoir) */
/* Look at the clock every 64 accesses. */
#define CLOCK_CHECK_MASK 63u
#define READ_CHUNK (1u << 20)
#define WORKER_OOM_ADJ 500
#define READER_FIRST_PASS_NS 20000000000ull

/* Defaults of `memtune run --quick` for keys left at their default. */
#define QUICK_LIMIT "256M"
#define QUICK_DURATION "4s"
#define QUICK_WARMUP "1s"
#define QUICK_SWAPPINESS "0,60,100,200"

static const char *const swap_tests[] = { "pressure", "swappiness", NULL };
static const char *const swap_patterns[] = { "uniform", "zipf", NULL };

/* The keys of [swap], rows of swap_params. */
enum swap_param {
	SWAP_TESTS,
	SWAP_LIMIT,
	SWAP_RATIOS,
	SWAP_PATTERNS,
	SWAP_DURATION,
	SWAP_WARMUP,
	SWAP_SWAPPINESS,
	SWAP_HOT_SIZE,
	SWAP_COLD_SIZE,
	SWAP_READER_FILE_SIZE,
	SWAP_COLD_ACCESS_FRACTION,
	SWAP_SAMPLE_EVERY,
	SWAP_ALLOW_SWAP_FILE,
	SWAP_SWAP_FILE_SIZE,
	SWAP_SWAP_FILE_DIR,
	SWAP_LATENCY_READS,
	SWAP_NPARAMS
};

static const struct mt_param swap_params[] = {
	[SWAP_TESTS] = { .key = "tests",
			 .type = MT_P_WORDS,
			 .def = "pressure,swappiness",
			 .help = "pressure: working set ratio x limit; swappiness: the "
				 "anon/file trade-off swept over swappiness",
			 .choices = swap_tests },
	[SWAP_LIMIT] = { .key = "limit",
			 .type = MT_P_SIZE,
			 .def = "1G",
			 .help = "memory limit of the cgroup (--quick: " QUICK_LIMIT
				 ")",
			 .min = 16 << 20 },
	[SWAP_RATIOS] = { .key = "ratios",
			  .type = MT_P_WORDS,
			  .def = "1.5,3",
			  .help = "pressure: anonymous working set / limit, e.g. 1.5,3" },
	[SWAP_PATTERNS] = { .key = "patterns",
			    .type = MT_P_WORDS,
			    .def = "uniform,zipf",
			    .help = "pressure: page choice, uniform or zipf (hot/cold, "
				    "exponent 1)",
			    .choices = swap_patterns },
	[SWAP_DURATION] = { .key = "duration",
			    .type = MT_P_DURATION,
			    .def = "15s",
			    .help = "measured time per case (--quick: " QUICK_DURATION
				    ")",
			    .min = 100000000,
			    .max = 3600000000000 },
	[SWAP_WARMUP] = { .key = "warmup",
			  .type = MT_P_DURATION,
			  .def = "3s",
			  .help = "unmeasured access time before it (--quick: " QUICK_WARMUP
				  ")",
			  .min = 0,
			  .max = 600000000000 },
	[SWAP_SWAPPINESS] = { .key = "swappiness",
			      .type = MT_P_WORDS,
			      .def = "0,10,60,100,150,200",
			      .help = "swappiness values to sweep (above 100 from Linux 5.8), "
				      "or current: the value in force (--quick: " QUICK_SWAPPINESS
				      ")" },
	[SWAP_HOT_SIZE] = { .key = "hot_size",
			    .type = MT_P_SIZE,
			    .def = "0",
			    .help = "swappiness: hot anonymous part (0: limit / 4)" },
	[SWAP_COLD_SIZE] = { .key = "cold_size",
			     .type = MT_P_SIZE,
			     .def = "0",
			     .help = "swappiness: cold anonymous part (0: limit / 2)" },
	[SWAP_READER_FILE_SIZE] = { .key = "reader_file_size",
				    .type = MT_P_SIZE,
				    .def = "0",
				    .help = "swappiness: file set the reader rereads (0: limit / 2)" },
	[SWAP_COLD_ACCESS_FRACTION] = { .key = "cold_access_fraction",
					.type = MT_P_DOUBLE,
					.def = "0.02",
					.help = "swappiness: share of the worker's accesses that go to "
						"the cold part",
					.dmin = 0.0,
					.dmax = 0.5 },
	[SWAP_SAMPLE_EVERY] = { .key = "sample_every",
				.type = MT_P_INT,
				.def = "16",
				.help = "time every Nth access for the latency percentiles",
				.min = 1,
				.max = 1 << 20 },
	[SWAP_ALLOW_SWAP_FILE] = { .key = "allow_swap_file",
				   .type = MT_P_BOOL,
				   .def = "yes",
				   .help = "create a swap file (journaled, removed after) when no "
					   "swap is active" },
	[SWAP_SWAP_FILE_SIZE] = { .key = "swap_file_size",
				  .type = MT_P_SIZE,
				  .def = "0",
				  .help = "size of that swap file (0: what the cases need)" },
	[SWAP_SWAP_FILE_DIR] = { .key = "swap_file_dir",
				 .type = MT_P_STRING,
				 .def = "",
				 .help = "directory of the swap file and the reader's file (empty: "
					 "the run directory, or /var/tmp when that is tmpfs)" },
	[SWAP_LATENCY_READS] = { .key = "latency_reads",
				 .type = MT_P_INT,
				 .def = "2000",
				 .help = "random 4 KiB O_DIRECT reads that time the swap device",
				 .min = 10,
				 .max = 1000000 },
	[SWAP_NPARAMS] = MT_PARAMS_END,
};

/* Value slots of the pressure metrics. */
enum {
	P_ACC,
	P_P50,
	P_P99,
	P_P999,
	P_MAJ,
	P_SWIN,
	P_SWOUT,
	P_PSI_SOME,
	P_PSI_FULL,
	P_SCAN,
	P_STALL,
	P_CG_MAJ,
	P_CG_REF_ANON,
};

static const struct mt_metric pressure_metrics[] = {
	{ "accesses", "accesses/s", MT_VALUE, P_ACC, true },
	{ "latency_p50", "us", MT_VALUE, P_P50, false },
	{ "latency_p99", "us", MT_VALUE, P_P99, false },
	{ "latency_p999", "us", MT_VALUE, P_P999, false },
	{ "major_faults", "faults/s", MT_VALUE, P_MAJ, false },
	{ "swap_in", "pages/s", MT_VALUE, P_SWIN, false },
	{ "swap_out", "pages/s", MT_VALUE, P_SWOUT, false },
	{ "psi_some", "%", MT_VALUE, P_PSI_SOME, false },
	{ "psi_full", "%", MT_VALUE, P_PSI_FULL, false },
	{ "reclaim_scan", "pages/s", MT_VALUE, P_SCAN, false },
	{ "alloc_stalls", "stalls/s", MT_VALUE, P_STALL, false },
	{ "cgroup_major_faults", "faults/s", MT_VALUE, P_CG_MAJ, false },
	{ "refault_anon", "pages/s", MT_VALUE, P_CG_REF_ANON, false },
};

/* Value slots of the swappiness metrics. */
enum {
	S_ACC,
	S_P50,
	S_P99,
	S_P999,
	S_READ,
	S_SWIN,
	S_SWOUT,
	S_REF_ANON,
	S_REF_FILE,
	S_PSI_SOME,
	S_PSI_FULL,
	S_SCAN,
	S_MAJ,
};

static const struct mt_metric sweep_metrics[] = {
	{ "worker_accesses", "accesses/s", MT_VALUE, S_ACC, true },
	{ "worker_latency_p50", "us", MT_VALUE, S_P50, false },
	{ "worker_latency_p99", "us", MT_VALUE, S_P99, false },
	{ "worker_latency_p999", "us", MT_VALUE, S_P999, false },
	{ "reader_throughput", "MB/s", MT_VALUE, S_READ, true },
	{ "swap_in", "pages/s", MT_VALUE, S_SWIN, false },
	{ "swap_out", "pages/s", MT_VALUE, S_SWOUT, false },
	{ "refault_anon", "pages/s", MT_VALUE, S_REF_ANON, false },
	{ "refault_file", "pages/s", MT_VALUE, S_REF_FILE, false },
	{ "psi_some", "%", MT_VALUE, S_PSI_SOME, false },
	{ "psi_full", "%", MT_VALUE, S_PSI_FULL, false },
	{ "reclaim_scan", "pages/s", MT_VALUE, S_SCAN, false },
	{ "worker_major_faults", "faults/s", MT_VALUE, S_MAJ, false },
};

#define N_METRICS(a) (sizeof(a) / sizeof((a)[0]))

/* What the reader shares with the worker (MAP_SHARED). */
struct reader_shm {
	_Atomic uint64_t bytes;
	_Atomic uint64_t passes;
	_Atomic int failed;
	_Atomic int go;	     /* set once the worker has filled */
	double evicted_left; /* resident fraction after eviction */
};

/* Counters read before and after the measured window. */
struct snap {
	uint64_t t_ns;
	int64_t pswpin, pswpout, pgscan, allocstall, pgmajfault;
	int64_t refault_anon, refault_file;
	uint64_t psi_some_us, psi_full_us;
	bool have_psi;
	long ru_majflt;
	uint64_t reader_bytes;
	json_t *cg; /* mt_cgroup_counters */
};

struct swap_state {
	bool sweep;
	bool zipf;
	uint64_t *mem;	    /* anonymous region */
	uint64_t pages;	    /* pages in mem */
	uint64_t hot_pages; /* sweep: [0, hot) hot, rest cold */
	double cold_fraction;
	uint32_t *perm; /* zipf: rank -> page */
	double log_pages;
	uint64_t duration_ns, warmup_ns;
	unsigned sample_every;
	uint64_t rng;
	double *lat; /* sampled access latencies, ns */
	uint64_t lat_n, lat_seen;
	uint64_t accesses;
	uint64_t sink;
	struct reader_shm *shm;
	pid_t reader;
	int reader_cpu;
	struct snap before, after;
	double p50, p99, p999;
	/* What the parent prepared for this case (c->handoff): */
	struct mt_cgroup cgroup; /* the case's cgroup */
	bool have_cg;
	char reader_file[700]; /* swappiness: the reader's file */
	uint64_t reader_bytes;
};

/* ---- parameters -------------------------------------------------------- */

/* A size key, or its --quick value when --quick left it at its default. */
static uint64_t quick_size(const struct mt_env *env, enum swap_param key,
			   const char *quick)
{
	uint64_t v;

	if (env->quick && mt_p_is_default(env->params, key) &&
	    mt_parse_size(quick, &v, NULL, 0) == 0)
		return v;
	return mt_p_size(env->params, key);
}

static uint64_t quick_duration(const struct mt_env *env, enum swap_param key,
			       const char *quick)
{
	uint64_t v;

	if (env->quick && mt_p_is_default(env->params, key) &&
	    mt_parse_duration(quick, &v, NULL, 0) == 0)
		return v;
	return mt_p_duration(env->params, key);
}

static uint64_t round_pages(uint64_t b)
{
	return (b + PAGE - 1) / PAGE * PAGE;
}

/* The hot, cold and file sizes of the swappiness cases. */
static void sweep_sizes(const struct mt_env *env, uint64_t limit, uint64_t *hot,
			uint64_t *cold, uint64_t *file)
{
	*hot = mt_p_size(env->params, SWAP_HOT_SIZE);
	*cold = mt_p_size(env->params, SWAP_COLD_SIZE);
	*file = mt_p_size(env->params, SWAP_READER_FILE_SIZE);
	if (!*hot)
		*hot = limit / 4;
	if (!*cold)
		*cold = limit / 2;
	if (!*file)
		*file = limit / 2;
	*hot = round_pages(*hot);
	*cold = round_pages(*cold);
	*file = round_pages(*file);
}

static double max_ratio(const struct mt_env *env)
{
	size_t n;
	char *const *w = mt_p_words(env->params, SWAP_RATIOS, &n);
	double m = 0;

	for (size_t i = 0; i < n; i++) {
		double r = strtod(w[i], NULL);

		if (r > m)
			m = r;
	}
	return m;
}

/* ---- supported, plan --------------------------------------------------- */

static enum mt_status swap_supported(const struct mt_env *env,
				     struct mt_err *err)
{
	const struct mt_caps *caps = env->caps;

	if (!caps->root) {
		mt_err_why(err, "needs root to create a memory cgroup and "
				"a swap file (run: sudo memtune run -b swap)");
		return MT_SKIPPED;
	}
	if (!env->allow_changes) {
		mt_err_why(err,
			   "global.allow_system_changes is off, and "
			   "swap must create a memory cgroup (run with --set "
			   "allow_system_changes=yes)");
		return MT_SKIPPED;
	}
	if (caps->cgroup_version == 0) {
		mt_err_why(err,
			   "no memory cgroup controller is mounted "
			   "(mount -t cgroup2 none /sys/fs/cgroup, or mount -t "
			   "cgroup -o memory none /sys/fs/cgroup/memory)");
		return MT_SKIPPED;
	}
	if (caps->cgroup_version == 2) {
		char path[300], line[512] = "";

		snprintf(path, sizeof(path), "%s/cgroup.subtree_control",
			 caps->cgroup_v2_root);
		if (mt_fs_read_line(path, line, sizeof(line), NULL) < 0 ||
		    !strstr(line, "memory")) {
			mt_err_why(err,
				   "the memory controller is not "
				   "enabled for child cgroups (run: echo "
				   "+memory > %s)",
				   path);
			return MT_SKIPPED;
		}
	}
	if (caps->swap_total == 0 &&
	    !mt_p_bool(env->params, SWAP_ALLOW_SWAP_FILE)) {
		mt_err_why(err, "no swap is active and swap.allow_swap_file"
				" is no (enable swap: swapon -a, or --set "
				"swap.allow_swap_file=yes)");
		return MT_SKIPPED;
	}
	return MT_OK;
}

static int add_case(struct mt_plan *plan, json_t *p, const struct mt_metric *m,
		    size_t n, struct mt_err *err)
{
	if (!p || mt_plan_add(plan, p, m, n, MT_CASE_ONCE) < 0)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "swap: out of memory");
	return 0;
}

static int plan_pressure(const struct mt_env *env, struct mt_plan *plan,
			 uint64_t limit, double dur_s, struct mt_err *err)
{
	size_t nr, np;
	char *const *ratios = mt_p_words(env->params, SWAP_RATIOS, &nr);
	char *const *pats = mt_p_words(env->params, SWAP_PATTERNS, &np);
	char why[128];
	int ret;

	for (size_t r = 0; r < nr; r++) {
		double ratio;

		if (mt_parse_double(ratios[r], 0.1, 64.0, &ratio, why,
				    sizeof(why)) < 0)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "swap: ratios: bad value '%s': "
					  "expected a number from 0.1 to 64 "
					  "(working set / limit), e.g. 1.5",
					  ratios[r]);
		for (size_t p = 0; p < np; p++) {
			uint64_t ws =
				round_pages((uint64_t)(ratio * (double)limit));

			ret = add_case(
				plan,
				json_pack("{s:s, s:s, s:f, s:I, s:I, s:f}",
					  "test", "pressure", "pattern",
					  pats[p], "ratio", ratio,
					  "limit_bytes", (json_int_t)limit,
					  "working_set_bytes", (json_int_t)ws,
					  "duration_s", dur_s),
				pressure_metrics, N_METRICS(pressure_metrics),
				err);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int plan_sweep(const struct mt_env *env, struct mt_plan *plan,
		      uint64_t limit, double dur_s, struct mt_err *err)
{
	const char *quick_list = QUICK_SWAPPINESS;
	bool from_default = mt_p_is_default(env->params, SWAP_SWAPPINESS);
	int smax = mt_swappiness_max();
	uint64_t hot, cold, file;
	char **owned = NULL, *const * vals;
	size_t n;
	int ret = 0;

	sweep_sizes(env, limit, &hot, &cold, &file);
	if (env->quick && from_default) {
		ret = mt_parse_word_list(quick_list, NULL, &owned, &n, NULL, 0);
		if (ret < 0)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "swap: out of memory");
		vals = owned;
	} else {
		vals = mt_p_words(env->params, SWAP_SWAPPINESS, &n);
	}
	for (size_t i = 0; i < n; i++) {
		char why[128];
		json_t *sv;
		int64_t s;

		/* current: the swappiness in force when the case runs (what
		 * memtune tune's trials compare) */
		if (strcmp(vals[i], "current") == 0) {
			s = -1;
		} else if (mt_parse_int(vals[i], 0, 200, &s, why, sizeof(why)) <
			   0) {
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "swap: swappiness: bad value '%s': "
					 "expected integers from 0 to 200 or "
					 "current, e.g. 0,10,60,100",
					 vals[i]);
			goto out_free;
		}
		if (s > smax) {
			/* The default list reaches 200 for kernels that take
			 * it; an explicit value the kernel refuses is an
			 * error the user can fix. */
			if (from_default)
				continue;
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "swap: swappiness %" PRId64 " is "
					 "above %d, the most this kernel "
					 "accepts (values above 100 need "
					 "Linux 5.8)",
					 s, smax);
			goto out_free;
		}
		sv = s < 0 ? json_string("current") : json_integer(s);
		ret = add_case(
			plan,
			json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:f, s:f}",
				  "test", "swappiness", "swappiness", sv,
				  "limit_bytes", (json_int_t)limit, "hot_bytes",
				  (json_int_t)hot, "cold_bytes",
				  (json_int_t)cold, "file_bytes",
				  (json_int_t)file, "cold_access_fraction",
				  mt_p_double(env->params,
					      SWAP_COLD_ACCESS_FRACTION),
				  "duration_s", dur_s),
			sweep_metrics, N_METRICS(sweep_metrics), err);
		if (ret < 0)
			goto out_free;
	}
out_free:
	if (owned)
		mt_free_words(owned, n);
	return ret;
}

static int swap_plan(const struct mt_env *env, struct mt_plan *plan,
		     struct mt_err *err)
{
	uint64_t limit = quick_size(env, SWAP_LIMIT, QUICK_LIMIT);
	double dur_s = (double)quick_duration(env, SWAP_DURATION,
					      QUICK_DURATION) /
		       1e9;
	int ret;

	if (mt_p_has_word(env->params, SWAP_TESTS, "pressure")) {
		ret = plan_pressure(env, plan, limit, dur_s, err);
		if (ret < 0)
			return ret;
	}
	if (mt_p_has_word(env->params, SWAP_TESTS, "swappiness")) {
		ret = plan_sweep(env, plan, limit, dur_s, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- parent side ------------------------------------------------------- */

/* The directory for the swap file and the reader's file: swap_file_dir,
 * else the run directory unless it is on tmpfs (which cannot hold swap),
 * else /var/tmp. */
static void file_dir(const struct mt_env *env, char *buf, size_t len)
{
	const char *d = mt_p_string(env->params, SWAP_SWAP_FILE_DIR);
	struct statfs sfs;

	if (d && d[0]) {
		snprintf(buf, len, "%s", d);
		return;
	}
	if (statfs(env->rundir, &sfs) == 0 &&
	    (unsigned long)sfs.f_type != TMPFS_MAGIC &&
	    (unsigned long)sfs.f_type != RAMFS_MAGIC) {
		snprintf(buf, len, "%s", env->rundir);
		return;
	}
	snprintf(buf, len, "/var/tmp");
}

/* Bytes of swap the planned cases need, with a quarter of the limit to
 * spare: the excess of the largest working set over the limit, and the
 * cold part of the sweep. At least 256 MiB. */
static uint64_t swap_needed(const struct mt_env *env, uint64_t limit)
{
	uint64_t need = 256ull << 20, hot, cold, file;

	if (mt_p_has_word(env->params, SWAP_TESTS, "pressure")) {
		double ws = max_ratio(env) * (double)limit;

		if (ws > (double)limit &&
		    (uint64_t)(ws - (double)limit) + limit / 4 > need)
			need = (uint64_t)(ws - (double)limit) + limit / 4;
	}
	if (mt_p_has_word(env->params, SWAP_TESTS, "swappiness")) {
		sweep_sizes(env, limit, &hot, &cold, &file);
		if (hot + cold + limit / 4 > need)
			need = hot + cold + limit / 4;
	}
	return round_pages(need);
}

static void note_sysctl(json_t *notes, const char *key, const char *path)
{
	int64_t v;

	if (mt_fs_read_i64(path, &v, NULL) == 0)
		json_object_set_new(notes, key, json_integer(v));
}

/* The swappiness sweep's reader file (made by sys_setup, read by each
 * case's reader): its path and size. Returns 0 or -ENAMETOOLONG. */
static int reader_file(const struct mt_env *env, char *path, size_t len,
		       uint64_t *bytes)
{
	uint64_t limit = quick_size(env, SWAP_LIMIT, QUICK_LIMIT), hot, cold;
	char dir[600];

	file_dir(env, dir, sizeof(dir));
	sweep_sizes(env, limit, &hot, &cold, bytes);
	return mt_testfile_path(dir, env->rundir, "memtune-swap-reader.dat",
				path, len) < 0 ?
		       -ENAMETOOLONG :
		       0;
}

static int swap_sys_setup(const struct mt_env *env, json_t *notes,
			  struct mt_err *err)
{
	uint64_t limit = quick_size(env, SWAP_LIMIT, QUICK_LIMIT);
	uint64_t size = mt_p_size(env->params, SWAP_SWAP_FILE_SIZE);
	json_t *swap = json_object();
	struct mt_err e2 = { 0 };
	double p50, p99;
	char dir[600], zs[16] = "";
	int ret;

	if (mt_oom_protect_self(&e2) == 0)
		json_object_set_new(notes, "runner_oom_score_adj",
				    json_integer(-1000));
	else
		json_object_set_new(notes, "runner_oom_protect_error",
				    json_string(e2.msg));
	json_object_set_new(notes, "worker_oom_score_adj",
			    json_integer(WORKER_OOM_ADJ));
	json_object_set_new(notes, "cgroup_version",
			    json_integer(env->caps->cgroup_version));
	if (env->caps->cgroup_version == 1) {
		char p[300];

		snprintf(p, sizeof(p), "%s/memory.memsw.limit_in_bytes",
			 env->caps->cgroup_v1_memory);
		json_object_set_new(notes, "cgroup_v1_swap_accounting",
				    json_boolean(mt_fs_exists(p)));
	}
	json_object_set_new(notes, "swappiness_scope",
			    json_string(env->caps->cgroup_version == 1 ?
						"cgroup memory.swappiness" :
						"vm.swappiness"));
	json_object_set_new(notes, "swappiness_max",
			    json_integer(mt_swappiness_max()));
	note_sysctl(notes, "vm.swappiness", "/proc/sys/vm/swappiness");
	note_sysctl(notes, "vm.page-cluster", "/proc/sys/vm/page-cluster");
	if (mt_fs_read_line("/sys/module/zswap/parameters/enabled", zs,
			    sizeof(zs), NULL) == 0)
		json_object_set_new(notes, "zswap_enabled", json_string(zs));
	json_object_set_new(notes, "psi_scope",
			    json_string(env->caps->cgroup_version == 2 ?
						"cgroup" :
						"system (cgroup v1 has no "
						"per-cgroup PSI)"));

	file_dir(env, dir, sizeof(dir));
	if (!size)
		size = swap_needed(env, limit);
	ret = mt_swap_ensure(env->journal, env->caps,
			     mt_p_bool(env->params, SWAP_ALLOW_SWAP_FILE), size,
			     dir, swap, err);
	if (ret < 0) {
		json_decref(swap);
		return ret;
	}
	ret = mt_swap_read_latency(
		json_string_value(json_object_get(swap, "device")),
		(int)mt_p_int(env->params, SWAP_LATENCY_READS), &p50, &p99,
		&e2);
	if (ret == 0) {
		json_object_set_new(swap, "read_latency_p50_us",
				    json_real(p50));
		json_object_set_new(swap, "read_latency_p99_us",
				    json_real(p99));
	} else {
		json_object_set_new(swap, "read_latency_error",
				    json_string(e2.msg));
	}
	json_object_set_new(notes, "swap", swap);

	if (mt_p_has_word(env->params, SWAP_TESTS, "swappiness")) {
		char path[700];
		uint64_t file;

		if (reader_file(env, path, sizeof(path), &file) < 0)
			return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
					  "swap: the path of the reader's "
					  "file in %s is too long",
					  dir);
		ret = mt_testfile_make(env->journal, path, file, err);
		if (ret < 0) {
			mt_err_prefix(err, "swap");
			return ret;
		}
		json_object_set_new(notes, "reader_file", json_string(path));
	}
	return 0;
}

static int swap_case_sys_setup(const struct mt_env *env,
			       const struct mt_case *c, json_t *obtained,
			       json_t *handoff, struct mt_err *err)
{
	const char *test = json_string_value(json_object_get(c->params,
							     "test"));
	uint64_t limit = (uint64_t)
		json_integer_value(json_object_get(c->params, "limit_bytes"));
	char name[32], path[700], rb[32] = "";
	struct mt_cgroup cg;
	uint64_t file;
	int64_t sw;
	int ret;

	/* The case's own cgroup, named for its index in the plan. */
	snprintf(name, sizeof(name), "swap-%zu", env->case_index + 1);
	ret = mt_cgroup_create(env->journal, env->caps, name, &cg, err);
	if (ret < 0)
		return ret;
	ret = mt_cgroup_set_limits(env->journal, &cg, limit, 0, -1, err);
	if (ret < 0)
		return ret;
	json_object_set_new(obtained, "cgroup_version",
			    json_integer(cg.version));
	json_object_set_new(handoff, "cgroup", json_string(cg.path));
	json_object_set_new(handoff, "cgroup_version",
			    json_integer(cg.version));
	if (mt_p_has_word(env->params, SWAP_TESTS, "swappiness") &&
	    reader_file(env, path, sizeof(path), &file) == 0) {
		json_object_set_new(handoff, "reader_file", json_string(path));
		json_object_set_new(handoff, "reader_bytes",
				    json_integer((json_int_t)file));
	}
	if (test && strcmp(test, "swappiness") == 0) {
		json_t *cs = json_object_get(c->params, "swappiness");

		/* "current": the system's value, which a cgroup v1 memcg does
		 * not follow once made (it keeps its own memory.swappiness):
		 * it is copied there; v2 reads vm.swappiness itself. */
		if (json_is_integer(cs))
			sw = json_integer_value(cs);
		else if (mt_fs_read_i64("/proc/sys/vm/swappiness", &sw, err) <
			 0)
			return -EIO;
		if (cg.version == 1) {
			ret = mt_cgroup_set_swappiness(env->journal, &cg,
						       (int)sw, err);
		} else if (json_is_integer(cs)) {
			snprintf(name, sizeof(name), "%" PRId64, sw);
			ret = mt_journal_write(env->journal,
					       "/proc/sys/vm/swappiness", name,
					       rb, sizeof(rb), err);
		}
		if (ret < 0)
			return ret;
	}
	/* Record the swappiness in force, whatever the case. */
	if (cg.version == 1)
		snprintf(path, sizeof(path), "%s/memory.swappiness", cg.path);
	else
		snprintf(path, sizeof(path), "/proc/sys/vm/swappiness");
	if (mt_fs_read_i64(path, &sw, NULL) == 0)
		json_object_set_new(obtained, "swappiness", json_integer(sw));
	return 0;
}

/* ---- worker side ------------------------------------------------------- */

/* The page of the next access. */
static inline uint64_t pick_page(struct swap_state *st)
{
	uint64_t r = mt_rand_next(&st->rng);

	if (st->sweep) {
		double u = (double)(r >> 11) * 0x1.0p-53;

		if (u < st->cold_fraction && st->pages > st->hot_pages)
			return st->hot_pages +
			       mt_rand_next(&st->rng) %
				       (st->pages - st->hot_pages);
		return mt_rand_next(&st->rng) % st->hot_pages;
	}
	if (st->zipf) {
		double u = (double)(r >> 11) * 0x1.0p-53;
		uint64_t rank = (uint64_t)exp(u * st->log_pages);

		rank = rank ? rank - 1 : 0;
		if (rank >= st->pages)
			rank = st->pages - 1;
		return st->perm[rank];
	}
	return r % st->pages;
}

static void keep_latency(struct swap_state *st, uint64_t ns)
{
	st->lat_seen++;
	if (st->lat_n < LAT_CAP) {
		st->lat[st->lat_n++] = (double)ns;
		return;
	}
	/* Reservoir sampling keeps a uniform sample of every latency. */
	uint64_t j = mt_rand_next(&st->rng) % st->lat_seen;

	if (j < LAT_CAP)
		st->lat[j] = (double)ns;
}

/* Accesses the region for `ns` nanoseconds; records latencies and counts
 * accesses when `measure`. */
static void access_for(struct swap_state *st, uint64_t ns, bool measure)
{
	uint64_t end = mt_now_ns() + ns, n = 0, sum = 0;
	unsigned every = st->sample_every, k = 0;

	for (;;) {
		uint64_t page = pick_page(st);
		uint64_t w = mt_rand_next(&st->rng) % WORDS_PER_PAGE;
		uint64_t *p = &st->mem[page * WORDS_PER_PAGE + w];

		if (measure && ++k >= every) {
			uint64_t t0 = mt_now_ns();

			sum += ++*(volatile uint64_t *)p;
			keep_latency(st, mt_now_ns() - t0);
			k = 0;
		} else {
			sum += ++*(volatile uint64_t *)p;
		}
		n++;
		if ((n & CLOCK_CHECK_MASK) == 0 && mt_now_ns() >= end)
			break;
	}
	st->sink += sum;
	if (measure)
		st->accesses += n;
}

/* Fills pages [from, to) with non-zero pseudo-random words: zero pages
 * would be neither written to swap nor read back (the kernel keeps a map
 * of zero-filled swap slots), and compressible data would flatter zswap. */
static void fill(struct swap_state *st, uint64_t from, uint64_t to)
{
	for (uint64_t i = from * WORDS_PER_PAGE; i < to * WORDS_PER_PAGE; i++)
		st->mem[i] = mt_rand_next(&st->rng) | 1;
}

static int vm_key(const char *text, const char *key, int64_t *out)
{
	int64_t v = 0;

	*out = 0;
	if (mt_text_key(text, key, &v) < 0)
		return -ENOENT;
	*out = v;
	return 0;
}

static void take_snap(struct swap_state *st, struct snap *s)
{
	static const char *const stalls[] = {
		"allocstall_dma",     "allocstall_dma32",  "allocstall_normal",
		"allocstall_movable", "allocstall_device", NULL,
	};
	struct rusage ru;
	struct mt_psi psi;
	const char *scope;
	char *text = NULL;
	int64_t a, b;

	memset(s, 0, sizeof(*s));
	if (mt_fs_read("/proc/vmstat", &text, NULL, NULL) == 0) {
		vm_key(text, "pswpin", &s->pswpin);
		vm_key(text, "pswpout", &s->pswpout);
		/* pgscan_anon/file count every reclaim, a memory cgroup's
		 * limit reclaim included; pgscan_kswapd/direct leave that
		 * out (Linux 5.8+). */
		if (vm_key(text, "pgscan_anon", &a) < 0 ||
		    vm_key(text, "pgscan_file", &b) < 0) {
			vm_key(text, "pgscan_kswapd", &a);
			vm_key(text, "pgscan_direct", &b);
		}
		s->pgscan = a + b;
		for (int i = 0; stalls[i]; i++) {
			vm_key(text, stalls[i], &a);
			s->allocstall += a;
		}
		vm_key(text, "pgmajfault", &s->pgmajfault);
		vm_key(text, "workingset_refault_anon", &s->refault_anon);
		vm_key(text, "workingset_refault_file", &s->refault_file);
		free(text);
	}
	if (mt_cgroup_psi(st->have_cg ? &st->cgroup : NULL, &psi, &scope,
			  NULL) == 0) {
		s->psi_some_us = psi.some_total_us;
		s->psi_full_us = psi.full_total_us;
		s->have_psi = true;
	}
	if (st->have_cg)
		s->cg = mt_cgroup_counters(&st->cgroup, NULL);
	getrusage(RUSAGE_SELF, &ru);
	s->ru_majflt = ru.ru_majflt;
	if (st->shm)
		s->reader_bytes = atomic_load(&st->shm->bytes);
	s->t_ns = mt_now_ns();
}

/* The reader: rereads the file set in 1 MiB read()s until killed,
 * counting bytes in the shared area. Runs in the worker's cgroup. */
static void reader_main(struct swap_state *st)
{
	struct mt_err err = { 0 };
	char *buf = malloc(READ_CHUNK);
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!atomic_load(&st->shm->go))
		usleep(1000);
	if (st->reader_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(st->reader_cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	/* Read-write: eviction and residency need it (testfile.h). */
	fd = open(st->reader_file, O_RDWR | O_CLOEXEC);
	if (fd < 0 || !buf) {
		atomic_store(&st->shm->failed, 1);
		_exit(1);
	}
	/* Pages cached by an earlier case belong to that case's cgroup;
	 * evicted, they are read again and charged to this one. */
	mt_testfile_evict(fd, st->reader_bytes, &st->shm->evicted_left, &err);
	for (;;) {
		ssize_t r = read(fd, buf, READ_CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			atomic_store(&st->shm->failed, 1);
			_exit(1);
		}
		if (r == 0) {
			lseek(fd, 0, SEEK_SET);
			atomic_fetch_add(&st->shm->passes, 1);
			continue;
		}
		atomic_fetch_add(&st->shm->bytes, (uint64_t)r);
	}
}

/* A CPU for the reader other than the worker's, or -1 for no pinning. */
static int other_cpu(int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return -1;
	return cpu > 0 ? cpu - 1 : 1;
}

static void swap_teardown(void *state)
{
	struct swap_state *st = state;

	if (!st)
		return;
	if (st->reader > 0) {
		kill(st->reader, SIGKILL);
		while (waitpid(st->reader, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (st->mem)
		munmap(st->mem, st->pages * PAGE);
	if (st->shm)
		munmap(st->shm, sizeof(*st->shm));
	json_decref(st->before.cg);
	json_decref(st->after.cg);
	free(st->perm);
	if (st->lat)
		munmap(st->lat, LAT_CAP * sizeof(*st->lat));
	free(st);
}

/* The worker's view of what the parent prepared for this case. */
static void restore_handoff(struct swap_state *st, const json_t *h)
{
	const char *cg = json_string_value(json_object_get(h, "cgroup"));
	const char *rf = json_string_value(json_object_get(h, "reader_file"));

	if (cg && strlen(cg) < sizeof(st->cgroup.path)) {
		snprintf(st->cgroup.path, sizeof(st->cgroup.path), "%s", cg);
		st->cgroup.version = (int)json_integer_value(
			json_object_get(h, "cgroup_version"));
		st->have_cg = true;
	}
	if (rf && strlen(rf) < sizeof(st->reader_file)) {
		snprintf(st->reader_file, sizeof(st->reader_file), "%s", rf);
		st->reader_bytes = (uint64_t)
			json_integer_value(json_object_get(h, "reader_bytes"));
	}
}

static enum mt_status swap_setup(const struct mt_env *env,
				 const struct mt_case *c, void **state,
				 struct mt_err *err)
{
	json_t *p = c->params;
	const char *test = json_string_value(json_object_get(p, "test"));
	struct swap_state *st = calloc(1, sizeof(*st));
	uint64_t bytes;

	if (!st) {
		mt_err_why(err, "swap: out of memory");
		return MT_FAILED;
	}
	*state = st;
	restore_handoff(st, c->handoff);
	if (!st->have_cg) {
		mt_err_why(err, "swap: the case's cgroup was not made");
		return MT_FAILED;
	}
	st->sweep = test && strcmp(test, "swappiness") == 0;
	st->rng = mt_rand_seed(env->seed);
	st->duration_ns =
		(uint64_t)(json_real_value(json_object_get(p, "duration_s")) *
			   1e9);
	st->warmup_ns = quick_duration(env, SWAP_WARMUP, QUICK_WARMUP);
	st->sample_every = (unsigned)mt_p_int(env->params, SWAP_SAMPLE_EVERY);
	if (st->sweep) {
		st->hot_pages = (uint64_t)json_integer_value(
					json_object_get(p, "hot_bytes")) /
				PAGE;
		bytes = st->hot_pages * PAGE +
			(uint64_t)json_integer_value(
				json_object_get(p, "cold_bytes"));
		st->cold_fraction = json_real_value(
			json_object_get(p, "cold_access_fraction"));
	} else {
		const char *pat = json_string_value(json_object_get(p,
								    "pattern"));

		bytes = (uint64_t)json_integer_value(
			json_object_get(p, "working_set_bytes"));
		st->zipf = pat && strcmp(pat, "zipf") == 0;
	}
	st->pages = bytes / PAGE;
	if (st->pages < 2 || (st->sweep && st->hot_pages < 1)) {
		mt_err_why(err, "swap: the working set is too small");
		return MT_FAILED;
	}
	st->log_pages = log((double)st->pages + 1.0);

	/* Everything but the measured region is allocated and touched
	 * before joining the cgroup, so it is charged to the runner's
	 * cgroup and does not compete with the working set. */
	st->lat = mmap(NULL, LAT_CAP * sizeof(*st->lat), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->lat == MAP_FAILED) {
		st->lat = NULL;
		mt_err_why(err, "swap: out of memory");
		return MT_FAILED;
	}
	/* Not shared with the reader, so that the worker's writes make no
	 * copy-on-write pages charged to the cgroup. */
	madvise(st->lat, LAT_CAP * sizeof(*st->lat), MADV_DONTFORK);
	memset(st->lat, 0, LAT_CAP * sizeof(*st->lat));
	if (st->zipf) {
		st->perm = malloc(st->pages * sizeof(*st->perm));
		if (!st->perm) {
			mt_err_why(err, "swap: out of memory");
			return MT_FAILED;
		}
		/* Hot ranks land on scattered pages, not one block. */
		for (uint64_t i = 0; i < st->pages; i++)
			st->perm[i] = (uint32_t)i;
		for (uint64_t i = st->pages - 1; i > 0; i--) {
			uint64_t j = mt_rand_next(&st->rng) % (i + 1);
			uint32_t t = st->perm[i];

			st->perm[i] = st->perm[j];
			st->perm[j] = t;
		}
	}
	if (st->sweep) {
		st->shm = mmap(NULL, sizeof(*st->shm), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (st->shm == MAP_FAILED) {
			st->shm = NULL;
			mt_err_why(err,
				   "swap: cannot map the reader's "
				   "counters: %s",
				   strerror(errno));
			return MT_FAILED;
		}
		memset(st->shm, 0, sizeof(*st->shm));
	}

	if (mt_oom_score_adj_set(0, WORKER_OOM_ADJ, err) < 0 ||
	    mt_cgroup_enter(&st->cgroup, 0, err) < 0) {
		mt_err_prefix(err, "swap");
		return MT_FAILED;
	}
	/* The reader is forked before the region exists: forked after, it
	 * would share every page copy-on-write, and the worker's writes
	 * would then double the anonymous memory. */
	if (st->sweep) {
		st->reader_cpu = other_cpu(env->cpu);
		st->reader = fork();
		if (st->reader < 0) {
			mt_err_why(err,
				   "swap: cannot fork the reader: "
				   "%s",
				   strerror(errno));
			return MT_FAILED;
		}
		if (st->reader == 0)
			reader_main(st);
	}
	st->mem = mmap(NULL, st->pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->mem == MAP_FAILED) {
		st->mem = NULL;
		mt_err_why(err, "swap: cannot map %" PRIu64 " bytes: %s",
			   st->pages * PAGE, strerror(errno));
		return MT_FAILED;
	}
	/* Swap works in 4 KiB pages; a THP would be split first anyway. */
	madvise(st->mem, st->pages * PAGE, MADV_NOHUGEPAGE);
	if (st->sweep) {
		/* Cold first, so that the hot part is the most recent; then
		 * the reader may start. */
		fill(st, st->hot_pages, st->pages);
		fill(st, 0, st->hot_pages);
		atomic_store(&st->shm->go, 1);
	} else {
		fill(st, 0, st->pages);
	}
	return MT_OK;
}

static int64_t cg_delta(const struct snap *a, const struct snap *b,
			const char *key)
{
	json_t *x = a->cg ? json_object_get(a->cg, key) : NULL;
	json_t *y = b->cg ? json_object_get(b->cg, key) : NULL;

	if (!json_is_integer(x) || !json_is_integer(y))
		return -1;
	return json_integer_value(y) - json_integer_value(x);
}

static double per_s(int64_t d, double secs)
{
	return d < 0 || secs <= 0 ? NAN : (double)d / secs;
}

static int swap_run(void *state, uint64_t iters, struct mt_sample *s,
		    struct mt_err *err)
{
	struct swap_state *st = state;
	const struct snap *a = &st->before, *b = &st->after;
	double secs, psi_some, psi_full;

	(void)iters;
	if (st->sweep) {
		/* Until the reader has been through its files once, the
		 * page cache has not met the limit yet. */
		uint64_t until = mt_now_ns() + READER_FIRST_PASS_NS;

		while (atomic_load(&st->shm->passes) < 1 &&
		       !atomic_load(&st->shm->failed) && mt_now_ns() < until)
			access_for(st, 50000000, false);
		if (atomic_load(&st->shm->failed))
			return mt_err_set(err, -EIO, MT_ERR_RUNTIME,
					  "swap: the reader could not read %s",
					  st->reader_file);
	}
	access_for(st, st->warmup_ns, false);
	take_snap(st, &st->before);
	access_for(st, st->duration_ns, true);
	take_snap(st, &st->after);

	qsort(st->lat, st->lat_n, sizeof(*st->lat), mt_cmp_double);
	st->p50 = st->lat_n ?
			  mt_percentile_sorted(st->lat, st->lat_n, 50) / 1e3 :
			  NAN;
	st->p99 = st->lat_n ?
			  mt_percentile_sorted(st->lat, st->lat_n, 99) / 1e3 :
			  NAN;
	st->p999 = st->lat_n ? mt_percentile_sorted(st->lat, st->lat_n, 99.9) /
				       1e3 :
			       NAN;
	secs = (double)(b->t_ns - a->t_ns) / 1e9;
	psi_some = b->have_psi && a->have_psi ?
			   (double)(b->psi_some_us - a->psi_some_us) / 1e4 /
				   secs :
			   NAN;
	psi_full = b->have_psi && a->have_psi ?
			   (double)(b->psi_full_us - a->psi_full_us) / 1e4 /
				   secs :
			   NAN;
	s->ops = st->accesses;
	if (st->sweep) {
		s->values[S_ACC] = (double)st->accesses / secs;
		s->values[S_P50] = st->p50;
		s->values[S_P99] = st->p99;
		s->values[S_P999] = st->p999;
		s->values[S_READ] = (double)(b->reader_bytes -
					     a->reader_bytes) /
				    1e6 / secs;
		s->values[S_SWIN] = per_s(b->pswpin - a->pswpin, secs);
		s->values[S_SWOUT] = per_s(b->pswpout - a->pswpout, secs);
		s->values[S_REF_ANON] =
			per_s(cg_delta(a, b, "workingset_refault_anon"), secs);
		s->values[S_REF_FILE] =
			per_s(cg_delta(a, b, "workingset_refault_file"), secs);
		s->values[S_PSI_SOME] = psi_some;
		s->values[S_PSI_FULL] = psi_full;
		s->values[S_SCAN] = per_s(b->pgscan - a->pgscan, secs);
		s->values[S_MAJ] = per_s(b->ru_majflt - a->ru_majflt, secs);
	} else {
		s->values[P_ACC] = (double)st->accesses / secs;
		s->values[P_P50] = st->p50;
		s->values[P_P99] = st->p99;
		s->values[P_P999] = st->p999;
		s->values[P_MAJ] = per_s(b->ru_majflt - a->ru_majflt, secs);
		s->values[P_SWIN] = per_s(b->pswpin - a->pswpin, secs);
		s->values[P_SWOUT] = per_s(b->pswpout - a->pswpout, secs);
		s->values[P_PSI_SOME] = psi_some;
		s->values[P_PSI_FULL] = psi_full;
		s->values[P_SCAN] = per_s(b->pgscan - a->pgscan, secs);
		s->values[P_STALL] = per_s(b->allocstall - a->allocstall, secs);
		s->values[P_CG_MAJ] = per_s(cg_delta(a, b, "pgmajfault"), secs);
		s->values[P_CG_REF_ANON] =
			per_s(cg_delta(a, b, "workingset_refault_anon"), secs);
	}
	return 0;
}

static void put_delta(json_t *o, const char *key, int64_t d)
{
	if (d >= 0)
		json_object_set_new(o, key, json_integer(d));
}

/* Records the raw counts of the window, both the kernel-wide /proc/vmstat
 * deltas and the cgroup's own, so that the figures can be checked against
 * each other, and judges whether the case really swapped. */
static enum mt_status swap_verify(void *state, json_t *obtained,
				  struct mt_err *err)
{
	struct swap_state *st = state;
	const struct snap *a = &st->before, *b = &st->after;
	json_t *w = json_object(), *vm = json_object(), *cg = json_object();
	int64_t swin = b->pswpin - a->pswpin, swout = b->pswpout - a->pswpout;

	json_object_set_new(w, "seconds",
			    json_real((double)(b->t_ns - a->t_ns) / 1e9));
	json_object_set_new(w, "accesses",
			    json_integer((json_int_t)st->accesses));
	json_object_set_new(w, "latency_samples",
			    json_integer((json_int_t)st->lat_seen));
	json_object_set_new(w, "worker_major_faults",
			    json_integer(b->ru_majflt - a->ru_majflt));
	put_delta(vm, "pswpin", swin);
	put_delta(vm, "pswpout", swout);
	put_delta(vm, "pgscan", b->pgscan - a->pgscan);
	put_delta(vm, "allocstall", b->allocstall - a->allocstall);
	put_delta(vm, "pgmajfault", b->pgmajfault - a->pgmajfault);
	put_delta(vm, "workingset_refault_anon",
		  b->refault_anon - a->refault_anon);
	put_delta(vm, "workingset_refault_file",
		  b->refault_file - a->refault_file);
	json_object_set_new(w, "vmstat", vm);
	put_delta(cg, "pgmajfault", cg_delta(a, b, "pgmajfault"));
	put_delta(cg, "workingset_refault_anon",
		  cg_delta(a, b, "workingset_refault_anon"));
	put_delta(cg, "workingset_refault_file",
		  cg_delta(a, b, "workingset_refault_file"));
	if (cg_delta(a, b, "pswpin") >= 0) {
		put_delta(cg, "pswpin", cg_delta(a, b, "pswpin"));
		put_delta(cg, "pswpout", cg_delta(a, b, "pswpout"));
	}
	json_object_set_new(w, "cgroup", cg);
	if (b->cg) {
		json_object_set(w, "cgroup_end", b->cg);
	}
	if (st->shm) {
		json_object_set_new(w, "reader_bytes",
				    json_integer((json_int_t)(b->reader_bytes -
							      a->reader_bytes)));
		json_object_set_new(w, "reader_passes",
				    json_integer((json_int_t)atomic_load(
					    &st->shm->passes)));
		json_object_set_new(w, "reader_evicted_left",
				    json_real(st->shm->evicted_left));
		json_object_set_new(w, "reader_cpu",
				    json_integer(st->reader_cpu));
	}
	json_object_set_new(obtained, "window", w);
	json_object_set_new(obtained, "sample_every",
			    json_integer(st->sample_every));

	/* A working set beyond the limit that caused no swap traffic at
	 * all means the limit or the swap was not what the case needs. */
	if (!st->sweep &&
	    st->pages * PAGE > (uint64_t)json_integer_value(json_object_get(
				       b->cg, "memory_current_bytes")) +
				       (64ull << 20) &&
	    swin == 0 && swout == 0) {
		mt_err_why(err, "swap: no page was swapped in or out "
				"during the window although the working set "
				"exceeds the cgroup's memory");
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

const struct mt_bench mt_bench_swap = {
	.name = "swap",
	.summary = "swap under a memory cgroup limit: access rate, latency "
		   "and swap traffic, and the swappiness trade-off between "
		   "swap-ins and file rereads",
	.params = swap_params,
	.needs = MT_NEED_ROOT | MT_NEED_CGROUP | MT_NEED_SWAP,
	.supported = swap_supported,
	.plan = swap_plan,
	.sys_setup = swap_sys_setup,
	.case_sys_setup = swap_case_sys_setup,
	.setup = swap_setup,
	.run = swap_run,
	.verify = swap_verify,
	.teardown = swap_teardown,
};
