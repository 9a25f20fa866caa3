/* Comparing two runs metric by metric (DESIGN §2 `memtune compare`). */
#ifndef MT_COMPARE_H
#define MT_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "run.h"

#define MT_COMPARE_ALPHA 0.05
#define MT_COMPARE_METHOD \
	"Welch's two-sided t-test on the records' samples, significant " \
	"when p < 0.05 (no correction for the number of metrics)"

/* Matches the measured records of a and b (loaded with
 * MT_RUN_KEEP_SAMPLES) by bench, variant, case and metric, and returns
 * {method, only_in_a, only_in_b, rows: [{bench, case, metric, unit, a, b,
 * change_pct, p, significant, better}]} sorted by p (those without enough
 * samples last), then by |change|. NULL when memory runs out. */
json_t *mt_compare_runs(const struct mt_run *a, const struct mt_run *b);

/* Prints the comparison as a table, the method first. */
void mt_compare_print(FILE *out, json_t *cmp, const char *label_a,
		      const char *label_b);

#endif
