/* Loading a run directory (DESIGN §3) for analysis, and small accessors
 * over its records.
 *
 * The analyzer reads files only: DIR/meta.json (optional: without it the
 * analysis goes on from the records alone) and DIR/results.jsonl
 * (required). Problems that do not stop the analysis (missing or malformed
 * meta.json, a truncated or invalid line) are collected as warnings, each
 * naming the path and line, for the command to print and the report to
 * show.
 */
#ifndef MT_ANALYZER_RUN_H
#define MT_ANALYZER_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"

/* Loading options. */
enum {
	/* Keep each record's "samples" array (compare needs it; analyze and
	 * report do not, and dropping it keeps 1,000 runs small). */
	MT_RUN_KEEP_SAMPLES = 1 << 0,
};

struct mt_run {
	char *dir;	  /* as given */
	json_t *meta;	  /* meta.json, or NULL when missing/malformed */
	json_t *records;  /* array of the valid records, in file order */
	json_t *warnings; /* array of strings: "path:line: what" */
	char host[128];	  /* meta host, else "unknown host" */
	char start[40];	  /* meta start, else first record time, else "" */
	char label[200];  /* "host start": names the run in plots */
};

/* Loads DIR. meta.json missing or malformed adds a warning naming the path
 * (the analysis continues); a line of results.jsonl that is not a record
 * adds a warning "path:line: what" and is skipped. Returns 0 with *out set
 * (free with mt_run_free), or -errno with err set: MT_ERR_INPUT when
 * DIR/results.jsonl cannot be read, naming the path. */
int mt_run_load(const char *dir, unsigned flags, struct mt_run **out,
		struct mt_err *err);

/* A run made of records already in memory (tests, synthetic evidence):
 * dir is its label, meta may be NULL. records and meta are borrowed (a
 * reference is taken). Returns 0 or -ENOMEM. */
int mt_run_from_records(const char *dir, json_t *meta, json_t *records,
			struct mt_run **out);

/* Frees run (NULL is fine). */
void mt_run_free(struct mt_run *run);

/* The benchmarks the run knows of, in order: first those in meta.json's
 * "benchmarks" list, then any other bench named by a record. Returns a new
 * array of strings. */
json_t *mt_run_bench_names(const struct mt_run *run);

/* The meta.json "benchmarks" entry of bench, or NULL. Borrowed. */
json_t *mt_run_bench_meta(const struct mt_run *run, const char *bench);

/* Counts the records of bench by status: measured ("ok"), untrustworthy,
 * skipped and failed (any pointer may be NULL). */
void mt_run_count(const struct mt_run *run, const char *bench, size_t *ok,
		  size_t *untrusted, size_t *skipped, size_t *failed);

/* The first reason of a skipped or failed record of bench (or of the
 * meta.json entry when its status is not ok), or NULL. Borrowed. */
const char *mt_run_skip_reason(const struct mt_run *run, const char *bench);

/* --- record accessors (NULL-safe) ------------------------------------- */

/* True for a measured record whose status is "ok" (records marked
 * untrustworthy are left out of derived figures). */
bool mt_rec_ok(json_t *rec);

/* The record's bench, metric (or "" when absent). */
const char *mt_rec_bench(json_t *rec);
const char *mt_rec_metric(json_t *rec);

/* The record's value (the median), or NAN. */
double mt_rec_value(json_t *rec);

/* The interval of rec for a comparison inside its run (a ratio or a gap
 * between two of its points): ci95_within_run where the run history
 * widened ci95_lo..ci95_hi for the machine's change between runs, which
 * moves both points of such a comparison at once; else ci95_lo..ci95_hi
 * (also when ci95_within_run is not an interval around the value inside
 * ci95_lo..ci95_hi). NAN where a field is missing. */
void mt_rec_ci_within(json_t *rec, double *lo, double *hi);

/* A case parameter as a string (NULL when absent or not a string) or as a
 * number (NAN when absent or not a number). */
const char *mt_rec_case_str(json_t *rec, const char *key);
double mt_rec_case_num(json_t *rec, const char *key);

/* An "obtained" field as a number, or NAN. */
double mt_rec_obtained_num(json_t *rec, const char *key);

/* What the case's system changes gave (values in force): the record's
 * "system", or in run directories written before it moved out of the case,
 * "case"."system". NULL when there is none. */
json_t *mt_rec_system(json_t *rec);

/* The measured "ok" record of bench with this metric whose case matches
 * every (key, string value) pair of the NULL-terminated list, e.g.
 * mt_run_find(run, "hugepage", "read_bw", "backing", "thp", NULL). Returns
 * the first match (borrowed) or NULL. */
json_t *mt_run_find(const struct mt_run *run, const char *bench,
		    const char *metric, ...) __attribute__((sentinel));

/* Collects the ok records of bench/metric whose case matches the (key,
 * string value) pairs of the NULL-terminated list into a curve: x from the
 * numeric case parameter xkey, y the value, sorted by x (a repeated x keeps
 * the first). Returns the number of points (at most max). */
size_t mt_run_curve(const struct mt_run *run, const char *bench,
		    const char *metric, const char *xkey, double *x, double *y,
		    size_t max, ...) __attribute__((sentinel));

#endif
