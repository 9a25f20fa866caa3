/* A benchmark declares itself (STYLE "What we take" 2).
 *
 * The runner owns timing, repetition, warm-up, pinning and statistics. A
 * benchmark says which cases its configuration expands to (plan), prepares
 * one case in a worker process (setup), does a unit of work when asked
 * (run), reports what the kernel actually gave (verify) and cleans up
 * (teardown). The runner times each call of run() with CLOCK_MONOTONIC and
 * counts faults with getrusage around it, then derives each metric from the
 * sample (struct mt_metric.derive).
 *
 * Lifecycle: the runner checks needs and supported(), plans once,
 * runs sys_setup, then for each case case_sys_setup and, in a fresh worker
 * process pinned to one CPU (casejob.h: the case travels as a value):
 *   setup -> [calibrate, which is the first warm-up sample] -> warm-up
 *   samples -> samples until the 95% CI of the first metric's median is
 *   within ci_fraction, or it is clear that max_samples will not get it
 *   there (measure.c, futile()), or max_samples, or max_case_time
 *   -> verify -> teardown
 * with prepare() (untimed) before every sample when the benchmark has one.
 * The table of benchmarks is bench/benchmarks.def; mt_bench_check_all
 * (registry.h) checks every descriptor when `run` and `list` start.
 */
#ifndef MT_BENCH_H
#define MT_BENCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/err.h"
#include "../core/journal.h"
#include "../core/sysinfo.h"

/* What a benchmark needs from the machine. Its `needs` are checked before
 * it runs: one missing skips the benchmark with the reason and the fix.
 * Its `wants` are what some of its cases need: `memtune list` shows them,
 * and the cases that lack one skip themselves (setup returns MT_SKIPPED
 * with the reason) while the others run. */
enum mt_need {
	MT_NEED_ROOT = 1 << 0,
	MT_NEED_SWAP = 1 << 1,	  /* active swap, or root to create it */
	MT_NEED_CGROUP = 1 << 2,  /* a writable memory cgroup controller */
	MT_NEED_HUGETLB = 1 << 3, /* hugetlb pages (or root to reserve) */
	MT_NEED_NUMA2 = 1 << 4,	  /* at least 2 NUMA nodes with memory */
	MT_NEED_ODIRECT = 1 << 5, /* a filesystem that honours O_DIRECT
					 * (its test directory is a parameter:
					 * supported() checks it) */
};

/* How a metric is derived from one sample. */
enum mt_derive {
	MT_NS_PER_OP,	  /* elapsed ns / ops */
	MT_MB_PER_S,	  /* bytes / elapsed, 1 MB = 10^6 bytes */
	MT_OPS_PER_S,	  /* ops / elapsed seconds */
	MT_NS_PER_FAULT,  /* elapsed ns / (minor + major faults) */
	MT_FAULTS_PER_OP, /* (minor + major faults) / ops */
	MT_MAJFLT_PER_OP, /* major faults / ops */
	MT_VALUE,	  /* sample.values[slot], set by run() */
};

struct mt_metric {
	const char *name; /* e.g. "latency", "read_bw" */
	const char *unit; /* e.g. "ns", "MB/s", "faults" */
	enum mt_derive derive;
	int slot; /* index into sample.values for MT_VALUE */
	bool higher_is_better;
};

#define MT_SAMPLE_VALUES 16

/* What one call of run() did. */
struct mt_sample {
	uint64_t ops;	/* units of work done (loads, pages, I/Os) */
	uint64_t bytes; /* bytes moved, for MB/s */
	double values[MT_SAMPLE_VALUES]; /* for MT_VALUE metrics */
	/* Filled by the runner around run(): */
	uint64_t elapsed_ns;
	uint64_t minflt, majflt;
	uint64_t nivcsw; /* involuntary context switches: another task
				 * took the CPU, and its time counts here */
};

enum mt_case_mode {
	/* run(state, iters) scales with iters; the runner picks iters so that a
	 * sample lasts global.sample_time. */
	MT_CASE_CALIBRATE = 0,
	/* run() does a fixed unit of work (iters is 0); prepare() usually
	 * resets it (e.g. maps a fresh region for first-touch cost). */
	MT_CASE_FIXED,
	/* Like FIXED, but exactly one sample and no warm-up (a whole experiment
	 * such as an OOM kill). */
	MT_CASE_ONCE,
};

/* One point of a sweep, as plan() declares it. The runner plans once and
 * hands the case to its worker as a value (bench/casejob.h): metrics and
 * parameters travel by value, so nothing here may point at state that only
 * the runner has. */
struct mt_case {
	json_t *params; /* the record's "case" object (owned) */
	const struct mt_metric *metrics; /* first one drives convergence */
	size_t n_metrics;
	enum mt_case_mode mode;
	/* Filled by case_sys_setup in the runner (owned, NULL when none):
	 * what the kernel gave, recorded as the record's "system" ... */
	json_t *system;
	/* ... and what the worker must be told (a cgroup path, a file),
	 * handed to it in the job and never recorded. */
	json_t *handoff;
};

