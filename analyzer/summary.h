/* The summary the report leads with (issue 16): for each run, one headline
 * figure per analyzed benchmark with its interval, the advice with the
 * figures each item rests on (linked to their plots), and the machine.
 *
 * Every figure is one the analyzer derived (a fact of analysis.json, or
 * the TLB reach): the summary picks and formats, it never computes. Which
 * fact heads a benchmark is declared in one table in summary.c. Every
 * string from a run's files is escaped; nothing from them names a file.
 */
#ifndef MT_SUMMARY_H
#define MT_SUMMARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "run.h"

/* One headline: what the figure is and its value with its interval, as
 * people write them ("2.82 GB/s (2.71 to 2.84)"). */
struct mt_headline {
	char what[192];
	char value[160];
};

/* The headline of bench in analysis (as mt_analyze_run made it, or as
 * read from analysis.json). False when the analysis derived none. */
bool mt_summary_headline(json_t *analysis, const char *bench,
			 struct mt_headline *h);

/* The TLB reach of backing ("4k", "thp", "2m", "1g") in analysis: an
 * object {lo_bytes, hi_bytes, entries_lo, entries_hi, separable} as the
 * tlb analysis writes it, or NULL when it wrote none (older analyses).
 * Borrowed. The one place the report names where the reach lives. */
json_t *mt_summary_tlb_reach(json_t *analysis, const char *backing);

/* DIR/advice.json read as an untrusted file (no links followed, bounded),
 * or NULL when it is missing or malformed. The caller decrefs it. */
json_t *mt_summary_load_advice(const char *dir);

/* Writes the summary section (<section id="summary">) of runs[0..n):
 * analyses[r] and advice[r] (NULL: none) belong to runs[r]; figures is the
 * report's list of figures ({name, bench}) that anchors link to; esc
 * writes text escaped for HTML. With more runs than the figures label
 * (MT_FIG_MAX_LABELLED_RUNS) only the first run is summarized. */
void mt_summary_write(FILE *f, struct mt_run *const *runs,
		      json_t *const *analyses, json_t *const *advice, size_t n,
		      json_t *figures, void (*esc)(FILE *, const char *));

#endif
