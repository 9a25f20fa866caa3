/* The runner: checks needs, runs each case of each benchmark in a pinned
 * child process, repeats samples until the CI converges, and writes records
 * to the run directory. */
#ifndef MT_RUNNER_H
#define MT_RUNNER_H

#include <stdbool.h>

#include "../../core/config.h"
#include "../../core/err.h"

/* The keys of [global], rows of mt_global_params. */
enum mt_global_param {
	MT_G_SAMPLE_TIME,
	MT_G_MIN_SAMPLES,
	MT_G_MAX_SAMPLES,
	MT_G_WARMUP_SAMPLES,
	MT_G_CI_FRACTION,
	MT_G_MAX_CASE_TIME,
	MT_G_CASE_TIMEOUT,
	MT_G_CPU,
	MT_G_SEED,
	MT_G_REPEAT,
	MT_G_ALLOW_SYSTEM_CHANGES,
	MT_G_OUTPUT,
	MT_G_BENCHMARKS,
	MT_G_HISTORY,
	MT_G_NPARAMS
};

/* The [global] section's schema. */
extern const struct mt_param mt_global_params[];

/* The [global] keys a benchmark section may set for itself (NULL-ended):
 * its rounds and its sampling, e.g. [swap] repeat = 1 under [global]
 * repeat = 3. Unset, a section takes the [global] value. */
extern const char *const mt_section_overrides[];

/* Resolves what a benchmark section runs with: *global, [global] with the
 * section's overrides (mt_section_overrides) set over it, and *params,
 * the section's own keys (b's schema). Both NULL on error; returns 0 or
 * -EINVAL (MT_ERR_INPUT, file:line) or -ENOMEM. */
int mt_section_params(const struct mt_cfg *cfg, const char *section,
		      const struct mt_param *schema, struct mt_params **global,
		      struct mt_params **params, struct mt_err *err);

struct mt_run_opts {
	const struct mt_cfg *cfg; /* loaded configuration */
	const char *const *only;  /* -b names (NULL-terminated), or NULL */
	const char *outdir;	  /* -o DIR (exact), or NULL */
	const char *journal_path; /* journal file */
	const char *state_dir;	  /* for the run history; NULL: none kept */
	bool quick;
	const char *label; /* --label, meta.json "label"; NULL: none */
	char **argv;	   /* for meta.json */
	int argc;
};

/* Runs the sweep. Writes the run directory's path into rundir_out once it
 * exists (also when the run then fails). Returns 0 (skipped benchmarks are
 * not failures), or -errno with err set: MT_ERR_INPUT for bad
 * configuration (before anything ran), MT_ERR_RUNTIME for a failure of the
 * machine; -EIO when every case of some benchmark failed (the run went to
 * its end); -EINTR when interrupted by a signal (the journal has been
 * played back). */
int mt_run(const struct mt_run_opts *opts, char *rundir_out, size_t len,
	   struct mt_err *err);

#endif
