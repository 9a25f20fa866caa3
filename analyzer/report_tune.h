/* The report's account of memtune tune: a table of each tried item's
 * verdict and a paired plot of its trials (issue 15). The verification
 * comes from DIR/advice.json, a file anyone may have written: it is read
 * without following links and bounded, only its numbers reach the
 * figures' data and scripts, and its text is escaped in the page. */
#ifndef MT_REPORT_TUNE_H
#define MT_REPORT_TUNE_H

#include <jansson.h>
#include <stdio.h>

#include "figure.h"

/* The items of DIR/advice.json that carry a "verification" object, as an
 * array of {id, knob, verification}; an empty array when there is none
 * or the file is missing or malformed. NULL when out of memory. */
json_t *mt_tune_verifications(const char *dir);

/* One paired figure per item of vers[r] (runs 0..n-1): the primary
 * figure of each pair under A and under B. Returns 0 or -errno with err
 * set. */
int mt_tune_plots(struct mt_report *rep, json_t *const *vers, size_t n,
		  struct mt_err *err);

/* The table (nothing when no run has a verification); esc writes text
 * escaped for HTML; labels[r] names run r when n > 1. */
void mt_tune_table(FILE *f, json_t *const *vers, const char *const *labels,
		   size_t n, void (*esc)(FILE *, const char *));

#endif
