/* mlock: what locking protects. A latency-sensitive worker keeps a hot set
 * and reads it in rounds of random accesses separated by idle pauses (the
 * pattern of a service between requests), inside a memory cgroup where
 * other processes force reclaim. Without a lock, reclaim takes the hot
 * pages the worker has not touched lately and the next access after a
 * pause is a major fault; mlock(2) or mlockall(2) makes them unevictable.
 *
 * Two backings, because reclaiming them needs different things:
 *  - file: the hot set is a mapped file (real blocks on disk), and the
 *    pressure is a reader streaming a sparse file into the page cache of
 *    the same cgroup. Clean file pages are reclaimed without swap, so the
 *    effect of the lock shows on any machine.
 *  - anon: the hot set is anonymous memory, and the pressure is a second
 *    process writing to as much anonymous memory as the cgroup's limit, so
 *    that reclaim must swap. Needs swap: the machine's, or a swap file
 *    created through the journal (mt_swap_ensure); skipped without it.
 *
 * Each access is timed on its own (a dependent random read of one byte of
 * a random page); before each round mincore(2) measures how much of the
 * hot set is resident. Major faults are this process's own (getrusage):
 * only the hot set's. Recorded with each case: RLIMIT_MEMLOCK, the bytes
 * that had to be locked, and VmLck afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/log.h"
#include "../core/units.h"
#include "bench.h"
#include "kit/chase.h"
#include "kit/case_cgroup.h"
#include "kit/latency.h"
#include "kit/pressure_load.h"
#include "kit/testfile.h"

#define ML_HOT_FILE "memtune-mlock-hot.data"
#define ML_STREAM_FILE "memtune-mlock-stream.data"

static const char *const ml_backings[] = { "file", "anon", NULL };
static const char *const ml_locks[] = { "none", "mlock", "mlockall", NULL };

/* The keys of [mlock], rows of ml_params. */
enum ml_param {
	ML_BACKINGS,
	ML_LOCKS,
	ML_HOT_SIZE,
	ML_LIMIT,
	ML_DURATION,
	ML_IDLE,
	ML_ROUND_ACCESSES,
	ML_SWAP_FILE_SIZE,
	ML_DIR,
	ML_NPARAMS
};

static const struct mt_param ml_params[] = {
	[ML_BACKINGS] = { .key = "backings",
			  .type = MT_P_WORDS,
			  .def = "file,anon",
			  .help = "file: a mapped file against a page-cache streamer; anon: "
				  "anonymous memory against an anonymous thrasher (swap)",
			  .choices = ml_backings },
	[ML_LOCKS] = { .key = "locks",
		       .type = MT_P_WORDS,
		       .def = "none,mlock,mlockall",
		       .help = "none, mlock (the hot set) or mlockall (MCL_CURRENT | "
			       "MCL_FUTURE) (--quick: none,mlock)",
		       .choices = ml_locks },
	[ML_HOT_SIZE] = { .key = "hot_size",
			  .type = MT_P_SIZE,
			  .def = "64M",
			  .help = "bytes of the hot set (--quick: 32M)",
			  .min = 1 << 20 },
	[ML_LIMIT] = { .key = "limit",
		       .type = MT_P_SIZE,
		       .def = "512M",
		       .help = "memory limit of the cgroup (--quick: 256M); at least 4 x "
			       "hot_size",
		       .min = 16 << 20 },
	[ML_DURATION] = { .key = "duration",
			  .type = MT_P_DURATION,
			  .def = "6s",
			  .help = "rounds per case last this long (--quick: 3s)",
			  .min = 100000000,
			  .max = 3600000000000 },
	[ML_IDLE] = { .key = "idle",
		      .type = MT_P_DURATION,
		      .def = "200ms",
		      .help = "pause between rounds, in which reclaim may take the hot "
			      "set",
		      .min = 0,
		      .max = 60000000000 },
	[ML_ROUND_ACCESSES] = { .key = "round_accesses",
				.type = MT_P_INT,
				.def = "2000",
				.help = "random reads per round",
				.min = 1,
				.max = 100000000 },
	[ML_SWAP_FILE_SIZE] = { .key = "swap_file_size",
				.type = MT_P_SIZE,
				.def = "1G",
				.help = "swap file created for the anon cases when none is active "
					"(root; removed afterwards; 0: never create)" },
	[ML_DIR] = { .key = "dir",
		     .type = MT_P_STRING,
		     .def = "",
		     .help = "directory of the test files and the swap file, on a disk "
			     "filesystem (empty: the run directory)" },
	[ML_NPARAMS] = MT_PARAMS_END,
};

