/* Statistics of repeated samples (DESIGN §3 record fields). */
#ifndef MT_STATS_H
#define MT_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct mt_stats {
	size_t n;
	double median, min, max, mean, stddev; /* stddev: sample (n-1) */
	double ci95_lo, ci95_hi; /* distribution-free 95% CI of the median */
	double ci_level;	 /* confidence actually reached (<0.95 for
					 * n < 6, where min..max is reported) */
};

/* Computes the statistics of samples[0..n) (not modified). The confidence
 * interval of the median uses order statistics from the binomial
 * distribution (exact, not a normal approximation). Returns 0, or -EINVAL
 * when n is 0 or a sample is not finite. */
int mt_stats_compute(const double *samples, size_t n, struct mt_stats *out);

/* qsort comparator for doubles in ascending order; NaN sorts last. */
int mt_cmp_double(const void *a, const void *b);

/* Median of sorted[0..n) (the mean of the middle two when n is even);
 * NAN when n is 0. */
double mt_median_sorted(const double *sorted, size_t n);

/* Median of v[0..n), which it sorts in place; NAN when n is 0. */
double mt_median(double *v, size_t n);

/* Linear-interpolated percentile p (0..100) of sorted[0..n), n > 0. */
double mt_percentile_sorted(const double *sorted, size_t n, double p);

/* Percentile p of samples[0..n) (copies and sorts). NAN if n is 0. */
double mt_percentile(const double *samples, size_t n, double p);

/* The tail of v[0..n): sorts v in place, then stores p50, p99 (linear
 * interpolation) and max, each divided by scale. NAN for each when n is
 * 0. */
void mt_tail_summary(double *v, size_t n, double scale, double *p50,
		     double *p99, double *max);

/* Latency percentiles of ns[0..n) (nanoseconds, one per operation): sorts
 * ns in place, then stores p50, p99 (linear interpolation) and max in
 * microseconds. NAN for each when n is 0. */
void mt_latency_summary(double *ns, size_t n, double *p50_us, double *p99_us,
			double *max_us);

/* True when the half-width of the median's CI is within fraction * |median|
 * and the CI reached 95%. */
bool mt_stats_converged(const struct mt_stats *s, double fraction);

/* The two-sided critical value of Student's t distribution with df > 0
 * degrees of freedom at confidence level (0 < level < 1): t with
 * P(|T| <= t) = level (12.71 for df 1 at 0.95, 1.96 as df grows). NAN
 * for a df or level out of range. */
double mt_t_crit(double df, double level);

/* A case measured in n rounds (`repeat = n`), combined: the value is the
 * median of the round values, and the interval, from the spread between
 * rounds, is meant to hold the value of another run of as many rounds
 * (see mt_rounds_combine in stats.c for the rule). */
struct mt_rounds_ci {
	double value;	/* median of the round values */
	double lo, hi;	/* value -/+ half */
	double half;	/* max(between, within) */
	double between; /* t(0.975, n-1) * stddev(rounds) * sqrt(2 / n) */
	double within;	/* median half-width of the rounds' own intervals */
};

/* Combines n >= 1 rounds: values[i] is round i's value (its median),
 * lo[i]..hi[i] its own 95% interval (may be NULL: no within-round floor).
 * With n = 1 the interval is the round's own. Returns 0, or -EINVAL when
 * n is 0 or a number is not finite, -ENOMEM. */
int mt_rounds_combine(const double *values, const double *lo, const double *hi,
		      size_t n, struct mt_rounds_ci *out);

/* Welch's t-test of two sample sets: returns the two-sided p-value, or NAN
 * when either has fewer than 2 samples. */
double mt_welch_p(const double *a, size_t na, const double *b, size_t nb);

#endif
