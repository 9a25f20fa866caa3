/* The pieces of the observe analysis (an_observe.c) that tests call: the
 * series of one target, a counter's rate over the window with its
 * interval, and the leak verdict. An observation directory's records
 * (issue 18 contract): bench "observe", case {target, t, sample}, metric
 * "<source>.<name>", cumulative kernel counters recorded raw. */
#ifndef MT_OBSERVE_H
#define MT_OBSERVE_H

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

#endif