struct mt_plan {
	struct mt_case *cases;
	size_t n, cap;
	/* Optional, set by plan(): how the cases were derived when a rule
	 * resolved on this machine chose them (tlb's max_size = auto), one
	 * line that `run` prints with the plan. */
	char note[256];
};

/* Adds a case; takes ownership of params. Returns 0 or -ENOMEM. */
int mt_plan_add(struct mt_plan *plan, json_t *params,
		const struct mt_metric *metrics, size_t n_metrics,
		enum mt_case_mode mode);
void mt_plan_free(struct mt_plan *plan);

/* Status of a hook that decides whether a case can run or be trusted
 * (supported, setup, verify). Every hook reports through struct mt_err:
 * int hooks return 0 or -errno, status hooks return enum mt_status with
 * err->msg the reason for anything but MT_OK. */
enum mt_status {
	MT_OK = 0,
	MT_SKIPPED,	  /* cannot run here: reason says why and the fix */
	MT_FAILED,	  /* something broke: reason says what */
	MT_UNTRUSTWORTHY, /* ran, but the kernel did not give what the
				 * case needs (e.g. THP coverage 0%) */
};

/* What the runner hands a benchmark; made by mt_env_make only. */
struct mt_env {
	const struct mt_caps *caps;
	const struct mt_params *global; /* [global] section */
	const struct mt_params *params; /* this benchmark's section */
	const char *rundir;		/* the run directory */
	struct mt_journal *journal;	/* parent side only (sys_setup) */
	int cpu;			/* the CPU measurements are pinned to */
	uint64_t seed;			/* for random permutations */
	size_t case_index;		/* the case's index in its plan */
	bool quick;			/* --quick was given */
	bool allow_changes; /* global.allow_system_changes and root */
};

/* The environment of a benchmark section: seed is global.seed plus
 * case_index (each case its own permutation), allow_changes is root and
 * global.allow_system_changes. rundir and journal may be NULL (planning
 * without a run). */
struct mt_env mt_env_make(const struct mt_caps *caps,
			  const struct mt_params *global,
			  const struct mt_params *params, const char *rundir,
			  struct mt_journal *journal, int cpu, bool quick,
			  size_t case_index);

struct mt_bench {
	const char *name;
	const char *summary;	       /* one line: what it measures */
	const struct mt_param *params; /* its configuration keys */
	unsigned needs;		       /* enum mt_need bits: without one of them
				 * the benchmark is skipped */
	unsigned wants;		       /* enum mt_need bits some cases need:
				 * without one, those cases are skipped
				 * (each with its reason), the others run */

	/* Optional: finer check than needs. Returns MT_OK, or MT_SKIPPED
	 * with err->msg a reason with the command that fixes it. */
	enum mt_status (*supported)(const struct mt_env *env,
				    struct mt_err *err);

	/* Expands the parameters into cases. */
	int (*plan)(const struct mt_env *env, struct mt_plan *plan,
		    struct mt_err *err);

	/* Optional, in the parent, before any case: system changes through
	 * env->journal (reserve hugetlb pages, create a cgroup). `notes`
	 * collects what was obtained, for meta.json. The runner undoes the
	 * journal entries after the benchmark. */
	int (*sys_setup)(const struct mt_env *env, json_t *notes,
			 struct mt_err *err);

	/* Optional, in the parent, before one case's worker starts: a change
	 * that applies to this case only (a sysctl value of a sweep) through
	 * env->journal. What the kernel then gives (values in force) goes
	 * into `obtained`, recorded as the records' "system"; what the worker
	 * needs to find (a cgroup path, a file) goes into `handoff`, which
	 * reaches the worker as c->handoff and no record. The runner undoes
	 * the change after the case. */
	int (*case_sys_setup)(const struct mt_env *env, const struct mt_case *c,
			      json_t *obtained, json_t *handoff,
			      struct mt_err *err);

	/* In the worker: prepares one case. Returns MT_OK with *state set, or
	 * MT_SKIPPED / MT_FAILED with err->msg the reason. A setup that fails
	 * part of the way may leave *state set: teardown is then called on
	 * it, so teardown must cope with a partly built state. */
	enum mt_status (*setup)(const struct mt_env *env,
				const struct mt_case *c, void **state,
				struct mt_err *err);

	/* Optional, untimed, before every sample. Returns 0 or -errno. */
	int (*prepare)(void *state, struct mt_err *err);

	/* Timed: does the work and fills s->ops / s->bytes / s->values.
	 * Returns 0 or -errno. */
	int (*run)(void *state, uint64_t iters, struct mt_sample *s,
		   struct mt_err *err);

	/* Optional: adds what the kernel gave to `obtained` (THP coverage,
	 * pages really huge, residency). Returns MT_OK, or MT_UNTRUSTWORTHY
	 * with err->msg the reason. */
	enum mt_status (*verify)(void *state, json_t *obtained,
				 struct mt_err *err);

	void (*teardown)(void *state);
};

#endif
