/* Result records (DESIGN §3): building them and reading results.jsonl.
 *
 * A record is one JSON object per line:
 *   schema_version, bench, variant (if any), case {params}, metric, unit,
 *   higher_is_better, value (the median), n, min, max, mean, stddev,
 *   ci95_lo, ci95_hi, ci_level (the confidence the interval really has:
 *   below 0.95 when n < 6, where it is min..max), samples [..], status ("ok" | "untrustworthy"),
 *   obtained {what the kernel gave}, cpu, time;
 *   with `repeat = N` > 1 also rounds [the N round values], round_ci95
 *   [[lo, hi] of each round], and rounds_missing (rounds that gave no
 *   value, only when some did not): value is then the median of the
 *   rounds, n, samples, min, max, mean and stddev pool the rounds, and
 *   ci95_lo..ci95_hi is mt_rounds_combine's interval;
 *   for a time or a rate, once the machine's run history knows enough
 *   (run_history.h), also ci95_within_run [lo, hi] (the interval before)
 *   and run_spread {shifts, rms, half}: ci95_lo..ci95_hi then also holds
 *   the machine's change between runs
 * or, for a benchmark or case that could not run:
 *   schema_version, bench, case (if any), status "skipped" or "failed",
 *   reason
 */
#ifndef MT_RECORD_H
#define MT_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "stats.h"

#define MT_RECORD_SCHEMA_VERSION 1

/* Builds a measured record. `kase` and `obtained` are borrowed (a reference
 * is taken); samples may be NULL. Returns a new object or NULL on ENOMEM. */
json_t *mt_record_measured(const char *bench, const char *variant, json_t *kase,
			   const char *metric, const char *unit,
			   bool higher_is_better, const struct mt_stats *st,
			   const double *samples, size_t n_samples,
			   json_t *obtained);

/* Combines what one case gave in n rounds: rounds[r] is the array of
 * records round r gave (NULL for a round that did not run). Measured
 * records of the same variant, case and metric become one record (fields
 * above) in the order they first came; a skipped or failed record stays
 * (the first round's) only when no round measured its case. n = 1 gives
 * the records unchanged. Returns a new array, or NULL when memory runs
 * out. */
json_t *mt_records_combine_rounds(json_t *const *rounds, size_t n);

/* The point rec measures, as text: its variant, its case (keys sorted,
 * without "system") and its metric, tab-separated; the same in every
 * round and every run of one configuration. malloc'ed; NULL when memory
 * runs out. */
char *mt_record_point_key(json_t *rec);

/* Builds a skipped or failed record; `status` is "skipped" or "failed";
 * kase may be NULL. */
json_t *mt_record_status(const char *bench, const char *variant, json_t *kase,
			 const char *status, const char *reason);

/* Checks that obj has every field DESIGN §3 requires for its status, with
 * the right JSON types. On failure writes what is missing into why. */
bool mt_record_valid(json_t *obj, char *why, size_t why_len);

/* Watching jansson's allocations: jansson reports a failed allocation
 * while parsing as "invalid token" or with no text at all, so a loader
 * that ran out of memory would call good lines bad. mt_json_oom_clear()
 * forgets earlier failures; mt_json_oom() says whether an allocation of
 * jansson's failed since (counted by core/json_safe's allocator, which
 * main installs with mt_json_init). */
void mt_json_oom_clear(void);
bool mt_json_oom(void);

/* Reads a results.jsonl file and calls fn for each valid record with its
 * line number. A line that is not valid JSON, or not a record, is reported
 * through bad() (path:line: what was expected; path:line:column: and
 * jansson's words for invalid JSON) and skipped, so a truncated file loses
 * only its last partial line. Returns 0, or -errno if the file cannot be
 * read (MT_ERR_INPUT) or memory runs out (-ENOMEM, MT_ERR_RUNTIME). fn
 * returning non-zero stops the reading and is returned. */
int mt_records_read(const char *path,
		    int (*fn)(json_t *rec, int line, void *arg),
		    void (*bad)(const char *msg, void *arg), void *arg,
		    struct mt_err *err);

#endif
