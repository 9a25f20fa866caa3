/* Comparing two runs metric by metric (DESIGN §2 `memtune compare`). */
#ifndef MT_COMPARE_H
#define MT_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "run.h"

#define MT_COMPARE_ALPHA 0.05
#define MT_COMPARE_METHOD \
	"beyond the noise when neither record's 95% interval " \
	"(ci95_lo..ci95_hi, with repeat > 1 or a run history a " \
	"prediction interval for another run) holds the other's value; " \
	"for records of one round without one, when the intervals do not " \
	"overlap; P is Welch's two-sided t-test on the samples, for " \
	"reference (it sees one run's spread only)"

/* Matches the measured records of a and b (loaded with
 * MT_RUN_KEEP_SAMPLES) by bench, variant, case and metric, and returns
 * {method, alpha, only_in_a, only_in_b, rows: [{bench, case, metric, unit,
 * a, b, a_lo, a_hi, b_lo, b_hi, change_pct, p, significant, better}],
 * coverage, coverage_b, shifts}: rows with a change beyond the noise
 * (MT_COMPARE_METHOD) first, by |change|, then the others by p;
 * coverage is mt_compare_coverage(rows, false), coverage_b the same with
 * b's intervals and a's values, shifts mt_compare_shifts(rows). NULL
 * when memory runs out. */
json_t *mt_compare_runs(const struct mt_run *a, const struct mt_run *b);

/* How often one run's intervals hold the other run's value, over rows of
 * mt_compare_runs: with b_in_a false, the rows whose a_lo <= b <= a_hi;
 * with it true, b_lo <= a <= b_hi. Returns {points, held, fraction (NAN
 * as null when no point), benchmarks: [{bench, points, held, fraction}]}
 * or NULL when memory runs out. Two runs of one configuration back to
 * back should have a fraction near 0.95. */
json_t *mt_compare_coverage(json_t *rows, bool b_in_a);

/* True for a benchmark whose records are a time series (an observation's
 * samples): compare matches the facts the analyzer derives from them, not
 * the records (compare_facts.c). */
bool mt_compare_is_series(const char *bench);

/* Appends to rows one row per fact of each series benchmark that both a
 * and b derive with the same id and the same "what" (case {what}, metric
 * the id without its bench, unit, a, b, a_lo..b_hi, change_pct, p null,
 * significant when both intervals exist and do not overlap, better
 * "higher"/"lower"/"same": a fact has no better direction); counts the
 * others into only_a/only_b. Returns 0 or -1 when memory runs out. */
int mt_compare_series_facts(const struct mt_run *a, const struct mt_run *b,
			    json_t *rows, size_t *only_a, size_t *only_b);

/* The common shifts of rows (of mt_compare_runs): for each benchmark
 * whose points (at least 10) moved the same way (80% of them) by a median
 * factor of at least 2%, {bench, points, change_pct (the median change),
 * same_way, fraction_after, fraction_b_after (the coverage both ways with
 * that factor taken out)}. A whole run slower or faster, L1-resident
 * sizes included, is the machine changing between the runs, which no
 * interval from within one run can hold. Returns a new array, or NULL
 * when memory runs out. */
json_t *mt_compare_shifts(json_t *rows);

/* Prints the comparison as a table, the method first. */
void mt_compare_print(FILE *out, json_t *cmp, const char *label_a,
		      const char *label_b);

#endif
