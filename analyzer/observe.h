/* The pieces of the observe analysis (an_observe.c) that tests call: the
 * series of one target, a counter's rate over the window with its
 * interval, and the leak verdict. An observation directory's records
 * (issue 18 contract): bench "observe", case {target, t, sample}, metric
 * "<source>.<name>", cumulative kernel counters recorded raw. */
#ifndef MT_OBSERVE_H
#define MT_OBSERVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "run.h"
#include "trend.h"

/* One series of one target, sorted by t. */
struct mt_obs_series {
	size_t n;
	double *t, *y;
};

/* Fills s with the series of target's metric (n = 0 when there is none).
 * Returns 0 or -ENOMEM. Free with mt_obs_free. */
int mt_obs_get(const struct mt_run *run, const char *target, const char *metric,
	       struct mt_obs_series *s);
void mt_obs_free(struct mt_obs_series *s);

/* A cumulative counter's rate over the window: per_s is its increase over
 * the window's length (a decrease, a counter reset, is left out with its
 * interval); lo..hi the 95% t interval of the mean of the per-interval
 * rates (mean +- t(k-1) sd / sqrt(k) around per_s, lo not below 0),
 * which assumes the intervals independent: none below 3 intervals. */
struct mt_obs_rate {
	double per_s, lo, hi; /* NAN when not known */
	double t0, t1;	      /* the window */
	size_t n;	      /* samples */
};

/* false when s has fewer than 2 samples or no time between them. */
bool mt_obs_rate(const struct mt_obs_series *s, struct mt_obs_rate *r);

/* The leak rule (a sustained rise, fitted):
 *   "leak" when the window is at least MT_LEAK_MIN_WINDOW_S seconds and
 *   MT_LEAK_MIN_SAMPLES samples, the Theil-Sen slope's 95% interval over
 *   the whole window lies above 0, the second half's does too (a warm-up
 *   that levels off is not a leak), and the fitted rise over the window is
 *   at least MT_LEAK_MIN_RISE bytes;
 *   "steady" when the rise the interval allows at its upper bound, over
 *   the whole window or over the second half extrapolated to the whole
 *   window, is below MT_LEAK_MIN_RISE (or the window is long enough and
 *   the series falls);
 *   "inconclusive" otherwise, and always for a window too short.
 * The minimum rise (1 MiB) is practice without a primary source: it keeps
 * page-sized creep of a heap from being called a leak. */
#define MT_LEAK_MIN_WINDOW_S 30.0
#define MT_LEAK_MIN_SAMPLES 20
#define MT_LEAK_MIN_RISE (1024.0 * 1024.0)

enum mt_leak_verdict {
	MT_LEAK_INCONCLUSIVE,
	MT_LEAK_STEADY,
	MT_LEAK_LEAK,
};

struct mt_leak {
	enum mt_leak_verdict verdict;
	struct mt_trend all, half2; /* whole window, second half */
	bool have_half2;
	double window_s;
	double rise; /* fitted: slope x window, bytes */
	char reason[256];
};

/* Judges y (bytes) over t (seconds, ascending). Returns 0, -ENOMEM. A
 * series too short for a fit is "inconclusive", not an error. */
int mt_leak_judge(const double *t, const double *y, size_t n,
		  struct mt_leak *out);

/* "leak", "steady", "inconclusive". */
const char *mt_leak_verdict_name(enum mt_leak_verdict v);

/* --- deriving (an_observe.c, observe_target.c) ---------------------------- */

#define MT_OBS_PAGE 4096.0    /* the page the counters count, bytes */
#define MT_OBS_MAX_TARGETS 64 /* targets analyzed, at most */

/* What the analysis collects while it derives: the run, the derived
 * object, and rc, the first -ENOMEM (every helper below sets it and goes
 * on: the caller checks once). */
struct mt_obs_ctx {
	const struct mt_run *run;
	json_t *out;
	int rc;
};

/* Appends a fact to o->out when v is finite (lo/hi NAN: none). */
void mt_obs_fact(struct mt_obs_ctx *o, const char *id, double v, double lo,
		 double hi, const char *unit, size_t n, const char *what);

/* obj[key] = v (taken); v NULL or a failure sets o->rc. */
void mt_obs_set(struct mt_obs_ctx *o, json_t *obj, const char *key, json_t *v);

/* {per_s, lo, hi, window_s, samples} of a rate, scaled. */
json_t *mt_obs_rate_json(const struct mt_obs_rate *r, double scale);

/* The rate of target's counter into *r; false when absent. */
bool mt_obs_get_rate(struct mt_obs_ctx *o, const char *target,
		     const char *metric, struct mt_obs_rate *r);

/* {first, last, min, max, t_min, window_s, samples} of a gauge (n > 0). */
json_t *mt_obs_gauge_json(const struct mt_obs_series *s);

/* The gauge's last value, or NAN. */
double mt_obs_last(struct mt_obs_ctx *o, const char *target,
		   const char *metric);

/* The series the leak verdict reads for record target key: its anonymous
 * memory plus its swap at the times both were sampled (n = 0 when the
 * target has neither); label names them. Returns 0 or -ENOMEM. */
int mt_obs_leak_series(struct mt_obs_ctx *o, const char *key,
		       struct mt_obs_series *out, char *label, size_t len);

/* Derives every target into o->out "targets" and the facts
 * "observe.tN.*" (N its index there): meta.json's observe.targets, then
 * any other target the records name (seen: an object keyed by them). */
void mt_obs_targets(struct mt_obs_ctx *o, json_t *seen);

#endif