enum { V_P50, V_P99, V_MAX, V_MAJFLT, V_RES_MIN, V_RES_MEAN };

static const struct mt_metric ml_metrics[] = {
	{ "access_latency_p50", "ns", MT_VALUE, V_P50, false },
	{ "access_latency_p99", "ns", MT_VALUE, V_P99, false },
	{ "access_latency_max", "us", MT_VALUE, V_MAX, false },
	{ "major_faults", "faults", MT_VALUE, V_MAJFLT, false },
	{ "hot_resident_min", "%", MT_VALUE, V_RES_MIN, true },
	{ "hot_resident_mean", "%", MT_VALUE, V_RES_MEAN, true },
};

static uint64_t ml_size(const struct mt_env *env, enum ml_param key,
			uint64_t quick)
{
	if (env->quick && mt_p_is_default(env->params, key))
		return quick;
	return mt_p_size(env->params, key);
}

static uint64_t ml_hot(const struct mt_env *env)
{
	return ml_size(env, ML_HOT_SIZE, 32ull << 20);
}

static uint64_t ml_limit(const struct mt_env *env)
{
	return ml_size(env, ML_LIMIT, 256ull << 20);
}

static enum mt_status ml_supported(const struct mt_env *env, struct mt_err *err)
{
	if (!env->caps->root) {
		mt_err_why(err, "mlock: a memory cgroup that forces reclaim "
				"needs root (run: sudo memtune run -b mlock)");
		return MT_SKIPPED;
	}
	if (!env->allow_changes) {
		mt_err_why(err, "mlock: system changes are not allowed (run "
				"with --set allow_system_changes=yes)");
		return MT_SKIPPED;
	}
	return MT_OK;
}

static int ml_plan(const struct mt_env *env, struct mt_plan *plan,
		   struct mt_err *err)
{
	size_t nb, nl;
	char *const *b = mt_p_words(env->params, ML_BACKINGS, &nb);
	char *const *l = mt_p_words(env->params, ML_LOCKS, &nl);
	static const char *const quick_locks[] = { "none", "mlock" };
	int ret;

	if (env->quick && mt_p_is_default(env->params, ML_LOCKS)) {
		l = (char *const *)quick_locks;
		nl = 2;
	}
	ret = mt_testfile_check_dir_param("mlock", env->params, ML_DIR, err);
	if (ret < 0)
		return ret;
	if (ml_limit(env) < 4 * ml_hot(env)) {
		char at_limit[320], at_hot[320];

		mt_p_where(env->params, ML_LIMIT, at_limit, sizeof(at_limit));
		mt_p_where(env->params, ML_HOT_SIZE, at_hot, sizeof(at_hot));
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "mlock: limit (%" PRIu64 ", %s) must be at "
				  "least 4 x hot_size (%" PRIu64 ", %s)",
				  ml_limit(env), at_limit, ml_hot(env), at_hot);
	}
	for (size_t i = 0; i < nb; i++)
		for (size_t k = 0; k < nl; k++) {
			json_t *p = json_pack("{s:s, s:s, s:I, s:I}", "backing",
					      b[i], "lock", l[k], "hot_bytes",
					      (json_int_t)ml_hot(env),
					      "limit_bytes",
					      (json_int_t)ml_limit(env));

			if (!p || mt_plan_add(plan, p, ml_metrics,
					      sizeof(ml_metrics) /
						      sizeof(ml_metrics[0]),
					      MT_CASE_ONCE) < 0)
				return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						  "mlock: out of memory");
		}
	return 0;
}

static const char *ml_dir(const struct mt_env *env)
{
	const char *d = mt_p_string(env->params, ML_DIR);

	return d[0] ? d : env->rundir;
}

/* Creates the hot file (real blocks, so a refault reads the disk) and the
 * sparse file the streamer reads, and makes sure there is swap for the
 * anon cases (records what it found or why there is none). */
static int ml_sys_setup(const struct mt_env *env, json_t *notes,
			struct mt_err *err)
{
	char path[4096], fstype[64];
	uint64_t swap_size = mt_p_size(env->params, ML_SWAP_FILE_SIZE);
	json_t *swap;
	int ret;

