/* Analysis modules: one per benchmark, in a table expanded from
 * modules.def, like the benchmarks themselves (STYLE "extension points are
 * tables"). Adding the analysis of a benchmark is one file
 * analyzer/an_NAME.c defining `const struct mt_analysis mt_an_NAME` and one
 * line MT_ANALYSIS(NAME) in modules.def. A benchmark without a module is
 * listed as "no analysis yet", never dropped.
 */
#ifndef MT_ANALYSIS_H
#define MT_ANALYSIS_H

#include <jansson.h>
#include <stdio.h>

#include "../core/err.h"
#include "figure.h"
#include "run.h"

#define MT_ANALYSIS_SCHEMA_VERSION 1

struct mt_analysis {
	const char *bench;   /* the benchmark whose records it reads */
	const char *summary; /* what it derives, one line */
	/* Derives figures from one run's records of `bench`. Returns a new
	 * object, or NULL with err set (MT_ERR_INPUT: the run holds no
	 * record it can use, said how). */
	json_t *(*analyze)(const struct mt_run *run, struct mt_err *err);
	/* Prints the derived figures as indented lines of the summary. */
	void (*print)(FILE *out, json_t *derived);
	/* Draws the figures of runs[0..n): derived[i] is what analyze gave
	 * for runs[i] (NULL when it gave nothing). Each figure comes with
	 * its reading. Returns 0 or -errno with err set. */
	int (*plots)(struct mt_report *rep, struct mt_run *const *runs,
		     json_t *const *derived, size_t n, struct mt_err *err);
};

#define MT_ANALYSIS(name) extern const struct mt_analysis mt_an_##name;
#include "modules.def"
#undef MT_ANALYSIS

/* The module analyzing bench, or NULL. */
const struct mt_analysis *mt_analysis_find(const char *bench);

/* The i-th module of the table, or NULL past its end. */
const struct mt_analysis *mt_analysis_at(size_t i);

/* Analyzes every benchmark of run and returns the analysis.json object:
 * schema_version, dir, host, start, warnings, and "benchmarks", one entry
 * per benchmark in run order: bench, status ("analyzed", "no analysis yet",
 * "skipped", "failed", "no usable records"), reason when not analyzed,
 * records {ok, untrustworthy, skipped, failed}, derived (when analyzed);
 * memtune_version, the build that derived it;
 * and "facts", the facts every module derived (facts.h), by id.
 * Returns NULL only when memory runs out (anywhere, modules included: an
 * analysis missing what memory could not hold is not written). */
json_t *mt_analyze_run(const struct mt_run *run);

/* Writes analysis to dir/analysis.json (dir: the run directory, or where
 * analyze -o says, created if missing) atomically through core/safefile
 * (a planted link or someone else's file or directory is refused, naming
 * it). Returns 0 or -errno with err set (always MT_ERR_RUNTIME). */
int mt_analysis_write(const char *dir, json_t *analysis, struct mt_err *err);

/* Prints the summary of one analysis (as mt_analyze_run made it). */
void mt_analysis_print(FILE *out, json_t *analysis);

/* The memtune build that analyzes (analysis.json "memtune_version"): an
 * analysis another build wrote may derive its figures differently. */
const char *mt_analysis_version(void);

/* Prints analysis.json's facts (facts.h), one line each: id, value with
 * its interval, what it is. Nothing when there are none. */
void mt_analysis_print_facts(FILE *out, json_t *analysis);

/* The derived figures of bench in analysis, or NULL. Borrowed. */
json_t *mt_analysis_derived(json_t *analysis, const char *bench);

/* What bench's intervals in run account for: {rounds, text} and, when
 * points had a run history (core/run_history.h), between_runs_median and
 * between_runs_max (the relative half-widths learnt), learnt and widened
 * (records) (intervals.c). NULL for a run that recorded no run history
 * (older runs) or when memory runs out. */
json_t *mt_analysis_intervals(const struct mt_run *run, const char *bench);

/* bench's points in run whose rounds are a factor of 2 or more apart:
 * {points, text} (unstable.c), or NULL when there are none (or memory
 * runs out). */
json_t *mt_analysis_unstable(const struct mt_run *run, const char *bench);

#endif
