/* One case as a value, and the one way to run it.
 *
 * The runner plans a benchmark once; each case of the plan becomes a job
 * that a fresh worker process (fork + exec of `memtune __worker`, see
 * worker.h) measures. The job travels as one JSON object, everything by
 * value, so the worker neither parses configuration text nor plans again:
 *   {"bench", "section", "case_index", "rundir", "cpu", "quick",
 *    "global": PARAMS, "params": PARAMS (mt_params_to_json),
 *    "case": {"params": {...}, "mode": "calibrate"|"fixed"|"once",
 *             "metrics": [{"name", "unit", "derive", "slot",
 *                          "higher_is_better"}],
 *             "system": {...}, "handoff": {...}}}
 * "system" (what case_sys_setup obtained) is recorded with each record;
 * "handoff" (what the worker must find: a cgroup, a file) is not.
 *
 * mt_bench_run_case is what `memtune run` calls for every case, and what
 * a caller that runs chosen cases again and again (A/B trials) calls. */
#ifndef MT_CASEJOB_H
#define MT_CASEJOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../core/config.h"
#include "../../core/err.h"
#include "../bench.h"

/* What running one case needs: the case planned (with what its
 * case_sys_setup set), its benchmark section and environment. */
struct mt_case_job {
	const struct mt_bench *bench;
	const char *section;	  /* "tlb" or "tlb:variant" */
	const struct mt_env *env; /* mt_env_make(..., index) */
	const struct mt_case *c;
	size_t index;	     /* the case's index in its plan */
	uint64_t timeout_ns; /* kill the worker after this long (0:
					 * global.case_timeout) */
};

/* Runs job->c now in a fresh worker process pinned to env->cpu, and gives
 * its records: *records is an array (also on error, with what arrived) the
 * caller releases, *failed how many have status "failed" (the worker's own
 * count; a worker that died, timed out or could not be started gives one
 * failed record saying why). Returns 0, -EINTR when a signal arrived (the
 * worker is killed), or -errno with err set when the worker could not be
 * started at all (no pipe, no fork, out of memory). */
int mt_bench_run_case(const struct mt_case_job *job, json_t **records,
		      int *failed, struct mt_err *err);

/* Plans the benchmark section `section` ("tlb", "tlb:x") of cfg on this
 * machine without a run directory, journal or worker: the cases `memtune
 * run` would measure. Returns 0 with *plan filled (mt_plan_free it), or
 * -errno with err set (MT_ERR_INPUT for an unknown section or a bad
 * value). */
int mt_bench_plan(const struct mt_cfg *cfg, const char *section, bool quick,
		  struct mt_plan *plan, struct mt_err *err);

/* The job as the JSON value above; NULL when out of memory. */
json_t *mt_case_job_json(const struct mt_case_job *job);

/* A job rebuilt in the worker: it owns everything job points to. */
struct mt_case_value {
	struct mt_case_job job;
	struct mt_env env;
	struct mt_caps caps;
	struct mt_case c;
	struct mt_metric *metrics; /* names and units owned */
	struct mt_params *global, *params;
	char *section, *rundir;
	const char *variant; /* in section, or NULL */
};

/* Rebuilds a job from its JSON value (no text parsed, no plan made);
 * reads this machine's capabilities. Returns 0, or -EINVAL / -ENOMEM with
 * err set; v is then still safe to free. */
int mt_case_value_load(const json_t *j, struct mt_case_value *v,
		       struct mt_err *err);
void mt_case_value_free(struct mt_case_value *v);

#endif