	ret = mt_testfile_check_dir("mlock", ml_dir(env), fstype,
				    sizeof(fstype), err);
	if (ret < 0)
		return ret;
	if (mt_p_has_word(env->params, ML_BACKINGS, "file")) {
		mt_testfile_path(mt_p_string(env->params, ML_DIR), env->rundir,
				 ML_HOT_FILE, path, sizeof(path));
		ret = mt_testfile_make(env->journal, path, ml_hot(env), err);
		if (ret < 0)
			goto out_prefix;
		json_object_set_new(notes, "hot_file", json_string(path));
	}
	mt_testfile_path(mt_p_string(env->params, ML_DIR), env->rundir,
			 ML_STREAM_FILE, path, sizeof(path));
	ret = mt_pressure_sparse_file(env->journal, path, 64 * ml_limit(env),
				      err);
	if (ret < 0)
		goto out_prefix;
	json_object_set_new(notes, "stream_file", json_string(path));
	json_object_set_new(notes, "filesystem", json_string(fstype));
	if (!mt_p_has_word(env->params, ML_BACKINGS, "anon"))
		return 0;
	swap = json_object();
	ret = mt_swap_ensure(env->journal, env->caps,
			     env->allow_changes && swap_size > 0, swap_size,
			     ml_dir(env), swap, err);
	if (ret < 0) {
		/* The anon cases skip; the file cases still run. */
		json_object_set_new(swap, "error", json_string(err->msg));
		mt_err_clear(err);
	}
	json_object_set_new(notes, "swap", swap);
	return 0;
out_prefix:
	mt_err_prefix(err, "mlock");
	return ret;
}

/* The case's cgroup: swap unlimited (the anon case needs it). Records the
 * swap in force for the worker to check. */
static int ml_case_sys_setup(const struct mt_env *env, const struct mt_case *c,
			     json_t *obtained, json_t *handoff,
			     struct mt_err *err)
{
	int64_t swap = 0;
	int ret;

	(void)c;
	ret = mt_pressure_cgroup(env, "mlock", ml_limit(env), -1, obtained,
				 handoff, err);
	if (ret < 0) {
		mt_err_prefix(err, "mlock");
		return ret;
	}
	mt_fs_read_key("/proc/meminfo", "SwapTotal", &swap, err);
	json_object_set_new(obtained, "swap_total_bytes", json_integer(swap));
	return 0;
}

struct ml_state {
	struct mt_cgroup cg;
	bool anon;
	const char *lock;
	char *hot; /* the hot set */
	uint64_t hot_bytes, limit;
	int fd;
	pid_t streamer, thrasher;
	uint64_t duration_ns, idle_ns;
	int64_t round_accesses;
	uint64_t rng;
	long page;
	struct mt_lat lat;
	double res_min, res_sum;
	int rounds;
	long majflt;
	struct rlimit rl;
	int64_t vmlck;
	uint64_t fill_ns;
	unsigned char *vec; /* mincore */
	uint64_t sink;
};

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Fraction of the hot set resident now (mincore). */
static double ml_resident(struct ml_state *s)
{
	uint64_t pages = s->hot_bytes / (uint64_t)s->page, in = 0;

	if (mincore(s->hot, s->hot_bytes, s->vec) < 0)
		return NAN;
	for (uint64_t i = 0; i < pages; i++)
		in += s->vec[i] & 1;
	return pages ? (double)in / (double)pages : NAN;
}

static int64_t cg_usage(const struct mt_cgroup *cg)
{
	struct mt_err e = { 0 };
	char path[600];
	int64_t v = -1;

	snprintf(path, sizeof(path), "%s/%s", cg->path,
		 cg->version == 2 ? "memory.current" : "memory.usage_in_bytes");
	mt_fs_read_i64(path, &v, &e);
	return v;
}

/* Maps, fills and locks the hot set inside the cgroup, then starts the
 * pressure and waits until the cgroup is full. */
