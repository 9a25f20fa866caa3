/* One run directory as fleet and export read it: the run, its analysis
 * and its advice, from files another host wrote (DESIGN §6).
 *
 * Every file is checked before it is read: a regular file (not a link, a
 * FIFO or a device) no larger than its cap (MT_RUNDATA_*_MAX). The
 * analysis is DIR/analysis.json when it is there and well formed, else
 * the analyzer's own (mt_analyze_run over the records: no figure the
 * analyzer derives is derived anywhere else). advice.json is optional.
 */
#ifndef MT_RUNDATA_H
#define MT_RUNDATA_H

#include <jansson.h>

#include "../core/err.h"
#include "run.h"

#define MT_RUNDATA_META_MAX (8u << 20)
#define MT_RUNDATA_RESULTS_MAX (64u << 20)
#define MT_RUNDATA_ANALYSIS_MAX (16u << 20)
#define MT_RUNDATA_ADVICE_MAX (16u << 20)

struct mt_rundata {
	struct mt_run *run; /* meta.json and the records */
	json_t *analysis;   /* analysis.json's object, or the analyzer's */
	json_t *advice;	    /* advice.json's object, or NULL */
	json_t *warnings;   /* strings: what was left out, and why */
	int analyzed_here;  /* 1: analysis.json was absent or unusable */
};

/* Loads DIR. Returns 0, or -errno with err set: MT_ERR_INPUT when DIR is
 * not a run directory memtune can use (results.jsonl or meta.json
 * missing, too large, not a regular file; meta.json malformed), naming
 * the file; -ENOMEM (MT_ERR_RUNTIME). A malformed analysis.json or
 * advice.json is a warning (the analysis is derived again; the advice is
 * left out). Free with mt_rundata_free. */
int mt_rundata_load(const char *dir, struct mt_rundata *rd, struct mt_err *err);

void mt_rundata_free(struct mt_rundata *rd);

/* Checks that path is a regular file (lstat: not a link) of at most max
 * bytes. Returns 0, -ENOENT, -ELOOP (a link), -EINVAL (not a regular
 * file) or -EFBIG; errno text for others. */
int mt_rundata_check_file(const char *path, size_t max);

#endif
