/* A benchmark's run history inside a sweep (core/run_history.h): at the
 * start of a benchmark the spread its earlier runs on this machine learned,
 * applied to each of its records as they are written; at its end this
 * run's timed points, added to the history. A history that cannot be read
 * or written costs a warning, never the run. */
#ifndef MT_RUNNER_HISTORY_H
#define MT_RUNNER_HISTORY_H

#include <jansson.h>
#include <stdbool.h>

#include "../../core/config.h"
#include "../../core/run_history.h"

struct mt_job_hist {
	bool on;		      /* a history is kept for this benchmark */
	char id[17];		      /* its configuration's identity */
	json_t *hist;		      /* the history file's contents */
	json_t *points;		      /* this run's timed points so far */
	struct mt_hist_spread shifts; /* of its common shifts */
	size_t timed;		      /* timed records seen */
	size_t learnt;	 /* those with a point history to widen by */
	size_t widened;	 /* those whose interval it made wider */
	double *halves;	 /* the learnt points' half-widths */
	size_t runs_min; /* the fewest changes among the learnt points */
	char why[1024];	 /* why none is kept, when !on */
};

/* Starts the history of `section` run with global (its [global] with its
 * overrides) and params on a machine whose settings are system (meta.json's
 * "system"): its configuration is all three, so that a run after a kernel
 * update or a sysctl change starts a history of its own. state_dir NULL
 * or [global] history = no keeps none. */
void mt_job_hist_begin(struct mt_job_hist *h, const char *state_dir,
		       const char *section, const struct mt_params *global,
		       const struct mt_params *params, json_t *system,
		       bool enabled);

/* Passes a record on its way to results.jsonl: widens its interval by
 * what its point's changes between runs say (mt_hist_widen) and keeps its
 * point. Returns 0 or
 * -ENOMEM. */
int mt_job_hist_record(struct mt_job_hist *h, json_t *rec);

/* Ends it: when complete (the benchmark ran to its end), this run's
 * points join the history, which is saved. Returns the benchmark's
 * meta.json "history" entry (new reference; NULL when memory runs out)
 * and frees what h holds. */
json_t *mt_job_hist_end(struct mt_job_hist *h, const char *state_dir,
			const char *section, const char *host, const char *run,
			bool complete);

#endif