static enum mt_status ml_setup(const struct mt_env *env,
			       const struct mt_case *c, void **state,
			       struct mt_err *err)
{
	const char *backing = json_string_value(json_object_get(c->params,
								"backing"));
	json_t *sys = c->system;
	struct ml_state *s;
	char path[4096];
	uint64_t t0;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		mt_err_why(err, "mlock: out of memory");
		return MT_FAILED;
	}
	*state = s;
	s->fd = -1;
	s->anon = backing && strcmp(backing, "anon") == 0;
	s->lock = json_string_value(json_object_get(c->params, "lock"));
	s->hot_bytes = ml_hot(env);
	s->limit = ml_limit(env);
	s->page = sysconf(_SC_PAGESIZE);
	s->duration_ns = env->quick && mt_p_is_default(env->params,
						       ML_DURATION) ?
				 3000000000ull :
				 mt_p_duration(env->params, ML_DURATION);
	s->idle_ns = mt_p_duration(env->params, ML_IDLE);
	s->round_accesses = mt_p_int(env->params, ML_ROUND_ACCESSES);
	s->rng = mt_rand_seed(env->seed);
	s->res_min = INFINITY;
	getrlimit(RLIMIT_MEMLOCK, &s->rl);
	if (!s->lock) {
		mt_err_why(err, "mlock: malformed case (no lock)");
		return MT_FAILED;
	}
	if (s->anon &&
	    json_integer_value(json_object_get(sys, "swap_total_bytes")) <= 0) {
		mt_err_why(err,
			   "mlock: the anon case needs swap for "
			   "reclaim to take anonymous pages, and none is active "
			   "(enable swap with swapon, or let memtune create a "
			   "swap file: run as root with mlock.swap_file_size "
			   "> 0)");
		return MT_SKIPPED;
	}
	if (mt_pressure_case_cgroup(c, &s->cg, err) < 0)
		return MT_FAILED;
	/* Pages are charged to the cgroup of the process that faults them
	 * in: join before touching the hot set. */
	if (mt_cgroup_enter(&s->cg, getpid(), err) < 0) {
		mt_err_prefix(err, "mlock");
		return MT_FAILED;
	}
	s->vec = malloc(s->hot_bytes / (uint64_t)s->page + 1);
	if (!s->vec) {
		mt_err_why(err, "mlock: out of memory");
		return MT_FAILED;
	}
	if (s->anon) {
		s->hot = mmap(NULL, s->hot_bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else {
		mt_testfile_path(mt_p_string(env->params, ML_DIR), env->rundir,
				 ML_HOT_FILE, path, sizeof(path));
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			mt_err_why(err, "mlock: cannot open %s: %s", path,
				   strerror(errno));
			return MT_FAILED;
		}
		s->hot = mmap(NULL, s->hot_bytes, PROT_READ, MAP_SHARED, s->fd,
			      0);
	}
	if (s->hot == MAP_FAILED) {
		s->hot = NULL;
		mt_err_why(err,
			   "mlock: cannot map the %" PRIu64 " byte "
			   "hot set: %s",
			   s->hot_bytes, strerror(errno));
		return MT_FAILED;
	}
	madvise(s->hot, s->hot_bytes, MADV_NOHUGEPAGE);
	for (uint64_t o = 0; o < s->hot_bytes; o += (uint64_t)s->page) {
		if (s->anon)
			((volatile char *)s->hot)[o] = (char)o;
		else
			s->sink += ((volatile char *)s->hot)[o];
	}
	ret = 0;
	if (strcmp(s->lock, "mlock") == 0)
		ret = mlock(s->hot, s->hot_bytes);
	else if (strcmp(s->lock, "mlockall") == 0)
		ret = mlockall(MCL_CURRENT | MCL_FUTURE);
	if (ret < 0) {
		int e = errno;

		mt_err_why(err,
			   "mlock: %s of %" PRIu64 " bytes failed: "
			   "%s (RLIMIT_MEMLOCK is %llu bytes; raise it with "
			   "ulimit -l, LimitMEMLOCK= in a systemd unit, or run "
			   "with CAP_IPC_LOCK)",
			   s->lock, s->hot_bytes, strerror(e),
			   (unsigned long long)s->rl.rlim_cur);
		return e == EPERM || e == ENOMEM || e == EAGAIN ? MT_SKIPPED :
								  MT_FAILED;
	}
	mt_fs_read_key("/proc/self/status", "VmLck", &s->vmlck, err);

	s->lat.limit = 1u << 20;
	s->lat.seed = s->rng;
	mt_testfile_path(mt_p_string(env->params, ML_DIR), env->rundir,
			 ML_STREAM_FILE, path, sizeof(path));
	s->streamer = mt_pressure_streamer(&s->cg, path, env->cpu, 0, err);
	if (s->streamer < 0) {
		mt_err_prefix(err, "mlock");
		return MT_FAILED;
	}
	if (s->anon) {
		s->thrasher = mt_pressure_anon(&s->cg, s->limit, true, env->cpu,
					       -1, err);
		if (s->thrasher < 0) {
			mt_err_prefix(err, "mlock");
			return MT_FAILED;
		}
	}
	t0 = mt_now_ns();
	while (mt_now_ns() - t0 < 10000000000ull) {
		int64_t u = cg_usage(&s->cg);

		if (u >= 0 && (uint64_t)u + (8u << 20) >= s->limit)
			break;
		sleep_ns(20000000);
	}
	s->fill_ns = mt_now_ns() - t0;
	return MT_OK;
}

/* Rounds of timed random reads of the hot set, with idle pauses between
 * them, for the case's duration. */
static int ml_run(void *state, uint64_t iters, struct mt_sample *smp,
		  struct mt_err *err)
{
	struct ml_state *s = state;
	uint64_t pages = s->hot_bytes / (uint64_t)s->page, start;
	struct rusage r0, r1;
	volatile char *hot = s->hot;
	double p50, p99, mx;

