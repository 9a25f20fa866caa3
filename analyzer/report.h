/* The report (DESIGN §2): gnuplot figures of every analyzed benchmark and
 * one self-contained OUT/index.html. */
#ifndef MT_REPORT_H
#define MT_REPORT_H

#include <jansson.h>

#include "../core/err.h"
#include "run.h"

/* Writes OUT (created if missing) from runs[0..n) and their analyses
 * (as mt_analyze_run made them): the figures' .dat, .gp, .svg and .png,
 * and index.html with the SVGs inlined. Returns 0 or -errno with err set;
 * on a gnuplot failure the page is still written, without the plots. */
int mt_report_write(struct mt_run *const *runs, json_t *const *analyses,
		    size_t n, const char *out, struct mt_err *err);

#endif