	(void)iters;
	(void)err;
	getrusage(RUSAGE_SELF, &r0);
	start = mt_now_ns();
	do {
		double res = ml_resident(s);

		if (isfinite(res)) {
			if (res < s->res_min)
				s->res_min = res;
			s->res_sum += res;
		}
		s->rounds++;
		for (int64_t i = 0; i < s->round_accesses; i++) {
			uint64_t pg = mt_rand_below(&s->rng, pages);
			uint64_t off = pg * (uint64_t)s->page +
				       mt_rand_below(&s->rng,
						     (uint64_t)s->page / 64) *
					       64;
			uint64_t t0 = mt_now_ns();

			s->sink += hot[off];
			mt_lat_add(&s->lat, (double)(mt_now_ns() - t0));
		}
		if (s->idle_ns)
			sleep_ns(s->idle_ns);
	} while (mt_now_ns() - start < s->duration_ns);
	getrusage(RUSAGE_SELF, &r1);
	s->majflt = r1.ru_majflt - r0.ru_majflt;

	mt_lat_summary(&s->lat, 1, &p50, &p99, &mx);
	smp->values[V_P50] = p50;
	smp->values[V_P99] = p99;
	smp->values[V_MAX] = mx / 1000;
	smp->values[V_MAJFLT] = (double)s->majflt;
	smp->values[V_RES_MIN] = isfinite(s->res_min) ? 100 * s->res_min : 0;
	smp->values[V_RES_MEAN] = s->rounds ? 100 * s->res_sum / s->rounds : 0;
	smp->ops = s->lat.seen;
	return 0;
}

static enum mt_status ml_verify(void *state, json_t *obtained,
				struct mt_err *err)
{
	struct ml_state *s = state;
	json_t *cg = mt_cgroup_counters(&s->cg, err);

	json_object_set_new(obtained, "rlimit_memlock_soft",
			    json_integer(s->rl.rlim_cur == RLIM_INFINITY ?
						 -1 :
						 (json_int_t)s->rl.rlim_cur));
	json_object_set_new(obtained, "rlimit_memlock_hard",
			    json_integer(s->rl.rlim_max == RLIM_INFINITY ?
						 -1 :
						 (json_int_t)s->rl.rlim_max));
	json_object_set_new(obtained, "lock_bytes_needed",
			    json_integer(strcmp(s->lock, "none") == 0 ?
						 0 :
						 (json_int_t)s->hot_bytes));
	json_object_set_new(obtained, "vmlck_bytes", json_integer(s->vmlck));
	json_object_set_new(obtained, "rounds", json_integer(s->rounds));
	json_object_set_new(obtained, "accesses",
			    json_integer((json_int_t)s->lat.seen));
	json_object_set_new(obtained, "cgroup_fill_ms",
			    json_real((double)s->fill_ns / 1e6));
	json_object_set_new(
		obtained, "pressure",
		json_string(
			s->anon ?
				"anonymous thrasher of the cgroup's limit plus a "
				"page-cache streamer (reclaim must swap)" :
				"page-cache streamer (clean file pages, no swap needed)"));
	if (cg)
		json_object_set_new(obtained, "cgroup_after", cg);
	if (strcmp(s->lock, "none") != 0 && (uint64_t)s->vmlck < s->hot_bytes) {
		mt_err_why(err,
			   "mlock: VmLck is %" PRId64 " bytes, less "
			   "than the %" PRIu64 " byte hot set",
			   s->vmlck, s->hot_bytes);
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

static void ml_teardown(void *state)
{
	struct ml_state *s = state;

	if (!s)
		return;
	mt_pressure_stop(s->streamer);
	mt_pressure_stop(s->thrasher);
	if (s->hot)
		munmap(s->hot, s->hot_bytes);
	if (s->fd >= 0)
		close(s->fd);
	munlockall();
	mt_lat_free(&s->lat);
	free(s->vec);
	free(s);
}

const struct mt_bench mt_bench_mlock = {
	.name = "mlock",
	.summary = "hot-set access latency and major faults with and without "
		   "mlock/mlockall while other processes force reclaim",
	.params = ml_params,
	.needs = MT_NEED_ROOT | MT_NEED_CGROUP,
	.supported = ml_supported,
	.plan = ml_plan,
	.sys_setup = ml_sys_setup,
	.case_sys_setup = ml_case_sys_setup,
	.setup = ml_setup,
	.run = ml_run,
	.verify = ml_verify,
	.teardown = ml_teardown,
};
